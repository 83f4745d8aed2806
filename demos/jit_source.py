"""The backward pass of seed 000's network, written out as code by the jit.

tinygrad_edu.jit traces a function once and writes its forward and backward
pass as plain Python, one line per op, using the engine's own derivative
rules.  This demo:

1. traces seed 000's 2-3-1 sigmoid network with its loss E = 1/2 (output - correct)^2,
   and prints the backward code the chain rule produces next to the lines of
   seed 000's train(), quoted as the article prints them (delta_o, delta_m, the
   weight and bias changes) -- and, where a printed line is wrong, the line as
   the chain rule and the article's own text have it;
2. trains XOR with the compiled function (learning coefficient k = 0.3, one
   update per sample, as the seed does), trains it again in eager mode (a graph
   and backward() per sample), checks both end with the same weights, and
   reports the speed-up.

    python demos/jit_source.py            # 4000 epochs
    python demos/jit_source.py --quick    # 1000 epochs, for a smoke test
"""

import argparse
import random
import sys
import textwrap
import time

from tinygrad_edu import Value, jit
from tinygrad_edu.datasets import xor
from tinygrad_edu.nn import MLP

# demos/_seed000.py (next to this file): the network with seed 000's names
from _seed000 import seed_network, seed_network_loss, seed_parameters

XOR = [(x, float(t)) for x, t in zip(*xor())]  # (inputs, target) pairs
K = 0.3  # seed 000's learning coefficient
SEED = 1  # starting weights and sample order


def starting_weights(seed=SEED):
    """(w_im, b_m, w_mo, b_o) as floats: those of MLP(2, [3, 1], seed=seed)."""

    def floats(p):
        return [floats(a) for a in p] if isinstance(p, list) else p.data

    model = MLP(2, [3, 1], activation="sigmoid", seed=seed)
    return tuple(floats(p) for p in seed_parameters(model))


# Lines of seed 000's train(), quoted exactly as the article prints them (middle
# neuron 0; neurons 1 and 2 alike).  Each comes with the line as the chain rule --
# and the article's own text -- has it (None where the printed line already is
# that), the generated variables that compute the same thing (g_v is dE/dv; the
# update is then v -= k * g_v), and a note.
SEED_LINES = [
    (
        "delta_o = (output_o - correct) * output_o * (1.0 - output_o)",
        None,
        ["g_u_o"],
        "error = output_o - correct, so g_u_o is delta_o = dE/du_o",
    ),
    (
        "delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        "delta_m0 = delta_o * self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        ["g_output_m0", "g_u_m0"],
        "the article's text: δ_m = δ_0 × weight into the output × f'(u_m); "
        "the printed line leaves out delta_o. g_u_m0 is the corrected delta_m0",
    ),
    (
        "self.w_mo[0][0] -= k * delta_o * output_m0",
        None,
        ["g_w_mo_0_0"],
        "weight change = -k × δ_0 × input",
    ),
    ("self.b_o[0] -= k * delta_o", None, ["g_b_o_0"], "bias change = -k × δ_0"),
    (
        "self.w_im[0][0] -= k * delta_m0 * self.input_layer[0]",
        None,
        ["g_w_im_0_0"],
        "weight change = -k × δ_m × input: right as printed, but with the delta_m0 above, "
        "which lacks delta_o; input_layer[0] is x_0",
    ),
    (
        "self.w_im[0][1] -= k * delta_m0 * self.input_layer[1]",
        None,
        ["g_w_im_0_1"],
        "the same; input_layer[1] is x_1",
    ),
    (
        "self.b_m[0] -= k * delta_o",
        "self.b_m[0] -= k * delta_m0",
        ["g_b_m_0"],
        "the article's text: bias change = -k × δ_m; the printed line uses the output's delta_o",
    ),
]


def generated_line(source, target):
    """The generated line that assigns ``target`` (without its comment)."""
    for line in source.splitlines():
        code = line.split("#")[0].strip()
        if code.startswith(f"{target} = "):
            return code
    raise LookupError(f"no line assigns {target} in the generated code")


def show_source(f):
    """Print the backward lines of the compiled ``f``, then each quoted line of seed
    000's train() with, where it is wrong, the chain rule's line, and the generated
    lines that compute the same thing."""
    lines = f.source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("# backward"))
    print("The backward pass the jit writes for seed 000's 2-3-1 sigmoid network")
    print(
        "(E = 1/2 (output_o - correct)^2; g_v is dE/dv; each comment is the forward line it differentiates):"
    )
    print()
    for line in lines[start + 1 :]:
        print(line)
    print()
    print("Next to seed 000's train(), its lines quoted as the article prints them (middle")
    print("neuron 0 shown; neurons 1 and 2 alike).  Where a printed line is wrong, the line")
    print("as the chain rule and the article's text have it follows.  The update is v -= k * g_v.")
    pad = " " * 15
    for quoted, corrected, targets, note in SEED_LINES:
        print()
        print(f"  seed's code: {quoted}")
        if corrected:
            print(f"  chain rule:  {corrected}")
        for i, target in enumerate(targets):
            print(f"  {'jit:' if i == 0 else '':<13}{generated_line(f.source, target)}")
        print(textwrap.fill(f"({note})", width=92, initial_indent=pad, subsequent_indent=pad + " "))


def train(step, params, epochs, seed):
    """Per-sample updates v -= K * dE/dv; ``step(params, x, t)`` gives (E, gradients)."""
    rng = random.Random(seed)
    order = list(range(len(XOR)))
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x, t = XOR[i]
            _, grads = step(params, x, t)
            params = _updated(params, grads)
    return params


def _updated(p, g):
    """p - K * g for every number, the nesting kept."""
    if type(p) is list:
        return [_updated(a, b) for a, b in zip(p, g)]
    return p - K * g


def compiled_step(f):
    """``step(params, x, t)`` -> (E, gradients) for :func:`train`, calling the compiled ``f``."""

    def step(params, x, t):
        return f(*params, x, t)

    return step


def eager_step(params, x, t):
    """The same step in eager mode: Values, a graph, backward()."""
    values = [_values(p) for p in params]
    loss = seed_network_loss(*values, [Value(a) for a in x], Value(t))
    loss.backward()
    return loss.data, [_grads(v) for v in values]


def _values(p):
    return [_values(a) for a in p] if isinstance(p, list) else Value(p)


def _grads(v):
    return [_grads(a) for a in v] if isinstance(v, list) else v.grad


def _flat(p):
    return [b for a in p for b in _flat(a)] if isinstance(p, list) else [p]


def main(argv=None):
    """Show the generated backward pass beside the seed's formulas, then train XOR
    compiled and eager from the same start and compare the two."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=None, help="passes over the 4 samples (default 4000)"
    )
    parser.add_argument("--quick", action="store_true", help="1000 epochs, for a quick smoke run")
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (1000 if args.quick else 4000)
    if epochs < 1:
        parser.error("--epochs must be at least 1")

    start = list(starting_weights())
    started = time.perf_counter()
    f = jit(seed_network_loss, *start, XOR[0][0], XOR[0][1], argnums=(0, 1, 2, 3))
    traced = time.perf_counter() - started
    show_source(f)

    print()
    print(
        f"Training XOR with the compiled function: k = {K}, one update per sample, {epochs} epochs"
    )
    t0 = time.perf_counter()
    fast = train(compiled_step(f), start, epochs, SEED)
    t_compiled = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = train(eager_step, start, epochs, SEED)
    t_eager = time.perf_counter() - t0
    gap = max(abs(a - b) for a, b in zip(_flat(fast), _flat(slow)))
    if not gap <= 1e-9:
        raise RuntimeError(f"compiled and eager training ended {gap:.3g} apart; they must agree")
    steps = epochs * len(XOR)
    print(
        f"  compiled: {t_compiled:.3f} s for {steps} steps (tracing and compiling once: {traced * 1e3:.1f} ms)"
    )
    print(f"  eager:    {t_eager:.3f} s (a graph and backward() per step)")
    print(f"  speed-up over eager mode: {t_eager / t_compiled:.1f}x")
    print(f"  both end with the same weights (largest difference {gap:.1e})")
    print()
    print(f"{'x1':>3} {'x2':>3}  {'target':>6}  {'output':>6}")
    correct = 0
    for x, t in XOR:
        output = seed_network(*[_values(p) for p in fast], x).data
        correct += round(output) == t
        print(f"{x[0]:>3.0f} {x[1]:>3.0f}  {t:>6.0f}  {output:>6.3f}")
    print(
        f"XOR {'learned' if correct == len(XOR) else 'not learned yet'}: {correct} of {len(XOR)} correct"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
