"""The command line: exit codes scripts can rely on, and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "assignments" / "01-perceptron"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_check_passes_a_correct_notebook_with_exit_0(tmp_path):
    proc = run("check", str(ROOT / "examples/submitted/alice/01-perceptron/perceptron.ipynb"))
    assert proc.returncode == 2  # no tests/ beside a submission: a usage error
    assert "no public tests next to" in proc.stdout
    import shutil
    shutil.copytree(RELEASE, tmp_path / "a")
    shutil.copy(ROOT / "examples/submitted/alice/01-perceptron/perceptron.ipynb", tmp_path / "a")
    proc = run("check", str(tmp_path / "a" / "perceptron.ipynb"))
    assert proc.returncode == 0, proc.stdout
    assert "✔ train_perceptron" in proc.stdout


def test_check_fails_the_stub_with_exit_1_and_hints():
    proc = run("check", str(RELEASE / "perceptron.ipynb"), "-q", "predict", "--hints", "2")
    assert proc.returncode == 1
    assert "✘ predict" in proc.stdout and "hint 2:" in proc.stdout


def test_unknown_assignment_is_a_usage_error():
    proc = run("grade", "99-nothing", "--submissions", "examples/submitted")
    assert proc.returncode == 2 and "no assignment '99-nothing'" in proc.stdout


def test_require_sandbox_refuses_without_bubblewrap(tmp_path):
    proc = run("grade", "01-perceptron", "--submissions", "examples/submitted", "--require-sandbox",
               "--out", str(tmp_path), env={"AUTOGRADER_FORCE_ISOLATION": "rlimits-only"})
    assert proc.returncode == 3 and "refused" in proc.stdout
    assert not (tmp_path / "gradebook.db").exists()


def test_rlimits_only_grades_with_a_loud_warning_and_records_it(tmp_path):
    proc = run("grade", "01-perceptron", "--submissions", "examples/submitted", "--student", "alice",
               "--out", str(tmp_path), env={"AUTOGRADER_FORCE_ISOLATION": "rlimits-only"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" in proc.stdout and "rlimits only" in proc.stdout
    result = (tmp_path / "autograded" / "alice" / "01-perceptron" / "result.json").read_text()
    assert '"isolation": "rlimits-only"' in result
