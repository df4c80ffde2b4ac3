"""Sobol indices of collagen density at day 180 of the standard microneedling course.

Every model parameter varies over its prior (independently); ``n = 128`` base samples cost
``128 * (k + 2)`` simulations for ``k`` parameters. S1 is the share of the variance a
parameter explains alone, ST its share with all its interactions; each with the half-width
of a bootstrap 95% interval. At this small ``n`` the intervals are wide.
"""

import time

from _common import output_folder

from dermasim.cohort import model_sensitivity


def main() -> None:
    start = time.perf_counter()
    result = model_sensitivity(
        "microneedling-4-monthly",
        endpoint="collagen_density",
        day=180,
        method="sobol",
        parameters="prior",
        n=128,
        seed=0,
    )
    seconds = time.perf_counter() - start
    data = result.to_json_dict(top=10)
    target = data["target"]
    print(
        f"Sobol indices of {target['endpoint']} ({target['unit']}) at day {target['t_days']:g}, "
        f"{target['protocol']}"
    )
    print(
        f"{len(result.names)} parameters over their priors, {data['evaluations']} simulations "
        f"({seconds:.1f} s); top 10 by total index"
    )
    print(f"{'parameter':<32} {'S1 [95% interval]':>22} {'ST [95% interval]':>22}")
    for row in data["indices"]:
        cells = [
            f"{row[key]:.3f} [{row[key] - row[key + '_conf']:.3f}, "
            f"{row[key] + row[key + '_conf']:.3f}]"
            for key in ("S1", "ST")
        ]
        print(f"{row['parameter']:<32} {cells[0]:>22} {cells[1]:>22}")

    import matplotlib.pyplot as plt

    path = output_folder() / "sobol_table.png"
    plt.close(result.plot(top=10, path=path))
    print(f"wrote {path.name}")
    print("dermasim is a research and planning aid, not medical advice.")


if __name__ == "__main__":
    main()
