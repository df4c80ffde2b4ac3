"""Behaviours the model must show (prior draws: medians over draws, or shares of draws).

Each test names the evidence row or design statement it checks. These are qualitative
checks of the model's structure on its prior predictions (``parameters="prior"``); none of
them was used to set a parameter value. Predictions with the calibrated posterior are
checked in ``test_posterior_predictions.py`` and by ``dermasim validate``.
"""

from functools import cache

import numpy as np
import pytest

from dermasim import Patient, simulate

DRAWS = 100
MANY = 400  # for shares of draws compared with a threshold


@cache
def run(protocol: str, days: int = 200, draws: int = DRAWS, **patient):
    return simulate(
        protocol, Patient(**patient), days=days, draws=draws, seed=0, parameters="prior"
    )


def median(sol, endpoint, t=None):
    values = sol.dataset[endpoint].values
    curve = np.median(values, axis=0)
    return curve if t is None else float(curve[int(t)])


def gain(protocol, t, days=200, draws=DRAWS, **patient):
    """Per-draw collagen content gain over the untreated twin (percentage points)."""
    treated = run(protocol, days, draws, **patient).dataset["collagen_content"].sel(time=t)
    untreated = run("no treatment", days, draws, **patient).dataset["collagen_content"]
    return treated.values - untreated.sel(time=t).values


# ------------------------------------------------------------------------------- ageing
def test_untreated_collagen_falls_about_one_percent_a_year_row_ag1():
    """AG-1 (Shuster1975): dermal collagen content falls about 1% per year of adulthood."""
    sol = run("no treatment", 365)
    per_year = sol.dataset["collagen_density"].sel(time=365).values
    p05, p50, p95 = np.quantile(per_year, [0.05, 0.5, 0.95])
    assert p05 <= -1.0 <= p95
    assert -2.5 <= p50 <= -0.5


@pytest.mark.parametrize("exposure", [{"uv_exposure": "high"}, {"smoker": True}])
def test_uv_and_smoking_speed_the_loss(exposure):
    base = run("no treatment", 365).dataset["collagen_density"].sel(time=365).values
    worse = run("no treatment", 365, **exposure).dataset["collagen_density"].sel(time=365)
    assert (worse.values < base).all()  # same draws (seed), so the comparison is paired


def test_low_uv_slows_the_loss():
    base = run("no treatment", 365).dataset["collagen_density"].sel(time=365).values
    low = run("no treatment", 365, uv_exposure="low").dataset["collagen_density"].sel(time=365)
    assert (low.values > base).all()


def test_older_patients_start_lower():
    start = [
        median(run("no treatment", age=age), "collagen_content", 0) for age in (25, 45, 65, 85)
    ]
    assert np.all(np.diff(start) < 0)


def test_older_patients_respond_less_to_the_same_course():
    gains = [np.median(gain("microneedling-4-monthly", 180, age=age)) for age in (25, 45, 65, 85)]
    assert np.all(np.diff(gains) < 0)
    assert gains[-1] > 0


# ------------------------------------------------------------------------ microneedling
def test_derivation_needling_inflammation_is_transient_rows_wh5_wh6():
    """Derivation check: the inflammation clearance prior was set from WH-5 (0.2-0.6 /day)
    and WH-6 (the inflammatory phase ends by day 2 to 5), so this shows that the model reads
    them back, not that it agrees with independent evidence."""
    curve = median(run("1 x microneedling 1.5 mm", 60), "inflammation")
    peak_day = int(np.argmax(curve))
    assert 1 <= peak_day <= 5
    assert curve[14] < 0.1 * curve.max()
    assert curve[0] == 0.0


def test_collagen_III_rises_before_collagen_I_rows_wh7_wh8():
    """WH-7/WH-8 and MN-S18-1: type III is laid down first, type I later (remodelling).

    Judged per draw (each draw is one virtual skin; the median curve is no draw's
    trajectory): in most draws type III reaches a quarter and a half of its peak change
    before type I does, and peaks first. In about a third of the draws type I peaks first,
    and since the collagen packing limit the median curves cross half their peaks on the
    same day and the median type I curve peaks before the median type III curve. In the
    first two weeks after the first session (the proliferative phase, when MN-S18-1 finds
    COL3A1 up), the median type-III change exceeds the median type-I change; the type-III
    share of new matrix follows the wound signal, so by the next session a month later the
    two have met."""
    sol = run("microneedling-4-monthly", 365)
    c3 = sol.dataset["collagen_III"].values
    c1 = sol.dataset["collagen_I"].values
    for fraction in (0.25, 0.5):
        day3 = np.argmax(c3 >= fraction * c3.max(axis=1, keepdims=True), axis=1)
        day1 = np.argmax(c1 >= fraction * c1.max(axis=1, keepdims=True), axis=1)
        assert np.mean(day3 < day1) > 0.6, fraction
    assert np.mean(np.argmax(c3, axis=1) < np.argmax(c1, axis=1)) > 0.6
    for day in (5, 14):
        assert median(sol, "collagen_III", day) > median(sol, "collagen_I", day) > 0, day


def test_needling_gain_peaks_after_the_last_session_then_decays():
    sol = run("microneedling-4-monthly", 730)
    curve = median(sol, "collagen_density")
    peak = int(np.argmax(curve))
    last_session = 90
    assert last_session + 14 <= peak <= last_session + 180
    assert curve[730] < curve[peak]
    assert curve[365] > curve[730]


#: Up to the default patient's skin (1.98 mm at the cheek of a woman of 45): deeper needles
#: are refused (dermasim.contraindications).
DEPTHS = (0.1, 0.25, 0.5, 1.0, 1.5, 1.9)


@pytest.fixture(scope="module")
def by_depth():
    return {d: run(f"4 x microneedling {d} mm every 30 days", 200) for d in DEPTHS}


def test_needles_shallower_than_the_epidermis_give_little_dermal_gain(by_depth):
    shallow = median(by_depth[0.1], "collagen_density", 180)
    deep = median(by_depth[1.5], "collagen_density", 180)
    assert shallow < 0.1 * deep


def test_gain_grows_with_depth(by_depth):
    """The median gain grows with needle depth. (Whether it saturates at the deepest needles
    is not asserted: with the collagen packing limit the median gain is close to linear in
    depth up to the bottom of the skin, and no evidence row speaks to it.)"""
    gains = np.array([median(by_depth[d], "collagen_density", 180) for d in DEPTHS])
    assert np.all(np.diff(gains) > 0)


def test_downtime_grows_with_depth(by_depth):
    downtime = [by_depth[d].downtime_summary()["median"] for d in DEPTHS]
    assert np.all(np.diff(downtime) >= 0)
    assert downtime[-1] > downtime[0]
    assert 1.0 <= by_depth[1.5].downtime_summary()["median"] <= 7.0  # "a few days"


MN_A08 = dict(protocol="1 x microneedling 1.5 mm", days=365, age=50, sex="female")


def test_one_needling_leaves_the_epidermis_thicker_at_one_year_row_mna08_1():
    """MN-A08-1 (Aust2008), the direction only, in the study's own scenario (one session,
    a 50-year-old's cheek): the epidermis is still thicker a year later."""
    assert median(run(**MN_A08), "epidermal_thickness", 365) > 0


@pytest.mark.xfail(
    reason="MN-A08-1's magnitude is a recorded disagreement (evidence.toml): +40% one year "
    "after one session, where the model's epidermis relaxes back within months",
    strict=True,
)
def test_one_needling_gives_mna08_1s_forty_percent_at_one_year():
    assert median(run(**MN_A08), "epidermal_thickness", 365) > 20.0  # half the reported +40%


def test_needling_raises_tropoelastin_and_lowers_total_elastin_rows_mne15():
    """MN-E15-2 and MN-E15-3 (ElDomyati2015), 6 sessions 14 days apart, biopsies one and three
    months after the start of treatment (days 30 and 91)."""
    sol = run("microneedling-6-biweekly", 200)
    for day in (30, 91):
        assert median(sol, "tropoelastin", day) > 0
        assert median(sol, "elastin", day) < 0


# ---------------------------------------------------------------------- polynucleotides
def test_polynucleotide_has_no_inflammatory_spike():
    pn = median(run("1 x polynucleotide", 60), "inflammation")
    mn = median(run("1 x microneedling 1.5 mm", 60), "inflammation")
    assert pn.max() < 0.1 * mn.max()


def test_polynucleotide_gain_is_gradual():
    """PN adds matrix gradually, without a wound-like surge: over the untreated twin (which
    keeps ageing, about -0.003% a day), the median gain rises through the first month and
    is less than half its day-28 value at day 7."""
    treated = run("1 x polynucleotide", 60).dataset["collagen_density"].values
    untreated = run("no treatment", 60).dataset["collagen_density"].values
    curve = np.median(treated - untreated, axis=0)
    first_month = curve[:29]
    assert np.all(np.diff(first_month) >= -1e-9)
    assert 0 < curve[7] < 0.5 * curve[28]


def test_more_polynucleotide_sessions_give_more():
    gains = [
        median(run(f"{n} x polynucleotide every 28 days", 200), "collagen_density", 180)
        for n in (1, 2, 3, 4)
    ]
    assert np.all(np.diff(gains) > 0)


# ------------------------------------------------------------------------------- filler
def test_filler_thickness_jumps_then_decays():
    """The gel adds thickness at once and is degraded over months (the 43% left at 16 weeks
    of HA-K15-1 is the derivation check of the degradation rate in tests/unit/model)."""
    filler = median(run("ha-filler-single", 365), "dermal_thickness")
    baseline = median(run("no treatment", 365), "dermal_thickness")
    jump = filler[0] - baseline[0]
    assert jump > 0.5  # 1 mL over 10 cm2 is 1 mm of gel
    assert filler[90] - baseline[90] < filler[0] - baseline[0]
    assert filler[365] - baseline[365] < 0.5 * jump


def test_filler_collagen_gain_is_smaller_than_a_needling_course():
    ha = median(run("ha-filler-single", 200), "collagen_density", 180)
    mn = median(run("microneedling-4-monthly", 200), "collagen_density", 180)
    assert 0 < ha < mn


# ------------------------------------------------------------ repetition and maintenance
def test_repeating_a_course_accumulates():
    four = np.median(gain("4 x microneedling 1.5 mm every 30 days", 365, 400))
    eight = np.median(gain("8 x microneedling 1.5 mm every 30 days", 365, 400))
    assert eight > four > 0


COURSE = "4 x microneedling 1.5 mm every 30 days"  # last session on day 90
MAINTAINED = {
    180: f"{COURSE}; 5 x microneedling 1.5 mm every 180 days from day 270",
    365: f"{COURSE}; 2 x microneedling 1.5 mm every 365 days from day 455",
}


def test_a_course_gain_fades_without_maintenance():
    """New matrix that is not stabilised is resorbed (model/collagen.py): without maintenance
    the gain over the untreated twin at 24 months is below its value 3 months after the
    course in nearly every draw, and clearly so in the median."""
    at_6_months, at_24_months = gain(COURSE, 180, 1095), gain(COURSE, 730, 1095)
    assert np.mean(at_24_months < at_6_months) > 0.9
    assert np.median(at_24_months / at_6_months) < 0.8
    assert np.median(gain(COURSE, 1095, 1095)) < np.median(at_24_months)  # still fading


@pytest.mark.parametrize("period", sorted(MAINTAINED))
def test_maintenance_every_6_or_12_months_holds_the_gain(period):
    """With a maintenance session every 6 or 12 months the gain at the same point of each
    cycle (90 days after a maintenance session) no longer falls from one cycle to the next,
    while the unmaintained gain falls over the same days; and at 24 months the maintained
    gain is above the unmaintained one in nearly every draw (paired draws; a draw whose
    needling inflames more than it builds can lose collagen with each session). 400 draws:
    a share near 0.97 has a binomial standard error of 0.9 points there, 1.7 at 100 draws."""
    kept = MAINTAINED[period]
    first = 270 + 90 if period == 180 else 455 + 90
    second = first + period
    cycle_change = gain(kept, second, 1095, MANY) - gain(kept, first, 1095, MANY)
    plain_change = gain(COURSE, second, 1095, MANY) - gain(COURSE, first, 1095, MANY)
    assert np.median(cycle_change) >= 0.0
    assert np.median(plain_change) < 0.0
    assert np.mean(gain(kept, 730, 1095, MANY) > gain(COURSE, 730, 1095, MANY)) > 0.95
