"""The README stays true: its REPL sessions run, CI runs its test command, it shows the main
demo's output as it is, and its links lead into the documentation site's files."""

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


def _github_anchor(heading):
    """The anchor GitHub (and MkDocs' toc) gives a heading: lower case, punctuation dropped,
    spaces as hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def _readme_links():
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"\]\(([^)\s]+)\)", readme)


def test_readme_links_lead_to_files_that_exist():
    local = [link for link in _readme_links() if "://" not in link]
    assert len(local) > 10
    for link in local:
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.exists(), f"README links to {path}, which does not exist"
        if anchor:
            headings = re.findall(r"^#+ (.*)$", target.read_text(), re.M)
            assert anchor in {_github_anchor(h) for h in headings}, (
                f"README links to {link}: no heading of {path} has that anchor"
            )


def test_readme_points_into_every_guide_page_and_the_tutorials_and_the_api():
    links = {link.partition("#")[0] for link in _readme_links()}
    guide = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs" / "guide").glob("*.md")}
    assert guide and not guide - links, f"README does not link {sorted(guide - links)}"
    assert any(link.startswith("docs/tutorials/") for link in links)
    assert "docs/api/" in links
