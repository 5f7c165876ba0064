"""Kit helper for 06-backprop: apply the student's ``gradient_check`` to fixed test functions.

A function cannot cross the grader/worker boundary, so the hidden tests call this helper, which
the student cannot edit (unlike the notebook's own ``gradient_check_probe`` cell).
"""

from __future__ import annotations

import numpy as np


def probe(namespace: dict, kind: str, x, a, h=None):
    """gradient_check on "cubic" sum(a * x**3) or "coupled" (sum(a * x))**3; h=None: the student's default."""
    functions = {
        "cubic": lambda z: np.sum(a * z ** 3),
        "coupled": lambda z: np.sum(a * z) ** 3,
    }
    gradient_check = namespace["gradient_check"] if "gradient_check" in namespace else None
    if not callable(gradient_check):
        raise NameError("gradient_check is not defined")
    return gradient_check(functions[kind], x) if h is None else gradient_check(functions[kind], x, h)
