"""Valid pooling/convolution implementations written from the released notebook alone (see autograder.alternatives)."""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="loops_over_output_pixels",
        style="a Python loop over every output pixel (slow but correct), np.pad for 'same', math.ceil",
        source='''
import math


def _pair(v):
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def _as4d(x):
    x = np.asarray(x, dtype=float)
    return (x[None, :, :, None], True) if x.ndim == 2 else (x, False)


def _pool(x, pool_size, stride, reduce):
    x4, flat = _as4d(x)
    kh, kw = _pair(pool_size)
    sh, sw = _pair(pool_size if stride is None else stride)
    n, h, w, c = x4.shape
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            window = x4[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out[0, :, :, 0] if flat else out


def max_pool2d(x, pool_size=2, stride=None):
    return _pool(x, pool_size, stride, np.max)


def avg_pool2d(x, pool_size=2, stride=None):
    return _pool(x, pool_size, stride, np.mean)


def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    x4, flat = _as4d(x)
    d4 = np.asarray(dout, dtype=float)
    if flat:
        d4 = d4[None, :, :, None]
    kh, kw = _pair(pool_size)
    sh, sw = _pair(pool_size if stride is None else stride)
    dx = np.zeros_like(x4)
    n, ho, wo, c = d4.shape
    for m in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = x4[m, i * sh:i * sh + kh, j * sw:j * sw + kw, ch]
                    a, b = divmod(int(np.argmax(window)), kw)  # argmax: the first maximum, row-major
                    dx[m, i * sh + a, j * sw + b, ch] += d4[m, i, j, ch]
    return dx[0, :, :, 0] if flat else dx


def conv_output_size(n, k, stride, padding):
    if padding == "valid":
        return (n - k) // stride + 1
    return math.ceil(n / stride)


def conv2d(x, w, b=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, h, wd, cin = x.shape
    kh, kw, _, cout = w.shape
    if padding == "same":
        ph = max((math.ceil(h / stride) - 1) * stride + kh - h, 0)
        pw = max((math.ceil(wd / stride) - 1) * stride + kw - wd, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    ho = (x.shape[1] - kh) // stride + 1
    wo = (x.shape[2] - kw) // stride + 1
    out = np.zeros((n, ho, wo, cout))
    for i in range(ho):
        for j in range(wo):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            for c in range(cout):
                out[:, i, j, c] = np.sum(patch * w[:, :, :, c], axis=(1, 2, 3))
    if b is not None:
        out = out + np.asarray(b, dtype=float)
    return out
''',
    ),
    Alternative(
        name="sliding_window_view_and_einsum",
        style="numpy stride tricks (sliding_window_view), einsum for the convolution, np.add.at for the backward pass",
        source='''
from numpy.lib.stride_tricks import sliding_window_view


def _pair(v):
    return tuple(int(t) for t in v) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _windows(x, pool_size, stride):
    """(N, H', W', C, kh, kw) windows of a (H, W) or (N, H, W, C) array, and whether it was 2-d."""
    x = np.asarray(x, dtype=float)
    flat = x.ndim == 2
    x4 = x.reshape(1, *x.shape, 1) if flat else x
    kh, kw = _pair(pool_size)
    sh, sw = _pair(pool_size if stride is None else stride)
    win = sliding_window_view(x4, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    return win, flat


def max_pool2d(x, pool_size=2, stride=None):
    win, flat = _windows(x, pool_size, stride)
    out = win.max(axis=(-2, -1))
    return out[0, :, :, 0].copy() if flat else out.copy()


def avg_pool2d(x, pool_size=2, stride=None):
    win, flat = _windows(x, pool_size, stride)
    out = win.mean(axis=(-2, -1))
    return out[0, :, :, 0].copy() if flat else out.copy()


def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    x = np.asarray(x, dtype=float)
    win, flat = _windows(x, pool_size, stride)
    n, ho, wo, c, kh, kw = win.shape
    sh, sw = _pair(pool_size if stride is None else stride)
    first = win.reshape(n, ho, wo, c, kh * kw).argmax(axis=-1)
    a, b = np.divmod(first, kw)
    ni, ii, jj, ci = np.meshgrid(np.arange(n), np.arange(ho), np.arange(wo), np.arange(c), indexing="ij")
    dx = np.zeros((n, *x.shape, c) if flat else x.shape)
    d4 = np.asarray(dout, dtype=float).reshape(n, ho, wo, c)
    np.add.at(dx, (ni, ii * sh + a, jj * sw + b, ci), d4)
    return dx[0, :, :, 0] if flat else dx


def conv_output_size(n, k, stride, padding):
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        return (n - k) // stride + 1
    raise ValueError(padding)


def conv2d(x, w, b=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    kh, kw = w.shape[:2]
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            total = max((-(-size // stride) - 1) * stride + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), mode="constant")
    win = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]  # (N, H', W', Cin, kh, kw)
    out = np.einsum("nijdab,abdc->nijc", win, w)
    return out if b is None else out + np.asarray(b, dtype=float)
''',
    ),
    Alternative(
        name="offsets_and_tensordot",
        style="the notebook's loop over window offsets (np.maximum), tensordot per offset, masks for the backward pass",
        source='''
def _pair(v):
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    kh, kw = v
    return int(kh), int(kw)


def _pool(x, pool_size, stride, combine, start):
    x = np.asarray(x, dtype=float)
    two_d = x.ndim == 2
    if two_d:
        x = x[np.newaxis, :, :, np.newaxis]
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride if stride is not None else pool_size)
    ho, wo = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    out = start(x.shape[0], ho, wo, x.shape[3])
    for a in range(kh):
        for b in range(kw):
            part = x[:, a::sh, b::sw, :][:, :ho, :wo, :]
            out = combine(out, part)
    return out, two_d, (kh, kw)


def max_pool2d(x, pool_size=2, stride=None):
    out, two_d, _ = _pool(x, pool_size, stride, np.maximum, lambda *s: np.full(s, -np.inf))
    return out[0, :, :, 0] if two_d else out


def avg_pool2d(x, pool_size=2, stride=None):
    out, two_d, (kh, kw) = _pool(x, pool_size, stride, np.add, lambda *s: np.zeros(s))
    out = out / (kh * kw)
    return out[0, :, :, 0] if two_d else out


def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    two_d = x.ndim == 2
    if two_d:
        x, dout = x[None, :, :, None], dout[None, :, :, None]
    kh, kw = _pair(pool_size)
    sh, sw = _pair(stride if stride is not None else pool_size)
    ho, wo = dout.shape[1], dout.shape[2]
    pooled = max_pool2d(x, (kh, kw), (sh, sw))
    dx = np.zeros_like(x)
    taken = np.zeros(pooled.shape, dtype=bool)  # window already gave its gradient to an earlier (first) maximum
    for a in range(kh):
        for b in range(kw):
            part = x[:, a:a + sh * (ho - 1) + 1:sh, b:b + sw * (wo - 1) + 1:sw, :]
            hit = (part == pooled) & ~taken
            taken |= hit
            dx[:, a:a + sh * (ho - 1) + 1:sh, b:b + sw * (wo - 1) + 1:sw, :] += np.where(hit, dout, 0.0)
    return dx[0, :, :, 0] if two_d else dx


def conv_output_size(n, k, stride, padding):
    return int(np.ceil(n / stride)) if padding == "same" else int(np.floor((n - k) / stride)) + 1


def conv2d(x, w, b=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n, h, wd, _ = x.shape
    kh, kw, _, cout = w.shape
    ho, wo = conv_output_size(h, kh, stride, padding), conv_output_size(wd, kw, stride, padding)
    if padding == "same":
        ph = max((ho - 1) * stride + kh - h, 0)
        pw = max((wo - 1) * stride + kw - wd, 0)
        padded = np.zeros((n, h + ph, wd + pw, x.shape[3]))
        padded[:, ph // 2:ph // 2 + h, pw // 2:pw // 2 + wd, :] = x
        x = padded
    out = np.zeros((n, ho, wo, cout))
    for a in range(kh):
        for c in range(kw):
            part = x[:, a::stride, c::stride, :][:, :ho, :wo, :]
            out += np.tensordot(part, w[a, c], axes=([3], [0]))
    if b is not None:
        out += b
    return out
''',
    ),
    Alternative(
        name="im2col_matmul",
        style="im2col: gather every window into a matrix with fancy indexing, one matmul; argmax on the columns",
        source='''
def _hw(v):
    return (v, v) if np.ndim(v) == 0 else tuple(v)


def _cols(x4, kh, kw, sh, sw):
    """x4 (N, H, W, C) -> (N, H', W', kh*kw, C) and the row/column index of every window entry."""
    n, h, w, c = x4.shape
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    rows = (np.arange(ho) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    rows = np.broadcast_to(rows, (ho, wo, kh, kw)).reshape(ho, wo, kh * kw)
    cols = np.broadcast_to(cols, (ho, wo, kh, kw)).reshape(ho, wo, kh * kw)
    return x4[:, rows, cols, :], rows, cols


def _prepare(x, pool_size, stride):
    x = np.asarray(x, dtype=float)
    squeeze = x.ndim == 2
    x4 = x[None, ..., None] if squeeze else x
    kh, kw = _hw(pool_size)
    sh, sw = _hw(pool_size if stride is None else stride)
    return x4, squeeze, int(kh), int(kw), int(sh), int(sw)


def max_pool2d(x, pool_size=2, stride=None):
    x4, squeeze, kh, kw, sh, sw = _prepare(x, pool_size, stride)
    out = _cols(x4, kh, kw, sh, sw)[0].max(axis=3)
    return out[0, ..., 0] if squeeze else out


def avg_pool2d(x, pool_size=2, stride=None):
    x4, squeeze, kh, kw, sh, sw = _prepare(x, pool_size, stride)
    out = _cols(x4, kh, kw, sh, sw)[0].sum(axis=3) / (kh * kw)
    return out[0, ..., 0] if squeeze else out


def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    x4, squeeze, kh, kw, sh, sw = _prepare(x, pool_size, stride)
    patches, rows, cols = _cols(x4, kh, kw, sh, sw)  # (N, H', W', kh*kw, C)
    first = patches.argmax(axis=3)  # (N, H', W', C): the first maximum in row-major order
    d4 = np.asarray(dout, dtype=float).reshape(first.shape)
    n, ho, wo, c = first.shape
    N, I, J, C = np.indices((n, ho, wo, c))
    dx = np.zeros(x4.shape)
    np.add.at(dx, (N, rows[I, J, first], cols[I, J, first], C), d4)
    return dx[0, ..., 0] if squeeze else dx


def conv_output_size(n, k, stride, padding):
    if padding.lower() == "same":
        return (n + stride - 1) // stride
    return (n - k) // stride + 1


def conv2d(x, w, b=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    kh, kw, cin, cout = w.shape
    if padding == "same":
        n, h, wd, _ = x.shape
        th = max((conv_output_size(h, kh, stride, "same") - 1) * stride + kh - h, 0)
        tw = max((conv_output_size(wd, kw, stride, "same") - 1) * stride + kw - wd, 0)
        x = np.pad(x, [(0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)])
    patches = _cols(x, kh, kw, stride, stride)[0]  # (N, H', W', kh*kw, Cin)
    n, ho, wo = patches.shape[:3]
    out = patches.reshape(n, ho, wo, kh * kw * cin) @ w.reshape(kh * kw * cin, cout)
    if b is not None:
        out = out + np.asarray(b, dtype=float).reshape(1, 1, 1, cout)
    return out
''',
    ),
]
