"""Diagrams in Japanese: the words come from the catalog, and Japanese text is drawn
with a font that has its glyphs -- or a warning says which package installs one."""

import os
import shutil
import stat
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
    with language("ja"), pytest.raises(ValueError, match="max_nodes=2 を超えている"):
        viz.draw_dot(root, max_nodes=2)
    with pytest.raises(ValueError, match="more than max_nodes=2"):
        viz.draw_dot(root, max_nodes=2)
