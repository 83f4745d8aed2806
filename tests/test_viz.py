"""Diagrams: the DOT source (snapshots), escaping, limits, rendering with the real `dot`."""

import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinygrad_edu import Value
from tinygrad_edu.viz import (
    DEFAULT_TIMEOUT,
    FORMATS,
    GraphvizNotInstalled,
    RenderTimeout,
    draw_dot,
    render,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path(__file__).resolve().parent.parent
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)
SVG = "{http://www.w3.org/2000/svg}"


def _load_docs_example():
    """docs/neuron.py as a module: the tests draw the same neuron the docs show."""
    spec = importlib.util.spec_from_file_location("docs_neuron", ROOT / "docs" / "neuron.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: o = tanh(x1*w1 + x2*w2 + b) with the classic numbers, every node labelled (docs/neuron.py).
neuron = _load_docs_example().neuron


def tiny_network():
    """Two hand-built neurons named the way tinygrad_edu.nn names its parameters."""
    x = Value(0.5, label="x")
    params = {
        name: Value(v, label=name)
        for name, v in [
            ("layers.0.neurons.0.w.0", 0.3),
            ("layers.0.neurons.0.b", -0.1),
            ("layers.1.neurons.0.w.0", 2.0),
            ("layers.1.neurons.0.b", 0.2),
        ]
    }
    h = (params["layers.0.neurons.0.w.0"] * x + params["layers.0.neurons.0.b"]).sigmoid()
    out = (params["layers.1.neurons.0.w.0"] * h + params["layers.1.neurons.0.b"]).sigmoid()
    return out


def svg_texts(path):
    tree = ET.parse(path)  # raises if the SVG is not well-formed XML
    return [t.text for t in tree.iter(SVG + "text") if t.text]


# -- DOT source ---------------------------------------------------------------

REGENERATE = (
    "if the change is intended, regenerate the snapshots with "
    "`python tests/test_viz.py` and the docs diagram with `python docs/neuron.py`"
)


def snapshot_sources():
    """{file: DOT source} for every checked-in snapshot."""
    o = neuron()
    o.backward()
    net = tiny_network()
    net.backward()
    return {
        SNAPSHOTS / "neuron.dot": draw_dot(o, show_order=True).source,
        SNAPSHOTS / "tiny_network.dot": draw_dot(net).source,
    }


@pytest.mark.parametrize("name", ["neuron.dot", "tiny_network.dot"])
def test_dot_source_matches_the_snapshot(name):
    assert snapshot_sources()[SNAPSHOTS / name] == (SNAPSHOTS / name).read_text(), REGENERATE


def test_the_committed_docs_diagram_source_is_current():
    expected = snapshot_sources()[SNAPSHOTS / "neuron.dot"]
    assert (ROOT / "docs" / "neuron.dot").read_text() == expected, REGENERATE


def test_same_expression_gives_identical_source_every_time():
    sources = set()
    for _ in range(3):
        o = neuron()
        o.backward()
        sources.add(draw_dot(o).source)
    assert len(sources) == 1


def test_record_fields_and_op_nodes():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a - b
    src = draw_dot(c, color_by_grad=False).source
    assert 'v0 [label="{a | data 2 | grad 0}"' in src
    assert 'v2 [label="{n1 | data 5 | grad 0}"' in src  # unlabelled: named as explain names it
    assert 'v2_op [label="-" shape=ellipse]' in src
    assert "v0 -> v2_op [label=left]" in src and "v1 -> v2_op [label=right]" in src
    assert "v2_op -> v2" in src
    assert "graph [nslimit=50 nslimit1=50 rankdir=LR]" in src  # no legend without colouring


def test_without_grad_and_top_to_bottom():
    x = Value(1.5, label="x")
    src = draw_dot(x.exp(), show_grad=False, rankdir="TB").source
    assert 'label="x | data 1.5"' in src  # no braces: fields side by side in TB
    assert "grad" not in src
    assert "rankdir=TB" in src


def test_constants_show_only_their_number_and_pow_by_number_its_exponent():
    x = Value(3.0, label="x")
    src = draw_dot(2 * x**2, color_by_grad=False).source
    assert '[label="{data 2 | grad 0}"' in src
    assert '[label="**2" shape=ellipse]' in src


def test_edge_colour_comes_from_the_gradient_flowing_back():
    o = neuron()
    o.backward()
    src = draw_dot(o).source
    lines = {line.split(" [")[0].strip(): line for line in src.splitlines() if "->" in line}
    # x1 (v0) receives x1w1.grad * w1 = 0.5 * -3 = -1.5, the largest flow: full red, widest.
    assert lines["v0 -> v2_op"].endswith(
        '[color="#d62728" penwidth=4.00 tooltip="gradient flowing back: -1.5"]'
    )
    # w2 (v4) receives x2w2.grad * x2 = 0.5 * 0: no gradient flows, a dashed grey edge.
    assert lines["v4 -> v5_op"].endswith(
        '[color="#c0c0c0" style=dashed tooltip="no gradient flows back here"]'
    )
    # The flows span 0.5 to 1.5: one power of ten, from 0.15 (grey) to 1.5 (red).  0.5 sits
    # at 1 + log10(0.5 / 1.5) = 0.523 of the way: width 1 + 3 * 0.523.
    assert 'penwidth=2.57 tooltip="gradient flowing back: 0.5"' in lines["v3 -> v5_op"]
    # The edge out of an op carries its output's own gradient: o.grad = 1 (0.824 of the way).
    assert 'penwidth=3.47 tooltip="gradient flowing back: 1"' in lines["v9_op -> v9"]
    assert (
        'label="edge colour and width: |gradient| flowing back along the edge, on a log scale '
        "from thin grey (0.15 or less) to thick red (1.5, the largest); dashed: no gradient"
    ) in src


def _widths(src):
    """{gradient shown in the tooltip: penwidth} over the arrows of a DOT source."""
    return {
        float(g): float(w)
        for w, g in re.findall(
            r'penwidth=([\d.]+) tooltip="gradient flowing back: ([-\d.e]+)"', src
        )
    }


def test_the_colour_scale_shows_small_gradients_apart_beside_the_outputs_one():
    """A network's gradients are mostly far below the root's 1: on a linear scale they were
    all thin grey.  The log scale gives each power of ten its own width."""
    net = tiny_network()
    net.backward()
    widths = _widths(draw_dot(net).source)
    # 0.02631, 0.0877, 0.1755, 0.351, 1: the scale spans 2 powers of ten (0.01 to 1).
    shown = [widths[g] for g in sorted(widths)]
    assert shown == sorted(shown) and len(set(shown)) == len(shown)
    assert widths[1.0] == 4.0
    assert widths[0.02631] == pytest.approx(1 + 3 * (1 + math.log10(0.02631) / 2), abs=0.01)
    assert widths[0.0877] - widths[0.02631] > 0.7  # was 0.18 on the linear scale
    # Gradients spread over 7 powers of ten: the scale stops at 6 below the largest.
    x = Value(1.0, label="x")
    y = x * 1e-7 + x * 1e-3 + x
    y.backward()
    src = draw_dot(y).source
    assert "thin grey (1e-06 or less) to thick red (1, the largest)" in src
    widths = _widths(src)
    assert widths[1e-7] == 1.0 and widths[0.001] == 2.5


def test_no_colouring_before_backward():
    src = draw_dot(neuron()).source
    assert "penwidth" not in src and "dashed" not in src and "largest" not in src


def test_backward_order_numbers():
    o = neuron()
    src = draw_dot(o, show_order=True, color_by_grad=False).source
    assert r'[label="tanh\nstep 1" shape=ellipse]' in src
    assert r'[label="+\nstep 2" shape=ellipse]' in src
    assert src.count(r"\nstep ") == 5


def test_grads_recorded_with_create_graph_are_drawn_as_numbers():
    x = Value(2.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert "{x | data 2 | grad 12}" in draw_dot(y, max_nodes=100).source


def _table_labels(src):
    return re.findall(r'^\s*(t\d+) \[label="(.*)" fillcolor', src, re.M)


def test_parameters_are_drawn_as_a_table_per_layer():
    out = tiny_network()
    src = draw_dot(out, color_by_grad=False).source
    assert _table_labels(src) == [
        (
            "t0",
            "{layer 0 | {{neuron 0 | {{w.0 | data 0.3 | <v1> grad 0} | {b | data -0.1 | <v4> grad 0}}}}}",
        ),
        (
            "t1",
            "{layer 1 | {{neuron 0 | {{w.0 | data 2 | <v0> grad 0} | {b | data 0.2 | <v8> grad 0}}}}}",
        ),
    ]
    # The arrows leave from the parameters' rows, on the side facing the arrows' direction.
    assert "t0:v1:e -> v3_op" in src and "t1:v8:e -> v9_op" in src
    assert "v1 [" not in src  # no separate box for a parameter in a table
    plain = draw_dot(out, cluster_params=False).source
    assert "t0" not in plain and "layers.0.neurons.0.w.0 |" in plain


def test_tables_list_neurons_and_parameters_in_order():
    """Layer by layer, neuron 0 first, weights w.0, w.1, ... then b -- whatever order the
    forward pass met them in (here the last neuron and the bias first)."""
    xs = [Value(1.0, label="x0"), Value(2.0, label="x1")]
    names = [
        "layers.0.neurons.10.b",
        "layers.0.neurons.10.w.1",
        "layers.0.neurons.10.w.0",
        "layers.0.neurons.2.w.10",
        "layers.0.neurons.2.w.2",
        "layers.0.neurons.2.b",
        "layers.0.neurons.2.w.0",
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.b",
    ]
    p = {name: Value(0.5, label=name) for name in names}
    n10 = p[names[0]] + p[names[1]] * xs[1] + p[names[2]] * xs[0]
    n2 = p[names[3]] * xs[1] + p[names[4]] * xs[0] + p[names[5]] + p[names[6]] * xs[0]
    out = p["layers.1.neurons.0.w.0"] * (n10 + n2).tanh() + p["layers.1.neurons.0.b"]
    labels = [label for _, label in _table_labels(draw_dot(out, show_grad=False).source)]
    rows = [
        re.findall(r"(?:layer|neuron) \d+|\{(?:<v\d+> )?([\w.]+) \|", label) for label in labels
    ]
    titles = [re.findall(r"(?:layer|neuron) \d+", label) for label in labels]
    assert titles == [["layer 0", "neuron 2", "neuron 10"], ["layer 1", "neuron 0"]]
    shorts = [[r for r in row if r] for row in rows]
    assert shorts == [["w.0", "w.2", "w.10", "b", "w.0", "w.1", "b"], ["w.0", "b"]]


def test_an_mlps_tables_are_in_order():
    from tinygrad_edu.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    out = model([Value(0.0, label="x0"), Value(1.0, label="x1")])[0]
    label = _table_labels(draw_dot(out).source)[0][1]
    assert re.findall(r"neuron \d|w\.\d|\bb\b", label) == [
        "neuron 0",
        "w.0",
        "w.1",
        "b",
        "neuron 1",
        "w.0",
        "w.1",
        "b",
        "neuron 2",
        "w.0",
        "w.1",
        "b",
    ]


_ROWS = "{w.0 | data 0.3 | <v1> grad 0} | {b | data -0.1 | <v4> grad 0}"
_ROWS_PORT_FIRST = "{<v1> w.0 | data 0.3 | grad 0} | {<v4> b | data -0.1 | grad 0}"


@pytest.mark.parametrize(
    "rankdir, table",
    [
        ("LR", f"{{layer 0 | {{{{neuron 0 | {{{_ROWS}}}}}}}}}"),
        ("TB", f"{{layer 0 | {{{{neuron 0 | {{{_ROWS}}}}}}}}}"),
        ("RL", f"{{{{{{{{{_ROWS_PORT_FIRST}}} | neuron 0}}}} | layer 0}}"),
        ("BT", f"{{{{{{{{{_ROWS_PORT_FIRST}}} | neuron 0}}}} | layer 0}}"),
    ],
)
def test_arrows_leave_a_table_on_the_side_facing_their_direction(rankdir, table):
    """The port is the field at that end of the row, and the titles are at the other end,
    so no arrow crosses the table."""
    src = draw_dot(tiny_network(), rankdir=rankdir, color_by_grad=False).source
    side = {"LR": "e", "TB": "s", "RL": "w", "BT": "n"}[rankdir]
    assert _table_labels(src)[0] == ("t0", table)
    assert f"t0:v1:{side} -> v3_op" in src


@pytest.mark.parametrize(
    "label",
    [
        "x.y",
        "x.y.z",
        "data.0",
        "w.0",
        "layers.0",
        "a.b.0.c",
        "layers.x.neurons.0.w",
        "layers..0.w",
        "0.w",
        "layers.0.w.",
    ],
)
def test_only_parameter_names_are_put_in_tables(label):
    """An ordinary dotted label is left whole, not put in a table under its first part."""
    v = Value(1.5, label=label)
    src = draw_dot(v * 2).source
    assert not _table_labels(src)
    assert f"{{{label} | data 1.5 | grad 0}}" in src


@pytest.mark.parametrize(
    "label, table",
    [
        ("layers.0.neurons.2.w.1", "{layer 0 | {{neuron 2 | {{w.1 | data 1.5 | <v0> grad 0}}}}}"),
        ("neurons.2.w.0", "{neuron 2 | {{w.0 | data 1.5 | <v0> grad 0}}}"),
        ("neurons.12.b", "{neuron 12 | {{b | data 1.5 | <v0> grad 0}}}"),
        ("layers.3.neurons.0.b", "{layer 3 | {{neuron 0 | {{b | data 1.5 | <v0> grad 0}}}}}"),
    ],
)
def test_parameter_names_are_put_in_tables(label, table):
    src = draw_dot(Value(1.5, label=label) * 2).source
    assert _table_labels(src) == [("t0", table)]


def test_a_parameter_drawn_on_its_own_is_the_root_box():
    src = draw_dot(Value(1.5, label="layers.0.neurons.0.b")).source
    assert not _table_labels(src) and "layers.0.neurons.0.b | data 1.5" in src


def test_negative_zero_is_drawn_as_zero():
    a, b = Value(0.0, label="a"), Value(-3.0, label="b")
    c = a * b  # -0.0
    c.backward()
    src = draw_dot(c).source
    assert "{n1 | data 0 | grad 1}" in src and "{b | data -3 | grad 0}" in src
    assert "-0" not in src.replace("-0.", "")  # no '-0' (but -0.5 would be fine)


@pytest.mark.parametrize(
    "label, expected",
    [
        ("a|b", r"a\|b"),
        ("{x}", r"\{x\}"),
        ("<port>", r"\<port\>"),
        ('say "hi"', r"say \"hi\""),
        ("back\\slash", r"back\\slash"),
        ("two\nlines", "two lines"),
    ],
)
def test_labels_are_escaped_for_record_syntax(label, expected):
    v = Value(1.0, label=label)
    assert f'v0 [label="{{{expected} | data 1 | grad 0}}"' in draw_dot(v).source


def test_max_nodes_refuses_a_big_graph_with_its_size_and_the_fix():
    x = Value(0.5, label="x")
    y = x
    for _ in range(600):
        y = y + 1.0
    with pytest.raises(ValueError) as info:
        draw_dot(y)
    message = str(info.value)
    assert "1201 Values" in message and "max_nodes=500" in message
    assert "draw_dot(root, max_nodes=1201)" in message
    assert draw_dot(y, max_nodes=1201).source.count("_op [") == 600


def test_import_stays_light():
    code = (
        "import sys, tinygrad_edu, tinygrad_edu.viz, tinygrad_edu.explain, tinygrad_edu.formula; "
        "print('graphviz' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "False", out.stderr


def test_the_digraph_displays_itself_in_jupyter():
    dot = draw_dot(neuron())
    assert callable(getattr(dot, "_repr_mimebundle_", None))


def sum_of(n):
    """x + x + ... + x (n terms) after backward(): one Value feeding n arrows far apart."""
    x = Value(1.0, label="x")
    s = x
    for _ in range(n - 1):
        s = s + x
    s.backward()
    return s


def _graph_attributes(src):
    """The graph's attributes from a DOT source, without its label and fonts."""
    line = re.sub(r'label="(?:[^"\\]|\\.)*"', "", src.splitlines()[1])
    return {k: v for k, v in re.findall(r"(\w+)=([^\s\]]+)", line) if not k.startswith("font")}


def test_layout_limits_leave_small_diagrams_alone_and_cap_slow_ones():
    """dot's placement step is capped: a generous 50 x nodes iterations for ordinary
    diagrams (they need 2 to 5), fewer where arrows span many columns, none at all where
    even setting it up would take long."""
    o = neuron()
    o.backward()
    assert _graph_attributes(draw_dot(o).source) == {
        "nslimit": "50",
        "nslimit1": "50",
        "rankdir": "LR",
    }
    slow = _graph_attributes(draw_dot(sum_of(100)).source)
    assert 1 < float(slow["nslimit"]) < 50 and "splines" not in slow
    slowest = _graph_attributes(draw_dot(sum_of(250)).source)
    assert slowest["nslimit"] == "0" and slowest["splines"] == "line"


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            [Value(1.0)],
            r"draw_dot\(\) needs one Value, got a list holding one Value: take it out, "
            r"e.g. draw_dot\(model\(x\)\[0\]\) \(an MLP returns a list even for one output\)",
        ),
        (
            [Value(1.0), Value(2.0)],
            r"got a list of 2 Values: take one, e.g. out\[0\], or combine them",
        ),
        ((), r"got an empty tuple"),
        (
            3.0,
            r"draw_dot\(\) needs a Value, got the number 3.0 \(a plain number has no graph\): "
            r"compute it from Values, e.g. x = Value\(3.0, label='x'\); draw_dot\(x \* x\)",
        ),
        ("x", r"needs a Value, got a str \('x'\)"),
        (None, r"needs a Value, got None"),
    ],
)
def test_draw_dot_says_what_to_pass_instead_of_a_list_or_a_number(bad, message):
    with pytest.raises(TypeError, match=message):
        draw_dot(bad)


def test_draw_dot_of_an_mlps_output_list_names_the_fix():
    from tinygrad_edu.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"take it out, e.g. draw_dot\(model\(x\)\[0\]\)"):
        draw_dot(model([1.0, 0.0]))
    assert draw_dot(model([1.0, 0.0])[0]).source.startswith("digraph {")


def test_render_checks_its_root_before_writing_anything(tmp_path):
    with pytest.raises(TypeError, match=r"render\(\) needs a Value, got the number 3"):
        render(3, tmp_path / "g.svg")
    with pytest.raises(
        TypeError, match=r"render\(\) needs one Value, got a list holding one Value"
    ):
        render([neuron()], tmp_path / "g.dot")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "timeout, error",
    [
        (0, ValueError),
        (-1, ValueError),
        (float("nan"), ValueError),
        ("5", TypeError),
        (True, TypeError),
    ],
)
def test_render_refuses_a_timeout_that_is_not_a_positive_number(tmp_path, timeout, error):
    with pytest.raises(error, match="timeout must be a number of seconds"):
        render(neuron(), tmp_path / "g.svg", timeout=timeout)
    assert DEFAULT_TIMEOUT == 60


# -- rendering --------------------------------------------------------------


@needs_dot
def test_render_svg_holds_the_nodes(tmp_path):
    o = neuron()
    o.backward()
    path = render(o, tmp_path / "neuron.svg", show_order=True)
    assert path == str(tmp_path / "neuron.svg")
    texts = svg_texts(path)
    for expected in [
        "x1",
        "data 2",
        "grad -1.5",
        "w2",
        "grad 0",
        "o",
        "data 0.7071",
        "grad 1",
        "tanh",
        "step 1",
        "*",
    ]:
        assert expected in texts, expected
    assert (tmp_path / "neuron.dot").read_text() == draw_dot(o, show_order=True).source


@needs_dot
def test_render_shows_escaped_labels_literally(tmp_path):
    v = Value(1.0, label='a|{b}<c>"d"\\e')
    texts = svg_texts(render(v.exp(), tmp_path / "odd.svg"))
    assert 'a|{b}<c>"d"\\e' in texts


@needs_dot
def test_render_png_and_pdf(tmp_path):
    o = neuron()
    assert (Path(render(o, tmp_path / "g.png")).read_bytes()[:8]) == b"\x89PNG\r\n\x1a\n"
    assert (Path(render(o, tmp_path / "g.PDF")).read_bytes()[:5]) == b"%PDF-"


@needs_dot
def test_jupyter_display_gives_svg():
    bundle = draw_dot(neuron())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_render_dot_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path = render(neuron(), tmp_path / "g.dot")
    assert Path(path).read_text().startswith("digraph {")


def test_render_unknown_extension_lists_the_choices(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot, \.html"):
        render(neuron(), tmp_path / "graph.gif")
    with pytest.raises(ValueError, match="graph'"):
        render(neuron(), tmp_path / "graph")
    assert FORMATS == ("svg", "png", "pdf", "dot", "html")
    assert not list(tmp_path.iterdir())  # nothing written


def test_missing_dot_says_how_to_install_and_where_the_source_is(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` on PATH
    with pytest.raises(GraphvizNotInstalled) as info:
        render(neuron(), tmp_path / "graph.svg")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    for hint in [
        "apt-get install graphviz",
        "brew install graphviz",
        "winget install graphviz",
        "graphviz.org/download",
        str(tmp_path / "graph.dot"),
    ]:
        assert hint in message, hint
    assert (tmp_path / "graph.dot").read_text().startswith("digraph {")
    assert not (tmp_path / "graph.svg").exists()
    assert draw_dot(neuron()).source.startswith("digraph {")  # building still works


@pytest.mark.skipif(os.name == "nt", reason="file modes are a POSIX matter")
def test_a_dot_that_cannot_run_is_reported_like_a_missing_one(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\n")  # on PATH, but not executable
    (bin_dir / "dot").chmod(0o644)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(
        GraphvizNotInstalled,
        match=r"found but could not be run \(Permission denied\); "
        r"reinstall Graphviz",
    ):
        render(neuron(), tmp_path / "graph.svg")
    assert (tmp_path / "graph.dot").exists() and not (tmp_path / "graph.svg").exists()


@pytest.mark.skipif(os.name == "nt", reason="a shell-script `dot` needs a POSIX shell")
def test_dot_failing_raises_with_its_messages(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 3\n")
    (bin_dir / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(subprocess.CalledProcessError) as info:
        render(neuron(), tmp_path / "graph.svg")
    assert info.value.returncode == 3 and b"Error: out of memory" in info.value.stderr
    assert not (tmp_path / "graph.svg").exists()


@needs_dot
def test_a_hundred_term_sum_renders_or_stops_with_the_timeout_error(tmp_path):
    """x + x + ... + x kept dot busy for over 10 minutes; now it is drawn in seconds, and
    in any case dot is stopped after the timeout with an error that says what to do."""
    try:
        path = render(sum_of(100), tmp_path / "sum.svg", timeout=5)
    except RenderTimeout as err:
        assert "This graph has 100 Values and 297 arrows, 100 of them from x" in str(err)
        assert not (tmp_path / "sum.svg").exists()
    else:
        assert "grad 100" in svg_texts(path)


@needs_dot
def test_an_mlps_table_is_drawn_in_order(tmp_path):
    """In the picture too: neuron 0 above neuron 1 above neuron 2, w.0 above w.1 above b."""
    from tinygrad_edu.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    out = model([Value(0.0, label="x0"), Value(1.0, label="x1")])[0]
    out.backward()
    tree = ET.parse(render(out, tmp_path / "xor.svg"))
    tables = {}
    for group in tree.iter(SVG + "g"):
        title = group.find(SVG + "title")
        if group.get("class") == "node" and title is not None and title.text in ("t0", "t1"):
            tables[title.text] = sorted(
                (float(t.get("y")), t.text) for t in group.iter(SVG + "text")
            )
    titles = [(y, text) for y, text in tables["t0"] if text.startswith("neuron")]
    rows = [(y, text) for y, text in tables["t0"] if re.fullmatch(r"w\.\d|b", text)]
    assert [text for _, text in titles] == ["neuron 0", "neuron 1", "neuron 2"]  # top to bottom
    assert [text for _, text in rows] == ["w.0", "w.1", "b"] * 3
    for k, (y, _) in enumerate(titles):  # each neuron's name beside its own rows
        assert rows[3 * k][0] < y < rows[3 * k + 2][0]
    assert [text for _, text in tables["t1"] if re.fullmatch(r"w\.\d|b", text)] == [
        "w.0",
        "w.1",
        "w.2",
        "b",
    ]


@pytest.mark.skipif(os.name == "nt", reason="a shell-script `dot` needs a POSIX shell")
def test_a_dot_that_takes_too_long_is_stopped_with_the_size_and_what_to_do(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -c 'import time; time.sleep(60)'\n"
    )
    (bin_dir / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(RenderTimeout) as info:
        render(sum_of(12), tmp_path / "graph.svg", timeout=0.5)
    err = info.value
    assert isinstance(err, TimeoutError) and isinstance(err, OSError)  # caught like a file error
    assert (err.timeout, err.values, err.arrows, err.suggested_timeout) == (0.5, 12, 33, 60)
    assert str(err) == (
        f"Graphviz's dot did not finish drawing {tmp_path / 'graph.svg'} within 0.5 s and was "
        f"stopped. This graph has 12 Values and 33 arrows, 12 of them from x (a Value used by many "
        f"ops far apart makes dot's layout slow). Draw a smaller part (e.g. one neuron's output), "
        f"use the DOT source already written to {tmp_path / 'graph.dot'}, or allow more time: "
        f"render(root, path, timeout=60)"
    )
    assert (tmp_path / "graph.dot").exists() and not (tmp_path / "graph.svg").exists()
    with pytest.raises(RenderTimeout, match=r"This graph has 10 Values and 14 arrows\. Draw"):
        render(neuron(), tmp_path / "graph.svg", timeout=0.5)  # no Value feeds 10 arrows here


@pytest.mark.skipif(os.name == "nt", reason="a shell-script `dot` needs a POSIX shell")
def test_ctrl_c_that_reaches_dot_first_is_a_keyboard_interrupt(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\nkill -INT $$\n")  # dot stopped by Ctrl-C
    (bin_dir / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(KeyboardInterrupt):
        render(neuron(), tmp_path / "graph.svg")


if __name__ == "__main__":  # rewrite the snapshots after an intended change
    for path, source in snapshot_sources().items():
        path.write_text(source)
        print("wrote", path)


@pytest.mark.parametrize("rankdir", ["XX", "lr", "", 3])
def test_an_unknown_rankdir_is_refused(rankdir):
    with pytest.raises(ValueError, match=r"rankdir must be one of LR, TB, RL, BT .* got"):
        draw_dot(Value(1.0) * 2.0, rankdir=rankdir)


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_each_rankdir_is_drawn(rankdir):
    assert f"rankdir={rankdir}" in draw_dot(Value(1.0) * 2.0, rankdir=rankdir).source
