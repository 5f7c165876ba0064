"""Public tests for exercise 01 (the perceptron): the lecture's worked example and the basic contract.

Run them from the notebook with ``check("fold_bias")`` (one exercise) or ``check_all()``.
The grader runs these and more (hidden) tests on other data.
"""

import numpy as np
import pytest
from selfcheck import expect_array, expect_equal, expect_tuple, expect_unchanged

# The lecture's five points (F, G) and labels Y.
X_LECTURE = np.array([[-1, 2], [3, 0], [0, 4], [1, 5], [2, 2]])
Y_LECTURE = np.array([-1, -1, 1, 1, 1])

# fold_bias(X_LECTURE), written out.
XB_LECTURE = np.array([[-1.0, 2, -1], [3, 0, -1], [0, 4, -1], [1, 5, -1], [2, 2, -1]])

# The first six rows of the lecture's table: weights before the visit, folded example, score.
TRACE_START = np.array([
    [0, 0, 0, 1, -2, 1, 0],
    [1, -2, 1, -3, 0, 1, -2],
    [-2, -2, 2, 0, 4, -1, -10],
    [-2, 2, 1, 1, 5, -1, 7],
    [-2, 2, 1, 2, 2, -1, -1],
    [0, 4, 0, 1, -2, 1, -8],
], dtype=float)


# --------------------------------------------------------------------------- fold_bias


@pytest.mark.question("fold_bias")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Add one column to the points, with the same value in every row.",
    "The lecture writes <x, w> - rho as <(x, -1), (w, rho)>: the new column comes after the d features "
    "and holds -1. Return floats, even when X holds integers.",
)
@pytest.mark.spec("the columns of `X` followed by one column of $-1$", "return a **float** array of shape `(n, d + 1)`")
def test_fold_bias_lecture(student):
    expect_array(student.fold_bias(X_LECTURE), XB_LECTURE, name="fold_bias(X_lecture)", dtype="float")


@pytest.mark.question("fold_bias")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The result has one column more than X, and X itself must not change.",
    "For X of shape (n, d) return a new float array of shape (n, d + 1): its first d columns are the "
    "columns of X, its last column is -1.",
)
@pytest.mark.spec(
    "return a **float** array of shape `(n, d + 1)`",
    "the columns of `X` followed by one column of $-1$",
    "do not modify the arrays you are given: return new ones",
)
def test_fold_bias_contract(student, rng):
    X = rng.normal(size=(6, 3))
    call = student.call("fold_bias", X)
    out = call.value
    expect_unchanged(X, call.args[0], name="X")
    if not isinstance(out, np.ndarray) or out.shape != (6, 4):
        expect_array(out, np.zeros((6, 4)), name="fold_bias(X) for X of shape (6, 3)")
    expect_array(out[:, :3], X, name="the first 3 columns of fold_bias(X)", dtype="float")
    expect_array(out[:, 3], -np.ones(6), name="the last column of fold_bias(X)", dtype="float")


# --------------------------------------------------------------------------- fold_labels


@pytest.mark.question("fold_labels")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Multiply each row by the label of that example.",
    "Row i of the result is y[i] times row i of X: rows with label +1 stay as they are, rows with "
    "label -1 change sign. The lecture's first point (-1, 2, -1) with label -1 becomes (1, -2, 1).",
)
@pytest.mark.spec("multiply each row of `X` (shape `(n, k)`) by its label `y[i]`")
def test_fold_labels_lecture(student):
    expected = np.array([[1.0, -2, 1], [-3, 0, 1], [0, 4, -1], [1, 5, -1], [2, 2, -1]])
    expect_array(student.fold_labels(XB_LECTURE, Y_LECTURE), expected, name="fold_labels(Xb, y)")


@pytest.mark.question("fold_labels")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Same shape as X, one label per row, and do not change X or y.",
    "The result has the shape of X. Multiply row i by y[i] (one label per row, not per column) and "
    "return a new array instead of changing X in place.",
)
@pytest.mark.spec(
    "multiply each row of `X` (shape `(n, k)`) by its label `y[i]`",
    "return the result as a new array of shape `(n, k)`",
    "do not modify the arrays you are given: return new ones",
)
def test_fold_labels_contract(student, rng):
    X = rng.normal(size=(5, 3))
    y = np.array([1, -1, -1, 1, -1])
    call = student.call("fold_labels", X, y)
    expect_unchanged(X, call.args[0], name="X")
    expect_unchanged(y, call.args[1], name="y")
    expected = np.stack([X[0], -X[1], -X[2], X[3], -X[4]])
    expect_array(call.value, expected, name="fold_labels(X, y)")


# --------------------------------------------------------------------------- perceptron_update


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A misclassified example moves w towards y times x.",
    "Compute the score y * <x, w>. When it is zero or negative, the new weights are w plus lr times y "
    "times x, and updated is True. Here w = (1, -2, 1), x = (3, 0, -1), y = -1: the score is -2, so w "
    "must move (x is subtracted, because y = -1).",
)
@pytest.mark.spec("Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,")
def test_update_lecture_step(student):
    out = student.perceptron_update(np.array([1.0, -2, 1]), np.array([3.0, 0, -1]), -1)
    expect_tuple(out, 2, name="perceptron_update(...)")
    expect_array(out[0], np.array([-2.0, -2, 2]), name="w_new", dtype="float")
    expect_equal(out[1], True, name="updated")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A correctly classified example leaves w alone.",
    "When y * <x, w> is positive, return the same weights (as a new array) and False. "
    "Here w = (1, 2, 4), x = (2, 2, -1), y = +1: the score is 2.",
)
@pytest.mark.spec("otherwise `w_new` is `w` unchanged (return a copy) and `updated` is `False`.")
def test_update_correct_example(student):
    out = student.perceptron_update(np.array([1.0, 2, 4]), np.array([2.0, 2, -1]), 1)
    expect_tuple(out, 2, name="perceptron_update(...)")
    expect_array(out[0], np.array([1.0, 2, 4]), name="w_new", dtype="float")
    expect_equal(out[1], False, name="updated")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(0)  # the point is in the hidden suite; this test tells you before you submit
@pytest.mark.spec("Note the $\\le$: a score of exactly $0$ (the point lies *on* the hyperplane) counts as a mistake.")
@pytest.mark.hint(
    "A score of exactly 0 is a mistake, not a correct classification.",
    "Update when y * <x, w> <= 0, not only when it is < 0: with w = 0 every score is 0, so a perceptron that "
    "skips a score of 0 never leaves w = 0. Here w = (2, 1, 0), x = (1, -2, 5), y = -1: the score is exactly 0.",
)
def test_update_zero_score_is_a_mistake(student):
    out = student.perceptron_update(np.array([2.0, 1, 0]), np.array([1.0, -2, 5]), -1)
    expect_tuple(out, 2, name="perceptron_update(w, x, -1) with a score of exactly 0")
    expect_equal(out[1], True, name="updated for a score of exactly 0")
    expect_array(out[0], np.array([1.0, 3, -5]), name="w_new for a score of exactly 0", dtype="float")


# --------------------------------------------------------------------------- train_perceptron


@pytest.mark.question("train_perceptron")
@pytest.mark.points(2)
@pytest.mark.hint(
    "On the lecture's points, training ends after 26 visits with w = (1, 2, 4).",
    "Fold the bias, then the labels; start from w = 0; visit the examples in order, again and again; "
    "stop as soon as n visits in a row made no update. Print your history and compare it with the "
    "lecture's table.",
)
@pytest.mark.spec(
    "The lecture's table is exactly this history for the five points with `lr = 1`.",
    "ending with $w = (1, 2, 4)$",
)
def test_train_lecture_result(student):
    out = student.train_perceptron(X_LECTURE, Y_LECTURE)
    expect_tuple(out, 2, name="train_perceptron(...)")
    w, history = out
    expect_array(w, np.array([1.0, 2, 4]), name="w", dtype="float")
    if not isinstance(history, np.ndarray) or history.ndim != 2:
        expect_array(history, np.zeros((26, 7)), name="history")
    expect_equal(history.shape[0], 26, name="the number of visits (rows of history)")


@pytest.mark.question("train_perceptron")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the first rows of your history with the lecture's table.",
    "Each row holds the weights before the visit (3 values), the folded example y_i * (x_i, -1) (3 values) "
    "and the score <y_i * (x_i, -1), w> (1 value). The first visit has w = 0 and a score of 0, which counts "
    "as a mistake.",
)
@pytest.mark.spec("The lecture's table is exactly this history for the five points with `lr = 1`.")
def test_train_lecture_first_rows(student):
    out = student.train_perceptron(X_LECTURE, Y_LECTURE, lr=1.0)
    expect_tuple(out, 2, name="train_perceptron(...)")
    history = out[1]
    if not isinstance(history, np.ndarray) or history.ndim != 2 or history.shape[0] < 6:
        expect_array(history, np.zeros((26, 7)), name="history")
    expect_array(history[:6], TRACE_START, name="the first 6 rows of history", dtype="float")


# --------------------------------------------------------------------------- predict


@pytest.mark.question("predict")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With w = (1, 2, 4) the lecture's points get labels -1, -1, +1, +1, +1.",
    "Fold the bias into X, take the score of each row with w, and return +1 where the score is positive "
    "and -1 elsewhere, as an integer array.",
)
@pytest.mark.spec(
    "return an **integer** array of shape `(n,)` with values $+1$ and $-1$",
    "Returns an int array of shape (n,): +1 where <(x, -1), w> > 0, else -1.",
)
def test_predict_lecture(student):
    expect_array(student.predict(np.array([1.0, 2, 4]), X_LECTURE), Y_LECTURE, name="predict(w, X_lecture)",
                 dtype="int", exact=True)


@pytest.mark.question("predict")
@pytest.mark.points(1)
@pytest.mark.hint(
    "predict returns one integer label, +1 or -1, per row of X.",
    "For X of shape (n, d) and w of length d + 1 the result has shape (n,), an integer dtype and values "
    "in {-1, +1}; the last entry of w is rho, subtracted from <x, w[:d]>.",
)
@pytest.mark.spec(
    "return an **integer** array of shape `(n,)` with values $+1$ and $-1$",
    "Returns an int array of shape (n,): +1 where <(x, -1), w> > 0, else -1.",
)
def test_predict_contract(student):
    w = np.array([2.0, -1, 0.5])
    X = np.array([[1.0, 1], [0, 0], [-1, 3], [3, 1], [0.2, 0.1]])  # scores 0.5, -0.5, -5.5, 4.5, -0.2
    expect_array(student.predict(w, X), np.array([1, -1, -1, 1, -1]), name="predict(w, X)",
                 dtype="int", exact=True)
