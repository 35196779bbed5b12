"""The repository's own rules: dependency lists agree, notebooks are stored clean, CI runs the
README's test command."""

import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("notebooks", "exercises", "solutions")


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pip = {r for r in pip_section if not r.startswith("-e")}
    # Plus jupyterhub, with the dev extra's range: the conda environment is also the single-user
    # environment of a workshop's JupyterHub (docs/instructors.md).
    hub = [d for d in pyproject()["project"]["optional-dependencies"]["dev"] if "jupyterhub" in d]
    assert len(hub) == 1, (
        "the dev extra must list jupyterhub once (benchmarks/workshop_capacity.py)"
    )
    assert conda_pip == set(pyproject()["project"]["dependencies"]) | set(hub)
    assert "-e ." in pip_section, "environment.yml must install the course package itself"


def test_torch_is_pinned_exactly_and_everything_else_has_a_range():
    deps = (
        pyproject()["project"]["dependencies"]
        + pyproject()["project"]["optional-dependencies"]["dev"]
    )
    for dep in deps:
        name = re.split(r"[<>=!~ ]", dep, maxsplit=1)[0]
        if name == "torch":
            assert dep == "torch==2.13.0", "torch must be pinned to the CPU wheel 2.13.0"
        else:
            assert "==" not in dep, f"{dep}: give a tested range, not an exact pin"
            assert ">=" in dep and "<" in dep, f"{dep}: needs a lower and an upper bound"


def _notebooks():
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).glob("*.ipynb"))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_are_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs; run `python -m course_utils.authoring strip {path}`"
    )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_every_solution_has_an_exercise_a_lecture_and_a_spec():
    from course_utils import specs

    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
    assert solutions, "no solution notebooks found"
    for stem in solutions:
        assert (ROOT / "exercises" / f"{stem}.ipynb").exists(), stem
        assert (ROOT / "notebooks" / f"{stem}.ipynb").exists(), stem
        assert stem in specs.ASSIGNMENT_IDS, f"{stem} has no spec in course_utils/specs"


def _practice_checks(lecture: Path) -> set:
    """Assignment ids a lecture checks itself with ``checker("...")`` (e.g. 00's practice)."""
    code = "".join(
        "".join(c["source"]) for c in json.loads(lecture.read_text())["cells"]
        if c["cell_type"] == "code"
    )  # fmt: skip
    return set(re.findall(r"checker\(\s*[\"']([^\"']+)[\"']", code))


def test_every_solutions_assignment_has_a_spec_named_like_it_and_every_spec_is_used():
    from course_utils import specs

    assigned = {
        json.loads(p.read_text())["metadata"]["course"]["assignment"]
        for p in (ROOT / "solutions").glob("*.ipynb")
    }
    practised = set().union(*map(_practice_checks, (ROOT / "notebooks").glob("*.ipynb")))
    assert set(specs.ASSIGNMENT_IDS) == assigned | practised
    for assignment in specs.ASSIGNMENT_IDS:
        topic = assignment.split("_", 1)[1]
        assert (ROOT / "course_utils" / "specs" / f"{topic}.py").exists(), assignment
        assert (ROOT / "notebooks" / f"{assignment}.ipynb").exists(), assignment
    assert set(specs.spec_module_names()) == {a.split("_", 1)[1] for a in specs.ASSIGNMENT_IDS}


def test_the_spec_registry_refuses_a_module_named_unlike_its_notebook(tmp_path, monkeypatch):
    from course_utils import specs

    (tmp_path / "lr_schedules.py").write_text(
        "from course_utils.specs.base import Assignment\n"
        "ASSIGNMENT = Assignment(id='05_learning_rate_schedules', title='t', questions=())\n"
    )
    monkeypatch.setattr(specs, "__path__", [*specs.__path__, str(tmp_path)])
    specs._registry.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"must be specs/learning_rate_schedules\.py"):
            specs.load("01_gradient_descent")
    finally:
        monkeypatch.undo()
        specs._registry.cache_clear()
        sys.modules.pop("course_utils.specs.lr_schedules", None)
    assert specs.load("01_gradient_descent").id == "01_gradient_descent"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3 course.py test"
    assert command in readme and command in ci
    assert "python3 course.py lab" in readme and "python3 course.py lab --headless" in readme


def test_readme_table_lists_every_lecture():
    readme = (ROOT / "README.md").read_text()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{path.name}" in readme, f"README's table is missing {path.name}"


def test_pre_commit_config_is_valid_and_strips_outputs():
    import shutil
    import subprocess
    import sys

    config = ROOT / ".pre-commit-config.yaml"
    hooks = {h["id"] for r in yaml.safe_load(config.read_text())["repos"] for h in r["hooks"]}
    assert {"ruff-check", "ruff-format", "strip-notebook-outputs"} <= hooks
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("pre-commit is not installed (dev extra)")
    result = subprocess.run([exe, "validate-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_tests_the_lower_bound_of_every_range():
    """.ci/oldest.txt pins each dependency to the lower bound of its range in pyproject.toml."""
    from packaging.requirements import Requirement

    oldest = {}
    for line in (ROOT / ".ci" / "oldest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            oldest[req.name] = req.specifier
    project = pyproject()["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(dep)
        if req.name == "torch":
            continue
        lower = next(s.version for s in req.specifier if s.operator == ">=")
        assert req.name in oldest, f".ci/oldest.txt does not test the lower bound of {dep}"
        assert oldest[req.name].contains(lower), f"{req.name}: {oldest[req.name]} is not {lower}"
    assert "python3 course.py test" in (ROOT / ".ci" / "run").read_text().split("oldest")[-1]
