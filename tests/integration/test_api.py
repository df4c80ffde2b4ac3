"""The Python API: ``dermasim.simulate`` and the Solution it returns."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

import dermasim
from dermasim import Patient, Protocol

REQUIRED = (
    "collagen_density",
    "papillary_collagen",
    "collagen_I",
    "collagen_III",
    "elastin",
    "tropoelastin",
    "epidermal_thickness",
    "dermal_thickness",
)


@pytest.fixture(scope="module")
def solution():
    return dermasim.simulate("microneedling-4-monthly", days=120, draws=12, seed=2, at=[45.5])


def test_simulate_returns_a_solution(solution):
    assert isinstance(solution, dermasim.Solution)
    assert isinstance(solution.dataset, xr.Dataset)


def test_every_endpoint_has_draw_and_time_dims_and_units(solution):
    ds = solution.dataset
    assert set(REQUIRED) <= set(solution.endpoints)
    for name in solution.endpoints:
        assert ds[name].dims == ("draw", "time"), name
        assert isinstance(ds[name].attrs["units"], str) and ds[name].attrs["units"], name
        assert np.isfinite(ds[name].values).all(), name
    assert ds["dermal_thickness"].attrs["units"] == "mm"
    assert ds.sizes["draw"] == 12


def test_time_grid_is_daily_plus_extra_days(solution):
    times = solution.times
    assert times[0] == 0 and times[-1] == 120
    assert 45.5 in times
    assert np.all(np.diff(times) > 0)
    assert len(times) == 121 + 1


def test_sessions_and_downtime(solution):
    ds = solution.dataset
    assert ds["downtime_days"].dims == ("draw", "session")
    np.testing.assert_array_equal(ds["session_day"].values, [0, 30, 60, 90])
    downtime = ds["downtime_days"].values
    assert (downtime < 30).all()  # redness has cleared before the next session
    assert np.median(downtime) > 0  # needling leaves visible redness in most draws


def test_provenance_attributes(solution):
    attrs = solution.dataset.attrs
    assert attrs["dermasim_version"] == dermasim.__version__
    assert attrs["parameters"] == "posterior:default (posterior draws)"
    assert attrs["seed"] == 2
    assert attrs["draws"] == 12
    assert attrs["protocol"] == "4 x microneedling 1.5 mm every 30 days"
    assert solution.provenance() == {
        "version": dermasim.__version__,
        "parameters": attrs["parameters"],
        "draws": 12,
        "seed": 2,
    }


def test_summary_gives_the_draws_quantiles(solution):
    """Checked against NumPy on the raw draws, not against the function summary calls."""
    summary = solution.summary(at=[60, 120])
    raw = solution.dataset["collagen_III"].sel(time=[60, 120]).values  # (draw, time)
    expected = np.quantile(raw, [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_allclose(summary["collagen_III"]["p05"], expected[0], rtol=1e-12)
    np.testing.assert_allclose(summary["collagen_III"]["median"], expected[1], rtol=1e-12)
    np.testing.assert_allclose(summary["collagen_III"]["p95"], expected[2], rtol=1e-12)
    assert summary["collagen_III"]["t_days"] == [60.0, 120.0]
    with pytest.raises(dermasim.SimulationError, match="at"):
        solution.summary(at=[60.25])
    with pytest.raises(dermasim.SimulationError, match="endpoint"):
        solution.quantiles("wrinkles")


def test_netcdf_round_trip(solution, tmp_path):
    path = solution.to_netcdf(tmp_path / "nested" / "run.nc")
    assert path == tmp_path / "nested" / "run.nc"
    with xr.open_dataset(path) as back:
        assert set(back.data_vars) == set(solution.dataset.data_vars)
        for name in solution.dataset.data_vars:
            np.testing.assert_array_equal(back[name].values, solution.dataset[name].values)
            assert back[name].attrs.get("units") == solution.dataset[name].attrs.get("units")
        np.testing.assert_array_equal(back["time"].values, solution.times)
        for key in ("dermasim_version", "parameters", "seed", "draws", "protocol", "patient"):
            assert back.attrs[key] == solution.dataset.attrs[key], key
    assert [p.name for p in path.parent.iterdir()] == ["run.nc"]


def test_plot_returns_a_figure(solution, tmp_path):
    import matplotlib.pyplot as plt

    fig = solution.plot(path=tmp_path / "fig.png")
    try:
        assert isinstance(fig, Figure)
        assert fig.axes
    finally:
        plt.close(fig)
    assert (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
    fig = solution.plot(endpoints=["collagen_I"])
    try:
        assert isinstance(fig, Figure)
        assert len([ax for ax in fig.axes if ax.has_data()]) == 1
    finally:
        plt.close(fig)


def test_identical_inputs_and_seed_are_bit_identical():
    a = dermasim.simulate("pn-standard", days=60, draws=5, seed=9).dataset
    b = dermasim.simulate("pn-standard", days=60, draws=5, seed=9).dataset
    c = dermasim.simulate("pn-standard", days=60, draws=5, seed=10).dataset
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert not np.array_equal(a["collagen_density"].values, c["collagen_density"].values)


def test_protocol_objects_strings_and_patients_are_accepted(tmp_path):
    proto = Protocol.parse("2 x microneedling 1 mm every 2 weeks")
    sol = dermasim.simulate(proto, Patient(age=60, site="neck"), days=30, draws=3)
    assert sol.dataset.attrs["protocol"] == "2 x microneedling 1 mm every 14 days"
    assert '"site": "neck"' in sol.dataset.attrs["patient"]
    sol = dermasim.simulate(proto, {"age": 33}, days=30, draws=3)
    assert '"age": 33' in sol.dataset.attrs["patient"]
    path = tmp_path / "patient.toml"
    path.write_text('age = 70\nsex = "male"\n')
    sol = dermasim.simulate(proto, path, days=30, draws=3)
    assert '"sex": "male"' in sol.dataset.attrs["patient"]


def test_error_family():
    for error in (
        dermasim.ProtocolError,
        dermasim.PatientError,
        dermasim.ContraindicationError,
        dermasim.SimulationError,
        dermasim.ParameterError,
        dermasim.SolverError,
    ):
        assert issubclass(error, dermasim.DermasimError)
    assert issubclass(dermasim.ContraindicationError, dermasim.PatientError)


MN = "4 x microneedling 1.5 mm every 30 days"


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (
            lambda: dermasim.simulate("4 x microneedling 9 mm every 30 days"),
            "ProtocolError",
            "depth",
        ),
        (lambda: dermasim.simulate("4 x microneedlin 1.5 mm"), "ProtocolError", "microneedlin"),
        (lambda: dermasim.simulate("pn-standrad"), "ProtocolError", "pn-standrad"),
        (lambda: dermasim.simulate(MN, {"age": 12}), "PatientError", "age"),
        (lambda: dermasim.simulate(MN, {"site": "elbow"}), "PatientError", "site"),
        (
            lambda: dermasim.simulate("pn-standard", Patient(fish_allergy=True)),
            "ContraindicationError",
            "fish_allergy",
        ),
        (
            lambda: dermasim.simulate(MN, {"isotretinoin_last_6_months": True}),
            "ContraindicationError",
            "isotretinoin",
        ),
        (lambda: dermasim.simulate(MN, days=-5), "SimulationError", "days"),
        (lambda: dermasim.simulate(MN, days=float("nan")), "SimulationError", "days"),
        (lambda: dermasim.simulate(MN, draws=2.5), "SimulationError", "draws"),
        (lambda: dermasim.simulate(MN, draws=0), "SimulationError", "draws"),
        (lambda: dermasim.simulate(MN, seed=-1), "SimulationError", "seed"),
        (lambda: dermasim.simulate(MN, days=50, at=[60]), "SimulationError", "at"),
        (lambda: dermasim.simulate(MN, parameters="nope"), "ParameterError", "nope"),
    ],
)
def test_bad_input_raises_the_error_family(call, error, field):
    with pytest.raises(getattr(dermasim, error)) as err:
        call()
    assert isinstance(err.value, dermasim.DermasimError)
    message = str(err.value)
    assert "\n" not in message
    assert field in message
    assert "for example" in message


def test_contraindication_is_not_a_plain_patient_error():
    with pytest.raises(dermasim.PatientError) as err:
        dermasim.simulate(MN, {"age": 12})
    assert not isinstance(err.value, dermasim.ContraindicationError)


def test_compare_protocols_api():
    result = dermasim.compare_protocols(["no-treatment", "ha-filler-single"], days=100, draws=4)
    rows = result.rows()
    assert [r["protocol"] for r in rows] == ["no-treatment", "ha-filler-single"]
    assert (
        rows[1]["collagen_density"]["3 mo"]["median"]
        > rows[0]["collagen_density"]["3 mo"]["median"]
    )


def test_a_solution_wraps_a_dataset_read_back_from_disk(tmp_path):
    import xarray as xr

    sol = dermasim.simulate("4 x microneedling 1.5 mm every 30 days", days=120, draws=6)
    path = sol.to_netcdf(tmp_path / "s.nc")
    with xr.open_dataset(path) as ds:
        again = dermasim.Solution(ds.load())
    assert again.summary(at=[90]) == sol.summary(at=[90])
    assert again.downtime_summary() == sol.downtime_summary()
    assert again.parameter_values.keys() == sol.parameter_values.keys()
    for name, values in sol.parameter_values.items():
        np.testing.assert_array_equal(again.parameter_values[name], values)
