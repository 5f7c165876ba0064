"""Valid perceptron implementations written from the released notebook alone (see autograder.alternatives)."""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="loops_everywhere",
        style="plain Python loops over rows and entries; lists built up and turned into arrays at the end",
        source='''
def fold_bias(X):
    rows = []
    for row in X:
        rows.append([float(v) for v in row] + [-1.0])
    return np.array(rows, dtype=float).reshape(len(rows), -1)


def fold_labels(X, y):
    out = []
    for i in range(len(X)):
        out.append([float(y[i]) * float(v) for v in X[i]])
    return np.array(out, dtype=float).reshape(len(out), -1)


def perceptron_update(w, x, y, lr=1.0):
    score = 0.0
    for wi, xi in zip(w, x):
        score += float(wi) * float(xi)
    if y * score <= 0:
        return np.array([float(wi) + lr * y * float(xi) for wi, xi in zip(w, x)]), True
    return np.array([float(wi) for wi in w]), False


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    history = []
    clean = 0
    visits = 0
    i = 0
    while visits < max_epochs * n and clean < n:
        z = Z[i]
        score = 0.0
        for a, b in zip(z, w):
            score += a * b
        history.append(list(w) + list(z) + [score])
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        visits += 1
        i = (i + 1) % n
    return w, np.array(history, dtype=float).reshape(len(history), 2 * k + 1)


def predict(w, X):
    labels = []
    for row in fold_bias(X):
        score = sum(a * b for a, b in zip(row, w))
        labels.append(1 if score > 0 else -1)
    return np.array(labels, dtype=int)
''',
    ),
    Alternative(
        name="einsum_and_masks",
        style="np.column_stack, einsum for the label folding and the scores, boolean masks for the labels",
        source='''
def fold_bias(X):
    X = np.asarray(X, dtype=float)
    return np.column_stack([X, np.full(len(X), -1.0)])


def fold_labels(X, y):
    return np.einsum("ij,i->ij", np.asarray(X, dtype=float), np.asarray(y, dtype=float))


def perceptron_update(w, x, y, lr=1.0):
    w = np.array(w, dtype=float)  # a copy
    x = np.asarray(x, dtype=float)
    mistake = bool(y * np.einsum("i,i->", x, w) <= 0)
    if mistake:
        w = w + lr * y * x
    return w, mistake


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = np.empty((max_epochs * n, 2 * k + 1))
    last_update, t = -1, 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows[t, :k], rows[t, k:2 * k], rows[t, -1] = w, z, np.einsum("i,i->", z, w)
        w, updated = perceptron_update(w, z, 1, lr)
        if updated:
            last_update = t
        if t - last_update == n:
            return w, rows[:t + 1].copy()
    return w, rows[:max_epochs * n].copy()


def predict(w, X):
    scores = np.einsum("ij,j->i", fold_bias(X), np.asarray(w, dtype=float))
    labels = -np.ones(len(scores), dtype=int)
    labels[scores > 0] = 1
    return labels
''',
    ),
    Alternative(
        name="python_scalars_and_epochs",
        style="nested epoch/example loops with a clean-visit counter that runs across passes; float() and bool()",
        source='''
def fold_bias(X):
    X = np.array(X, dtype=float)
    ones = -np.ones((X.shape[0], 1))
    return np.hstack((X, ones))


def fold_labels(X, y):
    return np.array(X, dtype=float) * np.array(y, dtype=float).reshape(-1, 1)


def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    score = float(y) * float(x @ w)
    if score > 0:
        return w.copy(), False
    return w + float(lr) * float(y) * x, True


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n = len(Z)
    w = np.zeros(Z.shape[1])
    history = []
    clean = 0
    for epoch in range(max_epochs):
        for z in Z:
            history.append(np.concatenate((w, z, [z @ w])))
            w, updated = perceptron_update(w, z, 1.0, lr)
            clean = 0 if updated else clean + 1
            if clean == n:
                return w, np.vstack(history)
    return w, np.vstack(history)


def predict(w, X):
    return np.where(fold_bias(X) @ np.asarray(w, dtype=float) > 0, 1, -1)
''',
    ),
    Alternative(
        name="sign_and_matrix_algebra",
        style="np.insert for the bias, a diagonal label matrix, np.sign with the zero case fixed, vdot",
        source='''
def fold_bias(X):
    X = np.asarray(X, dtype=float)
    return np.insert(X, X.shape[1], -1.0, axis=1)


def fold_labels(X, y):
    return np.diag(np.asarray(y, dtype=float)) @ np.asarray(X, dtype=float)


def perceptron_update(w, x, y, lr=1.0):
    w_new = np.copy(np.asarray(w, dtype=float))
    if y * np.vdot(x, w) <= 0:
        w_new += lr * y * np.asarray(x, dtype=float)
        return w_new, True
    return w_new, False


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    history = np.zeros((0, 2 * k + 1))
    since_update = 0
    t = 0
    while t < max_epochs * n:
        z = Z[t % n]
        history = np.vstack([history, np.hstack([w, z, np.vdot(z, w)])])
        w, updated = perceptron_update(w, z, 1, lr)
        since_update = 0 if updated else since_update + 1
        t += 1
        if since_update >= n:
            break
    return w, history


def predict(w, X):
    s = np.sign(fold_bias(X) @ np.asarray(w, dtype=float)).astype(int)
    s[s == 0] = -1
    return s
''',
    ),
]
