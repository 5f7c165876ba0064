"""Benchmark: the kit against ``nbgrader autograde`` on the same submissions, in one run.

    .venv/bin/python bench/bench_grading.py [--aid 01-perceptron] [--n 50]

Builds N submissions (the demo class's honest students in rotation, each folder as a student
hands it in: notebook, selfcheck.py, tests/) in a temporary course, then grades them:

* the kit, sandbox on: ``autograder grade`` with 1 and 2 workers (CLI, wall time);
  per-notebook times from each result's ``duration``;
* nbgrader: ``nbgrader autograde`` (CLI, wall time), and per-notebook times from
  ``NbGraderAPI.autograde`` called in-process once per student.

Prints medians per notebook, batch times, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HONEST = ["alice", "bob", "carol", "dave", "frank"]


def build_course(tmp: Path, aid: str, n: int) -> Path:
    course = tmp / "course"
    course.mkdir()
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    release = ROOT / "assignments" / aid
    for i in range(n):
        source = ROOT / "examples" / "submitted" / HONEST[i % len(HONEST)] / aid
        target = course / "submitted" / f"s{i:03d}" / aid
        shutil.copytree(release, target, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        for nb in source.glob("*.ipynb"):
            shutil.copy(nb, target / nb.name)
    return course


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def kit(course: Path, aid: str, workers: int, env: dict) -> tuple[float, list[float], dict[str, float]]:
    out = course / f"kit-{workers}"
    wall = timed([sys.executable, "-m", "autograder", "grade", aid, "--workers", str(workers), "--no-progress",
                  "--out", str(out)], course, env)
    results = [json.loads(p.read_text()) for p in sorted((out / "autograded").glob(f"*/{aid}/result.json"))]
    return wall, [r["duration"] for r in results], {r["student"]: r["score"] for r in results}


def nbgrader_in_process(course: Path, aid: str, students: list[str]) -> list[float]:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    cwd = os.getcwd()
    os.chdir(course)
    try:
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.source_directory = "solutions"
        config.CourseDirectory.release_directory = "assignments"
        config.CourseDirectory.autograded_directory = "autograded-api"
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        times = []
        for sid in students:
            start = time.perf_counter()
            result = api.autograde(aid, sid)
            times.append(time.perf_counter() - start)
            if not result["success"]:
                sys.exit(f"nbgrader autograde {sid} failed: {result.get('log', '')[-3000:]}")
        return times
    finally:
        os.chdir(cwd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aid", default="01-perceptron")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temporary course")
    args = parser.parse_args()

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    course = build_course(tmp, args.aid, args.n)
    students = sorted(p.name for p in (course / "submitted").iterdir())
    print(f"{args.n} submissions of {args.aid} in {course}; {os.cpu_count()} cores")

    kit1_wall, kit1_each, kit_scores = kit(course, args.aid, 1, env)
    kit2_wall, _, kit2_scores = kit(course, args.aid, 2, env)
    assert kit_scores == kit2_scores, "1 and 2 workers disagree"

    timed([sys.executable, "-m", "nbgrader", "generate_assignment", args.aid, "--force"], course, env)
    nbg_wall = timed([sys.executable, "-m", "nbgrader", "autograde", args.aid, "--force"], course, env)
    nbg_each = nbgrader_in_process(course, args.aid, students)

    m_kit, m_nbg = statistics.median(kit1_each), statistics.median(nbg_each)
    rows = [
        ("per notebook, median (s)", m_kit, m_nbg),
        ("batch wall, CLI (s)", kit1_wall, nbg_wall),
        ("batch per notebook (s)", kit1_wall / args.n, nbg_wall / args.n),
    ]
    print(f"\n{'':28}{'kit (sandbox, 1 worker)':>24}{'nbgrader autograde':>22}{'ratio':>9}")
    for label, k, g in rows:
        print(f"{label:28}{k:>24.3f}{g:>22.3f}{g / k:>8.1f}x")
    print(f"{'kit with 2 workers, batch':28}{kit2_wall:>24.3f}{'':>22}{kit1_wall / kit2_wall:>8.2f}x vs 1 worker")
    print("\nkit: sandbox on for every submission (isolation recorded in each result); "
          "nbgrader runs student code in its own kernel, unsandboxed.")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
