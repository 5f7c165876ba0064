"""Hidden tests for max_pool2d and avg_pool2d (exercise 04): random batches against the reference, edge cases."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

TOL = {"rtol": 1e-9, "atol": 1e-10}


def _same(student, reference, fn, x, *args, what="", **kwargs):
    call = student.call(fn, x, *args, **kwargs)
    expect_unchanged(x, call.args[0], name="x")
    expected = getattr(reference, fn)(x, *args, **kwargs)
    expect_array(call.value, expected, name=f"{fn}(x{what}) for x of shape {x.shape}", dtype="float", **TOL)


# --------------------------------------------------------------------------- max_pool2d


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Pool a batch of shape (N, H, W, C) image by image and channel by channel (channels last).",
    "Only the height and width axes (1 and 2) shrink; each window is taken inside one image and one channel. "
    "Here H differs from W: compute the number of rows from H and the number of columns from W.",
)
@pytest.mark.spec(
    "`x` has shape `(H, W)` (one single-channel image, as in the lecture) or `(N, H, W, C)` (a batch, channels last, "
    "as in Keras)",
    "Pooling works on each image and each channel on its own: channels are never mixed.",
    'The result must match `tf.nn.max_pool2d(x, pool_size, stride, padding="VALID")`.',
)
def test_max_batch_non_square(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(2, 6, 8, 3)))


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With a stride smaller than the window, the windows overlap.",
    "Window (i, j) starts at row i * stride and column j * stride, whatever the pool size: with pool_size=3, "
    "stride=1 there are H - 2 windows down, which overlap. Use the stride argument, not the pool size, to move "
    "the window.",
)
@pytest.mark.spec(
    "moves `stride` pixels to the right, row after row, then `stride` pixels down.",
    'The result must match `tf.nn.max_pool2d(x, pool_size, stride, padding="VALID")`.',
)
def test_max_overlapping_windows(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(1, 7, 9, 2)), 3, 1, what=", 3, 1")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The window moves by the stride, also when the stride is larger than the window.",
    "With pool_size=2 and stride=3, rows 2, 5, ... and columns 2, 5, ... belong to no window at all: "
    "H' = (H - 2) // 3 + 1. The window moves by the stride, never always by 1.",
)
@pytest.mark.spec(
    "moves `stride` pixels to the right, row after row, then `stride` pixels down.",
    'The result must match `tf.nn.max_pool2d(x, pool_size, stride, padding="VALID")`.',
)
def test_max_stride_larger_than_window(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(2, 8, 7, 2)), 2, 3, what=", 2, 3")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "1x1 pooling with stride 1 returns the input itself (as floats).",
    "A 1x1 window holds one entry, so the result equals x, with the same shape. Check the edge cases of your "
    "loops and slices: pool_size=1 must give H' = H.",
)
@pytest.mark.spec(
    "`pool_size` is an int $k$ (a $k \\times k$ window) or a pair `(kh, kw)` (height first, then width);",
    "`stride` likewise, and `stride=None` means *stride = pool_size*",
    "the result is a **float** array, also for integer input; `x` itself must not change.",
)
def test_max_one_by_one(student, rng):
    x = rng.normal(size=(2, 5, 4, 3))
    call = student.call("max_pool2d", x, pool_size=1)
    expect_array(call.value, x, name="max_pool2d(x, pool_size=1)", dtype="float")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "pool_size and stride can be pairs (kh, kw): height first, then width.",
    "For pool_size=(2, 3) the window has 2 rows and 3 columns; stride=(1, 2) moves it 1 row down or 2 columns "
    "to the right. Height first, then width: do not swap them.",
)
@pytest.mark.spec(
    "`pool_size` is an int $k$ (a $k \\times k$ window) or a pair `(kh, kw)` (height first, then width);",
    "`stride` likewise, and `stride=None` means *stride = pool_size*",
)
def test_max_non_square_window(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(2, 7, 9, 2)), (2, 3), (1, 2),
          what=", (2, 3), (1, 2)")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A non-square (H, W) image: rows come from H, columns from W.",
    "For x of shape (5, 8) and 2x2 windows the result has shape (2, 4). Check that you do not mix up the "
    "height and the width axes when the image is non-square.",
)
@pytest.mark.spec(
    "`x` has shape `(H, W)` (one single-channel image, as in the lecture) or `(N, H, W, C)` (a batch, channels last, "
    "as in Keras)",
    "return an array of shape `(H', W')` or `(N, H', W', C)` accordingly;",
)
def test_max_non_square_2d(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(5, 8)))


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Only windows that fit entirely inside the image count (VALID padding).",
    "For odd sizes, the last row or column that does not fill a whole window is dropped, not padded: "
    "H' = (H - k) // s + 1, so a 7x5 image with 2x2 windows gives 3x2 (VALID), not 4x3 (SAME).",
)
@pytest.mark.spec("Only windows that fit **entirely** inside the image are used")
def test_max_valid_odd_sizes(student, reference, rng):
    _same(student, reference, "max_pool2d", rng.normal(size=(1, 7, 5, 2)))
    _same(student, reference, "max_pool2d", rng.normal(size=(7, 5)), 3, 2, what=", 3, 2")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An image of shape (H, W) gives a result of shape (H', W'), not (1, H', W', 1).",
    "For a plain (H, W) matrix return an (H', W') array with the same values as pooling x[None, :, :, None] "
    "(one image, one channel), without the added axes.",
)
@pytest.mark.spec("return an array of shape `(H', W')` or `(N, H', W', C)` accordingly;")
def test_max_2d_like_4d(student, reference, rng):
    x = rng.normal(size=(6, 9))
    expect_array(student.max_pool2d(x, 3, 2), reference.max_pool2d(x, 3, 2), name="max_pool2d(x, 3, 2) for (H, W) x",
                 dtype="float")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "All entries negative: the maximum of a window is negative too.",
    "Start the running maximum from the first offset of the window (or from -inf), not from 0: with negative "
    "inputs a start value of 0 wins every comparison.",
)
@pytest.mark.spec(
    "The output entry $(i, j)$ is the maximum of the window whose top left corner is at row $i\\,s$, column $j\\,s$.",
)
def test_max_negative_values(student, reference, rng):
    _same(student, reference, "max_pool2d", -1.0 - rng.random(size=(2, 6, 6, 2)))


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The result is a float array, also for an integer image.",
    "Convert x to float (np.asarray(x, dtype=float)) before pooling: TensorFlow layers work on floats, and "
    "the backward pass and the mean need them.",
)
@pytest.mark.spec("the result is a **float** array, also for integer input; `x` itself must not change.")
def test_max_int_input_gives_float(student, rng):
    x = rng.integers(-9, 10, size=(4, 6))
    call = student.call("max_pool2d", x)
    expect_unchanged(x, call.args[0], name="x")
    expected = x.reshape(2, 2, 3, 2).max(axis=(1, 3)).astype(float)
    expect_array(call.value, expected, name="max_pool2d(x) for an integer x", dtype="float")


# --------------------------------------------------------------------------- avg_pool2d


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Average pooling takes the mean of each window, not its maximum.",
    "Each window of kh * kw entries is replaced by their sum divided by kh * kw (the mean), per image and "
    "per channel; only the height and width axes shrink.",
)
@pytest.mark.spec(
    "Average pooling replaces each window by the mean of its entries instead of the maximum.",
    'it must match `tf.nn.avg_pool2d(..., padding="VALID")`.',
)
def test_avg_batch_non_square(student, reference, rng):
    _same(student, reference, "avg_pool2d", rng.normal(size=(2, 6, 8, 3)))


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Overlapping windows (stride < window) and skipped rows (stride > window) must both work.",
    "Window (i, j) starts at row i * stride and column j * stride: H' = (H - k) // stride + 1 with VALID "
    "padding, for any stride.",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
    'it must match `tf.nn.avg_pool2d(..., padding="VALID")`.',
)
def test_avg_strides(student, reference, rng):
    x = rng.normal(size=(1, 7, 9, 2))
    _same(student, reference, "avg_pool2d", x, 3, 1, what=", 3, 1")
    _same(student, reference, "avg_pool2d", x, 2, 3, what=", 2, 3")


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A non-square window (kh, kw) holds kh * kw entries.",
    "For pool_size=(2, 3) divide each window sum by kh * kw = 6 (height first, then width), and keep H and W "
    "apart for a non-square (H, W) image.",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
    "`pool_size` is an int $k$ (a $k \\times k$ window) or a pair `(kh, kw)` (height first, then width);",
)
def test_avg_non_square(student, reference, rng):
    _same(student, reference, "avg_pool2d", rng.normal(size=(2, 7, 9, 2)), (2, 3), (1, 2), what=", (2, 3), (1, 2)")
    _same(student, reference, "avg_pool2d", rng.normal(size=(5, 8)))


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Only windows that fit entirely inside the image count (VALID padding).",
    "Do not pad odd sizes with zeros: a 7x5 image with 2x2 windows gives 3x2 (VALID). Padded zeros would "
    "also pull the means of the border windows down.",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
    "Only windows that fit **entirely** inside the image are used",
)
def test_avg_valid_odd_sizes(student, reference, rng):
    _same(student, reference, "avg_pool2d", rng.normal(size=(1, 7, 5, 2)))


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The mean of integers is a float: [[1, 2], [3, 4]] averages to 2.5.",
    "Convert x to float before dividing, and use / rather than //: the result is a float array, also for an "
    "integer image.",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
)
def test_avg_int_input_gives_float(student):
    x = np.array([[1, 2, 0, 1], [3, 4, 1, 1]])
    call = student.call("avg_pool2d", x)
    expect_unchanged(x, call.args[0], name="x")
    expect_array(call.value, np.array([[2.5, 0.75]]), name="avg_pool2d([[1, 2, 0, 1], [3, 4, 1, 1]])",
                 dtype="float")


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "avg_pool2d must not change x.",
    "x was modified in place (for example x /= k * k on the caller's array): np.asarray does not copy a "
    "float array, so work on a new array.",
)
@pytest.mark.spec("do not modify the arrays you are given: return new ones")
def test_avg_input_unchanged(student, reference, rng):
    x = rng.normal(size=(2, 4, 6, 2))
    call = student.call("avg_pool2d", x, 2)
    expect_unchanged(x, call.args[0], name="x")
    if not isinstance(call.value, np.ndarray):
        raise CheckFailure("avg_pool2d should return a numpy array")
    expect_array(call.value, reference.avg_pool2d(x, 2), name="avg_pool2d(x)", dtype="float", **TOL)


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An image of shape (H, W) gives a result of shape (H', W').",
    "For a plain (H, W) matrix return an (H', W') array with the same values as pooling x[None, :, :, None].",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
)
def test_avg_2d_like_4d(student, reference, rng):
    x = rng.normal(size=(6, 9))
    expect_array(student.avg_pool2d(x, 3, 2), reference.avg_pool2d(x, 3, 2), name="avg_pool2d(x, 3, 2) for (H, W) x",
                 dtype="float", **TOL)
