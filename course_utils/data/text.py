"""The course's character-level text corpus and its vocabulary.

``load_text()`` returns the shipped public-domain Shakespeare excerpt (source and licence in
``README.md`` beside this file). ``CharVocab`` maps characters to integer ids and back.

Unknown-character policy: the vocabulary is the sorted set of characters of the text it is built
from. By default (``unknown=None``) encoding a character outside it raises a ``ValueError`` naming
it, so nothing is silently changed. With ``unknown="?"`` (any single character), that character is
added to the vocabulary if missing and every unseen character encodes to its id; decoding then
returns it in their place. Decoding an id outside ``0 .. len(vocab) - 1`` always raises.

``consecutive_chunks(ids, n_streams, chunk_len)`` lays a text out for truncated BPTT with the hidden
state carried across chunks (as Karpathy's min-char-rnn does): ``n_streams`` parallel streams of
consecutive text, cut into chunks so that chunk ``i + 1`` of stream ``j`` continues chunk ``i``.

Imports numpy only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..validation import integer

__all__ = ["CORPUS_PATH", "CharVocab", "consecutive_chunks", "load_text"]

CORPUS_PATH = Path(__file__).with_name("tinyshakespeare.txt")


def load_text(n_chars: int | None = None) -> str:
    """The shipped corpus (about 300 KB of Shakespeare), or its first ``n_chars`` characters."""
    if n_chars is not None:
        n_chars = integer(n_chars, "n_chars", low=1)
    text = CORPUS_PATH.read_text(encoding="utf-8")
    return text if n_chars is None else text[:n_chars]


class CharVocab:
    """Characters <-> integer ids; ids follow the sorted order of the characters."""

    def __init__(self, text: str, unknown: str | None = None):
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string to build a vocabulary from.")
        if unknown is not None and (not isinstance(unknown, str) or len(unknown) != 1):
            raise ValueError(f"unknown must be None or a single character, got {unknown!r}.")
        chars = set(text) | ({unknown} if unknown is not None else set())
        self.chars = tuple(sorted(chars))
        self.unknown = unknown
        self._index = {c: i for i, c in enumerate(self.chars)}
        self._unknown_id = None if unknown is None else self._index[unknown]

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters, unknown={self.unknown!r})"

    def encode(self, text: str) -> np.ndarray:
        """The ids of ``text``'s characters as an int64 array of length ``len(text)``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}.")
        if self._unknown_id is None:
            missing = sorted(set(text) - set(self._index))
            if missing:
                raise ValueError(
                    f"text contains characters not in the vocabulary: {''.join(missing)!r} "
                    "(build the vocabulary with unknown='?' to map them to one character)."
                )
        ids = [self._index.get(c, self._unknown_id) for c in text]
        return np.array(ids, dtype=np.int64)

    def decode(self, ids) -> str:
        """The string whose characters have these ids (a 1-D sequence of integers)."""
        arr = np.asarray(ids)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise ValueError(
                f"ids must be a 1-D sequence of integers, got dtype {arr.dtype} and shape {arr.shape}."
            )
        if arr.size and (arr.min() < 0 or arr.max() >= len(self)):
            raise ValueError(
                f"ids must lie in 0 .. {len(self) - 1}, got values in {arr.min()} .. {arr.max()}."
            )
        return "".join(self.chars[i] for i in arr.tolist())


def consecutive_chunks(ids, n_streams, chunk_len) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``, each of shape ``(n_chunks, chunk_len, n_streams)``: inputs and next-id targets.

    ``ids`` (a 1-D sequence of integers) is cut into ``n_streams`` equal pieces of consecutive
    text, stream ``j`` starting at ``j * L`` with ``L = n_chunks * chunk_len`` and
    ``n_chunks = ((len(ids) - 1) // n_streams) // chunk_len`` (the tail that fills no whole chunk is
    dropped). ``x[i, :, j]`` is chunk ``i`` of stream ``j`` and ``y = `` the same positions shifted
    by one, so ``x[i + 1, 0, j]`` is the id right after ``x[i, -1, j]`` (it equals ``y[i, -1, j]``):
    a hidden state carried from chunk ``i`` of a stream to chunk ``i + 1`` has read the text just
    before it. Each chunk ``x[i]`` is in torch's sequence-first layout ``(T, B)``. int64 arrays.
    """
    arr = np.asarray(ids)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(
            f"ids must be a 1-D sequence of integers, got dtype {arr.dtype} and shape {arr.shape}."
        )
    n_streams = integer(n_streams, "n_streams", low=1)
    chunk_len = integer(chunk_len, "chunk_len", low=1)
    n_chunks = max(arr.size - 1, 0) // n_streams // chunk_len
    if n_chunks == 0:
        raise ValueError(
            f"ids of length {arr.size} hold no chunk: {n_streams} streams of chunk_len "
            f"{chunk_len} need at least n_streams * chunk_len + 1 = {n_streams * chunk_len + 1} ids."
        )
    length = n_chunks * chunk_len  # of each stream
    arr = arr.astype(np.int64, copy=False)
    x = arr[: n_streams * length].reshape(n_streams, n_chunks, chunk_len)
    y = arr[1 : n_streams * length + 1].reshape(n_streams, n_chunks, chunk_len)
    return x.transpose(1, 2, 0).copy(), y.transpose(1, 2, 0).copy()
