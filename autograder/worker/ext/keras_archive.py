"""Kit helpers that send the student's Keras models out of the worker as ``.keras`` archives (bytes as data).

Nothing here is believed by the grader: the archives are measured in a separate sandboxed process in which
no student code runs (``worker/measure.py``), loaded in safe mode without custom objects. Each helper takes
the notebook's namespace first (see ``main._kit_function``):

* ``save_built(ns, builder)``: the model ``ns[builder]()`` returns, saved as it is (weights, compile settings);
* ``train_archive(ns, archive, x, y, epochs, batch_size, ...)``: the model of a ``.keras`` archive the grader
  made (its start), trained by the student's ``train_model``, saved again after training;
* ``train_char_archive(ns, archive, x, y, epochs, batch_size, ...)``: the same for 07's ``train_char_model``.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from . import keras_tools, lstm_tools, tf_runtime

ARCHIVE_DIR = "/tmp" if os.path.isdir("/tmp") else "."


def _save(model) -> np.ndarray:
    path = os.path.join(ARCHIVE_DIR, f"kit-{os.getpid()}-{time.monotonic_ns()}.keras")
    try:
        model.save(path)
        with open(path, "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8).copy()
    finally:
        if os.path.exists(path):
            os.remove(path)


def _load(keras, archive: np.ndarray):
    path = os.path.join(ARCHIVE_DIR, f"kit-{os.getpid()}-{time.monotonic_ns()}.keras")
    with open(path, "wb") as f:
        f.write(np.asarray(archive, dtype=np.uint8).tobytes())
    try:
        return keras.saving.load_model(path, safe_mode=True)
    finally:
        os.remove(path)


def save_built(namespace: dict, builder_name: str, *args: int, threads: int = keras_tools.DEFAULT_THREADS) -> dict:
    """``archive`` (uint8 bytes of the ``.keras`` file) of the model ``builder(*args)`` returns; or ``error``
    (the builder raised) / ``problem`` (not a Keras model, or one Keras cannot save). 05's builders take no
    arguments; 07's ``build_char_model(vocab_size, seq_len)`` takes two."""
    _, keras = tf_runtime.load(threads)
    if args:
        keras.utils.set_random_seed(0)
        model, error, problem = lstm_tools._build(namespace, *args, keras)
    else:
        model, error, problem = keras_tools._build(namespace, builder_name, keras)
    if model is None:
        return {"archive": None, "error": error, "problem": problem}
    try:
        return {"archive": _save(model), "error": None, "problem": ""}
    except Exception as exc:  # e.g. a layer whose config cannot be serialized
        return {"archive": None, "error": None,
                "problem": f"{builder_name}(): the model cannot be saved as a .keras file: {type(exc).__name__}: "
                           f"{str(exc)[:300]}"}


def train_archive(namespace: dict, archive: np.ndarray, x_train: np.ndarray, y_train: np.ndarray, epochs: int,
                  batch_size: int, seed: int = 0, time_budget_s: float = 60.0,
                  threads: int = keras_tools.DEFAULT_THREADS) -> dict:
    """The grader's start model (``archive``), trained by the student's ``train_model``, saved after training.

    Returns ``archive`` (the trained model's ``.keras`` bytes) and, as the kit saw them (for messages only),
    ``fit_calls``, ``epochs_run``, ``batches``, ``loss``, ``error``/``problem``, ``wall_s``, ``device``.
    """
    _, keras = tf_runtime.load(threads)
    start = time.monotonic()
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    model = _load(keras, archive)
    run = keras_tools._run(namespace, model, x_train, y_train, epochs, batch_size, time_budget_s, start, keras)
    out: dict[str, Any] = {"device": tf_runtime.STATE["device"], "archive": None, **run}
    if run["error"] is None:
        out["archive"] = _save(model)
    out["wall_s"] = round(time.monotonic() - start, 3)
    return out


def train_char_archive(namespace: dict, archive: np.ndarray, x_train: np.ndarray, y_train: np.ndarray, epochs: int,
                       batch_size: int, seed: int = 0, time_budget_s: float = 60.0,
                       threads: int = keras_tools.DEFAULT_THREADS) -> dict:
    """07: the grader's start model trained by the student's ``train_char_model``; ``archive`` after training and
    the kit's record (``fit_calls``, ``epochs_run``, ``loss``, ``error``/``problem``: for messages only)."""
    _, keras = tf_runtime.load(threads)
    start = time.monotonic()
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    model = _load(keras, archive)
    x, y = np.asarray(x_train, dtype=np.int32), np.asarray(y_train, dtype=np.int32)
    train = lstm_tools._train_with_student(namespace, model, x, y, epochs, batch_size, start + time_budget_s, keras)
    out: dict[str, Any] = {**train, "archive": None, "device": tf_runtime.STATE["device"]}
    if train["error"] is None:
        out["archive"] = _save(model)
    out["wall_s"] = round(time.monotonic() - start, 3)
    return out
