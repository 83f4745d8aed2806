"""Workloads shared by the benchmarks, written once for any scalar Value class.

* :func:`chain`: a chain of ``n`` ops (alternately ``+ 0.5`` and ``* 1.000001``),
  forward and backward; :func:`float_chain` is the same derivative by hand.
* :func:`training_step`: one full-batch training step of an MLP(2, [16, 16, 1])
  (relu hidden layers, linear output) on two-moons points, with the max-margin
  loss ``mean(relu(1 - y * score))`` plus L2 ``1e-4 * sum(p * p)``, then an SGD
  update -- micrograd's demo.  The same Python runs on this engine's ``Value``
  and on micrograd's.  :func:`float_training_step` is that step written out by
  hand with plain floats (forward, then the deltas layer by layer backward):
  the floor for pure Python.

Parameters are nested lists ``params[layer][neuron] = (weights, bias)``; make
them with :func:`init_params` (floats) and :func:`to_values` (any Value class).

:func:`parse_options` and :func:`write_json` are the benchmarks' shared
command line (``--quick``, ``--repeats``, ``--json``) and results file.
"""

import argparse
import json
import platform
import random
import sys
from pathlib import Path

try:
    import tinygrad_edu  # noqa: F401
except ImportError:  # run from a checkout without installing: python benchmarks/bench_engine.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinygrad_edu.datasets import make_moons, signed_labels

SIZES = (2, 16, 16, 1)  # MLP(2, [16, 16, 1])
N_POINTS = 100
L2 = 1e-4
CHAIN_OPS = 1_000_000
CHAIN_FACTOR = 1.000001


# ---------------------------------------------------------------------------
# The command line and the results file


def parse_options(doc, argv=None):
    """The options every benchmark takes; ``doc`` is its module docstring (the
    first paragraph becomes the description).

    Returns the parsed arguments with ``chain_ops`` (100,000 with ``--quick``,
    else :data:`CHAIN_OPS`) and ``repeats`` (default 5, quick 2) filled in.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a fast smoke run: a 100,000-op chain, fewer repeats"
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="runs per measurement (default 5, quick 2)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    args.chain_ops = 100_000 if args.quick else CHAIN_OPS
    args.repeats = args.repeats or (2 if args.quick else 5)
    return args


def write_json(args, **fields):
    """Write the run's settings and ``fields`` to ``args.json``, if it was given."""
    if not args.json:
        return
    with open(args.json, "w") as f:
        json.dump(
            {
                "python": platform.python_version(),
                "quick": args.quick,
                "repeats": args.repeats,
                "chain_ops": args.chain_ops,
                **fields,
            },
            f,
            indent=2,
        )
    print(f"results written to {args.json}")


# ---------------------------------------------------------------------------
# Data and parameters


def shown(seconds):
    """A time as '   61.7 ms' or '   1.056 s ' (ten characters)."""
    return f"{seconds * 1e3:8.1f} ms" if seconds < 1.0 else f"{seconds:8.3f} s "


def print_table(title, rows, reference, ratio_header):
    """Print one table: each implementation's median time and its ratio to ``reference``'s."""
    ref = rows[reference]["median_s"]
    width = max(30, *(len(impl) for impl in rows))
    print(f"\n{title}")
    print(f"  {'implementation':<{width}} {'median':>10}  {ratio_header:>{len(ratio_header)}}")
    for impl, r in rows.items():
        print(
            f"  {impl:<{width}} {shown(r['median_s']):>10}  "
            f"{r['median_s'] / ref:>{len(ratio_header) - 1}.2f}x"
        )


def moons(n=N_POINTS, seed=0):
    """``n`` two-moons points (noise 0.1) and their labels as -1.0 / +1.0."""
    X, y = make_moons(n, noise=0.1, seed=seed)
    return X, [float(t) for t in signed_labels(y)]


def init_params(sizes=SIZES, seed=1):
    """Float parameters as micrograd initialises them: weights uniform(-1, 1), biases 0."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(n_in)], 0.0) for _ in range(n_out)]
        for n_in, n_out in zip(sizes, sizes[1:])
    ]


def to_values(params, value_cls):
    """The same parameters as ``value_cls`` objects (tinygrad_edu's or micrograd's Value)."""
    return [[([value_cls(w) for w in ws], value_cls(b)) for ws, b in layer] for layer in params]


def flat(params):
    """Every parameter, in a fixed order: per layer, per neuron, the weights then the bias."""
    out = []
    for layer in params:
        for ws, b in layer:
            out.extend(ws)
            out.append(b)
    return out


# ---------------------------------------------------------------------------
# The network, written once for any Value class


def mlp(params, x):
    """The network's score for one input ``x`` (a list of Values)."""
    last = len(params) - 1
    for i, layer in enumerate(params):
        out = []
        for ws, b in layer:
            pre_activation = sum((w * xi for w, xi in zip(ws, x)), b)
            out.append(pre_activation if i == last else pre_activation.relu())
        x = out
    return x[0]


def loss(params, X, Y, value_cls):
    """Max-margin loss over the batch plus L2 regularisation, as a Value."""
    inputs = [[value_cls(a) for a in row] for row in X]
    scores = [mlp(params, x) for x in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = L2 * sum(p * p for p in flat(params))
    return data_loss + reg_loss


def training_step(params, X, Y, value_cls, learning_rate=0.5):
    """One full-batch SGD step on Value parameters; returns the loss as a float."""
    total = loss(params, X, Y, value_cls)
    ps = flat(params)
    for p in ps:
        p.grad = 0.0
    total.backward()
    for p in ps:
        p.data -= learning_rate * p.grad
    return total.data


def float_training_step(params, X, Y, learning_rate=0.5):
    """The same step with plain floats, the derivatives worked out by hand.

    Forward keeps each layer's pre-activations and activations; backward runs
    the delta rule: the output delta is dLoss/dscore, a hidden delta is the next
    layer's deltas weighted by the weights, times relu'(pre-activation).
    Updates ``params`` in place; returns the loss.
    """
    last = len(params) - 1
    grad_w = [[[0.0] * len(ws) for ws, _ in layer] for layer in params]
    grad_b = [[0.0] * len(layer) for layer in params]
    inv_n = 1.0 / len(X)
    data_loss = 0.0
    for x, y in zip(X, Y):
        activations, pre_activations = [x], []
        a = x
        for i, layer in enumerate(params):
            pre = [sum((w * ai for w, ai in zip(ws, a)), b) for ws, b in layer]
            pre_activations.append(pre)
            a = pre if i == last else [p if p > 0.0 else 0.0 for p in pre]
            activations.append(a)
        margin = 1.0 - y * a[0]
        if margin <= 0.0:
            continue  # relu(margin) is flat here: no gradient from this point
        data_loss += margin
        delta = [-y * inv_n]  # dLoss / dscore
        for i in range(last, -1, -1):
            layer, a_in = params[i], activations[i]
            for j, d in enumerate(delta):
                if d != 0.0:
                    grad_b[i][j] += d
                    gw = grad_w[i][j]
                    for k, ak in enumerate(a_in):
                        gw[k] += d * ak
            if i > 0:
                pre = pre_activations[i - 1]
                delta = [
                    sum(d * layer[j][0][k] for j, d in enumerate(delta)) if pre[k] > 0.0 else 0.0
                    for k in range(len(pre))
                ]
    reg_loss = 0.0
    for i, layer in enumerate(params):
        for j, (ws, b) in enumerate(layer):
            reg_loss += sum(w * w for w in ws) + b * b
            gw = grad_w[i][j]
            for k, w in enumerate(ws):
                ws[k] = w - learning_rate * (gw[k] + 2.0 * L2 * w)
            layer[j] = (ws, b - learning_rate * (grad_b[i][j] + 2.0 * L2 * b))
    return data_loss * inv_n + L2 * reg_loss


# ---------------------------------------------------------------------------
# The chain


def chain(value_cls, n=CHAIN_OPS):
    """Build ``n`` ops from x = 0.5 and backpropagate; returns (x, result).

    The caller frees the result (outside any timing: freeing a long graph is
    the garbage collector's business, not the chain rule's).
    """
    x = value_cls(0.5)
    y = x
    for _ in range(n // 2):
        y = y + 0.5
        y = y * CHAIN_FACTOR
    y.backward()
    return x, y


def float_chain(n=CHAIN_OPS):
    """The chain with floats; its derivative by hand: each ``* c`` multiplies it by c."""
    y = 0.5
    for _ in range(n // 2):
        y = y + 0.5
        y = y * CHAIN_FACTOR
    g = 1.0
    for _ in range(n // 2):  # backward, last op first: + passes g on, * c scales it
        g = g * CHAIN_FACTOR
    return g, y
