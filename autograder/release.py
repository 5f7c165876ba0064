"""``autograder release``: students' notebooks generated from solutions/ by nbgrader.

nbgrader replaces each solution block by a stub and copies the public tests that sit beside the
source notebook; the kit adds ``selfcheck/`` (the in-notebook check) and then proves that
nothing secret reached ``assignments/``: no solution text, no hidden test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import autograder.gradebook  # noqa: F401  (puts alembic on PATH for nbgrader)
from autograder.course import SUITES_DIR, Assignment, load_assignment

SELFCHECK = Path(__file__).resolve().parent / "selfcheck"
FORBIDDEN_TEXT = ("### BEGIN SOLUTION", "### END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class ReleaseError(Exception):
    """nbgrader failed, or the release would leak a solution or a hidden test."""


def leaks(release_dir: Path, aid: str) -> list[str]:
    """What in a release folder would give a solution or a hidden test away."""
    found = []
    hidden_sources = {p.read_text(encoding="utf-8") for p in (SUITES_DIR / aid).glob("*.py")}
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        if path.suffix not in (".py", ".ipynb", ".txt", ".md", ".json", ".cfg", ".ini", ".toml"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path}: contains {marker!r}" for marker in FORBIDDEN_TEXT if marker in text]
        if text.strip() and text in hidden_sources:
            found.append(f"{path}: a copy of a hidden-suite file")
    return found


def install_selfcheck(out: Path) -> Path:
    """Put the current ``selfcheck/`` into the release folder ``out`` (and drop caches); return ``out``."""
    (out / "selfcheck.py").unlink(missing_ok=True)  # the single-file runtime of earlier releases
    shutil.rmtree(out / "selfcheck", ignore_errors=True)
    shutil.copytree(SELFCHECK, out / "selfcheck", ignore=shutil.ignore_patterns("__pycache__"))
    for junk in list(out.rglob("__pycache__")) + list(out.rglob(".pytest_cache")):
        shutil.rmtree(junk, ignore_errors=True)
    return out


def release(assignment: Assignment) -> Path:
    """Generate ``assignments/<aid>/`` from ``solutions/<aid>/``; return the release folder."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.aid, "--force", "--log-level=WARN"],
        cwd=assignment.root, env=os.environ, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise ReleaseError(f"nbgrader generate_assignment {assignment.aid} failed:\n{proc.stderr[-3000:]}")
    out = install_selfcheck(assignment.release_dir)
    problems = leaks(out, assignment.aid)
    if problems:
        raise ReleaseError("the release would leak:\n" + "\n".join(problems))
    return out


def release_all(aids: list[str], root: Path) -> list[Path]:
    return [release(load_assignment(aid, root)) for aid in aids]
