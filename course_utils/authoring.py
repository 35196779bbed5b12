"""Solutions -> exercises: the one way student notebooks are made, and the check that they are current.

``solutions/NN_topic.ipynb`` is the single source, written with nbgrader's markers
(``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``)
and cell metadata. ``exercises/NN_topic.ipynb`` is generated from it by nbgrader's own
``ClearSolutions``, ``ClearHiddenTests`` and ``ClearOutput`` preprocessors, run standalone.

    python -m course_utils.authoring generate          # rewrite exercises/ from solutions/
    python -m course_utils.authoring generate --check  # exit 1 if any exercise is out of date
    python -m course_utils.authoring strip FILE...     # remove outputs (pre-commit hook)

nbgrader is an authoring dependency (the ``dev`` extra), not a learner one.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
#: A solution cell with this tag is left out of the exercise: a recap that states what the
#: questions ask the learner to find (issue 21's test learners read ahead into the summaries).
SOLUTION_ONLY = "solution-only"


def _preprocessors():
    try:
        from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "generating exercises needs nbgrader: run `python3 course.py test` once, or "
            "`pip install -e .[dev]`."
        ) from exc
    return [
        ClearSolutions(code_stub={"python": CODE_STUB}, enforce_metadata=True),
        ClearHiddenTests(enforce_metadata=True),
        ClearOutput(),
    ]


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and per-run metadata, in place; return ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
    nb.metadata.pop("widgets", None)
    return nb


def generate_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a solution notebook (the solution is not modified)."""
    nb = copy.deepcopy(solution)
    nb.cells = [c for c in nb.cells if SOLUTION_ONLY not in c.metadata.get("tags", [])]
    for preprocessor in _preprocessors():
        nb, _ = preprocessor.preprocess(nb, {})
    strip_outputs(nb)
    nb.metadata.setdefault("course", {})["generated_from"] = "solutions/ (do not edit by hand)"
    return nb


def _dumps(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def pairs(root: Path = REPO) -> list[tuple[Path, Path]]:
    """(solution, exercise) paths: every ``solutions/*.ipynb`` and its ``exercises/`` twin."""
    return [(s, root / "exercises" / s.name) for s in sorted((root / "solutions").glob("*.ipynb"))]


def stale_exercises(root: Path = REPO) -> list[Path]:
    """Exercises that are missing or differ from what their solution generates now."""
    stale = []
    for solution, exercise in pairs(root):
        expected = _dumps(generate_exercise(nbformat.read(solution, as_version=4)))
        if not exercise.exists() or exercise.read_text(encoding="utf-8") != expected:
            stale.append(exercise)
    return stale


def write_exercises(root: Path = REPO) -> list[Path]:
    """Regenerate every exercise; return the ones whose content changed."""
    changed = []
    for solution, exercise in pairs(root):
        text = _dumps(generate_exercise(nbformat.read(solution, as_version=4)))
        if not exercise.exists() or exercise.read_text(encoding="utf-8") != text:
            exercise.parent.mkdir(parents=True, exist_ok=True)
            exercise.write_text(text, encoding="utf-8")
            changed.append(exercise)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.authoring",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate exercises/ from solutions/")
    gen.add_argument("--check", action="store_true", help="only report; exit 1 if out of date")
    strip = sub.add_parser("strip", help="remove outputs from notebooks, in place")
    strip.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)

    if args.command == "strip":
        for path in args.paths:
            nb = nbformat.read(path, as_version=4)
            text = _dumps(strip_outputs(nb))
            if path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"stripped outputs: {path}")
        return 0
    if args.check:
        stale = stale_exercises()
        for path in stale:
            print(
                f"out of date: {path.relative_to(REPO)} (run `python -m course_utils.authoring generate`)"
            )
        return 1 if stale else 0
    for path in write_exercises():
        print(f"wrote {path.relative_to(REPO)}")
    print(
        "(only the tracked exercises/ are written; learners work in their own my-course/, which "
        "this never touches: `python3 course.py update` brings them the new versions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
