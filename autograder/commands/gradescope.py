"""``autograder gradescope``: build a Gradescope autograder zip, and run it on one submission."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from autograder.commands.common import EXIT_COURSE, EXIT_ENVIRONMENT, EXIT_USAGE, console, course_root
from autograder.course import load_assignment


@click.group()
def gradescope() -> None:
    """The Gradescope path: `build` the zip, `run` inside Gradescope's container."""


@gradescope.command()
@click.argument("aid")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Default: dist/<AID>-gradescope.zip")
def build(aid: str, out: Path | None) -> None:
    """Write the autograder zip of AID (setup.sh, run_autograder, the kit and the hidden suite)."""
    from autograder.gradescope import build_zip

    root = course_root()
    path = build_zip(load_assignment(aid, root), (out or root / "dist" / f"{aid}-gradescope.zip").resolve())
    console.print(f"Gradescope autograder: {path}")


def _student_id(metadata: Path) -> str:
    """The submitter's id from Gradescope's submission_metadata.json (it seeds the random tests)."""
    try:
        users = json.loads(metadata.read_text(encoding="utf-8")).get("users") or [{}]
        return str(users[0].get("sid") or users[0].get("email") or "gradescope")
    except (OSError, ValueError, AttributeError):
        return "gradescope"


@gradescope.command()
@click.argument("aid")
@click.option("--submission", type=click.Path(path_type=Path, file_okay=False, exists=True), required=True)
@click.option("--results", type=click.Path(path_type=Path, dir_okay=False), required=True)
def run(aid: str, submission: Path, results: Path) -> None:
    """Grade the notebook in SUBMISSION and write Gradescope's results.json.

    First the reference canary (remembered from setup.sh's run when the environment is unchanged): if the
    solution does not get full marks, or the environment fails this submission, no results.json is written
    (Gradescope then reports an autograder failure, not a score) and the exit code is 4 or 5.
    """
    from autograder.canary import CanaryFailed, check_reference
    from autograder.gradescope import results_json
    from autograder.results import ENVIRONMENT
    from autograder.runner import Submission, grade_submission
    from autograder.session import options_for

    assignment = load_assignment(aid, course_root())
    notebooks = sorted(submission.glob("*.ipynb"))
    named = [p for p in notebooks if p.stem == assignment.notebook_name]
    path = (named or notebooks or [None])[0]
    problem = "" if path else f"no notebook in the submission (expected {assignment.notebook_name}.ipynb)"
    student = _student_id(submission.parent / "submission_metadata.json")
    options = options_for(assignment.settings)
    try:
        console.print(check_reference(assignment, options).describe())
    except CanaryFailed as exc:
        console.print(f"[red]not graded: the reference canary failed[/] (exit {EXIT_COURSE}):")
        console.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(EXIT_COURSE)
    result = grade_submission(assignment, Submission(student, path, problem), options)
    if result.status == ENVIRONMENT:
        console.print(f"[red]not graded: environment error:[/] {result.error}", markup=False, soft_wrap=True)
        sys.exit(EXIT_ENVIRONMENT)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(results_json(result), indent=1), encoding="utf-8")
    console.print(f"{result.score:g}/{result.max_score:g} → {results}")
    sys.exit(0 if path else EXIT_USAGE)
