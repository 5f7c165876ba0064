"""Environment faults are not student faults: a worker that cannot boot, a kit helper that cannot import
TensorFlow, missing grading data mark the submission "not graded: environment error" (no score in the
gradebook, no feedback page, exit 5); a student's own import of a missing package stays the student's."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import autograder.session
from autograder.cli import main
from autograder.course import load_assignment
from autograder.datasets import MnistUnavailable
from autograder.environment import extras, requirement
from autograder.executors import Executor
from autograder.grading import RunOutputs, run_grading
from autograder.notebook_code import CodeCell, NotebookCode
from autograder.results import ENVIRONMENT
from autograder.runner import find_submissions, grade_submission
from autograder.selfcheck import EnvironmentFault, StudentRaised, describe_failure
from autograder.session import SessionOptions, WorkerSession

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"
DEMO = ROOT / "examples" / "submitted"
MISSING = "kit_dependency_not_installed_here"


def _worker_copy(tmp_path: Path, monkeypatch, file: str, prefix: str) -> None:
    """The worker's code with ``prefix`` put at the top of ``file``: an environment where it breaks."""
    worker = tmp_path / "worker"
    shutil.copytree(autograder.session.WORKER_DIR, worker, ignore=shutil.ignore_patterns("__pycache__"))
    target = worker / file
    future = "from __future__ import annotations\n"
    assert future in target.read_text()
    target.write_text(target.read_text().replace(future, future + prefix, 1))
    monkeypatch.setattr(autograder.session, "WORKER_DIR", worker)


@pytest.fixture
def unbootable_worker(tmp_path, monkeypatch):
    _worker_copy(tmp_path, monkeypatch, "main.py", f"import {MISSING}\n")


def _code(*sources: str) -> NotebookCode:
    return NotebookCode(Path("nb.ipynb"), [CodeCell(i, src, "") for i, src in enumerate(sources)])


def test_a_worker_that_cannot_boot_is_an_environment_error(unbootable_worker):
    assignment = load_assignment(AID, ROOT)
    alice = find_submissions(DEMO, assignment, "alice")[0]
    result = grade_submission(assignment, alice, SessionOptions(plots=False))
    assert result.status == ENVIRONMENT, result.error
    assert "exited before it was ready" in result.error and MISSING in result.error
    assert all(t.kind == ENVIRONMENT for t in result.tests if t.outcome != "passed")
    assert not result.cell_errors  # no cell of the student's was blamed


def test_environment_errors_reach_no_gradebook_no_feedback_and_exit_5(unbootable_worker, tmp_path, monkeypatch):
    assignment = load_assignment(AID, ROOT)
    outputs = RunOutputs.under(tmp_path / "out", AID)
    subs = find_submissions(DEMO, assignment, "alice")
    summary = run_grading(assignment, subs, SessionOptions(plots=False), outputs, Executor(), canary=False)
    assert [r.student for r in summary.not_graded] == ["alice"]
    with sqlite3.connect(outputs.gradebook) as db:
        assert db.execute("select count(*) from submitted_assignment").fetchone() == (0,)
    assert not (outputs.feedback / "alice" / AID / "feedback.html").exists()
    assert '"status": "environment"' in (outputs.autograded / "alice" / AID / "result.json").read_text()
    # the CLI: the canary passed (here: skipped), the environment then failed a submission -> exit 5
    monkeypatch.setattr("autograder.grading.check_where_graded", lambda *a: [])
    monkeypatch.setenv("AUTOGRADER_COURSE", str(ROOT))
    run = CliRunner().invoke(main, ["grade", AID, "--submissions", str(DEMO), "--student", "alice", "--workers",
                                    "1", "--out", str(tmp_path / "cli"), "--no-progress"])
    assert run.exit_code == 5, run.output
    assert "not graded: environment error" in run.output and MISSING in run.output


def test_a_kit_helper_that_cannot_import_tensorflow_is_the_environment(tmp_path, monkeypatch):
    _worker_copy(tmp_path, monkeypatch, "ext/tf_runtime.py", f"import {MISSING}\n")
    with WorkerSession(_code("def build():\n    return 1\n"), SessionOptions()) as session:
        with pytest.raises(EnvironmentFault, match=f"keras_tools.describe helper could not import.*{MISSING}"):
            session.call("kit:keras_tools.describe", ("build",), {})


def test_a_students_own_import_of_a_missing_package_is_the_students():
    code = _code(f"import {MISSING}\n", f"def f():\n    import {MISSING}\n    return 1\n")
    with WorkerSession(code, SessionOptions()) as session:
        with pytest.raises(StudentRaised, match="ModuleNotFoundError"):
            session.call("f", (), {})
        assert MISSING in session.cell_errors[0]


def test_missing_grading_data_is_not_the_students():
    message, kind = describe_failure(MnistUnavailable("no file /nowhere/mnist.npz"), True, "")
    assert kind == ENVIRONMENT and message.startswith("not graded: environment error")


def test_each_assignment_declares_its_environment_in_one_place():
    assert extras(load_assignment("05-cnn", ROOT)) == extras(load_assignment("07-lstm", ROOT)) == ["tf"]
    assert requirement(load_assignment(AID, ROOT)) == "dl-exercise-kit"
    assert requirement(load_assignment("05-cnn", ROOT), "./kit") == "./kit[tf]"


@pytest.mark.parametrize("innermost, fault", [
    ('  File "/opt/worker/ext/tf_runtime.py", line 22, in load', True),
    (f'  File "{autograder.session.sys.prefix}/lib/python3/site-packages/keras/__init__.py", line 1', True),
    ('  File "<cell 3>", line 2, in build_cnn_model', False),
    ('  File "/tmp/helper_the_student_wrote.py", line 1, in <module>', False),
])
def test_only_an_import_failing_in_kit_or_library_code_is_the_environments(innermost, fault):
    tb = f'Traceback (most recent call last):\n  File "<cell 5>", line 1, in f\n{innermost}\n' \
         '  File "<frozen importlib._bootstrap>", line 1204, in _gcd_import\n'
    found = autograder.session._import_fault("kit:keras_tools.describe", "ModuleNotFoundError", "No module", tb)
    assert (found is not None) == fault


def test_a_merge_writes_no_score_for_a_submission_the_environment_failed(unbootable_worker, tmp_path):
    from autograder.merge import merge_runs
    from autograder.report import load_results

    assignment = load_assignment(AID, ROOT)
    run = RunOutputs.under(tmp_path / "shard", AID)
    run_grading(assignment, find_submissions(DEMO, assignment, "alice"), SessionOptions(plots=False), run,
                Executor(), canary=False)
    (tmp_path / "merged").mkdir()
    merged = RunOutputs.under(tmp_path / "merged", AID)
    assert [r.status for r in merge_runs(assignment, [tmp_path / "shard"], merged)] == [ENVIRONMENT]
    with sqlite3.connect(merged.gradebook) as db:
        assert db.execute("select count(*) from submitted_assignment").fetchone() == (0,)
    assert load_results(run.autograded, AID) == []  # the class report leaves it out
