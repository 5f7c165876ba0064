"""Hidden tests for train_softmax_regression (exercise 03), MNIST included.

The grader loads the MNIST subset, sends the training images (float32, sorted by label) and labels to the
student's function, and measures the accuracy of the returned (W, b) on test images and labels that never
leave the grader.
"""

import numpy as np
import pytest

from autograder.datasets import load_mnist
from autograder.selfcheck import CheckFailure, expect_array, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

MNIST_SETTINGS = {"epochs": 10, "batch_size": 32, "lr": 0.5}
MIN_ACCURACY = 0.85


def _mnist_sorted():
    """The subset's training images as float32 in [0, 1], sorted by label, and the test set (grader side)."""
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    order = np.argsort(y_train, kind="stable")
    X_train = (x_train[order].reshape(len(order), -1) / np.float32(255)).astype(np.float32)
    X_test = x_test.reshape(len(x_test), -1) / 255.0
    return X_train, y_train[order].astype(np.int64), X_test, y_test


def _trained(out, d, k):
    expect_tuple(out, 2, name="train_softmax_regression(...)")
    W, b = out
    for value, shape, name in ((W, (d, k), "W"), (b, (k,), "b")):
        if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
            expect_array(value, np.zeros(shape), name=f"{name} (d = {d}, K = {k})", dtype="float")
    return W, b


def _small(rng, n=12, d=5, k=3):
    X = rng.normal(size=(n, d))
    y = np.arange(n) % k
    rng.shuffle(y)
    return X, y


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(4)
@pytest.mark.hint(
    "On MNIST (training images sorted by label) your model stays below 85% test accuracy.",
    "Shuffle the examples at the start of every epoch (rng.permutation(n)): the grader sends the images sorted by "
    "label, and without shuffling each epoch ends with batches of 9s only. Step downhill, W - lr * dW, and use "
    "the gradient of each batch.",
)
@pytest.mark.spec(
    "The grader checks that your model also learns from sorted data.",
    "expect about 90% accuracy on the held-out images",
)
def test_mnist_accuracy(student, seed):
    X_train, y_train, X_test, y_test = _mnist_sorted()
    W, b = _trained(student.train_softmax_regression(X_train, y_train, seed=seed % 1000, **MNIST_SETTINGS), 784, 10)
    accuracy = float(np.mean(np.argmax(X_test @ W + b, axis=1) == y_test))
    if not accuracy >= MIN_ACCURACY:
        raise CheckFailure(f"test accuracy {accuracy:.1%} after training on the sorted MNIST subset with "
                           f"{MNIST_SETTINGS}; at least {MIN_ACCURACY:.0%} expected")


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(2)
@pytest.mark.hint(
    "With one batch holding all the data, each epoch must be exactly one gradient step W - lr * dW.",
    "Take each step against the gradient: W = W - lr * dW and b = b - lr * db (minus, not plus), once per batch, "
    "for exactly `epochs` passes; the last batch of an epoch may be smaller than batch_size, and must not be "
    "dropped.",
)
@pytest.mark.spec(
    "walk through that order in batches of `batch_size` examples (the last batch may be smaller);",
    "for each batch, compute the gradient of the mean loss on the batch and take a step:",
    "Start from $W = 0$ and $b = 0$",
    "small random values drawn from `rng` are fine too",
)
def test_full_batch_steps(student, reference, rng):
    X, y = _small(rng)
    n, d, k = len(y), X.shape[1], 3
    Y = np.eye(k)[y]
    # lr = 0 shows the starting point (zeros, or small values drawn from the seed); batch_size > n: one batch.
    W, b = _trained(student.train_softmax_regression(X, y, epochs=1, batch_size=n + 4, lr=0.0, seed=3), d, k)
    for epochs in (1, 2):
        dW, db = reference.softmax_cross_entropy_grad(X, Y, W, b)
        W, b = W - 0.5 * dW, b - 0.5 * db
        got = _trained(student.train_softmax_regression(X, y, epochs=epochs, batch_size=n + 4, lr=0.5, seed=3), d, k)
        expect_array(got[0], W, name=f"W after {epochs} full-batch epoch(s) with lr = 0.5", dtype="float",
                     rtol=1e-7, atol=1e-10)
        expect_array(got[1], b, name=f"b after {epochs} full-batch epoch(s) with lr = 0.5", dtype="float",
                     rtol=1e-7, atol=1e-10)


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The same seed must give the same result, and another seed another shuffle (a different result).",
    "Create rng = np.random.default_rng(seed) once, from the seed argument, and draw a new order with "
    "rng.permutation(n) in every epoch: do not use a fixed seed, the global np.random, or no shuffle at all.",
)
@pytest.mark.spec(
    "draw a new order with `rng.permutation(n)`, where `rng = np.random.default_rng(seed)` is created **once**",
    "(so each epoch has a different order, and the same seed gives the same run)",
)
def test_seed_controls_the_shuffle(student, rng):
    X, y = _small(rng, n=20)
    settings = {"epochs": 2, "batch_size": 4, "lr": 0.5}
    first = _trained(student.train_softmax_regression(X, y, seed=11, **settings), 5, 3)
    again = _trained(student.train_softmax_regression(X, y, seed=11, **settings), 5, 3)
    other = _trained(student.train_softmax_regression(X, y, seed=12, **settings), 5, 3)
    expect_array(again[0], first[0], name="W of a second run with the same seed", dtype="float", exact=True)
    if np.allclose(other[0], first[0], rtol=1e-9, atol=1e-12):
        raise CheckFailure("two different seeds gave the same W: the examples are not shuffled with the seed")


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The number of classes is max(y) + 1, even when some labels do not occur.",
    "Take K = max(y) + 1 (not the number of distinct labels, not a fixed 10): labels 0, 2 and 4 give K = 5, so W "
    "has shape (d, 5) and b shape (5,).",
)
@pytest.mark.spec(
    "The number of classes is $K = \\max(y) + 1$ (10 for MNIST).",
    "Return `(W, b)` with shapes `(d, K)` and `(K,)`.",
)
def test_number_of_classes(student, rng):
    X = rng.normal(size=(12, 6))
    y = np.array([0, 2, 4] * 4)
    W, b = _trained(student.train_softmax_regression(X, y, epochs=3, batch_size=4, lr=0.5, seed=0), 6, 5)
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        raise CheckFailure("W or b holds nan or inf")


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(1)
@pytest.mark.hint(
    "train_softmax_regression must not change X or y.",
    "X or y was modified in place, e.g. by shuffling them with rng.shuffle: index with a permutation instead "
    "(X[order], y[order]), which keeps images and labels together and leaves the caller's arrays alone.",
)
@pytest.mark.spec("do not modify the arrays you are given: return new ones")
def test_does_not_modify_inputs(student, rng):
    X, y = _small(rng, n=16)
    call = student.call("train_softmax_regression", X, y, epochs=2, batch_size=5, lr=0.5, seed=1)
    expect_unchanged(X, call.args[0], name="X")
    expect_unchanged(y, call.args[1], name="y")
    _trained(call.value, 5, 3)
