r"""Observation models: from model endpoints to what each study measured.

Each observable reads one model quantity ``q`` (``reads`` in ``observables.toml``) and may
scale it by a gain ``g`` (an observation parameter) and a sign ``s``:

.. math::

    \hat y = s\, g\, q(t).

The quantities beyond :func:`dermasim.model.observe`'s endpoints are

- ``grade_change`` (clinical grade, negative is better):
  :math:`-(\gamma_C\,\Delta C(t) + \gamma_H\,H_\mathrm{mm}(t))`, with ``dC`` the dermal
  collagen change in %, ``H_mm`` the filler gel thickness in mm, ``gamma_C``
  (``grade_per_collagen_percent``) and ``gamma_H`` (``grade_per_filler_mm``);
- ``wsrs``: ``baseline_wsrs + grade_change``; ``wsrs_improvement``: ``-grade_change``;
- ``filler_remaining``: gel left, % of the gel injected so far;
- ``filler_volume_change``: :math:`100\,(H(t)/H(t_r) - 1)`, the gel volume's change from the
  endpoint's ``reference_day`` ``t_r`` (a study that follows the gel by imaging from an early
  visit);
- ``scar_grade_percent``: :math:`100\,(S(t)/S(0) - 1)`, the change of the model's
  ``scar_grade`` from the patient's baseline grade (which the percent does not depend on);
- ``dermal_thickness_per_decade``: :math:`100\,(D(t)/D(0) - 1)\cdot 3652.5/t`;
- ``collagen_content_ratio``: :math:`100\,(C_\mathrm{abs}/C_\mathrm{abs,ref} - 1)` against the
  endpoint's reference scenario (another age group).

With a reference scenario, ``grade_change`` is the difference between the two arms.

Measurement error: a study's reported mean ``y`` is modelled as

.. math::

    y \sim \mathcal N\!\left(\hat y,\ \sigma^2 + \tau^2\right),

with ``sigma`` the row's standard error (reported, or the documented assumed rule) and ``tau`` the
observable's between-study heterogeneity (random-effects), so one precise study cannot pull
the fit beyond what differences between studies allow.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .evidence import Endpoint, Evidence
from .scenarios import ScenarioOutputs

__all__ = ["predict"]

DAYS_PER_DECADE = 3652.5


def _quantity(
    name: str,
    outputs: ScenarioOutputs,
    scenario: str,
    days: tuple[float, ...],
    obs: Mapping[str, np.ndarray],
) -> np.ndarray:
    def get(endpoint: str) -> np.ndarray:
        return outputs.at(scenario, endpoint, days)

    if name == "grade_change":
        return -(
            obs["grade_per_collagen_percent"][:, None] * get("collagen_density")
            + obs["grade_per_filler_mm"][:, None] * get("filler_gel_mm")
        )
    if name == "wsrs":
        return obs["baseline_wsrs"][:, None] + _quantity(
            "grade_change", outputs, scenario, days, obs
        )
    if name == "wsrs_improvement":
        return -_quantity("grade_change", outputs, scenario, days, obs)
    if name == "scar_grade_percent":
        base = outputs.at(scenario, "scar_grade", (0.0,))
        return 100.0 * (get("scar_grade") / base - 1.0)
    if name == "dermal_thickness_per_decade":
        base = outputs.at(scenario, "dermal_thickness", (0.0,))
        t = np.asarray(days, dtype=float)[None, :]
        change = 100.0 * (get("dermal_thickness") / base - 1.0) * DAYS_PER_DECADE
        return np.divide(change, t, out=np.zeros_like(change), where=t > 0)
    return get(name)


def predict(
    endpoint: Endpoint,
    evidence: Evidence,
    outputs: ScenarioOutputs,
    obs: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Predicted study means of ``endpoint`` at its days, shape ``(batch, len(days))``.

    Parameters
    ----------
    endpoint
        The evidence endpoint.
    evidence
        The evidence set (for the observation model).
    outputs
        Simulated scenarios.
    obs
        Observation-parameter draws by name, each ``(batch,)``.
    """
    model = evidence.observables[endpoint.observable]
    ref = endpoint.reference_scenario
    if model.reads == "collagen_content_ratio":
        assert ref is not None
        mine = outputs.at(endpoint.scenario, "collagen_content", endpoint.days)
        other = outputs.at(ref, "collagen_content", endpoint.days)
        q = 100.0 * (mine / other - 1.0)
    elif model.reads == "filler_volume_change":
        assert endpoint.reference_day is not None
        gel = outputs.at(endpoint.scenario, "filler_gel_mm", endpoint.days)
        first = outputs.at(endpoint.scenario, "filler_gel_mm", (endpoint.reference_day,))
        q = 100.0 * (gel / first - 1.0)
    else:
        q = _quantity(model.reads, outputs, endpoint.scenario, endpoint.days, obs)
        if ref is not None:
            q = q - _quantity(model.reads, outputs, ref, endpoint.days, obs)
    gain = obs[model.gain][:, None] if model.gain else 1.0
    return model.sign * gain * q
