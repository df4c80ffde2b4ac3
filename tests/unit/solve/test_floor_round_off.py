"""floor_round_off: round-off below zero becomes 0, anything larger is refused."""

import numpy as np
import pytest

from dermasim.errors import SolverError
from dermasim.solve import floor_round_off

RTOL, ATOL = 1e-6, 1e-9


def states_with(value: float) -> np.ndarray:
    """``(batch 2, time 3, state 2)`` whose state 1 of trajectory 0 dips to ``value``."""
    states = np.ones((2, 3, 2))
    states[0, :, 1] = [1.0, value, 0.5]
    return states


def test_round_off_becomes_zero_and_the_rest_is_untouched():
    states = states_with(-1e-9)  # within 10 (rtol * 1 + atol) = 1.001e-5 of zero
    floored = floor_round_off(states, RTOL, ATOL)
    assert floored[0, 1, 1] == 0.0
    np.testing.assert_array_equal(np.delete(floored.ravel(), 3), np.delete(states.ravel(), 3))
    assert states[0, 1, 1] == -1e-9  # a copy by default


def test_the_bound_scales_with_the_trajectorys_own_largest_value():
    states = states_with(-5e-5)
    with pytest.raises(SolverError, match="fell to -5e-05"):
        floor_round_off(states, RTOL, ATOL)
    states[0, 0, 1] = 10.0  # scale 10: the bound is now 1.0001e-4
    assert floor_round_off(states, RTOL, ATOL)[0, 1, 1] == 0.0


def test_in_place_floors_the_given_array_and_works_on_strided_views():
    memory = np.ones((2, 2, 3))  # (batch, state, time), viewed as (batch, time, state)
    memory[1, 0, 2] = -1e-12
    view = memory.transpose(0, 2, 1)
    out = floor_round_off(view, RTOL, ATOL, in_place=True)
    assert out is view
    assert memory[1, 0, 2] == 0.0


def test_non_negative_states_come_back_as_they_are():
    states = np.abs(states_with(0.25))
    assert floor_round_off(states, RTOL, ATOL) is states
