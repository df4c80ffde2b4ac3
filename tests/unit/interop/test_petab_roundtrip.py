"""The exported PEtab problem, evaluated by independent tools, has dermasim's likelihood.

libroadrunner simulates ``model.xml`` for every condition (at rtol 1e-10), the observable
formulas of ``observables.tsv`` are evaluated with PEtab's own sympy parser, and
``petab.v1.calculate_llh`` computes the log likelihood of ``measurements.tsv``. dermasim's
value is the sum of its pointwise log likelihood (with the normal constant) over the same
rows, from :func:`~dermasim.calibration.scenarios.simulate_scenarios` at rtol 1e-10.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("petab")
pytest.importorskip("libsbml")
roadrunner = pytest.importorskip("roadrunner")

import pandas as pd  # noqa: E402
from petab.v1 import calculate_llh  # noqa: E402
from petab.v1.calculate import sympify_petab  # noqa: E402

from dermasim.calibration.likelihood import CalibrationProblem  # noqa: E402
from dermasim.calibration.scenarios import simulate_scenarios  # noqa: E402
from dermasim.interop.petab_export import export_petab, exportable_endpoints  # noqa: E402
from dermasim.parameters import load_parameters  # noqa: E402
from dermasim.parameters.observation import observation_parameters  # noqa: E402
from dermasim.solve import SolverOptions  # noqa: E402

TIGHT = SolverOptions(method="RK45", rtol=1e-10, atol=1e-12, dense_days=0.0)


class PetabLikelihood:
    """Log likelihood of an exported PEtab problem by libroadrunner and petab."""

    def __init__(self, folder: Path) -> None:
        read = lambda name: pd.read_csv(folder / name, sep="\t")  # noqa: E731
        self.conditions = read("conditions.tsv").set_index("conditionId")
        self.measurements = read("measurements.tsv")
        self.observables = read("observables.tsv").set_index("observableId")
        self.parameters = read("parameters.tsv").set_index("parameterId")
        self.rr = roadrunner.RoadRunner(str(folder / "model.xml"))
        self.rr.integrator.relative_tolerance = 1e-10
        self.rr.integrator.absolute_tolerance = 1e-12
        self.rr.integrator.maximum_num_steps = 100_000
        self.formulas = {
            o: sympify_petab(f) for o, f in self.observables["observableFormula"].items()
        }

    def simulate(self, values: dict[str, float]) -> pd.DataFrame:
        rr, ids = self.rr, set(self.rr.model.getGlobalParameterIds())
        rows = []
        for cid, table in self.measurements.groupby("simulationConditionId"):
            for name, value in values.items():
                if name in ids:
                    rr[name] = value
            for column, value in self.conditions.loc[cid].items():
                if column != "conditionName":
                    rr[column] = float(value)
            rr.reset()  # initial assignments at these values
            used = {str(s) for o in table["observableId"] for s in self.formulas[o].free_symbols}
            model_ids = sorted(used - set(values))
            times = sorted({0.0, *table["time"].astype(float)})
            out = rr.simulate(times=times, selections=["time", *model_ids])
            for _, row in table.iterrows():
                ns = {n: values[n] for n in used & set(values)}
                i = times.index(float(row["time"]))
                ns.update({n: out[i, j + 1] for j, n in enumerate(model_ids)})
                formula = self.formulas[row["observableId"]]
                value = float(formula.subs({s: ns[str(s)] for s in formula.free_symbols}))
                rows.append({**row.to_dict(), "simulation": value})
        return pd.DataFrame(rows)

    def __call__(self, values: dict[str, float]) -> float:
        sim = self.simulate(values)
        return float(calculate_llh(self.measurements, sim, self.observables, self.parameters))


def _dermasim(problem: CalibrationProblem, values: dict[str, float]) -> float:
    ev = problem.evidence
    batch = {k: np.array([v]) for k, v in values.items()}
    outputs = simulate_scenarios(ev.scenarios, ev.days_by_scenario(), batch, solver=TIGHT)
    parts = problem.pointwise_log_likelihood(
        problem.predictions_from(outputs, batch), normalised=True, fitted_only=False
    )
    exported, _ = exportable_endpoints(problem)
    return sum(float(parts[e.id][0]) for e in exported)


@pytest.fixture(scope="module")
def petab_llh(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return PetabLikelihood(export_petab(tmp_path_factory.mktemp("roundtrip")).parent)


def _point(draw: int | None) -> dict[str, float]:
    problem = CalibrationProblem()
    values = problem.model_parameters.values()
    values.update(observation_parameters().values())
    if draw is not None:
        posterior = load_parameters("posterior")
        values.update({k: float(v[draw]) for k, v in posterior.draws.items()})
    return values


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_petab_likelihood_equals_dermasim_at_posterior_points(petab_llh: Any, where: str) -> None:
    n = load_parameters("posterior").n_draws
    values = _point({"first": 0, "middle": n // 2, "last": n - 1}[where])
    ours = _dermasim(CalibrationProblem(), values)
    theirs = petab_llh(values)
    assert np.isfinite(ours)
    assert theirs == pytest.approx(ours, abs=1e-6, rel=0)


def test_the_initial_state_follows_the_parameters(petab_llh: Any) -> None:
    """Two points that differ in the ageing parameters only: both tools move together (the
    untreated state at the patient's age, and every baseline, is computed from them)."""
    base = _point(None)
    aged = {**base, "mmp_rise_per_year": 2 * base["mmp_rise_per_year"]}
    a = petab_llh.simulate(base).set_index("datasetId")["simulation"]
    b = petab_llh.simulate(aged).set_index("datasetId")["simulation"]
    assert (a - b).abs().max() > 1e-3
    assert petab_llh(aged) == pytest.approx(_dermasim(CalibrationProblem(), aged), abs=1e-6)
