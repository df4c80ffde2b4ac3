"""NetCDF output: compressed NetCDF-4, CF attributes, and each draw's parameter values."""

from __future__ import annotations

import numpy as np
import pytest

import dermasim
from dermasim.cli import main
from dermasim.parameters import load_parameters

xr = pytest.importorskip("xarray")
h5py = pytest.importorskip("h5py")

COURSE = "3 x microneedling 1.5 mm every 28 days"


@pytest.fixture(scope="module")
def solution():
    return dermasim.simulate(COURSE, days=365, draws=40, seed=5)


def test_every_numeric_variable_is_deflated_and_the_file_is_smaller_than_raw(solution, tmp_path):
    path = solution.to_netcdf(tmp_path / "s.nc")
    with h5py.File(path, "r") as f:  # NetCDF-4 is HDF5
        compressed = {k for k, v in f.items() if isinstance(v, h5py.Dataset) and v.compression}
    assert {"collagen_density", "parameter_value", "downtime_days"} <= compressed
    raw = sum(v.values.nbytes for v in solution.dataset.variables.values())
    assert path.stat().st_size < raw


def test_the_file_follows_cf_and_says_what_made_it(solution, tmp_path):
    path = solution.to_netcdf(tmp_path / "s.nc", history="a test run")
    with xr.open_dataset(path) as ds:
        assert ds.attrs["Conventions"].startswith("CF-")
        assert f"dermasim {dermasim.__version__}: a test run" in ds.attrs["history"]
        assert ds["time"].attrs["units"] == "days"
        assert ds["time"].attrs["axis"] == "T"
        assert ds["time"].dtype == np.float64  # not decoded into datetimes
        assert ds["session_day"].attrs["units"] == "days"
    # a file written again keeps its earlier history line and adds one
    again = dermasim.Solution(xr.load_dataset(path)).to_netcdf(tmp_path / "t.nc", history="copy")
    with xr.open_dataset(again) as ds:
        lines = ds.attrs["history"].splitlines()
    assert len(lines) == 2 and lines[0].endswith("a test run") and lines[1].endswith("copy")


def test_each_draw_carries_the_parameter_values_it_was_simulated_with(solution, tmp_path):
    expected = load_parameters("posterior").sample(40, np.random.default_rng(5))
    path = solution.to_netcdf(tmp_path / "s.nc")
    with xr.open_dataset(path) as ds:
        values = ds["parameter_value"]
        assert values.dims == ("draw", "parameter")
        assert set(ds["parameter"].values.tolist()) == set(expected)
        names, unit_names = ds["parameter"].values.tolist(), ds["parameter_unit"].values.tolist()
        units = dict(zip(names, unit_names, strict=True))
        for name, drawn in expected.items():
            np.testing.assert_array_equal(values.sel(parameter=name).values, drawn)
    assert units["inflammation_clearance"] == "1/day"
    # draws differ, so the values are per draw, not one point repeated
    assert np.unique(solution.parameter_values["inflammation_clearance"]).size > 1


def test_the_cli_writes_the_command_into_history(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["simulate", COURSE, "--days", "60", "--draws", "5", "--out", str(out)])
    assert code == 0
    with xr.open_dataset(out / "simulation.nc") as ds:
        assert "simulate" in ds.attrs["history"].splitlines()[-1]
        assert ds.sizes["parameter"] > 10
