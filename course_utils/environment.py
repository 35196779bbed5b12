"""Is this Python environment ready for the course? ``check_environment()`` answers in one table.

It reads the requirements of the installed ``course-utils`` distribution (the ``dependencies`` of
``pyproject.toml``, extras such as ``dev`` ignored), checks each installed version against its
specifier, and reports the Python version, the torch device and the thread counts.

>>> report = check_environment()
>>> report.ok          # True when every requirement is met
>>> report.problems    # one sentence per problem, e.g. "✗ torch is not installed: ..."
"""

from __future__ import annotations

import html
import importlib.util
import os
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from .threads import THREAD_VARS

__all__ = [
    "EnvironmentReport",
    "RequirementStatus",
    "check_environment",
    "unmet_requirements",
    "SETUP_COMMAND",
]

#: What a learner runs to install or repair the environment: it reinstalls when pyproject.toml
#: changed or when an installed version no longer satisfies it (``unmet_requirements``).
SETUP_COMMAND = "python3 course.py setup"

# Lower bounds first, so "numpy<3,>=1.26" reads ">=1.26,<3" as in pyproject.toml.
_OPERATOR_ORDER = {"===": 0, "==": 0, "~=": 1, ">=": 2, ">": 3, "!=": 4, "<=": 5, "<": 6}


def _format_specifier(specifier: SpecifierSet) -> str:
    """A specifier set as text, lower bounds before upper bounds (``>=1.26,<3``)."""
    specs = sorted(specifier, key=lambda s: (_OPERATOR_ORDER.get(s.operator, 9), s.version))
    return ",".join(str(s) for s in specs)


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement: ``installed`` is None when the package is missing."""

    name: str
    specifier: str
    installed: str | None
    ok: bool
    problem: str | None = None

    @property
    def symbol(self) -> str:
        return "✓" if self.ok else "✗"


@dataclass
class EnvironmentReport:
    """The result of :func:`check_environment`."""

    distribution: str
    distribution_version: str | None
    python_version: str
    requires_python: str
    requirements: list[RequirementStatus] = field(default_factory=list)
    device: str = "cpu"
    device_name: str = "CPU"
    torch_threads: int | None = None
    blas_threads: dict[str, int] = field(default_factory=dict)
    thread_env: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """(item, required, found, status) rows shared by the text and HTML tables."""
        py_ok = not any(p.startswith("✗ Python") for p in self.problems)
        rows = [("Python", self.requires_python or "any", self.python_version, _mark(py_ok))]
        for r in self.requirements:
            rows.append((r.name, r.specifier or "any", r.installed or "missing", r.symbol))
        blas = ", ".join(f"{k}: {v}" for k, v in self.blas_threads.items()) or "none loaded"
        torch_threads = "n/a" if self.torch_threads is None else str(self.torch_threads)
        rows += [
            ("device", "cpu or cuda", f"{self.device} ({self.device_name})", "·"),
            ("torch threads", "", torch_threads, "·"),
            ("BLAS/OpenMP threads (threadpoolctl)", "", blas, "·"),
        ]
        return rows

    def __str__(self) -> str:
        version = self.distribution_version or "not installed"
        head = f"Environment check for {self.distribution} {version}: "
        head += "all requirements met." if self.ok else f"{len(self.problems)} problem(s)."
        rows = [("", "item", "required", "found")] + [(s, i, r, f) for i, r, f, s in self._rows()]
        widths = [max(len(row[k]) for row in rows) for k in range(4)]
        lines = [head]
        for row in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        lines += self.problems
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return f"<EnvironmentReport ok={self.ok} problems={len(self.problems)}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        version = esc(self.distribution_version or "not installed")
        verdict = "all requirements met" if self.ok else f"{len(self.problems)} problem(s)"
        cells = "".join(
            f"<tr><td>{esc(s)}</td><td><code>{esc(i)}</code></td><td>{esc(r)}</td>"
            f"<td>{esc(f)}</td></tr>"
            for i, r, f, s in self._rows()
        )
        problems = "".join(f"<li>{esc(p)}</li>" for p in self.problems)
        return (
            f"<p><b>Environment check for {esc(self.distribution)} {version}</b>: {verdict}.</p>"
            "<table><thead><tr><th></th><th>item</th><th>required</th><th>found</th></tr>"
            f"</thead><tbody>{cells}</tbody></table>" + (f"<ul>{problems}</ul>" if problems else "")
        )


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _check_requirement(req: Requirement) -> RequirementStatus:
    """Compare the installed version of ``req.name`` with its specifier."""
    spec = _format_specifier(req.specifier)
    try:
        installed = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        problem = f"✗ {req.name} is not installed: run `{SETUP_COMMAND}`."
        return RequirementStatus(req.name, spec, None, False, problem)
    try:
        ok = req.specifier.contains(Version(installed), prereleases=True)
    except InvalidVersion:
        ok = False
    if ok:
        return RequirementStatus(req.name, spec, installed, True)
    problem = (
        f"✗ {req.name} {installed} does not satisfy {spec}: "
        f"run `{SETUP_COMMAND}` to install a matching version."
    )
    return RequirementStatus(req.name, spec, installed, False, problem)


def _active(req: Requirement, extras: tuple[str, ...] = ()) -> bool:
    """False for requirements behind an extra not in ``extras`` (``extra == "dev"``) or a marker
    that is false here."""
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": extra}) for extra in ("", *extras))


def _statuses(raw_requirements, extras: tuple[str, ...] = ()):
    """(raw, status) for each active requirement; status None for one that cannot be parsed."""
    for raw in raw_requirements:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            yield raw, None
            continue
        if _active(req, extras):
            yield raw, _check_requirement(req)


def _torch_info() -> tuple[str, str, int | None, str | None]:
    """(device, device name, torch threads, problem) without failing when torch is absent."""
    if importlib.util.find_spec("torch") is None:
        return "cpu", platform.processor() or platform.machine() or "CPU", None, None
    try:
        import torch
    except Exception as exc:  # a broken install: report it, do not crash the check
        return "cpu", "CPU", None, f"✗ torch is installed but fails to import: {exc}."
    if torch.cuda.is_available():
        return "cuda", torch.cuda.get_device_name(0), torch.get_num_threads(), None
    return "cpu", platform.processor() or platform.machine() or "CPU", torch.get_num_threads(), None


def _blas_threads() -> dict[str, int]:
    """Thread counts of the BLAS/OpenMP libraries loaded in this process (via threadpoolctl)."""
    try:
        import numpy  # noqa: F401  (loads numpy's BLAS so threadpoolctl can see it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return {}
    return {f"{i['internal_api']}": int(i["num_threads"]) for i in threadpool_info()}


def check_environment(distribution: str = "course-utils") -> EnvironmentReport:
    """Check the installed requirements of ``distribution`` and describe this machine.

    Every requirement of the distribution (extras ignored) must be installed in a version its
    specifier allows; the running Python must satisfy ``Requires-Python``. Each failure adds one
    sentence to ``report.problems``; ``report.ok`` is True when there is none.
    """
    python_version = platform.python_version()
    problems: list[str] = []
    statuses: list[RequirementStatus] = []
    try:
        dist_version = metadata.version(distribution)
        raw_requirements = metadata.requires(distribution) or []
        requires_python = metadata.metadata(distribution).get("Requires-Python") or ""
    except metadata.PackageNotFoundError:
        dist_version, raw_requirements, requires_python = None, [], ""
        problems.append(f"✗ {distribution} is not installed: run `{SETUP_COMMAND}`.")

    if requires_python and not SpecifierSet(requires_python).contains(
        python_version, prereleases=True
    ):
        problems.append(
            f"✗ Python {python_version} does not satisfy {requires_python}: "
            f"install a newer Python, delete `.venv` and run `{SETUP_COMMAND}`."
        )

    for raw, status in _statuses(raw_requirements):
        if status is None:
            problems.append(f"✗ cannot parse the requirement {raw!r} of {distribution}.")
            continue
        statuses.append(status)
        if status.problem:
            problems.append(status.problem)

    device, device_name, torch_threads, torch_problem = _torch_info()
    if torch_problem and not any(s.name == "torch" and not s.ok for s in statuses):
        problems.append(torch_problem)

    env = {k: os.environ[k] for k in THREAD_VARS if k in os.environ}
    return EnvironmentReport(
        distribution=distribution,
        distribution_version=dist_version,
        python_version=python_version,
        requires_python=requires_python,
        requirements=statuses,
        device=device,
        device_name=device_name,
        torch_threads=torch_threads,
        blas_threads=_blas_threads(),
        thread_env=env,
        problems=problems,
    )


def unmet_requirements(
    distribution: str = "course-utils", extras: tuple[str, ...] = ()
) -> list[str]:
    """One line per requirement of ``distribution`` (those behind ``extras`` included) that is
    missing or outside its range, e.g. ``"torch 2.14.0 (needs ==2.13.0)"``; [] when all are met.

    Imports no package it checks (no torch), so ``course.py setup`` can ask it cheaply on every
    run: a learner's ``pip install -U torch`` changes no installation stamp, only this answer.
    """
    try:
        raw_requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return [f"{distribution} (not installed)"]
    unmet = []
    for raw, status in _statuses(raw_requirements, extras):
        if status is None:
            unmet.append(f"{raw!r} (cannot be parsed)")
        elif not status.ok:
            found = status.installed or "not installed"
            unmet.append(f"{status.name} {found} (needs {status.specifier or 'any version'})")
    return unmet


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils.environment``: the report (exit 1 on a problem); with ``--unmet``
    (and ``--extra dev``) only the unmet requirements, one a line, as ``course.py setup`` asks."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils.environment")
    parser.add_argument("--unmet", action="store_true", help="only list unmet requirements")
    parser.add_argument("--extra", action="append", default=[], help="an extra to include (dev)")
    parser.add_argument("--distribution", default="course-utils", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.unmet:
        unmet = unmet_requirements(args.distribution, tuple(args.extra))
        if unmet:
            print("\n".join(unmet))
        return 1 if unmet else 0
    report = check_environment(args.distribution)
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":  # python -m course_utils.environment
    sys.exit(main())
