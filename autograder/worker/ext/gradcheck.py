"""Kit helper for 06-backprop: apply the student's ``gradient_check`` to test functions the grader draws.

A function cannot cross the grader/worker boundary, so the grader sends a *spec* (plain arrays and numbers,
drawn per submission from its secret seed) and both sides build the same function from it with
:func:`make_function`: f(z) = sum(a * z**3) + c * (b . z)**p + s * sin(b . z), with random a, b, c, p, s (c and
s zero for a separable function). A gradient_check that special-cases fixed test functions finds none.
The grader computes what it expects on its own side; this module is also imported by the grader for that.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def make_function(spec: dict) -> tuple[Callable, Callable]:
    """(f, its exact gradient) for a spec {"a", "b": arrays of x's shape, "c", "s": floats, "p": 2 or 3}."""
    a, b = np.asarray(spec["a"], dtype=float), np.asarray(spec["b"], dtype=float)
    c, s, p = float(spec["c"]), float(spec["s"]), int(spec["p"])

    def f(z):
        inner = np.sum(b * z)
        return np.sum(a * z ** 3) + c * inner ** p + s * np.sin(inner)

    def grad(z):
        inner = np.sum(b * z)
        return 3 * a * z ** 2 + (c * p * inner ** (p - 1) + s * np.cos(inner)) * b

    return f, grad


def draw_spec(rng: np.random.Generator, shape: tuple, coupled: bool) -> dict:
    """A random test function for x of ``shape`` (separable unless ``coupled``)."""
    return {"a": rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape),
            "b": rng.uniform(-1.0, 1.0, size=shape) if coupled else np.zeros(shape),
            "c": float(rng.uniform(0.3, 1.0)) if coupled else 0.0, "p": int(rng.integers(2, 4)),
            "s": float(rng.uniform(0.5, 2.0)) if coupled else 0.0}


def probe(namespace: dict, spec: dict, x, h=None):
    """(gradient, x after the call): the student's gradient_check on the spec's function at a writable copy
    of x; h=None: the student's default step."""
    gradient_check = namespace["gradient_check"] if "gradient_check" in namespace else None
    if not callable(gradient_check):
        raise NameError("gradient_check is not defined")
    f, _ = make_function(spec)
    x = np.array(x, dtype=float)  # gradient_check perturbs x in place and restores it
    grad = gradient_check(f, x) if h is None else gradient_check(f, x, h)
    return grad, x
