"""tinygrad_edu: a scalar autograd engine for learning backpropagation.

>>> from tinygrad_edu import Value
>>> x = Value(3.0, label='x')
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from .engine import Value, no_grad, is_grad_enabled, zero_grad, topological_order
from .functional import grad, value_and_grad
from .gradcheck import gradcheck, numerical_grad, GradcheckError
from .jit import jit, CompiledFunction

__version__ = "0.1.0"

__all__ = ["Value", "no_grad", "is_grad_enabled", "zero_grad", "topological_order",
           "grad", "value_and_grad", "gradcheck", "numerical_grad", "GradcheckError",
           "jit", "CompiledFunction"]
