"""A drop-in for micrograd: code written for ``micrograd.engine`` and ``micrograd.nn``
runs on this engine with only its import changed.

::

    from micrograd.engine import Value          # becomes
    from micrograd.nn import Neuron, Layer, MLP  #   from tinygrad_edu.micrograd import Value, MLP

``Value`` is the engine's own Value (it has micrograd's ``_prev``, ``_op`` and
``_backward()`` too, so the lecture's ``draw_dot`` runs on it).  ``Neuron``,
``Layer`` and ``MLP`` are micrograd's: ReLU hidden layers, a linear output
layer, weights drawn with ``random.uniform(-1, 1)`` from Python's ``random``
module in micrograd's order and biases 0, so after the same ``random.seed`` both
build the same network and train along the same path.  A layer of one neuron
gives a single Value rather than a list.

>>> import random
>>> from tinygrad_edu.micrograd import Value, MLP
>>> random.seed(1337)
>>> model = MLP(2, [3, 1])
>>> model
MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]
>>> len(model.parameters())              # (2 + 1) * 3 + (3 + 1) * 1
13
>>> score = model([Value(1.0), Value(-2.0)])   # one output neuron: a Value, not a list
>>> loss = (1 + -1 * score).relu()             # micrograd's max-margin loss for a label -1
>>> model.zero_grad(); loss.backward()
>>> loss.data == max(0.0, 1 - score.data), model.layers[1].neurons[0].b.grad
(True, -1.0)

What differs from micrograd is the Value underneath: ``grad`` is a float
(``0.0``), the repr names the op, ``a - b``, ``a / b`` and ``-a`` are ops of
their own (``_op`` ``'-'``, ``'/'``, ``'neg'``, where micrograd builds them from
``+``, ``*`` and ``**-1``), more ops are there (``tanh``, ``exp``, ``x ** y``
with a Value exponent ...) and mistakes raise errors that name the op.  An op
written by hand as in micrograd, ``Value(data, _children, _op)`` with a
``_backward`` of its own, runs too (one or two children).  The numbers are the same.

For the networks of the seed documents (sigmoid, other initialisations,
parameter names, saving) use :mod:`tinygrad_edu.nn`.
"""

import random
from collections.abc import Iterable
from typing import Any

from .engine import Value, zero_grad as _zero_grad

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP"]


class Module:
    """Anything with parameters, as micrograd's ``Module``: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (``backward()`` adds into it otherwise)."""
        _zero_grad(self.parameters())

    def parameters(self) -> list[Value]:
        """The parameter Values, in a fixed order (none here; subclasses list theirs)."""
        return []


class Neuron(Module):
    """``relu(w . x + b)``, or ``w . x + b`` with ``nonlin=False``; ``nin`` inputs.

    Each weight is ``random.uniform(-1, 1)``, drawn in order; the bias starts at 0.
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x: Iterable[Value | float]) -> Value:
        """The neuron's output for the inputs ``x`` (Values or numbers)."""
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons fed the same ``nin`` inputs; ``kwargs`` go to each :class:`Neuron`."""

    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    # Any: a Value for a one-neuron layer, else a list of Values (micrograd's duck typing)
    def __call__(self, x: Iterable[Value | float]) -> Any:
        """The neurons' outputs as a list, or a single Value for a one-neuron layer."""
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers in a row: ``nin`` inputs, then a layer of each size in ``nouts``.

    Hidden layers use ReLU, the last layer is linear (its outputs are scores).
    """

    def __init__(self, nin: int, nouts: Iterable[int]) -> None:
        sizes = [nin] + list(nouts)
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(sizes) - 1)
        ]

    # Any: a Value if the last layer has one neuron, else a list of Values (as micrograd's)
    def __call__(self, x: Iterable[Value | float]) -> Any:
        """The network's output for the inputs ``x``: a Value if the last layer has one neuron."""
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
