"""Proposers for constructions in the papers (untrusted: the kernel checks
whatever they produce).

>>> y, v = basin_data("poly(1, 1, 1)", [1, 2, 3], 0, 10, digits=10)
>>> y, v
(['-9', '21', '-9'], 1)
"""
from __future__ import annotations

import mpmath
import sympy

from .. import intervals as iv
from ..activations import _mp, activation
from ..kernel.assumptions import basin_target
from ..numbers import parse_number


def basin_data(act, x, w, M, digits: int = 50) -> tuple[list[str], int]:
    """Output data y of li-ding-sun Proposition 4's construction (one neuron,
    three samples), each entry rounded to ``digits`` significant digits, and v."""
    with iv.precision(digits + 10):
        y, _, v = basin_target(act, x, w, M)
        return [_decimal(iv.mid(t), digits) for t in y], v


def _decimal(q: sympy.Rational, digits: int) -> str:
    if q.is_Integer:
        return str(q)
    with mpmath.workdps(digits + 10):
        text = mpmath.nstr(mpmath.mpf(q.p) / q.q, digits, strip_zeros=True)
    return text[:-2] if text.endswith(".0") else text


def best_single_neuron(act, x, y, candidates) -> dict:
    """Least squares over v for each candidate weight w of a one-neuron
    network (output v sigma(w x)); the (w, v, loss) with the smallest loss,
    as 12-digit decimals (a proposal for a lower-loss witness)."""
    act = activation(act)
    best = None
    with mpmath.workdps(30):
        xs = [_mp(parse_number(t)) for t in x]
        ys = [_mp(parse_number(t)) for t in y]
        for w in candidates:
            w = _mp(parse_number(w))
            z = [act.mp_taylor(w * t, 0)[0] for t in xs]
            zz = mpmath.fsum(a * a for a in z)
            if not zz:
                continue
            v = mpmath.fsum(a * b for a, b in zip(z, ys)) / zz
            loss = mpmath.fsum((v * a - b) ** 2 for a, b in zip(z, ys))
            if best is None or loss < best[2]:
                best = (w, v, loss)
    w, v, loss = best
    return {"w": mpmath.nstr(w, 12), "v": mpmath.nstr(v, 12), "loss": mpmath.nstr(loss, 12)}
