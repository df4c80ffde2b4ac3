"""The traced right-hand side: the generated scalar code equals ``dermasim.model.rhs``."""

import math
import re

import numpy as np
import pytest

from dermasim import Patient
from dermasim.model import initial_state, model_arguments, rhs
from dermasim.model.layout import N_STATES
from dermasim.parameters import ParameterSet
from dermasim.solve.codegen import Symbol, TracingNamespace, generate_rhs_source


def _inputs(n, seed):
    rng = np.random.default_rng(seed)
    ps = ParameterSet.load()
    p = ps.sample(n, rng)
    patient = Patient(age=float(rng.uniform(20, 80)), smoker=bool(seed % 2))
    a = model_arguments(p, patient)
    # states away from rest, including depots below zero (round-off) and above-limit collagen
    y = initial_state(a) * rng.uniform(0.3, 2.5, (n, N_STATES))
    y += rng.uniform(-1e-6, 0.8, (n, N_STATES))
    return a, y


def _exec(source):
    namespace = {"math": math}
    exec(source, namespace)
    return namespace["rhs_point"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_rhs_equals_rhs_at_1e_12(seed):
    a, y = _inputs(40, seed)
    generated = generate_rhs_source(rhs, list(a), N_STATES)
    point = _exec(generated.source)
    packed = generated.pack(a, y.shape[0])
    for t in (0.0, 17.3, 700.0):
        ref = rhs(t, y, a)
        got = np.empty_like(y)
        for i in range(y.shape[0]):
            point(t, y[i], packed[i], got[i])
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300)


def test_generated_source_reads_only_what_rhs_reads_and_has_a_stable_digest():
    a, _ = _inputs(2, 0)
    first = generate_rhs_source(rhs, list(a), N_STATES)
    second = generate_rhs_source(rhs, sorted(a, reverse=True), N_STATES)
    assert first.digest == second.digest
    assert set(first.argument_names) < set(a)
    assert "redness_threshold" not in first.argument_names  # an observation parameter


def test_tracing_refuses_a_branch_on_a_state():
    def branching(t, y, a, xp):
        return y * 2.0 if y[0, 0] > 0 else y

    with pytest.raises(TypeError, match="branches on a traced value"):
        generate_rhs_source(branching, [], 2)


def test_tracing_namespace_clip_is_numpys_clip():
    x = np.array([[Symbol("y", 0), -2.0, 0.5, 7.0]], dtype=object)
    clipped = TracingNamespace.clip(x, 0.0, 1.0)
    assert list(clipped[0, 1:]) == [0.0, 0.5, 1.0]
    assert clipped[0, 0].op == "min"


def test_argument_only_work_is_done_once_per_trajectory():
    """Divisions by parameters become products with derived columns, computed by ``pack``;
    the generated right-hand side negates and divides no argument itself."""
    a, y = _inputs(3, 0)
    generated = generate_rhs_source(rhs, list(a), N_STATES)
    assert generated.n_derived > 0
    assert re.search(r"/ p\[\d+\]", generated.source) is None
    assert re.search(r"\(-p\[\d+\]\)", generated.source) is None
    packed = generated.pack(a, y.shape[0])
    n_raw = len(generated.argument_names)
    assert packed.shape == (3, n_raw + generated.n_derived)
    assert np.isfinite(packed[:, n_raw:]).all()


def test_repeated_operations_are_traced_once():
    def twice(t, y, a, xp):
        first = xp.exp(-a["k"] * t) * y
        second = xp.exp(-a["k"] * t) * y  # the same operations, traced again
        return first + second

    generated = generate_rhs_source(twice, ["k"], 1)
    assert generated.source.count("math.exp") == 1
    point = _exec(generated.source)
    p = generated.pack({"k": np.array([[0.3]])}, 1)
    dy = np.empty(1)
    point(2.0, np.array([1.5]), p[0], dy)
    assert dy[0] == pytest.approx(2 * math.exp(-0.6) * 1.5, rel=1e-14)
