"""Trials: power equals the false-positive rate for identical arms, grows with effect and n."""

import dataclasses

import numpy as np
import pytest

from dermasim import Protocol
from dermasim.cohort import Cohort
from dermasim.cohort.trial import Arm, Trial, TrialEndpoint, TrialError, bundled_trials, welch

SPREAD = TrialEndpoint("collagen_density", 120, measurement_sd=8.0)


def _trial(a: str, b: str, **kwargs) -> Trial:
    options = {
        "endpoint": SPREAD,
        "cohort": Cohort(),
        "draws": 20,
        "replicates": 300,
        "power_n": (10, 30, 60),
        "seed": 0,
    }
    options.update(kwargs)
    arms = (Arm("a", Protocol.load(a), 30), Arm("b", Protocol.load(b), 30))
    return Trial(arms=arms, **options)


def test_identical_arms_have_power_equal_to_the_false_positive_rate():
    result = _trial("none", "none").run()
    curve = result.comparisons["a"]["power_curve"]
    # 20 draws x 300 replicates = 6000 simulated trials per n: the binomial standard error
    # of a 0.05 rate is 0.003; replicates within a draw share a pool, so allow 0.015
    for row in curve:
        assert abs(row["reject_either"] - 0.05) < 0.015, row
        assert abs(row["power"] - 0.025) < 0.012, row


def test_a_larger_effect_and_more_patients_give_more_power():
    small = _trial("1 x microneedling 0.5 mm", "none").run().comparisons["a"]
    large = _trial("4 x microneedling 1.5 mm every 30 days", "none").run().comparisons["a"]
    assert large["population_effect"]["median"] > small["population_effect"]["median"] > 0
    for s_row, l_row in zip(small["power_curve"], large["power_curve"], strict=True):
        assert l_row["power"] > s_row["power"]
    powers = [row["power"] for row in small["power_curve"]]
    assert powers == sorted(powers) and powers[-1] > powers[0] + 0.05


def test_unequal_arms_and_three_arms_keep_their_planned_sizes():
    arms = (
        Arm("control", Protocol.load("none"), 40),
        Arm("light", Protocol.load("1 x microneedling 0.5 mm"), 20),
        Arm("full", Protocol.load("4 x microneedling 1.5 mm every 30 days"), 10),
    )
    trial = Trial(
        arms=arms, endpoint=SPREAD, control="control", draws=5, replicates=50, power_n=(20, 40)
    )
    result = trial.run().comparisons
    assert result["light"]["one_trial"]["n_per_arm"] == 20
    assert result["light"]["one_trial"]["n_control"] == 40
    assert result["full"]["one_trial"]["n_per_arm"] == 10
    # the curve keeps the allocation 40 : 20 : 10 of the first arm (the control)
    assert [r["n_per_arm"] for r in result["full"]["power_curve"]] == [5, 10]
    assert [r["n_control"] for r in result["full"]["power_curve"]] == [20, 40]
    assert trial.pool == 200


def test_replicate_memory_is_bounded_before_anything_runs():
    with pytest.raises(TrialError, match="draws x replicates x longest arm"):
        _trial("none", "none", draws=1000, replicates=100_000)


def test_the_welch_test_matches_scipy():
    from scipy.stats import ttest_ind

    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, (5, 12)), rng.normal(0.5, 2, (5, 9))
    _, _, _, p = welch(a, b)
    expected = ttest_ind(a, b, axis=-1, equal_var=False).pvalue
    np.testing.assert_allclose(p, expected, rtol=1e-10)


def test_the_bundled_spec_reads_and_needs_a_pool_for_its_largest_arms():
    assert "microneedling-vs-none" in bundled_trials()
    spec = Trial.from_toml("microneedling-vs-none")
    assert [a.name for a in spec.arms] == ["microneedling", "no treatment"]
    assert spec.pool == 200 and spec.endpoint.day == 180
    with pytest.raises(TrialError, match="pool = 50 is not valid: allowed an integer from 100"):
        dataclasses.replace(spec, pool=50)


def _spec(**changes) -> dict:
    data = {
        "trial": {"draws": 10},
        "endpoint": {"name": "collagen_density", "day": 180},
        "arms": [{"name": "mn", "protocol": "microneedling-4-monthly"}, {"protocol": "none"}],
    }
    for key, value in changes.items():
        table, _, field = key.partition(".")
        if field:
            data[table][field] = value
        else:
            data[table] = value
    return data


@pytest.mark.parametrize(
    ("changes", "start"),
    [
        ({"endpoint.name": "wrinkles"}, "endpoint.name = 'wrinkles'"),
        ({"endpoint.day": 0}, "endpoint.day = 0"),
        ({"endpoint.better": "up"}, "endpoint.better = 'up'"),
        ({"trial.alpha": 0.7}, "alpha = 0.7"),
        ({"trial.draws": 0}, "draws = 0"),
        ({"trial.power_n": [1]}, "power_n = 1"),
        ({"trial.colour": 1}, "trial key = 'colour'"),
        ({"arms": [{"protocol": "none"}]}, "arms = 1"),
        ({"arms": [{"protocol": "none", "n": 1}, {"protocol": "none"}]}, "arms[0].n = 1"),
        (
            {"arms": [{"name": "x", "protocol": "none"}, {"name": "x", "protocol": "none"}]},
            "arms.name = 'x'",
        ),
        ({"trial.control": "placebo"}, "control = 'placebo'"),
    ],
)
def test_bad_trial_specs_name_the_field_in_one_line(changes, start):
    with pytest.raises(TrialError) as err:
        Trial.from_dict(_spec(**changes))
    message = str(err.value)
    assert message.startswith(start), message
    assert "\n" not in message and "allowed" in message and "for example" in message


def test_a_spec_may_set_the_measurement_error():
    spec = _spec(**{"endpoint.measurement_sd": 5.0, "endpoint.responder_threshold": 10.0})
    trial = Trial.from_dict(spec)
    assert trial.endpoint.measurement_sd == 5.0 and trial.endpoint.responder_threshold == 10.0
