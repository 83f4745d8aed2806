"""grad and value_and_grad: plain-number results, argnums, nesting, no side effects."""

import math

import pytest
from hypothesis import given

from tinygrad_edu import Value, grad, gradcheck, no_grad, numerical_grad, value_and_grad
from tinygrad_edu.testing import safe_floats


def f(x):
    return x**4 - 2 * x**2


def test_grad_of_a_polynomial_and_its_nesting():
    assert grad(f)(2.0) == 24.0  # 4x^3 - 4x
    assert grad(grad(f))(2.0) == 44.0  # 12x^2 - 4
    assert grad(grad(grad(f)))(2.0) == 48.0  # 24x
    assert grad(grad(grad(grad(f))))(2.0) == 24.0
    assert type(grad(f)(2.0)) is float and type(grad(grad(f))(2.0)) is float


def test_value_and_grad_returns_both_as_floats():
    value, slope = value_and_grad(f)(2.0)
    assert (value, slope) == (8.0, 24.0)
    assert type(value) is float and type(slope) is float


def test_numbers_and_values_are_both_accepted():
    assert grad(f)(2) == 24.0
    assert grad(f)(Value(2.0)) == 24.0
    assert grad(lambda x: x.tanh())(True) == pytest.approx(1 - math.tanh(1.0) ** 2)


@pytest.mark.parametrize(
    "argnums, expected",
    [
        (0, 4.0),
        (1, 3.0),
        (-1, 3.0),
        ((0, 1), (4.0, 3.0)),
        ((1, 0), (3.0, 4.0)),
        ([1], (3.0,)),
        ((0, 0), (4.0, 4.0)),
    ],
)
def test_argnums_picks_the_inputs(argnums, expected):
    assert grad(lambda x, y: x * y, argnums=argnums)(3.0, 4.0) == expected


@pytest.mark.parametrize("argnums", [2, -3, (0, 5), ("0",), (0.0,)])
def test_argnums_that_do_not_fit_raise_value_error(argnums):
    with pytest.raises(
        ValueError, match=r"argnums=.* does not fit a call with 2 positional argument"
    ):
        grad(lambda x, y: x * y, argnums=argnums)(3.0, 4.0)


@pytest.mark.parametrize("argnums", ["0", 1.0, None])
def test_argnums_of_the_wrong_type_raise_type_error(argnums):
    with pytest.raises(TypeError, match=r"argnums must be an int or a tuple of ints, got"):
        grad(lambda x, y: x * y, argnums=argnums)(3.0, 4.0)


def test_only_argnums_inputs_are_promoted_and_others_pass_through():
    seen = []

    def g(x, scale, name="n"):
        seen.append((type(scale), name))
        return x * scale

    assert grad(g)(2.0, 3, name="k") == 3.0
    assert seen == [(int, "k")]


def test_an_argument_the_result_does_not_depend_on_gets_zero():
    assert grad(lambda x, y: x * 2, argnums=(0, 1))(1.0, 5.0) == (2.0, 0.0)
    assert grad(lambda x: 7.0)(1.0) == 0.0  # a number result: constant
    assert grad(lambda x: x)(3.0) == 1.0
    assert grad(grad(lambda x: x))(3.0) == 0.0


def test_no_grads_are_left_behind_on_the_callers_values():
    w = Value(1.5, label="w")
    w.grad = 0.25  # e.g. accumulated by an earlier backward
    x = Value(2.0)
    h = w * 3  # an intermediate node built by the caller, used inside f
    h.grad = 7.0

    def loss(x):
        return (w * x + h).tanh()

    dx = grad(loss)(x)
    dw_dx = grad(grad(loss))(x)
    assert dx == pytest.approx(1.5 * (1 - math.tanh(1.5 * 2.0 + 4.5) ** 2))
    assert isinstance(dw_dx, float)
    assert (w.grad, x.grad, h.grad) == (0.25, 0.0, 7.0)


def test_grad_with_respect_to_a_captured_parameter_used_as_an_argument():
    w = Value(0.5)
    w.grad = 3.0
    assert grad(lambda w, x: w * x, argnums=0)(w, 4.0) == 4.0
    assert w.grad == 3.0


def test_a_non_value_result_raises_type_error_naming_the_function():
    def bad(x):
        return [x]

    with pytest.raises(
        TypeError, match=r"bad must return a Value or a number to be differentiated, got list"
    ):
        grad(bad)(1.0)
    with pytest.raises(TypeError, match="got str"):
        value_and_grad(lambda x: "x")(1.0)


def test_a_non_number_argument_raises_type_error():
    with pytest.raises(TypeError, match=r"argument 0 must be a number or a Value, got str"):
        grad(f)("2")


def test_grad_works_inside_no_grad():
    # grad differentiates f even in an evaluation block; the block stays in force outside it.
    with no_grad():
        assert grad(f)(2.0) == 24.0
        assert grad(grad(f))(2.0) == 44.0
        assert (Value(1.0) * 2).is_leaf


def test_a_no_grad_inside_f_is_respected():
    def frozen(x):
        with no_grad():
            c = x * 3  # treated as a constant
        return c * x

    assert grad(frozen)(2.0) == 6.0


def test_names_and_docs():
    def loss(x):
        return x

    assert grad(loss).__name__ == "grad(loss)"
    assert value_and_grad(loss).__name__ == "value_and_grad(loss)"
    assert "Gradient of loss" in grad(loss).__doc__


def test_mixed_second_derivatives():
    g = lambda x, y: x * y**2 + (x * y).sin()  # noqa: E731
    x, y = 0.3, -1.2
    dxy = grad(grad(g, argnums=0), argnums=1)(x, y)
    dyx = grad(grad(g, argnums=1), argnums=0)(x, y)
    expected = 2 * y + math.cos(x * y) - x * y * math.sin(x * y)
    assert dxy == pytest.approx(expected, rel=1e-12) and dyx == pytest.approx(expected, rel=1e-12)


@given(safe_floats(-2.0, 2.0), safe_floats(-2.0, 2.0))
def test_hessian_rows_match_finite_differences_of_the_gradient(x, y):
    g = lambda a, b: (a * b).tanh() * b.exp() + a**3  # noqa: E731
    for i in (0, 1):
        first = grad(g, argnums=i)
        analytic = grad(first, argnums=(0, 1))(x, y)
        numeric = numerical_grad(first, x, y)
        assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-5)
        assert gradcheck(first, x, y)
