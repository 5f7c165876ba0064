"""``autograder collect``: an LMS bulk download into submitted/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.commands.common import EXIT_USAGE, console, course_root
from autograder.course import CourseError, load_assignment


@click.command()
@click.argument("aid")
@click.argument("archive", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["canvas", "moodle", "folders"]), default="canvas",
              show_default=True, help="How the LMS names the files in its zip.")
@click.option("--pattern", default=None,
              help="Your own regular expression with groups student_id and file (overrides --format).")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="CSV with columns lms_id,student_id to map LMS numbers to course ids.")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Default: submitted/ in the course root.")
def collect(aid: str, archive: Path, fmt: str, pattern: str | None, roster: Path | None, into: Path | None) -> None:
    """Take ARCHIVE (a Canvas or Moodle bulk download) into <into>/<student>/AID/."""
    from autograder.collect import CollectError, load_roster
    from autograder.collect import collect as collect_zip

    root = course_root()
    try:
        assignment = load_assignment(aid, root)
        report = collect_zip(archive, aid, assignment.notebook_name, (into or root / "submitted").resolve(), fmt,
                             pattern, load_roster(roster) if roster else None)
    except (CourseError, CollectError, KeyError, OSError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    for line in report.skipped:
        console.print(f"[yellow]skipped:[/] {line}")
    console.print(f"collected {len(report.collected)} notebook(s) of {aid}, skipped {len(report.skipped)} file(s)")
