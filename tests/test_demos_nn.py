"""Smoke-run the network demos with --quick and check what they print."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def run_demo(name, *args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "demos", f"{name}.py"), "--quick", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def percent(text, label):
    m = re.search(rf"{label}: ([0-9.]+)%", text)
    assert m, f"no '{label}' line in:\n{text}"
    return float(m.group(1))


def check_picture(out_path, stdout, stderr):
    if HAVE_MATPLOTLIB:
        with open(out_path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert f"written to {out_path}" in stdout
    else:
        assert not os.path.exists(out_path)
        assert 'install the extra: pip install "tinygrad-edu[demos]"' in stderr


def test_moons(tmp_path):
    out = str(tmp_path / "moons.png")
    stdout, stderr = run_demo("moons", "--out", out, cwd=tmp_path)
    assert "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')" in stdout
    assert percent(stdout, "training accuracy") >= 85.0
    assert percent(stdout, r"test accuracy \(200 new points\)") >= 80.0
    check_picture(out, stdout, stderr)


def test_layernet(tmp_path):
    stdout, _ = run_demo("layernet", cwd=tmp_path)
    for name, shape in (("W1", "2 x 20"), ("b1", "20"), ("W2", "20 x 3"), ("b2", "3")):
        assert re.search(rf"{name}: {shape}\s", stdout)
    assert "Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss" in stdout
    assert percent(stdout, "training accuracy") >= 80.0  # chance is 33%
    assert percent(stdout, r"test accuracy \(150 new points\)") >= 75.0


def test_optimizers(tmp_path):
    out = str(tmp_path / "opt.png")
    stdout, stderr = run_demo("optimizers", "--out", out, cwd=tmp_path)
    finals = {}
    for name in ("SGD", "Momentum", "AdaGrad", "Adam"):
        m = re.search(rf"^{name}\s+\S+\s+(\S+)\s+(\S+)\s+(\S+)$", stdout, re.M)
        assert m, stdout
        finals[name] = tuple(float(v) for v in m.groups())
    start = (-7.0) ** 2 / 20 + 2.0**2  # f at the start: 6.45
    for name, (x, y, fxy) in finals.items():
        assert fxy == pytest.approx(x * x / 20 + y * y, abs=1e-4)
        assert fxy < start / 20, name
    assert abs(finals["AdaGrad"][1]) < 1e-3  # AdaGrad settles y first
    check_picture(out, stdout, stderr)


def load_demo(name):
    """Import demos/<name>.py as a module (the demos are scripts, not a package; they
    import their helpers, demos/_language.py, from the folder they are in)."""
    spec = importlib.util.spec_from_file_location(
        f"demo_{name}", os.path.join(ROOT, "demos", f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.join(ROOT, "demos"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.path.join(ROOT, "demos"))
    return module


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the demos extra)")
def test_optimizers_plot_titles_say_what_was_run(tmp_path, monkeypatch):
    demo = load_demo("optimizers")
    figures = []
    monkeypatch.setattr(demo, "save_figure", lambda fig, out, dpi: figures.append(fig) or out)
    # Different step counts in one call, so a title taken from the wrong trajectory shows.
    paths = {"SGD": demo.descend(demo.SGD, 0.95, 4), "Adam": demo.descend(demo.Adam, 0.3, 2)}
    assert demo.plot(paths, str(tmp_path / "o.png"), n=5) == str(tmp_path / "o.png")
    (fig,) = figures
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    x, y = paths["SGD"][-1]
    assert titles[0] == f"SGD: ends at ({x:.3f}, {y:.3f})"
    assert fig._suptitle.get_text() == "f(x, y) = x²/20 + y², up to 4 steps from (-7.0, 2.0)"
    figures.clear()
    demo.plot(
        {"SGD": paths["SGD"], "Momentum": demo.descend(demo.Momentum, 0.1, 4)},
        str(tmp_path / "o.png"),
        n=5,
    )
    assert figures[0]._suptitle.get_text() == "f(x, y) = x²/20 + y², 4 steps from (-7.0, 2.0)"


def test_bad_option_is_refused(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "demos", "moons.py"), "--steps", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and "--steps must be positive" in proc.stderr


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the demos extra)")
def test_optimizers_plot_tick_labels_do_not_collide(tmp_path, monkeypatch):
    """Neighbouring subplots' tick labels (once "10.0" met "-10.0") never overlap."""
    demo = load_demo("optimizers")
    figures = []
    monkeypatch.setattr(demo, "save_figure", lambda fig, out, dpi: figures.append(fig) or out)
    demo.plot(
        {name: demo.descend(cls, lr, 3) for name, cls, lr in demo.RACERS},
        str(tmp_path / "o.png"),
        n=5,
    )
    (fig,) = figures
    fig.canvas.draw()
    boxes = [
        (i, label.get_window_extent())
        for i, ax in enumerate(fig.axes)
        for label in ax.get_xticklabels() + ax.get_yticklabels()
        if label.get_visible() and label.get_text()
    ]
    assert len(boxes) >= 20  # x labels under the bottom row, y labels left of the left column
    clashes = [
        (a, b)
        for n, (i, a) in enumerate(boxes)
        for j, b in boxes[n + 1 :]
        if i != j and a.overlaps(b)
    ]
    assert clashes == []
