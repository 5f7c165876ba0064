"""Hidden tests for softmax_cross_entropy_grad (exercise 03)."""

import numpy as np
import pytest

from autograder.selfcheck import expect_array, expect_tuple

pytestmark = pytest.mark.visibility("hidden")


def _problem(rng, n=9, d=5, k=4):
    X = rng.normal(size=(n, d))
    Y = np.eye(k)[rng.integers(0, k, size=n)]
    return X, Y, rng.normal(0, 0.5, size=(d, k)), rng.normal(0, 0.5, size=k)


def _grad(student, *args):
    out = student.softmax_cross_entropy_grad(*args)
    expect_tuple(out, 2, name="softmax_cross_entropy_grad(...)")
    return out


def _numerical(reference, X, Y, W, b, h=1e-6):
    """Central differences of the reference mean loss with respect to W and b."""
    def loss(W_, b_):
        return reference.cross_entropy(Y, reference.dense_softmax(X, W_, b_))

    dW, db = np.zeros_like(W), np.zeros_like(b)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        dW[idx] = (loss(W + E, b) - loss(W - E, b)) / (2 * h)
    for i in range(len(b)):
        e = np.zeros_like(b)
        e[i] = h
        db[i] = (loss(W, b + e) - loss(W, b - e)) / (2 * h)
    return dW, db


@pytest.mark.question("softmax_cross_entropy_grad")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The gradient differs from the expected one at random weights.",
    "With P = dense_softmax(X, W, b): dW = X.T @ (P - Y_true) / n and db = (P - Y_true).sum(axis=0) / n. Check "
    "the sign: it is P - Y_true (predicted minus true), not Y_true - P.",
)
@pytest.mark.spec(
    "Gradient of the mean cross-entropy of dense_softmax(X, W, b) against Y_true.",
    "return the pair `(dW, db)` with `dW` of shape `(d, K)` and `db` of shape `(K,)`.",
)
def test_grad_random(student, reference, rng):
    X, Y, W, b = _problem(rng)
    dW, db = _grad(student, X, Y, W, b)
    dW_ref, db_ref = reference.softmax_cross_entropy_grad(X, Y, W, b)
    expect_array(dW, dW_ref, name="dW", dtype="float")
    expect_array(db, db_ref, name="db", dtype="float")


@pytest.mark.question("softmax_cross_entropy_grad")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Your gradient does not agree with finite differences of the loss.",
    "Compare with the numerical gradient as in the notebook's gradient check: the analytic gradient is "
    "X.T @ (P - Y_true) / n for W and the mean of P - Y_true over the rows for b.",
)
@pytest.mark.spec("Gradient of the mean cross-entropy of dense_softmax(X, W, b) against Y_true.")
def test_grad_matches_finite_differences(student, reference, rng):
    X, Y, W, b = _problem(rng, n=6, d=3, k=3)
    dW_num, db_num = _numerical(reference, X, Y, W, b)
    dW, db = _grad(student, X, Y, W, b)
    expect_array(dW, dW_num, name="dW (against finite differences)", dtype="float", rtol=1e-5, atol=1e-7)
    expect_array(db, db_num, name="db (against finite differences)", dtype="float", rtol=1e-5, atol=1e-7)


@pytest.mark.question("softmax_cross_entropy_grad")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The gradient of a mean loss does not grow with the batch: the same batch twice gives the same gradient.",
    "Divide by the batch size n (the number of rows of X) in both dW and db: the loss is the mean over the "
    "examples, so its gradient is the mean of the per-example gradients.",
)
@pytest.mark.spec("Note the $\\frac{1}{n}$ (the loss is a mean)")
def test_grad_is_divided_by_batch_size(student, reference, rng):
    X, Y, W, b = _problem(rng, n=5)
    dW_ref, db_ref = reference.softmax_cross_entropy_grad(X, Y, W, b)
    dW, db = _grad(student, np.vstack([X, X, X]), np.vstack([Y, Y, Y]), W, b)
    expect_array(dW, dW_ref, name="dW for the batch repeated three times", dtype="float")
    expect_array(db, db_ref, name="db for the batch repeated three times", dtype="float")


@pytest.mark.question("softmax_cross_entropy_grad")
@pytest.mark.points(1)
@pytest.mark.hint(
    "db has one entry per class, shape (K,): it sums over the examples.",
    "Sum (P - Y_true) / n over the examples, axis 0 (the rows), not over the classes: db has the shape of b.",
)
@pytest.mark.spec(
    "sums over the **examples** (rows), giving one number per class.",
    "return the pair `(dW, db)` with `dW` of shape `(d, K)` and `db` of shape `(K,)`.",
)
def test_db_sums_over_the_examples(student, reference, rng):
    X, Y, W, b = _problem(rng, n=7, d=2, k=3)
    _, db = _grad(student, X, Y, W, b)
    expect_array(db, reference.softmax_cross_entropy_grad(X, Y, W, b)[1], name="db for n = 7, K = 3",
                 dtype="float")
