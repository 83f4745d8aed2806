"""The command line in Japanese, chosen by ``--lang ja`` or by the locale
(``LANG=ja_JP.UTF-8``): help, results and errors, argparse's own messages included.

Run as a learner runs it (a subprocess), except where a test needs to look inside.
"""

import argparse
import ast
import collections
import contextlib
import errno
import gettext
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings

import pytest

from tinygrad_edu import cli, i18n
from tinygrad_edu._text import columns
from tinygrad_edu.expr import FUNCTIONS

from _cli import ENV_EN, ENV_JA, ROOT, run

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
PREFIX = "tinygrad-edu: "


#: The two ways to ask for Japanese.
WAYS = ["--lang ja", "LANG=ja_JP.UTF-8"]


def run_ja(way, *args, cwd=None):
    if way == "--lang ja":
        return run("--lang", "ja", *args, cwd=cwd)
    return run(*args, env=ENV_JA, cwd=cwd)


# -- results: Japanese words around the same numbers ----------------------------------

GRAD_CASES = [
    ["tanh(x*w + b)", "x=2", "w=-3", "b=6.88"],
    ["relu(x)", "x=0"],  # a note: at the kink
    ["relu(x)", "x=1e-7"],  # a note: near the kink
    ["x**0.5", "x=1e-5"],  # a note: the check disagrees
    ["sqrt(x) + y", "x=1e-9", "y=1", "z=3"],  # n/a, and a variable not in the expression
    ["2"],  # no variables
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("args", GRAD_CASES, ids=lambda a: " ".join(a))
def test_grad_in_japanese_shows_the_numbers_of_english(way, args):
    english, japanese = run("grad", *args), run_ja(way, "grad", *args)
    assert english.returncode == japanese.returncode == 0, japanese.stderr
    assert japanese.stderr == ""
    assert JAPANESE.search(japanese.stdout), japanese.stdout
    # the same numbers (the word order of the notes differs), on as many lines
    assert sorted(NUMBER.findall(japanese.stdout)) == sorted(NUMBER.findall(english.stdout))
    assert japanese.stdout.count("\n") == english.stdout.count("\n")
    assert japanese.stdout.splitlines()[0] == english.stdout.splitlines()[0]  # f(...) = value
    for words in ("note:", "finite differences", "not checked", "not in the expression", "at x"):
        assert words not in japanese.stdout


def test_the_japanese_table_lines_up_by_columns():
    out = run_ja("--lang ja", "grad", "sqrt(x) + y*z", "x=4", "y=1", "z=3")
    lines = out.stdout.splitlines()
    header, rows = lines[3], lines[4:7]
    assert "数値微分" in header and "|差|" in header

    # the finite-difference column ends at the same column on every line
    ends = {columns(header[: header.index("数値微分") + len("数値微分")])}
    for row in rows:
        third = list(re.finditer(r"\S+", row))[2]
        ends.add(columns(row[: third.end()]))
    assert len(ends) == 1, out.stdout


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "args",
    [["tanh(x*w + b)", "x=2", "w=-3", "b=6.88"], ["x+x+x+x", "x=1", "--max-steps", "1"]],
    ids=["tanh", "steps not shown"],
)
def test_explain_in_japanese_shows_the_numbers_of_english(way, args):
    english, japanese = run("explain", *args), run_ja(way, "explain", *args)
    assert english.returncode == japanese.returncode == 0, japanese.stderr
    assert "逆伝播" in japanese.stdout and "勾配:" in japanese.stdout
    assert "backward pass" not in japanese.stdout and "gradients:" not in japanese.stdout
    assert sorted(NUMBER.findall(japanese.stdout)) == sorted(NUMBER.findall(english.stdout))
    assert japanese.stdout.count("\n") == english.stdout.count("\n")
    grads = re.compile(r"\w+\.grad = \S+")
    assert grads.findall(japanese.stdout)[-4:] == grads.findall(english.stdout)[-4:]
    if "--max-steps" in args:  # the hint names the option, in either language
        assert "a larger --max-steps lists them" in english.stdout
        assert "--max-steps" in japanese.stdout and "explain(root" not in japanese.stdout


@pytest.mark.parametrize("way", WAYS)
def test_graph_and_demo_results_in_japanese(way, tmp_path):
    out = run_ja(way, "graph", "x*y", "x=1", "y=2", "-o", "g.dot", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "g.dot を書き出しました\n"
    out = run_ja(way, "demo")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("デモ: ") and "tinygrad-edu demo NAME" in out.stdout


# -- help: Japanese apart from option names, metavars and code -------------------------

#: Words of the help that are names, not English: the commands, the functions of
#: expressions, programs, language codes and keys.
NAMES = {
    "tinygrad-edu",
    "grad",
    "explain",
    "graph",
    "demo",
    "lab",
    "backward",
    "Graphviz",
    "dot",
    "xor",
    "en",
    "ja",
    "URL",
    "Ctrl-C",
    *FUNCTIONS,
}


def english_words(help_text):
    """The words of ``help_text`` that are neither Japanese nor an option name, a
    metavar, a name (NAMES) or a piece of code."""
    found = []
    for line in help_text.splitlines():
        if line.startswith("  tinygrad-edu "):  # an example command line
            continue
        for token in re.sub(r"[^\x00-\x7f]", " ", line).split():
            token = token.strip(",;:()")
            if not re.search(r"[A-Za-z]", token):
                continue
            if (
                token.startswith("-")  # an option
                or re.fullmatch(r"\[?[A-Z_]+(=[A-Z_]+)?\]?|\{[A-Z,]+\}|\[?-?-?[a-z-]+\]?", token)
                and (token.isupper() or token.startswith(("[-", "{")))  # a metavar, [-h]
                or re.search(r"[()./=_*\[\]{}\"'`]", token)  # code: backward(), .svg, x=2
                or token in NAMES
            ):
                continue
            found.append(token)
    return found


def test_the_english_word_finder_finds_english():
    assert english_words(run("--help").stdout)[:3] == ["usage", "Experiment", "with"]
    assert english_words("使い方: tinygrad-edu [-h] [--lang LANG] COMMAND ...") == []
    assert english_words("  --max-steps MAX_STEPS  表示するステップ数 (既定値: 200)") == []
    assert english_words("  式   関数 exp, log が使える (default 3)") == ["default"]


HELP_COMMANDS = [[], ["grad"], ["explain"], ["graph"], ["demo"], ["lab"]]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_is_japanese(way, command):
    out = run_ja(way, *command, "--help")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    text = out.stdout
    assert text.startswith("使い方: tinygrad-edu"), text
    assert "オプション:" in text and "このヘルプを表示して終了します" in text
    if command != ["lab"]:  # lab has no positional arguments
        assert "位置引数:" in text
    assert "--lang LANG" in text
    assert english_words(text) == [], text
    english = run(*command, "--help").stdout
    assert english.startswith("usage: tinygrad-edu") and english_words(english)


def test_help_is_japanese_whichever_way_lang_is_given():
    for args in (
        ["grad", "--lang", "ja", "--help"],
        ["grad", "--help", "--lang=ja"],
        ["--lang=ja", "graph", "-h"],
        ["--la", "ja", "-h"],  # argparse's abbreviation of --lang
    ):
        out = run(*args)
        assert out.returncode == 0 and out.stdout.startswith("使い方: tinygrad-edu"), args


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_japanese_help_fits_the_terminal_width(command):
    width = 60
    out = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "--lang", "ja", *command, "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**ENV_EN, "COLUMNS": str(width)},
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    for line in out.stdout.splitlines():
        if JAPANESE.search(line) and not line.startswith("使い方:"):
            assert columns(line) <= width, line


# -- errors: the same status, one line, Japanese -----------------------------------------

#: (arguments, whether the message itself is the command line's or argparse's, and so
#: Japanese: the others come from the package's modules, in English for now, and
#: only the "tinygrad-edu: エラー: " before them is Japanese).
ERRORS = [
    ([], True),  # the command is missing
    (["frob"], True),  # unknown command
    (["gard", "x", "x=1"], True),  # unknown command, with a suggestion
    (["grad"], True),  # the expression is missing
    (["explain", "--max-steps", "3"], True),
    (["grad", "x=1", "y=2"], True),  # a value in the expression's place
    (["grad", "x", "x=abc"], False),  # a bad NAME=VALUE (expr)
    (["grad", "x", "x"], False),
    (["grad", "x*", "x=1"], False),  # a bad expression (expr)
    (["grad", "log(x)", "x=0"], False),  # off the domain (the engine)
    (["lab", "--port", "70000", "--no-browser"], True),  # a bad port
    (["lab", "--port", "http", "--no-browser"], True),
    (["lab", "--port", "²", "--no-browser"], True),  # a digit int() does not read
    (["demo", "no_such_demo"], True),
    (["demo", "optimiser"], True),  # unknown demo, with a suggestion
    (["graph", "x*y", "x=1", "y=2", "-o", "no/such/folder/g.dot"], True),
    (["graph", "x", "x=1", "-o", "g.gif"], False),  # not a known format (viz)
    # argparse's own
    (["grad", "x", "x=1", "--bogus"], True),  # unrecognized arguments
    (["demo", "--bogus"], True),
    (["--bogus"], True),  # the following arguments are required
    (["graph", "x", "x=1", "--rankdir", "XY"], True),  # invalid choice
    (["graph", "x", "x=1", "-o"], True),  # expected one argument
    (["graph", "x", "x=1", "--o", "g.dot"], True),  # ambiguous option
    (["graph", "x", "x=1", "--order=yes"], True),  # ignored explicit argument
    (["explain", "x", "x=1", "--max-steps", "-1"], True),  # argument ...: (our type)
    (["graph", "x", "x=1", "--timeout", "soon"], True),
    (["grad", "x", "x=1", "--" + "o" * 10_000], True),  # a long one: bounded
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("args, ours", ERRORS, ids=[" ".join(a)[:30] for a, _ in ERRORS])
def test_an_error_in_japanese_keeps_its_status_and_one_line(way, args, ours, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "ja").mkdir()
    english = run(*args, cwd=tmp_path / "en")
    japanese = run_ja(way, *args, cwd=tmp_path / "ja")
    assert english.returncode == 2, english.stderr
    assert japanese.returncode == english.returncode, japanese.stderr
    assert japanese.stdout == "" and "Traceback" not in japanese.stderr
    assert japanese.stderr.count("\n") == 1 and japanese.stderr.endswith("\n"), japanese.stderr
    assert japanese.stderr.startswith(PREFIX + "エラー: "), japanese.stderr
    assert english.stderr.startswith(PREFIX + "error: "), english.stderr
    assert len(japanese.stderr) <= len(PREFIX + "エラー: \n") + 500
    message = japanese.stderr[len(PREFIX + "エラー: ") :]
    if ours:
        assert JAPANESE.search(message), japanese.stderr
        for words in ("error", "argument", "unrecognized", "invalid", "expected", "see:"):
            assert words not in message, japanese.stderr
    assert not list((tmp_path / "ja").iterdir())  # nothing written


@pytest.mark.parametrize("way", WAYS)
def test_an_unwritable_output_file_in_japanese(way, tmp_path):
    (tmp_path / "g.dot").mkdir()  # the output path is a folder
    out = run_ja(way, "graph", "x*y", "x=1", "y=2", "-o", "g.dot", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "tinygrad-edu: エラー: g.dot に書き込めません: フォルダーです\n"


def test_argparse_errors_in_japanese_say_what_english_says():
    cases = {
        (
            "grad",
            "x",
            "x=1",
            "--bogus",
        ): "認識できない引数: --bogus (tinygrad-edu grad --help を参照してください)",
        ("--bogus",): "次の引数が必要です: COMMAND",
        ("graph", "x", "x=1", "--rankdir", "XY"): "引数 --rankdir: 'XY' は選択肢にありません (",
        ("graph", "x", "x=1", "-o"): "引数 -o/--output: 値を一つ指定する必要があります",
        ("graph", "x", "x=1", "--o", "g.dot"): "曖昧なオプション: --o は --output, --order の",
        ("graph", "x", "x=1", "--order=yes"): "引数 --order: 値 'yes' は指定できません",
        ("explain", "x", "x=1", "--max-steps", "-1"): (
            "引数 --max-steps: 0 以上の整数でなければなりません (指定された値: -1)"
        ),
        ("lab", "--port", "70000"): "引数 --port: ポート番号は 0 から 65535 までの整数",
        ("--lang",): (
            "引数 --lang: 値を一つ指定する必要があります (tinygrad-edu --help を参照してください)"
        ),
    }
    for args, message in cases.items():
        out = run(*args, env=ENV_JA)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)


# -- choosing the language -------------------------------------------------------------


@pytest.mark.parametrize("env", [ENV_EN, ENV_JA], ids=["C", "ja_JP"])
@pytest.mark.parametrize("args", [["--lang", "xx"], ["--lang=fr_FR"], ["grad", "--lang", ""]])
def test_an_unknown_language_is_one_line_naming_the_languages(env, args):
    out = run(*args, "grad", "x", "x=1", env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(PREFIX), out.stderr
    assert "en, ja" in out.stderr
    if env is ENV_JA:  # in the locale's language
        assert out.stderr.startswith(PREFIX + "エラー: 不明な言語"), out.stderr
    else:
        assert "unknown language" in out.stderr


def test_lang_may_stand_before_or_after_the_command_and_the_last_counts():
    for args in (
        ["--lang", "ja", "grad", "x*y", "x=2", "y=3"],
        ["grad", "--lang", "ja", "x*y", "x=2", "y=3"],
        ["grad", "x*y", "x=2", "y=3", "--lang=ja"],
        ["grad", "-x*y", "--lang", "ja_JP.UTF-8", "x=2", "y=3"],
        ["--lang", "en", "grad", "x*y", "x=2", "y=3", "--lang", "JA"],
    ):
        out = run(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert out.stdout.splitlines()[1].endswith(" のとき"), (args, out.stdout)
    out = run("grad", "x*y", "x=2", "y=3", "--lang", "en", env=ENV_JA)  # over the locale
    assert out.stdout.splitlines()[1] == "at x = 2, y = 3"


def test_after_a_demos_name_lang_is_the_demos(tmp_path, monkeypatch, capsys):
    (tmp_path / "echo.py").write_text("import sys\nprint(sys.argv[1:])\n")
    monkeypatch.setattr(cli, "demos_dir", lambda: str(tmp_path))
    assert cli.main(["demo", "--lang", "ja", "echo", "--lang", "en", "x"]) == 0
    assert capsys.readouterr().out == "['--lang', 'en', 'x']\n"
    assert cli.main(["--lang", "ja", "demo", "ehco"]) == 2
    assert "'ehco' という名前のデモはありません (もしかして echo?)。使えるデモ: echo" in (
        capsys.readouterr().err
    )
    assert cli.main(["demo", "--lang", "ja"]) == 0
    assert capsys.readouterr().out.startswith("デモ: echo\n")


def test_main_leaves_the_language_and_argparse_as_they_were():
    before = i18n.current_language()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(["--lang", "ja", "grad", "x", "x=1", "--bogus"]) == 2
        assert cli.main(["--lang", "ja", "--help"]) == 0
    assert "認識できない引数" in err.getvalue() and out.getvalue().startswith("使い方:")
    assert i18n.current_language() == before
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    try:
        i18n.set_language("ja")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.main(["--lang", "en", "grad", "x", "x=1"])
        assert i18n.current_language() == "ja"
    finally:
        i18n.set_language(None)


# -- argparse's messages ---------------------------------------------------------------


def _argparse_messages():
    """Every message the running Python's argparse passes to gettext (_ or ngettext)."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
            found.update(
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return found


def test_argparse_still_writes_every_message_the_catalog_translates_for_it():
    """A Python that rewords one of argparse's messages would show it in English: this
    says which, so that i18n.ARGPARSE_MESSAGES and the catalog can follow."""
    written = _argparse_messages()
    assert "usage: " in written  # the search works
    expected = [m for m, since in i18n.ARGPARSE_MESSAGES if sys.version_info[:2] >= since]
    missing = [m for m in expected if m not in written]
    assert not missing, (
        f"Python {sys.version.split()[0]}'s argparse no longer writes {missing}: "
        "update i18n.ARGPARSE_MESSAGES and translate the new wording"
    )


def test_argparse_translates_through_its_module_level_gettext():
    """What i18n.argparse_translated relies on: argparse calls the module's `_` and
    `ngettext`, bound to the standard library's gettext."""
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    with i18n.argparse_translated(), i18n.language("ja"):
        assert argparse._("usage: ") == "使い方: "
        parser = argparse.ArgumentParser(prog="p", add_help=True)
        assert "このヘルプを表示して終了します" in parser.format_help()
    assert argparse._ is gettext.gettext
    assert "show this help message and exit" in argparse.ArgumentParser().format_help()


def test_every_argparse_message_has_a_japanese_translation():
    with i18n.language("ja"):
        for message, _since in i18n.ARGPARSE_MESSAGES:
            translated = i18n.gettext(message)
            assert message == "%(heading)s:" or translated != message, message
            assert collections.Counter(re.findall(r"%\(?\w*\)?[sr]", translated)) == (
                collections.Counter(re.findall(r"%\(?\w*\)?[sr]", message))
            )


@pytest.mark.parametrize("argv, lang", [(["lab"], None), (["--lang", "ja", "lab"], "ja")])
def test_the_lab_opens_in_the_language_lang_names(monkeypatch, argv, lang):
    """--lang ja: the lab's page opens in Japanese; without it, in the browser's language."""
    from tinygrad_edu import labserver

    seen = {}

    def fake_serve(host, port, open_browser=True, lang=None):
        seen.update(host=host, port=port, open_browser=open_browser, lang=lang)
        return 0

    monkeypatch.setattr(labserver, "serve", fake_serve)
    assert cli.main([*argv, "--no-browser"]) == 0
    assert seen == {"host": "127.0.0.1", "port": 0, "open_browser": False, "lang": lang}


def test_argparse_translated_nests_and_puts_everything_back():
    saved = (argparse._, argparse.ngettext, argparse.ArgumentError.__str__)
    with i18n.argparse_translated(), i18n.language("ja"):
        with i18n.argparse_translated():
            assert argparse._("usage: ") == "使い方: "
        assert argparse._("usage: ") == "使い方: "  # the outer block still translates
    assert (argparse._, argparse.ngettext, argparse.ArgumentError.__str__) == saved


def test_the_argument_prefix_is_translated_on_every_python():
    """3.10's argparse writes "argument --x: " without gettext; within the block
    i18n.argparse_translated writes it through the catalog (here called directly)."""
    action = argparse.ArgumentParser().add_argument("--x")
    error = argparse.ArgumentError(action, "oops")
    with i18n.language("ja"):
        assert i18n._argument_error_text(error) == "引数 --x: oops"
        assert i18n._argument_error_text(argparse.ArgumentError(None, "oops")) == "oops"
    with i18n.language("en"):
        assert i18n._argument_error_text(error) == str(error) == "argument --x: oops"


# -- the command line's own wording: polite where it tells the learner what to do ----

JAPANESE_WORDING = [
    (
        [],
        "コマンドが指定されていません: grad, explain, graph, demo, lab のどれかを指定してください "
        "(tinygrad-edu --help を参照してください)",
    ),
    (["frob"], "不明なコマンド 'frob'。使えるコマンド: grad, explain, graph, demo, lab"),
    (["gard", "x"], "不明なコマンド 'gard' (もしかして grad?)。使えるコマンド: grad, explain,"),
    (["grad"], '式が指定されていません。例: tinygrad-edu grad "x*y" x=1 y=2'),
    (["grad", "x=1"], "x=1 は値であって式ではありません。式を先に書いてください。例:"),
    (["graph", "x", "x=1", "--rankdir", "XY"], "から選んでください) (tinygrad-edu graph --help"),
    (["demo", "xro"], "'xro' という名前のデモはありません (もしかして xor?)。使えるデモ: "),
]


@pytest.mark.parametrize(
    "args, message", JAPANESE_WORDING, ids=[" ".join(a) or "none" for a, _ in JAPANESE_WORDING]
)
def test_the_japanese_wording_of_the_command_line(args, message, capsys):
    assert cli.main(["--lang", "ja", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(PREFIX + "エラー: ") and err.count("\n") == 1, err
    assert message in err, err
    for old in ("未知の", "のことか", "あるデモ", "コマンドがない", "を指定する ", "を書く。"):
        assert old not in err, err


def test_the_japanese_help_words_the_defaults_one_way(capsys):
    assert cli.main(["--lang", "ja", "graph", "--help"]) == 0
    text = capsys.readouterr().out
    assert "ノード数がこれより多いグラフは描きません (既定値: 500)" in " ".join(text.split())
    assert "既定値 " not in text
    assert cli.main(["--lang", "ja", "lab", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "ポート番号 (既定値: 0、空いているポート)" in text and "既定値 " not in text


# -- graph: the page opens in the language --lang names; a missing font is a warning ----


@pytest.mark.parametrize(
    "argv, lang", [([], None), (["--lang", "ja"], "ja"), (["--lang", "en"], "en")]
)
def test_graph_passes_the_chosen_language_to_the_drawing(argv, lang, monkeypatch, tmp_path):
    """--lang ja: the page (.html) opens in Japanese; without --lang, in the browser's
    language (lang None), whatever the locale says."""
    from tinygrad_edu import viz

    seen = {}

    def fake_render(root, path, timeout=None, lang=None, **draw_kwargs):
        seen["lang"] = lang
        return str(path)

    monkeypatch.setattr(viz, "render", fake_render)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    out = tmp_path / "g.html"
    assert cli.main([*argv, "graph", "x*y", "x=1", "y=2", "-o", str(out)]) == 0
    assert seen == {"lang": lang}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")
@pytest.mark.parametrize("argv, preferred", [([], None), (["--lang", "ja"], "ja")])
def test_graph_writes_a_page_that_opens_in_the_language_lang_names(argv, preferred, tmp_path):
    out = run(*argv, "graph", "x*y", "x=1", "y=2", "-o", "g.html", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="i18n-data">(.*?)</script>', html, re.S)
    assert data is not None
    assert json.loads(data[1])["preferred"] == preferred


@pytest.mark.parametrize(
    "argv, prefix",
    [
        (["--lang", "ja", "graph", "x*y", "x=1", "y=2"], "tinygrad-edu: 警告: "),
        (["--lang", "en", "graph", "重み*x", "重み=1", "x=2"], "tinygrad-edu: warning: "),
    ],
    ids=["--lang ja", "Japanese label"],
)
def test_a_missing_japanese_font_is_a_one_line_warning(argv, prefix, monkeypatch, tmp_path, capsys):
    from tinygrad_edu import viz

    monkeypatch.setattr(viz, "japanese_font", lambda: None)
    target = tmp_path / "g.dot"
    assert cli.main([*argv, "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert target.exists() and out.count("\n") == 1 and str(target) in out
    assert err.count("\n") == 1 and err.startswith(prefix), err
    assert "MissingFontWarning" not in err and "viz.py" not in err
    assert ("フォント" if "警告" in prefix else "font") in err


def test_other_warnings_while_drawing_are_left_to_python(monkeypatch, tmp_path, capsys):
    from tinygrad_edu import viz

    real = viz.render

    def render(*args, **kwargs):
        warnings.warn("something else", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(viz, "render", render)
    with pytest.warns(UserWarning, match="something else"):
        assert cli.main(["graph", "x", "x=1", "-o", str(tmp_path / "g.dot")]) == 0
    assert "tinygrad-edu: warning" not in capsys.readouterr().err


# -- lab: a port already in use gets a hint; other system errors keep their words ------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_port_in_use_says_what_to_do(lang, monkeypatch, capsys):
    from tinygrad_edu import labserver

    def taken(host, port, open_browser=True, lang=None):
        raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))

    monkeypatch.setattr(labserver, "serve", taken)
    assert cli.main(["--lang", lang, "lab", "--port", "8000", "--no-browser"]) == 2
    err = capsys.readouterr().err
    expected = {
        "en": "tinygrad-edu: error: port 8000 on 127.0.0.1 is already in use: give another "
        "--port, or --port 0 for a free one\n",
        "ja": "tinygrad-edu: エラー: 127.0.0.1 のポート 8000 はすでに使われています。"
        "別の --port を指定するか、--port 0 で空いているポートを使ってください\n",
    }
    assert err == expected[lang]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_another_system_error_of_the_lab_keeps_the_systems_words(lang, monkeypatch, capsys):
    from tinygrad_edu import labserver

    reason = os.strerror(errno.EADDRNOTAVAIL)

    def not_here(host, port, open_browser=True, lang=None):
        raise OSError(errno.EADDRNOTAVAIL, reason)

    monkeypatch.setattr(labserver, "serve", not_here)
    argv = ["--lang", lang, "lab", "--host", "192.0.2.1", "--port", "8000", "--no-browser"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    expected = {
        "en": f"tinygrad-edu: error: cannot listen on 192.0.2.1 port 8000: {reason}\n",
        "ja": f"tinygrad-edu: エラー: 192.0.2.1 のポート 8000 で待ち受けできません: {reason}\n",
    }
    assert err == expected[lang]


def test_a_port_really_in_use_is_recognised(monkeypatch, capsys):
    """The lab's own socket, bound to a port another socket listens on (the lab's
    modules need not be installed: serve is replaced by the part that binds)."""
    import socket

    from tinygrad_edu import labserver

    def bind_only(host, port, open_browser=True, lang=None):
        labserver._listening_socket(host, port).close()
        return 0

    monkeypatch.setattr(labserver, "serve", bind_only)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["--lang", "ja", "lab", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1 のポート {port} はすでに使われています。" in err, err
