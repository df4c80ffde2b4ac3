r"""Virtual populations: patients drawn from covariate distributions, or read from a table.

A :class:`Cohort` says how patients vary: age (uniform or truncated normal), sex, site,
Fitzpatrick type and UV exposure (categorical weights) and the share of smokers. It also says
how model parameters vary *between patients* (:attr:`Cohort.variability`), which is kept apart
from the uncertainty about the parameters themselves (posterior draws): every virtual patient
draws one standard-normal deviate :math:`z_i` per varying parameter, and patient :math:`i`
under posterior draw :math:`d` gets :math:`\theta_{id} = g^{-1}(g(\theta_d) + \sigma z_i)`,
the bounded random effect of :mod:`dermasim.parameters.variability` (:math:`g` maps the
parameter's bounds onto the real line, :math:`\sigma` is the between-patient standard
deviation on that scale). A value therefore never leaves its physiological bounds and
nothing is clipped; the draw is the median patient's value (not the mean). A draw exactly
at a bound stays there (no spread); one outside its bounds is refused.

A parameter record may carry its between-patient spread (``population_sd``, with the
evidence rows it rests on in ``population_rows``); a cohort's own :attr:`variability`
overrides it, parameter by parameter. Two bundled records carry one, set from evidence:
``activated_deposition_rate`` (0.21, the between-donor spread of fibroblast procollagen
output, row AG-4) and ``occluded_channel_closure_half_life_h`` (1.02, the between-people
spread of micropore closure, row MC-6). No other parameter varies between patients by
default. The
default covariate distributions are illustrative (assumed, not from a survey of clinics):
give the population of your own study.

A :class:`VirtualPopulation` is a drawn or tabled population: one :class:`~dermasim.Patient`
per row and the deviates :math:`z`. Tables are CSV with one column per patient field
(``age, sex, site, fitzpatrick, uv_exposure, smoker`` and optional contraindication flags);
a missing column takes the default patient's value.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tomllib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from .._files import loads_toml, looks_like_path, read_text, toml_problem
from ..errors import DermasimError, PatientError, invalid_value
from ..parameters import ParameterSet
from ..parameters.variability import individual_values
from ..patient import (
    AGE_MAX,
    AGE_MIN,
    CONTRAINDICATION_FLAGS,
    SEXES,
    SITES,
    UV_LEVELS,
    Patient,
)

__all__ = ["AgeDistribution", "Cohort", "CohortError", "VirtualPopulation", "individual_parameters"]

_FITZPATRICK = ("1", "2", "3", "4", "5", "6")
_SPEC_KEYS = (
    "n",
    "seed",
    "age",
    "sex",
    "site",
    "fitzpatrick",
    "uv_exposure",
    "smoker",
    "variability",
)
MAX_PATIENTS = 1_000_000
_BOOLEAN_COLUMNS = ("smoker", *CONTRAINDICATION_FLAGS)


class CohortError(DermasimError, ValueError):
    """A cohort specification or patient table is not valid."""


def _number(field: str, value: Any, low: float, high: float, example: str) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or not low <= float(value) <= high:
        raise CohortError(
            invalid_value(field, value, f"a number from {low:g} to {high:g}", example)
        )
    return float(value)


def _weights(field: str, value: Any, choices: tuple[str, ...], example: str) -> dict[str, float]:
    """Categorical weights: a mapping of choice -> weight >= 0, or a single choice."""
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, Mapping) or not value:
        raise CohortError(
            invalid_value(field, value, f"a table of weights over {', '.join(choices)}", example)
        )
    weights: dict[str, float] = {}
    for key, weight in value.items():
        name = str(key)
        if name not in choices:
            raise CohortError(
                invalid_value(f"{field} key", key, "one of " + ", ".join(choices), example)
            )
        weights[name] = _number(f"{field}.{name}", weight, 0.0, 1e6, example)
    if sum(weights.values()) <= 0:
        raise CohortError(invalid_value(field, value, "weights with a positive sum", example))
    return weights


@dataclass(frozen=True)
class AgeDistribution:
    """Age in years: ``uniform`` between ``low`` and ``high``, or ``normal`` with ``mean`` and
    ``sd`` truncated to 18-90 years (by inverse-CDF sampling, never clipped)."""

    distribution: str = "uniform"
    low: float = 35.0
    high: float = 65.0
    mean: float = 50.0
    sd: float = 10.0

    def __post_init__(self) -> None:
        example = 'age = {distribution = "uniform", low = 35, high = 65}'
        if self.distribution not in ("uniform", "normal"):
            raise CohortError(
                invalid_value(
                    "cohort.age.distribution", self.distribution, "uniform or normal", example
                )
            )
        low = _number("cohort.age.low", self.low, AGE_MIN, AGE_MAX, example)
        high = _number("cohort.age.high", self.high, AGE_MIN, AGE_MAX, example)
        if low > high:
            raise CohortError(
                invalid_value("cohort.age.high", self.high, f"at least low = {low:g}", example)
            )
        _number("cohort.age.mean", self.mean, AGE_MIN, AGE_MAX, example)
        _number("cohort.age.sd", self.sd, 0.0, 100.0, example)

    @classmethod
    def from_dict(cls, value: Any, where: str = "cohort.age") -> AgeDistribution:
        """An age table (``distribution``, ``low``, ``high``, ``mean``, ``sd``) or one number
        (every patient that age); ``where`` names the table in error messages."""
        if isinstance(value, Real) and not isinstance(value, bool):
            value = {"distribution": "uniform", "low": value, "high": value}
        if not isinstance(value, Mapping):
            raise CohortError(
                invalid_value(
                    where,
                    value,
                    "a number or a distribution table",
                    'age = {distribution = "normal", mean = 50, sd = 8}',
                )
            )
        if value.get("distribution") == "normal" and ({"low", "high"} & set(value)):
            raise CohortError(
                invalid_value(
                    f"{where}.low",
                    value.get("low", value.get("high")),
                    "low and high only with distribution = uniform (a normal age is "
                    "truncated to 18-90 years)",
                    'age = {distribution = "normal", mean = 50, sd = 8}',
                )
            )
        unknown = set(value) - {"distribution", "low", "high", "mean", "sd"}
        if unknown:
            raise CohortError(
                invalid_value(
                    f"{where} key",
                    sorted(unknown)[0],
                    "distribution, low, high, mean or sd",
                    "low = 35",
                )
            )
        return cls(**value)

    def at(self, quantiles: Any) -> np.ndarray:
        """Ages at ``quantiles`` in [0, 1) of the distribution (its inverse CDF)."""
        u = np.asarray(quantiles, dtype=float)
        if self.distribution == "uniform":
            return np.asarray(self.low + (self.high - self.low) * u, dtype=float)
        from scipy.stats import truncnorm

        if self.sd == 0:
            return np.full(u.shape, self.mean)
        a, b = (AGE_MIN - self.mean) / self.sd, (AGE_MAX - self.mean) / self.sd
        return np.asarray(truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd), dtype=float)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.at(rng.random(n))

    def to_dict(self) -> dict[str, Any]:
        if self.distribution == "uniform":
            return {"distribution": "uniform", "low": self.low, "high": self.high}
        return {"distribution": "normal", "mean": self.mean, "sd": self.sd}


def _fitzpatrick_weights(value: Any) -> dict[str, float]:
    if isinstance(value, Mapping):
        value = {str(k): v for k, v in value.items()}
        roman = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6"}
        value = {roman.get(k.upper(), k): v for k, v in value.items()}
    elif isinstance(value, int | str) and not isinstance(value, bool):
        value = {str(value): 1.0}
    return _weights("cohort.fitzpatrick", value, _FITZPATRICK, "fitzpatrick = {2 = 1, 3 = 1}")


@dataclass(frozen=True)
class Cohort:
    """How virtual patients are drawn: covariate distributions and between-patient variability.

    Parameters
    ----------
    age
        Age distribution (default uniform 35-65 years, assumed).
    sex, site, fitzpatrick, uv_exposure
        Categorical weights (normalised); the defaults are female, cheek, Fitzpatrick II-IV
        and low/moderate/high UV in equal shares (assumed).
    smoker
        Probability that a patient smokes (default 0.2, assumed).
    variability
        Between-patient standard deviation, on the bounded scale described in the module
        docstring, by model parameter name (default none: see the module docstring).

    Examples
    --------
    >>> pop = Cohort().sample(3, seed=0)
    >>> len(pop), pop.patients[0].site
    (3, 'cheek')
    """

    age: AgeDistribution = field(default_factory=AgeDistribution)
    sex: Mapping[str, float] = field(default_factory=lambda: {"female": 1.0})
    site: Mapping[str, float] = field(default_factory=lambda: {"cheek": 1.0})
    fitzpatrick: Mapping[str, float] = field(default_factory=lambda: {"2": 1.0, "3": 1.0, "4": 1.0})
    uv_exposure: Mapping[str, float] = field(
        default_factory=lambda: {"low": 1.0, "moderate": 1.0, "high": 1.0}
    )
    smoker: float = 0.2
    variability: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "sex", _weights("cohort.sex", self.sex, SEXES, "sex = {female = 1}")
        )
        object.__setattr__(
            self, "site", _weights("cohort.site", self.site, SITES, "site = {cheek = 1}")
        )
        object.__setattr__(self, "fitzpatrick", _fitzpatrick_weights(self.fitzpatrick))
        uv = _weights("cohort.uv_exposure", self.uv_exposure, UV_LEVELS, "uv_exposure = {low = 1}")
        object.__setattr__(self, "uv_exposure", uv)
        _number("cohort.smoker", self.smoker, 0.0, 1.0, "smoker = 0.2")
        object.__setattr__(self, "smoker", float(self.smoker))
        if not isinstance(self.variability, Mapping):
            raise CohortError(
                invalid_value(
                    "cohort.variability",
                    self.variability,
                    "a table of parameter = sd",
                    "variability = {fibroblast_activation_rate = 0.2}",
                )
            )
        spread = {
            str(name): _number(
                f"cohort.variability.{name}", sd, 0.0, 5.0, f"variability = {{{name} = 0.2}}"
            )
            for name, sd in self.variability.items()
        }
        object.__setattr__(self, "variability", spread)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cohort:
        """Build a cohort from a mapping (a parsed ``[cohort]`` table); unknown keys are errors.

        ``n`` and ``seed`` may sit in the same table (they belong to a run) and are ignored here.
        """
        if not isinstance(data, Mapping):
            raise CohortError(invalid_value("cohort", data, "a table", "[cohort]"))
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in _SPEC_KEYS:
                raise CohortError(
                    invalid_value("cohort key", key, "one of " + ", ".join(_SPEC_KEYS), "age = 50")
                )
            if key in ("n", "seed"):
                continue
            if key == "age":
                value = AgeDistribution.from_dict(value)
            if key == "smoker" and isinstance(value, bool):
                value = 1.0 if value else 0.0
            kwargs[key] = value
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Cohort:
        """Read a cohort from a TOML file with a ``[cohort]`` table (or a flat file)."""
        data = _read_toml(source)
        return cls.from_dict(data.get("cohort", data))

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (a ``[cohort]`` table)."""
        return {
            "age": self.age.to_dict(),
            "sex": dict(self.sex),
            "site": dict(self.site),
            "fitzpatrick": dict(self.fitzpatrick),
            "uv_exposure": dict(self.uv_exposure),
            "smoker": self.smoker,
            "variability": dict(self.variability),
        }

    # ---------------------------------------------------------------- sampling
    def sample(self, n: int, seed: int = 0) -> VirtualPopulation:
        """Draw ``n`` virtual patients with their between-patient deviates.

        The same ``n`` and ``seed`` give the same patients; covariates and deviates use
        separate streams of the seed.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_PATIENTS:
            raise CohortError(
                invalid_value("cohort.n", n, f"an integer from 1 to {MAX_PATIENTS}", "n = 500")
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise CohortError(invalid_value("seed", seed, "a non-negative integer", "seed = 0"))
        rng = np.random.default_rng([seed, 1])
        ages = self.age.sample(rng, n)

        def pick(weights: Mapping[str, float]) -> np.ndarray:
            keys = list(weights)
            prob = np.asarray([weights[k] for k in keys], dtype=float)
            return np.asarray(keys)[rng.choice(len(keys), size=n, p=prob / prob.sum())]

        sexes, sites, types, uv = (
            pick(self.sex),
            pick(self.site),
            pick(self.fitzpatrick),
            pick(self.uv_exposure),
        )
        smokers = rng.random(n) < self.smoker
        patients = tuple(
            Patient(
                age=float(ages[i]),
                sex=str(sexes[i]),
                site=str(sites[i]),
                fitzpatrick=int(types[i]),
                uv_exposure=str(uv[i]),
                smoker=bool(smokers[i]),
            )
            for i in range(n)
        )
        return VirtualPopulation(patients).with_spread(self.variability, seed)


@dataclass(frozen=True)
class VirtualPopulation:
    """Virtual patients, one per row, and their between-patient deviates.

    Attributes
    ----------
    patients
        One :class:`~dermasim.Patient` per virtual patient.
    deviates
        Standard-normal deviate per varying parameter and patient, ``(n,)`` each.
    spread
        Between-patient standard deviation by parameter (see :class:`Cohort`).
    """

    patients: tuple[Patient, ...]
    deviates: Mapping[str, np.ndarray] = field(default_factory=dict)
    spread: Mapping[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.patients)

    def subset(self, index: Sequence[int] | np.ndarray) -> VirtualPopulation:
        """The patients at ``index`` (in that order)."""
        idx = np.asarray(index, dtype=int)
        return VirtualPopulation(
            tuple(self.patients[i] for i in idx),
            {k: np.asarray(v)[idx] for k, v in self.deviates.items()},
            dict(self.spread),
        )

    def with_spread(self, spread: Mapping[str, float], seed: int) -> VirtualPopulation:
        """The same patients with between-patient spread ``spread`` (parameter -> sd) added.

        Each parameter's deviates come from their own stream of ``seed`` (named by the
        parameter), so they do not depend on which other parameters vary; deviates already
        drawn are kept.
        """
        deviates = dict(self.deviates)
        for name in sorted(spread):
            if name not in deviates:
                stream = zlib.crc32(name.encode())
                deviates[name] = np.random.default_rng([seed, 2, stream]).standard_normal(len(self))
        return VirtualPopulation(self.patients, deviates, {**self.spread, **spread})

    def covariates(self) -> dict[str, np.ndarray]:
        """Covariates as arrays ``(n,)``: age, sex, site, fitzpatrick, uv_exposure, smoker."""
        names = ("age", "sex", "site", "fitzpatrick", "uv_exposure", "smoker")
        return {k: np.asarray([getattr(p, k) for p in self.patients]) for k in names}

    @classmethod
    def from_csv(cls, source: str | os.PathLike[str]) -> VirtualPopulation:
        """Read patients from a CSV table (a header row of patient fields, one row each).

        Booleans are ``true``/``false`` (or ``1``/``0``); a bad cell raises a one-line error
        naming its row and column.
        """
        path = Path(source)
        text = _read_text(path, "patients", "patients.csv").removeprefix("\ufeff")
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            raise CohortError(
                invalid_value(
                    f"{path.name} header", repeated[0], "each column once", "age,sex,site"
                )
            )
        if not reader.fieldnames:
            raise CohortError(
                invalid_value(
                    "patients",
                    str(path),
                    "a CSV table with a header row",
                    "age,sex,site\\n52,female,neck",
                )
            )
        patients = []
        for number, row in enumerate(reader, start=2):
            cells = [v for k, v in row.items() if k is not None]
            if None in row or any(v is None for v in cells):
                raise CohortError(
                    invalid_value(
                        f"{path.name} line {number}",
                        ",".join(str(v) for v in cells if v is not None),
                        f"{len(header)} cells, one per column ({','.join(header)})",
                        ",".join(header),
                    )
                )
            try:
                patients.append(Patient.from_dict(_typed(row)))
            except PatientError as exc:
                raise CohortError(f"{path.name} line {number}: {exc}") from None
        if not patients:
            raise CohortError(
                invalid_value(
                    "patients",
                    str(path),
                    "at least one patient row",
                    "age,sex,site\\n52,female,neck",
                )
            )
        return cls(tuple(patients))


def _typed(row: Mapping[str, str | None]) -> dict[str, Any]:
    """CSV cells as the types :class:`Patient` expects (numbers, booleans)."""
    out: dict[str, Any] = {}
    for key, cell in row.items():
        if key is None:
            raise CohortError(
                invalid_value("patients row", cell, "as many cells as header columns", "52,female")
            )
        text = (cell or "").strip()
        if text == "":
            continue
        lowered = text.lower()
        if lowered in ("true", "false"):
            out[key] = lowered == "true"
        elif key == "age":
            try:
                out[key] = float(text)
            except ValueError:
                out[key] = text
        elif key in _BOOLEAN_COLUMNS and lowered in ("1", "0"):
            out[key] = lowered == "1"
        else:
            out[key] = text
    return out


def _read_text(path: Path, field: str, example: str) -> str:
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise CohortError(
            invalid_value(field, str(path), f"a readable UTF-8 file ({reason})", example)
        ) from None


def _read_toml(
    source: str | os.PathLike[str], field: str = "cohort", example: str = "cohort.toml"
) -> dict[str, Any]:
    text = str(source)
    path = Path(source) if isinstance(source, os.PathLike) else looks_like_path(text)
    if path is not None:
        text = _read_text(path, field, example)
    try:
        return loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        shown = str(path) if path is not None else str(source)[:60]
        raise CohortError(
            invalid_value(field, shown, f"valid TOML ({toml_problem(exc)})", example)
        ) from None


def individual_parameters(
    draws: Mapping[str, np.ndarray],
    population: VirtualPopulation,
    parameters: ParameterSet,
    patient_index: np.ndarray,
    draw_index: np.ndarray,
) -> dict[str, np.ndarray]:
    """Parameter values of each (patient, draw) row.

    Parameters
    ----------
    draws
        Posterior (or prior) draws by name, ``(n_draws,)`` each: the uncertainty.
    population
        The virtual patients and their deviates: the variability.
    parameters
        The records, for each varying parameter's bounds.
    patient_index, draw_index
        Row -> patient and row -> draw.
    """
    rows = {k: np.asarray(v)[draw_index] for k, v in draws.items()}
    for name, sd in population.spread.items():
        if name not in parameters:
            raise CohortError(
                invalid_value(
                    "cohort.variability",
                    name,
                    "a model parameter name",
                    f"{next(iter(parameters))} = 0.2",
                )
            )
        if sd == 0:
            continue
        low, high = parameters[name].bounds
        theta = rows[name]
        outside = (theta < low) | (theta > high)
        if np.any(outside):
            bad = float(theta[np.argmax(outside)])
            raise CohortError(
                invalid_value(
                    f"parameter {name}",
                    bad,
                    f"draws within its bounds {low:g} to {high:g} for between-patient spread",
                    f"{name} drawn from its prior",
                )
            )
        rows[name] = individual_values(
            theta, sd, population.deviates[name][patient_index], (low, high)
        )
    return rows


def read_cohort_file(
    source: str | os.PathLike[str], field: str = "cohort", example: str = "cohort.toml"
) -> dict[str, Any]:
    """A TOML spec (a file path or TOML text) as plain data, with a one-line error naming
    ``field`` (with ``example``) if it cannot be read or is not valid TOML."""
    return _read_toml(source, field, example)
