"""The audit report: healthy only when every claim holds; any single fault fails it."""

from __future__ import annotations

import pytest

from autograder.audit.run import AlternativeOutcome, AuditReport, Graded, MutantOutcome
from autograder.audit.spec import TracedTest


def _healthy() -> AuditReport:
    graded = Graded(10.0, 10.0)
    report = AuditReport("x", 10.0, reference=graded, stub=Graded(0.0, 10.0))
    report.traced = [TracedTest("t::a", "t", "q", 10.0, quotes=["a quote"])]
    report.mutants = [MutantOutcome("m", "f", "wrong", "hint", Graded(5.0, 10.0), hinted=True)]
    report.alternatives = [AlternativeOutcome(f"a{i}", "style", graded) for i in range(4)]
    report.points = {"q": (10.0, 10.0)}
    return report


@pytest.mark.parametrize("fault", ["untraced", "too_strict", "survivor", "unhinted", "leak", "points",
                                   "reference", "stub", "few_alternatives", "problem"])
def test_any_single_fault_fails_the_audit(fault):
    report = _healthy()
    assert report.ok
    if fault == "untraced":
        report.traced[0].missing = ["a quote"]
    elif fault == "too_strict":
        report.alternatives[0].graded = Graded(9.0, 10.0)
    elif fault == "survivor":
        report.mutants[0].graded = Graded(10.0, 10.0)
    elif fault == "unhinted":
        report.mutants[0].hinted = False
    elif fault == "leak":
        report.leaks = ["assignments/x/tests/test_hidden.py: a copy of a hidden-suite file"]
    elif fault == "points":
        report.points = {"q": (9.0, 10.0)}
    elif fault == "reference":
        report.reference = Graded(9.5, 10.0)
    elif fault == "stub":
        report.stub = Graded(1.0, 10.0)
    elif fault == "few_alternatives":
        report.alternatives = report.alternatives[:3]
    else:
        report.problems = ["the tests could not be collected"]
    assert not report.ok
    assert report.to_dict()["ok"] is False

