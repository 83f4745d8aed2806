"""Computation-graph diagrams: see the forward values and the gradients flowing back.

``draw_dot(root)`` builds a :class:`graphviz.Digraph` -- a box per Value
(name | data | grad), a small oval per op, arrows in the direction the
forward pass computes.  In Jupyter it displays itself; ``render(root,
'graph.svg')`` writes a file.  Building the diagram needs only the
``graphviz`` Python package; rendering it needs Graphviz's ``dot`` program.

>>> from tinygrad_edu import Value
>>> a, b = Value(2.0, label='a'), Value(-3.0, label='b')
>>> c = a * b; c.label = 'c'
>>> c.backward()
>>> print(draw_dot(c).source, end='')             # doctest: +NORMALIZE_WHITESPACE
digraph {
    graph [fontname=Helvetica fontsize=10 label="edge colour and width: |gradient| flowing back along the edge (largest 3; dashed: none)" rankdir=LR]
    node [fontname=Helvetica fontsize=11]
    edge [fontname=Helvetica fontsize=9]
    v0 [label="{a | data 2 | grad -3}" fillcolor="#e8f0fe" shape=record style=filled]
    v1 [label="{b | data -3 | grad 2}" fillcolor="#e8f0fe" shape=record style=filled]
    v2 [label="{c | data -6 | grad 1}" fillcolor="#fff2cc" shape=record style=filled]
    v2_op [label="*" shape=ellipse]
    v0 -> v2_op [color="#d62728" penwidth=4.00 tooltip="gradient flowing back: -3"]
    v1 -> v2_op [color="#cf5a5b" penwidth=3.00 tooltip="gradient flowing back: 2"]
    v2_op -> v2 [color="#c78d8d" penwidth=2.00 tooltip="gradient flowing back: 1"]
}

Node ids (``v0``, ``v1`` ... in the order the forward pass computes the
nodes) are the same on every run, so the DOT source can be compared with a
saved copy.
"""

import os
import re

from .engine import Value, topological_order
from .formula import node_names
from .ops import FLOAT

__all__ = ["draw_dot", "render", "GraphvizNotInstalled", "FORMATS"]

#: File formats ``render`` writes, by extension ('dot' writes the source only).
FORMATS = ("svg", "png", "pdf", "dot")

_LEAF_FILL = "#e8f0fe"     # inputs and parameters
_ROOT_FILL = "#fff2cc"     # the output that backward starts from
_NO_FLOW = "#c0c0c0"       # grey: no gradient along this edge
_FULL_FLOW = "#d62728"     # red: the largest gradient in the graph

#: Edge labels for ops whose operands play different roles.
_OPERAND_ROLES = {"sub": ("left", "right"), "div": ("numerator", "denominator"),
                  "pow": ("base", "exponent")}

_INSTALL_HELP = (
    "Graphviz's 'dot' program is needed to render diagrams and was not found on PATH. "
    "Install Graphviz:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  Windows:        winget install graphviz  (or the installer from https://graphviz.org/download/),\n"
    "                  then make sure its bin folder is on PATH.")


class GraphvizNotInstalled(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not installed (or not on PATH)."""


def _graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError("diagrams need the graphviz Python package: pip install graphviz") from None
    return graphviz


def _number(x):
    """A few significant digits; grads recorded with create_graph=True are Values."""
    if isinstance(x, Value):
        x = x.data
    return f"{x + 0.0:.4g}"        # -0.0 + 0.0 is 0.0: a zero is drawn as 0, not -0


_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')


def _escape_record(text):
    """Text shown literally inside a record label (| { } < > " and \\ are syntax there)."""
    return _RECORD_SPECIAL.sub(r"\\\1", text.replace("\n", " ").replace("\r", " "))


def _escape_plain(text):
    """Text shown literally in an ordinary label."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")


def _op_symbol(op):
    if op.name == "neg":
        return "neg"
    if op.infix == "**" and op.param is not None:
        k = op.param
        return f"**{int(k) if k == int(k) else k:g}"
    return op.infix or op.name


def _grad_float(v):
    g = v.grad
    return g.data if isinstance(g, Value) else float(g)


def _flows(order):
    """The gradient flowing back along each edge: {(parent_index, node): gradient}.

    For the edge from the i-th parent into ``node``'s op this is node.grad times
    the op's local derivative -- computed by the op's own derivative rule
    (``op.vjp`` on floats), exactly as backward does.  None where that rule is
    undefined (e.g. sqrt at 0).
    """
    flows = {}
    for node in order:
        op = node._op
        if op is None:
            continue
        parents = node.parents
        try:
            contributions = op.vjp(FLOAT, _grad_float(node), node.data, *[p.data for p in parents])
        except (ValueError, ZeroDivisionError, OverflowError):
            contributions = (None,) * len(parents)
        for i, g in enumerate(contributions):
            flows[(i, node)] = g
    return flows


def _edge_style(g, largest):
    """Colour and width from |g| relative to the largest gradient in the graph."""
    if g is None:
        return {"style": "dashed", "tooltip": "gradient undefined here"}
    t = abs(g) / largest
    if t == 0.0:
        return {"color": _NO_FLOW, "style": "dashed", "tooltip": "no gradient flows back here"}
    rgb = [round(lo + (hi - lo) * t) for lo, hi in zip(_hex(_NO_FLOW), _hex(_FULL_FLOW))]
    return {"color": "#%02x%02x%02x" % tuple(rgb), "penwidth": f"{1.0 + 3.0 * t:.2f}",
            "tooltip": f"gradient flowing back: {_number(g)}"}


def _hex(color):
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


#: A parameter name as tinygrad_edu.nn writes it: containers numbered
#: ('layers.0.', 'neurons.2.'), then the parameter ('w.1', 'b').
_PARAMETER_NAME = re.compile(r"(?:[A-Za-z_]\w*\.\d+\.)+[A-Za-z_]\w*(?:\.\d+)?")


def _cluster_keys(label):
    """The clusters a parameter belongs to, outermost first, from its dotted name.

    'layers.0.neurons.2.w.1' -> [('layers', '0'), ('layers', '0', 'neurons', '2')]
    (the parameter's own name 'w.1' or 'b' is dropped).  Only names shaped
    like that are grouped: any other label ('x', 'x.y', 'w.0') gives [].
    """
    if not _PARAMETER_NAME.fullmatch(label):
        return []
    parts = label.split(".")
    containers = parts[:-2] if parts[-1].isdigit() else parts[:-1]     # pairs: 'layers', '0'
    return [tuple(containers[:j]) for j in range(2, len(containers) + 1, 2)]


def _cluster_title(key):
    if len(key) >= 2 and key[-1].isdigit():
        name = key[-2]
        if len(name) > 1 and name.endswith("s") and not name.endswith("ss"):
            name = name[:-1]          # 'layers' -> 'layer', 'neurons' -> 'neuron'
        return f"{name} {key[-1]}"
    return key[-1]


def draw_dot(root, rankdir="LR", show_grad=True, max_nodes=500, color_by_grad=True,
             show_order=False, cluster_params=True):
    """The computation graph of ``root`` as a :class:`graphviz.Digraph`.

    * a record per Value: its name (label, or n1, n2 ... as in :func:`explain`),
      ``data`` and (with ``show_grad``) ``grad``, to four significant digits;
      inputs and parameters are shaded blue, ``root`` yellow;
    * an oval per op, with arrows from its inputs into it and from it to its
      output (the direction of the forward pass); for ``-``, ``/`` and ``**``
      the arrows say which operand is which;
    * ``color_by_grad``: after ``backward()``, each arrow's colour (grey to red)
      and width show the size of the gradient flowing back along it -- the
      upstream gradient times the op's local derivative; dashed where none flows;
    * ``show_order``: each op is numbered with the step at which backward
      applies its chain rule (1 = the root's op);
    * ``cluster_params``: parameters named like ``layers.0.neurons.2.w.1``
      (as :mod:`tinygrad_edu.nn` names them) are boxed per neuron and layer,
      each shown by its short name (``w.1``) inside the boxes; other labels,
      dotted or not (``x.y``), are shown whole.

    ``rankdir`` is 'LR' (left to right) or 'TB' (top to bottom) and the like.
    A graph of more than ``max_nodes`` Values raises ValueError (``dot`` would
    take minutes); pass a larger ``max_nodes`` to draw it anyway.
    """
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} Values, more than max_nodes={max_nodes}; "
            f"Graphviz can take minutes on a diagram this size. Draw a smaller part "
            f"(e.g. one neuron's output), or raise the limit: draw_dot(root, max_nodes={len(order)})")
    graphviz = _graphviz()
    forward = order[::-1]
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    names = node_names(root, order)
    steps = {}
    for node in order:
        if node._op is not None:
            steps[node] = len(steps) + 1

    edge_styles = {}
    largest = 0.0
    if color_by_grad and show_grad:
        flows = _flows(order)
        # The edge from an op to its output carries the output's own gradient.
        for node in order:
            if node._op is not None:
                flows[("out", node)] = _grad_float(node)
        largest = max((abs(g) for g in flows.values() if g is not None), default=0.0)
        if largest > 0.0:      # before backward() every grad is 0: draw plain arrows
            edge_styles = {key: _edge_style(g, largest) for key, g in flows.items()}

    graph_attr = {"rankdir": rankdir}
    legend = []
    if edge_styles:
        legend.append(f"edge colour and width: |gradient| flowing back along the edge "
                      f"(largest {_number(largest)}; dashed: none)")
    if show_order:
        legend.append("step k: the order in which backward() applies each op's chain rule")
    if legend:
        graph_attr.update(label="\\n".join(legend), fontname="Helvetica", fontsize="10")
    dot = graphviz.Digraph(graph_attr=graph_attr,
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    horizontal = rankdir in ("LR", "RL")

    def value_node(graph, node, name=None):
        fields = []
        name = name or names[node]
        if name is not None:
            fields.append(_escape_record(name))
        fields.append(f"data {_number(node.data)}")
        if show_grad:
            fields.append(f"grad {_number(node.grad)}")
        text = " | ".join(fields)
        # In a left-to-right graph a record's fields stack vertically unless braced.
        label = "{" + text + "}" if horizontal else text
        attrs = {"shape": "record"}
        if node is root:
            attrs.update(style="filled", fillcolor=_ROOT_FILL)
        elif node._op is None:
            attrs.update(style="filled", fillcolor=_LEAF_FILL)
        graph.node(ids[node], graphviz.nohtml(label), **attrs)

    # Parameters grouped in (nested) clusters by their dotted names.
    clustered = set()
    if cluster_params:
        members, children, top = {}, {}, []
        for node in forward:
            if node._op is not None or not node.label:
                continue
            keys = _cluster_keys(node.label)
            if not keys:
                continue
            clustered.add(node)
            for outer, inner in zip([None] + keys, keys):
                if inner not in members:
                    members[inner] = []
                    (children.setdefault(outer, []) if outer else top).append(inner)
            members[keys[-1]].append(node)
        def natural(key):                 # layer 2 before layer 10
            return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in key]

        top.sort(key=natural)
        for inner in children.values():
            inner.sort(key=natural)
        numbering = {}

        def number(key):
            numbering[key] = len(numbering)
            for inner in children.get(key, ()):
                number(inner)

        for key in top:
            number(key)

        def emit(graph, key):
            with graph.subgraph(name=f"cluster_{numbering[key]}") as sub:
                sub.attr(label=graphviz.nohtml(_escape_plain(_cluster_title(key))),
                         style="rounded", color="#9aa0a6", fontsize="10")
                for node in members[key]:
                    # Inside its boxes a parameter needs only its own name: 'w.1', 'b'.
                    value_node(sub, node, node.label[len(".".join(key)) + 1:])
                for inner in children.get(key, ()):
                    emit(sub, inner)     # depth = number of parts in a label: small

        for key in top:
            emit(dot, key)

    for node in forward:
        if node not in clustered:
            value_node(dot, node)
        op = node._op
        if op is None:
            continue
        op_id = ids[node] + "_op"
        symbol = _op_symbol(op)
        op_label = f"{symbol}\\nstep {steps[node]}" if show_order else symbol
        dot.node(op_id, op_label, shape="ellipse")   # our own symbols: nothing to escape
        roles = _OPERAND_ROLES.get(op.name) if node._b is not None else None
        for i, parent in enumerate(node.parents):
            attrs = dict(edge_styles.get((i, node), {}))
            if roles:
                attrs["label"] = roles[i]
            dot.edge(ids[parent], op_id, **attrs)
        dot.edge(op_id, ids[node], **edge_styles.get(("out", node), {}))
    return dot


def render(root, path, **draw_kwargs):
    """Draw ``root``'s graph to ``path``: .svg, .png or .pdf by its extension.

    The DOT source is written first, next to ``path`` with the extension
    ``.dot`` (``.dot`` as ``path`` writes only that, no Graphviz needed).
    Keyword arguments go to :func:`draw_dot`.  Returns ``path``.  Raises
    :class:`GraphvizNotInstalled` (with install instructions) when Graphviz's
    ``dot`` program is missing or cannot run, ``OSError`` when a file cannot be
    written, and ``subprocess.CalledProcessError`` (dot's messages in its
    ``.stderr``) when ``dot`` fails.
    """
    path = os.fspath(path)
    base, ext = os.path.splitext(path)
    fmt = ext[1:].lower()
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format from {path!r}: the file name must end in one of "
                         + ", ".join("." + f for f in FORMATS))
    dot = draw_dot(root, **draw_kwargs)
    source_path = base + ".dot"
    with open(source_path, "w", encoding="utf-8") as f:
        f.write(dot.source)
    if fmt == "dot":
        return path
    graphviz = _graphviz()
    try:
        # quiet: dot's messages go into the CalledProcessError (its .stderr) if it fails
        image = dot.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotInstalled(
            f"{_INSTALL_HELP}\nThe DOT source was written to {source_path}; once Graphviz is "
            f"installed: dot -T{fmt} {source_path} -o {path}") from None
    except OSError as err:      # found on PATH but cannot run: not executable, a broken install
        raise GraphvizNotInstalled(
            f"Graphviz's 'dot' program was found but could not be run ({err.strerror or err}); "
            f"reinstall Graphviz (https://graphviz.org/download/). The DOT source was written "
            f"to {source_path}.") from None
    with open(path, "wb") as f:
        f.write(image)
    return path
