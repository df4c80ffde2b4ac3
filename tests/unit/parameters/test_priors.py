"""Tests of the truncated priors (dermasim.parameters.priors)."""

import numpy as np
import pytest
from scipy import stats

from dermasim.parameters import priors
from dermasim.parameters.priors import Prior

FAMILIES = [
    Prior("lognormal", 0.05, 2.0, median=0.3, gsd=2.0),
    Prior("normal", -1.0, 3.0, mean=0.5, sd=0.8),
    Prior("normal", 0.0, 1.0, mean=5.0, sd=0.5),  # bounds deep in one tail
    Prior("uniform", 2.0, 7.0),
]


@pytest.mark.parametrize("prior", FAMILIES, ids=lambda p: p.describe())
def test_ppf_matches_scipy_truncated_distribution(prior):
    u = np.linspace(0.0, 1.0, 201)
    if prior.distribution == "uniform":
        expected = stats.uniform(prior.lower, prior.upper - prior.lower).ppf(u)
    else:
        loc, scale, space = prior._standard()
        if space == "log":
            lo, hi = np.log(prior.lower), np.log(prior.upper)
        else:
            lo, hi = prior.lower, prior.upper
        z = stats.truncnorm((lo - loc) / scale, (hi - loc) / scale, loc, scale).ppf(u)
        expected = np.exp(z) if space == "log" else z
    got = prior.ppf(u)
    assert np.all((got >= prior.lower) & (got <= prior.upper))
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(prior.cdf(got), u, atol=1e-9)


@pytest.mark.parametrize("prior", FAMILIES[:3], ids=lambda p: p.describe())
def test_small_and_large_batches_agree(prior, monkeypatch):
    """Small batches use the standard library's normal, large ones scipy.special."""
    u = np.random.default_rng(3).uniform(size=500)
    u[:2] = 0.0, 1.0
    monkeypatch.setattr(priors, "SMALL_BATCH", 10**9)
    small = prior.ppf(u), prior.cdf(prior.ppf(u))
    monkeypatch.setattr(priors, "SMALL_BATCH", 0)
    large = prior.ppf(u), prior.cdf(prior.ppf(u))
    np.testing.assert_allclose(small[0], large[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(small[1], large[1], rtol=0, atol=1e-13)


def test_draws_are_bit_identical_whether_or_not_scipy_special_is_already_imported():
    """Identical inputs and seed give identical draws in any process: the normal quantile's
    implementation depends on the batch size, not on what another module imported."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "{pre}"
        "from dermasim.parameters import load_parameters\n"
        "d = load_parameters('posterior').sample(30, np.random.default_rng(0))\n"
        "sys.stdout.write(repr(sorted((k, v.tobytes().hex()) for k, v in d.items())))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code.format(pre=pre)], capture_output=True, text=True, check=True
        ).stdout
        for pre in ("", "import scipy.special\n")
    ]
    assert runs[0] == runs[1]
