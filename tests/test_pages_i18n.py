"""The page and the lab in every language, without a browser: the words the page carries
for each language (the same numbers in each), the language a page opens in, and the lab's
session answering in the language its page tells it.

The browser side (the language menu, the browser's language at the start) is in
tests/test_page_browser.py and tests/test_lab_browser.py.
"""

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from tinygrad_edu import Value, i18n, viz
from tinygrad_edu.explain import explain
from tinygrad_edu.lab import LabError, LabSession
from tinygrad_edu.nn import MLP
from tinygrad_edu.page import page_steps, page_texts

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's `dot` is not installed"
)

#: A number as the narration writes it: 0.5, -3.0, 1.2e-05, 4 (a node's name such as n12
#: or w.0 is not one: the digits of a name follow a letter or a dot).
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?")


def seed_000_loss():
    """Seed 000's 2-3-1 network, sigmoid throughout, and its squared error."""
    net = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    y = net([1.0, 0.0])[0]
    loss = 0.5 * (y - 1.0) ** 2
    loss.label = "E"
    return loss


def product():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    return c


def embedded(html_text, element_id):
    m = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html_text, re.S
    )
    assert m, f"no #{element_id} in the page"
    return json.loads(m.group(1))


# -- the words of the page, in every language ---------------------------------------


def test_the_page_carries_every_language_with_the_same_numbers():
    root = seed_000_loss()
    texts = page_texts(root)
    assert list(texts) == list(i18n.LANGUAGES) == ["en", "ja"]
    en, ja = texts["en"], texts["ja"]
    steps = page_steps(root, lang="en")["steps"]
    assert len(en["steps"]) == len(ja["steps"]) == len(steps)
    assert en["steps"] == [s["text"] for s in steps]
    for english, japanese in zip(en["steps"], ja["steps"]):
        assert NUMBER.findall(english) == NUMBER.findall(japanese), (english, japanese)
        assert english.count("\n") == japanese.count("\n")
    # the words are the language's own
    assert en["steps"][0].startswith("the inputs") and ja["steps"][0].startswith("入力")
    assert any(t.startswith("forward: ") for t in en["steps"])
    assert any(t.startswith("順伝播: ") for t in ja["steps"])
    joined = "\n".join(ja["steps"])
    assert "ステップ 1: " in joined and "出力層" in joined and "中間層" in joined
    assert "step 1: " not in joined and "forward:" not in joined
    assert en["title"] == "backward pass of E" and ja["title"] == "E の逆伝播"
    # every node of the network described in each language, the numbers alike
    assert en["nodes"].keys() == ja["nodes"].keys() and len(en["nodes"]) > 0
    for vid in en["nodes"]:
        for field in ("network", "seed_name"):
            english, japanese = en["nodes"][vid][field], ja["nodes"][vid][field]
            assert NUMBER.findall(english) == NUMBER.findall(japanese), (english, japanese)
    deltas = [n["seed_name"] for n in ja["nodes"].values() if "∂E/∂u" in n["seed_name"]]
    assert len(deltas) == 4 and all("デルタ" in d for d in deltas)  # a pre-activation per neuron


def test_page_steps_in_japanese_are_explains_lines():
    root = seed_000_loss()
    data = page_steps(root, lang="ja")
    text = explain(root, lang="ja", max_steps=None)
    blocks = [s["text"] for s in data["steps"] if s["kind"] == "backward"]
    assert blocks and all(block in text for block in blocks)
    assert data["steps"][-1]["text"].startswith(f"ステップ {len(blocks)}: ")


def test_the_language_in_force_is_left_alone():
    before = i18n.current_language()
    page_texts(product())
    page_steps(product(), lang="ja")
    assert i18n.current_language() == before


@pytest.mark.parametrize("bad", ["xx", "fr_FR", ""])
def test_page_steps_refuses_a_language_without_a_translation(bad):
    with pytest.raises(ValueError, match="the languages are en, ja"):
        page_steps(product(), lang=bad)


# -- the page file: the language it opens in ----------------------------------------------


@needs_dot
def test_a_page_opens_in_the_language_it_is_given():
    root = seed_000_loss()
    p = viz.page(root, lang="ja")
    catalogs = embedded(p.html, "i18n-data")
    assert catalogs["preferred"] == "ja"
    assert catalogs["languages"] == [["en", "English"], ["ja", "日本語"]]
    assert catalogs["catalogs"]["ja"]["Next step"] == "次のステップ"
    assert p.lang == "ja" and p.title == "E の逆伝播"
    assert p.data["steps"][0]["text"].startswith("入力")  # .data in the page's language
    texts = embedded(p.html, "graph-texts")
    pictures = {code: words.pop("pictures") for code, words in texts.items()}
    assert texts == page_texts(root)
    assert list(pictures) == ["en", "ja"]  # and the pictures' words (below)
    assert embedded(p.html, "graph-data") == p.data == page_steps(root, lang="ja")
    assert '<select id="language">' in p.html
    # the preferred language is given as any of its spellings
    assert embedded(viz.page(product(), lang="ja_JP.UTF-8").html, "i18n-data")["preferred"] == "ja"


#: English words a diagram of seed 000's network draws (titles, roles, legends).
ENGLISH_WORDS = re.compile(
    r"\b(layer|neuron|input layer|hidden layer|output layer|left|right|numerator|"
    r"denominator|base|exponent|edge colour|arrows|gradient|weight)\b"
)


@needs_dot
def test_the_pictures_words_and_legends_are_carried_in_every_language():
    """The words drawn in the pictures (the boxes' titles, the operands' roles) are
    tagged in the SVG and carried in each language, as are the legends, which are text
    under the pictures (not drawn in them): the page's menu rewrites them all."""
    root = seed_000_loss()
    p = viz.page(root, lang="ja")
    pictures = {code: words["pictures"] for code, words in embedded(p.html, "graph-texts").items()}
    en, ja = pictures["en"], pictures["ja"]
    assert len(en["words"]) == len(ja["words"]) > 0
    assert {"input layer", "layer 0, neuron 2", "layer 1", "neuron 0", "left", "right"} <= set(
        en["words"]
    )
    assert {"入力層", "層 0・ニューロン 2", "層 1", "ニューロン 0", "左", "右"} <= set(ja["words"])
    assert not [w for w in ja["words"] if ENGLISH_WORDS.search(w)]
    assert en["legend"][0].startswith("edge colour and width")
    assert ja["legend"][0].startswith("矢印の色と太さ")
    assert en["network_legend"][0].startswith("arrows: one per weight")
    assert ja["network_legend"][0].startswith("矢印: 重み")
    # the same numbers, in other words ('one per weight' is 重み 1 つに 1 本: whole numbers aside)
    assert NUMBER.findall(en["legend"][0]) == NUMBER.findall(ja["legend"][0])
    decimals = re.compile(r"-?\d+\.\d+")
    assert decimals.findall(en["network_legend"][0]) == decimals.findall(ja["network_legend"][0])
    # The pictures show the page's language; each word drawn is tagged with its index.
    drawn = re.findall(r'<text [^>]*data-word="(\d+)"[^>]*>([^<]*)</text>', p.svg + p.network)
    # ... and so is each arrow's tooltip (the gradient flowing back along it)
    tips = re.findall(r'<a [^>]*xlink:title="([^"]*)"[^>]*data-tip="(\d+)"', p.svg + p.network)
    assert tips and len(drawn) + len(tips) == len(ja["words"])
    assert all(ja["words"][int(i)] == text for i, text in drawn)
    assert all(ja["words"][int(i)] == html.unescape(text) for text, i in tips)
    assert all(
        en["words"][int(i)].startswith(("gradient flowing back", "no gradient")) for _t, i in tips
    )
    # The legends are text under the pictures, not drawn in them.
    for svg in (p.svg, p.network):
        assert "矢印" not in svg and "arrows" not in svg and "edge colour" not in svg
    assert '<p id="graph-legend" class="legend">矢印の色と太さ' in p.html
    assert '<p id="network-legend" class="legend">矢印: 重み' in p.html
    assert p.legend == ja["legend"] and p.network_legend == ja["network_legend"]
    # Jupyter's static picture (where scripts do not run) keeps its legend beside it.
    assert "矢印の色と太さ" in p._repr_mimebundle_()["text/html"].split("<template>")[0]


@needs_dot
def test_a_page_made_in_english_carries_the_japanese_pictures_words_too():
    with i18n.language("en"):
        p = viz.page(seed_000_loss())
    pictures = embedded(p.html, "graph-texts")["ja"]["pictures"]
    assert "層 0・ニューロン 0" in pictures["words"] and pictures["legend"]
    assert "layer 0, neuron 0" in p.svg and "層" not in p.svg
    assert '<p id="graph-legend" class="legend">edge colour and width' in p.html


@needs_dot
def test_without_a_language_the_page_opens_in_the_browsers():
    p = viz.page(product())
    assert p.lang is None
    assert embedded(p.html, "i18n-data")["preferred"] is None
    # every word the page's script and HTML ask for has its translation in the page
    from tinygrad_edu.page import _page_messages

    ja = embedded(p.html, "i18n-data")["catalogs"]["ja"]
    assert sorted(ja) == sorted(_page_messages())
    assert ja["computation graph"] == "計算グラフ"


@needs_dot
@pytest.mark.parametrize("bad", ["xx", "fr", "de_DE.UTF-8"])
def test_an_unknown_language_is_a_value_error_naming_the_languages(bad, tmp_path):
    with pytest.raises(ValueError, match=r"no translation for .*the languages are en, ja"):
        viz.page(product(), lang=bad)
    for name in ("g.html", "g.svg"):
        with pytest.raises(ValueError, match="the languages are en, ja"):
            viz.render(product(), tmp_path / name, lang=bad)
    assert list(tmp_path.iterdir()) == []  # nothing written


@needs_dot
def test_render_html_opens_in_the_language_given(tmp_path):
    path = viz.render(seed_000_loss(), tmp_path / "g.html", lang="ja")
    text = Path(path).read_text(encoding="utf-8")
    assert embedded(text, "i18n-data")["preferred"] == "ja"
    assert "<title>E の逆伝播</title>" in text


# -- the lab's session: the learner's language ---------------------------------------------


@pytest.fixture
def session():
    s = LabSession(seed=1, lang="en")
    s.handle({"type": "settings", "hidden": [4]})
    return s


def test_the_session_answers_in_the_language_the_page_names(session):
    with pytest.raises(LabError, match="the learning rate must be a number above 0"):
        session.handle({"type": "settings", "learning_rate": 100})
    answer = session.handle({"type": "language", "lang": "ja"})
    assert [m["type"] for m in answer] == ["state", "frame"]  # the network's picture, again
    assert session.lang == "ja"
    assert session.handle({"type": "language", "lang": "ja"}) == []  # the same: no answer
    with pytest.raises(LabError, match=r"学習率は 0 より大きく 10 以下の数でなければなりません"):
        session.handle({"type": "settings", "learning_rate": 100})
    with pytest.raises(LabError, match="不明なデータセット 'mnist'"):
        session.handle({"type": "dataset", "name": "mnist"})
    with pytest.raises(LabError, match="中間層のサイズは 1 から 32 までの整数でなければなりません"):
        session.handle({"type": "settings", "hidden": [99]})
    with pytest.raises(LabError, match="メッセージは"):
        session.handle(["not", "an", "object"])
    session.handle({"type": "language", "lang": "en"})
    with pytest.raises(LabError, match="unknown data set 'mnist'"):
        session.handle({"type": "dataset", "name": "mnist"})


def test_the_language_of_the_session_leaves_the_process_alone(session):
    before = i18n.current_language()
    session.handle({"type": "language", "lang": "ja"})
    with pytest.raises(LabError):
        session.handle({"type": "settings", "learning_rate": -1})
    assert i18n.current_language() == before


@pytest.mark.parametrize("bad", ["fr", "ja-JP", "", None, 3, ["ja"], {"ja": 1}])
def test_a_bad_language_is_refused_and_changes_nothing(session, bad):
    before = (dict(session.settings), list(session.points), [p.data for p in session.parameters])
    with pytest.raises(LabError, match="unknown language .*; the languages are en, ja"):
        session.handle({"type": "language", "lang": bad})
    assert session.lang == "en"
    assert before == (
        dict(session.settings),
        list(session.points),
        [p.data for p in session.parameters],
    )
    with pytest.raises(LabError, match="unknown language"):
        session.handle({"type": "language"})


def test_a_point_s_page_opens_in_the_sessions_language(session):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` is not installed")
    session.handle({"type": "language", "lang": "ja"})
    selection = session.handle({"type": "select", "index": 0})[-1]
    html = selection["page_html"]
    assert embedded(html, "i18n-data")["preferred"] == "ja"
    assert "<title>E の逆伝播</title>" in html
    assert embedded(html, "graph-texts").keys() == {"en", "ja"}


def test_a_training_error_comes_in_the_sessions_language(session):
    session.handle({"type": "language", "lang": "ja"})
    session.points = []
    with pytest.raises(LabError, match="学習に使うデータの点がありません"):
        session.train_step()
    session.playing = True
    with pytest.raises(LabError, match="学習に使うデータの点がありません"):
        session.play_frame()


def test_a_session_starts_in_the_language_given_or_in_force():
    with pytest.raises(LabError, match="学習率"):
        LabSession(seed=0, lang="ja").handle({"type": "settings", "learning_rate": 0})
    with i18n.language("ja"):
        assert LabSession(seed=0).lang == "ja"
    with pytest.raises(ValueError, match="the languages are en, ja"):
        LabSession(seed=0, lang="xx")


# -- the lab's page and server ---------------------------------------------------------


def test_the_labs_page_carries_its_words_in_every_language():
    pytest.importorskip("starlette", reason="the lab's server needs the lab extra")
    from tinygrad_edu.labserver import lab_html

    html = lab_html()
    catalogs = embedded(html, "i18n-data")
    assert catalogs["preferred"] is None
    ja = catalogs["catalogs"]["ja"]
    for english, japanese in [
        ("Data set", "データセット"),
        ("Optimizer", "オプティマイザー"),
        ("Learning rate", "学習率"),
        ("Hidden layers", "中間層"),
        ("Batch size", "バッチサイズ"),
        ("Play", "再生"),
        ("Pause", "一時停止"),
        (
            "They agree: the largest difference is {difference}.",
            "一致しています: 差の最大値は {difference} です。",
        ),
    ]:
        assert ja[english] == japanese
    assert html.index('id="i18n-data"') < html.index("var I18N") < html.index("I18N.onChange")
    assert '<select id="language">' in html
    assert embedded(lab_html("ja"), "i18n-data")["preferred"] == "ja"
    with pytest.raises(ValueError, match="the languages are en, ja"):
        lab_html("xx")


def test_the_live_channel_answers_in_the_language_the_page_names():
    pytest.importorskip("starlette", reason="the lab's server needs the lab extra")
    pytest.importorskip("httpx", reason="Starlette's test client needs httpx")
    from starlette.testclient import TestClient

    from tinygrad_edu.labserver import create_app

    client = TestClient(create_app("t0ken", allowed_hosts={"testserver"}))
    with client.websocket_connect("/ws?token=t0ken", headers={"origin": "http://testserver"}) as ws:
        for _ in range(3):  # hello, state, frame
            ws.receive_text()
        ws.send_text(json.dumps({"type": "language", "lang": "ja"}))
        assert [json.loads(ws.receive_text())["type"] for _ in range(2)] == ["state", "frame"]
        ws.send_text("not json")
        assert json.loads(ws.receive_text()) == {
            "type": "error",
            "message": "メッセージが正しい JSON ではありませんでした",
        }
        ws.send_bytes(b"\x00")
        assert "バイナリ" in json.loads(ws.receive_text())["message"]
        ws.send_text(json.dumps({"type": "settings", "learning_rate": 1e308}))
        assert json.loads(ws.receive_text())["message"].startswith("学習率は")
        ws.send_text(json.dumps({"type": "language", "lang": "klingon"}))
        answer = json.loads(ws.receive_text())
        assert answer["type"] == "error" and "不明な言語 'klingon'" in answer["message"]
        ws.send_text(json.dumps({"type": "language", "lang": "en"}))
        assert [json.loads(ws.receive_text())["type"] for _ in range(2)] == ["state", "frame"]
        ws.send_text("not json")
        assert json.loads(ws.receive_text())["message"] == "a message was not valid JSON"


def test_the_generated_codes_comments_are_in_the_language_in_force():
    from tinygrad_edu import jit

    def neuron(w, x, b):
        return (w * x + b).tanh()

    english = jit(neuron, 0.5, 2.0, 0.1)
    with i18n.language("ja"):
        japanese = jit(neuron, 0.5, 2.0, 0.1)
    assert "# forward" in english.source and "# 順伝播" in japanese.source
    assert "# 逆伝播: g_v は d(結果)/dv" in japanese.source
    assert "Generated by" not in japanese.source
    # the same code: only the comments differ, and it computes the same numbers
    code = [line for line in english.source.splitlines() if not line.lstrip().startswith("#")]
    assert code == [l for l in japanese.source.splitlines() if not l.lstrip().startswith("#")]
    assert japanese(1.0, 3.0, -3.0) == english(1.0, 3.0, -3.0)
    # the Japanese page shows them
    x = Value(2.0, label="x")
    assert "# 順伝播" in viz.page((x * 3.0).tanh(), lang="ja").html
