"""Feedback pages: one HTML page per student and assignment, rendered with Jinja2.

Hidden tests appear by name with their value-free summary and hint: their source and
expected values are never in a record (see selfcheck.describe_failure), so never on a page.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from autograder.exchange import copy_stamps
from autograder.manual_grades import ManualGrades, read_manual, with_manual
from autograder.results import SubmissionResult

_ENV = Environment(loader=PackageLoader("autograder", "templates"), autoescape=select_autoescape(["html", "j2"]))


def render_feedback(result: SubmissionResult, manual: ManualGrades | None = None) -> str:
    """The page: the kit's result, with the scores and comments a TA gave by hand in the formgrader."""
    by_question: dict[str, list] = {}
    for rec in result.tests:
        by_question.setdefault(rec.question, []).append(rec)
    return _ENV.get_template("feedback.html.j2").render(
        r=with_manual(result, manual), by_question=by_question, manual=manual or ManualGrades(),
        auto=result.question_scores(), notebook_name=Path(result.notebook).name or "(none)",
    )


def feedback_page(feedback_root: Path, student: str, aid: str, notebook_name: str) -> Path:
    """``feedback_root/<student>/<aid>/<notebook>.html``: where nbgrader's release_feedback looks."""
    return Path(feedback_root) / student / aid / f"{notebook_name}.html"


def write_feedback(result: SubmissionResult, feedback_root: Path, notebook_name: str,
                   gradebook: Path | None = None) -> Path:
    """The student's page in nbgrader's feedback layout, with the submission's timestamp and secret beside
    it (``nbgrader release_feedback`` needs both); hand grading in ``gradebook`` is shown on it."""
    out = feedback_page(feedback_root, result.student, result.aid, notebook_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    manual = read_manual(gradebook, result.aid, result.student).get(result.student)
    out.write_text(render_feedback(result, manual), encoding="utf-8")
    copy_stamps(result, out.parent)
    return out
