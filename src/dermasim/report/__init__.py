"""Reports: one self-contained HTML file (Jinja2 templates, figures embedded).

>>> from dermasim.report import write_plan_report   # doctest: +SKIP
>>> write_plan_report(dermasim.plan(patient, "fine_lines"), "out/plan.html")  # doctest: +SKIP

Needs matplotlib for the figures (``pip install "dermasim[plot]"``) and Jinja2.
"""

from .plan_report import SECTIONS, plan_report_html, write_plan_report

__all__ = ["SECTIONS", "plan_report_html", "write_plan_report"]
