"""What the seed documents call the nodes of a network's graph.

A graph built by :mod:`tinygrad_edu.nn` names its parameters
``layers.L.neurons.N.w.i`` and ``layers.L.neurons.N.b``; from those names this
module finds each node's neuron and its role (the pre-activation ``u``, the
post-activation, a weight, the bias).  :mod:`tinygrad_edu.explain` uses it to
say which delta (δ_0 in the output layer, δ_m in a hidden one) a step computes,
and :mod:`tinygrad_edu.page` to describe a node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Value

#: (layer, neuron, role): role is 'w.i', 'b', 'pre-activation', 'post-activation',
#: 'product' (a weight times its input) or 'sum' (part of the weighted sum).
Role = tuple[int, int, str]

#: A parameter name as tinygrad_edu.nn writes it: 'layers.0.neurons.2.w.1', 'neurons.1.b', 'w.0'.
_NN_NAME = re.compile(r"(?:layers\.(\d+)\.)?(?:neurons\.(\d+)\.)?(w\.(\d+)|b)")


def is_neuron(node: Value) -> bool:
    """An activation (an op marked ``activation``: applied to a neuron's
    pre-activation, the gradient it passes back is the textbook's delta) of
    ``u = ... + b`` with a named bias leaf: a neuron's output (the shape
    tinygrad_edu.nn builds, and the classic hand-built neuron)."""
    rule = node.rule
    if rule is None or not rule.activation:
        return False
    u = node.parents[0]
    return (
        u.rule is not None
        and u.rule.name == "add"
        and u.parents[1].rule is None
        and bool(u.parents[1].label)
    )


def parameter_place(label: object) -> Role | None:
    """(layer, neuron, 'w.i' or 'b') for a parameter named the way nn names them, else None."""
    if not isinstance(label, str):
        return None
    m = _NN_NAME.fullmatch(label)
    if m is None or (m.group(1) is None and m.group(2) is None):
        return None
    layer = int(m.group(1)) if m.group(1) is not None else 0
    neuron = int(m.group(2)) if m.group(2) is not None else 0
    return layer, neuron, m.group(3)


def network_roles(forward: Iterable[Value]) -> dict[Value, Role]:
    """{node: (layer, neuron, role)} for the nodes of a network's graph, given in
    forward order (every node after its inputs).

    A parameter belongs to its neuron by its name; an op that reads a
    parameter (``w * x``) belongs to that parameter's neuron; a sum of two
    nodes of one neuron, and an activation of a neuron's sum, to that neuron.
    Roles name what the seed documents call the node: the pre-activation
    ``u`` (S_preA), the post-activation (S_postA), a weight or the bias.
    """
    place: dict[Value, tuple[int, int]] = {}
    for node in forward:
        rule = node.rule
        if rule is None:
            p = parameter_place(node.label)
            if p is not None:
                place[node] = p[:2]
            continue
        owners = [place[p] for p in node.parents if p.rule is None and p in place]
        if owners:
            place[node] = owners[0]
            continue
        mine = {place.get(p) for p in node.parents if not (p.rule is None and not p.label)}
        if len(mine) == 1 and (rule.name == "add" or rule.activation):
            only = mine.pop()
            if only is not None:
                place[node] = only
    roles: dict[Value, Role] = {}
    for node, (layer, neuron) in place.items():
        rule = node.rule
        if rule is None:
            p = parameter_place(node.label)
            assert p is not None  # placed above by its name
            roles[node] = (layer, neuron, p[2])
        elif is_neuron(node) and place.get(node.parents[0]) == (layer, neuron):
            roles[node] = (layer, neuron, "post-activation")
            roles[node.parents[0]] = (layer, neuron, "pre-activation")
        elif node not in roles:
            roles[node] = (layer, neuron, "product" if rule.name == "mul" else "sum")
    return roles
