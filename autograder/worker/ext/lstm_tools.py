"""Kit helpers for exercise 07-lstm, run inside the sandboxed worker next to the student's code.

Two things cannot cross into the grader: a numpy ``Generator`` (the ``rng`` that ``sample`` takes) and a
Keras model. These helpers use them here and send back plain data. Each takes the notebook's namespace
first (see ``main._kit_function``):

* ``sample_many(ns, probs, temperature, seed, n)``: ``n`` draws of the student's ``sample`` with one
  ``np.random.default_rng(seed)``, in a loop here (4,000 calls through the proxy would cost a second);
* ``describe(ns, vocab_size, seq_len)``: build ``build_char_model(vocab_size, seq_len)`` and describe it
  (layers, shapes, compile settings, whether its outputs are probabilities on a few windows);
* ``train_probe(ns, x, y, vocab_size, epochs, batch_size)``: the student's ``train_char_model`` on a small
  model the kit builds, for the public test;
* ``train_and_predict(ns, x_train, y_train, x_heldout, vocab_size, seq_len, epochs, batch_size, ...)``: the
  one training run of a submission: the student's model, trained by the student's ``train_char_model``
  under a fixed seed, pinned threads and a time budget; it returns the next-character probabilities for
  the held-out windows (their targets stay in the grader). The two functions are graded apart: when
  ``build_char_model`` fails the kit's own model is trained instead (``train_char_model`` still graded),
  and when ``train_char_model`` fails the kit trains the student's model with a plain ``model.fit``
  (``build_char_model`` still graded). Either way one full training per submission.

An exception in the student's code comes back as an ``error`` entry (function, type, message, traceback),
a reason for a zero that is not an exception as ``problem``; only a bug of the kit itself raises.
TensorFlow is imported on the first call that needs it, never at import time, and its thread pools are
pinned then (the thread count changes the numbers a run produces).
"""

from __future__ import annotations

import inspect
import time
import traceback
from typing import Any

import numpy as np

from . import tf_runtime

DEFAULT_THREADS = 2
MAX_PARAMS = 1_000_000
MAX_DRAWS = 100_000
_state = tf_runtime.STATE


# --------------------------------------------------------------------------- plumbing


def _keras(threads: int = DEFAULT_THREADS):
    """Keras, imported once with the thread pools pinned (see tf_runtime)."""
    return tf_runtime.load(threads)[1]


def _error(function: str, exc: BaseException) -> dict:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(line for line in tb if "/ext/lstm_tools.py" not in line and "/worker/main.py" not in line)
    return {"function": function, "type": type(exc).__name__, "message": str(exc)[:1500], "traceback": text[-3000:]}


def _missing(function: str) -> dict:
    return {"function": function, "type": "MissingFunction", "message": f"{function} is not defined",
            "traceback": ""}


def _function(namespace: dict, name: str):
    fn = namespace.get(name)
    return fn if callable(fn) else None


# --------------------------------------------------------------------------- sampling


def sample_many(namespace: dict, probs: np.ndarray, temperature: float, seed: int, n: int,
                readonly: bool = False) -> dict:
    """``n`` draws ``sample(probs, temperature, rng)`` with ``rng = np.random.default_rng(seed)``.

    Returns ``draws`` (int64 array of the indices, or None), ``types`` (the names of the types the calls
    returned, e.g. ["int"]), ``error`` (the first exception) and ``problem`` (a value that is no index).
    Each call gets its own copy of ``probs``; ``probs_changed`` says whether a call modified it (the grader does
    not rely on it). With ``readonly`` each call gets a read-only copy that cannot be made writeable again: a
    ``sample`` that writes into probs raises.
    """
    out: dict[str, Any] = {"draws": None, "types": [], "error": None, "problem": "", "probs_changed": False}
    fn = _function(namespace, "sample")
    if fn is None:
        return {**out, "error": _missing("sample")}
    probs = np.array(probs, dtype=np.float64)
    rng = np.random.default_rng(int(seed))
    draws = np.empty(min(int(n), MAX_DRAWS), dtype=np.int64)
    types: list[str] = []
    for k in range(len(draws)):
        given = np.frombuffer(probs.tobytes(), dtype=probs.dtype).reshape(probs.shape) if readonly else probs.copy()
        try:
            value = fn(given, temperature, rng)
        except Exception as exc:
            return {**out, "types": types, "error": _error("sample", exc)}
        if not out["probs_changed"] and not np.array_equal(given, probs):
            out["probs_changed"] = True
        kind = type(value).__name__
        if kind not in types:
            types.append(kind)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating,
                                                                          np.ndarray)):
            return {**out, "types": types, "problem": f"sample returned a {kind}, not an index"}
        arr = np.asarray(value)
        if arr.size != 1 or not np.isfinite(arr).all() or float(arr.reshape(-1)[0]) != int(arr.reshape(-1)[0]):
            return {**out, "types": types, "problem": f"sample returned {str(value)[:80]}, not one whole number"}
        draws[k] = int(arr.reshape(-1)[0])
    return {**out, "draws": draws, "types": types}


# --------------------------------------------------------------------------- models


def _shape(value: Any) -> list | None:
    try:
        return [None if d is None else int(d) for d in value]
    except TypeError:
        return None


def _layers(model, keras) -> list[dict]:
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out += _layers(layer, keras)
            continue
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)  # Bidirectional
        cell = getattr(layer, "cell", None)
        record = {"type": kind, "params": int(layer.count_params()),
                  "inner": type(inner).__name__ if inner is not None else "",
                  "cell": type(cell).__name__ if cell is not None else ""}
        config = layer.get_config()
        if "units" in config:
            record["units"] = int(config["units"])
        act = config.get("activation")
        if isinstance(act, str):
            record["activation"] = act
        out.append(record)
    return out


def _loss_name(model) -> str:
    loss = getattr(model, "loss", None)
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss
    try:
        config = loss.get_config()
    except Exception:
        config = {}
    name = config.get("name") or getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)
    return str(name)


def _compiled(model) -> bool:
    return bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None


def _build(namespace: dict, vocab_size: int, seq_len: int, keras) -> tuple[Any, dict | None, str]:
    """(model, error, problem) of ``build_char_model(vocab_size, seq_len)``."""
    fn = _function(namespace, "build_char_model")
    if fn is None:
        return None, _missing("build_char_model"), ""
    keras.backend.clear_session()
    try:
        model = fn(int(vocab_size), int(seq_len))
    except Exception as exc:
        return None, _error("build_char_model", exc), ""
    if not isinstance(model, keras.Model):
        return None, None, f"build_char_model returned a {type(model).__name__}, not a keras.Model"
    if not model.built:
        try:
            model.build((None, int(seq_len)))
        except Exception as exc:
            return None, None, (f"build_char_model: the model has no input shape and cannot take windows of "
                                f"{seq_len} character indices ({str(exc)[:200]})")
    return model, None, ""


def _shape_problem(model, vocab_size: int, seq_len: int) -> str:
    inp, out = model.input_shape, model.output_shape
    if isinstance(inp, list) or tuple(inp[1:]) not in ((seq_len,), (None,)):  # (None,): windows of any length
        return (f"build_char_model({vocab_size}, {seq_len}): the model's input shape is {inp}; it must take "
                f"windows of {seq_len} character indices, (None, {seq_len})")
    if isinstance(out, list) or tuple(out[1:]) != (vocab_size,):
        return (f"build_char_model({vocab_size}, {seq_len}): the model's output shape is {out}; it must give "
                f"{vocab_size} probabilities (one per character) for the character after each window, "
                f"(None, {vocab_size})")
    return ""


def _predict(model, x: np.ndarray) -> tuple[np.ndarray, str]:
    """(outputs as float32, problem): the model's outputs for x, checked to be probability rows."""
    if len(x) <= 64:  # a direct call: model.predict would trace a new function for every model described
        out = np.asarray(model(x, training=False))
    else:
        out = np.asarray(model.predict(x, batch_size=1000, verbose=0))
    if out.ndim != 2 or out.shape[0] != len(x):
        return out, f"the model's outputs have shape {out.shape}, not one row of probabilities per window"
    out = out.astype(np.float32)
    if not np.all(np.isfinite(out)):
        return out, "the model's outputs are NaN (or infinite): training went wrong"
    if np.any(out < -1e-6) or not np.allclose(out.sum(axis=1), 1.0, atol=1e-3):
        return out, ("the model's outputs are not probabilities (non-negative, summing to 1 per window): "
                     "the last layer needs a softmax")
    return out, ""


def _windows(rng: np.random.Generator, vocab_size: int, seq_len: int, n: int) -> np.ndarray:
    return rng.integers(0, vocab_size, size=(n, seq_len)).astype(np.int32)


def describe(namespace: dict, vocab_size: int, seq_len: int, threads: int = DEFAULT_THREADS) -> dict:
    """Build ``build_char_model(vocab_size, seq_len)`` and describe it as plain data.

    Keys: ``error`` / ``problem`` (nothing to describe, and why), ``input_shape``, ``output_shape``,
    ``layers`` (type, params, units, activation, the wrapped layer or cell of each), ``total_params``,
    ``compiled``, ``loss``, ``optimizer``, ``learning_rate``, ``outputs_problem`` (its outputs on 8 random
    windows are not probability rows: why; "" when they are), ``device``.
    """
    keras = _keras(threads)
    keras.utils.set_random_seed(0)
    model, error, problem = _build(namespace, vocab_size, seq_len, keras)
    if model is None:
        return {"error": error, "problem": problem}
    info: dict[str, Any] = {
        "error": None, "problem": "", "device": _state["device"],
        "input_shape": _shape(model.input_shape) if not isinstance(model.input_shape, list) else None,
        "output_shape": _shape(model.output_shape) if not isinstance(model.output_shape, list) else None,
        "layers": _layers(model, keras), "total_params": int(model.count_params()),
        "compiled": _compiled(model), "loss": "", "optimizer": "", "learning_rate": None, "outputs_problem": "",
    }
    if info["compiled"]:
        info["loss"] = _loss_name(model)
        info["optimizer"] = str(getattr(model.optimizer, "name", type(model.optimizer).__name__))
        try:
            info["learning_rate"] = float(model.optimizer.learning_rate)
        except Exception:  # a schedule
            info["learning_rate"] = None
    shape_problem = _shape_problem(model, vocab_size, seq_len)
    if shape_problem:
        info["outputs_problem"] = shape_problem
    else:
        try:
            _, info["outputs_problem"] = _predict(model, _windows(np.random.default_rng(0), vocab_size, seq_len, 8))
        except Exception as exc:
            info["outputs_problem"] = f"the model fails on a batch of windows: {type(exc).__name__}: {str(exc)[:300]}"
    return info


# --------------------------------------------------------------------------- training


class _FitRecorder:
    """Wraps ``model.fit``: records how it is called, counts the epochs that ran, stops past the deadline."""

    def __init__(self, model, keras, deadline: float):
        self.calls: list[dict] = []
        self.deadline = deadline
        self.epochs_run = 0
        self.stopped = False
        self._fit = model.fit
        recorder = self

        class Watch(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if time.monotonic() > recorder.deadline:
                    recorder.stopped = True
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                recorder.epochs_run += 1

        self.watch = Watch
        model.fit = self.fit

    def fit(self, *args, **kwargs):
        try:
            bound = inspect.signature(self._fit).bind(*args, **kwargs)
        except TypeError:
            return self._fit(*args, **kwargs)  # let Keras report the mistake
        a = bound.arguments
        epochs, initial = a.get("epochs", 1), a.get("initial_epoch", 0)
        self.calls.append({
            "epochs": epochs if isinstance(epochs, int) else None,
            "initial_epoch": initial if isinstance(initial, int) else None,
            "batch_size": a.get("batch_size") if isinstance(a.get("batch_size"), int) else None,
            "n_samples": _length(a.get("x")),
            "validation_split": float(a.get("validation_split") or 0.0),
        })
        a["callbacks"] = [*list(a.get("callbacks") or []), self.watch()]
        return self._fit(*bound.args, **bound.kwargs)


def _length(x: Any) -> int | None:
    shape = getattr(x, "shape", None)
    try:
        return int(shape[0]) if shape is not None and shape[0] is not None else None
    except (TypeError, IndexError):
        return None


def _history_losses(history: Any) -> tuple[list | None, str]:
    hist = getattr(history, "history", None)
    if not isinstance(hist, dict) or "loss" not in hist:
        return None, (f"train_char_model returned a {type(history).__name__}, not the History that model.fit "
                      "returns")
    try:
        return [float(v) for v in hist["loss"]], ""
    except (TypeError, ValueError):
        return None, "train_char_model's History holds losses that are not numbers"


def _train_with_student(namespace: dict, model, x, y, epochs: int, batch_size: int, deadline: float,
                        keras) -> dict:
    """The student's train_char_model on ``model`` under the recorder: a plain-data record."""
    out: dict[str, Any] = {"error": None, "problem": "", "loss": None, "fit_calls": [], "epochs_run": 0,
                           "stopped_for_budget": False, "weights_changed": False, "fit_s": 0.0}
    fn = _function(namespace, "train_char_model")
    if fn is None:
        return {**out, "error": _missing("train_char_model")}
    recorder = _FitRecorder(model, keras, deadline)
    before = [w.copy() for w in model.get_weights()]
    start = time.monotonic()
    try:
        history = fn(model, x, y, int(epochs), int(batch_size))
    except Exception as exc:
        out["error"] = _error("train_char_model", exc)
        history = None
    out["fit_s"] = round(time.monotonic() - start, 3)
    out.update(fit_calls=recorder.calls, epochs_run=recorder.epochs_run, stopped_for_budget=recorder.stopped)
    out["weights_changed"] = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.fit = recorder._fit
    if out["error"] is None:
        out["loss"], out["problem"] = _history_losses(history)
    return out


def _kit_model(keras, vocab_size: int, seq_len: int, units: int = 128, embed: int = 32):
    """The assignment's architecture, built by the kit (to grade train_char_model on its own)."""
    model = keras.Sequential([
        keras.Input(shape=(seq_len,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embed),
        keras.layers.LSTM(units),
        keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    return model


def train_and_predict(namespace: dict, x_train: np.ndarray, y_train: np.ndarray, x_heldout: np.ndarray,
                      vocab_size: int, seq_len: int, epochs: int, batch_size: int, seed: int = 0,
                      time_budget_s: float = 90.0, threads: int = DEFAULT_THREADS,
                      max_params: int = MAX_PARAMS) -> dict:
    """One training run: build, train (the student's functions where they work), predict the held-out windows.

    Seeded with ``keras.utils.set_random_seed(seed)`` right before the model is built; training past
    ``time_budget_s`` (from the build on) is stopped at the next batch. Returns

    * ``build``: ``error``/``problem`` of build_char_model (then ``kit_model`` is True: the kit's own model
      was trained instead), ``params``, ``layers``;
    * ``train``: the student's train_char_model: ``error``, ``problem`` (the returned value is no History),
      ``loss`` (the History's), ``fit_calls`` (epochs, batch_size, n_samples, validation_split of each
      model.fit call), ``epochs_run`` (counted by the kit), ``weights_changed``, ``stopped_for_budget``, ``fit_s``;
    * ``fit_by``: "student", or "kit" when train_char_model failed and the kit trained the model itself;
    * ``probs``: float32 (len(x_heldout), vocab_size) next-character probabilities of the trained model, or
      None with ``problem`` saying why; ``epochs_trained``, ``wall_s``, ``device``, ``threads``.
    """
    keras = _keras(threads)
    start = time.monotonic()
    deadline = start + float(time_budget_s)
    x_train = np.asarray(x_train, dtype=np.int32)
    y_train = np.asarray(y_train, dtype=np.int32)
    x_heldout = np.asarray(x_heldout, dtype=np.int32)
    result: dict[str, Any] = {"device": _state["device"], "threads": _state["threads"], "probs": None,
                              "problem": "", "fit_by": None, "epochs_trained": 0}
    build: dict[str, Any] = {"error": None, "problem": "", "kit_model": False, "params": None, "layers": []}
    keras.utils.set_random_seed(int(seed))
    model, build["error"], build["problem"] = _build(namespace, vocab_size, seq_len, keras)
    if model is not None:
        build["params"] = int(model.count_params())
        build["layers"] = _layers(model, keras)
        build["problem"] = _shape_problem(model, vocab_size, seq_len)
        if not build["problem"] and build["params"] > max_params:
            build["problem"] = (f"build_char_model: the model has {build['params']:,} parameters, over the limit "
                                f"of {max_params:,}; it was not trained")
        if not build["problem"] and not _compiled(model):
            build["problem"] = ("build_char_model: the model is not compiled (call model.compile(...) before "
                                "returning it)")
    if model is None or build["problem"]:
        keras.backend.clear_session()
        keras.utils.set_random_seed(int(seed))
        model, build["kit_model"] = _kit_model(keras, vocab_size, seq_len), True
    train = _train_with_student(namespace, model, x_train, y_train, epochs, batch_size, deadline, keras)
    result["fit_by"] = "student"
    result["epochs_trained"] = train["epochs_run"]
    if train["error"] is not None and not build["kit_model"]:
        # train_char_model failed: train the student's model the plain way, so that it can still be graded
        keras.utils.set_random_seed(int(seed))
        recorder = _FitRecorder(model, keras, deadline)
        try:
            model.fit(x_train, y_train, epochs=int(epochs), batch_size=int(batch_size), verbose=0)
        except Exception as exc:
            result["problem"] = f"the model could not be trained with model.fit: {type(exc).__name__}: {str(exc)[:400]}"
        result["fit_by"] = "kit"
        result["epochs_trained"] = recorder.epochs_run
        model.fit = recorder._fit
    if not build["kit_model"] and not result["problem"]:
        try:
            result["probs"], result["problem"] = _predict(model, x_heldout)
        except Exception as exc:
            result["problem"] = (f"the trained model fails on the held-out windows: {type(exc).__name__}: "
                                 f"{str(exc)[:300]}")
        if result["problem"]:
            result["probs"] = None
    result.update(build=build, train=train, wall_s=round(time.monotonic() - start, 3))
    print(f"[grader] char model: {result['epochs_trained']} epoch(s) on {len(x_train)} windows, trained by the "
          f"{result['fit_by']}'s code, in {result['wall_s']} s on {result['device']}", flush=True)
    return result


def train_probe(namespace: dict, x: np.ndarray, y: np.ndarray, vocab_size: int, epochs: int, batch_size: int,
                seed: int = 0, time_budget_s: float = 60.0, threads: int = DEFAULT_THREADS) -> dict:
    """The student's ``train_char_model`` on a small model the kit builds (Embedding(8), LSTM(16), softmax).

    Returns the record of :func:`train_and_predict`'s ``train`` part (``loss``, ``fit_calls``, ``epochs_run``,
    ``weights_changed``, ``error``, ``problem``) and ``wall_s``.
    """
    keras = _keras(threads)
    start = time.monotonic()
    x, y = np.asarray(x, dtype=np.int32), np.asarray(y, dtype=np.int32)
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    model = _kit_model(keras, int(vocab_size), int(x.shape[1]), units=16, embed=8)
    train = _train_with_student(namespace, model, x, y, epochs, batch_size, start + float(time_budget_s), keras)
    return {**train, "wall_s": round(time.monotonic() - start, 3)}
