"""Verified floating-point positive definiteness (Rump's test) and rigorous
float enclosures of exact matrices.

:func:`is_spd` proves that every symmetric matrix A with
|A - mid| <= rad (entrywise) is positive definite from one float64
Cholesky factorisation of mid - c I, where the shift c bounds the rounding
error of any floating-point Cholesky (S. M. Rump, "Verification of positive
definiteness", BIT 46 (2006) 433-452; INTLAB's ``isspd``) plus ||rad||_2.
docs/rules.md ("Verified floating-point positive definiteness") has the
mathematics, the bound and its assumptions. ``False`` never means "not
positive definite": only that this test did not prove it (the caller then
takes the exact route).

>>> import numpy
>>> is_spd(numpy.array([[2.0, -1.0], [-1.0, 2.0]]))
True
>>> is_spd(numpy.array([[1.0, 2.0], [2.0, 1.0]]))
False
"""
from __future__ import annotations

import math

UNIT_ROUNDOFF = 2.0 ** -53          # u of IEEE binary64, rounding to nearest
ETA = 2.0 ** -1074                  # the smallest positive subnormal
TINY = 2.0 ** -1000                 # scaled entries below this are folded into the radius (no subnormal inputs)
EXTRA_ROUNDINGS = 4                 # per entry beyond Higham's n + 1 (reciprocal-multiply TRSM kernels, slack)
SHIFT_FACTOR = 2                    # the shift is twice Rump's a priori bound: room for the a posteriori residual check


def _numpy():
    import numpy
    return numpy


def rounds_to_nearest() -> bool:
    """True when float arithmetic rounds to nearest (INTLAB's check: under a
    directed rounding mode 1 + 1e-30 and 1 - 1e-30 differ)."""
    e = 1e-30
    return 1.0 + e == 1.0 - e


_SMALLEST_NORMAL = 2.0 ** -1022


def gradual_underflow() -> bool:
    """True when underflow is gradual, in Python floats and in numpy: no
    flush-to-zero (2^-1022 / 2 is the subnormal 2^-1023, not 0) and no
    denormals-are-zero (2^-1074 * 2 is 2^-1073, not 0). A native library
    built with -ffast-math may switch both on for the whole process; every
    eta term of the bounds here assumes they are off. (The operands are
    variables: a constant folded at compile time would not see the mode.)"""
    np = _numpy()
    half, two, tiny, eta = 0.5, 2.0, _SMALLEST_NORMAL, ETA
    if not (tiny * half > 0 and eta * two > 0):
        return False
    v = np.array([tiny, eta]) * np.array([half, two])
    return bool(v[0] > 0 and v[1] > 0 and np.float64(eta) * np.float64(two) > 0)


def gamma(k: int) -> float:
    """An upper bound of gamma_k = k u / (1 - k u) (u = 2^-53), or inf when k u >= 1/2."""
    ku = k * UNIT_ROUNDOFF
    if ku >= 0.5:
        return math.inf
    return math.nextafter(ku / (1 - ku) * (1 + 4 * UNIT_ROUNDOFF), math.inf)


def upper_sum_bound(total: float, terms: int) -> float:
    """An upper bound of the exact sum of ``terms`` non-negative floats whose
    floating-point sum (any order) is ``total``: total / (1 - gamma_terms), rounded up."""
    g = gamma(terms)
    if not g < 0.5:
        return math.inf
    return math.nextafter(total / (1 - g) * (1 + 4 * UNIT_ROUNDOFF), math.inf)


def _symmetric_from_lower(mid, rad):
    """mid and rad made symmetric from their lower triangles (LAPACK reads
    only one triangle): a symmetric A within rad of the lower triangle is
    within the returned rad of the returned mid."""
    np = _numpy()
    low = np.tril(mid)
    M = low + np.tril(mid, -1).T
    if rad is None:
        return M, None
    R = np.maximum(rad, rad.T)
    return M, R


def _dyadic_scaling(diag):
    """d_i = 2^-k_i with d_i^2 diag_i in [1/4, 1) (van der Sluis, exact in binary)."""
    np = _numpy()
    _, e = np.frexp(diag)                 # diag = f 2^e, f in [1/2, 1)
    k = np.ceil(e / 2).astype(int)        # 2^-2k diag = f 2^(e - 2k) in [1/4, 1)
    return np.ldexp(1.0, -k)


def is_spd(mid, rad=None) -> bool:
    """True only when every symmetric matrix A with |A - mid| <= rad
    (entrywise; ``rad`` None means A = mid) is positive definite, proven by
    Rump's shifted float Cholesky. Any doubt (non-finite input, a
    non-positive diagonal, a failed or non-finite factorisation, directed
    rounding, flush-to-zero or denormals-are-zero) gives False.

    >>> import numpy
    >>> is_spd(numpy.array([[1.0, 0.0], [0.0, 1e-300]]))
    True
    >>> is_spd(numpy.array([[1.0, 1.0], [1.0, 1.0]]))
    False
    >>> is_spd(numpy.array([[1.0, 0.0], [0.0, 1.0]]), numpy.array([[0.0, 1.0], [1.0, 0.0]]))
    False
    """
    np = _numpy()
    mid = np.asarray(mid, dtype=float)
    if mid.ndim != 2 or mid.shape[0] != mid.shape[1]:
        return False
    n = mid.shape[0]
    if n == 0:
        return True
    if rad is not None:
        rad = np.asarray(rad, dtype=float)
        if rad.shape != mid.shape or not np.all(np.isfinite(rad)) or np.any(rad < 0):
            return False
    if not rounds_to_nearest() or not gradual_underflow() or not np.all(np.isfinite(mid)):
        return False
    M, R = _symmetric_from_lower(mid, rad)
    diag = np.diag(M)
    if not np.all(diag > 0):
        return False
    if R is not None and not np.all(np.diag(R) < diag):
        return False
    d = _dyadic_scaling(diag)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        S = M * (d[:, None] * d[None, :])          # exact (powers of two) unless it underflows, once
        if not np.all(np.isfinite(S)):
            return False
        tiny = np.abs(S) < TINY                    # possibly rounded: replaced by 0, |true| <= 2 TINY
        floor = 2 * TINY if np.any(tiny & (S != 0)) else 0.0
        S[tiny] = 0.0
        rows = 0.0
        if R is not None:
            Rs = R * (d[:, None] * d[None, :])
            if not np.all(np.isfinite(Rs)):
                return False
            rows = float(np.max(Rs.sum(axis=1)))   # ||Rs||_2 <= max row sum (Rs symmetric, >= 0)
            rows = upper_sum_bound(rows, n) + n * TINY   # underflowed radii are below TINY each
        rows += n * floor                            # the entries folded into the radius
        norm_rad = rows
        c = SHIFT_FACTOR * _shift(np.diag(S), n) + norm_rad
        if not math.isfinite(c) or c >= 0.25:
            return False
        B = S.copy()
        shifted = np.nextafter(np.diag(S) - c, -np.inf)   # <= the exact s_ii - c
        if not np.all(shifted > 0):
            return False
        B[np.diag_indices(n)] = shifted
        try:
            G = np.linalg.cholesky(B)
        except np.linalg.LinAlgError:
            return False
        if G.shape != B.shape or not np.all(np.isfinite(G)):
            return False
        return residual_bound(B, G) < c - norm_rad


def residual_bound(B, G, H=None) -> float:
    """An upper bound of ||B - G H^T||_2 (H None: G) for float matrices B,
    G, H (any G, H: nothing computed is trusted), or inf. With k the inner
    dimension and P = fl(G H^T) (any summation order: |P - G H^T| <=
    gamma_k |G| |H|^T + k eta entrywise, and || |G| |H|^T ||_2 <=
    ||G||_F ||H||_F) and E = fl(B - P) (|error| <= u |E|):
    ||B - G H^T||_2 <= (1 + u) ||E||_2 + gamma_k ||G||_F ||H||_F + (r + c) k eta
    for an r x c result, with ||E||_2 <= max(max row sum, max column sum) of |E|."""
    np = _numpy()
    H = G if H is None else H
    r, c, k = B.shape[0], B.shape[1], G.shape[1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        E = np.abs(B - G @ H.T)
        if not np.all(np.isfinite(E)):
            return math.inf
        e_norm = _spectral_up(E)
        del E
        f = _frobenius(G)
        frob = f * (f if H is G else _frobenius(H))
    g = gamma(k + 2)
    total = (1 + 2 * UNIT_ROUNDOFF) * e_norm + g * frob * (1 + 4 * UNIT_ROUNDOFF) + (r + c) * (k + 2) * ETA
    return math.nextafter(total * (1 + 8 * UNIT_ROUNDOFF), math.inf)


def _spectral_up(A) -> float:
    """An upper bound of ||A||_2 for a non-negative float matrix A:
    ||A||_2 <= (||A||_1 ||A||_inf)^(1/2) <= max(max column sum, max row sum),
    the sums rounded up (0 for an empty matrix, e.g. no inner coordinates kept)."""
    if not A.size:
        return 0.0
    return upper_sum_bound(float(max(A.sum(axis=0).max(), A.sum(axis=1).max())), max(A.shape))


def _frobenius(G) -> float:
    """An upper bound of ||G||_F (sums of squares rounded up). A square
    that underflows loses at most eta / 2, the sum at most size * eta / 2:
    sqrt(size * eta) = sqrt(size) 2^-537 is added after the square root."""
    np = _numpy()
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        s = upper_sum_bound(float(np.sum(G * G)) * (1 + 2 * UNIT_ROUNDOFF), max(G.size, 1))
    lost = math.nextafter(math.sqrt(G.size) * 2.0 ** -537, math.inf)
    return math.nextafter((math.sqrt(s) * (1 + 2 * UNIT_ROUNDOFF) + lost) * (1 + 2 * UNIT_ROUNDOFF), math.inf)


def _norm_up(x) -> float:
    """An upper bound of the 2-norm of a float vector."""
    return _frobenius(_numpy().asarray(x, dtype=float).reshape(1, -1))


def is_spd_arrow(blocks, Q, Z, pieces) -> bool:
    """True only when every symmetric A with |A - mid| <= R is positive
    definite, where mid = [[diag(blocks), Q^T], [Q, Z]] (the first
    coordinates split into independent diagonal blocks, then the rest) and
    R <= sum of c (x y^T + y x^T) / 2 over ``pieces`` (c, x, y), x, y >= 0
    vectors over all coordinates (the radius given by rank-one bounds: no
    P x P radius is formed). The memory and time of the whole matrix's
    Cholesky are not needed: the blocks are factored one by one, then the
    Schur complement of Z.

    The proof is a posteriori, as in :func:`is_spd`: after the dyadic
    scaling D and a shift c, B = D mid D - c I is factored as G G^T with
    G = [[diag(L_k), 0], [X, L_Z]] (L_k from each block, X ~ Q L^-T, L_Z from
    the float Schur complement W = fl(B_Z - X X^T)), every residual bounded
    by :func:`residual_bound`:
    ||B - G G^T||_2 <= max(max_k ||B_k - L_k L_k^T||, e_W + ||W - L_Z L_Z^T||)
    + ||[B_Q - X L^T]||, e_W bounding ||B_Z - X X^T - W|| a priori. Then
    lambda_min(D A D) >= c - ||D R D||_2 - ||B - G G^T||_2 > 0.

    >>> import numpy
    >>> one = numpy.array([[2.0]])
    >>> is_spd_arrow([one, one], numpy.array([[1.0, 1.0]]), numpy.array([[3.0]]), [])
    True
    >>> is_spd_arrow([one, one], numpy.array([[2.0, 2.0]]), numpy.array([[3.0]]), [])
    False
    """
    np = _numpy()
    if not rounds_to_nearest() or not gradual_underflow():
        return False
    blocks = [np.asarray(b, dtype=float) for b in blocks]
    Q, Z = np.asarray(Q, dtype=float), np.asarray(Z, dtype=float)
    sizes = [b.shape[0] for b in blocks]
    nO, nI = sum(sizes), Z.shape[0]
    n = nO + nI
    if any(b.ndim != 2 or b.shape[0] != b.shape[1] for b in blocks) or Z.ndim != 2 or Z.shape != (nI, nI) \
            or Q.shape != (nI, nO) or n == 0:
        return False
    if not (all(np.all(np.isfinite(b)) for b in blocks) and np.all(np.isfinite(Q)) and np.all(np.isfinite(Z))):
        return False
    diag = np.concatenate([np.diag(b) for b in blocks] + [np.diag(Z)])
    return _arrow_proven(diag, pieces, lambda d, shift: _arrow_residual(blocks, Q, Z, d, shift))


def is_spd_arrow_shared(block, A, V, e, own, Z, pieces) -> bool:
    """:func:`is_spd_arrow` when every output block is the same ``block``
    (r x r, one per column of V) and the inner-by-output blocks have the
    structure of a one-hidden-layer network: Q_k = diag(V[:, k]) A + E_k,
    E_k[t, own[t]] = e[t, k] its only non-zero per row (own[t] = -1: none).
    ``pieces`` run over the coordinates output by output, then the inner ones.

    The factor is G = [[I (x) L, 0], [X, L_Z]] with X_k = diag(v_k) Y + E^_k M
    (M = fl(L^-1)^T, Y = fl(A^ M), never formed: only Y, M are), so
    Q_k - X_k L^T = diag(v_k) (A^ - Y L^T) + E^_k (I - M L^T), two residuals
    bounded a posteriori once for all outputs. The Schur complement
    B_Z - sum_k X_k X_k^T = B_Z - (Y Y^T) o (v v^T) - C - C^T - (e^ e^T) o (M M^T)[own, own],
    C = (Y M^T)[:, own] o (v e^T), is computed in floats with an a priori
    bound: every product of non-negative matrices P P'^T met there has
    ||(|Y| |Y|^T) o (|v| |v|^T)||_2 <= sum_t ||Y_t||^2 ||v_t||^2 (a Gram matrix
    of Khatri-Rao rows), and the same for the other two. Underflow in those
    products is magnified by the Hadamard factor (V may be near 2^512 while
    Y Y^T underflows): (r + d_y) eta S^2, S the sum of the four factors'
    Frobenius norms, is added. One factorisation of the block and products
    of P x r arrays replace one per output.

    >>> import numpy
    >>> block, A = numpy.array([[2.0]]), numpy.array([[1.0]])
    >>> V, e, own = numpy.array([[1.0, 1.0]]), numpy.array([[0.0, 0.0]]), numpy.array([0])
    >>> is_spd_arrow_shared(block, A, V, e, own, numpy.array([[3.0]]), [])
    True
    >>> is_spd_arrow_shared(block, 2 * A, V, e, own, numpy.array([[3.0]]), [])
    False
    """
    np = _numpy()
    if not rounds_to_nearest() or not gradual_underflow():
        return False
    block, A, V, e, Z = (np.asarray(x, dtype=float) for x in (block, A, V, e, Z))
    own = np.asarray(own, dtype=int)
    r, nI = block.shape[0] if block.ndim == 2 else -1, Z.shape[0] if Z.ndim == 2 else -1
    d_y = V.shape[1] if V.ndim == 2 else -1
    if r < 1 or block.shape != (r, r) or Z.shape != (nI, nI) or A.shape != (nI, r) or V.shape != (nI, d_y) \
            or e.shape != (nI, d_y) or own.shape != (nI,) or np.any(own >= r) or np.any(own < -1) or d_y < 1:
        return False
    if not all(np.all(np.isfinite(x)) for x in (block, A, V, e, Z)):
        return False
    e = np.where(own[:, None] >= 0, e, 0.0)
    own = np.maximum(own, 0)
    diag = np.concatenate([np.tile(np.diag(block), d_y), np.diag(Z)])
    return _arrow_proven(diag, pieces,
                         lambda d, shift: _shared_residual(block, A, V, e, own, Z, d[:r], d[r * d_y:], shift))


def _arrow_proven(diag, pieces, residual) -> bool:
    """The blocked tests' common frame: with D the dyadic scaling of ``diag``,
    the radius bound ||D R D||_2 <= rnorm from ``pieces`` and the shift c,
    proven when residual(d, c) (an upper bound of ||B - G G^T||_2 for the
    factor G of D mid D - c I, inf when there is none) is below c - rnorm."""
    np = _numpy()
    setup = _arrow_setup(diag, pieces)
    if setup is None:
        return False
    d, rnorm, shift = setup
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return residual(d, shift) < shift - rnorm
    except (np.linalg.LinAlgError, OverflowError):        # a bound past the float range (Python's x ** 2)
        return False


def _arrow_setup(diag, pieces):
    """(d, ||D R D||_2 bound, shift) for the blocked tests, or None: the
    diagonal positive, the pieces well formed, the shift below 1/4."""
    np = _numpy()
    n = len(diag)
    if n == 0 or not np.all(diag > 0):
        return None
    d = _dyadic_scaling(diag)
    rnorm = n * 4 * ETA                              # entries scaled into the subnormal range
    for c, x, y in pieces:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != (n,) or y.shape != (n,) or np.any(x < 0) or np.any(y < 0) or not c >= 0:
            return None
        rnorm += c * _norm_up(d * x) * _norm_up(d * y) * (1 + 4 * UNIT_ROUNDOFF)
    rnorm = math.nextafter(rnorm * (1 + 4 * UNIT_ROUNDOFF), math.inf)
    shift = SHIFT_FACTOR * _shift(diag * d * d, n) + rnorm
    if not math.isfinite(shift) or shift >= 0.25:
        return None
    return d, rnorm, shift


def _khatri_rao_square(P, Q) -> float:
    """An upper bound of sum_t ||P_t||^2 ||Q_t||^2 over the rows (the squared
    Frobenius norm of the rows P_t (x) Q_t)."""
    np = _numpy()
    p = (P * P).sum(axis=1) * (1 + 2 * UNIT_ROUNDOFF)
    q = (Q * Q).sum(axis=1) * (1 + 2 * UNIT_ROUNDOFF)
    total = float((p * q).sum())
    terms = max(P.shape[1], Q.shape[1], P.shape[0], 1)
    return upper_sum_bound(upper_sum_bound(total, terms) * (1 + 4 * UNIT_ROUNDOFF), terms) \
        + P.shape[0] * (P.shape[1] + Q.shape[1] + 4) * ETA


def _shared_residual(block, A, V, e, own, Z, dO, dI, shift) -> float:
    """An upper bound of ||B - G G^T||_2 for :func:`is_spd_arrow_shared` (inf: no factor)."""
    np = _numpy()
    r, nI, d_y = block.shape[0], Z.shape[0], V.shape[1]
    Bs = _shifted(block, dO, dO, shift)
    if Bs is None:
        return math.inf
    L = np.linalg.cholesky(Bs)
    if not np.all(np.isfinite(L)):
        return math.inf
    e_block = residual_bound(Bs, L)
    del Bs
    As = _shifted(A, dI, dO, None)
    es = e * (dI * dO[own])[:, None]              # the non-zeros of D_I E_k D_O (exact but for underflow)
    if As is None or not np.all(np.isfinite(es)):
        return math.inf
    M = np.linalg.inv(L).T                         # any M: its residual is bounded below
    Y = As @ M
    if not (np.all(np.isfinite(M)) and np.all(np.isfinite(Y))):
        return math.inf
    res_A = residual_bound(As, Y, L)               # ||A^ - Y L^T||
    res_M = residual_bound(np.eye(r), M, L)        # ||I - M L^T||
    del As
    off2 = 0.0
    for k in range(d_y):
        vmax = float(np.abs(V[:, k]).max(initial=0.0))
        off_k = vmax * res_A * (1 + 2 * UNIT_ROUNDOFF) + _frobenius(es[:, k]) * res_M * (1 + 2 * UNIT_ROUNDOFF)
        off_k *= 1 + 2 * UNIT_ROUNDOFF
        off2 += off_k * off_k * (1 + 2 * UNIT_ROUNDOFF)                # inf, not OverflowError, past the range
    off = math.nextafter(math.sqrt(upper_sum_bound(off2, d_y + 1)) * (1 + 2 * UNIT_ROUNDOFF), math.inf)
    k1 = _khatri_rao_square(Y, V)                  # ||(|Y||Y|^T) o (|V||V|^T)||_2 <= k1
    k2 = _khatri_rao_square(M[own], es)            # the same for the rows M_own(t) (x) e^_t
    # Underflow in a product of inner dimension k is at most k eta entrywise, and the Hadamard
    # product magnifies it by the other factor: r eta |V||V|^T + d_y eta |Y||Y|^T for the first
    # term (V may be huge while Y Y^T underflows), likewise for C and the last; with
    # || |P||P'|^T || <= ||P||_F ||P'||_F all of it is below (r + d_y) eta S^2, S the sum of the
    # four Frobenius norms; twice that also covers k1 and k2's own underflow.
    S = (_frobenius(Y) + _frobenius(V) + _frobenius(M[own]) + _frobenius(es) + 1) * (1 + 4 * UNIT_ROUNDOFF)
    S = math.nextafter(S * 2.0 ** -537, math.inf)  # eta S^2 = (2^-537 S)^2: no overflow on the way
    magnified = 4 * (r + d_y + 2) * S * S * (1 + 4 * UNIT_ROUNDOFF)
    W = _shifted(Z, dI, dI, shift)
    if W is None:
        return math.inf
    spectral = _spectral_up(np.abs(W))             # || |B_Z| ||
    T = Y @ Y.T
    T *= V @ V.T                                   # (Y Y^T) o (V V^T)
    terms = _spectral_up(np.abs(T))
    W -= T
    T = (Y @ M.T)[:, own]
    del Y
    T *= V @ es.T                                  # C = (Y M^T)[:, own] o (V e^T)
    terms += 2 * _spectral_up(np.abs(T))
    W -= T
    W -= T.T
    T = (M @ M.T)[np.ix_(own, own)]
    T *= es @ es.T                                 # (e^ e^T) o (M M^T)[own, own]
    terms += _spectral_up(np.abs(T))
    W -= T
    del T
    if not np.all(np.isfinite(W)):
        return math.inf
    g = gamma(max(r, d_y) + 2)                     # each product's inner sums (r or d_y terms)
    sq = math.sqrt(k1 * k2) * (1 + 2 * UNIT_ROUNDOFF)
    products = (2 * g + g * g) * (k1 + 2 * sq + k2) * (1 + 8 * UNIT_ROUNDOFF)  # (gamma_r (1 + gamma_dy) + gamma_dy) K K'^T
    e_W = gamma(6) * (spectral + terms) * (1 + 4 * UNIT_ROUNDOFF) + products \
        + 8 * nI * (r + d_y + 8) * ETA + magnified  # four subtractions, one product per term; underflow
    e_W = math.nextafter(e_W * (1 + 4 * UNIT_ROUNDOFF), math.inf)
    mid = 2 * d_y * (nI + r) * (float(np.abs(V).max(initial=0.0)) + 1) * ETA     # A^, e^ scaled into subnormals
    return _schur_total(W, e_W, e_block, off + mid)


def _shifted(M, dr, dc, shift):
    """D_r M D_c, its diagonal lowered by at least ``shift`` (square M); None if not finite or not positive."""
    np = _numpy()
    B = M * (dr[:, None] * dc[None, :])          # d_r d_c exact (powers of two): one rounding, <= eta / 2 on underflow
    if not np.all(np.isfinite(B)):
        return None
    if shift is not None:
        lowered = np.nextafter(np.diag(B) - shift, -np.inf)
        if not np.all(lowered > 0):
            return None
        B[np.diag_indices(B.shape[0])] = lowered
    return B


def _arrow_residual(blocks, Q, Z, d, shift) -> float:
    """An upper bound of ||B - G G^T||_2 for the blocked factor of :func:`is_spd_arrow` (inf: no factor)."""
    np = _numpy()
    nO = Q.shape[1]
    dO, dI = d[:nO], d[nO:]
    e_blocks, off2, Xs, start = 0.0, 0.0, [], 0
    for b in blocks:
        k = b.shape[0]
        cols = slice(start, start + k)
        Bk = _shifted(b, dO[cols], dO[cols], shift)
        if Bk is None:
            return math.inf
        Lk = np.linalg.cholesky(Bk)
        if not np.all(np.isfinite(Lk)):
            return math.inf
        e_blocks = max(e_blocks, residual_bound(Bk, Lk))
        del Bk
        Qk = _shifted(Q[:, cols], dI, dO[cols], None)
        if Qk is None:
            return math.inf
        Xk = Qk @ np.linalg.inv(Lk).T                 # any X: its residual is bounded below
        if not np.all(np.isfinite(Xk)):
            return math.inf
        off2 += residual_bound(Qk, Xk, Lk) ** 2
        Xs.append(Xk)
        start += k
    off = math.nextafter(math.sqrt(upper_sum_bound(off2, len(blocks) + 1)) * (1 + 2 * UNIT_ROUNDOFF), math.inf)
    W = _shifted(Z, dI, dI, shift)
    if W is None:
        return math.inf
    X = np.hstack(Xs) if Xs else np.zeros((Z.shape[0], 0))
    del Xs
    W -= X @ X.T                                      # |B_Z - X X^T - W| <= u |W| + gamma |X| |X|^T + eta terms
    if not np.all(np.isfinite(W)):
        return math.inf
    w_norm = _spectral_up(np.abs(W))
    nI = W.shape[0]
    e_W = UNIT_ROUNDOFF * w_norm + gamma(nO + 2) * _frobenius(X) ** 2 * (1 + 4 * UNIT_ROUNDOFF) \
        + 2 * nI * (nO + 2) * ETA
    del X
    return _schur_total(W, e_W, e_blocks, off)


def _schur_total(W, e_W, e_blocks, off) -> float:
    """max(e_blocks, e_W + ||W - L_Z L_Z^T||_2) + off, rounded up, for the
    float Schur complement W and its factor L_Z (inf when it has none)."""
    np = _numpy()
    e_Z = 0.0
    if W.shape[0]:
        LZ = np.linalg.cholesky(W)
        if not np.all(np.isfinite(LZ)):
            return math.inf
        e_Z = residual_bound(W, LZ)
    total = max(e_blocks, e_W * (1 + 2 * UNIT_ROUNDOFF) + e_Z) + off
    return math.nextafter(total * (1 + 8 * UNIT_ROUNDOFF), math.inf)


def _shift(diag, n: int) -> float:
    """An upper bound of gamma_{n+1}/(1 - gamma_{n+1}) tr(S) plus the
    underflow term of Rump's theorem (diagonal in [1/4, 1) after scaling)."""
    g = gamma(n + 1 + EXTRA_ROUNDINGS)
    if not g < 0.5:
        return math.inf
    alpha = math.nextafter(g / (1 - g) * (1 + 4 * UNIT_ROUNDOFF), math.inf)
    trace = upper_sum_bound(float(diag.sum()), n)
    underflow = 6 * n * (n + 1) * ETA * 4
    return math.nextafter(alpha * trace * (1 + 4 * UNIT_ROUNDOFF) + underflow, math.inf)


# -- rigorous float enclosures of exact data -------------------------------------

CONVERSION_ERROR = 2.0 ** -52       # relative radius of one rounded conversion (correct rounding gives 2^-53)


def rational_enclosure(entries, shape):
    """(mid, rad) float arrays with |x - mid| <= rad for the exact rationals
    ``entries`` (row-major, 0 for zeros), or None when one is out of the
    float range. Conversion rounds to nearest: |x - fl(x)| <= 2^-53 |fl(x)|
    for normal results; the radius 2^-52 |fl(x)| + 2^-1074 covers
    subnormal results too."""
    np = _numpy()
    try:
        flat = [float(x) if x else 0.0 for x in entries]
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):
        return None
    mid = np.array(flat, dtype=float).reshape(shape)
    if not np.all(np.isfinite(mid)):
        return None
    nonzero = np.array([bool(x) for x in entries]).reshape(shape) if len(flat) else mid != 0
    rad = np.abs(mid) * CONVERSION_ERROR + np.where(nonzero, ETA, 0.0)
    return mid, rad


def matrix_enclosure(S):
    """(mid, rad) for a DomainMatrix over QQ (see :func:`rational_enclosure`), or None."""
    if not S.domain.is_QQ:
        return None
    return rational_enclosure(S.to_list_flat(), S.shape)


def proves_pd(S) -> bool:
    """A symmetric DomainMatrix over QQ proven positive definite by Rump's
    test on its float enclosure (False: not proven here).

    >>> from sympy import QQ
    >>> from sympy.polys.matrices import DomainMatrix
    >>> proves_pd(DomainMatrix([[QQ(2), QQ(-1)], [QQ(-1), QQ(2)]], (2, 2), QQ))
    True
    """
    enc = matrix_enclosure(S)
    return enc is not None and is_spd(*enc)
