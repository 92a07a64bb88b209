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
from . import verified

MIN_PARAMETERS = 25          # smaller problems go to the exact route (fast there, exact evidence)
MAX_PARAMETERS = 20_000      # the float route's limit (PD / Morse-Bott decisions)
MAX_BYTES = 8 << 30          # the float route's working memory: Jacobian copies and P x P arrays


def fits(P: int, rows: int) -> bool:
    """The float route's arrays (three rows x P, six P x P float64) fit MAX_BYTES and P <= MAX_PARAMETERS.

    >>> fits(1000, 2500), fits(30_000, 10), fits(15_000, 100_000)
    (True, False, False)
    """
    return P <= MAX_PARAMETERS and 8 * (3 * rows * P + 6 * P * P) <= MAX_BYTES


class Enclosure:
    """A float enclosure ``mid``, ``rad`` of the Hessian at theta: |H - mid| <= rad
    entrywise (``mid`` None when no enclosure could be formed)."""

    def __init__(self, loss: Loss, theta):
        self.loss, self.F = loss, loss.field
        self.P = len(theta)
        self.mid = self.rad = None
        if not fits(self.P, len(loss.Y) * loss.n):       # checked before any allocation
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
        if self.mid is None or not vectors:
            return
        import numpy as np
        V = np.array([[float(v[i]) for v in vectors] for i in range(self.P)])
        A = np.abs(V)
        slack = 1 + verified.gamma(self.P + 8)
        bound = (self.rad @ A + np.abs(self.mid) @ A * (4 * verified.gamma(self.P + 8))) * slack * 2 + 1e-300
        if np.any(np.abs(self.mid @ V) > bound):
            raise AssertionError("kernel self-check failed: tangent of a constant-loss curve not in ker H")


SAFE_RANGE = (2.0 ** -900, 2.0 ** 400)     # |entries| converted without subnormals; products stay finite


def _dense(rows: dict, shape, compact: bool):
    """The exact sparse rows as a float array (rounded to nearest), or None
    when a non-zero entry is outside SAFE_RANGE (then |x - fl(x)| <= 2^-53 |fl(x)|)."""
    import numpy as np
    out = np.zeros(shape)
    index = {r: i for i, r in enumerate(sorted(rows))} if compact else None     # compact: skip empty rows
    for r, row in rows.items():
        i = index[r] if index is not None else r
        for q, x in row.items():
            try:
                out[i, q] = float(x)
            except (OverflowError, ValueError, ZeroDivisionError):
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
        cf = int(factor.p) / int(factor.q)  # a rational (fmpq or sympy): Python's int division rounds correctly
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
    """H proven positive definite by Rump's test on the enclosure."""
    return enc.mid is not None and verified.is_spd(enc.mid, enc.rad)


def complement_of_tangents(T: list[list], F: Field, P: int):
    """(S, C): |T| coordinates S with T_S invertible (proposed by float
    elimination with partial pivoting, proven by an exact rank) and the
    complement C; None when no such S is found."""
    import numpy as np
    s = len(T)
    if s == 0:
        return [], list(range(P))
    M = np.array([[float(t[i]) for t in T] for i in range(P)])      # P x s
    if not np.all(np.isfinite(M)):
        return None
    chosen = []
    for j in range(s):
        col = np.abs(M[:, j])
        col[chosen] = -1
        r = int(np.argmax(col))
        if not col[r] > 0:
            return None
        chosen.append(r)
        f = M[:, j + 1:] - np.outer(M[:, j] / M[r, j], M[r, j + 1:])
        M[:, j + 1:] = f
    S = sorted(chosen)
    if not _invertible([[t[i] for t in T] for i in S], F):
        return None
    Sset = set(S)
    return S, [i for i in range(P) if i not in Sset]


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
    if enc.mid is None or not T:
        return None
    F = enc.F
    split = complement_of_tangents(T, F, enc.P)
    if split is None:
        return None
    _, C = split
    import numpy as np
    idx = np.ix_(C, C)
    return C if verified.is_spd(enc.mid[idx], enc.rad[idx]) else None


# -- the structural Hessian in floats, vectorised over the samples --------------------------------

class _Val:
    """Floats over the samples (or one float) ``v``, an upper bound ``s`` of
    the same computation on absolute values, and ``d``, the largest number
    of rounded operations on a path to it: |exact - v| <= gamma_d * s_exact
    for circuits of + and x (Higham, sec. 3.1), inputs rounded once (d = 1)."""
    __slots__ = ("v", "s", "d")

    def __init__(self, v, s, d):
        self.v, self.s, self.d = v, s, d


def _add(a, b):
    if a is None:
        return b
    return _Val(a.v + b.v, a.s + b.s, max(a.d, b.d) + 1)


def _mul(a, b):
    return _Val(a.v * b.v, a.s * b.s, max(a.d, b.d) + 1)


def _total(a):
    """The sum over the samples (any order: n - 1 more roundings at most)."""
    return _Val(float(a.v.sum()), float(a.s.sum()), a.d + len(a.v))


def _input(x, n=None):
    import numpy as np
    f = float(x)
    if f != 0 and not SAFE_RANGE[0] <= abs(f) <= SAFE_RANGE[1]:
        raise FloatingPointError("an input outside the safe range")
    if n is None:
        return _Val(f, abs(f), 1)
    return _Val(np.full(n, f), np.full(n, abs(f)), 1)


def _inputs(row):
    import numpy as np
    v = np.array([float(x) for x in row])
    nz = np.abs(v[v != 0])
    if nz.size and not (nz.min() >= SAFE_RANGE[0] and nz.max() <= SAFE_RANGE[1]):
        raise FloatingPointError("an input outside the safe range")
    return _Val(v, np.abs(v), 1)


def _poly_taylor2(coeffs, a):
    """[p(a), p'(a), p''(a)/2] by repeated synthetic division, in _Val arithmetic."""
    cs = [_input(c) for c in coeffs]
    out = []
    for _ in range(3):
        if not cs:
            out.append(None)
            continue
        acc, quot = None, []
        for c in reversed(cs):
            acc = c if acc is None else _add(_mul(acc, a), c)
            quot.append(acc)
        out.append(quot.pop())
        cs = list(reversed(quot))
    return out


def _piecewise_linear(slopes, a):
    """[sigma(a), sigma'(a), None] for a piecewise-linear activation (slopes
    for a < 0 and a > 0), when the sign of every exact pre-activation is
    certain from its enclosure (|exact - v| <= gamma_d s_exact and
    s_exact <= s / (1 - gamma_d), with a factor 2 of slack); else raises
    FloatingPointError (the caller falls back to the exact factors)."""
    import numpy as np
    g = verified.gamma(a.d)
    margin = 2 * g / (1 - g) * a.s if g < 0.5 else np.full_like(a.s, np.inf)
    if np.any(np.abs(a.v) <= margin):
        raise FloatingPointError("a pre-activation too close to the kink")
    down, up = _input(slopes[0]), _input(slopes[1])
    k = np.where(a.v > 0, up.v, down.v)
    slope = _Val(k, np.abs(k), 1)
    return _mul(slope, a), slope, None


def float_factors(loss: Loss, theta):
    """(Jf, Jr, Gf, Gr) with |J - Jf| <= Jr and |G - Gf| <= Gr entrywise, J
    the Jacobian (rows output x sample) and G the residual part of the
    Hessian / 2s, computed in floats vectorised over the samples (no exact
    rationals); None when an activation is neither a polynomial nor
    piecewise linear, a pre-activation of a piecewise-linear one is too
    close to its kink to know its sign, a number is outside SAFE_RANGE or an operation underflows or overflows (numpy
    floating-point traps)."""
    import numpy as np
    if getattr(loss, "_slopes", None):
        return None
    for st in loss.steps:
        act = st.activation
        if act is not None and act.polynomial_coefficients is None and act.slopes is None:
            return None
    try:
        with np.errstate(all="raise"):
            return _float_factors(loss, theta)
    except (FloatingPointError, OverflowError, ZeroDivisionError, ValueError, TypeError):
        return None


def _float_factors(loss, theta):
    import numpy as np
    n, ni, P = loss.n, loss.n_inputs, len(theta)
    one = _Val(np.ones(n), np.ones(n), 0)
    th = [_input(t) for t in theta]
    vals = {i: _inputs(loss.X[i]) for i in range(ni)}
    A, Hh, d1, d2 = {}, {}, {}, {}
    for st in loss.steps:
        pre, rows = None, {}
        for src, p, c in st.terms:
            w = th[p] if p is not None else _input(c)
            h = vals[src]
            pre = _add(pre, _mul(w, h))
            if src >= ni and w.v != 0:
                for q, t in Hh[src].items():
                    rows[q] = _add(rows.get(q), _mul(w, t))
            if p is not None:
                rows[p] = _add(rows.get(p), h)
        if st.bias is not None:
            pre = _add(pre, th[st.bias]) if pre is not None else _mul(th[st.bias], one)
            rows[st.bias] = _add(rows.get(st.bias), one)
        if pre is None:
            pre = _Val(np.zeros(n), np.zeros(n), 0)
        A[st.slot] = rows
        act = st.activation
        if act is None:
            vals[st.slot] = pre
        elif act.kind == "linear":
            vals[st.slot], d1[st.slot], d2[st.slot], Hh[st.slot] = pre, one, None, rows
        else:
            if act.slopes is not None:
                c0, c1, c2 = _piecewise_linear(act.slopes, pre)
            else:
                c0, c1, c2 = _poly_taylor2(act.polynomial_coefficients, pre)
            vals[st.slot] = c0 if c0 is not None else _Val(np.zeros(n), np.zeros(n), 0)
            d1[st.slot] = c1
            d2[st.slot] = None if c2 is None else _mul(c2, _Val(2.0, 2.0, 0))
            Hh[st.slot] = {q: _mul(v, c1) for q, v in rows.items()} if c1 is not None else {}
    G: dict = {}

    def add_to(p, q, x):
        row = G.setdefault(p, {})
        row[q] = _add(row.get(q), x)

    lam = {o: _add(vals[o], _Val(-_inputs(y).v, _inputs(y).s, 1)) for o, y in zip(loss.output_slots, loss.Y)}
    Lam: dict = {o: {} for o in loss.output_slots}
    mu: dict = {}
    Mu: dict = {}
    for st in reversed(loss.steps):
        v = st.slot
        if st.activation is not None:
            if v not in mu:
                continue
            if d1[v] is None:
                lam[v], Lam[v] = _Val(np.zeros(n), np.zeros(n), 0), {}
            else:
                lam[v] = _mul(d1[v], mu[v])
                Lam[v] = {q: _mul(x, d1[v]) for q, x in Mu[v].items()}
            if d2[v] is not None:
                f = _mul(d2[v], mu[v])
                for q, x in A[v].items():
                    Lam[v][q] = _add(Lam[v].get(q), _mul(f, x))
        for src, p, c in st.terms:
            h = vals[src]
            if p is not None:
                for q, x in Lam[v].items():
                    add_to(p, q, _total(_mul(x, h)))
                if src >= ni:
                    for q, t in Hh[src].items():
                        add_to(p, q, _total(_mul(t, lam[v])))
            if src >= ni:
                w = th[p] if p is not None else _input(c)
                mu[src] = _add(mu.get(src), _mul(w, lam[v]))
                M = Mu.setdefault(src, {})
                if w.v != 0:
                    for q, x in Lam[v].items():
                        M[q] = _add(M.get(q), _mul(w, x))
                if p is not None:
                    M[p] = _add(M.get(p), lam[v])
        if st.bias is not None:
            for q, x in Lam[v].items():
                add_to(st.bias, q, _total(x))
    rows = len(loss.Y) * n
    Jf, Js = np.zeros((rows, P)), np.zeros((rows, P))
    depth = 1
    for i, o in enumerate(loss.output_slots):
        for q, x in A[o].items():
            Jf[i * n:(i + 1) * n, q] = x.v
            Js[i * n:(i + 1) * n, q] = x.s
            depth = max(depth, x.d)
    Gf, Gs = np.zeros((P, P)), np.zeros((P, P))
    for p, row in G.items():
        for q, x in row.items():
            Gf[p, q] = x.v
            Gs[p, q] = x.s
            depth = max(depth, x.d)
    g = verified.gamma(depth + 2)
    scale = g / (1 - g) * (1 + verified.gamma(4))
    return Jf, Js * scale, Gf, Gs * scale
