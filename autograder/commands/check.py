"""``autograder check``: a learner's notebook against the public tests beside it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.commands.common import EXIT_COURSE, EXIT_FAILED, EXIT_OK, EXIT_USAGE, console
from autograder.course import CourseError


@click.command()
@click.argument("notebook", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--question", "-q", multiple=True, help="Only these exercises.")
@click.option("--hints", type=click.IntRange(1, 5), default=1, show_default=True, help="Hint tiers to show.")
@click.option("--timeout", type=click.FloatRange(0.1), default=None,
              help="Seconds per call into the notebook's code (default 10; --all: the assignment's limit).")
@click.option("--all", "hidden", is_flag=True,
              help="Also run the hidden suites (in your clone of the kit), graded as the TA grades.")
def check(notebook: Path, question: tuple[str, ...], hints: int, timeout: float | None, hidden: bool) -> None:
    """Run the public tests beside NOTEBOOK against it, in the sandbox; exit 1 if any fails."""
    from autograder.canary import CanaryFailed, check_public_reference
    from autograder.checking import check_hidden, check_notebook
    from autograder.selfcheck import format_records

    try:
        note = check_public_reference(notebook, timeout, hidden)
    except CanaryFailed as exc:
        console.print(f"[red]not checked: the reference solution fails these tests here[/] (exit {EXIT_COURSE}):")
        console.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(EXIT_COURSE)
    if note:
        console.print(note)
    try:
        if hidden:
            records, warnings = check_hidden(notebook, list(question) or None, timeout)
        else:
            records, warnings = check_notebook(notebook, list(question) or None, timeout or 10.0)
    except (CourseError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    from autograder.selfcheck.run_order import run_order_problems

    for w in warnings + run_order_problems(notebook):
        console.print(f"[yellow]warning:[/] {w}")
    print(format_records(records, hints, color=sys.stdout.isatty(), kind="tests" if hidden else "public tests"))
    earned, total = sum(r.earned for r in records), sum(r.points for r in records)
    console.print(f"[bold]{earned:g}/{total:g}[/] {'points (public and hidden tests)' if hidden else 'public points'}")
    sys.exit(EXIT_OK if records and all(r.outcome == "passed" for r in records) else EXIT_FAILED)
