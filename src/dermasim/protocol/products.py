"""Topical products: the active a serum carries and what it does in the model.

A :class:`TopicalProduct` declares its active by molecular weight and log Kow, its route
through intact skin, the active's default concentration in the product and its action on the
model. Intact-skin routes (``intact_route``):

``two_pathway``
    The two-pathway model (lipid and aqueous pore routes, :mod:`dermasim.permeability`);
    needs ``log_kow``.
``pore``
    The aqueous pore route alone: an active without a lipid route; no ``log_kow``.
``none``
    The active does not cross intact skin; it reaches the dermis only through micro-channels.
    For large proteins, far above the heaviest fitted compound (504 Da), where the fitted
    routes would be extrapolated tenfold or more in size.

Actions:

``growth_signal``
    The active raises the growth-factor signal (a growth factor such as EGF); what reaches
    the dermis fills the topical depot (:mod:`dermasim.model.topical`).
``none``
    No modelled action: the product is accepted in protocols but changes nothing in the
    model.

Bundled products live in ``data/topical/products.toml`` and are named in protocols
(``product = "growth_factor_serum"``); a protocol can also declare its own product as a
table with the same keys.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..errors import ProtocolError, invalid_value
from ..permeability.channels import CONCENTRATION_RANGE
from ..permeability.intact import LOG_KOW_RANGE, MW_RANGE, check_number

__all__ = [
    "ACTIONS",
    "DEFAULT_PRODUCT",
    "INTACT_ROUTES",
    "PRODUCT_KEYS",
    "TopicalProduct",
    "bundled_products",
    "resolve_product",
]

#: Actions a product's active can have on the model.
ACTIONS: tuple[str, ...] = ("growth_signal", "none")
#: Routes through intact skin (see the module docstring).
INTACT_ROUTES: tuple[str, ...] = ("two_pathway", "pore", "none")
#: Product used by a topical course that names none.
DEFAULT_PRODUCT = "growth_factor_serum"
#: Keys that record provenance in the bundled file.
PROVENANCE_KEYS = ("sequence", "reference", "note")
#: Keys of a product table.
PRODUCT_KEYS = (
    "name",
    "active",
    "mw_da",
    "log_kow",
    "intact_route",
    "concentration_mg_per_ml",
    "action",
)
_EXAMPLE = (
    '{ name = "my serum", active = "pal-KTTKS", mw_da = 802.5, log_kow = 1.2, '
    'concentration_mg_per_ml = 0.1, action = "none" }'
)


@dataclass(frozen=True)
class TopicalProduct:
    """A topical product and its active.

    Parameters
    ----------
    name
        Short name; a bundled product's name refers to it in protocols.
    active
        What the active is (free text).
    mw_da
        Molecular weight of the active, Da (1 to 500000; monoisotopic, as HuskinDB computes).
    log_kow
        log10 octanol-water partition coefficient (-5 to 10); required by the
        ``two_pathway`` route, ``None`` otherwise.
    intact_route
        One of :data:`INTACT_ROUTES`.
    concentration_mg_per_ml
        Default concentration of the active in the product, mg/mL (1e-6 to 1000); a course
        may set its own.
    action
        One of :data:`ACTIONS`.
    """

    name: str
    active: str
    mw_da: float
    log_kow: float | None
    intact_route: str
    concentration_mg_per_ml: float
    action: str

    def __post_init__(self) -> None:
        where = f"product {self.name!r}" if isinstance(self.name, str) else "product"
        for label in ("name", "active"):
            value = getattr(self, label)
            if not isinstance(value, str) or not value.strip():
                raise ProtocolError(
                    invalid_value(f"{where}.{label}", value, "a non-empty string", _EXAMPLE)
                )
        object.__setattr__(self, "mw_da", _number(f"{where}.mw_da", self.mw_da, MW_RANGE, "Da"))
        if self.intact_route not in INTACT_ROUTES:
            raise ProtocolError(
                invalid_value(
                    f"{where}.intact_route",
                    self.intact_route,
                    "one of " + ", ".join(INTACT_ROUTES),
                    'intact_route = "two_pathway"',
                )
            )
        if (self.intact_route == "two_pathway") != (self.log_kow is not None):
            raise ProtocolError(
                invalid_value(
                    f"{where}.log_kow",
                    self.log_kow,
                    "a log Kow (-5 to 10) with intact_route = two_pathway, none otherwise",
                    'log_kow = 2.7 (or intact_route = "none" for a protein)',
                )
            )
        if self.log_kow is not None:
            object.__setattr__(
                self, "log_kow", _number(f"{where}.log_kow", self.log_kow, LOG_KOW_RANGE, "")
            )
        object.__setattr__(
            self,
            "concentration_mg_per_ml",
            _number(
                f"{where}.concentration_mg_per_ml",
                self.concentration_mg_per_ml,
                CONCENTRATION_RANGE,
                "mg/mL",
            ),
        )
        if self.action not in ACTIONS:
            raise ProtocolError(
                invalid_value(
                    f"{where}.action",
                    self.action,
                    "one of " + ", ".join(ACTIONS),
                    'action = "growth_signal"',
                )
            )

    @property
    def is_bundled(self) -> bool:
        """Whether this is, unchanged, the bundled product of its name."""
        return bundled_products().get(self.name) == self

    def to_dict(self) -> dict[str, Any]:
        """The product as a table of :data:`PRODUCT_KEYS`."""
        out: dict[str, Any] = {"name": self.name, "active": self.active, "mw_da": self.mw_da}
        if self.log_kow is not None:
            out["log_kow"] = self.log_kow
        out["intact_route"] = self.intact_route
        out["concentration_mg_per_ml"] = self.concentration_mg_per_ml
        out["action"] = self.action
        return out


def _number(name: str, value: object, bounds: tuple[float, float], unit: str) -> float:
    return check_number(name, value, bounds, _EXAMPLE, unit, error=ProtocolError)


def product_from_mapping(data: Mapping[str, Any], *, where: str = "product") -> TopicalProduct:
    """Build a product from a table of :data:`PRODUCT_KEYS`.

    ``intact_route`` defaults to ``two_pathway`` when ``log_kow`` is given, else to ``pore``.
    """
    unknown = [k for k in data if k not in PRODUCT_KEYS]
    if unknown:
        raise ProtocolError(
            invalid_value(
                f"{where}.{unknown[0]}",
                data[unknown[0]],
                "only the keys " + ", ".join(PRODUCT_KEYS),
                _EXAMPLE,
            )
        )
    required = ("name", "active", "mw_da", "concentration_mg_per_ml", "action")
    missing = [k for k in required if k not in data]
    if missing:
        raise ProtocolError(invalid_value(f"{where}.{missing[0]}", None, "required", _EXAMPLE))
    route = data.get("intact_route", "two_pathway" if "log_kow" in data else "pore")
    return TopicalProduct(
        name=data["name"],
        active=data["active"],
        mw_da=data["mw_da"],
        log_kow=data.get("log_kow"),
        intact_route=route,
        concentration_mg_per_ml=data["concentration_mg_per_ml"],
        action=data["action"],
    )


@cache
def bundled_products() -> dict[str, TopicalProduct]:
    """The bundled products (``data/topical/products.toml``) by name."""
    path = resources.files("dermasim") / "data" / "topical" / "products.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        name: product_from_mapping(
            {k: v for k, v in {"name": name, **entry}.items() if k not in PROVENANCE_KEYS},
            where=f"products.toml [{name}]",
        )
        for name, entry in table.items()
    }


def resolve_product(value: object, *, where: str = "course.product") -> TopicalProduct:
    """A product from a bundled name, a table of :data:`PRODUCT_KEYS` or a product itself."""
    if isinstance(value, TopicalProduct):
        return value
    if isinstance(value, Mapping):
        return product_from_mapping(value, where=where)
    products = bundled_products()
    if isinstance(value, str) and value in products:
        return products[value]
    allowed = "a bundled product (" + ", ".join(products) + ") or a product table"
    if isinstance(value, str):
        close = difflib.get_close_matches(value, list(products), n=1, cutoff=0.6)
        if close:
            allowed += f" (did you mean {close[0]!r}?)"
    raise ProtocolError(invalid_value(where, value, allowed, f'product = "{DEFAULT_PRODUCT}"'))
