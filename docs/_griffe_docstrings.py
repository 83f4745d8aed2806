"""A griffe extension for the API pages: the package's reST-ish docstrings, readable as Markdown.

mkdocstrings renders docstrings as Markdown, where a doctest's ``>>>`` is a nested block
quote, its lines run together into one paragraph, and Sphinx roles such as
:func:`grad` show their ``:func:`` prefix. Before rendering, this rewrites each docstring:

- a doctest block (``>>>`` lines and the output up to the next blank line) becomes a
  fenced ``pycon`` code block, without its ``# doctest:`` directives and with each
  ``<BLANKLINE>`` shown as the blank line it stands for;
- ``:func:`name``` and the other roles become ``name`` in code;
- a paragraph ending in ``::`` ends in ``:`` (the indented block after it is code already).

The source files are not touched; only what the site shows. Loaded by mkdocs.yml
(plugins -> mkdocstrings -> handlers -> python -> options -> extensions).
"""

import re

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`~?([^`]+)`")
FENCE = re.compile(r"^\s*(```|~~~)")


DIRECTIVE = re.compile(r"\s*#\s*doctest:\s*[+-]\w+(?:\s*,\s*[+-]\w+)*\s*$")


def _shown(line):
    """A doctest line as a reader sees it: no ``# doctest: +ELLIPSIS`` directive, and
    ``<BLANKLINE>`` as the blank line it stands for."""
    line = DIRECTIVE.sub("", line)
    return "" if line.strip() == "<BLANKLINE>" else line


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def markdown_docstring(text):
    """The docstring ``text`` rewritten as described in the module's docstring."""
    text = ROLE.sub(lambda m: "`" + m.group(1) + "`", text)
    lines = text.split("\n")
    out = []
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            out.append(line)
            i += 1
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith(">>>"):
            pad = " " * _indent(line)
            block = []
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) >= len(pad):
                block.append(lines[i][len(pad):])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out.append(pad + "```pycon")
            out.extend(pad + _shown(b) for b in block)
            out.append(pad + "```")
            if i < len(lines) and lines[i].strip():
                out.append("")
            continue
        if line.rstrip().endswith("::") and (i + 1 == len(lines) or not lines[i + 1].strip()):
            head = line.rstrip()[:-2].rstrip()
            line = head + ":" if head.strip() else ""
        out.append(line)
        i += 1
    return "\n".join(out)


class ReadableDocstrings(griffe.Extension):
    """Rewrites every docstring griffe loads with :func:`markdown_docstring`."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and not obj.is_alias:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
