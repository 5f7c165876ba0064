"""Wrong implementations of the metrics functions that the suite must catch (see autograder.mutants)."""

from autograder.mutants import Mutant

_AVERAGE = '''
    if average == "binary":
        labels = [positive]
    elif average in ("macro", "micro"):
        labels = np.union1d(y_true, y_pred)
    else:
        raise ValueError(average)
'''

MUTANTS = [
    # ------------------------------------------------------------------ binary_counts
    Mutant(
        name="counts_positive_ignored",
        function="binary_counts",
        mistake="ignores the positive argument and always counts label 1 as positive",
        hint_keyword="positive argument",
        source='''
def binary_counts(y_true, y_pred, positive=1):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    t, p = y_true == 1, y_pred == 1
    return {"tp": int(np.sum(t & p)), "fp": int(np.sum(~t & p)), "fn": int(np.sum(t & ~p)),
            "tn": int(np.sum(~t & ~p))}
''',
    ),
    # ------------------------------------------------------------------ confusion_matrix
    Mutant(
        name="cm_transposed",
        function="confusion_matrix",
        mistake="puts the predicted class in the rows (the lecture's drawing), the transpose of sklearn's",
        hint_keyword="transposed",
        source='''
def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)
    return np.array([[np.sum((y_pred == a) & (y_true == b)) for b in labels] for a in labels],
                    dtype=np.int64).reshape(len(labels), len(labels))
''',
    ),
    Mutant(
        name="cm_labels_unsorted",
        function="confusion_matrix",
        mistake="orders the labels by first appearance instead of sorting them",
        hint_keyword="sorted",
        source='''
def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = list(dict.fromkeys(np.concatenate([y_true, y_pred]).tolist()))
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            cm[i, j] = np.sum((y_true == a) & (y_pred == b))
    return cm
''',
    ),
    Mutant(
        name="cm_labels_as_indices",
        function="confusion_matrix",
        mistake="uses the label values as row/column indices (k = max label + 1)",
        hint_keyword="as indices",
        source='''
def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is not None:
        keep = np.isin(y_true, labels) & np.isin(y_pred, labels)
        y_true, y_pred = y_true[keep], y_pred[keep]
        order = np.asarray(labels)
    k = int(max(y_true.max(), y_pred.max())) + 1
    cm = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    if labels is not None:
        cm = cm[np.ix_(order, order)]
    return cm
''',
    ),
    Mutant(
        name="cm_true_labels_only",
        function="confusion_matrix",
        mistake="takes the classes from y_true only, dropping labels that are only predicted",
        hint_keyword="union",
        source='''
def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            cm[i, j] = np.sum((y_true == a) & (y_pred == b))
    return cm
''',
    ),
    # ------------------------------------------------------------------ accuracy
    Mutant(
        name="accuracy_positives_only",
        function="accuracy",
        mistake="counts only the correctly predicted positives (TP / n), forgetting the true negatives",
        hint_keyword="negatives",
        source='''
def accuracy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.sum((y_true == y_pred) & (y_true == 1)) / len(y_true))
''',
    ),
    # ------------------------------------------------------------------ precision
    Mutant(
        name="precision_is_recall",
        function="precision",
        mistake="precision and recall swapped: divides by TP + FN",
        hint_keyword="swapped",
        source='''
def precision(y_true, y_pred, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fn = [c["tp"] for c in counts], [c["fn"] for c in counts]
    if average == "micro":
        tp, fn = [sum(tp)], [sum(fn)]
    return float(np.mean([t / (t + f) if t + f else 0.0 for t, f in zip(tp, fn)]))
''',
    ),
    Mutant(
        name="precision_micro_for_macro",
        function="precision",
        mistake="computes micro averaging (summed counts) where macro was asked",
        hint_keyword="micro",
        source='''
def precision(y_true, y_pred, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp = sum(c["tp"] for c in counts), sum(c["fp"] for c in counts)
    return float(tp / (tp + fp)) if tp + fp else 0.0
''',
    ),
    Mutant(
        name="precision_macro_over_true_labels",
        function="precision",
        mistake="macro-averages over the labels of y_true only instead of the union with y_pred",
        hint_keyword="union",
        source='''
def precision(y_true, y_pred, average="binary", positive=1):
    if average == "binary":
        labels = [positive]
    elif average in ("macro", "micro"):
        labels = np.unique(y_true)
    else:
        raise ValueError(average)
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp = [c["tp"] for c in counts], [c["fp"] for c in counts]
    if average == "micro":
        tp, fp = [sum(tp)], [sum(fp)]
    return float(np.mean([t / (t + f) if t + f else 0.0 for t, f in zip(tp, fp)]))
''',
    ),
    Mutant(
        name="precision_nan_on_zero",
        function="precision",
        mistake="divides by a zero denominator with NumPy: nan (and a RuntimeWarning) instead of 0.0",
        hint_keyword="zero denominator",
        source='''
def precision(y_true, y_pred, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp = [c["tp"] for c in counts], [c["fp"] for c in counts]
    if average == "micro":
        tp, fp = [sum(tp)], [sum(fp)]
    with np.errstate(all="ignore"):
        return float(np.mean([np.float64(t) / (t + f) for t, f in zip(tp, fp)]))
''',
    ),
    Mutant(
        name="precision_positive_not_passed",
        function="precision",
        mistake="binary precision always takes label 1 as positive (positive not passed to binary_counts)",
        hint_keyword="positive argument",
        source='''
def precision(y_true, y_pred, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred) if average == "binary" else binary_counts(y_true, y_pred, label)
              for label in labels]
    tp, fp = [c["tp"] for c in counts], [c["fp"] for c in counts]
    if average == "micro":
        tp, fp = [sum(tp)], [sum(fp)]
    return float(np.mean([t / (t + f) if t + f else 0.0 for t, f in zip(tp, fp)]))
''',
    ),
    # ------------------------------------------------------------------ recall
    Mutant(
        name="recall_is_precision",
        function="recall",
        mistake="precision and recall swapped: divides by TP + FP",
        hint_keyword="swapped",
        source='''
def recall(y_true, y_pred, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp = [c["tp"] for c in counts], [c["fp"] for c in counts]
    if average == "micro":
        tp, fp = [sum(tp)], [sum(fp)]
    return float(np.mean([t / (t + f) if t + f else 0.0 for t, f in zip(tp, fp)]))
''',
    ),
    Mutant(
        name="recall_unknown_average_is_macro",
        function="recall",
        mistake="treats every average other than 'binary' and 'micro' as macro instead of raising ValueError",
        hint_keyword="ValueError",
        source='''
def recall(y_true, y_pred, average="binary", positive=1):
    labels = [positive] if average == "binary" else np.union1d(y_true, y_pred)
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fn = [c["tp"] for c in counts], [c["fn"] for c in counts]
    if average == "micro":
        tp, fn = [sum(tp)], [sum(fn)]
    return float(np.mean([t / (t + f) if t + f else 0.0 for t, f in zip(tp, fn)]))
''',
    ),
    # ------------------------------------------------------------------ f_score
    Mutant(
        name="f_beta_not_squared",
        function="f_score",
        mistake="uses beta instead of beta squared in the F-score",
        hint_keyword="squared",
        source='''
def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp, fn = ([c[k] for c in counts] for k in ("tp", "fp", "fn"))
    if average == "micro":
        tp, fp, fn = [sum(tp)], [sum(fp)], [sum(fn)]
    out = []
    for t, f_p, f_n in zip(tp, fp, fn):
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        out.append((1 + beta) * p * r / (beta * p + r) if beta * p + r else 0.0)
    return float(np.mean(out))
''',
    ),
    Mutant(
        name="f_macro_from_macro_p_and_r",
        function="f_score",
        mistake="macro F is the F-score of macro precision and macro recall, not the mean of per-class F",
        hint_keyword="per class",
        source='''
def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    p = precision(y_true, y_pred, average=average, positive=positive)
    r = recall(y_true, y_pred, average=average, positive=positive)
    b2 = beta ** 2
    return float((1 + b2) * p * r / (b2 * p + r)) if b2 * p + r else 0.0
''',
    ),
    Mutant(
        name="f_nan_when_p_and_r_zero",
        function="f_score",
        mistake="divides by beta^2 P + R = 0 with NumPy: nan instead of 0.0",
        hint_keyword="zero denominator",
        source='''
def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
''' + _AVERAGE + '''
    counts = [binary_counts(y_true, y_pred, positive=label) for label in labels]
    tp, fp, fn = ([c[k] for c in counts] for k in ("tp", "fp", "fn"))
    if average == "micro":
        tp, fp, fn = [sum(tp)], [sum(fp)], [sum(fn)]
    b2, out = beta ** 2, []
    for t, f_p, f_n in zip(tp, fp, fn):
        p = np.float64(t / (t + f_p) if t + f_p else 0.0)
        r = np.float64(t / (t + f_n) if t + f_n else 0.0)
        with np.errstate(all="ignore"):
            out.append((1 + b2) * p * r / (b2 * p + r))
    return float(np.mean(out))
''',
    ),
    # ------------------------------------------------------------------ majority_baseline
    Mutant(
        name="majority_tie_to_larger",
        function="majority_baseline",
        mistake="breaks ties toward the larger label",
        hint_keyword="tie",
        source='''
def majority_baseline(y_train, n):
    labels, counts = np.unique(np.asarray(y_train), return_counts=True)
    return np.full(n, labels[len(labels) - 1 - np.argmax(counts[::-1])])
''',
    ),
    Mutant(
        name="majority_sorts_in_place",
        function="majority_baseline",
        mistake="sorts y_train in place (y_train.sort()) to count the labels",
        hint_keyword="in place",
        source='''
def majority_baseline(y_train, n):
    y_train.sort()
    labels, counts = np.unique(y_train, return_counts=True)
    return np.full(n, labels[np.argmax(counts)])
''',
    ),
    # ------------------------------------------------------------------ random_baseline
    Mutant(
        name="random_from_range_max",
        function="random_baseline",
        mistake="draws from range(max + 1) instead of the labels seen in y_train",
        hint_keyword="seen",
        source='''
def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(np.arange(np.max(y_train) + 1), size=n)
''',
    ),
    Mutant(
        name="random_from_y_train",
        function="random_baseline",
        mistake="draws from y_train itself, so frequent labels come out more often (not uniform)",
        hint_keyword="uniformly",
        source='''
def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(np.asarray(y_train), size=n)
''',
    ),
    Mutant(
        name="random_global_rng",
        function="random_baseline",
        mistake="uses the global np.random (np.random.seed + np.random.choice) instead of default_rng(seed)",
        hint_keyword="default_rng",
        source='''
def random_baseline(y_train, n, seed):
    np.random.seed(seed)
    return np.random.choice(np.unique(y_train), size=n)
''',
    ),
    Mutant(
        name="precision_nan_to_num_cleanup",
        function="precision",
        mistake="divides 0/0 (a RuntimeWarning) and hides the nan with np.nan_to_num",
        hint_keyword="RuntimeWarning",
        source='''
_precision_before = precision


def precision(y_true, y_pred, average="binary", positive=1):
    if average != "binary":
        return _precision_before(y_true, y_pred, average, positive)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = np.sum((y_pred == positive) & (y_true == positive))
    fp = np.sum((y_pred == positive) & (y_true != positive))
    return float(np.nan_to_num(tp / (tp + fp)))
''',
    ),
]
