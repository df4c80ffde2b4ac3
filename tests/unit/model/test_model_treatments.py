"""Treatments as jumps: depth decides which layer is injured; doses land where injected."""

import numpy as np
import pytest

from dermasim.model import apply_course_session, initial_state, model_arguments
from dermasim.model.layout import global_index, layer_index
from dermasim.model.treatments import layer_overlap
from dermasim.parameters import ParameterSet
from dermasim.patient import Patient
from dermasim.protocol import Course


@pytest.fixture(scope="module")
def setup():
    patient = Patient()
    a = model_arguments(ParameterSet.load().point(1), patient)
    return patient.geometry(), a, initial_state(a)


def test_layer_overlap():
    assert layer_overlap(0.05, 0.1, 0.3) == 0.0
    assert layer_overlap(0.2, 0.1, 0.3) == pytest.approx(0.5)
    assert layer_overlap(5.0, 0.1, 0.3) == 1.0


def test_needles_shallower_than_the_epidermis_do_not_injure_the_dermis(setup):
    geometry, a, y0 = setup
    # channel depth = 0.5 x needle: 0.1 mm needles reach 0.05 mm, inside the epidermis
    assert geometry.epidermis_mm > 0.05
    y = apply_course_session(y0, Course("microneedling", depth_mm=0.1), a)
    assert y[0, global_index("epidermal_injury")] > 0
    assert y[0, layer_index("injury", "papillary")] == 0
    assert y[0, layer_index("injury", "reticular")] == 0


def test_deeper_needles_injure_more_of_the_reticular_dermis(setup):
    _geometry, a, y0 = setup
    injured = [
        apply_course_session(y0, Course("microneedling", depth_mm=d), a)[
            0, layer_index("injury", "reticular")
        ]
        for d in (0.5, 1.0, 2.0, 3.0)
    ]
    assert np.all(np.diff(injured) > 0)


def test_jump_does_not_modify_its_input(setup):
    _geometry, a, y0 = setup
    before = y0.copy()
    apply_course_session(y0, Course("microneedling", depth_mm=1.5), a)
    np.testing.assert_array_equal(y0, before)


def test_polynucleotide_dose_enters_the_layer_at_the_injection_depth(setup):
    _geometry, a, y0 = setup
    deep = Course("polynucleotide", depth_mm=1.5, volume_ml=2.0, concentration_mg_per_ml=20.0)
    y = apply_course_session(y0, deep, a)
    assert y[0, layer_index("pn_depot", "reticular")] == pytest.approx(40.0 / deep.area_cm2)
    assert y[0, layer_index("pn_depot", "papillary")] == 0
    shallow = Course("polynucleotide", depth_mm=0.2)
    y = apply_course_session(y0, shallow, a)
    assert y[0, layer_index("pn_depot", "papillary")] > 0


def test_filler_gel_is_volume_per_area(setup):
    _geometry, a, y0 = setup
    y = apply_course_session(y0, Course("hyaluronic_filler", volume_ml=2.0, area_cm2=8.0), a)
    assert y[0, global_index("filler_gel")] == pytest.approx(0.25)


def test_a_subdermal_gel_goes_below_the_dermis(setup):
    _geometry, a, y0 = setup
    course = Course("hyaluronic_filler", volume_ml=2.0, area_cm2=8.0, plane="subdermal")
    y = apply_course_session(y0, course, a)
    assert y[0, global_index("filler_gel_subdermal")] == pytest.approx(0.25)
    assert y[0, global_index("filler_gel")] == 0.0


def test_each_draw_may_be_a_different_patient():
    """One batch of two patients whose papillary layers differ: a 0.3 mm injection lands in
    the papillary layer of the one whose papillary dermis reaches below 0.3 mm only, and
    each row equals that patient simulated alone."""
    young, old = Patient(age=25), Patient(age=80)
    ps = ParameterSet.load()
    both = model_arguments(ps.point(2), [young, old])
    bottom = both["papillary_bottom_mm"][:, 0]
    depth = float(bottom.mean())
    assert bottom.min() < depth < bottom.max()
    course = Course("polynucleotide", depth_mm=depth)
    y = apply_course_session(initial_state(both), course, both)
    in_papillary = y[:, layer_index("pn_depot", "papillary")] > 0
    assert list(in_papillary) == list(depth <= bottom)
    for row, patient in enumerate((young, old)):
        alone = model_arguments(ps.point(1), patient)
        expected = apply_course_session(initial_state(alone), course, alone)
        np.testing.assert_array_equal(y[row], expected[0])
