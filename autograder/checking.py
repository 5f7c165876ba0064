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
    with WorkerSession(code, SessionOptions(call_timeout=timeout)) as session:
        plugin = GraderPlugin(StudentProxy(session), {}, 0, [], Path(notebook).resolve().parent)
        plugin.questions = questions
        run_pytest([str(tests)], plugin)
    warnings += [f"cell {i}: {e}" for i, e in sorted(session.cell_errors.items())]
    return plugin.records, warnings
