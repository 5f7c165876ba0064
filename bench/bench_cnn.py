"""Benchmark of 05-cnn: how fast the reference CNN learns, and what grading one CNN submission costs.

    .venv/bin/python bench/bench_cnn.py [--repeat 2] [--full] [--skip-train]

Prints

* the reference CNN's time to accuracy on the bundled MNIST subset (4,000 training images, batch 100, the
  reference train_model, TensorFlow pinned to the grader's thread count): test accuracy and wall time after
  each epoch, TensorFlow's import time; with ``--full`` (and full MNIST at ``$AUTOGRADER_MNIST`` or
  ``../shared/data/mnist.npz``) the same for full MNIST, 3 epochs;
* the end-to-end grading time of one CNN submission (the reference notebook, all 39 points: public and hidden
  tests, three models trained in the measurement sandbox, TensorFlow's imports included), from the
  result's ``duration``, with the slowest tests; with ``--full`` also graded on full MNIST;
* the worker's peak memory (the memory cgroup's high-water mark, ``memory_peak`` of the result).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from autograder.course import load_assignment  # noqa: E402
from autograder.datasets import load_mnist  # noqa: E402
from autograder.reference import reference_namespace  # noqa: E402
from autograder.runner import Submission, grade_submission  # noqa: E402
from autograder.session import options_for  # noqa: E402

AID = "05-cnn"
FULL = Path(os.environ.get("AUTOGRADER_MNIST") or ROOT.parent / "shared" / "data" / "mnist.npz")


def time_to_accuracy(data, epochs: int, threads: int, targets: tuple[float, ...]) -> None:
    """Train the reference CNN with the reference train_model; test accuracy and time after each epoch."""
    start = time.perf_counter()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    print(f"  TensorFlow import: {time.perf_counter() - start:.1f} s; {threads} threads")
    ref = reference_namespace(load_assignment(AID, ROOT).source_notebook)
    (x, y), (xt, yt) = data
    x = (x / 255).astype("float32")[..., None]
    xt = (xt / 255).astype("float32")[..., None]
    keras.utils.set_random_seed(1234)
    model = ref["build_cnn_model"]()
    rows: list[tuple[int, float, float]] = []
    t0 = time.perf_counter()
    fit_time = 0.0
    for epoch in range(epochs):  # one epoch at a time, so that evaluating is not counted as training
        t = time.perf_counter()
        lr = float(model.optimizer.learning_rate)
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
        model.optimizer.learning_rate = lr * 0.6  # the reference train_model's decay, between epochs
        fit_time += time.perf_counter() - t
        accuracy = float((model.predict(xt, batch_size=500, verbose=0).argmax(1) == yt).mean())
        rows.append((epoch + 1, fit_time, accuracy))
        print(f"  epoch {epoch + 1}: {fit_time:6.1f} s of training, test accuracy {accuracy:.4f}")
    for target in targets:
        hit = next((r for r in rows if r[2] >= target), None)
        print(f"  time to {target:.1%}: " + (f"{hit[1]:.1f} s ({hit[0]} epochs)" if hit else "not reached"))
    print(f"  ({time.perf_counter() - t0:.1f} s with the evaluations)")


def grade_one(repeat: int, label: str) -> None:
    assignment = load_assignment(AID, ROOT)
    options = options_for(assignment.settings)
    durations, peaks = [], []
    result = None
    for _ in range(repeat):
        result = grade_submission(assignment, Submission("bench", assignment.source_notebook), options)
        durations.append(result.duration)
        peaks.append(result.memory_peak or 0)
        assert result.score == result.max_score, [(t.name, t.message) for t in result.tests if t.outcome != "passed"]
    print(f"  {label}: {result.score:g}/{result.max_score:g} points; grading time per submission: median "
          f"{statistics.median(durations):.1f} s (runs: {', '.join(f'{d:.1f}' for d in durations)}); "
          f"isolation {result.isolation}")
    print(f"  worker peak memory: {max(peaks) / 2**30:.2f} GiB (limit {options.limits.memory_mb / 1024:.1f} GiB)")
    slow = sorted(result.tests, key=lambda t: -t.duration)[:5]
    print("  slowest tests: " + ", ".join(f"{t.name} {t.duration:.1f} s" for t in slow))
    device = [line for line in result.output.splitlines() if line.startswith("[grader]")]
    for line in device:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="gradings of the reference submission")
    parser.add_argument("--full", action="store_true", help="also full MNIST (slow: minutes)")
    parser.add_argument("--skip-train", action="store_true", help="only the grading benchmark")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"05-cnn benchmark on {os.cpu_count()} CPU cores")
    full = args.full and FULL.is_file()
    if args.full and not full:
        print(f"(no full MNIST at {FULL}: subset only)")
    os.environ.pop("AUTOGRADER_MNIST", None)
    if not args.skip_train:
        print("reference CNN, time to accuracy, bundled subset (4,000 train / 1,000 test):")
        time_to_accuracy(load_mnist("subset", quiet=True), 6, args.threads, (0.95, 0.97))
        if full:
            print("reference CNN, time to accuracy, full MNIST (60,000 / 10,000):")
            time_to_accuracy(load_mnist("path", FULL, quiet=True), 3, args.threads, (0.988, 0.99))
    print("grading one CNN submission end to end (reference notebook, sandboxed worker):")
    grade_one(args.repeat, "bundled subset")
    if full:
        os.environ["AUTOGRADER_MNIST"] = str(FULL)
        grade_one(1, "full MNIST")


if __name__ == "__main__":
    main()
