"""Benchmarks: batched integration against a per-draw ``solve_ivp`` loop, in one run.

Each entry reports the wall time of dermasim's path (``seconds``), of the baseline measured
in the same process on the same model (``baseline_seconds``) and their ratio
``baseline_seconds / seconds`` (how many times faster). Results go to a JSON list of
``{"name", "seconds", "baseline_seconds", "ratio"}``.

Usage::

    python benchmarks/run.py --out benchmarks/results.json [--draws 200] [--days 730]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from dermasim import Patient, Protocol, Simulation
from dermasim.model import apply_course_session, initial_state, model_arguments, rhs
from dermasim.parameters import ParameterSet
from dermasim.solve import SolverOptions, integrate_sessions

PROTOCOL = "4 x microneedling 1.5 mm every 30 days"


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_draw_loop(a, y0, geometry, sessions, days, grid, options) -> np.ndarray:
    """The baseline: one plain ``solve_ivp`` call per draw and segment, same model."""
    n = y0.shape[0]
    out = []
    starts = [0.0, *[d for d in sessions if d > 0]]
    stops = [*starts[1:], days]
    for i in range(n):
        ai = {k: v[i : i + 1] for k, v in a.items()}
        y = y0[i : i + 1].copy()
        pieces = []
        for start, stop in zip(starts, stops, strict=True):
            for course, _day in sessions.get(start, []):
                y = apply_course_session(y, course, geometry, ai)
            t_eval = np.union1d(grid[(grid >= start) & (grid <= stop)], [stop])
            sol = solve_ivp(
                lambda t, f, ai=ai: rhs(t, f.reshape(1, -1), ai).ravel(),
                (start, stop),
                y.ravel(),
                t_eval=t_eval,
                method=options.method,
                rtol=options.rtol,
                atol=options.atol,
            )
            last = stop == stops[-1]
            pieces.append(sol.y if last else sol.y[:, t_eval < stop])
            y = sol.y[:, -1][None, :]
        out.append(np.concatenate(pieces, axis=1))
    return np.stack(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--days", type=float, default=730.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    patient = Patient()
    protocol = Protocol.parse(PROTOCOL)
    options = SolverOptions()
    ps = ParameterSet.load()
    p = ps.sample(args.draws, np.random.default_rng(0))
    a = model_arguments(p, patient)
    y0 = initial_state(a)
    geometry = patient.geometry()
    by_day: dict[float, list] = {}
    for s in protocol.sessions():
        by_day.setdefault(float(s.day), []).append((s.course, s.day))
    grid = np.arange(0.0, args.days + 1.0)

    def jump(y, day):
        for course, _ in by_day.get(day, []):
            y = apply_course_session(y, course, geometry, a)
        return y

    def batched():
        return integrate_sessions(
            rhs,
            y0,
            a,
            t_end=args.days,
            session_days=list(by_day),
            jump=jump,
            t_eval=grid,
            options=options,
        )

    sim = Simulation(protocol=protocol, patient=patient, parameters=ps)

    def end_to_end():
        return sim.run(days=args.days, draws=args.draws, seed=0)

    batched()  # warm-up (imports, caches)
    t_batched = _best(batched, args.repeat)
    t_e2e = _best(end_to_end, args.repeat)
    start = time.perf_counter()
    loop = per_draw_loop(a, y0, geometry, by_day, args.days, grid, options)
    t_loop = time.perf_counter() - start

    # the two paths must agree, or the comparison means nothing
    traj = batched().at(grid)
    rel = np.abs(traj - loop.transpose(0, 2, 1)).max() / np.abs(loop).max()

    label = f"1 patient x {args.draws} draws x {args.days:g} days ({PROTOCOL})"
    results = [
        {
            "name": f"batched integration vs per-draw solve_ivp loop: {label}",
            "seconds": t_batched,
            "baseline_seconds": t_loop,
            "ratio": t_loop / t_batched,
        },
        {
            "name": f"simulate() end to end vs per-draw solve_ivp loop: {label}",
            "seconds": t_e2e,
            "baseline_seconds": t_loop,
            "ratio": t_loop / t_e2e,
        },
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}"
    )
    print(f"max relative difference batched vs loop: {rel:.2e}")
    for r in results:
        print(
            f"{r['name']}\n  {r['seconds']:.3f} s vs {r['baseline_seconds']:.3f} s "
            f"baseline: {r['ratio']:.1f}x"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
