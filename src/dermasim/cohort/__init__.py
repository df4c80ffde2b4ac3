"""Virtual populations, trials, sensitivity and distributed runs (above :mod:`simulation`).

- :mod:`~dermasim.cohort.population`: :class:`Cohort` (covariate distributions and
  between-patient variability) and :class:`VirtualPopulation` (drawn or from a CSV table);
- :mod:`~dermasim.cohort.engine` and :mod:`~dermasim.cohort.run`: :func:`run_cohort`, chunked,
  resumable, serial or on Dask (:mod:`~dermasim.cohort.distributed`);
- :mod:`~dermasim.cohort.trial`: :class:`Trial`, effects, power and sample size;
- :mod:`~dermasim.cohort.paired`: two courses for one patient on paired draws;
- :mod:`~dermasim.cohort.sensitivity`: Sobol indices and Morris screening (SALib).
"""

from .paired import PairedDifference, paired_difference
from .population import Cohort, CohortError, VirtualPopulation
from .run import CohortResult, plan_cohort, run_cohort
from .sensitivity import SensitivityResult, model_sensitivity
from .trial import Trial, TrialResult

__all__ = [
    "Cohort",
    "CohortError",
    "CohortResult",
    "PairedDifference",
    "SensitivityResult",
    "Trial",
    "TrialResult",
    "VirtualPopulation",
    "model_sensitivity",
    "paired_difference",
    "plan_cohort",
    "run_cohort",
]
