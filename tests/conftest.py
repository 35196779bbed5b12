import os

os.environ.setdefault("MPLBACKEND", "Agg")
from course_utils.threads import THREAD_ENV  # noqa: E402

for _var, _value in THREAD_ENV.items():
    os.environ.setdefault(_var, _value)
