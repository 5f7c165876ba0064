"""``autograder canary`` and ``autograder requirements``: is this environment able to grade an assignment?"""

from __future__ import annotations

import sys

import click

from autograder.commands.common import EXIT_COURSE, EXIT_USAGE, console, course_root
from autograder.course import CourseError, load_assignment


@click.command()
@click.argument("aid")
@click.option("--public-only", is_flag=True, help="Only the public tests (what `autograder check` runs).")
def canary(aid: str, public_only: bool) -> None:
    """Grade AID's reference solution here, in the sandbox and limits students get; exit 4 unless full marks.

    A pass is remembered for this environment ($AUTOGRADER_CACHE_DIR); `grade`, `gradescope run` and the
    otter plugin run the same check before grading anyone.
    """
    from autograder.canary import CanaryFailed, check_reference
    from autograder.session import options_for

    try:
        assignment = load_assignment(aid, course_root())
        options = options_for(assignment.settings)
    except (CourseError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    try:
        console.print(check_reference(assignment, options, public_only).describe())
    except CanaryFailed as exc:
        console.print(f"[red]the reference canary failed[/] (exit {EXIT_COURSE}):")
        console.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(EXIT_COURSE)


@click.command()
@click.argument("aid")
@click.option("--target", default=None, help="What to install (a wheel, a folder); default: the kit's name.")
def requirements(aid: str, target: str | None) -> None:
    """Print the pip requirement that grades AID (the kit with its grading.toml [environment] extras)."""
    from autograder.environment import DIST_NAME, requirement

    try:
        print(requirement(load_assignment(aid, course_root()), target or DIST_NAME))
    except (CourseError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
