"""The reference solution of 02-metrics against sklearn.metrics (and TensorFlow's confusion matrix).

The hidden suite compares students with the reference; these tests make sure the reference itself agrees
with the field's libraries on random label vectors and on the edge cases: a class that is never predicted,
a single class, all-negative predictions, labels that are negative or have gaps.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder.course import find_course_root, load_assignment
from autograder.reference import reference_namespace

metrics = pytest.importorskip("sklearn.metrics")

ROOT = find_course_root(Path(__file__).parent)
REF = reference_namespace(load_assignment("02-metrics", ROOT).source_notebook)
RTOL = 1e-9


def close(a: float, b: float) -> bool:
    return abs(a - b) <= RTOL * max(1.0, abs(b))


def label_vectors(seed: int, count: int = 60):
    """(y_true, y_pred) pairs: random pools of labels, plus the edge cases, with their sorted label pools."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        k = int(rng.integers(2, 6))
        pool = np.sort(rng.choice(np.arange(-4, 12), size=k, replace=False))
        n = int(rng.integers(1, 40))
        y_true = rng.choice(pool, size=n)
        y_pred = np.where(rng.random(n) < 0.5, y_true, rng.choice(pool, size=n))
        cases.append((y_true, y_pred))
    cases += [
        (np.array([0, 1, 2, 0, 1, 2]), np.array([0, 1, 1, 0, 1, 0])),  # class 2 never predicted
        (np.array([0, 0, 1, 1]), np.array([0, 3, 1, 3])),  # class 3 only predicted
        (np.array([1, 1, 1]), np.array([1, 1, 1])),  # a single class, all right
        (np.array([5, 5, 5, 5]), np.array([2, 2, 2, 2])),  # one class each, all wrong
        (np.array([0, 1, 0, 1, 1]), np.zeros(5, dtype=int)),  # all-negative predictions
        (np.zeros(6, dtype=int), np.zeros(6, dtype=int)),  # no positives anywhere
        (np.array([-1, 1, 1, -1]), np.array([1, 1, -1, -1])),  # labels -1/+1
    ]
    return cases


CASES = label_vectors(2026)


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn warns about single-label confusion matrices
def test_confusion_matrix_matches_sklearn():
    for y_true, y_pred in CASES:
        ours, theirs = REF["confusion_matrix"](y_true, y_pred), metrics.confusion_matrix(y_true, y_pred)
        assert ours.dtype.kind == "i" and ours.shape == theirs.shape and np.array_equal(ours, theirs), (y_true, y_pred)


def test_confusion_matrix_with_given_labels_matches_sklearn():
    rng = np.random.default_rng(7)
    for _ in range(30):
        y_true, y_pred = rng.integers(0, 5, size=30), rng.integers(0, 5, size=30)
        labels = rng.permutation(5)[: int(rng.integers(2, 6))].tolist()
        assert np.array_equal(REF["confusion_matrix"](y_true, y_pred, labels=labels),
                              metrics.confusion_matrix(y_true, y_pred, labels=labels)), labels


def test_accuracy_matches_sklearn():
    for y_true, y_pred in CASES:
        ours = REF["accuracy"](y_true, y_pred)
        assert type(ours) is float and close(ours, metrics.accuracy_score(y_true, y_pred))


@pytest.mark.parametrize("average", ["macro", "micro"])
def test_averaged_precision_recall_f_match_sklearn(average):
    for y_true, y_pred in CASES:
        for ours, theirs in (
            (REF["precision"](y_true, y_pred, average=average),
             metrics.precision_score(y_true, y_pred, average=average, zero_division=0)),
            (REF["recall"](y_true, y_pred, average=average),
             metrics.recall_score(y_true, y_pred, average=average, zero_division=0)),
        ):
            assert type(ours) is float and close(ours, theirs), (average, y_true, y_pred, ours, theirs)
        for beta in (0.5, 1.0, 2.0, 3.0):
            ours = REF["f_score"](y_true, y_pred, beta=beta, average=average)
            theirs = metrics.fbeta_score(y_true, y_pred, beta=beta, average=average, zero_division=0)
            assert type(ours) is float and close(ours, theirs), (average, beta, y_true, y_pred, ours, theirs)


def test_binary_metrics_match_sklearn():
    """average='binary' wherever sklearn accepts it: at most two labels, the positive one among them."""
    checked = 0
    for y_true, y_pred in CASES:
        present = np.union1d(y_true, y_pred)
        if len(present) > 2:
            continue
        for positive in present.tolist() + ([1] if len(present) == 1 else []):
            kw = {"pos_label": positive, "zero_division": 0}
            assert close(REF["precision"](y_true, y_pred, positive=positive),
                         metrics.precision_score(y_true, y_pred, **kw))
            assert close(REF["recall"](y_true, y_pred, positive=positive), metrics.recall_score(y_true, y_pred, **kw))
            for beta in (0.5, 1.0, 2.0):
                assert close(REF["f_score"](y_true, y_pred, beta=beta, positive=positive),
                             metrics.fbeta_score(y_true, y_pred, beta=beta, **kw))
            checked += 1
    rng = np.random.default_rng(11)
    for _ in range(40):
        y_true, y_pred = rng.choice([-1, 1], size=25), rng.choice([-1, 1], size=25)
        for positive in (-1, 1):
            kw = {"pos_label": positive, "zero_division": 0}
            assert close(REF["precision"](y_true, y_pred, positive=positive),
                         metrics.precision_score(y_true, y_pred, **kw))
            assert close(REF["recall"](y_true, y_pred, positive=positive), metrics.recall_score(y_true, y_pred, **kw))
            assert close(REF["f_score"](y_true, y_pred, beta=2.0, positive=positive),
                         metrics.fbeta_score(y_true, y_pred, beta=2.0, **kw))
            checked += 1
    assert checked > 80


def test_binary_counts_match_sklearn_confusion_matrix():
    rng = np.random.default_rng(3)
    for _ in range(40):
        y_true, y_pred = rng.integers(0, 2, size=20), rng.integers(0, 2, size=20)
        tn, fp, fn, tp = metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel().tolist()
        counts = REF["binary_counts"](y_true, y_pred)
        assert counts == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
        assert all(type(v) is int for v in counts.values())
        # one-vs-rest with positive=0 swaps the roles
        assert REF["binary_counts"](y_true, y_pred, positive=0) == {"tp": tn, "fp": fn, "fn": fp, "tn": tp}


def test_macro_averages_over_the_union_of_labels_as_sklearn_does():
    """The mutant 'macro over the labels of y_true only' is only a mutant because sklearn differs from it."""
    y_true, y_pred = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 3, 1, 1, 2, 3])
    for name, score in (("precision", metrics.precision_score), ("recall", metrics.recall_score)):
        theirs = score(y_true, y_pred, average="macro", zero_division=0)
        true_only = score(y_true, y_pred, average="macro", labels=np.unique(y_true), zero_division=0)
        assert not close(theirs, true_only)
        assert close(REF[name](y_true, y_pred, average="macro"), theirs)


def test_zero_denominators_give_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for y_true, y_pred in CASES:
            for name in ("precision", "recall", "f_score"):
                for average in ("binary", "macro", "micro"):
                    value = REF[name](y_true, y_pred, average=average)
                    assert np.isfinite(value) and 0.0 <= value <= 1.0


def test_unknown_average_raises_value_error():
    for name in ("precision", "recall", "f_score"):
        with pytest.raises(ValueError):
            REF[name]([0, 1], [0, 1], average="weighted")


def test_micro_averages_equal_accuracy():
    for y_true, y_pred in CASES:
        acc = REF["accuracy"](y_true, y_pred)
        for name in ("precision", "recall", "f_score"):
            assert close(REF[name](y_true, y_pred, average="micro"), acc)


def test_notebook_worked_examples_match_sklearn():
    y_true, y_pred = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 1, 1, 0, 0, 0])
    assert close(metrics.precision_score(y_true, y_pred), 0.6) and close(metrics.recall_score(y_true, y_pred), 0.75)
    assert close(metrics.fbeta_score(y_true, y_pred, beta=2), 5 / 7)
    y_true = np.array([0, 1, 0, 2, 0, 0, 1, 0, 1, 0, 0, 0])
    y_pred = np.array([0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0])
    assert np.array_equal(metrics.confusion_matrix(y_true, y_pred), [[7, 1, 0], [1, 2, 0], [0, 1, 0]])
    assert close(metrics.precision_score(y_true, y_pred, average="macro", zero_division=0), (7 / 8 + 0.5) / 3)
    assert close(metrics.recall_score(y_true, y_pred, average="macro", zero_division=0), (7 / 8 + 2 / 3) / 3)
    assert close(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0),
                 REF["f_score"](y_true, y_pred, average="macro"))


def test_majority_baseline_matches_sklearn_dummy_classifier():
    dummy = pytest.importorskip("sklearn.dummy")
    rng = np.random.default_rng(5)
    for y_train in [rng.choice([-2, 3, 8], size=int(rng.integers(1, 20))) for _ in range(30)] + [
        np.array([3, 1, 3, 1, 2]), np.array([1, -1, -1, 1])  # ties: the smallest label
    ]:
        clf = dummy.DummyClassifier(strategy="most_frequent").fit(np.zeros((len(y_train), 1)), y_train)
        expected = clf.predict(np.zeros((7, 1)))
        assert np.array_equal(REF["majority_baseline"](y_train, 7), expected), y_train


def test_random_baseline_is_the_notebook_recipe():
    rng = np.random.default_rng(9)
    for _ in range(20):
        y_train, seed, n = rng.choice([9, 2, 5, -1], size=12), int(rng.integers(0, 10_000)), int(rng.integers(1, 30))
        expected = np.random.default_rng(seed).choice(np.unique(y_train), size=n)
        out = REF["random_baseline"](y_train, n, seed)
        assert np.array_equal(out, expected) and set(out.tolist()) <= set(y_train.tolist())


def test_tensorflow_confusion_matrix_has_actual_labels_in_rows():
    """The notebook says tf.math.confusion_matrix uses the kit's orientation: check it."""
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(13)
    for _ in range(5):
        y_true = rng.integers(0, 4, size=30)
        y_pred = np.where(rng.random(30) < 0.5, y_true, rng.integers(0, 4, size=30))
        y_true[:4] = y_pred[:4] = [0, 1, 2, 3]  # all four labels occur: tf sizes the matrix by max + 1
        theirs = tf.math.confusion_matrix(y_true, y_pred).numpy()
        ours = REF["confusion_matrix"](y_true, y_pred)
        assert np.array_equal(ours, theirs) and not np.array_equal(ours, ours.T)
