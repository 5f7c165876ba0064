"""Benchmark: the kit against ``nbgrader autograde`` and ``otter run`` on the same submissions, in one run.

    .venv/bin/python bench/bench_grading.py [--n 100] [--nbgrader-sample 100] [--otter-sample 10]

Builds N submissions of 01-perceptron (the demo class's honest students in rotation, each folder as
a student hands it in: notebook, selfcheck/, tests/) in a temporary course, then grades them:

* the kit, sandbox on: ``autograder grade`` with 1 and 2 workers (CLI, wall time), per-notebook
  times from each result's ``duration``, and 2N submissions to show the cost grows linearly;
* nbgrader: ``nbgrader autograde`` (CLI, wall time), and per-notebook times from
  ``NbGraderAPI.autograde`` called in-process once per student (a sample of the N);
* otter-grader: ``otter run`` (its local, Docker-free grader) per notebook, on a sample, with
  OK-format tests of the lecture's worked examples;
* the in-notebook self-check of one exercise (warm, as in a running kernel).

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
AID = "01-perceptron"
HONEST = ["alice", "bob", "carol", "dave", "frank"]
LECTURE = ">>> import numpy as np\n>>> X = np.array([[-1, 2], [3, 0], [0, 4], [1, 5], [2, 2]])\n" \
          ">>> y = np.array([-1, -1, 1, 1, 1])\n"
OTTER_TESTS = {
    "fold_bias": (4, ">>> fold_bias(X).tolist()[0]\n[-1.0, 2.0, -1.0]"),
    "fold_labels": (4, ">>> fold_labels(fold_bias(X), y).tolist()[0]\n[1.0, -2.0, 1.0]"),
    "perceptron_update": (8, ">>> w, u = perceptron_update(np.zeros(3), np.array([1.0, -2.0, 1.0]), 1)\n"
                             ">>> (w.tolist(), bool(u))\n([1.0, -2.0, 1.0], True)"),
    "train_perceptron": (18, ">>> w, h = train_perceptron(X, y)\n>>> (w.tolist(), len(h))\n([1.0, 2.0, 4.0], 26)"),
    "predict": (4, ">>> predict(np.array([1.0, 2.0, 4.0]), X).tolist()\n[-1, -1, 1, 1, 1]"),
}


def build_submissions(folder: Path, n: int) -> list[str]:
    release = ROOT / "assignments" / AID
    for i in range(n):
        source = ROOT / "examples" / "submitted" / HONEST[i % len(HONEST)] / AID
        target = folder / f"s{i:03d}" / AID
        shutil.copytree(release, target, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        for nb in source.glob("*.ipynb"):
            shutil.copy(nb, target / nb.name)
    return sorted(p.name for p in folder.iterdir())


PLAIN_NBGRADER_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
"""


def build_course(tmp: Path, n: int) -> tuple[Path, list[str]]:
    course = tmp / f"course-{n}"
    course.mkdir()
    shutil.copytree(ROOT / "solutions", course / "solutions")
    # nbgrader's stock autograde for the comparison: the course layout only, without the kit's wiring of
    # nbgrader's commands (the kit's nbgrader_config.py makes `nbgrader autograde` grade through the kit)
    (course / "nbgrader_config.py").write_text(PLAIN_NBGRADER_CONFIG, encoding="utf-8")
    return course, build_submissions(course / "submitted", n)


def run(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def kit(course: Path, workers: int, env: dict) -> tuple[float, list[float], dict[str, float]]:
    out = course / f"kit-{workers}"
    wall = run([sys.executable, "-m", "autograder", "grade", AID, "--workers", str(workers), "--no-progress",
                "--out", str(out)], course, env)
    results = [json.loads(p.read_text()) for p in sorted((out / "autograded").glob(f"*/{AID}/result.json"))]
    return wall, [r["duration"] for r in results], {r["student"]: r["score"] for r in results}


def nbgrader_in_process(course: Path, students: list[str]) -> list[float]:
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
            result = api.autograde(AID, sid)
            times.append(time.perf_counter() - start)
            if not result["success"]:
                sys.exit(f"nbgrader autograde {sid} failed: {result.get('log', '')[-3000:]}")
        return times
    finally:
        os.chdir(cwd)


def otter_runs(course: Path, students: list[str], env: dict) -> list[float]:
    work = course / "otter"
    (work / "tests").mkdir(parents=True)
    for name, (points, doctest) in OTTER_TESTS.items():
        case = {"code": LECTURE + doctest, "hidden": False, "locked": False}
        test = {"name": name, "points": points, "suites": [{"cases": [case], "scored": True, "setup": "",
                                                            "teardown": "", "type": "doctest"}]}
        (work / "tests" / f"{name}.py").write_text(f"OK_FORMAT = True\ntest = {test!r}\n")
    shutil.copytree(ROOT / "assignments" / AID / "selfcheck", work / "selfcheck")
    run([sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", "autograder.zip", "--no-requirements",
         "--no-environment", "selfcheck"], work, env)
    times = []
    for sid in students:
        out = work / "out" / sid
        out.mkdir(parents=True)
        nb = next((course / "submitted" / sid / AID).glob("*.ipynb"))
        times.append(run([sys.executable, "-m", "otter", "run", "-a", "autograder.zip", "-o", str(out), "--no-logo",
                          str(nb)], work, env))
    return times


def selfcheck_time(course: Path, sid: str) -> float:
    script = (
        "import sys, time, json\n"
        "nb = json.load(open('perceptron.ipynb'))\nns = {}\n"
        "for c in nb['cells']:\n"
        "    meta = c.get('metadata', {})\n"
        "    if c['cell_type'] == 'code' and 'skip-grading' not in meta.get('tags', []) "
        "and not meta.get('nbgrader', {}).get('grade'):\n"
        "        exec(''.join(c['source']), ns)\n"
        "from selfcheck import check\n"
        "check('fold_bias', namespace=ns)\n"
        "t = time.perf_counter(); check('fold_bias', namespace=ns); print('T', time.perf_counter() - t)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=course / "submitted" / sid / AID,
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    return float(proc.stdout.split("T ")[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--nbgrader-sample", type=int, default=None, help="per-notebook nbgrader runs (default N)")
    parser.add_argument("--otter-sample", type=int, default=10, help="notebooks graded with otter run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args()

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    course, students = build_course(tmp, args.n)
    print(f"{args.n} submissions of {AID}; {os.cpu_count()} cores; temporary course {course}", flush=True)

    kit1_wall, kit1_each, scores1 = kit(course, 1, env)
    kit2_wall, _, scores2 = kit(course, 2, env)
    assert scores1 == scores2, "1 and 2 workers disagree"
    course2, _ = build_course(tmp, 2 * args.n)
    kit_2n_wall, _, _ = kit(course2, 1, env)
    shutil.rmtree(course2, ignore_errors=True)

    run([sys.executable, "-m", "nbgrader", "generate_assignment", AID, "--force"], course, env)
    nbg_wall = run([sys.executable, "-m", "nbgrader", "autograde", AID, "--force"], course, env)
    nbg_each = nbgrader_in_process(course, students[: args.nbgrader_sample or args.n])
    otter_each = otter_runs(course, students[: args.otter_sample], env)
    check_s = selfcheck_time(course, students[0])

    m_kit = statistics.median(kit1_each)
    m_nbg, m_otter = statistics.median(nbg_each), statistics.median(otter_each)
    print(f"\nper notebook, median (s)      kit {m_kit:.3f}   nbgrader {m_nbg:.3f} ({m_nbg / m_kit:.1f}x)"
          f"   otter run {m_otter:.3f} ({m_otter / m_kit:.1f}x, {len(otter_each)} notebooks)")
    print(f"batch of {args.n}, CLI wall (s)    kit {kit1_wall:.1f}   nbgrader {nbg_wall:.1f} "
          f"({nbg_wall / kit1_wall:.1f}x)")
    print(f"batch per notebook (s)        kit {kit1_wall / args.n:.3f}   nbgrader {nbg_wall / args.n:.3f}")
    print(f"kit, 2 workers vs 1           {kit2_wall:.1f} s vs {kit1_wall:.1f} s: {kit1_wall / kit2_wall:.2f}x faster,"
          f" identical scores")
    print(f"kit, {2 * args.n} vs {args.n} submissions   {kit_2n_wall:.1f} s vs {kit1_wall:.1f} s: "
          f"time({2 * args.n}) / time({args.n}) = {kit_2n_wall / kit1_wall:.2f}")
    print(f"self-check of one exercise    {check_s:.3f} s (warm kernel)")
    print("\nkit: a fresh bubblewrap sandbox per submission; nbgrader and otter run student code unsandboxed.")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
