"""``autograder report``: the class report page of an assignment."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.commands.common import console, course_root
from autograder.course import load_assignment


@click.command()
@click.argument("aid")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The folder a grading run wrote to (default: the course root).")
def report(aid: str, out: Path | None) -> None:
    """Write reports/<AID>.html: score distributions, frequent failures, limits hit, isolation used."""
    from autograder.grading import RunOutputs
    from autograder.report import write_report

    root = course_root()
    paths = RunOutputs.under((out or root).resolve(), aid)
    page = write_report(load_assignment(aid, root), paths.autograded, paths.report, paths.feedback)
    console.print(f"report: {page}")
