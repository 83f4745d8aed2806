"""The language of the text a learner reads: English (the source) or Japanese.

Messages are translated with the standard :mod:`gettext` machinery.  The
message catalogs live in ``tinygrad_edu/locale/``: ``tinygrad_edu.pot`` (every
message, extracted from the code), ``ja/LC_MESSAGES/tinygrad_edu.po`` (the
Japanese translation, the file translators edit) and the compiled
``tinygrad_edu.mo`` beside it that is shipped in the package.  The words follow
the glossary (``docs/glossary.md``); ``docs/guide/translating.md`` says how to
add or change a message.

The language is chosen, most specific first, by

- ``lang=`` where the Python API writes text (``explain(root, lang="ja")``),
  or a ``with language("ja"):`` block;
- :func:`set_language` (the command line's ``--lang ja`` calls it);
- the locale, as gettext reads it: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
  ``LANG`` (``LANG=ja_JP.UTF-8``).

A language without a catalog falls back to English.  The command line and the
demos write argparse's own words ("usage:", "error:" ...) in the language in
force too, with :func:`argparse_translated`.

>>> from tinygrad_edu.i18n import language, gettext
>>> with language("ja"):
...     gettext("gradients:")
'勾配:'
>>> with language("en"):
...     gettext("gradients:")
'gradients:'
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "ARGPARSE_MESSAGES",
    "LANGUAGES",
    "argparse_translated",
    "chosen_language",
    "current_language",
    "gettext",
    "language_code",
    "language",
    "locale_language",
    "ngettext",
    "set_language",
]

#: The languages that have a catalog, English (the source language) first.
LANGUAGES = ("en", "ja")

#: Each language's name in itself, for the pages' language menus.
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}

DOMAIN = "tinygrad_edu"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tinygrad_edu_language", default=None
)
_process_default: str | None = None


def _language_of(locale_name: str) -> str:
    """The language part of a locale name: 'ja_JP.UTF-8', 'ja-JP', 'JA' -> 'ja'."""
    return locale_name.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()


def language_code(name: object, where: str = "lang") -> str:
    """The language ``name`` asks for, as a code with a catalog: 'ja', 'JA', 'ja_JP',
    'ja-JP' and 'ja_JP.UTF-8' are all 'ja'.  ValueError for a language without a
    catalog, naming the ones there are (``where``: what the caller calls the argument).

    >>> language_code("ja_JP.UTF-8")
    'ja'
    """
    if not isinstance(name, str):
        raise TypeError(
            gettext("{where} must be a language code such as 'ja', got {name}").format(
                where=where, name=repr(name)
            )
        )
    code = _language_of(name)
    if code not in LANGUAGES:
        raise ValueError(
            gettext("{where}: no translation for {name}; the languages are {languages}").format(
                where=where, name=repr(name), languages=", ".join(LANGUAGES)
            )
        )
    return code


def locale_language(environ: dict[str, str] | None = None) -> str:
    """The language the locale asks for, read as gettext reads it (the first of
    ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set), or 'en'.

    >>> locale_language({"LANG": "ja_JP.UTF-8"}), locale_language({"LANG": "C.UTF-8"})
    ('ja', 'en')
    >>> locale_language({"LANGUAGE": "fr:ja", "LANG": "fr_FR.UTF-8"})
    'ja'
    """
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if not value:
            continue
        for part in value.split(":"):
            code = _language_of(part)
            if code in LANGUAGES:
                return code
        if variable != "LANGUAGE":  # LANGUAGE is a list of wishes; the others decide
            return "en"
    return "en"


def current_language() -> str:
    """The language text is written in now: 'en' or 'ja'."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    if _process_default is not None:
        return _process_default
    return locale_language()


def chosen_language() -> str | None:
    """The language chosen in code or on the command line (a :func:`language` block,
    :func:`set_language`, ``--lang``), or None when the locale decides."""
    chosen = _chosen.get()
    return chosen if chosen is not None else _process_default


def set_language(lang: str | None) -> None:
    """Write in ``lang`` from now on ('en', 'ja', 'ja_JP.UTF-8' ...); None goes back
    to the locale's language.  ValueError for a language without a catalog."""
    global _process_default
    _process_default = None if lang is None else language_code(lang, "set_language")


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Within the block, text is written in ``lang`` (None: leave it as it is).
    Yields the language in force."""
    if lang is None:
        yield current_language()
        return
    token = _chosen.set(language_code(lang, "lang"))
    try:
        yield current_language()
    finally:
        _chosen.reset(token)


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of ``lang`` ('en' has none: its messages are the source)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def gettext(message: str) -> str:
    """``message`` in the current language (the English itself where there is no
    translation)."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for translation where it is defined (a table, a
    constant) and returns it unchanged; translate it where it is used, with
    :func:`gettext`."""
    return message


#: argparse's own messages that the command line and the demos can show, each with
#: the first Python version whose argparse writes it through gettext (3.10 is the
#: oldest the package runs on).  :func:`argparse_translated` sends them to this
#: package's catalog, so they are marked for it here, once.  tests/test_cli_i18n.py
#: checks that the running Python's argparse still writes every one of them, so that
#: a Python that rewords one is noticed.
ARGPARSE_MESSAGES: tuple[tuple[str, tuple[int, int]], ...] = (
    # --help
    (N_("usage: "), (3, 10)),
    (N_("positional arguments"), (3, 10)),
    (N_("options"), (3, 10)),
    (N_("show this help message and exit"), (3, 10)),
    (N_("%(heading)s:"), (3, 13)),  # 3.10-3.12 write the heading's colon themselves
    # errors
    (N_("%(prog)s: error: %(message)s\n"), (3, 10)),
    (N_("argument %(argument_name)s: %(message)s"), (3, 11)),  # 3.10: argparse_translated
    (N_("unrecognized arguments: %s"), (3, 10)),
    (N_("the following arguments are required: %s"), (3, 10)),
    (N_("expected one argument"), (3, 10)),
    (N_("ambiguous option: %(option)s could match %(matches)s"), (3, 10)),
    (N_("invalid choice: %(value)r (choose from %(choices)s)"), (3, 10)),
    (N_("invalid %(type)s value: %(value)r"), (3, 10)),
    (N_("ignored explicit argument %r"), (3, 10)),
)


def _argument_error_text(error: Any) -> str:
    """str() of an argparse.ArgumentError, its "argument NAME: " translated (the
    3.10 argparse writes that part without gettext)."""
    if error.argument_name is None:
        return str(error.message)
    return gettext("argument %(argument_name)s: %(message)s") % {
        "argument_name": error.argument_name,
        "message": error.message,
    }


@contextlib.contextmanager
def argparse_translated() -> Iterator[None]:
    """Within the block, :mod:`argparse` writes its own messages ("usage: ",
    "unrecognized arguments: %s", "error: " ...) in the language in force.

    argparse translates its messages with the ``gettext`` and ``ngettext`` it imports
    from the standard library, as the module's ``_`` and ``ngettext``; those read the
    standard library's own domain, which has no Japanese.  Within the block the two
    names are this module's (whose catalog has :data:`ARGPARSE_MESSAGES`); afterwards
    they are put back.  argparse looks the names up each time it writes a message,
    and writes some when a parser is built ("positional arguments", "options"), so
    build the parsers, parse, and call ``parser.error`` inside the block.  Blocks may
    nest.  A command line runs in one thread; nothing else may run argparse meanwhile.

    >>> import argparse
    >>> with language("ja"), argparse_translated():
    ...     argparse.ArgumentParser(prog="p").format_usage()
    '使い方: p [-h]\\n'
    """
    import argparse

    module = vars(argparse)
    ours: dict[str, Any] = {"_": gettext, "ngettext": ngettext}
    saved = {name: module[name] for name in ours if name in module}
    module.update({name: ours[name] for name in saved})
    old_text = argparse.ArgumentError.__dict__["__str__"]
    if sys.version_info < (3, 11):  # its "argument NAME: " does not go through gettext
        setattr(argparse.ArgumentError, "__str__", _argument_error_text)  # noqa: B010
    try:
        yield
    finally:
        module.update(saved)
        setattr(argparse.ArgumentError, "__str__", old_text)  # noqa: B010


def catalog(lang: str, messages: list[str] | None = None) -> dict[str, str]:
    """``{English: translation}`` for ``lang`` -- every translated message, or only
    ``messages`` -- for the pages, whose script translates with it."""
    lang = language_code(lang, "catalog")
    table = translations(lang)
    if messages is None:
        messages = sorted(k for k in getattr(table, "_catalog", {}) if isinstance(k, str) and k)
    return {m: table.gettext(m) for m in messages if table.gettext(m) != m}


_SCRIPT_MESSAGE = re.compile(r"""\b_\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')\s*\)""")


_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")


def _unescape(m: re.Match[str]) -> str:
    """A JavaScript string escape: \\n, \\t, \\u00e9; any other escaped character is itself."""
    code = m.group(1)
    if code.startswith("u"):
        return chr(int(code[1:], 16))
    return {"n": "\n", "t": "\t"}.get(code, code)


def script_messages(script: str = "", page: str = "") -> list[str]:
    """The messages a page's script (``_("...")`` calls) and HTML (``data-i18n``
    elements and attributes) ask to translate, in order, each once."""
    found = [
        _JS_ESCAPE.sub(_unescape, m.group(1) if m.group(1) is not None else m.group(2))
        for m in _SCRIPT_MESSAGE.finditer(script)
    ]
    if page:
        found += [
            text for _line, _f, text, _c in extract_html(io.BytesIO(page.encode()), None, None, {})
        ]
    return list(dict.fromkeys(found))


def page_catalogs(messages: list[str], preferred: str | None = None) -> dict[str, Any]:
    """What a page's ``i18n.js`` reads (``<script type="application/json" id="i18n-data">``):
    the languages for its menu, the one it opens in (``preferred``, or None: the
    browser's language) and each language's translations of ``messages``."""
    return {
        "languages": [[code, LANGUAGE_NAMES[code]] for code in LANGUAGES],
        "preferred": None if preferred is None else language_code(preferred, "lang"),
        "catalogs": {code: catalog(code, messages) for code in LANGUAGES if code != "en"},
    }


def extract_html(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor for the pages' HTML: the text of every element with a
    ``data-i18n`` attribute, and the attributes its ``data-i18n-attr`` names
    (``title``, ``aria-label`` ...).  Used by ``babel.cfg``; not at run time."""
    from html.parser import HTMLParser

    found: list[tuple[int, str, str, list[str]]] = []

    class _Parser(HTMLParser):
        # A translated element holds text only (no markup inside), so its message
        # is the text up to the next end tag.
        capturing: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            line = self.getpos()[0]
            for name in (values.get("data-i18n-attr") or "").split():
                text = values.get(name)
                if text:
                    found.append((line, "gettext", " ".join(text.split()), []))
            if "data-i18n" in values:
                self.capturing = []

        def handle_endtag(self, tag: str) -> None:
            if self.capturing is not None:
                text = " ".join("".join(self.capturing).split())
                if text:
                    found.append((self.getpos()[0], "gettext", text, []))
                self.capturing = None

        def handle_data(self, data: str) -> None:
            if self.capturing is not None:
                self.capturing.append(data)

    encoding = options.get("encoding", "utf-8")
    _Parser(convert_charrefs=True).feed(fileobj.read().decode(encoding))
    yield from found
