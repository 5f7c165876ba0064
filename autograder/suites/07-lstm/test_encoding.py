"""Hidden tests of 07-lstm: build_vocab, encode and decode (the question "encoding"), on random texts."""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_equal, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t()[]{}:;.,=+-*/_#'\"")


def random_text(rng, n, k=None):
    chars = rng.choice(ALPHABET, size=k or int(rng.integers(5, 30)), replace=False)
    return "".join(rng.choice(chars, size=n))


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The vocabulary lists each character once, sorted.",
    "Sort the distinct characters (sorted(set(text))), so that the same text always gives the same "
    "vocabulary, whatever order the characters first appear in. Return a list of 1-character strings.",
)
@pytest.mark.spec(
    "`build_vocab(text)`: the sorted list of the distinct characters of `text` (a `list` of 1-character strings);",
)
def test_build_vocab_is_sorted_and_distinct(student, rng):
    for _ in range(3):
        text = random_text(rng, int(rng.integers(20, 60)))
        expect_equal(student.build_vocab(text), sorted(set(text)), name=f"build_vocab({text[:30]!r}...)")


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "encode gives each character's position in the vocabulary, as an int array.",
    "One int per character of text (a numpy array of length len(text), integer dtype); the character vocab[k] "
    "is encoded as k.",
)
@pytest.mark.spec(
    "`encode(text, vocab)`: a numpy array of ints, the position in `vocab` of each character of `text`",
    "Never modify the arrays you are given.",
)
def test_encode_against_reference(student, reference, rng):
    text = random_text(rng, 50)
    vocab = sorted(set(text) | {str(c) for c in rng.choice(ALPHABET, size=5)})  # some the text does not use
    call = student.call("encode", text, vocab)
    expect_unchanged(vocab, call.args[1], name="vocab")
    expect_array(call.value, reference.encode(text, vocab), name="encode(text, vocab)", dtype="int", exact=True)
    expect_array(student.encode("", vocab), np.zeros(0, dtype=int), name="encode('', vocab)", dtype="int")


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "decode(indices, vocab) looks each index up in the vocabulary: index k is vocab[k].",
    "No shift: vocab[i], not vocab[i + 1] or vocab[i - 1] (an off by one error). indices may be a list or a "
    "numpy array of ints; return one string.",
)
@pytest.mark.spec(
    "`decode(indices, vocab)`: the string of the characters at those positions (`indices` may be a list or an "
    "array).",
)
def test_decode_against_reference(student, reference, rng):
    vocab = sorted(rng.choice(ALPHABET, size=12, replace=False).tolist())
    indices = rng.integers(0, len(vocab), size=40)
    indices[:2] = [0, len(vocab) - 1]
    expect_equal(student.decode(indices, vocab), reference.decode(indices, vocab), name="decode(indices, vocab)")
    as_list = [int(i) for i in indices[:10]]
    expect_equal(student.decode(as_list, vocab), reference.decode(as_list, vocab), name="decode(list, vocab)")


@pytest.mark.question("encoding")
@pytest.mark.points(1)
@pytest.mark.hint(
    "decode(encode(text, vocab), vocab) must give back the text, character for character.",
    "encode and decode must use the same positions: index k stands for vocab[k] in both, with no off by one "
    "between them. Spaces, tabs and newlines are characters too.",
)
@pytest.mark.spec(
    "`decode(encode(text, vocab), vocab) == text`.",
    "`build_vocab(text)`: the sorted list of the distinct characters of `text` (a `list` of 1-character strings);",
)
def test_round_trip(student, rng):
    for _ in range(2):
        text = random_text(rng, int(rng.integers(30, 80)))
        vocab = student.build_vocab(text)
        if not isinstance(vocab, list):
            raise CheckFailure(f"build_vocab returned a {type(vocab).__name__}, not a list")
        ids = student.encode(text, vocab)
        expect_equal(student.decode(ids, vocab), text, name="decode(encode(text, vocab), vocab)")
