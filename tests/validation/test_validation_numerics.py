"""Slow validation runs (``make validate``): numerical convergence and Monte-Carlo error.

These take minutes, so ``make test`` skips them (marker ``slow``).
"""

import numpy as np
import pytest

from dermasim import Patient, Protocol, Simulation, SolverOptions

pytestmark = pytest.mark.slow

PROTOCOLS = ("microneedling-4-monthly", "pn-standard", "ha-filler-single", "pn-plus-microneedling")


@pytest.mark.parametrize("name", PROTOCOLS)
def test_default_tolerance_is_converged(name):
    """Default tolerances agree with a 100x tighter solve to 0.05 percentage points."""
    protocol = Protocol.load(name)
    default = Simulation(protocol=protocol).run(days=730, draws=100, seed=1)
    tight = Simulation(protocol=protocol, solver=SolverOptions(rtol=1e-7, atol=1e-10)).run(
        days=730, draws=100, seed=1
    )
    for endpoint in ("collagen_density", "collagen_I", "collagen_III", "elastin"):
        diff = np.abs(default.dataset[endpoint].values - tight.dataset[endpoint].values).max()
        assert diff < 0.05, (endpoint, diff)


def test_two_hundred_draws_resolve_the_median():
    """The default 200 draws give a median within 10% of the interval width of 2000 draws."""
    sim = Simulation(protocol=Protocol.load("microneedling-4-monthly"))
    many = sim.run(days=200, draws=2000, seed=5)
    few = sim.run(days=200, draws=200, seed=6)
    q_many = many.quantiles("collagen_density", at=[180])[:, 0]
    q_few = few.quantiles("collagen_density", at=[180])[:, 0]
    width = q_many[2] - q_many[0]
    assert abs(q_few[1] - q_many[1]) < 0.1 * width


@pytest.mark.parametrize(
    "age",
    [
        30,
        45,
        60,
        pytest.param(
            75,
            marks=pytest.mark.xfail(
                reason="known: from about 70 years the prior predicts -1.1 to -2.9 %/year, "
                "faster than AG-1; to be settled by calibration",
                strict=False,
            ),
        ),
    ],
)
def test_untreated_decline_at_each_age_row_ag1(age):
    """AG-1 (Shuster1975): about -1% per year; the 90% interval holds it at each age."""
    sol = Simulation(protocol=Protocol(), patient=Patient(age=age)).run(days=365, draws=1000)
    p05, _median, p95 = sol.quantiles("collagen_density", at=[365])[:, 0]
    assert p05 <= -1.0 <= p95


def test_untreated_decline_over_adulthood_row_ag1():
    """AG-1 read as a linear loss of about 1% of adult content per year from 25 to 75."""
    young = Simulation(protocol=Protocol(), patient=Patient(age=25)).run(days=1, draws=1000)
    old = Simulation(protocol=Protocol(), patient=Patient(age=75)).run(days=1, draws=1000)
    loss = (
        young.dataset["collagen_content"].sel(time=0).values
        - old.dataset["collagen_content"].sel(time=0).values
    ) / 50.0  # percentage points of young-adult content per year (same draws: paired)
    p05, p50, p95 = np.quantile(loss, [0.05, 0.5, 0.95])
    assert p05 <= 1.0 <= p95
    assert 0.5 <= p50 <= 2.0
