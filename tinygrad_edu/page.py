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

The page speaks every language of :mod:`tinygrad_edu.i18n` (English,
Japanese): a menu in its header switches all its words -- the buttons and
labels, the narration of each step, the descriptions of the nodes -- with no
request to anything, since the file holds them all (:func:`page_texts`).  It
opens in the language ``page(root, lang='ja')`` names, else in the browser's.

In Jupyter a Page displays itself (the static picture where scripts do not
run); in a terminal, :meth:`Page.save` writes the file to open in a browser.
"""

from __future__ import annotations

import errno
import functools
import html
import json
import os
import re
import tempfile
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import i18n
from ._roles import network_roles, parameter_place
from .codegen import graph_code
from .engine import HandWrittenRuleError
from .explain import _check_count, _Narrator
from .formula import diagram_number, formula
from .graph import expect_value, format_number, is_constant, topological_order
from .i18n import N_, gettext as _, language

if TYPE_CHECKING:
    from ._roles import Role
    from .engine import Value
    from .nn import MLP

__all__ = ["page_steps", "page_texts", "Page"]


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
    for layer in range(max(l for l, _n in found) + 1):
        count = sum(1 for l, _n in found if l == layer)
        if count == 0 or any((layer, n) not in found for n in range(count)):
            return None
        sizes.append(count)
    nin = sum(1 for name in found[(0, 0)] if name.startswith("w."))
    for (layer, _neuron), params in found.items():
        want = nin if layer == 0 else sizes[layer - 1]
        if set(params) != {f"w.{i}" for i in range(want)} | {"b"}:
            return None
    activations: dict[int, set[str]] = {}
    for node, (layer, _neuron, role) in network_roles(forward).items():
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
    """(where a network's node sits, what it is), in the language in force."""
    layer, neuron, what = role
    if layer == last_layer:
        where = _("layer {layer} (output layer), neuron {neuron}")
    else:
        where = _("layer {layer} (hidden layer), neuron {neuron}")
    where = where.format(layer=layer, neuron=neuron)
    if what == "pre-activation":
        return where, _(
            "the neuron's pre-activation u = Σ w·x + b (seed 001: S_preA); "
            "its gradient is the neuron's delta δ = ∂E/∂u = {grad} (seed 000: {delta})"
        ).format(grad=grad_text, delta="δ_0" if layer == last_layer else "δ_m")
    if what == "post-activation":
        return where, _("the neuron's output f(u) (seed 001: S_postA)")
    if what == "b":
        return where, _("the neuron's bias b (its gradient equals the neuron's delta δ)")
    if what.startswith("w."):
        return where, _(
            "weight {name}: multiplies input {input} (its gradient is δ × that input)"
        ).format(name=what, input=what[2:])
    if what == "product":
        return where, _("a weight times its input, w·x")
    return where, _("part of the weighted sum Σ w·x + b")


def page_steps(root: Value, digits: int = 4, lang: str | None = None) -> dict[str, Any]:
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

    The texts are in ``lang`` ('en', 'ja'; None: the language in force, see
    :mod:`tinygrad_edu.i18n`); the page itself carries them in every language
    (:func:`page_texts`).
    """
    with language(lang):
        return _page_data(root, digits, every_language=False)[0]


def page_texts(root: Value, digits: int = 4) -> dict[str, dict[str, Any]]:
    """The words of the page in every language, ``{code: words}`` for each code of
    :data:`tinygrad_edu.i18n.LANGUAGES`: ``words['title']``, ``words['steps']`` (the
    text of each step, as :func:`page_steps` lists them) and ``words['nodes']`` ({id:
    {'network': ..., 'seed_name': ...}} for a network's nodes).  The page switches
    between them when the learner chooses a language; the numbers in them are the same.

    >>> from tinygrad_edu import Value
    >>> a, b = Value(2.0, label='a'), Value(-3.0, label='b')
    >>> c = a * b; c.label = 'c'
    >>> texts = page_texts(c)
    >>> print(texts['en']['steps'][3].splitlines()[0], '|', texts['ja']['steps'][3].splitlines()[0])
    step 1: c = a*b | ステップ 1: c = a*b
    """
    return _page_data(root, digits)[2]


def _narrate(
    root: Value, order: list[Value], digits: int
) -> tuple[_Narrator, list[str], list[tuple[Any, dict[Value, float]]]]:
    """The steps' texts in the language in force, from the start to the last chain-rule
    step; the narrator (its ``grads``: the final gradients) and each backward step
    with the running gradients of the inputs it changed."""
    narrator = _Narrator(root, order, digits)
    texts = [_("the inputs and parameters hold their numbers; nothing is computed yet")]
    for node in order[::-1]:
        if node.rule is not None:
            texts.append(
                _("forward: {name} = {formula} = {value}").format(
                    name=narrator.name(node),
                    formula=narrator.one_level(node),
                    value=format_number(node.data),
                )
            )
    texts.append(narrator.seed_line())
    backward = []
    for s, lines in narrator.steps():
        texts.append("\n".join(lines))
        changed = {p: narrator.grads[p] for p in s.parents if not is_constant(p)}
        backward.append((s, changed))
    return narrator, texts, backward


def _page_data(
    root: Value, digits: int, every_language: bool = True
) -> tuple[dict[str, Any], dict[Value, float], dict[str, dict[str, Any]]]:
    """(:func:`page_steps` in the language in force, {node: its gradient at the end of
    the steps, a float}, :func:`page_texts`: the words in every language, or only in
    the language in force without ``every_language``)."""
    expect_value(root, "page")
    _check_count("digits", digits, 1, "a whole number >= 1")
    order = topological_order(root)
    forward = order[::-1]
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    narrator, texts, backward = _narrate(root, order, digits)
    names = narrator.names
    try:
        source, code_lines = graph_code(root, names)
    except HandWrittenRuleError as err:  # an op written as in the lecture: no code for it
        source, code_lines = f"# {err}", {}
    text = iter(texts)

    steps: list[dict[str, Any]] = [
        {
            "kind": "start",
            "node": None,
            "op": False,
            "parents": [],
            "text": next(text),
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
                "text": next(text),
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
            "text": next(text),
            "grads": {ids[root]: diagram_number(1.0)},
            "code": [],
        }
    )
    for s, changed in backward:
        steps.append(
            {
                "kind": "backward",
                "number": s.number,
                "node": ids[s.node],
                "op": True,
                "parents": [ids[p] for p in s.parents],
                "text": next(text),
                "grads": {ids[p]: diagram_number(g) for p, g in changed.items()},
                "code": list(code_lines.get(s.node, ((), ()))[1]),
            }
        )
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
    data = {"nodes": nodes, "steps": steps, "code": source, "root": ids[root]}

    def words(step_texts: list[str]) -> dict[str, Any]:
        described = {
            ids[node]: dict(
                zip(
                    ("network", "seed_name"),
                    _describe_role(role, last_layer, nodes[ids[node]]["grad"]),
                )
            )
            for node, role in roles.items()
        }
        return {"title": _title(narrator.name(root)), "steps": step_texts, "nodes": described}

    here = i18n.current_language()
    every = {here: words(texts)}
    for code in i18n.LANGUAGES if every_language else ():
        if code != here:
            with language(code):
                every[code] = words(_narrate(root, order, digits)[1])
    return data, grads, {code: every[code] for code in i18n.LANGUAGES if code in every}


def _title(name: str) -> str:
    """The page's title in the language in force."""
    return _writable(_("backward pass of {name}").format(name=name), lambda c: f"\\u{c:04x}")


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
    (the static picture; its legend, text under it, is ``.legend``: a list of
    lines), ``.save(path)``; displays itself in Jupyter."""

    title: str
    svg: str
    data: dict[str, Any]
    network: str | None
    legend: list[str]
    network_legend: list[str]
    html: str

    def __init__(
        self,
        data: dict[str, Any],
        svg: str,
        network: str | None = None,
        texts: dict[str, dict[str, Any]] | None = None,
        lang: str | None = None,
    ) -> None:
        """``data``: :func:`page_steps`; ``svg``, ``network``: the pictures; ``texts``:
        :func:`page_texts`, the words in every language (None: only those of ``data``),
        with the pictures' words (``texts[code]['pictures']``: ``legend`` and
        ``network_legend``, lists of lines, and ``words``, the words drawn, as
        :func:`~tinygrad_edu.viz.page` gives them); ``lang``: the language the page
        opens in (None: the browser's)."""
        with language(lang) as written:
            title = _title(data["nodes"][data["root"]]["name"])
        if texts is None:
            texts = {written: _texts_of(data, title)}
        self.title, self.svg, self.data, self.network = title, svg, data, network
        self.lang = None if lang is None else written
        pictures = texts.get(written, {}).get("pictures", {})
        # the legends' lines, in the language the pictures were drawn in
        self.legend = list(pictures.get("legend", []))
        self.network_legend = list(pictures.get("network_legend", []))
        network_section = (
            ""
            if network is None
            else _NETWORK_SECTION.format(
                title=html.escape(NETWORK_TITLE),
                svg=network,
                legend=_legend_html("network-legend", self.network_legend),
            )
        )
        self.html = _asset("page.html").format(
            title=html.escape(title),
            style=_asset("page.css"),
            svg=svg,
            legend=_legend_html("graph-legend", self.legend),
            network=network_section,
            code=_code_html(data["code"]),
            data=_json_for_script(data),
            texts=_json_for_script(texts),
            i18n=_json_for_script(i18n.page_catalogs(_page_messages(), self.lang)),
            i18n_script=_asset("i18n.js"),
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
        legend = "".join(  # (where scripts do not run, the static picture's legend)
            f'<p style="margin:4px 0;font-size:12px;color:#57606a">{html.escape(line)}</p>'
            for line in self.legend
        )
        wrapper = (
            f'<div class="tinygrad-edu-page">{self.svg}{legend}'
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


def _legend_html(element_id: str, lines: list[str]) -> str:
    """A picture's legend as text under it (a line each), which the page's script
    rewrites in the language chosen; nothing for no legend."""
    if not lines:
        return ""
    text = html.escape("\n".join(lines))
    return f'<p id="{element_id}" class="legend">{text}</p>\n'


def _code_html(source: str) -> str:
    return "".join(
        f'<span class="line" data-line="{i}">{html.escape(line) or " "}</span>'
        for i, line in enumerate(source.splitlines(), 1)
    )


#: The heading over a network's picture, and the pictures' names for a screen reader.
NETWORK_TITLE = N_(
    "The network: a circle per neuron, an arrow per weight "
    "(w= its value, grad= its gradient at this step)"
)
GRAPH_LABEL = N_("computation graph")
NETWORK_LABEL = N_("the network: a circle per neuron, an arrow per weight")

_NETWORK_SECTION = """<h2 id="network-title" data-i18n>{title}</h2>
<div id="network" role="group" aria-labelledby="network-title">{svg}</div>
{legend}"""


def _texts_of(data: dict[str, Any], title: str) -> dict[str, Any]:
    """:func:`page_texts`' words of one language, read back from the page's data."""
    return {
        "title": title,
        "steps": [s["text"] for s in data["steps"]],
        "nodes": {
            vid: {"network": n["network"], "seed_name": n["seed_name"]}
            for vid, n in data["nodes"].items()
            if "network" in n
        },
    }


@functools.cache
def _page_messages() -> list[str]:
    """The messages the page's script and HTML translate (their catalogs go into the page)."""
    found = i18n.script_messages(_asset("page.js"), _asset("page.html"))
    return found + [m for m in (NETWORK_TITLE, GRAPH_LABEL, NETWORK_LABEL) if m not in found]
