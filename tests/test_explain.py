"""The backward pass in words (explain) and a Value printed back as a formula."""

import ast
import math
import operator
import re

import pytest
from hypothesis import assume, given, strategies as st

from tinygrad_edu import Value
from tinygrad_edu.explain import Explanation, explain, rule_text
from tinygrad_edu.expr import ExpressionError, parse_expression
from tinygrad_edu.formula import format_number, formula
from tinygrad_edu.graph import node_names
from tinygrad_edu.ops import OPS, TANH, power_by


def classic_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


NEURON_EXPLAINED = """\
backward pass of o = tanh(x1*w1 + x2*w2 + b)
each step: input.grad += upstream gradient * local derivative

o.grad = 1.0  (the output's gradient with respect to itself)
step 1: o = tanh(n4)
  n4.grad += o.grad * (1.0 - o.data * o.data)   (1.0 * (1.0 - 0.7071 * 0.7071)) = 0.5   <- this neuron's delta: upstream gradient * tanh'(pre-activation)
step 2: n4 = n3 + b
  n3.grad += n4.grad   (0.5) = 0.5
  b.grad += n4.grad    (0.5) = 0.5
step 3: n3 = n1 + n2
  n1.grad += n3.grad   (0.5) = 0.5
  n2.grad += n3.grad   (0.5) = 0.5
step 4: n2 = x2*w2
  x2.grad += n2.grad * w2.data   (0.5 * 1.0) = 0.5
  w2.grad += n2.grad * x2.data   (0.5 * 0.0) = 0.0
step 5: n1 = x1*w1
  x1.grad += n1.grad * w1.data   (0.5 * (-3.0)) = -1.5
  w1.grad += n1.grad * x1.data   (0.5 * 2.0) = 1.0

gradients: x1.grad = -1.5, w1.grad = 1.0, x2.grad = 0.5, w2.grad = 0.0, b.grad = 0.5"""


# -- explain -------------------------------------------------------------------


def test_the_classic_neuron_step_by_step():
    o, _ = classic_neuron()
    assert explain(o) == NEURON_EXPLAINED


def test_explain_leaves_the_callers_gradients_alone():
    o, leaves = classic_neuron()
    for i, v in enumerate(leaves):
        v.grad = 100.0 + i
    text = explain(o)
    assert [v.grad for v in leaves] == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert o.grad == 0.0
    assert "x1.grad = -1.5" in text  # a fresh pass, not the stale 100.0


def test_explanation_reads_as_plain_text_in_a_repl():
    o, _ = classic_neuron()
    e = explain(o)
    assert isinstance(e, Explanation) and isinstance(e, str)
    assert repr(e) == NEURON_EXPLAINED


def test_fan_out_shows_the_running_total():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    text = explain(y)
    assert "  x.grad += y.grad * x.data   (1.0 * 3.0) = 3.0\n" in text
    assert "  x.grad += y.grad * x.data   (1.0 * 3.0) = 3.0, so x.grad = 6.0\n" in text
    assert text.endswith("gradients: x.grad = 6.0")


def test_constants_appear_as_numbers_and_get_no_line():
    x = Value(2.0, label="x")
    y = 3 * x
    text = explain(y)
    assert "step 1: n1 = 3*x" in text
    assert "  x.grad += n1.grad * 3   (1.0 * 3.0) = 3.0" in text
    assert "3.grad" not in text and "None" not in text


def test_a_node_with_no_upstream_gradient_is_skipped_as_backward_skips_it():
    x = Value(-1.0, label="x")
    y = (x * 2).relu()
    y.label = "y"
    text = explain(y)
    assert "  n1.grad += y.grad * step(n1.data)   (1.0 * step(-2.0)) = 0.0" in text
    assert (
        "step 2: n1 = x*2   -- upstream gradient n1.grad is 0: nothing to pass on "
        "(backward skips it)"
    ) in text
    assert "where step(u) = 1 if u > 0 else 0" in text
    y.backward()
    assert x.grad == 0.0


def test_negative_numbers_are_bracketed_where_they_would_misread():
    x = Value(-0.5, label="x")
    t = x.tanh()
    assert "(1.0 * (1.0 - (-0.4621) * (-0.4621))) = 0.7864" in explain(t)
    n = -x
    n2 = -n
    assert "  n1.grad += -n2.grad   (-(1.0)) = -1.0" not in explain(n2)  # no bracket for positives
    assert "x.grad += -n1.grad   (-(-1.0)) = 1.0" in explain(n2)


def test_delta_is_named_only_for_a_neuron():
    x = Value(2.0, label="x")
    assert "delta" not in explain((x * x + 3 * x).sigmoid())
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    text = explain((w * x + b).sigmoid())
    assert "<- this neuron's delta: upstream gradient * sigmoid'(pre-activation)" in text


def test_max_steps_and_a_leaf_root():
    x = Value(0.1, label="x")
    y = x
    for _ in range(10):
        y = y.sin()
    text = explain(y, max_steps=3)
    assert text.count("\nstep ") == 3
    assert (
        "... 7 more step(s) not shown (explain(root, max_steps=None) lists them); "
        "the gradients below include them"
    ) in text
    assert explain(x).startswith("backward pass of x (a leaf: nothing to do)")


def test_a_cut_short_explanation_still_ends_with_the_final_gradients():
    x = Value(0.1, label="x")
    y = x
    for _ in range(10):
        y = y.sin()
    y.backward()
    full = explain(y, digits=17, max_steps=None)
    for steps in (0, 2, 9):
        short = explain(y, digits=17, max_steps=steps)
        last = short.splitlines()[-1]
        assert last == full.splitlines()[-1] and last.startswith("gradients: x.grad = ")
        assert float(last.split(" = ")[1]) == x.grad
        assert short.count("\nstep ") == steps
    assert "not shown" not in explain(y, max_steps=10) and "not shown" not in full


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (-1, ValueError, "max_steps must be a whole number >= 0 or None, got -1"),
        (2.5, TypeError, "max_steps must be a whole number >= 0 or None, got 2.5"),
        (True, TypeError, "max_steps must be a whole number >= 0 or None, got True"),
    ],
)
def test_max_steps_must_be_a_count(bad, error, message):
    with pytest.raises(error, match=re.escape(message)):
        explain(Value(1.0, label="x").exp(), max_steps=bad)
    with pytest.raises(ValueError, match=re.escape("digits must be a whole number >= 1, got 0")):
        explain(Value(1.0, label="x").exp(), digits=0)


@pytest.mark.parametrize("function", [explain, formula, node_names], ids=lambda f: f.__name__)
def test_a_list_or_a_number_is_refused_with_what_to_pass_instead(function):
    """An MLP returns a list even for one output; a plain number has no graph."""
    from tinygrad_edu.nn import MLP

    name = function.__name__
    out = MLP(2, [3, 1], seed=0)([1.0, 0.0])
    with pytest.raises(
        TypeError,
        match=re.escape(
            f"{name}() needs one Value, got a list holding one Value: take it out, "
            f"e.g. {name}(model(x)[0]) (an MLP returns a list even for one output)"
        ),
    ):
        function(out)
    with pytest.raises(
        TypeError,
        match=re.escape(
            f"{name}() needs a Value, got the number 3 (a plain number has no graph): "
            f"compute it from Values, e.g. x = Value(3, label='x'); {name}(x * x)"
        ),
    ):
        function(3)
    with pytest.raises(
        TypeError, match=re.escape(f"{name}() needs one Value, got a tuple of 2 Values")
    ):
        function((Value(1.0), Value(2.0)))
    assert function(out[0])  # the one Value works


def test_negative_zero_shows_as_zero():
    a, b, w = Value(0.0, label="a"), Value(-3.0, label="b"), Value(2.0, label="w")
    c = a * b  # 0.0 * -3.0 = -0.0
    c.label = "c"
    d = c * w
    d.label = "d"
    assert math.copysign(1.0, c.data) == -1.0
    text = explain(d)
    assert "  w.grad += d.grad * c.data   (1.0 * 0.0) = 0.0\n" in text
    assert "-0" not in text


def test_the_symbolic_side_is_the_engines_own_rule(monkeypatch):
    """Change a rule in the table and explain follows: there is no second copy."""
    x = Value(0.5, label="x")
    f = x.tanh()
    f.label = "f"
    assert "  x.grad += f.grad * (1.0 - f.data * f.data)   " in explain(f)
    monkeypatch.setattr(TANH, "vjp", lambda m, g, out, a: (g * (1.0 + out) * (1.0 - out),))
    assert "  x.grad += f.grad * (1.0 + f.data) * (1.0 - f.data)   " in explain(f)


@pytest.mark.parametrize(
    "op, expected",
    [
        (OPS["add"], ("g", "g")),
        (OPS["sub"], ("g", "-g")),
        (OPS["mul"], ("g * b", "g * a")),
        (OPS["div"], ("g / b", "g * (-out / b)")),
        (OPS["pow"], ("g * (b * (out / a))", "g * (out * log(a))")),
        (OPS["tanh"], ("g * (1.0 - out * out)",)),
        (OPS["sigmoid"], ("g * out * (1.0 - out)",)),
        (OPS["relu"], ("g * step(a)",)),
        (OPS["cos"], ("-g * sin(a)",)),
        (power_by(2), ("g * (2.0 * a)",)),
        (power_by(3), ("g * (3.0 * a ** 2.0)",)),
        (power_by(-0.5), ("g * (-0.5 * a ** (-1.5))",)),
    ],
)
def test_rule_text(op, expected):
    assert rule_text(op) == expected


def test_a_local_derivative_that_is_not_finite_names_the_step():
    x = Value(0.0, label="x")
    with pytest.raises(
        ZeroDivisionError,
        match=r"step 1, backward of n1 = sqrt\(x\): the local derivative is not finite",
    ):
        explain(x.sqrt())


def _evaluate(text, env=None):
    """A tiny evaluator for an explanation's expressions (test-only, no eval);
    ``env`` gives the numbers of names such as 'a.data'."""
    functions = {
        "log": math.log,
        "cos": math.cos,
        "sin": math.sin,
        "step": lambda u: 1.0 if u > 0 else 0.0,
        "sign": lambda u: (u > 0) - (u < 0) + 0.0,
    }
    binary = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.Pow: operator.pow,
    }

    def ev(node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp):
            return binary[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call):
            return functions[node.func.id](ev(node.args[0]))
        if isinstance(node, ast.Attribute) and env is not None:
            return env[f"{node.value.id}.{node.attr}"]
        raise AssertionError(f"unexpected {ast.dump(node)}")

    return ev(ast.parse(text, mode="eval").body)


def _cases():
    a, b = 1.7, -0.6
    unary = {
        name: (lambda x, n=name: getattr(x, n)())
        for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "abs")
    }
    cases = [(name, f, (a,)) for name, f in unary.items()]
    cases += [
        ("relu", unary["relu"], (b,)),
        ("abs", unary["abs"], (b,)),
        ("neg", lambda x: -x, (b,)),
        ("add", lambda x, y: x + y, (a, b)),
        ("sub", lambda x, y: x - y, (a, b)),
        ("mul", lambda x, y: x * y, (a, b)),
        ("div", lambda x, y: x / y, (a, b)),
        ("pow", lambda x, y: x**y, (a, b)),
        ("pow2", lambda x: x**2, (b,)),
        ("powk", lambda x: x**3, (b,)),
        ("powk", lambda x: x**-1.5, (a,)),
    ]
    return cases


@pytest.mark.parametrize("name, f, inputs", _cases(), ids=lambda c: c if isinstance(c, str) else "")
def test_each_line_says_what_the_engine_computes(name, f, inputs):
    """Both sides of every line, evaluated, equal the op's vjp result: the
    names side with each name.data / name.grad read off the graph."""
    xs = [Value(x, label=label) for x, label in zip(inputs, "ab")]
    out = f(*xs)
    out.backward()
    text = explain(out, digits=17)
    lines = [line for line in text.splitlines() if line.startswith("  ") and ".grad += " in line]
    assert len(lines) == len(inputs)
    env = {"n1.data": out.data, "n1.grad": 1.0, **{f"{x.label}.data": x.data for x in xs}}
    for x, line in zip(xs, lines):
        names, numbers, result = re.search(
            r"\.grad \+= (.*?)\s{3,}\((.*)\) = (\S+?)(?:,|\s|$)", line
        ).groups()
        assert _evaluate(numbers) == pytest.approx(float(result), rel=1e-12, abs=1e-15)
        assert _evaluate(names, env) == pytest.approx(float(result), rel=1e-12, abs=1e-15)
        assert float(result) == x.grad  # the engine's own number


# A grammar of expressions in x, y, z that stay finite (ExpressionError cases are rejected).
_LEAF = st.sampled_from(["x", "y", "z", "2", "3", "0.5"])


def _grow(children):
    unary = st.tuples(
        st.sampled_from(
            [
                "-({})",
                "tanh({})",
                "sin({})",
                "cos({})",
                "sigmoid({})",
                "({})**2",
                "({})**3",
                "abs({})",
                "exp({})",
            ]
        ),
        children,
    )
    binary = st.tuples(
        st.sampled_from(["({} + {})", "({} - {})", "({} * {})", "({} / {})"]), children, children
    )
    return st.one_of(
        unary.map(lambda t: t[0].format(t[1])), binary.map(lambda t: t[0].format(t[1], t[2]))
    )


EXPRESSIONS = st.recursive(_LEAF, _grow, max_leaves=12)
VALUES = st.builds(
    lambda sign, size: sign * size, st.sampled_from([-1.0, 1.0]), st.floats(0.05, 2.0)
)


def _build(text, x, y, z):
    variables = {"x": Value(x, label="x"), "y": Value(y, label="y"), "z": Value(z, label="z")}
    try:
        return parse_expression(text, variables), variables
    except ExpressionError:
        assume(False)


@given(EXPRESSIONS, VALUES, VALUES, VALUES)
def test_explain_ends_with_the_gradients_backward_computes(text, x, y, z):
    root, variables = _build(text, x, y, z)
    try:
        explained = explain(root, digits=17, max_steps=None)
        root.backward()
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    shown = (
        dict(
            re.findall(r"\b([xyz])\.grad = (\S+?)(?:,|$)", explained.split("gradients:")[-1], re.M)
        )
        if "gradients:" in explained
        else {}
    )
    for name, v in variables.items():
        if re.search(rf"\b{name}\b", text):
            assert float(shown[name]) == v.grad  # bit for bit: the same rules, same order


# -- formula -----------------------------------------------------------------


def test_the_classic_neuron_as_a_formula():
    o, _ = classic_neuron()
    assert formula(o) == "tanh(x1*w1 + x2*w2 + b)"
    assert o.formula() == "tanh(x1*w1 + x2*w2 + b)"


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda x, y, z: x + y * z, "x + y*z"),
        (lambda x, y, z: (x + y) * z, "(x + y)*z"),
        (lambda x, y, z: x - (y - z), "x - (y - z)"),
        (lambda x, y, z: (x - y) - z, "x - y - z"),
        (lambda x, y, z: x + (y + z), "x + y + z"),
        (lambda x, y, z: x / (y * z), "x/(y*z)"),
        (lambda x, y, z: x * (y / z), "x*y/z"),
        (lambda x, y, z: -(x**2), "-x**2"),
        (lambda x, y, z: (-x) ** 2, "(-x)**2"),
        (lambda x, y, z: -(-x), "-(-x)"),  # noqa: B002 (a double negation, on purpose)
        (lambda x, y, z: x * -y, "x*(-y)"),
        (lambda x, y, z: x - -y, "x - (-y)"),
        (lambda x, y, z: -x * y, "-x*y"),
        (lambda x, y, z: -(x * y), "-(x*y)"),
        (lambda x, y, z: (x**y) ** z, "(x**y)**z"),
        (lambda x, y, z: x ** (y**z), "x**y**z"),
        (lambda x, y, z: x ** (y + z), "x**(y + z)"),
        (lambda x, y, z: x**-1, "x**(-1)"),
        (lambda x, y, z: x**0.5, "x**0.5"),
        (lambda x, y, z: 2**x, "2**x"),
        (lambda x, y, z: (x + 1).exp().log(), "log(exp(x + 1))"),
        (lambda x, y, z: x * -2.5, "x*(-2.5)"),
        (lambda x, y, z: -2.5 * x, "-2.5*x"),
        (lambda x, y, z: x.sigmoid() + x.relu() - abs(y), "sigmoid(x) + relu(x) - abs(y)"),
        (lambda x, y, z: (x + y) ** 2 / 2, "(x + y)**2/2"),
    ],
)
def test_minimal_parentheses(build, expected):
    x, y, z = (Value(1.5, label=n) for n in "xyz")
    assert formula(build(x, y, z)) == expected


def test_unlabelled_leaves_print_as_numbers():
    assert formula(Value(2.0) * Value(0.125) + Value(-3.0)) == "2*0.125 + (-3)"
    assert format_number(1e-7) == "1e-07" and format_number(-4.0) == "-4"


@given(EXPRESSIONS, VALUES, VALUES, VALUES)
def test_a_formula_reads_back_to_the_same_value(text, x, y, z):
    root, variables = _build(text, x, y, z)
    again = parse_expression(formula(root, max_length=None), variables)
    assert again.data == pytest.approx(root.data, rel=1e-9, abs=1e-12)


def test_a_million_op_chain_prints_without_recursion():
    x = Value(0.5, label="x")
    y = x
    for _ in range(1_000_000):
        y = y + x  # left-deep: the writer walks down every node first
    text = formula(y, max_length=40)
    assert text == "x + x + x + x + x + x + x + x + x + x +…"
    assert len(text) == 40


def test_shared_subexpressions_do_not_blow_up():
    a = Value(1.0, label="a")
    for _ in range(200):  # the unfolded tree would have 2**200 leaves
        a = a + a
    assert formula(a, max_length=30) == "a + a + a + a + a + a + a + a…"


def test_stop_at_labels_and_node_names():
    x = Value(1.0, label="x")
    h = (x * 2).tanh()
    h.label = "h"
    out = h * h + x
    assert formula(out) == "tanh(x*2)*tanh(x*2) + x"
    assert formula(out, stop_at_labels=True) == "h*h + x"
    names = node_names(out)
    assert sorted(n for n in names.values() if n) == ["h", "n1", "n2", "n3", "x"]
    twin = Value(5.0, label="x")
    assert sorted(n for n in node_names(x + twin).values() if n) == ["n1", "x", "x#2"]
    taken = Value(1.0, label="n1")
    assert sorted(n for n in node_names(taken * 2).values() if n) == ["n1", "n2"]


def test_explain_refuses_an_infinite_gradient_as_backward_does():
    from tinygrad_edu import NonFiniteGradientError
    from tinygrad_edu.graph import chain_rule_steps

    x, y = Value(1.0, label="x"), Value(1e-200, label="y")
    z = x / y
    with pytest.raises(
        NonFiniteGradientError,
        match=r"^step 1, backward of n1 = x/y: the gradient passed to y is -inf",
    ):
        explain(z)
    with pytest.raises(NonFiniteGradientError, match="step 1: backward of div"):
        list(chain_rule_steps(z))


def test_explain_says_a_failing_rule_once():
    with pytest.raises(ZeroDivisionError) as info:
        explain(Value(0.0, label="c").sqrt())
    assert str(info.value).count("not finite here") == 1
