"""How a result is compared with the expected one, and the difference said in words.

Both sides are plain data (see ``answers``): the learner's result as it came back, and the
reference's. The first difference is located (``result[2][0]``, or the task's name of the item),
explained in one sentence, and shown with the fewest digits that tell the two values apart.
Runs in the grader and in ``check``, never in the grading sandbox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .answers import NotPlainData, PlainArray


def describe(plain, raw=None, precision: int = 6) -> str:
    """A short human-readable rendering of plain data for feedback messages (an array whose
    values are all whole numbers is shown with integers, as the learner would write it; a
    sequence in brackets when ``raw``, the reference's own result, is a list). ``precision`` is
    the number of significant digits of a number."""
    if plain is None:
        return "None"
    if isinstance(plain, float):
        return f"{plain:.{precision}g}"
    if isinstance(plain, PlainArray):
        arr = plain.to_numpy()
        if arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        with np.printoptions(precision=precision, suppress=False, threshold=20, edgeitems=3):
            body = np.array2string(arr, separator=", ")
        return f"array({body}) (shape {plain.shape})"
    items = raw if type(raw) in (list, tuple) and len(raw) == len(plain) else [None] * len(plain)
    body = ", ".join(describe(v, r, precision) for v, r in zip(plain, items, strict=True))
    return f"[{body}]" if type(raw) is list else f"({body})"


def two_numbers(expected: float, got: float) -> tuple[str, str]:
    """The two numbers written with the fewest significant digits (at least 6) that tell them
    apart, so that a message never shows the same text for two different values."""
    for digits in range(6, 18):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            return a, b
    return repr(expected), repr(got)


def distinguishing_precision(expected, got) -> int:
    """The fewest significant digits (6 to 17) at which ``describe`` writes the two differently;
    6 when no precision does (a long array shown in part: the message names the entry)."""
    for digits in range(6, 18):
        if describe(expected, precision=digits) != describe(got, precision=digits):
            return digits
    return 6


def container_word(raw) -> str:
    """How the task names a returned sequence: "list" for a list, else "tuple"."""
    return "list" if type(raw) is list else "tuple"


def _kind(plain, word: str = "tuple") -> str:
    if plain is None:
        return "None"
    if isinstance(plain, float):
        return "a number"
    if isinstance(plain, PlainArray):
        return f"an array of shape {plain.shape}"
    return f"a {word} of {len(plain)} items"


@dataclass(frozen=True)
class Difference:
    """Where a result first differs from the expected one, and how.

    ``path`` holds the indices into the returned value (``(2,)`` for its third item, ``()`` for the
    value as a whole); ``expected``, ``got`` and ``raw`` are that item (plain data; ``raw`` as the
    reference returned it, for the task's words); ``why`` is one sentence; ``values_only`` is True
    when the item has the right type and shape and only its values differ, and ``summary`` then
    says so without any value (for answers that must not be revealed)."""

    path: tuple[int, ...]
    why: str
    expected: object = None
    got: object = None
    raw: object = None
    values_only: bool = False
    summary: str = ""

    def where(self, names: tuple[str, ...] = ()) -> str:
        """The item in the task's words: ``dc_prev`` when the returned items have names, else
        ``result[2]``; indices count from 0, as in Python, everywhere in the course's messages."""
        if not self.path:
            return ""
        head, rest = self.path[0], "".join(f"[{i}]" for i in self.path[1:])
        if head < len(names):
            return f"`{names[head]}{rest}`"
        return f"result[{head}]{rest}"

    def sentence(self, names: tuple[str, ...] = ()) -> str:
        where = self.where(names)
        return f"in {where}: {self.why}" if where else self.why


def first_difference(expected, got, rtol: float, atol: float, raw=None) -> Difference | None:
    """None when ``got`` matches ``expected`` (both plain data), else the first Difference."""
    return _first_difference(expected, got, rtol, atol, raw, ())


def mismatch(expected, got, rtol: float, atol: float, raw=None, names=()) -> str | None:
    """Return None when ``got`` matches ``expected`` (both plain data), else one sentence why not.

    ``raw`` is the reference's own result (optional): its lists and tuples give the words of the
    message ("a list of 6 items"); where a nested item differs, the message names it once, as
    ``result[1][0]``, or by its name in ``names`` (the task's names of the returned items)."""
    difference = first_difference(expected, got, rtol, atol, raw)
    return None if difference is None else difference.sentence(tuple(names))


def _array_difference(e, g, rtol, atol, path, expected, got, raw) -> Difference:
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    with np.errstate(invalid="ignore"):
        gap = np.where(close, -1.0, np.nan_to_num(np.abs(g - e), nan=np.inf, posinf=np.inf))
    worst = np.unravel_index(int(np.argmax(gap)), e.shape)
    a, b = two_numbers(float(e[worst]), float(g[worst]))
    at = f" at index {tuple(int(i) for i in worst)}" if e.ndim else ""
    summary = f"{int(np.count_nonzero(~close))} of {e.size} values differ"
    why = f"{summary}; the largest difference is{at}: expected {a}, got {b}."
    return Difference(path, why, expected, got, raw, True, summary)


def _first_difference(expected, got, rtol, atol, raw, path) -> Difference | None:
    def differ(why, values_only=False, summary=""):
        return Difference(path, why, expected, got, raw, values_only, summary)

    if got is None and expected is not None:
        return differ("got None: does the function end with `return ...`?")
    if isinstance(expected, float) and isinstance(got, PlainArray) and got.shape in ((), (1,)):
        got = got.data[0]
    if isinstance(expected, float):
        if not isinstance(got, float):
            return differ(f"expected a number, got {_kind(got)}.")
        if math.isnan(got):
            return differ("got NaN.")
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            a, b = two_numbers(expected, got)
            return differ(f"expected {a}, got {b}.", True, "the value differs")
        return None
    if isinstance(expected, PlainArray):
        if type(got) is list and not got:  # an empty list or tuple is an empty 1-D array
            got = PlainArray((0,), ())
        if not isinstance(got, PlainArray):
            return differ(f"expected an array of shape {expected.shape}, got {_kind(got)}.")
        if got.shape != expected.shape:
            return differ(f"expected an array of shape {expected.shape}, got shape {got.shape}.")
        e, g = expected.to_numpy(), got.to_numpy()
        if np.isnan(g).any() and not np.isnan(e).any():
            return differ("the array contains NaN.")
        if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            return _array_difference(e, g, rtol, atol, path, expected, got, raw)
        return None
    if isinstance(expected, list):
        word = container_word(raw)
        if not isinstance(got, list):
            return differ(f"expected a {word} of {len(expected)} items, got {_kind(got, word)}.")
        if len(got) != len(expected):
            return differ(f"expected a {word} of {len(expected)} items, got {len(got)}.")
        items = raw if type(raw) in (list, tuple) and len(raw) == len(expected) else None
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            sub = items[i] if items is not None else None
            found = _first_difference(e, g, rtol, atol, sub, (*path, i))
            if found is not None:
                return found
        return None
    if expected is None:
        return None if got is None else differ(f"expected None, got {_kind(got)}.")
    raise NotPlainData(f"expected value is not plain data: {type(expected).__name__}.")


_TYPE_WORDS = {
    "int": "an integer",
    "float": "a float",
    "bool": "True or False",
    "int[]": "an array of integers",
    "float[]": "an array (or list) of floats",
    "bool[]": "an array of booleans",
}


def _type_word(kind, expected: bool = False) -> str:
    if kind is None:
        return "None"
    if isinstance(kind, list):
        return f"a sequence of {len(kind)} items" if kind else "an empty list"
    if expected and kind == "float":
        return "a single number"
    return _TYPE_WORDS.get(kind, str(kind))


_TYPE_ADVICE = {
    "int": "return a whole number, e.g. `int(...)`",
    "int[]": "return an integer array, e.g. `.astype(int)` (`np.array([], dtype=int)` when empty)",
    "float": "return one number, e.g. `float(...)` or `.item()`",
}


def type_advice(expected) -> str:
    """What to return for the number type ``expected`` (``answers.number_types``), in words, or
    "" when the type needs no advice: "one number, e.g. `float(...)` or `.item()`"."""
    if not isinstance(expected, str) or expected not in _TYPE_ADVICE:
        return ""
    return f"{_type_word(expected, True)}: {_TYPE_ADVICE[expected]}"


def _type_mismatch(path, expected, got) -> Difference:
    why = f"expected {_type_word(expected, True)}, got {_type_word(got)}"
    advice = _TYPE_ADVICE.get(expected) if isinstance(expected, str) else None
    return Difference(path, f"{why}: {advice}." if advice else f"{why}.")


def type_difference(expected, got, path: tuple[int, ...] = ()) -> Difference | None:
    """None when the number types ``got`` (``answers.number_types`` of an answer) fit the
    reference's ``expected``, else where they first do not. Where the reference returns integers
    (a count, an index array) the answer must hold integers; where it returns one number the
    answer must be one number, not an array (of shape (1,) or ()); floats may be given as ints."""
    fits = {"float": ("float", "int"), "float[]": ("float[]", "int[]", "bool[]")}
    # A tuple of numbers of one type is named as an array ("int[]"), of mixed types item by item.
    if isinstance(expected, list) and isinstance(got, str) and got.endswith("[]"):
        got = [got[:-2]] * len(expected)
    if isinstance(got, list) and got and isinstance(expected, str) and expected.endswith("[]"):
        expected = [expected[:-2]] * len(got)
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return _type_mismatch(path, expected, got)
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            found = type_difference(e, g, (*path, i))
            if found is not None:
                return found
        return None
    if expected is None or got in fits.get(expected, (expected,)):
        return None
    return _type_mismatch(path, expected, got)
