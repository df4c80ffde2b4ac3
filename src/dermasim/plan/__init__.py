"""Planning for one patient: candidacy screen, concerns, and a search over courses.

The package is also callable: ``dermasim.plan(...)`` is :func:`plan`.

>>> import dermasim
>>> result = dermasim.plan({"age": 52, "site": "neck", "smoker": True}, "fine_lines", draws=50)
>>> result.to_json_dict()["schema"]
'dermasim.plan/1'

See :mod:`dermasim.plan.planner` for the method, :mod:`dermasim.plan.concerns` for what
each concern is scored by, :mod:`dermasim.plan.space` for the courses searched and
:mod:`dermasim.plan.compare` for a comparison of protocols the practitioner chose
(``dermasim.compare_protocols``).
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..parameters import ParameterSet, load_parameters
from ..patient import Patient
from ..solve import SolverOptions
from ..units import to_days
from .candidacy import ScreenResult, screen, screen_courses, screen_report
from .concerns import CONCERNS, Concern, get_concern
from .planner import CREDIBLE_P, pareto_front, search
from .result import Evaluation, Plan
from .space import Candidate, SearchSpace

__all__ = [
    "CONCERNS",
    "CREDIBLE_P",
    "Candidate",
    "Concern",
    "Evaluation",
    "Plan",
    "ScreenResult",
    "SearchSpace",
    "get_concern",
    "pareto_front",
    "plan",
    "screen",
    "screen_courses",
    "screen_report",
]

#: Default horizon of a plan: 12 months.
DEFAULT_HORIZON = "12 months"


def plan(
    patient: Patient | Mapping[str, Any] | str | os.PathLike[str] | None,
    concern: str | Concern,
    *,
    horizon: float | str = DEFAULT_HORIZON,
    max_sessions: int | None = None,
    max_downtime_days: float | None = None,
    treatments: Sequence[str] | str | None = None,
    top: int = 8,
    draws: int = 200,
    seed: int = 0,
    parameters: str | ParameterSet = "posterior",
    space: SearchSpace | None = None,
    solver: SolverOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Find the courses that suit a patient's concern, beside two baselines.

    Parameters
    ----------
    patient
        A :class:`~dermasim.patient.Patient`, a mapping of its fields, a patient TOML file or
        None (the default patient).
    concern
        One of :data:`CONCERNS`: ``fine_lines``, ``laxity``, ``acne_scars``, ``texture``,
        ``volume_loss``, ``dullness``.
    horizon
        When the gain is read: days, or a duration such as ``"12 months"`` (30 days to
        3 years).
    max_sessions
        At most this many sessions before the horizon (1 to 24).
    max_downtime_days
        Upper bound on the median downtime per session, days (0 to 60).
    treatments
        Treatments the course may use (default: all that the screen allows).
    top
        Longest short list (1 to 20, default 8).
    draws, seed, parameters
        As for :func:`dermasim.simulate`; every course is simulated on the same draws.
    space
        The grid searched (default :class:`SearchSpace`).
    progress
        Called with (courses done, courses in all) while the grid is simulated.

    Returns
    -------
    Plan
        ``to_json_dict()`` gives the ``dermasim.plan/1`` object.
    """
    from ..errors import SimulationError, invalid_value
    from ..simulation import _as_patient, _check_draws, _check_seed, warn_if_few_draws

    person = _as_patient(patient)
    chosen = concern if isinstance(concern, Concern) else get_concern(concern)
    days = horizon if isinstance(horizon, int | float) else to_days(horizon, field="horizon")
    if isinstance(days, bool) or not 30.0 <= float(days) <= 1096.0:
        raise SimulationError(
            invalid_value("horizon", horizon, "30 days to 3 years", '--horizon "12 months"')
        )
    warn_if_few_draws(_check_draws(draws))
    return search(
        person,
        chosen,
        horizon_days=float(days),
        draws=_check_draws(draws),
        seed=_check_seed(seed),
        parameters=load_parameters(parameters),
        treatments=treatments,
        max_sessions=max_sessions,
        max_downtime_days=max_downtime_days,
        top=top,
        space=space,
        solver=solver,
        progress=progress,
    )


class _CallablePackage(types.ModuleType):
    """``dermasim.plan`` is this package and, when called, :func:`plan`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Plan:
        return plan(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
