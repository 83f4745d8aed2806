import math

import pytest

from tinygrad_edu import Value
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSProp

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam]


def one_param(data=1.0, grad=0.5):
    p = Value(data, label="p")
    p.grad = grad
    return p


# -- one step against the closed form, on hand-computed numbers --------------------------


def test_sgd_step():
    p = one_param()
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(1.0 - 0.1 * 0.5)  # 0.95


def test_momentum_two_steps():
    p = one_param()
    opt = Momentum([p], lr=0.1, momentum=0.9)
    opt.step()  # v = -0.05
    assert p.data == pytest.approx(0.95)
    opt.step()  # v = 0.9 * -0.05 - 0.05 = -0.095
    assert opt.v == pytest.approx([-0.095])
    assert p.data == pytest.approx(0.855)


def test_nesterov_step():
    p = one_param()
    Nesterov([p], lr=0.1, momentum=0.9).step()
    # v = -0.05; p += 0.81 * v - 1.9 * 0.1 * 0.5
    assert p.data == pytest.approx(1.0 - 0.0405 - 0.095)  # 0.8645


def test_adagrad_two_steps():
    p = one_param()
    opt = AdaGrad([p], lr=0.1)
    opt.step()  # h = 0.25, step 0.1 * 0.5 / 0.5
    assert p.data == pytest.approx(1.0 - 0.05 / (0.5 + 1e-7), rel=1e-15)
    p.grad = 0.5
    opt.step()  # h = 0.5
    assert opt.h == [0.5]
    assert p.data == pytest.approx(
        1.0 - 0.05 / (0.5 + 1e-7) - 0.05 / (math.sqrt(0.5) + 1e-7), rel=1e-15
    )


def test_rmsprop_step():
    p = one_param()
    RMSProp([p], lr=0.1, decay_rate=0.99).step()
    # h = 0.01 * 0.25 = 0.0025, sqrt(h) = 0.05, step = 0.1 * 0.5 / 0.05 = 1
    assert p.data == pytest.approx(1.0 - 0.05 / (0.05 + 1e-7), rel=1e-12)
    assert p.data == pytest.approx(0.0, abs=1e-5)


def test_adam_first_step_is_lr_times_sign():
    p = one_param()
    opt = Adam([p], lr=0.001)
    opt.step()
    # lr_t = 0.001 * sqrt(1 - 0.999) / (1 - 0.9); m = 0.05; v = 0.00025
    lr_t = 0.001 * math.sqrt(0.001) / 0.1
    assert p.data == pytest.approx(1.0 - lr_t * 0.05 / (math.sqrt(0.00025) + 1e-7), rel=1e-15)
    assert p.data == pytest.approx(0.999, abs=1e-8)
    assert (opt.iter, opt.m, opt.v) == (1, pytest.approx([0.05]), pytest.approx([0.00025]))


def test_adam_second_step():
    p = one_param()
    opt = Adam([p], lr=0.01, beta1=0.5, beta2=0.75)
    opt.step()
    after_one = p.data
    p.grad = -1.0
    opt.step()
    m = 0.5 * 0.25 + 0.5 * -1.0  # m1 = 0.25
    v = 0.75 * 0.0625 + 0.25 * 1.0  # v1 = 0.0625
    lr_t = 0.01 * math.sqrt(1 - 0.75**2) / (1 - 0.5**2)
    assert p.data == pytest.approx(after_one - lr_t * m / (math.sqrt(v) + 1e-7), rel=1e-15)


def test_defaults_follow_the_book():
    p = [Value(0.0)]
    assert SGD(p).lr == 0.01
    assert (Momentum(p).lr, Momentum(p).momentum) == (0.01, 0.9)
    assert Nesterov(p).momentum == 0.9
    assert (AdaGrad(p).lr, AdaGrad(p).eps) == (0.01, 1e-7)
    assert (RMSProp(p).lr, RMSProp(p).decay_rate) == (0.01, 0.99)
    a = Adam(p)
    assert (a.lr, a.beta1, a.beta2, a.eps) == (0.001, 0.9, 0.999, 1e-7)


# -- options --------------------------------------------------------------------------


def test_weight_decay_adds_decay_times_parameter():
    p = one_param(data=2.0, grad=0.5)
    SGD([p], lr=0.1, weight_decay=0.1).step()
    assert p.data == pytest.approx(2.0 - 0.1 * (0.5 + 0.1 * 2.0))  # 1.93


def test_clip_grad_norm_scales_the_global_norm():
    a, b = one_param(0.0, 3.0), one_param(0.0, 4.0)  # norm 5
    opt = SGD([a, b], lr=1.0, clip_grad_norm=1.0)
    assert opt.gradients() == pytest.approx([0.6, 0.8])
    opt.step()
    assert (a.data, b.data) == (pytest.approx(-0.6), pytest.approx(-0.8))
    c = one_param(0.0, 0.3)
    SGD([c], lr=1.0, clip_grad_norm=1.0).step()  # under the limit: untouched
    assert c.data == pytest.approx(-0.3)


def test_zero_grad_and_module_parameters():
    model = MLP(2, [2, 1], seed=0)
    opt = SGD(model, lr=0.1)
    assert opt.params == model.parameters()
    model([1.0, 1.0])[0].backward()
    before = model.state_dict()
    opt.step()
    assert model.state_dict() != before
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_parameter_listed_twice_is_updated_once():
    p = one_param()
    opt = SGD([p, p], lr=0.1)
    assert len(opt.params) == 1
    opt.step()
    assert p.data == pytest.approx(0.95)


def test_step_reads_recorded_gradients():
    x = Value(3.0)
    (x * x).backward(create_graph=True)  # x.grad is a Value (6.0)
    SGD([x], lr=0.1).step()
    assert x.data == pytest.approx(2.4)


def test_divergence_raises_and_changes_nothing():
    p = one_param(1.0, 1e308)
    q = one_param(1.0, 1.0)
    with pytest.raises(
        FloatingPointError, match="parameter p would become -inf.*smaller learning rate"
    ):
        SGD([q, p], lr=10.0).step()
    assert (p.data, q.data) == (1.0, 1.0)


STATEFUL = [Momentum, Nesterov, AdaGrad, RMSProp, Adam]


def optimizer_state(opt):
    """Copies of every piece of state an optimizer keeps between steps."""
    return {
        key: list(getattr(opt, key)) if isinstance(getattr(opt, key), list) else getattr(opt, key)
        for key in ("v", "h", "m", "iter")
        if hasattr(opt, key)
    }


def run_steps(cls, grads_per_step, refused=None):
    """Two parameters through the given steps (a list of (g_a, g_b) per step).
    ``refused`` (a step number) inserts a step with an infinite gradient there,
    which must be refused and change nothing.  Returns (parameter values, state)."""
    a, b = Value(1.0, label="a"), Value(-2.0, label="b")
    opt = cls([a, b], lr=0.1)
    for k, (ga, gb) in enumerate(grads_per_step):
        if k == refused:
            before = ((a.data, b.data), optimizer_state(opt))
            a.grad, b.grad = 0.25, math.inf
            with pytest.raises(FloatingPointError, match="parameter b would become"):
                opt.step()
            assert ((a.data, b.data), optimizer_state(opt)) == before
        a.grad, b.grad = ga, gb
        opt.step()
    return (a.data, b.data), optimizer_state(opt)


@pytest.mark.parametrize("cls", STATEFUL, ids=lambda c: c.__name__)
def test_a_refused_step_leaves_state_and_parameters_unchanged(cls):
    steps = [(0.5, -1.5), (0.25, 0.75), (-1.0, 2.0)]
    expected = run_steps(cls, steps)
    for refused in (0, 1, 2):  # before the first step, and between good steps
        assert run_steps(cls, steps, refused=refused) == expected
    assert expected[1] != optimizer_state(cls([Value(0.0), Value(0.0)], lr=0.1))  # state was used


@pytest.mark.parametrize("cls", [AdaGrad, RMSProp, Adam], ids=lambda c: c.__name__)
def test_an_overflowing_state_is_refused_too(cls):
    # g² overflows to inf: the parameter's new value would still be finite (g / √inf = 0),
    # but every later step would then be stuck at zero, so the step is refused.
    p = one_param(1.0, 1e200)
    opt = cls([p], lr=0.1)
    before = optimizer_state(opt)
    key = "h" if cls is not Adam else "v"
    with pytest.raises(
        FloatingPointError,
        match=rf"the {key} of parameter p would become inf "
        r"\(its gradient is 1e\+200\).*clip_grad_norm",
    ):
        opt.step()
    assert (p.data, optimizer_state(opt)) == (1.0, before)


def test_repr():
    assert repr(SGD([Value(0.0)], lr=0.1)) == "SGD(lr=0.1, 1 parameters)"
    assert (
        repr(Adam([Value(0.0)], weight_decay=0.01))
        == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-07, weight_decay=0.01, 1 parameters)"
    )


# -- bad hyperparameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda p: SGD(p, lr=-0.1), r"lr \(the learning rate\) must be > 0, got -0.1"),
        (lambda p: SGD(p, lr=0), "lr .* got 0.0"),
        (lambda p: SGD(p, lr=float("nan")), "lr"),
        (lambda p: Momentum(p, momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
        (lambda p: Momentum(p, momentum=-0.5), "momentum"),
        (lambda p: RMSProp(p, decay_rate=1.5), "decay_rate"),
        (lambda p: Adam(p, beta1=1.0), "beta1"),
        (lambda p: Adam(p, beta2=-0.1), "beta2"),
        (lambda p: AdaGrad(p, eps=0.0), "eps must be > 0"),
        (lambda p: SGD(p, weight_decay=-1e-4), "weight_decay must be >= 0"),
        (lambda p: SGD(p, clip_grad_norm=0.0), "clip_grad_norm must be > 0"),
    ],
)
def test_bad_hyperparameters_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make([Value(0.0)])


def test_bad_parameter_lists():
    with pytest.raises(TypeError, match=r"lr \(the learning rate\) must be a number, got str"):
        SGD([Value(0.0)], lr="0.1")
    with pytest.raises(ValueError, match="parameter list is empty"):
        Adam([])
    with pytest.raises(TypeError, match="every parameter must be a Value, got float"):
        SGD([Value(0.0), 1.0])
    with pytest.raises(TypeError, match="list of Values"):
        SGD(Value(0.0))


def test_base_class_needs_an_update_rule():
    opt = Optimizer([one_param()], lr=0.1)
    with pytest.raises(NotImplementedError):
        opt.step()


# -- each minimises a convex quadratic ------------------------------------------------------


def quadratic(x, y):
    """0.5 (3x² + 2xy + 2y²) - x + y: positive definite, minimum where 3x + y = 1, x + 2y = -1."""
    return 0.5 * (3 * x * x + 2 * x * y + 2 * y * y) - x + y


X_STAR, Y_STAR = 3 / 5, -4 / 5


@pytest.mark.parametrize(
    "cls,kwargs,steps",
    [
        (SGD, dict(lr=0.2), 200),
        (Momentum, dict(lr=0.05), 300),
        (Nesterov, dict(lr=0.05), 300),
        (AdaGrad, dict(lr=0.5), 500),
        (RMSProp, dict(lr=0.01), 1000),
        (Adam, dict(lr=0.05), 1000),
    ],
)
def test_minimises_a_convex_quadratic(cls, kwargs, steps):
    x, y = Value(-2.0), Value(2.0)
    opt = cls([x, y], **kwargs)
    start = quadratic(x, y).data
    for _ in range(steps):
        opt.zero_grad()
        quadratic(x, y).backward()
        opt.step()
    assert quadratic(x, y).data < start
    assert (x.data, y.data) == (pytest.approx(X_STAR, abs=2e-2), pytest.approx(Y_STAR, abs=2e-2))
