"""The shipped corpus loads, and CharVocab round-trips and applies its unknown-character policy."""

import numpy as np
import pytest

from course_utils.data import CharVocab, load_text
from course_utils.data.text import CORPUS_PATH


def test_corpus_is_a_few_hundred_kb_of_english_with_its_readme():
    text = load_text()
    assert 200_000 <= len(text) <= 400_000
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert text.isascii() and len(set(text)) == 62
    assert load_text(100) == text[:100]
    readme = (CORPUS_PATH.parent / "README.md").read_text()
    for fact in ("public domain", "karpathy/char-rnn", "Project Gutenberg", f"{len(text):,}"):
        assert fact in readme


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [(0, ValueError, "n_chars must be >= 1, got 0"), (-3, ValueError, "n_chars must be >= 1"),
     (2.5, TypeError, "n_chars must be an int, got float"),
     (True, TypeError, "n_chars must be an int, got bool")],
)  # fmt: skip
def test_load_text_rejects_a_bad_length(bad, error, match):
    with pytest.raises(error, match=match):
        load_text(bad)


def test_encode_decode_round_trip_on_the_corpus():
    text = load_text()
    vocab = CharVocab(text)
    assert len(vocab) == 62 and vocab.chars == tuple(sorted(set(text)))
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert ids.min() == 0 and ids.max() == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert vocab.encode("").shape == (0,) and vocab.decode([]) == ""


def test_ids_follow_sorted_character_order():
    vocab = CharVocab("cab")
    assert vocab.encode("abc").tolist() == [0, 1, 2]
    assert vocab.decode(np.array([2, 0])) == "ca"


def test_unknown_characters_raise_by_default_naming_them():
    vocab = CharVocab("hello world")
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'HZ'"):
        vocab.encode("Hello Zorld")


def test_unknown_characters_map_to_the_unknown_character_when_asked():
    vocab = CharVocab("hello", unknown="?")
    assert "?" in vocab.chars and len(vocab) == 5  # e h l o ?
    assert vocab.decode(vocab.encode("help!")) == "hel??"
    assert vocab.encode("x")[0] == vocab.chars.index("?")
    # an unknown character that already occurs in the text is not added twice
    assert len(CharVocab("a?b", unknown="?")) == 3


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: CharVocab(""), "text must be a non-empty string"),
        (lambda: CharVocab("abc", unknown="??"), "unknown must be None or a single character"),
        (
            lambda: CharVocab("abc").decode([0, 3]),
            r"ids must lie in 0 \.\. 2, got values in 0 \.\. 3",
        ),
        (lambda: CharVocab("abc").decode([-1]), r"ids must lie in 0 \.\. 2"),
        (lambda: CharVocab("abc").decode([0.5]), "ids must be a 1-D sequence of integers"),
        (lambda: CharVocab("abc").decode([[0, 1]]), "ids must be a 1-D sequence of integers"),
    ],
)
def test_bad_arguments_raise_one_clear_sentence(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_encode_rejects_a_non_string():
    with pytest.raises(TypeError, match="text must be a string, got list"):
        CharVocab("abc").encode(["a"])
