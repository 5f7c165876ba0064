"""Exports for the LMS: ``grades.csv`` as ``nbgrader export`` writes it, and a per-question CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.gradebook import db_url_for

GRADES_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                  "raw_score", "late_submission_penalty", "score", "max_score"]


def export_grades(db_path: Path, out: Path) -> Path:
    """Every submission in the gradebook, one row each, nbgrader's columns."""
    rows = []
    with Gradebook(db_url_for(db_path)) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                rows.append({
                    "assignment": assignment.name, "duedate": assignment.duedate or "",
                    "timestamp": sub.timestamp or "", "student_id": sub.student.id,
                    "last_name": sub.student.last_name or "", "first_name": sub.student.first_name or "",
                    "email": sub.student.email or "", "raw_score": sub.score,
                    "late_submission_penalty": sub.late_submission_penalty or 0.0,
                    "score": sub.score - (sub.late_submission_penalty or 0.0), "max_score": assignment.max_score,
                })
    rows.sort(key=lambda r: (r["assignment"], r["student_id"]))
    return _write(out, GRADES_COLUMNS, rows)


def export_questions(db_path: Path, aid: str, out: Path) -> Path:
    """One row per student of ``aid``, one column per grade cell."""
    with Gradebook(db_url_for(db_path)) as gb:
        assignment = gb.find_assignment(aid)
        cells = [c.name for nb in assignment.notebooks for c in nb.grade_cells]
        rows = []
        for sub in sorted(assignment.submissions, key=lambda s: s.student_id):
            grades = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            rows.append({"student_id": sub.student_id, **{c: grades.get(c, 0.0) for c in cells},
                         "total": sub.score, "max_score": assignment.max_score})
    return _write(out, ["student_id", *cells, "total", "max_score"], rows)


def _write(out: Path, columns: list[str], rows: list[dict]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return out
