"""The bundled posterior and how parameters are chosen."""

from __future__ import annotations

import numpy as np
import pytest

from dermasim.calibration.likelihood import DEFAULT_FIT
from dermasim.errors import ParameterError
from dermasim.parameters import ParameterSet
from dermasim.parameters.posterior import Posterior, load_parameters


@pytest.fixture(scope="module")
def posterior() -> Posterior:
    return Posterior.load()


def test_bundled_posterior_is_small_and_complete(posterior) -> None:
    from importlib import resources

    path = resources.files("dermasim") / "data" / "posterior" / "default.npz"
    assert path.stat().st_size < 5_000_000  # type: ignore[attr-defined]
    assert set(posterior.fitted) == set(DEFAULT_FIT)
    assert posterior.n_draws >= 1000
    for name, draws in posterior.draws.items():
        assert np.all(np.isfinite(draws)), name
    for name in posterior.fitted:
        lo, hi = posterior[name].bounds
        assert np.all((posterior.draws[name] >= lo) & (posterior.draws[name] <= hi)), name


def test_sampling_keeps_joint_rows_and_priors_for_the_rest(posterior) -> None:
    draws = posterior.sample(300, np.random.default_rng(4))
    table = np.column_stack([posterior.draws[n] for n in posterior.fitted])
    sampled = np.column_stack([draws[n] for n in posterior.fitted])
    rows = {tuple(r) for r in table}
    assert all(tuple(r) in rows for r in sampled)  # whole rows: correlations kept
    unfitted = [n for n in posterior if n not in posterior.fitted]
    assert unfitted and set(draws) == set(posterior)
    for name in unfitted:
        lo, hi = posterior[name].bounds
        assert np.all((draws[name] >= lo) & (draws[name] <= hi))
        if posterior[name].prior.distribution != "uniform" or hi > lo:
            assert np.std(draws[name]) > 0


def test_same_seed_same_draws(posterior) -> None:
    a = posterior.sample(50, np.random.default_rng(9))
    b = posterior.sample(50, np.random.default_rng(9))
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_point_uses_posterior_medians(posterior) -> None:
    point = posterior.point(2)
    for name in posterior.fitted:
        assert point[name][0] == pytest.approx(np.median(posterior.draws[name]))


def test_parameter_choices() -> None:
    assert isinstance(load_parameters(), Posterior)
    assert load_parameters("posterior").name == "posterior:default"
    prior = load_parameters("prior")
    assert type(prior) is ParameterSet and prior.kind == "prior draws"
    with pytest.raises(ParameterError, match=r"^parameters = 'nope'"):
        load_parameters("nope")
    with pytest.raises(ParameterError, match=r"an existing posterior \.npz file"):
        load_parameters("missing.npz")


def test_broken_posterior_files_give_one_clear_error(tmp_path) -> None:
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ParameterError, match="cannot be read"):
        Posterior.from_file(truncated)
    mismatched = tmp_path / "mismatched.npz"
    np.savez(
        mismatched,
        names=np.array(["needle_coverage"]),
        draws=np.ones((3, 2)),
        metadata=np.array("{}"),
    )
    with pytest.raises(ParameterError, match=r"draws of shape .* for 1 names"):
        Posterior.from_file(mismatched)
    unknown = tmp_path / "unknown.npz"
    np.savez(unknown, names=np.array(["no_such"]), draws=np.ones((3, 1)), metadata=np.array("{}"))
    with pytest.raises(ParameterError, match="no_such"):
        Posterior.from_file(unknown)
    outside = tmp_path / "outside.npz"
    np.savez(
        outside,
        names=np.array(["needle_coverage"]),
        draws=np.full((3, 1), 5.0),
        metadata=np.array("{}"),
    )
    with pytest.raises(ParameterError, match="finite and within"):
        Posterior.from_file(outside)
