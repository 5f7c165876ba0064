"""Every suite audited through the real engine (``autograder audit``): reference, stub, spec quotes, mutants,
alternatives, release and points. Each assignment is audited once (its notebooks graded as one parallel
batch); the tests below read that audit, one test per claim, per mutant and per alternative."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from autograder.alternatives import load_alternatives
from autograder.audit.run import AuditReport, audit
from autograder.course import SUITES_DIR, find_course_root, list_assignments, load_assignment
from autograder.mutants import load_catalogue

ROOT = find_course_root(Path(__file__).parent)
ASSIGNMENTS = list_assignments(ROOT)
MUTANTS = [(aid, m.name) for aid in ASSIGNMENTS for m in load_catalogue(SUITES_DIR / aid)]
ALTERNATIVES = [(aid, a.name) for aid in ASSIGNMENTS for a in load_alternatives(SUITES_DIR / aid)]


@cache
def _audit(aid: str) -> AuditReport:
    return audit(load_assignment(aid, ROOT))


def audited(aid: str) -> AuditReport:
    """The assignment's audit, computed once (a failed audit is not recomputed by every test)."""
    report = _audit(aid)
    assert not report.problems, report.problems
    return report


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_reference_gets_full_marks(aid):
    report = audited(aid)
    assert report.reference is not None and report.reference.full, report.reference


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_released_stub_gets_zero(aid):
    report = audited(aid)
    assert report.stub is not None and report.stub.score == 0, report.stub


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_points_of_the_tests_match_the_grade_cells(aid):
    report = audited(aid)
    assert report.points_ok, report.points


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_every_test_quotes_the_released_notebook(aid):
    report = audited(aid)
    assert report.traced and not report.untraced, [(t.nodeid, t.problem) for t in report.untraced]


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_the_release_leaks_nothing_and_is_current(aid):
    assert not audited(aid).leaks


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_each_suite_has_a_catalogue_of_at_least_eight_mutants(aid):
    assert len(load_catalogue(SUITES_DIR / aid)) >= 8


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_each_suite_has_at_least_four_alternatives(aid):
    assert len(load_alternatives(SUITES_DIR / aid)) >= 4


@pytest.mark.parametrize("aid, name", MUTANTS, ids=[f"{a}:{m}" for a, m in MUTANTS])
def test_mutant_loses_points_and_sees_a_hint_naming_its_mistake(aid, name):
    mutant = next(m for m in audited(aid).mutants if m.name == name)
    assert mutant.caught, f"{name} ({mutant.mistake}) got full marks"
    assert mutant.hinted, f"{name}: no failing test's hint mentions {mutant.hint_keyword!r}; failing: " \
                          + "; ".join(mutant.graded.failing)


@pytest.mark.parametrize("aid, name", ALTERNATIVES, ids=[f"{a}:{n}" for a, n in ALTERNATIVES])
def test_alternative_gets_full_marks(aid, name):
    alternative = next(a for a in audited(aid).alternatives if a.name == name)
    assert alternative.full, f"{name} ({alternative.style}): {alternative.graded.score:g}/" \
                             f"{alternative.graded.max_score:g}; " + "; ".join(alternative.graded.failing)
