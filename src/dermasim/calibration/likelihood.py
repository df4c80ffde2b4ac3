r"""The calibration problem: fitted parameters, their prior, and the likelihood of the evidence.

Fitted parameters are sampled in a whitened space: each parameter ``x`` with truncated prior
CDF ``F`` is written ``x = F^{-1}(\Phi(u))`` with ``u`` standard normal, so that the prior of
``u`` is exactly :math:`\mathcal N(0, I)` whatever the prior family and bounds, and every
``u`` maps to a value inside the parameter's bounds. The log posterior is

.. math::

    \log p(u \mid y) = -\tfrac12 \lVert u\rVert^2
        + \sum_{\text{valued}} \log \mathcal N\!\left(y_e;\ \hat y_e,\ \sigma_e^2+\tau_e^2\right)
        + \sum_{\text{direction}} \sum_{t} \log \Phi\!\left(s_e\,\hat y_e(t) / \tau_e\right)
        + \text{const},

where direction-only findings enter as a soft sign constraint on a probit scale whose width
is the observable's heterogeneity ``τ``, and "no change" findings as an observed 0 with
standard error ``τ`` (so a total standard deviation of ``√2 τ``). Rows that already inform a
parameter's prior (``fitted = false``) are left out. Parameters that are not fitted are held
at their point values inside the likelihood.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import DermasimError
from ..parameters import ParameterSet
from ..parameters.observation import observation_parameters
from ..parameters.record import Parameter
from .evidence import Endpoint, Evidence, load_evidence_set
from .observables import predict
from .scenarios import ScenarioOutputs, simulate_scenarios
from .study_population import StudyPopulation

__all__ = ["DEFAULT_FIT", "CalibrationProblem"]

#: Model parameters that the evidence informs, and every parameter with an assumed prior
#: that carries at least 5% of the predictive variance (Sobol total index) of a headline
#: endpoint (:mod:`dermasim.calibration.screen`; the validation suite reruns the screen).
#: The topical parameters have no calibration row: fitted, their posterior is their prior,
#: drawn jointly with the rest rather than held at a point in the likelihood. Every other
#: model parameter stays at its prior in both the fit and the predictions.
DEFAULT_FIT: tuple[str, ...] = (
    "synthesis_decline_per_year",
    "mmp_rise_per_year",
    "collagen_I_half_life_years",
    "injury_clearance",
    "inflammation_production",
    "inflammation_clearance",
    "needle_coverage",
    "channel_depth_fraction",
    "fibroblast_activation_rate",
    "fibroblast_quiescence_rate",
    "fibroblast_capacity",
    "activated_deposition_rate",
    "new_matrix_lifetime_days",
    "new_matrix_retained_share",
    "pn_signal_weight",
    "pn_clearance",
    "pn_half_activation",
    "growth_factor_half_activation",
    "filler_degradation_rate",
    "filler_stretch_weight",
    "filler_stretch_half_mm",
    "filler_water_uptake",
    "topical_clearance",
    "topical_half_activation",
    "epidermal_growth_gain",
    "epidermal_relaxation_rate",
    "elastotic_clearance_gain",
    "thickness_collagen_exponent",
    "scar_fill_collagen_percent",
)


def _sd(endpoint: Endpoint, tau: float) -> float:
    return float(endpoint.sd) if endpoint.kind == "quantitative" else tau  # type: ignore[arg-type]


@dataclass(frozen=True)
class CalibrationProblem:
    """Evidence, model parameters and the names fitted.

    Parameters
    ----------
    evidence
        Scenarios and endpoints (the bundled set by default).
    model_parameters
        The model's parameter set (priors).
    fit
        Names of fitted model parameters; every observation parameter the evidence uses is
        fitted too.
    virtual_patients
        Virtual participants per study and draw whose mean is the predicted study mean
        (:mod:`.study_population`); 1, the default and what the bundled posterior was fitted
        with, is the median patient.

    Attributes
    ----------
    population
        The virtual participants of every study, built from ``virtual_patients`` and the
        records' ``population_sd``.
    """

    evidence: Evidence = field(default_factory=load_evidence_set)
    model_parameters: ParameterSet = field(default_factory=ParameterSet.load)
    fit: tuple[str, ...] = DEFAULT_FIT
    virtual_patients: int = 1
    population: StudyPopulation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [n for n in self.fit if n not in self.model_parameters]
        if unknown:
            raise DermasimError(
                f"fit = {unknown[0]!r} is not a model parameter; for example "
                f"fit = {DEFAULT_FIT[:2]!r}"
            )
        # the virtual participants of every study (none beyond the median patient at 1)
        population = StudyPopulation.from_parameters(self.model_parameters, self.virtual_patients)
        object.__setattr__(self, "population", population)

    @property
    def observation_records(self) -> tuple[Parameter, ...]:
        """Observation parameters used by the evidence (all fitted)."""
        obs = observation_parameters()
        return tuple(obs[n] for n in self.evidence.gains())

    @property
    def records(self) -> tuple[Parameter, ...]:
        """Fitted records in the order of the columns of ``u``."""
        return tuple(self.model_parameters[n] for n in self.fit) + self.observation_records

    @property
    def names(self) -> tuple[str, ...]:
        """Fitted parameter names."""
        return tuple(r.name for r in self.records)

    @property
    def ndim(self) -> int:
        """Number of fitted parameters."""
        return len(self.records)

    def to_values(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter values for whitened coordinates ``u`` of shape ``(batch, ndim)``.

        Unfitted model parameters are set to their point values.
        """
        from scipy.special import ndtr

        u = np.atleast_2d(np.asarray(u, dtype=float))
        n = u.shape[0]
        values = self.model_parameters.point(n)
        obs = observation_parameters().point(n)
        values.update({k: obs[k] for k in self.evidence.gains()})
        for j, record in enumerate(self.records):
            values[record.name] = record.prior.ppf(ndtr(u[:, j]))
        return values

    def to_u(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Whitened coordinates of parameter values (the inverse of :meth:`to_values`)."""
        from scipy.special import ndtri

        eps = 1e-12
        columns = [ndtri(np.clip(r.prior.cdf(values[r.name]), eps, 1 - eps)) for r in self.records]
        return np.column_stack(columns)

    def simulate(self, values: dict[str, np.ndarray]) -> ScenarioOutputs:
        """Simulate every scenario for the draws in ``values``."""
        ev = self.evidence
        return simulate_scenarios(
            ev.scenarios, ev.days_by_scenario(), values, population=self.population
        )

    def predictions(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Predicted study means by endpoint id, each ``(batch, len(days))``."""
        return self.predictions_from(self.simulate(values), values)

    def predictions_from(
        self, outputs: ScenarioOutputs, values: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Study means by endpoint id read from already simulated ``outputs`` (of this model
        or of another, such as the empirical baseline) through the observation models."""
        return {e.id: predict(e, self.evidence, outputs, values) for e in self.evidence.endpoints}

    def noise_sd(self, endpoint: Endpoint) -> float:
        """Standard deviation of a study mean around the prediction: ``sqrt(sd^2 + tau^2)``."""
        tau = self.evidence.observables[endpoint.observable].tau
        return float(np.hypot(_sd(endpoint, tau), tau))

    def pointwise_log_likelihood(
        self,
        predictions: dict[str, np.ndarray],
        *,
        normalised: bool = False,
        fitted_only: bool = True,
    ) -> dict[str, np.ndarray]:
        """Log likelihood of each evidence row for each row of the predictions, ``(batch,)``.

        ``normalised`` adds the normal density's constant ``-log(sd sqrt(2 pi))`` to valued
        rows (needed to compare or score densities, not to fit); ``fitted_only=False`` includes
        the rows left out of the fit.
        """
        from scipy.special import log_ndtr

        out: dict[str, np.ndarray] = {}
        for e in self.evidence.endpoints:
            if fitted_only and not e.fitted:
                continue
            pred = predictions[e.id]
            tau = self.evidence.observables[e.observable].tau
            if e.kind == "direction":
                sign = 1.0 if e.sign == "+" else -1.0
                value = log_ndtr(sign * pred / tau).sum(axis=1)
            else:
                observed = float(e.value) if e.kind == "quantitative" else 0.0  # type: ignore[arg-type]
                sd = self.noise_sd(e)
                value = -0.5 * ((observed - pred[:, -1]) / sd) ** 2
                if normalised:
                    value = value - math.log(sd * math.sqrt(2.0 * math.pi))
            out[e.id] = np.asarray(value, dtype=float)
        return out

    def log_likelihood_of(self, predictions: dict[str, np.ndarray]) -> np.ndarray:
        """Log likelihood of the evidence for each row of the predictions."""
        parts = self.pointwise_log_likelihood(predictions)
        total = np.sum(list(parts.values()), axis=0) if parts else 0.0
        out = np.asarray(total, dtype=float)
        return np.where(np.isfinite(out), out, -np.inf)

    def log_posterior(self, u: np.ndarray) -> np.ndarray:
        """Unnormalised log posterior of whitened coordinates ``u`` ``(batch, ndim)``."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        prior = -0.5 * np.sum(u**2, axis=1)
        try:
            like = self.log_likelihood_of(self.predictions(self.to_values(u)))
        except DermasimError:
            if u.shape[0] == 1:
                return np.array([-np.inf])
            like = np.concatenate([self.log_posterior(row[None, :]) for row in u]) - prior
        return prior + like

    def subset(self, ids: Sequence[str]) -> CalibrationProblem:
        """The same problem restricted to the endpoints ``ids`` (and their scenarios)."""
        keep = tuple(e for e in self.evidence.endpoints if e.id in set(ids))
        used = {e.scenario for e in keep} | {
            e.reference_scenario for e in keep if e.reference_scenario
        }
        evidence = Evidence(
            scenarios={k: v for k, v in self.evidence.scenarios.items() if k in used},
            observables=self.evidence.observables,
            endpoints=keep,
            unused=self.evidence.unused,
            out_of_sample_shortfall=self.evidence.out_of_sample_shortfall,
        )
        return CalibrationProblem(
            evidence, self.model_parameters, self.fit, virtual_patients=self.virtual_patients
        )
