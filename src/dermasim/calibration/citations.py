"""The references behind a run: parameter sources, the skin geometry's sources, and the
studies whose findings the calibration was fitted to and validated against."""

from __future__ import annotations

from typing import Any

from ..geometry import geometry_provenance, site_names
from ..parameters import ParameterSet
from ..references import load_evidence
from .evidence import load_evidence_set

__all__ = ["citation_keys"]


def _keys_of(source: Any) -> list[str]:
    if not source:
        return []
    if isinstance(source, str):
        return [s.strip() for s in source.replace(";", ",").split(",") if s.strip()]
    return [str(s) for s in source]


def citation_keys(parameters: str = "default") -> dict[str, list[str]]:
    """Citation keys by what they support, each key once, in order of first use.

    Parameters
    ----------
    parameters
        The bundled parameter set whose sources are cited.

    Returns
    -------
    dict
        ``"parameters"``, ``"geometry"`` and ``"calibration"`` (the studies of the evidence
        rows the calibration fits or validates) -> keys of ``references.bib`` (or of the row
        citations); a key appears under the first heading that uses it.

    Examples
    --------
    >>> keys = citation_keys()
    >>> "Kenkel2021" in keys["calibration"], "Varani2006" in keys["parameters"]
    (True, True)
    """
    seen: set[str] = set()
    out: dict[str, list[str]] = {"parameters": [], "geometry": [], "calibration": []}

    def add(heading: str, key: str) -> None:
        if key not in seen:
            seen.add(key)
            out[heading].append(key)

    for key in ParameterSet.load(parameters).sources():
        add("parameters", key)
    for site in site_names():
        for entry in geometry_provenance(site).values():
            for key in _keys_of(entry.get("source")):
                add("geometry", key)
    rows = {
        r["id"]: r for table in ("clinical_endpoints", "physiology") for r in load_evidence(table)
    }
    for endpoint in load_evidence_set().endpoints:
        study = rows.get(endpoint.id, {}).get("study")
        if study:
            add("calibration", study)
    return out
