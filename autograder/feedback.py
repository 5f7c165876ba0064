"""Feedback pages: one HTML page per student and assignment, rendered with Jinja2.

Hidden tests appear by name with their value-free summary and hint: their source and
expected values are never in a record (see selfcheck.describe_failure), so never on a page.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from autograder.results import SubmissionResult

_ENV = Environment(loader=PackageLoader("autograder", "templates"), autoescape=select_autoescape(["html", "j2"]))


def render_feedback(result: SubmissionResult) -> str:
    by_question: dict[str, list] = {}
    for rec in result.tests:
        by_question.setdefault(rec.question, []).append(rec)
    return _ENV.get_template("feedback.html.j2").render(
        r=result, by_question=by_question, notebook_name=Path(result.notebook).name or "(none)"
    )


def write_feedback(result: SubmissionResult, feedback_root: Path) -> Path:
    """``feedback_root/<student>/<aid>/feedback.html`` (nbgrader's feedback layout)."""
    out = Path(feedback_root) / result.student / result.aid / "feedback.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_feedback(result), encoding="utf-8")
    return out
