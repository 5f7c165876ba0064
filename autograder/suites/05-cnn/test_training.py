"""Hidden tests of 05-cnn: the models trained in the sandboxed worker, and train_model on its own.

The grader loads MNIST here (the bundled 5,000-image subset, or full MNIST when ``$AUTOGRADER_MNIST`` names
an ``mnist.npz``), sends the training images and labels and the test *images* to the worker, and scores the
predicted labels against test labels the worker never sees. Every run is seeded (``[training] seed`` of
grading.toml), uses pinned thread pools and has a wall-time budget. A model that cannot be trained (not
compiled, wrong input or output shape, more than ``max_params`` parameters, a NaN loss, over the budget)
scores zero on accuracy with the reason in the message.

``train_model`` is graded on its own: the kit builds a known-good model and records how the student's
``train_model`` calls ``model.fit`` (epochs, batch size, how many images).

A course that collects trained models (``[saved_model] file`` in grading.toml, or ``$AUTOGRADER_SAVED_MODEL``)
has the CNN's accuracy test evaluate the submitted file instead of training ``build_cnn_model``.
"""

from __future__ import annotations

import math
import os
import tomllib
import weakref
from pathlib import Path

import numpy as np
import pytest

from autograder.datasets import load_mnist
from autograder.selfcheck import CheckFailure, MissingFunction, StudentRaised, StudentTimeout

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

_runs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
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


# --------------------------------------------------------------------------- calling the kit


def raise_student_error(err) -> None:
    err = err if isinstance(err, dict) else {}
    fn, etype = str(err.get("function", "?"))[:100], str(err.get("type", "Exception"))[:100]
    message = str(err.get("message", ""))[:1500]
    if etype == "MissingFunction":
        raise MissingFunction(f"{fn} is not defined")
    if etype == "NotImplementedError":
        raise StudentRaised(f"{fn} is not implemented yet (it raises NotImplementedError)", etype)
    raise StudentRaised(f"{fn} raised {etype}" + (f": {message}" if message else ""), etype,
                        str(err.get("traceback", ""))[-4000:])


def _kit(student, what: str, helper: str, *args, **kwargs) -> dict:
    try:
        out = student.kit(helper, *args, **kwargs)
    except StudentTimeout:
        raise StudentTimeout(f"{what} did not finish within the call time limit (it hangs, or is far too slow)") \
            from None
    if not isinstance(out, dict):
        raise CheckFailure(f"{what}: the grader could not read the outcome")
    if out.get("error"):
        raise_student_error(out["error"])
    return out


def trained(student, builder: str) -> dict:
    """Build, train (the student's train_model) and predict in the worker; cached per submission."""
    cache = _runs.setdefault(student, {})
    if builder not in cache:
        kind, ((x_train, y_train), (x_test, _)) = mnist()
        epochs, batch_size, _ = RUNS[kind][builder]
        try:
            cache[builder] = ("ok", _kit(
                student, f"training {builder}() with train_model", "keras_tools.train_and_predict", builder,
                x_train, y_train, x_test, epochs, batch_size, seed=SEED, time_budget_s=budget(kind),
                threads=THREADS, max_params=MAX_PARAMS))
        except Exception as exc:  # the same failure for every test that uses this run
            cache[builder] = ("raise", exc)
    status, value = cache[builder]
    if status == "raise":
        raise value
    return value


def probed(student) -> dict:
    """The student's train_model on the kit's own model (cached per submission)."""
    cache = _runs.setdefault(student, {})
    if "probe" not in cache:
        _, ((x_train, y_train), (x_test, _)) = _subset()
        n = PROBE["n_train"]
        try:
            cache["probe"] = ("ok", _kit(student, "train_model", "keras_tools.train_probe", x_train[:n], y_train[:n],
                                         x_test, PROBE["epochs"], PROBE["batch_size"], seed=SEED,
                                         time_budget_s=60.0, threads=THREADS))
        except Exception as exc:
            cache["probe"] = ("raise", exc)
    status, value = cache["probe"]
    if status == "raise":
        raise value
    return value


def _subset():
    if "subset" not in _data:
        _data["subset"] = ("subset", load_mnist("subset", quiet=True))
    return _data["subset"]


def _labels(out: dict, key: str, n: int) -> np.ndarray:
    pred = out.get(key)
    if not isinstance(pred, np.ndarray) or pred.shape != (n,) or pred.dtype.kind not in "iu":
        raise CheckFailure("the predicted labels could not be read (expected one int label per test image)")
    return pred


def _how(out: dict, epochs: int | None = None) -> str:
    run = f"{out.get('epochs_run')} of {epochs} epochs, " if epochs is not None else ""
    return f"{run}{out.get('wall_s')} s on {str(out.get('device', '?'))[:80]}"


def check_accuracy(student, builder: str) -> None:
    kind, (_, (_, y_test)) = mnist()
    epochs, _, threshold = RUNS[kind][builder]
    out = trained(student, builder)
    if out.get("problem"):
        raise CheckFailure(f"no accuracy points: {str(out['problem'])[:400]}")
    pred = _labels(out, "predictions", len(y_test))
    accuracy = float(np.mean(pred == y_test))
    where = "full MNIST" if kind == "full" else "the bundled MNIST subset"
    if accuracy < threshold:
        message = (f"{builder}: accuracy {accuracy:.3f} on {len(y_test)} test images of {where}, below "
                   f"{threshold:.3f} (trained {_how(out, epochs)})")
        fit_accuracy = out.get("fit_accuracy")
        if isinstance(fit_accuracy, float) and fit_accuracy >= accuracy + 0.1:
            message += (f"; on the images it was trained on it scores {fit_accuracy:.3f}: it memorized them "
                        "instead of learning what digits look like")
        raise CheckFailure(message)


# --------------------------------------------------------------------------- accuracy of the three models


@pytest.mark.question("build_dense_model")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Trained with your train_model, the softmax layer should classify most test digits correctly (above 85 %).",
    "Check that the model is compiled with sparse categorical cross-entropy and a working optimizer (Adam with a "
    "learning rate around 0.005), and that train_model trains on all the images it gets. A model that only "
    "memorizes its training images does not reach the threshold on new ones.",
)
@pytest.mark.spec(
    "then it trains each of them with your `train_model` (seeded, a fixed number of epochs, a time budget) on "
    "MNIST images and measures the accuracy on test images it keeps to itself.",
    "With the bundled 5,000-image subset of MNIST the thresholds are 85 % (softmax layer), 90 % (deep network) "
    "and 95 % (CNN); on full MNIST they are 90 %, 96 % and 98.8 %.",
)
def test_dense_accuracy(student):
    check_accuracy(student, "build_dense_model")


@pytest.mark.question("build_deep_model")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Trained with your train_model, the deep network should beat the softmax layer (above 90 % on new digits).",
    "relu activations (sigmoids learn slowly), a softmax output, a moderate dropout rate and Adam with a "
    "learning rate around 0.003. A model that only memorizes its training images fails on new ones.",
)
@pytest.mark.spec(
    "then it trains each of them with your `train_model` (seeded, a fixed number of epochs, a time budget) on "
    "MNIST images and measures the accuracy on test images it keeps to itself.",
    "With the bundled 5,000-image subset of MNIST the thresholds are 85 % (softmax layer), 90 % (deep network) "
    "and 95 % (CNN); on full MNIST they are 90 %, 96 % and 98.8 %.",
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
    out = _kit(student, f"evaluating {name}", "keras_tools.evaluate_saved", data, x_test, threads=THREADS,
               max_params=MAX_PARAMS, name=name)
    if out.get("problem"):
        raise CheckFailure(f"no accuracy points: {str(out['problem'])[:400]}")
    accuracy = float(np.mean(_labels(out, "predictions", len(y_test)) == y_test))
    if accuracy < threshold:
        raise CheckFailure(f"the submitted {name}: accuracy {accuracy:.3f} on {len(y_test)} test images, below "
                           f"{threshold:.3f} (evaluated in {out.get('wall_s')} s on {out.get('device')})")


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(4)
@pytest.mark.hint(
    "Trained with your train_model, the CNN should classify nearly all test digits correctly (above 95 % on the "
    "bundled subset, 98.8 % on full MNIST).",
    "Check the architecture tests first. Then: a softmax output with sparse categorical cross-entropy, Adam with "
    "a learning rate around 0.003, and a train_model that uses all the images for the requested epochs. A model "
    "that only memorizes its training images fails on new ones.",
)
@pytest.mark.spec(
    "then it trains each of them with your `train_model` (seeded, a fixed number of epochs, a time budget) on "
    "MNIST images and measures the accuracy on test images it keeps to itself.",
    "With the bundled 5,000-image subset of MNIST the thresholds are 85 % (softmax layer), 90 % (deep network) "
    "and 95 % (CNN); on full MNIST they are 90 %, 96 % and 98.8 %.",
    "the grader loads it in safe mode and measures its accuracy on test images it keeps to itself.",
)
def test_cnn_accuracy(student, submission_dir):
    name = saved_model_name()
    if name:
        _saved_model_accuracy(student, submission_dir, name)
    else:
        check_accuracy(student, "build_cnn_model")


# --------------------------------------------------------------------------- train_model on its own


def _probe_fits(student) -> tuple[dict, list[dict]]:
    out = probed(student)
    if out.get("problem"):
        raise CheckFailure(f"train_model: {str(out['problem'])[:400]}")
    calls = [c for c in out.get("fit_calls") or [] if isinstance(c, dict)]
    if not calls:
        raise CheckFailure("train_model never called model.fit on the model it was given")
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
def test_train_model_runs_the_requested_epochs(student):
    out, _ = _probe_fits(student)
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
def test_train_model_uses_the_batch_size(student):
    _, calls = _probe_fits(student)
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
def test_train_model_uses_all_training_images(student):
    _, calls = _probe_fits(student)
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
def test_train_model_returns_the_history(student):
    out, _ = _probe_fits(student)
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
def test_train_model_trains_the_given_model(student):
    out, _ = _probe_fits(student)
    _, (_, (_, y_test)) = _subset()
    accuracy = float(np.mean(_labels(out, "predictions", len(y_test)) == y_test))
    if not out.get("weights_changed") or accuracy < PROBE["min_accuracy"]:
        raise CheckFailure(f"after train_model the softmax layer it was given scores {accuracy:.3f} on new digits "
                           f"(expected at least {PROBE['min_accuracy']})")
