"""tinygrad_edu: a scalar autograd engine for learning backpropagation.

>>> from tinygrad_edu import Value
>>> x = Value(3.0, label='x')
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0

The other parts load on first use, so ``import tinygrad_edu`` stays quick:
``tinygrad_edu.nn``, ``persist``, ``losses``, ``optim``, ``datasets``, ``delta``,
``viz``, ``page``, ``explain``, ``formula``, ``graph``, ``micrograd``, ``testing``
(the last needs hypothesis).

>>> import tinygrad_edu
>>> tinygrad_edu.nn.MLP(2, [3, 1], seed=0)
MLP(2, [3, 1], activation='sigmoid')
"""

from __future__ import annotations

import importlib
from typing import Any

from .check import GradcheckError, gradcheck, numerical_grad
from .codegen import CompiledFunction, jit
from .engine import (
    NonFiniteGradientError,
    Value,
    gc_paused,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)
from .functional import grad, value_and_grad
from .ops import Op, register

__version__ = "0.1.0"

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "zero_grad",
    "topological_order",
    "gc_paused",
    "NonFiniteGradientError",
    "Op",
    "register",
    "grad",
    "value_and_grad",
    "gradcheck",
    "numerical_grad",
    "GradcheckError",
    "jit",
    "CompiledFunction",
]

_SUBMODULES = (
    "nn",
    "persist",
    "losses",
    "optim",
    "datasets",
    "delta",
    "viz",
    "page",
    "explain",
    "formula",
    "graph",
    "testing",
    "micrograd",
)


def _repr_mimebundle_(self: Value, include: Any = None, exclude: Any = None) -> Any:
    """In Jupyter: a small graph (up to 60 nodes) as the interactive page of
    :func:`tinygrad_edu.viz.page` (its static picture where scripts do not
    run); a larger one, or one that cannot be drawn, as the text."""
    from .viz import _notebook_bundle

    return _notebook_bundle(self, include, exclude)


# The engine knows nothing of the diagrams: the package gives its Values their notebook display.
Value._repr_mimebundle_ = _repr_mimebundle_  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    # Submodules are imported when first used (PEP 562), not by `import tinygrad_edu`.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_SUBMODULES))
