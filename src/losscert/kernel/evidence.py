"""Small helpers of the kernel's evidence: vectors as text, an exact drop of
L along a curve, constant terms of ring elements (shared by decide and kinks)."""
from __future__ import annotations

import sympy

from ..activations import NotExact


def _vec(F, v) -> list[str]:
    return [F.show(x) for x in v]


def _exact_drop(loss, theta, curve_dirs, L0) -> dict | None:
    """A rational t = 2^-k (k <= 40) with L(curve(t)) < L(theta), as an
    illustration of the expansion (the expansion itself is the proof)."""
    F = loss.field
    for k in range(1, 41):
        t = F(sympy.Rational(1, 2 ** k))
        pt = list(theta)
        tp = F.one
        for d in curve_dirs:
            tp = tp * t
            pt = [a + tp * b for a, b in zip(pt, d)]
        try:
            val = loss.value(pt, raw=True)
        except NotExact:            # off the point, values may be transcendental
            return None
        if F.compare(val, L0) < 0:
            return {"t": F.show(t), "loss_at_t": F.show(val)}
    return None


def _constant_term(R, F):
    zero_monom = R.zero_monom

    def base(p):
        return p.get(zero_monom, F.zero) if p else F.zero
    return base
