"""The grader's side of measuring Keras models from outside the worker (05-cnn, 07-lstm's suites use it).

The worker saves the model a builder returns as a ``.keras`` archive and sends its bytes; the measurement
process (``worker/measure.py``: a separate sandbox in which no student code runs) loads it in safe mode and
measures it. One archive per builder and submission (cached here): the architecture that is described is the
architecture that is trained and evaluated.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograder.selfcheck import CheckFailure, MissingFunction, StudentRaised, StudentTimeout

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def raise_student_error(err: Any) -> None:
    """Turn the kit's report of an exception in the student's code into the grader's error."""
    err = err if isinstance(err, dict) else {}
    fn, etype = str(err.get("function", "?"))[:100], str(err.get("type", "Exception"))[:100]
    message = str(err.get("message", ""))[:1500]
    if etype == "MissingFunction":
        raise MissingFunction(f"{fn} is not defined")
    if etype == "NotImplementedError":
        raise StudentRaised(f"{fn} is not implemented yet (it raises NotImplementedError)", etype)
    raise StudentRaised(f"{fn} raised {etype}" + (f": {message}" if message else ""), etype,
                        str(err.get("traceback", ""))[-4000:])


def cached(student: Any, key: str, make):
    """``make()`` once per submission and key; a failure is raised again for every test that needs it."""
    cache = _cache.setdefault(student, {})
    if key not in cache:
        try:
            cache[key] = ("ok", make())
        except Exception as exc:
            cache[key] = ("raise", exc)
    status, value = cache[key]
    if status == "raise":
        raise value
    return value


def _archive(out: Any, what: str) -> np.ndarray:
    if not isinstance(out, dict):
        raise CheckFailure(f"{what}: the grader could not read the outcome")
    if out.get("error"):
        raise_student_error(out["error"])
    if out.get("problem"):
        raise CheckFailure(str(out["problem"])[:500])
    archive = out.get("archive")
    if not isinstance(archive, np.ndarray) or archive.dtype != np.uint8 or archive.ndim != 1:
        raise CheckFailure(f"{what}: the model's .keras archive could not be read")
    return archive


def built_archive(student: Any, builder: str, *args: Any) -> np.ndarray:
    """The ``.keras`` archive of the model ``builder(*args)`` returns (built and saved in the worker)."""
    def make():
        try:
            out = student.kit("keras_archive.save_built", builder, *args)
        except StudentTimeout:
            raise StudentTimeout(f"{builder}() did not return a model in time") from None
        return _archive(out, f"{builder}()")
    return cached(student, f"built {builder} {args}", make)


def described(student: Any, builder: str, *args: Any) -> dict:
    """The measurement process's description of ``builder(*args)``'s model, from its archive."""
    def make():
        out = student.measure("describe", built_archive(student, builder, *args), what=f"{builder}()'s model")
        if not isinstance(out, dict) or not isinstance(out.get("layers", []), list):
            raise CheckFailure(f"the description of {builder}()'s model could not be read")
        if out.get("problem"):
            raise CheckFailure(str(out["problem"])[:500])
        return out
    return cached(student, f"described {builder} {args}", make)


def labels(out: dict, n: int, key: str = "predictions") -> np.ndarray:
    pred = out.get(key)
    if not isinstance(pred, np.ndarray) or pred.shape != (n,) or pred.dtype.kind not in "iu":
        raise CheckFailure("the predicted labels could not be read (expected one int label per test image)")
    return pred
