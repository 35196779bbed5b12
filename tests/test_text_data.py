"""The shipped corpus loads, and CharVocab round-trips and applies its unknown-character policy."""

import numpy as np
import pytest

from course_utils.data import CharVocab, consecutive_chunks, load_text
from course_utils.data.text import CORPUS_PATH


def test_corpus_is_a_few_hundred_kb_of_english_with_its_readme():
    text = load_text()
    assert 200_000 <= len(text) <= 400_000
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert text.isascii() and len(set(text)) == 62
    assert load_text(100) == text[:100]
    readme = (CORPUS_PATH.parent / "README.md").read_text()
    facts = (
        "public domain",
        "karpathy/char-rnn",
        "does not say from which edition",
        f"{len(text):,}",
    )
    for fact in facts:
        assert fact in readme
    assert "Gutenberg" not in readme  # char-rnn names no edition (ri06 point 2)


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


def test_consecutive_chunks_shapes_and_next_character_targets():
    ids = np.arange(101)  # 100 inputs with a target each: 4 streams of 25, 3 chunks of 8 each
    x, y = consecutive_chunks(ids, n_streams=4, chunk_len=8)
    assert x.shape == y.shape == (3, 8, 4) and x.dtype == y.dtype == np.int64
    assert np.array_equal(y, x + 1)  # each target is the id right after its input
    assert np.array_equal(x[:, :, 1].ravel(), np.arange(24, 48))  # stream 1 starts at 1 * 24
    assert np.array_equal(np.unique(x), np.arange(96))  # every id once, the tail 96.. dropped


def test_consecutive_chunks_carry_chunk_i_plus_1_of_a_stream_continues_chunk_i():
    text = load_text(5000)
    vocab = CharVocab(text)
    x, y = consecutive_chunks(vocab.encode(text), n_streams=7, chunk_len=16)
    for j in range(7):
        stream = vocab.decode(x[:, :, j].ravel())  # chunks 0, 1, ... of stream j, in order
        assert stream in text and len(stream) == x.shape[0] * 16
        assert np.array_equal(x[1:, 0, j], y[:-1, -1, j])  # chunk i+1 starts where chunk i ended
    # a stream is one piece of text: its chunks are not interleaved with another stream's
    assert vocab.decode(x[0, :, 1]) == text[x.shape[0] * 16 :][:16]


def test_consecutive_chunks_accepts_the_smallest_input_and_torch_like_sequences():
    x, y = consecutive_chunks([3, 1, 4, 1, 5], n_streams=2, chunk_len=2)
    assert x.tolist() == [[[3, 4], [1, 1]]] and y.tolist() == [[[1, 1], [4, 5]]]


@pytest.mark.parametrize(
    ("ids", "n_streams", "chunk_len", "error", "match"),
    [(np.arange(10), 0, 4, ValueError, "n_streams must be >= 1, got 0"),
     (np.arange(10), 2, 0, ValueError, "chunk_len must be >= 1, got 0"),
     (np.arange(10), 2, 2.0, TypeError, "chunk_len must be an int, got float"),
     (np.arange(10), 3, 4, ValueError, r"ids of length 10 hold no chunk: .* at least .* = 13 ids"),
     (np.zeros((4, 4), int), 1, 2, ValueError, "ids must be a 1-D sequence of integers"),
     (np.linspace(0, 1, 9), 1, 2, ValueError, "ids must be a 1-D sequence of integers, got dtype float64"),
     ([], 1, 1, ValueError, "ids of length 0 hold no chunk")],
)  # fmt: skip
def test_consecutive_chunks_rejects_bad_input_in_one_sentence(
    ids, n_streams, chunk_len, error, match
):
    with pytest.raises(error, match=match):
        consecutive_chunks(ids, n_streams, chunk_len)
