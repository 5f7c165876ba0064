"""Hidden tests for predict (exercise 01, the perceptron)."""

import numpy as np
import pytest

from autograder.selfcheck import expect_array

pytestmark = pytest.mark.visibility("hidden")


@pytest.mark.question("predict")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A point exactly on the hyperplane is classified -1.",
    "Only a strictly positive score gives +1; a score of exactly 0 gives -1 (note that np.sign gives 0 "
    "there, and a comparison with >= gives +1).",
)
@pytest.mark.spec(
    "A point exactly on the boundary (score $0$) gets $-1$",
    "return an **integer** array of shape `(n,)` with values $+1$ and $-1$",
)
def test_zero_score_gives_minus_one(student, rng):
    w = np.array([1.0, 2.0, 4.0])  # the lecture's line F + 2G = 4
    on_line = np.array([[0.0, 2.0], [4.0, 0.0], [2.0, 1.0], [-2.0, 3.0], [6.0, -1.0]])
    off = np.array([[4.0, 1.0], [0.0, 0.0], [1.0, 5.0]])
    X = np.vstack([on_line, off])[rng.permutation(8)]
    expected = np.where(X @ w[:2] - w[2] > 0, 1, -1)
    expect_array(student.predict(w, X), expected, name="predict(w, X) with points on the line", dtype="int",
                 exact=True)


@pytest.mark.question("predict")
@pytest.mark.points(1)
@pytest.mark.hint(
    "predict returns one integer label, +1 or -1, per row of X.",
    "Fold the bias into X before taking the scores with w (rho, the last weight, is subtracted). Return "
    "integers of shape (n,) with values in {-1, +1}: not floats, not booleans, not a column vector.",
)
@pytest.mark.spec(
    "return an **integer** array of shape `(n,)` with values $+1$ and $-1$",
    "Returns an int array of shape (n,): +1 where <(x, -1), w> > 0, else -1.",
)
def test_predict_random(student, reference, rng):
    n, d = 15, 3
    w = rng.normal(size=d + 1)
    w[d] = 1.5
    X = rng.normal(size=(n, d)) * 2
    expect_array(student.predict(w, X), reference.predict(w, X),
                 name=f"predict(w, X) for X of shape {(n, d)}", dtype="int", exact=True)
