"""Text on a terminal, Japanese included: the columns a string takes, and padding and
wrapping by those columns (``str.ljust`` and :mod:`textwrap` count characters, and a
Japanese character takes two columns).  The command line, the gradient check's table
and the demos lay out their text with these.

>>> columns("loss"), columns("損失"), columns("δ_0 × k")
(4, 4, 7)
>>> rjust("損失", 6), ljust("loss", 6)
('  損失', 'loss  ')
>>> wrap("中間層のデルタ δ_m は出力層のデルタから求める。", 20)
['中間層のデルタ δ_m', 'は出力層のデルタから', '求める。']
"""

from __future__ import annotations

import argparse
import textwrap
import unicodedata
from collections.abc import Iterable

from .i18n import gettext as _

__all__ = ["columns", "has_wide", "ljust", "rjust", "wrap", "fill", "HelpFormatter"]

#: Where a line of Japanese text must not break: before closing punctuation and
#: after an opening bracket.
_NO_BREAK_BEFORE = frozenset("、。，．・：；？！）」』】〕〉》ー…,.:;?!)]}")
_NO_BREAK_AFTER = frozenset("（「『【〔〈《([{")


def columns(text: str) -> int:
    """How many columns ``text`` takes on a terminal: two for each wide character
    (Japanese, full-width), none for a combining mark, one for any other."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def has_wide(text: str) -> bool:
    """Whether ``text`` has a character that takes two columns (Japanese, full-width)."""
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def ljust(text: str, width: int) -> str:
    """``text`` padded on the right to ``width`` columns (as ``f"{text:<width}"``)."""
    return text + " " * max(0, width - columns(text))


def rjust(text: str, width: int) -> str:
    """``text`` padded on the left to ``width`` columns (as ``f"{text:>width}"``)."""
    return " " * max(0, width - columns(text)) + text


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` (its white space made single spaces) in lines of at most ``width``
    columns, the indents included; as :func:`textwrap.wrap` for text without wide
    characters.  Text with them also breaks between two wide characters (Japanese is
    written without spaces), but not before closing punctuation (、。）) or after an
    opening bracket, and not inside a word of narrow characters; a piece that cannot be
    broken and is longer than a line is on a line of its own."""
    if not has_wide(text):
        return textwrap.wrap(
            text, width=width, initial_indent=initial_indent, subsequent_indent=subsequent_indent
        )
    tokens: list[str] = []  # " " or a piece a line may not break within
    for c in " ".join(text.split()):
        last = tokens[-1] if tokens else " "
        if c == " ":
            tokens.append(c)
        elif last != " " and (
            c in _NO_BREAK_BEFORE
            or last[-1] in _NO_BREAK_AFTER
            or (columns(c) < 2 and columns(last[-1]) < 2)
        ):
            tokens[-1] += c
        else:
            tokens.append(c)
    lines: list[str] = []
    indent, line = initial_indent, ""
    for token in tokens:
        if token == " ":
            line += " " if line else ""
        elif line.strip() and columns(indent + line + token) > width:
            lines.append(indent + line.rstrip())
            indent, line = subsequent_indent, token
        else:
            line += token
    if line.strip():
        lines.append(indent + line.rstrip())
    return lines


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """The lines of :func:`wrap` as one string (as :func:`textwrap.fill`)."""
    return "\n".join(wrap(text, width, initial_indent, subsequent_indent))


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout; text with wide characters (Japanese) is wrapped by the
    columns it takes and broken between its characters too (:func:`wrap`), and the
    help of an option and the usage's further lines are lined up by columns.  Text
    without wide characters is left to argparse."""

    def _format_action(self, action: argparse.Action) -> str:
        # argparse lines the help up by len() of the invocation: a wide character in
        # it (a Japanese metavar) takes one column more than that
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = columns(invocation) - len(invocation)
        return text.replace(invocation + " " * (extra + 2), invocation + "  ", 1) if extra else text

    def _format_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None,
    ) -> str:
        # argparse indents the usage's further lines by len() of "usage: " and the
        # program's name: a translated "usage: " may take more columns than that
        text = super()._format_usage(usage, actions, groups, prefix)
        shown = _("usage: ") if prefix is None else prefix
        extra = columns(shown) - len(shown)
        if not extra:
            return text
        first, *rest = text.split("\n")
        return "\n".join([first, *(" " * extra + line if line else line for line in rest)])

    def _split_lines(self, text: str, width: int) -> list[str]:
        if not has_wide(text):
            return super()._split_lines(text, width)
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not has_wide(text):
            return super()._fill_text(text, width, indent)
        return fill(text, width, indent, indent)
