"""``autograder check``: a learner's notebook against the public tests beside it, sandboxed.

The same engine as grading (worker, proxy, plugin), with only the public tests: a learner
without a TA sees per exercise what passes and what is still missing. ``check_hidden`` grades
it as the TA would (public and hidden suites, value-free messages for hidden tests), for learners
who have the whole kit in their clone.
"""

from __future__ import annotations

from pathlib import Path

from autograder.course import CourseError, find_course_root, load_assignment
from autograder.notebook_code import NotebookCode, NotebookError, extract_code
from autograder.plugin import GraderPlugin
from autograder.proxy import StudentProxy
from autograder.selfcheck import TestRecord, run_pytest
from autograder.session import SessionOptions, WorkerSession, options_for


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
    records, cell_errors = run_public_tests(Path(notebook), tests, SessionOptions(call_timeout=timeout), questions,
                                            code)
    warnings += [f"cell {i}: {e}" for i, e in sorted(cell_errors.items())]
    return records, warnings


def run_public_tests(notebook: Path, tests: Path, options: SessionOptions, questions: list[str] | None = None,
                     code: NotebookCode | None = None) -> tuple[list[TestRecord], dict[int, str]]:
    """The tests in ``tests`` against ``notebook`` (its ``code``, when already extracted) in a sandboxed worker:
    the records and the cells that failed."""
    with WorkerSession(extract_code(notebook) if code is None else code, options) as session:
        plugin = GraderPlugin(StudentProxy(session), {}, 0, [], Path(notebook).resolve().parent)
        plugin.questions = questions
        run_pytest([str(tests)], plugin)
    return plugin.records, dict(session.cell_errors)


def check_hidden(notebook: Path, questions: list[str] | None = None,
                 timeout: float | None = None) -> tuple[list[TestRecord], list[str]]:
    """Grade ``notebook`` with the public and hidden tests of its assignment (the folder it sits in,
    ``assignments/<aid>/``, names it), exactly as ``autograder grade`` would; return records and warnings."""
    from autograder.runner import Submission, grade_submission

    notebook = Path(notebook).resolve()
    aid = notebook.parent.name
    try:
        assignment = load_assignment(aid, find_course_root(notebook.parent))
    except CourseError as exc:
        raise CourseError(f"{notebook}: --all needs the notebook inside the kit's assignments/<aid>/ ({exc})") from None
    options = options_for(assignment.settings, call_timeout=timeout)
    options.plots = False
    result = grade_submission(assignment, Submission("learner", notebook), options)
    if result.error:
        raise ValueError(result.error)
    records = [r for r in result.tests if questions is None or r.question in questions]
    warnings = [w for w in result.warnings if "nbgrader metadata" not in w]
    return records, warnings + [f"cell {i}: {e}" for i, e in sorted(result.cell_errors.items())]
