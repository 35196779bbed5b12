"""The thread-count environment variables of the course, in one place.

One thread each for numpy's BLAS and torch: on 2 cores the two pools fight (10x slower) and
results change in the last digits with the thread count. This module imports nothing, so
``course.py`` can load it by path before the virtual environment (and numpy) exists.
"""

THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
THREAD_VARS = tuple(THREAD_ENV)
