r"""Dormand-Prince 5(4) with each trajectory's own step control: the compiled kernel's source.

This file is the integrator half of a generated module: :mod:`dermasim.solve.compiled`
writes the text of this file below the ``KERNEL`` marker followed by the traced right-hand
side ``rhs_point`` (:mod:`dermasim.solve.codegen`) into a cache folder, and Numba compiles it
there (``cache=True``, so a later process loads machine code instead of compiling). Importing
this file directly gives the same functions with a placeholder ``rhs_point``; tests use it
only to read the tableau. Everything is compiled with the fast-math flags of ``FASTMATH``,
which let LLVM reassociate sums (so that they vectorise), fuse multiply-adds and divide by
multiplying with a reciprocal, but keep infinities and NaN: results differ from strict IEEE
evaluation by round-off only.

For each trajectory ``i`` (in parallel over trajectories) and each segment between two
session days, the kernel takes Runge-Kutta steps

.. math::

    k_s = f\Big(t + c_s h,\; y + h \sum_{j<s} a_{sj} k_j\Big), \qquad
    y_{n+1} = y_n + h \sum_s b_s k_s,

with the error estimate ``h * sum_s e_s k_s`` weighed per state by
``atol + rtol * max(|y_n|, |y_{n+1}|)`` and its RMS over *this trajectory's* states, the
step factor ``min(10, 0.9 err^{-1/5})`` (at most 1 right after a rejection, at least 0.2
on a rejection) and SciPy's initial-step rule at every segment start; the tableau, the
error weights and the free 4th-order continuous extension are those of SciPy's ``RK45``
(Dormand & Prince 1980; Shampine 1986), so one trajectory here takes the steps SciPy's
``RK45`` takes on it alone, until its response has come to rest. Outputs at requested times
and the redness probes that give downtime come from the continuous extension inside
accepted steps; no dense history is kept.

**Coming to rest.** After a session the fast states (injury, inflammation, activated
fibroblasts, depots) decay towards rest at rates of about 0.4-0.6 per day. Long after the
last session they are negligible, yet an explicit method stays held to steps of about a week
by their stability limit, not by accuracy. Where, after an accepted step, every resting
column (``rest_cols``, :data:`dermasim.model.layout.RESTING_STATES`) lies within
``rest_tol`` of its rest value (``rest_values``), the kernel sets them to rest exactly,
together with their derivatives in the FSAL stage; the model's derivative of each of them is
then exactly 0, so they stay there and the steps grow to what the slow states need. Left
alone, such a state does not decay further: the error control holds it at about ``atol``,
its noise level. The change of each state is at most ``rest_tol``, which the caller sets to
ten times ``atol`` (:data:`dermasim.solve.compiled.REST_TOL_OVER_ATOL`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


def rhs_point(t, y, p, dy):  # pragma: no cover
    """Placeholder: the generated module defines the real one above the kernel."""
    raise NotImplementedError


# KERNEL --------------------------------------------------------------------------------
# Everything below is copied into the generated module after ``rhs_point``.

C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = (
    -71.0 / 57600.0,
    71.0 / 16695.0,
    -71.0 / 1920.0,
    17253.0 / 339200.0,
    -22.0 / 525.0,
    1.0 / 40.0,
)
P = np.array(
    [
        [
            1.0,
            -8048581381.0 / 2820520608.0,
            8663915743.0 / 2820520608.0,
            -12715105075.0 / 11282082432.0,
        ],
        [0.0, 0.0, 0.0, 0.0],
        [
            0.0,
            131558114200.0 / 32700410799.0,
            -68118460800.0 / 10900136933.0,
            87487479700.0 / 32700410799.0,
        ],
        [
            0.0,
            -1754552775.0 / 470086768.0,
            14199869525.0 / 1410260304.0,
            -10690763975.0 / 1880347072.0,
        ],
        [
            0.0,
            127303824393.0 / 49829197408.0,
            -318862633887.0 / 49829197408.0,
            701980252875.0 / 199316789632.0,
        ],
        [0.0, -282668133.0 / 205662961.0, 2019193451.0 / 616988883.0, -1453857185.0 / 822651844.0],
        [0.0, 40617522.0 / 29380423.0, -110615467.0 / 29380423.0, 69997945.0 / 29380423.0],
    ]
)

OK, TOO_MANY_STEPS, STEP_TOO_SMALL = 0, 1, 2

#: LLVM's fast-math flags that change results by round-off only: reassociation (so sums over
#: states vectorise), fused multiply-add, reciprocals for divisions and no signed zeros.
#: Not "nnan"/"ninf": the kernel's finiteness checks must stay.
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _rms_scaled(x, y, rtol, atol):
    total = 0.0
    for j in range(x.size):
        total += (x[j] / (atol + abs(y[j]) * rtol)) ** 2
    return math.sqrt(total / x.size)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _initial_step(t, y, f0, p, rtol, atol, span, work, f1):
    """SciPy's ``select_initial_step`` for a 5th-order method."""
    n = y.size
    d0 = _rms_scaled(y, y, rtol, atol)
    d1 = _rms_scaled(f0, y, rtol, atol)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, span)
    for j in range(n):
        work[j] = y[j] + h0 * f0[j]
    rhs_point(t + h0, work, p, f1)
    for j in range(n):
        work[j] = f1[j] - f0[j]
    d2 = _rms_scaled(work, y, rtol, atol) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 5.0)
    return min(100.0 * h0, h1, span)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _segment_one(
    y, p, t0, t1, rtol, atol, max_steps, t_out, out, probes, red_cols, threshold,
    rest_cols, rest_values, rest_tol,
):  # fmt: skip
    """Integrate one trajectory from ``t0`` to ``t1``; returns (status, steps, last_visible).

    ``y`` is advanced in place; ``out[:, k]`` receives the state at ``t_out[k]`` (every
    ``t_out`` lies in ``[t0, t1]``); ``last_visible`` is the last probe time at which the
    summed ``red_cols`` exceed ``threshold`` (``t0`` if none).
    """
    n = y.size
    k = np.empty((7, n))
    work = np.empty(n)
    y_new = np.empty(n)
    weights = np.empty(7)
    last_visible = t0
    j_out = 0
    j_probe = 0
    while j_out < t_out.size and t_out[j_out] <= t0:
        out[:, j_out] = y
        j_out += 1
    while j_probe < probes.size and probes[j_probe] <= t0:
        red = 0.0
        for c in red_cols:
            red += y[c]
        if red > threshold:
            last_visible = max(last_visible, probes[j_probe])
        j_probe += 1
    span = t1 - t0
    if span <= 0.0:
        return OK, 0, last_visible
    if span <= max(1e-12, 1e-14 * abs(t1)):
        # shorter than round-off of the day count (under 0.1 microsecond): the state does
        # not move; outputs up to t1 are the state itself
        while j_out < t_out.size and t_out[j_out] <= t1:
            out[:, j_out] = y
            j_out += 1
        return OK, 0, last_visible
    t = t0
    rhs_point(t, y, p, k[0])
    h = _initial_step(t, y, k[0], p, rtol, atol, span, work, k[1])
    rejected = False
    steps = 0
    while t < t1:
        if steps >= max_steps:
            return TOO_MANY_STEPS, steps, last_visible
        min_step = 10.0 * 2.220446049250313e-16 * max(abs(t), 1e-300)
        if h < min_step:
            return STEP_TOO_SMALL, steps, last_visible
        t_new = t + h
        if t_new >= t1 or t1 - t_new < min_step:
            t_new = t1
        h = t_new - t
        for j in range(n):
            work[j] = y[j] + h * A21 * k[0, j]
        rhs_point(t + C2 * h, work, p, k[1])
        for j in range(n):
            work[j] = y[j] + h * (A31 * k[0, j] + A32 * k[1, j])
        rhs_point(t + C3 * h, work, p, k[2])
        for j in range(n):
            work[j] = y[j] + h * (A41 * k[0, j] + A42 * k[1, j] + A43 * k[2, j])
        rhs_point(t + C4 * h, work, p, k[3])
        for j in range(n):
            work[j] = y[j] + h * (A51 * k[0, j] + A52 * k[1, j] + A53 * k[2, j] + A54 * k[3, j])
        rhs_point(t + C5 * h, work, p, k[4])
        for j in range(n):
            work[j] = y[j] + h * (
                A61 * k[0, j] + A62 * k[1, j] + A63 * k[2, j] + A64 * k[3, j] + A65 * k[4, j]
            )
        rhs_point(t_new, work, p, k[5])
        for j in range(n):
            y_new[j] = y[j] + h * (
                B1 * k[0, j] + B3 * k[2, j] + B4 * k[3, j] + B5 * k[4, j] + B6 * k[5, j]
            )
        rhs_point(t_new, y_new, p, k[6])
        total = 0.0
        finite = True
        for j in range(n):
            err = h * (
                E1 * k[0, j]
                + E3 * k[2, j]
                + E4 * k[3, j]
                + E5 * k[4, j]
                + E6 * k[5, j]
                + E7 * k[6, j]
            )
            scale = atol + max(abs(y[j]), abs(y_new[j])) * rtol
            total += (err / scale) ** 2
            if not math.isfinite(y_new[j]):
                finite = False
        steps += 1
        if not finite:  # a trial step too long for the dynamics: reject and shrink
            h = h * 0.2
            rejected = True
            continue
        error_norm = math.sqrt(total / n)
        if error_norm < 1.0:
            factor = 10.0 if error_norm == 0.0 else min(10.0, 0.9 * error_norm**-0.2)
            if rejected:
                factor = min(1.0, factor)
            # outputs and probes inside (t, t_new]
            while j_out < t_out.size and t_out[j_out] <= t_new:
                if t_out[j_out] == t_new:
                    out[:, j_out] = y_new
                else:
                    x = (t_out[j_out] - t) / h
                    for s in range(7):
                        weights[s] = h * x * (P[s, 0] + x * (P[s, 1] + x * (P[s, 2] + x * P[s, 3])))
                    for j in range(n):
                        acc = 0.0
                        for s in range(7):
                            acc += weights[s] * k[s, j]
                        out[j, j_out] = y[j] + acc
                j_out += 1
            if j_probe < probes.size and probes[j_probe] <= t_new:
                # redness along the step as one quartic in x: coefficients once a step
                q1 = q2 = q3 = q4 = 0.0
                red0 = 0.0
                for c in red_cols:
                    red0 += y[c]
                    for s in range(7):
                        q1 += k[s, c] * P[s, 0]
                        q2 += k[s, c] * P[s, 1]
                        q3 += k[s, c] * P[s, 2]
                        q4 += k[s, c] * P[s, 3]
                while j_probe < probes.size and probes[j_probe] <= t_new:
                    x = (probes[j_probe] - t) / h
                    red = red0 + h * x * (q1 + x * (q2 + x * (q3 + x * q4)))
                    if red > threshold:
                        last_visible = max(last_visible, probes[j_probe])
                    j_probe += 1
            t = t_new
            for j in range(n):
                y[j] = y_new[j]
                k[0, j] = k[6, j]
            resting = True
            for m in range(rest_cols.size):
                if abs(y[rest_cols[m]] - rest_values[m]) > rest_tol:
                    resting = False
                    break
            if resting:  # come to rest: exactly, and their derivatives with them
                for m in range(rest_cols.size):
                    y[rest_cols[m]] = rest_values[m]
                    k[0, rest_cols[m]] = 0.0
            h = h * factor
            rejected = False
        else:
            h = h * max(0.2, 0.9 * error_norm**-0.2)
            rejected = True
    return OK, steps, last_visible


@njit(cache=True, parallel=True, error_model="numpy", fastmath=FASTMATH)
def integrate_segment(
    y,
    p,
    t0,
    t1,
    rtol,
    atol,
    max_steps,
    t_out,
    out,
    probes,
    red_cols,
    threshold,
    last_visible,
    status,
    steps,
    rest_cols,
    rest_values,
    rest_tol,
):
    """Integrate every trajectory ``y[i]`` (in place) from ``t0`` to ``t1`` in parallel.

    ``out[i, :, k]`` receives trajectory ``i`` at ``t_out[k]``; ``last_visible[i]``,
    ``status[i]`` and ``steps[i]`` are written per trajectory (see :func:`_segment_one`).
    """
    for i in prange(y.shape[0]):
        code, taken, visible = _segment_one(
            y[i], p[i], t0, t1, rtol, atol, max_steps, t_out, out[i], probes, red_cols,
            threshold[i], rest_cols, rest_values, rest_tol,
        )  # fmt: skip
        status[i] = code
        steps[i] = taken
        last_visible[i] = visible
