"""Study means over virtual participants, and the check of the median-patient likelihood."""

import re
from importlib import resources

import numpy as np
import pytest
from scipy.special import ndtr

from dermasim.calibration.likelihood import CalibrationProblem
from dermasim.calibration.population_check import population_check
from dermasim.calibration.scenarios import simulate_scenarios
from dermasim.calibration.study_population import StudyPopulation
from dermasim.errors import DermasimError
from dermasim.parameters import ParameterSet, load_parameters

IDS = ["MN-K21-1", "MN-M19-2", "AG-1"]
PS = ParameterSet.load()


def _values(n, seed=0):
    return load_parameters("posterior").sample_with_observation(n, np.random.default_rng(seed))


def test_one_participant_is_the_median_patient_and_the_deviates_are_stratified():
    assert StudyPopulation.from_parameters(PS, 1).size == 1
    population = StudyPopulation.from_parameters(PS, 16, seed=4)
    assert population.spread == {r.name: r.population_sd for r in PS.records if r.population_sd > 0}
    for z in population.deviates.values():
        # one deviate in each sixteenth of the standard normal
        assert sorted(np.floor(ndtr(z) * 16).astype(int)) == list(range(16))
    # and one age quantile in each sixteenth, independent of the deviates
    assert sorted(np.floor(population.age_quantiles * 16).astype(int)) == list(range(16))
    for z in population.deviates.values():
        assert not np.allclose(ndtr(z), population.age_quantiles)
    with pytest.raises(
        DermasimError, match=r"virtual_patients = 0 .*1 to 256.*virtual_patients = 16"
    ):
        StudyPopulation.from_parameters(PS, 0)


def test_a_study_mean_is_the_mean_of_its_participants_simulated_one_by_one():
    problem = CalibrationProblem().subset(IDS)
    ev = problem.evidence
    values = _values(3)
    population = StudyPopulation.from_parameters(PS, 4, seed=1)
    days = ev.days_by_scenario()
    together = simulate_scenarios(ev.scenarios, days, values, population=population)
    rows = population.expand(values)
    for j in range(4):
        own = {k: v[j::4] for k, v in rows.items()}  # participant j of every draw
        aged = {  # participant j's age, where the study reports its participants' ages
            k: [population.ages(s.patient, s.participant_ages)[j]] * 3
            for k, s in ev.scenarios.items()
        }
        alone = simulate_scenarios(ev.scenarios, days, own, patients=aged)
        for k, ends in alone.endpoints.items():
            np.testing.assert_allclose(
                together.participants[k]["collagen_density"][:, j],
                ends["collagen_density"],
                rtol=1e-9,
                atol=1e-9,
            )
    for k, ends in together.participants.items():
        np.testing.assert_allclose(
            together.endpoints[k]["collagen_density"], ends["collagen_density"].mean(axis=1)
        )
    # participants differ: the deposition rate varies between them
    k = next(k for k in together.participants if "acne" in k or "mn" in k)
    assert np.ptp(together.participants[k]["collagen_density"][:, :, -1], axis=1).min() > 0.1


def test_the_check_sees_a_shift_when_the_spread_is_wide():
    """The bundled spread moves study means by a few hundredths of a noise SD; a spread ten
    times wider moves the curved responses visibly, so the check can fail."""
    values = _values(24, seed=2)
    bundled = population_check(CalibrationProblem().subset(IDS), values, participants=16)
    assert bundled.participants == 16 and bundled.draws == 24
    assert abs(bundled.largest_shift[1]) < 0.1
    assert bundled.importance_share > 0.9
    text = (resources.files("dermasim") / "data" / "parameters" / "default.toml").read_text()
    wide = ParameterSet.from_toml_text(
        re.sub(r"^population_sd = 0.21$", "population_sd = 2.5", text, flags=re.M), name="wide"
    )
    assert wide["activated_deposition_rate"].population_sd == 2.5
    problem = CalibrationProblem(model_parameters=wide).subset(IDS)
    widened = population_check(problem, values, participants=16)
    assert abs(widened.largest_shift[1]) > 5 * abs(bundled.largest_shift[1])
    # the collagen limit caps the strongest responders, so the spread grows less than the
    # deposition rate's: about 3.3 times at these draws
    assert widened.between_patient_sd["MN-K21-1"] > 2 * bundled.between_patient_sd["MN-K21-1"]
    assert widened.importance_share < bundled.importance_share


def test_participants_are_aged_as_their_study_reports():
    """Kenkel 2021 and Ablon 2018 (mn-4-monthly): one participant in each sixteenth of ages
    35 to 75; Bugge 2007: normal quantiles of 49 +/- 7 years; a study without reported ages
    keeps its patient's age for every participant, and the median patient is unchanged."""
    ev = CalibrationProblem().evidence
    population = StudyPopulation.from_parameters(PS, 16, seed=0)
    needled = ev.scenarios["mn-4-monthly"]
    ages = np.array([q.age for q in population.ages(needled.patient, needled.participant_ages)])
    assert sorted(np.floor((ages - 35.0) / 40.0 * 16).astype(int)) == list(range(16))
    gel = ev.scenarios["ha-subdermal-lipoatrophy"]
    ages = np.array([q.age for q in population.ages(gel.patient, gel.participant_ages)])
    z = (ages - 49.0) / 7.0
    assert sorted(np.floor(ndtr(z) * 16).astype(int)) == list(range(16))
    assert {q.sex for q in population.ages(gel.patient, gel.participant_ages)} == {"male"}
    untold = ev.scenarios["mn-6-biweekly"]
    assert untold.participant_ages is None
    assert {q.age for q in population.ages(untold.patient, None)} == {untold.patient.age}
    one = StudyPopulation.from_parameters(PS, 1)
    assert one.ages(needled.patient, needled.participant_ages) == [needled.patient]


def test_age_alone_makes_the_participants_of_a_study_differ():
    """With no between-patient spread on any parameter, the participants of a study with
    reported ages still differ (older skin responds less); those of a study without them
    are one patient."""
    text = (resources.files("dermasim") / "data" / "parameters" / "default.toml").read_text()
    same = ParameterSet.from_toml_text(
        re.sub(r"^population_sd = [0-9.]+$", "population_sd = 0.0", text, flags=re.M),
        name="no spread",
    )
    assert not any(r.population_sd for r in same.records)
    ev = CalibrationProblem().subset(["MN-K21-1", "MN-E15-1"]).evidence
    population = StudyPopulation.from_parameters(same, 8, seed=0)
    assert population.size == 8 and not population.deviates
    out = simulate_scenarios(ev.scenarios, ev.days_by_scenario(), _values(2), population=population)
    aged = out.participants["mn-4-monthly"]["collagen_density"][:, :, -1]
    assert np.ptp(aged, axis=1).min() > 0.5  # percentage points between participants
    alike = out.participants["mn-6-biweekly"]["collagen_density"][:, :, -1]
    assert np.ptp(alike, axis=1).max() < 1e-9


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"distribution": "normal", "low": 44, "mean": 50, "sd": 5},
            r"scenario.x.participant_ages.low = 44 is not valid: allowed low and high only",
        ),
        ({"low": 65, "high": 44}, r"cohort.age.high = 44 is not valid: allowed at least low = 65"),
        ({"low": 44, "hi": 65}, r"scenario.x.participant_ages key = 'hi' is not valid"),
    ],
)
def test_a_malformed_participant_ages_entry_is_refused_in_one_line(entry, message):
    """A scenario's ages are read as a cohort's age table, with the same one-line errors."""
    from dermasim.cohort.population import AgeDistribution, CohortError

    with pytest.raises(CohortError, match=message) as error:
        AgeDistribution.from_dict(entry, "scenario.x.participant_ages")
    assert "\n" not in str(error.value)
