r"""Convergence diagnostics of a calibration run from independent ensembles (ArviZ).

A calibration run may sample ``C`` independent ensembles (``calibrate(chains=C)``), each
started from its own prior draws with its own seed. Each ensemble is one chain for the
diagnostics: its walkers' kept (post burn-in, unthinned) sequences are laid end to end, so a
chain of ``W`` walkers and ``T`` kept steps has ``W T`` draws. On those chains ArviZ computes,
per fitted parameter,

- the rank-normalised split :math:`\hat R` (Vehtari et al. 2021): it compares the halves of
  every chain, so ensembles that settled in different places, or that still drift, show
  :math:`\hat R > 1`;
- the bulk and tail effective sample sizes (ESS) of the pooled draws, from the chains'
  autocorrelation.

The thresholds are those of Vehtari et al. (2021): :math:`\hat R < 1.01` and bulk and tail
ESS of at least 400, from at least four chains. Laying walkers end to end treats an
ensemble's walkers as independent sequences, as emcee's own autocorrelation estimate does;
the stretch move couples them weakly, so ESS can be somewhat optimistic, while
:math:`\hat R` between independent ensembles is unaffected by that coupling.

The diagnostics are invariant to monotone transforms of each parameter, so they are computed
in the sampler's whitened coordinates.

References
----------
Vehtari A, Gelman A, Simpson D, Carpenter B, Buerkner P-C (2021). Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC. Bayesian
Analysis 16(2):667-718.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MAX_RHAT", "MIN_CHAINS", "MIN_ESS", "by_chain", "convergence"]

#: Largest acceptable rank-normalised split R-hat.
MAX_RHAT = 1.01
#: Smallest acceptable bulk and tail effective sample size.
MIN_ESS = 400
#: Fewest independent chains for the thresholds to be judged.
MIN_CHAINS = 4


def convergence(kept: Sequence[np.ndarray], names: Sequence[str]) -> dict[str, Any] | None:
    """R-hat and ESS of every parameter from independent ensembles.

    Parameters
    ----------
    kept
        One array per ensemble, ``(kept steps, walkers, n_params)``, all of one shape.
    names
        Parameter names, in column order.

    Returns
    -------
    dict or None
        ``chains``, ``draws_per_chain``, per-parameter ``rhat``, ``ess_bulk`` and
        ``ess_tail``, their worst values and ``meets_thresholds``; None for a single chain
        (R-hat needs at least two) or when ArviZ (the ``inference`` extra) is not installed.
    """
    if len(kept) < 2:
        return None
    try:
        with warnings.catch_warnings():  # arviz 0.x announces its 1.0 refactor on import
            warnings.simplefilter("ignore", FutureWarning)
            import arviz as az
    except ImportError:
        return None
    # (chain, walker-major draws, parameter): walker w's kept steps, then walker w + 1's
    stacked = np.stack([np.swapaxes(k, 0, 1).reshape(-1, k.shape[-1]) for k in kept])
    dataset = az.convert_to_dataset({n: stacked[:, :, j] for j, n in enumerate(names)})
    rhat = az.rhat(dataset, method="rank")
    bulk = az.ess(dataset, method="bulk")
    tail = az.ess(dataset, method="tail")
    per = {
        key: {n: float(table[n].values) for n in names}
        for key, table in (("rhat", rhat), ("ess_bulk", bulk), ("ess_tail", tail))
    }
    worst_rhat = max(per["rhat"].values())
    worst_bulk = min(per["ess_bulk"].values())
    worst_tail = min(per["ess_tail"].values())
    return {
        "method": "arviz rank-normalised split R-hat, bulk and tail ESS; one chain per "
        "independent ensemble, its walkers laid end to end",
        "chains": int(stacked.shape[0]),
        "draws_per_chain": int(stacked.shape[1]),
        **per,
        "max_rhat": worst_rhat,
        "min_ess_bulk": worst_bulk,
        "min_ess_tail": worst_tail,
        "meets_thresholds": bool(
            stacked.shape[0] >= MIN_CHAINS
            and worst_rhat < MAX_RHAT
            and min(worst_bulk, worst_tail) >= MIN_ESS
        ),
    }


def by_chain(
    draws: dict[str, np.ndarray], metadata: dict[str, Any]
) -> dict[str, np.ndarray] | None:
    """A stored posterior's draws split back into its chains, ``(chain, draw)`` per name.

    ``calibrate`` stores the chains one after another, each as its kept steps thinned by
    ``thin``, walkers within a step (``fit._result``). The split needs the run's ``chains``,
    ``walkers``, ``kept_steps`` and ``thin``; None where the metadata lacks one or the draws
    do not add up to it (a posterior not written by ``calibrate``).
    """
    try:
        chains, walkers = int(metadata["chains"]), int(metadata["walkers"])
        steps = -(-int(metadata["kept_steps"]) // int(metadata["thin"]))  # ceil
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    per_chain = steps * walkers
    if chains < 2 or not draws:
        return None
    if any(np.shape(v) != (chains * per_chain,) for v in draws.values()):
        return None
    return {n: np.asarray(v).reshape(chains, per_chain) for n, v in draws.items()}
