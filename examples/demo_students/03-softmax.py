"""Demo students of 03-softmax: who they are and how they filled in the notebook."""

from make_demo_class import Student

NAIVE_SOFTMAX = '''
def softmax(Z):
    """The textbook formula, without the maximum subtracted (overflows for large logits)."""
    E = np.exp(Z)
    return E / np.sum(E, axis=-1, keepdims=True)
'''

SUMMED_CROSS_ENTROPY = '''
def cross_entropy(Y_true, Y_prob, eps=1e-12):
    """Sums the losses of the rows instead of averaging them, and forgets the clipping."""
    return float(-np.sum(Y_true * np.log(Y_prob)))
'''

UNSHUFFLED_TRAINING = '''
def train_softmax_regression(X, y, epochs=10, batch_size=32, lr=0.5, seed=0):
    """Mini-batch SGD that visits the examples in the given order every epoch."""
    k = int(np.max(y)) + 1
    Y = one_hot(y, k)
    W, b = np.zeros((X.shape[1], k)), np.zeros(k)
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            dW, db = softmax_cross_entropy_grad(X[start:start + batch_size], Y[start:start + batch_size], W, b)
            W, b = W - lr * dW, b - lr * db
    return W, b
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("partly done: activations, softmax and one_hot; the loss, gradient and training not yet",
                     {name: "stub" for name in ("cross_entropy", "dense_softmax", "softmax_cross_entropy_grad",
                                                "train_softmax_regression")}),
    "dave": Student("classic bugs: softmax without the max trick, a summed and unclipped loss, no shuffling",
                    {"softmax": NAIVE_SOFTMAX, "cross_entropy": SUMMED_CROSS_ENTROPY,
                     "train_softmax_regression": UNSHUFFLED_TRAINING}),
}
