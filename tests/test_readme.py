"""The README stays true: its REPL sessions run, and CI runs its test command."""

import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples_run():
    result = doctest.testfile(
        str(ROOT / "README.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 5
    assert result.failed == 0


def _shell_lines(text):
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- test-command -->\s*```sh\n(.*?)```", readme, re.S)
    assert block, "README must mark its test command with <!-- test-command -->"
    command = _shell_lines(block.group(1))
    assert len(command) == 1
    ci = _shell_lines((ROOT / ".ci" / "run").read_text())
    assert command[0] in ci


def test_readme_shows_the_main_demo_output_as_it_is(tmp_path):
    import os
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"### The main demo.*?```text\n(.*?)```", readme, re.S).group(1)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, str(ROOT / "demos" / "xor.py"), "--no-graph"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == shown.strip()
