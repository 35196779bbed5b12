"""Pack an assignment as a Gradescope autograder: ``python -m course_utils.grading.gradescope``.

    python -m course_utils.grading.gradescope 01_gradient_descent --out autograder.zip

The zip holds ``setup.sh`` (installs bubblewrap and this package), ``run_autograder`` (grades the
one notebook in ``/autograder/submission`` with ``course-grade`` and writes
``/autograder/results/results.json``) and ``source/`` (this package and its ``pyproject.toml``).
Gradescope runs every submission in a container of its own, so a class of any size is graded in
parallel there. ``run_autograder`` decides the isolation BEFORE any student code runs
(``course-grade --check-sandbox``): bubblewrap if it works in the container, else
``--unsafe-no-sandbox`` (said in the results: the container still separates students, but the
submission can then read the spec, hidden cases included, inside its own container). It never
grades again without the sandbox after a failure: a failed run reports the failure with score 0,
and the results.json it copies is the one the grader wrote for this submission.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from .. import specs
from . import view

REPO = Path(__file__).resolve().parents[2]

SETUP_SH = """#!/usr/bin/env bash
set -euo pipefail
apt-get update -qq && apt-get install -y -qq bubblewrap python3-venv python3-pip >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source/source  # the zip unpacks into source/
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grades the notebook in $AUTOGRADER_ROOT/submission (default /autograder) for {assignment}.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
GRADE="${{COURSE_GRADE:-$ROOT/venv/bin/course-grade}}"
RESULT="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
fail() {{
    printf '{{"score": 0.0, "output": "%s", "tests": []}}\\n' "$1" > "$RESULT"
    exit 0
}}
NB="$(find "$ROOT/submission" -maxdepth 2 -name '*.ipynb' -type f | sort | head -n 1)"
[ -n "$NB" ] || fail "No .ipynb file was submitted."
# The isolation is chosen here, before any student code runs; never a retry without it.
if "$GRADE" --check-sandbox; then MODE=(); else MODE=(--unsafe-no-sandbox); fi
OUT="$(mktemp -d)"
cp "$NB" "$OUT/submission.ipynb"
"$GRADE" "$OUT/submission.ipynb" --out "$OUT/graded" --assignment {assignment} --jobs 1 \\
    --quiet "${{MODE[@]}}"
CODE=$?
GRADED="$OUT/graded/{assignment}/students/submission/results.json"
if [ "$CODE" -ne 0 ] || [ ! -f "$GRADED" ]; then
    fail "The autograder failed on this submission (exit status $CODE); ask your instructor."
fi
cp "$GRADED" "$RESULT"
"""


def pack(assignment: str, out: Path) -> Path:
    specs.load(assignment)  # unknown ids fail here, with the known ones listed
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (
            ("setup.sh", SETUP_SH),
            ("run_autograder", RUN_AUTOGRADER.format(assignment=assignment)),
        ):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        zf.write(REPO / "pyproject.toml", "source/pyproject.toml")
        for relative in view.package_files():  # code and data files, no caches
            zf.write(view.PACKAGE / relative, f"source/course_utils/{relative}")
        for name in ("README.md", "LICENSE"):
            if (REPO / name).exists():
                zf.write(REPO / name, f"source/{name}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", choices=specs.ASSIGNMENT_IDS)
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    args = parser.parse_args(argv)
    print(f"wrote {pack(args.assignment, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
