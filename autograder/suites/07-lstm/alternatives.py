"""Valid implementations of 07-lstm, written from the released notebook's text alone (see autograder.alternatives).

Each one trains the character model in the sandbox when graded (tens of seconds on 2 cores).
"""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="split_and_loops",
        style="np.split into the four gates, a Python list of steps stacked at the end, normalising by the sum, "
        "a dict comprehension and list comprehensions for the encoding, keras.Sequential",
        source='''
import numpy as np


def lstm_cell_forward(x, h_prev, c_prev, params):
    z = x @ params["W"] + h_prev @ params["U"] + params["b"]
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)
    g = np.tanh(z_c)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c


def lstm_forward(xs, h0, c0, params):
    h, c = h0, c0
    steps = []
    for t in range(xs.shape[1]):
        h, c = lstm_cell_forward(xs[:, t, :], h, c, params)
        steps.append(h)
    return np.stack(steps, axis=1), (h, c)


def sample(probs, temperature, rng):
    probs = np.asarray(probs, dtype=float)
    if temperature <= 1e-8:
        return int(np.argmax(probs))
    with np.errstate(divide="ignore"):
        logits = np.log(probs) / temperature
    weights = np.exp(logits - np.max(logits))
    p = weights / np.sum(weights)
    return int(rng.choice(len(p), p=p))


def build_vocab(text):
    return sorted(set(text))


def encode(text, vocab):
    index = {ch: k for k, ch in enumerate(vocab)}
    return np.array([index[ch] for ch in text], dtype=int)


def decode(indices, vocab):
    return "".join([vocab[int(k)] for k in indices])


def build_char_model(vocab_size, seq_len):
    import keras

    model = keras.Sequential([
        keras.Input(shape=(seq_len,), dtype="int32"),
        keras.layers.Embedding(vocab_size, 32),
        keras.layers.LSTM(128),
        keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    return model


def train_char_model(model, x, y, epochs, batch_size):
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
''',
    ),
    Alternative(
        name="reshape_gates_functional",
        style="the gates from a reshape to (N, 4, H) and einsum, a preallocated output filled step by step, "
        "np.logaddexp.reduce for the normaliser, np.fromiter and map, the functional API with tf.keras names",
        source='''
import numpy as np


def lstm_cell_forward(x, h_prev, c_prev, params):
    n, hidden = h_prev.shape
    z = np.einsum("nd,dk->nk", x, params["W"]) + np.einsum("nh,hk->nk", h_prev, params["U"]) + params["b"]
    gates = z.reshape(n, 4, hidden)
    i = sigmoid(gates[:, 0])
    f = sigmoid(gates[:, 1])
    g = np.tanh(gates[:, 2])
    o = sigmoid(gates[:, 3])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_forward(xs, h0, c0, params):
    n, steps, _ = xs.shape
    hs = np.empty((n, steps, h0.shape[1]))
    h, c = h0.copy(), c0.copy()
    for t in range(steps):
        h, c = lstm_cell_forward(xs[:, t], h, c, params)
        hs[:, t] = h
    return hs, (h, c)


def sample(probs, temperature, rng):
    if temperature <= 1e-8:
        return int(np.asarray(probs).argmax())
    with np.errstate(divide="ignore"):
        scaled = np.log(np.asarray(probs, dtype=np.float64)) / temperature
    p = np.exp(scaled - np.logaddexp.reduce(scaled))
    p = p / p.sum()
    return int(rng.choice(len(p), p=p))


def build_vocab(text):
    return sorted({ch for ch in text})


def encode(text, vocab):
    lookup = dict(zip(vocab, range(len(vocab))))
    return np.fromiter((lookup[ch] for ch in text), dtype=np.int64, count=len(text))


def decode(indices, vocab):
    return "".join(map(vocab.__getitem__, np.asarray(indices, dtype=int).tolist()))


def build_char_model(vocab_size, seq_len):
    import tensorflow as tf

    inputs = tf.keras.Input(shape=(seq_len,), dtype="int32")
    a = tf.keras.layers.Embedding(input_dim=vocab_size, output_dim=32)(inputs)
    a = tf.keras.layers.LSTM(units=128)(a)
    outputs = tf.keras.layers.Dense(vocab_size, activation="softmax")(a)
    model = tf.keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


def train_char_model(model, x, y, epochs, batch_size):
    history = model.fit(x=x, y=y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return history
''',
    ),
    Alternative(
        name="separate_gates_logistic",
        style="each gate from its own column slice of W, U and b, the logistic function written with "
        "np.logaddexp, a loop over xs.transpose(1, 0, 2), a manual softmax of log(probs) / T, "
        "Sequential.add with a loss object and an accuracy metric",
        source='''
import numpy as np


def _logistic(z):
    return np.exp(-np.logaddexp(0.0, -z))


def lstm_cell_forward(x, h_prev, c_prev, params):
    W, U, b = params["W"], params["U"], params["b"]
    H = h_prev.shape[1]

    def block(k):
        cols = slice(k * H, (k + 1) * H)
        return x @ W[:, cols] + h_prev @ U[:, cols] + b[cols]

    i = _logistic(block(0))
    f = _logistic(block(1))
    g = np.tanh(block(2))
    o = _logistic(block(3))
    c = c_prev * f + g * i
    h = np.tanh(c) * o
    return h, c


def lstm_forward(xs, h0, c0, params):
    state = (h0, c0)
    outputs = []
    for x_t in xs.transpose(1, 0, 2):
        state = lstm_cell_forward(x_t, state[0], state[1], params)
        outputs.append(state[0])
    hs = np.array(outputs).transpose(1, 0, 2)
    return hs, state


def sample(probs, temperature, rng):
    probs = np.array(probs, dtype=float)
    if temperature > 1e-8:
        with np.errstate(divide="ignore"):
            z = np.log(probs) / temperature
        z -= z.max()
        e = np.exp(z)
        p = e / e.sum()
        return int(rng.choice(len(p), p=p))
    return int(probs.argmax())


def build_vocab(text):
    vocab = list(set(text))
    vocab.sort()
    return vocab


def encode(text, vocab):
    position = {}
    for k, ch in enumerate(vocab):
        position[ch] = k
    out = np.zeros(len(text), dtype=np.int32)
    for j, ch in enumerate(text):
        out[j] = position[ch]
    return out


def decode(indices, vocab):
    chars = []
    for k in indices:
        chars.append(vocab[k])
    return "".join(chars)


def build_char_model(vocab_size, seq_len):
    import keras

    model = keras.Sequential()
    model.add(keras.Input(shape=(seq_len,), dtype="int32"))
    model.add(keras.layers.Embedding(vocab_size, 32))
    model.add(keras.layers.LSTM(128, return_sequences=False))
    model.add(keras.layers.Dense(vocab_size, activation="softmax"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


def train_char_model(model, x, y, epochs, batch_size):
    return model.fit(x, y, batch_size, epochs, verbose=0)
''',
    ),
    Alternative(
        name="hstack_and_rng_draws",
        style="a concatenated [x, h] times the stacked [W; U], np.moveaxis and np.stack, the power formula "
        "computed in log space with np.exp(np.log(p) / T - max), encode through np.searchsorted on the sorted "
        "vocabulary, keras.layers.Input and a History returned from a callbacks list",
        source='''
import numpy as np


def lstm_cell_forward(x, h_prev, c_prev, params):
    H = h_prev.shape[1]
    z = np.hstack([x, h_prev]) @ np.vstack([params["W"], params["U"]]) + params["b"]
    i, f, g, o = (z[:, k * H:(k + 1) * H] for k in range(4))
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def lstm_forward(xs, h0, c0, params):
    h, c = h0, c0
    hs = []
    for x_t in np.moveaxis(xs, 1, 0):
        h, c = lstm_cell_forward(x_t, h, c, params)
        hs.append(h)
    return np.stack(hs, axis=1), (h, c)


def sample(probs, temperature, rng):
    if temperature <= 1e-8:
        return int(np.argmax(probs))
    with np.errstate(divide="ignore"):
        logp = np.log(probs) / temperature
    p = np.exp(logp - np.max(logp))
    p /= np.sum(p)
    return int(rng.choice(len(p), p=p))


def build_vocab(text):
    return [str(ch) for ch in np.unique(list(text))] if text else []


def encode(text, vocab):
    codes = np.array([ord(ch) for ch in text], dtype=np.int64)
    table = np.array([ord(ch) for ch in vocab], dtype=np.int64)
    order = np.argsort(table)
    return order[np.searchsorted(table[order], codes)]


def decode(indices, vocab):
    return "".join(vocab[k] for k in np.asarray(indices).ravel().tolist())


def build_char_model(vocab_size, seq_len):
    import keras
    from keras import layers

    x = layers.Input(shape=(seq_len,), dtype="int32")
    e = layers.Embedding(vocab_size, 32)(x)
    h = layers.LSTM(128)(e)
    y = layers.Dense(vocab_size, activation="softmax")(h)
    model = keras.Model(x, y)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    return model


def train_char_model(model, x, y, epochs, batch_size):
    import keras

    history = keras.callbacks.History()
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[history])
    return history
''',
    ),
]
