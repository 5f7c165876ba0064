"""Hidden tests of 07-lstm: temperature sampling, by its statistics.

``sample`` takes a numpy Generator, which cannot cross into the sandbox: the kit helper
``lstm_tools.sample_many`` makes ``np.random.default_rng(seed)`` in the worker and calls the student's
``sample`` n times in a loop there (one proxy call instead of thousands). The seeds are the student's, so
every bound below holds or fails the same way on every run. Chi-square bounds are at the 1e-4 level: a
correct sampler fails one of them about once in 10,000 students.
"""

import math

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, MissingFunction, StudentRaised, expect_array

pytestmark = pytest.mark.visibility("hidden")

N_DRAWS = 4000


def draws(student, probs, temperature, seed, n=N_DRAWS, readonly=False):
    """n draws of the student's sample with one generator; their types checked to be int. With ``readonly``
    every call gets probs as an array it cannot write to."""
    out = student.kit("lstm_tools.sample_many", np.asarray(probs, dtype=float), float(temperature), int(seed), n,
                      readonly=readonly)
    if not isinstance(out, dict):
        raise CheckFailure("the grader could not read what sample returned")
    err = out.get("error")
    if err:
        etype, message = str(err.get("type", "Exception"))[:100], str(err.get("message", ""))[:1500]
        if etype == "MissingFunction":
            raise MissingFunction("sample is not defined")
        if etype == "NotImplementedError":
            raise StudentRaised("sample is not implemented yet (it raises NotImplementedError)", etype)
        raise StudentRaised(f"sample raised {etype}" + (f": {message}" if message else "") +
                            f" (temperature {temperature:g})", etype, str(err.get("traceback", ""))[-4000:])
    if out.get("problem"):
        raise CheckFailure(str(out["problem"])[:300])
    got = out.get("draws")
    if not isinstance(got, np.ndarray) or got.shape != (n,):
        raise CheckFailure("the grader could not read the draws of sample")
    if got.min() < 0 or got.max() >= len(probs):
        raise CheckFailure(f"sample returned the index {int(got.max() if got.max() >= len(probs) else got.min())} "
                           f"for a vector of {len(probs)} probabilities")
    return got, out


def tempered(probs, temperature):
    logits = np.log(probs) / temperature
    p = np.exp(logits - logits.max())
    return p / p.sum()


def chi_square(got, p):
    """(statistic, bound at the 1e-4 level) of Pearson's test of the draws against p (cells with n p >= 5)."""
    n = len(got)
    counts = np.bincount(got, minlength=len(p)).astype(float)
    keep = n * p >= 5
    expected = np.append(n * p[keep], n * p[~keep].sum())
    observed = np.append(counts[keep], counts[~keep].sum())
    if expected[-1] < 5:  # fold the rare cells into the last kept one
        expected, observed = expected[:-1], observed[:-1]
        expected[-1] += n * p[~keep].sum()
        observed[-1] += counts[~keep].sum()
    stat = float(np.sum((observed - expected) ** 2 / expected))
    k = len(expected) - 1
    bound = k * (1 - 2 / (9 * k) + 3.719 * math.sqrt(2 / (9 * k))) ** 3  # Wilson-Hilferty, 1 - 1e-4
    return stat, bound


def expect_distribution(got, p, what):
    stat, bound = chi_square(got, p)
    if stat > bound:
        counts = np.bincount(got, minlength=len(p))
        raise CheckFailure(f"{len(got)} draws {what} do not follow the tempered distribution "
                           f"(chi-square {stat:.0f}, bound {bound:.0f})",
                           f"counts {counts.tolist()}, expected about {(len(got) * p).round().astype(int).tolist()}")


def random_probs(rng, k):
    p = rng.dirichlet(np.full(k, 1.5))
    return np.maximum(p, 0.01) / np.maximum(p, 0.01).sum()


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At temperature 0 (or up to 1e-8) sample must return the most likely index, every time.",
    "Handle temperature <= 1e-8 first, before dividing by it: return the argmax of probs. Dividing by 0 gives "
    "infinities and NaN, and a tiny temperature is the same as greedy choice.",
)
@pytest.mark.spec(
    "for `temperature <= 1e-8` (0 included) return the index of the largest probability (no division by $T$!);",
)
def test_sample_zero_temperature_is_argmax(student, rng):
    for temperature in (0.0, 1e-9, 1e-8):
        probs = random_probs(rng, 7)
        got, _ = draws(student, probs, temperature, int(rng.integers(1 << 30)), n=20)
        expect_array(got, np.full(20, int(np.argmax(probs))), name=f"20 draws at temperature {temperature:g}",
                     exact=True)


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return a plain Python int, not a numpy integer or an array.",
    "rng.choice and np.argmax return numpy integers: wrap the result in int(...).",
)
@pytest.mark.spec(
    "return a Python `int`.",
)
def test_sample_returns_a_python_int(student, rng):
    for temperature in (0.0, 1.0):
        _, out = draws(student, random_probs(rng, 4), temperature, int(rng.integers(1 << 30)), n=5)
        if out.get("types") != ["int"]:
            raise CheckFailure(f"sample returned a {', '.join(map(str, out.get('types') or ['?']))} at temperature "
                               f"{temperature:g}, not an int")


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At temperature 1, sample draws from probs as they are.",
    "Draw with rng.choice(len(p), p=p) from the generator you are given; at temperature 1 the tempered p is "
    "probs itself.",
)
@pytest.mark.spec(
    "$T = 1$: the model's own distribution;",
    "otherwise draw **with the generator you are given**, exactly like this: `rng.choice(len(p), p=p)`, where `p` "
    "is $p_T$ (the grader draws with the same seed and compares);",
)
def test_sample_temperature_one_follows_probs(student, rng):
    probs = random_probs(rng, 8)
    got, _ = draws(student, probs, 1.0, int(rng.integers(1 << 30)))
    expect_distribution(got, probs, "at temperature 1")


@pytest.mark.question("sample")
@pytest.mark.points(2)
@pytest.mark.hint(
    "A temperature below 1 must sharpen the distribution: the likely indices get likelier.",
    "The temperature reshapes the probabilities as probs ** (1 / T), renormalized: divide the log-probabilities "
    "by the temperature, then softmax. Multiplying probs by T changes nothing after normalization, and ignoring "
    "the temperature leaves probs as they are.",
)
@pytest.mark.spec(
    "$T < 1$: sharper, the likely characters get likelier;",
    "p ~ probs ** (1 / temperature), computed in log space, drawn with rng.choice(len(p), p=p).",
)
def test_sample_low_temperature_sharpens(student, rng):
    probs = random_probs(rng, 6)
    for temperature in (0.5, 0.25):
        got, _ = draws(student, probs, temperature, int(rng.integers(1 << 30)))
        expect_distribution(got, tempered(probs, temperature), f"at temperature {temperature}")


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "A temperature above 1 must flatten the distribution: the draws spread out as the temperature grows.",
    "probs ** (1 / T) with T = 2 is the square root of probs, renormalized: rare indices come up more often "
    "than in probs. The entropy of the draws must grow with the temperature.",
)
@pytest.mark.spec(
    "$T > 1$: flatter; as $T \\to \\infty$ every character is equally likely",
    "p ~ probs ** (1 / temperature), computed in log space, drawn with rng.choice(len(p), p=p).",
)
def test_sample_high_temperature_flattens(student, rng):
    probs = random_probs(rng, 6)
    entropies = []
    for temperature in (0.5, 1.0, 2.0, 4.0):
        got, _ = draws(student, probs, temperature, int(rng.integers(1 << 30)))
        freq = np.bincount(got, minlength=len(probs)) / len(got)
        entropies.append(float(-np.sum(freq[freq > 0] * np.log(freq[freq > 0]))))
        if temperature == 2.0:
            expect_distribution(got, tempered(probs, 2.0), "at temperature 2")
    if not all(a < b for a, b in zip(entropies, entropies[1:])):
        raise CheckFailure("the entropy of the draws does not grow with the temperature (0.5, 1, 2, 4): "
                           + ", ".join(f"{e:.3f}" for e in entropies))


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With the same generator, sample must draw exactly what the reference draws.",
    "Draw exactly once per call with the generator you are given: rng.choice(len(p), p=p), where p is the "
    "tempered distribution. No np.random.seed, no new generator, no second draw.",
)
@pytest.mark.spec(
    "otherwise draw **with the generator you are given**, exactly like this: `rng.choice(len(p), p=p)`, where `p` "
    "is $p_T$ (the grader draws with the same seed and compares);",
)
def test_sample_draws_with_the_given_generator(student, reference, rng):
    probs = random_probs(rng, 9)
    seed = int(rng.integers(1 << 30))
    got, _ = draws(student, probs, 0.7, seed, n=200)
    gen = np.random.default_rng(seed)
    expected = np.array([reference._invoke("sample", (probs.copy(), 0.7, gen), {}) for _ in range(200)])
    expect_array(got, expected, name="200 draws at temperature 0.7 with a seeded generator", exact=True)


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "At a small temperature sample must still work: compute the tempered distribution in log space.",
    "probs ** (1 / T) underflows to 0 for every index at T = 0.004 (0/0 = NaN). Divide log(probs) by T, subtract "
    "the maximum, then exponentiate and normalize. Probabilities of exactly 0 must never be drawn.",
)
@pytest.mark.spec(
    "Compute it **in log space**",
    "A probability of exactly 0 gives $\\log 0 = -\\infty$, which is fine here (it stays impossible)",
)
def test_sample_is_stable(student, rng):
    probs = np.full(40, 0.02)
    top, second = rng.choice(40, size=2, replace=False)
    probs[top], probs[second] = 0.03, 0.0299
    probs /= probs.sum()  # all about 0.03: probs ** 250 underflows to 0 for every index
    got, _ = draws(student, probs, 0.004, int(rng.integers(1 << 30)), n=1000)
    expect_distribution(got, tempered(probs, 0.004), "at temperature 0.004")
    with_zeros = np.array([0.0, 0.5, 0.0, 0.3, 0.2, 0.0])
    got, _ = draws(student, with_zeros, 0.5, int(rng.integers(1 << 30)), n=500)
    if np.any(with_zeros[got] == 0):
        raise CheckFailure("sample drew an index whose probability is 0")


@pytest.mark.question("sample")
@pytest.mark.points(1)
@pytest.mark.hint(
    "sample must not change the probability vector it is given.",
    "Work on new arrays (p = np.exp(...), p = p / p.sum()) instead of dividing probs in place.",
)
@pytest.mark.spec(
    "Never modify the arrays you are given.",
)
def test_sample_does_not_modify_probs(student, rng):
    # By construction, not by the worker's word: probs arrive read-only, so writing into them raises there.
    for temperature in (0.5, 1.0, 2.0):
        try:
            draws(student, random_probs(rng, 5), temperature, int(rng.integers(1 << 30)), n=3, readonly=True)
        except StudentRaised as exc:
            if "read-only" in str(exc):
                raise CheckFailure(f"sample modified probs in place (temperature {temperature:g}): {exc}") from None
            raise
