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

import functools
import math
from types import SimpleNamespace

__all__ = ["Op", "FLOAT", "OPS", "power_by"]


class Op:
    """One differentiable operation: its name, its forward and its local derivative.

    ``infix`` is the operator symbol for binary arithmetic (``'+'``) and ``None``
    for functions written ``name(x)``.  ``param`` holds a constant that belongs
    to the op itself (the exponent of ``x ** 3``).
    """

    __slots__ = ("name", "forward", "vjp", "arity", "infix", "param")

    def __init__(self, name, forward, vjp, arity, infix=None, param=None):
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.arity = arity
        self.infix = infix
        self.param = param

    def __repr__(self):
        return f"Op({self.name!r})"


# ---------------------------------------------------------------------------
# Elementary functions on floats.  They check their domain first, so a learner
# reads "log(0.0): the logarithm is defined only for positive numbers" rather
# than Python's bare "math domain error".  Each message is ``name(operands): why``;
# the error also keeps the ``why`` alone as ``.reason``, so the engine can name
# the operands by their labels without repeating the op.

def _fmt(x):
    return repr(float(x))


def _domain_error(error, name, operands, reason):
    """``error("name(operands): reason")``, with ``.reason`` set."""
    err = error(f"{name}({', '.join(_fmt(x) for x in operands)}): {reason}")
    err.reason = reason
    return err


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        raise _domain_error(OverflowError, "exp", (x,), "the result overflows a float "
                            "(the largest float is about e ** 709.78)") from None


def _log(x):
    if x <= 0.0:
        raise _domain_error(ValueError, "log", (x,), "the logarithm is defined only for positive numbers")
    return math.log(x)


def _sqrt(x):
    if x < 0.0:
        raise _domain_error(ValueError, "sqrt", (x,), "the square root is defined only for numbers >= 0")
    return math.sqrt(x)


def _sigmoid(x):
    # Two forms so that exp never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _pow(x, k):
    """x ** k for a plain-number exponent k."""
    if x == 0.0 and k < 0:
        raise _domain_error(ZeroDivisionError, "pow", (x, k), "0.0 cannot be raised to a negative power")
    if x < 0.0 and k != int(k):
        raise _domain_error(ValueError, "pow", (x, k),
                            "a negative base to a non-integer power is not a real number")
    try:
        return x ** k
    except OverflowError:
        raise _domain_error(OverflowError, "pow", (x, k), "the result overflows a float") from None


def _vpow(x, y):
    """x ** y where the exponent y is itself differentiable: needs x > 0 (d/dy = out * log x)."""
    if x <= 0.0:
        raise _domain_error(
            ValueError, "pow", (x, y),
            "with a Value exponent the base must be positive (the derivative with respect to "
            "the exponent needs log(base)); use a plain-number exponent for x ** 2 and the like")
    return _pow(x, y)


def _div(x, y):
    if y == 0.0:
        raise _domain_error(ZeroDivisionError, "div", (x, y), "division by zero")
    return x / y


FLOAT = SimpleNamespace(
    exp=_exp, log=_log, sqrt=_sqrt, tanh=math.tanh, sigmoid=_sigmoid,
    relu=lambda x: x if x > 0.0 else 0.0,
    sin=math.sin, cos=math.cos, abs=abs,
    pow=_pow, vpow=_vpow, div=_div,
    step=lambda x: 1.0 if x > 0.0 else 0.0,            # d relu / dx
    sign=lambda x: (x > 0.0) - (x < 0.0) + 0.0,      # d |x| / dx (0 at the kink)
)
FLOAT.__doc__ = "Elementary functions on plain floats, with domain checks."


# ---------------------------------------------------------------------------
# The table.  Read each pair of lines as "forward; local derivative".

ADD = Op("add", lambda m, a, b: a + b,
         lambda m, g, out, a, b: (g, g), 2, infix="+")
SUB = Op("sub", lambda m, a, b: a - b,
         lambda m, g, out, a, b: (g, -g), 2, infix="-")
MUL = Op("mul", lambda m, a, b: a * b,
         lambda m, g, out, a, b: (g * b, g * a), 2, infix="*")
DIV = Op("div", lambda m, a, b: m.div(a, b),
         lambda m, g, out, a, b: (g / b, -g * out / b), 2, infix="/")
POW = Op("pow", lambda m, a, b: m.vpow(a, b),            # a ** b, both Values, a > 0
         lambda m, g, out, a, b: (g * b * out / a, g * out * m.log(a)), 2, infix="**")
NEG = Op("neg", lambda m, a: -a,
         lambda m, g, out, a: (-g,), 1)
EXP = Op("exp", lambda m, a: m.exp(a),
         lambda m, g, out, a: (g * out,), 1)
LOG = Op("log", lambda m, a: m.log(a),
         lambda m, g, out, a: (g / a,), 1)
SQRT = Op("sqrt", lambda m, a: m.sqrt(a),
          lambda m, g, out, a: (g * 0.5 / out,), 1)
TANH = Op("tanh", lambda m, a: m.tanh(a),
          lambda m, g, out, a: (g * (1.0 - out * out),), 1)
SIGMOID = Op("sigmoid", lambda m, a: m.sigmoid(a),
             lambda m, g, out, a: (g * out * (1.0 - out),), 1)
RELU = Op("relu", lambda m, a: m.relu(a),
          lambda m, g, out, a: (g * m.step(a),), 1)
SIN = Op("sin", lambda m, a: m.sin(a),
         lambda m, g, out, a: (g * m.cos(a),), 1)
COS = Op("cos", lambda m, a: m.cos(a),
         lambda m, g, out, a: (-g * m.sin(a),), 1)
ABS = Op("abs", lambda m, a: m.abs(a),
         lambda m, g, out, a: (g * m.sign(a),), 1)


def power_by(k):
    """The op ``x ** k`` for a plain-number exponent ``k`` (d/dx = k * x ** (k - 1)).

    One Op per exponent, made once and reused (``x ** 2`` runs in every loss).

    >>> power_by(3).vjp(FLOAT, 1.0, 8.0, 2.0)
    (12.0,)
    >>> power_by(2) is power_by(2.0)
    True
    """
    return _power_op(float(k))


@functools.lru_cache(maxsize=256)
def _power_op(k):
    if k == 2.0:  # the most common power reads (and runs) best as a product
        vjp = lambda m, g, out, a: (g * 2.0 * a,)  # noqa: E731
    elif k == 0.0:  # x ** 0 is the constant 1; k * x ** -1 would divide by zero at x = 0
        vjp = lambda m, g, out, a: (g * 0.0,)  # noqa: E731
    else:
        vjp = lambda m, g, out, a: (g * k * m.pow(a, k - 1.0),)  # noqa: E731
    return Op("pow", lambda m, a: m.pow(a, k), vjp, 1, infix="**", param=k)


#: The ops by name, for parsers and tools that look an op up by what it is called.
OPS = {op.name: op for op in (ADD, SUB, MUL, DIV, POW, NEG, EXP, LOG, SQRT, TANH,
                              SIGMOID, RELU, SIN, COS, ABS)}
