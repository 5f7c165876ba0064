"""Hidden tests of 05-cnn: the three models trained and evaluated, and train_model on its own.

Measured outside the worker (see autograder/keras_measure.py and worker/measure.py): each builder's model
crosses as its ``.keras`` archive (the same archive the architecture tests describe) into the measurement
process, a sandbox where no student code runs. There it is loaded in safe mode, its weights are initialised
afresh from the grader's seed (weights that came with it earn nothing), it is trained by ``model.fit`` with
the student's own compile settings, and it predicts labels for the test images; the grader scores them
against labels no sandbox can read. The grader loads MNIST here (the bundled 5,000-image subset, or full
MNIST when ``$AUTOGRADER_MNIST`` names an ``mnist.npz``). Every run is seeded (``[training] seed`` of
grading.toml), uses pinned thread pools and has a wall-time budget. A model that cannot be trained (not
compiled, wrong input or output shape, more than ``max_params`` parameters, a NaN loss, over the budget)
scores zero on accuracy with the reason in the message.

``train_model`` is graded on its own: the measurement process makes a known-good softmax model (the start,
its weights from the grader's seed), the worker trains it with the student's ``train_model`` on images whose
labels are renamed by a permutation secret to the submission (pasted-in weights know the digits, not their
new names), and the measurement process evaluates the archive that comes back: the same architecture as the
start, weights changed, accuracy on the renamed test labels, and the optimizer steps it records against the
``model.fit`` calls the worker reports (epochs, batch size, how many images).

A course that collects trained models (``[saved_model] file`` in grading.toml, or ``$AUTOGRADER_SAVED_MODEL``)
has the CNN's accuracy test evaluate the submitted file instead of training ``build_cnn_model``.
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

from autograder.datasets import load_mnist
from autograder.keras_measure import built_archive, cached, labels
from autograder.keras_measure import raise_student_error as raise_student_error
from autograder.selfcheck import CheckFailure, StudentTimeout

pytestmark = pytest.mark.visibility("hidden")

SETTINGS = tomllib.loads((Path(__file__).with_name("grading.toml")).read_text(encoding="utf-8"))
TRAINING = SETTINGS.get("training", {})
SEED = int(TRAINING.get("seed", 1234))
THREADS = int(TRAINING.get("threads", 2))
MAX_PARAMS = int(TRAINING.get("max_params", 2_000_000))
MAX_MODEL_BYTES = 48 * 1024 * 1024

# (epochs, batch size, accuracy threshold) per model and data set. The reference reaches, with seed 1234 and
# 2 threads (seeds 0 and 7 within 0.005): subset 0.902 / 0.924 / 0.970, full MNIST 0.924 / 0.972 / 0.991.
RUNS = {
    "subset": {"build_dense_model": (5, 100, 0.85), "build_deep_model": (10, 100, 0.90),
               "build_cnn_model": (6, 100, 0.95)},
    "full": {"build_dense_model": (2, 100, 0.90), "build_deep_model": (3, 100, 0.96),
             "build_cnn_model": (3, 100, 0.988)},
}
PROBE = {"n_train": 1000, "epochs": 3, "batch_size": 50, "min_accuracy": 0.75}

_data: dict[str, tuple] = {}


# --------------------------------------------------------------------------- data and settings


def mnist() -> tuple[str, tuple]:
    """("full" or "subset", ((x_train, y_train), (x_test, y_test))), loaded once per grading process."""
    path = os.environ.get("AUTOGRADER_MNIST")
    key = f"path:{path}" if path else "subset"
    if key not in _data:
        data = load_mnist("path", path, quiet=True) if path else load_mnist("subset", quiet=True)
        _data[key] = ("full" if len(data[0][1]) >= 50_000 else "subset", data)
    return _data[key]


def saved_model_name() -> str:
    return os.environ.get("AUTOGRADER_SAVED_MODEL", SETTINGS.get("saved_model", {}).get("file", "")).strip()


def budget(kind: str) -> float:
    return float(TRAINING.get("budget_full_s" if kind == "full" else "budget_s", 240 if kind == "full" else 60))


# --------------------------------------------------------------------------- measuring


def trained(student, builder: str) -> dict:
    """The builder's archive trained (afresh, from the grader's seed) and evaluated in the measurement process."""
    def run():
        kind, ((x_train, y_train), (x_test, _)) = mnist()
        epochs, batch_size, _ = RUNS[kind][builder]
        out = student.measure("fit_and_predict", built_archive(student, builder), x_train, y_train, x_test, epochs,
                              batch_size, seed=SEED, time_budget_s=budget(kind), max_params=MAX_PARAMS,
                              what=f"{builder}()'s model")
        if not isinstance(out, dict):
            raise CheckFailure(f"training {builder}()'s model: the grader could not read the outcome")
        return out
    return cached(student, f"trained {builder}", run)


def permutation(seed: int) -> np.ndarray:
    """The renaming of the ten digits for train_model's probe: secret to the submission, never the identity."""
    rng = np.random.default_rng([seed, 5])
    while True:
        perm = rng.permutation(10)
        if not np.array_equal(perm, np.arange(10)):
            return perm


def probed(student, seed: int) -> dict:
    """The student's train_model on the grader's start model (renamed labels), measured from its archive."""
    def run():
        _, ((x_train, y_train), (x_test, _)) = _subset()
        n, perm = PROBE["n_train"], permutation(seed)
        start = student.measure("probe_start", SEED)["archive"]
        try:
            out = student.kit("keras_archive.train_archive", start, x_train[:n], perm[y_train[:n]], PROBE["epochs"],
                              PROBE["batch_size"], seed=SEED, time_budget_s=60.0, threads=THREADS)
        except StudentTimeout:
            raise StudentTimeout("train_model did not finish within the call time limit (it hangs, or is far too "
                                 "slow)") from None
        if not isinstance(out, dict):
            raise CheckFailure("train_model: the grader could not read the outcome")
        if out.get("error"):
            raise_student_error(out["error"])
        if not out.get("problem") and isinstance(out.get("archive"), np.ndarray):
            measured = student.measure("evaluate", out["archive"], x_test, like=start, what="the model train_model "
                                                                                            "trained")
            out = {**out, **{k: v for k, v in measured.items() if k != "problem"},
                   "problem": out.get("problem") or measured.get("problem", "")}
        return out
    return cached(student, f"probe {seed}", run)


def _subset():
    if "subset" not in _data:
        _data["subset"] = ("subset", load_mnist("subset", quiet=True))
    return _data["subset"]


def _how(out: dict, epochs: int | None = None) -> str:
    run = f"{out.get('epochs_run')} of {epochs} epochs, " if epochs is not None else ""
    return f"{run}{out.get('wall_s')} s on {str(out.get('device', '?'))[:80]}"


def check_accuracy(student, builder: str) -> None:
    kind, (_, (_, y_test)) = mnist()
    epochs, _, threshold = RUNS[kind][builder]
    out = trained(student, builder)
    if out.get("problem"):
        raise CheckFailure(f"no accuracy points: {str(out['problem'])[:400]}")
    accuracy = float(np.mean(labels(out, len(y_test)) == y_test))
    where = "full MNIST" if kind == "full" else "the bundled MNIST subset"
    if accuracy < threshold:
        raise CheckFailure(f"{builder}: accuracy {accuracy:.3f} on {len(y_test)} test images of {where}, below "
                           f"{threshold:.3f} (trained by the grader with your compile settings, {_how(out, epochs)})")


# --------------------------------------------------------------------------- accuracy of the three models

# The notebook's words for every accuracy test: the grader trains the model itself, against these bars.
ACCURACY_SPEC = (
    "then it trains each of them itself, from fresh weights and with the optimizer and loss you compiled it with "
    "(seeded, a fixed number of epochs, a time budget), on MNIST images and measures the accuracy on test images "
    "it keeps to itself.",
    "With the bundled 5,000-image subset of MNIST the thresholds are 85 % (softmax layer), 90 % (deep network) "
    "and 95 % (CNN); on full MNIST they are 90 %, 96 % and 98.8 %.",
)


@pytest.mark.question("build_dense_model")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Trained by the grader with your compile settings, the softmax layer should classify most test digits "
    "correctly (above 85 %).",
    "Check that the model is compiled with sparse categorical cross-entropy and a working optimizer (Adam with a "
    "learning rate around 0.005).",
)
@pytest.mark.spec(
    *ACCURACY_SPEC,
)
def test_dense_accuracy(student):
    check_accuracy(student, "build_dense_model")


@pytest.mark.question("build_deep_model")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Trained by the grader with your compile settings, the deep network should beat the softmax layer (above "
    "90 % on new digits).",
    "relu activations (sigmoids learn slowly), a softmax output, a moderate dropout rate and Adam with a "
    "learning rate around 0.003.",
)
@pytest.mark.spec(
    *ACCURACY_SPEC,
)
def test_deep_accuracy(student):
    check_accuracy(student, "build_deep_model")


def _saved_model_accuracy(student, submission_dir, name: str) -> None:
    kind, (_, (x_test, y_test)) = mnist()
    threshold = RUNS[kind]["build_cnn_model"][2]
    if submission_dir is None:
        raise CheckFailure(f"the submitted {name} cannot be located (no submission folder)")
    path = Path(submission_dir) / name
    if path.is_symlink() or not path.is_file():
        raise CheckFailure(f"no {name} beside the notebook: this course grades the trained model you submit "
                           "(save it with model.save(...))")
    size = path.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise CheckFailure(f"{name} is {size / 2**20:.0f} MB, over the limit of {MAX_MODEL_BYTES // 2**20} MB")
    data = np.frombuffer(path.read_bytes(), dtype=np.uint8).copy()
    out = student.measure("evaluate", data, x_test, max_params=MAX_PARAMS, what=name)
    if out.get("problem"):
        raise CheckFailure(f"no accuracy points: {str(out['problem'])[:400]}")
    accuracy = float(np.mean(labels(out, len(y_test)) == y_test))
    if accuracy < threshold:
        raise CheckFailure(f"the submitted {name}: accuracy {accuracy:.3f} on {len(y_test)} test images, below "
                           f"{threshold:.3f} (evaluated in {out.get('wall_s')} s on {out.get('device')})")


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(4)
@pytest.mark.hint(
    "Trained by the grader with your compile settings, the CNN should classify nearly all test digits correctly "
    "(above 95 % on the bundled subset, 98.8 % on full MNIST).",
    "Check the architecture tests first. Then: a softmax output with sparse categorical cross-entropy and Adam "
    "with a learning rate around 0.003. A submitted model file that only memorized its training images fails on "
    "new ones.",
)
@pytest.mark.spec(
    *ACCURACY_SPEC,
    "the grader loads it in safe mode and measures its accuracy on test images it keeps to itself.",
)
def test_cnn_accuracy(student, submission_dir):
    name = saved_model_name()
    if name:
        _saved_model_accuracy(student, submission_dir, name)
    else:
        check_accuracy(student, "build_cnn_model")


# --------------------------------------------------------------------------- train_model on its own


def _probe_fits(student, seed: int) -> tuple[dict, list[dict]]:
    out = probed(student, seed)
    if out.get("problem"):
        raise CheckFailure(f"train_model: {str(out['problem'])[:400]}")
    calls = [c for c in out.get("fit_calls") or [] if isinstance(c, dict)]
    if not calls:
        raise CheckFailure("train_model never called model.fit on the model it was given")
    if out.get("same_architecture") is not True:
        raise CheckFailure("train_model returned a model that is not the one it was given (its layers changed)")
    if out.get("steps") != out.get("batches"):  # the archive's optimizer state against the worker's report
        raise CheckFailure(f"the trained model records {out.get('steps')} optimizer steps, but model.fit was seen "
                           f"to run {out.get('batches')} batches")
    return out, calls


@pytest.mark.question("train_model")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Train for exactly the number of epochs you are given.",
    "Pass epochs on to model.fit (epochs=epochs): the grader asks for a number of epochs and counts how many "
    "really ran.",
)
@pytest.mark.spec(
    "`epochs`, `batch_size`: pass them on; the grader asks for a number of epochs and counts how many ran.",
)
def test_train_model_runs_the_requested_epochs(student, seed):
    out, _ = _probe_fits(student, seed)
    epochs = PROBE["epochs"]
    if out.get("epochs_run") != epochs:
        raise CheckFailure(f"train_model(model, x, y, epochs={epochs}, ...) trained {out.get('epochs_run')} epochs")


@pytest.mark.question("train_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Use the batch size you are given.",
    "Pass batch_size on to model.fit (batch_size=batch_size); Keras' default is 32.",
)
@pytest.mark.spec(
    "`epochs`, `batch_size`: pass them on;",
    "Train the compiled model on images x (float32 in [0, 1], shaped like the model's input) and integer labels y "
    "for `epochs` epochs with mini-batches of `batch_size`",
)
def test_train_model_uses_the_batch_size(student, seed):
    _, calls = _probe_fits(student, seed)
    sizes = sorted({c.get("batch_size") for c in calls}, key=str)
    if sizes != [PROBE["batch_size"]]:
        raise CheckFailure(f"train_model(..., batch_size={PROBE['batch_size']}) called model.fit with batch_size "
                           f"{', '.join(str(s) for s in sizes)}")


@pytest.mark.question("train_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Train on all the training images you are given, not on a part of them.",
    "A model trained on a few images only memorizes them and fails on new digits: pass the whole x and y to "
    "model.fit (a validation_split of up to 20 % is fine).",
)
@pytest.mark.spec(
    "Train on *all* the images you are given.",
)
def test_train_model_uses_all_training_images(student, seed):
    _, calls = _probe_fits(student, seed)
    n = PROBE["n_train"]
    used = max((c.get("n_samples") or 0) * (1 - float(c.get("validation_split") or 0)) for c in calls)
    if used < 0.8 * n:
        raise CheckFailure(f"train_model was given {n} images but trained on {int(used)} of them")


@pytest.mark.question("train_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return what model.fit returns: the History, with one loss per epoch.",
    "history = model.fit(...); return history. history.history['loss'] lists the training loss of each epoch; "
    "it should go down.",
)
@pytest.mark.spec(
    'returns the `History` that `model.fit` returns (`history.history["loss"]` lists the training loss of each '
    "epoch)",
    "2 losses, going down: True",
)
def test_train_model_returns_the_history(student, seed):
    out, _ = _probe_fits(student, seed)
    losses = out.get("loss")
    if not isinstance(losses, list) or len(losses) != out.get("epochs_run"):
        raise CheckFailure(f"the returned History holds {len(losses) if isinstance(losses, list) else 'no'} losses "
                           f"for {out.get('epochs_run')} epochs trained")
    if not all(isinstance(v, float) and math.isfinite(v) for v in losses) or (
            len(losses) > 1 and not losses[-1] < losses[0]):
        raise CheckFailure(f"the training loss does not go down: {[round(v, 4) for v in losses]}")


@pytest.mark.question("train_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "After train_model the model it was given should classify digits well.",
    "Train the model you are given (not a copy, not a new one), on x and y as they are: the images are already "
    "scaled to [0, 1] and shaped like the model's input, the labels are class numbers.",
)
@pytest.mark.spec(
    "`train_model(model, x, y, epochs, batch_size)` trains a compiled model",
    "`x`: the training images, float32 in $[0, 1]$, shaped like the model's input, e.g. `(n, 28, 28, 1)`;",
)
def test_train_model_trains_the_given_model(student, seed):
    out, _ = _probe_fits(student, seed)
    _, (_, (_, y_test)) = _subset()
    accuracy = float(np.mean(labels(out, len(y_test)) == permutation(seed)[y_test]))
    if not out.get("weights_changed") or accuracy < PROBE["min_accuracy"]:
        raise CheckFailure(f"after train_model the softmax layer it was given scores {accuracy:.3f} on new digits "
                           f"(expected at least {PROBE['min_accuracy']})")
