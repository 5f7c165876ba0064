"""A semester the nbgrader way, on a copy of the kit's course with a local exchange in a temporary folder:
release -> fetch -> submit -> collect -> ``autograder grade`` -> release_feedback -> fetch_feedback, and
nbgrader's own commands (autograde, generate_feedback, generate_assignment; CLI and the formgrader's API)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from screenshots import CHROMIUM, NO_CHROMIUM, screenshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"
STUDENTS = {"alice": ("Alice", "Anders"), "dave": ("Dave", "Dietrich")}
INTERNAL = ("result.json", "grading.key", "gradescope.json", "submission_secret.txt")


def run(cmd: list[str], cwd: Path, exchange: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "NO_COLOR": "1"}
    env.pop("AUTOGRADER_COURSE", None)
    if cmd[0] == "nbgrader":
        cmd = [sys.executable, "-m", "nbgrader", *cmd[1:], f"--Exchange.root={exchange}", *extra]
    else:
        cmd = [sys.executable, "-m", "autograder", *cmd[1:]]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def api_for(course: Path):
    """nbgrader's API as the formgrader builds it: the course's own nbgrader_config.py (and the test's exchange)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.Exchange.root = str(course.parent / "exchange")
    return NbGraderAPI(config=config)


def auto_scores(course: Path, reset: bool = False) -> dict[tuple[str, str], float]:
    """(student, question) -> auto score in the gradebook; ``reset`` sets them all to 0 (a stale gradebook)."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(AID).submissions:
            for grade in (g for nb in sub.notebooks for g in nb.grades):
                out[(sub.student_id, grade.name)] = grade.auto_score
                if reset:
                    grade.auto_score = 0.0
        gb.db.commit()
    return out


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    """Release, fetch, submit, collect, grade, release and fetch feedback, as a TA and two students would."""
    top = tmp_path_factory.mktemp("semester")
    course, exchange = top / "course", top / "exchange"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__"))
    run(["nbgrader", "db", "assignment", "add", AID], course, exchange)
    for sid, (first, last) in STUDENTS.items():
        run(["nbgrader", "db", "student", "add", sid, f"--first-name={first}", f"--last-name={last}"], course,
            exchange)
    run(["nbgrader", "release_assignment", AID], course, exchange)
    homes = {}
    for sid in STUDENTS:
        home = homes[sid] = top / "home" / sid
        home.mkdir(parents=True)
        cache = f"--Exchange.cache={home / '.nbgrader_cache'}"  # each student's own, as on their own machine
        run(["nbgrader", "fetch_assignment", AID, "--course=dl-kit"], home, exchange, cache)
        assert (home / AID / "selfcheck" / "notebook.py").is_file()
        shutil.copy(ROOT / "examples" / "submitted" / sid / AID / "perceptron.ipynb", home / AID)
        run(["nbgrader", "submit", AID, "--course=dl-kit", f"--student={sid}"], home, exchange, cache)
    run(["nbgrader", "collect", AID], course, exchange)
    run(["autograder", "grade", AID, "--no-progress", "--timeout", "5"], course, exchange)
    run(["nbgrader", "release_feedback", AID], course, exchange)
    for sid, home in homes.items():
        run(["nbgrader", "fetch_feedback", AID, "--course=dl-kit", f"--student={sid}"], home, exchange,
            f"--Exchange.cache={home / '.nbgrader_cache'}")
    return course, exchange, homes


def test_the_student_fetches_the_kits_feedback_page_and_nothing_internal(semester):
    course, exchange, homes = semester
    released = sorted(p.name for p in (exchange / "dl-kit" / "feedback").iterdir())
    assert len(released) == 2 and all(name.endswith(".html") for name in released)
    for sid, home in homes.items():
        fetched = [p for p in (home / AID / "feedback").rglob("*") if p.is_file()]  # <timestamp>/perceptron.html
        assert [p.name for p in fetched] == ["perceptron.html"], fetched
        page = fetched[0].read_text(encoding="utf-8")
        assert "perceptron_update" in page and sid in page
    dave = next((homes["dave"] / AID / "feedback").rglob("perceptron.html")).read_text(encoding="utf-8")
    assert "test_update_zero_score_is_a_mistake" in dave and "A score of exactly 0" in dave  # the kit's page
    assert "20/38" in dave.replace(" ", "") or "20 / 38" in dave


def test_feedback_follows_nbgraders_layout(semester):
    course, _, _ = semester
    for sid in STUDENTS:
        folder = course / "feedback" / sid / AID
        assert (folder / "perceptron.html").is_file() and (folder / "timestamp.txt").is_file()
        submitted = course / "submitted" / sid / AID / "timestamp.txt"
        assert (folder / "timestamp.txt").read_text() == submitted.read_text()


def test_nbgrader_autograde_grades_through_the_kit_and_keeps_its_records(semester):
    course, exchange, _ = semester
    before = auto_scores(course)
    assert before[("dave", "perceptron_update")] < before[("alice", "perceptron_update")]
    auto_scores(course, reset=True)  # stale scores the kit must put right
    (course / "autograded" / "dave" / AID / "result.json").unlink()
    proc = run(["nbgrader", "autograde", AID, "--force"], course, exchange)
    assert "Inconsistent checksums" not in proc.stdout + proc.stderr
    assert auto_scores(course) == before
    for sid in STUDENTS:
        folder = course / "autograded" / sid / AID
        for name in ("result.json", "grading.key", "perceptron.ipynb", "timestamp.txt"):
            assert (folder / name).is_file(), f"{folder / name} is gone"
    # the formgrader's Autograde button: nbgrader's API, the course's own config
    auto_scores(course, reset=True)
    api = api_for(course)
    result = api.autograde(AID, "dave")
    assert result["success"], result.get("error")
    assert auto_scores(course) == {**{k: 0.0 for k in before if k[0] == "alice"},
                                   **{k: v for k, v in before.items() if k[0] == "dave"}}
    assert api.get_submission(AID, "dave")["first_name"] == "Dave"


def test_generate_feedback_writes_the_kits_page_without_internal_files(semester):
    course, _, _ = semester
    page = course / "feedback" / "dave" / AID / "perceptron.html"
    page.unlink()
    result = api_for(course).generate_feedback(AID, "dave")
    assert result["success"], result.get("error")
    assert "test_update_zero_score_is_a_mistake" in page.read_text(encoding="utf-8")
    leaked = [p for p in (course / "feedback").rglob("*") if p.name in INTERNAL[:3]]
    assert not leaked


def test_grade_cells_carry_the_checksums_nbgrader_expects(semester):
    course, _, _ = semester
    api = api_for(course)
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url) as gb:
        recorded = {c.name: c.checksum for c in gb.find_notebook("perceptron", AID).source_cells}
    released = nbformat.read(course / "assignments" / AID / "perceptron.ipynb", as_version=4)
    shipped = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.checksum for c in released.cells
               if "checksum" in c.metadata.get("nbgrader", {})}
    assert shipped and all(recorded[name] == checksum for name, checksum in shipped.items())


def test_generate_assignment_keeps_a_release_whose_check_works(semester):
    course, exchange, _ = semester
    release = course / "assignments" / AID
    shutil.rmtree(release / "selfcheck")
    run(["nbgrader", "generate_assignment", AID, "--force"], course, exchange)
    assert (release / "selfcheck" / "notebook.py").is_file() and (release / "tests").is_dir()
    result = api_for(course).generate_assignment(AID)
    assert result["success"], result.get("error")
    assert (release / "selfcheck" / "notebook.py").is_file()


def test_manual_grades_reach_feedback_report_csv_and_table_and_survive_a_regrade(semester):
    """A TA's score and comment, saved as the formgrader saves them, after a regrade of the student."""
    from nbgrader.api import Gradebook

    course, exchange, homes = semester
    url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(url) as gb:
        grade = gb.find_grade("perceptron_update", "perceptron", AID, "dave")
        auto = grade.auto_score
        assert auto < grade.max_score
        grade.manual_score, grade.needs_manual_grade = float(grade.max_score), False
        comments = gb.find_submission_notebook("perceptron", AID, "dave").comments
        comment = next(c for c in comments if c.name.startswith("perceptron_update"))
        comment.manual_comment = "Right idea: the <= is in your notes, just not in the code."
        cell = comment.name
        gb.db.commit()
    proc = run(["autograder", "grade", AID, "--student", "dave", "--no-progress"], course, exchange)
    with Gradebook(url) as gb:
        grade = gb.find_grade("perceptron_update", "perceptron", AID, "dave")
        assert grade.manual_score == grade.max_score and not grade.needs_manual_grade and grade.auto_score == auto
        total = gb.find_submission(AID, "dave").score
    assert total == 20 - auto + 8
    row = next(line for line in proc.stdout.splitlines() if line.strip("│ ").startswith("dave"))
    assert f"{total:g}/38" in row.replace(" ", "")
    grades = (course / "grades.csv").read_text().splitlines()
    assert any(line.startswith(f"{AID},") and ",dave," in line and f",{total}," in line for line in grades)
    report = (course / "reports" / f"{AID}.html").read_text(encoding="utf-8")
    assert f'dave</a></td>\n<td class="num">{total:g}</td>' in report
    page = (course / "feedback" / "dave" / AID / "perceptron.html").read_text(encoding="utf-8")
    assert "graded by hand" in page and "just not in the code" in page and cell in page
    assert f"{total:g} / 38" in page
    # the formgrader's Generate Feedback and Release Feedback, then the student fetches it
    api = api_for(course)
    assert api.generate_feedback(AID, "dave")["success"]
    assert api.release_feedback(AID, "dave")["success"]
    run(["nbgrader", "fetch_feedback", AID, "--course=dl-kit", "--student=dave"], homes["dave"], exchange,
        f"--Exchange.cache={homes['dave'] / '.nbgrader_cache'}")
    fetched = next((homes["dave"] / AID / "feedback").rglob("perceptron.html")).read_text(encoding="utf-8")
    assert "just not in the code" in fetched and f"{total:g} / 38" in fetched


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_screenshot_of_a_fetched_feedback_page(semester, tmp_path):
    _, _, homes = semester
    page = next((homes["dave"] / AID / "feedback").rglob("perceptron.html"))
    screenshot(page.as_uri(), "fetched-feedback-dave.png", tmp_path / "profile")
