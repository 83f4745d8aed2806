"""Diagrams under hostile input: any label gives a valid diagram that shows it literally
(escaped or shortened, the whole label in the tooltip), and an inf or nan is drawn."""

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_edu import Value
from tinygrad_edu.engine import topological_order
from tinygrad_edu.graph import node_names
from tinygrad_edu.viz import RenderTimeout, draw_dot, render

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)
SVG = "{http://www.w3.org/2000/svg}"
TITLE = "{http://www.w3.org/1999/xlink}title"
PURPLE, PURPLE_FILL = "#9467bd", "#e8dcf5"

#: Any text at all: every Unicode category, lone surrogates and NUL included.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
hostile_labels = st.one_of(
    any_text,
    st.sampled_from(
        [
            "&amp;",
            "&lt;b&gt;",
            "&#65;",
            "&#x41;",
            "&bogus;",
            "a & b",
            "&",
            "<b>x</b>",
            "\x00",
            "\ud800",
            "\u202eevil",
            "\ufffe",
            "\\N",
            "\\G",
            "\\",
            '"',
            "{|}",
        ]
    ),
    st.builds(lambda c, n: c * n, st.characters(exclude_categories=()), st.integers(40, 3000)),
)


def labelled_graph(labels):
    """A graph whose leaves and computed nodes carry the labels, after backward()."""
    leaves = [Value(0.5 + i, label=label) for i, label in enumerate(labels)]
    out = Value(0.0)
    for v, label in zip(leaves, labels):
        term = (v * 0.5).tanh()
        term.label = label[::-1]
        out = out + term
    out.label = labels[0] if labels else ""
    out.backward()
    return out


def boxes(root):
    """{node id in the diagram: the name its box shows}, as draw_dot numbers the nodes."""
    order = topological_order(root)
    names = node_names(root, order)
    return {f"v{i}": names[node] for i, node in enumerate(order[::-1]) if names[node] is not None}


def svg_nodes(path):
    """{node id: (the texts of its box, its tooltip or None)} of a rendered SVG."""
    nodes = {}
    for group in ET.parse(path).iter(SVG + "g"):  # raises if the SVG is not valid XML
        title = group.find(SVG + "title")
        if group.get("class") == "node" and title is not None:
            link = group.find(f".//{SVG}a")
            nodes[title.text] = (
                [t.text or "" for t in group.iter(SVG + "text")],
                None if link is None else link.get(TITLE),
            )
    return nodes


def carries(text, label):
    """True if ``text`` spells out ``label`` character by character: each one as itself,
    as its Python escape (\\x00, \\ud800), or (a tab or line break) as a space."""
    at = 0
    for c in label:
        for form in (c, ascii(c)[1:-1], " " if c in "\t\n\r" else None):
            if form and text.startswith(form, at):
                at += len(form)
                break
        else:
            return False
    return at == len(text)


def spaced(text):
    """The text as a box shows it: tabs and line breaks as spaces, and (as Graphviz draws a
    record field) runs of spaces as one and no space at either end."""
    return re.sub(" +", " ", re.sub("[\t\n\r]", " ", text)).strip(" ")


def unspaced(text):
    return re.sub("[ \t\n\r]", "", text)


def check_box(texts, tooltip, name):
    """The box shows ``name`` literally, or a shortened or escaped form with ``name`` in the tooltip."""
    shown = texts[0]
    if tooltip is None or not tooltip.startswith("label: "):
        assert shown == spaced(name), (shown, name)
        return
    # Graphviz writes the second of two spaces in a tooltip as a no-break space.
    whole = tooltip.split("\n")[0][len("label: ") :].replace("\xa0", " ")
    prefix = name[:1000].replace("\xa0", " ")
    if len(name) > 1000:
        assert whole.endswith(f"… ({len(name):,} characters in all)")
        whole = whole[: whole.index(f"… ({len(name):,}")]
    assert carries(whole, prefix), (whole, prefix)
    assert len(shown) <= 48 * 10  # 48 characters, each at most a 10-character escape
    cut = name if len(name) <= 48 else name[:32] + "…" + name[-15:]
    # Graphviz drops some spaces of a record field around the escapes and the ellipsis.
    assert carries(unspaced(shown), unspaced(cut)), (shown, cut)


# -- the DOT source -------------------------------------------------------------------


@settings(max_examples=200)
@given(st.lists(hostile_labels, min_size=1, max_size=4))
def test_any_label_gives_dot_source_graphviz_can_read(labels):
    source = draw_dot(labelled_graph(labels)).source
    source.encode("utf-8")  # no lone surrogate left
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\ufffe\uffff]", source)
    assert not re.search(r"&(?!amp;)", source)  # every & written &amp;: no entity is decoded
    for line in source.splitlines():  # a box shows 48 characters, its tooltip 1000
        assert len(line) < 20_000  # (each an escape of at most 10, its \ written 4 times)


@needs_dot
@settings(max_examples=25)
@given(st.lists(hostile_labels, min_size=1, max_size=4))
def test_any_label_renders_to_a_valid_svg_that_shows_it(tmp_path_factory, labels):
    root = labelled_graph(labels)
    path = render(root, tmp_path_factory.mktemp("svg") / "g.svg")
    nodes = svg_nodes(path)
    for node_id, name in boxes(root).items():
        texts, tooltip = nodes[node_id]
        check_box(texts, tooltip, name)


@needs_dot
@pytest.mark.parametrize(
    "label, shown, tooltip",
    [
        ("a\x00b", r"a\x00b", r"label: a\x00b"),
        ("a\ud800b", r"a\ud800b", r"label: a\ud800b"),
        ("\u202eevil", r"\u202eevil", r"label: \u202eevil"),
        ("\ufffe\uffff", r"\ufffe\uffff", r"label: \ufffe\uffff"),
        (
            "x" * 300_000,
            "x" * 32 + "…" + "x" * 15,
            "label: " + "x" * 1000 + "… (300,000 characters in all)",
        ),
        ("a" * 60 + "\x00", "a" * 32 + "…" + "a" * 14 + r"\x00", "label: " + "a" * 60 + r"\x00"),
        ("&amp;", "&amp;", None),
        ("&lt;b&gt; &#65; &#x41; &bogus; & ;", "&lt;b&gt; &#65; &#x41; &bogus; & ;", None),
        ("\\N \\G \\l", "\\N \\G \\l", None),
        ('say "&quot;"', 'say "&quot;"', None),
    ],
    ids=lambda v: ascii(v[:10]) if isinstance(v, str) else str(v),
)
def test_hostile_labels_are_drawn_literally(tmp_path, label, shown, tooltip):
    v = Value(2.0, label=label)
    out = v * 3.0
    out.backward()
    source = draw_dot(out).source
    assert len(source) < 5000
    nodes = svg_nodes(render(out, tmp_path / "g.svg"))
    texts, title = nodes["v0"]
    assert texts[:3] == [shown, "data 2", "grad 3"]
    assert title == tooltip


@needs_dot
def test_a_long_parameter_name_is_drawn_in_its_own_box(tmp_path):
    name = "layers.0.neurons.0.w" + "w" * 100_000
    w, b = Value(0.5, label=name), Value(0.1, label="layers.0.neurons.0.b")
    out = (w * 2.0 + b).tanh()
    out.backward()
    nodes = svg_nodes(render(out, tmp_path / "g.svg"))
    texts, tooltip = nodes["v0"]
    assert texts[0] == name[:32] + "…" + "w" * 15 and tooltip.startswith("label: " + name[:100])
    assert any("b" in texts for texts, _ in nodes.values())  # the short one still in its table


#: Names shaped like tinygrad_edu.nn's ('layers.0.neurons.2.w.1'), in any script and digits.
parameter_names = st.from_regex(
    r"(?:[A-Za-z_]\w{0,3}\.\d{1,2}\.){1,3}[A-Za-z_]\w{0,3}(?:\.\d{1,2})?", fullmatch=True
)


@needs_dot
@settings(max_examples=20)
@given(st.lists(parameter_names, min_size=1, max_size=5))
def test_parameter_tables_with_any_names_render(tmp_path_factory, names):
    x = Value(1.0, label="x")
    out = x
    for i, name in enumerate(names):
        out = out * Value(0.5 + i, label=name)
    out.backward()
    path = render(out, tmp_path_factory.mktemp("svg") / "g.svg")
    texts = [t for texts, _ in svg_nodes(path).values() for t in texts]
    for name in names:
        parts = name.split(".")
        short = ".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1]
        assert short in texts or name in texts, (short, texts)


@pytest.mark.skipif(os.name == "nt", reason="a shell-script `dot` needs a POSIX shell")
def test_the_timeout_message_quotes_a_long_name_shortened(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -c 'import time; time.sleep(60)'\n"
    )
    (bin_dir / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    x = Value(1.0, label="x" * 300_000 + "\x00")
    s = x
    for _ in range(11):
        s = s + x
    with pytest.raises(RenderTimeout) as info:
        render(s, tmp_path / "g.svg", timeout=0.5)
    assert f"12 of them from {'x' * 32}…{'x' * 14}\\x00 (a Value used" in str(info.value)
    assert len(str(info.value)) < 1000


# -- numbers that are not finite --------------------------------------------------------


def divided(y_grad):
    """x / y after backward(), with y's gradient then set by hand (as an overflow leaves it)."""
    x, y = Value(1.0, label="x"), Value(1e-200, label="y")
    out = x / y
    out.label = "q"
    out.grad = 1.0
    x.grad, y.grad = 1e200, y_grad
    return out


@pytest.mark.parametrize("bad, shown", [(-math.inf, "-inf"), (math.inf, "inf"), (math.nan, "nan")])
def test_an_inf_or_nan_gradient_is_drawn_in_its_own_colour(bad, shown):
    source = draw_dot(divided(bad)).source
    y_box = next(line for line in source.splitlines() if line.strip().startswith("v1 "))
    assert f'label="{{y | data 1e-200 | grad {shown}}}"' in y_box
    assert f'fillcolor="{PURPLE_FILL}"' in y_box
    assert f'tooltip="grad is {shown}: not a finite number' in y_box
    edge = next(line for line in source.splitlines() if "v1 -> v2_op" in line)
    assert f'color="{PURPLE}"' in edge and "(not a finite number)" in edge
    assert "purple: a number that is not finite (inf or nan)" in source
    # The finite gradients keep their scale: x's 1e200 is the largest, drawn red.
    assert 'v0 -> v2_op [label=numerator color="#d62728" penwidth=4.00' in source


def test_only_gradients_that_are_not_finite():
    x = Value(2.0, label="x")
    out = x.exp()
    out.grad, x.grad = math.inf, math.nan
    source = draw_dot(out).source
    assert "grad nan" in source and "grad inf" in source
    assert "thick red" not in source  # no finite gradient: no scale to show
    assert source.count(PURPLE_FILL) == 2


def test_data_that_is_not_finite_is_drawn_too():
    x = Value(2.0, label="x")
    out = x * 3.0
    out.backward()
    x.data = math.nan  # assigned by hand
    source = draw_dot(out).source
    assert "{x | data nan | grad 3}" in source
    assert 'tooltip="data is nan: not a finite number' in source


def test_a_parameter_with_an_inf_gradient_leaves_its_table():
    w, b = Value(0.5, label="layers.0.neurons.0.w.0"), Value(0.1, label="layers.0.neurons.0.b")
    out = (w * 2.0 + b).tanh()
    out.backward()
    w.grad = math.inf
    source = draw_dot(out).source
    assert re.search(
        r'v\d+ \[label="\{layers\.0\.neurons\.0\.w\.0 \| data 0\.5 \| grad inf\}" '
        rf'fillcolor="{PURPLE_FILL}"',
        source,
    )
    assert "{b | data 0.1 | <v" in source  # b stays in the layer's table


@needs_dot
def test_an_inf_gradient_renders(tmp_path):
    nodes = svg_nodes(render(divided(-math.inf), tmp_path / "g.svg", show_order=True))
    texts, tooltip = nodes["v1"]
    assert texts == ["y", "data 1e-200", "grad -inf"]
    assert tooltip.startswith("grad is -inf: not a finite number")


def test_the_command_line_draws_an_overflowing_gradient_without_a_traceback(tmp_path):
    """`tinygrad-edu graph "x/y" x=1 y=1e-200` printed a traceback.  It now draws the graph
    (or, should backward refuse the overflow, says so in one line)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "g.dot"
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "graph", "x/y", "x=1", "y=1e-200", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert "grad -inf" in out.read_text()
    else:
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
