"""Typed checks whose failure says why: type, then shape, then dtype, then values."""

from __future__ import annotations

from typing import Any

import numpy as np

from .calling import Call


class CheckFailure(AssertionError):
    """A failed check. ``summary`` never contains expected values; ``detail`` may."""

    def __init__(self, summary: str, detail: str = ""):
        super().__init__(summary if not detail else f"{summary}\n{detail}")
        self.summary = summary
        self.detail = detail


_KINDS = {
    "float": "f",
    "int": "iu",
    "bool": "b",
    "numeric": "iuf",
    "real": "iufb",
}


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def expect_array(
    actual: Any,
    expected: Any,
    *,
    name: str = "result",
    rtol: float = 1e-9,
    atol: float = 1e-12,
    dtype: str | None = None,
    exact: bool = False,
) -> None:
    """Check that ``actual`` is a numpy array like ``expected``: type, shape, dtype, values.

    ``dtype`` is a kind: "float", "int", "bool", "numeric" or "real" (default: the kind of
    ``expected``, with ints and floats interchangeable). ``exact`` compares with ``==``.
    """
    expected = np.asarray(expected)
    if not isinstance(actual, np.ndarray) or actual.dtype.kind in "OVSUcmM":
        raise CheckFailure(
            f"{name} should be a numeric numpy array, got {_describe(actual)}",
            f"expected an array of shape {expected.shape}",
        )
    if actual.shape != expected.shape:
        raise CheckFailure(
            f"{name} has shape {actual.shape}, expected shape {expected.shape}",
        )
    kinds = _KINDS[dtype] if dtype else ("b" if expected.dtype.kind == "b" else "iuf")
    if actual.dtype.kind not in kinds:
        raise CheckFailure(
            f"{name} has dtype {actual.dtype}, expected a {dtype or expected.dtype.kind} array",
        )
    if exact or expected.dtype.kind == "b":
        bad = actual != expected
    else:
        with np.errstate(all="ignore"):
            a = actual.astype(np.float64)
            e = expected.astype(np.float64)
            bad = ~np.isclose(a, e, rtol=rtol, atol=atol)  # NaN never matches, not even NaN
    if np.any(bad):
        n_bad = int(np.count_nonzero(bad))
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
        raise CheckFailure(
            f"{name} has the right shape but wrong values at {n_bad} of {bad.size} entries",
            f"first difference at index {first}: got {actual[first].item()!r}, expected {expected[first].item()!r}\n"
            f"got:\n{np.array2string(actual, threshold=60)}\n"
            f"expected:\n{np.array2string(expected, threshold=60)}",
        )


def expect_close(
    actual: Any, expected: float, *, name: str = "result", rtol: float = 1e-9, atol: float = 1e-12
) -> None:
    """Check that ``actual`` is a real scalar (Python or numpy, 0-d array allowed) close to ``expected``."""
    if isinstance(actual, np.ndarray) and actual.shape == ():
        actual = actual[()]
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, float, np.integer, np.floating)):
        raise CheckFailure(f"{name} should be a number, got {_describe(actual)}")
    if not np.isclose(float(actual), float(expected), rtol=rtol, atol=atol, equal_nan=True):
        raise CheckFailure(f"{name} has the wrong value", f"got {actual!r}, expected {expected!r}")


def expect_equal(actual: Any, expected: Any, *, name: str = "result") -> None:
    """Check equality for plain values (bool, int, str, tuples of them) with the type checked first."""
    if isinstance(expected, bool):
        if not isinstance(actual, (bool, np.bool_)):
            raise CheckFailure(f"{name} should be True or False, got {_describe(actual)}")
        if bool(actual) != expected:
            raise CheckFailure(f"{name} is {bool(actual)}, expected {expected}")
        return
    if type(actual) is not type(expected) and not (
        isinstance(expected, int) and isinstance(actual, (int, np.integer))
    ):
        raise CheckFailure(f"{name} should be a {type(expected).__name__}, got {_describe(actual)}")
    if actual != expected:
        raise CheckFailure(f"{name} has the wrong value", f"got {actual!r}, expected {expected!r}")


def expect_tuple(actual: Any, length: int, *, name: str = "result") -> None:
    """Check that ``actual`` is a tuple (or list) of the given length."""
    if not isinstance(actual, (tuple, list)) or len(actual) != length:
        raise CheckFailure(f"{name} should be a tuple of {length} values, got {_describe(actual)}")


def expect_no_warnings(call: Call, *, name: str = "the call") -> None:
    """Check that a call (from ``student.call``) raised no warning, e.g. no RuntimeWarning for 0/0."""
    if call.warnings:
        raise CheckFailure(f"{name} raised a warning ({call.warnings[0].split(':')[0]}); avoid it",
                           "\n".join(call.warnings))


def expect_unchanged(before: Any, after: Any, *, name: str = "the input") -> None:
    """Check that an argument was not modified by the call (compare with the value sent)."""
    same = (
        isinstance(after, np.ndarray)
        and np.asarray(before).shape == after.shape
        and np.array_equal(np.asarray(before), after, equal_nan=True)
    ) if isinstance(before, np.ndarray) else before == after
    if not same:
        raise CheckFailure(f"{name} was modified in place; work on a copy instead")
