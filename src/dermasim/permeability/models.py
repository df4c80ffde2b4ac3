r"""Intact-skin permeability models and their grouped cross-validation.

Potts-Guy (row PG-1, PottsGuy1992), with the published coefficients:

.. math:: \log_{10} k_p\,[\mathrm{cm/s}] = -6.3 + 0.71 \log K_{ow} - 0.0061\,\mathrm{MW}

The refit keeps that form and fits the three coefficients by least squares on the filtered
HuskinDB rows (:mod:`dermasim.permeability.dataset`). The two-pathway model adds an aqueous
pore route in parallel to the lipid route,

.. math:: k_p = 10^{a + b \log K_{ow} + c\,\mathrm{MW}} + 10^{d}\,\mathrm{MW}^{-1/2},

(pore transport falling with molecular size as free diffusion does), fitted by nonlinear
least squares in log10 kp. Models are compared by the root-mean-square error of log10 kp in
cross-validation grouped by compound (every row of a compound is held out together), on the
same filtered rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .dataset import PermeabilityRow, filtered_rows

__all__ = [
    "POTTS_GUY",
    "LinearModel",
    "TwoPathwayModel",
    "fit_linear",
    "fit_two_pathway",
    "grouped_cv_rmse",
]


@dataclass(frozen=True)
class LinearModel:
    """``log10 kp = intercept + b_logkow * logKow + b_mw * MW`` (kp in cm/s)."""

    intercept: float
    b_logkow: float
    b_mw: float
    residual_sd: float = float("nan")

    def log_kp(self, log_kow: np.ndarray, mw: np.ndarray) -> np.ndarray:
        return self.intercept + self.b_logkow * np.asarray(log_kow) + self.b_mw * np.asarray(mw)


#: Published Potts-Guy coefficients (PG-1), log10 kp in cm/s.
POTTS_GUY = LinearModel(intercept=-6.3, b_logkow=0.71, b_mw=-0.0061)


@dataclass(frozen=True)
class TwoPathwayModel:
    """Lipid route plus an aqueous pore route (see module docstring)."""

    a: float
    b: float
    c: float
    d: float
    residual_sd: float = float("nan")

    def log_kp(self, log_kow: np.ndarray, mw: np.ndarray) -> np.ndarray:
        lipid = 10.0 ** (self.a + self.b * np.asarray(log_kow) + self.c * np.asarray(mw))
        pore = 10.0**self.d / np.sqrt(np.asarray(mw))
        return np.asarray(np.log10(lipid + pore))

    def pore_log_kp(self, mw: np.ndarray) -> np.ndarray:
        """log10 kp (cm/s) of the aqueous pore route alone: an active without a lipid route."""
        return np.asarray(self.d - 0.5 * np.log10(np.asarray(mw)))


def _arrays(rows: Sequence[PermeabilityRow]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([r.log_kow for r in rows]),
        np.array([r.mw for r in rows]),
        np.array([r.log_kp_cm_s for r in rows]),
    )


def fit_linear(rows: Sequence[PermeabilityRow] | None = None) -> LinearModel:
    """Least-squares refit of the Potts-Guy form."""
    logkow, mw, y = _arrays(rows if rows is not None else filtered_rows())
    x = np.column_stack([np.ones_like(y), logkow, mw])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    dof = max(len(y) - 3, 1)
    sd = float(np.sqrt(np.sum((y - x @ beta) ** 2) / dof))
    return LinearModel(float(beta[0]), float(beta[1]), float(beta[2]), sd)


def fit_two_pathway(rows: Sequence[PermeabilityRow] | None = None) -> TwoPathwayModel:
    """Nonlinear least squares in log10 kp, started from the linear refit."""
    from scipy.optimize import least_squares

    rows = rows if rows is not None else filtered_rows()
    logkow, mw, y = _arrays(rows)
    lin = fit_linear(rows)

    def residuals(p: np.ndarray) -> np.ndarray:
        return TwoPathwayModel(*p).log_kp(logkow, mw) - y

    start = np.array([lin.intercept, lin.b_logkow, lin.b_mw, -8.0])
    fit = least_squares(residuals, start, method="lm")
    dof = max(len(y) - 4, 1)
    sd = float(np.sqrt(np.sum(fit.fun**2) / dof))
    a, b, c, d = (float(v) for v in fit.x)
    return TwoPathwayModel(a, b, c, d, residual_sd=sd)


def grouped_cv_rmse(
    fit: Callable[[Sequence[PermeabilityRow]], LinearModel | TwoPathwayModel] | None,
    rows: Sequence[PermeabilityRow] | None = None,
    *,
    folds: int = 10,
    seed: int = 0,
) -> float:
    """RMSE of log10 kp in ``folds``-fold cross-validation grouped by compound.

    ``fit=None`` scores the published Potts-Guy coefficients on the same held-out rows.
    """
    rows = list(rows if rows is not None else filtered_rows())
    compounds = sorted({r.compound for r in rows})
    order = np.random.default_rng(seed).permutation(len(compounds))
    fold_of = {compounds[i]: k % folds for k, i in enumerate(order)}
    errors = []
    for k in range(folds):
        test = [r for r in rows if fold_of[r.compound] == k]
        train = [r for r in rows if fold_of[r.compound] != k]
        if not test:
            continue
        model = POTTS_GUY if fit is None else fit(train)
        logkow, mw, y = _arrays(test)
        errors.append(model.log_kp(logkow, mw) - y)
    e = np.concatenate(errors)
    return float(np.sqrt(np.mean(e**2)))
