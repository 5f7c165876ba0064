"""``autograder merge``: combine sharded grading runs into one gradebook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.commands.common import EXIT_ENVIRONMENT, EXIT_USAGE, console, course_root
from autograder.course import CourseError, load_assignment
from autograder.results import ENVIRONMENT


@click.command()
@click.argument("aid")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the merged gradebook.db, feedback/ and CSVs go (default: the course root).")
def merge(aid: str, runs: tuple[Path, ...], out: Path | None) -> None:
    """Merge the --out folders of `autograder grade --shard I/N` runs of AID."""
    from autograder.grading import RunOutputs
    from autograder.merge import MergeError, merge_runs

    root = course_root()
    try:
        assignment = load_assignment(aid, root)
        target = (out or root).resolve()
        target.mkdir(parents=True, exist_ok=True)
        results = merge_runs(assignment, list(runs), RunOutputs.under(target, aid))
    except (CourseError, MergeError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    console.print(f"merged {len(results)} result(s) from {len(runs)} run(s) into {target / 'gradebook.db'}")
    missing = [r.student for r in results if r.status == ENVIRONMENT]
    if missing:
        console.print(f"[red]not graded: environment error[/] (not merged): {', '.join(missing)}")
        sys.exit(EXIT_ENVIRONMENT)
