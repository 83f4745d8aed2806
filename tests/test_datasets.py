import math

import pytest

from tinygrad_edu.datasets import make_moons, make_spirals, one_hot, signed_labels, xor


def test_xor():
    X, y = xor()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [int(a) ^ int(b) for a, b in X]


def test_moons_shapes_labels_and_determinism():
    X, y = make_moons(101, noise=0.2, seed=3)
    assert len(X) == len(y) == 101
    assert all(isinstance(p, list) and len(p) == 2 for p in X)
    assert all(isinstance(v, float) for p in X for v in p)
    assert (y.count(0), y.count(1)) == (50, 51)
    assert make_moons(101, noise=0.2, seed=3) == (X, y)
    assert make_moons(101, noise=0.2, seed=4) != (X, y)


def test_moons_geometry_without_noise():
    X, y = make_moons(40, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: the unit circle, upper half
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: centre (1, 0.5), lower half
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    X_ordered, y_ordered = make_moons(40, noise=0.0, shuffle=False)
    assert y_ordered == [0] * 20 + [1] * 20
    assert sorted(map(tuple, X_ordered)) == sorted(map(tuple, X))


def test_spirals_shapes_labels_and_geometry():
    X, y = make_spirals(30, 4, noise=0.0, seed=1)
    assert len(X) == 120 and [y.count(k) for k in range(4)] == [30] * 4
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)
    Xo, yo = make_spirals(5, 2, noise=0.0, shuffle=False)
    assert yo == [0] * 5 + [1] * 5
    # arm 1, last point: r = 1, theta = 8
    assert Xo[-1] == pytest.approx([math.sin(8.0), math.cos(8.0)])
    assert make_spirals(30, 4, noise=0.3, seed=1) == make_spirals(30, 4, noise=0.3, seed=1)
    assert make_spirals(30, 4, noise=0.3, seed=1) != make_spirals(30, 4, noise=0.3, seed=2)


def test_helpers():
    assert signed_labels([0, 1, 0]) == [-1, 1, -1]
    assert one_hot(0, 3) == [1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="0/1 labels, got 2"):
        signed_labels([0, 2])
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        one_hot(3, 3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n .* positive int, got 0"):
        make_moons(0)
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="n_classes must be a positive int"):
        make_spirals(10, 0)
