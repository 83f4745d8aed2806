"""Check analytic gradients against central finite differences (float64).

>>> from tinygrad_edu import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.2)
True
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from ._text import columns, rjust
from .engine import Value
from .functional import value_and_grad
from .i18n import gettext as _

__all__ = ["numerical_grad", "gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message holds the table."""


def _evaluate(f: Callable[..., Any], xs: list[float]) -> float:
    """f at plain numbers: the numerical side must not run through the machinery
    it checks (a derivative nested inside f would then be wrong on both sides
    alike).  Functions that need Values (``x.tanh()``) get fresh ones."""
    try:
        out = f(*xs)
    except (AttributeError, TypeError):
        out = f(*[Value(x) for x in xs])
    if isinstance(out, Value):
        return out.data
    if isinstance(out, numbers.Real):
        return float(out)
    raise TypeError(
        _("f must return a Value or a number, got {type}").format(type=type(out).__name__)
    )


def _as_floats(inputs: Sequence[Any]) -> list[float]:
    xs = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            x = x.data
        if not isinstance(x, numbers.Real):
            raise TypeError(
                _("input {i} must be a number or a Value, got {type}").format(
                    i=i, type=type(x).__name__
                )
            )
        xs.append(float(x))
    return xs


def numerical_grad(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input, in float64.

    ``h = eps * max(1, |x|)`` so large inputs get a step they can feel.

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, 3.0, 4.0)]
    [4.0, 3.0]
    """
    xs = _as_floats(inputs)
    grads = []
    for i, x in enumerate(xs):
        h = eps * max(1.0, abs(x))
        up, down = list(xs), list(xs)
        up[i], down[i] = x + h, x - h
        grads.append((_evaluate(f, up) - _evaluate(f, down)) / (2.0 * h))
    return grads


def _table(
    xs: Sequence[float], analytic: Sequence[float], numeric: Sequence[float], bad: Any
) -> str:
    rows = [
        (
            _("input"),
            _("value"),
            _("analytic"),
            _("numeric"),
            _("abs err"),
            _("rel err"),
            "",
        )
    ]
    mismatch = _("<-- mismatch")
    for i, (x, a, n) in enumerate(zip(xs, analytic, numeric)):
        err = abs(a - n)
        rel = err / max(abs(n), 1e-300)
        rows.append(
            (
                str(i),
                f"{x:.6g}",
                f"{a:.10g}",
                f"{n:.10g}",
                f"{err:.3g}",
                f"{rel:.3g}",
                mismatch if i in bad else "",
            )
        )
    widths = [max(columns(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(rjust(cell, w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """True if f's autograd gradient matches finite differences at ``inputs``.

    Each input passes if ``|analytic - numeric| <= atol + rtol * |numeric|``.
    Otherwise raises :class:`GradcheckError` with a table of every input.
    Check away from kinks (relu and abs at 0), where the two legitimately differ.
    """
    xs = _as_floats(inputs)
    if not xs:
        raise ValueError(_("gradcheck needs at least one input"))
    analytic = value_and_grad(f, argnums=tuple(range(len(xs))))(*xs)[1]
    analytic = [float(a) for a in analytic]
    numeric = numerical_grad(f, *xs, eps=eps)
    bad = [
        i
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if bad:
        name = getattr(f, "__name__", "f")
        heading = _(
            "gradcheck of {name}: {bad} of {total} gradient(s) disagree "
            "(atol={atol}, rtol={rtol}, eps={eps})"
        ).format(
            name=name,
            bad=len(bad),
            total=len(xs),
            atol=f"{atol:g}",
            rtol=f"{rtol:g}",
            eps=f"{eps:g}",
        )
        raise GradcheckError(heading + "\n" + _table(xs, analytic, numeric, bad))
    return True
