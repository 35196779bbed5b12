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

    def __call__(self, name: str, answer) -> None:
        __tracebackhide__ = True  # IPython hides this frame: the learner sees only the message
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


def checker(assignment_id: str) -> Checker:
    """The ``check`` function for one exercise notebook."""
    return Checker(assignment_id)
