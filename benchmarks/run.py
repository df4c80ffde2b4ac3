"""Benchmarks: the compiled backend against SciPy and libroadrunner, measured in one run.

Every measurement runs in a fresh child process (so its peak RSS is its own) on the same
course, patient and tolerances (``rtol = 1e-5``, ``atol = 1e-8``):

- ``compiled``: :meth:`dermasim.Simulation.run` end to end (parameter draws, initial states,
  integration, endpoints, the Solution) with ``daily=False`` and the report days, after one
  warm-up call on the same code path (it loads the cached kernel and the SciPy functions
  that batches above ``SMALL_BATCH`` draws use);
- ``scipy``: the same call with ``SolverOptions(backend="scipy")``, the reference backend;
- ``libroadrunner``: dermasim's own exported SBML model (:mod:`dermasim.interop.sbml`) in
  libroadrunner (CVODE), one trajectory after another with each draw's parameters and initial
  state, outputs at the report days. Its states are checked against the compiled backend's
  at every report day after day 0, or the comparison means nothing;
- interactive: ``dermasim simulate ... --draws 200 --json`` as a fresh process on a warm
  cache, and ``simulate(draws=200)`` inside a running process;
- scaling: wall time against N, horizon and number of sessions, with fitted exponents
  (``time ~ x^b``);
- the cohort engine (:func:`dermasim.cohort.run_cohort`, virtual patients x draws in chunks)
  on a Dask LocalCluster against the same run in one process.

Rows of ``--out`` (JSON list): ``name``, ``seconds`` (dermasim), ``baseline_seconds`` (the
peer, for its own N), ``ratio`` (dermasim's trajectories/s over the peer's, or the limit over
the measured time for targets), ``trajectories_per_s``, ``peak_rss_mb`` and details.
Figures are ratios and measurements, never assertions.

Usage::

    python benchmarks/run.py --out benchmarks/results.json [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

PROTOCOL = "4 x microneedling 1.5 mm every 30 days"
REPORT_DAYS = [15.0, 45.0, 75.0, 100.0, 180.0, 270.0, 365.0, 450.0, 540.0, 720.0]
RTOL, ATOL = 1e-5, 1e-8
HERE = Path(__file__).resolve()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _course(sessions: int) -> str:
    return PROTOCOL.replace("4 x", f"{sessions} x", 1)


# ------------------------------------------------------------------------- child cases
def case_simulate(n: int, days: float, sessions: int, backend: str) -> dict[str, Any]:
    from dermasim import Protocol, Simulation, SolverOptions
    from dermasim.parameters.priors import SMALL_BATCH

    sim = Simulation(
        protocol=Protocol.parse(_course(sessions)),
        solver=SolverOptions(backend=backend, rtol=RTOL, atol=ATOL),
    )
    at = [d for d in REPORT_DAYS if d <= days]
    # warm-up on the same code path: loads the cached kernel and, above SMALL_BATCH draws,
    # the SciPy quantiles that large batches use (a one-time import, not throughput)
    warm = SMALL_BATCH + 1 if n > SMALL_BATCH else min(n, 100)
    sim.run(days=days, draws=warm, seed=1, at=at, daily=False)
    start = time.perf_counter()
    sim.run(days=days, draws=n, seed=0, at=at, daily=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "n": n, "peak_rss_mb": _peak_rss_mb()}


def _course_inputs(n: int, seed: int = 0) -> dict[str, Any]:
    from dermasim import Patient, Protocol
    from dermasim.model import initial_state, model_arguments
    from dermasim.parameters import load_parameters

    parameters = load_parameters("posterior")
    draws = parameters.sample(n, np.random.default_rng(seed))
    patient = Patient()
    args = model_arguments(draws, patient)
    return {
        "parameters": parameters,
        "draws": draws,
        "patient": patient,
        "protocol": Protocol.parse(PROTOCOL),
        "args": args,
        "y0": initial_state(args),
    }


def _compiled_states(inputs: dict[str, Any], days: float) -> np.ndarray:
    from dermasim.model import REDNESS_COLUMNS, apply_day_sessions, rhs
    from dermasim.model.layout import resting_columns
    from dermasim.solve import integrate_sessions_compiled

    by_day: dict[float, list[Any]] = {}
    for s in inputs["protocol"].sessions():
        by_day.setdefault(float(s.day), []).append(s.course)
    a = inputs["args"]
    out = integrate_sessions_compiled(
        rhs,
        inputs["y0"],
        a,
        t_end=days,
        session_days=list(by_day),
        jump=lambda y, d: apply_day_sessions(y, by_day[d], a),
        t_eval=[0.0, *REPORT_DAYS],
        redness_columns=REDNESS_COLUMNS,
        redness_threshold=inputs["draws"]["redness_threshold"],
        resting=resting_columns(),
        rtol=RTOL,
        atol=ATOL,
        dense_days=30.0,
        dense_step_days=0.1,
    )
    return out.states[:, 1:, :]


def case_roadrunner(n: int, days: float) -> dict[str, Any]:
    import roadrunner

    from dermasim.interop import sbml

    inputs = _course_inputs(n)
    point = {k: float(v[0]) for k, v in inputs["parameters"].point(1).items()}
    slots = sbml.session_slots(inputs["protocol"])
    defaults = sbml.condition_values(inputs["patient"], inputs["protocol"], len(slots), days + 1.0)
    # The patient's own frame: time 0 is the patient's day 0 and the initial states come from
    # dermasim (as for the compiled run), so no ageing steps run before the course.
    defaults |= {"ageing_span_years": 0.0, "offset_days": 0.0}
    start_state = dict(zip(sbml.STATE_IDS, inputs["y0"][0], strict=True))
    rr = roadrunner.RoadRunner(
        sbml.build_sbml(point, len(slots), defaults, initial_state=start_state)
    )
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    rr.timeCourseSelections = ["time", *sbml.STATE_IDS]
    names = [k for k in inputs["draws"] if k in point]
    times = [0.0, *REPORT_DAYS]
    states = np.empty((n, len(REPORT_DAYS), len(sbml.STATE_IDS)))
    y0, draws = inputs["y0"], inputs["draws"]
    start = time.perf_counter()
    for i in range(n):
        for name in names:
            rr[name] = float(draws[name][i])
        for j, sid in enumerate(sbml.STATE_IDS):
            rr[f"{sid}_init"] = float(y0[i, j])
        rr.reset()  # applies the initial assignments; the day-0 session fires at the start
        states[i] = np.asarray(rr.simulate(times=times))[1:, 1:]
    seconds = time.perf_counter() - start
    ours = _compiled_states(inputs, days)
    scale = np.abs(states).max(axis=(0, 1))
    difference = float((np.abs(ours - states) / (scale + ATOL)).max())
    return {
        "seconds": seconds,
        "n": n,
        "peak_rss_mb": _peak_rss_mb(),
        "max_difference_vs_compiled": difference,
        "integrator": rr.integrator.getName(),
        "roadrunner_version": roadrunner.__version__,
    }


def case_in_process(n: int, repeat: int) -> dict[str, Any]:
    import dermasim

    dermasim.simulate(PROTOCOL, draws=n)  # warm-up: loads the posterior and the kernel
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        dermasim.simulate(PROTOCOL, draws=n)
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "min_seconds": min(times), "n": n}


def case_cohort(patients: int, draws: int, cluster: str | None) -> dict[str, Any]:
    from dermasim.cohort import Cohort, run_cohort

    kwargs = {"n": patients, "draws": draws, "days": 730.0, "at": REPORT_DAYS, "seed": 0}
    run_cohort(PROTOCOL, Cohort(), **{**kwargs, "n": 10, "draws": 10})  # load the kernel
    start = time.perf_counter()
    result = run_cohort(PROTOCOL, Cohort(), cluster=cluster, workers=2, **kwargs)
    seconds = time.perf_counter() - start
    values = result.values("collagen_density", 180.0)
    return {
        "seconds": seconds,
        "n": patients * draws,
        "peak_rss_mb": _peak_rss_mb(),
        "checksum": float(np.sum(values)),
    }


CASES = {
    "simulate": case_simulate,
    "roadrunner": case_roadrunner,
    "in_process": case_in_process,
    "cohort": case_cohort,
}


# ------------------------------------------------------------------------------ parent
def child(case: str, **kwargs: Any) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE), "--case", case, "--kwargs", json.dumps(kwargs)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_wall(repeat: int) -> list[float]:
    exe = Path(sys.executable).with_name("dermasim")
    cmd = [str(exe), "simulate", PROTOCOL, "--draws", "200", "--json"]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the kernel cache
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    return walls


def exponent(xs: list[float], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def row(name: str, seconds: float, baseline: float | None, ratio: float | None, **extra: Any):
    out = {"name": name, "seconds": seconds, "baseline_seconds": baseline, "ratio": ratio}
    out.update(extra)
    return out


#: Alternated runs of the compiled backend and libroadrunner whose medians are compared.
THROUGHPUT_REPEATS = 3


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median time, with every run's seconds."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return {**ordered[len(ordered) // 2], "runs_seconds": [r["seconds"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--quick", action="store_true", help="smaller N (a smoke run)")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(CASES[args.case](**json.loads(args.kwargs))))
        return

    big, peer_n, mem_n = (2_000, 200, 10_000) if args.quick else (10_000, 1_000, 100_000)
    days = 730.0
    results = []
    log = print

    # the compiled run and its fair peer alternate three times, each a fresh process, and the
    # medians are compared: both see the same spells of a noisy machine
    pairs = [
        (
            child("simulate", n=big, days=days, sessions=4, backend="compiled"),
            child("roadrunner", n=peer_n, days=days),
        )
        for _ in range(THROUGHPUT_REPEATS)
    ]
    compiled = _median_run([c for c, _ in pairs])
    rr = _median_run([r for _, r in pairs])
    scipy = child("simulate", n=peer_n, days=days, sessions=4, backend="scipy")
    tps = {k: v["n"] / v["seconds"] for k, v in (("c", compiled), ("s", scipy), ("r", rr))}
    label = f"{PROTOCOL}, {days:g} days, default patient, {len(REPORT_DAYS)} report days"
    results.append(
        row(
            f"throughput, compiled (N={big}) vs libroadrunner on the exported SBML (N={peer_n}): "
            + label,
            compiled["seconds"],
            rr["seconds"],
            tps["c"] / tps["r"],
            trajectories_per_s=tps["c"],
            baseline_trajectories_per_s=tps["r"],
            peak_rss_mb=compiled["peak_rss_mb"],
            baseline_peak_rss_mb=rr["peak_rss_mb"],
            max_difference_vs_compiled=rr["max_difference_vs_compiled"],
            peer=f"libroadrunner {rr['roadrunner_version']} ({rr['integrator']})",
            runs_seconds=compiled["runs_seconds"],
            baseline_runs_seconds=rr["runs_seconds"],
        )
    )
    results.append(
        row(
            f"throughput, compiled (N={big}) vs the SciPy backend (N={peer_n}): " + label,
            compiled["seconds"],
            scipy["seconds"],
            tps["c"] / tps["s"],
            trajectories_per_s=tps["c"],
            baseline_trajectories_per_s=tps["s"],
            peak_rss_mb=compiled["peak_rss_mb"],
            baseline_peak_rss_mb=scipy["peak_rss_mb"],
        )
    )

    # scaling in N (the largest N is the memory figure)
    ns = [100, 1_000, big, mem_n]
    by_n = {big: compiled}
    for n in ns:
        if n not in by_n:
            by_n[n] = child("simulate", n=n, days=days, sessions=4, backend="compiled")
    memory = by_n[mem_n]
    results.append(
        row(
            f"memory, compiled, N={mem_n}, {len(REPORT_DAYS)} report days (limit 1 GB)",
            memory["seconds"],
            None,
            1024.0 / memory["peak_rss_mb"],
            trajectories_per_s=mem_n / memory["seconds"],
            peak_rss_mb=memory["peak_rss_mb"],
        )
    )
    horizons = [365.0, 730.0, 1460.0, 2920.0]
    by_h = {h: child("simulate", n=big, days=h, sessions=4, backend="compiled") for h in horizons}
    sessions = [1, 2, 4, 8]
    by_s = {
        s: child("simulate", n=big, days=days, sessions=s, backend="compiled") for s in sessions
    }
    results.append(
        row(
            "scaling, compiled: time ~ N^b, horizon^b, sessions^b",
            compiled["seconds"],
            None,
            None,
            exponent_n=exponent(ns, [by_n[n]["seconds"] for n in ns]),
            exponent_horizon=exponent(horizons, [by_h[h]["seconds"] for h in horizons]),
            exponent_sessions=exponent(sessions, [by_s[s]["seconds"] for s in sessions]),
            seconds_by_n={str(n): by_n[n]["seconds"] for n in ns},
            peak_rss_mb_by_n={str(n): by_n[n]["peak_rss_mb"] for n in ns},
            seconds_by_horizon={str(h): by_h[h]["seconds"] for h in horizons},
            seconds_by_sessions={str(s): by_s[s]["seconds"] for s in sessions},
        )
    )

    patients, draws = (20, 100) if args.quick else (200, 100)
    serial = child("cohort", patients=patients, draws=draws, cluster=None)
    dask = child("cohort", patients=patients, draws=draws, cluster="local")
    results.append(
        row(
            f"cohort engine: {patients} virtual patients x {draws} draws, chunks of 1000, "
            "Dask LocalCluster (2 workers x 1 thread, start-up included) vs serial (2 threads)",
            dask["seconds"],
            serial["seconds"],
            (dask["n"] / dask["seconds"]) / (serial["n"] / serial["seconds"]),
            trajectories_per_s=dask["n"] / dask["seconds"],
            baseline_trajectories_per_s=serial["n"] / serial["seconds"],
            identical_results=dask["checksum"] == serial["checksum"],
        )
    )

    walls = cli_wall(repeat=5)
    results.append(
        row(
            f'interactive: dermasim simulate "{PROTOCOL}" --draws 200 --json, fresh process, '
            "warm cache (limit 1.0 s)",
            statistics.median(walls),
            None,
            1.0 / statistics.median(walls),
            min_seconds=min(walls),
        )
    )
    inproc = child("in_process", n=200, repeat=20)
    results.append(
        row(
            "interactive: simulate(draws=200) in a running process (limit 0.1 s)",
            inproc["seconds"],
            None,
            0.1 / inproc["seconds"],
            min_seconds=inproc["min_seconds"],
            trajectories_per_s=200 / inproc["seconds"],
        )
    )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, args.out)
    log(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}"
    )
    for r in results:
        extras = {k: v for k, v in r.items() if k not in ("name", "seconds")}
        shown = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in extras.items()
            if not isinstance(v, dict)
        )
        log(f"{r['name']}\n  {r['seconds']:.3f} s; {shown}")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
