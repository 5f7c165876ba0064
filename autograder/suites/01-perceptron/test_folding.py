"""Hidden tests for fold_bias and fold_labels (exercise 01, the perceptron)."""

import numpy as np
import pytest

from autograder.selfcheck import expect_array, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


# --------------------------------------------------------------------------- fold_bias


@pytest.mark.question("fold_bias")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Check where the bias column goes and which value it holds.",
    "The bias column must be the last column, after the d features, and every entry must be -1 "
    "(minus one, not +1): <x, w> - rho = <(x, -1), (w, rho)>, so rho is the last weight.",
)
@pytest.mark.spec("the columns of `X` followed by one column of $-1$", "return a **float** array of shape `(n, d + 1)`")
def test_fold_bias_random(student, reference, rng):
    n, d = int(rng.integers(5, 12)), int(rng.integers(1, 6))
    X = rng.normal(size=(n, d))
    expect_array(student.fold_bias(X), reference.fold_bias(X), name=f"fold_bias(X) for X of shape {(n, d)}",
                 dtype="float")


@pytest.mark.question("fold_bias")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Integer points must give a float result, and X must not change.",
    "When X holds integers the result must still be a float array (the weights will be floats); convert "
    "to float instead of keeping the dtype of X. Build a new array rather than changing X.",
)
@pytest.mark.spec(
    "return a **float** array of shape `(n, d + 1)`",
    "do not modify the arrays you are given: return new ones",
)
def test_fold_bias_int_input_gives_floats(student, reference, rng):
    X = rng.integers(-9, 10, size=(7, 2))
    call = student.call("fold_bias", X)
    expect_unchanged(X, call.args[0], name="X")
    expect_array(call.value, reference.fold_bias(X), name="fold_bias(X) for integer X", dtype="float")


# --------------------------------------------------------------------------- fold_labels


@pytest.mark.question("fold_labels")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each row is multiplied by its own label.",
    "Multiply each row of X by the label of that row (one label per row, so labels run down the rows, not "
    "across the columns): rows with label +1 stay, rows with label -1 flip sign. Test it on a square X, "
    "where multiplying along the wrong axis does not raise an error.",
)
@pytest.mark.spec("multiply each row of `X` (shape `(n, k)`) by its label `y[i]`")
def test_fold_labels_random_square(student, reference, rng):
    X = rng.normal(size=(4, 4))
    y = np.array([1, -1, -1, 1])[rng.permutation(4)]
    expect_array(student.fold_labels(X, y), reference.fold_labels(X, y), name="fold_labels(X, y)")


@pytest.mark.question("fold_labels")
@pytest.mark.points(1)
@pytest.mark.hint(
    "fold_labels must not change the arrays it is given.",
    "X (or y) was modified in place: multiplying into X itself changes the caller's data. Compute the "
    "folded examples as a new array and return that.",
)
@pytest.mark.spec(
    "multiply each row of `X` (shape `(n, k)`) by its label `y[i]`",
    "return the result as a new array of shape `(n, k)`",
    "do not modify the arrays you are given: return new ones",
)
def test_fold_labels_does_not_modify_inputs(student, reference, rng):
    n = int(rng.integers(5, 9))
    X = rng.normal(size=(n, 3))
    y = np.where(rng.random(n) < 0.5, -1, 1)
    call = student.call("fold_labels", X, y)
    expect_unchanged(X, call.args[0], name="X")
    expect_unchanged(y, call.args[1], name="y")
    expect_array(call.value, reference.fold_labels(X, y), name="fold_labels(X, y)")
