"""Lecture 01's explorer after the fourth referee read (rj01, point L9): on a 2-D objective the
path panel has equal axis scales (so a GD step is drawn normal to its level set, as §2 teaches)
and its title writes the lectures' κ."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.objectives import Quadratic  # noqa: E402
from course_utils.widgets import learning_rate_explorer  # noqa: E402


def test_path_panel_has_equal_scales_and_writes_kappa_as_a_symbol():
    quad = Quadratic([1.0, 10.0], angle=np.pi / 6)
    explorer = learning_rate_explorer(quad, x0=[-4.0, -1.5], lr_min=0.005, lr_max=0.5, lr=0.1)
    path = explorer.figure.axes[0]
    assert path.get_aspect() == 1.0
    assert "κ = 10" in path.get_title() and "kappa" not in path.get_title()
    plt.close("all")
