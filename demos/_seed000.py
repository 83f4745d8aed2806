"""Seed 000's 2-3-1 sigmoid network with seed 000's names, shared by the demos.

demos/xor.py draws one sample's loss with these names, and demos/jit_source.py
compiles it (the labels become the variable names of the generated code).
Not a demo itself (the leading underscore keeps it out of `tinygrad-edu demo`).

The names are those of seed 000's code: w_im[m][i] (input i -> middle neuron m),
b_m[m], w_mo[0][m] (middle neuron m -> output), b_o[0]; u_m0.. and u_o are the
pre-activations, output_m0.. and output_o the sigmoid outputs, correct the
target, error = output_o - correct, and E = 1/2 error^2 the loss (seed 000 states no
loss; this is the one its delta δ_0 = (出力 - 正解) × 活性化関数の微分系 implies).
"""

from tinygrad_edu import Value
from tinygrad_edu.i18n import gettext as _

#: Passes over the four XOR samples: by default, and with --quick.
EPOCHS, QUICK_EPOCHS = 4000, 1000


def add_epoch_options(parser):
    """--epochs and --quick, as the XOR demos take them."""
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=_("passes over the 4 samples (default {epochs})").format(epochs=EPOCHS),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=_("{epochs} epochs, for a quick smoke run").format(epochs=QUICK_EPOCHS),
    )


def epochs_asked(parser, args):
    """The number of epochs --epochs or --quick asks for (a usage error below 1)."""
    epochs = args.epochs if args.epochs is not None else (QUICK_EPOCHS if args.quick else EPOCHS)
    if epochs < 1:
        parser.error(_("--epochs must be at least 1"))
    return epochs


def seed_parameters(model):
    """(w_im, b_m, w_mo, b_o): the parameters of an ``MLP(2, [3, 1])``, arranged as
    seed 000's lists.  They are the model's own Values (not copies), so a loss built
    from them sends its gradients to the model."""
    middle, output = model.layers
    w_im = [list(n.w) for n in middle.neurons]
    b_m = [n.b for n in middle.neurons]
    w_mo = [list(output.neurons[0].w)]
    b_o = [output.neurons[0].b]
    return w_im, b_m, w_mo, b_o


def seed_network(w_im, b_m, w_mo, b_o, x):
    """The network's output output_o (a Value), every step named as in seed 000.

    The sums run in the order of :meth:`tinygrad_edu.nn.Neuron.preactivation`
    (w0 x0 + w1 x1, then + b), so the numbers are those of the MLP itself.
    """
    output_m = []
    for m in range(3):
        u = w_im[m][0] * x[0] + w_im[m][1] * x[1] + b_m[m]
        u.label = f"u_m{m}"  # pre-activation of middle neuron m
        out = u.sigmoid()
        out.label = f"output_m{m}"
        output_m.append(out)
    u = w_mo[0][0] * output_m[0] + w_mo[0][1] * output_m[1] + w_mo[0][2] * output_m[2] + b_o[0]
    u.label = "u_o"
    output_o = u.sigmoid()
    output_o.label = "output_o"
    return output_o


def seed_network_loss(w_im, b_m, w_mo, b_o, x, correct):
    """The loss for one sample, E = 1/2 (output_o - correct)^2, as a Value.

    Seed 000 states no loss; this is the one its text's delta implies:
    dE/du_o = (output_o - correct) × f'(u_o) is its δ_0.

    The constant 1/2 is a Value labelled ``½`` so that a diagram names it; it
    is still a constant (to autograd and to the jit) like any number.
    """
    output_o = seed_network(w_im, b_m, w_mo, b_o, x)
    error = output_o - correct
    error.label = "error"
    loss = Value(0.5, label="½") * error**2
    loss.label = "E"
    return loss
