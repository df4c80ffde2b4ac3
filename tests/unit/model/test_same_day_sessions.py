"""Sessions on one day combine as the biology does: an injured fraction stays a fraction."""

import numpy as np
import pytest

from dermasim import Patient, Protocol, Simulation
from dermasim.errors import ProtocolError
from dermasim.model import apply_day_sessions, initial_state, model_arguments
from dermasim.model.layout import global_index, layer_index
from dermasim.model.treatments import layer_overlap
from dermasim.parameters import load_parameters


def _args(n=50, seed=0):
    p = load_parameters("prior").sample(n, np.random.default_rng(seed))
    a = model_arguments(p, Patient())
    return a, initial_state(a)


def test_fifty_needling_sessions_on_one_day_leave_a_fraction_of_the_skin_injured():
    a, y0 = _args()
    course = Protocol.parse("microneedling 3 mm").courses[0]
    y = apply_day_sessions(y0, [course] * 50, a)
    columns = [global_index("epidermal_injury")] + [
        layer_index("injury", layer) for layer in ("papillary", "reticular")
    ]
    injured = y[:, columns]
    assert np.all((injured >= 0) & (injured <= 1)), injured.max()
    # and more sessions on one day injure more, never less
    once = apply_day_sessions(y0, [course], a)[:, columns]
    assert np.all(injured >= once)


def test_one_session_on_uninjured_skin_injures_the_reached_fraction():
    a, y0 = _args()
    course = Protocol.parse("microneedling 1.5 mm").courses[0]
    y = apply_day_sessions(y0, [course], a)
    channel = a["channel_depth_fraction"][:, 0] * 1.5
    expected = a["needle_coverage"][:, 0] * layer_overlap(
        channel, a["epidermis_top_mm"][:, 0], a["epidermis_bottom_mm"][:, 0]
    )
    np.testing.assert_allclose(y[:, global_index("epidermal_injury")], expected, rtol=1e-12)


def test_needling_and_a_filler_on_one_day_keep_the_epidermal_injury_below_one():
    # the deepest needle the default patient's skin (1.98 mm) takes
    sim = Simulation(Protocol.parse("microneedling 1.98 mm; hyaluronic_filler 1 mL over 10 cm2"))
    states = sim.states(days=5, draws=400, seed=1)
    injury = states.sel(state="epidermal_injury").values
    assert injury.max() <= 1.0 and injury.min() >= 0.0


def test_two_fillers_on_one_day_share_the_daily_gel_ceiling():
    with pytest.raises(ProtocolError) as err:
        Protocol.parse("hyaluronic_filler 10 mL over 10 cm2; hyaluronic_filler 10 mL over 10 cm2")
    message = str(err.value)
    assert message.startswith("filler on day 0: volume_ml / area_cm2 of the day's sessions = 2.0")
    assert "\n" not in message and "for example" in message
    Protocol.parse("hyaluronic_filler 5 mL over 10 cm2; hyaluronic_filler 5 mL over 10 cm2")


def test_the_fillers_of_any_year_share_the_gel_ceiling():
    """24 daily fillers once gave a dermal thickness of 30 mm at day 90 (each day under the
    daily ceiling): the sessions of any 365 days now share it, since gel persists a year."""
    with pytest.raises(ProtocolError) as err:
        Protocol.parse("24 x hyaluronic_filler 1 mL over 5 cm2 every 1 days")
    message = str(err.value)
    assert message.startswith("filler from day 0 to day 5: volume_ml / area_cm2 of the sessions")
    assert "= 1.2 is not valid" in message and "within any 365 days" in message
    assert "HA-MRI-1" in message and "\n" not in message
    example = message.split("for example ")[1].strip('"')
    Protocol.parse(example)  # the example is itself valid
    # exactly at the ceiling within a year, and a year apart, are both accepted
    Protocol.parse("5 x hyaluronic_filler 1 mL over 5 cm2 every 90 days")
    Protocol.parse("3 x hyaluronic_filler 5 mL over 5 cm2 every 365 days")
    with pytest.raises(ProtocolError, match="from day 0 to day 364"):
        Protocol.parse("2 x hyaluronic_filler 5 mL over 5 cm2 every 364 days")
