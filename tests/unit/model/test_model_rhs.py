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
    a = model_arguments(ps.sample(4, np.random.default_rng(0)), Patient(age=REFERENCE_AGE_YEARS))
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


def test_packing_limit_slows_all_deposition_between_resting_content_and_the_limit(args):
    """At or below the patient's untreated content deposition is untouched; halfway to the
    limit, activated and resting synthesis run at half rate; at the limit both stop."""
    from dermasim.model.collagen import collagen_rates

    n = args["collagen_packing_limit"].shape[0]
    ones = np.ones((n, 2))
    none = 0.0 * ones
    limit, rest = args["collagen_packing_limit"], args["resting_collagen"]
    assert np.all(limit > rest)

    def rates(content, new, activated):  # quiescent fibroblasts, capacity and MMP at 1
        c3, c1 = 0.25 * (content - new), 0.75 * (content - new)
        return collagen_rates(c3, c1, new, none, ones, activated, none, ones, ones, args)

    def synthesis(content, activated):
        """Into new matrix, C3 and C1, without the losses (those do not depend on room)."""
        new = 0.2 * content
        with_room = rates(content, new, activated)
        c3, c1 = 0.25 * (content - new), 0.75 * (content - new)
        stabilised = args["new_matrix_stabilisation"] * new
        matured = args["collagen_maturation_rate"] * c3
        loss = args["new_matrix_stabilisation"] + args["new_matrix_resorption"]
        return (
            with_room[2] + loss * new,
            with_room[0] + matured + args["collagen_III_degradation"] * c3,
            with_room[1] - stabilised - matured + args["collagen_I_degradation"] * c1,
        )

    free = [synthesis(0.9 * rest * ones, a) for a in (ones, none)]
    deposit = args["activated_deposition_rate"] * ones
    np.testing.assert_allclose(free[0][0] - free[1][0], deposit, rtol=1e-10)
    np.testing.assert_allclose(free[1][1], args["collagen_III_synthesis"] * ones, rtol=1e-10)
    np.testing.assert_allclose(free[1][2], args["collagen_I_synthesis"] * ones, rtol=1e-10)
    half = [synthesis((rest + limit) / 2.0 * ones, a) for a in (ones, none)]
    for j in range(3):
        np.testing.assert_allclose(half[0][j], 0.5 * free[0][j], rtol=1e-8)
    full = synthesis(limit * ones, ones)
    for j in range(3):
        np.testing.assert_allclose(full[j], 0.0, atol=1e-15)


def test_packing_limit_is_the_content_of_the_thickest_young_adult_dermis(args):
    """Through the thickness relation D = D0 (C / C0)^theta the limit gives the site's
    thickest young-adult dermis (TH-1: the 20-29 decade's mean plus 3 SD, minus the
    epidermis)."""
    from dermasim.geometry import thickest_dermis_mm

    theta = args["thickness_collagen_exponent"]
    ratio = args["collagen_packing_limit"] / args["resting_collagen"]
    np.testing.assert_allclose(
        args["dermis_mm"] * ratio**theta, thickest_dermis_mm("female", "cheek"), rtol=1e-12
    )
    assert thickest_dermis_mm("female", "cheek") == pytest.approx(1.90 + 3 * 0.21 - 0.0686)


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
        # contents below the patient's untreated one: deposition has all its room
        return collagen_rates(
            0.1 * ones, 0.3 * ones, new, 0.5 * new, ones, none, none, ones, mmp, args
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
    sessions, 40 prior draws: no layer holds more collagen than its packing limit, and the
    dermis (no gel) stays within the thickest young-adult dermis of his cheek (TH-2)."""
    from dermasim import Protocol, Simulation
    from dermasim.geometry import thickest_dermis_mm

    prior = ParameterSet.load()
    patient = Patient(age=18, sex="male")
    simulation = Simulation(
        protocol=Protocol.load("6 x microneedling 2.5 mm every 7 days"),
        patient=patient,
        parameters=prior,
    )
    states = simulation.states(days=365, draws=40, seed=5)
    # the same seed draws the same parameters as the run
    limit = model_arguments(prior.sample(40, np.random.default_rng(5)), patient)
    limit = limit["collagen_packing_limit"]
    highest = 0.0
    for layer in LAYERS:
        content = sum(
            states.sel(state=f"{kind}[{layer}]").values
            for kind in ("collagen_I", "collagen_III", "new_matrix")
        )
        assert np.all(content <= limit * (1 + 1e-6)), layer
        highest = max(highest, float((content / limit).max()))
    assert highest > 0.95  # the course does fill the room
    thickness = simulation.run(days=365, draws=40, seed=5).values("dermal_thickness")
    assert thickness.max() <= thickest_dermis_mm("male", "cheek") * (1 + 1e-6)
