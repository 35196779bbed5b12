"""Runs in the UNTRUSTED child process: execute a notebook, observe the graded names, write JSON.

Started by the trusted grader as ``python -P -m course_utils.grading.sandbox JOB.json`` (see
``grader.sandbox_command``) in a fresh temp dir. The job file gives the notebook path, the
assignment id, the question names with their case counts and timeouts, and the output path.

1. Every cell runs in a fresh ``python3`` kernel via ``nbclient`` with ``allow_errors=True`` and
   ``interrupt_on_timeout=True``: a cell that raises or exceeds the cell timeout is recorded
   (index, exception name, one-line message) and the next cells still run. ``error_on_timeout``
   makes nbclient stop waiting right after the interrupt, so code that swallows
   ``KeyboardInterrupt`` cannot stall the run (later cells then time out in turn).
2. For each question one probe cell (``course_utils.grading.probe``) runs in the same kernel
   under the question timeout and prints one observation per case after a random nonce.
3. The result ``{"cells": [...], "questions": {name: [observation, ...]}, "kernel": "ok" or
   "died ..."}`` (plus ``"died_in_cell": index`` when a notebook cell killed the kernel) is
   rewritten after every step, so a partial result survives if the grader kills us.

Nothing here computes an expected value or a score: everything written is untrusted data for
the grader to validate and judge.
"""

from __future__ import annotations

import json
import os
import secrets
import sys

# jsonschema (imported by nbformat) spends ~2 s compiling an IRI grammar in rfc3987_syntax at
# import time; it guards that import with ``suppress(ImportError)`` and nbformat's schema never
# checks IRIs, so this child process, which lives only for one notebook, skips it.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

from .probe import MARKER  # noqa: E402
from .report import one_line as _one_line  # noqa: E402

TIMEOUT_ENAME = "CellTimeout"


class Run:
    def __init__(self, job: dict):
        self.job = job
        self.output = job["output"]
        self.result = {"cells": [], "questions": {}, "kernel": "ok"}
        self.errors: dict[int, dict] = {}  # cell index -> execute_reply content of the error

    def save(self) -> None:
        tmp = self.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.result, fh)
        os.replace(tmp, self.output)

    def on_cell_error(self, cell, cell_index, execute_reply) -> None:
        self.errors[cell_index] = execute_reply.get("content", {})

    def execute(self) -> None:
        nb = nbformat.read(self.job["notebook"], as_version=4)
        n_cells = len(nb.cells)
        workdir = os.path.dirname(os.path.abspath(self.job["notebook"]))
        client = NotebookClient(
            nb,
            timeout=self.job["cell_timeout"],
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": TIMEOUT_ENAME,
                "evalue": f"did not finish within {self.job['cell_timeout']} s (interrupted)",
                "traceback": [],
            },
            kernel_name="python3",
            shutdown_kernel="immediate",  # the kernel is thrown away: no graceful wait
            resources={"metadata": {"path": workdir}},
            on_cell_error=self.on_cell_error,
        )
        self.save()
        try:
            with client.setup_kernel():
                if self._run_cells(client, nb, n_cells):
                    self._run_probes(client, nb)
        except DeadKernelError:  # raised again while shutting the dead kernel down
            pass
        except Exception as exc:  # kernel failed to start, or nbclient gave up
            if self.result["kernel"] == "ok":
                self.result["kernel"] = f"failed: {_one_line(f'{type(exc).__name__}: {exc}')}"
        self._fill_missing()
        self.save()

    def _run_cells(self, client, nb, n_cells: int) -> bool:
        for index in range(n_cells):
            try:
                client.execute_cell(nb.cells[index], index)
            except DeadKernelError:
                self.result["kernel"] = f"died while running cell {index + 1}"
                self.result["died_in_cell"] = index
                return False
            if index in self.errors:
                content = self.errors[index]
                self.result["cells"].append(
                    {
                        "cell": index,
                        "ename": _one_line(content.get("ename", "Error"), 80),
                        "evalue": _one_line(content.get("evalue", "")),
                    }
                )
                self.save()
        return True

    def _run_probes(self, client, nb) -> None:
        for question in self.job["questions"]:
            name = question["name"]
            nonce = secrets.token_hex(8)
            source = (
                '__import__("course_utils.grading.probe", fromlist=["run"]).run('
                f"{self.job['assignment']!r}, {name!r}, {nonce!r})"
            )
            cell = nbformat.v4.new_code_cell(source)
            nb.cells.append(cell)
            index = len(nb.cells) - 1
            client.timeout = question["timeout"]
            try:
                client.execute_cell(cell, index, store_history=False)
            except DeadKernelError:
                self.result["kernel"] = f"died while testing {name}"
                return
            observations = _read_marked(nb.cells[index], nonce, question["cases"])
            error = self.errors.get(index)
            for i in range(question["cases"]):
                if observations[i] is not None:
                    continue
                if error and error.get("ename") == TIMEOUT_ENAME:
                    observations[i] = {"timeout": True}
                elif error:
                    ename = _one_line(error.get("ename", "Error"), 80)
                    observations[i] = {
                        "error_type": ename,
                        "error": f"{ename}: {_one_line(error.get('evalue', ''))}",
                    }
                else:
                    observations[i] = {"error_type": "ProbeError", "error": "no result printed."}
            self.result["questions"][name] = observations
            self.save()

    def _fill_missing(self) -> None:
        """After a dead kernel, every question not yet observed gets an error observation."""
        reason = self.result["kernel"]
        if reason == "ok":
            return
        for question in self.job["questions"]:
            if question["name"] not in self.result["questions"]:
                obs = {"error_type": "DeadKernelError", "error": f"the kernel {reason}."}
                self.result["questions"][question["name"]] = [obs] * question["cases"]


def _read_marked(cell, nonce: str, n_cases: int) -> list:
    """The last ``MARKER NONCE INDEX JSON`` line per case index in the cell's stdout."""
    found: list = [None] * n_cases
    prefix = f"{MARKER} {nonce} "
    text = "".join(
        out.get("text", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        index_text, _, payload = line[len(prefix) :].partition(" ")
        try:
            index, observation = int(index_text), json.loads(payload)
        except ValueError:
            continue
        if 0 <= index < n_cases and isinstance(observation, dict):
            found[index] = observation
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m course_utils.grading.sandbox JOB.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        job = json.load(fh)
    Run(job).execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
