"""Monotone paths: the loss is non-increasing along a polynomial path.

For a network whose loss is a polynomial of degree D in the parameters and
a path theta(t) = sum_k t^k c_k of degree m, L(theta(t)) is a polynomial of
degree <= D m in t, computed exactly by Taylor propagation to that order.
Its derivative is decided on [a, b] by exact real-root isolation (Sturm):
<= 0 between every pair of consecutive roots means non-increasing.
"""
from __future__ import annotations

import sympy

from ..compiler import Loss
from .symmetry import polynomial_degree
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict, loss_rule


def loss_along(loss: Loss, path) -> sympy.Poly | None:
    """L(theta(t)) as an exact polynomial in t, for a path given as
    coefficient vectors [c0, c1, ..., cm] (field elements)."""
    D = polynomial_degree(loss)
    if D is None:
        return None
    order = D * (len(path) - 1)
    coeffs = loss.taylor(path[0], list(path[1:]), order)
    t = sympy.Symbol("t")
    return sympy.Poly(sum(loss.field.to_sympy(c) * t ** k for k, c in enumerate(coeffs)), t)


@loss_rule
def non_increasing(loss: Loss, path, a=0, b=1) -> Verdict:
    """``L(theta(t))`` is non-increasing for t in [a, b]."""
    if not loss.field.is_rational:
        return Verdict(INCONCLUSIVE, "monotone paths are decided over the rationals only")
    p = loss_along(loss, path)
    if p is None:
        return Verdict(INCONCLUSIVE, "the loss is not a polynomial in the parameters")
    a, b = sympy.Rational(a), sympy.Rational(b)
    dp = p.diff()
    ev = {"loss_along_path": str(p.as_expr()), "derivative": str(dp.as_expr()), "interval": [str(a), str(b)]}
    if dp.is_zero:
        return Verdict(VERIFIED, "the loss is constant along the path", ev)
    cuts = sorted({x for (lo, hi), _ in dp.intervals() for x in (lo, hi) if a < x < b} | {a, b})
    # dp has constant sign between consecutive real roots; the isolating-interval endpoints and
    # midpoints between cuts sample every sign region of (a, b).
    samples = sorted(set(cuts) | {(x + y) / 2 for x, y in zip(cuts, cuts[1:])})
    for x in samples:
        if dp.eval(x) > 0:
            ev["increasing_at"] = str(x)
            return Verdict(REFUTED, f"dL/dt = {dp.eval(x)} > 0 at t = {x}", ev)
    return Verdict(VERIFIED, "dL/dt <= 0 on the whole interval (exact root isolation)", ev)
