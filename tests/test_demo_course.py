"""After scripts/demo.sh the demo class is a course: the formgrader finds its submissions where the config
says, the exchange exists, the students have names (demo.sh's steps, run on a copy of the course)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from screenshots import CHROMIUM, NO_CHROMIUM, screenshot

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


@pytest.fixture(scope="module")
def formgrader(demo_course, tmp_path_factory):
    """The formgrader (a Jupyter server with nbgrader's extension) on 127.0.0.1, in the demo course."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("formgrader") / "server.log"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root", f"--port={port}",
             # no token: the formgrader's pages fetch its API without one (only 127.0.0.1, only this test)
             "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", f"--ServerApp.root_dir={demo_course}",
             "--ServerApp.port_retries=0"],
            cwd=demo_course, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/formgrader/api/status", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the formgrader did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_formgrader_api_on_localhost_lists_the_demo_class(formgrader):
    with urllib.request.urlopen(f"{formgrader}/formgrader/api/submissions/{AID}", timeout=30) as r:
        subs = {s["student"]: s for s in json.load(r)}
    assert len(subs) == 7 and subs["alice"]["score"] == 38
    assert (subs["mallory"]["first_name"], subs["mallory"]["last_name"]) == ("Mallory", "Mayer")


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_screenshot_of_the_formgrader_with_the_demo_class(formgrader, tmp_path):
    url = f"{formgrader}/formgrader/manage_submissions/{AID}"
    shot = screenshot(url, "formgrader-demo-class.png", tmp_path / "profile", size="1280,1000", wait_ms=15_000)
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}/p2",
                          "--virtual-time-budget=15000", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120).stdout
    assert "Archer" in dom and "Loading, please wait" not in dom, f"{shot}: the class did not load"
