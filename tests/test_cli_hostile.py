"""Hostile and careless input to the command line, kept as a standing suite.

Every string the parser is given gets either a result (exit status 0) or one
line on stderr (``tinygrad-edu: error: ...``, bounded in length) and exit
status 2 -- never a traceback, never a hang.  Most cases call ``main()`` in
the test process with its output captured (fast enough for hypothesis); a few
run the real program to see the real exit status.  The time the command takes
grows in proportion to the number of variables: checked here by counting the
work done (function calls), not by timing it.
"""

import ast
import contextlib
import io
import math
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import cli, expr
from tinygrad_edu.expr import ExpressionError

ROOT = Path(__file__).resolve().parent.parent
# English, whatever the machine's locale: conftest.py sets LANGUAGE=en for every test
# (tests/test_cli_i18n.py runs the command line in Japanese)
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


PREFIX = "tinygrad-edu: error: "
LONGEST_ERROR = len(PREFIX) + 500 + 1  # cli._MAX_MESSAGE characters and the line end
HANG = 60  # seconds: far beyond any case here


class Hung(BaseException):
    """Raised by the alarm; a BaseException, so that nothing in main() can catch it."""


def _alarm(signum, frame):
    raise Hung(f"main() did not return within {HANG} s")


def run_main(argv):
    """(status, stdout, stderr) of cli.main(argv), called in this process."""
    out, err = io.StringIO(), io.StringIO()
    guarded = hasattr(signal, "SIGALRM")
    if guarded:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(argv))
    finally:
        if guarded:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return status, out.getvalue(), err.getvalue()


def assert_result_or_one_error_line(argv):
    status, out, err = run_main(argv)
    if status == 0:
        assert err == "", err
        assert out.endswith("\n")
    else:
        assert status == 2, (status, err)
        assert out == ""
        assert err.startswith(PREFIX) and err.count("\n") == 1 and err.endswith("\n"), err
        assert len(err) <= LONGEST_ERROR, len(err)
        assert "Traceback" not in err
    return status, out, err


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        timeout=120,
    )


# -- hypothesis: the parser answers every string -------------------------------

ASSIGNMENTS = ["x=2", "y=-3", "z=0.5"]
PIECES = [
    "x",
    "y",
    "z",
    "q",
    "1",
    "2.5",
    "0",
    "1e308",
    "1e999",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "**",
    "//",
    "%",
    "@",
    "~",
    "exp(",
    "log(",
    "sqrt(",
    "relu(",
    "abs(",
    "foo(",
    ".",
    ",",
    "[",
    "]",
    "{",
    "}",
    "=",
    ":=",
    "==",
    "<",
    "lambda",
    ":",
    "if",
    "else",
    "not",
    "and",
    "j",
    "'",
    '"',
    "f'{x}'",
    " ",
    "\n",
    "\\",
    "#",
    "\t",
    "\x00",
    "é",
    "ｘ",
    "ｉｆ",
    "ﬁ",
    "²",
    "True",
    "None",
    "__class__",
    "__import__(",
    "**-",
    "9" * 30,
    "\u200b",
    "\U0001d431",
    "x+" * 300,
    "x*" * 300,
    "-" * 300,
    "(" * 50,
    ")" * 50,
    "2**" * 120,
    "exp(" * 120,
]


@given(st.text(max_size=80))
def test_any_text_as_the_expression(text):
    assert_result_or_one_error_line(["grad", text, *ASSIGNMENTS])


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_almost_expressions_including_long_and_deep_ones(text):
    assert_result_or_one_error_line(["grad", text, *ASSIGNMENTS])


def _expressions():
    """Well-formed expressions of the allowed grammar: long chains, deep nesting,
    any of the functions, numbers that are too large for a float."""
    leaves = st.sampled_from(["x", "y", "z", "0", "1", "2.5", "-1", "1e300", "1e-300", "1e400"])

    def extend(inner):
        chain = st.lists(inner, min_size=2, max_size=40).flatmap(
            lambda items: st.lists(
                st.sampled_from(["+", "-", "*", "/"]),
                min_size=len(items) - 1,
                max_size=len(items) - 1,
            ).map(lambda ops: items[0] + "".join(op + item for op, item in zip(ops, items[1:])))
        )
        return st.one_of(
            chain,
            st.tuples(st.sampled_from(sorted(expr.FUNCTIONS)), inner).map(
                lambda t: f"{t[0]}({t[1]})"
            ),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"-{e}"),
            st.tuples(inner, st.sampled_from(["2", "-1", "0.5", "y", "(x)"])).map(
                lambda t: f"({t[0]})**{t[1]}"
            ),
        )

    return st.recursive(leaves, extend, max_leaves=200)


@given(_expressions())
def test_well_formed_expressions_give_a_value_or_a_domain_error(text):
    status, out, err = assert_result_or_one_error_line(["grad", text, *ASSIGNMENTS])
    if status == 0:
        value = float(out.splitlines()[0].rpartition(" = ")[2])
        assert math.isfinite(value)


@given(st.lists(st.text(max_size=30), max_size=6))
def test_any_assignments(items):
    assert_result_or_one_error_line(["grad", "x*y", *items])


@given(
    command=st.sampled_from(["grad", "explain", "graph"]),
    argv=st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                [
                    "x=1",
                    "y=2",
                    "-o",
                    "--max-steps",
                    "--max-nodes",
                    "--timeout",
                    "--rankdir",
                    "--order",
                    "--help",
                    "-h",
                    "x*y",
                    "-x",
                    "--",
                    "=",
                    "x==1",
                ]
            ),
        ),
        max_size=6,
    ),
)
def test_any_arguments(command, argv, tmp_path_factory):
    # graph writes only .dot files, into a folder of its own (no Graphviz needed)
    folder = tmp_path_factory.mktemp("graph")
    extra = ["-o", str(folder / "g.dot")] if command == "graph" else []
    status, out, err = run_main([command, *argv, *extra])
    assert status in (0, 2), (status, err)
    if status == 2:
        assert err.startswith(PREFIX) and err.count("\n") == 1 and len(err) <= LONGEST_ERROR, err
    assert "Traceback" not in err


def test_the_real_program_exits_with_status_2_and_one_line():
    for args in (
        ["grad", "x" + "+x" * 5000 + "+", "x=1"],  # deep, then a syntax error
        ["grad", "-" * 20000 + "x", "x=1"],
        ["grad", "\x01\\\n(", "x=1"],
        ["explain", "exp(" * 150 + "x" + ")" * 150, "x=1"],
        ["grad", "x", "x=\udcff"],
    ):  # a byte that is not UTF-8
        out = run(*args)
        assert out.returncode == 2, (args[:2], out.stderr[-500:])
        assert out.stdout == "" and out.stderr.startswith(PREFIX), out.stderr[-500:]
        assert out.stderr.count("\n") == 1 and len(out.stderr) <= LONGEST_ERROR


def test_an_unexpected_failure_is_one_line_with_its_own_status(monkeypatch):
    def broken(args):
        raise RuntimeError("something inside went wrong")

    monkeypatch.setattr(cli, "_cmd_grad", broken)
    status, out, err = run_main(["grad", "x", "x=1"])
    assert status == 70 and out == ""
    assert err == (
        f"{PREFIX}internal error: RuntimeError: something inside went wrong (this is a "
        "bug in tinygrad-edu; please report it with the command that caused it)\n"
    )


# -- Python's parser reads deep text differently on each version; ours does not ---


def _description(tree):
    """Every node of an ast, breadth first: its type, its plain fields and its
    position (ast.dump, but without recursion, for trees thousands deep)."""
    nodes = list(ast.walk(tree))
    return [
        (
            type(node).__name__,
            [
                (name, value)
                for name, value in ast.iter_fields(node)
                if not isinstance(value, (ast.AST, list))
            ],
            [
                (name, [type(v).__name__ for v in value])
                for name, value in ast.iter_fields(node)
                if isinstance(value, list)
            ],
            [getattr(node, name, None) for name in node._attributes],
        )
        for node in nodes
    ]


@given(
    st.lists(
        st.sampled_from(
            [
                "x",
                "y",
                "é",
                "ｘ",
                "1",
                "2.5",
                "1e-3",
                "(",
                ")",
                "+",
                "-",
                "*",
                "/",
                "**",
                "//",
                "%",
                "@",
                "~",
                "exp(",
                "tanh(",
                "f(",
                ".",
                ",",
                "[",
                "]",
                "{",
                "}",
                "=",
                "<",
                "if",
                "else",
                "not",
                ":",
                " ",
                "\n",
                "'s'",
                "f'{x+1}'",
                "#c\n",
                "x.y",
                "x[0]",
                "1j",
                "**-",
                "-(",
                ")**",
            ]
        ),
        min_size=1,
        max_size=30,
    ).map("".join)
)
def test_the_piecewise_reader_builds_the_tree_python_builds(text):
    """_Pieces reads text too deep for ast.parse (chains of thousands of terms on
    3.11+); wherever ast.parse can read a text, the two trees are identical,
    positions included, and _Pieces never accepts a text that Python refuses
    with a syntax error (leading line continuations aside)."""
    body = text.strip()
    if not body:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = ast.parse(body, mode="eval").body
    except SyntaxError:
        expected = None
    except (RecursionError, MemoryError, ValueError):
        return
    try:
        built = expr._Pieces(body).tree()
    except ExpressionError:
        built = None
    if expected is None:
        assert built is None or body.startswith("\\"), body
    else:
        assert built is not None, body
        assert _description(built) == _description(expected)


@pytest.mark.parametrize(
    "text",
    [  # as long as every version's ast.parse reads
        "+".join(f"x{i}" for i in range(1500)),
        "x0*" + "*".join(f"(x{i} - 2/x{i})" for i in range(1, 700)) + "/7",
        "-(" + "+".join(["-x**2*y"] * 700) + ")**2 + tanh(" + "-".join(["exp(-é)"] * 700) + ")",
        "f(" + ", ".join(["x"] * 1500) + ") + x",
    ],
)
def test_long_chains_read_the_same_as_python_reads_them(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ast.parse(text, mode="eval").body
    assert _description(expr._Pieces(text).tree()) == _description(expected)


# -- many variables: answered at once, the work linear in their number -----------


def _sum_of(n, name="x"):
    return " + ".join(f"{name}{i}" for i in range(n)), [f"{name}{i}=1" for i in range(n)]


def test_ten_thousand_variables_are_answered():
    text, assignments = _sum_of(10_000)
    status, out, err = run_main(["grad", text, *assignments])
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("x0 + x1 + x2") and lines[0].endswith("… = 10000")
    rows = [line.split() for line in lines[4:10_004]]
    assert [row[0] for row in rows] == [f"df/dx{i}" for i in range(10_000)]
    assert all(row[1] == "1" for row in rows)
    checked = [row for row in rows if row[2] != "not"]
    assert checked and all(float(row[2]) == pytest.approx(1.0, rel=1e-6) for row in checked)
    assert rows[-1][2:] == ["not", "checked"]
    assert lines[-1] == (
        f"note: finite differences were checked for {len(checked):,} of the 10,000 "
        "variables in the expression: each check evaluates the whole expression "
        "twice, so checking all of them would cost 20,000 evaluations, while "
        "backward() found every gradient in one pass"
    )


def test_ten_thousand_variables_in_a_product_a_tree_and_unused():
    names = [f"w{i}" for i in range(10_000)]
    assignments = [f"{name}=1" for name in names]
    status, out, err = run_main(["grad", "*".join(names), *assignments])
    assert status == 0 and out.startswith("w0*w1*w2") and " = 1\n" in out, err
    terms = names
    while len(terms) > 1:  # ((w0 + w1) + (w2 + w3)) + ...
        terms = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2])] + terms[
            len(terms) // 2 * 2 :
        ]
    status, out, err = run_main(["grad", terms[0], *assignments])
    assert status == 0 and out.splitlines()[0].endswith(" = 10000"), err
    status, out, err = run_main(["grad", "w0*2", *assignments])
    assert status == 0, err
    assert out.splitlines()[-1].split() == [
        "df/dw9999",
        "0",
        "0",
        "0.0e+00",
        "(not",
        "in",
        "the",
        "expression)",
    ]
    status, out, err = run_main(["explain", "+".join(names), *assignments])
    assert status == 0 and out.rstrip().endswith("w9999.grad = 1.0"), err


def test_a_kink_among_thousands_of_variables_still_gets_its_note():
    text, assignments = _sum_of(3000)
    status, out, err = run_main(["grad", "relu(x0 - 1) + " + text, *assignments])
    assert status == 0, err
    assert "note: relu(x0 - 1) is at its kink (x0 - 1 = 0): not differentiable there" in out


def _work(argv):
    """How many function calls (Python and C) main(argv) makes: a measure of the
    work done that, unlike a time, does not depend on how busy the machine is."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += 1

    out, err = io.StringIO(), io.StringIO()
    sys.setprofile(count)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    finally:
        sys.setprofile(None)
    assert status == 0, err.getvalue()
    return calls


@pytest.mark.parametrize("shape", ["sum", "relu", "tree", "unused"])
def test_the_work_grows_linearly_with_the_number_of_variables(shape, monkeypatch):
    # A smaller budget for the finite-difference check (a fixed amount of work, the
    # same for both sizes) keeps the profiled runs short.
    monkeypatch.setattr(cli, "_CHECK_BUDGET", 20_000, raising=False)

    def argv(n):
        names = [f"x{i}" for i in range(n)]
        if shape == "sum":
            text = "+".join(names)
        elif shape == "relu":
            text = "+".join(f"relu({name})" for name in names)
        elif shape == "tree":
            terms = names
            while len(terms) > 1:
                terms = [f"({a}+{b})" for a, b in zip(terms[::2], terms[1::2])] + terms[
                    len(terms) // 2 * 2 :
                ]
            text = terms[0]
        else:
            text = "x0*2"
        return ["grad", text, *(f"{name}=1" for name in names)]

    _work(argv(10))  # imports and caches out of the way
    small, large = _work(argv(250)), _work(argv(1000))
    # Four times the variables: four times the work or less (the finite-difference
    # check has a fixed budget).  Quadratic work would be sixteen times.
    assert large < 5 * small, (small, large)
