"""Draw docs/neuron.svg: one tanh neuron, o = tanh(x1*w1 + x2*w2 + b), after backward().

The numbers are the classic ones (the output comes out at 0.7071, so the
local derivative of tanh is 1 - 0.7071**2 = 0.5).  Run from the repository root:

    python docs/neuron.py          (after pip install -e .)

It also writes docs/neuron.dot, the DOT source (needs Graphviz's dot for the SVG).
tests/test_viz.py loads neuron() from this file, so the tests check the very
diagram the docs show.
"""

import os

from tinygrad_edu import Value
from tinygrad_edu.viz import render


def neuron():
    """The neuron's output Value, with every node labelled as in the classic example."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1w1"
    x2w2 = x2 * w2; x2w2.label = "x2w2"
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = "x1w1x2w2"
    n = x1w1x2w2 + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    return o


if __name__ == "__main__":
    o = neuron()
    o.backward()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neuron.svg")
    print("wrote", render(o, path, show_order=True))
