"""Merge sharded grading runs (Slurm arrays, Kubernetes Indexed Jobs, CI matrices) into one.

Each shard run leaves its full result records in ``<run>/autograded/<student>/<aid>/result.json``;
the merge writes them into one gradebook, regenerates the feedback pages and the CSVs, exactly
as a single run would have.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.course import Assignment
from autograder.export import export_grades, export_questions
from autograder.feedback import write_feedback
from autograder.gradebook import ensure_assignment, write_result
from autograder.grading import RunOutputs, save_result
from autograder.report import write_report
from autograder.results import ENVIRONMENT, SubmissionResult


class MergeError(Exception):
    """Runs that cannot be merged (a student graded twice, no results)."""


def collect_results(assignment: Assignment, runs: list[Path]) -> list[SubmissionResult]:
    results: dict[str, tuple[Path, SubmissionResult]] = {}
    for run in runs:
        for path in sorted(Path(run).glob(f"autograded/*/{assignment.aid}/result.json")):
            result = SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
            if result.student in results:
                raise MergeError(f"{result.student} was graded in {results[result.student][0]} and in {run}")
            results[result.student] = (Path(run), result)
    if not results:
        raise MergeError(f"no results of {assignment.aid} in {', '.join(map(str, runs))}")
    return [results[s][1] for s in sorted(results)]


def merge_runs(assignment: Assignment, runs: list[Path], outputs: RunOutputs) -> list[SubmissionResult]:
    results = collect_results(assignment, runs)
    ensure_assignment(outputs.gradebook, assignment)
    for result in results:
        if result.status == ENVIRONMENT:  # not graded (the environment failed it): nothing to write
            continue
        write_result(outputs.gradebook, assignment, result)
        write_feedback(result, outputs.feedback, assignment.notebook_name, outputs.gradebook)
        save_result(result, outputs.autograded, assignment.notebook_name)
    export_grades(outputs.gradebook, outputs.grades_csv)
    export_questions(outputs.gradebook, assignment.aid, outputs.questions_csv)
    write_report(assignment, outputs.autograded, outputs.report, outputs.feedback)
    return results
