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

import math
import numbers

from .engine import Value, no_grad

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]


def _hyper(owner, name, x, low=0.0, low_inclusive=False, high=None):
    """Check one hyperparameter, naming it if it is out of range."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(x).__name__} ({x!r:.40})")
    x = float(x)
    ok = math.isfinite(x) and (x >= low if low_inclusive else x > low) and (high is None or x < high)
    if not ok:
        rng = (f"{'>=' if low_inclusive else '>'} {low:g}" if high is None
               else f"in [{low:g}, {high:g})")
        raise ValueError(f"{owner}: {name} must be {rng}, got {x!r}")
    return x


class Optimizer:
    """The shared machinery: the parameter list, weight decay, clipping, step, zero_grad.

    A subclass writes only ``update(i, p, g)``: the new value of parameter
    ``p`` (the i-th) given its gradient ``g``, as a float.

    ``params`` is a list of Values, or a Module (its ``parameters()``).
    """

    def __init__(self, params, lr, weight_decay=0.0, clip_grad_norm=None):
        name = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if isinstance(params, Value) or not hasattr(params, "__iter__"):
            raise TypeError(f"{name}: params must be a list of Values (e.g. model.parameters()), "
                            f"got {type(params).__name__}")
        unique, seen = [], set()
        for p in params:
            if not isinstance(p, Value):
                raise TypeError(f"{name}: every parameter must be a Value, "
                                f"got {type(p).__name__} ({p!r:.40})")
            if p not in seen:     # a parameter listed twice is still updated once per step
                seen.add(p)
                unique.append(p)
        if not unique:
            raise ValueError(f"{name}: the parameter list is empty; pass model.parameters()")
        self.params = unique
        self.lr = _hyper(name, "lr (the learning rate)", lr)
        self.weight_decay = _hyper(name, "weight_decay", weight_decay, low_inclusive=True)
        self.clip_grad_norm = (None if clip_grad_norm is None
                               else _hyper(name, "clip_grad_norm", clip_grad_norm))

    def zero_grad(self):
        """Set every parameter's .grad to 0.0 (gradients accumulate otherwise)."""
        for p in self.params:
            p.grad = 0.0

    def gradients(self):
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

    def step(self):
        """Update every parameter's .data by the rule, using its current .grad.

        All new values are computed first; if any is not a finite number
        (the steps diverged) no parameter is changed and FloatingPointError says
        which parameter, so a smaller learning rate can be tried.
        """
        with no_grad():
            self._begin_step()
            new = [self.update(i, p, g) for i, (p, g) in enumerate(zip(self.params, self.gradients()))]
            for p, x in zip(self.params, new):
                if not math.isfinite(x):
                    raise FloatingPointError(
                        f"{type(self).__name__}.step: parameter {p.label or '(unlabelled)'} "
                        f"would become "
                        f"{x!r}; the updates diverged -- try a smaller learning rate than {self.lr:g}")
            for p, x in zip(self.params, new):
                p.data = x

    def _begin_step(self):
        """Hook for per-step state (Adam's step counter)."""

    def update(self, i, p, g):
        """The new value of parameter ``p`` (the i-th) for gradient ``g``."""
        raise NotImplementedError

    def _hyperparameters(self):
        return {"lr": self.lr}

    def __repr__(self):
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

    def __init__(self, params, lr=0.01, weight_decay=0.0, clip_grad_norm=None):
        super().__init__(params, lr, weight_decay, clip_grad_norm)

    def update(self, i, p, g):
        """p − lr · g."""
        return p.data - self.lr * g


class Momentum(Optimizer):
    """Momentum: v ← momentum · v − lr · dW;  W ← W + v.

    The velocity ``v`` (one per parameter, starting at 0) keeps moving in
    the direction the gradients have been pointing, like a ball rolling downhill.
    """

    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0, clip_grad_norm=None):
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.momentum = _hyper("Momentum", "momentum", momentum, low_inclusive=True, high=1.0)
        self.v = [0.0] * len(self.params)

    def update(self, i, p, g):
        """v = momentum · v − lr · g, then p + v."""
        self.v[i] = self.momentum * self.v[i] - self.lr * g
        return p.data + self.v[i]

    def _hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum}


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in Deep Learning from Scratch's form.

    v ← momentum · v − lr · dW;
    W ← W + momentum² · v − (1 + momentum) · lr · dW
    (the momentum step taken as if from the point the velocity leads to).
    """

    def update(self, i, p, g):
        """The velocity update, then the look-ahead step."""
        m = self.momentum
        self.v[i] = m * self.v[i] - self.lr * g
        return p.data + m * m * self.v[i] - (1.0 + m) * self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad: h ← h + dW²;  W ← W − lr · dW / (√h + eps).

    Each parameter's step shrinks as its squared gradients pile up in ``h``.
    ``eps`` = 1e-7 (as the book) keeps the first division finite.
    """

    def __init__(self, params, lr=0.01, eps=1e-7, weight_decay=0.0, clip_grad_norm=None):
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.eps = _hyper("AdaGrad", "eps", eps)
        self.h = [0.0] * len(self.params)

    def update(self, i, p, g):
        """h += g², then p − lr · g / (√h + eps)."""
        self.h[i] += g * g
        return p.data - self.lr * g / (math.sqrt(self.h[i]) + self.eps)

    def _hyperparameters(self):
        return {"lr": self.lr, "eps": self.eps}


class RMSProp(Optimizer):
    """RMSProp: h ← decay · h + (1 − decay) · dW²;  W ← W − lr · dW / (√h + eps).

    Like AdaGrad, but old gradients fade (decay_rate 0.99 as the book), so
    the steps do not shrink to nothing.
    """

    def __init__(self, params, lr=0.01, decay_rate=0.99, eps=1e-7, weight_decay=0.0,
                 clip_grad_norm=None):
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.decay_rate = _hyper("RMSProp", "decay_rate", decay_rate, low_inclusive=True, high=1.0)
        self.eps = _hyper("RMSProp", "eps", eps)
        self.h = [0.0] * len(self.params)

    def update(self, i, p, g):
        """h = decay · h + (1 − decay) · g², then p − lr · g / (√h + eps)."""
        self.h[i] = self.decay_rate * self.h[i] + (1.0 - self.decay_rate) * g * g
        return p.data - self.lr * g / (math.sqrt(self.h[i]) + self.eps)

    def _hyperparameters(self):
        return {"lr": self.lr, "decay_rate": self.decay_rate, "eps": self.eps}


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) and RMSProp-style scaling (v), bias-corrected.

    At step t:  m ← m + (1 − β1)(dW − m);  v ← v + (1 − β2)(dW² − v);
    lr_t = lr · √(1 − β2^t) / (1 − β1^t);  W ← W − lr_t · m / (√v + eps).
    Defaults lr 0.001, β1 0.9, β2 0.999 and eps 1e-7 as Deep Learning from
    Scratch (the Adam paper and PyTorch use eps 1e-8 with the correction on
    √v itself; the difference only shows while v is tiny).
    """

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7, weight_decay=0.0,
                 clip_grad_norm=None):
        super().__init__(params, lr, weight_decay, clip_grad_norm)
        self.beta1 = _hyper("Adam", "beta1", beta1, low_inclusive=True, high=1.0)
        self.beta2 = _hyper("Adam", "beta2", beta2, low_inclusive=True, high=1.0)
        self.eps = _hyper("Adam", "eps", eps)
        self.iter = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self._lr_t = 0.0

    def _begin_step(self):
        self.iter += 1
        t = self.iter
        self._lr_t = self.lr * math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)

    def update(self, i, p, g):
        """The moment updates, then p − lr_t · m / (√v + eps)."""
        self.m[i] += (1.0 - self.beta1) * (g - self.m[i])
        self.v[i] += (1.0 - self.beta2) * (g * g - self.v[i])
        return p.data - self._lr_t * self.m[i] / (math.sqrt(self.v[i]) + self.eps)

    def _hyperparameters(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}
