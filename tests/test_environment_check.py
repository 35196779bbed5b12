"""course_utils.environment: the problem sentences, the extras rule and the real environment."""

from __future__ import annotations

import importlib.metadata

import pytest

from course_utils import environment
from course_utils.environment import check_environment

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
