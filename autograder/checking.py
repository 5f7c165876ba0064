"""``autograder check``: a learner's notebook against the public tests beside it, sandboxed.

The same engine as grading (worker, proxy, plugin), with only the public tests: a learner
without a TA sees per exercise what passes and what is still missing.
"""

from __future__ import annotations

from pathlib import Path

from autograder.notebook_code import NotebookError, extract_code
from autograder.plugin import GraderPlugin
from autograder.proxy import StudentProxy
from autograder.selfcheck import TestRecord, run_pytest
from autograder.session import SessionOptions, WorkerSession


def check_notebook(notebook: Path, questions: list[str] | None = None,
                   timeout: float = 10.0) -> tuple[list[TestRecord], list[str]]:
    """Run ``<notebook folder>/tests`` against ``notebook``; return the records and warnings."""
    tests = Path(notebook).resolve().parent / "tests"
    if not tests.is_dir():
        raise FileNotFoundError(f"no public tests next to {notebook} (expected {tests}/)")
    try:
        code = extract_code(Path(notebook))
    except NotebookError as exc:
        raise ValueError(str(exc)) from None
    warnings = [w for w in code.warnings if "nbgrader metadata" not in w]
    records, cell_errors = run_public_tests(Path(notebook), tests, SessionOptions(call_timeout=timeout), questions)
    warnings += [f"cell {i}: {e}" for i, e in sorted(cell_errors.items())]
    return records, warnings


def run_public_tests(notebook: Path, tests: Path, options: SessionOptions,
                     questions: list[str] | None = None) -> tuple[list[TestRecord], dict[int, str]]:
    """The tests in ``tests`` against ``notebook`` in a sandboxed worker: the records and the cells that failed."""
    with WorkerSession(extract_code(notebook), options) as session:
        plugin = GraderPlugin(StudentProxy(session), {}, 0, [], Path(notebook).resolve().parent)
        plugin.questions = questions
        run_pytest([str(tests)], plugin)
    return plugin.records, dict(session.cell_errors)
