r"""The dermasim ODE model as SBML Level 3 Version 2, for PEtab export.

The SBML model is a line-by-line translation of :func:`dermasim.model.rhs` and the submodels
it calls (injury, growth factors, fibroblasts, collagen, elastin, MMPs, polynucleotide,
filler, epidermis, ageing); the formulas live in :mod:`.sbml_formulas`.

States are SBML parameters with rate rules
    Every state of the model is a ``constant="false"`` SBML parameter whose derivative is a
    rate rule, named ``<state>_<layer>`` (``collagen_I_papillary``) or by its global name
    (``epidermal_thickness``). The states are dimensionless fractions relative to a young adult
    or densities per treated area (mg/cm2, mL/cm2), not amounts of chemical species in a
    compartment: written as species they would need a compartment, substance units and a
    choice between amount and concentration that the model does not have, and reaction-free
    species with rate rules are no simpler. A parameter with a rate rule states
    ``dy/dt = rhs`` exactly as the Python code does. AMICI and other PEtab tools turn
    rate-rule targets into state variables.
Model parameters
    One constant SBML parameter per record of the parameter set, with the same id and its
    point value; given the records, also its unit, a name, notes with its sources and, where a
    source has a DOI, an ``isDescribedBy`` annotation (:mod:`.sbml_annotations`). Time is in
    days.
Derived quantities
    The rates that :func:`dermasim.model.arguments.model_arguments` derives from the records
    (collagen synthesis and degradation, elastin turnover, elastosis rate, exposure factor),
    the age ``age0 + time/365.25``, the ageing factors ``cap`` and ``MMP_0``, and each layer's
    MMP activity, PN activation, growth-factor signal and activation signal are assignment
    rules, so they follow any change of a parameter by an estimation tool.
Patients
    Age (``age0``), exposure flags (``uv_low``, ``uv_high``, ``smoker``) and the layer bounds
    of :meth:`dermasim.geometry.SkinGeometry.layer_bounds` (``<layer>_top_mm``,
    ``<layer>_bottom_mm``, plus ``papillary_mm``, ``reticular_mm`` and the site's thickest
    young-adult dermis ``thickest_dermis_mm``) are constant parameters
    that the PEtab condition table sets per scenario.
Initial state and the patient's own time
    SBML time starts at the reference age (23.5 years) for a patient older than that, and at
    the patient's age otherwise: the patient's day 0 is ``time = offset_days``, with
    ``offset_days = ageing_span_years * 365.25`` and ``ageing_span_years = max(age0 - 23.5,
    0)`` (condition values, since they depend on the patient only). Every state starts at its
    value at the reference age, a formula of the parameters (``X = X_init``, with ``X_init``
    an initial assignment from :func:`.sbml_formulas.reference_state`). Until
    ``offset_days`` the event ``ageing`` applies the steps of the exponential integrator of
    :func:`dermasim.model.ageing.age_slow_states` (a quarter year each, the last one shorter)
    to the slow states and to their baselines ``X_init``, so that the untreated state at the
    patient's age, and with it every percent-change baseline, follows the parameters as it
    does in dermasim. The event re-arms itself through ``ageing_done`` and
    ``ageing_next_day``; these, the baselines and ``patient_started`` are rate rules of 0 with
    initial assignments, so that tools re-evaluate them, as they do the states, when the
    parameters change. Every rate rule is multiplied by ``patient_started``: 0 until the last
    ageing step sets it to 1 (1 from the start for a patient no older than the reference
    age), so the rates switch on at an event, where integrators restart.
Treatment sessions
    Slot ``k`` (``1..K``) is an event triggered at ``time >= offset_days + session_day_k``
    (initial value false, so a day-0 session fires at the patient's start). Its magnitudes
    are condition parameters: flags ``mn_k``, ``pn_k``, ``ha_k`` (0 or 1), the needle depth
    ``mn_depth_mm_k``, the PN dose per area ``pn_dose_mg_per_cm2_k`` and depth
    ``pn_depth_mm_k``, the gel volume per area ``ha_gel_ml_per_cm2_k`` and its plane
    ``ha_subdermal_k`` (1 below the dermis, 0 in it). The jumps are those of
    :func:`dermasim.model.apply_course_session`, the layer overlap written with ``min`` and
    ``max``. Sessions of one day share a slot, so no two events fire together; unused slots
    have zero magnitudes and a day after every horizon.
Observation quantities
    The endpoints that the calibration reads (``obs_collagen_density``, ...) are assignment
    rules following :func:`dermasim.model.observe`; their baselines are the ``*_init``
    parameters. A PEtab measurement on the patient's day ``d`` is at ``time = offset_days +
    d``. ``filler_injected`` (a rate rule of 0, raised by the filler events) counts
    the gel injected so far, for ``obs_filler_remaining``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DermasimError
from ..geometry import thickest_dermis_mm
from ..model.ageing import DAYS_PER_YEAR, REFERENCE_AGE_YEARS
from ..model.layout import GLOBAL_STATES, LAYER_STATES, LAYERS
from ..parameters.record import Parameter
from ..patient import Patient
from ..protocol import Protocol
from .sbml_annotations import (
    CONDITION_UNITS,
    STATE_UNITS,
    add_unit_definitions,
    annotate,
    unit_id,
)
from .sbml_formulas import (
    AGEING_STEP_YEARS,
    AUXILIARY_STATES,
    NEVER_DAY,
    OBSERVATION_RULES,
    ageing_assignments,
    event_assignments,
    reference_state,
    rules,
)

__all__ = [
    "AUXILIARY_STATES",
    "GEOMETRY_IDS",
    "OBSERVATION_RULES",
    "PATIENT_IDS",
    "SLOT_FIELDS",
    "STATE_IDS",
    "build_sbml",
    "condition_values",
    "offset_days",
    "session_slots",
]

#: SBML ids of the model states, in the column order of the dermasim state array.
STATE_IDS: tuple[str, ...] = tuple(
    [f"{s}_{layer}" for s in LAYER_STATES for layer in LAYERS] + list(GLOBAL_STATES)
)

#: Condition parameters describing the patient (besides the geometry): the age, the years
#: from the reference age to it and the SBML time of the patient's day 0, and exposures.
PATIENT_IDS: tuple[str, ...] = (
    "age0",
    "ageing_span_years",
    "offset_days",
    "uv_low",
    "uv_high",
    "smoker",
)

_BOUND_LAYERS = ("epidermis", "papillary", "reticular")
#: Condition parameters of the layer geometry (mm from the skin surface, and thicknesses).
GEOMETRY_IDS: tuple[str, ...] = tuple(
    [f"{layer}_{edge}_mm" for layer in _BOUND_LAYERS for edge in ("top", "bottom")]
    + ["papillary_mm", "reticular_mm", "thickest_dermis_mm"]
)

#: Per-slot condition parameters; the SBML id is ``<field>_<k>``.
SLOT_FIELDS: tuple[str, ...] = (
    "session_day",
    "mn",
    "mn_depth_mm",
    "pn",
    "pn_dose_mg_per_cm2",
    "pn_depth_mm",
    "ha",
    "ha_gel_ml_per_cm2",
    "ha_subdermal",
)


def session_slots(protocol: Protocol) -> list[dict[str, float]]:
    """Session slots of a protocol: one per distinct session day, in day order.

    Raises
    ------
    DermasimError
        If one treatment has two sessions on the same day (one slot holds one of each), or
        for a topical session: the amount it delivers depends on the permeability models,
        which the export does not carry.
    """
    slots: dict[float, dict[str, float]] = {}
    for session in protocol.sessions():
        c = session.course
        if c.treatment == "topical":
            raise DermasimError(
                f"protocol {protocol} has a topical session on day {session.day:g}; the SBML "
                "and PEtab export carries the topical depot's dynamics but not the delivery "
                "into it, so it holds microneedling, polynucleotide and filler sessions only; "
                "for example export the protocol without its topical course"
            )
        slot = slots.setdefault(float(session.day), {"session_day": float(session.day)})
        key = {"microneedling": "mn", "polynucleotide": "pn", "hyaluronic_filler": "ha"}[
            c.treatment
        ]
        if key in slot:
            raise DermasimError(
                f"protocol {protocol} has two {c.treatment} sessions on day {session.day:g}, "
                "which the PEtab export cannot hold; for example merge them into one course"
            )
        slot[key] = 1.0
        if key == "mn":
            assert c.depth_mm is not None
            slot["mn_depth_mm"] = c.depth_mm
        elif key == "pn":
            assert c.dose_mg is not None and c.area_cm2 is not None and c.depth_mm is not None
            slot["pn_dose_mg_per_cm2"] = c.dose_mg / c.area_cm2
            slot["pn_depth_mm"] = c.depth_mm
        else:
            assert c.volume_ml is not None and c.area_cm2 is not None
            slot["ha_gel_ml_per_cm2"] = c.volume_ml / c.area_cm2
            slot["ha_subdermal"] = 1.0 if c.plane == "subdermal" else 0.0
    return [slots[d] for d in sorted(slots)]


def offset_days(patient: Patient) -> float:
    """SBML time of the patient's day 0: days from the reference age to their age (0 for a
    patient younger than that)."""
    return max(float(patient.age) - REFERENCE_AGE_YEARS, 0.0) * DAYS_PER_YEAR


def condition_values(
    patient: Patient,
    protocol: Protocol,
    n_slots: int,
    never_day: float,
) -> dict[str, float]:
    """Condition-table values of one scenario: patient, geometry and sessions.

    Parameters
    ----------
    patient, protocol
        The scenario.
    n_slots
        Number of session slots of the SBML model.
    never_day
        Trigger day of unused slots (after every horizon).
    """
    out = {
        "age0": float(patient.age),
        "ageing_span_years": max(float(patient.age) - REFERENCE_AGE_YEARS, 0.0),
        "offset_days": offset_days(patient),
        "uv_low": float(patient.uv_exposure == "low"),
        "uv_high": float(patient.uv_exposure == "high"),
        "smoker": float(patient.smoker),
    }
    geometry = patient.geometry()
    bounds = geometry.layer_bounds()
    edges = {
        "epidermis": (bounds["stratum_corneum"][0], bounds["viable_epidermis"][1]),
        **{layer: bounds[layer] for layer in LAYERS},
    }
    for layer, (top, bottom) in edges.items():
        out[f"{layer}_top_mm"], out[f"{layer}_bottom_mm"] = float(top), float(bottom)
    out["papillary_mm"] = geometry.papillary_mm
    out["reticular_mm"] = geometry.reticular_mm
    out["thickest_dermis_mm"] = thickest_dermis_mm(patient.sex, patient.site)
    slots = session_slots(protocol)
    if len(slots) > n_slots:
        raise DermasimError(
            f"protocol {protocol} has {len(slots)} session days but the model has {n_slots} "
            f"slots; for example export with n_slots = {len(slots)}"
        )
    for k in range(1, n_slots + 1):
        slot = slots[k - 1] if k <= len(slots) else {"session_day": never_day}
        for name in SLOT_FIELDS:
            out[f"{name}_{k}"] = float(slot.get(name, 0.0))
    return out


def _math(libsbml: Any, formula: str, where: str) -> Any:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise DermasimError(f"SBML formula of {where} does not parse: {formula}")
    return ast


def _check(code: int, what: str) -> None:
    if code != 0:  # libsbml.LIBSBML_OPERATION_SUCCESS
        raise DermasimError(f"SBML export failed at {what} (libsbml code {code})")


def build_sbml(
    parameters: Mapping[str, float],
    n_slots: int,
    defaults: Mapping[str, float],
    records: Mapping[str, Parameter] | None = None,
    initial_state: Mapping[str, float] | None = None,
) -> str:
    """SBML L3V2 document (XML text) of the dermasim model.

    Parameters
    ----------
    parameters
        Model parameter values by name (SBML ids are the names).
    n_slots
        Number of session slots (events).
    defaults
        Default values of the condition parameters (see :func:`condition_values`); the
        PEtab condition table overrides them.
    records
        Parameter records by name: each parameter then carries its unit, a name and notes
        with its sources (:mod:`.sbml_annotations`). The time unit is the day either way.
    initial_state
        Given, the model starts at the patient's day 0 from these states (by SBML id, each
        ``X_init`` a constant parameter that a simulator may set before it resets the
        model), with no ageing steps; ``defaults`` must then have ``offset_days = 0`` and
        ``ageing_span_years = 0``. For a simulator handed dermasim's own initial states, as
        the benchmarks do; the PEtab export ages the states in SBML.

    Raises
    ------
    DermasimError
        If libsbml is not installed, an id is used twice, or libsbml rejects the model.
    """
    try:
        import libsbml
    except ImportError:  # pragma: no cover - exercised without the extra
        raise DermasimError(
            "the PEtab export needs python-libsbml; install dermasim[petab]"
        ) from None

    assignments, rates = rules()
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    _check(model.setId("dermasim"), "model id")
    model.setName("dermasim dermal remodelling model")
    add_unit_definitions(libsbml, model)
    seen: set[str] = set()

    def parameter(pid: str, value: float | None, constant: bool, unit: str | None = None) -> Any:
        if pid in seen:
            raise DermasimError(f"SBML id {pid!r} is used twice; rename the parameter")
        seen.add(pid)
        p = model.createParameter()
        _check(p.setId(pid), f"parameter {pid}")
        _check(p.setConstant(constant), f"parameter {pid}")
        if value is not None:
            _check(p.setValue(float(value)), f"parameter {pid}")
        if unit is not None:
            _check(p.setUnits(unit_id(unit)), f"parameter {pid}")
        return p

    def initial(pid: str, formula: str) -> None:
        ia = model.createInitialAssignment()
        _check(ia.setSymbol(pid), f"initial assignment {pid}")
        _check(ia.setMath(_math(libsbml, formula, pid)), f"initial assignment {pid}")

    for name, value in parameters.items():
        p = parameter(name, value, True)
        if records is not None and name in records:
            annotate(libsbml, p, records[name])
    for name, value in defaults.items():
        slot_field = name.rsplit("_", 1)[0]
        unit = CONDITION_UNITS.get(name, CONDITION_UNITS.get(slot_field, "mm"))
        parameter(name, value, True, unit)
    parameter("ageing_step_years", AGEING_STEP_YEARS, True, "year")

    def held(pid: str, formula: str, unit: str | None = None) -> None:
        """A quantity that only events change: a rate rule of 0 with an initial assignment
        (tools re-evaluate these when the parameters change, as they do for states)."""
        parameter(pid, None, False, unit)
        initial(pid, formula)
        rule = model.createRateRule()
        _check(rule.setVariable(pid), f"rate rule {pid}")
        _check(rule.setMath(_math(libsbml, "0", pid)), f"rate rule {pid}")

    if initial_state is not None:
        if defaults.get("offset_days") != 0.0 or defaults.get("ageing_span_years") != 0.0:
            raise DermasimError(
                "build_sbml with an initial_state starts at the patient's day 0: set "
                "offset_days = 0 and ageing_span_years = 0 in defaults"
            )
        parameter("patient_started", 1.0, True, "1")
    else:
        held("ageing_done", "0", "1")
        held(
            "ageing_next_day",
            f"piecewise(min(ageing_step_years, ageing_span_years) * {DAYS_PER_YEAR!r},"
            f" ageing_span_years > 0, {NEVER_DAY!r})",
            "day",
        )
        held("patient_started", "piecewise(0, ageing_span_years > 0, 1)", "1")
    for sid, _ in rates:
        state = sid.rsplit("_", 1)[0] if sid.endswith(tuple(f"_{x}" for x in LAYERS)) else sid
        unit = STATE_UNITS.get(state, "1")
        if initial_state is not None:
            parameter(f"{sid}_init", initial_state.get(sid, 0.0), True, unit)
        else:
            held(f"{sid}_init", reference_state(state), unit)
        parameter(sid, None, False, unit)
        initial(sid, f"{sid}_init")
    for rid, formula in assignments:
        parameter(rid, None, False)
        rule = model.createAssignmentRule()
        _check(rule.setVariable(rid), f"assignment rule {rid}")
        _check(rule.setMath(_math(libsbml, formula, rid)), f"assignment rule {rid}")
    for sid, formula in rates:
        rule = model.createRateRule()
        _check(rule.setVariable(sid), f"rate rule {sid}")
        _check(rule.setMath(_math(libsbml, formula, sid)), f"rate rule {sid}")
    if initial_state is None:
        ageing = model.createEvent()
        _check(ageing.setId("ageing"), "ageing event")
        _check(ageing.setUseValuesFromTriggerTime(True), "ageing event")
        trigger = ageing.createTrigger()
        _check(trigger.setInitialValue(True), "ageing event")
        _check(trigger.setPersistent(True), "ageing event")
        _check(trigger.setMath(_math(libsbml, "time >= ageing_next_day", "ageing")), "ageing event")
        for variable, formula in ageing_assignments().items():
            ea = ageing.createEventAssignment()
            _check(ea.setVariable(variable), "ageing event")
            _check(ea.setMath(_math(libsbml, formula, "ageing event")), "ageing event")
    for k in range(1, n_slots + 1):
        event = model.createEvent()
        _check(event.setId(f"session_{k}"), f"event {k}")
        _check(event.setUseValuesFromTriggerTime(True), f"event {k}")
        trigger = event.createTrigger()
        _check(trigger.setInitialValue(False), f"event {k}")
        _check(trigger.setPersistent(True), f"event {k}")
        at = f"time >= offset_days + session_day_{k}"
        _check(trigger.setMath(_math(libsbml, at, f"event {k}")), f"event {k}")
        for variable, formula in event_assignments(k).items():
            ea = event.createEventAssignment()
            _check(ea.setVariable(variable), f"event {k}")
            _check(ea.setMath(_math(libsbml, formula, f"event {k}")), f"event {k}")
    return str(libsbml.writeSBMLToString(doc))
