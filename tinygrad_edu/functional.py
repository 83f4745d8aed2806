"""grad and value_and_grad: derivatives of Python functions, as plain numbers.

>>> from tinygrad_edu import grad
>>> f = lambda x: x**4 - 2*x**2
>>> grad(f)(2.0)
24.0
>>> grad(grad(f))(2.0)      # second derivative 12x^2 - 4
44.0

Each call differentiates with respect to its own fresh variables, so nested
derivatives do not confuse one variable with another: below, the inner
derivative is taken with ``x`` held constant, and the outer one sees ``x``
again (d/dx [x * d/dy (x + y)] = d/dx [x] = 1).

>>> grad(lambda x: x * grad(lambda y: x + y)(1.0))(3.0)
1.0
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from .engine import IDENTITY_OP, Value, _const, _record, _recording_off, _run_pass, _walk
from .i18n import gettext as _

__all__ = ["grad", "value_and_grad"]

# How many grad/value_and_grad calls are running f right now.  Inside one, an
# inner grad returns Values (recorded), so that the outer one can differentiate it.
_depth = ContextVar("tinygrad_edu_grad_depth", default=0)


def _argnums_tuple(argnums: int | Sequence[int], nargs: int) -> tuple[tuple[int, ...], bool]:
    many = not isinstance(argnums, int)
    if many and not isinstance(argnums, (tuple, list)):
        raise TypeError(
            _("argnums must be an int or a tuple of ints, got {argnums}").format(
                argnums=repr(argnums)
            )
        )
    nums: tuple[int, ...] = tuple(argnums) if many else (argnums,)  # type: ignore[arg-type,assignment]
    if isinstance(argnums, bool):
        raise TypeError(
            _(
                "argnums={argnums}: a bool is not an argument position; "
                "pass an int or a tuple of ints"
            ).format(argnums=repr(argnums))
        )
    for i in nums:
        if isinstance(i, bool) or not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(
                _(
                    "argnums={argnums} does not fit a call with {count} positional argument(s)"
                ).format(argnums=repr(argnums), count=nargs)
            )
    return nums, many


def _variable(x: Any, nested: bool) -> Value:
    """A fresh variable for one grad() call, holding x's number.

    Inside an outer grad, a Value argument becomes an identity node of it: the
    inner derivative is taken with respect to the new node alone (the Value
    itself, and everything else the function closes over, is a constant to
    it), while the outer derivative still flows through the node to the Value.
    """
    if isinstance(x, Value):
        return _record(IDENTITY_OP, x, None) if nested else Value(x.data, label=x.label)
    return Value(x)


def _gradients(out: Value, wrt: list[Value], create_graph: bool) -> list[Any]:
    """d out / d w for each variable w in wrt, leaving every .grad in the graph as it was.

    The pass visits only the nodes between ``out`` and the variables: not the
    variables' own parents, nor anything that does not lead to a variable.
    """
    variables = set(wrt)
    order = _walk(out, stop=variables)[0]
    reach = set(variables)
    for node in reversed(order):  # parents before children
        if node not in variables and (node._a in reach or node._b in reach):
            reach.add(node)
    order = [node for node in order if node in reach]
    # The float pass also writes into parents outside the variables' reach (a Value f
    # closes over): their grads are saved and restored with the rest.
    touched = list(dict.fromkeys([*order, *(p for node in order for p in node.parents)]))
    saved = [node.grad for node in touched]
    try:
        for node in order:  # the variables start from 0, whatever f left in them
            node.grad = 0.0
        if order:
            _run_pass(
                order, reach, out, _const(1.0) if create_graph else 1.0, create_graph, terminals=wrt
            )
        return [w.grad if w in reach else 0.0 for w in wrt]
    finally:
        for node, g in zip(touched, saved):
            node.grad = g


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[Any, Any]]:
    """Return a function that computes ``(f(*args), df/d args[argnums])``.

    ``f`` takes Values (plain numbers passed in are made into Values) and
    returns a Value.  Called with numbers, the result is plain floats: one
    gradient for an int ``argnums``, a tuple for a tuple of them.  No
    ``.grad`` of the caller's Values is changed.  Called inside another
    ``grad``/``value_and_grad`` the results are Values, which is how nesting
    gives higher derivatives.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """
    name = getattr(f, "__name__", "f")

    def wrapped(*given: Any, **kwargs: Any) -> tuple[Any, Any]:
        nums, many = _argnums_tuple(argnums, len(given))
        nested = _depth.get() > 0
        args: list[Any] = list(given)
        for i in dict.fromkeys(n % len(args) for n in nums):
            a = args[i]
            if not isinstance(a, (Value, numbers.Real)):
                raise TypeError(
                    _("{name}: argument {i} must be a number or a Value, got {type}").format(
                        name=name, i=i, type=type(a).__name__
                    )
                )
            args[i] = _variable(a, nested)
        wrt = [args[i] for i in nums]  # argnums=(0, 0) asks for one variable twice
        token = _depth.set(_depth.get() + 1)
        # f is differentiated even when called inside an outer no_grad block (a no_grad
        # inside f still counts): otherwise its graph would be missing and every gradient 0.
        recording = _recording_off.set(False)
        try:
            out = f(*args, **kwargs)
        finally:
            _recording_off.reset(recording)
            _depth.reset(token)
        if isinstance(out, numbers.Real) and not isinstance(out, bool):
            out = _const(float(out))
        if not isinstance(out, Value):
            raise TypeError(
                _("{name} must return a Value or a number to be differentiated, got {type}").format(
                    name=name, type=type(out).__name__
                )
            )
        grads = _gradients(out, wrt, create_graph=nested)
        value: Any
        if nested:
            grads = [g if isinstance(g, Value) else _const(float(g)) for g in grads]
            value = out
        else:
            value = out.data
        return value, (tuple(grads) if many else grads[0])

    wrapped.__name__ = f"value_and_grad({name})"
    wrapped.__doc__ = f"Value and gradient of {name} with respect to argument(s) {argnums}."
    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Return a function that computes the gradient of ``f`` (see value_and_grad).

    >>> grad(lambda x, y: x * y + y, argnums=1)(3.0, 4.0)
    4.0
    """
    vg = value_and_grad(f, argnums)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    wrapped.__doc__ = (vg.__doc__ or "").replace("Value and gradient", "Gradient")
    return wrapped
