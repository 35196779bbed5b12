"""Instant feedback inside a notebook: ``check("name", answer)`` runs the visible test cases.

On success it prints one line. On failure it raises :class:`CheckFailed` whose message shows the
failing input, expected vs got, and the hint for the typical mistake it recognised. The cases,
references and hints come from ``course_utils.specs``, the same data the grader uses.
"""

from __future__ import annotations

from . import specs
from .judging import judge, observe


class CheckFailed(AssertionError):
    """A learner's answer failed a visible test case."""


class Checker:
    """``check = Checker("01_gradient_descent")``; then ``check("numerical_gradient", fn)``."""

    def __init__(self, assignment_id: str):
        self.assignment = specs.load(assignment_id)
        _show_failures_without_traceback()

    def __call__(self, name: str, answer) -> None:
        question = self.assignment.question(name)
        cases = question.visible_cases
        for number, case in enumerate(cases, start=1):
            verdict = judge(question, case, observe(question, case, answer))
            if not verdict.passed:
                lines = [
                    f"{name}: test {number} of {len(cases)} failed.",
                    f"  input: {case.description}",
                    f"  {verdict.message}",
                ]
                if verdict.hint:
                    lines.append(f"  hint: {verdict.hint}")
                raise CheckFailed("\n".join(lines))
        print(f"✓ {name}: all {len(cases)} visible tests pass.")


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
