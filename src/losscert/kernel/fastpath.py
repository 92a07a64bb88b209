"""Positive definite and Morse-Bott decisions at floating-point speed.

At an exact critical point of a loss over Q, the Hessian H = 2s (J^T J + G)
is enclosed in floats (mid, rad) from the exact Jacobian J and residual part
G of the structural Hessian, without forming the exact P x P matrix; then
Rump's test (:mod:`.verified`) proves

- H positive definite: a strict local minimum; or
- Morse-Bott: with T the independent tangents of the rescaling orbits
  (exact; H T = 0 by structure: a one-parameter group of linear maps
  preserving L everywhere maps critical points to critical points, so
  differentiating grad L = 0 along the orbit gives H t = 0; checked against
  the enclosure as a self-check), a set S of |T|
  coordinates with T_S invertible (checked exactly) and C its complement,
  H_CC positive definite. Every v is T a + w with w_S = 0 (a = T_S^-1 v_S),
  so v^T H v = w_C^T H_CC w_C >= 0 with equality only for v in span T:
  H is PSD with kernel exactly span T.

Nothing here refutes; when the test does not prove, the caller takes the
exact route (:mod:`.linalg`).
"""
from __future__ import annotations

from ..compiler import Loss, _ExactNumbers
from ..fields import Field
from . import shallow, verified
from .float_pass import MAX_BYTES, MAX_PARAMETERS, SAFE_RANGE, fits, float_factors  # noqa: F401 (this module's API)

MIN_PARAMETERS = 25          # smaller problems go to the exact route (fast there, exact evidence)
BLOCKS_FROM = 1500           # one-hidden-layer networks from this size: H in blocks (:mod:`.shallow`)


def at_scale(loss: Loss, P: int) -> bool:
    """A one-hidden-layer network (:func:`.shallow.applies`) of at least
    BLOCKS_FROM parameters: the modular pass and the blocks run for it."""
    return P >= BLOCKS_FROM and shallow.applies(loss)


class Enclosure:
    """A float enclosure ``mid``, ``rad`` of the Hessian at theta: |H - mid| <= rad
    entrywise (``mid`` None when no enclosure could be formed), or for a
    one-hidden-layer network of at least BLOCKS_FROM parameters its
    :class:`.shallow.Blocks` (``blocks``; then ``mid`` is None). ``forward``:
    the forward pass the gradient kept at theta (the modular pass's or the
    integer pass's), when the caller has it."""

    def __init__(self, loss: Loss, theta, forward: dict | None = None):
        self.loss, self.F = loss, loss.field
        self.P = len(theta)
        self.mid = self.rad = self.blocks = None
        if self.P >= BLOCKS_FROM:
            self.blocks = shallow.hessian_blocks(loss, theta, forward)
            if self.blocks is not None:
                return
        if not fits(self.P, len(loss.Y) * loss.n):       # checked before any allocation
            return
        if not _in_safe_range(theta):   # the tangents (theta entries) must convert too: else the exact route
            return
        factors = float_factors(loss, theta)         # vectorised floats with radii (polynomial activations)
        if factors is None:                           # else from the exact structural factors
            J, G = loss._structural_hessian(theta, _ExactNumbers(loss))
            factors = _exact_factors(J, G, self.P)
            del J, G
        self.mid, self.rad = _float_hessian(factors, loss.scale * 2)

    def self_check(self, vectors) -> None:
        """Raise AssertionError unless H v = 0 is consistent with the enclosure
        for each exact vector v (a float self-check of a structural fact: the
        tangent of a constant-loss curve through a critical point is in ker H)."""
        if self.blocks is not None:
            self.blocks.self_check(vectors)
            return
        if self.mid is None or not vectors:
            return
        import numpy as np
        V = np.array([[float(v[i]) for v in vectors] for i in range(self.P)])
        A = np.abs(V)
        slack = 1 + verified.gamma(self.P + 8)
        bound = (self.rad @ A + np.abs(self.mid) @ A * (4 * verified.gamma(self.P + 8))) * slack * 2 + 1e-300
        if np.any(np.abs(self.mid @ V) > bound):
            raise AssertionError("kernel self-check failed: tangent of a constant-loss curve not in ker H")


def _in_safe_range(values) -> bool:
    """Every non-zero exact value converts to a float with |x| in SAFE_RANGE."""
    for x in values:
        if x:
            try:
                f = abs(float(x))
            except (OverflowError, ValueError, TypeError, ZeroDivisionError):
                return False
            if not SAFE_RANGE[0] <= f <= SAFE_RANGE[1]:
                return False
    return True


def _dense(rows: dict, shape, compact: bool):
    """The exact sparse rows as a float array (rounded to nearest), or None
    when a non-zero entry is outside SAFE_RANGE or rounds to 0 (then
    |x - fl(x)| <= 2^-53 |fl(x)|)."""
    import numpy as np
    out = np.zeros(shape)
    index = {r: i for i, r in enumerate(sorted(rows))} if compact else None     # compact: skip empty rows
    for r, row in rows.items():
        i = index[r] if index is not None else r
        for q, x in row.items():
            try:
                out[i, q] = f = float(x)
            except (OverflowError, ValueError, ZeroDivisionError):
                return None
            if f == 0 and x != 0:                   # below the smallest subnormal: no relative bound
                return None
    nz = np.abs(out[out != 0])
    if nz.size and not (nz.min() >= SAFE_RANGE[0] and nz.max() <= SAFE_RANGE[1]):
        return None
    return out


def _exact_factors(J: dict, G: dict, P: int):
    """(Jf, Jr, Gf, Gr) from the exact sparse rows: entries in SAFE_RANGE
    convert with |x - fl(x)| <= e |fl(x)|, e = 2^-52 (twice the unit
    roundoff, for slack); Jr None stands for e |Jf|; None when out of range."""
    Jf = _dense(J, (len(J), P), True)
    Gf = _dense(G, (P, P), False)
    if Jf is None or Gf is None:
        return None
    import numpy as np
    return Jf, None, Gf, np.abs(Gf) * verified.CONVERSION_ERROR


def _float_hessian(factors, factor):
    """(mid, rad) with |2s (J^T J + G) - mid| <= rad from float factors
    (Jf, Jr, Gf, Gr), |J - Jf| <= Jr (None: e |Jf|), |G - Gf| <= Gr.

    With A = |Jf|^T |Jf| and B = (|Jf| + Jr)^T (|Jf| + Jr):
    |J^T J - Jf^T Jf| <= B - A, and any floating-point evaluation of Jf^T Jf,
    A or B over k rows errs by at most gamma_k A (resp. B) + 2 (k + 2) eta
    (eta: the smallest subnormal; underflow in a product). The factor fl(2s)
    adds e-relative terms; the final radius is raised by gamma_8 for the
    rounding of its own few non-negative operations."""
    import numpy as np
    if factors is None:
        return None, None
    Jf, Jr, Gf, Gr = factors
    e, eta, u = verified.CONVERSION_ERROR, verified.ETA, verified.UNIT_ROUNDOFF
    k = max(Jf.shape[0], 1)
    try:
        num, den = (factor.p, factor.q) if hasattr(factor, "q") else (factor.numerator, factor.denominator)
        cf = int(num) / int(den)            # a rational (fmpq, sympy, int): Python's int division rounds correctly
    except (AttributeError, TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None, None
    if not SAFE_RANGE[0] <= abs(cf) <= SAFE_RANGE[1]:
        return None, None
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        gram = Jf.T @ Jf
        absJ = np.abs(Jf)
        del Jf
        A = absJ.T @ absJ
        g = verified.gamma(k + 2)
        under = 2 * (k + 2) * eta
        A_up = (A + under) / (1 - g)
        if Jr is None:                                   # B = (1 + e)^2 A exactly
            cross = A_up * (2 * e + e * e)
        else:
            absJ += Jr
            B = absJ.T @ absJ
            B_up = (B + under) / (1 - g)
            A_low = np.maximum((A - under) / (1 + g), 0.0)
            cross = B_up - A_low
            del B, B_up, A_low
        del absJ, A
        rad = A_up * g + cross + under
        del A_up, cross
        mid = gram + Gf
        del gram
        rad += Gr + np.abs(mid) * (2 * u)                # the sum gram + Gf
        del Gf, Gr
        rad = (rad + np.abs(mid) * e) * abs(cf) * (1 + 4 * e)     # |2s - fl(2s)| <= e |fl(2s)|
        mid *= cf
        rad += np.abs(mid) * (2 * u) + eta              # the product by fl(2s)
        rad *= 1 + verified.gamma(8)
    if not (np.all(np.isfinite(mid)) and np.all(np.isfinite(rad))):
        return None, None
    return mid, rad


def ball_hessian(J: dict, G: dict, P: int, factor):
    """(mid, rad) with |H - mid| <= rad for every H = factor (J^T J + G), J
    and G given as dicts of sparse rows of Arb balls (the box Hessian's
    factors, :meth:`losscert.compiler.Loss.iv_hessian_factors`); (None, None)
    when a ball is not finite in floats. Gram product in BLAS, radii as in
    :func:`_float_hessian`."""
    if not fits(P, len(J)):
        return None, None
    Jb = _ball_arrays(J, (len(J), P), True)
    Gb = _ball_arrays(G, (P, P), False)
    if Jb is None or Gb is None:
        return None, None
    return _float_hessian((Jb[0], Jb[1], Gb[0], Gb[1]), factor)


def hessian_from_factors(factors, P: int, factor):
    """(mid, rad) enclosing factor (J^T J + G) from float factors (Jf, Jr, Gf, Gr)
    with |J - Jf| <= Jr, |G - Gf| <= Gr; (None, None) past the size limit."""
    if not fits(P, factors[0].shape[0]):
        return None, None
    return _float_hessian(factors, factor)


def _ball_arrays(rows: dict, shape, compact: bool):
    """(mid, rad) float arrays enclosing sparse rows of Arb balls, or None.
    A ball [m +/- r] converts to fl(m) (faithful: |m - fl(m)| < one ulp
    <= 2^-52 |fl(m)| + eta) and fl(r) (within one ulp of r), so
    rad = (fl(r) (1 + 2^-50) + 2^-51 |fl(m)|) + eta covers the ball."""
    import numpy as np
    index = {r: i for i, r in enumerate(sorted(rows))} if compact else None
    ii, jj, mids, rads = [], [], [], []
    for r, row in rows.items():
        i = index[r] if index is not None else r
        for q, b in row.items():
            ii.append(i)
            jj.append(q)
            mids.append(float(b.mid()))
            rads.append(float(b.rad()))
    m, rr = np.array(mids, dtype=float), np.array(rads, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        rad = (rr * (1 + 2.0 ** -50) + np.abs(m) * 2.0 ** -51) + verified.ETA
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(rad))):
        return None
    out_m, out_r = np.zeros(shape), np.zeros(shape)
    out_m[ii, jj] = m
    out_r[ii, jj] = rad
    return out_m, out_r


def positive_definite(enc: Enclosure) -> bool:
    """H proven positive definite by Rump's test on the enclosure (or on its blocks)."""
    blocks = getattr(enc, "blocks", None)
    if blocks is not None:
        return blocks.positive_definite()
    return enc.mid is not None and verified.is_spd(enc.mid, enc.rad)


def complement_of_tangents(T: list[list], F: Field, P: int, prefer=None):
    """(S, C): |T| coordinates S with T_S invertible and the complement C;
    None when no such S is found (:func:`independent_pivots`)."""
    S = independent_pivots(T, F, prefer) if T else []
    if S is None:
        return None
    Sset = set(S)
    return sorted(S), [i for i in range(P) if i not in Sset]


def independent_pivots(T: list[list], F: Field, prefer=None):
    """|T| coordinates S with T_S exactly invertible (so the tangents are
    independent), or None. Tangents are grouped by shared coordinates: T_S is
    then block diagonal, one block per group. A tangent alone in its group
    takes its largest entry (among the coordinates in ``prefer`` when it
    has one there): a non-zero 1 x 1 block. A larger group (two hidden
    nodes of a linear layer reading the same inputs, say) is eliminated on
    its own coordinates (:func:`_eliminated_pivots`, an exact rank).

    >>> from sympy import QQ
    >>> from losscert.fields import Field
    >>> independent_pivots([[1, 0, -1, 0], [0, 2, 0, 0]], Field(QQ))
    [0, 1]
    >>> independent_pivots([[1, 0, -1, 0], [0, 2, 0, 0]], Field(QQ), prefer={2})
    [2, 1]
    >>> independent_pivots([[QQ(1), QQ(1), QQ(0)], [QQ(0), QQ(1), QQ(1)], [QQ(1), QQ(2), QQ(1)]], Field(QQ)) is None
    True
    """
    supports = [[i for i, x in enumerate(t) if x] for t in T]
    if any(not support for support in supports):
        return None
    parent = list(range(len(T)))

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict = {}
    for k, support in enumerate(supports):
        for i in support:
            if i in owner:
                parent[root(k)] = root(owner[i])
            else:
                owner[i] = k
    groups: dict = {}
    for k in range(len(T)):
        groups.setdefault(root(k), []).append(k)
    pivots = []
    for members in groups.values():
        if len(members) == 1:
            t, support = T[members[0]], supports[members[0]]
            among = [i for i in support if i in prefer] if prefer else []
            pivots.append(max(among or support, key=lambda i: _magnitude(t[i])))
            continue
        rows = sorted({i for k in members for i in supports[k]})
        chosen = _eliminated_pivots([[T[k][i] for i in rows] for k in members], F, len(rows))
        if chosen is None:
            return None
        pivots += [rows[c] for c in chosen]
    return pivots


def _eliminated_pivots(T: list[list], F: Field, P: int):
    """|T| coordinates S with T_S invertible: float elimination with partial
    pivoting proposes, an exact rank proves; None when it fails."""
    import numpy as np
    try:
        M = np.array([[float(t[i]) for t in T] for i in range(P)])      # P x s
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):
        return None
    if not np.all(np.isfinite(M)):
        return None
    chosen = []
    for j in range(len(T)):
        col = np.abs(M[:, j])
        col[chosen] = -1
        r = int(np.argmax(col))
        if not col[r] > 0:
            return None
        chosen.append(r)
        f = M[:, j + 1:] - np.outer(M[:, j] / M[r, j], M[r, j + 1:])
        M[:, j + 1:] = f
    if not _invertible([[t[i] for t in T] for i in sorted(chosen)], F):
        return None
    return chosen


def _magnitude(x) -> float:
    """|x| as a float to choose a pivot by (any field element; 0 when it has no float)."""
    try:
        return abs(float(x))
    except (TypeError, ValueError, OverflowError):
        return 0.0


def _invertible(rows, F: Field) -> bool:
    """The square exact matrix has full rank (FLINT's rank over Q, else SymPy's)."""
    from .linalg import matrix, rref
    n = len(rows)
    if n == 0:
        return True
    return len(rref(matrix(rows, F))[1]) == n


def morse_bott(enc: Enclosure, T: list[list]):
    """The complement C when H T = 0 holds exactly and H_CC is proven positive
    definite (then H is PSD with kernel exactly span T, T independent); None
    when not proven here."""
    blocks = getattr(enc, "blocks", None)
    if (enc.mid is None and blocks is None) or not T:
        return None
    F = enc.F
    # in blocks, pivots among the inner parameters keep the output blocks whole (and the inner block smaller)
    split = complement_of_tangents(T, F, enc.P, set(blocks.order[blocks.n_outer:]) if blocks is not None else None)
    if split is None:
        return None
    _, C = split
    if blocks is not None:
        return C if blocks.positive_definite(C) else None
    import numpy as np
    idx = np.ix_(C, C)
    return C if verified.is_spd(enc.mid[idx], enc.rad[idx]) else None
