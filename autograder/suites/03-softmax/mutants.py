"""Wrong implementations of the exercise-03 functions that the suite must catch (see autograder.mutants)."""

from autograder.mutants import Mutant

_TRAIN = '''
def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int)
    n, d = X.shape
    k = int(y.max()) + 1
    Y = one_hot(y, k)
    rng = np.random.default_rng(seed)
    W, b = np.zeros((d, k)), np.zeros(k)
    for _ in range(epochs):
        order = ORDER
        for start in range(0, LAST, batch_size):
            batch = order[start:start + batch_size]
            dW, db = softmax_cross_entropy_grad(X[batch], Y[batch], W, b)
            W = W STEP lr * dW
            b = b STEP lr * db
    return W, b
'''


def _train(order="rng.permutation(n)", last="n", step="-"):
    return _TRAIN.replace("ORDER", order).replace("LAST", last).replace("STEP", step)


MUTANTS = [
    # ------------------------------------------------------------------ activations
    Mutant(
        name="sigmoid_exp_ratio",
        function="sigmoid",
        mistake="computes exp(z) / (1 + exp(z)), which is inf / inf = nan for large z",
        hint_keyword="overflow",
        source='''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(z) / (1.0 + np.exp(z))
''',
    ),
    Mutant(
        name="step_ge",
        function="step",
        mistake="uses z >= 0, so step(0) = 1",
        hint_keyword="step(0)",
        source='''
def step(z):
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)
''',
    ),
    Mutant(
        name="relu_in_place",
        function="relu",
        mistake="sets the negative entries of the caller's array to 0 and returns it",
        hint_keyword="in place",
        source='''
def relu(z):
    z = np.asarray(z, dtype=float)
    z[z < 0] = 0.0
    return z
''',
    ),
    Mutant(
        name="relu_keeps_int_dtype",
        function="relu",
        mistake="returns an integer array for integer input",
        hint_keyword="float",
        source='''
def relu(z):
    return np.maximum(z, 0)
''',
    ),
    Mutant(
        name="leaky_relu_ignores_alpha",
        function="leaky_relu",
        mistake="always uses the slope 0.01 instead of the alpha argument",
        hint_keyword="alpha",
        source='''
def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.01 * z)
''',
    ),
    # ------------------------------------------------------------------ derivatives
    Mutant(
        name="relu_grad_one_at_zero",
        function="relu_grad",
        mistake="gives 1 at z = 0 (z >= 0)",
        hint_keyword="at z = 0",
        source='''
def relu_grad(z):
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)
''',
    ),
    Mutant(
        name="leaky_relu_grad_alpha_times_z",
        function="leaky_relu_grad",
        mistake="returns alpha * z instead of alpha for negative z",
        hint_keyword="not alpha * z",
        source='''
def leaky_relu_grad(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * z)
''',
    ),
    Mutant(
        name="sigmoid_grad_without_sigmoid",
        function="sigmoid_grad",
        mistake="computes z * (1 - z) instead of sigmoid(z) * (1 - sigmoid(z))",
        hint_keyword="sigmoid(z) * (1 - sigmoid(z))",
        source='''
def sigmoid_grad(z):
    z = np.asarray(z, dtype=float)
    return z * (1.0 - z)
''',
    ),
    # ------------------------------------------------------------------ softmax
    Mutant(
        name="softmax_no_max_shift",
        function="softmax",
        mistake="exponentiates the logits without subtracting the maximum (nan for huge logits)",
        hint_keyword="maximum",
        source='''
def softmax(Z):
    E = np.exp(np.asarray(Z, dtype=float))
    return E / E.sum(axis=-1, keepdims=True)
''',
    ),
    Mutant(
        name="softmax_global_max",
        function="softmax",
        mistake="subtracts the maximum of the whole array instead of each row's maximum",
        hint_keyword="each row's maximum",
        source='''
def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max())
    return E / E.sum(axis=-1, keepdims=True)
''',
    ),
    Mutant(
        name="softmax_axis_0",
        function="softmax",
        mistake="normalises along axis 0 (the columns) instead of the last axis",
        hint_keyword="last axis",
        source='''
def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)
''',
    ),
    Mutant(
        name="softmax_in_place",
        function="softmax",
        mistake="subtracts the row maxima from the caller's array (Z -= ...)",
        hint_keyword="in place",
        source='''
def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    Z -= Z.max(axis=-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=-1, keepdims=True)
''',
    ),
    # ------------------------------------------------------------------ one_hot
    Mutant(
        name="one_hot_transposed",
        function="one_hot",
        mistake="returns the transpose, shape (num_classes, n)",
        hint_keyword="(n, num_classes)",
        source='''
def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y)].T
''',
    ),
    Mutant(
        name="one_hot_off_by_one",
        function="one_hot",
        mistake="puts the 1 of label y into column y - 1",
        hint_keyword="shift by one",
        source='''
def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y) - 1]
''',
    ),
    Mutant(
        name="one_hot_ignores_num_classes",
        function="one_hot",
        mistake="uses max(y) + 1 columns instead of num_classes",
        hint_keyword="num_classes columns",
        source='''
def one_hot(y, num_classes):
    y = np.asarray(y)
    return np.eye(int(y.max()) + 1)[y]
''',
    ),
    # ------------------------------------------------------------------ cross_entropy
    Mutant(
        name="ce_log_without_clip",
        function="cross_entropy",
        mistake="takes the log without clipping, so a probability of 0 gives inf",
        hint_keyword="clip",
        source='''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(-np.sum(np.asarray(Y_true) * np.log(np.asarray(Y_prob, dtype=float)), axis=-1)))
''',
    ),
    Mutant(
        name="ce_sum_not_mean",
        function="cross_entropy",
        mistake="sums the losses of the rows instead of averaging them",
        hint_keyword="mean",
        source='''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    P = np.clip(np.asarray(Y_prob, dtype=float), eps, 1.0)
    return float(-np.sum(np.asarray(Y_true) * np.log(P)))
''',
    ),
    Mutant(
        name="ce_true_class_only",
        function="cross_entropy",
        mistake="takes -log of the probability of the argmax class of Y_true only (wrong for soft labels)",
        hint_keyword="every class",
        source='''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    P = np.clip(np.asarray(Y_prob, dtype=float), eps, 1.0)
    k = np.argmax(Y_true, axis=1)
    return float(np.mean(-np.log(P[np.arange(len(k)), k])))
''',
    ),
    Mutant(
        name="ce_returns_array",
        function="cross_entropy",
        mistake="returns the mean as an array of shape (1,) instead of a float",
        hint_keyword="float",
        source='''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    P = np.clip(np.asarray(Y_prob, dtype=float), eps, 1.0)
    return np.mean(-np.sum(np.asarray(Y_true) * np.log(P), axis=-1), keepdims=True).ravel()
''',
    ),
    Mutant(
        name="ce_clips_in_place",
        function="cross_entropy",
        mistake="clips the caller's Y_prob in place",
        hint_keyword="in place",
        source='''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    P = np.clip(Y_prob, eps, 1.0, out=Y_prob)
    return float(np.mean(-np.sum(np.asarray(Y_true) * np.log(P), axis=-1)))
''',
    ),
    # ------------------------------------------------------------------ dense_softmax
    Mutant(
        name="dense_without_bias",
        function="dense_softmax",
        mistake="forgets the bias: softmax(X @ W)",
        hint_keyword="bias",
        source='''
def dense_softmax(X, W, b):
    return softmax(np.asarray(X, dtype=float) @ np.asarray(W, dtype=float))
''',
    ),
    Mutant(
        name="dense_naive_softmax",
        function="dense_softmax",
        mistake="exponentiates the scores itself, without the maximum subtracted",
        hint_keyword="stable softmax",
        source='''
def dense_softmax(X, W, b):
    E = np.exp(np.asarray(X, dtype=float) @ W + b)
    return E / E.sum(axis=1, keepdims=True)
''',
    ),
    # ------------------------------------------------------------------ softmax_cross_entropy_grad
    Mutant(
        name="grad_not_divided_by_n",
        function="softmax_cross_entropy_grad",
        mistake="does not divide dW and db by the batch size",
        hint_keyword="batch size",
        source='''
def softmax_cross_entropy_grad(X, Y_true, W, b):
    X = np.asarray(X, dtype=float)
    G = dense_softmax(X, W, b) - Y_true
    return X.T @ G, G.sum(axis=0)
''',
    ),
    Mutant(
        name="grad_db_wrong_axis",
        function="softmax_cross_entropy_grad",
        mistake="sums db over the classes (axis 1) instead of the examples",
        hint_keyword="axis 0",
        source='''
def softmax_cross_entropy_grad(X, Y_true, W, b):
    X = np.asarray(X, dtype=float)
    G = (dense_softmax(X, W, b) - Y_true) / X.shape[0]
    return X.T @ G, G.sum(axis=1)
''',
    ),
    Mutant(
        name="grad_sign_flipped",
        function="softmax_cross_entropy_grad",
        mistake="uses Y_true - P instead of P - Y_true",
        hint_keyword="not Y_true - P",
        source='''
def softmax_cross_entropy_grad(X, Y_true, W, b):
    X = np.asarray(X, dtype=float)
    G = (Y_true - dense_softmax(X, W, b)) / X.shape[0]
    return X.T @ G, G.sum(axis=0)
''',
    ),
    # ------------------------------------------------------------------ train_softmax_regression
    Mutant(
        name="train_no_shuffle",
        function="train_softmax_regression",
        mistake="visits the examples in the given order every epoch (no shuffling)",
        hint_keyword="shuffle",
        source=_train(order="np.arange(n)"),
    ),
    Mutant(
        name="train_gradient_ascent",
        function="train_softmax_regression",
        mistake="steps along the gradient (W + lr * dW) instead of against it",
        hint_keyword="minus, not plus",
        source=_train(step="+"),
    ),
    Mutant(
        name="train_drops_last_batch",
        function="train_softmax_regression",
        mistake="drops the last, smaller batch of each epoch",
        hint_keyword="must not be dropped",
        source=_train(last="n - batch_size + 1"),
    ),
    Mutant(
        name="train_fixed_seed",
        function="train_softmax_regression",
        mistake="shuffles with a fixed seed 0 instead of the seed argument",
        hint_keyword="fixed seed",
        source=_train().replace("np.random.default_rng(seed)", "np.random.default_rng(0)"),
    ),
    Mutant(
        name="train_shuffles_in_place",
        function="train_softmax_regression",
        mistake="shuffles the caller's X and y in place (and separately, so images and labels get mixed up)",
        hint_keyword="in place",
        source='''
def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    n, d = X.shape
    k = int(np.max(y)) + 1
    rng = np.random.default_rng(seed)
    W, b = np.zeros((d, k)), np.zeros(k)
    for _ in range(epochs):
        rng.shuffle(X)
        rng.shuffle(y)
        Y = one_hot(y, k)
        for start in range(0, n, batch_size):
            dW, db = softmax_cross_entropy_grad(X[start:start + batch_size], Y[start:start + batch_size], W, b)
            W = W - lr * dW
            b = b - lr * db
    return W, b
''',
    ),
    Mutant(
        name="train_epochs_off_by_one",
        function="train_softmax_regression",
        mistake="runs epochs + 1 passes over the data",
        hint_keyword="exactly `epochs` passes",
        source=_train().replace("for _ in range(epochs):", "for _ in range(epochs + 1):"),
    ),
    Mutant(
        name="train_classes_from_unique",
        function="train_softmax_regression",
        mistake="takes the number of classes from the distinct labels instead of max(y) + 1",
        hint_keyword="max(y) + 1",
        source=_train().replace("k = int(y.max()) + 1", "k = len(np.unique(y))"),
    ),
]
