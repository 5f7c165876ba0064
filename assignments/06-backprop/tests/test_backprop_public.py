"""Public tests for exercise 06 (backpropagation): small worked examples and the basic contract.

Run them from the notebook with ``check("dense_backward")`` (one exercise) or ``check_all()``.
The grader runs these and more (hidden) tests on other data.
"""

import numpy as np
import pytest
from selfcheck import CheckFailure, expect_array, expect_close, expect_equal, expect_tuple, expect_unchanged

# The notebook's dense-layer example: N = 3 examples, D = 2 features, M = 3 outputs.
X_DEMO = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])
W_DEMO = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
B_DEMO = np.array([0.1, 0.2, 0.3])
DOUT_DEMO = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0], [1.0, 1.0, 1.0]])


def _pair(out, name):
    expect_tuple(out, 2, name=name)
    return out


# --------------------------------------------------------------------------- dense_forward


@pytest.mark.question("dense_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "out = x @ W + b, with b added to every row.",
    "For x of shape (N, D), W of shape (D, M) and b of shape (M,), out has shape (N, M): the matrix product "
    "x @ W, then b added to each row (broadcasting does that).",
)
@pytest.mark.spec(
    "Forward pass of a dense layer: out = x @ W + b.",
    "where $b$ is added to every row (NumPy broadcasting)",
)
def test_dense_forward_example(student):
    out, _ = _pair(student.dense_forward(X_DEMO, W_DEMO, B_DEMO), "dense_forward(...)")
    expected = np.array([[2.6, -0.8, 1.3], [0.6, -2.8, 6.8], [0.6, 0.2, 0.05]])
    expect_array(out, expected, name="out", dtype="float")


@pytest.mark.question("dense_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The cache is the tuple (x, W, b), and the inputs stay as they were.",
    "Return (out, cache) with cache = (x, W, b), the three inputs in this order; dense_backward reads them "
    "from there. Do not modify x, W or b.",
)
@pytest.mark.spec(
    "**`cache = (x, W, b)`**, the inputs as a tuple, in this order",
    "do not modify the arrays you are given: return new ones.",
)
def test_dense_forward_cache(student, rng):
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    call = student.call("dense_forward", x, W, b)
    for before, after, name in zip((x, W, b), call.args, ("x", "W", "b"), strict=True):
        expect_unchanged(before, after, name=name)
    _, cache = _pair(call.value, "dense_forward(...)")
    expect_tuple(cache, 3, name="cache")
    for got, want, name in zip(cache, (x, W, b), ("cache[0] (x)", "cache[1] (W)", "cache[2] (b)"), strict=True):
        expect_array(got, want, name=name, dtype="float")


# --------------------------------------------------------------------------- dense_backward


@pytest.mark.question("dense_backward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "dx = dout @ W.T, dW = x.T @ dout, db = the sum of the rows of dout.",
    "Each gradient has the shape of its variable: dx (N, D) like x, dW (D, M) like W, db (M,) like b. The "
    "shapes leave one choice of product for each; b is added to every row, so db sums dout over the batch.",
)
@pytest.mark.spec(
    "Write `dense_backward(dout, cache)` with `cache = (x, W, b)` as returned by `dense_forward`; return the "
    "tuple `(dx, dW, db)`.",
)
def test_dense_backward_example(student):
    out = student.dense_backward(DOUT_DEMO, (X_DEMO, W_DEMO, B_DEMO))
    expect_tuple(out, 3, name="dense_backward(...)")
    dx, dW, db = out
    expect_array(dx, np.array([[-1.5, 1.5], [-2.0, 0.0], [1.5, 0.5]]), name="dx", dtype="float")
    expect_array(dW, np.array([[1.0, 6.0, -1.0], [2.5, -1.5, -1.5]]), name="dW", dtype="float")
    expect_array(db, np.array([2.0, 3.0, 0.0]), name="db", dtype="float")


@pytest.mark.question("dense_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each gradient has the shape of the variable it belongs to.",
    "dx has the shape of x (N, D), dW the shape of W (D, M), db the shape of b (M,): here (5, 4), (4, 2) "
    "and (2,). Compute dW as x.T @ dout and sum dout over the batch (axis 0) for db.",
)
@pytest.mark.spec(
    "Returns (dx, dW, db) with the shapes of x (N, D), W (D, M) and b (M,).",
)
def test_dense_backward_shapes(student, rng):
    x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    dout = rng.normal(size=(5, 2))
    out = student.dense_backward(dout, (x, W, b))
    expect_tuple(out, 3, name="dense_backward(...)")
    for got, want, name in zip(out, (dout @ W.T, x.T @ dout, dout.sum(axis=0)), ("dx", "dW", "db"), strict=True):
        expect_array(got, want, name=name, dtype="float")


# --------------------------------------------------------------------------- relu


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relu_forward returns (max(0, x), x).",
    "out is max(0, x) element-wise, a new float array of x's shape, and the cache is x itself (the input). "
    "np.maximum(x, 0.0) does it; do not change x.",
)
@pytest.mark.spec(
    "`relu_forward(x)`: return `(out, cache)` with `out = max(0, x)` (a new array, `x` unchanged) and **`cache = "
    "x`**, the input;",
)
def test_relu_forward_example(student):
    x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
    call = student.call("relu_forward", x)
    expect_unchanged(x, call.args[0], name="x")
    out, cache = _pair(call.value, "relu_forward(x)")
    expect_array(out, np.array([[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), name="out", dtype="float")
    expect_array(cache, x, name="cache (the input x)", dtype="float")


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The gradient flows back only where the input was strictly positive.",
    "relu_backward(dout, x) is dout where x > 0 and 0 where x <= 0, including where x is exactly 0.",
)
@pytest.mark.spec(
    "`relu_backward(dout, cache)`: return `dx`, of the shape of `dout`, which is $0$ where $x \\le 0$.",
)
def test_relu_backward_example(student):
    x = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expect_array(student.relu_backward(dout, x), np.array([[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]]),
                 name="relu_backward(dout, x)", dtype="float")


# --------------------------------------------------------------------------- dropout


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Draw the mask as the notebook says: (rng.random(x.shape) >= p) / (1 - p).",
    "Create rng = np.random.default_rng(seed), then mask = (rng.random(x.shape) >= p) / (1 - p): p is the "
    "probability of dropping a unit, and the kept ones are scaled by 1/(1 - p). out = x * mask.",
)
@pytest.mark.spec(
    "draw the random numbers **exactly like this** (the grader compares your mask with its own for the same "
    "seed): `rng = np.random.default_rng(seed)`, then `mask = (rng.random(x.shape) >= p) / (1 - p)`, and `out = x "
    "* mask`;",
    "`dropout_backward(dout, mask)` returning `dout * mask`.",
)
def test_dropout_mask_for_a_seed(student, rng):
    x = rng.normal(size=(3, 5))
    out, mask = _pair(student.dropout_forward(x, 0.4, True, 7), "dropout_forward(x, 0.4, True, 7)")
    expected_mask = (np.random.default_rng(7).random((3, 5)) >= 0.4) / 0.6
    expect_array(mask, expected_mask, name="mask", dtype="float")
    expect_array(out, x * expected_mask, name="out", dtype="float")
    expect_array(student.dropout_backward(x, expected_mask), x * expected_mask, name="dropout_backward(dout, mask)",
                 dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At test time (train=False) dropout does nothing.",
    "With train=False return a copy of x unchanged and a mask of ones: with inverted dropout the scaling "
    "happens during training, so nothing is left to do at test time.",
)
@pytest.mark.spec(
    "if `train` is false (test time): `out` is `x` (a copy) and `mask` is an array of ones of `x`'s shape;",
)
def test_dropout_test_time(student, rng):
    x = rng.normal(size=(4, 3))
    out, mask = _pair(student.dropout_forward(x, 0.5, False, 0), "dropout_forward(x, 0.5, False, 0)")
    expect_array(out, x, name="out at test time", dtype="float")
    expect_array(mask, np.ones((4, 3)), name="mask at test time", dtype="float")


# --------------------------------------------------------------------------- softmax_cross_entropy


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Equal logits give every class probability 1/K, so the loss is log K.",
    "With all logits 0 and K = 4 classes the loss is log(4) for every example (and their mean), and "
    "dlogits = (1/4 - onehot(y)) / N. Return the loss as a float and dlogits with the shape of logits.",
)
@pytest.mark.spec(
    "return `(loss, dlogits)`, the mean loss as a Python `float` and its gradient, of the shape of `logits`.",
    "Returns (loss, dlogits): loss a Python float, dlogits = (softmax(logits) - onehot(y)) / N of shape (N, K).",
)
def test_softmax_cross_entropy_uniform(student):
    y = np.array([0, 3, 1])
    out = _pair(student.softmax_cross_entropy(np.zeros((3, 4)), y), "softmax_cross_entropy(...)")
    expect_close(out[0], np.log(4.0), name="loss")
    expected = (np.full((3, 4), 0.25) - np.eye(4)[y]) / 3
    expect_array(out[1], expected, name="dlogits", dtype="float")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Compare with the notebook's example: logits [[2, 1, 0], [0, 0, 0]], labels [0, 2].",
    "loss = mean over the rows of -log softmax(z_i)[y_i]; dlogits = (softmax(z) - onehot(y)) / N. Subtract each "
    "row's maximum before exponentiating, or large logits give nan.",
)
@pytest.mark.spec(
    "return `(loss, dlogits)`, the mean loss as a Python `float` and its gradient, of the shape of `logits`.",
    "Returns (loss, dlogits): loss a Python float, dlogits = (softmax(logits) - onehot(y)) / N of shape (N, K).",
    "Stable for large logits (subtracts the row maximum).",
)
def test_softmax_cross_entropy_example(student):
    z = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    out = _pair(student.softmax_cross_entropy(z, np.array([0, 2])), "softmax_cross_entropy(...)")
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expect_close(out[0], -(np.log(p[0, 0]) + np.log(p[1, 2])) / 2, name="loss")
    expect_array(out[1], (p - np.eye(3)[[0, 2]]) / 2, name="dlogits", dtype="float")
    big = _pair(student.softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([0])), "with large logits")
    expect_close(big[0], 0.0, name="the loss for logits [1000, 0, -1000] and label 0")


# --------------------------------------------------------------------------- gradient_check


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Central differences: (f(x + h e_k) - f(x - h e_k)) / (2h) for every entry k (this test calls your "
    "gradient_check through the notebook's gradient_check_probe).",
    "For f(x) = sum(x**3) the central difference is exactly 3 x_k**2 + h**2. Perturb one entry, evaluate f, "
    "perturb the other way, evaluate again, then put the entry back before moving on.",
)
@pytest.mark.spec(
    "This **central difference** has an error of order $h^2$",
    "**restore each entry after its two evaluations**, so that the next entry is perturbed around the original "
    "point and `x` is unchanged at the end.",
)
def test_gradient_check_cubic(student):
    x = np.array([1.0, -2.0, 0.5, 3.0])
    call = student.call("gradient_check_probe", "cubic", x, np.ones(4), 1e-3)
    expect_unchanged(x, call.args[1], name="x (restore every entry after perturbing it)")
    expect_array(call.value, 3 * x ** 2 + 1e-6, name="gradient_check of sum(x**3) with h = 1e-3", dtype="float",
                 rtol=1e-6, atol=1e-9)


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relative_error is the largest |a - b| / max(1e-8, |a| + |b|) over the entries.",
    "Compute the ratio entry by entry, with the denominator max(1e-8, |a_k| + |b_k|), take the maximum, and "
    "return it as a float. Two zero arrays have relative error 0, not nan.",
)
@pytest.mark.spec(
    "max |a - b| / max(1e-8, |a| + |b|), element-wise, then the maximum (a Python float).",
    "The $10^{-8}$ keeps entries where both gradients are exactly $0$ (common behind a ReLU) from dividing $0$ by "
    "$0$.",
)
def test_relative_error_example(student):
    a, b = np.array([1.0, -2.0, 0.0, 4.0]), np.array([1.0, -2.0002, 0.0, 4.004])
    expect_close(student.relative_error(a, b), 0.004 / 8.004, name="relative_error(a, b)", rtol=1e-9)
    expect_close(student.relative_error(np.zeros(3), np.zeros(3)), 0.0, name="relative_error(0, 0)")


# --------------------------------------------------------------------------- init_mlp


@pytest.mark.question("init_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "One W and one b per layer, keys W1, b1, ..., WL, bL, biases zero.",
    "For sizes [n0, ..., nL], W<l> has shape (n_{l-1}, n_l) and b<l> shape (n_l,), l = 1..L. The weights are "
    "drawn with rng.normal(0, sqrt(2 / n_{l-1}), ...) from rng = np.random.default_rng(seed), in layer order.",
)
@pytest.mark.spec(
    'with the keys `"W1"`, `"b1"`, ..., numbered from 1, and exactly these shapes.',
    "Draw the numbers **exactly like this** (the grader compares the values): `rng = np.random.default_rng(seed)` "
    "once, then for $l = 1, \\dots, L$ in this order `W = rng.normal(0.0, np.sqrt(2.0 / sizes[l - 1]), "
    "size=(sizes[l - 1], sizes[l]))`, and `b = np.zeros(sizes[l])`.",
)
def test_init_mlp_layout(student):
    sizes = [5, 4, 3, 2]
    params = student.init_mlp(sizes, 3)
    if not isinstance(params, dict):
        raise CheckFailure(f"init_mlp should return a dict, got a {type(params).__name__}")
    expect_equal(sorted(params), ["W1", "W2", "W3", "b1", "b2", "b3"], name="the keys of params")
    rng = np.random.default_rng(3)
    for layer in range(1, 4):
        W = rng.normal(0.0, np.sqrt(2.0 / sizes[layer - 1]), size=(sizes[layer - 1], sizes[layer]))
        expect_array(params[f"W{layer}"], W, name=f"W{layer}", dtype="float")
        expect_array(params[f"b{layer}"], np.zeros(sizes[layer]), name=f"b{layer}", dtype="float")


# --------------------------------------------------------------------------- mlp_loss_and_grads


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With all parameters 0 every logit is 0: the loss is log K.",
    "All-zero weights and biases give zero logits, so the loss is log(K) and only the last bias has a nonzero "
    "gradient, the mean of softmax - onehot(y) over the batch. grads has the keys and shapes of params.",
)
@pytest.mark.spec(
    "Write `mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None)` returning `(loss, grads)`: the mean loss (a "
    "float) and a dictionary `grads` with the same keys and shapes as `params`.",
)
def test_mlp_zero_params(student, rng):
    sizes = [4, 3, 5]
    params = {"W1": np.zeros((4, 3)), "b1": np.zeros(3), "W2": np.zeros((3, 5)), "b2": np.zeros(5)}
    x, y = rng.normal(size=(6, 4)), np.array([0, 1, 2, 3, 4, 0])
    out = _pair(student.mlp_loss_and_grads(params, x, y, 0.0, 0), "mlp_loss_and_grads(...)")
    expect_close(out[0], np.log(5.0), name="loss")
    grads = out[1]
    if not isinstance(grads, dict) or sorted(grads) != sorted(params):
        raise CheckFailure("grads should be a dict with the keys of params: W1, b1, W2, b2")
    for key in ("W1", "b1", "W2"):
        expect_array(grads[key], np.zeros_like(params[key]), name=f"grads[{key!r}]", dtype="float")
    expect_array(grads["b2"], (np.full((6, sizes[-1]), 0.2) - np.eye(5)[y]).mean(axis=0), name="grads['b2']",
                 dtype="float")


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Your gradients disagree with finite differences of your own loss.",
    "Run the notebook's gradient check for each parameter. Go backwards through the layers: dense_backward of "
    "the last layer first, then for each hidden layer relu_backward (with that layer's input) before "
    "dense_backward.",
)
@pytest.mark.spec(
    "Write `mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None)` returning `(loss, grads)`: the mean loss (a "
    "float) and a dictionary `grads` with the same keys and shapes as `params`.",
    "the backward pass visits the same layers in reverse order",
)
def test_mlp_gradient_spot_check(student, rng):
    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 3)),
              "b2": rng.normal(size=3)}
    x, y = rng.normal(size=(5, 3)), np.array([0, 1, 2, 1, 0])
    out = _pair(student.mlp_loss_and_grads(params, x, y, 0.0, 0), "mlp_loss_and_grads(...)")
    h = 1e-6
    for key, idx in (("W1", (1, 2)), ("b1", (3,))):
        plus, minus = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
        plus[key][idx] += h
        minus[key][idx] -= h
        numerical = (student.mlp_loss_and_grads(plus, x, y, 0.0, 0)[0]
                     - student.mlp_loss_and_grads(minus, x, y, 0.0, 0)[0]) / (2 * h)
        expect_close(out[1][key][idx], numerical, name=f"grads[{key!r}][{idx}]", rtol=1e-5, atol=1e-8)


# --------------------------------------------------------------------------- train_mlp


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A net with one hidden layer must learn XOR.",
    "For each batch: loss and grads from mlp_loss_and_grads, then params[k] = params[k] - lr * grads[k] for "
    "every key. The XOR points: 300 epochs, batch size 4, lr 0.5 reach 100% training accuracy.",
)
@pytest.mark.spec(
    "A hidden layer of 8 ReLU units learns it in a few hundred epochs",
    "and the step above for every parameter;",
)
def test_train_mlp_xor(student):
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    params, _ = _pair(student.train_mlp(x, y, [2, 8, 2], epochs=300, batch_size=4, lr=0.5, seed=0), "train_mlp(...)")
    if not isinstance(params, dict) or sorted(params) != ["W1", "W2", "b1", "b2"]:
        raise CheckFailure("params should be a dict with the keys W1, b1, W2, b2")
    logits = np.maximum(x @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
    expect_array(np.argmax(logits, axis=1), y, name="the predicted classes of the XOR points", dtype="int", exact=True)


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "history holds one entry per epoch in the lists 'loss' and 'train_acc'.",
    "Return (params, history) with history = {'loss': [...], 'train_acc': [...]}, each list with one number per "
    "epoch: the mean batch loss of the epoch, and the accuracy on all of x after it.",
)
@pytest.mark.spec(
    '`history["loss"]`: the mean of the batch losses of the epoch (the plain mean over the batches);',
    '`history["train_acc"]`: the accuracy on all of `x` with the parameters at the end of the epoch, without '
    "dropout (predict the class with the largest logit);",
)
def test_train_mlp_history(student, rng):
    x, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    _, history = _pair(student.train_mlp(x, y, [3, 4, 2], epochs=3, batch_size=8, lr=0.1, seed=1), "train_mlp(...)")
    if not isinstance(history, dict):
        raise CheckFailure(f"history should be a dict, got a {type(history).__name__}")
    for key in ("loss", "train_acc"):
        if key not in history:
            raise CheckFailure(f"history has no key {key!r}")
        values = np.asarray(history[key], dtype=float)
        expect_equal(values.shape, (3,), name=f"the shape of history[{key!r}] for 3 epochs")
    acc = np.asarray(history["train_acc"], dtype=float)
    if not np.all((acc >= 0) & (acc <= 1)):
        raise CheckFailure("history['train_acc'] should hold accuracies between 0 and 1")
