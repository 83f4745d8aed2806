"""Hypothesis strategies for property-testing gradients with random expressions.

Your own functions can be checked against finite differences by hand; these
strategies go further and draw whole random *expressions*: small computation
graphs built from the engine's ops (``+ - * / **``, ``neg exp log sqrt tanh
sigmoid relu sin cos abs``), plain-number constants and reused subexpressions
(one node feeding several others, as in real networks).  They are built so that
finite differences can be trusted:

* ops with a restricted domain get an argument that is always inside it:
  ``log``, ``sqrt``, fractional and negative powers and the base of ``x ** y``
  take a positive transform (``u * u + 1.0`` or ``sigmoid(u) + 0.5``), and a
  division is by such a transform or by a non-zero constant;
* :func:`expression_cases` draws inputs and rejects those where a relu or abs
  argument is near its kink at 0, where any intermediate value is larger than
  100 (big values mean steep slopes, which finite differences get wrong), or
  where a small nudge of an input would cross a kink.

This module needs ``hypothesis`` (``pip install "tinygrad-edu[test]"``); ``import
tinygrad_edu`` does not import it.

A property test of the engine itself (it runs as part of this doctest)::

>>> from hypothesis import given, settings
>>> from tinygrad_edu import gradcheck
>>> @settings(max_examples=20, deadline=None)
... @given(expression_cases(max_inputs=2, max_depth=3))
... def test_gradients_match_finite_differences(case):
...     expr, inputs = case
...     assert gradcheck(expr, *inputs)
>>> test_gradients_match_finite_differences()

To test your own function ``f`` of two inputs, draw only inputs:
``@given(safe_floats(), safe_floats())`` then ``gradcheck(f, x, y)``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

try:
    from hypothesis import assume, strategies as st
except ImportError as err:  # pragma: no cover - depends on the environment
    from ._optional import install_hint
    from .i18n import gettext as _

    raise ImportError(
        _("tinygrad_edu.testing needs hypothesis: {hint}").format(hint=install_hint("test"))
    ) from err

from .engine import Value
from .ops import FLOAT, OPS, Op, power_by

if TYPE_CHECKING:
    # Any when hypothesis is not installed where mypy runs (it is optional).
    from hypothesis.strategies import DrawFn, SearchStrategy

__all__ = ["Expression", "expressions", "expression_cases", "safe_floats", "OP_NAMES"]

#: The op names :func:`expressions` can use (``ops=`` takes a subset of these).
OP_NAMES = tuple(OPS)

_INFIX = {
    "add": ("+", operator.add),
    "sub": ("-", operator.sub),
    "mul": ("*", operator.mul),
    "div": ("/", operator.truediv),
    "pow": ("**", operator.pow),
}
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_ATOM = 5  # inputs, names and function calls never need parentheses
_KINKED = tuple(name for name, op in OPS.items() if op.kinks)
_FLOAT_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


class _Node:
    """One step of an expression: ``op`` applied to ``args``.

    ``args`` holds indices of earlier nodes (ints) and plain-number constants
    (floats).  ``op`` is an op name, or ``'input'`` with ``index`` the input's
    position.  ``k`` is the exponent of a number power ``u ** k``.
    """

    __slots__ = ("op", "args", "k", "index")
    op: str
    args: tuple[int | float, ...]
    k: float | None
    index: int | None

    def __init__(
        self,
        op: str,
        args: tuple[int | float, ...] = (),
        k: float | None = None,
        index: int | None = None,
    ) -> None:
        self.op, self.args, self.k, self.index = op, args, k, index

    def float_op(self) -> Op:
        return power_by(self.k) if self.k is not None else OPS[self.op]


def _fmt_number(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


class Expression:
    """A random expression of ``n_inputs`` inputs, drawn by :func:`expressions`.

    Call it like a function: ``expr(x0, x1)`` with Values (or numbers, made
    into Values) returns a Value, computed with the engine's operators, so
    ``gradcheck(expr, 0.5, -1.0)`` and ``grad(expr)`` work as for any function.
    A subexpression used more than once is computed once and its Value reused:
    the graph is a DAG with fan-out, not just a tree.  ``str(expr)`` shows the
    formula, naming reused subexpressions ``t0, t1, ...``::

        t0 = x0 * x1; log(t0 * t0 + 1.0) + sin(t0)
    """

    __slots__ = ("_nodes", "_n_inputs", "_text")
    _nodes: tuple[_Node, ...]
    _n_inputs: int
    _text: str | None

    def __init__(self, n_inputs: int, nodes: Iterable[_Node]) -> None:
        self._n_inputs = n_inputs
        self._nodes = tuple(nodes)
        self._text = None

    @property
    def n_inputs(self) -> int:
        """How many arguments the expression takes (x0, x1, ...)."""
        return self._n_inputs

    @property
    def n_ops(self) -> int:
        """How many op nodes the expression's graph has (inputs and constants not counted)."""
        return sum(1 for node in self._nodes if node.op != "input")

    @property
    def __name__(self) -> str:
        # Lets gradcheck and grad name the function by its formula in their messages.
        return f"expression {self}"

    def __call__(self, *xs: Value | float) -> Value:
        if len(xs) != self._n_inputs:
            raise TypeError(f"this expression takes {self._n_inputs} input(s), got {len(xs)}")
        results: list[Value] = []
        for node in self._nodes:
            if node.op == "input":
                x = xs[node.index]  # type: ignore[index]  # an input node has its index
                results.append(x if isinstance(x, Value) else Value(x, label=f"x{node.index}"))
                continue
            args = [results[a] if type(a) is int else a for a in node.args]
            results.append(_apply_to_values(node, args))
        return results[-1]

    def _float_trace(self, xs: Sequence[float]) -> tuple[list[float], list[float]]:
        """Plain-float forward pass: (every node's value, every kink argument)."""
        results: list[float] = []
        kinks: list[float] = []
        for node in self._nodes:
            if node.op == "input":
                results.append(float(xs[node.index]))  # type: ignore[index]  # as above
                continue
            args = [results[a] if type(a) is int else a for a in node.args]
            if node.op in _KINKED:
                kinks.append(args[0])
            results.append(node.float_op().forward(FLOAT, *args))
        return results, kinks

    def safe_at(
        self,
        xs: Iterable[float],
        margin: float = 1e-3,
        max_magnitude: float = 100.0,
        nudge: float = 1e-4,
    ) -> bool:
        """True if finite differences of this expression can be trusted at ``xs``.

        That is: it evaluates without a domain error; every intermediate value
        is at most ``max_magnitude`` in size; every relu/abs argument is at
        least ``margin`` away from its kink at 0; and moving any one input by
        ``nudge * max(1, |x|)`` either way keeps every relu/abs argument on the
        same side of its kink (a finite-difference step is much smaller).
        """
        xs = [float(x) for x in xs]
        if len(xs) != self._n_inputs:
            raise TypeError(f"this expression takes {self._n_inputs} input(s), got {len(xs)}")
        points = [xs]
        for i, x in enumerate(xs):
            h = nudge * max(1.0, abs(x))
            for step in (h, -h):
                moved = list(xs)
                moved[i] = x + step
                points.append(moved)
        sides = None
        for point in points:
            try:
                values, kinks = self._float_trace(point)
            except _FLOAT_ERRORS:
                return False
            if not all(abs(v) <= max_magnitude for v in values):  # also catches nan
                return False
            if sides is None:
                if any(abs(k) < margin for k in kinks):
                    return False
                sides = [k > 0.0 for k in kinks]
            elif [k > 0.0 for k in kinks] != sides:
                return False
        return True

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def __repr__(self) -> str:
        return f"Expression(n_inputs={self._n_inputs}, formula={str(self)!r})"

    def _render(self) -> str:
        uses = [0] * len(self._nodes)
        for node in self._nodes:
            for a in node.args:
                if type(a) is int:
                    uses[a] += 1
        texts: list[str] = []
        precedence: list[int] = []
        lines: list[str] = []
        last = len(self._nodes) - 1

        def operand(a: int | float, parens_below: int) -> str:
            """The text of argument a, in parentheses if it binds less tightly than needed."""
            if type(a) is not int:
                return f"({a!r})" if a < 0 else repr(a)
            return f"({texts[a]})" if precedence[a] < parens_below else texts[a]

        for i, node in enumerate(self._nodes):
            if node.op == "input":
                text, prec = f"x{node.index}", _ATOM
            elif node.k is not None:
                text, prec = (
                    f"{operand(node.args[0], _ATOM)} ** {_fmt_number(node.k)}",
                    _PRECEDENCE["pow"],
                )
            elif node.op in _INFIX:
                prec = _PRECEDENCE[node.op]
                left, right = node.args
                if node.op == "pow":  # right-associative; parenthesise everything but atoms
                    text = f"{operand(left, _ATOM)} ** {operand(right, _ATOM)}"
                else:  # left-associative: a - (b - c), a / (b * c)
                    text = f"{operand(left, prec)} {_INFIX[node.op][0]} {operand(right, prec + 1)}"
            elif node.op == "neg":
                text, prec = f"-{operand(node.args[0], _ATOM)}", _PRECEDENCE["neg"]
            else:
                # A function's argument is always an earlier node, never a constant.
                text, prec = f"{node.op}({texts[node.args[0]]})", _ATOM  # type: ignore[index]
            if i != last and uses[i] > 1 and node.op != "input":
                name = f"t{len(lines)}"
                lines.append(f"{name} = {text}")
                text, prec = name, _ATOM
            texts.append(text)
            precedence.append(prec)
        return "; ".join(lines + [texts[-1]])


def _apply_to_values(node: _Node, args: list[Value | float]) -> Any:
    """One node, computed with the engine's public operators and methods."""
    # Returns a Value (only a binary op has plain-number operands, and never two); Any
    # because the last line finds the method by the op's name.
    op = node.op
    if node.k is not None:
        return args[0] ** node.k
    if op in _INFIX:
        return _INFIX[op][1](*args)
    if op == "neg":
        return -args[0]
    if op == "abs":
        return abs(args[0])
    return getattr(args[0], op)()


# ---------------------------------------------------------------------------
# Strategies

_CONSTANTS = st.integers(-12, 12).map(lambda n: n / 4)  # -3.0 .. 3.0 in quarters
_NONZERO_CONSTANTS = st.sampled_from([2.0, -2.0, 0.5, -0.5, 1.5, -1.5, 3.0, -3.0])
_POSITIVE_CONSTANTS = st.sampled_from([2.0, 0.5, 1.5, 3.0])
_NUMBER_EXPONENTS = st.sampled_from([2, 3, -1, 0.5, -2, 1.5, -0.5])  # 2 and 3 need no positive base


def safe_floats(min_value: float = -3.0, max_value: float = 3.0) -> SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]`` (no nan, no infinity, no subnormals).

    >>> safe_floats().validate()
    """
    return st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def _check_arguments(
    min_inputs: int, max_inputs: int, max_depth: int, ops: Iterable[str] | None
) -> tuple[str, ...]:
    if (
        not isinstance(min_inputs, int)
        or not isinstance(max_inputs, int)
        or not 1 <= min_inputs <= max_inputs
    ):
        raise ValueError(
            f"need 1 <= min_inputs <= max_inputs, got min_inputs={min_inputs!r}, "
            f"max_inputs={max_inputs!r}"
        )
    if not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"max_depth must be an int >= 1, got {max_depth!r}")
    if ops is None:
        return OP_NAMES
    if isinstance(ops, str):
        ops = [ops]
    ops = tuple(ops)
    unknown = [name for name in ops if name not in OPS]
    if unknown or not ops:
        raise ValueError(
            f"ops must be a non-empty list of op names from {', '.join(OP_NAMES)}; "
            f"unknown: {', '.join(map(repr, unknown)) or 'none given'}"
        )
    return ops


@st.composite  # type: ignore[untyped-decorator, unused-ignore]  # where mypy lacks hypothesis
def _expressions(
    draw: DrawFn, min_inputs: int, max_inputs: int, max_depth: int, ops: Sequence[str]
) -> Expression:
    n_inputs = draw(st.integers(min_inputs, max_inputs))
    nodes = [_Node("input", index=i) for i in range(n_inputs)]
    level = [0] * n_inputs  # how many drawn ops lie on the longest path to a node
    operands = list(range(n_inputs))  # nodes later ops may use (not the transforms' insides)

    def add(node: _Node, lvl: int, operand: bool = True) -> int:
        nodes.append(node)
        level.append(lvl)
        if operand:
            operands.append(len(nodes) - 1)
        return len(nodes) - 1

    consumed: set[int] = set()

    def pick(first: bool = False) -> int:
        # The first operand prefers a result nobody uses yet, so that few drawn ops
        # are left dangling; the second may be anything (that is where reuse comes from).
        candidates = [i for i in operands if level[i] < max_depth]
        if first:
            candidates = [i for i in candidates if i not in consumed] or candidates
        # Index 0 is the newest node: shrinking then keeps examples chains, not lone inputs.
        i: int = candidates[-1 - draw(st.integers(0, len(candidates) - 1))]
        consumed.add(i)
        return i

    def positive(u: int) -> int:
        # A node that is always > 0, built from u; it is part of the op using it.
        if draw(st.sampled_from(["square", "sigmoid"])) == "square":
            sq = add(_Node("mul", (u, u)), level[u], operand=False)
            return add(_Node("add", (sq, 1.0)), level[u], operand=False)
        s = add(_Node("sigmoid", (u,)), level[u], operand=False)
        return add(_Node("add", (s, 0.5)), level[u], operand=False)

    for _ in range(draw(st.integers(1, 2 * max_depth))):
        op = draw(st.sampled_from(ops))
        u = pick(first=True)
        if op in ("add", "sub", "mul"):
            form = draw(st.sampled_from(["nodes", "constant right", "constant left"]))
            if form == "nodes":
                v = pick()
                add(_Node(op, (u, v)), 1 + max(level[u], level[v]))
            elif form == "constant right":
                add(_Node(op, (u, draw(_CONSTANTS))), 1 + level[u])
            else:
                add(_Node(op, (draw(_CONSTANTS), u)), 1 + level[u])
        elif op == "div":
            form = draw(st.sampled_from(["by positive", "by constant", "constant by positive"]))
            if form == "by constant":
                add(_Node("div", (u, draw(_NONZERO_CONSTANTS))), 1 + level[u])
            else:
                v = pick()
                numerator = u if form == "by positive" else draw(_CONSTANTS)
                lvl = max(level[u], level[v]) if form == "by positive" else level[v]
                add(_Node("div", (numerator, positive(v))), 1 + lvl)
        elif op == "pow":
            form = draw(st.sampled_from(["number exponent", "value exponent", "constant base"]))
            if form == "number exponent":
                k = draw(_NUMBER_EXPONENTS)
                base = u if k in (2, 3) else positive(u)
                add(_Node("pow", (base,), k=float(k)), 1 + level[u])
            elif form == "value exponent":
                v = pick()
                add(_Node("pow", (positive(u), v)), 1 + max(level[u], level[v]))
            else:
                add(_Node("pow", (draw(_POSITIVE_CONSTANTS), u)), 1 + level[u])
        elif op in ("log", "sqrt"):
            add(_Node(op, (positive(u),)), 1 + level[u])
        else:
            add(_Node(op, (u,)), 1 + level[u])
    return Expression(n_inputs, _reachable(nodes, n_inputs))


def _reachable(nodes: Sequence[_Node], n_inputs: int) -> list[_Node]:
    """The nodes the last one depends on (inputs always kept), renumbered in order."""
    needed = [False] * len(nodes)
    needed[-1] = True
    for i in range(len(nodes) - 1, -1, -1):
        if needed[i]:
            for a in nodes[i].args:
                if type(a) is int:
                    needed[a] = True
    for i in range(n_inputs):
        needed[i] = True
    new_index: dict[int, int] = {}
    kept: list[_Node] = []
    for i, node in enumerate(nodes):
        if needed[i]:
            new_index[i] = len(kept)
            args = tuple(new_index[a] if type(a) is int else a for a in node.args)
            kept.append(_Node(node.op, args, node.k, node.index))
    return kept


def expressions(
    min_inputs: int = 1, max_inputs: int = 3, max_depth: int = 4, ops: Iterable[str] | None = None
) -> SearchStrategy[Expression]:
    """A strategy of random :class:`Expression` objects.

    ``min_inputs``..``max_inputs`` inputs; at most ``max_depth`` drawn ops on
    any path from an input to the result (the positive transforms that keep
    log, sqrt, division and powers in their domain count as part of the op
    they serve); ``ops`` restricts the ops drawn to a list of names from
    :data:`OP_NAMES` (default: all; ``'pow'`` covers both ``u ** 2`` and
    ``u ** v``).  The positive transforms themselves use ``*``, ``+`` and
    ``sigmoid`` whatever ``ops`` says.

    The expressions are always defined on positive-transformed arguments, but
    an input can still make them overflow or land on a kink; draw
    :func:`expression_cases` to get inputs that have been checked.

    >>> expressions(max_inputs=2, ops=['mul', 'log']).validate()
    """
    ops = _check_arguments(min_inputs, max_inputs, max_depth, ops)
    return _expressions(min_inputs, max_inputs, max_depth, ops)


def expression_cases(
    min_inputs: int = 1, max_inputs: int = 3, max_depth: int = 4, ops: Iterable[str] | None = None
) -> SearchStrategy[tuple[Expression, tuple[float, ...]]]:
    """A strategy of ``(expr, inputs)``: an :class:`Expression` and a tuple of floats
    where its finite differences can be trusted (see :meth:`Expression.safe_at`).

    Inputs lie in [-3, 3]; examples where they would sit near a kink or make a
    value huge are rejected (``hypothesis.assume``), so hypothesis draws others.

    >>> expression_cases(max_inputs=1, ops=['relu']).validate()
    """
    expression_strategy = expressions(min_inputs, max_inputs, max_depth, ops)

    @st.composite  # type: ignore[untyped-decorator, unused-ignore]  # as for _expressions
    def cases(draw: DrawFn) -> tuple[Expression, tuple[float, ...]]:
        expr = draw(expression_strategy)
        inputs = draw(st.tuples(*[safe_floats()] * expr.n_inputs))
        assume(expr.safe_at(inputs))
        return expr, inputs

    return cases()
