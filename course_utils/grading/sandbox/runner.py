"""The CHILD: runs inside the sandbox, executes one notebook in a fresh kernel, answers the probe.

Started by the grader (see ``isolation``) as ``python -P -m course_utils.grading.sandbox.runner FD``. It
imports nothing from the trusted side (no specs, no judging): it reads its job as JSON on stdin
(the sanitised cells, the cell timeout, and per question its kind, time limit and the encoded
inputs of each case) and writes one JSON result to file descriptor FD, a pipe the grader opened.

The runner first makes itself non-dumpable, so the student's kernel (same user id, same sandbox)
cannot read its memory, its stdin or its file descriptors through ``/proc``, and marks FD
non-inheritable, so the kernel never holds it. The result carries the job's per-run token; the
grader accepts it only together with exit status 0 (a run that ended normally).

1. Every cell runs with ``allow_errors=True`` and ``interrupt_on_timeout=True``: a cell that raises
   or exceeds the cell timeout is recorded and the next cells still run.
2. Each case of each question is evaluated as described in ``probe``; the observation is the one
   ``NONCE JSON`` line the report cell printed, or what the runner saw from outside the kernel
   (an exception in the call, a timeout, a dead kernel).
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import sys

# jsonschema (imported by nbformat) spends ~2 s compiling an IRI grammar in rfc3987_syntax at
# import time; nbformat's schema never checks IRIs, so this short-lived process skips it.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

from course_utils.answers import short_text  # noqa: E402
from course_utils.kernel_polling import PollingNotebookClient  # noqa: E402

TIMEOUT_ENAME = "CellTimeout"
HELPER_TIMEOUT = 10  # seconds for the grading helper cells around each call
# Seconds for the first helper cell, which imports the probe and what it watches (numpy, and torch
# where a question names torch functions): the grader's own start-up, not the student's code, so
# never held to the student's cell timeout. On a loaded machine importing torch can take longer
# than a short --cell-timeout (CI's grader tests use 3 s), and every question would score 0.
SETUP_TIMEOUT = 120


class _GiveUp(Exception):
    """The kernel no longer runs the grading helpers: the remaining cases cannot be observed."""


PROBE = '__import__("course_utils.grading.sandbox.probe", fromlist=["probe"])'


def _not_dumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):  # not Linux: the plain strategy says what it lacks
        pass


class Run:
    def __init__(self, job: dict):
        self.job = job
        self.result: dict = {"cells": [], "questions": {}, "kernel": "ok"}
        self.errors: dict[int, dict] = {}  # cell index -> execute_reply content of the error
        self.nb = nbformat.v4.new_notebook()
        for cell in job["cells"]:
            make = nbformat.v4.new_code_cell if cell["cell_type"] == "code" else None
            make = make or nbformat.v4.new_markdown_cell
            self.nb.cells.append(make(cell["source"]))

    def on_cell_error(self, cell, cell_index, execute_reply) -> None:
        self.errors[cell_index] = execute_reply.get("content", {})

    def execute(self) -> dict:
        client = PollingNotebookClient(
            self.nb,
            timeout=self.job["cell_timeout"],
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": TIMEOUT_ENAME,
                "evalue": f"did not finish within {self.job['cell_timeout']} s (interrupted)",
                "traceback": [],
            },
            kernel_name="python3",
            shutdown_kernel="immediate",
            resources={"metadata": {"path": os.getcwd()}},
            on_cell_error=self.on_cell_error,
        )
        try:
            with client.setup_kernel():
                setup = f"{PROBE}.install({self.job['library']!r})"
                setup_error = self._run(client, setup, max(self.job["cell_timeout"], SETUP_TIMEOUT))
                client.timeout = self.job["cell_timeout"]  # the student's cells: their own limit
                if setup_error is not None:
                    self.result["kernel"] = "failed to start the grading helpers"
                elif self._run_cells(client):
                    self._run_questions(client)
        except DeadKernelError:
            pass
        except Exception as exc:  # kernel failed to start, or nbclient gave up
            if self.result["kernel"] == "ok":
                self.result["kernel"] = f"failed: {short_text(f'{type(exc).__name__}: {exc}')}"
        self._fill_missing()
        return self.result

    def _run(self, client, source: str, timeout) -> dict | None:
        """Run an extra cell; return its error content (or None). DeadKernelError propagates."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        if timeout is not None:
            client.timeout = timeout
        client.execute_cell(cell, index, store_history=False)
        self.last_cell = cell
        return self.errors.get(index)

    def _run_cells(self, client) -> bool:
        for index in range(len(self.job["cells"])):
            if self.nb.cells[index].cell_type != "code":
                continue
            try:
                client.execute_cell(self.nb.cells[index], index)
            except DeadKernelError:
                self.result["kernel"] = f"died while running cell {index + 1}"
                self.result["died_in_cell"] = index
                return False
            if index in self.errors:
                content = self.errors[index]
                self.result["cells"].append(
                    {
                        "cell": index,
                        "ename": short_text(content.get("ename", "Error"), 80),
                        "evalue": short_text(content.get("evalue", "")),
                    }
                )
        return True

    def _run_questions(self, client) -> None:
        for question in self.job["questions"]:
            observations: list[dict] = []
            self.result["questions"][question["name"]] = observations
            for encoded in question["cases"]:
                if observations and observations[-1].get("outcome") == "timeout":
                    observations.append(observations[-1])  # one endless loop is enough to wait for
                    continue
                try:
                    observations.append(self._evaluate(client, question, encoded))
                except DeadKernelError:
                    self.result["kernel"] = f"died while testing {question['name']}"
                    return
                except _GiveUp as exc:
                    self.result["kernel"] = f"stopped answering while testing {question['name']}"
                    self.result["gave_up"] = str(exc)
                    return

    def _evaluate(self, client, question: dict, encoded: str) -> dict:
        name, kind, limit = question["name"], question["kind"], question["timeout"]
        if kind == "function":
            others = [q["name"] for q in self.job["questions"] if q["name"] != name]
            source = f"_course_grading_args = {PROBE}.prepare({encoded!r}, {others!r})"
            if self._run(client, source, HELPER_TIMEOUT):
                raise _GiveUp("the test inputs could not be prepared in the kernel")
            error = self._run(
                client, f"_course_grading_result = {name}(*_course_grading_args)", limit
            )
            if error:
                return _error_observation(error, name)
        nonce = secrets.token_hex(16)
        record = bool(question["inputs_unchanged"])
        library = question.get("library", [])
        source = f"{PROBE}.report({nonce!r}, {name!r}, {kind!r}, {record}, {library!r})"
        error = self._run(client, source, HELPER_TIMEOUT)
        lines = _marked_lines(self.last_cell, nonce)
        if error and error.get("ename") == TIMEOUT_ENAME:
            raise _GiveUp("the result could not be read in the kernel")
        if error or len(lines) != 1:
            why = "more than one result was printed" if len(lines) > 1 else "no result came back"
            return {
                "outcome": "tampered",
                "error": f"{why} for this test (the run was tampered with).",
            }
        try:
            return json.loads(lines[0])
        except ValueError:
            return {"outcome": "tampered", "error": "the result line was not valid JSON."}

    def _fill_missing(self) -> None:
        """After a dead kernel, every case not yet observed gets a ``died`` observation."""
        reason = self.result["kernel"]
        if reason == "ok":
            return
        for question in self.job["questions"]:
            seen = self.result["questions"].setdefault(question["name"], [])
            outcome = "tampered" if self.result.get("gave_up") else "died"
            obs = {"outcome": outcome, "error": f"the kernel {reason}."}
            seen.extend([obs] * (len(question["cases"]) - len(seen)))


def _error_observation(error: dict, name: str) -> dict:
    ename = short_text(error.get("ename", "Error"), 80)
    evalue = short_text(error.get("evalue", ""))
    if ename == TIMEOUT_ENAME:
        return {"outcome": "timeout"}
    if ename == "NameError" and evalue == f"name '{name}' is not defined":
        return {"outcome": "missing"}
    return {"outcome": "error", "error_type": ename, "error": f"{ename}: {evalue}"}


def _marked_lines(cell, nonce: str) -> list[str]:
    text = "".join(
        out.get("text", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )
    prefix = f"{nonce} "
    return [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]


def main(argv: list[str] | None = None) -> int:
    _not_dumpable()
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m course_utils.grading.sandbox.runner FD < JOB.json", file=sys.stderr)
        return 2
    fd = int(argv[0])
    os.set_inheritable(fd, False)
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    sys.stdin.close()
    result = Run(job).execute()
    with os.fdopen(fd, "w", encoding="utf-8") as channel:
        channel.write(json.dumps({"token": job["token"], "result": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
