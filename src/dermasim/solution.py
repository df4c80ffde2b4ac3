"""Solution: endpoints by time and draw as an :class:`xarray.Dataset`, with provenance."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._version import version
from .errors import SimulationError, invalid_value
from .model import ENDPOINTS
from .plotting import plot_solution
from .storage import write_netcdf

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure

    from .parameters import ParameterSet
    from .patient import Patient
    from .protocol import Protocol

__all__ = [
    "QUANTILES",
    "REPORT_DAYS",
    "Solution",
    "quantile_summary",
    "report_days",
    "share_better",
]

#: The time coordinate: elapsed days, a CF duration (a course has no calendar date).
TIME_ATTRS = {
    "units": "days",
    "long_name": "days from the start of the simulation (day 0: before any session)",
    "axis": "T",
}

#: Quantiles reported everywhere: 5th percentile, median, 95th percentile.
QUANTILES = (0.05, 0.5, 0.95)

#: The days a simulation's JSON object reports when none are asked for (within the horizon).
REPORT_DAYS = (0.0, 90.0, 180.0, 365.0, 730.0)


def report_days(days: float, at: Sequence[float] | None = None) -> list[float]:
    """The days a ``dermasim.simulation/1`` object reports: ``at`` (sorted, once each), else
    those of :data:`REPORT_DAYS` within the horizon ``days``.

    Examples
    --------
    >>> report_days(365)
    [0.0, 90.0, 180.0, 365.0]
    >>> report_days(365, at=[30, 10, 30])
    [10.0, 30.0]
    """
    chosen = [float(d) for d in at] if at is not None else [d for d in REPORT_DAYS if d <= days]
    return sorted(set(chosen))


def share_better(difference: np.ndarray, better: str = "higher") -> float:
    """P(A better than B) from paired draws of ``A - B``: the share of draws where the
    difference points the ``better`` way (``"higher"`` or ``"lower"``), ties counting half."""
    d = difference if better == "higher" else -np.asarray(difference)
    return float(np.mean(d > 0) + 0.5 * np.mean(d == 0))


def quantile_summary(x: np.ndarray) -> dict[str, float]:
    """``{"median", "p05", "p95"}`` of the values ``x`` (over draws), as floats."""
    p05, p50, p95 = np.quantile(x, QUANTILES)
    return {"median": float(p50), "p05": float(p05), "p95": float(p95)}


@dataclass(frozen=True)
class _Arrays:
    times: np.ndarray
    endpoints: dict[str, np.ndarray]  # (draw, time)
    downtime: np.ndarray  # (draw, session)
    session_days: np.ndarray
    attrs: dict[str, Any]
    #: each parameter's value in each draw, and its unit (empty where not recorded)
    parameter_values: dict[str, np.ndarray] = field(default_factory=dict)
    parameter_units: dict[str, str] = field(default_factory=dict)


class Solution:
    """Result of a simulation.

    Attributes
    ----------
    dataset
        Variables: one per endpoint (dims ``draw, time``; ``units`` and ``description``
        attributes), ``downtime_days`` (dims ``draw, session``) and ``parameter_value``
        (dims ``draw, parameter``: the value of every model parameter in each draw, with
        the coordinate ``parameter_unit``). Coordinates ``time`` (days from the start of
        the course, CF units ``days``), ``draw``, ``session_day`` and ``parameter``.
        Attributes hold the provenance: package version, parameter set, seed, draws,
        protocol, patient and citations. Built (and xarray imported) on first use: summaries
        and JSON read the arrays directly.
    """

    def __init__(self, data: _Arrays | xr.Dataset) -> None:
        """Wrap the arrays of :meth:`from_arrays`, or a Dataset of the layout above (as
        :meth:`dataset` gives, or read back with ``xarray.open_dataset``)."""
        if isinstance(data, _Arrays):
            self._arrays = data
            self._dataset: xr.Dataset | None = None
            return
        endpoints = {
            k: np.asarray(data[k].transpose("draw", "time").values)
            for k in data.data_vars
            if k in ENDPOINTS
        }
        n_draws = data.sizes["draw"]
        if "downtime_days" in data:
            downtime = np.asarray(data["downtime_days"].transpose("draw", "session").values)
            session_days = np.asarray(data["session_day"].values, dtype=float)
        else:  # a file written for a course with no sessions
            downtime, session_days = np.zeros((n_draws, 0)), np.zeros(0)
        values: dict[str, np.ndarray] = {}
        units: dict[str, str] = {}
        if "parameter_value" in data:
            matrix = data["parameter_value"].transpose("draw", "parameter")
            for i, name in enumerate(data["parameter"].values.tolist()):
                values[str(name)] = np.asarray(matrix.values[:, i], dtype=float)
                units[str(name)] = str(data["parameter_unit"].values[i])
        self._arrays = _Arrays(
            times=np.asarray(data["time"].values, dtype=float),
            endpoints=endpoints,
            downtime=downtime,
            session_days=session_days,
            attrs=dict(data.attrs),
            parameter_values=values,
            parameter_units=units,
        )
        self._dataset = data

    @classmethod
    def from_arrays(
        cls,
        *,
        times: np.ndarray,
        endpoints: Mapping[str, np.ndarray],
        downtime: np.ndarray,
        session_days: np.ndarray,
        patient: Patient,
        protocol: Protocol,
        parameters: ParameterSet,
        seed: int,
        point: bool = False,
        parameter_values: Mapping[str, np.ndarray] | None = None,
    ) -> Solution:
        """Assemble a Solution from arrays ``(draw, time)`` and ``(draw, session)``;
        ``parameter_values`` are the draws that were simulated (name to ``(draw,)``)."""
        n_draws = downtime.shape[0]
        attrs = {
            "title": "dermasim simulation",
            "dermasim_version": version,
            "parameters": parameters.name
            + (" (point values)" if point else f" ({parameters.kind})"),
            "seed": int(seed),
            "draws": int(n_draws),
            "protocol": str(protocol),
            "protocol_name": protocol.name,
            "patient": json.dumps(patient.to_dict(), sort_keys=True),
            "citations": ", ".join(parameters.sources()),
            "disclaimer": "research and planning aid, not medical advice",
        }
        return cls(
            _Arrays(
                times=np.asarray(times, dtype=float),
                endpoints={k: v for k, v in endpoints.items() if k in ENDPOINTS},
                downtime=np.asarray(downtime, dtype=float),
                session_days=np.asarray(session_days, dtype=float),
                attrs=attrs,
                parameter_values={
                    k: np.broadcast_to(np.asarray(v, dtype=float), (n_draws,))
                    for k, v in (parameter_values or {}).items()
                },
                parameter_units={
                    k: parameters[k].unit if k in parameters else ""
                    for k in (parameter_values or {})
                },
            )
        )

    @property
    def dataset(self) -> xr.Dataset:
        """The solution as an :class:`xarray.Dataset` (see the class docstring)."""
        if self._dataset is None:
            import xarray as xr

            arrays = self._arrays
            data_vars: dict[str, Any] = {}
            for name, values in arrays.endpoints.items():
                unit, description = ENDPOINTS[name]
                data_vars[name] = xr.Variable(
                    ("draw", "time"), values, {"units": unit, "description": description}
                )
            data_vars["downtime_days"] = xr.Variable(
                ("draw", "session"),
                arrays.downtime,
                {
                    "units": "days",
                    "description": "days of visible redness or swelling after a session",
                },
            )
            coords: dict[str, Any] = {
                "time": ("time", arrays.times, TIME_ATTRS),
                "draw": ("draw", np.arange(arrays.downtime.shape[0]), {"long_name": "draw"}),
                "session_day": (
                    "session",
                    arrays.session_days,
                    {"units": "days", "long_name": "day of each session"},
                ),
            }
            if arrays.parameter_values:
                names = list(arrays.parameter_values)
                data_vars["parameter_value"] = xr.Variable(
                    ("draw", "parameter"),
                    np.stack([arrays.parameter_values[k] for k in names], axis=1),
                    {
                        "long_name": "value of each model parameter in each draw",
                        "description": "units in the coordinate parameter_unit",
                    },
                )
                coords["parameter"] = ("parameter", names)
                coords["parameter_unit"] = (
                    "parameter",
                    [arrays.parameter_units.get(k, "") for k in names],
                )
            self._dataset = xr.Dataset(data_vars, coords=coords, attrs=dict(arrays.attrs))
        return self._dataset

    # ---------------------------------------------------------------- accessors
    @property
    def parameter_values(self) -> dict[str, np.ndarray]:
        """Each parameter's value in each draw that was simulated, ``{name: (draw,)}``."""
        return dict(self._arrays.parameter_values)

    @property
    def endpoints(self) -> tuple[str, ...]:
        """Names of the time-resolved endpoints."""
        return tuple(self._arrays.endpoints)

    @property
    def times(self) -> np.ndarray:
        """Output times in days."""
        return self._arrays.times

    @property
    def downtime(self) -> np.ndarray:
        """Days of visible redness after each session day, ``(draw, session)``."""
        return self._arrays.downtime

    @property
    def session_days(self) -> np.ndarray:
        """Days with at least one session inside the horizon."""
        return self._arrays.session_days

    def values(self, endpoint: str) -> np.ndarray:
        """An endpoint's values ``(draw, time)`` on :attr:`times`."""
        if endpoint not in self.endpoints:
            raise SimulationError(
                invalid_value(
                    "endpoint",
                    endpoint,
                    "one of " + ", ".join(self.endpoints),
                    "'collagen_density'",
                )
            )
        return self._arrays.endpoints[endpoint]

    def _times_at(self, at: Sequence[float] | np.ndarray | None) -> np.ndarray:
        if at is None:
            return self.times
        wanted = np.asarray(at, dtype=float)
        missing = wanted[~np.isin(wanted, self.times)]
        if missing.size:
            raise SimulationError(
                invalid_value(
                    "at",
                    float(missing[0]),
                    "days on the output grid (simulate with at=[...] to add them)",
                    "at = [0, 90, 180]",
                )
            )
        return wanted

    def quantiles(
        self,
        endpoint: str,
        at: Sequence[float] | np.ndarray | None = None,
        q: Sequence[float] = QUANTILES,
    ) -> np.ndarray:
        """Quantiles over draws, shape ``(len(q), time)``."""
        values = self.values(endpoint)
        columns = np.searchsorted(self.times, self._times_at(at))
        return np.quantile(values[:, columns], q, axis=0)

    def summary(self, at: Sequence[float] | None = None) -> dict[str, dict[str, Any]]:
        """Median and 5th-95th percentiles of every endpoint at the times ``at``."""
        times = self._times_at(at)
        out: dict[str, dict[str, Any]] = {}
        for name in self.endpoints:
            p05, p50, p95 = self.quantiles(name, times)
            out[name] = {
                "unit": ENDPOINTS[name][0],
                "t_days": [float(t) for t in times],
                "median": [float(v) for v in p50],
                "p05": [float(v) for v in p05],
                "p95": [float(v) for v in p95],
            }
        return out

    def downtime_summary(self) -> dict[str, float]:
        """Median and 5th-95th percentiles over draws of the mean downtime per session."""
        dt = self._arrays.downtime
        per_draw = dt.mean(axis=1) if dt.shape[1] else np.zeros(dt.shape[0])
        p05, p50, p95 = np.quantile(per_draw, QUANTILES)
        return {"median": float(p50), "p05": float(p05), "p95": float(p95)}

    def provenance(self) -> dict[str, Any]:
        """Version, parameter set, draws and seed."""
        attrs = self._arrays.attrs
        return {
            "version": attrs["dermasim_version"],
            "parameters": attrs["parameters"],
            "draws": int(attrs["draws"]),
            "seed": int(attrs["seed"]),
        }

    def to_json_dict(
        self, at: Sequence[float] | None = None, protocol: Protocol | None = None
    ) -> dict[str, Any]:
        """The ``dermasim.simulation/1`` JSON object (see the CLI reference)."""
        attrs = self._arrays.attrs
        outputs = self.summary(at)
        outputs.pop("redness", None)
        proto: dict[str, Any] = (
            protocol.to_dict()
            if protocol is not None
            else {"name": attrs["protocol_name"], "compact": attrs["protocol"]}
        )
        return {
            "schema": "dermasim.simulation/1",
            "patient": json.loads(attrs["patient"]),
            "protocol": proto,
            "outputs": outputs,
            "downtime_days": self.downtime_summary(),
            "provenance": self.provenance(),
        }

    # ---------------------------------------------------------------- output
    def to_dataframe(self, at: Sequence[float] | None = None) -> Any:
        """Every endpoint as a :class:`pandas.DataFrame`, one row per (draw, time), one column
        per endpoint; ``at`` keeps only those output days.

        Examples
        --------
        >>> from dermasim import simulate
        >>> df = simulate("1 x microneedling 1 mm", days=30, draws=3).to_dataframe(at=[0, 30])
        >>> df.index.names, len(df)
        (FrozenList(['draw', 'time']), 6)
        """
        data = self.dataset[list(self.endpoints)]
        if at is not None:
            data = data.sel(time=self._times_at(at))
        return data.to_dataframe()

    def _repr_html_(self) -> str:
        """A notebook's view: what was simulated and the endpoints at the usual report days
        (median [5th, 95th percentile])."""
        from html import escape

        attrs = self._arrays.attrs
        kept = set(self.times.tolist())
        days = [d for d in (0.0, 90.0, 180.0, 365.0, 730.0) if d in kept]
        if float(self.times[-1]) not in days:
            days.append(float(self.times[-1]))  # the horizon
        head = "".join(f"<th>day {d:g}</th>" for d in days)
        rows = []
        for name in self.endpoints:
            p05, p50, p95 = self.quantiles(name, at=days)
            cells = "".join(
                f"<td>{m:.3g} [{lo:.3g}, {hi:.3g}]</td>"
                for lo, m, hi in zip(p05, p50, p95, strict=True)
            )
            rows.append(f"<tr><td>{escape(name)} ({escape(ENDPOINTS[name][0])})</td>{cells}</tr>")
        return (
            f"<p><b>dermasim Solution</b>: {escape(str(attrs['protocol']))}; "
            f"{attrs['draws']} draws, seed {attrs['seed']}, {escape(str(attrs['parameters']))}; "
            "median [5th, 95th percentile]; not medical advice</p>"
            f"<table><tr><th>endpoint</th>{head}</tr>{''.join(rows)}</table>"
        )

    def to_netcdf(
        self, path: str | os.PathLike[str], *, history: str = "dermasim.simulate"
    ) -> Path:
        """Write the dataset to compressed NetCDF-4 (atomically: temporary file, then rename).

        The file follows CF (``Conventions``, a ``history`` line naming ``history``, time in
        ``days``) and holds each draw's parameter values; see
        :func:`~dermasim.storage.write_netcdf`. Read it back with ``xarray.open_dataset`` or
        ``Solution(xarray.open_dataset(path))``.
        """
        ds = self.dataset
        return write_netcdf(
            path, ds.assign_attrs(sessions=int(ds.sizes["session"])), history=history
        )

    def plot(
        self, endpoints: Sequence[str] | None = None, path: str | os.PathLike[str] | None = None
    ) -> Figure:
        """Median and 5-95% band of each endpoint over time, with session marks."""
        return plot_solution(self, endpoints=endpoints, path=path)
