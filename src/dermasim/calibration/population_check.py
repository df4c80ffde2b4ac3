r"""How much a study's mean over its participants differs from its median patient's value.

The likelihood compares each study mean with the prediction for the study's median patient
(``virtual_patients = 1``). With between-patient spread on the records, the mean over
participants differs from that by the curvature of the response (second order in the
spread). :func:`population_check` measures the difference at parameter draws and says whether
it matters for the posterior:

- the shift of each row's predicted study mean, :math:`\operatorname{median}_d(\bar y_d -
  y_d^{\mathrm{median}})`, in units of the row's total noise SD (study SE and heterogeneity);
- the log-likelihood difference :math:`\ell_K(\theta_d) - \ell_1(\theta_d)` between the
  :math:`K`-participant and the median-patient likelihoods, and the Pareto-smoothed
  importance-sampling diagnostics (effective sample share and :math:`\hat k`) of reweighting
  the draws from the one to the other. A share near 1 and :math:`\hat k < 0.5` mean the
  posterior fitted with the median patient is the posterior of study means to Monte-Carlo
  accuracy;
- the between-patient and between-draw spreads of each row's prediction (variability
  against uncertainty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .likelihood import CalibrationProblem

__all__ = ["PopulationCheck", "population_check"]


@dataclass(frozen=True)
class PopulationCheck:
    r"""Study means over virtual participants against the median patient, at some draws.

    Attributes
    ----------
    participants
        Virtual participants per study and draw.
    spread
        Between-patient standard deviation (bounded scale) by varying parameter.
    shift_sd
        Per row: median over draws of (study mean - median patient), in noise SDs.
    between_patient_sd, between_draw_sd
        Per valued row: median over draws of the SD across participants of the last
        reported day's prediction, and the SD across draws of the study mean.
    loglik_shift
        Median and SD over draws of the log-likelihood difference.
    importance_share, pareto_k
        Effective sample share and Pareto :math:`\hat k` of the reweighting.
    ages
        The participants' ages by scenario, where the study reports them: the age table
        (:class:`~dermasim.cohort.population.AgeDistribution`) and ``from``, its source.
    """

    participants: int
    draws: int
    spread: Mapping[str, float]
    shift_sd: Mapping[str, float]
    between_patient_sd: Mapping[str, float]
    between_draw_sd: Mapping[str, float]
    loglik_shift: tuple[float, float]
    importance_share: float
    pareto_k: float | None
    ages: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def largest_shift(self) -> tuple[str, float]:
        """The row whose study mean moves most, and by how many noise SDs."""
        row = max(self.shift_sd, key=lambda r: abs(self.shift_sd[r]))
        return row, self.shift_sd[row]

    def to_json_dict(self) -> dict[str, Any]:
        """Plain-data form for ``validate --json`` (the ``population`` block)."""
        row, shift = self.largest_shift
        return {
            "participants": self.participants,
            "draws": self.draws,
            "spread": dict(self.spread),
            "largest_shift": {"id": row, "noise_sd": shift},
            "shift_noise_sd": dict(self.shift_sd),
            "between_patient_sd": dict(self.between_patient_sd),
            "between_draw_sd": dict(self.between_draw_sd),
            "loglik_shift": {"median": self.loglik_shift[0], "sd": self.loglik_shift[1]},
            "importance_share": self.importance_share,
            "pareto_k": self.pareto_k,
            "ages": {k: dict(v) for k, v in self.ages.items()},
        }


def population_check(
    problem: CalibrationProblem,
    values: Mapping[str, np.ndarray],
    participants: int = 16,
) -> PopulationCheck:
    """Compare the study means over ``participants`` virtual participants with the median
    patient at the draws ``values`` (model and observation parameters by name)."""
    from dataclasses import replace

    median = problem if problem.virtual_patients == 1 else replace(problem, virtual_patients=1)
    many = replace(problem, virtual_patients=participants)
    values = dict(values)
    one = median.predictions(values)
    outputs = many.simulate(values)
    mean = many.predictions_from(outputs, values)
    shift, between_patient, between_draw = {}, {}, {}
    for e in problem.evidence.endpoints:
        sd = problem.noise_sd(e)
        shift[e.id] = float(np.median(mean[e.id][:, -1] - one[e.id][:, -1]) / sd)
        between_draw[e.id] = float(np.std(mean[e.id][:, -1]))
        between_patient[e.id] = _between_patient_sd(problem, e, outputs, values)
    l1 = median.log_likelihood_of(one)
    lk = many.log_likelihood_of(mean)
    delta = lk - l1
    finite = np.isfinite(delta)
    share, k = _importance(delta[finite])
    return PopulationCheck(
        participants=many.population.size,
        draws=int(finite.sum()),
        spread=dict(many.population.spread),
        shift_sd=shift,
        between_patient_sd=between_patient,
        between_draw_sd=between_draw,
        loglik_shift=(float(np.median(delta[finite])), float(np.std(delta[finite]))),
        importance_share=share,
        pareto_k=k,
        ages={
            key: {**s.participant_ages.to_dict(), "from": s.participant_ages_from}
            for key, s in problem.evidence.scenarios.items()
            if s.participant_ages is not None
        },
    )


def _between_patient_sd(
    problem: CalibrationProblem, endpoint: Any, outputs: Any, values: Mapping[str, np.ndarray]
) -> float:
    """Median over draws of the SD across participants of the row's prediction."""
    from .observables import predict
    from .scenarios import ScenarioOutputs

    if not outputs.participants:
        return 0.0
    size = next(iter(next(iter(outputs.participants.values())).values())).shape[1]
    each = []
    for j in range(size):
        alone = ScenarioOutputs(
            days=outputs.days,
            endpoints={
                k: {name: x[:, j, :] for name, x in ends.items()}
                for k, ends in outputs.participants.items()
            },
        )
        each.append(predict(endpoint, problem.evidence, alone, values)[:, -1])
    return float(np.median(np.std(np.array(each), axis=0)))


def _importance(log_weights: np.ndarray) -> tuple[float, float | None]:
    """Effective sample share and Pareto k of importance weights (ArviZ where installed)."""
    if log_weights.size < 2:
        return 1.0, None
    w = np.exp(log_weights - log_weights.max())
    share = float(w.sum() ** 2 / (w**2).sum() / w.size)
    try:
        import arviz as az
    except ImportError:
        return share, None
    _, k = az.psislw(log_weights - log_weights.max(), reff=1.0)
    return share, float(np.asarray(k).reshape(-1)[0])
