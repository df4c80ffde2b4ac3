"""Virtual populations: covariate distributions, tables and between-patient variability."""

import numpy as np
import pytest

from dermasim.cohort import Cohort, CohortError, VirtualPopulation
from dermasim.cohort.population import individual_parameters
from dermasim.parameters import load_parameters
from dermasim.patient import AGE_MAX, AGE_MIN


def test_the_same_seed_gives_the_same_patients_and_another_seed_others():
    a, b, c = (Cohort().sample(50, seed=s) for s in (0, 0, 1))
    assert a.patients == b.patients
    assert a.patients != c.patients


def test_covariates_follow_their_weights():
    spec = Cohort(sex={"female": 3, "male": 1}, smoker=0.25, site={"neck": 1, "cheek": 1})
    cov = spec.sample(4000, seed=3).covariates()
    # binomial standard errors at n = 4000 are below 0.01: 0.03 is more than 3 of them
    assert abs(np.mean(cov["sex"] == "female") - 0.75) < 0.03
    assert abs(np.mean(cov["smoker"]) - 0.25) < 0.03
    assert abs(np.mean(cov["site"] == "neck") - 0.5) < 0.03
    assert set(cov["fitzpatrick"]) == {2, 3, 4}


def test_a_truncated_normal_age_stays_inside_the_patient_range_without_clipping():
    spec = Cohort.from_dict({"age": {"distribution": "normal", "mean": 85, "sd": 10}})
    ages = spec.sample(3000, seed=0).covariates()["age"]
    assert ages.min() >= AGE_MIN and ages.max() <= AGE_MAX
    assert np.mean(ages == AGE_MAX) == 0  # truncation by inverse CDF, not a pile at the bound
    assert ages.mean() < 85  # the upper tail is cut


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"smoker": 1.5}, "cohort.smoker"),
        ({"sex": {"female": -1}}, "cohort.sex.female"),
        ({"sex": {"other": 1}}, "cohort.sex key"),
        ({"site": {"cheek": 0}}, "cohort.site"),
        ({"age": {"distribution": "uniform", "low": 60, "high": 40}}, "cohort.age.high"),
        ({"age": {"distribution": "beta"}}, "cohort.age.distribution"),
        ({"age": {"median": 3}}, "cohort.age key"),
        ({"variability": {"pn_clearance": -0.1}}, "cohort.variability.pn_clearance"),
        ({"colour": 1}, "cohort key"),
    ],
)
def test_bad_cohort_specs_name_the_field_in_one_line(data, field):
    with pytest.raises(CohortError) as err:
        Cohort.from_dict(data)
    message = str(err.value)
    assert message.startswith(field), message
    assert "\n" not in message and "allowed" in message and "for example" in message


def test_cohort_sizes_are_checked():
    with pytest.raises(CohortError, match=r"cohort\.n = 0"):
        Cohort().sample(0)


def test_a_csv_table_of_patients_is_read_with_types(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("age,sex,site,smoker,fitzpatrick\n52,female,neck,true,IV\n30,male,cheek,0,2\n")
    pop = VirtualPopulation.from_csv(path)
    assert len(pop) == 2
    assert pop.patients[0].site == "neck" and pop.patients[0].smoker is True
    assert pop.patients[0].fitzpatrick == 4
    assert pop.patients[1].sex == "male" and pop.patients[1].smoker is False


def test_a_bad_cell_names_its_line(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("age,sex\n52,female\n12,male\n")
    with pytest.raises(CohortError) as err:
        VirtualPopulation.from_csv(path)
    assert str(err.value).startswith("patients.csv line 3: patient.age = 12.0")


def test_variability_keeps_parameters_inside_their_bounds_and_widens_the_spread():
    ps = load_parameters("prior")
    draws = ps.sample(1, np.random.default_rng(0))
    names = ("fibroblast_activation_rate", "channel_depth_fraction")
    pop = Cohort(variability=dict.fromkeys(names, 1.5)).sample(5000, seed=0)
    rows = individual_parameters(draws, pop, ps, np.arange(5000), np.zeros(5000, dtype=int))
    for name in names:
        low, high = ps[name].bounds
        values = rows[name]
        assert np.all((values >= low) & (values <= high)), name
        assert np.std(values) > 0
        # the deviate 0 returns the draw itself: the median patient is the draw
        assert np.isclose(np.median(values), draws[name][0], rtol=0.1), name
    untouched = rows["pn_clearance"]
    assert np.all(untouched == draws["pn_clearance"][0])


def test_variability_of_an_unknown_parameter_is_refused():
    ps = load_parameters("prior")
    pop = Cohort(variability={"no_such_rate": 0.2}).sample(3, seed=0)
    with pytest.raises(CohortError, match=r"cohort\.variability = 'no_such_rate'"):
        individual_parameters(ps.point(1), pop, ps, np.arange(3), np.zeros(3, dtype=int))


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("age,sex\n52\n", "patients.csv line 2 = '52'"),
        ("age,age\n50,60\n", "patients.csv header = 'age'"),
        ("age,sex\n52,female,extra\n", "patients.csv line 2"),
        ("age,uv_exposure\n52,1\n", "patients.csv line 2: patient.uv_exposure = '1'"),
    ],
)
def test_ragged_or_ambiguous_tables_are_refused(tmp_path, text, start):
    path = tmp_path / "patients.csv"
    path.write_text(text)
    with pytest.raises(CohortError) as err:
        VirtualPopulation.from_csv(path)
    assert str(err.value).startswith(start), str(err.value)


def test_a_table_saved_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_bytes("age,site\n52,neck\n".encode("utf-8-sig"))
    assert VirtualPopulation.from_csv(path).patients[0].site == "neck"


def test_a_normal_age_refuses_uniform_bounds():
    with pytest.raises(CohortError, match=r"cohort\.age\.low = 60"):
        Cohort.from_dict({"age": {"distribution": "normal", "mean": 50, "sd": 5, "low": 60}})


def test_a_draw_outside_its_bounds_is_refused_not_turned_into_nan():
    ps = load_parameters("prior")
    draws = ps.point(1)
    _, high = ps["fibroblast_activation_rate"].bounds
    draws["fibroblast_activation_rate"] = np.array([high * 1.0000001])
    pop = Cohort(variability={"fibroblast_activation_rate": 0.3}).sample(2, seed=0)
    with pytest.raises(CohortError, match="parameter fibroblast_activation_rate"):
        individual_parameters(draws, pop, ps, np.arange(2), np.zeros(2, dtype=int))
