"""The structural Hessian factors in floats, vectorised over the samples,
with rigorous radii.

One forward-over-reverse pass over the network (the float twin of
:meth:`losscert.compiler.Loss._structural_hessian`) gives J, the Jacobian
(rows output x sample), and G, the residual part of Hessian / 2s, as
float arrays Jf, Gf with radii Jr, Gr: |J - Jf| <= Jr and |G - Gf| <= Gr
entrywise. It runs in one of two arithmetics:

- :class:`Rounding`, at a rational point, for linear, polynomial and
  piecewise-linear activations: each number carries a float ``v``, an
  upper bound ``s`` of the same computation on absolute values and the
  depth ``d`` (the most rounding factors (1 + delta) on a monomial: max + 1
  for a sum, the two depths added + 1 for a product): |exact - v| <=
  gamma_d s for circuits of + and x with inputs rounded once (Higham,
  sec. 3.1 and Lemma 3.3); scalars are numpy float64, so that numpy's
  underflow trap sees their arithmetic too;
- :class:`Balls`, on a box (midpoint-radius intervals in floats, every
  rounding folded into the radius, S. M. Rump, "Fast and parallel interval
  arithmetic", BIT 39 (1999)), for any activation with Arb Taylor
  coefficients: sigma, sigma', sigma''/2 are enclosed by Arb once per
  sample and neuron on the pre-activation's interval, never per Hessian
  entry. Also gives the loss on the box.

Either returns None (the caller takes the exact or Arb route) when a number
leaves SAFE_RANGE, an operation overflows (numpy traps it), or an
activation cannot be enclosed (a kink inside an interval, a
transcendental activation at a point).

>>> from losscert.network import dense
>>> from losscert.compiler import compile_loss
>>> loss = compile_loss(dense([1, 1, 1], activation="poly(0, 1, 1/2)"), X=[[1, 2]], Y=[[1, 0]])
>>> Jf, Jr, Gf, Gr = float_factors(loss, loss.point([1, 1]))
>>> Jf.tolist(), bool(Jr.max() < 1e-13)
([[2.0, 1.5], [6.0, 4.0]], True)
"""
from __future__ import annotations

import math

from . import verified

SAFE_RANGE = (2.0 ** -900, 2.0 ** 400)     # |entries| converted without subnormals; products stay finite
MAX_PARAMETERS = 20_000      # the float route's limit (PD / Morse-Bott decisions)
MAX_BYTES = 8 << 30          # the float route's working memory: Jacobian copies and P x P arrays


def fits(P: int, rows: int) -> bool:
    """The float route's arrays (three rows x P, six P x P float64) fit MAX_BYTES and P <= MAX_PARAMETERS.

    >>> fits(1000, 2500), fits(30_000, 10), fits(15_000, 100_000)
    (True, False, False)
    """
    return P <= MAX_PARAMETERS and 8 * (3 * rows * P + 6 * P * P) <= MAX_BYTES


U = verified.UNIT_ROUNDOFF
ETA = verified.ETA


def _np():
    import numpy
    return numpy


# -- Rounding: a point, roundings tracked by depth ------------------------------------------

class _Val:
    """Floats over the samples (or one numpy float64) ``v``, an upper bound
    ``s`` of the same computation on absolute values, and ``d``, a bound on
    the number of rounding factors (1 + delta) on any monomial of it:
    |exact - v| <= gamma_d * s_exact for circuits of + and x (Higham, sec.
    3.1), inputs rounded once (d = 1). A sum takes max(d_a, d_b) + 1; a
    product d_a + d_b + 1 (the monomials of a b carry the factors of both:
    (1 + theta_j)(1 + theta_k) = 1 + theta_{j+k}), not max + 1."""
    __slots__ = ("v", "s", "d")

    def __init__(self, v, s, d):
        self.v, self.s, self.d = v, s, d


def _vanished(exact, f) -> bool:
    """A non-zero exact number that rounds to 0.0 (below the smallest
    subnormal): |x - fl(x)| <= u |x| fails for it, and large weights
    downstream can make it anything but negligible."""
    return f == 0 and exact != 0


def _safe(v):
    np = _np()
    nz = np.abs(v[v != 0]) if np.ndim(v) else (abs(v) if v else np.zeros(0))
    if np.size(nz) and not (np.min(nz) >= SAFE_RANGE[0] and np.max(nz) <= SAFE_RANGE[1]):
        raise FloatingPointError("an input outside the safe range")


class Rounding:
    """The arithmetic of :class:`_Val` (a point evaluation)."""

    def __init__(self):
        self.depth = 1

    @staticmethod
    def add(a, b):
        if a is None:
            return b
        return _Val(a.v + b.v, a.s + b.s, max(a.d, b.d) + 1)

    @staticmethod
    def mul(a, b):
        """The depths of a product's factors add up: every monomial of a.b
        carries the error factors of both (Higham, Lemma 3.3: (1 + theta_j)
        (1 + theta_k) = 1 + theta_(j+k)), plus one rounding."""
        return _Val(a.v * b.v, a.s * b.s, a.d + b.d + 1)

    @staticmethod
    def total(a):
        """The sum over the samples (any order: n - 1 more roundings at most)."""
        return _Val(a.v.sum(), a.s.sum(), a.d + len(a.v))          # numpy float64: trapped

    @staticmethod
    def number(x):
        """One exact rational, rounded once (theta's coordinates, weights, coefficients).
        A numpy float64, not a Python float: numpy's traps (errstate) see
        underflow in numpy scalar arithmetic, never in Python's (a chain of
        scalars, e.g. constant neurons, would underflow silently)."""
        f = float(x)
        _safe(f)
        if _vanished(x, f):
            raise FloatingPointError("a non-zero number that rounds to 0")
        return _Val(_np().float64(f), _np().float64(abs(f)), 1)

    @staticmethod
    def row(xs):
        """Exact rationals over the samples, each rounded once."""
        v = _np().array([float(x) for x in xs])
        _safe(v)
        if any(_vanished(x, f) for x, f in zip(xs, v.tolist())):
            raise FloatingPointError("a non-zero number that rounds to 0")
        return _Val(v, _np().abs(v), 1)

    @staticmethod
    def filled(n, value):
        """An exact float constant (0, 1, 2) over n samples (or one number when n is None)."""
        np = _np()
        if n is None:
            return _Val(np.float64(value), np.float64(abs(value)), 0)
        return _Val(np.full(n, float(value)), np.full(n, abs(float(value))), 0)

    @staticmethod
    def negated(a):
        return _Val(-a.v, a.s, a.d)

    @staticmethod
    def nonzero(a):
        return bool(a.v != 0)

    def activation(self, act, a):
        """[sigma(a), sigma'(a), sigma''(a)/2] (None: identically 0)."""
        if act.slopes is not None:
            return _piecewise_linear(act.slopes, a)
        if act.polynomial_coefficients is None:
            raise FloatingPointError("only polynomial and piecewise-linear activations at a point")
        return _poly_taylor2(self, act.polynomial_coefficients, a)

    def store(self, mid, aux, index, x):
        mid[index], aux[index] = x.v, x.s
        self.depth = max(self.depth, x.d)

    def radius(self, aux):
        g = verified.gamma(self.depth + 2)
        if not g < 0.5:                 # inf past (d + 2) u >= 1/2: inf / (1 - inf) would give NaN radii
            raise FloatingPointError("too many roundings on a path for the a priori bound")
        return aux * (g / (1 - g) * (1 + verified.gamma(4)))


def _poly_taylor2(ar, coeffs, a):
    """[p(a), p'(a), p''(a)/2] by repeated synthetic division."""
    cs = [ar.number(c) for c in coeffs]
    out = []
    for _ in range(3):
        if not cs:
            out.append(None)
            continue
        acc, quot = None, []
        for c in reversed(cs):
            acc = c if acc is None else ar.add(ar.mul(acc, a), c)
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
    np = _np()
    g = verified.gamma(a.d)
    margin = 2 * g / (1 - g) * a.s if g < 0.5 else np.full_like(a.s, np.inf)
    if np.any(np.abs(a.v) <= margin):
        raise FloatingPointError("a pre-activation too close to the kink")
    down, up = Rounding.number(slopes[0]), Rounding.number(slopes[1])
    k = np.where(a.v > 0, up.v, down.v)
    slope = _Val(k, np.abs(k), 1)
    return Rounding.mul(slope, a), slope, None


# -- Balls: midpoint-radius intervals in floats ---------------------------------------------

class _Ball:
    """[c - r, c + r] over the samples (or one interval): c, r floats, r >= 0."""
    __slots__ = ("c", "r")

    def __init__(self, c, r):
        self.c, self.r = c, r


def _up(x):
    """An upper bound of a non-negative quantity computed with at most 8
    rounded operations (each with relative error <= u; products that
    underflow err by <= eta/2 each)."""
    return x * (1 + 16 * U) + 8 * ETA


def _rational_ball(x):
    """fl(x) +/- (2^-52 |fl(x)| + eta): holds the exact rational x (correct rounding, with slack)."""
    f = float(x)
    _safe(f)
    return f, abs(f) * 2.0 ** -52 + ETA


class Balls:
    """Midpoint-radius arithmetic: every result holds the exact result of
    its operation for all operands in their intervals (the rounding of c
    is folded into r: |fl(c) - c| <= u |fl(c)| + eta)."""

    @staticmethod
    def add(a, b):
        if a is None:
            return b
        c = a.c + b.c
        return _Ball(c, _up(a.r + b.r + U * abs(c)))

    @staticmethod
    def mul(a, b):
        c = a.c * b.c
        return _Ball(c, _up(abs(a.c) * b.r + a.r * abs(b.c) + a.r * b.r + U * abs(c)))

    @staticmethod
    def total(a):
        """The sum over the samples: |sum c - fl(sum c)| <= gamma_n sum |c| (any order)."""
        np = _np()
        n = len(a.c)
        g = verified.gamma(n + 1)
        c = float(a.c.sum())
        spread = float(a.r.sum()) + g * float(np.abs(a.c).sum())
        return _Ball(c, _up(spread / (1 - g)) if g < 0.5 else math.inf)

    @staticmethod
    def number(x):
        if isinstance(x, tuple):                        # a box coordinate: (rational centre, rational radius)
            centre, rho = x
            c, r = _rational_ball(centre)
            rho_up = float(rho) * (1 + 4 * U) + ETA
            return _Ball(c, _up(r + rho_up))
        return _Ball(*_rational_ball(x))

    @staticmethod
    def row(xs):
        np = _np()
        c = np.array([float(x) for x in xs])
        _safe(c)
        return _Ball(c, np.abs(c) * 2.0 ** -52 + ETA)

    @staticmethod
    def filled(n, value):
        np = _np()
        if n is None:
            return _Ball(float(value), 0.0)
        return _Ball(np.full(n, float(value)), np.zeros(n))

    @staticmethod
    def negated(a):
        return _Ball(-a.c, a.r)

    @staticmethod
    def nonzero(a):
        return bool(a.c != 0 or a.r != 0)

    @staticmethod
    def activation(act, a):
        """[sigma, sigma', sigma''/2] on each sample's interval, by Arb (at the
        caller's precision), converted to floats outward."""
        from flint import arb
        np = _np()
        cols = [[], [], []]
        for c, r in zip(a.c.tolist(), a.r.tolist()):
            coeffs = act.arb_taylor(arb(c, r), 2)
            if len(coeffs) != 3:
                raise FloatingPointError("the activation gave no second-order enclosure")
            for col, b in zip(cols, coeffs):
                col.append(b)
        out = []
        for col in cols:
            m = np.array([float(b.mid()) for b in col])
            rr = np.array([float(b.rad()) for b in col])
            rad = rr * (1 + 2.0 ** -50) + np.abs(m) * 2.0 ** -51 + ETA
            if not (np.all(np.isfinite(m)) and np.all(np.isfinite(rad))):
                raise FloatingPointError("an activation's enclosure left the floats")
            out.append(_Ball(m, rad))
        return out

    @staticmethod
    def store(mid, aux, index, x):
        mid[index], aux[index] = x.c, x.r

    @staticmethod
    def radius(aux):
        return aux


# -- the pass ---------------------------------------------------------------------------------

def float_factors(loss, theta):
    """(Jf, Jr, Gf, Gr) at the rational point theta (:class:`Rounding`), or
    None when an activation is neither a polynomial nor piecewise linear, a
    piecewise-linear pre-activation is too close to its kink to know its
    sign, a number is outside SAFE_RANGE, or an operation underflows or
    overflows (numpy traps)."""
    np = _np()
    if getattr(loss, "_slopes", None) or not loss.field.is_rational:
        return None
    for st in loss.steps:
        act = st.activation
        if act is not None and act.polynomial_coefficients is None and act.slopes is None:
            return None
    try:
        with np.errstate(all="raise"):
            return _run(loss, theta, Rounding())["factors"]
    except (FloatingPointError, OverflowError, ZeroDivisionError, ValueError, TypeError):
        return None


def box_factors(loss, centre, rho):
    """On the box centre +/- rho (sup norm; centre and rho rational):
    ``{"factors": (Jf, Jr, Gf, Gr), "value": (c, r)}`` (L on the box) in
    :class:`Balls` arithmetic, or None (see the module docstring). Arb's
    precision is the caller's. (The gradient at a near-critical centre
    needs more digits than floats have: it is enclosed by Arb.)"""
    np = _np()
    if getattr(loss, "_slopes", None) or not loss.field.is_rational:
        return None
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):   # underflow: the eta terms
            return _run(loss, [(t, rho) for t in centre], Balls(), extras=True)
    except (ArithmeticError, ValueError, TypeError):      # FloatingPointError, NonSmooth, Arb failures
        return None


def _run(loss, theta, ar, extras: bool = False):
    """The pass (forward tangents, then forward-over-reverse with the
    residual as a fixed seed) in the arithmetic ``ar``."""
    np = _np()
    n, ni, P = loss.n, loss.n_inputs, len(theta)
    if not fits(P, len(loss.Y) * n):                    # before any allocation
        raise FloatingPointError("the float arrays would not fit the memory budget")
    one = ar.filled(n, 1)
    th = [ar.number(t) for t in theta]
    vals = {i: ar.row(loss.X[i]) for i in range(ni)}
    A, Hh, d1, d2 = {}, {}, {}, {}
    for st in loss.steps:
        pre, rows = None, {}
        for src, p, c in st.terms:
            w = th[p] if p is not None else ar.number(c)
            h = vals[src]
            pre = ar.add(pre, ar.mul(w, h))
            if src >= ni and ar.nonzero(w):
                for q, t in Hh[src].items():
                    rows[q] = ar.add(rows.get(q), ar.mul(w, t))
            if p is not None:
                rows[p] = ar.add(rows.get(p), h)
        if st.bias is not None:
            pre = ar.add(pre, th[st.bias]) if pre is not None else ar.mul(th[st.bias], one)
            rows[st.bias] = ar.add(rows.get(st.bias), one)
        if pre is None:
            pre = ar.filled(n, 0)
        A[st.slot] = rows
        act = st.activation
        if act is None:
            vals[st.slot] = pre
        elif act.kind == "linear":
            vals[st.slot], d1[st.slot], d2[st.slot], Hh[st.slot] = pre, one, None, rows
        else:
            c0, c1, c2 = ar.activation(act, pre)
            vals[st.slot] = c0 if c0 is not None else ar.filled(n, 0)
            d1[st.slot] = c1
            d2[st.slot] = None if c2 is None else ar.mul(c2, ar.filled(None, 2))
            Hh[st.slot] = {q: ar.mul(v, c1) for q, v in rows.items()} if c1 is not None else {}
    lam = {o: ar.add(vals[o], ar.negated(ar.row(y))) for o, y in zip(loss.output_slots, loss.Y)}
    out = {}
    if extras:
        out.update(_value(loss, ar, lam))
    G: dict = {}

    def add_to(p, q, x):
        row = G.setdefault(p, {})
        row[q] = ar.add(row.get(q), x)

    Lam: dict = {o: {} for o in loss.output_slots}
    mu: dict = {}
    Mu: dict = {}
    for st in reversed(loss.steps):
        v = st.slot
        if st.activation is not None:
            if v not in mu:
                continue
            if d1[v] is None:
                lam[v], Lam[v] = ar.filled(n, 0), {}
            else:
                lam[v] = ar.mul(d1[v], mu[v])
                Lam[v] = {q: ar.mul(x, d1[v]) for q, x in Mu[v].items()}
            if d2[v] is not None:
                f = ar.mul(d2[v], mu[v])
                for q, x in A[v].items():
                    Lam[v][q] = ar.add(Lam[v].get(q), ar.mul(f, x))
        for src, p, c in st.terms:
            h = vals[src]
            if p is not None:
                for q, x in Lam[v].items():
                    add_to(p, q, ar.total(ar.mul(x, h)))
                if src >= ni:
                    for q, t in Hh[src].items():
                        add_to(p, q, ar.total(ar.mul(t, lam[v])))
            if src >= ni:
                w = th[p] if p is not None else ar.number(c)
                mu[src] = ar.add(mu.get(src), ar.mul(w, lam[v]))
                M = Mu.setdefault(src, {})
                if ar.nonzero(w):
                    for q, x in Lam[v].items():
                        M[q] = ar.add(M.get(q), ar.mul(w, x))
                if p is not None:
                    M[p] = ar.add(M.get(p), lam[v])
        if st.bias is not None:
            for q, x in Lam[v].items():
                add_to(st.bias, q, ar.total(x))
    rows = len(loss.Y) * n
    Jf, Ja = np.zeros((rows, P)), np.zeros((rows, P))
    for i, o in enumerate(loss.output_slots):
        for q, x in A[o].items():
            ar.store(Jf, Ja, (slice(i * n, (i + 1) * n), q), x)
    Gf, Ga = np.zeros((P, P)), np.zeros((P, P))
    for p, row in G.items():
        for q, x in row.items():
            ar.store(Gf, Ga, (p, q), x)
    out["factors"] = (Jf, ar.radius(Ja), Gf, ar.radius(Ga))
    return out


def _value(loss, ar, lam) -> dict:
    """L = s sum_o |R_o|^2 in the arithmetic ``ar``, as floats (c, r)."""
    scale = ar.number(loss.field.rational(loss.scale))
    value = None
    for o in loss.output_slots:
        value = ar.add(value, ar.total(ar.mul(lam[o], lam[o])))
    value = ar.mul(scale, value)
    if not math.isfinite(value.r):
        raise FloatingPointError("the loss's enclosure left the floats")
    return {"value": (value.c, value.r)}
