"""Between-patient variability: the bounded random effect and the spreads of the records."""

import re

import numpy as np
import pytest

from dermasim.errors import ParameterError
from dermasim.parameters import Parameter, ParameterSet, load_parameters
from dermasim.parameters.variability import (
    individual_values,
    spread_for_cv,
    to_bounded,
    to_real_line,
)
from dermasim.references import load_evidence

PS = ParameterSet.load("default")


def test_the_transform_round_trips_and_a_patient_stays_within_bounds():
    x = np.array([0.0004, 0.003, 0.02, 0.0299])
    np.testing.assert_allclose(to_bounded(to_real_line(x, 0.0003, 0.03), 0.0003, 0.03), x)
    z = np.random.default_rng(0).standard_normal(10_000)
    own = individual_values(np.full(z.shape, 0.003), 1.5, z, (0.0003, 0.03))
    assert own.min() > 0.0003 and own.max() < 0.03
    # the draw is the median patient's value
    assert np.median(own) == pytest.approx(0.003, rel=0.03)
    np.testing.assert_array_equal(
        individual_values(np.array([0.003]), 0.5, 0.0, (0.0003, 0.03)), 0.003
    )


@pytest.mark.parametrize(
    ("cv", "value", "bounds"), [(0.17, 0.0036, (0.0003, 0.03)), (0.3, 23, (5, 72))]
)
def test_spread_for_cv_gives_that_coefficient_of_variation(cv, value, bounds):
    sigma = spread_for_cv(cv, value, bounds)
    z = np.random.default_rng(1).standard_normal(200_000)
    own = individual_values(np.full(z.shape, value), sigma, z, bounds)
    # delta method: first order, so within a tenth at these spreads
    assert np.std(own) / value == pytest.approx(cv, rel=0.1)


def test_a_spread_without_its_evidence_rows_is_refused():
    record = {
        "value": 0.5,
        "unit": "1",
        "bounds": [0.1, 1.0],
        "prior": {"distribution": "uniform"},
        "evidence": "assumed",
        "note": "no measurement found; wide prior",
        "population_sd": 0.2,
    }
    with pytest.raises(
        ParameterError, match=r"population_rows = \[\] .*population_rows = \['AG-4'\]"
    ):
        Parameter.from_record("x", record)
    assert Parameter.from_record("x", {**record, "population_rows": ["AG-4"]}).population_rows == (
        "AG-4",
    )


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def _row(row_id: str) -> dict[str, str]:
    return next(r for r in load_evidence("physiology") if r["id"] == row_id)


def test_derivation_check_deposition_spread_is_the_between_donor_cv_of_ag4():
    """Reads back the numbers the spread was derived from (a derivation check, not agreement)."""
    row = _row("AG-4")
    young, old = _numbers(row["value"])
    sd_young, sd_old = _numbers(row["spread_or_range"])
    cv = float(np.sqrt(((sd_young / young) ** 2 + (sd_old / old) ** 2) / 2))
    record = PS["activated_deposition_rate"]
    median = float(np.median(load_parameters("posterior").draws["activated_deposition_rate"]))
    assert record.population_rows == ("AG-4",)
    assert record.population_sd == pytest.approx(spread_for_cv(cv, median, record.bounds), abs=0.01)


def test_derivation_check_channel_closure_spread_is_the_between_people_cv_of_mc6():
    row = _row("MC-6")
    low_mean, high_mean = _numbers(row["value"])
    low_sd, high_sd = _numbers(row["spread_or_range"])
    cv = ((low_sd + high_sd) / 2) / ((low_mean + high_mean) / 2)
    record = PS["occluded_channel_closure_half_life_h"]
    assert record.population_rows == ("MC-6",)
    assert record.population_sd == pytest.approx(
        spread_for_cv(cv, record.value, record.bounds), abs=0.02
    )
