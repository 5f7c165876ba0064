"""Hidden tests for conv_output_size and conv2d (exercise 04): TensorFlow's conventions, strides, 'same' padding."""

import numpy as np
import pytest

from autograder.selfcheck import expect_array, expect_equal, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

TOL = {"rtol": 1e-7, "atol": 1e-9}


# --------------------------------------------------------------------------- conv_output_size


def _sizes(student, cases, padding):
    for n, k, s, expected in cases:
        expect_equal(student.conv_output_size(n, k, s, padding), expected,
                     name=f"conv_output_size({n}, {k}, {s}, {padding!r})")


@pytest.mark.question("conv_output_size")
@pytest.mark.points(2)
@pytest.mark.hint(
    "'valid': the number of positions where the kernel fits is floor((n - k) / s) + 1.",
    "Count the start positions 0, s, 2s, ... up to n - k: that is (n - k) // s + 1. Forgetting the + 1 is "
    "off by one (n = k must give 1 position, not 0).",
)
@pytest.mark.spec('`"valid"`: no padding, only positions where the kernel fits:')
def test_output_size_valid(student):
    _sizes(student, [(5, 5, 1, 1), (9, 3, 3, 3), (10, 3, 3, 3), (13, 6, 2, 4), (12, 1, 5, 3), (8, 2, 2, 4)], "valid")


@pytest.mark.question("conv_output_size")
@pytest.mark.points(2)
@pytest.mark.hint(
    "'same': ceil(n / stride), whatever the kernel size.",
    "Round up, not down: 13 with stride 2 gives 7, and 10 with stride 3 gives 4. The kernel size does not "
    "matter for 'same' (the padding grows with it), whatever the kernel: an even kernel gives the same size too.",
)
@pytest.mark.spec("with stride $s$ it is $n' = \\lceil n / s \\rceil$, whatever $k$ is.")
def test_output_size_same(student):
    _sizes(student, [(13, 3, 2, 7), (10, 4, 3, 4), (9, 6, 3, 3), (8, 4, 1, 8), (7, 2, 2, 4), (5, 5, 5, 1)], "same")


@pytest.mark.question("conv_output_size")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return a Python int, not a float.",
    "n / s is a float in Python 3 and np.ceil returns a float too: use integer arithmetic (//) or convert with "
    "int(...). Sizes are used as array shapes.",
)
@pytest.mark.spec("returning $n'$ as a Python `int`")
def test_output_size_is_int(student):
    for args in [(28, 3, 1, "valid"), (28, 6, 2, "same"), (14, 6, 2, "same")]:
        value = student.conv_output_size(*args)
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            expect_equal(value, 1, name=f"conv_output_size{args}")


# --------------------------------------------------------------------------- conv2d


def _conv(student, reference, rng, x_shape, k_shape, cout, stride, padding, bias=True, what=""):
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(*k_shape, x_shape[-1], cout))
    args = (x, w, rng.normal(size=cout)) if bias else (x, w)
    call = student.call("conv2d", *args, stride=stride, padding=padding)
    for before, after, name in zip(args, call.args, ("x", "w", "b")[:len(args)], strict=True):
        expect_unchanged(before, after, name=name)
    expected = reference.conv2d(*args, stride=stride, padding=padding)
    expect_array(call.value, expected, name=f"conv2d {what}(x {x_shape}, kernel {k_shape}, Cout={cout}, "
                 f"stride={stride}, {padding!r})", dtype="float", **TOL)


@pytest.mark.question("conv2d")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Valid convolution of a batch with several input and output channels, as in TensorFlow (no kernel flip).",
    "Do not flip the kernel: window offset (a, b) is multiplied with w[a, b], not w[kh-1-a, kw-1-b]. "
    "w has shape (kh, kw, Cin, Cout): contract the Cin axis of w with the channels of x and keep Cout.",
)
@pytest.mark.spec(
    "It must match `tf.nn.conv2d(x, w, stride, padding.upper()) + b` to 1e-5.",
    "Each filter looks at **all** input channels of the window and produces **one** output channel.",
    "Note that the kernel is *not* flipped",
)
def test_conv_valid_channels(student, reference, rng):
    _conv(student, reference, rng, (2, 6, 7, 2), (2, 3), 3, 1, "valid")


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Cin = Cout: check which axis of w is the input channel.",
    "w[a, b] is a (Cin, Cout) matrix: entry [d, c] weighs input channel d for output channel c. With as many "
    "input as output channels a transposed w[a, b] has the right shape but the wrong values.",
)
@pytest.mark.spec(
    "has a weight tensor `w` of shape `(kh, kw, Cin, Cout)` (Keras' layout) and a bias `b` of shape `(Cout,)`.",
    "Each filter looks at **all** input channels of the window and produces **one** output channel.",
)
def test_conv_square_channels(student, reference, rng):
    _conv(student, reference, rng, (1, 5, 5, 3), (3, 3), 3, 1, "valid")


@pytest.mark.question("conv2d")
@pytest.mark.points(2)
@pytest.mark.hint(
    "The window moves by the stride, with VALID padding: H' = (H - kh) // s + 1.",
    "Window (i, j) starts at row i * stride, column j * stride; rows past the last full window are dropped. "
    "Keep H and W apart for a non-square image.",
)
@pytest.mark.spec(
    "It must match `tf.nn.conv2d(x, w, stride, padding.upper()) + b` to 1e-5.",
    "`b=None`: no bias; `stride` an int",
)
def test_conv_valid_strides(student, reference, rng):
    _conv(student, reference, rng, (2, 9, 7, 2), (3, 3), 2, 2, "valid")
    _conv(student, reference, rng, (1, 10, 8, 1), (2, 4), 2, 3, "valid")


@pytest.mark.question("conv2d")
@pytest.mark.points(2)
@pytest.mark.hint(
    "'same' padding with an even kernel: the extra padding row goes at the bottom, the extra column on the right.",
    "pad_total = max((ceil(H / s) - 1) * s + kh - H, 0), pad_top = pad_total // 2, and pad_bottom = pad_total "
    "- pad_top: when pad_total is odd the extra row is at the bottom (and the extra column on the right), "
    "not on top or on the left.",
)
@pytest.mark.spec(
    "TensorFlow puts `pad_top = pad_total // 2` rows on top and the rest at the **bottom** (one more at the bottom "
    "when `pad_total` is odd), and does the same for the columns (extra column on the right).",
)
def test_conv_same_even_kernel(student, reference, rng):
    _conv(student, reference, rng, (2, 6, 7, 2), (4, 4), 3, 1, "same")


@pytest.mark.question("conv2d")
@pytest.mark.points(2)
@pytest.mark.hint(
    "'same' padding with stride 2 or 3: the padding depends on the stride.",
    "The output has ceil(H / s) rows and pad_total = max((ceil(H / s) - 1) * s + kh - H, 0): with stride > 1 "
    "this is usually not kh - 1, so padding kh // 2 rows on each side is wrong. The extra row goes at the bottom.",
)
@pytest.mark.spec(
    "TensorFlow puts `pad_top = pad_total // 2` rows on top and the rest at the **bottom** (one more at the bottom "
    "when `pad_total` is odd), and does the same for the columns (extra column on the right).",
    "Note that the padding depends on the stride",
)
def test_conv_same_strides(student, reference, rng):
    _conv(student, reference, rng, (2, 8, 10, 2), (3, 3), 2, 2, "same")
    _conv(student, reference, rng, (1, 7, 11, 2), (5, 3), 3, 3, "same")


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The lecture's 6x6 kernels with stride 2 and 'same' padding, on an odd-sized image.",
    "For H = 13, s = 2, kh = 6: 7 output rows, pad_total = 6 * 2 + 6 - 13 = 5, so 2 rows on top and 3 at "
    "the bottom: the padding depends on the stride and the extra row goes at the bottom.",
)
@pytest.mark.spec(
    "TensorFlow puts `pad_top = pad_total // 2` rows on top and the rest at the **bottom** (one more at the bottom "
    "when `pad_total` is odd), and does the same for the columns (extra column on the right).",
    "Note that the padding depends on the stride",
)
def test_conv_same_lecture_kernel(student, reference, rng):
    _conv(student, reference, rng, (1, 13, 13, 2), (6, 6), 3, 2, "same")


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "b adds one value per output channel.",
    "b has shape (Cout,): add b[c] to every pixel of output channel c, after the sum over the window and the "
    "input channels (not to the input, whose channels are the Cin input channels). With b=None add no bias.",
)
@pytest.mark.spec(
    "has a weight tensor `w` of shape `(kh, kw, Cin, Cout)` (Keras' layout) and a bias `b` of shape `(Cout,)`.",
    "It must match `tf.nn.conv2d(x, w, stride, padding.upper()) + b` to 1e-5.",
)
def test_conv_bias(student, reference, rng):
    x = rng.normal(size=(2, 5, 6, 2))
    w = rng.normal(size=(3, 3, 2, 4))
    b = np.array([1.0, -2.0, 3.0, 0.5])
    expected = reference.conv2d(x, w, b)
    expect_array(student.conv2d(x, w, b), expected, name="conv2d(x, w, b) with a bias", dtype="float", **TOL)
    expect_array(student.conv2d(x, w), expected - b, name="conv2d(x, w) without a bias", dtype="float", **TOL)


@pytest.mark.question("conv2d")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The result is a float array, also for integer inputs.",
    "Convert x and w to float before computing: an integer image with an integer kernel still gives a float "
    "array (as TensorFlow layers work on floats).",
)
@pytest.mark.spec("returning a float array of shape `(N, H', W', Cout)`.")
def test_conv_int_inputs(student):
    x = np.arange(16).reshape(1, 4, 4, 1)
    w = np.array([[1, 0], [0, -1]]).reshape(2, 2, 1, 1)
    expect_array(student.conv2d(x, w), np.full((1, 3, 3, 1), -5.0), name="conv2d(int x, int w)", dtype="float")
