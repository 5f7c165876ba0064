"""The Gradescope zip's contents, and the otter plugin giving the scores of `autograder grade`. The zip itself
runs, as Gradescope runs it (its own setup.sh, a fresh venv), in tests/test_deploy.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.course import load_assignment
from autograder.gradescope import build_zip
from autograder.runner import find_submissions, grade_submission
from autograder.session import SessionOptions

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"
DEMO = ROOT / "examples" / "submitted"


@pytest.fixture(scope="module")
def gs_zip(tmp_path_factory) -> Path:
    return build_zip(load_assignment(AID, ROOT), tmp_path_factory.mktemp("dist") / "ag.zip")


def test_zip_holds_the_entry_points_and_only_this_assignment(gs_zip):
    with zipfile.ZipFile(gs_zip) as zf:
        names = zf.namelist()
        assert (zf.getinfo("run_autograder").external_attr >> 16) & 0o111
    assert "setup.sh" in names and "kit/pyproject.toml" in names
    assert any(n.startswith(f"kit/autograder/suites/{AID}/test_") for n in names)
    assert not any(n.startswith("kit/autograder/suites/") and f"/{AID}/" not in n for n in names)
    assert any(n.startswith(f"kit/solutions/{AID}/") for n in names)
    assert not any(n.startswith("kit/solutions/") and f"/{AID}/" not in n for n in names)


@pytest.mark.slow
def test_otter_run_with_the_kit_plugin_takes_the_kit_scores(tmp_path):
    pytest.importorskip("otter")
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_grading import LECTURE, OTTER_TESTS

    work = tmp_path / "otter"
    (work / "tests").mkdir(parents=True)
    for name, (points, doctest) in OTTER_TESTS.items():
        case = {"code": LECTURE + doctest, "hidden": False, "locked": False}
        test = {"name": name, "points": points, "suites": [{"cases": [case], "scored": True, "setup": "",
                                                            "teardown": "", "type": "doctest"}]}
        (work / "tests" / f"{name}.py").write_text(f"OK_FORMAT = True\ntest = {test!r}\n")
    config = {"plugins": [{"autograder.otter_plugin.KitPlugin": {"assignment": AID, "course": str(ROOT)}}]}
    (work / "otter_config.json").write_text(json.dumps(config))
    shutil.copytree(ROOT / "assignments" / AID / "selfcheck", work / "selfcheck")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run([sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", "ag.zip",
                           "--no-requirements", "--no-environment", "selfcheck"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shutil.copy(DEMO / "dave" / AID / "perceptron.ipynb", work / "dave.ipynb")
    (work / "out").mkdir()
    proc = subprocess.run([sys.executable, "-m", "otter", "run", "-a", "ag.zip", "-o", "out", "--no-logo",
                           "dave.ipynb"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    otter = {t["name"]: t["score"] for t in json.loads((work / "out" / "results.json").read_text())["tests"]
             if "score" in t}
    assignment = load_assignment(AID, ROOT)
    kit = grade_submission(assignment, next(iter(find_submissions(DEMO, assignment, "dave"))), SessionOptions())
    # the otter tests alone would give dave full marks on perceptron_update (the lecture's step passes)
    assert otter["perceptron_update"] == kit.question_scores()["perceptron_update"] < 8
    assert otter["train_perceptron"] == kit.question_scores()["train_perceptron"]
