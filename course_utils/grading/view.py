"""The read-only copy of ``course_utils`` that a sandboxed submission may import.

Everything a notebook legitimately imports (the methods, plotting, data, reproducibility...) is
copied, except what must stay with the grader: ``specs`` (references, hidden cases, tolerances),
``judging``, ``authoring`` and the trusted half of ``grading``. ``checks`` is replaced by a stand-in
whose ``check(...)`` only says it was skipped, so a submission's check cells neither fail nor
reveal anything. Built once per grading run, shared read-only by every sandbox of that run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
_LEFT_OUT = {"specs", "judging.py", "checks.py", "authoring.py", "grading", "__pycache__"}
_GRADING_CHILD = ("__init__.py", "payload.py", "probe.py", "runner.py")

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


def build(root: Path) -> Path:
    """Write the view under ``root``; return the folder to put on the sandbox's PYTHONPATH."""
    target = root / "course_utils"
    shutil.copytree(PACKAGE, target, ignore=lambda d, names: _ignored(Path(d), names))
    (target / "checks.py").write_text(CHECKS_STAND_IN, encoding="utf-8")
    (target / "specs").mkdir()
    (target / "specs" / "__init__.py").write_text(SPECS_STAND_IN, encoding="utf-8")
    (target / "grading").mkdir()
    for name in _GRADING_CHILD:
        shutil.copy(PACKAGE / "grading" / name, target / "grading" / name)
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return root


def _ignored(folder: Path, names: list[str]) -> set[str]:
    if folder == PACKAGE:
        return {n for n in names if n in _LEFT_OUT}
    return {n for n in names if n == "__pycache__"}
