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


def _ag1_noise_sd() -> float:
    """AG-1's standard deviation around the prediction in the calibration (sd and tau)."""
    from dermasim.calibration.likelihood import CalibrationProblem

    problem = CalibrationProblem()
    row = next(e for e in problem.evidence.endpoints if e.id == "AG-1")
    return problem.noise_sd(row)


@pytest.mark.parametrize("age", [30, 45, 60, 75])
def test_untreated_decline_at_each_age_row_ag1(age):
    """AG-1 (Shuster1975): about -1% per year. At each adult age, -1 lies inside the 90%
    posterior predictive interval, with the measurement error and heterogeneity that the
    calibration gives the row (evidence.toml: sd 0.3 %/year, tau 0.3 %/year)."""
    sol = Simulation(protocol=Protocol(), patient=Patient(age=age)).run(days=365, draws=1000)
    rate = sol.dataset["collagen_density"].sel(time=365).values
    noise = np.random.default_rng(age).normal(0.0, _ag1_noise_sd(), rate.size)
    p05, p95 = np.quantile(rate + noise, [0.05, 0.95])
    assert p05 <= -1.0 <= p95


def test_untreated_decline_over_adulthood_row_ag1():
    """AG-1 read as a linear loss of about 1% of adult content per year from 25 to 75."""
    young = Simulation(protocol=Protocol(), patient=Patient(age=25)).run(days=1, draws=1000)
    old = Simulation(protocol=Protocol(), patient=Patient(age=75)).run(days=1, draws=1000)
    loss = (
        young.dataset["collagen_content"].sel(time=0).values
        - old.dataset["collagen_content"].sel(time=0).values
    ) / 50.0  # percentage points of young-adult content per year (same draws: paired)
    noise = np.random.default_rng(0).normal(0.0, _ag1_noise_sd(), loss.size)
    p05, p95 = np.quantile(loss + noise, [0.05, 0.95])
    assert p05 <= 1.0 <= p95
    assert 0.5 <= np.median(loss) <= 2.0
