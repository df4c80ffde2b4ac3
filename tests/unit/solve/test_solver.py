"""SciPy backend: breakpoints, batching, convergence and the positivity guard."""

import numpy as np
import pytest

from dermasim.errors import SolverError
from dermasim.solve import SolverOptions, integrate_sessions


def decay(t, y, a):
    return -a["k"] * y


def add_one(y, day):
    return y + 1.0


ARGS = {"k": np.array([[0.5], [1.0], [2.0]])}
Y0 = np.zeros((3, 1))


def test_jumps_apply_at_session_days_and_outputs_are_post_jump():
    traj = integrate_sessions(
        decay, Y0, ARGS, t_end=10.0, session_days=[0.0, 5.0], jump=add_one, t_eval=[0, 5, 10]
    )
    at = traj.at([0.0, 5.0, 10.0])[:, :, 0]
    k = ARGS["k"][:, 0]
    np.testing.assert_allclose(at[:, 0], 1.0)
    np.testing.assert_allclose(at[:, 1], np.exp(-5 * k) + 1.0, rtol=1e-5)
    np.testing.assert_allclose(at[:, 2], (np.exp(-5 * k) + 1.0) * np.exp(-5 * k), atol=1e-6)


def test_sessions_after_the_horizon_are_ignored():
    traj = integrate_sessions(
        decay, Y0, ARGS, t_end=4.0, session_days=[8.0], jump=add_one, t_eval=[0, 4]
    )
    np.testing.assert_array_equal(traj.at([4.0]), 0.0)


def test_dense_samples_follow_each_session():
    opts = SolverOptions(dense_days=2.0, dense_step_days=0.5)
    traj = integrate_sessions(
        decay,
        Y0,
        ARGS,
        t_end=6.0,
        session_days=[3.0],
        jump=add_one,
        t_eval=[0, 6],
        options=opts,
    )
    np.testing.assert_allclose(traj.times, [0.0, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0])


def test_error_shrinks_with_tolerance():
    exact = np.exp(-10 * ARGS["k"][:, 0]) + 0.0
    errors = []
    for rtol in (1e-3, 1e-5, 1e-7):
        traj = integrate_sessions(
            decay,
            np.ones((3, 1)),
            ARGS,
            t_end=10.0,
            session_days=[],
            jump=add_one,
            t_eval=[10.0],
            options=SolverOptions(rtol=rtol, atol=rtol * 1e-3),
        )
        errors.append(np.abs(traj.at([10.0])[:, 0, 0] - exact).max())
    assert errors[0] > errors[1] > errors[2]


def test_negative_beyond_tolerance_is_an_error():
    def push_down(t, y, a):
        return -np.ones_like(y)

    with pytest.raises(SolverError, match="tolerance"):
        integrate_sessions(
            push_down,
            np.ones((1, 1)),
            {},
            t_end=5.0,
            session_days=[],
            jump=add_one,
            t_eval=[0, 5],
        )
