"""Hidden tests for max_pool2d_backward (exercise 04): unique maxima, ties, overlapping windows, strides."""

import numpy as np
import pytest

from autograder.selfcheck import expect_array, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def _unique(rng, shape):
    """Distinct values (a shuffled grid), so that every window has a unique maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0 - 3.0


def _check(student, reference, x, pool_size, stride, rng, what):
    dout = rng.normal(size=reference.max_pool2d(x, pool_size, stride).shape)
    call = student.call("max_pool2d_backward", dout, x, pool_size, stride)
    expect_unchanged(dout, call.args[0], name="dout")
    expect_unchanged(x, call.args[1], name="x")
    expected = reference.max_pool2d_backward(dout, x, pool_size, stride)
    expect_array(call.value, expected, name=f"dx ({what})", dtype="float", rtol=1e-9, atol=1e-12)


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each window passes its upstream gradient dout[n, i, j, c] to the position of its maximum.",
    "dx is zero except at the maximum of each window, where it holds that window's dout value (not 1): route "
    "dout, do not just mark the maxima. dx has the shape of x, (N, H, W, C) here, with H different from W.",
)
@pytest.mark.spec(
    "the backward pass **routes** the upstream gradient `dout[i, j]` to the position of the maximum of window $(i, "
    "j)$ and gives 0 to the rest of the window.",
    "`x` is the input of the forward pass (shape `(H, W)` or `(N, H, W, C)`)",
    "Return `dx`, a float array of the shape of `x`.",
)
def test_backward_batch_unique_maxima(student, reference, rng):
    _check(student, reference, _unique(rng, (2, 6, 8, 3)), 2, None, rng, "2x2 windows, stride 2")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Overlapping windows: an entry that is the maximum of several windows collects the sum of their gradients.",
    "With stride < pool_size one input entry belongs to several windows. Add up (+=) the gradients of every "
    "window whose maximum it is; writing them with = keeps only the last one.",
)
@pytest.mark.spec("Its gradient is then the **sum** of the gradients of all those windows")
def test_backward_overlapping_windows(student, reference, rng):
    _check(student, reference, _unique(rng, (1, 7, 6, 2)), 3, 1, rng, "3x3 windows, stride 1")
    x = np.zeros((1, 5, 5, 1))
    x[0, 2, 2, 0] = 1.0  # the maximum of all nine 3x3 windows
    dout = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    expected = np.zeros_like(x)
    expected[0, 2, 2, 0] = 45.0
    expect_array(student.max_pool2d_backward(dout, x, 3, 1), expected,
                 name="dx for a single peak shared by nine overlapping windows", dtype="float")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Ties: when several entries of a window equal its maximum, only the first one gets the gradient.",
    "Go through the window in row-major order (row by row, left to right) and give dout to the first entry "
    "equal to the maximum only, as TensorFlow does: not to every tied entry, and not to the last one.",
)
@pytest.mark.spec(
    "We follow TensorFlow and send the whole gradient to the **first** of them, in row-major order within the window",
)
def test_backward_ties_go_to_the_first_maximum(student, reference):
    x = np.array([
        [0, 0, 5, 1, 2, 2],
        [0, 0, 5, 5, 3, 4],
        [7, 1, 2, 9, 6, 6],
        [7, 7, 9, 0, 6, 6],
    ], dtype=float)
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expected = np.array([
        [1, 0, 2, 0, 0, 0],
        [0, 0, 0, 0, 0, 3],
        [4, 0, 0, 5, 6, 0],
        [0, 0, 0, 0, 0, 0],
    ], dtype=float)
    expect_array(student.max_pool2d_backward(dout, x), expected, name="dx for windows with tied maxima",
                 dtype="float")
    xb = np.zeros((1, 4, 4, 2))  # all equal: every window's gradient goes to its top left entry
    doutb = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    expect_array(student.max_pool2d_backward(doutb, xb, 2, 2), reference.max_pool2d_backward(doutb, xb, 2, 2),
                 name="dx for an all-zero batch (every entry ties)", dtype="float")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Use the stride of the forward pass, also when it is larger than the window.",
    "With pool_size=2 and stride=3 some rows and columns belong to no window: their gradient is 0. Window "
    "(i, j) starts at row i * stride and column j * stride.",
)
@pytest.mark.spec("same `pool_size` and `stride` as the forward pass.")
def test_backward_stride_larger_than_window(student, reference, rng):
    _check(student, reference, _unique(rng, (2, 8, 7, 2)), 2, 3, rng, "2x2 windows, stride 3")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An (H, W) input and non-square windows (kh, kw) work as in the forward pass.",
    "For x of shape (H, W), dout has shape (H', W') and dx shape (H, W). pool_size=(2, 3) means 2 rows and "
    "3 columns (height first).",
)
@pytest.mark.spec(
    "`x` is the input of the forward pass (shape `(H, W)` or `(N, H, W, C)`)",
    "same `pool_size` and `stride` as the forward pass.",
    "`pool_size` is an int $k$ (a $k \\times k$ window) or a pair `(kh, kw)` (height first, then width);",
)
def test_backward_2d_non_square_window(student, reference, rng):
    _check(student, reference, _unique(rng, (6, 9)), (2, 3), (2, 2), rng, "(H, W) input, (2, 3) windows")
