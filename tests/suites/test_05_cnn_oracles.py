"""05-cnn: the reference models against Keras' own counts, the kit helpers of the worker, the data paths.

* the reference models' parameter counts (354,002 for the CNN) and output shapes (28 → 28 → 14 → 7), from
  Keras itself, and the kit helper ``keras_tools.describe`` of the reference equal to the tables the hidden
  suite compares with;
* the reasons for a zero that ``keras_tools.train_and_predict`` gives (not compiled, wrong input or output
  shape, too many parameters, a NaN loss, over the time budget) and what ``train_probe`` records;
* a saved reference model (``.keras``) evaluated by ``keras_tools.evaluate_saved``, in-process and through
  the real engine (the grader sends the file's bytes); a file that would run code while loading is refused;
* the data path: offline, ``load_mnist`` falls back to the 5,000-image subset, and the suite uses the subset
  unless ``$AUTOGRADER_MNIST`` names full MNIST;
* full MNIST (skipped when the file is absent): the reference CNN reaches 98.8 % in 3 epochs;
* the worker's sandbox passes NVIDIA device nodes through when they exist.

The helpers run in this process here (they are plain Python); the engine tests run them in the sandbox.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder import datasets
from autograder.course import SUITES_DIR, load_assignment
from autograder.notebook_code import extract_code
from autograder.plugin import GraderPlugin
from autograder.proxy import StudentProxy
from autograder.reference import reference_namespace
from autograder.selfcheck import run_pytest
from autograder.session import SessionOptions, WorkerSession, options_for, worker_spec

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # numpy 2's copy= notice inside Keras

ROOT = Path(__file__).resolve().parents[2]
SUITE = SUITES_DIR / "05-cnn"
FULL_MNIST = Path(os.environ.get("AUTOGRADER_MNIST") or ROOT.parent / "shared" / "data" / "mnist.npz")
sys.path.insert(0, str(ROOT / "autograder" / "worker"))
from ext import keras_tools  # noqa: E402  (the worker's helpers, imported as the worker imports them)


def _module(name: str):
    """A module of the hidden suite (its grading markers are unknown outside the grader: no warnings)."""
    spec = importlib.util.spec_from_file_location(f"_05_cnn_{name}", SUITE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref() -> dict:
    return dict(reference_namespace(load_assignment("05-cnn", ROOT).source_notebook))


@pytest.fixture(scope="module")
def subset():
    return datasets.load_mnist("subset", quiet=True)


def _ns(ref: dict, source: str = "") -> dict:
    namespace = dict(ref)
    if source:
        exec(source, namespace)
    return namespace


# --------------------------------------------------------------------------- the reference models


@pytest.mark.parametrize("builder, params", [("build_dense_model", 7_850), ("build_deep_model", 185_300),
                                             ("build_cnn_model", 354_002)])
def test_reference_parameter_counts(ref, builder, params):
    model = ref[builder]()
    assert model.count_params() == params
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)


def test_reference_cnn_shapes_shrink_28_28_14_7(ref):
    model = ref["build_cnn_model"]()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [tuple(c.output.shape) for c in convs] == [(None, 28, 28, 12), (None, 14, 14, 24), (None, 7, 7, 32)]
    # and Keras' conv arithmetic agrees with the lecture's: (k*k*c_in + 1) * filters
    assert [c.count_params() for c in convs] == [(3 * 3 * 1 + 1) * 12, (6 * 6 * 12 + 1) * 24, (6 * 6 * 24 + 1) * 32]
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize("builder", ["build_dense_model", "build_deep_model", "build_cnn_model"])
def test_describe_of_the_reference_matches_the_suite_tables(ref, builder):
    arch = _module("test_architecture")
    d = keras_tools.describe(ref, builder)
    assert d["error"] is None and d["problem"] == ""
    assert d["total_params"] == arch.TOTAL_PARAMS[builder]
    assert d["compiled"] and d["loss"] in arch.LOSSES and not d["from_logits"]
    layers = [x for x in d["layers"] if x["type"] != "Dropout"]
    assert len(layers) == len(arch.EXPECTED[builder])
    for got, (_, expected) in zip(layers, arch.EXPECTED[builder]):
        assert {k: got.get(k) for k in expected} == expected
    assert any(x["type"] == "Dropout" for x in d["layers"]) == (builder != "build_dense_model")


def test_describe_folds_separate_activation_layers_and_builds_models_without_input(ref):
    source = '''
def build_split():
    import keras
    m = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10), keras.layers.Softmax()])
    return m
'''
    d = keras_tools.describe(_ns(ref, source), "build_split")
    assert d["input_shape"] == [None, 28, 28, 1]
    assert [(x["type"], x.get("activation")) for x in d["layers"]] == [("Flatten", None), ("Dense", "softmax")]
    assert d["compiled"] is False


def test_describe_reports_student_errors_as_data(ref):
    d = keras_tools.describe(_ns(ref, "def build_bad():\n    raise NotImplementedError()\n"), "build_bad")
    assert d["error"]["type"] == "NotImplementedError" and d["error"]["function"] == "build_bad"
    d = keras_tools.describe(_ns(ref, "def build_bad():\n    return 3\n"), "build_bad")
    assert "not a keras.Model" in d["problem"]


# --------------------------------------------------------------------------- reasons for a zero

TINY = '''
def build_tiny(shape=(28, 28, 1), classes=10, compiled=True, optimizer=None, dense=0):
    import keras
    layers = [keras.Input(shape), keras.layers.Flatten()]
    layers += [keras.layers.Dense(dense, activation="relu")] if dense else []
    model = keras.Sequential(layers + [keras.layers.Dense(classes, activation="softmax")])
    if compiled:
        model.compile(optimizer=optimizer or "adam", loss="sparse_categorical_crossentropy")
    return model

def build_uncompiled(): return build_tiny(compiled=False)
def build_wrong_input(): return build_tiny(shape=(32, 32, 1))
def build_five_classes(): return build_tiny(classes=5)
def build_huge(): return build_tiny(dense=3000)
def build_exploding():
    import keras
    return build_tiny(optimizer=keras.optimizers.SGD(learning_rate=float("inf")))  # a runaway step: NaN
def build_ok(): return build_tiny()
'''


@pytest.mark.parametrize("builder, reason", [
    ("build_uncompiled", "not compiled"),
    ("build_wrong_input", "input shape"),
    ("build_five_classes", "output shape"),
    ("build_huge", "over the limit of 2,000,000"),
    ("build_exploding", "NaN"),
])
def test_train_and_predict_gives_the_reason_for_a_zero(ref, subset, builder, reason):
    (x, y), (xt, _) = subset
    out = keras_tools.train_and_predict(_ns(ref, TINY), builder, x[:500], y[:500], xt[:50], 2, 50, seed=0)
    assert out["error"] is None
    assert reason in out["problem"], out["problem"]
    assert out["predictions"] is None or "NaN" in out["problem"]


def test_train_and_predict_stops_at_the_time_budget(ref, subset):
    (x, y), (xt, _) = subset
    out = keras_tools.train_and_predict(_ns(ref, TINY), "build_ok", x, y, xt[:50], 50, 10, seed=0,
                                        time_budget_s=0.5)
    assert out["stopped_for_budget"] and "time budget of 0.5 s" in out["problem"]
    assert out["epochs_run"] < 50


def test_train_probe_records_how_train_model_calls_fit(ref, subset):
    (x, y), (xt, _) = subset
    out = keras_tools.train_probe(ref, x[:300], y[:300], xt[:50], 2, 30, seed=0)
    assert out["fit_calls"] == [{"epochs": 2, "initial_epoch": 0, "batch_size": 30, "n_samples": 300,
                                 "validation_split": 0.0}]
    assert out["epochs_run"] == 2 and out["batches"] == 20 and len(out["loss"]) == 2 and out["weights_changed"]
    lazy = "def train_model(model, x, y, epochs, batch_size):\n    return model.fit(x[:40], y[:40], verbose=0)\n"
    out = keras_tools.train_probe(_ns(ref, lazy), x[:300], y[:300], xt[:50], 2, 30, seed=0)
    [call] = out["fit_calls"]
    assert call["n_samples"] == 40 and call["batch_size"] is None and out["epochs_run"] == 1
    assert out["fit_accuracy"] is not None  # measured on the 40 images fit was given


def test_same_seed_same_predictions(ref, subset):
    (x, y), (xt, _) = subset
    runs = [keras_tools.train_and_predict(ref, "build_dense_model", x[:1000], y[:1000], xt, 2, 100, seed=5)
            for _ in range(2)]
    assert np.array_equal(runs[0]["predictions"], runs[1]["predictions"])
    assert runs[0]["loss"] == runs[1]["loss"]


# --------------------------------------------------------------------------- a submitted model file


@pytest.fixture(scope="module")
def saved_cnn(ref, subset, tmp_path_factory) -> Path:
    """The reference CNN trained 3 epochs on the subset, saved as model.keras."""
    (x, y), _ = subset
    keras.utils.set_random_seed(0)
    model = ref["build_cnn_model"]()
    ref["train_model"](model, (x / 255).astype("float32")[..., None], y, 3, 100)
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return path


@pytest.mark.slow
def test_evaluate_saved_reference_model(ref, subset, saved_cnn):
    _, (xt, yt) = subset
    out = keras_tools.evaluate_saved(ref, np.frombuffer(saved_cnn.read_bytes(), np.uint8), xt)
    assert out["problem"] == "" and out["params"] == 354_002
    assert np.mean(out["predictions"] == yt) >= 0.95


def test_evaluate_saved_refuses_code_in_the_file(ref, subset, tmp_path):
    _, (xt, _) = subset
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda t: t * 2),
                              keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.save(tmp_path / "evil.keras")
    out = keras_tools.evaluate_saved(ref, np.frombuffer((tmp_path / "evil.keras").read_bytes(), np.uint8), xt)
    assert "could not be loaded in safe mode" in out["problem"] and out["predictions"] is None
    out = keras_tools.evaluate_saved(ref, np.frombuffer(b"not a zip file", np.uint8), xt)
    assert "could not be loaded" in out["problem"]


def _grade_cnn_accuracy(folder: Path) -> list:
    """Only test_cnn_accuracy, through the real sandboxed engine, for the notebook in ``folder``."""
    assignment = load_assignment("05-cnn", ROOT)
    options = options_for(assignment.settings)
    with WorkerSession(extract_code(folder / "cnn.ipynb"), options) as session:
        plugin = GraderPlugin(StudentProxy(session), reference_namespace(assignment.source_notebook), 0, [SUITE],
                              folder)
        run_pytest([str(SUITE / "test_training.py")], plugin, ["-k", "test_cnn_accuracy"])
    assert not plugin.collect_errors, plugin.collect_errors
    return plugin.records


@pytest.mark.slow
def test_engine_grades_a_submitted_model_file(ref, saved_cnn, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SAVED_MODEL", "model.keras")
    monkeypatch.delenv("AUTOGRADER_MNIST", raising=False)
    notebook = load_assignment("05-cnn", ROOT).source_notebook
    with_file, without = tmp_path / "with", tmp_path / "without"
    for folder in (with_file, without):
        folder.mkdir()
        (folder / "cnn.ipynb").write_bytes(notebook.read_bytes())
    (with_file / "model.keras").write_bytes(saved_cnn.read_bytes())
    [passed] = _grade_cnn_accuracy(with_file)
    assert passed.outcome == "passed", passed.message
    [missing] = _grade_cnn_accuracy(without)
    assert missing.outcome == "failed" and "no model.keras beside the notebook" in missing.message


# --------------------------------------------------------------------------- data


def test_offline_data_path_falls_back_to_the_subset(tmp_path, monkeypatch):
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # no cached mnist.npz
    monkeypatch.setattr(datasets, "network_available", lambda *a, **k: False)
    (x, y), (xt, yt) = datasets.load_mnist("auto", quiet=True)
    assert datasets.last_source().name == "subset"
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28) and x.dtype == np.uint8
    assert np.array_equal(np.bincount(yt), np.full(10, 100))


def test_suite_uses_the_subset_unless_full_mnist_is_named(monkeypatch, tmp_path):
    training = _module("test_training")
    monkeypatch.delenv("AUTOGRADER_MNIST", raising=False)
    kind, ((x, _), _) = training.mnist()
    assert kind == "subset" and len(x) == 4000
    fake = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    np.savez(fake, x_train=rng.integers(0, 256, (60_000, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 60_000, dtype=np.uint8),
             x_test=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8), y_test=np.zeros(100, np.uint8))
    monkeypatch.setenv("AUTOGRADER_MNIST", str(fake))
    kind, (_, (xt, _)) = training.mnist()
    assert kind == "full" and len(xt) == 100


@pytest.mark.slow
@pytest.mark.skipif(not FULL_MNIST.is_file(), reason=f"full MNIST not found at {FULL_MNIST} (set AUTOGRADER_MNIST "
                                                      "to an mnist.npz to run this test)")
def test_reference_cnn_on_full_mnist(ref):
    (x, y), (xt, yt) = datasets.load_mnist("path", FULL_MNIST, quiet=True)
    training = _module("test_training")
    epochs, batch_size, threshold = training.RUNS["full"]["build_cnn_model"]
    out = keras_tools.train_and_predict(ref, "build_cnn_model", x, y, xt, epochs, batch_size,
                                        seed=training.SEED, time_budget_s=600)
    assert out["problem"] == ""
    assert np.mean(out["predictions"] == yt) >= threshold


# --------------------------------------------------------------------------- the GPU path of the sandbox


def test_worker_spec_passes_nvidia_devices(monkeypatch):
    import autograder.session as session

    fake = ["/dev/nvidia-uvm", "/dev/nvidia0", "/dev/nvidiactl"]
    monkeypatch.setattr(session.glob, "glob", lambda pattern: list(fake) if pattern == "/dev/nvidia*" else [])
    assert worker_spec(SessionOptions()).devices == sorted(fake)
    monkeypatch.setenv("AUTOGRADER_GPU", "0")
    assert worker_spec(SessionOptions()).devices == []
