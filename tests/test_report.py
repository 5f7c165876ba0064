"""The class report and the feedback pages, rendered and opened in headless Chromium (screenshots kept)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from screenshots import CHROMIUM, NO_CHROMIUM, screenshot

ROOT = Path(__file__).resolve().parents[1]
AID = "01-perceptron"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    subs = tmp_path_factory.mktemp("subs")
    for sid in ("alice", "bob", "dave", "erin"):
        shutil.copytree(ROOT / "examples" / "submitted" / sid / AID, subs / sid / AID)
    out = tmp_path_factory.mktemp("run")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", AID, "--submissions", str(subs), "--out",
                           str(out), "--timeout", "1", "--no-progress"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_report_shows_distribution_failures_limits_and_isolation(run_dir):
    page = (run_dir / "reports" / f"{AID}.html").read_text()
    assert "4 submission(s)" in page and "bubblewrap+cgroup × 4" in page
    assert "test_train_lecture_result" in page  # failed by bob, dave and erin: a frequent failure
    assert "timeout × " in page and "crash × " in page  # erin hit the limits
    assert 'href="../feedback/dave/01-perceptron/perceptron.html"' in page
    assert "data:image/png;base64," in page


def test_report_command_rebuilds_the_page(run_dir):
    (run_dir / "reports" / f"{AID}.html").unlink()
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", AID, "--out", str(run_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and (run_dir / "reports" / f"{AID}.html").exists()


def test_feedback_page_has_the_decision_boundary_and_the_counterexample(run_dir):
    page = (run_dir / "feedback" / "dave" / AID / "perceptron.html").read_text()
    assert "Your decision boundary" in page and "data:image/png;base64," in page
    assert "input: train_perceptron(array(" in page  # a public test's counterexample
    bob = (run_dir / "feedback" / "bob" / AID / "perceptron.html").read_text()
    assert "not drawn: train_perceptron is not implemented yet" in bob


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
@pytest.mark.parametrize("page", [f"reports/{AID}.html", f"feedback/dave/{AID}/perceptron.html"])
def test_pages_open_in_headless_chromium(run_dir, page, tmp_path):
    screenshot((run_dir / page).as_uri(), page.replace("/", "_").replace(".html", ".png"), tmp_path / "profile")
