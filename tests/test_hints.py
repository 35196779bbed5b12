"""Hints teach without giving the answer: no hint contains its reference's code or key expression.

A hint names the idea or the step that is wrong. It reaches the learner's screen (instant checks)
and the student's feedback.md (grading), so it must never hold the reference's code: every
sub-expression of the reference (and of the course functions it calls) is looked for in every
hint of its question, spaces and the ``np.`` prefix ignored, and no hint writes out a statement
(``name = expression``).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest

from course_utils import specs

QUESTIONS = [
    (aid, q) for aid in specs.ASSIGNMENT_IDS for q in specs.load(aid).questions
]  # fmt: skip
IDS = [f"{aid}:{q.name}" for aid, q in QUESTIONS]
MIN_LENGTH = 8  # shorter pieces ("t + 1", "1 / 4") are ideas a hint may name


def _normalize(text: str) -> str:
    """Spaces, brackets of grouping and the numpy prefix removed; 1e-06 read as 1e-6."""
    text = re.sub(r"[\s()]+", "", text).replace("numpy.", "").replace("np.", "")
    return re.sub(r"e-0+(\d)", r"e-\1", text)


def _functions(reference) -> list:
    """The reference and the course functions its body names (one level), e.g. a library
    routine the spec's reference calls on copies."""
    found = [reference]
    code = getattr(reference, "__code__", None)
    names = set(code.co_names) if code else set()
    for name in names:
        obj = getattr(reference, "__globals__", {}).get(name)
        if inspect.isfunction(obj) and (obj.__module__ or "").startswith("course_utils"):
            found.append(obj)
    return found


def _expressions(function) -> set[str]:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return set()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a lambda inside a larger expression: parse its own text
        start = source.find("lambda")
        tree = ast.parse(source[start:].rstrip().rstrip(",)"), mode="eval")
    kinds = (ast.BinOp, ast.Call, ast.Subscript, ast.Compare, ast.BoolOp)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, kinds):
            text = _normalize(ast.unparse(node))
            if len(text) >= MIN_LENGTH:
                found.add(text)
    return found


def _reference_expressions(question) -> set[str]:
    found: set[str] = set()
    for function in _functions(question.reference):
        found |= _expressions(function)
    return found


def _hints(question) -> list[str]:
    return [question.hint] + [m.hint for m in question.mistakes]


def leaks(hint: str, expressions: set[str]) -> list[str]:
    """The reference's expressions that appear in ``hint``."""
    text = _normalize(hint)
    return sorted(e for e in expressions if e in text)


# ``name = expression`` with an operator or a call on the right: a line of code, not an idea
# ("at t = 0" or "k = 20" name a value and are fine).
STATEMENT = re.compile(
    r"(?<![=<>!])\b[A-Za-z_]\w*(\[[^\]]*\])?\s*(=|\+=|-=|\*=|/=)\s*"
    r"[^=;,]*?(\w\s*[-+*/@]\s*[\w(]|\w\(|\*\*)"
)


@pytest.mark.parametrize(("aid", "question"), QUESTIONS, ids=IDS)
def test_no_hint_contains_the_reference_code(aid, question):
    expressions = _reference_expressions(question)
    assert expressions, f"{aid}:{question.name}: could not read its reference's source"
    for hint in _hints(question):
        found = leaks(hint, expressions)
        assert not found, f"{aid}:{question.name}: the hint {hint!r} contains {found}"


@pytest.mark.parametrize(("aid", "question"), QUESTIONS, ids=IDS)
def test_no_hint_writes_out_code(aid, question):
    assert question.hint, f"{aid}:{question.name} has no hint"
    for hint in _hints(question):
        statement = STATEMENT.search(hint)
        assert statement is None, (
            f"{aid}:{question.name}: the hint {hint!r} writes out code ({statement.group(0)!r}); "
            "name the idea or the step instead"
        )


# A formula written as code: a call whose arguments compute something, a matrix product or a power.
FORMULA = re.compile(r"\b\w+\([^()]*[-+*/@][^()]*\)|\w\s*@\s*\w|\*\*")


@pytest.mark.parametrize(("aid", "question"), QUESTIONS, ids=IDS)
def test_no_hint_writes_a_formula_as_code(aid, question):
    for hint in _hints(question):
        formula = FORMULA.search(hint)
        assert formula is None, (
            f"{aid}:{question.name}: the hint {hint!r} writes a formula as code "
            f"({formula.group(0)!r}); say in words which step is wrong"
        )


def test_the_leak_detector_finds_a_pasted_reference():
    def reference(grads, max_norm):
        total = sum(float((g**2).sum()) for g in grads) ** 0.5
        return total, min(1.0, max_norm / (total + 1e-6))

    found = _expressions(reference)
    assert leaks("use min(1.0, max_norm / (total + 1e-6))", found)
    assert leaks("total is sum(float((g ** 2).sum()) for g in grads) ** 0.5", found)
    assert not leaks("scale by the ratio of max_norm to the norm, never above 1", found)
    assert STATEMENT.search("c = min(1, r)") and STATEMENT.search("x_new = x - lr * g")
    assert not STATEMENT.search("at t = 0, with k = 20") and not STATEMENT.search("t <= W")
    assert FORMULA.search("min(1, max_norm / total)") and FORMULA.search("X.T @ r")
    assert not FORMULA.search("np.clip returns a NEW array (np.argmin)")
