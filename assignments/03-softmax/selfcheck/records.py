"""Per-test records, the markers, and the pytest plugin that collects them."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

from .checks import CheckFailure
from .errors import EnvironmentFault, StudentCodeError, StudentRaised


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
    kind: str = ""  # "", "environment", "missing", "raised", "timeout", "crash", "ungradable", "assert", "test-error"
    duration: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


MARKERS = {
    "question": "question(grade_id): the nbgrader grade cell this test scores",
    "points": "points(n): points this test is worth (default 1)",
    "hint": "hint(*tiers): hints shown on failure, a nudge first, more on request",
    "visibility": "visibility('visible'|'hidden'): whether the test's detail is shown to the student",
    "spec": "spec(*quotes): the released notebook's words (verbatim, whitespace-normalized) that require the check",
}


def marker_arg(item: pytest.Item, name: str, default: Any = None) -> Any:
    mark = item.get_closest_marker(name)
    return mark.args[0] if mark and mark.args else default


def describe_failure(exc: BaseException, visible: bool, longrepr: str) -> tuple[str, str]:
    """Turn a test's exception into (message, kind) for the student."""
    if isinstance(exc, EnvironmentFault):  # the grader's environment, not the student: said as it is
        return f"not graded: environment error: {exc}", exc.kind
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
        "--tb=line",  # the records use the exception itself; full tracebacks tripled a failing suite's time
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
