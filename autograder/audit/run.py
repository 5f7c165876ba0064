"""The audit of one assignment: is its suite fair (it asks only what the notebook says, and accepts every
valid answer) and sharp (it catches every catalogued mistake)?

Every notebook the audit grades (the reference, the released stub, each mutant, each alternative) goes
through the real engine, as one batch on the engine's executors, so the audit costs about one class of
that size graded with ``--workers N``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder.alternatives import Alternative, load_alternatives
from autograder.audit.spec import CollectionError, TracedTest, trace_suite
from autograder.course import Assignment
from autograder.executors import Executor, grade_all
from autograder.mutants import Mutant, load_catalogue
from autograder.release import leaks
from autograder.results import SubmissionResult
from autograder.runner import Submission, SuiteError
from autograder.session import options_for


@dataclass
class Graded:
    """What grading one audited notebook gave."""

    score: float
    max_score: float
    failing: list[str] = field(default_factory=list)  # "test_name: message" of every test that did not pass

    @property
    def full(self) -> bool:
        return self.max_score > 0 and abs(self.score - self.max_score) < 1e-9


@dataclass
class MutantOutcome:
    name: str
    function: str
    mistake: str
    hint_keyword: str
    graded: Graded
    hinted: bool  # a failing test's hint contains hint_keyword

    @property
    def caught(self) -> bool:
        return self.graded.score < self.graded.max_score

    @property
    def ok(self) -> bool:
        return self.caught and self.hinted


@dataclass
class AlternativeOutcome:
    name: str
    style: str
    graded: Graded

    @property
    def full(self) -> bool:
        return self.graded.full


@dataclass
class AuditReport:
    aid: str
    max_score: float
    reference: Graded | None = None
    stub: Graded | None = None
    traced: list[TracedTest] = field(default_factory=list)
    mutants: list[MutantOutcome] = field(default_factory=list)
    alternatives: list[AlternativeOutcome] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # question -> (tests' sum, grade cell)
    problems: list[str] = field(default_factory=list)  # what kept a check from running at all
    min_alternatives: int = 4

    @property
    def untraced(self) -> list[TracedTest]:
        return [t for t in self.traced if not t.traced]

    @property
    def points_ok(self) -> bool:
        return bool(self.points) and all(abs(a - b) < 1e-9 for a, b in self.points.values())

    def checks(self) -> dict[str, bool]:
        """Each claim of the audit and whether it holds."""
        return {
            "reference scores full marks": self.reference is not None and self.reference.full,
            "released stub scores 0": self.stub is not None and self.stub.score == 0,
            "every test traced to the notebook": bool(self.traced) and not self.untraced,
            "every mutant loses points with a hint naming it": bool(self.mutants)
            and all(m.ok for m in self.mutants),
            f"at least {self.min_alternatives} alternatives, each at full marks":
                len(self.alternatives) >= self.min_alternatives and all(a.full for a in self.alternatives),
            "the release leaks no hidden test or solution": not self.leaks,
            "test points add up to the grade cells": self.points_ok,
        }

    @property
    def ok(self) -> bool:
        return not self.problems and all(self.checks().values())

    def to_dict(self) -> dict:
        return {
            "aid": self.aid,
            "ok": self.ok,
            "checks": self.checks(),
            "max_score": self.max_score,
            "reference": asdict(self.reference) | {"full": self.reference.full} if self.reference else None,
            "stub": asdict(self.stub) if self.stub else None,
            "tests": len(self.traced),
            "untraced": len(self.untraced),
            "untraced_tests": [{"nodeid": t.nodeid, "problem": t.problem} for t in self.untraced],
            "mutants": [{"name": m.name, "function": m.function, "mistake": m.mistake, "caught": m.caught,
                         "hinted": m.hinted, "ok": m.ok, "score": m.graded.score, "failing": m.graded.failing}
                        for m in self.mutants],
            "alternatives": [{"name": a.name, "style": a.style, "full": a.full, "score": a.graded.score,
                              "max_score": a.graded.max_score, "failing": a.graded.failing}
                             for a in self.alternatives],
            "leaks": self.leaks,
            "points": {q: {"tests": t, "grade_cell": c} for q, (t, c) in self.points.items()},
            "problems": self.problems,
        }


def _graded(result: SubmissionResult) -> Graded:
    failing = [f"{t.name}: {t.message.splitlines()[0] if t.message else t.outcome}"
               for t in result.tests if t.outcome != "passed"]
    if result.error:
        failing.insert(0, result.error)
    return Graded(result.score, result.max_score, failing)


def _with_cell(notebook: Path, source: str, out: Path) -> Path:
    """``notebook`` with one more code cell at the end, written to ``out``."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out


def _points(assignment: Assignment, traced: list[TracedTest]) -> dict[str, tuple[float, float]]:
    sums: dict[str, float] = {}
    for t in traced:
        sums[t.question] = sums.get(t.question, 0.0) + t.points
    return {q: (sums.get(q, 0.0), assignment.questions.get(q, 0.0))
            for q in [*assignment.questions, *(q for q in sums if q not in assignment.questions)]}


def _release_current(assignment: Assignment) -> list[str]:
    """Public tests that differ between solutions/ and the release: the release is stale."""
    out = []
    for src in sorted(assignment.public_tests.glob("*.py")):
        shipped = assignment.release_dir / "tests" / src.name
        if not shipped.is_file() or shipped.read_bytes() != src.read_bytes():
            out.append(f"{shipped}: differs from {src} (run `autograder release {assignment.aid}`)")
    return out


@dataclass
class _Job:
    kind: str  # "reference" | "stub" | "mutant" | "alternative"
    submission: Submission
    item: Mutant | Alternative | None = None


def _jobs(assignment: Assignment, released: Path, tmp: Path, mutants: list[Mutant],
          alternatives: list[Alternative]) -> list[_Job]:
    """The notebooks to grade: reference, stub, solution + each mutant, release + each alternative."""
    jobs = [_Job("reference", Submission("reference", assignment.source_notebook)),
            _Job("stub", Submission("stub", released))]
    for i, m in enumerate(mutants):
        path = _with_cell(assignment.source_notebook, m.code(), tmp / f"m{i}" / released.name)
        jobs.append(_Job("mutant", Submission("mutant", path), m))
    for i, a in enumerate(alternatives):
        path = _with_cell(released, a.code(), tmp / f"a{i}" / released.name)
        jobs.append(_Job("alternative", Submission(f"alternative-{i}", path), a))
    return jobs


def _record(report: AuditReport, job: _Job, result: SubmissionResult | None) -> None:
    name = f"{job.kind} {job.item.name}" if job.item else job.kind
    if result is None:
        report.problems.append(f"{name}: no result came back")
        return
    if result.status == "error":  # nothing could be graded: the audit's or the kit's fault, not a score
        report.problems.append(f"{name}: {result.error}")
    graded = _graded(result)
    if job.kind == "reference":
        report.reference = graded
    elif job.kind == "stub":
        report.stub = graded
    elif isinstance(job.item, Mutant):
        hints = [h.lower() for t in result.tests if t.outcome != "passed" for h in t.hints]
        report.mutants.append(MutantOutcome(job.item.name, job.item.function, job.item.mistake,
                                            job.item.hint_keyword, graded,
                                            any(job.item.hint_keyword.lower() in h for h in hints)))
    elif isinstance(job.item, Alternative):
        report.alternatives.append(AlternativeOutcome(job.item.name, job.item.style, graded))


def audit(assignment: Assignment, workers: int | None = None,
          mutants: list[Mutant] | None = None, alternatives: list[Alternative] | None = None) -> AuditReport:
    """Audit one assignment: trace its tests, grade reference, stub, mutants and alternatives, check the release."""
    released = assignment.release_dir / assignment.source_notebook.name
    report = AuditReport(assignment.aid, assignment.max_score)
    try:
        report.traced = trace_suite(assignment.test_paths(), released)
        report.points = _points(assignment, report.traced)
    except (CollectionError, OSError, ValueError) as exc:
        report.problems.append(f"the tests could not be collected: {exc}")
    report.leaks = leaks(assignment.release_dir, assignment.aid) + _release_current(assignment)
    mutants = load_catalogue(assignment.hidden_suite) if mutants is None else mutants
    alternatives = load_alternatives(assignment.hidden_suite) if alternatives is None else alternatives
    with tempfile.TemporaryDirectory(prefix=f"audit-{assignment.aid}-") as tmp:
        jobs = _jobs(assignment, released, Path(tmp), mutants, alternatives)
        executor = Executor("local", workers or os.cpu_count() or 1)
        results: dict[str, SubmissionResult] = {}
        try:
            for result in grade_all(assignment, [j.submission for j in jobs],
                                    options_for(assignment.settings, plots=False), executor):
                results[result.notebook] = result
        except SuiteError as exc:
            report.problems.append(str(exc))
            return report
    for job in jobs:
        _record(report, job, results.get(str(job.submission.path)))
    return report
