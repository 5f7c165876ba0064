"""The class report of one assignment: distributions, frequent failures, limits hit, isolation used.

Built from the result records a grading run leaves in ``autograded/<student>/<aid>/result.json``.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from autograder.course import Assignment
from autograder.feedback_plots import png_base64
from autograder.manual_grades import read_manual, with_manual
from autograder.results import ENVIRONMENT, SubmissionResult

_ENV = Environment(loader=PackageLoader("autograder", "templates"), autoescape=select_autoescape(["html", "j2"]))


@dataclass
class QuestionStats:
    question: str
    points: float
    mean: float
    full: int  # submissions with full marks
    zero: int
    histogram: list[int]  # counts in 5 bins of the question's points (0-20%, ..., 80-100%)


def load_results(autograded: Path, aid: str) -> list[SubmissionResult]:
    paths = sorted(Path(autograded).glob(f"*/{aid}/result.json"))
    results = [SubmissionResult.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in paths]
    return [r for r in results if r.status != ENVIRONMENT]  # not graded: not part of the class's scores


def question_stats(assignment: Assignment, results: list[SubmissionResult]) -> list[QuestionStats]:
    out = []
    for question, points in assignment.questions.items():
        scores = [r.question_scores().get(question, 0.0) for r in results]
        bins = [0] * 5
        for s in scores:
            bins[min(4, int(5 * s / points)) if points else 0] += 1
        out.append(QuestionStats(question, points, statistics.fmean(scores) if scores else 0.0,
                                 sum(s >= points for s in scores), sum(s == 0 for s in scores), bins))
    return out


def frequent_failures(results: list[SubmissionResult], top: int = 12) -> list[dict]:
    counts: Counter = Counter()
    info: dict[str, dict] = {}
    for r in results:
        for t in r.tests:
            if t.outcome != "passed" and r.status != "error":
                counts[t.nodeid] += 1
                info.setdefault(t.nodeid, {"name": t.name, "question": t.question, "visibility": t.visibility,
                                           "hint": t.hints[0] if t.hints else "", "kinds": Counter()})
                info[t.nodeid]["kinds"][t.kind or t.outcome] += 1
    return [{**info[k], "count": n, "kinds": dict(info[k]["kinds"])} for k, n in counts.most_common(top)]


def limit_events(results: list[SubmissionResult]) -> list[dict]:
    """Submissions that timed out, crashed, hit a sandbox limit or could not be graded."""
    rows = []
    for r in results:
        kinds = Counter(t.kind for t in r.tests if t.kind in ("timeout", "crash", "ungradable"))
        if kinds or r.status == "error" or r.events:
            rows.append({"student": r.student, "kinds": dict(kinds), "events": r.events[:6],
                         "error": r.error, "memory_mb": (r.memory_peak or 0) / 2**20})
    return rows


def score_histogram(results: list[SubmissionResult], max_score: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 2.4))
    ax.hist([100 * r.score / max_score for r in results] if max_score else [], bins=10, range=(0, 100),
            color="tab:blue", edgecolor="white")
    ax.set(xlabel="score (%)", ylabel="submissions", title="Score distribution")
    return png_base64(fig)


def render_report(assignment: Assignment, results: list[SubmissionResult], feedback_rel: str = "feedback") -> str:
    scores = [r.score for r in results]
    return _ENV.get_template("report.html.j2").render(
        a=assignment, results=results, n=len(results),
        mean=statistics.fmean(scores) if scores else 0.0, median=statistics.median(scores) if scores else 0.0,
        isolation=Counter(r.isolation or "not graded" for r in results),
        questions=question_stats(assignment, results), failures=frequent_failures(results),
        limits=limit_events(results), histogram=score_histogram(results, assignment.max_score) if results else "",
        feedback_rel=feedback_rel,
    )


def write_report(assignment: Assignment, autograded: Path, out: Path, feedback: Path,
                 gradebook: Path | None = None) -> Path:
    """The report page ``out`` from the records in ``autograded``, linking to the pages in ``feedback``, with
    the hand grading in ``gradebook`` (default: the run's ``gradebook.db`` beside ``autograded``) applied."""
    manual = read_manual(gradebook or Path(autograded).parent / "gradebook.db", assignment.aid)
    results = [with_manual(r, manual.get(r.student)) for r in load_results(autograded, assignment.aid)]
    out.parent.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(feedback, out.parent)
    out.write_text(render_report(assignment, results, rel), encoding="utf-8")
    return out
