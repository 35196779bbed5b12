"""The class summary beside ``grades.csv``: per question the mean and the distribution of
scores (``summary.csv``) and, in ``summary.png``, how many students got each score (bars at
the exact scores) for the total and for each question.

Uses matplotlib's Agg backend directly (grading never imports the course's plotting or widgets).
"""

from __future__ import annotations

import csv
from pathlib import Path

from .report import collected


def table(out_dir: Path) -> list[dict]:
    """One row per question (and ``total``): mean, max, and how many students got each score."""
    everyone = list(collected(out_dir).values())
    columns: dict[str, list[float]] = {"total": []}
    maxima: dict[str, float] = {"total": 0.0}
    for data in everyone:
        columns["total"].append(float(data["score"]))
        maxima["total"] = max(maxima["total"], float(data.get("max_score", 0)))
        for test in data.get("tests", []):
            columns.setdefault(test["name"], []).append(float(test["score"]))
            maxima[test["name"]] = float(test["max_score"])
    rows = []
    for name, values in columns.items():
        counts: dict[float, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        rows.append(
            {
                "question": name,
                "students": len(values),
                "mean": sum(values) / len(values) if values else 0.0,
                "max": maxima[name],
                "distribution": " ".join(f"{k:g}:{counts[k]}" for k in sorted(counts)),
            }
        )
    return rows


def write(out_dir: Path) -> tuple[Path, Path | None]:
    rows = table(out_dir)
    csv_path = out_dir / "summary.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["question", "students", "mean", "max", "distribution"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "mean": f"{row['mean']:.3g}", "max": f"{row['max']:g}"})
    return csv_path, _plot(out_dir, rows)


def _plot(out_dir: Path, rows: list[dict]) -> Path | None:
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    everyone = list(collected(out_dir).values())
    fig = Figure(figsize=(3.2 * len(rows), 3.0), layout="constrained")
    axes = fig.subplots(1, len(rows), squeeze=False)[0]
    for ax, row in zip(axes, rows, strict=True):
        name = row["question"]
        if name == "total":
            values = [float(d["score"]) for d in everyone]
        else:
            values = [float(t["score"]) for d in everyone for t in d["tests"] if t["name"] == name]
        top = row["max"] or 1.0
        counts = {v: values.count(v) for v in sorted(set(values))}
        ax.bar(list(counts), list(counts.values()), width=max(0.3, top / 20), color="#0072B2")
        ax.set_xlim(-top * 0.08 - 0.3, top * 1.08 + 0.3)
        ax.set_xticks(sorted({0.0, top, *counts}))
        ax.set_title(f"{name}\nmean {row['mean']:.2g} / {top:g}", fontsize=9)
        ax.set_xlabel("points")
        ax.set_ylabel("students")
    fig.suptitle(f"{len(everyone)} students", fontsize=10)
    path = out_dir / "summary.png"
    fig.savefig(path, dpi=100)
    return path
