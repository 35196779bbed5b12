"""Auto-grading of submitted notebooks (the ``course-grade`` command).

Trust design, outside in:

* ``cli`` / ``grader`` / ``report`` run in the trusted parent process. The parent validates the
  submitted file, copies a sanitised notebook into a fresh temp dir, starts the sandbox as a
  child process, reads back *only JSON plain data*, and judges every case itself against the
  references from ``course_utils.specs``. Scores are computed here and nowhere else.
* ``sandbox`` runs in the untrusted child process: it executes the notebook in a Jupyter kernel
  and writes what it observed (cell errors, one observation per test case) as JSON.
* ``probe`` runs inside the student's kernel, next to the student's code: it calls the graded
  names on the test inputs and prints the observations.

This package never imports plotting or widget libraries, and this ``__init__`` imports nothing,
because the probe imports it inside the student's kernel.
"""
