"""numerical_grad and gradcheck, including proof that the checker catches a wrong rule."""

import math

import pytest
from hypothesis import Phase, find, settings

from tinygrad_edu import GradcheckError, Value, gradcheck, numerical_grad, topological_order
from tinygrad_edu.ops import EXP, OPS, SIN
from tinygrad_edu.testing import expression_cases


def test_numerical_grad_of_simple_functions():
    grads = numerical_grad(lambda x, y: x * y + x**2, 3.0, 4.0)
    assert grads == pytest.approx([4.0 + 6.0, 3.0], rel=1e-9)
    assert all(type(g) is float for g in grads)
    assert numerical_grad(lambda x: x.sin(), Value(0.5)) == pytest.approx([math.cos(0.5)], rel=1e-9)


def test_numerical_grad_scales_its_step_with_large_inputs():
    # h = eps * |x| keeps x + h != x for big x: a fixed h of 1e-6 would vanish at 1e12.
    assert numerical_grad(lambda x: x * 2.0, 1e12) == pytest.approx([2.0], rel=1e-6)


def test_numerical_grad_accepts_a_function_returning_a_number():
    assert numerical_grad(lambda x: 5.0, 1.0) == [0.0]


def test_gradcheck_returns_true_for_a_correct_gradient():
    assert gradcheck(lambda x, y: (x * y).tanh() + y.exp(), 0.5, -1.2) is True
    assert gradcheck(lambda x: x.log(), Value(2.0)) is True


def test_gradcheck_needs_inputs_that_are_numbers():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="input 1 must be a number or a Value, got str"):
        gradcheck(lambda x, y: x * y, 1.0, "2")


def test_gradcheck_rejects_a_function_that_returns_something_else():
    with pytest.raises(TypeError, match="must return a Value or a number"):
        gradcheck(lambda x: [x], 1.0)


def test_gradcheck_error_is_a_table_naming_the_mismatched_input(monkeypatch):
    # Make exp's derivative twice what it should be: 2 * out instead of out.
    monkeypatch.setattr(EXP, "vjp", lambda m, g, out, a: (g * 2.0 * out,))

    def exp_plus_y(x, y):
        return x.exp() + y

    with pytest.raises(GradcheckError) as info:
        gradcheck(exp_plus_y, 0.5, 1.0)
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    lines = message.splitlines()
    assert lines[0].startswith(
        "gradcheck of exp_plus_y: 1 of 2 gradient(s) disagree (atol=1e-05, rtol=0.0001"
    )
    assert lines[1].split() == ["input", "value", "analytic", "numeric", "abs", "err", "rel", "err"]
    row0, row1 = lines[2].split(), lines[3].split()
    assert row0[:2] == ["0", "0.5"] and row0[-2:] == ["<--", "mismatch"]
    assert float(row0[2]) == pytest.approx(2 * math.exp(0.5), rel=1e-9)  # analytic (wrong)
    assert float(row0[3]) == pytest.approx(math.exp(0.5), rel=1e-6)  # numeric (right)
    assert float(row0[4]) == pytest.approx(math.exp(0.5), rel=1e-2)  # abs err
    assert float(row0[5]) == pytest.approx(1.0, rel=1e-2)  # rel err
    assert (
        row1[:3] == ["1", "1", "1"]
        and float(row1[3]) == pytest.approx(1.0)
        and "mismatch" not in lines[3]
    )
    assert len(lines) == 4


def test_gradcheck_tolerances():
    # For x ** 3 the central difference is off by exactly h^2, here h = eps * |x| = 0.01:
    # an atol of 1 accepts that error of 1e-4, an atol of 1e-6 (with rtol 0) does not.
    cube = lambda x: x**3  # noqa: E731
    assert gradcheck(cube, 10.0, eps=1e-3, atol=1.0, rtol=0.0)
    with pytest.raises(GradcheckError):
        gradcheck(cube, 10.0, eps=1e-3, atol=1e-6, rtol=0.0)


def test_the_checker_catches_a_deliberately_wrong_rule(monkeypatch):
    def sine(x):
        return x.sin()

    assert gradcheck(sine, 0.3)
    monkeypatch.setattr(SIN, "vjp", lambda m, g, out, a: (g * m.sin(a),))  # wrong: should be cos
    with pytest.raises(GradcheckError, match=r"gradcheck of sine: 1 of 1 gradient\(s\) disagree"):
        gradcheck(sine, 0.3)
    monkeypatch.undo()
    assert gradcheck(sine, 0.3)


@pytest.mark.parametrize("name", sorted(OPS))
def test_random_expressions_catch_a_ten_percent_error_in_any_rule(monkeypatch, name):
    """For each op, a rule off by 10% in its first input is found by random expressions."""
    op = OPS[name]
    right = op.vjp

    def wrong(m, g, out, *xs):
        first, *rest = right(m, g, out, *xs)
        return (first * 1.1, *rest)

    monkeypatch.setattr(op, "vjp", wrong)

    def detected(case):
        expr, inputs = case
        try:
            gradcheck(expr, *inputs)
        except GradcheckError:
            return True
        return False

    expr, inputs = find(
        expression_cases(max_depth=2, ops=[name]),
        detected,
        settings=settings(max_examples=500, database=None, deadline=None, phases=[Phase.generate]),
    )  # no shrinking
    assert any(node.op == name for node in topological_order(expr(*inputs)))
    monkeypatch.undo()
    assert gradcheck(expr, *inputs)
