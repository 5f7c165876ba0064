"""Hidden tests for softmax, one_hot, cross_entropy and dense_softmax (exercise 03)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_close, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def _expect_float_array(value, shape, name):
    """A float array of the given shape (what a test about something else needs of the result)."""
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
        expect_array(value, np.zeros(shape), name=name, dtype="float")  # raises, saying what is wrong


def _probabilities(rng, n, k):
    """n random probability rows over k classes, away from 0."""
    return rng.dirichlet(np.full(k, 2.0), size=n)


# --------------------------------------------------------------------------- softmax


@pytest.mark.question("softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "softmax differs from exp(z) / sum(exp(z)) on a random batch of logits.",
    "For every row: exponentiate the logits and divide by the sum of the exponentials of that row.",
)
@pytest.mark.spec("Softmax along the last axis of Z (any shape); every row of the result sums to 1.")
def test_softmax_random_batch(student, reference, rng):
    Z = rng.normal(0, 4, size=(6, 5))
    expect_array(student.softmax(Z), reference.softmax(Z), name="softmax(Z) for a (6, 5) batch", dtype="float")


@pytest.mark.question("softmax")
@pytest.mark.points(2)
@pytest.mark.hint(
    "softmax must stay finite for logits as large as +-1e4, also when the rows have very different scales.",
    "exp(1000) overflows to inf. Subtract each row's maximum (Z.max(axis=-1, keepdims=True)) before np.exp; "
    "subtracting one maximum of the whole array is not enough when one row is much larger than another.",
)
@pytest.mark.spec(
    "Subtract the maximum of each row (use `keepdims=True`), and stay stable for logits as large as $\\pm 10^4$.",
)
def test_softmax_huge_logits(student, reference):
    Z = np.array([[1000.0, 1001.0, 1002.0, 999.0], [-1e4, 0.0, 1e4, 5.0], [0.0, 1.0, 2.0, 3.0],
                  [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3]])
    expect_array(student.softmax(Z), reference.softmax(Z), name="softmax(Z) for logits up to +-1e4",
                 dtype="float")


@pytest.mark.question("softmax")
@pytest.mark.points(2)
@pytest.mark.hint(
    "softmax normalises along the last axis: each row of a batch (and a single vector) sums to 1.",
    "Use axis=-1 (the last axis) with keepdims=True for the maximum and the sum, so a (n, K) batch gives n "
    "distributions, a (K,) vector one, and a (b, n, K) array b * n of them.",
)
@pytest.mark.spec(
    "`Z` is an array of any shape whose **last axis** holds the $K$ logits",
    "Softmax along the last axis of Z (any shape); every row of the result sums to 1.",
)
def test_softmax_last_axis_any_shape(student, reference, rng):
    for shape in [(4, 7), (9,), (2, 3, 5)]:
        Z = rng.normal(0, 2, size=shape)
        expect_array(student.softmax(Z), reference.softmax(Z), name=f"softmax(Z) for Z of shape {shape}",
                     dtype="float")


@pytest.mark.question("softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "softmax must not change the logits it is given.",
    "Z was modified in place (Z -= Z.max(...) changes the caller's array): write Z - Z.max(...) into a new array.",
)
@pytest.mark.spec("do not modify the arrays you are given: return new ones")
def test_softmax_does_not_modify_z(student, rng):
    Z = rng.normal(0, 3, size=(3, 4))
    call = student.call("softmax", Z)
    expect_unchanged(Z, call.args[0], name="Z")
    _expect_float_array(call.value, Z.shape, "softmax(Z)")


# --------------------------------------------------------------------------- one_hot


@pytest.mark.question("one_hot")
@pytest.mark.points(1)
@pytest.mark.hint(
    "one_hot(y, K) has one row per label: shape (n, num_classes).",
    "Return an array of shape (len(y), num_classes), not (num_classes, len(y)): row i belongs to example i.",
)
@pytest.mark.spec("return a **float** array of shape `(n, num_classes)` whose row $i$ is the one-hot vector of `y[i]`.")
def test_one_hot_shape(student, rng):
    y = rng.integers(0, 4, size=7)
    y[:4] = [0, 1, 2, 3]
    out = student.one_hot(y, 4)
    if not isinstance(out, np.ndarray) or out.shape != (7, 4):
        expect_array(out, np.zeros((7, 4)), name="one_hot(y, 4) for 7 labels", dtype="float")


@pytest.mark.question("one_hot")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Row i must have its single 1 in column y[i] (label 0 in column 0), as floats.",
    "Set out[i, y[i]] = 1.0 for every i: no shift by one (label 0 goes into the first column, label K - 1 into "
    "the last), and a float array, not integers.",
)
@pytest.mark.spec("return a **float** array of shape `(n, num_classes)` whose row $i$ is the one-hot vector of `y[i]`.")
def test_one_hot_random_labels(student, reference, rng):
    y = rng.integers(0, 6, size=12)
    y[:2] = [0, 5]
    expect_array(student.one_hot(y, 6), reference.one_hot(y, 6), name="one_hot(y, 6)", dtype="float")


@pytest.mark.question("one_hot")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The result has num_classes columns, even if the largest classes do not occur in y.",
    "Take the number of columns from the num_classes argument, not from max(y) + 1: one_hot([0, 2, 1], 6) has "
    "6 columns (num_classes columns).",
)
@pytest.mark.spec("The number of columns is `num_classes`, even when the largest class does not occur in `y`.")
def test_one_hot_uses_num_classes(student, reference):
    y = np.array([0, 2, 1, 2])
    expect_array(student.one_hot(y, 6), reference.one_hot(y, 6), name="one_hot([0, 2, 1, 2], 6)", dtype="float")


# --------------------------------------------------------------------------- cross_entropy


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "cross_entropy differs from the expected value on a random batch.",
    "For every row i compute -sum_k Y_true[i, k] * log(Y_prob[i, k]), then the mean over the rows.",
)
@pytest.mark.spec("Mean over the rows of -sum_k Y_true[i, k] * log(clip(Y_prob[i, k], eps, 1)), as a Python float.")
def test_cross_entropy_random_batch(student, reference, rng):
    Y_true = np.eye(5)[rng.integers(0, 5, size=8)]
    Y_prob = _probabilities(rng, 8, 5)
    expect_close(student.cross_entropy(Y_true, Y_prob), reference.cross_entropy(Y_true, Y_prob),
                 name="cross_entropy on a random batch of 8", rtol=1e-9)


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The loss of a batch is the mean over the rows: ten copies of one example have that example's loss.",
    "Average over the rows (np.mean), do not sum: the loss must not grow with the batch size.",
)
@pytest.mark.spec(
    "Over a batch of $n$ examples the loss is the **mean**:",
    "Mean over the rows of -sum_k Y_true[i, k] * log(clip(Y_prob[i, k], eps, 1)), as a Python float.",
)
def test_cross_entropy_is_a_mean(student, reference, rng):
    Y_true = np.eye(4)[[2]]
    Y_prob = _probabilities(rng, 1, 4)
    one = reference.cross_entropy(Y_true, Y_prob)
    expect_close(student.cross_entropy(np.repeat(Y_true, 10, axis=0), np.repeat(Y_prob, 10, axis=0)), one,
                 name="cross_entropy of 10 copies of one example", rtol=1e-9)


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A probability of 0 for the true class must give a finite loss of -log(eps).",
    "Clip the probabilities into [eps, 1] (np.clip(Y_prob, eps, 1)) before taking the log, and use the eps "
    "argument: log(0) is -inf.",
)
@pytest.mark.spec("Clip the probabilities into $[\\varepsilon, 1]$ first (`np.clip`), with `eps=1e-12`")
def test_cross_entropy_clips_zero_probabilities(student, reference):
    Y_true = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1]])
    Y_prob = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0], [1.0, 0.0, 0.0]])
    expect_close(student.cross_entropy(Y_true, Y_prob), reference.cross_entropy(Y_true, Y_prob),
                 name="cross_entropy with probabilities of exactly 0", rtol=1e-9)
    expect_close(student.cross_entropy(Y_true, Y_prob, eps=1e-7), reference.cross_entropy(Y_true, Y_prob, eps=1e-7),
                 name="cross_entropy(..., eps=1e-7) with probabilities of exactly 0", rtol=1e-9)


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "cross_entropy returns one number, a float.",
    "Return float(...) of the mean: not an array (not even of shape () or (1,)).",
)
@pytest.mark.spec("return the mean loss as a Python `float`.")
def test_cross_entropy_returns_a_float(student, rng):
    Y_true = np.eye(3)[[0, 1, 2, 1]]
    value = student.cross_entropy(Y_true, _probabilities(rng, 4, 3))
    if not isinstance(value, float):
        kind = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        raise CheckFailure(f"cross_entropy returned {kind}, expected a float")


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Y_true need not be one-hot: the formula sums over every class.",
    "With soft labels (e.g. 0.9 for one class and 0.05 for two others) every class contributes "
    "-Y_true[i, k] * log(Y_prob[i, k]); do not pick only the probability of the most likely true class.",
)
@pytest.mark.spec("Mean over the rows of -sum_k Y_true[i, k] * log(clip(Y_prob[i, k], eps, 1)), as a Python float.")
def test_cross_entropy_soft_labels(student, reference, rng):
    Y_true = _probabilities(rng, 6, 4)
    Y_prob = _probabilities(rng, 6, 4)
    expect_close(student.cross_entropy(Y_true, Y_prob), reference.cross_entropy(Y_true, Y_prob),
                 name="cross_entropy with soft labels", rtol=1e-9)


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "cross_entropy must not change the arrays it is given.",
    "Y_prob (or Y_true) was modified in place, e.g. by np.clip(..., out=Y_prob): clip into a new array.",
)
@pytest.mark.spec("do not modify the arrays you are given: return new ones")
def test_cross_entropy_does_not_modify_inputs(student):
    Y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
    Y_prob = np.array([[0.0, 1.0], [0.6, 0.4]])
    call = student.call("cross_entropy", Y_true, Y_prob)
    expect_unchanged(Y_prob, call.args[1], name="Y_prob")
    expect_unchanged(Y_true, call.args[0], name="Y_true")
    if not isinstance(call.value, (float, np.floating)):
        raise CheckFailure(f"cross_entropy returned a {type(call.value).__name__}, expected a float")


# --------------------------------------------------------------------------- dense_softmax


@pytest.mark.question("dense_softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dense_softmax differs from softmax(X @ W + b) for other shapes than the slide's.",
    "X (n, d) @ W (d, K) gives (n, K) scores; add b (K,) to every row and apply softmax along the last axis.",
)
@pytest.mark.spec(
    "softmax(X @ W + b): X of shape (n, d), W (d, K), b (K,); returns (n, K) probabilities.",
    "It must work for any batch size $n$, any number of inputs $d$ and classes $K$",
)
def test_dense_softmax_random(student, reference, rng):
    X, W, b = rng.normal(size=(5, 7)), rng.normal(size=(7, 4)), rng.normal(size=4)
    expect_array(student.dense_softmax(X, W, b), reference.dense_softmax(X, W, b),
                 name="dense_softmax for X (5, 7), W (7, 4), b (4,)", dtype="float")


@pytest.mark.question("dense_softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With W = 0 every row of the result is softmax(b): the bias must be added.",
    "Add the bias b to the scores, Z = X @ W + b, before the softmax.",
)
@pytest.mark.spec("softmax(X @ W + b): X of shape (n, d), W (d, K), b (K,); returns (n, K) probabilities.")
def test_dense_softmax_uses_bias(student, reference, rng):
    X, W, b = rng.normal(size=(3, 4)), np.zeros((4, 5)), np.array([2.0, -1.0, 0.0, 0.5, 1.0])
    expect_array(student.dense_softmax(X, W, b), reference.dense_softmax(X, W, b),
                 name="dense_softmax with W = 0 (every row softmax(b))", dtype="float")


@pytest.mark.question("dense_softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dense_softmax must stay finite for large scores.",
    "Apply your stable softmax (with the row maximum subtracted) to X @ W + b rather than exponentiating the "
    "scores yourself.",
)
@pytest.mark.spec(
    "Write `dense_softmax(X, W, b)` (use your `softmax`).",
    "Subtract the maximum of each row (use `keepdims=True`), and stay stable for logits as large as $\\pm 10^4$.",
)
def test_dense_softmax_large_scores(student, reference, rng):
    X, W, b = rng.normal(0, 30, size=(4, 6)), rng.normal(0, 30, size=(6, 3)), rng.normal(0, 30, size=3)
    expect_array(student.dense_softmax(X, W, b), reference.dense_softmax(X, W, b),
                 name="dense_softmax with scores in the thousands", dtype="float", rtol=1e-7, atol=1e-12)
