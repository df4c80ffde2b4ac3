"""Micro-channel route after microneedling: closure (rows MC-3 to MC-6), depth (MC-1, MC-2),
the enhancement against intact skin, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dermasim.parameters import ParameterSet
from dermasim.permeability import DescriptorError, needled_skin_delivery
from dermasim.permeability.channels import (
    channel_parameters,
    channel_permeability_cm_s,
    open_fraction_integral_h,
)


def test_every_channel_parameter_has_a_unit_bounds_prior_and_reason() -> None:
    params = channel_parameters()
    assert len(params) == 6
    for record in params.records:
        assert record.unit and record.bounds[0] < record.value < record.bounds[1]
        assert record.source or record.assumed
        assert record.note


def test_closure_half_lives_follow_their_rows() -> None:
    """MC-6: half-life 20.2-25.9 h under occlusion (human). MC-3 to MC-5: barrier back within
    2 to 18 h without occlusion, read as 90% closed, so a half-life of 0.6 to 5.4 h."""
    params = channel_parameters()
    occluded = params["occluded_channel_closure_half_life_h"].value
    open_ = params["channel_closure_half_life_h"].value
    assert 20.2 <= occluded <= 25.9
    assert 0.6 <= open_ <= 5.4
    # occlusion keeps channels open about a day longer
    assert 12.0 <= occluded - open_ <= 48.0


def test_delivery_is_front_loaded_without_occlusion_and_lasts_under_occlusion() -> None:
    """Issue acceptance: the amount through channels comes mostly in the first hours without
    occlusion; under occlusion it keeps coming through the first day."""
    plain = needled_skin_delivery(287, 2.7, 1.5, occluded=False)
    covered = needled_skin_delivery(287, 2.7, 1.5, occluded=True)
    assert plain.channel_share_first_6h.median > 0.8
    assert covered.channel_share_first_6h.p95 < 0.5
    assert covered.delivered_24h_ug_per_cm2.median > plain.delivered_24h_ug_per_cm2.median
    assert covered.enhancement.median > plain.enhancement.median


def test_open_fraction_integral() -> None:
    half = np.array([2.0])
    assert open_fraction_integral_h(half, 1e6)[0] == pytest.approx(2.0 / math.log(2.0))
    assert open_fraction_integral_h(half, 2.0)[0] == pytest.approx(1.0 / math.log(2.0))


def test_channel_depth_spans_the_depth_rows() -> None:
    """MC-1 (0.20 of needle length, rat) and MC-2 (0.77, human OCT)."""
    d = needled_skin_delivery(287, 2.7, 1.0).channel_depth_mm
    assert 0.2 <= d.p05 < d.median < d.p95 <= 0.8


def test_channel_permeability_falls_with_molecular_size() -> None:
    p = channel_parameters().point(1)
    small, large = channel_permeability_cm_s(150.0, p), channel_permeability_cm_s(1200.0, p)
    assert large[0] == pytest.approx(small[0] / 2.0)  # (1200/150)^(1/3) = 2


def test_hydrophilic_compounds_gain_more_than_lipophilic_ones() -> None:
    lipophilic = needled_skin_delivery(300, 3.5, 1.0).enhancement_open.median
    hydrophilic = needled_skin_delivery(300, -1.0, 1.0).enhancement_open.median
    assert 1.0 <= lipophilic < hydrophilic


def test_needling_never_lowers_delivery_and_concentration_scales_it() -> None:
    one = needled_skin_delivery(400, 0.5, 1.0, concentration_mg_per_ml=1.0)
    ten = needled_skin_delivery(400, 0.5, 1.0, concentration_mg_per_ml=10.0)
    assert one.enhancement.p05 >= 1.0 and one.enhancement_open.p05 >= 1.0
    assert ten.delivered_24h_ug_per_cm2.median == pytest.approx(
        10.0 * one.delivered_24h_ug_per_cm2.median
    )
    for a, b in zip(
        ten.enhancement.to_json_dict().values(),
        one.enhancement.to_json_dict().values(),
        strict=True,
    ):
        assert a == pytest.approx(b, rel=1e-12)


def test_depth_prior_is_the_model_parameter() -> None:
    assert ParameterSet.load()["channel_depth_fraction"].rows == ("MC-1", "MC-2")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mw": -5.0}, "mw"),
        ({"mw": float("nan")}, "mw"),
        ({"log_kow": 11.0}, "logkow"),
        ({"needle_mm": 0.0}, "needle_mm"),
        ({"needle_mm": 4.0}, "needle_mm"),
        ({"concentration_mg_per_ml": 0.0}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": float("inf")}, "concentration_mg_per_ml"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict, field: str) -> None:
    args = {"mw": 287.0, "log_kow": 2.7, "needle_mm": 1.5} | kwargs
    conc = args.pop("concentration_mg_per_ml", 1.0)
    with pytest.raises(DescriptorError) as info:
        needled_skin_delivery(
            args["mw"], args["log_kow"], args["needle_mm"], concentration_mg_per_ml=conc
        )
    message = str(info.value)
    assert message.startswith(field) and "allowed" in message and "for example" in message


def test_outside_the_fitted_domain_warns() -> None:
    d = needled_skin_delivery(800, 1.0, 1.0)
    assert any("mw = 800" in w for w in d.warnings)
