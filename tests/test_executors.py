"""Parallel, sharded and Dask grading give the same results as one serial run (real processes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import load_assignment
from autograder.executors import Executor, grade_all, select_shard
from autograder.gradebook import read_scores
from autograder.runner import Submission, find_submissions
from autograder.session import SessionOptions

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"
STUDENTS = ["alice", "bob", "carol", "dave", "frank"]


@pytest.fixture(scope="module")
def class_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for sid in STUDENTS:
        shutil.copytree(ROOT / "examples" / "submitted" / sid / AID, folder / sid / AID)
    return folder


def outcomes(results) -> dict:
    return {r.student: (r.question_scores(), [(t.nodeid, t.outcome) for t in r.tests]) for r in results}


def test_shards_partition_the_class():
    subs = [Submission(f"s{i}", None) for i in range(11)]
    shards = [select_shard(subs, i, 3) for i in (1, 2, 3)]
    names = [s.student for shard in shards for s in shard]
    assert sorted(names) == sorted(s.student for s in subs) and len(names) == len(set(names))
    with pytest.raises(ValueError):
        select_shard(subs, 4, 3)


def test_two_workers_give_the_same_results_as_one(class_dir):
    assignment = load_assignment(AID, ROOT)
    subs = find_submissions(class_dir, assignment)
    serial = outcomes(grade_all(assignment, subs, SessionOptions(), Executor(workers=1)))
    parallel = outcomes(grade_all(assignment, subs, SessionOptions(), Executor(workers=2)))
    assert serial == parallel and set(serial) == set(STUDENTS)


def grade_cli(class_dir: Path, out: Path, *extra: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", AID, "--submissions", str(class_dir),
                           "--out", str(out), "--no-progress", *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_merged_shards_equal_one_run(class_dir, tmp_path):
    grade_cli(class_dir, tmp_path / "whole", "--workers", "2")
    grade_cli(class_dir, tmp_path / "s1", "--shard", "1/2", "--workers", "1")
    grade_cli(class_dir, tmp_path / "s2", "--shard", "2/2", "--workers", "1")
    assert set(read_scores(tmp_path / "s1" / "gradebook.db", AID)).isdisjoint(
        read_scores(tmp_path / "s2" / "gradebook.db", AID))
    proc = subprocess.run([sys.executable, "-m", "autograder", "merge", AID, str(tmp_path / "s1"),
                           str(tmp_path / "s2"), "--out", str(tmp_path / "merged")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    whole = read_scores(tmp_path / "whole" / "gradebook.db", AID)
    assert read_scores(tmp_path / "merged" / "gradebook.db", AID) == whole and set(whole) == set(STUDENTS)
    assert (tmp_path / "merged" / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()
    proc = subprocess.run([sys.executable, "-m", "autograder", "merge", AID, str(tmp_path / "s1"),
                           str(tmp_path / "whole"), "--out", str(tmp_path / "twice")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "was graded in" in proc.stdout


@pytest.mark.slow
def test_dask_cluster_on_loopback_gives_the_local_results(class_dir):
    distributed = pytest.importorskip("distributed")
    assignment = load_assignment(AID, ROOT)
    subs = find_submissions(class_dir, assignment)
    local = outcomes(grade_all(assignment, subs, SessionOptions(), Executor(workers=1)))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = outcomes(grade_all(assignment, subs, SessionOptions(),
                                    Executor("dask", scheduler=cluster.scheduler_address)))
    assert remote == local
