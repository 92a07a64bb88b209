"""Kernel rules about matrices and polynomials (no loss needed).

- :func:`rank_is`: exact rank of a matrix whose entries are rational
  functions of symbols, over the field of rational functions (the *generic*
  rank; an identity in the symbols, no sampling);
- :func:`identity`: ``lhs == rhs`` as an identity of rational functions,
  decided by exact expansion;
- :func:`determinant_is`: a determinant, computed here, equals a claimed
  expression (an identity).
"""
from __future__ import annotations

import sympy
from sympy.polys.matrices import DomainMatrix

from .verdict import REFUTED, VERIFIED, Verdict


def rank_is(matrix: sympy.Matrix, claimed: int, assume_nonzero=()) -> Verdict:
    """The generic rank of ``matrix`` (entries rational in its symbols)."""
    from .verdict import INCONCLUSIVE
    M = sympy.Matrix(matrix)
    dM = DomainMatrix.from_Matrix(M)
    if dM.domain.is_EX:       # zero tests would rest on simplification: not a proof
        return Verdict(INCONCLUSIVE, "entries are not rational functions of the symbols over an exact field",
                       {"matrix": str(M.tolist())})
    dM = dM.convert_to(dM.domain.get_field())
    r = dM.rank()
    ev = {"matrix": str(M.tolist()), "rank": r, "domain": str(dM.domain)}
    if r == claimed:
        return Verdict(VERIFIED, f"rank {r} over {dM.domain} (exact)", ev)
    return Verdict(REFUTED, f"rank is {r}, not {claimed} (exact, over {dM.domain})", ev)


def identity(lhs, rhs) -> Verdict:
    """``lhs == rhs`` for all values of the symbols (exact expansion)."""
    from ..fields import Field, FieldError
    from .verdict import INCONCLUSIVE
    if isinstance(lhs, (list, tuple, sympy.MatrixBase)):
        left, right = list(sympy.Matrix(lhs)), list(sympy.Matrix(rhs))
        if len(left) != len(right):
            return Verdict(REFUTED, f"shapes differ: {len(left)} vs {len(right)} entries", {})
        parts = [identity(a, b) for a, b in zip(left, right)]
        for status in (REFUTED, INCONCLUSIVE):
            bad = [(i, v) for i, v in enumerate(parts) if v.status == status]
            if bad:
                i, v = bad[0]
                return Verdict(status, f"entry {i + 1}: {v.reason}", v.evidence)
        return Verdict(VERIFIED, f"identity in all {len(parts)} entries", {"lhs": str(lhs), "rhs": str(rhs)})
    diff = sympy.together(sympy.expand(sympy.sympify(lhs) - sympy.sympify(rhs)))
    num, _ = sympy.fraction(diff)
    num = sympy.expand(num)
    ev = {"lhs": str(lhs), "rhs": str(rhs)}
    if num == 0:
        return Verdict(VERIFIED, "identity: lhs - rhs expands to 0", ev)
    ev["difference"] = str(num)
    syms = sorted(num.free_symbols, key=str)
    if syms and not num.is_polynomial(*syms):
        return Verdict(INCONCLUSIVE, "lhs - rhs is not a rational function of the symbols: no exact decision", ev)
    coeffs = sympy.Poly(num, *syms).coeffs() if syms else [num]
    try:
        F = Field.for_numbers(coeffs)
        nonzero = [c for c in coeffs if F(c)]
    except (FieldError, sympy.polys.polyerrors.CoercionFailed, ValueError):
        return Verdict(INCONCLUSIVE, "coefficients are not algebraic numbers: no exact decision", ev)
    if not nonzero:
        return Verdict(VERIFIED, "identity: every coefficient of lhs - rhs is exactly 0", ev)
    ev["nonzero_coefficient"] = str(nonzero[0])
    return Verdict(REFUTED, "not an identity: lhs - rhs is a polynomial with a non-zero coefficient", ev)


def inequality(lhs, rhs, certificate=(), counterexample=None, strict=False) -> Verdict:
    """``lhs >= rhs`` (``>`` when ``strict``) for all real values of the symbols.
    Without symbols the exact sign of lhs - rhs decides.

    Verified from a certificate ``[(c, s), ...]`` with numbers c >= 0 and
    lhs - rhs = sum c * s**2 exactly (checked by expansion); refuted by a
    ``counterexample`` (a mapping symbol -> number) where lhs < rhs exactly;
    otherwise inconclusive. A certificate that does not match proves nothing.
    """
    from ..fields import Field
    from .verdict import INCONCLUSIVE
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)
    ev = {"lhs": str(lhs), "rhs": str(rhs)}
    gap = sympy.nsimplify(lhs - rhs)
    if not gap.free_symbols:                  # numbers: decide the sign exactly
        F = Field.for_numbers([gap])
        s = F.sign(F(gap))
        ev["lhs - rhs"] = str(gap)
        op = ">" if strict else ">="
        if s > 0 or (s == 0 and not strict):
            return Verdict(VERIFIED, f"lhs {op} rhs: lhs - rhs = {gap} (exact)", ev)
        return Verdict(REFUTED, f"not lhs {op} rhs: lhs - rhs = {gap} (exact)", ev)
    if strict:
        return Verdict(INCONCLUSIVE, "strict inequalities are decided for numbers only", ev)
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


def determinant_is(matrix, claimed) -> Verdict:
    """det(matrix) == claimed as an identity (the determinant is computed
    here, exactly, over the polynomial ring of the entries' symbols)."""
    from .verdict import INCONCLUSIVE
    dM = DomainMatrix.from_Matrix(sympy.Matrix(matrix))
    if dM.domain.is_EX:
        return Verdict(INCONCLUSIVE, "entries are not polynomials over an exact field", {})
    det = dM.domain.to_sympy(dM.det())
    v = identity(det, claimed)
    return Verdict(v.status, f"det = {det if len(str(det)) < 80 else '(expanded, see evidence)'}: {v.reason}",
                   {"determinant": str(det), **v.evidence})
