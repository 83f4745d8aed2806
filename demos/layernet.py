"""The book's two-layer network, Affine → ReLU → Affine → SoftmaxWithLoss, on three spirals.

    python demos/layernet.py            # 200 steps
    python demos/layernet.py --quick    # a few steps, for a smoke test
    python demos/layernet.py --lang ja  # in Japanese (or LANG=ja_JP.UTF-8)

Deep Learning from Scratch (ゼロから作るDeep Learning) builds this network, its
TwoLayerNet, from layer objects kept in an ordered dict: forward runs them in order,
backward runs them reversed, and the gradients come out as W1, b1, W2, b2.  Seed 002
follows the book, but its own class, LayerNet, adds a second ReLU (Relu2) after the
second Affine layer.  This demo trains the book's network; tutorial 4
(docs/tutorials/04-seed-002-layernet.ipynb) trains the seed's variant beside it.
Here every number is a Value, so the engine's backward() does the reversed run for
us, and the gradients sit in each parameter's .grad.  The same names are kept: W1 is
input_size x hidden_size, and W1[i][j] is the weight from input i to hidden neuron j.
"""

from collections import OrderedDict

from tinygrad_edu import gc_paused, no_grad
from tinygrad_edu._optional import progress
from tinygrad_edu._text import columns, rjust
from tinygrad_edu.datasets import make_spirals
from tinygrad_edu.i18n import gettext as _
from tinygrad_edu.losses import softmax_cross_entropy
from tinygrad_edu.nn import Layer
from tinygrad_edu.optim import Adam

# demos/_language.py: --lang, and tables laid out for Japanese too
from _language import demo_parser, parse_args


def relu(xs):
    """The ReLU layer: max(0, x) for each input."""
    return [x.relu() for x in xs]


class TwoLayerNet:
    """The book's TwoLayerNet (seed 002's LayerNet without its Relu2), its parameters as Values.

    An Affine layer is a :class:`tinygrad_edu.nn.Layer` with the linear
    activation (u = Σ w x + b per neuron); ReLU is applied as its own layer,
    as the book and the seed do.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=0):
        affine1 = Layer(
            input_size,
            hidden_size,
            activation="linear",
            init="gaussian",
            weight_init_std=weight_init_std,
            seed=seed,
        )
        affine2 = Layer(
            hidden_size,
            output_size,
            activation="linear",
            init="gaussian",
            weight_init_std=weight_init_std,
            seed=seed + 1,
        )
        # params['W1'][i][j]: from input i to hidden neuron j, as the seed's matrix.
        self.params = OrderedDict(
            W1=[[n.w[i] for n in affine1.neurons] for i in range(input_size)],
            b1=[n.b for n in affine1.neurons],
            W2=[[n.w[i] for n in affine2.neurons] for i in range(hidden_size)],
            b2=[n.b for n in affine2.neurons],
        )
        for name, p in self.params.items():  # label each Value by its place
            for i, row in enumerate(p):
                if isinstance(row, list):
                    for j, w in enumerate(row):
                        w.label = f"{name}[{i}][{j}]"
                else:
                    row.label = f"{name}[{i}]"
        self.layers = OrderedDict(Affine1=affine1, Relu1=relu, Affine2=affine2)
        self.lastLayer = softmax_cross_entropy

    def parameters(self):
        """Every Value of W1, b1, W2, b2, in that order."""
        out = []
        for p in self.params.values():
            for row in p:
                out.extend(row if isinstance(row, list) else [row])
        return out

    def predict(self, x):
        """Run the layers in order: the scores (logits) for each class."""
        for layer in self.layers.values():
            x = layer(x)
        return x

    def loss(self, X, t):
        """SoftmaxWithLoss: mean softmax cross-entropy of the scores over the batch."""
        return self.lastLayer([self.predict(x) for x in X], t)

    def accuracy(self, X, t):
        """Fraction of points whose highest score is their class."""
        with no_grad():
            hits = 0
            for x, label in zip(X, t):
                scores = self.predict(x)
                hits += max(range(len(scores)), key=lambda k: scores[k].data) == label
        return hits / len(t)

    def gradient(self, X, t):
        """Forward, then backward: the gradients in the seed's names, as nested lists of floats."""
        for p in self.parameters():
            p.grad = 0.0
        loss = self.loss(X, t)
        loss.backward()
        grads = OrderedDict()
        for name, p in self.params.items():
            grads[name] = [
                [w.grad for w in row] if isinstance(row, list) else row.grad for row in p
            ]
        return loss.data, grads


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(
        _(
            "The two-layer network of Deep Learning from Scratch (which seed 002 follows), "
            "Affine → ReLU → Affine → SoftmaxWithLoss, on three spirals."
        )
    )
    parser.add_argument("--quick", action="store_true", help=_("a few steps only (smoke test)"))
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help=_("training steps (default {steps}, quick {quick})").format(steps=200, quick=40),
    )
    parser.add_argument(
        "--hidden", type=int, default=20, help=_("hidden_size (default {size})").format(size=20)
    )
    parser.add_argument(
        "--weight-init-std",
        type=float,
        default=1.0,
        help=_("weight_init_std (default {std}; the seed's {seed_std} learns slowly here)").format(
            std=1.0, seed_std=0.01
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help=_("seed for the data and the weights"))
    return parser


def main(argv=None):
    """Parse the options, train, report."""
    parser, args = parse_args(build_parser, argv)
    steps = args.steps if args.steps is not None else (40 if args.quick else 200)
    if steps < 1 or args.hidden < 1:
        parser.error(_("--steps and --hidden must be positive"))

    X, t = make_spirals(50, 3, noise=0.2, seed=args.seed)
    X_test, t_test = make_spirals(50, 3, noise=0.2, seed=args.seed + 1000)
    net = TwoLayerNet(
        input_size=2,
        hidden_size=args.hidden,
        output_size=3,
        weight_init_std=args.weight_init_std,
        seed=args.seed,
    )
    print(
        _(
            "Three spirals: 150 points in 3 classes (labels 0, 1, 2); "
            "no straight line separates them."
        )
    )
    print(_("Network: {layers}").format(layers=" -> ".join([*net.layers, "SoftmaxWithLoss"])))
    for name, p in net.params.items():
        matrix = isinstance(p[0], list)
        shape = f"{len(p)} x {len(p[0])}" if matrix else f"{len(p)}"
        first = p[0][0] if matrix else p[0]
        print(
            _("  {name}: {shape} e.g. {label} = {value}").format(
                name=name, shape=f"{shape:<8}", label=first.label, value=f"{first.data:+.4f}"
            )
        )
    print(
        _(
            "weights drawn as weight_init_std * N(0, 1) with weight_init_std = {std}; "
            "biases start at 0"
        ).format(std=args.weight_init_std)
    )
    print(_("Optimizer Adam(lr=0.05), full batch, {steps} steps.").format(steps=steps) + "\n")

    opt = Adam(net.parameters(), lr=0.05)
    bar = progress(range(steps), total=steps, desc=_("training"), disable=args.quick)
    head = [_("step"), _("loss"), _("accuracy")]
    w_step, w_loss, w_acc = (max(w, columns(h)) for w, h in zip((5, 8, 8), head))
    bar.write(f"{rjust(head[0], w_step)}  {rjust(head[1], w_loss)}  {rjust(head[2], w_acc)}")
    show_every = max(steps // 10, 1)
    for step in bar:
        with gc_paused():  # the graph holds no cycles: the collector only slows the step
            loss, grads = net.gradient(X, t)  # grads['W1'][i][j] = dL/dW1[i][j]
        bar.set_postfix_str(_("loss {value}").format(value=f"{loss:.4f}"))
        if step % show_every == 0 or step == steps - 1:
            bar.write(f"{step:>{w_step}}  {loss:{w_loss}.4f}  {net.accuracy(X, t):{w_acc}.1%}")
        opt.step()
    print()
    print(
        _("last gradients, e.g. grads['W1'][0][0] = {w}, grads['b2'] = [{b2}]").format(
            w=f"{grads['W1'][0][0]:+.5f}", b2=", ".join(f"{g:+.5f}" for g in grads["b2"])
        )
    )
    print(_("training accuracy: {accuracy}").format(accuracy=f"{net.accuracy(X, t):.1%}"))
    print(
        _("test accuracy ({count} new points): {accuracy}").format(
            count=len(t_test), accuracy=f"{net.accuracy(X_test, t_test):.1%}"
        )
    )


if __name__ == "__main__":
    main()
