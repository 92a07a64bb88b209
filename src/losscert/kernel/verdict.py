"""Verdicts: the only outputs of the kernel."""
from __future__ import annotations

from dataclasses import dataclass, field

VERIFIED, REFUTED, INCONCLUSIVE = "verified", "refuted", "inconclusive"
STATUSES = (VERIFIED, REFUTED, INCONCLUSIVE)


@dataclass(frozen=True)
class Verdict:
    """``status`` is verified, refuted or inconclusive; ``reason`` one line;
    ``evidence`` JSON-ready data a reader can check by hand."""
    status: str
    reason: str
    evidence: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"verdict": self.status, "reason": self.reason, "evidence": self.evidence}


def guarded(rule, *args) -> Verdict:
    """Apply a kernel rule; a failed self-check or an input the rule cannot
    read gives ``inconclusive`` with the reason, never a verdict."""
    try:
        return rule(*args)
    except AssertionError as exc:
        return Verdict(INCONCLUSIVE, f"internal self-check failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure must end as inconclusive, not a traceback
        return Verdict(INCONCLUSIVE, f"could not be checked: {type(exc).__name__}: {exc}")
