"""backward(gradient, *, create_graph): the upstream gradient, per-pass sums, constants,
gradients that are finite or an error naming the op, and mistakes that get their error."""

import asyncio
import math

import pytest

import tinygrad_edu.engine as engine
from tinygrad_edu import (
    NonFiniteGradientError,
    Op,
    Value,
    grad,
    no_grad,
    topological_order,
    value_and_grad,
)

# -- the upstream gradient ------------------------------------------------------


def test_the_first_argument_is_the_upstream_gradient():
    x = Value(3.0)
    y = x * x
    y.backward(5.0)
    assert x.grad == 30.0


def test_the_old_positional_create_graph_is_refused_with_advice():
    x = Value(3.0)
    with pytest.raises(TypeError, match=r"backward\(create_graph=True\)"):
        (x * x).backward(True)


@pytest.mark.parametrize("bad", ["1", None, [1.0]])
def test_an_upstream_gradient_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match="upstream gradient must be a number"):
        (Value(1.0) * 2).backward(bad)


def test_an_upstream_gradient_must_be_finite():
    with pytest.raises(ValueError, match="upstream gradient must be finite"):
        (Value(1.0) * 2).backward(math.inf)


def test_upstream_gradient_with_create_graph():
    x = Value(2.0)
    (x**3).backward(2.0, create_graph=True)
    g = x.grad
    assert g.data == 24.0  # 2 * 3x^2
    x.grad = 0.0
    g.backward()
    assert x.grad == 24.0  # 2 * 6x


# -- a pass's contributions to a leaf are summed first ----------------------------------


def test_a_pass_sums_its_contributions_before_adding_to_the_leaf():
    x = Value(-1.0)
    (x * 2).backward()
    (x * 1e20 - x * 1e20).backward()
    assert x.grad == 2.0


def test_leaves_still_accumulate_across_passes():
    x = Value(1.5)
    (x * 3).backward()
    (x * x).backward()
    assert x.grad == 3.0 + 3.0


def test_a_leaf_root_accumulates_the_upstream_gradient():
    x = Value(1.0)
    x.grad = 1.0
    x.backward(2.0)
    assert x.grad == 3.0


# -- constants ---------------------------------------------------------------------------


def test_constants_lifted_from_numbers_get_no_gradient():
    x = Value(2.0, label="x")
    y = 3.0 * x + 1.0
    y.backward()
    constants = [p for node in (y, y.parents[0]) for p in node.parents if p is not x and p.is_leaf]
    assert len(constants) == 2 and all(c.grad == 0.0 for c in constants)
    assert x.grad == 3.0


def test_backward_visits_only_what_leads_to_a_value_that_takes_a_gradient(monkeypatch):
    x = Value(1.0)
    y = x / 1e-200  # the constant's local derivative -x/c^2 overflows
    y.backward()
    assert x.grad == 1e200


def test_second_derivative_through_a_tiny_constant():
    assert grad(grad(lambda x: x / 1e-200))(1.0) == 0.0


def test_create_graph_recipe_near_the_float_limit():
    x = Value(709.49)
    y = 0.5 * x.exp()
    y.backward(create_graph=True)
    dy = x.grad
    assert dy.data == pytest.approx(0.5 * math.exp(709.49))
    x.grad = 0.0
    dy.backward()
    assert x.grad == pytest.approx(0.5 * math.exp(709.49))


# -- gradients are finite, or the error says where they stopped being finite --------------


def test_an_infinite_gradient_raises_naming_the_op_and_operand():
    x, y = Value(1.0, label="x"), Value(1e-200, label="y")
    x.grad, y.grad = 0.25, 0.5
    with pytest.raises(
        NonFiniteGradientError,
        match=r"backward of div\(x = 1\.0, y = 1e-200\): "
        r"the gradient passed to y = 1e-200 is -inf",
    ):
        (x / y).backward()
    assert (x.grad, y.grad) == (0.25, 0.5)  # a refused pass adds nothing


def test_the_error_is_an_overflow_error():
    assert issubclass(NonFiniteGradientError, OverflowError)


def test_grad_raises_too():
    with pytest.raises(NonFiniteGradientError, match="div"):
        grad(lambda x, y: x / y, argnums=1)(1.0, 1e-200)


def test_a_nan_gradient_is_caught_and_names_the_op():
    # a rule that gives 0 * inf = nan
    weird = Op("weird", lambda m, x: x, lambda m, g, out, x: (g * (x - x) * math.inf,))
    x = Value(1.0, label="x")
    with pytest.raises(NonFiniteGradientError, match=r"backward of weird\(x = 1\.0\).* is nan"):
        (weird(x) * 2.0).backward()
    assert x.grad == 0.0


def test_an_overflowing_sum_of_finite_contributions_is_named():
    x = Value(1e-10, label="w")
    y = x * 1e308 + x * 1e308
    with pytest.raises(NonFiniteGradientError, match="'w'"):
        y.backward()


def test_create_graph_gradient_that_overflows_raises():
    x, y = Value(1.0, label="x"), Value(1e-200, label="y")
    with pytest.raises(OverflowError, match="backward of div"):
        (x / y).backward(create_graph=True)


def test_power_rule_does_not_overflow_an_intermediate_product():
    assert grad(lambda a: a**1023 * 1e306)(0.5) == pytest.approx(1023 * 0.5**1022 * 1e306)


def test_division_rule_orders_its_products_to_stay_finite():
    # f = c exp(x / y): the upstream gradient c exp(700) times x / y = 700 would overflow
    # before the division by y; d/dy = -c exp(x/y) x / y^2 is finite
    c, x, y = 1e4, 700000.0, 1000.0
    expected = -c * math.exp(700.0) * ((x / y) / y)
    assert grad(lambda y: (x / y).exp() * c)(y) == pytest.approx(expected)


def test_value_exponent_power_rule_stays_finite():
    # f = c exp(a ** b): upstream c exp(700) times b times out = 700 would overflow
    c, a, b = 1e4, 700.0, 1.0
    expected = c * math.exp(700.0) * b * a ** (b - 1)
    assert grad(lambda a, b: (a**b).exp() * c)(a, b) == pytest.approx(expected)


def test_the_check_costs_one_sum_and_walks_again_only_on_failure(monkeypatch):
    calls = []
    real = engine.FLOAT
    x = Value(0.5)
    y = (x * x).tanh()
    monkeypatch.setattr(engine, "_non_finite", lambda *a: calls.append(a) or ValueError("x"))
    y.backward()
    assert calls == [] and engine.FLOAT is real


# -- mistakes get their error -------------------------------------------------------------


def test_a_value_assigned_to_data_is_caught_by_unary_ops():
    p = Value(0.5, label="p")
    p.data = p - 0.1  # the classic slip
    for method in ("tanh", "exp", "sigmoid", "relu", "log", "sin"):
        with pytest.raises(TypeError, match=r"'p' has \.data = Value"):
            getattr(p, method)()


def test_no_grad_decorates_async_functions():
    x = Value(2.0)

    @no_grad()
    async def evaluate():
        await asyncio.sleep(0)
        return x * x

    y = asyncio.run(evaluate())
    assert y.data == 4.0 and y.parents == ()


def test_no_grad_refuses_generator_functions():
    with pytest.raises(TypeError, match="generator function 'steps'"):

        @no_grad()
        def steps():
            yield 1


def test_no_grad_nests_with_one_object():
    block = no_grad()
    with block:
        with block:
            pass
        assert not engine.is_grad_enabled()
    assert engine.is_grad_enabled()


def test_argnums_true_is_refused():
    with pytest.raises(TypeError, match="bool"):
        value_and_grad(lambda x: x * x, argnums=True)(1.0)


def test_grad_none_on_a_root_says_what_to_do():
    x = Value(2.0, label="x")
    x.grad = None
    with pytest.raises(TypeError, match=r"'x' has \.grad = None.*zero_grad"):
        (x * x).backward()


# -- the lecture's _backward() keeps backward()'s guarantees ---------------------------------


def test_lecture_backward_refuses_a_non_finite_gradient():
    x = Value(1e-200, label="x")
    y = 1.0 / x
    y.grad = 1.0
    with pytest.raises(NonFiniteGradientError, match=r"backward of div\(1\.0, x = 1e-200\)"):
        y._backward()
    assert x.grad == 0.0


def test_lecture_backward_names_the_op_of_a_failing_rule():
    x = Value(0.0, label="x")
    y = x.sqrt()
    y.grad = 1.0
    with pytest.raises(ZeroDivisionError, match=r"^backward of sqrt\(x = 0\.0\)"):
        y._backward()


# -- grad of a function that runs backward itself -------------------------------------------


def test_grad_ignores_what_the_function_left_in_its_variables():
    def f(x):  # f(x) = 3x^2, computed with create_graph
        y = x * x * x
        y.backward(create_graph=True)
        return x.grad

    assert grad(f)(2.0) == 12.0 and isinstance(grad(f)(2.0), float)
    assert grad(grad(f))(2.0) == 6.0

    def g(x):
        (x * x).backward()  # a debugging backward inside the function
        return x * x * x

    assert grad(g)(2.0) == 12.0


# -- every non-finite gradient is a NonFiniteGradientError ---------------------------------


@pytest.mark.parametrize(
    "run",
    [
        lambda: grad(lambda x: x.sqrt())(0.0),
        lambda: grad(lambda x: x**0.5)(0.0),
        lambda: (Value(1.0) / Value(1e-200)).backward(create_graph=True),
        lambda: grad(grad(lambda y: y.log()))(1e-320),
    ],
)
def test_infinite_derivatives_raise_the_one_error(run):
    with pytest.raises(NonFiniteGradientError, match="backward of"):
        run()


def test_the_error_is_also_a_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        grad(lambda x: x.sqrt())(0.0)


def test_no_false_alarm_when_the_square_rule_scales_last():
    assert grad(lambda x: x**2 * 1e308)(0.25) == pytest.approx(5e307)


# -- ints assigned to .data are numbers ------------------------------------------------------


def test_an_int_assigned_to_data_still_works():
    b = Value(1.0, label="b")
    b.data = 0
    assert b.tanh().data == 0.0 and (b * b).data == 0.0 and (b**2).data == 0.0
    assert type(b.exp().data) is float


# -- a rule that gives the wrong number of gradients -----------------------------------------


def test_a_vjp_with_too_few_gradients_is_refused():
    mul2 = Op("mul2", lambda m, a, b: a * b, lambda m, g, out, a, b: (g * b,))
    a, b = Value(3.0), Value(2.0)
    with pytest.raises(
        TypeError, match=r"the vjp of mul2 returned 1 gradient\(s\); it must return a tuple of 2"
    ):
        mul2(a, b).backward()
    with pytest.raises(TypeError, match="the vjp of mul2"):
        mul2(a, b).backward(create_graph=True)


def test_a_vjp_without_its_comma_is_refused():
    bad = Op("bad1", lambda m, a: a * 2.0, lambda m, g, out, a: g * 2.0)
    with pytest.raises(
        TypeError, match=r"the vjp of bad1 returned one gradient, not a tuple.*note the comma"
    ):
        bad(Value(3.0)).backward()


def test_a_forward_that_gives_nan_says_so():
    nan_op = Op("nan_op", lambda m, a: a * math.nan, lambda m, g, out, a: (g,))
    with pytest.raises(ValueError, match=r"nan_op\(1\.0\): the result is not a number \(nan\)"):
        nan_op(Value(1.0))


def test_constants_drop_what_they_are_given_and_are_left_out_of_the_walk():
    from tinygrad_edu.engine import _walk
    from tinygrad_edu.graph import is_constant

    x = Value(2.0, label="x")
    y = x * 3.0
    c = y.parents[1]
    assert is_constant(c) and not is_constant(x)
    c.grad = 5.0
    assert c.grad == 0.0
    order, _ = _walk(y)
    assert c not in order and x in order
    assert c in topological_order(y)  # the tools still see every node
