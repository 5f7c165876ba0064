"""The reference solution of 04-pooling against TensorFlow, the external oracle.

Pooling against tf.nn.max_pool2d / tf.nn.avg_pool2d (VALID), conv2d against tf.nn.conv2d (valid and same,
strides 1 to 3, odd and even sizes, to 1e-5), conv_output_size against the shapes TensorFlow produces, and
max_pool2d_backward against tf.GradientTape (and against finite differences).

Pooling is compared to 1e-6, not exactly: TensorFlow 2.21's CPU max pooling of float64 input with overlapping
or strided windows returns values rounded through float32 (measured: differences up to 7e-8 for inputs of size 1).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.course import load_assignment
from autograder.reference import reference_namespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

POOL_CASES = [  # (input shape, pool_size, stride)
    ((2, 6, 6, 3), 2, None),
    ((2, 7, 9, 2), 3, 1),
    ((1, 8, 5, 2), 2, 3),
    ((2, 5, 4, 1), 1, None),
    ((1, 9, 7, 3), (2, 3), (1, 2)),
    ((1, 11, 10, 2), 3, 2),
]
CONV_CASES = [  # (H, W, kh, kw)
    (6, 7, 3, 3), (13, 13, 6, 6), (8, 8, 4, 4), (7, 5, 2, 3), (9, 10, 1, 1), (5, 6, 5, 3),
]


@pytest.fixture(scope="module")
def ref():
    return reference_namespace(load_assignment("04-pooling").source_notebook)


def _tf_pool_args(pool_size, stride):
    stride = pool_size if stride is None else stride
    return (list(pool_size) if isinstance(pool_size, tuple) else pool_size,
            list(stride) if isinstance(stride, tuple) else stride)


@pytest.mark.parametrize("shape, pool_size, stride", POOL_CASES)
def test_pooling_matches_tensorflow(ref, shape, pool_size, stride):
    x = np.random.default_rng(0).normal(size=shape)
    k, s = _tf_pool_args(pool_size, stride)
    for ours, theirs in [(ref["max_pool2d"], tf.nn.max_pool2d), (ref["avg_pool2d"], tf.nn.avg_pool2d)]:
        expected = theirs(x, k, s, "VALID").numpy()
        got = ours(x, pool_size, stride)
        assert got.shape == expected.shape and got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
        got_2d = ours(x[0, :, :, 0], pool_size, stride)  # an (H, W) matrix is one image, one channel
        np.testing.assert_allclose(got_2d, expected[0, :, :, 0], rtol=1e-6, atol=1e-6)


def test_pooling_int_input_gives_float(ref):
    x = np.arange(36).reshape(6, 6)
    for name in ("max_pool2d", "avg_pool2d"):
        out = ref[name](x)
        assert out.dtype == np.float64
        fn = tf.nn.max_pool2d if name == "max_pool2d" else tf.nn.avg_pool2d
        np.testing.assert_allclose(out, fn(x[None, :, :, None].astype(float), 2, 2, "VALID").numpy()[0, :, :, 0])


def test_lecture_example(ref):
    x = np.array([[1, 3, 2, 5, 6, 0], [7, 2, 4, 1, 3, 2], [5, 7, 8, 3, 1, 4],
                  [0, 2, 6, 1, 5, 2], [4, 1, 3, 5, 2, 7], [2, 0, 1, 2, 6, 3]])
    expected = np.array([[7, 5, 6], [7, 8, 5], [4, 5, 7]], dtype=float)
    np.testing.assert_array_equal(ref["max_pool2d"](x), expected)
    np.testing.assert_array_equal(
        tf.nn.max_pool2d(x[None, :, :, None].astype(float), 2, 2, "VALID").numpy()[0, :, :, 0], expected)


@pytest.mark.parametrize("h, w, kh, kw", CONV_CASES)
def test_conv2d_and_output_size_match_tensorflow(ref, h, w, kh, kw):
    rng = np.random.default_rng(h * 100 + w)
    x = rng.normal(size=(2, h, w, 2))
    k = rng.normal(size=(kh, kw, 2, 3))
    b = rng.normal(size=3)
    for stride in (1, 2, 3):
        for padding in ("valid", "same"):
            expected = (tf.nn.conv2d(x, k, stride, padding.upper()) + b).numpy()
            got = ref["conv2d"](x, k, b, stride=stride, padding=padding)
            assert got.shape == expected.shape, (stride, padding)
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
            assert ref["conv_output_size"](h, kh, stride, padding) == expected.shape[1]
            assert ref["conv_output_size"](w, kw, stride, padding) == expected.shape[2]
            assert type(ref["conv_output_size"](h, kh, stride, padding)) is int


def test_conv2d_without_bias_and_square_channels(ref):
    rng = np.random.default_rng(7)
    x, k = rng.normal(size=(1, 6, 6, 3)), rng.normal(size=(3, 3, 3, 3))  # Cin == Cout: a transposed w differs
    for padding in ("valid", "same"):
        np.testing.assert_allclose(ref["conv2d"](x, k, padding=padding, stride=2),
                                   tf.nn.conv2d(x, k, 2, padding.upper()).numpy(), rtol=1e-5, atol=1e-5)


def test_lecture_cnn_shapes(ref):
    size, shapes = 28, []
    for _, k, s in [(12, 3, 1), (24, 6, 2), (32, 6, 2)]:
        size = ref["conv_output_size"](size, k, s, "same")
        shapes.append(size)
    assert shapes == [28, 14, 7]
    x = tf.zeros((1, 28, 28, 1))
    tf_sizes = []
    for filters, k, s in [(12, 3, 1), (24, 6, 2), (32, 6, 2)]:
        x = tf.nn.conv2d(x, tf.zeros((k, k, x.shape[-1], filters)), s, "SAME")
        tf_sizes.append(x.shape[1])
    assert tf_sizes == shapes


@pytest.mark.parametrize("shape, pool_size, stride", POOL_CASES)
def test_max_pool_backward_matches_gradient_tape(ref, shape, pool_size, stride):
    rng = np.random.default_rng(1)
    x = rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0  # distinct: unique maxima
    k, s = _tf_pool_args(pool_size, stride)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.nn.max_pool2d(xv, k, s, "VALID")
        dout = rng.normal(size=y.shape)
        loss = tf.reduce_sum(y * dout)
    expected = tape.gradient(loss, xv).numpy()
    np.testing.assert_allclose(ref["max_pool2d_backward"](dout, x, pool_size, stride), expected, rtol=1e-12)


def test_max_pool_backward_ties_like_tensorflow(ref):
    """TensorFlow also sends a tied window's gradient to its first maximum (row-major)."""
    for x, k, s in [(np.zeros((1, 4, 4, 1)), 2, 2), (np.zeros((1, 3, 3, 1)), 2, 1),
                    (np.round(np.random.default_rng(2).normal(size=(1, 6, 7, 2))), 3, 1)]:
        xv = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = tf.nn.max_pool2d(xv, k, s, "VALID")
            dout = np.arange(1.0, 1.0 + np.prod(y.shape)).reshape(y.shape)
            loss = tf.reduce_sum(y * dout)
        np.testing.assert_allclose(ref["max_pool2d_backward"](dout, x, k, s), tape.gradient(loss, xv).numpy())


def test_max_pool_backward_matches_finite_differences(ref):
    rng = np.random.default_rng(3)
    x = rng.permutation(2 * 5 * 6 * 2).reshape(2, 5, 6, 2) / 7.0
    dout = rng.normal(size=ref["max_pool2d"](x, 2, 1).shape)
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1e-4
        numeric[idx] = (np.sum(ref["max_pool2d"](x + e, 2, 1) * dout)
                        - np.sum(ref["max_pool2d"](x - e, 2, 1) * dout)) / 2e-4
    np.testing.assert_allclose(ref["max_pool2d_backward"](dout, x, 2, 1), numeric, atol=1e-7)
