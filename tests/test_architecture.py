"""The map stays true: docs/architecture.md names every module of course_utils (and nothing that
is gone), the imports obey the layers it lists (no cycles, the methods import nothing of ours
above them), and every name the notebooks import from course_utils still imports.

The layering rules are data in one place, the two tables of docs/architecture.md; this file only
reads them. Each check is also run on a planted violation, so it is known to fail when it should.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
MAP = ROOT / "docs" / "architecture.md"
SPEC_ROW = "course_utils/specs/<topic>.py"
NOT_SPECS = {"__init__.py", "base.py"}
METHODS_THIRD_PARTY = {"numpy"}


# ------------------------------------------------------------------------------- the map as data


def read_map(text: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    """(layer -> layers it may import, module path -> layer) from the map's two tables."""
    layers, modules = {}, {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"[a-z]+", cells[0]) and cells[0] != "layer":
            layers[cells[0]] = {m.strip() for m in cells[1].split(",")}
        elif len(cells) == 3 and re.fullmatch(r"`course_utils/[^`]*`", cells[0]):
            modules[cells[0].strip("`")] = cells[1]
    for layer, allowed in layers.items():
        if "any" in allowed:
            layers[layer] = set(layers)
    return layers, modules


def map_path(file: Path, root: Path) -> str:
    """How the map names a file: ``course_utils/x.py``, a package as ``course_utils/pkg/``."""
    rel = file.relative_to(root).as_posix()
    if file.name == "__init__.py":
        return rel[: -len("__init__.py")]
    if rel.startswith("course_utils/specs/") and file.name not in NOT_SPECS:
        return SPEC_ROW
    return rel


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module and package under ``root/course_utils``."""
    found = {}
    for file in sorted((root / "course_utils").rglob("*.py")):
        parts = file.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return found


def map_mismatches(root: Path, modules: dict[str, str]) -> list[str]:
    """Modules that exist but are not on the map, and rows that name nothing that exists."""
    existing = {map_path(f, root) for f in module_files(root).values()}
    unnamed = [
        f"{p} exists but docs/architecture.md does not name it" for p in existing - set(modules)
    ]
    gone = [
        f"docs/architecture.md names {p}, which does not exist" for p in set(modules) - existing
    ]
    return sorted(unnamed + gone)


# --------------------------------------------------------------------------------- the imports


def _imports(file: Path, name: str, known: set[str]) -> tuple[set[str], set[str]]:
    """(modules of ours that ``file`` imports, top-level third-party names it imports)."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    ours, others = set(), set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [(base, a.name) for a in node.names]
        else:
            continue
        for module, member in targets:
            if module.split(".")[0] != "course_utils":
                others.add(module.split(".")[0])
            elif member and f"{module}.{member}" in known:  # from pkg import submodule
                ours.add(f"{module}.{member}")
            else:
                ours.add(module)
    return ours - {name}, others


def import_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> modules of ours it imports, module -> third-party packages it imports)."""
    files = module_files(root)
    graph, third_party = {}, {}
    for name, file in files.items():
        graph[name], third_party[name] = _imports(file, name, set(files))
    return graph, third_party


def layer_violations(root: Path, layers, modules) -> list[str]:
    """Each import that the importing module's layer does not allow, in one sentence."""
    files = module_files(root)
    layer = {name: modules.get(map_path(file, root)) for name, file in files.items()}
    graph, third_party = import_graph(root)
    found = []
    for name, deps in graph.items():
        for dep in sorted(deps):
            if layer[name] and layer.get(dep) and layer[dep] not in layers[layer[name]]:
                found.append(f"{name} ({layer[name]}) imports {dep} ({layer[dep]})")
        extra = third_party[name] - METHODS_THIRD_PARTY - set(sys.stdlib_module_names)
        if layer[name] == "methods" and extra:
            found.append(f"{name} (methods) imports {sorted(extra)}: the methods use numpy only")
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


# ------------------------------------------------------------------ names the notebooks import


def _code(cell_source: str) -> str:
    """A code cell without its IPython magics and shell lines, so ``ast`` can read it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell_source.splitlines()
    )


def learner_names(notebook: Path) -> set[tuple[str, str | None]]:
    """(module, name) for every ``from course_utils... import name``, ``import course_utils...``
    and ``module.name`` used on a course_utils module the notebook imported."""
    found, aliases = set(), {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_code("".join(cell["source"])))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils"):
                for a in node.names:
                    found.add((node.module, a.name))
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("course_utils"):
                        found.add((a.name, None))
                        if a.asname:
                            aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in aliases and _is_module(aliases[node.value.id]):
                    found.add((aliases[node.value.id], node.attr))
    return found


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def missing_names(pairs) -> list[str]:
    """The (module, name) pairs that no longer import, each as ``module.name: why``."""
    missing = []
    for module, name in sorted(pairs, key=lambda p: (p[0], p[1] or "")):
        try:
            mod = importlib.import_module(module)
            if name is not None and not hasattr(mod, name):
                importlib.import_module(f"{module}.{name}")
        except ImportError as err:
            missing.append(f"{module}{'.' + name if name else ''}: {err}")
    return missing


NOTEBOOKS = sorted(
    p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb")
)


# ------------------------------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def the_map():
    return read_map(MAP.read_text(encoding="utf-8"))


@pytest.fixture()
def copy_of_package(tmp_path):
    """A copy of course_utils to plant violations in (the real one is never touched)."""
    shutil.copytree(PACKAGE, tmp_path / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "*.txt"))  # fmt: skip
    return tmp_path


def _append(file: Path, line: str) -> None:
    file.write_text(file.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_the_map_names_every_module_and_only_modules_that_exist(the_map):
    _, modules = the_map
    assert map_mismatches(ROOT, modules) == []


def test_the_map_check_fails_on_an_unnamed_module_and_on_a_row_for_a_missing_one(
    the_map, copy_of_package
):
    _, modules = the_map
    (copy_of_package / "course_utils" / "reference_data.py").write_text("X = 1\n")
    (copy_of_package / "course_utils" / "clipping.py").unlink()
    assert map_mismatches(copy_of_package, modules) == [
        "course_utils/reference_data.py exists but docs/architecture.md does not name it",
        "docs/architecture.md names course_utils/clipping.py, which does not exist",
    ]


def test_the_map_states_the_rules_of_the_issue(the_map):
    layers, modules = the_map

    def layer(path):
        return modules[f"course_utils/{path}"]

    methods = ["objectives.py", "gradcheck.py", "activations.py", "descent.py", "lr_range_test.py",
               "clipping.py", "optim/", "schedules/", "rnn/", "data/", "validation.py"]  # fmt: skip
    assert {layer(m) for m in methods} == {"methods"}
    assert layers["methods"] == {"methods"}  # nothing of ours above them
    assert not {layer("checks.py"), layer("judging.py"), layer("grading/")} & layers["specs"]
    assert not {layer("plotting.py"), layer("widgets.py")} & layers["grading"]
    assert not {layer("specs/"), layer("judging.py"), layer("grading/")} & layers["sandbox"]
    assert set(modules.values()) <= set(layers), "a module row names a layer with no rule"


def test_imports_obey_the_layers_of_the_map(the_map):
    assert layer_violations(ROOT, *the_map) == []


def test_there_are_no_import_cycles():
    graph, _ = import_graph(ROOT)
    assert import_cycles(graph) == []
    assert "course_utils.optim" in graph["course_utils.descent"]  # the graph sees real imports


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        ("objectives.py", "from .widgets import LearningRateExplorer",
         "course_utils.objectives (methods) imports course_utils.widgets (showing)"),
        ("descent.py", "import matplotlib.pyplot as plt",
         "course_utils.descent (methods) imports ['matplotlib']: the methods use numpy only"),
        ("specs/gradient_descent.py", "from ..checks import checker",
         "course_utils.specs.gradient_descent (specs) imports course_utils.checks (feedback)"),
        ("grading/report.py", "from .. import plotting",
         "course_utils.grading.report (grading) imports course_utils.plotting (showing)"),
        ("grading/sandbox/probe.py", "from course_utils.specs import load",
         "course_utils.grading.sandbox.probe (sandbox) imports course_utils.specs (specs)"),
    ],
    ids=["method imports upward", "method imports matplotlib", "spec imports checks",
         "grading imports plotting", "sandbox imports specs"],
)  # fmt: skip
def test_the_layer_check_fails_on_a_planted_violation(the_map, copy_of_package, file, line,
                                                      expected):  # fmt: skip
    _append(copy_of_package / "course_utils" / file, line)
    assert layer_violations(copy_of_package, *the_map) == [expected]


def test_the_cycle_check_fails_on_a_planted_cycle(copy_of_package):
    _append(copy_of_package / "course_utils" / "validation.py", "from .descent import run")
    graph, _ = import_graph(copy_of_package)
    cycles = import_cycles(graph)
    assert len(cycles) == 1 and {"course_utils.validation", "course_utils.descent"} <= set(
        cycles[0]
    )


def test_every_name_the_notebooks_import_from_course_utils_still_imports():
    names = set().union(*map(learner_names, NOTEBOOKS))
    assert ("course_utils.descent", "contraction_rate") in names  # the collector sees the imports
    assert ("course_utils.descent", "run") in names  # and `descent.run(...)` on an imported module
    assert missing_names(names) == []


def test_the_name_check_fails_on_a_name_that_no_longer_imports(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    cells = ["%matplotlib inline\nfrom course_utils.optim import Adam, Lion",
             "from course_utils import descent\ndescent.run_fast(1)",
             "import course_utils.gone"]  # fmt: skip
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": src, "metadata": {}, "outputs": []} for src in cells
    ]}))  # fmt: skip
    missing = missing_names(learner_names(notebook))
    assert [m.split(":")[0] for m in missing] == [
        "course_utils.descent.run_fast",
        "course_utils.gone",
        "course_utils.optim.Lion",
    ]


def test_readme_and_contributing_point_to_the_map():
    for doc in ("README.md", "CONTRIBUTING.md"):
        assert "docs/architecture.md" in (ROOT / doc).read_text(encoding="utf-8"), doc
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for section in ("## Adding an optimizer", "## Adding a schedule", "## Adding a module"):
        assert section in contributing, section


MAX_LINES = 400


def oversize(root: Path) -> dict[str, int]:
    """Modules over MAX_LINES lines, with their line counts."""
    sizes = {
        f.relative_to(root).as_posix(): len(f.read_text(encoding="utf-8").splitlines())
        for f in module_files(root).values()
    }
    return {path: n for path, n in sizes.items() if n > MAX_LINES}


def test_no_module_is_over_400_lines():
    assert oversize(ROOT) == {}


def test_the_size_check_fails_on_a_planted_long_module(copy_of_package):
    (copy_of_package / "course_utils" / "descent.py").write_text("x = 1\n" * 401)
    assert oversize(copy_of_package) == {"course_utils/descent.py": 401}
