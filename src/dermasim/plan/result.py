"""What a plan holds and how it is reported: evaluated courses and the planner's answer.

:class:`Evaluation` is one course simulated on the shared draws; :class:`Plan` is the answer
of :func:`dermasim.plan.planner.search`: the screen, the baselines, the short list with its
paired comparisons and ties, and the ``dermasim.plan/1`` JSON object. The method is described
in :mod:`dermasim.plan.planner`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._version import version
from ..cohort.paired import PairedDifference
from ..model import ENDPOINTS
from ..parameters import ParameterSet
from ..patient import Patient
from ..protocol import Protocol
from ..solution import quantile_summary
from .candidacy import ScreenResult
from .concerns import Concern
from .space import SearchSpace

__all__ = ["EVIDENCE_NOTES", "Evaluation", "Plan", "evidence_notes"]

#: What the evidence behind a treatment's predicted effect is, where it is thin.
EVIDENCE_NOTES = {
    "polynucleotide": "no human study reports a collagen number for polynucleotides: the "
    "predicted response rests on priors, a no-difference comparison with filler (PN-P14-1) "
    "and direction-only rows (PN-C22-1, PN-A21-1)",
    "topical": "the serum's effect parameters are assumed with wide priors: no evidence row "
    "measures them",
    "hyaluronic_filler": "the gel's decay is one rate fitted to two human imaging studies that "
    "disagree: by ultrasound 44% of the thickness gain was left at one year (HA-B07-2), by MRI "
    "no gel volume was lost from month 1 to month 12 (HA-MRI-1, outside the model's "
    "interval); products differ, and the model has no term for it, so a filler's late gain "
    "may be over- or understated",
}


def evidence_notes(payload: dict[str, Any]) -> list[str]:
    """The evidence notes of a ``dermasim.plan/1`` object's rows, each once, in row order."""
    rows = [*payload["baselines"], *payload["plans"]]
    return list(dict.fromkeys(note for row in rows for note in row.get("evidence", ())))


@dataclass(frozen=True)
class Evaluation:
    """One course simulated on the shared draws.

    Attributes
    ----------
    protocol, family
        The course and its family (see :class:`~dermasim.plan.space.Candidate`).
    values
        Endpoint name -> values at the horizon, one per draw.
    downtime
        ``(draw, session day)``: days of redness after each session day.
    sessions
        Number of session days before the horizon (see :func:`visits`).
    screen
        The screen of the course's settings for the patient.
    """

    protocol: Protocol
    family: str
    values: dict[str, np.ndarray]
    downtime: np.ndarray
    sessions: int
    screen: ScreenResult

    @property
    def downtime_per_session(self) -> np.ndarray:
        """Mean days of redness per session day, per draw (0 without sessions)."""
        if not self.downtime.shape[1]:
            return np.zeros(self.downtime.shape[0])
        return self.downtime.mean(axis=1)

    @property
    def downtime_total(self) -> np.ndarray:
        """Days of redness over the course, per draw."""
        return self.downtime.sum(axis=1)


@dataclass(frozen=True)
class Plan:
    """The planner's answer for one patient and concern (see the module docstring).

    Attributes
    ----------
    patient, concern
        Who and what for.
    horizon_days, draws, seed, parameters
        When the gain is read, and the draws it is read on.
    screen
        The treatment-level screen.
    space
        The grid searched.
    constraints
        ``max_sessions``, ``max_downtime_days`` and ``treatments`` as asked.
    none, standard
        The baselines' evaluations (``standard`` is None when its treatment is
        contraindicated; ``standard_blocked`` then says why).
    plans
        The short list, best first.
    evaluated
        Number of courses simulated (baselines excluded).
    left_out
        Why courses of the grid were not evaluated or not kept: reason -> count.
    credible_p
        The share of draws on which a plan had to beat no treatment.
    notes
        Sentences for the reader (ties, blocked baselines, empty lists).
    """

    patient: Patient
    concern: Concern
    horizon_days: float
    draws: int
    seed: int
    parameters: ParameterSet
    screen: list[ScreenResult]
    space: SearchSpace
    constraints: dict[str, Any]
    none: Evaluation
    standard: Evaluation | None
    standard_blocked: str | None
    plans: list[Evaluation]
    evaluated: int
    left_out: dict[str, int]
    credible_p: float
    notes: list[str] = field(default_factory=list)

    @property
    def sign(self) -> float:
        return 1.0 if self.concern.better == "higher" else -1.0

    def _paired(self, a: Evaluation, b: Evaluation) -> PairedDifference:
        endpoint = self.concern.endpoint
        return PairedDifference(
            endpoint,
            self.concern.unit,
            self.horizon_days,
            a.values[endpoint] - b.values[endpoint],
            self.concern.better,
        )

    def effect(self, evaluation: Evaluation) -> np.ndarray:
        """Per draw: how much better than no treatment (in the endpoint's unit, signed so
        that positive is better)."""
        endpoint = self.concern.endpoint
        return self.sign * (evaluation.values[endpoint] - self.none.values[endpoint])

    def _row(self, evaluation: Evaluation) -> dict[str, Any]:
        endpoint = self.concern.endpoint
        row: dict[str, Any] = {
            "protocol": str(evaluation.protocol),
            "family": evaluation.family,
            "sessions": evaluation.sessions,
            "downtime_days": quantile_summary(evaluation.downtime_per_session),
            "total_downtime_days": quantile_summary(evaluation.downtime_total),
            "gain": {
                "endpoint": endpoint,
                "unit": self.concern.unit,
                "t_days": self.horizon_days,
                **quantile_summary(evaluation.values[endpoint]),
            },
            "vs_no_treatment": self._paired(evaluation, self.none).to_json_dict(),
            "also": {
                name: {"unit": _unit(name), **quantile_summary(evaluation.values[name])}
                for name in self.concern.also_shown
            },
            "screen": {
                "status": evaluation.screen.status,
                "reasons": [r.message for r in evaluation.screen.reasons],
            },
            "evidence": [
                EVIDENCE_NOTES[t]
                for t in sorted(evaluation.protocol.treatments)
                if t in EVIDENCE_NOTES
            ],
        }
        if self.standard is not None:
            row["vs_standard"] = self._paired(evaluation, self.standard).to_json_dict()
        else:
            row["vs_standard"] = None
        return row

    def rows(self) -> list[dict[str, Any]]:
        """The short list as JSON rows, best first, with their tie marks."""
        out = []
        best = self.plans[0] if self.plans else None
        for rank, evaluation in enumerate(self.plans, start=1):
            row = self._row(evaluation)
            row["rank"] = rank
            if best is not None and evaluation is not best:
                d = self._paired(best, evaluation).to_json_dict()
                tie = d["p05"] <= 0.0 <= d["p95"]
                row["vs_best"] = d
                row["indistinguishable_from_best"] = bool(tie)
            else:
                row["indistinguishable_from_best"] = True
            out.append(row)
        return out

    def baselines(self) -> list[dict[str, Any]]:
        """The two baselines as JSON rows."""
        none = self._row(self.none)
        none.pop("vs_standard", None)
        out: list[dict[str, Any]] = [{"name": "no-treatment", **none}]
        if self.standard is not None:
            std = self._row(self.standard)
            std.pop("vs_standard", None)
            out.append({"name": "standard", "source": self.concern.standard_source, **std})
        else:
            out.append(
                {
                    "name": "standard",
                    "protocol": self.concern.standard,
                    "source": self.concern.standard_source,
                    "screen": {"status": "contraindicated", "reasons": [self.standard_blocked]},
                }
            )
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """The ``dermasim.plan/1`` JSON object."""
        return {
            "schema": "dermasim.plan/1",
            "patient": self.patient.to_dict(),
            "concern": self.concern.name,
            "concern_detail": self.concern.to_dict(),
            "horizon_days": self.horizon_days,
            "screen": [r.to_dict() for r in self.screen],
            "constraints": self.constraints,
            "search_space": {
                **self.space.to_dict(),
                "evaluated": self.evaluated,
                "left_out": dict(self.left_out),
                "credible_p": self.credible_p,
            },
            "baselines": self.baselines(),
            "plans": self.rows(),
            "notes": list(self.notes),
            "provenance": {
                "version": version,
                "parameters": f"{self.parameters.name} ({self.parameters.kind})",
                "draws": self.draws,
                "seed": self.seed,
            },
            "disclaimer": "research and planning aid, not medical advice",
        }


def _unit(endpoint: str) -> str:
    return ENDPOINTS[endpoint][0]
