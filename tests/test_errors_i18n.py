"""Error messages in Japanese: what the expression reader, the engine, the ops, grad,
gradcheck and expect_value say when something goes wrong is translated, keeps every
number, name and column of the English, and the English stays as it was."""

import re
from collections import Counter

import pytest

from tinygrad_edu import Value, grad, gradcheck
from tinygrad_edu._text import columns
from tinygrad_edu.engine import NonFiniteGradientError
from tinygrad_edu.explain import explain
from tinygrad_edu.expr import parse_assignments, parse_expression
from tinygrad_edu.graph import chain_rule_steps
from tinygrad_edu.i18n import language
from tinygrad_edu.ops import FLOAT, Op

from _cli import ENV_JA, run

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
QUOTED = re.compile(r"'[^']*'")  # names and pieces of the input, as the message quotes them


def error_of(action, lang):
    """The exception ``action()`` raises with the messages in ``lang``."""
    with language(lang), pytest.raises(Exception) as info:
        action()
    return info.value


def both(action):
    """(English error, Japanese error) of ``action``: the same class, the Japanese
    message in Japanese, with every number and quoted name of the English one (the
    Japanese may write more numbers: "one Value" is "Value が 1 つ")."""
    english, japanese = error_of(action, "en"), error_of(action, "ja")
    assert type(japanese) is type(english)
    assert not JAPANESE.search(str(english)), str(english)
    assert JAPANESE.search(str(japanese)), str(japanese)
    assert not Counter(NUMBER.findall(str(english))) - Counter(NUMBER.findall(str(japanese)))
    assert set(QUOTED.findall(str(english))) <= set(QUOTED.findall(str(japanese)))
    return str(english), str(japanese)


def column(message, lang):
    """The column an expression error points at: 'column 5: ...' or '5 文字目: ...'."""
    found = re.match(r"column (\d+): " if lang == "en" else r"(\d+) 文字目: ", message)
    assert found, message
    return int(found.group(1))


# -- the expression reader -----------------------------------------------------


@pytest.mark.parametrize(
    "text, english, japanese, at",
    [
        ("(x", "syntax error: '(' was never closed", "構文エラー: '(' が閉じられていません", 1),
        ("  x × y", "invalid character '×' (U+00D7)", "使えない文字 '×' (U+00D7)", 5),
        ("x +", "the expression ends too early", "式が途中で終わっています", 4),
        ("x ^ 2", "^ (write powers as **) is not supported", "^ は使えません。べき乗は x**2", 1),
        ("x.grad", "attribute access (.grad) is not supported", "属性の参照 (.grad)", 2),
    ],
)
def test_a_syntax_error_keeps_its_column(text, english, japanese, at):
    en, ja = both(lambda: parse_expression(text, {"x": 1.0, "y": 2.0}))
    assert english in en and japanese in ja
    assert column(en, "en") == column(ja, "ja") == at


def test_an_unknown_function_keeps_its_suggestion_and_the_list():
    en, ja = both(lambda: parse_expression("exq(x)", {"x": 1.0}))
    assert en == (
        "column 1: unknown function 'exq' (did you mean exp?); the functions are "
        "exp, log, sqrt, tanh, sigmoid, relu, sin, cos, abs"
    )
    assert ja.startswith("1 文字目: 不明な関数 'exq' (もしかして exp?)")
    assert ja.endswith("exp, log, sqrt, tanh, sigmoid, relu, sin, cos, abs")


def test_a_variable_without_a_value_names_the_ones_given():
    en, ja = both(lambda: parse_expression("x * wieght", {"x": 1.0, "weight": 2.0}))
    assert "'wieght' has no value (did you mean weight?)" in en
    assert "'wieght' に値がありません (もしかして weight?)" in ja
    assert "wieght=1.5" in ja and "weight, x" in ja
    assert column(en, "en") == column(ja, "ja") == 5


def test_name_value_errors():
    en, ja = both(lambda: parse_assignments(["x=abc"]))
    assert en == "x=abc: 'abc' is not a number"
    assert ja == "x=abc: 'abc' は数ではありません"
    en, ja = both(lambda: parse_assignments(["x=1", "x=2"]))
    assert "x=1" in ja and "x=2" in ja


def test_the_limits():
    en, ja = both(lambda: parse_expression("x ** 5000", {"x": 1.0}))
    assert "±1000" in en and "±1000" in ja
    en, ja = both(lambda: parse_expression("", {}))
    assert en == "the expression is empty" and ja == "式が空です"


# -- the engine and the ops: domain errors, forward and backward ---------------------


@pytest.mark.parametrize(
    "text, value, call, english, japanese",
    [
        (
            "log(x)",
            -1.0,
            "log(x = -1.0)",
            "the logarithm is defined only for positive numbers",
            "対数は正の数に対してだけ定義されます",
        ),
        (
            "sqrt(x)",
            -1.0,
            "sqrt(x = -1.0)",
            "the square root is defined only for numbers >= 0",
            "平方根は 0 以上の数に対してだけ定義されます",
        ),
    ],
)
def test_a_domain_error_names_the_operands_in_both_languages(text, value, call, english, japanese):
    en, ja = both(lambda: parse_expression(text, {"x": value}))
    assert en == f"column 1: {call}: {english}"
    assert ja == f"1 文字目: {call}: {japanese}"


@pytest.mark.parametrize(
    "text, value, english, japanese",
    [
        ("x/0", 1.0, "x/0: division by zero (x = 1)", "x/0: 0 による割り算 (x = 1 のとき)"),
        ("1/x", 0.0, "1/x: division by zero (x = 0)", "1/x: 0 による割り算 (x = 0 のとき)"),
        (
            "(x-2)**0.5",
            1.0,
            "(x-2)**0.5: a negative base to a non-integer power is not a real number (x-2 = -1)",
            "(x-2)**0.5: 負の数を整数でない数でべき乗すると実数になりません (x-2 = -1 のとき)",
        ),
    ],
)
def test_a_division_or_a_power_is_named_as_written(text, value, english, japanese):
    """Not div(1.0, x = 0.0) or power(...): the learner wrote / and **."""
    en, ja = both(lambda: parse_expression(text, {"x": value}))
    assert en == f"column 1: {english}"
    assert ja == f"1 文字目: {japanese}"


def test_the_ops_float_functions_say_why_in_the_language_in_force():
    en, ja = both(lambda: FLOAT.log(0.0))
    assert en == "log(0.0): the logarithm is defined only for positive numbers"
    assert ja == "log(0.0): 対数は正の数に対してだけ定義されます"
    with language("ja"), pytest.raises(ValueError) as info:
        FLOAT.sqrt(-2.0)
    assert info.value.reason == "平方根は 0 以上の数に対してだけ定義されます"


def test_sqrt_at_zero_in_backward():
    def backward():
        x = Value(0.0, label="x")
        x.sqrt().backward()

    en, ja = both(backward)
    assert en == (
        "backward of sqrt(x = 0.0): the local derivative is not finite here "
        "(float division by zero)"
    )
    assert ja == (
        "sqrt(x = 0.0) の逆伝播: ここでは局所的な微分が有限ではありません (float の計算での 0 による割り算)"
    )
    assert isinstance(error_of(backward, "ja"), NonFiniteGradientError)


def test_an_ops_error_inside_backward():
    def backward():
        x = Value(0.0, label="x")
        (x**0.5).backward()

    en, ja = both(backward)
    assert "pow(0.0, -0.5): 0.0 cannot be raised to a negative power" in en
    assert "pow(0.0, -0.5): 0.0 を負の数でべき乗することはできません" in ja


def test_a_step_of_explain_that_cannot_be_computed():
    x = Value(0.0, label="x")
    y = x.sqrt()
    en, ja = both(lambda: list(chain_rule_steps(y)))
    assert en.startswith("step 1: backward of sqrt: the local derivative is not finite")
    assert ja.startswith("ステップ 1: sqrt の逆伝播: ここでは局所的な微分が有限ではありません")


def test_misusing_a_value():
    en, ja = both(lambda: Value("2"))
    assert en == "Value holds a real number, got str ('2')"
    assert ja == "Value が持つのは実数ですが、str ('2') が与えられました"
    en, ja = both(lambda: Value(1.0) < "a")
    assert "str" in ja
    en, ja = both(lambda: Value(1.0).backward(True))
    assert "backward(create_graph=True)" in ja
    # Python's own message for an operand of no known kind (the operator protocol):
    with language("ja"), pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"


def test_a_custom_op_that_is_not_well_formed():
    en, ja = both(lambda: Op("my op", lambda m, x: x, lambda m, g, out, x: (g,)))
    assert "'my op'" in ja
    bad = Op("bad", lambda m, x: x, lambda m, g, out, x: g)  # no tuple
    en, ja = both(lambda: bad(Value(1.0)).backward(create_graph=True))
    assert "(g * ...,)" in ja and "カンマ" in ja


# -- expect_value, grad and gradcheck ------------------------------------------------


def test_a_list_passed_to_explain():
    outputs = [Value(1.0), Value(2.0)]
    en, ja = both(lambda: explain(outputs))
    assert en.startswith("explain() needs one Value, got a list of 2 Values: take one")
    assert ja.startswith("explain() には Value が 1 つ必要ですが、Value が 2 個入った list")
    en, ja = both(lambda: explain(3.0))
    assert "x = Value(3.0, label='x'); explain(x * x)" in ja


def test_grad_of_a_function_that_returns_no_value():
    en, ja = both(lambda: grad(lambda x: "x")(1.0))
    assert "<lambda>" in ja and "str" in ja


def test_gradcheck_says_which_gradient_disagrees():
    def wrong(x):  # a derivative rule that forgot the factor 2: d(x**2)/dx reported as x
        square = Op("square", lambda m, a: a * a, lambda m, g, out, a: (g * a,))
        return square(x)

    en, ja = both(lambda: gradcheck(wrong, 1.5))
    en_lines, ja_lines = en.splitlines(), ja.splitlines()
    assert en_lines[0] == "gradcheck of wrong: 1 of 1 gradient(s) disagree " + (
        "(atol=1e-05, rtol=0.0001, eps=1e-06)"
    )
    assert ja_lines[0] == (
        "wrong の gradcheck: 1 個の勾配のうち 1 個が一致しません (atol=1e-05, rtol=0.0001, eps=1e-06)"
    )
    assert len(ja_lines) == len(en_lines) == 3
    assert ja_lines[1].split() == ["入力", "値", "解析的な勾配", "数値勾配", "絶対誤差", "相対誤差"]
    assert en_lines[2].endswith("<-- mismatch") and ja_lines[2].endswith("<-- 不一致")
    for en_line, ja_line in zip(en_lines[2:], ja_lines[2:]):
        assert NUMBER.findall(en_line) == NUMBER.findall(ja_line)
    # Right-aligned columns: each heading ends where its numbers end, on a terminal too.
    header, row = ja_lines[1], ja_lines[2]
    ends = [columns(header[: m.end()]) for m in re.finditer(r"\S+", header)]
    row_ends = [columns(row[: m.end()]) for m in re.finditer(r"\S+", row)]
    assert row_ends[:6] == ends


# -- the command line: one line on stderr, in the locale's language ---------------------


@pytest.mark.parametrize(
    "args, english, japanese",
    [
        (
            ("grad", "log(x)", "x=-1"),
            "column 1: log(x = -1.0): the logarithm is defined only for positive numbers",
            "1 文字目: log(x = -1.0): 対数は正の数に対してだけ定義されます",
        ),
        (
            ("grad", "(x*y", "x=1", "y=2"),
            "column 1: syntax error: '(' was never closed",
            "1 文字目: 構文エラー: '(' が閉じられていません",
        ),
    ],
)
def test_the_command_line_reports_the_error_in_japanese(args, english, japanese):
    en, ja = run(*args), run(*args, env=ENV_JA)
    assert en.returncode == ja.returncode == 2
    assert en.stdout == ja.stdout == ""
    assert len(en.stderr.splitlines()) == len(ja.stderr.splitlines()) == 1
    assert en.stderr.rstrip("\n").endswith(": " + english)
    # (the command line's own prefix, "tinygrad-edu: error: ", is the command line's to translate)
    assert ja.stderr.rstrip("\n").endswith(": " + japanese)
