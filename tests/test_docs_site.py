"""The documentation site's navigation (mkdocs.yml's ``nav``) and its pages agree.

mkdocs.yml lists the guide pages, the tutorial notebooks and the API pages by name: a page
added to docs/ without a nav entry would be built but hard to find, and a nav entry
without its file would fail the build only where the docs extra is installed.  This test
reads the nav with a plain text scan (no YAML library, and no trouble with tags such as
``!!python/name`` elsewhere in the file).

Also: third-party files under docs/ with a licence of their own stay out of the sdist, or
their licence is declared in the package's metadata; and every notebook's page, at whatever
folder depth, reaches the MathJax loader its relative URL names.
"""

import posixpath
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: A nav line: "- Title: path" or "- path", the path last (a quoted title may hold colons).
_ENTRY = re.compile(r"^\s*-\s+(?:.*?:\s+)?[\"']?([^\s\"':]+\.(?:md|ipynb))[\"']?\s*(?:#.*)?$")


def nav_entries(text):
    """The page paths under mkdocs.yml's top-level ``nav:`` key, in order (relative to docs/)."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"nav:\s*(#.*)?$", line))
    except StopIteration:
        raise AssertionError("mkdocs.yml has no top-level nav:") from None
    entries = []
    for line in lines[start + 1 :]:
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():  # the next top-level key ends the nav
            break
        match = _ENTRY.match(line)
        if match:
            entries.append(match.group(1))
        else:
            assert re.match(r"^\s*-\s+[^:]+:\s*$", line), (
                f"a nav line this test cannot read: {line!r}"
            )
    return entries


NAV = nav_entries((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_the_nav_is_read():
    assert "index.md" in NAV
    assert len(NAV) == len(set(NAV)), "a page is listed twice in mkdocs.yml's nav"


def test_nav_reader_understands_the_forms_mkdocs_yml_uses():
    text = (
        "site_name: x\n"
        "nav:\n"
        "  - Home: index.md\n"
        "  - Guide:\n"
        '      - "jit: the backward pass as code": guide/jit.md   # a comment\n'
        "      - tutorials/01-first-steps.ipynb\n"
        "plugins:\n"
        "  - search: not/a/page.md\n"
    )
    assert nav_entries(text) == ["index.md", "guide/jit.md", "tutorials/01-first-steps.ipynb"]


@pytest.mark.parametrize("entry", NAV)
def test_every_nav_entry_exists(entry):
    assert (DOCS / entry).is_file(), f"mkdocs.yml's nav lists {entry}, which is not in docs/"


@pytest.mark.parametrize(
    "folder, pattern",
    [("tutorials", "*.ipynb"), ("tutorials/ja", "*.ipynb"), ("guide", "*.md"), ("api", "*.md")],
)
def test_every_page_is_in_the_nav(folder, pattern):
    pages = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / folder).glob(pattern))
    assert pages, f"no {pattern} in docs/{folder}"
    missing = [p for p in pages if p not in NAV]
    assert not missing, f"not in mkdocs.yml's nav: {missing}"


def test_third_party_files_under_docs_are_left_out_of_the_sdist_or_declared():
    # The package's licence metadata says MIT (pyproject.toml). A folder under docs/ that
    # carries a licence of its own (the site's MathJax, Apache-2.0) is either pruned from
    # the sdist in MANIFEST.in or its licence file is declared in license-files.
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    pruned = [p.rstrip("/") + "/" for p in re.findall(r"^prune\s+(\S+)", manifest, re.M)]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    files = re.search(r"^license-files\s*=\s*\[(.*?)\]", pyproject, re.M | re.S)
    declared = set(re.findall(r"\"([^\"]+)\"", files.group(1))) if files else set()
    licences = [p for p in DOCS.rglob("*") if re.match(r"(LICEN[CS]E|COPYING)", p.name)]
    for licence in licences:
        path = licence.relative_to(ROOT).as_posix()
        assert path in declared or any(path.startswith(p) for p in pruned), (
            f"{path}: prune its folder in MANIFEST.in or add it to license-files in pyproject.toml"
        )


def test_every_notebook_page_reaches_the_mathjax_loader():
    # mkdocs-jupyter writes custom_mathjax_url into each notebook's page as it is, relative
    # to the page's folder (tutorials/01-first-steps/, tutorials/ja/01-first-steps/ ...): a
    # folder one level deeper reaches another file, which must be there too.
    if not (DOCS / "assets" / "mathjax").is_dir():
        pytest.skip("MathJax (docs/assets/mathjax/) is in the repository only, not in the sdist")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    url = re.search(r"^\s*custom_mathjax_url:\s*(\S+)", text, re.M).group(1)
    notebooks = [entry for entry in NAV if entry.endswith(".ipynb")]
    assert notebooks
    for entry in notebooks:
        page_folder = posixpath.splitext(entry)[0]  # use_directory_urls: one folder per page
        target = posixpath.normpath(posixpath.join(page_folder, url))
        assert not target.startswith(".."), f"{entry}: {url} leads out of the site"
        assert (DOCS / target).is_file(), (
            f"{entry}'s page loads {url}, that is docs/{target}: missing"
        )
