"""jit under hostile input: any label compiles, numbers that are not finite are refused,
and a gradient that is not finite is an error naming the line where it stopped being so."""

import ast
import functools
import importlib
import keyword
import math
import re
import unicodedata
import warnings
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_edu import Value, jit, value_and_grad
from tinygrad_edu.testing import expression_cases

jit_module = importlib.import_module("tinygrad_edu.codegen")
layout_module = importlib.import_module("tinygrad_edu.codelayout")

SPLIT = pytest.mark.parametrize("split", [False, True], ids=["one function", "split in parts"])


@pytest.fixture
def parts(monkeypatch):
    """A function that forces (or not) the many-parts rendering used for very large graphs."""

    def choose(split):
        if split:
            monkeypatch.setattr(layout_module, "_SINGLE_FUNCTION_LINES", 3)
            monkeypatch.setattr(layout_module, "_PART_LINES", 4)

    return choose


@functools.cache
def characters_that_cannot_start_a_name():
    """Characters that may continue a Python name but not start one ('·', '‿', combining
    accents, digits), and those whose NFKC form begins with one ('゛', '΄', '¹')."""
    found = []
    for code in range(0x110000):
        c = chr(code)
        if ("_" + c).isidentifier() and not c.isidentifier():
            found.append(c)
            continue
        normal = unicodedata.normalize("NFKC", c)
        if (
            normal != c
            and normal
            and not normal[0].isidentifier()
            and ("_" + normal.strip()).isidentifier()
        ):
            found.append(c)
    return found


#: Any text at all: every Unicode category, lone surrogates and NUL included.
any_text = st.text(st.characters(exclude_categories=()), max_size=30)
awkward_starts = st.deferred(lambda: st.sampled_from(characters_that_cannot_start_a_name()))
hostile_labels = st.one_of(
    any_text,
    st.builds(lambda c, rest: c + rest, awkward_starts, any_text),
    st.builds(
        lambda a, c, b: a + c + b,
        st.sampled_from(["", "_", "__", "1", " ", "x"]),
        awkward_starts,
        st.sampled_from(["", "x", "_", "\u0301", "\u309b", "if", "·"]),
    ),
    st.sampled_from(
        keyword.kwlist
        + [
            "exp",
            "sigmoid",
            "power_v",
            "self",
            "_slots",
            "_part_1",
            "g_x",
            "t1",
            "ｉｆ",
            "ｅｘｐ",
            "__builtins__",
            "<lambda>",
        ]
    ),
)


def assert_only_arithmetic(source):
    """Every name of the generated code is an identifier Python reads as written (NFKC form),
    and the code holds no import, attribute, string or call other than the FLOAT functions."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Attribute, ast.Lambda)), (
            ast.dump(node)
        )
        if isinstance(node, ast.Constant):
            assert type(node.value) in (float, int), node.value
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and not node.keywords
        if isinstance(node, ast.Name):
            assert node.id.isidentifier() and not node.id.startswith("__")


def the_function(labels):
    """f(ws, x): labelled leaves (passed as Values) and labelled intermediate nodes."""
    a, b, c, d = labels

    def f(ws, x):
        u = ws[0] * x + ws[1]
        u.label = c
        out = u.tanh()
        out.label = d
        return out * x + ws[0].sigmoid()

    return f, [Value(0.7, label=a), Value(-0.2, label=b)]


def eager_value_and_grads(ws, x):
    w0, w1, xv = Value(ws[0]), Value(ws[1]), Value(x)
    out = (w0 * xv + w1).tanh() * xv + w0.sigmoid()
    out.backward()
    return out.data, ([w0.grad, w1.grad], xv.grad)


@SPLIT
@settings(max_examples=150)
@given(labels=st.lists(hostile_labels, min_size=4, max_size=4), name=hostile_labels)
def test_any_label_gives_code_that_compiles(split, labels, name):
    with pytest.MonkeyPatch.context() as patch:
        if split:
            patch.setattr(layout_module, "_SINGLE_FUNCTION_LINES", 3)
            patch.setattr(layout_module, "_PART_LINES", 4)
        f, params = the_function(labels)
        f.__name__ = name  # the generated function is named after it too
        compiled = jit(f, params, 0.5)
    assert ("def _part_1(_slots):" in compiled.source) == split
    assert_only_arithmetic(compiled.source)
    value, grads = compiled([0.3, 0.1], -1.5)
    expected_value, expected_grads = eager_value_and_grads([0.3, 0.1], -1.5)
    assert math.isclose(value, expected_value, rel_tol=1e-12)
    for got, want in zip(grads[0] + [grads[1]], expected_grads[0] + [expected_grads[1]]):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize(
    "label",
    [
        "·",
        "·x",
        "‿",
        "‿x",
        "\u0301",
        "\u0301a",
        "゛",
        "゛x",
        "\u0387",
        "\u1369",
        "¹",
        "\x00",
        "\ud800",
        "x" * 100_000,
        "ｉｆ",
        "None",
    ],
    ids=lambda label: ascii(label[:8]) + (f"x{len(label)}" if len(label) > 8 else ""),
)
@SPLIT
def test_labels_that_once_gave_a_syntax_error(label, split, parts):
    parts(split)
    f, params = the_function([label] * 4)
    compiled = jit(f, params, 0.5)
    assert_only_arithmetic(compiled.source)
    assert compiled([0.3, 0.1], -1.5)[0] == pytest.approx(
        eager_value_and_grads([0.3, 0.1], -1.5)[0]
    )


def test_labels_keep_their_letters():
    f, params = the_function(["·w", "1st", "if", "ｂ"])
    source = jit(f, params, 0.5).source
    assert "v_·w" in source and "v_1st" in source and "if_" in source and " b " in source


# -- numbers that are not finite --------------------------------------------------------


def sigmoid_of(x):
    return x.sigmoid()


@pytest.mark.parametrize(
    "bad, shown",
    [
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
        (10**400, r"1000000000000000\.\.\.00000000 \(401 characters\), too large for a float"),
        (-(10**400), r"-100000000000000\.\.\.00000000 \(402 characters\), too large for a float"),
        (
            Fraction(10**400, 3),
            r"Fraction\(1000000\.\.\.0000, 3\) \(414 characters\), too large for a float",
        ),
    ],
    ids=["inf", "-inf", "nan", "10**400", "-10**400", "Fraction(10**400, 3)"],
)
@SPLIT
def test_an_argument_that_is_not_finite_is_refused_by_name(bad, shown, split, parts):
    parts(split)
    f = jit(sigmoid_of, 0.0)
    assert f(0.0) == (0.5, (0.25,))
    with pytest.raises(ValueError, match=rf"^sigmoid_of: argument x must be finite, got {shown}"):
        f(bad)  # sigmoid(inf) would be 1.0 with gradient 0.0
    g = jit(lambda ws, x: ws[0][1] * x + ws[1][0], [[1.0, 2.0], [3.0]], 0.5)
    with pytest.raises(ValueError, match=rf"argument ws\[0\]\[1\] must be finite, got {shown}"):
        g([[1.0, bad], [3.0]], 0.5)
    with pytest.raises(ValueError, match=rf"argument ws\[1\]\[0\] must be finite, got {shown}"):
        g([[1.0, 2.0], (bad,)], 0.5)


def test_an_unused_argument_must_be_finite_too():
    with pytest.warns(UserWarning, match="does not reach"):
        f = jit(lambda x, y: x * 2.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"argument y must be finite, got inf"):
        f(1.0, math.inf)
    with pytest.raises(ValueError, match=r"argument x must be finite, got -inf"):
        jit(lambda x: x.relu(), 1.0)(-math.inf)  # relu(-inf) would be 0.0, gradient 0.0
    with pytest.raises(ValueError, match=r"too large for a float"):
        jit(lambda x: x.relu(), 1.0)(-(10**400))  # never converted to a float on the way


def test_numpy_numbers_that_are_not_finite_are_refused():
    np = pytest.importorskip("numpy")
    f = jit(lambda xs, y: xs[0] * xs[1] + y, [1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match=r"argument xs\[1\] must be finite, got inf"):
        f(np.array([1.0, np.inf]), 0.5)
    with pytest.raises(ValueError, match=r"argument y must be finite, got nan"):
        f([1.0, 2.0], np.float64("nan"))


@SPLIT
def test_a_gradient_that_is_not_finite_names_the_op_and_the_line(split, parts):
    parts(split)
    f = jit(lambda x, y: x / y, 1.0, 2.0)
    assert f(1.0, 2.0) == (0.5, (0.5, -0.25))
    with pytest.raises(
        OverflowError,
        match=re.escape(
            "<lambda> (compiled): a gradient is not finite: `g_y = -t1 / y` (the backward of div, "
            "from `t1 = x / y`) gives -inf, with t1 = 1e+200, y = 1e-200"
        ),
    ):
        f(1.0, 1e-200)  # the value 1e200 is finite; d/dy = -1e400 is not


@SPLIT
def test_a_value_that_stops_being_finite_names_the_forward_line(split, parts):
    parts(split)
    f = jit(lambda x: (x * x * x).tanh(), 1.0)
    with pytest.raises(
        OverflowError,
        match=re.escape(
            "a gradient is not finite: `t1 = x * x` (the forward of mul) gives inf, with x = 1e+200"
        ),
    ):
        f(1e200)  # tanh(inf) = 1.0 is finite; its gradient is nan
    g = jit(lambda x, y: (x * y - x * y) * 2.0, 1.0, 1.0)
    with pytest.raises(
        OverflowError,
        match=re.escape(
            "the result is not finite: `t1 = x * y` (the forward of mul) gives inf, "
            "with x = 1e+200, y = 1e+200"
        ),
    ):
        g(1e200, 1e200)  # inf - inf: nan


def test_finite_numbers_whose_sum_overflows_are_fine():
    """The fast check adds everything up; an overflowing sum only sends the call down
    the slow path, which checks each number."""
    f = jit(lambda xs: xs[0] * 1e-10 + xs[1] * 1e-10, [1.0, 1.0])
    # The arguments' sum overflows:
    assert f([1e308, 1e308]) == (1e308 * 1e-10 + 1e308 * 1e-10, ([1e-10, 1e-10],))
    g = jit(lambda x: x * 1.7, 1.0)
    assert g(1e308) == (1.7e308, (1.7,))  # value + argument overflows


@settings(max_examples=150)
@given(expression_cases(max_inputs=3, max_depth=5), st.data())
def test_compiled_functions_never_return_a_number_that_is_not_finite(case, data):
    expr, xs = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # random expressions need not use every input
        f = jit(expr, *xs)
    wide = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
    new = data.draw(st.tuples(*[wide] * len(xs)))
    try:
        value, grads = f(*new)
    except (ValueError, ArithmeticError) as err:
        assert str(err).startswith(f"{f.__name__} (compiled)"), err
        return
    assert math.isfinite(value) and all(math.isfinite(g) for g in grads)
    try:
        expected = value_and_grad(expr, argnums=tuple(range(len(xs))))(*new)
    except (ValueError, ArithmeticError):
        return  # the engine refuses an intermediate inf the compiled code saturates past
    for got, want in zip((value, *grads), (expected[0], *expected[1])):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300), (got, want)
