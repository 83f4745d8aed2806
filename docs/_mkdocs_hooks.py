"""MkDocs hooks for the site (mkdocs.yml: ``hooks:``).

A tutorial notebook's table of contents and its headings are given ids by two different
slug functions (mkdocs-jupyter makes the contents from the notebook converted to
Markdown, the headings' ids from their HTML text, ASCII only): a heading with inline
code or in Japanese got an id its entry in the contents did not link to.  The headings
are in the same order as the entries, so each heading is given its entry's id.

The guide's pages are doctested as written: their examples show ``<BLANKLINE>`` and
``# doctest:`` directives, which the site shows as the blank line and without.
"""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.S)
_ID = re.compile(r'\sid="[^"]*"')
_ANCHOR = re.compile(r'(<a class="anchor-link" href=")#[^"]*(")')


_BLANKLINE = re.compile(r"^(\s*)<BLANKLINE>$", re.M)
_DIRECTIVE = re.compile(r"[ \t]*#\s*doctest:\s*[+-]\w+(?:\s*,\s*[+-]\w+)*[ \t]*$", re.M)


def on_page_markdown(markdown: str, **_kwargs: Any) -> str:
    return _DIRECTIVE.sub("", _BLANKLINE.sub(r"\1", markdown))


def _anchors(items: Any) -> list[str]:
    """The ids the table of contents links to, in document order."""
    found: list[str] = []
    for item in items:
        found.append(item.id)
        found += _anchors(item.children)
    return found


def on_page_content(html: str, page: Any, **_kwargs: Any) -> str:
    if not page.file.src_path.endswith(".ipynb"):
        return html
    anchors = _anchors(page.toc)
    headings = list(_HEADING.finditer(html))
    if not anchors or len(headings) != len(anchors):
        return html  # not the same headings: leave them (the site check reports a dead link)
    parts, last = [], 0
    for match, anchor in zip(headings, anchors):
        level, attributes, inner = match.groups()
        attributes = _ID.sub("", attributes) + f' id="{anchor}"'
        inner = _ANCHOR.sub(rf"\g<1>#{anchor}\g<2>", inner)
        parts += [html[last : match.start()], f"<h{level}{attributes}>{inner}</h{level}>"]
        last = match.end()
    parts.append(html[last:])
    return "".join(parts)
