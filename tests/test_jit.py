"""jit: the compiled code agrees with the engine, branches at run time, is safe and deterministic."""

import ast
import importlib
import math
import re
from contextlib import contextmanager

import pytest
from hypothesis import assume, given, strategies as st

from tinygrad_edu import CompiledFunction, Value, jit, no_grad, value_and_grad
from tinygrad_edu.engine import _record
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP
from tinygrad_edu.ops import FLOAT, Op
from tinygrad_edu.symbolic import SYMBOLIC, Sym
from tinygrad_edu.testing import expression_cases, safe_floats

jit_module = importlib.import_module("tinygrad_edu.codegen")
layout_module = importlib.import_module("tinygrad_edu.codelayout")
IDENTIFIER = re.compile(r"^[^\W\d]\w*$")

# Random expressions need not use every input; jit's warning about that is expected there.
unused_inputs_are_fine = pytest.mark.filterwarnings("ignore:jit. argument .* does not reach")


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def assert_all_close(got, expected):
    if isinstance(expected, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(expected), (got, expected)
        for g, e in zip(got, expected):
            assert_all_close(g, e)
    else:
        assert type(got) is float, got
        assert close(got, expected), (got, expected)


# -- an eager reference for nested arguments -----------------------------------


def values_like(a):
    return [values_like(x) for x in a] if isinstance(a, (list, tuple)) else Value(a)


def grads_of(v):
    return [grads_of(x) for x in v] if isinstance(v, list) else v.grad


def eager(fn, *args):
    """(value, gradient of every argument) computed by the engine."""
    vs = [values_like(a) for a in args]
    out = fn(*vs)
    out.backward()
    return out.data, tuple(grads_of(v) for v in vs)


# -- the generated source may only do arithmetic ---------------------------------

_ALLOWED = (
    ast.Module,
    ast.FunctionDef,
    ast.arguments,
    ast.arg,
    ast.Assign,
    ast.AugAssign,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Constant,
    ast.IfExp,
    ast.Compare,
    ast.Gt,
    ast.Lt,
    ast.Return,
    ast.Tuple,
    ast.List,
    ast.Call,
    ast.Subscript,
    ast.Expr,
)
_CALLABLE = {"exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos", "abs", "power", "power_v"}


def assert_only_arithmetic(source):
    """Every node of the generated code is arithmetic, a branch on a sign, a call of
    a FLOAT function or of a generated part, or list plumbing: no import, no
    attribute, no eval/exec, no string constant."""
    for node in ast.walk(ast.parse(source)):
        assert isinstance(node, _ALLOWED), f"unexpected {type(node).__name__} in generated code"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            assert node.func.id in _CALLABLE or re.fullmatch(r"_part_\d+", node.func.id), (
                node.func.id
            )
            assert not node.keywords
        if isinstance(node, ast.Constant):
            assert type(node.value) in (float, int), node.value
        if isinstance(node, ast.Subscript):
            assert isinstance(node.value, ast.Name) and node.value.id == "_slots"
        if isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Call)
        if isinstance(node, ast.Name):
            assert not node.id.startswith("__") and node.id not in ("eval", "exec", "compile")


@contextmanager
def split_into_parts(single=3, part=4):
    """Force the many-parts rendering used for very large graphs."""
    saved = layout_module._SINGLE_FUNCTION_LINES, layout_module._PART_LINES
    layout_module._SINGLE_FUNCTION_LINES, layout_module._PART_LINES = single, part
    try:
        yield
    finally:
        layout_module._SINGLE_FUNCTION_LINES, layout_module._PART_LINES = saved


# -- random expressions -------------------------------------------------------------


@unused_inputs_are_fine
@given(expression_cases(max_inputs=3, max_depth=5), st.data())
def test_random_expressions_agree_with_the_engine(case, data):
    expr, xs = case
    f = jit(expr, *xs)
    everything = tuple(range(len(xs)))
    assert_all_close(f(*xs), value_and_grad(expr, argnums=everything)(*xs))
    # New inputs, same code (a relu/abs may take its other branch now).
    new = data.draw(st.tuples(*[safe_floats()] * len(xs)))
    assume(expr.safe_at(new))
    assert_all_close(f(*new), value_and_grad(expr, argnums=everything)(*new))
    assert_only_arithmetic(f.source)


@unused_inputs_are_fine
@given(expression_cases(max_inputs=2, max_depth=4))
def test_generated_source_is_deterministic(case):
    expr, xs = case
    first, second = jit(expr, *xs), jit(expr, *xs)
    assert first.source == second.source
    compile(first.source, "<test>", "exec")


@unused_inputs_are_fine
@given(expression_cases(min_inputs=4, max_inputs=6, max_depth=3), st.data())
def test_functions_of_many_arguments_and_argnums(case, data):
    expr, xs = case
    n = len(xs)
    which = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    f = jit(expr, *xs, argnums=tuple(which))
    value, grads = f(*xs)
    e_value, e_grads = value_and_grad(expr, argnums=tuple(which))(*xs)
    assert close(value, e_value)
    assert len(grads) == len(which)
    assert_all_close(grads, e_grads)
    single = jit(expr, *xs, argnums=which[0])
    assert_all_close(single(*xs), value_and_grad(expr, argnums=which[0])(*xs))


@unused_inputs_are_fine
@given(expression_cases(max_inputs=3, max_depth=5))
def test_the_many_parts_form_for_huge_graphs_agrees_too(case):
    expr, xs = case
    with split_into_parts():
        f = jit(expr, *xs)
    if f.forward_lines + f.backward_lines > 3:
        assert "def _part_1(_slots):" in f.source
    assert_all_close(f(*xs), value_and_grad(expr, argnums=tuple(range(len(xs))))(*xs))
    assert_only_arithmetic(f.source)


# -- relu and abs branch at run time -------------------------------------------------


def kinked(x, y):
    return x.relu() * y + abs(y) - (x - y).relu()


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (-1.0, 2.0), (1.0, -2.0), (-1.5, -0.5), (0.5, 3.0)])
def test_relu_and_abs_take_either_branch_with_new_inputs(x, y):
    f = jit(kinked, 1.0, 2.0)  # traced where x > 0, y > 0, x - y < 0
    value, (dx, dy) = f(x, y)
    step = lambda u: 1.0 if u > 0 else 0.0  # noqa: E731
    assert value == max(x, 0.0) * y + abs(y) - max(x - y, 0.0)
    assert dx == step(x) * y - step(x - y)
    assert dy == max(x, 0.0) + math.copysign(1.0, y) + step(x - y)
    assert_all_close((value, (dx, dy)), eager(kinked, x, y))


def test_relu_derivative_is_an_inline_branch_in_the_source():
    f = jit(lambda x: x.relu() + abs(x), 1.0)
    assert "1.0 if x > 0.0 else 0.0" in f.source
    assert "1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0" in f.source


@unused_inputs_are_fine
@given(
    expression_cases(max_inputs=2, max_depth=4, ops=["relu", "abs", "mul", "add", "sub", "tanh"]),
    st.data(),
)
def test_kinked_expressions_agree_at_fresh_inputs(case, data):
    expr, xs = case
    f = jit(expr, *xs)
    for _ in range(3):
        new = data.draw(st.tuples(*[safe_floats()] * len(xs)))
        if expr.safe_at(new):
            assert_all_close(f(*new), value_and_grad(expr, argnums=tuple(range(len(xs))))(*new))


# -- networks ----------------------------------------------------------------------


@st.composite
def networks(draw):
    nin = draw(st.integers(1, 3))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    activation = draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]))
    output_activation = draw(st.sampled_from(["sigmoid", "tanh", "linear"]))
    model = MLP(
        nin,
        nouts,
        activation=activation,
        output_activation=output_activation,
        seed=draw(st.integers(0, 1000)),
    )
    point = st.lists(safe_floats(), min_size=nin, max_size=nin)
    target = st.lists(safe_floats(-1.0, 1.0), min_size=nouts[-1], max_size=nouts[-1])
    return model, draw(point), draw(target), draw(point), draw(target)


def eager_network(model, params, x, t):
    for p, v in zip(model.parameters(), params):
        p.data = v
        p.grad = 0.0
    loss = sum_of_squares(model(x), t)
    loss.backward()
    return loss.data, [p.grad for p in model.parameters()]


@given(networks(), st.floats(-0.5, 0.5))
def test_random_mlps_agree_with_the_engine(net, shift):
    model, x, t, x2, t2 = net
    params = model.parameters()
    start = [p.data for p in params]
    f = jit(lambda ps, x, t: sum_of_squares(model(x), t), params, x, t, argnums=0)
    assert_all_close(f(start, x, t), eager_network(model, start, x, t))
    moved = [v + shift * math.sin(i) for i, v in enumerate(start)]
    assert_all_close(f(moved, x2, t2), eager_network(model, moved, x2, t2))


def seed_network_loss(w_im, b_m, w_mo, b_o, x, correct):
    """Seed 000's 2-3-1 sigmoid network and its squared error, as the seed writes it."""
    output_m = []
    for m in range(3):
        u = w_im[m][0] * x[0] + w_im[m][1] * x[1] + b_m[m]
        u.label = f"u_m{m}"
        out = u.sigmoid()
        out.label = f"output_m{m}"
        output_m.append(out)
    u = sum((w_mo[0][m] * output_m[m] for m in range(3)), b_o[0])
    u.label = "u_o"
    output_o = u.sigmoid()
    output_o.label = "output_o"
    error = output_o - correct
    error.label = "error"
    return 0.5 * error**2


SEED_ARGS = (
    [[0.5, -0.3], [0.2, 0.8], [-0.7, 0.1]],
    [0.1, -0.2, 0.3],
    [[0.4, -0.6, 0.9]],
    [0.05],
    [1.0, 0.0],
    1.0,
)


def test_seed_network_backward_reads_like_the_seed():
    f = jit(seed_network_loss, *SEED_ARGS, argnums=(0, 1, 2, 3))
    src = f.source
    # output delta: (output - target) * f'(u) with f' = out * (1 - out)
    assert "g_u_o = error * output_o * (1.0 - output_o)" in src
    # hidden deltas: delta_o * w_mo * f'(u_m)
    for m in range(3):
        assert f"g_output_m{m} = g_u_o * w_mo_0_{m}" in src
        assert f"g_u_m{m} = g_output_m{m} * output_m{m} * (1.0 - output_m{m})" in src
        assert f"g_w_mo_0_{m} = g_u_o * output_m{m}" in src  # delta_o * input
        assert f"g_b_m_{m} = g_u_m{m}" in src  # bias: delta_m
        assert f"g_w_im_{m}_0 = g_u_m{m} * x_0" in src  # delta_m * input
    assert "g_b_o_0 = g_u_o" in src
    assert src.index("g_u_o =") < src.index("g_u_m2 =") < src.index("g_w_im_0_0 =")
    value, grads = f(*SEED_ARGS)
    e_value, e_grads = eager(seed_network_loss, *SEED_ARGS)
    assert_all_close((value, grads), (e_value, e_grads[:4]))
    assert_only_arithmetic(src)


def test_per_sample_function_over_a_dataset_accumulates_the_full_batch_gradient():
    model = MLP(2, [4, 1], activation="tanh", output_activation="linear", seed=3)
    params = model.parameters()
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.25]]
    Y = [0.0, 1.0, 1.0, 0.0, 0.5]

    def sample_loss(ps, x, y):
        return (model(x)[0] - y) ** 2

    f = jit(sample_loss, params, X[0], Y[0], argnums=0)
    numbers = [p.data for p in params]
    total, acc = 0.0, [0.0] * len(numbers)
    for x, y in zip(X, Y):
        value, grads = f(numbers, x, y)
        total += value
        acc = [a + g for a, g in zip(acc, grads)]
    model.zero_grad()
    loss = sum(((model(x)[0] - y) ** 2 for x, y in zip(X, Y)), Value(0.0))
    loss.backward()
    assert close(total, loss.data)
    for a, p in zip(acc, params):
        assert math.isclose(a, p.grad, rel_tol=1e-12, abs_tol=1e-14)


# -- what the compiled function accepts -----------------------------------------------


def two_args(ws, x):
    return ws[0][0] * x + ws[0][1] * ws[1][0] * x


@pytest.fixture
def f2():
    return jit(two_args, [[1.0, 2.0], [3.0]], 0.5)


def test_gradients_mirror_the_nesting_of_the_arguments(f2):
    value, (g_ws, g_x) = f2([[1.0, 2.0], [3.0]], 0.5)
    assert value == 1.0 * 0.5 + 2.0 * 3.0 * 0.5
    assert g_ws == [[0.5, 1.5], [1.0]]
    assert g_x == 1.0 + 6.0
    assert f2(([2.0, 2.0], (1.0,)), 1.0) == (4.0, ([[1.0, 1.0], [2.0]], 4.0))  # tuples fit too


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((([[1.0, 2.0], [3.0]]),), TypeError, r"traced with 2 argument\(s\) \(ws, x\), got 1"),
        (
            ([[1.0, 2.0], [3.0]], 0.5, 1.0),
            TypeError,
            r"traced with 2 argument\(s\) \(ws, x\), got 3",
        ),
        (
            ([[1.0, 2.0], [3.0]], [0.5]),
            TypeError,
            r"argument x must be a number, as traced, got a list of 1",
        ),
        (
            ([[1.0, 2.0], 3.0], 0.5),
            TypeError,
            r"argument ws\[1\] must be a list of 1, as traced, got float",
        ),
        (
            ([[1.0, 2.0, 4.0], [3.0]], 0.5),
            ValueError,
            r"argument ws\[0\] must have 2 item\(s\), as traced, got 3",
        ),
        (([[1.0, 2.0]], 0.5), ValueError, r"argument ws must have 2 item\(s\), as traced, got 1"),
        (
            ([[1.0, "2"], [3.0]], 0.5),
            TypeError,
            r"argument ws\[0\]\[1\] must be a number, as traced, got str",
        ),
        (
            ([[1.0, 2.0], [3.0]], None),
            TypeError,
            r"argument x must be a number, as traced, got NoneType",
        ),
        (("ab", 0.5), TypeError, r"argument ws must be a list of 2, as traced, got str"),
        (({1.0, 2.0}, 0.5), TypeError, r"argument ws must be a list of 2, as traced, got set"),
        (
            ([[1.0, Value(2.0)], [3.0]], 0.5),
            TypeError,
            r"ws\[0\]\[1\] must be a number.*got Value.*v\.data",
        ),
        (([[1.0, 2.0], [3.0]], math.nan), ValueError, r"argument x must be finite, got nan"),
    ],
)
def test_arguments_that_do_not_fit_the_trace_say_what_differs(f2, args, error, message):
    with pytest.raises(error, match=message):
        f2(*args)


def test_ints_and_numpy_numbers_give_float_results():
    f = jit(lambda x, y: x * y, 2.0, 3.0)
    assert f(2, 3) == (6.0, (3.0, 2.0))
    assert all(type(v) is float for v in (f(2, 3)[0], *f(2, 3)[1]))
    g = jit(lambda w, x: w * x + 0.5, 1.0, 1.0, argnums=0)
    assert g(1.0, 4) == (4.5, 4.0) and type(g(1.0, 4)[1]) is float
    np = pytest.importorskip("numpy")
    h = jit(lambda xs: xs[0] * xs[1], [1.0, 2.0])
    value, (grads,) = h(np.array([3.0, 4.0]))
    assert value == 12.0 and grads == [4.0, 3.0] and type(value) is float


def test_domain_errors_name_the_op_and_the_line():
    f = jit(lambda x: (x * x - 1.0).log(), 2.0)
    with pytest.raises(
        ValueError,
        match=r"\(compiled\), forward at `t\d = log\(t\d\)`: log\(0\.0\): "
        r"the logarithm is defined only for positive numbers$",
    ):
        f(1.0)
    g = jit(lambda x: (x * x).sqrt(), 2.0)
    with pytest.raises(
        ZeroDivisionError, match=r"backward of sqrt .* local derivative is not finite"
    ):
        g(0.0)
    h = jit(lambda x: x.exp(), 1.0)
    with pytest.raises(
        OverflowError, match=r"forward at `t\d = exp\(x\)`: exp\(1000\.0\): the result overflows"
    ):
        h(1000.0)
    k = jit(lambda x: x * x * x, 1.0)
    with pytest.raises(
        OverflowError,
        match=r"the result is not finite: `t1 = x \* x` \(the forward of mul\) "
        r"gives inf, with x = 1e\+200$",
    ):
        k(1e200)
    d = jit(lambda x, y: x / y, 1.0, 2.0)  # inline `/`: Python's own message, the op named here
    with pytest.raises(
        ZeroDivisionError, match=r"forward of div at `t\d = x / y`: float division by zero"
    ):
        d(1.0, 0.0)


def test_results_stay_plain_floats_without_a_graph():
    x = Value(3.0, label="x")
    f = jit(lambda a: a * a, x)
    assert f(5.0) == (25.0, (10.0,))
    assert x.grad == 0.0  # tracing never ran backward on the caller's Values


# -- labels, safety ------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "x; import os",
        "a\nimport os",
        "__import__('os').system('echo hi')",
        '"""',
        "# c\nraise SystemExit",
        "\u2028import os",
        "ｘ",
        "x",
        "lambda",
        "exp",
        "1st",
        "",
        "g_w",
        "_slots",
        "t1",
        "...",
    ],
)
def test_labels_cannot_inject_code(label):
    w = Value(2.0, label=label)
    v = Value(-1.0, label=label)

    def f(ws, x):
        u = ws[0] * x + ws[1]
        u.label = label
        out = u.tanh()
        out.label = label
        return out * x

    compiled = jit(f, [w, v], 0.5)
    assert_only_arithmetic(compiled.source)
    for line in compiled.source.splitlines():
        code = line.split("#")[0]
        for name in re.findall(r"\b[^\W\d]\w*\b", code):
            assert IDENTIFIER.match(name)
    value, grads = compiled([0.7, 0.2], -1.5)
    assert_all_close(
        (value, grads), eager(lambda ws, x: (ws[0] * x + ws[1]).tanh() * x, [0.7, 0.2], -1.5)
    )


def test_labels_name_the_variables():
    model = MLP(2, [2, 1], seed=0)
    f = jit(lambda ps, x: model(x)[0], model.parameters(), [0.5, -0.5], argnums=0)
    assert "layers_1_neurons_0_w_1" in f.source
    assert "g_layers_0_neurons_1_b = " in f.source
    twice = jit(lambda a, b: a * b, Value(1.0, label="w"), Value(2.0, label="w"))
    assert "def f(a, b):" in twice.source  # scalar arguments keep their parameter names


def test_symbolic_namespace_covers_every_float_function():
    float_names = {k for k in vars(FLOAT) if not k.startswith("_")}
    assert float_names <= {k for k in vars(SYMBOLIC) if not k.startswith("_")}


def test_symbols_print_with_the_parentheses_python_needs():
    a, b, c = Sym.name("a"), Sym.name("b"), Sym.name("c")
    assert str(a - (b - c)) == "a - (b - c)"
    assert str((a - b) - c) == "a - b - c"
    assert str(a * (b / c)) == "a * (b / c)"
    assert str(-(a + b) * c) == "-(a + b) * c"
    assert str(1.0 * a + 0.0) == "a"
    assert str(2.0 * 0.5 * a) == "a"
    assert str(SYMBOLIC.pow(-a, 2.0)) == "(-a) ** 2.0"
    assert str(SYMBOLIC.pow(a, 0.5)) == "power(a, 0.5)"
    assert (
        str(1.0 * Sym.name("x", isfloat=False)) == "1.0 * x"
    )  # keeps an int input's gradient a float
    with pytest.raises(TypeError, match="no truth value"):
        bool(a)


def test_the_rules_are_the_engines_own():
    # A deliberately odd rule (d/dx = 3) is what both the engine and the jit use.
    triple = Op("triple_slope", lambda m, a: a * 2.0, lambda m, g, out, a: (g * 3.0,), 1)
    f = jit(lambda x: _record(triple, x, None) * x, 1.5)
    value, (grad,) = f(2.0)
    assert (value, grad) == (8.0, 3.0 * 2.0 + 4.0)
    assert_all_close((value, (grad,)), eager(lambda x: _record(triple, x, None) * x, 2.0))


# -- the API -------------------------------------------------------------------------


def test_decorator_form_and_repr():
    @jit(2.0, 3.0, argnums=0)
    def f(x, y):
        return x * x * y

    assert isinstance(f, CompiledFunction)
    assert f(1.0, 5.0) == (5.0, 10.0)
    assert repr(f).startswith("<CompiledFunction f(x, y): ")
    assert f.fn(Value(1.0), Value(5.0)).data == 5.0  # the original still runs eagerly


def test_constants_and_closed_over_values_are_frozen_into_the_code():
    w = Value(2.0)
    f = jit(lambda x: w * x, 1.0)
    w.data = 5.0
    assert f(3.0) == (6.0, (2.0,))
    assert "2.0 * x" in f.source or "x * 2.0" in f.source


@pytest.mark.parametrize(
    "fn, examples, kwargs, error, message",
    [
        (lambda x, y: x * y, (1.0,), {}, TypeError, r"cannot be called with 1 example argument"),
        (lambda x: [x], (1.0,), {}, TypeError, r"must return one Value.*model\(x\)\[0\]"),
        (lambda x: "x", (1.0,), {}, TypeError, r"must return one Value"),
        (lambda x: x, ("1.0",), {}, TypeError, r"example x must be a number, a Value or a"),
        (lambda x: x, (Value(1.0) * 2,), {}, TypeError, r"is a Value computed by 'mul'"),
        (lambda x, y: x, (1.0, 2.0), {"argnums": 2}, ValueError, r"argnums=2 does not fit"),
        (lambda x, y: x, (1.0, 2.0), {"argnums": "0"}, TypeError, r"argnums must be None, an int"),
        (lambda x, y: x, (1.0, 2.0), {"argnums": ()}, ValueError, r"differentiates nothing"),
    ],
)
def test_jit_misuse_raises_a_helpful_error(fn, examples, kwargs, error, message):
    with pytest.raises(error, match=message):
        jit(fn, *examples, **kwargs)


def test_tracing_inside_no_grad_is_refused():
    with no_grad(), pytest.raises(RuntimeError, match=r"cannot trace <lambda> inside no_grad"):
        jit(lambda x: x * x, 1.0)


def test_the_same_value_twice_is_refused():
    a = Value(1.0)
    with pytest.raises(ValueError, match=r"the same Value is passed twice \(xs\[0\] and xs\[1\]\)"):
        jit(lambda xs: xs[0] * xs[1], [a, a])


def test_an_argument_read_as_a_plain_number_is_frozen_and_warned_about():
    with pytest.warns(UserWarning, match=r"argument t of <lambda> does not reach its result"):
        f = jit(lambda y, t: 0.5 * (y - t.data) ** 2, 0.5, 1.0)  # t.data is a number: frozen
    assert f(0.5, 0.0) == f(0.5, 1.0) == (0.125, (-0.5, 0.0))


def test_constant_results_and_unused_arguments():
    with pytest.warns(UserWarning, match="argument y of <lambda> does not reach"):
        f = jit(lambda x, y: x * 2.0, 1.0, 5.0)
    assert f(3.0, 7.0) == (6.0, (2.0, 0.0))
    with pytest.warns(UserWarning):
        g = jit(lambda x: Value(4.0), 1.0)
    assert g(2.0) == (4.0, (0.0,))
    h = jit(lambda x: x, 1.0)
    assert h(2.5) == (2.5, (1.0,))


def test_a_collected_compiled_function_leaves_linecache_alone():
    # A finalizer that removed the source from linecache could run in the middle of
    # linecache.checkcache()'s loop (pdb and doctest call it) and make it fail with KeyError.
    import gc
    import linecache

    f = jit(lambda x: x * x + 1.0, 2.0)
    names = [n for n in linecache.cache if n in f._what]
    assert names, "the generated source is in linecache, for tracebacks"
    del f
    gc.collect()
    assert all(n in linecache.cache for n in names)
    linecache.checkcache()


def test_the_generated_sources_kept_for_tracebacks_are_bounded(monkeypatch):
    import linecache

    from tinygrad_edu import codegen

    monkeypatch.setattr(codegen, "SOURCE_BUDGET", 1)
    first = jit(lambda x: x * 3.0, 1.0)
    first_names = list(first._what)
    second = jit(lambda x: x * 4.0, 1.0)
    assert not any(n in linecache.cache for n in first_names)  # the oldest left
    assert all(n in linecache.cache for n in second._what)
