"""SGD, Momentum, AdaGrad and Adam race down f(x, y) = x²/20 + y² (seed 003).

    python demos/optimizers.py            # writes demos/out/optimizers.png
    python demos/optimizers.py --quick    # the same 30 steps (already quick), coarser plot
    python demos/optimizers.py --lang ja  # in Japanese (or LANG=ja_JP.UTF-8)

The function is a long, shallow valley: steep across y, nearly flat along x.
Each optimizer starts at (-7, 2), as in Deep Learning from Scratch, and takes
30 steps with the book's learning rates.  x and y are Values: each step
computes f, calls backward() for df/dx and df/dy, and lets the optimizer move.
"""

import os

from tinygrad_edu import Value
from tinygrad_edu._optional import save_figure
from tinygrad_edu._text import columns, ljust, rjust
from tinygrad_edu.i18n import gettext as _, ngettext
from tinygrad_edu.optim import SGD, AdaGrad, Adam, Momentum

# demos/_language.py: --lang, and tables laid out for Japanese too
from _language import demo_parser, parse_args, pyplot

HERE = os.path.dirname(os.path.abspath(__file__))
START = (-7.0, 2.0)
#: The learning rates of the book's comparison (optimizer_compare_naive.py).
RACERS = [
    ("SGD", SGD, 0.95),
    ("Momentum", Momentum, 0.1),
    ("AdaGrad", AdaGrad, 1.5),
    ("Adam", Adam, 0.3),
]


def f(x, y):
    """The valley x²/20 + y²; its minimum is 0 at (0, 0)."""
    return x**2 / 20.0 + y**2


def descend(make_optimizer, lr, steps):
    """Run one optimizer from START; returns the list of (x, y) points visited."""
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    opt = make_optimizer([x, y], lr=lr)
    path = [(x.data, y.data)]
    for _step in range(steps):
        opt.zero_grad()
        f(x, y).backward()  # x.grad = x/10, y.grad = 2y
        opt.step()
        path.append((x.data, y.data))
    return path


def plot(paths, out, n=120):
    """Draw the four trajectories over the contour lines of f; returns the path or None."""
    plt = pyplot(_("the trajectory plot"))
    if plt is None:  # pyplot has said what to install
        return None
    xs = [-10 + 20 * i / (n - 1) for i in range(n)]
    ys = [-5 + 10 * j / (n - 1) for j in range(n)]
    Z = [[f(a, b) for a in xs] for b in ys]
    counts = {len(points) - 1 for points in paths.values()}  # main gives all the same number
    if len(counts) == 1:
        n_steps = counts.pop()
        steps = ngettext("{n} step", "{n} steps", n_steps).format(n=n_steps)
    else:
        steps = _("up to {n} steps").format(n=max(counts))
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.5), sharex=True, sharey=True)
    for ax, (name, points) in zip(axes.flat, paths.items()):
        ax.contour(
            xs, ys, Z, levels=[0.05, 0.2, 0.5, 1, 2, 4, 7, 11], colors="#9aa7b5", linewidths=0.8
        )
        ax.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            "o-",
            color="#c0392b",
            markersize=3,
            linewidth=1,
        )
        ax.plot(0, 0, "+", color="k", markersize=12)
        x_end, y_end = points[-1]
        ax.set_title(
            _("{name}: ends at ({x:.3f}, {y:.3f})").format(name=name, x=x_end, y=y_end),
            fontsize=10,
        )
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
        # Integer ticks inside the limits: no label sits on a subplot's edge, where
        # it would run into its neighbour's (the axes share x and y).
        ax.set_xticks([-8, -4, 0, 4, 8])
        ax.set_yticks([-4, -2, 0, 2, 4])
    for ax in axes[1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    fig.suptitle(_("f(x, y) = x²/20 + y², {steps} from {start}").format(steps=steps, start=START))
    return save_figure(fig, out, dpi=110)


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(
        _("SGD, Momentum, AdaGrad and Adam race down f(x, y) = x²/20 + y² (seed 003).")
    )
    parser.add_argument("--quick", action="store_true", help=_("smoke test: a coarser plot"))
    parser.add_argument(
        "--steps",
        type=int,
        default=30,
        help=_("steps per optimizer (default {steps})").format(steps=30),
    )
    parser.add_argument(
        "--out",
        default=os.path.join(HERE, "out", "optimizers.png"),
        help=_("where to write the PNG"),
    )
    parser.add_argument("--no-plot", action="store_true", help=_("skip the picture"))
    return parser


def main(argv=None):
    """Parse the options, run the four optimizers, report, plot."""
    parser, args = parse_args(build_parser, argv)
    steps = args.steps
    if steps < 1:
        parser.error(_("--steps must be positive"))

    print(
        _(
            "f(x, y) = x²/20 + y²: a long valley, steep in y and almost flat in x; "
            "minimum at (0, 0)."
        )
    )
    print(
        _("Each optimizer starts at {start} and takes {steps} steps.").format(
            start=START, steps=steps
        )
        + "\n"
    )
    head = [_("optimizer"), "lr", _("final x"), _("final y"), _("f(final)")]
    w_name = max(10, columns(head[0]))
    w_x, w_y, w_f = (max(9, columns(h)) for h in head[2:])
    print(
        f"{ljust(head[0], w_name)} {head[1]:>5}   "
        f"{rjust(head[2], w_x)} {rjust(head[3], w_y)}   {rjust(head[4], w_f)}"
    )
    paths = {}
    for name, cls, lr in RACERS:
        path = descend(cls, lr, steps)
        paths[name] = path
        x, y = path[-1]
        print(f"{name:<{w_name}} {lr:>5}   {x:{w_x}.4f} {y:{w_y}.4f}   {f(x, y):{w_f}.5f}")
    print()
    print(
        _(
            "SGD zig-zags across the valley; Momentum rolls along it; AdaGrad and Adam "
            "scale each direction's step by its own gradient history."
        )
    )
    if not args.no_plot:
        out = plot(paths, args.out, n=40 if args.quick else 120)
        if out:
            print(_("trajectories written to {path}").format(path=out))


if __name__ == "__main__":
    main()
