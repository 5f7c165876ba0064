"""Release: assignments/ generated from solutions/ by nbgrader, holding no solution and no hidden test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import SUITES_DIR, list_assignments
from autograder.release import leaks

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("aid", list_assignments(ROOT))
def test_committed_release_ships_the_current_selfcheck(aid):
    source = ROOT / "autograder" / "selfcheck"
    for path in source.glob("*.py"):
        shipped = ROOT / "assignments" / aid / "selfcheck" / path.name
        assert shipped.read_bytes() == path.read_bytes(), f"re-run autograder release {aid}"


@pytest.mark.parametrize("aid", list_assignments(ROOT))
def test_committed_release_holds_no_solution_or_hidden_test(aid):
    assert leaks(ROOT / "assignments" / aid, aid) == []
    hidden = {p.name for p in (SUITES_DIR / aid).glob("*.py")}
    released = {p.name for p in (ROOT / "assignments" / aid).rglob("*.py")}
    assert not hidden & released


def test_leak_detection_finds_planted_secrets(tmp_path):
    aid = "01-perceptron"
    shutil.copytree(ROOT / "assignments" / aid, tmp_path / aid)
    (tmp_path / aid / "notes.py").write_text("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION\n")
    hidden = next((SUITES_DIR / aid).glob("test_*.py"))
    shutil.copy(hidden, tmp_path / aid / "tests" / "test_extra.py")
    found = "\n".join(leaks(tmp_path / aid, aid))
    assert "BEGIN SOLUTION" in found and "copy of a hidden-suite file" in found


@pytest.mark.slow
def test_release_regenerates_the_committed_assignment(tmp_path):
    aid = "01-perceptron"
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", aid], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fresh = nbformat.read(tmp_path / "assignments" / aid / "perceptron.ipynb", as_version=4)
    committed = nbformat.read(ROOT / "assignments" / aid / "perceptron.ipynb", as_version=4)
    assert [c.source for c in fresh.cells] == [c.source for c in committed.cells], "re-run autograder release"
    stubs = [c.source for c in fresh.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and all("raise NotImplementedError()" in s for s in stubs)
    shipped = tmp_path / "assignments" / aid / "selfcheck"
    source = ROOT / "autograder" / "selfcheck"
    assert sorted(p.name for p in shipped.glob("*.py")) == sorted(p.name for p in source.glob("*.py"))
    assert all((shipped / p.name).read_bytes() == p.read_bytes() for p in source.glob("*.py"))
    for public in (ROOT / "solutions" / aid / "tests").glob("test_*.py"):
        assert (tmp_path / "assignments" / aid / "tests" / public.name).read_text() == public.read_text()
