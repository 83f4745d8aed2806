"""The derivative rules: one table, each op's forward and local derivative together.

Every op is written once, as two small functions of plain arithmetic:

* ``forward(m, *inputs)`` computes the op's output;
* ``vjp(m, g, out, *inputs)`` takes the upstream gradient ``g`` (how much the
  final result changes per unit change of this op's output), the op's output
  ``out`` and its inputs, and returns one gradient per input: upstream gradient
  times local derivative -- the chain rule, one node at a time.

Anything beyond ``+ - * /`` goes through the namespace ``m`` (``m.exp``,
``m.cos``, ``m.step`` ...).  That keeps one calculus with three uses:

* ``m = FLOAT`` and float arguments: the fast backward pass;
* ``m = VALUE`` (defined in :mod:`tinygrad_edu.engine`) and Value arguments:
  the backward pass is itself recorded as a graph, which gives higher-order
  derivatives (``backward(create_graph=True)``);
* symbols that print themselves: the jit writes the backward pass as source.

>>> MUL.vjp(FLOAT, 1.0, 6.0, 2.0, 3.0)   # d(a*b)/da = b, d(a*b)/db = a
(3.0, 2.0)
>>> SIGMOID.vjp(FLOAT, 1.0, 0.5, 0.0)   # sigmoid'(u) = out * (1 - out)
(0.25,)
>>> FLOAT.log(0.0)
Traceback (most recent call last):
...
ValueError: log(0.0): the logarithm is defined only for positive numbers
"""

from __future__ import annotations

import functools
import inspect
import math
import types
from collections.abc import Callable, Iterable
from typing import Any

from .i18n import N_, gettext as _

__all__ = ["Op", "FLOAT", "OPS", "register", "power_by"]


class Op:
    """One differentiable operation: its name, its forward and its local derivative.

    ``Op(name, forward, vjp)`` is all a new op needs:

    * ``forward(m, *inputs)`` computes the output from plain numbers;
    * ``vjp(m, g, out, *inputs)`` returns, for each input, the upstream
      gradient ``g`` times the local derivative d out / d input.

    Write both with ``+ - * /`` and the functions of ``m`` (``m.exp``,
    ``m.log``, ``m.sigmoid`` ... and any registered op by its name), and the
    one definition serves everywhere: the float backward pass,
    ``backward(create_graph=True)`` and nested :func:`~tinygrad_edu.grad`,
    the jit's generated code, ``explain``, ``formula`` and the diagrams.  An
    op is called like a function, on Values (recorded) or on plain numbers:

    >>> from tinygrad_edu import Op, Value, gradcheck
    >>> arctan = Op("arctan", forward=lambda m, x: m.atan(x),
    ...             vjp=lambda m, g, out, x: (g * (1.0 / (1.0 + x * x)),))
    >>> x = Value(1.0, label="x")
    >>> y = arctan(x); y.backward()
    >>> round(y.data, 6), x.grad          # atan(1) = pi/4, d/dx = 1 / (1 + x**2)
    (0.785398, 0.5)
    >>> round(arctan(0.0), 6)             # a plain number in, a plain number out
    0.0
    >>> gradcheck(lambda x: arctan(x * x), 0.7)
    True

    The rest describes the op for the tools: ``arity`` (read from
    ``forward``'s parameters when not given), ``infix`` (the operator symbol,
    ``'+'``, for binary arithmetic; ``None`` for a function written
    ``name(x)``), ``param`` (a constant that belongs to the op, the exponent
    of ``x ** 3``), ``kinks`` (inputs where the derivative jumps: finite
    differences do not agree there) and ``activation`` (a neuron's
    nonlinearity: the gradient it passes back is the textbook's delta).
    """

    __slots__ = ("name", "forward", "vjp", "arity", "infix", "param", "kinks", "activation")

    name: str
    forward: Callable[..., Any]
    vjp: Callable[..., Any]
    arity: int
    infix: str | None
    param: float | None
    kinks: tuple[float, ...]
    activation: bool

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjp: Callable[..., Any],
        arity: int | None = None,
        *,
        infix: str | None = None,
        param: float | None = None,
        kinks: Iterable[float] = (),
        activation: bool = False,
    ) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                _("Op name must be an identifier such as 'softplus', got {name}").format(
                    name=repr(name)
                )
            )
        if not callable(forward) or not callable(vjp):
            raise TypeError(
                _(
                    "Op {name}: forward and vjp must be functions "
                    "(forward(m, *inputs) and vjp(m, g, out, *inputs))"
                ).format(name=repr(name))
            )
        if arity is None:
            arity = _count_inputs(name, forward)
        if arity not in (1, 2):
            raise ValueError(
                _("Op {name}: an op takes 1 or 2 inputs, not {arity}").format(
                    name=repr(name), arity=arity
                )
            )
        if infix is not None and infix not in _INFIX_SYMBOLS:
            raise ValueError(
                _(
                    "Op {name}: infix must be one of {symbols} "
                    "(or None for a function written {function}(x)), got {infix}"
                ).format(
                    name=repr(name),
                    symbols=", ".join(_INFIX_SYMBOLS),
                    function=name,
                    infix=repr(infix),
                )
            )
        if param is not None and infix != "**":
            raise ValueError(
                _("Op {name}: param is the constant exponent of a power (infix='**')").format(
                    name=repr(name)
                )
            )
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.arity = arity
        self.infix = infix
        self.param = param
        self.kinks = tuple(float(k) for k in kinks)
        self.activation = bool(activation)

    def __call__(self, *inputs: Any) -> Any:
        """Apply the op: recorded on Values, computed (with domain checks) on numbers."""
        if len(inputs) != self.arity:
            raise TypeError(
                _("{name} takes {arity} input(s), got {count}").format(
                    name=self.name, arity=self.arity, count=len(inputs)
                )
            )
        return _applier(self, *inputs)

    @property
    def symbol(self) -> str:
        """How the op is written: its infix symbol, or its name for a function."""
        return self.infix or self.name

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


def _applier(op: Op, *inputs: Any) -> Any:
    raise RuntimeError(_("the engine is not loaded: import tinygrad_edu first"))


def set_applier(apply: Callable[..., Any]) -> None:
    """Called once by :mod:`tinygrad_edu.engine`, which sits above this table: how
    ``op(*inputs)`` records on Values (the table itself knows nothing of Values)."""
    global _applier
    _applier = apply


_INFIX_SYMBOLS = ("+", "-", "*", "/", "**")


def _count_inputs(name: str, forward: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(
            _("Op {name}: cannot read forward's parameters; pass arity=").format(name=repr(name))
        ) from None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        raise TypeError(
            _("Op {name}: forward takes *args; pass arity=1 or arity=2").format(name=repr(name))
        )
    return len([p for p in params if p.default is p.empty]) - 1  # minus m


# ---------------------------------------------------------------------------
# Elementary functions on floats.  They check their domain first, so a learner
# reads "log(0.0): the logarithm is defined only for positive numbers" rather
# than Python's bare "math domain error".  Each message is ``name(operands): why``;
# the error also keeps the ``why`` alone as ``.reason``, so the engine can name
# the operands by their labels without repeating the op.


def _fmt(x: float) -> str:
    return repr(float(x))


def _domain_error(
    error: type[Exception], name: str, operands: Iterable[float], reason: str
) -> Exception:
    """``error("name(operands): reason")``, with ``.reason`` set."""
    err = error(f"{name}({', '.join(_fmt(x) for x in operands)}): {reason}")
    err.reason = reason  # type: ignore[attr-defined]
    return err


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise _domain_error(
            OverflowError,
            "exp",
            (x,),
            _("the result overflows a float (the largest float is about e ** 709.78)"),
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise _domain_error(
            ValueError, "log", (x,), _("the logarithm is defined only for positive numbers")
        )
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise _domain_error(
            ValueError, "sqrt", (x,), _("the square root is defined only for numbers >= 0")
        )
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _pow(x: float, k: float) -> float:
    """x ** k for a plain-number exponent k."""
    if not -math.inf < x < math.inf:  # inf ** -1 would quietly be 0
        raise _domain_error(ValueError, "pow", (x, k), _("the base is not a finite number"))
    if x == 0.0 and k < 0:
        raise _domain_error(
            ZeroDivisionError, "pow", (x, k), _("0.0 cannot be raised to a negative power")
        )
    if x < 0.0 and k != int(k):
        raise _domain_error(
            ValueError,
            "pow",
            (x, k),
            _("a negative base to a non-integer power is not a real number"),
        )
    try:
        return x**k  # type: ignore[no-any-return]  # a float: the checks above rule out complex
    except OverflowError:
        raise _domain_error(
            OverflowError, "pow", (x, k), _("the result overflows a float")
        ) from None


def _vpow(x: float, y: float) -> float:
    """x ** y where the exponent y is itself differentiable: needs x > 0 (d/dy = out * log x)."""
    if not -math.inf < y < math.inf:  # 0.5 ** inf would quietly be 0
        raise _domain_error(ValueError, "pow", (x, y), _("the exponent is not a finite number"))
    if x <= 0.0:
        raise _domain_error(
            ValueError,
            "pow",
            (x, y),
            _(
                "with a Value exponent the base must be positive (the derivative with respect to "
                "the exponent needs log(base)); use a plain-number exponent for x ** 2 and the like"
            ),
        )
    return _pow(x, y)


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise _domain_error(ZeroDivisionError, "div", (x, y), _("division by zero"))
    if not -math.inf < y < math.inf:  # x / inf would quietly be 0
        raise _domain_error(ValueError, "div", (x, y), _("division by a number that is not finite"))
    return x / y


def Namespace(
    kind: str,
    of_op: Callable[[Op], Callable[..., Any]],
    fallback: types.ModuleType | None = None,
    **functions: Callable[..., Any],
) -> types.ModuleType:  # noqa: N802 - it makes namespaces
    """The ``m`` a rule is written with: elementary functions of one kind of number.

    ``FLOAT`` is the namespace of plain floats.  Besides the functions it is
    made with, it answers every registered op by name (``m.softplus(x)``
    runs that op's forward) and, for floats, the functions of :mod:`math`
    (``m.atan``), so a learner's rule can use any of them.

    It is a module object: a module looks a name up in its own dict first and
    asks its ``__getattr__`` only on a miss, so the functions every rule calls
    (``m.exp``, ``m.step``) cost a plain lookup (a class with ``__getattr__``
    would slow every lookup).
    """
    ns = types.ModuleType(f"m[{kind}]", f"The functions of the rules' m for {kind}.")
    ns.__dict__.update(functions)

    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        # Looked up each time (not cached), so the namespace lists only the functions
        # it was made with, and an op registered later is found.  The fallback (math)
        # comes first: an op named after the math function it is built on ("atan",
        # forward m.atan(x)) must not call itself.
        if fallback is not None and callable(getattr(fallback, name, None)):
            return getattr(fallback, name)
        op = OPS.get(name)
        if op is not None:
            return of_op(op)
        raise AttributeError(
            _(
                "m.{name}: no function or registered op called {quoted} for {kind}; "
                "register an Op named {quoted} to use it in rules"
            ).format(name=name, quoted=repr(name), kind=_(kind))
        )

    ns.__getattr__ = __getattr__  # type: ignore[method-assign]
    return ns


FLOAT: types.ModuleType = Namespace(
    N_("plain floats"),
    lambda op: functools.partial(op.forward, FLOAT),
    math,
    exp=_exp,
    log=_log,
    sqrt=_sqrt,
    tanh=math.tanh,
    sigmoid=_sigmoid,
    relu=lambda x: x if x > 0.0 else 0.0,
    sin=math.sin,
    cos=math.cos,
    abs=abs,
    pow=_pow,
    vpow=_vpow,
    div=_div,
    step=lambda x: 1.0 if x > 0.0 else 0.0,  # d relu / dx
    sign=lambda x: (x > 0.0) - (x < 0.0) + 0.0,  # d |x| / dx (0 at the kink)
)


# ---------------------------------------------------------------------------
# The table.  Read each pair of lines as "forward; upstream gradient x local
# derivative".  The local derivative is computed first and then scaled by g,
# so that a large upstream gradient does not overflow an intermediate product
# when the answer itself is finite.

#: The ops by name, for parsers and tools that look an op up by what it is called.
OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add ``op`` to :data:`OPS` under its name (the CLI, the namespaces ``m`` and the
    tools find it there) and return it.  A name already taken by another op is refused."""
    if not isinstance(op, Op):
        raise TypeError(_("register takes an Op, got {type}").format(type=type(op).__name__))
    if op.name in _RESERVED_NAMES:
        raise ValueError(
            _(
                "{name} names one of the engine's own functions of m or ops; "
                "choose another name for the op"
            ).format(name=repr(op.name))
        )
    other = OPS.get(op.name)
    if other is not None and other is not op:
        raise ValueError(
            _("an op named {name} is already registered; choose another name").format(
                name=repr(op.name)
            )
        )
    OPS[op.name] = op
    return op


# Names a new op may not take: the helpers of m, and the ops the engine makes itself.
_RESERVED_NAMES = frozenset({"pow", "vpow", "div", "step", "sign", "identity", "power"})


def _builtin(op: Op) -> Op:
    OPS[op.name] = op
    return op


ADD = _builtin(Op("add", lambda m, a, b: a + b, lambda m, g, out, a, b: (g, g), infix="+"))
SUB = _builtin(Op("sub", lambda m, a, b: a - b, lambda m, g, out, a, b: (g, -g), infix="-"))
MUL = _builtin(Op("mul", lambda m, a, b: a * b, lambda m, g, out, a, b: (g * b, g * a), infix="*"))
DIV = _builtin(
    Op(
        "div",
        lambda m, a, b: m.div(a, b),
        lambda m, g, out, a, b: (g / b, g * (-out / b)),
        infix="/",
    )
)
POW = _builtin(
    Op(
        "pow",
        lambda m, a, b: m.vpow(a, b),  # a ** b, both Values, a > 0
        lambda m, g, out, a, b: (g * (b * (out / a)), g * (out * m.log(a))),
        infix="**",
    )
)
NEG = _builtin(Op("neg", lambda m, a: -a, lambda m, g, out, a: (-g,)))
EXP = _builtin(Op("exp", lambda m, a: m.exp(a), lambda m, g, out, a: (g * out,)))
LOG = _builtin(Op("log", lambda m, a: m.log(a), lambda m, g, out, a: (g / a,)))
SQRT = _builtin(Op("sqrt", lambda m, a: m.sqrt(a), lambda m, g, out, a: (g * 0.5 / out,)))
TANH = _builtin(
    Op(
        "tanh",
        lambda m, a: m.tanh(a),
        lambda m, g, out, a: (g * (1.0 - out * out),),
        activation=True,
    )
)
SIGMOID = _builtin(
    Op(
        "sigmoid",
        lambda m, a: m.sigmoid(a),
        lambda m, g, out, a: (g * out * (1.0 - out),),
        activation=True,
    )
)
RELU = _builtin(
    Op(
        "relu",
        lambda m, a: m.relu(a),
        lambda m, g, out, a: (g * m.step(a),),
        kinks=(0.0,),
        activation=True,
    )
)
SIN = _builtin(Op("sin", lambda m, a: m.sin(a), lambda m, g, out, a: (g * m.cos(a),)))
COS = _builtin(Op("cos", lambda m, a: m.cos(a), lambda m, g, out, a: (-g * m.sin(a),)))
ABS = _builtin(
    Op("abs", lambda m, a: m.abs(a), lambda m, g, out, a: (g * m.sign(a),), kinks=(0.0,))
)

#: Not in OPS: the node that makes a fresh variable of a Value for one grad() call.
IDENTITY = Op("identity", lambda m, a: a, lambda m, g, out, a: (g,))


def power_by(k: float) -> Op:
    """The op ``x ** k`` for a plain-number exponent ``k`` (d/dx = k * x ** (k - 1)).

    Its name is ``'power'``; ``'pow'`` is ``x ** y`` with a Value exponent.
    One Op per exponent, made once and reused (``x ** 2`` runs in every loss).

    >>> power_by(3).vjp(FLOAT, 1.0, 8.0, 2.0)
    (12.0,)
    >>> power_by(2) is power_by(2.0)
    True
    """
    return _power_op(float(k))


@functools.lru_cache(maxsize=256)
def _power_op(k: float) -> Op:
    if k == 2.0:  # the most common power reads (and runs) best as a product
        vjp = lambda m, g, out, a: (g * (2.0 * a),)  # noqa: E731
    elif k == 0.0:  # x ** 0 is the constant 1; k * x ** -1 would divide by zero at x = 0
        vjp = lambda m, g, out, a: (g * 0.0,)  # noqa: E731
    else:
        vjp = lambda m, g, out, a: (g * (k * m.pow(a, k - 1.0)),)  # noqa: E731
    return Op("power", lambda m, a: m.pow(a, k), vjp, 1, infix="**", param=k)
