r"""Virtual participants of a study: a study's mean over patients, not one patient.

A study reports the mean (or the share of responders) of its participants, who differ from
each other. With :class:`StudyPopulation`, every scenario is simulated for :math:`K` virtual
participants per parameter draw :math:`d`, participant :math:`j` with the deviates
:math:`z_j` of every parameter whose record carries a between-patient spread
(:mod:`dermasim.parameters.variability`), and the predicted study mean is

.. math::

    \bar y_d(t) = \frac1K \sum_{j=1}^{K} y\bigl(t;\ g^{-1}(g(\theta_d) + \sigma z_j)\bigr).

The deviates are a Latin hypercube of the standard normal (stratified: each parameter's
:math:`K` deviates are the normal quantiles at :math:`(k + u_k)/K`, permuted), fixed by a
seed, so the mean is smooth in :math:`\theta` (common random numbers across draws and
evaluations). Participants also differ in age where the study reports its participants'
ages (a scenario's ``participant_ages`` in ``evidence.toml``): participant :math:`j` is
aged at the quantile :math:`q_j` of the reported range (uniform) or mean and SD (normal,
truncated to 18-90 years),
with :math:`q_j` stratified in the same way and independent of the deviates; the other
covariates (sex, site, skin type, exposures) are the scenario patient's. With :math:`K = 1`
the single participant is the median patient (:math:`z = 0`, the scenario patient's age):
the prediction the bundled posterior was fitted with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ..cohort.population import AgeDistribution
from ..errors import check_integer
from ..parameters import ParameterSet
from ..parameters.variability import individual_values
from ..patient import Patient

__all__ = ["MAX_PARTICIPANTS", "StudyPopulation"]

#: Most virtual participants per study and draw.
MAX_PARTICIPANTS = 256


@dataclass(frozen=True, eq=False)
class StudyPopulation:
    """``size`` virtual participants: their deviates and each varying parameter's spread.

    Attributes
    ----------
    spread
        Between-patient standard deviation by parameter name (bounded scale).
    bounds
        Each varying parameter's bounds.
    deviates
        Each varying parameter's deviates, shape ``(size,)``.
    age_quantiles
        Each participant's quantile of its study's age distribution, shape ``(size,)``
        (empty for the median patient).
    """

    spread: Mapping[str, float]
    bounds: Mapping[str, tuple[float, float]]
    deviates: Mapping[str, np.ndarray] = field(repr=False)
    age_quantiles: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    @property
    def size(self) -> int:
        """Number of virtual participants."""
        if self.age_quantiles.size:
            return int(self.age_quantiles.shape[0])
        return int(next(iter(self.deviates.values())).shape[0]) if self.deviates else 1

    @classmethod
    def from_parameters(
        cls, parameters: ParameterSet, size: int = 16, seed: int = 0
    ) -> StudyPopulation:
        """Participants for every record of ``parameters`` with ``population_sd > 0``.

        ``size = 1`` is the median patient (no deviates).
        """
        size = check_integer("virtual_patients", size, 1, MAX_PARTICIPANTS, "virtual_patients = 16")
        if size == 1:
            return cls(spread={}, bounds={}, deviates={})
        from scipy.special import ndtri

        varying = [r for r in parameters.records if r.population_sd > 0]
        rng = np.random.default_rng([seed, 11])
        deviates = {r.name: ndtri(_strata(rng, size)) for r in varying}
        return cls(
            spread={r.name: r.population_sd for r in varying},
            bounds={r.name: r.bounds for r in varying},
            deviates=deviates,
            age_quantiles=_strata(np.random.default_rng([seed, 12]), size),
        )

    def ages(self, patient: Patient, reported: AgeDistribution | None) -> list[Patient]:
        """The participants of a scenario whose patient is ``patient``, one per quantile:
        aged by ``reported`` where the study reports ages, else all ``patient``."""
        if reported is None or not self.age_quantiles.size:
            return [patient] * self.size
        return [replace(patient, age=float(a)) for a in reported.at(self.age_quantiles)]

    def expand(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each draw's participants: rows ``draw * size + j``, shape ``(batch * size,)``."""
        k = self.size
        out = {name: np.repeat(np.asarray(v), k) for name, v in values.items()}
        batch = next(iter(values.values())).shape[0]
        for name, sd in self.spread.items():
            if name not in out:
                continue
            z = np.tile(self.deviates[name], batch)
            out[name] = individual_values(out[name], sd, z, self.bounds[name])
        return out

    def expand_patients(
        self, patient: Patient, reported: AgeDistribution | None, batch: int
    ) -> list[Patient]:
        """The patient of each row of :meth:`expand`: row ``draw * size + j`` is participant
        ``j`` (:meth:`ages`)."""
        return self.ages(patient, reported) * batch

    def participants(self, x: np.ndarray) -> np.ndarray:
        """Rows of :meth:`expand` back as ``(batch, size, ...)``."""
        return x.reshape(x.shape[0] // self.size, self.size, *x.shape[1:])

    def mean(self, x: np.ndarray) -> np.ndarray:
        """The mean over each draw's participants, ``(batch, ...)``."""
        return self.participants(x).mean(axis=1)


def _strata(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` stratified uniform quantiles, one in each ``[k/size, (k+1)/size)``, permuted."""
    return rng.permutation((np.arange(size) + rng.uniform(size=size)) / size)
