"""FitScreen: which parameters the rule flags, from given total indices."""

import numpy as np

from dermasim.calibration.screen import FitScreen


def _screen(fitted=("a",), from_evidence=("c",)):
    total = np.array([[0.40, 0.01, 0.20, 0.06], [0.10, 0.02, 0.00, 0.01]])
    return FitScreen(
        targets=(("p", "collagen_density", 180.0), ("q", "collagen_density", 365.0)),
        names=("a", "b", "c", "d"),
        total=total,
        total_conf=0.1 * total,
        threshold=0.05,
        fitted=tuple(fitted),
        from_evidence=tuple(from_evidence),
    )


def test_influential_are_those_at_or_above_the_threshold_for_any_target_largest_first():
    assert _screen().influential() == ("a", "c", "d")


def test_uninformed_are_influential_and_neither_fitted_nor_set_from_evidence():
    assert _screen().uninformed() == ("d",)
    assert _screen(fitted=("a", "d")).uninformed() == ()
    assert _screen(fitted=(), from_evidence=()).uninformed() == ("a", "c", "d")


def test_rows_name_the_target_and_how_each_parameter_is_informed():
    rows = {r["parameter"]: r for r in _screen(fitted=("a", "b")).rows()}
    assert rows["a"]["informed"] == "fitted"
    assert rows["c"]["informed"] == "prior from evidence"
    assert rows["d"]["informed"] == "NOT INFORMED"
    assert rows["a"]["target"] == "collagen_density at day 180 after p"
    assert _screen(fitted=("a", "b")).fitted_but_minor() == ("b",)
