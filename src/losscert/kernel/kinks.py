"""Local minimality at kinks of ReLU / leaky ReLU networks (exact).

At theta, let the kinks be the (neuron, sample) pairs where a piecewise-
linear neuron's pre-activation z is exactly 0. In scope: every kink neuron
reads only inputs, so z = a . (theta' - theta) is affine near theta (a
first hidden layer; deeper piecewise-linear neurons are allowed when none of
their pre-activations is zero, smooth activations anywhere; kinks of
deeper neurons and ELU kinks: :mod:`.deep_kinks`). For a sign
pattern s of the M kinks, the piece L_s replaces each kinked activation by
the slope of side s; on the closed cone C_s = {d : s_i a_i . d >= 0} of
directions, L(theta + d) = L_s(theta + d) for small d, and the 2^M cones
cover every direction. So theta is a local minimum iff it is one of L_s on
theta + C_s for every s (Yun, Sra, Jadbabaie, ICLR 2019, for one hidden
layer). Per piece, with g = grad L_s(theta), H = Hess L_s(theta):

1. first order: min g . d over C_s and the box |d_i| <= 1 is 0 (exact
   simplex, Bland's rule); a d in C_s with g . d < 0 refutes;
2. critical cone K_s = {d in C_s : g . d = 0} = {E d = 0, I d >= 0} (E: the
   rows that vanish on all of K_s, found by the same simplex). On the slice
   K' = K_s minus the rescaling-orbit tangents T (exact symmetries of L):
   d^T H d < 0 for a d in K' refutes; d^T H d > 0 on K' minus 0 (H positive
   definite on span K', or PSD with ker H meeting K' only in 0) proves a
   strict minimum of L_s on theta + (C_s cap T^perp) (the second-order
   sufficient condition on a closed cone: a sequence of worse points would
   have a limit direction in K' with d^T H d <= 0);
3. zero curvature on K' (H PSD on span K' whose kernel meets K'): still a
   minimum of the piece when (a) the kernel directions in K' move only
   parameters L_s does not depend on (a neuron silent on every sample on
   this side): then L is constant on a segment in C_s and the minimum is not
   strict; or (b) Morse-Bott: theta + (ker H on W) consists of critical
   points of L_s on theta + W (the projected gradient vanishes identically,
   a polynomial identity), W the span of K' (each implied equality of K_s
   carries a positive multiplier or vanishes on C_s, so leaving W costs
   first order) or the span of C_s. Otherwise a straight line along the
   direction is tried to order 6, and the point is inconclusive with the
   reason;
4. all pieces proven: theta is a local minimum (orbits + slice cover a
   neighbourhood by the inverse function theorem, and L is constant on
   orbits); strict when no piece needed 3. and there are no orbits. A
   negative direction of H on span K' with none found inside K' (a
   copositivity question) also leaves the point inconclusive.

Every refutation is a direction d in C_s with the exact Taylor coefficients
of L_s along theta + t d (leading one negative) and an exact value
L(theta + t d) < L(theta) of the real loss at an explicit t = 2^-k.

>>> from losscert import compile_loss, dense
>>> loss = compile_loss(dense([1, 1, 1], activation="relu"), X=[[1, -1]], Y=[[1, 0]])
>>> theta = loss.point({"x1 -> h1_1": 0, "h1_1 -> y1": 1})
>>> r = at_kink(loss, theta, loss.value(theta, raw=True))
>>> r.is_min, r.evidence["kink_pattern"]
(False, {'h1_1 @ sample 1': '+', 'h1_1 @ sample 2': '-'})
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy

from ..activations import NonSmooth, NotExact
from ..compiler import FieldAlgebra, Loss
from ..fields import Field
from . import linalg
from .symmetry import candidate_curves, check_constant

MAX_KINKS = 8             # zero (neuron, sample) pre-activations: at most 2^8 sign patterns
MAX_FACES = 256           # faces of a critical cone searched for a negative direction
SHOW_PATTERNS = 8         # per-pattern summaries kept in the evidence
HIGHER_ORDER = 6          # Taylor order tried along a zero-curvature direction


class OutOfScope(Exception):
    """The kink analysis does not apply here (the message says why)."""


@dataclass
class KinkResult:
    is_min: bool | None = None
    is_strict: bool | None = None
    reason: str = ""
    strict_reason: str = ""
    evidence: dict = field(default_factory=dict)


@dataclass
class Kink:
    node: str
    sample: int             # 0-based
    row: list               # z(theta + d) = row . d (field elements, one per parameter)
    slopes: tuple           # (slope for z < 0, slope for z > 0), SymPy numbers

    @property
    def label(self) -> str:
        return f"{self.node} @ sample {self.sample + 1}"


# -- finding the kinks -----------------------------------------------------------

def find_kinks(loss: Loss, theta) -> tuple[list[Kink], list[Kink], dict]:
    """(kinks whose two sides differ, kinks where both sides agree: equal
    slopes or a pre-activation identically zero, the pre-activations at
    theta by slot). Raises
    :class:`OutOfScope` when a zero pre-activation is not in scope."""
    F = loss.field
    pre = {}
    loss._forward(theta, FieldAlgebra(F), False, pre=pre)
    split, flat = [], []
    for st in loss.steps:
        act = st.activation
        if act is None or act.kind == "linear":
            continue
        zeros = [k for k, z in enumerate(pre[st.slot]) if not z]
        if not zeros:
            continue
        if act.slopes is None:
            try:
                act.taylor(F.zero, 2, F)
            except NonSmooth as exc:
                raise OutOfScope(f"node {st.name}: {exc}; only piecewise-linear kinks are analysed") from None
            except NotExact:
                pass
            continue
        hidden_inputs = [src for src, _, _ in st.terms if src >= loss.n_inputs]
        if hidden_inputs:
            raise OutOfScope(f"node {st.name} has a zero pre-activation on sample {zeros[0] + 1} but reads "
                             "hidden nodes, so its pre-activation is not affine in the parameters")
        for k in zeros:
            row = [F.zero] * len(theta)
            for src, p, _ in st.terms:
                if p is not None:
                    row[p] += loss.X[src][k]
            if st.bias is not None:
                row[st.bias] += F.one
            kink = Kink(st.name, k, row, act.slopes)
            (split if any(row) and act.slopes[0] != act.slopes[1] else flat).append(kink)
    return split, flat, pre


# -- exact linear programming ------------------------------------------------------

def _pivot(T, obj, basis, r, j):
    piv = T[r][j]
    T[r] = [x / piv for x in T[r]]
    for i, row in enumerate(T):
        if i != r and row[j]:
            f = row[j]
            T[i] = [a - f * b for a, b in zip(row, T[r])]
    if obj[j]:
        f = obj[j]
        obj[:] = [a - f * b for a, b in zip(obj, T[r])]
    basis[r] = j


def _iterate(F, T, obj, basis, allowed) -> bool:
    """Simplex pivots with Bland's rule until optimal (True) or unbounded (False)."""
    while True:
        j = next((j for j in allowed if F.sign(obj[j]) < 0), None)
        if j is None:
            return True
        r = best = None
        for i, row in enumerate(T):
            if F.sign(row[j]) > 0:
                ratio = row[-1] / row[j]
                c = 0 if r is None else F.compare(ratio, best)
                if r is None or c < 0 or (c == 0 and basis[i] < basis[r]):
                    r, best = i, ratio
        if r is None:
            return False
        _pivot(T, obj, basis, r, j)


def simplex(F: Field, A, b, c):
    """(min c . x, x) over {x >= 0 : A x = b} (two phases, Bland's rule,
    exact); None when infeasible. The problem must be bounded.

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> simplex(F, [[F(1), F(1), F(1)]], [F(2)], [F(-1), F(-3), F(0)])
    (-6, [0, 2, 0])
    """
    m, n = len(A), len(c)
    T = []
    for i, (row, bi) in enumerate(zip(A, b)):
        if F.sign(bi) < 0:
            row, bi = [-x for x in row], -bi
        T.append(list(row) + [F.one if q == i else F.zero for q in range(m)] + [bi])
    basis = [n + i for i in range(m)]
    obj = [F.zero] * (n + m + 1)
    for row in T:
        for j in range(n):
            obj[j] -= row[j]
        obj[-1] -= row[-1]
    _iterate(F, T, obj, basis, range(n + m))
    if obj[-1]:
        return None
    for i in range(m):
        if basis[i] >= n:
            j = next((j for j in range(n) if T[i][j]), None)
            if j is not None:
                _pivot(T, obj, basis, i, j)
    obj = list(c) + [F.zero] * (m + 1)
    for i, bv in enumerate(basis):
        cb = c[bv] if bv < n else F.zero
        if cb:
            obj = [o - cb * t for o, t in zip(obj, T[i])]
    if not _iterate(F, T, obj, basis, range(n)):
        raise AssertionError("kernel self-check failed: bounded LP reported unbounded")
    x = [F.zero] * n
    for i, bv in enumerate(basis):
        if bv < n:
            x[bv] = T[i][-1]
    return -obj[-1], x


def cone_min(F: Field, obj, ge, eq, k: int):
    """(min obj . d, d) over {d : r . d >= 0 (r in ge), r . d = 0 (r in eq),
    -1 <= d_i <= 1} in dimension k (always feasible: d = 0)."""
    ns = len(ge)
    width = 2 * k + ns
    A, b = [], []
    for i, r in enumerate(ge):                     # d = e - 1 with 0 <= e <= 2
        A.append(list(r) + [-F.one if q == i else F.zero for q in range(ns)] + [F.zero] * k)
        b.append(sum(r, F.zero))
    for r in eq:
        A.append(list(r) + [F.zero] * (ns + k))
        b.append(sum(r, F.zero))
    for j in range(k):
        row = [F.zero] * width
        row[j] = row[k + ns + j] = F.one
        A.append(row)
        b.append(F(2))
    val, x = simplex(F, A, b, list(obj) + [F.zero] * (ns + k))
    d = [x[j] - F.one for j in range(k)]
    if any(F.sign(linalg.dot(r, d, F)) < 0 for r in ge) or any(linalg.dot(r, d, F) for r in eq):
        raise AssertionError("kernel self-check failed: LP solution outside the cone")
    return val - sum(obj, F.zero), d


# -- the pieces -----------------------------------------------------------------------

def _blocks(kinks: list[Kink]) -> list[tuple[list[int], list[int]]]:
    """Groups of kinks whose rows share parameters: (kink indices, parameter indices)."""
    groups: list[tuple[set, set]] = []
    for i, kk in enumerate(kinks):
        coords = {p for p, x in enumerate(kk.row) if x}
        merged = ({i}, set(coords))
        rest = []
        for g in groups:
            if g[1] & coords:
                merged[0].update(g[0])
                merged[1].update(g[1])
            else:
                rest.append(g)
        groups = rest + [merged]
    return [(sorted(a), sorted(b)) for a, b in groups]


class _Analysis:
    def __init__(self, loss: Loss, theta, L0, split: list[Kink], flat: list[Kink], pre: dict):
        self.loss, self.theta, self.L0, self.F, self.pre = loss, theta, L0, loss.field, pre
        self.kinks, self.flat = split, flat
        self.P = len(theta)
        self.blocks = _blocks(split)
        self.covered = {p for _, coords in self.blocks for p in coords}
        self.cache: dict = {}

    def slopes(self, s) -> dict:
        out = {(kk.node, kk.sample): kk.slopes[1] for kk in self.flat}
        for kk, si in zip(self.kinks, s):
            out[(kk.node, kk.sample)] = kk.slopes[1 if si > 0 else 0]
        return out

    def inert(self, s) -> set[int]:
        """Parameters the piece L_s does not depend on near theta: those only
        on edges into or out of a piecewise-linear neuron whose slope is 0 on
        every sample on this side (a neuron silent on the whole piece)."""
        loss, F = self.loss, self.F
        slope = {key: F(v) for key, v in self.slopes(s).items()}
        silent = set()
        for st in loss.steps:
            act = st.activation
            if act is None or act.slopes is None:
                continue
            lo, hi = F(act.slopes[0]), F(act.slopes[1])
            if all(not slope.get((st.name, k), lo if F.sign(z) < 0 else hi) for k, z in enumerate(self.pre[st.slot])):
                silent.add(st.slot)
        live = set()
        for st in loss.steps:
            for src, p, _ in st.terms:
                if p is not None and st.slot not in silent and src not in silent:
                    live.add(p)
            if st.bias is not None and st.slot not in silent:
                live.add(st.bias)
        return set(range(self.P)) - live

    def rows(self, s, which=None) -> list[list]:
        idx = range(len(self.kinks)) if which is None else which
        return [[x if s[i] > 0 else -x for x in self.kinks[i].row] for i in idx]

    def pattern(self, s) -> dict:
        return {kk.label: "+" if si > 0 else "-" for kk, si in zip(self.kinks, s)}

    # first order, per block: a descent direction, or the rows that vanish on the critical cone
    def first_order(self, s, g):
        F = self.F
        free = [p for p in range(self.P) if p not in self.covered and g[p]]
        if free:
            d = [-g[p] if p in free else F.zero for p in range(self.P)]
            return d, None
        equal, flat = [], []
        for b, (members, coords) in enumerate(self.blocks):
            gb = [g[p] for p in coords]
            sb = tuple(s[i] for i in members)
            key = (b, sb, tuple(F.show(x) for x in gb))
            if key not in self.cache:
                self.cache[key] = self._block(members, coords, s, gb)
            d_b, eq_b = self.cache[key]
            if d_b is not None:
                d = [F.zero] * self.P
                for p, x in zip(coords, d_b):
                    d[p] = x
                return d, None
            equal += eq_b[0]
            flat += eq_b[1]
        return None, (equal, flat)

    def _block(self, members, coords, s, gb):
        F = self.F
        rows = [[r[p] for p in coords] for r in self.rows(s, members)]
        k = len(coords)
        val, d = cone_min(F, gb, rows, [], k)
        if F.sign(val) < 0:
            return d, None
        return None, (self._implied(rows, [gb], k, members), self._implied(rows, [], k, members))

    def _implied(self, rows, eq, k, members) -> list[int]:
        """The rows r with r . d = 0 on all of {rows . d >= 0, eq . d = 0}."""
        F = self.F
        undecided = set(range(len(rows)))
        while undecided:
            obj = [-sum((rows[i][j] for i in undecided), F.zero) for j in range(k)]
            val, d = cone_min(F, obj, rows, eq, k)
            if not F.sign(val) < 0:
                break
            undecided -= {i for i in undecided if F.sign(linalg.dot(rows[i], d, F)) > 0}
        return [members[i] for i in sorted(undecided)]


def at_kink(loss: Loss, theta, L0) -> KinkResult:
    """Decide local minimality of ``loss`` at a kink ``theta`` (module docstring)."""
    out = KinkResult()
    try:
        split, flat, pre = find_kinks(loss, theta)
    except OutOfScope as exc:
        out.reason = out.strict_reason = f"the loss is not differentiable here and {exc}"
        return out
    except NotExact as exc:
        out.reason = out.strict_reason = f"exact evaluation impossible ({exc})"
        return out
    M = len(split)
    out.evidence["kinks"] = [kk.label for kk in split + flat]
    if M > MAX_KINKS:
        out.reason = out.strict_reason = (f"{M} (neuron, sample) pairs have a zero pre-activation: 2^{M} sign "
                                          f"patterns exceed the bound 2^{MAX_KINKS} of the kink analysis")
        return out
    try:
        _decide(_Analysis(loss, theta, L0, split, flat, pre), out)
    except NotExact as exc:
        out.is_min = out.is_strict = None
        out.reason = out.strict_reason = f"exact evaluation impossible on a piece ({exc})"
    except NonSmooth as exc:          # a kink the scope test missed: never guess
        out.is_min = out.is_strict = None
        out.reason = out.strict_reason = f"the loss is not differentiable here ({exc})"
    return out


def _decide(an: _Analysis, out: KinkResult):
    loss, theta, F, M = an.loss, an.theta, an.F, len(an.kinks)
    patterns = list(itertools.product((1, -1), repeat=M))
    out.evidence["sign_patterns"] = len(patterns)
    # 1. first order on every piece
    equal_rows = {}
    for s in patterns:
        piece = loss.with_slopes(an.slopes(s))
        g = piece.gradient(theta, raw=True)
        d, eq = an.first_order(s, g)
        if d is not None:
            if _refute(an, out, s, piece, d, 1, "first order: a direction of the piece's cone along which "
                       "L decreases linearly (g_s . d < 0)"):
                return
            out.reason = out.strict_reason = "a first-order descent of a piece was not confirmed on the loss"
            return
        equal_rows[s] = eq
    out.evidence["first_order"] = (f"on each of the {len(patterns)} pieces, min g_s . d over its cone C_s "
                                   "within the box |d_i| <= 1 is 0 (exact simplex): no first-order descent")
    # rescaling orbits (exact symmetries of L) and other constant-loss curves
    orbit, constant = proven_constant_curves(an.loss, an.theta, [kk.row for kk in an.kinks])
    if constant:
        out.evidence["constant_loss_curves"] = constant
        out.is_strict = False
        out.strict_reason = "not strict: L is constant on the curve " + constant[0]["curve"]
    # 2. second order on the critical cone of every piece, on a slice transversal to the orbits
    summaries, undecided, non_strict = [], None, False
    for s in patterns:
        piece = loss.with_slopes(an.slopes(s))
        verdict = _second_order(an, out, s, piece, *equal_rows[s], orbit)
        if verdict == "refuted":
            return
        if isinstance(verdict, str):
            undecided = undecided or verdict
        else:
            non_strict = non_strict or verdict.pop("non_strict", False)
            if len(summaries) < SHOW_PATTERNS:
                summaries.append({"pattern": an.pattern(s), **verdict})
    out.evidence["second_order"] = summaries
    if undecided:
        out.reason = undecided
        if out.is_strict is None:
            out.strict_reason = undecided
        return
    out.is_min = True
    where = f"all {len(patterns)} pieces of the {M} kinks"
    if orbit or non_strict or out.is_strict is False:
        out.reason = (f"local minimum at a kink: on {where}, no first-order descent, and on the critical cone of "
                      "each piece d^T H_s d > 0" + (" on a slice transversal to the rescaling orbits (exact "
                                                    "symmetries of L)" if orbit else "") +
                      (", except along parameters a piece does not depend on or a family of critical points of a "
                       "piece (Morse-Bott)" if non_strict else ""))
        if orbit and out.is_strict is None:
            raise AssertionError("kernel self-check failed: a rescaling orbit whose loss is not constant")
        if out.is_strict is None:
            out.strict_reason = "strictness undecided: a piece is a minimum only up to a family of critical points"
        return
    out.is_strict = True
    out.reason = out.strict_reason = (f"strict local minimum at a kink: on {where}, no first-order descent "
                                      "and d^T H_s d > 0 on the critical cone of each piece minus 0")


def proven_constant_curves(loss: Loss, theta, kink_rows=()) -> tuple[list, list]:
    """(independent tangents of the rescaling orbits, evidence of every curve
    of constant loss proven through theta); a rescaling orbit must keep the
    value of every kink row (kernel self-check)."""
    F = loss.field
    nearby = loss.nearby(theta)
    orbit, constant = [], []
    for curve in candidate_curves(loss, theta):
        proof = check_constant(loss, theta, curve, nearby)
        if proof is None:
            continue
        t = curve.tangent(theta, F)
        constant.append({**proof, "tangent": _named(loss, F, t)})
        if curve.group_action:
            if any(linalg.dot(row, t, F) for row in kink_rows):
                raise AssertionError("kernel self-check failed: a rescaling orbit leaves a kink")
            orbit.append(t)
    if orbit:
        _, cols = linalg.rref(linalg.matrix([[t[i] for t in orbit] for i in range(len(theta))], F))
        orbit = [orbit[c] for c in cols]
    return orbit, constant


def _second_order(an: _Analysis, out: KinkResult, s, piece: Loss, equal: list[int], flat: list[int],
                  orbit: list):
    """A summary dict when d^T H_s d > 0 on the slice of the critical cone
    minus 0; "refuted" after recording a refutation; else the reason (str)."""
    F = an.F
    g = piece.gradient(an.theta, raw=True)
    ineq = an.rows(s, [i for i in range(len(an.kinks)) if i not in equal])
    H = None
    if orbit:               # first the whole critical cone: a negative direction there may mix in the orbits
        E = an.rows(s, equal) + [g]
        N, _ = linalg.nullspace(linalg.matrix(E, F), F)
        H = piece.hessian(an.theta, raw=True)
        _, _, v = linalg.psd_certificate(_restrict(H, N, F), F) if N else (None, None, None)
        if v is not None:
            for cand in _negative_in_cone(an, s, piece, E, ineq, _combine(N, v, F), H):
                if _refute(an, out, s, piece, cand, 2, "second order: a direction of the piece's critical cone "
                           "with d^T H_s d < 0"):
                    return "refuted"
    E = an.rows(s, equal) + [g] + orbit
    N, _ = linalg.nullspace(linalg.matrix(E, F), F)
    if not N:
        return {"critical_cone": "{0}"}
    H = H or piece.hessian(an.theta, raw=True)
    Q = _restrict(H, N, F)
    kernel, _, v = linalg.psd_certificate(Q, F)
    label = f"sign pattern {an.pattern(s)}"
    if v is not None:
        d = _combine(N, v, F)
        for cand in _negative_in_cone(an, s, piece, E, ineq, d, H):
            if _refute(an, out, s, piece, cand, 2, "second order: a direction of the piece's critical cone "
                       "with d^T H_s d < 0"):
                return "refuted"
        return (f"undecided at a kink: H_s is indefinite on the span of the critical cone of the {label}, and "
                "no negative direction was found inside the cone (copositivity not decided)")
    if not kernel:
        return {"critical_cone_span_dimension": len(N), "how": "H_s positive definite on the span"}
    Z = [_combine(N, z, F) for z in kernel]
    found = _cone_meets(F, ineq, Z)
    if found is None:
        return {"critical_cone_span_dimension": len(N),
                "how": "H_s PSD on the span; its kernel meets the critical cone only in 0 (exact simplex)"}
    inert = an.inert(s)
    if any(g[p] or any(H.to_list()[p]) for p in inert):
        raise AssertionError("kernel self-check failed: the piece depends on an inert parameter")
    zero_dir = _cone_leaves(F, ineq, Z, inert) if inert else found
    if zero_dir is None:            # zero curvature only along parameters L_s does not depend on
        _flat_segment(an, out, s, found, inert)
        return {"critical_cone_span_dimension": len(N), "non_strict": True,
                "how": "H_s PSD on the span; its kernel meets the critical cone only in directions of parameters "
                       f"the piece does not depend on ({', '.join(an.loss.params[p] for p in sorted(inert))})"}
    family = _critical_family(an, piece, H, E, "span of the critical cone") or \
        _critical_family(an, piece, H, an.rows(s, flat) + orbit, "span of the cone")
    if family:
        return {"critical_cone_span_dimension": len(N), "non_strict": True, **family}
    for cand in (zero_dir, [-x for x in zero_dir]):
        if all(F.sign(linalg.dot(r, cand, F)) >= 0 for r in ineq):
            coeffs = piece.taylor(an.theta, [cand], HIGHER_ORDER)
            lead = next((i for i, c in enumerate(coeffs) if i > 0 and c), None)
            if lead is not None and F.sign(coeffs[lead]) < 0 and \
                    _refute(an, out, s, piece, cand, HIGHER_ORDER, "higher order: L_s decreases along a "
                            "zero-curvature direction of the critical cone"):
                return "refuted"
    out.evidence.setdefault("zero_curvature_direction", {"pattern": an.pattern(s),
                                                         "direction": _named(an.loss, F, zero_dir)})
    return (f"undecided at a kink: the critical cone of the {label} holds a direction of zero curvature that "
            "is not a rescaling orbit (second order is not enough)")


def _local_degree(loss: Loss) -> int | None:
    """Degree of the piece as a polynomial near theta (piecewise-linear
    activations count as linear), or None when some activation is not a
    polynomial."""
    deg = [0] * loss.n_slots
    for st in loss.steps:
        inner = max([(1 if p is not None else 0) + deg[src] for src, p, _ in st.terms]
                    + ([1] if st.bias is not None else []))
        act = st.activation
        if act is None or act.kind == "linear" or act.slopes is not None:
            deg[st.slot] = inner
        elif act.polynomial_coefficients is not None:
            deg[st.slot] = inner * max(1, len(act.polynomial_coefficients) - 1)
        else:
            return None
    return 2 * max(deg[o] for o in loss.output_slots)


def _critical_family(an: _Analysis, piece: Loss, H, normals: list, where: str) -> dict | None:
    """Morse-Bott on A = theta + W, W = {d : n . d = 0 for n in normals}:
    when H_s is PSD on W and theta + (its kernel in W) consists of critical
    points of L_s restricted to A (the gradient projected on W is
    identically zero there, a polynomial identity), theta is a local minimum
    of L_s on A near theta. Else None.

    Two choices of W make this a minimum on theta + (C_s cap T^perp):
    - the span of C_s within T^perp (it contains the cone);
    - the span of the critical cone, {E d = 0} within T^perp, E its implied
      equalities: each row of E carries a positive Lagrange multiplier of g_s
      or vanishes on all of C_s (LP duality), so for d = d_W + d_N in the
      cone (d_N orthogonal to W, in T^perp), g_s . d >= c |d_N| and
      L_s(theta + d) >= L_s(theta + d_W) + c |d_N| - O(|d| |d_N|) >= L(theta).
    """
    from sympy.polys.rings import ring

    from .evidence import _constant_term
    F, P = an.F, an.P
    D = _local_degree(an.loss)
    if D is None:
        return None
    B = linalg.nullspace(linalg.matrix(normals, F), F)[0] if normals else \
        [[F.one if i == j else F.zero for i in range(P)] for j in range(P)]
    if not B:
        return None
    kernel, _, v = linalg.psd_certificate(_restrict(H, B, F), F)
    if v is not None or not kernel or len(kernel) > 12:
        return None
    kernel = [_combine(B, k, F) for k in kernel]
    R, *cs = ring(",".join(f"c{i + 1}" for i in range(len(kernel))), F.domain)
    z = [sum((c * k[j] for c, k in zip(cs, kernel)), R.zero) for j in range(P)]
    jets = piece.gradient_taylor(an.theta, [z], D, ring_zero=R.zero, base=_constant_term(R, F))
    for b in B:                 # b . grad L_s(theta + z), a polynomial in (t, c), must vanish identically
        if any(sum((x * jet[i] for x, jet in zip(b, jets) if x), R.zero) for i in range(D + 1)):
            return None
    return {"how": f"Morse-Bott on the {where} (dimension {len(B)}, minus the orbits): H_s is PSD there and "
                   f"theta + its kernel (dimension {len(kernel)}) consists of critical points of L_s on that span "
                   f"(the projected gradient is identically 0 there: coefficients up to degree {D} vanish)"}


def _restrict(H, N, F):
    Nm = linalg.matrix([[v[i] for v in N] for i in range(len(N[0]))], F)
    return Nm.transpose() * H * Nm


def _combine(N, coeffs, F) -> list:
    return [sum((c * v[i] for c, v in zip(coeffs, N) if c), F.zero) for i in range(len(N[0]))]


def _negative_in_cone(an, s, piece, E, ineq, d, H):
    """Directions to try: +-d, then negative directions of H on the faces
    (some inequality rows made equalities) of the critical cone."""
    F = an.F

    def inside(x):
        return all(F.sign(linalg.dot(r, x, F)) >= 0 for r in ineq)

    for cand in (d, [-x for x in d]):
        if inside(cand):
            yield cand
    faces = 0
    for size in range(1, len(ineq) + 1):
        for J in itertools.combinations(range(len(ineq)), size):
            faces += 1
            if faces > MAX_FACES:
                return
            NJ, _ = linalg.nullspace(linalg.matrix(E + [ineq[j] for j in J], F), F)
            if not NJ:
                continue
            v = linalg.negative_direction(_restrict(H, NJ, F), F)
            if v is None:
                continue
            dj = _combine(NJ, v, F)
            if F.sign(linalg.quad(H, dj, F)) >= 0:
                continue
            for cand in (dj, [-x for x in dj]):
                if inside(cand):
                    yield cand


def _cone_meets(F, ineq, Z) -> list | None:
    """A nonzero d in span(Z) with r . d >= 0 for r in ineq, or None (exact)."""
    B = [[linalg.dot(r, z, F) for z in Z] for r in ineq]
    k = len(Z)
    if not B:
        return Z[0]
    null, _ = linalg.nullspace(linalg.matrix(B, F), F)
    if null:
        return _combine(Z, null[0], F)
    obj = [-sum((row[j] for row in B), F.zero) for j in range(k)]
    val, w = cone_min(F, obj, B, [], k)
    return _combine(Z, w, F) if F.sign(val) < 0 else None


def _cone_leaves(F, ineq, Z, inert: set) -> list | None:
    """A d in the cone {d in span(Z) : r . d >= 0} with a coordinate outside
    ``inert`` non-zero, or None when the whole cone lies in the inert
    coordinates (exact simplex per coordinate and sign)."""
    B = [[linalg.dot(r, z, F) for z in Z] for r in ineq]
    k = len(Z)
    for p in range(len(Z[0])):
        if p in inert or not any(z[p] for z in Z):
            continue
        for sign in (1, -1):
            val, w = cone_min(F, [-sign * z[p] for z in Z], B, [], k)
            if F.sign(val) < 0:
                return _combine(Z, w, F)
    return None


def _flat_segment(an: _Analysis, out: KinkResult, s, d, inert: set):
    """d != 0 in C_s moves only parameters the piece does not depend on: L is
    constant on theta + t d for small t >= 0, so the minimum is not strict."""
    F = an.F
    if any(x and p not in inert for p, x in enumerate(d)) or \
            any(F.sign(linalg.dot(r, d, F)) < 0 for r in an.rows(s)):
        raise AssertionError("kernel self-check failed: flat direction outside the inert cone")
    ts = [F(sympy.Rational(1, 2 ** k)) for k in (20, 21, 22)]
    values = [an.loss.value([a + t * b for a, b in zip(an.theta, d)], raw=True) for t in ts]
    if any(v != an.L0 for v in values):        # t not yet small enough for the other neurons: claim nothing
        return
    if out.is_strict is not False:
        out.is_strict = False
        out.strict_reason = ("not strict: L is constant on the segment theta + t d (small t >= 0) of a piece, d moving "
                             "only parameters of neurons silent on every sample on that side")
        out.evidence["flat_segment"] = {"pattern": an.pattern(s), "d": _named(an.loss, F, d),
                                        "checked_at": [F.show(t) for t in ts], "loss_on_segment": F.show(an.L0)}


def _refute(an: _Analysis, out: KinkResult, s, piece: Loss, d, order: int, why: str) -> bool:
    """Record the refutation along theta + t d (d in C_s); False when the
    real loss, exactly computable, does not confirm it at any t = 2^-k
    (then nothing is recorded). When its values off theta are transcendental
    the piece's exact expansion alone is the proof (as at smooth points)."""
    from .evidence import _exact_drop, _vec
    F, theta = an.F, an.theta
    if any(F.sign(linalg.dot(r, d, F)) < 0 for r in an.rows(s)):
        raise AssertionError("kernel self-check failed: refuting direction outside its cone")
    coeffs = piece.taylor(theta, [d], order)
    lead = next((i for i, c in enumerate(coeffs) if i > 0 and c), None)
    if lead is None or F.sign(coeffs[lead]) >= 0:
        raise AssertionError("kernel self-check failed: the piece does not decrease along d")
    drop = _exact_drop(an.loss, theta, [d], an.L0)
    if drop is None:
        try:
            an.loss.value([a + b / 2 for a, b in zip(theta, d)], raw=True)
            return False
        except NotExact as exc:
            drop = f"none: the loss off theta is not exact ({exc}); the expansion of the piece is the proof"
    if out.is_min or not an.L0:
        raise AssertionError("kernel self-check failed: a zero-loss point cannot be refuted")
    out.is_min = out.is_strict = False
    out.reason = out.strict_reason = f"not a local minimum at a kink: {why}"
    out.evidence.update({
        "kink_pattern": an.pattern(s),
        "curve": "theta + t d1 (t > 0)",
        "d1": _named(an.loss, F, d),
        "taylor_coefficients_of_piece": _vec(F, coeffs),
        "why": f"d1 lies in the cone of the pattern, where L = L_s near theta; L_s(theta + t d1) = L(theta) + "
               f"({F.show(coeffs[lead])}) t^{lead} + O(t^{lead + 1}) for t > 0",
        "exact_example": drop})
    return True


def _named(loss: Loss, F: Field, v) -> dict:
    return {p: F.show(x) for p, x in zip(loss.params, v) if x}


__all__ = ["at_kink", "find_kinks", "simplex", "cone_min", "KinkResult", "Kink", "OutOfScope", "MAX_KINKS"]
