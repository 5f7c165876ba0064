"""Valid implementations of 06-backprop, written from the released notebook's text alone (autograder.alternatives)."""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="loops",
        style="explicit Python loops: row sums, per-example loss and gradient, np.nditer for the gradient check, "
        "a helper forward pass per layer",
        source='''
import numpy as np


def dense_forward(x, W, b):
    out = np.dot(x, W)
    for i in range(out.shape[0]):
        out[i] = out[i] + b
    return out, (x, W, b)


def dense_backward(dout, cache):
    x, W, b = cache
    dx = np.dot(dout, W.T)
    dW = np.zeros_like(W, dtype=float)
    for i in range(x.shape[0]):
        dW += np.outer(x[i], dout[i])
    db = np.zeros(dout.shape[1])
    for i in range(dout.shape[0]):
        db += dout[i]
    return dx, dW, db


def relu_forward(x):
    out = np.array(x, dtype=float, copy=True)
    out[out < 0] = 0.0
    return out, x


def relu_backward(dout, cache):
    dx = np.array(dout, dtype=float, copy=True)
    dx[cache <= 0] = 0.0
    return dx


def dropout_forward(x, p, train=True, seed=None):
    if not train:
        return np.array(x, copy=True), np.ones(np.shape(x))
    rng = np.random.default_rng(seed)
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout * mask


def softmax_cross_entropy(logits, y):
    n, k = logits.shape
    total = 0.0
    dlogits = np.zeros((n, k))
    for i in range(n):
        row = logits[i] - np.max(logits[i])
        log_sum = np.log(np.sum(np.exp(row)))
        total += log_sum - row[y[i]]
        dlogits[i] = np.exp(row - log_sum)
        dlogits[i, y[i]] -= 1.0
    return float(total / n), dlogits / n


def gradient_check(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        k = it.multi_index
        old = x[k]
        x[k] = old + h
        plus = f(x)
        x[k] = old - h
        minus = f(x)
        x[k] = old
        grad[k] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    worst = 0.0
    for u, v in zip(a, b):
        worst = max(worst, abs(u - v) / max(1e-8, abs(u) + abs(v)))
    return float(worst)


def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params["W" + str(l)] = rng.normal(0.0, np.sqrt(2.0 / sizes[l - 1]), size=(sizes[l - 1], sizes[l]))
        params["b" + str(l)] = np.zeros(sizes[l])
    return params


def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    n_layers = len(params) // 2
    rng = np.random.default_rng(seed)
    caches = []
    a = x
    for l in range(1, n_layers + 1):
        a, dense_cache = dense_forward(a, params["W" + str(l)], params["b" + str(l)])
        relu_cache = mask = None
        if l < n_layers:
            a, relu_cache = relu_forward(a)
            if dropout > 0:
                a, mask = dropout_forward(a, dropout, True, rng)
        caches.append((dense_cache, relu_cache, mask))
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    for l in range(n_layers, 0, -1):
        dense_cache, relu_cache, mask = caches[l - 1]
        if l < n_layers:
            if mask is not None:
                da = dropout_backward(da, mask)
            da = relu_backward(da, relu_cache)
        da, grads["W" + str(l)], grads["b" + str(l)] = dense_backward(da, dense_cache)
    return loss, {key: grads[key] for key in params}


def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def logits_of(params, data):
        a = data
        n_layers = len(params) // 2
        for l in range(1, n_layers + 1):
            a = a @ params["W" + str(l)] + params["b" + str(l)]
            if l < n_layers:
                a = np.maximum(a, 0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    n = len(x)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history["val_loss"] = []
        history["val_acc"] = []
    for epoch in range(epochs):
        order = rng.permutation(n)
        losses = []
        start = 0
        while start < n:
            batch = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)
            for key in params:
                params[key] = params[key] - lr * grads[key]
            losses.append(loss)
            start += batch_size
        history["loss"].append(sum(losses) / len(losses))
        history["train_acc"].append(float(np.mean(np.argmax(logits_of(params, x), axis=1) == y)))
        if x_val is not None:
            val_logits = logits_of(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(val_logits, y_val)[0])
            history["val_acc"].append(float(np.mean(np.argmax(val_logits, axis=1) == y_val)))
    return params, history
''',
    ),
    Alternative(
        name="einsum_logaddexp",
        style="np.einsum for the products and the batch sums, np.logaddexp.reduce for the log-sum-exp, "
        "one-hot rows from np.eye, a reshape(-1) view for the gradient check",
        source='''
import numpy as np


def dense_forward(x, W, b):
    return np.einsum("nd,dm->nm", x, W) + b[None, :], (x, W, b)


def dense_backward(dout, cache):
    x, W, _ = cache
    return np.einsum("nm,dm->nd", dout, W), np.einsum("nd,nm->dm", x, dout), np.einsum("nm->m", dout)


def relu_forward(x):
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)


def dropout_forward(x, p, train=True, seed=None):
    if train:
        rng = np.random.default_rng(seed)
        mask = np.where(rng.random(x.shape) >= p, 1.0 / (1.0 - p), 0.0)
        return x * mask, mask
    return x.copy(), np.ones_like(x, dtype=float)


def dropout_backward(dout, mask):
    return np.multiply(dout, mask)


def softmax_cross_entropy(logits, y):
    n, k = logits.shape
    log_z = np.logaddexp.reduce(logits, axis=1, keepdims=True)
    log_probs = logits - log_z
    onehot = np.eye(k)[y]
    loss = -np.einsum("nk,nk->", onehot, log_probs) / n
    return float(loss), (np.exp(log_probs) - onehot) / n


def gradient_check(f, x, h=1e-5):
    grad = np.empty(x.shape, dtype=float)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    L = len(params) // 2
    rng = np.random.default_rng(seed)
    dense, relus, masks = {}, {}, {}
    a = x
    for l in range(1, L + 1):
        a, dense[l] = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        if l == L:
            break
        a, relus[l] = relu_forward(a)
        if dropout > 0:
            a, masks[l] = dropout_forward(a, dropout, True, rng)
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    for l in reversed(range(1, L + 1)):
        if l in masks:
            da = dropout_backward(da, masks[l])
        if l in relus:
            da = relu_backward(da, relus[l])
        da, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(da, dense[l])
    return loss, grads


def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def predict_logits(params, data):
        L = len(params) // 2
        a = data
        for l in range(1, L + 1):
            a = np.einsum("nd,dm->nm", a, params[f"W{l}"]) + params[f"b{l}"]
            if l < L:
                a = np.maximum(a, 0.0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    keys = ["loss", "train_acc"] + (["val_loss", "val_acc"] if x_val is not None else [])
    history = {key: [] for key in keys}
    for _ in range(epochs):
        order = rng.permutation(len(y))
        batch_losses = []
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)
            batch_losses.append(loss)
            params = {key: value - lr * grads[key] for key, value in params.items()}
        history["loss"].append(float(np.mean(batch_losses)))
        history["train_acc"].append(float((predict_logits(params, x).argmax(axis=1) == y).mean()))
        if x_val is not None:
            logits = predict_logits(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(logits, y_val)[0])
            history["val_acc"].append(float((logits.argmax(axis=1) == y_val).mean()))
    return params, history
''',
    ),
    Alternative(
        name="add_at_and_masks",
        style="np.add.at for the label entries and the bias gradient, boolean masks and multiplications by "
        "them for ReLU, the log-sum-exp written out, a flat index loop with np.unravel_index",
        source='''
import numpy as np


def dense_forward(x, W, b):
    out = x @ W
    out += b
    return out, (x, W, b)


def dense_backward(dout, cache):
    x, W, b = cache
    db = np.zeros(b.shape, dtype=float)
    rows, cols = np.indices(dout.shape)
    np.add.at(db, cols.ravel(), dout.ravel())
    return dout @ W.T, x.T @ dout, db


def relu_forward(x):
    return x * (x > 0), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def dropout_forward(x, p, train=True, seed=None):
    if not train:
        return np.copy(x), np.ones(x.shape)
    rng = np.random.default_rng(seed)
    keep = rng.random(x.shape) >= p
    mask = keep.astype(float) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout * mask


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(n)
    loss = np.mean(lse - shifted[rows, y])
    dlogits = np.exp(shifted - lse[:, None])
    np.add.at(dlogits, (rows, y), -1.0)
    return loss.item(), dlogits / n


def gradient_check(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for flat in range(x.size):
        k = np.unravel_index(flat, x.shape)
        keep = x[k]
        x[k] = keep + h
        up = f(x)
        x[k] = keep - h
        down = f(x)
        x[k] = keep
        grad[k] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    diff = np.abs(np.subtract(a, b))
    scale = np.abs(a) + np.abs(b)
    scale[scale < 1e-8] = 1e-8
    return float((diff / scale).max())


def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        std = (2.0 / sizes[l - 1]) ** 0.5
        params[f"W{l}"] = rng.normal(0.0, std, size=(sizes[l - 1], sizes[l]))
        params[f"b{l}"] = np.zeros((sizes[l],))
    return params


def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    num = len(params) // 2
    rng = np.random.default_rng(seed)
    stack = []
    a = x
    for l in range(1, num + 1):
        a, c = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        stack.append(("dense", l, c))
        if l < num:
            a, c = relu_forward(a)
            stack.append(("relu", l, c))
            if dropout > 0:
                a, m = dropout_forward(a, dropout, True, rng)
                stack.append(("dropout", l, m))
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    while stack:
        kind, l, c = stack.pop()
        if kind == "dropout":
            da = dropout_backward(da, c)
        elif kind == "relu":
            da = relu_backward(da, c)
        else:
            da, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(da, c)
    return loss, grads


def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)

    def scores(data):
        a = data
        for l in range(1, len(params) // 2 + 1):
            a = dense_forward(a, params[f"W{l}"], params[f"b{l}"])[0]
            if l < len(params) // 2:
                a = relu_forward(a)[0]
        return a

    history = {"loss": [], "train_acc": []}
    n = x.shape[0]
    for epoch in range(epochs):
        order = rng.permutation(n)
        total, count = 0.0, 0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, x[idx], y[idx], dropout, rng)
            for key in params:
                params[key] = params[key] - lr * grads[key]
            total += loss
            count += 1
        history["loss"].append(total / count)
        history["train_acc"].append(np.mean(scores(x).argmax(1) == y).item())
        if x_val is not None:
            s = scores(x_val)
            history.setdefault("val_loss", []).append(softmax_cross_entropy(s, y_val)[0])
            history.setdefault("val_acc", []).append(np.mean(s.argmax(1) == y_val).item())
    return params, history
''',
    ),
    Alternative(
        name="tensordot_and_lists",
        style="np.tensordot and np.matmul, a list of per-layer caches, the log-sum-exp as max + log(sum(exp)), "
        "gradient entries written through a flat view of a contiguous copy of the result",
        source='''
import numpy as np


def dense_forward(x, W, b):
    out = np.tensordot(x, W, axes=([1], [0])) + b
    cache = (x, W, b)
    return out, cache


def dense_backward(dout, cache):
    x, W, b = cache
    dx = np.tensordot(dout, W, axes=([1], [1]))
    dW = np.tensordot(x, dout, axes=([0], [0]))
    db = np.sum(dout, axis=0)
    return (dx, dW, db)


def relu_forward(x):
    out = np.clip(x, 0, None)
    return out, x


def relu_backward(dout, cache):
    return np.where(cache <= 0, 0.0, dout)


def dropout_forward(x, p, train=True, seed=None):
    if train is False:
        return x.copy(), np.ones_like(x, dtype=np.float64)
    mask = (np.random.default_rng(seed).random(x.shape) >= p) / (1 - p)
    out = np.multiply(x, mask)
    return out, mask


def dropout_backward(dout, mask):
    return mask * dout


def softmax_cross_entropy(logits, y):
    y = np.asarray(y, dtype=int)
    m = np.max(logits, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    probs = np.exp(logits - lse)
    n = len(y)
    picked = np.take_along_axis(logits - lse, y[:, None], axis=1)
    loss = -float(np.sum(picked)) / n
    target = np.zeros_like(probs)
    target[np.arange(n), y] = 1.0
    return loss, np.matmul(np.eye(n), probs - target) / n


def gradient_check(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_grad = grad.reshape(-1)
    for j, index in enumerate(np.ndindex(*x.shape)):
        saved = x[index].copy()
        x[index] = saved + h
        fp = f(x)
        x[index] = saved - h
        fm = f(x)
        x[index] = saved
        flat_grad[j] = (fp - fm) / (2 * h)
    return grad


def relative_error(a, b):
    num = np.abs(np.asarray(a) - np.asarray(b))
    den = np.maximum(np.full(num.shape, 1e-8), np.abs(a) + np.abs(b))
    return float(np.amax(num / den))


def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        W = rng.normal(0.0, np.sqrt(2.0 / sizes[l - 1]), size=(sizes[l - 1], sizes[l]))
        params.update({f"W{l}": W, f"b{l}": np.zeros(sizes[l])})
    return params


def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    L = len(params) // 2
    rng = np.random.default_rng(seed)
    layers = []
    a = x
    for l in range(1, L + 1):
        a, dc = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        rc = mk = None
        if l < L:
            a, rc = relu_forward(a)
            if dropout > 0:
                a, mk = dropout_forward(a, dropout, True, rng)
        layers.append([dc, rc, mk])
    loss, da = softmax_cross_entropy(a, y)
    grads = dict.fromkeys(params)
    for l, (dc, rc, mk) in reversed(list(enumerate(layers, start=1))):
        if mk is not None:
            da = dropout_backward(da, mk)
        if rc is not None:
            da = relu_backward(da, rc)
        da, dW, db = dense_backward(da, dc)
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
    return loss, grads


def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def forward_no_dropout(params, data):
        a = data
        L = len(params) // 2
        for l in range(1, L):
            a = np.maximum(np.matmul(a, params[f"W{l}"]) + params[f"b{l}"], 0.0)
        return np.matmul(a, params[f"W{L}"]) + params[f"b{L}"]

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    n = len(x)
    for epoch in range(epochs):
        order = rng.permutation(n)
        batch_losses = []
        for batch in (order[s:s + batch_size] for s in range(0, n, batch_size)):
            loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)
            batch_losses.append(loss)
            for key, g in grads.items():
                params[key] = params[key] - lr * g
        history["loss"].append(float(np.mean(batch_losses)))
        history["train_acc"].append(float(np.mean(forward_no_dropout(params, x).argmax(axis=1) == y)))
        if x_val is not None:
            logits = forward_no_dropout(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(logits, y_val)[0])
            history["val_acc"].append(float(np.mean(logits.argmax(axis=1) == y_val)))
    return params, history
''',
    ),
]
