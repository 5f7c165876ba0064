"""Grade one submission: run the suites through the proxy, collect its result record."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Assignment, is_safe_id
from autograder.feedback_plots import make_plots
from autograder.notebook_code import NotebookError, extract_code
from autograder.plugin import GraderPlugin
from autograder.proxy import StudentProxy
from autograder.reference import reference_namespace
from autograder.results import ENVIRONMENT, SubmissionResult, score_questions
from autograder.sandbox import detect_isolation
from autograder.secret import code_digest, course_secret, submission_seed
from autograder.selfcheck import run_pytest
from autograder.session import SessionOptions, WorkerSession


class SuiteError(Exception):
    """A test suite of the course failed to load: a bug for the course staff, not a student's zero."""


@dataclass
class Submission:
    student: str
    path: Path | None  # None when no notebook was found
    problem: str = ""  # why it cannot be graded, if it cannot


def find_submissions(folder: Path, assignment: Assignment, student: str | None = None) -> list[Submission]:
    """``folder/<student>/<aid>/<notebook>.ipynb`` for every student (or one)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder {folder}")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        sid = entry.name
        if student is not None and sid != student:
            continue
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        if not is_safe_id(sid):
            out.append(Submission(sid, None, f"{folder / ascii(sid)}: student id {ascii(sid)} is not a safe "
                                             "folder name (letters, digits, '.', '_', '-'); rename the folder"))
            continue
        adir = entry / assignment.aid
        if not adir.exists() and not adir.is_symlink():
            continue  # this student did not submit this assignment
        if entry.is_symlink() or adir.is_symlink():  # could point at solutions/ or another student
            link = entry if entry.is_symlink() else adir
            out.append(Submission(sid, None, f"{link}: a symbolic link, not a submitted folder"))
            continue
        expected = adir / f"{assignment.notebook_name}.ipynb"
        if expected.exists() or expected.is_symlink():
            out.append(Submission(sid, expected))
            continue
        others = sorted(adir.glob("*.ipynb")) if adir.is_dir() else []
        if len(others) == 1:
            out.append(Submission(sid, others[0], ""))
        else:
            why = "no notebook" if not others else f"{len(others)} notebooks and none named {expected.name}"
            out.append(Submission(sid, None, f"{adir}: {why} for {assignment.aid}"))
    if student is not None and not out:
        raise FileNotFoundError(f"no submission of student {student!r} in {folder}")
    return out


def _zero(assignment: Assignment, sub: Submission, message: str) -> SubmissionResult:
    result = SubmissionResult(sub.student, assignment.aid, str(sub.path or ""), status="error", error=message)
    result.questions = score_questions(assignment.questions, [])
    return result


def grade_failed(assignment: Assignment, sub: Submission, exc: BaseException) -> SubmissionResult:
    """A submission whose grading process failed (not the student's doing): not graded, an environment error."""
    result = _zero(assignment, sub, f"{sub.path}: grading failed ({type(exc).__name__}: {exc})")
    result.status = ENVIRONMENT
    return result


def _environment_faults(result: SubmissionResult) -> None:
    """Tests that the environment failed (see selfcheck.EnvironmentFault) make the submission not graded."""
    causes = list(dict.fromkeys(t.message.splitlines()[0] for t in result.tests if t.kind == ENVIRONMENT))
    if causes:
        result.status = ENVIRONMENT
        result.error = "; ".join(causes)[:2000]


def _timestamp(path: Path) -> str | None:
    stamp = path.parent / "timestamp.txt"
    try:
        return stamp.read_text(encoding="utf-8").strip()[:40] or None if stamp.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _explain_missing(result: SubmissionResult) -> None:
    """A function missing because its cell failed to load: say which cell and why."""
    if not result.cell_errors:
        return
    note = "; ".join(f"cell {i}: {e.splitlines()[0][:160]}" for i, e in sorted(result.cell_errors.items()))
    for rec in result.tests:
        if rec.kind == "missing":
            rec.message += f" (while the notebook loaded, {note})"


def grade_submission(assignment: Assignment, sub: Submission, options: SessionOptions) -> SubmissionResult:
    """Grade one submission; problems of the submission end in zeros and messages, never exceptions."""
    start = time.perf_counter()
    if sub.path is None:
        return _zero(assignment, sub, sub.problem)
    try:
        code = extract_code(sub.path)
    except NotebookError as exc:
        return _zero(assignment, sub, f"{sub.path}: {exc}")
    reference = reference_namespace(assignment.source_notebook)
    result = SubmissionResult(sub.student, assignment.aid, str(sub.path), warnings=list(code.warnings))
    result.timestamp = _timestamp(sub.path)
    seed = submission_seed(course_secret(assignment.root), assignment.aid, sub.student, code_digest(code))
    with WorkerSession(code, options) as session:
        if options.prestart:
            session.prestart()
        plugin = GraderPlugin(StudentProxy(session), reference, seed,
                              [assignment.hidden_suite], sub.path.parent)
        run_pytest([str(p) for p in assignment.test_paths()], plugin)
        if options.plots:
            result.plots = make_plots(assignment.hidden_suite, plugin.student_proxy, plugin.reference_obj,
                                      seed)
        result.output = session.output()[-20_000:]
        result.load_output = session.load_output()[-20_000:]
    if plugin.collect_errors:
        raise SuiteError(f"{assignment.aid}: the test suite does not load:\n" + "\n".join(plugin.collect_errors))
    result.tests = plugin.records
    result.questions = score_questions(assignment.questions, result.tests)
    result.cell_errors = dict(session.cell_errors)
    result.events = list(session.events)
    result.isolation = (session.isolation or detect_isolation()).value
    result.memory_peak = session.memory_peak
    result.duration = round(time.perf_counter() - start, 3)
    _explain_missing(result)
    _environment_faults(result)
    return result
