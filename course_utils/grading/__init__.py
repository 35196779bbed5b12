"""Auto-grading of submitted notebooks (the ``course-grade`` command), split by concern.

Trusted parent (references, hidden cases and scores live here only):
``cli`` (the command), ``submission`` (find and read files safely), ``grader`` (one submission,
one grading run's ``Session``), ``scoring`` (case inputs from a secret seed; judge; points),
``report`` (results.json, feedback.md, grades.csv), ``summary`` (summary.csv / .png),
``isolation`` (scratch folder, environment, limits, kill; strategies ``Bubblewrap`` and ``Plain``),
``view`` (the read-only library copy the sandbox may import).

Untrusted child, in the sandbox (imports nothing of the above): ``runner`` (runs the notebook in
a kernel, evaluates each case), ``probe`` (inside the kernel), ``payload`` (case inputs, decoded
inside the kernel). This ``__init__`` imports nothing: the child imports it too.
"""
