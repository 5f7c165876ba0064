"""The kit where its users run it: the Gradescope zips run as Gradescope runs them (their own setup.sh into a
fresh venv, then run_autograder from another directory) and the built wheel installed non-editable, grading
a course directory outside the source tree. Both give the scores of the development install.

Cost (CI has 2 cores): one venv, built by the zips' own setup.sh: 01's first (the kit alone, no TensorFlow:
run_autograder for 01 runs before TensorFlow is there), then 05's adds TensorFlow. The built wheel is
installed into that venv (--no-deps: the same dependencies, already there) for its test. 07's zip is not run
here (another TensorFlow training per student); its setup.sh is checked to install the same [tf] extra.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.course import load_assignment
from autograder.gradescope import build_zip
from autograder.runner import find_submissions, grade_submission
from autograder.secret import SECRET_FILE, course_secret
from autograder.session import options_for

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "submitted"
STUDENTS = ("alice", "bob", "dave")  # the reference, the stub, a classic bug (erin's loops cost minutes)
NUMPY_AIDS = ("01-perceptron", "02-metrics", "03-softmax", "04-pooling", "06-backprop")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the development venv: no VIRTUAL_ENV, none of its bin on PATH."""
    dev = Path(sys.prefix).resolve()
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p and not Path(p).resolve().is_relative_to(dev)]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "AUTOGRADER_COURSE")}
    return {**env, "PATH": os.pathsep.join(path), **extra}


def expected(aid: str, student: str) -> dict[str, float]:
    """What the development install gives: question -> points."""
    assignment = load_assignment(aid, ROOT)
    sub = find_submissions(DEMO, assignment, student)[0]
    return grade_submission(assignment, sub, options_for(assignment.settings)).question_scores()


class Deployment:
    """One Gradescope root (GS_ROOT) whose venv only the zips' own setup.sh create and extend."""

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "autograder"
        self.elsewhere = base / "elsewhere"  # every command runs from here: not the checkout, not the zip
        self.elsewhere.mkdir(parents=True)
        self.python = self.root / "venv" / "bin" / "python"
        self.installed: list[str] = []
        self.seconds: dict[str, float] = {}

    def run(self, argv: list[str], timeout: int = 900, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(argv, cwd=self.elsewhere, capture_output=True, text=True, timeout=timeout,
                              env=clean_env(GS_ROOT=str(self.root), **env))

    def setup(self, aid: str) -> Path:
        """Build the zip of ``aid``, unpack it as Gradescope does and run its setup.sh."""
        zip_path = build_zip(load_assignment(aid, ROOT), self.base / f"{aid}.zip")
        shutil.rmtree(self.root / "source", ignore_errors=True)
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(self.root / "source")
        start = time.monotonic()
        proc = self.run(["bash", str(self.root / "source" / "setup.sh")])
        self.seconds[aid] = round(time.monotonic() - start, 1)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert "reference canary" in proc.stdout  # setup.sh graded the solution in the new image
        self.installed.append(aid)
        return zip_path

    def run_autograder(self, aid: str, student: str) -> dict:
        shutil.rmtree(self.root / "submission", ignore_errors=True)
        shutil.rmtree(self.root / "results", ignore_errors=True)
        notebook = find_submissions(DEMO, load_assignment(aid, ROOT), student)[0].path
        (self.root / "submission").mkdir(parents=True)
        shutil.copy(notebook, self.root / "submission")
        (self.root / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": student}]}))
        proc = self.run(["bash", str(self.root / "source" / "run_autograder")])
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return json.loads((self.root / "results" / "results.json").read_text())

    def imports(self, module: str) -> bool:
        return self.run([str(self.python), "-c", f"import {module}"]).returncode == 0


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Deployment:
    return Deployment(tmp_path_factory.mktemp("gradescope"))


def test_the_wheel_ships_every_file_of_the_package(tmp_path):
    """Every file of autograder/ in git (suites' grading.toml, templates, worker) is in the built wheel."""
    wheel = build_wheel(tmp_path)
    tracked = subprocess.run(["git", "ls-files", "autograder"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    assert "autograder/suites/05-cnn/grading.toml" in shipped
    assert sorted(set(tracked.stdout.split()) - shipped) == []


def build_wheel(out: Path) -> Path:
    """``python -m build --wheel`` of a clean copy of the package (no stale build/ folder of the checkout)."""
    src = out / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src)
    shutil.copytree(ROOT / "autograder", src / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out / "dist"), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return next((out / "dist").glob("dl_exercise_kit-*.whl"))


@pytest.mark.slow
def test_the_01_zip_installs_no_tensorflow_and_grades_like_the_grade_command(deployment):
    deployment.setup("01-perceptron")
    if deployment.installed == ["01-perceptron"]:  # a fresh venv from 01's setup.sh alone
        assert not deployment.imports("tensorflow")
    for student in STUDENTS:
        results = deployment.run_autograder("01-perceptron", student)
        assert {t["name"]: t["score"] for t in results["tests"]} == expected("01-perceptron", student), student
        assert "isolation: bubblewrap+cgroup" in results["output"]


@pytest.mark.slow
def test_the_wheel_grades_a_course_outside_the_source_tree(deployment, tmp_path):
    if not deployment.installed:
        deployment.setup("01-perceptron")
    wheel = build_wheel(tmp_path)
    proc = deployment.run([str(deployment.python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                           str(wheel)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert deployment.run([str(deployment.python), "-m", "pip", "check"]).returncode == 0
    where = deployment.run([str(deployment.python), "-c", "import autograder; print(autograder.__file__)"])
    assert str(deployment.root / "venv") in where.stdout and str(ROOT) not in where.stdout
    course = tmp_path / "course"  # solutions, nbgrader_config.py and the demo class: no autograder/ package
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    course_secret(ROOT)  # the same course secret, so the same per-submission seeds as the development grading
    shutil.copy(ROOT / SECRET_FILE, course / SECRET_FILE)
    for aid in NUMPY_AIDS:
        shutil.copytree(ROOT / "solutions" / aid, course / "solutions" / aid)
        for student in STUDENTS:
            shutil.copytree(DEMO / student / aid, course / "submitted" / student / aid)
    for aid in NUMPY_AIDS:
        proc = subprocess.run([str(deployment.python), "-m", "autograder", "grade", aid, "--no-progress",
                               "--out", str(course / "out")], cwd=course, capture_output=True, text=True,
                              timeout=900, env=clean_env())
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        for student in STUDENTS:
            saved = json.loads((course / "out" / "autograded" / student / aid / "result.json").read_text())
            got = {q["question"]: q["earned"] for q in saved["questions"]}
            assert got == expected(aid, student), (aid, student)


@pytest.mark.slow
def test_the_05_zip_installs_tensorflow_and_grades_like_the_grade_command(deployment):
    zip_path = deployment.setup("05-cnn")
    with zipfile.ZipFile(zip_path) as zf:
        assert '/source/kit[tf]"' in zf.read("setup.sh").decode()
    assert deployment.imports("tensorflow")
    for student in ("alice", "bob"):  # the reference and the stub (each more student trains another CNN)
        results = deployment.run_autograder("05-cnn", student)
        assert {t["name"]: t["score"] for t in results["tests"]} == expected("05-cnn", student), student
    print(f"setup.sh seconds: {deployment.seconds}")


def test_every_zip_installs_what_its_assignment_declares(tmp_path):
    for aid, extra in (("01-perceptron", ""), ("05-cnn", "[tf]"), ("07-lstm", "[tf]")):
        with zipfile.ZipFile(build_zip(load_assignment(aid, ROOT), tmp_path / f"{aid}.zip")) as zf:
            setup, run = zf.read("setup.sh").decode(), zf.read("run_autograder").decode()
        assert f'pip install -q "$ROOT/source/kit{extra}"' in setup
        assert f"autograder canary {aid}" in setup
        assert "KIT_PYTHON" not in setup + run and "cd " not in run
