"""Topical serum in whole simulations: what it adds to microneedling, draw by draw."""

import numpy as np
import pytest

from dermasim import Protocol, Simulation

NEEDLING = "4 x microneedling 1.5 mm every 30 days"
DAYS = 200


def collagen(spec: str, draws: int = 100) -> np.ndarray:
    sol = Simulation(Protocol.load(spec)).run(days=DAYS, draws=draws, seed=0)
    return sol.dataset["collagen_density"].sel(time=180.0).values


@pytest.fixture(scope="module")
def needling_alone():
    return collagen(NEEDLING)


def test_serum_after_needling_never_lowers_collagen_and_raises_it_in_most_draws(
    needling_alone,
):
    with_serum = collagen("microneedling-growth-factor-serum")
    gain = with_serum - needling_alone  # the same draws: one virtual skin each
    assert gain.min() > -1e-6
    assert np.mean(gain > 0.1) > 0.5  # more than 0.1 percentage points in most draws


def test_serum_on_intact_skin_does_nothing():
    """The bundled serum's EGF has no intact-skin route: alone it equals no treatment."""
    np.testing.assert_allclose(
        collagen("4 x topical every 30 days", draws=20),
        collagen("no treatment", draws=20),
        rtol=0,
        atol=1e-9,
    )


def test_a_delay_after_needling_shrinks_the_serums_gain(needling_alone):
    at_once = collagen("microneedling-growth-factor-serum") - needling_alone
    after_4h = collagen(f"{NEEDLING}; 4 x topical 4 h after needling every 30 days")
    assert np.median(after_4h - needling_alone) < np.median(at_once)
