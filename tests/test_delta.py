"""The seeds' delta rule (tinygrad_edu.delta) against autograd and finite differences."""

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from tinygrad_edu import Value, numerical_grad
from tinygrad_edu.delta import (
    DeltaRuleResult,
    activation,
    activation_derivative,
    apply_update,
    compare_with_autograd,
    delta_rule,
    train_step,
)
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP
from tinygrad_edu.ops import FLOAT, OPS

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]

# Agreement with autograd: relative 1e-12.  Below an absolute floor of 1e-13 two
# gradients count as equal: a hidden delta is a sum Σ_k w_kh δ_k whose terms are
# of order 1 here (|w|, |x| <= 2), and when it cancels to almost nothing the two
# orders of summation differ by a few units of rounding (~1e-16 per term), which
# no relative tolerance can measure.
REL, ABS_FLOOR = 1e-12, 1e-13


def close(a, d):
    return abs(a - d) <= max(REL * max(abs(a), abs(d)), ABS_FLOOR)


numbers_ = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def samples(draw, hidden_layers=None, act=None):
    """An MLP with drawn shape, activations and weights, and one (x, t) sample."""
    nin = draw(st.integers(1, 3))
    depth = hidden_layers if hidden_layers is not None else draw(st.integers(1, 2))
    hidden = draw(st.lists(st.integers(1, 3), min_size=depth, max_size=depth))
    nout = draw(st.integers(1, 2))
    act = act or draw(st.sampled_from(ACTIVATIONS))
    out_act = draw(st.sampled_from(ACTIVATIONS))
    model = MLP(nin, hidden + [nout], activation=act, output_activation=out_act, seed=0)
    params = model.parameters()
    for p, w in zip(params, draw(st.lists(numbers_, min_size=len(params), max_size=len(params)))):
        p.data = w
    x = draw(st.lists(numbers_, min_size=nin, max_size=nin))
    t = draw(st.lists(st.floats(-1.0, 1.0), min_size=nout, max_size=nout))
    return model, x, t


def autograd_gradients(model, x, t):
    model.zero_grad()
    sum_of_squares(model(x), t).backward()
    return {name: p.grad for name, p in model.named_parameters()}


def away_from_relu_kink(model, result, margin=1e-3):
    """True if no relu neuron sits within `margin` of its kink at u = 0."""
    for layer, us in zip(model.layers, result.preactivations):
        for neuron, u in zip(layer.neurons, us):
            if neuron.activation == "relu" and abs(u) < margin:
                return False
    return True


# ---------------------------------------------------------------------------
# The delta rule equals autograd


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("hidden_layers", [1, 2])
@given(data=st.data())
def test_delta_rule_gradients_equal_autograd(hidden_layers, act, data):
    model, x, t = data.draw(samples(hidden_layers, act))
    result = delta_rule(model, x, t)
    # Both share the engine's relu rule (f' = 0 at u = 0), so they agree even at
    # the kink; keep away from it anyway, as the brief for gradients asks.
    assume(away_from_relu_kink(model, result, margin=1e-9))
    auto = autograd_gradients(model, x, t)
    mine = result.named_gradients()
    assert mine.keys() == auto.keys()
    bad = {n: (auto[n], mine[n]) for n in auto if not close(auto[n], mine[n])}
    assert not bad, f"delta rule vs autograd disagree: {bad}"
    assert result.loss == pytest.approx(sum_of_squares(model(x), t).data, rel=1e-12, abs=1e-15)


@settings(max_examples=60)
@given(samples())
def test_delta_rule_gradients_equal_finite_differences(sample):
    """Independent of autograd: central differences of ½Σ(y − t)² in each parameter."""
    model, x, t = sample
    result = delta_rule(model, x, t)
    assume(away_from_relu_kink(model, result))
    params = model.parameters()
    start = [p.data for p in params]

    def loss(*values):
        for p, v in zip(params, values):
            p.data = v.data
        return delta_rule(model, x, t).loss

    try:
        numeric = numerical_grad(loss, *start)
    finally:
        for p, v in zip(params, start):
            p.data = v
    mine = result.named_gradients()
    for (name, _), n in zip(model.named_parameters(), numeric):
        assert mine[name] == pytest.approx(n, rel=1e-5, abs=1e-6), name


@given(samples(), st.floats(1e-4, 1.0))
def test_update_is_minus_learning_rate_times_gradient(sample, lr):
    model, x, t = sample
    result = delta_rule(model, x, t, learning_rate=lr)
    before = {name: p.data for name, p in model.named_parameters()}
    grads = result.named_gradients()
    apply_update(model, result)
    for name, p in model.named_parameters():
        assert p.data == before[name] - lr * grads[name], name
    # the properties give the same steps
    for l, layer in enumerate(result.weight_updates):
        for j, row in enumerate(layer):
            for i, step in enumerate(row):
                assert step == -lr * result.weight_grads[l][j][i]
            assert result.bias_updates[l][j] == -lr * result.bias_grads[l][j]


@given(samples())
def test_delta_rule_changes_nothing_in_the_model(sample):
    model, x, t = sample
    for p in model.parameters():
        p.grad = 0.5
    before = [(p.data, p.grad) for p in model.parameters()]
    delta_rule(model, x, t, learning_rate=0.3)
    assert [(p.data, p.grad) for p in model.parameters()] == before


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(u=st.floats(-5.0, 5.0))
def test_activation_and_derivative_come_from_the_engine(name, u):
    assume(name != "relu" or abs(u) > 1e-9)
    v = Value(u)
    out = v if name == "linear" else getattr(v, name)()
    out.backward()
    assert activation(name, u) == out.data
    assert activation_derivative(name, u) == v.grad
    closed = {
        "sigmoid": out.data * (1 - out.data),
        "tanh": 1 - out.data**2,
        "relu": 1.0 if u > 0 else 0.0,
        "linear": 1.0,
    }[name]
    # 1 - t**2 loses digits to cancellation where tanh saturates (t near ±1): its error is
    # up to a couple of units in the last place of 1.0, not of the (small) result.
    assert activation_derivative(name, u) == pytest.approx(closed, rel=1e-15, abs=1e-15)
    if name != "linear":
        assert activation_derivative(name, u) == OPS[name].vjp(FLOAT, 1.0, out.data, u)[0]


# ---------------------------------------------------------------------------
# The seeds' formulas, typed out by hand


def sigmoid(u):
    return 1.0 / (1.0 + math.exp(-u))


def seed_network():
    """Seed 000's 2-3-1 sigmoid network with chosen weights (w_im[m][i], w_mo[0][m])."""
    w_im = [[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]]
    b_m = [0.1, -0.2, 0.05]
    w_mo = [[0.7, -0.5, 0.9]]
    b_o = [-0.3]
    model = MLP(2, [3, 1], seed=0)
    for m, neuron in enumerate(model.layers[0].neurons):
        neuron.w[0].data, neuron.w[1].data = w_im[m]
        neuron.b.data = b_m[m]
    out = model.layers[1].neurons[0]
    for m in range(3):
        out.w[m].data = w_mo[0][m]
    out.b.data = b_o[0]
    return model, w_im, b_m, w_mo, b_o


def test_seed_000_formulas_by_hand():
    model, w_im, b_m, w_mo, b_o = seed_network()
    x, correct, k = [1.0, 0.0], 1.0, 0.3
    output_m = [sigmoid(w_im[m][0] * x[0] + w_im[m][1] * x[1] + b_m[m]) for m in range(3)]
    output_o = sigmoid(sum(w_mo[0][m] * output_m[m] for m in range(3)) + b_o[0])
    # δ_0 = (出力 − 正解) × 活性化関数の微分, δ_m = δ_0 × 出力層にかける重み × 活性化関数の微分
    delta_o = (output_o - correct) * output_o * (1.0 - output_o)
    delta_m = [delta_o * w_mo[0][m] * output_m[m] * (1.0 - output_m[m]) for m in range(3)]

    r = delta_rule(model, x, correct, learning_rate=k)
    assert r.k == k
    assert r.delta_o == [pytest.approx(delta_o, rel=1e-14)]
    assert r.delta_m == pytest.approx(delta_m, rel=1e-14)
    assert r.output == [pytest.approx(output_o, rel=1e-14)]
    assert r.outputs[0] == pytest.approx(output_m, rel=1e-14)
    # 重みの修正量 = − 学習係数 × δ × 入力; バイアスの修正量 = − 学習係数 × δ
    assert r.weight_updates[1][0] == pytest.approx([-k * delta_o * h for h in output_m], rel=1e-14)
    assert r.bias_updates[1] == pytest.approx([-k * delta_o], rel=1e-14)
    assert r.weight_updates[0] == [
        pytest.approx([-k * delta_m[m] * xi for xi in x], rel=1e-14) for m in range(3)
    ]
    assert r.bias_updates[0] == pytest.approx([-k * d for d in delta_m], rel=1e-14)
    assert r.loss == pytest.approx(0.5 * (output_o - correct) ** 2, rel=1e-14)


def test_seed_001_names():
    model, w_im, b_m, w_mo, b_o = seed_network()
    x, T, LR = [0.4, -1.5], [0.2], 0.1
    r = delta_rule(model, x, T, learning_rate=LR)
    S_preA_H = [w_im[m][0] * x[0] + w_im[m][1] * x[1] + b_m[m] for m in range(3)]
    S_postA_H = [sigmoid(u) for u in S_preA_H]
    S_preA_O = sum(w_mo[0][m] * S_postA_H[m] for m in range(3)) + b_o[0]
    S_postA_O = sigmoid(S_preA_O)
    f_prime = lambda u: sigmoid(u) * (1 - sigmoid(u))  # noqa: E731
    FE = S_postA_O - T[0]
    S_ERROR = FE * f_prime(S_preA_O)
    gradient_HtoO = [S_ERROR * S_postA_H[m] for m in range(3)]
    gradient_ItoH = [
        [S_ERROR * w_mo[0][m] * f_prime(S_preA_H[m]) * x[i] for i in range(2)] for m in range(3)
    ]

    assert r.LR == LR and r.T == T
    assert r.S_preA[0] == pytest.approx(S_preA_H, rel=1e-14)
    assert r.S_postA[1] == [pytest.approx(S_postA_O, rel=1e-14)]
    assert r.FE == [pytest.approx(FE, rel=1e-14)]
    assert r.S_ERROR == [pytest.approx(S_ERROR, rel=1e-13)]
    assert r.gradient_HtoO == [pytest.approx(gradient_HtoO, rel=1e-13)]
    assert r.gradient_ItoH == [pytest.approx(row, rel=1e-13) for row in gradient_ItoH]


def test_seed_002_grads_are_laid_out_as_affine_layers():
    model = MLP(3, [4, 2], activation="relu", output_activation="linear", seed=5)
    r = delta_rule(model, [0.3, -0.7, 1.1], [1.0, 0.0])
    g = r.grads
    assert list(g) == ["W1", "b1", "W2", "b2"]
    assert (len(g["W1"]), len(g["W1"][0]), len(g["W2"]), len(g["W2"][0])) == (3, 4, 4, 2)
    for i in range(3):
        for j in range(4):
            assert g["W1"][i][j] == r.weight_grads[0][j][i]
    assert g["b1"] == r.bias_grads[0] and g["b2"] == r.bias_grads[1]
    assert g["W2"][1][0] == r.weight_grads[1][0][1]


def test_general_views():
    model = MLP(2, [3, 2, 1], activation="tanh", seed=2)
    r = delta_rule(model, [Value(0.5), -1], 0.25)  # Values and ints are fine; one target
    assert isinstance(r, DeltaRuleResult)
    assert r.inputs == [0.5, -1.0] and r.targets == [0.25]
    assert r.output_deltas is r.deltas[-1] and r.hidden_deltas == r.deltas[:2]
    assert r.layer_inputs == [r.inputs, r.outputs[0], r.outputs[1]]
    assert r.grads.keys() == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert list(r.named_gradients()) == [n for n, _ in model.named_parameters()]


# ---------------------------------------------------------------------------
# Errors a learner can act on


def test_one_hidden_layer_names_explain_deeper_networks():
    r = delta_rule(MLP(2, [3, 3, 1], seed=0), [1, 0], [1])
    with pytest.raises(AttributeError, match=r"2 hidden layer\(s\).*hidden_deltas"):
        r.delta_m
    with pytest.raises(AttributeError, match=r"weight_grads"):
        r.gradient_ItoH
    assert r.gradient_HtoO == r.weight_grads[-1]
    flat = delta_rule(MLP(2, [1], seed=0), [1, 0], [1])
    with pytest.raises(AttributeError, match="needs a hidden layer"):
        flat.gradient_HtoO


def test_wrong_lengths_and_types():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"takes 2 input\(s\), got 3"):
        delta_rule(model, [1, 2, 3], [1])
    with pytest.raises(ValueError, match=r"1 output\(s\) but 2 target\(s\)"):
        delta_rule(model, [1, 2], [1, 0])
    with pytest.raises(TypeError, match="input 1 must be a number"):
        delta_rule(model, [1, "2"], [1])
    with pytest.raises(ValueError, match="target 0 must be finite"):
        delta_rule(model, [1, 2], [math.nan])
    with pytest.raises(TypeError, match="works on an MLP"):
        delta_rule(model.layers[0].neurons[0], [1, 2], [1])
    model.layers[1].neurons[0].activation = "softplus"
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        delta_rule(model, [1, 2], [1])


def test_apply_update_errors_leave_the_model_alone():
    model = MLP(2, [3, 1], seed=0)
    r = delta_rule(model, [1, 0], [1])
    before = model.state_dict()
    with pytest.raises(ValueError, match="needs a learning rate"):
        apply_update(model, r)
    with pytest.raises(ValueError, match="another network shape"):
        apply_update(MLP(2, [4, 1], seed=0), r, learning_rate=0.3)
    assert model.state_dict() == before
    with pytest.raises(AttributeError, match="no learning rate was given"):
        r.weight_updates


# ---------------------------------------------------------------------------
# Training and the comparison helper


def test_train_step_takes_the_delta_rule_step():
    model = MLP(2, [3, 1], seed=0)
    twin = MLP(2, [3, 1], seed=0)
    r = train_step(model, [1, 1], [0], learning_rate=0.3)
    expected = delta_rule(twin, [1, 1], [0])
    assert r.loss == expected.loss
    apply_update(twin, expected, learning_rate=0.3)
    assert model.state_dict() == twin.state_dict()
    assert delta_rule(model, [1, 1], [0]).loss < r.loss


def test_compare_with_autograd_catches_a_stale_result():
    model = MLP(2, [3, 1], seed=1)
    x, t = [1.0, 1.0], [0.0]
    r = delta_rule(model, x, t)
    assert compare_with_autograd(model, x, t, r) < 1e-14
    assert compare_with_autograd(model, x, t) < 1e-14
    for p in model.parameters():  # the weights move; the old result no longer fits
        p.data += 0.5
    assert compare_with_autograd(model, x, t, r) > 0.01
