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
