"""PEtab export: a valid PEtab problem whose SBML model is the dermasim right-hand side."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("petab")
libsbml = pytest.importorskip("libsbml")

from petab.v1 import Problem  # noqa: E402
from petab.v1.lint import lint_problem  # noqa: E402

from dermasim.calibration.likelihood import CalibrationProblem  # noqa: E402
from dermasim.errors import DermasimError  # noqa: E402
from dermasim.interop import sbml  # noqa: E402
from dermasim.interop.petab_export import export_petab, petab_id  # noqa: E402
from dermasim.model import apply_course_session, initial_state, model_arguments, observe, rhs  # noqa: E402
from dermasim.parameters import ParameterSet  # noqa: E402
from dermasim.patient import Patient  # noqa: E402
from dermasim.protocol import Protocol  # noqa: E402

FILES = {
    "model.xml",
    "conditions.tsv",
    "observables.tsv",
    "measurements.tsv",
    "parameters.tsv",
    "problem.yaml",
    "README.md",
}
PATIENTS = (
    Patient(),
    Patient(age=62, sex="male", site="forehead", uv_exposure="high", smoker=True),
    Patient(age=33, site="periorbital", uv_exposure="low"),
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_petab(tmp_path_factory.mktemp("petab") / "problem")


# ---------------------------------------------------------------- a small SBML evaluator

_BINARY = {
    libsbml.AST_DIVIDE: lambda a, b: a / b,
    libsbml.AST_POWER: lambda a, b: a**b,
    libsbml.AST_FUNCTION_POWER: lambda a, b: a**b,
    libsbml.AST_RELATIONAL_EQ: lambda a, b: a == b,
    libsbml.AST_RELATIONAL_GEQ: lambda a, b: a >= b,
    libsbml.AST_RELATIONAL_GT: lambda a, b: a > b,
    libsbml.AST_RELATIONAL_LEQ: lambda a, b: a <= b,
    libsbml.AST_RELATIONAL_LT: lambda a, b: a < b,
}
_NUMBERS = (libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL, libsbml.AST_INTEGER)


def evaluate(node: Any, ns: dict[str, float]) -> Any:
    """Value of an SBML math AST with names looked up in ``ns`` (``"time"`` is the time)."""
    kind = node.getType()
    children = [node.getChild(i) for i in range(node.getNumChildren())]
    if kind == libsbml.AST_FUNCTION_PIECEWISE:  # lazy, like the SBML semantics
        for value, condition in zip(children[0::2], children[1::2], strict=False):
            if evaluate(condition, ns):
                return evaluate(value, ns)
        return evaluate(children[-1], ns)
    args = [evaluate(child, ns) for child in children]
    if kind == libsbml.AST_NAME:
        return ns[node.getName()]
    if kind == libsbml.AST_NAME_TIME:
        return ns["time"]
    if kind in _NUMBERS:
        return float(node.getValue())
    if kind == libsbml.AST_PLUS:
        return sum(args)
    if kind == libsbml.AST_MINUS:
        return -args[0] if len(args) == 1 else args[0] - args[1]
    if kind == libsbml.AST_TIMES:
        return math.prod(args)
    if kind in _BINARY:
        return _BINARY[kind](*args)
    if kind == libsbml.AST_FUNCTION_EXP:
        return math.exp(args[0])
    if kind == libsbml.AST_FUNCTION_LN:
        return math.log(args[0])
    if kind == libsbml.AST_FUNCTION_MAX:
        return max(args)
    if kind == libsbml.AST_FUNCTION_MIN:
        return min(args)
    raise AssertionError(f"unexpected SBML math node {node.getName()} ({kind})")


def _model(patient: Patient, protocol: Protocol) -> tuple[Any, dict[str, float], dict]:
    """SBML model for one scenario, condition values, and the dermasim model arguments."""
    values = ParameterSet.load().values()
    n_slots = len(sbml.session_slots(protocol))
    defaults = sbml.condition_values(patient, protocol, n_slots, never_day=3651.0)
    doc = libsbml.readSBMLFromString(sbml.build_sbml(values, n_slots, defaults))
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    return doc.getModel(), defaults, model_arguments(ParameterSet.load().point(1), patient)


def _rules(model: Any, ns: dict[str, float]) -> dict[str, float]:
    for rule in model.getListOfRules():
        if rule.isAssignment():
            ns[rule.getVariable()] = evaluate(rule.getMath(), ns)
    return ns


def _namespace(
    model: Any, y: np.ndarray, t: float, y0: np.ndarray | None = None
) -> dict[str, float]:
    """Parameter values, states ``y``, baselines ``y0`` and every assignment rule on the
    patient's day ``t`` (after the ageing steps)."""
    ns = {p.getId(): p.getValue() for p in model.getListOfParameters() if p.isSetValue()}
    ns.update(dict(zip(sbml.STATE_IDS, y, strict=True)))
    if y0 is not None:
        ns.update({f"{sid}_init": v for sid, v in zip(sbml.STATE_IDS, y0, strict=True)})
    ns["patient_started"] = 1.0
    ns["filler_injected"] = 0.0
    ns["time"] = ns["offset_days"] + t
    return _rules(model, ns)


def _initial(model: Any) -> dict[str, float]:
    """The namespace at time 0: every initial assignment evaluated in order."""
    ns = {p.getId(): p.getValue() for p in model.getListOfParameters() if p.isSetValue()}
    ns["time"] = 0.0
    pending = list(model.getListOfInitialAssignments())
    while pending:  # initial assignments may refer to rules and to each other
        for rule in model.getListOfRules():
            if rule.isAssignment():
                with contextlib.suppress(KeyError):  # a state not yet assigned
                    ns[rule.getVariable()] = evaluate(rule.getMath(), ns)
        left = []
        for ia in pending:
            try:
                ns[ia.getSymbol()] = evaluate(ia.getMath(), ns)
            except KeyError:
                left.append(ia)
        assert len(left) < len(pending), [ia.getSymbol() for ia in left]
        pending = left
    return _rules(model, ns)


def _random_state(a: dict, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = initial_state(a)
    return y * rng.uniform(0.5, 1.5, y.shape) + rng.uniform(0.01, 0.3, y.shape)


# ---------------------------------------------------------------- tests


def test_export_is_a_valid_petab_problem(exported: Path) -> None:
    assert exported.name == "problem.yaml"
    assert {p.name for p in exported.parent.iterdir()} == FILES  # no temporary files left
    problem = Problem.from_yaml(str(exported))
    assert lint_problem(problem) is False


@pytest.mark.parametrize("patient", PATIENTS, ids=lambda p: p.describe())
def test_rate_rules_match_the_python_right_hand_side(patient: Patient) -> None:
    model, _, a = _model(patient, Protocol())
    t = 400.0
    for seed in range(3):
        y = _random_state(a, seed)
        ns = _namespace(model, y[0], t, initial_state(a)[0])
        ns["filler_injected"] = 1.0
        rates = {r.getVariable(): evaluate(r.getMath(), ns) for r in model.getListOfRules()}
        got = np.array([rates[sid] for sid in sbml.STATE_IDS])
        want = rhs(t, y, a)[0]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-14 * np.abs(want).max())
        assert rates["filler_injected"] == 0.0
        # nothing moves before the patient's day 0 but the ageing steps
        ns["patient_started"] = 0.0
        assert all(evaluate(r.getMath(), ns) == 0.0 for r in model.getListOfRules() if r.isRate())


@pytest.mark.parametrize(
    "protocol",
    [
        "pn-plus-microneedling",
        "microneedling 0.2 mm; polynucleotide 1 mL 20 mg/mL at 2.5 mm over 10 cm2",
        "hyaluronic_filler 1 mL over 5 cm2; 2 x microneedling 3 mm every 10 days",
        "hyaluronic_filler 1 mL subdermal over 5 cm2; hyaluronic_filler 0.5 mL over 5 cm2 at day 9",
    ],
)
def test_event_jumps_match_apply_course_session(protocol: str) -> None:
    proto = Protocol.load(protocol)
    patient = PATIENTS[1]
    model, _, a = _model(patient, proto)
    y = _random_state(a, 7)
    for k in range(1, model.getNumEvents() + 1):
        event = model.getEvent(f"session_{k}")
        if event is None:  # the ageing event
            continue
        ns = _namespace(model, y[0], 0.0, initial_state(a)[0])
        day = ns[f"session_day_{k}"]
        want = y
        for s in proto.sessions():
            if s.day == day:
                want = apply_course_session(want, s.course, a)
        got = dict(zip(sbml.STATE_IDS, y[0], strict=True))
        for ea in event.getListOfEventAssignments():
            got[ea.getVariable()] = evaluate(ea.getMath(), ns)
        got_y = np.array([got[sid] for sid in sbml.STATE_IDS])
        np.testing.assert_allclose(got_y, want[0], rtol=1e-12, atol=0)


@pytest.mark.parametrize("patient", (*PATIENTS, Patient(age=20)), ids=lambda p: p.describe())
def test_the_ageing_event_ages_the_untreated_state_as_dermasim_does(patient: Patient) -> None:
    """From the reference age, the re-arming event ``ageing`` reproduces the untreated state at
    the patient's age (``initial_state``), states and baselines, and starts the rates there."""
    model, conditions, a = _model(patient, Protocol())
    ns = _initial(model)
    event = model.getEvent("ageing")
    fired = []
    while ns["ageing_next_day"] < sbml.NEVER_DAY:
        ns["time"] = ns["ageing_next_day"]
        fired.append(ns["time"])
        new = {
            ea.getVariable(): evaluate(ea.getMath(), ns) for ea in event.getListOfEventAssignments()
        }
        ns = _rules(model, {**ns, **new})
        assert len(fired) < 1000
    want = initial_state(a)[0]
    got = np.array([ns[sid] for sid in sbml.STATE_IDS])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    baselines = np.array([ns[f"{sid}_init"] for sid in sbml.STATE_IDS])
    np.testing.assert_allclose(baselines, want, rtol=1e-12, atol=1e-15)
    assert ns["patient_started"] == 1.0
    span = conditions["ageing_span_years"]
    assert len(fired) == math.ceil(span / 0.25)
    if fired:
        assert fired[-1] == pytest.approx(conditions["offset_days"], rel=1e-15)
        assert ns["collagen_I_papillary"] != pytest.approx(1 - ns["collagen_III_fraction"])


@pytest.mark.parametrize("patient", PATIENTS, ids=lambda p: p.describe())
def test_observation_rules_match_observe(patient: Patient) -> None:
    model, _, a = _model(patient, Protocol())
    y0 = initial_state(a)
    y = _random_state(a, 3)
    ns = _namespace(model, y[0], 0.0, y0[0])
    ends = observe(y[:, None, :], y0, a)
    for name in (
        "collagen_density",
        "collagen_content",
        "papillary_collagen",
        "tropoelastin",
        "elastin",
        "epidermal_thickness",
        "dermal_thickness",
    ):
        assert ns[f"obs_{name}"] == pytest.approx(ends[name][0, 0], rel=1e-9), name


def test_measurements_are_the_exportable_endpoints(exported: Path) -> None:
    evidence = CalibrationProblem().evidence
    kept = [
        e
        for e in evidence.endpoints
        if e.kind in ("quantitative", "no-change")
        and e.reference_scenario is None
        and e.reference_day is None
        and e.fitted
    ]
    assert "HA-K15-1" not in {e.id for e in kept}  # not fitted: it sets the filler prior
    # a change from an earlier visit of the same condition (HA-B07-2, HA-MRI-1) has no SBML
    # form: the README names it and says why
    by_reference_day = [e.id for e in evidence.endpoints if e.reference_day is not None]
    assert by_reference_day == ["HA-B07-2", "HA-MRI-1"]
    problem = Problem.from_yaml(str(exported))
    df = problem.measurement_df
    assert len(df) == len(kept)
    assert sorted(df["datasetId"]) == sorted(petab_id(e.id) for e in kept)
    readme = (exported.parent / "README.md").read_text(encoding="utf-8")
    for e in evidence.endpoints:
        if e not in kept:
            assert f"`{e.id}`" in readme, e.id
    assert "'filler_volume_change' has no SBML form" in readme


def test_estimated_parameters_are_the_fitted_ones(exported: Path) -> None:
    problem = Problem.from_yaml(str(exported))
    cal = CalibrationProblem()
    estimated = set(problem.parameter_df.index[problem.parameter_df["estimate"] == 1])
    assert estimated == set(cal.names)
    assert set(problem.parameter_df.index) == set(cal.model_parameters) | set(cal.names)


def test_a_subset_problem_exports_a_valid_problem(tmp_path: Path) -> None:
    small = CalibrationProblem(fit=("filler_degradation_rate",)).subset(
        ["HA-K15-1", "HA-M21-1", "MN-M09-1", "AG-7"]
    )
    problem = Problem.from_yaml(str(export_petab(tmp_path / "small", small)))
    assert lint_problem(problem) is False
    # HA-K15-1 sets the filler prior and is not fitted, so it is no measurement either
    assert sorted(problem.measurement_df["datasetId"]) == ["HA_M21_1"]
    assert set(problem.condition_df.index) == {
        "ha_nasolabial",
        "mn_3_monthly",
        "untreated_30",
        "untreated_70",
    }


def test_error_when_the_directory_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(DermasimError, match="is a file"):
        export_petab(target)


def test_topical_sessions_are_refused_with_a_clear_error() -> None:
    protocol = Protocol.load("microneedling-growth-factor-serum")
    with pytest.raises(DermasimError, match=r"topical session on day 0.*without its topical"):
        sbml.session_slots(protocol)


def test_the_sbml_model_carries_units_names_and_sources(exported: Path) -> None:
    from dermasim.interop.sbml_annotations import UNITS
    from dermasim.parameters import observation_parameters
    from dermasim.references import bib_fields, format_plain

    records = ParameterSet.load()
    for r in (*records.records, *observation_parameters().records):
        assert r.unit in UNITS, f"{r.name}: unit {r.unit!r} has no SBML definition"
    doc = libsbml.readSBMLFromFile(str(exported.parent / "model.xml"))
    model = doc.getModel()
    assert model.getTimeUnits() == "day"
    assert model.getUnitDefinition("per_day").getUnit(0).getMultiplier() == 86400.0
    for r in records.records:
        p = model.getParameter(r.name)
        assert p.getName() == f"{r.name} [{r.unit}]"
        assert p.getUnits() == UNITS[r.unit][0]
        notes = p.getNotesString()
        assert f"evidence: {r.evidence}" in notes
        for key in r.source:  # cited in plain text: the first author's name at least
            assert format_plain(key).split(" ")[0] in notes, (r.name, key)
    with_doi = [r for r in records.records if any("doi" in bib_fields(k) for k in r.source)]
    assert with_doi  # a source with a DOI is annotated with it
    for r in with_doi:
        term = model.getParameter(r.name).getCVTerm(0)
        uris = [term.getResourceURI(i) for i in range(term.getNumResources())]
        doi = next(bib_fields(k)["doi"] for k in r.source if "doi" in bib_fields(k))
        assert f"https://doi.org/{doi}" in uris
    assert model.getParameter("collagen_I_papillary").getUnits() == "dimensionless"
    assert model.getParameter("pn_depot_papillary").getUnits() == "mg_per_cm2"
    assert model.getParameter("session_day_1").getUnits() == "day"
    assert model.getParameter("age0").getUnits() == "year"


def test_a_model_given_its_initial_state_starts_at_the_patients_day_0() -> None:
    """The variant for simulators handed dermasim's own initial states (the benchmarks)."""
    patient, protocol = PATIENTS[1], Protocol.load("pn-plus-microneedling")
    values = ParameterSet.load().values()
    a = model_arguments(ParameterSet.load().point(1), patient)
    y0 = dict(zip(sbml.STATE_IDS, initial_state(a)[0], strict=True))
    n = len(sbml.session_slots(protocol))
    conditions = sbml.condition_values(patient, protocol, n, never_day=3651.0)
    with pytest.raises(DermasimError, match="offset_days = 0 and ageing_span_years = 0"):
        sbml.build_sbml(values, n, conditions, initial_state=y0)
    conditions |= {"offset_days": 0.0, "ageing_span_years": 0.0}
    model = libsbml.readSBMLFromString(
        sbml.build_sbml(values, n, conditions, initial_state=y0)
    ).getModel()
    assert model.getEvent("ageing") is None
    for sid, value in y0.items():
        p = model.getParameter(f"{sid}_init")
        assert p.getConstant() and p.getValue() == pytest.approx(value, rel=1e-14)
    assert model.getParameter("patient_started").getValue() == 1.0
