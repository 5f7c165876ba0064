"""The measurement process's own checks (worker/measure.py), in-process: archives in, measurements out."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "autograder" / "worker"))
keras = pytest.importorskip("keras")
measure = pytest.importorskip("measure")


def _softmax_model(initializer="glorot_uniform"):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_weights_hidden_in_a_constant_initializer_are_refused():
    assert measure._carried_numbers(_softmax_model()) == ""
    pasted = keras.initializers.Constant(np.ones((784, 10)).tolist())
    assert "numbers: only layer settings" in measure._carried_numbers(_softmax_model(pasted))


def test_training_starts_from_fresh_weights_and_refuses_what_safe_mode_cannot_load():
    model = _softmax_model()
    model.set_weights([np.full((784, 10), 0.5, np.float32), np.zeros(10, np.float32)])  # "pasted"
    archive = measure._save(model)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 255, size=(64, 28, 28)).astype(np.uint8), rng.integers(0, 10, size=64)
    out = measure.fit_and_predict(archive, x, y, x[:8], 1, 32, seed=3)
    assert out["problem"] == "" and out["predictions"].shape == (8,) and out["epochs_run"] == 1
    fresh = measure._fresh(measure._load(archive, "m")[0], keras, 3)
    assert not np.allclose(fresh.get_weights()[0], 0.5)  # the pasted weights are gone
    out = measure.describe(np.frombuffer(b"PK\x03\x04 not an archive", np.uint8).copy())
    assert "safe mode" in out["problem"] and "standard Keras layers" in out["problem"]
