"""Hidden tests of 07-lstm: the character model and its training function.

Measured outside the worker (autograder/keras_measure.py, worker/measure.py): the worker builds the student's
model and sends it as a ``.keras`` archive; the measurement process, a sandbox where no student code runs, loads
it in safe mode, describes it (shapes, layers, compile settings, whether its outputs are probabilities) and
trains it there by model.fit with the student's compile settings from weights it initialises from the grader's
seed (a fixed seed, pinned threads, a time budget), then gives next-character probabilities for the held-out
windows, which the worker never receives. ``train_char_model`` is graded on its own: the kit's small model,
made in the measurement process, trained by it in the worker on part of the training windows, and the archive
that comes back compared there with the start.

The grader keeps the held-out targets and computes the perplexity here. The corpus is the solution notebook's
own ``load_corpus()`` (standard-library source, the same on every machine with the same Python), cut into
windows by its ``make_windows``; the vocabulary and the split are the grader's, so a wrong ``encode`` cannot
spoil this test. The grader checks that the returned rows are probabilities before it computes anything. The
bound is relative to a bigram model counted on the same training text (a model that only looks at the last
character gets about its perplexity), which makes it hold across Python versions whose modules differ a
little. Measured with the reference (2 threads, seed 1234): 4.61 against a bigram baseline of 8.49 (bound
6.37) and a unigram baseline of 16.10; a model without the LSTM (Embedding, Flatten, Dense) gets 7.08.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from autograder.keras_measure import built_archive, cached, raise_student_error
from autograder.selfcheck import CheckFailure, StudentTimeout

pytestmark = pytest.mark.visibility("hidden")

SETTINGS = tomllib.loads(Path(__file__).with_name("grading.toml").read_text(encoding="utf-8"))
TRAINING = SETTINGS.get("training", {})
SEED = int(TRAINING.get("seed", 1234))
THREADS = int(TRAINING.get("threads", 2))
SEQ_LEN = int(TRAINING.get("seq_len", 16))
STEP = int(TRAINING.get("step", 2))
HELDOUT = float(TRAINING.get("heldout_fraction", 0.1))
EPOCHS = int(TRAINING.get("epochs", 2))
BATCH_SIZE = int(TRAINING.get("batch_size", 64))
BUDGET_S = float(TRAINING.get("budget_s", 100))
MAX_PARAMS = int(TRAINING.get("max_params", 1_000_000))
MAX_RATIO = float(TRAINING.get("max_ratio_to_bigram", 0.75))
LOSS_NAMES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}

_data: dict[str, dict] = {}


# --------------------------------------------------------------------------- the corpus


def perplexity(p_target: np.ndarray) -> float:
    return float(np.exp(-np.mean(np.log(np.maximum(p_target, 1e-12)))))


def corpus(reference) -> dict:
    """Windows, targets and baselines of the corpus (built once per grading process)."""
    if "corpus" not in _data:
        text = reference.load_corpus()
        vocab = sorted(set(text))
        lookup = {ch: i for i, ch in enumerate(vocab)}
        ids = np.array([lookup[ch] for ch in text], dtype=np.int32)
        cut = int((1 - HELDOUT) * len(ids))
        x_train, y_train = (np.asarray(a, dtype=np.int32) for a in reference.make_windows(ids[:cut], SEQ_LEN, STEP))
        x_held, y_held = (np.asarray(a, dtype=np.int32) for a in reference.make_windows(ids[cut:], SEQ_LEN, STEP))
        v = len(vocab)
        unigram = (np.bincount(ids[:cut], minlength=v) + 1) / (cut + v)
        bigram = np.ones((v, v))
        np.add.at(bigram, (ids[: cut - 1], ids[1:cut]), 1)
        bigram /= bigram.sum(axis=1, keepdims=True)
        _data["corpus"] = {
            "vocab_size": v, "x_train": x_train, "y_train": y_train, "x_held": x_held, "y_held": y_held,
            "unigram": perplexity(unigram[y_held]), "bigram": perplexity(bigram[x_held[:, -1], y_held]),
        }
    return _data["corpus"]


# --------------------------------------------------------------------------- calling the kit


def _kit(student, what: str, helper: str, *args, **kwargs) -> dict:
    try:
        out = student.kit(helper, *args, **kwargs)
    except StudentTimeout:
        raise StudentTimeout(f"{what} did not finish within the call time limit (it hangs, or is far too slow)") \
            from None
    if not isinstance(out, dict):
        raise CheckFailure(f"{what}: the grader could not read the outcome")
    return out


def described(student, vocab_size: int, seq_len: int) -> dict:
    """The measured description of build_char_model(vocab_size, seq_len), from its archive (cached)."""
    out = cached(student, f"describe {vocab_size} {seq_len}", lambda: student.measure(
        "describe_chars", built_archive(student, "build_char_model", vocab_size, seq_len), vocab_size, seq_len))
    if not isinstance(out, dict):
        raise CheckFailure("the description of build_char_model's model could not be read")
    if out.get("problem"):
        raise CheckFailure(str(out["problem"])[:400])
    return out


def trained(student, reference) -> dict:
    """The submission's model trained and evaluated on the held-out windows in the measurement process."""
    def run():
        data = corpus(reference)
        archive = built_archive(student, "build_char_model", data["vocab_size"], SEQ_LEN)
        return student.measure("fit_and_predict_chars", archive, data["x_train"], data["y_train"], data["x_held"],
                               data["vocab_size"], SEQ_LEN, EPOCHS, BATCH_SIZE, seed=SEED, time_budget_s=BUDGET_S,
                               max_params=MAX_PARAMS)
    return cached(student, "train", run)


PROBE_WINDOWS = 3000


def probed(student, reference) -> dict:
    """The student's train_char_model on the grader's start model (the kit's small model, made in the
    measurement process), on part of the training windows; the archive it returns is compared there with the
    start (same architecture, weights changed). Cached."""
    def run():
        data = corpus(reference)
        start = student.measure("probe_start_chars", data["vocab_size"], SEQ_LEN, SEED)["archive"]
        out = _kit(student, "train_char_model", "keras_archive.train_char_archive", start,
                   data["x_train"][:PROBE_WINDOWS], data["y_train"][:PROBE_WINDOWS], EPOCHS, BATCH_SIZE, seed=SEED,
                   time_budget_s=BUDGET_S, threads=THREADS)
        if isinstance(out.get("archive"), np.ndarray):
            measured = student.measure("compare", out["archive"], start)
            out = {**out, "weights_changed": bool(measured.get("weights_changed")) and not measured.get("problem"),
                   "same_architecture": measured.get("same_architecture") is True}
        else:
            out = {**out, "weights_changed": False, "same_architecture": False}
        return out
    return cached(student, "probe", run)


def not_probabilities(rows: np.ndarray, atol: float = 1e-3) -> str:
    """Why ``rows`` are not probability rows (finite, in [0, 1], each summing to 1), or "" when they are."""
    rows = np.asarray(rows, dtype=np.float64)
    if not np.all(np.isfinite(rows)):
        return "some are NaN or infinite"
    if rows.min(initial=0.0) < -1e-6 or rows.max(initial=0.0) > 1 + 1e-6:
        return f"values from {rows.min():.3g} to {rows.max():.3g}, outside [0, 1]"
    sums = rows.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=atol):
        return f"rows sum to {sums.min():.3g}..{sums.max():.3g}, not 1"
    return ""


def has_lstm(layers: list) -> bool:
    return any(layer.get("type") == "LSTM" or layer.get("inner") == "LSTM" or layer.get("cell") == "LSTMCell"
               for layer in layers if isinstance(layer, dict))


# --------------------------------------------------------------------------- build_char_model


@pytest.mark.question("build_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The model's input and output shapes must follow the arguments vocab_size and seq_len.",
    "keras.Input(shape=(seq_len,), dtype='int32'), Embedding(vocab_size, 32), and a last Dense layer of "
    "vocab_size units: use the arguments, not the numbers of the notebook's corpus.",
)
@pytest.mark.spec(
    "Write `build_char_model(vocab_size, seq_len)`, a Keras model that takes windows of `seq_len` character "
    "indices and returns the probabilities of the next character:",
    '| `keras.Input(shape=(seq_len,), dtype="int32")` |',
    '| `Dense(vocab_size, activation="softmax")` | (None, V) |',
)
def test_model_shapes_follow_the_arguments(student):
    for vocab_size, seq_len in ((23, 7), (50, 12)):
        d = described(student, vocab_size, seq_len)
        if d.get("input_shape") not in ([None, seq_len], [None, None]) or d.get("output_shape") != [None, vocab_size]:
            raise CheckFailure(f"build_char_model({vocab_size}, {seq_len}) takes {d.get('input_shape')} and gives "
                               f"{d.get('output_shape')}; expected [None, {seq_len}] and [None, {vocab_size}]")


@pytest.mark.question("build_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The model needs an LSTM layer: it is what reads the window in order.",
    "Embedding -> LSTM(128) -> Dense(vocab_size, softmax). Without the LSTM layer (Dense layers only, e.g. on "
    "a flattened window) the model has no memory of the order of the characters.",
)
@pytest.mark.spec(
    "Embedding(vocab_size, 32) -> LSTM(128) -> Dense(vocab_size, softmax), compiled (Adam 0.01, sparse "
    "categorical cross-entropy).",
)
def test_model_has_an_lstm(student):
    d = described(student, 23, 7)
    layers = d.get("layers") or []
    if not has_lstm(layers):
        raise CheckFailure("the model has no LSTM layer (its layers: "
                           + ", ".join(str(layer.get("type")) for layer in layers if isinstance(layer, dict)) + ")")


@pytest.mark.question("build_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The model must output probabilities and be compiled for integer targets.",
    "The last layer is Dense(vocab_size, activation='softmax'); compile with "
    "keras.optimizers.Adam(learning_rate=0.01) and loss='sparse_categorical_crossentropy' (the targets are "
    "character indices, not one-hot rows).",
)
@pytest.mark.spec(
    "Embedding(vocab_size, 32) -> LSTM(128) -> Dense(vocab_size, softmax), compiled (Adam 0.01, sparse "
    "categorical cross-entropy).",
    "Compile it with `keras.optimizers.Adam(learning_rate=0.01)` (ten times Keras' default: the grader trains for "
    'only 2 epochs) and the loss `"sparse_categorical_crossentropy"` (the targets are character indices).',
)
def test_model_outputs_probabilities_and_is_compiled(student):
    d = described(student, 23, 7)
    if d.get("outputs_problem"):
        raise CheckFailure(str(d["outputs_problem"])[:400])
    if not d.get("compiled"):
        raise CheckFailure("the model is not compiled: call model.compile(...) before returning it")
    if str(d.get("loss")) not in LOSS_NAMES:
        raise CheckFailure(f"the model is compiled with the loss {str(d.get('loss'))[:80]!r}, not sparse "
                           "categorical cross-entropy")


@pytest.mark.question("build_char_model")
@pytest.mark.points(4)
@pytest.mark.hint(
    "Trained by the grader for 2 epochs with your compile settings, the model must predict held-out Python source "
    "much better than a bigram model.",
    "Check the other tests of build_char_model first. Then: Embedding(vocab_size, 32), LSTM(128), a softmax "
    "output, and Adam with learning_rate=0.01 (Keras' default of 0.001 is too slow for 2 epochs).",
)
@pytest.mark.spec(
    "It trains the model your `build_char_model` returns itself, with the same settings, and measures its held-out "
    "perplexity: it must be below **0.75 times the bigram baseline's**.",
    "trains it itself from fresh weights with the optimizer and loss you compiled it with (a fixed seed, 2 epochs, "
    "a time budget, on about 45,000 windows of Python source)",
)
def test_model_perplexity(student, reference):
    data = corpus(reference)
    out = trained(student, reference)
    probs = out.get("probs")
    if out.get("problem") or probs is None:
        raise CheckFailure(f"no perplexity points: {str(out.get('problem') or 'the model gave no predictions')[:400]}")
    n, v = len(data["y_held"]), data["vocab_size"]
    if not isinstance(probs, np.ndarray) or probs.shape != (n, v) or probs.dtype.kind != "f":
        raise CheckFailure("the grader could not read the model's predictions (one row of probabilities per window)")
    problem = not_probabilities(probs)
    if problem:
        raise CheckFailure(f"no perplexity points: the model's outputs are not probabilities ({problem})")
    p_target = probs[np.arange(n), data["y_held"]].astype(np.float64)
    ppl = perplexity(p_target)
    bound = MAX_RATIO * data["bigram"]
    if not ppl < bound:
        raise CheckFailure(
            f"held-out perplexity {ppl:.2f}, above the bound {bound:.2f} ({MAX_RATIO:g} x the bigram baseline "
            f"{data['bigram']:.2f}; unigram baseline {data['unigram']:.2f}); trained by the grader with your "
            f"compile settings, {out.get('epochs_run')} of {EPOCHS} epochs in {out.get('wall_s')} s on "
            f"{str(out.get('device', '?'))[:60]}")


# --------------------------------------------------------------------------- train_char_model (the same run)


def training(student, reference) -> dict:
    train = probed(student, reference)
    if train.get("error"):
        raise_student_error(train["error"])
    return train


def fit_calls(train: dict) -> list[dict]:
    calls = [c for c in train.get("fit_calls") or [] if isinstance(c, dict)]
    if not calls:
        raise CheckFailure("train_char_model never called model.fit on the model it was given")
    return calls


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Train for exactly the number of epochs you are given.",
    "Pass the epochs on to model.fit (epochs=epochs): the grader asks for a number of epochs and counts how "
    "many really ran.",
)
@pytest.mark.spec(
    "Write `train_char_model(model, x, y, epochs, batch_size)`: train the compiled model on the windows `x` (`(n, "
    "seq_len)` ints) and targets `y` (`(n,)` ints) for `epochs` epochs with mini-batches of `batch_size`, and "
    "return the `History` that `model.fit` returns.",
    "Your training function is graded by its own tests, on a small model of the grader's.",
)
def test_train_runs_the_requested_epochs(student, reference):
    train = training(student, reference)
    fit_calls(train)
    if train.get("epochs_run") != EPOCHS:
        raise CheckFailure(f"train_char_model(model, x, y, epochs={EPOCHS}, ...) trained {train.get('epochs_run')} "
                           "epoch(s)" + (" (stopped at the time budget)" if train.get("stopped_for_budget") else ""))


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Use the batch size you are given.",
    "Pass batch_size on to model.fit (batch_size=batch_size); Keras' default is 32.",
)
@pytest.mark.spec(
    "Write `train_char_model(model, x, y, epochs, batch_size)`: train the compiled model on the windows `x` (`(n, "
    "seq_len)` ints) and targets `y` (`(n,)` ints) for `epochs` epochs with mini-batches of `batch_size`, and "
    "return the `History` that `model.fit` returns.",
)
def test_train_uses_the_batch_size(student, reference):
    sizes = sorted({c.get("batch_size") for c in fit_calls(training(student, reference))}, key=str)
    if sizes != [BATCH_SIZE]:
        raise CheckFailure(f"train_char_model(..., batch_size={BATCH_SIZE}) called model.fit with batch_size "
                           f"{', '.join(str(s) for s in sizes)}")


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Train on all the windows you are given, not on a part of them.",
    "Pass the whole x and y to model.fit (a validation_split of up to 10 % is fine).",
)
@pytest.mark.spec(
    "Train on all the windows you are given",
)
def test_train_uses_all_windows(student, reference):
    calls = fit_calls(training(student, reference))
    n = min(PROBE_WINDOWS, len(corpus(reference)["y_train"]))
    used = max((c.get("n_samples") or 0) * (1 - float(c.get("validation_split") or 0)) for c in calls)
    if used < 0.9 * n:
        raise CheckFailure(f"train_char_model was given {n} windows but trained on {int(used)} of them")


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return what model.fit returns: the History, with one loss per epoch.",
    "history = model.fit(...); return history. history.history['loss'] lists the training loss of each "
    "epoch; it should go down.",
)
@pytest.mark.spec(
    "Write `train_char_model(model, x, y, epochs, batch_size)`: train the compiled model on the windows `x` (`(n, "
    "seq_len)` ints) and targets `y` (`(n,)` ints) for `epochs` epochs with mini-batches of `batch_size`, and "
    "return the `History` that `model.fit` returns.",
)
def test_train_returns_the_history(student, reference):
    train = training(student, reference)
    if train.get("problem"):
        raise CheckFailure(str(train["problem"])[:300])
    losses = train.get("loss")
    if not isinstance(losses, list) or len(losses) != train.get("epochs_run"):
        raise CheckFailure(f"the returned History holds {len(losses) if isinstance(losses, list) else 'no'} losses "
                           f"for {train.get('epochs_run')} epochs trained")
    if not all(isinstance(v, float) and np.isfinite(v) for v in losses) or not losses[-1] < losses[0]:
        raise CheckFailure(f"the training loss does not go down: {[round(v, 4) for v in losses]}")


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Train the model you are given, not a copy or a new one.",
    "Call fit on the model argument itself: the grader measures that very model afterwards.",
)
@pytest.mark.spec(
    "Write `train_char_model(model, x, y, epochs, batch_size)`: train the compiled model on the windows `x` (`(n, "
    "seq_len)` ints) and targets `y` (`(n,)` ints) for `epochs` epochs with mini-batches of `batch_size`, and "
    "return the `History` that `model.fit` returns.",
    "The grader calls it on a small character model of its own, with `epochs=2` and `batch_size=64`, and checks "
    "that it trains that very model as asked.",
)
def test_train_trains_the_given_model(student, reference):
    train = training(student, reference)
    if not train.get("same_architecture"):  # measured on the archive it returned, not the worker's word
        raise CheckFailure("train_char_model left a different model than the one it was given (its layers changed)")
    if not train.get("weights_changed"):
        raise CheckFailure("the weights of the model given to train_char_model did not change")
