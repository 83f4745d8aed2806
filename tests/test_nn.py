import json
import math
import os
import random
import re
import stat

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import Value, numerical_grad
from tinygrad_edu.nn import ACTIVATIONS, MLP, Layer, Module, Neuron

ACTS = ["sigmoid", "tanh", "relu", "linear"]
FLOATS = {"sigmoid": lambda u: 1 / (1 + math.exp(-u)), "tanh": math.tanh,
          "relu": lambda u: max(u, 0.0), "linear": lambda u: u}


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
        expected += [f"layers.0.neurons.{j}.w.0", f"layers.0.neurons.{j}.w.1", f"layers.0.neurons.{j}.b"]
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
    assert repr(MLP(2, [3, 1], activation="relu", output_activation="linear", seed=0)) == \
        "MLP(2, [3, 1], activation='relu', output_activation='linear')"


# -- forward ------------------------------------------------------------------------

@pytest.mark.parametrize("act", ACTS)
def test_neuron_computes_f_of_preactivation(act):
    n = Neuron(3, activation=act, seed=0)
    set_weights(n, [0.5, -1.0, 2.0], 0.25)
    x = [1.0, 2.0, -0.5]
    u = 0.5 * 1.0 - 1.0 * 2.0 + 2.0 * -0.5 + 0.25          # -2.25
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
    m = MLP(2, [1, 1], seed=0)                                  # a one-neuron hidden layer
    out = m([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 1
    assert MLP(2, [4, 3], seed=0)([1, 2]).__len__() == 3


def test_mlp_equals_layers_by_hand():
    m = MLP(2, [2, 1], activation="tanh", output_activation="sigmoid", seed=3)
    x = [0.3, -0.8]
    h = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in m.layers[0].neurons]
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

@given(st.sampled_from(["sigmoid", "tanh", "linear"]), st.integers(0, 10_000),
       st.lists(st.floats(-2, 2), min_size=3, max_size=3))
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
    with pytest.raises(ValueError, match="'sigmoid', 'tanh', 'relu', 'linear'"):
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


@pytest.mark.parametrize("mutate,error,match", [
    (lambda d: d.pop("layers.0.neurons.1.b"), ValueError, "missing key.*layers.0.neurons.1.b"),
    (lambda d: d.update({"layers.2.neurons.0.b": 1.0}), ValueError, "unexpected key.*layers.2"),
    (lambda d: d.update({"layers.1.neurons.0.w.2": "0.5"}), TypeError, "layers.1.neurons.0.w.2.*str"),
    (lambda d: d.update({"layers.0.neurons.0.w.0": None}), TypeError, "must be a number"),
    (lambda d: d.update({"layers.0.neurons.0.w.0": True}), TypeError, "must be a number"),
    (lambda d: d.update({"layers.1.neurons.0.b": float("nan")}), ValueError, "finite"),
])
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


# -- files -------------------------------------------------------------------------------

def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "model.json"
    a = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    assert a.save(path) == os.fspath(path)
    doc = json.loads(path.read_text())
    assert doc["module"] == "MLP"
    assert doc["config"] == {"nin": 2, "nouts": [4, 3, 1], "activation": "tanh",
                             "output_activation": "sigmoid"}
    assert doc["parameters"] == a.state_dict()             # exact: floats round-trip in JSON

    b = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=9)
    assert b.load(path) is b
    assert b.state_dict() == a.state_dict()

    c = MLP.load(path)                                      # on the class: a new model
    assert repr(c) == repr(a) and c.state_dict() == a.state_dict()
    d = Module.load(path)                                   # any saved module
    assert isinstance(d, MLP) and d.state_dict() == a.state_dict()
    assert [p.label for p in c.parameters()] == [n for n, _ in a.named_parameters()]


def test_neuron_and_layer_save_load(tmp_path):
    n = Neuron(3, activation="relu", seed=1)
    n.save(tmp_path / "n.json")
    assert Neuron.load(tmp_path / "n.json").state_dict() == n.state_dict()
    layer = Layer(2, 3, seed=1)
    layer.save(tmp_path / "l.json")
    assert Layer.load(tmp_path / "l.json").state_dict() == layer.state_dict()
    with pytest.raises(ValueError, match="holds a Layer, not a Neuron"):
        Neuron.load(tmp_path / "l.json")


def _write_variant(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


BAD_FILES = [
    ("missing", None, FileNotFoundError, "no saved model at"),
    ("malformed", "{ not json", ValueError, r"not valid JSON \(line 1"),
    ("truncated", '{"format": "tinygrad_edu.nn", "version": 1, "parameters": {"a": 1.0', ValueError,
     "not valid JSON"),
    ("list", "[1, 2, 3]", ValueError, "not a tinygrad_edu model file"),
    ("nan", None, ValueError, "NaN"),
    ("shape", lambda d: d["config"].update(nouts=[4, 1]), ValueError,
     r"nouts is \[4, 1\] in the file but \[3, 1\]"),
    ("activation", lambda d: d["config"].update(activation="relu"), ValueError, "activation is 'relu'"),
    ("missing_key", lambda d: d["parameters"].pop("layers.1.neurons.0.b"), ValueError,
     "missing key.*layers.1.neurons.0.b"),
    ("extra_key", lambda d: d["parameters"].update({"layers.1.neurons.1.b": 0.0}), ValueError,
     "unexpected key.*layers.1.neurons.1.b"),
    ("string", lambda d: d["parameters"].update({"layers.0.neurons.2.w.1": "x"}), TypeError,
     "layers.0.neurons.2.w.1"),
    ("class", lambda d: d.update(module="Layer"), ValueError, "holds a Layer, but this is a MLP"),
    ("version", lambda d: d.update(version=99), ValueError, "version 99"),
    ("no_params", lambda d: d.pop("parameters"), ValueError, "'parameters' is missing"),
]


@pytest.mark.parametrize("kind,content,error,match", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_raises_and_leaves_model_unchanged(tmp_path, kind, content, error, match):
    path = tmp_path / f"{kind}.json"
    if kind == "nan":
        MLP(2, [3, 1], seed=2).save(path)
        path.write_text(path.read_text().replace(
            str(json.loads(path.read_text())["parameters"]["layers.0.neurons.0.b"]), "NaN", 1))
    elif isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        MLP(2, [3, 1], seed=2).save(path)
        _write_variant(path, content)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=match) as info:
        model.load(path)
    assert str(path) in str(info.value)                # names the file
    assert model.state_dict() == before


def test_class_load_of_bad_file(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=2).save(path)
    _write_variant(path, lambda d: d["config"].update(nouts=[]))
    with pytest.raises(ValueError, match="cannot build a MLP"):
        MLP.load(path)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    old = MLP(2, [3, 1], seed=0)
    old.save(path)
    good = path.read_text()

    def crash(*args):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", crash)            # the crash comes mid-write
    with pytest.raises(OSError, match="simulated"):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_text() == good                    # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]   # no temp file left
    monkeypatch.undo()

    monkeypatch.setattr(os, "replace", crash)          # the crash comes before the rename
    with pytest.raises(OSError):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_text() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_save_into_missing_directory_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .*nowhere.* does not exist"):
        Neuron(2, seed=0).save(tmp_path / "nowhere" / "m.json")



def test_save_into_a_file_or_a_directory_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotADirectoryError, match=r"notes.txt' is a file, not a directory"):
        Neuron(2, seed=0).save(tmp_path / "notes.txt" / "m.json")
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=r"cannot save to '.*folder': it is a directory"):
        Neuron(2, seed=0).save(tmp_path / "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_save_refuses_a_diverged_parameter(tmp_path):
    n = Neuron(2, seed=0)
    n.w[1].data = float("nan")
    with pytest.raises(ValueError, match=r"parameter 'w.1' is nan, not a finite number"):
        n.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_into_an_unwritable_directory_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "m.json"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError, match=rf"cannot save to {re.escape(repr(str(path)))}: cannot create "
                                              r"a file in .*: Permission denied"):
        Neuron(2, seed=0).save(path)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions, which do not bind root")
def test_save_into_a_read_only_directory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"cannot save to .*ro/m.json"):
            Neuron(2, seed=0).save(folder / "m.json")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask-022", "umask-077", "umask-002"])
def test_saved_file_gets_the_permissions_open_would_give(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = Neuron(2, seed=0).save(tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.json"
    Neuron(2, seed=0).save(path)
    path.chmod(0o640)
    Neuron(2, seed=1).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert Neuron.load(path).state_dict() == Neuron(2, seed=1).state_dict()


UNREADABLE = [
    ("binary", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff"), ValueError,
     r"is not a text file \(byte 0x89 at position 0 is not UTF-8\)"),
    ("directory", lambda p: p.mkdir(), IsADirectoryError, "it is a directory, not a file"),
    ("deep", lambda p: p.write_text("[" * 100_000 + "]" * 100_000), ValueError,
     "nests lists or objects too deeply"),
    ("huge_int", lambda p: p.write_text("1" * 5000), ValueError, "cannot be read as JSON"),
]


@pytest.mark.parametrize("kind,make,error,match", UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_file_is_named_and_leaves_model_unchanged(tmp_path, kind, make, error, match):
    path = tmp_path / f"{kind}.json"
    make(path)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=match) as info:
        model.load(path)
    assert repr(str(path)) in str(info.value)
    assert model.state_dict() == before
    with pytest.raises(error, match=match):
        MLP.load(path)


def test_a_parameter_too_large_for_a_float_is_refused(tmp_path):
    path = tmp_path / "m.json"
    Neuron(2, seed=0).save(path)
    path.write_text(path.read_text().replace(repr(Neuron(2, seed=0).b.data), "1" + "0" * 400, 1))
    model = Neuron(2, seed=3)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"parameter 'b' in '.*m.json' must be finite"):
        model.load(path)
    assert model.state_dict() == before
