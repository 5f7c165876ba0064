"""Where submissions are graded: in this process, a local process pool, or a Dask cluster.

Every executor hands results back to the coordinator as they finish; only the coordinator
writes the gradebook. A grading process that dies costs its own submission only: it gets a
zero with the reason, the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

from autograder.course import Assignment
from autograder.results import SubmissionResult
from autograder.runner import Submission, SuiteError, grade_failed, grade_submission
from autograder.sandbox import SandboxUnavailable
from autograder.sandbox.cgroups import remove_stale
from autograder.session import SessionOptions


@dataclass
class Executor:
    """``kind`` is "local" (``workers`` processes) or "dask" (a dask.distributed ``scheduler`` address)."""

    kind: str = "local"
    workers: int = 1
    scheduler: str | None = None

    def describe(self) -> str:
        return f"dask scheduler {self.scheduler}" if self.kind == "dask" else f"{self.workers} worker(s)"


def select_shard(submissions: list[Submission], index: int, count: int) -> list[Submission]:
    """Shard ``index`` (1-based) of ``count``: every count-th student in sorted order."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count} does not exist")
    ordered = sorted(submissions, key=lambda s: s.student)
    return ordered[index - 1::count]


def grade_all(assignment: Assignment, submissions: list[Submission], options: SessionOptions,
              executor: Executor) -> Iterator[SubmissionResult]:
    """Grade ``submissions``; results come back in completion order."""
    remove_stale()  # sandbox cgroups a killed earlier run left (a long-lived process probes only once)
    if executor.kind == "dask":
        yield from _dask(assignment, submissions, options, executor.scheduler or "")
    elif executor.workers <= 1 or len(submissions) <= 1:
        for sub in submissions:
            try:
                result = grade_submission(assignment, sub, options)
            except (SuiteError, SandboxUnavailable):
                raise
            except Exception as exc:  # as in a pool: this submission alone, the batch goes on
                result = grade_failed(assignment, sub, exc)
            yield result
    else:
        with ProcessPoolExecutor(max_workers=executor.workers, mp_context=get_context("forkserver")) as pool:
            futures = {pool.submit(grade_submission, assignment, sub, options): sub for sub in submissions}
            yield from _results(assignment, futures, as_completed(futures))


def _results(assignment: Assignment, futures: dict, finished) -> Iterator[SubmissionResult]:
    for future in finished:
        try:
            yield future.result()
        except (SuiteError, SandboxUnavailable):  # a course bug, or --require-sandbox: the whole run stops
            raise
        except Exception as exc:  # the grading process died or could not run: this submission alone
            yield grade_failed(assignment, futures[future], exc)


def _dask(assignment: Assignment, submissions: list[Submission], options: SessionOptions,
          scheduler: str) -> Iterator[SubmissionResult]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler, timeout="30s") as client:
        futures = {
            client.submit(grade_submission, assignment, sub, options, pure=False,
                          key=f"grade-{assignment.aid}-{sub.student}"): sub
            for sub in submissions
        }
        yield from _results(assignment, futures, dask_completed(futures))
