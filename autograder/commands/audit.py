"""``autograder audit``: prove that a suite is fair and sharp (see autograder/audit/)."""

from __future__ import annotations

import json
import sys

import click

from autograder.commands.common import EXIT_COURSE, EXIT_FAILED, EXIT_OK, console, course_root
from autograder.course import CourseError, list_assignments, load_assignment


@click.command()
@click.argument("aids", nargs=-1)
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON instead of tables (an object; a list of them for several assignments).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Notebooks graded at a time (default: the number of cores).")
def audit(aids: tuple[str, ...], as_json: bool, workers: int | None) -> None:
    """Audit suites (all assignments if none are named): the reference scores full, every test quotes the
    released notebook, every mutant loses points with a hint naming it, every alternative scores full, the
    release leaks nothing, the points add up. Exit 0 only when all of it holds."""
    from autograder.audit.run import audit as run_audit
    from autograder.audit.table import print_report

    root = course_root()
    try:
        assignments = [load_assignment(aid, root) for aid in (aids or list_assignments(root))]
    except CourseError as exc:
        console.print(f"[red]audit failed:[/] {exc}")
        sys.exit(EXIT_COURSE)
    reports = []
    for assignment in assignments:
        if not as_json:
            console.print(f"auditing {assignment.aid} ...")
        report = run_audit(assignment, workers=workers)
        reports.append(report)
        if not as_json:
            print_report(report, console)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports] if len(reports) != 1 else reports[0].to_dict(),
                              indent=1))
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED)
