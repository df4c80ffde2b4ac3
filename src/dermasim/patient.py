"""Who is treated and where: the :class:`Patient`.

A patient is validated on construction. Every error is a one-line
:class:`~dermasim.errors.PatientError` that names the field, the bad value, the allowed
range and a valid example.

The TOML form is flat::

    age = 45
    sex = "female"
    site = "cheek"
    fitzpatrick = 3
    uv_exposure = "moderate"
    smoker = false
    acne_scars = 0

Contraindication flags may be given flat (``pregnant = true``), in a
``[contraindications]`` table, or as a list ``contraindications = ["pregnant"]``.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from dermasim._files import existing_file, loads_toml, read_text, toml_problem
from dermasim.errors import PatientError, invalid_value
from dermasim.geometry import SkinGeometry, skin_geometry

__all__ = [
    "CONTRAINDICATION_FLAGS",
    "SCAR_GRADE_MAX",
    "SEXES",
    "SITES",
    "UV_LEVELS",
    "Patient",
]

SITES: tuple[str, ...] = (
    "cheek",
    "forehead",
    "periorbital",
    "neck",
    "decolletage",
    "dorsal_hand",
)
SEXES: tuple[str, ...] = ("female", "male")
UV_LEVELS: tuple[str, ...] = ("low", "moderate", "high")
CONTRAINDICATION_FLAGS: tuple[str, ...] = (
    "active_infection",
    "isotretinoin_last_6_months",
    "keloid_tendency",
    "pregnant",
    "fish_allergy",
    "anticoagulants",
)

logger = logging.getLogger("dermasim")

#: The keys every patient file is expected to give; a missing one takes its default, and
#: reading the file says so (a warning naming the default).
CONTRACT_KEYS = ("age", "sex", "site", "fitzpatrick", "uv_exposure", "smoker")

AGE_MIN = 18.0
AGE_MAX = 90.0
#: Highest grade of Goodman and Baron's qualitative acne-scar scale (0: no scars).
SCAR_GRADE_MAX = 4
_ROMAN = ("I", "II", "III", "IV", "V", "VI")
_BOOL_FIELDS = ("smoker", *CONTRAINDICATION_FLAGS)


def _suggest(value: Any, choices: tuple[str, ...]) -> str:
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.5)
        if close:
            return f" (did you mean {close[0]!r}?)"
    return ""


def _normalise_name(value: Any) -> Any:
    """Lower-case, trim and join words with underscores; non-strings pass through."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower().replace("é", "e").replace("-", "_").replace(" ", "_")
    return text


def _choice(field: str, value: Any, choices: tuple[str, ...], example: str) -> str:
    norm = _normalise_name(value)
    if isinstance(norm, str) and norm in choices:
        return norm
    allowed = "one of " + ", ".join(choices) + _suggest(norm, choices)
    raise PatientError(invalid_value(f"patient.{field}", value, allowed, example))


def _scar_grade(value: Any) -> int:
    allowed = "an integer 0 (no scars) to 4 (Goodman-Baron qualitative grade)"
    example = "acne_scars = 3"
    if isinstance(value, Integral | Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and 0 <= number <= SCAR_GRADE_MAX:
            return int(number)
    raise PatientError(invalid_value("patient.acne_scars", value, allowed, example))


def _fitzpatrick(value: Any) -> int:
    allowed = "an integer 1 to 6 (or roman I to VI)"
    example = "fitzpatrick = 3"
    if isinstance(value, bool | np.bool_):
        raise PatientError(invalid_value("patient.fitzpatrick", value, allowed, example))
    if isinstance(value, Integral | Real):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and 1 <= number <= 6:
            return int(number)
    if isinstance(value, str):
        text = value.strip().upper()
        if text in _ROMAN:
            return _ROMAN.index(text) + 1
        if text in ("1", "2", "3", "4", "5", "6"):  # not isdigit(): "³" is a digit to Python
            return int(text)
    raise PatientError(invalid_value("patient.fitzpatrick", value, allowed, example))


@dataclass(frozen=True)
class Patient:
    """A patient and treatment site, validated on construction.

    Parameters
    ----------
    age
        Age in years, 18 to 90.
    sex
        ``"female"`` or ``"male"``.
    site
        Body site, one of :data:`SITES`.
    fitzpatrick
        Fitzpatrick skin type 1 to 6 (roman ``"III"`` or ``"3"`` are accepted and stored as
        an integer).
    uv_exposure
        Habitual UV exposure, one of :data:`UV_LEVELS`.
    smoker
        Current smoker.
    acne_scars
        Atrophic acne scars at the treated site: Goodman and Baron's qualitative grade 1
        (macular) to 4 (severe), or 0 for none (default). With scars, simulations report
        the endpoint ``scar_grade`` (:mod:`dermasim.model.observation`).
    active_infection, isotretinoin_last_6_months, keloid_tendency, pregnant, fish_allergy, \
anticoagulants
        Contraindication flags (see :mod:`dermasim.contraindications`); ``fish_allergy`` is
        an allergy to fish or salmon DNA (polynucleotide products).

    Raises
    ------
    PatientError
        If any field has the wrong type or is out of range, or ``pregnant`` is set for a male
        patient.

    Examples
    --------
    >>> Patient().describe()
    'female, 45 y, cheek, Fitzpatrick III, moderate UV, non-smoker'
    """

    age: float = 45
    sex: str = "female"
    site: str = "cheek"
    fitzpatrick: int = 3
    uv_exposure: str = "moderate"
    smoker: bool = False
    acne_scars: int = 0
    active_infection: bool = False
    isotretinoin_last_6_months: bool = False
    keloid_tendency: bool = False
    pregnant: bool = False
    fish_allergy: bool = False
    anticoagulants: bool = False

    def __post_init__(self) -> None:
        age = self.age
        ok = isinstance(age, Real) and not isinstance(age, bool | np.bool_)
        try:
            number = float(age) if ok else math.nan
        except OverflowError:
            number = math.inf
        if not math.isfinite(number) or not AGE_MIN <= number <= AGE_MAX:
            raise PatientError(invalid_value("patient.age", age, "18 to 90 years", "age = 45"))
        object.__setattr__(self, "age", number)
        object.__setattr__(self, "sex", _choice("sex", self.sex, SEXES, 'sex = "female"'))
        object.__setattr__(self, "site", _choice("site", self.site, SITES, 'site = "cheek"'))
        object.__setattr__(self, "fitzpatrick", _fitzpatrick(self.fitzpatrick))
        uv = _choice("uv_exposure", self.uv_exposure, UV_LEVELS, 'uv_exposure = "moderate"')
        object.__setattr__(self, "uv_exposure", uv)
        object.__setattr__(self, "acne_scars", _scar_grade(self.acne_scars))
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, bool | np.bool_):
                raise PatientError(
                    invalid_value(f"patient.{name}", value, "true or false", f"{name} = false")
                )
            object.__setattr__(self, name, bool(value))
        if self.pregnant and self.sex == "male":
            raise PatientError(
                invalid_value(
                    "patient.pregnant",
                    True,
                    'false when sex = "male"',
                    'pregnant = false or sex = "female"',
                )
            )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Patient:
        """Build a patient from a mapping (e.g. parsed TOML or JSON).

        Parameters
        ----------
        data
            Flat keys named as the fields. Contraindication flags may also be given as a
            nested ``contraindications`` mapping of flag -> bool, or as a list of flag names
            that are true. A single top-level ``patient`` table is unwrapped.

        Returns
        -------
        Patient

        Raises
        ------
        PatientError
            For unknown keys, unknown flags, conflicting flags or invalid values.
        """
        if not isinstance(data, Mapping):
            raise PatientError(
                invalid_value("patient", data, "a table of patient fields", "{age = 45}")
            )
        if set(data) == {"patient"} and isinstance(data["patient"], Mapping):
            data = data["patient"]
        allowed = tuple(f.name for f in fields(cls))
        kwargs: dict[str, Any] = {}
        nested: dict[str, bool] = {}
        for key, value in data.items():
            if key == "contraindications":
                nested = _parse_contraindications(value)
                continue
            if key not in allowed:
                raise PatientError(
                    invalid_value(
                        "patient key",
                        key,
                        "one of "
                        + ", ".join((*allowed, "contraindications"))
                        + _suggest(key, allowed),
                        "age = 45",
                    )
                )
            kwargs[key] = value
        for flag, value in nested.items():
            if flag in kwargs and kwargs[flag] != value:
                raise PatientError(
                    invalid_value(
                        f"patient.contraindications.{flag}",
                        value,
                        f"the same value as the top-level {flag} = {_toml_bool(kwargs[flag])}",
                        f"give {flag} only once",
                    )
                )
            kwargs[flag] = value
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Patient:
        """Build a patient from a TOML file path or TOML text.

        Parameters
        ----------
        source
            A path to an existing file, or the TOML text itself.

        Returns
        -------
        Patient

        Raises
        ------
        PatientError
            If the file cannot be read, the TOML is malformed, or a value is invalid.

        Examples
        --------
        >>> Patient.from_toml('age = 60\\nsex = "male"').age
        60.0
        """
        text: str
        path: Path | None = None
        if isinstance(source, os.PathLike):
            path = Path(source)
        elif isinstance(source, str):
            path = existing_file(source)
            if path is None and "\n" not in source and source.strip().endswith(".toml"):
                path = Path(source.strip())  # a missing file, not TOML text
        else:
            raise PatientError(
                invalid_value(
                    "patient TOML source",
                    source,
                    "a path to a TOML file or TOML text",
                    '"patient.toml"',
                )
            )
        text = _read(path) if path is not None else str(source)
        try:
            data = loads_toml(text)
        except tomllib.TOMLDecodeError as exc:
            example = 'age = 45 and sex = "female"'
            if path is not None:
                raise PatientError(
                    invalid_value(
                        "patient file", str(path), f"valid TOML ({toml_problem(exc)})", example
                    )
                ) from None
            if "\n" not in text and "=" not in text:
                allowed = "an existing TOML file or TOML text (no such file)"
                shown = text if len(text) <= 60 else text[:57] + "..."
                raise PatientError(invalid_value("patient TOML", shown, allowed, example)) from None
            raise PatientError(
                f"patient TOML text is not valid: {toml_problem(exc)}; for example {example}"
            ) from None
        if isinstance(data, dict):
            missing = [key for key in CONTRACT_KEYS if key not in data]
            if missing:
                default = {f.name: f.default for f in fields(cls)}
                defaults = ", ".join(f"{key} = {default[key]!r}" for key in missing)
                where = f"patient file {path}" if path is not None else "patient TOML"
                logger.warning("%s does not give %s: using the default %s", where,
                               ", ".join(missing), defaults)  # fmt: skip
        return cls.from_dict(data)

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """Flat, JSON-serialisable mapping of every field."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_toml(self) -> str:
        """TOML text that :meth:`from_toml` reads back to an equal patient."""
        data = self.to_dict()
        if float(data["age"]).is_integer():
            data["age"] = int(data["age"])
        return tomli_w.dumps(data)

    def geometry(self) -> SkinGeometry:
        """Skin-layer geometry for this patient's age, sex and site.

        See :func:`dermasim.geometry.skin_geometry`.
        """
        return skin_geometry(self.age, self.sex, self.site)

    def _repr_html_(self) -> str:
        """A notebook's view: the one-line description and the skin at the site."""
        from html import escape

        g = self.geometry()
        return (
            f"<p><b>Patient</b>: {escape(self.describe())}; skin at the site "
            f"{g.total_mm:.2f} mm (epidermis {g.epidermis_mm:.2f}, dermis {g.dermis_mm:.2f})</p>"
        )

    @property
    def flags(self) -> tuple[str, ...]:
        """Contraindication flags that are set."""
        return tuple(f for f in CONTRAINDICATION_FLAGS if getattr(self, f))

    def describe(self) -> str:
        """One-line human summary.

        Examples
        --------
        >>> Patient(age=61.5, sex="male", smoker=True).describe()
        'male, 61.5 y, cheek, Fitzpatrick III, moderate UV, smoker'
        """
        parts = [
            self.sex,
            f"{self.age:g} y",
            self.site,
            f"Fitzpatrick {_ROMAN[self.fitzpatrick - 1]}",
            f"{self.uv_exposure} UV",
            "smoker" if self.smoker else "non-smoker",
        ]
        if self.acne_scars:
            parts.append(f"acne scars grade {self.acne_scars}")
        parts.extend(f.replace("_", " ") for f in self.flags)
        return ", ".join(parts)


def _toml_bool(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _parse_contraindications(value: Any) -> dict[str, bool]:
    example = 'contraindications = ["pregnant"]'
    allowed_flags = "flags among " + ", ".join(CONTRAINDICATION_FLAGS)
    out: dict[str, bool] = {}
    if isinstance(value, Mapping):
        for flag, flag_value in value.items():
            if flag not in CONTRAINDICATION_FLAGS:
                raise PatientError(
                    invalid_value(
                        "patient.contraindications key",
                        flag,
                        "one of "
                        + ", ".join(CONTRAINDICATION_FLAGS)
                        + _suggest(flag, CONTRAINDICATION_FLAGS),
                        "[contraindications] pregnant = true",
                    )
                )
            out[flag] = flag_value
        return out
    if isinstance(value, list | tuple):
        for item in value:
            if item not in CONTRAINDICATION_FLAGS:
                raise PatientError(
                    invalid_value(
                        "patient.contraindications",
                        item,
                        "one of "
                        + ", ".join(CONTRAINDICATION_FLAGS)
                        + _suggest(item, CONTRAINDICATION_FLAGS),
                        example,
                    )
                )
            out[item] = True
        return out
    raise PatientError(
        invalid_value(
            "patient.contraindications", value, f"a list or table of {allowed_flags}", example
        )
    )


def _read(path: Path) -> str:
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise PatientError(
            invalid_value(
                "patient TOML file",
                str(path),
                f"a readable UTF-8 TOML file ({reason})",
                '"patient.toml"',
            )
        ) from None
