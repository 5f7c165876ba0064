"""05-cnn attacks on the kit's measurements, each graded beside its honest twin: the attack scores no more.

What earns the Keras points is measured in the measurement process (worker/measure.py), a sandbox where no
student code runs, from the ``.keras`` archive the worker returns: so replacing the kit's helpers or the
worker's dispatch, notebook-defined layers that describe themselves as Conv2D/Dense, a replaced ``predict``
and weights pasted into the model all gain nothing.
"""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hardening_helpers import ROOT, needs_full_sandbox

from autograder.course import load_assignment
from autograder.datasets import load_mnist
from autograder.runner import Submission, grade_submission
from autograder.session import options_for

pytestmark = [needs_full_sandbox, pytest.mark.slow]
AID = "05-cnn"
ASSIGNMENT = load_assignment(AID, ROOT)
QUESTIONS_ON_MODELS = ("build_dense_model", "build_deep_model", "build_cnn_model")

# Everything the old kit reported from inside the worker, forged: helpers replaced through sys.modules and
# the worker's dispatch wrapped so that every kit reply says "perfect" (the lecture CNN's layers included, which
# the public architecture tests once read from the worker).
REPLACE_THE_KIT = '''
import sys, numpy as _np
import __main__ as _m
_LAYERS = {"build_cnn_model": [("Conv2D", 12, 3, 1), ("Conv2D", 24, 6, 2), ("Conv2D", 32, 6, 2)]}
# the lecture CNN's description, row for row, as the public architecture test expects it
_CNN_ROWS = [{"type": t, "output_shape": [None, *s], "params": p, "activation": a} for t, s, p, a in (
    ("Conv2D", (28, 28, 12), 120, "relu"), ("Conv2D", (14, 14, 24), 10392, "relu"),
    ("Conv2D", (7, 7, 32), 27680, "relu"), ("Flatten", (1568,), 0, None), ("Dense", (200,), 313800, "relu"),
    ("Dense", (10,), 2010, "softmax"))]
def _fake(*a, **k):
    return {"error": None, "problem": "", "archive": _np.frombuffer(b"PK\\x03\\x04 not a model", _np.uint8).copy(),
            "layers": _CNN_ROWS, "compiled": True, "loss": "sparse_categorical_crossentropy", "predictions": None,
            "epochs_run": 3, "fit_calls": [{"epochs": 3, "batch_size": 50, "n_samples": 1000,
            "validation_split": 0.0}], "batches": 60, "loss_history": [1.0, 0.5, 0.2]}
for _name in ("ext.keras_tools", "ext.keras_archive"):
    try:
        _mod = __import__(_name, fromlist=["x"])
    except Exception:
        continue
    for _f in ("describe", "train_and_predict", "train_probe", "evaluate_saved", "save_built", "train_archive"):
        setattr(_mod, _f, _fake)
_orig = _m._call
def _call(msg, ns):
    reply = _orig(msg, ns)
    if str(msg.get("name", "")).startswith("kit:"):
        reply = {"type": "result", "id": msg.get("id"), "ok": True, "value": _fake()}
    return reply
_m._call = _call
def train_model(model, x, y, epochs, batch_size):
    return None
'''
# Layers defined in the notebook that call themselves Conv2D/Dense and report the lecture's settings, over a
# network that is one softmax layer.
FAKE_LAYERS = '''
import keras
class Conv2D(keras.layers.Layer):
    def __init__(self, filters=12, kernel_size=3, strides=1, **kw):
        super().__init__(**kw)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.ballast = self.add_weight(shape=(filters * 9,), initializer="zeros")
    def call(self, x):
        return x
    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": (self.kernel_size,) * 2,
                "strides": (self.strides,) * 2, "padding": "same", "activation": "relu"}
def _fake_cnn():
    model = keras.Sequential([keras.Input((28, 28, 1)), Conv2D(12, 3, 1), Conv2D(24, 6, 2), Conv2D(32, 6, 2),
                              keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.predict = lambda x, **k: __import__("numpy").eye(10)[__import__("numpy").zeros(len(x), int)]
    return model
build_dense_model = build_deep_model = build_cnn_model = _fake_cnn
'''


def _pasted_weights() -> str:
    """The kit's probe model (a softmax layer) trained on MNIST here, its weights as base64 .npz text."""
    import keras

    (x, y), _ = load_mnist("subset", quiet=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy")
    model.fit(x.reshape(-1, 28, 28, 1) / 255.0, y, epochs=3, batch_size=100, verbose=0)
    buf = io.BytesIO()
    np.savez(buf, *model.get_weights())
    return base64.b64encode(buf.getvalue()).decode()


def _notebook(folder: Path, base: Path, *cells: str) -> Path:
    target = folder / AID
    target.mkdir(parents=True)
    path = Path(shutil.copyfile(base, target / base.name))
    nb = nbformat.read(path, as_version=4)
    for source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)
    return path


def _grade(path: Path, student: str):
    return grade_submission(ASSIGNMENT, Submission(student, path), options_for(ASSIGNMENT.settings))


def _on(result, questions) -> float:
    return sum(q.earned for q in result.questions if q.question in questions)


STUB = ASSIGNMENT.release_dir / ASSIGNMENT.source_notebook.name


def test_replacing_the_kit_and_the_dispatch_scores_nothing(tmp_path):
    """Honest twin: the stub (0 points). The forged kit replies are never measured; the archive is garbage."""
    attack = _grade(_notebook(tmp_path, STUB, REPLACE_THE_KIT), "forger")
    assert attack.score == 0, [(t.name, t.message[:120]) for t in attack.tests if t.outcome == "passed"]


def test_fake_layers_and_a_replaced_predict_score_nothing_on_the_models(tmp_path):
    """Honest twin: the stub. Notebook-defined layers do not load in safe mode: no architecture or accuracy
    point, with a message that says why."""
    attack = _grade(_notebook(tmp_path, STUB, FAKE_LAYERS), "faker")
    assert _on(attack, QUESTIONS_ON_MODELS) == 0
    messages = " ".join(t.message for t in attack.tests if t.question == "build_cnn_model")
    assert "safe mode" in messages and "standard Keras layers" in messages, messages[:600]


def test_pasted_weights_earn_nothing_for_train_model_or_accuracy(tmp_path):
    """Honest twin: the reference. The attack's train_model runs model.fit as asked, then pastes a softmax layer
    trained elsewhere into the model: the probe's labels are renamed by a permutation secret to the submission,
    so the pasted weights answer the wrong names; the accuracy runs initialise their own weights anyway."""
    paste = (f"import base64 as _b, io as _io, numpy as _np\n_W = {_pasted_weights()!r}\n"
             "_honest_train_model = train_model\n"
             "def train_model(model, x, y, epochs, batch_size):\n"
             "    history = _honest_train_model(model, x, y, epochs, batch_size)\n"
             "    if len(model.get_weights()) == 2:  # the grader's softmax probe\n"
             "        with _np.load(_io.BytesIO(_b.b64decode(_W))) as f:\n"
             "            model.set_weights([f[k] for k in sorted(f.files, key=lambda s: int(s.split('_')[1]))])\n"
             "    return history\n")
    twin = _grade(_notebook(tmp_path / "twin", ASSIGNMENT.source_notebook), "twin")
    attack = _grade(_notebook(tmp_path / "attack", ASSIGNMENT.source_notebook, paste), "paster")
    assert twin.score == ASSIGNMENT.max_score
    failed = [t.name for t in attack.tests if t.outcome != "passed"]
    assert failed == ["test_train_model_trains_the_given_model"], failed
    assert attack.score < twin.score
