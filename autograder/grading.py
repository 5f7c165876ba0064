"""A grading run for a TA: grade a class, then write the gradebook, feedback pages and CSVs.

The coordinator (this process) alone writes the gradebook, one submission per transaction,
as results arrive, so a run killed half-way keeps everything it finished.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.canary import CanaryOutcome, check_where_graded
from autograder.course import Assignment, is_safe_id
from autograder.exchange import copy_stamps
from autograder.executors import Executor, grade_all
from autograder.export import export_grades, export_questions
from autograder.feedback import write_feedback
from autograder.gradebook import ensure_assignment, write_result
from autograder.gradescope import results_json
from autograder.report import write_report
from autograder.results import ENVIRONMENT, SubmissionResult
from autograder.runner import Submission
from autograder.sandbox import detect_isolation
from autograder.session import SessionOptions


@dataclass
class RunOutputs:
    """Where a grading run writes (defaults follow nbgrader's course layout)."""

    gradebook: Path
    feedback: Path
    autograded: Path
    grades_csv: Path
    questions_csv: Path
    report: Path

    @classmethod
    def under(cls, root: Path, aid: str) -> RunOutputs:
        return cls(root / "gradebook.db", root / "feedback", root / "autograded", root / "grades.csv",
                   root / "reports" / f"{aid}-questions.csv", root / "reports" / f"{aid}.html")


@dataclass
class RunSummary:
    results: list[SubmissionResult] = field(default_factory=list)
    canary: list[CanaryOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def not_graded(self) -> list[SubmissionResult]:
        """Submissions the environment failed (written to no gradebook, no feedback page): grade them again."""
        return [r for r in self.results if r.status == ENVIRONMENT]


def save_result(result: SubmissionResult, autograded: Path, notebook_name: str | None = None) -> Path:
    """``autograded/<student>/<aid>/result.json`` (the full record), ``gradescope.json`` (the same result in
    Gradescope's results.json format, for LMS exports) and a copy of the graded notebook (nbgrader's
    formgrader opens it there for manual review of free-text answers)."""
    out = autograded / result.student / result.aid / "result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out.with_name("gradescope.json"), json.dumps(results_json(result), indent=1))
    _write_atomic(out, json.dumps(result.to_dict(), indent=1, sort_keys=True))
    source = Path(result.notebook) if result.notebook else None
    if notebook_name and source and source.is_file() and not source.is_symlink():
        shutil.copyfile(source, out.parent / f"{notebook_name}.ipynb")
    copy_stamps(result, out.parent)  # nbgrader's generate_feedback takes them from here
    return out


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename: a grader killed mid-write leaves the old file or the new."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a grader killed mid-write
        pid = stale.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _scrub(value: Any) -> Any:
    """Strings that UTF-8 cannot encode (lone surrogates, e.g. from a file name that is not UTF-8) replaced
    in place, so that writing the feedback page, the CSVs and the gradebook cannot fail on them."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            setattr(value, f.name, _scrub(getattr(value, f.name)))
    return value


RESUME_ENV = "AUTOGRADER_RESUME"  # "1": run_grading(resume=None) resumes (until the CLI has a flag for it)
_PACKAGE = Path(__file__).resolve().parent


class GradingKeys:
    """What a result depends on: the kit's code (every module of the package), the source notebook, every
    test file, the limits and the isolation level (hashed once per run), then the student's notebook and
    its timestamp. A saved result whose key matches can be reused instead of graded again."""

    def __init__(self, assignment: Assignment, options: SessionOptions):
        digest = hashlib.sha256()
        self._add(digest, "kit", __version__.encode())
        for path in sorted(p for p in _PACKAGE.rglob("*.py") if "suites" not in p.relative_to(_PACKAGE).parts):
            self._add(digest, str(path.relative_to(_PACKAGE)), path.read_bytes())
        self._add(digest, "source", assignment.source_notebook.read_bytes())
        for folder in assignment.test_paths():
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                self._add(digest, f"{folder.name}/{path.relative_to(folder)}", path.read_bytes())
        self._add(digest, "options", json.dumps(asdict(options), sort_keys=True, default=str).encode())
        self._add(digest, "isolation", detect_isolation().value.encode())
        self._base = digest

    @staticmethod
    def _add(digest: Any, label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    def key(self, sub: Submission) -> str:
        """The key of one submission ("" when its files cannot be read: never reused)."""
        if sub.path is None:
            return ""
        digest = self._base.copy()
        self._add(digest, "student", sub.student.encode("utf-8", "replace"))
        try:
            self._add(digest, "notebook", sub.path.read_bytes())
            stamp = sub.path.parent / "timestamp.txt"
            self._add(digest, "timestamp", stamp.read_bytes() if stamp.is_file() else b"")
        except OSError:
            return ""
        return digest.hexdigest()


def _saved(folder: Path, sub: Submission, aid: str, key: str) -> SubmissionResult | None:
    """The result an earlier run saved in ``folder`` for exactly these inputs, if there is one."""
    if not key:
        return None
    try:
        if (folder / "grading.key").read_text(encoding="utf-8").strip() != key:
            return None
        result = SubmissionResult.from_dict(json.loads((folder / "result.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    ok = result.student == sub.student and result.aid == aid and result.status == "graded"
    return result if ok else None


def run_grading(
    assignment: Assignment,
    submissions: list[Submission],
    options: SessionOptions,
    outputs: RunOutputs,
    executor: Executor | None = None,
    on_result: Callable[[SubmissionResult], None] | None = None,
    resume: bool | None = None,
    canary: bool = True,
) -> RunSummary:
    """Grade ``submissions`` and record every result as it arrives.

    Each graded result leaves ``autograded/<student>/<aid>/grading.key`` (see ``GradingKeys``), written
    last. With ``resume``, a submission whose key matches is not graded again: its saved result is written
    to the gradebook again (a no-op when it is there), so a run killed half-way is finished cheaply;
    ``resume=None`` reads $AUTOGRADER_RESUME. A result whose student id is not a safe folder name is in
    the summary but written nowhere. First the reference canary (autograder/canary.py) grades the solution
    where the students will be graded; if it fails, CanaryFailed is raised and nothing is written.
    """
    executor = executor or Executor()
    summary = RunSummary()
    if canary and submissions:
        summary.canary = check_where_graded(assignment, options, executor.kind, executor.scheduler)
    if resume is None:
        resume = os.environ.get(RESUME_ENV, "").strip().lower() in ("1", "true", "yes")
    outputs.gradebook.parent.mkdir(parents=True, exist_ok=True)
    ensure_assignment(outputs.gradebook, assignment)
    grading_keys = GradingKeys(assignment, options)
    keys = {sub.student: grading_keys.key(sub) for sub in submissions if is_safe_id(sub.student)}
    reused: list[SubmissionResult] = []
    if resume:
        todo = []
        for sub in submissions:
            folder = outputs.autograded / sub.student / assignment.aid
            saved = _saved(folder, sub, assignment.aid, keys.get(sub.student, ""))
            (todo if saved is None else reused).append(sub if saved is None else saved)
        submissions = todo
    for result in itertools.chain(reused, grade_all(assignment, submissions, options, executor)):
        _scrub(result)
        summary.results.append(result)
        if is_safe_id(result.student):
            key_path = outputs.autograded / result.student / result.aid / "grading.key"
            key_path.unlink(missing_ok=True)  # until this result is saved, no older one may be reused
            if result.status == ENVIRONMENT:  # not the student's doing: no score, no page, only the record
                folder = outputs.autograded / result.student / result.aid
                folder.mkdir(parents=True, exist_ok=True)
                _write_atomic(folder / "result.json", json.dumps(result.to_dict(), indent=1, sort_keys=True))
                if on_result:
                    on_result(result)
                continue
            write_result(outputs.gradebook, assignment, result)
            write_feedback(result, outputs.feedback, assignment.notebook_name, outputs.gradebook)
            save_result(result, outputs.autograded, assignment.notebook_name)
            if result.status == "graded" and keys.get(result.student):
                _write_atomic(key_path, keys[result.student] + "\n")
        if on_result:
            on_result(result)
    summary.results.sort(key=lambda r: r.student)
    export_grades(outputs.gradebook, outputs.grades_csv)
    export_questions(outputs.gradebook, assignment.aid, outputs.questions_csv)
    write_report(assignment, outputs.autograded, outputs.report, outputs.feedback)
    return summary
