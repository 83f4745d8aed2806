"""demos/xor.py and demos/seed_bug.py run (with --quick) and say what they should.

They run in a temporary directory and write any file there, never into the source tree.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The demos import tinygrad_edu: found through PYTHONPATH whether or not it is installed.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def run_demo(name, *args, cwd):
    proc = subprocess.run([sys.executable, str(ROOT / "demos" / name), *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=300)
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
    agreement = re.search(r"delta rule vs autograd: (\d+) steps compared, "
                          r"largest relative disagreement (\S+) \(limit 1e-12\)", out)
    assert agreement, out
    assert int(agreement.group(1)) == 4 * 1000          # every sample of every epoch
    assert float(agreement.group(2)) <= 1e-12
    # the loss goes down between the first and the last report
    losses = [float(v) for v in re.findall(r"^\s*\d+\s+([0-9.]+)$", out, re.M)]
    assert len(losses) >= 2 and losses[-1] < losses[0] / 5
    assert (graph.parent / "xor.dot").read_text().startswith("digraph")   # the DOT source, always
    if graph.exists():                                   # rendered: needs Graphviz's dot program
        assert graph.read_text().lstrip().startswith(("<?xml", "<svg"))
        assert "graph of one sample's loss (x = [0, 1], t = 1): graphs/xor.svg" in out
    else:                                                # or one line saying why not
        assert re.search(r"^graph: not rendered \(.+\)$", out, re.M), out


def test_xor_demo_without_a_graph_writes_nothing(tmp_path):
    out = run_demo("xor.py", "--quick", "--no-graph", cwd=tmp_path)
    assert "XOR learned: 4 of 4 correct" in out and not re.search(r"^graph", out, re.M)
    assert list(tmp_path.iterdir()) == []


def test_xor_demo_refuses_a_graph_path_it_cannot_draw(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "demos" / "xor.py"), "--graph", "x.txt"],
                          cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--graph must end in .svg, .png, .pdf, .dot" in proc.stderr


def test_seed_bug_demo_names_the_wrong_updates(tmp_path):
    out = run_demo("seed_bug.py", "--quick", cwd=tmp_path)
    verdicts = dict(re.findall(r"^(w_im\[\d\]\[\d\]|w_mo\[0\]\[\d\]|b_m\[\d\]|b_o\[0\])\s.*\s(ok|MISMATCH)$",
                               out, re.M))
    assert len(verdicts) == 13, out
    for name, verdict in verdicts.items():
        expected = "MISMATCH" if name.startswith(("w_im", "b_m")) else "ok"
        assert verdict == expected, name
    flagged = re.search(r"The machine flags 9 of 13 updates: (.*?)\.\n\*", out, re.S)
    assert flagged, out
    assert set(re.split(r",\s+", flagged.group(1).strip())) == {
        n for n, v in verdicts.items() if v == "MISMATCH"}
    assert "gradcheck(E, 13 parameters) passes" in out
    assert "delta rule and autograd vs finite differences: all 13 agree" in out
    assert "corrected (train_fixed): all 13 agree" in out
    # the seed's hidden-weight steps are the right ones divided by delta_o
    ratio = re.search(r"seed / right = (\S+), 1 / delta_o = (\S+)\.", out)
    assert ratio and ratio.group(1) == ratio.group(2)
    seed_row = re.search(r"^seed's train\(\)\s+([0-9.]+) .* (did not learn XOR|learned XOR)$", out, re.M)
    rule_row = re.search(r"^delta rule\s+([0-9.]+) .* (did not learn XOR|learned XOR)$", out, re.M)
    assert rule_row.group(2) == "learned XOR"
    assert float(rule_row.group(1)) < float(seed_row.group(1))
    assert list(tmp_path.iterdir()) == []                 # it writes no file
