"""Calling student functions: the call record and the in-notebook ``student``."""

from __future__ import annotations

import copy
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import MissingFunction, StudentRaised


@dataclass
class Call:
    """What a call returned, and its arguments as they were after the call."""

    value: Any
    args: tuple
    kwargs: dict
    warnings: list[str] = field(default_factory=list)  # "RuntimeWarning: divide by zero ...", at most 10


def describe_input(value: Any, depth: int = 0) -> str:
    """A short, readable form of an argument: small arrays in full, big ones by shape and dtype."""
    if isinstance(value, np.ndarray):
        if value.size <= 24:
            text = np.array2string(value, separator=", ", threshold=24, precision=4).replace("\n", "")
            return f"array({' '.join(text.split())}, dtype={value.dtype})"
        return f"<array of shape {value.shape}, dtype {value.dtype}>"
    if isinstance(value, (list, tuple)) and depth < 2:
        inner = ", ".join(describe_input(v, depth + 1) for v in value[:6]) + (", ..." if len(value) > 6 else "")
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def format_call(name: str, args: tuple, kwargs: dict) -> str:
    """``name(arg, ..., key=value)`` with :func:`describe_input` for each argument."""
    parts = [describe_input(a) for a in args] + [f"{k}={describe_input(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class NamespaceStudent:
    """``student`` for the self-check: the notebook's own functions, called directly."""

    def __init__(self, namespace: dict[str, Any]):
        self._ns = namespace
        self.calls: list[str] = []  # the calls of the current test, for the counterexample

    def _function(self, name: str) -> Callable:
        fn = self._ns.get(name)
        if fn is None:
            raise MissingFunction(f"{name} is not defined: run the cell that defines it first")
        if not callable(fn):
            raise MissingFunction(f"{name} is a {type(fn).__name__}, not a function")
        return fn

    def call(self, name: str, *args: Any, **kwargs: Any) -> Call:
        """Call ``name`` on copies of the arguments; return the value, the arguments after, the warnings."""
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = self._invoke(name, args, kwargs)
        return Call(value, args, kwargs, [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:10]])

    def _invoke(self, name: str, args: tuple, kwargs: dict) -> Any:
        self.calls.append(format_call(name, args, kwargs))
        fn = self._function(name)
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            raise StudentRaised(f"{name} is not implemented yet", "NotImplementedError") from exc
        except Exception as exc:
            raise StudentRaised(
                f"{name} raised {type(exc).__name__}: {exc}", type(exc).__name__, traceback.format_exc()
            ) from exc

    def has(self, name: str) -> bool:
        return callable(self._ns.get(name))

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._invoke(name, copy.deepcopy(args), copy.deepcopy(kwargs))
