"""tinygrad_edu.testing: random expressions, and the engine checked with them."""

import ast
import math
import operator

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings, strategies as st

from tinygrad_edu import Value, grad, gradcheck, numerical_grad, topological_order
from tinygrad_edu.testing import OP_NAMES, Expression, expression_cases, expressions, safe_floats

TRANSFORM_OPS = {"mul", "add", "sigmoid"}  # what the positive transforms are made of


def _find(strategy, condition):
    """The first example satisfying condition (not shrunk: these tests need any one)."""
    return find(
        strategy,
        condition,
        settings=settings(database=None, max_examples=2000, deadline=None, phases=[Phase.generate]),
    )


def _evaluate_formula(text, xs):
    """Evaluate str(expr) with plain floats, reading it as Python syntax (no eval)."""
    functions = {
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "tanh": math.tanh,
        "sin": math.sin,
        "cos": math.cos,
        "abs": abs,
        "relu": lambda x: max(x, 0.0),
        "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    }
    binary = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.Pow: operator.pow,
    }
    names = {f"x{i}": x for i, x in enumerate(xs)}

    def value(node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp):
            return binary[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.Call) and len(node.args) == 1:
            return functions[node.func.id](value(node.args[0]))
        raise AssertionError(f"unexpected syntax in formula: {ast.dump(node)}")

    *lets, last = ast.parse(text.replace("; ", "\n")).body
    for statement in lets:
        assert isinstance(statement, ast.Assign)
        names[statement.targets[0].id] = value(statement.value)
    return value(last.value)


# ---------------------------------------------------------------------------
# The strategy itself


@given(expressions(min_inputs=2, max_inputs=3, max_depth=3))
def test_expressions_are_callable_and_print_their_formula(expr):
    assert isinstance(expr, Expression) and 2 <= expr.n_inputs <= 3 and expr.n_ops >= 1
    text = str(expr)
    assert repr(expr) == f"Expression(n_inputs={expr.n_inputs}, formula={text!r})"
    assert expr.__name__ == f"expression {text}"
    ast.parse(text.replace("; ", "\n"))  # the formula is valid Python syntax


@given(expression_cases())
def test_the_formula_computes_what_the_expression_computes(case):
    expr, xs = case
    out = expr(*xs)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(_evaluate_formula(str(expr), xs), rel=1e-9, abs=1e-12)
    values = [Value(x) for x in xs]
    assert expr(*values).data == out.data  # Values and numbers give the same result


@given(expression_cases(max_depth=3, ops=["relu", "abs", "mul", "sub"]))
def test_cases_keep_kinks_at_a_margin_and_values_moderate(case):
    expr, xs = case
    for node in topological_order(expr(*xs)):
        assert abs(node.data) <= 100.0
        if node.op in ("relu", "abs"):
            assert abs(node.parents[0].data) >= 1e-3


@pytest.mark.parametrize(
    "ops", [["log"], ["sqrt", "div"], ["pow"], ["exp", "sin", "neg"], ["tanh", "cos"]]
)
@given(data=st.data())
def test_ops_restricts_the_ops_drawn(ops, data):
    expr = data.draw(expressions(max_inputs=2, max_depth=2, ops=ops))
    xs = [0.3] * expr.n_inputs
    # "pow" draws both x ** y and x ** k; the engine names the second "power".
    used = {node.op.replace("power", "pow") for node in topological_order(expr(*xs))} - {""}
    assert used <= set(ops) | TRANSFORM_OPS
    assert used & set(ops)


@given(expressions(max_inputs=2, max_depth=2))
def test_max_depth_bounds_the_graph(expr):
    # Each drawn op adds at most three levels: the op and a two-node positive transform.
    out = expr(*[0.1] * expr.n_inputs)
    depth = {}
    for node in reversed(topological_order(out)):
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1) if node.parents else 0
    assert depth[out] <= 3 * 2


def test_expressions_reuse_subexpressions():
    def has_fan_out(expr):
        out = expr(*[0.5] * expr.n_inputs)
        consumers = {}
        for node in topological_order(out):
            for p in set(node.parents):
                if not p.is_leaf:
                    consumers[p] = consumers.get(p, 0) + 1
        return any(n >= 2 for n in consumers.values())

    expr = _find(expressions(max_inputs=1, ops=["sin", "add"]), has_fan_out)
    assert "t0 = " in str(expr)


def test_all_op_names_are_the_engines():
    from tinygrad_edu.ops import OPS

    assert set(OP_NAMES) == set(OPS)


def test_an_expression_checks_how_many_inputs_it_gets():
    expr = _find(expressions(min_inputs=2, max_inputs=2), lambda e: True)
    with pytest.raises(TypeError, match=r"this expression takes 2 input\(s\), got 1"):
        expr(1.0)
    with pytest.raises(TypeError, match=r"takes 2 input"):
        expr.safe_at((1.0, 2.0, 3.0))


def test_safe_at_rejects_kinks_overflow_and_nudges_across_a_kink():
    relu = _find(expressions(max_inputs=1, ops=["relu"]), lambda e: str(e) == "relu(x0)")
    assert relu.safe_at((0.5,)) and relu.safe_at((-0.002,))
    assert not relu.safe_at((0.0,)) and not relu.safe_at((5e-4,))
    assert not relu.safe_at((2e-3,), margin=1e-3, nudge=0.01)  # a nudge of 0.01 crosses 0
    triple_exp = _find(
        expressions(max_inputs=1, ops=["exp"]), lambda e: str(e) == "exp(exp(exp(x0)))"
    )
    assert triple_exp.safe_at((-1.0,))
    assert not triple_exp.safe_at((3.0,))  # overflows
    assert not triple_exp.safe_at((0.5,), max_magnitude=10.0)  # exp(exp(1.65)) = 181 > 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(min_inputs=0), "min_inputs"),
        (dict(min_inputs=3, max_inputs=2), "min_inputs <= max_inputs"),
        (dict(max_depth=0), "max_depth must be an int >= 1"),
        (dict(ops=["logg"]), "unknown: 'logg'"),
        (dict(ops=[]), "non-empty list of op names"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        expressions(**kwargs)
    with pytest.raises(ValueError, match=message):
        expression_cases(**kwargs)


@given(safe_floats(), safe_floats(-1.0, 0.5))
def test_safe_floats_stay_in_range(x, y):
    assert -3.0 <= x <= 3.0 and -1.0 <= y <= 0.5 and math.isfinite(x)


# ---------------------------------------------------------------------------
# The engine, checked on random expressions


@settings(max_examples=500)  # cheap, and the heart of the matter: more than the default
@given(expression_cases())
def test_random_expressions_gradients_match_finite_differences(case):
    expr, xs = case
    assert gradcheck(expr, *xs)


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(expression_cases(max_depth=3))
def test_random_expressions_second_derivatives_by_nested_grad(case):
    expr, xs = case
    for i in range(expr.n_inputs):
        # d/dx_j of the analytic d/dx_i, against finite differences of the analytic d/dx_i
        assert gradcheck(grad(expr, argnums=i), *xs)


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(expression_cases(max_depth=3))
def test_random_expressions_second_derivatives_by_create_graph(case):
    expr, xs = case
    for i in range(expr.n_inputs):
        inputs = [Value(x) for x in xs]
        expr(*inputs).backward(create_graph=True)
        first = inputs[i].grad
        for v in inputs:
            v.grad = 0.0
        if isinstance(first, Value):
            first.backward()
        analytic = [v.grad for v in inputs]
        numeric = numerical_grad(grad(expr, argnums=i), *xs)
        assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-5)
        assert (first.data if isinstance(first, Value) else first) == pytest.approx(
            grad(expr, argnums=i)(*xs), rel=1e-12, abs=1e-300
        )
