"""The backward pass of seed 000's network, written out as code by the jit.

tinygrad_edu.jit traces a function once and writes its forward and backward
pass as plain Python, one line per op, using the engine's own derivative
rules.  This demo:

1. traces seed 000's 2-3-1 sigmoid network with the loss its delta implies (the seed
   states none), E = 1/2 (output - correct)^2,
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
    python demos/jit_source.py --lang ja  # in Japanese (or LANG=ja_JP.UTF-8)
"""

import random
import sys
import time

from tinygrad_edu import Value, jit
from tinygrad_edu._text import columns, fill, ljust, rjust
from tinygrad_edu.datasets import xor
from tinygrad_edu.i18n import N_, gettext as _
from tinygrad_edu.nn import MLP

# demos/_language.py: --lang, and text laid out for Japanese too
from _language import demo_parser, parse_args

# demos/_seed000.py (next to this file): the network with seed 000's names
from _seed000 import (
    add_epoch_options,
    epochs_asked,
    seed_network,
    seed_network_loss,
    seed_parameters,
)

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
# update is then v -= k * g_v), and a note (translated where it is printed).
SEED_LINES = [
    (
        "delta_o = (output_o - correct) * output_o * (1.0 - output_o)",
        None,
        ["g_u_o"],
        N_("error = output_o - correct, so g_u_o is delta_o = dE/du_o"),
    ),
    (
        "delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        "delta_m0 = delta_o * self.w_mo[0][0] * output_m0 * (1.0 - output_m0)",
        ["g_output_m0", "g_u_m0"],
        N_(
            "the article's text: δ_m = δ_0 × weight into the output × f'(u_m); "
            "the printed line leaves out delta_o. g_u_m0 is the corrected delta_m0"
        ),
    ),
    (
        "self.w_mo[0][0] -= k * delta_o * output_m0",
        None,
        ["g_w_mo_0_0"],
        N_("weight change = -k × δ_0 × input"),
    ),
    ("self.b_o[0] -= k * delta_o", None, ["g_b_o_0"], N_("bias change = -k × δ_0")),
    (
        "self.w_im[0][0] -= k * delta_m0 * self.input_layer[0]",
        None,
        ["g_w_im_0_0"],
        N_(
            "weight change = -k × δ_m × input: right as printed, but with the delta_m0 above, "
            "which lacks delta_o; input_layer[0] is x_0"
        ),
    ),
    (
        "self.w_im[0][1] -= k * delta_m0 * self.input_layer[1]",
        None,
        ["g_w_im_0_1"],
        N_("the same; input_layer[1] is x_1"),
    ),
    (
        "self.b_m[0] -= k * delta_o",
        "self.b_m[0] -= k * delta_m0",
        ["g_b_m_0"],
        N_(
            "the article's text: bias change = -k × δ_m; the printed line uses the output's delta_o"
        ),
    ),
]


def generated_line(source, target):
    """The generated line that assigns ``target`` (without its comment)."""
    for line in source.splitlines():
        code = line.split("#")[0].strip()
        if code.startswith(f"{target} = "):
            return code
    raise LookupError(_("no line assigns {target} in the generated code").format(target=target))


def show_source(f):
    """Print the backward lines of the compiled ``f``, then each quoted line of seed
    000's train() with, where it is wrong, the chain rule's line, and the generated
    lines that compute the same thing."""
    lines = f.source.splitlines()
    # (the jit comments its code in the language in force, as this demo prints)
    marker = "# " + _("backward: g_v is d(result)/dv, from the result back to the inputs")
    start = next(i for i, line in enumerate(lines) if line.strip() == marker)
    print(
        _(
            "The backward pass the jit writes for seed 000's 2-3-1 sigmoid network\n"
            "(E = 1/2 (output_o - correct)^2; g_v is dE/dv; each comment is the forward line it differentiates):"
        )
    )
    print()
    for line in lines[start + 1 :]:
        print(line)
    print()
    print(
        _(
            "Next to seed 000's train(), its lines quoted as the article prints them (middle\n"
            "neuron 0 shown; neurons 1 and 2 alike).  Where a printed line is wrong, the line\n"
            "as the chain rule and the article's text have it follows.  The update is v -= k * g_v."
        )
    )
    labels = {"seed": _("seed's code:"), "rule": _("chain rule:"), "jit": _("jit:")}
    column = max(12, *(columns(label) for label in labels.values())) + 1
    pad = " " * (column + 2)
    for quoted, corrected, targets, note in SEED_LINES:
        print()
        print(f"  {ljust(labels['seed'], column)}{quoted}")
        if corrected:
            print(f"  {ljust(labels['rule'], column)}{corrected}")
        for i, target in enumerate(targets):
            label = labels["jit"] if i == 0 else ""
            print(f"  {ljust(label, column)}{generated_line(f.source, target)}")
        print(fill(f"({_(note)})", 92, pad, pad + " "))


def train(step, params, epochs, seed):
    """Per-sample updates v -= K * dE/dv; ``step(params, x, t)`` gives (E, gradients)."""
    rng = random.Random(seed)
    order = list(range(len(XOR)))
    for _epoch in range(epochs):
        rng.shuffle(order)
        for i in order:
            x, t = XOR[i]
            _loss, grads = step(params, x, t)
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


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(
        _("The backward pass of seed 000's network, written out as code by the jit.")
    )
    add_epoch_options(parser)
    return parser


def main(argv=None):
    """Show the generated backward pass beside the seed's formulas, then train XOR
    compiled and eager from the same start and compare the two."""
    parser, args = parse_args(build_parser, argv)
    epochs = epochs_asked(parser, args)

    start = list(starting_weights())
    started = time.perf_counter()
    f = jit(seed_network_loss, *start, XOR[0][0], XOR[0][1], argnums=(0, 1, 2, 3))
    traced = time.perf_counter() - started
    show_source(f)

    print()
    print(
        _(
            "Training XOR with the compiled function: k = {k}, one update per sample, {epochs} epochs"
        ).format(k=K, epochs=epochs)
    )
    t0 = time.perf_counter()
    fast = train(compiled_step(f), start, epochs, SEED)
    t_compiled = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = train(eager_step, start, epochs, SEED)
    t_eager = time.perf_counter() - t0
    gap = max(abs(a - b) for a, b in zip(_flat(fast), _flat(slow)))
    if not gap <= 1e-9:
        raise RuntimeError(
            _("compiled and eager training ended {gap} apart; they must agree").format(
                gap=f"{gap:.3g}"
            )
        )
    steps = epochs * len(XOR)
    print(
        _("  compiled: {seconds} s for {steps} steps (tracing and compiling once: {ms} ms)").format(
            seconds=f"{t_compiled:.3f}", steps=steps, ms=f"{traced * 1e3:.1f}"
        )
    )
    print(
        _("  eager:    {seconds} s (a graph and backward() per step)").format(
            seconds=f"{t_eager:.3f}"
        )
    )
    print(_("  speed-up over eager mode: {factor}x").format(factor=f"{t_eager / t_compiled:.1f}"))
    print(_("  both end with the same weights (largest difference {gap})").format(gap=f"{gap:.1e}"))
    print()
    head = [_("target"), _("output")]
    w_t, w_y = (max(6, columns(h)) for h in head)
    print(f"{'x1':>3} {'x2':>3}  {rjust(head[0], w_t)}  {rjust(head[1], w_y)}")
    correct = 0
    for x, t in XOR:
        output = seed_network(*[_values(p) for p in fast], x).data
        correct += round(output) == t
        print(f"{x[0]:>3.0f} {x[1]:>3.0f}  {t:>{w_t}.0f}  {output:>{w_y}.3f}")
    if correct == len(XOR):
        verdict = _("XOR learned: {correct} of {total} correct")
    else:
        verdict = _("XOR not learned yet: {correct} of {total} correct")
    print(verdict.format(correct=correct, total=len(XOR)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
