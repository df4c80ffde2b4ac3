r"""Observation functions: model states to measurable endpoints.

Contents are combined over the two dermal layers weighted by their thickness ``h_l``;
percent endpoints are changes from the patient's own pre-treatment state ``y_0``:

.. math::

    \mathrm{collagen\_density}(t) = 100\left(
        \frac{\sum_l h_l\,(C_{1,l} + C_{3,l} + N_l)(t)}{\sum_l h_l\,(C_{1,l} + C_{3,l} + N_l)(0)}
        - 1\right)

where ``N`` is the new, immature matrix of a response (:mod:`dermasim.model.collagen`),
and likewise ``collagen_I`` (``C1 + N - N3``), ``collagen_III`` (``C3 + N3``, with ``N3``
the type-III part of new matrix), ``elastin`` (E + X + T, all
elastic material as histology stains it), ``tropoelastin`` (T) and ``papillary_collagen``
(papillary layer only). ``collagen_content`` is the absolute content,
``100 \sum_l h_l (C_1 + C_3 + N)_l / \sum_l h_l``, in percent of the young-adult reference,
so that an older patient starts lower. ``epidermal_thickness`` is ``100 (E_p/E_p(0) - 1)``.
Dermal thickness in mm follows the collagen content and adds the gel:

.. math::

    D(t) = D_0 \left(\frac{C(t)}{C(0)}\right)^{\theta} + 10\,(1 + w)\,H(t),

with ``D_0`` the patient's dermal thickness (site, sex, age), ``theta`` assumed and
``10 (1 + w) H`` the hydrated gel's thickness (:mod:`dermasim.model.filler`).
``inflammation`` is the thickness-weighted mean of ``M`` (arbitrary units).

``scar_grade`` is the grade of atrophic acne scars on Goodman and Baron's qualitative scale
(0 none, 1 macular to 4 severe), starting at the patient's own grade ``S_0``
(``acne_scars``). An atrophic scar is a dermal collagen deficit that new matrix fills, so the
grade falls with the collagen the skin gains over its baseline:

.. math::

    \mathrm{scar\_grade}(t) = S_0 \exp\left(-\frac{\max(0, \Delta C(t))}{c_s}\right),

with ``Delta C`` the ``collagen_density`` change in percent (new matrix included) and ``c_s``
(``scar_fill_collagen_percent``, assumed, fitted to Minh 2019's scar-grade course, rows
MN-M19-1/2) the gain that lowers the grade by a factor e. The grade never rises above the
patient's own (untreated ageing does not deepen a scar in the model, an assumption), and is
0 throughout for a patient without scars. Scarred skin otherwise follows the same biology
as unscarred skin: no measurement of how scar tissue responds differently was found.

Redness (arbitrary units) is the injured fraction ``I_e + \sum_l I_l``: erythema and
swelling follow the injury and resolve as it heals, while the slower inflammatory
(macrophage) phase that drives remodelling is not visible. The downtime after a session is
the time until redness last exceeds the visibility threshold before the next session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .filler import hydrated_gel_mm
from .layout import LAYERS, global_index, layer_index

__all__ = [
    "ENDPOINTS",
    "ENDPOINT_UNITS",
    "REDNESS_COLUMNS",
    "downtime_days",
    "observe",
    "redness",
    "scar_grade",
]

#: Endpoint name -> (unit, description).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "collagen_density": ("%", "dermal collagen content (types I + III), change from baseline"),
    "collagen_content": (
        "% of young adult",
        "dermal collagen content relative to the same layer at the young-adult reference age",
    ),
    "papillary_collagen": ("%", "papillary-dermis collagen content, change from baseline"),
    "collagen_I": ("%", "dermal collagen type I, change from baseline"),
    "collagen_III": ("%", "dermal collagen type III, change from baseline"),
    "elastin": ("%", "total elastic material (functional, elastotic, tropoelastin)"),
    "tropoelastin": ("%", "tropoelastin, change from baseline"),
    "epidermal_thickness": ("%", "viable epidermal thickness, change from baseline"),
    "dermal_thickness": ("mm", "dermal thickness including filler gel"),
    "inflammation": ("1", "dermal inflammatory activity, thickness-weighted (arbitrary units)"),
    "redness": ("1", "visible redness and swelling (arbitrary units)"),
    "scar_grade": (
        "grade",
        "atrophic acne-scar grade (Goodman-Baron qualitative, 0 none to 4 severe)",
    ),
}
ENDPOINT_UNITS = {k: v[0] for k, v in ENDPOINTS.items()}


def _weighted(traj: np.ndarray, states: tuple[str, ...], weights: Mapping[str, Any]) -> np.ndarray:
    """``sum_l weights[l] * sum_s traj[..., (s, l)]``, skipping layers of weight 0."""
    total: np.ndarray | None = None
    for layer in LAYERS:
        weight = weights[layer]
        if isinstance(weight, float) and weight == 0.0:
            continue
        columns = [traj[..., layer_index(state, layer)] for state in states]
        layer_sum = columns[0].copy()
        for column in columns[1:]:
            layer_sum += column
        if not (isinstance(weight, float) and weight == 1.0):
            layer_sum *= weight
        if total is None:
            total = layer_sum
        else:
            total += layer_sum
    return np.zeros(traj.shape[:-1]) if total is None else total


def _percent(value: np.ndarray, base: np.ndarray) -> np.ndarray:
    return 100.0 * (value / base - 1.0)


#: State columns whose sum is redness: the epidermal and per-layer injured fractions.
REDNESS_COLUMNS: tuple[int, ...] = (
    global_index("epidermal_injury"),
    *(layer_index("injury", layer) for layer in LAYERS),
)


def redness(traj: np.ndarray) -> np.ndarray:
    """Redness (arbitrary units) of states ``(..., N_STATES)``: the sum of
    :data:`REDNESS_COLUMNS`."""
    out = traj[..., REDNESS_COLUMNS[0]].copy()
    for column in REDNESS_COLUMNS[1:]:
        out += traj[..., column]
    return out


def observe(
    traj: np.ndarray,
    y0: np.ndarray,
    a: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Endpoints of a trajectory.

    Parameters
    ----------
    traj
        States of shape ``(batch, time, N_STATES)``.
    y0
        Pre-treatment states ``(batch, N_STATES)``, the baseline of percent endpoints.
    a
        Model arguments: ``thickness_collagen_exponent``, ``scar_fill_collagen_percent``, and
        each draw's ``acne_scars`` grade and layer thicknesses (``papillary_mm``,
        ``reticular_mm``, ``dermis_mm``), so draws may be different patients.

    Returns
    -------
    dict
        Endpoint name -> array ``(batch, time)``.
    """
    base = y0[:, None, :]
    papillary_mm, reticular_mm = a["papillary_mm"], a["reticular_mm"]  # (batch, 1)
    w = {"papillary": papillary_mm, "reticular": reticular_mm}
    w_pap = {"papillary": 1.0, "reticular": 0.0}
    both = ("collagen_I", "collagen_III", "new_matrix")
    out: dict[str, np.ndarray] = {}
    coll = _weighted(traj, both, w)
    coll0 = _weighted(base, both, w)
    out["collagen_density"] = _percent(coll, coll0)
    out["collagen_content"] = 100.0 * coll / (papillary_mm + reticular_mm)
    out["papillary_collagen"] = _percent(_weighted(traj, both, w_pap), _weighted(base, both, w_pap))
    for state, plus, minus in (
        ("collagen_I", ("collagen_I", "new_matrix"), "new_matrix_III"),
        ("collagen_III", ("collagen_III", "new_matrix_III"), None),
    ):
        now, then = _weighted(traj, plus, w), _weighted(base, plus, w)
        if minus is not None:
            now, then = now - _weighted(traj, (minus,), w), then - _weighted(base, (minus,), w)
        out[state] = _percent(now, then)
    out["tropoelastin"] = _percent(
        _weighted(traj, ("tropoelastin",), w), _weighted(base, ("tropoelastin",), w)
    )
    ela = ("elastin", "elastotic_material", "tropoelastin")
    out["elastin"] = _percent(_weighted(traj, ela, w), _weighted(base, ela, w))
    ep = global_index("epidermal_thickness")
    out["epidermal_thickness"] = _percent(traj[..., ep], base[..., ep])
    theta = np.asarray(a["thickness_collagen_exponent"])  # (batch, 1)
    gel = traj[..., global_index("filler_gel")]
    out["dermal_thickness"] = a["dermis_mm"] * (coll / coll0) ** theta + hydrated_gel_mm(gel, a)
    out["inflammation"] = _weighted(traj, ("inflammation",), w) / (papillary_mm + reticular_mm)
    out["redness"] = redness(traj)
    out["scar_grade"] = scar_grade(
        out["collagen_density"], a["acne_scars"], a["scar_fill_collagen_percent"]
    )
    return out


def scar_grade(collagen_change: Any, grade: Any, fill_percent: Any) -> np.ndarray:
    """Acne-scar grade ``S_0 exp(-max(0, dC) / c_s)`` after a collagen change ``dC`` in %
    (see the module docstring); ``grade`` is ``S_0`` and ``fill_percent`` is ``c_s``."""
    grade = np.asarray(grade)
    if not grade.any():  # no scars: 0 throughout, whatever the collagen does
        return np.zeros(np.broadcast_shapes(np.shape(collagen_change), grade.shape))
    filled = np.maximum(collagen_change, 0.0) / np.asarray(fill_percent)
    return grade * np.exp(-filled)


def downtime_days(
    times: np.ndarray, red: np.ndarray, session_days: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """Days of visible redness after each session.

    Parameters
    ----------
    times
        Sorted sample times (days), dense after each session, shape ``(time,)``.
    red
        Redness ``(batch, time)``.
    session_days
        Distinct session days, shape ``(session,)``.
    threshold
        Visibility threshold per draw, ``(batch,)``.

    Returns
    -------
    numpy.ndarray
        ``(batch, session)``: for each session, the last time before the next session (or
        the end) at which redness exceeds the threshold, minus the session day; 0 if it never
        does. Resolution is the spacing of ``times`` after the session.
    """
    batch = red.shape[0]
    out = np.zeros((batch, len(session_days)))
    for k, start in enumerate(session_days):
        stop = session_days[k + 1] if k + 1 < len(session_days) else np.inf
        window = (times >= start) & (times < stop)
        t_win = times[window]
        visible = red[:, window] > threshold[:, None]
        if t_win.size == 0:
            continue
        last = np.where(visible, t_win[None, :], start).max(axis=1)
        out[:, k] = last - start
    return out
