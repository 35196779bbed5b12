"""Plain data: how a learner's answer is turned into numbers before anything compares it.

An answer is converted to *plain data* (``float``, ``None``, a ``PlainArray`` or a list of those)
without calling any method of the answer's own class, so an object whose ``__eq__`` always returns
True, or an ndarray subclass with a rigged comparison, cannot pass. The same plain data travels as
JSON from the grading sandbox to the grader, which only ever compares plain data with plain data.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np


class NotPlainData(TypeError):
    """The answer is of a type that cannot be compared (not a number, array, tuple or list)."""


@dataclass(frozen=True)
class PlainArray:
    """A real-valued array as a shape and a flat tuple of floats."""

    shape: tuple[int, ...]
    data: tuple[float, ...]

    def to_numpy(self) -> np.ndarray:
        return np.array(self.data, dtype=np.float64).reshape(self.shape)


def _describe_type(obj) -> str:
    return type(obj).__name__


def to_plain(obj, _depth: int = 0):
    """Convert an answer to plain data, or raise NotPlainData with a one-sentence reason."""
    if _depth > 4:
        raise NotPlainData("the answer is nested too deeply (more than 4 levels of tuples/lists).")
    if obj is None:
        return None
    # Exact type checks: a subclass of float/int could override comparisons or __float__.
    if type(obj) in (bool, int, float) or isinstance(obj, np.bool_ | np.integer | np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise NotPlainData(
                f"the answer is an array of dtype {obj.dtype}, expected real numbers (float)."
            )
        base = np.array(obj, dtype=np.float64, copy=True, subok=False)
        return PlainArray(tuple(int(s) for s in base.shape), tuple(base.ravel().tolist()))
    if type(obj) in (tuple, list):
        if obj and all(type(v) in (bool, int, float) or isinstance(v, np.number) for v in obj):
            base = np.array([float(v) for v in obj], dtype=np.float64)
            return PlainArray((len(obj),), tuple(base.tolist()))
        return [to_plain(v, _depth + 1) for v in obj]
    if isinstance(obj, numbers.Number) and not isinstance(obj, numbers.Real):
        raise NotPlainData(f"the answer is a {_describe_type(obj)}; expected a real number.")
    raise NotPlainData(
        f"the answer is an object of type {_describe_type(obj)}; expected a number, a numpy array "
        "or a tuple of them."
    )


# ---------------------------------------------------------------- JSON transport (sandbox -> grader)


def plain_to_json(plain):
    """Plain data -> JSON-compatible structure (tagged so arrays stay arrays)."""
    if plain is None or isinstance(plain, float):
        return plain
    if isinstance(plain, PlainArray):
        return {"shape": list(plain.shape), "data": list(plain.data)}
    if isinstance(plain, list):
        return {"items": [plain_to_json(v) for v in plain]}
    raise NotPlainData(f"not plain data: {_describe_type(plain)}.")


# Bounds on untrusted answers (checked in ``plain_from_json``, the one place they are read).
MAX_INT = 2**63  # integers beyond this are not answers (and a 400-digit one overflows float)
MAX_NDIM = 32
MAX_ELEMENTS = 10_000_000


def _number(v) -> float:
    if type(v) is int:
        if not -MAX_INT <= v <= MAX_INT:
            raise NotPlainData("a number in the answer is out of range.")
        return float(v)
    if type(v) is float:
        return v  # NaN and infinities are judged like any other value
    raise NotPlainData("array data must be a list of numbers.")


def _shape(shape) -> tuple[int, ...]:
    if type(shape) is not list or len(shape) > MAX_NDIM:
        raise NotPlainData(f"array shape must be a list of at most {MAX_NDIM} sizes.")
    size = 1
    for s in shape:
        if type(s) is not int or not 0 <= s <= MAX_ELEMENTS:
            raise NotPlainData(f"array sizes must be integers from 0 to {MAX_ELEMENTS}.")
        size = min(size * s, MAX_ELEMENTS + 1)  # stays small: no overflow, no huge product
    if size > MAX_ELEMENTS:
        raise NotPlainData(f"the array has more than {MAX_ELEMENTS} elements.")
    return tuple(shape)


def plain_from_json(obj, _depth: int = 0):
    """JSON structure -> plain data, validating every node with bounds (the input is untrusted):
    numbers within +-2**63 (or float, NaN and infinities included), at most 32 dimensions, each
    size and the element count at most 10**7, nesting at most 6 levels."""
    if _depth > 6:
        raise NotPlainData("answer nested too deeply.")
    if obj is None:
        return None
    if type(obj) in (int, float):
        return _number(obj)
    if type(obj) is dict and set(obj) == {"shape", "data"}:
        shape, data = _shape(obj["shape"]), obj["data"]
        if type(data) is not list:
            raise NotPlainData("array data must be a list of numbers.")
        if math.prod(shape) != len(data):
            raise NotPlainData("array data does not match its shape.")
        return PlainArray(shape, tuple(_number(v) for v in data))
    if type(obj) is dict and set(obj) == {"items"} and type(obj["items"]) is list:
        return [plain_from_json(v, _depth + 1) for v in obj["items"]]
    raise NotPlainData(f"unexpected answer encoding: {type(obj).__name__}.")


# ---------------------------------------------------------------- comparison


def describe(plain, raw=None) -> str:
    """A short human-readable rendering of plain data for feedback messages (an array whose
    values are all whole numbers is shown with integers, as the learner would write it; a
    sequence in brackets when ``raw``, the reference's own result, is a list)."""
    if plain is None:
        return "None"
    if isinstance(plain, float):
        return f"{plain:.6g}"
    if isinstance(plain, PlainArray):
        arr = plain.to_numpy()
        if arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        with np.printoptions(precision=6, suppress=False, threshold=20, edgeitems=3):
            body = np.array2string(arr, separator=", ")
        return f"array({body}) (shape {plain.shape})"
    items = raw if type(raw) in (list, tuple) and len(raw) == len(plain) else [None] * len(plain)
    body = ", ".join(describe(v, r) for v, r in zip(plain, items, strict=True))
    return f"[{body}]" if type(raw) is list else f"({body})"


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


def mismatch(expected, got, rtol: float, atol: float, raw=None) -> str | None:
    """Return None when ``got`` matches ``expected`` (both plain data), else one sentence why not.

    ``raw`` is the reference's own result (optional): its lists and tuples give the words of the
    message ("a list of 6 items"); where a nested item differs, the message names it once, as
    ``result[1][0]``."""
    path, why = _first_difference(expected, got, rtol, atol, raw, "")
    if why is None or not path:
        return why
    return f"in result{path}: {why}"


def _first_difference(expected, got, rtol, atol, raw, path):
    if got is None and expected is not None:
        return path, "got None: does the function end with `return ...`?"
    if isinstance(expected, float) and isinstance(got, PlainArray) and got.shape in ((), (1,)):
        got = got.data[0]
    if isinstance(expected, float):
        if not isinstance(got, float):
            return path, f"expected a number, got {_kind(got)}."
        if math.isnan(got):
            return path, "got NaN."
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return path, f"expected {expected:.6g}, got {got:.6g}."
        return path, None
    if isinstance(expected, PlainArray):
        if not isinstance(got, PlainArray):
            return path, f"expected an array of shape {expected.shape}, got {_kind(got)}."
        if got.shape != expected.shape:
            return path, f"expected an array of shape {expected.shape}, got shape {got.shape}."
        e, g = expected.to_numpy(), got.to_numpy()
        if np.isnan(g).any() and not np.isnan(e).any():
            return path, "the array contains NaN."
        if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            worst = int(np.argmax(np.abs(g - e).ravel()))
            return path, (
                f"values differ (largest difference {np.abs(g - e).ravel()[worst]:.3g} "
                f"at flat index {worst})."
            )
        return path, None
    if isinstance(expected, list):
        word = container_word(raw)
        if not isinstance(got, list):
            return path, f"expected a {word} of {len(expected)} items, got {_kind(got, word)}."
        if len(got) != len(expected):
            return path, f"expected a {word} of {len(expected)} items, got {len(got)}."
        items = raw if type(raw) in (list, tuple) and len(raw) == len(expected) else None
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            sub = items[i] if items is not None else None
            where, why = _first_difference(e, g, rtol, atol, sub, f"{path}[{i}]")
            if why is not None:
                return where, why
        return path, None
    if expected is None:
        return path, (None if got is None else f"expected None, got {_kind(got)}.")
    raise NotPlainData(f"expected value is not plain data: {type(expected).__name__}.")


# ---------------------------------------------------------------- one observation of one test case


_OUTCOMES = ("value", "error", "missing", "timeout", "not_plain", "died", "tampered")
_MAX_TEXT = 300


def short_text(text, limit: int = _MAX_TEXT) -> str:
    """``text`` on one line (whitespace runs collapsed), cut to ``limit`` characters with "...".

    The course's one text-shortening helper: feedback, reports and the grading sandbox use it."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


@dataclass(frozen=True)
class Observation:
    """What happened when the learner's answer met one test case: plain data only.

    Made where the answer runs (the learner's kernel, or the grading sandbox), read by the judge.
    ``outcome`` is one of ``value`` (``value`` holds plain data), ``error`` (the answer raised
    ``error_type``: ``error``), ``missing`` (the name is not defined), ``timeout``, ``not_plain``
    (``error`` says why the result is not plain data), ``died`` (the kernel died: ``error``) or
    ``tampered`` (the grader saw the result channel abused: ``error``). ``inputs_after`` holds the
    array arguments after the call (None for the others), ``library_calls`` the number of calls
    the answer made to the course library's own implementation of this question.
    """

    outcome: str
    value: object = None
    error_type: str = ""
    error: str = ""
    inputs_after: tuple | None = None
    library_calls: int = 0

    def to_json(self) -> dict:
        data: dict = {"outcome": self.outcome}
        if self.outcome == "value":
            data["value"] = plain_to_json(self.value)
        if self.error_type:
            data["error_type"] = self.error_type
        if self.error:
            data["error"] = self.error
        if self.inputs_after is not None:
            data["inputs_after"] = [
                None if a is None else plain_to_json(a) for a in self.inputs_after
            ]
        if self.library_calls:
            data["library_calls"] = self.library_calls
        return data

    @classmethod
    def from_json(cls, data) -> Observation:
        """Validate untrusted JSON; anything malformed, or anything that fails while it is read
        (any exception), becomes a ``tampered`` observation."""
        try:
            return cls._parse(data)
        except Exception as exc:  # untrusted input: its failure is the submission's, never ours
            return cls("tampered", error=f"the result could not be read ({short_text(exc, 120)}).")

    @classmethod
    def _parse(cls, data) -> Observation:
        if type(data) is not dict or data.get("outcome") not in _OUTCOMES:
            raise ValueError("no valid outcome")
        text = {}
        for key in ("error_type", "error"):
            if type(data.get(key, "")) is not str:
                raise ValueError(f"{key} is not text")
            text[key] = short_text(data.get(key, ""))
        value = plain_from_json(data["value"]) if data["outcome"] == "value" else None
        after = data.get("inputs_after")
        if after is not None:
            if type(after) is not list or len(after) > 64:
                raise ValueError("inputs_after is not a list")
            after = tuple(None if a is None else plain_from_json(a) for a in after)
        calls = data.get("library_calls", 0)
        if type(calls) is not int or not 0 <= calls <= MAX_INT:
            raise ValueError("library_calls is not a count")
        return cls(data["outcome"], value, text["error_type"], text["error"], after, calls)


def inputs_after(args: tuple) -> tuple:
    """The array arguments (an ndarray, or a list of ndarrays) as plain data after a call; None
    for the others. Read back to judge "changes its input in place" and "leaves it unchanged"."""

    def snapshot(a):
        if type(a) is np.ndarray:
            return to_plain(a)
        if type(a) is list and a and all(type(v) is np.ndarray for v in a):
            return to_plain(a)
        return None

    return tuple(snapshot(a) for a in args)


def observe_call(function, args: tuple, record_inputs: bool) -> Observation:
    """Call ``function(*args)`` and describe the result as an Observation (runs with the
    learner's code: no reference and no expected value are involved here)."""
    try:
        result = function(*args)
    except Exception as exc:  # the learner's code may raise anything
        name = type(exc).__name__
        return Observation("error", error_type=name, error=short_text(f"{name}: {exc}"))
    return observe_result(result, args, record_inputs)


def observe_result(result, args: tuple, record_inputs: bool, library_calls: int = 0) -> Observation:
    """The Observation of a call that returned ``result`` (the one recorder: ``observe_call`` and
    the grading sandbox's probe, which sees the call made in a cell of its own, both use it)."""
    after = inputs_after(args) if record_inputs else None
    try:
        value = to_plain(result)
    except NotPlainData as exc:
        return Observation("not_plain", error=short_text(exc), library_calls=library_calls)
    return Observation("value", value, inputs_after=after, library_calls=library_calls)


def observe_value(value) -> Observation:
    """A graded variable as an Observation."""
    try:
        return Observation("value", to_plain(value))
    except NotPlainData as exc:
        return Observation("not_plain", error=short_text(exc))
