"""Backpropagation the textbook way: the delta rule, on plain floats.

The seed documents teach backpropagation as a handful of formulas.  For a
network of neurons ``y = f(u)``, ``u = Σ w_i x_i + b``, trained on the loss
``E = ½ Σ_k (y_k − t_k)²`` (no seed writes this ½; it is the one their deltas are
the derivatives of):

* output delta      ``δ_k = (y_k − t_k) · f'(u_k)``
* hidden delta      ``δ_h = f'(u_h) · Σ_k w_kh · δ_k``   (the next layer's deltas, sent back)
* weight gradient   ``∂E/∂w_ji = δ_j · x_i``           (x_i: the input that weight multiplies)
* bias gradient     ``∂E/∂b_j = δ_j``
* update            ``w ← w − learning_rate · ∂E/∂w``

:func:`delta_rule` runs exactly these formulas for an :class:`~tinygrad_edu.nn.MLP`
with any number of hidden layers, using its current weights as floats (no
graph is built), and returns every intermediate number in a
:class:`DeltaRuleResult`.  The derivative f'(u) comes from the engine's own
derivative table (:mod:`tinygrad_edu.ops`), so the delta rule and autograd
share one calculus -- and they agree:

>>> from math import isclose
>>> from tinygrad_edu.nn import MLP
>>> net = MLP(2, [3, 1], seed=0)                  # seed 000's 2-3-1 sigmoid network
>>> r = delta_rule(net, [1.0, 1.0], [0.0], learning_rate=0.3)
>>> y, = r.output
>>> isclose(r.delta_o[0], (y - 0.0) * y * (1 - y))      # δ_0 = (output − correct) · f'(u)
True
>>> w_mo = [w.data for w in net.layers[1].neurons[0].w]
>>> h = r.outputs[0]                              # the hidden layer's outputs
>>> all(isclose(r.delta_m[m], r.delta_o[0] * w_mo[m] * h[m] * (1 - h[m])) for m in range(3))
True
>>> compare_with_autograd(net, [1.0, 1.0], [0.0], r) < 1e-12
True

The seeds' names for the same numbers are properties of the result:

* seed 000: ``delta_o`` (δ_0, the output deltas), ``delta_m`` (δ_m, the hidden
  layer's deltas), ``k`` (the learning coefficient);
* seed 001: ``FE`` (final error y − t), ``S_ERROR`` (the output deltas),
  ``S_preA`` / ``S_postA`` (u and f(u) per layer), ``gradient_HtoO``,
  ``gradient_ItoH``, ``T``, ``LR``;
* seed 002: ``grads`` (``{'W1', 'b1', 'W2', 'b2', ...}``, laid out as Affine layers).

:func:`apply_update` then takes the step ``−learning_rate · gradient``, and
:func:`train_step` does both, like seed 000's ``train()``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import Value
from .i18n import gettext as _
from .losses import sum_of_squares
from .ops import FLOAT, OPS

if TYPE_CHECKING:
    from typing import TypeAlias

    from .nn import MLP, Layer
    from .ops import Op

    # A sample's inputs or targets: numbers or Values (one number is a list of one).
    _Numbers: TypeAlias = "float | Value | Iterable[float | Value]"

__all__ = [
    "delta_rule",
    "DeltaRuleResult",
    "apply_update",
    "train_step",
    "activation",
    "activation_derivative",
    "compare_with_autograd",
]


# ---------------------------------------------------------------------------
# f and f', taken from the engine's derivative table (one calculus for both).


def _op_for(name: str) -> Op | None:
    """The engine's op for an activation name; None for 'linear' (f(u) = u)."""
    if name == "linear":
        return None
    op = OPS.get(name)
    if op is None or not op.activation:
        known = ", ".join(repr(n) for n, o in OPS.items() if o.activation)
        raise ValueError(
            _("unknown activation {name}; the delta rule knows {known} and 'linear'").format(
                name=repr(name), known=known
            )
        )
    return op


def activation(name: str, u: float) -> float:
    """f(u) on a float for the activation ``name``, computed by the engine's op.

    >>> activation('sigmoid', 0.0), activation('relu', -2.0), activation('linear', 3.0)
    (0.5, 0.0, 3.0)
    """
    op = _op_for(name)
    return float(u) if op is None else op.forward(FLOAT, float(u))


def activation_derivative(name: str, u: float, out: float | None = None) -> float:
    """f'(u) for the activation ``name``: the factor every delta carries.

    It is the engine's own local derivative (the op's ``vjp`` with upstream
    gradient 1), so it is, by construction, the number autograd uses:
    sigmoid ``out · (1 − out)``, tanh ``1 − out²``, relu ``1 if u > 0 else 0``
    (0 at the kink, as in the engine), linear ``1``.  ``out = f(u)`` is
    computed when not given.

    >>> activation_derivative('sigmoid', 0.0)          # 0.5 · (1 − 0.5)
    0.25
    >>> activation_derivative('tanh', 0.0), activation_derivative('relu', -1.0)
    (1.0, 0.0)
    >>> activation_derivative('linear', 7.0)
    1.0
    """
    op = _op_for(name)
    if op is None:
        return 1.0
    u = float(u)
    if out is None:
        out = op.forward(FLOAT, u)
    return op.vjp(FLOAT, 1.0, out, u)[0]  # type: ignore[no-any-return]  # on floats: a float


# ---------------------------------------------------------------------------
# The result


def _only_one_hidden_layer(result: DeltaRuleResult, name: str, general: str) -> None:
    hidden = len(result.deltas) - 1
    if hidden != 1:
        raise AttributeError(
            _(
                "{name} is the seeds' name for the one hidden layer of a 2-layer network; "
                "this network has {hidden} hidden layer(s): use {general} instead"
            ).format(name=name, hidden=hidden, general=general)
        )


@dataclass(frozen=True)
class DeltaRuleResult:
    """Every number of one delta-rule pass, layer by layer (index 0 = first hidden layer).

    Lists are indexed ``[layer][neuron]``; weights ``[layer][neuron][input]``
    (the weight from input ``i`` into neuron ``j`` of layer ``l`` is
    ``weight_grads[l][j][i]``, as ``model.layers[l].neurons[j].w[i]``).

    Attributes:
        inputs: the network's input x.
        targets: the targets t.
        preactivations: u = Σ w·x + b of every neuron (seed 001: ``S_preA``).
        outputs: f(u) of every neuron (seed 001: ``S_postA``); ``outputs[-1]`` is y.
        derivatives: f'(u) of every neuron.
        deltas: δ of every neuron; ``deltas[-1]`` are the output deltas.
        weight_grads: ∂E/∂w = δ_j · (input i of layer l).
        bias_grads: ∂E/∂b = δ_j.
        loss: E = ½ Σ (y − t)².
        learning_rate: the step size, if given (seed 000: ``k``, seed 001: ``LR``).
    """

    inputs: list[float]
    targets: list[float]
    preactivations: list[list[float]]
    outputs: list[list[float]]
    derivatives: list[list[float]]
    deltas: list[list[float]]
    weight_grads: list[list[list[float]]]
    bias_grads: list[list[float]]
    loss: float
    learning_rate: float | None = None

    # -- general views ---------------------------------------------------------
    @property
    def output(self) -> list[float]:
        """The network's output y (the last layer's outputs)."""
        return self.outputs[-1]

    @property
    def layer_inputs(self) -> list[list[float]]:
        """What each layer reads: x for the first, the previous layer's outputs after."""
        return [self.inputs] + self.outputs[:-1]

    @property
    def output_deltas(self) -> list[float]:
        """δ_k = (y_k − t_k) · f'(u_k) of the output neurons."""
        return self.deltas[-1]

    @property
    def hidden_deltas(self) -> list[list[float]]:
        """The hidden layers' deltas, first hidden layer first."""
        return self.deltas[:-1]

    def _lr(self, name: str) -> float:
        if self.learning_rate is None:
            raise AttributeError(
                _(
                    "{name}: no learning rate was given; "
                    "call delta_rule(model, x, t, learning_rate=...)"
                ).format(name=name)
            )
        return self.learning_rate

    @property
    def weight_updates(self) -> list[list[list[float]]]:
        """−learning_rate · ∂E/∂w for every weight (needs ``learning_rate``)."""
        lr = self._lr("weight_updates")
        return [[[-lr * g for g in row] for row in layer] for layer in self.weight_grads]

    @property
    def bias_updates(self) -> list[list[float]]:
        """−learning_rate · ∂E/∂b for every bias (needs ``learning_rate``)."""
        lr = self._lr("bias_updates")
        return [[-lr * g for g in layer] for layer in self.bias_grads]

    def named_gradients(self) -> dict[str, float]:
        """A dict ``parameter name -> gradient`` with the names of ``MLP.named_parameters()``.

        The names (``layers.0.neurons.2.w.1`` ...) are also the parameters'
        labels, so this lines up with ``{p.label: p.grad for p in model.parameters()}``.
        """
        named: dict[str, float] = {}
        for l, (wg, bg) in enumerate(zip(self.weight_grads, self.bias_grads)):
            for j, (row, b) in enumerate(zip(wg, bg)):
                for i, g in enumerate(row):
                    named[f"layers.{l}.neurons.{j}.w.{i}"] = g
                named[f"layers.{l}.neurons.{j}.b"] = b
        return named

    # -- seed 000 ----------------------------------------------------------------
    @property
    def delta_o(self) -> list[float]:
        """Seed 000's δ_0: the output deltas, ``(output − correct) · f'(u)`` (a list)."""
        return self.output_deltas

    @property
    def delta_m(self) -> list[float]:
        """Seed 000's δ_m (``delta_m0, delta_m1, ...``): the hidden layer's deltas.

        Seed 000's network has one hidden layer; for deeper networks use
        ``hidden_deltas[l]``.
        """
        _only_one_hidden_layer(self, "delta_m", "hidden_deltas[l]")
        return self.deltas[0]

    @property
    def k(self) -> float | None:
        """Seed 000's learning coefficient k (the learning rate)."""
        return self.learning_rate

    # -- seed 001 ----------------------------------------------------------------
    @property
    def FE(self) -> list[float]:
        """Seed 001's final error FE = S_postA,O − T, one per output."""
        return [y - t for y, t in zip(self.output, self.targets)]

    @property
    def S_ERROR(self) -> list[float]:
        """Seed 001's error signal S_ERROR = FE · f_A'(S_preA,O): the output deltas."""
        return self.output_deltas

    @property
    def S_preA(self) -> list[list[float]]:
        """Seed 001's pre-activations, per layer (= ``preactivations``)."""
        return self.preactivations

    @property
    def S_postA(self) -> list[list[float]]:
        """Seed 001's post-activations, per layer (= ``outputs``)."""
        return self.outputs

    @property
    def T(self) -> list[float]:
        """Seed 001's target T (= ``targets``)."""
        return self.targets

    @property
    def LR(self) -> float | None:
        """Seed 001's learning rate LR."""
        return self.learning_rate

    @property
    def gradient_HtoO(self) -> list[list[float]]:
        """Seed 001's gradient_HtoO = S_ERROR · S_postA,H: the hidden→output weight gradients.

        Indexed ``[output neuron][hidden neuron]``.
        """
        if len(self.deltas) < 2:
            raise AttributeError(
                _("gradient_HtoO needs a hidden layer; this network has none: use weight_grads[0]")
            )
        return self.weight_grads[-1]

    @property
    def gradient_ItoH(self) -> list[list[float]]:
        """Seed 001's gradient_ItoH = S_ERROR · weight_HtoO · f_A'(S_preA,H) · input.

        The input→hidden weight gradients, indexed ``[hidden neuron][input]``
        (seed 001's network has one hidden layer).
        """
        _only_one_hidden_layer(self, "gradient_ItoH", "weight_grads[l]")
        return self.weight_grads[0]

    # -- seed 002 ----------------------------------------------------------------
    @property
    def grads(self) -> dict[str, list[Any]]:
        """Seed 002's gradient dict: ``{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}``.

        Laid out as Deep Learning from Scratch's Affine layers: ``W<n>`` has
        shape (inputs, neurons), so ``grads['W1'][i][j]`` is the gradient of
        the weight from input i into neuron j (the transpose of
        ``weight_grads[0]``); ``b<n>`` has one entry per neuron.
        """
        out: dict[str, list[Any]] = {}  # W<n>: [[float]], b<n>: [float]
        for n, (wg, bg) in enumerate(zip(self.weight_grads, self.bias_grads), start=1):
            out[f"W{n}"] = [list(col) for col in zip(*wg)]
            out[f"b{n}"] = list(bg)
        return out


# ---------------------------------------------------------------------------
# The delta rule


def _floats(xs: Any, what: str) -> list[float]:  # xs: _Numbers, checked here
    if isinstance(xs, (numbers.Real, Value)):
        xs = [xs]
    out: list[float] = []
    for i, x in enumerate(xs):
        if isinstance(x, Value):
            x = x.data
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(
                _("{what} {i} must be a number or a Value, got {kind}").format(
                    what=what, i=i, kind=type(x).__name__
                )
            )
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(
                _("{what} {i} must be finite, got {x}").format(what=what, i=i, x=repr(x))
            )
        out.append(x)
    return out


def _layers_of(model: object) -> list[Layer]:
    layers: list[Layer] | None = getattr(model, "layers", None)
    if not layers:
        raise TypeError(
            _(
                "the delta rule works on an MLP (something with .layers of .neurons), got {kind}"
            ).format(kind=type(model).__name__)
        )
    return layers


def delta_rule(
    model: MLP, inputs: _Numbers, targets: _Numbers, learning_rate: float | None = None
) -> DeltaRuleResult:
    """Backpropagate one sample through ``model`` with the textbook formulas.

    ``model`` is an :class:`~tinygrad_edu.nn.MLP` (any depth, any of the
    activations 'sigmoid', 'tanh', 'relu', 'linear'); ``inputs`` and
    ``targets`` are lists of numbers (or Values; a single number is taken as
    a list of one, like seed 000's ``correct``).  The loss is
    ``E = ½ Σ (y − t)²``.  Nothing in the model changes; use
    :func:`apply_update` (or :func:`train_step`) to take the step.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(1, [1], activation='linear', seed=0)
    >>> net.layers[0].neurons[0].w[0].data, net.layers[0].neurons[0].b.data = 2.0, 1.0
    >>> r = delta_rule(net, [3.0], 5.0)      # y = 2·3 + 1 = 7, δ = (7 − 5) · 1
    >>> r.output, r.deltas, r.weight_grads, r.bias_grads, r.loss
    ([7.0], [[2.0]], [[[6.0]]], [[2.0]], 2.0)
    """
    layers = _layers_of(model)
    x = _floats(inputs, "input")
    t = _floats(targets, "target")
    nin = len(layers[0].neurons[0].w)
    if len(x) != nin:
        raise ValueError(
            _("{model} takes {nin} input(s), got {count}").format(
                model=repr(model), nin=nin, count=len(x)
            )
        )
    nout = len(layers[-1].neurons)
    if len(t) != nout:
        raise ValueError(
            _("{model} has {nout} output(s) but {count} target(s) were given").format(
                model=repr(model), nout=nout, count=len(t)
            )
        )
    if learning_rate is not None:
        learning_rate = _floats([learning_rate], "learning_rate")[0]

    # Forward pass, keeping u, f(u) and f'(u) of every neuron.
    preacts, outs, derivs = [], [], []
    y: float | list[float]  # a neuron's output in the loop; after it, the network's
    layer_in = x
    for l, layer in enumerate(layers):
        us, ys, ds = [], [], []
        for j, neuron in enumerate(layer.neurons):
            w = neuron.w
            if len(w) != len(layer_in):
                raise ValueError(
                    _(
                        "layers.{l}.neurons.{j} has {weights} weights but its layer gets "
                        "{inputs} input(s)"
                    ).format(l=l, j=j, weights=len(w), inputs=len(layer_in))
                )
            try:
                _op_for(neuron.activation)
            except ValueError as err:
                raise ValueError(f"layers.{l}.neurons.{j}: {err}") from None
            u = w[0].data * layer_in[0]  # u = Σ w_i x_i + b, summed as the Neuron does
            for i in range(1, len(w)):
                u = u + w[i].data * layer_in[i]
            u = u + neuron.b.data
            y = activation(neuron.activation, u)
            us.append(u)
            ys.append(y)
            ds.append(activation_derivative(neuron.activation, u, y))
        preacts.append(us)
        outs.append(ys)
        derivs.append(ds)
        layer_in = ys

    y = outs[-1]
    loss = 0.5 * sum((yk - tk) ** 2 for yk, tk in zip(y, t))

    # Backward pass: output deltas, then each hidden layer from the last to the first.
    # Filled from the last layer back: each entry is a list once the loop below is done.
    deltas: list[list[float]] = [None] * len(layers)  # type: ignore[list-item]
    deltas[-1] = [(yk - tk) * dk for yk, tk, dk in zip(y, t, derivs[-1])]
    for l in range(len(layers) - 2, -1, -1):
        after, d_after = layers[l + 1].neurons, deltas[l + 1]  # the layer this one feeds
        deltas[l] = []
        for h in range(len(layers[l].neurons)):
            sent_back = sum(
                after[k].w[h].data * d_after[k] for k in range(len(after))
            )  # Σ_k w_kh δ_k
            deltas[l].append(derivs[l][h] * sent_back)  # · f'(u_h)

    # Gradients: weight = δ · its input, bias = δ.
    layer_inputs = [x] + outs[:-1]
    weight_grads = [
        [[d * xi for xi in layer_inputs[l]] for d in deltas[l]] for l in range(len(layers))
    ]
    bias_grads = [list(d) for d in deltas]
    return DeltaRuleResult(
        inputs=x,
        targets=t,
        preactivations=preacts,
        outputs=outs,
        derivatives=derivs,
        deltas=deltas,
        weight_grads=weight_grads,
        bias_grads=bias_grads,
        loss=loss,
        learning_rate=learning_rate,
    )


def _check_shapes(model: MLP, result: DeltaRuleResult) -> list[Layer]:
    layers = _layers_of(model)
    shape = [[len(n.w) for n in layer.neurons] for layer in layers]
    theirs = [[len(row) for row in layer] for layer in result.weight_grads]
    if shape != theirs:
        raise ValueError(
            _(
                "this delta-rule result is for another network shape "
                "(weights per neuron {theirs}) than {model} ({shape})"
            ).format(theirs=theirs, model=repr(model), shape=shape)
        )
    return layers


def apply_update(model: MLP, result: DeltaRuleResult, learning_rate: float | None = None) -> MLP:
    """Take the step ``w ← w − learning_rate · ∂E/∂w`` (and the same for b) in place.

    ``learning_rate`` defaults to the one the result was computed with.  The
    parameters' ``.data`` is changed directly (plain floats, nothing is
    recorded in a graph); their ``.grad`` is left alone.  Returns the model.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(1, [1], activation='linear', seed=0)
    >>> net.layers[0].neurons[0].w[0].data, net.layers[0].neurons[0].b.data = 2.0, 1.0
    >>> _ = apply_update(net, delta_rule(net, [3.0], [5.0]), learning_rate=0.1)
    >>> round(net.layers[0].neurons[0].w[0].data, 12), round(net.layers[0].neurons[0].b.data, 12)
    (1.4, 0.8)
    """
    if learning_rate is None:
        learning_rate = result.learning_rate
    if learning_rate is None:
        raise ValueError(
            _(
                "apply_update needs a learning rate: pass learning_rate=..., "
                "or compute the result with delta_rule(..., learning_rate=...)"
            )
        )
    lr = _floats([learning_rate], "learning_rate")[0]
    layers = _check_shapes(model, result)
    for layer, wg, bg in zip(layers, result.weight_grads, result.bias_grads):
        for neuron, row, gb in zip(layer.neurons, wg, bg):
            for w, g in zip(neuron.w, row):
                w.data -= lr * g
            neuron.b.data -= lr * gb
    return model


def train_step(
    model: MLP, inputs: _Numbers, targets: _Numbers, learning_rate: float
) -> DeltaRuleResult:
    """One step of seed 000's ``train()``: the delta rule, then the update.

    Returns the :class:`DeltaRuleResult` computed *before* the update (its
    ``loss`` is the loss the step started from).

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(2, [3, 1], seed=0)
    >>> first = train_step(net, [1.0, 0.0], [1.0], learning_rate=0.3).loss
    >>> delta_rule(net, [1.0, 0.0], [1.0]).loss < first
    True
    """
    result = delta_rule(model, inputs, targets, learning_rate=learning_rate)
    apply_update(model, result)
    return result


def compare_with_autograd(
    model: MLP, inputs: _Numbers, targets: _Numbers, result: DeltaRuleResult | None = None
) -> float:
    """The largest relative disagreement between the delta rule and autograd.

    Runs autograd on the same sample (``sum_of_squares(model(x), t)``, then
    ``backward()``; the parameters' ``.grad`` is overwritten) and returns
    ``max |a − d| / max(|a|, |d|)`` over every parameter (0 where both are 0),
    where ``a`` is autograd's gradient and ``d`` the delta rule's.  Pass the
    ``result`` you already computed to check that one.  Rounding alone gives
    about 1e-16; a wrong formula gives something near 1.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(3, [4, 4, 2], activation='tanh', seed=3)
    >>> compare_with_autograd(net, [0.5, -1.0, 2.0], [1.0, 0.0]) < 1e-12
    True
    """
    if result is None:
        result = delta_rule(model, inputs, targets)
    _check_shapes(model, result)
    model.zero_grad()
    sum_of_squares(model(_floats(inputs, "input")), _floats(targets, "target")).backward()
    mine = result.named_gradients()
    worst = 0.0
    for name, p in model.named_parameters():
        a, d = p.grad, mine[name]
        scale = max(abs(a), abs(d))
        if scale > 0.0:
            worst = max(worst, abs(a - d) / scale)
    return worst
