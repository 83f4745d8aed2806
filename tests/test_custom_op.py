"""A learner defines an op once; every tool knows it."""

import math

import pytest
from hypothesis import given, settings

from tinygrad_edu import GradcheckError, Op, Value, grad, gradcheck, jit, register
from tinygrad_edu.explain import explain
from tinygrad_edu.ops import FLOAT, OPS
from tinygrad_edu.testing import safe_floats
from tinygrad_edu.viz import draw_dot

softplus = Op(
    "softplus",
    forward=lambda m, x: m.log(1.0 + m.exp(x)),
    vjp=lambda m, g, out, x: (g * m.sigmoid(x),),
)


def _softplus(x):
    return math.log1p(math.exp(x))


def test_the_arity_is_read_from_forward():
    assert softplus.arity == 1
    hypot = Op(
        "hypot2",
        lambda m, a, b: m.sqrt(a * a + b * b),
        lambda m, g, out, a, b: (g * a / out, g * b / out),
    )
    assert hypot.arity == 2
    assert hypot(Value(3.0), 4.0).data == 5.0


def test_on_values_it_is_recorded():
    x = Value(0.5, label="x")
    y = softplus(x)
    assert y.op == "softplus" and y.parents == (x,)
    y.backward()
    assert x.grad == pytest.approx(1 / (1 + math.exp(-0.5)))


def test_on_numbers_it_gives_a_number():
    assert softplus(2.0) == pytest.approx(_softplus(2.0))
    assert isinstance(softplus(2), float)


def test_on_numbers_domain_errors_name_the_op():
    log2 = Op(
        "log2",
        lambda m, x: m.log(x) / math.log(2.0),
        lambda m, g, out, x: (g / (x * math.log(2.0)),),
    )
    with pytest.raises(
        ValueError, match=r"^log2\(0\.0\): the logarithm is defined only for positive"
    ):
        log2(0.0)


@pytest.mark.parametrize(
    "bad, error", [("a", TypeError), (None, TypeError), (math.nan, ValueError)]
)
def test_bad_inputs_are_refused(bad, error):
    with pytest.raises(error, match="softplus"):
        softplus(bad)


def test_wrong_number_of_inputs():
    with pytest.raises(TypeError, match="softplus takes 1 input"):
        softplus(1.0, 2.0)


@settings(max_examples=30, deadline=None)
@given(x=safe_floats(-3.0, 3.0))
def test_gradients_to_second_order(x):
    assert gradcheck(softplus, x)
    assert gradcheck(grad(softplus), x)  # nested: the rule runs on Values
    sig = 1 / (1 + math.exp(-x))
    assert grad(grad(softplus))(x) == pytest.approx(sig * (1 - sig))


def test_gradcheck_catches_a_wrong_rule():
    wrong = Op(
        "softplus_wrong",
        forward=lambda m, x: m.log(1.0 + m.exp(x)),
        vjp=lambda m, g, out, x: (g * m.tanh(x),),
    )
    with pytest.raises(GradcheckError, match="mismatch"):
        gradcheck(wrong, 0.7)


def test_the_docstring_example_arctan():
    arctan = Op(
        "arctan",
        forward=lambda m, x: m.atan(x),
        vjp=lambda m, g, out, x: (g * (1.0 / (1.0 + x * x)),),
    )
    for x in (-2.0, 0.3, 1.7):
        assert gradcheck(arctan, x)
        assert grad(grad(arctan))(x) == pytest.approx(-2 * x / (1 + x * x) ** 2)


def test_explain_writes_the_rule_from_the_op():
    x = Value(0.5, label="x")
    y = softplus(x)
    y.label = "y"
    text = explain(y)
    assert "y = softplus(x)" in text
    assert "x.grad += y.grad * sigmoid(x.data)" in text


def test_formula_and_diagram_name_the_op():
    x = Value(0.5, label="x")
    y = softplus(x * 2.0)
    assert y.formula() == "softplus(x*2)"
    assert "label=softplus" in draw_dot(y).source.replace('"', "")


def test_the_jit_writes_the_op_as_code():
    f = jit(lambda x: softplus(x * 2.0), 0.5)
    assert "log(1.0 + exp(t1))" in f.source
    value, (dx,) = f(0.25)
    assert value == pytest.approx(_softplus(0.5))
    assert dx == pytest.approx(2.0 / (1 + math.exp(-0.5)))


def test_a_registered_op_is_a_function_of_m():
    cube = Op("cube_for_test", lambda m, x: x * x * x, lambda m, g, out, x: (g * 3.0 * x * x,))
    register(cube)
    try:
        assert OPS["cube_for_test"] is cube
        assert FLOAT.cube_for_test(2.0) == 8.0
        twice_cube = Op(
            "twice_cube_for_test",
            lambda m, x: 2.0 * m.cube_for_test(x),
            lambda m, g, out, x: (g * 6.0 * x * x,),
        )
        assert twice_cube(Value(2.0)).data == 16.0
        with pytest.raises(ValueError, match="already registered"):
            register(Op("cube_for_test", lambda m, x: x, lambda m, g, out, x: (g,)))
    finally:
        del OPS["cube_for_test"]


def test_bad_definitions_are_refused_clearly():
    with pytest.raises(ValueError, match="identifier"):
        Op("soft plus", lambda m, x: x, lambda m, g, out, x: (g,))
    with pytest.raises(TypeError, match="forward and vjp must be functions"):
        Op("f", None, lambda m, g, out, x: (g,))
    with pytest.raises(ValueError, match="1 or 2 inputs"):
        Op("f3", lambda m, a, b, c: a, lambda m, g, out, a, b, c: (g, g, g))
    with pytest.raises(AttributeError, match="no function or registered op called 'nosuch'"):
        Op("f4", lambda m, x: m.nosuch(x), lambda m, g, out, x: (g,))(1.0)


def test_an_op_built_on_a_math_function_compiles_and_explains():
    arctan = Op(
        "arctan",
        forward=lambda m, x: m.atan(x),
        vjp=lambda m, g, out, x: (g * (1.0 / (1.0 + x * x)),),
    )
    f = jit(lambda x: arctan(x * x), 0.5)
    assert "atan(t1)" in f.source
    value, (dx,) = f(0.7)
    assert value == pytest.approx(math.atan(0.49))
    assert dx == pytest.approx(2 * 0.7 / (1 + 0.49**2))
    x = Value(0.7, label="x")
    y = arctan(x)
    y.label = "y"
    assert "x.grad += y.grad * (1.0 / (1.0 + x.data * x.data))" in explain(y)


def test_a_registered_op_used_inside_another_rule_compiles():
    register(
        Op(
            "softplus_r",
            forward=lambda m, x: m.log(1.0 + m.exp(x)),
            vjp=lambda m, g, out, x: (g * m.sigmoid(x),),
        )
    )
    try:
        twice = Op(
            "twice_softplus",
            forward=lambda m, x: 2.0 * m.softplus_r(x),
            vjp=lambda m, g, out, x: (g * 2.0 * m.sigmoid(x),),
        )
        f = jit(lambda x: twice(x), 0.3)
        value, (dx,) = f(0.3)
        assert value == pytest.approx(2 * _softplus(0.3))
        assert dx == pytest.approx(2 / (1 + math.exp(-0.3)))
        assert grad(grad(twice))(0.3) == pytest.approx(
            2 * (1 / (1 + math.exp(-0.3))) * (1 - 1 / (1 + math.exp(-0.3)))
        )
    finally:
        del OPS["softplus_r"]


def test_an_op_named_after_the_math_function_it_uses():
    sinh = register(Op("sinh", lambda m, x: m.sinh(x), lambda m, g, out, x: (g * m.cosh(x),)))
    try:
        assert sinh(1.0) == pytest.approx(math.sinh(1.0))
        assert sinh(Value(1.0)).data == pytest.approx(math.sinh(1.0))
        assert grad(sinh)(0.5) == pytest.approx(math.cosh(0.5))
    finally:
        del OPS["sinh"]


@pytest.mark.parametrize("name", ["step", "sign", "pow", "div", "identity", "power"])
def test_the_engines_own_names_cannot_be_registered(name):
    with pytest.raises(ValueError, match="choose another name"):
        register(Op(name, lambda m, x: x, lambda m, g, out, x: (g,)))


def test_infix_and_param_are_checked():
    with pytest.raises(ValueError, match="infix must be one of"):
        Op("matmul", lambda m, a, b: a * b, lambda m, g, out, a, b: (g * b, g * a), infix="@")
    with pytest.raises(ValueError, match="param is the constant exponent"):
        Op("scaled", lambda m, a: a * 3.0, lambda m, g, out, a: (g * 3.0,), param=3.0)
