"""The student's self-check: works from the released folder alone, in the notebook's own process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.selfcheck import (
    CheckFailure,
    MissingFunction,
    NamespaceStudent,
    StudentRaised,
    expect_array,
    expect_close,
    expect_equal,
    expect_unchanged,
)

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "assignments" / "01-perceptron"
ALICE = ROOT / "examples" / "submitted" / "alice" / "01-perceptron" / "perceptron.ipynb"
DAVE = ROOT / "examples" / "submitted" / "dave" / "01-perceptron" / "perceptron.ipynb"

RUN_CHECKS = r"""
import sys
sys.modules["autograder"] = None  # the released folder must work without the kit installed
import json, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
ns = {}
for cell in nb.cells:
    if cell.cell_type == "code" and "skip-grading" not in cell.metadata.get("tags", []) \
            and not cell.metadata.get("nbgrader", {}).get("grade"):
        exec(cell.source, ns)
from selfcheck import check, check_all
for q in sys.argv[2:]:
    check(q, namespace=ns) if q != "ALL" else check_all(namespace=ns)
"""


def run_checks(tmp_path: Path, notebook: Path, *questions: str) -> str:
    folder = tmp_path / "release"
    shutil.copytree(RELEASE, folder)
    shutil.copy(notebook, folder / "perceptron.ipynb")
    proc = subprocess.run([sys.executable, "-c", RUN_CHECKS, "perceptron.ipynb", *questions], cwd=folder,
                          capture_output=True, text=True, timeout=120, env={"NO_COLOR": "1", "PATH": "/usr/bin"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_released_folder_checks_a_correct_notebook_without_the_kit(tmp_path):
    out = run_checks(tmp_path, ALICE, "fold_bias", "ALL")
    assert "✔ fold_bias" in out and "✘" not in out
    for q in ("fold_labels", "perceptron_update", "train_perceptron", "predict"):
        assert f"✔ {q}" in out


def test_stub_fails_with_a_hint_and_not_implemented(tmp_path):
    out = run_checks(tmp_path, RELEASE / "perceptron.ipynb", "fold_bias")
    assert "✘ fold_bias" in out and "not implemented yet" in out and "hint:" in out
    assert "hints=2" in out  # more help is offered


def test_public_tests_hold_no_hidden_test_or_reference():
    text = (RELEASE / "tests" / "test_perceptron_public.py").read_text()
    assert "reference" not in text.replace("lecture", "")
    assert not list(RELEASE.glob("tests/*hidden*"))


def test_check_runs_inside_a_real_kernel(tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(RELEASE, folder)
    shutil.copy(DAVE, folder / "perceptron.ipynb")
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
         "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", "perceptron.ipynb"],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(folder / "executed.ipynb", as_version=4)
    outputs = {
        c.source: "".join(o.get("text", "") for o in c.outputs)
        for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")
    }
    assert "✔ fold_bias" in outputs['check("fold_bias")'].replace("\x1b[32m", "").replace("\x1b[0m", "")
    assert "train_perceptron" in outputs['check("train_perceptron")']


# ---------------------------------------------------------------- the typed checks


def test_expect_array_checks_type_then_shape_then_dtype_then_values():
    with pytest.raises(CheckFailure, match="should be a numeric numpy array, got a list"):
        expect_array([1, 2], np.array([1, 2]))
    with pytest.raises(CheckFailure, match=r"has shape \(2,\), expected shape \(2, 1\)"):
        expect_array(np.zeros(2), np.zeros((2, 1)))
    with pytest.raises(CheckFailure, match="dtype"):
        expect_array(np.zeros(2, dtype=int), np.zeros(2), dtype="float")
    with pytest.raises(CheckFailure, match="wrong values at 1 of 3 entries") as info:
        expect_array(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]))
    assert "3.5" not in info.value.summary and "3.5" in info.value.detail  # the summary hides values
    with pytest.raises(CheckFailure):  # NaN never matches, not even an expected NaN derived from a student's value
        expect_array(np.array([1.0, np.nan]), np.array([1.0, np.nan]))


def test_a_scalar_does_not_pass_for_an_array():
    with pytest.raises(CheckFailure):
        expect_array(np.float64(0.0), np.zeros(3))


def test_expect_close_equal_and_unchanged():
    expect_close(np.float64(0.1 + 0.2), 0.3)
    with pytest.raises(CheckFailure, match="should be a number"):
        expect_close("0.3", 0.3)
    with pytest.raises(CheckFailure, match="should be True or False"):
        expect_equal(1, True)
    with pytest.raises(CheckFailure, match="modified in place"):
        expect_unchanged(np.zeros(2), np.ones(2), name="w")


def test_namespace_student_reports_missing_and_raised():
    student = NamespaceStudent({"f": lambda x: x + 1, "g": lambda: 1 / 0, "n": 3})
    assert student.f(1) == 2
    with pytest.raises(MissingFunction, match="not defined"):
        student.h()
    with pytest.raises(MissingFunction, match="not a function"):
        student.n()
    with pytest.raises(StudentRaised, match="ZeroDivisionError"):
        student.g()
    x = np.zeros(2)
    assert student.call("f", x).args[0] is not x  # the caller's arrays are never touched


@pytest.mark.slow
@pytest.mark.parametrize("notebook, verdict", [(ALICE, "Success! Your notebook passes all the tests."),
                                               (RELEASE / "perceptron.ipynb", "VALIDATION FAILED")])
def test_nbgrader_validate_agrees_with_the_self_check(tmp_path, notebook, verdict):
    out = nbgrader_validate(tmp_path, notebook)
    assert verdict in out, out[-2000:]


def nbgrader_validate(tmp_path: Path, notebook: Path) -> str:
    """``nbgrader validate`` of ``notebook`` in a copy of the released folder: what it prints."""
    import os

    folder = tmp_path / "release"
    shutil.copytree(RELEASE, folder)
    shutil.copy(notebook, folder / "student.ipynb")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", "student.ipynb"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc.stdout + proc.stderr
