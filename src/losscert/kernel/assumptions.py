"""Assumptions of the theorems about activations, decided exactly.

:func:`arithmetic_derivatives` is Assumption 2 of lin-sun-zhang (and of
li-ding-sun): sigma is analytic and has n distinct derivative orders
l_1 < ... < l_n in arithmetic progression with sigma^(l_i)(0) != 0.
"""
from __future__ import annotations

from ..activations import Activation, NonSmooth, activation
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict


def _progression(orders: list[int], n: int):
    """The first arithmetic progression of length n inside ``orders``."""
    present = set(orders)
    for i, start in enumerate(orders):
        for nxt in orders[i + 1:]:
            step = nxt - start
            if all(start + k * step in present for k in range(n)):
                return [start + k * step for k in range(n)]
    return [orders[0]] if n == 1 and orders else None


def arithmetic_derivatives(act: Activation | str, n: int, max_order: int = 24) -> Verdict:
    """Assumption 2 for ``n`` (exact derivatives at 0 up to ``max_order``)."""
    act = activation(act)
    if not act.properties["analytic"]:
        return Verdict(REFUTED, f"{act.spec} is not analytic", {"activation": act.spec})
    try:
        ders = act.derivatives_at_zero(max_order)
    except NonSmooth as exc:
        return Verdict(REFUTED, str(exc), {"activation": act.spec})
    # `is_zero is False` is SymPy's exact "provably non-zero"; `!=` would only compare structure
    orders = [k for k, d in enumerate(ders) if d.is_zero is False]
    ev = {"activation": act.spec, "nonzero_derivative_orders": orders,
          "derivatives_at_0": {k: str(ders[k]) for k in orders[:12]}}
    ap = _progression(orders, n)
    if ap is not None:
        ev["progression"] = ap
        return Verdict(VERIFIED, f"sigma^(l)(0) != 0 for l = {ap} (exact)", ev)
    poly = act.polynomial_coefficients
    if poly is not None and len(poly) - 1 <= max_order:
        return Verdict(REFUTED, f"a polynomial of degree {len(poly) - 1}: its non-zero derivatives at 0 are "
                                f"{orders}, which hold no arithmetic progression of length {n}", ev)
    return Verdict(INCONCLUSIVE, f"no progression of length {n} among the orders up to {max_order}", ev)
