"""Positivity of polynomials in several symbols: exact Gram certificates.

A polynomial p with rational coefficients is a sum of squares when
p = m^T Q m for the vector m of monomials of degree <= deg(p)/2 and a
positive semidefinite Q. The search for Q is numerical (an SDP, solved by
cvxpy with Clarabel or SCS: the optional extra ``losscert[sos]``); the
certificate is exact (Peyrl and Parrilo, 2008): Q is rounded to rationals
and projected orthogonally onto the affine space {Q : m^T Q m = p} (for
each monomial of p, the entries whose monomials multiply to it are shifted
by the same amount), then proven positive definite by exact elimination
(:func:`~losscert.kernel.linalg.psd_pivots`). A positive definite Q gives
p(x) >= lambda_min(Q) |m(x)|^2 >= lambda_min(Q) > 0 for every real x (m
contains the monomial 1), so it proves the strict inequality p > 0.

One symbol needs no solver: p > 0 on R exactly when p has no real root
(Sturm, :meth:`sympy.Poly.count_roots`) and p(0) > 0; p >= 0 when every
real root has even multiplicity and the leading coefficient is positive.

>>> x, y = sympy.symbols("x y")
>>> positive(x**2 + 2 - 2*x, strict=True)[0]
'verified'
>>> positive(x**2 - 2*x + 1, strict=True)[:2]
('refuted', 'lhs - rhs = 0 at x = 1')
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import sympy
from sympy import QQ

MAX_GRAM = 36             # monomials in the Gram basis (Q is MAX_GRAM x MAX_GRAM)
DENOMINATOR = 10 ** 8     # rounding of the numerical Gram matrix
SOS_EXTRA = "the numeric SOS proposer needs the optional extra losscert[sos] (cvxpy and clarabel)"


def positive(p: sympy.Expr, strict: bool) -> tuple[str, str, dict | None]:
    """(status, reason, certificate) for p > 0 (``strict``) or p >= 0 at every
    real value of its symbols; status is 'verified', 'refuted' (one symbol: an
    exact rational counterexample) or 'inconclusive'."""
    symbols = sorted(p.free_symbols, key=sympy.default_sort_key)
    try:
        poly = sympy.Poly(sympy.expand(p), *symbols, domain=QQ)
    except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed):
        return "inconclusive", "lhs - rhs is not a polynomial with rational coefficients in the symbols", None
    if len(symbols) == 1:
        return _one_symbol(poly, strict, p)
    return _gram(poly, symbols, strict)


_RESTRICTING = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer", "rational", "zero")


def _counterexample(poly: sympy.Poly, strict: bool, original=None):
    """A rational x with p(x) < 0 (<= 0 when strict) among exact rational roots
    and points between the isolating intervals of the real roots, or None;
    only for a symbol without sign or integrality assumptions. With ``original``
    (p as written, before expansion) the value is taken there: a point where it
    is undefined ((x**3 + x**5)/x at x = 0) is no counterexample."""
    sym = poly.gens[0]
    if any(sym.assumptions0.get(k) for k in _RESTRICTING):
        return None
    bounds = [iv for iv, _ in poly.intervals()]
    points = [a for a, b in bounds if a == b] if strict else []
    for i, (a, b) in enumerate(bounds):
        points.append(a - 1 if i == 0 else (bounds[i - 1][1] + a) / 2)
    if bounds:
        points.append(bounds[-1][1] + 1)
    for x in points:
        v = poly.eval(x) if original is None else sympy.sympify(original).subs(sym, x)
        if not v.is_Rational:          # a pole (or 0/0) of the expression as written
            continue
        if v < 0 or (strict and v == 0):
            return x, v
    return None


def _one_symbol(poly: sympy.Poly, strict: bool, original=None):
    found = _counterexample(poly, strict, original)
    if found is not None:
        x, v = found
        return "refuted", f"lhs - rhs = {v} at {poly.gens[0]} = {x}", {"kind": "counterexample",
                                                                     "at": {str(poly.gens[0]): str(x)}}
    lead = poly.LC()
    if strict:
        if poly.count_roots() == 0 and poly.eval(0) > 0:
            return "verified", f"lhs - rhs has no real root (Sturm) and is {poly.eval(0)} > 0 at 0", \
                {"kind": "sturm_positive", "polynomial": str(poly.as_expr())}
        return "inconclusive", "lhs - rhs has a real root (Sturm) or is not positive", None
    odd = [f for f, k in poly.sqf_list()[1] if k % 2]
    if lead > 0 and all(f.count_roots() == 0 for f in odd):
        return "verified", "every real root of lhs - rhs has even multiplicity and its leading coefficient is " \
                           "positive (square-free decomposition, Sturm)", \
            {"kind": "sturm_nonnegative", "polynomial": str(poly.as_expr())}
    return "inconclusive", "lhs - rhs changes sign or its sign is not decided (Sturm)", None


def monomial_basis(poly: sympy.Poly) -> list[tuple]:
    """Exponent tuples of degree <= deg/2 inside half the Newton polytope's box."""
    n = len(poly.gens)
    degs = [max((m[i] for m in poly.monoms()), default=0) // 2 for i in range(n)]
    top = poly.total_degree() // 2
    return [e for e in itertools.product(*(range(d + 1) for d in degs)) if sum(e) <= top]


def _gram(poly: sympy.Poly, symbols, strict: bool):
    if poly.total_degree() % 2:
        return "inconclusive", "lhs - rhs has odd degree: not a sum of squares", None
    basis = monomial_basis(poly)
    if len(basis) > MAX_GRAM:
        return "inconclusive", f"the Gram matrix would have {len(basis)} rows (limit {MAX_GRAM})", None
    try:
        Q = _propose(poly, basis)
    except ImportError:
        return "inconclusive", SOS_EXTRA, None
    if Q is None:
        return "inconclusive", "the SDP found no positive definite Gram matrix", None
    exact = project(round_matrix(Q), poly, basis)
    if not positive_definite(exact):
        return "inconclusive", "the rounded and projected Gram matrix is not positive definite", None
    names = [str(sympy.Mul(*[s ** e for s, e in zip(symbols, m)])) for m in basis]
    how = "> 0" if strict else ">= 0"
    return "verified", (f"lhs - rhs = m^T Q m {how} with Q positive definite (exact Gram certificate, "
                        f"{len(basis)} monomials; numerical SDP, rounded and projected)"), \
        {"kind": "sos_gram", "monomials": names, "gram": [[str(x) for x in row] for row in exact]}


def _propose(poly: sympy.Poly, basis):
    """A float Gram matrix with m^T Q m = p and Q - t I PSD, t maximised (None if t <= 0)."""
    import cvxpy as cp
    import numpy as np
    n = len(basis)
    Q = cp.Variable((n, n), symmetric=True)
    t = cp.Variable()
    classes: dict = {}
    for i, a in enumerate(basis):
        for j, b in enumerate(basis):
            classes.setdefault(tuple(x + y for x, y in zip(a, b)), []).append((i, j))
    coeffs = {m: float(c) for m, c in zip(poly.monoms(), poly.coeffs())}
    if any(m not in classes for m in coeffs):
        return None
    cons = [Q - t * np.eye(n) >> 0, t <= 1]
    cons += [sum(Q[i, j] for i, j in cells) == coeffs.get(m, 0.0) for m, cells in classes.items()]
    prob = cp.Problem(cp.Maximize(t), cons)
    for solver in ("CLARABEL", "SCS"):
        try:
            prob.solve(solver=solver)
            break
        except (cp.error.SolverError, ValueError):
            continue
    if Q.value is None or t.value is None or t.value <= 0:
        return None
    return Q.value


def round_matrix(Q) -> list[list[Fraction]]:
    """Q rounded to rationals with denominator DENOMINATOR, symmetrised."""
    n = len(Q)
    return [[Fraction(round((Q[i][j] + Q[j][i]) / 2 * DENOMINATOR), DENOMINATOR) for j in range(n)]
            for i in range(n)]


def project(Q: list, poly: sympy.Poly, basis) -> list[list[Fraction]]:
    """The orthogonal projection of Q onto {Q : m^T Q m = poly} (exact)."""
    classes: dict = {}
    for i, a in enumerate(basis):
        for j, b in enumerate(basis):
            classes.setdefault(tuple(x + y for x, y in zip(a, b)), []).append((i, j))
    coeffs = {m: Fraction(int(c.p), int(c.q)) for m, c in zip(poly.monoms(), poly.coeffs())}
    out = [list(row) for row in Q]
    for m, cells in classes.items():
        gap = (coeffs.get(m, Fraction(0)) - sum(out[i][j] for i, j in cells)) / len(cells)
        for i, j in cells:
            out[i][j] += gap
    return out


def positive_definite(Q: list) -> bool:
    """Q is positive definite, decided exactly (leading principal minors by fraction-free elimination)."""
    A = [list(row) for row in Q]
    n = len(A)
    for k in range(n):
        if A[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = A[i][k] / A[k][k]
            if f:
                A[i] = [a - f * b for a, b in zip(A[i], A[k])]
    return True


def check_gram(poly: sympy.Expr, monomials: list, gram: list) -> bool:
    """Re-check a Gram certificate: m^T Q m == poly exactly and Q positive definite."""
    m = sympy.Matrix([sympy.sympify(x) for x in monomials])
    Q = sympy.Matrix([[sympy.Rational(x) for x in row] for row in gram])
    return sympy.expand((m.T * Q * m)[0] - poly) == 0 and Q.is_symmetric() and \
        positive_definite([[Fraction(int(x.p), int(x.q)) for x in row] for row in Q.tolist()])
