"""The interactive page without a browser: its steps and numbers, the code beside them,
escaping, the file it writes, what happens without Graphviz, and the notebook display.

The browser side (the script running the steps) is tests/test_page_browser.py; a real
notebook is tests/test_notebook.py.
"""

import html
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import Value, viz
from tinygrad_edu.codegen import _identifier, graph_code
from tinygrad_edu.engine import topological_order
from tinygrad_edu.explain import explain
from tinygrad_edu.formula import diagram_number
from tinygrad_edu.graph import format_number
from tinygrad_edu.nn import MLP
from tinygrad_edu.page import Page, page_steps
from tinygrad_edu.symbolic import runtime_namespace

ROOT = Path(__file__).resolve().parent.parent
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)


# -- graphs ------------------------------------------------------------------------


def neuron():
    """A small graph with every kind of node: labelled inputs, lifted constants, a neuron."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    o = (x * w + b).tanh() * 2.0 + x.exp()
    o.label = "o"
    return o


def mlp_loss():
    """The issue's sample: a 2-3-1 network's loss for one sample."""
    net = MLP(2, [3, 1], seed=0)
    y = net([1.0, 0.0])[0]
    return (y - 1.0) ** 2


_SMALL = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
_OPS = ("add", "mul", "tanh", "sigmoid", "exp", "add_constant", "constant_times")


@st.composite
def graphs(draw):
    """A small random graph of + * tanh sigmoid exp over labelled inputs x0, x1 ...
    (plain numbers in it become the engine's constants); nodes may be used twice.
    exp is applied only below 20, so nothing overflows."""
    pool = [Value(draw(_SMALL), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    recipe = draw(
        st.lists(
            st.tuples(st.sampled_from(_OPS), st.integers(0, 99), st.integers(0, 99), _SMALL),
            min_size=1,
            max_size=8,
        )
    )
    for op, i, j, k in recipe:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if op == "add":
            v = a + b
        elif op == "mul":
            v = a * b
        elif op == "add_constant":
            v = a + k
        elif op == "constant_times":
            v = k * a
        elif op == "sigmoid":
            v = a.sigmoid()
        elif op == "exp" and abs(a.data) < 20:
            v = a.exp()
        else:
            v = a.tanh()
        pool.append(v)
    root = pool[-1]
    if draw(st.booleans()):
        root.label = "out"
    return root


def forward_nodes(root):
    """The nodes in the order the forward pass computes them (ids v0, v1 ... of the page)."""
    return topological_order(root)[::-1]


def fresh_grads(root):
    """{node: grad} of one root.backward() on a graph whose grads are all 0."""
    nodes = topological_order(root)
    assert all(n.grad == 0.0 for n in nodes), "the graph's grads must be fresh (0) before backward"
    root.backward()
    return {n: n.grad for n in nodes}


def explain_blocks(text):
    """explain's output cut into its 'step N:' blocks: [(N, the block's lines joined)]."""
    blocks, current = [], None
    for line in text.splitlines():
        m = re.match(r"step (\d+): ", line)
        if m:
            current = (int(m.group(1)), [line])
            blocks.append(current)
        elif current is not None and line.startswith("  "):
            current[1].append(line)
        else:
            current = None
    return [(n, "\n".join(lines)) for n, lines in blocks]


def shown_at_the_end(data):
    """The grad each node shows after the last step: the last one a step set, else 0
    (what the page's script computes for the boxes)."""
    grads = {vid: "0" for vid in data["nodes"]}
    for s in data["steps"]:
        grads.update(s["grads"])
    return grads


# -- the steps ---------------------------------------------------------------------


def check_structure(root):
    data = page_steps(root)
    forward = forward_nodes(root)
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    assert set(data["nodes"]) == set(ids.values())
    assert data["root"] == ids[root]
    steps = data["steps"]
    ops = [n for n in forward if n.rule is not None]
    kinds = [s["kind"] for s in steps]
    assert kinds == ["start"] + ["forward"] * len(ops) + ["seed"] + ["backward"] * len(ops)

    # forward: one step per op, in the order the forward pass computes them, each
    # computed after its parents, its value in its text
    forward_steps = steps[1 : 1 + len(ops)]
    assert [s["node"] for s in forward_steps] == [ids[n] for n in ops]
    computed = {ids[n] for n in forward if n.rule is None}
    for s, node in zip(forward_steps, ops):
        assert s["parents"] == [ids[p] for p in node.parents]
        assert set(s["parents"]) <= computed
        computed.add(s["node"])
        assert s["text"].startswith("forward: ") and s["text"].endswith(
            f"= {format_number(node.data)}"
        )
        assert s["grads"] == {}

    seed = steps[1 + len(ops)]
    assert seed["node"] == ids[root] and seed["grads"] == {ids[root]: "1"}

    # backward: one step per op, numbered 1, 2 ..., in the order backward() visits the
    # nodes (reverse topological), each after every op that uses its output
    backward_steps = steps[2 + len(ops) :]
    in_backward_order = [n for n in topological_order(root) if n.rule is not None]
    assert [s["node"] for s in backward_steps] == [ids[n] for n in in_backward_order]
    assert [s["number"] for s in backward_steps] == list(range(1, len(ops) + 1))
    done = set()
    for s, node in zip(backward_steps, in_backward_order):
        users = {ids[n] for n in ops if node in n.parents}
        assert users <= done, f"step {s['number']} runs before an op that uses its node"
        assert s["parents"] == [ids[p] for p in node.parents]
        done.add(s["node"])
    return data


def test_steps_of_a_product_match_the_docstring():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    data = check_structure(c)
    assert [s["kind"] for s in data["steps"]] == ["start", "forward", "seed", "backward"]
    assert data["steps"][3]["text"] == (
        "step 1: c = a*b\n"
        "  a.grad += c.grad * b.data   (1.0 * (-3.0)) = -3.0\n"
        "  b.grad += c.grad * a.data   (1.0 * 2.0) = 2.0"
    )
    assert data["steps"][3]["grads"] == {"v0": "-3", "v1": "2"}
    assert data["nodes"]["v2"]["grad"] == "1" and data["nodes"]["v0"]["grad"] == "-3"


@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_step_structure_and_order(make):
    check_structure(make())


@given(graphs())
def test_step_structure_and_order_of_random_graphs(root):
    check_structure(root)


def check_text_is_explains(root):
    data = page_steps(root)
    text = explain(root, max_steps=None)
    blocks = explain_blocks(text)
    backward_steps = [s for s in data["steps"] if s["kind"] == "backward"]
    assert [(s["number"], s["text"]) for s in backward_steps] == blocks
    seed = next(s for s in data["steps"] if s["kind"] == "seed")
    assert seed["text"] in text.splitlines()


@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_backward_steps_say_what_explain_says(make):
    check_text_is_explains(make())


@given(graphs())
def test_backward_steps_say_what_explain_says_for_random_graphs(root):
    check_text_is_explains(root)


def check_final_grads(root):
    data = page_steps(root)
    forward = forward_nodes(root)
    grads = fresh_grads(root)  # page_steps left every .grad at 0 (fresh_grads checks)
    expected = {f"v{i}": diagram_number(grads[node]) for i, node in enumerate(forward)}
    assert {vid: n["grad"] for vid, n in data["nodes"].items()} == expected
    assert shown_at_the_end(data) == expected
    assert {vid: n["data"] for vid, n in data["nodes"].items()} == {
        f"v{i}": diagram_number(node.data) for i, node in enumerate(forward)
    }


@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_final_grads_are_the_engines(make):
    check_final_grads(make())


@given(graphs())
def test_final_grads_are_the_engines_for_random_graphs(root):
    check_final_grads(root)


def test_final_grad_of_an_unlabelled_input_is_the_engines():
    """A Value the learner made without a label is an input like any other for the
    engine (backward gives it a gradient); the page must show that gradient too."""
    x, k = Value(2.0, label="x"), Value(3.0)  # k: no label, but not a constant
    y = x * k
    y.label = "y"
    check_final_grads(y)


def test_page_steps_leave_the_graphs_grads_alone():
    o = neuron()
    o.backward()
    before = {n: n.grad for n in topological_order(o)}
    page_steps(o)
    assert {n: n.grad for n in topological_order(o)} == before


# -- the code beside the graph -----------------------------------------------------


def run_graph_code(root):
    """graph_code's source, run: (its value, {leaf label: its gradient})."""
    source, _ = graph_code(root)
    namespace = runtime_namespace()
    exec(compile(source, "<graph_code>", "exec"), namespace)
    name, params = re.search(r"^def (\w+)\(([^)]*)\):", source, re.M).groups()
    params = [p.strip() for p in params.split(",") if p.strip()]
    # the labelled inputs, by the variable each becomes ('layers.0.neurons.0.b' -> layers_0_neurons_0_b)
    leaves = {
        _identifier(n.label): n for n in topological_order(root) if n.rule is None and n.label
    }
    assert sorted(params) == sorted(leaves), "the generated function takes the labelled inputs"
    value, grads = namespace[name](*[leaves[p].data for p in params])
    assert isinstance(grads, tuple) and len(grads) == len(params)
    return value, {leaves[p].label: g for p, g in zip(params, grads)}


def check_graph_code(root):
    value, grads = run_graph_code(root)
    engine = fresh_grads(root)
    assert math.isclose(value, root.data, rel_tol=1e-12, abs_tol=1e-300)
    for label, g in grads.items():
        leaf = next(n for n in engine if n.label == label and n.rule is None)
        assert math.isclose(g, engine[leaf], rel_tol=1e-9, abs_tol=1e-12), label


@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_graph_code_computes_the_engines_value_and_gradients(make):
    check_graph_code(make())


@given(graphs())
def test_graph_code_computes_the_engines_value_and_gradients_for_random_graphs(root):
    check_graph_code(root)


def check_code_lines(root):
    data = page_steps(root)
    source, _ = graph_code(root)
    assert data["code"] == source
    lines = source.splitlines()
    backward_from = next(
        i for i, line in enumerate(lines, 1) if line.strip().startswith("# backward")
    )
    variable = {}  # node id -> its variable in the code
    nodes = {f"v{i}": node for i, node in enumerate(topological_order(root)[::-1])}
    for s in data["steps"]:
        for n in s["code"]:
            assert 1 <= n <= len(lines), f"step {s} points past the code"
        if s["kind"] == "forward":
            if not s["code"]:
                # The jit writes no line for an op that leaves its input as it is
                # (x + 0, x * 1): the value must then be one of its inputs' values.
                node = nodes[s["node"]]
                assert any(node.data == p.data for p in node.parents), f"no line for {s}"
                continue
            assert len(s["code"]) == 1, f"a forward step has its one line: {s}"
            n = s["code"][0]
            assert n < backward_from
            m = re.fullmatch(r"\s+(\w+) = .+", lines[n - 1])
            assert m, f"line {n} computes the node: {lines[n - 1]!r}"
            variable[s["node"]] = m.group(1)
        elif s["kind"] == "backward":
            for n in s["code"]:
                assert n > backward_from
                assert re.search(rf"\b{re.escape(variable[s['node']])}\b", lines[n - 1]), (
                    f"step {s['number']}: line {n} {lines[n - 1]!r} does not mention "
                    f"{variable[s['node']]}"
                )
        else:
            assert s["code"] == []
    assert set(variable) == {
        s["node"] for s in data["steps"] if s["kind"] == "forward" and s["code"]
    }


@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_code_lines_of_the_steps_are_the_nodes_lines(make):
    check_code_lines(make())


def test_an_op_the_jit_leaves_out_has_no_line():
    x = Value(1.5, label="x")
    y = (x * 2) + 0  # the jit writes no line for + 0
    check_code_lines(y)
    forward = [s for s in page_steps(y)["steps"] if s["kind"] == "forward"]
    assert [len(s["code"]) for s in forward] == [1, 0]


@given(graphs())
def test_code_lines_of_the_steps_are_the_nodes_lines_for_random_graphs(root):
    check_code_lines(root)


# -- the HTML ----------------------------------------------------------------------


class _Reader(html.parser.HTMLParser):
    """What a browser would read: tags with their (decoded) attributes, the text of
    each script, the title, comments, and each SVG text element's text by data-v/data-field."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self.comments = [], [], []
        self.title, self.fields = None, {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self.scripts.append([attrs, ""])
            self._in = "script"
        elif tag == "title" and self.title is None:  # the page's, not the SVG's <title>s
            self.title, self._in = "", "title"
        elif tag == "text" and "data-v" in attrs:
            self._in = (attrs["data-v"], attrs.get("data-field"))
            self.fields[self._in] = ""

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1][1] += data
        elif self._in == "title":
            self.title += data
        elif isinstance(self._in, tuple):
            self.fields[self._in] += data

    def handle_comment(self, data):
        self.comments.append(data)


def read_html(text):
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader


def embedded_data(text):
    reader = read_html(text)
    [(_, payload)] = [s for s in reader.scripts if s[0].get("id") == "graph-data"]
    return json.loads(payload)


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!--",
    "&amp;",
    '"quotes"',
    "a\u2028b",
    "lone \ud800 surrogate",
]


@needs_dot
@pytest.mark.parametrize(
    "label",
    HOSTILE,
    ids=["script", "comment", "entity", "quotes", "line-separator", "lone-surrogate"],
)
def test_hostile_labels_stay_text(label, tmp_path):
    x, w = Value(2.0, label=label), Value(-3.0, label="w")
    y = x * w + x
    y.label = label + "!"
    p = viz.page(y)
    text = p.html
    encoded = text.encode("utf-8")  # a lone surrogate cannot be written as it is
    assert p.save(tmp_path / "g.html") and (tmp_path / "g.html").read_bytes() == encoded

    reader = read_html(text)
    # No script, comment or element came out of a label: the page's own scripts only
    # (its data, its words in every language, the catalogs; i18n.js and page.js).
    assert [s[0].get("id") for s in reader.scripts] == [
        "graph-data",
        "graph-texts",
        "i18n-data",
        None,
        None,
    ]
    assert not any(label in c for c in reader.comments)
    if "<" in label:
        assert label not in text, "a label with < must never reach the HTML raw"
    # The numbers' JSON gives the labels back exactly.
    data = json.loads(reader.scripts[0][1])
    assert (
        data["nodes"]["v0"]["label"] == label
        and data["nodes"][data["root"]]["label"] == label + "!"
    )
    if label.isprintable():
        # shown as the label itself, not as markup and not double-decoded
        assert reader.title == f"backward pass of {label}!"
        texts = json.loads(reader.scripts[1][1])  # the words of every language, the same way
        assert texts["en"]["title"] == reader.title
        assert texts["ja"]["title"] == f"{label}! の逆伝播"
        assert reader.fields[("v0", "name")] == label
    # The notebook wrapper: the page sits escaped in the frame's srcdoc; one script of its own.
    wrapper = read_html(p._repr_mimebundle_()["text/html"])
    [frame] = [attrs for tag, attrs in wrapper.tags if tag == "iframe"]
    assert frame["srcdoc"] == text
    assert len(wrapper.scripts) == 1


@needs_dot
@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_the_pictures_arrows_name_their_ends(make):
    """Each arrow of the page's SVG is tagged with the node it leaves and the one it
    enters (data-from, data-to): a parent into an op, an op into its node -- also
    for a parameter drawn as a row of its layer's table."""
    root = make()
    forward = forward_nodes(root)
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    expected = sorted(
        [(ids[p], ids[n] + "_op") for n in forward if n.rule for p in n.parents]
        + [(ids[n] + "_op", ids[n]) for n in forward if n.rule]
    )
    svg = viz.page(root).svg
    tagged = sorted(re.findall(r'<g [^>]*class="edge" data-from="([^"]*)" data-to="([^"]*)"', svg))
    assert tagged == expected


# -- the file ----------------------------------------------------------------------


@needs_dot
def test_save_writes_the_whole_page_and_no_temporary_file(tmp_path):
    p = viz.page(neuron())
    target = tmp_path / "g.html"
    target.write_text("an older page")
    assert p.save(target) == os.fspath(target)
    assert target.read_text(encoding="utf-8") == p.html
    assert os.listdir(tmp_path) == ["g.html"]
    p.save(str(target))  # a str path too, replacing the file
    assert target.read_text(encoding="utf-8") == p.html
    assert os.listdir(tmp_path) == ["g.html"]


@needs_dot
def test_save_to_a_missing_folder_names_the_path_and_writes_nothing(tmp_path):
    p = viz.page(neuron())
    target = tmp_path / "missing" / "g.html"
    with pytest.raises(OSError) as err:
        p.save(target)
    assert not (tmp_path / "missing").exists() and os.listdir(tmp_path) == []
    assert os.fspath(target) in str(err.value), (
        f"the error names {target}, the file asked for; it says: {err.value}"
    )


@needs_dot
def test_render_html_writes_the_page(tmp_path):
    o = neuron()
    target = tmp_path / "g.html"
    assert viz.render(o, target) == os.fspath(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert embedded_data(text) == page_steps(o)
    assert os.listdir(tmp_path) == ["g.html"]  # no DOT file for the page


@needs_dot
def test_the_sample_networks_page_is_small():
    p = viz.page(mlp_loss())
    size = len(p.html.encode("utf-8"))
    print(f"\nthe page of a 2-3-1 network's loss: {size:,} bytes ({size / 2**20:.3f} MiB)")
    assert size < 1_000_000


@needs_dot
@pytest.mark.parametrize("make", [neuron, mlp_loss], ids=["neuron", "mlp"])
def test_the_page_fetches_nothing(make):
    text = viz.page(make()).html
    reader = read_html(text)
    fetching = {
        "src",
        "href",
        "xlink:href",
        "srcset",
        "action",
        "formaction",
        "data",
        "poster",
        "background",
        "manifest",
        "ping",
    }
    for tag, attrs in reader.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "audio", "video")
        for name, value in attrs.items():
            if name in fetching:
                assert value is None or value.startswith(("#", "data:")), (tag, name, value)
        assert not (tag == "script" and "src" in attrs)
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?!data:|#)", text), "a CSS url() that loads something"
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    # and what is there runs inline
    assert len(reader.scripts) == 5 and "<style>" in text


# -- without Graphviz --------------------------------------------------------------


def _no_dot_path(tmp_path):
    """PATH holding this Python's folder and an empty one: no `dot` on it."""
    empty = tmp_path / "bin"
    empty.mkdir()
    path = os.pathsep.join([os.path.dirname(sys.executable), str(empty)])
    if shutil.which("dot", path=path) is not None:
        pytest.skip(f"`dot` sits next to this Python ({sys.executable}): cannot hide it")
    return path


def test_page_without_dot_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _no_dot_path(tmp_path))
    with pytest.raises(viz.GraphvizNotInstalled) as err:
        viz.page(neuron())
    assert viz._INSTALL_HELP in str(err.value)
    assert "apt-get install graphviz" in str(err.value)
    with pytest.raises(viz.GraphvizNotInstalled):
        viz.render(neuron(), tmp_path / "g.html")
    assert not (tmp_path / "g.html").exists()
    assert sorted(os.listdir(tmp_path)) == ["bin"]


def run_cli(*args, cwd, path=None):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_cli_graph_html_without_dot_is_a_message_not_a_traceback(tmp_path):
    out = run_cli(
        "graph",
        "tanh(x*w + b)",
        "x=2",
        "w=-3",
        "b=6.88",
        "-o",
        "g.html",
        cwd=tmp_path,
        path=_no_dot_path(tmp_path),
    )
    # cli.main: status 1 when Graphviz is missing, the install text on stderr
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("tinygrad-edu: error: Graphviz's 'dot' program"), out.stderr
    assert "apt-get install graphviz" in out.stderr and "brew install graphviz" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["bin"]


@needs_dot
def test_cli_graph_writes_the_page(tmp_path):
    out = run_cli("graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", "g.html", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("wrote g.html ") and "web browser" in out.stdout
    assert out.stderr == ""
    assert os.listdir(tmp_path) == ["g.html"]
    data = embedded_data((tmp_path / "g.html").read_text(encoding="utf-8"))
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    root = (x * w + b).tanh()
    root.backward()
    shown = {n["name"]: (n["data"], n["grad"]) for n in data["nodes"].values()}
    for v in (x, w, b):
        assert shown[v.label] == (diagram_number(v.data), diagram_number(v.grad))
    top = data["nodes"][data["root"]]
    assert (top["data"], top["grad"]) == (diagram_number(root.data), "1")


@needs_dot
def test_cli_graph_html_into_a_missing_folder_names_the_file(tmp_path):
    out = run_cli("graph", "x*y", "x=1", "y=2", "-o", "missing/g.html", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "tinygrad-edu: error: cannot write missing/g.html: the folder missing does not exist"
    ), out.stderr
    assert os.listdir(tmp_path) == []


# -- in a notebook -----------------------------------------------------------------


@pytest.fixture
def in_a_kernel(monkeypatch):
    """As inside a Jupyter kernel (Values draw themselves only there)."""
    if "ipykernel" not in sys.modules:
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))


def chain(nodes):
    """A graph of exactly ``nodes`` nodes: x, then tanh after tanh."""
    y = Value(0.5, label="x")
    for _ in range(nodes - 1):
        y = y.tanh()
    assert len(topological_order(y)) == nodes
    return y


@needs_dot
def test_a_small_value_displays_its_graph(in_a_kernel):
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.backward()
    bundle = c._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == repr(c)
    assert bundle["image/svg+xml"].startswith("<svg")
    assert bundle["text/html"].startswith('<div class="tinygrad-edu-page"><svg')
    assert "<iframe" in bundle["text/html"]
    assert a._repr_mimebundle_() == {"text/plain": repr(a)}  # a leaf: nothing to step through


@needs_dot
def test_a_value_of_60_nodes_draws_and_of_61_shows_text(in_a_kernel):
    assert set(chain(60)._repr_mimebundle_()) == {"text/html", "image/svg+xml", "text/plain"}
    big = chain(61)
    assert big._repr_mimebundle_() == {"text/plain": repr(big)}
    bigger = Value(1.0, label="x")
    for _ in range(200):
        bigger = bigger * 1.0 + 0.0
    assert bigger._repr_mimebundle_() == {"text/plain": repr(bigger)}


@needs_dot
def test_the_page_displays_itself_with_the_static_picture_as_fallback():
    p = viz.page(neuron())
    assert isinstance(p, Page)
    bundle = p._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"] == p.svg
    wrapper = bundle["text/html"]
    # the picture comes first, outside the template that scripts swap in
    assert wrapper.index(p.svg) < wrapper.index("<template>")
    assert html.escape(p.html, quote=True) in wrapper


def test_the_model_of_an_mlps_graph_is_read_from_its_parameter_names():
    from tinygrad_edu.page import model_of_graph

    net = MLP(2, [3, 1], seed=0)
    loss = (net([1.0, 0.0])[0] - 1.0) ** 2
    model = model_of_graph(loss)
    assert repr(model) == repr(net)
    assert [p is q for p, q in zip(model.parameters(), net.parameters())] == [True] * 13
    relu = MLP(3, [4, 2], activation="relu", output_activation="linear", seed=1)
    out = relu([1.0, -1.0, 0.5])
    assert repr(model_of_graph(out[0] + out[1])) == repr(relu)


def test_no_model_where_the_names_do_not_make_a_whole_network():
    from tinygrad_edu.page import model_of_graph

    assert model_of_graph(neuron()) is None  # no nn names at all
    net = MLP(2, [3, 1], seed=0)
    hidden = net.layers[0]([1.0, 0.0])  # two of the three hidden neurons: the part reached
    assert repr(model_of_graph(hidden[0] + hidden[1])) == "MLP(2, [2], activation='sigmoid')"
    assert model_of_graph(hidden[0] + hidden[2]) is None  # neuron 2 without neuron 1
    w = Value(1.0, label="layers.0.neurons.0.w.0")  # a network with a weight missing
    b = Value(0.5, label="layers.0.neurons.0.b")
    assert model_of_graph((w * 2.0 + b).sigmoid()) is not None
    w1 = Value(1.0, label="layers.0.neurons.0.w.1")
    assert model_of_graph((w1 * 2.0 + b).sigmoid()) is None  # w.1 without w.0


def test_the_page_of_an_mlps_graph_carries_its_picture_and_model_overrides():
    from tinygrad_edu.viz import page

    net = MLP(2, [3, 1], seed=0)
    loss = (net([1.0, 0.0])[0] - 1.0) ** 2
    p = page(loss)
    assert p.network is not None and 'id="network"' in p.html
    assert p.network.count('data-field="grad"') == 13
    assert page(neuron()).network is None and 'id="network"' not in page(neuron()).html
    assert page(neuron(), model=net).network is not None  # any model, drawn beside
