"""The shape of an assignment spec: questions, their test cases, references and typical mistakes.

A spec is data plus reference functions. It never imports ``checks`` or ``grading``: both of
those read specs, so one test case serves the learner's instant feedback and the instructor's grade.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Seed of the generator a case with ``inputs(rng)`` gets in instant checks and spec tests. The
#: grader draws a fresh secret seed per grading run instead, so hidden inputs cannot be tabled.
CHECK_SEED = 0


@dataclass(frozen=True)
class Case:
    """One test input. ``inputs()`` builds fresh arguments every call (deterministic).

    ``inputs`` may instead take one argument, a ``numpy.random.Generator``: the case is then
    *generated*. Instant checks and the spec tests pass ``default_rng(CHECK_SEED)``; the grader
    passes a generator seeded from a secret it draws for each grading run, so a hidden generated
    case has new inputs every run. Describe such a case without its numbers.
    """

    inputs: Callable[..., tuple]
    description: str
    hidden: bool = False
    raises: str | None = None  # name of the exception the answer must raise, e.g. "ValueError"

    @property
    def generated(self) -> bool:
        """True when ``inputs`` takes a random generator."""
        try:
            return len(inspect.signature(self.inputs).parameters) == 1
        except (TypeError, ValueError):
            return False

    def make_inputs(self, rng: np.random.Generator | None = None) -> tuple:
        """Fresh arguments: ``inputs()``, or ``inputs(rng)`` for a generated case."""
        if not self.generated:
            return tuple(self.inputs())
        return tuple(self.inputs(rng if rng is not None else np.random.default_rng(CHECK_SEED)))


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: if the learner's output equals ``answer(*inputs)``, show ``hint``.

    ``matches(args, got)``, when given, names a whole family of wrong answers that no single output
    stands for (every split of a bias with the right sum, say): it decides instead of equality, on
    the arguments and the learner's output as plain data, and ``answer`` is one member of the
    family (the tests run it).

    ``missing_raise`` names the exception (e.g. ``"ValueError"``) of the cases this mistake returns
    on instead of raising: where a learner's answer fails to raise on such a case and this mistake
    fails the same way, the check shows this hint instead of a generic one about the exception."""

    hint: str
    answer: Callable
    matches: Callable | None = None
    missing_raise: str | None = None


#: What a derivation's answer may not call (issue 21's referee of exercise 08): torch's automatic
#: differentiation computes the gradients the question asks the learner to derive. Counted like
#: the course library's own implementations (``Question.library_names``): such an answer scores 0.
#: Reverse mode (the first three; torch.func's jacrev, vjp and grad reach torch.autograd.grad, and
#: are named too), and forward mode (sa08: torch.func.jacfwd and the dual numbers of forward_ad are
#: exact and passed the derivations' tolerance), with torch.autograd.functional's wrappers of both.
AUTOGRAD = (
    "torch.Tensor.backward",
    "torch.autograd.backward",
    "torch.autograd.grad",
    "torch.func.jacrev",
    "torch.func.vjp",
    "torch.func.grad",
    "torch.func.grad_and_value",
    "torch.func.hessian",
    "torch.func.jacfwd",
    "torch.func.jvp",
    "torch.func.linearize",
    "torch.autograd.forward_ad.make_dual",
    "torch.autograd.forward_ad.unpack_dual",
    "torch.autograd.functional.jacobian",
    "torch.autograd.functional.hessian",
    "torch.autograd.functional.vjp",
    "torch.autograd.functional.jvp",
    "torch.autograd.functional.hvp",
    "torch.autograd.functional.vhp",
)

#: What a question may ask of a learner (``Question.skill``); only "warm-up" counts as practice
#: of what the lecture already shows.
SKILLS = ("warm-up", "variant", "derivation", "diagnosis", "prediction", "new problem")


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
    # The answer must change its array arguments (an ndarray or a list of them) in place, to what
    # the reference leaves in its own arguments: part of the verdict, like the returned value.
    in_place: bool = False
    timeout: float = 20.0
    # Dotted names of the course library's own implementations of this answer (for example
    # "course_utils.gradcheck.numerical_gradient"). A graded answer that calls one scores 0.
    # A reference imported from a library module is added automatically (see ``library_names``).
    library: tuple[str, ...] = ()
    # The task's names of the returned tuple's items, e.g. ("dx", "dh_prev", "dc_prev", ...):
    # feedback names the item that differs by them ("in `dc_prev`: ...") instead of result[2].
    returns: tuple[str, ...] = ()
    # The answer must have the reference's number types, not only its values: integers where
    # the reference returns integers (an index array, a step count), one number where it returns
    # one number (not a list of one). Floats may come as ints. See comparison.type_difference.
    exact_types: bool = False
    # What the question asks of a learner (issue 21): "warm-up" (the lecture's idea applied
    # directly), "variant" (a method the lecture does not write, e.g. AMSGrad after Adam),
    # "derivation" (a gradient or formula the lecture does not give), "diagnosis" (a fault read
    # from a run's evidence, graded on the decision), "prediction" (a number from theory, then
    # measured) or "new problem" (the lecture's code applied where it was not). None: not yet
    # classified. tests/test_exercise_design.py holds each redesigned set to the rules.
    skill: str | None = None

    def __post_init__(self):
        if self.kind not in ("function", "value"):
            raise ValueError(f"kind must be 'function' or 'value', got {self.kind!r}.")
        if self.points <= 0:
            raise ValueError(f"points must be positive, got {self.points}.")
        if not self.cases:
            raise ValueError(f"question {self.name!r} needs at least one case.")
        if self.skill is not None and self.skill not in SKILLS:
            raise ValueError(
                f"skill must be one of {', '.join(SKILLS)}, got {self.skill!r} for {self.name!r}."
            )
        if type(self.returns) is not tuple or not all(
            type(n) is str and n.isidentifier() for n in self.returns
        ):
            raise ValueError(
                f"returns must be a tuple of names, got {self.returns!r} for {self.name!r}."
            )

    @property
    def records_inputs(self) -> bool:
        """Whether a call's array arguments are read back afterwards (to judge them)."""
        return self.inputs_unchanged or self.in_place

    @property
    def argument_names(self) -> tuple[str, ...]:
        """The reference's parameter names: the task's own words for the arguments."""
        try:
            parameters = inspect.signature(self.reference).parameters.values()
        except (TypeError, ValueError):
            return ()
        named = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return tuple(p.name for p in parameters if p.kind in named)

    @property
    def visible_cases(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if not c.hidden)

    @property
    def library_names(self) -> tuple[str, ...]:
        """``library`` plus the reference itself when it lives in a course library module, and
        torch's autograd (``AUTOGRAD``) for a derivation."""
        names = list(self.library)
        module = getattr(self.reference, "__module__", "") or ""
        qualname = getattr(self.reference, "__qualname__", "") or ""
        if (
            self.kind == "function"
            and module.startswith("course_utils.")
            and not module.startswith("course_utils.specs")
            and "<" not in qualname
        ):
            names.append(f"{module}.{qualname}")
        if self.skill == "derivation" and self.kind == "function":
            names += AUTOGRAD
        return tuple(dict.fromkeys(names))


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
