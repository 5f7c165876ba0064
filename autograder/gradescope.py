"""The Gradescope path: an autograder zip that runs the kit's hidden suites, sandbox included.

``build_zip`` writes ``setup.sh`` (bubblewrap, a venv, the kit with the assignment's declared extras, the
reference canary), ``run_autograder`` (grade
``/autograder/submission`` and write ``/autograder/results/results.json``) and the kit's files
needed for one assignment. ``results_json`` turns a result into Gradescope's format: one entry
per question with its score and the failing tests' messages and hints.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.course import Assignment
from autograder.environment import requirement
from autograder.results import SubmissionResult
from autograder.secret import SECRET_FILE, course_secret

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once to build the image (an Ubuntu 22.04+ base image with Python >= 3.11). GS_ROOT
# (default /autograder) lets the same script build and be tested elsewhere; nothing else changes there.
set -euo pipefail
ROOT=${{GS_ROOT:-/autograder}}
if ! command -v bwrap >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap python3-venv python3-pip >/dev/null
fi
python3 -m venv "$ROOT/venv"
# The kit with what {aid} declares in its grading.toml [environment] (nothing more, nothing less).
"$ROOT/venv/bin/python" -m pip install -q "$ROOT/source/kit{extras}"
# The reference canary, in the image: an image that cannot grade the solution fails to build.
AUTOGRADER_COURSE="$ROOT/source/kit" "$ROOT/venv/bin/python" -m autograder canary {aid}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, from any directory. GS_ROOT (default /autograder) as in setup.sh.
set -euo pipefail
ROOT=${{GS_ROOT:-/autograder}}
mkdir -p "$ROOT/results"
export AUTOGRADER_COURSE="$ROOT/source/kit"
exec "$ROOT/venv/bin/python" -m autograder gradescope run {aid} --submission "$ROOT/submission" \\
  --results "$ROOT/results/results.json"
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
        extras = requirement(assignment, "")
        scripts = (("setup.sh", SETUP_SH.format(aid=assignment.aid, extras=extras)),
                   ("run_autograder", RUN_AUTOGRADER.format(aid=assignment.aid)))
        for name, text in scripts:
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
