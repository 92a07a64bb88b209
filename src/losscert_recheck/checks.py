"""One check per certificate kind: recompute what the statement is about, then test the certificate.

``recheck(item)`` takes a bundle item (``statement``, ``verdict``, ``certificate``)
and returns None when the certificate proves that verdict on that statement;
it raises :class:`Rejected` (the certificate or the verdict is wrong) or
:class:`NotCovered` (beyond this checker). A certificate is never trusted: every
number in it is recomputed or checked, and unknown keys are rejected.

>>> recheck({"statement": {"kind": "identity", "lhs": "(a+b)**2", "rhs": "a**2+2*a*b+b**2"},
...          "verdict": "verified", "certificate": {"kind": "identity", "entries": 1}})
>>> recheck({"statement": {"kind": "rank", "matrix": [["1", "2"], ["2", "4"]], "claimed": 1},
...          "verdict": "verified", "certificate": {"kind": "rank", "rank": 1, "minor_rows": [1],
...          "minor_columns": [2], "at": {}, "kernel": [["-2", "1"]]}})
"""
from __future__ import annotations

from fractions import Fraction

from .exact import NotCovered, Reader, Rejected, divide, is_zero, sign
from .network import Loss, curvature

CHECKS: dict = {}
MAX_MATRIX = 60          # rows or columns of a matrix statement

def check(name, statements, keys=()):
    """Register the check of certificate kind ``name``, for those statement kinds, with those keys."""
    def register(f):
        CHECKS[name] = (f, set(statements), {"kind", *keys})
        return f
    return register

def recheck(item) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("statement"), dict):
        raise Rejected("a bundle item needs a statement table")
    st, verdict, cert = item["statement"], item.get("verdict"), item.get("certificate")
    if verdict not in ("verified", "refuted"):
        raise Rejected(f"verdict {verdict!r} is not a decided verdict")
    if cert is None:
        raise NotCovered(f"{st.get('kind')}: no certificate attached")
    if not isinstance(cert, dict) or cert.get("kind") not in CHECKS:
        raise NotCovered(f"certificate kind {cert.get('kind') if isinstance(cert, dict) else cert!r} is not known here")
    f, statements, keys = CHECKS[cert["kind"]]
    if st.get("kind") not in statements:
        raise Rejected(f"a {cert['kind']} certificate does not prove a {st.get('kind')} statement")
    extra = sorted(set(cert) - keys)
    if extra:
        raise Rejected(f"certificate key {extra[0]!r} is not part of a {cert['kind']} certificate")
    f(st, verdict, cert)

def expect(condition, why):
    if not condition:
        raise Rejected(why)

def _decided(verdict, holds, what):
    """The statement holds exactly when ``holds``: the verdict must say so."""
    expect(holds == (verdict == "verified"), f"{what}: the certificate proves {'it' if holds else 'its negation'}, "
                                             f"not {verdict}")

def _names(st):
    names = st.get("symbols") or {}
    expect(isinstance(names, dict), "symbols: must be a table")
    return names

def _int(cert, key, lo=0):
    v = cert.get(key)
    expect(isinstance(v, int) and not isinstance(v, bool) and v >= lo, f"{key}: must be an integer >= {lo}")
    return v

def _matrix(value, where):
    if isinstance(value, list) and value and not any(isinstance(r, list) for r in value):
        value = [[x] for x in value]          # a vector: one column
    expect(isinstance(value, list) and all(isinstance(r, list) for r in value), f"{where}: must be a list of rows")
    expect(len(value) <= MAX_MATRIX and all(len(r) <= MAX_MATRIX for r in value), f"{where}: too large")
    expect(len({len(r) for r in value}) <= 1, f"{where}: rows of different lengths")
    return value

def _term_shape(t):
    if isinstance(t, list):
        m = _matrix(t, "term")
        return [str(x) for r in m for x in r], (len(m), len(m[0]) if m else 0)
    return [str(t)], ()

# -- identities and determinants ---------------------------------------------------------------

@check("identity", ["identity"], ["entries", "entry"])
def _identity(st, verdict, cert):
    """lhs - rhs reduced exactly: zero in every entry (verified), or an atom-free non-zero entry (refuted)."""
    (left, ls), (right, rs) = _term_shape(st.get("lhs")), _term_shape(st.get("rhs"))
    expect(ls == rs, "lhs and rhs have different shapes")
    r = Reader(left + right, _names(st))
    diffs = [r.value(a) - r.value(b) for a, b in zip(left, right)]
    expect(_int(cert, "entries", 1) == len(diffs), f"entries: the statement has {len(diffs)}")
    if verdict == "verified":
        expect("entry" not in cert, "entry: only for a refutation")
        bad = [i for i, d in enumerate(diffs, 1) if not is_zero(d)]
        _atoms_not_covered([diffs[i - 1] for i in bad])
        expect(not bad, f"entry {bad[0] if bad else 0}: lhs - rhs is not formally zero")
        return
    i = _int(cert, "entry", 1)
    expect(i <= len(diffs), "entry: out of range")
    _nonzero(diffs[i - 1], f"entry {i}")

def _atoms_not_covered(ds):
    if any(getattr(d, "has_atoms", lambda: False)() for d in ds):
        raise NotCovered("a relation among transcendental values (the kernel's exact Q(e^(1/q))) is not decided here")

def _nonzero(d, what):
    expect(not is_zero(d), f"{what}: lhs - rhs is formally zero")
    if hasattr(d, "has_atoms") and d.has_atoms():
        expect(d.sign() not in (None, 0), f"{what}: lhs - rhs with transcendental constants not provably non-zero")

@check("determinant", ["determinant"], ["size"])
def _determinant(st, verdict, cert):
    """det(matrix) computed here by fraction-free elimination, minus the claimed expression."""
    m = _matrix(st.get("matrix"), "matrix")
    n = len(m)
    expect(all(len(r) == n for r in m), "matrix: not square")
    expect(_int(cert, "size") == n, f"size: the matrix has {n} rows")
    texts = [str(x) for r in m for x in r] + [str(st.get("claimed"))]
    r = Reader(texts, _names(st))
    M = [[r.value(str(x)) for x in row] for row in m]
    d = determinant(M, r) - r.value(str(st.get("claimed")))
    if verdict == "verified":
        _atoms_not_covered([] if is_zero(d) else [d])
        expect(is_zero(d), "det - claimed is not formally zero")
    else:
        _nonzero(d, "det - claimed")

def determinant(M, reader):
    """The determinant by Bareiss elimination with row pivoting on formally non-zero pivots."""
    n = len(M)
    if n == 0:
        return reader.const(Fraction(1))
    A = [list(r) for r in M]
    sgn, prev = 1, reader.const(Fraction(1))
    for k in range(n - 1):
        p = next((i for i in range(k, n) if not is_zero(A[i][k])), None)
        if p is None:
            return reader.const(Fraction(0))
        if p != k:
            A[k], A[p] = A[p], A[k]
            sgn = -sgn
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                A[i][j] = divide(A[i][j] * A[k][k] - A[i][k] * A[k][j], prev)
        prev = A[k][k]
    return A[n - 1][n - 1] * sgn

# -- rank ---------------------------------------------------------------------------------------

@check("rank", ["rank", "activation_rank"], ["rank", "minor_rows", "minor_columns", "at", "kernel"])
def _rank(st, verdict, cert):
    """rank = r: an r x r minor non-zero at a point (rank >= r) and n - r independent kernel
    vectors, M v = 0 formally (rank <= r). For activation_rank, M = sigma(W X) computed here."""
    m = activation_matrix(st) if st["kind"] == "activation_rank" else _matrix(st.get("matrix"), "matrix")
    rows, cols = len(m), len(m[0]) if m else 0
    rank = _int(cert, "rank")
    _decided(verdict, rank == st.get("claimed"), f"rank {rank} vs claimed {st.get('claimed')}")
    ri, ci = cert.get("minor_rows"), cert.get("minor_columns")
    expect(isinstance(ri, list) and isinstance(ci, list) and len(ri) == len(ci) == rank, "minor: r rows and columns")
    expect(len(set(ri)) == rank and all(isinstance(i, int) and 1 <= i <= rows for i in ri), "minor_rows: invalid")
    expect(len(set(ci)) == rank and all(isinstance(j, int) and 1 <= j <= cols for j in ci), "minor_columns: invalid")
    kernel = cert.get("kernel")
    expect(isinstance(kernel, list) and len(kernel) == cols - rank and all(
        isinstance(v, list) and len(v) == cols for v in kernel), f"kernel: {cols - rank} vectors of length {cols}")
    at = cert.get("at")
    expect(isinstance(at, dict), "at: a table symbol = number")
    texts = [str(x) for r in m for x in r] + [str(x) for v in kernel for x in v] + [str(x) for x in at.values()]
    r = Reader(texts, _names(st))
    M = [[r.value(str(x)) for x in row] for row in m]
    K = [[r.value(str(x)) for x in v] for v in kernel]
    for k, v in enumerate(K, 1):
        for i, row in enumerate(M, 1):
            expect(is_zero(_dot(row, v, r)), f"kernel vector {k}: row {i} of M v is not formally zero")
    values = _point(r, at)
    minor = [[_at(M[i - 1][j - 1], values) for j in ci] for i in ri]
    s = sign(determinant(minor, r))
    expect(s not in (None, 0), f"the minor at the point is {'zero' if s == 0 else 'not provably non-zero'}")
    if K:                       # independence: a non-zero maximal minor of the kernel vectors at the point
        kv = [[_at(x, values) for x in v] for v in K]
        expect(_rank_of(kv, True) == len(kv), "kernel: the vectors are not independent at the point")

def _dot(a, b, r):
    return sum((x * y for x, y in zip(a, b)), r.const(Fraction(0)))

def _point(r, at):
    """Symbol index -> value for every symbol of the reader (all must be given)."""
    if r.ring is None:
        expect(not at, "at: no symbols to give values to")
        return {}
    missing = [s for s in r.symbol_names if s not in at]
    expect(not missing, f"at: no value for symbol {missing[0] if missing else ''!r}")
    expect(set(at) <= set(r.symbol_names), "at: a symbol the statement does not use")
    out = {}
    for s, t in at.items():
        v = r.value(str(t))
        expect(not r.ring.symbols_in(v), f"at.{s}: not a number")
        out[r.symbols[s]] = v
    return out

def _at(x, values):
    return x.substitute(values) if values and hasattr(x, "substitute") else x

def _rank_of(vectors, numbers=False) -> int:
    """The rank of exact rows (elimination); with ``numbers``, pivots of decided sign (-1 if one is not)."""
    A, rank = [list(v) for v in vectors], 0
    for c in range(len(A[0]) if A else 0):
        p = next((i for i in range(rank, len(A)) if (sign(A[i][c]) != 0 if numbers else not is_zero(A[i][c]))), None)
        if p is None:
            continue
        if numbers and sign(A[p][c]) is None:
            return -1
        A[rank], A[p] = A[p], A[rank]
        for i in range(rank + 1, len(A)):
            f = divide(A[i][c], A[rank][c]) if numbers else A[i][c] / A[rank][c]
            A[i] = [x - f * y for x, y in zip(A[i], A[rank])]
        rank += 1
    return rank

# -- inequalities ---------------------------------------------------------------------------------

@check("sum_of_squares", ["inequality"], ["terms"])
def _sos(st, verdict, cert):
    """lhs - rhs = sum c * s**2 formally, every c a non-negative number (the statement's own certificate)."""
    expect(verdict == "verified" and not st.get("strict"), "a sum of squares proves only lhs >= rhs")
    pairs = st.get("certificate") or []
    expect(isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs), "certificate pairs")
    expect(_int(cert, "terms", 1) == len(pairs), f"terms: the statement gives {len(pairs)}")
    r = Reader([str(st.get("lhs")), str(st.get("rhs"))] + [str(x) for p in pairs for x in p], _names(st))
    rest = r.value(str(st.get("lhs"))) - r.value(str(st.get("rhs")))
    for c, s in pairs:
        w = r.value(str(c))
        expect(r.ring is None or not r.ring.symbols_in(w), f"weight {c}: not a number")
        expect(sign(w) in (0, 1), f"weight {c}: not provably non-negative")
        sq = r.value(str(s))
        expect(not (hasattr(sq, "has_atoms") and sq.has_atoms() and r.ring.symbols_in(sq)),
               f"{s}: a function of the symbols that may not be real")
        rest = rest - w * sq * sq
    expect(is_zero(rest), "lhs - rhs - (sum of squares) is not formally zero")

@check("sign", ["inequality"], ["difference"])
def _sign(st, verdict, cert):
    """No symbols: the sign of lhs - rhs, exactly or by Arb; ``difference`` its exact text when rational."""
    r = Reader([str(st.get("lhs")), str(st.get("rhs")), str(cert.get("difference"))], _names(st))
    d = r.value(str(st.get("lhs"))) - r.value(str(st.get("rhs")))
    expect(r.ring is None or not r.ring.symbols_in(d), "lhs - rhs has symbols")
    expect(is_zero(d - r.value(str(cert.get("difference")))), "difference: not lhs - rhs")
    s = sign(d)
    expect(s is not None, "the sign of lhs - rhs is not decided")
    _decided(verdict, s > 0 or (s == 0 and not st.get("strict")), "lhs - rhs = " + str(cert.get("difference")))

@check("counterexample", ["inequality"], ["at"])
def _counterexample(st, verdict, cert):
    """lhs - rhs < 0 (<= 0 when strict) at the statement's counterexample values."""
    expect(verdict == "refuted", "a counterexample only refutes")
    at = cert.get("at")
    expect(isinstance(at, dict) and at == st.get("counterexample"), "at: must be the statement's counterexample")
    names = _names(st)
    r = Reader([str(st.get("lhs")), str(st.get("rhs"))] + [str(v) for v in at.values()], names)
    d = r.value(str(st.get("lhs"))) - r.value(str(st.get("rhs")))
    values = _point(r, {names.get(k, k): v for k, v in at.items() if names.get(k, k) in (r.symbol_names or [])})
    s = sign(_at(d, values))
    expect(s is not None and (s < 0 or (s == 0 and st.get("strict"))), "lhs - rhs is not below 0 at the values")

# -- losses ----------------------------------------------------------------------------------------

def _texts(table):
    return [str(v) for v in table.values()] if isinstance(table, dict) else [str(table)]

def _point_values(loss, table, key):
    expect(isinstance(table, dict) and set(table) == set(loss.net.parameters), f"{key}: one number per parameter")
    return [loss.value(str(table[p])) for p in loss.net.parameters]

@check("loss_value", ["loss_value"], ["value"])
def _loss_value(st, verdict, cert):
    loss = Loss(st, [st.get("value"), cert.get("value")])
    _region_only_verified(loss, verdict)
    L = loss.jet(loss.point()).value
    expect(is_zero(L - loss.value(cert.get("value"))), f"value: L(point) is not {cert.get('value')}")
    _decided(verdict, is_zero(L - loss.value(st.get("value"))), "L(point) = value")

@check("gradient", ["critical_point", "saddle", "local_minimum", "strict_local_minimum", "spurious_local_minimum"],
       ["gradient"])
def _gradient(st, verdict, cert):
    """The exact gradient (recomputed): zero proves a critical point; non-zero refutes every
    statement that needs one."""
    loss = Loss(st, _texts(cert.get("gradient")))
    _region_only_verified(loss, verdict)
    g = loss.jet(loss.point(), 1).grad
    given = _point_values(loss, cert.get("gradient"), "gradient")
    bad = [p for p, a, b in zip(loss.net.parameters, g, given) if not is_zero(a - b)]
    expect(not bad, f"gradient.{bad[0] if bad else ''}: not the derivative of L at the point")
    zero = all(is_zero(x) for x in g)
    if st["kind"] == "critical_point":
        _decided(verdict, zero, "the gradient is zero")
    else:
        expect(verdict == "refuted" and not zero, "a non-zero gradient only refutes a statement about minima")

def _region_only_verified(loss, verdict):
    """With symbols, an identity on the region is checked; a refutation needs a point of it (not here)."""
    if loss.reader.ring is not None and loss.reader.symbol_names and verdict != "verified":
        raise NotCovered("a refutation on a symbolic region")

def _hessian_at(st, cert_texts, need_critical=True):
    loss = Loss(st, cert_texts)
    j = loss.jet(loss.point(), 2)
    if need_critical:
        bad = [p for p, x in zip(loss.net.parameters, j.grad) if not is_zero(x)]
        expect(not bad, f"the gradient is not zero at the point (d/d {bad[0] if bad else ''!r})")
    return loss, j.hess

def _ldl(cert, loss, H, order):
    """Check H[order, order] = L D L^T (L unit lower triangular, rows of strictly lower entries); returns D."""
    n = len(order)
    Lrows, D = cert.get("L"), cert.get("D")
    expect(isinstance(Lrows, list) and len(Lrows) == n and all(isinstance(r, list) and len(r) == i
                                                               for i, r in enumerate(Lrows)), "L: row i has i entries")
    expect(isinstance(D, list) and len(D) == n, f"D: {n} entries")
    idx = [loss.net.index[p] for p in order]
    Lv = [[loss.value(str(x)) for x in r] for r in Lrows]
    Dv = [loss.value(str(x)) for x in D]
    zero = loss.reader.const(Fraction(0))
    for i in range(n):
        for j in range(i + 1):
            s = zero
            for k in range(j + 1):
                lik = Lv[i][k] if k < i else None
                ljk = Lv[j][k] if k < j else None
                a = lik if lik is not None else (loss.reader.const(Fraction(1)) if k == i else zero)
                b = ljk if ljk is not None else (loss.reader.const(Fraction(1)) if k == j else zero)
                s = s + a * Dv[k] * b
            expect(is_zero(s - H[idx[i]][idx[j]]), f"L D L^T differs from the Hessian at ({order[i]}, {order[j]})")
    return [sign(d) for d in Dv]

def _ldl_texts(cert):
    return [str(x) for r in (cert.get("L") or []) if isinstance(r, list) for x in r] + \
        [str(x) for x in (cert.get("D") or []) if not isinstance(x, (list, dict))]

def _undecided(signs):
    if None in signs:
        raise NotCovered("an entry of D whose sign on the region is not decided here")

@check("hessian_ldl", ["hessian_psd", "local_minimum", "strict_local_minimum", "saddle", "spurious_local_minimum"],
       ["order", "L", "D"])
def _hessian_ldl(st, verdict, cert):
    """H = P^T L D L^T P: the inertia of H is that of D (Sylvester). With a zero gradient, D > 0
    proves a strict local minimum, a D < 0 refutes any minimum."""
    kind = st["kind"]
    loss, H = _hessian_at(st, _ldl_texts(cert), need_critical=kind != "hessian_psd")
    order = cert.get("order")
    expect(isinstance(order, list) and sorted(order) == sorted(loss.net.parameters), "order: a permutation of the "
                                                                                      "parameters")
    signs = _ldl(cert, loss, H, order)
    _undecided(signs)
    if kind == "hessian_psd":
        _decided(verdict, min(signs) >= 0, "H is positive semi-definite")
    elif kind == "saddle":            # both signs: a saddle; all > 0 (< 0): a strict minimum (maximum), not one
        expect(min(signs) < 0 < max(signs) or min(signs) > 0 or max(signs) < 0, "D: zeros decide nothing here")
        _decided(verdict, min(signs) < 0 < max(signs), "H has directions of both curvatures")
    elif min(signs) < 0:
        expect(verdict == "refuted", "a negative direction of H refutes a minimum")
    else:
        expect(verdict == "verified" and min(signs) > 0, "only a positive definite H proves a minimum here")

@check("curvature", ["hessian_psd", "local_minimum", "strict_local_minimum", "saddle", "spurious_local_minimum"],
       ["direction", "curvature"])
def _curvature(st, verdict, cert):
    """A direction v with v^T H v = curvature < 0 (and a zero gradient, except for hessian_psd)."""
    loss, H = _hessian_at(st, _texts(cert.get("direction")) + [str(cert.get("curvature"))],
                          need_critical=st["kind"] != "hessian_psd")
    v = _point_values(loss, cert.get("direction"), "direction")
    c = curvature(H, v)
    expect(c is not None and is_zero(c - loss.value(str(cert.get("curvature")))), "curvature: not v^T H v")
    expect(sign(c) == -1 and verdict == "refuted" and st["kind"] != "saddle", "a negative curvature refutes a minimum")

@check("saddle", ["saddle"], ["descent", "ascent"])
def _saddle(st, verdict, cert):
    """A critical point with directions of negative and of positive curvature: neither min nor max."""
    loss, H = _hessian_at(st, _texts(cert.get("descent")) + _texts(cert.get("ascent")))
    down = curvature(H, _point_values(loss, cert.get("descent"), "descent"))
    up = curvature(H, _point_values(loss, cert.get("ascent"), "ascent"))
    expect(down is not None and sign(down) == -1, "descent: v^T H v is not negative")
    expect(up is not None and sign(up) == 1, "ascent: v^T H v is not positive")
    expect(verdict == "verified", "a saddle certificate proves a saddle")

def _orbit_tangent(loss, theta, neuron):
    """The tangent at theta of the rescaling of ``neuron`` (a hidden node, or a list of them: a channel
    sharing tied weights): incoming weights and biases * c, outgoing weights / c. It preserves L when every
    node has a positively homogeneous activation, no edge is fixed, no edge joins two of the nodes, and
    every parameter of an incoming (outgoing) edge sets only incoming (outgoing) edges of the nodes."""
    net = loss.net
    group = [neuron] if isinstance(neuron, str) else neuron
    expect(isinstance(group, list) and group and len(set(map(str, group))) == len(group), f"neuron {neuron!r}")
    for n in group:
        expect(n in net.hidden, f"neuron {n!r}: not a hidden node")
        expect(net.homogeneous(n), f"neuron {n!r}: activation {net.activation(n)} is not positively homogeneous")
    inside = set(group)
    role = {}
    for u, v in net.edges:
        if u in inside or v in inside:
            expect(not (u in inside and v in inside), f"edge {u} -> {v} joins two rescaled nodes")
            expect((u, v) not in net.fixed, f"edge {u} -> {v} is fixed")
            role.setdefault(net.slot(u, v), set()).add(1 if v in inside else -1)
    for u, v in net.edges:
        p = net.slot(u, v)
        if p in role and u not in inside and v not in inside:
            role[p].add(0)                     # a tied weight also used elsewhere
    t = [loss.reader.const(Fraction(0)) for _ in theta]
    for p, roles in role.items():
        expect(len(roles) == 1 and 0 not in roles, f"parameter {p!r} is not only incoming or only outgoing")
        i = net.index[p]
        t[i] = theta[i] * roles.pop()
    for n in group:
        if n in net.biases:
            i = net.index[f"b:{n}"]
            t[i] = theta[i]
    return t

@check("rescaling_orbit", ["strict_local_minimum"], ["neuron"])
def _rescaling(st, verdict, cert):
    """L is constant on the rescaling curve of a neuron through the point, which moves: not strict."""
    loss = Loss(st)
    theta = loss.point()
    t = _orbit_tangent(loss, theta, cert.get("neuron"))
    expect(not all(is_zero(x) for x in t), "the rescaling does not move the point")
    expect(verdict == "refuted", "a curve of equal loss refutes strictness")

FAMILY = "family_s"        # the names family_s1, family_s2, ... of the free parameters of a family

def _family_texts(point, directions, names):
    """theta + sum s_i d_i as texts per parameter (``directions``: tables parameter -> number)."""
    expect(isinstance(directions, list) and all(isinstance(d, dict) and set(d) == set(names) for d in directions),
           "directions: tables with a value for every parameter")
    expect(isinstance(point, dict) and set(point) == set(names), "point: one number per parameter")
    return {p: " + ".join([f"({point[p]})"] + [f"{FAMILY}{i}*({d[p]})" for i, d in enumerate(directions, 1)])
            for p in names}

def _family_loss(st, directions, texts=()):
    """The loss with the point moved along the affine family, and that family point (family_s* free)."""
    net_names = Loss(st).net.parameters
    moved = _family_texts(st.get("point"), directions, net_names)
    loss = Loss(st, list(moved.values()) + list(texts), free=[f"{FAMILY}{i}" for i in range(1, len(directions) + 1)])
    return loss, loss.point(table=moved)

@check("constant_line", ["strict_local_minimum"], ["direction"])
def _constant_line(st, verdict, cert):
    """L(theta + s d) = L(theta) identically in s, d != 0: points of equal loss arbitrarily close, not strict."""
    d = cert.get("direction")
    loss, theta_s = _family_loss(st, [d])
    expect(any(not is_zero(loss.value(str(v))) for v in d.values()), "direction: zero")
    base = Loss(st)
    expect(is_zero(loss.jet(theta_s).value - loss.jet(loss.point()).value) and base is not None,
           "L is not constant along the line")
    expect(verdict == "refuted", "a line of equal loss refutes strictness")

@check("morse_bott_family", ["local_minimum", "spurious_local_minimum", "saddle"],
       ["neurons", "directions", "complement", "L", "D"])
def _morse_bott_family(st, verdict, cert):
    """As morse_bott_rescaling, with an affine family theta + sum s_i d_i of critical points (the gradient
    vanishes identically in s) whose directions join the rescaling tangents."""
    dirs = cert.get("directions")
    loss, theta_s = _family_loss(st, dirs, _ldl_texts(cert))
    g = loss.jet(theta_s, 1).grad
    expect(all(is_zero(x) for x in g), "the gradient does not vanish identically on the family")
    extra = [[str(d[p]) for p in loss.net.parameters] for d in dirs]
    _morse_bott(st, verdict, {k: v for k, v in cert.items() if k != "directions"}, extra)

@check("morse_bott_rescaling", ["local_minimum", "spurious_local_minimum", "saddle"],
       ["neurons", "complement", "L", "D"])
def _morse_bott(st, verdict, cert, extra=()):
    """(``extra``: texts of further tangent vectors, the directions of a proven critical family.)
    Zero gradient; H t = 0 for the rescaling tangents t of ``neurons``; the tangents restricted to the
    parameters outside ``complement`` are invertible; H on ``complement`` = L D L^T with D > 0. Then H is
    PSD with kernel the tangent space of the orbit manifold (critical points of equal loss): a local
    minimum (Morse-Bott)."""
    loss, H = _hessian_at(st, _ldl_texts(cert) + [x for t in extra for x in t])
    theta = loss.point()
    neurons, comp = cert.get("neurons"), cert.get("complement")
    expect(isinstance(neurons, list) and len(set(map(str, neurons))) == len(neurons), "neurons: distinct entries")
    expect(isinstance(comp, list) and len(set(comp)) == len(comp) and set(comp) <= set(loss.net.parameters)
           and len(comp) + len(neurons) + len(extra) == len(loss.net.parameters),
           "complement: the parameters minus one per neuron and family direction")
    T = [_orbit_tangent(loss, theta, n) for n in neurons] + [[loss.value(x) for x in t] for t in extra]
    for n, t in zip(list(neurons) + ["family"] * len(extra), T):
        for i, row in enumerate(H):
            expect(is_zero(_dot(row, t, loss.reader)), f"H t != 0 for the tangent of {n!r}")
    rest = [i for i, p in enumerate(loss.net.parameters) if p not in comp]
    expect(not T or _rank_of([[t[i] for i in rest] for t in T], True) == len(T),
           "the tangents are not independent on the parameters outside the complement")
    signs = _ldl(cert, loss, H, comp)
    _undecided(signs)
    expect(all(s == 1 for s in signs), "D: not all positive")
    expect(verdict == ("refuted" if st["kind"] == "saddle" else "verified"),
           "this certificate proves a local minimum (so not a saddle)")

@check("zero_loss", ["local_minimum"])
def _zero_loss(st, verdict, cert):
    """L(point) = 0 (recomputed): the global minimum of a sum of squares, so a local minimum."""
    loss = Loss(st)
    expect(is_zero(loss.jet(loss.point()).value), "L(point) is not 0")
    expect(verdict == "verified", "zero loss proves a minimum")

@check("lower_loss", ["not_global", "spurious_local_minimum"], ["loss_point", "loss_better"])
def _lower(st, verdict, cert):
    """L(better) < L(point), both recomputed."""
    loss = Loss(st, [cert.get("loss_point"), cert.get("loss_better")])
    _region_only_verified(loss, verdict)
    a = loss.jet(loss.point()).value
    b = loss.jet(loss.point("better")).value
    expect(is_zero(a - loss.value(cert.get("loss_point"))), "loss_point: not L(point)")
    expect(is_zero(b - loss.value(cert.get("loss_better"))), "loss_better: not L(better)")
    s = sign(b - a)
    expect(s is not None, "the sign of L(better) - L(point) is not decided")
    if st["kind"] == "not_global":
        _decided(verdict, s < 0, "L(better) < L(point)")
    else:
        expect(verdict == "refuted" and s >= 0, "for a spurious minimum this refutes (no lower point)")

@check("lower_loss_balls", ["not_global"])
def _lower_balls(st, verdict, cert):
    """Arb balls of L(point) and L(better) (any activation), computed here, that are disjoint:
    L(better) < L(point)."""
    loss = Loss(st, balls=True)
    a, b = loss.point(), loss.point("better")
    for bits in (128, 512, 2048):
        la, lb = loss.ball(a, bits), loss.ball(b, bits)
        if lb < la or lb > la:
            break
    expect(lb < la, "the balls of L(better) and L(point) do not show L(better) < L(point)")
    expect(verdict == "verified", "L(better) < L(point) proves not_global")

@check("gradient_ball", ["critical_point"], ["parameter"])
def _gradient_ball(st, verdict, cert):
    """An Arb ball of dL/d(parameter) at the point (forward mode, any activation) that excludes 0."""
    loss = Loss(st, balls=True)
    p = cert.get("parameter")
    expect(p in loss.net.index, f"parameter {p!r}: not a parameter of the network")
    for bits in (128, 512, 2048):
        g = loss.ball(loss.point(), bits, wrt=loss.net.index[p])
        if g > 0 or g < 0:
            break
    expect(g > 0 or g < 0, f"the ball of dL/d {p} contains 0")
    expect(verdict == "refuted", "a non-zero derivative refutes a critical point")

@check("at_region_point", ["loss_value", "critical_point", "local_minimum", "strict_local_minimum", "saddle",
                           "hessian_psd", "not_global", "spurious_local_minimum"], ["at", "certificate"])
def _at_region_point(st, verdict, cert):
    """A statement on a region of its symbols is refuted at values ``at`` inside the region (every declared
    condition checked exactly there): the statement with those values is rechecked with ``certificate``."""
    at, conditions = cert.get("at"), st.get("symbols")
    expect(verdict == "refuted", "values in the region only refute")
    put = in_region(conditions, at)
    fixed = {k: v for k, v in st.items() if k != "symbols"}
    for key in ("data", "point", "better"):
        if isinstance(fixed.get(key), dict):
            fixed[key] = {k: ([[put(x) for x in r] for r in v] if isinstance(v, list) else put(v))
                          for k, v in fixed[key].items()}
    for key in ("value",):
        if key in fixed:
            fixed[key] = put(fixed[key])
    inner = cert.get("certificate")
    expect(isinstance(inner, dict) and inner.get("kind") != "at_region_point", "certificate: one refutation")
    recheck({"statement": fixed, "verdict": "refuted", "certificate": inner})

def in_region(conditions, at):
    """Rational values ``at`` of every declared symbol satisfy each condition (exactly); returns the
    function that writes them into a text."""
    import re
    from .network import signed_symbols
    expect(isinstance(conditions, dict) and isinstance(at, dict) and set(at) == set(conditions),
           "at: one value for every declared symbol")
    signed_symbols(conditions)
    names = sorted(at, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")

    def put(text):
        return pattern.sub(lambda m: f"({at[m.group(1)]})", str(text)) if names else str(text)
    expect(Reader([str(v) for v in at.values()]).ring is None, "at: rational values")
    for cond in conditions.values():
        for part in filter(lambda c: c not in ("", "real"), (c.strip() for c in cond.split(";"))):
            _holds(put(part))
    return put

def _holds(condition: str):
    """A chain of comparisons between numbers, decided exactly."""
    import ast
    node = ast.parse(condition, mode="eval").body
    expect(isinstance(node, ast.Compare), f"condition {condition!r}: not a comparison")
    terms = [ast.get_source_segment(condition, t) for t in [node.left, *node.comparators]]
    r = Reader(terms)
    ops = {ast.Gt: lambda s: s > 0, ast.Lt: lambda s: s < 0, ast.GtE: lambda s: s >= 0, ast.LtE: lambda s: s <= 0}
    for op, a, b in zip(node.ops, terms, terms[1:]):
        s = sign(r.value(a) - r.value(b))
        expect(type(op) in ops and s is not None and ops[type(op)](s), f"condition {condition!r} fails at the values")

@check("spurious_local_minimum", ["spurious_local_minimum"], ["local_minimum", "not_global"])
def _spurious(st, verdict, cert):
    """Both parts verified: a local minimum and a point of lower loss."""
    expect(verdict == "verified", "both parts prove a spurious minimum")
    a, b = cert.get("local_minimum"), cert.get("not_global")
    expect(isinstance(a, dict) and isinstance(b, dict), "the two parts are certificates")
    expect(a.get("kind") in ("hessian_ldl", "morse_bott_rescaling", "morse_bott_family", "zero_loss")
           and b.get("kind") == "lower_loss",
           "parts: a minimum certificate and a lower_loss certificate")
    recheck({"statement": st, "verdict": "verified", "certificate": a})
    f, _, keys = CHECKS["lower_loss"]
    expect(set(b) <= keys, "not_global: unknown key")
    loss = Loss(st, [b.get("loss_point"), b.get("loss_better")])
    va, vb = loss.jet(loss.point()).value, loss.jet(loss.point("better")).value
    expect(is_zero(va - loss.value(b.get("loss_point"))) and is_zero(vb - loss.value(b.get("loss_better"))),
           "not_global: the losses are not L(point), L(better)")
    expect(sign(vb - va) == -1, "L(better) is not below L(point)")

# -- paths ---------------------------------------------------------------------------------------------

@check("loss_along_path", ["non_increasing"], ["coefficients"])
def _path(st, verdict, cert):
    """L(c0 + c1 t + ...) as a polynomial in t (recomputed; ``coefficients`` must match), its derivative
    of constant sign <= 0 on [a, b] by a Sturm count of its roots (exact rationals only)."""
    from flint import fmpq, fmpq_poly
    loss = Loss(st, [str(x) for x in cert.get("coefficients") or []] + [str(st[k]) for k in ("a", "b") if k in st])
    if loss.reader.ring is not None:
        raise NotCovered("a path with irrational numbers")
    path = st.get("path")
    expect(isinstance(path, list) and len(path) >= 2, "path: at least two coefficient tables")
    coeffs = [_point_values(loss, c, f"path[{k}]") for k, c in enumerate(path, 1)]
    theta = [fmpq_poly([c[i] for c in coeffs]) for i in range(len(loss.net.parameters))]
    L = _polynomial_loss(loss, theta)
    given = cert.get("coefficients")
    expect(isinstance(given, list) and fmpq_poly([loss.value(str(x)) for x in given]) == L,
           "coefficients: not L along the path")
    a, b = (loss.value(str(st.get(k, d))) if k in st else fmpq(d) for k, d in (("a", 0), ("b", 1)))
    expect(a < b, "a < b is needed")
    q = -L.derivative()
    _decided(verdict, _non_negative(q, a, b), "L' <= 0 on [a, b]")

def _polynomial_loss(loss, theta):
    from flint import fmpq_poly
    F = outputs(loss, theta, lambda c: fmpq_poly([c]))
    return sum(((f - fmpq_poly([y])) ** 2 for fr, yr in zip(F, loss.Y) for f, y in zip(fr, yr)), fmpq_poly([0])) \
        * loss.scale

def outputs(loss, theta, lift=lambda c: c):
    """F[output][sample] of a polynomial network at theta (values of any ring; ``lift`` maps the constants in)."""
    if any(kind in ("relu", "leaky") for kind, _ in loss.acts.values()):
        raise NotCovered("a path through a network with kinks")
    out = [[] for _ in loss.net.outputs]
    for s in range(loss.samples):
        vals = {x: lift(loss.X[i][s]) for i, x in enumerate(loss.net.inputs)}
        for node in (n for n in loss.net.order if n not in vals):
            acc = lift(loss.reader.const(Fraction(0)))
            for u in loss.net.parents[node]:
                name = loss.net.slot(u, node)
                acc = acc + (theta[loss.net.index[name]] if name is not None else lift(loss.fixed[(u, node)])) * vals[u]
            if node in loss.net.biases:
                acc = acc + theta[loss.net.index[f"b:{node}"]]
            if node in loss.acts and loss.acts[node][0] == "poly":
                out_ = lift(loss.reader.const(Fraction(0)))
                for c in reversed(loss.acts[node][1]):
                    out_ = out_ * acc + lift(c)
                acc = out_
            vals[node] = acc
        for i, o in enumerate(loss.net.outputs):
            out[i].append(vals[o])
    return out

def _non_negative(q, a, b) -> bool:
    """q >= 0 on [a, b]: q = (t - a)^i (t - b)^j q1 with q1(a), q1(b) != 0; then (-1)^j q1 must be > 0 at a
    and b with no root in (a, b) (Sturm), else q < 0 somewhere (or, with roots inside, not covered)."""
    from flint import fmpq_poly
    if q == 0:
        return True
    t, sgn = fmpq_poly([0, 1]), 1
    while q(a) == 0:
        q = q // (t - a)
    while q(b) == 0:
        q, sgn = q // (t - b), -sgn
    q = q * sgn
    if q(a) < 0 or q(b) < 0:
        return False
    if _sturm_roots(q, a, b) == 0:
        return True
    raise NotCovered("L' has roots inside [a, b]: the sign between them is not examined here")

def _sturm_roots(q, a, b) -> int:
    """The number of distinct roots of q in the open interval (a, b)."""
    seq = [q, q.derivative()]
    while seq[-1] != 0 and seq[-1].degree() > 0:
        seq.append(-(seq[-2] % seq[-1]))
    seq = [s for s in seq if s != 0]

    def changes(x):
        signs = [s(x) for s in seq]
        signs = [v for v in signs if v != 0]
        return sum(1 for u, v in zip(signs, signs[1:]) if (u > 0) != (v > 0))
    return changes(a) - changes(b)          # q(a), q(b) != 0: the distinct roots in (a, b)

# -- activations -----------------------------------------------------------------------------------

def spec_parts(spec):
    """('poly', [Fractions]) from 'poly(0, 1, 1/2)'; ('tanh', []) from 'tanh'."""
    from .exact import parse, small_rational
    import ast
    expect(isinstance(spec, str) and len(spec) < 10_000, "activation: must be a name")
    node = parse(spec)
    if isinstance(node, ast.Name):
        return node.id, []
    expect(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords,
           f"activation {spec!r}: not a name or name(numbers)")
    args = [small_rational(a) for a in node.args]
    expect(None not in args, f"activation {spec!r}: parameters must be rational")
    return node.func.id, args

ANALYTIC = ("linear", "tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish", "poly")

def derivatives_at_zero(spec, order) -> list:
    """Exact sigma^(k)(0), k = 0..order (fmpq; None for the irrational softplus(0) = log 2 > 0)."""
    from flint import ctx, fmpq, fmpq_series
    from math import factorial
    name, p = spec_parts(spec)
    if name == "leaky_relu" and p == [1]:
        name = "linear"
    expect(name in ANALYTIC, f"{spec}: not analytic")
    old = ctx.cap
    ctx.cap = order + 2
    try:
        x = fmpq_series([0, 1])
        if name == "linear":
            s = x
        elif name == "poly":
            s = fmpq_series([fmpq(c.numerator, c.denominator) for c in p])
        elif name == "tanh":
            s = x.tanh()
        elif name in ("sigmoid", "shifted_sigmoid"):
            s = 1 / (1 + (-x).exp()) - (fmpq(1, 2) if name == "shifted_sigmoid" else 0)
        elif name == "swish":
            s = x / (1 + (-x).exp())
        else:                                   # softplus = log 2 + log((1 + e^x) / 2)
            s = ((1 + x.exp()) / 2).log()
        c = s.coeffs() + [fmpq(0)] * (order + 1)
    finally:
        ctx.cap = old
    out = [fmpq(c[k]) * factorial(k) for k in range(order + 1)]
    if name == "softplus":
        out[0] = None
    return out

def _progression(orders, n):
    return len(orders) == n and all(isinstance(k, int) and k >= 0 for k in orders) and (
        n == 1 or (orders[1] > orders[0] and all(b - a == orders[1] - orders[0] for a, b in zip(orders, orders[1:]))))

@check("derivative_progression", ["arithmetic_derivatives"], ["orders"])
def _derivatives(st, verdict, cert):
    """n orders in arithmetic progression with sigma^(l)(0) != 0 (exact Taylor series at 0)."""
    orders, n = cert.get("orders"), st.get("n")
    expect(isinstance(orders, list) and _progression(orders, n), f"orders: not an arithmetic progression of length {n}")
    expect(orders[-1] <= 200, "orders: beyond 200")
    d = derivatives_at_zero(st.get("activation"), orders[-1])
    expect(all(d[k] is None or d[k] != 0 for k in orders), "orders: a derivative at 0 is zero")
    expect(verdict == "verified", "a progression proves the assumption")

@check("not_analytic", ["arithmetic_derivatives"])
def _not_analytic(st, verdict, cert):
    """relu, leaky_relu(a) with a != 1, elu: a kink (or a jump of a derivative) at 0."""
    name, p = spec_parts(st.get("activation"))
    expect(name in ("relu", "elu") or (name == "leaky_relu" and p != [1]), f"{st.get('activation')} is analytic")
    expect(verdict == "refuted", "not analytic refutes the assumption")

@check("polynomial_orders", ["arithmetic_derivatives"], ["orders"])
def _poly_orders(st, verdict, cert):
    """A polynomial: its non-zero derivative orders at 0 (all of them) hold no progression of length n."""
    name, p = spec_parts(st.get("activation"))
    expect(name == "poly", "not a polynomial")
    d = derivatives_at_zero(st.get("activation"), len(p) + 1)
    orders = [k for k, v in enumerate(d) if v != 0]
    expect(cert.get("orders") == orders, "orders: not the non-zero derivative orders")
    n, present = st.get("n"), set(orders)
    expect(isinstance(n, int) and n >= 1, "n: a positive integer")
    found = any(all(a + k * (b - a) in present for k in range(n)) for a in orders for b in orders if b > a) or \
        (n == 1 and orders)
    expect(not found and verdict == "refuted", "a progression of that length exists")

def activation_matrix(st):
    """The texts sigma((W X)_ij) of an activation_rank statement (W X computed exactly)."""
    W, X = _matrix(st.get("W"), "W"), _matrix(st.get("X"), "X")
    expect(W and X and len(W[0]) == len(X), "W and X: shapes do not match")
    r = Reader([str(x) for row in W + X for x in row])
    if r.ring is not None:
        raise NotCovered("W or X with irrational entries")
    Wv = [[r.value(str(x)) for x in row] for row in W]
    Xv = [[r.value(str(x)) for x in row] for row in X]
    spec = str(st.get("activation"))
    name, _ = spec_parts(spec)
    expect(name in ("linear", "relu", "leaky_relu", "poly") + TRANSCENDENTAL_ACTIVATIONS, f"{spec}: unknown activation")
    out = []
    for row in Wv:
        out.append([f"{spec}({sum((a * b for a, b in zip(row, col)), r.const(Fraction(0)))})"
                    for col in zip(*Xv)])
    return out

TRANSCENDENTAL_ACTIVATIONS = ("tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish", "elu")

# -- data assumptions and Vandermonde matrices -----------------------------------------------------------

def _data_rows(st):
    from .network import Network
    net = Network(st.get("network"))
    X = _matrix(st.get("X"), "X")
    expect(len(X) == len(net.inputs) and X and X[0], "X: one row per input")
    r = Reader([str(x) for row in X for x in row])
    return net, [[r.value(str(x)) for x in row] for row in X]

@check("lsz_assumption1", ["lsz_assumption1"], ["failures"])
def _lsz(st, verdict, cert):
    """Every input row: non-zero entries of pairwise different |x|; every hidden node has an incoming edge.
    ``failures``: how many of these fail (one per input row at most, one per empty neuron)."""
    net, rows = _data_rows(st)
    failures = 0
    for row in rows:
        if any(is_zero(v) for v in row):
            failures += 1
        elif any(is_zero(row[i] - row[j]) or is_zero(row[i] + row[j])
                 for i in range(len(row)) for j in range(i + 1, len(row))):
            failures += 1
    failures += sum(1 for h in net.hidden if not net.parents[h])
    expect(cert.get("failures") == failures, f"failures: {failures} conditions fail")
    _decided(verdict, failures == 0, "Assumption 1")

@check("lds_assumption1", ["lds_assumption1"], ["failures"])
def _lds(st, verdict, cert):
    """A1: no zero sample (column of X), no two equal samples; A3: at least N hidden neurons feed an output."""
    net, rows = _data_rows(st)
    cols = list(zip(*rows))
    n = len(cols)
    failures = int(any(all(is_zero(v) for v in c) for c in cols))
    failures += int(any(all(is_zero(a - b) for a, b in zip(cols[i], cols[j])) for i in range(n)
                        for j in range(i + 1, n)))
    last = {u for o in net.outputs for u in net.parents[o] if u in net.hidden}
    failures += int(len(last) < n)
    expect(cert.get("failures") == failures, f"failures: {failures} conditions fail")
    _decided(verdict, failures == 0, "Assumption 1 (A1-A4)")

@check("vandermonde", ["vandermonde_full_rank"], ["orders"])
def _vandermonde(st, verdict, cert):
    """det [z_i^l_k sigma^(l_k)(0)], l_k = start + k step, computed here exactly: non-zero or zero."""
    z = st.get("samples")
    start, step = st.get("start"), st.get("step")
    expect(isinstance(z, list) and z and len(z) <= MAX_MATRIX, "samples: a list of numbers")
    expect(all(isinstance(x, int) and not isinstance(x, bool) for x in (start, step)) and start >= 0 and step >= 1,
           "start, step: integers")
    orders = [start + k * step for k in range(len(z))]
    expect(cert.get("orders") == orders, "orders: not start + k step")
    expect(orders[-1] <= 200, "orders: beyond 200")
    c = derivatives_at_zero(st.get("activation"), orders[-1])
    r = Reader([str(x) for x in z])
    zs = [r.value(str(x)) for x in z]
    one = r.const(Fraction(1))
    rows = []
    for k in orders:
        ck = c[k]
        if ck is None:
            raise NotCovered("a log 2 entry (softplus at order 0)")
        rows.append([(x ** k if k else one) * r.const(ck) for x in zs])
    _decided(verdict, not is_zero(determinant(rows, r)), "det A != 0")

def _zero_at_zero(spec) -> bool:
    name, _ = spec_parts(spec)
    if name in ("relu", "leaky_relu", "elu"):
        return True
    v = derivatives_at_zero(spec, 0)[0]
    return v is not None and v == 0

@check("effective", ["effective"], ["useless"])
def _effective(st, verdict, cert):
    """Live nodes (an input, a bias, sigma(0) != 0, or a live predecessor) that reach an output, for every
    node (outputs: live). ``useless``: the nodes that fail, recomputed here."""
    from .network import Network
    net = Network(st.get("network"))
    live, reach = set(), set(net.outputs)
    for n in net.order:
        if n in net.inputs or n in net.biases or any(p in live for p in net.parents[n]) or (
                n in net.hidden and not _zero_at_zero(net.activation(n))):
            live.add(n)
    children = {n: [v for u, v in net.edges if u == n] for n in net.order}
    for n in reversed(net.order):
        if any(c in reach for c in children[n]):
            reach.add(n)
    useless = sorted({n for n in net.order if n not in live or (n not in net.outputs and n not in reach)})
    expect(cert.get("useless") == useless, f"useless: the useless nodes are {useless}")
    _decided(verdict, not useless, "every node matters")

# -- interval certificates (local_minimum_near) ---------------------------------------------------------

def _box_setup(st, texts):
    from flint import arb, fmpq
    loss = Loss(st, [str(st.get("radius"))] + texts, balls=True)
    digits = st.get("digits", 30)
    expect(isinstance(digits, int) and 10 <= digits <= 1000, "digits: an integer from 10 to 1000")
    def to(x):
        return x if isinstance(x, arb) else x.ball() if hasattr(x, "ball") else arb(fmpq(x))
    return loss, to, max(256, 8 * digits)

def _box(centre, r):
    return [(c - r).union(c + r) for c in centre]

@check("krawczyk", ["local_minimum_near"], ["center", "box_radius"])
def _krawczyk(st, verdict, cert):
    """The box center +/- box_radius lies in the sup-norm ball of the statement; the Krawczyk operator
    K = c - Y g(c) + (I - Y H(box)) (box - c) maps the box into its interior (a unique critical point in
    it), and an LDL^T of the Hessian enclosure over the box has every D > 0 (positive definite there):
    a strict local minimum within the radius (gradient and Hessian enclosed here with Arb jets)."""
    from flint import arb_mat, ctx
    centre, rho = cert.get("center"), cert.get("box_radius")
    expect(isinstance(centre, dict), "center: a table parameter = number")
    loss, to, bits = _box_setup(st, _texts(centre) + [str(rho)])
    expect(verdict == "verified", "a Krawczyk box proves a minimum")
    names = loss.net.parameters
    expect(set(centre) == set(names), "center: one number per parameter")
    p, c = loss.point(), [loss.value(str(centre[k])) for k in names]
    r, R = loss.value(str(rho)), loss.value(str(st.get("radius")))
    expect(sign(r) == 1, "box_radius: must be positive")
    for k, a, b in zip(names, c, p):
        expect(sign(R - r - (a - b)) in (0, 1) and sign(R - r + (a - b)) in (0, 1),
               f"the box leaves the ball of the statement at {k}")
    old = ctx.prec
    ctx.prec = bits
    try:
        cb, rb = [to(x) for x in c], to(r)
        g = loss.jet(cb, 1, to).grad
        H = loss.jet(_box(cb, rb), 2, to).hess
        n = len(names)
        mid = arb_mat([[h.mid() for h in row] for row in H])
        inv = mid.inv()
        Y = [[inv[i, j].mid() for j in range(n)] for i in range(n)]
        for i in range(n):
            k = -sum((Y[i][j] * g[j] for j in range(n)), 0 * rb)
            for j in range(n):
                m = (1 if i == j else 0) - sum((Y[i][l] * H[l][j] for l in range(n)), 0 * rb)
                k += m * (-rb).union(rb)                      # (box_j - c_j) lies in [-r, r]
            expect(k < rb and k > -rb, "K(box) does not lie inside the box")
        A = [list(row) for row in H]
        for j in range(n):
            expect(A[j][j] > 0, "the Hessian is not positive definite on the box")
            for i in range(j + 1, n):
                f = A[i][j] / A[j][j]
                for m in range(j + 1, n):
                    A[i][m] = A[i][m] - f * A[j][m]
    finally:
        ctx.prec = old

@check("gradient_excludes_zero", ["local_minimum_near"])
def _no_critical_point(st, verdict, cert):
    """On the whole sup-norm ball of the statement (one box), a gradient entry's enclosure excludes 0:
    no critical point, so no local minimum, in the ball."""
    from flint import ctx
    loss, to, bits = _box_setup(st, [])
    expect(verdict == "refuted", "no critical point refutes a minimum")
    old = ctx.prec
    ctx.prec = bits
    try:
        p = [to(x) for x in loss.point()]
        g = loss.jet(_box(p, to(loss.value(str(st.get("radius"))))), 1, to).grad
        expect(any(x > 0 or x < 0 for x in g), "every gradient enclosure on the ball contains 0")
    finally:
        ctx.prec = old

def _features(name, args, xs, w, exact):
    """(z, z', z'') = (sigma(w x), x sigma'(w x), x^2 sigma''(w x)): exact (polynomial or piecewise linear
    activations, away from the kink) or Arb balls."""
    from flint import arb, fmpq
    from .exact import activation_ball
    if not exact:
        out = [activation_ball(name, arb(w * t), args, derivative=2) for t in xs]
        return ([f[0] for f in out], [arb(t) * f[1] for t, f in zip(xs, out)],
                [arb(t * t) * f[2] for t, f in zip(xs, out)])
    if name in ("relu", "leaky_relu"):
        if any(w * t == 0 for t in xs):
            raise NotCovered(f"{name} at its kink")
        slope = fmpq(args[0].numerator, args[0].denominator) if args else fmpq(0)
        d1 = [fmpq(1) if w * t > 0 else slope for t in xs]
        return [d * w * t for d, t in zip(d1, xs)], [t * d for t, d in zip(xs, d1)], [fmpq(0) for _ in xs]
    c = [fmpq(a.numerator, a.denominator) for a in args] if name == "poly" else [fmpq(0), fmpq(1)]

    def poly(t, order):
        return sum((ck * t ** (k - order) * _falling(k, order) for k, ck in enumerate(c) if k >= order), fmpq(0))
    return [poly(w * t, 0) for t in xs], [t * poly(w * t, 1) for t in xs], [t * t * poly(w * t, 2) for t in xs]

def _falling(k, order):
    out = 1
    for i in range(order):
        out *= k - i
    return out

@check("basin_target", ["narrow_basin_target"])
def _basin_target(st, verdict, cert):
    """Proposition 4's data for one neuron, N = 3: a = z x z' scaled to a_1 = 1, v = sign(a . z''),
    y = v z - M a (Arb balls here); each y_i within half a unit of the last place of the printed value."""
    from flint import arb, ctx, fmpq
    x, printed, places = st.get("x"), st.get("printed"), st.get("places")
    expect(isinstance(x, list) and len(x) == 3 and isinstance(printed, list) and len(printed) == 3
           and isinstance(places, int) and 0 <= places <= 100, "x, printed: three numbers; places: 0 to 100")
    r = Reader([str(t) for t in x + printed + [st.get("w"), st.get("M")]])
    if r.ring is not None:
        raise NotCovered("irrational data")
    name, args = spec_parts(st.get("activation"))
    old = ctx.prec
    ctx.prec = max(128, 4 * st.get("digits", 30) if isinstance(st.get("digits", 30), int) else 128)
    try:
        z, z1, z2 = (list(map(arb, v)) for v in _features(name, args, [r.value(str(t)) for t in x],
                                                             r.value(str(st.get("w"))), False))
        a = [z[1] * z1[2] - z[2] * z1[1], z[2] * z1[0] - z[0] * z1[2], z[0] * z1[1] - z[1] * z1[0]]
        expect(a[0] > 0 or a[0] < 0, "a_1 is not provably non-zero")
        a = [t / a[0] for t in a]
        dot = sum((p * q for p, q in zip(a, z2)), arb(0))
        expect(dot > 0 or dot < 0, "the sign of a . z'' is not decided")
        v, M, half = (1 if dot > 0 else -1), arb(r.value(str(st.get("M")))), arb(fmpq(1, 2 * 10 ** places))
        y = [v * zi - M * ai for zi, ai in zip(z, a)]
        ok = [(yi > arb(r.value(str(p))) - half and yi < arb(r.value(str(p))) + half) for yi, p in zip(y, printed)]
        bad = [(yi > arb(r.value(str(p))) + half or yi < arb(r.value(str(p))) - half) for yi, p in zip(y, printed)]
    finally:
        ctx.prec = old
    expect(all(ok) or any(bad), "an entry lies on a rounding boundary at this precision")
    _decided(verdict, all(ok), "y rounds to the printed values")

@check("narrow_basin", ["narrow_basin_conditions"], ["failed"])
def _narrow_basin(st, verdict, cert):
    """Conditions (1)-(3) of li-ding-sun Proposition 4, recomputed: z = sigma(w x), z' = x sigma'(w x),
    z'' = x^2 sigma''(w x) (exact for polynomial activations, else Arb balls); (1) the z_i independent,
    (2) each z''_i and (3) z_0 = sigma(w0 x) outside span(z_j, z'_j). ``failed``: the failing conditions
    (1-based, (2) counted once per i), which must all be proven (exactly, or by too few distinct samples)."""
    from itertools import combinations
    from flint import arb_mat, ctx
    x, ws = st.get("x"), st.get("ws")
    expect(isinstance(x, list) and isinstance(ws, list) and x and ws and len(x) <= 12 and len(ws) <= 6,
           "x, ws: short lists of numbers")
    r = Reader([str(t) for t in x + ws + [st.get("w0")]])
    if r.ring is not None:
        raise NotCovered("x, ws, w0 with irrational numbers")
    name, args = spec_parts(st.get("activation"))
    xs = [r.value(str(t)) for t in x]
    distinct = len({str(v) for v in xs})
    digits = st.get("digits", 30)
    expect(isinstance(digits, int) and 10 <= digits <= 1000, "digits: 10 to 1000")
    old = ctx.prec
    ctx.prec = max(128, 4 * digits)
    try:
        exact = name in ("poly", "linear", "relu", "leaky_relu")

        def feats(w):
            return _features(name, args, xs, w, exact)

        F = [feats(r.value(str(w))) for w in ws]
        z0 = feats(r.value(str(st.get("w0"))))[0]
        ZZ = [f[0] for f in F] + [f[1] for f in F]

        def full(columns):            # True / False proven, None undecided
            k = len(columns)
            if exact:
                return _rank_of(columns, True) == len(columns)
            if k > distinct or any(zero(c) for c in columns):
                return False
            for rows in combinations(range(len(xs)), k):
                det = arb_mat([[columns[j][i] for j in range(k)] for i in rows]).det()
                if det > 0 or det < 0:
                    return True
            return None
        def zero(v):                 # exactly the zero vector (balls of radius 0 at 0)
            return all(t.is_exact() and t == 0 for t in v) if not exact else all(t == 0 for t in v)

        def outside(v):              # v not in span(ZZ): ranks exactly, or independent of the non-zero ZZ (balls)
            if exact:
                return _rank_of(ZZ + [v]) == _rank_of(ZZ) + 1
            return False if zero(v) else full(nonzero + [v]) if base else None
        nonzero = [v for v in ZZ if not zero(v)]
        base = full(nonzero) if not exact else None
        results = [full([f[0] for f in F])] + [outside(f[2]) for f in F] + [outside(z0)]
    finally:
        ctx.prec = old
    if None in results:
        raise NotCovered("a rank condition is not decided here")
    failed = [i for i, ok in enumerate(results, 1) if not ok]
    expect(cert.get("failed") == failed, f"failed: the failing conditions are {failed}")
    _decided(verdict, not failed, "conditions (1)-(3)")

from . import landscape  # noqa: E402,F401  (registers the landscape checks)
