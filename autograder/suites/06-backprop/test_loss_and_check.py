"""Hidden tests for softmax_cross_entropy, gradient_check and relative_error (exercise 06).

gradient_check takes a Python function, which cannot cross into the sandboxed worker; the tests call it through
a kit helper (autograder/worker/ext/gradcheck.py) that applies it to test functions drawn per submission (from
the secret seed): the grader sends the function's spec, both sides build it, and the grader computes what it
expects with the reference's gradient_check on its own side.
"""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_close, expect_tuple, expect_unchanged
from autograder.worker.ext.gradcheck import draw_spec, make_function

pytestmark = pytest.mark.visibility("hidden")


def _sce(student, logits, y):
    out = student.softmax_cross_entropy(logits, y)
    expect_tuple(out, 2, name="softmax_cross_entropy(...)")
    return out


def _problem(rng, n=None, k=None, scale=2.0):
    n = n or int(rng.integers(2, 8))
    k = k or int(rng.integers(2, 7))
    return rng.normal(0, scale, size=(n, k)), rng.integers(0, k, size=n)


# --------------------------------------------------------------------------- softmax_cross_entropy


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(2)
@pytest.mark.hint(
    "The loss or its gradient differs from the expected one on random logits.",
    "loss = the mean over the rows of -log softmax(z_i)[y_i] (a float); dlogits = (softmax(z) - onehot(y)) / N, "
    "with the shape of the logits.",
)
@pytest.mark.spec(
    "return `(loss, dlogits)`, the mean loss as a Python `float` and its gradient, of the shape of `logits`.",
    "Returns (loss, dlogits): loss a Python float, dlogits = (softmax(logits) - onehot(y)) / N of shape (N, K).",
)
def test_softmax_cross_entropy_random(student, reference, rng):
    z, y = _problem(rng)
    loss, dlogits = _sce(student, z, y)
    want_loss, want_d = reference.softmax_cross_entropy(z, y)
    expect_close(loss, want_loss, name=f"loss for logits of shape {z.shape}")
    expect_array(dlogits, want_d, name="dlogits", dtype="float")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Large logits give nan or inf.",
    "Subtract the largest logit of each row before exponentiating (softmax does not change), then compute the "
    "log of the sum of exponentials: np.exp(1000.0) is inf, and inf / inf is nan.",
)
@pytest.mark.spec(
    "Stable for large logits (subtracts the row maximum).",
    "so subtract each row's largest logit first",
)
def test_softmax_cross_entropy_large_logits(student, reference, rng):
    z, y = _problem(rng, n=4, k=5)
    z = z * 400.0
    z[0, 0] = 1000.0
    loss, dlogits = _sce(student, z, y)
    want_loss, want_d = reference.softmax_cross_entropy(z, y)
    expect_close(loss, want_loss, name="loss for logits up to 1000", rtol=1e-9)
    expect_array(dlogits, want_d, name="dlogits for logits up to 1000", dtype="float")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The gradient of a mean loss must not grow with the batch size.",
    "Divide the gradient by the batch size N: dlogits = (softmax(z) - onehot(y)) / N. The same batch three times "
    "over has the same loss, and each row's gradient a third of what it was.",
)
@pytest.mark.spec(
    "Do not forget the $1/N$: the loss is a mean, so each example's gradient gets the weight $1/N$.",
)
def test_softmax_cross_entropy_gradient_divided_by_n(student, reference, rng):
    z, y = _problem(rng, n=3)
    _, dlogits = _sce(student, np.vstack([z, z, z]), np.concatenate([y, y, y]))
    want = reference.softmax_cross_entropy(z, y)[1] / 3
    expect_array(dlogits, np.vstack([want, want, want]), name="dlogits for a batch repeated three times",
                 dtype="float")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The loss must be the mean over the batch, not the sum.",
    "Average the per-example losses (divide by N): the same batch repeated three times must give the same loss.",
)
@pytest.mark.spec(
    "the loss of the batch is the mean",
    "return `(loss, dlogits)`, the mean loss as a Python `float` and its gradient, of the shape of `logits`.",
)
def test_softmax_cross_entropy_loss_is_a_mean(student, reference, rng):
    z, y = _problem(rng, n=4)
    loss, _ = _sce(student, np.vstack([z, z, z]), np.concatenate([y, y, y]))
    expect_close(loss, reference.softmax_cross_entropy(z, y)[0], name="the loss of a batch repeated three times")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "dlogits disagrees with the numerical gradient of the loss.",
    "dlogits = (softmax(z) - onehot(y)) / N: predicted probabilities minus the one-hot labels (not the other way "
    "round), divided by the batch size.",
)
@pytest.mark.spec(
    "Returns (loss, dlogits): loss a Python float, dlogits = (softmax(logits) - onehot(y)) / N of shape (N, K).",
)
def test_softmax_cross_entropy_matches_numerical_gradient(student, reference, rng):
    z, y = _problem(rng, n=4, k=3, scale=1.0)
    numerical = reference.gradient_check(lambda v: reference.softmax_cross_entropy(v, y)[0], z)
    _, dlogits = _sce(student, z, y)
    expect_array(dlogits, numerical, name="dlogits (against the numerical gradient)", dtype="float",
                 rtol=1e-6, atol=1e-9)


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of a single example must work.",
    "With N = 1, logits has shape (1, K) and dlogits too; the loss is -log softmax(z_0)[y_0].",
)
@pytest.mark.spec(
    "Write `softmax_cross_entropy(logits, y)` for `logits` of shape $(N, K)$ and integer labels `y` of shape "
    "$(N,)$",
    "return `(loss, dlogits)`, the mean loss as a Python `float` and its gradient, of the shape of `logits`.",
)
def test_softmax_cross_entropy_single_example(student, reference, rng):
    z, y = _problem(rng, n=1, k=4)
    loss, dlogits = _sce(student, z, y)
    want_loss, want_d = reference.softmax_cross_entropy(z, y)
    expect_close(loss, want_loss, name="loss for a single example")
    expect_array(dlogits, want_d, name="dlogits for a single example", dtype="float")


@pytest.mark.question("softmax_cross_entropy")
@pytest.mark.points(1)
@pytest.mark.hint(
    "softmax_cross_entropy must not change the logits or the labels.",
    "The logits were modified in place (e.g. logits -= logits.max(...)): subtract into a new array instead.",
)
@pytest.mark.spec(
    "do not modify the arrays you are given: return new ones.",
)
def test_softmax_cross_entropy_does_not_modify_inputs(student, reference, rng):
    z, y = _problem(rng, n=5, k=4)
    call = student.call("softmax_cross_entropy", z, y)
    expect_unchanged(z, call.args[0], name="logits")
    expect_unchanged(y, call.args[1], name="y")
    expect_tuple(call.value, 2, name="softmax_cross_entropy(...)")


# --------------------------------------------------------------------------- gradient_check


def _probe(student, spec, x, h=None):
    """(gradient, x after the call): the student's gradient_check on the spec's function, in the worker."""
    args = (spec, x) if h is None else (spec, x, h)
    out = student.call("kit:gradcheck.probe", *args).value
    if not isinstance(out, tuple) or len(out) != 2:
        raise CheckFailure("the outcome of gradient_check could not be read")
    return out


def _expected(reference, spec, x, h):
    """The reference's gradient_check on the same function, on the grader's side."""
    f, _ = make_function(spec)
    return reference.gradient_check(f, np.array(x, dtype=float), h)


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With a large step h your numerical gradient is off: use central differences.",
    "Use the central difference (f(x + h e_k) - f(x - h e_k)) / (2h), not the forward difference "
    "(f(x + h e_k) - f(x)) / h: its error is of order h**2 instead of h (for a cubic, exactly a_k h**2).",
)
@pytest.mark.spec(
    "This **central difference** has an error of order $h^2$",
)
def test_gradient_check_central_differences(student, reference, rng):
    x = rng.normal(size=6)
    spec = draw_spec(rng, x.shape, coupled=False)
    grad, _ = _probe(student, spec, x, 1e-2)
    expect_array(grad, _expected(reference, spec, x, 1e-2), name="gradient_check of sum(a * x**3) with h = 1e-2",
                 dtype="float", rtol=1e-7, atol=1e-10)


@pytest.mark.question("gradient_check")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wrong numerical gradient for a function whose entries interact, or for a 3-D x.",
    "Restore each entry of x right after its two evaluations, before perturbing the next one (otherwise later "
    "entries are perturbed around a wrong point), and visit every index of x whatever its shape "
    "(np.ndindex(x.shape)); return an array of x's shape.",
)
@pytest.mark.spec(
    "`x` is a float array of **any shape**.",
    "**restore each entry after its two evaluations**, so that the next entry is perturbed around the original "
    "point and `x` is unchanged at the end.",
)
def test_gradient_check_coupled_any_shape(student, reference, rng):
    x = rng.normal(size=(2, 3, 2))
    spec = draw_spec(rng, x.shape, coupled=True)
    grad, _ = _probe(student, spec, x, 1e-3)
    expect_array(grad, _expected(reference, spec, x, 1e-3), name="gradient_check of a function whose entries "
                 "interact, for x of shape (2, 3, 2)", dtype="float", rtol=1e-7, atol=1e-9)


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "x is not the same after the gradient check.",
    "Restore every entry of x after perturbing it (x[idx] = old): the caller's x must be unchanged at the end.",
)
@pytest.mark.spec(
    "**restore each entry after its two evaluations**, so that the next entry is perturbed around the original "
    "point and `x` is unchanged at the end.",
)
def test_gradient_check_restores_x(student, rng):
    x = rng.normal(size=(3, 2))
    _, after = _probe(student, draw_spec(rng, x.shape, coupled=True), x, 1e-4)
    expect_unchanged(x, after, name="x (restore every entry after perturbing it)")


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With the default step h = 1e-5 the numerical gradient of a cubic should be accurate to about 1e-9.",
    "Give h the default value 1e-5 and use central differences; the result is a float array of x's shape.",
)
@pytest.mark.spec(
    "Write `gradient_check(f, x, h=1e-5)`",
    "With $h = 10^{-5}$ in float64, central differences agree with a correct gradient to about 7 to 10 digits.",
)
def test_gradient_check_default_h(student, rng):
    x = rng.normal(size=5)
    spec = draw_spec(rng, x.shape, coupled=False)
    grad, _ = _probe(student, spec, x)
    expect_array(grad, make_function(spec)[1](x), name="gradient_check of sum(a * x**3) with the default h",
                 dtype="float", rtol=1e-7, atol=1e-8)


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relative_error differs from the expected value on random arrays.",
    "Compute |a - b| / max(1e-8, |a| + |b|) entry by entry (np.maximum for the denominator) and return the "
    "largest ratio as a float.",
)
@pytest.mark.spec(
    "max |a - b| / max(1e-8, |a| + |b|), element-wise, then the maximum (a Python float).",
)
def test_relative_error_random(student, reference, rng):
    a = rng.normal(size=(4, 5))
    b = a + rng.normal(0, 1e-3, size=(4, 5)) * rng.integers(0, 2, size=(4, 5))
    a[0, 0] = b[0, 0] = 0.0
    expect_close(student.relative_error(a, b), reference.relative_error(a, b), name="relative_error(a, b)")


@pytest.mark.question("gradient_check")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Two zero gradients must have relative error 0, not nan.",
    "Divide by max(1e-8, |a| + |b|), with np.maximum(1e-8, ...), so that 0 / 0 never happens where both "
    "gradients are exactly 0 (common behind a ReLU).",
)
@pytest.mark.spec(
    "The $10^{-8}$ keeps entries where both gradients are exactly $0$ (common behind a ReLU) from dividing $0$ by "
    "$0$.",
)
def test_relative_error_of_zeros(student, reference, rng):
    expect_close(student.relative_error(np.zeros((2, 3)), np.zeros((2, 3))), 0.0, name="relative_error(0, 0)")
    a = rng.normal(size=4)
    a[1] = 0.0
    b = a.copy()
    b[2] += 1e-6 * abs(a[2])
    expect_close(student.relative_error(a, b), reference.relative_error(a, b),
                 name="relative_error(a, b) with one entry 0 in both", rtol=1e-6)
