"""A named set of parameter records loaded from bundled TOML, and prior sampling."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..errors import ParameterError, invalid_value
from .record import Parameter

__all__ = ["ParameterSet", "bundled_parameter_sets"]


def bundled_parameter_sets() -> tuple[str, ...]:
    """Names of the parameter sets shipped with dermasim."""
    folder = resources.files("dermasim") / "data" / "parameters"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@dataclass(frozen=True)
class ParameterSet(Mapping[str, Parameter]):
    """An ordered, immutable collection of :class:`Parameter` records.

    Examples
    --------
    >>> ps = ParameterSet.load("default")
    >>> ps["inflammation_clearance"].unit
    '1/day'
    """

    name: str
    records: tuple[Parameter, ...]
    description: str = ""

    #: What :meth:`sample` draws from, for provenance.
    kind = "prior draws"

    def __getitem__(self, key: str) -> Parameter:
        for record in self.records:
            if record.name == key:
                return record
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (r.name for r in self.records)

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def load(cls, name: str = "default") -> ParameterSet:
        """Load a bundled parameter set by name."""
        names = bundled_parameter_sets()
        if name not in names:
            raise ParameterError(
                invalid_value("parameters", name, "one of " + ", ".join(names), "'default'")
            )
        path = resources.files("dermasim") / "data" / "parameters" / f"{name}.toml"
        return cls.from_toml_text(path.read_text(encoding="utf-8"), name=name)

    @classmethod
    def from_toml_text(cls, text: str, *, name: str) -> ParameterSet:
        """Parse a parameter-set TOML document (one table per parameter)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"parameter set {name!r} is malformed TOML: {exc}") from None
        description = str(data.pop("description", ""))
        records = tuple(Parameter.from_record(k, v) for k, v in data.items())
        return cls(name=name, records=records, description=description)

    def values(self) -> dict[str, float]:  # type: ignore[override]
        """Point values by name."""
        return {r.name: r.value for r in self.records}

    def point(self, n: int = 1) -> dict[str, np.ndarray]:
        """Point values repeated ``n`` times, shaped like :meth:`sample` output."""
        return {r.name: np.full(n, r.value) for r in self.records}

    def sample(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Draw ``n`` joint samples from the independent priors.

        The order of draws is fixed by the record order, so identical ``n`` and generator
        state give bit-identical samples.
        """
        return {r.name: r.prior.sample(rng, n) for r in self.records}

    def sources(self) -> tuple[str, ...]:
        """All bibliography keys cited by the records, in first-seen order."""
        seen: dict[str, None] = {}
        for r in self.records:
            for key in r.source:
                seen.setdefault(key, None)
        return tuple(seen)

    def assumed(self) -> tuple[Parameter, ...]:
        """Records whose value is assumed rather than sourced."""
        return tuple(r for r in self.records if r.assumed)
