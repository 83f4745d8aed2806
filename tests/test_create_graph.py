"""backward(create_graph=True): errors name the op, and no_grad cannot silently zero it."""

import pytest

from tinygrad_edu import Value, grad, no_grad


def test_recorded_backward_names_the_op_whose_derivative_fails():
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError, match=r"backward of sqrt\(x = 0.0\)"):
        x.sqrt().backward(create_graph=True)


def test_nested_grad_names_the_op_whose_derivative_fails():
    with pytest.raises(ZeroDivisionError, match=r"backward of sqrt"):
        grad(grad(lambda x: x.sqrt()))(0.0)


def test_create_graph_inside_no_grad_still_records_the_gradient_graph():
    x = Value(2.0)
    y = x**3
    with no_grad():
        y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value) and first.data == 12.0  # 3x^2
    x.grad = 0.0
    first.backward()
    assert x.grad == 12.0  # 6x


def test_float_and_recorded_backward_agree():
    def build():
        a, b = Value(0.7), Value(-1.3)
        return a, b, (a * b).tanh() + a.exp() / (b * b + 1.0)

    a, b, out = build()
    out.backward()
    c, d, out2 = build()
    out2.backward(create_graph=True)
    assert c.grad.data == pytest.approx(a.grad, rel=1e-14)
    assert d.grad.data == pytest.approx(b.grad, rel=1e-14)


def test_a_value_assigned_to_data_is_named_with_the_fix():
    p = Value(1.0, label="p")
    (p * p).backward()
    p.data = p - 0.1 * p.grad  # the slip: a Value where a number belongs
    with pytest.raises(TypeError, match=r"mul: 'p' has \.data = Value.*p\.data -= lr \* p\.grad"):
        p * 2


def test_a_string_assigned_to_data_is_named():
    x = Value(1.0, label="x")
    x.data = "a"
    with pytest.raises(TypeError, match=r"'x' has \.data = 'a' of type str"):
        x.exp()


def test_a_numpy_float_assigned_to_data_still_works():
    np = pytest.importorskip("numpy")
    x = Value(1.0)
    x.data = np.float64(2.0)
    y = x * 3
    assert type(y.data) is float and y.data == 6.0


def test_grad_set_to_none_is_named_in_backward():
    x = Value(1.0, label="x")
    y = x * x
    x.grad = None
    with pytest.raises(TypeError, match=r"'x' has \.grad = None"):
        y.backward()


def test_format_and_round_use_data():
    v = Value(2.0 / 3.0)
    assert f"{v:.3f}" == "0.667"
    assert round(v, 2) == 0.67
    assert f"{v}" == repr(v)
