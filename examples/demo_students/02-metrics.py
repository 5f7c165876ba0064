"""Demo students of 02-metrics: who they are and how they filled in the notebook."""

from make_demo_class import Student

# The classic bug of the topic: precision and recall swapped (dividing by the actual positives).
PRECISION_SWAPPED = '''
def precision(y_true, y_pred, average="binary", positive=1):
    """Precision (with the classic bug: it divides by the actual positives, which is recall)."""
    labels = [positive] if average == "binary" else np.union1d(y_true, y_pred)
    if average not in ("binary", "macro", "micro"):
        raise ValueError(average)
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp = [c["tp"] for c in counts]
    fn = [c["fn"] for c in counts]
    if average == "micro":
        tp, fn = [sum(tp)], [sum(fn)]
    return float(np.mean([t / (t + f) if t + f > 0 else 0.0 for t, f in zip(tp, fn)]))
'''

# A confusion matrix drawn as in the lecture (predicted in the rows): the transpose of sklearn's.
CONFUSION_TRANSPOSED = '''
def confusion_matrix(y_true, y_pred, labels=None):
    """Confusion matrix with the predicted class in the rows (as drawn in the lecture)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    k = len(labels)
    matrix = np.zeros((k, k), dtype=int)
    for i, predicted in enumerate(labels):
        for j, actual in enumerate(labels):
            matrix[i, j] = np.sum((y_pred == predicted) & (y_true == actual))
    return matrix
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("partly done: the F-score and the baselines not written yet",
                     {"f_score": "stub", "majority_baseline": "stub", "random_baseline": "stub"}),
    "dave": Student("classic bugs: precision and recall swapped, the confusion matrix transposed",
                    {"precision": PRECISION_SWAPPED, "confusion_matrix": CONFUSION_TRANSPOSED}),
}
