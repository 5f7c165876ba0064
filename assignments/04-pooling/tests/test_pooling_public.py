"""Public tests for exercise 04 (pooling and convolution): the lecture's examples and the basic contract.

Run them from the notebook with ``check("max_pool2d")`` (one exercise) or ``check_all()``.
The grader runs these and more (hidden) tests on other data, shapes and strides.
"""

import numpy as np
import pytest
from selfcheck import expect_array, expect_equal, expect_unchanged

# The lecture's 6x6 image and its 2x2 max pooling (stride 2).
X_LECTURE = np.array([
    [1, 3, 2, 5, 6, 0],
    [7, 2, 4, 1, 3, 2],
    [5, 7, 8, 3, 1, 4],
    [0, 2, 6, 1, 5, 2],
    [4, 1, 3, 5, 2, 7],
    [2, 0, 1, 2, 6, 3],
])
MAX_LECTURE = np.array([[7.0, 5, 6], [7, 8, 5], [4, 5, 7]])
AVG_LECTURE = np.array([[3.25, 3.0, 2.75], [3.5, 4.5, 3.0], [1.75, 2.75, 4.5]])
# Where the maximum of each 2x2 window of the lecture's image sits.
ARGMAX_LECTURE = np.array([
    [0, 0, 0, 1, 1, 0],
    [1, 0, 0, 0, 0, 0],
    [0, 1, 1, 0, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [1, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 0, 0],
], dtype=float)


def batch_of_lecture_images():
    """A batch (2, 6, 6, 3): image n, channel c is (c + 1) * X_LECTURE + 10 n, so pooling commutes with it."""
    scale = np.arange(1, 4)[None, None, None, :]
    shift = 10 * np.arange(2)[:, None, None, None]
    return X_LECTURE[None, :, :, None] * scale + shift, scale, shift


# --------------------------------------------------------------------------- max_pool2d


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The lecture's 6x6 image with 2x2 windows and stride 2 gives [[7, 5, 6], [7, 8, 5], [4, 5, 7]].",
    "With stride=None the stride equals the pool size, so the windows do not overlap: window (i, j) covers "
    "rows 2i, 2i+1 and columns 2j, 2j+1. An input of shape (H, W) gives an output of shape (H', W'), as floats.",
)
@pytest.mark.spec(
    "The lecture's example pools a 6×6 single-channel image",
    "The output entry $(i, j)$ is the maximum of the window whose top left corner is at row $i\\,s$, column $j\\,s$.",
)
def test_max_pool_lecture(student):
    expect_array(student.max_pool2d(X_LECTURE), MAX_LECTURE, name="max_pool2d(X_lecture)", dtype="float")


@pytest.mark.question("max_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of shape (N, H, W, C) is pooled image by image and channel by channel.",
    "For x of shape (2, 6, 6, 3) the result has shape (2, 3, 3, 3): only the two middle axes (height and "
    "width) shrink; the batch axis and the channel axis (the last one) stay. Do not change x.",
)
@pytest.mark.spec(
    "`x` has shape `(H, W)` (one single-channel image, as in the lecture) or `(N, H, W, C)` (a batch, channels last, "
    "as in Keras)",
    "Pooling works on each image and each channel on its own: channels are never mixed.",
)
def test_max_pool_batch_channels_last(student):
    x, scale, shift = batch_of_lecture_images()
    call = student.call("max_pool2d", x)
    expect_unchanged(x, call.args[0], name="x")
    expect_array(call.value, MAX_LECTURE[None, :, :, None] * scale + shift, name="max_pool2d(x) for a batch",
                 dtype="float")


# --------------------------------------------------------------------------- avg_pool2d


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each 2x2 window is replaced by the mean of its 4 entries: the first one is (1 + 3 + 7 + 2) / 4 = 3.25.",
    "Same windows as max_pool2d, but take the mean. Return floats, also for an integer image.",
)
@pytest.mark.spec("Average pooling replaces each window by the mean of its entries instead of the maximum.")
def test_avg_pool_lecture(student):
    expect_array(student.avg_pool2d(X_LECTURE), AVG_LECTURE, name="avg_pool2d(X_lecture)", dtype="float")


@pytest.mark.question("avg_pool2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A batch of shape (N, H, W, C) is pooled image by image and channel by channel.",
    "For x of shape (2, 6, 6, 3) the result has shape (2, 3, 3, 3): average over the height and width axes "
    "of each window only, never across images or channels. Do not change x.",
)
@pytest.mark.spec(
    "Same windows, same conventions (VALID, `stride=None` means `stride = pool_size`, shapes `(H, W)` or `(N, H, W, "
    "C)`, float result).",
    "Pooling works on each image and each channel on its own: channels are never mixed.",
)
def test_avg_pool_batch_channels_last(student):
    x, scale, shift = batch_of_lecture_images()
    x = x.astype(float)
    call = student.call("avg_pool2d", x)
    expect_unchanged(x, call.args[0], name="x")
    expect_array(call.value, AVG_LECTURE[None, :, :, None] * scale + shift, name="avg_pool2d(x) for a batch",
                 dtype="float")


# --------------------------------------------------------------------------- max_pool2d_backward


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With dout = 1 everywhere, dx is 1 at the maximum of each window and 0 elsewhere.",
    "For each 2x2 window of the lecture's image, find where its maximum sits and put dout[i, j] there. "
    "dx has the shape of x (6x6), not of dout (3x3).",
)
@pytest.mark.spec(
    "the backward pass **routes** the upstream gradient `dout[i, j]` to the position of the maximum of window $(i, "
    "j)$ and gives 0 to the rest of the window.",
)
def test_backward_lecture_mask(student):
    expect_array(student.max_pool2d_backward(np.ones((3, 3)), X_LECTURE), ARGMAX_LECTURE,
                 name="max_pool2d_backward(ones, X_lecture)", dtype="float")
    dout = np.arange(1.0, 10.0).reshape(3, 3)
    expected = ARGMAX_LECTURE.copy()
    expected[ARGMAX_LECTURE == 1] = [2, 3, 1, 4, 5, 6, 7, 8, 9]  # row-major order of the maxima
    call = student.call("max_pool2d_backward", dout, X_LECTURE)
    expect_unchanged(dout, call.args[0], name="dout")
    expect_array(call.value, expected, name="max_pool2d_backward(dout, X_lecture)", dtype="float")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With overlapping windows, an entry that is the maximum of several windows collects all their gradients.",
    "Here pool_size=2, stride=1 on a 3x3 input: the centre (9) is the maximum of all four windows, so "
    "dx[1, 1] = 1 + 2 + 3 + 4 = 10. Add the gradients up (+=) instead of overwriting them.",
)
@pytest.mark.spec("Its gradient is then the **sum** of the gradients of all those windows")
def test_backward_overlapping_windows(student):
    x = np.array([[1, 2, 3], [4, 9, 5], [6, 7, 8]])
    expected = np.zeros((3, 3))
    expected[1, 1] = 10.0
    out = student.max_pool2d_backward(np.array([[1.0, 2.0], [3.0, 4.0]]), x, pool_size=2, stride=1)
    expect_array(out, expected, name="max_pool2d_backward(dout, x, 2, 1)", dtype="float")


@pytest.mark.question("max_pool2d_backward")
@pytest.mark.points(0)  # the points are in the hidden suite; this test tells you before you submit
@pytest.mark.spec("one entry gets `dout[i, j]`, not every tied entry.")
@pytest.mark.hint(
    "When a window holds its maximum twice, only the first of them gets the gradient.",
    "Send dout[i, j] to the first maximum of the window in row-major order (row by row, left to right), as "
    "TensorFlow does; a mask x == max gives it to every tied entry. Here the window [[5, 5], [1, 5]] gives "
    "dx[0, 0] = dout and 0 at the other two 5s.",
)
def test_backward_ties_go_to_the_first_maximum(student):
    x = np.array([[5.0, 5.0], [1.0, 5.0]])
    out = student.max_pool2d_backward(np.array([[3.0]]), x)
    expect_array(out, np.array([[3.0, 0.0], [0.0, 0.0]]), name="max_pool2d_backward(3, x with a tied maximum)",
                 dtype="float")


# --------------------------------------------------------------------------- conv_output_size


@pytest.mark.question("conv_output_size")
@pytest.mark.points(1)
@pytest.mark.hint(
    "'valid': floor((n - k) / stride) + 1.",
    "The lecture's 6x6 image with 2x2 windows and stride 2 gives 3; 28 with a 3x3 kernel and stride 1 gives "
    "26; 7 with k = 3 and stride 2 gives 3. Return a Python int.",
)
@pytest.mark.spec('`"valid"`: no padding, only positions where the kernel fits:')
def test_output_size_valid(student):
    for n, k, s, expected in [(6, 2, 2, 3), (28, 3, 1, 26), (7, 3, 2, 3)]:
        expect_equal(student.conv_output_size(n, k, s, "valid"), expected,
                     name=f"conv_output_size({n}, {k}, {s}, 'valid')")


@pytest.mark.question("conv_output_size")
@pytest.mark.points(1)
@pytest.mark.hint(
    "'same': ceil(n / stride), whatever the kernel size. The lecture's CNN goes 28 -> 28 -> 14 -> 7.",
    "Conv2D(3x3, stride 1, 'same') keeps 28; Conv2D(6x6, stride 2, 'same') halves 28 to 14 and 14 to 7. "
    "Round up, not down, when n is not a multiple of the stride.",
)
@pytest.mark.spec("with stride $s$ it is $n' = \\lceil n / s \\rceil$, whatever $k$ is.")
def test_output_size_same_lecture_cnn(student):
    for n, k, s, expected in [(28, 3, 1, 28), (28, 6, 2, 14), (14, 6, 2, 7)]:
        expect_equal(student.conv_output_size(n, k, s, "same"), expected,
                     name=f"conv_output_size({n}, {k}, {s}, 'same')")


# --------------------------------------------------------------------------- conv2d


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Slide the 3x3 kernel over the 4x4 image: 2x2 positions, each the sum of window * kernel.",
    "Multiply each 3x3 window with the kernel as it is (no flipping, as in TensorFlow) and sum: the first "
    "window gives (1 - 0) + (0 - 3) + (2 - 0) = 0. x has shape (N, H, W, Cin) = (1, 4, 4, 1) and w has shape "
    "(kh, kw, Cin, Cout) = (3, 3, 1, 1).",
)
@pytest.mark.spec(
    "Note that the kernel is *not* flipped",
    "It must match `tf.nn.conv2d(x, w, stride, padding.upper()) + b` to 1e-5.",
)
def test_conv_valid_edge_kernel(student):
    x = np.array([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]], dtype=float).reshape(1, 4, 4, 1)
    w = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float).reshape(3, 3, 1, 1)
    expect_array(student.conv2d(x, w), np.array([[0.0, 2], [-1, -1]]).reshape(1, 2, 2, 1),
                 name="conv2d(x, edge kernel)", dtype="float")


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A 1x1 kernel mixes the channels of each pixel: out[n, i, j] = x[n, i, j] @ w[0, 0] + b.",
    "w has shape (kh, kw, Cin, Cout): every output channel sums over all Cin input channels, and b adds one "
    "value per output channel. The result has shape (N, H, W, Cout). Do not change x, w or b.",
)
@pytest.mark.spec(
    "Each filter looks at **all** input channels of the window and produces **one** output channel.",
    "has a weight tensor `w` of shape `(kh, kw, Cin, Cout)` (Keras' layout) and a bias `b` of shape `(Cout,)`.",
)
def test_conv_1x1_mixes_channels(student, rng):
    x = rng.normal(size=(2, 4, 5, 3))
    w = rng.normal(size=(1, 1, 3, 2))
    b = np.array([0.5, -1.0])
    call = student.call("conv2d", x, w, b)
    for before, after, name in zip((x, w, b), call.args, ("x", "w", "b"), strict=True):
        expect_unchanged(before, after, name=name)
    expect_array(call.value, x @ w[0, 0] + b, name="conv2d(x, w, b) with a 1x1 kernel", dtype="float",
                 rtol=1e-7, atol=1e-9)


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "'same' padding with stride 2: 4 rows need 1 padding row, and TensorFlow puts it at the bottom.",
    "pad_total = max((ceil(4 / 2) - 1) * 2 + 3 - 4, 0) = 1 row, pad_top = pad_total // 2 = 0, so the extra "
    "row goes at the bottom (and the extra column on the right). An all-ones kernel on an all-ones image then "
    "counts the real pixels in each window: [[9, 6], [6, 4]].",
)
@pytest.mark.spec(
    "TensorFlow puts `pad_top = pad_total // 2` rows on top and the rest at the **bottom** (one more at the bottom "
    "when `pad_total` is odd), and does the same for the columns (extra column on the right).",
)
def test_conv_same_stride_2(student):
    out = student.conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), stride=2, padding="same")
    expect_array(out, np.array([[9.0, 6], [6, 4]]).reshape(1, 2, 2, 1), name="conv2d(ones, ones, stride=2, 'same')",
                 dtype="float")
