"""After scripts/demo.sh the demo class is a course: the formgrader finds its submissions where the config
says, the exchange exists, the students have names (demo.sh's steps, run on a copy of the course)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"


@pytest.fixture(scope="module")
def demo_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("demo-course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "assignments", "examples"):
        shutil.copytree(ROOT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AUTOGRADER_COURSE", None)
    for cmd in (["-m", "autograder.demo"], ["-m", "autograder", "grade", AID, "--no-progress", "--timeout", "2"]):
        proc = subprocess.run([sys.executable, *cmd], cwd=course, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return course


def formgrader_api(course: Path):
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    return NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())


def test_the_formgrader_sees_the_demo_class_with_names(demo_course):
    api = formgrader_api(demo_course)
    students = sorted(p.name for p in (demo_course / "examples" / "submitted").iterdir())
    assert api.get_assignment(AID)["num_submissions"] == len(students)
    subs = {s["student"]: s for s in api.get_submissions(AID)}
    assert sorted(subs) == students
    assert all(s["submitted"] and s["autograded"] and s["first_name"] and s["last_name"] for s in subs.values())
    assert subs["alice"]["score"] == subs["alice"]["max_score"] == 38
    assert (subs["dave"]["first_name"], subs["dave"]["last_name"]) == ("Dave", "Dietrich")


def test_the_exchange_exists_without_manual_setup(demo_course):
    api = formgrader_api(demo_course)
    assert not api.exchange_missing and Path(api.exchange_root) == demo_course / "exchange"
    assert api.course_id == "dl-kit"
    result = api.release_assignment(AID)
    assert result["success"], result.get("error")
    assert (demo_course / "exchange" / "dl-kit" / "outbound" / AID / "selfcheck" / "notebook.py").is_file()


def test_the_exchange_folder_is_git_ignored():
    assert "/exchange/" in (ROOT / ".gitignore").read_text().splitlines()
