"""Every op against a plain-float reference and against finite differences.

One table pairs each way of using an op on Values with the same math written on
floats, and with the inputs' safe domain: away from log(0), from division by 0
and from the kinks of relu and abs at 0, where finite differences are wrong.
"""

import math
import operator

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import Value, grad, gradcheck, numerical_grad
from tinygrad_edu.ops import FLOAT, OPS, power_by
from tinygrad_edu.testing import safe_floats

REALS = safe_floats(-4.0, 4.0)
SMALL = safe_floats(-2.0, 2.0)  # where exp and powers stay moderate
POSITIVE = safe_floats(0.05, 5.0)
AWAY_FROM_ZERO = st.one_of(safe_floats(-4.0, -0.01), safe_floats(0.01, 4.0))


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# (label, op name recorded, on Values, plain-float reference, domain of each input)
UNARY = [
    ("neg", "neg", lambda x: -x, lambda x: -x, REALS),
    ("exp", "exp", lambda x: x.exp(), math.exp, REALS),
    ("log", "log", lambda x: x.log(), math.log, POSITIVE),
    ("sqrt", "sqrt", lambda x: x.sqrt(), math.sqrt, POSITIVE),
    ("tanh", "tanh", lambda x: x.tanh(), math.tanh, REALS),
    ("sigmoid", "sigmoid", lambda x: x.sigmoid(), _sigmoid, REALS),
    ("relu", "relu", lambda x: x.relu(), lambda x: max(x, 0.0), AWAY_FROM_ZERO),
    ("sin", "sin", lambda x: x.sin(), math.sin, REALS),
    ("cos", "cos", lambda x: x.cos(), math.cos, REALS),
    ("abs method", "abs", lambda x: x.abs(), abs, AWAY_FROM_ZERO),
    ("abs()", "abs", lambda x: abs(x), abs, AWAY_FROM_ZERO),
    ("x ** 2", "power", lambda x: x**2, lambda x: x * x, REALS),
    ("x ** 3", "power", lambda x: x**3, lambda x: x * x * x, REALS),
    ("x ** 0", "power", lambda x: x**0, lambda x: 1.0, REALS),
    ("x ** 1", "power", lambda x: x**1, lambda x: x, REALS),
    ("x ** -1", "power", lambda x: x**-1, lambda x: 1.0 / x, AWAY_FROM_ZERO),
    ("x ** 0.5", "power", lambda x: x**0.5, math.sqrt, POSITIVE),
    ("x ** -2.5", "power", lambda x: x**-2.5, lambda x: 1.0 / (x * x * math.sqrt(x)), POSITIVE),
    ("x + 2.5", "add", lambda x: x + 2.5, lambda x: x + 2.5, REALS),
    ("2.5 + x", "add", lambda x: 2.5 + x, lambda x: 2.5 + x, REALS),
    ("x - 1.5", "sub", lambda x: x - 1.5, lambda x: x - 1.5, REALS),
    ("1.5 - x", "sub", lambda x: 1.5 - x, lambda x: 1.5 - x, REALS),
    ("x * -2", "mul", lambda x: x * -2, lambda x: x * -2.0, REALS),
    ("-2 * x", "mul", lambda x: -2 * x, lambda x: -2.0 * x, REALS),
    ("x / 4", "div", lambda x: x / 4, lambda x: x / 4.0, REALS),
    ("3 / x", "div", lambda x: 3 / x, lambda x: 3.0 / x, AWAY_FROM_ZERO),
    ("2 ** x", "pow", lambda x: 2**x, lambda x: 2.0**x, REALS),
]

BINARY = [
    ("a + b", "add", operator.add, operator.add, (REALS, REALS)),
    ("a - b", "sub", operator.sub, operator.sub, (REALS, REALS)),
    ("a * b", "mul", operator.mul, operator.mul, (REALS, REALS)),
    ("a / b", "div", operator.truediv, operator.truediv, (REALS, AWAY_FROM_ZERO)),
    ("a ** b", "pow", operator.pow, math.pow, (POSITIVE, SMALL)),
]


def _ids(table):
    return [row[0] for row in table]


def test_the_table_covers_every_op():
    # x ** k ("power") is one op per exponent, made on demand, so not in the registry.
    assert {row[1] for row in UNARY + BINARY} == set(OPS) | {"power"}


@pytest.mark.parametrize("label, op, on_values, reference, domain", UNARY, ids=_ids(UNARY))
@given(data=st.data())
def test_unary_forward_matches_the_float_reference(label, op, on_values, reference, domain, data):
    x = data.draw(domain, label="x")
    out = on_values(Value(x))
    assert out.op == op
    assert type(out.data) is float
    assert out.data == pytest.approx(reference(x), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("label, op, on_values, reference, domain", UNARY, ids=_ids(UNARY))
@given(data=st.data())
def test_unary_gradient_matches_finite_differences(label, op, on_values, reference, domain, data):
    x = data.draw(domain, label="x")
    assert gradcheck(on_values, x)
    # ... and the finite differences of the float reference agree with the engine's derivative
    (numeric,) = numerical_grad(lambda v: reference(v.data), x)
    assert grad(on_values)(x) == pytest.approx(numeric, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("label, op, on_values, reference, domain", UNARY, ids=_ids(UNARY))
@given(data=st.data())
def test_unary_second_derivative_matches_finite_differences_of_the_first(
    label, op, on_values, reference, domain, data
):
    x = data.draw(domain, label="x")
    assert gradcheck(grad(on_values), x)


@pytest.mark.parametrize("label, op, on_values, reference, domains", BINARY, ids=_ids(BINARY))
@given(data=st.data())
def test_binary_forward_matches_the_float_reference(label, op, on_values, reference, domains, data):
    a = data.draw(domains[0], label="a")
    b = data.draw(domains[1], label="b")
    out = on_values(Value(a), Value(b))
    assert out.op == op and len(out.parents) == 2
    assert out.data == pytest.approx(reference(a, b), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("label, op, on_values, reference, domains", BINARY, ids=_ids(BINARY))
@given(data=st.data())
def test_binary_gradients_match_finite_differences(label, op, on_values, reference, domains, data):
    a = data.draw(domains[0], label="a")
    b = data.draw(domains[1], label="b")
    assert gradcheck(on_values, a, b)
    for i in (0, 1):  # second derivatives: d/da and d/db of each first derivative
        assert gradcheck(grad(on_values, argnums=i), a, b)


@pytest.mark.parametrize("label, op, on_values, reference, domains", BINARY, ids=_ids(BINARY))
def test_binary_ops_with_the_same_value_on_both_sides(label, op, on_values, reference, domains):
    # a + a, a * a ...: two edges to one node, both gradients added.
    x = 1.7
    assert gradcheck(lambda v: on_values(v, v), x)


def test_every_op_in_the_table_has_a_float_vjp_of_the_right_arity():
    for name, op in OPS.items():
        args = [0.7] * op.arity
        out = op.forward(FLOAT, *args)
        grads = op.vjp(FLOAT, 1.0, out, *args)
        assert op.name == name and len(grads) == op.arity
        assert all(isinstance(g, float) for g in grads)


def test_power_by_keeps_its_exponent():
    op = power_by(3)
    assert op.param == 3.0 and op.name == "power" and op.arity == 1 and op.infix == "**"
    assert op.vjp(FLOAT, 1.0, 8.0, 2.0) == (12.0,)


def test_relu_and_abs_at_the_kink_use_zero_slope():
    for f in (lambda x: x.relu(), lambda x: abs(x)):
        assert grad(f)(0.0) == 0.0
