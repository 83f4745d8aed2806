"""Time the jit against hand-written floats, the eager engine and micrograd, in one run.

    python benchmarks/bench_jit.py            # full run (a few minutes)
    python benchmarks/bench_jit.py --quick    # smoke run (100,000-op chain, fewer repeats)
    python benchmarks/bench_jit.py --json results.json

Workloads are those of bench_engine.py (see common.py): one full-batch training
step of MLP(2, [16, 16, 1]) on 100 two-moons points (max-margin loss + L2,
then SGD), and a chain of 1,000,000 ops, forward + backward.  The jit runs them
two ways:

* per sample: the loss of one point, ``relu(1 - y * score)``, compiled once as
  a function of (parameters, x, y); the step runs it over the 100 points,
  accumulates the gradients and adds L2 and the update in plain floats;
* whole batch: the full loss (data frozen into the code) compiled as one
  function of the parameters.

The one-off trace-and-compile time is reported separately from the per-step
time.  Every time, the one-off ones included, is CPU seconds of this process
(``time.process_time``, as in bench_engine.py).  Ratios are times divided by
the hand-written floats' (the floor for pure Python).  Every implementation is
first checked to take the same step.

In the chain the gradient is the same product of constants for every x, so
the jit folds it while writing the code: its row times the forward pass only,
and is labelled so.
"""

import gc
import math
import operator
import platform
import statistics
import time

try:
    from . import common
    from .bench_engine import (
        FLOATS,
        MG,
        MG_NOGC,
        OURS,
        MicrogradValue,
        _timed,
        time_chain,
        time_training,
    )
except ImportError:  # run as a script
    import common
    from bench_engine import (
        FLOATS,
        MG,
        MG_NOGC,
        OURS,
        MicrogradValue,
        _timed,
        time_chain,
        time_training,
    )

from tinygrad_edu import Value, jit
from tinygrad_edu._optional import install_hint

JIT_SAMPLE, JIT_BATCH = "jit, per-sample function", "jit, whole batch traced"
JIT_CHAIN = "jit (backward folded at compile time)"


def _cpu_timed(make):
    """(make(), the CPU seconds it took): one-off times on the same clock as the step times."""
    start = time.process_time()
    result = make()
    return result, time.process_time() - start


def unflat(ps, sizes=common.SIZES):
    """common.flat undone: ``params[layer][neuron] = (weights, bias)`` from a flat list."""
    it = iter(ps)
    return [
        [([next(it) for _ in range(n_in)], next(it)) for _ in range(n_out)]
        for n_in, n_out in zip(sizes, sizes[1:])
    ]


def sample_loss(ps, x, y):
    """The max-margin loss of one point, before the mean: relu(1 - y * score)."""
    return (1 + -y * common.mlp(unflat(ps), x)).relu()


def compile_per_sample(X, Y):
    """(the compiled per-sample loss, CPU seconds to trace and compile it)."""
    return _cpu_timed(
        lambda: jit(sample_loss, common.flat(common.init_params()), X[0], Y[0], argnums=0)
    )


def per_sample_step(f, p, X, Y, learning_rate=0.5):
    """One full-batch step: the compiled function over every point, gradients summed,
    then the mean, L2 and the SGD update in floats.  Updates ``p`` in place."""
    acc = [0.0] * len(p)
    add = operator.add
    data_loss = 0.0
    for x, y in zip(X, Y):
        value, grads = f(p, x, y)
        if value > 0.0:  # relu(margin) = 0: the point is flat, its gradients all zero
            data_loss += value
            acc = list(map(add, acc, grads))
    inv_n = 1.0 / len(X)
    reg = 2.0 * common.L2
    reg_loss = sum(w * w for w in p)
    p[:] = [w - learning_rate * (a * inv_n + reg * w) for w, a in zip(p, acc)]
    return data_loss * inv_n + common.L2 * reg_loss


def compile_whole_batch(X, Y):
    """(the whole-batch loss compiled as one function of the parameters, with the
    points frozen into its code; CPU seconds to trace and compile it)."""
    return _cpu_timed(
        lambda: jit(
            lambda ps: common.loss(unflat(ps), X, Y, Value),
            common.flat(common.init_params()),
            argnums=0,
        )
    )


def whole_batch_step(f, p, learning_rate=0.5):
    """One step with the whole-batch function (its loss already has the mean and L2):
    the SGD update in floats.  Updates ``p`` in place; returns the loss."""
    value, grads = f(p)
    p[:] = [w - learning_rate * g for w, g in zip(p, grads)]
    return value


def chain_function(n):
    """The chain of common.chain (alternately + 0.5 and * CHAIN_FACTOR) as a function of x."""

    def chain(x):
        y = x
        for _ in range(n // 2):
            y = y + 0.5
            y = y * common.CHAIN_FACTOR
        return y

    return chain


# ---------------------------------------------------------------------------


def check_same_step(X, Y, f_sample, f_batch):
    """The jit's steps match the hand-written floats' to 1e-9."""
    reference = common.init_params()
    loss_floats = common.float_training_step(reference, X, Y)
    expected = common.flat(reference)
    for name, step in (
        (JIT_SAMPLE, lambda p: per_sample_step(f_sample, p, X, Y)),
        (JIT_BATCH, lambda p: whole_batch_step(f_batch, p)),
    ):
        p = common.flat(common.init_params())
        loss = step(p)
        worst = max(abs(a - b) for a, b in zip(p, expected))
        if abs(loss - loss_floats) > 1e-9 or worst > 1e-9:
            raise SystemExit(
                f"{name} takes a different step from the hand-written floats "
                f"(loss {loss!r} vs {loss_floats!r}, largest parameter difference {worst:.3g})"
            )


def time_jit_training(step, repeats):
    """CPU seconds of ``repeats`` consecutive ``step(p)`` calls, after one untimed warm-up."""
    p = common.flat(common.init_params())
    gc.collect()
    step(p)
    times = [_timed(lambda: step(p)) for _ in range(repeats)]
    gc.collect()
    return times


def time_jit_chain(n, repeats):
    """(run times, trace-and-compile seconds, (forward, backward) line counts) of the
    compiled chain, all CPU seconds; checks its value and gradient first."""
    gc.collect()
    f, compile_s = _cpu_timed(lambda: jit(chain_function(n), 0.5))
    g_floats, y_floats = common.float_chain(n)
    value, (g,) = f(0.5)
    if abs(g - g_floats) > 1e-9 * abs(g_floats) or abs(value - y_floats) > 1e-9 * abs(y_floats):
        raise SystemExit(
            f"jit chain: ({value!r}, {g!r}) differs from the floats' ({y_floats!r}, {g_floats!r})"
        )
    times = [_timed(lambda: f(0.5)) for _ in range(repeats)]  # noqa: F821 (runs before the del below)
    lines = (f.forward_lines, f.backward_lines)
    del f
    gc.collect()
    return times, compile_s, lines


def main(argv=None):
    """Check every implementation takes the same step, then time them and print the tables."""
    args = common.parse_options(__doc__, argv)
    n_chain, repeats = args.chain_ops, args.repeats
    if MicrogradValue is None:
        print(
            f"micrograd is not installed, so timing the others only; for it: {install_hint('bench')}"
        )
    others = [FLOATS, OURS, MG, MG_NOGC] if MicrogradValue else [FLOATS, OURS]

    X, Y = common.moons()
    # The graph-building engines are timed before anything is compiled: the
    # whole-batch function's 130,000 lines stay in memory, and a bigger heap makes
    # every run of Python's cyclic garbage collector slower for whatever runs next.
    rows = {impl: time_training(impl, X, Y, repeats) for impl in others}
    f_sample, compile_sample = compile_per_sample(X, Y)
    f_batch, compile_batch = compile_whole_batch(X, Y)
    check_same_step(X, Y, f_sample, f_batch)
    print(
        f"Python {platform.python_version()} on {platform.machine()}; CPU time, median of {repeats} "
        "runs; every implementation checked to take the same step first."
    )

    results, compile_times = {}, {}
    step_name = f"MLP(2, [16, 16, 1]) training step, {len(X)} points"
    rows[JIT_SAMPLE] = time_jit_training(lambda p: per_sample_step(f_sample, p, X, Y), repeats)
    rows[JIT_BATCH] = time_jit_training(lambda p: whole_batch_step(f_batch, p), repeats)  # noqa: F821 (runs before the del below)
    results[step_name] = {
        impl: {"median_s": statistics.median(t), "times_s": t} for impl, t in rows.items()
    }
    compile_times[step_name] = {
        JIT_SAMPLE: {
            "trace_and_compile_s": compile_sample,
            "lines": [f_sample.forward_lines, f_sample.backward_lines],
        },
        JIT_BATCH: {
            "trace_and_compile_s": compile_batch,
            "lines": [f_batch.forward_lines, f_batch.backward_lines],
        },
    }
    _print_table(step_name, results[step_name], compile_times[step_name])
    del f_batch
    gc.collect()

    chain_name = f"{n_chain:,}-op chain, forward + backward"
    rows = {impl: time_chain(impl, n_chain, repeats) for impl in others}
    jit_times, compile_chain, lines = time_jit_chain(n_chain, repeats)
    rows[JIT_CHAIN] = jit_times
    results[chain_name] = {
        impl: {"median_s": statistics.median(t), "times_s": t} for impl, t in rows.items()
    }
    compile_times[chain_name] = {
        JIT_CHAIN: {"trace_and_compile_s": compile_chain, "lines": list(lines)}
    }
    _print_table(chain_name, results[chain_name], compile_times[chain_name])
    print(
        "  (the chain's gradient is the same product of constants for every x, so the jit\n"
        "   works it out while writing the code: its backward is one line, and a call runs the forward)"
    )

    common.write_json(
        args,
        clock="time.process_time (CPU seconds)",
        results=results,
        one_off=compile_times,
        ratios_vs_hand_written_floats={
            w: {i: r["median_s"] / rs[FLOATS]["median_s"] for i, r in rs.items()}
            for w, rs in results.items()
        },
    )


def _print_table(name, rows, one_off):
    floats = rows[FLOATS]["median_s"]
    common.print_table(name, rows, FLOATS, "time / hand-written floats")
    for impl, info in one_off.items():
        fwd, bwd = info["lines"]
        print(
            f"  one-off trace and compile, {impl}: {common.shown(info['trace_and_compile_s']).strip()} "
            f"({fwd:,} forward + {bwd:,} backward lines)"
        )
    best = min((impl for impl in rows if impl.startswith("jit")), key=lambda i: rows[i]["median_s"])
    t = rows[best]["median_s"]
    parts = [
        f"{best}: {t / floats:.2f}x the hand-written floats' time",
        f"{rows[OURS]['median_s'] / t:.1f}x faster than the eager engine",
    ]
    if MG in rows:
        parts.append(f"{rows[MG]['median_s'] / t:.0f}x faster than micrograd as shipped")
    print("  -> " + ", ".join(parts))
    if all(math.isfinite(r["median_s"]) for r in rows.values()) and MG_NOGC in rows:
        print(f"     (micrograd with gc off: {rows[MG_NOGC]['median_s'] / t:.0f}x the jit's time)")


if __name__ == "__main__":
    main()
