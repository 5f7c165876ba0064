"""The README's main job: grade the demo class, check the table, the gradebook and nbgrader's export."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import load_assignment

ROOT = Path(__file__).resolve().parents[1]

AID = "01-perceptron"
AUTOGRADER = [sys.executable, "-m", "autograder"]


def grade(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*AUTOGRADER, "grade", AID, "--submissions", str(ROOT / "examples" / "submitted"),
         "--out", str(out), "--timeout", "2", "--no-progress", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = grade(out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    paths = (out / "autograded").glob(f"*/{AID}/result.json")
    results = {p.parent.parent.name: json.loads(p.read_text()) for p in paths}
    return out, proc.stdout, results


def scores(results: dict, student: str) -> dict[str, float]:
    return {q["question"]: q["earned"] for q in results[student]["questions"]}


def failing_hints(result: dict) -> str:
    return " ".join(h for t in result["tests"] if t["outcome"] != "passed" for h in t["hints"]).lower()


def test_reference_full_marks_and_stub_zero(graded):
    _, stdout, results = graded
    maximum = load_assignment(AID, ROOT).max_score
    assert results["alice"]["score"] == maximum == results["alice"]["max_score"]
    assert results["bob"]["score"] == 0
    assert "alice" in stdout and "100%" in stdout


def test_every_result_records_the_full_sandbox(graded):
    _, _, results = graded
    assert {r["isolation"] for r in results.values()} == {"bubblewrap+cgroup"}


def test_partial_submission_gets_exactly_its_done_parts(graded):
    _, _, results = graded
    s = scores(results, "carol")
    points = load_assignment(AID, ROOT).questions
    assert s["train_perceptron"] == 0
    assert all(s[q] == points[q] for q in ("fold_bias", "fold_labels", "perceptron_update", "predict"))


def test_classic_bug_loses_points_with_a_hint_naming_it(graded):
    _, _, results = graded
    s = scores(results, "dave")
    points = load_assignment(AID, ROOT).questions
    assert s["perceptron_update"] < points["perceptron_update"]
    assert "exactly 0" in failing_hints(results["dave"]) or "zero" in failing_hints(results["dave"])


def test_crashes_and_loops_fail_only_their_functions(graded):
    _, _, results = graded
    s = scores(results, "erin")
    points = load_assignment(AID, ROOT).questions
    assert s["fold_labels"] == 0 and s["train_perceptron"] == 0
    assert s["fold_bias"] == points["fold_bias"] and s["predict"] == points["predict"]
    kinds = {t["kind"] for t in results["erin"]["tests"]}
    assert {"timeout", "crash"} <= kinds


def test_a_notebook_without_nbgrader_metadata_is_graded_by_name(graded):
    _, _, results = graded
    assert results["frank"]["score"] == results["frank"]["max_score"]
    assert any("nbgrader metadata is missing" in w for w in results["frank"]["warnings"])
    assert any("!pip install" in w for w in results["frank"]["warnings"])


def test_the_cheat_gains_nothing_it_did_not_earn(graded):
    _, _, results = graded
    s = scores(results, "mallory")
    points = load_assignment(AID, ROOT).questions
    assert s == {q: (points[q] if q == "fold_bias" else 0.0) for q in points}
    assert "SystemExit" in json.dumps(results["mallory"]["cell_errors"])


def test_nbgrader_export_gives_the_same_totals(graded):
    out, _, results = graded
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    target = out / "nbgrader-export.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
         f"--to={target}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    exported = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(target.open())}
    ours = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader((out / "grades.csv").open())}
    assert exported == ours == {s: r["score"] for s, r in results.items()}


def test_gradescope_style_json_export_per_student(graded):
    out, _, results = graded
    for student, result in results.items():
        export = json.loads((out / "autograded" / student / AID / "gradescope.json").read_text())
        assert export["score"] == result["score"]
        assert sum(t["max_score"] for t in export["tests"]) == result["max_score"]


def test_feedback_pages_show_failures_and_hints_but_no_hidden_source(graded):
    out, _, _ = graded
    page = (out / "feedback" / "dave" / AID / "perceptron.html").read_text()
    assert "perceptron_update" in page and "Hint:" in page
    hidden_sources = [p.read_text() for p in (ROOT / "autograder" / "suites" / AID).glob("test_*.py")]
    for source in hidden_sources:
        for line in source.splitlines():
            line = line.strip()
            if line.startswith(("assert ", "expect_")) and len(line) > 30:
                assert line not in page
    page = (out / "feedback" / "mallory" / AID / "perceptron.html").read_text()
    assert "<script" not in page.lower()  # printed output is escaped


@pytest.mark.slow
def test_a_regrade_replaces_and_never_duplicates(graded, tmp_path):
    out, _, results = graded
    proc = grade(out, "--student", "dave")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert sorted(r["student_id"] for r in rows) == sorted(results)
    assert float(next(r for r in rows if r["student_id"] == "dave")["raw_score"]) == results["dave"]["score"]


def test_formgrader_api_sees_the_kit_scores_and_the_autograded_notebooks(graded):
    """nbgrader's formgrader reads submissions through NbGraderAPI: it must show our scores."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    out, _, results = graded
    config = Config()
    config.CourseDirectory.root = str(out)
    config.CourseDirectory.source_directory = str(ROOT / "solutions")
    config.CourseDirectory.submitted_directory = str(ROOT / "examples" / "submitted")
    config.CourseDirectory.db_url = f"sqlite:///{out / 'gradebook.db'}"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for student, result in results.items():
        sub = api.get_submission(AID, student)
        assert sub["autograded"] and sub["score"] == result["score"] and sub["max_score"] == result["max_score"]
    notebooks = api.get_notebook_submission_indices(AID, "perceptron")
    assert len(notebooks) == len(results)  # one submitted notebook per student, indexed by submission id
