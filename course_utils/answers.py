"""Plain data: how a learner's answer is turned into numbers before anything compares it.

An answer is converted to *plain data* (``float``, ``None``, a ``PlainArray`` or a list of those)
without calling any method of the answer's own class, so an object whose ``__eq__`` always returns
True, or an ndarray subclass with a rigged comparison, cannot pass. The same plain data travels as
JSON from the grading sandbox to the grader, which only ever compares plain data with plain data.
"""

from __future__ import annotations

import math
import numbers
import types
from dataclasses import dataclass

import numpy as np

from .call_watch import CallWatch


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
        if obj and all(
            type(v) in (bool, int, float) or isinstance(v, np.number | np.bool_) for v in obj
        ):
            base = np.array([float(v) for v in obj], dtype=np.float64)
            return PlainArray((len(obj),), tuple(base.tolist()))
        return [to_plain(v, _depth + 1) for v in obj]
    if isinstance(obj, numbers.Number) and not isinstance(obj, numbers.Real):
        raise NotPlainData(f"the answer is a {_describe_type(obj)}; expected a real number.")
    if isinstance(obj, types.GeneratorType | map | filter | zip | range):
        raise NotPlainData(
            f"the answer is a {_describe_type(obj)}, which gives its items only when iterated; "
            "expected a number, a numpy array, or a list or tuple of them: return a list "
            "(e.g. `list(...)` of what a `yield` function produces)."
        )
    if (type(obj).__module__ or "").split(".")[0] == "torch":
        raise NotPlainData(
            f"the answer is an object of type {_describe_type(obj)} (torch); convert it: "
            "`.item()` for one number, `.detach().numpy()` for an array."
        )
    raise NotPlainData(
        f"the answer is an object of type {_describe_type(obj)}; expected a number, a numpy array, "
        "or a list or tuple of them."
    )


def _number_type(v) -> str:
    if type(v) is bool or isinstance(v, np.bool_):
        return "bool"
    return "int" if type(v) is int or isinstance(v, np.integer) else "float"


def number_types(obj, _depth: int = 0):
    """The type of each number of an answer, shaped like its plain data (``to_plain``): "int",
    "float" or "bool" for a number, "int[]", "float[]" or "bool[]" for an array or a list of
    numbers, a list of those for a tuple or list of other items, None for None. Read only where a
    question asks for exact types (``Question.exact_types``): an index array must hold integers."""
    if _depth > 4 or obj is None:
        return None
    if type(obj) in (bool, int, float) or isinstance(obj, np.bool_ | np.integer | np.floating):
        return _number_type(obj)
    if isinstance(obj, np.ndarray):
        return {"b": "bool[]", "i": "int[]", "u": "int[]"}.get(obj.dtype.kind, "float[]")
    if type(obj) in (tuple, list):
        if obj and all(
            type(v) in (bool, int, float) or isinstance(v, np.number | np.bool_) for v in obj
        ):
            kinds = [_number_type(v) for v in obj]
            return f"{kinds[0]}[]" if len(set(kinds)) == 1 else kinds  # (0.4, 50): each its own
        return [number_types(v, _depth + 1) for v in obj]
    return None


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


NUMBER_TYPES = frozenset({"int", "float", "bool", "int[]", "float[]", "bool[]"})


def _types_from_json(obj, _depth: int = 0):
    """Validate ``number_types`` read back from untrusted JSON."""
    if obj is None or (type(obj) is str and obj in NUMBER_TYPES):
        return obj
    if type(obj) is list and _depth < 6 and len(obj) <= MAX_ELEMENTS:
        return [_types_from_json(v, _depth + 1) for v in obj]
    raise NotPlainData("number types must be names of types or lists of them.")


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
    array arguments after the call (None for the others, and for a list that no longer holds the
    arrays it was given: see ``inputs_after``), ``library_calls`` the number of calls
    the answer made to the course library's own implementation of this question, ``changed_by``
    the name of another graded function, called by the answer, that changed an array the answer
    received in place ("" when none did; see ``call_watch``), ``types`` the type of each number
    of the value (``number_types``; None when not recorded).
    """

    outcome: str
    value: object = None
    error_type: str = ""
    error: str = ""
    inputs_after: tuple | None = None
    library_calls: int = 0
    changed_by: str = ""
    types: object = None

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
        if self.changed_by:
            data["changed_by"] = self.changed_by
        if self.types is not None:
            data["types"] = self.types
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
        by = data.get("changed_by", "")
        if type(by) is not str or len(by) > 100 or (by and not by.isidentifier()):
            raise ValueError("changed_by is not a name")
        types = _types_from_json(data.get("types"))
        return cls(
            data["outcome"], value, text["error_type"], text["error"], after, calls, by, types
        )


def held_arrays(args: tuple) -> tuple:
    """What the caller holds, taken before the call: each list argument's entries, the array
    objects themselves (a shallow copy of the list), for ``inputs_after``."""
    return tuple(list(a) if type(a) is list else a for a in args)


def inputs_after(args: tuple, held: tuple | None = None) -> tuple:
    """The array arguments (an ndarray, or a list of ndarrays) as plain data after a call; None
    for the others. Read back to judge "changes its input in place" and "leaves it unchanged".
    With ``held`` (``held_arrays`` before the call), a list whose entries are no longer the
    arrays it held (``grads[i] = grads[i] * c`` rebinds them, leaving the caller's arrays as they
    were; referee sb07) is None too: neither changed in place nor left unchanged."""

    def snapshot(a, h):
        if type(a) is np.ndarray:
            return to_plain(a)
        if type(a) is list and a and all(type(v) is np.ndarray for v in a):
            if type(h) is list and (
                len(h) != len(a) or any(x is not y for x, y in zip(h, a, strict=True))
            ):
                return None
            return to_plain(a)
        return None

    held = held if held is not None and len(held) == len(args) else (None,) * len(args)
    return tuple(snapshot(a, h) for a, h in zip(args, held, strict=True))


def observe_call(function, args: tuple, record_inputs: bool, watch=()) -> Observation:
    """Call ``function(*args)`` and describe the result as an Observation (runs with the
    learner's code: no reference and no expected value are involved here). ``watch`` names the
    exercise's other graded functions: one of them that changes the call's arrays is named."""
    namespace = getattr(function, "__globals__", None)
    watcher = CallWatch(namespace if type(namespace) is dict else {}, watch, args)
    held = held_arrays(args)
    try:
        with watcher:
            result = function(*args)
    except Exception as exc:  # the learner's code may raise anything
        name = type(exc).__name__
        return Observation("error", error_type=name, error=short_text(f"{name}: {exc}"))
    return observe_result(result, args, record_inputs, 0, watcher.changed_by, held)


def observe_result(
    result,
    args: tuple,
    record_inputs: bool,
    library_calls: int = 0,
    changed_by: str = "",
    held: tuple | None = None,
) -> Observation:
    """The Observation of a call that returned ``result`` (the one recorder: ``observe_call`` and
    the grading sandbox's probe, which sees the call made in a cell of its own, both use it);
    ``held``: ``held_arrays(args)`` taken before the call."""
    after = inputs_after(args, held) if record_inputs else None
    try:
        value = to_plain(result)
    except NotPlainData as exc:
        return Observation("not_plain", error=short_text(exc), library_calls=library_calls)
    return Observation(
        "value",
        value,
        inputs_after=after,
        library_calls=library_calls,
        changed_by=changed_by,
        types=number_types(result),
    )


def observe_value(value) -> Observation:
    """A graded variable as an Observation."""
    try:
        return Observation("value", to_plain(value), types=number_types(value))
    except NotPlainData as exc:
        return Observation("not_plain", error=short_text(exc))
