"""The Python API: ``dermasim.simulate`` and the Solution it returns."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import xarray as xr

import dermasim
from dermasim import Patient, Protocol


@pytest.fixture(scope="module")
def solution():
    return dermasim.simulate("microneedling-4-monthly", days=120, draws=12, seed=2)


def test_solution_dataset_layout(solution):
    ds = solution.dataset
    for name in solution.endpoints:
        assert ds[name].dims == ("draw", "time")
        assert "units" in ds[name].attrs
    assert ds.sizes["draw"] == 12
    assert ds["time"].values[0] == 0 and ds["time"].values[-1] == 120
    assert ds["downtime_days"].dims == ("draw", "session")
    np.testing.assert_array_equal(ds["session_day"].values, [0, 30, 60, 90])
    for key in ("dermasim_version", "parameters", "seed", "draws", "protocol", "citations"):
        assert key in ds.attrs
    assert ds.attrs["seed"] == 2


def test_summary_and_quantiles_agree(solution):
    summary = solution.summary(at=[60, 120])
    q = solution.quantiles("collagen_III", at=[60, 120])
    assert summary["collagen_III"]["median"] == list(q[1])
    assert summary["collagen_III"]["t_days"] == [60.0, 120.0]
    with pytest.raises(dermasim.SimulationError, match="at"):
        solution.summary(at=[60.5])


def test_netcdf_round_trip(solution, tmp_path):
    path = solution.to_netcdf(tmp_path / "nested" / "run.nc")
    back = xr.open_dataset(path, engine="scipy")
    np.testing.assert_allclose(
        back["collagen_density"].values, solution.dataset["collagen_density"]
    )
    assert back.attrs["protocol"] == solution.dataset.attrs["protocol"]
    back.close()
    assert [p.name for p in path.parent.iterdir()] == ["run.nc"]


def test_plot_returns_a_figure(solution, tmp_path):
    fig = solution.plot(path=tmp_path / "fig.png")
    assert fig.axes
    assert (tmp_path / "fig.png").stat().st_size > 1000


def test_identical_inputs_and_seed_are_bit_identical():
    a = dermasim.simulate("pn-standard", days=60, draws=5, seed=9).dataset
    b = dermasim.simulate("pn-standard", days=60, draws=5, seed=9).dataset
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_protocol_objects_strings_and_patients_are_accepted():
    proto = Protocol.parse("2 x microneedling 1 mm every 2 weeks")
    sol = dermasim.simulate(proto, Patient(age=60, site="neck"), days=30, draws=3)
    assert sol.dataset.attrs["protocol"] == "2 x microneedling 1 mm every 14 days"
    sol = dermasim.simulate(proto, {"age": 33}, days=30, draws=3)
    assert '"age": 33' in sol.dataset.attrs["patient"]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: dermasim.simulate("4 x microneedling 9 mm every 30 days"), dermasim.ProtocolError),
        (lambda: dermasim.simulate("pn-standard", {"age": 12}), dermasim.PatientError),
        (
            lambda: dermasim.simulate("pn-standard", Patient(fish_allergy=True)),
            dermasim.ContraindicationError,
        ),
        (lambda: dermasim.simulate("pn-standard", days=-5), dermasim.SimulationError),
        (lambda: dermasim.simulate("pn-standard", draws=2.5), dermasim.SimulationError),
        (lambda: dermasim.simulate("pn-standard", parameters="nope"), dermasim.ParameterError),
    ],
)
def test_bad_input_raises_the_error_family(call, error):
    with pytest.raises(error) as err:
        call()
    assert isinstance(err.value, dermasim.DermasimError)
    assert "\n" not in str(err.value)


def test_compare_protocols_api():
    result = dermasim.compare_protocols(["no-treatment", "ha-filler-single"], days=100, draws=4)
    rows = result.rows()
    assert [r["protocol"] for r in rows] == ["no-treatment", "ha-filler-single"]
    assert (
        rows[1]["collagen_density"]["3 mo"]["median"]
        > rows[0]["collagen_density"]["3 mo"]["median"]
    )
