"""Auto-grading of submitted notebooks (the ``course-grade`` command), split by concern.

Trusted parent (references, hidden cases and scores live here only):
``cli`` (the command), ``submission`` (find and read files safely), ``grader`` (one submission,
one grading run's ``Session``), ``scoring`` (case inputs from a secret seed; judge; points),
``report`` (results.json, feedback.md, grades.csv), ``summary`` (summary.csv / .png),
``isolation`` (environment, limits, kill; strategies ``Bubblewrap`` and ``Plain``), ``caps``
(the watchdog: memory, processes and files across a whole sandbox), ``uids`` (sandbox user ids
leased from a reserved range), ``gradescope`` (packs an assignment for Gradescope), ``view`` (the read-only library copy the sandbox may import, and the one list that classifies
every module of ``course_utils`` as allowed in the sandbox or grader-only).

Untrusted child, the folder ``sandbox/`` (copied whole into the view; imports nothing of the
above): ``runner`` (runs the notebook in a kernel, evaluates each case), ``probe`` (inside the
kernel), ``payload`` (case inputs, decoded inside the kernel). In the view this ``__init__`` is
replaced by an empty stand-in.
"""
