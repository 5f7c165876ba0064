"""A grading run for a TA: grade a class, then write the gradebook, feedback pages and CSVs.

The coordinator (this process) alone writes the gradebook, one submission per transaction,
as results arrive, so a run killed half-way keeps everything it finished.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Assignment
from autograder.executors import Executor, grade_all
from autograder.export import export_grades, export_questions
from autograder.feedback import write_feedback
from autograder.gradebook import ensure_assignment, write_result
from autograder.report import write_report
from autograder.results import SubmissionResult
from autograder.runner import Submission
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

    @property
    def errors(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.status == "error"]


def save_result(result: SubmissionResult, autograded: Path, notebook_name: str | None = None) -> Path:
    """``autograded/<student>/<aid>/result.json``, and a copy of the graded notebook beside it
    (nbgrader's formgrader opens it there for manual review of free-text answers)."""
    out = autograded / result.student / result.aid / "result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
    source = Path(result.notebook) if result.notebook else None
    if notebook_name and source and source.is_file() and not source.is_symlink():
        shutil.copyfile(source, out.parent / f"{notebook_name}.ipynb")
    return out


def run_grading(
    assignment: Assignment,
    submissions: list[Submission],
    options: SessionOptions,
    outputs: RunOutputs,
    executor: Executor | None = None,
    on_result: Callable[[SubmissionResult], None] | None = None,
) -> RunSummary:
    """Grade ``submissions`` and record every result as it arrives."""
    ensure_assignment(outputs.gradebook, assignment)
    summary = RunSummary()
    for result in grade_all(assignment, submissions, options, executor or Executor()):
        write_result(outputs.gradebook, assignment, result)
        write_feedback(result, outputs.feedback)
        save_result(result, outputs.autograded, assignment.notebook_name)
        summary.results.append(result)
        if on_result:
            on_result(result)
    summary.results.sort(key=lambda r: r.student)
    export_grades(outputs.gradebook, outputs.grades_csv)
    export_questions(outputs.gradebook, assignment.aid, outputs.questions_csv)
    write_report(assignment, outputs.autograded, outputs.report, outputs.feedback)
    return summary
