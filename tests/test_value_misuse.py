"""Values handled carelessly: numbers assigned by hand, pickling and copying big graphs."""

import copy
import math
import pickle

import pytest

from tinygrad_edu import NonFiniteGradientError, Op, Value, register
from tinygrad_edu.ops import OPS


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "use",
    [
        lambda x: x.relu(),
        lambda x: x.tanh(),
        lambda x: x.sigmoid(),
        lambda x: x.exp(),
        lambda x: x + 1.0,
        lambda x: 2.0 * x,
        lambda x: 1.0 / x,
        lambda x: x**-1,
        lambda x: 0.5**x,
        lambda x: Value(2.0) ** x,
        lambda x: x - x,
    ],
)
def test_non_finite_data_assigned_by_hand_is_caught_when_used(bad, use):
    x = Value(1.0, label="x")
    x.data = bad
    with pytest.raises(
        ValueError, match=r"'x' has \.data = (nan|inf|-inf); \.data must be a finite number"
    ):
        use(x)


def test_pickle_round_trip_keeps_numbers_ops_and_labels():
    x = Value(2.0, label="x")
    y = (x * x + 3.0).tanh() ** 2
    y.backward()
    z = pickle.loads(pickle.dumps(y))
    assert (z.data, z.grad, z.op) == (y.data, y.grad, "power")
    assert z.formula() == y.formula()
    leaf = z.parents[0].parents[0].parents[0].parents[0]
    assert leaf.label == "x" and leaf.grad == x.grad and leaf is not x
    z.backward()  # the copy is a working graph
    assert leaf.grad == pytest.approx(2 * x.grad)


def test_shared_leaves_stay_shared_in_one_pickle():
    x = Value(2.0, label="x")
    y = x * x
    x2, y2 = pickle.loads(pickle.dumps([x, y]))
    assert y2.parents == (x2, x2)


@pytest.mark.parametrize("copier", [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy])
def test_a_chain_100000_deep_copies_without_recursion(copier):
    v = Value(0.5)
    for _ in range(100_000):
        v = v * 1.0000001
    w = copier(v)
    assert w.data == v.data and w.op == "mul"


def test_an_unregistered_op_is_refused_clearly():
    mine = Op("mine_for_pickle", lambda m, x: x, lambda m, g, out, x: (g,))
    with pytest.raises(
        TypeError, match=r"'mine_for_pickle', which is not registered: call tinygrad_edu\.register"
    ):
        pickle.dumps(mine(Value(1.0)))


def test_a_registered_op_round_trips_and_a_missing_one_is_named():
    mine = register(Op("mine_registered", lambda m, x: x * 2.0, lambda m, g, out, x: (g * 2.0,)))
    try:
        blob = pickle.dumps(mine(Value(1.0)))
        assert pickle.loads(blob).op == "mine_registered"
    finally:
        del OPS["mine_registered"]
    with pytest.raises(ValueError, match="'mine_registered': no op of that name is registered"):
        pickle.loads(blob)


@pytest.mark.parametrize("held", [float("nan"), float("inf"), -float("inf")])
def test_a_gradient_that_was_not_finite_before_the_pass_is_named_as_such(held):
    p = Value(1.0, label="p")
    p.grad = held
    with pytest.raises(NonFiniteGradientError, match=r"'p' held the gradient .* before this pass"):
        (p * 2).backward()
    assert repr(p.grad) == repr(held)  # left as it was
    p.grad = 1.0
    (p * 2).backward()
    assert p.grad == 3.0
