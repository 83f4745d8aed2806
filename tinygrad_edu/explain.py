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
  a.grad += c.grad * b.data   (1.0 * -3.0) = -3.0
  b.grad += c.grad * a.data   (1.0 * 2.0) = 2.0
<BLANKLINE>
gradients: a.grad = -3.0, b.grad = 2.0

The symbolic side of each line comes from a small table of templates below
(one per op, in the words of the textbook); the numbers come from the
engine's own derivative rules (``op.vjp`` on floats) -- the same code that
``backward()`` runs, so the explanation cannot drift from the engine.

``explain`` works on its own copy of the gradients: it never changes the
``.grad`` of any node in your graph, and it shows a fresh pass (every
gradient starting from 0, the output's at 1.0), whatever ``backward()`` calls
came before.
"""

import re

from .engine import topological_order
from .formula import _render, format_number, node_names
from .ops import FLOAT

__all__ = ["explain", "Explanation", "LOCAL_DERIVATIVES"]

#: How each op's local derivative reads, one template per input, written as the
#: full update ``upstream * local derivative``.  Placeholders: {g} the upstream
#: gradient (out.grad), {out} the op's output, {a} and {b} its inputs, {k} a
#: number exponent.  The same template is filled in once with names and once
#: with numbers.
LOCAL_DERIVATIVES = {
    "add": ("{g}", "{g}"),
    "sub": ("{g}", "-{g}"),
    "mul": ("{g} * {b}", "{g} * {a}"),
    "div": ("{g} / {b}", "-{g} * {out} / {b}"),
    "pow": ("{g} * {b} * {out} / {a}", "{g} * {out} * log({a})"),
    "pow2": ("{g} * 2 * {a}",),
    "powk": ("{g} * {k} * {a}**({k} - 1)",),
    "neg": ("-{g}",),
    "exp": ("{g} * {out}",),
    "log": ("{g} / {a}",),
    "sqrt": ("{g} * 0.5 / {out}",),
    "tanh": ("{g} * (1 - {out}**2)",),
    "sigmoid": ("{g} * {out} * (1 - {out})",),
    "relu": ("{g} * step({a})",),
    "sin": ("{g} * cos({a})",),
    "cos": ("-{g} * sin({a})",),
    "abs": ("{g} * sign({a})",),
}

#: Words under a template's functions that a learner may not know.
_NOTES = {"relu": "step(u) = 1 if u > 0 else 0", "abs": "sign(u) = 1, 0 or -1"}

#: Activations: applied to a neuron's pre-activation, the gradient they pass
#: back is what the textbook calls the neuron's delta.
_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _is_neuron(node):
    """An activation of ``u = ... + b`` with a named bias leaf: a neuron's output
    (the shape tinygrad_edu.nn builds, and the classic hand-built neuron)."""
    if node._op.name not in _ACTIVATIONS:
        return False
    u = node._a
    return (u._op is not None and u._op.name == "add"
            and u._b._op is None and bool(u._b.label))


_PLACEHOLDER = re.compile(r"\{(g|out|a|b|k)\}")


class Explanation(str):
    """The text of :func:`explain`; shows as plain lines in a REPL (no quotes, no ``\\n``)."""

    def __repr__(self):
        return str(self)


def _template(op):
    if op.name == "pow" and op.param is not None:
        return LOCAL_DERIVATIVES["pow2" if op.param == 2.0 else "powk"]
    # An op without a template still gets its line (the number is the engine's either way).
    return LOCAL_DERIVATIVES.get(op.name, (f"{{g}} * (local derivative of {op.name})",) * op.arity)


def _fill(template, values):
    """Fill a template, bracketing negative numbers where they would misread
    (``(-0.5)**2``, ``-(-3.0)``, ``1 - (-3.0)``)."""
    def one(match):
        text = values[match.group(1)]
        if text.startswith("-") and (template[match.end():].startswith("**")
                                     or template[:match.start()].rstrip().endswith("-")):
            return f"({text})"
        return text
    return _PLACEHOLDER.sub(one, template)


def _num(x, digits):
    """Like repr for short floats (1.0, -3.0, 0.5), else ``digits`` significant digits."""
    text = f"{x:.{digits}g}"
    if re.fullmatch(r"-?\d+", text):
        text += ".0"
    return text


def explain(root, digits=4, max_steps=200):
    """The backward pass of ``root`` as text, one line per chain-rule update.

    Lines come in the order ``root.backward()`` applies them.  Each reads
    ``input.grad += upstream gradient * local derivative`` in names, then the
    same with numbers, then the amount added.  Nodes are named by their labels;
    unlabelled intermediate nodes are ``n1``, ``n2`` ... in the order the
    forward pass computed them (the same names :func:`~tinygrad_edu.viz.draw_dot`
    shows); plain-number constants appear as their numbers (the gradient
    backward also sends into them is not listed).  When an input is reached
    along several paths, its line shows the running total.  A sigmoid, tanh
    or relu applied to a weighted sum is a neuron: the gradient it passes back to its
    pre-activation is that neuron's *delta* (when the sum ends in a labelled bias,
    as in ``tanh(x1*w1 + x2*w2 + b)`` and the neurons of :mod:`tinygrad_edu.nn`).

    The caller's ``.grad`` values are left untouched (see the module docstring).
    At most ``max_steps`` steps are listed (``None``: all).  Returns an
    :class:`Explanation` (a str).
    """
    order = topological_order(root)
    names = node_names(root, order)

    def name(node):
        return names[node] if names[node] is not None else format_number(node.data)

    def one_level(node):
        """node's own op written with its parents' names: 'n2 = n1 + b'."""
        atoms = {p: name(p) for p in node.parents}
        return _render(node, atoms, None)

    grads = {node: 0.0 for node in order}
    grads[root] = 1.0
    root_name = name(root)
    whole = _render(root, {}, 120) if root._op is not None else root_name
    lines = [f"backward pass of {root_name} = {whole}" if root._op is not None
             else f"backward pass of {root_name} (a leaf: nothing to do)",
             "each step: input.grad += upstream gradient * local derivative", "",
             f"{root_name}.grad = 1.0  (the output's gradient with respect to itself)"]
    step = 0
    notes = []
    reached = set()         # inputs that already received some gradient
    for node in order:
        op = node._op
        if op is None:
            continue
        step += 1
        if max_steps is not None and step > max_steps:
            remaining = sum(1 for n in order if n._op is not None) - max_steps
            lines.append(f"... {remaining} more step(s) (explain(root, max_steps=None) lists all)")
            break
        g = grads[node]
        header = f"step {step}: {name(node)} = {one_level(node)}"
        if g == 0.0:
            lines.append(f"{header}   -- upstream gradient {name(node)}.grad is 0: "
                         "nothing to pass on (backward skips it)")
            continue
        lines.append(header)
        parents = node.parents
        try:
            contributions = op.vjp(FLOAT, g, node.data, *[p.data for p in parents])
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            raise type(err)(f"step {step}, backward of {header.split(': ', 1)[1]}: "
                            f"the local derivative is not finite here ({err})") from None
        symbols = {"g": f"{name(node)}.grad", "out": f"{name(node)}.data"}
        numbers = {"g": _num(g, digits), "out": _num(node.data, digits)}
        for key, p in zip("ab", parents):
            symbols[key] = f"{names[p]}.data" if names[p] is not None else format_number(p.data)
            numbers[key] = _num(p.data, digits)
        if op.param is not None:
            symbols["k"] = numbers["k"] = format_number(op.param)
        rows = []
        for p, template, added in zip(parents, _template(op), contributions):
            if names[p] is None:
                continue       # a plain-number constant: its gradient teaches nothing
            grads[p] += added
            text = f"{names[p]}.grad += {_fill(template, symbols)}"
            detail = f"({_fill(template, numbers)}) = {_num(added, digits)}"
            if p in reached:
                detail += f", so {names[p]}.grad = {_num(grads[p], digits)}"
            if _is_neuron(node):
                detail += f"   <- this neuron's delta: upstream gradient * {op.name}'(pre-activation)"
            reached.add(p)
            rows.append((text, detail))
        width = max((len(t) for t, _ in rows), default=0)
        lines.extend(f"  {t.ljust(width)}   {d}" for t, d in rows)
        if op.name in _NOTES and _NOTES[op.name] not in notes:
            notes.append(_NOTES[op.name])

    leaves = [node for node in reversed(order) if node._op is None and names[node] is not None]
    results = [f"{names[v]}.grad = {_num(grads[v], digits)}" for v in leaves]
    if 0 < len(results) <= 5:
        lines += ["", "gradients: " + ", ".join(results)]
    elif results:
        lines += ["", "gradients:"] + ["  " + r for r in results]
    if notes:
        lines.append("where " + "; ".join(notes))
    return Explanation("\n".join(lines))
