r"""Formulas of the SBML translation of the dermasim model (see :mod:`.sbml`).

Every formula is SBML Level 3 infix text (``libsbml.parseL3Formula``) and mirrors one line
of :mod:`dermasim.model`: the derived rates of :func:`~dermasim.model.model_arguments`, the
ageing factors, the per-layer signals and rates of :func:`~dermasim.model.rhs`, the jumps of
:func:`~dermasim.model.apply_course_session` and the endpoints of
:func:`~dermasim.model.observe`. Numbers come from the model's constants.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..calibration.observables import DAYS_PER_DECADE
from ..errors import DermasimError
from ..model.ageing import AGEING_STEP_YEARS, DAYS_PER_YEAR, REFERENCE_AGE_YEARS
from ..model.filler import MM_PER_ML_PER_CM2
from ..model.layout import GLOBAL_STATES, LAYER_STATES, LAYERS

__all__ = [
    "AGEING_STEP_YEARS",
    "AUXILIARY_STATES",
    "NEVER_DAY",
    "OBSERVATION_RULES",
    "SLOW_STATES",
    "ageing_assignments",
    "event_assignments",
    "reference_state",
    "rules",
]

#: Extra states that only the observation models need (gel injected so far, mL/cm2).
AUXILIARY_STATES: tuple[str, ...] = ("filler_injected",)

#: Slow matrix states that :func:`dermasim.model.ageing.age_slow_states` ages from the
#: reference age to the patient's age.
SLOW_STATES: tuple[str, ...] = (
    "collagen_III",
    "collagen_I",
    "tropoelastin",
    "elastin",
    "elastotic_material",
)

#: Trigger day of an event that must not fire again (later than any simulated day).
NEVER_DAY = 1.0e12


def _num(x: float) -> str:
    return repr(float(x))


_YEARS = f"max(age - {_num(REFERENCE_AGE_YEARS)}, 0)"

#: Assignment rules of the derived rates and ageing factors (model_arguments, ageing).
_GLOBAL_RULES: tuple[tuple[str, str], ...] = (
    (
        "collagen_I_degradation",
        f"ln(2) / (collagen_I_half_life_years * {_num(DAYS_PER_YEAR)})",
    ),
    ("collagen_III_degradation", "collagen_III_turnover_ratio * collagen_I_degradation"),
    (
        "collagen_maturation_rate",
        "collagen_maturation_share * collagen_I_degradation * (1 - collagen_III_fraction)"
        " / collagen_III_fraction",
    ),
    (
        "collagen_III_synthesis",
        "(collagen_maturation_rate + collagen_III_degradation) * collagen_III_fraction",
    ),
    (
        "collagen_I_synthesis",
        "collagen_I_degradation * (1 - collagen_III_fraction) * (1 - collagen_maturation_share)",
    ),
    ("new_matrix_stabilisation", "new_matrix_retained_share / new_matrix_lifetime_days"),
    ("new_matrix_resorption", "(1 - new_matrix_retained_share) / new_matrix_lifetime_days"),
    ("elastin_turnover", f"ln(2) / (elastin_half_life_years * {_num(DAYS_PER_YEAR)})"),
    ("elastosis_rate", f"elastosis_rate_per_year / {_num(DAYS_PER_YEAR)}"),
    (
        "exposure",
        "piecewise(uv_factor_low, uv_low == 1, uv_factor_high, uv_high == 1, 1)"
        " * piecewise(smoking_factor, smoker == 1, 1)",
    ),
    ("age", f"age0 + (time - offset_days) / {_num(DAYS_PER_YEAR)}"),
    ("synthesis_capacity", f"exp(-synthesis_decline_per_year * {_YEARS})"),
    ("mmp_basal", f"1 + mmp_rise_per_year * exposure * {_YEARS}"),
    ("fibroblast_response", "pow(synthesis_capacity, ageing_responsiveness_exponent)"),
    ("filler_gel_mm", f"{_num(MM_PER_ML_PER_CM2)} * (filler_gel + filler_gel_subdermal)"),
    ("filler_hydrated_mm", f"(1 + filler_water_uptake) * {_num(MM_PER_ML_PER_CM2)} * filler_gel"),
    ("filler_stretch", "filler_hydrated_mm / (filler_hydrated_mm + filler_stretch_half_mm)"),
)

#: Assignment rules per layer (``{l}`` is the layer).
_LAYER_RULES: tuple[tuple[str, str], ...] = (
    ("mmp_{l}", "mmp_basal * (1 + mmp_inflammation_gain * inflammation_{l})"),
    ("pn_activation_{l}", "pn_depot_{l} / (pn_depot_{l} + pn_half_activation)"),
    (
        "topical_activation_{l}",
        "max(0, topical_depot_{l}) / (max(0, topical_depot_{l}) + topical_half_activation)",
    ),
    (
        "growth_factor_{l}",
        "inflammation_{l} + topical_growth_weight * topical_activation_{l}",
    ),
    ("wound_signal_{l}", "growth_factor_{l} / (growth_factor_{l} + growth_factor_half_activation)"),
    (
        "activation_signal_{l}",
        "wound_signal_{l} + filler_stretch_weight * filler_stretch"
        " + pn_signal_weight * pn_activation_{l}",
    ),
    (
        "new_matrix_III_share_{l}",
        "collagen_III_fraction"
        " + (activated_type_III_share - collagen_III_fraction) * wound_signal_{l}",
    ),
    ("fibroblasts_{l}", "quiescent_fibroblasts_{l} + activated_fibroblasts_{l}"),
    # the patient's untreated content (the baselines follow the ageing events) and the
    # content at which the dermis reaches the site's thickest young-adult dermis
    ("resting_collagen_{l}", "collagen_III_{l}_init + collagen_I_{l}_init"),
    (
        "collagen_packing_limit_{l}",
        "resting_collagen_{l} * pow(thickest_dermis_mm / (papillary_mm + reticular_mm),"
        " 1 / thickness_collagen_exponent)",
    ),
    (
        "packing_room_{l}",
        "min(1, max(0, (collagen_packing_limit_{l} - collagen_III_{l} - collagen_I_{l}"
        " - new_matrix_{l}) / (collagen_packing_limit_{l} - resting_collagen_{l})))",
    ),
)

_ACTIVATION = (
    "fibroblast_response * fibroblast_activation_rate * activation_signal_{l}"
    " * quiescent_fibroblasts_{l}"
)

#: Rate rules per layer (``{l}`` is the layer), keyed by state.
_LAYER_RATES: dict[str, str] = {
    "injury": "-injury_clearance * injury_{l}",
    "inflammation": "inflammation_production * injury_{l}"
    " / (1 + pn_inflammation_damping * pn_activation_{l})"
    " - inflammation_clearance * inflammation_{l}",
    "quiescent_fibroblasts": f"-{_ACTIVATION}"
    " + fibroblast_quiescence_rate * activated_fibroblasts_{l}"
    " - fibroblast_apoptosis_rate * (fibroblasts_{l} - 1) * quiescent_fibroblasts_{l}"
    " / fibroblasts_{l}",
    "activated_fibroblasts": f"{_ACTIVATION}"
    " + fibroblast_response * fibroblast_proliferation_rate * activation_signal_{l}"
    " * activated_fibroblasts_{l} * (1 - fibroblasts_{l} / fibroblast_capacity)"
    " - fibroblast_quiescence_rate * activated_fibroblasts_{l}",
    "new_matrix": "synthesis_capacity * activated_deposition_rate * activated_fibroblasts_{l}"
    " * packing_room_{l}"
    " - new_matrix_stabilisation * new_matrix_{l}"
    " - new_matrix_resorption * mmp_{l} * new_matrix_{l}",
    "new_matrix_III": "new_matrix_III_share_{l} * synthesis_capacity * activated_deposition_rate"
    " * activated_fibroblasts_{l} * packing_room_{l}"
    " - new_matrix_stabilisation * new_matrix_III_{l}"
    " - new_matrix_resorption * mmp_{l} * new_matrix_III_{l}",
    "collagen_III": "synthesis_capacity * collagen_III_synthesis * quiescent_fibroblasts_{l}"
    " * packing_room_{l}"
    " - collagen_maturation_rate * collagen_III_{l}"
    " - collagen_III_degradation * mmp_{l} * collagen_III_{l}",
    "collagen_I": "synthesis_capacity * collagen_I_synthesis * quiescent_fibroblasts_{l}"
    " * packing_room_{l}"
    " + new_matrix_stabilisation * new_matrix_{l}"
    " + collagen_maturation_rate * collagen_III_{l}"
    " - collagen_I_degradation * mmp_{l} * collagen_I_{l}",
    "tropoelastin": "synthesis_capacity * elastin_turnover * (quiescent_fibroblasts_{l}"
    " + activated_tropoelastin_boost * activated_fibroblasts_{l})"
    " - tropoelastin_maturation_rate * tropoelastin_{l}",
    "elastin": "tropoelastin_maturation_rate * tropoelastin_{l}"
    " - elastin_turnover * mmp_{l} * elastin_{l}",
    "elastotic_material": "elastosis_rate * exposure"
    " - elastotic_clearance_gain * inflammation_{l} * elastotic_material_{l}",
    "pn_depot": "-pn_clearance * pn_depot_{l}",
    "topical_depot": "-topical_clearance * topical_depot_{l}",
}

#: Rate rules of the whole-site states (the epidermis reads the top layer's signal).
_GLOBAL_RATES: dict[str, str] = {
    "epidermal_injury": "-injury_clearance * epidermal_injury",
    "epidermal_thickness": f"epidermal_growth_gain * (epidermal_injury + growth_factor_{LAYERS[0]})"
    " - epidermal_relaxation_rate * (epidermal_thickness - 1)",
    "filler_gel": "-filler_degradation_rate * filler_gel",
    "filler_gel_subdermal": "-filler_degradation_rate * filler_gel_subdermal",
    "filler_injected": "0",
}


def _weighted(states: Iterable[str], suffix: str = "") -> str:
    terms = [
        f"{layer}_mm * (" + " + ".join(f"{s}_{layer}{suffix}" for s in states) + ")"
        for layer in LAYERS
    ]
    return "(" + " + ".join(terms) + ")"


def _percent(states: tuple[str, ...], layers: Iterable[str] | None = None) -> str:
    if layers is None:
        now, base = _weighted(states), _weighted(states, "_init")
    else:
        now = "(" + " + ".join(f"{s}_{lay}" for lay in layers for s in states) + ")"
        base = "(" + " + ".join(f"{s}_{lay}_init" for lay in layers for s in states) + ")"
    return f"100 * ({now} / {base} - 1)"


_COLLAGEN = ("collagen_I", "collagen_III", "new_matrix")
_DERMAL_THICKNESS = (
    "dermis_mm * pow(collagen_weighted / collagen_weighted_init, thickness_collagen_exponent)"
    " + filler_hydrated_mm"
)

#: Observation quantities (:func:`dermasim.model.observe` endpoints), as assignment rules.
OBSERVATION_RULES: tuple[tuple[str, str], ...] = (
    ("dermis_mm", "papillary_mm + reticular_mm"),
    ("collagen_weighted", _weighted(_COLLAGEN)),
    ("collagen_weighted_init", _weighted(_COLLAGEN, "_init")),
    ("obs_collagen_density", "100 * (collagen_weighted / collagen_weighted_init - 1)"),
    ("obs_collagen_content", "100 * collagen_weighted / dermis_mm"),
    ("obs_papillary_collagen", _percent(_COLLAGEN, (LAYERS[0],))),
    ("obs_tropoelastin", _percent(("tropoelastin",))),
    ("obs_elastin", _percent(("elastin", "elastotic_material", "tropoelastin"))),
    ("obs_epidermal_thickness", "100 * (epidermal_thickness / epidermal_thickness_init - 1)"),
    ("obs_filler_gel_mm", "filler_gel_mm"),
    (
        "obs_filler_remaining",
        "piecewise(100 * (filler_gel + filler_gel_subdermal) / filler_injected,"
        " filler_injected > 0, 0)",
    ),
    ("obs_dermal_thickness", _DERMAL_THICKNESS),
    (
        "obs_dermal_thickness_initial",
        f"dermis_mm + (1 + filler_water_uptake) * {_num(MM_PER_ML_PER_CM2)} * filler_gel_init",
    ),
    (
        "obs_scar_grade_percent",
        "100 * (exp(-max(0, obs_collagen_density) / scar_fill_collagen_percent) - 1)",
    ),
    (
        "obs_dermal_thickness_per_decade",
        "piecewise(100 * (obs_dermal_thickness / obs_dermal_thickness_initial - 1)"
        f" * {_num(DAYS_PER_DECADE)} / (time - offset_days), time > offset_days, 0)",
    ),
)


def _overlap(depth: str, layer: str) -> str:
    """``clip((min(depth, bottom) - top) / (bottom - top), 0, 1)`` (treatments.layer_overlap)."""
    top, bottom = f"{layer}_top_mm", f"{layer}_bottom_mm"
    return f"max(0, min(1, (min({depth}, {bottom}) - {top}) / ({bottom} - {top})))"


def event_assignments(k: int) -> dict[str, str]:
    """State jumps of session slot ``k`` (treatments.apply_course_session)."""
    channel = f"channel_depth_fraction * mn_depth_mm_{k}"
    needled = f"mn_{k} * needle_coverage * "
    pap, ret = LAYERS
    in_pap = f"pn_depth_mm_{k} <= {pap}_bottom_mm"
    dose = f"pn_dose_mg_per_cm2_{k}"
    gel = f"ha_{k} * ha_gel_ml_per_cm2_{k}"
    out = {
        # one union per session of the day: the injured fraction stays a fraction
        # (treatments._injure), whatever the order of the day's sessions
        "epidermal_injury": f"1 - (1 - epidermal_injury) * (1 - {needled}"
        f"{_overlap(channel, 'epidermis')}) * (1 - pn_{k} * pn_injection_injury)"
        f" * (1 - ha_{k} * filler_injection_injury)",
        f"pn_depot_{pap}": f"pn_depot_{pap} + pn_{k} * piecewise({dose}, {in_pap}, 0)",
        f"pn_depot_{ret}": f"pn_depot_{ret} + pn_{k} * piecewise(0, {in_pap}, {dose})",
        "filler_gel": f"filler_gel + (1 - ha_subdermal_{k}) * {gel}",
        "filler_gel_subdermal": f"filler_gel_subdermal + ha_subdermal_{k} * {gel}",
        "filler_injected": f"filler_injected + {gel}",
    }
    for layer in LAYERS:
        out[f"injury_{layer}"] = (
            f"injury_{layer} + {needled}{_overlap(channel, layer)} * (1 - injury_{layer})"
        )
    return out


def reference_state(state: str) -> str:
    """Initial value of a state (its id without the layer) at the reference age, as a formula
    of the parameters: the start of :func:`~dermasim.model.ageing.age_slow_states` for the
    slow states, rest for the others (:func:`~dermasim.model.initial_state`)."""
    return {
        "collagen_III": "collagen_III_fraction",
        "collagen_I": "1 - collagen_III_fraction",
        "tropoelastin": "elastin_turnover / tropoelastin_maturation_rate",
        "elastin": "1",
        "quiescent_fibroblasts": "1",
        "epidermal_thickness": "1",
    }.get(state, "0")


def ageing_assignments() -> dict[str, str]:
    r"""One step of the exponential ageing integrator (``age_slow_states``) as event
    assignments from the values at the step's start.

    Step ``ageing_done`` (0-based) spans ``h = min(step, span - done step)`` years, with the
    ageing factors frozen at its midpoint (``done step + h/2`` years past the reference age).
    Each slow state ``X`` and its baseline ``X_init`` get the same new value, so that after
    the last step the baseline is the patient's untreated state; the counter and the next
    trigger day move on (:data:`NEVER_DAY` after the last step), and the last step sets
    ``patient_started`` to 1.
    """
    step = "ageing_step_years"
    h = f"min({step}, ageing_span_years - ageing_done * {step})"
    years = f"(ageing_done * {step} + 0.5 * {h})"
    days = f"({h} * {_num(DAYS_PER_YEAR)})"
    cap = f"exp(-synthesis_decline_per_year * {years})"
    mmp = f"(1 + mmp_rise_per_year * exposure * {years})"
    out: dict[str, str] = {}
    for lay in LAYERS:
        c3, c1, te, el, x = (f"{s}_{lay}" for s in SLOW_STATES)
        b3 = f"(collagen_maturation_rate + collagen_III_degradation * {mmp})"
        eq3 = f"({cap} * collagen_III_synthesis / {b3})"
        c3_mid = f"({eq3} + ({c3} - {eq3}) * exp(-{b3} * {days} / 2))"
        b1 = f"(collagen_I_degradation * {mmp})"
        eq1 = f"(({cap} * collagen_I_synthesis + collagen_maturation_rate * {c3_mid}) / {b1})"
        t_eq = f"({cap} * elastin_turnover / tropoelastin_maturation_rate)"
        t_mid = f"({t_eq} + ({te} - {t_eq}) * exp(-tropoelastin_maturation_rate * {days} / 2))"
        be = f"(elastin_turnover * {mmp})"
        eq_e = f"(tropoelastin_maturation_rate * {t_mid} / {be})"
        new = {
            c3: f"{eq3} + ({c3} - {eq3}) * exp(-{b3} * {days})",
            c1: f"{eq1} + ({c1} - {eq1}) * exp(-{b1} * {days})",
            te: f"{t_eq} + ({te} - {t_eq}) * exp(-tropoelastin_maturation_rate * {days})",
            el: f"{eq_e} + ({el} - {eq_e}) * exp(-{be} * {days})",
            x: f"{x} + elastosis_rate * exposure * {days}",
        }
        for sid, formula in new.items():
            out[sid] = formula
            out[f"{sid}_init"] = formula
    out["ageing_done"] = "ageing_done + 1"
    # the rates start with the patient's day 0, at the end of the last step
    out["patient_started"] = f"piecewise(1, (ageing_done + 1) * {step} >= ageing_span_years, 0)"
    out["ageing_next_day"] = (
        f"piecewise(min((ageing_done + 2) * {step}, ageing_span_years) * {_num(DAYS_PER_YEAR)},"
        f" (ageing_done + 1) * {step} < ageing_span_years, {_num(NEVER_DAY)})"
    )
    return out


def _from_patient_start(rate: str) -> str:
    """A rate that is 0 before the patient's own day 0, while the ageing steps run: the
    switch ``patient_started`` is set by the last ageing event, so the rates change at an
    event, where integrators restart, not inside a step."""
    return "0" if rate == "0" else f"patient_started * ({rate})"


def rules() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(assignment rules, rate rules)`` as ``(id, formula)`` in dependency order."""
    if set(_LAYER_RATES) != set(LAYER_STATES) or set(_GLOBAL_RATES) != set(
        GLOBAL_STATES + AUXILIARY_STATES
    ):
        raise DermasimError("the SBML translation does not cover the model's state layout")
    assignments = list(_GLOBAL_RULES)
    assignments += [(i.format(l=lay), f.format(l=lay)) for lay in LAYERS for i, f in _LAYER_RULES]
    assignments += list(OBSERVATION_RULES)
    rates = [(f"{s}_{lay}", _LAYER_RATES[s].format(l=lay)) for s in LAYER_STATES for lay in LAYERS]
    rates += [(s, _GLOBAL_RATES[s]) for s in GLOBAL_STATES + AUXILIARY_STATES]
    return assignments, [(sid, _from_patient_start(rate)) for sid, rate in rates]
