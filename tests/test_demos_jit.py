"""Smoke-run demos/jit_source.py with --quick and check what it prints."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_jit_source_demo(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "demos", "jit_source.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # The generated backward code, next to the seed's formulas.
    assert "g_u_o = error * output_o * (1.0 - output_o)" in out  # delta_o
    for m in range(3):
        assert f"g_u_m{m} = g_output_m{m} * output_m{m} * (1.0 - output_m{m})" in out  # delta_m
        assert f"g_w_im_{m}_0 = g_u_m{m} * x_0" in out
    # Seed 000's lines quoted as printed -- its two wrong ones included -- each wrong one
    # followed by the chain rule's line, then the generated lines.
    assert "seed's code: delta_o = (output_o - correct) * output_o * (1.0 - output_o)\n" in out
    assert (
        "  seed's code: delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)\n"
        "  chain rule:  delta_m0 = delta_o * self.w_mo[0][0] * output_m0 * (1.0 - output_m0)\n"
        "  jit:         g_output_m0 = g_u_o * w_mo_0_0\n"
        "               g_u_m0 = g_output_m0 * output_m0 * (1.0 - output_m0)\n"
    ) in out
    assert (
        "  seed's code: self.b_m[0] -= k * delta_o\n"
        "  chain rule:  self.b_m[0] -= k * delta_m0\n"
        "  jit:         g_b_m_0 = g_u_m0\n"
    ) in out
    assert "  seed's code: self.w_im[0][0] -= k * delta_m0 * self.input_layer[0]\n" in out
    # Every line shown as the seed's is one of its printed lines (checked against the
    # seed's code in the next test); none is a corrected one.
    assert re.findall(r"^  seed's code: (.*)$", out, re.M) == [
        "delta_o = (output_o - correct) * output_o * (1.0 - output_o)",
        "delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        "self.w_mo[0][0] -= k * delta_o * output_m0",
        "self.b_o[0] -= k * delta_o",
        "self.w_im[0][0] -= k * delta_m0 * self.input_layer[0]",
        "self.w_im[0][1] -= k * delta_m0 * self.input_layer[1]",
        "self.b_m[0] -= k * delta_o",
    ]
    # Training: the compiled and the eager runs agree, and XOR is learned.
    assert "1000 epochs" in out
    assert re.search(r"speed-up over eager mode: [0-9.]+x", out)  # measured, never asserted on
    assert re.search(r"both end with the same weights \(largest difference [0-9.e+-]+\)", out)
    assert "XOR learned: 4 of 4 correct" in out


def seed_train_lines():
    """The code lines of seed_bug.py's SeedNetwork.train, which copies seed 000's
    train() line for line (its comments are translations, so they are dropped)."""
    text = (Path(ROOT) / "demos" / "seed_bug.py").read_text(encoding="utf-8")
    body = text.split("    def train(self, correct):", 1)[1].split("\n    # ----", 1)[0]
    return {line.split("#")[0].strip() for line in body.splitlines()} - {""}


def test_the_quoted_lines_are_the_seeds_own():
    sys.path.insert(0, os.path.join(ROOT, "demos"))
    try:
        spec = importlib.util.spec_from_file_location(
            "demo_jit_source", os.path.join(ROOT, "demos", "jit_source.py")
        )
        demo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(demo)
    finally:
        sys.path.remove(os.path.join(ROOT, "demos"))
    printed = seed_train_lines()
    assert "delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)" in printed
    for quoted, corrected, _, _ in demo.SEED_LINES:
        assert quoted in printed, quoted  # quoted as printed
        assert corrected is None or corrected not in printed, corrected
    corrected = {c for _, c, _, _ in demo.SEED_LINES if c}
    assert corrected == {
        "delta_m0 = delta_o * self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        "self.b_m[0] -= k * delta_m0",
    }
