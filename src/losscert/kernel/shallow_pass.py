"""One hidden layer at scale: the forward pass in certified floats, the exact
value and gradient by arithmetic modulo primes.

For the networks :mod:`.shallow` handles (every hidden node reads only
inputs, every output is a linear node reading only hidden nodes, no tied or
fixed weights; hidden activations linear, polynomial or piecewise linear)
over Q, :func:`run` does what :mod:`losscert.integer_pass` does without a
Python integer per sample and edge:

1. **Floats, certified entry by entry.** The pre-activations
   z = b + sum_i w_i x_i are summed in floats from the correctly rounded
   data and weights, with the a priori bound |z^ - z| <= E =
   1.01 ((f + 1) + 6.1) u A^, A^ = |b^| + sum_i |w^_i x^_i| (f terms,
   u = 2^-53; Higham's gamma_{f+1} for the sum, 6.1 u for the rounded
   inputs, 1.01 for the bound's own rounding). Where |z^| > E (2^43 + 4),
   z^ is within 2^-43 of z relatively and its sign is z's. A polynomial
   activation sigma (and sigma', sigma'') is evaluated by Horner's rule with
   the bound 1.01 ((2q + 2) u sum |c_k| |z^|^k + E sum k |c_k| (|z^| + E)^(k-1))
   (Higham (5.3), the rounded coefficients, the mean value theorem on
   [z - E, z + E]), kept where it certifies 2^-42. Every other entry (a
   cancellation, a root of sigma) is computed exactly and rounded; past
   MAX_EXACT_SHARE of them the pass declines. Every kept value is within
   VALUE_ERROR = 2^-42 of the exact one, relatively.
2. **Exact residuals and gradient modulo primes.** Each rational q = a / b
   maps to a b^-1 in Z/p for primes 2^19 < p < 2^20 dividing no
   denominator; the forward and backward passes are products of float64
   arrays of residues (exact: every partial sum is an integer below 2^53,
   in any summation order, so BLAS's products are exact) and one fmod.
   ReLU's pieces come from the certified signs. The residuals times their
   common denominator D_r, and the gradient times D_out (output weights) or
   D_in (the others), are integers; a float bound of their size (from the
   certified floats, doubled) fixes how many primes make the Chinese
   remainder reconstruction unique, so the results are the exact
   rationals :func:`losscert.integer_pass.value_and_gradient` gives.

Declined (None; the integer pass runs): other networks, non-rational
numbers, slopes per sample, data or weights outside [2^-120, 2^120] or
with numerators past MAX_BITS, more than MAX_EXACT_SHARE uncertified
entries, a pre-activation exactly at a kink, coefficients or slopes that
do not round to normal floats, non-zero values or residuals rounding to 0.

>>> from losscert.network import sparse_dense
>>> from losscert.compiler import compile_loss
>>> net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=1, activation="relu")
>>> loss = compile_loss(net, [[1, 2, "1/3"], [0, 1, 1], [2, "-1/2", 1]], [[1, 0, 2]])
>>> theta = loss.point({p: "1/2" for p in net.parameters})
>>> value_and_gradient(loss, theta) == tuple(loss.value_and_gradient(theta))
True
"""
from __future__ import annotations

import math

from .. import integer_pass

U = 2.0 ** -53
SMALLEST_NORMAL = 2.0 ** -1022
VALUE_ERROR = 2.0 ** -42          # every kept float is within this of its exact value, relatively
VALUE_ROUNDINGS = 1 << 11         # gamma_2048 >= 2048 u = VALUE_ERROR: what a value counts as in shallow's sums
RANGE = (2.0 ** -120, 2.0 ** 120)
MAX_BITS = 4096                   # the reconstructed numerators: past this many bits, the integer pass
MAX_EXACT_SHARE = 0.02            # uncertified entries (computed exactly) allowed, as a share of hidden x samples
MIN_EXACT = 4096                  # ... and at least this many
MAX_DEGREE = 64
LIMB = 24                         # data numerators in limbs of 24 bits (reduced modulo p in floats)
MAX_BYTES = 8 << 30               # the pass's arrays, checked before they are allocated
BYTES_PER_ENTRY = 64              # per hidden value (node x sample): floats, their flags, the residues kept


def _np():
    import numpy
    return numpy


def _round(q) -> float:
    """A rational rounded to the nearest float (Python's int / int)."""
    p, d = integer_pass._fraction(q)
    return p / d


def _normal(q) -> bool:
    """q is 0 or rounds to a finite normal float (relative error <= u: no
    coefficient or slope lost to underflow or overflow)."""
    if not q:
        return True
    try:
        return abs(_round(q)) >= SMALLEST_NORMAL
    except OverflowError:
        return False


def _rounded_nonzero(value: float, exact) -> float:
    """``value``, the rounding of the exact ``exact``; OverflowError (the pass
    declines) when a non-zero one rounded to 0 (underflow: not within VALUE_ERROR)."""
    if exact and not value:
        raise OverflowError("a non-zero value underflows")
    return value


class Shape:
    """Which parameters are inner (into hidden nodes) and outer (into outputs), or why not applicable."""

    def __init__(self, loss):
        outputs = set(loss.output_slots)
        self.hidden, self.inner = [], []         # inner: (param, source input or None, node)
        self.outer = []                                             # (param, output, node or None)
        node_of = {}
        seen = []
        for st in loss.steps:
            if any(p is None for _, p, _ in st.terms):
                raise ValueError("a fixed weight")
            seen += [p for _, p, _ in st.terms] + ([st.bias] if st.bias is not None else [])
            if st.slot in outputs:
                if st.activation is not None and st.activation.kind != "linear":
                    raise ValueError(f"output {st.name} has an activation")
                k = loss.output_slots.index(st.slot)
                for src, p, _ in st.terms:
                    if src not in node_of:
                        raise ValueError(f"output {st.name} reads a node that is not hidden")
                    self.outer.append((p, k, node_of[src]))
                if st.bias is not None:
                    self.outer.append((st.bias, k, None))
            else:
                if any(src >= loss.n_inputs for src, _, _ in st.terms):
                    raise ValueError(f"{st.name} reads a hidden node (more than one hidden layer)")
                j = node_of[st.slot] = len(self.hidden)
                self.hidden.append(st)
                self.inner += [(p, src, j) for src, p, _ in st.terms]
                if st.bias is not None:
                    self.inner.append((st.bias, None, j))
        if sorted(seen) != list(range(len(loss.params))):
            raise ValueError("tied weights")
        self.d_y = len(loss.output_slots)


class Structure:
    """The network as index arrays: hidden node j reads inputs ``idx[j]``
    with parameters ``wp[j]`` (-1: padding), bias ``bp[j]``; output k reads
    hidden node j with ``op[k, j]``, bias ``obp[k]`` (-1: none)."""

    def __init__(self, loss, shape):
        np = _np()
        self.shape = shape
        self.inputs = sorted({src for _, src, _ in shape.inner if src is not None})
        column = {s: c for c, s in enumerate(self.inputs)}
        m, d_y = len(shape.hidden), shape.d_y
        fan = [[(column[src], p) for src, p, _ in st.terms] for st in shape.hidden]
        self.f = max([len(t) for t in fan] + [1])
        self.idx = np.zeros((m, self.f), dtype=np.int64)
        self.wp = np.full((m, self.f), -1, dtype=np.int64)
        for j, terms in enumerate(fan):
            for t, (c, p) in enumerate(terms):
                self.idx[j, t], self.wp[j, t] = c, p
        self.bp = np.array([st.bias if st.bias is not None else -1 for st in shape.hidden], dtype=np.int64)
        self.op = np.full((d_y, m), -1, dtype=np.int64)
        self.obp = np.full(d_y, -1, dtype=np.int64)
        for p, k, j in shape.outer:
            if j is None:
                self.obp[k] = p
            else:
                self.op[k, j] = p
        self.groups: dict = {}                  # activation -> hidden nodes
        for j, st in enumerate(shape.hidden):
            self.groups.setdefault(st.activation, []).append(j)
        order = {act: g for g, act in enumerate(self.groups)}
        self.node_group = np.array([order[st.activation] for st in shape.hidden], dtype=np.int64)


def _gather(values, index, fill: float = 0.0):
    """values[index] with -1 -> fill."""
    np = _np()
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


def _kind(act):
    """('linear', None) | ('slopes', (s0, s1)) | ('poly', coeffs) | None, all coefficients rationals."""
    if act is None or act.kind == "linear":
        return "linear", None
    if act.slopes is not None:
        return "slopes", act.slopes
    if act.polynomial_coefficients is not None and len(act.polynomial_coefficients) <= MAX_DEGREE + 1:
        return "poly", act.polynomial_coefficients
    return None


def _derivatives(coeffs):
    """(sigma, sigma', sigma'') coefficient lists (lowest degree first; [] for 0)."""
    d1 = [k * c for k, c in enumerate(coeffs)][1:]
    d2 = [k * c for k, c in enumerate(d1)][1:]
    return [list(coeffs), d1 if any(d1) else [], d2 if any(d2) else []]


def _horner(coeffs, z):
    np = _np()
    acc = np.full(z.shape, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = acc * z + c
    return acc


def _certified_polynomial(coeffs, Z, E):
    """(values, ok): sum c_k Z^k in floats and where it is within VALUE_ERROR
    of sum c_k z^k for every z with |z - Z| <= E (module docstring)."""
    np = _np()
    c = [_round(q) for q in coeffs]
    a = [abs(x) for x in c]
    q = len(c) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        value = _horner(c, Z)
        size = _horner(a, np.abs(Z))
        slope = _horner([k * x for k, x in enumerate(a)][1:], (np.abs(Z) + E) * (1 + 2 * U)) if q else 0.0
        # underflow: each product loses at most eta / 2, carried by |z|^i (a generous 2^14 eta per step)
        lost = _horner([2.0 ** -1060] * (q + 1), np.abs(Z))
        err = ((2 * q + 2) * U * size + E * slope + lost) * 1.01
        ok = np.isfinite(value) & np.isfinite(err) & (np.abs(value) > err * (2.0 ** 42 + 4))
    return value, ok


class Run:
    """The forward pass at theta in floats (hidden node by sample: H,
    S1 = sigma', S2 = sigma'' or None; X: used input by sample; R: output by
    sample, the exact residuals rounded; theta_f: the point), each value
    within VALUE_ERROR of the exact one, relatively."""

    def __init__(self, theta, structure, X, H, S1, S2, R, theta_f, residuals):
        self.theta, self.structure = list(theta), structure
        self.X, self.H, self.S1, self.S2, self.R, self.theta_f = X, H, S1, S2, R, theta_f
        self.residuals = residuals          # the exact residuals: one integer Vec per output
        self.value_roundings = VALUE_ROUNDINGS


def _data(loss):
    """(one Vec per input row, one per output row) or None (a row not over Q or past the integer pass's bound)."""
    X, Y = integer_pass.data(loss)
    if any(y is None for y in Y) or any(x is None for x in X):
        return None
    return X, Y


def rounded(v):
    """The values N / D of a Vec as floats (three roundings: within 3.01 u
    relatively), or None when one is outside RANGE or a non-zero one rounds to 0."""
    np = _np()
    try:
        f = v.N.astype(float) / float(v.D)
    except (OverflowError, ZeroDivisionError):
        return None
    if not in_range(f) or int(np.count_nonzero(f)) != int(np.count_nonzero(v.N != 0)):
        return None
    return f


def rounded_point(theta):
    """The point as floats (each correctly rounded: Python's int / int), or
    None when one is outside RANGE or a non-zero one rounds to 0."""
    np = _np()
    try:
        f = np.array([_round(q) if q else 0.0 for q in theta])
    except OverflowError:                               # a weight past the float range
        return None
    if not in_range(f) or np.count_nonzero(f) != sum(1 for q in theta if q):
        return None
    return f


def _floats_of(vecs):
    """The Vecs' rows as one float array (:func:`rounded`), or None."""
    np = _np()
    rows = [rounded(v) for v in vecs]
    if any(r is None for r in rows):
        return None
    return np.array(rows) if rows else np.zeros((0, 0))


def in_range(values) -> bool:
    """Every value finite, every non-zero one in RANGE (block by block: no large temporaries)."""
    np = _np()
    if not values.size:
        return True
    values = values.reshape(len(values), -1) if values.ndim != 1 else values.reshape(1, -1)
    for a, b in _blocks(len(values)):
        size = np.abs(values[a:b])
        top = size.max(initial=0.0)
        if not (np.isfinite(top) and top <= RANGE[1]) or size.min(initial=np.inf, where=size != 0) < RANGE[0]:
            return False
    return True


BLOCK = 32                        # hidden nodes per block of the per-sample arrays (a block stays in cache)


def _blocks(m: int):
    return [(a, min(a + BLOCK, m)) for a in range(0, m, BLOCK)]


def _in_block(structure, a: int, b: int):
    """[(activation, local rows)] of the hidden nodes a..b-1, by activation."""
    np = _np()
    out = []
    for g, act in enumerate(structure.groups):
        local = np.nonzero(structure.node_group[a:b] == g)[0]
        if local.size:
            out.append((act, slice(local[0], local[-1] + 1) if local[-1] - local[0] + 1 == local.size else local))
    return out


def forward_floats(loss, theta, structure, Xvecs):
    """(X, H, S1, S2, theta_f, positive, exact) in floats with every value
    certified within VALUE_ERROR (``positive``: z > 0 exactly; ``exact``:
    the entries computed exactly), or None (declined, or a kink)."""
    np = _np()
    shape = structure.shape
    F = loss.field
    m, n = len(shape.hidden), loss.n
    X = _floats_of([Xvecs[i] for i in structure.inputs])
    if X is None:
        return None
    theta_f = rounded_point(theta)
    if theta_f is None:
        return None
    W = _gather(theta_f, structure.wp)                       # m x f
    bias = _gather(theta_f, structure.bp)                    # m
    Xn = X if X.size else np.zeros((1, n))
    H, S1 = np.empty((m, n)), np.empty((m, n))
    S2 = None
    ok, positive = np.empty((m, n), dtype=bool), np.empty((m, n), dtype=bool)
    kinds = {act: _kind(act) for act in structure.groups}
    if any(k is None for k in kinds.values()):
        return None
    polys = {act: _derivatives([F(c) for c in k[1]]) for act, k in kinds.items() if k[0] == "poly"}
    coefficients = [c for p in polys.values() for poly in p for c in poly]
    coefficients += [F(c) for k in kinds.values() if k[0] == "slopes" for c in k[1]]
    if not all(_normal(c) for c in coefficients):
        return None                     # Horner's bound and the slopes' roundings assume normal floats
    if any(p[2] for p in polys.values()):
        S2 = np.zeros((m, n))
    for a, b in _blocks(m):
        Z = np.repeat(bias[a:b, None], n, axis=1)
        A = np.abs(Z)
        for t in range(structure.f):
            term = W[a:b, t, None] * Xn[structure.idx[a:b, t]]
            Z += term
            A += np.abs(term, out=term)
        E = A * (((structure.f + 1) + 6.1) * U * 1.01)      # |z^ - z| <= E (module docstring)
        zok = np.abs(Z) > E * (2.0 ** 43 + 4)
        positive[a:b] = Z > 0
        for act, rows in _in_block(structure, a, b):
            kind, z, e = kinds[act], Z[rows], E[rows]
            h, s1, good = H[a:b], S1[a:b], zok[rows]
            if kind[0] == "linear":
                h[rows], s1[rows] = z, 1.0
            elif kind[0] == "slopes":
                low, high = (_round(F(c)) for c in kind[1])
                s1[rows] = np.where(z > 0, high, low)
                h[rows] = s1[rows] * z
            else:
                coeffs = polys[act]
                value, certified = _certified_polynomial(coeffs[0], z, e)
                h[rows], good = value, good & certified
                if coeffs[1]:
                    value, certified = _certified_polynomial(coeffs[1], z, e)
                    s1[rows], good = value, good & certified
                else:
                    s1[rows] = 0.0
                if coeffs[2]:
                    value, certified = _certified_polynomial(coeffs[2], z, e)
                    S2[a:b][rows], good = value, good & certified
            ok[a:b][rows] = good
    bad = np.argwhere(~ok)
    if len(bad) > max(MIN_EXACT, MAX_EXACT_SHARE * m * n):
        return None
    try:
        polynomial = np.array([kinds[shape.hidden[j].activation][0] == "poly" for j in bad[:, 0]], dtype=bool)
        if not _exact_piecewise(loss, theta, structure, Xvecs, kinds, bad[~polynomial], (H, S1, positive)):
            return None                     # a kink: the generic pass reports it
        for j, s in bad[polynomial]:        # cancellations and roots: exactly, then rounded
            _exact_entry(loss, theta, Xvecs, shape.hidden[j], kinds[shape.hidden[j].activation],
                         (j, s), (H, S1, S2, positive))
    except OverflowError:
        return None
    if not all(in_range(a) for a in (H, S1) + ((S2,) if S2 is not None else ())):
        return None
    return X, H, S1, S2, theta_f, positive, len(bad)


def _exact_piecewise(loss, theta, structure, Xvecs, kinds, entries, arrays) -> bool:
    """The (node, sample) ``entries`` of linear and piecewise-linear nodes
    computed exactly (Python integers over the common denominator d_theta D_X,
    all entries at once), then rounded into ``arrays`` (H, S1, positive);
    False when a pre-activation of a piecewise-linear node is exactly 0."""
    np = _np()
    H, S1, positive = arrays
    if not len(entries):
        return True
    F = loss.field
    js, ss = entries[:, 0], entries[:, 1]
    d_theta = math.lcm(*(int(q.q) for q in theta))
    used = structure.inputs
    D_X = math.lcm(*(Xvecs[i].D for i in used))
    num = np.empty(len(theta) + 1, dtype=object)        # theta * d_theta, and 0 for "no parameter"
    num[:-1] = [int(q.p) * (d_theta // int(q.q)) for q in theta]
    num[-1] = 0
    rows = np.empty((max(len(used), 1), loss.n), dtype=object)
    factor = np.empty(max(len(used), 1), dtype=object)
    for c, i in enumerate(used):
        rows[c], factor[c] = Xvecs[i].N, D_X // Xvecs[i].D
    if not used:
        rows[0], factor[0] = 0, 1
    acc = num[structure.bp[js]] * D_X                   # bp = -1 picks the 0
    for t in range(structure.f):
        c = structure.idx[js, t]
        acc = acc + num[structure.wp[js, t]] * rows[c, ss] * factor[c]
    D = d_theta * D_X
    sign = np.array([(x > 0) - (x < 0) for x in acc], dtype=np.int64)
    positive[js, ss] = sign > 0
    node_kind = [kinds[structure.shape.hidden[j].activation] for j in js]
    for e, kind in enumerate(node_kind):
        if kind[0] == "linear":
            H[js[e], ss[e]], S1[js[e], ss[e]] = _rounded_nonzero(int(acc[e]) / D, acc[e]), 1.0
        else:
            if not sign[e]:
                return False
            k = F(kind[1][1] if sign[e] > 0 else kind[1][0])
            kp, kq = integer_pass._fraction(k)
            H[js[e], ss[e]], S1[js[e], ss[e]] = _rounded_nonzero(kp * int(acc[e]) / (kq * D), kp), kp / kq
    return True


def _exact_entry(loss, theta, Xvecs, st, kind, at, arrays) -> None:
    """Entry ``at`` = (node, sample) of a polynomial node computed exactly and
    rounded into ``arrays`` (H, S1, S2, positive)."""
    from flint import fmpq
    F = loss.field
    H, S1, S2, positive = arrays
    z = theta[st.bias] if st.bias is not None else F.zero
    for src, p, _ in st.terms:
        v = Xvecs[src]
        z += theta[p] * fmpq(int(v.N[at[1]]), v.D)
    positive[at] = z > 0
    polys = _derivatives([F(c) for c in kind[1]])
    vals = [sum((c * z ** i for i, c in enumerate(poly)), F.zero) for poly in polys]
    H[at], S1[at] = _rounded_nonzero(_round(vals[0]), vals[0]), _rounded_nonzero(_round(vals[1]), vals[1])
    if S2 is not None:
        S2[at] = _rounded_nonzero(_round(vals[2]), vals[2])


# ---------------------------------------------------------------------------
# modulo primes

PRIME_BITS = 20                   # primes in (2^19, 2^20): a product of two is below 2^40, 8192 of them sum below 2^53


def _primes(count: int, avoid: int) -> list[int]:
    """``count`` primes below 2^PRIME_BITS, from the top, none dividing ``avoid``."""
    from sympy import prevprime
    out, p = [], 1 << PRIME_BITS
    while len(out) < count:
        p = prevprime(p)
        if p < 1 << (PRIME_BITS - 1):
            raise ValueError("not enough primes")
        if avoid % p:
            out.append(p)
    return out


def _limbs(vecs):
    """Each Vec's numerators as (negative, limbs): N = +-sum_l limbs[l] 2^(LIMB l), int64 arrays (rows x n)."""
    np = _np()
    N = np.array([v.N for v in vecs], dtype=object).reshape(len(vecs), -1)
    negative = np.asarray(N < 0, dtype=bool)
    rest = np.abs(N)
    limbs, mask = [], (1 << LIMB) - 1
    while True:
        limbs.append((rest & mask).astype(np.int64))
        rest = rest >> LIMB
        if not rest.any():
            return negative, limbs


def _limb_data(loss):
    """The data's limbs, converted once per loss and data (as
    :func:`losscert.integer_pass.data`), or None past MAX_BYTES / 2."""
    np = _np()
    cached = loss.__dict__.get("_limb_data")
    if cached is None or cached[0] is not loss.X or cached[1] is not loss.Y:
        Xvecs, Yvecs = integer_pass.data(loss)
        rows = Xvecs + Yvecs
        bits = max(int(np.max(np.abs(v.N), initial=0)).bit_length() for v in rows)
        if (bits // LIMB + 1) * len(rows) * loss.n * 8 > MAX_BYTES // 2:
            cached = loss._limb_data = (loss.X, loss.Y, None)
        else:
            cached = loss._limb_data = (loss.X, loss.Y, (_limbs(Xvecs), _limbs(Yvecs)))
    return cached[2]


def _rows_mod(limbs, denominators, p: int):
    """The Vecs' values N / D modulo p (rows x n, floats in [0, p))."""
    np = _np()
    negative, parts = limbs
    acc = np.zeros(parts[0].shape, dtype=np.int64)
    for l, part in enumerate(parts):                 # < 2^40 per limb: no overflow below 2^23 limbs
        acc += (part % p) * pow(2, LIMB * l, p)
    acc %= p
    acc = np.where(negative, p - acc, acc)
    inv = np.array([pow(d % p, -1, p) for d in denominators], dtype=np.int64)
    return (acc * inv[:, None] % p).astype(float)


class _Modulus:
    """Arithmetic modulo a prime p < 2^20 on float64 arrays of integers,
    held as residues of absolute value at most p (not reduced to [0, p):
    that costs two more passes and nothing needs it until the end).

    :meth:`reduce` maps integers |x| <= 2^52 into [-p, p] in place:
    q = rint(x fl(1/p)) is an integer nearest x / p up to 2^-18 (the
    relative error of x fl(1/p) is below 2u), so |x - q p| <= p / 2 + 1;
    q p and x - q p are exact integers below 2^53. :meth:`matmul` cuts the
    inner dimension so that every partial sum of a BLAS product of residues
    stays an integer of absolute value at most 2^52: exact in any summation
    order (FMA or not). :meth:`canonical` maps to [0, p) as int64."""

    def __init__(self, p: int, buffers: dict | None = None):
        self.p, self.inverse = p, 1.0 / p
        self.chunk = max(1, (1 << 52) // p ** 2)
        self.buffers = {} if buffers is None else buffers

    def buffer(self, key, shape):
        """A float array of this shape kept for reuse under ``key`` (fresh large
        arrays cost their page faults, as much as the arithmetic)."""
        np = _np()
        b = self.buffers.get((key, shape))
        if b is None:
            b = self.buffers[(key, shape)] = np.empty(shape)
        return b

    def reduce(self, x):
        np = _np()
        q = np.multiply(x, self.inverse, out=self.buffer("q", x.shape))
        np.rint(q, out=q)
        q *= self.p
        x -= q
        return x

    def canonical(self, x):
        np = _np()
        return np.mod(x, self.p).astype(np.int64)

    def matmul(self, A, B, out=None):
        """A @ B modulo p (A, B: residues as floats), into ``out`` when given."""
        np = _np()
        inner, shape = A.shape[1], (A.shape[0], B.shape[1])
        if inner <= self.chunk:
            return self.reduce(np.matmul(A, B, out=out))
        acc = np.zeros(shape) if out is None else out
        acc[...] = 0.0
        part = self.buffer("part", shape)
        for s in range(0, inner, self.chunk):
            acc += self.reduce(np.matmul(A[:, s:s + self.chunk], B[s:s + self.chunk], out=part))
        return self.reduce(acc)

    def rowdots(self, A, B):
        """sum_n A[j, n] B[j, n] modulo p, per row."""
        np = _np()
        acc = np.zeros(A.shape[0])
        for s in range(0, A.shape[1], self.chunk):
            acc += self.reduce(np.einsum("ij,ij->i", A[:, s:s + self.chunk], B[:, s:s + self.chunk]))
        return self.reduce(acc)


def _mod(q, p: int) -> int:
    """A rational modulo p (p divides no denominator here)."""
    a, b = integer_pass._fraction(q)
    return a % p * pow(b % p, -1, p) % p


def _crt(residues, primes):
    """The integers N with |N| < prod(primes) / 2 and N = residues[i] mod primes[i]
    (residues: one int64 array per prime), as a numpy object array (Garner's algorithm)."""
    np = _np()
    digits = []
    for i, p in enumerate(primes):
        v = np.zeros(residues[0].shape, dtype=np.int64)
        M = 1
        for l in range(i):
            v = (v + digits[l] * (M % p)) % p
            M *= primes[l]
        digits.append(((residues[i] - v) % p) * pow(M % p, -1, p) % p)
    N = np.zeros(residues[0].shape, dtype=object)
    for p, a in zip(reversed(primes), reversed(digits)):
        N = N * p + a.astype(object)
    M = math.prod(primes)
    return np.where(N > M // 2, N - M, N)


def _bits(D: int, bound: float) -> int:
    """Bits of an integer of absolute value <= D * bound."""
    if not math.isfinite(bound):
        raise OverflowError
    return D.bit_length() + max(0, math.frexp(bound)[1]) + 1


def _rows(nodes):
    """The hidden nodes as an index: a slice when they are consecutive."""
    np = _np()
    if nodes == list(range(nodes[0], nodes[0] + len(nodes))):
        return slice(nodes[0], nodes[0] + len(nodes))
    return np.array(nodes)


def _horner_mod(coeffs, z, mod: _Modulus):
    np = _np()
    acc = np.full(z.shape, float(coeffs[-1]))
    for c in reversed(coeffs[:-1]):
        acc *= z
        acc += c
        mod.reduce(acc)
    return acc


class _Denominators:
    """Common denominators: of the pre-activations (D_z), hidden values (D_h),
    sigma' (D_s1), residuals (D_r), the output weights' gradient (D_out) and
    the others' (D_in); ``avoid``: what no prime may divide."""

    def __init__(self, loss, theta, structure, Xvecs, Yvecs):
        d_theta = math.lcm(*(int(q.q) for q in theta))
        D_X = math.lcm(*(Xvecs[i].D for i in structure.inputs))
        D_Y = math.lcm(*(v.D for v in Yvecs))
        F, d_act, q = loss.field, 1, 1
        for act in structure.groups:
            kind = _kind(act)
            if kind[0] != "linear":
                d_act = math.lcm(d_act, *(int(F(c).q) for c in kind[1]))
            if kind[0] == "poly":
                q = max(q, len(kind[1]) - 1)
        s_p, s_q = integer_pass._fraction(loss.scale)
        D_z = d_theta * D_X
        self.d_theta, self.h = d_theta, d_act * D_z ** q
        self.s1 = d_act * D_z ** (q - 1)
        self.r = math.lcm(d_theta * self.h, D_Y)
        self.out = s_q * self.r * self.h
        self.inner = s_q * d_theta * self.r * self.s1 * D_X
        self.avoid = d_theta * D_X * D_Y * d_act * s_q


def _sizes(loss, structure, floats, Yf):
    """Float bounds (doubled) of |residual|, |grad of an output weight|, |grad of another parameter|."""
    np = _np()
    X, H, S1, theta_f = floats
    W2 = np.abs(_gather(theta_f, structure.op))
    b2 = np.abs(_gather(theta_f, structure.obp))
    blocks = _blocks(len(H))
    with np.errstate(over="ignore", invalid="ignore"):
        Rb = b2[:, None] + np.abs(Yf)
        for a, b in blocks:
            Rb += W2[:, a:b] @ np.abs(H[a:b])
        Rb *= 2
        two_s = 2 * abs(_round(loss.scale))
        out = float(Rb.sum(axis=1).max(initial=0))
        inner = 0.0
        for a, b in blocks:
            out = max(out, float((Rb @ np.abs(H[a:b]).T).max(initial=0)))
            inner = max(inner, float(np.einsum("jn,jn->j", W2[:, a:b].T @ Rb, np.abs(S1[a:b])).max(initial=0)))
        xmax = max(1.0, float(np.abs(X).max(initial=0)))
    return float(Rb.max(initial=0)), two_s * out * 2, two_s * inner * xmax * 2


def _run(loss, theta, gradient: bool):
    """(Run, value, gradient) (value and gradient None without ``gradient``), or None."""
    np = _np()
    from flint import fmpq
    if getattr(loss, "_slopes", None) or loss.n == 0:
        return None
    try:
        shape = Shape(loss)
    except ValueError:
        return None
    if not shape.inner or not shape.outer or type(loss.scale) is not fmpq or any(type(q) is not fmpq for q in theta):
        return None
    data = _data(loss)
    if data is None:
        return None
    Xvecs, Yvecs = data
    structure = Structure(loss, shape)
    if any(_kind(act) is None for act in structure.groups):
        return None
    if len(shape.hidden) * loss.n * BYTES_PER_ENTRY > MAX_BYTES or _limb_data(loss) is None:
        return None                                 # before anything large is allocated
    floats = forward_floats(loss, theta, structure, Xvecs)
    Yf = _floats_of(Yvecs)
    if floats is None or Yf is None:
        return None
    X, H, S1, S2, theta_f, positive, _ = floats
    dens = _Denominators(loss, theta, structure, Xvecs, Yvecs)
    try:
        r_size, out_size, inner_size = _sizes(loss, structure, (X, H, S1, theta_f), Yf)
        bits = _bits(dens.r, r_size)
        if gradient:
            bits = max(bits, _bits(dens.out, out_size), _bits(dens.inner, inner_size))
    except OverflowError:
        return None
    if bits > MAX_BITS:
        return None
    primes = _primes(-(-(bits + 1) // (PRIME_BITS - 1)), dens.avoid)
    buffers: dict = {}                  # the per-block arrays, reused from prime to prime
    residues = [_residues(loss, theta, structure, dens, positive, p, gradient, buffers) for p in primes]
    del buffers
    N_r = _crt([r for r, _ in residues], primes)
    try:
        R = np.array([int(x) / dens.r for x in N_r.flat]).reshape(N_r.shape)
    except OverflowError:
        return None
    if np.count_nonzero(R) != np.count_nonzero(N_r != 0):
        return None                     # a non-zero residual rounded to 0 (underflow): not within VALUE_ERROR
    run = Run(theta, structure, X, H, S1, S2, R, theta_f, [integer_pass.Vec(row, dens.r) for row in N_r])
    if not gradient:
        return run, None, None
    s_p, s_q = integer_pass._fraction(loss.scale)
    value = fmpq(s_p * int((N_r * N_r).sum()), s_q * dens.r ** 2)
    N_g = _crt([g for _, g in residues], primes)
    outer = {p for p, _, _ in shape.outer}
    grad = [fmpq(int(N), dens.out if t in outer else dens.inner) for t, N in enumerate(N_g)]
    return run, value, grad


DENSE_FROM = 20         # a layer's products go to BLAS when (inputs per node) x 20 >= inputs (else: gathers)


def _dense_first_layer(structure, Wp, n_inputs: int):
    """The first layer's weights as a dense (hidden x inputs) array of residues (floats)."""
    np = _np()
    m, f = structure.idx.shape
    dense = np.zeros((m, n_inputs))
    np.add.at(dense, (np.arange(m)[:, None].repeat(f, 1), structure.idx), Wp * (structure.wp >= 0))
    return dense


def _first_layer(structure, rows, W1, Wp, bp, Xp, mod: _Modulus):
    """b_j + sum_t W[j, t] X[idx[j, t]] modulo p for the hidden nodes ``rows`` (a slice) by sample;
    W1: the layer as a dense array of residues (None: gathers)."""
    np = _np()
    idx = structure.idx[rows]
    Z = mod.buffer(("Z", rows.start), (len(idx), Xp.shape[1]))       # kept per block: H is made in it
    if W1 is not None:
        mod.matmul(W1[rows], Xp, out=Z)
    else:
        gathered = mod.buffer("gathered", Z.shape)
        np.multiply(np.take(Xp, idx[:, 0], axis=0, out=gathered), Wp[rows, 0, None], out=Z)
        step = max(1, mod.chunk - 2)
        for t in range(1, idx.shape[1]):                  # < p + (chunk - 1) p^2 <= 2^52 between reductions
            gathered = np.take(Xp, idx[:, t], axis=0, out=gathered)
            gathered *= Wp[rows, t, None]
            Z += gathered
            if t % step == 0:
                mod.reduce(Z)
    Z += bp[rows, None]
    return mod.reduce(Z)


def _first_layer_gradient(structure, rows, dense: bool, Delta, Xp, mod: _Modulus):
    """sum_n Delta[j, n] X[idx[j, t], n] modulo p (the hidden nodes ``rows`` by slot)."""
    np = _np()
    idx = structure.idx[rows]
    if dense:
        return mod.matmul(Delta, Xp.T)[np.arange(len(idx))[:, None], idx]
    out = np.empty(idx.shape)
    gathered = mod.buffer("gathered", Delta.shape)
    for t in range(idx.shape[1]):
        out[:, t] = mod.rowdots(Delta, np.take(Xp, idx[:, t], axis=0, out=gathered))
    return out


def _hidden_mod(loss, structure, a: int, b: int, Z, positive, mod: _Modulus):
    """(H, S1) modulo p for the hidden nodes a..b-1 from their pre-activations
    Z (overwritten). When every sigma' there is 0 or 1 (ReLU, linear), S1 is
    a boolean array."""
    np = _np()
    F, p = loss.field, mod.p
    here = _in_block(structure, a, b)
    kinds = {act: _kind(act) for act, _ in here}
    if all(k[0] == "linear" or (k[0] == "slopes" and [F(c) for c in k[1]] == [0, 1]) for k in kinds.values()):
        gate = mod.buffers.get(("gate", a))
        if gate is None:                                   # the same for every prime
            gate = mod.buffers[("gate", a)] = positive[a:b].copy()
            for act, rows in here:
                if kinds[act][0] == "linear":
                    gate[rows] = True
        Z *= gate
        return Z, gate
    H, S1 = mod.buffer(("H", a), Z.shape), mod.buffer(("S1", a), Z.shape)
    for act, rows in here:
        kind = kinds[act]
        if kind[0] == "linear":
            H[rows], S1[rows] = Z[rows], 1.0
        elif kind[0] == "slopes":
            s0, s1 = (_mod(F(c), p) for c in kind[1])
            S1[rows] = np.where(positive[a:b][rows], float(s1), float(s0))
            H[rows] = mod.reduce(S1[rows] * Z[rows])
        else:
            polys = _derivatives([F(c) for c in kind[1]])
            H[rows] = _horner_mod([_mod(c, p) for c in polys[0]], Z[rows], mod)
            S1[rows] = _horner_mod([_mod(c, p) for c in polys[1]], Z[rows], mod) if polys[1] else 0.0
    return H, S1


def _residues(loss, theta, structure, dens, positive, p: int, gradient: bool, buffers: dict):
    """(residual numerators, gradient numerators) modulo p as int64 arrays
    (the second None without ``gradient``), every intermediate an integer
    of at most 2^52 held in a float (see :class:`_Modulus`); the hidden
    nodes in blocks of BLOCK."""
    np = _np()
    mod = _Modulus(p, buffers)
    Xvecs, Yvecs = _data(loss)
    limbs_x, limbs_y = _limb_data(loss)          # checked in _run
    used = structure.inputs
    Xp = _rows_mod((limbs_x[0][used], [part[used] for part in limbs_x[1]]), [Xvecs[i].D for i in used], p) \
        if used else np.zeros((1, loss.n))
    Yp = _rows_mod(limbs_y, [v.D for v in Yvecs], p)
    numerators = np.array([int(q.p) * (dens.d_theta // int(q.q)) % p for q in theta], dtype=np.int64)
    thp = (numerators * pow(dens.d_theta % p, -1, p) % p).astype(float)
    Wp, bp = _gather(thp, structure.wp), _gather(thp, structure.bp)
    dense = structure.f * DENSE_FROM >= Xp.shape[0]
    W1 = _dense_first_layer(structure, Wp, Xp.shape[0]) if dense else None
    W2p, b2p = _gather(thp, structure.op), _gather(thp, structure.obp)
    m = len(structure.idx)
    hidden, Rp = [], np.zeros((len(W2p), loss.n))
    for a, b in _blocks(m):                         # forward: the outputs, block by block
        H, S1 = _hidden_mod(loss, structure, a, b, _first_layer(structure, slice(a, b), W1, Wp, bp, Xp, mod),
                            positive, mod)
        Rp += mod.matmul(W2p[:, a:b], H)            # < (number of blocks) p: far below 2^52
        hidden.append((H, S1))
    Rp += b2p[:, None] + (p - Yp)
    mod.reduce(Rp)
    r = mod.canonical(mod.reduce(Rp * float(dens.r % p)))
    if not gradient:
        return r, None
    two_s = _mod(loss.scale * 2, p)
    g = np.zeros(len(theta))
    gout = np.empty(W2p.shape)
    W2s = mod.reduce(W2p.T * two_s)
    inner, inner_bias = np.empty(structure.idx.shape), np.empty(m)
    for (a, b), (H, S1) in zip(_blocks(m), hidden):     # backward, block by block
        gout[:, a:b] = mod.reduce(mod.matmul(Rp, H.T) * two_s)
        Delta = mod.matmul(W2s[a:b], Rp, out=mod.buffer("Delta", (b - a, loss.n)))
        Delta *= S1
        if S1.dtype != bool:
            mod.reduce(Delta)
        inner[a:b] = _first_layer_gradient(structure, slice(a, b), dense, Delta, Xp, mod)
        inner_bias[a:b] = mod.reduce(Delta.sum(axis=1))
    del hidden
    has = structure.op >= 0
    g[structure.op[has]] = gout[has]
    has_b = structure.obp >= 0
    g[structure.obp[has_b]] = mod.reduce(mod.reduce(Rp.sum(axis=1)) * two_s)[has_b]
    mine = structure.wp >= 0
    g[structure.wp[mine]] = inner[mine]
    mine = structure.bp >= 0
    g[structure.bp[mine]] = inner_bias[mine]
    outer = np.zeros(len(theta), dtype=bool)
    outer[structure.op[has]] = True
    outer[structure.obp[has_b]] = True
    return r, mod.canonical(mod.reduce(g * np.where(outer, float(dens.out % p), float(dens.inner % p))))


def value_and_gradient(loss, theta, keep: dict | None = None):
    """(L(theta), grad L(theta)) as fmpq, the very numbers of
    :func:`losscert.integer_pass.value_and_gradient`, or None (declined, or
    a kink). ``keep``: a dict that receives the point and the :class:`Run`."""
    out = _run(loss, theta, True)
    if out is None:
        return None
    if keep is not None:
        keep.update(theta=list(theta), run=out[0])
    return out[1], out[2]


def forward(loss, theta) -> Run | None:
    """The certified floats and exact residuals at theta (no gradient), or None."""
    out = _run(loss, theta, False)
    return None if out is None else out[0]
