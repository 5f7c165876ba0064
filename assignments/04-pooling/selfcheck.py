"""The test runtime shared by the self-check and the grader.

This one file is copied beside every released notebook, so it must need nothing but
numpy, pytest and the standard library. It holds:

* the errors raised when a call into student code goes wrong,
* typed checks whose failure says *why* (type, shape, dtype, values),
* the markers every test file uses (``question``, ``points``, ``hint``, ``visibility``),
* the per-test record both sides produce,
* ``check("question")`` / ``check_all()`` for the notebook, which run the public tests in
  the notebook's own process with ``student`` bound to the notebook's namespace.
"""

from __future__ import annotations

import copy
import io
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# --------------------------------------------------------------------------- errors


class StudentCodeError(Exception):
    """A call into the student's code did not return a usable value."""

    kind = "error"


class MissingFunction(StudentCodeError):
    """The notebook does not define the function (or it is not callable)."""

    kind = "missing"


class StudentRaised(StudentCodeError):
    """The student's function raised an exception."""

    kind = "raised"

    def __init__(self, message: str, exc_type: str = "Exception", tb: str = ""):
        super().__init__(message)
        self.exc_type = exc_type
        self.tb = tb


class StudentTimeout(StudentCodeError):
    """The call ran past its time limit."""

    kind = "timeout"


class StudentCrashed(StudentCodeError):
    """The process running the student's code died during the call."""

    kind = "crash"


class UngradableResult(StudentCodeError):
    """The function returned something that cannot cross into the grader."""

    kind = "ungradable"


# --------------------------------------------------------------------------- checks


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
            bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
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


# --------------------------------------------------------------------------- calling


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


# --------------------------------------------------------------------------- records


@dataclass
class TestRecord:
    """The outcome of one test: what the grader stores and the feedback shows."""

    __test__ = False  # not a pytest test class

    nodeid: str
    name: str
    question: str
    points: float
    earned: float
    outcome: str  # "passed" | "failed" | "error"
    message: str = ""
    hints: list[str] = field(default_factory=list)
    visibility: str = "visible"
    kind: str = ""  # "", "missing", "raised", "timeout", "crash", "ungradable", "assert", "test-error"
    duration: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


MARKERS = {
    "question": "question(grade_id): the nbgrader grade cell this test scores",
    "points": "points(n): points this test is worth (default 1)",
    "hint": "hint(*tiers): hints shown on failure, a nudge first, more on request",
    "visibility": "visibility('visible'|'hidden'): whether the test's detail is shown to the student",
}


def marker_arg(item: pytest.Item, name: str, default: Any = None) -> Any:
    mark = item.get_closest_marker(name)
    return mark.args[0] if mark and mark.args else default


def describe_failure(exc: BaseException, visible: bool, longrepr: str) -> tuple[str, str]:
    """Turn a test's exception into (message, kind) for the student."""
    if isinstance(exc, StudentCodeError):
        msg = str(exc)
        if visible and isinstance(exc, StudentRaised) and exc.tb:
            msg += "\n" + exc.tb.strip().splitlines()[-1]
        return msg, exc.kind
    if isinstance(exc, CheckFailure):
        return (str(exc) if visible else exc.summary), "assert"
    if isinstance(exc, AssertionError):
        if not visible:
            return "a hidden check failed", "assert"
        lines = [ln[2:] for ln in longrepr.splitlines() if ln.startswith("E ")]
        return ("\n".join(lines[:12]) or str(exc) or "assertion failed"), "assert"
    return f"the test could not use the result: {type(exc).__name__}: {exc}", "test-error"


class RecordingPlugin:
    """Collect a :class:`TestRecord` per test, and select tests by question.

    The grader subclasses this and adds its own ``student``/``reference`` fixtures.
    """

    default_visibility = "visible"

    def __init__(self, questions: list[str] | None = None):
        self.questions = questions
        self.records: list[TestRecord] = []
        self._exc: dict[str, BaseException] = {}
        self.call_log: list[str] | None = None  # the student object's ``calls``, shown for visible failures

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.call_log is not None:
            self.call_log.clear()

    def pytest_configure(self, config: pytest.Config) -> None:
        for name, text in MARKERS.items():
            config.addinivalue_line("markers", f"{name}: {text}")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.questions is None:
            return
        keep = [it for it in items if marker_arg(it, "question") in self.questions]
        config.hook.pytest_deselected(items=[it for it in items if it not in keep])
        items[:] = keep

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is not None and report.failed:
            self._exc[item.nodeid] = call.excinfo.value
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.records.append(self._record(item, report))

    def visibility_of(self, item: pytest.Item) -> str:
        return marker_arg(item, "visibility", self.default_visibility)

    def _record(self, item: pytest.Item, report: pytest.TestReport) -> TestRecord:
        points = float(marker_arg(item, "points", 1))
        visibility = self.visibility_of(item)
        mark = item.get_closest_marker("hint")
        hints = list(mark.args) if mark else []
        rec = TestRecord(
            nodeid=item.nodeid,
            name=item.name,
            question=marker_arg(item, "question", "?"),
            points=points,
            earned=points if report.passed else 0.0,
            outcome="passed" if report.passed else ("failed" if report.when == "call" else "error"),
            hints=hints,
            visibility=visibility,
            duration=report.duration,
        )
        if not report.passed:
            exc = self._exc.get(item.nodeid)
            longrepr = str(report.longrepr) if report.longrepr else ""
            if exc is None:
                rec.message, rec.kind = (longrepr.splitlines() or ["skipped"])[-1], "test-error"
            else:
                rec.message, rec.kind = describe_failure(exc, visibility == "visible", longrepr)
            if visibility == "visible" and self.call_log and rec.kind != "missing" \
                    and "not implemented" not in rec.message:
                head, _, rest = rec.message.partition("\n")
                rec.message = "\n".join(x for x in (head, f"input: {self.call_log[-1]}", rest) if x)
            if report.skipped:
                rec.outcome, rec.earned = "skipped", 0.0
        return rec


def run_pytest(paths: list[str], plugin: RecordingPlugin, extra_args: list[str] | None = None) -> int:
    """Run pytest in this process, quietly, with ``plugin``; the records land on the plugin."""
    args = [
        *paths,
        "-q",
        "-p", "no:cacheprovider",
        "-p", "no:stepwise",
        "-p", "no:randomly",
        "-p", "no:unraisableexception",  # its gc.collect() per run costs more than a whole suite
        "-p", "no:threadexception",
        "-p", "no:faulthandler",
        "-p", "no:doctest",
        "-p", "no:pastebin",
        "-p", "no:junitxml",
        "--noconftest",
        "--import-mode=importlib",
        "-o", "python_files=test_*.py",
        "-o", "addopts=",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        *(extra_args or []),
    ]
    sink = io.StringIO()
    with redirect_stdout(sink), redirect_stderr(sink):
        return int(pytest.main(args, plugins=[plugin]))


# --------------------------------------------------------------------------- self-check


class _NotebookPlugin(RecordingPlugin):
    def __init__(self, namespace: dict[str, Any], questions: list[str] | None):
        super().__init__(questions)
        self._student = NamespaceStudent(namespace)
        self.call_log = self._student.calls

    @pytest.fixture
    def student(self) -> NamespaceStudent:
        return self._student

    @pytest.fixture
    def seed(self) -> int:
        return 0

    @pytest.fixture
    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)


_GREEN, _RED, _DIM, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m"


def format_records(records: list[TestRecord], hints: int = 1, color: bool | None = None) -> str:
    """A short verdict per question: the score, then each failing test with its hint."""
    color = not os.environ.get("NO_COLOR") if color is None else color

    def _colour(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = []
    for question in dict.fromkeys(r.question for r in records):
        recs = [r for r in records if r.question == question]
        earned, total = sum(r.earned for r in recs), sum(r.points for r in recs)
        ok = earned == total
        mark = _colour("✔", _GREEN) if ok else _colour("✘", _RED)
        lines.append(f"{mark} {question}: {sum(r.outcome == 'passed' for r in recs)}/{len(recs)} "
                     f"public tests passed ({earned:g}/{total:g} points)")
        for r in recs:
            if r.outcome == "passed":
                continue
            lines.append(f"   ✘ {r.name}: {r.message.splitlines()[0] if r.message else r.outcome}")
            for more in r.message.splitlines()[1:6]:
                lines.append(_colour(f"       {more}", _DIM))
            for tier, text in enumerate(r.hints[:hints], start=1):
                lines.append(f"     hint{'' if tier == 1 else f' {tier}'}: {text}")
        if not ok and hints < max((len(r.hints) for r in recs if r.outcome != "passed"), default=0):
            lines.append(_colour(f"     (more help: check({question!r}, hints={hints + 1}))", _DIM))
    return "\n".join(lines)


def _tests_dir() -> Path:
    return Path(__file__).resolve().parent / "tests"


def _caller_namespace(depth: int) -> dict[str, Any]:
    return sys._getframe(depth + 1).f_globals


def _run_selfcheck(questions: list[str] | None, namespace: dict[str, Any], hints: int):
    if os.environ.get("AUTOGRADER_WORKER"):
        return None  # inside the grader's worker the tests run elsewhere
    start = time.perf_counter()
    plugin = _NotebookPlugin(namespace, questions)
    run_pytest([str(_tests_dir())], plugin)
    records = plugin.records
    if not records:
        where = ", ".join(questions) if questions else "this notebook"
        print(f"No public tests found for {where} in {_tests_dir()}")
        return None
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return float(sum(r.earned for r in records))  # nbgrader reads a number as partial credit
    print(format_records(records, hints))
    print(f"   ({len(records)} tests in {time.perf_counter() - start:.2f} s)")
    return None


def check(question: str, hints: int = 1, namespace: dict[str, Any] | None = None):
    """Run the public tests of one exercise against the functions defined in this notebook."""
    return _run_selfcheck([question], namespace or _caller_namespace(1), hints)


def check_all(hints: int = 1, namespace: dict[str, Any] | None = None):
    """Run every public test of this notebook and print what is still missing."""
    return _run_selfcheck(None, namespace or _caller_namespace(1), hints)
