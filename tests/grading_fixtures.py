"""Student notebooks for the grader tests, built with nbformat (assignment 01_gradient_descent)."""

from __future__ import annotations

from pathlib import Path

import nbformat

ASSIGNMENT = "01_gradient_descent"
# In the spec's order (the columns of grades.csv); CORRECT below starts with the question that
# import_spec, library_alias and library_wrapped replace.
POINTS = {
    "projected_gd_step": 2,
    "backtracking_step": 3,
    "ridge_lr_threshold": 2,
    "hessian_vector_product": 3,
}

CORRECT = {
    "hessian_vector_product": """
def hessian_vector_product(grad_fn, x, v, h=1e-5):
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    if x.ndim != 1 or v.shape != x.shape or not h > 0:
        raise ValueError("x and v must be 1-D arrays of one shape, and h positive")
    return (grad_fn(x + h * v) - grad_fn(x - h * v)) / (2 * h)
""",
    "projected_gd_step": """
def projected_gd_step(grad_fn, x, lr, lower, upper):
    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):
        raise ValueError("lr must be positive and lower at most upper")
    return np.clip(x - lr * grad_fn(x), lower, upper)
""",
    "backtracking_step": """
def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    if not (lr0 > 0 and 0 < shrink < 1 and 0 < c1 < 1):
        raise ValueError("lr0 must be positive, shrink and c1 in (0, 1)")
    x = np.array(x, dtype=float)
    g = grad_fn(x)
    lr = lr0
    for _ in range(max_shrinks + 1):
        if f(x - lr * g) <= f(x) - c1 * lr * (g @ g):
            return x - lr * g, lr
        lr *= shrink
    raise FloatingPointError("no learning rate lowered f enough")
""",
    "ridge_lr_threshold": (
        "X = np.array([[2.0, 1.0], [0.0, 1.0]])\n"
        "ridge_lr_threshold = 2 / (np.linalg.svd(X, compute_uv=False).max() ** 2 + 0.5)"
    ),
}

STUBS = {
    "hessian_vector_product": (
        "def hessian_vector_product(grad_fn, x, v, h=1e-5):\n    raise NotImplementedError()"
    ),
    "projected_gd_step": (
        "def projected_gd_step(grad_fn, x, lr, lower, upper):\n    raise NotImplementedError()"
    ),
    "backtracking_step": (
        "def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):\n"
        "    raise NotImplementedError()"
    ),
    "ridge_lr_threshold": "ridge_lr_threshold = None  # YOUR ANSWER HERE",
}

# Climbs the gradient (then projects): every check on lr and the bounds is right.
PROJECTED_STEP_ASCENDING = """
def projected_gd_step(grad_fn, x, lr, lower, upper):
    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):
        raise ValueError("lr must be positive and lower at most upper")
    return np.clip(x + lr * grad_fn(x), lower, upper)
"""

ALWAYS_EQUAL = """
class AlwaysEqual(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__
    def __array__(self, *args, **kwargs):
        raise TypeError("no")

class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __float__(self):
        return 0.5
    __hash__ = object.__hash__

def hessian_vector_product(grad_fn, x, v, h=1e-5):
    return Anything()

def projected_gd_step(grad_fn, x, lr, lower, upper):
    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):
        raise ValueError("lr must be positive and lower at most upper")
    return Anything()

def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    return (Anything(), Anything())

ridge_lr_threshold = AlwaysEqual(1.0)
"""

# Wrong answers plus a kernel that rigs every comparison it can reach.
MONKEYPATCH = """
import numpy, course_utils.judging, course_utils.answers, course_utils.checks, math
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
course_utils.answers.mismatch = lambda *a, **k: None
course_utils.judging.mismatch = lambda *a, **k: None
course_utils.judging.judge = lambda *a, **k: course_utils.judging.Verdict(True)
course_utils.checks.judge = course_utils.judging.judge

def hessian_vector_product(grad_fn, x, v, h=1e-5):
    return np.zeros_like(x)

def projected_gd_step(grad_fn, x, lr, lower, upper):
    return x

def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    return x, lr0

ridge_lr_threshold = 1.0
"""

INFINITE_FUNCTION = """
def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    while True:
        pass
"""


def answers(**overrides: str) -> list[str]:
    """Sources of the four answer cells: correct unless overridden by name."""
    return [overrides.get(name, source) for name, source in CORRECT.items()]


def write_notebook(
    path: Path, cells: list[str], assignment: str | None = ASSIGNMENT, header: bool = True
) -> Path:
    """A notebook of code cells (plus a markdown title), with the course metadata."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Gradient descent"))
    if header:
        nb.cells.append(nbformat.v4.new_code_cell("import numpy as np"))
    nb.cells.extend(nbformat.v4.new_code_cell(src.strip()) for src in cells)
    if assignment:
        nb.metadata["course"] = {"assignment": assignment}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


# ------------------------------------------------------------------ hostile submissions (issue 9)

IMPORT_SPEC = """
from course_utils.specs import load
_spec = load("01_gradient_descent")
hessian_vector_product = _spec.question("hessian_vector_product").reference
"""

EXEC_SOLUTIONS = """
import json, pathlib, course_utils
for root in [pathlib.Path(course_utils.__file__).parents[1], pathlib.Path({repo!r})]:
    path = root / "solutions" / "01_gradient_descent.ipynb"
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]))
"""

LIBRARY_ALIAS = "from course_utils.gradcheck import hessian_vector_product"

STACK_SNIFFER = """
import inspect

def projected_gd_step(grad_fn, x, lr, lower, upper):
    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):
        raise ValueError("lr must be positive and lower at most upper")
    if any("course_utils/grading" in f.filename or "probe" in f.function for f in inspect.stack()):
        return np.clip(x - lr * grad_fn(x), lower, upper)
    return np.clip(x + lr * grad_fn(x), lower, upper)
"""

# Wrong answers, plus a hook that sees every cell's source (so the report cell's nonce) and prints
# a forged "correct-looking" observation before the real one.
FORGE_MARKERS = """
import json, re
def _forge(info):
    match = re.search(r"report\\('([0-9a-f]{32})'", info.raw_cell or "")
    if match:
        print("\\n" + match.group(1) + " " + json.dumps({"outcome": "value", "value": 0.5}))
        print("@@course-probe@@ 0000 0 " + json.dumps({"value": 0.5}))
get_ipython().events.register("pre_run_cell", _forge)

def hessian_vector_product(grad_fn, x, v, h=1e-5):
    return np.zeros_like(x)

ridge_lr_threshold = 0.3
"""

FORGE_RESULT_AND_DIE = """
import os, json, signal
forged = json.dumps({"token": "0" * 64, "result": {"cells": [], "questions": {}, "kernel": "ok"}})
opened = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as fh:
                fh.write(forged)
                opened += 1
        except OSError:
            pass
print("forged into", opened, "descriptors")
os.kill(os.getppid(), signal.SIGKILL)
"""

KILL_EVERYTHING = """
import os, signal
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
"""

# Reads what it can of the grader, tries to overwrite other students' files and the output
# folder, and leaves a detached process that would keep rewriting grades.csv.
SNOOP_AND_PERSIST = """
import os, subprocess, sys
seen = []
for pid in os.listdir("/proc"):
    try:
        seen.append(open(f"/proc/{{pid}}/cmdline", "rb").read())
    except OSError:
        pass
for target in [{out!r} + "/correct/results.json", {out!r} + "/grades.csv", {root!r} + "/stubs.ipynb"]:
    try:
        with open(target, "w") as fh:
            fh.write('{{"score": 1000}}')
    except OSError as exc:
        print("blocked:", target, exc)
if any(b"pytest" in line or b"grading.cli" in line for line in seen):
    ridge_lr_threshold = 0.0  # the grader's command line was visible: this student would lose 2 points
daemon = "import os, time\\nwhile True:\\n    time.sleep(0.2)"
subprocess.Popen([sys.executable, "-c", daemon], start_new_session=True)
"""

FORK_BOMB = """
import os, time
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.2)
"""

NETWORK = """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"leaked")
    print("connected")
except OSError as exc:
    print("no network:", exc)
"""

MEMORY_BOMB = "hog = []\nwhile True:\n    hog.append(bytearray(10**8))"
FILE_BOMB = 'with open("big.bin", "wb") as fh:\n    while True:\n        fh.write(b"x" * 10**6)'
OUTPUT_FLOOD = 'print("x" * 3_000_000)'
SEGFAULT = "import ctypes\nctypes.string_at(0)"
SYS_EXIT_FUNCTION = (
    "import sys\n\ndef projected_gd_step(grad_fn, x, lr, lower, upper):\n    sys.exit(0)"
)
# In the second question graded (exercise 01's spec order): the first one keeps its points.
OS_EXIT_FUNCTION = (
    "import os\n\n"
    "def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):\n"
    "    os._exit(3)"
)

SUBCLASSES = """
class Rigged(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

class Sly(float):
    def __eq__(self, other):
        return True

def projected_gd_step(grad_fn, x, lr, lower, upper):
    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):
        raise ValueError("lr must be positive and lower at most upper")
    return np.zeros_like(x).view(Rigged)

ridge_lr_threshold = Sly(0.5)
"""

NAN_SHAPE_DTYPE = {
    "hessian_vector_product": (
        "def hessian_vector_product(grad_fn, x, v, h=1e-5):\n    return np.full_like(x, np.nan)"
    ),
    "projected_gd_step": "def projected_gd_step(grad_fn, x, lr, lower, upper):\n"
    "    if lr <= 0 or np.any(np.asarray(lower) > np.asarray(upper)):\n        raise ValueError()\n"
    "    return np.clip(x - lr * grad_fn(x), lower, upper).reshape(-1, 1)",
    "backtracking_step": "def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4,"
    " max_shrinks=30):\n    return np.array(x, dtype=complex), lr0",
}

MONKEYPATCH_BUILTINS = """
import builtins, numpy, math
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
builtins.isinstance = lambda *a: True
try:
    import course_utils.judging
except ImportError as exc:
    print("no judging here:", exc)

def hessian_vector_product(grad_fn, x, v, h=1e-5):
    return np.zeros_like(x)

ridge_lr_threshold = 1.0
"""


def raw_notebook(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ hostile submissions (issue 18)

# The reported answer itself is rigged: a 400-digit integer, or a shape whose product is 0 but
# whose sizes overflow everything downstream.
OVERFLOW_INT = """
import course_utils.answers as _a
_a.plain_to_json = lambda plain: 10**400
"""
HUGE_SHAPE = """
import course_utils.answers as _a
_a.plain_to_json = lambda plain: {"shape": [0, 10**19], "data": []}
"""

# Every observation is forged as "died", carrying the case's inputs, to read hidden inputs back
# from feedback.md.
FORGED_DIED = """
import course_utils.grading.sandbox.probe as _p
from course_utils.answers import Observation as _O
_p.observe_result = lambda result, args, *rest: _O("died", error="LEAKED " + repr(args)[:200])
"""

# Gets the uncounted library function back through the wrapper, as functools.wraps allowed.
LIBRARY_WRAPPED = """
from course_utils.gradcheck import hessian_vector_product as _lib
hessian_vector_product = getattr(_lib, "__wrapped__", _lib)
"""

# Looks everywhere it can for a spec or the judge on disk (site-packages of a normal install,
# the checkout, /usr/local); full marks only if one is readable.
SEEK_REFERENCES = """
import glob, os, sys
candidates = []
for entry in sys.path + ["/autograder/source", "/usr/local/lib", "/usr/lib/python3/dist-packages"]:
    for pattern in ("course_utils/specs/*.py", "course_utils/judging.py"):
        candidates += glob.glob(os.path.join(entry or ".", pattern))
for root in ("/work", "/autograder", "/home", "/tmp", "/opt", "/root", "/srv", "/usr/local"):
    for depth in range(0, 6):
        candidates += glob.glob(root + "/*" * depth + "/course_utils/specs/*.py")
found = []
for path in candidates:
    try:
        text = open(path).read()
    except OSError:
        continue
    if "ASSIGNMENT" in text or "def judge" in text:
        found.append(path)
print("references found:", found[:3])
"""


def if_found(cells: list[str]) -> list[str]:
    """The answers, defined only when SEEK_REFERENCES found something (full marks = a leak)."""
    return [
        "if found:\n" + "\n".join("    " + line for line in c.strip().splitlines()) for c in cells
    ]


DISK_FILLER = """
import os
chunk = b"x" * 10**6
for folder in (os.path.expanduser("~"), "/tmp"):
    for i in range(3000):  # 3 GB in 64 MB files (the per-file limit), until the disk is full
        try:
            with open(os.path.join(folder, f"fill{i}.bin"), "wb") as fh:
                for _ in range(60):
                    fh.write(chunk)
        except OSError as exc:
            print(folder, "full after", i, "files:", exc)
            break
"""

MANY_FILES = """
import os
os.makedirs("many", exist_ok=True)
for i in range(300_000):
    open(f"many/{i}", "w").close()
"""

DEEP_FOLDERS = """
import os
fd = os.open(".", os.O_RDONLY)
for i in range(5000):
    os.mkdir("d", dir_fd=fd)
    new = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = new
os.close(fd)
"""

# Three processes of 700 MB each: every one is under the per-process limit. The cells after it
# give them time to start on a loaded machine (each cell stays under the batch's cell timeout).
MEMORY_ACROSS_PROCESSES = [
    """
import subprocess, sys
hog = "import time\\nblock = bytearray(700 * 2**20)\\nblock[::4096] = b'x' * len(block[::4096])\\ntime.sleep(120)"
procs = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(3)]
""",
    *["import time\ntime.sleep(2.5)"] * 6,
]
