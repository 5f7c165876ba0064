"""Valid metrics implementations written from the released notebook alone (see autograder.alternatives)."""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="python_loops_and_counters",
        style="Python lists, loops and collections.Counter; dicts of counts; plain Python numbers throughout",
        source='''
from collections import Counter


def binary_counts(y_true, y_pred, positive=1):
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for t, p in zip(list(y_true), list(y_pred)):
        if p == positive:
            counts["tp" if t == positive else "fp"] += 1
        else:
            counts["fn" if t == positive else "tn"] += 1
    return counts


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = list(y_true), list(y_pred)
    if labels is None:
        labels = sorted(set(y_true) | set(y_pred))
    index = {label: i for i, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        if t in index and p in index:
            table[index[t]][index[p]] += 1
    return np.array(table, dtype=int).reshape(len(labels), len(labels))


def accuracy(y_true, y_pred):
    pairs = list(zip(list(y_true), list(y_pred)))
    return sum(1 for t, p in pairs if t == p) / len(pairs)


def _classes(y_true, y_pred):
    return sorted(set(list(y_true)) | set(list(y_pred)))


def _ratio(a, b):
    return a / b if b else 0.0


def _metric(y_true, y_pred, average, positive, which):
    if average == "binary":
        c = binary_counts(y_true, y_pred, positive)
        return float(_ratio(c["tp"], c["tp"] + c[which]))
    if average == "macro":
        per_class = []
        for label in _classes(y_true, y_pred):
            c = binary_counts(y_true, y_pred, label)
            per_class.append(_ratio(c["tp"], c["tp"] + c[which]))
        return float(sum(per_class) / len(per_class))
    if average == "micro":
        tp = other = 0
        for label in _classes(y_true, y_pred):
            c = binary_counts(y_true, y_pred, label)
            tp, other = tp + c["tp"], other + c[which]
        return float(_ratio(tp, tp + other))
    raise ValueError(f"unknown average {average!r}")


def precision(y_true, y_pred, average="binary", positive=1):
    return _metric(y_true, y_pred, average, positive, "fp")


def recall(y_true, y_pred, average="binary", positive=1):
    return _metric(y_true, y_pred, average, positive, "fn")


def _f(c, beta):
    b2 = beta * beta
    return _ratio((1 + b2) * c["tp"], (1 + b2) * c["tp"] + b2 * c["fn"] + c["fp"])


def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    if average == "binary":
        return float(_f(binary_counts(y_true, y_pred, positive), beta))
    per_class = [binary_counts(y_true, y_pred, label) for label in _classes(y_true, y_pred)]
    if average == "macro":
        return float(sum(_f(c, beta) for c in per_class) / len(per_class))
    if average == "micro":
        return float(_f({k: sum(c[k] for c in per_class) for k in ("tp", "fp", "fn")}, beta))
    raise ValueError(f"unknown average {average!r}")


def majority_baseline(y_train, n):
    counts = Counter(list(y_train))
    best = max(counts.values())
    winner = min(label for label, count in counts.items() if count == best)
    return np.array([winner] * n)


def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(np.unique(y_train), size=n)
''',
    ),
    Alternative(
        name="add_at_and_confusion_matrix",
        style="np.add.at into the confusion matrix, every metric read off its diagonal and sums; np.errstate guards",
        source='''
def binary_counts(y_true, y_pred, positive=1):
    t = np.asarray(y_true) == positive
    p = np.asarray(y_pred) == positive
    return {"tp": int(np.sum(t & p)), "fp": int(np.sum(~t & p)), "fn": int(np.sum(t & ~p)),
            "tn": int(np.sum(~t & ~p))}


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)
    k = len(labels)
    keep = np.isin(y_true, labels) & np.isin(y_pred, labels)
    rows = np.array([np.flatnonzero(labels == v)[0] for v in y_true[keep]], dtype=int)
    cols = np.array([np.flatnonzero(labels == v)[0] for v in y_pred[keep]], dtype=int)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (rows, cols), 1)
    return cm


def accuracy(y_true, y_pred):
    cm = confusion_matrix(y_true, y_pred)
    return float(np.trace(cm) / cm.sum())


def _safe(num, den):
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _scores(y_true, y_pred, average, positive, axis):
    if average not in ("binary", "macro", "micro"):
        raise ValueError("average must be 'binary', 'macro' or 'micro'")
    if average == "binary":
        y_true, y_pred = np.asarray(y_true) == positive, np.asarray(y_pred) == positive
        cm = confusion_matrix(y_true.astype(int), y_pred.astype(int), labels=[0, 1])
        tp, den = cm[1, 1], cm[:, 1].sum() if axis == 0 else cm[1, :].sum()
        return float(_safe(tp, den))
    cm = confusion_matrix(y_true, y_pred)
    tp = np.diag(cm)
    den = cm.sum(axis=axis)  # axis 0: predicted as the class (TP + FP); axis 1: actually the class (TP + FN)
    if average == "macro":
        return float(np.mean(_safe(tp, den)))
    return float(_safe(tp.sum(), den.sum()))


def precision(y_true, y_pred, average="binary", positive=1):
    return _scores(y_true, y_pred, average, positive, axis=0)


def recall(y_true, y_pred, average="binary", positive=1):
    return _scores(y_true, y_pred, average, positive, axis=1)


def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    if average not in ("binary", "macro", "micro"):
        raise ValueError("average must be 'binary', 'macro' or 'micro'")
    b2 = beta ** 2
    if average == "binary":
        c = binary_counts(y_true, y_pred, positive)
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
    else:
        cm = confusion_matrix(y_true, y_pred)
        tp = np.diag(cm)
        fp, fn = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
        if average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    f = _safe((1 + b2) * np.asarray(tp), (1 + b2) * np.asarray(tp) + b2 * np.asarray(fn) + np.asarray(fp))
    return float(np.mean(f))


def majority_baseline(y_train, n):
    labels, counts = np.unique(y_train, return_counts=True)
    return np.full(n, labels[np.argmax(counts)])


def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    predictions = rng.choice(np.unique(y_train), size=n)
    return predictions
''',
    ),
    Alternative(
        name="inverse_indices_and_bincount",
        style="np.unique(return_inverse) and np.bincount for the matrix; precision/recall from P and R, F from P and R",
        source='''
def binary_counts(y_true, y_pred, positive=1):
    t = np.asarray(y_true) == positive
    p = np.asarray(y_pred) == positive
    tp = np.count_nonzero(t & p)
    fp = np.count_nonzero(p) - tp
    fn = np.count_nonzero(t) - tp
    return {"tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(len(t) - tp - fp - fn)}


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if labels is None:
        labels, inverse = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
        rows, cols = inverse[:len(y_true)], inverse[len(y_true):]
    else:
        labels = list(labels)
        pos = {v: i for i, v in enumerate(labels)}
        pairs = [(pos[a], pos[b]) for a, b in zip(y_true.tolist(), y_pred.tolist()) if a in pos and b in pos]
        rows = np.array([r for r, _ in pairs], dtype=int)
        cols = np.array([c for _, c in pairs], dtype=int)
    k = len(labels)
    return np.bincount(rows * k + cols, minlength=k * k).reshape(k, k).astype(int)


def accuracy(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def _check(average):
    if average not in {"binary", "macro", "micro"}:
        raise ValueError(f"average={average!r}: use 'binary', 'macro' or 'micro'")


def _per_class(y_true, y_pred):
    labels = np.union1d(np.asarray(y_true), np.asarray(y_pred))
    return [binary_counts(y_true, y_pred, label) for label in labels]


def _div(a, b):
    return float(a) / float(b) if b > 0 else 0.0


def precision(y_true, y_pred, average="binary", positive=1):
    _check(average)
    if average == "binary":
        c = binary_counts(y_true, y_pred, positive)
        return _div(c["tp"], c["tp"] + c["fp"])
    counts = _per_class(y_true, y_pred)
    if average == "macro":
        return float(np.mean([_div(c["tp"], c["tp"] + c["fp"]) for c in counts]))
    return _div(sum(c["tp"] for c in counts), sum(c["tp"] + c["fp"] for c in counts))


def recall(y_true, y_pred, average="binary", positive=1):
    _check(average)
    if average == "binary":
        c = binary_counts(y_true, y_pred, positive)
        return _div(c["tp"], c["tp"] + c["fn"])
    counts = _per_class(y_true, y_pred)
    if average == "macro":
        return float(np.mean([_div(c["tp"], c["tp"] + c["fn"]) for c in counts]))
    return _div(sum(c["tp"] for c in counts), sum(c["tp"] + c["fn"] for c in counts))


def _f_from(p, r, beta):
    b2 = beta * beta
    return _div((1 + b2) * p * r, b2 * p + r) if (b2 * p + r) > 0 else 0.0


def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    _check(average)
    if average == "macro":
        scores = []
        for label in np.union1d(np.asarray(y_true), np.asarray(y_pred)):
            p = precision(y_true, y_pred, positive=label)
            r = recall(y_true, y_pred, positive=label)
            scores.append(_f_from(p, r, beta))
        return float(np.mean(scores))
    p = precision(y_true, y_pred, average=average, positive=positive)
    r = recall(y_true, y_pred, average=average, positive=positive)
    return float(_f_from(p, r, beta))


def majority_baseline(y_train, n):
    labels, inverse = np.unique(np.asarray(y_train), return_inverse=True)
    counts = np.bincount(inverse.ravel())
    return np.repeat(labels[counts == counts.max()][:1], n)


def random_baseline(y_train, n, seed):
    return np.random.default_rng(seed).choice(np.unique(y_train), size=n)
''',
    ),
    Alternative(
        name="numpy_scalars_and_masks",
        style="boolean masks per class, np.float64 results (a float subclass), a dict of averaging functions",
        source='''
def binary_counts(y_true, y_pred, positive=1):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    actual, predicted = (y_true == positive), (y_pred == positive)
    return {
        "tp": int((actual & predicted).sum()),
        "fp": int((~actual & predicted).sum()),
        "fn": int((actual & ~predicted).sum()),
        "tn": int((~actual & ~predicted).sum()),
    }


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    k = len(labels)
    out = np.zeros((k, k), dtype=int)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            out[i, j] = np.sum((y_true == a) & (y_pred == b))
    return out


def accuracy(y_true, y_pred):
    return np.mean(np.asarray(y_true) == np.asarray(y_pred)).astype(np.float64)


def _counts_per_class(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred]))
    tp = np.array([np.sum((y_true == c) & (y_pred == c)) for c in labels], dtype=np.float64)
    fp = np.array([np.sum((y_true != c) & (y_pred == c)) for c in labels], dtype=np.float64)
    fn = np.array([np.sum((y_true == c) & (y_pred != c)) for c in labels], dtype=np.float64)
    return tp, fp, fn


def _ratio(num, den):
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _fbeta(tp, fp, fn, beta):
    b2 = np.float64(beta) ** 2
    return _ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)


def _average(y_true, y_pred, average, positive, score):
    if average == "binary":
        c = binary_counts(y_true, y_pred, positive)
        return np.float64(score(np.float64(c["tp"]), np.float64(c["fp"]), np.float64(c["fn"])))
    tp, fp, fn = _counts_per_class(y_true, y_pred)
    averages = {
        "macro": lambda: np.mean(score(tp, fp, fn)),
        "micro": lambda: score(tp.sum(), fp.sum(), fn.sum()),
    }
    if average not in averages:
        raise ValueError(f"average must be 'binary', 'macro' or 'micro', not {average!r}")
    return np.float64(averages[average]())


def precision(y_true, y_pred, average="binary", positive=1):
    return _average(y_true, y_pred, average, positive, lambda tp, fp, fn: _ratio(tp, tp + fp))


def recall(y_true, y_pred, average="binary", positive=1):
    return _average(y_true, y_pred, average, positive, lambda tp, fp, fn: _ratio(tp, tp + fn))


def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    return _average(y_true, y_pred, average, positive, lambda tp, fp, fn: _fbeta(tp, fp, fn, beta))


def majority_baseline(y_train, n):
    y = np.sort(np.asarray(y_train))  # a sorted copy: y_train itself is left alone
    labels, counts = np.unique(y, return_counts=True)
    return labels[np.argmax(counts)] * np.ones(n, dtype=y.dtype)


def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    predictions = rng.choice(np.unique(y_train), size=n)
    return predictions
''',
    ),
    Alternative(
        name="micro_is_accuracy",
        style="uses the notebook's fact that micro averages equal the accuracy; macro through a list comprehension",
        source='''
def binary_counts(y_true, y_pred, positive=1):
    pairs = list(zip(np.asarray(y_true).tolist(), np.asarray(y_pred).tolist()))
    tp = sum(t == positive and p == positive for t, p in pairs)
    fp = sum(t != positive and p == positive for t, p in pairs)
    fn = sum(t == positive and p != positive for t, p in pairs)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": len(pairs) - tp - fp - fn}


def confusion_matrix(y_true, y_pred, labels=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    return np.array([[np.count_nonzero((y_true == a) & (y_pred == b)) for b in labels] for a in labels],
                    dtype=np.int32).reshape(len(labels), len(labels))


def accuracy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return np.count_nonzero(y_true == y_pred) / y_true.size


def _one(c, beta, which):
    if which == "p":
        den = c["tp"] + c["fp"]
    elif which == "r":
        den = c["tp"] + c["fn"]
    else:
        den = (1 + beta ** 2) * c["tp"] + beta ** 2 * c["fn"] + c["fp"]
        return (1 + beta ** 2) * c["tp"] / den if den else 0.0
    return c["tp"] / den if den else 0.0


def _averaged(y_true, y_pred, average, positive, which, beta=1.0):
    if average == "binary":
        return float(_one(binary_counts(y_true, y_pred, positive), beta, which))
    if average == "micro":  # every wrong prediction is one FP and one FN: all micro averages are the accuracy
        return float(accuracy(y_true, y_pred))
    if average == "macro":
        labels = np.union1d(np.asarray(y_true), np.asarray(y_pred))
        return float(np.mean([_one(binary_counts(y_true, y_pred, k), beta, which) for k in labels]))
    raise ValueError("average must be 'binary', 'macro' or 'micro'")


def precision(y_true, y_pred, average="binary", positive=1):
    return _averaged(y_true, y_pred, average, positive, "p")


def recall(y_true, y_pred, average="binary", positive=1):
    return _averaged(y_true, y_pred, average, positive, "r")


def f_score(y_true, y_pred, beta=1.0, average="binary", positive=1):
    return _averaged(y_true, y_pred, average, positive, "f", beta)


def majority_baseline(y_train, n):
    values, counts = np.unique(y_train, return_counts=True)
    return np.full(n, min(v for v, c in zip(values, counts) if c == counts.max()))


def random_baseline(y_train, n, seed):
    rng = np.random.default_rng(seed)
    predictions = rng.choice(np.unique(y_train), size=n)
    return predictions
''',
    ),
]
