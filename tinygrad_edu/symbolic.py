"""Symbols: numbers that print themselves as Python code.

Arithmetic on a :class:`Sym` returns a Sym holding the expression's text, with
parentheses exactly where Python needs them and constants folded
(``1.0 * g`` is ``g``).  Calling a derivative rule ``vjp(m, g, out, *inputs)``
with Syms and ``m = SYMBOLIC`` writes the rule as a line of code: the jit
(:mod:`tinygrad_edu.codegen`) builds its source this way, and ``explain``
prints its steps with the same symbols.

>>> a, b = Sym.name('a'), Sym.name('b')
>>> print(a * (b - 1.0) / 2.0)
a * (b - 1.0) / 2.0
>>> from tinygrad_edu.ops import OPS
>>> OPS["sigmoid"].vjp(SYMBOLIC, Sym.name('g'), Sym.name('out'), Sym.name('u'))[0].text
'g * out * (1.0 - out)'

``SYMBOLIC`` answers every function a rule may use, as code that calls the
checked float function at run time (``sigmoid(u)``), inline code for the cheap
ones (``u if u > 0.0 else 0.0``), any registered op by its name (written out
through its forward) and the functions of :mod:`math` (``atan(x)``).
:func:`runtime_namespace` gives the functions the generated code calls.
"""

from __future__ import annotations

import functools
import math
import numbers
import types
from collections.abc import Callable
from typing import Any, SupportsFloat

from .i18n import N_, gettext as _
from .ops import FLOAT, Namespace

__all__ = ["Sym", "SYMBOLIC", "runtime_namespace", "RESERVED_NAMES"]

_INF = math.inf

# ---------------------------------------------------------------------------
# Symbols: numbers that write code.  Python's operator precedence, low to high.

_COND, _CMP, _SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 6, 12, 13, 14, 15, 16


class Sym:
    """A symbolic number: arithmetic on it returns a Sym holding the code.

    ``text`` is a Python expression, ``prec`` its operator precedence (so
    parentheses go exactly where Python needs them), ``const`` its value when
    known while the code is written (constants fold: ``1.0 * g`` is ``g``),
    ``names`` the variables it reads, and ``isfloat`` whether it is surely a
    float (an input may be an int; ``1.0 * x`` is then kept, so gradients stay
    floats).

    >>> a, b = Sym.name('a'), Sym.name('b')
    >>> print(a * (b - 1.0) / 2.0)
    a * (b - 1.0) / 2.0
    >>> print(1.0 * (a + 0.0 * 1.0))
    a
    """

    # scaled: (c, x) when this is the product of the constant c and the symbol x,
    # so that c2 * (c * x) can fold to (c2 * c) * x where that is exact.
    __slots__ = ("text", "prec", "const", "names", "isfloat", "scaled")
    text: str
    prec: int
    const: float | None
    names: tuple[str, ...]
    isfloat: bool
    scaled: tuple[float, Sym] | None

    def __init__(
        self,
        text: str,
        prec: int = _ATOM,
        names: tuple[str, ...] = (),
        isfloat: bool = True,
        const: float | None = None,
        scaled: tuple[float, Sym] | None = None,
    ) -> None:
        self.scaled = scaled
        self.text = text
        self.prec = prec
        self.names = names
        self.isfloat = isfloat
        self.const = const

    @staticmethod
    def name(name: str, isfloat: bool = True) -> Sym:
        """The Sym for a variable called ``name``."""
        return Sym(name, _ATOM, (name,), isfloat)

    @staticmethod
    def constant(x: SupportsFloat) -> Sym:
        """The Sym for the number ``x`` (written with ``repr``, which round-trips)."""
        x = float(x)
        text = repr(x)
        return Sym(text, _UNARY if text.startswith("-") else _ATOM, (), True, x)

    @property
    def is_atom(self) -> bool:
        """True for a bare variable or a constant: copying it costs nothing."""
        return self.const is not None or (len(self.names) == 1 and self.text == self.names[0])

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Sym({self.text!r})"

    def __add__(self, other: Sym | float) -> Sym:
        return _add(self, _lift(other))

    def __radd__(self, other: float) -> Sym:
        return _add(_lift(other), self)

    def __sub__(self, other: Sym | float) -> Sym:
        return _sub(self, _lift(other))

    def __rsub__(self, other: float) -> Sym:
        return _sub(_lift(other), self)

    def __mul__(self, other: Sym | float) -> Sym:
        return _mul(self, _lift(other))

    def __rmul__(self, other: float) -> Sym:
        return _mul(_lift(other), self)

    def __truediv__(self, other: Sym | float) -> Sym:
        return _div(self, _lift(other))

    def __rtruediv__(self, other: float) -> Sym:
        return _div(_lift(other), self)

    def __neg__(self) -> Sym:
        return _neg(self)

    def __pos__(self) -> Sym:
        return self

    def __bool__(self) -> bool:
        raise TypeError(
            _(
                "a traced number has no truth value while the code is written: "
                "a derivative rule must branch through m.step or m.sign, "
                "which become run-time branches"
            )
        )

    def __float__(self) -> float:
        raise TypeError(
            _("the symbol {text} has no value while the code is written").format(
                text=repr(self.text)
            )
        )


def _lift(x: object) -> Sym:
    if type(x) is Sym:
        return x
    if type(x) is float or isinstance(x, numbers.Real):
        return Sym.constant(x)
    raise TypeError(_("cannot combine a traced number with {type}").format(type=type(x).__name__))


def _folded(fn: Callable[..., object], *consts: object) -> Sym | None:
    """fn applied to constants now, or None if that raises or is not finite."""
    try:
        r = fn(*consts)
    except (ValueError, ArithmeticError):
        return None
    return Sym.constant(r) if type(r) is float and -_INF < r < _INF else None


def _wrap(s: Sym, prec: int) -> str:
    """s's text, in parentheses if it binds less tightly than prec needs."""
    return s.text if s.prec >= prec else f"({s.text})"


def _binary(a: Sym, b: Sym, symbol: str, prec: int, isfloat: bool) -> Sym:
    # Left-associative: the right operand needs parentheses at equal precedence,
    # because a - (b - c) and a * (b / c) are different float computations.
    return Sym(f"{_wrap(a, prec)} {symbol} {_wrap(b, prec + 1)}", prec, a.names + b.names, isfloat)


def _add(a: Sym, b: Sym) -> Sym:
    if a.const is not None and b.const is not None:
        folded = _folded(float.__add__, a.const, b.const)
        return folded if folded is not None else _binary(a, b, "+", _SUM, True)
    if b.const == 0.0 and a.isfloat:
        return a
    if a.const == 0.0 and b.isfloat:
        return b
    return _binary(a, b, "+", _SUM, a.isfloat or b.isfloat)


def _sub(a: Sym, b: Sym) -> Sym:
    if a.const is not None and b.const is not None:
        folded = _folded(float.__sub__, a.const, b.const)
        return folded if folded is not None else _binary(a, b, "-", _SUM, True)
    if b.const == 0.0 and a.isfloat:
        return a
    if a.const == 0.0 and b.isfloat:
        return _neg(b)
    return _binary(a, b, "-", _SUM, a.isfloat or b.isfloat)


def _mul(a: Sym, b: Sym) -> Sym:
    if a.const is not None and b.const is not None:
        folded = _folded(float.__mul__, a.const, b.const)
        return folded if folded is not None else _binary(a, b, "*", _PRODUCT, True)
    if b.const == 1.0 and a.isfloat:
        return a
    if a.const == 1.0 and b.isfloat:
        return b
    if b.const == -1.0 and a.isfloat:
        return _neg(a)
    if a.const == -1.0 and b.isfloat:
        return _neg(b)
    if a.const is not None and b.scaled is not None and _exact_scale(a.const, b.scaled[0]):
        return _mul(Sym.constant(a.const * b.scaled[0]), b.scaled[1])  # 0.5 * (2.0 * e) is e
    product = _binary(a, b, "*", _PRODUCT, a.isfloat or b.isfloat)
    if a.const is not None:
        product.scaled = (a.const, b)
    elif b.const is not None:
        product.scaled = (b.const, a)
    return product


def _exact_scale(c: float, k: float) -> bool:
    """True if c * (k * x) == (c * k) * x for every float x: both are powers of two
    and their product is a normal float (then scaling only moves the exponent)."""

    def power_of_two(v: float) -> bool:
        m = math.frexp(v)[0]
        return abs(m) == 0.5

    return power_of_two(c) and power_of_two(k) and 2.0**-1000 < abs(c * k) < 2.0**1000


def _div(a: Sym, b: Sym) -> Sym:
    if a.const is not None and b.const is not None:
        folded = _folded(float.__truediv__, a.const, b.const)
        return folded if folded is not None else _binary(a, b, "/", _PRODUCT, True)
    if b.const == 1.0 and a.isfloat:
        return a
    if b.const == -1.0 and a.isfloat:
        return _neg(a)
    return _binary(a, b, "/", _PRODUCT, True)  # true division: always a float


def _neg(a: Sym) -> Sym:
    if a.const is not None:
        return Sym.constant(-a.const)
    return Sym(f"-{_wrap(a, _ATOM)}", _UNARY, a.names, a.isfloat)


def _call(name: str, fn: Callable[..., object], *args: Sym, isfloat: bool = True) -> Sym:
    """``name(args)``: a call of one of FLOAT's checked functions in the generated code."""
    if all(a.const is not None for a in args):
        folded = _folded(fn, *(a.const for a in args))
        if folded is not None:
            return folded
    names = tuple(n for a in args for n in a.names)
    return Sym(f"{name}({', '.join(a.text for a in args)})", _ATOM, names, isfloat)


def _branch(
    x: Sym, text: str, float_fn: Callable[[float], float], prec: int = _ATOM, isfloat: bool = True
) -> Sym:
    """An inline conditional that reads x's sign at run time (x is read twice, so
    it must be an atom -- the rules only ever pass an op's input here)."""
    if x.const is not None:
        return Sym.constant(float_fn(x.const))
    return Sym(text.format(x=_wrap(x, _CMP + 1)), prec, x.names * 2, isfloat)


def _power(x: Sym, k: Sym | float) -> Sym:
    exponent = k.const if isinstance(k, Sym) else float(k)
    if exponent is None:
        raise TypeError(_("m.pow takes a plain-number exponent; use m.vpow for a traced one"))
    if x.const is not None:
        folded = _folded(FLOAT.pow, x.const, exponent)
        if folded is not None:
            return folded
    if exponent == int(exponent) and abs(exponent) < 2.0**53:
        # An integral exponent never makes a complex number, and Python's own
        # ** raises ZeroDivisionError / OverflowError as FLOAT.pow does.
        return Sym(f"{_wrap(x, _ATOM)} ** {Sym.constant(exponent).text}", _POWER, x.names, True)
    return _call("power", FLOAT.pow, x, Sym.constant(exponent))


#: The namespace ``m`` of the derivative rules, for symbols: each function
#: writes the code that calls the corresponding FLOAT function at run time
#: (``sigmoid(u)``), or inline code for the cheap ones (``u if u > 0.0 else 0.0``).
class _MathCalls:
    """m.atan and the like for symbols: a call of the math function in the code."""

    def __getattr__(self, name: str) -> Callable[..., Sym]:
        fn = getattr(math, name, None)
        if name.startswith("_") or not callable(fn):
            raise AttributeError(name)
        return lambda *args: _call(name, fn, *[_lift(a) for a in args])


SYMBOLIC: types.ModuleType = Namespace(
    N_("symbols"),
    lambda op: functools.partial(op.forward, SYMBOLIC),
    # Namespace only ever getattr()s its fallback; ops declares it a module (math, for FLOAT).
    _MathCalls(),  # type: ignore[arg-type]
    exp=lambda x: _call("exp", FLOAT.exp, x),
    log=lambda x: _call("log", FLOAT.log, x),
    sqrt=lambda x: _call("sqrt", FLOAT.sqrt, x),
    tanh=lambda x: _call("tanh", FLOAT.tanh, x),
    sigmoid=lambda x: _call("sigmoid", FLOAT.sigmoid, x),
    sin=lambda x: _call("sin", FLOAT.sin, x),
    cos=lambda x: _call("cos", FLOAT.cos, x),
    abs=lambda x: _call("abs", FLOAT.abs, x, isfloat=x.isfloat),
    relu=lambda x: _branch(x, "{x} if {x} > 0.0 else 0.0", FLOAT.relu, _COND, x.isfloat),
    step=lambda x: _branch(x, "(1.0 if {x} > 0.0 else 0.0)", FLOAT.step),
    sign=lambda x: _branch(x, "(1.0 if {x} > 0.0 else -1.0 if {x} < 0.0 else 0.0)", FLOAT.sign),
    pow=_power,
    vpow=lambda x, y: _call("power_v", FLOAT.vpow, x, y),
    div=lambda x, y: _div(x, y),
)

# The functions the generated code calls, by the names it calls them: the checked
# float functions, and the functions of math that a learner's op may use.
_RUNTIME = {
    "exp": FLOAT.exp,
    "log": FLOAT.log,
    "sqrt": FLOAT.sqrt,
    "tanh": FLOAT.tanh,
    "sigmoid": FLOAT.sigmoid,
    "sin": FLOAT.sin,
    "cos": FLOAT.cos,
    "abs": FLOAT.abs,
    "power": FLOAT.pow,
    "power_v": FLOAT.vpow,
}
_MATH = {name: fn for name, fn in vars(math).items() if not name.startswith("_") and callable(fn)}

#: Names the generated code may call: a variable must not take one of them.
RESERVED_NAMES = frozenset(_RUNTIME) | frozenset(_MATH)


def runtime_namespace() -> dict[str, Any]:
    """A fresh dict of the functions the generated code calls, by the names it calls them."""
    return {**_MATH, **_RUNTIME}
