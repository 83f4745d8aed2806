"""XOR, learned by seed 000's 2-3-1 sigmoid network with the delta rule.

Two inputs, three hidden sigmoid neurons, one sigmoid output; loss
E = 1/2 (y - t)^2; one update per sample with learning coefficient k = 0.3,
exactly as seed 000's train() intends:

    delta_o = (output - correct) * f'(u_o)          f'(u) = out * (1 - out)
    delta_m = delta_o * w_mo * f'(u_m)
    w -= k * delta * input,   b -= k * delta

Before every update the same gradients are also computed by autograd
(loss.backward()); the demo stops with an error if the two ever disagree by
more than 1e-12 (relative), and reports the largest disagreement it saw.

    python demos/xor.py            # 4000 epochs, a few seconds; draws demos/out/xor_graph.svg
    python demos/xor.py --quick    # 1000 epochs, for a smoke test
    python demos/xor.py --graph /tmp/xor.png    # the diagram elsewhere (or --no-graph)
    python demos/xor.py --lang ja  # in Japanese (or LANG=ja_JP.UTF-8)
"""

import random
import subprocess
import sys
from pathlib import Path

from tinygrad_edu import Value, no_grad, viz
from tinygrad_edu._optional import progress
from tinygrad_edu._text import columns, rjust
from tinygrad_edu.datasets import xor
from tinygrad_edu.delta import apply_update, compare_with_autograd, delta_rule
from tinygrad_edu.i18n import gettext as _
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP

# demos/_language.py: --lang, and tables laid out for Japanese too
from _language import demo_parser, parse_args

# demos/_seed000.py (next to this file): the network with seed 000's names
from _seed000 import add_epoch_options, epochs_asked, seed_network_loss, seed_parameters

XOR = [(x, float(t)) for x, t in zip(*xor())]  # (inputs, target) pairs
K = 0.3  # seed 000's learning coefficient
SEED = 1  # weights and sample order; the network learns XOR from it
AGREEMENT = 1e-12  # largest relative gap allowed between delta rule and autograd
GRAPH = Path(__file__).resolve().parent / "out" / "xor_graph.svg"


def total_loss(model):
    """E summed over the four XOR samples."""
    with no_grad():
        return sum(sum_of_squares(model(x), [t]).data for x, t in XOR)


def train(model, epochs, seed, report_every):
    """Per-sample delta-rule updates; autograd checks every one. Returns (steps, worst gap)."""
    rng = random.Random(seed)
    order = list(range(len(XOR)))
    bar = progress(range(1, epochs + 1), total=epochs, desc=_("training XOR"))
    say = bar.write  # prints a line without breaking the bar

    head = [_("epoch"), _("loss")]
    w_epoch, w_loss = max(6, columns(head[0])), max(8, columns(head[1]))
    say(f"{rjust(head[0], w_epoch)}  {rjust(head[1], w_loss)}")
    say(f"{0:>{w_epoch}}  {total_loss(model):{w_loss}.5f}")
    steps, worst = 0, 0.0
    for epoch in bar:
        rng.shuffle(order)
        for i in order:
            x, t = XOR[i]
            result = delta_rule(model, x, [t], learning_rate=K)
            gap = compare_with_autograd(model, x, [t], result)
            if not gap <= AGREEMENT:
                raise RuntimeError(
                    _(
                        "epoch {epoch}, sample {sample}: the delta rule and autograd "
                        "disagree by {gap} (relative); they must agree"
                    ).format(epoch=epoch, sample=x, gap=f"{gap:.3g}")
                )
            worst = max(worst, gap)
            apply_update(model, result)
            steps += 1
        if epoch % 50 == 0:
            bar.set_postfix_str(
                _("loss {value}").format(value=f"{total_loss(model):.5f}"), refresh=False
            )
        if epoch % report_every == 0:
            say(f"{epoch:>{w_epoch}}  {total_loss(model):{w_loss}.5f}")
    bar.close()
    return steps, worst


def prediction_table(model):
    """The four XOR rows: inputs, target, output, rounded, ok."""
    head = [_("target"), _("output"), _("rounded")]
    w_t, w_y, w_r = (max(w, columns(h)) for w, h in zip((6, 6, 7), head))
    lines = [
        f"{'x1':>3} {'x2':>3}  {rjust(head[0], w_t)}  {rjust(head[1], w_y)}  {rjust(head[2], w_r)}"
    ]
    correct = 0
    with no_grad():
        for x, t in XOR:
            y = model(x)[0].data
            ok = round(y) == t
            correct += ok
            lines.append(
                f"{x[0]:>3.0f} {x[1]:>3.0f}  {t:>{w_t}.0f}  {y:>{w_y}.3f}  {round(y):>{w_r}d}  "
                + (_("ok") if ok else _("WRONG"))
            )
    return lines, correct


def render_graph(model, path=GRAPH):
    """Draw one sample's loss, with its gradients, as a computation graph.

    The loss is built from the model's own parameters with seed 000's names
    for the steps in between (u_m0.., output_m0.., u_o, output_o, error,
    correct, E: see demos/_seed000.py), so the diagram reads like the seed.

    Needs the graphviz Python package and Graphviz's `dot` program (except
    for a .dot path); without them, or if the file cannot be written,
    returns one line saying why.
    """
    path = Path(path)
    x = [Value(0.0, label="x_0"), Value(1.0, label="x_1")]
    loss = seed_network_loss(*seed_parameters(model), x, Value(1.0, label="correct"))
    model.zero_grad()
    loss.backward()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        written = Path(viz.render(loss, str(path)))
    # Only what rendering is documented to raise: no `dot` program, no graphviz
    # package, a file that cannot be written, `dot` itself failing.
    except (viz.GraphvizNotInstalled, ImportError, OSError, subprocess.CalledProcessError) as err:
        text = str(err).strip()
        reason = text.splitlines()[0] if text else type(err).__name__
        return _("graph: not rendered ({reason})").format(reason=reason)
    try:
        written = written.resolve().relative_to(Path.cwd())
    except ValueError:
        pass  # not below the current directory: keep it whole
    return _("graph of one sample's loss (x = [0, 1], correct = 1): {path}").format(path=written)


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(_("XOR, learned by seed 000's 2-3-1 sigmoid network with the delta rule."))
    add_epoch_options(parser)
    parser.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help=_("weights and sample order (default {seed})").format(seed=SEED),
    )
    parser.add_argument(
        "--graph",
        type=Path,
        default=GRAPH,
        metavar="PATH",
        help=_("where to draw the diagram: .svg, .png, .pdf or .dot (default {path})").format(
            path="demos/out/xor_graph.svg"
        ),
    )
    parser.add_argument("--no-graph", action="store_true", help=_("do not render the diagram"))
    return parser


def main(argv=None):
    """Train on XOR with the delta rule, checked against autograd; print the table and draw.

    Returns the exit status: 0 if all four XOR rows come out right, else 1.
    """
    parser, args = parse_args(build_parser, argv)
    if args.graph.suffix[1:].lower() not in viz.FORMATS:
        parser.error(
            _("--graph must end in {suffixes}").format(
                suffixes=", ".join("." + f for f in viz.FORMATS)
            )
        )
    epochs = epochs_asked(parser, args)

    model = MLP(2, [3, 1], activation="sigmoid", seed=args.seed)
    print(
        _(
            "XOR with seed 000's 2-3-1 sigmoid network: learning coefficient k = {k},\n"
            "one delta-rule update per sample, {epochs} epochs, seed {seed}"
        ).format(k=K, epochs=epochs, seed=args.seed)
    )
    print()
    steps, worst = train(model, epochs, args.seed, report_every=max(1, epochs // 5))
    print()
    print(
        _(
            "delta rule vs autograd: {steps} steps compared, "
            "largest relative disagreement {worst} (limit {limit})"
        ).format(steps=steps, worst=f"{worst:.1e}", limit=f"{AGREEMENT:g}")
    )
    print()
    lines, correct = prediction_table(model)
    print("\n".join(lines))
    if correct == len(XOR):
        verdict = _("XOR learned: {correct} of {total} correct")
    else:
        verdict = _("XOR not learned yet: {correct} of {total} correct")
    print(verdict.format(correct=correct, total=len(XOR)))
    if not args.no_graph:
        print(render_graph(model, args.graph))
    return 0 if correct == len(XOR) else 1


if __name__ == "__main__":
    sys.exit(main())
