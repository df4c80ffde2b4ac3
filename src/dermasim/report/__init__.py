"""Reports: one self-contained HTML file (Jinja2 templates, figures embedded).

>>> from dermasim.report import write_comparison_report, write_plan_report  # doctest: +SKIP
>>> write_plan_report(dermasim.plan(patient, "fine_lines"), "out/plan.html")  # doctest: +SKIP
>>> write_comparison_report(dermasim.compare_protocols(["none", "pn-standard"]), "out/c.html")
... # doctest: +SKIP

Needs matplotlib for the figures (``pip install "dermasim[plot]"``) and Jinja2.
"""

from .comparison_report import COURSE_SECTIONS, comparison_report_html, write_comparison_report
from .plan_report import SECTIONS, plan_report_html, write_plan_report

__all__ = [
    "COURSE_SECTIONS",
    "SECTIONS",
    "comparison_report_html",
    "plan_report_html",
    "write_comparison_report",
    "write_plan_report",
]
