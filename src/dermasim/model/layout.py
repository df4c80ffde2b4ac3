"""State layout: which column of the state array holds which quantity.

The state array has shape ``(batch, N_STATES)``. The first ``N_LAYER_STATES * N_LAYERS``
columns hold per-layer states, layer-fastest: the state ``k`` of layer ``l`` sits in column
``k * N_LAYERS + l``. The remaining columns hold whole-skin states.
"""

from __future__ import annotations

__all__ = [
    "GLOBAL_STATES",
    "LAYERS",
    "LAYER_STATES",
    "N_LAYERS",
    "N_LAYER_STATES",
    "N_STATES",
    "RESTING_STATES",
    "STATE_NAMES",
    "STATE_UNITS",
    "global_index",
    "layer_index",
    "resting_columns",
]

#: Dermal layers resolved by the model, from the surface down.
LAYERS = ("papillary", "reticular")

#: States carried in each dermal layer.
LAYER_STATES = (
    "injury",  # I: fraction of the layer's volume injured
    "inflammation",  # M: inflammatory activity, 0 at rest
    "quiescent_fibroblasts",  # Fq: relative to resting density
    "activated_fibroblasts",  # Fa: relative to resting density
    "collagen_III",  # C3: fraction of the layer's young-adult collagen content
    "collagen_I",  # C1: fraction of the layer's young-adult collagen content
    "new_matrix",  # N: new, immature collagen matrix, same scale as C1 and C3
    "new_matrix_III",  # N3: the type-III part of N, same scale
    "tropoelastin",  # T: relative to young-adult functional elastin
    "elastin",  # E: functional (fibrillar) elastin, relative to young adult
    "elastotic_material",  # X: solar-elastotic material, same scale as E
    "pn_depot",  # P: polynucleotide depot, mg/cm2
    "topical_depot",  # T: depot of a topical growth-signal active, ng/cm2 (amounts are tiny)
)

#: States of the whole skin site.
GLOBAL_STATES = (
    "epidermal_injury",  # Ie: fraction of the epidermis injured
    "epidermal_thickness",  # Ep: relative to the patient's resting thickness
    "filler_gel",  # H: gel placed in the dermis, injected volume per area, mL/cm2
    "filler_gel_subdermal",  # H_s: gel placed below the dermis, mL/cm2
)

N_LAYERS = len(LAYERS)
N_LAYER_STATES = len(LAYER_STATES)
N_STATES = N_LAYER_STATES * N_LAYERS + len(GLOBAL_STATES)

STATE_UNITS = {
    "injury": "1",
    "inflammation": "1",
    "quiescent_fibroblasts": "1",
    "activated_fibroblasts": "1",
    "collagen_III": "1",
    "collagen_I": "1",
    "new_matrix": "1",
    "new_matrix_III": "1",
    "tropoelastin": "1",
    "elastin": "1",
    "elastotic_material": "1",
    "pn_depot": "mg/cm2",
    "topical_depot": "ng/cm2",
    "epidermal_injury": "1",
    "epidermal_thickness": "1",
    "filler_gel": "mL/cm2",
    "filler_gel_subdermal": "mL/cm2",
}


#: The fast states of a response and their values at rest. With all of them at rest (and no
#: filler gel), each of their derivatives is exactly 0: no injury, inflammation, activation
#: signal, PN or topical depot, and the fibroblasts quiescent at their resting density.
RESTING_STATES: dict[str, float] = {
    "injury": 0.0,
    "inflammation": 0.0,
    "quiescent_fibroblasts": 1.0,
    "activated_fibroblasts": 0.0,
    "pn_depot": 0.0,
    "topical_depot": 0.0,
    "epidermal_injury": 0.0,
}


def resting_columns() -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Columns of :data:`RESTING_STATES` in the state array, and their rest values."""
    cols: list[int] = []
    values: list[float] = []
    for name, value in RESTING_STATES.items():
        if name in LAYER_STATES:
            cols += [layer_index(name, layer) for layer in LAYERS]
            values += [value] * N_LAYERS
        else:
            cols.append(global_index(name))
            values.append(value)
    return tuple(cols), tuple(values)


def layer_index(state: str, layer: str) -> int:
    """Column of a per-layer state in the state array."""
    return LAYER_STATES.index(state) * N_LAYERS + LAYERS.index(layer)


def global_index(state: str) -> int:
    """Column of a whole-skin state in the state array."""
    return N_LAYER_STATES * N_LAYERS + GLOBAL_STATES.index(state)


#: Flat names of every column, e.g. ``"collagen_I[papillary]"``.
STATE_NAMES = tuple(
    [f"{s}[{layer}]" for s in LAYER_STATES for layer in LAYERS] + list(GLOBAL_STATES)
)
