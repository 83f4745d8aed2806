"""The lab: train a network in the browser and watch backpropagation live.

``tinygrad-edu lab`` starts a local server (Starlette and uvicorn, the
``lab`` extra: ``pip install "tinygrad-edu[lab]"``) and opens its page.  The
page shows the data and the network's decision boundary, the network with
each weight and its gradient, the loss and accuracy as they change, and, for
any one data point, its computation graph stepped through one chain-rule
step at a time beside the seed documents' delta rule.

This module holds the part without a server: a :class:`LabSession` (the
data, the network, the optimizer and the training) that takes the page's
messages (dicts, already parsed from JSON) and returns its answers.  Every
message is checked: a bad one raises :class:`LabError`, whose text the page
shows, and the session goes on.  The server is :mod:`tinygrad_edu.labserver`.

The session writes its messages in the learner's language: the page sends
``{"type": "language", "lang": "ja"}`` when it connects and whenever the
learner switches, and the session's errors, the network's picture and the
page of a selected point come in that language from then on (see
:mod:`tinygrad_edu.i18n`).

>>> s = LabSession(seed=0)
>>> s.handle({"type": "settings", "hidden": [4], "learning_rate": 0.5})[0]["type"]
'state'
>>> for _ in range(3):
...     frame = s.train_step()
>>> frame["step"]
3
>>> s.handle({"type": "settings", "learning_rate": float("nan")})
Traceback (most recent call last):
...
tinygrad_edu.lab.LabError: the learning rate must be a number above 0 and at most 10, got nan
"""

from __future__ import annotations

import math
import numbers
import operator
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

from . import datasets, i18n, optim
from .codegen import jit
from .i18n import gettext as _, language
from .nn import MLP
from .ops import FLOAT

if TYPE_CHECKING:
    from .delta import DeltaRuleResult
    from .engine import Value
    from .nn import Neuron

__all__ = ["LabSession", "LabError", "LIMITS", "CHOICES"]

#: A point of the data: (x, y, label 0/1).
_Point = tuple[float, float, int]
#: One layer for the fast forward pass: each neuron's weights, the biases, the activation.
_LayerWeights = tuple[list[list[float]], list[float], Callable[[float], float]]
#: The heat map's compiled forward pass: ``grid(weights, xs, ys)`` -> the outputs.
_Grid = Callable[[list[float], list[float], list[float]], list[float]]

#: The limits the lab keeps to (the page states them): each is checked on every message.
LIMITS = {
    "max_points": 500,
    "max_layers": 3,
    "max_neurons": 32,
    "max_learning_rate": 10,
    "max_coordinate": 10,
    "max_batch_size": 500,
    "max_model_bytes": 1_000_000,
}

_OPTIMIZERS: dict[str, type[optim.Optimizer]] = {
    "sgd": optim.SGD,
    "momentum": optim.Momentum,
    "adagrad": optim.AdaGrad,
    "rmsprop": optim.RMSProp,
    "adam": optim.Adam,
}
CHOICES = {
    "datasets": ["xor", "moons", "spirals", "circles"],
    "optimizers": list(_OPTIMIZERS),
    "activations": ["tanh", "sigmoid", "relu"],
}

#: The heat map of the decision boundary: a grid of GRID x GRID points.
GRID = 40

_DEFAULTS: dict[str, Any] = {
    "dataset": "xor",
    "learning_rate": 0.1,
    "optimizer": "adam",
    "activation": "tanh",
    "hidden": [8, 8],
    "batch_size": 0,
}


class LabError(ValueError):
    """A message the lab refuses; its text says why, for the page to show."""


# ---------------------------------------------------------------------------
# The data


def _xor_points(n: int, rng: random.Random) -> list[_Point]:
    """Points in the four quadrants; label 1 where x and y have opposite signs."""
    points = []
    for _i in range(n):
        x, y = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        x += 0.1 if x >= 0 else -0.1
        y += 0.1 if y >= 0 else -0.1
        points.append((x, y, int((x > 0) != (y > 0))))
    return points


def _circle_points(n: int, rng: random.Random) -> list[_Point]:
    """A disc (label 1) inside a ring (label 0)."""
    points = []
    for i in range(n):
        inner = i % 2 == 0
        r = rng.uniform(0.0, 0.5) if inner else rng.uniform(0.75, 1.1)
        a = rng.uniform(0.0, 2.0 * math.pi)
        points.append((r * math.cos(a), r * math.sin(a), int(inner)))
    return points


def make_points(name: str, n: int = 100, seed: int | None = 0) -> list[_Point]:
    """The named data set as ``[(x, y, label 0/1)]``."""
    rng = random.Random(seed)
    if name == "xor":
        return _xor_points(n, rng)
    if name == "moons":
        X, y = datasets.make_moons(n, noise=0.1, seed=seed)
        return [(a - 0.5, b - 0.25, t) for (a, b), t in zip(X, y)]
    if name == "spirals":
        X, y = datasets.make_spirals(n // 2, n_classes=2, noise=0.15, seed=seed)
        return [(a, b, t) for (a, b), t in zip(X, y)]
    if name == "circles":
        return _circle_points(n, rng)
    raise LabError(
        _("unknown data set {name}; the data sets are {choices}").format(
            name=repr(str(name)[:40]), choices=", ".join(CHOICES["datasets"])
        )
    )


# ---------------------------------------------------------------------------
# Checking what the page sends


def _number(message: dict[str, Any], key: str, what: str) -> float:
    x = message.get(key)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise LabError(_("{what} must be a number, got {value}").format(what=what, value=_shown(x)))
    x = float(x)
    if not math.isfinite(x):
        raise LabError(
            _("{what} must be a finite number, got {value}").format(what=what, value=repr(x))
        )
    return x


def _whole(x: object, what: str, low: int, high: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        if isinstance(x, float) and x.is_integer():
            x = int(x)
        else:
            raise LabError(_whole_message(what, low, high, x))
    # mypy: numbers.Integral declares no __ge__ for `low <= x` (int, and any concrete one, has it)
    if not low <= x <= high:  # type: ignore[operator]
        raise LabError(_whole_message(what, low, high, x))
    return int(x)


def _whole_message(what: str, low: int, high: int, x: object) -> str:
    return _("{what} must be a whole number from {low} to {high}, got {value}").format(
        what=what, low=low, high=high, value=_shown(x)
    )


def _shown(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:40] + "..."


def _check_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """The settings in ``changes``, each checked; unknown keys are refused."""
    out: dict[str, Any] = {}
    for key, x in changes.items():
        if key == "learning_rate":
            lr = x if isinstance(x, numbers.Real) and not isinstance(x, bool) else None
            # mypy: numbers.Real declares no __gt__ for `0.0 < lr` (int and float have it)
            if lr is None or not (0.0 < lr <= LIMITS["max_learning_rate"]):  # type: ignore[operator]
                raise LabError(
                    _(
                        "the learning rate must be a number above 0 and at most {most}, got {value}"
                    ).format(most=LIMITS["max_learning_rate"], value=_shown(x))
                )
            out[key] = float(lr)
        elif key == "optimizer":
            if x not in _OPTIMIZERS:
                raise LabError(
                    _("unknown optimizer {name}; the optimizers are {choices}").format(
                        name=_shown(x), choices=", ".join(_OPTIMIZERS)
                    )
                )
            out[key] = x
        elif key == "activation":
            if x not in CHOICES["activations"]:
                raise LabError(
                    _("unknown activation {name}; the activations are {choices}").format(
                        name=_shown(x), choices=", ".join(CHOICES["activations"])
                    )
                )
            out[key] = x
        elif key == "hidden":
            if not isinstance(x, list) or not 1 <= len(x) <= LIMITS["max_layers"]:
                raise LabError(
                    _("the hidden layers must be a list of 1 to {most} sizes, got {value}").format(
                        most=LIMITS["max_layers"], value=_shown(x)
                    )
                )
            size = _("a hidden layer's size")
            out[key] = [_whole(n, size, 1, LIMITS["max_neurons"]) for n in x]
        elif key == "batch_size":
            what = _("the batch size (0: all points)")
            out[key] = _whole(x, what, 0, LIMITS["max_batch_size"])
        elif key == "dataset":
            if x not in CHOICES["datasets"]:
                raise LabError(
                    _("unknown data set {name}; the data sets are {choices}").format(
                        name=_shown(x), choices=", ".join(CHOICES["datasets"])
                    )
                )
            out[key] = x
        else:
            raise LabError(
                _("unknown setting {name}; the settings are {choices}").format(
                    name=_shown(key), choices=", ".join(sorted(_DEFAULTS))
                )
            )
    return out


# ---------------------------------------------------------------------------


def _squared_error(y: Value, t: Value | float) -> Value:
    """One sample's loss, E = ½ (y − t)².

    Neither seed 000 nor seed 001 writes the ½; it is the one their delta and
    S_ERROR imply (their derivative of E is y − t, with no factor 2).
    """
    d = y - t
    return 0.5 * (d * d)


def _grid_function(model: MLP, activation: str) -> _Grid:
    """``grid(weights, xs, ys)``: the network's output at each (x, y), on floats.

    Written out as straight-line Python once per shape of network (as the jit
    writes a forward pass): a loop over the points whose body computes each
    neuron with the weights in local variables -- a few times faster than
    walking the layers in Python, which the heat map needs ~1,600 times a frame.
    """
    names = iter(f"p{i}" for i in range(len(model.parameters())))
    weights = [
        [[next(names) for _w in n.w] + [next(names)] for n in layer.neurons]
        for layer in model.layers
    ]
    body, inputs = [], ["x", "y"]
    for l, layer in enumerate(weights):
        f = "sigmoid" if l == len(weights) - 1 else activation
        outputs = []
        for n, params in enumerate(layer):
            total = " + ".join(f"{w} * {a}" for w, a in zip(params, inputs)) + f" + {params[-1]}"
            body.append(f"        a{l}_{n} = {f}({total})")
            outputs.append(f"a{l}_{n}")
        inputs = outputs
    flat = [p for layer in weights for params in layer for p in params]
    source = "\n".join(
        [
            "def grid(weights, xs, ys):",
            f"    {', '.join(flat)}, = weights",
            "    out = []",
            "    for x, y in zip(xs, ys):",
            *body,
            f"        out.append({inputs[0]})",
            "    return out",
        ]
    )
    namespace: dict[str, Any] = {
        "__builtins__": {},
        "zip": zip,
        "tanh": FLOAT.tanh,
        "sigmoid": FLOAT.sigmoid,
        "relu": _relu,
    }
    exec(compile(source, "<lab heat map>", "exec"), namespace)  # our own text: names and numbers
    grid: _Grid = namespace["grid"]
    return grid


def _relu(u: float) -> float:
    return u if u > 0.0 else 0.0


class LabSession:
    """One learner's lab: the points, the network, the optimizer, the training so far.

    :meth:`handle` takes one message from the page and returns the messages
    to send back; :meth:`train_step` takes one optimizer step and returns a
    ``frame`` message.  The network is an :class:`~tinygrad_edu.nn.MLP` with
    the chosen hidden layers and activation and one sigmoid output (the
    probability of class 1), trained on E = ½ (y − t)² averaged over the
    batch.  Each sample's loss and gradients come from the jit's compiled
    code for the network (the engine's rules, written out once per shape).
    """

    def __init__(self, seed: int | None = None, lang: str | None = None) -> None:
        #: The language of the session's messages ('en', 'ja'); the page sets it.
        with language(lang) as chosen:
            self.lang: str = chosen
        self.rng = random.Random(seed)
        self.settings: dict[str, Any] = dict(_DEFAULTS, hidden=list(_DEFAULTS["hidden"]))
        self.points: list[_Point] = make_points(
            self.settings["dataset"], seed=self.rng.randrange(2**31)
        )
        self.selected: int | None = None
        self.playing = False
        self._build()

    # -- the network ----------------------------------------------------------
    def _build(self, model: MLP | None = None) -> None:
        s = self.settings
        self.model = model or MLP(
            2,
            s["hidden"] + [1],
            activation=s["activation"],
            output_activation="sigmoid",
            init="xavier",
            seed=self.rng.randrange(2**31),
        )
        self.parameters: list[Value] = self.model.parameters()
        self.optimizer: optim.Optimizer = _OPTIMIZERS[s["optimizer"]](
            self.parameters, lr=s["learning_rate"]
        )
        self.step_count = 0
        self.history: list[list[float]] = []  # [step, loss, accuracy] after each step
        self._unsent: list[list[float]] = []
        model = self.model
        # One sample's loss and its gradients, compiled once for this shape of network.
        self._sample: Callable[[list[float], list[float], float], tuple[float, list[float]]] = jit(
            lambda params, x, t: _squared_error(model(x)[0], t),
            self.parameters,
            [0.0, 0.0],
            0.0,
            argnums=0,
        )
        self._grid: _Grid | None = None

    def _weights(self) -> list[_LayerWeights]:
        """[(weights per neuron, biases)] per layer, as floats, for the fast forward pass."""
        return [
            (
                [[w.data for w in n.w] for n in layer.neurons],
                [n.b.data for n in layer.neurons],
                getattr(
                    FLOAT,
                    "sigmoid" if i == len(self.model.layers) - 1 else self.settings["activation"],
                ),
            )
            for i, layer in enumerate(self.model.layers)
        ]

    @overload
    def _forward(
        self, layers: list[_LayerWeights], x: float, y: float, keep: Literal[False] = False
    ) -> float: ...
    @overload
    def _forward(
        self, layers: list[_LayerWeights], x: float, y: float, keep: Literal[True]
    ) -> list[tuple[float, ...]]: ...
    def _forward(
        self, layers: list[_LayerWeights], x: float, y: float, keep: bool = False
    ) -> float | list[tuple[float, ...]]:
        """The network's output at (x, y) on floats (and every layer's outputs with ``keep``)."""
        a: tuple[float, ...] = (x, y)
        kept: list[tuple[float, ...]] = []
        mul = operator.mul
        for ws, bs, f in layers:
            a = tuple(f(sum(map(mul, w, a)) + b) for w, b in zip(ws, bs))
            if keep:
                kept.append(a)
        return kept if keep else a[0]

    # -- training ------------------------------------------------------------
    def _batch(self) -> list[_Point]:
        n = self.settings["batch_size"]
        if n == 0 or n >= len(self.points):
            return self.points
        return self.rng.sample(self.points, n)

    def train_step(self) -> dict[str, Any]:
        """One step of the optimizer on one batch; returns the ``frame`` message."""
        with language(self.lang):
            self._step()
        return self.frame()

    def play_frame(self, budget: float = 0.035) -> list[dict[str, Any]]:
        """While playing: steps for about ``budget`` seconds (at least one), then the
        frame to show (a list of messages; empty once paused)."""
        if not self.playing:
            return []
        start = time.perf_counter()
        try:
            with language(self.lang):
                self._step()
                while time.perf_counter() - start < budget:
                    self._step()
        except LabError:
            self.playing = False
            raise
        return [self.frame()]

    def _step(self) -> None:
        if not self.points:
            raise LabError(
                _("there are no data points to learn from: add some, or choose a data set")
            )
        batch = self._batch()
        params = [p.data for p in self.parameters]
        grads = [0.0] * len(params)
        total = 0.0
        try:
            for x, y, label in batch:
                loss, sample_grads = self._sample(params, [x, y], float(label))
                total += loss
                grads = list(map(operator.add, grads, sample_grads))
        except (OverflowError, ZeroDivisionError, ValueError) as err:  # the jit names the op
            self.playing = False
            raise LabError(
                _(
                    "training paused: a number stopped being finite ({error}); lower the "
                    "learning rate, or press Reset"
                ).format(error=err)
            ) from None
        scale = 1.0 / len(batch)
        for p, g in zip(self.parameters, grads):
            p.grad = g * scale
        self.optimizer.step()
        if not all(math.isfinite(p.data) for p in self.parameters):
            for p, value in zip(self.parameters, params):
                p.data = value
            self.playing = False
            raise LabError(
                _(
                    "the step made a weight overflow (the learning rate is too large for "
                    "this network): the step was undone and training paused"
                )
            )
        self.step_count += 1
        accuracy = self.accuracy()
        row = [self.step_count, total * scale, accuracy]
        self.history.append(row)
        self._unsent.append(row)

    def accuracy(self) -> float:
        """The fraction of the points on the right side of the boundary (output 0.5)."""
        if not self.points:
            return 0.0
        outputs = self._outputs([p[0] for p in self.points], [p[1] for p in self.points])
        return sum(1 for y, p in zip(outputs, self.points) if (y > 0.5) == (p[2] == 1)) / len(
            self.points
        )

    def _outputs(self, xs: list[float], ys: list[float]) -> list[float]:
        if self._grid is None:
            self._grid = _grid_function(self.model, self.settings["activation"])
        return self._grid([p.data for p in self.parameters], xs, ys)

    # -- what the page shows ---------------------------------------------------
    def bounds(self) -> list[float]:
        """[xmin, xmax, ymin, ymax]: the points with a margin (at least -1.5..1.5)."""
        xs = [p[0] for p in self.points] + [-1.5, 1.5]
        ys = [p[1] for p in self.points] + [-1.5, 1.5]
        return [min(xs) - 0.2, max(xs) + 0.2, min(ys) - 0.2, max(ys) + 0.2]

    def heatmap(self) -> dict[str, Any]:
        """The network's output on a GRID x GRID grid over :meth:`bounds` (row by row, y upwards)."""
        xmin, xmax, ymin, ymax = self.bounds()
        xs = [xmin + (i + 0.5) * (xmax - xmin) / GRID for i in range(GRID)]
        ys = [ymin + (j + 0.5) * (ymax - ymin) / GRID for j in range(GRID)]
        values = self._outputs(xs * GRID, [y for y in ys for _ in range(GRID)])
        return {"nx": GRID, "ny": GRID, "values": [round(v, 4) for v in values]}

    def frame(self, heatmap: bool = True) -> dict[str, Any]:
        """The ``frame`` message: step, loss, accuracy, new history, the weights' drawing."""
        from .formula import diagram_number
        from .viz import _weight_style

        last = self.history[-1] if self.history else [0, None, self.accuracy()]
        largest = max((abs(w.data) for n in self._neurons() for w in n.w), default=0.0)
        weights, neurons = [], []
        activations = None
        if self.selected is not None:
            x, y, _label = self.points[self.selected]
            activations = self._forward(self._weights(), x, y, keep=True)
        for l, layer in enumerate(self.model.layers):
            for n, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    style = _weight_style(w.data, largest)
                    weights.append(
                        {
                            "id": f"w_L{l}N{n}_i{i}",
                            "color": style["color"],
                            "width": float(style["penwidth"]),
                            "texts": [
                                f"w={diagram_number(w.data)}",
                                f"grad={diagram_number(w.grad)}",
                            ],
                        }
                    )
                b = neuron.b
                neurons.append(
                    {
                        "id": f"L{l}N{n}",
                        "texts": [
                            f"L{l}N{n}",
                            neuron.activation,
                            f"b={diagram_number(b.data)}",
                            f"b.grad={diagram_number(b.grad)}",
                        ],
                        "activation": None if activations is None else activations[l][n],
                    }
                )
        message = {
            "type": "frame",
            "step": self.step_count,
            "loss": last[1],
            "accuracy": last[2],
            "history": self._unsent,
            "weights": weights,
            "neurons": neurons,
            "selected": self.selected,
        }
        self._unsent = []
        if heatmap:
            message["heatmap"] = self.heatmap()
        return message

    def _neurons(self) -> list[Neuron]:
        return [n for layer in self.model.layers for n in layer.neurons]

    def state(self) -> dict[str, Any]:
        """The ``state`` message: settings, points, bounds and the network's picture,
        its legend apart (the page writes it as text under the picture, readable however
        small the picture is drawn)."""
        from .viz import _run_dot, draw_network

        with language(self.lang):  # the picture's words in the learner's language
            dot = draw_network(self.model, show_grad=True)
            legend = str(dot.graph_attr.pop("label", ""))
            svg = _run_dot(dot.source, "svg", 20, None, "the network picture").decode("utf-8")
        svg = svg[svg.index("<svg") :]
        return {
            "type": "state",
            "settings": dict(self.settings, playing=self.playing),
            "points": [list(p) for p in self.points],
            "bounds": self.bounds(),
            "network_svg": svg,
            "network_legend": legend,
            "selected": self.selected,
        }

    def hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "limits": dict(LIMITS),
            "choices": {k: list(v) for k, v in CHOICES.items()},
        }

    # -- messages ------------------------------------------------------------
    def handle(self, message: object) -> list[dict[str, Any]]:
        """The answers to one message from the page (a list of messages).

        Raises :class:`LabError` for a message it refuses; nothing changes then.
        Its texts are in the session's language (:attr:`lang`).
        """
        with language(self.lang):
            if not isinstance(message, dict):
                raise LabError(_('a message must be a JSON object with a "type"'))
            kind = message.get("type")
            handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise LabError(
                    _("unknown message type {kind}; the types are {choices}").format(
                        kind=_shown(kind), choices=", ".join(sorted(_HANDLERS))
                    )
                )
            return handler(self, message)

    def _on_language(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """The learner's language, for the session's texts from now on.  A new one
        redraws the network's picture in it (the ``state`` and the ``frame``); the
        same one needs no answer."""
        lang = message.get("lang")
        if lang not in i18n.LANGUAGES:
            raise LabError(
                _("unknown language {name}; the languages are {choices}").format(
                    name=_shown(lang), choices=", ".join(i18n.LANGUAGES)
                )
            )
        if lang == self.lang:
            return []
        self.lang = str(lang)
        return [self.state(), self.frame(heatmap=False)]

    def _on_play(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.playing = True
        return []

    def _on_pause(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.playing = False
        return [self.frame()] + self._selection()  # the point's graph at the new weights

    def _on_step(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.playing = False
        return [self.train_step()] + self._selection()

    def _on_reset(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.playing = False
        self._build()
        return [self.state(), self.frame()] + self._selection()

    def _on_settings(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        changes = _check_settings({k: v for k, v in message.items() if k != "type"})
        rebuild = any(
            changes.get(k, self.settings[k]) != self.settings[k] for k in ("hidden", "activation")
        )
        if "dataset" in changes and changes["dataset"] != self.settings["dataset"]:
            self.points = make_points(changes["dataset"], seed=self.rng.randrange(2**31))
            self.selected = None
        self.settings.update(changes)
        if rebuild:
            self.playing = False
            self._build()
        elif "optimizer" in changes or "learning_rate" in changes:
            # A new rule starts from fresh state (velocities, sums of squares).
            self.optimizer = _OPTIMIZERS[self.settings["optimizer"]](
                self.parameters, lr=self.settings["learning_rate"]
            )
        return [self.state(), self.frame()]

    def _on_dataset(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        return self._on_settings({"dataset": message.get("name")})

    def _on_add_point(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        if len(self.points) >= LIMITS["max_points"]:
            raise LabError(
                _("the lab holds at most {most} points; remove some first").format(
                    most=LIMITS["max_points"]
                )
            )
        limit = LIMITS["max_coordinate"]
        x, y = _number(message, "x", "x"), _number(message, "y", "y")
        if abs(x) > limit or abs(y) > limit:
            raise LabError(
                _(
                    "a point's coordinates must lie between -{limit} and {limit}, got {point}"
                ).format(limit=limit, point=f"({x:g}, {y:g})")
            )
        label = message.get("label")
        if label not in (0, 1) or isinstance(label, bool):
            raise LabError(
                _("a point's label must be 0 or 1, got {value}").format(value=_shown(label))
            )
        self.points.append((x, y, int(label)))
        return [self.state(), self.frame()]

    def _point_index(self, message: dict[str, Any]) -> int:
        i = message.get("index")
        if not self.points:
            raise LabError(_("there are no points"))
        return _whole(i, _("the point's index"), 0, len(self.points) - 1)

    def _on_remove_point(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        i = self._point_index(message)
        del self.points[i]
        if self.selected is not None:
            self.selected = None if self.selected == i else self.selected - (self.selected > i)
        return [self.state(), self.frame()] + self._selection()

    def _on_select(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        self.selected = None if message.get("index") is None else self._point_index(message)
        return [self.frame(heatmap=False)] + self._selection()

    def _on_save_model(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        from .persist import dumps

        return [
            {
                "type": "model_file",
                "filename": "lab-model.json",
                "text": dumps(self.model).decode("utf-8"),
            }
        ]

    def _on_load_model(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        from .persist import loads

        text = message.get("text")
        if not isinstance(text, str):
            raise LabError(_("load_model needs the file's text"))
        filename = message.get("filename")
        shown = repr(str(filename)[:60]) if isinstance(filename, str) else None
        name = _("the file {name}").format(name=shown) if shown else _("the file")
        raw = text.encode("utf-8", "replace")
        if len(raw) > LIMITS["max_model_bytes"]:
            raise LabError(
                _(
                    "{file} is {size} bytes; the lab loads model files of at most {most} bytes"
                ).format(file=name, size=f"{len(raw):,}", most=f"{LIMITS['max_model_bytes']:,}")
            )
        try:
            model = loads(MLP, raw, {"MLP": MLP}, name)
        except (ValueError, TypeError) as err:
            raise LabError(str(err)) from None
        problem = self._unfit(model)
        if problem:
            raise LabError(
                _("{file} holds {model}, which the lab cannot train: {problem}").format(
                    file=name, model=repr(model), problem=problem
                )
            )
        self.playing = False
        config = model.config()
        self.settings.update(hidden=list(config["nouts"][:-1]), activation=config["activation"])
        self._build(model)
        return [self.state(), self.frame()] + self._selection()

    @staticmethod
    def _unfit(model: MLP) -> str | None:
        config = model.config()
        nouts = config["nouts"]
        if config["nin"] != 2:
            return _("it takes {count} inputs, the lab's points have 2").format(count=config["nin"])
        if nouts[-1] != 1 or model.output_activation != "sigmoid":
            return _("its last layer must be one sigmoid neuron (the probability of class 1)")
        if not 1 <= len(nouts) - 1 <= LIMITS["max_layers"] or max(nouts) > LIMITS["max_neurons"]:
            return _(
                "the lab trains 1 to {layers} hidden layers of at most {neurons} neurons"
            ).format(layers=LIMITS["max_layers"], neurons=LIMITS["max_neurons"])
        if config["activation"] not in CHOICES["activations"]:
            return _("its activation {name} is not one of the lab's").format(
                name=repr(config["activation"])
            )
        return None

    # -- one point's graph and the delta rule ------------------------------------
    def _selection(self) -> list[dict[str, Any]]:
        if self.selected is None:
            return []
        from .delta import delta_rule
        from .viz import page

        x, y, label = self.points[self.selected]
        for p in self.parameters:
            p.grad = 0.0
        out = self.model([x, y])[0]
        out.label = "y"
        loss = _squared_error(out, float(label))
        loss.label = "E"
        html = page(
            loss, model=self.model, timeout=30, max_nodes=1500, lang=self.lang
        ).html  # 2-16-16-1: 985 Values
        result = delta_rule(
            self.model, [x, y], [float(label)], learning_rate=self.settings["learning_rate"]
        )
        loss.backward()
        return [
            {
                "type": "selection",
                "index": self.selected,
                "point": [x, y, label],
                "page_html": html,
                "delta": self._delta_view(result),
            }
        ]

    def _delta_view(self, r: DeltaRuleResult) -> dict[str, Any]:
        """The seed documents' delta rule beside autograd's gradients (after loss.backward())."""
        k = self.settings["learning_rate"]
        last = len(self.model.layers) - 1
        rows, weights, worst = [], [], 0.0
        for l, layer in enumerate(self.model.layers):
            for n, neuron in enumerate(layer.neurons):
                delta = r.deltas[l][n]
                rows.append(
                    {
                        "layer": l,
                        "neuron": n,
                        "name": "δ_0" if l == last else "δ_m",
                        "delta_rule": delta,
                        "autograd": neuron.b.grad,
                    }
                )
                worst = max(worst, abs(delta - neuron.b.grad))
                for i, w in enumerate(neuron.w):
                    change = -k * r.weight_grads[l][n][i]
                    weights.append(
                        {
                            "name": f"layers.{l}.neurons.{n}.w.{i}",
                            "delta_rule": change,
                            "autograd": -k * w.grad,
                        }
                    )
                    worst = max(worst, abs(change + k * w.grad))
        return {
            "rows": rows,
            "weights": weights,
            "learning_rate": k,
            "agree": worst <= 1e-9,
            "max_difference": worst,
        }


_HANDLERS = {
    "play": LabSession._on_play,
    "pause": LabSession._on_pause,
    "step": LabSession._on_step,
    "reset": LabSession._on_reset,
    "settings": LabSession._on_settings,
    "dataset": LabSession._on_dataset,
    "add_point": LabSession._on_add_point,
    "remove_point": LabSession._on_remove_point,
    "select": LabSession._on_select,
    "save_model": LabSession._on_save_model,
    "load_model": LabSession._on_load_model,
    "language": LabSession._on_language,
}
