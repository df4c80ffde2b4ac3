"""Convergence diagnostics across independent ensembles (dermasim.calibration.diagnostics)."""

import numpy as np
import pytest

pytest.importorskip("arviz")

from dermasim.calibration.diagnostics import MAX_RHAT, MIN_ESS, convergence

NAMES = ("a", "b")


def _ensembles(shift: float, chains: int = 4, steps: int = 400, walkers: int = 10):
    rng = np.random.default_rng(0)
    return [rng.standard_normal((steps, walkers, 2)) + shift * k for k in range(chains)]


def test_independent_draws_from_one_distribution_meet_the_thresholds():
    result = convergence(_ensembles(0.0), NAMES)
    assert result is not None
    assert result["chains"] == 4 and result["draws_per_chain"] == 4000
    assert result["max_rhat"] < MAX_RHAT
    assert result["min_ess_bulk"] > MIN_ESS and result["min_ess_tail"] > MIN_ESS
    assert result["meets_thresholds"]
    assert set(result["rhat"]) == set(NAMES)


def test_ensembles_that_settled_apart_fail_rhat():
    result = convergence(_ensembles(0.5), NAMES)
    assert result is not None
    assert result["max_rhat"] > 1.05
    assert not result["meets_thresholds"]


def test_fewer_than_four_chains_never_meet_the_thresholds():
    result = convergence(_ensembles(0.0, chains=2), NAMES)
    assert result is not None and result["max_rhat"] < MAX_RHAT
    assert not result["meets_thresholds"]


def test_a_single_chain_gives_no_diagnostics():
    assert convergence(_ensembles(0.0, chains=1), NAMES) is None


def test_a_stuck_walker_sequence_lowers_ess():
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.standard_normal((400, 10, 2)), axis=0) * 0.05  # strongly correlated
    fresh = convergence(_ensembles(0.0), NAMES)
    slow = convergence([walk + rng.standard_normal((1, 10, 2)) for _ in range(4)], NAMES)
    assert slow is not None and fresh is not None
    assert slow["min_ess_bulk"] < fresh["min_ess_bulk"] / 10


def test_stored_draws_split_back_into_their_chains():
    """calibrate stores chain after chain, each its thinned kept steps, walkers within a
    step (fit._result): by_chain undoes exactly that layout."""
    from dermasim.calibration.diagnostics import by_chain

    chains, steps, walkers, thin = 4, 10, 3, 4
    kept = np.arange(chains * steps * walkers, dtype=float).reshape(chains, steps, walkers)
    stored = np.concatenate([k[::thin].reshape(-1) for k in kept])  # 3 steps per chain
    meta = {"chains": chains, "walkers": walkers, "kept_steps": steps, "thin": thin}
    split = by_chain({"a": stored}, meta)["a"]
    assert split.shape == (chains, 3 * walkers)
    for c in range(chains):
        np.testing.assert_array_equal(split[c], kept[c, ::thin].reshape(-1))
    assert by_chain({"a": stored[:-1]}, meta) is None  # does not add up
    assert by_chain({"a": stored}, {"chains": 4}) is None  # not written by calibrate


def test_the_bundled_posterior_splits_into_four_chains():
    from dermasim.calibration.diagnostics import by_chain
    from dermasim.parameters.posterior import Posterior

    posterior = Posterior.load()
    split = by_chain(posterior.draws, posterior.metadata)
    assert split is not None
    assert {v.shape[0] for v in split.values()} == {4}
