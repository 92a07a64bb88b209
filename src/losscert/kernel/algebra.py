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
