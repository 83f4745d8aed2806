"""Diagrams in Japanese: the words come from the catalog, and Japanese text is drawn
with a font that has its glyphs -- or a warning says which package installs one."""

import os
import re
import shutil
import stat
import sys
import warnings
from pathlib import Path

import pytest

from tinygrad_edu import Value, viz
from tinygrad_edu.i18n import language
from tinygrad_edu.nn import MLP

HAVE_DOT = shutil.which("dot") is not None
FONT = viz.japanese_font()
needs_font = pytest.mark.skipif(
    FONT is None,
    reason="no font with Japanese glyphs is installed (Debian: apt-get install fonts-noto-cjk); "
    "CI installs one",
)


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.5, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return y


def network():
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    loss = 0.5 * (model([1.0, 0.0])[0] - 1.0) ** 2
    loss.backward()
    return model


def test_english_diagrams_keep_their_font_and_words():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no font warning for an English diagram
        source = viz.draw_dot(neuron()).source
        network_source = viz.draw_network(network()).source
    assert "fontname=Helvetica" in source and "edge colour and width" in source
    assert "input layer" in network_source and "output layer" in network_source
    assert not viz._CJK.search(source + network_source)


@needs_font
def test_a_japanese_diagram_names_a_font_with_japanese_glyphs():
    with language("ja"):
        source = viz.draw_dot(neuron()).source
        network_source = viz.draw_network(network()).source
    assert "矢印の色と太さ" in source and "逆向きに流れる勾配" in source
    assert "入力層" in network_source and "出力層" in network_source
    assert "中間層 1" in network_source
    for text in (source, network_source):
        assert "fontname=Helvetica" not in text
        assert f'fontname="{FONT}"' in text


@needs_font
def test_a_japanese_label_in_an_english_diagram_gets_the_font_too():
    x = Value(1.0, label="重み")
    source = viz.draw_dot(x * 2.0).source
    assert "重み" in source and f'fontname="{FONT}"' in source


@needs_font
@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's `dot` is not installed; CI installs it")
def test_the_svg_asks_for_the_japanese_font(tmp_path):
    with language("ja"):
        path = viz.render(network_loss(), str(tmp_path / "net.svg"))
    svg = Path(path).read_text(encoding="utf-8")
    assert f'font-family="{FONT}' in svg and "Helvetica" not in svg


def network_loss():
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    loss = 0.5 * (model([1.0, 0.0])[0] - 1.0) ** 2
    loss.backward()
    return loss


def test_without_a_japanese_font_the_diagram_warns_and_says_what_to_install(monkeypatch):
    monkeypatch.setattr(viz, "japanese_font", lambda: None)
    with language("ja"), pytest.warns(viz.MissingFontWarning, match="fonts-noto-cjk") as seen:
        source = viz.draw_dot(neuron()).source
    assert "矢印の色と太さ" in source  # still drawn, in the default font
    assert "fontname=Helvetica" in source
    assert seen[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(viz.MissingFontWarning, match="no installed font has Japanese glyphs"):
        viz.draw_dot(Value(1.0, label="重み") * 2.0)


def fake_fc_list(tmp_path, families):
    script = tmp_path / "fc-list"
    lines = "".join(f"echo '{f}'\n" for f in families)
    script.write_text("#!/bin/sh\n" + lines)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(tmp_path)


@pytest.mark.parametrize(
    "families, chosen",
    [
        (["IPAGothic", "Noto Sans CJK JP,Noto Sans CJK JP Regular"], "Noto Sans CJK JP"),
        (["VL Gothic", "IPAexGothic"], "IPAexGothic"),
        (["Some Japanese Font", "Another One"], "Another One"),
        ([], None),
    ],
)
def test_japanese_font_prefers_the_known_fonts(monkeypatch, tmp_path, families, chosen):
    monkeypatch.setenv("PATH", fake_fc_list(tmp_path, families))
    viz.japanese_font.cache_clear()
    try:
        assert viz.japanese_font() == chosen
    finally:
        viz.japanese_font.cache_clear()


def test_japanese_font_without_fontconfig_is_none(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", os.fspath(tmp_path))  # an empty folder: no fc-list
    viz.japanese_font.cache_clear()
    try:
        assert viz.japanese_font() is None
    finally:
        viz.japanese_font.cache_clear()


def test_error_messages_follow_the_language():
    root = neuron()
    with language("ja"), pytest.raises(ValueError, match="max_nodes=2 を超えています"):
        viz.draw_dot(root, max_nodes=2)
    with pytest.raises(ValueError, match="more than max_nodes=2"):
        viz.draw_dot(root, max_nodes=2)


# -- the words drawn, in the language asked for ---------------------------------------------

#: English words the diagrams draw (titles, roles, legends), each a whole word.
ENGLISH = [
    "layer",
    "neuron",
    "input layer",
    "hidden layer",
    "output layer",
    "left",
    "right",
    "numerator",
    "denominator",
    "base",
    "exponent",
    "edge colour",
    "gradient",
    "arrows",
    "weight",
    "purple",
    "label",
    "not a finite number",
]


def words_drawn(source):
    """The words a DOT source shows or says: its labels, xlabels and tooltips."""
    found = re.findall(r'\b(?:label|xlabel|tooltip)=(?:"((?:[^"\\]|\\.)*)"|([^\s\]"]+))', source)
    return " ".join(quoted or bare for quoted, bare in found).replace("\\n", " ")


def english_in(text):
    return [w for w in ENGLISH if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w.])", text)]


def roles_and_titles():
    """A network's loss using every op whose operands have roles (-, /, **), with a
    number that is not finite and a label too long to show whole."""
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    y = model([1.0, 0.0])[0]
    two, half = Value(2.0, label="two"), Value(0.5, label="p" * 60)
    loss = ((Value(1.0, label="t") - y) ** two) / half
    loss.label = "E"
    loss.backward()
    big = Value(1.0, label="big")
    with_inf = loss + big
    big.data = float("inf")  # assigned by hand
    return loss, model, with_inf


def test_a_japanese_diagram_draws_no_english_word():
    loss, model, with_inf = roles_and_titles()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", viz.MissingFontWarning)  # (the words are the test)
        english = viz.draw_dot(with_inf, lang="en").source
        japanese = viz.draw_dot(with_inf, lang="ja").source
        net_en = viz.draw_network(model, lang="en").source
        net_ja = viz.draw_network(model, lang="ja").source
    # English as it always was: every word above is there
    assert set(english_in(words_drawn(english) + " " + words_drawn(net_en))) == set(ENGLISH)
    assert 'label="layer 0, neuron 1"' in english and "xlabel=numerator" in english
    # Japanese: none of them
    assert english_in(words_drawn(japanese)) == []
    assert english_in(words_drawn(net_ja)) == []
    for shown in ("層 0・ニューロン 1", "層 1・ニューロン 0", "{層 0 | ", "{ニューロン 1 | "):
        assert shown in japanese, shown
    for role in ("左", "右", "分子", "分母", "底", "指数"):
        assert re.search(f'xlabel="?{role}[" \\]]', japanese), role
    assert "矢印の色と太さ" in japanese and "紫: 有限でない数" in japanese
    assert "data が inf: 有限の数ではありません" in japanese and "ラベル: ppp" in japanese
    assert (
        "入力層" in net_ja and "中間層 1 (layers.0, sigmoid)" in net_ja and "矢印: 重み" in net_ja
    )


def test_lang_leaves_the_language_in_force_alone():
    loss, model, _with_inf = roles_and_titles()
    with language("ja"):
        english = viz.draw_dot(loss, lang="en").source
        assert "矢印" in viz.draw_dot(loss).source  # None: the language in force
        net_en = viz.draw_network(model, lang="en").source
    assert not viz._CJK.search(english + net_en)
    assert viz.draw_dot(loss).source == english  # (the language in force here: English)


@pytest.mark.parametrize("bad", ["xx", "fr_FR", ""])
def test_a_language_without_a_translation_is_a_value_error(bad):
    loss, model, _with_inf = roles_and_titles()
    with pytest.raises(ValueError, match="the languages are en, ja"):
        viz.draw_dot(loss, lang=bad)
    with pytest.raises(ValueError, match="the languages are en, ja"):
        viz.draw_network(model, lang=bad)


def test_render_dot_is_drawn_in_the_language_given(tmp_path):
    loss, _model, _with_inf = roles_and_titles()
    with language("en"), warnings.catch_warnings():
        warnings.simplefilter("ignore", viz.MissingFontWarning)
        viz.render(loss, tmp_path / "ja.dot", lang="ja")
        viz.render(loss, tmp_path / "en.dot")
    japanese = (tmp_path / "ja.dot").read_text(encoding="utf-8")
    assert "矢印の色と太さ" in japanese and "層 0・ニューロン 0" in japanese
    assert english_in(words_drawn(japanese)) == []
    english = (tmp_path / "en.dot").read_text(encoding="utf-8")
    assert "edge colour and width" in english and not viz._CJK.search(english)


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's `dot` is not installed; CI installs it")
def test_render_svg_is_drawn_in_the_language_given(tmp_path):
    loss, _model, _with_inf = roles_and_titles()
    with language("en"), warnings.catch_warnings():
        warnings.simplefilter("ignore", viz.MissingFontWarning)
        path = viz.render(loss, tmp_path / "g.svg", lang="ja")
    svg = Path(path).read_text(encoding="utf-8")
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "矢印の色と太さ" in texts and "層 0・ニューロン 0" in texts and "分子" in texts
    assert english_in(texts) == []
    assert "矢印の色と太さ" in (tmp_path / "g.dot").read_text(encoding="utf-8")


def test_render_cannot_tell_the_format_in_either_language(tmp_path):
    loss, _model, _with_inf = roles_and_titles()
    english = (
        "cannot tell the format from 'g.txt': the file name must end in one of "
        ".svg, .png, .pdf, .dot, .html"
    )
    with language("en"), pytest.raises(ValueError) as info:
        viz.render(loss, "g.txt")
    assert str(info.value) == english
    with pytest.raises(ValueError) as info:
        viz.render(loss, "g.txt", lang="ja")
    assert str(info.value) == (
        "'g.txt' からは形式を判断できません: ファイル名の末尾を .svg, .png, .pdf, .dot, .html "
        "のどれかにしてください"
    )
    with language("ja"), pytest.raises(ValueError, match="からは形式を判断できません"):
        viz.render(loss, tmp_path)  # a folder: no extension
    with language("ja"), pytest.raises(TypeError, match="timeout は秒数か None"):
        viz.render(loss, tmp_path / "g.svg", timeout="5")
    assert list(tmp_path.iterdir()) == []


def test_draw_networks_errors_follow_the_language():
    with language("ja"), pytest.raises(TypeError) as info:
        viz.draw_network(Value(1.0))
    assert str(info.value).startswith("draw_network に渡せるのは tinygrad_edu.nn の MLP")
    assert "draw_dot(value) で描いてください" in str(info.value)
    with pytest.raises(TypeError, match="draw_network takes an MLP, a Layer or a Neuron"):
        viz.draw_network(Value(1.0), lang="en")


# matplotlib in Japanese: japanese_plots() gives it a font with the glyphs, or says what
# to install.  Each test leaves matplotlib's settings as they were (rc_context).

JAPANESE_TITLE = "エポックごとの誤差 (出力層)"


def _draw_japanese(plt):
    """Draw a figure with Japanese text; the glyphs matplotlib says it lacks."""
    fig, ax = plt.subplots()
    ax.set_title(JAPANESE_TITLE)
    ax.plot([0, 1], [1, 0], label="学習係数 k = 0.3")
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib", reason="plots need the demos extra")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context():
        yield plt


def test_without_japanese_plots_matplotlib_lacks_the_glyphs(pyplot):
    # (why japanese_plots exists: matplotlib's default font has no Japanese)
    pyplot.rcParams["font.family"] = "sans-serif"
    pyplot.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    assert _draw_japanese(pyplot)


@needs_font
def test_japanese_plots_draws_japanese(pyplot):
    name = viz.japanese_plots()
    assert name and pyplot.rcParams["font.sans-serif"][0] == name
    assert pyplot.rcParams["font.family"] == ["sans-serif"]
    assert _draw_japanese(pyplot) == []
    assert viz.japanese_plots() == name  # a second call changes nothing
    assert pyplot.rcParams["font.sans-serif"].count(name) == 1


@needs_font
def test_a_font_only_fontconfig_knows_is_given_to_matplotlib(pyplot, monkeypatch):
    from matplotlib import font_manager

    known = font_manager.fontManager.ttflist
    without = [f for f in known if not viz._CJK.search(f.name) and "CJK" not in f.name]
    without = [f for f in without if f.name not in viz._JAPANESE_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", without)
    name = viz.japanese_plots()
    assert name == FONT  # the one diagrams use, read from its file
    assert any(f.name == name for f in font_manager.fontManager.ttflist)
    assert _draw_japanese(pyplot) == []


def test_japanese_plots_without_a_font_warns_and_says_what_to_install(pyplot, monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(viz, "_JAPANESE_FONTS", ())  # matplotlib knows none of them
    monkeypatch.setattr(viz, "japanese_font", lambda: None)  # nor does fontconfig
    before = list(pyplot.rcParams["font.sans-serif"])
    count = len(font_manager.fontManager.ttflist)
    with pytest.warns(viz.MissingFontWarning, match="fonts-noto-cjk"):
        assert viz.japanese_plots() is None
    assert pyplot.rcParams["font.sans-serif"] == before
    assert len(font_manager.fontManager.ttflist) == count


def test_japanese_plots_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(ImportError, match=r"tinygrad-edu\[demos\]"):
        viz.japanese_plots()


# What `fc-list --format "%{family}\t%{style}\t%{file}\n" :lang=ja` prints: the Bold file of
# the chosen font listed before its Regular one.
FONTCONFIG_LINES = [
    "IPAGothic\tRegular\t/fonts/ipag.ttf",
    "Noto Sans CJK JP,Noto Sans CJK JP Bold\tBold,太字\t/fonts/NotoSansCJK-Bold.ttc",
    "Noto Sans CJK JP\tRegular\t/fonts/NotoSansCJK-Regular.ttc",
]


def test_fontconfig_gives_each_fonts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", fake_fc_list(tmp_path, FONTCONFIG_LINES))
    assert viz._fontconfig_japanese() == (
        (("IPAGothic",), "Regular", "/fonts/ipag.ttf"),
        (("Noto Sans CJK JP", "Noto Sans CJK JP Bold"), "Bold", "/fonts/NotoSansCJK-Bold.ttc"),
        (("Noto Sans CJK JP",), "Regular", "/fonts/NotoSansCJK-Regular.ttc"),
    )


def test_the_regular_file_of_the_chosen_font_is_given_to_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", fake_fc_list(tmp_path, FONTCONFIG_LINES))
    monkeypatch.setattr(viz, "japanese_font", lambda: "Noto Sans CJK JP")
    added = []

    class FontManager:
        def addfont(self, path):
            added.append(path)

    class FontProperties:
        def __init__(self, fname):
            self.fname = fname

        def get_name(self):
            return "read from " + self.fname

    fake = type(
        "font_manager", (), {"fontManager": FontManager(), "FontProperties": FontProperties}
    )
    assert viz._add_japanese_font(fake) == "read from /fonts/NotoSansCJK-Regular.ttc"
    assert added == ["/fonts/NotoSansCJK-Regular.ttc"]


def test_the_steps_drawn_on_the_ops_are_in_the_diagrams_language():
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh()
    english = viz.draw_dot(y, show_order=True).source
    with language("ja"), warnings.catch_warnings():
        warnings.simplefilter("ignore", viz.MissingFontWarning)
        japanese = viz.draw_dot(y, show_order=True).source
    assert "\\nstep 1" in english and "\\nstep 2" in english
    assert "\\nステップ 1" in japanese and "\\nステップ 2" in japanese
    assert not re.search(r"\bstep\b", japanese)  # the legend's "ステップ k" too
