"""Valid softmax implementations written from the released notebook alone (see autograder.alternatives)."""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="logaddexp_and_logsumexp",
        style="np.logaddexp for the sigmoid, log-sum-exp for the softmax, log-softmax style loss, einsum gradients",
        source='''
def identity(z):
    return np.array(z, dtype=float)


def step(z):
    return np.greater(z, 0).astype(float)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def relu_grad(z):
    return (np.asarray(z) > 0).astype(float)


def leaky_relu_grad(z, alpha=0.01):
    return np.where(np.asarray(z) > 0, 1.0, float(alpha))


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    m = np.max(Z, axis=-1, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(Z - m), axis=-1, keepdims=True))
    return np.exp(Z - log_norm)


def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y, dtype=int)]


def cross_entropy(Y_true, Y_prob, eps=1e-12):
    logs = np.log(np.clip(np.asarray(Y_prob, dtype=float), eps, 1.0))
    return float(-np.einsum("ik,ik->", np.asarray(Y_true, dtype=float), logs) / len(logs))


def dense_softmax(X, W, b):
    return softmax(np.einsum("nd,dk->nk", X, W) + b)


def softmax_cross_entropy_grad(X, Y_true, W, b):
    n = X.shape[0]
    delta = (dense_softmax(X, W, b) - Y_true) / n
    return np.einsum("nd,nk->dk", X, delta), np.einsum("nk->k", delta)


def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    n, d = X.shape
    k = int(y.max()) + 1
    W, b = np.zeros((d, k)), np.zeros(k)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            dW, db = softmax_cross_entropy_grad(X[idx], one_hot(y[idx], k), W, b)
            W = W - lr * dW
            b = b - lr * db
    return W, b
''',
    ),
    Alternative(
        name="loops_and_math_module",
        style="element-wise Python loops with the math module (np.vectorize, np.ndindex), row loops for the softmax",
        source='''
import math


def _elementwise(f, z):
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape, dtype=float)
    for idx in np.ndindex(z.shape):
        out[idx] = f(float(z[idx]))
    return out


def identity(z):
    return _elementwise(lambda v: v, z)


def step(z):
    return _elementwise(lambda v: 1.0 if v > 0 else 0.0, z)


def _sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(z):
    return _elementwise(_sig, z)


def relu(z):
    return _elementwise(lambda v: v if v > 0 else 0.0, z)


def leaky_relu(z, alpha=0.01):
    return _elementwise(lambda v: v if v > 0 else alpha * v, z)


def sigmoid_grad(z):
    return _elementwise(lambda v: _sig(v) * (1.0 - _sig(v)), z)


def relu_grad(z):
    return _elementwise(lambda v: 1.0 if v > 0 else 0.0, z)


def leaky_relu_grad(z, alpha=0.01):
    return _elementwise(lambda v: 1.0 if v > 0 else alpha, z)


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    rows = Z.reshape(-1, Z.shape[-1])
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        m = max(row)
        e = [math.exp(v - m) for v in row]
        total = sum(e)
        out[i] = [v / total for v in e]
    return out.reshape(Z.shape)


def one_hot(y, num_classes):
    out = np.zeros((len(y), num_classes))
    for i, label in enumerate(y):
        out[i, int(label)] = 1.0
    return out


def cross_entropy(Y_true, Y_prob, eps=1e-12):
    total = 0.0
    for t_row, p_row in zip(Y_true, Y_prob):
        for t, p in zip(t_row, p_row):
            total -= float(t) * math.log(min(max(float(p), eps), 1.0))
    return total / len(Y_true)


def dense_softmax(X, W, b):
    return softmax(np.dot(X, W) + b)


def softmax_cross_entropy_grad(X, Y_true, W, b):
    n = len(X)
    P = dense_softmax(X, W, b)
    dW = np.zeros_like(W, dtype=float)
    db = np.zeros(len(b))
    for i in range(n):
        diff = P[i] - Y_true[i]
        dW += np.outer(X[i], diff)
        db += diff
    return dW / n, db / n


def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    n, d = X.shape
    k = max(int(v) for v in y) + 1
    W, b = np.zeros((d, k)), np.zeros(k)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(n)
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        for batch in batches:
            dW, db = softmax_cross_entropy_grad(X[batch], one_hot(y[batch], k), W, b)
            W -= lr * dW
            b -= lr * db
    return W, b
''',
    ),
    Alternative(
        name="masks_and_tensordot_random_init",
        style="boolean masks with out= arrays, tensordot, np.put_along_axis, small random initial weights from rng",
        source='''
def identity(z):
    return np.asarray(z, dtype=float).copy()


def step(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros_like(z)
    out[z > 0] = 1.0
    return out


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(z):
    z = np.array(z, dtype=float)
    z[z < 0] = 0.0
    return z


def leaky_relu(z, alpha=0.01):
    z = np.array(z, dtype=float)
    neg = z <= 0
    z[neg] = z[neg] * alpha
    return z


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s * s


def relu_grad(z):
    return np.heaviside(np.asarray(z, dtype=float), 0.0)


def leaky_relu_grad(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    out = np.full(z.shape, float(alpha))
    out[z > 0] = 1.0
    return out


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def one_hot(y, num_classes):
    y = np.asarray(y, dtype=int).reshape(-1, 1)
    out = np.zeros((len(y), num_classes))
    np.put_along_axis(out, y, 1.0, axis=1)
    return out


def cross_entropy(Y_true, Y_prob, eps=1e-12):
    Y_prob = np.clip(Y_prob, eps, 1)
    per_example = -np.sum(Y_true * np.log(Y_prob), axis=1)
    return per_example.mean().item()


def dense_softmax(X, W, b):
    return softmax(np.tensordot(X, W, axes=1) + b[None, :])


def softmax_cross_entropy_grad(X, Y_true, W, b):
    delta = dense_softmax(X, W, b) - Y_true
    return np.tensordot(X, delta, axes=(0, 0)) / len(X), delta.mean(axis=0)


def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    k = int(np.max(y)) + 1
    W = rng.normal(0.0, 0.01, size=(d, k))  # small random values drawn from rng are fine too
    b = np.zeros(k)
    Y = one_hot(y, k)
    for _ in range(epochs):
        order = rng.permutation(n)
        for batch in np.array_split(order, np.arange(batch_size, n, batch_size)):
            dW, db = softmax_cross_entropy_grad(X[batch], Y[batch], W, b)
            W, b = W - lr * dW, b - lr * db
    return W, b
''',
    ),
    Alternative(
        name="float32_friendly_and_scalars",
        style="keeps the input's float dtype where it is float, np.float64 loss (a float subclass), matmul with @",
        source='''
def _f(z):
    z = np.asarray(z)
    return z.astype(np.result_type(z.dtype, np.float32) if z.dtype.kind == "f" else float)


def identity(z):
    return _f(z) * 1


def step(z):
    z = _f(z)
    return (z > 0).astype(z.dtype)


def sigmoid(z):
    z = _f(z)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def relu(z):
    z = _f(z)
    return z * (z > 0)


def leaky_relu(z, alpha=0.01):
    z = _f(z)
    return np.maximum(z, 0) + alpha * np.minimum(z, 0)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def relu_grad(z):
    z = _f(z)
    return (z > 0) * np.ones_like(z)


def leaky_relu_grad(z, alpha=0.01):
    z = _f(z)
    return np.where(z > 0, np.ones_like(z), alpha * np.ones_like(z))


def softmax(Z):
    Z = _f(Z)
    shifted = Z - np.amax(Z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def one_hot(y, num_classes):
    y = np.asarray(y)
    return (y[:, None] == np.arange(num_classes)[None, :]).astype(float)


def cross_entropy(Y_true, Y_prob, eps=1e-12):
    return np.float64(np.mean(-np.sum(Y_true * np.log(np.clip(Y_prob, eps, 1.0)), axis=-1)))


def dense_softmax(X, W, b):
    return softmax(X @ W + b)


def softmax_cross_entropy_grad(X, Y_true, W, b):
    n = X.shape[0]
    G = dense_softmax(X, W, b) - Y_true
    return X.T @ G / n, G.sum(axis=0) / n


def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    K = int(max(y)) + 1
    W, b = np.zeros((d, K)), np.zeros(K)
    rng = np.random.default_rng(seed)
    epoch = 0
    while epoch < epochs:
        perm = rng.permutation(n)
        Xs, ys = X[perm], np.asarray(y)[perm]
        i = 0
        while i < n:
            dW, db = softmax_cross_entropy_grad(Xs[i:i + batch_size], one_hot(ys[i:i + batch_size], K), W, b)
            W -= lr * dW
            b -= lr * db
            i += batch_size
        epoch += 1
    return W, b
''',
    ),
]
