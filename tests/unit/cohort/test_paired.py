"""Paired comparison: one patient, two courses, the same draws."""

import numpy as np
import pytest

from dermasim import simulate
from dermasim.cohort import paired_difference

MN = "4 x microneedling 1.5 mm every 30 days"


def test_the_paired_difference_is_the_difference_of_the_same_draws():
    d = paired_difference(MN, "1 x microneedling 0.5 mm", draws=30, day=120)
    a = simulate(MN, days=120, draws=30, at=[120]).dataset["collagen_density"].sel(time=120)
    b = simulate("1 x microneedling 0.5 mm", days=120, draws=30, at=[120])
    expected = a.values - b.dataset["collagen_density"].sel(time=120).values
    np.testing.assert_array_equal(d.difference, expected)
    out = d.to_json_dict()
    assert out["p05"] <= out["median"] <= out["p95"]
    assert out["p_better"] == pytest.approx(np.mean(expected > 0) + 0.5 * np.mean(expected == 0))


def test_a_course_against_itself_is_a_tie():
    d = paired_difference(MN, MN, draws=10, day=60)
    assert np.all(d.difference == 0) and d.p_better == 0.5


def test_lower_is_better_flips_the_probability():
    higher = paired_difference(MN, "none", draws=10, day=60)
    lower = paired_difference(MN, "none", draws=10, day=60, better="lower")
    assert higher.p_better == 1.0 and lower.p_better == 0.0
