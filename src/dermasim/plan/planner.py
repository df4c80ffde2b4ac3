r"""The planner: which course suits this patient's concern, and how sure is that?

1. **Screen** the patient (:mod:`dermasim.plan.candidacy`): contraindicated treatments leave
   the search; needle depths beyond the patient's skin leave the grid.
2. **Enumerate** the course grid (:mod:`dermasim.plan.space`) within the constraints: at
   most ``max_sessions`` sessions before the horizon.
3. **Simulate** every candidate and the two baselines, *no treatment* and the concern's
   *standard course* (:mod:`dermasim.plan.concerns`), on the same parameter draws (one seed),
   so draw ``d`` is the same skin under every course. For draw ``d`` the gain of a course is
   the concern's endpoint at the horizon; its effect over no treatment and its difference
   from the standard course are paired differences

   .. math::

       \Delta^{\mathrm{none}}_d = s\,(y_d - y^{\mathrm{none}}_d), \qquad
       \Delta^{\mathrm{std}}_d = y_d - y^{\mathrm{std}}_d,

   with ``s = +1`` when a higher endpoint is better and ``-1`` when lower is (scar grade).
   ``P(better than standard)`` is the share of draws where :math:`s\,\Delta^{\mathrm{std}}_d
   > 0` (ties count half, :class:`dermasim.cohort.PairedDifference`).
4. **Keep** the courses that respect ``max_downtime_days`` (on the median downtime per
   session) and are credibly better than no treatment, :math:`P(\Delta^{\mathrm{none}} > 0)
   \ge` :data:`CREDIBLE_P` (a course that does nothing has ``P = 0.5`` and never enters).
5. **Pareto set** over three objectives: the median effect (higher), the median total
   downtime of the course (lower) and the number of sessions (lower). The short list is the
   Pareto set ordered by median effect, keeping the best course of each kind (family) and
   number of sessions, at most ``top`` plans, so that the trade-off between fewer sessions
   and more gain stays in view.
6. **Ties.** Each plan after the first is compared with the first on the paired draws; where
   the 90% interval of that difference contains 0 the two cannot be told apart within the
   uncertainty, and the plan says so instead of being ranked below.

Every number is a distribution over posterior draws: the median and the 5th-95th
percentiles. dermasim is a research and planning aid, not medical advice.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from ..contraindications import TREATMENTS
from ..errors import ContraindicationError, SimulationError, check_integer, invalid_value
from ..parameters import ParameterSet
from ..patient import Patient
from ..protocol import Protocol
from ..protocol.course import resolve_treatment
from ..simulation import Simulation, run_logger
from ..solution import share_better
from ..solve import SolverOptions
from .candidacy import screen, screen_courses, usual_max_depth_mm
from .concerns import Concern
from .result import Evaluation, Plan
from .space import Candidate, SearchSpace

logger = logging.getLogger("dermasim")

__all__ = ["CREDIBLE_P", "evaluate", "pareto_front", "search", "site_standard", "visits"]

#: A plan must beat no treatment on at least this share of the paired draws.
CREDIBLE_P = 0.8

#: Largest number of plans the short list may hold.
MAX_TOP = 20


def evaluate(
    candidate: Candidate,
    patient: Patient,
    concern: Concern,
    *,
    horizon_days: float,
    draws: int,
    seed: int,
    parameters: ParameterSet,
    solver: SolverOptions | None = None,
) -> Evaluation:
    """Simulate one course for the patient and read the concern's endpoints at the horizon."""
    sim = Simulation(
        protocol=candidate.protocol,
        patient=patient,
        parameters=parameters,
        solver=solver or SolverOptions(),
    )
    sol = sim.run(days=horizon_days, draws=draws, seed=seed, at=[horizon_days], daily=False)
    column = int(np.searchsorted(sol.times, horizon_days))
    values = {name: sol.values(name)[:, column] for name in (concern.endpoint, *concern.also_shown)}
    return Evaluation(
        protocol=candidate.protocol,
        family=candidate.family,
        values=values,
        downtime=sol.downtime,
        sessions=visits(candidate.protocol, horizon_days),
        screen=screen_courses(patient, candidate.protocol.courses),
    )


def site_standard(concern: Concern, patient: Patient) -> tuple[Protocol, str]:
    """The concern's standard course at this patient's site, and a note if it was adapted.

    A standard needle depth beyond the usual range at the site (see
    :func:`dermasim.plan.candidacy.usual_max_depth_mm`) is lowered to the deepest 0.5 mm step
    inside it (at least 0.5 mm), so that the baseline is a course a practitioner would give
    there; the note says so.
    """
    protocol = Protocol.parse(concern.standard)
    limit = usual_max_depth_mm(patient)
    courses = []
    changed = []
    for course in protocol.courses:
        depth = course.depth_mm
        if course.treatment == "microneedling" and depth is not None and depth > limit:
            lowered = max(0.5, math.floor(2.0 * limit) / 2.0)
            changed.append(f"{depth:g} mm -> {lowered:g} mm")
            course = dataclasses.replace(course, depth_mm=lowered)
        courses.append(course)
    if not changed:
        return protocol, ""
    note = (
        f"the standard course's needles are set to {courses[0].depth_mm:g} mm at this site "
        f"({', '.join(changed)}: the usual range here ends at {limit:.2f} mm)"
    )
    return Protocol(tuple(courses)), note


def visits(protocol: Protocol, horizon_days: float) -> int:
    """Number of session days before the horizon: treatments given on the same day (a serum
    straight after needling) are one session."""
    return len({float(s.day) for s in protocol.sessions() if s.day < horizon_days})


def pareto_front(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``points`` ``(n, k)``, every column minimised.

    A row is dominated when another is no worse in every column and better in one.

    Examples
    --------
    >>> pareto_front(np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]]))
    array([0, 1])
    """
    points = np.asarray(points, dtype=float)
    keep = []
    for i, p in enumerate(points):
        no_worse = (points <= p).all(axis=1)
        better = (points < p).any(axis=1)
        if not (no_worse & better).any():
            keep.append(i)
    return np.asarray(keep, dtype=int)


def search(
    patient: Patient,
    concern: Concern,
    *,
    horizon_days: float,
    draws: int,
    seed: int,
    parameters: ParameterSet,
    treatments: Sequence[str] | None = None,
    max_sessions: int | None = None,
    max_downtime_days: float | None = None,
    top: int = 8,
    space: SearchSpace | None = None,
    solver: SolverOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Run the planner (see the module docstring); inputs are taken as checked except
    ``treatments``, ``max_sessions``, ``max_downtime_days`` and ``top``."""
    space = space or SearchSpace()
    wanted = _check_treatments(treatments)
    max_sessions, max_downtime_days, top = _check_limits(max_sessions, max_downtime_days, top)
    if concern.name == "acne_scars" and not patient.acne_scars:
        raise SimulationError(
            invalid_value(
                "concern",
                concern.name,
                "a concern the patient has: acne_scars needs a patient with acne_scars graded "
                "1 to 4 (Goodman-Baron)",
                "--concern texture",
            )
        )
    screened = screen(patient, TREATMENTS)
    usable = [r.treatment for r in screened if r.allowed and r.treatment in wanted]
    max_depth = patient.geometry().total_mm

    def simulate(candidate: Candidate) -> Evaluation:
        return evaluate(
            candidate,
            patient,
            concern,
            horizon_days=horizon_days,
            draws=draws,
            seed=seed,
            parameters=parameters,
            solver=solver,
        )

    logger.info(
        "plan: %s for %s; treatments %s; horizon %g days, %d draws (seed %d)",
        concern.name,
        patient.describe(),
        ", ".join(usable) or "none usable",
        horizon_days,
        draws,
        seed,
    )
    started = time.perf_counter()
    notes: list[str] = []
    none = simulate(Candidate(Protocol(), "none"))
    standard: Evaluation | None = None
    blocked: str | None = None
    standard_protocol, adapted = site_standard(concern, patient)
    if adapted:
        notes.append(adapted)
    try:
        standard = simulate(Candidate(standard_protocol, "standard"))
    except ContraindicationError as exc:
        blocked = str(exc)
        notes.append(f"the standard course is not a candidate for this patient: {blocked}")

    grid = space.candidates(usable, horizon_days=horizon_days, max_depth_mm=max_depth)
    left_out: dict[str, int] = {}

    def leave(reason: str) -> None:
        left_out[reason] = left_out.get(reason, 0) + 1

    unlimited = space.candidates(usable, horizon_days=horizon_days, max_depth_mm=np.inf)
    for _ in range(len(unlimited) - len(grid)):
        leave(f"needle or injection deeper than the patient's skin ({max_depth:.2f} mm)")
    for found in screened:
        if found.treatment in wanted and not found.allowed:
            notes.append(f"{found.treatment} is {found.summary()}")
    kept_grid = []
    for candidate in grid:
        n = visits(candidate.protocol, horizon_days)
        if max_sessions is not None and n > max_sessions:
            leave(f"more than {max_sessions} sessions")
            continue
        kept_grid.append(candidate)
    evaluations: list[Evaluation] = []
    with _muted(run_logger):  # one line per course would bury the summary
        for k, candidate in enumerate(kept_grid):
            if progress is not None:
                progress(k, len(kept_grid))
            evaluations.append(simulate(candidate))
    if progress is not None:
        progress(len(kept_grid), len(kept_grid))
    logger.info(
        "plan: %d courses in the search space, %d simulated on paired draws in %.1f s",
        len(unlimited),
        len(kept_grid),
        time.perf_counter() - started,
    )

    endpoint = concern.endpoint
    admissible = []
    for e in evaluations:
        if max_downtime_days is not None and np.median(e.downtime_per_session) > max_downtime_days:
            leave(f"median downtime per session above {max_downtime_days:g} days")
            continue
        if share_better(e.values[endpoint] - none.values[endpoint], concern.better) < CREDIBLE_P:
            leave(f"better than no treatment on fewer than {CREDIBLE_P:.0%} of draws")
            continue
        admissible.append(e)
    plans: list[Evaluation] = []
    if admissible:
        plans, on_front = _short_list(admissible, none, concern, top)
        if on_front > len(plans):
            notes.append(
                f"{on_front} courses are on the Pareto set; shown: the best of each kind and "
                f"number of sessions, at most {top} (--top)"
            )
        left_out["dominated (another course is as good in every objective and better in one)"] = (
            len(admissible) - on_front
        )
    else:
        notes.append(
            "no course in the search space meets the constraints and beats no treatment "
            "credibly; relax --max-downtime-days or --max-sessions, or allow more treatments"
        )
    result = Plan(
        patient=patient,
        concern=concern,
        horizon_days=horizon_days,
        draws=draws,
        seed=seed,
        parameters=parameters,
        screen=screened,
        space=space,
        constraints={
            "max_sessions": max_sessions,
            "max_downtime_days": max_downtime_days,
            "treatments": list(wanted),
        },
        none=none,
        standard=standard,
        standard_blocked=blocked,
        plans=plans,
        evaluated=len(evaluations),
        left_out={k: v for k, v in left_out.items() if v},
        credible_p=CREDIBLE_P,
        notes=notes,
    )
    logger.info(
        "plan: %d admissible, %d on the short list; left out: %s",
        len(admissible),
        len(plans),
        "; ".join(f"{v} {k}" for k, v in result.left_out.items()) or "none",
    )
    ties = [str(r["rank"]) for r in result.rows()[1:] if r["indistinguishable_from_best"]]
    if ties:
        which = f"plan {ties[0]}" if len(ties) == 1 else f"plans {', '.join(ties)}"
        notes.append(
            f"{which} cannot be told apart from plan 1 within the uncertainty "
            "(the 90% interval of the paired difference contains 0)"
        )
    return result


@contextmanager
def _muted(log: logging.Logger) -> Iterator[None]:
    """Silence ``log`` below WARNING for the block."""
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def _short_list(
    admissible: list[Evaluation], none: Evaluation, concern: Concern, top: int
) -> tuple[list[Evaluation], int]:
    """The Pareto set over (median effect, median total downtime, sessions), best effect
    first, keeping the best course of each (family, sessions) group, at most ``top``; and the
    size of the Pareto set."""
    sign = 1.0 if concern.better == "higher" else -1.0
    endpoint = concern.endpoint
    objectives = np.array(
        [
            [
                -float(np.median(sign * (e.values[endpoint] - none.values[endpoint]))),
                float(np.median(e.downtime_total)),
                float(e.sessions),
            ]
            for e in admissible
        ]
    )
    front = pareto_front(objectives)
    order = sorted(front, key=lambda i: tuple(objectives[i]))
    shown: list[Evaluation] = []
    groups: set[tuple[str, int]] = set()
    for i in order:
        group = (admissible[i].family, admissible[i].sessions)
        if group not in groups:
            groups.add(group)
            shown.append(admissible[i])
    return shown[:top], len(front)


def _check_limits(
    max_sessions: int | None, max_downtime_days: float | None, top: int
) -> tuple[int | None, float | None, int]:
    """The constraints as numbers, or a one-line error naming the option."""
    if max_sessions is not None:
        max_sessions = check_integer("max_sessions", max_sessions, 1, 24, "--max-sessions 4")
    if max_downtime_days is not None:
        if (
            isinstance(max_downtime_days, bool)
            or not isinstance(max_downtime_days, int | float)
            or not 0.0 <= float(max_downtime_days) <= 60.0
        ):
            raise SimulationError(
                invalid_value(
                    "max_downtime_days", max_downtime_days, "0 to 60 days", "--max-downtime-days 6"
                )
            )
        max_downtime_days = float(max_downtime_days)
    return max_sessions, max_downtime_days, check_integer("top", top, 1, MAX_TOP, "--top 5")


def _check_treatments(treatments: Sequence[str] | None) -> tuple[str, ...]:
    if treatments is None:
        return TREATMENTS
    if isinstance(treatments, str):
        treatments = [t for t in treatments.split(",") if t.strip()]
    out = [
        resolve_treatment(name.strip() if isinstance(name, str) else name, where="treatments")
        for name in treatments
    ]
    if not out:
        raise SimulationError(
            invalid_value(
                "treatments",
                treatments,
                "one or more of " + ", ".join(TREATMENTS),
                "--treatments microneedling,polynucleotide",
            )
        )
    return tuple(dict.fromkeys(out))
