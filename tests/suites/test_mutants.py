"""Every hidden suite against its reference, its stub and its catalogue of mutants, through the real engine."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.course import SUITES_DIR, find_course_root, list_assignments, load_assignment
from autograder.mutants import load_catalogue
from autograder.runner import Submission, grade_submission
from autograder.session import options_for

ROOT = find_course_root(Path(__file__).parent)
ASSIGNMENTS = list_assignments(ROOT)
CASES = [(aid, m) for aid in ASSIGNMENTS for m in load_catalogue(SUITES_DIR / aid)]


def grade(aid: str, path: Path, student: str = "mutant"):
    assignment = load_assignment(aid, ROOT)
    return grade_submission(assignment, Submission(student, path), options_for(assignment.settings))


def with_cell(aid: str, source: str, tmp_path: Path) -> Path:
    """The solution notebook with one more code cell at the end."""
    assignment = load_assignment(aid, ROOT)
    nb = nbformat.read(assignment.source_notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    out = tmp_path / assignment.source_notebook.name
    nbformat.write(nb, out)
    return out


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_reference_gets_full_marks(aid):
    assignment = load_assignment(aid, ROOT)
    result = grade(aid, assignment.source_notebook)
    failing = [(t.name, t.message) for t in result.tests if t.outcome != "passed"]
    assert result.score == assignment.max_score, failing


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_released_stub_gets_zero(aid):
    assignment = load_assignment(aid, ROOT)
    result = grade(aid, assignment.release_dir / assignment.source_notebook.name, "stub")
    assert result.score == 0
    assert all("not implemented yet" in t.message for t in result.tests if t.kind == "raised")


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_points_of_the_tests_match_the_grade_cells(aid):
    assignment = load_assignment(aid, ROOT)
    result = grade(aid, assignment.source_notebook)
    per_question: dict[str, float] = {}
    for t in result.tests:
        per_question[t.question] = per_question.get(t.question, 0) + t.points
    assert per_question == assignment.questions


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_each_suite_has_a_catalogue_of_at_least_eight_mutants(aid):
    assert len(load_catalogue(SUITES_DIR / aid)) >= 8


@pytest.mark.parametrize("aid, mutant", CASES, ids=[f"{a}:{m.name}" for a, m in CASES])
def test_mutant_loses_points_and_sees_a_hint_naming_its_mistake(aid, mutant, tmp_path):
    result = grade(aid, with_cell(aid, mutant.code(), tmp_path))
    assert result.score < result.max_score, f"{mutant.name} ({mutant.mistake}) got full marks"
    failing = [t for t in result.tests if t.outcome != "passed"]
    hints = [h.lower() for t in failing for h in t.hints]
    assert any(mutant.hint_keyword.lower() in h for h in hints), (
        f"{mutant.name}: no failing test's hint mentions {mutant.hint_keyword!r}; failing: "
        + "; ".join(f"{t.name}: {t.hints[:1]}" for t in failing)
    )
