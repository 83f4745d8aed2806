import math
import warnings

import pytest
from hypothesis import assume, given, strategies as st

from tinygrad_edu import Value, gradcheck
from tinygrad_edu.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l2_penalty,
    log_softmax,
    max_margin,
    mean_squared_error,
    softmax,
    softmax_cross_entropy,
    sum_of_squares,
)

finite = st.floats(-3, 3, allow_nan=False)
probability = st.floats(0.05, 0.95)
target01 = st.sampled_from([0.0, 1.0])


def vals(xs):
    return [Value(x) for x in xs]


def float_softmax(zs):
    top = max(zs)
    e = [math.exp(z - top) for z in zs]
    return [x / sum(e) for x in e]


# -- values on hand-computed numbers ------------------------------------------------


def test_sum_of_squares_and_its_gradient_is_y_minus_t():
    y = vals([0.8, 0.3, -1.0])
    loss = sum_of_squares(y, [1.0, 0.0, 1.0])
    assert loss.data == pytest.approx(0.5 * (0.04 + 0.09 + 4.0))
    loss.backward()
    assert [v.grad for v in y] == pytest.approx([-0.2, 0.3, -2.0])


def test_mean_squared_error():
    got = mean_squared_error(vals([1.0, 2.0, 4.0]), [1.0, 0.0, 1.0]).data
    assert got == pytest.approx((0 + 4 + 9) / 3)
    assert mean_squared_error(Value(3.0), 1.0).data == 4.0


def test_binary_cross_entropy_values():
    got = binary_cross_entropy(vals([0.9, 0.2]), [1, 0]).data
    assert got == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2, rel=1e-6)


@pytest.mark.parametrize("y,t", [(0.0, 0), (1.0, 1), (0.0, 1), (1.0, 0)])
def test_binary_cross_entropy_at_exactly_0_and_1(y, t):
    v = Value(y)
    loss = binary_cross_entropy(v, t)
    loss.backward()
    assert math.isfinite(loss.data) and math.isfinite(v.grad)
    if y == t:
        assert abs(loss.data) < 1e-15  # a perfect prediction costs 0
    else:
        assert loss.data == pytest.approx(-math.log(1e-7), rel=1e-6)  # large but finite
    assert v.grad == pytest.approx(-t / (y + 1e-7) + (1 - t) / (1 - y + 1e-7), rel=1e-9)


def test_bce_with_logits_matches_bce_of_sigmoid_and_is_stable():
    for z, t in [(-2.0, 1), (0.3, 0), (1.7, 1), (0.0, 0)]:
        p = 1 / (1 + math.exp(-z))
        expected = -(t * math.log(p) + (1 - t) * math.log(1 - p))
        assert binary_cross_entropy_with_logits(Value(z), t).data == pytest.approx(
            expected, rel=1e-12
        )
    assert binary_cross_entropy_with_logits(1000.0, 1).data == 0.0
    assert binary_cross_entropy_with_logits(-1000.0, 1).data == pytest.approx(1000.0)
    assert binary_cross_entropy_with_logits(1000.0, 0).data == pytest.approx(1000.0)


@given(st.floats(-30, 30), st.floats(0, 1))
def test_bce_with_logits_gradient_is_sigmoid_minus_t(z, t):
    v = Value(z)
    binary_cross_entropy_with_logits(v, t).backward()
    assert v.grad == pytest.approx(1 / (1 + math.exp(-z)) - t, abs=1e-12)


def test_softmax_values_and_stability():
    p = softmax([1.0, 2.0, 3.0])
    assert [x.data for x in p] == pytest.approx(float_softmax([1.0, 2.0, 3.0]))
    assert sum(x.data for x in p) == pytest.approx(1.0)
    assert [x.data for x in softmax([1000.0, 1000.0])] == [0.5, 0.5]
    assert [x.data for x in log_softmax([1000.0, 0.0])] == pytest.approx([0.0, -1000.0])


def test_softmax_cross_entropy_label_and_one_hot_agree():
    z = [0.5, -1.0, 2.0]
    expected = -math.log(float_softmax(z)[2])
    assert softmax_cross_entropy(vals(z), 2).data == pytest.approx(expected, rel=1e-12)
    assert softmax_cross_entropy(vals(z), [0, 0, 1]).data == pytest.approx(expected, rel=1e-12)
    assert softmax_cross_entropy([1000.0, 0.0, -1000.0], 0).data == pytest.approx(0.0, abs=1e-12)
    assert softmax_cross_entropy([1000.0, 0.0], 1).data == pytest.approx(1000.0)


def test_softmax_cross_entropy_soft_targets():
    z, t = [0.5, -1.0, 2.0], [0.2, 0.3, 0.5]
    expected = -sum(ti * math.log(p) for ti, p in zip(t, float_softmax(z)))
    assert softmax_cross_entropy(vals(z), t).data == pytest.approx(expected, rel=1e-12)


def test_softmax_cross_entropy_batch_is_the_mean():
    batch = [[1.0, 2.0], [3.0, 0.0], [0.0, 0.0]]
    labels = [1, 0, 1]
    one_by_one = [softmax_cross_entropy(z, t).data for z, t in zip(batch, labels)]
    assert softmax_cross_entropy(batch, labels).data == pytest.approx(sum(one_by_one) / 3)


def test_max_margin_values():
    assert max_margin([2.0, 0.5, -1.0], [1, 1, 1]).data == pytest.approx(2.5 / 3)
    assert max_margin([2.0, 0.5], [-1, -1]).data == pytest.approx((3.0 + 1.5) / 2)
    assert max_margin(Value(1.5), 1).data == 0.0


def test_l2_penalty():
    ps = vals([1.0, -2.0, 0.5])
    loss = l2_penalty(ps, 0.1)
    loss.backward()
    assert loss.data == pytest.approx(0.1 * 5.25)
    assert [p.grad for p in ps] == pytest.approx([0.2, -0.4, 0.1])


# -- gradients against finite differences -----------------------------------------------


@given(st.lists(finite, min_size=1, max_size=5), st.data())
def test_gradcheck_sum_of_squares_and_mse(ys, data):
    ts = data.draw(st.lists(finite, min_size=len(ys), max_size=len(ys)))
    assert gradcheck(lambda *v: sum_of_squares(list(v), ts), *ys)
    assert gradcheck(lambda *v: mean_squared_error(list(v), ts), *ys)


@given(st.lists(probability, min_size=1, max_size=5), st.data())
def test_gradcheck_binary_cross_entropy(ys, data):
    ts = data.draw(st.lists(target01, min_size=len(ys), max_size=len(ys)))
    assert gradcheck(lambda *v: binary_cross_entropy(list(v), ts), *ys)


@given(st.lists(st.floats(-8, 8), min_size=1, max_size=5), st.data())
def test_gradcheck_bce_with_logits(zs, data):
    ts = data.draw(st.lists(st.floats(0, 1), min_size=len(zs), max_size=len(zs)))
    assert gradcheck(lambda *v: binary_cross_entropy_with_logits(list(v), ts), *zs)


@given(st.lists(finite, min_size=2, max_size=6), st.data())
def test_gradcheck_softmax_cross_entropy_and_softmax(zs, data):
    label = data.draw(st.integers(0, len(zs) - 1))
    assert gradcheck(lambda *v: softmax_cross_entropy(list(v), label), *zs)
    k = data.draw(st.integers(0, len(zs) - 1))
    assert gradcheck(lambda *v: softmax(list(v))[k], *zs)
    assert gradcheck(lambda *v: log_softmax(list(v))[k], *zs)


@given(st.lists(finite, min_size=2, max_size=6), st.data())
def test_softmax_cross_entropy_gradient_is_softmax_minus_t(zs, data):
    label = data.draw(st.integers(0, len(zs) - 1))
    t = [1.0 if i == label else 0.0 for i in range(len(zs))]
    for target in (label, t):
        z = vals(zs)
        softmax_cross_entropy(z, target).backward()
        closed_form = [p - ti for p, ti in zip(float_softmax(zs), t)]
        assert [v.grad for v in z] == pytest.approx(closed_form, abs=1e-12)


@given(st.lists(finite, min_size=1, max_size=5), st.data())
def test_gradcheck_max_margin_away_from_the_kink(scores, data):
    labels = data.draw(
        st.lists(st.sampled_from([-1, 1]), min_size=len(scores), max_size=len(scores))
    )
    assume(all(abs(1 - y * s) > 1e-3 for s, y in zip(scores, labels)))
    assert gradcheck(lambda *v: max_margin(list(v), labels), *scores)


# -- targets given as Values: part of the graph, not frozen numbers --------------------


def test_a_value_target_receives_its_gradient():
    y, t = Value(0.75), Value(1.0)
    sum_of_squares(y, t).backward()
    assert t.grad == -(0.75 - 1.0) and y.grad == 0.75 - 1.0  # d/dt ½(y − t)² = −(y − t)
    ys, ts = vals([1.0, 2.0]), vals([0.0, 3.0])
    mean_squared_error(ys, ts).backward()
    assert [v.grad for v in ts] == pytest.approx([-1.0, 1.0])  # −2(y − t)/n
    z, t = Value(0.7), Value(0.25)
    binary_cross_entropy_with_logits(z, t).backward()
    assert t.grad == pytest.approx(-0.7, abs=1e-12)  # softplus(−z) − softplus(z) = −z
    zs, one_hot = [0.5, -1.0, 2.0], vals([0.0, 0.0, 1.0])
    softmax_cross_entropy(vals(zs), one_hot).backward()  # d/dt_i = −log softmax(z)_i
    assert [v.grad for v in one_hot] == pytest.approx(
        [-math.log(p) for p in float_softmax(zs)], abs=1e-12
    )


@given(st.lists(finite, min_size=2, max_size=4), st.data())
def test_gradcheck_losses_in_outputs_and_targets(ys, data):
    n = len(ys)
    ts = data.draw(st.lists(finite, min_size=n, max_size=n))
    for loss in (sum_of_squares, mean_squared_error):
        assert gradcheck(lambda *v: loss(list(v[:n]), list(v[n:])), *ys, *ts)  # noqa: B023 (called at once)
    probs = data.draw(st.lists(probability, min_size=n, max_size=n))
    assert gradcheck(
        lambda *v: binary_cross_entropy(list(v[:n]), list(v[n:])), *probs, *probs[::-1]
    )
    assert gradcheck(
        lambda *v: binary_cross_entropy_with_logits(list(v[:n]), list(v[n:])), *ys, *probs
    )
    assert gradcheck(lambda *v: softmax_cross_entropy(list(v[:n]), list(v[n:])), *ys, *probs)


def test_a_target_passed_to_jit_is_an_input_not_a_constant():
    from tinygrad_edu import jit

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "argument t does not reach its result"
        f = jit(sum_of_squares, 0.8, 1.0)
    assert f(0.8, 1.0)[0] == pytest.approx(0.02)
    value, (g_y, g_t) = f(0.8, 0.0)  # traced at t = 1.0, called at t = 0.0
    assert value == pytest.approx(0.32) and (g_y, g_t) == pytest.approx((0.8, -0.8))


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss",
    [
        sum_of_squares,
        mean_squared_error,
        binary_cross_entropy,
        binary_cross_entropy_with_logits,
        max_margin,
    ],
)
def test_mismatched_lengths_name_both(loss):
    with pytest.raises(ValueError, match=r"3 output\(s\) but 2 target\(s\)"):
        loss([0.5, 0.5, 0.5], [1, 1])


def test_softmax_cross_entropy_errors_name_both_numbers():
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        softmax_cross_entropy([1.0, 2.0, 3.0], 3)
    with pytest.raises(ValueError, match="label -1 is out of range for 2 classes"):
        softmax_cross_entropy([1.0, 2.0], -1)
    with pytest.raises(ValueError, match="3 logits but a target of length 2"):
        softmax_cross_entropy([1.0, 2.0, 3.0], [0, 1])
    with pytest.raises(ValueError, match="2 logit lists but 3 targets"):
        softmax_cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 1, 1])
    with pytest.raises(TypeError, match="int class label"):
        softmax_cross_entropy([1.0, 2.0], True)
    with pytest.raises(TypeError, match="int class label"):
        softmax_cross_entropy([1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match="list of scores"):
        softmax_cross_entropy(Value(1.0), 0)


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits])
@pytest.mark.parametrize(
    "targets,index,value",
    [
        ([1, 0, -1], 2, "-1.0"),
        ([1.5, 0], 0, "1.5"),
        ([0, float("nan"), 1], 1, "nan"),
        ([1, Value(2.0), 0], 1, "2.0"),
    ],
)
def test_binary_cross_entropy_targets_outside_0_1_are_named(loss, targets, index, value):
    with pytest.raises(
        ValueError,
        match=rf"{loss.__name__}: target at index {index} is {value}, "
        r"outside \[0, 1\].*-1/\+1 labels use max_margin",
    ):
        loss([0.5, 0.5, 0.5][: len(targets)], targets)


@pytest.mark.parametrize(
    "outputs,index,value",
    [([0.5, 1.5], 1, "1.5"), ([-0.1, 0.5], 0, "-0.1"), ([0.5, Value(1.0000001)], 1, "1.0000001")],
)
def test_binary_cross_entropy_outputs_outside_0_1_are_named(outputs, index, value):
    with pytest.raises(
        ValueError,
        match=rf"output at index {index} is {value}, outside \[0, 1\]"
        ".*binary_cross_entropy_with_logits",
    ):
        binary_cross_entropy(outputs, [1, 0])


def test_binary_cross_entropy_accepts_the_ends_and_soft_targets():
    assert binary_cross_entropy([0.0, 1.0, 0.5], [0, 1, 0.5]).data == pytest.approx(math.log(2) / 3)
    assert binary_cross_entropy_with_logits([0.0, 0.0], [0.0, 1.0]).data == pytest.approx(
        math.log(2)
    )


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="-1 or \\+1, got 0.0.*signed_labels"):
        max_margin([0.5, 0.2], [0, 1])
    with pytest.raises(ValueError, match="outside \\[0, 1\\].*with_logits"):
        binary_cross_entropy([1.5], [1])
    with pytest.raises(ValueError, match="no outputs"):
        sum_of_squares([], [])
    with pytest.raises(TypeError, match="got str"):
        sum_of_squares(["a"], [1.0])
    with pytest.raises(TypeError, match="must be a number"):
        sum_of_squares([1.0], [None])
    with pytest.raises(ValueError, match="no parameters"):
        l2_penalty([], 0.1)
