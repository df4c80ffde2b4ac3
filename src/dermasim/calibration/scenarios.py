"""Simulate every evidence scenario for a batch of parameter draws in one integration.

The calibration evaluates all walkers of its ensemble on all scenarios at once: the rows of
one flattened ODE system are ``scenario x draw``, each scenario's patient enters through its
rows' model arguments, and each scenario's sessions are applied to its rows only. Session
days of all scenarios are breakpoints of the one integration, so one call of the integrator
serves the whole likelihood.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..model import (
    apply_day_sessions,
    initial_state,
    model_arguments,
    observe,
    rhs,
)
from ..model.filler import MM_PER_ML_PER_CM2
from ..model.layout import global_index
from ..patient import Patient
from ..protocol import Course
from ..solve import SolverOptions, integrate_course
from ..solve.compiled import compiled_available
from .evidence import Scenario
from .study_population import StudyPopulation

__all__ = ["PRE_SESSION_DAYS", "ScenarioOutputs", "calibration_solver", "simulate_scenarios"]

#: How long before a session's breakpoint a same-day measurement is read (days).
PRE_SESSION_DAYS = 1e-6


#: Where Numba is installed, the compiled backend (each trajectory its own steps) at rtol 1e-6,
#: atol 1e-9: on 64 posterior draws of the 14 scenarios it took 0.08 s, and its endpoints were
#: within 0.15% (relative, or absolute below 1) of an RK45 solve at rtol 1e-7. Without Numba,
#: SciPy's Bogacki-Shampine (RK23) at rtol 1e-3: 1.1 s and within 1.0% on the same draws (at
#: rtol 1e-3 the compiled backend is off by up to 2.6 on tropoelastin, so it is not used
#: there). The validation uses the same options, so that it checks the model the likelihood
#: fitted; predictions (``simulate``) keep their own default tolerances.
@cache
def calibration_solver() -> SolverOptions:
    """The solver options of the likelihood and the validation (see above); Numba is looked
    for on first use, not at import."""
    if compiled_available():
        return SolverOptions(method="RK45", rtol=1e-6, atol=1e-9, dense_days=0.0)
    return SolverOptions(method="RK23", rtol=1e-3, atol=1e-6, dense_days=0.0)


@dataclass(frozen=True)
class ScenarioOutputs:
    """Model endpoints of each scenario at its observation days.

    ``endpoints[scenario][name]`` has shape ``(batch, len(days[scenario]))``: the study mean
    over the virtual participants (the median patient without a study population).
    ``participants[scenario][name]``, where simulated with a study population, has shape
    ``(batch, participants, len(days[scenario]))``.
    """

    days: dict[str, tuple[float, ...]]
    endpoints: dict[str, dict[str, np.ndarray]]
    participants: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def at(self, scenario: str, name: str, days: Sequence[float]) -> np.ndarray:
        """Endpoint ``name`` of ``scenario`` at ``days``: shape ``(batch, len(days))``."""
        index = [self.days[scenario].index(float(d)) for d in days]
        return self.endpoints[scenario][name][:, index]


def _extra_endpoints(states: np.ndarray, injected: np.ndarray) -> dict[str, np.ndarray]:
    # the gel of both planes, as injected: what imaging and the fold's filling see
    gel = (
        states[..., global_index("filler_gel")] + states[..., global_index("filler_gel_subdermal")]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        remaining = np.where(injected > 0, 100.0 * gel / np.where(injected > 0, injected, 1), 0)
    return {"filler_gel_mm": MM_PER_ML_PER_CM2 * gel, "filler_remaining": remaining}


def simulate_scenarios(
    scenarios: Mapping[str, Scenario],
    days: Mapping[str, Sequence[float]],
    values: Mapping[str, np.ndarray],
    *,
    solver: SolverOptions | None = None,
    population: StudyPopulation | None = None,
    patients: Mapping[str, Sequence[Patient]] | None = None,
) -> ScenarioOutputs:
    """Integrate every scenario for every draw of ``values``.

    Parameters
    ----------
    scenarios
        Scenarios by key.
    days
        Observation days by scenario key (each must be within 0 to 3650).
    values
        Model parameter draws by name, each of shape ``(batch,)``.
    solver
        Integrator options (default :func:`calibration_solver`; no dense sampling is
        needed).
    population
        Virtual participants of every study (:mod:`.study_population`): each endpoint is
        then the mean over them, each participant aged within the study's reported ages
        where the scenario has them. None (or one participant): the median patient.
    patients
        One patient per draw by scenario key, in place of the scenario's patient (how the
        participants of ``population`` are simulated).

    Returns
    -------
    ScenarioOutputs
        The endpoints of :func:`dermasim.model.observe` plus ``filler_gel_mm`` (the gel of
        both planes as a layer of its injected volume, mm) and ``filler_remaining`` (gel
        left, % of the gel injected so far).
    """
    solver = solver or calibration_solver()
    if population is not None and population.size > 1:
        batch = next(iter(values.values())).shape[0]
        each = simulate_scenarios(
            scenarios,
            days,
            population.expand(values),
            solver=solver,
            patients={
                k: population.expand_patients(s.patient, s.participant_ages, batch)
                for k, s in scenarios.items()
                if s.participant_ages is not None
            },
        )
        return ScenarioOutputs(
            days=each.days,
            endpoints={
                k: {name: population.mean(x) for name, x in ends.items()}
                for k, ends in each.endpoints.items()
            },
            participants={
                k: {name: population.participants(x) for name, x in ends.items()}
                for k, ends in each.endpoints.items()
            },
        )
    keys = list(scenarios)
    batch = next(iter(values.values())).shape[0]
    who = patients or {}
    args = {k: model_arguments(values, who.get(k, scenarios[k].patient)) for k in keys}
    merged = {name: np.concatenate([args[k][name] for k in keys]) for name in args[keys[0]]}
    y0 = initial_state(merged)
    rows = {k: slice(i * batch, (i + 1) * batch) for i, k in enumerate(keys)}
    sessions: dict[float, list[tuple[str, Course]]] = {}
    injected_by: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    for k in keys:
        for s in scenarios[k].protocol.sessions():
            sessions.setdefault(float(s.day), []).append((k, s.course))
            c = s.course
            if c.treatment == "hyaluronic_filler" and c.volume_ml and c.area_cm2:
                # Gel injected before day t (a same-day measurement precedes the session).
                injected_by[k].append((float(s.day), c.volume_ml / c.area_cm2))

    def jump(y: np.ndarray, day: float) -> np.ndarray:
        y = y.copy()
        today: dict[str, list[Course]] = {}
        for k, course in sessions.get(day, []):
            today.setdefault(k, []).append(course)
        for k, courses in today.items():
            y[rows[k]] = apply_day_sessions(y[rows[k]], courses, args[k])
        return y

    # A measurement on a session day is the visit before that day's session: it is read
    # just before the breakpoint (day 0, the baseline, is the initial state itself).
    session_days = {k: {float(s.day) for s in scenarios[k].protocol.sessions()} for k in keys}

    def read_at(k: str, d: float) -> float:
        return d - PRE_SESSION_DAYS if (d > 0 and d in session_days[k]) else d

    all_days = sorted({read_at(k, float(d)) for k in keys for d in days[k]})
    t_end = max(all_days[-1], 1.0)
    outputs = integrate_course(
        rhs,
        y0,
        merged,
        t_end=t_end,
        session_days=[d for d in sessions if d < t_end],
        jump=jump,
        t_eval=all_days,
        redness_threshold=merged["redness_threshold"],
        options=solver,
    )

    def states_at(t: Sequence[float]) -> np.ndarray:
        return outputs.states[:, np.searchsorted(outputs.times, t), :]

    out: dict[str, dict[str, np.ndarray]] = {}
    for k in keys:
        wanted = [float(d) for d in days[k]]
        states = states_at([read_at(k, d) for d in wanted])[rows[k]].copy()
        # Day 0 is the pre-treatment visit: the state before any session of that day.
        states[:, [i for i, d in enumerate(wanted) if d == 0.0], :] = y0[rows[k]][:, None, :]
        ends = observe(states, y0[rows[k]], args[k])
        injected = np.array(
            [sum(v for d, v in injected_by[k] if d < t) for t in wanted], dtype=float
        )
        ends.update(_extra_endpoints(states, injected[None, :]))
        out[k] = ends
    return ScenarioOutputs(days={k: tuple(float(d) for d in days[k]) for k in keys}, endpoints=out)
