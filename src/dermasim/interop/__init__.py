"""Interoperability: dermasim's model as SBML and its calibration problem as PEtab.

- :mod:`~dermasim.interop.sbml` (with :mod:`~dermasim.interop.sbml_formulas`): the model, a
  course and a patient as an SBML document, for libroadrunner, AMICI or COPASI;
- :mod:`~dermasim.interop.petab_export`: the calibration problem as a PEtab v1 problem.

Both sit above :mod:`dermasim.calibration`, whose evidence and likelihood they export;
calibration itself holds evidence, likelihood, inference and validation only.
"""

from .petab_export import export_petab

__all__ = ["export_petab"]
