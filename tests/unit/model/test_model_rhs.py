"""Right-hand side: shapes, batch independence, resting steady state, positivity."""

import numpy as np
import pytest

from dermasim.model import N_STATES, initial_state, model_arguments, rhs
from dermasim.model.ageing import REFERENCE_AGE_YEARS
from dermasim.model.layout import LAYERS, STATE_NAMES, global_index, layer_index
from dermasim.parameters import ParameterSet
from dermasim.patient import Patient


@pytest.fixture(scope="module")
def args():
    ps = ParameterSet.load()
    return model_arguments(ps.sample(6, np.random.default_rng(3)), Patient(age=50))


def test_layout_is_a_bijection():
    columns = [layer_index(s, layer) for s in ("injury", "collagen_I") for layer in LAYERS]
    columns.append(global_index("filler_gel"))
    assert len(set(columns)) == len(columns)
    assert len(STATE_NAMES) == N_STATES
    assert STATE_NAMES[layer_index("collagen_I", "reticular")] == "collagen_I[reticular]"


def test_shape_and_batch_independence(args):
    y = initial_state(args)
    y[:, layer_index("injury", "papillary")] = np.linspace(0.0, 0.5, y.shape[0])
    whole = rhs(3.0, y, args)
    assert whole.shape == y.shape
    for i in range(y.shape[0]):
        row_args = {k: v[i : i + 1] for k, v in args.items()}
        np.testing.assert_allclose(rhs(3.0, y[i : i + 1], row_args)[0], whole[i], rtol=1e-12)


def test_rest_is_steady_at_reference_age():
    """At the reference age an untreated patient is at steady state (but for elastosis)."""
    ps = ParameterSet.load()
    a = model_arguments(ps.sample(4, np.random.default_rng(0)), Patient(age=30))
    a["age0"] = np.full_like(a["age0"], REFERENCE_AGE_YEARS)
    y = initial_state(a)
    d = rhs(0.0, y, a)
    elastosis = [layer_index("elastotic_material", layer) for layer in LAYERS]
    # elastotic material accumulates with exposure from the reference age on ...
    expected = np.broadcast_to(a["elastosis_rate"] * a["exposure"], (4, len(LAYERS)))
    np.testing.assert_allclose(d[:, elastosis], expected)
    # ... and everything else is at the young-adult steady state
    d[:, elastosis] = 0.0
    np.testing.assert_allclose(d, 0.0, atol=1e-15)


def test_untreated_collagen_falls_after_reference_age(args):
    y = initial_state(args)
    d = rhs(0.0, y, args)
    for layer in LAYERS:
        total = d[:, layer_index("collagen_I", layer)] + d[:, layer_index("collagen_III", layer)]
        assert (total < 0).all()


def test_zero_states_are_not_pushed_negative(args):
    """Every state that is zero has a non-negative derivative (positivity of the flow)."""
    rng = np.random.default_rng(1)
    y = np.abs(rng.normal(size=(args["age0"].shape[0], N_STATES))) + 0.01
    for col in range(N_STATES):
        z = y.copy()
        z[:, col] = 0.0
        assert (rhs(10.0, z, args)[:, col] >= 0).all(), STATE_NAMES[col]


class _CountingNamespace:
    """NumPy, counting which functions are looked up through it."""

    def __init__(self):
        self.used: set[str] = set()

    def __getattr__(self, name):
        self.used.add(name)
        return getattr(np, name)


def test_goes_through_the_array_namespace_it_is_given(args):
    """Every array operation of rhs goes through ``xp`` (so jax.numpy can stand in)."""
    y = initial_state(args)
    xp = _CountingNamespace()
    np.testing.assert_array_equal(rhs(1.0, y, args, xp=xp), rhs(1.0, y, args))
    assert {"exp", "maximum", "stack", "concatenate"} <= xp.used


def test_packing_limit_stops_activated_deposition(args):
    """Below young-adult content deposition is untouched; at the limit it stops."""
    from dermasim.model.collagen import collagen_rates

    n = args["collagen_packing_limit"].shape[0]
    ones = np.ones((n, 2))
    none = 0.0 * ones
    limit = args["collagen_packing_limit"]

    def rates(c3, c1, new, activated):  # quiescent fibroblasts, capacity and MMP at 1
        return collagen_rates(c3, c1, new, none, ones, activated, none, ones, ones, args)

    deposit = args["activated_deposition_rate"] * ones
    young = rates(0.2 * ones, 0.6 * ones, none, ones)
    resting = rates(0.2 * ones, 0.6 * ones, none, none)
    np.testing.assert_allclose(young[2] - resting[2], deposit, rtol=1e-12)  # into new matrix
    np.testing.assert_allclose(young[0], resting[0], rtol=1e-12)  # not straight to C3
    np.testing.assert_allclose(young[1], resting[1], rtol=1e-12)  # nor to C1
    # the limit counts new matrix too
    full = rates(0.2 * limit * ones, 0.6 * limit * ones, 0.2 * limit * ones, ones)
    full_resting = rates(0.2 * limit * ones, 0.6 * limit * ones, 0.2 * limit * ones, none)
    np.testing.assert_allclose(full[2], full_resting[2], rtol=1e-12)
    middle = (1.0 + limit) / 2.0 * ones  # halfway between young-adult content and the limit
    half = rates(0.3 * middle, 0.5 * middle, 0.2 * middle, ones)
    half_resting = rates(0.3 * middle, 0.5 * middle, 0.2 * middle, none)
    np.testing.assert_allclose(half[2] - half_resting[2], 0.5 * deposit, rtol=1e-12)


def test_type_III_share_of_new_matrix_follows_the_wound_signal(args):
    """Without a wound signal (PN or stretch alone) new matrix has the resting type-III
    share; under a saturating wound signal it has the wound share phi_3."""
    from dermasim.model.collagen import collagen_rates

    n = args["collagen_packing_limit"].shape[0]
    ones, none = np.ones((n, 2)), np.zeros((n, 2))
    resting = args["collagen_III_fraction"] * ones
    wound = args["activated_type_III_share"] * ones

    def share(w):
        out = collagen_rates(0.2 * ones, 0.6 * ones, none, none, ones, ones, w, ones, ones, args)
        return out[3] / out[2]

    np.testing.assert_allclose(share(none), resting, rtol=1e-12)
    np.testing.assert_allclose(share(ones), wound, rtol=1e-12)
    np.testing.assert_allclose(share(0.25 * ones), resting + 0.25 * (wound - resting), rtol=1e-12)


def test_new_matrix_is_stabilised_or_resorbed_by_its_shares(args):
    """New matrix leaves at 1/tau at resting MMP; a share r of it becomes mature type I
    collagen; resorption scales with MMP."""
    from dermasim.model.collagen import collagen_rates

    n = args["collagen_packing_limit"].shape[0]
    ones, none = np.ones((n, 2)), np.zeros((n, 2))
    tau, r = args["new_matrix_lifetime_days"], args["new_matrix_retained_share"]

    def rates(new, mmp):
        return collagen_rates(
            0.2 * ones, 0.6 * ones, new, 0.5 * new, ones, none, none, ones, mmp, args
        )

    base, with_new = rates(none, ones), rates(0.1 * ones, ones)
    np.testing.assert_allclose(with_new[2], -0.1 / tau * ones, rtol=1e-12)
    np.testing.assert_allclose(with_new[3], -0.05 / tau * ones, rtol=1e-12)  # N3 leaves with N
    np.testing.assert_allclose(with_new[0], base[0], rtol=1e-12)
    np.testing.assert_allclose(with_new[1] - base[1], r * 0.1 / tau * ones, rtol=1e-12)
    aged = rates(0.1 * ones, 2.0 * ones)  # twice the MMP activity: twice the resorption
    np.testing.assert_allclose(aged[2], -0.1 * (r + 2 * (1 - r)) / tau * ones, rtol=1e-12)


def test_repeated_deep_needling_stays_below_the_packing_limit():
    """An 18-year-old man needled 2.5 mm (his cheek skin is 2.53 mm) every week for 6
    sessions, 40 prior draws: no layer holds more collagen than its packing limit."""
    from dermasim import Protocol, Simulation

    prior = ParameterSet.load()
    states = Simulation(
        protocol=Protocol.load("6 x microneedling 2.5 mm every 7 days"),
        patient=Patient(age=18, sex="male"),
        parameters=prior,
    ).states(days=365, draws=40, seed=5)
    # the same seed draws the same parameters as the run
    limit = prior.sample(40, np.random.default_rng(5))["collagen_packing_limit"][:, None]
    highest = 0.0
    for layer in LAYERS:
        content = sum(
            states.sel(state=f"{kind}[{layer}]").values for kind in ("collagen_I", "collagen_III")
        )
        assert np.all(content <= limit * (1 + 1e-3)), layer
        highest = max(highest, float(content.max()))
    assert highest > 1.05  # the course does raise collagen above young-adult content
