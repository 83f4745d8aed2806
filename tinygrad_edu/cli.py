"""The command line: ``tinygrad-edu`` (or ``python -m tinygrad_edu``).

::

    tinygrad-edu grad "tanh(x*w + b)" x=2 w=-3 b=6.88     # value, gradients, finite differences
    tinygrad-edu explain "tanh(x*w + b)" x=2 w=-3 b=6.88  # the backward pass step by step
    tinygrad-edu graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
    tinygrad-edu demo xor                                  # run demos/xor.py

Expressions are read by :mod:`tinygrad_edu.expr` (an allow-list over Python's
``ast``; the text is never run).  Every refusal is one line on stderr and
exit status 2.

The messages are in the language of the locale (``LANG=ja_JP.UTF-8``) or the
one ``--lang`` names (``tinygrad-edu --lang ja grad "x*y" x=2 y=3``), argparse's
own included (see :func:`tinygrad_edu.i18n.argparse_translated`).
"""

from __future__ import annotations

import argparse
import difflib
import errno
import math
import os
import re
import runpy
import shlex
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from . import i18n
from ._text import HelpFormatter, columns, has_wide, ljust, rjust
from .check import gradcheck, numerical_grad
from .engine import Value, no_grad
from .expr import (
    _QUOTE,
    FUNCTIONS,
    ExpressionError,
    _cut,
    _Expression,
    _shortened,
    parse_assignments,
)
from .i18n import gettext as _

# light: viz imports graphviz only when drawing
from .viz import DEFAULT_TIMEOUT, RANKDIRS, GraphvizNotInstalled, MissingFontWarning, RenderTimeout

__all__ = ["main", "demos_dir"]

#: The longest error line printed (characters); longer ones lose their middle.
_MAX_MESSAGE = 500

#: A relu or abs the forward pass met: (function name, its Value, its argument).
_Kink = tuple[str, Value, Value]
#: One finite-difference check: (name, backward's value, finite difference, step h,
#: the kink arguments at name - h and at name + h).
_Check = tuple[str, float, float, float, tuple[list[float], list[float]]]


# ---------------------------------------------------------------------------
# Subcommands


def _build(
    args: argparse.Namespace, kinks: list[_Kink] | None = None
) -> tuple[Value, dict[str, Value], _Expression]:
    """Parse the variables and the expression; name the output f (or out).

    Returns the output, the variables (name -> Value) and the checked expression.
    """
    numbers = parse_assignments(args.assignments)
    variables = {name: Value(x, label=name) for name, x in numbers.items()}
    expression = _Expression(args.expression, variables)
    root = expression.evaluate(variables, kinks)
    if root.label == "" and not root.is_leaf:
        root.label = next((n for n in ("f", "out", "result") if n not in variables), "")
    return root, variables, expression


#: How many operations the finite-difference check may evaluate in one `grad`
#: command.  Each variable costs two evaluations of the whole expression, so for
#: many variables the check would cost (number of variables) times the work of
#: backward(), which finds every gradient in one pass; past this budget the
#: remaining variables are left unchecked, and a note says so.
_CHECK_BUDGET = 500_000


def _cmd_grad(args: argparse.Namespace) -> int:
    from .formula import formula

    kinks: list[_Kink] = []
    root, variables, expression = _build(args, kinks)
    _backward(root)
    name_of_root = root.label or "f"
    print(f"{formula(root)} = {root.data:.10g}")
    if not variables:
        print(_("(no variables: nothing to differentiate)"))
        return 0
    print(
        _("at {point}").format(point=", ".join(f"{n} = {v.data:g}" for n, v in variables.items()))
    )
    print()
    point = {name: variables[name].data for name in expression.names}
    rows = [("", "backward()", _("finite differences"), _("|difference|"))]
    checks: list[_Check] = []
    spent, unchecked = 0, 0
    for name, variable in variables.items():
        analytic = variable.grad
        if name not in expression.names:  # f does not read it: f(x + h) - f(x - h) is 0
            cells = (
                "0",
                _("{difference}   (not in the expression)").format(
                    difference=f"{abs(analytic):.1e}"
                ),
            )
        elif spent >= _CHECK_BUDGET:
            cells = (_("not checked"), "")
            unchecked += 1
        else:
            spent += 2 * expression.size
            try:
                numeric, h, evaluated = _finite_difference(expression, point, name)
                checks.append((name, analytic, numeric, h, evaluated))
                cells = (f"{numeric:.10g}", f"{abs(analytic - numeric):.1e}")
            except (ValueError, ZeroDivisionError, OverflowError):
                cells = (
                    _("n/a"),
                    _("(a finite-difference step {name} ± h leaves the domain)").format(name=name),
                )
        rows.append((f"d{name_of_root}/d{name}", f"{analytic:.10g}", *cells))
    widths = [max(columns(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(
            "  ".join(
                [
                    ljust(r[0], widths[0]),
                    rjust(r[1], widths[1]),
                    rjust(r[2], widths[2]),
                    r[3],
                ]
            ).rstrip()
        )
    notes = _check_notes(name_of_root, variables, kinks, checks)
    if unchecked:
        notes.append(
            _(
                "note: finite differences were checked for {checked} of the {total} variables "
                "in the expression: each check evaluates the whole expression twice, so "
                "checking all of them would cost {evaluations} evaluations, while backward() "
                "found every gradient in one pass"
            ).format(
                checked=f"{len(expression.names) - unchecked:,}",
                total=f"{len(expression.names):,}",
                evaluations=f"{2 * len(expression.names):,}",
            )
        )
    if notes:
        print()
        print("\n".join(notes))
    return 0


def _check_notes(
    name_of_root: str, variables: dict[str, Value], kinks: list[_Kink], checks: list[_Check]
) -> list[str]:
    """Lines under the table that say why a check fails, or would at a kink.

    ``kinks`` holds (function, its Value, its argument) for each relu and abs
    whose argument depends on a variable, in the order the forward pass meets
    them; ``checks`` holds (name, backward's value, finite difference, step h,
    the kink arguments at name - h and at name + h).  A relu or abs whose
    argument is 0, or changes sign within the step, gets a note (the derivative
    is a convention there, and finite differences mix both sides); any other
    disagreement beyond gradcheck's tolerance gets one line with the likely reason.
    """
    # (no `_` for the unused parts: it is the translation function here)
    shown = {i for i, kink in enumerate(kinks) if kink[2].data == 0.0}
    explained: set[str] = set()
    notes: list[str] = []
    for name, *_values, (below, above) in checks:
        for i, kink in enumerate(kinks):
            x = kink[2].data
            if below[i] == x == above[i]:
                continue  # this kink does not move with name
            if x == 0.0 or _straddles(x, below[i], above[i]):
                shown.add(i)
                explained.add(name)
    for i in sorted(shown):
        notes.append(_kink_note(*kinks[i]))
    for name, analytic, numeric, h, _arguments in checks:
        difference, tolerance = abs(analytic - numeric), _ATOL + _RTOL * abs(numeric)
        if name not in explained and not difference <= tolerance:
            notes.append(
                _(
                    "note: d{root}/d{name}: backward() and finite differences disagree by "
                    "{difference} (more than the tolerance {tolerance}); likely reason: the "
                    "function curves sharply within the step h = {h} around {name} = {value} "
                    "(e.g. near a pole or the edge of its domain), where finite differences "
                    "are inaccurate"
                ).format(
                    root=name_of_root,
                    name=name,
                    difference=f"{difference:.1e}",
                    tolerance=f"{tolerance:.1e}",
                    h=f"{h:.1e}",
                    value=f"{variables[name].data:g}",
                )
            )
    return list(dict.fromkeys(notes))  # relu(x) + relu(x): one note


#: gradcheck's own tolerances: |backward - finite difference| <= atol + rtol * |finite difference|.
_GRADCHECK_DEFAULTS = gradcheck.__kwdefaults__
assert _GRADCHECK_DEFAULTS is not None  # atol and rtol are keyword-only: they are in it
_ATOL: float = _GRADCHECK_DEFAULTS["atol"]
_RTOL: float = _GRADCHECK_DEFAULTS["rtol"]


def _straddles(value: float, below: float, above: float) -> bool:
    """Whether a kink's argument changes sign (or touches 0) between the point
    itself (``value``) and the finite difference's two evaluations."""
    if below == 0.0 or above == 0.0:
        return True
    return len({math.copysign(1.0, x) for x in (value, below, above)}) > 1


def _kink_note(function: str, node: Value, argument: Value) -> str:
    """One line: node (relu or abs) at or near its kink, and the derivative backward() uses."""
    from .formula import formula

    probe = Value(argument.data)  # the slope backward() takes there
    FUNCTIONS[function](probe).backward()
    slope = probe.grad + 0.0
    text, inner = formula(node, max_length=60), formula(argument, max_length=60)
    if argument.data == 0.0:
        return _(
            "note: {function} is at its kink ({argument} = 0): not differentiable there; "
            "backward() uses the derivative {slope}, finite differences average the slopes "
            "on both sides"
        ).format(function=text, argument=inner, slope=f"{slope:g}")
    return _(
        "note: {function} is within the finite-difference step of its kink ({argument} = "
        "{value}): backward() uses its slope on this side ({slope}), finite differences mix "
        "both sides"
    ).format(function=text, argument=inner, value=f"{argument.data:.3g}", slope=f"{slope:g}")


def _finite_difference(
    expression: _Expression, point: dict[str, float], name: str
) -> tuple[float, float, tuple[list[float], list[float]]]:
    """d(expression)/d(name) by central differences, the other variables held at ``point``.

    Returns the derivative, the step h, and the arguments of the expression's
    kinks at name - h and at name + h (to see whether one lies between them).
    One evaluation costs as much as building the graph once, whatever the
    number of variables.
    """
    evaluated: list[tuple[float, list[float]]] = []

    def f(x: Value) -> Value:
        values = {n: Value(v) for n, v in point.items()}
        values[name] = x
        kinks: list[_Kink] = []
        with no_grad():  # numbers only: no graph to keep
            out: Value = expression.evaluate(values, kinks)
        evaluated.append((x.data, [kink[2].data for kink in kinks]))
        return out

    numeric = numerical_grad(f, point[name])[0]  # ExpressionError (a ValueError) off the domain
    (down, below), (up, above) = sorted(evaluated, key=lambda pair: pair[0])
    return numeric, (up - down) / 2.0, (below, above)


def _backward(root: Value) -> None:
    try:
        root.backward()
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExpressionError(str(err)) from None


def _cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain

    root = _build(args)[0]
    try:
        text = explain(root, max_steps=args.max_steps)
        # The hint for the steps not shown, in the words of the command line: the call
        # that lists them all, a piece of code in every language, becomes the option.
        print(
            text.replace(
                "explain(root, max_steps=None)",
                # TRANSLATORS: takes the place of explain(root, max_steps=None) in the note
                # "... 5 more step(s) not shown (explain(root, max_steps=None) lists them)"
                _("a larger --max-steps"),
            )
        )
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise ExpressionError(str(err)) from None
    return 0


def _cmd_graph(args: argparse.Namespace) -> int:
    from .viz import render

    root = _build(args)[0]
    _backward(root)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MissingFontWarning)
            path = render(
                root,
                args.output,
                rankdir=args.rankdir,
                show_order=args.order,
                max_nodes=args.max_nodes,
                timeout=args.timeout,
                # --lang: the page (.html) opens in that language (else in the browser's)
                lang=i18n.chosen_language(),
            )
    except ValueError as err:  # a file name without a known format, a graph too large
        # The way to raise the limit, in the words of the command line.
        text = re.sub(r"draw_dot\(root, max_nodes=(\d+)\)", r"--max-nodes \1", str(err))
        raise ExpressionError(re.sub(r"\bmax_nodes=(\d+)", r"--max-nodes \1", text)) from None
    except RenderTimeout as err:  # before OSError: a TimeoutError is one
        raise _CommandError(
            err.describe(f"--timeout {err.suggested_timeout:g}"), status=1
        ) from None
    except OSError as err:  # a missing folder, a folder in the way, no permission
        raise _CommandError(_cannot_write(err, args.output)) from None
    except subprocess.CalledProcessError as err:  # dot itself failed
        raise _CommandError(_dot_failed(err, args.output)) from None
    _show_warnings(caught)
    base, ext = os.path.splitext(path)
    if ext.lower() == ".html":
        print(
            _(
                "wrote {path} (open it in a web browser: it steps through the forward and "
                "backward pass)"
            ).format(path=path)
        )
    elif ext.lower() == ".dot":
        print(_("wrote {path}").format(path=path))
    else:
        print(_("wrote {path} (DOT source: {source})").format(path=path, source=base + ".dot"))
    return 0


def _show_warnings(caught: list[warnings.WarningMessage]) -> None:
    """The warnings drawing gave: a missing Japanese font as one line on stderr
    (``tinygrad-edu: warning: ...``, each message once); any other as Python shows it."""
    shown: set[str] = set()
    for w in caught:
        if issubclass(w.category, MissingFontWarning):
            message = str(w.message)
            if message not in shown:
                shown.add(message)
                _warning(message)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _cannot_write(err: OSError, path: str | os.PathLike[str]) -> str:
    """One line for a file that could not be written: which file, and why.  A missing
    folder is named with the file asked for (``path``), not the DOT source written
    beside it first."""
    asked = os.fspath(path)
    path = os.fsdecode(err.filename) if err.filename is not None else asked
    if isinstance(err, FileNotFoundError):
        if os.path.dirname(os.path.abspath(path)) == os.path.dirname(os.path.abspath(asked)):
            path = asked
        folder = os.path.dirname(path)
        why = (
            _("the folder {folder} does not exist").format(folder=folder)
            if folder
            else _("no such file or folder")
        )
    elif isinstance(err, IsADirectoryError):
        why = _("it is a folder")
    elif isinstance(err, PermissionError):
        why = _("permission denied")
    else:
        why = err.strerror or str(err)  # the system's words
    return _("cannot write {path}: {reason}").format(path=path, reason=why)


def _dot_failed(err: subprocess.CalledProcessError, path: str) -> str:
    """One line for Graphviz's dot failing: the file, the status, dot's first complaint."""
    output = err.stderr or b""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else str(output)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    status = (
        _("exit status {status}").format(status=err.returncode)
        if err.returncode >= 0
        else _("stopped by signal {signal}").format(signal=-err.returncode)
    )
    if first:
        return _("Graphviz's dot could not draw {path} ({status}): {complaint}").format(
            path=path, status=status, complaint=first
        )
    return _("Graphviz's dot could not draw {path} ({status})").format(path=path, status=status)


def _port(text: str) -> int:
    try:  # isdecimal: digits int() reads ('²' is a digit it does not)
        port = int(text) if text.isdecimal() else -1
    except ValueError:  # more digits than int() reads
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            _("a port is a whole number from 0 to 65535, got {text}").format(text=_quoted(text))
        )
    return port


def _cmd_lab(args: argparse.Namespace) -> int:
    from .labserver import LabNotInstalled, serve

    try:
        # --lang: the page opens in that language (else in the browser's)
        lang = i18n.chosen_language()
        return serve(args.host, args.port, open_browser=not args.no_browser, lang=lang)
    except LabNotInstalled as err:
        raise _CommandError(str(err)) from None
    except OSError as err:  # the port is taken, the address is not this computer's
        if err.errno == errno.EADDRINUSE:
            message = _(
                "port {port} on {host} is already in use: give another --port, or --port 0 "
                "for a free one"
            )
        else:
            message = _("cannot listen on {host} port {port}: {reason}")
        raise _CommandError(
            message.format(host=args.host, port=args.port, reason=err.strerror or err)
        ) from None


def demos_dir() -> str | None:
    """The source checkout's demos/ folder (next to the package), or None if absent."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(here, "demos")
    return path if os.path.isdir(path) else None


def _available(folder: str) -> list[str]:
    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))


def _cmd_demo(args: argparse.Namespace) -> int:
    folder = demos_dir()
    if folder is None:
        _error(
            _(
                "the demos are not installed with the package; they live in the demos/ folder "
                "of the source checkout: clone the repository, then `pip install -e .` there"
            )
        )
        return 1
    names = _available(folder)
    if args.name is None:
        print(_("demos: {names}").format(names=", ".join(names) if names else _("(none)")))
        print(_("run one with: {command}").format(command="tinygrad-edu demo NAME"))
        return 0
    if args.name not in names:
        close = _close_match(args.name, names)
        available = ", ".join(names) if names else _("none")
        if close is None:
            message = _("no demo named {name}; available: {names}")
        else:
            message = _("no demo named {name} (did you mean {suggestion}?); available: {names}")
        _error(message.format(name=_quoted(args.name), suggestion=close, names=available))
        return 2
    path = os.path.join(folder, args.name + ".py")
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *args.demo_args]
    sys.path.insert(0, folder)  # as `python demos/NAME.py` would
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit:  # the demo's own sys.exit(status)
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # main() handles it for every command
    except Exception as err:  # noqa: BLE001 -- whatever the demo raised
        # One line, not the demo's traceback; running the file directly shows that.
        command = shlex.join(["python", path, *args.demo_args])
        raise _CommandError(
            _("demo {name} stopped: {error} ({command} shows the traceback)").format(
                name=args.name, error=f"{type(err).__name__}: {err}", command=command
            ),
            status=1,
        ) from None
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0


def _bounded(line: str) -> str:
    """One line of an error message, at most _MAX_MESSAGE characters: past that
    its middle is left out (saying how much), so no input comes back whole."""
    if len(line) <= _MAX_MESSAGE:
        return line
    keep = _MAX_MESSAGE - 48  # room for the marker, up to 10**13 characters
    head = keep * 3 // 4
    return _("{head} … [{count} characters left out] … {tail}").format(
        head=line[:head], count=f"{len(line) - keep:,}", tail=line[-(keep - head) :]
    )


def _quoted(text: str, limit: int = _QUOTE) -> str:
    """repr() of a piece of the input, cut as the expression's messages cut it
    (with its length then)."""
    if len(text) <= limit:
        return repr(text)
    return _("{text} ({count} characters)").format(
        text=repr(_cut(text, limit)), count=f"{len(text):,}"
    )


def _close_match(name: str, choices: Iterable[str]) -> str | None:
    """The choice ``name`` was most likely meant to be (for "did you mean"), or None."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return _shortened(close[0]) if close else None


def _error(message: object, one_line: bool = True) -> None:
    """``tinygrad-edu: error: message`` on stderr: one line of bounded length
    (``one_line=False`` keeps the lines of a message written in several)."""
    lines = str(message).splitlines() or [""]
    text = _bounded(" ".join(lines)) if one_line else "\n".join(_bounded(line) for line in lines)
    print(_("{prog}: error: {message}").format(prog=_PROG, message=text), file=sys.stderr)


def _warning(message: object) -> None:
    """``tinygrad-edu: warning: message`` on stderr: one line of bounded length."""
    text = _bounded(" ".join(str(message).splitlines()))
    print(_("{prog}: warning: {message}").format(prog=_PROG, message=text), file=sys.stderr)


class _CommandError(Exception):
    """A command cannot go on: one line on stderr (``tinygrad-edu: error: ...``), exit ``status``."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------------
# argparse: help laid out for Japanese text, errors on one line (argparse's own
# messages are translated by i18n.argparse_translated)

_PROG = "tinygrad-edu"


class _RawDescriptionFormatter(HelpFormatter):
    """The description and epilog keep their lines (the examples); a line with
    wide characters that is longer than the width is wrapped."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            if has_wide(line) and columns(line) > width - len(indent):
                lines.append(super()._fill_text(line, width, indent))
            else:
                lines.append(indent + line)
        return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors that point at --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _CommandError(_see_help(message, self.prog))


def _see_help(message: str, prog: str) -> str:
    return _("{message} (see: {prog} --help)").format(message=message, prog=prog)


def _whole_number(smallest: int) -> Callable[[str], int]:
    """An argparse type: an int >= smallest, with a message that says so."""

    def parse(text: str) -> int:
        try:
            n: int | None = int(text)
        except ValueError:
            n = None
        if n is None or n < smallest:
            shown = _quoted(text) if n is None else text
            raise argparse.ArgumentTypeError(
                _("must be a whole number >= {smallest}, got {text}").format(
                    smallest=smallest, text=shown
                )
            )
        return n

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0."""
    try:
        seconds: float | None = float(text)
    except ValueError:
        seconds = None
    if seconds is None or not 0 < seconds < math.inf:
        raise argparse.ArgumentTypeError(
            _("must be a number of seconds > 0, got {text}").format(text=_quoted(text))
        )
    return seconds


_ASSIGNMENT = re.compile(r"\s*[^\W\d]\w*\s*=(?!=).*", re.S)


def _add_language_option(parser: argparse.ArgumentParser) -> None:
    """--lang, in every parser's --help.  main() takes it out of the arguments
    before the parsers are built (their help is written in its language), so a
    parser sees it only without a value, and says so."""
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help=_(
            "the language of the messages: {languages} (default: the locale's, "
            "as LANG=ja_JP.UTF-8 sets it)"
        ).format(languages=", ".join(i18n.LANGUAGES)),
    )


def _parser() -> tuple[_Parser, dict[str, _Parser]]:
    """The parser and every command's, with their help in the language in force
    (build them inside i18n.argparse_translated)."""
    examples = [
        'tinygrad-edu grad "tanh(x*w + b)" x=2 w=-3 b=6.88',
        'tinygrad-edu explain "tanh(x*w + b)" x=2 w=-3 b=6.88',
        'tinygrad-edu graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg',
        "tinygrad-edu demo xor",
        'tinygrad-edu --lang ja explain "x*y" x=2 y=3',
    ]
    parser = _Parser(
        prog=_PROG,
        description=_(
            "Experiment with the chain rule: gradients, the backward pass step by step, "
            "computation-graph diagrams, and the demos."
        ),
        epilog="\n".join(
            [_("examples:"), *("  " + e for e in examples), _("Each command has its own --help.")]
        ),
        formatter_class=_RawDescriptionFormatter,
    )
    _add_language_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    expression_help = _(
        'an expression such as "tanh(x*w + b)": numbers, variables, + - * / **, '
        "and the functions {functions}"
    ).format(functions=", ".join(FUNCTIONS))

    def expression_command(name: str, help_text: str) -> _Parser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_("Give each variable a value after the expression: x=2 w=-3."),
            usage=_("%(prog)s expression [NAME=VALUE ...] [options]"),
        )
        # Optional here only so that a missing one gets a clear message (_check_expression).
        p.add_argument("expression", nargs="?", metavar=_("expression"), help=expression_help)
        p.add_argument(
            "assignments", nargs="*", metavar="NAME=VALUE", help=_("a value for each variable")
        )
        return p

    p = expression_command(
        "grad",
        _(
            "print the value, each variable's gradient from backward(), and the "
            "finite-difference check beside it (with a note saying why, when the two "
            "disagree or an input sits at a kink of relu or abs)"
        ),
    )
    p.set_defaults(run=_cmd_grad)
    p = expression_command(
        "explain", _("print the chain-rule steps in the order backward() runs them")
    )
    p.add_argument(
        "--max-steps",
        type=_whole_number(0),
        default=200,
        help=_(
            "list at most this many steps (default %(default)s); the final gradients are "
            "always shown"
        ),
    )
    p.set_defaults(run=_cmd_explain)
    p = expression_command(
        "graph",
        _(
            "draw the computation graph, with gradients, to a file (.svg, .png, .pdf, .dot, "
            "or .html: the interactive page that steps through the chain rule; needs "
            "Graphviz's dot except for .dot)"
        ),
    )
    p.add_argument(
        "-o", "--output", default="graph.svg", help=_("the file to write (default %(default)s)")
    )
    p.add_argument(
        "--rankdir",
        default="LR",
        choices=RANKDIRS,
        help=_("direction of the arrows: LR left to right (default), TB top to bottom"),
    )
    p.add_argument(
        "--order",
        action="store_true",
        help=_("number the ops in the order backward visits them"),
    )
    p.add_argument(
        "--max-nodes",
        type=_whole_number(1),
        default=500,
        help=_("refuse graphs larger than this (default %(default)s)"),
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=_("stop Graphviz's dot after this many seconds (default %(default)s)"),
    )
    p.set_defaults(run=_cmd_graph)
    p = sub.add_parser(
        "demo",
        help=_("run one of the demos (from the source checkout's demos/ folder)"),
        description=_("Run demos/NAME.py; without NAME, list the demos."),
    )
    p.add_argument("name", nargs="?", metavar="NAME", help=_("the demo, e.g. xor"))
    p.add_argument(
        "demo_args", nargs=argparse.REMAINDER, metavar="ARGS", help=_("passed on to the demo")
    )
    p.set_defaults(run=_cmd_demo)
    p = sub.add_parser(
        "lab",
        help=_(
            "train a network in the browser and watch backpropagation live (needs the lab extra)"
        ),
        description=_("Start the lab's local server and open its page. Ctrl-C stops it."),
    )
    p.add_argument("--port", type=_port, default=0, help=_("the port (default 0: a free one)"))
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help=_("the address to listen on (default 127.0.0.1: this computer only)"),
    )
    p.add_argument(
        "--no-browser", action="store_true", help=_("print the URL, do not open a browser")
    )
    p.set_defaults(run=_cmd_lab)
    for command in sub.choices.values():
        _add_language_option(command)
    return parser, sub.choices  # every command's parser, by name


_EXPRESSION_COMMANDS = ("grad", "explain", "graph")

#: --lang, and the prefixes of it argparse would take for it (no other option of
#: any parser starts with --l).
_LANG_OPTIONS = ("--l", "--la", "--lan", "--lang")


def _take_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """The language ``--lang LANG`` (or ``--lang=LANG``) names, and the other
    arguments.  It is taken wherever the command line's own options may stand:
    before the command or among its arguments, but not after ``--`` nor among a
    demo's own arguments (after ``demo NAME``).  The last one given counts; None
    without one.  A --lang without a value is left for argparse to say so."""
    lang: str | None = None
    rest: list[str] = []
    command: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        option, is_joined, value = arg.partition("=")
        if arg == "--":
            break
        if option in _LANG_OPTIONS and is_joined:
            lang, i = value, i + 1
            continue
        if arg in _LANG_OPTIONS and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            lang, i = argv[i + 1], i + 2
            continue
        if not arg.startswith("-"):
            if command is None:
                command = arg
            elif command == "demo":  # the demo's name: what follows is the demo's
                break
        rest.append(arg)
        i += 1
    return lang, rest + argv[i:]


def _looks_like_expression(arg: str) -> bool:
    """'-x*y', '-x', '--x' -- but not an option such as -h, -o, --help, --max-nodes=9."""
    return (
        arg.startswith("-")
        and arg not in ("-h", "-o")
        and not re.fullmatch(r"--[a-z][a-z-]*(=.*)?", arg)
    )


def _check_expression(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A clear message when the expression is missing (argparse's own would list
    NAME=VALUE as required too) or when a NAME=VALUE stands in its place."""
    if args.expression is None:
        parser.error(
            _('the expression is missing, e.g. {prog} "x*y" x=1 y=2').format(prog=parser.prog)
        )
    if _ASSIGNMENT.fullmatch(args.expression):
        parser.error(
            _(
                "{value} is a value, not an expression: write the expression first, "
                'e.g. {prog} "x*y" x=1 y=2'
            ).format(value=_shortened(args.expression.strip()), prog=parser.prog)
        )


def _parse(argv: list[str]) -> argparse.Namespace:
    parser, commands = _parser()
    if not argv:
        parser.error(_("missing the command: grad, explain, graph, demo or lab"))
    if not argv[0].startswith("-") and argv[0] not in commands:
        close = _close_match(argv[0], commands)
        if close is None:
            message = _(
                "unknown command {command}; the commands are grad, explain, graph, demo and lab"
            )
        else:
            message = _(
                "unknown command {command} (did you mean {suggestion}?); the commands are "
                "grad, explain, graph, demo and lab"
            )
        parser.error(message.format(command=_quoted(argv[0]), suggestion=close))
    if argv[0] in _EXPRESSION_COMMANDS:
        if len(argv) > 1 and _looks_like_expression(argv[1]):
            argv[1] = " " + argv[1]  # "-x*y" is an expression, not an option: argparse
            # reads an argument with a space as a positional one
        # Intermixed, so options may come anywhere: graph "x*y" -o g.svg x=1 y=2
        command = commands[argv[0]]
        args = command.parse_intermixed_args(argv[1:])
        _check_expression(command, args)
        return args
    return parser.parse_args(argv)


def _escape_what_cannot_be_shown() -> None:
    """A label the terminal cannot encode (é on an ASCII console) prints as \\xe9,
    rather than ending the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            # mypy: a TextIO need not have reconfigure(); one without it raises AttributeError
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass  # not a text stream that can change (a test's capture)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status.

    Status 0 on success; 2 for a bad expression, value, option, language or
    output file (one line on stderr: ``tinygrad-edu: error: ...``); 1 when
    Graphviz or the demos are missing, Graphviz takes longer than ``--timeout``,
    or a demo fails; 130 when interrupted (Ctrl-C).

    The messages are in the language ``--lang`` names, else the locale's; the
    language in force is as it was when main() returns.
    """
    if argv is None:  # run as the program (not called from Python)
        argv = sys.argv[1:]
        _escape_what_cannot_be_shown()
    lang, argv = _take_language(list(argv))
    previous = i18n._process_default  # put back on return (main() called from Python)
    try:
        if lang is not None:
            try:
                i18n.set_language(lang)  # before the parsers: their help is in it too
            except ValueError:  # in the locale's language, the one in force
                _error(
                    _see_help(
                        _("unknown language {name}; the languages are {languages}").format(
                            name=_quoted(lang), languages=", ".join(i18n.LANGUAGES)
                        ),
                        _PROG,
                    )
                )
                return 2
        return _run(argv)
    finally:
        i18n.set_language(previous)


def _run(argv: list[str]) -> int:
    try:
        with i18n.argparse_translated():
            args = _parse(argv)
        status: int = args.run(args)
        return status
    except SystemExit as exit:  # --help (status 0)
        return exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 2
    except BrokenPipeError:  # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(_("{prog}: interrupted").format(prog=_PROG), file=sys.stderr)
        return 130
    except (ExpressionError, _CommandError) as err:
        _error(str(err))
        return getattr(err, "status", 2)
    except GraphvizNotInstalled as err:  # several lines: how to install Graphviz
        _error(str(err), one_line=False)
        return 1
    except Exception as err:  # noqa: BLE001 -- a bug: one line, not a traceback
        _error(
            _(
                "internal error: {error} (this is a bug in tinygrad-edu; please report it "
                "with the command that caused it)"
            ).format(error=f"{type(err).__name__}: {err}")
        )
        return 70
