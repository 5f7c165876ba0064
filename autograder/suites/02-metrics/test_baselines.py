"""Hidden tests for majority_baseline and random_baseline (exercise 02, metrics)."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")


# --------------------------------------------------------------------------- majority_baseline


@pytest.mark.question("majority_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "When several labels are equally frequent, the smallest of them wins.",
    "On a tie between the most frequent labels, predict the smallest label (np.unique sorts the labels "
    "and np.argmax returns the first maximum), not the larger one and not the one seen first.",
)
@pytest.mark.spec("If several labels are equally frequent, take the **smallest** of them.")
def test_majority_tie_goes_to_smallest(student, rng):
    for y_train, winner in (([3, 1, 3, 1, 2], 1), ([1, -1, -1, 1], -1), ([5, 9, 9, 7, 7, 5], 5)):
        y_train = np.array(y_train)[rng.permutation(len(y_train))]
        expect_array(student.majority_baseline(y_train, 6), np.full(6, winner),
                     name=f"majority_baseline({y_train.tolist()}, 6)", exact=True)


@pytest.mark.question("majority_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return a 1-d array of n copies of the most frequent training label.",
    "The result has shape (n,) and holds the label itself (here labels are -2, 4 and 7), not its count "
    "and not its position in the list of labels.",
)
@pytest.mark.spec("a NumPy array of `n` predictions, all equal to the most frequent label in `y_train`.")
def test_majority_random(student, reference, rng):
    y_train = rng.choice([-2, 4, 7], size=31, p=[0.2, 0.3, 0.5])
    n = int(rng.integers(5, 15))
    expect_array(student.majority_baseline(y_train, n), reference.majority_baseline(y_train, n),
                 name=f"majority_baseline(y_train, {n})", exact=True)


@pytest.mark.question("majority_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "majority_baseline must not change y_train.",
    "y_train was modified in place (y_train.sort() sorts the caller's array): count the labels without "
    "changing the array, e.g. with np.unique(y_train, return_counts=True), or work on a copy.",
)
@pytest.mark.spec("Do not change `y_train` (sorting it in place would).")
def test_majority_does_not_modify_y_train(student, reference, rng):
    y_train = rng.integers(0, 3, size=15)
    y_train[:3] = [2, 0, 1]
    call = student.call("majority_baseline", y_train, 4)
    expect_unchanged(y_train, call.args[0], name="y_train")
    expect_array(call.value, reference.majority_baseline(y_train, 4), name="majority_baseline(y_train, 4)",
                 exact=True)


# --------------------------------------------------------------------------- random_baseline


@pytest.mark.question("random_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Follow the recipe in the notebook exactly: the same seed must give the same labels as the reference.",
    "Use rng = np.random.default_rng(seed) and rng.choice(np.unique(y_train), size=n): draw from the "
    "labels seen in y_train (with training labels 2, 5, 9 nothing else can come out; range(max + 1) would "
    "also give 0, 1, 3, ...), and not with the global np.random functions.",
)
@pytest.mark.spec(
    "the random numbers must come from exactly this generator, drawn exactly this way:",
    "predictions = rng.choice(np.unique(y_train), size=n)",
)
def test_random_baseline_matches_recipe(student, reference, rng):
    for y_train in (rng.choice([9, 2, 5], size=12), rng.choice([-1, 1], size=10)):
        seed, n = int(rng.integers(0, 10_000)), int(rng.integers(10, 30))
        expect_array(student.random_baseline(y_train, n, seed), reference.random_baseline(y_train, n, seed),
                     name=f"random_baseline(y_train, {n}, seed={seed}) for labels {sorted(set(y_train.tolist()))}",
                     exact=True)


@pytest.mark.question("random_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Every label seen in training must be equally likely, however often it occurs in y_train.",
    "Draw uniformly from the distinct labels (np.unique(y_train)), not from y_train itself: drawing from "
    "y_train copies its label frequencies, which is a different baseline.",
)
@pytest.mark.spec(
    "draw every prediction uniformly at random from the labels seen in training, each label with the same probability.",
    "predictions = rng.choice(np.unique(y_train), size=n)",
)
def test_random_baseline_uniform(student, rng):
    y_train = np.array([0] * 19 + [3])[rng.permutation(20)]
    out = student.random_baseline(y_train, 400, int(rng.integers(0, 10_000)))
    if not isinstance(out, np.ndarray) or out.shape != (400,):
        expect_array(out, np.zeros(400, dtype=int), name="random_baseline(y_train, 400, seed)")
    count_3 = int(np.sum(out == 3))
    if not 140 <= count_3 <= 260:  # Binomial(400, 1/2): mean 200, sd 10
        raise CheckFailure(f"in 400 draws from the labels 0 and 3 (each with probability 1/2), label 3 came out "
                           f"{count_3} times; expected about 200")


@pytest.mark.question("random_baseline")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The seed decides the draws: same seed, same predictions; another seed, other predictions.",
    "Make a new generator from the seed argument in every call (np.random.default_rng(seed)); do not "
    "ignore the seed, reuse a generator from an earlier call, or change y_train.",
)
@pytest.mark.spec(
    "The same seed gives the same predictions.",
    "rng = np.random.default_rng(seed)",
    "do not modify the arrays you are given",
)
def test_random_baseline_seed(student, rng):
    y_train = rng.integers(0, 5, size=20)
    seed = int(rng.integers(0, 10_000))
    call = student.call("random_baseline", y_train, 50, seed)
    expect_unchanged(y_train, call.args[0], name="y_train")
    first = call.value
    expect_array(student.random_baseline(y_train, 50, seed), first, name=f"a second call with seed={seed}",
                 exact=True)
    other = student.random_baseline(y_train, 50, seed + 1)
    if isinstance(other, np.ndarray) and other.shape == first.shape and np.array_equal(other, first):
        raise CheckFailure(f"seeds {seed} and {seed + 1} gave the same 50 predictions; is the seed used?")
