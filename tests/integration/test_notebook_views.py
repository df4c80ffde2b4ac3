"""Notebook views and tables: Solution.to_dataframe and the HTML reprs."""

import numpy as np

import dermasim


def test_to_dataframe_has_a_row_per_draw_and_day_and_the_values_of_the_solution():
    sol = dermasim.simulate("1 x microneedling 1 mm", days=60, draws=4, seed=2)
    df = sol.to_dataframe(at=[0, 30, 60])
    assert list(df.index.names) == ["draw", "time"] and len(df) == 12
    assert set(df.columns) == set(sol.endpoints)
    values = sol.values("collagen_density")[:, list(sol.times).index(30.0)]
    np.testing.assert_array_equal(df.xs(30.0, level="time")["collagen_density"].values, values)
    assert len(sol.to_dataframe()) == 4 * len(sol.times)


def test_html_reprs_show_what_was_simulated():
    sol = dermasim.simulate("1 x microneedling 1 mm", days=30, draws=4)
    html = sol._repr_html_()
    assert "1 x microneedling 1 mm" in html and "<th>day 30</th>" in html
    assert "not medical advice" in html
    protocol = dermasim.Protocol.parse("2 x pn every 14 days")
    assert "days 0, 14" in protocol._repr_html_()
    assert "1.98 mm" in dermasim.Patient()._repr_html_()
