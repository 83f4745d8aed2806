"""The interactive page in a real browser: Playwright for Python driving Debian's Chromium.

Step through a saved page and compare every number shown with the engine's; the step
controls (buttons, arrow keys, Play/Pause, the slider), the highlighted code line, the
details of a clicked node, the keyboard alone, and the Jupyter wrapper with and without
JavaScript.  Every test checks that no request leaves the page (only the file itself is
loaded) and that the console shows no error.

Playwright never downloads a browser here: it runs /usr/bin/chromium (``.ci/run``
installs Debian's package when missing).  Without Playwright, Chromium or Graphviz's
dot, the module skips and says which is missing.
"""

import os
import re

import pytest

from _browser import launched, require

CHROMIUM = require("no page to open")

from tinygrad_edu import Value, viz  # noqa: E402
from tinygrad_edu.engine import topological_order  # noqa: E402
from tinygrad_edu.formula import diagram_number  # noqa: E402
from tinygrad_edu.nn import MLP  # noqa: E402
from tinygrad_edu.page import page_steps  # noqa: E402

HOSTILE = "</script><script>alert(1)</script>"


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    o = (x * w + b).tanh() * 2.0 + x.exp()
    o.label = "o"
    return o


def mlp_loss():
    net = MLP(2, [3, 1], seed=0)
    y = net([1.0, 0.0])[0]
    return (y - 1.0) ** 2


def hostile():
    x, w = Value(2.0, label=HOSTILE), Value(-3.0, label="w")
    y = x * w
    y.label = "<!--"
    return y


GRAPHS = {"neuron": neuron, "mlp": mlp_loss, "hostile": hostile}


@pytest.fixture(scope="module")
def browser():
    yield from launched(CHROMIUM)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{name: the path of its saved page}."""
    folder = tmp_path_factory.mktemp("pages")
    return {name: viz.page(make()).save(folder / f"{name}.html") for name, make in GRAPHS.items()}


class Log:
    """What a page did: every request, console message, uncaught error and dialog."""

    def __init__(self, page):
        self.requests, self.console, self.errors, self.dialogs = [], [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def assert_clean(self, url):
        assert self.errors == [], f"uncaught errors: {self.errors}"
        assert [m for m in self.console if m[0] in ("error", "assert")] == [], self.console
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert set(self.requests) == {url}, f"requests besides {url}: {self.requests}"


@pytest.fixture
def open_page(browser):
    """open_page(path, clock=False, **context options) -> (page, log, url).  The browser
    speaks English unless ``locale=`` says otherwise (the page starts in its language)."""
    contexts = []

    def open_(path, clock=False, **options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        log = Log(page)
        if clock:
            page.clock.install()
        url = "file://" + os.path.abspath(path)
        page.goto(url)
        return page, log, url

    yield open_
    for context in contexts:
        context.close()


_SNAPSHOT = """() => {
  const fields = {};
  document.querySelectorAll('#graph svg text[data-v]').forEach(t => {
    fields[t.getAttribute('data-v') + ':' + t.getAttribute('data-field')] = t.textContent;
  });
  const current = [...document.querySelectorAll('#graph svg .current')].map(g =>
    g.getAttribute('data-node') || (g.getAttribute('data-from') + '->' + g.getAttribute('data-to')));
  return {counter: document.getElementById('counter').textContent,
          narration: document.getElementById('narration').textContent,
          slider: document.getElementById('slider').value,
          fields: fields, current: current,
          code: [...document.querySelectorAll('#code .line.current')].map(l =>
                 [Number(l.getAttribute('data-line')), l.textContent])};
}"""

_DETAILS = """() => {
  const out = {};
  const items = [...document.querySelectorAll('#details > *')];
  for (let i = 0; i + 1 < items.length; i += 2) out[items[i].textContent] = items[i + 1].textContent;
  return out;
}"""


def counter_step(page):
    return int(re.match(r"step (\d+) of", page.locator("#counter").text_content()).group(1))


def code_variables(data):
    """{node id: its variable in the code}, from the line of its forward step."""
    lines = data["code"].splitlines()
    return {
        s["node"]: re.match(r"\s+(\w+) = ", lines[s["code"][0] - 1]).group(1)
        for s in data["steps"]
        if s["kind"] == "forward"
    }


@pytest.mark.parametrize("name", ["neuron", "mlp"])
def test_stepping_through_shows_the_engines_numbers(name, saved, open_page):
    root = GRAPHS[name]()
    data = page_steps(root)
    forward = topological_order(root)[::-1]
    node_of = {f"v{i}": node for i, node in enumerate(forward)}
    variables = code_variables(data)
    steps, last = data["steps"], len(data["steps"]) - 1
    page, log, url = open_page(saved[name])
    nxt = page.get_by_role("button", name="Next step")

    state = page.evaluate(_SNAPSHOT)
    assert state["counter"].startswith(f"step 0 of {last}")
    pending = {s["node"] for s in steps if s["kind"] == "forward"}
    for vid in pending:  # nothing computed yet
        if f"{vid}:data" in state["fields"]:
            assert state["fields"][f"{vid}:data"] == "data ?"
    for k in range(1, last + 1):
        nxt.click()
        s, state = steps[k], page.evaluate(_SNAPSHOT)
        assert state["counter"].startswith(f"step {k} of {last}"), state["counter"]
        assert state["slider"] == str(k)
        assert state["narration"].startswith(s["text"])
        if s["kind"] == "forward":  # the node just computed shows its value
            assert (
                state["fields"][f"{s['node']}:data"]
                == f"data {diagram_number(node_of[s['node']].data)}"
            )
            later = [t["node"] for t in steps[k + 1 :] if t["kind"] == "forward"]
            assert all(state["fields"][f"{v}:data"] == "data ?" for v in later)
        if s["op"]:  # the op and the arrows into it are highlighted
            assert s["node"] in state["current"] and s["node"] + "_op" in state["current"]
            arrows = page.locator(f'#graph g.edge.current[data-to="{s["node"]}_op"]').count()
            assert arrows == len(s["parents"]), (k, state["current"])
        for vid, grad in s["grads"].items():  # the grads this step changed
            if f"{vid}:grad" in state["fields"]:
                assert state["fields"][f"{vid}:grad"] == f"grad {grad}"
        # the code line(s) of the step, and only those, highlighted
        assert sorted(n for n, _ in state["code"]) == sorted(s["code"])
        for _, text in state["code"]:
            assert re.search(rf"\b{re.escape(variables[s['node']])}\b", text), (k, text)

    assert nxt.get_attribute("aria-disabled") == "true"
    nxt.click(force=True)  # past the end: stays at the last step
    page.keyboard.press("ArrowRight")
    assert counter_step(page) == last

    fresh = GRAPHS[name]()
    fresh.backward()
    engine = {f"v{i}": node.grad for i, node in enumerate(topological_order(fresh)[::-1])}
    grads = {key[:-5]: text for key, text in state["fields"].items() if key.endswith(":grad")}
    assert len(grads) == len(engine), "every node writes its grad"
    assert grads == {vid: f"grad {diagram_number(g)}" for vid, g in engine.items()}
    log.assert_clean(url)


def test_previous_step_and_arrow_keys_move_the_counter(saved, open_page):
    page, log, url = open_page(saved["neuron"])
    prev = page.get_by_role("button", name="Previous step")
    assert prev.get_attribute("aria-disabled") == "true"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert counter_step(page) == 2
    page.keyboard.press("ArrowLeft")
    assert counter_step(page) == 1
    prev.click()
    assert counter_step(page) == 0
    page.keyboard.press("ArrowLeft")  # not below the first step
    assert counter_step(page) == 0
    log.assert_clean(url)


def test_play_advances_and_pause_stops(saved, open_page):
    page, log, url = open_page(saved["neuron"], clock=True)
    last = len(page_steps(neuron())["steps"]) - 1
    page.get_by_role("button", name="Play").click()
    pause = page.get_by_role("button", name="Pause")
    assert pause.count() == 1 and pause.get_attribute("aria-pressed") == "true"
    page.clock.run_for(2000)
    reached = counter_step(page)
    assert reached >= 1
    pause.click()
    assert page.get_by_role("button", name="Play").count() == 1
    page.clock.run_for(10_000)
    assert counter_step(page) == reached  # paused: no more steps
    page.get_by_role("button", name="Play").click()
    page.clock.run_for(1000 * (last + 2))
    assert counter_step(page) == last  # plays to the end, then stops
    assert page.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    log.assert_clean(url)


def test_the_slider_moves_to_a_step(saved, open_page):
    page, log, url = open_page(saved["mlp"])
    last = len(page_steps(mlp_loss())["steps"]) - 1
    slider = page.get_by_role("slider", name="step")
    assert slider.get_attribute("max") == str(last)
    slider.fill("7")
    assert counter_step(page) == 7
    slider.focus()
    page.keyboard.press("End")
    assert counter_step(page) == last
    page.keyboard.press("ArrowLeft")
    assert counter_step(page) == last - 1
    page.keyboard.press("Home")
    assert counter_step(page) == 0
    assert "step 0 of" in slider.get_attribute("aria-valuetext")
    log.assert_clean(url)


def click_inside(page, vid):
    """Click inside the box of node ``vid``, where a learner would: a little below its
    top edge, half way across (not on its text, not on an arrow)."""
    box = page.locator(f'#graph g.node[data-node="{vid}"] > polygon').first
    box.scroll_into_view_if_needed()
    b = box.bounding_box()
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] * 0.2)


def test_clicking_an_input_shows_its_details(saved, open_page):
    data = page_steps(neuron())
    page, log, url = open_page(saved["neuron"])
    x = next(vid for vid, n in data["nodes"].items() if n["name"] == "x")
    click_inside(page, x)
    shown = page.evaluate(_DETAILS)
    assert shown["label"] == "x" and shown["data"] == "2" and shown["formula"] == "x"
    assert shown["grad at the end"] == data["nodes"][x]["grad"]
    assert "leaf" in shown["op"]
    log.assert_clean(url)


def test_clicking_an_op_shows_its_details(saved, open_page):
    data = page_steps(neuron())
    page, log, url = open_page(saved["neuron"])
    tanh = next(vid for vid, n in data["nodes"].items() if n["op"] == "tanh")
    page.locator(f'#graph g.node[data-node="{tanh}_op"] text').click()  # the op's oval: its node
    shown = page.evaluate(_DETAILS)
    assert shown["op"] == "tanh" and shown["formula"].startswith("tanh(")
    assert shown["data"] == data["nodes"][tanh]["data"]
    assert shown["grad at the end"] == data["nodes"][tanh]["grad"]
    log.assert_clean(url)


@pytest.mark.parametrize("name", ["neuron", "mlp"])
def test_clicking_inside_a_computed_nodes_box_shows_its_details(name, saved, open_page):
    """Every box answers a click anywhere inside it, not only on its letters: the boxes
    of computed nodes (drawn without a fill) as well as the inputs' (filled)."""
    data = page_steps(GRAPHS[name]())
    page, log, url = open_page(saved[name])
    computed = [vid for vid, n in data["nodes"].items() if n["op"] is not None]
    missed = []
    for vid in computed:
        click_inside(page, vid)
        if page.evaluate(_DETAILS).get("name") != data["nodes"][vid]["name"]:
            missed.append(data["nodes"][vid]["name"])
    assert missed == [], f"a click inside these boxes selected nothing: {missed}"
    log.assert_clean(url)


def test_a_networks_node_says_its_layer_neuron_and_seed_names(saved, open_page):
    data = page_steps(mlp_loss())
    page, log, url = open_page(saved["mlp"])

    def click_name(vid):  # the node's name, in its box or its table row
        page.locator(f'#graph text[data-v="{vid}"][data-field="name"]').click()

    u = next(
        vid
        for vid, n in data["nodes"].items()
        if "S_preA" in n.get("seed_name", "") and "output layer" in n["network"]
    )
    click_name(u)
    text = page.locator("#details").text_content()
    for word in ("layer", "neuron", "δ", "S_preA"):
        assert word in text, word
    shown = page.evaluate(_DETAILS)
    assert shown["in the network"] == "layer 1 (output layer), neuron 0"
    post = next(vid for vid, n in data["nodes"].items() if "S_postA" in n.get("seed_name", ""))
    click_name(post)
    assert "S_postA" in page.locator("#details").text_content()
    w = next(vid for vid, n in data["nodes"].items() if n["label"] == "layers.0.neurons.1.w.0")
    click_name(w)  # a parameter: a row of its layer's table
    shown = page.evaluate(_DETAILS)
    assert shown["label"] == "layers.0.neurons.1.w.0"
    assert shown["in the network"] == "layer 0 (hidden layer), neuron 1"
    log.assert_clean(url)


def test_the_keyboard_alone_reaches_the_controls_and_the_nodes(saved, open_page):
    data = page_steps(neuron())
    page, log, url = open_page(saved["neuron"])
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.getAttribute('data-node') || e.id || e.tagName; }"
        )
        reached.append(focused)
        if focused in data["nodes"]:
            break
    assert reached[:4] == ["prev", "play", "next", "slider"], reached
    node = reached[-1]
    assert node in data["nodes"], f"Tab never reached a node: {reached}"
    page.keyboard.press("Enter")
    assert page.evaluate(_DETAILS)["name"] == data["nodes"][node]["name"]
    # the buttons work from the keyboard too
    page.get_by_role("button", name="Next step").focus()
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    assert counter_step(page) == 2
    log.assert_clean(url)


def test_a_hostile_label_stays_text(saved, open_page):
    page, log, url = open_page(saved["hostile"])
    assert page.title() == "backward pass of <!--"
    data = page_steps(hostile())
    x = next(vid for vid, n in data["nodes"].items() if n["label"] == HOSTILE)
    page.locator(f'#graph g.node[data-node="{x}"]').click()
    assert page.evaluate(_DETAILS)["label"] == HOSTILE
    assert page.locator("script").count() == 5  # data, words, catalogs, i18n.js, page.js
    log.assert_clean(url)  # no alert() ran: no dialog


def _wrapper_file(tmp_path):
    bundle = viz.page(neuron())._repr_mimebundle_()
    path = tmp_path / "notebook-output.html"
    path.write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>output</title></head>'
        f"<body>{bundle['text/html']}</body></html>",
        encoding="utf-8",
    )
    return path


def test_in_jupyter_the_frame_replaces_the_picture(tmp_path, open_page):
    page, log, url = open_page(_wrapper_file(tmp_path))
    assert page.locator("div.tinygrad-edu-page > svg").count() == 0
    assert page.locator("div.tinygrad-edu-page > iframe").count() == 1
    frame = page.frame_locator("div.tinygrad-edu-page > iframe")
    assert frame.locator("#counter").text_content().startswith("step 0 of")
    frame.get_by_role("button", name="Next step").click()
    assert frame.locator("#counter").text_content().startswith("step 1 of")
    log.requests = [r for r in log.requests if r != "about:srcdoc"]  # the frame, from memory
    log.assert_clean(url)


def test_in_jupyter_without_scripts_the_picture_stays(tmp_path, open_page):
    page, log, url = open_page(_wrapper_file(tmp_path), java_script_enabled=False)
    picture = page.locator("div.tinygrad-edu-page > svg")
    assert picture.count() == 1 and picture.is_visible()
    assert page.locator("iframe").count() == 0
    assert picture.locator('text[data-field="grad"]').count() > 0
    log.assert_clean(url)


def test_the_networks_picture_follows_the_steps(saved, open_page):
    """The picture of the MLP (a circle per neuron, an arrow per weight) writes each
    weight's and bias's gradient as the step reached it; at the end, the engine's."""
    page, log, url = open_page(saved["mlp"])
    assert page.locator("#network svg").count() == 1
    texts = """() => [...document.querySelectorAll('#network svg text[data-field="grad"]')]
                     .map(t => [t.getAttribute('data-v'), t.textContent])"""
    start = page.evaluate(texts)
    assert len(start) == 3 * 3 + 1 * 4  # 9 weights and 4 biases
    assert all(text.endswith("=0") for _, text in start)  # nothing passed back yet
    page.locator("#slider").focus()
    page.keyboard.press("End")
    fresh = mlp_loss()
    fresh.backward()
    engine = {f"v{i}": node.grad for i, node in enumerate(topological_order(fresh)[::-1])}
    for vid, text in page.evaluate(texts):
        prefix = "b.grad=" if text.startswith("b.") else "grad="
        assert text == prefix + diagram_number(engine[vid]), (vid, text)
    log.assert_clean(url)


# ---------------------------------------------------------------------------------
# Languages: the browser's at the start, the menu, a page made for one


_WORDS = """() => ({
  title: document.title, h1: document.querySelector('h1').textContent,
  lang: document.documentElement.lang, menu: document.getElementById('language').value,
  prev: document.getElementById('prev').textContent, play: document.getElementById('play').textContent,
  next: document.getElementById('next').textContent,
  counter: document.getElementById('counter').textContent,
  narration: document.getElementById('narration').textContent,
  heading: document.getElementById('now-title').textContent,
  hint: document.querySelector('.hint span').textContent,
  details: [...document.querySelectorAll('#details > *')].map(e => e.textContent).join(' | '),
  graph: document.querySelector('#graph svg').getAttribute('aria-label'),
})"""

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?")


@pytest.mark.parametrize(
    "locale, words",
    [
        ("ja-JP", ("ja", "前のステップ", "再生", "次のステップ", "ステップ 0 / ")),
        ("en-US", ("en", "Previous step", "Play", "Next step", "step 0 of ")),
        ("fr-FR", ("en", "Previous step", "Play", "Next step", "step 0 of ")),  # none for it
    ],
)
def test_the_page_starts_in_the_browsers_language(locale, words, saved, open_page):
    page, log, url = open_page(saved["mlp"], locale=locale)
    shown = page.evaluate(_WORDS)
    lang, prev, play, nxt, counter = words
    assert (shown["lang"], shown["menu"]) == (lang, lang)
    assert (shown["prev"], shown["play"], shown["next"]) == (prev, play, nxt)
    assert shown["counter"].startswith(counter)
    if lang == "ja":
        assert shown["title"] == shown["h1"] == "n24 の逆伝播"
        assert shown["narration"].startswith("入力とパラメーター")
        assert shown["graph"] == "計算グラフ"
        assert page.get_by_role("button", name="再生").count() == 1
    else:
        assert shown["title"] == shown["h1"] == "backward pass of n24"
        assert shown["narration"].startswith("the inputs and parameters")
    log.assert_clean(url)


def test_the_menu_switches_every_word_and_keeps_the_numbers(saved, open_page):
    page, log, url = open_page(saved["mlp"])
    data = page_steps(mlp_loss())
    page.locator("#slider").focus()
    for _ in range(len(data["steps"]) - 5):  # a backward step, past the output layer's
        page.keyboard.press("ArrowRight")
    page.locator('#graph text[data-v][data-field="name"]').first.click()  # a node's details
    english = page.evaluate(_WORDS)
    assert "chain-rule step" in english["counter"] and "layer" in english["details"]

    page.get_by_label("Language / 言語").select_option("ja")
    japanese = page.evaluate(_WORDS)
    assert (japanese["lang"], japanese["menu"]) == ("ja", "ja")
    assert (japanese["prev"], japanese["play"], japanese["next"]) == (
        "前のステップ",
        "再生",
        "次のステップ",
    )
    assert japanese["counter"].startswith("ステップ ") and "連鎖律のステップ" in japanese["counter"]
    assert japanese["heading"] == "このステップ" and japanese["title"] == "n24 の逆伝播"
    assert japanese["hint"].startswith("左右の矢印キー")
    assert "名前" in japanese["details"] and "層 0 (中間層)" in japanese["details"]
    assert japanese["narration"].startswith("ステップ ")
    for key in ("counter", "narration", "details"):  # the same numbers, in other words
        assert NUMBER.findall(japanese[key]) == NUMBER.findall(english[key]), key
    assert page.locator("#slider").get_attribute("aria-valuetext") == japanese["counter"]
    op = page.locator('#graph g.node[data-node$="_op"]').first.get_attribute("aria-label")
    assert "を作る演算" in op

    # the page still steps, in Japanese, and plays
    page.get_by_role("button", name="前のステップ").click()
    assert page.locator("#counter").text_content().startswith("ステップ ")
    page.get_by_role("button", name="再生").click()
    assert page.get_by_role("button", name="一時停止").count() == 1
    page.get_by_role("button", name="一時停止").click()
    page.get_by_role("button", name="次のステップ").click()

    page.get_by_label("Language / 言語").select_option("en")
    assert page.evaluate(_WORDS) == english  # back as it was, word for word
    log.assert_clean(url)


def test_a_page_made_for_a_language_opens_in_it(tmp_path, open_page):
    path = viz.page(mlp_loss(), lang="ja").save(tmp_path / "ja.html")
    page, log, url = open_page(path)  # an English browser
    shown = page.evaluate(_WORDS)
    assert shown["lang"] == "ja" and shown["play"] == "再生"
    assert shown["counter"].startswith("ステップ 0 / ")
    page.get_by_label("Language / 言語").select_option("en")
    assert page.locator("#play").text_content() == "Play"
    assert page.title() == "backward pass of n24"
    log.assert_clean(url)


_PICTURES = """() => ({
  legend: (document.getElementById('graph-legend') || {}).textContent,
  network_legend: (document.getElementById('network-legend') || {}).textContent,
  words: [...document.querySelectorAll('svg text[data-word]')].map(t => t.textContent),
  tips: [...document.querySelectorAll('svg a[data-tip]')].map(
    a => a.getAttributeNS('http://www.w3.org/1999/xlink', 'title')),
})"""

#: English words the pictures draw (the boxes' titles, the operands' roles, the legends).
ENGLISH_WORDS = re.compile(
    r"\b(layer|neuron|input layer|hidden layer|output layer|left|right|edge colour|arrows)\b"
)


def test_the_legends_and_the_words_drawn_follow_the_menu(saved, open_page):
    """The legends are text under the pictures, and the words drawn in them are
    rewritten in place: the menu switches them all, the numbers the same."""
    page, log, url = open_page(saved["mlp"])
    english = page.evaluate(_PICTURES)
    assert english["legend"].startswith("edge colour and width")
    assert english["network_legend"].startswith("arrows: one per weight")
    assert {"input layer", "layer 0, neuron 2", "layer 1", "neuron 0", "left", "right"} <= set(
        english["words"]
    )
    # the legends are not drawn in the pictures
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('svg text')].map(t => t.textContent)"
    )
    assert not [t for t in drawn if "edge colour" in t or t.startswith("arrows")]

    page.get_by_label("Language / 言語").select_option("ja")
    japanese = page.evaluate(_PICTURES)
    assert japanese["legend"].startswith("矢印の色と太さ")
    assert japanese["network_legend"].startswith("矢印: 重み")
    assert {"入力層", "層 0・ニューロン 2", "層 1", "ニューロン 0", "左", "右"} <= set(
        japanese["words"]
    )
    assert len(japanese["words"]) == len(english["words"])
    assert [w for w in japanese["words"] if ENGLISH_WORDS.search(w)] == []
    assert not ENGLISH_WORDS.search(japanese["legend"] + japanese["network_legend"])
    assert NUMBER.findall(japanese["legend"]) == NUMBER.findall(english["legend"])
    assert "0.8162" in japanese["network_legend"] and "0.8162" in english["network_legend"]
    # the arrows' tooltips: the gradient flowing back, in the menu's language
    assert len(english["tips"]) > 20 and len(japanese["tips"]) == len(english["tips"])
    assert all(t.startswith(("gradient flowing back: ", "no gradient")) for t in english["tips"])
    assert not [t for t in japanese["tips"] if "gradient" in t]
    assert [NUMBER.findall(t) for t in japanese["tips"]] == [
        NUMBER.findall(t) for t in english["tips"]
    ]

    page.get_by_label("Language / 言語").select_option("en")
    assert page.evaluate(_PICTURES) == english  # back as it was, word for word
    log.assert_clean(url)


def test_a_japanese_browser_sees_the_pictures_words_in_japanese_at_once(saved, open_page):
    page, log, url = open_page(saved["mlp"], locale="ja-JP")  # a page built in English
    shown = page.evaluate(_PICTURES)
    assert shown["legend"].startswith("矢印の色と太さ") and "層 0・ニューロン 0" in shown["words"]
    log.assert_clean(url)


def test_the_code_pane_wraps_long_lines_rather_than_cut_them_off(saved, open_page):
    """The generated code's long lines (the function's inputs, the comments) wrap inside
    the pane, their rest indented under them: nothing is hidden past the right edge."""
    page, log, url = open_page(saved["mlp"], viewport={"width": 1000, "height": 800})
    pane = page.evaluate("""() => {
      const pane = document.getElementById('code');
      const lines = [...pane.querySelectorAll('.line')];
      const longest = lines.reduce((a, b) => b.textContent.length > a.textContent.length ? b : a);
      const rects = [...longest.getClientRects()];
      const range = document.createRange(); range.selectNodeContents(longest);
      const boxes = [...range.getClientRects()];
      return {scrollWidth: pane.scrollWidth, clientWidth: pane.clientWidth,
              right: pane.getBoundingClientRect().right,
              textRight: Math.max(...boxes.map(r => r.right)),
              lineHeight: parseFloat(getComputedStyle(longest).lineHeight),
              height: rects[0].height, length: longest.textContent.length};
    }""")
    assert pane["length"] > 200
    assert pane["scrollWidth"] <= pane["clientWidth"] + 1  # nothing to scroll to sideways
    assert pane["textRight"] <= pane["right"]
    assert pane["height"] >= 2 * pane["lineHeight"]  # the longest line wrapped
    log.assert_clean(url)
