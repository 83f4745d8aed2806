"""Train a small MLP to separate two moons, and draw its decision boundary.

    python demos/moons.py            # 100 steps, writes demos/out/moons.png
    python demos/moons.py --quick    # a few steps, for a smoke test
    python demos/moons.py --lang ja  # in Japanese (or LANG=ja_JP.UTF-8)

Every weight is a Value; each step builds the loss over all 100 points as one
graph, calls backward(), and lets Adam nudge the weights.
"""

import os

from tinygrad_edu import gc_paused, no_grad
from tinygrad_edu._optional import progress, save_figure
from tinygrad_edu._text import columns, rjust
from tinygrad_edu.datasets import make_moons, signed_labels
from tinygrad_edu.i18n import gettext as _
from tinygrad_edu.losses import l2_penalty, max_margin
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import Adam

# demos/_language.py: --lang, and tables laid out for Japanese too
from _language import demo_parser, parse_args, pyplot

HERE = os.path.dirname(os.path.abspath(__file__))


def accuracy(model, X, y):
    """Fraction of points whose score has the sign of their -1/+1 label."""
    with no_grad():
        return sum((model(x)[0].data > 0) == (t > 0) for x, t in zip(X, y)) / len(y)


def train(model, X, y, steps, lr=0.02, alpha=1e-4, show_every=10, bar=True):
    """Full-batch training with max-margin loss + L2 penalty; returns the last loss."""
    opt = Adam(model, lr=lr)
    params = model.parameters()
    bar_ = progress(range(steps), total=steps, desc=_("training"), disable=not bar)
    head = [_("step"), _("loss"), _("accuracy")]
    w_step, w_loss, w_acc = (max(w, columns(h)) for w, h in zip((5, 8, 8), head))
    bar_.write(f"{rjust(head[0], w_step)}  {rjust(head[1], w_loss)}  {rjust(head[2], w_acc)}")
    for step in bar_:
        with gc_paused():  # the graph holds no cycles: Python's collector only slows the step
            scores = [model(x)[0] for x in X]  # forward: one graph for the batch
            loss = max_margin(scores, y) + l2_penalty(params, alpha)
            opt.zero_grad()
            loss.backward()  # the chain rule, node by node
            opt.step()  # W <- W - (Adam's step)
        bar_.set_postfix_str(_("loss {value}").format(value=f"{loss.data:.4f}"))
        if step % show_every == 0 or step == steps - 1:
            acc = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
            bar_.write(f"{step:>{w_step}}  {loss.data:{w_loss}.4f}  {acc:{w_acc}.1%}")
    return loss.data


def plot(model, X, y, path, resolution):
    """Draw the points and the region where the model says +1; returns the path or None."""
    plt = pyplot(_("the decision boundary plot"))
    if plt is None:  # pyplot has said what to install
        return None
    xs = [min(p[0] for p in X) - 0.5, max(p[0] for p in X) + 0.5]
    ys = [min(p[1] for p in X) - 0.5, max(p[1] for p in X) + 0.5]
    gx = [xs[0] + (xs[1] - xs[0]) * i / (resolution - 1) for i in range(resolution)]
    gy = [ys[0] + (ys[1] - ys[0]) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():
        Z = [[model([a, b])[0].data for a in gx] for b in gy]
    fig, ax = plt.subplots(figsize=(6, 4.8))
    ax.contourf(gx, gy, Z, levels=[-1e9, 0, 1e9], colors=["#f4c7a1", "#a9c9eb"], alpha=0.8)
    ax.contour(gx, gy, Z, levels=[0], colors="k", linewidths=1)
    for label, colour, marker, name in (
        (-1, "#d2691e", "o", _("label 0 (upper moon)")),
        (1, "#1f5fa8", "s", _("label 1 (lower moon)")),
    ):
        pts = [p for p, t in zip(X, y) if t == label]
        ax.scatter(
            [p[0] for p in pts],
            [p[1] for p in pts],
            c=colour,
            marker=marker,
            edgecolors="k",
            linewidths=0.5,
            s=28,
            label=name,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(
        _("Two moons: {model}\ndecision boundary after training (accuracy {accuracy:.0%})").format(
            model=repr(model), accuracy=accuracy(model, X, y)
        ),
        fontsize=10,
    )
    ax.legend(loc="lower left", fontsize=8)
    return save_figure(fig, path, dpi=120)


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(
        _("Train a small MLP to separate two moons, and draw its decision boundary.")
    )
    parser.add_argument("--quick", action="store_true", help=_("a few steps only (smoke test)"))
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help=_("training steps (default {steps}, quick {quick})").format(steps=100, quick=20),
    )
    parser.add_argument("--seed", type=int, default=1, help=_("seed for the data and the weights"))
    parser.add_argument(
        "--out", default=os.path.join(HERE, "out", "moons.png"), help=_("where to write the PNG")
    )
    parser.add_argument("--no-plot", action="store_true", help=_("skip the picture"))
    return parser


def main(argv=None):
    """Parse the options, train, report, plot."""
    parser, args = parse_args(build_parser, argv)
    steps = args.steps if args.steps is not None else (20 if args.quick else 100)
    if steps < 1:
        parser.error(_("--steps must be positive"))

    X, labels = make_moons(100, noise=0.1, seed=args.seed)
    y = signed_labels(labels)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=args.seed)
    print(_("Two moons: 100 points on two interleaving half circles (labels 0/1, used as -1/+1)."))
    print(
        _("Model: {model}, {count} parameters (weights and biases, all Values).").format(
            model=repr(model), count=len(model.parameters())
        )
    )
    print(
        _(
            "Loss: max-margin (hinge) + L2 penalty; optimizer Adam(lr=0.02); "
            "full batch, {steps} steps."
        ).format(steps=steps)
        + "\n"
    )
    train(model, X, y, steps, bar=not args.quick)

    X_test, labels_test = make_moons(200, noise=0.1, seed=args.seed + 1000)
    print()
    print(_("training accuracy: {accuracy}").format(accuracy=f"{accuracy(model, X, y):.1%}"))
    print(
        _("test accuracy ({count} new points): {accuracy}").format(
            count=len(X_test),
            accuracy=f"{accuracy(model, X_test, signed_labels(labels_test)):.1%}",
        )
    )
    if not args.no_plot:
        path = plot(model, X, y, args.out, resolution=25 if args.quick else 60)
        if path:
            print(_("decision boundary written to {path}").format(path=path))


if __name__ == "__main__":
    main()
