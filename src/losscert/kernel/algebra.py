"""Kernel rules about matrices and polynomials (no loss needed).

- :func:`rank_is`: exact rank of a matrix whose entries are rational
  functions of symbols, over the field of rational functions (the *generic*
  rank; an identity in the symbols, no sampling);
- :func:`identity`: ``lhs == rhs`` as an identity of rational functions,
  decided by exact expansion.
"""
from __future__ import annotations

import sympy
from sympy.polys.matrices import DomainMatrix

from .verdict import REFUTED, VERIFIED, Verdict


def rank_is(matrix: sympy.Matrix, claimed: int, assume_nonzero=()) -> Verdict:
    """The generic rank of ``matrix`` (entries rational in its symbols)."""
    M = sympy.Matrix(matrix)
    dM = DomainMatrix.from_Matrix(M)
    dM = dM.convert_to(dM.domain.get_field())
    r = dM.rank()
    ev = {"matrix": str(M.tolist()), "rank": r, "domain": str(dM.domain)}
    if r == claimed:
        return Verdict(VERIFIED, f"rank {r} over {dM.domain} (exact)", ev)
    return Verdict(REFUTED, f"rank is {r}, not {claimed} (exact, over {dM.domain})", ev)


def identity(lhs, rhs) -> Verdict:
    """``lhs == rhs`` for all values of the symbols (exact expansion)."""
    diff = sympy.together(sympy.expand(sympy.sympify(lhs) - sympy.sympify(rhs)))
    num, _ = sympy.fraction(diff)
    num = sympy.expand(num)
    ev = {"lhs": str(lhs), "rhs": str(rhs)}
    if num == 0:
        return Verdict(VERIFIED, "identity: lhs - rhs expands to 0", ev)
    ev["difference"] = str(num)
    return Verdict(REFUTED, "not an identity: lhs - rhs expands to a non-zero expression", ev)


def inequality(lhs, rhs, certificate=(), counterexample=None) -> Verdict:
    """``lhs >= rhs`` for all real values of the symbols.

    Verified from a certificate ``[(c, s), ...]`` with numbers c >= 0 and
    lhs - rhs = sum c * s**2 exactly (checked by expansion); refuted by a
    ``counterexample`` (a mapping symbol -> number) where lhs < rhs exactly;
    otherwise inconclusive. A certificate that does not match proves nothing.
    """
    from .verdict import INCONCLUSIVE
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)
    ev = {"lhs": str(lhs), "rhs": str(rhs)}
    if counterexample:
        subs = {sympy.Symbol(str(k)) if not isinstance(k, sympy.Symbol) else k: sympy.nsimplify(v)
                for k, v in counterexample.items()}
        gap = sympy.nsimplify(sympy.expand((lhs - rhs).subs(subs)))
        if gap.is_number and gap.is_real and bool(gap < 0):
            ev.update({"counterexample": {str(k): str(v) for k, v in subs.items()}, "lhs - rhs": str(gap)})
            return Verdict(REFUTED, f"lhs - rhs = {gap} < 0 at the counterexample", ev)
    if certificate:
        coeffs = [sympy.nsimplify(c) for c, _ in certificate]
        if not all(c.is_number and c.is_real and bool(c >= 0) for c in coeffs):
            return Verdict(INCONCLUSIVE, "certificate rejected: a coefficient is not a non-negative number", ev)
        sos = sum(c * sympy.sympify(s) ** 2 for c, (_, s) in zip(coeffs, certificate))
        rest = sympy.expand(lhs - rhs - sos)
        ev["certificate"] = str(sos)
        if rest == 0:
            return Verdict(VERIFIED, "lhs - rhs is a sum of squares with non-negative weights (exact expansion)", ev)
        ev["remainder"] = str(rest)
        return Verdict(INCONCLUSIVE, "certificate rejected: lhs - rhs - (sum of squares) does not expand to 0", ev)
    return Verdict(INCONCLUSIVE, "no certificate and no counterexample given", ev)
