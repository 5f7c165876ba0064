"""Hidden tests of 05-cnn: the three architectures, layer by layer, and how they are compiled.

The models are built in the sandboxed worker, which sends each as a ``.keras`` archive (bytes); the
measurement process, a separate sandbox where no student code runs, loads it in safe mode (standard Keras
layers only: a subclassed Model or a layer defined in the notebook scores no architecture points) and sends
back a plain description (one dict per layer), compared here with the architectures the assignment text
gives. The same archive is what the accuracy tests train (see autograder/keras_measure.py). The
comparison table is shown to the student on failure: the architecture is not a secret. Each layer is its
own test (partial credit); a layer's test compares its own settings (type, filters or units, kernel size,
strides, padding, activation), so one wrong stride costs that layer, the output-shape test and the
parameter-count test, not every layer after it. Dropout layers are left out of the alignment and tested
on their own.
"""

from __future__ import annotations

import difflib

import pytest

from autograder.keras_measure import described
from autograder.keras_measure import raise_student_error as raise_student_error
from autograder.selfcheck import CheckFailure

pytestmark = pytest.mark.visibility("hidden")


def conv(filters, kernel, stride, shape, params):
    return {"type": "Conv2D", "filters": filters, "kernel_size": [kernel, kernel], "strides": [stride, stride],
            "padding": "same", "activation": "relu", "output_shape": [None, *shape], "params": params}


def dense(units, activation, params):
    return {"type": "Dense", "units": units, "activation": activation, "output_shape": [None, units],
            "params": params}


def flatten(size):
    return {"type": "Flatten", "output_shape": [None, size], "params": 0}


# The assignment's architectures, Dropout layers left out. (name, expected layer)
EXPECTED = {
    "build_dense_model": [("flatten", flatten(784)), ("softmax", dense(10, "softmax", 7850))],
    "build_deep_model": [
        ("flatten", flatten(784)), ("dense200", dense(200, "relu", 157_000)), ("dense100", dense(100, "relu", 20_100)),
        ("dense60", dense(60, "relu", 6_060)), ("dense30", dense(30, "relu", 1_830)),
        ("softmax", dense(10, "softmax", 310)),
    ],
    "build_cnn_model": [
        ("conv1", conv(12, 3, 1, (28, 28, 12), 120)), ("conv2", conv(24, 6, 2, (14, 14, 24), 10_392)),
        ("conv3", conv(32, 6, 2, (7, 7, 32), 27_680)), ("flatten", flatten(1568)),
        ("dense200", dense(200, "relu", 313_800)), ("softmax", dense(10, "softmax", 2_010)),
    ],
}
TOTAL_PARAMS = {"build_dense_model": 7_850, "build_deep_model": 185_300, "build_cnn_model": 354_002}
OWN_KEYS = {"Conv2D": ("filters", "kernel_size", "strides", "padding", "activation"),
            "Dense": ("units", "activation"), "Flatten": ()}
LOSSES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}


# --------------------------------------------------------------------------- calling the kit


def describe(student, builder: str) -> dict:
    """The measured description of ``builder()``'s model (from its archive; cached per submission)."""
    d = described(student, builder)
    if not all(isinstance(x, dict) for x in d["layers"]):
        raise CheckFailure(f"the description of {builder}()'s model could not be read")
    return d


# --------------------------------------------------------------------------- the readable table


def _pair(value) -> str:
    return "×".join(str(v) for v in value) if isinstance(value, list) else str(value)


def layer_text(layer: dict) -> str:
    """One line per layer, e.g. ``Conv2D(12, 3×3, stride 1, same, relu) → (28, 28, 12), 120 params``."""
    kind = str(layer.get("type", "?"))
    if kind == "Conv2D":
        inner = (f"{layer.get('filters')}, {_pair(layer.get('kernel_size'))}, stride {_pair(layer.get('strides'))}"
                 f", {layer.get('padding')}, {layer.get('activation')}")
    elif kind == "Dense":
        inner = f"{layer.get('units')}, {layer.get('activation')}"
    elif kind == "Dropout":
        inner = f"{layer.get('rate')}"
    else:
        inner = ", ".join(f"{k}={_pair(layer[k])}" for k in ("filters", "units", "kernel_size", "strides",
                                                              "pool_size", "padding", "activation") if k in layer)
    shape = layer.get("output_shape")
    shape_text = "(" + ", ".join(str(s) for s in shape[1:]) + ")" if isinstance(shape, list) else "?"
    return f"{kind}({inner}) → {shape_text}, {layer.get('params', '?'):,} params" if isinstance(
        layer.get("params"), int) else f"{kind}({inner}) → {shape_text}"


def align(builder: str, layers: list[dict]) -> dict[str, dict | None]:
    """Expected layer name -> the student's matching layer (Dropout left out), aligned by layer types."""
    mine = [x for x in layers if x.get("type") != "Dropout"]
    expected = EXPECTED[builder]
    matcher = difflib.SequenceMatcher(None, [e["type"] for _, e in expected], [str(x.get("type")) for x in mine],
                                      autojunk=False)
    out: dict[str, dict | None] = {name: None for name, _ in expected}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(min(i2 - i1, j2 - j1)):
                out[expected[i1 + k][0]] = mine[j1 + k]
    return out


def table(builder: str, layers: list[dict]) -> str:
    """Your layers and the expected ones, side by side in order (Dropout shown, not required by position)."""
    exp = [layer_text(e) for _, e in EXPECTED[builder]]
    got = [layer_text(x) for x in layers]
    width = max(len(t) for t in got + exp + ["yours"])
    lines = [f"    {'yours':<{width}} | expected (Dropout layers not listed)"]
    for i in range(max(len(got), len(exp))):
        g = got[i] if i < len(got) else "-"
        e = exp[i] if i < len(exp) else "-"
        lines.append(f"{i + 1:>2}  {g:<{width}} | {e}")
    return "\n".join(lines)


def layer_differences(layer: dict | None, expected: dict) -> list[str]:
    if layer is None:
        return [f"no {expected['type']} layer there"]
    if layer.get("type") != expected["type"]:
        return [f"a {layer.get('type')} layer instead of a {expected['type']}"]
    diffs = []
    for key in OWN_KEYS[expected["type"]]:
        if layer.get(key) != expected[key]:
            diffs.append(f"{key.replace('_', ' ')} {_pair(layer.get(key))} (expected {_pair(expected[key])})")
    return diffs


def check_layer(student, builder: str, name: str) -> None:
    d = describe(student, builder)
    position = [n for n, _ in EXPECTED[builder]].index(name) + 1
    expected = dict(EXPECTED[builder])[name]
    diffs = layer_differences(align(builder, d["layers"]).get(name), expected)
    if diffs:
        raise CheckFailure(
            f"{builder}: layer {position} ({layer_text(expected).split(' →')[0]}): " + "; ".join(diffs)
            + "\n" + table(builder, d["layers"])
        )


def check_compiled(student, builder: str) -> None:
    d = describe(student, builder)
    if not d.get("compiled"):
        raise CheckFailure(f"{builder}() returns a model that is not compiled: compile it (optimizer, loss, "
                           "metrics) before returning it")
    if d.get("loss") not in LOSSES:
        raise CheckFailure(f"{builder}(): the model is compiled with the loss {d.get('loss')!r}; the labels are "
                           "class numbers 0..9, so use sparse categorical cross-entropy")
    if d.get("from_logits"):
        raise CheckFailure(f"{builder}(): the loss has from_logits=True, but the model's output is already a "
                           "softmax (probabilities)")


def check_dropout(student, builder: str, after: str | None) -> None:
    d = describe(student, builder)
    layers = d["layers"]
    drops = [(i, x) for i, x in enumerate(layers) if x.get("type") == "Dropout"]
    if not drops:
        raise CheckFailure(f"{builder}: the model has no Dropout layer\n" + table(builder, layers))
    bad = [x.get("rate") for _, x in drops if not (isinstance(x.get("rate"), float) and 0 < x["rate"] <= 0.6)]
    if bad:
        raise CheckFailure(f"{builder}: dropout rate {bad[0]} is outside (0, 0.6]: a rate is the fraction of "
                           "activations dropped in training, and more than about half starves the next layer")
    if after is not None:  # between the hidden Dense layer (the last Dense before the output) and the output
        output = len(layers) - 1
        hidden = max((i for i, x in enumerate(layers[:output]) if x.get("type") == "Dense"), default=None)
        if hidden is None or not any(hidden < i < output for i, _ in drops):
            raise CheckFailure(f"{builder}: the Dropout layer belongs between {after} and the output layer\n"
                               + table(builder, layers))


# --------------------------------------------------------------------------- build_dense_model


@pytest.mark.question("build_dense_model")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", [n for n, _ in EXPECTED["build_dense_model"]])
@pytest.mark.hint(
    "The softmax layer of the lecture is Flatten, then one Dense layer of 10 units with a softmax activation.",
    "Y = softmax(X·W + b): Flatten turns each 28×28 image into 784 pixels (X), a Dense layer holds W and b; "
    "without the softmax activation the output is not a probability.",
)
@pytest.mark.spec(
    "Write `build_dense_model()`: the input `keras.Input(shape=(28, 28, 1))`, `Flatten`, `Dense(10)` with a "
    "softmax",
)
def test_dense_layers(student, name):
    check_layer(student, "build_dense_model", name)


@pytest.mark.question("build_dense_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return the model compiled, with the loss that fits integer labels.",
    "model.compile needs an optimizer and the loss sparse categorical cross-entropy (labels are 0..9, not "
    "one-hot vectors); the output is already a softmax, so from_logits stays False.",
)
@pytest.mark.spec(
    "`Dense(10)` with a softmax, **compiled** with",
    'the loss `"sparse_categorical_crossentropy"`',
    "outputs 10 probabilities (softmax). Labels are class numbers 0–9, so the loss is *sparse* categorical "
    "cross-entropy.",
)
def test_dense_compiled(student):
    check_compiled(student, "build_dense_model")


# --------------------------------------------------------------------------- build_deep_model

DEEP_HINTS = {
    "flatten": "Start with Flatten: the Dense layers take vectors of 784 pixels.",
    "dense200": "The first hidden layer: Dense with 200 units and relu activation.",
    "dense100": "The second hidden layer: Dense with 100 units and relu activation.",
    "dense60": "The third hidden layer: Dense with 60 units and relu activation.",
    "dense30": "The fourth hidden layer: Dense with 30 units and relu activation.",
    "softmax": "The output layer: Dense with 10 units and softmax activation, one probability per digit.",
}


@pytest.mark.question("build_deep_model")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.hint(
        DEEP_HINTS[n],
        "The lecture's deep network: Flatten → Dense 200 → 100 → 60 → 30 (relu activation, not sigmoid) → "
        "Dense 10 (softmax). Compare the table in the message with yours: units and activation of each layer.",
    )) for n, _ in EXPECTED["build_deep_model"]
])
@pytest.mark.spec(
    "`Flatten` → `Dense(200, relu)` → `Dense(100, relu)` → `Dense(60, relu)` → `Dense(30, relu)` → `Dense(10, "
    "softmax)`",
)
def test_deep_layers(student, name):
    check_layer(student, "build_deep_model", name)


@pytest.mark.question("build_deep_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The deep network needs dropout between its hidden layers.",
    "Add keras.layers.Dropout(rate) after hidden layers, with a rate between 0 and about 0.5 (the lecture "
    "keeps 75 % of the activations: rate 0.25). Dropout is only active while training.",
)
@pytest.mark.spec(
    "We use **rate 0.25** after each of the first three hidden layers",
)
def test_deep_dropout(student):
    check_dropout(student, "build_deep_model", None)


@pytest.mark.question("build_deep_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return the model compiled, with the loss that fits integer labels.",
    "model.compile needs an optimizer and the loss sparse categorical cross-entropy; the output is a softmax.",
)
@pytest.mark.spec(
    "Write `build_deep_model()` like this, compiled as in exercise 1",
    'the loss `"sparse_categorical_crossentropy"`',
)
def test_deep_compiled(student):
    check_compiled(student, "build_deep_model")


# --------------------------------------------------------------------------- build_cnn_model

CNN_HINTS = {
    "conv1": "Layer 1: Conv2D with 12 filters, a 3×3 kernel, stride 1, 'same' padding and relu activation.",
    "conv2": "Layer 2: Conv2D with 24 filters, a 6×6 kernel, stride 2, 'same' padding and relu activation.",
    "conv3": "Layer 3: Conv2D with 32 filters, a 6×6 kernel, stride 2, 'same' padding and relu activation.",
    "flatten": "After the convolutions, Flatten the 7×7×32 feature maps into one vector.",
    "dense200": "Then a Dense layer of 200 units with relu activation.",
    "softmax": "The output layer: Dense with 10 units and softmax activation, one probability per digit.",
}


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.hint(
        CNN_HINTS[n],
        "Compare your layer with the table in the message: filters, kernel size, stride, padding and activation "
        "for Conv2D; units and activation for Dense. Keras' defaults are stride 1, 'valid' padding and no "
        "activation (linear): set each one.",
    )) for n, _ in EXPECTED["build_cnn_model"]
])
@pytest.mark.spec(
    "Write `build_cnn_model()`: input `(28, 28, 1)`, the layers of the table (set stride, padding and activation "
    'of every `Conv2D`: Keras\' defaults are stride 1, `"valid"` padding and no activation)',
)
def test_cnn_layers(student, name):
    check_layer(student, "build_cnn_model", name)


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The CNN needs a Dropout layer before its output layer.",
    "Put keras.layers.Dropout(rate) between the Dense layer of 200 units and the output layer, with a rate "
    "between 0 and about 0.5.",
)
@pytest.mark.spec(
    "| `Dense(200, relu)` | 200 | $(1568 + 1) \\cdot 200 = 313{,}800$ | | `Dropout(0.25)` | 200 | 0 |",
    "Most parameters sit in the Dense layer, which is why the dropout goes there.",
)
def test_cnn_dropout(student):
    check_dropout(student, "build_cnn_model", "the Dense layer of 200 units")


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The feature maps shrink 28 → 28 → 14 → 7: check each convolution's stride and padding.",
    "With 'same' padding a convolution of stride s turns 28×28 into ceil(28 / s) × ceil(28 / s); with 'valid' "
    "padding the kernel must fit inside, so the maps shrink by kernel size - 1 more.",
)
@pytest.mark.spec(
    "Write `build_cnn_model()`: input `(28, 28, 1)`",
    "whatever the kernel size: 28 → 28 → 14 → 7.",
)
def test_cnn_output_shapes(student):
    d = describe(student, "build_cnn_model")
    if d.get("input_shape") != [None, 28, 28, 1]:
        raise CheckFailure(f"build_cnn_model: the input shape is {d.get('input_shape')}, expected (28, 28, 1)")
    convs = [x.get("output_shape") for x in d["layers"] if x.get("type") == "Conv2D"]
    expected = [[None, 28, 28, 12], [None, 14, 14, 24], [None, 7, 7, 32]]
    if convs != expected:
        shown = ", ".join("(" + ", ".join(map(str, s[1:])) + ")" if isinstance(s, list) else "?" for s in convs)
        raise CheckFailure(f"build_cnn_model: the convolutions' outputs are {shown or 'missing'}; expected "
                           "(28, 28, 12), (14, 14, 24), (7, 7, 32)\n" + table("build_cnn_model", d["layers"]))


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Count the parameters layer by layer: the CNN has 354,002.",
    "A Conv2D layer has (kernel height × kernel width × input channels + 1) × filters parameters, a Dense layer "
    "(inputs + 1) × units; with the wrong stride or padding the Flatten is bigger and so is the Dense layer "
    "after it.",
)
@pytest.mark.spec(
    "| **total** | | **354,002** |",
)
def test_cnn_parameter_count(student):
    d = describe(student, "build_cnn_model")
    if d.get("total_params") != TOTAL_PARAMS["build_cnn_model"]:
        raise CheckFailure(f"build_cnn_model: the model has {d.get('total_params')} parameters, expected 354,002\n"
                           + table("build_cnn_model", d["layers"]))


@pytest.mark.question("build_cnn_model")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return the model compiled, with the loss that fits integer labels.",
    "model.compile needs an optimizer and the loss sparse categorical cross-entropy; the output is a softmax.",
)
@pytest.mark.spec(
    "the layers of the table",
    "compiled as before",
    'the loss `"sparse_categorical_crossentropy"`',
)
def test_cnn_compiled(student):
    check_compiled(student, "build_cnn_model")
