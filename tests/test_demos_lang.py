"""The demos in Japanese: `--lang ja` (or LANG=ja_JP.UTF-8) translates every line they
print and changes no number; `--lang` with a language there is no catalog for is refused.

Each demo runs briefly (its quick options), in a temporary directory, writing no file.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinygrad_edu._text import columns, fill, ljust, rjust

ROOT = Path(__file__).resolve().parent.parent
PYTHONPATH = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# The options of a short run that writes no file.
QUICK = {
    "xor": ["--quick", "--no-graph"],
    "seed_bug": ["--quick"],
    "jit_source": ["--epochs", "50"],
    "layernet": ["--quick", "--steps", "5"],
    "moons": ["--quick", "--steps", "5", "--no-plot"],
    "optimizers": ["--quick", "--no-plot"],
}
# Words of the seeds and the glossary that each demo's Japanese must use.
TERMS = {
    "xor": [
        "シード文書 000",
        "学習係数 k = 0.3",
        "デルタ則",
        "自動微分",
        "エポック",
        "損失",
        "正解",
    ],
    "seed_bug": [
        "中間層",
        "出力層",
        "修正量",
        "デルタ則",
        "数値微分",
        "シード文書の train()",
        "不一致",
    ],
    "jit_source": [
        "逆伝播",
        "順伝播",
        "連鎖律",
        "出力層にかける重み",
        "重みの修正量 = -k × δ_0 × 入力",
        "バイアスの修正量 = -k × δ_m",
        "シード文書のコード:",
    ],
    "layernet": ["渦巻き", "重み", "バイアス", "勾配", "正答率", "ステップ"],
    "moons": ["パラメーター", "重みとバイアス", "損失", "正答率", "ステップ"],
    "optimizers": ["オプティマイザー", "勾配", "最小値", "最終の x", "最終の f"],
}
# Timings: measured afresh by every run, so not compared.
TIMINGS = re.compile(r"^  (compiled|eager|speed-up|コンパイル版|eager モード)")
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?")
ENGLISH_PROSE = re.compile(r"\b(the|and|with|of|steps?|accuracy|loss|epochs?|learned)\b")


def environment(**variables):
    """os.environ with the demos on PYTHONPATH and the locale variables given (none other)."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    return {**env, "PYTHONPATH": PYTHONPATH, **variables}


def run(name, *args, cwd, **variables):
    return subprocess.run(
        [sys.executable, str(ROOT / "demos" / f"{name}.py"), *args],
        cwd=cwd,
        env=environment(**variables),
        capture_output=True,
        text=True,
        timeout=300,
    )


def stdout(name, *args, cwd, **variables):
    proc = run(name, *QUICK[name], *args, cwd=cwd, **variables)
    assert proc.returncode == 0, f"{name} {args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def untimed(text):
    """The lines of the text but those that report a time."""
    return [line for line in text.splitlines() if not TIMINGS.match(line)]


def numbers(text):
    """Every number of the text except the timings, in order."""
    return NUMBER.findall("\n".join(untimed(text)))


@pytest.mark.parametrize("name", sorted(QUICK))
def test_demo_in_japanese(name, tmp_path):
    english = stdout(name, "--lang", "en", cwd=tmp_path)
    japanese = stdout(name, "--lang", "ja", cwd=tmp_path)
    for term in TERMS[name]:
        assert term in japanese, f"{term!r} not in:\n{japanese}"
    assert not ENGLISH_PROSE.findall(japanese), japanese  # no line left in English
    # The same numbers, formatted the same way; a translation may order them differently.
    assert numbers(english) and sorted(numbers(japanese)) == sorted(numbers(english))
    # The locale chooses Japanese as --lang does; --lang wins over the locale.
    by_locale = stdout(name, cwd=tmp_path, LANG="ja_JP.UTF-8")
    assert untimed(by_locale) == untimed(japanese)
    assert numbers(stdout(name, "--lang", "en", cwd=tmp_path, LANG="ja_JP.UTF-8")) == numbers(
        english
    )
    assert list(tmp_path.iterdir()) == []  # the quick runs write no file


def test_xor_in_japanese_keeps_its_table(tmp_path):
    out = stdout("xor", "--lang", "ja", cwd=tmp_path)
    rows = re.findall(r"^\s+([01])\s+([01])\s+([01])\s+([0-9.]+)\s+([01])\s+(\S+)$", out, re.M)
    assert [row[-1] for row in rows] == ["一致"] * 4, out
    assert "XOR を学習した: 4 個中 4 個が正解" in out
    header, first = out.splitlines()[3:5]  # the loss table: its columns line up
    assert header.split() == ["エポック", "損失"]
    assert columns(header) == len(first)


@pytest.mark.parametrize("name", sorted(QUICK))
def test_an_unknown_language_is_refused(name, tmp_path):
    # in the locale's language: --lang has not chosen one
    for env, prefix in (
        ({}, f"{name}.py: error: argument --lang: "),
        ({"LANG": "ja_JP.UTF-8"}, f"{name}.py: エラー: 引数 --lang: "),
    ):
        proc = run(name, "--lang", "xx", cwd=tmp_path, **env)
        assert proc.returncode == 2 and proc.stdout == ""
        (line,) = proc.stderr.splitlines()
        assert line.startswith(prefix), line
        assert "'xx'" in line and line.endswith("en, ja")
    help_text = run(name, "--lang", "ja", "--help", cwd=tmp_path)
    assert help_text.returncode == 0
    assert help_text.stdout.startswith(f"使い方: {name}.py [-h]"), help_text.stdout
    assert "\nオプション:\n" in help_text.stdout
    assert "このヘルプを表示して終了します" in help_text.stdout
    assert "--lang LANG" in help_text.stdout
    for english in ("usage:", "options:", "show this help"):
        assert english not in help_text.stdout


def usage_and_error(stderr, prog, error):
    """The error line of an argparse error (the last line; the lines before it are
    the usage, starting with ``prog``'s), checked to follow that layout."""
    *usage, line = stderr.splitlines()
    assert usage and usage[0].startswith(prog), stderr
    assert all(u.startswith(" ") for u in usage[1:]), stderr  # the usage's further lines
    assert line.startswith(error), stderr
    return line


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bogus"], "認識できない引数: --bogus"),
        (["--epochs", "abc"], "引数 --epochs: int 型の値ではありません: 'abc'"),
        (["--epochs", "0"], "--epochs は 1 以上"),  # the demo's own parser.error, after parsing
        (["--quick", "--graph"], "引数 --graph: 値を一つ指定する必要があります"),
    ],
)
def test_a_demos_argument_errors_are_japanese(args, message, tmp_path):
    for lang, env in ((["--lang", "ja"], {}), ([], {"LANG": "ja_JP.UTF-8"})):
        proc = run("xor", *lang, *args, cwd=tmp_path, **env)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        line = usage_and_error(proc.stderr, "使い方: xor.py ", "xor.py: エラー: ")
        assert message in line, proc.stderr
    english = run("xor", "--lang", "en", *args, cwd=tmp_path, LANG="ja_JP.UTF-8")
    assert english.returncode == 2
    usage_and_error(english.stderr, "usage: xor.py ", "xor.py: error: ")
    assert list(tmp_path.iterdir()) == []


def test_the_demo_parser_speaks_the_language_in_force_and_leaves_argparse_as_it_was():
    import argparse
    import gettext

    from tinygrad_edu.i18n import language

    demo = helpers()
    with language("ja"):
        parser = demo.demo_parser("説明")
        parser.add_argument("--n", type=int)
        assert parser.format_usage().startswith("使い方: ")
        assert "オプション:" in parser.format_help()
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext


def helpers():
    """demos/_language.py, imported as the demos import it."""
    sys.path.insert(0, str(ROOT / "demos"))
    try:
        import _language
    finally:
        sys.path.remove(str(ROOT / "demos"))
    return _language


def test_the_layout_helpers():
    assert columns("loss") == 4 and columns("損失") == 4 and columns("δ_0 × k") == 7
    assert columns("e\u0301") == 1  # a combining accent takes no column of its own
    assert ljust("loss", 6) == f"{'loss':<6}" and rjust("loss", 6) == f"{'loss':>6}"
    assert rjust("損失", 6) == "  損失" and ljust("エポック", 6) == "エポック"
    english = "The machine flags 9 of 13 updates: " + ", ".join(f"w_im[{i}]" for i in range(20))
    assert fill(english, 40, subsequent_indent="  ") == textwrap.fill(
        english, width=40, subsequent_indent="  "
    )
    japanese = (
        "記事の文章: バイアスの修正量 = -k × δ_m。掲載されている行は出力層の delta_o を使っている"
    )
    lines = fill(japanese, 30, "    ", "     ").splitlines()
    assert all(columns(line) <= 30 for line in lines) and len(lines) > 1
    assert lines[0].startswith("    記事") and all(line.startswith("     ") for line in lines[1:])
    assert "".join(line.strip() for line in lines).replace(" ", "") == japanese.replace(" ", "")
    assert not any(line.strip().startswith(("、", "。")) for line in lines)
    assert "delta_o" in "".join(lines)  # a word of narrow characters is never broken


@pytest.mark.parametrize("name", sorted(QUICK))
def test_the_japanese_help_fits_the_terminal(name, tmp_path):
    """argparse wraps help by characters; the demos' help, like the command line's, is
    wrapped by the columns a Japanese character takes."""
    for width in (60, 80):
        proc = run(name, "--lang", "ja", "--help", cwd=tmp_path, COLUMNS=str(width))
        assert proc.returncode == 0 and "オプション:" in proc.stdout, proc.stderr
        for line in proc.stdout.splitlines():
            if not line.startswith("使い方:"):
                assert columns(line) <= width, f"{name}, {width} columns: {line!r}"


@pytest.mark.parametrize("name", sorted(QUICK))
def test_japanese_output_fits_a_terminal(name, tmp_path):
    """The Japanese output is no wider than 100 columns, or than the English where that is
    wider (a model's repr), counting a Japanese character as two: its tables do not wrap."""
    english = max(map(columns, stdout(name, "--lang", "en", cwd=tmp_path).splitlines()))
    japanese = stdout(name, "--lang", "ja", cwd=tmp_path).splitlines()
    widest = max(japanese, key=columns)
    assert columns(widest) <= max(100, english), f"{name}: {columns(widest)} columns: {widest!r}"


# The plots: their titles and legends in the language of the run, drawn with a font that has
# the glyphs (or, with none installed, a note saying which package installs one).
PLOTTED = {
    "moons": (["--quick", "--steps", "5"], ["ラベル 0 (上の月)", "学習後の決定境界"]),
    "optimizers": (["--quick"], ["SGD: 終点", "から 30 ステップ"]),
}
SHOW_TEXTS = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.text
import tinygrad_edu._optional as optional

def save_figure(fig, path, dpi=120, _save=optional.save_figure):
    fig.canvas.draw()  # (matplotlib warns of a missing glyph as it draws)
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text():
            print("TEXT", text.get_text().replace("\\n", " "))
    return _save(fig, path, dpi)

optional.save_figure = save_figure
sys.argv = sys.argv[1:]
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])  # as when the demo is run as a script
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("name", sorted(PLOTTED))
def test_the_plots_speak_japanese(name, tmp_path):
    pytest.importorskip("matplotlib", reason="the plots need the demos extra")
    from tinygrad_edu.viz import japanese_font

    args, words = PLOTTED[name]
    out = tmp_path / "plot.png"
    proc = subprocess.run(
        [sys.executable, "-c", SHOW_TEXTS, str(ROOT / "demos" / f"{name}.py"), *args]
        + ["--lang", "ja", "--out", str(out)],
        cwd=tmp_path,
        env=environment(MPLCONFIGDIR=str(tmp_path / "matplotlib")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0
    texts = [line[5:] for line in proc.stdout.splitlines() if line.startswith("TEXT ")]
    for word in words:
        assert any(word in text for text in texts), (word, texts)
    assert not [t for t in texts if ENGLISH_PROSE.search(t) or "moon" in t or "ends at" in t]
    if japanese_font() is not None:
        assert "missing from font" not in proc.stderr, proc.stderr
    else:
        assert "fonts-noto-cjk" in proc.stderr and proc.stderr.count("\n") <= 1
