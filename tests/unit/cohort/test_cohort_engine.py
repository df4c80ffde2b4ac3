"""The cohort engine: rows equal single simulations, chunking and resuming change nothing."""

import re

import numpy as np
import pytest
import xarray as xr

from dermasim import Patient, Protocol, SolverOptions
from dermasim.cohort import Cohort, CohortError, plan_cohort, run_cohort
from dermasim.cohort.engine import Chunk, run_chunk
from dermasim.cohort.population import individual_parameters
from dermasim.cohort.run import run_plan
from dermasim.errors import ContraindicationError
from dermasim.simulation import integrate_batch
from dermasim.storage import ChunkStore, StoreMismatchError

MN = "4 x microneedling 1.5 mm every 30 days"
SMALL = {"n": 12, "draws": 5, "days": 200, "at": [90, 180]}


def _same(a, b):
    assert set(a.dataset.data_vars) == set(b.dataset.data_vars)
    for name in a.dataset.data_vars:
        np.testing.assert_array_equal(a.dataset[name].values, b.dataset[name].values, name)


def _close(a, b):
    # NumPy's vectorised exp and power may round the last bit differently by an element's
    # place in an array, so batches of other sizes agree to round-off, not bit for bit
    for name in a.dataset.data_vars:
        np.testing.assert_allclose(
            a.dataset[name].values, b.dataset[name].values, rtol=1e-12, atol=1e-12, err_msg=name
        )


def test_each_row_is_the_patient_and_draw_simulated_alone():
    plan = plan_cohort(MN, Cohort(site={"cheek": 1, "neck": 1, "forehead": 1}), **SMALL)
    assert plan.population.spread  # the bundled records' between-patient spread applies
    result = run_plan(plan)
    n_draws = len(next(iter(plan.draws.values())))
    for i in (0, 5, 11):
        patient = plan.population.patients[i]
        own = individual_parameters(
            plan.draws,
            plan.population,
            plan.parameters,
            np.full(n_draws, i),
            np.arange(n_draws),
        )
        alone = integrate_batch(
            plan.protocol, patient, own, days=plan.days, extra=plan.at, daily=False
        )
        expected = alone.endpoints()["collagen_density"]
        np.testing.assert_allclose(
            result.dataset["collagen_density"].values[i], expected, rtol=1e-12, atol=1e-12
        )
        assert result.dataset["age"].values[i] == patient.age


def test_patients_and_draws_are_separate_axes():
    result = run_cohort(MN, Cohort(), **SMALL)
    ds = result.dataset
    assert ds["collagen_density"].dims == ("patient", "draw", "time")
    assert ds["downtime_days"].dims == ("patient", "draw", "session")
    values = result.values("collagen_density", 180)
    # draws differ (uncertainty) and patients differ (age, UV, smoking: variability)
    assert np.ptp(values, axis=1).min() > 0
    assert np.ptp(values, axis=0).min() > 0
    summary = result.summary("collagen_density", 180)
    assert summary["patients"] == 12 and summary["draws"] == 5
    pm = summary["population_mean"]
    assert pm["p05"] <= pm["median"] <= pm["p95"]


def test_the_chunk_size_changes_results_only_at_round_off():
    a = run_cohort(MN, Cohort(), chunk_size=1, **SMALL)
    b = run_cohort(MN, Cohort(), chunk_size=1000, **SMALL)
    _close(a, b)
    assert len(plan_cohort(MN, Cohort(), chunk_size=10, **SMALL).chunks()) == 6


def test_a_resumed_store_gives_the_uninterrupted_result(tmp_path):
    plan = plan_cohort(MN, Cohort(), chunk_size=10, **SMALL)
    whole = run_plan(plan)
    store = ChunkStore(tmp_path / "s", plan.fingerprint(), len(plan.chunks()))
    # a run that finished chunks 0 and 3 and was killed
    from dermasim.cohort.run import _chunk_dataset

    for index in (0, 3):
        store.write(index, _chunk_dataset(run_chunk(plan, plan.chunks()[index])))
    seen = []
    resumed = run_plan(plan, store=tmp_path / "s", progress=lambda d, t: seen.append(d))
    _same(whole, resumed)
    assert seen[0] == 2  # two chunks were read back, not computed
    assert sorted(p.name for p in (tmp_path / "s" / "chunks").iterdir()) == [
        f"chunk-{k:06d}.nc" for k in range(6)
    ]


def test_a_store_of_another_run_is_refused_unless_restarted(tmp_path):
    run_cohort(MN, Cohort(), store=tmp_path / "s", **SMALL)
    with pytest.raises(StoreMismatchError, match="another run"):
        run_cohort(MN, Cohort(), store=tmp_path / "s", seed=1, **SMALL)
    again = run_cohort(MN, Cohort(), store=tmp_path / "s", seed=1, restart=True, **SMALL)
    _same(again, run_cohort(MN, Cohort(), seed=1, **SMALL))


def test_a_course_with_no_sessions_writes_a_file_that_reads_back(tmp_path):
    result = run_cohort("none", Cohort(), store=tmp_path / "s", **SMALL)
    path = result.to_netcdf(tmp_path / "none.nc")
    with xr.open_dataset(path) as ds:
        assert ds["collagen_density"].shape == (12, 5, 4)
        assert ds.sizes["session"] == 0  # NetCDF-4 keeps the empty dimension
    resumed = run_cohort("none", Cohort(), store=tmp_path / "s", **SMALL)
    _same(result, resumed)


def test_a_contraindicated_patient_in_a_table_is_named(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("age,pregnant\n40,false\n35,true\n")
    with pytest.raises(CohortError, match="patient 1: "):
        plan_cohort(MN, path, draws=2, days=60)
    assert issubclass(CohortError, ValueError) and not issubclass(
        ContraindicationError, CohortError
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"draws": 0}, "draws = 0"),
        ({"chunk_size": 0}, "chunk_size = 0"),
        ({"days": 0}, "days = 0"),
        ({"at": [900]}, "at = 900"),
        ({"seed": -1}, "seed = -1"),
    ],
)
def test_bad_run_options_name_the_field(kwargs, field):
    options = {**SMALL, **kwargs}
    with pytest.raises(ValueError, match=field.replace("[", r"\[")):
        plan_cohort(MN, Cohort(), **options)


def test_serial_and_local_cluster_runs_are_identical():
    pytest.importorskip("distributed")
    kwargs = {**SMALL, "n": 40, "chunk_size": 50}
    serial = run_cohort(MN, Cohort(), **kwargs)
    on_dask = run_cohort(MN, Cohort(), cluster="local", workers=2, **kwargs)
    _same(serial, on_dask)


def test_a_chunk_is_a_pure_function_of_the_plan():
    plan = plan_cohort(MN, Cohort(), solver=SolverOptions(backend="compiled"), **SMALL)
    chunk = Chunk(0, 3, 7)
    a, b = run_chunk(plan, chunk), run_chunk(plan, chunk)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert a["collagen_density"].shape == (4, 5, 4)
    assert isinstance(plan.protocol, Protocol) and isinstance(plan.population.patients[0], Patient)


def test_a_population_sd_on_a_parameter_record_makes_patients_differ():
    from importlib import resources

    from dermasim.parameters import ParameterSet

    bundled = (resources.files("dermasim") / "data" / "parameters" / "default.toml").read_text()
    # no record varies between patients in ``text``
    text = re.sub(r"^population_(sd|rows) = .*\n", "", bundled, flags=re.M)
    marked = text.replace(
        "[fibroblast_activation_rate]\n",
        "[fibroblast_activation_rate]\npopulation_sd = 0.5\npopulation_rows = ['WH-3']\n",
        1,
    )
    varying = ParameterSet.from_toml_text(marked, name="varying")
    assert varying["fibroblast_activation_rate"].population_sd == 0.5
    # identical patients: the record's spread is the only thing that can set them apart
    twins = Cohort.from_dict(
        {"age": 50, "fitzpatrick": {"3": 1}, "uv_exposure": {"moderate": 1}, "smoker": 0}
    )
    plan = plan_cohort(MN, twins, parameters=varying, **SMALL)
    assert plan.population.spread == {"fibroblast_activation_rate": 0.5}
    # the cohort's own spread overrides the record's
    own = plan_cohort(
        MN, Cohort(variability={"fibroblast_activation_rate": 0.1}), parameters=varying, **SMALL
    )
    assert own.population.spread == {"fibroblast_activation_rate": 0.1}
    bundled_plan = plan_cohort(MN, Cohort(variability={"fibroblast_activation_rate": 0.1}), **SMALL)
    assert bundled_plan.population.spread["fibroblast_activation_rate"] == 0.1
    assert bundled_plan.population.spread["activated_deposition_rate"] == 0.21
    flat = plan_cohort(
        MN, twins, parameters=ParameterSet.from_toml_text(text, name="flat"), **SMALL
    )
    spread_of = {}
    for name, p in (("varying", plan), ("flat", flat)):
        values = run_plan(p).values("collagen_density", 180)
        spread_of[name] = float(np.mean(np.std(values, axis=0)))  # between patients, per draw
    assert spread_of["flat"] < 1e-9
    assert spread_of["varying"] > 0.1  # percentage points of collagen change


def test_a_damaged_chunk_is_computed_again_and_a_store_without_manifest_refused(tmp_path):
    plan = plan_cohort(MN, Cohort(), chunk_size=10, **SMALL)
    whole = run_plan(plan, store=tmp_path / "s")
    chunks = tmp_path / "s" / "chunks"
    (chunks / "chunk-000001.nc").write_bytes(b"")  # as a power loss may leave it
    (chunks / "chunk-000002.nc").write_bytes((chunks / "chunk-000002.nc").read_bytes()[:300])
    _same(whole, run_plan(plan, store=tmp_path / "s"))
    (tmp_path / "s" / "dermasim-chunks.json").unlink()
    with pytest.raises(StoreMismatchError, match="another run"):
        run_plan(plan, store=tmp_path / "s")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "dermasim-chunks.json").write_text('{"my": "notes"}')
    with pytest.raises(StoreMismatchError, match="did not write"):
        run_plan(plan, store=foreign, restart=True)
    assert (foreign / "dermasim-chunks.json").read_text() == '{"my": "notes"}'
