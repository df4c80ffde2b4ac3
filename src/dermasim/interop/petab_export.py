"""Export the calibration problem in PEtab v1 format (for pyPESTO, AMICI and other tools).

:func:`export_petab` writes ``model.xml`` (SBML, :mod:`dermasim.interop.sbml`),
``conditions.tsv`` (one condition per evidence scenario), ``observables.tsv``,
``measurements.tsv``, ``parameters.tsv``, ``problem.yaml`` and a ``README.md`` listing what
PEtab cannot hold. See ``docs/petab.md``.

Mapping
-------
- Conditions are scenarios (``-`` in keys becomes ``_``): patient, layer bounds and the
  session slots. The initial state follows the parameters: SBML time starts at the reference
  age and an event ages the slow states to the patient's age (:mod:`.sbml`), so a
  measurement on the patient's day ``d`` is at ``time = offset_days + d``.
- Observables are the observation models of ``observables.toml``: ``sign * gain * q`` with
  ``q`` an SBML observation quantity; the noise is ``noiseParameter1_<id>``, set per
  measurement to ``sqrt(sd^2 + tau^2)`` (:meth:`CalibrationProblem.noise_sd`).
- Measurements are the quantitative and no-change endpoints (a no-change finding is an
  observed 0) at their reported day. A day-0 endpoint is the pre-treatment visit, which
  dermasim reads before the sessions of that day: it uses a ``<observable>_pretreatment``
  observable written from the initial state, so that tools that apply day-0 events before
  the first output still match.
- Direction-only endpoints, endpoints against a reference scenario and rows left out of the
  fit (``fitted = false``: they already inform a parameter's prior) are left out and listed
  in ``README.md``.
- Parameters: every model and observation parameter; fitted ones have ``estimate = 1``.
  Lognormal priors become ``parameterScaleNormal`` on the ``log10`` scale; fixed parameters
  have a linear scale and no prior.
- Measurement rows are sorted by condition and time.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..calibration.evidence import Endpoint, Observable
from ..calibration.likelihood import CalibrationProblem
from ..errors import DermasimError
from ..model.filler import MM_PER_ML_PER_CM2
from ..parameters.observation import observation_parameters
from ..parameters.record import Parameter
from ..patient import Patient
from ..protocol import Protocol
from ..storage import atomic_write

logger = logging.getLogger("dermasim")

__all__ = ["export_petab", "exportable_endpoints", "petab_id"]

_INSTALL = "the PEtab export needs petab and python-libsbml; install dermasim[petab]"

#: Model quantities read by the observation models: as SBML ids, and before any session.
_NOW = {
    "collagen_density": "obs_collagen_density",
    "papillary_collagen": "obs_papillary_collagen",
    "tropoelastin": "obs_tropoelastin",
    "elastin": "obs_elastin",
    "epidermal_thickness": "obs_epidermal_thickness",
    "filler_gel_mm": "obs_filler_gel_mm",
    "filler_remaining": "obs_filler_remaining",
    "dermal_thickness_per_decade": "obs_dermal_thickness_per_decade",
    "scar_grade_percent": "obs_scar_grade_percent",
}
_PRE = {key: "0" for key in _NOW} | {
    "filler_gel_mm": f"{MM_PER_ML_PER_CM2!r} * (filler_gel_init + filler_gel_subdermal_init)"
}


_SYMBOL = re.compile(r"[A-Za-z_]\w*")


def _observation_names() -> tuple[str, ...]:
    return tuple(observation_parameters())


def petab_id(key: str) -> str:
    """A PEtab identifier for a dermasim key (``mn-4-monthly`` -> ``mn_4_monthly``)."""
    return key.replace("-", "_")


def _quantity(reads: str, m: dict[str, str]) -> str | None:
    better = (
        f"grade_per_collagen_percent * {m['collagen_density']}"
        f" + grade_per_filler_mm * {m['filler_gel_mm']}"
    )
    if reads == "grade_change":
        return f"-({better})"
    if reads == "wsrs":
        return f"baseline_wsrs - ({better})"
    if reads == "wsrs_improvement":
        return better
    return m.get(reads)


def _formula(model: Observable, pretreatment: bool) -> str | None:
    q = _quantity(model.reads, _PRE if pretreatment else _NOW)
    if q is None:
        return None
    factors = [] if model.sign == 1.0 else [repr(float(model.sign))]
    factors += [model.gain] if model.gain else []
    return " * ".join([*factors, f"({q})"]) if factors else q


def exportable_endpoints(
    problem: CalibrationProblem,
) -> tuple[tuple[Endpoint, ...], tuple[tuple[Endpoint, str], ...]]:
    """``(exported, skipped)``: endpoints that become measurements, and the others with why."""
    done: list[Endpoint] = []
    skipped: list[tuple[Endpoint, str]] = []
    for e in problem.evidence.endpoints:
        model = problem.evidence.observables[e.observable]
        if not e.fitted:
            skipped.append((e, "not fitted: the row already informs a parameter's prior"))
        elif e.kind == "direction":
            days = ", ".join(f"{d:g}" for d in e.days)
            skipped.append((e, f"direction-only finding (sign {e.sign}) on day(s) {days}"))
        elif e.reference_scenario is not None:
            pair = f"{e.scenario} vs {e.reference_scenario}"
            skipped.append((e, f"difference or ratio of two conditions ({pair})"))
        elif _formula(model, e.day == 0.0) is None:
            skipped.append((e, f"observation quantity {model.reads!r} has no SBML form"))
        else:
            done.append(e)
    return tuple(done), tuple(skipped)


def _tsv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(x: object) -> str:
        return repr(float(x)) if isinstance(x, float) else str(x)

    lines = ["\t".join(header)] + ["\t".join(cell(x) for x in row) for row in rows]
    return "\n".join(lines) + "\n"


def _parameter_row(record: Parameter, estimate: bool) -> list[object]:
    prior = record.prior
    lower, upper = record.bounds
    if prior.distribution == "lognormal":
        assert prior.median is not None and prior.gsd is not None
        scale, kind = "log10", "parameterScaleNormal"
        args = f"{math.log10(prior.median)!r};{math.log10(prior.gsd)!r}"
    elif prior.distribution == "normal":
        scale, kind, args = "lin", "normal", f"{float(prior.mean)!r};{float(prior.sd)!r}"  # type: ignore[arg-type]
    else:
        scale, kind, args = "lin", "uniform", f"{float(lower)!r};{float(upper)!r}"
    name = f"{record.name} [{record.unit}]"
    if not estimate:  # a fixed parameter needs no prior, and a linear scale suits every tool
        scale, kind, args = "lin", "", ""
    return [record.name, name, scale, lower, upper, record.value, int(estimate), kind, args]


def _tables(problem: CalibrationProblem) -> dict[str, str]:
    from ..simulation import MAX_DAYS
    from . import sbml

    ev = problem.evidence
    values = problem.model_parameters.values()
    exported, skipped = exportable_endpoints(problem)
    slots = {k: sbml.session_slots(s.protocol) for k, s in ev.scenarios.items()}
    n_slots = max((len(v) for v in slots.values()), default=0)
    latest = [float(MAX_DAYS)] + [s["session_day"] for v in slots.values() for s in v]
    never_day = max(latest + [d for e in ev.endpoints for d in e.days]) + 1.0
    conditions = {
        k: sbml.condition_values(s.patient, s.protocol, n_slots, never_day)
        for k, s in ev.scenarios.items()
    }
    defaults = sbml.condition_values(Patient(), Protocol(), n_slots, never_day)
    columns = list(defaults)
    condition_rows = [
        [petab_id(k), ev.scenarios[k].description, *(c[n] for n in columns)]
        for k, c in conditions.items()
    ]

    # Observables of the measurements, and every other one whose observation parameters the
    # problem has (so that each observation parameter is used by some formula).
    records = {r.name: r for r in problem.observation_records}
    used = {(e.observable, e.day == 0.0) for e in exported}
    observable_rows = []
    for key, model in ev.observables.items():
        for pre in (False, True):
            formula = _formula(model, pre)
            if formula is None:
                continue
            symbols = set(_SYMBOL.findall(formula)) & set(_observation_names())
            if (key, pre) not in used and (pre or not symbols <= set(records)):
                continue
            oid = f"{key}_pretreatment" if pre else key
            name = model.description + (" (pre-treatment visit)" if pre else "")
            observable_rows.append([oid, name, formula, "lin", f"noiseParameter1_{oid}", "normal"])

    measurement_rows = sorted(  # by condition and time, as simulators read them
        (
            [
                f"{e.observable}_pretreatment" if e.day == 0.0 else e.observable,
                petab_id(e.scenario),
                float(e.value) if e.kind == "quantitative" else 0.0,  # type: ignore[arg-type]
                sbml.offset_days(ev.scenarios[e.scenario].patient) + e.day,
                problem.noise_sd(e),
                petab_id(e.id),
            ]
            for e in exported
        ),
        key=lambda row: (str(row[1]), float(row[3]), str(row[5])),  # type: ignore[arg-type]
    )
    fitted = set(problem.fit)
    parameter_rows = [_parameter_row(r, r.name in fitted) for r in problem.model_parameters.records]
    in_formulas = {n for row in observable_rows for n in _SYMBOL.findall(str(row[2]))}
    parameter_rows += [_parameter_row(r, True) for n, r in records.items() if n in in_formulas]
    unused = [n for n in records if n not in in_formulas]
    n_estimated = len(parameter_rows) - len(problem.model_parameters) + len(fitted)

    return {
        "model.xml": sbml.build_sbml(
            values, n_slots, defaults, {r.name: r for r in problem.model_parameters.records}
        ),
        "conditions.tsv": _tsv(["conditionId", "conditionName", *columns], condition_rows),
        "observables.tsv": _tsv(
            [
                "observableId",
                "observableName",
                "observableFormula",
                "observableTransformation",
                "noiseFormula",
                "noiseDistribution",
            ],
            observable_rows,
        ),
        "measurements.tsv": _tsv(
            [
                "observableId",
                "simulationConditionId",
                "measurement",
                "time",
                "noiseParameters",
                "datasetId",
            ],
            measurement_rows,
        ),
        "parameters.tsv": _tsv(
            [
                "parameterId",
                "parameterName",
                "parameterScale",
                "lowerBound",
                "upperBound",
                "nominalValue",
                "estimate",
                "objectivePriorType",
                "objectivePriorParameters",
            ],
            parameter_rows,
        ),
        "problem.yaml": _YAML,
        "README.md": _readme(problem, exported, skipped, unused, n_estimated, n_slots, never_day),
    }


_YAML = """\
format_version: 1
parameter_file: parameters.tsv
problems:
  - condition_files: [conditions.tsv]
    measurement_files: [measurements.tsv]
    observable_files: [observables.tsv]
    sbml_files: [model.xml]
"""


def _readme(
    problem: CalibrationProblem,
    exported: Sequence[Endpoint],
    skipped: Sequence[tuple[Endpoint, str]],
    unused: Sequence[str],
    n_estimated: int,
    n_slots: int,
    never_day: float,
) -> str:
    lines = [
        "# dermasim calibration problem (PEtab v1)",
        "",
        "Written by `dermasim.interop.petab_export.export_petab`; see docs/petab.md in "
        "the dermasim sources. Load `problem.yaml` with `petab.v1.Problem.from_yaml`.",
        "",
        f"- {len(problem.evidence.scenarios)} conditions (one per evidence scenario), "
        f"{len(exported)} measurements, {n_estimated} estimated parameters.",
        f"- Treatment sessions are {n_slots} event slots per condition; unused slots have "
        f"zero magnitudes and the trigger day {never_day:g}.",
        "",
        "## Not expressed",
        "",
        "- Time starts at the reference age (23.5 years) for patients older than that: the "
        "event `ageing` applies dermasim's ageing steps until the patient's day 0, "
        "`offset_days = max(age0 - 23.5, 0) * 365.25`, and a measurement on day `d` of a "
        "condition is at `time = offset_days + d`; every rate is 0 before `offset_days`.",
        "- Priors are written without their truncation to the bounds; PEtab tools restrict "
        "the search to the bounds instead.",
        "- Day-0 endpoints use `<observable>_pretreatment` observables (the state before the "
        "day-0 session).",
        "",
        "Endpoints left out (PEtab measurements cannot hold them):",
        "",
    ]
    lines += [f"- `{e.id}` ({e.observable}, {e.scenario}): {why}" for e, why in skipped]
    if not skipped:
        lines.append("- none")
    if unused:
        names = ", ".join(f"`{n}`" for n in unused)
        lines += ["", f"Observation parameters used only by left-out endpoints: {names}."]
    return "\n".join(lines) + "\n"


def export_petab(
    directory: str | os.PathLike[str], problem: CalibrationProblem | None = None
) -> Path:
    """Write the calibration problem as a PEtab v1 problem into ``directory``.

    Parameters
    ----------
    directory
        Output folder; created if missing, files in it are replaced.
    problem
        The calibration problem (``CalibrationProblem()`` by default).

    Returns
    -------
    pathlib.Path
        Path of the written ``problem.yaml``.

    Raises
    ------
    DermasimError
        If ``directory`` is an existing file, or petab or python-libsbml is not installed.

    Examples
    --------
    >>> from dermasim.interop.petab_export import export_petab
    >>> export_petab("petab-problem")  # doctest: +SKIP
    PosixPath('petab-problem/problem.yaml')
    """
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise DermasimError(
            f"PEtab directory {str(out)!r} is a file; choose a folder, for example petab-problem"
        )
    try:
        import libsbml  # noqa: F401
        import petab.v1  # noqa: F401
    except ImportError:
        raise DermasimError(_INSTALL) from None
    tables = _tables(problem if problem is not None else CalibrationProblem())
    out.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():

        def write(tmp: str, text: str = text) -> None:
            Path(tmp).write_text(text, "utf-8")

        atomic_write(out / name, write)
    logger.info("wrote the PEtab problem to %s: %s", out, ", ".join(sorted(tables)))
    return out / "problem.yaml"
