"""Run a learner's answer on one test case (``observe``), decide whether it is right (``judge``),
and say so in words (``render_case``).

``observe`` runs where the learner's code lives (their kernel for instant checks; the grading
sandbox runs the same :func:`course_utils.answers.observe_call`) and returns an
:class:`~course_utils.answers.Observation`: plain data, JSON both ways. ``judge`` runs where the
reference lives (the learner's kernel for instant feedback, the trusted grader process for grades)
and compares plain data with plain data, so the same case gives the same verdict in both places.
A :class:`Verdict` says explicitly whether its message may be shown for a hidden case.
"""

from __future__ import annotations

import builtins
import copy
from dataclasses import dataclass

import numpy as np

from .answers import (
    NotPlainData,
    Observation,
    PlainArray,
    inputs_after,
    number_types,
    observe_call,
    observe_value,
    short_text,
    to_plain,
)
from .comparison import (
    describe,
    distinguishing_precision,
    first_difference,
    mismatch,
    two_numbers,
    type_advice,
    type_difference,
)
from .specs.base import AUTOGRAD, Case, Question

__all__ = ["Observation", "Verdict", "judge", "observe", "render_case"]

_BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def observe(
    question: Question, case: Case, answer, args: tuple | None = None, watch=()
) -> Observation:
    """Call ``answer`` on the case (or read it, for a value question). ``args`` defaults to
    ``case.make_inputs()``; the grader passes the arguments it generated for this run. ``watch``
    names the exercise's other graded functions (see ``call_watch``)."""
    if question.kind == "value":
        return observe_value(answer)
    if not callable(answer):
        return Observation(
            "not_plain", error=f"{question.name} should be a function, got {type(answer).__name__}."
        )
    args = case.make_inputs() if args is None else copy.deepcopy(args)  # the caller's stay intact
    return observe_call(answer, args, question.records_inputs, watch)


@dataclass(frozen=True)
class Verdict:
    """The judgement of one case. ``reveals`` is True when ``message`` shows something derived
    from the case's inputs or expected answer: then it is never shown for a hidden case."""

    passed: bool
    message: str = ""
    hint: str = ""
    reveals: bool = False
    redacted: str = "returned a wrong result."  # shown instead of a revealing message

    def __bool__(self) -> bool:
        return self.passed


def _expected(question: Question, args: tuple):
    """The reference's answer as plain data, and as it was returned (for the task's words)."""
    if question.kind == "value":
        raw = question.reference()
    else:
        raw = question.reference(*copy.deepcopy(args))
    return to_plain(raw), raw


def _matching_mistake(question: Question, args: tuple, got) -> str:
    for mistake in question.mistakes:
        if mistake.matches is not None:
            try:
                if mistake.matches(copy.deepcopy(args), got):
                    return mistake.hint
            except Exception:  # noqa: BLE001 - an answer the predicate cannot read is not its kind
                pass
            continue
        try:
            call_args = () if question.kind == "value" else copy.deepcopy(args)
            wrong = to_plain(mistake.answer(*call_args))
        except Exception:
            continue
        try:
            if mismatch(wrong, got, question.rtol, question.atol) is None:
                return mistake.hint
        except NotPlainData:
            continue
    return question.hint


def _refused_hint(question: Question, args: tuple, error_type: str | None) -> str:
    """For a case the reference returns on where the answer raised: a hint true whatever the cause
    (tc05 E2: a valid input refused got the hint of a mistake raising there for another reason).
    Then the hint of the first mistake raising the same built-in ``error_type`` (None: another
    exception) as the other possible cause, e.g. a divergence test on a finite x."""
    hint = (
        "The task accepts this input (the reference returns a result for it): if your code "
        "refuses it on purpose, look again at the task's rules for the arguments."
    )
    for mistake in question.mistakes if error_type else ():
        try:
            mistake.answer(*copy.deepcopy(args))
        except Exception as exc:  # noqa: BLE001 - any exception a mistake raises is its output
            if type(exc).__name__ == error_type:
                return f"{hint} If the {error_type} comes from the computation: {mistake.hint}"
    return hint


def _raise_hint(question: Question, args: tuple, case: Case, error_type: str | None) -> str:
    """For a case that must raise ``case.raises`` where the answer returned normally
    (``error_type`` None) or raised another exception: the hint of a mistake declared to miss that
    raise (``Mistake.missing_raise``) that fails the same way on this case, else a hint about the
    exception itself, not the question's computation."""
    for mistake in question.mistakes:
        if mistake.missing_raise != case.raises:
            continue
        try:
            mistake.answer(*copy.deepcopy(args))
        except Exception as exc:  # noqa: BLE001 - any exception a mistake raises is its output
            if type(exc).__name__ == error_type:
                return mistake.hint
            continue
        if error_type is None:
            return mistake.hint
    return (
        f"The task asks for a {case.raises} on this input: test for it and raise it with a "
        "sentence that says what is wrong."
    )


def _library_message(question: Question) -> str:
    shown = [f"`{n}`" for n in question.library_names if n not in AUTOGRAD]
    if set(AUTOGRAD) & set(question.library_names):  # one phrase for the whole list (sa08)
        shown.append(
            "torch's autograd in reverse or forward mode (`.backward()`, `torch.autograd.grad`, "
            "`torch.autograd.functional`, `torch.func`, `torch.autograd.forward_ad`)"
        )
    names = ", ".join(shown) or "the course library"
    torch_names = [n for n in question.library_names if n.startswith("torch.")]
    autograd = " or torch's autograd" if set(AUTOGRAD) & set(torch_names) else ""
    if set(torch_names) - set(AUTOGRAD):
        autograd = f"{autograd} or torch's own"
    return (
        f"`{question.name}` calls the course library's own implementation{autograd} ({names}) "
        "instead of implementing it: this question scores 0."
    )


def judge(question: Question, case: Case, observation, args: tuple | None = None) -> Verdict:
    """Compare an observation (untrusted: an Observation or its JSON) with the reference."""
    obs = (
        observation if isinstance(observation, Observation) else Observation.from_json(observation)
    )
    args = case.make_inputs() if args is None else args
    if obs.library_calls:
        return Verdict(False, _library_message(question))
    if obs.outcome == "error":
        if case.raises is not None and obs.error_type == case.raises:
            return Verdict(True)
        if obs.error_type == "NotImplementedError":
            return Verdict(
                False,
                "not implemented yet: the code still raises NotImplementedError.",
                "Replace `raise NotImplementedError()` with your solution.",
            )
        # The exception's text may quote the input, and its type's name is the student's text:
        # a hidden case names only a built-in exception type.
        error_type = obs.error_type if obs.error_type in _BUILTIN_ERRORS else "an exception"
        hint = question.hint
        if question.kind == "function" and case.raises is None:  # a valid input refused (tc05 E2)
            builtin = obs.error_type if obs.error_type in _BUILTIN_ERRORS else None
            hint = _refused_hint(question, args, builtin)
        elif question.kind == "function" and obs.error_type in _BUILTIN_ERRORS:
            hint = _raise_hint(question, args, case, obs.error_type)  # another exception than asked
        return Verdict(False, f"raised {obs.error}", hint, True, f"raised {error_type}.")
    if obs.outcome == "missing":
        return Verdict(
            False,
            f"`{question.name}` is not defined: run the cell that defines it.",
            "Check the spelling of the name and run the cell above.",
        )
    if obs.outcome == "timeout":
        return Verdict(False, f"took longer than {question.timeout:g} s (an endless loop?).")
    if obs.outcome in ("died", "tampered"):  # the text came from the sandbox: not for hidden cases
        redacted = "no result came back (the kernel died or the run was tampered with)."
        return Verdict(False, obs.error or redacted, reveals=True, redacted=redacted)
    if case.raises is not None:  # the hint is about the input to refuse, not the computation
        return Verdict(
            False,
            f"expected a {case.raises} to be raised, but the function returned normally.",
            _raise_hint(question, args, case, None) if args is not None else question.hint,
        )
    if obs.outcome == "not_plain":
        redacted = "returned something that is not a number, an array or a tuple of them."
        why = short_text(obs.error)
        if question.exact_types and case.raises is None:  # say the one type this question takes
            advice = type_advice(number_types(_expected(question, args)[1]))
            if advice:
                why = f"{why.split(';')[0]}; this question asks for {advice}."
        return Verdict(False, why, question.hint, True, redacted)
    got = obs.value
    if got is None and question.kind == "value":
        return Verdict(False, f"`{question.name}` is still None: set it to your answer.")
    expected, raw = _expected(question, args)
    difference = first_difference(expected, got, question.rtol, question.atol, raw)
    if difference is not None:
        hint = _matching_mistake(question, args, got)
        why = difference.sentence(question.returns)
        if difference.why.startswith(("got None", "got NaN", "the array contains NaN")):
            return Verdict(False, why, hint)
        if question.kind == "value":  # never reveal the answer itself
            if isinstance(got, float):
                return Verdict(False, f"{describe(got)} is not the right answer.", hint)
            if difference.values_only:
                where = difference.where(question.returns)
                return Verdict(
                    False, f"{f'in {where}: ' if where else ''}{difference.summary}.", hint
                )
            return Verdict(
                False,
                why.split(", got")[0].replace("expected", "your answer should be") + ".",
                hint,
            )
        named = _named_number(question, expected, got)
        if named:  # a tuple of numbers with names: the one that differs, by its name
            return Verdict(False, named, hint, reveals=True)
        if not isinstance(difference.expected, float):  # show the one item that differs
            item, mine, words = difference.expected, difference.got, difference.raw
            digits = distinguishing_precision(item, mine)
            why += (
                f"\n    expected: {describe(item, words, digits)}"
                f"\n    got:      {describe(mine, words, digits)}"
            )
        return Verdict(False, why, hint, reveals=True)
    if question.exact_types:
        wrong_type = type_difference(number_types(raw), obs.types)
        if wrong_type is not None:
            why = wrong_type.sentence(question.returns)
            return Verdict(False, f"{why} The values are right; only their type is not.")
    if question.in_place:
        return _changed_in_place(question, args, obs.inputs_after)
    if question.inputs_unchanged:
        return _inputs_unchanged(question, args, obs.inputs_after, obs.changed_by)
    return Verdict(True)


def _argument_name(question: Question, i: int) -> str:
    names = question.argument_names
    return f"`{names[i]}`" if i < len(names) else f"args[{i}]"  # counted from 0, as result[i]


def _changed_in_place(question: Question, args: tuple, after) -> Verdict:
    """The arguments after the call must be what the reference leaves in its own arguments."""
    own = copy.deepcopy(args)
    question.reference(*own)
    wanted = inputs_after(own)
    if after is None or len(after) != len(wanted):
        return Verdict(False, "could not read the arguments back after the call.")
    for i, (w, a) in enumerate(zip(wanted, after, strict=True)):
        if w is not None and (
            a is None or mismatch(w, a, question.rtol, question.atol) is not None
        ):
            name = _argument_name(question, i)
            why = f"returned the right values, but the arrays of {name} are not changed in place"
            if a is None and type(args[i]) is list:  # its entries are other arrays now
                why += f": the list {name} now holds other arrays than it was given"
            hint = _same_arrays_mistake(question, args, after) or (
                f"The task asks to change the arrays of {name} themselves (in place), as torch's "
                "function does: a copy, a new list, or new arrays put into the list "
                "leave the caller's arrays as they were."
            )
            return Verdict(False, why + ".", hint)
    return Verdict(True)


def _same_arrays_mistake(question: Question, args: tuple, after) -> str:
    """The hint of a named Mistake whose result passes and whose arrays after the call are the
    learner's (e.g. both rebind a list's entries): an in-place failure has no value to match."""
    expected = _expected(question, args)[0]
    for mistake in question.mistakes:
        try:
            obs = observe_call(mistake.answer, copy.deepcopy(args), True)
            same = obs.outcome == "value" and all(
                (m is None) == (a is None)
                and (m is None or mismatch(m, a, question.rtol, question.atol) is None)
                for m, a in zip(obs.inputs_after, after, strict=True)
            )
            if same and mismatch(expected, obs.value, question.rtol, question.atol) is None:
                return mistake.hint
        except Exception:  # noqa: BLE001 - a mistake that cannot run on this case is not it
            continue
    return ""


def _inputs_unchanged(question: Question, args: tuple, after, changed_by: str = "") -> Verdict:
    before = inputs_after(args)
    if after is None or len(after) != len(before):
        return Verdict(False, "could not read the inputs back after the call.")
    for i, (b, a) in enumerate(zip(before, after, strict=True)):
        if b is not None and (a is None or mismatch(b, a, 0.0, 0.0) is not None):
            if changed_by and changed_by != question.name:
                return Verdict(
                    False,
                    f"your `{changed_by}`, which `{question.name}` calls, changed the argument "
                    f"{_argument_name(question, i)} in place.",
                    f"Fix `{changed_by}` first (its own check tests this too): work on a copy "
                    "there (e.g. `a = a.copy()`, or `a * 0.9` instead of `a *= 0.9`).",
                )
            if a is None and type(args[i]) is list:  # entries rebound: the caller's list changed
                return Verdict(
                    False,
                    f"the function put other arrays into its argument {_argument_name(question, i)}.",
                    "Leave the caller's list as it is: build a new list for the results.",
                )
            if mismatch(b, a, 1e-12, 0.0) is None:  # changed only in the last digits
                return Verdict(
                    False,
                    f"the function changed its argument {_argument_name(question, i)} in place, "
                    "in the last digits only.",
                    "Adding a number and subtracting it again (x[i] += h, then x[i] -= h) does "
                    "not restore x exactly in floating point: save the old value and put it back "
                    "(old = x[i]; ...; x[i] = old), or work on a copy.",
                )
            names = question.argument_names
            a = names[i] if i < len(names) else "x"  # the example in the argument's own name
            return Verdict(
                False,
                f"the function changed its argument {_argument_name(question, i)} in place.",
                f"Work on a copy (e.g. `{a} = {a}.copy()` or `{a} + ...` instead of `{a} += ...`).",
            )
    return Verdict(True)


def render_case(number: int, total: int, case: Case, verdict: Verdict) -> str:
    """One case as text, for ``check`` and for the grader's feedback alike. A hidden case shows
    neither its description nor anything the verdict marks as revealing; nor its hint."""
    status = "passed" if verdict.passed else "failed"
    if case.hidden:
        line = f"hidden test {number} of {total} {status}"
        if not verdict.passed:
            line += f": {_safe_for_hidden(verdict)}"
        return line
    if verdict.passed:
        return f"test {number} of {total} passed: {case.description}"
    lines = [f"test {number} of {total} failed.", f"  input: {case.description}"]
    lines += [f"  {line}" for line in verdict.message.splitlines()]
    if verdict.hint:
        lines.append(f"  hint: {verdict.hint}")
    return "\n".join(lines)


def _safe_for_hidden(verdict: Verdict) -> str:
    return verdict.redacted if verdict.reveals else verdict.message.splitlines()[0]


def _named_number(question: Question, expected, got) -> str:
    """For a function returning a tuple of numbers named by ``question.returns`` (e.g.
    ``(entropy_cold, entropy_hot)``), the first one that differs as "in `name`: expected a, got
    b."; "" otherwise (a tuple of numbers arrives as one 1-D PlainArray)."""
    names = question.returns
    if not (
        names
        and isinstance(expected, PlainArray)
        and isinstance(got, PlainArray)
        and expected.shape == got.shape == (len(names),)
    ):
        return ""
    e, g = np.array(expected.data), np.array(got.data)
    close = np.isclose(g, e, rtol=question.rtol, atol=question.atol, equal_nan=True)
    if close.all():
        return ""
    index = int(np.argmax(~close))
    a, b = two_numbers(float(e[index]), float(g[index]))
    return f"in `{names[index]}`: expected {a}, got {b}."
