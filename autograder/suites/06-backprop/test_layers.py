"""Hidden tests for the layers of exercise 06: dense_forward, dense_backward, relu, dropout."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def _sizes(rng):
    """N, D, M, all different (so that a transposed result cannot have the right shape)."""
    n, d, m = rng.choice(np.arange(2, 9), size=3, replace=False)
    return int(n), int(d), int(m)


def _dense(rng, n, d, m):
    return rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)


def _pair(out, name):
    expect_tuple(out, 2, name=name)
    return out


def _triple(out, name="dense_backward(...)"):
    expect_tuple(out, 3, name=name)
    return out


# --------------------------------------------------------------------------- dense_forward


@pytest.mark.question("dense_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "out differs from x @ W + b on random inputs.",
    "out = x @ W + b: the matrix product, then the bias b added to every row. Do not forget the bias, and "
    "keep the order x @ W (x has shape (N, D), W has shape (D, M)).",
)
@pytest.mark.spec(
    "Forward pass of a dense layer: out = x @ W + b.",
    "where $b$ is added to every row (NumPy broadcasting)",
)
def test_dense_forward_random(student, reference, rng):
    x, W, b = _dense(rng, *_sizes(rng))
    out, _ = _pair(student.dense_forward(x, W, b), "dense_forward(...)")
    expect_array(out, reference.dense_forward(x, W, b)[0], name=f"out for x {x.shape}, W {W.shape}", dtype="float")


@pytest.mark.question("dense_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of one example is still a 2-D array of shape (1, D).",
    "With N = 1 the output has shape (1, M): do not squeeze the batch axis away, and add the bias b.",
)
@pytest.mark.spec(
    "x: (N, D), W: (D, M), b: (M,). Returns (out, cache): out of shape (N, M) and cache = (x, W, b).",
)
def test_dense_forward_single_example(student, reference, rng):
    x, W, b = _dense(rng, 1, 4, 3)
    out, cache = _pair(student.dense_forward(x, W, b), "dense_forward(...)")
    expect_array(out, reference.dense_forward(x, W, b)[0], name="out for a single example", dtype="float")
    expect_tuple(cache, 3, name="cache")


@pytest.mark.question("dense_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dense_forward must not change x, W or b.",
    "One of the inputs was modified in place (e.g. with +=): compute out as a new array.",
)
@pytest.mark.spec(
    "do not modify the arrays you are given: return new ones.",
)
def test_dense_forward_does_not_modify_inputs(student, reference, rng):
    x, W, b = _dense(rng, *_sizes(rng))
    call = student.call("dense_forward", x, W, b)
    for before, after, name in zip((x, W, b), call.args, ("x", "W", "b"), strict=True):
        expect_unchanged(before, after, name=name)
    expect_array(_pair(call.value, "dense_forward(...)")[0], reference.dense_forward(x, W, b)[0], name="out")


# --------------------------------------------------------------------------- dense_backward


@pytest.mark.question("dense_backward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "dx, dW or db differ from the expected gradients on random inputs.",
    "dx = dout @ W.T has the shape of x, dW = x.T @ dout has the shape of W (D, M), and db = dout.sum(axis=0) "
    "(the sum over the batch, not the mean) has the shape of b.",
)
@pytest.mark.spec(
    "Returns (dx, dW, db) with the shapes of x (N, D), W (D, M) and b (M,).",
    "**the shapes leave only one choice.**",
)
def test_dense_backward_random(student, reference, rng):
    n, d, m = _sizes(rng)
    x, W, b = _dense(rng, n, d, m)
    dout = rng.normal(size=(n, m))
    got = _triple(student.dense_backward(dout, (x, W, b)))
    want = reference.dense_backward(dout, (x, W, b))
    for g, w, name in zip(got, want, ("dx", "dW", "db"), strict=True):
        expect_array(g, w, name=f"{name} (N, D, M = {n}, {d}, {m})", dtype="float")


@pytest.mark.question("dense_backward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Your gradients disagree with the numerical gradient of L = sum(dout * out).",
    "Check each gradient with gradient_check as in the notebook's table. dW must have the shape of W (D, M): "
    "x.T @ dout; dx = dout @ W.T; db sums dout over the batch.",
)
@pytest.mark.spec(
    "Returns (dx, dW, db) with the shapes of x (N, D), W (D, M) and b (M,).",
    "which is just the chain rule.",
)
def test_dense_backward_matches_numerical_gradient(student, reference, rng):
    n, d, m = _sizes(rng)
    x, W, b = _dense(rng, n, d, m)
    dout = rng.normal(size=(n, m))
    fwd = reference.dense_forward
    numerical = (
        reference.gradient_check(lambda v: np.sum(dout * fwd(v, W, b)[0]), x),
        reference.gradient_check(lambda v: np.sum(dout * fwd(x, v, b)[0]), W),
        reference.gradient_check(lambda v: np.sum(dout * fwd(x, W, v)[0]), b),
    )
    got = _triple(student.dense_backward(dout, (x, W, b)))
    for g, w, name in zip(got, numerical, ("dx", "dW", "db"), strict=True):
        expect_array(g, w, name=f"{name} (against the numerical gradient)", dtype="float", rtol=1e-6, atol=1e-8)


@pytest.mark.question("dense_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dW has the wrong shape or orientation.",
    "dW must have the shape of W, (D, M): it is x.T @ dout (transpose x, not dout). dout.T @ x has the "
    "shape (M, D).",
)
@pytest.mark.spec(
    "$dW$ must have the shape $(D, M)$ of $W$",
    "Returns (dx, dW, db) with the shapes of x (N, D), W (D, M) and b (M,).",
)
def test_dense_backward_dW_has_the_shape_of_W(student, reference, rng):
    x, W, b = _dense(rng, 6, 5, 3)
    dout = rng.normal(size=(6, 3))
    dW = _triple(student.dense_backward(dout, (x, W, b)))[1]
    expect_array(dW, reference.dense_backward(dout, (x, W, b))[1], name="dW for D = 5, M = 3", dtype="float")


@pytest.mark.question("dense_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "db must add up the contributions of all examples of the batch.",
    "b is added to every row, so db is the sum over the batch: dout.sum(axis=0), shape (M,). Not dout itself "
    "(shape (N, M)) and not the mean (the 1/N of a mean loss is already inside dout).",
)
@pytest.mark.spec(
    "so its gradient is the **sum** of the rows of `dout` (not the mean: if the loss is a mean over the batch, "
    "the $1/N$ is already inside `dout`).",
)
def test_dense_backward_db_sums_over_the_batch(student, reference, rng):
    x, W, b = _dense(rng, 7, 3, 4)
    dout = rng.normal(size=(7, 4))
    db = _triple(student.dense_backward(dout, (x, W, b)))[2]
    expect_array(db, dout.sum(axis=0), name="db for a batch of 7", dtype="float")


@pytest.mark.question("dense_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of one example: dx has shape (1, D), db shape (M,).",
    "With N = 1 the gradients keep their shapes: dx (1, D), dW (D, M), db (M,). Sum dout over axis 0 for "
    "db rather than returning dout.",
)
@pytest.mark.spec(
    "Returns (dx, dW, db) with the shapes of x (N, D), W (D, M) and b (M,).",
)
def test_dense_backward_single_example(student, reference, rng):
    x, W, b = _dense(rng, 1, 3, 2)
    dout = rng.normal(size=(1, 2))
    got = _triple(student.dense_backward(dout, (x, W, b)))
    want = reference.dense_backward(dout, (x, W, b))
    for g, w, name in zip(got, want, ("dx", "dW", "db"), strict=True):
        expect_array(g, w, name=f"{name} for a single example", dtype="float")


@pytest.mark.question("dense_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dense_backward must not change dout or the cache.",
    "dout, x, W or b was modified in place: return new arrays for the gradients.",
)
@pytest.mark.spec(
    "do not modify the arrays you are given: return new ones.",
)
def test_dense_backward_does_not_modify_inputs(student, reference, rng):
    n, d, m = _sizes(rng)
    x, W, b = _dense(rng, n, d, m)
    dout = rng.normal(size=(n, m))
    call = student.call("dense_backward", dout, (x, W, b))
    expect_unchanged(dout, call.args[0], name="dout")
    cache = call.args[1]
    expect_tuple(cache, 3, name="the cache after the call")
    for before, after, name in zip((x, W, b), cache, ("x", "W", "b"), strict=True):
        expect_unchanged(before, after, name=f"{name} in the cache")
    _triple(call.value)


# --------------------------------------------------------------------------- relu


def _with_zeros(rng, shape):
    x = rng.normal(size=shape)
    x.flat[rng.choice(x.size, size=max(1, x.size // 5), replace=False)] = 0.0
    return x


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relu_forward or relu_backward differs from the expected result on random inputs.",
    "Forward: max(0, x), cache = x. Backward: dout where x > 0, and 0 where x is negative or exactly 0 (not "
    "the other way round).",
)
@pytest.mark.spec(
    "`relu_forward(x)`: return `(out, cache)` with `out = max(0, x)` (a new array, `x` unchanged) and **`cache = "
    "x`**, the input;",
    "`relu_backward(dout, cache)`: return `dx`, of the shape of `dout`, which is $0$ where $x \\le 0$.",
)
def test_relu_random(student, reference, rng):
    x = _with_zeros(rng, (int(rng.integers(2, 7)), int(rng.integers(2, 7))))
    out, cache = _pair(student.relu_forward(x), "relu_forward(x)")
    expect_array(out, np.maximum(x, 0), name="relu_forward(x)[0]", dtype="float")
    dout = rng.normal(size=x.shape)
    expect_array(student.relu_backward(dout, x), reference.relu_backward(dout, x), name="relu_backward(dout, x)",
                 dtype="float")


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With all inputs negative, no gradient gets through.",
    "Where x is negative the ReLU is flat (output 0, slope 0): the forward pass gives zeros and the backward "
    "pass must give zeros too. Pass dout only where x > 0.",
)
@pytest.mark.spec(
    "Its local gradient is $1$ where $x > 0$ and $0$ where $x < 0$;",
    "`relu_backward(dout, cache)`: return `dx`, of the shape of `dout`, which is $0$ where $x \\le 0$.",
)
def test_relu_all_negative(student, rng):
    x = -rng.uniform(0.1, 3.0, size=(3, 4))
    out, _ = _pair(student.relu_forward(x), "relu_forward(x)")
    expect_array(out, np.zeros((3, 4)), name="relu_forward(x) for negative x", dtype="float")
    expect_array(student.relu_backward(rng.normal(size=(3, 4)), x), np.zeros((3, 4)),
                 name="relu_backward(dout, x) for negative x", dtype="float")


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Where the input is exactly 0 the gradient is 0.",
    "Use x > 0, not x >= 0: at the kink x = 0 we take the slope of the left side, 0 (as in exercise 03 and "
    "the frameworks). An input of exactly 0 passes no gradient.",
)
@pytest.mark.spec(
    "at the kink $x = 0$ we take $0$",
    "`relu_backward(dout, cache)`: return `dx`, of the shape of `dout`, which is $0$ where $x \\le 0$.",
)
def test_relu_backward_at_exactly_zero(student, rng):
    x = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 2.0]])
    dout = rng.uniform(1.0, 2.0, size=(2, 3))
    expect_array(student.relu_backward(dout, x), np.where(x > 0, dout, 0.0), name="relu_backward(dout, x)",
                 dtype="float")


@pytest.mark.question("relu")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relu_forward and relu_backward must not change their inputs.",
    "x (or dout) was modified in place, e.g. x[x < 0] = 0 or np.maximum(x, 0, out=x): the cache then no longer "
    "holds the input. Build a new array: np.maximum(x, 0.0).",
)
@pytest.mark.spec(
    "`relu_forward(x)`: return `(out, cache)` with `out = max(0, x)` (a new array, `x` unchanged) and **`cache = "
    "x`**, the input;",
    "do not modify the arrays you are given: return new ones.",
)
def test_relu_does_not_modify_inputs(student, rng):
    x = _with_zeros(rng, (4, 5))
    call = student.call("relu_forward", x)
    expect_unchanged(x, call.args[0], name="x")
    _pair(call.value, "relu_forward(x)")
    dout = rng.normal(size=(4, 5))
    call = student.call("relu_backward", dout, x)
    expect_unchanged(dout, call.args[0], name="dout")
    expect_unchanged(x, call.args[1], name="the cache")


# --------------------------------------------------------------------------- dropout


def _dropout(student, x, p, train, seed):
    return _pair(student.dropout_forward(x, p, train, seed), f"dropout_forward(x, {p}, {train}, {seed})")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Your mask differs from the one of the reference for the same seed.",
    "Draw exactly as specified: rng = np.random.default_rng(seed), then mask = (rng.random(x.shape) >= p) / "
    "(1 - p), so that p is the drop probability and the kept units are scaled by 1/(1 - p); out = x * mask.",
)
@pytest.mark.spec(
    "draw the random numbers **exactly like this** (the grader compares your mask with its own for the same "
    "seed): `rng = np.random.default_rng(seed)`, then `mask = (rng.random(x.shape) >= p) / (1 - p)`, and `out = x "
    "* mask`;",
)
def test_dropout_exact_mask(student, reference, rng):
    for shape, p in (((5, 7), 0.3), ((2, 3, 4), 0.5), ((1, 6), 0.1)):
        x = rng.normal(size=shape)
        seed = int(rng.integers(0, 10_000))
        out, mask = _dropout(student, x, p, True, seed)
        want_out, want_mask = reference.dropout_forward(x, p, True, seed)
        expect_array(mask, want_mask, name=f"mask for seed {seed}, p = {p}", dtype="float")
        expect_array(out, want_out, name=f"out for seed {seed}, p = {p}", dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The fraction of units kept is wrong: p is the drop probability.",
    "p is the probability of dropping a unit (Keras' Dropout(rate)): with p = 0.3 about 30% of the mask is 0 "
    "and 70% is kept. Keep where rng.random(x.shape) >= p.",
)
@pytest.mark.spec(
    "Here **$p$ is the probability of *dropping* a unit**",
)
def test_dropout_keep_rate(student, rng):
    x = rng.uniform(0.5, 1.5, size=(200, 100))
    _, mask = _dropout(student, x, 0.3, True, int(rng.integers(0, 10_000)))
    if not isinstance(mask, np.ndarray) or mask.shape != x.shape:
        expect_array(mask, np.ones(x.shape), name="mask")
    kept = float(np.mean(mask != 0))
    if not 0.68 <= kept <= 0.72:
        raise CheckFailure(f"with p = 0.3 the mask keeps {kept:.1%} of 20,000 units; about 70% expected")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The kept units are not scaled as inverted dropout requires.",
    "Inverted dropout scales the kept units by 1/(1 - p) during training (mask entries are 0 or 1/(1 - p)), "
    "so the expected value of out equals x and nothing changes at test time.",
)
@pytest.mark.spec(
    "the kept units are scaled up by $1/(1-p)$ during training",
    "draw the random numbers **exactly like this** (the grader compares your mask with its own for the same "
    "seed): `rng = np.random.default_rng(seed)`, then `mask = (rng.random(x.shape) >= p) / (1 - p)`, and `out = x "
    "* mask`;",
)
def test_dropout_scaling(student, rng):
    x = rng.uniform(0.5, 1.5, size=(100, 50))
    p = 0.25
    out, mask = _dropout(student, x, p, True, int(rng.integers(0, 10_000)))
    if not isinstance(mask, np.ndarray) or mask.shape != x.shape:
        expect_array(mask, np.ones(x.shape), name="mask")
    kept = mask[mask != 0]
    expect_array(kept, np.full(kept.shape, 1 / (1 - p)), name="the nonzero entries of the mask (p = 0.25)",
                 dtype="float")
    expect_array(out, x * mask, name="out = x * mask", dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At test time (train=False) dropout must be the identity.",
    "With train=False return out = x (a copy) and a mask of ones, whatever p is: inverted dropout does all its "
    "work at training time. Check the train flag before drawing a mask.",
)
@pytest.mark.spec(
    "if `train` is false (test time): `out` is `x` (a copy) and `mask` is an array of ones of `x`'s shape;",
)
def test_dropout_identity_at_test_time(student, rng):
    for shape, p in (((6, 4), 0.5), ((3, 2, 5), 0.9)):
        x = rng.normal(size=shape)
        out, mask = _dropout(student, x, p, False, int(rng.integers(0, 10_000)))
        expect_array(out, x, name=f"out with train=False, p = {p}", dtype="float")
        expect_array(mask, np.ones(shape), name=f"mask with train=False, p = {p}", dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With p = 0 nothing is dropped.",
    "p = 0 keeps every unit: the mask is all ones (rng.random(...) >= 0 is always true, and 1/(1 - 0) = 1) and "
    "out equals x.",
)
@pytest.mark.spec(
    "with $p = 0$ nothing is dropped (the mask is all ones)",
)
def test_dropout_p_zero(student, rng):
    x = rng.normal(size=(5, 6))
    out, mask = _dropout(student, x, 0.0, True, int(rng.integers(0, 10_000)))
    expect_array(out, x, name="out with p = 0", dtype="float")
    expect_array(mask, np.ones((5, 6)), name="mask with p = 0", dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dropout_backward multiplies the upstream gradient by the mask.",
    "Return dout * mask: a dropped unit (mask 0) gets no gradient, a kept one gets dout scaled by the same "
    "1/(1 - p) as in the forward pass.",
)
@pytest.mark.spec(
    "`dropout_backward(dout, mask)` returning `dout * mask`.",
)
def test_dropout_backward(student, reference, rng):
    x = rng.normal(size=(4, 6))
    _, mask = reference.dropout_forward(x, 0.4, True, int(rng.integers(0, 10_000)))
    dout = rng.normal(size=(4, 6))
    expect_array(student.dropout_backward(dout, mask), dout * mask, name="dropout_backward(dout, mask)",
                 dtype="float")


@pytest.mark.question("dropout")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dropout_forward and dropout_backward must not change their inputs.",
    "x (or dout) was modified in place, e.g. x *= mask: compute out = x * mask as a new array.",
)
@pytest.mark.spec(
    "do not modify the arrays you are given: return new ones.",
)
def test_dropout_does_not_modify_inputs(student, reference, rng):
    x = rng.normal(size=(5, 5))
    seed = int(rng.integers(0, 10_000))
    call = student.call("dropout_forward", x, 0.5, True, seed)
    expect_unchanged(x, call.args[0], name="x")
    _pair(call.value, "dropout_forward(...)")
    mask = reference.dropout_forward(x, 0.5, True, seed)[1]
    dout = rng.normal(size=(5, 5))
    call = student.call("dropout_backward", dout, mask)
    expect_unchanged(dout, call.args[0], name="dout")
    expect_unchanged(mask, call.args[1], name="mask")
