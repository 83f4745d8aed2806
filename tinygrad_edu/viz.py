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
    graph [fontname=Helvetica fontsize=10 label="edge colour and width: |gradient| flowing back along the edge, on a log scale from thin grey (0.3 or less) to thick red (3, the largest); dashed: no gradient" nslimit=50 nslimit1=50 rankdir=LR]
    node [fontname=Helvetica fontsize=11]
    edge [fontname=Helvetica fontsize=9]
    v0 [label="{a | data 2 | grad -3}" fillcolor="#e8f0fe" shape=record style=filled]
    v1 [label="{b | data -3 | grad 2}" fillcolor="#e8f0fe" shape=record style=filled]
    v2 [label="{c | data -6 | grad 1}" fillcolor="#fff2cc" shape=record style=filled]
    v2_op [label="*" shape=ellipse]
    v0 -> v2_op [color="#d62728" penwidth=4.00 tooltip="gradient flowing back: -3"]
    v1 -> v2_op [color="#d24243" penwidth=3.47 tooltip="gradient flowing back: 2"]
    v2_op -> v2 [color="#cc7071" penwidth=2.57 tooltip="gradient flowing back: 1"]
}

Node ids (``v0``, ``v1`` ... in the order the forward pass computes the
nodes) are the same on every run, so the DOT source can be compared with a
saved copy.  ``nslimit`` caps the work Graphviz spends placing nodes (see
:func:`draw_dot`), and :func:`render` stops ``dot`` after ``timeout`` seconds.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Callable, Sequence, Sized
from typing import TYPE_CHECKING, Any

from ._optional import install_hint
from .engine import Value
from .formula import diagram_number
from .graph import expect_value as _expect_value, node_names, step_numbers, topological_order
from .i18n import N_, gettext as _, language, language_code as _language_code
from .ops import FLOAT

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from .nn import MLP, Layer, Neuron
    from .ops import Op
    from .page import Page

    #: a group of parameters, by the parts of its name: ('layers', '0', 'neurons', '2')
    _Key = tuple[str, ...]
    #: a parameter table: (its outermost key, {key: its parameters}, {key: its inner keys})
    _Table = tuple[_Key, dict[_Key, list[Value]], dict[_Key, list[_Key]]]
    #: an arrow into an op: (the parent's index, or 'out' for the op's own output, the node)
    _Edge = tuple[int | str, Value]
    #: the text fields of draw_dot's records: {record id: [(Value id or None, field)]}
    _Fields = dict[str, list[tuple[str | None, str]]]

__all__ = [
    "draw_dot",
    "draw_network",
    "render",
    "page",
    "japanese_font",
    "japanese_plots",
    "GraphvizNotInstalled",
    "RenderTimeout",
    "MissingFontWarning",
    "FORMATS",
    "RANKDIRS",
    "DEFAULT_TIMEOUT",
]

#: File formats ``render`` writes, by extension ('dot' writes the source only;
#: 'html' the interactive page of :func:`page`).
FORMATS = ("svg", "png", "pdf", "dot", "html")

#: Seconds :func:`render` lets Graphviz's ``dot`` run before stopping it.
DEFAULT_TIMEOUT = 60

_LEAF_FILL = "#e8f0fe"  # inputs and parameters
_ROOT_FILL = "#fff2cc"  # the output that backward starts from
_NO_FLOW = "#c0c0c0"  # grey: no gradient along this edge
_FULL_FLOW = "#d62728"  # red: the largest gradient in the graph
_NOT_FINITE = "#9467bd"  # purple: an inf or nan number (arrows)
_NOT_FINITE_FILL = "#e8dcf5"  # and the box of a Value holding one

#: A label longer than this is shortened in its box (the beginning and the end
#: shown); its tooltip holds it whole up to _TOOLTIP_CHARS characters.
_LABEL_CHARS = 48
_TOOLTIP_CHARS = 1000

#: The colour scale spans at most this many powers of ten below the largest gradient.
_MAX_DECADES = 6

#: Bounds on dot's network simplex (see _layout_limits): at most _NS_LIMIT x (number
#: of nodes) iterations, and fewer when one iteration is expensive, so that
#: iterations x (nodes dot lays out, counting the bends of long arrows) stays
#: near _NS_BUDGET -- a few seconds on a laptop.  The diagrams of neurons and
#: small networks need 2 to 5 x (number of nodes) iterations: they are unaffected.
_NS_LIMIT = 50
_NS_BUDGET = 2e7
_HELPER_MAX = 50_000

#: Edge labels for ops whose operands play different roles (translated where drawn).
_OPERAND_ROLES = {
    "sub": (N_("left"), N_("right")),
    "div": (N_("numerator"), N_("denominator")),
    "pow": (N_("base"), N_("exponent")),
}

#: The titles of the groups tinygrad_edu.nn names its parameters by ('layers.0', 'neurons.2').
_GROUP_TITLES = {"layers": N_("layer {number}"), "neurons": N_("neuron {number}")}

#: The lines of draw_dot's legend that are not about the colour scale.
_NOT_FINITE_LEGEND = N_(
    "purple: a number that is not finite (inf or nan); hover over a box for more"
)
_ORDER_LEGEND = N_("step k: the order in which backward() applies each op's chain rule")

#: What _run_dot's messages call a picture not written to a file (translated there).
_THE_PAGE = N_("the page")
_THE_NETWORK_PICTURE = N_("the network picture")

#: The op ovals of a network's graph: just big enough for their symbol.
_SMALL_OP = {"width": "0.3", "height": "0.2", "margin": "0.02,0.01"}

#: Where an arrow leaves a parameter's row in its table: the side facing the
#: direction of the graph (the row's port is its last field, or its first for RL/BT).
_EXIT_SIDE = {"LR": "e", "TB": "s", "RL": "w", "BT": "n"}

_INSTALL_HELP = N_(
    "Graphviz's 'dot' program is needed to render diagrams and was not found on PATH. "
    "Install Graphviz:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  Windows:        winget install graphviz  (or the installer from https://graphviz.org/download/),\n"
    "                  then make sure its bin folder is on PATH."
)


class _Words:
    """For the page: the words a diagram draws, each a function that writes it in the
    language in force, so that the page carries them in every language and its menu
    switches them (:func:`page`).  Given to :func:`draw_dot` or :func:`draw_network`
    (``_words=``), which then leave the legend out of the drawing."""

    legend: list[Callable[[], str]]
    groups: dict[str, list[Callable[[], str]]]

    def __init__(self) -> None:
        #: the legend's lines (the page writes them under the picture)
        self.legend = []
        #: {an SVG group -- a cluster's name, a record's or an edge's id: its words, in
        #: the order they are drawn}
        self.groups = {}
        #: {an edge's id: its tooltip (the gradient flowing back along it)}
        self.tips: dict[str, Callable[[], str]] = {}

    def add(self, group: str, word: Callable[[], str]) -> None:
        self.groups.setdefault(group, []).append(word)


class MissingFontWarning(UserWarning):
    """A diagram has Japanese (or other CJK) text but no installed font has its glyphs:
    Graphviz would draw empty boxes in their place."""


#: Japanese, Chinese and Korean characters (kana, kanji, hangul, full-width forms):
#: a diagram holding any of them needs a font that has them.
_CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)

#: Fonts with Japanese glyphs, the most wanted first (Debian's fonts-noto-cjk has the first).
_JAPANESE_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic",
    "Meiryo",
    "IPAexGothic",
    "IPAGothic",
    "TakaoGothic",
    "VL Gothic",
)


def _fontconfig_japanese() -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """The installed fonts with Japanese glyphs as fontconfig lists them
    (``fc-list :lang=ja``, which Graphviz uses to find fonts): for each, its family
    names, its style and its file ("" where fontconfig gave none).  Empty when there
    is none, or no fontconfig to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        listed = subprocess.run(
            [fc_list, "--format", "%{family}\\t%{style}\\t%{file}\\n", ":lang=ja"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = []
    for line in listed.splitlines():
        family, style, file = (line.split("\t") + ["", ""])[:3]
        names = tuple(name.strip() for name in family.split(",") if name.strip())
        if names:
            fonts.append((names, style.split(",")[0].strip(), file.strip()))
    return tuple(fonts)


@functools.cache
def japanese_font() -> str | None:
    """The family name of an installed font that has Japanese glyphs, as fontconfig
    (``fc-list :lang=ja``, which Graphviz uses to find fonts) lists them; None when
    there is none, or no fontconfig to ask."""
    families = {name for names, _style, _file in _fontconfig_japanese() for name in names}
    for family in _JAPANESE_FONTS:
        if family in families:
            return family
    return min(families) if families else None


def japanese_plots() -> str | None:
    """Let matplotlib draw Japanese text, and return the name of the font it will use.

    Call it once before plotting (at the top of a notebook whose plots have Japanese
    titles, labels or legends).  It puts an installed font with Japanese glyphs first
    in matplotlib's sans-serif list: one matplotlib already knows (Hiragino on macOS,
    Yu Gothic or Meiryo on Windows), else the one diagrams use, found by fontconfig.
    Without such a font it warns (:class:`MissingFontWarning`, naming the package that
    installs one) and returns None: matplotlib would draw empty boxes.  Needs matplotlib
    (the demos extra).
    """
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:
        raise ImportError(
            _("plots need matplotlib: {hint}").format(hint=install_hint("demos"))
        ) from None
    known = {font.name for font in font_manager.fontManager.ttflist}
    name = next((family for family in _JAPANESE_FONTS if family in known), None)
    if name is None:
        name = _add_japanese_font(font_manager)
    if name is None:
        warnings.warn(
            MissingFontWarning(
                _(
                    "no installed font has Japanese glyphs: matplotlib will draw empty boxes "
                    "in their place. Install one (Debian/Ubuntu: sudo apt-get install "
                    "fonts-noto-cjk) and plot again"
                )
            ),
            stacklevel=2,
        )
        return None
    others = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["font.sans-serif"] = [name, *others]
    matplotlib.rcParams["font.family"] = "sans-serif"
    return name


def _add_japanese_font(font_manager: Any) -> str | None:
    """Give matplotlib the file of the font :func:`japanese_font` names (its regular
    style where there is one); the name matplotlib reads in it, or None."""
    family = japanese_font()
    files = [
        (style != "Regular", file)
        for names, style, file in _fontconfig_japanese()
        if family in names and file
    ]
    if not files:
        return None
    path = min(files)[1]
    try:
        font_manager.fontManager.addfont(path)
        name: str = font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError):  # a file matplotlib cannot read
        return None
    return name


def _fit_font(dot: Any) -> Any:
    """Draw ``dot``'s text in a font with Japanese glyphs when it has CJK text (a label,
    or the words of a Japanese diagram); warn (:class:`MissingFontWarning`) when no
    such font is installed, rather than let Graphviz draw empty boxes silently."""
    source = dot.source
    if not _CJK.search(source):
        return dot
    family = japanese_font()
    if family is None:
        warnings.warn(
            MissingFontWarning(
                _(
                    "this diagram has Japanese text, but no installed font has Japanese glyphs: "
                    "Graphviz will draw empty boxes in their place. Install one (Debian/Ubuntu: "
                    "sudo apt-get install fonts-noto-cjk; macOS has one already) and draw it again"
                )
            ),
            stacklevel=3,
        )
        return dot
    quoted = '"' + family.replace('"', "") + '"'
    dot.body = [line.replace("fontname=Helvetica", f"fontname={quoted}") for line in dot.body]
    for attrs in (dot.graph_attr, dot.node_attr, dot.edge_attr):
        if "fontname" in attrs:
            attrs["fontname"] = family
    return dot


class GraphvizNotInstalled(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not installed (or not on PATH)."""


class RenderTimeout(TimeoutError):
    """Graphviz's ``dot`` did not finish within the time allowed and was stopped.

    Attributes: ``path`` (the image that was not written), ``source_path``
    (the DOT source, which was), ``timeout`` (seconds), ``values`` and
    ``arrows`` (the size of the graph), ``suggested_timeout`` (a longer one
    to try).  It is a :class:`TimeoutError`, so code that handles ``OSError``
    (a file that cannot be written) handles it too.
    """

    path: str
    source_path: str | None
    timeout: float
    values: int | None
    arrows: int | None
    busiest: tuple[str, int] | None
    suggested_timeout: float

    def __init__(
        self,
        path: str,
        source_path: str | None,
        timeout: float,
        values: int | None,
        arrows: int | None,
        busiest: tuple[str, int] | None = None,
    ) -> None:
        self.path, self.source_path, self.timeout = path, source_path, timeout
        self.values, self.arrows, self.busiest = values, arrows, busiest
        self.suggested_timeout = max(5 * timeout, 60)
        super().__init__(self.describe())

    def describe(self, more_time: str | None = None) -> str:
        """The message; ``more_time`` says how to allow more time, in the caller's words."""
        more_time = more_time or f"render(root, path, timeout={self.suggested_timeout:g})"
        text = _("Graphviz's dot did not finish drawing {path} within {seconds} s and was stopped.")
        text = text.format(path=self.path, seconds=f"{self.timeout:g}")
        if self.values is not None and self.busiest is not None:
            name, uses = self.busiest
            text += _(
                " This graph has {values} Values and {arrows} arrows, {uses} of them from {name} "
                "(a Value used by many ops far apart makes dot's layout slow)."
            ).format(values=self.values, arrows=self.arrows, uses=uses, name=name)
        elif self.values is not None:
            text += _(" This graph has {values} Values and {arrows} arrows.").format(
                values=self.values, arrows=self.arrows
            )
        if self.source_path:
            text += _(
                " Draw a smaller part (e.g. one neuron's output), use the DOT source already "
                "written to {source}, or allow more time: {more_time}"
            ).format(source=self.source_path, more_time=more_time)
        else:
            text += _(
                " Draw a smaller part (e.g. one neuron's output), or allow more time: {more_time}"
            ).format(more_time=more_time)
        return text


def _graphviz() -> Any:  # the graphviz module (it has no type information)
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            _("diagrams need the graphviz Python package: pip install graphviz")
        ) from None
    return graphviz


def _number(x: float | Value) -> str:
    """A few significant digits; grads recorded with create_graph=True are Values."""
    return diagram_number(x.data if isinstance(x, Value) else x)


def _finite(x: float | Value) -> bool:
    if isinstance(x, Value):
        x = x.data
    return -math.inf < x < math.inf


_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')


def _escape_record(text: str) -> str:
    """Text shown literally inside a record label (| { } < > " and \\ are syntax there,
    and Graphviz reads &name; as a character: & is written &amp;)."""
    text = text.replace("&", "&amp;").replace("\n", " ").replace("\r", " ")
    return _RECORD_SPECIAL.sub(r"\\\1", text)


def _escape_attribute(text: str) -> str:
    """Text shown literally as a tooltip: & as &amp;, " as \\", line breaks as \\n, and
    each backslash four times (Graphviz reads a tooltip's backslashes twice: once for
    \\n and the like, once for \\N and the like)."""
    text = text.replace("\\", "\\" * 4).replace('"', '\\"').replace("&", "&amp;")
    return text.replace("\n", "\\n")


#: Characters that a diagram shows as Python escapes (\x00, \ud800, \u202e): control
#: characters, lone surrogates (which cannot be written as UTF-8), the invisible
#: characters that reorder text or break lines, and code points with no character.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible(text: str, spaces: bool = True) -> str:
    """``text`` with every character a diagram cannot show literally written as its
    Python escape; tabs and line breaks become spaces (a box shows one line per
    field), or with ``spaces=False`` escapes too (\\n)."""
    if text.isprintable():  # the usual case (every character above is unprintable)
        return text
    out: list[str] = []
    for c in text:
        if c in "\t\n\r" and spaces:
            out.append(" ")
        elif c in _BIDI or unicodedata.category(c) in ("Cc", "Cs", "Cn", "Zl", "Zp"):
            out.append(ascii(c)[1:-1])
        else:
            out.append(c)
    return "".join(out)


def _shown_label(label: object) -> tuple[str, str | None]:
    """(the text a box shows for ``label``, its tooltip or None).

    The text is the label with what cannot be shown escaped (:func:`_visible`),
    cut to its first and last characters when longer than _LABEL_CHARS; then
    the tooltip gives the label (escaped, up to _TOOLTIP_CHARS characters).
    """
    label = label if isinstance(label, str) else str(label)
    if len(label) <= _LABEL_CHARS:
        shown = _visible(label)
    else:
        head = _LABEL_CHARS * 2 // 3
        shown = f"{_visible(label[:head])}…{_visible(label[head - _LABEL_CHARS + 1 :])}"
    if shown == label:
        return shown, None
    whole = _visible(label[:_TOOLTIP_CHARS], spaces=False)
    if len(label) > _TOOLTIP_CHARS:
        return shown, _("label: {label}… ({count} characters in all)").format(
            label=whole, count=f"{len(label):,}"
        )
    return shown, _("label: {label}").format(label=whole)


def _op_symbol(op: Op) -> str:
    if op.name == "neg":
        return "neg"
    if op.infix == "**" and op.param is not None:
        k = op.param
        return f"**{int(k) if k == int(k) else k:g}"
    return op.infix or op.name


def _grad_float(v: Value) -> float:
    g = v.grad
    return g.data if isinstance(g, Value) else float(g)


def _flows(
    order: list[Value], grad_of: Callable[[Value], float] | None = None
) -> dict[_Edge, float | None]:
    """The gradient flowing back along each edge: {(parent_index, node): gradient}.

    For the edge from the i-th parent into ``node``'s op this is node.grad times
    the op's local derivative -- computed by the op's own derivative rule
    (``op.vjp`` on floats), exactly as backward does.  None where that rule is
    undefined (e.g. sqrt at 0).  ``grad_of(node)`` gives a node's gradient
    (default: its ``.grad``).
    """
    grad_of = grad_of or _grad_float
    flows: dict[_Edge, float | None] = {}
    for node in order:
        op = node.rule
        if op is None:
            continue
        parents = node.parents
        try:
            contributions = op.vjp(FLOAT, grad_of(node), node.data, *[p.data for p in parents])
        except (ValueError, ZeroDivisionError, OverflowError):
            contributions = (None,) * len(parents)
        for i, g in enumerate(contributions):
            flows[(i, node)] = g
    return flows


class _LogScale:
    """|gradient| -> 0..1 on a log scale: 1 at the largest, 0 at ``decades``
    powers of ten below it (or less).  The number of decades is the fewest
    whole ones that reach the smallest nonzero gradient (1 to _MAX_DECADES),
    so a graph whose gradients span 0.0001 to 1 uses the whole range of colours."""

    largest: float
    decades: int
    lowest: float

    def __init__(self, magnitudes: list[float]) -> None:
        self.largest = max(magnitudes)
        smallest = min(magnitudes)
        self.decades = min(
            _MAX_DECADES, max(1, math.ceil(math.log10(self.largest / smallest) - 1e-9))
        )
        self.lowest = self.largest * 10.0**-self.decades

    def __call__(self, g: float) -> float:
        t = 1.0 + math.log10(abs(g) / self.largest) / self.decades
        return min(1.0, max(0.0, t))

    def legend(self) -> str:
        return _(
            "edge colour and width: |gradient| flowing back along the edge, on a log scale "
            "from thin grey ({lowest} or less) to thick red ({largest}, the largest); "
            "dashed: no gradient"
        ).format(lowest=_number(self.lowest), largest=_number(self.largest))


def _flow_tip(g: float | None) -> str:
    """An arrow's tooltip: the gradient flowing back along it, in the language in force."""
    if g is None:
        return _("gradient undefined here")
    if g == 0.0:
        return _("no gradient flows back here")
    if not _finite(g):
        return _("gradient flowing back: {g} (not a finite number)").format(g=_number(g))
    return _("gradient flowing back: {g}").format(g=_number(g))


def _edge_style(g: float | None, scale: _LogScale | None) -> dict[str, str]:
    """Colour (grey to red) and width from |g| on the graph's log scale, and its tooltip."""
    tip = _flow_tip(g)
    if g is None:
        return {"style": "dashed", "tooltip": tip}
    if g == 0.0:
        return {"color": _NO_FLOW, "style": "dashed", "tooltip": tip}
    if not _finite(g):
        return {"color": _NOT_FINITE, "penwidth": "4.00", "tooltip": tip}
    t = scale(g)  # type: ignore[misc]  # g is finite and not 0: the graph has a scale
    rgb = [round(lo + (hi - lo) * t) for lo, hi in zip(_hex(_NO_FLOW), _hex(_FULL_FLOW))]
    return {
        "color": "#{:02x}{:02x}{:02x}".format(*rgb),
        "penwidth": f"{1.0 + 3.0 * t:.2f}",
        "tooltip": tip,
    }


def _hex(color: str) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


#: A parameter name as tinygrad_edu.nn writes it: containers numbered
#: ('layers.0.', 'neurons.2.'), then the parameter ('w.1', 'b').
_PARAMETER_NAME = re.compile(r"(?:[A-Za-z_]\w*\.\d+\.)+[A-Za-z_]\w*(?:\.\d+)?")


def _cluster_keys(label: str) -> list[_Key]:
    """The groups a parameter belongs to, outermost first, from its dotted name.

    'layers.0.neurons.2.w.1' -> [('layers', '0'), ('layers', '0', 'neurons', '2')]
    (the parameter's own name 'w.1' or 'b' is dropped).  Only names shaped
    like that are grouped: any other label ('x', 'x.y', 'w.0') gives [].
    """
    if not _PARAMETER_NAME.fullmatch(label):
        return []
    parts = label.split(".")
    containers = parts[:-2] if parts[-1].isdigit() else parts[:-1]  # pairs: 'layers', '0'
    return [tuple(containers[:j]) for j in range(2, len(containers) + 1, 2)]


def _cluster_title(key: _Key) -> str:
    """The title of a group, in the language in force: ('layers', '0') -> 'layer 0'; a
    group of another name keeps it ('blocks', '1') -> 'block 1'."""
    if len(key) >= 2 and key[-1].isdigit():
        name = key[-2]
        if name in _GROUP_TITLES:
            return _(_GROUP_TITLES[name]).format(number=key[-1])
        if len(name) > 1 and name.endswith("s") and not name.endswith("ss"):
            name = name[:-1]  # 'blocks' -> 'block'
        return f"{name} {key[-1]}"
    return key[-1]


def _cluster_path_title(key: _Key) -> str:
    """The title of a neuron's box: the groups it is in, outermost first, in the language
    in force: ('layers', '0', 'neurons', '2') -> 'layer 0, neuron 2'."""
    titles = [_cluster_title(key[:j]) for j in range(2, len(key) + 1, 2)]
    title = titles[0]
    for inner in titles[1:]:
        title = _("{outer}, {inner}").format(outer=title, inner=inner)
    return title


def _role(op_name: str, i: int) -> str:
    """The label of the arrow of an op's operand ``i`` ('numerator'), in the language in force."""
    return _(_OPERAND_ROLES[op_name][i])


def _natural(parts: Sequence[str]) -> list[tuple[int, int, str]]:
    """Sort key: numbers by value (layer 2 before layer 10), names alphabetically."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts]


def _parameter_order(short: str) -> tuple[int, list[tuple[int, int, str]]]:
    """Within a neuron: the numbered weights first (w.0, w.1, ... w.10), then the rest (b)."""
    parts = short.split(".")
    return (0 if parts[-1].isdigit() else 1, _natural(parts))


def _parameter_tables(
    forward: list[Value], root: Value, not_finite: Callable[[Value], str | None]
) -> tuple[list[_Table], dict[Value, str]]:
    """Parameters named like 'layers.0.neurons.2.w.1', gathered per outermost group.

    Returns ``(tables, short)``: tables as [(top key, {key: rows}, {key: inner keys})]
    in natural order, and each parameter's name inside its table ('w.1').  A
    parameter holding an inf or nan (``not_finite(node)``) or with a name too
    long to show whole is left out, to be drawn in a box of its own.
    """
    rows: dict[_Key, list[Value]] = {}
    children: dict[_Key, list[_Key]] = {}
    top: list[_Key] = []
    short: dict[Value, str] = {}
    for node in forward:
        if node.rule is not None or not node.label or node is root:
            continue
        if not isinstance(node.label, str) or len(node.label) > _LABEL_CHARS or not_finite(node):
            continue
        keys = _cluster_keys(node.label)
        if not keys:
            continue
        for outer, inner in zip([None, *keys], keys):
            if inner not in rows:
                rows[inner] = []
                (children.setdefault(outer, []) if outer else top).append(inner)
        rows[keys[-1]].append(node)
        short[node] = node.label[len(".".join(keys[-1])) + 1 :]
    top.sort(key=_natural)
    for inner_keys in children.values():
        inner_keys.sort(key=_natural)
    for members in rows.values():
        members.sort(key=lambda node: _parameter_order(short[node]))
    return [(key, rows, children) for key in top], short


def _neuron_ops(
    forward: list[Value], tables: list[_Table], short: dict[Value, str]
) -> dict[Value, _Key]:
    """The ops of each neuron of a network's graph: ``{op node: neuron key}``.

    A neuron is ``u = w.0*x0 + w.1*x1 + ... + b``, then its activation, with its
    parameters in a table (named as :mod:`tinygrad_edu.nn` names them, the bias
    'b').  Going forward, an op that reads one neuron's parameter belongs to
    that neuron; an op whose inputs are ops of one neuron still summing belongs
    to it too; adding the bias ends the sum, and a one-input activation applied
    to that sum (sigmoid, tanh, relu ...) ends the neuron.  Only neurons whose
    bias was added are kept, and only when one of them sums two or more
    weighted inputs (a network's shape); otherwise ``{}``.
    """
    key_of: dict[Value, _Key] = {}
    for _key, rows, _children in tables:
        for key, members in rows.items():
            for node in members:
                key_of[node] = key
    if not key_of:
        return {}
    tag: dict[Value, _Key] = {}
    state: dict[Value, str] = {}
    summed: set[_Key] = set()
    for node in forward:
        op = node.rule
        if op is None:
            continue
        parents = node.parents
        direct = {key_of[p] for p in parents if p in key_of}
        if direct:
            if len(direct) == 1:
                tag[node] = direct.pop()
                biased = any(p in key_of and short[p] == "b" for p in parents)
                state[node] = "pre" if biased else "open"
                if biased:
                    summed.add(tag[node])
            continue
        ops = [p for p in parents if p.rule is not None]
        keys = {tag.get(p) for p in ops}
        if len(keys) != 1 or None in keys:
            continue
        states = {state[p] for p in ops}
        if states == {"open"}:
            tag[node], state[node] = keys.pop(), "open"  # type: ignore[assignment]  # not None
        elif states == {"pre"} and len(parents) == 1 and op.activation:
            tag[node], state[node] = keys.pop(), "done"  # type: ignore[assignment]  # not None
    weights: dict[_Key, int] = {}
    for node, key in key_of.items():
        if short[node] != "b":
            weights[key] = weights.get(key, 0) + 1
    if not any(weights.get(key, 0) >= 2 for key in summed):
        return {}
    return {node: key for node, key in tag.items() if key in summed}


def _helper_size(nodes: list[str], edges: list[tuple[str, str]]) -> int:
    """An estimate of the size of the graph dot's placement step works on.

    dot ranks the nodes into columns and gives every column an arrow passes
    through a virtual node (a bend); its placement step then works on a
    helper graph with a node for every node, bend and piece of arrow:
    nodes + arrows + 2 x bends.  The estimate ranks each node one column
    after its latest input and puts inputs just before their first use, as
    dot's ranking does (exact for sums like x + x + ... + x; an underestimate
    for networks, where dot's ranking spreads the nodes more).
    """
    rank: dict[str, int] = {}
    consumers: dict[str, list[str]] = {}
    for tail, head in edges:  # in forward order: tails are ranked first
        rank[head] = max(rank.get(head, 0), rank.get(tail, 0) + 1)
        consumers.setdefault(tail, []).append(head)
    for node in nodes:
        if node not in rank and node in consumers:  # an input: just before its first use
            rank[node] = min(rank[h] for h in consumers[node]) - 1
    bends = sum(max(0, rank.get(h, 0) - rank.get(t, 0) - 1) for t, h in edges)
    return len(nodes) + len(edges) + 2 * bends


def _layout_limits(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    """Graph attributes that bound dot's work: ``nslimit``, ``nslimit1`` (and ``splines``).

    dot places the nodes with a network simplex over a helper graph with a
    node for every column an arrow passes through (:func:`_helper_size`).
    An input feeding many ops far apart (x + x + ... + x) gives thousands of
    them: without a limit a 100-term sum took over 10 minutes.  ``nslimit``
    caps the simplex's iterations at ``nslimit`` x (number of nodes), chosen
    so that iterations x helper size stays near _NS_BUDGET.  Beyond
    _HELPER_MAX even setting up the simplex takes long (its cost grows with
    the square of the size), so the placement is not optimised at all
    (``nslimit=0``) and arrows are drawn straight (``splines=line``; curved
    routing through so many bends is slow too).  ``nslimit1`` caps the
    ranking simplex likewise (it needs far fewer than 50 x nodes iterations).
    """
    helper = _helper_size(nodes, edges)
    if helper > _HELPER_MAX:
        return {"nslimit": "0", "nslimit1": f"{_NS_LIMIT}", "splines": "line"}
    limit = min(_NS_LIMIT, _NS_BUDGET / (helper * max(1, len(nodes))))
    return {"nslimit": f"{limit:.2g}", "nslimit1": f"{_NS_LIMIT}"}


def _check_size(order: Sized, max_nodes: int) -> None:
    if len(order) > max_nodes:
        raise ValueError(
            _(
                "this graph has {count} Values, more than max_nodes={limit}; Graphviz can take "
                "minutes on a diagram this size. Draw a smaller part (e.g. one neuron's output), "
                "or raise the limit: draw_dot(root, max_nodes={count})"
            ).format(count=len(order), limit=max_nodes)
        )


def draw_dot(
    root: Value,
    rankdir: str | None = None,
    show_grad: bool = True,
    max_nodes: int = 500,
    color_by_grad: bool = True,
    show_order: bool = False,
    cluster_params: bool = True,
    lang: str | None = None,
    _grads: dict[Value, float] | None = None,
    _fields: _Fields | None = None,
    _words: _Words | None = None,
) -> Any:  # a graphviz.Digraph
    """The computation graph of ``root`` as a :class:`graphviz.Digraph`.

    * a record per Value: its name (label, or n1, n2 ... as in :func:`explain`),
      ``data`` and (with ``show_grad``) ``grad``, to four significant digits;
      inputs and parameters are shaded blue, ``root`` yellow;
    * an oval per op, with arrows from its inputs into it and from it to its
      output (the direction of the forward pass); for ``-``, ``/`` and ``**``
      the arrows say which operand is which;
    * ``color_by_grad``: after ``backward()``, each arrow's colour (grey to red)
      and width show the size of the gradient flowing back along it -- the
      upstream gradient times the op's local derivative -- on a log scale, so
      that 0.001 and 0.01 look different even beside the output's 1; the
      legend gives the ends of the scale; dashed where none flows;
    * ``show_order``: each op is numbered with the step at which backward
      applies its chain rule (1 = the root's op);
    * ``cluster_params``: parameters named like ``layers.0.neurons.2.w.1``
      (as :mod:`tinygrad_edu.nn` names them) are drawn as one table per
      layer: a block per neuron in order (neuron 0 first), each listing its
      parameters by their short names in order (w.0, w.1, ..., b), with the
      arrows leaving from their rows.  Other labels, dotted or not (``x.y``),
      are drawn whole, one box each;
    * a network's graph (neurons ``u = w.0*x0 + w.1*x1 + ... + b``, ``f(u)`` with their
      parameters in tables, at least one summing two or more inputs) is drawn
      by layer: each neuron's ops and their results in a box titled with the
      layer and neuron, smaller op ovals, each Value's name on a line of its
      own (over ``data | grad``, or beside them left to right) and, by default,
      top to bottom with the parameter tables at the top beside the inputs, so
      that a small MLP's per-sample loss fits a laptop screen with the text at
      its usual size;
    * an inf or nan (a gradient that overflowed, or a number assigned by hand)
      is shown as such, its box and arrows purple, its tooltip saying what it is;
    * labels are shown literally (``&amp;`` stays ``&amp;``): characters that
      cannot be shown (NUL, a lone surrogate, text-reversing controls) as their
      Python escapes (``\\x00``), and a label longer than 48 characters by its
      beginning and end; the box's tooltip then holds the label (up to 1000
      characters).

    ``rankdir`` is 'LR' (left to right) or 'TB' (top to bottom) and the like;
    None (the default) means 'TB' for a network's graph and 'LR' otherwise.
    A graph of more than ``max_nodes`` Values raises ValueError (``dot``
    would take minutes); pass a larger ``max_nodes`` to draw it anyway.  The
    graph attributes ``nslimit``/``nslimit1`` bound the time ``dot`` spends
    placing nodes (see the module source, ``_layout_limits``).  ``root`` must be
    one Value: a list (what an MLP returns) or a number is a TypeError that
    says what to pass instead.

    The words of the diagram (the legend, the boxes' titles, the operands' roles,
    the tooltips) and its error messages are in ``lang`` ('en', 'ja'; None: the
    language in force, see :mod:`tinygrad_edu.i18n`); ValueError for a language
    without a translation.

    For the interactive page (:mod:`tinygrad_edu.page`): ``_grads``
    ({node: gradient}) is drawn instead of each node's ``.grad``, a dict
    passed as ``_fields`` is filled with each record's text fields in order,
    ``{record id: [(Value id or None, 'name'/'data'/'grad'/'title')]}``, and
    ``_words`` (a :class:`_Words`) with the diagram's words, the legend then
    left out of the drawing.
    """
    with language(lang):
        if rankdir not in (None, *RANKDIRS):
            raise ValueError(
                _(
                    "rankdir must be one of {choices} (the direction of the arrows: LR is "
                    "left to right, TB top to bottom), got {value}"
                ).format(choices=", ".join(RANKDIRS), value=repr(rankdir))
            )
        return _fit_font(
            _draw_dot(
                root,
                rankdir,
                show_grad,
                max_nodes,
                color_by_grad,
                show_order,
                cluster_params,
                _grads,
                _fields,
                _words,
            )
        )


#: The directions Graphviz lays a diagram out in (draw_dot's ``rankdir``).
RANKDIRS = ("LR", "TB", "RL", "BT")


def _draw_dot(
    root: Value,
    rankdir: str | None,
    show_grad: bool,
    max_nodes: int,
    color_by_grad: bool,
    show_order: bool,
    cluster_params: bool,
    _grads: dict[Value, float] | None,
    _fields: _Fields | None,
    _words: _Words | None,
) -> Any:  # a graphviz.Digraph, its font not yet fitted to its words
    """:func:`draw_dot`, in the language in force."""
    _expect_value(root, "draw_dot")
    order = topological_order(root)
    _check_size(order, max_nodes)
    graphviz = _graphviz()
    forward = order[::-1]
    ids = {node: f"v{i}" for i, node in enumerate(forward)}
    names = node_names(root, order)
    steps = step_numbers(root, order)
    if _grads is None:
        grad_of = _grad_float
    else:

        def grad_of(v: Value) -> float:  # (named as _grad_float's: mypy compares them)
            return _grads.get(v, 0.0)

    record_fields: _Fields = _fields if _fields is not None else {}

    edge_styles: dict[_Edge, dict[str, str]] = {}
    flows: dict[_Edge, float | None] = {}
    scale: _LogScale | None = None
    if color_by_grad and show_grad:
        flows = _flows(order, grad_of)
        # The edge from an op to its output carries the output's own gradient.
        for node in order:
            if node.rule is not None:
                flows[("out", node)] = grad_of(node)
        magnitudes = [abs(g) for g in flows.values() if g is not None and g != 0.0 and _finite(g)]
        if magnitudes:
            scale = _LogScale(magnitudes)
        unbounded = any(g is not None and not _finite(g) for g in flows.values())
        if magnitudes or unbounded:  # before backward() every grad is 0: draw plain arrows
            edge_styles = {key: _edge_style(g, scale) for key, g in flows.items()}

    def fields(node: Value, name: str | None, record: str | None = None) -> list[str]:
        shown = [_escape_record(_shown_label(name)[0])] if name is not None else []
        shown.append(f"data {_number(node.data)}")
        if show_grad:
            shown.append(f"grad {_number(grad_of(node))}")
        if record is not None:
            kinds = (["name"] if name is not None else []) + ["data", "grad"][
                : len(shown) - (name is not None)
            ]
            record_fields.setdefault(record, []).extend((ids[node], kind) for kind in kinds)
        return shown

    def not_finite(node: Value) -> str | None:
        """What the box says about an inf or nan it shows (in the language in force), or None."""
        data, grad = node.data, grad_of(node)
        bad_data, bad_grad = not _finite(data), show_grad and not _finite(grad)
        if bad_data and bad_grad:
            text = _(
                "data is {data} and grad is {grad}: not a finite number (a float overflowed "
                "on the way here, or inf or nan was assigned)"
            )
        elif bad_data:
            text = _(
                "data is {data}: not a finite number (a float overflowed on the way here, "
                "or inf or nan was assigned)"
            )
        elif bad_grad:
            text = _(
                "grad is {grad}: not a finite number (a float overflowed on the way here, "
                "or inf or nan was assigned)"
            )
        else:
            return None
        return text.format(data=_number(data), grad=_number(grad))

    # Parameters: one record per layer, a row per parameter; arrows leave from the rows.
    tables, short = _parameter_tables(forward, root, not_finite) if cluster_params else ([], {})
    # A network's graph: each neuron's ops in a box of their own, drawn top to bottom.
    neuron_of = _neuron_ops(forward, tables, short)
    network = bool(neuron_of)
    if rankdir is None:
        rankdir = "TB" if network else "LR"
    horizontal = rankdir in ("LR", "RL")
    # Top to bottom, a network's tables are drawn as left to right (neuron under neuron,
    # row under row), the arrows leaving from the rows' ends.
    stacked_rows = network and not horizontal
    tail_of: dict[Value, str] = {}  # a parameter -> 'table:port:side'
    table_nodes: list[tuple[str, str]] = []  # (id, label)
    side = {"TB": "e", "BT": "w"}.get(rankdir) if stacked_rows else _EXIT_SIDE.get(rankdir)
    port_first = rankdir in ("RL", "BT")

    def row(node: Value, record: str) -> str:
        parts = fields(node, short[node], record)
        k = 0 if port_first else len(parts) - 1
        parts[k] = f"<{ids[node]}> {parts[k]}"
        return "{" + " | ".join(parts) + "}"

    def block(
        key: _Key, rows: dict[_Key, list[Value]], children: dict[_Key, list[_Key]], record: str
    ) -> str:
        title_field: list[tuple[str | None, str]] = [(None, "title")]

        def title_in_order() -> None:  # (the words of a record in the order of its fields)
            record_fields.setdefault(record, []).extend(title_field)
            if _words is not None:
                _words.add(record, functools.partial(_cluster_title, key))

        if not port_first:
            title_in_order()
        items = [row(node, record) for node in rows[key]]
        items += [
            "{" + block(inner, rows, children, record) + "}" for inner in children.get(key, ())
        ]
        if port_first:
            title_in_order()
        title, body = _escape_record(_cluster_title(key)), f"{{{' | '.join(items)}}}"
        # The titles sit on the side away from the arrows, which leave the rows unobstructed.
        return f"{body} | {title}" if port_first else f"{title} | {body}"

    for t, (key, rows, children) in enumerate(tables):
        table_id = f"t{t}"
        label = "{" + block(key, rows, children, table_id) + "}"
        # One more level of braces turns the table around: drawn as left to right.
        table_nodes.append((table_id, "{" + label + "}" if stacked_rows else label))
        stack = [key]
        while stack:
            k = stack.pop()
            for node in rows[k]:
                tail_of[node] = f"{table_id}:{ids[node]}" + (f":{side}" if side else "")
            stack.extend(children.get(k, ()))

    # The nodes and arrows dot will see, for the layout limits.
    dot_nodes = [tid for tid, _ in table_nodes]
    dot_edges: list[tuple[str, str]] = []
    for node in forward:
        if node not in tail_of:
            dot_nodes.append(ids[node])
        if node.rule is not None:
            op_id = ids[node] + "_op"
            dot_nodes.append(op_id)
            dot_edges += [(tail_of.get(p, ids[p]).split(":")[0], op_id) for p in node.parents]
            dot_edges.append((op_id, ids[node]))

    graph_attr = {"rankdir": rankdir, **_layout_limits(dot_nodes, dot_edges)}
    if network:
        graph_attr.update(ranksep="0.12", nodesep="0.05")
    legend: list[Callable[[], str]] = []  # its lines, each written in the language in force
    if scale is not None:
        legend.append(scale.legend)
    if any(not_finite(node) for node in forward):
        legend.append(functools.partial(_, _NOT_FINITE_LEGEND))
    if show_order:
        legend.append(functools.partial(_, _ORDER_LEGEND))
    if _words is not None:  # the page writes the legend, in the language it shows
        _words.legend = legend
    elif legend:
        graph_attr.update(
            label="\\n".join(line() for line in legend), fontname="Helvetica", fontsize="10"
        )
    dot = graphviz.Digraph(
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )

    for table_id, label in table_nodes:
        # A table's blocks stack across the direction of the arrows whatever the rankdir
        # (records turn with it), and the fields of each row along it.
        dot.node(
            table_id, graphviz.nohtml(label), shape="record", style="filled", fillcolor=_LEAF_FILL
        )

    clusters: dict[_Key, Any] = {}  # neuron key -> the subgraph holding its ops and their outputs
    if network:
        for i, key in enumerate(sorted(set(neuron_of.values()), key=_natural)):
            if _words is not None:
                _words.add(f"cluster_{i}", functools.partial(_cluster_path_title, key))
            clusters[key] = graphviz.Digraph(
                name=f"cluster_{i}",
                graph_attr={
                    "label": _cluster_path_title(key),
                    "style": "rounded",
                    "color": "#999999",
                    "fontname": "Helvetica",
                    "fontsize": "10",
                },
            )

    for node in forward:
        into = clusters[neuron_of[node]] if node in neuron_of else dot
        if node not in tail_of:
            parts = fields(node, names[node], ids[node])
            if network and show_grad:
                # Two lines: the name over data | grad (top to bottom), or the name
                # beside data over grad (left to right) -- narrower than one line.
                parts[-2:] = ["{" + " | ".join(parts[-2:]) + "}"]
            text = " | ".join(parts)
            # In a left-to-right graph a record's fields stack vertically unless braced.
            label = "{" + text + "}" if horizontal or network else text
            attrs = {"shape": "record"}
            problem = not_finite(node)
            if problem:
                attrs.update(style="filled", fillcolor=_NOT_FINITE_FILL)
            elif node is root:
                attrs.update(style="filled", fillcolor=_ROOT_FILL)
            elif node.rule is None:
                attrs.update(style="filled", fillcolor=_LEAF_FILL)
            tooltip = [_shown_label(names[node])[1]] if names[node] is not None else []
            tooltip = [t for t in tooltip + [problem] if t]
            if tooltip:
                # (the list holds no None: it has just been filtered)
                attrs["tooltip"] = graphviz.nohtml(_escape_attribute("\n".join(tooltip)))  # type: ignore[arg-type]
            into.node(ids[node], graphviz.nohtml(label), **attrs)
        op = node.rule
        if op is None:
            continue
        op_id = ids[node] + "_op"
        symbol = _op_symbol(op)
        if show_order:  # the step, in the diagram's language (as its legend)
            op_label = symbol + "\\n" + _("step {number}").format(number=steps[node])
        else:
            op_label = symbol
        # our own symbols: nothing to escape
        into.node(op_id, op_label, shape="ellipse", **(_SMALL_OP if network else {}))
        roles = _OPERAND_ROLES.get(op.name) if len(node.parents) == 2 else None
        for i, parent in enumerate(node.parents):
            attrs = dict(edge_styles.get((i, node), {}))
            edge_id = f"{ids[parent]}->{op_id}#{i}"
            if roles:
                # An edge label would double the space between ranks in all the graph.
                attrs["xlabel" if network else "label"] = _role(op.name, i)
                if _words is not None:
                    _words.add(edge_id, functools.partial(_role, op.name, i))
            if stacked_rows and parent in tail_of:
                # Tables sit at the top, beside the inputs, rather than widening a layer's row.
                attrs["constraint"] = "false"
            if _fields is not None:  # for the page: which Value each arrow leaves
                attrs["id"] = edge_id
            if _words is not None and "tooltip" in attrs:
                _words.tips[edge_id] = functools.partial(_flow_tip, flows[(i, node)])
            dot.edge(tail_of.get(parent, ids[parent]), op_id, **attrs)
        attrs = dict(edge_styles.get(("out", node), {}))
        if _fields is not None:
            attrs["id"] = f"{op_id}->{ids[node]}"
        if _words is not None and "tooltip" in attrs:
            _words.tips[f"{op_id}->{ids[node]}"] = functools.partial(
                _flow_tip, flows[("out", node)]
            )
        dot.edge(op_id, ids[node], **attrs)
    for cluster in clusters.values():
        dot.subgraph(cluster)
    return dot


_POSITIVE = "#1f77b4"  # draw_network: blue, a positive weight
_NEGATIVE = "#d62728"  # red, a negative one


def _layers_of(model: object) -> tuple[list[tuple[int, list[Neuron]]], str]:
    """``([(layer index, [neurons])], the parameter-name prefix of a neuron)`` of an MLP,
    a Layer or a Neuron; anything else is a TypeError saying what to pass."""
    from . import nn

    if isinstance(model, nn.MLP):
        return [
            (i, layer.neurons) for i, layer in enumerate(model.layers)
        ], "layers.{l}.neurons.{n}."
    if isinstance(model, nn.Layer):
        return [(0, model.neurons)], "neurons.{n}."
    if isinstance(model, nn.Neuron):
        return [(0, [model])], ""
    kind = type(model)
    if isinstance(model, Value):
        text = _(
            "draw_network takes an MLP, a Layer or a Neuron from tinygrad_edu.nn, got {kind} "
            "({model}); for the computation graph of a Value use draw_dot(value)"
        )
    elif isinstance(model, (list, tuple)):
        text = _(
            "draw_network takes an MLP, a Layer or a Neuron from tinygrad_edu.nn, got {kind} "
            "({model}); pass the model itself, not a list (a model's outputs are drawn by "
            "draw_dot)"
        )
    elif isinstance(model, type):
        text = _(
            "draw_network takes an MLP, a Layer or a Neuron from tinygrad_edu.nn, got {kind} "
            "({model}); pass a built model, e.g. {name}(2, [3, 1]), not the class"
        )
    else:
        text = _(
            "draw_network takes an MLP, a Layer or a Neuron from tinygrad_edu.nn, got {kind} "
            "({model})"
        )
    raise TypeError(
        text.format(
            kind=f"{kind.__module__}.{kind.__qualname__}",
            model=f"{model!r:.60}",
            name=getattr(model, "__name__", ""),
        )
    )


#: draw_network writes each weight on its arrow up to this many weights; a larger
#: network's numbers are in the arrows' tooltips (written on them they overlap).
LABELLED_WEIGHTS = 40


def draw_network(
    model: MLP | Layer | Neuron,
    show_grad: bool | None = None,
    weight_labels: bool | None = None,
    lang: str | None = None,
    _grads: dict[Value, float] | None = None,
    _words: _Words | None = None,
) -> Any:  # a graphviz.Digraph
    r"""The classic picture of a network as a :class:`graphviz.Digraph`: a circle
    per neuron, an arrow per weight, layer by layer from left to right.

    * ``model`` is an :class:`~tinygrad_edu.nn.MLP`, a
      :class:`~tinygrad_edu.nn.Layer` or a :class:`~tinygrad_edu.nn.Neuron`
      (anything else is a TypeError saying what to pass);
    * the inputs are circles ``x0``, ``x1`` ...; each layer is a box titled
      input, hidden or output layer, with its name among the parameters
      (``layers.0``) and its activation;
    * each neuron shows its activation and its bias ``b``; each arrow is
      written with its weight (``w=0.42``), coloured blue for a positive
      weight and red for a negative one, thicker the larger ``|w|`` (the
      legend gives the scale), so no number is told by colour alone;
    * ``weight_labels``: write each weight on its arrow (None: when the
      network has at most :data:`LABELLED_WEIGHTS` weights; beyond that the
      numbers are in each arrow's tooltip, as written on the arrows they
      would overlap);
    * ``show_grad``: the gradients (``grad=-0.013`` under each weight,
      ``b.grad`` in each neuron); None (the default) shows them once a
      backward pass has given some parameter a gradient;
    * every element has a fixed id, kept as the ``id`` of its SVG element:
      ``x0`` (input 0), ``L1N0`` (neuron 0 of ``layers.1``) and
      ``w_L1N0_i2`` (its weight ``layers.1.neurons.0.w.2``, from its input 2),
      so a web page can find them; a tooltip gives each parameter's full name;
    * its words (the layers' titles, the legend, the tooltips) and its error
      messages are in ``lang`` ('en', 'ja'; None: the language in force, see
      :mod:`tinygrad_edu.i18n`); ValueError for a language without a translation.

    >>> from tinygrad_edu.nn import MLP
    >>> net = MLP(2, [3, 1], seed=0)
    >>> src = draw_network(net).source
    >>> src.count(" -> ")                   # an arrow per weight: 2 x 3 + 3 x 1
    9
    >>> print(next(line for line in src.splitlines() if "L1N0 [" in line).strip())
    L1N0 [label="L1N0\nsigmoid\nb=-0.4363" id=L1N0 shape=circle tooltip="layers.1.neurons.0: sigmoid, b = -0.4363"]
    >>> print(next(line for line in src.splitlines() if "L0N2 -> L1N0" in line).strip())
    L0N2 -> L1N0 [label="w=0.009374" color="#1f77b4" fontcolor="#1f77b4" id=w_L1N0_i2 penwidth=0.54 tooltip="layers.1.neurons.0.w.2 = 0.009374"]
    >>> from tinygrad_edu.losses import sum_of_squares
    >>> sum_of_squares(net([1.0, 0.0]), [1.0]).backward()
    >>> 'label="w=0.009374\\ngrad=-0.08031"' in draw_network(net).source
    True
    """
    with language(lang):
        return _fit_font(_draw_network(model, show_grad, weight_labels, _grads, _words))


def _network_legend(weight_labels: bool, show_grad: bool, largest: float) -> str:
    """draw_network's legend, in the language in force."""
    if weight_labels and show_grad:
        legend = _(
            "arrows: one per weight, blue positive, red negative, width |w| (the thickest "
            "|w| = {largest}); w=... is the weight, grad=... its gradient; in each neuron its "
            "activation and bias b (and b.grad)"
        )
    elif weight_labels:
        legend = _(
            "arrows: one per weight, blue positive, red negative, width |w| (the thickest "
            "|w| = {largest}); w=... is the weight; in each neuron its activation and bias b"
        )
    elif show_grad:
        legend = _(
            "arrows: one per weight, blue positive, red negative, width |w| (the thickest "
            "|w| = {largest}); hover over an arrow for its weight and gradient; in each neuron "
            "its activation and bias b (and b.grad)"
        )
    else:
        legend = _(
            "arrows: one per weight, blue positive, red negative, width |w| (the thickest "
            "|w| = {largest}); hover over an arrow for its weight; in each neuron its "
            "activation and bias b"
        )
    return legend.format(largest=_number(largest))


def _input_layer_title() -> str:
    return _("input layer")


def _layer_title(k: int, count: int, where: str, activation: str) -> str:
    """The title of draw_network's ``k``-th layer of ``count``, in the language in force:
    'hidden layer 1 (layers.0, sigmoid)'."""
    kind = _("output layer") if k == count - 1 else _("hidden layer {k}").format(k=k + 1)
    return f"{kind} ({where}{activation})"


def _draw_network(
    model: MLP | Layer | Neuron,
    show_grad: bool | None,
    weight_labels: bool | None,
    _grads: dict[Value, float] | None,
    _words: _Words | None,
) -> Any:  # a graphviz.Digraph, its font not yet fitted to its words
    """:func:`draw_network`, in the language in force."""
    layers, prefix = _layers_of(model)
    graphviz = _graphviz()
    neurons = [neuron for _, layer in layers for neuron in layer]
    if weight_labels is None:
        weight_labels = sum(len(neuron.w) for neuron in neurons) <= LABELLED_WEIGHTS
    grad_of = _grad_float if _grads is None else (lambda v: _grads.get(v, 0.0))  # (the page's)
    if show_grad is None:
        show_grad = any(grad_of(p) != 0.0 for neuron in neurons for p in neuron.parameters())
    largest = max(
        (abs(w.data) for neuron in neurons for w in neuron.w if _finite(w.data)), default=0.0
    )

    legend = functools.partial(_network_legend, weight_labels, show_grad, largest)
    graph_attr = {
        "rankdir": "LR",
        "ranksep": "1.2",
        "nodesep": "0.25",
        "fontname": "Helvetica",
        "fontsize": "10",
    }
    if _words is not None:  # the page writes the legend, in the language it shows
        _words.legend = [legend]
    else:
        graph_attr["label"] = legend()
    dot = graphviz.Digraph(
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    box = {"style": "rounded", "color": "#999999"}
    nin = layers[0][1][0].nin
    if _words is not None:
        _words.add("cluster_inputs", _input_layer_title)
    with dot.subgraph(
        name="cluster_inputs", graph_attr={"label": _input_layer_title(), **box}
    ) as inputs:
        for i in range(nin):
            inputs.node(
                f"x{i}",
                f"x{i}",
                shape="circle",
                style="filled",
                fillcolor=_LEAF_FILL,
                id=f"x{i}",
                tooltip=_("input {i}").format(i=i),
            )
    for k, (l, layer) in enumerate(layers):
        where = f"layers.{l}, " if prefix.startswith("layers") else ""
        title = functools.partial(_layer_title, k, len(layers), where, layer[0].activation)
        if _words is not None:
            _words.add(f"cluster_L{l}", title)
        with dot.subgraph(name=f"cluster_L{l}", graph_attr={"label": title(), **box}) as sub:
            for n, neuron in enumerate(layer):
                b = neuron.b
                lines = [f"L{l}N{n}", neuron.activation, f"b={_number(b.data)}"]
                who = prefix.format(l=l, n=n)[:-1] or _("neuron")
                tip = f"{who}: {neuron.activation}, b = {_number(b.data)}"
                if show_grad:
                    lines.append(f"b.grad={_number(grad_of(b))}")
                    tip += f", b.grad = {_number(grad_of(b))}"
                sub.node(
                    f"L{l}N{n}", "\\n".join(lines), shape="circle", id=f"L{l}N{n}", tooltip=tip
                )
    sources = [f"x{i}" for i in range(nin)]
    for l, neurons in layers:
        for n, neuron in enumerate(neurons):
            for i, w in enumerate(neuron.w):
                text = f"w={_number(w.data)}"
                tip = f"{prefix.format(l=l, n=n)}w.{i} = {_number(w.data)}"
                if show_grad:
                    text += f"\\ngrad={_number(grad_of(w))}"
                    tip += f", grad = {_number(grad_of(w))}"
                label = {"label": text} if weight_labels else {}
                dot.edge(
                    sources[i],
                    f"L{l}N{n}",
                    id=f"w_L{l}N{n}_i{i}",
                    tooltip=tip,
                    **label,
                    **_weight_style(w.data, largest),
                )
        sources = [f"L{l}N{n}" for n in range(len(neurons))]
    return dot


def _weight_style(w: float | Value, largest: float) -> dict[str, str]:
    """Colour (blue positive, red negative, grey dashed zero, purple inf or nan) and width
    (from |w|) of a weight's arrow; its label in the same colour, to tell which is whose."""
    if isinstance(w, Value):
        w = w.data
    if not _finite(w):
        return {"color": _NOT_FINITE, "fontcolor": _NOT_FINITE, "penwidth": "4.00"}
    if w == 0.0:
        return {"color": _NO_FLOW, "style": "dashed", "penwidth": "1.00"}
    colour = _POSITIVE if w > 0 else _NEGATIVE
    return {"color": colour, "fontcolor": colour, "penwidth": f"{0.5 + 3.5 * abs(w) / largest:.2f}"}


def _check_timeout(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(
            _("timeout must be a number of seconds or None, got {timeout}").format(
                timeout=repr(timeout)
            )
        )
    if not timeout > 0:
        raise ValueError(
            _("timeout must be a number of seconds > 0 (or None: no limit), got {timeout}").format(
                timeout=repr(timeout)
            )
        )
    return float(timeout)


def render(
    root: Value,
    path: str | os.PathLike[str],
    timeout: float | None = DEFAULT_TIMEOUT,
    lang: str | None = None,
    **draw_kwargs: Any,
) -> str:
    """Draw ``root``'s graph to ``path``: .svg, .png, .pdf or .html by its extension.

    The DOT source is written first, next to ``path`` with the extension
    ``.dot`` (``.dot`` as ``path`` writes only that, no Graphviz needed).
    ``.html`` writes the interactive page of :func:`page` (and no DOT file),
    opening in ``lang`` ('en', 'ja'; None: the browser's language; ValueError
    for a language without a translation).  The other formats are drawn in
    ``lang`` (None: the language in force), as are the errors.
    Keyword arguments go to :func:`draw_dot`.  Returns ``path``.

    ``dot`` is stopped after ``timeout`` seconds (default
    :data:`DEFAULT_TIMEOUT`; ``None`` for no limit), raising
    :class:`RenderTimeout`, which names the graph's size and what to do.
    Raises :class:`GraphvizNotInstalled` (with install instructions) when
    Graphviz's ``dot`` program is missing or cannot run, ``OSError`` when a
    file cannot be written, ``subprocess.CalledProcessError`` (dot's messages
    in its ``.stderr``) when ``dot`` fails, and KeyboardInterrupt when ``dot``
    is interrupted (Ctrl-C).
    """
    with language(lang):  # (ValueError for a language without a catalog)
        path = os.fspath(path)
        base, ext = os.path.splitext(path)
        fmt = ext[1:].lower()
        if fmt not in FORMATS:
            raise ValueError(
                _(
                    "cannot tell the format from {path}: the file name must end in one of {formats}"
                ).format(path=repr(path), formats=", ".join("." + f for f in FORMATS))
            )
        timeout = _check_timeout(timeout)
        _expect_value(root, "render")
        if fmt == "html":
            return page(root, timeout, lang=lang, **draw_kwargs).save(path)
        dot = draw_dot(root, **draw_kwargs)
        source_path = base + ".dot"
        with open(source_path, "w", encoding="utf-8") as f:
            f.write(dot.source)
        if fmt == "dot":
            return path
        image = _run_dot(dot.source, fmt, timeout, root, path, source_path)
        with open(path, "wb") as out:
            out.write(image)
        return path


def page(
    root: Value,
    timeout: float | None = DEFAULT_TIMEOUT,
    digits: int = 4,
    model: MLP | Layer | Neuron | None = None,
    lang: str | None = None,
    **draw_kwargs: Any,
) -> Page:
    """The interactive page of ``root``'s graph: a :class:`~tinygrad_edu.page.Page`
    with ``.html``, ``.save(path)``, and a display of its own in Jupyter.

    The forward pass op by op, then the backward pass one chain-rule step at
    a time, with the lines :func:`~tinygrad_edu.explain.explain` prints and
    the code the jit writes (see :mod:`tinygrad_edu.page`).  The gradients
    shown are those of one fresh ``root.backward()``; no ``.grad`` changes.
    Needs Graphviz's ``dot`` (:class:`GraphvizNotInstalled` says how to get
    it); ``timeout`` and the keyword arguments are :func:`render`'s.

    The graph of an :class:`~tinygrad_edu.nn.MLP`'s output (parameters named
    ``layers.L.neurons.N.w.i`` and ``...b``) also gets the network's picture
    (:func:`draw_network`), its gradients updated with the steps; pass
    ``model`` to draw that model instead of the one read from the names.

    The page carries its words in every language of :mod:`tinygrad_edu.i18n`
    (the narration, the descriptions of the nodes, its labels and buttons) and
    a menu to switch between them.  It opens in ``lang`` ('en', 'ja') or, with
    None, in the browser's language (English when the browser asks for none
    there is); ``.data``, ``.title`` and the pictures as Graphviz lays them out
    (once) are in ``lang`` (None: the language in force).  The words drawn in
    the pictures (the boxes' titles, the operands' roles) are carried in every
    language too, and the menu rewrites them in place; the legends are text
    under the pictures, rather than drawn in them, so that they follow the menu
    whatever their length.  ValueError for a language without a translation.
    """
    from .page import Page, _page_data, model_of_graph

    if lang is not None:
        _language_code(lang, "lang")  # ValueError for a language without a catalog, before any work
    timeout = _check_timeout(timeout)
    for private in ("_grads", "_fields", "_words"):
        if private in draw_kwargs:
            raise TypeError(
                _("page() got an unexpected keyword argument {name}").format(name=repr(private))
            )
    _expect_value(root, "page")
    _check_size(
        topological_order(root), draw_kwargs.get("max_nodes", 500)
    )  # before the steps' work
    # The words of the pictures, each a function writing it in the language in force:
    # the legends, and the words drawn (their SVG texts tagged data-word="i" for words[i]).
    words: list[Callable[[], str]] = []
    graph_words, network_words = _Words(), _Words()
    with language(lang):  # the data's words and the pictures' (Graphviz lays them out once)
        data, grads, texts = _page_data(root, digits)
        network = None
        model = model_of_graph(root) if model is None else model
        if model is not None:
            ids = {node: f"v{i}" for i, node in enumerate(topological_order(root)[::-1])}
            network = _tagged_network_svg(model, grads, ids, timeout, root, network_words, words)
        svg = _tagged_svg(root, grads, timeout, draw_kwargs, graph_words, words)
    for code, text in texts.items():
        with language(code):
            text["pictures"] = {
                "legend": [line() for line in graph_words.legend],
                "network_legend": [line() for line in network_words.legend]
                if network is not None
                else [],
                "words": [word() for word in words],
            }
    return Page(data, svg, network, texts, lang)


def _tagged_network_svg(
    model: MLP | Layer | Neuron,
    grads: dict[Value, float],
    ids: dict[Value, str],
    timeout: float | None,
    root: Value,
    network_words: _Words,
    words: list[Callable[[], str]],
) -> str:
    """draw_network's picture for the page, each gradient written on it tagged with
    the parameter it shows (``data-v``, ``data-field``, ``data-prefix``), as in
    :func:`_tagged_svg`, so that the steps update it; its legend left out (in
    ``network_words``), its words tagged (``data-word``, appended to ``words``)."""
    layers, _prefix = _layers_of(model)
    # SVG id -> (the text's prefix, the parameter's page id)
    where: dict[str, tuple[str, str | None]] = {}
    for l, neurons in layers:
        for n, neuron in enumerate(neurons):
            where[f"L{l}N{n}"] = ("b.grad=", ids.get(neuron.b))
            for i, w in enumerate(neuron.w):
                where[f"w_L{l}N{n}_i{i}"] = ("grad=", ids.get(w))
    dot = draw_network(model, show_grad=True, _grads=grads, _words=network_words)
    tree, tags = _svg_tree(_run_dot(dot.source, "svg", timeout, root, _THE_NETWORK_PICTURE))
    for g in tree.iter(tags["g"]):
        title = g.find(tags["title"])
        if g.get("class") == "cluster" and title is not None:
            _tag_words(g, network_words.groups.get(title.text or ""), words, tags)
        # (a group without an id finds nothing; vid None: the prefix is not read)
        prefix, vid = where.get(g.get("id"), (None, None))  # type: ignore[arg-type]
        if vid is None:
            continue
        for t in g.iter(tags["text"]):
            if (t.text or "").startswith(prefix):
                _tag(t, vid, "grad", prefix)
    from .page import NETWORK_LABEL

    tree.set("role", "img")
    tree.set("aria-label", NETWORK_LABEL)
    tree.set("data-i18n-attr", "aria-label")
    return _svg_text(tree)


def _svg_tree(svg_bytes: bytes) -> tuple[Element, dict[str, str]]:
    """(the parsed SVG, {'g': its group tag, 'title': ..., 'text': ..., 'a': ...})."""
    import xml.etree.ElementTree as ET

    svg_ns = "http://www.w3.org/2000/svg"
    ET.register_namespace("", svg_ns)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.fromstring(svg_bytes.decode("utf-8")), {
        k: f"{{{svg_ns}}}{k}" for k in ("g", "title", "text", "a")
    }


def _svg_text(tree: Element) -> str:
    import xml.etree.ElementTree as ET

    return ET.tostring(tree, encoding="unicode")


def _tag_words(
    group: Element,
    found: list[Callable[[], str]] | None,
    words: list[Callable[[], str]],
    tags: dict[str, str],
) -> None:
    """Tag the texts of an SVG ``group`` that show words (not numbers) with
    ``data-word``, their index in ``words``, where ``found`` (its words, in
    order) are appended; nothing when their numbers differ."""
    texts = [t for t in group.iter(tags["text"]) if t.get("data-v") is None]
    if not found or len(texts) != len(found):
        return
    for t, word in zip(texts, found):
        t.set("data-word", str(len(words)))
        words.append(word)


def _tag(text_element: Element, vid: str, field: str, prefix: str) -> None:
    """Mark an SVG text as showing ``field`` of the page's node ``vid``, written after ``prefix``."""
    text_element.set("data-v", vid)
    text_element.set("data-field", field)
    text_element.set("data-prefix", prefix)


#: A Value shown in Jupyter draws its graph up to this many nodes (its text beyond).
NOTEBOOK_NODES = 60


def _notebook_bundle(root: Any, include: Any = None, exclude: Any = None) -> Any:
    """What Jupyter shows for a Value (see ``Value._repr_mimebundle_``)."""
    text = {"text/plain": repr(root)}
    if include is not None:
        if not {"text/html", "image/svg+xml"} & set(include):
            return text
    elif "ipykernel" not in sys.modules:  # a terminal IPython shows text only: no drawing for it
        return text
    if root.is_leaf:  # a leaf has no graph to step through: its text says it all
        return text
    seen, stack = {root}, [root]
    while stack:  # counts at most NOTEBOOK_NODES + 1 nodes, however large the graph
        for p in stack.pop().parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
                if len(seen) > NOTEBOOK_NODES:
                    return text
    try:
        bundle = page(root, timeout=10)._repr_mimebundle_(include, exclude)
    except Exception:  # noqa: BLE001 -- no Graphviz, an overflow...: a display shows the text
        return text
    bundle["text/plain"] = text["text/plain"]
    return bundle


def _tagged_svg(
    root: Value,
    grads: dict[Value, float],
    timeout: float | None,
    draw_kwargs: dict[str, Any],
    graph_words: _Words,
    words: list[Callable[[], str]],
) -> str:
    """draw_dot's picture as SVG text for the page: each text field tagged with
    the Value and field it shows (``data-v``, ``data-field``, ``data-prefix``),
    each arrow with its ends (``data-from``, ``data-to``), each word drawn
    (a title, an operand's role) with ``data-word``, its index in ``words``;
    the legend left out (in ``graph_words``)."""
    fields: _Fields = {}
    dot = draw_dot(root, _grads=grads, _fields=fields, _words=graph_words, **draw_kwargs)
    tree, tags = _svg_tree(_run_dot(dot.source, "svg", timeout, root, _THE_PAGE))
    for g in tree.iter(tags["g"]):
        kind = g.get("class")
        title = g.find(tags["title"])
        if title is None or kind not in ("node", "edge", "cluster"):
            continue
        if kind == "cluster":  # a neuron's box: its title
            _tag_words(g, graph_words.groups.get(title.text or ""), words, tags)
            continue
        if kind == "edge":  # its id, set by draw_dot: 'v0->v2_op#0' (a title can lack the port)
            edge_id = g.get("id") or ""
            tail, _arrow, head = edge_id.partition("->")
            g.set("data-from", tail)
            g.set("data-to", head.split("#")[0])
            _tag_words(g, graph_words.groups.get(edge_id), words, tags)  # an operand's role
            tip = graph_words.tips.get(edge_id)
            link = g.find(f".//{tags['a']}")
            if tip is not None and link is not None:  # its tooltip, in every language
                link.set("data-tip", str(len(words)))
                words.append(tip)
            continue
        name = title.text or ""
        g.set("data-node", name)
        texts = list(g.iter(tags["text"]))
        entries = fields.get(name)
        if entries is not None and len(entries) == len(texts):
            titles = iter(graph_words.groups.get(name, ()))  # a table's titles, in order
            for t, (vid, field) in zip(texts, entries):
                if vid is not None:  # (a name is tagged, never rewritten)
                    _tag(t, vid, field, "" if field == "name" else field + " ")
                elif field == "title":
                    word = next(titles, None)
                    if word is not None:
                        t.set("data-word", str(len(words)))
                        words.append(word)
    from .page import GRAPH_LABEL

    tree.set("role", "img")
    tree.set("aria-label", GRAPH_LABEL)
    tree.set("data-i18n-attr", "aria-label")
    return _svg_text(tree)


def _run_dot(
    source: str,
    fmt: str,
    timeout: float | None,
    root: Value | None,
    path: str,
    source_path: str | None = None,
) -> bytes:
    """Graphviz's ``dot -T<fmt>`` on ``source``: the image as bytes.

    Raises :class:`GraphvizNotInstalled`, :class:`RenderTimeout`,
    ``subprocess.CalledProcessError`` or KeyboardInterrupt as :func:`render`
    says; ``path`` and ``source_path`` (where the DOT source was written, if
    it was) go into their messages.  ``path`` is the file drawn, or the name of
    a picture not written to one (:data:`_THE_PAGE`, :data:`_THE_NETWORK_PICTURE`,
    in English: translated here).
    """
    if path in (_THE_PAGE, _THE_NETWORK_PICTURE):
        path = _(path)
    written = (
        "\n"
        + _(
            "The DOT source was written to {source}; once Graphviz is installed: "
            "dot -T{fmt} {source} -o {path}"
        ).format(source=source_path, fmt=fmt, path=path)
        if source_path
        else ""
    )
    command = ["dot", f"-T{fmt}"]
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except FileNotFoundError:
        raise GraphvizNotInstalled(_(_INSTALL_HELP) + written) from None
    except subprocess.TimeoutExpired:  # subprocess.run has already stopped dot
        size = _size(root) if root is not None else (None, None)
        # (the timeout expired: there was one)
        raise RenderTimeout(path, source_path, timeout, *size) from None  # type: ignore[arg-type]
    except OSError as err:  # found on PATH but cannot run: not executable, a broken install
        text = _(
            "Graphviz's 'dot' program was found but could not be run ({why}); "
            "reinstall Graphviz (https://graphviz.org/download/)."
        ).format(why=err.strerror or err)
        if source_path:
            text += " " + _("The DOT source was written to {source}.").format(source=source_path)
        raise GraphvizNotInstalled(text) from None
    if done.returncode == -signal.SIGINT:  # Ctrl-C reached dot before Python saw it
        raise KeyboardInterrupt
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return done.stdout


def _size(root: Value) -> tuple[int, int, tuple[str, int] | None]:
    """(Values, arrows, (name, uses) of the Value feeding the most ops or None)."""
    order = topological_order(root)
    uses: dict[Value, int] = {}
    for node in order:
        for p in node.parents:
            uses[p] = uses.get(p, 0) + 1
    arrows = sum(uses.values()) + sum(1 for node in order if node.rule is not None)
    busiest = None
    if uses:
        node, count = max(uses.items(), key=lambda item: item[1])
        if count >= 10:
            name = node_names(root, order)[node]
            busiest = (_shown_label(name)[0] if name is not None else _number(node.data), count)
    return len(order), arrows, busiest
