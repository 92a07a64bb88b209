"""Exact linear algebra over a :class:`~losscert.fields.Field`.

Matrices are SymPy ``DomainMatrix`` objects; over QQ they run on FLINT when
python-flint is installed. The PSD test returns a certificate: either the
matrix is positive definite (block elimination with exact Schur complements)
or an explicit vector v with v^T S v < 0.

>>> from sympy import QQ
>>> from losscert.fields import Field
>>> F = Field(QQ)
>>> S = matrix([[1, 2], [2, 1]], F)
>>> v = negative_direction(S, F); quad(S, v, F) < 0
True
"""
from __future__ import annotations

from sympy.polys.matrices import DomainMatrix

from ..fields import Field


def matrix(rows, F: Field) -> DomainMatrix:
    rows = [[F(x) for x in r] for r in rows]
    n = len(rows)
    m = len(rows[0]) if rows else 0
    return DomainMatrix(rows, (n, m), F.domain).to_dense()


def column(v, F: Field) -> DomainMatrix:
    return DomainMatrix([[x] for x in v], (len(v), 1), F.domain).to_dense()


def matvec(M: DomainMatrix, v, F: Field) -> list:
    return [r[0] for r in (M * column(v, F)).to_list()]


def dot(u, v, F: Field):
    out = F.zero
    for a, b in zip(u, v):
        if a and b:
            out += a * b
    return out


def quad(S: DomainMatrix, v, F: Field):
    """v^T S v."""
    return dot(v, matvec(S, v, F), F)


def rref(M: DomainMatrix) -> tuple[list[list], tuple[int, ...]]:
    """Rows of the reduced row echelon form and the pivot columns. Over QQ
    with FLINT ground types this is python-flint's fmpq_mat.rref (about 10x
    faster than SymPy's own on a 300 x 300 Hessian); otherwise SymPy's."""
    dense = M.to_dense()
    flint_mat = getattr(dense.rep, "rep", None)
    if dense.domain.is_QQ and type(flint_mat).__name__ == "fmpq_mat":
        R, rank = flint_mat.rref()
        rows = R.tolist()
        pivots = tuple(next(j for j, x in enumerate(rows[i]) if x) for i in range(rank))
        return rows, pivots
    R, pivots = M.rref()
    return R.to_list(), pivots


def nullspace(M: DomainMatrix, F: Field) -> tuple[list[list], list[int]]:
    """An exact basis of ker M (one vector per free column of the RREF) and
    the pivot columns."""
    rows, pivots = rref(M)
    n = M.shape[1]
    pivset = set(pivots)
    basis = []
    for j in range(n):
        if j in pivset:
            continue
        v = [F.zero] * n
        v[j] = F.one
        for i, p in enumerate(pivots):
            v[p] = -rows[i][j]
        basis.append(v)
    return basis, list(pivots)


def _sharpen(S: DomainMatrix, v, F: Field):
    """Given v != 0 with v^T S v <= 0 and S v != 0, return w with w^T S w < 0."""
    q = quad(S, v, F)
    if F.sign(q) < 0:
        return v
    g = matvec(S, v, F)
    gg = dot(g, g, F)
    if not gg:
        return v
    gsg = quad(S, g, F)
    t = F.one if F.sign(gsg) <= 0 else gg / gsg
    return [a - t * b for a, b in zip(v, g)]


def negative_direction(S: DomainMatrix, F: Field):
    """None when the symmetric matrix S is positive definite; otherwise a
    vector v != 0 with v^T S v <= 0 (< 0 whenever S is nonsingular)."""
    n = S.shape[0]
    if n == 0:
        return None
    if n == 1:
        return None if F.sign(S.to_list()[0][0]) > 0 else [F.one]
    h = n // 2
    A = S.extract(range(h), range(h))
    x = negative_direction(A, F)
    if x is not None:
        return _sharpen(S, x + [F.zero] * (n - h), F)
    B = S.extract(range(h), range(h, n))
    C = S.extract(range(h, n), range(h, n))
    AinvB = A.lu_solve(B)
    T = C - B.transpose() * AinvB
    y = negative_direction(T, F)
    if y is None:
        return None
    top = [-a for a in matvec(AinvB, y, F)]
    return _sharpen(S, top + y, F)


def embed(v, pivots, n: int, F: Field) -> list:
    """A vector on the pivot coordinates as a vector of length n."""
    out = [F.zero] * n
    for x, p in zip(v, pivots):
        out[p] = x
    return out


def psd_certificate(H: DomainMatrix, F: Field):
    """(kernel basis, pivot columns, d): d is None when the symmetric H is
    positive semidefinite, else a vector with d^T H d < 0. H is PSD iff its
    principal block on a basis of its column space is positive definite."""
    kernel, pivots = nullspace(H, F)
    v = negative_direction(H.extract(pivots, pivots), F)
    return kernel, pivots, None if v is None else embed(v, pivots, H.shape[0], F)


def inertia(S: DomainMatrix, F: Field) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts of a symmetric matrix,
    exactly: Descartes' rule of signs is exact on the characteristic
    polynomial of a symmetric matrix (all its roots are real)."""
    n = S.shape[0]
    coeffs = S.charpoly()            # leading first
    low = list(reversed(coeffs))     # constant first
    zero = next(i for i, c in enumerate(low) if c)
    signs = [F.sign(c) for c in low[zero:] if c]
    pos = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
    return pos, n - pos - zero, zero


def solve_in_range(H: DomainMatrix, pivots, rhs_columns, F: Field) -> list[list]:
    """For symmetric H with pivot columns ``pivots`` (a basis of its column
    space) and right-hand sides in the range of H, solutions y of H y = b
    (zero off the pivots)."""
    n = H.shape[0]
    if not rhs_columns:
        return []
    S = H.extract(pivots, pivots)
    Bm = DomainMatrix([[b[p] for b in rhs_columns] for p in pivots], (len(pivots), len(rhs_columns)),
                      F.domain).to_dense()
    Y = S.lu_solve(Bm).to_list()
    out = []
    for j in range(len(rhs_columns)):
        y = [F.zero] * n
        for i, p in enumerate(pivots):
            y[p] = Y[i][j]
        out.append(y)
    return out


def project_out(v, basis, F: Field):
    """v minus its orthogonal projection onto span(basis) (exact)."""
    if not basis:
        return list(v)
    G = DomainMatrix([[dot(a, b, F) for b in basis] for a in basis], (len(basis), len(basis)), F.domain).to_dense()
    rhs = column([dot(a, v, F) for a in basis], F)
    coef = [r[0] for r in G.lu_solve(rhs).to_list()]
    out = list(v)
    for c, b in zip(coef, basis):
        if c:
            out = [x - c * y for x, y in zip(out, b)]
    return out
