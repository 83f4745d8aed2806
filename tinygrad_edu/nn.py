"""Neurons, layers and multilayer perceptrons built from Values.

A neuron computes the pre-activation ``u = Σ w_i x_i + b`` and passes it
through its activation ``f`` (sigmoid, tanh, relu or linear); a layer is a
list of neurons fed the same inputs; an MLP is layers in a row.  Every
weight and bias is a Value whose label is its name, so diagrams read well:

>>> model = MLP(2, [3, 1], seed=0)
>>> model
MLP(2, [3, 1], activation='sigmoid')
>>> [name for name, _ in model.named_parameters()][:4]
['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b', 'layers.0.neurons.1.w.0']
>>> len(model.parameters())              # (2 + 1) * 3 + (3 + 1) * 1
13
>>> out = model([1.0, 0.0])              # always a list, even for one output
>>> len(out), out[0].op
(1, 'sigmoid')

Plain numbers given as inputs become one Value each per call, labelled
``x0``, ``x1``, ... (or by ``names``) and read by every neuron, so a diagram
shows each input once; Values given as inputs are used as they are:

>>> from tinygrad_edu import topological_order
>>> out = model([1.8, 72.0], names=['height', 'weight'])
>>> sorted(v.label for v in topological_order(out[0]) if v.is_leaf and 'layers' not in v.label)
['height', 'weight']

The same seed gives the same weights; ``state_dict`` / ``save`` / ``load``
keep them as JSON (never pickle):

>>> MLP(2, [3, 1], seed=0).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from . import persist as _persist
from .engine import Value, zero_grad as _zero_grad
from .ops import OPS

if TYPE_CHECKING:
    import os

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS"]

_M = TypeVar("_M", bound="Module")  # a module's own class, for what returns that module


# ---------------------------------------------------------------------------
# Activations.  Their derivatives live in the engine's op table (tinygrad_edu.ops);
# tinygrad_edu.delta reads f and f'(u) on floats from there too.


def _linear(u: Value) -> Value:
    """The identity: f(u) = u."""
    return u


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    **{name: getattr(Value, name, op) for name, op in OPS.items() if op.activation},
    "linear": _linear,
}
"""The activation functions on Values, by name: the registry's activations, and 'linear'."""

#: Weight initialisations: uniform(-1, 1); weight_init_std * N(0, 1) (seed 002);
#: Xavier N(0, 1/nin); He N(0, 2/nin) -- the last two as in Deep Learning from Scratch.
INITS = ("uniform", "gaussian", "xavier", "he")


def _check_activation(activation: str, what: str = "activation") -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown {what} {activation!r:.60}; choose one of "
            + ", ".join(repr(a) for a in ACTIVATIONS)
        )
    return activation


def _check_init(init: str) -> str:
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(
            f"unknown init {init!r:.60}; choose one of " + ", ".join(repr(i) for i in INITS)
        )
    return init


def _check_count(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r:.60}")
    return int(n)


def _make_rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """The random.Random every random choice draws from."""
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed or rng, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return random.Random(seed)


class _hybridmethod:
    """A method that works on the class (``MLP.load(path)``: build a new model)
    and on an instance (``model.load(path)``: load into this one)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj: _M | None, cls: type[_M]) -> Callable[..., _M]:
        target = cls if obj is None else obj

        def bound(*args: Any, **kwargs: Any) -> Any:
            return self.func(target, *args, **kwargs)

        bound.__doc__ = self.__doc__
        bound.__name__ = self.func.__name__
        return bound


# ---------------------------------------------------------------------------


class Module:
    """Anything with parameters: gives them names, lists, zeroes, saves and loads them.

    Subclasses define ``named_parameters()`` (in a fixed order) and
    ``config()`` (the constructor arguments that fix the shape).  To be built
    from a saved file (``MLP.load(path)``), a class also says how many
    parameters a config gives, and their names, without building anything
    (``parameter_count`` and ``_iter_names``); any module loads into itself
    (``model.load(path)``).  Files are read and written by
    :mod:`tinygrad_edu.persist`.
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """A list of (name, Value) pairs in a fixed order."""
        return []

    def parameters(self) -> list[Value]:
        """The parameter Values, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's .grad to 0.0 (gradients accumulate otherwise)."""
        _zero_grad(self.parameters())

    def config(self) -> dict[str, Any]:
        """The constructor arguments that fix this module's shape (a JSON-able dict)."""
        return {}

    def _label_parameters(self) -> None:
        for name, p in self.named_parameters():
            p.label = name

    # -- state ---------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """A dict ``name -> float`` of every parameter's current value.

        >>> Neuron(2, seed=1).state_dict().keys()
        dict_keys(['w.0', 'w.1', 'b'])
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self: _M, state: dict[str, float], _source: str | None = None) -> _M:
        """Set the parameters from a dict ``name -> number`` (as ``state_dict`` gives).

        Everything is checked before anything is assigned: a missing or
        extra key, or a value that is not a finite number, raises an error
        naming the key and leaves the module exactly as it was.
        """
        named = self.named_parameters()
        values = _checked_values([n for n, _ in named], state, _source, repr(self))
        for (_, p), v in zip(named, values):
            p.data = v
        return self

    # -- shapes without building ------------------------------------------------
    @classmethod
    def parameter_count(cls, config: dict[str, Any]) -> int:
        """How many parameters a module built from ``config`` has, worked out
        from the config alone (nothing is built).

        ``config`` is a dict as ``config()`` gives it; one the constructor
        would refuse (a missing or extra key, a size that is not a positive
        int, ``true`` for a size, an unknown activation) raises the
        constructor's error.

        >>> MLP.parameter_count({'nin': 2, 'nouts': [3, 1], 'activation': 'sigmoid',
        ...                      'output_activation': 'sigmoid'})
        13
        """
        raise NotImplementedError(
            f"{cls.__name__} does not say how to count its parameters from a config"
        )

    @classmethod
    def parameter_names(cls, config: dict[str, Any]) -> Iterator[str]:
        """The names ``named_parameters()`` gives a module built from ``config``,
        in order, as an iterator (nothing is built).  The config is checked first.

        >>> list(Neuron.parameter_names({'nin': 2, 'activation': 'relu'}))
        ['w.0', 'w.1', 'b']
        """
        cls.parameter_count(config)  # checked now, not at the first next()
        return cls._iter_names(config)

    @classmethod
    def _iter_names(cls, config: dict[str, Any]) -> Iterator[str]:
        raise NotImplementedError(
            f"{cls.__name__} does not say how to name its parameters from a config"
        )

    @classmethod
    def validate_state(
        cls, config: dict[str, Any], state: dict[str, float], source: str | None = None
    ) -> list[float]:
        """Check ``state`` (name -> number) against the shape ``config`` describes,
        without building a module; returns the values as floats, in parameter order.

        Raises what ``load_state_dict`` raises for the same state (missing or
        extra keys, non-numbers, non-finite numbers); ``source`` (e.g. a
        file name) goes into the messages.  A state far smaller than the
        config's parameter count is refused from the counts alone.

        >>> Neuron.validate_state({'nin': 1, 'activation': 'linear'}, {'w.0': 2, 'b': 0.5})
        [2.0, 0.5]
        """
        count = cls.parameter_count(config)
        what = f"{cls.__name__}{_config_text(config)}"
        if isinstance(state, dict) and count > 2 * len(state) + 64:  # listing the names would cost
            raise ValueError(
                f"state dict does not fit {what}{_where(source)}: the module has "
                f"{count:,} parameters, the state dict {len(state):,}"
            )
        return _checked_values(list(cls._iter_names(config)), state, source, what)

    # -- files ---------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the shape and the parameters to ``path`` as JSON; returns the path.

        Only a regular file, or nothing, at ``path`` is written: a directory,
        device, FIFO or socket is refused with an error naming the path and
        what it is, and a symbolic link to a regular file updates the file
        it points to, never the link.  A read-only file is refused with a
        PermissionError (as root too), as is one this user may not write.

        The text goes to a temporary file beside the target (``.<name>.tmp``)
        and is moved into place with ``os.replace``, so a crash never leaves
        a half-written model: at most that one temporary file, which the next
        save of the path removes.  The file keeps the permissions ``open()``
        would give it (those of the file it replaces, or 0o666 less the
        umask).  A directory that does not exist or cannot be written to, a
        parameter that is not a finite float, or more parameters than
        ``tinygrad_edu.persist.MAX_PARAMETERS`` raise an error naming
        ``path`` and write nothing.
        """
        saved: str = _persist.save(self, path)
        return saved

    @_hybridmethod
    def load(target: Module | type[Module], path: str | os.PathLike[str]) -> Module:
        """Load parameters saved by ``save`` from a JSON file; returns the module.

        On a class (``MLP.load(path)``) it builds a new module of the saved
        shape; on a module (``model.load(path)``) it loads into that module,
        whose shape must match the file's.  The whole file is checked before
        anything is built: only a regular file of bounded size is read (a
        FIFO, device or directory is refused unread), and its format,
        version, config, parameter count (at most
        ``tinygrad_edu.persist.MAX_PARAMETERS``), parameter names and numbers
        (finite; no ``true`` where a number belongs) must all be right.  Any
        error names the file and leaves the module exactly as it was.
        """
        loaded: Module = _persist.load(target, path, _MODULES)
        return loaded


def _where(source: str | None) -> str:
    return f" in {source}" if source else ""


def _checked_values(names: list[str], state: object, source: str | None, what: str) -> list[float]:
    """The values of ``state`` for ``names`` in order, as floats; every key
    and value checked (errors name the key, ``source`` and the module ``what``)."""
    where = _where(source)
    if not isinstance(state, dict):
        raise TypeError(
            f"a state dict must be a dict of name -> number, got {type(state).__name__}{where}"
        )
    known = set(names)
    missing = [n for n in names if n not in state]
    extra = [k for k in state if k not in known]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing key(s) {_preview(missing)}")
        if extra:
            parts.append(f"unexpected key(s) {_preview(extra)}")
        raise ValueError(
            f"state dict does not fit {what}{where}: "
            + "; ".join(parts)
            + f" (it has {len(names)} parameters)"
        )
    values: list[float] = []
    for name in names:
        v = state[name]
        if isinstance(v, Value):
            v = v.data
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"parameter {name!r}{where} must be a number, got {type(v).__name__} ({v!r:.40})"
            )
        try:
            v = float(v)
        except OverflowError:  # an int beyond the float range
            v = math.inf
        if not math.isfinite(v):
            raise ValueError(f"parameter {name!r}{where} must be finite, got {v!r}")
        values.append(v)
    return values


def _check_config(cls: type, config: object, keys: tuple[str, ...]) -> None:
    """Refuse a config that is not a dict with exactly ``keys``."""
    if not isinstance(config, dict):
        raise TypeError(f"a {cls.__name__} config must be a dict, got {type(config).__name__}")
    missing = [k for k in keys if k not in config]
    extra = [k for k in config if k not in keys]
    if missing or extra:
        raise ValueError(
            f"a {cls.__name__} config has the keys "
            + ", ".join(keys)
            + (f"; {_preview(missing)} missing" if missing else "")
            + (f"; {_preview(extra)} unexpected" if extra else "")
        )


def _preview(names: Sequence[object], k: int = 3) -> str:
    shown = ", ".join(f"{n!r:.60}" for n in names[:k])
    return shown + (f" and {len(names) - k} more" if len(names) > k else "")


def _config_text(config: dict[str, Any]) -> str:
    text = "(" + ", ".join(f"{k}={v!r}" for k, v in config.items()) + ")"
    return text if len(text) <= 200 else text[:200] + "...)"


# ---------------------------------------------------------------------------


def _init_weights(
    rng: random.Random, nin: int, init: str, weight_init_std: float
) -> tuple[list[float], float]:
    """Draw nin weights and one bias in the order w_0 ... w_{nin-1}, b."""
    if init == "uniform":
        return [rng.uniform(-1.0, 1.0) for _ in range(nin)], rng.uniform(-1.0, 1.0)
    std = {"gaussian": weight_init_std, "xavier": math.sqrt(1.0 / nin), "he": math.sqrt(2.0 / nin)}[
        init
    ]
    return [std * rng.gauss(0.0, 1.0) for _ in range(nin)], 0.0


class Neuron(Module):
    """One neuron: pre-activation u = Σ w_i x_i + b, output f(u).

    ``init`` chooses the starting weights: ``'uniform'`` draws weights and
    bias from uniform(-1, 1); ``'gaussian'`` draws weights as
    ``weight_init_std * N(0, 1)`` (seed 002); ``'xavier'`` N(0, 1/nin) and
    ``'he'`` N(0, 2/nin) (for sigmoid/tanh and relu respectively).  Those
    three start the bias at 0.  Pass ``seed`` (an int) or ``rng`` (a
    ``random.Random``) for the same weights every run.

    >>> n = Neuron(2, activation='linear', seed=0)
    >>> n.w[0].data, n.w[1].data = 2.0, -1.0; n.b.data = 0.5
    >>> n.preactivation([3.0, 1.0]).data      # 2*3 + (-1)*1 + 0.5
    5.5
    >>> n([3.0, 1.0]).data
    5.5
    """

    nin: int
    activation: str
    init: str
    weight_init_std: float
    w: list[Value]
    b: Value
    _f: Callable[[Value], Value]  # the activation, from ACTIVATIONS

    def __init__(
        self,
        nin: int,
        activation: str = "sigmoid",
        init: str = "uniform",
        weight_init_std: float = 0.01,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_count(nin, "nin (the number of inputs)")
        self.activation = _check_activation(activation)
        self.init = _check_init(init)
        if (
            isinstance(weight_init_std, bool)
            or not isinstance(weight_init_std, numbers.Real)
            or not 0.0 <= weight_init_std < math.inf
        ):
            raise ValueError(f"weight_init_std must be a number >= 0, got {weight_init_std!r}")
        self.weight_init_std = float(weight_init_std)
        weights, bias = _init_weights(
            _make_rng(seed, rng), self.nin, self.init, self.weight_init_std
        )
        self.w = [Value(w) for w in weights]
        self.b = Value(bias)
        self._f = ACTIVATIONS[self.activation]
        self._label_parameters()

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[('w.0', w_0), ..., ('b', b)]``."""
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def config(self) -> dict[str, Any]:
        """``{'nin': ..., 'activation': ...}``."""
        return {"nin": self.nin, "activation": self.activation}

    @classmethod
    def parameter_count(cls, config: dict[str, Any]) -> int:
        """``nin + 1``: the weights and the bias (see :meth:`Module.parameter_count`)."""
        _check_config(cls, config, ("nin", "activation"))
        _check_activation(config["activation"])
        return _check_count(config["nin"], "nin (the number of inputs)") + 1

    @classmethod
    def _iter_names(cls, config: dict[str, Any]) -> Iterator[str]:
        for i in range(config["nin"]):
            yield f"w.{i}"
        yield "b"

    def preactivation(
        self, x: Sequence[Value | float], names: Sequence[str] | None = None
    ) -> Value:
        """u = Σ w_i x_i + b for inputs ``x`` (Values or numbers), as a Value.

        Numbers become labelled input Values first (see :func:`_as_inputs`;
        ``names`` labels them)."""
        return self._preactivation(_as_inputs(x, self.nin, names, self))

    def _preactivation(self, x: Sequence[Value]) -> Value:
        """u for inputs that are Values already (the layers and the MLP call this)."""
        w = self.w
        u = w[0] * x[0]
        for i in range(1, self.nin):
            u = u + w[i] * x[i]
        return u + self.b

    def __call__(self, x: Sequence[Value | float], names: Sequence[str] | None = None) -> Value:
        """The neuron's output f(u) as a Value; ``names`` labels numbers given as inputs."""
        return self._f(self._preactivation(_as_inputs(x, self.nin, names, self)))

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


def _check_sequence(x: object, who: str) -> None:
    if isinstance(x, (Value, numbers.Real, str)) or not hasattr(x, "__len__"):
        raise TypeError(
            f"{who} takes a list of inputs, got {type(x).__name__}"
            + (" (wrap it: [x])" if isinstance(x, (Value, numbers.Real)) else "")
        )


#: The default labels of the inputs: x0, x1, ... (extended as wider modules are called).
_INPUT_NAMES = [f"x{i}" for i in range(64)]


def _input_names(n: int) -> list[str]:
    while len(_INPUT_NAMES) < n:
        _INPUT_NAMES.append(f"x{len(_INPUT_NAMES)}")
    return _INPUT_NAMES


def _check_names(names: Sequence[str], n: int, who: str) -> list[str]:
    """``names`` as a list of ``n`` distinct non-empty strings, or an error saying what is wrong."""
    if (
        isinstance(names, (str, bytes))
        or not hasattr(names, "__len__")
        or not hasattr(names, "__iter__")
    ):
        raise TypeError(
            f"{who}: names must be a list of {n} strings, one per input, "
            f"got {type(names).__name__} ({names!r:.40})"
        )
    names = list(names)
    if len(names) != n:
        raise ValueError(
            f"{who} takes {n} input(s), so names must list {n} names, "
            f"got {len(names)}: {names!r:.80}"
        )
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(
                f"{who}: names[{i}] must be a str, got {type(name).__name__} ({name!r:.40})"
            )
        if not name:
            raise ValueError(f"{who}: names[{i}] is empty; give each input a name")
    if len(set(names)) != n:
        twice = next(name for i, name in enumerate(names) if name in names[:i])
        raise ValueError(f"{who}: the name {twice!r:.40} is given to more than one input")
    return names


def _as_inputs(
    x: Sequence[Value | float],
    nin: int,
    names: Sequence[str] | None = None,
    module: Module | None = None,
) -> list[Value]:
    """The inputs ``x`` as a list of Values: each plain number becomes ONE Value,
    labelled ``x0``, ``x1``, ... by its place (or by ``names``), so a diagram
    shows each input once however many neurons read it.  A Value is used as it is
    (its own label kept).  Neurons, layers and MLPs call this once per call, at
    the outermost module called.

    >>> [v.label for v in _as_inputs([1.0, 2.0], 2)]
    ['x0', 'x1']
    >>> [v.label for v in _as_inputs([1.0, 2.0], 2, names=['height', 'weight'])]
    ['height', 'weight']
    """
    who = repr(module) if module is not None else "_as_inputs"
    _check_sequence(x, who)
    if len(x) != nin:
        raise ValueError(f"{who} takes {nin} input(s), got {len(x)}")
    labels = _input_names(nin) if names is None else _check_names(names, nin, who)
    out = []
    for i, xi in enumerate(x):
        if type(xi) is not Value and not isinstance(xi, Value):
            if not isinstance(xi, numbers.Real):
                raise TypeError(
                    f"{who}: inputs must be numbers or Values, got {type(xi).__name__} ({xi!r:.40})"
                )
            try:
                xi = Value(xi, labels[i])
            except (TypeError, ValueError, OverflowError) as err:
                raise type(err)(f"{who}: input {labels[i]!r:.40}: {err}") from None
        out.append(xi)
    return out


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Calling it returns a list of ``nout`` Values (a list even when nout is 1).

    >>> layer = Layer(3, 2, activation='tanh', seed=0)
    >>> layer
    Layer(3, 2, activation='tanh')
    >>> [v.op for v in layer([1, 2, 3])]
    ['tanh', 'tanh']
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "sigmoid",
        init: str = "uniform",
        weight_init_std: float = 0.01,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_count(nin, "nin (the number of inputs)")
        self.nout = _check_count(nout, "nout (the number of neurons)")
        self.activation = _check_activation(activation)
        rng = _make_rng(seed, rng)
        self.neurons = [
            Neuron(self.nin, activation, init, weight_init_std, rng=rng) for _ in range(self.nout)
        ]
        self._label_parameters()

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.<i>.w.<j>`` and ``neurons.<i>.b`` for each neuron in turn."""
        return [
            (f"neurons.{i}.{name}", p)
            for i, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        """``{'nin': ..., 'nout': ..., 'activation': ...}``."""
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    @classmethod
    def parameter_count(cls, config: dict[str, Any]) -> int:
        """``(nin + 1) * nout`` (see :meth:`Module.parameter_count`)."""
        _check_config(cls, config, ("nin", "nout", "activation"))
        _check_activation(config["activation"])
        nin = _check_count(config["nin"], "nin (the number of inputs)")
        return (nin + 1) * _check_count(config["nout"], "nout (the number of neurons)")

    @classmethod
    def _iter_names(cls, config: dict[str, Any]) -> Iterator[str]:
        neuron = {"nin": config["nin"], "activation": config["activation"]}
        for i in range(config["nout"]):
            for name in Neuron._iter_names(neuron):
                yield f"neurons.{i}.{name}"

    def __call__(
        self, x: Sequence[Value | float], names: Sequence[str] | None = None
    ) -> list[Value]:
        """The list of the neurons' outputs; ``names`` labels numbers given as inputs."""
        return self._forward(_as_inputs(x, self.nin, names, self))

    def _forward(self, x: Sequence[Value]) -> list[Value]:
        """The outputs for inputs that are Values already."""
        return [n._f(n._preactivation(x)) for n in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multilayer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation``.  The last layer uses
    ``output_activation``; None (the default) means *the same as
    activation*, which is how the seed documents build their all-sigmoid
    networks.  Pass ``output_activation='linear'`` for raw scores (logits),
    e.g. for a softmax cross-entropy or max-margin loss.

    ``init``, ``weight_init_std``, ``seed`` and ``rng`` work as for
    :class:`Neuron`; one random generator feeds every layer in turn, so a
    seed fixes the whole network.  Calling it returns the last layer's
    outputs, always as a list.

    >>> MLP(2, [16, 16, 1], activation='relu', output_activation='linear', init='he', seed=1)
    MLP(2, [16, 16, 1], activation='relu', output_activation='linear')
    """

    def __init__(
        self,
        nin: int,
        nouts: Iterable[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        init: str = "uniform",
        weight_init_std: float = 0.01,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_count(nin, "nin (the number of inputs)")
        if isinstance(nouts, (numbers.Real, str)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"nouts must be a list of layer sizes such as [3, 1], got {nouts!r}")
        self.nouts = [_check_count(n, "each layer size in nouts") for n in nouts]
        if not self.nouts:
            raise ValueError("nouts must list at least one layer size, e.g. [3, 1]")
        self.activation = _check_activation(activation)
        self.output_activation = (
            self.activation
            if output_activation is None
            else _check_activation(output_activation, "output_activation")
        )
        rng = _make_rng(seed, rng)
        sizes = [self.nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init,
                weight_init_std,
                rng=rng,
            )
            for i in range(len(self.nouts))
        ]
        self._label_parameters()

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.<l>.neurons.<i>.w.<j>`` and ``layers.<l>.neurons.<i>.b``, layer by layer."""
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        """``{'nin', 'nouts', 'activation', 'output_activation'}``."""
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    @classmethod
    def parameter_count(cls, config: dict[str, Any]) -> int:
        """``Σ (inputs + 1) * size`` over the layers (see :meth:`Module.parameter_count`)."""
        _check_config(cls, config, ("nin", "nouts", "activation", "output_activation"))
        nin = _check_count(config["nin"], "nin (the number of inputs)")
        nouts = config["nouts"]
        if not isinstance(nouts, (list, tuple)):
            raise TypeError(
                f"nouts must be a list of layer sizes such as [3, 1], got {nouts!r:.60}"
            )
        if not nouts:
            raise ValueError("nouts must list at least one layer size, e.g. [3, 1]")
        _check_activation(config["activation"])
        if config["output_activation"] is not None:
            _check_activation(config["output_activation"], "output_activation")
        count = 0
        for size in nouts:
            size = _check_count(size, "each layer size in nouts")
            count += (nin + 1) * size
            nin = size
        return count

    @classmethod
    def _iter_names(cls, config: dict[str, Any]) -> Iterator[str]:
        sizes = [config["nin"]] + list(config["nouts"])
        for i in range(len(sizes) - 1):
            layer = {"nin": sizes[i], "nout": sizes[i + 1], "activation": config["activation"]}
            for name in Layer._iter_names(layer):
                yield f"layers.{i}.{name}"

    def __call__(
        self, x: Sequence[Value | float], names: Sequence[str] | None = None
    ) -> list[Value]:
        """Run the layers in order; the last layer's outputs as a list of Values.

        Numbers in ``x`` become one labelled Value each (``x0``, ``x1``, ...,
        or the strings in ``names``), made once for the whole network."""
        x = _as_inputs(x, self.nin, names, self)
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def __repr__(self) -> str:
        extra = (
            ""
            if self.output_activation == self.activation
            else f", output_activation={self.output_activation!r}"
        )
        return f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}{extra})"


_MODULES = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}
