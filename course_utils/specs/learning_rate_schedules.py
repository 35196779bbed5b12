"""Spec for exercise set 05: learning-rate schedules.

Redesigned for issue 21 (exercises that test understanding, not transcription): lecture 05 shows
every schedule through ``course_utils.schedules`` with its formula in a panel title, so the set asks
for what that teaching makes possible but does not show:

1. ``warm_restarts_lrs`` (variant, 3): the whole schedule of cosine annealing with warm restarts,
   built from the lecture's cosine (``_warm_restarts.py``);
2. ``which_loop`` (diagnosis, 2): which misplaced ``scheduler.step()`` produced a logged run
   (``_which_loop.py``);
3. ``steps_to_floor`` (prediction, 3): how many steps a constant step needs to reach §3's noise
   floor, in closed form, then measured in the solution notebook (``_steps_to_floor.py``);
4. ``range_test_verdict`` (diagnosis, 2): whether a range test's curve (§6) can be read, or the
   sweep must be rerun to larger or from smaller rates (``_range_test_verdict.py``).

Each part lives in its private module (the registry skips names starting with ``_``). The
schedule questions name their off-by-one Mistakes (tests/test_checks.py holds them to it).
"""

from __future__ import annotations

from ._range_test_verdict import RANGE_TEST_VERDICT
from ._steps_to_floor import STEPS_TO_FLOOR
from ._warm_restarts import WARM_RESTARTS
from ._which_loop import WHICH_LOOP
from .base import Assignment

ASSIGNMENT = Assignment(
    id="05_learning_rate_schedules",
    title="Learning-rate schedules",
    questions=(WARM_RESTARTS, WHICH_LOOP, STEPS_TO_FLOOR, RANGE_TEST_VERDICT),
)
