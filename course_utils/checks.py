"""Instant feedback inside a notebook: ``check("name", answer)`` runs the visible test cases.

On success it prints one line. On failure it raises :class:`CheckFailed` whose message shows the
failing input, expected vs got, and the hint for the typical mistake it recognised. The cases,
references and hints come from ``course_utils.specs``, the same data the grader uses, and the
text comes from the same renderer as the grader's feedback (``judging.render_case``).

Each case runs under the question's time limit (``Question.timeout``, 20 s unless the spec says
otherwise): a function that never returns is interrupted and the check fails saying so. The limit
uses SIGALRM, so it applies in the main thread on Linux and macOS (always the case in Jupyter).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import signal
import threading
import types

from . import specs
from .answers import Observation
from .judging import judge, observe, render_case
from .library_calls import counted_calls, is_library_original


class CheckFailed(AssertionError):
    """A learner's answer failed a visible test case."""


class Checker:
    """``check = Checker("01_gradient_descent")``; then ``check("numerical_gradient", fn)``."""

    def __init__(self, assignment_id: str):
        self.assignment = specs.load(assignment_id)
        _show_failures_without_traceback()

    def __call__(self, name: str, answer) -> None:
        known = [q.name for q in self.assignment.questions]
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            guess = f"did you mean `{close[0]}`? " if close else ""
            names = ", ".join(f"`{n}`" for n in known)
            raise CheckFailed(
                f"there is no question {name!r} here: {guess}The questions are {names}."
            )
        question = self.assignment.question(name)
        cases = question.visible_cases
        others = tuple(n for n in known if n != name)  # named if they change this call's arrays
        library = question.library_names if question.kind == "function" else ()
        alias = is_library_original(answer, library)  # the answer *is* the library's function
        for number, case in enumerate(cases, start=1):
            args = case.make_inputs()
            namespaces = [answer.__globals__] if type(answer) is types.FunctionType else []
            try:
                with (
                    _time_limit(question.timeout),
                    counted_calls(library, namespaces) as library_calls,
                ):
                    observation = observe(question, case, answer, args, others)
                calls = library_calls[0] + (alias is not None)
                if calls:  # as the grader counts them: the answer scores 0
                    observation = dataclasses.replace(observation, library_calls=calls)
            except _CheckTimeout:
                observation = Observation("timeout")
            verdict = judge(question, case, observation, args)
            if not verdict.passed:
                raise CheckFailed(f"{name}: " + render_case(number, len(cases), case, verdict))
        hidden = len(question.cases) - len(cases)
        passed = (
            f"all {len(cases)} visible tests pass" if len(cases) > 1 else "its visible test passes"
        )
        extra = {0: "grading runs these same tests", 1: "grading adds 1 hidden test"}.get(
            hidden, f"grading adds {hidden} hidden tests"
        )
        print(f"✓ {name}: {passed} ({extra}, and a question's points need every test to pass).")


class _CheckTimeout(BaseException):
    """Raised inside the learner's function when a check's time limit is reached (a
    BaseException, so ``except Exception`` in the learner's code does not swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def interrupt(signum, frame):
        raise _CheckTimeout()

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _show_failures_without_traceback() -> None:
    """In IPython, show a failed check as its message alone (the cell still counts as an error,
    so "Run All" stops there); the traceback into this module would only be noise."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: the exception prints as usual
        return
    shell = get_ipython()
    if shell is None:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [f"\x1b[0;31mCheckFailed\x1b[0m: {value}"])

    shell.set_custom_exc((CheckFailed,), show)


def checker(assignment_id: str) -> Checker:
    """The ``check`` function for one exercise notebook."""
    return Checker(assignment_id)
