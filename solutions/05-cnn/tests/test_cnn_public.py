"""Public tests for exercise 05 (from a softmax layer to a CNN on MNIST): the architectures and train_model.

Run them from the notebook with ``check("build_cnn_model")`` (one exercise) or ``check_all()``. In the
notebook they build your models right here; the grader builds them in its sandbox and reads back a
description. The grader also trains your models on MNIST and checks their accuracy (hidden tests).
"""

import numpy as np
import pytest
from selfcheck import CheckFailure, MissingFunction, NamespaceStudent, StudentRaised

ACTIVATION_LAYERS = ("Activation", "ReLU", "Softmax")


# --------------------------------------------------------------------------- reading a model's layers


def _local_layers(model):
    """(type, output shape, parameters, activation) per layer of a Keras model built in this process."""
    if not model.built:
        model.build((None, 28, 28, 1))
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        config = layer.get_config()
        act = config.get("activation")
        act = {"ReLU": "relu", "Softmax": "softmax"}.get(kind, act if isinstance(act, str) or act is None
                                                          else getattr(act, "__name__", str(act)))
        shape = [None if d is None else int(d) for d in layer.output.shape]
        rows.append({"type": kind, "output_shape": shape, "params": int(layer.count_params()), "activation": act})
    return rows


def layers_of(student, builder):
    """The layers of ``builder()``'s model: a list of dicts with type, output_shape, params, activation.

    A separate Activation/ReLU/Softmax layer counts as the activation of the layer before it.
    """
    if isinstance(student, NamespaceStudent):  # the self-check: build the model in the notebook's process
        rows = _local_layers(getattr(student, builder)())
    else:  # the grader: the model's .keras archive, described where no student code runs
        from autograder.keras_measure import described

        rows = described(student, builder)["layers"]
    out = []
    for row in rows:
        if row.get("type") in ACTIVATION_LAYERS and out and out[-1].get("activation") in ("linear", None):
            out[-1] = {**out[-1], "activation": row.get("activation"), "output_shape": row.get("output_shape")}
        else:
            out.append(row)
    return out


def summary(rows):
    return "\n".join(f"  {r['type']:<8} {str(tuple(r['output_shape'])):<20} {r['params']:>8,}  "
                     f"{r.get('activation') or ''}" for r in rows)


def expect_layers(rows, expected, builder):
    """Compare (type, output shape, params, activation) layer by layer; Dropout layers are left out."""
    got = [(r["type"], tuple(r["output_shape"][1:]), r["params"], r.get("activation"))
           for r in rows if r["type"] != "Dropout"]
    if got != expected:
        want = "\n".join(f"  {t:<8} {str((None, *s)):<20} {p:>8,}  {a or ''}" for t, s, p, a in expected)
        raise CheckFailure(f"{builder}() builds a different network (Dropout layers left out)",
                           f"yours:\n{summary([r for r in rows if r['type'] != 'Dropout'])}\nexpected:\n{want}")


# --------------------------------------------------------------------------- the architectures


@pytest.mark.question("build_dense_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Flatten the image, then one Dense layer of 10 units with a softmax activation.",
    "Y = softmax(X·W + b): 784 pixels in, 10 probabilities out, 784 × 10 + 10 = 7,850 parameters.",
)
@pytest.mark.spec(
    "Write `build_dense_model()`: the input `keras.Input(shape=(28, 28, 1))`, `Flatten`, `Dense(10)` with a "
    "softmax",
    "$784 \\cdot 10 + 10 = 7{,}850$ parameters.",
)
def test_dense_model_layers(student):
    expected = [("Flatten", (784,), 0, None), ("Dense", (10,), 7850, "softmax")]
    expect_layers(layers_of(student, "build_dense_model"), expected, "build_dense_model")


@pytest.mark.question("build_deep_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Flatten, four hidden Dense layers (200, 100, 60, 30 units, relu), a Dense output layer (10, softmax).",
    "Dropout layers may sit between the Dense layers; they have no parameters. 185,300 parameters in all.",
)
@pytest.mark.spec(
    "`Flatten` → `Dense(200, relu)` → `Dense(100, relu)` → `Dense(60, relu)` → `Dense(30, relu)` → `Dense(10, "
    "softmax)`",
    "total parameters: 185,300",
)
def test_deep_model_layers(student):
    expected = [("Flatten", (784,), 0, None), ("Dense", (200,), 157_000, "relu"), ("Dense", (100,), 20_100, "relu"),
                ("Dense", (60,), 6_060, "relu"), ("Dense", (30,), 1_830, "relu"), ("Dense", (10,), 310, "softmax")]
    expect_layers(layers_of(student, "build_deep_model"), expected, "build_deep_model")


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The feature maps go 28×28 → 28×28 → 14×14 → 7×7, and the network has 354,002 parameters.",
    "Conv2D(12, 3×3, stride 1), Conv2D(24, 6×6, stride 2), Conv2D(32, 6×6, stride 2), all with 'same' padding "
    "and relu; then Flatten, Dense(200, relu), Dropout, Dense(10, softmax). Input shape (28, 28, 1).",
)
@pytest.mark.spec(
    "Write `build_cnn_model()`: input `(28, 28, 1)`, the layers of the table",
    "whatever the kernel size: 28 → 28 → 14 → 7.",
    "| **total** | | **354,002** |",
)
def test_cnn_model_shapes_and_parameters(student):
    expected = [("Conv2D", (28, 28, 12), 120, "relu"), ("Conv2D", (14, 14, 24), 10_392, "relu"),
                ("Conv2D", (7, 7, 32), 27_680, "relu"), ("Flatten", (1568,), 0, None),
                ("Dense", (200,), 313_800, "relu"), ("Dense", (10,), 2_010, "softmax")]
    expect_layers(layers_of(student, "build_cnn_model"), expected, "build_cnn_model")


# --------------------------------------------------------------------------- train_model


def digit_like_images(rng, n):
    """n uint8 images (n, 28, 28) of 10 classes: a random pattern per class plus noise, and int labels."""
    patterns = rng.integers(0, 256, size=(10, 28, 28))
    y = rng.integers(0, 10, size=n)
    x = np.clip(0.7 * patterns[y] + rng.integers(0, 77, size=(n, 28, 28)), 0, 255).astype(np.uint8)
    return x, y


def train_losses(student, x, y, epochs, batch_size):
    """The training losses in the History that train_model returns, for a small softmax model."""
    return train_run(student, x, y, epochs, batch_size)[0]


def train_run(student, x, y, epochs, batch_size):
    """(losses of the returned History, mini-batch steps the optimizer took) of train_model on a small model."""
    if isinstance(student, NamespaceStudent):  # the self-check: a model built here, trained by your function
        import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy")
        images = (x.astype("float32") / 255)[..., None]
        history = student._invoke("train_model", (model, images, y, epochs, batch_size), {})
        hist = getattr(history, "history", None)
        if not isinstance(hist, dict) or "loss" not in hist:
            raise CheckFailure(f"train_model returned a {type(history).__name__}, not the History of model.fit")
        return [float(v) for v in hist["loss"]], int(model.optimizer.iterations.numpy())
    out = student.kit("keras_tools.train_probe", x, y, x[:10], epochs, batch_size)  # the grader's sandbox
    if out.get("error"):
        err = out["error"]
        if err.get("type") == "MissingFunction":
            raise MissingFunction("train_model is not defined")
        if err.get("type") == "NotImplementedError":
            raise StudentRaised("train_model is not implemented yet (it raises NotImplementedError)",
                                "NotImplementedError")
        raise StudentRaised(f"train_model raised {err.get('type')}: {err.get('message')}", str(err.get("type")))
    if out.get("problem"):
        raise CheckFailure(str(out["problem"]))
    return out["loss"], out.get("batches")


@pytest.mark.question("train_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Call model.fit with the epochs and batch size you are given, and return what it returns.",
    "model.fit returns a History; history.history['loss'] has one training loss per epoch, and it goes down.",
)
@pytest.mark.spec(
    "`epochs`, `batch_size`: pass them on;",
    'returns the `History` that `model.fit` returns (`history.history["loss"]` lists the training loss of each '
    "epoch)",
    "2 losses, going down: True",
)
def test_train_model_returns_one_loss_per_epoch(student, rng):
    x, y = digit_like_images(rng, 200)
    losses = train_losses(student, x, y, 3, 50)
    if len(losses) != 3:
        raise CheckFailure(f"train_model(model, x, y, epochs=3, batch_size=50) returned {len(losses)} losses, "
                           "expected one per epoch: 3")
    if not losses[-1] < losses[0]:
        raise CheckFailure(f"the training loss does not go down: {[round(v, 4) for v in losses]}")


@pytest.mark.question("train_model")
@pytest.mark.points(0)
@pytest.mark.hint(
    "Train on all the images you are given, once per epoch.",
    "A model trained many times over a few images only memorizes them: pass the whole x and y to model.fit "
    "(a validation_split of up to 20 % is fine).",
)
@pytest.mark.spec(
    "Train on *all* the images you are given.",
    "`epochs`, `batch_size`: pass them on;",
)
def test_train_model_trains_on_every_image_once_per_epoch(student, rng):
    x, y = digit_like_images(rng, 200)
    epochs, batch_size = 3, 50
    _, steps = train_run(student, x, y, epochs, batch_size)
    lowest, highest = epochs * -(-int(0.8 * len(x)) // batch_size), epochs * -(-len(x) // batch_size)
    if not isinstance(steps, int) or not lowest <= steps <= highest:
        raise CheckFailure(f"train_model(model, x, y, epochs={epochs}, batch_size={batch_size}) on {len(x)} images "
                           f"took {steps} mini-batch steps, expected {highest}: one pass over all the images per "
                           "epoch")
