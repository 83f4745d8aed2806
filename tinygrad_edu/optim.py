"""Update rules: nudge each parameter against its gradient (seed 003).

Each optimizer holds a list of parameters (Values).  After ``backward()``
has filled in their ``.grad``, ``step()`` changes each ``.data`` by its
rule, and ``zero_grad()`` clears the gradients for the next step.  The
rules and their defaults follow Deep Learning from Scratch (common/optimizer.py).

>>> from tinygrad_edu import Value
>>> W = Value(1.0, label='W')
>>> opt = SGD([W], lr=0.1)
>>> loss = (W - 3.0) ** 2          # dloss/dW = 2 (W - 3) = -4
>>> loss.backward()
>>> opt.step(); W.data              # W - lr * dW = 1 + 0.4
1.4
>>> opt.zero_grad(); W.grad
0.0

Two options work with every rule: ``weight_decay`` adds ``weight_decay * p``
to each gradient (L2 regularisation), and ``clip_grad_norm`` first scales
all gradients down together whenever their global norm ``sqrt(Σ g²)``
exceeds it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .engine import Value, no_grad

if TYPE_CHECKING:
    from typing import Protocol

    class _HasParameters(Protocol):
        """A module: anything with ``parameters()`` (tinygrad_edu.nn's, or micrograd's)."""

        def parameters(self) -> Iterable[Value]: ...


__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]


def _hyper(
    owner: str,
    name: str,
    x: float,
    low: float = 0.0,
    low_inclusive: bool = False,
    high: float | None = None,
) -> float:
    """Check one hyperparameter, naming it if it is out of range."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(x).__name__} ({x!r:.40})")
    x = float(x)
    ok = (
        math.isfinite(x) and (x >= low if low_inclusive else x > low) and (high is None or x < high)
    )
    if not ok:
        rng = (
            f"{'>=' if low_inclusive else '>'} {low:g}"
            if high is None
            else f"in [{low:g}, {high:g})"
        )
        raise ValueError(f"{owner}: {name} must be {rng}, got {x!r}")
    return x


class Optimizer:
    """The shared machinery: the parameter list, weight decay, clipping, step, zero_grad.

    A subclass writes only ``update(i, p, g)``: the new value of parameter
    ``p`` (the i-th) given its gradient ``g``, as a float, together with the
    new values of its per-parameter state; ``step`` commits them all at once.

    ``params`` is a list of Values, or a Module (its ``parameters()``).
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        name = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if isinstance(params, Value) or not hasattr(params, "__iter__"):
            raise TypeError(
                f"{name}: params must be a list of Values (e.g. model.parameters()), "
                f"got {type(params).__name__}"
            )
        unique: list[Value] = []
        seen: set[Value] = set()
        for p in params:  # type: ignore[union-attr]  # a module became its list just above
            if not isinstance(p, Value):
                raise TypeError(
                    f"{name}: every parameter must be a Value, got {type(p).__name__} ({p!r:.40})"
                )
            if p not in seen:  # a parameter listed twice is still updated once per step
                seen.add(p)
                unique.append(p)
        if not unique:
            raise ValueError(f"{name}: the parameter list is empty; pass model.parameters()")
        self.params = unique
        self.lr = _hyper(name, "lr (the learning rate)", lr)
        self.weight_decay = _hyper(name, "weight_decay", weight_decay, low_inclusive=True)
        self.clip_grad_norm = (
            None if clip_grad_norm is None else _hyper(name, "clip_grad_norm", clip_grad_norm)
        )

    def zero_grad(self) -> None:
        """Set every parameter's .grad to 0.0 (gradients accumulate otherwise)."""
        for p in self.params:
            p.grad = 0.0

    def gradients(self) -> list[float]:
        """The gradients ``step()`` would use: clipped, then with weight decay added."""
        grads = [float(p.grad.data if isinstance(p.grad, Value) else p.grad) for p in self.params]
        if self.clip_grad_norm is not None:
            norm = math.sqrt(sum(g * g for g in grads))
            if norm > self.clip_grad_norm:
                scale = self.clip_grad_norm / norm
                grads = [g * scale for g in grads]
        if self.weight_decay:
            grads = [g + self.weight_decay * p.data for g, p in zip(grads, self.params)]
        return grads

    def step(self) -> None:
        """Update every parameter's .data by the rule, using its current .grad.

        Everything is computed first -- the new values and the rule's new
        state (velocities, running averages) -- and committed together only
        if every number is finite.  Otherwise (the steps diverged) nothing
        changes, not a parameter and not the state, and FloatingPointError
        says which parameter, so a smaller learning rate can be tried.
        """
        name = type(self).__name__
        with no_grad():
            grads = self.gradients()
            results = [self.update(i, p, g) for i, (p, g) in enumerate(zip(self.params, grads))]
            for p, g, (x, state) in zip(self.params, grads, results):
                label = p.label or "(unlabelled)"
                if not math.isfinite(x):
                    raise FloatingPointError(
                        f"{name}.step: parameter {label} would become {x!r}; the updates "
                        f"diverged -- try a smaller learning rate than {self.lr:g}"
                    )
                for key, s in state.items():
                    if not math.isfinite(s):
                        raise FloatingPointError(
                            f"{name}.step: the {key} of parameter {label} would become {s!r} "
                            f"(its gradient is {g:.3g}); the gradients are too large -- clip them "
                            f"(clip_grad_norm=1.0, say) or try a smaller learning rate than {self.lr:g}"
                        )
            for i, (p, (x, state)) in enumerate(zip(self.params, results)):
                p.data = x
                for key, s in state.items():
                    getattr(self, key)[i] = s
            self._step_done()

    def _step_done(self) -> None:
        """Hook run once a step is committed (Adam counts its steps here)."""

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """The rule for parameter ``p`` (the i-th) and gradient ``g``.

        Returns ``(new value, new state)``: the state is a dict from the name
        of a per-parameter list on the optimizer (``'v'``, ``'h'``) to the
        i-th entry's new value.  It changes nothing itself: ``step`` commits.
        """
        raise NotImplementedError

    def _hyperparameters(self) -> dict[str, float]:
        return {"lr": self.lr}

    def __repr__(self) -> str:
        items = dict(self._hyperparameters())
        if self.weight_decay:
            items["weight_decay"] = self.weight_decay
        if self.clip_grad_norm is not None:
            items["clip_grad_norm"] = self.clip_grad_norm
        args = ", ".join(f"{k}={v!r}" for k, v in items.items())
        return f"{type(self).__name__}({args}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Stochastic gradient descent: W ← W − lr · dW.

    >>> from tinygrad_edu import Value
    >>> w = Value(2.0); w.grad = 0.5
    >>> SGD([w], lr=0.1).step(); w.data
    1.95
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float = 0.01,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        super().__init__(params, lr, weight_decay, clip_grad_norm)

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """p − lr · g (no state)."""
        return p.data - self.lr * g, {}


class Momentum(Optimizer):
    """Momentum: v ← momentum · v − lr · dW;  W ← W + v.

    The velocity ``v`` (one per parameter, starting at 0) keeps moving in
    the direction the gradients have been pointing, like a ball rolling downhill.
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float = 0.01,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.momentum = _hyper("Momentum", "momentum", momentum, low_inclusive=True, high=1.0)
        self.v = [0.0] * len(self.params)

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """v = momentum · v − lr · g, then p + v."""
        v = self.momentum * self.v[i] - self.lr * g
        return p.data + v, {"v": v}

    def _hyperparameters(self) -> dict[str, float]:
        return {"lr": self.lr, "momentum": self.momentum}


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in Deep Learning from Scratch's form.

    v ← momentum · v − lr · dW;
    W ← W + momentum² · v − (1 + momentum) · lr · dW
    (the momentum step taken as if from the point the velocity leads to).
    """

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """The velocity update, then the look-ahead step."""
        m = self.momentum
        v = m * self.v[i] - self.lr * g
        return p.data + m * m * v - (1.0 + m) * self.lr * g, {"v": v}


class AdaGrad(Optimizer):
    """AdaGrad: h ← h + dW²;  W ← W − lr · dW / (√h + eps).

    Each parameter's step shrinks as its squared gradients pile up in ``h``.
    ``eps`` = 1e-7 (as the book) keeps the first division finite.
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float = 0.01,
        eps: float = 1e-7,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.eps = _hyper("AdaGrad", "eps", eps)
        self.h = [0.0] * len(self.params)

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """h += g², then p − lr · g / (√h + eps)."""
        h = self.h[i] + g * g
        return p.data - self.lr * g / (math.sqrt(h) + self.eps), {"h": h}

    def _hyperparameters(self) -> dict[str, float]:
        return {"lr": self.lr, "eps": self.eps}


class RMSProp(Optimizer):
    """RMSProp: h ← decay · h + (1 − decay) · dW²;  W ← W − lr · dW / (√h + eps).

    Like AdaGrad, but old gradients fade (decay_rate 0.99 as the book), so
    the steps do not shrink to nothing.
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float = 0.01,
        decay_rate: float = 0.99,
        eps: float = 1e-7,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.decay_rate = _hyper("RMSProp", "decay_rate", decay_rate, low_inclusive=True, high=1.0)
        self.eps = _hyper("RMSProp", "eps", eps)
        self.h = [0.0] * len(self.params)

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """h = decay · h + (1 − decay) · g², then p − lr · g / (√h + eps)."""
        h = self.decay_rate * self.h[i] + (1.0 - self.decay_rate) * g * g
        return p.data - self.lr * g / (math.sqrt(h) + self.eps), {"h": h}

    def _hyperparameters(self) -> dict[str, float]:
        return {"lr": self.lr, "decay_rate": self.decay_rate, "eps": self.eps}


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) and RMSProp-style scaling (v), bias-corrected.

    At step t:  m ← m + (1 − β1)(dW − m);  v ← v + (1 − β2)(dW² − v);
    lr_t = lr · √(1 − β2^t) / (1 − β1^t);  W ← W − lr_t · m / (√v + eps).
    Defaults lr 0.001, β1 0.9, β2 0.999 and eps 1e-7 as Deep Learning from
    Scratch (the Adam paper and PyTorch use eps 1e-8 with the correction on
    √v itself; the difference only shows while v is tiny).
    """

    def __init__(
        self,
        params: Iterable[Value] | _HasParameters,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-7,
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = None,
    ) -> None:
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.beta1 = _hyper("Adam", "beta1", beta1, low_inclusive=True, high=1.0)
        self.beta2 = _hyper("Adam", "beta2", beta2, low_inclusive=True, high=1.0)
        self.eps = _hyper("Adam", "eps", eps)
        self.iter = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _step_done(self) -> None:
        self.iter += 1

    def update(self, i: int, p: Value, g: float) -> tuple[float, dict[str, float]]:
        """The moment updates, then p − lr_t · m / (√v + eps), at step t = iter + 1."""
        t = self.iter + 1
        lr_t = self.lr * math.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        m = self.m[i] + (1.0 - self.beta1) * (g - self.m[i])
        v = self.v[i] + (1.0 - self.beta2) * (g * g - self.v[i])
        return p.data - lr_t * m / (math.sqrt(v) + self.eps), {"m": m, "v": v}

    def _hyperparameters(self) -> dict[str, float]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}
