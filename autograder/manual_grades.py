"""Grades given by hand in the formgrader: manual scores and comments, read from nbgrader's gradebook.

nbgrader keeps them beside the kit's auto scores (``Grade.manual_score``, ``Comment.manual_comment``);
a manual score wins over the auto score, as in nbgrader. The feedback page, the class report and the
CLI table show a result with them applied (:func:`with_manual`); the kit's own record in
``autograded/`` stays the automatic one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograder.gradebook import db_url_for
from autograder.results import SubmissionResult


@dataclass
class ManualGrades:
    """One submission's hand grading: question -> manual score, cell -> the TA's comment."""

    scores: dict[str, float] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.scores or self.comments)


def _from_submission(sub) -> ManualGrades:  # noqa: ANN001 (nbgrader's SubmittedAssignment)
    manual = ManualGrades()
    for nb in sub.notebooks:
        manual.scores.update({g.name: float(g.manual_score) for g in nb.grades if g.manual_score is not None})
        manual.comments.update({c.name: c.manual_comment for c in nb.comments if (c.manual_comment or "").strip()})
    return manual


def read_manual(db_path: Path | None, aid: str, student: str | None = None) -> dict[str, ManualGrades]:
    """student -> their hand grading of ``aid`` (one student, or all; those without any are left out)."""
    if db_path is None or not Path(db_path).is_file():
        return {}
    with Gradebook(db_url_for(db_path)) as gb:
        try:
            submissions = [gb.find_submission(aid, student)] if student else gb.find_assignment(aid).submissions
        except MissingEntry:
            return {}
        found = {sub.student_id: _from_submission(sub) for sub in submissions}
    return {student: manual for student, manual in found.items() if manual}


def with_manual(result: SubmissionResult, manual: ManualGrades | None) -> SubmissionResult:
    """A copy of ``result`` whose question scores are the manual ones where a TA gave one."""
    if not manual or not manual.scores:
        return result
    out = copy.copy(result)
    out.questions = [copy.copy(q) for q in result.questions]
    for q in out.questions:
        if q.question in manual.scores:
            q.earned = manual.scores[q.question]
    return out
