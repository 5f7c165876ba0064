"""Kit helpers for Keras models (exercise 05-cnn), run inside the sandboxed worker.

A keras.Model cannot cross into the grader, so these helpers build, train and evaluate the student's
models here and send back plain data: a layer-by-layer description, predicted labels, the loss history,
the time taken and the device used. Each takes the notebook's namespace first (see ``main._kit_function``):

* ``describe(ns, builder)``: build ``ns[builder]()`` and describe it (layers, shapes, parameters, compile
  settings);
* ``train_and_predict(ns, builder, x_train, y_train, x_test, ...)``: build, train with the student's
  ``train_model`` under a wall-time budget, predict labels for ``x_test`` (the labels stay in the grader);
* ``train_probe(ns, x, y, ...)``: the student's ``train_model`` on a model the kit builds itself, recording
  how it calls ``model.fit`` (epochs, batch size, how many images), so train_model is graded on its own;
* ``evaluate_saved(ns, model_file, x_test)``: a submitted ``.keras`` file (its bytes as a uint8 array),
  loaded in safe mode, and its predicted labels.

Images arrive as uint8 arrays of shape (n, 28, 28) (small frames); models get float32 in [0, 1] shaped
like their input: (n, 28, 28, 1), or (n, 28, 28) for a model whose input is (28, 28). Labels are int
class numbers (sparse categorical cross-entropy). An error in the student's code comes back as an
``error`` entry naming the function, a reason for a zero (uncompiled, wrong shapes, too many parameters,
NaN loss, over the time budget) as ``problem``; only a bug of the kit itself raises.

TensorFlow is imported on the first call, never at import time (loading a notebook stays cheap), and its
thread pools are pinned then: the thread count changes the numbers a run produces.
"""

from __future__ import annotations

import inspect
import math
import os
import time
import traceback
from typing import Any

import numpy as np

from . import tf_runtime

DEFAULT_THREADS = 2
MAX_PARAMS = 2_000_000
INPUT_SHAPES = ((28, 28, 1), (28, 28))
ACTIVATION_LAYERS = {"Activation", "ReLU", "Softmax"}
_state = tf_runtime.STATE


# --------------------------------------------------------------------------- TensorFlow, once


def _keras(threads: int = DEFAULT_THREADS):
    """TensorFlow and Keras, imported once with the thread pools pinned (see tf_runtime)."""
    return tf_runtime.load(threads)


def _student_error(function: str, exc: BaseException) -> dict:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(line for line in tb if "/ext/keras_tools.py" not in line and "/worker/main.py" not in line)
    return {"function": function, "type": type(exc).__name__, "message": str(exc)[:1500], "traceback": text[-3000:]}


def _build(namespace: dict, builder: str, keras) -> tuple[Any, dict | None, str]:
    """(model, error, problem): call the builder and check that it returned a Keras model."""
    fn = namespace.get(builder)
    if not callable(fn):
        return None, {"function": builder, "type": "MissingFunction", "message": f"{builder} is not defined",
                      "traceback": ""}, ""
    keras.backend.clear_session()
    try:
        model = fn()
    except Exception as exc:
        return None, _student_error(builder, exc), ""
    if not isinstance(model, keras.Model):
        return None, None, f"{builder}() returned a {type(model).__name__}, not a keras.Model"
    if not model.built:
        try:
            model.build((None, 28, 28, 1))  # a Sequential without keras.Input: give it the images' shape
        except Exception as exc:
            return None, None, f"{builder}(): the model has no input shape and cannot take (28, 28, 1) ({exc})"
    return model, None, ""


# --------------------------------------------------------------------------- describing


def _shape(value: Any) -> list | None:
    try:
        return [None if d is None else int(d) for d in value]
    except TypeError:
        return None


def _output_shape(layer) -> list | None:
    try:
        return _shape(layer.output.shape)
    except Exception:  # a layer used twice, or not connected
        return None


def _pair(value: Any) -> list | None:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else None


def _activation_name(value: Any) -> str:
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a serialized activation
        return str(value.get("config", value.get("class_name", "?")))
    return getattr(value, "__name__", type(value).__name__)


def _flat_layers(model, keras) -> list:
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out += _flat_layers(layer, keras)
        elif type(layer).__name__ != "InputLayer":
            out.append(layer)
    return out


def _layer_record(layer) -> dict:
    config = layer.get_config()
    kind = type(layer).__name__
    record: dict[str, Any] = {"type": kind, "name": str(layer.name), "output_shape": _output_shape(layer),
                              "params": int(layer.count_params())}
    if "activation" in config:
        record["activation"] = _activation_name(config.get("activation"))
    if kind == "ReLU":
        record["activation"] = "relu"
    elif kind == "Softmax":
        record["activation"] = "softmax"
    for key in ("filters", "units"):
        if key in config:
            record[key] = int(config[key])
    for key in ("kernel_size", "strides", "pool_size"):
        if key in config and _pair(config[key]) is not None:
            record[key] = _pair(config[key])
    if "padding" in config:
        record["padding"] = str(config["padding"])
    if "rate" in config:
        record["rate"] = float(config["rate"])
    return record


def _merge_activations(records: list[dict]) -> list[dict]:
    """Fold a separate Activation/ReLU/Softmax layer into the linear layer before it (same network)."""
    out: list[dict] = []
    for rec in records:
        prev = out[-1] if out else None
        if (rec["type"] in ACTIVATION_LAYERS and prev is not None and prev.get("activation") == "linear"
                and prev["type"] not in ACTIVATION_LAYERS):
            prev["activation"] = rec.get("activation", "linear")
            prev["merged"] = rec["type"]
            prev["output_shape"] = rec["output_shape"]
            continue
        out.append(dict(rec))
    return out


def _loss_info(model) -> tuple[str, bool | None]:
    loss = getattr(model, "loss", None)
    if loss is None:
        return "", None
    if isinstance(loss, str):
        return loss, False
    if isinstance(loss, (list, dict, tuple)):
        return f"several losses ({type(loss).__name__})", None
    try:
        config = loss.get_config()
    except Exception:
        config = {}
    name = config.get("name") or getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)
    return str(name), config.get("from_logits")


def _compile_info(model) -> dict:
    compiled = bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None
    info: dict[str, Any] = {"compiled": compiled, "loss": "", "from_logits": None, "optimizer": "",
                            "learning_rate": None}
    if not compiled:
        return info
    info["loss"], info["from_logits"] = _loss_info(model)
    opt = model.optimizer
    info["optimizer"] = str(getattr(opt, "name", type(opt).__name__))
    try:
        info["learning_rate"] = float(opt.learning_rate)
    except Exception:  # a schedule
        info["learning_rate"] = None
    return info


def _description(model, keras) -> dict:
    records = [_layer_record(layer) for layer in _flat_layers(model, keras)]
    return {
        "input_shape": _shape(model.input_shape) if not isinstance(model.input_shape, list) else None,
        "output_shape": _shape(model.output_shape) if not isinstance(model.output_shape, list) else None,
        "layers": _merge_activations(records),
        "raw_layers": [r["type"] for r in records],
        "total_params": int(model.count_params()),
        **_compile_info(model),
    }


def describe(namespace: dict, builder_name: str, threads: int = DEFAULT_THREADS) -> dict:
    """Build ``namespace[builder_name]()`` and describe it as plain data.

    Keys: ``error`` (the builder raised: function, type, message, traceback) or ``problem`` (not a Keras
    model) when it could not be built; otherwise ``input_shape``, ``output_shape``, ``layers`` (one dict per
    layer, InputLayer left out and separate activation layers folded into the layer before: ``type``,
    ``output_shape``, ``params``, ``activation``, ``filters``/``units``, ``kernel_size``, ``strides``,
    ``padding``, ``rate``), ``total_params``, ``compiled``, ``loss``, ``from_logits``, ``optimizer``,
    ``learning_rate``, and ``device``.
    """
    _, keras = _keras(threads)
    model, error, problem = _build(namespace, builder_name, keras)
    if model is None:
        return {"error": error, "problem": problem}
    return {"error": None, "problem": "", **_description(model, keras), "device": _state["device"]}


# --------------------------------------------------------------------------- training


def _as_input(x: np.ndarray, model) -> np.ndarray:
    """uint8 images (n, 28, 28) -> float32 in [0, 1] in the model's input shape."""
    x = np.asarray(x, dtype=np.float32) / 255.0
    return x.reshape((-1, *tuple(model.input_shape[1:])))


def _shape_problem(model, builder: str) -> str:
    inp = model.input_shape
    if isinstance(inp, list) or tuple(inp[1:]) not in INPUT_SHAPES:
        return f"{builder}(): the model's input shape is {inp}; it must take images of shape (28, 28, 1)"
    out = model.output_shape
    if isinstance(out, list) or tuple(out[1:]) != (10,):
        return f"{builder}(): the model's output shape is {out}; it must give 10 class probabilities per image"
    return ""


class _FitRecorder:
    """Wraps ``model.fit``: records how it is called, counts the epochs really run, stops past the deadline."""

    def __init__(self, model, keras, deadline: float):
        self.model, self.calls, self.deadline = model, [], deadline
        self.epochs_run = 0
        self.batches = 0
        self.stopped = False
        self.seen: tuple | None = None  # up to 1,000 of the images (and labels) model.fit last trained on
        self._fit = model.fit
        recorder = self

        class Watch(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                recorder.batches += 1
                if time.monotonic() > recorder.deadline:
                    recorder.stopped = True
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                recorder.epochs_run += 1
                if time.monotonic() > recorder.deadline:
                    recorder.stopped = True
                    self.model.stop_training = True

        self._watch_class = Watch
        model.fit = self.fit

    def fit(self, *args, **kwargs):
        try:
            bound = inspect.signature(self._fit).bind(*args, **kwargs)
        except TypeError:
            return self._fit(*args, **kwargs)  # let Keras report the mistake
        a = bound.arguments
        x = a.get("x")
        self.calls.append({
            "epochs": a.get("epochs", 1) if isinstance(a.get("epochs", 1), int) else None,
            "initial_epoch": a.get("initial_epoch", 0) if isinstance(a.get("initial_epoch", 0), int) else None,
            "batch_size": a.get("batch_size") if isinstance(a.get("batch_size"), int) else None,
            "n_samples": _length(x),
            "validation_split": float(a.get("validation_split") or 0.0),
        })
        y = a.get("y")
        if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and len(x) == len(y):
            self.seen = (x[:1000], y[:1000])
        callbacks = a.get("callbacks") or []
        a["callbacks"] = [*list(callbacks), self._watch_class()]
        return self._fit(*bound.args, **bound.kwargs)


def _length(x: Any) -> int | None:
    """How many examples ``x`` holds, when it is an array (a dataset or generator: unknown)."""
    if isinstance(x, np.ndarray):
        return int(x.shape[0]) if x.ndim else None
    shape = getattr(x, "shape", None)
    try:
        return int(shape[0]) if shape is not None and shape[0] is not None else None
    except (TypeError, IndexError):
        return None


def _history_losses(history: Any) -> tuple[list | None, str]:
    hist = getattr(history, "history", None)
    if not isinstance(hist, dict) or "loss" not in hist:
        return None, f"train_model returned a {type(history).__name__}, not the History that model.fit returns"
    try:
        return [float(v) for v in hist["loss"]], ""
    except (TypeError, ValueError):
        return None, "train_model's History holds losses that are not numbers"


def _predict(model, x: np.ndarray) -> tuple[np.ndarray, bool, bool]:
    """(labels, finite, probabilities): argmax of the model's outputs, and whether they look like softmax."""
    out = np.asarray(model.predict(x, batch_size=500, verbose=0), dtype=np.float64)
    finite = bool(np.all(np.isfinite(out)))
    probs = finite and bool(np.all(out >= -1e-6)) and bool(np.allclose(out.sum(axis=1), 1.0, atol=1e-3))
    labels = np.argmax(np.nan_to_num(out, nan=-np.inf), axis=1).astype(np.int64)
    return labels, finite, probs


def _run(namespace: dict, model, x_train, y_train, epochs: int, batch_size: int, budget: float, start: float,
         keras) -> dict:
    """Call the student's train_model on ``model`` under the recorder; plain-data outcome."""
    train_model = namespace.get("train_model")
    out: dict[str, Any] = {"error": None, "problem": "", "loss": None, "fit_calls": [], "epochs_run": 0,
                           "stopped_for_budget": False}
    if not callable(train_model):
        out["error"] = {"function": "train_model", "type": "MissingFunction",
                        "message": "train_model is not defined", "traceback": ""}
        return out
    recorder = _FitRecorder(model, keras, start + budget)
    x = _as_input(x_train, model)
    y = np.asarray(y_train, dtype=np.int64)
    fit_start = time.monotonic()
    try:
        history = train_model(model, x, y, int(epochs), int(batch_size))
    except Exception as exc:
        out["error"] = _student_error("train_model", exc)
        history = None
    out["fit_s"] = round(time.monotonic() - fit_start, 3)
    out.update(fit_calls=recorder.calls, epochs_run=recorder.epochs_run, batches=recorder.batches,
               stopped_for_budget=recorder.stopped, fit_accuracy=None)
    if recorder.seen is not None:  # how well the model knows the very images it was trained on
        try:
            labels, _, _ = _predict(model, recorder.seen[0])
            out["fit_accuracy"] = float(np.mean(labels == recorder.seen[1].reshape(-1)))
        except Exception:  # images the model cannot take: the student's own business
            pass
    if out["error"] is None:
        out["loss"], out["problem"] = _history_losses(history)
    return out


def train_and_predict(namespace: dict, builder_name: str, x_train: np.ndarray, y_train: np.ndarray,
                      x_test: np.ndarray, epochs: int, batch_size: int, seed: int = 0,
                      time_budget_s: float = 60.0, threads: int = DEFAULT_THREADS,
                      max_params: int = MAX_PARAMS) -> dict:
    """Build the student's model, train it with the student's ``train_model``, predict labels for x_test.

    Seeded with ``keras.utils.set_random_seed(seed)`` right before the model is built. Training past
    ``time_budget_s`` (counted from the build) is stopped at the next batch and reported. Returns
    ``predictions`` (int labels for x_test), ``fit_accuracy`` (the accuracy on up to 1,000 of the images
    model.fit was given: a model that memorized its training set does well there only), ``loss`` (the History's),
    ``epochs_run`` and ``fit_calls`` (counted by the kit), ``params``, ``wall_s``, ``device``, ``threads``;
    ``error``/``problem`` say why not, when there is nothing to grade.
    """
    _tf, keras = _keras(threads)
    start = time.monotonic()
    base = {"device": _state["device"], "threads": _state["threads"], "predictions": None, "loss": None,
            "params": None, "epochs_run": 0, "fit_calls": []}
    keras.utils.set_random_seed(int(seed))
    model, error, problem = _build(namespace, builder_name, keras)
    if model is None:
        return {**base, "error": error, "problem": problem, "wall_s": round(time.monotonic() - start, 3)}
    base["params"] = int(model.count_params())
    problem = _shape_problem(model, builder_name)
    if not problem and base["params"] > max_params:
        problem = (f"{builder_name}(): the model has {base['params']:,} parameters, over the limit of "
                   f"{max_params:,}; it was not trained")
    if not problem and not _compile_info(model)["compiled"]:
        problem = f"{builder_name}(): the model is not compiled (call model.compile(...) before returning it)"
    if problem:
        return {**base, "error": None, "problem": problem, "wall_s": round(time.monotonic() - start, 3)}
    run = _run(namespace, model, x_train, y_train, epochs, batch_size, time_budget_s, start, keras)
    result = {**base, **run}
    if run["error"] is None and not run["problem"]:
        labels, finite, probs = _predict(model, _as_input(x_test, model))
        result.update(predictions=labels, outputs_finite=finite, outputs_are_probabilities=probs)
        losses = run["loss"] or []
        if not finite or any(not math.isfinite(v) for v in losses):
            result["problem"] = "the loss became NaN (or infinite) during training: the model learned nothing usable"
    result["wall_s"] = round(time.monotonic() - start, 3)
    if result["stopped_for_budget"] and not result["problem"]:
        result["problem"] = (f"training ran past the time budget of {time_budget_s:g} s and was stopped after "
                             f"{result['epochs_run']} epoch(s)")
    print(f"[grader] {builder_name}: {result['epochs_run']} epoch(s) on {len(x_train)} images in {result['wall_s']} s "
          f"on {result['device']}", flush=True)
    return result


def _probe_model(keras):
    """The kit's own small model for grading train_model alone: the softmax layer of exercise 1."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train_probe(namespace: dict, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, epochs: int,
                batch_size: int, seed: int = 0, time_budget_s: float = 30.0,
                threads: int = DEFAULT_THREADS) -> dict:
    """The student's ``train_model`` on a model the kit builds (a known-good softmax layer).

    Returns ``fit_calls`` (epochs, batch_size, n_samples, validation_split of each ``model.fit`` call),
    ``epochs_run`` and ``batches`` (counted by the kit's callback), ``loss`` (from the returned History),
    ``predictions`` for x_test, ``error``/``problem``, ``wall_s``, ``device``.
    """
    _tf, keras = _keras(threads)
    start = time.monotonic()
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    model = _probe_model(keras)
    before = [w.copy() for w in model.get_weights()]
    run = _run(namespace, model, x_train, y_train, epochs, batch_size, time_budget_s, start, keras)
    result = {"device": _state["device"], "threads": _state["threads"], "predictions": None, **run}
    result["weights_changed"] = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    if run["error"] is None:
        result["predictions"], _, _ = _predict(model, _as_input(x_test, model))
    result["wall_s"] = round(time.monotonic() - start, 3)
    return result


# --------------------------------------------------------------------------- a submitted model file


def evaluate_saved(namespace: dict, model_file: np.ndarray, x_test: np.ndarray, threads: int = DEFAULT_THREADS,
                   max_params: int = MAX_PARAMS, name: str = "model.keras") -> dict:
    """Load a submitted ``.keras`` file (its bytes, as a uint8 array) in safe mode and predict labels for x_test.

    The worker cannot see the submission folder: the grader sends the file's bytes, written here to the
    worker's private /tmp. ``safe_mode=True`` refuses files that would run code while loading (Lambda layers
    with Python bytecode). Returns ``predictions``, ``params``, ``layers`` (as in :func:`describe`),
    ``input_shape``, ``output_shape``, ``wall_s``, ``device``, and ``problem`` when it cannot be graded.
    """
    _tf, keras = _keras(threads)
    start = time.monotonic()
    base = {"device": _state["device"], "threads": _state["threads"], "predictions": None, "params": None,
            "problem": ""}
    path = "/tmp/submitted_model.keras" if os.path.isdir("/tmp") else "submitted_model.keras"
    with open(path, "wb") as f:
        f.write(np.asarray(model_file, dtype=np.uint8).tobytes())
    keras.backend.clear_session()
    try:
        model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:
        return {**base, "problem": f"{name} could not be loaded in safe mode: {type(exc).__name__}: "
                                   f"{str(exc)[:500]}", "wall_s": round(time.monotonic() - start, 3)}
    finally:
        os.remove(path)
    if not isinstance(model, keras.Model):
        return {**base, "problem": f"{name} does not hold a Keras model", "wall_s": round(time.monotonic() - start, 3)}
    base["params"] = int(model.count_params())
    problem = _shape_problem(model, name)
    if not problem and base["params"] > max_params:
        problem = f"{name}: the model has {base['params']:,} parameters, over the limit of {max_params:,}"
    result = {**base, "problem": problem, **{k: v for k, v in _description(model, keras).items()
                                           if k in ("input_shape", "output_shape", "layers", "total_params")}}
    if not problem:
        labels, finite, probs = _predict(model, _as_input(x_test, model))
        result.update(predictions=labels, outputs_finite=finite, outputs_are_probabilities=probs)
        if not finite:
            result["problem"] = f"{name} gives NaN (or infinite) outputs"
    result["wall_s"] = round(time.monotonic() - start, 3)
    return result
