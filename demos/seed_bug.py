"""Let the machine find the bug in seed 000's train().

Seed 000's article explains backpropagation for a 2-3-1 sigmoid network:

    delta_o = (output - correct) * f'(u_o)
    delta_m = delta_o * (weight into the output) * f'(u_m)
    weight change = -k * delta * input,   bias change = -k * delta

but its train() code does something else in two places.  This demo runs that
code exactly as printed, next to the library's delta rule, autograd and
central finite differences, on the same weights and the same sample, and
prints which parameter updates disagree with finite differences, and why.
Then it trains XOR with each rule.

    python demos/seed_bug.py           # a few seconds
    python demos/seed_bug.py --quick   # shorter XOR comparison
    python demos/seed_bug.py --lang ja # in Japanese (or LANG=ja_JP.UTF-8)
"""

import random
import sys

from tinygrad_edu import GradcheckError, Value, gradcheck, numerical_grad
from tinygrad_edu._text import columns, fill, ljust, rjust
from tinygrad_edu.datasets import xor
from tinygrad_edu.delta import apply_update, delta_rule
from tinygrad_edu.i18n import N_, gettext as _
from tinygrad_edu.losses import sum_of_squares
from tinygrad_edu.nn import MLP
from tinygrad_edu.ops import FLOAT

# demos/_language.py: --lang, and tables laid out for Japanese too
from _language import demo_parser, parse_args

K = 0.3
SEED = 1  # the same starting weights as demos/xor.py
SAMPLE = ([1.0, 1.0], 0.0)  # both inputs non-zero, so every w_im update shows
XOR = [(x, float(t)) for x, t in zip(*xor())]  # (inputs, target) pairs


def sigmoid(u):
    """The sigmoid of a float, or of a Value (then recorded, so autograd can follow)."""
    return u.sigmoid() if isinstance(u, Value) else FLOAT.sigmoid(u)


class _Cell:
    """A neuron as the article's class keeps it: just its last output."""

    def __init__(self):
        self.output = 0.0


class SeedNetwork:
    """Seed 000's 2-3-1 network, stored the way its article stores it.

    w_im[m][i]: input i -> middle neuron m;  w_mo[0][m]: middle neuron m -> output;
    b_m[m], b_o[0]: biases.  forward() follows the article's text (the article
    does not print it); train() is the article's code, line for line.
    """

    def __init__(self, w_im, w_mo, b_m, b_o):
        self.w_im = [list(row) for row in w_im]
        self.w_mo = [list(row) for row in w_mo]
        self.b_m = list(b_m)
        self.b_o = list(b_o)
        self.input_layer = [0.0, 0.0]
        self.middle_layer = [_Cell() for _m in range(3)]
        self.output_layer = [_Cell()]

    @classmethod
    def from_mlp(cls, model):
        """The same numbers as an nn.MLP(2, [3, 1]) holds."""
        hidden, out = model.layers[0].neurons, model.layers[1].neurons[0]
        return cls(
            w_im=[[w.data for w in n.w] for n in hidden],
            w_mo=[[w.data for w in out.w]],
            b_m=[n.b.data for n in hidden],
            b_o=[out.b.data],
        )

    def forward(self, input_data):
        """Sigmoid outputs of the middle neurons, then of the output neuron, each cell
        keeping its output for train(); returns the network's output."""
        self.input_layer = list(input_data)
        for m, cell in enumerate(self.middle_layer):
            u = (
                self.w_im[m][0] * self.input_layer[0]
                + self.w_im[m][1] * self.input_layer[1]
                + self.b_m[m]
            )
            cell.output = sigmoid(u)
        u = sum(self.w_mo[0][m] * self.middle_layer[m].output for m in range(3)) + self.b_o[0]
        self.output_layer[0].output = sigmoid(u)
        return self.output_layer[0].output

    # ---- seed 000's train(), exactly as the article prints it (comments translated) ----
    def train(self, correct):
        """One update after forward(): seed 000's code as printed, six lines marked BUG."""
        # learning coefficient
        k = 0.3

        # output of the output layer
        output_o = self.output_layer[0].output
        # outputs of the middle layer
        output_m0 = self.middle_layer[0].output
        output_m1 = self.middle_layer[1].output
        output_m2 = self.middle_layer[2].output

        # δ_0 = (output - correct) × derivative of the activation (sigmoid here)
        delta_o = (output_o - correct) * output_o * (1.0 - output_o)
        # δ_m = δ_0 × weight into the output layer × derivative of the activation
        delta_m0 = self.w_mo[0][0] * output_m0 * (1.0 - output_m0)  # BUG: the text says δ_0 × ...;
        delta_m1 = self.w_mo[0][1] * output_m1 * (1.0 - output_m1)  # BUG: these three lines
        delta_m2 = self.w_mo[0][2] * output_m2 * (1.0 - output_m2)  # BUG: leave out delta_o

        # output-layer weight change = - k × δ_0 × input
        self.w_mo[0][0] -= k * delta_o * output_m0
        self.w_mo[0][1] -= k * delta_o * output_m1
        self.w_mo[0][2] -= k * delta_o * output_m2
        # output-layer bias change = - k × δ_0
        self.b_o[0] -= k * delta_o

        # middle-layer weight change = - k × δ_m × input
        self.w_im[0][0] -= k * delta_m0 * self.input_layer[0]
        self.w_im[0][1] -= k * delta_m0 * self.input_layer[1]
        self.w_im[1][0] -= k * delta_m1 * self.input_layer[0]
        self.w_im[1][1] -= k * delta_m1 * self.input_layer[1]
        self.w_im[2][0] -= k * delta_m2 * self.input_layer[0]
        self.w_im[2][1] -= k * delta_m2 * self.input_layer[1]
        # middle-layer bias change = - k × δ_m
        self.b_m[0] -= k * delta_o  # BUG: the comment says δ_m; the code uses delta_o
        self.b_m[1] -= k * delta_o  # BUG
        self.b_m[2] -= k * delta_o  # BUG

    # ---- the same method with the six BUG lines corrected as the article's text says ----
    def train_fixed(self, correct):
        """One update after forward(), the BUG lines corrected as the article's text says."""
        k = 0.3
        output_o = self.output_layer[0].output
        output_m = [cell.output for cell in self.middle_layer]
        delta_o = (output_o - correct) * output_o * (1.0 - output_o)
        delta_m = [delta_o * self.w_mo[0][m] * output_m[m] * (1.0 - output_m[m]) for m in range(3)]
        for m in range(3):
            self.w_mo[0][m] -= k * delta_o * output_m[m]
        self.b_o[0] -= k * delta_o
        for m in range(3):
            for i in range(2):
                self.w_im[m][i] -= k * delta_m[m] * self.input_layer[i]
            self.b_m[m] -= k * delta_m[m]

    # ---- the parameters as one flat list, in a fixed order, with the article's names ----
    NAMES = (
        [f"w_im[{m}][{i}]" for m in range(3) for i in range(2)]
        + [f"w_mo[0][{m}]" for m in range(3)]
        + [f"b_m[{m}]" for m in range(3)]
        + ["b_o[0]"]
    )

    def flat(self):
        """The 13 parameters in the order of NAMES."""
        return (
            [self.w_im[m][i] for m in range(3) for i in range(2)]
            + list(self.w_mo[0])
            + list(self.b_m)
            + list(self.b_o)
        )

    @classmethod
    def from_flat(cls, p):
        """Inverse of flat()."""
        return cls(w_im=[p[0:2], p[2:4], p[4:6]], w_mo=[p[6:9]], b_m=p[9:12], b_o=p[12:13])

    def loss(self, x, correct):
        """E = 1/2 (output - correct)^2 for one sample."""
        return 0.5 * (self.forward(x) - correct) ** 2


def seed_update(net, x, correct, method="train"):
    """Run one of the seed's train methods on a copy; return the change of each parameter."""
    copy = SeedNetwork.from_flat(net.flat())
    copy.forward(x)
    getattr(copy, method)(correct)
    return [after - before for after, before in zip(copy.flat(), net.flat())]


def mlp_order(name):
    """The nn.MLP parameter name for one of the article's names."""
    kind, idx = name.split("[", 1)
    idx = [int(s) for s in idx.replace("]", " ").replace("[", " ").split()]
    return {
        "w_im": lambda m, i: f"layers.0.neurons.{m}.w.{i}",
        "w_mo": lambda _, m: f"layers.1.neurons.0.w.{m}",
        "b_m": lambda m: f"layers.0.neurons.{m}.b",
        "b_o": lambda _: "layers.1.neurons.0.b",
    }[kind](*idx)


def agree(update, numeric_gradient):
    """gradcheck's test (atol 1e-5, rtol 1e-4) on the gradient an update implies, -update / k."""
    g = -update / K
    return abs(g - numeric_gradient) <= 1e-5 + 1e-4 * abs(numeric_gradient)


#: The columns of the one-step table: each method's change to every parameter.  A
#: translation may break a title over two lines ("\n"): the table's header then takes two.
COLUMNS = {
    "seed train()": N_("seed train()"),
    "delta rule": N_("delta rule"),
    "autograd": N_("autograd"),
    "finite diff.": N_("finite diff."),
}


def header_lines(first, w_first, titles, w_cell, last):
    """The one-step table's header: ``first`` left-aligned in ``w_first`` columns, each
    title (a list of lines) right-aligned in ``w_cell`` columns, then ``last``.  A title of
    several lines ends on the header's last line, beside ``first`` and ``last``."""
    height = max(len(title) for title in titles)
    titles = [[""] * (height - len(title)) + title for title in titles]
    lines = []
    for row in range(height):
        bottom = row == height - 1
        line = (
            ljust(first if bottom else "", w_first)
            + "".join(rjust(title[row], w_cell) for title in titles)
            + ("  " + last if bottom else "")
        )
        lines.append(line.rstrip())
    return lines


def compare_one_step(model):
    """The table for one sample; returns the names whose seed update disagrees."""
    x, t = SAMPLE
    net = SeedNetwork.from_mlp(model)
    names = SeedNetwork.NAMES

    seed = seed_update(net, x, t, "train")
    fixed = seed_update(net, x, t, "train_fixed")
    rule = delta_rule(model, x, [t], learning_rate=K)
    rule_named = rule.named_gradients()
    model.zero_grad()
    sum_of_squares(model(x), [t]).backward()
    auto_named = {name: p.grad for name, p in model.named_parameters()}

    def E(*params):  # the seed network's loss as a function of its 13 numbers
        return SeedNetwork.from_flat(list(params)).loss(x, t)

    numeric = numerical_grad(E, *net.flat())
    changes = {
        "seed train()": seed,
        "delta rule": [-K * rule_named[mlp_order(n)] for n in names],
        "autograd": [-K * auto_named[mlp_order(n)] for n in names],
        "finite diff.": [-K * g for g in numeric],
    }
    delta_o = rule.delta_o[0]

    print(
        _(
            "One sample, x = {x}, correct = {correct}, starting from MLP(2, [3, 1], seed={seed});\n"
            "output {output}, delta_o = {delta_o}, k = {k}."
        ).format(
            x=x,
            correct=f"{t:g}",
            seed=SEED,
            output=f"{rule.output[0]:.6f}",
            delta_o=f"{delta_o:.6f}",
            k=K,
        )
    )
    print(_("Each column is the change that method makes to the parameter: -k * dE/dp."))
    print()
    titles = [_(COLUMNS[c]).split("\n") for c in changes]
    w_name = max(11, columns(_("parameter")))
    w_cell = max(14, *(columns(line) + 1 for title in titles for line in title))
    header = header_lines(_("parameter"), w_name, titles, w_cell, _("seed vs finite diff."))
    print("\n".join(header))
    print("-" * max(columns(line) for line in header))
    mismatched = []
    for row, name in enumerate(names):
        cells = [changes[c][row] for c in changes]
        ok = agree(seed[row], numeric[row])
        if not ok:
            mismatched.append(name)
        print(
            f"{name:<{w_name}}"
            + "".join(f"{v:>+{w_cell}.6f}" for v in cells)
            + "  "
            + (_("ok") if ok else _("MISMATCH"))
        )
    print()

    # The library's numbers all agree with finite differences; say so, with the checker itself.
    others_ok = all(
        agree(changes[c][r], numeric[r])
        for c in ("delta rule", "autograd")
        for r in range(len(names))
    )
    try:
        gradcheck(E, *net.flat())
        checker = _("gradcheck(E, 13 parameters) passes: autograd matches finite differences")
    except GradcheckError as err:
        checker = _("gradcheck failed:\n{error}").format(error=err)
    print(checker)
    if others_ok:
        print(_("delta rule and autograd vs finite differences: all 13 agree"))
    else:
        print(_("delta rule and autograd vs finite differences: DISAGREE"))
    if all(agree(f, n) for f, n in zip(fixed, numeric)):
        print(_("seed's train() with its six BUG lines corrected (train_fixed): all 13 agree"))
    else:
        print(_("seed's train() with its six BUG lines corrected (train_fixed): still disagrees"))
    print()

    print(
        fill(
            _("The machine flags {count} of 13 updates: {names}.").format(
                count=len(mismatched), names=", ".join(mismatched)
            ),
            88,
            subsequent_indent="  ",
        )
    )
    w_rows = [r for r, n in enumerate(names) if n.startswith("w_im")]
    ratios = [seed[r] / changes["delta rule"][r] for r in w_rows]
    if not all(abs(ratio * delta_o - 1) < 1e-9 for ratio in ratios):
        raise RuntimeError(
            _("the seed's w_im steps are not the right ones / delta_o: {ratios}").format(
                ratios=", ".join(f"{ratio:.6g}" for ratio in ratios)
            )
        )
    print(
        _(
            "* w_im: the code computes delta_m = w_mo * f'(u_m), leaving out the factor delta_o:\n"
            "  each w_im step is {factor} times the right one, and {factor} = 1 / delta_o."
        ).format(factor=f"{1 / delta_o:.4g}")
    )
    print(
        _(
            "* b_m: the code subtracts k * delta_o (the output neuron's delta) where the text says\n"
            "  k * delta_m, so all three middle biases move by the same {change}."
        ).format(change=f"{-K * delta_o:+.6f}")
    )
    return mismatched


def train_xor(step, epochs, seed):
    """Per-sample training on XOR, samples shuffled by `seed` each epoch."""
    rng = random.Random(seed)
    order = list(range(4))
    for _epoch in range(epochs):
        rng.shuffle(order)
        for i in order:
            step(*XOR[i])


def compare_training(model, epochs):
    """XOR from the same start with the seed's train(), and with the delta rule."""
    start = SeedNetwork.from_mlp(model)

    buggy = SeedNetwork.from_flat(start.flat())

    def buggy_step(x, t):
        buggy.forward(x)
        buggy.train(t)

    def buggy_result():
        return [buggy.forward(x) for x, _t in XOR]

    right = MLP(2, [3, 1], seed=SEED)

    def right_step(x, t):
        apply_update(right, delta_rule(right, x, [t], learning_rate=K))

    def right_result():
        return [delta_rule(right, x, [t]).output[0] for x, t in XOR]

    print()
    print(
        _(
            "Training XOR for {epochs} epochs (k = {k}, one update per sample, same start, same order):"
        ).format(epochs=epochs, k=K)
    )
    rules = (
        ("seed's train()", _("seed's train()"), buggy_step, buggy_result),
        ("delta rule", _("delta rule"), right_step, right_result),
    )
    w_rule = max(16, *(columns(shown) + 1 for _name, shown, _step, _out in rules))
    w_loss = max(11, columns(_("final loss")))
    print(
        ljust(_("rule"), w_rule)
        + rjust(_("final loss"), w_loss)
        + "   "
        + _("outputs for (0,0) (0,1) (1,0) (1,1)")
    )
    results = {}
    for name, shown, step, outputs in rules:
        train_xor(step, epochs, SEED)
        ys = outputs()
        loss = sum(0.5 * (y - t) ** 2 for y, (_x, t) in zip(ys, XOR))
        learned = all(abs(y - t) < 0.25 for y, (_x, t) in zip(ys, XOR))
        results[name] = (loss, learned)
        print(
            ljust(shown, w_rule)
            + f"{loss:>{w_loss}.5f}   "
            + "  ".join(f"{y:5.3f}" for y in ys)
            + "   "
            + (_("learned XOR") if learned else _("did not learn XOR"))
        )
    if not results["seed's train()"][1]:
        print(
            _(
                "With the seed's train() the middle layer does not step along the gradient of the\n"
                "loss, and here the network does not learn XOR."
            )
        )
    return results


def build_parser():
    """The command line, its help in the language in force."""
    parser = demo_parser(_("Let the machine find the bug in seed 000's train()."))
    parser.add_argument("--quick", action="store_true", help=_("a shorter XOR comparison"))
    return parser


def main(argv=None):
    """Compare one step of the seed's train() with the delta rule, autograd and
    finite differences, then train XOR both ways."""
    _parser, args = parse_args(build_parser, argv)
    model = MLP(2, [3, 1], activation="sigmoid", seed=SEED)
    compare_one_step(model)
    compare_training(model, epochs=1000 if args.quick else 4000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
