"""Diagrams: the DOT source (snapshots), escaping, limits, rendering with the real `dot`."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinygrad_edu import Value
from tinygrad_edu.viz import FORMATS, GraphvizNotInstalled, draw_dot, render

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path(__file__).resolve().parent.parent
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's `dot` is not installed "
                               "(apt-get install graphviz); CI installs it")
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
    params = {name: Value(v, label=name) for name, v in [
        ("layers.0.neurons.0.w.0", 0.3), ("layers.0.neurons.0.b", -0.1),
        ("layers.1.neurons.0.w.0", 2.0), ("layers.1.neurons.0.b", 0.2)]}
    h = (params["layers.0.neurons.0.w.0"] * x + params["layers.0.neurons.0.b"]).sigmoid()
    out = (params["layers.1.neurons.0.w.0"] * h + params["layers.1.neurons.0.b"]).sigmoid()
    return out


def svg_texts(path):
    tree = ET.parse(path)                   # raises if the SVG is not well-formed XML
    return [t.text for t in tree.iter(SVG + "text") if t.text]


# -- DOT source ---------------------------------------------------------------

REGENERATE = ("if the change is intended, regenerate the snapshots with "
              "`python tests/test_viz.py` and the docs diagram with `python docs/neuron.py`")


def snapshot_sources():
    """{file: DOT source} for every checked-in snapshot."""
    o = neuron()
    o.backward()
    net = tiny_network()
    net.backward()
    return {SNAPSHOTS / "neuron.dot": draw_dot(o, show_order=True).source,
            SNAPSHOTS / "tiny_network.dot": draw_dot(net).source}


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
    assert 'v2 [label="{n1 | data 5 | grad 0}"' in src      # unlabelled: named as explain names it
    assert 'v2_op [label="-" shape=ellipse]' in src
    assert 'v0 -> v2_op [label=left]' in src and 'v1 -> v2_op [label=right]' in src
    assert "v2_op -> v2" in src
    assert "graph [rankdir=LR]" in src                       # no legend without colouring


def test_without_grad_and_top_to_bottom():
    x = Value(1.5, label="x")
    src = draw_dot(x.exp(), show_grad=False, rankdir="TB").source
    assert 'label="x | data 1.5"' in src                     # no braces: fields side by side in TB
    assert "grad" not in src
    assert "rankdir=TB" in src


def test_constants_show_only_their_number_and_pow_by_number_its_exponent():
    x = Value(3.0, label="x")
    src = draw_dot(2 * x ** 2, color_by_grad=False).source
    assert '[label="{data 2 | grad 0}"' in src
    assert '[label="**2" shape=ellipse]' in src


def test_edge_colour_comes_from_the_gradient_flowing_back():
    o = neuron()
    o.backward()
    src = draw_dot(o).source
    lines = {line.split(" [")[0].strip(): line for line in src.splitlines() if "->" in line}
    # x1 (v0) receives x1w1.grad * w1 = 0.5 * -3 = -1.5, the largest flow: full red, widest.
    assert lines["v0 -> v2_op"].endswith('[color="#d62728" penwidth=4.00 tooltip="gradient flowing back: -1.5"]')
    # w2 (v4) receives x2w2.grad * x2 = 0.5 * 0: no gradient flows, a dashed grey edge.
    assert lines["v4 -> v5_op"].endswith('[color="#c0c0c0" style=dashed tooltip="no gradient flows back here"]')
    assert 'tooltip="gradient flowing back: 0.5"' in lines["v3 -> v5_op"]
    # The edge out of an op carries its output's own gradient: o.grad = 1.
    assert 'tooltip="gradient flowing back: 1"' in lines["v9_op -> v9"]
    assert "(largest 1.5; dashed: none)" in src


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
    assert '{x | data 2 | grad 12}' in draw_dot(y, max_nodes=100).source


def test_clusters_group_parameters_by_layer_and_neuron():
    out = tiny_network()
    src = draw_dot(out, color_by_grad=False).source
    assert 'label="layer 0"' in src and 'label="layer 1"' in src
    assert src.count('label="neuron 0"') == 2
    assert "{w.0 | data 0.3 | grad 0}" in src            # the short name inside its boxes
    assert src.index('label="layer 0"') < src.index('label="layer 1"')
    assert "cluster" not in draw_dot(out, cluster_params=False).source
    assert "layers.0.neurons.0.w.0 |" in draw_dot(out, cluster_params=False).source


@pytest.mark.parametrize("label", ["x.y", "x.y.z", "data.0", "w.0", "layers.0", "a.b.0.c",
                                   "layers.x.neurons.0.w", "layers..0.w", "0.w", "layers.0.w."])
def test_only_parameter_names_are_clustered(label):
    """An ordinary dotted label is left whole, not boxed under its first part."""
    v = Value(1.5, label=label)
    src = draw_dot(v * 2).source
    assert "cluster" not in src
    assert f"{{{label} | data 1.5 | grad 0}}" in src


@pytest.mark.parametrize("label, clusters, short", [
    ("layers.0.neurons.2.w.1", ["layer 0", "neuron 2"], "w.1"),
    ("neurons.2.w.0", ["neuron 2"], "w.0"),
    ("neurons.12.b", ["neuron 12"], "b"),
    ("layers.3.neurons.0.b", ["layer 3", "neuron 0"], "b"),
])
def test_parameter_names_are_clustered(label, clusters, short):
    src = draw_dot(Value(1.5, label=label) * 2).source
    assert re.findall(r'label="([^"]*)" style=rounded', src) == clusters
    assert f"{{{short} | data 1.5 | grad 0}}" in src


def test_negative_zero_is_drawn_as_zero():
    a, b = Value(0.0, label="a"), Value(-3.0, label="b")
    c = a * b                               # -0.0
    c.backward()
    src = draw_dot(c).source
    assert "{n1 | data 0 | grad 1}" in src and "{b | data -3 | grad 0}" in src
    assert "-0" not in src.replace("-0.", "")      # no '-0' (but -0.5 would be fine)


@pytest.mark.parametrize("label, expected", [
    ('a|b', r'a\|b'),
    ('{x}', r'\{x\}'),
    ('<port>', r'\<port\>'),
    ('say "hi"', r'say \"hi\"'),
    ('back\\slash', r'back\\slash'),
    ('two\nlines', 'two lines'),
])
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
    code = ("import sys, tinygrad_edu, tinygrad_edu.viz, tinygrad_edu.explain, tinygrad_edu.formula; "
            "print('graphviz' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "False", out.stderr


def test_the_digraph_displays_itself_in_jupyter():
    dot = draw_dot(neuron())
    assert callable(getattr(dot, "_repr_mimebundle_", None))


# -- rendering --------------------------------------------------------------

@needs_dot
def test_render_svg_holds_the_nodes(tmp_path):
    o = neuron()
    o.backward()
    path = render(o, tmp_path / "neuron.svg", show_order=True)
    assert path == str(tmp_path / "neuron.svg")
    texts = svg_texts(path)
    for expected in ["x1", "data 2", "grad -1.5", "w2", "grad 0", "o", "data 0.7071", "grad 1",
                     "tanh", "step 1", "*"]:
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
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        render(neuron(), tmp_path / "graph.gif")
    with pytest.raises(ValueError, match="graph'"):
        render(neuron(), tmp_path / "graph")
    assert FORMATS == ("svg", "png", "pdf", "dot")
    assert not list(tmp_path.iterdir())          # nothing written


def test_missing_dot_says_how_to_install_and_where_the_source_is(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))       # no `dot` on PATH
    with pytest.raises(GraphvizNotInstalled) as info:
        render(neuron(), tmp_path / "graph.svg")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    for hint in ["apt-get install graphviz", "brew install graphviz", "winget install graphviz",
                 "graphviz.org/download", str(tmp_path / "graph.dot")]:
        assert hint in message, hint
    assert (tmp_path / "graph.dot").read_text().startswith("digraph {")
    assert not (tmp_path / "graph.svg").exists()
    assert draw_dot(neuron()).source.startswith("digraph {")   # building still works


@pytest.mark.skipif(os.name == "nt", reason="file modes are a POSIX matter")
def test_a_dot_that_cannot_run_is_reported_like_a_missing_one(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\n")           # on PATH, but not executable
    (bin_dir / "dot").chmod(0o644)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(GraphvizNotInstalled, match=r"found but could not be run \(Permission denied\); "
                       r"reinstall Graphviz"):
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


if __name__ == "__main__":      # rewrite the snapshots after an intended change
    for path, source in snapshot_sources().items():
        path.write_text(source)
        print("wrote", path)
