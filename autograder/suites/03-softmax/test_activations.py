"""Hidden tests for the activation functions and their derivatives (exercise 03)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

ACTIVATIONS = ["identity", "step", "sigmoid", "relu", "leaky_relu"]
GRADS = ["sigmoid_grad", "relu_grad", "leaky_relu_grad"]
SHAPES = [(3, 4), (2, 3, 2)]
HUGE = np.array([-1e4, -1000.0, -745.0, -50.0, 0.0, 50.0, 745.0, 1000.0, 1e4])


def _random_z(rng, shape):
    """Normal values with a few exact zeros, where the kinks are."""
    z = rng.normal(0, 3, size=shape)
    z.flat[:: 5] = 0.0
    return z


# --------------------------------------------------------------------------- activations


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.hint(
    "An activation differs from its definition on random 2-d and 3-d arrays.",
    "Apply the formula to every entry of z, whatever the shape of z, and return a float array of z's shape; "
    "compare each function with the table in the notebook.",
)
@pytest.mark.spec(
    "An activation function is applied **element-wise**: to every entry of an array, whatever its shape.",
    "each takes an array `z` and returns a new **float** array of the same shape.",
)
def test_activation_matches_definition(student, reference, rng, name):
    for shape in SHAPES:
        z = _random_z(rng, shape)
        expect_array(getattr(student, name)(z), getattr(reference, name)(z), name=f"{name}(z) for z of shape {shape}",
                     dtype="float")


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.hint(
    "step(0) must be 0: the step is 1 only where z is strictly positive.",
    "Use z > 0, not z >= 0: step(0) = 0, and the smallest positive number already gives 1.",
)
@pytest.mark.spec("$1$ if $z > 0$, else $0$ (so `step(0)` is $0$)")
def test_step_at_zero(student):
    z = np.array([0.0, -0.0, 1e-300, -1e-300, 5.0])
    expect_array(student.step(z), np.array([0.0, 0.0, 1.0, 0.0, 1.0]), name="step(z) at and around 0",
                 dtype="float")


@pytest.mark.question("activations")
@pytest.mark.points(2)
@pytest.mark.hint(
    "sigmoid must give finite values, without overflow, for |z| up to 1e4.",
    "exp(1000) overflows to inf: e^z / (1 + e^z) then gives inf / inf = nan for large z. Compute e = exp(-|z|), "
    "which is never larger than 1, and return 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0.",
)
@pytest.mark.spec("Your `sigmoid` must return finite values without warnings for $|z|$ up to $10^4$.")
def test_sigmoid_huge_inputs(student, reference):
    out = student.sigmoid(HUGE)
    expect_array(out, reference.sigmoid(HUGE), name="sigmoid(z) for z from -1e4 to 1e4", dtype="float", rtol=1e-7)


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.hint(
    "leaky_relu must use the slope alpha it is given.",
    "For z <= 0 return alpha * z with the alpha argument (0.01 is only its default), whether alpha is passed by "
    "keyword or by position.",
)
@pytest.mark.spec("`leaky_relu(z, alpha=0.01)` | $z$ if $z > 0$, else $\\alpha z$")
def test_leaky_relu_uses_alpha(student, reference, rng):
    z = _random_z(rng, (4, 3))
    expect_array(student.leaky_relu(z, alpha=0.2), reference.leaky_relu(z, alpha=0.2), name="leaky_relu(z, alpha=0.2)",
                 dtype="float")
    expect_array(student.leaky_relu(z, 0.3), reference.leaky_relu(z, 0.3), name="leaky_relu(z, 0.3)", dtype="float")


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Activations return float arrays, also for integer input.",
    "An integer array z must give a float result (e.g. relu of [-2, 3] is [0.0, 3.0]): convert with "
    "np.asarray(z, dtype=float) first.",
)
@pytest.mark.spec("each takes an array `z` and returns a new **float** array of the same shape.")
def test_integer_input_gives_floats(student, reference):
    z = np.array([[-2, 0, 3], [4, -1, 1]])
    for name in ("identity", "step", "relu", "leaky_relu"):
        expect_array(getattr(student, name)(z), getattr(reference, name)(z), name=f"{name}(z) for integer z",
                     dtype="float")


@pytest.mark.question("activations")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The activations must not change the array they are given.",
    "z was modified in place (e.g. z[z < 0] = 0 changes the caller's array): build the result as a new array.",
)
@pytest.mark.spec(
    "each takes an array `z` and returns a new **float** array of the same shape.",
    "do not modify the arrays you are given: return new ones",
)
def test_activations_do_not_modify_z(student, rng):
    for name in ("relu", "leaky_relu"):
        z = _random_z(rng, (3, 3))
        call = student.call(name, z)
        expect_unchanged(z, call.args[0], name=f"z (after {name}(z))")
        if not isinstance(call.value, np.ndarray) or call.value.shape != z.shape:
            raise CheckFailure(f"{name}(z) should return an array of z's shape {z.shape}")


# --------------------------------------------------------------------------- derivatives


@pytest.mark.question("activation_grads")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", GRADS)
@pytest.mark.hint(
    "A derivative differs from the expected values on random 2-d and 3-d arrays.",
    "sigmoid_grad is sigmoid(z) * (1 - sigmoid(z)); relu_grad is 1 where z > 0 and 0 elsewhere; leaky_relu_grad "
    "is 1 where z > 0 and alpha elsewhere. Return float arrays of z's shape.",
)
@pytest.mark.spec("Write the derivatives, element-wise, as float arrays of `z`'s shape:")
def test_grad_matches_definition(student, reference, rng, name):
    for shape in SHAPES:
        z = _random_z(rng, shape)
        expect_array(getattr(student, name)(z), getattr(reference, name)(z), name=f"{name}(z) for z of shape {shape}",
                     dtype="float")


@pytest.mark.question("activation_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "relu_grad at z = 0 is 0 in this course.",
    "The ReLU has a kink at z = 0; we take the left derivative there: relu_grad(0) = 0 (use z > 0, not z >= 0).",
)
@pytest.mark.spec("at $z = 0$, `relu_grad` is $0$ and `leaky_relu_grad` is $\\alpha$")
def test_relu_grad_at_zero(student):
    expect_array(student.relu_grad(np.array([-1.0, 0.0, -0.0, 1e-300])), np.array([0.0, 0.0, 0.0, 1.0]),
                 name="relu_grad at and around z = 0", dtype="float")


@pytest.mark.question("activation_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "leaky_relu_grad is alpha for z <= 0: a constant slope, whatever the size of z.",
    "For z <= 0 (z = 0 included) the derivative of alpha * z is alpha itself, not alpha * z and not 0; for "
    "z > 0 it is 1. Use the alpha argument.",
)
@pytest.mark.spec(
    "at $z = 0$, `relu_grad` is $0$ and `leaky_relu_grad` is $\\alpha$",
    "The derivative of leaky_relu, element-wise: 1.0 where z > 0, else alpha (also at z = 0).",
)
def test_leaky_relu_grad_negative_side(student):
    z = np.array([-50.0, -2.0, -0.5, 0.0, 0.5, 3.0])
    expect_array(student.leaky_relu_grad(z, alpha=0.2), np.array([0.2, 0.2, 0.2, 0.2, 1.0, 1.0]),
                 name="leaky_relu_grad(z, alpha=0.2)", dtype="float")
    expect_array(student.leaky_relu_grad(z), np.array([0.01, 0.01, 0.01, 0.01, 1.0, 1.0]),
                 name="leaky_relu_grad(z) with the default alpha", dtype="float")


@pytest.mark.question("activation_grads")
@pytest.mark.points(1)
@pytest.mark.hint(
    "sigmoid_grad must be finite for |z| up to 1e4 and agree with the slope of the sigmoid.",
    "Compute s = sigmoid(z) with your stable sigmoid and return s * (1 - s): it is 0.25 at z = 0 and tends to 0, "
    "never nan, for large |z|.",
)
@pytest.mark.spec(
    "The derivative of the sigmoid, sigmoid(z) * (1 - sigmoid(z)), element-wise.",
    "(use your stable `sigmoid`)",
)
def test_sigmoid_grad_huge_inputs_and_slope(student, reference):
    out = student.sigmoid_grad(HUGE)
    expect_array(out, reference.sigmoid_grad(HUGE), name="sigmoid_grad(z) for z from -1e4 to 1e4", dtype="float",
                 atol=1e-15)
    z, h = np.linspace(-6, 6, 13), 1e-5
    slope = (reference.sigmoid(z + h) - reference.sigmoid(z - h)) / (2 * h)
    got = student.sigmoid_grad(z)
    if not isinstance(got, np.ndarray) or got.shape != z.shape or not np.allclose(got, slope, atol=1e-8):
        raise CheckFailure("sigmoid_grad(z) does not match the slope of the sigmoid (finite differences) on [-6, 6]")
