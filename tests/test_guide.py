"""The documentation site's pages stay true: their REPL sessions run as doctests, with the
README's option flags, and the code they show runs.

Every page of docs/ with a ``>>>`` session is run by doctest (a page's sessions share one
namespace, top to bottom, as a reader types them).  Code blocks that are not sessions are
run here when they are complete programs (the property tests of the testing guide); the
speed guide's loop is a sketch (its ``model_loss()`` stands for your own forward pass) and
says so.
"""

import doctest
import linecache
import re
import shutil
from pathlib import Path

import pytest

from tinygrad_edu._optional import install_hint

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

PAGES = sorted(
    p.relative_to(DOCS).as_posix()
    for p in [DOCS / "index.md", *(DOCS / "guide").glob("*.md")]
    if re.search(r"^>>> ", p.read_text(encoding="utf-8"), re.M)
)
#: Pages whose sessions draw with Graphviz's `dot` (a system package).
NEEDS_DOT = {"guide/diagrams.md"}


def test_the_pages_with_sessions_are_found():
    # The pages the README's sessions moved to; a page that loses all its sessions
    # should be noticed here, not silently drop out of the parametrization below.
    for page in ("index.md", "guide/engine.md", "guide/networks.md", "guide/diagrams.md"):
        assert page in PAGES
    assert "guide/jit.md" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_sessions_run(page):
    if page in NEEDS_DOT and shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` is not installed (apt-get install graphviz); CI installs it")
    result = doctest.testfile(str(DOCS / page), module_relative=False, optionflags=FLAGS)
    assert result.attempted > 0
    assert result.failed == 0


def _code_blocks(text, language):
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def test_the_property_tests_of_the_testing_guide_run():
    hypothesis = pytest.importorskip(
        "hypothesis", reason=f"hypothesis is not installed: {install_hint('test')}"
    )
    blocks = _code_blocks((DOCS / "guide" / "testing.md").read_text(encoding="utf-8"), "python")
    assert len(blocks) == 1
    # A name that is not a file, with the block itself as its source: inspect (which
    # hypothesis calls) reads the code block, not the Markdown page around it.
    name = "<docs/guide/testing.md: the python block>"
    linecache.cache[name] = (len(blocks[0]), None, blocks[0].splitlines(True), name)
    namespace = {}
    exec(compile(blocks[0], name, "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    assert len(tests) == 2
    for test in tests:
        hypothesis.settings(max_examples=20, deadline=None, database=None)(test)()


def _main_demo_output(text, heading):
    match = re.search(rf"^{heading}.*?```text\n(.*?)```", text, re.S | re.M)
    assert match, f"no {heading!r} section with a text block"
    return match.group(1)


def test_the_networks_guide_shows_the_main_demo_output_the_readme_shows():
    # The README's copy is checked against a real run (tests/test_readme.py).
    guide = (DOCS / "guide" / "networks.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _main_demo_output(guide, "## The main demo") == _main_demo_output(
        readme, "### The main demo"
    )
