"""Smoke-run demos/jit_source.py with --quick and check what it prints."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_jit_source_demo(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "demos", "jit_source.py"), "--quick"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # The generated backward code, next to the seed's formulas.
    assert "g_u_o = error * output_o * (1.0 - output_o)" in out                   # delta_o
    for m in range(3):
        assert f"g_u_m{m} = g_output_m{m} * output_m{m} * (1.0 - output_m{m})" in out   # delta_m
        assert f"g_w_im_{m}_0 = g_u_m{m} * x_0" in out
    assert "seed: delta_o = (output_o - correct) * output_o * (1.0 - output_o)" in out
    assert re.search(r"seed: delta_m0 = .*\n  jit:  g_output_m0 = g_u_o \* w_mo_0_0\n"
                     r" +g_u_m0 = g_output_m0 \* output_m0 \* \(1\.0 - output_m0\)", out)
    assert re.search(r"seed: b_m\[0\] -= k \* delta_m0\n  jit:  g_b_m_0 = g_u_m0", out)
    # Training: the compiled and the eager runs agree, and XOR is learned.
    assert "1000 epochs" in out
    assert re.search(r"speed-up over eager mode: [0-9.]+x", out)     # measured, never asserted on
    assert re.search(r"both end with the same weights \(largest difference [0-9.e+-]+\)", out)
    assert "XOR learned: 4 of 4 correct" in out
