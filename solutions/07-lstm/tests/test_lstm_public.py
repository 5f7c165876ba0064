"""Public tests for exercise 07 (LSTMs): the worked examples and the basic contracts.

Run them from the notebook with ``check("lstm_cell_forward")`` (one exercise) or ``check_all()``. In the
notebook they call your functions directly; the grader runs them in its sandbox (``sample`` gets its
random generator there, and Keras models are built and trained there, and described to the grader). The
grader also runs many hidden tests on random inputs, and trains your character model on Python source.
"""

import math

import numpy as np
import pytest
from selfcheck import (
    CheckFailure,
    MissingFunction,
    NamespaceStudent,
    StudentRaised,
    expect_array,
    expect_equal,
    expect_tuple,
    expect_unchanged,
)

# The worked example of the notebook: D = 2, H = 1.
EXAMPLE = {"W": np.array([[0.5, 0.0, 1.0, 0.0], [0.0, 0.5, -0.5, 0.5]]),
           "U": np.array([[1.0, 1.0, 0.0, -2.0]]),
           "b": np.array([0.0, 0.5, 0.5, 0.0])}
X_EXAMPLE, H_EXAMPLE, C_EXAMPLE = np.array([[1.0, 2.0]]), np.array([[0.5]]), np.array([[1.0]])
XS_EXAMPLE = np.array([[[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0]]])
HS_EXAMPLE = np.array([[[0.41962505799026834], [0.24672230559392258], [0.25500883156648646]]])
C_T_EXAMPLE = np.array([[0.5605042210810207]])


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def random_params(rng, d, h, scale=0.5):
    return {"W": rng.normal(0, scale, (d, 4 * h)), "U": rng.normal(0, scale, (h, 4 * h)),
            "b": rng.normal(0, scale, 4 * h)}


def raise_kit_error(err, function):
    """The grader's sandbox reports an exception in your code: raise it here as the self-check would."""
    if err.get("type") == "MissingFunction":
        raise MissingFunction(f"{function} is not defined")
    if err.get("type") == "NotImplementedError":
        raise StudentRaised(f"{function} is not implemented yet (it raises NotImplementedError)",
                            "NotImplementedError")
    raise StudentRaised(f"{function} raised {err.get('type')}: {err.get('message')}", str(err.get("type")))


# --------------------------------------------------------------------------- lstm_cell_forward


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Go through the worked example of the notebook step by step and compare your z, gates, c and h.",
    "z = x·W + h_prev·U + b has 4H columns; with H = 1 they are z_i = 1, z_f = 2, z_c = 0.5, z_o = 0 (Keras' "
    "order i, f, c, o). Then i, f, o are sigmoids, g is a tanh, c = f·c_prev + i·g and h = o·tanh(c).",
)
@pytest.mark.spec(
    "**A worked example** with $D = 2$ inputs and $H = 1$ unit",
    "$c_t = 0.8808 \\cdot 1 + 0.7311 \\cdot 0.4621 = 1.2186$ and $h_t = 0.5 \\cdot \\tanh(1.2186) = 0.4196$.",
)
def test_cell_worked_example(student):
    out = student.lstm_cell_forward(X_EXAMPLE, H_EXAMPLE, C_EXAMPLE, EXAMPLE)
    expect_tuple(out, 2, name="lstm_cell_forward(...)")
    c = sig(2.0) * 1.0 + sig(1.0) * math.tanh(0.5)
    h = sig(0.0) * math.tanh(c)
    expect_array(out[1], np.array([[c]]), name="c", dtype="float")
    expect_array(out[0], np.array([[h]]), name="h", dtype="float")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return (h, c), each of shape (N, H), with |h| < 1, and do not change the arrays you are given.",
    "For x of shape (3, 4) and states of shape (3, 5), W is (4, 20), U is (5, 20) and b is (20,): z has 20 "
    "columns, four blocks of H = 5. Compute new arrays (c = f * c_prev + ..., not c_prev *= ...).",
)
@pytest.mark.spec(
    "gate blocks in Keras' order i, f, c (candidate), o. Returns (h, c), two (N, H) arrays.",
    "$|h| < 1$",
    "Never modify the arrays you are given.",
)
def test_cell_contract(student, rng):
    params = random_params(rng, 4, 5)
    x, h_prev, c_prev = rng.normal(size=(3, 4)), rng.normal(0, 0.5, (3, 5)), rng.normal(size=(3, 5))
    call = student.call("lstm_cell_forward", x, h_prev, c_prev, params)
    expect_tuple(call.value, 2, name="lstm_cell_forward(...)")
    h, c = call.value
    expect_array(h, np.zeros((3, 5)), name="h", dtype="float", atol=np.inf)  # type, shape and dtype only
    expect_array(c, np.zeros((3, 5)), name="c", dtype="float", atol=np.inf)
    for name, before, after in (("x", x, call.args[0]), ("h_prev", h_prev, call.args[1]),
                                ("c_prev", c_prev, call.args[2])):
        expect_unchanged(before, after, name=name)
    if not np.all(np.abs(h) < 1):
        raise CheckFailure("h has entries of size 1 or more: h = o * tanh(c) is always between -1 and 1")


# --------------------------------------------------------------------------- lstm_forward


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The first step of the worked sequence is the cell's worked example; then carry (h, c) on.",
    "Loop over t = 0, 1, ..., T-1: (h, c) = lstm_cell_forward(xs[:, t, :], h, c, params), starting from "
    "(h0, c0), and keep every h. hs[:, t] is the h after step t.",
)
@pytest.mark.spec(
    "hs[0, :, 0] = [0.41962506 0.24672231 0.25500883]",
)
def test_forward_worked_example(student):
    out = student.lstm_forward(XS_EXAMPLE, H_EXAMPLE, C_EXAMPLE, EXAMPLE)
    expect_tuple(out, 2, name="lstm_forward(...)")
    hs, state = out
    expect_array(hs, HS_EXAMPLE, name="hs", dtype="float")
    expect_tuple(state, 2, name="the final state (h_T, c_T)")
    expect_array(state[0], HS_EXAMPLE[:, -1], name="h_T", dtype="float")
    expect_array(state[1], C_T_EXAMPLE, name="c_T", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A sequence of length 1 is one step of the cell.",
    "For T = 1, hs[:, 0] and the final state must equal what lstm_cell_forward returns for xs[:, 0, :], h0, c0. "
    "hs has shape (N, T, H): example, time, unit.",
)
@pytest.mark.spec(
    "An LSTM layer applies the same cell (the same $W$, $U$, $b$) at every time step, and hands each step's $(h, "
    "c)$ to the next.",
    "Use your `lstm_cell_forward`.",
)
def test_forward_one_step_is_the_cell(student, rng):
    params = random_params(rng, 3, 4)
    xs, h0, c0 = rng.normal(size=(2, 1, 3)), rng.normal(0, 0.5, (2, 4)), rng.normal(size=(2, 4))
    h, c = student.lstm_cell_forward(xs[:, 0, :], h0, c0, params)
    out = student.lstm_forward(xs, h0, c0, params)
    expect_tuple(out, 2, name="lstm_forward(...)")
    expect_array(out[0], np.asarray(h)[:, None, :], name="hs for T = 1", dtype="float")
    expect_tuple(out[1], 2, name="the final state (h_T, c_T)")
    expect_array(out[1][1], np.asarray(c), name="c_T for T = 1", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "hs has shape (N, T, H), and h_T is its last time step.",
    "Stack the h of every step along axis 1 (np.stack(list_of_h, axis=1)); return (hs, (h, c)) with the h "
    "and c of the last step. Do not change xs, h0 or c0.",
)
@pytest.mark.spec(
    "Return `(hs, (h_T, c_T))`: `hs` of shape `(N, T, H)` holds $h_t$ of every step (`hs[:, t]` is $h_{t+1}$ of "
    "step $t+1$, counting from 1), and `(h_T, c_T)` is the state after the last step.",
    "Never modify the arrays you are given.",
)
def test_forward_shapes_and_last_state(student, rng):
    params = random_params(rng, 3, 4)
    xs, h0, c0 = rng.normal(size=(5, 6, 3)), rng.normal(0, 0.5, (5, 4)), rng.normal(size=(5, 4))
    call = student.call("lstm_forward", xs, h0, c0, params)
    expect_tuple(call.value, 2, name="lstm_forward(...)")
    hs, state = call.value
    expect_array(hs, np.zeros((5, 6, 4)), name="hs", dtype="float", atol=np.inf)
    expect_tuple(state, 2, name="the final state (h_T, c_T)")
    expect_array(state[0], hs[:, -1], name="h_T (the last step of hs)", dtype="float")
    for name, before, after in (("xs", xs, call.args[0]), ("h0", h0, call.args[1]), ("c0", c0, call.args[2])):
        expect_unchanged(before, after, name=name)


# --------------------------------------------------------------------------- sample


def draws(student, probs, temperature, seed, n):
    """n calls of sample(probs, temperature, rng), all with one rng = np.random.default_rng(seed)."""
    if isinstance(student, NamespaceStudent):  # the self-check: call your function here
        rng = np.random.default_rng(seed)
        values = [student._invoke("sample", (np.array(probs, dtype=float), temperature, rng), {})
                  for _ in range(n)]
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int)]
        if bad:
            raise CheckFailure(f"sample returned a {type(bad[0]).__name__} ({bad[0]!r}); return a Python int: "
                               "int(...)")
        return np.array(values)
    out = student.kit("lstm_tools.sample_many", np.array(probs, dtype=float), temperature, seed, n)  # the grader
    if out.get("error"):
        raise_kit_error(out["error"], "sample")
    if out.get("problem"):
        raise CheckFailure(str(out["problem"]))
    if out.get("types") != ["int"]:
        raise CheckFailure(f"sample returned a {', '.join(out.get('types') or ['?'])}; return a Python int: int(...)")
    return out["draws"]


def chi_square_ok(counts, expected_p, n):
    """Pearson's chi-square statistic below the 1e-4 quantile bound (Wilson-Hilferty) for len - 1 degrees."""
    expected = n * np.asarray(expected_p)
    stat = float(np.sum((counts - expected) ** 2 / expected))
    k = len(expected) - 1
    z = 3.719  # the standard normal's 1 - 1e-4 quantile
    bound = k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3
    return stat, bound


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Temperature 0 (or anything up to 1e-8) means: always the most likely index.",
    "Check for temperature <= 1e-8 before dividing by it and return int(np.argmax(probs)). Return a Python int.",
)
@pytest.mark.spec(
    "for `temperature <= 1e-8` (0 included) return the index of the largest probability (no division by $T$!);",
    "return a Python `int`.",
)
def test_sample_zero_temperature_is_argmax(student):
    probs = [0.1, 0.2, 0.4, 0.3]
    for temperature in (0, 1e-9):
        got = draws(student, probs, temperature, 0, 5)
        expect_array(got, np.full(5, 2), name=f"5 draws at temperature {temperature}", dtype="int", exact=True)


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At temperature 1, draw from probs itself.",
    "Draw with the generator you are given: rng.choice(len(p), p=p). Over 2,000 draws each index should come "
    "up about 2,000 * probs[k] times.",
)
@pytest.mark.spec(
    "$T = 1$: the model's own distribution;",
    "otherwise draw **with the generator you are given**, exactly like this: `rng.choice(len(p), p=p)`, where `p` "
    "is $p_T$ (the grader draws with the same seed and compares);",
)
def test_sample_temperature_one_follows_probs(student):
    probs = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.04])
    counts = np.bincount(draws(student, probs, 1.0, 1, 2000), minlength=len(probs))
    if len(counts) != len(probs):
        raise CheckFailure(f"sample returned indices outside 0..{len(probs) - 1}")
    stat, bound = chi_square_ok(counts, probs, 2000)
    if stat > bound:
        raise CheckFailure(f"2,000 draws at temperature 1 gave the counts {counts.tolist()}, far from "
                           f"{(2000 * probs).round().astype(int).tolist()} (chi-square {stat:.1f} > {bound:.1f})")


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A temperature below 1 makes the likely indices likelier.",
    "At temperature 0.5 the probabilities become probs ** 2, normalized: with probs = (0.6, 0.3, 0.1) that is "
    "(0.783, 0.196, 0.022). Divide the logarithms by the temperature, then softmax.",
)
@pytest.mark.spec(
    "$T < 1$: sharper, the likely characters get likelier;",
    "p ~ probs ** (1 / temperature), computed in log space, drawn with rng.choice(len(p), p=p).",
)
def test_sample_low_temperature_sharpens(student):
    probs = np.array([0.6, 0.3, 0.1])
    counts = np.bincount(draws(student, probs, 0.5, 2, 2000), minlength=3)
    if len(counts) != 3:
        raise CheckFailure("sample returned indices outside 0..2")
    sharp = probs ** 2 / np.sum(probs ** 2)
    stat, bound = chi_square_ok(counts, sharp, 2000)
    if stat > bound:
        raise CheckFailure(f"2,000 draws at temperature 0.5 from (0.6, 0.3, 0.1) gave the counts "
                           f"{counts.tolist()}, expected about {(2000 * sharp).round().astype(int).tolist()}")


# --------------------------------------------------------------------------- encoding


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The vocabulary of 'hello world' is [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']: sorted, each character once.",
    "build_vocab returns sorted(set(text)) as a list; encode gives each character's position in that list, as "
    "an int array; decode looks the positions up again.",
)
@pytest.mark.spec(
    "vocab = [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']",
    "encode('hello', vocab) = [3 2 4 4 5]",
    "`build_vocab(text)`: the sorted list of the distinct characters of `text` (a `list` of 1-character strings);",
    "`encode(text, vocab)`: a numpy array of ints, the position in `vocab` of each character of `text`",
    "`decode(indices, vocab)`: the string of the characters at those positions (`indices` may be a list or an "
    "array).",
)
def test_encoding_worked_example(student):
    vocab = student.build_vocab("hello world")
    expect_equal(vocab, [" ", "d", "e", "h", "l", "o", "r", "w"], name="build_vocab('hello world')")
    expect_array(student.encode("hello", vocab), np.array([3, 2, 4, 4, 5]), name="encode('hello', vocab)",
                 dtype="int", exact=True)
    expect_equal(student.decode([7, 5, 6, 4, 1], vocab), "world", name="decode([7, 5, 6, 4, 1], vocab)")


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "decode(encode(text, vocab), vocab) must give the text back, newlines and spaces included.",
    "encode returns one int per character (an array of length len(text)); decode accepts a list or an array "
    "of ints and joins the characters into one string.",
)
@pytest.mark.spec(
    "`decode(encode(text, vocab), vocab) == text`.",
    "`encode(text, vocab)`: a numpy array of ints, the position in `vocab` of each character of `text`",
    "`decode(indices, vocab)`: the string of the characters at those positions (`indices` may be a list or an "
    "array).",
)
def test_encoding_round_trip(student):
    text = "def f(x):\n    return x + 1  # one more\n"
    vocab = student.build_vocab(text)
    ids = student.encode(text, vocab)
    expect_array(ids, np.zeros(len(text)), name="encode(text, vocab)", dtype="int", atol=np.inf)
    expect_equal(student.decode(ids, vocab), text, name="decode(encode(text, vocab), vocab)")


# --------------------------------------------------------------------------- build_char_model


def describe_model(student, vocab_size, seq_len):
    """Input shape, output shape, layer types, compiled loss of build_char_model(vocab_size, seq_len)."""
    if isinstance(student, NamespaceStudent):  # the self-check: build the model here
        model = student.build_char_model(vocab_size, seq_len)
        import keras

        if not isinstance(model, keras.Model):
            raise CheckFailure(f"build_char_model returned a {type(model).__name__}, not a keras.Model")
        loss = getattr(model, "loss", None)
        loss = loss if isinstance(loss, str) or loss is None else getattr(loss, "name", type(loss).__name__)
        return {"input_shape": list(model.input_shape), "output_shape": list(model.output_shape),
                "layers": [type(layer).__name__ for layer in model.layers],
                "compiled": getattr(model, "optimizer", None) is not None, "loss": loss or ""}
    from autograder.keras_measure import built_archive, cached  # the grader: measured where no student code runs

    d = cached(student, f"describe {vocab_size} {seq_len}", lambda: student.measure(
        "describe_chars", built_archive(student, "build_char_model", vocab_size, seq_len), vocab_size, seq_len))
    if not isinstance(d, dict) or not isinstance(d.get("layers"), list):
        raise CheckFailure("the description of build_char_model's model could not be read")
    if d.get("problem"):
        raise CheckFailure(str(d["problem"]))
    return {**d, "layers": [layer["type"] for layer in d["layers"]]}


@pytest.mark.question("build_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Windows of seq_len indices in, vocab_size probabilities out, with an LSTM in between, compiled.",
    "keras.Input(shape=(seq_len,), dtype='int32'), Embedding(vocab_size, 32), LSTM(128), "
    "Dense(vocab_size, activation='softmax'); compile with Adam and 'sparse_categorical_crossentropy'. Use the "
    "arguments, not this notebook's numbers.",
)
@pytest.mark.spec(
    "Write `build_char_model(vocab_size, seq_len)`, a Keras model that takes windows of `seq_len` character "
    "indices and returns the probabilities of the next character:",
    "Compile it with `keras.optimizers.Adam(learning_rate=0.01)` (ten times Keras' default: the grader trains for "
    'only 2 epochs) and the loss `"sparse_categorical_crossentropy"` (the targets are character indices).',
)
def test_char_model_shapes(student):
    d = describe_model(student, 30, 10)
    if tuple(d["input_shape"]) != (None, None):  # a model for windows of any length is fine too
        expect_equal(tuple(d["input_shape"]), (None, 10), name="the input shape of build_char_model(30, 10)")
    expect_equal(tuple(d["output_shape"]), (None, 30), name="the output shape of build_char_model(30, 10)")
    if "LSTM" not in d["layers"]:
        raise CheckFailure(f"the model has no LSTM layer (its layers: {', '.join(d['layers'])})")
    if not d["compiled"]:
        raise CheckFailure("the model is not compiled: call model.compile(...) before returning it")
    if "sparse_categorical_crossentropy" not in str(d["loss"]).lower():
        raise CheckFailure(f"the model is compiled with the loss {d['loss']!r}; the targets are character "
                           "indices: 'sparse_categorical_crossentropy'")


# --------------------------------------------------------------------------- train_char_model


def probe_data(n=256, seq_len=6, vocab_size=5):
    """Windows of a repeating pattern 0 1 2 3 4 0 1 ...: the next index is easy to learn."""
    ids = np.arange(n + seq_len) % vocab_size
    x = np.stack([ids[s:s + seq_len] for s in range(n)]).astype(np.int32)
    return x, ids[seq_len:seq_len + n].astype(np.int32)


def train_losses(student, epochs, batch_size):
    """The losses of the History that train_char_model returns, for a small LSTM on the probe data."""
    x, y = probe_data()
    if isinstance(student, NamespaceStudent):  # the self-check: a small model built here
        import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((x.shape[1],), dtype="int32"), keras.layers.Embedding(5, 8),
                                  keras.layers.LSTM(16), keras.layers.Dense(5, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
        history = student._invoke("train_char_model", (model, x, y, epochs, batch_size), {})
        hist = getattr(history, "history", None)
        if not isinstance(hist, dict) or "loss" not in hist:
            raise CheckFailure(f"train_char_model returned a {type(history).__name__}, not the History of model.fit")
        return [float(v) for v in hist["loss"]]
    out = student.kit("lstm_tools.train_probe", x, y, 5, epochs, batch_size)  # the grader's sandbox
    if out.get("error"):
        raise_kit_error(out["error"], "train_char_model")
    if out.get("problem"):
        raise CheckFailure(str(out["problem"]))
    return out["loss"]


@pytest.mark.question("train_char_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Call model.fit with the epochs and batch size you are given, and return what it returns.",
    "model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0) returns a History; "
    "history.history['loss'] has one training loss per epoch, and on this easy pattern it goes down.",
)
@pytest.mark.spec(
    "Write `train_char_model(model, x, y, epochs, batch_size)`: train the compiled model on the windows `x` (`(n, "
    "seq_len)` ints) and targets `y` (`(n,)` ints) for `epochs` epochs with mini-batches of `batch_size`, and "
    "return the `History` that `model.fit` returns.",
)
def test_train_returns_one_loss_per_epoch(student):
    losses = train_losses(student, 3, 32)
    if len(losses) != 3:
        raise CheckFailure(f"train_char_model(model, x, y, epochs=3, batch_size=32) returned {len(losses)} "
                           "losses, expected one per epoch: 3")
    if not losses[-1] < losses[0]:
        raise CheckFailure(f"the training loss does not go down: {[round(v, 4) for v in losses]}")
