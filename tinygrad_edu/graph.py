"""One view of a computation graph for every tool: names, numbers and the chain-rule steps.

``explain``, the diagrams, the jit and the command line read a graph through
this module rather than through the engine's internals, so they agree: the
``n3`` that ``explain`` talks about is the ``n3`` in the diagram and in the
jit's source, and step 5 is the same chain-rule step everywhere.

>>> from tinygrad_edu import Value
>>> x = Value(2.0, label='x')
>>> y = (x * 3.0).tanh(); y.label = 'y'
>>> names = node_names(y)
>>> [names[n] for n in topological_order(y)]
['y', 'n1', None, 'x']
>>> for s in chain_rule_steps(y):
...     print(s.number, names[s.node], s.rule.name, [names[p] for p in s.parents],
...           format_number(s.upstream))
1 y tanh ['n1'] 1
2 n1 mul ['x', None] 2.45765e-05
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .engine import NonFiniteGradientError, _arithmetic_words, is_constant, topological_order
from .formula import _expect_value, format_number
from .i18n import gettext as _
from .ops import FLOAT

if TYPE_CHECKING:
    from .engine import Value
    from .ops import Op

__all__ = [
    "node_names",
    "step_numbers",
    "format_number",
    "chain_rule_steps",
    "Step",
    "expect_value",
    "topological_order",
    "is_constant",
]

expect_value = _expect_value


def node_names(root: Value, order: list[Value] | None = None) -> dict[Value, str | None]:
    """A readable name for every node of root's graph: ``{node: name}``.

    Labelled nodes keep their label; unlabelled nodes made by ops get ``n1``,
    ``n2``, ... in the order the forward pass computes them (so the names are
    the same on every run); unlabelled leaves (plain-number constants) get
    ``None``.  A label used by two different nodes gets ``#2``, ``#3`` ...

    >>> from tinygrad_edu import Value
    >>> x = Value(2.0, label='x')
    >>> y = (x * 3).tanh()
    >>> sorted(name for name in node_names(y).values() if name)
    ['n1', 'n2', 'x']
    """
    if order is None:
        order = topological_order(_expect_value(root, "node_names"))
    forward = order[::-1]
    taken = {node.label for node in forward if node.label}
    names: dict[Value, str | None] = {}
    seen: dict[str, int] = {}
    counter = 0
    for node in forward:
        if node.label:
            k = seen.get(node.label, 0) + 1
            seen[node.label] = k
            names[node] = node.label if k == 1 else f"{node.label}#{k}"
        elif node.rule is None:
            names[node] = None
        else:
            counter += 1
            while f"n{counter}" in taken:
                counter += 1
            names[node] = f"n{counter}"
    return names


def step_numbers(root: Value, order: list[Value] | None = None) -> dict[Value, int]:
    """``{node: k}``: each op node's step in the order ``backward()`` applies the chain
    rule, from 1 (the numbers of :func:`chain_rule_steps`, explain and the diagrams).

    >>> from tinygrad_edu import Value
    >>> x = Value(2.0, label='x')
    >>> y = (x * 3).tanh()
    >>> sorted(step_numbers(y).values())
    [1, 2]
    """
    if order is None:
        order = topological_order(_expect_value(root, "step_numbers"))
    numbers: dict[Value, int] = {}
    for node in order:
        if node.rule is not None:
            numbers[node] = len(numbers) + 1
    return numbers


class Step:
    """One chain-rule step of a backward pass: ``node`` (made by ``rule`` from
    ``parents``) passes ``upstream`` x local derivative to each parent;
    ``contributions`` are those amounts, in the parents' order.  ``number``
    counts the steps from 1 in the order ``backward()`` takes them."""

    __slots__ = ("number", "node", "rule", "parents", "upstream", "contributions")

    number: int
    node: Value
    rule: Op
    parents: tuple[Value, ...]
    upstream: float
    contributions: tuple[float, ...]

    def __init__(
        self, number: int, node: Value, upstream: float, contributions: tuple[float, ...]
    ) -> None:
        self.number, self.node, self.upstream = number, node, upstream
        # (a step is an op node's: its rule is an Op, not a leaf's None)
        self.rule, self.parents, self.contributions = node.rule, node.parents, contributions  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Step({self.number}, {self.rule.name}, upstream={self.upstream!r})"


def chain_rule_steps(root: Value, order: list[Value] | None = None) -> Iterator[Step]:
    """The steps of ``root.backward()``, in its order, as :class:`Step` objects.

    Every op node of the graph is one step, numbered from 1; the numbers are
    the engine's own (the rule's ``vjp`` on floats), computed on a private copy
    of the gradients, so no ``.grad`` in the graph changes.  A step whose
    upstream gradient is 0 passes on nothing (``contributions`` all 0.0), as
    in the engine.  A local derivative that cannot be computed raises the
    engine's error, naming the step (its ``.step`` attribute holds the Step).
    """
    if order is None:
        order = topological_order(_expect_value(root, "chain_rule_steps"))
    grads = {node: 0.0 for node in order}
    grads[root] = 1.0
    for node, number in step_numbers(root, order).items():
        rule: Op = node.rule  # type: ignore[assignment]  # step_numbers counts op nodes only
        g = grads[node]
        parents = node.parents
        if g == 0.0:
            yield Step(number, node, g, tuple(0.0 for _parent in parents))
            continue
        try:
            contributions = tuple(rule.vjp(FLOAT, g, node.data, *[p.data for p in parents]))
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            kind = NonFiniteGradientError if isinstance(err, ArithmeticError) else type(err)
            raise _step_error(
                kind,
                number,
                node,
                g,
                _("the local derivative is not finite here ({error})").format(
                    error=_arithmetic_words(err)
                ),
            ) from None
        for p, c in zip(parents, contributions):
            if not is_constant(p) and not -math.inf < c < math.inf:  # a constant's does not count
                raise _step_error(
                    NonFiniteGradientError,
                    number,
                    node,
                    g,
                    _("the gradient passed to {name} is {gradient}, not a finite number").format(
                        name=p.label or format_number(p.data), gradient=repr(c)
                    ),
                )
            grads[p] += c
        yield Step(number, node, g, contributions)


def _step_error(
    kind: type[Exception], number: int, node: Value, upstream: float, reason: str
) -> Exception:
    """``kind("step N: backward of op: reason")`` with ``.step`` (the Step) and ``.reason``."""
    assert node.rule is not None  # an op node
    error = kind(
        _("step {number}: backward of {op}: {reason}").format(
            number=number, op=node.rule.name, reason=reason
        )
    )
    # (attributes of this error alone: its class does not declare them)
    error.step = Step(number, node, upstream, ())  # type: ignore[attr-defined]
    error.reason = reason  # type: ignore[attr-defined]
    return error
