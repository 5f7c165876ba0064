"""Wrong implementations of the 07-lstm functions that the suite must catch (see autograder.mutants).

Every mutant is graded through the real engine, so each one also runs the submission's training (about
10-15 s on 2 cores); the model mutant is caught by its architecture test before its perplexity fails too.
"""

from autograder.mutants import Mutant

_CELL = '''
def lstm_cell_forward(x, h_prev, c_prev, params):
    W, U, b = params["W"], params["U"], params["b"]
    H = h_prev.shape[1]
    z = {z}
    i = sigmoid(z[:, {i}])
    f = sigmoid(z[:, {f}])
    g = {g}(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:])
    c = {c}
    h = {h}
    return h, c
'''


def cell(z="x @ W + h_prev @ U + b", i=":H", f="H:2 * H", g="np.tanh", c="f * c_prev + i * g",
         h="o * np.tanh(c)") -> str:
    return _CELL.format(z=z, i=i, f=f, g=g, c=c, h=h)


_SAMPLE = '''
def sample(probs, temperature, rng):
    probs = np.asarray(probs, dtype=float)
{argmax}    with np.errstate(divide="ignore"):
        logits = {logits}
    logits = logits - logits.max()
    p = np.exp(logits)
    p /= p.sum()
    return int(rng.choice(len(p), p=p))
'''
_ARGMAX = "    if temperature <= 1e-8:\n        return int(np.argmax(probs))\n"


def sample(logits="np.log(probs) / temperature", argmax=_ARGMAX) -> str:
    return _SAMPLE.format(logits=logits, argmax=argmax)


MUTANTS = [
    # ------------------------------------------------------------------ lstm_cell_forward
    Mutant("gates_i_f_swapped", "lstm_cell_forward",
           "takes the input gate from the second block and the keep (forget) gate from the first",
           "order", cell(i="H:2 * H", f=":H")),
    Mutant("input_gate_ignored", "lstm_cell_forward",
           "adds the candidate without the input gate: c = f * c_prev + g",
           "input gate", cell(c="f * c_prev + g")),
    Mutant("no_output_gate", "lstm_cell_forward",
           "leaves out the output gate: h = tanh(c)",
           "output gate", cell(h="np.tanh(c)")),
    Mutant("no_tanh_on_cell_state", "lstm_cell_forward",
           "forgets the tanh of the cell state: h = o * c",
           "tanh(c)", cell(h="o * c")),
    Mutant("sigmoid_candidate", "lstm_cell_forward",
           "squashes the candidate with a sigmoid instead of tanh",
           "candidate", cell(g="sigmoid")),
    Mutant("recurrent_weights_ignored", "lstm_cell_forward",
           "leaves h_prev @ U out of z",
           "recurrent weights", cell(z="x @ W + b")),
    Mutant("bias_ignored", "lstm_cell_forward",
           "leaves the bias out of z",
           "bias", cell(z="x @ W + h_prev @ U")),
    # ------------------------------------------------------------------ lstm_forward
    Mutant("state_not_carried", "lstm_forward",
           "starts every time step from (h0, c0) instead of the previous step's state",
           "carry", '''
def lstm_forward(xs, h0, c0, params):
    hs = []
    for t in range(xs.shape[1]):
        h, c = lstm_cell_forward(xs[:, t, :], h0, c0, params)
        hs.append(h)
    return np.stack(hs, axis=1), (h, c)
'''),
    Mutant("initial_state_returned", "lstm_forward",
           "returns the initial state (h0, c0) instead of the state after the last step",
           "last", '''
def lstm_forward(xs, h0, c0, params):
    h, c = h0, c0
    hs = []
    for t in range(xs.shape[1]):
        h, c = lstm_cell_forward(xs[:, t, :], h, c, params)
        hs.append(h)
    return np.stack(hs, axis=1), (h0, c0)
'''),
    # ------------------------------------------------------------------ sample
    Mutant("temperature_multiplies_probs", "sample",
           "applies the temperature as probs * T (which normalization undoes)",
           "multiplying probs by T", sample(logits="np.log(probs * temperature)")),
    Mutant("temperature_ignored", "sample",
           "draws from probs whatever the temperature",
           "ignoring the temperature", sample(logits="np.log(probs)")),
    Mutant("never_argmax", "sample",
           "divides by the temperature even at T = 0 (no argmax case: NaN probabilities)",
           "argmax", sample(argmax="")),
    Mutant("power_underflows", "sample",
           "computes probs ** (1 / T) directly, which underflows to 0 / 0 at small temperatures",
           "log space", '''
def sample(probs, temperature, rng):
    probs = np.asarray(probs, dtype=float)
    if temperature <= 1e-8:
        return int(np.argmax(probs))
    p = probs ** (1.0 / temperature)
    p = p / p.sum()
    return int(rng.choice(len(p), p=p))
'''),
    Mutant("returns_numpy_integer", "sample",
           "returns the numpy integer that rng.choice gives instead of a Python int",
           "python int", '''
def sample(probs, temperature, rng):
    probs = np.asarray(probs, dtype=float)
    if temperature <= 1e-8:
        return np.argmax(probs)
    with np.errstate(divide="ignore"):
        logits = np.log(probs) / temperature
    p = np.exp(logits - logits.max())
    return rng.choice(len(p), p=p / p.sum())
'''),
    # ------------------------------------------------------------------ encoding
    Mutant("decode_off_by_one", "decode",
           "looks up vocab[i - 1] instead of vocab[i]",
           "off by one", '''
def decode(indices, vocab):
    return "".join(vocab[int(i) - 1] for i in indices)
'''),
    Mutant("vocab_unsorted", "build_vocab",
           "lists the characters in the order they first appear instead of sorted",
           "sorted", '''
def build_vocab(text):
    return list(dict.fromkeys(text))
'''),
    # ------------------------------------------------------------------ the model and its training
    Mutant("dense_only_model", "build_char_model",
           "a model without the LSTM: Embedding, Flatten, Dense softmax",
           "LSTM", '''
def build_char_model(vocab_size, seq_len):
    import keras
    model = keras.Sequential([
        keras.Input(shape=(seq_len,), dtype="int32"),
        keras.layers.Embedding(vocab_size, 32),
        keras.layers.Flatten(),
        keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    return model
'''),
    Mutant("train_ignores_epochs", "train_char_model",
           "trains for one epoch whatever it is asked",
           "epochs", '''
def train_char_model(model, x, y, epochs, batch_size):
    return model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
'''),
]
