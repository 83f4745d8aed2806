"""The Japanese README stays true: its REPL sessions run, its set-up commands are the English
README's, word for word, and its links lead to files that exist."""

import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_JA = ROOT / "README.ja.md"


def test_readme_ja_examples_run():
    result = doctest.testfile(
        str(README_JA),
        module_relative=False,
        encoding="utf-8",
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0


def _section(text, heading):
    """The text under the first level-2 heading that starts with ``heading``, up to the next one."""
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def sh_lines(text):
    """The command lines of the ```sh blocks in ``text``, in order (comments and blank lines left out)."""
    lines = []
    for block in re.findall(r"^[ \t]*```sh\n(.*?)^[ \t]*```", text, re.M | re.S):
        lines += [
            line.strip()
            for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
    return lines


def test_sh_lines_reads_blocks_and_leaves_out_the_rest():
    text = "intro\n```sh\n# a comment\nmake\n\n```\n```text\nnot a command\n```\n  ```sh\n  make test\n  ```\n"
    assert sh_lines(text) == ["make", "make test"]


#: The line README.ja.md's set-up adds after the first command: the demo, in Japanese.
JAPANESE_DEMO = ".venv/bin/python demos/xor.py --lang ja"


def test_readme_ja_has_the_english_readmes_set_up_commands():
    english = sh_lines(_section(README.read_text(encoding="utf-8"), "Set-up"))
    japanese = sh_lines(_section(README_JA.read_text(encoding="utf-8"), "セットアップ"))
    assert len(english) == 2, f"README.md's set-up section should hold two commands: {english}"
    assert japanese == [english[0], JAPANESE_DEMO, *english[1:]], (
        "README.ja.md's set-up commands must be README.md's, line for line, with the demo "
        f"run in Japanese after the first:\n  README.md:    {english}\n  README.ja.md: {japanese}"
    )
    # the Japanese line runs what the first command ran, with --lang ja
    assert english[0].endswith(JAPANESE_DEMO.removesuffix(" --lang ja"))


def test_readme_ja_shows_the_page_and_the_lab_in_japanese():
    commands = sh_lines(README_JA.read_text(encoding="utf-8"))
    assert any(c.startswith(".venv/bin/tinygrad-edu --lang ja graph ") for c in commands)
    assert any(c.endswith(".venv/bin/tinygrad-edu --lang ja lab") for c in commands)


def test_readme_ja_links_lead_to_files_that_exist():
    links = re.findall(r"\]\(([^)\s]+)\)", README_JA.read_text(encoding="utf-8"))
    local = [link for link in links if "://" not in link]
    assert len(local) > 5
    for link in local:
        path = link.partition("#")[0]
        assert (ROOT / path).exists(), f"README.ja.md links to {path}, which does not exist"
