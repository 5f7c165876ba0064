"""Wrong implementations of the pooling and convolution functions that the suite must catch."""

from autograder.mutants import Mutant

# The correct windowing, shared by most pooling mutants (each mutant changes one thing).
_POOL_HEAD = '''
    x = np.asarray(x, dtype=float)
    kh, kw = (pool_size, pool_size) if np.ndim(pool_size) == 0 else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    x4 = x[None, :, :, None] if x.ndim == 2 else x
    N, H, W, C = x4.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
'''

_MAX_LOOP = '''
    out = None
    for a in range(kh):
        for b in range(kw):
            part = x4[:, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw, :]
            out = part.copy() if out is None else np.maximum(out, part)
    return out[0, :, :, 0] if x.ndim == 2 else out
'''


def _pool(head: str, body: str, name: str = "max_pool2d") -> str:
    return f"def {name}(x, pool_size=2, stride=None):{head}{body}"


_CONV_HEAD = '''
def conv2d(x, w, b=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    _, H, W, _ = x.shape
    kh, kw, _, cout = w.shape
    s = int(stride)
'''

_CONV_SAME_TF = '''
    if padding == "same":
        Ho, Wo = -(-H // s), -(-W // s)
        pad_h = max((Ho - 1) * s + kh - H, 0)
        pad_w = max((Wo - 1) * s + kw - W, 0)
        x = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    else:
        Ho, Wo = (H - kh) // s + 1, (W - kw) // s + 1
'''

_CONV_LOOP = '''
    out = np.zeros((x.shape[0], Ho, Wo, cout))
    for a in range(kh):
        for c in range(kw):
            out += x[:, a:a + s * (Ho - 1) + 1:s, c:c + s * (Wo - 1) + 1:s, :] @ w[a, c]
'''

_CONV_BIAS = '''
    if b is not None:
        out += np.asarray(b, dtype=float)
    return out
'''

_BWD_HEAD = '''
def max_pool2d_backward(dout, x, pool_size=2, stride=None):
    x = np.asarray(x, dtype=float)
    dout = np.asarray(dout, dtype=float)
    kh, kw = (pool_size, pool_size) if np.ndim(pool_size) == 0 else pool_size
    stride = pool_size if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    x4 = x[None, :, :, None] if x.ndim == 2 else x
    d4 = dout[None, :, :, None] if x.ndim == 2 else dout
    N, H, W, C = x4.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    dx = np.zeros_like(x4)
'''


def _bwd_per_window(route: str) -> str:
    """A loop over windows (the textbook version); ``route`` writes into dx for window (n, i, j, c)."""
    return _BWD_HEAD + f'''
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                for c in range(C):
                    win = x4[n, i * sh:i * sh + kh, j * sw:j * sw + kw, c]
{route}
    return dx[0, :, :, 0] if x.ndim == 2 else dx
'''


MUTANTS = [
    # ------------------------------------------------------------------ max_pool2d
    Mutant("max_same_padding", "max_pool2d", "pads like SAME (output ceil(H / s)) instead of VALID", "VALID",
           _pool(_POOL_HEAD, '''
    Ho, Wo = -(-H // sh), -(-W // sw)
    ph, pw = max((Ho - 1) * sh + kh - H, 0), max((Wo - 1) * sw + kw - W, 0)
    x4 = np.pad(x4, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)), constant_values=-np.inf)
''' + _MAX_LOOP)),
    Mutant("max_stride_always_1", "max_pool2d", "ignores the stride: the window always moves by 1",
           "moves by the stride",
           _pool(_POOL_HEAD + "    sh = sw = 1\n    Ho, Wo = H - kh + 1, W - kw + 1\n", _MAX_LOOP)),
    Mutant("max_stride_is_pool_size", "max_pool2d", "ignores the stride argument: stride is always pool_size",
           "use the stride argument",
           _pool(_POOL_HEAD + "    sh, sw = kh, kw\n    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1\n",
                 _MAX_LOOP)),
    Mutant("max_window_transposed", "max_pool2d", "reads pool_size/stride pairs as (width, height)",
           "height first",
           _pool(_POOL_HEAD + "    kh, kw, sh, sw = kw, kh, sw, sh\n"
                 "    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1\n", _MAX_LOOP)),
    Mutant("max_hw_mixed_up", "max_pool2d", "computes the number of rows from W and of columns from H",
           "non-square",
           _pool(_POOL_HEAD + "    Ho, Wo = (W - kw) // sw + 1, (H - kh) // sh + 1\n", _MAX_LOOP)),
    Mutant("max_starts_at_zero", "max_pool2d", "starts the running maximum at 0 (wrong for negative inputs)",
           "negative",
           _pool(_POOL_HEAD, '''
    out = np.zeros((N, Ho, Wo, C))
    for a in range(kh):
        for b in range(kw):
            out = np.maximum(out, x4[:, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw, :])
    return out[0, :, :, 0] if x.ndim == 2 else out
''')),
    Mutant("max_keeps_int_dtype", "max_pool2d", "keeps the integer dtype of an integer image", "float",
           _pool(_POOL_HEAD.replace("np.asarray(x, dtype=float)", "np.asarray(x)"), _MAX_LOOP)),
    Mutant("max_2d_keeps_batch_axes", "max_pool2d", "returns (1, H', W', 1) for an (H, W) input",
           "(H, W)", _pool(_POOL_HEAD, _MAX_LOOP.replace("out[0, :, :, 0] if x.ndim == 2 else out", "out"))),
    # ------------------------------------------------------------------ avg_pool2d
    Mutant("avg_uses_max", "avg_pool2d", "takes the maximum of each window instead of the mean", "mean",
           _pool(_POOL_HEAD, _MAX_LOOP, "avg_pool2d")),
    Mutant("avg_integer_division", "avg_pool2d", "keeps integers and divides with //", "use / rather than //",
           _pool(_POOL_HEAD.replace("np.asarray(x, dtype=float)", "np.asarray(x)"), '''
    out = np.zeros((N, Ho, Wo, C), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            out += x4[:, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw, :]
    out //= kh * kw
    return out[0, :, :, 0] if x.ndim == 2 else out
''', "avg_pool2d")),
    Mutant("avg_divides_in_place", "avg_pool2d", "divides the caller's array in place (x /= k * k)", "in place",
           _pool(_POOL_HEAD.replace("np.asarray(x, dtype=float)", "np.asarray(x)\n    x /= np.prod(np.broadcast_to("
                                    "pool_size, 2))\n    x = np.asarray(x, dtype=float)"), '''
    out = np.zeros((N, Ho, Wo, C))
    for a in range(kh):
        for b in range(kw):
            out += x4[:, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw, :]
    return out[0, :, :, 0] if x.ndim == 2 else out
''', "avg_pool2d")),
    Mutant("avg_divides_by_kh_squared", "avg_pool2d", "divides by kh * kh instead of kh * kw", "kh * kw",
           _pool(_POOL_HEAD, '''
    out = np.zeros((N, Ho, Wo, C))
    for a in range(kh):
        for b in range(kw):
            out += x4[:, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw, :]
    out /= kh * kh
    return out[0, :, :, 0] if x.ndim == 2 else out
''', "avg_pool2d")),
    # ------------------------------------------------------------------ max_pool2d_backward
    Mutant("bwd_every_tied_maximum", "max_pool2d_backward", "sends the gradient to every entry that ties for "
           "the maximum", "first", _bwd_per_window(
               "                    dx[n, i * sh:i * sh + kh, j * sw:j * sw + kw, c] += "
               "(win == win.max()) * d4[n, i, j, c]")),
    Mutant("bwd_last_maximum", "max_pool2d_backward", "sends the gradient to the last maximum of the window",
           "not to the last one", _bwd_per_window(
               "                    flat = win.size - 1 - np.argmax(win.ravel()[::-1])\n"
               "                    a, b = divmod(flat, kw)\n"
               "                    dx[n, i * sh + a, j * sw + b, c] += d4[n, i, j, c]")),
    Mutant("bwd_assigns_instead_of_adding", "max_pool2d_backward", "writes dx[...] = dout instead of adding "
           "(overlapping windows lose gradient)", "add up", _bwd_per_window(
               "                    a, b = np.unravel_index(np.argmax(win), win.shape)\n"
               "                    dx[n, i * sh + a, j * sw + b, c] = d4[n, i, j, c]")),
    Mutant("bwd_marks_without_dout", "max_pool2d_backward", "puts 1 at each maximum instead of the upstream "
           "gradient dout", "route dout", _bwd_per_window(
               "                    a, b = np.unravel_index(np.argmax(win), win.shape)\n"
               "                    dx[n, i * sh + a, j * sw + b, c] += 1.0")),
    Mutant("bwd_stride_is_pool_size", "max_pool2d_backward", "ignores the stride (uses stride = pool_size)",
           "stride of the forward pass", _bwd_per_window(
               "                    win = x4[n, i * kh:i * kh + kh, j * kw:j * kw + kw, c]\n"
               "                    a, b = np.unravel_index(np.argmax(win), win.shape)\n"
               "                    if i * kh + a < H and j * kw + b < W:\n"
               "                        dx[n, i * kh + a, j * kw + b, c] += d4[n, i, j, c]")),
    # ------------------------------------------------------------------ conv_output_size
    Mutant("size_valid_off_by_one", "conv_output_size", "'valid' without the + 1", "off by one", '''
def conv_output_size(n, k, stride, padding):
    if padding == "valid":
        return (n - k) // stride
    return -(-n // stride)
'''),
    Mutant("size_same_rounds_down", "conv_output_size", "'same' rounds n / stride down", "round up", '''
def conv_output_size(n, k, stride, padding):
    if padding == "valid":
        return (n - k) // stride + 1
    return n // stride
'''),
    Mutant("size_same_from_kernel", "conv_output_size", "'same' as valid with k // 2 padding on both sides",
           "whatever the kernel", '''
def conv_output_size(n, k, stride, padding):
    if padding == "valid":
        return (n - k) // stride + 1
    return (n + 2 * (k // 2) - k) // stride + 1
'''),
    Mutant("size_returns_float", "conv_output_size", "returns floats (true division and np.ceil)", "python int",
           '''
def conv_output_size(n, k, stride, padding):
    if padding == "valid":
        return np.floor((n - k) / stride) + 1
    return np.ceil(n / stride)
'''),
    # ------------------------------------------------------------------ conv2d
    Mutant("conv_flipped_kernel", "conv2d", "flips the kernel (true convolution instead of TensorFlow's "
           "cross-correlation)", "flip", _CONV_HEAD + "    w = w[::-1, ::-1]\n" + _CONV_SAME_TF + _CONV_LOOP
           + _CONV_BIAS),
    Mutant("conv_same_extra_on_top", "conv2d", "'same' puts the extra padding row on top and column on the left",
           "not on top", _CONV_HEAD + _CONV_SAME_TF.replace(
               "(pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2)",
               "(pad_h - pad_h // 2, pad_h // 2), (pad_w - pad_w // 2, pad_w // 2)") + _CONV_LOOP + _CONV_BIAS),
    Mutant("conv_same_k_over_2", "conv2d", "'same' pads kh // 2 rows on each side whatever the stride",
           "depends on the stride", _CONV_HEAD + '''
    if padding == "same":
        x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    Ho, Wo = (x.shape[1] - kh) // s + 1, (x.shape[2] - kw) // s + 1
''' + _CONV_LOOP + _CONV_BIAS),
    Mutant("conv_ignores_bias", "conv2d", "never adds the bias", "one value per output channel",
           _CONV_HEAD + _CONV_SAME_TF + _CONV_LOOP + "    return out\n"),
    Mutant("conv_bias_on_input_channels", "conv2d", "adds the bias to the input channels before convolving",
           "not to the input", _CONV_HEAD + '''
    if b is not None:
        x = x + np.asarray(b, dtype=float)
''' + _CONV_SAME_TF + _CONV_LOOP + "    return out\n"),
    Mutant("conv_channels_swapped", "conv2d", "reads w as (kh, kw, Cout, Cin) (transposed channel matrix)",
           "transposed", _CONV_HEAD + _CONV_SAME_TF + _CONV_LOOP.replace("@ w[a, c]", "@ w[a, c].T") + _CONV_BIAS),
    Mutant("conv_hw_mixed_up", "conv2d", "computes the output width from H and the height from W", "non-square",
           _CONV_HEAD + _CONV_SAME_TF + "    Ho, Wo = (Wo, Ho) if padding == 'valid' else (Ho, Wo)\n"
           + _CONV_LOOP + _CONV_BIAS),
    Mutant("conv_keeps_int_dtype", "conv2d", "keeps the integer dtype of integer inputs", "float",
           _CONV_HEAD.replace("np.asarray(x, dtype=float)", "np.asarray(x)").replace(
               "np.asarray(w, dtype=float)", "np.asarray(w)") + _CONV_SAME_TF
           + _CONV_LOOP.replace("np.zeros((x.shape[0], Ho, Wo, cout))", "np.zeros((x.shape[0], Ho, Wo, cout), "
                                "dtype=np.result_type(x, w))") + _CONV_BIAS),
]
