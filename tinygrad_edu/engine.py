"""Value: a number that remembers how it was computed, and backward().

>>> a = Value(2.0, label='a'); b = Value(-3.0, label='b')
>>> c = a * b + a
>>> c
Value(data=-4.0, grad=0.0, op='add')
>>> c.backward()
>>> a.grad, b.grad          # dc/da = b + 1, dc/db = a
(-2.0, 2.0)
"""

from __future__ import annotations

import functools
import gc
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Literal, TypeVar, overload

from . import formula as _formula, ops as _ops
from .i18n import N_, gettext as _
from .ops import FLOAT

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "zero_grad",
    "topological_order",
    "gc_paused",
    "NonFiniteGradientError",
    "apply",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_INF = math.inf
IDENTITY_OP = _ops.IDENTITY


class _Marker:
    __slots__ = ("_a",)
    _a: object


# _CONSTANT sits in a constant's _a slot (see Value.__slots__).  Its own _a is _NOTHING,
# which no Value holds: so the walk below, which leaves out a parent whose _a is its
# `skip`, can step over the marker without asking whether a node is a leaf.
_NOTHING = object()
_CONSTANT = _Marker()
_CONSTANT._a = _NOTHING
_recording_off = ContextVar("tinygrad_edu_no_grad", default=False)
# Set only while a derivative rule is run again to find which of its results are
# finite: failed ops then give nan instead of raising (see _lenient_vjp).
_lenient = ContextVar("tinygrad_edu_lenient", default=False)


class NonFiniteGradientError(OverflowError, ZeroDivisionError):
    """A gradient came out inf or nan (or a local derivative is infinite: sqrt at 0);
    the message names the op where it happened.  It is an ``OverflowError`` and a
    ``ZeroDivisionError``, so handlers for either catch it."""


class no_grad:
    """Within this block ops compute values but record no graph (and so cost less).

    Use it for evaluation and for parameter updates.  Each thread (and each
    asyncio task) has its own setting.  Also works as a decorator, on plain
    and ``async`` functions.

    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    """

    def __init__(self) -> None:
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> no_grad:
        self._tokens.append(_recording_off.set(True))
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _recording_off.reset(self._tokens.pop())
        return False

    def __call__(self, fn: _F) -> _F:
        if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            raise TypeError(
                _(
                    "no_grad cannot decorate the generator function {name}: its "
                    "body runs later, outside the block; write `with no_grad():` inside it"
                ).format(name=repr(fn.__name__))
            )
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with no_grad():
                    return await fn(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block, e.g. one training step.

    The engine's graphs hold no reference cycles, so they are freed as soon as
    they are dropped; the collector only spends time scanning them while they
    are built (a quarter of a training step, more for larger graphs).  Wrap
    each step -- not the whole program -- so cycles made elsewhere are still
    collected between steps.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def is_grad_enabled() -> bool:
    """True unless called inside a :func:`no_grad` block."""
    return not _recording_off.get()


_LECTURE_NAMES = {"relu": "ReLU"}  # where micrograd's spelling of an op differs from ours


def _describe(v: Value) -> str:
    return f"{v.label} = {v.data!r}" if v.label else repr(v.data)


class Value:
    """One scalar in a computation graph.

    ``Value(data, label='')`` holds a float.  Arithmetic with other Values or
    plain numbers returns new Values that remember the op that made them and
    their parents (in order, repeats kept: ``a + a`` has two edges to ``a``).
    ``backward()`` then fills in ``.grad`` on every node of the graph.
    (``Value(data, (inputs...), 'op')``, the micrograd lecture's form, makes the
    output of an op written by hand: see ``_backward``.)

    Attributes:

    * ``data``: the number (a float; assign only plain numbers to it, e.g.
      ``p.data -= lr * p.grad``);
    * ``grad``: d(the Value ``backward()`` was called on) / d(this Value), 0.0 until then;
    * ``label``: a name for diagrams, formulas and error messages;
    * ``op`` and ``parents``: the op that made it and its inputs ('' and () for a leaf).

    ``< <= > >=`` compare ``data`` and are not recorded.  ``==`` and ``hash``
    stay by identity (``Value(2.0) == 2`` is False), so Values work in sets and
    as dict keys; compare ``v.data`` for numbers.  ``float(v)``, ``round(v, 2)``
    and ``f"{v:.3f}"`` give plain numbers from ``data``.

    >>> Value(2, label='a')
    Value(data=2.0, grad=0.0, label='a')
    >>> v = Value(2.0 / 3.0)
    >>> f"{v:.3f}", round(v, 2)
    ('0.667', 0.67)
    """

    # Parents sit in two slots rather than a tuple: one object per node instead of
    # two halves the work of Python's cyclic garbage collector on large graphs.
    # A constant that arithmetic lifts from a plain number is a leaf whose _a holds the
    # marker _CONSTANT (a leaf has no parents): it takes no gradient.  A flag of its own
    # would cost every node a slot, which Python's garbage collector would scan.
    __slots__ = ("data", "grad", "label", "_fn", "_a", "_b")

    data: float
    #: a float; a Value after ``backward(create_graph=True)``
    grad: Any
    label: str
    _fn: Any  # the Op that made it; None for a leaf
    _a: Any  # a Value, the marker _CONSTANT, or None
    _b: Value | None

    @overload
    def __init__(self, data: float, label: str = "") -> None: ...
    @overload
    def __init__(
        self, data: float, _children: Iterable[Value], _op: str = "", label: str = ""
    ) -> None: ...
    @overload
    def __init__(
        self, data: float, *, _children: Iterable[Value], _op: str = "", label: str = ""
    ) -> None: ...

    def __init__(
        self,
        data: float,
        *args: Any,
        label: str = "",
        _children: Iterable[Value] = (),
        _op: str = "",
    ) -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        self._fn = None
        self._a = self._b = None
        if args and isinstance(args[0], str):  # Value(data, 'a')
            if len(args) > 1 or label:
                raise TypeError(
                    _(
                        "Value takes one label: Value(data, label='a'); an op written by "
                        "hand is Value(data, (inputs...), 'op', 'label')"
                    )
                )
            label = args[0]
        elif args or _children or _op:
            # The lecture's Value(data, _children, _op, label): an op written by hand.
            children, symbol, label = _lecture_arguments(args, label, _children, _op)
            if children and not _recording_off.get():
                self._fn = _LectureRule(self, symbol, len(children))
                self._a = children[0]
                self._b = children[1] if len(children) == 2 else None
        if not isinstance(label, str):
            raise TypeError(
                _("Value label must be a str, got {type}").format(type=type(label).__name__)
            )
        self.label = label

    # -- what it is -------------------------------------------------------
    @property
    def op(self) -> str:
        """The name of the op that produced this Value ('' for a leaf you created)."""
        return self._fn.name if self._fn is not None else ""

    @property
    def rule(self) -> _ops.Op | None:
        """The :class:`~tinygrad_edu.ops.Op` that produced this Value (None for a leaf):
        its name, forward, derivative rule (``vjp``) and how it prints."""
        return self._fn  # type: ignore[no-any-return]

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (a tuple)."""
        if self._fn is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def is_leaf(self) -> bool:
        """True for Values made directly (inputs, parameters, constants)."""
        return self._fn is None

    # -- the micrograd lecture's names, so code written along it runs unchanged --
    @property
    def _prev(self) -> set[Value]:
        """The parents as a set, as micrograd's ``_prev`` (use ``parents`` for order and repeats)."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """The op as micrograd spells it: ``'+'``, ``'*'``, ``'tanh'``, ``'ReLU'``, ``'**2'``; ``''`` for a leaf."""
        op = self._fn
        if op is None:
            return ""
        if isinstance(op, _LectureRule):
            return op.symbol
        if op.param is not None:  # x ** k with a number exponent
            k = op.param
            return f"**{int(k) if k == int(k) else k}"
        return op.infix or _LECTURE_NAMES.get(op.name, op.name)  # type: ignore[no-any-return]

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's chain rule applied once, as micrograd's ``_backward()``: each
        parent's ``.grad += self.grad * local derivative``.  A leaf has nothing to pass on.

        >>> a = Value(2.0); b = Value(-3.0); c = a * b
        >>> c.grad = 1.0; c._backward(); a.grad, b.grad
        (-3.0, 2.0)

        As in the lecture, an op can be written by hand: its output made with
        ``Value(data, (inputs...), 'name')`` and given a ``_backward`` of its own,
        which ``backward()`` then runs in its turn:

        >>> x = Value(0.5, label='x')
        >>> out = Value(x.data ** 3, (x,), 'cube')
        >>> def _backward():
        ...     x.grad += 3 * x.data ** 2 * out.grad
        >>> out._backward = _backward
        >>> out.backward(); x.grad
        0.75
        """
        op = self._fn
        if isinstance(op, _LectureRule):
            return op.run
        return self._apply_rule

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        op = self._fn
        if not callable(fn):
            raise TypeError(
                _("_backward must be a function of no arguments, got {type}").format(
                    type=type(fn).__name__
                )
            )
        if isinstance(op, _LectureRule):
            op.closure = fn
        elif op is not None:
            raise AttributeError(
                _(
                    "this Value was made by {op}, whose chain rule is built in; to write an "
                    "op's rule yourself, make its output with Value(data, (inputs...), 'name') "
                    "and set _backward on that, or write an Op (see the guide, 'Your own op')"
                ).format(op=repr(self._op))
            )
        # a leaf has nothing to pass on: the lecture's `lambda: None` changes nothing

    def _apply_rule(self) -> None:
        op = self._fn
        if op is None:
            return
        parents = self.parents
        g = self.grad
        try:
            if isinstance(g, Value):
                grads = op.vjp(VALUE, g, self, *parents)
            else:
                grads = op.vjp(FLOAT, g, self.data, *(p.data for p in parents))
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            raise _backward_failed(err, self) from None
        for p, gp in zip(parents, grads):
            if not -_INF < _data_of(gp) < _INF:  # as backward() refuses them
                raise _non_finite(self, p, g, gp)
        for p, gp in zip(parents, grads):
            p.grad = p.grad + gp

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if self._fn is not None:
            parts.append(f"op={self.op!r}")
        return f"Value({', '.join(parts)})"

    def __float__(self) -> float:
        """The plain number: ``float(v) == v.data``."""
        return self.data

    def __round__(self, ndigits: int | None = None) -> float:
        """``round(v, n)`` rounds ``data``: a plain number, not recorded."""
        return round(self.data, ndigits)

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats ``data``; an empty format gives the repr."""
        return format(self.data, spec) if spec else repr(self)

    # Comparisons look at .data and are not recorded; == and hash stay by identity
    # so that Values work as members of sets and keys of dicts.

    def __lt__(self, other: Value | float) -> bool:
        """``v < w`` compares data (not recorded)."""
        return self.data < _data_of(other)

    def __le__(self, other: Value | float) -> bool:
        """``v <= w`` compares data (not recorded)."""
        return self.data <= _data_of(other)

    def __gt__(self, other: Value | float) -> bool:
        """``v > w`` compares data (not recorded)."""
        return self.data > _data_of(other)

    def __ge__(self, other: Value | float) -> bool:
        """``v >= w`` compares data (not recorded)."""
        return self.data >= _data_of(other)

    __hash__ = object.__hash__

    # -- arithmetic ----------------------------------------------------------

    def __add__(self, other: Value | float) -> Value:
        """``v + w``: local derivatives 1 and 1."""
        if type(other) is not Value:
            lifted = _lift(other)
            if lifted is None:
                return NotImplemented
            return _record(_ops.ADD, self, lifted)
        return _record(_ops.ADD, self, other)

    def __radd__(self, other: float) -> Value:
        """``2 + v``"""
        lifted = _lift(other)
        return NotImplemented if lifted is None else _record(_ops.ADD, lifted, self)

    def __sub__(self, other: Value | float) -> Value:
        """``v - w``: local derivatives 1 and -1."""
        if type(other) is not Value:
            lifted = _lift(other)
            if lifted is None:
                return NotImplemented
            return _record(_ops.SUB, self, lifted)
        return _record(_ops.SUB, self, other)

    def __rsub__(self, other: float) -> Value:
        """``2 - v``"""
        lifted = _lift(other)
        return NotImplemented if lifted is None else _record(_ops.SUB, lifted, self)

    def __mul__(self, other: Value | float) -> Value:
        """``v * w``: local derivatives w and v."""
        if type(other) is not Value:
            lifted = _lift(other)
            if lifted is None:
                return NotImplemented
            return _record(_ops.MUL, self, lifted)
        return _record(_ops.MUL, self, other)

    def __rmul__(self, other: float) -> Value:
        """``2 * v``"""
        lifted = _lift(other)
        return NotImplemented if lifted is None else _record(_ops.MUL, lifted, self)

    def __truediv__(self, other: Value | float) -> Value:
        """``v / w``: local derivatives 1/w and -v/w**2."""
        if type(other) is not Value:
            lifted = _lift(other)
            if lifted is None:
                return NotImplemented
            return _record(_ops.DIV, self, lifted)
        return _record(_ops.DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        """``2 / v``"""
        lifted = _lift(other)
        return NotImplemented if lifted is None else _record(_ops.DIV, lifted, self)

    def __pow__(self, other: Value | float) -> Value:
        """``x ** 3`` (a number exponent) or ``x ** y`` (a Value exponent; needs x > 0)."""
        if isinstance(other, Value):
            return _record(_ops.POW, self, other)
        if isinstance(other, numbers.Real):
            return _record(_ops.power_by(_finite(other, "power", "exponent")), self, None)
        return NotImplemented

    def __rpow__(self, other: float) -> Value:
        """``2 ** v`` (the base must be positive)."""
        lifted = _lift(other)
        return NotImplemented if lifted is None else _record(_ops.POW, lifted, self)

    def __neg__(self) -> Value:
        """``-v``: local derivative -1."""
        return _record(_ops.NEG, self, None)

    def __pos__(self) -> Value:
        """``+v`` is v itself."""
        return self

    # -- functions -------------------------------------------------------------
    def exp(self) -> Value:
        """e ** x; local derivative exp(x)."""
        return _record(_ops.EXP, self, None)

    def log(self) -> Value:
        """Natural log, for x > 0; local derivative 1 / x."""
        return _record(_ops.LOG, self, None)

    def sqrt(self) -> Value:
        """Square root, for x >= 0; local derivative 1 / (2 sqrt(x))."""
        return _record(_ops.SQRT, self, None)

    def tanh(self) -> Value:
        """Hyperbolic tangent; local derivative 1 - tanh(x)**2."""
        return _record(_ops.TANH, self, None)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x); local derivative out * (1 - out)."""
        return _record(_ops.SIGMOID, self, None)

    def relu(self) -> Value:
        """max(0, x); local derivative 1 for x > 0, else 0."""
        return _record(_ops.RELU, self, None)

    def sin(self) -> Value:
        """Sine; local derivative cos(x)."""
        return _record(_ops.SIN, self, None)

    def cos(self) -> Value:
        """Cosine; local derivative -sin(x)."""
        return _record(_ops.COS, self, None)

    def abs(self) -> Value:
        """|x|; local derivative sign(x) (0 at the kink)."""
        return _record(_ops.ABS, self, None)

    __abs__ = abs  # abs(v) and v.abs() are the same op

    # -- gradients ---------------------------------------------------------------
    def backward(self, gradient: Value | float = 1.0, *, create_graph: bool = False) -> None:
        """Apply the chain rule from this Value back to every node of its graph.

        Seeds this Value's grad with ``gradient`` (the upstream gradient, 1.0
        by default, as in PyTorch), then visits the nodes in reverse
        topological order, each adding upstream gradient x local derivative to
        its parents' grads.  Only nodes that lead to a Value that can take a
        gradient are visited: the constants that arithmetic lifts from plain
        numbers get none.

        Leaves (inputs, parameters) *accumulate*: the pass's contributions to
        a leaf are summed, then added to what it already holds, as PyTorch
        does, so clear them between steps with :func:`zero_grad` or
        ``optimizer.zero_grad()``.  Intermediate nodes show this pass only.
        A gradient that comes out inf or nan raises
        :class:`NonFiniteGradientError` naming the op, and leaves every leaf's
        grad as it was.

        With ``create_graph=True`` the gradients are themselves Values, recorded
        as a graph, so they can be differentiated again:

        >>> x = Value(2.0)
        >>> y = x**4 - 2*x**2
        >>> y.backward(create_graph=True)
        >>> dy = x.grad; dy.data               # 4x^3 - 4x
        24.0
        >>> x.grad = 0.0
        >>> dy.backward(); x.grad              # 12x^2 - 4
        44.0
        >>> x.grad = 0.0
        >>> (x * x).backward(5.0); x.grad      # upstream 5 x (2x)
        20.0
        """
        seed = _upstream(gradient, create_graph)
        order, wanted = _walk(self)
        if _LectureRule.made:
            _check_hand_written(order)
        _run_pass(order, wanted, self, seed, create_graph)

    def __reduce__(self) -> tuple[Callable[..., Value], tuple[Any, ...]]:
        """Pickle and ``copy.deepcopy`` support, without recursion.

        A leaf is its numbers.  A computed Value is a flat table of the
        computed nodes of its graph (ops by registered name, parents by
        position or as leaf objects), so a chain a million ops deep needs no
        recursion, and leaves shared by several pickled Values stay shared.
        """
        if self._fn is None:
            return (_rebuild_leaf, (self.data, self.grad, self.label, self._a is _CONSTANT))
        order = [node for node in topological_order(self) if node._fn is not None][::-1]
        index = {node: i for i, node in enumerate(order)}
        table = []
        for node in order:
            parents = tuple(index.get(p, p) for p in node.parents)  # an int, or a leaf
            table.append((node.data, node.grad, node.label, _op_spec(node._fn), parents))
        return (_rebuild_graph, (table,))

    def formula(self, **options: Any) -> str:
        """The expression that computed this Value, as text: ``'tanh(x1*w1 + x2*w2 + b)'``.

        Options (``max_length``, ``stop_at_labels``) as in :func:`tinygrad_edu.formula.formula`.
        """
        return _formula.formula(self, **options)

    def zero_grad(self) -> None:
        """Set .grad to 0.0 on every node of this Value's graph."""
        for node in topological_order(self):
            node.grad = 0.0


# ---------------------------------------------------------------------------
# Ops written by hand, as in the micrograd lecture


def _lecture_arguments(
    args: tuple[Any, ...], label: Any, keyword_children: Iterable[Value], keyword_op: str
) -> tuple[list[Value], str, Any]:
    """Value(data, _children, _op, label)'s arguments read as the lecture's Value reads
    them: (the children as a list, the op's symbol, the label)."""
    if len(args) > 3 or (len(args) == 3 and label):
        raise TypeError(_("Value takes at most four arguments: Value(data, _children, _op, label)"))
    children: Any = args[0] if args else ()
    symbol = args[1] if len(args) > 1 else keyword_op
    label = args[2] if len(args) == 3 else label
    if not isinstance(children, (tuple, list, set, frozenset)):
        raise TypeError(
            _(
                "Value(data, _children, _op): _children must be a tuple of Values such as "
                "(a, b), got {type}"
            ).format(type=type(children).__name__)
        )
    if not isinstance(symbol, str):
        raise TypeError(
            _("Value(data, _children, _op): _op must be a str such as '+', got {type}").format(
                type=type(symbol).__name__
            )
        )
    found = list(children) + list(keyword_children)
    for child in found:
        if not isinstance(child, Value):
            raise TypeError(
                _(
                    "Value(data, _children, _op): the children must be Values, got {type} ({value})"
                ).format(type=type(child).__name__, value=f"{child!r:.40}")
            )
    if len(found) > 2:
        raise ValueError(
            _(
                "Value(data, _children, _op): an op takes one or two inputs, got {count}; "
                "build a longer one from pairs, as a sum is a chain of +"
            ).format(count=len(found))
        )
    return found, symbol or "?", label


class HandWrittenRuleError(TypeError):
    """An op written by hand (``Value(data, children, op)`` with a ``_backward``) was asked
    for its rule as formulas, which only an :class:`~tinygrad_edu.ops.Op` has: by the jit,
    ``backward(create_graph=True)`` or the generated code of the step-through page."""


def _check_hand_written(order: list[Value]) -> None:
    """A Value made by hand (Value(data, children, op)) without a _backward stops
    backward() with an error naming it, rather than pass back nothing."""
    for node in order:
        op = node._fn
        if type(op) is _LectureRule and op.closure is None:
            name = f" ({node.label!r})" if node.label else ""
            raise TypeError(
                _(
                    "backward: the Value{name} made with Value({data}, children, {op}) has no "
                    "_backward, so no gradient would pass through it; give it one: "
                    "out._backward = _backward"
                ).format(name=name, data=format(node.data, ".6g"), op=repr(op.symbol))
            )


class _LectureRule(_ops.Op):
    """The op of a Value made by hand, as the micrograd lecture makes one: its output
    made with ``Value(data, (inputs...), symbol)`` and its chain rule in ``closure``,
    a function of no arguments set as the output's ``_backward``, which adds
    ``local derivative * out.grad`` to each input's ``.grad``.

    Its ``vjp`` runs the closure with the inputs' grads set aside, reads what it added
    to them and puts them back, so that the backward pass, the step-through page and
    the diagrams can ask for the gradients it passes back without changing anything.
    Only on floats: it has no rule for the jit or ``create_graph=True``.
    """

    __slots__ = ("node", "symbol", "closure")

    node: Value
    symbol: str
    closure: Callable[[], None] | None

    #: Set once a Value is made by hand: backward() then checks that each such Value
    #: in its graph has a _backward (costing nothing to graphs made by arithmetic).
    made = False

    def __init__(self, node: Value, symbol: str, arity: int) -> None:
        # (not Op.__init__: the lecture's names, '+' or '**2', are not identifiers)
        _LectureRule.made = True
        self.node = node
        self.symbol = symbol
        self.closure = None
        self.name = symbol
        self.arity = arity
        self.infix = symbol if arity == 2 and symbol in _ops._INFIX_SYMBOLS else None
        self.param = None
        self.kinks = ()
        self.activation = False
        self.forward = self._no_forward
        self.vjp = self._vjp

    def _no_forward(self, m: Any, *inputs: Any) -> Any:
        raise HandWrittenRuleError(
            _(
                "{op} was written by hand (Value(data, children, op) with its own "
                "_backward): the jit, backward(create_graph=True) and printed rules need "
                "its rule as formulas; write it as an Op (see the guide, 'Your own op')"
            ).format(op=repr(self.symbol))
        )

    def run(self) -> None:
        """``out._backward()``: the closure, run as the lecture runs it."""
        if self.closure is not None:
            self.closure()

    def _vjp(self, m: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        if m is not FLOAT:
            self._no_forward(m)
        node = self.node
        parents = node.parents
        if self.closure is None:  # as the lecture's `lambda: None` (backward() refuses it)
            return (0.0,) * len(parents)
        unique = list(dict.fromkeys(parents))  # (a + a: a once)
        held = [p.grad for p in unique]
        held_out = node.grad
        try:
            for p in unique:
                p.grad = 0.0
            node.grad = g
            self.closure()
            added = {p: p.grad for p in unique}
        finally:
            for p, before in zip(unique, held):
                p.grad = before
            node.grad = held_out
        # An input met twice (a + a) gets its share on each edge: the total is right,
        # and for the lecture's ops (a + a, a * a) so is each edge.
        return tuple(added[p] / parents.count(p) for p in parents)


# ---------------------------------------------------------------------------
# Building nodes


def _as_float(data: Any) -> float:
    if type(data) is float:
        x = data
    elif isinstance(data, numbers.Real):  # int, bool, Fraction, numpy scalars (even float64)
        x = _to_float(data, "Value data")
    elif hasattr(data, "shape") and hasattr(data, "item"):  # a numpy array
        if getattr(data, "size", None) != 1:
            raise TypeError(
                _("Value holds one number, got an array of shape {shape}").format(
                    shape=tuple(data.shape)
                )
            )
        return _as_float(data.item())
    else:
        message = (
            _("Value holds a real number, got {type} ({value}); use Value(v.data) to copy one")
            if isinstance(data, Value)
            else _("Value holds a real number, got {type} ({value})")
        )
        raise TypeError(message.format(type=type(data).__name__, value=f"{data!r:.40}"))
    if not -_INF < x < _INF:
        raise ValueError(_("Value data must be finite, got {value}").format(value=repr(x)))
    return x


#: What _to_float and _finite are told a number is ("exponent"), marked for translation
#: here so that the callers pass plain strings (x ** 2 runs in every loss).
_WHATS = (
    N_("Value data"),
    N_("exponent"),
    N_("number operand"),
    N_("input"),
    N_("upstream gradient"),
)


def _to_float(x: Any, what: str, op: str | None = None) -> float:
    """float(x), or an OverflowError naming ``what`` (and ``op``) for an int too large."""
    try:
        return float(x)
    except OverflowError:
        subject = _(what) if op is None else _("{op}: the {what}").format(op=op, what=_(what))
        raise OverflowError(
            _(
                "{subject} is too large for a float ({digits}...); "
                "the largest float is about 1.8e308"
            ).format(subject=subject, digits=str(x)[:20])
        ) from None


def _finite(x: object, op: str, what: str) -> float:
    x = _to_float(x, what, op)
    if not -_INF < x < _INF:
        raise ValueError(
            _("{op}: the {what} must be finite, got {value}").format(
                op=op, what=_(what), value=repr(x)
            )
        )
    return x


def _lift(other: object) -> Value | None:
    """A Value for `other`: itself, a constant for a number, None for anything else."""
    if type(other) is float:  # the common case first: a float literal in a formula
        if -_INF < other < _INF:
            return _const(other)
    elif type(other) is int:
        try:
            return _const(float(other))
        except OverflowError:
            return _const(_finite(other, "arithmetic", "number operand"))
    if isinstance(other, Value):
        return other
    if isinstance(other, numbers.Real):
        return _const(_finite(other, "arithmetic", "number operand"))
    return None


def _data_of(other: object) -> float:
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return other  # type: ignore[return-value]  # any Real compares with a float
    raise TypeError(_("cannot compare a Value with {type}").format(type=type(other).__name__))


_new = object.__new__


class _Constant(Value):
    """A plain number that arithmetic lifted into the graph (the 2.0 of ``2.0 * x``).

    It takes no gradient: its ``grad`` is always 0.0 and what the backward pass
    writes into it is dropped -- cheaper than asking, for every edge, whether
    the parent is a constant.  The walk of the backward pass leaves constants
    out (their ``_a`` holds the marker ``_CONSTANT``).
    """

    __slots__ = ()
    grad = property(
        lambda self: 0.0, lambda self, g: None, doc="Always 0.0: a constant takes no gradient."
    )


def is_constant(v: object) -> bool:
    """True for a plain number that arithmetic lifted into the graph (the 2.0 of
    ``2.0 * x``): a leaf that takes no gradient."""
    return type(v) is _Constant


def _const(data: float) -> Value:
    """A constant: a leaf no gradient is computed for (arithmetic lifts numbers to these)."""
    v = _new(_Constant)
    v.data = data
    v.label = ""
    v._fn = v._b = None
    v._a = _CONSTANT
    return v


def apply(op: _ops.Op, *inputs: Any) -> Any:
    """Apply ``op`` to its inputs: on Values the result is recorded in the graph; on plain
    numbers only, the result is a plain float.  (``op(*inputs)`` calls this.)

    >>> from tinygrad_edu.ops import TANH
    >>> apply(TANH, 0.0), apply(TANH, Value(0.0)).op
    (0.0, 'tanh')
    """
    if not any(isinstance(x, Value) for x in inputs):
        values = [
            _finite(x, op.name, "input") if isinstance(x, numbers.Real) else x for x in inputs
        ]
        for x in values:
            if not isinstance(x, float):
                raise _not_an_input(op, x)
        return _record(op, *[_const(x) for x in values], *([None] * (2 - len(values)))).data
    lifted = [_lift(x) for x in inputs]
    for x, v in zip(inputs, lifted):
        if v is None:
            raise _not_an_input(op, x)
    return _record(op, lifted[0], lifted[1] if len(lifted) == 2 else None)  # type: ignore[arg-type]


def _not_an_input(op: _ops.Op, x: object) -> TypeError:
    return TypeError(
        _("{op}: inputs must be numbers or Values, got {type}").format(
            op=op.name, type=type(x).__name__
        )
    )


def _op_spec(op: _ops.Op) -> str | tuple[str, float]:
    if type(op) is _LectureRule:
        raise TypeError(
            _(
                "cannot pickle a Value whose op {op} was written by hand (its _backward is "
                "Python code); write the op as an Op and register it"
            ).format(op=repr(op.symbol))
        )
    if op.param is not None and op.name == "power":
        return ("power", op.param)
    if op is IDENTITY_OP or _ops.OPS.get(op.name) is op:
        return op.name
    raise TypeError(
        _(
            "cannot pickle a Value made by the op {quoted}, which is not registered: "
            "call tinygrad_edu.register({name}) first (ops are found by name when loading)"
        ).format(quoted=repr(op.name), name=op.name)
    )


def _op_from_spec(spec: str | tuple[str, float]) -> _ops.Op:
    if isinstance(spec, tuple):
        return _ops.power_by(spec[1])
    if spec == IDENTITY_OP.name:
        return IDENTITY_OP
    op = _ops.OPS.get(spec)
    if op is None:
        raise ValueError(
            _(
                "cannot unpickle a Value made by the op {name}: no op of that name is "
                "registered here; define and register it before loading"
            ).format(name=repr(spec))
        )
    return op


def _rebuild_leaf(data: float, grad: Any, label: str, constant: bool) -> Value:
    if constant:
        v = _const(_as_float(data))
        v.label = label
        return v
    v = Value(data, label)
    v.grad = grad
    return v


def _rebuild_graph(table: list[tuple[Any, ...]]) -> Value:
    nodes: list[Value] = []
    for data, grad, label, spec, parents in table:
        v = _new(Value)
        v.data, v.grad, v.label = data, grad, label
        v._fn = _op_from_spec(spec)
        ps = [nodes[p] if isinstance(p, int) else p for p in parents]
        v._a = ps[0]
        v._b = ps[1] if len(ps) == 2 else None
        nodes.append(v)
    return nodes[-1]


_ops.set_applier(apply)


def _call_text(op: _ops.Op, operands: Iterable[Value]) -> str:
    """``op(operands)`` as the learner wrote it: labels and values, then the op's own constant."""
    names = [_describe(v) for v in operands]
    if op.param is not None:  # the exponent of x ** k
        names.append(repr(op.param))
    return f"{op.name}({', '.join(names)})"


#: Python's own words when a float operation fails, which a derivative rule
#: (g * 0.5 / out, for sqrt at 0) or a learner's op can bring up: shown in the
#: language in force where it has them (see _arithmetic_words).
_PYTHON_WORDS = {
    "float division by zero": N_("float division by zero"),
    "division by zero": N_("division by zero"),
    "math domain error": N_("math domain error"),
    "math range error": N_("math range error"),
    "(34, 'Numerical result out of range')": N_("numerical result out of range"),
}


def _arithmetic_words(err: BaseException) -> str:
    """``str(err)``, translated if it is one of Python's messages in _PYTHON_WORDS."""
    text = str(err)
    message = _PYTHON_WORDS.get(text)
    if message is None:
        return text
    translated = _(message)
    return text if translated == message else translated


def _failed(err: Exception, op: _ops.Op, operands: Iterable[Value]) -> Exception:
    """A forward error said once: ``op(operands): why``, the operands named by their labels.
    (The float functions of ops.py keep their ``why`` as ``err.reason``.)"""
    reason = getattr(err, "reason", None)
    if reason is None:
        reason = _arithmetic_words(err)
    failed = type(err)(f"{_call_text(op, operands)}: {reason}")
    failed.reason = reason  # type: ignore[attr-defined]  # the expression reader words it too
    return failed


def _not_a_float(op: _ops.Op, a: Value, b: Value | None) -> TypeError:
    """A learner assigned something other than a number to .data (often a Value)."""
    for v in (a, b):
        if v is not None and (not isinstance(v.data, numbers.Real) or isinstance(v.data, Value)):
            name = repr(v.label) if v.label else _("an operand")
            message = (
                _(
                    "{op}: {name} has .data = {value} of type {type}; .data must be a number "
                    "(it holds a Value: update parameters with plain numbers, "
                    "p.data -= lr * p.grad, not p.data = p - lr * p.grad)"
                )
                if isinstance(v.data, Value)
                else _("{op}: {name} has .data = {value} of type {type}; .data must be a number")
            )
            return TypeError(
                message.format(
                    op=op.name, name=name, value=f"{v.data!r:.60}", type=type(v.data).__name__
                )
            )
    return TypeError(_("{op}: the forward gave a result that is not a number").format(op=op.name))


def _bad_operand(op: _ops.Op, a: Value, b: Value | None) -> Exception | None:
    """The error for an operand whose .data was set by hand to a non-number, inf or nan
    (None if both operands hold finite numbers)."""
    for v in (a, b):
        if v is None:
            continue
        x = v.data
        if not isinstance(x, numbers.Real) or isinstance(x, Value):
            return _not_a_float(op, a, b)
        if not -_INF < x < _INF:
            name = repr(v.label) if v.label else _("an operand")
            return ValueError(
                _(
                    "{op}: {name} has .data = {value}; .data must be a finite "
                    "number (was it assigned by hand?)"
                ).format(op=op.name, name=name, value=repr(x))
            )
    return None


def _overflowed(op: _ops.Op, operands: Iterable[Value], result: float) -> Exception:
    if result != result:
        reason = _("the result is not a number (nan)")
        failed: Exception = ValueError(f"{_call_text(op, operands)}: {reason}")
    else:
        reason = _("the result overflows a float")
        failed = OverflowError(f"{_call_text(op, operands)}: {reason}")
    failed.reason = reason  # type: ignore[attr-defined]  # the expression reader words it too
    return failed


def _record(op: _ops.Op, a: Value, b: Value | None) -> Value:
    """Compute op on a (and b) and return the new node, recording the edge(s)
    unless inside no_grad.  Written out in one function because every op of
    every forward pass runs through here."""
    try:
        if b is None:
            x = a.data
            # Not 0.0 for inf and nan assigned by hand (tanh(inf) would quietly be 1.0) and
            # for a Value assigned to .data (math.tanh would quietly take its float()).
            if x - x != 0.0:
                raise TypeError
            data = op.forward(FLOAT, x)
        else:
            data = op.forward(FLOAT, a.data, b.data)
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        if not _lenient.get():
            raise _bad_operand(op, a, b) or _failed(
                err, op, (a,) if b is None else (a, b)
            ) from None
        data = math.nan
    except TypeError:
        if not (_lenient.get() and type(a.data) is float):
            raise _bad_operand(op, a, b) or _not_a_float(op, a, b) from None
        data = math.nan
    if type(data) is not float:
        if not isinstance(data, numbers.Real) or isinstance(data, Value):
            raise _not_a_float(op, a, b)  # a non-number assigned to .data, or a rule's slip
        data = float(data)  # an int assigned to .data, or numpy.float64
    if not -_INF < data < _INF and not _lenient.get():
        raise _bad_operand(op, a, b) or _overflowed(op, (a,) if b is None else (a, b), data)
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    if _recording_off.get():
        v._fn = v._a = v._b = None  # a new leaf, as if made with Value()
    else:
        v._fn = op
        v._a = a
        v._b = b
    return v


# ---------------------------------------------------------------------------
# The backward pass


def topological_order(root: Value) -> list[Value]:
    """Every node of root's graph, root first, each before all of its parents.

    Iterative (an explicit stack), so a chain of a million ops needs no
    recursion.  Reversed, this is the order in which the forward pass could
    have computed the nodes.
    """
    return _walk(root, everything=True)[0]


def _walk(root: Value, stop: Any = (), everything: bool = False) -> tuple[list[Value], set[Value]]:
    """(nodes in backward order, the set of them) for root's graph.

    Unless ``everything``, a node no gradient can reach (a constant) is left
    out; nodes in ``stop`` are taken as variables: their parents are not visited.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    mark, append = visited.add, order.append
    # Depth-first; a node is appended after all of its parents (post-order).
    # Two parallel stacks, the node and whether its parents are done, so the
    # walk allocates no objects per node (which keeps the garbage collector quiet).
    # A node is marked when it is expanded, not when it is pushed: marking on push
    # would let a node reached by two paths be appended before one of its parents.
    if root._a is _CONSTANT and not everything:
        return order, visited
    nodes, parents_done = [root], [False]
    push, pop, push_flag, pop_flag = nodes.append, nodes.pop, parents_done.append, parents_done.pop
    skip = _NOTHING if everything else _CONSTANT  # a parent whose _a is skip is left out
    while nodes:
        node = pop()
        if pop_flag():
            append(node)
            continue
        if node in visited:  # pushed again by another path before being expanded
            continue
        mark(node)
        push(node)
        push_flag(True)
        if stop and node in stop:
            continue  # a variable of grad(): its parents are not visited
        b = node._b
        if b is not None and b not in visited and b._a is not skip:
            push(b)
            push_flag(False)
        a = node._a
        if a is not None and a not in visited and a._a is not skip:
            push(a)
            push_flag(False)
    order.reverse()
    return order, visited


def _upstream(gradient: object, create_graph: bool) -> Any:
    """The seed of a backward pass, checked: a finite number (or a Value, to record)."""
    if isinstance(gradient, bool):
        raise TypeError(
            _(
                "backward({value}): the first argument is the upstream gradient, "
                "a number; to record the gradients write backward(create_graph={value})"
            ).format(value=repr(gradient))
        )
    if isinstance(gradient, Value):
        if not create_graph:
            return gradient.data
        return gradient
    if not isinstance(gradient, numbers.Real):
        raise TypeError(
            _("backward: the upstream gradient must be a number, got {type} ({value})").format(
                type=type(gradient).__name__, value=f"{gradient!r:.40}"
            )
        )
    g = _finite(gradient, "backward", "upstream gradient")
    return _const(g) if create_graph else g


def _run_pass(
    order: list[Value],
    wanted: set[Value],
    root: Value,
    seed: Any,
    create_graph: bool,
    terminals: Any = None,
) -> None:
    """One backward pass over ``order`` from ``root``, whose grad is ``seed``.

    Gradients go only to nodes in ``wanted``.  Each leaf's contributions are
    summed over the pass, then added to what it held before; if the pass
    fails, every leaf keeps what it held.
    """
    leaves, held = [], []
    for node in order:
        if node._fn is None:
            leaves.append(node)
            held.append(node.grad)
        node.grad = 0.0
    root.grad = seed
    recording = _recording_off.set(False) if create_graph else None
    try:
        if create_graph:
            _chain_rule_recorded(order, wanted)
        else:
            _chain_rule(order, wanted)
        for node, before in zip(leaves, held):
            if not (type(before) is float and before == 0.0):
                g = node.grad
                if not isinstance(before, (numbers.Real, Value)) or isinstance(before, bool):
                    raise _bad_leaf_grad(node, before)
                if not -_INF < _data_of(before) < _INF:
                    raise _held_not_finite(node, before)
                node.grad = before if (type(g) is float and g == 0.0) else before + g
        if not create_graph:
            _check_finite(order, wanted, leaves if terminals is None else terminals)
    except BaseException:
        for node, before in zip(leaves, held):
            node.grad = before
        raise
    finally:
        if recording is not None:
            _recording_off.reset(recording)


def _chain_rule(order: list[Value], wanted: set[Value]) -> None:
    """Float backward pass: node.grad already holds the upstream gradient at the root."""
    m = FLOAT
    node: Any = None
    try:
        for node in order:
            op = node._fn
            g = node.grad
            if op is None or g == 0.0:  # leaves have nothing to pass on; zero passes on zero
                continue
            a = node._a
            b = node._b
            if b is not None:
                ga, gb = op.vjp(m, g, node.data, a.data, b.data)
                a.grad += ga  # (a constant drops what it is given)
                b.grad += gb
            else:
                a.grad += op.vjp(m, g, node.data, a.data)[0]
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        if type(node._fn) is _LectureRule:
            raise  # from a _backward written by hand: its own words, at its own line
        # A rule failed; if it was computing a gradient nobody asks for (a
        # constant's), keep the others and carry on from the next node.
        _resume_after_failure(err, order, order.index(node), wanted, _chain_rule)
    except TypeError:
        if type(node._fn) is _LectureRule:
            raise
        raise _vjp_shape_error(node) or _bad_grad(node) from None


def _resume_after_failure(
    err: Exception, order: list[Value], i: int, wanted: set[Value], rest: Any
) -> Any:
    node = order[i]
    shape = _vjp_shape_error(node)
    if shape is not None:
        raise shape from None
    try:
        grads = _lenient_vjp(node, recorded=False)
    except (ValueError, ArithmeticError, TypeError) as again:  # raised by the rule itself
        raise _backward_failed(again, node) from None
    parents = node.parents
    for p, gp in zip(parents, grads):
        if p in wanted and not -_INF < gp < _INF:
            raise _backward_failed(err, node) from None
    for p, gp in zip(parents, grads):
        if p in wanted:
            p.grad += gp
    rest(order[i + 1 :], wanted)


def _lenient_vjp(node: Value, recorded: bool) -> Any:
    """node's rule run again with failed ops giving nan instead of raising: then
    only the gradients that are asked for decide whether the pass fails."""
    token = _lenient.set(True)
    off = None if recorded else _recording_off.set(True)
    try:
        parents = node.parents
        if recorded:
            g = node.grad if isinstance(node.grad, Value) else _const(node.grad)
            return node._fn.vjp(VALUE, g, node, *parents)
        grads = node._fn.vjp(
            VALUE, _const(node.grad), _const(node.data), *[_const(p.data) for p in parents]
        )
        return [gp.data if isinstance(gp, Value) else float(gp) for gp in grads]
    finally:
        if off is not None:
            _recording_off.reset(off)
        _lenient.reset(token)


def _chain_rule_recorded(order: list[Value], wanted: set[Value]) -> None:
    """The same pass with Values instead of floats: the gradients form a graph.

    Recording is on for the pass even inside ``no_grad()`` (the caller sees
    to it): a graph is what ``create_graph=True`` asks for, and without one
    every higher derivative would silently be 0.
    """
    m = VALUE
    for node in order:
        op = node._fn
        if op is None:
            continue
        g = node.grad
        if not isinstance(g, Value):
            if g == 0.0:
                continue  # no path from the root passes here
            g = node.grad = _const(g)
        parents = node.parents
        try:
            grads = op.vjp(m, g, node, *parents)
        except (ValueError, ZeroDivisionError, OverflowError) as err:
            shape = _vjp_shape_error(node)
            if shape is not None:
                raise shape from None
            try:
                grads = _lenient_vjp(node, recorded=True)
            except (ValueError, ArithmeticError, TypeError) as again:
                raise _backward_failed(again, node) from None
            for p, gp in zip(parents, grads):
                if p in wanted and not -_INF < _data_of(gp) < _INF:
                    raise _backward_failed(err, node) from None
        except TypeError:
            if type(op) is _LectureRule:
                raise  # written by hand: it has no rule on Values, and says so
            raise _vjp_shape_error(node) or _bad_grad(node) from None
        problem = _shape_problem(op, grads)
        if problem is not None:
            raise problem
        for p, gp in zip(parents, grads):
            if p in wanted:
                before = p.grad
                p.grad = gp if (type(before) is float and before == 0.0) else before + gp


def _check_finite(order: list[Value], wanted: set[Value], terminals: Any) -> None:
    """Raise NonFiniteGradientError if a gradient the pass produced is inf or nan.

    One sum over the terminal nodes (the leaves, or grad()'s variables) costs
    little; only if it is not finite is the graph walked again to find the op
    where the gradient stopped being finite.
    """
    total = 0.0
    for node in terminals:
        total += node.grad
    if -_INF < total < _INF:
        return
    m = FLOAT
    for node in order:
        op, g = node._fn, node.grad
        if op is None or not -_INF < g < _INF:
            continue
        parents = node.parents
        try:
            grads = op.vjp(m, g, node.data, *[p.data for p in parents])
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # handled during the pass: a constant's gradient
        for p, gp in zip(parents, grads):
            if p in wanted and not -_INF < gp < _INF:
                raise _non_finite(node, p, g, gp)
    for node in terminals:
        if not -_INF < node.grad < _INF:
            name = repr(node.label) if node.label else _("a leaf")
            raise NonFiniteGradientError(
                _(
                    "backward: the gradient of {name} is {grad}: its contributions "
                    "(with what it held before) add up to more than a float can hold"
                ).format(name=name, grad=repr(node.grad))
            )


def _non_finite(node: Value, parent: Value, upstream: Any, grad: Any) -> Exception:
    which = _describe(parent)
    return NonFiniteGradientError(
        _(
            "backward of {call}: the gradient passed to {name} is {grad} (upstream gradient "
            "{upstream} x local derivative), not a finite number; the inputs are too close "
            "to where the derivative is infinite, or too large"
        ).format(
            call=_call_text(node._fn, node.parents),
            name=which,
            grad=repr(grad),
            upstream=repr(upstream),
        )
    )


def _vjp_shape_error(node: Value) -> Exception | None:
    """A TypeError if node's rule does not give one gradient per input (a tuple), else None."""
    op = node._fn
    try:
        token = _lenient.set(True)
        off = _recording_off.set(True)
        try:
            grads = op.vjp(
                VALUE, _const(1.0), _const(node.data), *[_const(p.data) for p in node.parents]
            )
        finally:
            _recording_off.reset(off)
            _lenient.reset(token)
    except Exception:  # noqa: BLE001 - the rule fails for another reason
        return None
    return _shape_problem(op, grads)


def _shape_problem(op: _ops.Op, grads: object) -> Exception | None:
    if isinstance(grads, (tuple, list)) and len(grads) == op.arity:
        return None
    got = (
        _("{count} gradient(s)").format(count=len(grads))
        if isinstance(grads, (tuple, list))
        else _("one gradient, not a tuple")
    )
    message = (
        _(
            "the vjp of {op} returned {got}; it must return a tuple of {arity}, "
            "one per input, e.g. (g * ...,) -- note the comma"
        )
        if op.arity == 1
        else _(
            "the vjp of {op} returned {got}; it must return a tuple of {arity}, "
            "one per input, e.g. (g * ...,)"
        )
    )
    return TypeError(message.format(op=op.name, got=got, arity=op.arity))


def _bad_leaf_grad(node: Value, held: object) -> Exception:
    name = repr(node.label) if node.label else _("a leaf")
    return TypeError(
        _(
            "backward: {name} has .{attribute} = {value}; it must be a number "
            "(reset gradients with zero_grad(params) or v.grad = 0.0)"
        ).format(name=name, attribute="grad", value=f"{held!r:.60}")
    )


def _held_not_finite(node: Value, held: Any) -> Exception:
    name = repr(node.label) if node.label else _("a leaf")
    return NonFiniteGradientError(
        _(
            "backward: {name} held the gradient {grad} before this pass (set by hand, or "
            "left by an earlier pass); reset gradients with zero_grad(params) or v.grad = 0.0"
        ).format(name=name, grad=repr(held))
    )


def _bad_grad(node: Value) -> Exception:
    """Someone set a .grad (or .data) to something that is not a number."""
    for v in (node,) + node.parents:
        for attr in ("grad", "data"):
            x = getattr(v, attr)
            if not isinstance(x, (float, int, Value)) or isinstance(x, bool):
                name = repr(v.label) if v.label else _("a node")
                return TypeError(
                    _(
                        "backward: {name} has .{attribute} = {value}; it must be a number "
                        "(reset gradients with zero_grad(params) or v.grad = 0.0)"
                    ).format(name=name, attribute=attr, value=f"{x!r:.60}")
                )
    return TypeError(
        _("backward of {call}: an operand is not a number").format(
            call=_call_text(node._fn, node.parents)
        )
    )


def _backward_failed(err: Exception, node: Value) -> Exception:
    """The error of a local derivative that cannot be computed, naming the op and operands:
    NonFiniteGradientError where it is infinite, a ValueError outside its domain."""
    kind = (
        NonFiniteGradientError if isinstance(err, (ZeroDivisionError, OverflowError)) else type(err)
    )
    return kind(
        _("backward of {call}: the local derivative is not finite here ({error})").format(
            call=_call_text(node._fn, node.parents), error=_arithmetic_words(err)
        )
    )


#: The elementary functions on Values, for derivative rules run with create_graph=True.
VALUE = _ops.Namespace(
    N_("Values"),
    lambda op: functools.partial(apply, op),
    exp=Value.exp,
    log=Value.log,
    sqrt=Value.sqrt,
    tanh=Value.tanh,
    sigmoid=Value.sigmoid,
    relu=Value.relu,
    sin=Value.sin,
    cos=Value.cos,
    abs=Value.abs,
    pow=lambda x, k: x**k,
    vpow=lambda x, y: x**y,
    div=lambda x, y: x / y,
    step=lambda x: FLOAT.step(x.data),  # piecewise constant: no derivative of its own
    sign=lambda x: FLOAT.sign(x.data),
)


def zero_grad(params: Iterable[Value]) -> None:
    """Set .grad to 0.0 on each Value in ``params`` (e.g. ``model.parameters()``).

    >>> w = Value(1.0); w.grad = 5.0
    >>> zero_grad([w]); w.grad
    0.0
    """
    for p in params:
        p.grad = 0.0
