"""What every command shares: the console, the exit codes, the course root."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from autograder.course import CourseError, find_course_root

# 4: a course bug, or a reference solution that does not get full marks here (the canary): nobody graded.
# 5: the run finished, but the environment failed some submissions (not graded, not in the gradebook).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SANDBOX, EXIT_COURSE, EXIT_ENVIRONMENT = 0, 1, 2, 3, 4, 5
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def course_root() -> Path:
    try:
        return find_course_root()
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None
