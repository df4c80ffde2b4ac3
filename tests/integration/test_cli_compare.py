"""``dermasim compare``, ``protocols``, ``cite`` and ``--version``."""

import json

import xarray as xr

import dermasim
from dermasim.cli import main
from dermasim.protocol import bundled_protocols

TWO = ["4 x microneedling 1.5 mm every 30 days", "pn-standard"]


def test_compare_json(capsys):
    rc = main(["compare", *TWO, "--draws", "6", "--days", "200", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    data = json.loads(out)
    assert data["schema"] == "dermasim.comparison/1"
    assert [r["protocol"] for r in data["rows"]] == [
        "4 x microneedling 1.5 mm every 30 days",
        "pn-standard",
    ]
    for row in data["rows"]:
        cells = row["collagen_density"]
        assert list(cells) == ["3 mo", "6 mo"]  # 12 and 24 months lie beyond 200 days
        assert cells["3 mo"]["day"] == 90
        for cell in cells.values():
            assert cell["p05"] <= cell["median"] <= cell["p95"]
        assert row["downtime_days"]["median"] >= 0
    assert data["rows"][0]["sessions"] == 4


def test_compare_shares_draws_between_protocols(capsys):
    """Same seed, same draws: the untreated row is identical whatever it is compared with."""
    main(["compare", "no-treatment", TWO[0], "--draws", "5", "--days", "100", "--json"])
    first = json.loads(capsys.readouterr().out)["rows"][0]
    main(["compare", "no-treatment", "pn-standard", "--draws", "5", "--days", "100", "--json"])
    second = json.loads(capsys.readouterr().out)["rows"][0]
    assert first == second


def test_compare_writes_figure_and_netcdf(capsys, tmp_path):
    rc = main(["compare", *TWO, "--draws", "5", "--days", "120", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "collagen_density" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "compare_collagen_density.png" in names
    assert "compare.json" in names
    assert "pn-standard.nc" in names
    assert not [n for n in names if n.startswith(".")]
    ds = xr.open_dataset(tmp_path / "pn-standard.nc", engine="scipy")
    assert ds.attrs["protocol"] == str(bundled_protocols()["pn-standard"])
    ds.close()


def test_protocols_lists_every_bundled_protocol(capsys):
    assert main(["protocols"]) == 0
    out = capsys.readouterr().out
    for name in (
        "no-treatment",
        "pn-standard",
        "microneedling-4-monthly",
        "microneedling-6-biweekly",
        "ha-filler-single",
        "pn-plus-microneedling",
    ):
        assert name in out
    assert "4 x microneedling 1.5 mm every 30 days" in out


def test_cite_plain_and_bibtex(capsys):
    assert main(["cite"]) == 0
    plain = capsys.readouterr().out
    assert "Waugh" in plain
    assert main(["cite", "--format", "bibtex"]) == 0
    bib = capsys.readouterr().out
    assert bib.lstrip().startswith("@")
    assert "Verzijl2000" in bib
    assert "FacialHFUS" in bib  # skin geometry sources are cited too


def test_version(capsys):
    assert main(["--version"]) == 0
    assert dermasim.__version__ in capsys.readouterr().out


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "simulate" in capsys.readouterr().out
