"""Code written for micrograd runs on tinygrad_edu.micrograd with only its import changed.

Each sequence below is written once, as a function of the Value class (or of
``Value`` and ``MLP``), and run on the drop-in and on the real micrograd (the
PyPI package ``micrograd==0.1.0``); the numbers must agree:

* micrograd's own engine tests (a sanity check, and "more ops": relu, ``**``,
  ``/``, ``+=``, numbers on the left), also against PyTorch when it is installed;
* micrograd's README example, printing the same numbers;
* its moons demo's training loop: same network, same losses, same weights, step by step;
* the lecture's manual ``_backward()`` calls, its topological sort and its
  ``trace``/``draw_dot``, which read ``_prev``, ``_op``, ``data``, ``grad`` and ``label``.
"""

import math
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu._optional import install_hint

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:
    pytest.skip(
        f"the reference package micrograd is not installed: {install_hint('test')}",
        allow_module_level=True,
    )

import tinygrad_edu
import tinygrad_edu.micrograd as dropin
from tinygrad_edu.datasets import make_moons, signed_labels

# The notebook's training loop is written once, in the drop-in's benchmark.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_dropin  # noqa: E402

ENGINES = {"tinygrad_edu.micrograd": dropin.Value, "micrograd": mg_engine.Value}


def close(got, want, tol):
    return abs(got - want) <= tol


# ---------------------------------------------------------------------------
# (a) micrograd's engine tests, written once for any Value class


def sanity_check(leaf):
    """micrograd's sanity check; returns (x, y) after y.backward()."""
    x = leaf(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def more_ops(leaf):
    """micrograd's "more ops" (and its README example), forward only; returns (a, b, g)."""
    a = leaf(-4.0)
    b = leaf(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def test_drop_in_value_is_the_engines_value():
    assert dropin.Value is tinygrad_edu.Value


def test_sanity_check_matches_micrograd():
    x, y = sanity_check(dropin.Value)
    x_mg, y_mg = sanity_check(mg_engine.Value)
    assert close(y.data, y_mg.data, 1e-12) and close(x.grad, x_mg.grad, 1e-12)
    assert (y.data, x.grad) == (-20.0, 46.0)  # worked by hand: z = -10, q = 30, h = 100


def test_more_ops_match_micrograd():
    results = {}
    for name, value_cls in ENGINES.items():
        a, b, g = more_ops(value_cls)
        g.backward()
        results[name] = (g.data, a.grad, b.grad)
    ours, theirs = results["tinygrad_edu.micrograd"], results["micrograd"]
    for got, want in zip(ours, theirs):
        assert close(got, want, 1e-12), (ours, theirs)
    # micrograd's README: 24.7041, 138.8338, 645.5773
    assert [round(x, 4) for x in ours] == [24.7041, 138.8338, 645.5773]


def test_engine_sequences_match_torch():
    torch = pytest.importorskip("torch")

    def leaf(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    x, y = sanity_check(dropin.Value)
    x_pt, y_pt = sanity_check(leaf)
    assert close(y.data, y_pt.item(), 1e-12) and close(x.grad, x_pt.grad.item(), 1e-12)

    a, b, g = more_ops(dropin.Value)
    g.backward()
    a_pt, b_pt, g_pt = more_ops(leaf)
    g_pt.backward()
    assert close(g.data, g_pt.item(), 1e-12)
    assert close(a.grad, a_pt.grad.item(), 1e-12) and close(b.grad, b_pt.grad.item(), 1e-12)


def test_lecture_op_spellings_match_micrograd():
    """_op as micrograd spells the ops both engines record the same way."""
    for build in (
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a.relu(),
        lambda a, b: a**2,
        lambda a, b: a**3,
        lambda a, b: 2 + a,
        lambda a, b: a,
    ):
        ours = build(dropin.Value(1.5), dropin.Value(-2.0))
        theirs = build(mg_engine.Value(1.5), mg_engine.Value(-2.0))
        assert ours._op == theirs._op
        assert {p.data for p in ours._prev} == {p.data for p in theirs._prev}


# ---------------------------------------------------------------------------
# (b) micrograd's README example


def readme_example(Value):
    a, b, g = more_ops(Value)
    print(f"{g.data:.4f}")  # prints 24.7041, the outcome of this forward pass
    g.backward()
    print(f"{a.grad:.4f}")  # prints 138.8338, i.e. the numeric value of dg/da
    print(f"{b.grad:.4f}")  # prints 645.5773, i.e. the numeric value of dg/db


def test_readme_example_prints_what_micrograd_prints(capsys):
    readme_example(mg_engine.Value)
    theirs = capsys.readouterr().out
    readme_example(dropin.Value)
    ours = capsys.readouterr().out
    assert ours == theirs == "24.7041\n138.8338\n645.5773\n"


# ---------------------------------------------------------------------------
# (c) the moons demo's training loop


def moons_demo(Value, MLP, X, y, steps):
    """micrograd's demo notebook (benchmarks/bench_dropin.py holds its lines);
    returns the model's repr and, per step, (loss, accuracy, weights)."""
    model, step = bench_dropin.demo(Value, MLP, X, y)
    history = [(None, None, [p.data for p in model.parameters()])]
    for k in range(steps):
        loss, acc = step(k)
        history.append((loss, acc, [p.data for p in model.parameters()]))
    return repr(model), history


def moons_data(kind):
    X, labels = make_moons(20, noise=0.1, seed=3)
    y = signed_labels(labels)
    if kind == "numpy arrays":  # as the notebook has them: X from make_moons, y = y*2 - 1
        np = pytest.importorskip("numpy")
        X, y = np.array(X), np.array(labels) * 2 - 1
    return X, y


@pytest.mark.parametrize("kind", ["lists", "numpy arrays"])
def test_moons_training_matches_micrograd_step_by_step(kind):
    X, y = moons_data(kind)
    steps = 6
    ours_repr, ours = moons_demo(dropin.Value, dropin.MLP, X, y, steps)
    theirs_repr, theirs = moons_demo(mg_engine.Value, mg_nn.MLP, X, y, steps)
    assert ours_repr == theirs_repr
    assert ours[0][2] == theirs[0][2]  # the same draws: the same network
    assert len(ours[0][2]) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1
    for step, ((loss, acc, weights), (loss_mg, acc_mg, weights_mg)) in enumerate(zip(ours, theirs)):
        if step:
            assert close(loss, loss_mg, 1e-9), (step, loss, loss_mg)
            assert acc == acc_mg
        worst = max(abs(w - v) for w, v in zip(weights, weights_mg))
        assert worst <= 1e-9, (step, worst)
    # The steps did move the network, and it learned (from 50% right at the start).
    assert max(abs(w - v) for w, v in zip(ours[-1][2], ours[0][2])) > 1e-2
    assert ours[1][1] == 0.5 and ours[-1][1] >= 0.8 and ours[-1][0] < ours[1][0] / 2


def test_networks_as_micrograd_builds_them():
    for module in (dropin, mg_nn):
        random.seed(0)
        layer = module.Layer(3, 1)
        single = layer([1.0, 2.0, 3.0])
        pair = module.Layer(3, 2, nonlin=False)([1.0, 2.0, 3.0])
        neuron = module.Neuron(2, nonlin=False)
        assert repr(neuron) == "LinearNeuron(2)"
        assert repr(layer) == "Layer of [ReLUNeuron(3)]"
        assert not isinstance(single, list) and isinstance(pair, list) and len(pair) == 2
        assert [p.data for p in neuron.parameters()][-1] == 0  # bias starts at 0
        assert module.Module().parameters() == []
    model = dropin.MLP(2, [16, 16, 1])
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2), ")
    assert repr(model).endswith("ReLUNeuron(16)], Layer of [LinearNeuron(16)]]")
    for p in model.parameters():
        p.grad = 5.0
    model.zero_grad()
    assert {p.grad for p in model.parameters()} == {0.0}


def test_importing_the_package_leaves_the_drop_in_unloaded_and_it_loads_nothing_heavy():
    code = (
        "import sys; import tinygrad_edu; before = set(sys.modules); "
        "assert 'tinygrad_edu.micrograd' not in before; "
        "import tinygrad_edu.micrograd; print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(out.split())
    assert "tinygrad_edu.micrograd" in loaded
    # Besides itself, only the standard library (random, for micrograd's weight draws).
    assert {m.split(".")[0] for m in loaded - {"tinygrad_edu.micrograd"}} <= sys.stdlib_module_names


# ---------------------------------------------------------------------------
# (d) the lecture: one tanh neuron, backward by hand, and its diagram


# The lecture's code as it wrote it, kept out of the formatter:
# fmt: off
def lecture_neuron(Value):
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}
# fmt: on


LECTURE_GRADS = {
    "o": 1.0,
    "n": 0.5,
    "b": 0.5,
    "x1*w1 + x2*w2": 0.5,
    "x1*w1": 0.5,
    "x2*w2": 0.5,
    "x1": -1.5,
    "w1": 1.0,
    "x2": 0.5,
    "w2": 0.0,
}


def assert_lecture_grads(v):
    assert close(v["o"].data, 1 / math.sqrt(2), 1e-12)  # b was chosen so that o = 0.7071
    for label, want in LECTURE_GRADS.items():
        assert close(v[label].grad, want, 1e-12), (label, v[label].grad, want)


def test_lecture_manual_backward():
    v = lecture_neuron(dropin.Value)
    o, n, b, x1w1x2w2, x2w2, x1w1 = (
        v[k] for k in ("o", "n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1")
    )
    o.grad = 1.0
    o._backward()
    assert close(n.grad, 0.5, 1e-12) and x1w1.grad == 0.0  # one node at a time
    n._backward()
    b._backward()  # a leaf: nothing to pass on
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    assert_lecture_grads(v)


def test_lecture_topological_sort_and_backward():
    v = lecture_neuron(dropin.Value)
    o = v["o"]
    topo = []
    visited = set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(o)
    assert len(topo) == 10 and topo[-1] is o
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert_lecture_grads(v)

    w = lecture_neuron(dropin.Value)
    w["o"].backward()
    assert_lecture_grads(w)


def test_lecture_a_plus_a_counts_both_edges():
    a = dropin.Value(3.0, label="a")
    b = a + a
    b.label = "b"
    assert b._prev == {a}
    b.grad = 1.0
    b._backward()
    assert a.grad == 2.0


# The lecture's trace and draw_dot as it wrote them, kept out of the formatter:
# fmt: off
def trace(root):
    # builds a set of all nodes and edges in a graph
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges


def draw_dot(root):
    from graphviz import Digraph
    dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'})  # LR = left to right

    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        # for any value in the graph, create a rectangular ('record') node for it
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape='record')
        if n._op:
            # if this value is a result of some operation, create an op node for it
            dot.node(name=uid + n._op, label=n._op)
            # and connect this node to it
            dot.edge(uid + n._op, uid)

    for n1, n2 in edges:
        # connect n1 to the op node of n2
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)

    return dot
# fmt: on


def test_lecture_draw_dot():
    v = lecture_neuron(dropin.Value)
    v["o"].backward()
    dot = draw_dot(v["o"])
    labels = {str(id(node)): label for label, node in v.items()}

    def name(quoted):  # "140...*" -> ('*', 'x1*w1'): the op node of x1*w1; 140... -> 'x1'
        uid, op = re.fullmatch(r'"?(\d+)(\D*?)"?', quoted).groups()
        return (op, labels[uid]) if op else labels[uid]

    records, op_nodes, edges = {}, set(), set()
    for line in dot.body:
        if m := re.fullmatch(r"\t(\S+) -> (\S+)\n", line):
            edges.add((name(m[1]), name(m[2])))
        elif m := re.fullmatch(
            r'\t(\S+) \[label="\{ (.*) \| data (\S+) \| grad (\S+) \}" shape=record\]\n', line
        ):
            records[name(m[1])] = (m[2], m[3], m[4])
        elif m := re.fullmatch(r'\t(\S+) \[label="?([^"]+)"?\]\n', line):
            op_nodes.add(name(m[1]))
            assert name(m[1])[0] == m[2]
    assert records == {
        label: (label, f"{node.data:.4f}", f"{node.grad:.4f}") for label, node in v.items()
    }
    assert records["x1"] == ("x1", "2.0000", "-1.5000") and records["o"][1:] == ("0.7071", "1.0000")
    assert op_nodes == {
        ("*", "x1*w1"),
        ("*", "x2*w2"),
        ("+", "x1*w1 + x2*w2"),
        ("+", "n"),
        ("tanh", "o"),
    }
    into_ops = {
        ("x1", ("*", "x1*w1")),
        ("w1", ("*", "x1*w1")),
        ("x2", ("*", "x2*w2")),
        ("w2", ("*", "x2*w2")),
        ("x1*w1", ("+", "x1*w1 + x2*w2")),
        ("x2*w2", ("+", "x1*w1 + x2*w2")),
        ("x1*w1 + x2*w2", ("+", "n")),
        ("b", ("+", "n")),
        ("n", ("tanh", "o")),
    }
    out_of_ops = {(op_node, op_node[1]) for op_node in op_nodes}
    assert edges == into_ops | out_of_ops

    if shutil.which("dot"):  # Graphviz's program lays it out as the lecture shows it
        svg = dot.pipe(format="svg").decode()
        assert svg.count('class="node"') == 15 and svg.count('class="edge"') == 14
        assert ">tanh<" in svg and "grad &#45;1.5000" in svg
