"""course_utils.environment: the problem sentences, the extras rule and the real environment."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import pytest

from course_utils import environment
from course_utils.environment import check_environment

ROOT = Path(__file__).resolve().parent.parent

FAKE_REQUIRES = [
    "numpy<3,>=1.26",
    "torch==2.13.0",
    "tqdm>=4.66",
    'pytest<10,>=8; extra == "dev"',
    'nosuchpackage-dev-only>=1; extra == "dev"',
]
FAKE_VERSIONS = {"course-utils": "0.1.0", "numpy": "1.20.0", "tqdm": "4.70.1"}


@pytest.fixture
def fake_metadata(monkeypatch):
    """Simulate course-utils whose numpy is too old, torch is missing and tqdm is fine."""

    def version(name):
        try:
            return FAKE_VERSIONS[name]
        except KeyError:
            raise importlib.metadata.PackageNotFoundError(name) from None

    def requires(name):
        assert name == "course-utils"
        return list(FAKE_REQUIRES)

    monkeypatch.setattr(importlib.metadata, "version", version)
    monkeypatch.setattr(importlib.metadata, "requires", requires)


def test_missing_and_too_old_give_the_exact_sentences(fake_metadata):
    report = check_environment()
    assert not report.ok
    assert report.problems == [
        "✗ numpy 1.20.0 does not satisfy >=1.26,<3: "
        "run `python3 course.py setup` to install a matching version.",
        "✗ torch is not installed: run `python3 course.py setup`.",
    ]


def test_extras_are_ignored_and_each_requirement_is_listed(fake_metadata):
    report = check_environment()
    by_name = {r.name: r for r in report.requirements}
    assert list(by_name) == ["numpy", "torch", "tqdm"]  # dev extras skipped, order kept
    assert by_name["numpy"].installed == "1.20.0" and not by_name["numpy"].ok
    assert by_name["torch"].installed is None and not by_name["torch"].ok
    assert by_name["tqdm"].ok and by_name["tqdm"].problem is None


def test_report_renders_problems_as_text_and_html(fake_metadata):
    report = check_environment()
    text = str(report)
    assert "2 problem(s)" in text
    assert "✗ torch is not installed" in text
    assert "missing" in text
    page = report._repr_html_()
    assert "<table>" in page and "numpy 1.20.0 does not satisfy &gt;=1.26,&lt;3" in page


def test_a_version_at_the_upper_bound_fails(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "requires", lambda name: ["numpy<3,>=1.26"])
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.0.0")
    report = check_environment()
    assert report.problems == [
        "✗ numpy 3.0.0 does not satisfy >=1.26,<3: "
        "run `python3 course.py setup` to install a matching version."
    ]


def test_local_version_label_satisfies_an_exact_pin(monkeypatch):
    """A CPU wheel reports 2.13.0+cpu; the pin ==2.13.0 must accept it."""
    monkeypatch.setattr(importlib.metadata, "requires", lambda name: ["torch==2.13.0"])
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.13.0+cpu")
    assert check_environment().ok


def test_distribution_not_installed():
    report = check_environment("no-such-course-distribution")
    assert not report.ok
    assert report.problems == [
        "✗ no-such-course-distribution is not installed: run `python3 course.py setup`."
    ]


def test_specifier_is_printed_lower_bound_first():
    from packaging.specifiers import SpecifierSet

    assert environment._format_specifier(SpecifierSet("<3,>=1.26")) == ">=1.26,<3"
    assert environment._format_specifier(SpecifierSet("==2.13.0")) == "==2.13.0"


def test_real_environment_is_ok():
    report = check_environment()
    assert report.ok, "\n".join(report.problems)
    names = {r.name for r in report.requirements}
    assert {"numpy", "torch", "matplotlib"} <= names
    assert "pytest" not in names  # a dev extra
    assert report.device in ("cpu", "cuda")
    assert report.torch_threads is not None and report.torch_threads >= 1
    assert report.python_version.startswith("3.")


# ------------------------------------------ the ✗ line's command repairs (referee ri00, point 00-1)


def test_unmet_requirements_lists_each_unmet_one_in_a_line(fake_metadata, capsys):
    assert environment.unmet_requirements() == [
        "numpy 1.20.0 (needs >=1.26,<3)",
        "torch not installed (needs ==2.13.0)",
    ]
    with_dev = environment.unmet_requirements(extras=("dev",))
    assert with_dev[2:] == [
        "pytest not installed (needs >=8,<10)",
        "nosuchpackage-dev-only not installed (needs >=1)",
    ]
    assert environment.main(["--unmet"]) == 1
    assert capsys.readouterr().out.splitlines() == with_dev[:2]


def test_unmet_requirements_is_empty_here_and_names_a_missing_distribution(capsys):
    assert environment.unmet_requirements(extras=("dev",)) == []
    assert environment.main(["--unmet", "--extra", "dev"]) == 0
    assert capsys.readouterr().out == ""
    assert environment.unmet_requirements("no-such-course-distribution") == [
        "no-such-course-distribution (not installed)"
    ]


def _course_py_with_a_current_stamp(monkeypatch, tmp_path, python: Path):
    """course.py loaded as a module, its venv in ``tmp_path`` with the stamp a finished install
    leaves (pyproject.toml unchanged since), its Python ``python``, and its ``run`` recorded."""
    spec = importlib.util.spec_from_file_location("course_cli_setup", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    monkeypatch.delenv("COURSE_CONSTRAINTS", raising=False)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    (tmp_path / ".course-installed").write_text(digest)
    monkeypatch.setattr(course, "VENV", tmp_path)
    monkeypatch.setattr(course, "PYTHON", python)
    course.calls = []
    monkeypatch.setattr(course, "run", lambda cmd, **kw: course.calls.append(list(cmd)) or 0)
    return course


def test_setup_reinstalls_when_an_installed_version_no_longer_satisfies_the_pins(
    monkeypatch, tmp_path, capsys
):
    """A learner's `pip install -U torch` leaves pyproject.toml and the stamp as they were: the
    command the ✗ line names must still reinstall (it used to say "environment up to date")."""
    fake_python = tmp_path / "python"  # answers `-m course_utils.environment --unmet` as 2.14 would
    fake_python.write_text('#!/bin/sh\necho "torch 2.14.0 (needs ==2.13.0)"\nexit 1\n')
    fake_python.chmod(0o755)
    course = _course_py_with_a_current_stamp(monkeypatch, tmp_path, fake_python)
    course.setup(dev=False)
    assert "torch 2.14.0 (needs ==2.13.0)): reinstalling" in capsys.readouterr().out
    assert course.calls[0][1:4] == ["-m", "pip", "install"] and "-e" in course.calls[0]
    assert course.calls[1][1:3] == ["-m", "ipykernel"]


def test_setup_reinstalls_when_the_venv_python_cannot_answer(monkeypatch, tmp_path):
    broken = tmp_path / "python"
    broken.touch()  # there, but not a program (the referee's simulation of an installed venv)
    course = _course_py_with_a_current_stamp(monkeypatch, tmp_path, broken)
    course.setup(dev=False)
    assert course.calls and course.calls[0][1:4] == ["-m", "pip", "install"]


def test_setup_does_nothing_when_the_installed_versions_satisfy_the_pins(
    monkeypatch, tmp_path, capsys
):
    """The learner's and CI's usual case: this environment meets every pin, nothing is run."""
    course = _course_py_with_a_current_stamp(monkeypatch, tmp_path, Path(sys.executable))
    course.setup(dev=False)
    assert course.calls == []
    assert "environment up to date" in capsys.readouterr().out
