"""Runs INSIDE the student's kernel: observe one graded name on every test case, print JSON.

The sandbox executes one extra cell per question in the student's kernel::

    __import__("course_utils.grading.probe", fromlist=["run"]).run(ASSIGNMENT, NAME, NONCE)

Everything here shares the kernel with the student's code, so nothing printed here is trusted:
it is plain JSON data that the trusted grader validates and judges against its own references.
No expected value is computed or printed here.
"""

from __future__ import annotations

import json

from course_utils import specs
from course_utils.judging import observe

MARKER = "@@course-probe@@"
MAX_LINE = 1_000_000  # characters of JSON per observation; larger answers are not graded


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - always inside IPython in practice
        shell = None
    if shell is not None:
        return shell.user_ns
    import __main__

    return vars(__main__)


def _observe_safely(question, case, namespace) -> dict:
    if question.name not in namespace:
        return {"missing": True}
    try:
        return observe(question, case, namespace[question.name])
    except KeyboardInterrupt:  # the sandbox interrupted us at the question timeout
        raise
    except BaseException as exc:  # SystemExit and friends raised by the learner's code
        return {"error_type": type(exc).__name__, "error": f"{type(exc).__name__}: {exc}"[:300]}


def run(assignment_id: str, name: str, nonce: str) -> None:
    """Print one ``MARKER NONCE INDEX JSON`` line per test case of question ``name``."""
    question = specs.load(assignment_id).question(name)
    namespace = _user_namespace()
    for index, case in enumerate(question.cases):
        observation = _observe_safely(question, case, namespace)
        try:
            line = json.dumps(observation)
        except (TypeError, ValueError) as exc:
            line = json.dumps({"not_plain": f"the result could not be encoded: {exc}"[:300]})
        if len(line) > MAX_LINE:
            line = json.dumps({"not_plain": "the result is too large to grade."})
        # Leading newline: the learner's code may have left a partial line on stdout.
        print(f"\n{MARKER} {nonce} {index} {line}", flush=True)
