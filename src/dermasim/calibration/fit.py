"""Bayesian calibration with the affine-invariant ensemble sampler of emcee.

Why emcee: the likelihood needs an ODE solve of every evidence scenario and has no
gradients in the default SciPy backend, so gradient-based samplers (NUTS in numpyro, or
pyPESTO's optimisers with AMICI sensitivities) would need a second, differentiable model
implementation. emcee needs only log-posterior values, evaluates a whole ensemble of walkers
per step (one batched ODE solve for all walkers and all scenarios), is invariant to affine
rescaling of the parameters, and is a small, well-kept pure-Python dependency. The price is
slower mixing in high dimension; the run records the acceptance fraction and integrated
autocorrelation times so that users can judge it.

The run is resumable: every ``checkpoint_every`` steps the chain so far, the walkers' last
positions and the sampler's random state are written atomically to a checkpoint file, and a
run started with the same problem, seed and walker count continues from it with the same
random stream as an uninterrupted run. Ctrl-C is held until the current step ends; then
every completed step is saved before the run stops.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DermasimError, check_integer
from ..storage import atomic_write
from ..workers import die_with_parent, ignore_interrupts
from .likelihood import CalibrationProblem

__all__ = ["CalibrationResult", "calibrate"]

logger = logging.getLogger("dermasim")

#: Fewer kept steps than this give no estimate of the autocorrelation time.
MIN_STEPS_FOR_AUTOCORRELATION = 20

#: The ensemble is always evaluated in this many chunks, whatever the number of worker
#: processes, so that results do not depend on ``workers`` (the batched integrator's step
#: sizes depend on the rows integrated together).
CHUNKS = 2

_WORKER_PROBLEM: CalibrationProblem | None = None


def _init_worker(problem: CalibrationProblem) -> None:
    global _WORKER_PROBLEM
    die_with_parent()  # a calibration killed with SIGKILL leaves no workers behind
    ignore_interrupts()  # Ctrl-C is the parent's to handle
    _WORKER_PROBLEM = problem


def _worker_log_posterior(u: np.ndarray) -> np.ndarray:
    assert _WORKER_PROBLEM is not None
    return _WORKER_PROBLEM.log_posterior(u)


@dataclass(frozen=True)
class CalibrationResult:
    """Posterior draws and diagnostics of a calibration run.

    Attributes
    ----------
    names
        Fitted parameter names (model parameters first, then observation parameters).
    draws
        Posterior draws ``(n_draws, n_params)`` in parameter units.
    log_posterior
        Log posterior of each draw.
    metadata
        Run settings and diagnostics (seed, steps, walkers, acceptance fraction,
        autocorrelation times, runtime, evidence ids).
    """

    names: tuple[str, ...]
    draws: np.ndarray
    log_posterior: np.ndarray
    metadata: dict[str, Any]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the draws as a compressed ``.npz`` file (atomically)."""

        def write(tmp: str) -> None:
            with open(tmp, "wb") as handle:
                np.savez_compressed(
                    handle,
                    names=np.array(self.names),
                    draws=self.draws.astype(np.float64),
                    log_posterior=self.log_posterior,
                    metadata=np.array(json.dumps(self.metadata, sort_keys=True)),
                )

        return atomic_write(path, write)


def _fingerprint(
    problem: CalibrationProblem, seed: int, walkers: int, start: np.ndarray | None = None
) -> str:
    """Hash of everything that shapes the chain: a checkpoint resumes only an identical run."""
    from .._version import version

    ev = problem.evidence
    text = repr(
        (
            version,
            problem.names,
            list(problem.model_parameters.records),
            problem.observation_records,
            ev.endpoints,
            sorted(ev.observables.items()),
            sorted((k, str(s.protocol), s.patient) for k, s in ev.scenarios.items()),
            seed,
            walkers,
            problem.virtual_patients,
        )
    )
    if start is not None:  # a run started from given walkers is another run
        text += hashlib.sha256(np.ascontiguousarray(start, dtype=float).tobytes()).hexdigest()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _evaluator(
    problem: CalibrationProblem, workers: int
) -> tuple[Callable[[np.ndarray], np.ndarray], ProcessPoolExecutor | None]:
    if workers <= 1:
        return (
            lambda u: np.concatenate([problem.log_posterior(c) for c in np.array_split(u, CHUNKS)]),
            None,
        )
    import multiprocessing

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(problem,),
    )
    return (
        lambda u: np.concatenate(list(pool.map(_worker_log_posterior, np.array_split(u, CHUNKS)))),
        pool,
    )


def _initial_ensemble(
    problem: CalibrationProblem,
    evaluate: Callable[[np.ndarray], np.ndarray],
    walkers: int,
    rng: np.random.Generator,
    pool_factor: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``walkers`` of ``pool_factor * walkers`` prior draws (whitened)."""
    candidates = rng.standard_normal((pool_factor * walkers, problem.ndim))
    lp = np.concatenate([evaluate(c) for c in np.array_split(candidates, pool_factor)])
    best = np.argsort(lp)[::-1][:walkers]
    return candidates[best], lp[best]


def calibrate(
    problem: CalibrationProblem | None = None,
    *,
    steps: int = 1500,
    walkers: int | None = None,
    seed: int = 0,
    chains: int = 1,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 25,
    workers: int | None = None,
    thin: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    start: np.ndarray | None = None,
) -> CalibrationResult:
    """Sample the posterior of the fitted parameters given the evidence.

    Parameters
    ----------
    problem
        The calibration problem; the bundled evidence and default fit by default.
    steps
        Ensemble steps per chain (the budget). The first half is discarded as burn-in.
    walkers
        Ensemble size; at least ``2 * ndim + 2`` (the default).
    seed
        Seed of the first chain's initial ensemble and sampler; chain ``k`` uses
        ``seed + k``.
    chains
        Independent ensembles, each started from its own prior draws. Their kept draws are
        pooled, and with ArviZ installed (the ``inference`` extra) the run's metadata holds
        R-hat and bulk and tail ESS of every parameter across them
        (:mod:`dermasim.calibration.diagnostics`); at least 4 are needed to judge
        convergence.
    checkpoint
        File to write progress to and resume from (``.npz``); None disables resuming. Chain
        ``k > 0`` uses the same name with ``-chain<k>`` before the suffix.
    checkpoint_every
        Steps between checkpoint writes.
    workers
        Processes evaluating the ensemble (default: up to 2, the CPU count).
    thin
        Keep every ``thin``-th step after burn-in (default: enough to keep at most 4000
        draws over all chains).
    progress
        Called as ``progress(done, total)`` after every step, counting all chains.
    start
        Initial walker positions in whitened coordinates, ``(walkers, ndim)``, for every
        chain (default: the best ``walkers`` of ``8 x walkers`` prior draws). A refit
        without one study starts from the full posterior's draws this way, which is close
        to where it ends, so that it needs a shorter burn-in.

    Returns
    -------
    CalibrationResult
    """
    problem = problem or CalibrationProblem()
    ndim = problem.ndim
    walkers = walkers if walkers is not None else 2 * ndim + 2
    walkers = check_integer("walkers", walkers, 2 * ndim + 2, 10_000, f"walkers = {2 * ndim + 2}")
    walkers += walkers % 2
    steps = check_integer("steps", steps, 2, 1_000_000, "steps = 1500")
    seed = check_integer("seed", seed, 0, 2**32 - 1 - 64, "seed = 0")
    chains = check_integer("chains", chains, 1, 64, "chains = 4")
    checkpoint_every = check_integer(
        "checkpoint_every", checkpoint_every, 1, 1_000_000, "checkpoint_every = 25"
    )
    if thin is not None:
        thin = check_integer("thin", thin, 1, steps, "thin = 10")
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    workers = check_integer("workers", workers, 1, 64, "workers = 2")
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != (walkers, ndim) or not np.isfinite(start).all():
            raise DermasimError(
                f"start of shape {start.shape} is not valid: allowed finite whitened "
                f"coordinates of shape ({walkers}, {ndim}) (walkers, fitted parameters); for "
                "example start = None"
            )
    started = time.perf_counter()

    evaluate, pool = _evaluator(problem, workers)
    runs: list[tuple[np.ndarray, np.ndarray]] = []
    try:
        for k in range(chains):

            def counted(done: int, _total: int, k: int = k) -> None:
                if progress is not None:
                    progress(k * steps + done, chains * steps)

            runs.append(
                _run_chain(
                    problem,
                    evaluate,
                    steps=steps,
                    walkers=walkers,
                    seed=seed + k,
                    checkpoint=chain_checkpoint(checkpoint, k),
                    checkpoint_every=checkpoint_every,
                    progress=counted,
                    initial=start,
                )
            )
    finally:
        if pool is not None:
            pool.shutdown()
    return _result(problem, runs, seed, thin, time.perf_counter() - started)


def chain_checkpoint(
    checkpoint: str | os.PathLike[str] | None, k: int
) -> str | os.PathLike[str] | None:
    """Checkpoint file of chain ``k``: the given file for chain 0, ``<stem>-chain<k><suffix>``
    beside it for the others."""
    if checkpoint is None or k == 0:
        return checkpoint
    path = Path(checkpoint)
    return path.with_name(f"{path.stem}-chain{k}{path.suffix}")


def _run_chain(
    problem: CalibrationProblem,
    evaluate: Callable[[np.ndarray], np.ndarray],
    *,
    steps: int,
    walkers: int,
    seed: int,
    checkpoint: str | os.PathLike[str] | None,
    checkpoint_every: int,
    progress: Callable[[int, int], None],
    initial: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One ensemble of ``steps`` steps, resumed from its checkpoint: ``(chain, log_prob)``."""
    import emcee

    ndim = problem.ndim
    fingerprint = _fingerprint(problem, seed, walkers, initial)
    chain = np.empty((0, walkers, ndim))
    chain_lp = np.empty((0, walkers))
    sampler = emcee.EnsembleSampler(walkers, ndim, evaluate, vectorize=True)
    resumed = _load_checkpoint(checkpoint, fingerprint)
    if resumed is not None:
        chain, chain_lp, random_state = resumed
        state = emcee.State(chain[-1], log_prob=chain_lp[-1], random_state=random_state)
        logger.info("resuming calibration (seed %d) at step %d of %d", seed, len(chain), steps)
    else:
        rng = np.random.default_rng(seed)
        if initial is None:
            coords, lp = _initial_ensemble(problem, evaluate, walkers, rng)
        else:
            coords, lp = initial.copy(), evaluate(initial)
        sampler.random_state = np.random.RandomState(seed).get_state()
        state = emcee.State(coords, log_prob=lp, random_state=sampler.random_state)
    start = len(chain)
    new_coords: list[np.ndarray] = []
    new_lp: list[np.ndarray] = []
    steps_iter = sampler.sample(state, iterations=max(steps - start, 0), store=False)
    done, saved_at = start, start
    step_state = sampler.random_state  # the generator as it was after the last whole step
    try:
        with _interrupt_between_steps() as interrupted:
            for k, current in enumerate(steps_iter, start=1):
                new_coords.append(current.coords.copy())
                new_lp.append(current.log_prob.copy())
                step_state = sampler.random_state
                done = start + k
                progress(done, steps)
                if interrupted():
                    raise KeyboardInterrupt
                if checkpoint is None or not (k % checkpoint_every == 0 or done == steps):
                    continue
                chain = np.concatenate([chain, np.array(new_coords)])
                chain_lp = np.concatenate([chain_lp, np.array(new_lp)])
                new_coords, new_lp = [], []
                _save_checkpoint(checkpoint, fingerprint, chain, chain_lp, step_state)
                saved_at = done
                logger.info(
                    "calibration (seed %d): step %d of %d saved to %s; median log posterior %.1f",
                    seed,
                    done,
                    steps,
                    checkpoint,
                    float(np.median(chain_lp[-1])),
                )
    except KeyboardInterrupt:  # keep every whole step, then stop as asked
        if checkpoint is not None and new_coords:
            chain = np.concatenate([chain, np.array(new_coords)])
            chain_lp = np.concatenate([chain_lp, np.array(new_lp)])
            _save_checkpoint(checkpoint, fingerprint, chain, chain_lp, step_state)
            logger.info(
                "calibration (seed %d) interrupted: steps %d to %d saved to %s",
                seed,
                saved_at + 1,
                done,
                checkpoint,
            )
        raise
    if new_coords:
        chain = np.concatenate([chain, np.array(new_coords)])
        chain_lp = np.concatenate([chain_lp, np.array(new_lp)])
    return chain[:steps], chain_lp[:steps]


@contextlib.contextmanager
def _interrupt_between_steps() -> Iterator[Callable[[], bool]]:
    """Hold a Ctrl-C that comes during an ensemble step until the step ends.

    Yields ``interrupted()``, true once Ctrl-C was pressed: the loop then saves every whole
    step and stops. An interrupt inside the likelihood would instead make emcee print a
    traceback of it; a second Ctrl-C interrupts at once. Outside the main thread (where no
    signal handler can be set) Ctrl-C acts as usual.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    pending: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        if pending:
            raise KeyboardInterrupt
        pending.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield lambda: bool(pending)
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _save_checkpoint(
    path: str | os.PathLike[str],
    fingerprint: str,
    chain: np.ndarray,
    chain_lp: np.ndarray,
    random_state: Any,
) -> None:
    """Save the chain so far and the generator's state after its last step."""
    _, key, pos, has_gauss, cached = random_state

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                fingerprint=np.array(fingerprint),
                chain=chain,
                log_prob=chain_lp,
                rng_key=key,
                rng_pos=np.array([pos, has_gauss]),
                rng_cached=np.array([cached]),
            )

    atomic_write(path, write)


def _load_checkpoint(
    path: str | os.PathLike[str] | None, fingerprint: str
) -> tuple[np.ndarray, np.ndarray, tuple[Any, ...]] | None:
    if path is None or not Path(path).is_file():
        return None
    with np.load(path) as data:
        if str(data["fingerprint"]) != fingerprint:
            raise DermasimError(
                f"checkpoint {os.fspath(path)!r} belongs to another calibration (different "
                "evidence, parameters, fit, seed, walkers or dermasim version); rerun with "
                "--restart to discard it, or choose another --out"
            )
        pos, has_gauss = (int(v) for v in data["rng_pos"])
        state = ("MT19937", data["rng_key"], pos, has_gauss, float(data["rng_cached"][0]))
        return data["chain"], data["log_prob"], state


def _result(
    problem: CalibrationProblem,
    runs: list[tuple[np.ndarray, np.ndarray]],
    seed: int,
    thin: int | None,
    runtime: float,
) -> CalibrationResult:
    import emcee

    from .diagnostics import MAX_RHAT, MIN_CHAINS, MIN_ESS, convergence

    n_steps, walkers, ndim = runs[0][0].shape
    burn = n_steps // 2
    kept = [chain[burn:] for chain, _ in runs]
    kept_lp = [lp[burn:] for _, lp in runs]
    n_kept = kept[0].shape[0]
    thin = thin or max(1, int(np.ceil(n_kept * walkers * len(runs) / 4000)))
    u = np.concatenate([k[::thin].reshape(-1, ndim) for k in kept])
    lp = np.concatenate([k[::thin].reshape(-1) for k in kept_lp])
    values = problem.to_values(u)
    draws = np.column_stack([values[n] for n in problem.names])
    tau = np.zeros(0)
    if n_kept >= MIN_STEPS_FOR_AUTOCORRELATION:
        with np.errstate(invalid="ignore", divide="ignore"):
            tau = np.max([emcee.autocorr.integrated_time(k, tol=0) for k in kept], axis=0)
    kept_over_tau = float(n_kept / np.max(tau)) if len(tau) and np.all(np.isfinite(tau)) else None
    if kept_over_tau is None or kept_over_tau < 50:
        length = "too short to estimate" if kept_over_tau is None else f"{kept_over_tau:.0f}"
        logger.warning(
            "the kept chain's length in integrated autocorrelation times is %s (emcee advises "
            "at least 50): a longer --budget gives a more reliable posterior",
            length,
        )
    diagnostics = convergence(kept, problem.names) if n_kept >= 4 else None
    if diagnostics is not None and not diagnostics["meets_thresholds"]:
        logger.warning(
            "convergence not shown: %d chains (at least %d needed), largest R-hat %.3f "
            "(below %.2f needed), smallest bulk/tail ESS %.0f/%.0f (at least %d needed)",
            diagnostics["chains"],
            MIN_CHAINS,
            diagnostics["max_rhat"],
            MAX_RHAT,
            diagnostics["min_ess_bulk"],
            diagnostics["min_ess_tail"],
            MIN_ESS,
        )
    moved = [np.any(np.diff(k, axis=0) != 0, axis=-1) for k in kept if k.shape[0] > 1]
    metadata = {
        "seed": seed,
        "chains": len(runs),
        "seeds": [seed + k for k in range(len(runs))],
        "steps": int(n_steps),
        "walkers": int(walkers),
        "burn_in_steps": int(burn),
        "thin": int(thin),
        "acceptance_fraction": float(np.mean(moved)) if moved else 0.0,
        "kept_steps": int(n_kept),
        "kept_over_autocorrelation": None if kept_over_tau is None else round(kept_over_tau, 1),
        "autocorrelation_steps": {n: float(t) for n, t in zip(problem.names, tau, strict=False)},
        "convergence": diagnostics,
        "fit": list(problem.fit),
        "observation_parameters": [r.name for r in problem.observation_records],
        "endpoints": [e.id for e in problem.evidence.endpoints],
        "runtime_seconds": round(runtime, 1),
        "created": time.strftime("%Y-%m-%d"),
    }
    return CalibrationResult(problem.names, draws, lp, metadata)
