import math
import random
import re

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import Value, numerical_grad
from tinygrad_edu.nn import ACTIVATIONS, MLP, Layer, Neuron

ACTS = ["sigmoid", "tanh", "relu", "linear"]
FLOATS = {
    "sigmoid": lambda u: 1 / (1 + math.exp(-u)),
    "tanh": math.tanh,
    "relu": lambda u: max(u, 0.0),
    "linear": lambda u: u,
}


def set_weights(neuron, w, b):
    for v, x in zip(neuron.w, w):
        v.data = x
    neuron.b.data = b


# -- structure and names ----------------------------------------------------------


def test_named_parameters_order_and_labels():
    m = MLP(2, [3, 1], seed=0)
    names = [n for n, _ in m.named_parameters()]
    expected = []
    for j in range(3):
        expected += [
            f"layers.0.neurons.{j}.w.0",
            f"layers.0.neurons.{j}.w.1",
            f"layers.0.neurons.{j}.b",
        ]
    expected += [f"layers.1.neurons.0.w.{i}" for i in range(3)] + ["layers.1.neurons.0.b"]
    assert names == expected
    assert [p.label for p in m.parameters()] == expected
    assert m.parameters()[0] is m.layers[0].neurons[0].w[0]
    assert m.parameters()[-1] is m.layers[1].neurons[0].b


def test_standalone_and_layer_labels():
    n = Neuron(2, seed=0)
    assert [p.label for p in n.parameters()] == ["w.0", "w.1", "b"]
    layer = Layer(2, 2, seed=0)
    assert layer.neurons[1].b.label == "neurons.1.b"
    assert len(layer.parameters()) == 6


def test_parameters_is_a_fresh_list_in_fixed_order():
    m = MLP(3, [4, 2], seed=1)
    assert m.parameters() == m.parameters()
    assert len(m.parameters()) == (3 + 1) * 4 + (4 + 1) * 2


def test_repr():
    assert repr(Neuron(3, activation="tanh", seed=0)) == "Neuron(3, activation='tanh')"
    assert repr(Layer(2, 5, seed=0)) == "Layer(2, 5, activation='sigmoid')"
    assert repr(MLP(2, [3, 1], seed=0)) == "MLP(2, [3, 1], activation='sigmoid')"
    assert (
        repr(MLP(2, [3, 1], activation="relu", output_activation="linear", seed=0))
        == "MLP(2, [3, 1], activation='relu', output_activation='linear')"
    )


# -- forward ------------------------------------------------------------------------


@pytest.mark.parametrize("act", ACTS)
def test_neuron_computes_f_of_preactivation(act):
    n = Neuron(3, activation=act, seed=0)
    set_weights(n, [0.5, -1.0, 2.0], 0.25)
    x = [1.0, 2.0, -0.5]
    u = 0.5 * 1.0 - 1.0 * 2.0 + 2.0 * -0.5 + 0.25  # -2.25
    assert n.preactivation(x).data == pytest.approx(u)
    assert n(x).data == pytest.approx(FLOATS[act](u))
    assert n.activation == act
    assert ACTIVATIONS[act](Value(u)).data == pytest.approx(FLOATS[act](u))


def test_inputs_may_be_values_and_gradient_reaches_them():
    n = Neuron(2, activation="linear", seed=0)
    set_weights(n, [3.0, -2.0], 1.0)
    x = [Value(1.0), Value(4.0)]
    n(x).backward()
    assert (x[0].grad, x[1].grad) == (3.0, -2.0)
    assert (n.w[0].grad, n.w[1].grad, n.b.grad) == (1.0, 4.0, 1.0)


def test_layer_and_mlp_always_return_lists():
    out = Layer(2, 1, seed=0)([0.5, 0.5])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    m = MLP(2, [1, 1], seed=0)  # a one-neuron hidden layer
    out = m([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 1
    assert MLP(2, [4, 3], seed=0)([1, 2]).__len__() == 3


def test_mlp_equals_layers_by_hand():
    m = MLP(2, [2, 1], activation="tanh", output_activation="sigmoid", seed=3)
    x = [0.3, -0.8]
    h = [
        math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in m.layers[0].neurons
    ]
    o = m.layers[1].neurons[0]
    expected = 1 / (1 + math.exp(-(sum(w.data * hi for w, hi in zip(o.w, h)) + o.b.data)))
    assert m(x)[0].data == pytest.approx(expected, rel=1e-14)


def test_output_activation_default_is_activation():
    m = MLP(2, [3, 2], activation="tanh", seed=0)
    assert m.output_activation == "tanh"
    assert [layer.activation for layer in m.layers] == ["tanh", "tanh"]
    m = MLP(2, [3, 3, 2], activation="relu", output_activation="linear", seed=0)
    assert [layer.activation for layer in m.layers] == ["relu", "relu", "linear"]
    assert m([1.0, 2.0])[0].op != "relu"


def test_zero_grad():
    m = MLP(2, [2, 1], seed=0)
    m([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


# -- gradients through the network -------------------------------------------------


@given(
    st.sampled_from(["sigmoid", "tanh", "linear"]),
    st.integers(0, 10_000),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_parameter_gradients_match_finite_differences(act, seed, x):
    m = MLP(3, [4, 2], activation=act, seed=seed)
    params = m.parameters()

    def loss_of(*ws):
        saved = [p.data for p in params]
        for p, w in zip(params, ws):
            p.data = float(w.data if isinstance(w, Value) else w)
        try:
            out = m(x)
            return Value((out[0] * out[1] + out[0]).data)
        finally:
            for p, s in zip(params, saved):
                p.data = s

    out = m(x)
    (out[0] * out[1] + out[0]).backward()
    numeric = numerical_grad(loss_of, *[p.data for p in params])
    for p, g in zip(params, numeric):
        assert p.grad == pytest.approx(g, rel=1e-5, abs=1e-7)


# -- initialisation ------------------------------------------------------------------


@pytest.mark.parametrize("init", ["uniform", "gaussian", "xavier", "he"])
def test_same_seed_same_weights(init):
    a = MLP(3, [5, 2], init=init, seed=42)
    b = MLP(3, [5, 2], init=init, seed=42)
    c = MLP(3, [5, 2], init=init, seed=43)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != c.state_dict()
    d = MLP(3, [5, 2], init=init, rng=random.Random(42))
    assert d.state_dict() == a.state_dict()


def test_uniform_init_in_range_with_random_biases():
    m = MLP(4, [30, 30], seed=0)
    values = [p.data for p in m.parameters()]
    assert all(-1.0 <= v <= 1.0 for v in values)
    assert min(values) < -0.9 and max(values) > 0.9
    assert any(n.b.data != 0.0 for n in m.layers[0].neurons)


def test_gaussian_init_is_weight_init_std_times_gauss():
    n = Neuron(5, init="gaussian", weight_init_std=0.01, seed=7)
    r = random.Random(7)
    assert [w.data for w in n.w] == [0.01 * r.gauss(0.0, 1.0) for _ in range(5)]
    assert n.b.data == 0.0


@pytest.mark.parametrize("init,std", [("xavier", math.sqrt(1 / 400)), ("he", math.sqrt(2 / 400))])
def test_xavier_and_he_scale(init, std):
    layer = Layer(400, 10, init=init, seed=0)
    ws = [w.data for n in layer.neurons for w in n.w]
    sample_std = math.sqrt(sum(w * w for w in ws) / len(ws))
    assert sample_std == pytest.approx(std, rel=0.05)
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="'tanh', 'sigmoid', 'relu', 'linear'"):
        Neuron(2, activation="softmax")
    with pytest.raises(ValueError, match="output_activation 'nope'"):
        MLP(2, [1], output_activation="nope")
    with pytest.raises(ValueError, match="unknown init 'normal'.*'xavier'"):
        Layer(2, 2, init="normal")
    with pytest.raises(ValueError, match="nin"):
        Neuron(0)
    with pytest.raises(ValueError, match="weight_init_std must be a number >= 0, got -0.1"):
        Layer(2, 2, init="gaussian", weight_init_std=-0.1)
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, activation=["relu"])
    with pytest.raises(ValueError, match="nout"):
        Layer(2, 2.5)
    with pytest.raises(ValueError, match="at least one"):
        MLP(2, [])
    with pytest.raises(TypeError, match="list of layer sizes"):
        MLP(2, 3)
    with pytest.raises(ValueError, match="either seed or rng"):
        Neuron(2, seed=1, rng=random.Random(1))
    with pytest.raises(TypeError, match="seed must be an int"):
        Neuron(2, seed="1")


def test_bad_inputs_name_the_problem():
    n = Neuron(3, seed=0)
    with pytest.raises(ValueError, match=r"takes 3 input\(s\), got 2"):
        n([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Layer\(3, 2.*takes 3 input\(s\), got 4"):
        Layer(3, 2, seed=0)([1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"takes 2 input\(s\), got 3"):
        MLP(2, [2, 1], seed=0)([1, 2, 3])
    with pytest.raises(TypeError, match=r"wrap it: \[x\]"):
        Neuron(1, seed=0)(0.5)
    with pytest.raises(TypeError, match="got str"):
        n([1.0, "2", 3.0])


# -- state dicts -----------------------------------------------------------------------


def test_state_dict_round_trip():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b([0.3, 0.7])[0].data == a([0.3, 0.7])[0].data


@pytest.mark.parametrize(
    "mutate,error,match",
    [
        (lambda d: d.pop("layers.0.neurons.1.b"), ValueError, "missing key.*layers.0.neurons.1.b"),
        (lambda d: d.update({"layers.2.neurons.0.b": 1.0}), ValueError, "unexpected key.*layers.2"),
        (
            lambda d: d.update({"layers.1.neurons.0.w.2": "0.5"}),
            TypeError,
            "layers.1.neurons.0.w.2.*str",
        ),
        (lambda d: d.update({"layers.0.neurons.0.w.0": None}), TypeError, "must be a number"),
        (lambda d: d.update({"layers.0.neurons.0.w.0": True}), TypeError, "must be a number"),
        (lambda d: d.update({"layers.1.neurons.0.b": float("nan")}), ValueError, "finite"),
    ],
)
def test_bad_state_dict_leaves_model_unchanged(mutate, error, match):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    bad = MLP(2, [3, 1], seed=5).state_dict()
    mutate(bad)
    with pytest.raises(error, match=match):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_load_state_dict_rejects_non_dict():
    model = Neuron(2, seed=0)
    with pytest.raises(TypeError, match="dict"):
        model.load_state_dict([1.0, 2.0, 3.0])


# -- mistakes get the engine's error ----------------------------------------------------


def _first_weight(model):
    return model.parameters()[0]


SLIPS = {
    "value": lambda p: p - 0.1 * p.grad,  # p.data = p - lr * p.grad: a Value, not a float
    "string": lambda p: "oops",
    "none": lambda p: None,
}
MODELS = {
    "neuron": lambda: Neuron(2, seed=0),
    "layer": lambda: Layer(2, 3, seed=0),
    "mlp": lambda: MLP(2, [3, 1], seed=0),
}


@pytest.mark.parametrize("slip", SLIPS, ids=list(SLIPS))
@pytest.mark.parametrize("make", MODELS.values(), ids=list(MODELS))
@pytest.mark.parametrize("which", ["first weight", "bias", "last weight"])
def test_a_parameter_assigned_a_non_float_gets_the_engines_error(make, slip, which):
    model = make()
    params = model.parameters()
    p = {"first weight": params[0], "bias": params[2], "last weight": params[-2]}[which]
    p.data = SLIPS[slip](p)
    with pytest.raises(
        TypeError, match=rf"{re.escape(repr(p.label))}.*\.data"
    ):  # not StopIteration
        model([1.0, 2.0])


def test_the_value_slip_says_how_to_update():
    model = MLP(2, [3, 1], seed=0)
    p = model.parameters()[0]
    p.data = p - 0.1 * p.grad
    with pytest.raises(TypeError, match=r"\.data.*lr \* p\.grad"):
        model([1.0, 2.0])


def test_a_bad_input_still_names_the_input():
    with pytest.raises(TypeError, match=r"inputs must be numbers or Values, got NoneType"):
        Neuron(2, seed=0)([1.0, None])
    x = Value(1.0)
    x.data = "oops"  # an input Value with bad .data: the engine's error
    with pytest.raises(TypeError, match=r"\.data = 'oops' of type str"):
        Neuron(2, seed=0)([x, 1.0])


# -- shapes from a config, without building -----------------------------------------------


@given(
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    act=st.sampled_from(ACTS),
)
def test_names_and_counts_from_a_config_match_the_built_module(nin, nouts, act):
    for model in (
        Neuron(nin, activation=act, seed=0),
        Layer(nin, nouts[0], activation=act, seed=0),
        MLP(nin, nouts, activation=act, output_activation="linear", seed=0),
    ):
        cls, config = type(model), model.config()
        names = [n for n, _ in model.named_parameters()]
        assert cls.parameter_count(config) == len(names)
        assert list(cls.parameter_names(config)) == names
        assert cls.validate_state(config, model.state_dict()) == [
            p.data for p in model.parameters()
        ]


@pytest.mark.parametrize(
    "cls,config,error,match",
    [
        (Neuron, {"nin": 2}, ValueError, "has the keys nin, activation; 'activation' missing"),
        (Neuron, {"nin": 2, "activation": "tanh", "init": "he"}, ValueError, "'init' unexpected"),
        (
            Neuron,
            {"nin": True, "activation": "tanh"},
            ValueError,
            "nin .* must be a positive int, got True",
        ),
        (Layer, {"nin": 2, "nout": 2.0, "activation": "tanh"}, ValueError, "nout .* got 2.0"),
        (
            MLP,
            {"nin": 2, "nouts": "31", "activation": "tanh", "output_activation": None},
            TypeError,
            "list of layer sizes",
        ),
        (
            MLP,
            {"nin": 2, "nouts": [3, False], "activation": "tanh", "output_activation": None},
            ValueError,
            "each layer size",
        ),
        (
            MLP,
            {"nin": 2, "nouts": [3], "activation": "tanh", "output_activation": "x" * 1000},
            ValueError,
            r"unknown output_activation 'x{20,60}; choose",
        ),
        (MLP, [2, [3]], TypeError, "config must be a dict"),
    ],
)
def test_a_bad_config_is_refused_without_building(cls, config, error, match):
    with pytest.raises(error, match=match):
        cls.parameter_count(config)
    with pytest.raises(error, match=match):
        cls.parameter_names(config)


def test_a_huge_config_is_counted_not_built():
    config = {
        "nin": 3000,
        "nouts": [100_000, 100_000],
        "activation": "relu",
        "output_activation": None,
    }
    assert MLP.parameter_count(config) == 3001 * 100_000 + 100_001 * 100_000
    with pytest.raises(
        ValueError, match=r"the module has 10,300,200,000 parameters, the state dict 1"
    ):
        MLP.validate_state(config, {"layers.0.neurons.0.w.0": 1.0})


def test_validate_state_names_the_problem():
    config = {"nin": 1, "activation": "linear"}
    with pytest.raises(
        ValueError,
        match=r"does not fit Neuron\(nin=1, activation='linear'\) in f.json: "
        r"missing key\(s\) 'b'",
    ):
        Neuron.validate_state(config, {"w.0": 1.0}, source="f.json")
    with pytest.raises(TypeError, match=r"parameter 'b' in f.json must be a number, got bool"):
        Neuron.validate_state(config, {"w.0": 1.0, "b": False}, source="f.json")
