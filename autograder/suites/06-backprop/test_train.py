"""Hidden tests for train_mlp (exercise 06), MNIST included.

The grader sends the MNIST subset's training images (float32 in [0, 1], flattened, sorted by label) and labels to
the student's train_mlp, gets the parameters back, and measures the accuracy with its own forward pass on test
images and labels that never leave the grader.
"""

import numpy as np
import pytest

from autograder.datasets import load_mnist
from autograder.selfcheck import CheckFailure, expect_array, expect_close, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

LECTURE_SIZES = [784, 200, 100, 60, 30, 10]
MNIST_SETTINGS = {"epochs": 15, "batch_size": 32, "lr": 0.1, "dropout": 0.0}
MIN_ACCURACY = 0.93


def _mnist_sorted():
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    order = np.argsort(y_train, kind="stable")
    X_train = (x_train[order].reshape(len(order), -1) / np.float32(255)).astype(np.float32)
    X_test = x_test.reshape(len(x_test), -1) / 255.0
    return X_train, y_train[order].astype(np.int64), X_test, y_test.astype(np.int64)


def _params(value, sizes, name="params"):
    keys = sorted([f"W{layer}" for layer in range(1, len(sizes))] + [f"b{layer}" for layer in range(1, len(sizes))])
    if not isinstance(value, dict) or sorted(value) != keys:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise CheckFailure(f"{name} should be a dict with the keys {keys}, got {got}")
    for layer in range(1, len(sizes)):
        for key, shape in ((f"W{layer}", (sizes[layer - 1], sizes[layer])), (f"b{layer}", (sizes[layer],))):
            v = value[key]
            if not isinstance(v, np.ndarray) or v.shape != shape or v.dtype.kind != "f":
                expect_array(v, np.zeros(shape), name=f"{name}[{key!r}] for sizes {sizes}", dtype="float")
    return value


def _train(student, x, y, sizes, **kwargs):
    out = student.train_mlp(x, y, sizes, **kwargs)
    expect_tuple(out, 2, name="train_mlp(...)")
    params, history = out
    _params(params, sizes)
    if not isinstance(history, dict):
        raise CheckFailure(f"history should be a dict, got a {type(history).__name__}")
    return params, history


def _series(history, key, epochs):
    if key not in history:
        raise CheckFailure(f"history has no key {key!r}")
    try:
        values = np.asarray(history[key], dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(f"history[{key!r}] should be a list of numbers") from None
    if values.shape != (epochs,):
        raise CheckFailure(f"history[{key!r}] has shape {values.shape}, expected one value per epoch ({epochs},)")
    return values


def _logits(params, x):
    n_layers = len(params) // 2
    a = x
    for layer in range(1, n_layers + 1):
        a = a @ params[f"W{layer}"] + params[f"b{layer}"]
        if layer < n_layers:
            a = np.maximum(a, 0.0)
    return a


def _small(rng, n=12, d=4, k=3):
    x = rng.normal(size=(n, d))
    y = np.arange(n) % k
    rng.shuffle(y)
    return x, y


@pytest.mark.question("train_mlp")
@pytest.mark.points(4)
@pytest.mark.hint(
    "The lecture's network trained on MNIST (images sorted by label) stays below 93% test accuracy.",
    "Shuffle the examples at the start of every epoch (order = rng.permutation(n)): the grader sends the images "
    "sorted by label, and without shuffling each epoch ends with batches of 9s only. Step downhill, params[k] - "
    "lr * grads[k], for every parameter after every batch.",
)
@pytest.mark.spec(
    "The grader also trains the lecture's network with your `train_mlp` on the MNIST subset of the experiments "
    "below (`sizes = [784, 200, 100, 60, 30, 10]`, 15 epochs, batch size 32, `lr=0.1`, no dropout), with the "
    "training images sorted by label, so the shuffling matters, and expects at least 93 % accuracy on test images "
    "it keeps to itself.",
)
def test_mnist_accuracy(student, seed):
    X_train, y_train, X_test, y_test = _mnist_sorted()
    params, _ = _train(student, X_train, y_train, LECTURE_SIZES, seed=seed % 1000, **MNIST_SETTINGS)
    with np.errstate(all="ignore"):
        accuracy = float(np.mean(np.argmax(_logits(params, X_test), axis=1) == y_test))
    if not accuracy >= MIN_ACCURACY:
        raise CheckFailure(f"test accuracy {accuracy:.1%} after training {LECTURE_SIZES} on the sorted MNIST subset "
                           f"with {MNIST_SETTINGS}; at least {MIN_ACCURACY:.0%} expected")


def _full_batch_run(reference, x, y, sizes, lr, epochs, seed):
    """The parameters, epoch losses and accuracies of full-batch gradient descent, computed with the reference."""
    params = reference.init_mlp(sizes, seed)
    losses, accs = [], []
    for _ in range(epochs):
        loss, grads = reference.mlp_loss_and_grads(params, x, y, 0.0, 0)
        params = {k: v - lr * grads[k] for k, v in params.items()}
        losses.append(loss)
        accs.append(float(np.mean(np.argmax(_logits(params, x), axis=1) == y)))
    return params, losses, accs


@pytest.mark.question("train_mlp")
@pytest.mark.points(2)
@pytest.mark.hint(
    "With one batch holding all the data, each epoch must be exactly one step params - lr * grads.",
    "Start from init_mlp(sizes, seed); for every batch take the step params[k] = params[k] - lr * grads[k] "
    "(minus: downhill) for every key, once per batch, for exactly `epochs` passes; the last batch of an epoch "
    "may be smaller than batch_size and must not be dropped.",
)
@pytest.mark.spec(
    "`params = init_mlp(sizes, seed)` and `rng = np.random.default_rng(seed)`;",
    "(the last batch may be smaller)",
    "and the step above for every parameter;",
)
def test_full_batch_steps(student, reference, rng):
    x, y = _small(rng)
    sizes = [4, 5, 3]
    for epochs in (1, 2):
        want, _, _ = _full_batch_run(reference, x, y, sizes, 0.5, epochs, 3)
        params, _ = _train(student, x, y, sizes, epochs=epochs, batch_size=len(y) + 4, lr=0.5, dropout=0.0, seed=3)
        for key in sorted(want):
            expect_array(params[key], want[key], name=f"{key} after {epochs} full-batch epoch(s) with lr = 0.5",
                         dtype="float", rtol=1e-7, atol=1e-10)


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "history['loss'] or history['train_acc'] do not match the training run.",
    "Per epoch, 'loss' is the plain mean of the losses of its batches (computed before each step), and "
    "'train_acc' the accuracy on all of x with the parameters at the end of the epoch, without dropout.",
)
@pytest.mark.spec(
    '`history["loss"]`: the mean of the batch losses of the epoch (the plain mean over the batches);',
    '`history["train_acc"]`: the accuracy on all of `x` with the parameters at the end of the epoch, without '
    "dropout (predict the class with the largest logit);",
)
def test_history(student, reference, rng):
    x, y = _small(rng, n=15)
    sizes = [4, 6, 3]
    _, losses, accs = _full_batch_run(reference, x, y, sizes, 0.3, 3, 5)
    _, history = _train(student, x, y, sizes, epochs=3, batch_size=64, lr=0.3, dropout=0.0, seed=5)
    expect_array(_series(history, "loss", 3), np.array(losses), name="history['loss'] (one full batch per epoch)",
                 dtype="float", rtol=1e-7, atol=1e-10)
    expect_array(_series(history, "train_acc", 3), np.array(accs), name="history['train_acc']", dtype="float",
                 rtol=1e-7, atol=1e-10)


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With mini-batches, your parameters differ from the expected ones.",
    "rng = np.random.default_rng(seed) once; every epoch order = rng.permutation(n) and the batches "
    "order[start:start + batch_size] for start = 0, batch_size, ...; shuffle the examples, do not keep them in "
    "the given order; pass the same rng to mlp_loss_and_grads.",
)
@pytest.mark.spec(
    "for each epoch: `order = rng.permutation(n)`, then for `start = 0, batch_size, 2 * batch_size, ...`, the "
    "batch `order[start:start + batch_size]`",
)
def test_minibatches(student, reference, rng):
    x, y = _small(rng, n=14)
    sizes = [4, 5, 3]
    settings = {"epochs": 3, "batch_size": 4, "lr": 0.2, "dropout": 0.0, "seed": 7}
    params, _ = _train(student, x, y, sizes, **settings)
    want, _ = reference.train_mlp(x, y, sizes, **settings)
    for key in sorted(want):
        expect_array(params[key], want[key], name=f"{key} after 3 epochs of batches of 4", dtype="float",
                     rtol=1e-7, atol=1e-10)


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Training with dropout gives other parameters than expected.",
    "Pass the dropout argument on to mlp_loss_and_grads, with the training rng as its seed "
    "(mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)), so that the masks are new for every batch "
    "and come from the seed.",
)
@pytest.mark.spec(
    "`loss, grads = mlp_loss_and_grads(params, x[batch], y[batch], dropout, rng)` (the same `rng`: the dropout "
    "masks come from it too)",
)
def test_dropout_in_training(student, reference, rng):
    x, y = _small(rng, n=10)
    sizes = [4, 6, 5, 3]
    settings = {"epochs": 2, "batch_size": 4, "lr": 0.2, "dropout": 0.5, "seed": 2}
    params, _ = _train(student, x, y, sizes, **settings)
    want, _ = reference.train_mlp(x, y, sizes, **settings)
    for key in sorted(want):
        expect_array(params[key], want[key], name=f"{key} after training with dropout 0.5", dtype="float",
                     rtol=1e-7, atol=1e-10)


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The same seed must give the same result.",
    "Create all randomness from the seed argument: init_mlp(sizes, seed) and np.random.default_rng(seed) for the "
    "shuffling; not the global np.random and not a fixed seed.",
)
@pytest.mark.spec(
    "`params = init_mlp(sizes, seed)` and `rng = np.random.default_rng(seed)`;",
)
def test_seed(student, rng):
    x, y = _small(rng, n=16)
    sizes = [4, 5, 3]
    settings = {"epochs": 2, "batch_size": 5, "lr": 0.2, "dropout": 0.2}
    first, _ = _train(student, x, y, sizes, seed=11, **settings)
    again, _ = _train(student, x, y, sizes, seed=11, **settings)
    other, _ = _train(student, x, y, sizes, seed=12, **settings)
    for key in sorted(first):
        expect_array(again[key], first[key], name=f"{key} of a second run with the same seed", dtype="float",
                     exact=True)
    if all(np.allclose(other[k], first[k]) for k in first):
        raise CheckFailure("two different seeds gave the same parameters")


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With x_val and y_val, history must also hold 'val_loss' and 'val_acc'.",
    "When x_val is given, append after every epoch the mean loss (softmax cross-entropy) and the accuracy on "
    "(x_val, y_val), computed like 'train_acc': with the parameters at the end of the epoch, without dropout.",
)
@pytest.mark.spec(
    'only when `x_val` is given: `history["val_loss"]` and `history["val_acc"]`, the mean loss and the accuracy '
    "on `(x_val, y_val)`, also without dropout.",
)
def test_validation_history(student, reference, rng):
    x, y = _small(rng, n=12)
    x_val, y_val = _small(rng, n=9)
    sizes = [4, 5, 3]
    params, history = _train(student, x, y, sizes, epochs=2, batch_size=5, lr=0.2, dropout=0.3, seed=4,
                             x_val=x_val, y_val=y_val)
    val_loss, val_acc = _series(history, "val_loss", 2), _series(history, "val_acc", 2)
    logits = _logits(params, x_val)
    expect_close(val_loss[-1], reference.softmax_cross_entropy(logits, y_val)[0],
                 name="history['val_loss'] of the last epoch (for the returned params)", rtol=1e-7)
    expect_close(val_acc[-1], float(np.mean(np.argmax(logits, axis=1) == y_val)),
                 name="history['val_acc'] of the last epoch (for the returned params)")


@pytest.mark.question("train_mlp")
@pytest.mark.points(1)
@pytest.mark.hint(
    "train_mlp must not change x or y.",
    "x or y was modified in place, e.g. by rng.shuffle(x): index with the permutation instead (x[batch], "
    "y[batch]), which keeps images and labels together and leaves the caller's arrays alone.",
)
@pytest.mark.spec(
    "Do not change `x` or `y` (index them with the permutation instead of shuffling them in place).",
)
def test_does_not_modify_inputs(student, rng):
    x, y = _small(rng, n=10)
    call = student.call("train_mlp", x, y, [4, 3, 3], epochs=2, batch_size=3, lr=0.1, dropout=0.0, seed=1)
    expect_unchanged(x, call.args[0], name="x")
    expect_unchanged(y, call.args[1], name="y")
    expect_tuple(call.value, 2, name="train_mlp(...)")
