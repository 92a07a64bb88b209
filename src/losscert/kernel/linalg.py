"""Exact linear algebra over a :class:`~losscert.fields.Field`.

Matrices are SymPy ``DomainMatrix`` objects; over QQ they run on FLINT when
python-flint is installed. The PSD test returns a certificate: either the
matrix is positive definite or an explicit vector v with v^T S v < 0.

Propose numerically, certify exactly: a float Cholesky factor (numpy) of the
diagonally scaled matrix proposes a congruence W with dyadic entries; the
exact product W S W^T strictly diagonally dominant with a positive diagonal
proves S positive definite (W is lower triangular with a non-zero diagonal,
so nonsingular). A float eigenvector of a negative eigenvalue, rounded to
dyadic rationals, refutes when v^T S v < 0 exactly. A float kernel proposes
the pivot columns; the kernel vectors are then solved exactly and checked by
one product H K = 0. Only when a proposal fails does the exact recursion
(Schur complements over the field) run; every answer is checked exactly.

>>> from sympy import QQ
>>> from losscert.fields import Field
>>> F = Field(QQ)
>>> S = matrix([[1, 2], [2, 1]], F)
>>> v = negative_direction(S, F); quad(S, v, F) < 0
True
"""
from __future__ import annotations

import math

from sympy.polys.matrices import DomainMatrix

from ..fields import Field
from . import verified

GAP_WINDOW = 1e-6              # |eigenvalue| above this (relative) is never proposed as zero
NULLITY_TRIES = 3              # nullity guesses (largest spectral gaps first) tried before exact elimination
REFINEMENTS = 2                # float Cholesky rounds on the exact product W S W^T
EXACT_UP_TO = 24               # matrices up to this size go straight to exact elimination (no float proposal)


class _LazyNumpy:
    """numpy, imported on first use: matrices up to EXACT_UP_TO are decided by
    exact elimination alone, so checking a small claim file never imports it."""

    def __getattr__(self, name):
        import numpy as np
        return getattr(np, name)


numpy = _LazyNumpy()


def matrix(rows, F: Field) -> DomainMatrix:
    """A dense DomainMatrix over the field from rows of field elements."""
    rows = [[F(x) for x in r] for r in rows]
    n = len(rows)
    m = len(rows[0]) if rows else 0
    return DomainMatrix(rows, (n, m), F.domain).to_dense()


def column(v, F: Field) -> DomainMatrix:
    """A column vector (n x 1 DomainMatrix)."""
    return DomainMatrix([[x] for x in v], (len(v), 1), F.domain).to_dense()


def matvec(M: DomainMatrix, v, F: Field) -> list:
    """M v as a list of field elements."""
    return [r[0] for r in (M * column(v, F)).to_list()]


def dot(u, v, F: Field):
    """The exact inner product of two vectors."""
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
    vector v != 0 with v^T S v <= 0 (< 0 whenever S is nonsingular).

    Float proposals first (a congruence proving S positive definite, or a
    float eigenvector checked to give v^T S v < 0), then the exact recursion;
    up to EXACT_UP_TO rows the exact recursion alone.

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> negative_direction(matrix([[2, -1], [-1, 2]], F), F) is None
    True
    """
    n = S.shape[0]
    if n == 0:
        return None
    Sf = float_matrix(S, F) if n > EXACT_UP_TO else None
    if Sf is not None:
        if proves_positive_definite(S, F, Sf):
            return None
        v = negative_proposal(S, F, Sf)
        if v is not None:
            return v
    return negative_direction_exact(S, F)


def negative_direction_exact(S: DomainMatrix, F: Field):
    """:func:`negative_direction` by recursive exact Schur complements (no floats)."""
    n = S.shape[0]
    if n == 0:
        return None
    if n == 1:
        return None if F.sign(S.to_list()[0][0]) > 0 else [F.one]
    h = n // 2
    A = S.extract(range(h), range(h))
    x = negative_direction_exact(A, F)
    if x is not None:
        return _sharpen(S, x + [F.zero] * (n - h), F)
    B = S.extract(range(h), range(h, n))
    C = S.extract(range(h, n), range(h, n))
    AinvB = A.lu_solve(B)
    T = C - B.transpose() * AinvB
    y = negative_direction_exact(T, F)
    if y is None:
        return None
    top = [-a for a in matvec(AinvB, y, F)]
    return _sharpen(S, top + y, F)


# -- float proposals (never trusted: every use is checked exactly) ------------

def float_value(F: Field, x) -> float:
    """A float near the field element x (a proposal; may raise OverflowError)."""
    if F.is_rational:
        return float(x)
    approximate = getattr(F, "approximate", None)      # fields with their own numerics (ExpField)
    if approximate is not None:
        return approximate(x)
    return float(_algebraic_float(F, x))


def _algebraic_float(F: Field, x):
    import mpmath
    import sympy
    alpha = getattr(F, "_float_generator", None)
    if alpha is None:
        with mpmath.workdps(40):
            alpha = mpmath.mpf(sympy.N(F.domain.ext.as_expr(), 40))
        F._float_generator = alpha
    with mpmath.workdps(40):
        out = mpmath.mpf(0)
        for c in x.to_list():
            out = out * alpha + mpmath.mpf(int(c.numerator)) / int(c.denominator)
    return out


def float_matrix(M: DomainMatrix, F: Field):
    """M as a numpy float array, or None when an entry is out of float range."""
    rows, cols = M.shape
    try:
        flat = [float_value(F, x) if x else 0.0 for x in M.to_list_flat()]
    except (OverflowError, ValueError, TypeError, AttributeError):
        return None
    A = numpy.array(flat, dtype=float).reshape(rows, cols)
    return A if numpy.all(numpy.isfinite(A)) else None


def rounding_radius(Sf):
    """|S - Sf| <= rounding_radius(Sf) entrywise when Sf holds the exact
    rationals of S rounded to nearest (2^-52 |fl(x)| + 2^-1074 covers the
    normal and the subnormal results)."""
    return numpy.abs(Sf) * verified.CONVERSION_ERROR + verified.ETA


def _scaling_exponents(Sf) -> list[int]:
    """e_i with 2^-e_i ~ 1/sqrt(|S_ii|) (or of the row's largest entry): a
    dyadic diagonal scaling D = diag(2^-e_i) making D S D well scaled."""
    out = []
    for i in range(Sf.shape[0]):
        s = Sf[i, i] if Sf[i, i] > 0 else numpy.max(numpy.abs(Sf[i]))
        out.append(int(round(math.log2(s) / 2)) if s > 0 else 0)
    return out


def _scaled(Sf):
    """(D S D, exponents e_i) with D = diag(2^-e_i) from :func:`_scaling_exponents`."""
    exps = _scaling_exponents(Sf)
    d = numpy.ldexp(1.0, [-e for e in exps])
    return Sf * d[:, None] * d[None, :], exps


def _congruence(L_inv_scaled, exps):
    """Integer matrix V proportional to round(2^k L^-1) D (D = diag(2^-e_j)),
    as lists of Python ints: V S V^T is then a positive multiple of W S W^T."""
    big = numpy.max(numpy.abs(L_inv_scaled))
    if not numpy.isfinite(big) or big == 0:
        return None
    k = 50 - math.ceil(math.log2(big))
    R = numpy.rint(numpy.ldexp(L_inv_scaled, k)).astype(numpy.int64).tolist()
    top = max(exps)
    shifts = [1 << (top - e) for e in exps]
    return [[x * shifts[j] if x else 0 for j, x in enumerate(row)] for row in R]


def proves_positive_definite(S: DomainMatrix, F: Field, Sf=None) -> bool:
    """True when a float Cholesky proposal W makes the exact W S W^T strictly
    diagonally dominant with a positive diagonal: then S is positive definite
    (W is nonsingular). False means only that the proposal did not work.

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> proves_positive_definite(matrix([[4, 2], [2, 3]], F), F)
    True
    >>> proves_positive_definite(matrix([[1, 2], [2, 1]], F), F)
    False
    """
    n = S.shape[0]
    if n == 0:
        return True
    Sf = float_matrix(S, F) if Sf is None else Sf
    if Sf is None or not all(Sf[i, i] > 0 for i in range(n)):
        return False
    if F.is_rational and verified.is_spd(Sf, rounding_radius(Sf)):
        return True                              # Rump's test on the float enclosure (kernel/verified.py)
    current, exps = _scaled(Sf)                  # D S D, approximately
    V, shifts = None, exps
    for _ in range(REFINEMENTS):
        try:
            L = numpy.linalg.cholesky((current + current.T) / 2)
            Linv = numpy.tril(numpy.linalg.inv(L))
        except numpy.linalg.LinAlgError:
            return False
        step = _congruence(Linv, shifts)
        if step is None:
            return False
        V = step if V is None else _int_matmul(step, V)
        M = _exact_congruence(S, F, V)
        if M is None:
            return False
        if _diagonally_dominant(M, F):
            return True
        # refine: the next W is round(2^k L'^-1) E V with E = diag(2^(top - e_i)) and L' the float
        # Cholesky factor of E (V S V^T) E, normalised
        Mf = _float_rows(M, F)
        if Mf is None or not all(Mf[i, i] > 0 for i in range(n)):
            return False
        current, shifts = _scaled(Mf)
        top = max(shifts)
        V = [[x << (top - e) for x in row] for row, e in zip(V, shifts)]
        shifts = [0] * n
    return False


def _int_matmul(A, B):
    """Product of integer matrices given as lists of rows (exact)."""
    try:
        from flint import fmpz_mat
        C = fmpz_mat(A) * fmpz_mat(B)
        return [[int(x) for x in row] for row in C.tolist()]
    except ImportError:
        Bt = list(zip(*B))
        return [[sum(a * b for a, b in zip(r, c)) for c in Bt] for r in A]


def _exact_congruence(S: DomainMatrix, F: Field, V):
    """The rows of a positive multiple of V S V^T, exactly (V: integer rows,
    lower triangular with a non-zero diagonal, else None). Over QQ with
    FLINT: fmpz products after clearing one common denominator."""
    n = S.shape[0]
    if not _is_triangular_nonsingular(V):
        return None
    flint_mat = getattr(S.to_dense().rep, "rep", None)
    if F.is_rational and type(flint_mat).__name__ == "fmpq_mat":
        from flint import fmpz_mat
        num, den = flint_mat.numer_denom()         # S = num / den
        if not den > 0:
            return None
        W = fmpz_mat(V)
        return (W * num * W.transpose()).tolist()
    W = DomainMatrix([[F.domain(x) for x in row] for row in V], (n, n), F.domain).to_dense()
    return (W * S.to_dense() * W.transpose()).to_list()


def _is_triangular_nonsingular(V):
    """True when V is lower triangular with a non-zero diagonal (then V is
    nonsingular); False otherwise."""
    n = len(V)
    return all(V[i][i] != 0 and not any(V[i][i + 1:]) for i in range(n))


def _diagonally_dominant(rows, F: Field) -> bool:
    """rows[i][i] > sum_{j != i} |rows[i][j]| for every row (exact comparisons)."""
    if F.is_rational:
        for i, row in enumerate(rows):
            diag = row[i]
            if not diag > 0:
                return False
            off = sum(abs(x) for j, x in enumerate(row) if j != i and x)
            if not diag > off:
                return False
        return True
    for i, row in enumerate(rows):
        off = F.zero
        for j, x in enumerate(row):
            if j != i and x:
                off += x if F.sign(x) > 0 else -x
        if F.sign(row[i]) <= 0 or F.compare(row[i], off) <= 0:
            return False
    return True


def _float_rows(rows, F: Field):
    try:
        A = numpy.array([[float_value(F, x) if x else 0.0 for x in row] for row in rows], dtype=float)
    except (OverflowError, ValueError, TypeError, AttributeError):
        return None
    return A if numpy.all(numpy.isfinite(A)) else None


def negative_proposal(S: DomainMatrix, F: Field, Sf=None):
    """A rational v with v^T S v < 0 (checked exactly) from the float
    eigenvector of the smallest eigenvalue, or None."""
    n = S.shape[0]
    Sf = float_matrix(S, F) if Sf is None else Sf
    if Sf is None or n == 0:
        return None
    scaled, exps = _scaled(Sf)
    try:
        w, U = numpy.linalg.eigh(scaled)
    except numpy.linalg.LinAlgError:
        return None
    if not w[0] < 0:
        return None
    return _checked_negative(S, F, U[:, 0], exps)


def _checked_negative(S, F, u, exps):
    big = numpy.max(numpy.abs(u))
    if not big > 0:
        return None
    k = 30 - math.ceil(math.log2(big))
    ints = numpy.rint(numpy.ldexp(u, k)).astype(numpy.int64).tolist()
    top = max(exps)
    ints = [x * (1 << (top - e)) for x, e in zip(ints, exps)]
    g = math.gcd(*ints)
    if not g:
        return None
    v = [F.domain(x // g) if x else F.zero for x in ints]
    return v if F.sign(quad(S, v, F)) < 0 else None


def embed(v, pivots, n: int, F: Field) -> list:
    """A vector on the pivot coordinates as a vector of length n."""
    out = [F.zero] * n
    for x, p in zip(v, pivots):
        out[p] = x
    return out


def psd_certificate(H: DomainMatrix, F: Field):
    """(kernel basis, pivot columns, d): d is None when the symmetric H is
    positive semidefinite, else a vector with d^T H d < 0. H is PSD iff its
    principal block on a basis of its column space is positive definite.

    The kernel basis is the one of the reduced row echelon form (one vector
    per free column, 1 there and 0 on the other free columns), solved
    exactly on the pivots and checked by one product H K = 0; with H[p, p]
    nonsingular this proves rank H = |p| and ker H = span K.

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> K, p, d = psd_certificate(matrix([[1, 1], [1, 1]], F), F)
    >>> K, p, d
    ([[-1, 1]], [0], None)
    """
    pivots, d = psd_pivots(H, F)
    kernel = kernel_for(H, F, pivots)
    if kernel is None and d is None:        # the proposed rank was wrong: the next guesses, then exact elimination
        pivots, kernel = _other_guesses(H, F, pivots)
    if kernel is None:
        kernel, exact_pivots = nullspace(H, F)
        if exact_pivots != pivots:
            pivots = exact_pivots
            if d is None:
                v = negative_direction(H.extract(pivots, pivots), F)
                d = None if v is None else embed(v, pivots, H.shape[0], F)
    return kernel, pivots, d


def _other_guesses(H: DomainMatrix, F: Field, tried):
    """(pivots, kernel) from the next nullity guesses whose H[p, p] is proven
    positive definite and whose kernel vectors pass H K = 0; (tried, None)
    when none does."""
    Hf = float_matrix(H, F) if H.shape[0] > EXACT_UP_TO else None
    for attempt in range(1, NULLITY_TRIES if Hf is not None else 0):
        proposal = _pivot_proposal(H, F, Hf, attempt)
        if proposal is None:
            break
        pivots, d = proposal
        if d is not None or pivots == tried:
            continue
        if proves_positive_definite(H.extract(pivots, pivots), F, Hf[numpy.ix_(pivots, pivots)]):
            kernel = kernel_for(H, F, pivots)
            if kernel is not None:
                return pivots, kernel
    return tried, None


def psd_pivots(H: DomainMatrix, F: Field):
    """(pivots, d) for a symmetric H. When d is None, H[p, p] is proven
    positive definite (so rank H >= |p|; H is PSD with kernel dimension
    |H| - |p| as soon as that many independent kernel vectors are exhibited,
    see :func:`kernel_for`). Otherwise d^T H d < 0 (exact). The pivots are
    proposed by a float eigen-decomposition (the columns of the reduced row
    echelon form when the proposal is right), else (and up to EXACT_UP_TO
    rows always) by exact elimination.

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> psd_pivots(matrix([[1, 1], [1, 1]], F), F)
    ([0], None)
    """
    n = H.shape[0]
    if n == 0:
        return [], None
    Hf = float_matrix(H, F) if n > EXACT_UP_TO else None
    if Hf is not None and _float_cholesky_works(Hf) and proves_positive_definite(H, F, Hf):
        return list(range(n)), None
    for attempt in range(NULLITY_TRIES if Hf is not None else 0):
        proposal = _pivot_proposal(H, F, Hf, attempt)
        if proposal is None:
            break
        pivots, d = proposal
        if d is not None:
            return pivots, d
        Sf = Hf[numpy.ix_(pivots, pivots)]
        if proves_positive_definite(H.extract(pivots, pivots), F, Sf):
            return pivots, None
    _, pivots = nullspace(H, F)
    v = negative_direction(H.extract(pivots, pivots), F)
    return pivots, None if v is None else embed(v, pivots, n, F)


def _float_cholesky_works(Hf) -> bool:
    """The float Cholesky of the diagonally scaled matrix exists (a hint that it is PD)."""
    diag = numpy.diag(Hf)
    if not numpy.all(diag > 0):
        return False
    d = 1 / numpy.sqrt(diag)
    try:
        numpy.linalg.cholesky(Hf * d[:, None] * d[None, :])
    except numpy.linalg.LinAlgError:
        return False
    return True


def _pivot_proposal(H: DomainMatrix, F: Field, Hf, attempt: int = 0):
    """(pivots, d or None) from a float eigen-decomposition (d checked
    exactly, pivots only proposed) with the nullity guess number ``attempt``
    (:func:`nullity_candidates`); None when no proposal is found."""
    n = H.shape[0]
    if not numpy.any(Hf):
        return ([], None) if not any(H.to_list_flat()) else None
    scaled, exps = _scaled(Hf)
    try:
        w, U = numpy.linalg.eigh(scaled)
    except numpy.linalg.LinAlgError:
        return None
    guesses = nullity_candidates(w)
    if attempt >= len(guesses):
        return None
    nullity = guesses[attempt]
    order = sorted(range(n), key=lambda k: abs(w[k]))
    small = sorted(order[:nullity])
    tol = abs(w[order[nullity - 1]]) if nullity else 0.0
    d = _checked_negative(H, F, U[:, 0], exps) if w[0] < -tol else None
    free = _free_columns(U[:, small]) if small else []
    if free is None:
        return None
    free = set(free)
    return [j for j in range(n) if j not in free], d


def nullity_candidates(w, count: int = NULLITY_TRIES) -> list[int]:
    """Numbers of eigenvalues to take for zero in a float spectrum w, best
    first: the largest gaps (ratio of consecutive |eigenvalues|, the smallest
    measured against the rounding level n 2^-52 max|w|) among those below
    GAP_WINDOW max|w|. Proposals only (every use is checked exactly); a
    wrong first guess costs one more try, not the exact route.

    >>> nullity_candidates([1e-17, -2e-16, 1e-4, 1.0, 2.0])[0]
    2
    >>> nullity_candidates([1e-17, 2e-16, 3e-10, 1.0])[:2]
    [3, 2]
    >>> nullity_candidates([1e-3, 1.0])[0]
    0
    """
    a = sorted(abs(float(x)) for x in w)
    if not a or a[-1] == 0:
        return [len(a)]
    noise = len(a) * 2.0 ** -52 * a[-1]
    gaps = [(a[0] / noise, 0)]
    for k in range(1, len(a)):
        if a[k - 1] > GAP_WINDOW * a[-1]:
            break
        gaps.append((a[k] / max(a[k - 1], noise), k))
    gaps.sort(key=lambda g: -g[0])
    return [k for _, k in gaps[:count]]


def kernel_for(H: DomainMatrix, F: Field, pivots):
    """The kernel basis with the given pivot columns (the free columns get
    the unit vectors), solved exactly on the pivots, when H K = 0 holds
    exactly; None otherwise (then rank H > |pivots| or H[p, p] is singular).

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> kernel_for(matrix([[2, 4], [4, 8]], F), F, [0])
    [[-2, 1]]
    >>> kernel_for(matrix([[2, 4], [4, 9]], F), F, [0]) is None
    True
    """
    n = H.shape[0]
    pivots = list(pivots)
    pivset = set(pivots)
    free = [j for j in range(n) if j not in pivset]
    if not free:
        return []
    try:
        X = H.extract(pivots, pivots).lu_solve(H.extract(pivots, free)).to_list() if pivots else []
    except Exception:            # singular H[p, p]: the proposal was wrong
        return None
    kernel = []
    for j, f in enumerate(free):
        v = [F.zero] * n
        v[f] = F.one
        for i, p in enumerate(pivots):
            v[p] = -X[i][j]
        kernel.append(v)
    if not vanishes(H, kernel, F):
        return None
    return kernel


def vanishes(H: DomainMatrix, vectors, F: Field) -> bool:
    """H v = 0 for every v in ``vectors`` (one exact product)."""
    if not vectors:
        return True
    n = H.shape[1]
    K = DomainMatrix([[v[i] for v in vectors] for i in range(n)], (n, len(vectors)), F.domain).to_dense()
    return not any((H.to_dense() * K).to_list_flat())


def _free_columns(N):
    """Rows of the float kernel basis N chosen greedily from the last: the
    free columns of the reduced row echelon form (the complement of the
    lexicographically first column basis), or None."""
    n, m = N.shape
    basis = []
    chosen = []
    for i in range(n - 1, -1, -1):
        r = N[i].copy()
        for q in basis:
            r -= (q @ r) * q
        norm = numpy.linalg.norm(r)
        if norm > 1e-6:
            basis.append(r / norm)
            chosen.append(i)
            if len(chosen) == m:
                return sorted(chosen)
    return None


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
