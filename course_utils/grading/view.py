"""The read-only copy of ``course_utils`` that a sandboxed submission may import.

Every module of ``course_utils`` is classified here, in one place: :data:`IN_SANDBOX` (copied into
the view) or :data:`GRADER_ONLY` (never copied). An entry ending in ``/`` covers a whole folder (allowed:
only ``grading/sandbox/``); the longest entry that matches a path decides. ``tests/test_grading_units.py`` fails when a module is
in neither list, so a new module (say one holding reference data) cannot enter every sandbox
without someone deciding it should. Grader-only modules that notebooks import get a stand-in:
``checks`` (its ``check(...)`` only says it was skipped, so check cells neither fail nor reveal
anything), ``specs`` (raises ImportError) and ``grading/__init__`` (empty, so that
``grading/sandbox/``, the child the sandbox runs, is importable). Built once per grading run,
shared read-only by every sandbox of that run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]

# The one classification of course_utils (paths relative to the package; "x/" = the folder x).
# Allowed modules are named one by one (a new one must be added here to reach a sandbox); the only
# allowed folder is the child itself.
IN_SANDBOX = (
    "__init__.py",
    "activations.py",
    "answers.py",  # plain data and the observation recorder (no reference)
    "call_watch.py",  # which graded function changed the caller's arrays (no reference)
    "library_calls.py",  # counting calls to the library's own implementation (no reference)
    "build.py",
    "clipping.py",
    "data/__init__.py",
    "data/README.md",
    "data/regression.py",
    "data/sequences.py",
    "data/text.py",
    "data/tinyshakespeare.txt",
    "descent.py",
    "environment.py",
    "gradcheck.py",
    "kernel_polling.py",
    "lr_range_test.py",
    "objectives.py",
    "optim/__init__.py",
    "optim/_inplace.py",
    "optim/adagrad.py",
    "optim/adam.py",
    "optim/adamw.py",
    "optim/optimizer.py",
    "optim/rmsprop.py",
    "optim/sgd.py",
    "rnn/__init__.py",
    "rnn/_fast_lstm.py",
    "rnn/base.py",
    "rnn/cells.py",
    "rnn/layers.py",
    "schedules/__init__.py",
    "schedules/cyclic.py",
    "schedules/decay.py",
    "schedules/functional.py",
    "schedules/plateau.py",
    "schedules/scheduler.py",
    "schedules/sequential.py",
    "optimizer_race.py",
    "plotting.py",
    "reproducibility.py",
    "schedule_explorer.py",
    "schedule_functions.py",
    "threads.py",
    "validation.py",
    "widgets.py",
    "grading/sandbox/",  # the child: runner, probe, payload
)
GRADER_ONLY = (
    "authoring.py",  # solutions -> exercises
    "data_parallel.py",  # lecture 10's worker processes (torch); no exercise imports it
    "data_parallel_tasks.py",  # lecture 10's worker tasks
    "navigation.py",  # writes the notebooks' links
    "progress.py",  # the learner's own progress report (runs checks)
    "workspace.py",  # the learner's my-course/ copies
    "workspace_cli.py",
    "website/",  # builds the offline static site (tooling); no submission needs it
    "checks.py",  # replaced by CHECKS_STAND_IN
    "judging.py",  # compares with the reference
    "comparison.py",  # how a result differs from the expected one (used by judging)
    "specs/",  # references, hidden cases, tolerances; replaced by SPECS_STAND_IN
    "grading/",  # the trusted grader (except grading/sandbox/)
)

CHECKS_STAND_IN = '''"""Stand-in used while a submission is graded: checks are skipped (the grader tests instead)."""


class CheckFailed(AssertionError):
    """Never raised while grading."""


def checker(assignment_id):
    def check(name, answer):
        print(f"(check of {name} skipped while grading)")

    return check


Checker = checker
'''

SPECS_STAND_IN = (
    '"""Not available while grading."""\n\n'
    'raise ImportError("the assignment specs are not available while a submission is graded.")\n'
)

STAND_INS = {
    "checks.py": CHECKS_STAND_IN,
    "specs/__init__.py": SPECS_STAND_IN,
    "grading/__init__.py": '"""The grader is not available while grading; only its sandbox is."""\n',
}


def classify(relative: str) -> str | None:
    """``"sandbox"``, ``"grader"`` or None (unclassified) for a path relative to the package."""
    best, verdict = -1, None
    for entries, kind in ((IN_SANDBOX, "sandbox"), (GRADER_ONLY, "grader")):
        for entry in entries:
            hit = relative == entry or (entry.endswith("/") and relative.startswith(entry))
            if hit and len(entry) > best:
                best, verdict = len(entry), kind
    return verdict


def module_in_sandbox(dotted: str) -> bool:
    """Whether the sandbox can import the ``course_utils`` module named ``dotted``."""
    parts = dotted.split(".")
    if parts[0] != "course_utils":
        return False
    path = "/".join(parts[1:])
    candidates = [f"{path}.py", f"{path}/__init__.py"] if path else ["__init__.py"]
    return any(classify(c) == "sandbox" for c in candidates)


def package_files(package: Path = PACKAGE) -> list[str]:
    """Every file of the package (relative, ``/``-separated), caches left out."""
    return sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def unclassified(package: Path = PACKAGE) -> list[str]:
    """Modules of the package in neither list (the test keeps this empty)."""
    return [p for p in package_files(package) if p.endswith(".py") and classify(p) is None]


def build(root: Path) -> Path:
    """Write the view under ``root``; return the folder to put on the sandbox's PYTHONPATH."""
    target = root / "course_utils"
    for relative in package_files():
        if classify(relative) == "sandbox":
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PACKAGE / relative, target / relative)
    for relative, text in STAND_INS.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return root
