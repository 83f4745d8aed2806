"""The interactive graph page: watch the forward pass, then the chain rule, one step at a time.

``page(root)`` returns a :class:`Page`: one self-contained HTML file (no
network request of any kind) holding the computation graph as Graphviz lays
it out for :func:`~tinygrad_edu.viz.draw_dot` (the same boxes, ids and
colours), the engine's numbers, the chain-rule lines of
:func:`~tinygrad_edu.explain.explain` and the backward code the jit writes
for the graph.  A step control ("Previous step", "Next step", "Play", the
arrow keys, a slider) runs the forward pass op by op, then the backward pass
in the order ``backward()`` takes it; each step highlights the op, its
arrows, the chain-rule line with its numbers and the line of generated code.

>>> from tinygrad_edu import Value
>>> a, b = Value(2.0, label='a'), Value(-3.0, label='b')
>>> c = a * b; c.label = 'c'
>>> from tinygrad_edu.viz import page
>>> p = page(c)                                 # doctest: +SKIP
>>> p.save('graph.html')                        # doctest: +SKIP

The steps themselves are plain data (:func:`page_steps`), so they can be
read and tested without a browser:

>>> steps = page_steps(c)
>>> [s['kind'] for s in steps['steps']]
['start', 'forward', 'seed', 'backward']
>>> print(steps['steps'][3]['text'])
step 1: c = a*b
  a.grad += c.grad * b.data   (1.0 * (-3.0)) = -3.0
  b.grad += c.grad * a.data   (1.0 * 2.0) = 2.0

In Jupyter a Page displays itself (the static picture where scripts do not
run); in a terminal, :meth:`Page.save` writes the file to open in a browser.
"""

from __future__ import annotations

import errno
import html
import json
import os
import re
import tempfile
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from ._roles import network_roles, parameter_place
from .codegen import graph_code
from .explain import _check_count, _Narrator
from .formula import diagram_number, formula
from .graph import expect_value, format_number, is_constant, topological_order

if TYPE_CHECKING:
    from ._roles import Role
    from .engine import Value
    from .nn import MLP

__all__ = ["page_steps", "Page"]


def model_of_graph(root: Value) -> MLP | None:
    """The :class:`~tinygrad_edu.nn.MLP` whose parameters are the leaves of
    ``root``'s graph, when they are named as an MLP names them
    (``layers.L.neurons.N.w.i``, ``layers.L.neurons.N.b``) and complete;
    otherwise None.  Its parameters are the graph's own Values, so drawing it
    shows their numbers."""
    from .nn import ACTIVATIONS, MLP

    forward = topological_order(root)[::-1]
    found: dict[tuple[int, int], dict[str, Value]] = {}  # (layer, neuron) -> {'w.i' or 'b': node}
    for node in forward:
        if node.rule is None and isinstance(node.label, str) and node.label.startswith("layers."):
            place = parameter_place(node.label)
            if place is None or place[2] in found.setdefault(place[:2], {}):
                return None  # a name used twice: not one network
            found[place[:2]][place[2]] = node
    if not found:
        return None
    sizes: list[int] = []
    for layer in range(max(l for l, _ in found) + 1):
        count = sum(1 for l, _ in found if l == layer)
        if count == 0 or any((layer, n) not in found for n in range(count)):
            return None
        sizes.append(count)
    nin = sum(1 for name in found[(0, 0)] if name.startswith("w."))
    for (layer, _), params in found.items():
        want = nin if layer == 0 else sizes[layer - 1]
        if set(params) != {f"w.{i}" for i in range(want)} | {"b"}:
            return None
    activations: dict[int, set[str]] = {}
    for node, (layer, _, role) in network_roles(forward).items():
        if role == "post-activation":
            activations.setdefault(layer, set()).add(node.rule.name)  # type: ignore[union-attr]  # an activation: an op
    kinds = [activations.get(layer, {"linear"}) for layer in range(len(sizes))]
    if any(len(a) != 1 or next(iter(a)) not in ACTIVATIONS for a in kinds):
        return None
    names = [next(iter(a)) for a in kinds]
    hidden = set(names[:-1])
    if len(hidden) > 1:
        return None
    model = MLP(
        nin,
        sizes,
        activation=hidden.pop() if hidden else names[-1],
        output_activation=names[-1],
        seed=0,
    )
    for l, mlp_layer in enumerate(model.layers):
        for n, neuron in enumerate(mlp_layer.neurons):
            neuron.w = [found[(l, n)][f"w.{i}"] for i in range(neuron.nin)]
            neuron.b = found[(l, n)]["b"]
    return model


def _describe_role(role: Role, last_layer: int | None, grad_text: str) -> tuple[str, str]:
    layer, neuron, what = role
    kind = "output layer" if layer == last_layer else "hidden layer"
    where = f"layer {layer} ({kind}), neuron {neuron}"
    if what == "pre-activation":
        return where, (
            f"the neuron's pre-activation u = Σ w·x + b (seed 001: S_preA); "
            f"its gradient is the neuron's delta δ = ∂E/∂u = {grad_text} "
            f"(seed 000: {'δ_0' if layer == last_layer else 'δ_m'})"
        )
    if what == "post-activation":
        return where, "the neuron's output f(u) (seed 001: S_postA)"
    if what == "b":
        return where, "the neuron's bias b (its gradient equals the neuron's delta δ)"
    if what.startswith("w."):
        return where, f"weight {what}: multiplies input {what[2:]} (its gradient is δ × that input)"
    return where, (
        "a weight times its input, w·x"
        if what == "product"
        else "part of the weighted sum Σ w·x + b"
    )


def page_steps(root: Value, digits: int = 4) -> dict[str, Any]:
    """The data the page runs on: the nodes with their numbers, and the steps.

    ``{'nodes': {id: {...}}, 'steps': [...], 'code': source}``: ids are
    draw_dot's (``v0``, ``v1`` ... in forward order).  Steps: one ``start``
    (the inputs), one ``forward`` per op in the order the forward pass
    computes them, the ``seed`` (the output's gradient 1), then one
    ``backward`` per chain-rule step in the order ``backward()`` applies them,
    each with its text (the lines :func:`~tinygrad_edu.explain.explain`
    prints), the gradients it changes (``grads``: {id: as shown}) and the
    lines of generated code it wrote (``code``).  The gradients are those of
    a fresh ``root.backward()`` (all starting at 0); no ``.grad`` in the
    graph changes.
    """
    return _page_data(root, digits)[0]


def _page_data(root: Value, digits: int) -> tuple[dict[str, Any], dict[Value, float]]:
    """(:func:`page_steps`, {node: its gradient at the end of the steps, a float})."""
    expect_value(root, "page")
    _check_count("digits", digits, 1, "a whole number >= 1")
    order = topological_order(root)
    forward = order[::-1]
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    narrator = _Narrator(root, order, digits)
    names = narrator.names
    source, code_lines = graph_code(root, names)

    steps: list[dict[str, Any]] = [
        {
            "kind": "start",
            "node": None,
            "op": False,
            "parents": [],
            "text": "the inputs and parameters hold their numbers; nothing is computed yet",
            "grads": {},
            "code": [],
        }
    ]
    for node in forward:
        if node.rule is None:
            continue
        steps.append(
            {
                "kind": "forward",
                "node": ids[node],
                "op": True,
                "parents": [ids[p] for p in node.parents],
                "text": f"forward: {narrator.name(node)} = {narrator.one_level(node)} "
                f"= {format_number(node.data)}",
                "grads": {},
                "code": list(code_lines.get(node, ((), ()))[0]),
            }
        )
    steps.append(
        {
            "kind": "seed",
            "node": ids[root],
            "op": False,
            "parents": [],
            "text": narrator.seed_line(),
            "grads": {ids[root]: diagram_number(1.0)},
            "code": [],
        }
    )
    backward_steps: list[dict[str, Any]] = []
    for s, lines in narrator.steps():
        changed = {
            ids[p]: diagram_number(narrator.grads[p]) for p in s.parents if not is_constant(p)
        }
        backward_steps.append(
            {
                "kind": "backward",
                "number": s.number,
                "node": ids[s.node],
                "op": True,
                "parents": [ids[p] for p in s.parents],
                "text": "\n".join(lines),
                "grads": changed,
                "code": list(code_lines.get(s.node, ((), ()))[1]),
            }
        )
    steps += backward_steps
    grads = narrator.grads

    roles = network_roles(forward)
    last_layer = max((r[0] for r in roles.values()), default=None)
    nodes: dict[str, dict[str, Any]] = {}
    for node in forward:
        info: dict[str, Any] = {
            "name": narrator.name(node),
            "label": node.label if isinstance(node.label, str) else "",
            "data": diagram_number(node.data),
            "grad": diagram_number(grads[node]),
            "op": node.rule.name if node.rule is not None else None,
            "formula": formula(node, max_length=200),
            "kind": (
                "output"
                if node is root
                else "op"
                if node.rule is not None
                else "input"
                if names[node] is not None
                else "constant"
            ),
        }
        if node in roles:
            info["network"], info["seed_name"] = _describe_role(
                roles[node], last_layer, info["grad"]
            )
        nodes[ids[node]] = info
    return {"nodes": nodes, "steps": steps, "code": source, "root": ids[root]}, grads


def _asset(name: str) -> str:
    # (a package's files are a pathlib.Path or zipfile.Path, whose joinpath takes several
    # parts; typeshed's Traversable for Python 3.10 declares one)
    return resources.files("tinygrad_edu").joinpath("static", name).read_text(encoding="utf-8")  # type: ignore[call-arg]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _writable(text: str, escape: Callable[[int], str]) -> str:
    """``text`` with each lone surrogate (a str can hold one; UTF-8 cannot) written by ``escape``."""
    return _LONE_SURROGATE.sub(lambda m: escape(ord(m.group())), text)


def _json_for_script(data: object) -> str:
    """JSON that is safe inside a <script> element (no '</', no '<!--') and writable as UTF-8."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _writable(text, lambda c: f"\\u{c:04x}")


class Page:
    """The interactive page of one graph: ``.html`` (the whole file), ``.svg``
    (the static picture), ``.save(path)``; displays itself in Jupyter."""

    title: str
    svg: str
    data: dict[str, Any]
    network: str | None
    html: str

    def __init__(self, data: dict[str, Any], svg: str, network: str | None = None) -> None:
        title = _writable(
            f"backward pass of {data['nodes'][data['root']]['name']}", lambda c: f"\\u{c:04x}"
        )
        self.title, self.svg, self.data, self.network = title, svg, data, network
        network_section = "" if network is None else _NETWORK_SECTION.format(svg=network)
        self.html = _TEMPLATE.format(
            title=html.escape(title),
            style=_asset("page.css"),
            svg=svg,
            network=network_section,
            code=_code_html(data["code"]),
            data=_json_for_script(data),
            script=_asset("page.js"),
        )

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the page to ``path`` (replacing the file whole, never leaving half of it);
        returns ``path``."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        try:
            fd, temporary = tempfile.mkstemp(prefix=".tinygrad_edu-", suffix=".html", dir=folder)
        except OSError as err:  # name the file asked for, not the temporary one
            if not os.path.isdir(folder):
                raise FileNotFoundError(errno.ENOENT, "no such folder", path) from None
            raise type(err)(err.errno, err.strerror, path) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.html)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        return path

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        # The static picture first; a script swaps in the interactive page (in its own
        # frame, so its styles and keys stay its own).  Where scripts do not run,
        # the picture stays.
        frame = html.escape(self.html, quote=True)
        wrapper = (
            f'<div class="tinygrad-edu-page">{self.svg}'
            f'<template><iframe srcdoc="{frame}" title="{html.escape(self.title)}" '
            'style="width:100%;height:720px;border:1px solid #ccc;resize:vertical"></iframe></template>'
            "<script>(function(){var s=document.currentScript,d=s.parentNode,"
            't=d.querySelector("template");d.replaceChildren(t.content.cloneNode(true));})();</script>'
            "</div>"
        )
        return {"text/html": wrapper, "image/svg+xml": self.svg, "text/plain": repr(self)}

    def __repr__(self) -> str:
        steps = self.data["steps"]
        return (
            f"<Page {self.title!r}: {len(self.data['nodes'])} nodes, {len(steps) - 1} steps; "
            f".save('graph.html') writes it>"
        )


def _code_html(source: str) -> str:
    return "".join(
        f'<span class="line" data-line="{i}">{html.escape(line) or " "}</span>'
        for i, line in enumerate(source.splitlines(), 1)
    )


_NETWORK_SECTION = """<h2 id="network-title">The network: a circle per neuron, an arrow per weight
(w= its value, grad= its gradient at this step)</h2>
<div id="network" role="group" aria-labelledby="network-title">{svg}</div>
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<nav class="controls" aria-label="step control">
<button type="button" id="prev">Previous step</button>
<button type="button" id="play">Play</button>
<button type="button" id="next">Next step</button>
<label for="slider">step</label>
<input type="range" id="slider" min="0" max="0" value="0">
<span id="counter" data-testid="counter" aria-live="polite"></span>
</nav>
</header>
<main>
<section class="graph" aria-label="computation graph">
<p class="hint">Left and right arrow keys step; click a box (or Tab to it and press Enter) for its details.
<button type="button" id="fit" aria-pressed="false">Fit graph to width</button></p>
<div id="graph">{svg}</div>
{network}</section>
<aside>
<section aria-labelledby="now-title"><h2 id="now-title">This step</h2>
<pre id="narration" aria-live="polite"></pre></section>
<section aria-labelledby="details-title"><h2 id="details-title">Selected node</h2>
<dl id="details"><dt>none</dt><dd>click a box in the graph</dd></dl></section>
<section aria-labelledby="code-title"><h2 id="code-title">The backward pass as code (what the jit writes)</h2>
<pre id="code"><code>{code}</code></pre></section>
</aside>
</main>
<script type="application/json" id="graph-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
