"""Readable network diagrams: each input once, a network's graph laid out by layer, draw_network."""

import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_edu import Value, topological_order
from tinygrad_edu.engine import is_constant
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP, Layer, Neuron
from tinygrad_edu.viz import draw_dot, draw_network

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)
SVG = "{http://www.w3.org/2000/svg}"


def inputs_of(root):
    """The leaves of root's graph that are not parameters (inputs and constants)."""
    return [
        v
        for v in topological_order(root)
        if v.is_leaf and "w." not in v.label and not v.label.endswith("b")
    ]


# -- 1. each input once ------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [MLP(2, [3, 1], seed=0), Layer(2, 3, seed=0), Neuron(2, seed=0)],
    ids=["MLP", "Layer", "Neuron"],
)
def test_numbers_become_one_labelled_value_per_input(model):
    out = model([1.0, 2.0])
    root = out[0] if isinstance(out, list) else out
    leaves = inputs_of(root)
    assert sorted(v.label for v in leaves) == ["x0", "x1"]  # 2 Values, not 6 constants
    assert not any(is_constant(v) for v in leaves)
    assert sorted(v.data for v in leaves) == [1.0, 2.0]
    src = draw_dot(root).source
    assert (
        len(re.findall(r'label="\{?x0 \|', src)) == 1
        and len(re.findall(r'label="\{?x1 \|', src)) == 1
    )


def test_an_mlp_converts_once_and_its_layers_share_the_inputs():
    model = MLP(2, [3, 3, 1], seed=0)
    out = model([0.5, -1.5])[0]
    leaves = inputs_of(out)
    assert len(leaves) == 2
    first = model.layers[0]
    readers = {
        id(v)
        for v in topological_order(out)
        if v.rule is not None and any(p in leaves for p in v.parents)
    }
    assert len(readers) == 2 * len(first.neurons)  # every first-layer neuron reads the same two


def test_the_caller_names_the_inputs():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.8, 72.0], names=["height", "weight"])[0]
    assert sorted(v.label for v in inputs_of(out)) == ["height", "weight"]
    assert sorted(v.label for v in inputs_of(Neuron(2, seed=0)([1.0, 2.0], names=("a", "c")))) == [
        "a",
        "c",
    ]
    out = Layer(2, 1, seed=0)([1.0, 2.0], names=["p", "q"])[0]
    assert sorted(v.label for v in inputs_of(out)) == ["p", "q"]
    assert (
        Neuron(2, activation="linear", seed=0)
        .preactivation([1.0, 2.0], names=["u", "v"])
        .formula()
        .endswith("w.0*u + w.1*v + b")
    )


def test_values_passed_in_are_used_as_they_are():
    model = MLP(2, [3, 1], seed=0)
    a = Value(1.0, label="mine")
    out = model([a, 2.0], names=["ignored", "second"])[0]
    leaves = inputs_of(out)
    assert a in leaves and a.label == "mine"
    assert sorted(v.label for v in leaves) == ["mine", "second"]
    out.backward()
    assert a.grad != 0.0  # the caller's own Value gets its gradient


@pytest.mark.parametrize(
    "names, error, match",
    [
        (["x"], ValueError, r"takes 2 input\(s\), so names must list 2 names, got 1"),
        (["a", "b", "c"], ValueError, "must list 2 names, got 3"),
        (["a", 1], TypeError, r"names\[1\] must be a str, got int"),
        ("ab", TypeError, "names must be a list of 2 strings"),
        (7, TypeError, "names must be a list of 2 strings"),
        (["a", ""], ValueError, r"names\[1\] is empty"),
        (["a", "a"], ValueError, "'a' is given to more than one input"),
    ],
)
def test_bad_names_are_refused(names, error, match):
    for model in (MLP(2, [3, 1], seed=0), Layer(2, 2, seed=0), Neuron(2, seed=0)):
        with pytest.raises(error, match=match):
            model([1.0, 2.0], names=names)


def test_bad_inputs_are_refused_before_any_arithmetic():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"input 'x1'.*finite"):
        model([1.0, float("inf")])
    with pytest.raises(TypeError, match="inputs must be numbers or Values, got str"):
        model([1.0, "2"])
    with pytest.raises(ValueError, match=r"takes 2 input\(s\), got 3"):
        model([1.0, 2.0, 3.0])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_numbers_and_values_give_the_same_outputs_and_gradients(xs):
    model = MLP(3, [4, 2], activation="tanh", seed=3)
    out = model(xs)
    loss = sum_of_squares(out, [0.5, -0.5])
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    out2 = model([Value(x) for x in xs])
    loss2 = sum_of_squares(out2, [0.5, -0.5])
    model.zero_grad()
    loss2.backward()
    assert [o.data for o in out] == [o.data for o in out2]
    assert grads == [p.grad for p in model.parameters()]


# -- 2. a network's graph fits a laptop screen -----------------------------------------------


def _loss(kind):
    net = MLP(2, [3, 1], seed=0)
    if kind == "(y - 1)**2":
        y = net([1.0, 0.0])[0]
        loss = (y - 1.0) ** 2
    else:
        loss = sum_of_squares(net([1.0, 0.0]), [1.0])
    loss.backward()
    return loss


def _svg_size_px(svg):
    m = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(m.group(1)) * 96 / 72, float(m.group(2)) * 96 / 72


@needs_dot
@pytest.mark.parametrize("kind", ["(y - 1)**2", "sum_of_squares"])
def test_the_default_diagram_of_a_2_3_1_loss_fits_a_laptop_screen(kind):
    dot = draw_dot(_loss(kind))
    width, height = _svg_size_px(dot.pipe(format="svg"))
    assert width <= 1800 and height <= 1800, (width, height)  # was about 6,300 x 600


def test_the_text_is_not_shrunk_to_fit():
    src = draw_dot(_loss("sum_of_squares")).source
    assert not re.search(r"\bsize=", src) and "ratio=" not in src
    sizes = [float(s) for s in re.findall(r"fontsize=\"?([\d.]+)", src)]
    assert sizes and min(sizes) >= 9


def test_a_networks_graph_is_drawn_by_layer_and_neuron():
    src = draw_dot(_loss("(y - 1)**2")).source
    assert "rankdir=TB" in src
    titles = re.findall(r'label="(layer \d+, neuron \d+)"', src)
    assert sorted(titles) == [
        "layer 0, neuron 0",
        "layer 0, neuron 1",
        "layer 0, neuron 2",
        "layer 1, neuron 0",
    ]
    # Each neuron's box holds its ops and their results: 2 muls, 2 adds, the sigmoid for a hidden one.
    blocks = re.findall(r"subgraph cluster_\d+ \{(.*?)\n\t\}", src, re.S)
    ops = [re.findall(r"(v\d+_op) \[label=\"?([^\s\"]+)", block) for block in blocks]
    assert sorted(sorted(label for _, label in block) for block in ops) == sorted(
        [["*", "*", "+", "+", "sigmoid"]] * 3 + [["*", "*", "*", "+", "+", "+", "sigmoid"]]
    )
    # ids and colours as before: v0, v1 ... and vK_op, the tables t0, t1
    assert re.search(r"^\tt0 \[", src, re.M) and re.search(r"^\tt1 \[", src, re.M)
    assert 'fillcolor="#fff2cc"' in src and 'fillcolor="#e8f0fe"' in src
    assert "xlabel=left" in src and "xlabel=right" in src  # operand roles: no rank doubling


def test_rankdir_given_is_kept_and_other_graphs_stay_left_to_right():
    loss = _loss("(y - 1)**2")
    assert "rankdir=LR" in draw_dot(loss, rankdir="LR").source
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    assert "rankdir=LR" in draw_dot((x * w).tanh()).source
    assert "cluster" not in draw_dot((x * w).tanh()).source
    # Parameters without a network's shape (no bias added) are not boxed as neurons.
    p = Value(0.5, label="layers.0.neurons.0.w.0")
    assert "cluster" not in draw_dot(p * x * w).source


# -- 3. draw_network --------------------------------------------------------------------


def _nodes_and_edges(src):
    nodes = {
        name: attrs
        for name, attrs in re.findall(r"^\t+(\w+) \[(.*)\]$", src, re.M)
        if name not in ("graph", "node", "edge")
    }
    edges = re.findall(r"^\t(\w+) -> (\w+) \[(.*)\]$", src, re.M)
    return nodes, edges


def test_draw_network_has_a_node_per_neuron_and_an_arrow_per_weight():
    net = MLP(2, [3, 1], seed=0)
    src = draw_network(net).source
    nodes, edges = _nodes_and_edges(src)
    assert sorted(nodes) == ["L0N0", "L0N1", "L0N2", "L1N0", "x0", "x1"]
    assert len(edges) == 2 * 3 + 3 * 1
    for layer_index, layer in enumerate(net.layers):
        for n, neuron in enumerate(layer.neurons):
            assert f"b={neuron.b.data:.4g}" in nodes[f"L{layer_index}N{n}"]
            assert f"id=L{layer_index}N{n}" in nodes[f"L{layer_index}N{n}"]
            for i, w in enumerate(neuron.w):
                source = f"x{i}" if layer_index == 0 else f"L{layer_index - 1}N{i}"
                (attrs,) = [a for t, h, a in edges if (t, h) == (source, f"L{layer_index}N{n}")]
                assert f'label="w={w.data:.4g}"' in attrs  # the number written, not colour alone
                assert f"id=w_L{layer_index}N{n}_i{i}" in attrs
                assert ('color="#1f77b4"' if w.data > 0 else 'color="#d62728"') in attrs
    assert "grad" not in src  # no gradients before backward()
    assert "input layer" in src and "hidden layer 1 (layers.0, sigmoid)" in src
    assert "output layer (layers.1, sigmoid)" in src


def test_draw_network_shows_the_gradients_after_backward():
    net = MLP(2, [3, 1], seed=0)
    sum_of_squares(net([1.0, 0.0]), [1.0]).backward()
    nodes, edges = _nodes_and_edges(draw_network(net).source)
    w = net.layers[1].neurons[0].w[2]
    (attrs,) = [a for t, h, a in edges if (t, h) == ("L0N2", "L1N0")]
    assert f'label="w={w.data:.4g}\\ngrad={w.grad:.4g}"' in attrs
    assert f"b.grad={net.layers[0].neurons[1].b.grad:.4g}" in nodes["L0N1"]
    assert "grad" not in draw_network(net, show_grad=False).source


def test_draw_network_takes_a_layer_or_a_neuron():
    nodes, edges = _nodes_and_edges(draw_network(Layer(3, 2, activation="tanh", seed=0)).source)
    assert sorted(nodes) == ["L0N0", "L0N1", "x0", "x1", "x2"] and len(edges) == 6
    src = draw_network(Neuron(2, activation="relu", seed=0)).source
    nodes, edges = _nodes_and_edges(src)
    assert sorted(nodes) == ["L0N0", "x0", "x1"] and len(edges) == 2
    assert 'tooltip="w.1 = ' in src and "output layer (relu)" in src


@pytest.mark.parametrize(
    "thing, hint",
    [
        (Value(1.0), "draw_dot"),
        ([MLP(2, [1], seed=0)], "not a list"),
        (MLP, "not the class"),
        (None, "got builtins.NoneType"),
        ("MLP(2, [3, 1])", "got builtins.str"),
    ],
)
def test_draw_network_refuses_anything_else(thing, hint):
    with pytest.raises(TypeError, match="draw_network takes an MLP, a Layer or a Neuron") as info:
        draw_network(thing)
    assert hint in str(info.value)


def test_draw_network_refuses_a_micrograd_model():
    from tinygrad_edu import micrograd

    with pytest.raises(TypeError, match=r"got tinygrad_edu\.micrograd\.MLP"):
        draw_network(micrograd.MLP(2, [3, 1]))


@needs_dot
def test_draw_network_renders_with_stable_svg_ids():
    net = MLP(2, [3, 1], seed=0)
    sum_of_squares(net([1.0, 0.0]), [1.0]).backward()
    tree = ET.fromstring(draw_network(net).pipe(format="svg"))
    ids = {g.get("id") for g in tree.iter(SVG + "g")}
    assert {"x0", "x1", "L0N0", "L0N1", "L0N2", "L1N0", "w_L1N0_i2", "w_L0N1_i0"} <= ids
    texts = [t.text for t in tree.iter(SVG + "text")]
    assert any(t and t.startswith("w=") for t in texts) and any(
        t and t.startswith("grad=") for t in texts
    )
