"""Hidden tests for train_perceptron (exercise 01, the perceptron)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_equal, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

X_LECTURE = np.array([[-1, 2], [3, 0], [0, 4], [1, 5], [2, 2]])
Y_LECTURE = np.array([-1, -1, 1, 1, 1])

# The lecture's table: weights before the visit (3), folded example y_i (x_i, -1) (3), score (1).
LECTURE_TRACE = np.array([
    [0, 0, 0, 1, -2, 1, 0], [1, -2, 1, -3, 0, 1, -2], [-2, -2, 2, 0, 4, -1, -10],
    [-2, 2, 1, 1, 5, -1, 7], [-2, 2, 1, 2, 2, -1, -1], [0, 4, 0, 1, -2, 1, -8],
    [1, 2, 1, -3, 0, 1, -2], [-2, 2, 2, 0, 4, -1, 6], [-2, 2, 2, 1, 5, -1, 6],
    [-2, 2, 2, 2, 2, -1, -2], [0, 4, 1, 1, -2, 1, -7], [1, 2, 2, -3, 0, 1, -1],
    [-2, 2, 3, 0, 4, -1, 5], [-2, 2, 3, 1, 5, -1, 5], [-2, 2, 3, 2, 2, -1, -3],
    [0, 4, 2, 1, -2, 1, -6], [1, 2, 3, -3, 0, 1, 0], [-2, 2, 4, 0, 4, -1, 4],
    [-2, 2, 4, 1, 5, -1, 4], [-2, 2, 4, 2, 2, -1, -4], [0, 4, 3, 1, -2, 1, -5],
    [1, 2, 4, -3, 0, 1, 1], [1, 2, 4, 0, 4, -1, 4], [1, 2, 4, 1, 5, -1, 7],
    [1, 2, 4, 2, 2, -1, 2], [1, 2, 4, 1, -2, 1, 1],
], dtype=float)

HINT_TABLE = (
    "Compare your history with the lecture's table row by row; the first row that differs shows the mistake.",
    (
        "Each row: the weights before the visit, the folded example (bias -1 appended first, then multiplied "
        "by the label), and its score. A score <= 0 means an update; stop after n visits in a row without an "
        "update."
    ),
)


def separable(rng, n, d):
    """n integer-valued points in [-5, 5]^d of both classes, separated with margin by an integer hyperplane.

    Integer data and learning rates that are powers of 2 keep every score exact in floating point, so the
    run cannot depend on the order in which a student's code adds things up.
    """
    while True:
        w = rng.integers(-3, 4, size=d + 1).astype(float)
        X = rng.integers(-5, 6, size=(40 * n, d)).astype(float)
        score = X @ w[:d] - w[d]
        keep = np.abs(score) >= 2
        X, y = X[keep][:n], np.where(score[keep][:n] > 0, 1, -1)
        if len(y) == n and abs(int(y.sum())) < n:  # n points, both classes
            return X, y


def _train(student, *args, **kwargs):
    out = student.train_perceptron(*args, **kwargs)
    expect_tuple(out, 2, name="train_perceptron(...)")
    w, history = out
    if not isinstance(history, np.ndarray) or history.ndim != 2:
        raise CheckFailure("history should be a 2-d numpy array with one row per visit")
    return w, history


def _same_run(student_out, reference_out, what=""):
    (w, history), (w_ref, history_ref) = student_out, reference_out
    expect_array(history, history_ref, name=f"history{what}", dtype="float")
    expect_array(w, w_ref, name=f"w{what}", dtype="float")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(2)
@pytest.mark.hint(*HINT_TABLE)
@pytest.mark.spec(
    "The lecture's table is exactly this history for the five points with `lr = 1`.",
    "ending with $w = (1, 2, 4)$",
)
def test_lecture_full_trace(student):
    w, history = _train(student, X_LECTURE, Y_LECTURE, lr=1.0)
    expect_array(history, LECTURE_TRACE, name="history on the lecture's points (26 rows)", dtype="float")
    expect_array(w, np.array([1.0, 2.0, 4.0]), name="w on the lecture's points", dtype="float")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.parametrize("n, d, lr", [(12, 2, 1.0), (20, 3, 0.5), (9, 1, 2.0)])
@pytest.mark.hint(
    "Your training run differs from the expected one on random separable data.",
    "Check each step against the description: fold the bias, then the labels; start at w = 0; visit the "
    "examples in order, cyclically; update with the learning rate when the score is <= 0; stop after n "
    "visits in a row without an update or after max_epochs passes.",
)
@pytest.mark.spec(
    "folds the bias, then the labels",
    "visits the examples in order",
    "(cyclically), and applies the update rule to each",
    "stops as soon as $n$ visits in a row made no update.",
)
def test_random_separable(student, reference, rng, n, d, lr):
    X, y = separable(rng, n, d)
    expected = reference.train_perceptron(X, y, lr=lr, max_epochs=50)
    _same_run(_train(student, X, y, lr=lr, max_epochs=50), expected, f" for n = {n}, d = {d}, lr = {lr}")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Check the shapes: w has d + 1 entries, history has 2d + 3 columns, both are floats.",
    "The bias is folded into w, so w has d + 1 entries (the last is rho). Each history row holds the d + 1 "
    "weights, the d + 1 entries of the folded example and the score, as floats.",
)
@pytest.mark.spec(
    "Returns (w, history): w of shape (d + 1,) (the last entry is rho)",
    "a float array with **one row per visit**",
    "so `history` has shape `(visits, 2d + 3)`",
)
def test_shapes_and_dtypes(student, reference, rng):
    X, y = separable(rng, 10, 3)
    w, history = _train(student, X, y)
    w_ref, history_ref = reference.train_perceptron(X, y)
    expect_array(w, w_ref, name="w (d = 3)", dtype="float")
    if history.shape[1:] != (9,):
        raise CheckFailure(f"history has shape {history.shape}; for d = 3 each row needs 2d + 3 = 9 values")
    expect_array(history, history_ref, name="history (d = 3)", dtype="float")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Stop as soon as n visits in a row made no update, even in the middle of a pass over the data.",
    "The rule is not 'one clean full pass (epoch)': after the last update, count the visits without an "
    "update; when the count reaches n, the same w classifies every example correctly, so stop right there "
    "instead of finishing the pass or starting a new one.",
)
@pytest.mark.spec(
    "stops as soon as $n$ visits in a row made no update.",
    "This can happen in the middle of a pass over the data; do not wait for the end of the pass",
)
def test_stops_after_n_clean_visits(student, reference):
    # One update at the first visit; visits 2, 3 and 4 (the start of the second pass) are clean: stop at 4.
    # Waiting for a clean full pass would give 6 visits.
    X, y = np.array([[-3.0], [-2.0], [1.0]]), np.array([-1, -1, 1])
    w, history = _train(student, X, y)
    expect_equal(history.shape[0], 4, name="the number of visits (rows of history)")
    _same_run((w, history), reference.train_perceptron(X, y))


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.parametrize("max_epochs", [3, 7])
@pytest.mark.hint(
    "On data that cannot be separated, training must stop after exactly max_epochs passes.",
    "max_epochs passes over n examples are exactly max_epochs * n visits, so history must have exactly that "
    "many rows; look for an off-by-one in the loop bound, or a bound that counts visits instead of passes.",
)
@pytest.mark.spec("also stops after `max_epochs` passes over the data (`max_epochs * n` visits)")
def test_max_epochs_cap(student, reference, max_epochs):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])  # XOR: not separable
    y = np.array([-1, -1, 1, 1, 1])
    w, history = _train(student, X, y, max_epochs=max_epochs)
    expect_equal(history.shape[0], max_epochs * len(X),
                 name=f"the number of visits for max_epochs = {max_epochs}")
    _same_run((w, history), reference.train_perceptron(X, y, max_epochs=max_epochs))


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Starting from w = 0, the learning rate only scales w.",
    "With learning rate c every update adds c times the folded example, so w must be c times the result "
    "for lr = 1, after the same visits. If your w does not scale, the learning rate is not used in the "
    "update (or not passed on to it).",
)
@pytest.mark.spec(
    "(cyclically), and applies the update rule to each",
    "Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,",
)
def test_learning_rate_scales_w(student, rng):
    X, y = separable(rng, 10, 2)
    w1, history1 = _train(student, X, y, lr=1.0)
    w4, history4 = _train(student, X, y, lr=0.25)
    expect_equal(history4.shape[0], history1.shape[0], name="the number of visits for lr = 0.25")
    if not np.all(np.isfinite(np.asarray(w1, dtype=float))):
        raise CheckFailure("w for lr = 1 holds NaN or infinity")
    expect_array(w4, 0.25 * w1, name="w for lr = 0.25 (it should be 0.25 times w for lr = 1)", dtype="float")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each history row records the weights before the visit.",
    "Record the row first, then update: the first row holds w = 0, and each row's weights are the weights "
    "before the visit of that row (the weights after the visit belong to the next row).",
)
@pytest.mark.spec(
    "the weights **before** the visit ($d+1$ values)",
    "a float array with **one row per visit**",
    "Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,",
)
def test_history_weights_before_the_visit(student, rng):
    X, y = separable(rng, 8, 2)
    w, history = _train(student, X, y, lr=0.5)
    if history.shape[1:] != (7,) or len(history) == 0:
        raise CheckFailure(f"history has shape {history.shape}; expected 7 columns for d = 2")
    weights, z, score = history[:, :3], history[:, 3:6], history[:, 6]
    step = np.where((score <= 0)[:, None], 0.5 * z, 0.0)
    expect_array(weights[0], np.zeros(3), name="the weights in the first row of history", dtype="float")
    expect_array(weights[1:], (weights + step)[:-1], name="the weights in rows 2, 3, ... of history",
                 dtype="float")
    expect_array(np.sum(z * weights, axis=1), score, name="the scores in history (folded example . weights)")
    expect_array(w, weights[-1] + step[-1], name="the final w (weights of the last row plus its update)")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The middle block of each history row is the folded example y_i * (x_i, -1).",
    "Fold the bias first, then multiply by the label: the last entry of the folded example is -y_i "
    "(+1 for a negative example), not always -1.",
)
@pytest.mark.spec("folds the bias, then the labels", "the last one is $-y_i$")
def test_history_folded_examples(student, reference, rng):
    X, y = separable(rng, 7, 2)
    _, history = _train(student, X, y)
    n_rows = len(reference.train_perceptron(X, y)[1])
    if history.shape != (n_rows, 7):
        raise CheckFailure(f"history has shape {history.shape}, expected {(n_rows, 7)}")
    folded = (np.hstack([X, -np.ones((7, 1))]) * y[:, None])[np.arange(n_rows) % 7]
    expect_array(history[:, 3:6], folded, name="the folded examples in history (columns 4 to 6)",
                 dtype="float")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(1)
@pytest.mark.hint(
    "train_perceptron must not change X or y.",
    "X or y was modified in place while training: work on new arrays (the folded examples) instead of "
    "changing the data you were given.",
)
@pytest.mark.spec("do not modify the arrays you are given: return new ones")
def test_does_not_modify_inputs(student, reference, rng):
    X, y = separable(rng, 8, 2)
    call = student.call("train_perceptron", X, y, lr=0.5, max_epochs=20)
    expect_unchanged(X, call.args[0], name="X")
    expect_unchanged(y, call.args[1], name="y")
    expect_tuple(call.value, 2, name="train_perceptron(...)")
    _same_run(call.value, reference.train_perceptron(X, y, lr=0.5, max_epochs=20))
