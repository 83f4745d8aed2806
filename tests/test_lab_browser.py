"""The lab in a real browser: the real server (``python -m tinygrad_edu lab``) and
Playwright for Python driving Debian's Chromium.

Training (Play, Pause: the step count rises, the loss falls, the heat map changes, and
how many frames a second arrive), a selected point (its computation graph in the frame
and the delta rule's table), adding and removing points by clicking the plot, saving
and loading the model and the points, a refused setting, the token and the Origin check
(from Python and from a page of another origin), and Ctrl-C.  Every lab page is checked
to send no request but to the lab's own origin and to show no console error.

The server runs as a subprocess from this checkout's root, so the package tested is
the one beside this file.  Playwright never downloads a browser: it runs
/usr/bin/chromium.  Without Playwright, Chromium, Graphviz's dot or the lab extra
(starlette, uvicorn, websockets), the module skips and says which is missing.

``TINYGRAD_EDU_SCREENSHOTS=1`` also writes docs/lab.png (the lab after training, with a
point selected); without it no file of the checkout is written.
"""

import csv
import http.server
import importlib.util
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from functools import partial
from pathlib import Path

import pytest

from tinygrad_edu._optional import install_hint

from _browser import launched, require

CHROMIUM = require("the lab draws its network and the point's graph with it")
from playwright.sync_api import expect  # noqa: E402

for _name in ("starlette", "uvicorn", "websockets"):
    if importlib.util.find_spec(_name) is None:
        pytest.skip(
            f"{_name} is not installed: the lab's server needs the lab extra: "
            f"{install_hint('lab')}",
            allow_module_level=True,
        )

from websockets.exceptions import InvalidStatus  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from tinygrad_edu.nn import MLP  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCREENSHOT = REPO / "docs" / "lab.png"
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/\?token=(\S+))")  # in any language
TIMEOUT = 20_000  # ms: a slow machine still answers within this

# ---------------------------------------------------------------------------------
# The server, as the learner starts it


class LabServer:
    """``python -m tinygrad_edu [OPTIONS] lab --no-browser --port PORT`` from the checkout's
    root; ``options``: the command's own (``["--lang", "ja"]``), else it speaks English."""

    def __init__(self, port=0, timeout=30, options=()):
        env = dict(os.environ, PYTHONUNBUFFERED="1", LANGUAGE="en")  # (--lang decides over it)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tinygrad_edu", *options, "lab", "--no-browser"]
            + ["--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines, self.errors = queue.Queue(), []
        self.out = []
        threading.Thread(
            target=self._read, args=(self.proc.stdout, self.out, self.lines), daemon=True
        ).start()
        threading.Thread(
            target=self._read, args=(self.proc.stderr, self.errors, None), daemon=True
        ).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.proc.kill()
                pytest.fail(
                    f"the lab printed no URL within {timeout} s; stdout {self.out!r}, "
                    f"stderr {''.join(self.errors)!r}"
                )
            if line is None:
                self.proc.wait(5)
                pytest.fail(
                    f"the lab exited ({self.proc.returncode}) before printing its URL; "
                    f"stdout {self.out!r}, stderr {''.join(self.errors)!r}"
                )
            found = URL_LINE.search(line)
            if found:
                break
        self.url, self.port, self.token = found.group(1), int(found.group(2)), found.group(3)
        self.origin = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws?token={self.token}"

    @staticmethod
    def _read(stream, into, lines):
        for line in stream:
            into.append(line)
            if lines is not None:
                lines.put(line)
        if lines is not None:
            lines.put(None)

    def interrupt(self, timeout=20):
        """Ctrl-C: SIGINT, then the exit status (the process is killed past ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            pytest.fail(
                f"the lab did not stop within {timeout} s of SIGINT; "
                f"stderr {''.join(self.errors)!r}"
            )


def port_is_free(port):
    """A new server can listen on ``port`` again (as the lab does: SO_REUSEADDR)."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1)
        return True
    except OSError:
        return False
    finally:
        sock.close()


@pytest.fixture(scope="module")
def lab():
    server = LabServer()
    yield server
    status = server.interrupt()
    assert status == 0, f"SIGINT: exit status {status}; stderr {''.join(server.errors)!r}"
    assert port_is_free(server.port), f"port {server.port} still taken after the lab stopped"


@pytest.fixture(scope="module")
def browser():
    yield from launched(CHROMIUM)


# ---------------------------------------------------------------------------------
# The page, watched

# Every message the lab's WebSocket brings, noted page-side with its time (before the
# page's own handler, which draws at most once per screen refresh): the frames (to count
# them), the last state (points, bounds, settings), the last selection, the errors.
_HOOK = """(() => {
  if (window.top !== window) return;            // the point's graph frame: not the lab
  const Native = window.WebSocket;
  const lab = window.__lab = {frames: [], state: null, states: 0, selection: null, errors: [],
                              hello: 0, socket: null};
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      lab.socket = this;
      this.addEventListener('message', e => {
        let m;
        try { m = JSON.parse(e.data); } catch (err) { return; }
        const t = performance.now();
        if (m.type === 'frame') lab.frames.push({t: t, step: m.step, loss: m.loss});
        else if (m.type === 'state') { lab.states += 1;
                                       lab.state = {points: m.points, bounds: m.bounds,
                                                    selected: m.selected, settings: m.settings}; }
        else if (m.type === 'selection') lab.selection = {index: m.index, point: m.point, t: t};
        else if (m.type === 'error') lab.errors.push(m.message);
        else if (m.type === 'hello') lab.hello += 1;
      });
    }
  }
  window.WebSocket = Watched;
})();"""

LAB_LOGS = []  # every lab page's Log, for the check across the tests


class Log:
    """What a page did: every request and WebSocket, console message, uncaught error, dialog."""

    def __init__(self, page):
        self.requests, self.sockets, self.console, self.errors, self.dialogs = [], [], [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", lambda w: self.sockets.append(w.url))
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def foreign(self, origin):
        """The requests and sockets to anything but ``origin`` (the page's own)."""
        ws = "ws" + origin[len("http") :]
        own = (origin + "/", "blob:" + origin + "/")
        return [u for u in self.requests if not (u.startswith(own) or u == "about:srcdoc")] + [
            u for u in self.sockets if not u.startswith(ws + "/ws?")
        ]

    def assert_clean(self, origin):
        assert self.errors == [], f"uncaught errors: {self.errors}"
        assert [m for m in self.console if m[0] in ("error", "assert")] == [], self.console
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.foreign(origin) == [], f"requests besides {origin}: {self.foreign(origin)}"


@pytest.fixture
def open_lab(browser, lab):
    """open_lab(server=lab, **context options) -> (page, log): the lab's page, connected.
    The browser speaks English unless ``locale=`` says otherwise."""
    contexts = []

    def open_(server=lab, **options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        context.add_init_script(_HOOK)
        page = context.new_page()
        log = Log(page)
        LAB_LOGS.append((log, server.origin))
        page.goto(server.url)
        page.wait_for_function(
            "() => window.__lab && window.__lab.state !== null"
            " && document.getElementById('step').textContent === '0'"
            " && !document.getElementById('play').disabled"
        )
        return page, log

    yield open_
    for context in contexts:
        context.close()


def lab_state(page):
    return page.evaluate("() => window.__lab.state")


def shown_step(page):
    return int(page.get_by_test_id("step").text_content())


def shown_loss(page):
    return float(page.get_by_test_id("loss").text_content())


def plot_pixels(page):
    return page.locator("#data-canvas").evaluate("c => c.toDataURL()")


def point_position(page, point, bounds):
    """Where (x, y) is drawn, in the plot's own CSS pixels (the click's ``position``)."""
    box = page.get_by_test_id("data-plot").locator("canvas").bounding_box()
    xmin, xmax, ymin, ymax = bounds
    return {
        "x": (point[0] - xmin) / (xmax - xmin) * box["width"],
        "y": (ymax - point[1]) / (ymax - ymin) * box["height"],
    }


def data_at(page, position, bounds):
    box = page.get_by_test_id("data-plot").locator("canvas").bounding_box()
    xmin, xmax, ymin, ymax = bounds
    return (
        xmin + position["x"] / box["width"] * (xmax - xmin),
        ymax - position["y"] / box["height"] * (ymax - ymin),
    )


def wait_points(page, count):
    page.wait_for_function("n => window.__lab.state.points.length === n", arg=count)
    return lab_state(page)


def play_for(page, seconds):
    """Play for ``seconds``, then Pause; returns (steps shown soon after Play, at Pause,
    loss soon after Play, at Pause, the page-side times of Play and Pause)."""
    t_play = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => Number(document.getElementById('step').textContent) > 0")
    first_step, first_loss = shown_step(page), shown_loss(page)
    page.wait_for_timeout(seconds * 1000)
    t_pause = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")
    # the frame Pause answers with is the last: the shown step stops moving
    page.wait_for_function("""() => { const f = window.__lab.frames;
        return f.length && Number(document.getElementById('step').textContent) === f[f.length - 1].step; }""")
    page.wait_for_timeout(300)
    page.wait_for_function("""() => { const f = window.__lab.frames;
        return Number(document.getElementById('step').textContent) === f[f.length - 1].step; }""")
    return first_step, shown_step(page), first_loss, shown_loss(page), t_play, t_pause


def download(page, button, folder):
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    d = info.value
    path = Path(folder) / d.suggested_filename
    d.save_as(path)
    return path


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# ---------------------------------------------------------------------------------
# 1. Training


def test_play_trains_and_pause_stops(open_lab, lab):
    page, log = open_lab()
    heat_before = plot_pixels(page)
    curve_before = page.get_by_test_id("loss-curve").evaluate("c => c.toDataURL()")
    assert page.get_by_test_id("loss").text_content() == "—"  # no step yet

    first_step, paused_step, first_loss, paused_loss, t_play, t_pause = play_for(page, 2.0)
    assert paused_step > first_step >= 1
    assert paused_loss < first_loss, (first_loss, paused_loss)
    assert plot_pixels(page) != heat_before, "the heat map did not change while training"
    curve = page.get_by_test_id("loss-curve")
    assert curve.evaluate("c => c.toDataURL()") != curve_before
    assert f"to step {paused_step}:" in curve.get_attribute("aria-label")

    frames = page.evaluate(
        "([a, b]) => window.__lab.frames.filter(f => f.t >= a && f.t <= b)", [t_play, t_pause]
    )
    steps = [f["step"] for f in frames]
    assert steps == sorted(steps) and len(set(steps)) == len(steps), steps
    assert len(frames) >= 5, f"only {len(frames)} frames in 2 s of training"
    rate = (len(frames) - 1) / ((frames[-1]["t"] - frames[0]["t"]) / 1000)
    per_frame = (frames[-1]["step"] - frames[0]["step"]) / (len(frames) - 1)
    print(
        f"\nthe lab while playing: {rate:.1f} frames a second received by the page "
        f"({len(frames)} frames in {(t_pause - t_play) / 1000:.2f} s), "
        f"{per_frame:.1f} training steps a frame, step {paused_step} at Pause"
    )

    page.wait_for_timeout(700)  # paused: nothing moves
    assert shown_step(page) == paused_step
    assert page.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_test_id("step")).to_have_text(str(paused_step + 1))
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 2. A selected point: its graph, stepped through, and the delta rule


def isolated_point(points, bounds, pixels=12.0, avoid=(0,)):
    """The index of a point (not in ``avoid``) with no other point within ``pixels`` on
    the 400-pixel plot, away from its edges: a click on it hits it alone."""
    xmin, xmax, ymin, ymax = bounds

    def px(p):
        return (p[0] - xmin) / (xmax - xmin) * 400, (ymax - p[1]) / (ymax - ymin) * 400

    where = [px(p) for p in points]
    for i, (x, y) in enumerate(where):
        if (
            i not in avoid
            and 30 < x < 370
            and 30 < y < 370
            and all(
                (x - u) ** 2 + (y - v) ** 2 > pixels**2 for j, (u, v) in enumerate(where) if j != i
            )
        ):
            return i
    return None


def check_point_graph(page):
    """The frame shows a step-through page; Next step moves its counter."""
    frame = page.frame_locator("[data-testid=point-graph]")
    counter = frame.locator("#counter")
    expect(counter).to_have_text(re.compile(r"^step 0 of \d+"))
    last = int(re.match(r"step 0 of (\d+)", counter.text_content()).group(1))
    assert last > 10
    nxt = frame.get_by_role("button", name="Next step")
    for k in range(1, 4):
        nxt.click()
        expect(counter).to_have_text(re.compile(rf"^step {k} of {last}\b"))
    assert frame.locator("#graph svg").count() == 1


def check_delta_view(page, neurons):
    view = page.get_by_test_id("delta-view")
    expect(view.locator(".verdict")).to_have_text(
        re.compile(r"^They agree: the largest difference is ")
    )
    assert "δ" in view.text_content()
    names = view.locator("tbody tr td.name").all_text_contents()
    assert names.count("δ_0") == 1 and names.count("δ_m") == neurons - 1, names[:20]
    assert view.locator(".verdict.disagree").count() == 0


def test_a_selected_point_shows_its_graph_and_the_delta_rule(open_lab, lab):
    page, log = open_lab(viewport={"width": 1400, "height": 1000})
    page.get_by_label("Data set").select_option("moons")
    page.wait_for_function("() => window.__lab.state.settings.dataset === 'moons'")
    play_for(page, 1.5)
    state = lab_state(page)
    hidden = state["settings"]["hidden"]
    neurons = sum(hidden) + 1

    # by number: "Select point #" 0 and Select
    page.get_by_label("Select point #").fill("0")
    page.get_by_role("button", name="Select", exact=True).click()
    page.wait_for_function("() => window.__lab.selection && window.__lab.selection.index === 0")
    expect(page.locator("#selection-info")).to_contain_text("Point #0 at (")
    check_point_graph(page)
    check_delta_view(page, neurons)
    # the network shows each neuron's output for the point
    outputs = page.get_by_test_id("network").locator("svg text", has_text="a=").filter(visible=True)
    expect(outputs).to_have_count(neurons)

    # by clicking it in the plot (mode "selects a point"), where the state's bounds put it
    expect(page.get_by_label("selects a point")).to_be_checked()
    k = isolated_point(state["points"], state["bounds"])
    assert k is not None and k != 0
    page.get_by_test_id("data-plot").locator("canvas").click(
        position=point_position(page, state["points"][k], state["bounds"])
    )
    page.wait_for_function(
        "k => window.__lab.selection && window.__lab.selection.index === k", arg=k
    )
    expect(page.locator("#selection-info")).to_contain_text(f"Point #{k} at (")
    check_point_graph(page)
    check_delta_view(page, neurons)

    if os.environ.get("TINYGRAD_EDU_SCREENSHOTS") == "1":
        page.get_by_role("button", name="Fit the whole network in the box").click()
        page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        assert SCREENSHOT.stat().st_size < 400_000, SCREENSHOT.stat().st_size

    log.assert_clean(lab.origin)


def test_the_selected_point_is_marked_in_the_plot(open_lab, lab):
    """The legend promises a ring around the selected point, and the plot's description
    names it: both once the selection arrives, by number or by a click."""
    page, log = open_lab()
    plot = page.locator("#data-canvas")
    before = plot_pixels(page)
    page.get_by_label("Select point #").fill("0")
    page.get_by_role("button", name="Select", exact=True).click()
    page.wait_for_function("() => window.__lab.selection && window.__lab.selection.index === 0")
    expect(page.locator("#selection-info")).to_contain_text("Point #0 at (")
    expect(plot).to_have_attribute(
        "aria-label", re.compile(r"; selected: point #0 at \("), timeout=3000
    )
    assert plot_pixels(page) != before, "no ring drawn around the selected point"

    state = lab_state(page)
    k = isolated_point(state["points"], state["bounds"])
    assert k is not None
    plot.click(position=point_position(page, state["points"][k], state["bounds"]))
    page.wait_for_function(
        "k => window.__lab.selection && window.__lab.selection.index === k", arg=k
    )
    expect(plot).to_have_attribute(
        "aria-label", re.compile(rf"; selected: point #{k} at \("), timeout=3000
    )
    log.assert_clean(lab.origin)


@pytest.mark.parametrize("how", ["Clear selection", "a click on empty space"])
def test_clearing_the_selection_empties_the_selected_points_panel(open_lab, lab, how):
    page, log = open_lab()
    page.get_by_label("Select point #").fill("0")
    page.get_by_role("button", name="Select", exact=True).click()
    expect(page.locator("#selection-info")).to_contain_text("Point #0 at (")
    expect(page.get_by_test_id("delta-view").locator(".verdict")).to_contain_text("They agree")
    if how == "Clear selection":
        page.get_by_role("button", name="Clear selection").click()
    else:
        page.locator("#data-canvas").click(position={"x": 3, "y": 397})  # a corner: no point
        expect(page.locator("#plot-status")).to_contain_text("the selection is cleared")
    page.wait_for_function("() => window.__lab.frames.length > 0")
    page.wait_for_timeout(300)  # the server's answer has arrived
    # the server has no selection any more: its frames carry no neuron outputs
    outputs = page.get_by_test_id("network").locator("svg text", has_text="a=").filter(visible=True)
    expect(outputs).to_have_count(0)
    # ... and the page says so: no point's graph, no delta table
    expect(page.locator("#selection-info")).to_contain_text("No point selected", timeout=3000)
    expect(page.get_by_test_id("delta-view")).to_be_empty(timeout=1000)
    expect(page.frame_locator("[data-testid=point-graph]").locator("#counter")).to_have_count(
        0, timeout=1000
    )
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 3. Adding and removing points by clicking the plot


def test_clicking_the_plot_adds_and_removes_a_point(open_lab, lab, tmp_path):
    page, log = open_lab()
    state = lab_state(page)
    count = len(state["points"])
    ones = sum(1 for p in state["points"] if p[2] == 1)
    rows = csv_rows(download(page, "Save points (CSV)", tmp_path))
    assert len(rows) == 1 + count

    page.get_by_label("adds a class 1 point").check()
    spot = point_position(page, (0.03, 1.37), state["bounds"])  # above the data, in the margin
    page.get_by_test_id("data-plot").locator("canvas").click(position=spot)
    after = wait_points(page, count + 1)
    x, y, label = after["points"][-1]
    want = data_at(page, spot, state["bounds"])
    assert label == 1
    assert abs(x - want[0]) < 0.02 and abs(y - want[1]) < 0.02, ((x, y), want)
    assert sum(1 for p in after["points"] if p[2] == 1) == ones + 1
    assert (
        page.locator("#data-canvas").get_attribute("aria-label").startswith(f"{count + 1} points (")
    )

    (tmp_path / "lab-points.csv").unlink()
    rows = csv_rows(download(page, "Save points (CSV)", tmp_path))
    assert len(rows) == 1 + count + 1
    assert [float(v) for v in rows[-1][:2]] == [x, y] and rows[-1][2] == "1"

    # "removes a point": a click on the new point takes it away again
    page.get_by_label("removes a point").check()
    page.get_by_test_id("data-plot").locator("canvas").click(
        position=point_position(page, (x, y), after["bounds"])
    )
    final = wait_points(page, count)
    assert final["points"] == state["points"]
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 4. Saving and loading the model; saving the points


def test_save_and_load_the_model_and_save_the_points(open_lab, lab, tmp_path):
    page, log = open_lab()
    hidden = page.get_by_label("Hidden layers")
    expect(hidden).to_have_value("8, 8")
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_test_id("step")).to_have_text("1")

    saved = download(page, "Save model", tmp_path)
    assert saved.name == "lab-model.json"
    model = MLP.load(saved)
    assert model.config()["nin"] == 2 and list(model.config()["nouts"]) == [8, 8, 1]

    hidden.fill("3")
    hidden.press("Enter")
    page.wait_for_function("() => window.__lab.state.settings.hidden.join() === '3'")
    expect(hidden).to_have_value("3")
    expect(page.get_by_test_id("step")).to_have_text("0")  # a new network

    page.get_by_label("Load model").set_input_files(saved)
    page.wait_for_function("() => window.__lab.state.settings.hidden.join() === '8,8'")
    expect(hidden).to_have_value("8, 8")
    assert page.evaluate("() => window.__lab.errors") == []

    again = tmp_path / "again"
    again.mkdir()
    reloaded = MLP.load(download(page, "Save model", again))  # the same weights came back
    assert [p.data for p in reloaded.parameters()] == [p.data for p in model.parameters()]

    points = lab_state(page)["points"]
    rows = csv_rows(download(page, "Save points (CSV)", tmp_path))
    assert rows[0] == ["x", "y", "label"]
    assert len(rows) == 1 + len(points)
    assert [[float(a), float(b), int(c)] for a, b, c in rows[1:]] == points
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 5. A refused setting


def test_a_bad_learning_rate_is_refused_and_the_lab_goes_on(open_lab, lab):
    page, log = open_lab()
    rate = page.get_by_label("Learning rate")
    expect(rate).to_have_value("0.1")
    rate.fill("1e308")
    rate.press("Enter")
    error = page.get_by_test_id("error")
    expect(error).to_contain_text("the learning rate must be a number above 0 and at most 10")
    expect(rate).to_have_value("0.1")  # put back to the server's
    assert lab_state(page)["settings"]["learning_rate"] == 0.1

    page.get_by_role("button", name="Step").click()
    expect(page.get_by_test_id("step")).to_have_text("1")
    expect(error).to_be_empty()  # the next action clears it
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_test_id("step")).to_have_text("2")
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 6. The token and the Origin


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


def _wrong(token):
    """The token with its last character changed (never the token itself)."""
    return token[:-1] + ("y" if token.endswith("x") else "x")


def test_a_changed_token_is_never_the_token():
    assert _wrong("abcx") == "abcy" and _wrong("abcd") == "abcx"


def test_the_page_needs_the_token(lab):
    status, headers, body = _status(lab.url)
    assert status == 200 and "tinygrad_edu lab" in body
    assert "default-src 'none'" in headers["content-security-policy"]
    for url in (
        lab.origin + "/",
        lab.origin + "/?token=",
        lab.origin + "/?token=" + _wrong(lab.token),
        lab.origin + "/?token=" + lab.token + "x",
    ):
        status, _, body = _status(url)
        assert status == 403, url
        assert "token" in body and lab.token not in body


def test_a_websocket_needs_the_token_and_the_pages_origin(lab):
    own = lab.origin
    with connect(lab.ws_url, origin=own, open_timeout=10) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello" and "limits" in hello
    refused = [
        (lab.ws_url, {"origin": "http://evil.example"}),
        (lab.ws_url, {"origin": f"http://127.0.0.1:{lab.port + 1}"}),
        (lab.ws_url, {"origin": f"https://127.0.0.1:{lab.port}"}),
        (lab.ws_url, {"origin": "null"}),
        (lab.ws_url, {}),  # no Origin at all
        (_wrong(lab.ws_url), {"origin": own}),  # a wrong token
        (f"ws://127.0.0.1:{lab.port}/ws", {"origin": own}),  # no token
    ]
    for url, options in refused:
        with pytest.raises(InvalidStatus) as err, connect(url, open_timeout=10, **options):
            pass
        assert err.value.response.status_code == 403, (url, options)


_OTHER_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>another site</title></head><body>
<p id="events"></p>
<script>
const out = document.getElementById('events');
function note(what) { out.textContent += what + ' '; }
const ws = new WebSocket(%s);
ws.onopen = () => note('open');
ws.onmessage = () => note('message');
ws.onerror = () => note('error');
ws.onclose = e => note('close:' + e.code);
</script></body></html>
"""


def test_a_page_of_another_origin_cannot_open_the_labs_websocket(browser, lab, tmp_path):
    (tmp_path / "index.html").write_text(_OTHER_PAGE % json.dumps(lab.ws_url), encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        sockets = []
        page.on("websocket", lambda w: sockets.append(w.url))
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/index.html")
        events = page.locator("#events")
        expect(events).to_contain_text("close:", timeout=TIMEOUT)
        page.wait_for_timeout(300)
        text = events.text_content()
        assert "open" not in text and "message" not in text, text
        assert "error" in text, text
        assert sockets == [lab.ws_url]  # it did try
    finally:
        context.close()
        other.shutdown()
        other.server_close()
    # the lab still answers its own page
    with connect(lab.ws_url, origin=lab.origin, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"


# ---------------------------------------------------------------------------------
# 6b. Languages: the browser's at the start, the menu, the server's messages in it

_LAB_WORDS = """() => ({
  lang: document.documentElement.lang, menu: document.getElementById('language').value,
  title: document.title, h1: document.querySelector('h1').textContent,
  play: document.getElementById('play').textContent, step: document.getElementById('step-button').textContent,
  dataset: document.querySelector('label:has(#dataset) span').textContent,
  rate: document.querySelector('label:has(#learning-rate) span').textContent,
  limits: document.getElementById('limits').textContent,
  selection: document.getElementById('selection-info').textContent,
  playTitle: document.getElementById('play').title,
})"""


def test_the_lab_starts_in_the_browsers_language(open_lab, lab):
    page, log = open_lab(locale="ja-JP")
    expect(page.locator("#limits")).to_contain_text("上限: 点は 500 個まで")
    shown = page.evaluate(_LAB_WORDS)
    assert (shown["lang"], shown["menu"]) == ("ja", "ja")
    assert shown["title"] == shown["h1"] == "tinygrad_edu ラボ"
    assert (shown["play"], shown["step"]) == ("再生", "1 ステップ")
    assert (shown["dataset"], shown["rate"]) == ("データセット", "学習率")
    assert shown["selection"].startswith("点が選択されていません。")
    assert shown["playTitle"] == "連続して学習します"
    # the server was told: its messages come in Japanese from the start
    rate = page.get_by_label("学習率")
    rate.fill("100")
    rate.press("Enter")
    expect(page.get_by_test_id("error")).to_contain_text(
        "学習率は 0 より大きく 10 以下の数でなければなりません (指定された値: 100)"
    )
    expect(rate).to_have_value("0.1")
    log.assert_clean(lab.origin)


def test_the_menu_switches_the_lab_and_the_servers_messages(open_lab, lab):
    page, log = open_lab()
    english = page.evaluate(_LAB_WORDS)
    assert (english["lang"], english["play"], english["dataset"]) == ("en", "Play", "Data set")
    assert english["limits"].startswith("Limits: up to 500 points")
    menu = page.get_by_label("Language / 言語")

    menu.select_option("ja")
    shown = page.evaluate(_LAB_WORDS)
    assert (shown["lang"], shown["play"], shown["step"]) == ("ja", "再生", "1 ステップ")
    assert (shown["dataset"], shown["rate"]) == ("データセット", "学習率")
    assert shown["limits"].startswith("上限: 点は 500 個まで")
    assert page.get_by_role("button", name="一時停止").count() == 1
    rate = page.get_by_label("学習率")
    rate.fill("1e308")
    rate.press("Enter")
    error = page.get_by_test_id("error")
    expect(error).to_contain_text("学習率は 0 より大きく 10 以下の数でなければなりません")
    # a point's page and the delta rule's table come in Japanese too
    page.get_by_label("点の番号 #").fill("0")
    page.get_by_role("button", name="選択", exact=True).click()
    page.wait_for_function("() => window.__lab.selection && window.__lab.selection.index === 0")
    expect(page.locator("#selection-info")).to_contain_text("点 #0 (")
    frame = page.frame_locator("[data-testid=point-graph]")
    expect(frame.locator("#counter")).to_have_text(re.compile(r"^ステップ 0 / \d+"))
    view = page.get_by_test_id("delta-view")
    expect(view.locator(".verdict")).to_contain_text("一致しています: 差の最大値は")
    expect(view.locator("thead th").first).to_have_text("層")

    menu.select_option("en")  # back: the page, the point's page and the server
    back = page.evaluate(_LAB_WORDS)
    assert {k: back[k] for k in ("lang", "play", "step", "dataset", "rate", "limits")} == {
        k: english[k] for k in ("lang", "play", "step", "dataset", "rate", "limits")
    }
    expect(page.locator("#selection-info")).to_contain_text("Point #0 at (")
    expect(frame.locator("#counter")).to_have_text(re.compile(r"^step 0 of \d+"))
    expect(view.locator(".verdict")).to_contain_text("They agree: the largest difference is")
    rate = page.get_by_label("Learning rate")
    rate.fill("-1")
    rate.press("Enter")
    expect(error).to_contain_text("the learning rate must be a number above 0 and at most 10")
    assert not [e for e in page.evaluate("() => window.__lab.errors") if "language" in e]
    log.assert_clean(lab.origin)


# ---------------------------------------------------------------------------------
# 6c. The language switch keeps the page's own state; the Japanese lab's layout


def fit_pressed(page):
    return page.locator("#fit-network").get_attribute("aria-pressed")


def switch_language(page, code, legend_start):
    """The menu to ``code``; returns once the server's network picture (its legend) came in it."""
    page.get_by_label("Language / 言語").select_option(code)
    expect(page.get_by_test_id("network-legend")).to_contain_text(legend_start)
    page.wait_for_timeout(300)  # the page has drawn it


def test_switching_the_language_with_a_point_selected_leaves_the_fit_toggle_alone(open_lab, lab):
    # a window where the network is not fitted by default
    page, log = open_lab(viewport={"width": 1400, "height": 1000})
    page.get_by_label("Select point #").fill("0")
    page.get_by_role("button", name="Select", exact=True).click()
    expect(page.locator("#selection-info")).to_contain_text("Point #0 at (")
    before = fit_pressed(page)
    assert before == "false"
    switch_language(page, "ja", "矢印: ")
    assert fit_pressed(page) == before
    assert not page.locator("#network").evaluate("n => n.classList.contains('whole')")
    # beside seed 000's formula, seed 000's word for k
    expect(page.get_by_test_id("delta-view").locator("tbody th[colspan]").nth(1)).to_contain_text(
        "学習係数 k = 0.1 (学習率)"
    )
    switch_language(page, "en", "arrows: ")
    assert fit_pressed(page) == before

    # the learner's own choice stays too
    page.locator("#fit-network").click()
    assert fit_pressed(page) == "true"
    switch_language(page, "ja", "矢印: ")
    assert fit_pressed(page) == "true"
    assert page.locator("#network").evaluate("n => n.classList.contains('whole')")
    log.assert_clean(lab.origin)


def test_the_japanese_lab_prints_japanese_and_keeps_its_layout(open_lab):
    """``tinygrad-edu --lang ja lab``: its lines in Japanese, the page opened in Japanese
    (in an English browser); at 800 px the language menu stays beside its label, and the
    network's legend is text as large as the page's hints however small the picture."""
    server = LabServer(options=["--lang", "ja"])
    try:
        printed = "".join(server.out)
        assert printed.startswith("ラボは http://127.0.0.1:") and " で動いています" in printed
        page, log = open_lab(server, viewport={"width": 800, "height": 900})
        assert page.evaluate("() => document.documentElement.lang") == "ja"
        label = page.locator("label.language").bounding_box()
        menu = page.locator("#language").bounding_box()
        middle = (label["y"] + label["height"] / 2, menu["y"] + menu["height"] / 2)
        assert abs(middle[0] - middle[1]) < 8, (label, menu)  # on one line
        assert 0 <= menu["x"] - (label["x"] + label["width"]) < 20, (label, menu)  # side by side

        legend = page.get_by_test_id("network-legend")
        expect(legend).to_contain_text("矢印: 重み 1 つに 1 本")
        if fit_pressed(page) != "true":
            page.locator("#fit-network").click()
        assert fit_pressed(page) == "true"
        expect(legend).to_be_visible()
        size = legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 12, size
        assert "|w|" not in page.locator("#network svg").text_content()
        log.assert_clean(server.origin)
    finally:
        status = server.interrupt()
    assert status == 0, "".join(server.errors)
    assert "".join(server.out).splitlines()[1:] == ["(Ctrl-C で停止します)", "ラボを停止しました"]


# ---------------------------------------------------------------------------------
# 7. No request but to the lab, no console error, on every lab page of these tests


def test_no_lab_page_sent_a_request_elsewhere_or_logged_an_error(open_lab, lab):
    if not LAB_LOGS:  # run alone: a page of its own, used a little
        page, log = open_lab()
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_test_id("step")).to_have_text("1")
        page.get_by_label("Select point #").fill("1")
        page.get_by_role("button", name="Select", exact=True).click()
        expect(page.locator("#selection-info")).to_contain_text("Point #1 at (")
    for log, origin in LAB_LOGS:
        assert log.requests and log.requests[0].startswith(origin + "/?token=")
        assert log.sockets and all(
            u.startswith("ws" + origin[4:] + "/ws?token=") for u in log.sockets
        )
        log.assert_clean(origin)


# ---------------------------------------------------------------------------------
# 8. Ctrl-C


def test_ctrl_c_stops_the_lab_with_a_page_open_and_frees_the_port(open_lab):
    server = LabServer()
    try:
        page, log = open_lab(server)
        page.get_by_role("button", name="Play").click()
        page.wait_for_function("() => Number(document.getElementById('step').textContent) > 0")
        started = time.monotonic()
        status = server.interrupt()
        print(
            f"\nSIGINT with a page open and playing: the lab stopped in "
            f"{time.monotonic() - started:.2f} s"
        )
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    assert "Traceback" not in "".join(server.errors), "".join(server.errors)
    assert port_is_free(server.port)
    banner = page.get_by_test_id("connection")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("stopped")
    expect(page.get_by_role("button", name="Play")).to_be_disabled()

    again = LabServer(port=server.port)  # the same port, at once
    try:
        assert again.port == server.port
        assert _status(again.url)[0] == 200
    finally:
        again_status = again.interrupt()
    assert port_is_free(server.port)
    # Ctrl-C is how the lab is meant to stop: status 0 and its last line, not an interruption
    assert (status, again_status) == (0, 0), (
        f"exit statuses {status}, {again_status}; stderr {''.join(server.errors)!r}"
    )
    assert "the lab stopped" in "".join(server.out), "".join(server.out)


def test_a_state_message_does_not_undo_what_the_learner_is_typing(open_lab, lab):
    """A state message that arrives while a setting is being typed (the reply to a language
    switch, say) leaves the typed text, and Enter then sends it."""
    page, log = open_lab()
    rate = page.get_by_label("Learning rate")
    rate.fill("0.5")  # typed, focused, not yet committed
    before = page.evaluate("() => window.__lab.states")
    page.evaluate("() => window.__lab.socket.send(JSON.stringify({type: 'language', lang: 'ja'}))")
    page.wait_for_function("n => window.__lab.states > n", arg=before)
    expect(rate).to_have_value("0.5")
    rate.press("Enter")
    page.wait_for_function("() => window.__lab.state.settings.learning_rate === 0.5")
    log.assert_clean(lab.origin)


def test_the_menus_name_the_data_sets_in_the_learners_language(open_lab, lab):
    page, log = open_lab()
    dataset, optimizer = page.locator("#dataset"), page.locator("#optimizer")
    expect(dataset.locator("option")).to_have_count(4)
    labels = "(o) => Array.from(o.options, (x) => [x.value, x.textContent])"
    assert dataset.evaluate(labels) == [
        ["xor", "XOR"],
        ["moons", "two moons"],
        ["spirals", "spirals"],
        ["circles", "circles"],
    ]
    assert [name for _value, name in optimizer.evaluate(labels)] == [
        "SGD",
        "Momentum",
        "AdaGrad",
        "RMSProp",
        "Adam",
    ]
    page.get_by_label("Language / 言語").select_option("ja")
    expect(dataset.locator("option[value=moons]")).to_have_text("二つの月")
    assert [name for _value, name in dataset.evaluate(labels)] == [
        "XOR",
        "二つの月",
        "渦巻き",
        "同心円",
    ]
    dataset.select_option("spirals")  # the value the server knows is unchanged
    page.wait_for_function("() => window.__lab.state.settings.dataset === 'spirals'")
    expect(dataset).to_have_value("spirals")
    page.get_by_label("Language / 言語").select_option("en")
    expect(dataset.locator("option[value=spirals]")).to_have_text("spirals")
    log.assert_clean(lab.origin)
