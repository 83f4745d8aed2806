"""The lab without a browser: the session's training and checks, the server's refusals."""

import json
import math

import pytest

from tinygrad_edu._optional import install_hint
from tinygrad_edu.lab import CHOICES, LIMITS, LabError, LabSession, make_points
from tinygrad_edu.nn import MLP

pytest.importorskip(
    "starlette", reason=f"the lab's server needs the lab extra: {install_hint('lab')}"
)
pytest.importorskip("httpx", reason="Starlette's test client needs httpx")

from starlette.testclient import TestClient  # noqa: E402

from tinygrad_edu.labserver import create_app  # noqa: E402


@pytest.fixture
def session():
    s = LabSession(seed=1)
    s.handle({"type": "settings", "hidden": [4]})
    return s


def test_training_lowers_the_loss(session):
    first = session.train_step()
    for _ in range(150):
        last = session.train_step()
    assert last["step"] == 151 and last["loss"] < first["loss"]


def test_a_steps_gradients_are_the_engines_on_the_batchs_mean_loss(session):
    before = [p.data for p in session.parameters]
    session.train_step()  # batch size 0: every point
    used = [p.grad for p in session.parameters]
    assert all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        for a, b in zip(used, _grads_of(session, before))
    )


def _grads_of(session, weights):
    """The mean loss's gradients at ``weights``, by the engine on a fresh copy of the network."""
    from tinygrad_edu.lab import _squared_error

    net = MLP(
        2,
        session.settings["hidden"] + [1],
        activation=session.settings["activation"],
        output_activation="sigmoid",
        seed=0,
    )
    for p, w in zip(net.parameters(), weights):
        p.data = w
    total = sum(_squared_error(net([x, y])[0], float(t)) for x, y, t in session.points)
    (total * (1.0 / len(session.points))).backward()
    return [p.grad for p in net.parameters()]


@pytest.mark.parametrize("name", CHOICES["datasets"])
def test_every_data_set_has_two_classes_within_the_limits(name):
    points = make_points(name, 100, seed=3)
    assert len(points) == 100 and {t for _, _, t in points} == {0, 1}
    assert all(
        abs(x) <= LIMITS["max_coordinate"] and abs(y) <= LIMITS["max_coordinate"]
        for x, y, _ in points
    )


@pytest.mark.parametrize(
    "message, words",
    [
        ({"type": "settings", "learning_rate": float("nan")}, "learning rate"),
        ({"type": "settings", "learning_rate": 1e308}, "at most 10"),
        ({"type": "settings", "learning_rate": "0.1"}, "learning rate"),
        ({"type": "settings", "hidden": [10**6]}, "from 1 to 32"),
        ({"type": "settings", "hidden": [4] * 10}, "1 to 3 sizes"),
        ({"type": "settings", "hidden": "16"}, "list"),
        ({"type": "settings", "batch_size": -1}, "batch size"),
        ({"type": "settings", "optimizer": "lbfgs"}, "unknown optimizer"),
        ({"type": "settings", "activation": "__import__('os')"}, "unknown activation"),
        ({"type": "settings", "colour": "red"}, "unknown setting"),
        ({"type": "dataset", "name": "mnist"}, "unknown data set"),
        ({"type": "add_point", "x": 1e9, "y": 0, "label": 0}, "between"),
        ({"type": "add_point", "x": 0, "y": 0, "label": 2}, "label must be 0 or 1"),
        ({"type": "add_point", "x": float("inf"), "y": 0, "label": 0}, "finite"),
        ({"type": "remove_point", "index": 10**6}, "index"),
        ({"type": "select", "index": -1}, "index"),
        ({"type": "frobnicate"}, "unknown message type"),
        ({"no": "type"}, "unknown message type"),
        (["a", "list"], "JSON object"),
        ({"type": "load_model", "text": "{not json"}, "not valid JSON"),
        ({"type": "load_model", "text": "x" * 1_000_001}, "at most"),
    ],
)
def test_a_bad_message_is_refused_with_its_reason_and_changes_nothing(session, message, words):
    before = (dict(session.settings), list(session.points), [p.data for p in session.parameters])
    with pytest.raises(LabError, match=words):
        session.handle(message)
    assert before == (
        dict(session.settings),
        list(session.points),
        [p.data for p in session.parameters],
    )


def test_too_many_points_are_refused(session):
    session.points = [(0.0, 0.0, 0)] * LIMITS["max_points"]
    with pytest.raises(LabError, match="at most 500 points"):
        session.handle({"type": "add_point", "x": 0.1, "y": 0.1, "label": 1})


def test_points_are_added_removed_and_selected(session):
    n = len(session.points)
    session.handle({"type": "add_point", "x": 0.25, "y": -0.5, "label": 1})
    assert session.points[-1] == (0.25, -0.5, 1) and len(session.points) == n + 1
    out = session.handle({"type": "select", "index": n})
    selection = out[-1]
    assert selection["type"] == "selection" and selection["point"] == [0.25, -0.5, 1]
    assert selection["page_html"].startswith("<!DOCTYPE html>")
    assert selection["delta"]["agree"] and selection["delta"]["max_difference"] < 1e-9
    assert out[0]["neurons"][0]["activation"] is not None  # each neuron's activation shown
    session.handle({"type": "remove_point", "index": n})
    assert len(session.points) == n and session.selected is None


def test_the_delta_rule_view_agrees_with_autograd_for_a_sigmoid_network():
    s = LabSession(seed=2)
    s.handle({"type": "settings", "activation": "sigmoid", "hidden": [3]})
    for _ in range(5):
        s.train_step()
    view = s.handle({"type": "select", "index": 0})[-1]["delta"]
    names = [r["name"] for r in view["rows"]]
    assert names == ["δ_m"] * 3 + ["δ_0"]
    assert len(view["weights"]) == 2 * 3 + 3 and view["agree"]
    for r in view["rows"]:
        assert math.isclose(r["delta_rule"], r["autograd"], rel_tol=1e-9, abs_tol=1e-15)


def test_a_model_saved_by_the_lab_loads_with_nn_and_back(session, tmp_path):
    text = session.handle({"type": "save_model"})[0]["text"]
    path = tmp_path / "lab-model.json"
    path.write_text(text)
    net = MLP.load(path)
    assert [p.data for p in net.parameters()] == [p.data for p in session.parameters]
    other = MLP(2, [5, 1], activation="relu", output_activation="sigmoid", seed=9)
    other.save(tmp_path / "other.json")
    out = session.handle(
        {
            "type": "load_model",
            "filename": "other.json",
            "text": (tmp_path / "other.json").read_text(),
        }
    )
    assert out[0]["type"] == "state" and out[0]["settings"]["hidden"] == [5]
    assert out[0]["settings"]["activation"] == "relu"
    assert [p.data for p in session.parameters] == [p.data for p in other.parameters()]


def test_a_model_the_lab_cannot_train_is_refused(session, tmp_path):
    wide = MLP(3, [2, 1], output_activation="sigmoid", seed=0)
    wide.save(tmp_path / "wide.json")
    with pytest.raises(LabError, match="takes 3 inputs"):
        session.handle(
            {
                "type": "load_model",
                "filename": "wide.json",
                "text": (tmp_path / "wide.json").read_text(),
            }
        )


def test_a_number_that_stops_being_finite_pauses_training_and_changes_nothing(session):
    def overflowing(params, x, t):  # what the jit raises, naming the op
        raise OverflowError("f (compiled): a gradient is not finite: g_t3 = ... (mul)")

    session._sample = overflowing
    session.playing = True
    before = [p.data for p in session.parameters]
    with pytest.raises(LabError, match="training paused: a number stopped being finite"):
        session.play_frame()
    assert not session.playing
    assert [p.data for p in session.parameters] == before  # no step taken


def test_the_heat_map_is_the_networks_output_on_the_grid(session):
    h = session.heatmap()
    xmin, xmax, ymin, ymax = session.bounds()
    i, j = 7, 31
    x = xmin + (i + 0.5) * (xmax - xmin) / h["nx"]
    y = ymin + (j + 0.5) * (ymax - ymin) / h["ny"]
    assert len(h["values"]) == h["nx"] * h["ny"] == 1600
    assert math.isclose(h["values"][j * h["nx"] + i], session.model([x, y])[0].data, abs_tol=1e-4)


# -- the server ----------------------------------------------------------------

TOKEN = "t0ken"


@pytest.fixture
def client():
    return TestClient(create_app(TOKEN, allowed_hosts={"testserver"}))


def test_the_page_needs_the_token_and_the_servers_own_host(client):
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert client.get(f"/?token={TOKEN}", headers={"host": "evil.example"}).status_code == 403
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    assert "<!--SCRIPT-->" not in r.text and "<script>" in r.text
    assert "http://" not in r.text.replace("http://www.w3.org", "") and "https://" not in r.text


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/ws", {"origin": "http://testserver"}),  # no token
        ("/ws?token=wrong", {"origin": "http://testserver"}),
        (f"/ws?token={TOKEN}", {"origin": "http://evil.example"}),  # another page
        (f"/ws?token={TOKEN}", {}),  # no Origin at all
    ],
)
def test_a_websocket_without_the_token_or_from_another_origin_is_refused(client, path, headers):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect(path, headers=headers) as ws:
        ws.receive_text()


def _open(client):
    ws = client.websocket_connect(f"/ws?token={TOKEN}", headers={"origin": "http://testserver"})
    return ws


def test_the_live_channel_answers_and_survives_hostile_messages(client):
    with _open(client) as ws:
        kinds = [json.loads(ws.receive_text())["type"] for _ in range(3)]
        assert kinds == ["hello", "state", "frame"]
        for bad in [
            "not json",
            "[" * 100_000,
            json.dumps({"type": "settings", "learning_rate": 1e308}),
            json.dumps({"type": "settings", "hidden": [10**6]}),
            json.dumps({"type": "add_point", "x": 0, "y": 0, "label": 0, "extra": "x" * 10}),
        ]:
            ws.send_text(bad)
            answer = json.loads(ws.receive_text())
            if answer["type"] == "state":  # the last one is fine: extra keys are ignored
                assert json.loads(ws.receive_text())["type"] == "frame"
                break
            assert answer["type"] == "error" and answer["message"]
        ws.send_bytes(b"\x00\x01")
        assert json.loads(ws.receive_text())["type"] == "error"
        ws.send_text(json.dumps({"type": "step"}))
        assert json.loads(ws.receive_text())["type"] == "frame"


def test_play_sends_frames_until_pause(client):
    with _open(client) as ws:
        for _ in range(3):
            ws.receive_text()
        ws.send_text(json.dumps({"type": "play"}))
        steps = [json.loads(ws.receive_text())["step"] for _ in range(4)]
        assert steps == sorted(steps) and steps[-1] > steps[0] >= 1
        ws.send_text(json.dumps({"type": "pause"}))


# -- serve(): what it prints, in the language in force -----------------------------


@pytest.fixture
def no_run(monkeypatch):
    """serve() without running the server: uvicorn's run ends at once, as on Ctrl-C."""
    import uvicorn

    def interrupted(self, sockets=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(uvicorn.Server, "run", interrupted)


def test_serve_prints_its_lines_in_the_language_in_force(no_run, capsys):
    from io import StringIO

    from tinygrad_edu.i18n import language
    from tinygrad_edu.labserver import serve

    out = StringIO()
    with language("ja"):
        assert serve(port=0, open_browser=False, out=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("ラボは http://127.0.0.1:") and lines[0].endswith(" で動いています")
    assert "/?token=" in lines[0]
    assert lines[1:] == ["(Ctrl-C で停止します)", "ラボを停止しました"]
    assert capsys.readouterr().err == ""  # 127.0.0.1: no warning

    out = StringIO()
    with language("en"):
        serve(port=0, open_browser=False, out=out)
    assert out.getvalue().startswith("the lab is at http://127.0.0.1:")
    assert out.getvalue().endswith("\n(Ctrl-C stops it)\nthe lab stopped\n")


def test_serve_warns_in_the_language_in_force_when_it_listens_beyond_localhost(no_run, capsys):
    from io import StringIO

    from tinygrad_edu.i18n import language
    from tinygrad_edu.labserver import serve

    out = StringIO()
    with language("ja"):
        serve(host="127.0.0.2", port=0, open_browser=False, out=out)  # another address
    err = capsys.readouterr().err
    assert err.startswith("警告: ラボは 127.0.0.2 で待ち受けていて") and "トークン" in err
    assert out.getvalue().startswith("ラボは http://127.0.0.2:")


def test_serves_lang_names_the_language_of_the_page_and_of_its_lines(no_run):
    from io import StringIO

    from tinygrad_edu.i18n import language
    from tinygrad_edu.labserver import serve

    out = StringIO()
    with language("en"):
        serve(port=0, open_browser=False, out=out, lang="ja")
    assert out.getvalue().startswith("ラボは http://")


def test_without_the_lab_extra_serve_says_so_in_the_language_in_force(monkeypatch):
    import sys

    from tinygrad_edu.i18n import language
    from tinygrad_edu.labserver import LabNotInstalled, serve

    monkeypatch.setitem(sys.modules, "websockets", None)  # import websockets fails
    with language("ja"), pytest.raises(LabNotInstalled) as err:
        serve(port=0, open_browser=False)
    assert str(err.value).startswith("ラボには websockets が必要ですが、インストールされていません")
    assert "pip install" in str(err.value)
    with language("en"), pytest.raises(LabNotInstalled, match="the lab needs websockets"):
        serve(port=0, open_browser=False)


# -- the network's legend: text beside the picture, not inside it -------------------


def test_the_networks_legend_is_text_apart_from_its_picture():
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` is not installed")
    for lang, start in [("en", "arrows: one per weight"), ("ja", "矢印: ")]:
        state = LabSession(seed=0, lang=lang).state()
        legend = state["network_legend"]
        assert legend.startswith(start) and "|w|" in legend, legend
        assert "|w|" not in state["network_svg"]  # no tiny copy left in the drawing
