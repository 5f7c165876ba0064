"""Demo students of 07-lstm: who they are and how they filled in the notebook."""

from make_demo_class import Student

# Carol: the numpy part is right, but her sample forgets the temperature (she draws from probs as they are,
# with a special case for 0), and she has not started the Keras part.
CAROL_SAMPLE = '''
def sample(probs, temperature, rng):
    """Draw an index from probs (the temperature only decides greedy or not)."""
    if temperature <= 1e-8:
        return int(np.argmax(probs))
    return int(rng.choice(len(probs), p=probs))
'''

# Dave: the classic slip of the LSTM: he reads the gate blocks in the order of the lecture's words, keep gate
# first, so the input gate takes Keras' forget block and the keep gate the input block. Everything else is
# right; his numbers differ from Keras', and only the cell (and so the sequence) loses points.
DAVE_CELL = '''
def lstm_cell_forward(x, h_prev, c_prev, params):
    """One LSTM step (keep gate first: the wrong block order)."""
    W, U, b = params["W"], params["U"], params["b"]
    H = h_prev.shape[1]
    z = x @ W + h_prev @ U + b
    f = sigmoid(z[:, :H])
    i = sigmoid(z[:, H:2 * H])
    g = np.tanh(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("numpy part done, sample ignores the temperature, Keras part not started",
                     {"sample": CAROL_SAMPLE, "build_char_model": "stub", "train_char_model": "stub"}),
    "dave": Student("a classic bug: the gate blocks in the wrong order (keep gate first)",
                    {"lstm_cell_forward": DAVE_CELL}),
}
