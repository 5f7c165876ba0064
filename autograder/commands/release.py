"""``autograder release``: regenerate assignments/ from solutions/."""

from __future__ import annotations

import sys

import click

from autograder.commands.common import EXIT_COURSE, console, course_root
from autograder.course import CourseError, list_assignments


@click.command()
@click.argument("aids", nargs=-1)
def release(aids: tuple[str, ...]) -> None:
    """Generate assignments/ from solutions/ (all assignments if none are named)."""
    from autograder.release import ReleaseError, release_all

    root = course_root()
    try:
        for out in release_all(list(aids) or list_assignments(root), root):
            console.print(f"[green]released[/] {out.relative_to(root)}")
    except (ReleaseError, CourseError) as exc:
        console.print(f"[red]release failed:[/] {exc}")
        sys.exit(EXIT_COURSE)
