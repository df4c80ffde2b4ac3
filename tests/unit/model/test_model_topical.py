"""Topical sessions: how much active reaches the dermis, where it lands, and what it does."""

import numpy as np
import pytest

from dermasim.model import apply_day_sessions, initial_state, model_arguments, rhs
from dermasim.model.layout import LAYERS, layer_index
from dermasim.model.topical import product_warnings, topical_delivery_ng_per_cm2
from dermasim.parameters import ParameterSet
from dermasim.patient import Patient
from dermasim.permeability.channels import CHANNEL_HOURS, channel_parameters
from dermasim.permeability.intact import intact_log_kp_point
from dermasim.permeability.models import fit_two_pathway, grouped_cv_rmse
from dermasim.protocol import Course
from dermasim.protocol.products import TopicalProduct, bundled_products

SMALL = TopicalProduct(
    name="small active",
    active="a small lipophilic growth-signal active",
    mw_da=300.0,
    log_kow=2.0,
    intact_route="two_pathway",
    concentration_mg_per_ml=1.0,
    action="growth_signal",
)


@pytest.fixture(scope="module")
def setup():
    patient = Patient()
    draws = ParameterSet.load().sample(200, np.random.default_rng(0))
    a = model_arguments(draws, patient)
    return patient.geometry(), a, initial_state(a)


def serum(**settings):
    return Course("topical", **settings)


def depot(y):
    return y[:, [layer_index("topical_depot", layer) for layer in LAYERS]]


def test_growth_factor_serum_reaches_the_dermis_only_through_channels(setup):
    _, a, _ = setup
    intact, _ = topical_delivery_ng_per_cm2(serum(), None, a)
    needled, depth = topical_delivery_ng_per_cm2(serum(), 1.5, a)
    assert np.all(intact == 0.0)  # intact_route = "none": a 6 kDa protein
    assert np.all(needled > 0.0)
    np.testing.assert_allclose(depth, a["channel_depth_fraction"][:, 0] * 1.5)


def test_delivery_never_exceeds_the_active_in_the_film(setup):
    _, a, _ = setup
    course = serum(product=SMALL, dose_mg_per_cm2=2.0, concentration_mg_per_ml=1.0)
    amount, _ = topical_delivery_ng_per_cm2(course, 3.0, a)
    in_film = 1.0 * 2.0 / 1000.0 * 1e6  # mg/mL x mL/cm2 (density 1 g/mL), in ng/cm2
    assert np.all(amount <= in_film * (1 + 1e-12))
    assert np.all(amount > 0.0)


def test_intact_delivery_follows_the_intact_model(setup):
    _, a, _ = setup
    course = serum(product=SMALL, dose_mg_per_cm2=50.0)
    amount, depth = topical_delivery_ng_per_cm2(course, None, a)
    assert np.all(depth == 0.0)
    kp_cm_h = 10.0 ** (intact_log_kp_point(300.0, 2.0) + a["intact_log_kp_error"][:, 0]) * 3600
    film_cm = 50.0 / 1000.0
    expected_ng = 1e6 * 1.0 * film_cm * -np.expm1(-kp_cm_h * CHANNEL_HOURS / film_cm)
    np.testing.assert_allclose(amount, expected_ng, rtol=1e-12)


def test_delay_lowers_and_occlusion_raises_channel_delivery(setup):
    _, a, _ = setup
    base = dict(product=SMALL, concentration_mg_per_ml=1.0, dose_mg_per_cm2=50.0)
    at_once, _ = topical_delivery_ng_per_cm2(serum(**base), 1.5, a)
    later, _ = topical_delivery_ng_per_cm2(serum(**base, minutes_after_needling=240), 1.5, a)
    occluded, _ = topical_delivery_ng_per_cm2(serum(**base, occluded=True), 1.5, a)
    assert np.all(later < at_once)
    assert np.all(occluded >= at_once)
    assert np.median(occluded / at_once) > 1.5


def test_the_amount_lands_in_the_layer_of_the_channel_tips(setup):
    geometry, a, y0 = setup
    papillary_bottom = geometry.layer_bounds()["papillary"][1]
    needling = Course("microneedling", depth_mm=2.5)
    y = apply_day_sessions(y0, [needling, serum()], a)
    tip = a["channel_depth_fraction"][:, 0] * 2.5
    in_papillary = tip <= papillary_bottom
    assert depot(y)[in_papillary, 1].max(initial=0.0) == 0.0
    assert depot(y)[~in_papillary, 0].max(initial=0.0) == 0.0
    assert np.all(depot(y).sum(axis=1) > 0)
    # without needling that day the serum meets intact skin and delivers nothing
    assert np.all(depot(apply_day_sessions(y0, [serum()], a)) == 0.0)


def test_same_day_order_does_not_matter(setup):
    _geometry, a, y0 = setup
    needling = Course("microneedling", depth_mm=1.5)
    first = apply_day_sessions(y0, [needling, serum()], a)
    second = apply_day_sessions(y0, [serum(), needling], a)
    np.testing.assert_array_equal(first, second)


def test_a_product_without_action_fills_no_depot(setup):
    _geometry, a, y0 = setup
    inert = TopicalProduct("inert", "inert", 300.0, 2.0, "two_pathway", 1.0, "none")
    y = apply_day_sessions(y0, [Course("microneedling"), serum(product=inert)], a)
    assert np.all(depot(y) == 0.0)


def test_the_depot_raises_fibroblast_activation_and_clears(setup):
    _, a, y0 = setup
    y = y0.copy()
    for layer in LAYERS:
        y[:, layer_index("topical_depot", layer)] = 5.0
    with_depot, at_rest = rhs(0.0, y, a), rhs(0.0, y0, a)
    for layer in LAYERS:
        k = layer_index("activated_fibroblasts", layer)
        assert np.all(with_depot[:, k] > at_rest[:, k])
        d = layer_index("topical_depot", layer)
        np.testing.assert_allclose(with_depot[:, d], -a["topical_clearance"][:, 0] * 5.0)


def test_intact_error_prior_is_the_models_cross_validated_error():
    """The sd of intact_log_kp_error is the two-pathway model's grouped CV RMSE."""
    sd = ParameterSet.load()["intact_log_kp_error"].prior.sd
    assert sd == pytest.approx(grouped_cv_rmse(fit_two_pathway), abs=0.005)


def test_channel_parameters_are_model_parameters():
    names = list(ParameterSet.load())
    channel = list(channel_parameters())
    assert channel == [n for n in names if n in channel]
    # appended after every earlier record, so seeded draws of the others are unchanged
    assert names.index(channel[0]) > names.index("thickness_collagen_exponent")


def test_out_of_domain_products_warn():
    assert product_warnings(bundled_products()["growth_factor_serum"]) == ()  # no intact route
    peptide = TopicalProduct("peptide", "p", 802.5, 1.2, "two_pathway", 0.1, "none")
    (warning,) = product_warnings(peptide)
    assert "'peptide'" in warning and "mw = 802.5" in warning
    assert product_warnings(SMALL) == ()
