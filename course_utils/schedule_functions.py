"""The old name of :mod:`course_utils.schedules.functional` (learning rate at step t), kept so
that ``from course_utils.schedule_functions import cosine_annealing_lr`` still works. It defines
nothing: import from ``course_utils.schedules.functional`` in new code.
"""

from .schedules.functional import *  # noqa: F403
from .schedules.functional import __all__  # noqa: F401
