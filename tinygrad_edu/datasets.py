"""Small 2-D datasets, generated in code (never downloaded), as plain Python lists.

Each function returns ``X, y``: ``X`` a list of ``[x1, x2]`` points and
``y`` a list of int labels.  Pass ``seed`` for the same data every run.

Label conventions: class labels are ints ``0, 1, ...``.  Losses such as
``max_margin`` want ``-1``/``+1`` instead; :func:`signed_labels` converts.

>>> X, y = xor()
>>> X, y
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> len(X), sorted(set(y)), y.count(1)
(100, [0, 1], 50)
"""

import math
import numbers
import random
from collections.abc import Iterable

__all__ = ["xor", "make_moons", "make_spirals", "signed_labels", "one_hot"]

# ``X, y``: the points ``[x1, x2]`` and their int labels
_Dataset = tuple[list[list[float]], list[int]]


def _count(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _noise(noise: float) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < math.inf:
        raise ValueError(
            f"noise must be a number >= 0 (the standard deviation of the jitter), got {noise!r}"
        )
    return float(noise)


def _shuffled(X: list[list[float]], y: list[int], rng: random.Random) -> _Dataset:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def xor() -> _Dataset:
    """The four XOR points and their targets: label 1 where exactly one input is 1.

    The demos train seed 000's 2-3-1 network on them (the seed itself names no
    data set).  Targets are ints 0/1.
    """
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = None, shuffle: bool = True
) -> _Dataset:
    """Two interleaving half circles ("moons"), ``n`` points in all.

    The upper moon (centre (0, 0), radius 1) has label 0, the lower one
    (centre (1, 0.5)) label 1; the upper gets ``n // 2`` points, the lower
    the rest.  Each point gets Gaussian jitter with standard deviation
    ``noise``.  With ``shuffle`` the points come in random order.
    The same layout as scikit-learn's ``make_moons``.
    """
    n = _count(n, "n (the number of points)")
    noise = _noise(noise)
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    X: list[list[float]] = []
    y: list[int] = []
    for i in range(n_upper):
        t = math.pi * i / max(n_upper - 1, 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(0)
    for i in range(n_lower):
        t = math.pi * i / max(n_lower - 1, 1)
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1)
    if noise:
        X = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in X]
    return _shuffled(X, y, rng) if shuffle else (X, y)


def make_spirals(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int | None = None,
    shuffle: bool = True,
) -> _Dataset:
    """``n_classes`` spiral arms from the centre outwards, ``n_per_class`` points each.

    Arm ``k`` (label ``k``) has radius r going from 0 to 1 and angle
    from 4k to 4(k + 1) radians, the angle jittered by Gaussian ``noise``;
    the point is (r sin θ, r cos θ).  Classes cannot be split by straight
    lines: a hidden layer is needed.

    >>> X, y = make_spirals(10, 3, seed=0)
    >>> len(X), [y.count(k) for k in range(3)]
    (30, [10, 10, 10])
    """
    n_per_class = _count(n_per_class, "n_per_class")
    n_classes = _count(n_classes, "n_classes")
    noise = _noise(noise)
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for k in range(n_classes):
        for i in range(n_per_class):
            frac = i / max(n_per_class - 1, 1)
            r = frac
            theta = 4.0 * k + 4.0 * frac + (rng.gauss(0.0, noise) if noise else 0.0)
            X.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(k)
    return _shuffled(X, y, rng) if shuffle else (X, y)


def signed_labels(y: Iterable[int]) -> list[int]:
    """0/1 labels as -1/+1 (that is, 2y - 1), for ``max_margin``.

    >>> signed_labels([0, 1, 1])
    [-1, 1, 1]
    """
    out: list[int] = []
    for label in y:
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"signed_labels takes 0/1 labels, got {label!r}")
        out.append(2 * int(label) - 1)
    return out


def one_hot(label: int, n_classes: int) -> list[float]:
    """The one-hot list for an int class label.

    >>> one_hot(2, 4)
    [0.0, 0.0, 1.0, 0.0]
    """
    n_classes = _count(n_classes, "n_classes")
    if (
        isinstance(label, bool)
        or not isinstance(label, numbers.Integral)
        or not 0 <= label < n_classes
    ):
        raise ValueError(
            f"one_hot: label {label!r} is out of range for {n_classes} classes "
            f"(labels run from 0 to {n_classes - 1})"
        )
    return [1.0 if k == label else 0.0 for k in range(n_classes)]
