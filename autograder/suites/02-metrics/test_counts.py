"""Hidden tests for binary_counts and confusion_matrix (exercise 02, metrics)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_equal, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def expect_counts(out, expected, name):
    """out must be a dict with exactly the keys tp, fp, fn, tn and integer values equal to expected."""
    if not isinstance(out, dict):
        raise CheckFailure(f"{name} should be a dict with the keys 'tp', 'fp', 'fn', 'tn', got a "
                           f"{type(out).__name__}")
    if set(out) != {"tp", "fp", "fn", "tn"}:
        raise CheckFailure(f"{name} has the keys {sorted(out)}, expected exactly 'tp', 'fp', 'fn', 'tn'")
    for key in ("tp", "fp", "fn", "tn"):
        expect_equal(out[key], expected[key], name=f"{name}[{key!r}]")


# --------------------------------------------------------------------------- binary_counts


@pytest.mark.question("binary_counts")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Your counts differ from the expected ones on random 0/1 labels.",
    "TP: actual and predicted positive; FP: predicted positive but actually negative; FN: actually "
    "positive but predicted negative; TN: both negative. Check that FP and FN are not swapped.",
)
@pytest.mark.spec(
    "every example falls into one of four boxes",
    'return a dict with the keys `"tp"`, `"fp"`, `"fn"`, `"tn"` and Python `int` values',
)
def test_binary_counts_random(student, reference, rng):
    y_true, y_pred = rng.integers(0, 2, size=25), rng.integers(0, 2, size=25)
    expect_counts(student.binary_counts(y_true, y_pred), reference.binary_counts(y_true, y_pred),
                  "binary_counts(y_true, y_pred) for random 0/1 labels")


@pytest.mark.question("binary_counts")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The class given as positive is the positive class, whatever its value.",
    "Use the positive argument instead of assuming the positive label is 1: with labels -1/+1 and "
    "positive=-1, the examples labelled -1 are the positives; with labels 3/7 and positive=7, label 7.",
)
@pytest.mark.spec(
    "Which class is positive is a choice, so it is an argument.",
    "with the label `positive` as the positive class.",
)
def test_binary_counts_positive_argument(student, reference, rng):
    for labels, positive in (([-1, 1], -1), ([3, 7], 7)):
        y_true, y_pred = rng.choice(labels, size=20), rng.choice(labels, size=20)
        expect_counts(student.binary_counts(y_true, y_pred, positive=positive),
                      reference.binary_counts(y_true, y_pred, positive=positive),
                      f"binary_counts(y_true, y_pred, positive={positive}) for labels {labels}")


@pytest.mark.question("binary_counts")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With more than two classes, all other labels together are the negatives.",
    "One-vs-rest: an example is positive when its label equals positive and negative otherwise, whichever "
    "other label it has. A wrong prediction between two other classes (1 predicted as 3, with positive=2) "
    "is a true negative.",
)
@pytest.mark.spec(
    "the positive class is one label against all the others together (*one-vs-rest*)",
    "every other label counts as negative.",
)
def test_binary_counts_one_vs_rest(student, reference, rng):
    y_true, y_pred = rng.integers(0, 4, size=30), rng.integers(0, 4, size=30)
    expect_counts(student.binary_counts(y_true, y_pred, positive=2),
                  reference.binary_counts(y_true, y_pred, positive=2),
                  "binary_counts(y_true, y_pred, positive=2) for labels 0..3")


@pytest.mark.question("binary_counts")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Check the case where nothing is predicted positive, and leave the inputs unchanged.",
    "With all negative predictions, tp and fp are 0 (not an error, not a missing key); with no actual "
    "positives either, fn is 0 too and tn is n. Do not modify y_true or y_pred.",
)
@pytest.mark.spec(
    'return a dict with the keys `"tp"`, `"fp"`, `"fn"`, `"tn"` and Python `int` values',
    "The four counts add up to the number of examples.",
    "do not modify the arrays you are given",
)
def test_binary_counts_all_negative_predictions(student, rng):
    y_true = rng.integers(0, 2, size=12)
    y_true[0] = 1
    y_pred = np.zeros(12, dtype=int)
    call = student.call("binary_counts", y_true, y_pred)
    expect_unchanged(y_true, call.args[0], name="y_true")
    expect_unchanged(y_pred, call.args[1], name="y_pred")
    n_pos = int(y_true.sum())
    expect_counts(call.value, {"tp": 0, "fp": 0, "fn": n_pos, "tn": 12 - n_pos},
                  "binary_counts(y_true, all-negative predictions)")
    expect_counts(student.binary_counts(y_pred, y_pred), {"tp": 0, "fp": 0, "fn": 0, "tn": 12},
                  "binary_counts(all zeros, all zeros)")


# --------------------------------------------------------------------------- confusion_matrix


def _noisy_predictions(rng, y_true, labels, keep=0.6):
    """Predictions equal to y_true with probability keep, else a random label."""
    return np.where(rng.random(len(y_true)) < keep, y_true, rng.choice(labels, size=len(y_true)))


def _asymmetric(reference, draw, **kwargs):
    """(y_true, y_pred) from ``draw()``, redrawn until the expected matrix is not symmetric: a matrix with the
    axes swapped then fails every test, whatever the submission's seed (never a point by coincidence)."""
    while True:
        y_true, y_pred = draw()
        expected = reference.confusion_matrix(y_true, y_pred, **kwargs)
        if not np.array_equal(expected, expected.T):
            return y_true, y_pred


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Rows are the actual classes, columns the predicted classes.",
    "Entry (i, j) counts examples whose actual label is labels[i] and whose prediction is labels[j]: "
    "y_true picks the row, y_pred the column. A matrix with the predicted class in the rows is the "
    "transposed one (the lecture's drawing; sklearn and TensorFlow put the actual class in the rows).",
)
@pytest.mark.spec(
    "return an **integer** array of shape $(k, k)$ with rows = actual, columns = predicted.",
    "this kit has the **actual** class in the rows and the predicted class in the columns.",
)
def test_confusion_matrix_orientation(student, reference, rng):
    while True:
        y_true = rng.choice(3, size=30, p=[0.5, 0.3, 0.2])
        y_pred = _noisy_predictions(rng, y_true, [0, 1, 2])
        expected = reference.confusion_matrix(y_true, y_pred)
        if expected.shape == (3, 3) and not np.array_equal(expected, expected.T):
            break
    expect_array(student.confusion_matrix(y_true, y_pred), expected, name="confusion_matrix(y_true, y_pred)",
                 dtype="int", exact=True)


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Without labels, the rows and columns follow the labels in increasing order.",
    "When labels is None, use the labels that occur, sorted (np.unique or np.union1d sort them), not in "
    "the order in which they first appear in y_true.",
)
@pytest.mark.spec(
    "`labels=None`: the classes are all labels that occur in `y_true` or in `y_pred`",
    "(a class that is only ever predicted still gets a row and a column), **sorted** in increasing order;",
)
def test_confusion_matrix_sorted_labels(student, reference, rng):
    def draw():
        y_true = np.concatenate([[3, 1, 2, 0], rng.integers(0, 4, size=16)])
        y_pred = _noisy_predictions(rng, y_true, [0, 1, 2, 3])
        y_pred[:4] = [3, 2, 1, 0]
        return y_true, y_pred
    y_true, y_pred = _asymmetric(reference, draw)
    expect_array(student.confusion_matrix(y_true, y_pred), reference.confusion_matrix(y_true, y_pred),
                 name="confusion_matrix(y_true, y_pred) with y_true starting 3, 1, 2, 0", dtype="int", exact=True)


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A class that is only ever predicted still gets a row and a column.",
    "Without labels, take the union of the labels in y_true and in y_pred (np.union1d), not only the "
    "labels of y_true: here label 4 is predicted but never actual, so the matrix is 5 x 5 with a row of "
    "zeros for it.",
)
@pytest.mark.spec(
    "`labels=None`: the classes are all labels that occur in `y_true` or in `y_pred`",
    "(a class that is only ever predicted still gets a row and a column), **sorted** in increasing order;",
)
def test_confusion_matrix_label_only_predicted(student, reference, rng):
    y_true = rng.integers(0, 4, size=20)
    y_true[:4] = [0, 1, 2, 3]
    y_pred = _noisy_predictions(rng, y_true, [0, 1, 2, 3])
    y_pred[rng.permutation(20)[:3]] = 4
    expect_array(student.confusion_matrix(y_true, y_pred), reference.confusion_matrix(y_true, y_pred),
                 name="confusion_matrix(y_true, y_pred) with a label that only occurs in y_pred", dtype="int",
                 exact=True)


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Given labels are used as they are: in the given order, and only those.",
    "With labels=[2, 0], row and column 0 belong to label 2, row and column 1 to label 0; examples whose "
    "actual or predicted label is not in labels (here 1) are not counted. Do not sort given labels.",
)
@pytest.mark.spec(
    "`labels` given: use exactly these labels, in the given order;",
    "examples whose actual or predicted label is not in `labels` are not counted.",
)
def test_confusion_matrix_given_labels_order_and_subset(student, reference, rng):
    def draw():
        y_true = rng.integers(0, 3, size=24)
        return y_true, _noisy_predictions(rng, y_true, [0, 1, 2], keep=0.5)
    y_true, y_pred = _asymmetric(reference, draw, labels=[2, 0])
    expect_array(student.confusion_matrix(y_true, y_pred, labels=[2, 0]),
                 reference.confusion_matrix(y_true, y_pred, labels=[2, 0]),
                 name="confusion_matrix(y_true, y_pred, labels=[2, 0])", dtype="int", exact=True)


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Labels can be negative or have gaps: -3, 2, 10 give a 3 x 3 matrix.",
    "Do not use the label values as indices (as indices, -3 wraps around and 10 needs 11 rows): find the "
    "position of each label in the sorted list of labels instead. And do not modify y_true or y_pred.",
)
@pytest.mark.spec(
    "Labels need not be `0, ..., k-1` (think of `-1, +1`): do not use them as row or column indices directly.",
    "do not modify the arrays you are given",
)
def test_confusion_matrix_non_contiguous_labels(student, reference, rng):
    def draw():
        y_true = rng.choice([-3, 2, 10], size=25)
        return y_true, _noisy_predictions(rng, y_true, [-3, 2, 10])
    y_true, y_pred = _asymmetric(reference, draw)
    call = student.call("confusion_matrix", y_true, y_pred)
    expect_unchanged(y_true, call.args[0], name="y_true")
    expect_unchanged(y_pred, call.args[1], name="y_pred")
    expect_array(call.value, reference.confusion_matrix(y_true, y_pred),
                 name="confusion_matrix(y_true, y_pred) for labels -3, 2, 10", dtype="int", exact=True)
