"""Generic helpers: what the notebook defines, and call signatures."""

from __future__ import annotations

import inspect


def signature(namespace: dict, name: str) -> str:
    """The signature of a function the notebook defines, as text (e.g. ``(w, x, y, lr=1.0)``)."""
    return str(inspect.signature(namespace[name]))
