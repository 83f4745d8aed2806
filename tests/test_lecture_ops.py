"""Ops written by hand, as the micrograd lecture writes them: the output made with
``Value(data, (inputs...), 'op')`` and given a ``_backward`` closure that adds
``local derivative * out.grad`` to each input's grad.  backward() runs the closures in
topological order; the diagrams, explain and the step-through page read them without
changing a gradient; what they cannot do (the jit, create_graph, pickling) says so.
"""

import math
import pickle

import pytest
from hypothesis import given, strategies as st

from tinygrad_edu import GradcheckError, Value, gradcheck, jit, no_grad
from tinygrad_edu.explain import explain
from tinygrad_edu.viz import draw_dot, page

# -- the lecture's ops, written as in the lecture (on this package's Value) --


def add(self, other):
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad

    out._backward = _backward
    return out


def mul(self, other):
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def power(self, k):
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


def exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def tanh(self):
    t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def neuron(x1, x2, w1, w2, b):
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), all of it written by hand."""
    return tanh(add(add(mul(x1, w1), mul(x2, w2)), b))


def neuron_builtin(x1, x2, w1, w2, b):
    return (x1 * w1 + x2 * w2 + b).tanh()


def leaves(numbers):
    return [Value(v, label=name) for v, name in zip(numbers, ["x1", "x2", "w1", "w2", "b"])]


LECTURE = [2.0, 0.0, -3.0, 1.0, 6.8813735870195432]
small = st.floats(-3, 3, allow_nan=False)


def test_the_lectures_neuron_by_hand():
    x1, x2, w1, w2, b = leaves(LECTURE)
    o = neuron(x1, x2, w1, w2, b)
    assert o._op == "tanh" and o.op == "tanh" and len(o._prev) == 1
    o.backward()
    assert round(o.data, 4) == 0.7071
    grads = [round(v.grad, 4) for v in (x1, x2, w1, w2, b)]
    assert grads == [-1.5, 0.5, 1.0, 0.0, 0.5]  # the lecture's numbers


@given(st.lists(small, min_size=5, max_size=5))
def test_hand_written_ops_give_the_builtin_gradients(numbers):
    by_hand, builtin = leaves(numbers), leaves(numbers)
    o1, o2 = neuron(*by_hand), neuron_builtin(*builtin)
    o1.backward()
    o2.backward()
    assert o1.data == pytest.approx(o2.data, abs=1e-12)
    for a, b in zip(by_hand, builtin):
        assert a.grad == pytest.approx(b.grad, rel=1e-9, abs=1e-12)


@given(small.filter(lambda x: abs(x) > 0.1), st.sampled_from([2, 3, -1]))
def test_hand_written_ops_agree_with_finite_differences(x, k):
    assert gradcheck(lambda v: exp(power(mul(v, v), k)) if k < 0 else power(exp(v), k), x)


def test_gradcheck_catches_a_wrong_hand_written_rule():
    def wrong_square(self):  # forgot the 2 of d(x**2)/dx
        out = Value(self.data**2, (self,), "**2")

        def _backward():
            self.grad += self.data * out.grad

        out._backward = _backward
        return out

    assert gradcheck(lambda v: power(v, 2), 1.5)
    with pytest.raises(GradcheckError, match="1 of 1 gradient"):
        gradcheck(wrong_square, 1.5)


def test_an_input_used_twice_gets_both_contributions():
    a = Value(3.0, label="a")
    add(a, a).backward()
    assert a.grad == 2.0
    b = Value(3.0, label="b")
    mul(b, b).backward()
    assert b.grad == 6.0
    # mixed with the built-in ops, in one graph
    c = Value(0.5, label="c")
    (add(c, c) * c).backward()  # d(2c * c)/dc = 4c
    assert c.grad == 2.0


def test_leaves_accumulate_as_with_builtin_ops():
    x = Value(2.0)
    out = mul(x, x)
    out.backward()
    out.backward()
    assert x.grad == 8.0


def test_out_backward_runs_one_step_as_in_the_lecture():
    a, b = Value(2.0), Value(-3.0)
    c = mul(a, b)
    c.grad = 1.0
    c._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    # the built-in ops' _backward works the same way
    d, e = Value(2.0), Value(-3.0)
    f = d * e
    f.grad = 1.0
    f._backward()
    assert (d.grad, e.grad) == (-3.0, 2.0)


def test_the_lectures_manual_part_before_any_backward_is_written():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = Value(a.data * b.data, (a, b), "*")
    e.label = "e"
    e._backward()  # the lecture's default: nothing happens yet
    assert a.grad == 0.0 and b.grad == 0.0
    e.grad = 1.0
    a.grad, b.grad = b.data, a.data  # set by hand, as in the lecture
    assert "grad -3" in draw_dot(e).source  # drawn with the grads set by hand
    with pytest.raises(TypeError, match=r"has no _backward.*out\._backward = _backward"):
        e.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)  # nothing changed


def test_leaf_backward_assignment_is_harmless():
    a = Value(1.0)
    a._backward = lambda: None  # the lecture's Value.__init__ does this
    a.backward()
    assert a.grad == 1.0


def test_a_builtin_ops_rule_cannot_be_replaced():
    c = Value(2.0) * Value(3.0)
    with pytest.raises(AttributeError, match=r"made by '\*'.*Your own op"):
        c._backward = lambda: None
    with pytest.raises(TypeError, match="function of no arguments"):
        Value(1.0, (Value(2.0),), "f")._backward = 3.0


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda a: Value(1.0, (a, a, a), "+"), ValueError, "one or two inputs, got 3"),
        (lambda a: Value(1.0, ("x",), "+"), TypeError, "children must be Values, got str"),
        (lambda a: Value(1.0, (a,), 3), TypeError, "_op must be a str"),
        (lambda a: Value(1.0, 3), TypeError, "tuple of Values such as"),
        (lambda a: Value(1.0, (a,), "f", "o", "p"), TypeError, "at most four arguments"),
        (lambda a: Value(1.0, "a", "b"), TypeError, "takes one label"),
        (lambda a: Value(1.0, "a", label="b"), TypeError, "takes one label"),
        (lambda a: Value(1.0, (a,), "f", 7), TypeError, "label must be a str"),
    ],
)
def test_wrong_arguments_say_what_is_wrong(make, error, words):
    with pytest.raises(error, match=words):
        make(Value(1.0))


def test_the_lectures_argument_forms():
    a, b = Value(1.0), Value(2.0)
    for v in (
        Value(3.0, (a, b), "+", "c"),
        Value(3.0, (a, b), "+", label="c"),
        Value(3.0, _children=(a, b), _op="+", label="c"),
        Value(3.0, {a, b}, "+", "c"),
    ):
        assert v.label == "c" and v._op == "+" and v._prev == {a, b}
    assert Value(2.0, "x").label == "x" and Value(2.0, label="x").label == "x"
    with no_grad():  # nothing is recorded: a leaf
        assert Value(3.0, (a, b), "+").is_leaf


def test_reading_the_graph_changes_no_gradient():
    x1, x2, w1, w2, b = leaves(LECTURE)
    o = neuron(x1, x2, w1, w2, b)
    o.label = "o"
    o.backward()
    before = [v.grad for v in (x1, x2, w1, w2, b, o)]
    text = str(explain(o))
    assert "step 1: o = tanh(n4)" in text and "(local derivative of tanh)" in text
    assert "(1.0 * 0.5)" in text  # the numbers: upstream times the local derivative
    assert "b.grad = 0.5" in text.split("gradients:")[1]
    assert "grad -1.5" in draw_dot(o).source
    html = page(o).html  # the step-through page, without generated code for these ops
    assert "x1" in html and "was written by hand" in html
    assert [v.grad for v in (x1, x2, w1, w2, b, o)] == before


def test_an_error_in_a_hand_written_rule_is_its_own_and_changes_nothing():
    a = Value(0.0, label="a")
    a.grad = 5.0
    out = Value(0.0, (a,), "sqrt")

    def _backward():
        a.grad += 0.5 / math.sqrt(a.data) * out.grad

    out._backward = _backward
    with pytest.raises(ZeroDivisionError) as err:
        out.backward()
    assert err.traceback[-1].name == "_backward"  # the learner's own line
    assert a.grad == 5.0


@pytest.mark.parametrize(
    "use, words",
    [
        (lambda o: o.backward(create_graph=True), "create_graph=True"),
        (lambda o: pickle.dumps(o), "cannot pickle"),
        (lambda o: jit(lambda v: power(v, 2), 1.0), "jit"),
    ],
)
def test_what_needs_a_rule_as_formulas_says_to_write_an_op(use, words):
    o = power(Value(1.5), 2)
    with pytest.raises(TypeError, match=words) as err:
        use(o)
    assert "'**2' was written by hand" in str(err.value) or "Op" in str(err.value)
