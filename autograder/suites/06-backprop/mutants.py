"""Wrong implementations of the backprop functions that the suite must catch (see autograder.mutants)."""

from autograder.mutants import Mutant

MUTANTS = [
    # ------------------------------------------------------------------ dense layer
    Mutant(
        name="dense_forward_no_bias",
        function="dense_forward",
        mistake="forgets to add the bias b",
        hint_keyword="bias",
        source='''
def dense_forward(x, W, b):
    return x @ W, (x, W, b)
''',
    ),
    Mutant(
        name="dW_not_transposed",
        function="dense_backward",
        mistake="computes dW as dout.T @ x (transposes dout instead of x): shape (M, D) instead of (D, M)",
        hint_keyword="shape of W",
        source='''
def dense_backward(dout, cache):
    x, W, b = cache
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)
''',
    ),
    Mutant(
        name="db_not_summed",
        function="dense_backward",
        mistake="returns dout itself as db instead of summing it over the batch",
        hint_keyword="sum over the batch",
        source='''
def dense_backward(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout
''',
    ),
    Mutant(
        name="db_averaged",
        function="dense_backward",
        mistake="averages dout over the batch for db instead of summing",
        hint_keyword="not the mean",
        source='''
def dense_backward(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)
''',
    ),
    Mutant(
        name="dx_without_transpose",
        function="dense_backward",
        mistake="computes dx as dout @ W instead of dout @ W.T (fails unless W is square)",
        hint_keyword="dout @ W.T",
        source='''
def dense_backward(dout, cache):
    x, W, b = cache
    return dout @ W, x.T @ dout, dout.sum(axis=0)
''',
    ),
    # ------------------------------------------------------------------ relu
    Mutant(
        name="relu_backward_at_zero",
        function="relu_backward",
        mistake="passes the gradient where x == 0 (x >= 0 instead of x > 0)",
        hint_keyword="exactly 0",
        source='''
def relu_backward(dout, cache):
    return np.where(cache >= 0, dout, 0.0)
''',
    ),
    Mutant(
        name="relu_backward_inverted",
        function="relu_backward",
        mistake="passes the gradient where x < 0 and blocks it where x > 0",
        hint_keyword="negative",
        source='''
def relu_backward(dout, cache):
    return np.where(cache < 0, dout, 0.0)
''',
    ),
    Mutant(
        name="relu_forward_in_place",
        function="relu_forward",
        mistake="sets the negative entries of x to 0 in place and returns x",
        hint_keyword="in place",
        source='''
def relu_forward(x):
    np.maximum(x, 0.0, out=x)
    return x, x
''',
    ),
    # ------------------------------------------------------------------ dropout
    Mutant(
        name="dropout_not_scaled",
        function="dropout_forward",
        mistake="plain (non-inverted) dropout: the kept units are not scaled by 1/(1 - p)",
        hint_keyword="1/(1 - p)",
        source='''
def dropout_forward(x, p, train=True, seed=None):
    if not train:
        return np.array(x, dtype=float), np.ones(np.shape(x))
    rng = np.random.default_rng(seed)
    mask = (rng.random(np.shape(x)) >= p).astype(float)
    return x * mask, mask
''',
    ),
    Mutant(
        name="dropout_keeps_with_p",
        function="dropout_forward",
        mistake="treats p as the keep probability: keeps a unit with probability p instead of 1 - p",
        hint_keyword="drop probability",
        source='''
def dropout_forward(x, p, train=True, seed=None):
    if not train:
        return np.array(x, dtype=float), np.ones(np.shape(x))
    rng = np.random.default_rng(seed)
    mask = (rng.random(np.shape(x)) < p) / p if p > 0 else np.ones(np.shape(x))
    return x * mask, mask
''',
    ),
    Mutant(
        name="dropout_at_test_time",
        function="dropout_forward",
        mistake="ignores train: drops units at test time too",
        hint_keyword="train=False",
        source='''
def dropout_forward(x, p, train=True, seed=None):
    rng = np.random.default_rng(seed)
    mask = (rng.random(np.shape(x)) >= p) / (1 - p)
    return x * mask, mask
''',
    ),
    Mutant(
        name="dropout_in_place",
        function="dropout_forward",
        mistake="multiplies x by the mask in place (x *= mask)",
        hint_keyword="in place",
        source='''
def dropout_forward(x, p, train=True, seed=None):
    if not train:
        return x, np.ones(np.shape(x))
    rng = np.random.default_rng(seed)
    mask = (rng.random(np.shape(x)) >= p) / (1 - p)
    x *= mask
    return x, mask
''',
    ),
    # ------------------------------------------------------------------ softmax cross-entropy
    Mutant(
        name="sce_gradient_not_divided",
        function="softmax_cross_entropy",
        mistake="returns softmax - onehot without dividing by the batch size N",
        hint_keyword="batch size",
        source='''
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d = np.exp(log_probs)
    d[np.arange(n), y] -= 1.0
    return float(-log_probs[np.arange(n), y].mean()), d
''',
    ),
    Mutant(
        name="sce_no_max_shift",
        function="softmax_cross_entropy",
        mistake="exponentiates the raw logits (no max subtraction): nan for large logits",
        hint_keyword="largest logit",
        source='''
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    d = probs.copy()
    d[np.arange(n), y] -= 1.0
    return float(-np.log(probs[np.arange(n), y]).mean()), d / n
''',
    ),
    Mutant(
        name="sce_loss_summed",
        function="softmax_cross_entropy",
        mistake="sums the per-example losses instead of averaging them",
        hint_keyword="not the sum",
        source='''
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d = np.exp(log_probs)
    d[np.arange(n), y] -= 1.0
    return float(-log_probs[np.arange(n), y].sum()), d / n
''',
    ),
    Mutant(
        name="sce_shift_in_place",
        function="softmax_cross_entropy",
        mistake="subtracts the row maximum from the caller's logits in place",
        hint_keyword="in place",
        source='''
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    logits -= logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    d = np.exp(log_probs)
    d[np.arange(n), y] -= 1.0
    return float(-log_probs[np.arange(n), y].mean()), d / n
''',
    ),
    # ------------------------------------------------------------------ gradient check
    Mutant(
        name="gradient_check_forward_differences",
        function="gradient_check",
        mistake="uses forward differences (f(x + h) - f(x)) / h instead of central ones",
        hint_keyword="central",
        source='''
def gradient_check(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=float)
    f0 = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f(x) - f0) / h
        x[idx] = old
    return grad
''',
    ),
    Mutant(
        name="gradient_check_not_restoring",
        function="gradient_check",
        mistake="does not restore x[idx] after perturbing it (x ends at old - h)",
        hint_keyword="restore",
        source='''
def gradient_check(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''',
    ),
    Mutant(
        name="gradient_check_not_restoring_copy",
        function="gradient_check",
        mistake="works on a copy of x but never restores its entries, so later entries are perturbed around a "
                "wrong point",
        hint_keyword="restore",
        source='''
def gradient_check(f, x, h=1e-5):
    x = x.copy()
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
''',
    ),
    Mutant(
        name="relative_error_no_guard",
        function="relative_error",
        mistake="divides by |a| + |b| without the max(1e-8, ...) guard: nan for two zero gradients",
        hint_keyword="1e-8",
        source='''
def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
''',
    ),
    # ------------------------------------------------------------------ init_mlp
    Mutant(
        name="he_init_fan_out",
        function="init_mlp",
        mistake="He initialisation with fan_out (the number of outputs) instead of fan_in",
        hint_keyword="fan_in",
        source='''
def init_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / sizes[l]), size=(sizes[l - 1], sizes[l]))
        params[f"b{l}"] = np.zeros(sizes[l])
    return params
''',
    ),
    Mutant(
        name="init_global_rng",
        function="init_mlp",
        mistake="draws the weights from the global np.random instead of default_rng(seed)",
        hint_keyword="default_rng(seed)",
        source='''
def init_mlp(sizes, seed=0):
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = np.random.randn(sizes[l - 1], sizes[l]) * np.sqrt(2.0 / sizes[l - 1])
        params[f"b{l}"] = np.zeros(sizes[l])
    return params
''',
    ),
    # ------------------------------------------------------------------ mlp_loss_and_grads
    Mutant(
        name="mlp_backward_skips_dropout_mask",
        function="mlp_loss_and_grads",
        mistake="applies dropout in the forward pass but forgets its mask in the backward pass",
        hint_keyword="mask",
        source='''
def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    n_layers = len(params) // 2
    rng = np.random.default_rng(seed)
    caches = []
    a = x
    for l in range(1, n_layers + 1):
        a, dense_cache = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        relu_cache = None
        if l < n_layers:
            a, relu_cache = relu_forward(a)
            if dropout > 0:
                a, _ = dropout_forward(a, dropout, True, rng)
        caches.append((dense_cache, relu_cache))
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    for l in range(n_layers, 0, -1):
        dense_cache, relu_cache = caches[l - 1]
        if l < n_layers:
            da = relu_backward(da, relu_cache)
        da, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(da, dense_cache)
    return loss, grads
''',
    ),
    Mutant(
        name="mlp_relu_on_output",
        function="mlp_loss_and_grads",
        mistake="applies a ReLU after the last layer too (the logits are clipped at 0)",
        hint_keyword="last layer",
        source='''
def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    n_layers = len(params) // 2
    rng = np.random.default_rng(seed)
    caches = []
    a = x
    for l in range(1, n_layers + 1):
        a, dense_cache = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        a, relu_cache = relu_forward(a)
        mask = None
        if l < n_layers and dropout > 0:
            a, mask = dropout_forward(a, dropout, True, rng)
        caches.append((dense_cache, relu_cache, mask))
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    for l in range(n_layers, 0, -1):
        dense_cache, relu_cache, mask = caches[l - 1]
        if mask is not None:
            da = dropout_backward(da, mask)
        da = relu_backward(da, relu_cache)
        da, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(da, dense_cache)
    return loss, grads
''',
    ),
    Mutant(
        name="mlp_one_rng_per_layer",
        function="mlp_loss_and_grads",
        mistake="draws every layer's dropout mask from a new generator seeded with the same seed",
        hint_keyword="rng = np.random.default_rng(seed) once",
        source='''
def mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None):
    n_layers = len(params) // 2
    caches = []
    a = x
    for l in range(1, n_layers + 1):
        a, dense_cache = dense_forward(a, params[f"W{l}"], params[f"b{l}"])
        relu_cache = mask = None
        if l < n_layers:
            a, relu_cache = relu_forward(a)
            if dropout > 0:
                a, mask = dropout_forward(a, dropout, True, seed)
        caches.append((dense_cache, relu_cache, mask))
    loss, da = softmax_cross_entropy(a, y)
    grads = {}
    for l in range(n_layers, 0, -1):
        dense_cache, relu_cache, mask = caches[l - 1]
        if l < n_layers:
            if mask is not None:
                da = dropout_backward(da, mask)
            da = relu_backward(da, relu_cache)
        da, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(da, dense_cache)
    return loss, grads
''',
    ),
    # ------------------------------------------------------------------ train_mlp
    Mutant(
        name="train_no_shuffle",
        function="train_mlp",
        mistake="visits the examples in the given order every epoch (no shuffling)",
        hint_keyword="shuffle",
        source='''
def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def logits(params, inputs):
        a = inputs
        for l in range(1, len(params) // 2 + 1):
            a = a @ params[f"W{l}"] + params[f"b{l}"]
            if l < len(params) // 2:
                a = np.maximum(a, 0.0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    for _ in range(epochs):
        losses = []
        for start in range(0, len(x), batch_size):
            loss, grads = mlp_loss_and_grads(params, x[start:start + batch_size], y[start:start + batch_size],
                                             dropout, rng)
            losses.append(loss)
            params = {k: v - lr * grads[k] for k, v in params.items()}
        history["loss"].append(float(np.mean(losses)))
        history["train_acc"].append(float(np.mean(np.argmax(logits(params, x), axis=1) == y)))
        if x_val is not None:
            z = logits(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(z, y_val)[0])
            history["val_acc"].append(float(np.mean(np.argmax(z, axis=1) == y_val)))
    return params, history
''',
    ),
    Mutant(
        name="train_gradient_ascent",
        function="train_mlp",
        mistake="steps uphill: params + lr * grads",
        hint_keyword="downhill",
        source='''
def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def logits(params, inputs):
        a = inputs
        for l in range(1, len(params) // 2 + 1):
            a = a @ params[f"W{l}"] + params[f"b{l}"]
            if l < len(params) // 2:
                a = np.maximum(a, 0.0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    for _ in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)
            losses.append(loss)
            params = {k: v + lr * grads[k] for k, v in params.items()}
        history["loss"].append(float(np.mean(losses)))
        history["train_acc"].append(float(np.mean(np.argmax(logits(params, x), axis=1) == y)))
        if x_val is not None:
            z = logits(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(z, y_val)[0])
            history["val_acc"].append(float(np.mean(np.argmax(z, axis=1) == y_val)))
    return params, history
''',
    ),
    Mutant(
        name="train_ignores_dropout",
        function="train_mlp",
        mistake="never passes the dropout argument on (always trains without dropout)",
        hint_keyword="dropout argument",
        source='''
def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def logits(params, inputs):
        a = inputs
        for l in range(1, len(params) // 2 + 1):
            a = a @ params[f"W{l}"] + params[f"b{l}"]
            if l < len(params) // 2:
                a = np.maximum(a, 0.0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    for _ in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], 0.0, rng)
            losses.append(loss)
            params = {k: v - lr * grads[k] for k, v in params.items()}
        history["loss"].append(float(np.mean(losses)))
        history["train_acc"].append(float(np.mean(np.argmax(logits(params, x), axis=1) == y)))
        if x_val is not None:
            z = logits(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(z, y_val)[0])
            history["val_acc"].append(float(np.mean(np.argmax(z, axis=1) == y_val)))
    return params, history
''',
    ),
    Mutant(
        name="train_shuffles_in_place",
        function="train_mlp",
        mistake="shuffles the caller's x and y in place with rng.shuffle",
        hint_keyword="in place",
        source='''
def train_mlp(x, y, sizes, epochs=10, batch_size=32, lr=0.1, dropout=0.0, seed=0, x_val=None, y_val=None):
    def logits(params, inputs):
        a = inputs
        for l in range(1, len(params) // 2 + 1):
            a = a @ params[f"W{l}"] + params[f"b{l}"]
            if l < len(params) // 2:
                a = np.maximum(a, 0.0)
        return a

    params = init_mlp(sizes, seed)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": []}
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    for _ in range(epochs):
        state = rng.bit_generator.state
        rng.shuffle(x)
        rng.bit_generator.state = state
        rng.shuffle(y)
        losses = []
        for start in range(0, len(x), batch_size):
            loss, grads = mlp_loss_and_grads(params, x[start:start + batch_size], y[start:start + batch_size],
                                             dropout, rng)
            losses.append(loss)
            params = {k: v - lr * grads[k] for k, v in params.items()}
        history["loss"].append(float(np.mean(losses)))
        history["train_acc"].append(float(np.mean(np.argmax(logits(params, x), axis=1) == y)))
        if x_val is not None:
            z = logits(params, x_val)
            history["val_loss"].append(softmax_cross_entropy(z, y_val)[0])
            history["val_acc"].append(float(np.mean(np.argmax(z, axis=1) == y_val)))
    return params, history
''',
    ),
]
