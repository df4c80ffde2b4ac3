"""A two-arm parallel-group trial built in Python: effect, one simulated trial, power curve.

Microneedling (four monthly sessions) against no treatment, collagen density at day 180.
A measurement error (``measurement_sd``) and some between-patient variability are set, so
the power curve is not the optimistic one of patients who differ only in covariates.
"""

from _common import output_folder

from dermasim.cohort import Cohort
from dermasim.cohort.trial import Arm, Trial, TrialEndpoint
from dermasim.protocol import Protocol


def main() -> None:
    trial = Trial(
        arms=(
            Arm("microneedling", Protocol.load("microneedling-4-monthly"), n=30),
            Arm("no treatment", Protocol.load("no-treatment"), n=30),
        ),
        endpoint=TrialEndpoint(
            name="collagen_density",
            day=180,
            better="higher",
            responder_threshold=10.0,  # % increase counted as a response (illustrative)
            measurement_sd=20.0,  # percentage points, per measurement (assumed)
        ),
        cohort=Cohort(variability={"fibroblast_activation_rate": 0.3}),
        control="no treatment",
        draws=40,
        replicates=200,
        power_n=(10, 20, 30, 40, 60, 80, 100),
        seed=0,
        name="microneedling against no treatment",
    )
    result = trial.run()
    data = result.to_json_dict()
    unit = data["endpoint"]["unit"]
    c = data["comparisons"]["microneedling"]
    effect, one = c["population_effect"], c["one_trial"]
    print(f"{data['name']}: {data['endpoint']['name']} ({unit}) at day 180")
    print(f"{trial.draws} posterior draws, pool of {trial.pool} virtual patients per arm")
    print(
        f"population effect, median [5%, 95%] over draws: {effect['median']:.1f} "
        f"[{effect['p05']:.1f}, {effect['p95']:.1f}] {unit}"
    )
    print(
        f"one simulated trial, {one['n_per_arm']} vs {one['n_control']}: difference "
        f"{one['difference']:.1f} {unit}, 95% CI [{one['ci95'][0]:.1f}, {one['ci95'][1]:.1f}], "
        f"p = {one['p_value']:.2g}"
    )
    print(f"probability of success at 30 per arm: {c['probability_of_success']:.2f}")
    rr = c["responder_rate"]
    print(
        f"responders (beyond {rr['threshold']:g} {unit}), median over draws: "
        f"arm {rr['arm']['median']:.2f}, control {rr['control']['median']:.2f}"
    )
    print("per arm  power  power given the parameters, median [5%, 95%]")
    for row in c["power_curve"]:
        cp = row["conditional_power"]
        print(
            f"{row['n_per_arm']:>7}  {row['power']:.3f}  "
            f"{cp['median']:.2f} [{cp['p05']:.2f}, {cp['p95']:.2f}]"
        )
    for note in data["notes"]:
        print("note:", note)

    import matplotlib.pyplot as plt

    path = output_folder() / "trial_power.png"
    plt.close(result.plot(path=path))
    print(f"wrote {path.name}")
    print("dermasim is a research and planning aid, not medical advice.")


if __name__ == "__main__":
    main()
