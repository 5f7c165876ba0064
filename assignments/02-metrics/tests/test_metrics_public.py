"""Public tests for exercise 02 (metrics): the worked examples and the basic contract.

Run them from the notebook with ``check("precision")`` (one exercise) or ``check_all()``.
The grader runs these and more (hidden) tests on other data.
"""

import numpy as np
import pytest
from selfcheck import CheckFailure, expect_array, expect_close, expect_equal, expect_unchanged

# The spam filter: 1 = spam (positive), 0 = normal mail. TP 3, FP 2, FN 1, TN 4.
Y_TRUE_SPAM = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
Y_PRED_SPAM = np.array([1, 1, 1, 0, 0, 1, 1, 0, 0, 0])

# The pets: 0 = cat, 1 = dog, 2 = bird (never predicted).
Y_TRUE_PETS = np.array([0, 1, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0])
Y_PRED_PETS = np.array([0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0])
CM_PETS = np.array([[7, 1, 0], [1, 2, 0], [0, 1, 0]])  # rows = actual, columns = predicted


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
    "In the spam example e-mails 1, 3 and 7 are hits (TP), 2 and 6 false alarms (FP), 4 a miss (FN).",
    "TP: actual positive and predicted positive; FP: actual negative but predicted positive; FN: actual "
    "positive but predicted negative; TN: both negative. Count with boolean masks such as "
    "(y_true == positive) & (y_pred == positive) and convert each count with int(...).",
)
@pytest.mark.spec(
    "In the spam example, e-mails 1, 3 and 7 are true positives, 2 and 6 false positives",
    'return a dict with the keys `"tp"`, `"fp"`, `"fn"`, `"tn"` and Python `int` values',
)
def test_binary_counts_spam(student):
    expect_counts(student.binary_counts(Y_TRUE_SPAM, Y_PRED_SPAM), {"tp": 3, "fp": 2, "fn": 1, "tn": 4},
                  "binary_counts(y_true_spam, y_pred_spam)")


@pytest.mark.question("binary_counts")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return a dict with the four counts; they add up to the number of examples.",
    "With labels -1 and +1 and positive=1, -1 is the negative class. Every example is in exactly one of "
    "the four boxes. Return {'tp': ..., 'fp': ..., 'fn': ..., 'tn': ...} with int values, and do not "
    "change y_true or y_pred.",
)
@pytest.mark.spec(
    'return a dict with the keys `"tp"`, `"fp"`, `"fn"`, `"tn"` and Python `int` values',
    "The four counts add up to the number of examples.",
    "do not modify the arrays you are given",
)
def test_binary_counts_contract(student, rng):
    y_true = np.where(rng.random(15) < 0.4, 1, -1)
    y_pred = np.where(rng.random(15) < 0.5, 1, -1)
    call = student.call("binary_counts", y_true, y_pred, positive=1)
    expect_unchanged(y_true, call.args[0], name="y_true")
    expect_unchanged(y_pred, call.args[1], name="y_pred")
    expected = {
        "tp": int(np.sum((y_true == 1) & (y_pred == 1))), "fp": int(np.sum((y_true == -1) & (y_pred == 1))),
        "fn": int(np.sum((y_true == 1) & (y_pred == -1))), "tn": int(np.sum((y_true == -1) & (y_pred == -1))),
    }
    expect_counts(call.value, expected, "binary_counts(y_true, y_pred) for labels -1/+1")


# --------------------------------------------------------------------------- confusion_matrix


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(2)
@pytest.mark.hint(
    "The pet example: rows are the actual class, columns the predicted class.",
    "Entry (i, j) counts the examples whose actual label is labels[i] and whose predicted label is "
    "labels[j]. The 8 actual cats are in row 0: 7 predicted cat, 1 predicted dog. The bird (row 2) was "
    "predicted dog. If you get the transposed matrix, your rows are the predicted classes (the lecture's "
    "drawing). Return an integer array.",
)
@pytest.mark.spec(
    "return an **integer** array of shape $(k, k)$ with rows = actual, columns = predicted.",
    "`labels=None`: the classes are all labels that occur in `y_true` or in `y_pred`",
    "(a class that is only ever predicted still gets a row and a column), **sorted** in increasing order;",
)
def test_confusion_matrix_pets(student):
    expect_array(student.confusion_matrix(Y_TRUE_PETS, Y_PRED_PETS), CM_PETS,
                 name="confusion_matrix(y_true_pets, y_pred_pets)", dtype="int", exact=True)


@pytest.mark.question("confusion_matrix")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A k x k integer matrix whose entries add up to n and whose diagonal counts the correct predictions.",
    "With labels=[1, 0] the spam example gives [[TP, FN], [FP, TN]] = [[3, 1], [2, 4]]: the rows follow "
    "the given labels in the given order (actual), the columns too (predicted).",
)
@pytest.mark.spec(
    "`labels` given: use exactly these labels, in the given order;",
    "examples whose actual or predicted label is not in `labels` are not counted.",
    "return an **integer** array of shape $(k, k)$ with rows = actual, columns = predicted.",
)
def test_confusion_matrix_given_labels(student):
    expect_array(student.confusion_matrix(Y_TRUE_SPAM, Y_PRED_SPAM, labels=[1, 0]), np.array([[3, 1], [2, 4]]),
                 name="confusion_matrix(y_true_spam, y_pred_spam, labels=[1, 0])", dtype="int", exact=True)


# --------------------------------------------------------------------------- accuracy


@pytest.mark.question("accuracy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Accuracy is the fraction of examples whose prediction equals the actual label.",
    "7 of the 10 spam-filter predictions are right (0.7), 9 of the 12 pet predictions (0.75). Count "
    "correct negatives as well as correct positives, and return a float.",
)
@pytest.mark.spec("Accuracy is the fraction of examples that were classified correctly", "returning a Python `float`")
def test_accuracy_examples(student):
    expect_close(student.accuracy(Y_TRUE_SPAM, Y_PRED_SPAM), 0.7, name="accuracy(spam example)")
    expect_close(student.accuracy(Y_TRUE_PETS, Y_PRED_PETS), 0.75, name="accuracy(pet example)")


# --------------------------------------------------------------------------- precision


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Precision: of those predicted positive, how many are?",
    "5 e-mails are predicted spam and 3 of them are spam: precision TP / (TP + FP) = 3/5 = 0.6. Taking "
    "normal mail (positive=0) as the positive class gives 4/5 = 0.8.",
)
@pytest.mark.spec(
    "Precision TP / (TP + FP): of the examples predicted positive, the fraction that are positive.",
    '`"binary"`: no averaging; only the class `positive` counts',
)
def test_precision_spam(student):
    expect_close(student.precision(Y_TRUE_SPAM, Y_PRED_SPAM), 0.6, name="precision(spam example)")
    expect_close(student.precision(Y_TRUE_SPAM, Y_PRED_SPAM, positive=0), 0.8,
                 name="precision(spam example, positive=0)")


@pytest.mark.question("precision")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Compare with the per-class table of the pet example in the notebook.",
    "macro: the mean of the per-class precisions 7/8, 2/4 and 0 (bird is never predicted: 0/0 counts as "
    "0.0), about 0.458; micro: the summed TP over the summed TP + FP, 9/12 = 0.75.",
)
@pytest.mark.spec(
    '`"macro"`: compute the metric for every class, then take the plain mean.',
    '`"micro"`: add up TP, FP and FN over all classes first, then compute the metric once from the sums.',
    "The pet example, class by class (from the confusion matrix above):",
)
def test_precision_pets_averages(student):
    expect_close(student.precision(Y_TRUE_PETS, Y_PRED_PETS, average="macro"), (7 / 8 + 2 / 4 + 0) / 3,
                 name="precision(pet example, average='macro')")
    expect_close(student.precision(Y_TRUE_PETS, Y_PRED_PETS, average="micro"), 0.75,
                 name="precision(pet example, average='micro')")


# --------------------------------------------------------------------------- recall


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Recall: of those that are positive, how many did we find?",
    "There are 4 spam e-mails and 3 of them are predicted spam: recall TP / (TP + FN) = 3/4 = 0.75. Taking "
    "normal mail (positive=0) as the positive class gives 4/6.",
)
@pytest.mark.spec(
    "Recall TP / (TP + FN): of the positive examples, the fraction predicted positive.",
    '`"binary"`: no averaging; only the class `positive` counts',
)
def test_recall_spam(student):
    expect_close(student.recall(Y_TRUE_SPAM, Y_PRED_SPAM), 0.75, name="recall(spam example)")
    expect_close(student.recall(Y_TRUE_SPAM, Y_PRED_SPAM, positive=0), 4 / 6, name="recall(spam example, positive=0)")


@pytest.mark.question("recall")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Compare with the per-class table of the pet example in the notebook.",
    "macro: the mean of the per-class recalls 7/8, 2/3 and 0/1, about 0.514; micro: the summed TP over the "
    "summed TP + FN, 9/12 = 0.75.",
)
@pytest.mark.spec(
    '`"macro"`: compute the metric for every class, then take the plain mean.',
    '`"micro"`: add up TP, FP and FN over all classes first, then compute the metric once from the sums.',
    "The pet example, class by class (from the confusion matrix above):",
)
def test_recall_pets_averages(student):
    expect_close(student.recall(Y_TRUE_PETS, Y_PRED_PETS, average="macro"), (7 / 8 + 2 / 3 + 0) / 3,
                 name="recall(pet example, average='macro')")
    expect_close(student.recall(Y_TRUE_PETS, Y_PRED_PETS, average="micro"), 0.75,
                 name="recall(pet example, average='micro')")


# --------------------------------------------------------------------------- f_score


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "F1 is the harmonic mean of precision and recall.",
    "Spam example: P = 0.6, R = 0.75, so F1 = 2 P R / (P + R) = 0.9 / 1.35 = 2/3.",
)
@pytest.mark.spec("F-beta score (1 + beta^2) P R / (beta^2 P + R), 0.0 where that is 0/0.")
def test_f1_spam(student):
    expect_close(student.f_score(Y_TRUE_SPAM, Y_PRED_SPAM), 2 / 3, name="f_score(spam example)")


@pytest.mark.question("f_score")
@pytest.mark.points(1)
@pytest.mark.hint(
    "beta > 1 weighs recall more, beta < 1 precision more.",
    "F_beta = (1 + beta^2) P R / (beta^2 P + R) with beta squared. Spam example: F_2 = 5 * 0.45 / 3.15 = "
    "5/7, F_0.5 = 1.25 * 0.45 / 0.9 = 0.625.",
)
@pytest.mark.spec(
    "F-beta score (1 + beta^2) P R / (beta^2 P + R), 0.0 where that is 0/0.",
    "$\\beta$ enters **squared**.",
)
def test_f_beta_spam(student):
    expect_close(student.f_score(Y_TRUE_SPAM, Y_PRED_SPAM, beta=2.0), 5 / 7, name="f_score(spam, beta=2)")
    expect_close(student.f_score(Y_TRUE_SPAM, Y_PRED_SPAM, beta=0.5), 0.625, name="f_score(spam, beta=0.5)")


# --------------------------------------------------------------------------- baselines


@pytest.mark.question("majority_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Predict the most frequent training label, n times.",
    "Count each label of y_train (np.unique(..., return_counts=True)), take the one with the largest count "
    "and return an array of n copies of it. Cats (0) are the most frequent pets.",
)
@pytest.mark.spec("a NumPy array of `n` predictions, all equal to the most frequent label in `y_train`.")
def test_majority_pets(student):
    expect_array(student.majority_baseline(Y_TRUE_PETS, 5), np.zeros(5, dtype=int),
                 name="majority_baseline(y_true_pets, 5)", exact=True)


@pytest.mark.question("random_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "n labels, only labels that occur in y_train, and the same seed gives the same result.",
    "Use rng = np.random.default_rng(seed) and rng.choice(np.unique(y_train), size=n), as the notebook "
    "says: a new generator from the seed on every call, not the global np.random.",
)
@pytest.mark.spec(
    "the random numbers must come from exactly this generator, drawn exactly this way:",
    "predictions = rng.choice(np.unique(y_train), size=n)",
    "The same seed gives the same predictions.",
)
def test_random_baseline_contract(student):
    y_train = np.array([1, -1, 1, 1, -1, 1])
    first = student.random_baseline(y_train, 40, 7)
    if not isinstance(first, np.ndarray) or first.shape != (40,):
        expect_array(first, np.zeros(40, dtype=int), name="random_baseline(y_train, 40, seed=7)")
    seen = set(np.unique(first).tolist())
    if not seen <= {-1, 1}:
        raise CheckFailure(f"random_baseline drew the labels {sorted(seen)}; y_train only has -1 and 1")
    if seen != {-1, 1}:
        raise CheckFailure("40 uniform draws from {-1, 1} should contain both labels")
    expect_array(student.random_baseline(y_train, 40, 7), first, name="a second call with the same seed",
                 exact=True)
