"""What a learner types into an expression: a * left out (2x, x y, 2(x+1)) gets a
hint, in English and in Japanese; full-width characters from a Japanese keyboard
(ｘ＊ｙ, ２, （ ）, the ideographic space) are read as their ASCII forms, with every
column where it was; ASCII input reads as it always did."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.expr import (
    ExpressionError,
    _halfwidth,
    parse_assignments,
    parse_expression,
)
from tinygrad_edu.i18n import language

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    "LANGUAGE": "",
    "LC_ALL": "",
    "LC_MESSAGES": "",
    "LANG": "C.UTF-8",
}
PREFIX = {"en": "tinygrad-edu: error: ", "ja": "tinygrad-edu: エラー: "}


def run(*args, lang="en"):
    """The command line as a learner runs it; ``--lang ja`` for Japanese."""
    options = ["--lang", "ja"] if lang == "ja" else []
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *options, *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        timeout=60,
    )


def error(text, lang, variables=None):
    """The message parse_expression gives for ``text`` in ``lang``."""
    with language(lang), pytest.raises(ExpressionError) as info:
        parse_expression(text, {"x": 1.0, "y": 2.0} if variables is None else variables)
    return str(info.value)


# -- a * left out ------------------------------------------------------------------

MISSING = [
    # (what the learner typed, the column where the * belongs, what to write)
    ("2x", 2, "2*x"),
    ("2 x", 3, "2*x"),
    ("x y", 3, "x*y"),
    ("2(x+1)", 2, "2*(x+1)"),
    ("(x)(y)", 4, "(x)*(y)"),
    ("(x+1)(x-1)", 6, "(x+1)*(x-1)"),
    ("x(y+1)", 2, "x*(y+1)"),  # x is a variable, not a function
    ("(x+1)y", 6, "(x+1)*y"),
    ("sin(x) y", 8, "sin(x)*y"),
    ("2 sin(x)", 3, "2*sin(x)"),
    ("1.5x", 4, "1.5*x"),
    ("2e-3y", 5, "2e-3*y"),
    ("x + 2x", 6, "2*x"),
    ("exp(2 x)", 7, "2*x"),  # Python: "Perhaps you forgot a comma?"
    ("  3 y", 5, "3*y"),  # leading spaces count
    ("x**2 y", 6, "2*y"),
]


@pytest.mark.parametrize("text, at, product", MISSING)
def test_a_left_out_star_gets_a_hint_in_both_languages(text, at, product):
    assert error(text, "en") == f"column {at}: a * is missing: to multiply, write {product}"
    assert error(text, "ja") == (
        f"{at} 文字目: * がありません。掛け算は {product} のように * を書いてください"
    )


def test_the_hint_in_a_chain_too_long_for_pythons_parser():
    text = "+".join(["x"] * 5000) + "+2 y"
    assert error(text, "en") == f"column {len(text)}: a * is missing: to multiply, write 2*y"
    text = "+".join(["x"] * 5000) + "+2(x+1)"
    assert error(text, "en").startswith(f"column {len(text) - 4}: a * is missing")


def test_a_function_name_before_its_argument_is_to_be_called():
    assert error("sin x", "en") == "column 5: sin is a function: call it, e.g. sin(x)"
    assert error("sin x", "ja") == "5 文字目: sin は関数です。sin(x) のように呼び出してください"


@pytest.mark.parametrize(
    "text, message",
    [
        ("x + * 2", "column 5: syntax error: invalid syntax"),  # no two operands side by side
        ("x if y", "syntax error: expected 'else' after 'if' expression"),
        ("x not y", "syntax error: invalid syntax"),  # a keyword is not an operand
        ("a(x)", "column 1: unknown function 'a'"),  # not a variable: perhaps a function
        ("2(x, y)", "only the functions"),  # two arguments: not a product
    ],
)
def test_other_mistakes_keep_their_messages(text, message):
    assert message in error(text, "en")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_command_line_gives_the_hint(lang):
    out = run("grad", "2x + y", "x=1", "y=2", lang=lang)
    assert out.returncode == 2 and out.stdout == ""
    hint = (
        "column 2: a * is missing: to multiply, write 2*x"
        if lang == "en"
        else "2 文字目: * がありません。掛け算は 2*x のように * を書いてください"
    )
    assert out.stderr == f"{PREFIX[lang]}{hint}\n"


def test_a_caret_is_not_a_power():
    assert error("x^2", "en") == (
        "column 1: ^ (write powers as **) is not supported: write x squared as x**2"
    )
    assert (
        error("x^2", "ja") == "1 文字目: ^ は使えません。べき乗は x**2 のように ** と書いてください"
    )


def test_a_division_by_zero_names_what_the_learner_wrote():
    assert error("1/x", "en", {"x": 0.0}) == "column 1: 1/x: division by zero (x = 0)"
    assert error("1/x", "ja", {"x": 0.0}) == "1 文字目: 1/x: 0 による割り算 (x = 0 のとき)"
    assert error("y + 1/(x-y)", "en", {"x": 2.0, "y": 2.0}) == (
        "column 5: 1/(x-y): division by zero (x-y = 0)"
    )
    # a function is named as written already, and keeps the engine's words
    assert error("log(x)", "en", {"x": 0.0}) == (
        "column 1: log(x = 0.0): the logarithm is defined only for positive numbers"
    )


# -- full-width input ----------------------------------------------------------------

SAME = [
    # (full-width, ASCII): the same command, the same output
    (["grad", "ｘ＊ｙ", "ｘ=２", "ｙ=３"], ["grad", "x*y", "x=2", "y=3"]),
    (["grad", "x＊y", "x＝２", "y＝－１．５"], ["grad", "x*y", "x=2", "y=-1.5"]),
    (["grad", "２＊ｘ　＋　ｙ／４", "x=1", "y=2"], ["grad", "2*x + y/4", "x=1", "y=2"]),
    (["grad", "sin（x）＊＊２", "x=0.5"], ["grad", "sin(x)**2", "x=0.5"]),
    (
        ["grad", "ｔａｎｈ（ｗ＊ｘ＋ｂ）", "w=1", "x=0.5", "b=-1"],
        ["grad", "tanh(w*x+b)", "w=1", "x=0.5", "b=-1"],
    ),
    (["grad", "　x＊１ｅ２", "x=3"], ["grad", " x*1e2", "x=3"]),
    (["explain", "ｘ＊ｘ", "ｘ＝３"], ["explain", "x*x", "x=3"]),
]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("fullwidth, ascii", SAME, ids=[" ".join(a) for a, _ in SAME])
def test_full_width_input_gives_what_ascii_gives(fullwidth, ascii, lang):
    wide, narrow = run(*fullwidth, lang=lang), run(*ascii, lang=lang)
    assert narrow.returncode == 0, narrow.stderr
    assert (wide.returncode, wide.stdout, wide.stderr) == (0, narrow.stdout, "")


def test_full_width_gradients():
    out = run("grad", "ｘ＊ｙ", "ｘ=２", "ｙ=３")
    lines = out.stdout.splitlines()
    assert lines[:2] == ["x*y = 6", "at x = 2, y = 3"]
    assert lines[4].split()[:2] == ["df/dx", "3"] and lines[5].split()[:2] == ["df/dy", "2"]


@pytest.mark.parametrize(
    "text, at, character",
    [
        ("ｘ＊ｙ×2", 4, "'×' (U+00D7)"),
        ("（ｘ＋ｙ）　÷　２", 7, "'÷' (U+00F7)"),
        ("　　x × y", 5, "'×' (U+00D7)"),
    ],
)
def test_a_refused_character_after_full_width_ones_keeps_its_column(text, at, character):
    assert error(text, "en") == f"column {at}: syntax error: invalid character {character}"
    assert error(text, "ja") == f"{at} 文字目: 構文エラー: 使えない文字 {character}"
    out = run("grad", text, "x=1", "y=2", lang="ja")
    assert out.stderr == f"{PREFIX['ja']}{at} 文字目: 構文エラー: 使えない文字 {character}\n"


def test_a_character_that_cannot_be_shown():
    assert error("x\u00a0+ y", "en") == (
        "column 2: syntax error: invalid non-printable character U+00A0"
    )
    assert error("x\u00a0+ y", "ja") == "2 文字目: 構文エラー: 表示できない文字 U+00A0 は使えません"


def test_full_width_names_are_the_ascii_names_everywhere():
    assert parse_expression("ｘ＊２", {"x": 3.0}).data == 6.0
    assert parse_expression("x*2", {"ｘ": 3.0}).data == 6.0  # the keys too
    assert parse_expression("ｘ＊ｙ", {"ｘ": 3.0, "y": 2.0}).data == 6.0
    assert parse_assignments(["ｘ＝２", "ｙ=－１．５", "z　=　１ｅ２"]) == {
        "x": 2.0,
        "y": -1.5,
        "z": 100.0,
    }
    with pytest.raises(ExpressionError, match=r"^x is given twice \(ｘ and x\)$"):
        parse_expression("x", {"ｘ": 1.0, "x": 2.0})
    # messages quote a name as it was written
    with pytest.raises(ExpressionError, match="'ｉｆ' reads as the Python keyword 'if'"):
        parse_expression("ｉｆ＊２", {})
    with pytest.raises(ExpressionError, match=r"x=ａｂｃ: 'ａｂｃ' is not a number"):
        parse_assignments(["x＝ａｂｃ"])


def test_full_width_numbers_are_read_whole():
    assert parse_expression("１ｅ２＊ｘ", {"x": 1.0}).data == 100.0
    assert parse_expression("０ｘ１Ｆ＋ｘ", {"x": 1.0}).data == 32.0
    assert parse_expression("ｘ２＋ｘ", {"x2": 1.0, "x": 2.0}).data == 3.0  # a name goes on


@pytest.mark.parametrize("text", ["x*y", " 2 * x + y/4 ", "\tx", "", "x\n+y", "é+x"])
def test_ascii_and_other_text_reads_as_it_did(text):
    assert _halfwidth(text) == text
    if text.isascii():
        assert _halfwidth(text) is text  # not even copied
    assert _halfwidth("ｘ＊ｙ　（２）") == "ｘ*ｙ (2)"  # one character for one
