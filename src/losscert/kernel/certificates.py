"""Certificates: the exact data with which ``losscert recheck`` re-verifies a decided verdict.

:func:`attach` is called by :func:`losscert.statements.decide` on every
decided verdict; it never changes the verdict, only adds
``verdict.certificate`` (a JSON-ready dict ``{"kind": ..., ...}``, numbers as
exact text in the statement language) when this module knows how to
certify the rule's conclusion. docs/certificates.md lists the kinds and
what the rechecker (``src/losscert_recheck``) checks for each.

>>> import sympy
>>> from .algebra import rank_is
>>> v = attach(rank_is, (sympy.Matrix([[1, 2], [2, 4]]), 1), rank_is(sympy.Matrix([[1, 2], [2, 4]]), 1))
>>> v.certificate["kind"], v.certificate["rank"], v.certificate["kernel"]
('rank', 1, [['-2', '1']])
"""
from __future__ import annotations

import dataclasses
import re

import sympy

from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict

MAX_PARAMETERS = 60            # beyond this, loss certificates are not produced (the rechecker is small)
MAX_MATRIX = 40                # rows or columns of a rank certificate
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


ENABLED = {"on": True}          # the checking process turns production off unless a batch asks for bundles


class NoCertificate(Exception):
    """This verdict gets no certificate (the reason is for developers)."""


def attach(rule, args, verdict: Verdict) -> Verdict:
    """``verdict`` with its certificate, when the rule's conclusion can be certified; else unchanged."""
    if not ENABLED["on"] or verdict.status == INCONCLUSIVE or verdict.certificate is not None:
        return verdict
    make = PRODUCERS.get(getattr(rule, "__name__", ""))
    if make is None:
        return verdict
    try:
        cert = make(verdict, *args) if not _region_refutation(verdict, args) else _at_region_point(make, verdict, args)
    except Exception:  # noqa: BLE001 - a certificate is extra data: failing to make one never changes a verdict
        return verdict
    return dataclasses.replace(verdict, certificate=cert) if cert else verdict


def _region_refutation(verdict, args) -> bool:
    loss = args[0] if args else None
    return (verdict.status == REFUTED and getattr(loss, "parameters", None) is not None
            and "counterexample" in verdict.evidence and "at_counterexample" in verdict.evidence)


def _at_region_point(make, verdict, args):
    """A refutation on a symbolic region: the values of the symbols where it fails, and the certificate of
    the refutation of the statement with those values."""
    from .parametric import _Problem
    values = dict(verdict.evidence["counterexample"])
    loss, inner = _Problem(args[0]).specialise(values, *args[1:])
    part = verdict.evidence["at_counterexample"]
    cert = make(Verdict(REFUTED, part["reason"], part.get("evidence", {})), loss, *inner)
    return {"kind": "at_region_point", "at": {k: str(x) for k, x in values.items()}, "certificate": cert}


def text(e) -> str:
    """Exact text of a SymPy number or expression, readable by the statement language (identifiers only)."""
    e = sympy.sympify(e)
    for s in e.free_symbols:
        if not IDENTIFIER.match(s.name):
            raise NoCertificate(f"symbol {s.name!r} has no identifier")
    out = str(e)
    if "I" in re.findall(r"[A-Za-z_]+", out) or "zoo" in out or "oo" in out:
        raise NoCertificate("not a finite real expression")
    return out


# -- algebra ----------------------------------------------------------------------------------

def _identity(v, lhs, rhs):
    from .algebra import _is_matrix, _read_matrix
    n = len(_read_matrix(lhs)) if _is_matrix(lhs) else 1
    if v.status == VERIFIED:
        return {"kind": "identity", "entries": n}
    m = re.match(r"entry (\d+):", v.reason)
    if not _is_matrix(lhs) and not _is_matrix(rhs):
        return {"kind": "identity", "entries": 1, "entry": 1}
    if m:
        return {"kind": "identity", "entries": n, "entry": int(m.group(1))}
    raise NoCertificate("shapes differ")


def _determinant(v, matrix, claimed):
    from .algebra import _read_matrix
    return {"kind": "determinant", "size": _read_matrix(matrix).rows}


def _atoms(M):
    """M with every non-algebraic sub-expression (tanh(2), pi) replaced by a dummy, and the map back."""
    from .algebra import Exact
    ex = Exact(list(M))
    back = {d: a for a, d in ex.atoms.items()}
    return M.xreplace(ex.atoms), back, ex


def _rank(v, matrix, claimed, *rest):
    from .algebra import _pivot_order, _read_matrix
    M = _read_matrix(matrix)
    if M.rows > MAX_MATRIX or M.cols > MAX_MATRIX or M.rows == 0 or M.cols == 0:
        raise NoCertificate("matrix size")
    from .algebra import Exact, _domain_matrix
    ex = Exact(list(M))
    back = {d: a for a, d in ex.atoms.items()}
    if ex.problem or any(a.free_symbols for a in back.values()):
        raise NoCertificate("an atom depends on the symbols")
    kernel = _domain_matrix(ex, M).nullspace().to_Matrix().tolist()
    kernel = [k for k in kernel if any(k)]
    r = M.cols - len(kernel)
    if (r == int(claimed)) != (v.status == VERIFIED):
        raise NoCertificate("the formal rank does not give this verdict")
    point = {s: sympy.Rational(2 * i + 3, i + 7) for i, s in enumerate(sorted(ex.symbols, key=str))}
    at = M.xreplace(point)
    numeric = [[complex(sympy.N(x, 30)).real for x in row] for row in at.tolist()]
    rows, cols = _pivot_order(numeric)
    rows, cols = sorted(rows[:r]), sorted(cols[:r])
    if len(rows) < r:
        raise NoCertificate("no pivots")
    vectors = [[text(x.xreplace(back)) for x in k] for k in kernel]
    return {"kind": "rank", "rank": r, "minor_rows": [i + 1 for i in rows], "minor_columns": [j + 1 for j in cols],
            "at": {s.name: text(x) for s, x in point.items()}, "kernel": vectors}


def _inequality(v, lhs, rhs, certificate=(), counterexample=None, strict=False):
    from .algebra import read
    gap = read(lhs) - read(rhs)
    if not gap.free_symbols:
        return {"kind": "sign", "difference": text(gap)}
    if v.status == VERIFIED:
        return {"kind": "sum_of_squares", "terms": len(certificate)}
    if counterexample:
        return {"kind": "counterexample", "at": {str(k): text(x) for k, x in counterexample.items()}}
    raise NoCertificate("no counterexample")


# -- losses ------------------------------------------------------------------------------------

def _exact_loss(loss, symbols_allowed=False):
    if (loss.parameters is not None and not symbols_allowed) or len(loss.params) > MAX_PARAMETERS:
        raise NoCertificate("symbolic or large loss")
    return loss.field


def _sign(loss):
    """Exact signs in the loss's field: on the whole region of its symbols (None: not constant there)."""
    F = loss.field
    if loss.parameters is None:
        return F.sign

    def sign(x):
        s, _ = loss.parameters.sign(F.to_sympy(x))
        if s is None:
            raise NoCertificate("a sign that is not constant on the region")
        return s
    return sign


def _named(loss, F, values) -> dict:
    return {p: text(F.to_sympy(x)) for p, x in zip(loss.params, values)}


def _loss_value(v, loss, theta, value):
    F = _exact_loss(loss, symbols_allowed=v.status == VERIFIED)
    return {"kind": "loss_value", "value": text(F.to_sympy(loss.value(loss.point(theta), raw=True)))}


def _gradient_cert(loss, theta, symbols_allowed=False):
    F = _exact_loss(loss, symbols_allowed)
    return {"kind": "gradient", "gradient": _named(loss, F, loss.gradient(loss.point(theta), raw=True))}


def _critical_point(v, loss, theta):
    from ..activations import NotExact
    try:
        return _gradient_cert(loss, theta, symbols_allowed=v.status == VERIFIED)
    except NotExact:                     # transcendental values: a derivative whose Arb ball excludes 0
        if v.status != REFUTED:
            raise
        from .. import intervals as iv
        with iv.precision(60):
            g = loss.iv_gradient([iv.to_arb(loss.field.to_sympy(x)) for x in loss.point(theta)])
        for p, ball in zip(loss.params, g):
            if iv.sign(ball):
                return {"kind": "gradient_ball", "parameter": p}
        raise NoCertificate("no derivative ball excludes 0")


def _lower(loss, theta, better):
    F = _exact_loss(loss, symbols_allowed=True)     # only verified statements come here
    return {"kind": "lower_loss", "loss_point": text(F.to_sympy(loss.value(loss.point(theta), raw=True))),
            "loss_better": text(F.to_sympy(loss.value(loss.point(better), raw=True)))}


def _not_global(v, loss, theta, better):
    from ..activations import NotExact
    if v.status != VERIFIED:
        raise NoCertificate("only L(better) < L(point) is certified")
    try:
        return _lower(loss, theta, better)
    except NotExact:                        # transcendental values: the rechecker compares Arb balls
        return {"kind": "lower_loss_balls"}


def ldl(H, F, order):
    """(L rows, D) with H[order, order] = L D L^T exactly, or None when a zero pivot has a non-zero column."""
    n = len(order)
    A = [[H[i][j] for j in order] for i in order]
    L = [[F.zero] * i for i in range(n)]
    D = []
    for k in range(n):
        d = A[k][k]
        D.append(d)
        if not d:
            if any(A[i][k] for i in range(k + 1, n)):
                return None
            continue
        for i in range(k + 1, n):
            L[i][k] = A[i][k] / d
        for i in range(k + 1, n):
            for j in range(k + 1, i + 1):
                A[i][j] = A[i][j] - L[i][k] * d * L[j][k]
                A[j][i] = A[i][j]
    return L, D


def directions(H, F):
    """(v, w) with v^T H v < 0 and w^T H w > 0 (either None when there is none found), by symmetric
    elimination: at step k the reduced matrix is A = L^-1 H L^-T, so x = L^-T u has x^T H x = u^T A u."""
    n = len(H)
    A = [list(r) for r in H]
    L = [[F.one if i == j else F.zero for j in range(n)] for i in range(n)]
    neg = pos = None

    def back(u):            # solve L^T x = u
        x = list(u)
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, n):
                x[i] -= L[j][i] * x[j]
        return x

    def unit(k, j=None, t=None):
        u = [F.zero] * n
        u[k] = F.one
        if j is not None:
            u[j] = t
        return back(u)

    for k in range(n):
        d = A[k][k]
        s = F.sign(d)
        if s < 0 and neg is None:
            neg = unit(k)
        if s > 0 and pos is None:
            pos = unit(k)
        if not d:
            j = next((i for i in range(k + 1, n) if A[i][k]), None)
            if j is None:
                continue
            # u = e_j + t e_k: u^T A u = A_jj + 2 t A_jk; t chosen for the values -1 and +1
            if neg is None:
                neg = unit(j, k, (-F.one - A[j][j]) / (2 * A[j][k]))
            if pos is None:
                pos = unit(j, k, (F.one - A[j][j]) / (2 * A[j][k]))
            break
        for i in range(k + 1, n):
            L[i][k] = A[i][k] / d
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                A[i][j] = A[i][j] - L[i][k] * d * L[j][k]
    return neg, pos


def _pivoted_ldl(H, F, names, sign):
    """A symmetric order (positive diagonals first, exact signs) for which LDL^T exists."""
    n = len(names)
    order = sorted(range(n), key=lambda i: -sign(H[i][i]))
    for attempt in (order, list(range(n))):
        res = ldl(H, F, attempt)
        if res is not None:
            return attempt, res
    raise NoCertificate("no LDL^T with diagonal pivots")


def _ldl_cert(loss, H, F, indices):
    sign = _sign(loss)
    order, (L, D) = _pivoted_ldl([[H[i][j] for j in indices] for i in indices], F, indices, sign)
    t = lambda x: text(F.to_sympy(x))   # noqa: E731
    return ({"order": [loss.params[indices[i]] for i in order], "L": [[t(x) for x in r] for r in L],
             "D": [t(d) for d in D]}, [sign(d) for d in D])


def _hessian(loss, theta):
    F = _exact_loss(loss, symbols_allowed=True)
    H = loss.hessian(loss.point(theta), raw=True).to_list()
    return F, H


def _full_ldl(v, loss, H, F):
    """(LDL^T data, signs) of the whole Hessian; for a refuted verdict without one,
    (the curvature certificate, None)."""
    try:
        return _ldl_cert(loss, H, F, list(range(len(H))))
    except NoCertificate:
        if v.status == REFUTED:
            return _curvature(loss, H, F), None
        raise


def _hessian_psd(v, loss, theta):
    _exact_loss(loss, symbols_allowed=v.status == VERIFIED)
    F, H = _hessian(loss, theta)
    data, signs = _full_ldl(v, loss, H, F)
    if signs is None:                   # a refutation without a full LDL^T: the curvature certificate
        return data
    if (min(signs) >= 0) != (v.status == VERIFIED):
        raise NoCertificate("LDL signs disagree")
    return {"kind": "hessian_ldl", **data}


def _orbit_neurons(loss):
    """Hidden neurons, and channels of neurons sharing tied incoming weights, whose rescaling preserves L
    (the conditions the rechecker checks: homogeneous activations, nothing fixed, each parameter only
    incoming or only outgoing)."""
    net = loss.network
    ok = lambda n: net.activation(n).kind in ("linear", "relu", "leaky_relu")   # noqa: E731
    out, seen = [], set()
    for n in net.hidden:
        if n in seen or not ok(n):
            continue
        group, todo = {n}, [n]
        while todo:                                   # close under the tie groups of incoming edges
            m = todo.pop()
            for u in net.graph.predecessors(m):
                key = net.graph.edges[u, m]["tie"]
                for a, b in net.tied.get(key, []) if key else []:
                    if b not in group:
                        group.add(b)
                        todo.append(b)
        members = [m for m in net.hidden if m in group]
        seen |= group
        if all(ok(m) and m in net.hidden for m in members) and _rescalable(net, set(members)):
            out.append(members[0] if len(members) == 1 else members)
    return out


def _rescalable(net, inside) -> bool:
    roles: dict = {}
    for u, v in net.edges:
        d = net.graph.edges[u, v]
        if u in inside or v in inside:
            if (u in inside and v in inside) or d["fixed"] is not None:
                return False
            roles.setdefault(d["tie"] or f"{u} -> {v}", set()).add(1 if v in inside else -1)
    for u, v in net.edges:
        key = net.graph.edges[u, v]["tie"] or f"{u} -> {v}"
        if key in roles and u not in inside and v not in inside:
            return False
    return all(len(r) == 1 for r in roles.values())


def _tangent(loss, theta, neuron):
    net, th = loss.network, loss.point(theta)
    F = loss.field
    inside = {neuron} if isinstance(neuron, str) else set(neuron)
    t = [F.zero] * len(th)
    for u, v in net.edges:
        if u in inside or v in inside:
            i = net.param_index[net.graph.edges[u, v]["tie"] or f"{u} -> {v}"]
            t[i] = th[i] if v in inside else -th[i]
    for n in inside:
        if net.has_bias(n):
            i = net.param_index[f"b:{n}"]
            t[i] = th[i]
    return t


def _minimum(v, loss, theta, strict, evidence=None):
    """Certificates for (strict) local minima and their refutations (on a symbolic region: verified only);
    ``evidence``: the kernel's evidence of the minimum part (default: the verdict's)."""
    evidence = v.evidence if evidence is None else evidence
    F = _exact_loss(loss, symbols_allowed=v.status == VERIFIED)
    if strict and v.status == REFUTED:          # L constant on a rescaling: no derivative needed (kinks too)
        for neuron in _orbit_neurons(loss):
            if any(_tangent(loss, theta, neuron)):
                return {"kind": "rescaling_orbit", "neuron": neuron}
    g = loss.gradient(loss.point(theta), raw=True)
    if any(g):
        if v.status != REFUTED:
            raise NoCertificate("non-zero gradient")
        return _gradient_cert(loss, theta)
    if not strict and v.status == VERIFIED and not loss.value(loss.point(theta), raw=True):
        return {"kind": "zero_loss"}
    F, H = _hessian(loss, theta)
    data, signs = _full_ldl(v, loss, H, F)
    if signs is None:                   # a refutation without a full LDL^T: the curvature certificate
        return data
    if min(signs) < 0 or (min(signs) > 0 and v.status == VERIFIED):
        return {"kind": "hessian_ldl", **data}
    zero = signs.count(0)
    if strict and v.status == REFUTED:
        for neuron in _orbit_neurons(loss):
            if any(_tangent(loss, theta, neuron)):
                return {"kind": "rescaling_orbit", "neuron": neuron}
        for curve in evidence.get("constant_loss_curves", []):
            d = _vector_of(loss, curve.get("tangent") or {})
            if d and _constant_on_line(loss, theta, d):
                return {"kind": "constant_line", "direction": _named(loss, F, d)}
        raise NoCertificate("no orbit")
    if strict or v.status != VERIFIED:
        raise NoCertificate("PSD singular Hessian")
    try:
        return _morse_bott(loss, theta, H, F, zero)
    except NoCertificate:
        family = evidence.get("critical_family") or {}
        dirs = [_vector_of(loss, d) for d in family.get("directions", [])]
        return _morse_bott(loss, theta, H, F, zero, [d for d in dirs if d])


def _morse_bott(loss, theta, H, F, zero, family=()):
    """Orbit tangents (and directions of an affine critical family) spanning ker H, and an LDL^T of H on
    complementary coordinates."""
    chosen, rows, dirs = [], [], []
    for neuron in _orbit_neurons(loss):
        t = _tangent(loss, theta, neuron)
        if len(rows) < zero and _independent(rows + [t], F):
            chosen.append(neuron)
            rows.append(t)
    for d in family:
        if len(rows) < zero and _independent(rows + [d], F):
            dirs.append(d)
            rows.append(d)
    if len(rows) != zero:
        raise NoCertificate("the orbits do not span the kernel")
    if dirs and not _critical_on_family(loss, theta, dirs):
        raise NoCertificate("the family is not affine")
    pivots = _pivot_columns(rows, F)
    comp = [i for i in range(len(H)) if i not in pivots]
    data, signs = _ldl_cert(loss, H, F, comp)
    if min(signs, default=1) <= 0:
        raise NoCertificate("the complement is not positive definite")
    cert = {"kind": "morse_bott_family" if dirs else "morse_bott_rescaling", "neurons": chosen,
            "complement": data["order"], "L": data["L"], "D": data["D"]}
    if dirs:
        cert["directions"] = [_named(loss, F, d) for d in dirs]
    return cert


def _vector_of(loss, table) -> list:
    """A table parameter -> number text as field elements in parameter order ([] if it does not fit)."""
    F = loss.field
    try:
        out = [F(sympy.sympify(table.get(p, 0), rational=True)) for p in loss.params]
    except Exception:  # noqa: BLE001 - a proposal only
        return []
    return out if any(out) and set(table) <= set(loss.params) else []


def _moved(loss, theta, dirs, values):
    th = loss.point(theta)
    F = loss.field
    return [x + sum((F(c) * d[i] for c, d in zip(values, dirs)), F.zero) for i, x in enumerate(th)]


def _constant_on_line(loss, theta, d) -> bool:
    """A filter (the rechecker proves it): L equal at a few points of the line."""
    L0 = loss.value(loss.point(theta), raw=True)
    return all(loss.value(_moved(loss, theta, [d], [s]), raw=True) == L0 for s in (1, -1, 2, 3))


def _critical_on_family(loss, theta, dirs) -> bool:
    """A filter (the rechecker proves it): a zero gradient at a few points of the family."""
    samples = [[(k + 2) * (i + 1) % 5 - 2 or 1 for i in range(len(dirs))] for k in range(4)]
    return all(not any(loss.gradient(_moved(loss, theta, dirs, s), raw=True)) for s in samples)


def _pivot_columns(rows, F, sign=None):
    A = [list(r) for r in rows]
    pivots, r = [], 0
    for c in range(len(A[0]) if A else 0):
        p = next((i for i in range(r, len(A)) if A[i][c]), None)
        if p is None:
            continue
        A[r], A[p] = A[p], A[r]
        for i in range(len(A)):
            if i != r and A[i][c]:
                f = A[i][c] / A[r][c]
                A[i] = [x - f * y for x, y in zip(A[i], A[r])]
        pivots.append(c)
        r += 1
    return pivots


def _independent(rows, F) -> bool:
    return len(_pivot_columns(rows, F)) == len(rows)


def _local_minimum(v, loss, theta):
    return _minimum(v, loss, theta, strict=False)


def _strict_local_minimum(v, loss, theta):
    return _minimum(v, loss, theta, strict=True)


def _saddle(v, loss, theta):
    F = _exact_loss(loss)
    if loss.parameters is not None:
        raise NoCertificate("symbolic saddle")
    if any(loss.gradient(loss.point(theta), raw=True)):
        return _gradient_cert(loss, theta)
    F, H = _hessian(loss, theta)
    neg, pos = directions(H, F)
    if v.status == VERIFIED and neg is not None and pos is not None:
        return {"kind": "saddle", "descent": _named(loss, F, neg), "ascent": _named(loss, F, pos)}
    if v.status == REFUTED and neg is None:
        data, signs = _ldl_cert(loss, H, F, list(range(len(H))))
        if min(signs) > 0:
            return {"kind": "hessian_ldl", **data}
        return _morse_bott(loss, theta, H, F, signs.count(0))      # a local minimum is no saddle
    raise NoCertificate("saddle by higher order terms")


def _quad(H, v):
    out = 0
    for i, a in enumerate(v):
        for j, b in enumerate(v):
            if a and b:
                out = out + H[i][j] * a * b
    return out


def _curvature(loss, H, F):
    _exact_loss(loss)
    neg, _ = directions(H, F)
    if neg is None:
        raise NoCertificate("no negative direction")
    return {"kind": "curvature", "direction": _named(loss, F, neg), "curvature": text(F.to_sympy(_quad(H, neg)))}


def _spurious(v, loss, theta, better):
    if v.status == VERIFIED:
        part = (v.evidence.get("local_minimum") or {}).get("evidence", {})
        return {"kind": "spurious_local_minimum", "local_minimum": _minimum(v, loss, theta, False, part),
                "not_global": _lower(loss, theta, better)}
    part = _minimum(v, loss, theta, strict=False)
    return part


def _non_increasing(v, loss, path, a=0, b=1):
    from .paths import loss_along
    p = loss_along(loss, path)
    return {"kind": "loss_along_path", "coefficients": [text(c) for c in reversed(p.all_coeffs())]}


PRODUCERS = {"identity": _identity, "determinant_is": _determinant, "rank_is": _rank, "inequality": _inequality,
             "loss_value": _loss_value, "critical_point": _critical_point, "not_global": _not_global,
             "hessian_psd": _hessian_psd, "local_minimum": _local_minimum,
             "strict_local_minimum": _strict_local_minimum, "saddle": _saddle,
             "spurious_local_minimum": _spurious, "non_increasing": _non_increasing}


# -- activations -------------------------------------------------------------------------------

TRANSCENDENTAL = ("tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish", "elu")
ODD = ("tanh", "shifted_sigmoid")


def _activation_rank(v, act, W, X, claimed, digits=30):
    """The rank certificate of sigma(W X): transcendental values sigma(q) are independent atoms,
    written ``act(q)`` as the rechecker reads them; algebraic ones are exact."""
    from ..activations import activation
    from .algebra import _pivot_order
    sigma = activation(act)
    Wm = [[sympy.Rational(str(x)) for x in r] for r in W]
    Xm = [[sympy.Rational(str(x)) for x in r] for r in X]
    pre = [[sum(a * b for a, b in zip(row, col)) for col in zip(*Xm)] for row in Wm]
    atoms, values = {}, []
    for row in pre:
        out = []
        for q in row:
            if sigma.kind in ODD and q == 0:
                out.append(sympy.Integer(0))            # the rechecker reads an odd function at 0 as 0
            elif sigma.kind in TRANSCENDENTAL:          # ... and tanh(-q) as -tanh(q)
                name = f"{act}({abs(q)})" if sigma.kind in ODD else f"{act}({q})"
                atom = atoms.setdefault(name, sympy.Symbol(f"atom{len(atoms)}"))
                out.append(-atom if sigma.kind in ODD and q < 0 else atom)
            else:
                out.append(sympy.nsimplify(sigma(q)))
        values.append(out)
    M = sympy.Matrix(values)
    kernel = _nullspace(M, list(atoms.values()))
    r = M.cols - len(kernel)
    if (r == int(claimed)) != (v.status == VERIFIED):
        raise NoCertificate("the formal rank does not give this verdict")
    exact = {s: sigma(sympy.Rational(name[len(act) + 1:-1])) for name, s in atoms.items()}
    numeric = [[float(sympy.N(x.xreplace(exact), 30)) for x in row] for row in M.tolist()]
    rows, cols = _pivot_order(numeric)
    if len(rows) < r:
        raise NoCertificate("no pivots")
    vectors = [[_atom_text(sympy.cancel(x), atoms) for x in k] for k in kernel]
    return {"kind": "rank", "rank": r, "minor_rows": sorted(i + 1 for i in rows[:r]),
            "minor_columns": sorted(j + 1 for j in cols[:r]), "at": {}, "kernel": vectors}


def _nullspace(M, gens) -> list:
    """Kernel vectors of M over QQ(gens) (or QQ), as SymPy expressions."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix
    K = QQ.frac_field(*gens) if gens else QQ
    D = DomainMatrix([[K.from_sympy(x) for x in row] for row in M.tolist()], M.shape, K)
    return [k for k in D.nullspace().to_Matrix().tolist() if any(k)]


def _atom_text(e, atoms) -> str:
    """Text of e with the atom symbols written as their activation calls."""
    out = text(e)
    for name, s in sorted(atoms.items(), key=lambda kv: -len(kv[1].name)):
        out = re.sub(rf"\b{s.name}\b", f"({name})", out)
    return out


def _arithmetic_derivatives(v, act, n, max_order=24):
    from ..activations import activation
    sigma = activation(act)
    if v.status == VERIFIED:
        return {"kind": "derivative_progression", "orders": list(v.evidence["progression"])}
    if not sigma.properties["analytic"]:
        return {"kind": "not_analytic"}
    return {"kind": "polynomial_orders", "orders": list(v.evidence["nonzero_derivative_orders"])}


PRODUCERS.update({"activation_rank": _activation_rank, "arithmetic_derivatives": _arithmetic_derivatives})


def _vandermonde(v, act, samples, start, step):
    return {"kind": "vandermonde", "orders": [int(start) + k * int(step) for k in range(len(samples))]}


PRODUCERS.update({"lsz_assumption1": lambda v, *a: {"kind": "lsz_assumption1",
                                                    "failures": len(v.evidence["failures"])},
                  "lds_assumption1": lambda v, *a: {"kind": "lds_assumption1",
                                                    "failures": len(v.evidence["failures"])},
                  "vandermonde_full_rank": _vandermonde})


def _effective(v, network):
    from .structure import useless_nodes
    useless, undecided = useless_nodes(network)
    if undecided:
        raise NoCertificate("sigma(0) undecided")
    return {"kind": "effective", "useless": sorted({n for n, _ in useless})}


PRODUCERS["effective"] = _effective


def _local_minimum_near(v, loss, theta, radius, digits=30):
    ev = v.evidence
    if v.status == VERIFIED and "box_center" in ev:
        return {"kind": "krawczyk", "center": dict(ev["box_center"]), "box_radius": str(ev["box_radius"])}
    if v.status == REFUTED and ev.get("boxes") == 1:
        return {"kind": "gradient_excludes_zero"}
    raise NoCertificate("several boxes")


PRODUCERS["local_minimum_near"] = _local_minimum_near


def _narrow_basin(v, act, x, ws, w0, digits=30):
    conditions = list(v.evidence["conditions"].values())
    return {"kind": "narrow_basin", "failed": [i for i, text in enumerate(conditions, 1) if text.startswith("fails")]}


PRODUCERS["narrow_basin_conditions"] = _narrow_basin
PRODUCERS["narrow_basin_target"] = lambda v, *args: {"kind": "basin_target"}
