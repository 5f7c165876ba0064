"""The reference canary: a solution short of full marks stops every grading path before anyone is scored;
a pass is remembered for an unchanged environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.canary import CanaryFailed, check_reference, environment_key, likely_causes
from autograder.course import load_assignment
from autograder.results import SubmissionResult
from autograder.selfcheck import TestRecord
from autograder.session import SessionOptions

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"
BROKEN = 'raise ValueError("a typo in the solution")\n'


def course_copy(folder: Path, aid: str = AID, students: tuple[str, ...] = ("alice", "bob", "dave")) -> Path:
    """A course directory outside the checkout: solutions, nbgrader_config.py and some demo students."""
    shutil.copytree(ROOT / "solutions" / aid, folder / "solutions" / aid)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    for student in students:
        shutil.copytree(ROOT / "examples" / "submitted" / student / aid, folder / "submitted" / student / aid)
    return folder


def break_solution(course: Path, function: str = "perceptron_update") -> int:
    """Make the solution of ``function`` raise when called; the index of its cell."""
    path = course / "solutions" / AID / "perceptron.ipynb"
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith(f"def {function}("):
            assert "    ### BEGIN SOLUTION" in cell.source
            cell.source = cell.source.replace("    ### BEGIN SOLUTION", f"    {BROKEN}    ### BEGIN SOLUTION")
            nbformat.write(nb, path)
            return index
    raise AssertionError(f"no cell defines {function}")


def cli(course: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGRADER_COURSE": str(course), "AUTOGRADER_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)


def test_a_broken_reference_is_a_course_bug_and_nobody_is_graded(tmp_path):
    course = course_copy(tmp_path / "course")
    index = break_solution(course)
    out = tmp_path / "out"
    proc = cli(course, tmp_path / "cache", "grade", AID, "--submissions", str(course / "submitted"),
               "--out", str(out), "--no-progress", "--workers", "1")
    text = proc.stdout + proc.stderr
    assert proc.returncode == 4, text
    assert "reference canary failed" in text and "nobody was graded" in text
    assert f"cell {index} (perceptron_update_code)" in text and "a typo in the solution" in text
    assert "✘ perceptron_update" in text
    assert not (out / "gradebook.db").exists() and not (out / "autograded").exists()
    assert not (tmp_path / "cache" / "canary").exists() or not any((tmp_path / "cache" / "canary").iterdir())


def test_gradescope_run_and_check_stop_on_a_broken_reference(tmp_path):
    course = course_copy(tmp_path / "course")
    break_solution(course, "predict")
    submission = tmp_path / "gs" / "submission"
    shutil.copytree(course / "submitted" / "alice" / AID, submission)
    results = tmp_path / "gs" / "results" / "results.json"
    proc = cli(course, tmp_path / "cache", "gradescope", "run", AID, "--submission", str(submission),
               "--results", str(results))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "predict_code" in proc.stdout and not results.exists()
    released = course / "assignments" / AID
    shutil.copytree(ROOT / "assignments" / AID, released)
    proc = cli(course, tmp_path / "cache", "check", str(released / "perceptron.ipynb"))
    assert proc.returncode == 4 and "predict_code" in proc.stdout, proc.stdout + proc.stderr


def test_a_passing_canary_is_remembered_for_an_unchanged_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CACHE_DIR", str(tmp_path / "cache"))
    assignment = load_assignment(AID, ROOT)
    first = check_reference(assignment, SessionOptions())
    assert not first.remembered and first.score == first.max_score == assignment.max_score
    second = check_reference(assignment, SessionOptions())
    assert second.remembered and "remembered" in second.describe()
    assert len(list((tmp_path / "cache" / "canary").glob(f"{AID}-*.json"))) == 1


def test_the_key_follows_solution_suite_limits_and_packages(tmp_path, monkeypatch):
    course = course_copy(tmp_path / "course", students=())
    assignment = load_assignment(AID, course)
    base = environment_key(assignment, SessionOptions())
    assert environment_key(assignment, SessionOptions(extra_env={"TOKEN": "a"})) == \
        environment_key(assignment, SessionOptions(extra_env={"TOKEN": "b"}))
    assert environment_key(assignment, SessionOptions(call_timeout=2)) != base
    (tmp_path / "cwd" / "kit-0.1.dist-info").mkdir(parents=True)  # `python -m` puts the working directory
    monkeypatch.syspath_prepend(str(tmp_path / "cwd"))             # on sys.path: it is not the environment
    assert environment_key(assignment, SessionOptions()) == base
    monkeypatch.setattr("autograder.canary._packages", lambda: "numpy==0.0")
    assert environment_key(assignment, SessionOptions()) != base
    monkeypatch.undo()
    break_solution(course)
    assert environment_key(assignment, SessionOptions()) != base


def _failed(message: str, kind: str = "raised") -> TestRecord:
    return TestRecord("t", "test_x", "q", 1, 0, "failed", message, kind=kind)


@pytest.mark.parametrize("message, kind, cause", [
    ("your code (run by the kit's keras_tools.describe check) raised ModuleNotFoundError: No module named "
     "'tensorflow'", "raised", "a missing package: 'tensorflow'"),
    ("not graded: environment error: no file /nope/mnist.npz (MNIST)", "environment", "missing grading data"),
    ("build_cnn_model raised InternalError: CUDA_ERROR_NO_DEVICE", "raised", "a GPU that TensorFlow cannot use"),
    ("predict did not return within 10 s", "timeout", "too slow for the time limits"),
])
def test_likely_causes_name_the_environment(message, kind, cause):
    assignment = load_assignment(AID, ROOT)
    result = SubmissionResult("reference-canary", AID, "", tests=[_failed(message, kind)])
    assert any(c.startswith(cause) for c in likely_causes(assignment, result))


def test_a_missing_package_names_the_assignments_declared_environment():
    assignment = load_assignment("05-cnn", ROOT)
    result = SubmissionResult("reference-canary", "05-cnn", "",
                              tests=[_failed("x raised ModuleNotFoundError: No module named 'tensorflow'")])
    assert "pip install 'dl-exercise-kit[tf]'" in likely_causes(assignment, result)[0]


def test_the_dask_executor_runs_the_canary_on_every_worker(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from autograder.canary import check_where_graded

    monkeypatch.setenv("AUTOGRADER_CACHE_DIR", str(tmp_path / "cache"))
    course = course_copy(tmp_path / "course", students=())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        outcomes = check_where_graded(load_assignment(AID, ROOT), SessionOptions(), "dask", cluster.scheduler_address)
        assert len(outcomes) == 2 and {o.where for o in outcomes} == set(cluster.scheduler_info["workers"])
        break_solution(course)
        with pytest.raises(CanaryFailed, match=r"(?s)on worker tcp://.*perceptron_update_code"):
            check_where_graded(load_assignment(AID, course), SessionOptions(), "dask", cluster.scheduler_address)


def test_grade_prints_the_canary_and_a_second_run_remembers_it(tmp_path):
    course = course_copy(tmp_path / "course", students=("alice",))
    runs = [cli(course, tmp_path / "cache", "grade", AID, "--submissions", str(course / "submitted"),
                "--out", str(tmp_path / f"out{i}"), "--no-progress") for i in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stdout + runs[0].stderr
    assert "reference canary: 38/38 (graded in" in runs[0].stdout
    assert "reference canary: 38/38 (remembered" in runs[1].stdout
    saved = json.loads((tmp_path / "out1" / "autograded" / "alice" / AID / "result.json").read_text())
    assert saved["score"] == 38
