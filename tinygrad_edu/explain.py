"""The backward pass, step by step, in words and numbers.

``explain(root)`` lists the chain-rule steps in the order ``root.backward()``
runs them: for each node, from the output back to the inputs, every input's
gradient grows by *upstream gradient x local derivative*:

>>> from tinygrad_edu import Value
>>> a, b = Value(2.0, label='a'), Value(-3.0, label='b')
>>> c = a * b; c.label = 'c'
>>> explain(c)
backward pass of c = a*b
each step: input.grad += upstream gradient * local derivative
<BLANKLINE>
c.grad = 1.0  (the output's gradient with respect to itself)
step 1: c = a*b
  a.grad += c.grad * b.data   (1.0 * (-3.0)) = -3.0
  b.grad += c.grad * a.data   (1.0 * 2.0) = 2.0
<BLANKLINE>
gradients: a.grad = -3.0, b.grad = 2.0

Both sides of each line come from the engine's own derivative rules, the
same code that ``backward()`` runs (:mod:`tinygrad_edu.ops`): each op's
``vjp(m, g, out, *inputs)`` is called once with symbols that print themselves
(``o.grad``, ``o.data`` ...), once with the numbers as text, and once with
floats -- so the explanation cannot drift from the engine: change a rule in
the table and the explanation changes with it.  :func:`rule_text` shows a
rule on its own:

>>> from tinygrad_edu.ops import OPS
>>> rule_text(OPS["sigmoid"])
('g * out * (1.0 - out)',)

``explain`` works on its own copy of the gradients: it never changes the
``.grad`` of any node in your graph, and it shows a fresh pass (every
gradient starting from 0, the output's at 1.0), whatever ``backward()`` calls
came before.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ._roles import is_neuron, network_roles
from .formula import _render
from .graph import (
    chain_rule_steps,
    expect_value,
    format_number,
    is_constant,
    node_names,
    topological_order,
)
from .i18n import gettext as _, language
from .symbolic import Sym

if TYPE_CHECKING:
    from ._roles import Role
    from .engine import Value
    from .graph import Step
    from .ops import Op

__all__ = ["explain", "Explanation", "rule_text"]

# Symbols that print themselves: the jit's Sym (its arithmetic puts brackets
# exactly where Python needs them).  A negative number binds as loosely as a
# sum, so it is bracketed wherever a sum would be: 0.5 * (-3.0), 1.0 - (-0.46).
_ATOM = Sym.name("a").prec
_SUM = (Sym.name("a") + Sym.name("b")).prec

#: Functions in a rule that a learner may not know, explained under the steps.
_NOTES = {
    "step": "step(u) = 1 if u > 0 else 0",
    "sign": "sign(u) = 1 if u > 0, -1 if u < 0, 0 at 0",
}


def _symbol(text: str) -> Sym:
    """A Sym printed as ``text`` (a name such as 'o.data', or a number)."""
    return Sym(text, _SUM) if text.startswith("-") else Sym.name(text)


def _text(x: Sym | float) -> str:
    return x.text if isinstance(x, Sym) else repr(float(x))


class _Printing:
    """The namespace ``m`` of a derivative rule, for symbols: ``m.cos(u)``
    prints as ``cos(u)``, ``m.pow(u, 2.0)`` as ``u ** 2.0``.  Records which
    functions a rule used (for the notes under the explanation)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __getattr__(self, name: str) -> Callable[..., Sym]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Sym | float) -> Sym:
            self.used.add(name)
            return Sym(f"{name}({', '.join(_text(x) for x in args)})")

        return call

    @staticmethod
    def pow(x: Sym, k: Sym | float) -> Sym:
        base = x.text if x.prec >= _ATOM else f"({x.text})"
        exponent = _text(k)
        # Nothing in a rule raises a power to a power, so the result can act as
        # an atom: ** binds tighter than every operator a rule puts around it.
        return Sym(f"{base} ** {f'({exponent})' if exponent.startswith('-') else exponent}")

    vpow = pow

    @staticmethod
    def div(x: Sym, y: Sym) -> Sym:
        return x / y


def _printed(op: Op, g: Sym, out: Sym, inputs: Iterable[Sym]) -> tuple[list[str] | None, set[str]]:
    """op's rule with symbols: one text per input (the rule's own arithmetic),
    and the set of functions it used; None for a rule that cannot be printed
    (one that branches on its inputs, say)."""
    m = _Printing()
    try:
        results = op.vjp(m, g, out, *inputs)
    except (TypeError, AttributeError):  # e.g. Sym refuses `if out > 0:` in a rule
        return None, set()
    return [(r.text if isinstance(r, Sym) else _text(r)) for r in results], m.used


def rule_text(
    op: Op, upstream: str = "g", output: str = "out", inputs: Iterable[str] = ("a", "b")
) -> tuple[str, ...]:
    """An op's derivative rule as text, one expression per input: the
    gradient that input receives, written with ``upstream`` (the output's
    gradient), ``output`` and ``inputs`` -- printed by running the rule
    itself (``op.vjp``) on symbols.

    >>> from tinygrad_edu.ops import OPS, power_by
    >>> rule_text(OPS["mul"]), rule_text(OPS["tanh"], "o.grad", "o.data", ["u.data"])
    (('g * b', 'g * a'), ('o.grad * (1.0 - o.data * o.data)',))
    >>> rule_text(power_by(3))
    ('g * (3.0 * a ** 2.0)',)
    """
    texts, _used = _printed(
        op, _symbol(upstream), _symbol(output), [_symbol(x) for x in list(inputs)[: op.arity]]
    )
    if texts is None:
        raise TypeError(f"the rule of {op.name} cannot be written out with symbols")
    return tuple(texts)


class Explanation(str):
    """The text of :func:`explain`; shows as plain lines in a REPL (no quotes, no ``\\n``)."""

    def __repr__(self) -> str:
        return str(self)


def _num(x: float, digits: int) -> str:
    """Like repr for short floats (1.0, -3.0, 0.5), else ``digits`` significant
    digits; -0.0 reads 0.0 (the sign of a zero teaches nothing here)."""
    text = f"{float(x) + 0.0:.{digits}g}"  # -0.0 + 0.0 is 0.0
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def _check_count(name: str, value: object, smallest: int, what: str) -> None:
    """TypeError unless ``value`` is an int, ValueError if it is below ``smallest``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if value < smallest:
        raise ValueError(f"{name} must be {what}, got {value!r}")


class _Narrator:
    """The words of a backward pass, a step at a time: what :func:`explain` prints
    and what the interactive page (:mod:`tinygrad_edu.page`) shows beside each step.

    It runs the steps of :func:`~tinygrad_edu.graph.chain_rule_steps` on its own
    copy of the gradients (``grads``: the running total of every node, the
    output's starting at 1.0).  ``shown(number)`` says whether a step's lines
    are written (explain's ``max_steps``); the totals are kept either way.
    """

    def __init__(self, root: Value, order: list[Value], digits: int = 4) -> None:
        self.root, self.order, self.digits = root, order, digits
        self.names = node_names(root, order)
        self.grads: dict[Value, float] = {node: 0.0 for node in order}
        self.grads[root] = 1.0
        self.reached: set[Value] = set()  # inputs that already received some gradient
        self.notes: list[str] = []
        self.shown: Callable[[int], bool] = lambda number: True
        # {node: (layer, neuron, role)} of a network's graph, when first needed
        self.roles: dict[Value, Role] | None = None
        self.last_layer = 0

    def name(self, node: Value) -> str:
        # (mypy does not narrow self.names[node] by the test)
        return self.names[node] if self.names[node] is not None else format_number(node.data)  # type: ignore[return-value]

    def one_level(self, node: Value) -> str:
        """node's own op written with its parents' names: 'n2 = n1 + b'."""
        return _render(node, {p: self.name(p) for p in node.parents}, None)

    def opening(self) -> list[str]:
        """The lines before the first step: what is differentiated, and the output's 1.0."""
        root = self.root
        root_name = self.name(root)
        if root.rule is None:
            first = _("backward pass of {name} (a leaf: nothing to do)").format(name=root_name)
        else:
            first = _("backward pass of {name} = {formula}").format(
                name=root_name, formula=_render(root, {}, 120)
            )
        return [
            first,
            _("each step: input.grad += upstream gradient * local derivative"),
            "",
            self.seed_line(),
        ]

    def seed_line(self) -> str:
        return _("{name}.grad = 1.0  (the output's gradient with respect to itself)").format(
            name=self.name(self.root)
        )

    def steps(self) -> Iterator[tuple[Step, list[str]]]:
        """``(Step, its lines)`` for each chain-rule step, in backward's order.

        Raises the engine's error for a local derivative that is not finite,
        naming the step by its node's formula.
        """
        steps = chain_rule_steps(self.root, self.order)
        while True:
            try:
                s = next(steps, None)
            except (ValueError, ZeroDivisionError, OverflowError) as err:
                # chain_rule_steps gives its errors .step (the Step) and .reason,
                # attributes that the exception classes do not declare.
                node = err.step.node  # type: ignore[union-attr]
                raise type(err)(
                    _("step {number}, backward of {name} = {formula}: {reason}").format(
                        number=err.step.number,  # type: ignore[union-attr]
                        name=self.name(node),
                        formula=self.one_level(node),
                        reason=err.reason,  # type: ignore[union-attr]
                    )
                ) from None
            if s is None:
                return
            yield s, self.step_lines(s)

    def delta_note(self, node: Value) -> str:
        """The words after a neuron's delta: which delta of the seeds' network it is
        (δ_0 in the output layer, δ_m in a hidden one) when the graph's parameters
        carry :mod:`tinygrad_edu.nn`'s names, else just that it is the neuron's delta."""
        if self.roles is None:
            self.roles = network_roles(self.order[::-1])
            self.last_layer = max((r[0] for r in self.roles.values()), default=0)
        role = self.roles.get(node)
        op = node.rule.name  # type: ignore[union-attr]  # a neuron's output: made by an op
        if role is None or role[2] != "post-activation":
            return _("   <- this neuron's delta: upstream gradient * {op}'(pre-activation)").format(
                op=op
            )
        layer, neuron, _role = role
        if layer == self.last_layer:
            text = _(
                "   <- the delta δ_0 of layer {layer} (output layer), neuron {neuron}: "
                "upstream gradient * {op}'(pre-activation)"
            )
        else:
            text = _(
                "   <- the delta δ_m of layer {layer} (hidden layer), neuron {neuron}: "
                "upstream gradient * {op}'(pre-activation)"
            )
        return text.format(layer=layer, neuron=neuron, op=op)

    def step_lines(self, s: Step) -> list[str]:
        names, name, digits, grads = self.names, self.name, self.digits, self.grads
        node, op, g, step = s.node, s.rule, s.upstream, s.number
        shown = self.shown(step)
        lines = []
        if g == 0.0:
            if shown:
                lines.append(
                    _(
                        "step {number}: {name} = {formula}   -- upstream gradient {name}.grad "
                        "is 0: nothing to pass on (backward skips it)"
                    ).format(number=step, name=name(node), formula=self.one_level(node))
                )
            return lines
        parents, contributions = s.parents, s.contributions
        if shown:
            lines.append(
                _("step {number}: {name} = {formula}").format(
                    number=step, name=name(node), formula=self.one_level(node)
                )
            )
            in_names, used = _printed(
                op,
                _symbol(f"{name(node)}.grad"),
                _symbol(f"{name(node)}.data"),
                [
                    _symbol(f"{names[p]}.data" if names[p] is not None else format_number(p.data))
                    for p in parents
                ],
            )
            in_numbers, _unused = _printed(
                op,
                _symbol(_num(g, digits)),
                _symbol(_num(node.data, digits)),
                [_symbol(_num(p.data, digits)) for p in parents],
            )
            if in_names is None or in_numbers is None:  # a rule that cannot be written out
                in_names = [
                    _("{name}.grad * (local derivative of {op})").format(
                        name=name(node), op=op.name
                    )
                ] * len(parents)
                # its numbers: the upstream gradient times what the rule made of it
                in_numbers = [f"{_num(g, digits)} * {_num(c / g, digits)}" for c in contributions]
            self.notes += [
                _NOTES[f] for f in sorted(used) if f in _NOTES and _NOTES[f] not in self.notes
            ]
        rows = []
        for i, (p, added) in enumerate(zip(parents, contributions)):
            if not is_constant(p):
                grads[p] += added  # as backward() adds it (an unlabelled leaf Value too)
            if names[p] is None:
                continue  # a plain number (or an unlabelled leaf): its gradient teaches nothing
            if shown:
                # in_names and in_numbers are lists: set above, when shown
                detail = f"({in_numbers[i]}) = {_num(added, digits)}"  # type: ignore[index]
                if p in self.reached:
                    detail += _(", so {name}.grad = {value}").format(
                        name=names[p], value=_num(grads[p], digits)
                    )
                if is_neuron(node):
                    detail += self.delta_note(node)
                rows.append((f"{names[p]}.grad += {in_names[i]}", detail))  # type: ignore[index]
            self.reached.add(p)
        width = max((len(t) for t, _ in rows), default=0)
        lines.extend(f"  {t.ljust(width)}   {d}" for t, d in rows)
        return lines


def explain(
    root: Value, digits: int = 4, max_steps: int | None = 200, lang: str | None = None
) -> Explanation:
    """The backward pass of ``root`` as text, one line per chain-rule update.

    Lines come in the order ``root.backward()`` applies them.  Each reads
    ``input.grad += upstream gradient * local derivative`` in names, then the
    same with numbers, then the amount added -- all three written by the op's
    own derivative rule (see the module docstring).  Nodes are named by their
    labels; unlabelled intermediate nodes are ``n1``, ``n2`` ... in the order
    the forward pass computed them (the same names
    :func:`~tinygrad_edu.viz.draw_dot` shows); plain-number constants appear
    as their numbers (the gradient backward also sends into them is not
    listed).  When an input is reached along several paths, its line shows
    the running total.  A sigmoid, tanh or relu applied to a weighted sum is a
    neuron: the gradient it passes back to its pre-activation is that neuron's
    *delta* (when the sum ends in a labelled bias, as in
    ``tanh(x1*w1 + x2*w2 + b)`` and the neurons of :mod:`tinygrad_edu.nn`).

    Numbers show ``digits`` significant digits.  At most ``max_steps`` steps
    are listed (``None``: all); the pass still runs to the end, so the
    closing ``gradients:`` line always holds the final gradients, the same
    numbers ``backward()`` computes.  The caller's ``.grad`` values are left
    untouched (see the module docstring).  Returns an :class:`Explanation`
    (a str).

    Raises ValueError (or TypeError) for a ``max_steps`` that is not a whole
    number >= 0 or None and a ``digits`` below 1; and, like ``backward()``,
    for a local derivative that is not finite (``sqrt`` at 0), naming the step.
    ``root`` must be one Value: a list (what an MLP returns) or a plain number
    is a TypeError that says what to pass instead.

    ``lang`` is the language of the words ('en', 'ja'; None: the one in force,
    see :mod:`tinygrad_edu.i18n`); names, numbers and formulas are the same in
    every language.
    """
    with language(lang):
        return _explain(root, digits, max_steps)


def _explain(root: Value, digits: int, max_steps: int | None) -> Explanation:
    expect_value(root, "explain")
    if max_steps is not None:
        _check_count("max_steps", max_steps, 0, "a whole number >= 0 or None")
    _check_count("digits", digits, 1, "a whole number >= 1")
    order = topological_order(root)
    narrator = _Narrator(root, order, digits)
    names, grads = narrator.names, narrator.grads
    lines = narrator.opening()
    if max_steps is not None:
        narrator.shown = lambda number: number <= max_steps
    step = 0
    for s, step_lines in narrator.steps():
        step = s.number
        lines += step_lines
    leaves = [node for node in reversed(order) if node.rule is None and names[node] is not None]
    results = [f"{names[v]}.grad = {_num(grads[v], digits)}" for v in leaves]
    if max_steps is not None and step > max_steps:
        if results:
            more = _(
                "... {count} more step(s) not shown (explain(root, max_steps=None) lists them); "
                "the gradients below include them"
            )
        else:
            more = _(
                "... {count} more step(s) not shown (explain(root, max_steps=None) lists them)"
            )
        lines.append(more.format(count=step - max_steps))
    if 0 < len(results) <= 5:
        lines += ["", _("gradients:") + " " + ", ".join(results)]
    elif results:
        lines += ["", _("gradients:")] + ["  " + r for r in results]
    if narrator.notes:
        lines.append(_("where {notes}").format(notes="; ".join(narrator.notes)))
    return Explanation("\n".join(lines))
