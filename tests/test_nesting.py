"""Nested differentiation: each grad call has its own variables (no perturbation confusion)."""

import math

import pytest
from hypothesis import assume, given, settings

import tinygrad_edu.functional as functional
from tinygrad_edu import GradcheckError, Value, grad, gradcheck, value_and_grad
from tinygrad_edu.testing import expressions, safe_floats


def test_inner_derivative_holds_the_outer_variable_constant():
    # d/dx [d/dy (x * y) at y = x] = d/dx [x] = 1 (confusing the two variables gives 2)
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0


def test_the_classic_case_from_the_literature():
    # Siskind & Pearlmutter: d/dx [x * d/dy (x + y) at y = 1] = 1
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(3.0) == 1.0


def test_numbers_and_values_give_the_same_answer():
    f = lambda x: grad(lambda y: x * y * y)(x)  # noqa: E731  f(x) = 2x^2
    assert f(3.0) == 18.0
    assert f(Value(3.0)) == 18.0
    assert grad(f)(3.0) == 12.0
    assert grad(grad(f))(3.0) == 4.0


def test_three_levels_deep():
    # g(x) = d/dy [ d/dz (x*y*z*z) at z = y ] at y = x = d/dy [2 x y^2] at y = x = 4 x^2
    g = lambda x: grad(lambda y: grad(lambda z: x * y * z * z)(y))(x)  # noqa: E731
    assert g(1.5) == pytest.approx(4 * 1.5**2)
    assert grad(g)(1.5) == pytest.approx(8 * 1.5)


def test_value_and_grad_nested_inside_grad():
    def f(x):
        value, slope = value_and_grad(lambda y: x * y.exp())(x)  # x e^x and x e^x at y = x
        return value + slope

    # f(x) = 2 x e^x, f'(x) = 2 e^x (1 + x)
    assert grad(f)(0.5) == pytest.approx(2 * math.exp(0.5) * 1.5)


def test_a_value_passed_in_is_not_differentiated_through_its_own_graph():
    x = Value(2.0, label="x")
    h = x * 3.0  # a Value computed outside
    assert grad(lambda u: u * u)(h) == 12.0
    assert x.grad == 0.0 and h.grad == 0.0  # grad changes no .grad


def test_gradcheck_sees_a_nesting_error(monkeypatch):
    f = lambda x: grad(lambda y: x * y * y)(x)  # noqa: E731
    assert gradcheck(f, 3.0)
    # With the inner call differentiating the caller's own Value (perturbation
    # confusion), the analytic side is wrong; the numerical side, run on plain
    # numbers, is not, so the checker must now fail.
    fresh = functional._variable
    monkeypatch.setattr(
        functional, "_variable", lambda x, nested: x if isinstance(x, Value) else fresh(x, nested)
    )
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 2.0  # the classic wrong answer
    with pytest.raises(GradcheckError, match="mismatch"):
        gradcheck(f, 3.0)


def _float_fn(expr):
    return lambda x, y: expr._float_trace([x, y])[0][-1]


@settings(max_examples=60, deadline=None)
@given(expr=expressions(min_inputs=2, max_inputs=2, max_depth=3), x=safe_floats(-1.5, 1.5))
def test_nested_closures_match_finite_differences_of_finite_differences(expr, x):
    """F(x) = d/dy E(x, y) at y = x, differentiated again in x, against finite differences
    of finite differences of E on plain floats."""
    E = _float_fn(expr)
    h = 1e-4
    for point in (x - 2 * h, x - h, x, x + h, x + 2 * h):
        assume(expr.safe_at([point, point], margin=0.05, max_magnitude=20.0, nudge=3 * h))

    def inner_fd(x):  # d/dy E(x, y) at y = x, on floats
        return (E(x, x + h) - E(x, x - h)) / (2 * h)

    expected = (inner_fd(x + h) - inner_fd(x - h)) / (2 * h)
    F = lambda x: grad(lambda y: expr(x, y))(x)  # noqa: E731
    assert F(x) == pytest.approx(inner_fd(x), rel=1e-5, abs=1e-5)
    assert grad(F)(x) == pytest.approx(expected, rel=2e-3, abs=2e-3)
