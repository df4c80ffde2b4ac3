"""The compiled backend: tableau, per-trajectory steps, accuracy against SciPy, fallback."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dermasim
from dermasim import Patient, Protocol, Simulation, SolverOptions
from dermasim.errors import DermasimError
from dermasim.model import apply_day_sessions, initial_state, model_arguments, rhs
from dermasim.model.layout import N_STATES
from dermasim.parameters import ParameterSet
from dermasim.patient import SITES
from dermasim.solve import compiled, dopri_kernel, integrate_sessions_compiled
from dermasim.solve.compiled import load_kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "protocol"))
from protocol_strategies import protocols, within_skin

PRIOR = ParameterSet.load()
COMPILED = SolverOptions(backend="compiled")
REFERENCE = SolverOptions(backend="scipy", method="RK45", rtol=1e-10, atol=1e-12)


def RANDOM_CASES(max_examples):
    """Hypothesis settings of the random patient-and-course comparisons (reproducible)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def test_tableau_is_scipys_rk45():
    from scipy.integrate._ivp.rk import RK45

    k = dopri_kernel
    a = np.array(
        [
            [0, 0, 0, 0, 0],
            [k.A21, 0, 0, 0, 0],
            [k.A31, k.A32, 0, 0, 0],
            [k.A41, k.A42, k.A43, 0, 0],
            [k.A51, k.A52, k.A53, k.A54, 0],
            [k.A61, k.A62, k.A63, k.A64, k.A65],
        ]
    )
    np.testing.assert_array_equal(a, RK45.A)
    np.testing.assert_array_equal([0, k.C2, k.C3, k.C4, k.C5, 1.0], RK45.C)
    np.testing.assert_array_equal([k.B1, 0, k.B3, k.B4, k.B5, k.B6], RK45.B)
    np.testing.assert_array_equal([k.E1, 0, k.E3, k.E4, k.E5, k.E6, k.E7], RK45.E)
    np.testing.assert_array_equal(k.P, RK45.P)


def test_compiled_rhs_equals_rhs_at_1e_12():
    rng = np.random.default_rng(3)
    p = PRIOR.sample(25, rng)
    a = model_arguments(p, Patient(age=62, smoker=True))
    y = initial_state(a) * rng.uniform(0.5, 2.0, (25, N_STATES)) + rng.uniform(0, 0.5, (25, 1))
    kernel = load_kernel(rhs, N_STATES, tuple(sorted(a)))
    packed = kernel.generated.pack(a, 25)
    ref = rhs(40.0, y, a)
    got = np.stack([kernel.rhs_point(40.0, y[i], packed[i]) for i in range(25)])
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300)


def _course_run(protocol, patient, n, seed=0, rows=None):
    p = PRIOR.sample(n, np.random.default_rng(seed))
    if rows is not None:
        p = {k: v[rows] for k, v in p.items()}
    a = model_arguments(p, patient)
    by_day = {}
    for s in Protocol.parse(protocol).sessions():
        by_day.setdefault(float(s.day), []).append(s.course)
    return dict(
        y0=initial_state(a),
        args=a,
        t_end=365.0,
        session_days=list(by_day),
        jump=lambda y, d: apply_day_sessions(y, by_day.get(d, []), a),
        t_eval=[0, 30, 90, 365],
        redness_columns=dermasim.model.REDNESS_COLUMNS,
        redness_threshold=p["redness_threshold"],
        rtol=1e-5,
        atol=1e-8,
        dense_days=30.0,
        dense_step_days=0.1,
    )


def test_each_trajectory_takes_its_own_steps_and_ignores_its_batch():
    course = "4 x microneedling 1.5 mm every 30 days"
    together = integrate_sessions_compiled(rhs, **_course_run(course, Patient(), 12))
    assert np.unique(together.steps).size > 1  # not one shared step sequence
    for i in (0, 7):
        alone = _course_run(course, Patient(), 12, rows=[i])
        one = integrate_sessions_compiled(rhs, **alone)
        # a trajectory's result does not depend on what else is in the batch: bit-identical
        np.testing.assert_array_equal(one.states[0], together.states[i])
        np.testing.assert_array_equal(one.downtime[0], together.downtime[i])
        assert one.steps[0] == together.steps[i]


def test_the_fast_states_at_rest_have_exactly_zero_derivatives():
    """The kernel's premise for setting them to rest: there they stay, in the Python rhs and
    in the compiled one, for a patient without filler gel."""
    from dermasim.model.layout import resting_columns

    cols, values = resting_columns()
    p = PRIOR.sample(8, np.random.default_rng(5))
    a = model_arguments(p, Patient(age=60, smoker=True))
    y = initial_state(a) * np.random.default_rng(6).uniform(0.8, 1.2, (8, N_STATES))
    y[:, list(cols)] = values
    assert np.all(rhs(200.0, y, a)[:, list(cols)] == 0.0)
    kernel = load_kernel(rhs, N_STATES, tuple(sorted(a)))
    packed = kernel.generated.pack(a, 8)
    for i in range(8):
        assert np.all(kernel.rhs_point(200.0, y[i], packed[i])[list(cols)] == 0.0)


def test_coming_to_rest_saves_the_tail_steps_and_moves_no_state_beyond_the_tolerance():
    from dermasim.model.layout import resting_columns

    run = _course_run("microneedling 1.5 mm", Patient(), 40) | {
        "t_end": 730.0,
        "t_eval": [0, 30, 90, 365, 730],
    }
    plain = integrate_sessions_compiled(rhs, **run)
    rest = integrate_sessions_compiled(rhs, **run, resting=resting_columns())
    # long after the session the fast states sit at the error control's noise level, where
    # an explicit method is held to short steps by their stability, not by accuracy
    assert rest.steps.mean() < 0.9 * plain.steps.mean()
    # within 1e-4 of each state's own scale, as the compiled kernel is held to the reference
    # solver (_close below); since deposition slows as a layer nears the collagen limit, one
    # of these 40 draws moves papillary collagen III by 2.9e-5 of its scale
    scale = np.abs(plain.states).max(axis=1, keepdims=True)
    assert np.all(np.abs(rest.states - plain.states) <= 1e-4 * scale + 10 * 1e-8)


def _patients():
    return st.builds(
        Patient,
        age=st.floats(18, 85),
        sex=st.sampled_from(["female", "male"]),
        site=st.sampled_from(SITES),
        uv_exposure=st.sampled_from(["low", "moderate", "high"]),
        smoker=st.booleans(),
    )


def _close(got, ref):
    """Within 1e-4 of the quantity's own scale in that trajectory (its largest magnitude over
    the run, the scale the solver's tolerances act on: a depot that decays from 6000 to 0.05
    ng/cm2 is judged against 6000) or 1e-6 absolute, at every output day."""
    scale = np.abs(ref).max(axis=1, keepdims=True)  # axis 1 is time
    return np.abs(got - ref) <= 1e-4 * scale + 1e-6


def _assert_matches(sim, ref, days=400.0):
    """States (the solver's output, which every endpoint is a function of) and the endpoints
    in absolute units match at every day; downtime within the 0.1-day probe spacing."""
    got_states = sim.states(days=days, draws=4, seed=1).values
    ref_states = ref.states(days=days, draws=4, seed=1).values
    assert np.all(_close(got_states, ref_states))
    got, want = sim.run(days=days, draws=4, seed=1), ref.run(days=days, draws=4, seed=1)
    for name in ("collagen_content", "dermal_thickness", "redness"):
        assert np.all(_close(got.dataset[name].values, want.dataset[name].values)), name
    downtime = np.abs(got.dataset["downtime_days"].values - want.dataset["downtime_days"].values)
    assert np.all(downtime <= 0.1 + 1e-9)


@RANDOM_CASES(max_examples=25)
@given(case=st.builds(within_skin, _patients(), protocols))
def test_compiled_matches_a_tight_scipy_solve(case):
    """Random valid patients and courses (the strict 500-case run is in make validate)."""
    patient, protocol = case
    try:
        sim = Simulation(protocol=protocol, patient=patient, parameters=PRIOR, solver=COMPILED)
    except DermasimError:
        return  # contraindicated combinations are refused before any solve
    ref = Simulation(protocol=protocol, patient=patient, parameters=PRIOR, solver=REFERENCE)
    _assert_matches(sim, ref)


@pytest.mark.slow
@RANDOM_CASES(max_examples=500)
@given(case=st.builds(within_skin, _patients(), protocols))
def test_compiled_matches_a_tight_scipy_solve_500_cases(case):
    """The acceptance run: 500 random valid patients and courses (make validate)."""
    test_compiled_matches_a_tight_scipy_solve.hypothesis.inner_test(case)


def test_auto_falls_back_to_scipy_without_numba(monkeypatch):
    monkeypatch.setattr(compiled, "compiled_available", lambda: False)
    assert SolverOptions().resolved_backend() == "scipy"
    assert SolverOptions(method="LSODA").resolved_backend() == "scipy"
    with pytest.raises(DermasimError, match=r"dermasim\[fast\]"):
        load_kernel.__wrapped__(rhs, N_STATES, ())


def test_auto_is_compiled_with_numba_and_rk45():
    assert SolverOptions().resolved_backend() == "compiled"
    assert SolverOptions(method="DOP853").resolved_backend() == "scipy"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "gpu"}, "solver.backend = 'gpu' .* one of auto, compiled, scipy"),
        ({"backend": "compiled", "method": "LSODA"}, "solver.method = 'LSODA'"),
    ],
)
def test_bad_backend_options_name_the_field(kwargs, message):
    with pytest.raises(DermasimError, match=message):
        SolverOptions(**kwargs)


def test_kernel_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("DERMASIM_CACHE_DIR", str(tmp_path))
    a = model_arguments(PRIOR.point(1), Patient())
    kernel = load_kernel.__wrapped__(rhs, N_STATES, tuple(sorted(a)))
    files = list(tmp_path.glob("dermasim_kernel_*.py"))
    assert len(files) == 1
    assert kernel.module.__file__ == str(files[0])
    assert "Generated by dermasim.solve.compiled" in files[0].read_text()


def test_daily_false_keeps_only_the_requested_days_and_takes_more_draws():
    sim = Simulation(protocol=Protocol.parse("2 x microneedling 1 mm every 30 days"))
    sol = sim.run(days=120, draws=20_000, seed=0, at=[45, 90], daily=False)
    assert sol.dataset["time"].values.tolist() == [0.0, 45.0, 90.0, 120.0]
    assert sol.dataset.sizes["draw"] == 20_000
    same = sim.run(days=120, draws=50, seed=3, at=[45, 90])
    lean = sim.run(days=120, draws=50, seed=3, at=[45, 90], daily=False)
    for name in ("collagen_density", "dermal_thickness"):
        np.testing.assert_array_equal(
            lean.dataset[name].values, same.dataset[name].sel(time=[0, 45, 90, 120]).values
        )
    np.testing.assert_array_equal(lean.dataset["downtime_days"], same.dataset["downtime_days"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"daily": "no"}, r"daily = 'no' .*True or False"),
        ({"draws": 20_000}, r"draws = 20000 .*1 to 10000 \(1000000 with daily=False\)"),
        ({"draws": 2_000_000, "daily": False}, r"draws = 2000000 .*1 to 1000000"),
    ],
)
def test_bad_run_options_name_the_field(kwargs, message):
    sim = Simulation(protocol=Protocol.parse("microneedling"))
    with pytest.raises(DermasimError, match=message):
        sim.run(days=30, **kwargs)


def test_downtime_counts_the_horizon_as_scipy_does():
    """Redness still visible at the horizon: both backends report it up to the horizon."""
    protocol = Protocol.parse("1 x microneedling 1.5 mm")
    coarse = {"dense_step_days": 1.0}
    got = Simulation(protocol=protocol, solver=SolverOptions(backend="compiled", **coarse))
    ref = Simulation(protocol=protocol, solver=SolverOptions(backend="scipy", **coarse))
    a = got.run(days=2.5, draws=20, seed=0, daily=False).dataset["downtime_days"].values
    b = ref.run(days=2.5, draws=20, seed=0, daily=False).dataset["downtime_days"].values
    np.testing.assert_array_equal(a, b)
    assert (a == 2.5).any()  # some draws are still red at the horizon


def test_output_days_outside_the_horizon_are_refused():
    kw = _course_run("microneedling", Patient(), 2)
    kw["t_eval"] = [-1.0, 0.0, 400.0]
    with pytest.raises(DermasimError, match=r"t_eval = -1 \.\. 400 is not valid"):
        integrate_sessions_compiled(rhs, **kw)
