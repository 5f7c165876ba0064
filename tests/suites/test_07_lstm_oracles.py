"""07-lstm: the reference solution against Keras and against hand computation, and the kit helpers.

* ``lstm_forward`` of the reference equals ``keras.layers.LSTM(H, return_sequences=True, return_state=True)``
  given the same weights (kernel = W, recurrent_kernel = U, bias = b) to 1e-5, with and without an initial
  state; ``lstm_cell_forward`` equals the equations computed number by number with ``math``;
* ``sample`` of the reference: argmax at temperature 0, and the tempered distribution (seeded chi-square
  tests at several temperatures, through the worker's helper ``lstm_tools.sample_many``);
* encode/decode round trips, the corpus (ASCII, the same in the notebook and the suite);
* the kit helpers: ``describe``, ``train_probe``, and ``train_and_predict``'s fallbacks (the kit's model when
  build_char_model fails, a plain fit when train_char_model fails) and its reasons for a zero;
* (slow) the reference model's held-out perplexity under the suite's bound, with the figures printed, and a
  model without an LSTM above it.

The helpers run in this process here (they are plain Python); tests/suites/test_mutants.py runs them in
the sandbox through the real engine.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder.course import SUITES_DIR, load_assignment
from autograder.reference import reference_namespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
SUITE = SUITES_DIR / "07-lstm"
sys.path.insert(0, str(ROOT / "autograder" / "worker"))
from ext import lstm_tools  # noqa: E402  (the worker's helpers, imported as the worker imports them)


def _module(name: str, path: Path | None = None):
    """A module of the hidden suite (its grading markers are unknown outside the grader: no warnings)."""
    spec = importlib.util.spec_from_file_location(f"_07_lstm_{name}", path or SUITE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref() -> dict:
    return dict(reference_namespace(load_assignment("07-lstm", ROOT).source_notebook))


def _ns(ref: dict, source: str = "") -> dict:
    namespace = dict(ref)
    if source:
        exec(source, namespace)
    return namespace


def _params(rng, d, h, scale=0.5):
    return {"W": rng.normal(0, scale, (d, 4 * h)), "U": rng.normal(0, scale, (h, 4 * h)),
            "b": rng.normal(0, scale, 4 * h)}


# --------------------------------------------------------------------------- the cell and the sequence


@pytest.mark.parametrize("n, t, d, h", [(1, 1, 1, 1), (3, 7, 4, 5), (8, 20, 6, 16), (2, 3, 10, 2)])
@pytest.mark.parametrize("with_state", [True, False])
def test_lstm_forward_equals_keras_lstm(ref, n, t, d, h, with_state):
    rng = np.random.default_rng(100 * n + t)
    params = _params(rng, d, h, scale=0.7)
    xs = rng.normal(size=(n, t, d))
    h0 = rng.normal(0, 0.5, (n, h)) if with_state else np.zeros((n, h))
    c0 = rng.normal(size=(n, h)) if with_state else np.zeros((n, h))
    layer = keras.layers.LSTM(h, return_sequences=True, return_state=True)
    layer.build((None, t, d))
    layer.set_weights([params["W"], params["U"], params["b"]])
    f32 = [a.astype("float32") for a in (xs, h0, c0)]
    k_hs, k_h, k_c = (np.asarray(a, dtype=np.float64) for a in
                      (layer(f32[0], initial_state=f32[1:]) if with_state else layer(f32[0])))
    hs, (h_t, c_t) = ref["lstm_forward"](xs, h0, c0, params)
    assert hs.shape == (n, t, h) and h_t.shape == c_t.shape == (n, h)
    np.testing.assert_allclose(hs, k_hs, atol=1e-5)
    np.testing.assert_allclose(h_t, k_h, atol=1e-5)
    np.testing.assert_allclose(c_t, k_c, atol=1e-5)


def test_lstm_cell_equals_the_equations_by_hand(ref):
    rng = np.random.default_rng(3)
    n, d, h = 3, 4, 2
    params = _params(rng, d, h, scale=1.0)
    x, h_prev, c_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    h_new, c_new = ref["lstm_cell_forward"](x, h_prev, c_prev, params)
    for r in range(n):
        for k in range(h):
            z = [sum(x[r, j] * params["W"][j, g * h + k] for j in range(d))
                 + sum(h_prev[r, j] * params["U"][j, g * h + k] for j in range(h)) + params["b"][g * h + k]
                 for g in range(4)]  # i, f, c, o
            c = sig(z[1]) * c_prev[r, k] + sig(z[0]) * math.tanh(z[2])
            assert c_new[r, k] == pytest.approx(c, rel=1e-12, abs=1e-12)
            assert h_new[r, k] == pytest.approx(sig(z[3]) * math.tanh(c), rel=1e-12, abs=1e-12)


def test_the_public_tests_worked_examples_are_the_reference(ref):
    import autograder.plugin  # noqa: F401  (makes `selfcheck` importable, as in the grader)

    module = _module("public", ROOT / "solutions" / "07-lstm" / "tests" / "test_lstm_public.py")
    hs, (h_t, c_t) = ref["lstm_forward"](module.XS_EXAMPLE, module.H_EXAMPLE, module.C_EXAMPLE, module.EXAMPLE)
    np.testing.assert_allclose(hs, module.HS_EXAMPLE, rtol=1e-14)
    np.testing.assert_allclose(c_t, module.C_T_EXAMPLE, rtol=1e-14)


def test_sigmoid_never_overflows(ref):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ref["sigmoid"](np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 1 / (1 + math.exp(30)), 0.5, 1 / (1 + math.exp(-30)), 1.0], atol=1e-15)


# --------------------------------------------------------------------------- sampling


def _chi2_ok(draws, p, level_z=3.719):
    counts = np.bincount(draws, minlength=len(p))
    keep = p * len(draws) >= 5
    exp, obs = len(draws) * p[keep], counts[keep]
    stat = float(np.sum((obs - exp) ** 2 / exp))
    k = int(keep.sum()) - 1
    return stat <= k * (1 - 2 / (9 * k) + level_z * math.sqrt(2 / (9 * k))) ** 3 and counts[~keep].sum() <= \
        max(10, 3 * len(draws) * p[~keep].sum())


@pytest.mark.parametrize("temperature", [0.25, 0.5, 1.0, 2.0, 5.0])
def test_reference_sample_follows_the_tempered_distribution(ref, temperature):
    rng = np.random.default_rng(int(temperature * 100))
    probs = rng.dirichlet(np.ones(8))
    out = lstm_tools.sample_many(ref, probs, temperature, 11, 4000)
    assert out["error"] is None and out["problem"] == "" and out["types"] == ["int"] and not out["probs_changed"]
    tempered = probs ** (1 / temperature) / np.sum(probs ** (1 / temperature))
    assert _chi2_ok(out["draws"], tempered)


def test_reference_sample_at_zero_temperature_is_argmax_and_is_stable(ref):
    probs = np.array([0.1, 0.3, 0.2, 0.4])
    for temperature in (0, 0.0, 1e-9, 1e-8):
        assert lstm_tools.sample_many(ref, probs, temperature, 0, 10)["draws"].tolist() == [3] * 10
    tiny = np.full(50, 0.02)
    tiny[7] = 0.021
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = lstm_tools.sample_many(ref, tiny / tiny.sum(), 0.001, 0, 50)  # probs ** 1000 is 0 everywhere
        assert out["draws"].tolist() == [7] * 50
        zeros = lstm_tools.sample_many(ref, np.array([0.0, 0.7, 0.0, 0.3]), 0.7, 0, 300)["draws"]
    assert set(zeros.tolist()) == {1, 3}


def test_sample_many_equals_a_loop_with_one_generator(ref):
    probs = np.array([0.5, 0.2, 0.2, 0.1])
    rng = np.random.default_rng(42)
    loop = [ref["sample"](probs, 0.8, rng) for _ in range(100)]
    assert lstm_tools.sample_many(ref, probs, 0.8, 42, 100)["draws"].tolist() == loop


def test_sample_many_reports_types_errors_and_in_place_changes(ref):
    numpy_int = "def sample(probs, temperature, rng):\n    return np.int64(1)\n"
    assert lstm_tools.sample_many(_ns(ref, numpy_int), np.ones(3) / 3, 1.0, 0, 3)["types"] == ["int64"]
    broken = "def sample(probs, temperature, rng):\n    raise ValueError('no')\n"
    assert lstm_tools.sample_many(_ns(ref, broken), np.ones(3) / 3, 1.0, 0, 3)["error"]["type"] == "ValueError"
    text = "def sample(probs, temperature, rng):\n    return 'a'\n"
    assert "not an index" in lstm_tools.sample_many(_ns(ref, text), np.ones(3) / 3, 1.0, 0, 3)["problem"]
    inplace = "def sample(probs, temperature, rng):\n    probs /= 2\n    return 0\n"
    assert lstm_tools.sample_many(_ns(ref, inplace), np.ones(3) / 3, 1.0, 0, 3)["probs_changed"]


# --------------------------------------------------------------------------- encoding and the corpus


def test_encode_decode_round_trips(ref):
    rng = np.random.default_rng(0)
    for text in ("", "a", "hello world", "def f(x):\n\treturn x  # ü, 漢字\n",
                 "".join(rng.choice(list("abc \n()"), size=500))):
        vocab = ref["build_vocab"](text)
        assert vocab == sorted(set(text)) and isinstance(vocab, list)
        ids = ref["encode"](text, vocab)
        assert ids.dtype.kind == "i" and ids.shape == (len(text),)
        assert ref["decode"](ids, vocab) == text and ref["decode"](ids.tolist(), vocab) == text


def test_corpus_is_ascii_and_the_suite_builds_the_notebooks_windows(ref):
    text = ref["load_corpus"]()
    assert len(text) == ref["CORPUS_CHARS"] == 100_000
    assert all(32 <= ord(c) < 127 or c in "\n\t" for c in text), "a corpus module holds a non-ASCII character"
    vocab = ref["build_vocab"](text)
    model = _module("test_model")
    from autograder.selfcheck import NamespaceStudent

    data = model.corpus(NamespaceStudent(ref))
    ids = ref["encode"](text, vocab)
    cut = int(0.9 * len(ids))
    x, y = ref["make_windows"](ids[:cut], model.SEQ_LEN, model.STEP)
    assert data["vocab_size"] == len(vocab)
    assert np.array_equal(data["x_train"], x) and np.array_equal(data["y_train"], y)
    assert np.array_equal(x[5], ids[10:26]) and y[5] == ids[26]  # window k starts at k * step
    assert data["unigram"] > data["bigram"] > 1


# --------------------------------------------------------------------------- the kit's model helpers


def test_describe_of_the_reference(ref):
    d = lstm_tools.describe(ref, 96, 16)
    assert d["error"] is None and d["problem"] == "" and d["outputs_problem"] == ""
    assert d["input_shape"] == [None, 16] and d["output_shape"] == [None, 96]
    assert [x["type"] for x in d["layers"]] == ["Embedding", "LSTM", "Dense"]
    assert d["total_params"] == 96 * 32 + 4 * 128 * (32 + 128 + 1) + 129 * 96 == 97_888
    assert d["compiled"] and d["loss"] == "sparse_categorical_crossentropy"
    assert d["learning_rate"] == pytest.approx(0.01)
    assert _module("test_model").has_lstm(d["layers"])


OTHER_MODELS = '''
def build_logits(vocab_size, seq_len):
    import keras
    m = keras.Sequential([keras.Input((seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 8),
                          keras.layers.LSTM(8), keras.layers.Dense(vocab_size)])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m

def build_wrapped(vocab_size, seq_len):
    import keras
    m = keras.Sequential([keras.Input((seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 8),
                          keras.layers.Bidirectional(keras.layers.LSTM(8)),
                          keras.layers.Dense(vocab_size, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m
'''


def test_describe_sees_missing_softmax_and_wrapped_lstms(ref):
    ns = _ns(ref, OTHER_MODELS)
    ns["build_char_model"] = ns["build_logits"]
    assert "softmax" in lstm_tools.describe(ns, 12, 5)["outputs_problem"]
    ns["build_char_model"] = ns["build_wrapped"]
    d = lstm_tools.describe(ns, 12, 5)
    assert d["outputs_problem"] == "" and _module("test_model").has_lstm(d["layers"])
    ns["build_char_model"] = lambda v, t: 3
    assert "not a keras.Model" in lstm_tools.describe(ns, 12, 5)["problem"]


def _probe(n=256, seq_len=6, v=5):
    ids = np.arange(n + seq_len) % v
    return np.stack([ids[s:s + seq_len] for s in range(n)]).astype(np.int32), ids[seq_len:seq_len + n]


def test_train_probe_records_how_fit_is_called(ref):
    x, y = _probe()
    out = lstm_tools.train_probe(ref, x, y, 5, 3, 32)
    assert out["error"] is None and out["problem"] == ""
    assert out["fit_calls"] == [{"epochs": 3, "initial_epoch": 0, "batch_size": 32, "n_samples": 256,
                                 "validation_split": 0.0}]
    assert out["epochs_run"] == 3 and len(out["loss"]) == 3 and out["loss"][-1] < out["loss"][0]
    assert out["weights_changed"]
    model = "def train_char_model(model, x, y, epochs, batch_size):\n    model.fit(x, y, epochs=epochs, verbose=0)\n"
    out = lstm_tools.train_probe(_ns(ref, model), x, y, 5, 2, 32)
    assert "not the History" in out["problem"] and out["fit_calls"][0]["batch_size"] is None


def _small_run(ns, **kw):
    x, y = _probe(400, 8, 5)
    return lstm_tools.train_and_predict(ns, x, y, x[:50], 5, 8, kw.pop("epochs", 2), 32, seed=0, **kw)


def test_train_and_predict_grades_the_two_functions_apart(ref):
    out = _small_run(ref)
    assert out["fit_by"] == "student" and out["probs"].shape == (50, 5) and out["probs"].dtype == np.float32
    assert out["build"]["error"] is None and not out["build"]["kit_model"] and out["train"]["epochs_run"] == 2
    # build_char_model fails: the kit's own model is trained with the student's train_char_model, no probs
    out = _small_run(_ns(ref, "def build_char_model(v, t):\n    raise NotImplementedError\n"))
    assert out["build"]["error"]["type"] == "NotImplementedError" and out["build"]["kit_model"]
    assert out["train"]["epochs_run"] == 2 and out["probs"] is None
    # train_char_model fails: the kit trains the student's model itself, so it still gets probs
    out = _small_run(_ns(ref, "def train_char_model(m, x, y, e, b):\n    raise NotImplementedError\n"))
    assert out["train"]["error"]["type"] == "NotImplementedError"
    assert out["fit_by"] == "kit" and out["epochs_trained"] == 2 and out["probs"].shape == (50, 5)


@pytest.mark.parametrize("source, reason", [
    ("def build_char_model(v, t):\n    import keras\n    return keras.Sequential([keras.Input((t,), dtype='int32'),"
     " keras.layers.Embedding(v, 4), keras.layers.LSTM(4), keras.layers.Dense(v, activation='softmax')])\n",
     "not compiled"),
    ("def build_char_model(v, t):\n    import keras\n    m = keras.Sequential([keras.Input((t,), dtype='int32'),"
     " keras.layers.Embedding(v, 4), keras.layers.LSTM(4), keras.layers.Dense(v + 1, activation='softmax')])\n"
     "    m.compile('adam', 'sparse_categorical_crossentropy')\n    return m\n", "output shape"),
    ("def build_char_model(v, t):\n    import keras\n    m = keras.Sequential([keras.Input((t,), dtype='int32'),"
     " keras.layers.Embedding(v, 4), keras.layers.LSTM(600), keras.layers.Dense(v, activation='softmax')])\n"
     "    m.compile('adam', 'sparse_categorical_crossentropy')\n    return m\n", "over the limit"),
])
def test_train_and_predict_gives_the_reason_for_a_zero(ref, source, reason):
    out = _small_run(_ns(ref, source))
    assert reason in out["build"]["problem"] and out["build"]["kit_model"] and out["probs"] is None


def test_train_and_predict_stops_at_the_time_budget(ref):
    out = _small_run(ref, epochs=200, time_budget_s=1.0)
    assert out["train"]["stopped_for_budget"] and out["train"]["epochs_run"] < 200
    assert out["probs"] is not None  # graded as it is


# --------------------------------------------------------------------------- the perplexity bound (slow)


@pytest.mark.slow
def test_reference_model_beats_the_perplexity_bound_and_a_model_without_lstm_does_not(ref):
    from autograder.selfcheck import NamespaceStudent

    suite = _module("test_model")
    data = suite.corpus(NamespaceStudent(ref))
    bound = suite.MAX_RATIO * data["bigram"]
    figures = {}
    flat = _ns(ref, '''
def build_char_model(vocab_size, seq_len):
    import keras
    model = keras.Sequential([keras.Input(shape=(seq_len,), dtype="int32"), keras.layers.Embedding(vocab_size, 32),
                              keras.layers.Flatten(), keras.layers.Dense(vocab_size, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    return model
''')
    for name, ns in (("reference", ref), ("without LSTM", flat)):
        start = time.perf_counter()
        out = lstm_tools.train_and_predict(ns, data["x_train"], data["y_train"], data["x_held"], data["vocab_size"],
                                           suite.SEQ_LEN, suite.EPOCHS, suite.BATCH_SIZE, seed=suite.SEED,
                                           time_budget_s=suite.BUDGET_S, threads=suite.THREADS)
        p = out["probs"][np.arange(len(data["y_held"])), data["y_held"]]
        figures[name] = (suite.perplexity(p), out["train"]["fit_s"], time.perf_counter() - start)
    print(f"\nheld-out perplexity: unigram {data['unigram']:.2f}, bigram {data['bigram']:.2f}, bound {bound:.2f}; "
          + "; ".join(f"{k} {v[0]:.2f} (fit {v[1]:.1f} s, run {v[2]:.1f} s)" for k, v in figures.items()))
    assert figures["reference"][0] < 0.85 * bound  # a margin of 15 % at least
    assert figures["without LSTM"][0] > bound
    assert figures["reference"][1] < 20


def test_perplexity_refuses_rows_that_are_not_probabilities():
    """Probabilities are probabilities: checked in the grader, never taken from the worker's word."""
    model = _module("test_model")
    assert model.not_probabilities(np.array([[0.2, 0.8], [1.0, 0.0]])) == ""
    assert "outside [0, 1]" in model.not_probabilities(np.full((2, 3), 1000.0))
    assert "sum to" in model.not_probabilities(np.array([[0.2, 0.2]]))
    assert "NaN" in model.not_probabilities(np.array([[np.nan, 1.0]]))
