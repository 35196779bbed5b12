"""Runs INSIDE the student's kernel, in the sandbox: the helpers behind the evaluation cells.

The runner evaluates each test case with three short cells in the student's kernel::

    _course_grading_args = __import__("course_utils.grading.sandbox.probe", fromlist=["x"]).prepare(TEXT, OTHERS)
    _course_grading_result = numerical_gradient(*_course_grading_args)
    __import__("course_utils.grading.sandbox.probe", fromlist=["x"]).report(NONCE, NAME, KIND, RECORD)

so the graded function is called from an ordinary cell, as the student calls it, with the inputs
of that one case (sent by the grader at that moment, see ``payload``). An exception, a timeout or
a dead kernel in the middle cell is seen by the runner from outside the kernel. ``report`` prints
one line, ``NONCE JSON`` (an :class:`~course_utils.answers.Observation`), whose nonce is fresh for
this case and is written nowhere before this cell runs.

Nothing here is trusted: this module has no reference, no expected value and no tolerance, and
everything it prints is plain data for the grader to validate and judge. ``install`` wraps the
course library's own implementations of the graded names so that a call to one is counted (a
student determined to hide such a call can; see the README's limits).
"""

from __future__ import annotations

import json

from course_utils.answers import (
    NotPlainData,
    Observation,
    held_arrays,
    observe_result,
    observe_value,
)
from course_utils.call_watch import CallWatch
from course_utils.grading.sandbox.payload import decode
from course_utils.library_calls import counting, module_places, resolve

MAX_LINE = 1_000_000  # characters of JSON per observation; larger answers are not graded
_library_calls: dict[str, int] = {}  # dotted name -> calls so far
_baseline: dict[str, int] = {}
_watch: list[CallWatch | None] = [None]
_held: list[tuple | None] = [None]  # the arrays the case's lists held before the call


def _user_namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


_resolve = resolve  # (owner, attribute, object) for a dotted name


def _counting(original, dotted: str):
    """A stand-in that counts calls to ``dotted``; nothing leads back to the original."""

    def bump():
        _library_calls[dotted] = _library_calls.get(dotted, 0) + 1

    return counting(original, bump)


def install(library_names: list[str]) -> None:
    """Count every call to these functions (dotted names) from now on, under every name the
    loaded course modules give them (``from .steps import adam_step`` elsewhere included)."""
    resolved = []  # all resolved first: a subclass's inherited method is the original then
    for dotted in library_names:
        try:
            resolved.append((dotted, *_resolve(dotted)))
        except (ImportError, AttributeError):
            continue
    for dotted, owner, attr, original in resolved:
        if isinstance(owner, type):  # a method: patched on its class
            setattr(owner, attr, _counting(original, dotted))
            continue
        counted = _counting(original, dotted)
        packages = {"course_utils", dotted.split(".")[0]}
        for module, name in module_places(owner, attr, original, packages=packages):
            setattr(module, name, counted)


def _stop_watching() -> str:
    watch, _watch[0] = _watch[0], None
    if watch is None:
        return ""
    watch.stop()
    return watch.changed_by


def prepare(text: str, others=()) -> tuple:
    """The case's arguments; library calls are counted from here, and the exercise's other graded
    functions (``others``) are watched until ``report`` (see ``course_utils.call_watch``)."""
    _stop_watching()  # a call that raised never reached ``report``
    _baseline.clear()
    _baseline.update(_library_calls)
    args = decode(text)
    _held[0] = held_arrays(args)
    _watch[0] = CallWatch(_user_namespace(), others, args)
    _watch[0].start()
    return args


def _observation(name: str, kind: str, record_inputs: bool, library) -> Observation:
    namespace = _user_namespace()
    if kind == "value":
        return observe_value(namespace[name]) if name in namespace else Observation("missing")
    args = namespace.get("_course_grading_args", ())
    calls = sum(_library_calls.get(n, 0) - _baseline.get(n, 0) for n in library)
    result = namespace.get("_course_grading_result")
    held, _held[0] = _held[0], None
    return observe_result(result, args, record_inputs, calls, _stop_watching(), held)


def report(nonce: str, name: str, kind: str, record_inputs: bool, library=()) -> None:
    """Print ``NONCE JSON`` for the case just evaluated; ``library`` names the course library's
    implementations of this question (calls to another question's do not count here)."""
    try:
        observation = _observation(name, kind, record_inputs, library)
        line = json.dumps(observation.to_json(), allow_nan=True)
    except (TypeError, ValueError, NotPlainData) as exc:
        line = json.dumps({"outcome": "not_plain", "error": f"not encodable: {exc}"[:300]})
    if len(line) > MAX_LINE:
        line = json.dumps({"outcome": "not_plain", "error": "the result is too large to grade."})
    # Leading newline: the learner's code may have left a partial line on stdout.
    print(f"\n{nonce} {line}", flush=True)
