"""Plan a course for one patient: the screen, two baselines and the short list.

A 52-year-old woman who smokes asks about fine lines on her neck. The planner screens her
(smoking is a caution), searches the usual course space on the same parameter draws, and
compares every course with no treatment and with the standard needling course, and writes
the plan report to hand over. A second
patient, 60, asks about the skin around her eyes: her skin there is about 1.1 mm, so a
3 mm needle is refused, with the site's thickness in the reason.
"""

from _common import output_folder

import dermasim
from dermasim.plan import plan, screen_courses
from dermasim.protocol import Protocol
from dermasim.report import write_plan_report

neck = dermasim.Patient(age=52, sex="female", site="neck", smoker=True)
result = plan(neck, "fine_lines", max_downtime_days=6, draws=100, seed=0)
data = result.to_json_dict()
print(neck.describe(), "- concern: fine lines; collagen density (%) at 12 months")
for row in data["screen"]:
    print(f"  screen {row['treatment']}: {row['status']} {'; '.join(row['reasons'])}")
for base in data["baselines"]:
    g = base["gain"]
    interval = f"{g['median']:.1f} [{g['p05']:.1f}, {g['p95']:.1f}]"
    print(f"  {base['name']:>12}: {base['protocol']}: {interval}")
for row in data["plans"]:
    g, vs = row["gain"], row["vs_standard"]
    tied = row["rank"] > 1 and row["indistinguishable_from_best"]
    tie = " (cannot be told apart from plan 1)" if tied else ""
    print(
        f"  plan {row['rank']}: {row['protocol']}: {g['median']:.1f} [{g['p05']:.1f}, "
        f"{g['p95']:.1f}], {row['sessions']} sessions, {row['downtime_days']['median']:.1f} "
        f"days of downtime each, P(better than standard) {vs['p_better']:.2f}{tie}"
    )

report = write_plan_report(result, output_folder() / "plan.html")
print("wrote", report, "(one HTML file: open it in a browser, print it to PDF)")

eye = dermasim.Patient(age=60, sex="female", site="periorbital")
verdict = screen_courses(eye, Protocol.parse("1 x microneedling 3 mm").courses)
print(eye.describe(), "-", verdict.summary())
