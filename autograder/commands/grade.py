"""``autograder grade``: grade a class into the gradebook, feedback pages and CSVs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from autograder.commands.common import EXIT_COURSE, EXIT_ENVIRONMENT, EXIT_SANDBOX, EXIT_USAGE, console, course_root
from autograder.course import CourseError, load_assignment
from autograder.results import ENVIRONMENT, SubmissionResult


def _summary_table(results: list[SubmissionResult], questions: list[str]) -> Table:
    table = Table(title="Grades", show_lines=False)
    table.add_column("student")
    for q in questions:
        table.add_column(q, justify="right")
    table.add_column("score", justify="right")
    table.add_column("%", justify="right")
    table.add_column("notes")
    for r in results:
        scores = r.question_scores()
        pct = 100 * r.score / r.max_score if r.max_score else 0.0
        notes = []
        if r.status == "error":
            notes.append(f"[red]{r.error[:80]}[/]")
        if r.status == ENVIRONMENT:
            notes.append("[red]not graded: environment error[/]")
        if r.timed_out:
            notes.append("timeout")
        if any(t.kind == "crash" for t in r.tests):
            notes.append("crash")
        if r.cell_errors:
            notes.append(f"{len(r.cell_errors)} cell error(s)")
        if r.warnings:
            notes.append(f"{len(r.warnings)} warning(s)")
        table.add_row(r.student, *[f"{scores.get(q, 0):g}" for q in questions],
                      f"{r.score:g}/{r.max_score:g}", f"{pct:.0f}%", ", ".join(notes))
    return table


@click.command()
@click.argument("aid")
@click.option("--submissions", type=click.Path(path_type=Path), default=None,
              help="Folder of <student>/<aid>/<notebook>.ipynb (default: submitted/).")
@click.option("--student", default=None, help="Grade only this student.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Parallel graders (default: cores).")
@click.option("--timeout", type=click.FloatRange(0.1), default=None,
              help="Seconds per call into student code (default 10, or the suite's grading.toml).")
@click.option("--submission-timeout", type=click.FloatRange(1), default=None,
              help="Seconds per submission in all (default 120, or the suite's grading.toml).")
@click.option("--memory-mb", type=click.IntRange(64), default=None,
              help="Memory limit of the worker (default 1024, or the suite's grading.toml).")
@click.option("--require-sandbox", is_flag=True, help="Refuse to grade without bubblewrap.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where gradebook.db, feedback/, autograded/, grades.csv go (default: the course root).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local processes, or a Dask cluster (needs --scheduler; workers see the same paths).")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--shard", default=None, metavar="I/N",
              help="Grade only shard I of N (every N-th student); combine the runs with `autograder merge`.")
@click.option("--resume", is_flag=True,
              help="Keep results whose notebook, tests, kit and options are unchanged (after an interrupted run).")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs, CI).")
def grade(aid, submissions, student, workers, timeout, submission_timeout, memory_mb, require_sandbox,
          out, executor, scheduler, shard, resume, no_progress) -> None:
    """Grade every submission of AID: gradebook.db, feedback pages, grades.csv."""
    from autograder.canary import CanaryFailed
    from autograder.executors import Executor, select_shard
    from autograder.grading import RunOutputs, run_grading
    from autograder.manual_grades import read_manual, with_manual
    from autograder.runner import SuiteError, find_submissions
    from autograder.sandbox import Isolation, SandboxUnavailable, detect_isolation
    from autograder.session import options_for

    root = course_root()
    try:
        assignment = load_assignment(aid, root)
        subs = find_submissions(submissions or root / "submitted", assignment, student)
        if shard:
            index, _, count = shard.partition("/")
            subs = select_shard(subs, int(index), int(count))
        if executor == "dask" and not scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS")
    except (CourseError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    level = detect_isolation()
    if require_sandbox and level == Isolation.RLIMITS:
        console.print("[red]refused:[/] --require-sandbox, but bubblewrap is not available here")
        sys.exit(EXIT_SANDBOX)
    if level == Isolation.RLIMITS:
        console.print("[bold yellow]WARNING: no bubblewrap: student code runs with rlimits only "
                      "(weaker isolation). Install bubblewrap or use --require-sandbox.[/]")
    options = options_for(assignment.settings, call_timeout=timeout, submission_timeout=submission_timeout,
                          memory_mb=memory_mb, require_sandbox=require_sandbox)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    outputs = RunOutputs.under((out or root).resolve(), aid)
    runner = Executor(executor, workers or os.cpu_count() or 1, scheduler)
    console.print(f"Grading {len(subs)} submission(s) of {aid} with {runner.describe()}"
                  f"{f', shard {shard}' if shard else ''}, isolation: [bold]{level.value}[/]")
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, disable=no_progress or not console.is_terminal)
    try:
        with progress:
            task = progress.add_task(aid, total=len(subs))
            summary = run_grading(assignment, subs, options, outputs, runner,
                                  on_result=lambda r: progress.advance(task), resume=resume or None)
    except SandboxUnavailable as exc:
        console.print(f"[red]refused:[/] {exc}")
        sys.exit(EXIT_SANDBOX)
    except SuiteError as exc:
        console.print(f"[red]course bug:[/] {exc}")
        sys.exit(EXIT_COURSE)
    except CanaryFailed as exc:
        console.print(f"[red]not graded: the reference canary failed[/] (exit {EXIT_COURSE}):")
        console.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(EXIT_COURSE)
    for outcome in summary.canary:
        console.print(outcome.describe())
    manual = read_manual(outputs.gradebook, aid)  # scores given by hand in the formgrader win, as in nbgrader
    console.print(_summary_table([with_manual(r, manual.get(r.student)) for r in summary.results],
                                 list(assignment.questions)))
    for r in summary.errors:
        console.print(f"[red]not graded:[/] {r.student}: {r.error}")
    for r in summary.not_graded:
        console.print(f"[red]not graded: environment error:[/] {r.student}: {r.error}")
    console.print(f"gradebook: {outputs.gradebook}  feedback: {outputs.feedback}/  csv: {outputs.grades_csv}")
    if summary.not_graded:
        console.print(f"[red]{len(summary.not_graded)} submission(s) not graded: the grading environment failed "
                      f"(nothing written for them); fix it and grade them again (exit {EXIT_ENVIRONMENT}).[/]")
        sys.exit(EXIT_ENVIRONMENT)
