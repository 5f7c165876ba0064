"""The measurement process: kit code only, never student code. Started in its own sandbox as
``python -I measure.py``; it speaks the worker's protocol (main.py) but loads no notebook.

It receives ``.keras`` archives as bytes, loads them with ``keras.saving.load_model(..., safe_mode=True)`` and
no custom objects (a subclassed Model or a layer defined in the notebook does not load: only standard Keras
layers are graded), and measures them: the description of the architecture and compile settings, training
from a start the grader seeds, predictions for test images. Its answers are what the grader scores; the
worker's own reports are used for messages only.

  describe(archive)                               -> the architecture, as keras_tools.describe gives it
  fit_and_predict(archive, x, y, x_test, ...)     -> the archive's architecture and compile settings, weights
                                                     initialised afresh from ``seed``, trained here by model.fit
  probe_start(seed)                               -> the kit's own softmax model (an archive) for train_model
  evaluate(archive, x_test, like=None)            -> predictions; with ``like`` (the start archive the grader
                                                     sent), whether the architecture is still that one and how
                                                     many optimizer steps the archive records
  describe_chars / fit_and_predict_chars          -> the same for 07's character model (probabilities for the
                                                     held-out windows, which only this process receives)

Training here starts from weights this process initialises from the grader's seed; a model whose
configuration carries arrays of numbers (a Constant initializer holding trained weights) is refused.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import main  # noqa: E402
import numpy as np  # noqa: E402
import protocol  # noqa: E402
from ext import keras_tools, lstm_tools, tf_runtime  # noqa: E402
from ext.keras_archive import _save  # noqa: E402

THREADS = keras_tools.DEFAULT_THREADS
SAFE_MODE_NOTE = ("only models made of standard Keras layers (keras.Sequential or the functional API) are graded; "
                  "a subclassed Model or a layer defined in the notebook cannot be loaded safely")


def _path() -> str:
    return os.path.join("/tmp" if os.path.isdir("/tmp") else ".", f"measure-{time.monotonic_ns()}.keras")


def _load(archive: np.ndarray, what: str, compile: bool = True):
    """(model, problem): the archive loaded in safe mode without custom objects."""
    _, keras = tf_runtime.load(THREADS)
    keras.backend.clear_session()
    path = _path()
    with open(path, "wb") as f:
        f.write(np.asarray(archive, dtype=np.uint8).tobytes())
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=compile)
    except Exception as exc:
        return None, (f"{what} could not be loaded in safe mode ({SAFE_MODE_NOTE}): {type(exc).__name__}: "
                      f"{str(exc)[:300]}")
    finally:
        os.remove(path)
    if not isinstance(model, keras.Model):
        return None, f"{what} does not hold a Keras model"
    return model, ""


def describe(archive: np.ndarray, what: str = "the model") -> dict:
    """The description of keras_tools.describe, measured on the archive: or ``problem``."""
    model, problem = _load(archive, what)
    if model is None:
        return {"error": None, "problem": problem}
    _, keras = tf_runtime.load(THREADS)
    return {"error": None, "problem": "", **keras_tools._description(model, keras),
            "device": tf_runtime.STATE["device"]}


def _fresh(model, keras, seed: int):
    """The same architecture and compile settings with weights initialised afresh under ``seed``."""
    keras.utils.set_random_seed(int(seed))
    clone = keras.models.clone_model(model)
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if config:
        clone.compile_from_config(config)
    return clone


def _carried_numbers(model, limit: int = 256) -> str:
    """Why the model's configuration is refused: it carries more than ``limit`` numbers in one layer (weights
    can hide in a configuration, e.g. as a Constant initializer's value, and come back on re-initialisation)."""
    def count(value) -> int:
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return sum(count(v) for v in value)
        return 1 if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    for layer in model.layers:
        n = count(layer.get_config())
        if n > limit:
            return (f"the configuration of layer {layer.name!r} carries {n} numbers: only layer settings belong "
                    "there (a weight-carrying initializer such as Constant(array) is refused)")
    return ""


def _trainable(archive: np.ndarray, what: str, shape_problem, max_params: int) -> tuple:
    """(model with fresh weights from the grader's seed later, params, problem) for a training run here."""
    model, problem = _load(archive, what)
    if model is None:
        return None, None, problem
    params = int(model.count_params())
    problem = shape_problem(model) or _carried_numbers(model)
    if not problem and params > max_params:
        problem = f"{what}: the model has {params:,} parameters, over the limit of {max_params:,}; it was not trained"
    if not problem and not keras_tools._compile_info(model)["compiled"]:
        problem = f"{what}: the model is not compiled (call model.compile(...) before returning it)"
    return model, params, problem


def fit_and_predict_chars(archive: np.ndarray, x_train: np.ndarray, y_train: np.ndarray, x_heldout: np.ndarray,
                          vocab_size: int, seq_len: int, epochs: int, batch_size: int, seed: int = 0,
                          time_budget_s: float = 90.0, max_params: int = lstm_tools.MAX_PARAMS,
                          what: str = "build_char_model") -> dict:
    """07: the archive's character model with its compile settings, weights initialised afresh from ``seed``,
    trained here by model.fit on the windows; ``probs`` (float32 rows) for the held-out windows, which no
    sandbox running student code ever receives."""
    start = time.monotonic()
    _, keras = tf_runtime.load(THREADS)
    base = {"problem": "", "probs": None, "epochs_run": 0, "device": tf_runtime.STATE["device"]}
    model, params, problem = _trainable(archive, what, lambda m: lstm_tools._shape_problem(m, vocab_size, seq_len),
                                        max_params)
    if problem:
        return {**base, "problem": problem}
    try:
        model = _fresh(model, keras, seed)
        recorder = keras_tools._FitRecorder(model, keras, start + time_budget_s)
        model.fit(np.asarray(x_train, dtype=np.int32), np.asarray(y_train, dtype=np.int32), epochs=int(epochs),
                  batch_size=int(batch_size), verbose=0)
    except Exception as exc:
        return {**base, "problem": f"{what}: the model cannot be trained: {type(exc).__name__}: {str(exc)[:400]}"}
    probs, problem = lstm_tools._predict(model, np.asarray(x_heldout, dtype=np.int32))
    return {**base, "probs": None if problem else probs, "problem": problem, "epochs_run": recorder.epochs_run,
            "params": params, "wall_s": round(time.monotonic() - start, 3)}


def describe_chars(archive: np.ndarray, vocab_size: int, seq_len: int) -> dict:
    """07: what lstm_tools.describe reports, measured on the archive of build_char_model(vocab_size, seq_len)."""
    model, problem = _load(archive, f"build_char_model({vocab_size}, {seq_len})'s model")
    if model is None:
        return {"error": None, "problem": problem}
    _, keras = tf_runtime.load(THREADS)
    info = {"error": None, "problem": "", "input_shape": keras_tools._description(model, keras)["input_shape"],
            "output_shape": keras_tools._description(model, keras)["output_shape"],
            "layers": lstm_tools._layers(model, keras), "total_params": int(model.count_params()),
            "compiled": lstm_tools._compiled(model), "loss": lstm_tools._loss_name(model) if
            lstm_tools._compiled(model) else "", "outputs_problem": lstm_tools._shape_problem(model, vocab_size,
                                                                                              seq_len)}
    if not info["outputs_problem"]:
        try:
            windows = lstm_tools._windows(np.random.default_rng(0), vocab_size, seq_len, 8)
            _, info["outputs_problem"] = lstm_tools._predict(model, windows)
        except Exception as exc:
            info["outputs_problem"] = f"the model fails on a batch of windows: {type(exc).__name__}: {str(exc)[:300]}"
    return info


def fit_and_predict(archive: np.ndarray, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                    epochs: int, batch_size: int, seed: int = 0, time_budget_s: float = 60.0,
                    max_params: int = keras_tools.MAX_PARAMS, what: str = "the model") -> dict:
    """Train the archive's architecture with its own compile settings, from weights this process initialises
    (weights that came with the archive are discarded), by ``model.fit``; predict labels for ``x_test``."""
    start = time.monotonic()
    _, keras = tf_runtime.load(THREADS)
    base = {"error": None, "problem": "", "predictions": None, "loss": None, "epochs_run": 0,
            "device": tf_runtime.STATE["device"], "threads": tf_runtime.STATE["threads"]}
    model, params, problem = _trainable(archive, what, lambda m: keras_tools._shape_problem(m, what), max_params)
    if problem:
        return {**base, "problem": problem, "params": params}
    try:
        model = _fresh(model, keras, seed)
    except Exception as exc:
        return {**base, "problem": f"{what}: its compile settings cannot be used again: {type(exc).__name__}: "
                                   f"{str(exc)[:300]}"}
    recorder = keras_tools._FitRecorder(model, keras, start + time_budget_s)
    x = keras_tools._as_input(x_train, model)
    try:
        history = model.fit(x, np.asarray(y_train, dtype=np.int64), epochs=int(epochs), batch_size=int(batch_size),
                            verbose=0)
    except Exception as exc:
        return {**base, "problem": f"{what} cannot be trained: {type(exc).__name__}: {str(exc)[:400]}"}
    losses = [float(v) for v in history.history.get("loss", [])]
    labels, finite, _ = keras_tools._predict(model, keras_tools._as_input(x_test, model))
    out = {**base, "predictions": labels, "loss": losses, "epochs_run": recorder.epochs_run, "params": params,
           "wall_s": round(time.monotonic() - start, 3)}
    if not finite or not all(np.isfinite(losses)):
        out["problem"] = "the loss became NaN (or infinite) during training: the model learned nothing usable"
    elif recorder.stopped:
        out["problem"] = (f"training ran past the time budget of {time_budget_s:g} s and was stopped after "
                          f"{recorder.epochs_run} epoch(s)")
    return out


def probe_start(seed: int = 0) -> dict:
    """The kit's softmax model, weights initialised under ``seed``, as an archive (the start of train_model's
    probe)."""
    _, keras = tf_runtime.load(THREADS)
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    return {"archive": _save(keras_tools._probe_model(keras))}


def _architecture(model) -> list:
    return [(type(layer).__name__, layer.get_config(), [tuple(w.shape) for w in layer.weights])
            for layer in model.layers]


def evaluate(archive: np.ndarray, x_test: np.ndarray, like: np.ndarray | None = None,
             max_params: int = keras_tools.MAX_PARAMS, what: str = "the model") -> dict:
    """Predicted labels for ``x_test`` from the archive's model. With ``like`` (an archive the grader made),
    ``same_architecture`` says whether the model is still that one (layers, their settings and weight shapes),
    ``weights_changed`` whether its weights differ from it, ``steps`` how many optimizer steps it records."""
    start = time.monotonic()
    base = {"problem": "", "predictions": None, "device": tf_runtime.STATE.get("device")}
    model, problem = _load(archive, what)
    if model is None:
        return {**base, "problem": problem}
    params = int(model.count_params())
    problem = keras_tools._shape_problem(model, what)
    if not problem and params > max_params:
        problem = f"{what}: the model has {params:,} parameters, over the limit of {max_params:,}"
    if problem:
        return {**base, "problem": problem}
    out = {**base, "params": params}
    if like is not None:
        architecture, weights = _architecture(model), [w.copy() for w in model.get_weights()]
        steps = getattr(getattr(model, "optimizer", None), "iterations", None)
        out["steps"] = int(steps.numpy()) if steps is not None else None
        start_model, problem = _load(like, "the start model")
        if start_model is None:
            raise RuntimeError(problem)  # the grader's own archive: a fault of the kit
        out["same_architecture"] = architecture == _architecture(start_model)
        out["weights_changed"] = len(weights) != len(start_model.get_weights()) or any(
            not np.array_equal(a, b) for a, b in zip(weights, start_model.get_weights()))
    labels, finite, probs = keras_tools._predict(model, keras_tools._as_input(x_test, model))
    out.update(predictions=labels, outputs_finite=finite, outputs_are_probabilities=probs,
               wall_s=round(time.monotonic() - start, 3))
    if not finite:
        out["problem"] = f"{what} gives NaN (or infinite) outputs"
    return out


def probe_start_chars(vocab_size: int, seq_len: int, seed: int = 0) -> dict:
    """07: the kit's small character model (Embedding(8), LSTM(16), softmax), weights from ``seed``, as an
    archive (the start of train_char_model's probe)."""
    _, keras = tf_runtime.load(THREADS)
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    return {"archive": _save(lstm_tools._kit_model(keras, int(vocab_size), int(seq_len), units=16, embed=8))}


def compare(archive: np.ndarray, like: np.ndarray) -> dict:
    """Whether the archive's model is still the start model ``like`` (``same_architecture``) and whether its
    weights changed (``weights_changed``); ``problem`` when it does not load."""
    model, problem = _load(archive, "the model train_char_model trained")
    if model is None:
        return {"problem": problem}
    architecture, weights = _architecture(model), [w.copy() for w in model.get_weights()]
    start_model, problem = _load(like, "the start model")
    if start_model is None:
        raise RuntimeError(problem)  # the grader's own archive: a fault of the kit
    start_weights = start_model.get_weights()
    return {"problem": "", "same_architecture": architecture == _architecture(start_model),
            "weights_changed": len(weights) != len(start_weights)
            or any(not np.array_equal(a, b) for a, b in zip(weights, start_weights))}


FUNCTIONS = {"describe": describe, "fit_and_predict": fit_and_predict, "probe_start": probe_start,
             "evaluate": evaluate, "describe_chars": describe_chars, "fit_and_predict_chars": fit_and_predict_chars,
             "probe_start_chars": probe_start_chars, "compare": compare}


def serve() -> None:
    """The worker's loop, with the measurement functions as the only namespace and no notebook code."""
    rfd, wfd = main._private_fds()
    while True:
        try:
            msg = protocol.read_frame(rfd)
        except EOFError:
            return
        if msg.get("op") == "load":  # no cells are ever run here; TensorFlow is imported now, while the grader
            tf_runtime.load(THREADS)  # goes on with other work (a prestarted session does not wait for this)
            protocol.write_frame(wfd, {"type": "loaded", "functions": sorted(FUNCTIONS)})
        elif msg.get("op") == "call":
            protocol.write_bytes(wfd, protocol.pack(main._call(msg, FUNCTIONS)))
        elif msg.get("op") == "exit":
            return


if __name__ == "__main__":
    serve()
