"""Feedback plots of 02-metrics: the student's confusion matrix beside the expected one."""

import numpy as np

Y_TRUE = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 1])
Y_PRED = np.array([0, 1, 0, 1, 1, 2, 1, 2, 0, 2, 0, 1])


def confusion(student, reference, rng):
    import matplotlib.pyplot as plt

    expected = reference.confusion_matrix(Y_TRUE, Y_PRED)
    got = np.asarray(student.confusion_matrix(Y_TRUE, Y_PRED))
    fig, axes = plt.subplots(1, 2, figsize=(6, 2.8))
    for ax, cm, title in ((axes[0], got, "yours"), (axes[1], expected, "expected")):
        if cm.ndim != 2:
            ax.set_axis_off()
            ax.set_title(f"{title}: shape {cm.shape}")
            continue
        ax.imshow(cm, cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            ax.text(j, i, f"{v:g}", ha="center", va="center")
        ax.set(title=title, xlabel="predicted", ylabel="actual", xticks=range(cm.shape[1]), yticks=range(cm.shape[0]))
    return fig


PLOTS = [("Your confusion matrix (rows: actual, columns: predicted)", confusion)]
