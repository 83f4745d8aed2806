"""The command line, run as a learner runs it (a subprocess), and its expression parser."""

import math
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import Value, cli
from tinygrad_edu._optional import install_hint
from tinygrad_edu.expr import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    ExpressionError,
    parse_assignments,
    parse_expression,
)

ROOT = Path(__file__).resolve().parent.parent
# English, whatever the machine's locale: conftest.py sets LANGUAGE=en for every test
# (tests/test_cli_i18n.py runs the command line in Japanese)
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def run(*args, env=ENV, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=60,
    )


# -- the three expression commands ----------------------------------------------


def test_grad_prints_value_gradients_and_finite_differences():
    out = run("grad", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "tanh(x*w + b) = 0.7064193204"
    assert lines[1] == "at x = 2, w = -3, b = 6.88"
    assert lines[3].split() == ["backward()", "finite", "differences", "|difference|"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[4:]}
    t = math.tanh(2 * -3 + 6.88)
    for name, exact in [
        ("df/dx", (1 - t * t) * -3),
        ("df/dw", (1 - t * t) * 2),
        ("df/db", 1 - t * t),
    ]:
        analytic, numeric, diff = (float(c) for c in rows[name])
        assert analytic == pytest.approx(exact, rel=1e-9)
        assert numeric == pytest.approx(exact, rel=1e-6)
        assert diff < 1e-6
    assert out.stderr == ""
    assert "note" not in out.stdout  # the check agrees: nothing to explain


def test_grad_marks_unused_variables_and_finite_differences_off_the_domain():
    out = run("grad", "sqrt(x) + y", "x=1e-9", "y=1", "z=3")
    assert out.returncode == 0, out.stderr
    assert "n/a  (a finite-difference step x ± h leaves the domain)" in out.stdout
    assert "(not in the expression)" in out.stdout.splitlines()[-1]


def test_grad_at_a_kink_says_why_the_check_disagrees():
    out = run("grad", "relu(x)", "x=0")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[4].split() == ["df/dx", "0", "0.5", "5.0e-01"]
    assert lines[5:] == [
        "",
        "note: relu(x) is at its kink (x = 0): not differentiable there; "
        "backward() uses the derivative 0, finite differences average the slopes "
        "on both sides",
    ]


@pytest.mark.parametrize(
    "args, note",
    [
        (
            ["abs(x - 1)*y", "x=1", "y=2"],
            "note: abs(x - 1) is at its kink (x - 1 = 0): not differentiable "
            "there; backward() uses the derivative 0",
        ),
        (["relu(y)*x", "x=1", "y=0"], "note: relu(y) is at its kink (y = 0)"),
        (
            ["relu(x)", "x=1e-7"],
            "note: relu(x) is within the finite-difference step of its kink (x = 1e-07): "
            "backward() uses its slope on this side (1), finite differences mix both sides",
        ),
        (
            ["abs(2*x)", "x=-1e-7"],
            "note: abs(2*x) is within the finite-difference step of its kink "
            "(2*x = -2e-07): backward() uses its slope on this side (-1)",
        ),
    ],
)
def test_grad_names_the_kink_an_input_sits_at_or_near(args, note):
    out = run("grad", *args)
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and notes[0].startswith(note), out.stdout


def test_grad_far_from_a_kink_or_with_a_constant_at_one_gives_no_note():
    for args in (["relu(x)", "x=0.5"], ["x*relu(0)", "x=1"], ["relu(x) + y", "x=2", "y=0"]):
        out = run("grad", *args)
        assert out.returncode == 0 and "note" not in out.stdout, (args, out.stdout)


def test_grad_says_when_the_check_disagrees_and_the_likely_reason():
    out = run("grad", "x**0.5", "x=1e-5")  # very curved near 0: the step is too coarse
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stdout.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: df/dx: backward() and finite differences disagree by 2.0e-01 (more than "
        "the tolerance 1.6e-02); likely reason: the function curves sharply within the "
        "step h = 1.0e-06 around x = 1e-05 (e.g. near a pole or the edge of its domain), "
        "where finite differences are inaccurate"
    ]


def test_an_expression_may_start_with_a_minus():
    out = run("grad", "-x*y", "x=1", "y=2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("-x*y = -2\n")


def test_explain_prints_the_steps():
    out = run("explain", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("backward pass of f = tanh(x*w + b)\n")
    assert "  x.grad += n1.grad * w.data   (0.501 * (-3.0)) = -1.503\n" in out.stdout
    assert out.stdout.rstrip().endswith(
        "gradients: x.grad = -1.503, w.grad = 1.002, b.grad = 0.501"
    )


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)
def test_graph_renders_an_svg(tmp_path):
    target = tmp_path / "g.svg"
    out = run("graph", "x*y + 1", "-o", str(target), "x=2", "y=3", "--order")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"wrote {target} (DOT source: {tmp_path / 'g.dot'})"
    texts = [t.text for t in ET.parse(target).iter("{http://www.w3.org/2000/svg}text")]
    assert {"x", "y", "data 2", "grad 3", "grad 2", "f", "data 7"} <= set(texts)


def test_graph_without_dot_says_how_to_install_it(tmp_path):
    env = {**ENV, "PATH": str(tmp_path)}  # an empty PATH: no `dot`
    out = run("graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "g.svg"), env=env)
    assert out.returncode == 1
    assert out.stderr.startswith("tinygrad-edu: error: Graphviz's 'dot' program")
    assert "apt-get install graphviz" in out.stderr and "brew install graphviz" in out.stderr
    assert str(tmp_path / "g.dot") in out.stderr and (tmp_path / "g.dot").exists()
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("command", [[], ["grad"], ["explain"], ["graph"], ["demo"]])
def test_help(command):
    out = run(*command, "--help")
    assert out.returncode == 0
    assert out.stdout.startswith("usage: tinygrad-edu")
    if command in (["grad"], ["explain"], ["graph"]):
        assert "NAME=VALUE" in out.stdout


# -- every bad input: one line on stderr, exit status 2, no traceback --------

BAD = [
    (["grad", "tanhh(x)", "x=1"], "column 1: unknown function 'tanhh' (did you mean tanh?)"),
    (["grad", "x*y", "x=1"], "column 3: 'y' has no value"),
    (["grad", "x*", "x=1"], "column 3: syntax error: the expression ends too early"),
    (["grad", "x + * 2", "x=1"], "column 5: syntax error: invalid syntax"),
    (["grad", "((x", "x=1"], "column 2: syntax error: '(' was never closed"),
    (["grad", "x.__class__", "x=1"], "column 2: attribute access (.__class__) is not supported"),
    (["grad", "x.exp()", "x=1"], "method calls (.exp) are not supported"),
    (["grad", "__import__('os')"], "unknown function '__import__'"),
    (["grad", "x[0]", "x=1"], "indexing with [ ] is not supported"),
    (["grad", "lambda: 1"], "lambda is not supported"),
    (["grad", "exp(x=1)"], "exp() takes no keyword arguments"),
    (["grad", "exp(x, x)", "x=1"], "exp() takes exactly one argument, got 2"),
    (["grad", "x < 1", "x=1"], "a comparison is not supported"),
    (["grad", "x if x else 1", "x=1"], "if-else is not supported"),
    (["grad", "x // 2", "x=1"], "// (floor division; use /) is not supported"),
    (["grad", "x ^ 2", "x=1"], "^ (write powers as **)"),
    (["grad", "x, x", "x=1"], "a tuple (or a stray comma) is not supported"),
    (["grad", "'x'"], "str literals"),
    (["grad", "1j*x", "x=1"], "complex numbers"),
    (["grad", "1if x else 2", "x=1"], "if-else is not supported"),  # no SyntaxWarning line
    (["grad", "'\\d'"], "str literals"),  # no DeprecationWarning
    (["grad", "True*x", "x=1"], "bool literals"),
    (["grad", "exp", "x=1"], "exp is a function: call it"),
    (["grad", "x"], "'x' has no value"),
    (["grad", "x", "x=abc"], "x=abc: 'abc' is not a number"),
    (["grad", "x", "x="], "is not a number"),
    (["grad", "x", "x=nan"], "the value must be a finite number"),
    (["grad", "x", "x=inf"], "the value must be a finite number"),
    (["grad", "x", "x=1", "x=2"], "x is given twice"),
    (["grad", "x", "x"], "expected name=value"),
    (["grad", "x", "2x=1"], "'2x' is not a valid variable name"),
    (["grad", "x", "exp=1"], "exp is a function name"),
    # names are read as Python reads identifiers (NFKC), and keywords cannot be names
    (["grad", "x", "if=2"], "if is a Python keyword, which cannot name a variable"),
    (["grad", "x", "True=1"], "True is a Python keyword"),
    (["grad", "x", "ｉｆ=2"], "ｉｆ (read as if) is a Python keyword"),
    (
        ["grad", "ｉｆ*2"],
        "column 1: 'ｉｆ' reads as the Python keyword 'if', which cannot name a variable",
    ),
    (["grad", "x", "ｅｘｐ=1"], "ｅｘｐ (read as exp) is a function name"),
    (["grad", "x*2", "ｘ=1", "x=2"], "x is given twice (ｘ=1 and x=2)"),
    (["grad", "x", "x²=1"], "'x²' is not a valid variable name"),  # not an identifier, as in Python
    (["grad", "x**5000", "x=1"], f"exponent 5000 is too large (the limit is ±{MAX_EXPONENT})"),
    (["grad", "1e999*x", "x=1"], "1e999 is not a finite number"),
    (["grad", "1" * 5000], "syntax error"),
    (["grad", "(" * 300 + "x" + ")" * 300, "x=1"], "too many nested parentheses"),
    # the same message on every Python version, however deep Python's own parser reads
    (
        ["grad", "-" * 5000 + "x", "x=1"],
        f"column 202: the expression nests more than {MAX_DEPTH} operations",
    ),
    (["grad", "2**" * 300 + "x", "x=1"], f"nests more than {MAX_DEPTH} operations"),
    (["grad", "exp(-" * 150 + "x" + ")" * 150, "x=1"], f"nests more than {MAX_DEPTH} operations"),
    (["grad", "x" * (MAX_LENGTH + 1)], f"the limit is {MAX_LENGTH}"),
    (["grad", "   "], "the expression is empty"),
    (
        ["grad", "log(x)", "x=0"],
        "column 1: log(x = 0.0): the logarithm is defined only for positive numbers",
    ),
    (["grad", "x/(x-1)", "x=1"], "division by zero"),
    (["grad", "exp(x)", "x=1000"], "overflows"),
    (["grad", "x**y", "x=-1", "y=2"], "the base must be positive"),
    (["grad", "sqrt(x)", "x=0"], "backward of sqrt(x = 0.0): the local derivative is not finite"),
    (["explain", "sqrt(x)", "x=0"], "local derivative is not finite"),
    (["explain", "x.y", "x=0"], "attribute access"),
    (["graph", "x@x", "x=1"], "@ is not supported"),
    (
        ["graph", "x", "x=1", "-o", "g.gif"],
        "the file name must end in one of .svg, .png, .pdf, .dot",
    ),
    (["graph", "x+x+x", "x=1", "--max-nodes", "2", "-o", "g.dot"], "more than --max-nodes 2; "),
    (["demo", "no_such_demo"], "no demo named 'no_such_demo'"),
    # huge numbers
    (
        ["grad", "x*y", "x=1e308", "y=1e308"],
        "mul(x = 1e+308, y = 1e+308): the result overflows a float",
    ),
    (["explain", "x+y", "x=1e308", "y=1e308"], "the result overflows a float"),
    (["graph", "x*x", "x=1e200", "-o", "g.dot"], "the result overflows a float"),
    (["grad", "x", "x=1e400"], "the value must be a finite number"),
    # the output file
    (
        ["graph", "x*y", "x=1", "y=2", "-o", "/nonexistent/g.svg"],
        "cannot write /nonexistent/g.svg: the folder /nonexistent does not exist",
    ),
    (  # (the .html's folder is named, though the page is drawn from a DOT source first)
        ["graph", "x*y", "x=1", "y=2", "-o", "/nonexistent/dir/g.html"],
        "cannot write /nonexistent/dir/g.html: the folder /nonexistent/dir does not exist",
    ),
    (
        ["graph", "x", "x=1", "-o", "no/such/folder/g.dot"],
        "cannot write no/such/folder/g.dot: the folder no/such/folder does not exist",
    ),
    # usage: missing or malformed arguments and options
    ([], "missing the command: grad, explain, graph, demo or lab (see: tinygrad-edu --help)"),
    (["frob"], "unknown command 'frob'; the commands are grad, explain, graph, demo and lab"),
    (["gard", "x", "x=1"], "unknown command 'gard' (did you mean grad?)"),
    (
        ["grad"],
        'the expression is missing, e.g. tinygrad-edu grad "x*y" x=1 y=2 '
        "(see: tinygrad-edu grad --help)",
    ),
    (["explain", "--max-steps", "3"], "the expression is missing, e.g. tinygrad-edu explain"),
    (["graph", "-o", "g.svg"], "the expression is missing, e.g. tinygrad-edu graph"),
    (
        ["grad", "x=1", "y=2"],
        "x=1 is a value, not an expression: write the expression first, "
        'e.g. tinygrad-edu grad "x*y" x=1 y=2',
    ),
    (
        ["grad", "x", "x=1", "--bogus"],
        "unrecognized arguments: --bogus (see: tinygrad-edu grad --help)",
    ),
    (
        ["explain", "x", "x=1", "--max-steps", "-1"],
        "argument --max-steps: must be a whole number >= 0, got -1",
    ),
    (
        ["explain", "x", "x=1", "--max-steps=abc"],
        "argument --max-steps: must be a whole number >= 0, got 'abc'",
    ),
    (
        ["graph", "x", "x=1", "--max-nodes", "0", "-o", "g.dot"],
        "argument --max-nodes: must be a whole number >= 1",
    ),
    (["graph", "x", "x=1", "--rankdir", "XY"], "argument --rankdir: invalid choice: 'XY'"),
    (
        ["graph", "x", "x=1", "--timeout", "0", "-o", "g.dot"],
        "argument --timeout: must be a number of seconds > 0, got '0'",
    ),
    (
        ["graph", "x", "x=1", "--timeout", "soon"],
        "argument --timeout: must be a number of seconds > 0",
    ),
    (
        ["graph", "x", "x=1", "--timeout", "inf"],
        "argument --timeout: must be a number of seconds > 0",
    ),
    (["graph", "x", "x=1", "-o"], "argument -o/--output: expected one argument"),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_gives_one_line_and_status_2(args, message, tmp_path):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith("tinygrad-edu: error: ")
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""
    assert not list(tmp_path.iterdir())  # nothing written


def test_an_unwritable_output_file_is_one_line(tmp_path):
    (tmp_path / "g.svg").mkdir()  # the image path is a folder
    out = run("graph", "x*y", "x=1", "y=2", "-o", "g.svg", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "tinygrad-edu: error: cannot write g.svg: it is a folder\n"
    (tmp_path / "g2.dot").mkdir()  # the DOT source path is a folder
    out = run("graph", "x*y", "x=1", "y=2", "-o", "g2.png", cwd=tmp_path)
    assert out.stderr == "tinygrad-edu: error: cannot write g2.dot: it is a folder\n"
    assert out.returncode == 2


def test_dot_failing_is_one_line_naming_the_file(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"  # a `dot` that fails as a broken install would
    fake.write_text("#!/bin/sh\necho 'Error: renderer for svg is unavailable' >&2\nexit 1\n")
    fake.chmod(0o755)
    if os.name == "nt":
        pytest.skip("a shell-script `dot` needs a POSIX shell")
    out = run(
        "graph", "x*y", "x=1", "y=2", "-o", "g.svg", cwd=tmp_path, env={**ENV, "PATH": str(bin_dir)}
    )
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == (
        "tinygrad-edu: error: Graphviz's dot could not draw g.svg (exit status 1): "
        "Error: renderer for svg is unavailable\n"
    )


def _fake_dot(tmp_path, script):
    if os.name == "nt":
        pytest.skip("a shell-script `dot` needs a POSIX shell")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\n" + script)
    (bin_dir / "dot").chmod(0o755)
    return {**ENV, "PATH": str(bin_dir)}


def test_a_dot_that_takes_too_long_is_stopped_with_one_line(tmp_path):
    env = _fake_dot(tmp_path, f"exec '{sys.executable}' -c 'import time; time.sleep(60)'\n")
    out = run(
        "graph", "x*y", "x=1", "y=2", "-o", "g.svg", "--timeout", "0.5", cwd=tmp_path, env=env
    )
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == (
        "tinygrad-edu: error: Graphviz's dot did not finish drawing g.svg within 0.5 s "
        "and was stopped. This graph has 3 Values and 3 arrows. Draw a smaller part "
        "(e.g. one neuron's output), use the DOT source already written to g.dot, "
        "or allow more time: --timeout 60\n"
    )
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it",
)
def test_a_hundred_term_sum_is_drawn_or_stopped_with_the_timeout_message(tmp_path):
    """It kept dot busy for over 10 minutes; the layout limits make it seconds."""
    out = run("graph", "+".join(["x"] * 100), "x=1", "-o", "s.svg", "--timeout", "5", cwd=tmp_path)
    if out.returncode == 0:
        assert out.stdout == "wrote s.svg (DOT source: s.dot)\n"
        assert "grad 100" in [
            t.text for t in ET.parse(tmp_path / "s.svg").iter("{http://www.w3.org/2000/svg}text")
        ]
    else:
        assert out.returncode == 1 and out.stderr.count("\n") == 1
        assert "within 5 s and was stopped. This graph has 100 Values" in out.stderr


@pytest.mark.skipif(os.name == "nt", reason="signals to a process group are a POSIX matter")
def test_ctrl_c_while_dot_runs_is_one_line_and_status_130(tmp_path):
    marker = tmp_path / "dot-started"
    env = _fake_dot(
        tmp_path, f"echo > '{marker}'\nexec '{sys.executable}' -c 'import time; time.sleep(60)'\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinygrad_edu", "graph", "x*y", "x=1", "y=2", "-o", "g.svg"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        for _ in range(600):  # wait until dot runs (at most a minute)
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), proc.communicate(timeout=60)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at a terminal reaches the whole group
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (proc.returncode, stdout, stderr) == (130, "", "tinygrad-edu: interrupted\n")
    assert not (tmp_path / "g.svg").exists()


def test_missing_graphviz_is_short_and_has_no_traceback(tmp_path):
    out = run(
        "graph",
        "x*y",
        "x=2",
        "y=3",
        "-o",
        "g.svg",
        cwd=tmp_path,
        env={**ENV, "PATH": str(tmp_path)},
    )
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.splitlines()) <= 8 and "Traceback" not in out.stderr


def test_output_that_the_terminal_cannot_encode_is_escaped():
    out = run("grad", "é*2", "é=1", env={**ENV, "PYTHONIOENCODING": "ascii"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("\\xe9*2 = 2\n")


def test_usage_errors_in_process_return_the_status(capsys):
    assert cli.main(["grad"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tinygrad-edu: error: the expression is missing")
    assert cli.main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: tinygrad-edu")


def test_output_into_a_closed_pipe_is_quiet():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinygrad_edu", "explain", "+".join(["x"] * 150), "x=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=ROOT,
    )
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr


# -- demos (in process: the demos folder is swapped for a temporary one) ------


def test_demo_runs_the_file_with_its_arguments(tmp_path, monkeypatch, capsys):
    (tmp_path / "hello.py").write_text(
        "import sys\nif __name__ == '__main__':\n    print('hello', sys.argv[1:])\n"
    )
    (tmp_path / "_helper.py").write_text("")
    monkeypatch.setattr(cli, "demos_dir", lambda: str(tmp_path))
    assert cli.main(["demo", "hello", "--fast", "3"]) == 0
    assert capsys.readouterr().out == "hello ['--fast', '3']\n"
    assert cli.main(["demo"]) == 0
    assert capsys.readouterr().out.startswith("demos: hello\n")  # _helper is not a demo
    assert cli.main(["demo", "helo"]) == 2
    assert "no demo named 'helo' (did you mean hello?); available: hello" in capsys.readouterr().err


def test_a_demo_that_fails_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "boom.py").write_text("raise ValueError('the learning rate must be positive')\n")
    (tmp_path / "stop.py").write_text("raise KeyboardInterrupt\n")
    (tmp_path / "leave.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(cli, "demos_dir", lambda: str(tmp_path))
    assert cli.main(["demo", "boom", "--lr", "-1"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"tinygrad-edu: error: demo boom stopped: ValueError: the learning rate must be "
        f"positive (python {tmp_path / 'boom.py'} --lr -1 shows the traceback)\n"
    )
    assert cli.main(["demo", "stop"]) == 130
    assert capsys.readouterr().err == "tinygrad-edu: interrupted\n"
    assert cli.main(["demo", "leave"]) == 3


def test_demo_without_a_source_checkout_says_so(monkeypatch, capsys):
    monkeypatch.setattr(cli, "demos_dir", lambda: None)
    assert cli.main(["demo", "xor"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "demos are not installed with the package" in err


def test_the_demos_folder_is_found_next_to_the_package():
    assert cli.demos_dir() == str(ROOT / "demos")


def test_a_real_demo_runs_from_any_folder(tmp_path):
    out = run("demo", "optimizers", "--steps", "2", "--no-plot", cwd=tmp_path)  # a subprocess
    assert out.returncode == 0, out.stderr
    assert "Each optimizer starts at (-7.0, 2.0) and takes 2 steps." in out.stdout
    assert [line.split()[0] for line in out.stdout.splitlines()[4:8]] == [
        "SGD",
        "Momentum",
        "AdaGrad",
        "Adam",
    ]


# -- the parser ------------------------------------------------------------------


def test_parse_expression_builds_the_graph_with_the_callers_values():
    x = Value(2.0, label="x")
    y = parse_expression("x**2 + exp(-x) + 2**x - x/4", {"x": x})
    assert y.data == pytest.approx(4 + math.exp(-2) + 4 - 0.5)
    y.backward()
    assert x.grad == pytest.approx(4 - math.exp(-2) + 4 * math.log(2) - 0.25)
    assert y.formula() == "x**2 + exp(-x) + 2**x - x/4"


def test_number_exponents_stay_numbers_and_signed_literals_fold():
    x = Value(-2.0, label="x")
    assert parse_expression("x**3", {"x": x}).data == -8.0  # a negative base is fine for x**3
    assert parse_expression("x**-1", {"x": x}).data == -0.5
    assert parse_expression("-3", {}).is_leaf  # not neg(3)
    assert parse_expression("+x", {"x": x}) is x
    assert (
        parse_expression(
            "sigmoid(0) + relu(-1) + abs(-2) + cos(0) + sin(0) + sqrt(4) + log(1)", {}
        ).data
        == 0.5 + 0 + 2 + 1 + 0 + 2 + 0
    )


def test_numbers_as_variables_get_labelled_values():
    y = parse_expression("a*b", {"a": 2, "b": 3.5})
    assert sorted(p.label for p in y.parents) == ["a", "b"]
    with pytest.raises(ExpressionError, match="variable a: Value data must be finite"):
        parse_expression("a", {"a": float("nan")})


def test_expression_error_is_a_value_error_with_a_column():
    with pytest.raises(ExpressionError) as info:
        parse_expression("x + y", {"x": 1.0})
    assert isinstance(info.value, ValueError)
    assert info.value.column == 5
    with pytest.raises(ExpressionError) as info:
        parse_expression("é + foo", {"é": 1.0})  # columns count characters, not bytes
    assert info.value.column == 5
    with pytest.raises(ExpressionError) as info:
        parse_expression("  x + y", {"x": 1.0})  # leading spaces count too
    assert info.value.column == 7 and str(info.value).startswith("column 7: 'y' has no value")
    with pytest.raises(ExpressionError) as info:
        parse_expression("  x +", {"x": 1.0})
    assert info.value.column == 6
    with pytest.raises(ExpressionError, match="must be text"):
        parse_expression(None, {})


def test_depth_limit_allows_a_reasonable_sum():
    assert parse_expression("+".join(["x"] * MAX_DEPTH), {"x": 1.0}).data == MAX_DEPTH


def test_names_are_normalised_as_python_normalises_identifiers():
    out = run("grad", "ｘ*2 + ﬁ", "ｘ=3", "fi=1")  # fullwidth x; the ligature ﬁ is fi
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:2] == ["x*2 + fi = 7", "at x = 3, fi = 1"]
    assert lines[4].split()[:2] == ["df/dx", "2"] and lines[5].split()[:2] == ["df/dfi", "1"]
    assert parse_assignments(["ｘ=3", "𝐰=1"]) == {"x": 3.0, "w": 1.0}
    assert parse_expression("ｘ*w", {"x": 2.0, "w": 3.0}).data == 6.0


def test_parse_assignments():
    assert parse_assignments(["x=2", "w=-3", "b = 6.88", "big=1e3"]) == {
        "x": 2.0,
        "w": -3.0,
        "b": 6.88,
        "big": 1000.0,
    }
    assert parse_assignments([]) == {}


VARIABLES = {"x": 2.0, "y": -3.0, "z": 0.5}
TOKENS = [
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
    "exp(",
    "log(",
    "sqrt(",
    "tanh(",
    "foo(",
    "abs(",
    ".",
    ",",
    "[",
    "]",
    "=",
    "==",
    "<",
    "lambda",
    ":",
    "if",
    "else",
    "j",
    "'",
    '"',
    " ",
    "True",
    "None",
    "__class__",
    "\n",
    "\\",
    "#",
    "{",
    "}",
    "**-",
    "9" * 30,
    "é",
]


@given(st.text(max_size=60))
def test_random_text_never_raises_anything_but_expression_error(text):
    try:
        result = parse_expression(text, VARIABLES)
    except ExpressionError:
        return
    assert isinstance(result, Value)


@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_almost_valid_expressions_never_raise_anything_but_expression_error(text):
    try:
        result = parse_expression(text, VARIABLES)
    except ExpressionError:
        return
    assert isinstance(result, Value) and math.isfinite(result.data)


# -- error messages quote a bounded piece of the input -------------------------------

HUGE = 1_000_000


@pytest.mark.parametrize(
    "args, message",
    [
        (["grad", "x", "x=" + "7" * HUGE], "the value must be a finite number"),
        (["grad", "x", "x=" + "a" * HUGE], "(1,000,000 characters) is not a number"),
        (["grad", "x", "x=1", "x=" + "2" * HUGE], "x is given twice"),
        (["grad", "x", "é" * HUGE + "=1"], "has no value"),
        (["grad", "x", "1" * HUGE + "=1"], "(1,000,000 characters) is not a valid variable name"),
        (["grad", "x", "b" * HUGE], "expected name=value after the expression, got 'bbbbb"),
        (["grad", "y" * HUGE, "x=1"], "the expression is 1000000 characters long; the limit is"),
        (["grad", "x=" + "1" * HUGE], "is a value, not an expression"),
        (["grad", "'" + "s" * (MAX_LENGTH - 10) + "'"], "str literals"),
        (["grad", "q" * (MAX_LENGTH - 10) + "(x)", "x=1"], "unknown function 'qqqq"),
        (["grad", "x." + "a" * (MAX_LENGTH - 10), "x=1"], "attribute access (.aaaa"),
        (
            ["explain", "x", "x=1", "--max-steps", "z" * HUGE],
            "argument --max-steps: must be a whole number",
        ),
        (
            ["graph", "x", "x=1", "--timeout", "t" * HUGE],
            "argument --timeout: must be a number of seconds",
        ),
        (["graph", "x", "x=1", "--rankdir", "r" * HUGE], "argument --rankdir: invalid choice"),
        (["grad", "x", "x=1", "--" + "o" * HUGE], "unrecognized arguments"),
        (["c" * HUGE], "unknown command 'cccc"),
        (["demo", "d" * HUGE], "no demo named 'dddd"),
        (["grad", "x", "x=1\n2"], "x=1\\n2: '1\\n2' is not a number"),  # escaped: still one line
    ],
)
def test_an_error_quotes_at_most_a_bounded_piece_of_the_input(args, message, capsys):
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tinygrad-edu: error: ") and captured.err.count("\n") == 1
    assert message in captured.err
    assert len(captured.err) <= len("tinygrad-edu: error: \n") + 500, len(captured.err)


def test_a_long_value_on_a_real_command_line_gives_a_short_error():
    out = run("grad", "x", "x=" + "9" * 100_000 + "e")  # as much as one argument can carry
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and len(out.stderr) < 300, len(out.stderr)
    assert "(100,001 characters) is not a number" in out.stderr


def test_the_console_script_when_installed():
    script = Path(sys.executable).parent / (
        "tinygrad-edu.exe" if os.name == "nt" else "tinygrad-edu"
    )
    if not script.exists():
        pytest.skip(
            "the package is not installed in this interpreter's environment "
            "(pip install tinygrad-edu; in a source checkout: pip install -e .)"
        )
    out = subprocess.run(
        [str(script), "grad", "x*x", "x=3"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("x*x = 9\n")


@pytest.mark.parametrize("missing", ["starlette", "uvicorn", "websockets"])
def test_lab_without_its_extra_says_which_to_install(missing, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, missing, None)  # import fails as if not installed
    assert cli.main(["lab", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"the lab needs {missing}" in err and 'pip install "tinygrad-edu[lab]"' in err


@pytest.mark.parametrize("port, words", [("70000", "0 to 65535"), ("http", "0 to 65535")])
def test_lab_refuses_a_port_that_is_not_one(port, words, capsys):
    assert cli.main(["lab", "--port", port, "--no-browser"]) == 2
    assert words in capsys.readouterr().err


def test_lab_on_a_port_already_taken_says_so(capsys):
    pytest.importorskip("uvicorn", reason=f"the lab extra is not installed: {install_hint('lab')}")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["lab", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use: give another --port, or --port 0" in err
    assert err.count("\n") == 1 and "Traceback" not in err
