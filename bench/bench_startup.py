"""Start-up cost per submission: what a fresh sandboxed interpreter costs, and what the kit saves.

    .venv/bin/python bench/bench_startup.py [--repeat 10] [--tensorflow]

Prints, side by side in one run: bare vs sandboxed `python -c pass` and `import numpy` (and
`import tensorflow` with --tensorflow); the time until a worker has loaded a notebook; and one
submission graded end to end with the worker booted while pytest collects (prestart) and without.
Every submission still gets a fresh sandbox and a clean interpreter.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from autograder.course import load_assignment
from autograder.notebook_code import extract_code
from autograder.runner import find_submissions, grade_submission
from autograder.sandbox.__main__ import _bare, _sandboxed
from autograder.session import SessionOptions, WorkerSession

ROOT = Path(__file__).resolve().parents[1]


def median_ms(fn, repeat: int) -> float:
    fn()  # warm the page cache
    return 1000 * statistics.median(fn() for _ in range(repeat))


def worker_ready(notebook: Path) -> float:
    start = time.perf_counter()
    with WorkerSession(extract_code(notebook), SessionOptions()) as session:
        session.start()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--tensorflow", action="store_true", help="also time `import tensorflow`")
    args = parser.parse_args()
    snippets = {"python -c pass": "pass", "import numpy": "import numpy"}
    if args.tensorflow:
        snippets["import tensorflow"] = "import tensorflow"
    print(f"{'':24}{'bare (ms)':>12}{'sandbox (ms)':>14}{'overhead':>10}")
    for label, code in snippets.items():
        repeat = 3 if "tensorflow" in code else args.repeat
        bare = median_ms(lambda c=code: _bare(c), repeat)
        boxed = median_ms(lambda c=code: _sandboxed(c), repeat)
        print(f"{label:24}{bare:>12.1f}{boxed:>14.1f}{boxed - bare:>+9.1f}")

    assignment = load_assignment("01-perceptron", ROOT)
    alice = next(iter(find_submissions(ROOT / "examples" / "submitted", assignment, "alice")))
    ready = median_ms(lambda: worker_ready(alice.path), args.repeat)
    print(f"\nworker ready with the notebook loaded: {ready:.1f} ms")
    timings = {}
    for prestart in (False, True):
        options = SessionOptions(prestart=prestart, plots=False)
        timings[prestart] = median_ms(lambda o=options: _grade(assignment, alice, o), args.repeat)
    print(f"one submission graded (no plots): {timings[False]:.1f} ms sequential, {timings[True]:.1f} ms with the "
          f"worker booting during test collection: {timings[False] - timings[True]:+.1f} ms saved "
          f"({100 * (1 - timings[True] / timings[False]):.0f}%)")


def _grade(assignment, sub, options) -> float:
    start = time.perf_counter()
    grade_submission(assignment, sub, options)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
