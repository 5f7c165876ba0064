"""Demo students of 06-backprop: who they are and how they filled in the notebook."""

from make_demo_class import Student

DENSE_BACKWARD_BUGS = '''
def dense_backward(dout, cache):
    """Averages db over the batch instead of summing it."""
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)
'''

RELU_BACKWARD_AT_ZERO = '''
def relu_backward(dout, cache):
    """Lets the gradient through where the input was exactly 0 (x >= 0)."""
    return np.where(cache >= 0, dout, 0.0)
'''

PLAIN_DROPOUT = '''
def dropout_forward(x, p, train=True, seed=None):
    """The classic slip: p taken as the keep probability, and no 1/(1 - p) scaling."""
    if not train:
        return np.array(x, dtype=float), np.ones(np.shape(x))
    rng = np.random.default_rng(seed)
    mask = (rng.random(np.shape(x)) < p).astype(float)
    return x * mask, mask
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("partly done: the layers, the loss and the gradient check; the MLP not yet",
                     {name: "stub" for name in ("init_mlp", "mlp_loss_and_grads", "train_mlp")}),
    "dave": Student("classic backprop bugs: db averaged instead of summed, ReLU gradient at 0, "
                    "dropout with p as the keep probability and no 1/(1 - p) scaling",
                    {"dense_backward": DENSE_BACKWARD_BUGS, "relu_backward": RELU_BACKWARD_AT_ZERO,
                     "dropout_forward": PLAIN_DROPOUT}),
}
