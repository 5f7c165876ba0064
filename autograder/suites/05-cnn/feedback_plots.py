"""Feedback plots of 05-cnn: training curves and the CNN's confusion matrix.

They reuse the training runs the hidden suite already made for this submission (in the measurement process;
autograder/keras_measure.py's per-submission cache, keyed by the ``student`` proxy): no model is trained again
for a plot.
"""

import sys
from pathlib import Path

import numpy as np

from autograder.keras_measure import _cache

TRAINING = Path(__file__).with_name("test_training.py")
BUILDERS = ("build_dense_model", "build_deep_model", "build_cnn_model")


def _runs(student):
    """This submission's cached runs {builder: ("ok", outcome)}, and the test module that made them."""
    module = next((m for m in reversed(list(sys.modules.values())) if getattr(m, "__file__", None) == str(TRAINING)),
                  None)
    cache = _cache.get(student, {})
    runs = {b: cache[f"trained {b}"] for b in BUILDERS if f"trained {b}" in cache}
    if module is None or not runs:
        raise LookupError("the hidden suite made no training run for this submission")
    return runs, module


def training_curves(student, reference, rng):
    import matplotlib.pyplot as plt

    runs, _ = _runs(student)
    fig, ax = plt.subplots(figsize=(4.5, 3))
    drawn = 0
    for builder in BUILDERS:
        status, out = runs.get(builder, ("missing", None))
        if status == "ok" and out.get("loss"):
            loss = [float(v) for v in out["loss"]]
            label = builder.removeprefix("build_").removesuffix("_model")
            ax.plot(range(1, len(loss) + 1), loss, marker="o", label=label)
            drawn += 1
    if not drawn:
        raise LookupError("none of your models trained")
    ax.set(xlabel="epoch", ylabel="training loss", title="Your models, trained with your compile settings")
    ax.legend(fontsize=8)
    return fig


def cnn_confusion(student, reference, rng):
    import matplotlib.pyplot as plt

    runs, module = _runs(student)
    status, out = runs.get("build_cnn_model", ("missing", None))
    if status != "ok" or out.get("predictions") is None:
        raise LookupError("your CNN made no predictions")
    _, (_, (_, y_test)) = module.mnist()
    predictions = np.asarray(out["predictions"])
    cm = np.zeros((10, 10), dtype=int)
    np.add.at(cm, (y_test[: len(predictions)], predictions), 1)
    fig, ax = plt.subplots(figsize=(4, 3.6))
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=6, color="white" if v > cm.max() / 2 else "k")
    ax.set(xlabel="predicted", ylabel="actual", xticks=range(10), yticks=range(10),
           title=f"Your CNN on {len(predictions)} test digits: {np.trace(cm) / max(1, cm.sum()):.1%} right")
    return fig


PLOTS = [("Training curves", training_curves), ("Your CNN's confusion matrix", cnn_confusion)]
