"""``check()`` and ``check_all()``: the public tests in the notebook's own process."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .calling import NamespaceStudent
from .records import RecordingPlugin, TestRecord, run_pytest
from .run_order import cell_errors, find_notebook, run_order_problems


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


def format_records(records: list[TestRecord], hints: int = 1, color: bool | None = None,
                   kind: str = "public tests") -> str:
    """A short verdict per question: the score, then each failing test with its hint."""
    color = not os.environ.get("NO_COLOR") if color is None else color

    def _colour(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = []
    for question in dict.fromkeys(r.question for r in records):
        recs = [r for r in records if r.question == question]
        earned, total = sum(r.earned for r in recs), sum(r.points for r in recs)
        ok = all(r.outcome == "passed" for r in recs)
        mark = _colour("✔", _GREEN) if ok else _colour("✘", _RED)
        lines.append(f"{mark} {question}: {sum(r.outcome == 'passed' for r in recs)}/{len(recs)} "
                     f"{kind} passed ({earned:g}/{total:g} points)")
        for r in recs:
            if r.outcome == "passed":
                continue
            lines.append(f"   ✘ {r.name}: {r.message.splitlines()[0] if r.message else r.outcome}")
            for more in r.message.splitlines()[1:]:  # whole: the expected value comes last
                lines.append(_colour(f"       {more}", _DIM))
            for tier, text in enumerate(r.hints[:hints], start=1):
                lines.append(f"     hint{'' if tier == 1 else f' {tier}'}: {text}")
        if not ok and hints < max((len(r.hints) for r in recs if r.outcome != "passed"), default=0):
            lines.append(_colour(f"     (more help: check({question!r}, hints={hints + 1}))", _DIM))
    return "\n".join(lines)


def _tests_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "tests"  # selfcheck/ sits beside the notebook and tests/


def _caller_namespace(depth: int) -> dict[str, Any]:
    return sys._getframe(depth + 1).f_globals


class SelfCheckFailed(AssertionError):
    """Public tests fail under ``nbgrader validate``: the message is the verdict, failing tests and hints."""


def _run_selfcheck(questions: list[str] | None, namespace: dict[str, Any], hints: int):
    __tracebackhide__ = True  # IPython (and so nbgrader validate) shows the verdict, not this frame
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
    execution = os.environ.get("NBGRADER_EXECUTION")
    if execution == "autograde":
        return float(sum(r.earned for r in records))  # nbgrader reads a number as partial credit
    failed = [r for r in records if r.outcome != "passed"]
    if failed and execution == "validate":  # nbgrader validate shows the error's message: make it the verdict
        raise SelfCheckFailed(f"{len(failed)} of {len(records)} public tests fail\n"
                              + format_records(records, hints, color=False))
    print(format_records(records, hints))
    print(f"   ({len(records)} tests in {time.perf_counter() - start:.2f} s)")
    return None


def check(question: str, hints: int = 1, namespace: dict[str, Any] | None = None):
    """Run the public tests of one exercise against the functions defined in this notebook."""
    __tracebackhide__ = True
    return _run_selfcheck([question], namespace or _caller_namespace(1), hints)


SESSION_NAMES = ("__vsc_ipynb_file__", "__session__")  # set by VS Code and by ipykernel (JPY_SESSION_NAME)


def this_notebook(namespace: dict[str, Any], folder: Path) -> tuple[Path | None, str]:
    """The notebook this kernel runs, from what the front end tells the kernel; else the only (or the most
    recently saved) notebook in ``folder``. Returns the path and, when it was a guess, a note saying so."""
    told = [namespace.get(name) for name in SESSION_NAMES] + [os.environ.get("JPY_SESSION_NAME")]
    for value in (v for v in told if isinstance(v, str) and v.endswith(".ipynb")):
        path = Path(value)
        for candidate in (path, Path.cwd() / path, folder / path.name):
            if candidate.is_file():
                return candidate.resolve(), ""
    path = find_notebook(folder)
    others = [p for p in folder.glob("*.ipynb") if not p.name.startswith(".")]
    if path is not None and len(others) > 1:
        return path, (f"(this kernel did not say which notebook it runs; checked {path.name}, the most recently "
                      f"saved of {len(others)}: pass check_all(notebook=\"<name>.ipynb\") to choose)")
    return path, ""


def check_all(hints: int = 1, namespace: dict[str, Any] | None = None, notebook: str | Path | None = None):
    """Run every public test of this notebook, print what is still missing, and whether the notebook
    would run top to bottom after a kernel restart (as the grader runs it)."""
    __tracebackhide__ = True
    namespace = namespace or _caller_namespace(1)
    folder = _tests_dir().parent
    if notebook:
        path, note = (Path(notebook) if Path(notebook).is_absolute() else folder / notebook), ""
    else:
        path, note = this_notebook(namespace, folder)
    if path is not None and path.is_file() and not os.environ.get("AUTOGRADER_WORKER"):
        if note:
            print(note)
        problems = run_order_problems(path, namespace)
        raised = cell_errors(path)
        if problems or raised:
            print(f"Before you submit, {path.name} would not run cleanly after a restart (last saved version):")
            for problem in (raised + problems)[:10]:
                print(f"   ! {problem}")
        else:
            print(f"✔ {path.name} runs top to bottom without errors (last saved version); save before submitting.")
    return _run_selfcheck(None, namespace, hints)
