"""Scores into nbgrader's gradebook: one row set per submission, regrades replace, manual grades survive."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook

from autograder.course import load_assignment
from autograder.gradebook import db_url_for, ensure_assignment, read_scores, write_result
from autograder.results import SubmissionResult, score_questions

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"


def result(student: str, fraction: float) -> SubmissionResult:
    assignment = load_assignment(AID, ROOT)
    r = SubmissionResult(student, AID, "nb.ipynb", timestamp="2026-11-20 12:00:00.000000 UTC")
    r.questions = score_questions(assignment.questions, [])
    for q in r.questions:
        q.earned = q.points * fraction
    return r


def test_scores_land_on_the_grade_cells(tmp_path):
    db = tmp_path / "gradebook.db"
    assignment = load_assignment(AID, ROOT)
    ensure_assignment(db, assignment)
    write_result(db, assignment, result("ana", 1.0))
    assert read_scores(db, AID)["ana"] == assignment.questions


def test_a_regrade_replaces_and_never_duplicates(tmp_path):
    db = tmp_path / "gradebook.db"
    assignment = load_assignment(AID, ROOT)
    ensure_assignment(db, assignment)
    write_result(db, assignment, result("ana", 1.0))
    write_result(db, assignment, result("ana", 0.5))
    ensure_assignment(db, assignment)  # idempotent
    with Gradebook(db_url_for(db)) as gb:
        subs = gb.find_assignment(AID).submissions
        assert len(subs) == 1 and len(gb.students) == 1
        assert subs[0].score == assignment.max_score / 2


def test_a_manual_grade_survives_a_regrade(tmp_path):
    db = tmp_path / "gradebook.db"
    assignment = load_assignment(AID, ROOT)
    ensure_assignment(db, assignment)
    write_result(db, assignment, result("ana", 0.0))
    with Gradebook(db_url_for(db)) as gb:
        grade = gb.find_grade("predict", assignment.notebook_name, AID, "ana")
        grade.manual_score, grade.needs_manual_grade = 3.0, False  # as the formgrader saves it
        gb.db.commit()
    write_result(db, assignment, result("ana", 1.0))
    with Gradebook(db_url_for(db)) as gb:
        grade = gb.find_grade("predict", assignment.notebook_name, AID, "ana")
        assert grade.manual_score == 3.0 and grade.auto_score == assignment.questions["predict"]
        assert not grade.needs_manual_grade and grade.score == 3.0  # kept, and not flagged again
