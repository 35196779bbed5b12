"""Execute notebooks in fresh kernels; write HTML copies (the headless way to take the course).

python -m course_utils.build --out build            # every lecture in notebooks/
python -m course_utils.build --out build solutions  # or any folders / notebooks
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from .kernel_polling import client_for

REPO = Path(__file__).resolve().parent.parent


def execute_notebook(path: Path, timeout: int = 600) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a fresh ``python3`` kernel; return it and the seconds taken.

    Raises ``CellExecutionError`` (with the failing cell's traceback) when a cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    client = client_for(nb, path, timeout)
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def notebooks_in(targets: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for target in targets:
        paths.extend(sorted(target.glob("*.ipynb")) if target.is_dir() else [target])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("targets", nargs="*", type=Path, default=[REPO / "notebooks"])
    parser.add_argument("--out", type=Path, default=REPO / "build", help="folder for HTML copies")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)

    from nbconvert import HTMLExporter

    paths = notebooks_in(args.targets)
    if not paths:
        print(f"no notebooks found in {', '.join(map(str, args.targets))}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    failed, total = [], 0.0
    for path in paths:
        try:
            nb, seconds = execute_notebook(path, args.timeout)
        except CellExecutionError as exc:
            failed.append(path)
            print(f"FAILED {path.name}:\n{str(exc)[-2000:]}", file=sys.stderr)
            continue
        total += seconds
        html, _ = exporter.from_notebook_node(nb)
        target = args.out / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        print(f"{path.name:40s} {seconds:6.1f} s  -> {target}")
    print(f"{len(paths) - len(failed)} of {len(paths)} notebooks ran in {total:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
