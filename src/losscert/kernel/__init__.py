"""The trusted kernel: the only place where verdicts are decided.

Proof scripts and claim files propose points, directions and witnesses; the
functions here check them with exact arithmetic (or rigorous Arb
enclosures, :mod:`.rigorous`, where values are transcendental) and return a
:class:`Verdict` with evidence.
"""
from .decide import (analyse, critical_point, effective, hessian_psd, local_minimum, loss_value, not_global, saddle,
                     spurious_local_minimum, strict_local_minimum)
from . import parametric, rigorous  # noqa: F401 - parametric installs the rules for symbolic losses
from .rigorous import local_minimum_near
from .verdict import INCONCLUSIVE, REFUTED, STATUSES, VERIFIED, Verdict, guarded

__all__ = ["Verdict", "guarded", "VERIFIED", "REFUTED", "INCONCLUSIVE", "STATUSES", "analyse", "critical_point",
           "effective", "hessian_psd", "local_minimum", "loss_value", "not_global", "saddle", "spurious_local_minimum",
           "strict_local_minimum", "local_minimum_near", "rigorous"]
