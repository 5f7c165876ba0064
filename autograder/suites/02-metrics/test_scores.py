"""Hidden tests for accuracy, precision, recall and f_score (exercise 02, metrics).

The reference agrees with sklearn.metrics (zero_division=0) on all of these inputs; see
tests/suites/test_02_metrics_oracles.py.
"""

import math

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, StudentRaised, expect_close, expect_no_warnings

pytestmark = pytest.mark.visibility("hidden")


def noisy(rng, y_true, labels, keep=0.6):
    """Predictions equal to y_true with probability keep, else a random label."""
    return np.where(rng.random(len(y_true)) < keep, y_true, rng.choice(labels, size=len(y_true)))


def multiclass(rng, n=40, p=(0.5, 0.25, 0.15, 0.1)):
    """Imbalanced labels 0..3 with noisy predictions; every label occurs in y_true and in y_pred."""
    while True:
        y_true = rng.choice(len(p), size=n, p=list(p))
        y_pred = noisy(rng, y_true, np.arange(len(p)))
        if len(set(y_true.tolist())) == len(set(y_pred.tolist())) == len(p):
            return y_true, y_pred


def with_predicted_only_label(rng):
    """Labels 0..2 in y_true; y_pred also predicts 5, which never occurs in y_true."""
    y_true, y_pred = multiclass(rng, 30, (0.5, 0.3, 0.2))
    y_pred[rng.permutation(30)[:4]] = 5
    return y_true, y_pred


def expect_finite_close(actual, expected, name):
    if isinstance(actual, (float, np.floating)) and math.isnan(actual):
        raise CheckFailure(f"{name} is nan; a zero denominator must give 0.0")
    expect_close(actual, expected, name=name)


def expect_value_error(student, name, *args, **kwargs):
    try:
        out = getattr(student, name)(*args, **kwargs)
    except StudentRaised as exc:
        if exc.exc_type == "ValueError":
            return
        raise
    raise CheckFailure(f"{name}(..., average={kwargs.get('average')!r}) returned {out!r} instead of raising "
                       "ValueError")


# --------------------------------------------------------------------------- accuracy


@pytest.mark.question("accuracy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Accuracy on several classes: the fraction of predictions equal to the actual label.",
    "Compare y_true and y_pred element by element and take the mean of the matches; every class counts, "
    "not only one positive class.",
)
@pytest.mark.spec("Accuracy is the fraction of examples that were classified correctly")
def test_accuracy_multiclass(student, reference, rng):
    y_true, y_pred = multiclass(rng)
    expect_close(student.accuracy(y_true, y_pred), reference.accuracy(y_true, y_pred),
                 name="accuracy(y_true, y_pred) for labels 0..3")


@pytest.mark.question("accuracy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Correctly classified negatives are correct predictions too.",
    "Accuracy is (TP + TN) / n: count every example whose prediction equals its label, the correct "
    "negatives as well as the correct positives.",
)
@pytest.mark.spec(
    "Accuracy is the fraction of examples that were classified correctly",
    "It counts every correct answer, the correct negatives as much as the correct positives",
)
def test_accuracy_counts_negatives(student, rng):
    y_true = (rng.random(30) < 0.2).astype(int)
    y_pred = y_true.copy()
    y_pred[:3] = 1 - y_pred[:3]
    expect_close(student.accuracy(y_true, y_pred), 27 / 30, name="accuracy with 27 of 30 right, mostly negatives")
    expect_close(student.accuracy(np.zeros(8, int), np.zeros(8, int)), 1.0, name="accuracy(all 0, all 0)")


@pytest.mark.question("accuracy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "accuracy must also accept plain Python lists, and return one number.",
    "Convert the inputs with np.asarray first ([1, 2] == [1, 3] compares the whole lists and gives one "
    "False), and return a single float, not an array.",
)
@pytest.mark.spec("`y_true` and `y_pred` are 1-d arrays (or lists)", "returning a Python `float`")
def test_accuracy_lists(student, rng):
    y_true = rng.integers(-1, 2, size=9).tolist()
    y_pred = rng.integers(-1, 2, size=9).tolist()
    expected = float(np.mean(np.array(y_true) == np.array(y_pred)))
    expect_close(student.accuracy(y_true, y_pred), expected, name="accuracy(list, list)")


# --------------------------------------------------------------------------- precision and recall

HINT_RECALL_FOR_PRECISION = (
    "Precision divides by the number of examples predicted positive.",
    "Precision is TP / (TP + FP): of those predicted positive, how many are. TP / (TP + FN) is recall: "
    "are precision and recall swapped?",
)
HINT_PRECISION_FOR_RECALL = (
    "Recall divides by the number of examples that are actually positive.",
    "Recall is TP / (TP + FN): of those that are positive, how many were found. TP / (TP + FP) is "
    "precision: are precision and recall swapped?",
)


def _positive_labels(student, reference, rng, metric):
    for labels, positive in (([-1, 1], -1), ([3, 7], 7)):
        y_true, y_pred = rng.choice(labels, size=20), rng.choice(labels, size=20)
        expect_close(getattr(student, metric)(y_true, y_pred, positive=positive),
                     getattr(reference, metric)(y_true, y_pred, positive=positive),
                     name=f"{metric}(y_true, y_pred, positive={positive}) for labels {labels}")


def _macro_not_micro(student, reference, rng, metric):
    while True:
        y_true, y_pred = multiclass(rng)
        macro = getattr(reference, metric)(y_true, y_pred, average="macro")
        if abs(macro - getattr(reference, metric)(y_true, y_pred, average="micro")) > 1e-3:
            break
    expect_close(getattr(student, metric)(y_true, y_pred, average="macro"), macro,
                 name=f"{metric}(y_true, y_pred, average='macro') for imbalanced labels 0..3")


def _macro_union(student, reference, rng, metric):
    y_true, y_pred = with_predicted_only_label(rng)
    expect_close(getattr(student, metric)(y_true, y_pred, average="macro"),
                 getattr(reference, metric)(y_true, y_pred, average="macro"),
                 name=f"{metric}(y_true, y_pred, average='macro') with a label that is only predicted")


def _micro(student, reference, rng, metric):
    y_true, y_pred = multiclass(rng, 35)
    for y_p in (y_pred, np.zeros(35, dtype=int)):
        expect_close(getattr(student, metric)(y_true, y_p, average="micro"),
                     getattr(reference, metric)(y_true, y_p, average="micro"),
                     name=f"{metric}(y_true, y_pred, average='micro')")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(*HINT_RECALL_FOR_PRECISION)
@pytest.mark.spec(
    "Precision TP / (TP + FP): of the examples predicted positive, the fraction that are positive.",
    '`"binary"`: no averaging; only the class `positive` counts',
)
def test_precision_binary_random(student, reference, rng):
    while True:
        y_true, y_pred = rng.integers(0, 2, size=25), rng.integers(0, 2, size=25)
        if abs(reference.precision(y_true, y_pred) - reference.recall(y_true, y_pred)) > 1e-3:
            break
    expect_close(student.precision(y_true, y_pred), reference.precision(y_true, y_pred),
                 name="precision(y_true, y_pred) for random 0/1 labels")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With average='binary', the positive class is the label given as positive.",
    "Pass the positive argument on (e.g. to binary_counts) instead of assuming the positive label is 1: "
    "with labels -1/+1 and positive=-1, the examples labelled -1 are the positives.",
)
@pytest.mark.spec(
    '`"binary"`: no averaging; only the class `positive` counts',
    '`positive` is only used when `average="binary"`.',
)
def test_precision_positive_label(student, reference, rng):
    _positive_labels(student, reference, rng, "precision")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "If nothing is predicted positive, precision is 0/0: return 0.0.",
    "Check for a zero denominator (TP + FP = 0) before dividing and return 0.0 there, as sklearn does with "
    "zero_division=0: not nan (NumPy's 0/0, with a RuntimeWarning) and not an exception.",
)
@pytest.mark.spec(
    "Like `sklearn.metrics` with `zero_division=0`, we then return `0.0`: no `nan` and no warning.",
    "0/0 gives 0.0.",
)
def test_precision_zero_denominator(student, rng):
    y_true = rng.integers(0, 2, size=10)
    y_true[0] = 1
    call = student.call("precision", y_true, np.zeros(10, dtype=int))
    expect_finite_close(call.value, 0.0, name="precision(y_true, all-negative predictions)")
    expect_no_warnings(call, name="precision(y_true, all-negative predictions)")
    expect_finite_close(student.precision(np.array([0, 1, 2, 0]), np.array([0, 1, 1, 0]), average="macro"),
                        (1 + 0.5 + 0) / 3, name="macro precision with a class that is never predicted")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "macro: compute the precision of every class, then take the plain mean of those numbers.",
    "Macro averaging gives every class the same weight: the mean of the per-class precisions. Adding up "
    "TP and FP over all classes first is micro averaging (which equals the accuracy), not macro.",
)
@pytest.mark.spec('`"macro"`: compute the metric for every class, then take the plain mean.')
def test_precision_macro_is_mean_over_classes(student, reference, rng):
    _macro_not_micro(student, reference, rng, "precision")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "macro averages over every label that occurs in y_true or in y_pred.",
    "Use the union of the labels of y_true and y_pred (np.union1d), not only the labels of y_true: a label "
    "that is predicted but never actual has precision 0 and counts in the mean.",
)
@pytest.mark.spec('The classes for `"macro"` and `"micro"` are all labels that occur in `y_true` **or** in `y_pred`')
def test_precision_macro_union_of_labels(student, reference, rng):
    _macro_union(student, reference, rng, "precision")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "micro: add up TP and FP over all classes, then divide once.",
    "Micro-averaged precision is sum(TP) / (sum(TP) + sum(FP)) over all labels of y_true and y_pred; in a "
    "single-label problem it equals the accuracy.",
)
@pytest.mark.spec(
    '`"micro"`: add up TP, FP and FN over all classes first, then compute the metric once from the sums.',
    'The classes for `"macro"` and `"micro"` are all labels that occur in `y_true` **or** in `y_pred`',
)
def test_precision_micro(student, reference, rng):
    _micro(student, reference, rng, "precision")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An unknown value of average is an error.",
    "Raise a ValueError when average is not 'binary', 'macro' or 'micro', instead of silently computing "
    "something else.",
)
@pytest.mark.spec("Any other value of `average` raises a `ValueError`.")
def test_precision_rejects_unknown_average(student, rng):
    expect_value_error(student, "precision", rng.integers(0, 3, size=8), rng.integers(0, 3, size=8),
                       average="weighted")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(*HINT_PRECISION_FOR_RECALL)
@pytest.mark.spec(
    "Recall TP / (TP + FN): of the positive examples, the fraction predicted positive.",
    "the same as `precision`, with $TP/(TP + FN)$ per class.",
)
def test_recall_binary_random(student, reference, rng):
    while True:
        y_true, y_pred = rng.integers(0, 2, size=25), rng.integers(0, 2, size=25)
        if abs(reference.precision(y_true, y_pred) - reference.recall(y_true, y_pred)) > 1e-3:
            break
    expect_close(student.recall(y_true, y_pred), reference.recall(y_true, y_pred),
                 name="recall(y_true, y_pred) for random 0/1 labels")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With average='binary', the positive class is the label given as positive.",
    "Pass the positive argument on (e.g. to binary_counts) instead of assuming the positive label is 1: "
    "with labels -1/+1 and positive=-1, the examples labelled -1 are the positives.",
)
@pytest.mark.spec(
    '`"binary"`: no averaging; only the class `positive` counts',
    "the same as `precision`, with $TP/(TP + FN)$ per class.",
)
def test_recall_positive_label(student, reference, rng):
    _positive_labels(student, reference, rng, "recall")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "If there are no positive examples, recall is 0/0: return 0.0.",
    "Check for a zero denominator (TP + FN = 0) before dividing and return 0.0 there, as sklearn does with "
    "zero_division=0: not nan (NumPy's 0/0, with a RuntimeWarning) and not an exception.",
)
@pytest.mark.spec(
    "Like `sklearn.metrics` with `zero_division=0`, we then return `0.0`: no `nan` and no warning.",
    "0/0 gives 0.0.",
)
def test_recall_zero_denominator(student, rng):
    y_pred = rng.integers(0, 2, size=10)
    call = student.call("recall", np.zeros(10, dtype=int), y_pred)
    expect_finite_close(call.value, 0.0, name="recall(no actual positives, y_pred)")
    expect_no_warnings(call, name="recall(no actual positives, y_pred)")
    expect_finite_close(student.recall(np.array([0, 1, 1, 0]), np.array([0, 1, 2, 0]), average="macro"),
                        (1 + 0.5 + 0) / 3, name="macro recall with a class that is only predicted")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "macro: compute the recall of every class, then take the plain mean of those numbers.",
    "Macro averaging gives every class the same weight: the mean of the per-class recalls. Adding up TP "
    "and FN over all classes first is micro averaging (which equals the accuracy), not macro.",
)
@pytest.mark.spec(
    '`"macro"`: compute the metric for every class, then take the plain mean.',
    "the same as `precision`, with $TP/(TP + FN)$ per class.",
)
def test_recall_macro_is_mean_over_classes(student, reference, rng):
    _macro_not_micro(student, reference, rng, "recall")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "macro averages over every label that occurs in y_true or in y_pred.",
    "Use the union of the labels of y_true and y_pred (np.union1d), not only the labels of y_true: a label "
    "that is predicted but never actual has recall 0/0 = 0 and counts in the mean.",
)
@pytest.mark.spec('The classes for `"macro"` and `"micro"` are all labels that occur in `y_true` **or** in `y_pred`')
def test_recall_macro_union_of_labels(student, reference, rng):
    _macro_union(student, reference, rng, "recall")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "micro: add up TP and FN over all classes, then divide once.",
    "Micro-averaged recall is sum(TP) / (sum(TP) + sum(FN)) over all labels of y_true and y_pred; in a "
    "single-label problem it equals the accuracy.",
)
@pytest.mark.spec(
    '`"micro"`: add up TP, FP and FN over all classes first, then compute the metric once from the sums.',
    'The classes for `"macro"` and `"micro"` are all labels that occur in `y_true` **or** in `y_pred`',
)
def test_recall_micro(student, reference, rng):
    _micro(student, reference, rng, "recall")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An unknown value of average is an error.",
    "Raise a ValueError when average is not 'binary', 'macro' or 'micro', instead of silently computing "
    "something else.",
)
@pytest.mark.spec("Any other value of `average` raises a `ValueError`.")
def test_recall_rejects_unknown_average(student, rng):
    expect_value_error(student, "recall", rng.integers(0, 3, size=8), rng.integers(0, 3, size=8),
                       average="samples")


# --------------------------------------------------------------------------- f_score


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Check the formula for beta other than 1.",
    "F_beta = (1 + beta^2) P R / (beta^2 P + R): beta enters squared, in both places. With beta = 2 the "
    "factors are 5 and 4, not 3 and 2.",
)
@pytest.mark.spec(
    "F-beta score (1 + beta^2) P R / (beta^2 P + R), 0.0 where that is 0/0.",
    "$\\beta$ enters **squared**.",
)
def test_f_score_beta(student, reference, rng):
    while True:
        y_true, y_pred = rng.integers(0, 2, size=30), rng.integers(0, 2, size=30)
        if abs(reference.precision(y_true, y_pred) - reference.recall(y_true, y_pred)) > 0.05:
            break
    for beta in (2.0, 0.5, 3.0):
        expect_close(student.f_score(y_true, y_pred, beta=beta), reference.f_score(y_true, y_pred, beta=beta),
                     name=f"f_score(y_true, y_pred, beta={beta:g})")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "macro: the mean of the F-scores of the classes.",
    "Compute F_beta per class from that class's precision and recall, then average those F-scores. The "
    "F-score of the macro precision and the macro recall is a different number.",
)
@pytest.mark.spec(
    '`"macro"` is the mean of the **per-class** F-scores',
    "(not the F-score of macro precision and macro recall)",
)
def test_f_score_macro_per_class(student, reference, rng):
    while True:
        y_true, y_pred = multiclass(rng)
        expected = reference.f_score(y_true, y_pred, average="macro")
        p = reference.precision(y_true, y_pred, average="macro")
        r = reference.recall(y_true, y_pred, average="macro")
        if abs(expected - 2 * p * r / (p + r)) > 1e-3:
            break
    expect_close(student.f_score(y_true, y_pred, average="macro"), expected,
                 name="f_score(y_true, y_pred, average='macro')")
    y_true, y_pred = with_predicted_only_label(rng)
    expect_close(student.f_score(y_true, y_pred, beta=2.0, average="macro"),
                 reference.f_score(y_true, y_pred, beta=2.0, average="macro"),
                 name="f_score(y_true, y_pred, beta=2, average='macro') with a label that is only predicted")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "micro: the F-score of the counts summed over all classes.",
    "Add up TP, FP and FN over all labels, compute precision and recall from the sums, then F_beta; for a "
    "single-label problem micro F equals the accuracy, whatever beta.",
)
@pytest.mark.spec('`"micro"` the F-score of the summed counts')
def test_f_score_micro(student, reference, rng):
    y_true, y_pred = multiclass(rng, 35)
    for beta in (1.0, 2.0):
        expect_close(student.f_score(y_true, y_pred, beta=beta, average="micro"),
                     reference.f_score(y_true, y_pred, beta=beta, average="micro"),
                     name=f"f_score(y_true, y_pred, beta={beta:g}, average='micro')")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "When precision and recall are both 0, the F-score is 0.0.",
    "Guard every zero denominator: no TP at all gives P = R = 0 and beta^2 P + R = 0; return 0.0 there "
    "(not nan, not an exception), also when there are no positives in y_true or y_pred.",
)
@pytest.mark.spec(
    "If the denominator is $0$ (no TP, no FP, no FN), $F_\\beta$ is $0.0$; and when $P = R = 0$ it is $0.0$ too.",
    "F-beta score (1 + beta^2) P R / (beta^2 P + R), 0.0 where that is 0/0.",
)
def test_f_score_zero_denominator(student, rng):
    y = rng.integers(0, 2, size=10)
    y[:2] = [0, 1]
    call = student.call("f_score", y, 1 - y)
    expect_finite_close(call.value, 0.0, name="f_score(y, 1 - y): every prediction wrong")
    expect_no_warnings(call, name="f_score(y, 1 - y)")
    expect_finite_close(student.f_score(np.zeros(6, int), np.zeros(6, int)), 0.0,
                        name="f_score(all 0, all 0): no positives anywhere")
    expect_finite_close(student.f_score(np.array([0, 1, 2, 0]), np.array([0, 1, 1, 0]), average="macro"),
                        (1 + 2 / 3 + 0) / 3, name="macro F1 with a class that is never predicted")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With average='binary', the positive class is the label given as positive.",
    "Pass the positive argument on instead of assuming the positive label is 1: with labels -1/+1 and "
    "positive=-1, the examples labelled -1 are the positives.",
)
@pytest.mark.spec(
    '`"binary"`: no averaging; only the class `positive` counts',
    "F-beta score (1 + beta^2) P R / (beta^2 P + R), 0.0 where that is 0/0.",
)
def test_f_score_positive_label(student, reference, rng):
    y_true, y_pred = rng.choice([-1, 1], size=20), rng.choice([-1, 1], size=20)
    expect_close(student.f_score(y_true, y_pred, beta=2.0, positive=-1),
                 reference.f_score(y_true, y_pred, beta=2.0, positive=-1),
                 name="f_score(y_true, y_pred, beta=2, positive=-1)")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An unknown value of average is an error.",
    "Raise a ValueError when average is not 'binary', 'macro' or 'micro', instead of silently computing "
    "something else.",
)
@pytest.mark.spec("Any other value of `average` raises a `ValueError`.", "Averaging works as before")
def test_f_score_rejects_unknown_average(student, rng):
    expect_value_error(student, "f_score", rng.integers(0, 3, size=8), rng.integers(0, 3, size=8),
                       average="weighted")
