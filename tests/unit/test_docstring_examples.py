"""The examples in these docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "dermasim.plan",
    "dermasim.plan.candidacy",
    "dermasim.plan.planner",
    "dermasim.contraindications",
    "dermasim.calibration.citations",
    "dermasim.errors",
    "dermasim.solution",
    "dermasim.web.app",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
