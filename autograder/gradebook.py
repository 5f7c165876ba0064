"""Scores into nbgrader's ``gradebook.db``, through nbgrader's own API and ORM.

The assignment's notebook and grade cells are recorded by nbgrader's ``SaveCells``
preprocessor from the source notebook (as ``nbgrader generate_assignment`` does), so
``nbgrader export`` and the formgrader read the kit's scores like their own. Each submission
is written in one transaction under a file lock: a regrade replaces, never duplicates, and a
grader killed mid-batch leaves every finished submission intact.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import (
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.preprocessors import ClearOutput, ClearSolutions, ComputeChecksums, LockCells, SaveCells

from autograder.course import Assignment
from autograder.results import SubmissionResult


def _alembic_on_path() -> None:
    """nbgrader's Gradebook shells out to ``alembic``: the venv's bin must be on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


_alembic_on_path()


def db_url_for(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


@contextmanager
def locked(db_path: Path) -> Iterator[None]:
    """An exclusive lock beside the database: one writer at a time, across processes."""
    lock = Path(f"{db_path}.lock")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recorded_cells(gb: Gradebook, assignment: Assignment) -> dict[str, float] | None:
    """grade_id -> points as recorded, or None when the notebook is missing or recorded without checksums."""
    try:
        notebook = gb.find_notebook(assignment.notebook_name, assignment.aid)
    except MissingEntry:
        return None
    if any(cell.checksum is None for cell in notebook.source_cells):
        return None
    return {cell.name: float(cell.max_score) for cell in notebook.grade_cells}


def ensure_assignment(db_path: Path, assignment: Assignment) -> None:
    """Record the assignment's notebook and grade cells in the gradebook, if not already there."""
    url = db_url_for(db_path)
    with locked(db_path):
        with Gradebook(url) as gb:
            if _recorded_cells(gb, assignment) == assignment.questions:
                return
            gb.update_or_create_assignment(assignment.aid)
        nb = nbformat.read(assignment.source_notebook, as_version=4)
        resources = {"nbgrader": {"notebook": assignment.notebook_name, "assignment": assignment.aid,
                                  "db_url": url}}
        # as generate_assignment records them: the released cells with their checksums (nbgrader's
        # autograde and formgrader compare a submission's locked and grade cells with them)
        for step in (LockCells(), ClearSolutions(), ClearOutput(), ComputeChecksums(), SaveCells()):
            nb, resources = step.preprocess(nb, resources)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace(" UTC", "").replace("Z", ""))
    except ValueError:
        return None


def _new_submission(gb: Gradebook, assignment: Assignment, student: Student) -> SubmittedAssignment:
    """The same structure as ``Gradebook.add_submission`` builds, without its commit."""
    sub = SubmittedAssignment(assignment=gb.find_assignment(assignment.aid), student=student)
    gb.db.add(sub)
    for notebook in sub.assignment.notebooks:
        nb = SubmittedNotebook(notebook=notebook, assignment=sub)
        rows = [Grade(cell_id=cell.id, notebook=nb) for cell in notebook.grade_cells]
        rows += [Comment(cell_id=cell.id, notebook=nb) for cell in notebook.solution_cells]
        for cell in notebook.task_cells:
            rows += [Comment(cell_id=cell.id, notebook=nb), Grade(cell_id=cell.id, notebook=nb)]
        gb.db.add_all([nb, *rows])
    return sub


def write_result(db_path: Path, assignment: Assignment, result: SubmissionResult) -> None:
    """Store one submission's question scores as nbgrader auto scores, in one transaction."""
    scores = result.question_scores()
    with locked(db_path), Gradebook(db_url_for(db_path)) as gb:
        db = gb.db
        try:
            student = db.get(Student, result.student)
            if student is None:
                student = Student(id=result.student)
                db.add(student)
            try:
                sub = gb.find_submission(assignment.aid, result.student)
            except MissingEntry:
                with db.no_autoflush:
                    sub = _new_submission(gb, assignment, student)
            sub.timestamp = _parse_time(result.timestamp)
            db.flush()
            for nb in sub.notebooks:
                names = {cell.id: cell.name for cell in nb.notebook.grade_cells}
                for grade in nb.grades:
                    name = names.get(grade.cell_id)
                    if name in scores:
                        grade.auto_score = scores[name]
                        grade.needs_manual_grade = False  # graded; a manual score, if any, stays and wins
            db.commit()
        except Exception:
            db.rollback()
            raise


def read_scores(db_path: Path, aid: str) -> dict[str, dict[str, float]]:
    """student -> {grade_id: score} as the gradebook holds them (manual scores win, as in nbgrader)."""
    out: dict[str, dict[str, float]] = {}
    with Gradebook(db_url_for(db_path)) as gb:
        for sub in gb.find_assignment(aid).submissions:
            out[sub.student_id] = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
    return out
