"""Time micrograd's moons demo on the drop-in tinygrad_edu.micrograd and on micrograd itself.

    python benchmarks/bench_dropin.py            # full run (about a minute)
    python benchmarks/bench_dropin.py --quick    # smoke run (seconds)
    python benchmarks/bench_dropin.py --json results.json

The workload is one training step of micrograd's demo notebook, its lines run
unchanged on both libraries (only the import differs): MLP(2, [16, 16, 1])
built after ``random.seed(1337)``, the max-margin loss over 100 two-moons
points (30 with ``--quick``) plus ``1e-4 * sum(p*p)``, ``zero_grad()``,
``backward()``, and the SGD update with learning rate ``1.0 - 0.9*k/100``.
Before timing, both are checked to build the same network and take the same
first steps (losses and weights to 1e-9).

Implementations: the drop-in as users run it (gc on) and with the collector
paused for each step (``tinygrad_edu.gc_paused()``); micrograd as shipped (gc
on) and with ``gc.disable()`` around each timed step (its graphs are reference
cycles; they are collected between steps, outside the timing).

Times are CPU seconds (``time.process_time``, garbage collection included),
the median of several consecutive steps after one untimed warm-up step.
Ratios are times divided by the drop-in's.
"""

import gc
import platform
import random
import statistics

try:
    from . import common
    from .bench_engine import MG, MG_NOGC, _timed
except ImportError:  # run as a script
    import common
    from bench_engine import MG, MG_NOGC, _timed

import tinygrad_edu.micrograd as dropin
from tinygrad_edu._optional import install_hint

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:
    mg_engine = mg_nn = None

DROPIN, DROPIN_PAUSED = "tinygrad_edu.micrograd (gc on)", "tinygrad_edu.micrograd, gc_paused()"
QUICK_POINTS = 30


def demo(Value, MLP, X, y):
    """micrograd's demo notebook for one library, its names and lines: returns
    (model, step), where ``step(k)`` runs the notebook's training iteration ``k``
    and returns (the loss, the accuracy).  tests/test_micrograd_compat.py runs it too."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in X]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    def step(k):
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        return total_loss.data, acc

    return model, step


LIBRARIES = {DROPIN: dropin, DROPIN_PAUSED: dropin, MG: mg_nn, MG_NOGC: mg_nn}


def _demo_for(impl, X, y):
    module = LIBRARIES[impl]
    value_cls = dropin.Value if module is dropin else mg_engine.Value
    return demo(value_cls, module.MLP, X, y)


def check_same_steps(X, y, steps=2):
    """The drop-in and micrograd build the same network and take the same steps (to 1e-9)."""
    (model, step), (model_mg, step_mg) = _demo_for(DROPIN, X, y), _demo_for(MG, X, y)
    if repr(model) != repr(model_mg):
        raise SystemExit(f"the drop-in builds {model!r}, micrograd {model_mg!r}")
    for k in range(steps + 1):
        worst = max(abs(p.data - q.data) for p, q in zip(model.parameters(), model_mg.parameters()))
        if worst > 1e-9:
            raise SystemExit(f"after {k} steps the weights differ by up to {worst:.3g}")
        if k < steps:
            (loss, _), (loss_mg, _) = step(k), step_mg(k)
            if abs(loss - loss_mg) > 1e-9:
                raise SystemExit(
                    f"step {k}: the drop-in's loss is {loss!r}, micrograd's {loss_mg!r}"
                )
    del model_mg, step_mg
    gc.collect()


def time_steps(impl, X, y, repeats):
    """CPU seconds of ``repeats`` consecutive training steps (after one untimed warm-up step)."""
    _, step = _demo_for(impl, X, y)
    gc.collect()
    step(0)
    times = []
    gc_off, paused = impl == MG_NOGC, impl == DROPIN_PAUSED
    for k in range(1, repeats + 1):
        # each lambda runs inside _timed, before the `del step` below
        times.append(_timed(lambda: step(k), gc_off=gc_off, paused=paused))  # noqa: B023, F821
        if impl == MG_NOGC:
            gc.collect()  # untimed: without it the cycles of every step pile up
    del step
    gc.collect()
    return times


def main(argv=None):
    """Check the drop-in and micrograd take the same steps, then time them and print the table."""
    args = common.parse_options(__doc__, argv)
    args.chain_ops = None  # this benchmark has no chain
    n_points = QUICK_POINTS if args.quick else common.N_POINTS
    X, y = common.moons(n_points)
    impls = [DROPIN, DROPIN_PAUSED]
    if mg_engine is None:
        print(
            f"micrograd is not installed, so timing the drop-in only; for it: {install_hint('bench')}"
        )
    else:
        impls += [MG, MG_NOGC]
        check_same_steps(X, y)
    print(
        f"Python {platform.python_version()} on {platform.machine()}; CPU time, median of "
        f"{args.repeats} steps; the drop-in and micrograd checked to take the same steps first."
    )

    rows = {}
    for impl in impls:
        times = time_steps(impl, X, y, args.repeats)
        rows[impl] = {"median_s": statistics.median(times), "times_s": times}
    ours = rows[DROPIN]["median_s"]
    common.print_table(
        f"micrograd's moons demo, one training step: MLP(2, [16, 16, 1]), {n_points} points",
        rows,
        DROPIN,
        "time / drop-in",
    )
    if MG in rows:
        print(
            f"  -> the drop-in is {rows[MG]['median_s'] / ours:.1f}x faster than micrograd as shipped "
            f"({rows[MG_NOGC]['median_s'] / ours:.2f}x against micrograd with gc off), "
            f"with only the import changed"
        )
    common.write_json(
        args,
        points=n_points,
        results=rows,
        ratios_vs_dropin={impl: r["median_s"] / ours for impl, r in rows.items()},
    )


if __name__ == "__main__":
    main()
