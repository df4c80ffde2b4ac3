"""Request and error bodies of the web API (pydantic): the command-line options as fields.

Pydantic checks only the shape (a number where a number belongs, no unknown field); the
values are checked by dermasim itself, so the API refuses what the command line refuses,
with the same message.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CompareRequest",
    "ErrorDetail",
    "ErrorResponse",
    "PlanRequest",
    "ScreenRequest",
    "SimulateRequest",
]

_PATIENT = Field(
    None,
    description="Patient fields as in a patient TOML file; default: female, 45, cheek, "
    "Fitzpatrick III, moderate UV, non-smoker.",
    examples=[{"age": 52, "sex": "female", "site": "neck", "smoker": True}],
)
_PROTOCOL_DOC = (
    "A bundled protocol name, a compact string such as "
    "'4 x microneedling 1.5 mm every 30 days', or a protocol object ({'course': [...]})."
)

_DAYS_DOC = "Horizon: days or a duration such as '2 years'."
_DRAWS_DOC = "Parameter draws (at most 1,000 on a default server)."
_SEED_DOC = "Seed of the parameter draws: the same seed gives the same numbers."
_PARAMETERS_DOC = "'posterior' (the fitted parameters) or 'prior'."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimulateRequest(_Request):
    """``POST /api/simulate``: the options of ``dermasim simulate``."""

    protocol: str | dict[str, Any] = Field(
        description=_PROTOCOL_DOC, examples=["4 x microneedling 1.5 mm every 30 days"]
    )
    patient: dict[str, Any] | None = _PATIENT
    days: str | float = Field("730", description=_DAYS_DOC, examples=["730"])
    at: list[float] | None = Field(
        None,
        description="Output days (default 0, 90, 180, 365, 730 within the horizon).",
        examples=[[0, 90, 180]],
    )
    draws: int = Field(200, description=_DRAWS_DOC, examples=[50])
    seed: int = Field(0, description=_SEED_DOC, examples=[0])
    parameters: str = Field("posterior", description=_PARAMETERS_DOC, examples=["posterior"])


class CompareRequest(_Request):
    """``POST /api/compare``: the options of ``dermasim compare``."""

    protocols: list[str | dict[str, Any]] | None = Field(
        None,
        description="Protocols to compare (default: the bundled ones). " + _PROTOCOL_DOC,
        examples=[["no-treatment", "pn-standard"]],
    )
    patient: dict[str, Any] | None = _PATIENT
    days: str | float = Field("730", description=_DAYS_DOC, examples=["730"])
    draws: int = Field(200, description=_DRAWS_DOC, examples=[50])
    seed: int = Field(0, description=_SEED_DOC, examples=[0])
    parameters: str = Field("posterior", description=_PARAMETERS_DOC, examples=["posterior"])
    endpoint: str = Field(
        "collagen_density",
        description="The endpoint compared (names as in `dermasim endpoints`).",
        examples=["collagen_density"],
    )


class PlanRequest(_Request):
    """``POST /api/plan``: the options of ``dermasim plan``."""

    patient: dict[str, Any] | None = _PATIENT
    concern: str = Field(
        description="fine_lines, laxity, acne_scars, texture, volume_loss or dullness.",
        examples=["fine_lines"],
    )
    max_sessions: int | None = Field(
        None, description="At most this many session days (1 to 24).", examples=[4]
    )
    max_downtime_days: float | None = Field(
        None, description="Bound on the median downtime per session (0 to 60 days).", examples=[6]
    )
    horizon: str | float = Field(
        "12 months",
        description="When the gain is read: days or a duration such as '6 months'.",
        examples=["12 months"],
    )
    treatments: list[str] | None = Field(
        None,
        description="Treatments the plans may use (default: all the screen allows).",
        examples=[["microneedling", "polynucleotide"]],
    )
    top: int = Field(8, description="Longest short list (1 to 20).", examples=[8])
    draws: int = Field(200, description=_DRAWS_DOC, examples=[50])
    seed: int = Field(0, description=_SEED_DOC, examples=[0])
    parameters: str = Field("posterior", description=_PARAMETERS_DOC, examples=["posterior"])


class ScreenRequest(_Request):
    """``POST /api/screen``: the options of ``dermasim screen``."""

    patient: dict[str, Any] | None = _PATIENT
    protocol: str | dict[str, Any] | None = Field(
        None, description="Also screen this protocol's settings (depths).", examples=["pn-standard"]
    )


class ErrorDetail(BaseModel):
    """One refused value: the message of the command line, and its parts."""

    field: str = Field(
        description="The refused field, as a dotted path into the body.", examples=["draws"]
    )
    value: Any = Field(None, description="The refused value, as it was sent.", examples=[0])
    allowed: str = Field(
        description="What the field accepts.", examples=["an integer from 1 to 1000"]
    )
    example: str = Field(description="A value the field accepts.", examples=["draws = 200"])
    message: str = Field(
        description="The one-line message the command line prints.",
        examples=[
            "draws = 0 is not valid: allowed an integer from 1 to 1000; for example draws = 200"
        ],
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx response."""

    schema_: str = Field("dermasim.error/1", alias="schema")
    error: ErrorDetail
