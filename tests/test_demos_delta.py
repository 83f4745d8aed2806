"""demos/xor.py and demos/seed_bug.py run (with --quick) and say what they should.

They run in a temporary directory and write any file there, never into the source tree.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu import Value
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP

ROOT = Path(__file__).resolve().parent.parent
# The demos import tinygrad_edu: found through PYTHONPATH whether or not it is installed.
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
}


def run_demo(name, *args, cwd):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "demos" / name), *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_xor_demo_learns_xor_and_checks_every_step(tmp_path):
    graph = tmp_path / "graphs" / "xor.svg"
    out = run_demo("xor.py", "--quick", "--graph", str(graph), cwd=tmp_path)
    rows = re.findall(r"^\s+([01])\s+([01])\s+([01])\s+([0-9.]+)\s+([01])\s+(\S+)$", out, re.M)
    assert len(rows) == 4, out
    for x1, x2, target, output, rounded, verdict in rows:
        assert int(target) == int(x1) ^ int(x2)
        assert abs(float(output) - int(target)) < 0.5
        assert rounded == target and verdict == "ok"
    assert "XOR learned: 4 of 4 correct" in out
    agreement = re.search(
        r"delta rule vs autograd: (\d+) steps compared, "
        r"largest relative disagreement (\S+) \(limit 1e-12\)",
        out,
    )
    assert agreement, out
    assert int(agreement.group(1)) == 4 * 1000  # every sample of every epoch
    assert float(agreement.group(2)) <= 1e-12
    # the loss goes down between the first and the last report
    losses = [float(v) for v in re.findall(r"^\s*\d+\s+([0-9.]+)$", out, re.M)]
    assert len(losses) >= 2 and losses[-1] < losses[0] / 5
    dot = (graph.parent / "xor.dot").read_text()  # the DOT source, always
    assert dot.startswith("digraph")
    assert_seed_names(dot)
    if graph.exists():  # rendered: needs Graphviz's dot program
        assert graph.read_text().lstrip().startswith(("<?xml", "<svg"))
        assert "graph of one sample's loss (x = [0, 1], correct = 1): graphs/xor.svg" in out
    else:  # or one line saying why not
        assert re.search(r"^graph: not rendered \(.+\)$", out, re.M), out


def assert_seed_names(dot):
    """The diagram names the steps of the loss as seed 000 does, and every leaf."""
    names = set(re.findall(r'label="\{([^|{}]+?) \|', dot))
    assert {
        "x_0",
        "x_1",
        "u_m0",
        "u_m1",
        "u_m2",
        "output_m0",
        "output_m1",
        "output_m2",
        "u_o",
        "output_o",
        "correct",
        "error",
        "½",
        "E",
    } <= names, sorted(names)
    assert not re.search(r'label="\{data ', dot)  # no nameless box (the target, the ½)


def test_seed000_names_build_the_models_own_loss():
    """demos/_seed000.py's labelled network is the MLP itself: same loss, same gradients."""
    sys.path.insert(0, str(ROOT / "demos"))
    try:
        from _seed000 import seed_network_loss, seed_parameters
    finally:
        sys.path.remove(str(ROOT / "demos"))
    for seed, x, t in ((1, [0.0, 1.0], 1.0), (7, [0.3, -1.2], 0.0)):
        model = MLP(2, [3, 1], activation="sigmoid", seed=seed)
        model.zero_grad()
        expected = sum_of_squares(model(x), [t])
        expected.backward()
        grads = [p.grad for p in model.parameters()]
        model.zero_grad()
        loss = seed_network_loss(*seed_parameters(model), [Value(a) for a in x], Value(t))
        loss.backward()
        assert loss.data == expected.data
        assert [p.grad for p in model.parameters()] == grads
        assert sum(g != 0.0 for g in grads) >= 10  # real gradients reached the model
        assert (loss.label, loss.parents[0].label) == ("E", "½")


def test_the_committed_xor_diagram_is_the_default_runs(tmp_path):
    """docs/xor_graph.dot (and the .svg drawn from it) come from `python demos/xor.py`."""
    run_demo("xor.py", "--graph", str(tmp_path / "xor_graph.dot"), cwd=tmp_path)
    assert (ROOT / "docs" / "xor_graph.dot").read_text() == (
        tmp_path / "xor_graph.dot"
    ).read_text(), (
        "docs/xor_graph.dot is stale: regenerate with `python demos/xor.py` and copy "
        "demos/out/xor_graph.svg and demos/out/xor_graph.dot to docs/"
    )


def test_xor_demo_without_a_graph_writes_nothing(tmp_path):
    out = run_demo("xor.py", "--quick", "--no-graph", cwd=tmp_path)
    assert "XOR learned: 4 of 4 correct" in out and not re.search(r"^graph", out, re.M)
    assert list(tmp_path.iterdir()) == []


def test_xor_demo_refuses_a_graph_path_it_cannot_draw(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "demos" / "xor.py"), "--graph", "x.txt"],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--graph must end in .svg, .png, .pdf, .dot" in proc.stderr


def test_seed_bug_demo_names_the_wrong_updates(tmp_path):
    out = run_demo("seed_bug.py", "--quick", cwd=tmp_path)
    verdicts = dict(
        re.findall(
            r"^(w_im\[\d\]\[\d\]|w_mo\[0\]\[\d\]|b_m\[\d\]|b_o\[0\])\s.*\s(ok|MISMATCH)$", out, re.M
        )
    )
    assert len(verdicts) == 13, out
    for name, verdict in verdicts.items():
        expected = "MISMATCH" if name.startswith(("w_im", "b_m")) else "ok"
        assert verdict == expected, name
    flagged = re.search(r"The machine flags 9 of 13 updates: (.*?)\.\n\*", out, re.S)
    assert flagged, out
    assert set(re.split(r",\s+", flagged.group(1).strip())) == {
        n for n, v in verdicts.items() if v == "MISMATCH"
    }
    assert "gradcheck(E, 13 parameters) passes" in out
    assert "delta rule and autograd vs finite differences: all 13 agree" in out
    assert "corrected (train_fixed): all 13 agree" in out
    # the seed's hidden-weight steps are the right ones divided by delta_o
    ratio = re.search(
        r"leaving out the factor delta_o:\n"
        r"  each w_im step is (\S+) times the right one, and (\S+) = 1 / delta_o\.\n",
        out,
    )
    assert ratio and ratio.group(1) == ratio.group(2), out
    delta_o = float(re.search(r"delta_o = ([0-9.]+), k = 0\.3\.", out).group(1))
    assert float(ratio.group(1)) == pytest.approx(1 / delta_o, rel=1e-3)
    for row in re.findall(r"^w_im\[\d\]\[\d\]\s+(\S+)\s+(\S+)\s", out, re.M):  # seed, delta rule
        seed_step, right_step = map(float, row)
        assert seed_step / right_step == pytest.approx(float(ratio.group(1)), rel=2e-3)
    seed_row = re.search(
        r"^seed's train\(\)\s+([0-9.]+) .* (did not learn XOR|learned XOR)$", out, re.M
    )
    rule_row = re.search(r"^delta rule\s+([0-9.]+) .* (did not learn XOR|learned XOR)$", out, re.M)
    assert rule_row.group(2) == "learned XOR"
    assert float(rule_row.group(1)) < float(seed_row.group(1))
    assert list(tmp_path.iterdir()) == []  # it writes no file
