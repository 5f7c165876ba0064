"""The Gradescope path: an autograder zip that runs the kit's hidden suites, sandbox included.

``build_zip`` writes ``setup.sh`` (bubblewrap, a venv, the kit), ``run_autograder`` (grade
``/autograder/submission`` and write ``/autograder/results/results.json``) and the kit's files
needed for one assignment. ``results_json`` turns a result into Gradescope's format: one entry
per question with its score and the failing tests' messages and hints.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.course import Assignment
from autograder.results import SubmissionResult
from autograder.secret import SECRET_FILE, course_secret

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once to build the image (use an Ubuntu 22.04+ base image with Python >= 3.11).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap python3-venv python3-pip >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source/kit
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. GS_ROOT and KIT_PYTHON exist for local runs only.
set -euo pipefail
ROOT=${{GS_ROOT:-/autograder}}
PY=${{KIT_PYTHON:-$ROOT/venv/bin/python}}
mkdir -p "$ROOT/results"
cd "$ROOT/source/kit"
exec "$PY" -m autograder gradescope run {aid} --submission "$ROOT/submission" --results "$ROOT/results/results.json"
"""

KIT_FILES = ("pyproject.toml", "README.md", "nbgrader_config.py")


def results_json(result: SubmissionResult) -> dict:
    """Gradescope's results.json: total score, one test entry per question, the run's notes."""
    tests = []
    for q in result.questions:
        recs = [t for t in result.tests if t.question == q.question]
        lines = []
        for t in recs:
            if t.outcome != "passed":
                lines.append(f"✘ {t.name}: {t.message.splitlines()[0] if t.message else t.outcome}")
                lines += [f"    hint: {t.hints[0]}"] if t.hints else []
        passed = sum(t.outcome == "passed" for t in recs)
        tests.append({"name": q.question, "score": q.earned, "max_score": q.points, "visibility": "visible",
                      "output": f"{passed}/{len(recs)} tests passed\n" + "\n".join(lines)})
    notes = [f"isolation: {result.isolation or 'n/a'}", *result.warnings]
    if result.status == "error":
        notes.insert(0, f"not graded: {result.error}")
    notes += [f"cell {i}: {e}" for i, e in sorted(result.cell_errors.items())]
    return {"score": result.score, "tests": tests, "output": "\n".join(notes), "visibility": "visible",
            "stdout_visibility": "hidden"}


def build_zip(assignment: Assignment, out: Path) -> Path:
    """The autograder zip to upload to Gradescope for ``assignment``."""
    root = assignment.root
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER.format(aid=assignment.aid))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        for name in KIT_FILES:
            zf.write(root / name, f"kit/{name}")
        # the course secret travels with the zip: the same submission draws the same hidden inputs on every run
        secret = zipfile.ZipInfo(f"kit/{SECRET_FILE}")
        secret.external_attr = 0o600 << 16
        zf.writestr(secret, course_secret(root).decode() + "\n")
        package = root / "autograder"
        for path in sorted(package.rglob("*")):
            rel = path.relative_to(package)
            if path.is_dir() or "__pycache__" in rel.parts or path.suffix == ".pyc":
                continue
            if rel.parts[0] == "suites" and len(rel.parts) > 1 and rel.parts[1] != assignment.aid:
                continue  # only this assignment's hidden suite
            zf.write(path, f"kit/autograder/{rel}")
        for path in sorted(assignment.source_notebook.parent.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, f"kit/{path.relative_to(root)}")
    return out
