"""Value and backward: construction, errors, graph structure, the chain rule, no_grad."""

import gc
import math
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

from tinygrad_edu import Value, is_grad_enabled, no_grad, topological_order, zero_grad
from tinygrad_edu.testing import safe_floats

# ---------------------------------------------------------------------------
# Construction


@pytest.mark.parametrize(
    "data, expected",
    [
        (2, 2.0),
        (True, 1.0),
        (False, 0.0),
        (-1.5, -1.5),
        (np.float32(0.5), 0.5),
        (np.float64(2.5), 2.5),
        (np.array([3.0]), 3.0),
        (np.int64(7), 7.0),
    ],
)
def test_value_holds_a_float(data, expected):
    v = Value(data)
    assert type(v.data) is float and v.data == expected  # numpy scalars become floats too
    assert repr(v) == f"Value(data={expected!r}, grad=0.0)"
    assert type(v.grad) is float and v.grad == 0.0
    assert v.label == "" and v.op == "" and v.parents == () and v.is_leaf


@pytest.mark.parametrize(
    "data, type_name",
    [("3", "str"), (None, "NoneType"), (1 + 2j, "complex"), ([1.0], "list"), ((1.0,), "tuple")],
)
def test_value_rejects_non_numbers_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=rf"Value holds a real number, got {type_name}"):
        Value(data)


def test_value_rejects_an_array_of_several_numbers():
    with pytest.raises(TypeError, match=r"array of shape \(3,\)"):
        Value(np.array([1.0, 2.0, 3.0]))


def test_value_of_a_value_says_how_to_copy_one():
    with pytest.raises(TypeError, match=r"got Value .*use Value\(v\.data\)"):
        Value(Value(1.0))


@pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_value_rejects_nan_and_infinity(data):
    with pytest.raises(ValueError, match=r"Value data must be finite, got (nan|inf|-inf)"):
        Value(data)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)


# ---------------------------------------------------------------------------
# Domain errors name the op and the operand; never a bare "math domain error"

DOMAIN_ERRORS = [
    # (what the learner wrote, error type, message naming op and operand)
    (
        lambda: Value(0.0, label="p").log(),
        ValueError,
        r"^log\(p = 0\.0\): the logarithm is defined only for positive numbers$",
    ),
    (lambda: Value(-2.0).log(), ValueError, r"^log\(-2\.0\): .*positive numbers"),
    (
        lambda: Value(-4.0, label="s").sqrt(),
        ValueError,
        r"^sqrt\(s = -4\.0\): the square root is defined only for numbers >= 0$",
    ),
    (
        lambda: Value(0.0, label="z") ** -1,
        ZeroDivisionError,
        r"^power\(z = 0\.0, -1\.0\): 0\.0 cannot be raised to a negative power$",
    ),
    (
        lambda: Value(0.0) ** -0.5,
        ZeroDivisionError,
        r"^power\(0\.0, -0\.5\): 0\.0 cannot be raised to a negative power$",
    ),
    (
        lambda: Value(-8.0) ** (1 / 3),
        ValueError,
        r"^power\(-8\.0, 0\.333\d+\): a negative base to a non-integer power is not a real number$",
    ),
    (
        lambda: Value(1.0, label="n") / 0,
        ZeroDivisionError,
        r"^div\(n = 1\.0, 0\.0\): division by zero$",
    ),
    (
        lambda: Value(1.0) / Value(0.0, label="d"),
        ZeroDivisionError,
        r"^div\(1\.0, d = 0\.0\): division by zero",
    ),
    (lambda: 2.0 / Value(0.0), ZeroDivisionError, r"^div\(2\.0, 0\.0\): division by zero"),
    (
        lambda: Value(-2.0, label="b") ** Value(2.0),
        ValueError,
        r"^pow\(b = -2\.0, 2\.0\): with a Value exponent the base must be positive",
    ),
    (lambda: (-2.0) ** Value(3.0), ValueError, r"^pow\(-2\.0, 3\.0\): .*Value exponent"),
    (lambda: 0 ** Value(1.0), ValueError, r"^pow\(0\.0, 1\.0\): .*base must be positive"),
    (
        lambda: Value(1000.0, label="u").exp(),
        OverflowError,
        r"^exp\(u = 1000\.0\): the result overflows a float \(the largest float is about e \*\* 709\.78\)$",
    ),
    (
        lambda: Value(1e200) * Value(1e200),
        OverflowError,
        r"^mul\(1e\+200, 1e\+200\): the result overflows",
    ),
    (
        lambda: Value(1e308) + 1e308,
        OverflowError,
        r"^add\(1e\+308, 1e\+308\): the result overflows",
    ),
    (
        lambda: Value(10.0) ** 400,
        OverflowError,
        r"^power\(10\.0, 400\.0\): the result overflows a float$",
    ),
    (lambda: Value(1.0) + math.nan, ValueError, r"number operand must be finite, got nan"),
    (lambda: Value(1.0) ** math.inf, ValueError, r"^power: the exponent must be finite, got inf"),
]


@pytest.mark.parametrize("make, error, message", DOMAIN_ERRORS)
def test_domain_errors_name_the_op_and_operand(make, error, message):
    with pytest.raises(error, match=message) as info:
        make()
    text = str(info.value)
    assert "math domain error" not in text
    op = text.split("(", 1)[0]
    assert (
        text.count(f"{op}:") == 0 and text.count(f"{op} of") == 0
    )  # the op is named once, up front


def test_a_failed_op_records_nothing_and_leaves_its_operand_intact():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    assert x.data == -1.0 and x.grad == 0.0 and x.is_leaf


def test_a_non_finite_local_derivative_in_backward_names_the_op():
    x = Value(0.0, label="x")
    y = x.sqrt()  # sqrt(0) = 0 is fine; its slope 1 / (2 sqrt(0)) is not
    with pytest.raises(
        ZeroDivisionError, match=r"backward of sqrt\(x = 0\.0\): the local derivative is not finite"
    ):
        y.backward()
    z = Value(0.0, label="z")
    with pytest.raises(
        ZeroDivisionError,
        match=r"^backward of power\(z = 0\.0, 0\.5\): the local derivative is "
        r"not finite here \(pow\(0\.0, -0\.5\): 0\.0 cannot be raised",
    ):
        (z**0.5).backward()  # d/dz z**0.5 = 0.5 * z**-0.5


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(1.0) + "a",
        lambda: "a" * Value(1.0),
        lambda: Value(1.0) ** "2",
        lambda: [1] - Value(1.0),
    ],
)
def test_unsupported_operand_types_raise_type_error(make):
    with pytest.raises(TypeError, match="unsupported operand|can't multiply|can.t multiply"):
        make()


# ---------------------------------------------------------------------------
# Graph structure, repr, comparisons, identity


def test_ops_record_their_name_and_parents_in_order_with_duplicates():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a - b
    assert c.op == "sub" and c.parents == (a, b) and not c.is_leaf
    d = a + a
    assert d.parents == (a, a)
    e = b.tanh()
    assert e.op == "tanh" and e.parents == (b,)
    f = 2**a  # a number on the left becomes a constant leaf
    assert f.op == "pow" and f.parents[1] is a and f.parents[0].data == 2.0 and f.parents[0].is_leaf


def test_in_place_operators_build_new_nodes():
    a = Value(2.0)
    x = a
    x += 1
    x *= a
    x -= 0.5
    x /= 2
    x **= 2  # x = (((a + 1) * a - 0.5) / 2) ** 2
    assert x is not a and a.data == 2.0 and a.is_leaf
    assert x.data == 7.5625
    x.backward()
    assert a.grad == 2 * 2.75 * (2 * 2.0 + 1) / 2  # 2 * inner * d(inner)/da


def test_repr_reads_well_in_a_repl():
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"
    c = Value(2.0) * 3
    c.backward()
    assert repr(c) == "Value(data=6.0, grad=1.0, op='mul')"


def test_comparisons_look_at_data_and_are_not_recorded():
    a, b = Value(1.0), Value(2.0)
    results = [a < b, a <= b, a > b, a >= b, a < 1.5, a >= 1, 0.5 < a, 3 > b]
    assert results == [True, True, False, False, True, True, True, True]
    assert all(type(r) is bool for r in results)
    assert a.is_leaf and b.is_leaf and max(a, b) is b and sorted([b, a]) == [a, b]
    with pytest.raises(TypeError, match="cannot compare a Value with str"):
        a < "x"


def test_equality_and_hashing_are_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and not (a == 1.0)
    assert len({a, b, a}) == 2
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"
    a.data = 5.0  # mutating data does not move it in a set
    assert a in {a}


def test_float_conversion():
    assert float(Value(2.5)) == 2.5
    assert math.isclose(math.sin(Value(1.0)), math.sin(1.0))


# ---------------------------------------------------------------------------
# backward: the chain rule


def test_backward_on_a_small_graph():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a  # dc/da = b + 1, dc/db = a
    c.backward()
    assert (c.grad, a.grad, b.grad) == (1.0, -2.0, 2.0)


def test_fan_out_adds_the_paths():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0


def test_fan_out_through_an_intermediate_node_reached_first_from_the_root():
    # out -> t directly and out -> s -> t: t must be processed after s.
    x = Value(0.7)
    t = -x
    s = t + t
    out = s + t
    out.backward()
    assert x.grad == -3.0


def test_one_node_reached_by_many_paths():
    # Each layer doubles the number of paths from the root to x: 2**20 of them.
    x = Value(1.5)
    y = x
    for _ in range(20):
        y = y * 1.0 + y * 1.0
    y.backward()
    assert y.data == 1.5 * 2**20 and x.grad == 2.0**20
    assert (
        len(topological_order(y)) == 1 + 20 * 5
    )  # every node once: x, and per layer 2 consts, 2 muls, 1 add


def test_a_node_reused_across_a_diamond_gets_every_contribution():
    x = Value(0.5)
    h = x.tanh()
    a, b, c = h * 2.0, h.exp(), h * h
    out = a + b * c + h
    out.backward()
    dh = 2.0 + math.exp(h.data) * h.data**2 + math.exp(h.data) * 2 * h.data + 1.0
    assert x.grad == pytest.approx(dh * (1 - math.tanh(0.5) ** 2), rel=1e-12)


def test_topological_order_puts_every_node_before_its_parents():
    x, y = Value(1.0), Value(2.0)
    t = x * y
    u = t + x
    out = u * t + y
    order = topological_order(out)
    assert order[0] is out and len(order) == len(set(order)) == 6
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[node] < position[p]


def test_backward_of_a_leaf_sets_its_grad_to_one():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_a_million_op_chain_backpropagates_without_touching_the_recursion_limit():
    limit = sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(500_000):  # 1,000,000 ops: alternately add and multiply
        y = y + 0.5
        y = y * 1.000001
    y.backward()
    assert x.grad == pytest.approx(1.000001**500_000, rel=1e-9)  # about e ** 0.5
    assert sys.getrecursionlimit() == limit
    del y  # freeing a million-deep chain must not crash
    gc.collect()
    assert x.grad > 1.6


# ---------------------------------------------------------------------------
# Accumulation and zero_grad


def test_a_second_backward_accumulates_into_leaves():
    a = Value(3.0)
    b = a * a
    b.backward()
    assert a.grad == 6.0
    b.backward()
    assert a.grad == 12.0
    assert b.grad == 1.0  # intermediate nodes show the latest pass only


def test_zero_grad_for_a_list_of_parameters():
    w, v = Value(1.0), Value(2.0)
    (w * v).backward()
    assert (w.grad, v.grad) == (2.0, 1.0)
    zero_grad([w, v])
    assert (w.grad, v.grad) == (0.0, 0.0)
    w.grad = v.grad = 5.0
    zero_grad(iter([w]))  # any iterable works
    assert (w.grad, v.grad) == (0.0, 5.0)


def test_value_zero_grad_clears_the_whole_graph():
    a, b = Value(1.0), Value(2.0)
    c = (a * b).exp()
    c.backward()
    assert all(n.grad != 0.0 for n in topological_order(c))
    c.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(c))
    c.backward()
    assert a.grad == pytest.approx(2.0 * math.exp(2.0))  # fresh, not doubled


# ---------------------------------------------------------------------------
# Higher order: backward(create_graph=True)


def test_create_graph_gives_second_derivatives():
    x = Value(2.0)
    y = x**4 - 2 * x**2
    y.backward(create_graph=True)
    dy = x.grad
    assert isinstance(dy, Value) and dy.data == 24.0  # 4x^3 - 4x
    x.grad = 0.0
    dy.backward()
    assert x.grad == 44.0  # 12x^2 - 4


@given(safe_floats(-2.0, 2.0))
def test_third_derivative_of_sin_by_repeated_create_graph(x0):
    x = Value(x0)
    d = x.sin()
    expected = [math.cos(x0), -math.sin(x0), -math.cos(x0)]
    for want in expected:
        x.grad = 0.0
        d.backward(create_graph=True)
        d = x.grad
        assert d.data == pytest.approx(want, abs=1e-12)


def test_create_graph_of_a_function_without_a_path_gives_float_zero():
    x, y = Value(1.0), Value(2.0)
    out = y * 3
    out.backward(create_graph=True)
    assert x.grad == 0.0 and isinstance(y.grad, Value) and y.grad.data == 3.0


# ---------------------------------------------------------------------------
# no_grad


def test_no_grad_records_nothing():
    x = Value(3.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
    assert is_grad_enabled()
    assert y.data == 10.0 and y.is_leaf and y.parents == ()
    z = x * x
    assert z.parents == (x, x)


def test_no_grad_is_restored_after_an_exception_and_nests():
    with pytest.raises(ValueError), no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
        raise ValueError("boom")
    assert is_grad_enabled()


def test_no_grad_as_a_decorator():
    @no_grad()
    def evaluate(x):
        return x * 2

    assert evaluate(Value(1.0)).is_leaf


def test_no_grad_in_one_thread_does_not_affect_another():
    inside = threading.Event()
    done = threading.Event()
    seen = {}

    def evaluator():
        with no_grad():
            seen["evaluator"] = (Value(1.0) * 2).is_leaf
            inside.set()
            done.wait(timeout=10)

    def trainer():
        inside.wait(timeout=10)
        x = Value(1.0)
        y = x * 2
        seen["trainer"] = (is_grad_enabled(), len(y.parents) == 2 and y.parents[0] is x)
        done.set()

    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert seen == {"evaluator": True, "trainer": (True, True)}
    assert is_grad_enabled()


# ---------------------------------------------------------------------------
# Import weight


def test_import_tinygrad_edu_imports_nothing_heavy():
    heavy = ["hypothesis", "graphviz", "matplotlib", "tqdm", "numpy", "tinygrad_edu.testing"]
    code = f"import sys, tinygrad_edu; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == ""
