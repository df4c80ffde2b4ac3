"""The calibration evidence: literature rows mapped to scenarios and observation models.

Every endpoint is one row of the shipped evidence tables (``data/evidence/*.csv``) with the
scenario the study describes (a :class:`~dermasim.patient.Patient` and a
:class:`~dermasim.protocol.Protocol`), the observation model that turns model endpoints into
what the study measured (``data/calibration/observables.toml``), and a measurement-error
model. Where the study leaves a detail out, the scenario's ``assumptions`` say what was
assumed. The mapping lives in ``data/calibration/evidence.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from ..cohort.population import AgeDistribution
from ..errors import DermasimError
from ..patient import Patient
from ..protocol import Protocol

__all__ = [
    "ENDPOINT_KINDS",
    "Endpoint",
    "Evidence",
    "Observable",
    "Scenario",
    "load_evidence_set",
]

#: How an endpoint is checked: inside its interval, right sign, or interval containing 0.
ENDPOINT_KINDS = ("quantitative", "direction", "no-change")

#: Observation quantities read as a change from an endpoint's ``reference_day``.
READS_A_REFERENCE_DAY = ("filler_volume_change",)


class EvidenceError(DermasimError):
    """The bundled calibration evidence is inconsistent."""


@dataclass(frozen=True)
class Scenario:
    """A study's patient and protocol, as simulated.

    ``participant_ages``, where the study reports them, spread the ages of its virtual
    participants (:mod:`.study_population`), as ``participant_ages_from`` says where they come
    from; the median patient keeps ``patient.age``.
    """

    key: str
    description: str
    protocol: Protocol
    patient: Patient
    assumptions: str
    participant_ages: AgeDistribution | None = None
    participant_ages_from: str = ""

    @property
    def horizon_days(self) -> float:
        """Last session day (or 0); the evidence days set the horizon in practice."""
        return max((s.day for s in self.protocol.sessions()), default=0.0)


@dataclass(frozen=True)
class Observable:
    """An observation model: a model quantity, an optional gain, and heterogeneity."""

    key: str
    unit: str
    reads: str
    description: str
    tau: float
    gain: str | None = None
    sign: float = 1.0


@dataclass(frozen=True)
class Endpoint:
    """One evidence row as the calibration uses it.

    Attributes
    ----------
    id
        Row id in the evidence table (``MN-K21-1``).
    table
        ``"clinical_endpoints"`` or ``"physiology"``.
    scenario, reference_scenario
        Scenario keys; with a reference, the prediction is the difference
        ``scenario - reference`` (``clinical_grade_change``) or the ratio
        (``collagen_content_ratio``).
    observable
        Key of the observation model.
    days
        Days from the first session at which the study measured (the last is reported).
    kind
        One of :data:`ENDPOINT_KINDS`.
    value, sd
        Observed value and its standard error (quantitative endpoints only).
    sign
        ``"+"`` or ``"-"`` (direction endpoints only).
    reference_day
        The day a change is measured from, for observables that read one
        (``filler_volume_change``): a study that follows the gel from an early visit.
    days_from
        How the days were derived where the row gives none.
    fitted
        False for a row that already informs a parameter's prior (left out of the likelihood
        so that it is not used twice), or one held out as an out-of-sample check: validated,
        not fitted.
    disagreement
        Why the model does not reproduce the row, where it does not (kept in the fit).
    """

    id: str
    table: str
    source_value: str
    scenario: str
    observable: str
    days: tuple[float, ...]
    kind: str
    value: float | None = None
    sd: float | None = None
    sd_from: str = ""
    sign: str | None = None
    reference_scenario: str | None = None
    reference_day: float | None = None
    days_from: str = ""
    fitted: bool = True
    disagreement: str = ""

    @property
    def day(self) -> float:
        """The reported day (the last measurement day)."""
        return self.days[-1]


@dataclass(frozen=True)
class Evidence:
    """Scenarios, observation models and endpoints of the calibration."""

    scenarios: dict[str, Scenario]
    observables: dict[str, Observable]
    endpoints: tuple[Endpoint, ...]
    unused: dict[str, str]
    out_of_sample_shortfall: dict[str, str] = field(default_factory=dict)

    def quantitative(self) -> tuple[Endpoint, ...]:
        """Endpoints with a number."""
        return tuple(e for e in self.endpoints if e.kind == "quantitative")

    def days_by_scenario(self) -> dict[str, tuple[float, ...]]:
        """Every day at which each scenario must be observed (day 0 always included)."""
        days: dict[str, set[float]] = {k: {0.0} for k in self.scenarios}
        for e in self.endpoints:
            for key in (e.scenario, e.reference_scenario):
                if key is not None:
                    days[key].update(e.days)
            if e.reference_day is not None:
                days[e.scenario].add(e.reference_day)
        return {k: tuple(sorted(v)) for k, v in days.items()}

    def gains(self) -> tuple[str, ...]:
        """Observation-parameter names that the endpoints use, sorted."""
        names: set[str] = set()
        for e in self.endpoints:
            model = self.observables[e.observable]
            if model.gain:
                names.add(model.gain)
            if model.reads in ("grade_change", "wsrs", "wsrs_improvement"):
                names |= {"grade_per_collagen_percent", "grade_per_filler_mm"}
            if model.reads == "wsrs":
                names.add("baseline_wsrs")
        return tuple(sorted(names))

    def with_values(self, values: dict[str, float]) -> Evidence:
        """A copy whose quantitative endpoints ``values`` (id -> value) are replaced.

        Used by the synthetic-recovery check, which fits data made from known parameters.
        """
        endpoints = tuple(
            replace(e, value=float(values[e.id])) if e.id in values else e for e in self.endpoints
        )
        return replace(self, endpoints=endpoints)


def _data_text(name: str) -> str:
    return (resources.files("dermasim") / "data" / "calibration" / name).read_text("utf-8")


def _endpoint(raw: dict[str, Any], evidence: dict[str, Any]) -> Endpoint:
    ident = raw.get("id", "?")
    days = tuple(float(d) for d in raw["days"])
    endpoint = Endpoint(
        id=ident,
        table=raw["table"],
        source_value=str(raw["source_value"]),
        scenario=raw["scenario"],
        observable=raw["observable"],
        days=days,
        kind=raw["kind"],
        value=raw.get("value"),
        sd=raw.get("sd"),
        sd_from=raw.get("sd_from", ""),
        sign=raw.get("sign"),
        reference_scenario=raw.get("reference_scenario"),
        reference_day=None if raw.get("reference_day") is None else float(raw["reference_day"]),
        days_from=raw.get("days_from", ""),
        fitted=bool(raw.get("fitted", True)),
        disagreement=raw.get("disagreement", ""),
    )
    problems = []
    if endpoint.kind not in ENDPOINT_KINDS:
        problems.append(f"kind {endpoint.kind!r} is not one of {ENDPOINT_KINDS}")
    if endpoint.scenario not in evidence["scenario"]:
        problems.append(f"scenario {endpoint.scenario!r} is not defined")
    if endpoint.reference_scenario and endpoint.reference_scenario not in evidence["scenario"]:
        problems.append(f"reference_scenario {endpoint.reference_scenario!r} is not defined")
    if endpoint.kind == "quantitative" and not (
        isinstance(endpoint.value, int | float)
        and isinstance(endpoint.sd, int | float)
        and endpoint.sd > 0
    ):
        problems.append("a quantitative endpoint needs a value and a positive sd")
    if endpoint.kind == "direction" and endpoint.sign not in ("+", "-"):
        problems.append("a direction endpoint needs sign '+' or '-'")
    if problems:
        raise EvidenceError(f"calibration endpoint {ident}: " + "; ".join(problems))
    return endpoint


@cache
def load_evidence_set() -> Evidence:
    """Load the bundled calibration evidence (cached; the objects are immutable).

    Examples
    --------
    >>> ev = load_evidence_set()
    >>> ev.scenarios["mn-4-monthly"].patient.age
    55
    """
    raw = tomllib.loads(_data_text("evidence.toml"))
    scenarios = {
        key: Scenario(
            key=key,
            description=s["description"],
            protocol=Protocol.load(s["protocol"]),
            patient=Patient.from_dict(s["patient"]),
            assumptions=s["assumptions"],
            participant_ages=(
                AgeDistribution.from_dict(s["participant_ages"], f"scenario.{key}.participant_ages")
                if "participant_ages" in s
                else None
            ),
            participant_ages_from=s.get("participant_ages_from", ""),
        )
        for key, s in raw["scenario"].items()
    }
    observables = {
        key: Observable(
            key=key,
            unit=o["unit"],
            reads=o["reads"],
            description=o["description"],
            tau=float(o["tau"]),
            gain=o.get("gain"),
            sign=float(o.get("sign", 1.0)),
        )
        for key, o in tomllib.loads(_data_text("observables.toml")).items()
    }
    endpoints = tuple(_endpoint(e, raw) for e in raw["endpoint"])
    for e in endpoints:
        if e.observable not in observables:
            raise EvidenceError(f"calibration endpoint {e.id}: unknown observable {e.observable}")
        needs_day = observables[e.observable].reads in READS_A_REFERENCE_DAY
        if needs_day != (e.reference_day is not None):
            raise EvidenceError(
                f"calibration endpoint {e.id}: observable {e.observable} "
                + ("needs a reference_day" if needs_day else "takes no reference_day")
            )
        if needs_day and not e.reference_day < e.days[0]:  # type: ignore[operator]
            raise EvidenceError(
                f"calibration endpoint {e.id}: reference_day {e.reference_day:g} must come "
                f"before its first observation day {e.days[0]:g}"
            )
    return Evidence(
        scenarios=scenarios,
        observables=observables,
        endpoints=endpoints,
        unused=dict(raw.get("unused", {})),
        out_of_sample_shortfall=dict(raw.get("out_of_sample_shortfall", {})),
    )
