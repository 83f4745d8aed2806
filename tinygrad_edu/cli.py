"""The command line: ``tinygrad-edu`` (or ``python -m tinygrad_edu``).

::

    tinygrad-edu grad "tanh(x*w + b)" x=2 w=-3 b=6.88     # value, gradients, finite differences
    tinygrad-edu explain "tanh(x*w + b)" x=2 w=-3 b=6.88  # the backward pass step by step
    tinygrad-edu graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    tinygrad-edu demo xor                                  # run demos/xor.py

Expressions are read by :func:`parse_expression`, which walks Python's
``ast`` with an allow-list (numbers, variable names, ``+ - * / **``, unary
minus and plus, and the engine's functions) -- the text is never run as
Python.  Anything else is an :class:`ExpressionError`:

>>> from tinygrad_edu import Value
>>> x = Value(2.0, label='x')
>>> parse_expression("x**2 + exp(-x)", {"x": x}).formula()
'x**2 + exp(-x)'
>>> parse_expression("x.__class__", {"x": x})
Traceback (most recent call last):
...
tinygrad_edu.cli.ExpressionError: column 2: attribute access (.__class__) is not supported; write functions as exp(x)
"""

import argparse
import ast
import difflib
import math
import os
import re
import runpy
import shlex
import subprocess
import sys
import warnings

from .engine import Value, topological_order
from .gradcheck import gradcheck, numerical_grad
from .ops import FLOAT
from .viz import DEFAULT_TIMEOUT, GraphvizNotInstalled, RenderTimeout   # light: viz imports
                                                                          # graphviz only when drawing

__all__ = ["main", "parse_expression", "parse_assignments", "ExpressionError",
           "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "demos_dir"]

#: The functions an expression may call: the engine's own methods, by name.
FUNCTIONS = {name: getattr(Value, name)
             for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "abs")}

MAX_LENGTH = 10_000   #: longest expression text accepted (characters)
MAX_DEPTH = 200       #: deepest nesting accepted (a + b + c nests one level per +)
MAX_EXPONENT = 1000   #: largest |k| accepted in x ** k with a number k

_BINARY = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__",
           ast.Div: "__truediv__", ast.Pow: "__pow__"}

#: What a learner might type, and what to call it in an error message.
_UNSUPPORTED = {
    ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if-else",
    ast.Lambda: "lambda", ast.Subscript: "indexing with [ ]", ast.Slice: "a slice",
    ast.List: "a list", ast.Tuple: "a tuple (or a stray comma)", ast.Dict: "a dict",
    ast.Set: "a set", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string", ast.NamedExpr: "assignment (:=)", ast.Starred: "* unpacking",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.FloorDiv: "// (floor division; use /)", ast.Mod: "% (modulo)", ast.MatMult: "@",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "| (bitwise or)",
    ast.BitXor: "^ (write powers as **)", ast.BitAnd: "& (bitwise and)",
    ast.Not: "not", ast.Invert: "~",
}


class ExpressionError(ValueError):
    """An expression (or a ``name=value`` assignment) the command line cannot use.

    The message names the problem and, where it has one, the column (from 1).
    ``column`` holds that column, or None.
    """

    def __init__(self, message, column=None):
        self.message = message
        self.column = column
        super().__init__(f"column {column}: {message}" if column else message)


def _column(text, node):
    """1-based character column of an ast node in the whole text (ast counts
    UTF-8 bytes within a line; a line break counts as one character)."""
    lines = text.split("\n")
    row = min(node.lineno, len(lines)) - 1
    before = sum(len(line) + 1 for line in lines[:row])
    return before + len(lines[row].encode("utf-8")[:node.col_offset].decode("utf-8", "replace")) + 1


def _suggest(name, choices):
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _number(node, text):
    """The float of a numeric literal, or an ExpressionError."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = "complex numbers" if isinstance(value, complex) else f"{type(value).__name__} literals"
        raise ExpressionError(f"{what} ({ast.get_source_segment(text, node) or value!r}) "
                              "are not supported; use real numbers", _column(text, node))
    try:
        x = float(value)
    except OverflowError:
        raise ExpressionError("a number is too large for a float", _column(text, node)) from None
    if not math.isfinite(x):
        raise ExpressionError(f"{ast.get_source_segment(text, node)} is not a finite number",
                              _column(text, node))
    return x


def _literal(node, text):
    """A number written directly, possibly signed (-3, +2.5): its float, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if isinstance(node, ast.Constant):
        return sign * _number(node, text)
    return None


def _check(tree, text, variables):
    """Walk the tree once (iteratively): allow-listed nodes only, depth bounded."""
    stack = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        col = _column(text, node) if hasattr(node, "col_offset") else None
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests more than {MAX_DEPTH} operations inside "
                                  "one another; split it up", col)
        if isinstance(node, ast.Constant):
            _number(node, text)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)", col)
            if node.id not in variables:
                given = ", ".join(sorted(variables)) or "none"
                raise ExpressionError(f"'{node.id}' has no value{_suggest(node.id, variables)}; "
                                      f"give one after the expression, e.g. {node.id}=1.5 "
                                      f"(variables given: {given})", col)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"{_UNSUPPORTED.get(type(node.op), type(node.op).__name__)} "
                                      "is not supported; use + - * / **", col)
            if isinstance(node.op, ast.Pow):
                k = _literal(node.right, text)
                if k is not None and abs(k) > MAX_EXPONENT:
                    raise ExpressionError(f"exponent {k:g} is too large (the limit is "
                                          f"±{MAX_EXPONENT})", _column(text, node.right))
            stack += [(node.right, depth + 1), (node.left, depth + 1)]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError(f"{_UNSUPPORTED[type(node.op)]} is not supported", col)
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                raise ExpressionError(f"method calls (.{func.attr}) are not supported; "
                                      f"write {func.attr}(...)", col)
            if not isinstance(func, ast.Name):
                raise ExpressionError("only the functions " + ", ".join(FUNCTIONS)
                                      + " can be called", col)
            if func.id not in FUNCTIONS:
                raise ExpressionError(f"unknown function '{func.id}'{_suggest(func.id, FUNCTIONS)}; "
                                      "the functions are " + ", ".join(FUNCTIONS), col)
            if node.keywords:
                raise ExpressionError(f"{func.id}() takes no keyword arguments", col)
            if any(isinstance(arg, ast.Starred) for arg in node.args):
                raise ExpressionError("* unpacking is not supported", col)
            if len(node.args) != 1:
                raise ExpressionError(f"{func.id}() takes exactly one argument, "
                                      f"got {len(node.args)}", col)
            stack.append((node.args[0], depth + 1))
        elif isinstance(node, ast.Attribute):
            raise ExpressionError(f"attribute access (.{node.attr}) is not supported; "
                                  "write functions as exp(x)", _column(text, node.value)
                                  + len(ast.get_source_segment(text, node.value) or ""))
        else:
            what = _UNSUPPORTED.get(type(node), f"'{type(node).__name__}'")
            raise ExpressionError(f"{what} is not supported here", col)


def _evaluate(node, text, variables):
    """Build the Value of a checked tree (its depth is at most MAX_DEPTH)."""
    k = _literal(node, text)
    if k is not None:
        return Value(k)
    if isinstance(node, ast.Name):
        return variables[node.id]
    try:
        if isinstance(node, ast.BinOp):
            left = _evaluate(node.left, text, variables)
            if isinstance(node.op, ast.Pow):
                k = _literal(node.right, text)    # x ** 2: a number exponent, d/dx = 2x
                if k is not None:
                    return left ** k
            right = _evaluate(node.right, text, variables)
            return getattr(left, _BINARY[type(node.op)])(right)
        if isinstance(node, ast.UnaryOp):
            operand = _evaluate(node.operand, text, variables)
            return -operand if isinstance(node.op, ast.USub) else operand
        return FUNCTIONS[node.func.id](_evaluate(node.args[0], text, variables))
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        if isinstance(err, ExpressionError):
            raise
        raise ExpressionError(str(err), _column(text, node)) from None


def parse_expression(text, variables):
    """The Value computed by the expression ``text``, e.g. ``"tanh(x*w + b)"``.

    ``variables`` maps each name to a Value (used as is, so its ``.grad`` is
    filled by ``backward()``) or a number (wrapped in a Value labelled with
    the name).  Allowed: numbers, the variables, ``+ - * / **``, unary ``-``
    and ``+``, parentheses and calls of :data:`FUNCTIONS` with one argument.
    Raises :class:`ExpressionError` for anything else -- unknown names,
    syntax errors, other constructs, numbers that are not finite, exponents
    beyond :data:`MAX_EXPONENT`, text longer than :data:`MAX_LENGTH` or nested
    deeper than :data:`MAX_DEPTH` -- and for domain errors of the engine
    (``log(0)``); never anything else.

    >>> parse_expression("2*y", {"y": 1.5}).data
    3.0
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    values = {}
    for name, v in variables.items():
        values[name] = v if isinstance(v, Value) else _variable(name, v)
    body = text.strip()     # ast reads leading spaces as an indent; columns count from `text`
    lead = len(text) - len(text.lstrip())
    try:
        with warnings.catch_warnings():       # e.g. "1if x else 2": our error says it all
            warnings.simplefilter("ignore")
            tree = ast.parse(body, mode="eval")
    except SyntaxError as err:
        if err.offset == 0 and err.msg == "invalid syntax":     # ast's way of saying "at the end"
            raise ExpressionError("syntax error: the expression ends too early "
                                  "(is something missing at the end?)", len(text.rstrip()) + 1) from None
        offset = err.offset + lead if err.offset and (err.lineno or 1) == 1 else None
        raise ExpressionError(f"syntax error: {err.msg}", offset) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"the expression is nested too deeply to read (the limit is "
                              f"{MAX_DEPTH} levels)") from None
    except ValueError as err:   # e.g. a null byte, on some Python versions
        raise ExpressionError(f"cannot read the expression: {err}") from None
    try:
        _check(tree, body, values)
        return _evaluate(tree.body, body, values)
    except ExpressionError as err:
        if err.column is None or not lead:
            raise
        raise ExpressionError(err.message, err.column + lead) from None


def _variable(name, value):
    try:
        return Value(value, label=name)
    except (TypeError, ValueError) as err:
        raise ExpressionError(f"variable {name}: {err}") from None


def parse_assignments(items):
    """``['x=2', 'w=-3']`` -> ``{'x': 2.0, 'w': -3.0}``, or an ExpressionError.

    >>> parse_assignments(['x=2', 'w=-3e-1'])
    {'x': 2.0, 'w': -0.3}
    """
    values = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq:
            raise ExpressionError(f"expected name=value after the expression, got {item!r}")
        if not name.isidentifier() or name in ("True", "False", "None"):
            raise ExpressionError(f"{name!r} is not a valid variable name (in {item!r})")
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function name; call the variable something else")
        if name in values:
            raise ExpressionError(f"{name} is given twice ({name}={values[name]:g} and {item})")
        try:
            x = float(text)
        except ValueError:
            raise ExpressionError(f"{name}={text}: {text.strip()!r} is not a number") from None
        if not math.isfinite(x):
            raise ExpressionError(f"{name}={text}: the value must be a finite number")
        values[name] = x
    return values


# ---------------------------------------------------------------------------
# Subcommands

def _build(args):
    """Parse the variables and the expression; name the output f (or out)."""
    numbers = parse_assignments(args.assignments)
    variables = {name: Value(x, label=name) for name, x in numbers.items()}
    root = parse_expression(args.expression, variables)
    if root.label == "" and root._fn is not None:
        root.label = next((n for n in ("f", "out", "result") if n not in variables), "")
    return root, variables


def _cmd_grad(args):
    from .formula import formula
    root, variables = _build(args)
    _backward(root)
    print(f"{formula(root)} = {root.data:.10g}")
    if not variables:
        print("(no variables: nothing to differentiate)")
        return 0
    print("at " + ", ".join(f"{n} = {v.data:g}" for n, v in variables.items()))
    print()
    rows = [("", "backward()", "finite differences", "|difference|")]
    checks = []
    for name, variable in variables.items():
        analytic = variable.grad
        try:
            numeric, h, orders = _finite_difference(args.expression, variables, name)
            checks.append((name, analytic, numeric, h, orders))
            cells = (f"{numeric:.10g}", f"{abs(analytic - numeric):.1e}")
        except (ValueError, ZeroDivisionError, OverflowError):
            cells = ("n/a", f"(a finite-difference step {name} ± h leaves the domain)")
        note = "" if name in _names_in(args.expression) else "   (not in the expression)"
        rows.append((f"d{root.label or 'f'}/d{name}", f"{analytic:.10g}", *cells[:1], cells[1] + note))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join([r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].rjust(widths[2]), r[3]]).rstrip())
    notes = _check_notes(root, variables, checks)
    if notes:
        print()
        print("\n".join(notes))
    return 0


def _check_notes(root, variables, checks):
    """Lines under the table that say why a check fails, or would at a kink.

    ``checks`` holds (name, backward's value, finite difference, step h, the
    topological orders of the graphs at name - h and name + h).  A relu or abs
    whose argument is 0, or changes sign within the step, gets a note (the
    derivative is a convention there, and finite differences mix both sides);
    any other disagreement beyond gradcheck's tolerance gets one line with the
    likely reason.
    """
    kinks = _kinks(root, variables)
    shown = {i for i, (_, arg, _) in kinks.items() if arg.data == 0.0}
    explained, notes = set(), []
    for name, _, _, _, orders in checks:
        for i, (_, arg, depends_on) in kinks.items():
            if name in depends_on and (arg.data == 0.0 or _straddles(i, arg.data, orders)):
                shown.add(i)
                explained.add(name)
    for i in sorted(shown, reverse=True):        # in the order the forward pass meets them
        node, arg, _ = kinks[i]
        notes.append(_kink_note(node, arg))
    for name, analytic, numeric, h, _ in checks:
        difference, tolerance = abs(analytic - numeric), _ATOL + _RTOL * abs(numeric)
        if name not in explained and not difference <= tolerance:
            notes.append(f"note: d{root.label or 'f'}/d{name}: backward() and finite differences "
                         f"disagree by {difference:.1e} (more than the tolerance {tolerance:.1e}); "
                         f"likely reason: the function curves sharply within the step h = {h:.1e} "
                         f"around {name} = {variables[name].data:g} (e.g. near a pole or the edge of "
                         f"its domain), where finite differences are inaccurate")
    return list(dict.fromkeys(notes))            # relu(x) + relu(x): one note


#: gradcheck's own tolerances: |backward - finite difference| <= atol + rtol * |finite difference|.
_ATOL = gradcheck.__kwdefaults__["atol"]
_RTOL = gradcheck.__kwdefaults__["rtol"]

#: Ops with a kink (a corner where the derivative jumps): at it, backward() uses a convention.
_KINK_OPS = ("relu", "abs")


def _kinks(root, variables):
    """{position in root's topological order: (node, its argument, the names of the
    variables the argument depends on)} for every relu and abs that depends on one."""
    order = topological_order(root)
    depends = {v: {name} for name, v in variables.items()}
    for node in reversed(order):                     # inputs before the nodes that use them
        for p in node.parents:
            if depends.get(p):
                depends.setdefault(node, set()).update(depends[p])
    return {i: (node, node._a, depends[node._a]) for i, node in enumerate(order)
            if node._fn is not None and node._fn.name in _KINK_OPS and depends.get(node._a)}


def _straddles(i, value, orders):
    """Whether the argument of the kink at position i changes sign (or touches 0)
    between the point itself (``value``) and the finite difference's two evaluations."""
    signs = {math.copysign(1.0, value)}
    for order in orders:
        x = order[i]._a.data
        if x == 0.0:
            return True
        signs.add(math.copysign(1.0, x))
    return len(signs) > 1


def _kink_note(node, arg):
    """One line: node (relu or abs) at or near its kink, and the derivative backward() uses."""
    from .formula import formula
    slope = node._fn.vjp(FLOAT, 1.0, node.data, arg.data)[0] + 0.0
    text, inner = formula(node, max_length=60), formula(arg, max_length=60)
    if arg.data == 0.0:
        return (f"note: {text} is at its kink ({inner} = 0): not differentiable there; backward() "
                f"uses the derivative {slope:g}, finite differences average the slopes on both sides")
    return (f"note: {text} is within the finite-difference step of its kink ({inner} = {arg.data:.3g}): "
            f"backward() uses its slope on this side ({slope:g}), finite differences mix both sides")


def _names_in(text):
    return {node.id for node in ast.walk(ast.parse(text.strip(), mode="eval"))
            if isinstance(node, ast.Name)}


def _finite_difference(text, variables, name):
    """d(expression)/d(name) by central differences, the other variables held fixed.

    Returns the derivative, the step h, and the topological orders of the two
    graphs evaluated (at name - h and name + h), to look for kinks between them.
    """
    fixed = {n: v.data for n, v in variables.items()}
    evaluated = []

    def f(x):
        values = dict(fixed)
        values[name] = x
        out = parse_expression(text, values)
        evaluated.append((float(x), out))
        return out
    numeric = numerical_grad(f, fixed[name])[0]   # ExpressionError (a ValueError) off the domain
    (down, below), (up, above) = sorted(evaluated, key=lambda pair: pair[0])
    return numeric, (up - down) / 2.0, [topological_order(below), topological_order(above)]


def _backward(root):
    try:
        root.backward()
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExpressionError(str(err)) from None


def _cmd_explain(args):
    from .explain import explain
    root, _ = _build(args)
    try:
        text = explain(root, max_steps=args.max_steps)
        # The hint for the steps not shown, in the words of the command line.
        print(text.replace("explain(root, max_steps=None) lists them", "a larger --max-steps lists them"))
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExpressionError(str(err)) from None
    return 0


def _cmd_graph(args):
    from .viz import render
    root, _ = _build(args)
    _backward(root)
    try:
        path = render(root, args.output, rankdir=args.rankdir, show_order=args.order,
                      max_nodes=args.max_nodes, timeout=args.timeout)
    except ValueError as err:         # a file name without a known format, a graph too large
        raise ExpressionError(str(err)) from None
    except RenderTimeout as err:      # before OSError: a TimeoutError is one
        raise _CommandError(err.describe(f"--timeout {err.suggested_timeout:g}"), status=1) from None
    except OSError as err:            # a missing folder, a folder in the way, no permission
        raise _CommandError(_cannot_write(err, args.output)) from None
    except subprocess.CalledProcessError as err:     # dot itself failed
        raise _CommandError(_dot_failed(err, args.output)) from None
    base = os.path.splitext(path)[0]
    print(f"wrote {path}" + ("" if path.endswith(".dot") else f" (DOT source: {base}.dot)"))
    return 0


def _cannot_write(err, path):
    """One line for a file that could not be written: which file, and why."""
    path = os.fsdecode(err.filename) if err.filename is not None else os.fspath(path)
    if isinstance(err, FileNotFoundError):
        folder = os.path.dirname(path)
        why = f"the folder {folder} does not exist" if folder else "no such file or folder"
    elif isinstance(err, IsADirectoryError):
        why = "it is a folder"
    elif isinstance(err, PermissionError):
        why = "permission denied"
    else:
        why = err.strerror or str(err)
    return f"cannot write {path}: {why}"


def _dot_failed(err, path):
    """One line for Graphviz's dot failing: the file, the status, dot's first complaint."""
    output = err.stderr or b""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else str(output)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    status = f"exit status {err.returncode}" if err.returncode >= 0 else f"stopped by signal {-err.returncode}"
    return f"Graphviz's dot could not draw {path} ({status})" + (f": {first}" if first else "")


def demos_dir():
    """The source checkout's demos/ folder (next to the package), or None if absent."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(here, "demos")
    return path if os.path.isdir(path) else None


def _available(folder):
    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))


def _cmd_demo(args):
    folder = demos_dir()
    if folder is None:
        _error("the demos are not installed with the package; they live in the demos/ folder "
               "of the source checkout: clone the repository, then `pip install -e .` there")
        return 1
    names = _available(folder)
    if args.name is None:
        print("demos: " + (", ".join(names) if names else "(none)"))
        print("run one with: tinygrad-edu demo NAME")
        return 0
    if args.name not in names:
        _error(f"no demo named {args.name!r}{_suggest(args.name, names)}; "
               "available: " + (", ".join(names) if names else "none"))
        return 2
    path = os.path.join(folder, args.name + ".py")
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *args.demo_args]
    sys.path.insert(0, folder)       # as `python demos/NAME.py` would
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit:                        # the demo's own sys.exit(status)
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise                                         # main() handles it for every command
    except Exception as err:                          # noqa: BLE001 -- whatever the demo raised
        # One line, not the demo's traceback; running the file directly shows that.
        command = shlex.join(["python", path, *args.demo_args])
        raise _CommandError(f"demo {args.name} stopped: {type(err).__name__}: {err} "
                            f"({command} shows the traceback)", status=1) from None
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0


def _error(message):
    print(f"tinygrad-edu: error: {message}", file=sys.stderr)


class _CommandError(Exception):
    """A command cannot go on: one line on stderr (``tinygrad-edu: error: ...``), exit ``status``."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors that point at --help."""

    def error(self, message):
        raise _CommandError(f"{message} (see: {self.prog} --help)")


def _whole_number(smallest):
    """An argparse type: an int >= smallest, with a message that says so."""
    def parse(text):
        try:
            n = int(text)
        except ValueError:
            n = None
        if n is None or n < smallest:
            shown = repr(text) if n is None else text
            raise argparse.ArgumentTypeError(f"must be a whole number >= {smallest}, got {shown}")
        return n
    return parse


def _seconds(text):
    """An argparse type: a number of seconds > 0."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds < math.inf:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return seconds


_EXPRESSION_HELP = ("an expression such as \"tanh(x*w + b)\": numbers, variables, + - * / **, "
                    "and the functions " + ", ".join(FUNCTIONS))
_EPILOG = "Give each variable a value after the expression: x=2 w=-3."
_ASSIGNMENT = re.compile(r"\s*[^\W\d]\w*\s*=(?!=).*", re.S)


def _parser():
    parser = _Parser(
        prog="tinygrad-edu",
        description="Experiment with the chain rule: gradients, the backward pass step by step, "
                    "computation-graph diagrams, and the demos.",
        epilog="examples:\n"
               '  tinygrad-edu grad "tanh(x*w + b)" x=2 w=-3 b=6.88\n'
               '  tinygrad-edu explain "tanh(x*w + b)" x=2 w=-3 b=6.88\n'
               '  tinygrad-edu graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg\n'
               "  tinygrad-edu demo xor\n"
               "Each command has its own --help.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def expression_command(name, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=_EPILOG,
                           usage=f"%(prog)s expression [NAME=VALUE ...] [options]")
        # Optional here only so that a missing one gets a clear message (_check_expression).
        p.add_argument("expression", nargs="?", help=_EXPRESSION_HELP)
        p.add_argument("assignments", nargs="*", metavar="NAME=VALUE", help="a value for each variable")
        return p

    p = expression_command("grad", "print the value, each variable's gradient from backward(), "
                                   "and the finite-difference check beside it (with a note saying "
                                   "why, when the two disagree or an input sits at a kink of relu or abs)")
    p.set_defaults(run=_cmd_grad)
    p = expression_command("explain", "print the chain-rule steps in the order backward() runs them")
    p.add_argument("--max-steps", type=_whole_number(0), default=200,
                   help="list at most this many steps (default 200); the final gradients are always shown")
    p.set_defaults(run=_cmd_explain)
    p = expression_command("graph", "draw the computation graph, with gradients, to a file "
                                    "(.svg, .png, .pdf or .dot; needs Graphviz's dot except for .dot)")
    p.add_argument("-o", "--output", default="graph.svg", help="the file to write (default graph.svg)")
    p.add_argument("--rankdir", default="LR", choices=("LR", "TB", "RL", "BT"),
                   help="direction of the arrows: LR left to right (default), TB top to bottom")
    p.add_argument("--order", action="store_true", help="number the ops in the order backward visits them")
    p.add_argument("--max-nodes", type=_whole_number(1), default=500,
                   help="refuse graphs larger than this (default 500)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"stop Graphviz's dot after this many seconds (default {DEFAULT_TIMEOUT})")
    p.set_defaults(run=_cmd_graph)
    p = sub.add_parser("demo", help="run one of the demos (from the source checkout's demos/ folder)",
                       description="Run demos/NAME.py; without NAME, list the demos.")
    p.add_argument("name", nargs="?", metavar="NAME", help="the demo, e.g. xor")
    p.add_argument("demo_args", nargs=argparse.REMAINDER, metavar="ARGS", help="passed on to the demo")
    p.set_defaults(run=_cmd_demo)
    return parser, sub.choices       # every command's parser, by name


_EXPRESSION_COMMANDS = ("grad", "explain", "graph")


def _looks_like_expression(arg):
    """'-x*y', '-x', '--x' -- but not an option such as -h, -o, --help, --max-nodes=9."""
    return (arg.startswith("-") and arg not in ("-h", "-o")
            and not re.fullmatch(r"--[a-z][a-z-]*(=.*)?", arg))


def _check_expression(parser, args):
    """A clear message when the expression is missing (argparse's own would list
    NAME=VALUE as required too) or when a NAME=VALUE stands in its place."""
    example = f'e.g. {parser.prog} "x*y" x=1 y=2'
    if args.expression is None:
        parser.error(f"the expression is missing, {example}")
    if _ASSIGNMENT.fullmatch(args.expression):
        parser.error(f"{args.expression.strip()} is a value, not an expression: "
                     f"write the expression first, {example}")


def _parse(argv):
    parser, commands = _parser()
    if not argv:
        parser.error("missing the command: grad, explain, graph or demo")
    if not argv[0].startswith("-") and argv[0] not in commands:
        parser.error(f"unknown command {argv[0]!r}{_suggest(argv[0], commands)}; "
                     "the commands are grad, explain, graph and demo")
    if argv[0] in _EXPRESSION_COMMANDS:
        if len(argv) > 1 and _looks_like_expression(argv[1]):
            argv[1] = " " + argv[1]     # "-x*y" is an expression, not an option: argparse
                                        # reads an argument with a space as a positional one
        # Intermixed, so options may come anywhere: graph "x*y" -o g.svg x=1 y=2
        command = commands[argv[0]]
        args = command.parse_intermixed_args(argv[1:])
        _check_expression(command, args)
        return args
    return parser.parse_args(argv)


def _escape_what_cannot_be_shown():
    """A label the terminal cannot encode (é on an ASCII console) prints as \\xe9,
    rather than ending the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass                     # not a text stream that can change (a test's capture)


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    Status 0 on success; 2 for a bad expression, value, option or output file
    (one line on stderr: ``tinygrad-edu: error: ...``); 1 when Graphviz or the
    demos are missing, Graphviz takes longer than ``--timeout``, or a demo
    fails; 130 when interrupted (Ctrl-C).
    """
    if argv is None:                 # run as the program (not called from Python)
        argv = sys.argv[1:]
        _escape_what_cannot_be_shown()
    argv = list(argv)
    try:
        args = _parse(argv)
        return args.run(args)
    except SystemExit as exit:           # --help (status 0)
        return exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 2
    except BrokenPipeError:              # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted", file=sys.stderr)
        return 130
    except (ExpressionError, _CommandError) as err:
        _error(str(err))
        return getattr(err, "status", 2)
    except GraphvizNotInstalled as err:   # several lines: how to install Graphviz
        _error(str(err))
        return 1
