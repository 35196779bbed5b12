"""What runs INSIDE the sandbox, and nothing else: copied whole into every sandbox's view.

``runner`` (the child: runs the notebook in a kernel, evaluates each case), ``probe`` (the helpers
the evaluation cells call inside the student's kernel) and ``payload`` (case inputs, encoded by the
grader and decoded in the kernel). Nothing here holds a reference, an expected value or a
tolerance, and nothing here imports the trusted side of ``grading``, ``specs`` or ``judging``.
"""
