"""The self-check tells the whole truth: demo mistakes caught, whole messages, raised cells, the right
notebook, the verdict in nbgrader's Validate, and the hidden suites for learners (``check --all``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from test_selfcheck import DAVE, ROOT, nbgrader_validate, run_checks

from autograder.selfcheck import TestRecord, format_records
from autograder.selfcheck.notebook import this_notebook
from autograder.selfcheck.run_order import cell_errors

DEMO = ROOT / "examples" / "submitted"


@pytest.mark.parametrize("aid, notebook, question", [
    ("01-perceptron", "perceptron", "perceptron_update"),  # a score of exactly 0 counted as correct
    ("03-softmax", "softmax", "train_softmax_regression"),  # no shuffling
    ("04-pooling", "pooling", "max_pool2d_backward"),  # the gradient to every tied maximum
])
def test_public_tests_catch_the_demo_students_classic_mistakes(tmp_path, aid, notebook, question):
    folder = tmp_path / aid
    shutil.copytree(ROOT / "assignments" / aid, folder)
    script = ("import sys, nbformat\nfrom selfcheck import check\nns = {}\n"
              "for c in nbformat.read(sys.argv[1], 4).cells:\n"
              "    if c.cell_type == 'code' and not c.metadata.get('nbgrader', {}).get('grade') "
              "and 'skip-grading' not in c.metadata.get('tags', []):\n"
              "        exec(c.source, ns)\n"
              "check(sys.argv[2], namespace=ns)\n")
    runs = {}
    for student in ("alice", "dave"):
        nb = DEMO / student / aid / f"{notebook}.ipynb"
        proc = subprocess.run([sys.executable, "-c", script, str(nb), question], cwd=folder, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs[student] = proc.stdout
    assert f"✔ {question}" in runs["alice"] and "✘" not in runs["alice"]
    assert f"✘ {question}" in runs["dave"] and "hint:" in runs["dave"]


def test_messages_keep_the_expected_value():
    message = "w has wrong values\n" + "\n".join(f"got line {i}" for i in range(8)) + "\nexpected:\n[1. 2. 3.]"
    rec = TestRecord("t::x", "test_x", "q", 1, 0, "failed", message, ["a hint"])
    text = format_records([rec], color=False)
    assert "expected:" in text and "[1. 2. 3.]" in text


def test_a_failing_zero_point_test_fails_its_question():
    recs = [TestRecord("t::a", "test_a", "q", 1, 1, "passed"), TestRecord("t::b", "test_b", "q", 0, 0, "failed", "no")]
    assert "✘ q: 1/2" in format_records(recs, color=False)


def test_check_all_says_when_cells_raised(tmp_path):
    out = run_checks(tmp_path, DAVE, "ALL")
    assert "runs top to bottom without errors" in out  # dave's saved notebook has no errors
    nb = nbformat.read(DAVE, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"][1]
    nb.cells[code].outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="name 'np' is not defined",
                                                     traceback=[])]
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    assert cell_errors(broken) == [f"cell {code} raised NameError: name 'np' is not defined"]
    out = run_checks(tmp_path / "again", broken, "ALL")
    assert f"cell {code} raised NameError" in out and "runs top to bottom" not in out


def test_check_all_checks_the_notebook_the_kernel_runs(tmp_path, monkeypatch):
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    a.write_text("{}")
    b.write_text("{}")
    os.utime(a, (1, 1))  # b is the most recently saved
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert this_notebook({"__session__": str(a)}, tmp_path) == (a, "")
    assert this_notebook({"__vsc_ipynb_file__": str(a)}, tmp_path) == (a, "")
    monkeypatch.setenv("JPY_SESSION_NAME", "course/assignments/x/a.ipynb")  # relative to the server's root
    assert this_notebook({}, tmp_path) == (a, "")
    monkeypatch.delenv("JPY_SESSION_NAME")
    path, note = this_notebook({}, tmp_path)
    assert path == b and "check_all(notebook=" in note and "b.ipynb" in note


@pytest.mark.slow
def test_nbgrader_validate_shows_the_failing_tests_and_hints(tmp_path):
    out = nbgrader_validate(tmp_path, DAVE)
    assert "VALIDATION FAILED" in out
    assert "public tests fail" in out and "test_update_zero_score_is_a_mistake" in out and "hint:" in out
    assert "selfcheck/notebook.py" not in out and "_run_selfcheck" not in out


def test_check_all_runs_the_hidden_suites_for_learners(tmp_path):
    shutil.copy(DAVE, ROOT / "assignments" / "01-perceptron" / "_learner_check.ipynb")
    try:
        proc = subprocess.run([sys.executable, "-m", "autograder", "check", "--all", "-q", "perceptron_update",
                               str(ROOT / "assignments" / "01-perceptron" / "_learner_check.ipynb")],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    finally:
        (ROOT / "assignments" / "01-perceptron" / "_learner_check.ipynb").unlink()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "test_zero_score_is_a_mistake" in proc.stdout  # a hidden test, by name and hint
    assert "A score of exactly 0 is not a correct classification." in proc.stdout
    assert "points (public and hidden tests)" in proc.stdout
    lines = proc.stdout.lower().splitlines()
    assert lines[0].startswith("reference canary: 38/38"), lines[:1]  # the full suite's canary ran first
    assert not [ln for ln in lines[1:] if "reference" in ln], lines  # hidden messages stay value-free
