"""Hidden tests for init_mlp and mlp_loss_and_grads (exercise 06)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_close, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def _keys(n_layers):
    return sorted([f"W{layer}" for layer in range(1, n_layers + 1)] + [f"b{layer}" for layer in range(1, n_layers + 1)])


def _params(value, sizes, name="params"):
    if not isinstance(value, dict):
        raise CheckFailure(f"{name} should be a dict, got a {type(value).__name__}")
    if sorted(value) != _keys(len(sizes) - 1):
        raise CheckFailure(f"{name} has the keys {sorted(value)}, expected {_keys(len(sizes) - 1)} "
                           f"for sizes {sizes}")
    return value


def _compare(got, want, what, rtol=1e-9, atol=1e-12):
    for key in sorted(want):
        expect_array(got[key], want[key], name=f"{what}[{key!r}]", dtype="float", rtol=rtol, atol=atol)


def _sizes(rng, hidden=2):
    return [int(rng.integers(3, 7))] + [int(v) for v in rng.integers(3, 7, size=hidden)] + [int(rng.integers(2, 5))]


def _batch(rng, sizes, n=None):
    n = n or int(rng.integers(4, 9))
    return rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)


def _random_params(rng, sizes):
    out = {}
    for layer in range(1, len(sizes)):
        out[f"W{layer}"] = rng.normal(0, 0.7, size=(sizes[layer - 1], sizes[layer]))
        out[f"b{layer}"] = rng.normal(0, 0.3, size=sizes[layer])
    return out


def _loss_and_grads(student, params, x, y, dropout, seed, sizes):
    out = student.mlp_loss_and_grads(params, x, y, dropout, seed)
    expect_tuple(out, 2, name="mlp_loss_and_grads(...)")
    return out[0], _params(out[1], sizes, name="grads")


# --------------------------------------------------------------------------- init_mlp


@pytest.mark.question("init_mlp")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Your initial weights differ from the expected ones for the same seed.",
    "rng = np.random.default_rng(seed) once, then for l = 1, ..., L in order: W<l> = rng.normal(0.0, "
    "np.sqrt(2.0 / sizes[l - 1]), size=(sizes[l - 1], sizes[l])) (the standard deviation uses fan_in, the "
    "number of inputs), and b<l> = np.zeros(sizes[l]).",
)
@pytest.mark.spec(
    "Draw the numbers **exactly like this** (the grader compares the values): `rng = np.random.default_rng(seed)` "
    "once, then for $l = 1, \\dots, L$ in this order `W = rng.normal(0.0, np.sqrt(2.0 / sizes[l - 1]), "
    "size=(sizes[l - 1], sizes[l]))`, and `b = np.zeros(sizes[l])`.",
)
def test_init_mlp_exact(student, reference, rng):
    sizes = _sizes(rng, hidden=int(rng.integers(1, 4)))
    seed = int(rng.integers(0, 10_000))
    params = _params(student.init_mlp(sizes, seed), sizes)
    _compare(params, reference.init_mlp(sizes, seed), f"init_mlp({sizes}, {seed})")


@pytest.mark.question("init_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The spread of the initial weights is not He's: variance 2 / fan_in.",
    "He initialisation draws W<l> with standard deviation sqrt(2 / fan_in), fan_in = sizes[l - 1] the number of "
    "inputs of the layer (rows of W), not fan_out (columns) and not 1 / fan_in.",
)
@pytest.mark.spec(
    "draw each weight from a normal distribution with mean $0$ and variance $2/\\text{fan\\_in}$, where "
    "$\\text{fan\\_in} = n_{l-1}$ is the number of inputs of the layer",
)
def test_init_mlp_he_scale(student, rng):
    sizes = [400, 250, 10]
    params = _params(student.init_mlp(sizes, int(rng.integers(0, 10_000))), sizes)
    for layer in (1, 2):
        W = params[f"W{layer}"]
        if not isinstance(W, np.ndarray) or W.shape != (sizes[layer - 1], sizes[layer]):
            expect_array(W, np.zeros((sizes[layer - 1], sizes[layer])), name=f"W{layer}")
        want = np.sqrt(2.0 / sizes[layer - 1])
        if not abs(float(W.std()) / want - 1) < 0.05 or not abs(float(W.mean())) < 0.1 * want:
            raise CheckFailure(f"W{layer} (shape {W.shape}) has mean {W.mean():.4f} and standard deviation "
                               f"{W.std():.4f}; expected mean 0 and standard deviation about {want:.4f}")


@pytest.mark.question("init_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The same seed must give the same parameters, another seed other ones; the biases start at 0.",
    "Create the generator from the seed argument, np.random.default_rng(seed), not the global np.random or a "
    "fixed seed; every b<l> is np.zeros(sizes[l]).",
)
@pytest.mark.spec(
    "`rng = np.random.default_rng(seed)` once",
    "The biases start at $0$.",
)
def test_init_mlp_seed(student, rng):
    sizes = _sizes(rng)
    seed = int(rng.integers(0, 10_000))
    first = _params(student.init_mlp(sizes, seed), sizes)
    again = _params(student.init_mlp(sizes, seed), sizes)
    other = _params(student.init_mlp(sizes, seed + 1), sizes)
    _compare(again, first, "a second init_mlp with the same seed", rtol=0, atol=0)
    if all(np.array_equal(other[k], first[k]) for k in first if k.startswith("W")):
        raise CheckFailure("init_mlp gave the same weights for two different seeds")
    for layer in range(1, len(sizes)):
        expect_array(first[f"b{layer}"], np.zeros(sizes[layer]), name=f"b{layer}", dtype="float")


# --------------------------------------------------------------------------- mlp_loss_and_grads


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Loss or gradients differ from the expected ones (no dropout).",
    "Forward: dense, then ReLU for every hidden layer, and no ReLU after the last layer (its output is the "
    "logits); softmax cross-entropy at the end. Backward in reverse order: dense_backward of the last layer, then "
    "relu_backward and dense_backward for each hidden layer.",
)
@pytest.mark.spec(
    "Write `mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None)` returning `(loss, grads)`: the mean loss (a "
    "float) and a dictionary `grads` with the same keys and shapes as `params`.",
    "the backward pass visits the same layers in reverse order",
)
def test_mlp_random(student, reference, rng):
    sizes = _sizes(rng)
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes)
    loss, grads = _loss_and_grads(student, params, x, y, 0.0, 0, sizes)
    want_loss, want_grads = reference.mlp_loss_and_grads(params, x, y, 0.0, 0)
    expect_close(loss, want_loss, name=f"loss for sizes {sizes}")
    _compare(grads, want_grads, "grads")


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Your gradients disagree with the numerical gradient of the loss.",
    "Check each parameter with gradient_check as in the notebook. Each hidden layer's relu_backward needs that "
    "layer's own cache (its input), and the gradient passed down is the dx of dense_backward.",
)
@pytest.mark.spec(
    "Write `mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None)` returning `(loss, grads)`: the mean loss (a "
    "float) and a dictionary `grads` with the same keys and shapes as `params`.",
)
def test_mlp_matches_numerical_gradient(student, reference, rng):
    sizes = [4, 5, 3]
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes, n=5)
    _, grads = _loss_and_grads(student, params, x, y, 0.0, 0, sizes)
    for key in sorted(params):
        def loss_of(value, key=key):
            return reference.mlp_loss_and_grads({**params, key: value}, x, y, 0.0, 0)[0]

        numerical = reference.gradient_check(loss_of, params[key])
        expect_array(grads[key], numerical, name=f"grads[{key!r}] (against the numerical gradient)", dtype="float",
                     rtol=1e-5, atol=1e-8)


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(2)
@pytest.mark.hint(
    "With dropout, loss or gradients differ from the expected ones.",
    "rng = np.random.default_rng(seed) once; after each hidden ReLU, dropout_forward(a, dropout, True, rng), "
    "layer by layer; in the backward pass apply dropout_backward with that layer's mask before relu_backward. "
    "Skipping the mask in the backward pass gives wrong gradients.",
)
@pytest.mark.spec(
    "draw the masks **like this**: `rng = np.random.default_rng(seed)` once at the start, then pass this `rng` as "
    "the seed of `dropout_forward`, layer by layer in forward order",
)
def test_mlp_dropout(student, reference, rng):
    sizes = _sizes(rng, hidden=3)
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes, n=8)
    seed = int(rng.integers(0, 10_000))
    loss, grads = _loss_and_grads(student, params, x, y, 0.4, seed, sizes)
    want_loss, want_grads = reference.mlp_loss_and_grads(params, x, y, 0.4, seed)
    expect_close(loss, want_loss, name=f"loss with dropout 0.4, seed {seed}")
    _compare(grads, want_grads, "grads with dropout")


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With sizes [n0, K] (no hidden layer) the MLP is softmax regression.",
    "With one layer there is no ReLU and no dropout at all: the last layer is never followed by a ReLU. The "
    "number of layers is len(params) // 2.",
)
@pytest.mark.spec(
    "The number of layers is `len(params) // 2`.",
    "(hidden layers only, not the output layer)",
)
def test_mlp_no_hidden_layer(student, reference, rng):
    sizes = [int(rng.integers(3, 7)), 3]
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes)
    loss, grads = _loss_and_grads(student, params, x, y, 0.5, 1, sizes)
    want_loss, want_grads = reference.mlp_loss_and_grads(params, x, y, 0.5, 1)
    expect_close(loss, want_loss, name="loss without hidden layers")
    _compare(grads, want_grads, "grads without hidden layers")


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of a single example must work.",
    "With N = 1 every activation has shape (1, n_l); keep the batch axis, and the gradients keep the shapes of "
    "the parameters.",
)
@pytest.mark.spec(
    "Write `mlp_loss_and_grads(params, x, y, dropout=0.0, seed=None)` returning `(loss, grads)`: the mean loss (a "
    "float) and a dictionary `grads` with the same keys and shapes as `params`.",
)
def test_mlp_single_example(student, reference, rng):
    sizes = _sizes(rng)
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes, n=1)
    loss, grads = _loss_and_grads(student, params, x, y, 0.0, 0, sizes)
    want_loss, want_grads = reference.mlp_loss_and_grads(params, x, y, 0.0, 0)
    expect_close(loss, want_loss, name="loss for a single example")
    _compare(grads, want_grads, "grads for a single example")


@pytest.mark.question("mlp_loss_and_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "mlp_loss_and_grads must not change params, x or y.",
    "A parameter or the batch was modified in place (e.g. a step params[k] -= ... or a cache that is changed "
    "later): only compute, and return the gradients as new arrays.",
)
@pytest.mark.spec(
    "Do not change `params`.",
    "do not modify the arrays you are given: return new ones.",
)
def test_mlp_does_not_modify_inputs(student, rng):
    sizes = _sizes(rng)
    params, (x, y) = _random_params(rng, sizes), _batch(rng, sizes)
    call = student.call("mlp_loss_and_grads", params, x, y, 0.3, 2)
    after = call.args[0]
    _params(after, sizes, name="params after the call")
    for key in sorted(params):
        expect_unchanged(params[key], after[key], name=f"params[{key!r}]")
    expect_unchanged(x, call.args[1], name="x")
    expect_unchanged(y, call.args[2], name="y")
    expect_tuple(call.value, 2, name="mlp_loss_and_grads(...)")
