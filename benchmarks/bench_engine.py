"""Time this engine against micrograd and hand-written floats, in one run, as ratios.

    python benchmarks/bench_engine.py            # full run (a few minutes)
    python benchmarks/bench_engine.py --quick    # smoke run (seconds)
    python benchmarks/bench_engine.py --json results.json

Workloads (see common.py): a chain of 1,000,000 ops, forward + backward; and
one full-batch training step of MLP(2, [16, 16, 1]) on 100 two-moons points
(max-margin loss + L2, about 65,000 nodes), the same Python code for both
engines.  Implementations:

* tinygrad_edu, garbage collector on (as users run it), and with the
  collector paused for each step by ``tinygrad_edu.gc_paused()`` (the demos
  do this; the engine's graphs hold no cycles, so nothing piles up);
* micrograd as shipped (gc on), and micrograd with ``gc.disable()`` around
  each timed run (its graphs are reference cycles; they are collected between
  runs, outside the timing);
* plain floats, derivatives by hand: the floor for pure Python.

Times are CPU seconds of this process (``time.process_time``, garbage
collection included), so other load on a shared machine matters less; each is
the median of several runs.  Training steps run back to back, as in a training
loop.  Ratios are times divided by tinygrad_edu's.  micrograd
needs its recursion limit raised for the chain; that is done for its run only.
Before timing, the three implementations are checked to take the same step.
"""

import gc
import platform
import statistics
import sys
import time

try:
    from . import common
except ImportError:  # run as a script
    import common

import tinygrad_edu.engine as engine
from tinygrad_edu import Value, gc_paused, topological_order
from tinygrad_edu._optional import install_hint

try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:
    MicrogradValue = None

OURS, OURS_PAUSED, MG, MG_NOGC, FLOATS = (
    "tinygrad_edu (gc on)",
    "tinygrad_edu, gc_paused()",
    "micrograd as shipped (gc on)",
    "micrograd, gc disabled",
    "hand-written floats",
)


def _timed(run, gc_off=False, paused=False):
    """CPU seconds taken by run(); its result is freed after the clock stops.
    ``paused`` runs it inside gc_paused(), the way a user would, timed with it."""
    if gc_off:
        gc.disable()
    try:
        start = time.process_time()
        if paused:
            with gc_paused():
                result = run()
        else:
            result = run()
        elapsed = time.process_time() - start
    finally:
        if gc_off:
            gc.enable()
    del result
    return elapsed


def time_chain(impl, n, repeats):
    """CPU seconds of ``repeats`` runs of the n-op chain, forward + backward, for one implementation."""
    times = []
    for _ in range(repeats):
        gc.collect()
        if impl == FLOATS:
            times.append(_timed(lambda: common.float_chain(n)))
        elif impl in (OURS, OURS_PAUSED):
            times.append(_timed(lambda: common.chain(Value, n), paused=(impl == OURS_PAUSED)))
        else:
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, 2 * n + 1000))  # micrograd's topological sort recurses
            try:
                times.append(
                    _timed(lambda: common.chain(MicrogradValue, n), gc_off=(impl == MG_NOGC))
                )
            finally:
                sys.setrecursionlimit(limit)
        gc.collect()  # free cyclic garbage before the next run, untimed
    return times


def time_training(impl, X, Y, repeats):
    """Time ``repeats`` consecutive training steps (after one untimed warm-up step)."""
    params = common.init_params()
    if impl == FLOATS:
        step = lambda: common.float_training_step(params, X, Y)  # noqa: E731
    else:
        cls = Value if impl in (OURS, OURS_PAUSED) else MicrogradValue
        params = common.to_values(params, cls)
        step = lambda: common.training_step(params, X, Y, cls)  # noqa: E731
    gc.collect()
    step()
    times = []
    for _ in range(repeats):
        times.append(_timed(step, gc_off=(impl == MG_NOGC), paused=(impl == OURS_PAUSED)))
        if impl == MG_NOGC:
            gc.collect()  # untimed: without it the cycles of every step pile up
    gc.collect()
    return times


def check_same_step(X, Y):
    """All implementations take the same training step (to 1e-9); returns the graph size."""
    reference = common.init_params()
    loss_floats = common.float_training_step(reference, X, Y)
    expected = common.flat(reference)
    classes = [Value] + ([MicrogradValue] if MicrogradValue else [])
    for cls in classes:
        params = common.to_values(common.init_params(), cls)
        loss = common.training_step(params, X, Y, cls)
        got = [p.data for p in common.flat(params)]
        worst = max(abs(a - b) for a, b in zip(got, expected))
        if abs(loss - loss_floats) > 1e-9 or worst > 1e-9:
            raise SystemExit(
                f"{cls.__module__}.Value takes a different step from the hand-written floats "
                f"(loss {loss!r} vs {loss_floats!r}, largest parameter difference {worst:.3g})"
            )
    params = common.to_values(common.init_params(), Value)
    return len(topological_order(common.loss(params, X, Y, Value)))


def check_chain(n):
    """This engine's chain gradient matches the hand-derived one (to 1e-9, relative)."""
    g_floats, _ = common.float_chain(n)
    x, _ = common.chain(Value, n)
    if abs(x.grad - g_floats) > 1e-9 * abs(g_floats):
        raise SystemExit(f"chain: gradient {x.grad!r} differs from the hand-derived {g_floats!r}")


def main(argv=None):
    """Check every implementation computes the same gradients, then time them and print the tables."""
    args = common.parse_options(__doc__, argv)
    n_chain, repeats = args.chain_ops, args.repeats

    impls = (
        [OURS, OURS_PAUSED, MG, MG_NOGC, FLOATS] if MicrogradValue else [OURS, OURS_PAUSED, FLOATS]
    )
    if MicrogradValue is None:
        print(
            f"micrograd is not installed, so timing the others only; for it: {install_hint('bench')}"
        )

    X, Y = common.moons()
    nodes = check_same_step(X, Y)
    check_chain(10_000)
    print(
        f"Python {platform.python_version()} on {platform.machine()}; CPU time, median of {repeats} runs; "
        f"all implementations checked to compute the same gradients first."
    )

    chain_name = f"{n_chain:,}-op chain, forward + backward"
    step_name = f"MLP(2, [16, 16, 1]) training step, {len(X)} points ({nodes:,} nodes)"
    results = {}
    for name, timer in (
        (chain_name, lambda impl: time_chain(impl, n_chain, repeats)),
        (step_name, lambda impl: time_training(impl, X, Y, repeats)),
    ):
        results[name] = {}
        for impl in impls:
            times = timer(impl)
            results[name][impl] = {"median_s": statistics.median(times), "times_s": times}
        _print_table(name, results[name])

    details = time_details(X, Y, repeats)
    common.write_json(
        args,
        graph_nodes_per_step=nodes,
        results=results,
        details=details,
        ratios_vs_tinygrad_edu={
            w: {i: r["median_s"] / rs[OURS]["median_s"] for i, r in rs.items()}
            for w, rs in results.items()
        },
    )


def _per_op_ns(make, n, repeats):
    """CPU nanoseconds per op of ``make(n)`` (which runs n ops), median of ``repeats``."""
    return statistics.median(_timed(lambda: make(n)) for _ in range(repeats)) / n * 1e9


def time_details(X, Y, repeats):
    """Smaller figures behind the tables: a number in arithmetic, and the cost of the
    backward pass's finiteness check (one sum over the leaves) within a training step."""
    a, b = Value(1.5), Value(0.5)
    n = 200_000

    def add_values(n):
        for _ in range(n):
            a + b

    def add_number(n):
        for _ in range(n):
            a + 0.5

    add_values = _per_op_ns(add_values, n, repeats)
    add_number = _per_op_ns(add_number, n, repeats)

    params = common.to_values(common.init_params(), Value)
    out = common.loss(params, X, Y, Value)
    order, wanted = engine._walk(out)
    leaves = [node for node in order if node.rule is None]
    out.backward()
    backward = statistics.median(_timed(out.backward) for _ in range(repeats))
    # The finiteness check alone: one sum over the leaves (the walk to find the op runs
    # only when that sum is not finite).
    check = statistics.median(
        _timed(lambda: engine._check_finite(order, wanted, leaves)) for _ in range(repeats)
    )
    # A program that keeps a lot alive: the collector scans it on each of its runs
    # while a graph is built; gc.freeze() after loading moves it out of the collector's sight.
    heap = [(i, str(i)) for i in range(2_000_000)]
    del out
    step = lambda: common.training_step(params, X, Y, Value)  # noqa: E731
    step()
    with_heap = statistics.median(_timed(step) for _ in range(repeats))
    gc.freeze()
    frozen = statistics.median(_timed(step) for _ in range(repeats))
    gc.unfreeze()
    del heap
    gc.collect()
    without_heap = statistics.median(_timed(step) for _ in range(repeats))
    print("\nDetails")
    print(
        f"  training step with 2,000,000 live tuples in the program: {with_heap * 1e3:.1f} ms "
        f"({with_heap / without_heap:.2f}x the {without_heap * 1e3:.1f} ms without them); after "
        f"gc.freeze(): {frozen * 1e3:.1f} ms ({frozen / without_heap:.2f}x)"
    )
    print(
        f"  a + b: {add_values:.0f} ns an op; a + 0.5: {add_number:.0f} ns "
        f"({add_number / add_values:.2f}x)"
    )
    print(
        f"  backward of the training step: {backward * 1e3:.1f} ms, of which the finiteness check "
        f"({len(leaves)} leaves summed) {check * 1e6:.0f} us ({check / backward * 100:.2f}%)"
    )
    return {
        "add_values_ns": add_values,
        "add_number_ns": add_number,
        "step_s": without_heap,
        "step_with_heap_s": with_heap,
        "step_with_frozen_heap_s": frozen,
        "backward_s": backward,
        "finiteness_check_s": check,
    }


def _print_table(name, rows):
    ours = rows[OURS]["median_s"]
    common.print_table(name, rows, OURS, "time / tinygrad_edu")
    if MG in rows:
        print(
            f"  -> micrograd as shipped takes {rows[MG]['median_s'] / ours:.1f}x tinygrad_edu's time, "
            f"micrograd with gc off {rows[MG_NOGC]['median_s'] / ours:.2f}x; "
            f"tinygrad_edu takes {ours / rows[FLOATS]['median_s']:.0f}x the hand-written floats' time; "
            f"gc_paused() saves {(1 - rows[OURS_PAUSED]['median_s'] / ours) * 100:.0f}%"
        )


if __name__ == "__main__":
    main()
