"""Demo students of 04-pooling: who they are and how they filled in the notebook."""

from make_demo_class import Student

# Carol: pooling done, but her conv2d only knows "valid" padding (and her backward pass is not written).
CAROL_CONV = '''
def conv2d(x, w, b=None, stride=1, padding="valid"):
    """Only 'valid' padding so far."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    kh, kw, _, cout = w.shape
    Ho = (x.shape[1] - kh) // stride + 1
    Wo = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], Ho, Wo, cout))
    for a in range(kh):
        for c in range(kw):
            out += x[:, a:a + stride * (Ho - 1) + 1:stride, c:c + stride * (Wo - 1) + 1:stride, :] @ w[a, c]
    if b is not None:
        out = out + b
    return out
'''

# Dave: the classic "convolution" from the maths lecture (kernel flipped), and "same" padding of k // 2 on
# each side, which is right for odd kernels and stride 1 only.
DAVE_CONV = '''
def conv2d(x, w, b=None, stride=1, padding="valid"):
    """A true convolution: the kernel is flipped, as in the signal-processing definition."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)[::-1, ::-1]
    kh, kw, _, cout = w.shape
    if padding == "same":
        x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    Ho = (x.shape[1] - kh) // stride + 1
    Wo = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], Ho, Wo, cout))
    for i in range(Ho):
        for j in range(Wo):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out if b is None else out + b
'''

# Dave's backward pass: the textbook mask (x == max of its window) sends the gradient to every tied maximum.
DAVE_BACKWARD = '''
def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    """Gradient through max pooling via a mask of the window maxima."""
    x = np.asarray(x, dtype=float)
    s = pool_size if stride is None else stride
    x4 = x[None, :, :, None] if x.ndim == 2 else x
    d4 = np.asarray(dout, dtype=float)
    d4 = d4[None, :, :, None] if x.ndim == 2 else d4
    dx = np.zeros_like(x4)
    for i in range(d4.shape[1]):
        for j in range(d4.shape[2]):
            win = x4[:, i * s:i * s + pool_size, j * s:j * s + pool_size, :]
            mask = win == win.max(axis=(1, 2), keepdims=True)
            dx[:, i * s:i * s + pool_size, j * s:j * s + pool_size, :] += mask * d4[:, i:i + 1, j:j + 1, :]
    return dx[0, :, :, 0] if x.ndim == 2 else dx
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("partly done: no backward pass yet, conv2d without 'same' padding",
                     {"max_pool2d_backward": "stub", "conv2d": CAROL_CONV}),
    "dave": Student("classic bugs: a flipped kernel with k // 2 'same' padding; gradient to every tied maximum",
                    {"conv2d": DAVE_CONV, "max_pool2d_backward": DAVE_BACKWARD}),
}
