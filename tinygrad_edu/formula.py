"""A Value printed back as the formula that computed it.

>>> from tinygrad_edu import Value
>>> x1, x2 = Value(2.0, label='x1'), Value(0.0, label='x2')
>>> w1, w2 = Value(-3.0, label='w1'), Value(1.0, label='w2')
>>> b = Value(6.8813735870195432, label='b')
>>> o = (x1*w1 + x2*w2 + b).tanh()
>>> formula(o)
'tanh(x1*w1 + x2*w2 + b)'
>>> formula((x1 - w1) * -x2 / 2 + x1**2)
'(x1 - w1)*(-x2)/2 + x1**2'

Leaves print as their label, or as their number when they have none.  Nodes
computed by ops are written out through their parents (labels on intermediate
nodes are ignored unless ``stop_at_labels=True``).  Parentheses appear only
where precedence needs them, as in Python: ``**`` binds tighter than unary
minus, which binds tighter than ``* /``, which bind tighter than ``+ -``.

The text is written left to right and stops after ``max_length`` characters
with '…', so a graph of a million ops (or one whose shared subexpressions
would unfold into an enormous tree) prints at once, without recursion.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, TypeGuard

from .i18n import gettext as _

if TYPE_CHECKING:
    from .engine import Value
    from .ops import Op

__all__ = ["formula", "format_number", "diagram_number"]

# This module reads a graph only through each node's public ``rule`` (its Op, or
# None for a leaf), ``parents``, ``label`` and ``data``, and imports nothing from
# the engine: the engine's ``Value.formula()`` uses it, so it sits below.


def _is_value(obj: object) -> TypeGuard[Value]:
    return hasattr(type(obj), "rule") and hasattr(type(obj), "parents")


#: Precedence of each infix symbol (higher binds tighter); atoms are 5.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_UNARY_MINUS = 3
_ATOM = 5


def _expect_value(obj: object, caller: str) -> Value:
    """TypeError unless ``obj`` is a Value, saying what was given and what to do.

    ``caller`` names the function in the message (``'draw_dot'``).  A list is
    what an MLP returns, even for one output; a plain number has no graph.
    """
    if _is_value(obj):
        return obj
    if isinstance(obj, (list, tuple)):
        kind = type(obj).__name__
        if not obj:
            message = _("{caller}() needs one Value, got an empty {kind}")
        elif not all(_is_value(v) for v in obj):
            message = _("{caller}() needs one Value, got a {kind}")
        elif len(obj) == 1:
            message = _(
                "{caller}() needs one Value, got a {kind} holding one Value: take "
                "it out, e.g. {caller}(model(x)[0]) (an MLP returns a {kind} even "
                "for one output)"
            )
        else:
            message = _(
                "{caller}() needs one Value, got a {kind} of {count} Values: take one, "
                "e.g. out[0], or combine them into one Value first (a loss such as a "
                "sum of squares)"
            )
        raise TypeError(message.format(caller=caller, kind=kind, count=len(obj)))
    if isinstance(obj, numbers.Number):
        raise TypeError(
            _(
                "{caller}() needs a Value, got the number {number} (a plain number has "
                "no graph): compute it from Values, e.g. x = Value({number}, label='x'); "
                "{caller}(x * x)"
            ).format(caller=caller, number=repr(obj))
        )
    if obj is None:
        raise TypeError(_("{caller}() needs a Value, got None").format(caller=caller))
    raise TypeError(
        _("{caller}() needs a Value, got a {type} ({value})").format(
            caller=caller, type=type(obj).__name__, value=f"{obj!r:.40}"
        )
    )


def format_number(x: float, digits: int = 6) -> str:
    """A float as short text: ``2`` for 2.0, else ``digits`` significant digits.

    >>> format_number(2.0), format_number(-0.5), format_number(6.8813735870195432)
    ('2', '-0.5', '6.88137')
    """
    x = float(x)
    if abs(x) < 1e15 and x == int(x):  # (inf and nan are not: int() would refuse them)
        return str(int(x))
    return f"{x:.{digits}g}"


def diagram_number(x: float) -> str:
    """A number as the diagrams and the page write it: four significant digits,
    and a zero as 0 (never -0).

    >>> diagram_number(2.0), diagram_number(-0.0), diagram_number(0.000123456), diagram_number(float('inf'))
    ('2', '0', '0.0001235', 'inf')
    """
    return f"{float(x) + 0.0:.4g}"  # -0.0 + 0.0 is 0.0


def _precedence(node: Value, atoms: dict[Value, str]) -> int:
    """How tightly the text of ``node`` binds, for deciding on parentheses."""
    if node in atoms or node.rule is None:
        text = atoms.get(node)
        if text is None:
            text = node.label or format_number(node.data)
        return _UNARY_MINUS if text.startswith("-") else _ATOM
    op = node.rule
    if op.name == "neg":
        return _UNARY_MINUS
    if op.infix is not None:
        return _PRECEDENCE[op.infix]
    return _ATOM


def _parts(node: Value, atoms: dict[Value, str]) -> list[str | Value]:
    """The pieces of node's text, left to right: strings, and parent nodes
    (each wrapped in '(' ')' where precedence needs it)."""
    op: Op = node.rule  # type: ignore[assignment]  # _render passes op nodes only, never a leaf
    parents = node.parents
    a = parents[0]
    b = parents[1] if len(parents) == 2 else None
    if op.name == "neg":
        # -(-x) rather than --x; -x**2 needs none (it means -(x**2), as in Python).
        return ["-", *_wrapped(a, atoms, _precedence(a, atoms) <= _UNARY_MINUS)]
    if op.infix is None:
        inner = [a] if b is None else [a, ", ", b]
        return [f"{op.name}(", *inner, ")"]
    p = _PRECEDENCE[op.infix]
    symbol = op.infix if p >= 2 else f" {op.infix} "
    pa = _precedence(a, atoms)
    if op.infix == "**":
        left = _wrapped(a, atoms, pa <= p)  # (x**y)**z, (-x)**2, (a + b)**2
        if b is None:  # x ** k with a plain-number exponent
            k = format_number(op.param)  # type: ignore[arg-type]  # a power with one parent has its param
            return [*left, symbol, f"({k})" if k.startswith("-") else k]
        return [*left, symbol, *_wrapped(b, atoms, _precedence(b, atoms) < p)]
    # (a binary infix op has two parents: b is a Value here)
    pb = _precedence(b, atoms)  # type: ignore[arg-type]
    # The right operand needs parentheses below its operator's precedence, at equal
    # precedence after '-' and '/' (a - (b + c)), and for a leading minus (a*(-b)).
    right_parens = pb < p or pb == _UNARY_MINUS or (pb == p and op.infix in "-/")
    return [*_wrapped(a, atoms, pa < p), symbol, *_wrapped(b, atoms, right_parens)]  # type: ignore[arg-type]


def _wrapped(node: Value, atoms: dict[Value, str], parens: bool) -> list[str | Value]:
    return ["(", node, ")"] if parens else [node]


def _render(root: Value, atoms: dict[Value, str], max_length: int | None) -> str:
    """Write root's formula left to right with an explicit stack; ``atoms`` maps
    nodes to the text that stands for them (written as is, not expanded)."""
    out: list[str] = []
    length = 0
    stack: list[str | Value] = [root]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            length += len(item)
            if max_length is not None and length > max_length:
                return "".join(out)[: max_length - 1] + "…"
            continue
        node: Value = item  # type: ignore[assignment]  # not a str: a node (`type() is` narrows one branch only)
        if node is not root and node in atoms:
            stack.append(atoms[node])
        elif node.rule is None:
            stack.append(node.label or format_number(node.data))
        else:
            stack.extend(reversed(_parts(node, atoms)))
    return "".join(out)


def formula(v: Any, max_length: int | None = 200, stop_at_labels: bool = False) -> str:
    """The expression that computed ``v``, as text: ``'tanh(x1*w1 + x2*w2 + b)'``.

    ``max_length`` caps the text (longer formulas end in '…'; ``None`` for no
    cap, which can be very long for big graphs).  With ``stop_at_labels=True``
    a labelled intermediate node prints as its label instead of its formula.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0, label='x')
    >>> n = (x * 2).exp(); n.label = 'n'
    >>> formula(n + 1), formula(n + 1, stop_at_labels=True)
    ('exp(x*2) + 1', 'n + 1')
    >>> y = x
    >>> for _ in range(1000): y = y.sin()
    >>> formula(y, max_length=20)
    'sin(sin(sin(sin(sin…'

    Anything but a Value (a list of Values, a plain number) is a TypeError
    that says what to pass instead.
    """
    _expect_value(v, "formula")
    atoms: dict[Value, str] = {}
    if stop_at_labels:
        seen, stack = {v}, [v]
        while stack:  # every node once, without recursion
            node = stack.pop()
            if node.label and node is not v:
                atoms[node] = node.label
                continue  # stands for its own subgraph
            for p in node.parents:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
    return _render(v, atoms, max_length)
