"""Wrong implementations of the perceptron functions that the suite must catch (see autograder.mutants)."""

from autograder.mutants import Mutant

MUTANTS = [
    # ------------------------------------------------------------------ fold_bias
    Mutant(
        name="bias_plus_one",
        function="fold_bias",
        mistake="appends a column of +1 instead of -1",
        hint_keyword="not +1",
        source='''
def fold_bias(X):
    X = np.asarray(X, dtype=float)
    return np.hstack([X, np.ones((X.shape[0], 1))])
''',
    ),
    Mutant(
        name="bias_column_first",
        function="fold_bias",
        mistake="puts the bias column first instead of last",
        hint_keyword="last column",
        source='''
def fold_bias(X):
    X = np.asarray(X, dtype=float)
    return np.hstack([-np.ones((X.shape[0], 1)), X])
''',
    ),
    Mutant(
        name="bias_keeps_int_dtype",
        function="fold_bias",
        mistake="keeps the integer dtype of X instead of returning floats",
        hint_keyword="float",
        source='''
def fold_bias(X):
    X = np.asarray(X)
    return np.hstack([X, -np.ones((X.shape[0], 1), dtype=X.dtype)])
''',
    ),
    # ------------------------------------------------------------------ fold_labels
    Mutant(
        name="labels_wrong_axis",
        function="fold_labels",
        mistake="multiplies the columns by the labels (broadcasts y along the wrong axis)",
        hint_keyword="one label per row",
        source='''
def fold_labels(X, y):
    return np.asarray(X, dtype=float) * np.asarray(y, dtype=float)
''',
    ),
    Mutant(
        name="labels_in_place",
        function="fold_labels",
        mistake="multiplies X by the labels in place and returns X",
        hint_keyword="in place",
        source='''
def fold_labels(X, y):
    X *= np.asarray(y)[:, None]
    return X
''',
    ),
    # ------------------------------------------------------------------ perceptron_update
    Mutant(
        name="lt_instead_of_le",
        function="perceptron_update",
        mistake="updates only when the score is strictly negative (< instead of <=)",
        hint_keyword="exactly 0",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * np.dot(x, w) < 0:
        return w + lr * y * x, True
    return w.copy(), False
''',
    ),
    Mutant(
        name="wrong_sign_update",
        function="perceptron_update",
        mistake="moves w away from y*x (subtracts the step)",
        hint_keyword="sign of the step",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * np.dot(x, w) <= 0:
        return w - lr * y * x, True
    return w.copy(), False
''',
    ),
    Mutant(
        name="update_ignores_label",
        function="perceptron_update",
        mistake="tests the score without the label and steps by lr*x",
        hint_keyword="label -1",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if np.dot(x, w) <= 0:
        return w + lr * x, True
    return w.copy(), False
''',
    ),
    Mutant(
        name="lr_ignored",
        function="perceptron_update",
        mistake="ignores the learning rate (always steps by y*x)",
        hint_keyword="learning rate",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * np.dot(x, w) <= 0:
        return w + y * x, True
    return w.copy(), False
''',
    ),
    Mutant(
        name="always_update",
        function="perceptron_update",
        mistake="updates on every example, also on correctly classified ones",
        hint_keyword="correctly classified",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    return w + lr * y * x, True
''',
    ),
    Mutant(
        name="in_place_update",
        function="perceptron_update",
        mistake="adds the step into the caller's w (w += ...) and returns it",
        hint_keyword="in place",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    if y * np.dot(x, w) <= 0:
        w += lr * y * x
        return w, True
    return w, False
''',
    ),
    Mutant(
        name="updated_as_int",
        function="perceptron_update",
        mistake="returns updated as 1/0 instead of True/False",
        hint_keyword="Python bool",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * np.dot(x, w) <= 0:
        return w + lr * y * x, 1
    return w.copy(), 0
''',
    ),
    Mutant(
        name="updated_numpy_bool",
        function="perceptron_update",
        mistake="returns the comparison itself (a NumPy bool) as updated instead of a Python bool",
        hint_keyword="not as a NumPy",
        source='''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    mistake = y * np.dot(x, w) <= 0
    if mistake:
        return w + lr * y * x, mistake
    return w.copy(), mistake
''',
    ),
    # ------------------------------------------------------------------ train_perceptron
    Mutant(
        name="labels_not_folded",
        function="train_perceptron",
        mistake="trains on the bias-folded examples without multiplying them by their labels",
        hint_keyword="multiplied by the label",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_bias(X)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="labels_folded_before_bias",
        function="train_perceptron",
        mistake="folds the labels before the bias, so the bias entry is always -1 instead of -y_i",
        hint_keyword="bias first",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_bias(fold_labels(X, y))
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="stop_after_clean_epoch",
        function="train_perceptron",
        mistake="stops only after a full pass (epoch) without updates, not after n clean visits",
        hint_keyword="full pass",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    for epoch in range(max_epochs):
        any_update = False
        for z in Z:
            rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
            w, updated = perceptron_update(w, z, 1, lr)
            any_update = any_update or updated
        if not any_update:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="stop_one_visit_early",
        function="train_perceptron",
        mistake="stops after n - 1 clean visits instead of n",
        hint_keyword="n visits in a row",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n - 1:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="history_after_update",
        function="train_perceptron",
        mistake="records the weights after the update instead of before the visit",
        hint_keyword="before the visit",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        score = np.dot(z, w)
        w, updated = perceptron_update(w, z, 1, lr)
        rows.append(np.concatenate([w, z, [score]]))
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="max_epochs_off_by_one",
        function="train_perceptron",
        mistake="allows max_epochs + 1 passes",
        hint_keyword="off-by-one",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range((max_epochs + 1) * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="max_epochs_counts_visits",
        function="train_perceptron",
        mistake="treats max_epochs as a number of visits instead of passes over the data",
        hint_keyword="instead of passes",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="train_ignores_lr",
        function="train_perceptron",
        mistake="does not pass the learning rate on to the update",
        hint_keyword="learning rate",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(fold_bias(X), y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    Mutant(
        name="bias_not_folded_in_train",
        function="train_perceptron",
        mistake="trains without the bias column (w has d entries, the line goes through the origin)",
        hint_keyword="d + 1 entries",
        source='''
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    Z = fold_labels(X, y)
    n, k = Z.shape
    w = np.zeros(k)
    rows = []
    clean = 0
    for t in range(max_epochs * n):
        z = Z[t % n]
        rows.append(np.concatenate([w, z, [np.dot(z, w)]]))
        w, updated = perceptron_update(w, z, 1, lr)
        clean = 0 if updated else clean + 1
        if clean == n:
            break
    return w, np.array(rows, dtype=float).reshape(len(rows), 2 * k + 1)
''',
    ),
    # ------------------------------------------------------------------ predict
    Mutant(
        name="predict_zero_positive",
        function="predict",
        mistake="sends a score of exactly 0 to +1 (>= instead of >)",
        hint_keyword="exactly 0",
        source='''
def predict(w, X):
    scores = fold_bias(X) @ np.asarray(w, dtype=float)
    return np.where(scores >= 0, 1, -1)
''',
    ),
    Mutant(
        name="predict_np_sign",
        function="predict",
        mistake="uses np.sign, which gives 0 for a score of exactly 0",
        hint_keyword="np.sign",
        source='''
def predict(w, X):
    scores = fold_bias(X) @ np.asarray(w, dtype=float)
    return np.sign(scores).astype(int)
''',
    ),
    Mutant(
        name="predict_floats",
        function="predict",
        mistake="returns the labels as floats instead of integers",
        hint_keyword="not floats",
        source='''
def predict(w, X):
    scores = fold_bias(X) @ np.asarray(w, dtype=float)
    return np.where(scores > 0, 1.0, -1.0)
''',
    ),
    Mutant(
        name="predict_bias_sign_flipped",
        function="predict",
        mistake="adds rho instead of subtracting it (appends +1 instead of -1)",
        hint_keyword="is subtracted",
        source='''
def predict(w, X):
    X = np.asarray(X, dtype=float)
    scores = X @ np.asarray(w, dtype=float)[:-1] + w[-1]
    return np.where(scores > 0, 1, -1)
''',
    ),
]
