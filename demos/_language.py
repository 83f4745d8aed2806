"""The language of the demos' text, shared by the demos.

Every demo takes ``--lang LANG`` (en or ja; without it, the locale's language,
``LANG=ja_JP.UTF-8``) and prints in that language; the option is defined here,
once.  The demo's help text is written in the chosen language too, so the
language is read from the command line before the demo's options are set up::

    def build_parser():
        parser = demo_parser(_("What the demo does."))
        parser.add_argument("--quick", action="store_true", help=_("..."))
        return parser

    parser, args = parse_args(build_parser, argv)

argparse's own words (``usage:``, ``options:``, ``error:``, its error messages)
are in that language too: the demo's parser builds, parses and reports its errors
(``parser.error(...)``, also after parsing) inside
:func:`tinygrad_edu.i18n.argparse_translated`.

A Japanese character takes two columns of a terminal, so the demos lay out their
tables and wrap long lines with ``tinygrad_edu._text`` (``columns``, ``ljust``,
``rjust``, ``fill``) rather than by ``len``, and their help with its
``HelpFormatter``, as the command line does.  For English text these give exactly
what ``str.ljust``, ``str.rjust``, ``textwrap.fill`` and argparse give.

Not a demo itself (the leading underscore keeps it out of `tinygrad-edu demo`).
"""

import argparse
import sys
import warnings

from tinygrad_edu._optional import optional_import
from tinygrad_edu._text import HelpFormatter
from tinygrad_edu.i18n import (
    LANGUAGES,
    argparse_translated,
    current_language,
    gettext as _,
    language,
    set_language,
)


def _language_code(text):
    """An argparse type: 'ja', 'JA', 'ja_JP.UTF-8' ... -> 'ja'; an error naming the
    languages there are for any other."""
    try:
        with language(text) as code:
            return code
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("no translation for {name}; the languages are {languages}").format(
                name=repr(text), languages=", ".join(LANGUAGES)
            )
        ) from None


def _add_language_option(parser):
    parser.add_argument(
        "--lang",
        type=_language_code,
        default=None,
        metavar="LANG",
        help=_("the language of the text: {languages} (default: the locale's)").format(
            languages=", ".join(LANGUAGES)
        ),
    )


class _TranslatedParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are in the language in force: it is built,
    parses, writes its help and reports errors inside argparse_translated()."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)  # lined up by columns, Japanese too
        with argparse_translated():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with argparse_translated():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with argparse_translated():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with argparse_translated():
            return super().format_usage()

    def format_help(self):
        with argparse_translated():
            return super().format_help()

    def error(self, message):
        with argparse_translated():
            super().error(message)


class _LanguageParser(_TranslatedParser):
    """Reads --lang alone, before the demo's parser exists; its error is the one line
    argparse ends its errors with (the demo's usage is not known yet)."""

    def error(self, message):
        text = _("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message}
        self.exit(2, text)


def demo_parser(description):
    """An ArgumentParser for a demo: ``description`` and -h/--help, in the language in
    force.  The demo adds its own options; :func:`parse_args` adds --lang after them."""
    parser = _TranslatedParser(description=description, add_help=False)
    parser.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))
    return parser


def parse_args(build, argv=None):
    """Read --lang and switch to that language (none given: the language in force,
    the locale's), then build the demo's parser with ``build()`` and parse ``argv``.
    Returns (parser, args); the parser is for the demo's own ``parser.error``."""
    first = _LanguageParser(add_help=False)
    _add_language_option(first)
    known, _rest = first.parse_known_args(argv)
    if known.lang is not None:
        set_language(known.lang)
    parser = build()
    _add_language_option(parser)
    return parser, parser.parse_args(argv)


def pyplot(purpose):
    """matplotlib.pyplot for a demo's plot, or None when matplotlib is not installed (a
    note then says which extra installs it).  In Japanese, the plot's words are drawn
    with a font that has the glyphs; without one, a one-line note says what to install."""
    plt = optional_import("matplotlib.pyplot", extra="demos", purpose=purpose)
    if plt is not None and current_language() == "ja":
        from tinygrad_edu.viz import MissingFontWarning, japanese_plots

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MissingFontWarning)
            japanese_plots()
        for warning in caught:
            print(_("note: {message}").format(message=warning.message), file=sys.stderr)
    return plt
