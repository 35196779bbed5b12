"""The shape of an assignment spec: questions, their test cases, references and typical mistakes.

A spec is data plus reference functions. It never imports ``checks`` or ``grading``: both of
those read specs, so one test case serves the learner's instant feedback and the instructor's grade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Case:
    """One test input. ``inputs()`` builds fresh arguments every call (deterministic)."""

    inputs: Callable[[], tuple]
    description: str
    hidden: bool = False
    raises: str | None = None  # name of the exception the answer must raise, e.g. "ValueError"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: if the learner's output equals ``answer(*inputs)``, show ``hint``."""

    hint: str
    answer: Callable


@dataclass(frozen=True)
class Question:
    """A graded function (``kind="function"``) or a graded variable (``kind="value"``)."""

    name: str
    points: float
    reference: Callable
    cases: tuple[Case, ...]
    kind: Literal["function", "value"] = "function"
    rtol: float = 1e-6
    atol: float = 1e-8
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""
    inputs_unchanged: bool = False
    timeout: float = 20.0

    def __post_init__(self):
        if self.kind not in ("function", "value"):
            raise ValueError(f"kind must be 'function' or 'value', got {self.kind!r}.")
        if self.points <= 0:
            raise ValueError(f"points must be positive, got {self.points}.")
        if not self.cases:
            raise ValueError(f"question {self.name!r} needs at least one case.")

    @property
    def visible_cases(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if not c.hidden)


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    questions: tuple[Question, ...]

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        names = ", ".join(q.name for q in self.questions)
        raise KeyError(f"assignment {self.id} has no question {name!r}; it has: {names}.")

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))
