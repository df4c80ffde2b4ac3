"""The sampler run: reproducible, resumable from a checkpoint, with clear errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dermasim.calibration.fit import calibrate
from dermasim.calibration.likelihood import CalibrationProblem
from dermasim.errors import DermasimError
from dermasim.parameters.posterior import Posterior

TINY = CalibrationProblem(fit=("synthesis_decline_per_year",)).subset(["AG-1", "AG-3"])


def test_same_seed_same_draws_and_workers_do_not_matter() -> None:
    a = calibrate(TINY, steps=6, seed=3, workers=1)
    b = calibrate(TINY, steps=6, seed=3, workers=2)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert a.draws.shape == (3 * a.metadata["walkers"], TINY.ndim)


def test_interrupted_run_resumes_to_the_same_chain(tmp_path) -> None:
    checkpoint = tmp_path / "checkpoint.npz"
    whole = calibrate(TINY, steps=8, seed=1, workers=1)
    calibrate(TINY, steps=4, seed=1, workers=1, checkpoint=checkpoint, checkpoint_every=2)
    assert checkpoint.is_file()
    resumed = calibrate(TINY, steps=8, seed=1, workers=1, checkpoint=checkpoint)
    np.testing.assert_array_equal(resumed.draws, whole.draws)


def test_checkpoint_of_another_problem_is_refused(tmp_path) -> None:
    checkpoint = tmp_path / "checkpoint.npz"
    calibrate(TINY, steps=2, seed=1, workers=1, checkpoint=checkpoint, checkpoint_every=1)
    with pytest.raises(DermasimError, match="belongs to another calibration"):
        calibrate(TINY, steps=4, seed=2, workers=1, checkpoint=checkpoint)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"steps": 0}, "steps"),
        ({"walkers": 3}, "walkers"),
        ({"seed": -1}, "seed"),
        ({"chains": 0}, "chains"),
    ],
)
def test_bad_settings_name_the_field(kwargs, field) -> None:
    with pytest.raises(DermasimError, match=f"^{field} = "):
        calibrate(TINY, **kwargs)


def test_a_run_can_start_from_given_walkers(tmp_path) -> None:
    """``start`` places the initial ensemble (a refit starts from the full posterior); a
    checkpoint of a run from other walkers is not resumed; a wrong shape is refused."""
    walkers = 2 * TINY.ndim + 2
    start = np.full((walkers, TINY.ndim), 1.5) + 0.01 * np.arange(walkers)[:, None]
    result = calibrate(TINY, steps=2, seed=1, workers=1, thin=1, start=start)
    u = TINY.to_u(dict(zip(result.names, result.draws.T, strict=True)))
    # draws are values; in whitened coordinates the kept step is near where the walkers began
    assert np.max(np.abs(u - 1.5)) < 0.5
    checkpoint = tmp_path / "checkpoint.npz"
    calibrate(TINY, steps=2, seed=1, workers=1, checkpoint=checkpoint, start=start)
    with pytest.raises(DermasimError, match="belongs to another calibration"):
        calibrate(TINY, steps=4, seed=1, workers=1, checkpoint=checkpoint)
    with pytest.raises(DermasimError, match=r"^start of shape \(3, 1\) is not valid"):
        calibrate(TINY, steps=2, workers=1, start=np.zeros((3, 1)))


def test_chains_are_independent_ensembles_pooled_with_diagnostics(tmp_path) -> None:
    """Chain k has seed + k: the first chain is the single-chain run, the second that run
    with the next seed; each resumes from its own checkpoint."""
    pytest.importorskip("arviz")
    checkpoint = tmp_path / "checkpoint.npz"
    both = calibrate(TINY, steps=8, seed=1, chains=2, workers=1, checkpoint=checkpoint, thin=1)
    assert checkpoint.is_file() and (tmp_path / "checkpoint-chain1.npz").is_file()
    first = calibrate(TINY, steps=8, seed=1, workers=1, thin=1)
    second = calibrate(TINY, steps=8, seed=2, workers=1, thin=1)
    np.testing.assert_array_equal(both.draws, np.vstack([first.draws, second.draws]))
    meta = both.metadata
    assert meta["chains"] == 2 and meta["seeds"] == [1, 2]
    diag = meta["convergence"]
    assert diag["chains"] == 2 and diag["draws_per_chain"] == 4 * meta["walkers"]
    assert set(diag["rhat"]) == set(TINY.names)
    assert not diag["meets_thresholds"]  # two chains of four kept steps show nothing
    again = calibrate(TINY, steps=8, seed=1, chains=2, workers=1, checkpoint=checkpoint, thin=1)
    np.testing.assert_array_equal(again.draws, both.draws)  # resumed from both checkpoints


def test_saved_draws_load_as_a_posterior(tmp_path) -> None:
    result = calibrate(TINY, steps=4, seed=0, workers=1)
    path = result.save(tmp_path / "posterior.npz")
    posterior = Posterior.from_file(path)
    assert posterior.fitted == ("synthesis_decline_per_year",)
    draws = posterior.sample(100, np.random.default_rng(0))
    stored = set(result.draws[:, 0])
    assert set(draws["synthesis_decline_per_year"]) <= stored
    assert posterior.metadata["steps"] == 4


def test_progress_counts_every_step_once(tmp_path) -> None:
    seen: list[tuple[int, int]] = []
    calibrate(
        TINY,
        steps=7,
        seed=0,
        workers=1,
        checkpoint=tmp_path / "c.npz",
        checkpoint_every=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(k, 7) for k in range(1, 8)]


_KILLED_RUN = """
from dermasim.calibration.fit import calibrate
from dermasim.calibration.likelihood import CalibrationProblem
problem = CalibrationProblem(fit=("synthesis_decline_per_year",)).subset(["AG-1", "AG-3"])
calibrate(problem, steps=100000, seed=0, workers=2)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_a_calibration_leaves_no_worker_alive(processes) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_RUN])
    try:
        workers = processes.wait_for_children(proc.pid, 2)
        assert len(workers) >= 2, "the pool never started"
        assert not processes.kill_and_survivors(proc, workers, timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
