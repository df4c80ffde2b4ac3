"""The fitted set covers every parameter that matters for the headline predictions.

A Sobol screen (total-order indices over every model parameter within its prior) of the
headline endpoints: any parameter carrying at least 5% of a headline endpoint's predictive
variance must be fitted or have a prior set from evidence. Slow (about a minute).
"""

import pytest

pytest.importorskip("SALib")

from dermasim.calibration.likelihood import DEFAULT_FIT
from dermasim.calibration.screen import HEADLINE_TARGETS, screen_fitted_set

pytestmark = pytest.mark.slow


def test_every_influential_parameter_is_fitted_or_set_from_evidence():
    screen = screen_fitted_set(n=1024, seed=0)
    assert screen.targets == HEADLINE_TARGETS
    assert screen.influential(), "a screen that finds nothing influential measures nothing"
    assert screen.uninformed() == (), screen.rows()


def test_the_screen_flags_a_parameter_left_out_of_the_fit():
    """Dropping the most influential fitted parameter from the fitted set is caught."""
    screen = screen_fitted_set(HEADLINE_TARGETS[:1], n=256, seed=1)
    top = screen.influential()[0]
    assert top in DEFAULT_FIT
    without = screen_fitted_set(
        HEADLINE_TARGETS[:1], fitted=[n for n in DEFAULT_FIT if n != top], n=256, seed=1
    )
    assert top in without.uninformed()
