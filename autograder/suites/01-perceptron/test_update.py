"""Hidden tests for perceptron_update (exercise 01, the perceptron)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_equal, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


def _mistake(rng, k=4):
    """Random float weights w, example x and label y with y * <x, w> < 0."""
    w = rng.integers(-4, 5, size=k).astype(float)
    x = rng.integers(-4, 5, size=k).astype(float)
    w[0], x[0] = 1.0, 3.0 * (1 + abs(x[1:] @ w[1:]))  # makes <x, w> > 0
    return w, x, -1


def _correct(rng, k=4):
    w, x, y = _mistake(rng, k)
    return w, x, -y


def _unpack(out, name="perceptron_update(...)"):
    expect_tuple(out, 2, name=name)
    return out


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A score of exactly 0 is not a correct classification.",
    "Update when y * <x, w> is less than or equal to zero, not only when it is strictly negative: a point "
    "exactly on the hyperplane (score exactly 0) counts as a mistake. Otherwise w = 0 would never change.",
)
@pytest.mark.spec(
    "a score of exactly $0$ (the point lies *on* the hyperplane) counts as a mistake",
    "Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,",
)
def test_zero_score_is_a_mistake(student, reference, rng):
    x = rng.integers(1, 5, size=3).astype(float)
    w_new, updated = _unpack(student.perceptron_update(np.zeros(3), x, 1))
    expect_equal(updated, True, name="updated for w = 0")
    expect_array(w_new, reference.perceptron_update(np.zeros(3), x, 1)[0], name="w_new for w = 0")
    w, x = np.array([2.0, 1.0, 0.0]), np.array([1.0, -2.0, 5.0])  # orthogonal: score exactly 0
    w_new, updated = _unpack(student.perceptron_update(w, x, -1, lr=0.5))
    expect_equal(updated, True, name="updated for a score of exactly 0")
    expect_array(w_new, reference.perceptron_update(w, x, -1, lr=0.5)[0], name="w_new")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "After an update, the score y * <x, w> of that example must grow.",
    "Check the sign of the step: the update moves w towards y times x (for an example with label -1 that "
    "means subtracting x), never away from it.",
)
@pytest.mark.spec("Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,")
def test_update_direction(student, reference, rng):
    w, x, y = _mistake(rng)
    w_new, updated = _unpack(student.perceptron_update(w, x, y))
    expect_equal(updated, True, name="updated")
    expect_array(w_new, reference.perceptron_update(w, x, y)[0], name="w_new", dtype="float")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The size of the step is set by the learning rate lr.",
    "The step is the learning rate times y times x. Make sure the learning rate lr is actually used, also "
    "when it is passed as a keyword argument.",
)
@pytest.mark.spec("Returns (w_new, updated): w + lr * y * x and True if y * <x, w> <= 0,", "lr: the learning rate.")
def test_update_uses_learning_rate(student, reference, rng):
    w, x, y = _mistake(rng)
    w_new, _ = _unpack(student.perceptron_update(w, x, y, lr=0.25))
    expect_array(w_new, reference.perceptron_update(w, x, y, lr=0.25)[0], name="w_new for lr = 0.25")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "An example that is already correctly classified must not change w.",
    "Only update when y * <x, w> <= 0. When the example is correctly classified (positive score), return "
    "the same weights and False.",
)
@pytest.mark.spec("otherwise `w_new` is `w` unchanged (return a copy) and `updated` is `False`.")
def test_correctly_classified_keeps_w(student, rng):
    w, x, y = _correct(rng)
    w_new, updated = _unpack(student.perceptron_update(w, x, y, lr=2.0))
    expect_equal(updated, False, name="updated for a correctly classified example")
    expect_array(w_new, w, name="w_new for a correctly classified example")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "perceptron_update must not change the arrays it is given.",
    "w (or x) was modified in place. Adding the step into w itself changes the caller's array (and the "
    "training history); build the new weights as a new array and return it.",
)
@pytest.mark.spec("Do not modify `w` or `x`: `w += ...` would change the caller's array.")
def test_update_does_not_modify_inputs(student, reference, rng):
    w, x, y = _mistake(rng)
    call = student.call("perceptron_update", w, x, y, lr=0.5)
    expect_unchanged(w, call.args[0], name="w")
    expect_unchanged(x, call.args[1], name="x")
    expect_array(_unpack(call.value)[0], reference.perceptron_update(w, x, y, lr=0.5)[0], name="w_new")


@pytest.mark.question("perceptron_update")
@pytest.mark.points(1)
@pytest.mark.hint(
    "updated must be True or False.",
    "Return updated as a Python bool (True or False), not as a number like 1 or 0 and not as a NumPy "
    "value.",
)
@pytest.mark.spec("`updated` must be a Python `bool`.")
def test_updated_is_python_bool(student, rng):
    for (w, x, y), expected in ((_mistake(rng), True), (_correct(rng), False)):
        _, updated = _unpack(student.perceptron_update(w, x, y))
        if type(updated) is not bool:
            raise CheckFailure(
                f"updated should be a Python bool (True or False), got {type(updated).__name__}"
            )
        expect_equal(updated, expected, name="updated")
