"""Posterior: calibrated parameter draws, used in place of the priors for predictions.

A :class:`Posterior` is a :class:`~dermasim.parameters.ParameterSet` (the same records, so
units, bounds, priors and sources stay at hand) that samples differently: the fitted
parameters are drawn jointly from the stored posterior draws (with replacement, so their
correlations are kept), and every parameter the evidence does not inform is drawn from its
prior, as before. Observation-model parameters (gains, baseline grade) travel with the
draws for validation but are not model inputs.

The bundled posterior (``data/posterior/default.npz``) is written by ``dermasim calibrate``
and is the default of :func:`dermasim.simulate`, ``dermasim simulate`` and
``dermasim compare``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError, invalid_value
from .observation import observation_parameters
from .parameter_set import ParameterSet, bundled_parameter_sets

__all__ = ["DEFAULT_POSTERIOR", "Posterior", "load_parameters"]

#: Name of the bundled posterior.
DEFAULT_POSTERIOR = "default"


@dataclass(frozen=True, eq=False)
class Posterior(ParameterSet):
    """Calibrated draws of the fitted parameters, priors for the rest.

    Attributes
    ----------
    draws
        Posterior draws by parameter name, each of shape ``(n_draws,)``; model and
        observation parameters.
    metadata
        How the draws were made (seed, steps, walkers, diagnostics, evidence ids).
    """

    draws: dict[str, np.ndarray] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    kind = "posterior draws"

    @property
    def n_draws(self) -> int:
        """Number of stored draws."""
        return int(next(iter(self.draws.values())).shape[0]) if self.draws else 0

    @property
    def fitted(self) -> tuple[str, ...]:
        """Model parameters that the calibration fitted."""
        names = {r.name for r in self.records}
        return tuple(n for n in self.draws if n in names)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, name: str | None = None, prior: str = "default"
    ) -> Posterior:
        """Read posterior draws written by :meth:`CalibrationResult.save`.

        The file must hold finite draws, one column per named parameter, each a model or
        observation parameter and inside its bounds.
        """
        import zipfile

        example = "parameters = 'calibration/posterior.npz' (written by dermasim calibrate)"

        def refuse(problem: str) -> ParameterError:
            allowed = f"a posterior .npz written by dermasim calibrate ({problem})"
            return ParameterError(invalid_value("parameters", os.fspath(path), allowed, example))

        try:
            with np.load(path, allow_pickle=False) as data:
                names = [str(n) for n in data["names"]]
                values = np.asarray(data["draws"], dtype=float)
                metadata = json.loads(str(data["metadata"]))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            reason = str(exc).strip("'\"").split(". ")[0]
            raise refuse(f"this one cannot be read: {reason}") from None
        base = ParameterSet.load(prior)
        known = {**dict(base), **dict(observation_parameters())}
        if values.ndim != 2 or values.shape[1] != len(names) or values.shape[0] == 0:
            raise refuse(f"this one has draws of shape {values.shape} for {len(names)} names")
        for j, param in enumerate(names):
            if param not in known:
                raise refuse(f"names of model or observation parameters; this one has {param!r}")
            lo, hi = known[param].bounds
            column = values[:, j]
            if not np.all(np.isfinite(column)) or column.min() < lo or column.max() > hi:
                finite = column[np.isfinite(column)]
                span = f"{finite.min():g} to {finite.max():g}" if finite.size else "none finite"
                raise refuse(
                    f"draws of {param} finite and within {lo:g} to {hi:g}; this one's: {span}"
                )
        draws = {n: values[:, j] for j, n in enumerate(names)}
        return cls(
            name=name or f"posterior:{Path(path).stem}",
            records=base.records,
            description=base.description,
            draws=draws,
            metadata=metadata,
        )

    @classmethod
    def load(cls, name: str = DEFAULT_POSTERIOR) -> Posterior:
        """Load a bundled posterior by name (read once a process; its draws are read-only)."""
        return _bundled_posterior(name)

    @classmethod
    def _load_bundled(cls, name: str) -> Posterior:
        folder = resources.files("dermasim") / "data" / "posterior"
        names = sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".npz"))
        if name not in names:
            raise ParameterError(
                invalid_value("posterior", name, "one of " + ", ".join(names), "'default'")
            )
        with resources.as_file(folder / f"{name}.npz") as path:
            return cls.from_file(path, name=f"posterior:{name}")

    def point(self, n: int = 1) -> dict[str, np.ndarray]:
        """Posterior medians of the fitted parameters, point values of the others."""
        out = super().point(n)
        for key in self.fitted:
            out[key] = np.full(n, float(np.median(self.draws[key])))
        return out

    def sample(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``n`` joint draws: fitted parameters resampled from the posterior, the rest from
        their priors (in record order, after the resampling indices)."""
        index = rng.integers(0, self.n_draws, size=n)
        out: dict[str, np.ndarray] = {}
        fitted = set(self.fitted)
        for record in self.records:
            if record.name in fitted:
                out[record.name] = self.draws[record.name][index]
            else:
                out[record.name] = record.prior.sample(rng, n)
        return out

    def sample_with_observation(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Like :meth:`sample`, plus the observation parameters of the same draws."""
        index = rng.integers(0, self.n_draws, size=n)
        out = {k: v[index] for k, v in self.draws.items()}
        for record in self.records:
            if record.name not in out:
                out[record.name] = record.prior.sample(rng, n)
        return out


@cache
def _bundled_posterior(name: str) -> Posterior:
    posterior = Posterior._load_bundled(name)
    for values in posterior.draws.values():
        values.setflags(write=False)
    return posterior


def load_parameters(name: str | ParameterSet = "posterior") -> ParameterSet:
    """Resolve a parameter choice: ``"posterior"`` (the bundled posterior, the default),
    ``"prior"`` (the bundled priors), ``"posterior:NAME"``, a bundled prior set's name, the
    path of a posterior ``.npz`` file, or a ready :class:`ParameterSet`."""
    if isinstance(name, ParameterSet):
        return name
    if name == "posterior":
        return Posterior.load(DEFAULT_POSTERIOR)
    if name.startswith("posterior:"):
        return Posterior.load(name.split(":", 1)[1])
    if name == "prior":
        return ParameterSet.load("default")
    if name.endswith(".npz"):
        if not Path(name).is_file():
            raise ParameterError(
                invalid_value("parameters", name, "an existing posterior .npz file", "'posterior'")
            )
        return Posterior.from_file(name)
    if name in bundled_parameter_sets():
        return ParameterSet.load(name)
    raise ParameterError(
        invalid_value(
            "parameters",
            name,
            "'posterior', 'prior', 'posterior:NAME', a bundled set ("
            + ", ".join(bundled_parameter_sets())
            + ") or a posterior .npz file",
            "'posterior'",
        )
    )
