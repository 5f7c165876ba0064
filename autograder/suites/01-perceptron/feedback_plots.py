"""Feedback plots of 01-perceptron: the student's decision boundary on the lecture's points."""

import numpy as np

X = np.array([[-1, 2], [3, 0], [0, 4], [1, 5], [2, 2]])
Y = np.array([-1, -1, 1, 1, 1])


def _line(ax, w, style, label):
    xs = np.linspace(-2, 4, 50)
    if abs(w[1]) > 1e-12:
        ax.plot(xs, (w[2] - w[0] * xs) / w[1], style, label=label)
    elif abs(w[0]) > 1e-12:
        ax.axvline(w[2] / w[0], linestyle=style[-1], label=label)


def decision_boundary(student, reference, rng):
    import matplotlib.pyplot as plt

    w_ref = reference.train_perceptron(X, Y)[0]
    w = np.asarray(student.train_perceptron(X, Y)[0], dtype=float)
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.scatter(*X[Y > 0].T, marker="+", s=80, c="tab:blue", label="+1")
    ax.scatter(*X[Y < 0].T, marker="_", s=80, c="tab:red", label="-1")
    _line(ax, w_ref, "k--", "lecture: x·(1, 2) = 4")
    if w.shape == (3,) and np.all(np.isfinite(w)):
        _line(ax, w, "g-", f"yours: w = ({w[0]:g}, {w[1]:g}, {w[2]:g})")
    ax.set(xlim=(-2, 4), ylim=(-1, 6), xlabel="F", ylabel="G", title="train_perceptron on the lecture's points")
    ax.legend(fontsize=7, loc="lower right")
    return fig


PLOTS = [("Your decision boundary", decision_boundary)]
