"""Public tests for exercise 03 (activations, softmax, softmax regression): the lecture's examples and contracts.

Run them from the notebook with ``check("softmax")`` (one exercise) or ``check_all()``.
The grader runs these and more (hidden) tests on other data.
"""

import numpy as np
import pytest
from selfcheck import CheckFailure, expect_array, expect_close, expect_tuple, expect_unchanged

Z5 = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
SIGMOID_Z5 = np.array([0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823])


def expect_float_array(value, shape, name):
    """Check that value is a float array of the given shape (its values are checked elsewhere)."""
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
        expect_array(value, np.zeros(shape), name=name, dtype="float")  # raises, saying what is wrong


# --------------------------------------------------------------------------- activations


@pytest.mark.question("activations")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare your five functions with the table, at z = -2, -1, 0, 1, 2.",
    "identity returns z; step is 1 only where z > 0 (step(0) = 0); sigmoid is 1 / (1 + exp(-z)); relu is "
    "max(0, z); leaky_relu is z for z > 0 and alpha * z otherwise. All return float arrays.",
)
@pytest.mark.spec(
    "$1$ if $z > 0$, else $0$ (so `step(0)` is $0$)",
    "`leaky_relu(z, alpha=0.01)` | $z$ if $z > 0$, else $\\alpha z$",
)
def test_activations_lecture_values(student):
    expect_array(student.identity(Z5), Z5, name="identity(z)", dtype="float")
    expect_array(student.step(Z5), np.array([0.0, 0, 0, 1, 1]), name="step(z)", dtype="float")
    expect_array(student.sigmoid(Z5), SIGMOID_Z5, name="sigmoid(z)", dtype="float")
    expect_array(student.relu(Z5), np.array([0.0, 0, 0, 1, 2]), name="relu(z)", dtype="float")
    expect_array(student.leaky_relu(Z5), np.array([-0.02, -0.01, 0, 1, 2]), name="leaky_relu(z)", dtype="float")


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Activations work element-wise on arrays of any shape, and sigmoid must not overflow.",
    "Return an array of the input's shape (a (2, 3) input gives a (2, 3) output). For the sigmoid use "
    "exp(-|z|), which never overflows: 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0.",
)
@pytest.mark.spec(
    "An activation function is applied **element-wise**: to every entry of an array, whatever its shape.",
    "Your `sigmoid` must return finite values without warnings for $|z|$ up to $10^4$.",
)
def test_activations_shape_and_large_inputs(student):
    Z = np.array([[-3.0, 0.5, 4.0], [1e4, -1e4, 0.0]])
    expect_array(student.relu(Z), np.maximum(Z, 0), name="relu(Z) for Z of shape (2, 3)", dtype="float")
    expect_array(student.sigmoid(Z), 1 / (1 + np.exp(-np.clip(Z, -700, 700))),
                 name="sigmoid(Z) with entries of +-1e4", dtype="float", rtol=1e-7)


# --------------------------------------------------------------------------- derivatives


@pytest.mark.question("activation_grads")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare with the table of derivatives at z = -2, -1, 0, 1, 2; mind the value at z = 0.",
    "sigmoid_grad(z) = sigmoid(z) * (1 - sigmoid(z)), so sigmoid_grad(0) = 0.25. relu_grad is 1 where z > 0 "
    "and 0 elsewhere, also at z = 0. leaky_relu_grad is 1 where z > 0 and alpha elsewhere, also at z = 0.",
)
@pytest.mark.spec(
    "Write the derivatives, element-wise, as float arrays of `z`'s shape:",
    "at $z = 0$, `relu_grad` is $0$ and `leaky_relu_grad` is $\\alpha$",
)
def test_grads_lecture_values(student):
    expect_array(student.sigmoid_grad(Z5), SIGMOID_Z5 * (1 - SIGMOID_Z5), name="sigmoid_grad(z)", dtype="float")
    expect_array(student.relu_grad(Z5), np.array([0.0, 0, 0, 1, 1]), name="relu_grad(z)", dtype="float")
    expect_array(student.leaky_relu_grad(Z5), np.array([0.01, 0.01, 0.01, 1, 1]), name="leaky_relu_grad(z)",
                 dtype="float")


# --------------------------------------------------------------------------- softmax


@pytest.mark.question("softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "softmax((2, 1, 0.1)) is (0.659, 0.242, 0.099).",
    "Exponentiate every logit and divide by the sum of the exponentials: the result is positive and sums to 1.",
)
@pytest.mark.spec("The lecture's example:")
def test_softmax_lecture_example(student):
    expected = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    expect_array(student.softmax(np.array([2.0, 1.0, 0.1])), expected, name="softmax([2, 1, 0.1])",
                 dtype="float")


@pytest.mark.question("softmax")
@pytest.mark.points(2)
@pytest.mark.hint(
    "For a batch, each row is one example: every row of the result must sum to 1, also for huge logits.",
    "Work along the last axis (axis=-1) and keep the dimensions (keepdims=True) so that the row maxima and "
    "sums broadcast. Subtract each row's maximum before np.exp: exp(1000) overflows to inf.",
)
@pytest.mark.spec(
    "Softmax along the last axis of Z (any shape); every row of the result sums to 1.",
    "Subtract the maximum of each row (use `keepdims=True`), and stay stable for logits as large as $\\pm 10^4$.",
)
def test_softmax_batch_and_large_logits(student):
    Z = np.array([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    E = np.exp(np.array([0.0, 1.0, 2.0]))
    expected = np.array([E / E.sum(), [0.0, 0.0, 1.0], E / E.sum(), [1 / 3, 1 / 3, 1 / 3]])
    call = student.call("softmax", Z)
    expect_unchanged(Z, call.args[0], name="Z")
    expect_array(call.value, expected, name="softmax(Z) for a batch of 4 rows", dtype="float")


# --------------------------------------------------------------------------- one_hot


@pytest.mark.question("one_hot")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Row i has a single 1, in column y[i]; there are num_classes columns.",
    "Start from a float array of zeros of shape (len(y), num_classes) and set out[i, y[i]] = 1 for every i "
    "(np.arange(len(y)) indexes the rows), or pick rows of np.eye(num_classes).",
)
@pytest.mark.spec("return a **float** array of shape `(n, num_classes)` whose row $i$ is the one-hot vector of `y[i]`.")
def test_one_hot_example(student):
    expected = np.zeros((4, 10))
    expected[[0, 1, 2, 3], [3, 0, 9, 3]] = 1.0
    expect_array(student.one_hot(np.array([3, 0, 9, 3]), 10), expected, name="one_hot([3, 0, 9, 3], 10)",
                 dtype="float")


# --------------------------------------------------------------------------- cross_entropy


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "One example whose true class gets probability 0.7 has loss -log 0.7 = 0.357; a batch has the mean loss.",
    "Compute -sum_k Y_true[i, k] * log(Y_prob[i, k]) for every row i, then take the mean over the rows, and "
    "return it as a float.",
)
@pytest.mark.spec("Over a batch of $n$ examples the loss is the **mean**:", "return the mean loss as a Python `float`.")
def test_cross_entropy_example(student):
    Y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    expect_close(student.cross_entropy(Y_true[:1], np.array([[0.2, 0.7, 0.1]])), -np.log(0.7),
                 name="cross_entropy for one example")
    expect_close(student.cross_entropy(Y_true, np.array([[0.2, 0.7, 0.1], [0.1, 0.3, 0.6]])),
                 (-np.log(0.7) - np.log(0.1)) / 2, name="cross_entropy for two examples (the mean)")


@pytest.mark.question("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A probability of exactly 0 for the true class must give a large finite loss, not inf.",
    "Clip the probabilities into [eps, 1] with np.clip before the log: log(0) is -inf, log(1e-12) is -27.6.",
)
@pytest.mark.spec("Clip the probabilities into $[\\varepsilon, 1]$ first (`np.clip`), with `eps=1e-12`")
def test_cross_entropy_zero_probability(student):
    value = student.cross_entropy(np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, 0.0, 0.5]]))
    expect_close(value, -np.log(1e-12), name="cross_entropy when the true class has probability 0")


# --------------------------------------------------------------------------- dense_softmax


@pytest.mark.question("dense_softmax")
@pytest.mark.points(1)
@pytest.mark.hint(
    "X[100, 784] times W[784, 10] plus b[10] gives scores of shape (100, 10); softmax each row.",
    "Compute Z = X @ W + b (b is added to every row by broadcasting), then apply your softmax along the last "
    "axis. The result has one row of 10 probabilities per image.",
)
@pytest.mark.spec("softmax(X @ W + b): X of shape (n, d), W (d, K), b (K,); returns (n, K) probabilities.")
def test_dense_softmax_slide_shapes(student, rng):
    X = rng.random((100, 784))
    W = rng.normal(0, 0.05, size=(784, 10))
    b = rng.normal(0, 1.0, size=10)
    Z = X @ W + b
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    expect_array(student.dense_softmax(X, W, b), E / E.sum(axis=1, keepdims=True),
                 name="dense_softmax(X[100, 784], W[784, 10], b[10])", dtype="float")


# --------------------------------------------------------------------------- softmax_cross_entropy_grad


@pytest.mark.question("softmax_cross_entropy_grad")
@pytest.mark.points(2)
@pytest.mark.hint(
    "dW has the shape of W, db the shape of b; at W = 0, b = 0 every class has probability 1/K.",
    "With P = dense_softmax(X, W, b): dW = X.T @ (P - Y_true) / n and db = the sum over the rows (axis 0) of "
    "(P - Y_true) / n, where n is the number of rows of X.",
)
@pytest.mark.spec(
    "Gradient of the mean cross-entropy of dense_softmax(X, W, b) against Y_true.",
    "return the pair `(dW, db)` with `dW` of shape `(d, K)` and `db` of shape `(K,)`.",
)
def test_grad_at_zero(student):
    X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0], [2.0, 2.0]])
    Y = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]])
    G = (np.full((4, 3), 1 / 3) - Y) / 4
    out = student.softmax_cross_entropy_grad(X, Y, np.zeros((2, 3)), np.zeros(3))
    expect_tuple(out, 2, name="softmax_cross_entropy_grad(...)")
    expect_array(out[0], X.T @ G, name="dW at W = 0, b = 0", dtype="float")
    expect_array(out[1], G.sum(axis=0), name="db at W = 0, b = 0", dtype="float")


# --------------------------------------------------------------------------- train_softmax_regression


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(2)
@pytest.mark.hint(
    "On three well separated clusters, training must reach (nearly) 100% training accuracy.",
    "For every epoch draw a new order with rng.permutation(n) (rng = np.random.default_rng(seed), created once), "
    "then step through it in batches: W -= lr * dW and b -= lr * db with the gradient of the batch. Return "
    "(W, b) with shapes (d, K) and (K,), K = max(y) + 1.",
)
@pytest.mark.spec(
    "draw a new order with `rng.permutation(n)`, where `rng = np.random.default_rng(seed)` is created **once**",
    "Return `(W, b)` with shapes `(d, K)` and `(K,)`.",
)
def test_train_on_clusters(student, rng):
    centres = np.array([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
    y = np.repeat([0, 1, 2], 30)
    X = centres[y] + rng.normal(0, 0.3, size=(90, 4))
    call = student.call("train_softmax_regression", X, y, epochs=20, batch_size=8, lr=0.5, seed=0)
    expect_unchanged(X, call.args[0], name="X")
    expect_unchanged(y, call.args[1], name="y")
    expect_tuple(call.value, 2, name="train_softmax_regression(...)")
    W, b = call.value
    expect_float_array(W, (4, 3), name="W (4 features, 3 classes)")
    expect_float_array(b, (3,), name="b (3 classes)")
    accuracy = np.mean(np.argmax(X @ W + b, axis=1) == y)
    if accuracy < 0.95:
        raise CheckFailure(f"the trained model classifies only {accuracy:.0%} of the training clusters correctly")


@pytest.mark.question("train_softmax_regression")
@pytest.mark.points(0)  # the point is in the hidden suite; this test tells you before you submit
@pytest.mark.spec("draw a new order with `rng.permutation(n)`, where `rng = np.random.default_rng(seed)`")
@pytest.mark.hint(
    "The seed must decide the shuffle: two seeds, two different results.",
    "Create rng = np.random.default_rng(seed) once, from the seed argument, and draw a new order with "
    "rng.permutation(n) in every epoch; without a shuffle (or with a fixed seed) the seed changes nothing.",
)
def test_train_seed_decides_the_shuffle(student, rng):
    X = rng.normal(size=(20, 4))
    y = np.arange(20) % 3
    settings = {"epochs": 2, "batch_size": 4, "lr": 0.5}
    first = student.train_softmax_regression(X, y, seed=11, **settings)
    other = student.train_softmax_regression(X, y, seed=12, **settings)
    expect_tuple(first, 2, name="train_softmax_regression(...)")
    expect_tuple(other, 2, name="train_softmax_regression(...)")
    expect_float_array(first[0], (4, 3), name="W (4 features, 3 classes)")
    if np.allclose(first[0], other[0], rtol=1e-9, atol=1e-12):
        raise CheckFailure("seeds 11 and 12 gave the same W: the examples are not shuffled with the seed")
