"""Kinks at any depth: exact descent curves, and minima proven piece by piece.

:mod:`.kinks` decides kinks of neurons that read inputs only (their
pre-activations are affine, the pieces live on polyhedral cones). Here a
kink neuron may read hidden neurons, which may be kinked themselves.

**Refutation along a curve.** Along theta + t d1 + t^2 d2 + ..., every
quantity of the network is an analytic function of t on some (0, t*) once
each piecewise activation is replaced by the piece its argument takes for
small t > 0: the side of the lowest non-zero Taylor coefficient of the
pre-activation in t (an argument zero to the working order N leaves the
output zero to order N on either piece, since every piece vanishes at 0).
The forward pass over truncated power series (:class:`CurveJets`) thus gives
the exact Taylor coefficients of L along the curve for t > 0; a negative
lowest non-zero one refutes local minimality, confirmed by an exact drop of
the real loss at some t = 2^-k when the loss off theta is exact.

**Verification piece by piece.** Let s range over the sign patterns of the
kinks (the (neuron, sample) pairs with a zero pre-activation whose two
pieces differ), L_s the loss with each kinked activation replaced by its
piece of side s (:meth:`~losscert.compiler.Loss.with_slopes`), z_j^s the
pre-activations computed in L_s. Near theta every point lies in some
R_s = {s_j z_j^s >= 0 for all j} (read the signs off in topological order)
and L = L_s on R_s. So theta is a local minimum when it is one of L_s on
R_s for every s; each piece is proven

1. by the second-order sufficient condition for the constraints
   c_j = s_j z_j^s >= 0 (no constraint qualification needed: Nocedal and
   Wright, Theorem 12.6): multipliers lambda >= 0 with
   grad L_s = sum lambda_j grad c_j (exact simplex) and
   w^T (H_s - sum lambda_j Hess c_j) w > 0 on the critical cone
   {grad c_j . w >= 0, = 0 where lambda_j > 0} minus 0, restricted to a
   slice transversal to the rescaling orbits (exact symmetries of L: orbits
   and slice cover a neighbourhood, so a strict minimum on every slice piece
   is a local minimum of L); or
2. as an unconstrained local minimum of L_s (the whole decision procedure,
   passed in by :mod:`.decide` as ``decide_piece``), which needs no
   knowledge of R_s (a region that is lower dimensional or empty only
   helps; emptiness is never used).

Strict when every piece is strict and there are no orbits. Anything else is
inconclusive with the reason.

>>> from losscert import compile_loss, dense
>>> loss = compile_loss(dense([1, 1, 1, 1], activation="relu"), X=[[1]], Y=[[1]])
>>> theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> h2_1": 0, "h2_1 -> y1": 1})
>>> ev = curve_descent(loss, theta, [loss.point([0, 1, 0])], loss.value(theta, raw=True))
>>> ev["kink_pattern_along_curve"], ev["taylor_coefficients_of_L"][:3]
({'h2_1 @ sample 1': '+'}, ['1/2', '-1', '1/2'])
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import sympy
from sympy.polys.rings import ring

from ..activations import NonSmooth, NotExact, _pieces, _scale_invariant, z as Z
from ..compiler import FieldAlgebra, JetAlgebra, Loss
from . import linalg
from .evidence import _constant_term, _exact_drop, _vec
from .kinks import (MAX_KINKS, KinkResult, OutOfScope, _cone_meets, at_kink, cone_min, find_kinks,
                    proven_constant_curves, simplex)

CURVE_ORDER = 6            # Taylor order of L along a proposed curve
MAX_JET_PARAMETERS = 60    # parameters up to which the pre-activations' Hessians are formed (constraint curvature)
SHOW_PATTERNS = 8


# -- one-sided pieces of an activation at its kink ---------------------------------------

@lru_cache(maxsize=256)
def kink_pieces(act, order: int) -> tuple | None:
    """(Taylor coefficients at 0 of the piece for z < 0, of the piece for
    z > 0), SymPy numbers up to ``order``, when the activation is a
    Piecewise whose conditions compare z with 0 and whose two pieces vanish
    at 0 and differ; None when it has no kink at 0 in that sense.

    >>> from losscert.activations import activation
    >>> kink_pieces(activation("elu(1/2)"), 3)
    ((0, 1/2, 1/4, 1/12), (0, 1, 0, 0))
    >>> kink_pieces(activation("tanh"), 3) is None
    True
    """
    pieces = _pieces(act.expr)
    if len(pieces) < 2 or not all(_scale_invariant(c) for _, c in pieces):
        return None
    out = []
    for side in (-1, 1):
        expr = next((e for e, c in pieces if bool(c.subs(Z, side))), None)
        if expr is None:
            return None
        ser = sympy.series(expr, Z, 0, order + 1).removeO()
        coeffs = tuple(sympy.sympify(ser.coeff(Z, k) if k else ser.subs(Z, 0)) for k in range(order + 1))
        if coeffs[0] != 0 or not all(c.is_number and c.is_real for c in coeffs):
            return None
        out.append(coeffs)
    return None if out[0] == out[1] else tuple(out)


def _lowest_sign(F, jet) -> int:
    """Sign of the lowest non-zero coefficient (0: all zero)."""
    return next((F.sign(c) for c in jet if c), 0)


class CurveJets(JetAlgebra):
    """Truncated power series in t along a curve through a kink: a
    piecewise activation whose argument vanishes at t = 0 takes the piece of
    the sign its argument has for small t > 0 (the lowest non-zero
    coefficient); elsewhere the activation's exact Taylor coefficients."""

    def activate(self, act, a, derivative):
        if derivative:
            raise NonSmooth("curve jets carry values only")
        if not a[0]:
            pieces = kink_pieces(act, self.order)
            if pieces is not None:
                side = _lowest_sign(self.F, a)
                if side == 0:                   # zero to order N: every piece is O(t^(N+1))
                    return list(self.zero), None
                coeffs = [self.F(c) for c in pieces[1 if side > 0 else 0]]
                return self.compose(coeffs, a), None
        return super().activate(act, a, False)


def _labels(loss: Loss, pre: dict, keep) -> dict:
    out = {}
    for st in loss.steps:
        if st.activation is None or kink_pieces(st.activation, 2) is None:
            continue
        for k, z in enumerate(pre[st.slot]):
            if keep(z):
                out[f"{st.name} @ sample {k + 1}"] = z
    return out


def curve_descent(loss: Loss, theta, curve: list, L0, order: int = CURVE_ORDER) -> dict | None:
    """Exact evidence that L decreases along theta + t d1 + t^2 d2 + ...
    (``curve = [d1, d2, ...]``, field vectors) for small t > 0, through
    kinks at any depth, or None (no decrease to ``order``, values that are
    not exact, or a drop the real loss does not confirm)."""
    F = loss.field
    if any(len(d) != len(theta) for d in curve) or len(theta) != len(loss.params):
        raise ValueError(f"curve_descent: directions and the point need {len(loss.params)} entries")
    if not any(any(d) for d in curve):
        return None
    alg = CurveJets(F, order)
    pre: dict = {}
    try:
        vals, _ = loss._forward(loss._curve(theta, curve, alg), alg, False, pre=pre)
        coeffs = loss._loss_from_residuals(loss._residuals(vals, alg), alg)
    except (NotExact, NonSmooth):
        return None
    if coeffs[0] != L0:
        raise AssertionError("kernel self-check failed: the curve does not start at L(theta)")
    lead = next((i for i in range(1, order + 1) if coeffs[i]), None)
    if lead is None or F.sign(coeffs[lead]) > 0:
        return None
    drop = _exact_drop(loss, theta, curve, L0)
    if drop is None:
        try:
            loss.value([a + b / 2 for a, b in zip(theta, curve[0])], raw=True)
            return None                 # exact values, yet no confirmed drop: claim nothing
        except NotExact as exc:
            drop = f"none: the loss off theta is not exact ({exc}); the expansion is the proof"
    pattern = {label: {1: "+", -1: "-", 0: f"0 to order {order}"}[_lowest_sign(F, z)]
               for label, z in _labels(loss, pre, lambda z: not z[0]).items()}
    return {"curve": "theta + " + " + ".join(f"t^{i + 1} d{i + 1}" if i else "t d1" for i in range(len(curve)))
                     + " (t > 0)",
            **{f"d{i + 1}": _named(loss, F, d) for i, d in enumerate(curve)},
            "kink_pattern_along_curve": pattern,
            "taylor_coefficients_of_L": _vec(F, coeffs),
            "why": "each kinked activation takes the piece of the sign of its argument's lowest non-zero Taylor "
                   f"coefficient in t; L(curve(t)) = L(theta) + ({F.show(coeffs[lead])}) t^{lead} + "
                   f"O(t^{lead + 1}) for t > 0",
            "exact_example": drop}


# -- verification piece by piece -----------------------------------------------------------

def find_deep_kinks(loss: Loss, theta) -> tuple[list, list]:
    """(kinks, flat kinks): (node, 0-based sample, (the 2-jets at 0 of the
    piece for z < 0 and of the piece for z > 0)) for every zero
    pre-activation of a kinked activation; flat ones are identically zero
    near theta (:func:`_identically_zero`), where the pieces agree."""
    pre: dict = {}
    loss._forward(theta, FieldAlgebra(loss.field), False, pre=pre)
    split, flat = [], []
    for st in loss.steps:
        act = st.activation
        if act is None or kink_pieces(act, 2) is None:
            continue
        for k, z in enumerate(pre[st.slot]):
            if not z:
                (flat if _identically_zero(loss, st, k) else split).append((st.name, k, kink_pieces(act, 2)))
    return split, flat


def _identically_zero(loss: Loss, st, k: int) -> bool:
    """The pre-activation of ``st`` on sample k is 0 for every parameter
    value: no bias and every source an input that is 0 on that sample
    (then both pieces give sigma(0) = 0 and the kink splits nothing)."""
    return st.bias is None and all(src < loss.n_inputs and not loss.X[src][k] for src, _, _ in st.terms)


def _pre_jets(piece: Loss, theta, kinks, second: bool):
    """Per kink (z_j's gradient row, z_j's Hessian as rows or None) in the piece."""
    F, P = piece.field, len(theta)
    R, *cs = ring(",".join(f"c{i}" for i in range(P)), F.domain)
    alg = JetAlgebra(F, 2 if second else 1, ring_zero=R.zero, base=_constant_term(R, F))
    pre: dict = {}
    piece._forward(piece._curve(theta, [cs], alg), alg, False, pre=pre)
    slot = {st.name: st.slot for st in piece.steps}
    out = []
    for name, k, _ in kinks:
        jet = pre[slot[name]][k]
        row = [jet[1].coeff(c) if jet[1] else F.zero for c in cs]
        hess = None
        if second:
            q = jet[2]
            hess = [[F.zero] * P for _ in range(P)]
            for mono, c in (q.terms() if q else []):
                idx = [i for i, e in enumerate(mono) for _ in range(e)]
                i, j = idx
                if i == j:
                    hess[i][i] = c * 2
                else:
                    hess[i][j] = hess[j][i] = c
        out.append((row, hess))
    return out


def _restrict(H, N, F):
    Nm = linalg.matrix([[v[i] for v in N] for i in range(len(N[0]))], F)
    return Nm.transpose() * H * Nm


def _combine(N, coeffs, F) -> list:
    return [sum((c * v[i] for c, v in zip(coeffs, N) if c), F.zero) for i in range(len(N[0]))]


def _second_order_sufficient(F, g, H, rows, hessians, orbit):
    """(how, [], "") when the constrained second-order sufficient condition
    holds; else (None, candidate directions to try as descent curves, why not)."""
    P = len(g)
    cols = [[r[p] for r in rows] for p in range(P)]
    if not rows:
        return None, [], "no kink constraint"
    lp = simplex(F, cols, g, [F.zero] * len(rows))
    if lp is None:                  # Farkas: a direction of the linearised region with g . d < 0
        val, d = cone_min(F, g, rows, [], P)
        if F.sign(val) >= 0:
            raise AssertionError("kernel self-check failed: Farkas alternative without a direction")
        _, u = cone_min(F, [-sum((r[p] for r in rows), F.zero) for p in range(P)], rows, [], P)
        pushed = [[a + b * F(sympy.Rational(1, 2 ** k)) for a, b in zip(d, u)] for k in (1, 4)]
        return None, [d] + pushed, ("its gradient has no multipliers lambda >= 0 on the kink constraints (a "
                                    "direction of the linearised region descends at first order)")
    lam = lp[1]
    if any(lam) and any(h is None for h in hessians):
        return None, [], f"the constraints' curvature is not formed above {MAX_JET_PARAMETERS} parameters"
    L = H
    for lj, h in zip(lam, hessians):
        if lj:
            L = L - linalg.matrix(h, F) * lj
    eq = [r for r, lj in zip(rows, lam) if lj] + list(orbit)
    ineq = [r for r, lj in zip(rows, lam) if not lj]
    N, _ = linalg.nullspace(linalg.matrix(eq, F), F) if eq else ([[F.one if i == j else F.zero for i in range(P)]
                                                                    for j in range(P)], None)
    how = ("multipliers lambda >= 0 with grad L_s = sum lambda_j grad c_j (exact simplex; lambda = "
           f"{_vec(F, lam)}), and the Lagrangian Hessian is ")
    if not N:
        return how + "vacuous: the critical cone is {0}", [], ""
    kernel, _, v = linalg.psd_certificate(_restrict(L, N, F), F)
    if v is not None:
        d = _combine(N, v, F)
        return None, [d, [-x for x in d]], "the Lagrangian Hessian is indefinite on the span of the critical cone"
    if not kernel:
        return how + "positive definite on the span of the critical cone", [], ""
    if _cone_meets(F, ineq, [_combine(N, k, F) for k in kernel]) is None:
        return how + "PSD on the span of the critical cone, its kernel meeting the cone only in 0", [], ""
    return None, [], "the Lagrangian Hessian has a zero direction in the critical cone (second order does not decide)"


def at_any_kink(loss: Loss, theta, L0, decide_piece=None) -> KinkResult:
    """The kink analysis of :mod:`.kinks` where it applies (kink neurons
    reading inputs only: sharper, on exact cones), else :func:`at_deep_kink`;
    also when the cone analysis leaves the point undecided (the pieces may
    still be minima as unconstrained functions)."""
    try:
        find_kinks(loss, theta)
    except OutOfScope:
        return at_deep_kink(loss, theta, L0, decide_piece)
    except NotExact:
        pass
    out = at_kink(loss, theta, L0)
    if out.is_min is None and "kink_pattern" not in out.evidence and decide_piece is not None:
        deep = at_deep_kink(loss, theta, L0, decide_piece)
        if deep.is_min is not None:
            return deep
    return out


def at_deep_kink(loss: Loss, theta, L0, decide_piece=None) -> KinkResult:
    """Decide local minimality at kinks of any depth (module docstring).
    ``decide_piece(piece, theta)`` returns an object with ``is_min``,
    ``is_strict`` and ``reason`` for the unconstrained piece."""
    out = KinkResult()
    try:
        kinks, flat = find_deep_kinks(loss, theta)
    except NotExact as exc:
        out.reason = out.strict_reason = f"exact evaluation impossible ({exc})"
        return out
    labels = [f"{name} @ sample {k + 1}" for name, k, _ in kinks]
    out.evidence["kinks"] = labels
    if flat:
        out.evidence["kinks_identically_zero"] = [f"{name} @ sample {k + 1}" for name, k, _ in flat]
    M = len(kinks)
    if M > MAX_KINKS:
        out.reason = out.strict_reason = (f"{M} (neuron, sample) pairs have a zero pre-activation: 2^{M} sign "
                                          f"patterns exceed the bound 2^{MAX_KINKS} of the kink analysis")
        return out
    try:
        _decide(loss, theta, L0, kinks, flat, labels, decide_piece, out)
    except (NotExact, NonSmooth) as exc:
        if out.is_min is not False:
            out.is_min = out.is_strict = None
            out.reason = out.strict_reason = f"exact evaluation impossible on a piece ({exc})"
    return out


def _refute(loss, theta, L0, candidates, out, why) -> bool:
    F = loss.field
    seen = set()
    for curve in candidates:
        key = tuple(F.show(x) for d in curve for x in d)
        if key in seen:
            continue
        seen.add(key)
        ev = curve_descent(loss, theta, curve, L0)
        if ev is not None:
            if not L0:
                raise AssertionError("kernel self-check failed: a zero-loss point cannot be refuted")
            out.is_min = out.is_strict = False
            out.reason = out.strict_reason = f"not a local minimum at a kink: {why}"
            out.evidence.update(ev)
            return True
    return False


def _decide(loss, theta, L0, kinks, flat, labels, decide_piece, out):
    F, P = loss.field, len(theta)
    # a piece's 2-jet is the piece itself for ReLU / leaky ReLU; for ELU only its Taylor polynomial of order
    # 2 at the kink, which gives the piece's value, gradient and Hessian at theta exactly (enough for the
    # second-order sufficient condition) but not its higher-order behaviour (no unconstrained test then)
    flat_truncated = any(kk[2][1][2] for kk in flat)
    flat_pieces = {(name, k): _jet_piece(jets2[1]) for name, k, jets2 in flat}
    patterns = list(itertools.product((1, -1), repeat=len(kinks)))
    out.evidence["sign_patterns"] = len(patterns)
    orbit, constant = proven_constant_curves(loss, theta)
    why = ("a curve along which L decreases (the pattern of the kinks along it is read off the exact Taylor "
           "coefficients of their pre-activations)")
    # pass 1 (cheap): the constrained second-order condition on every piece; its failures propose curves
    proven, open_pieces = {}, []
    for s in patterns:
        shown = ", ".join(f"{lab}: {'+' if si > 0 else '-'}" for lab, si in zip(labels, s))
        piece = loss.with_slopes({**flat_pieces, **{(name, k): _jet_piece(jets2[1 if si > 0 else 0])
                                                    for (name, k, jets2), si in zip(kinks, s)}})
        g = piece.gradient(theta, raw=True)
        sosc, more, why_not = None, [], "its pre-activations' derivatives are not formed"
        if P <= 2 * MAX_JET_PARAMETERS:
            jets = _pre_jets(piece, theta, kinks, P <= MAX_JET_PARAMETERS)
            rows = [[x if si > 0 else -x for x in row] for (row, _), si in zip(jets, s)]
            hessians = [None if h is None else [[x if si > 0 else -x for x in r] for r in h]
                        for (_, h), si in zip(jets, s)]
            for r, t in itertools.product(rows, orbit):
                if linalg.dot(r, t, F):
                    raise AssertionError("kernel self-check failed: a rescaling orbit moves a kink")
            sosc, more, why_not = _second_order_sufficient(F, g, piece.hessian(theta, raw=True), rows, hessians, orbit)
        if sosc:
            proven[s] = ("strict", "second-order sufficient condition on R_s = {s_j z_j >= 0}" + (
                " within a slice transversal to the rescaling orbits" if orbit else "") + ": " + sosc)
            continue
        if _refute(loss, theta, L0, [[d] for d in more] + ([[[-x for x in g]]] if any(g) else []), out, why):
            return
        truncated = flat_truncated or any(kk[2][1 if si > 0 else 0][2] for kk, si in zip(kinks, s))
        open_pieces.append((s, shown, piece, g, why_not, truncated))
    # pass 2: the pieces left, as unconstrained functions (polynomial pieces only); stop at the first failure
    undecided = None
    for s, shown, piece, g, why_not, truncated in open_pieces:
        why_free = "not decided"
        if decide_piece is not None and not truncated and not any(g):
            a = decide_piece(piece, theta)
            if a.is_min:
                proven[s] = ("strict" if a.is_strict else "min", "an unconstrained local minimum of L_s: " + a.reason)
                continue
            why_free = a.reason
        elif truncated:
            why_free = "an ELU piece is known only to second order at the kink"
        undecided = (f"piece ({shown}) is not proven a minimum on its region R_s: on R_s, {why_not}; as an "
                     "unconstrained function, " + ("it is not critical (its gradient points out of the region, "
                                                   "which the unconstrained test cannot use)" if any(g) else
                                                   f"it is not proven a minimum ({why_free})")
                     + "; and no descent curve of L was confirmed")
        break
    if undecided:
        out.reason = out.strict_reason = f"undecided at a kink (any depth, decided piece by piece): {undecided}"
        if constant:
            out.evidence["constant_loss_curves"] = constant
            out.is_strict = False
            out.strict_reason = "not strict: L is constant on the curve " + constant[0]["curve"]
        return
    strict_all = not orbit and all(proven[s][0] == "strict" for s in patterns)
    summaries = [{"pattern": ", ".join(f"{lab}: {'+' if si > 0 else '-'}" for lab, si in zip(labels, s)),
                  "how": proven[s][1]} for s in patterns[:SHOW_PATTERNS]]
    out.evidence["pieces"] = summaries
    out.is_min = True
    where = f"all {len(patterns)} pieces of the {len(kinks)} kinks"
    out.reason = (f"local minimum at a kink: on {where}, L = L_s on the region R_s of its sign pattern and theta "
                  "is a local minimum of L_s there")
    if constant:
        out.evidence["constant_loss_curves"] = constant
        out.is_strict = False
        out.strict_reason = "not strict: L is constant on the curve " + constant[0]["curve"]
    elif strict_all:
        out.is_strict = True
        out.reason = out.strict_reason = (f"strict local minimum at a kink: on {where}, theta is a strict local "
                                          "minimum of L_s on the region R_s of its sign pattern")
    else:
        out.strict_reason = "strictness undecided: a piece is a minimum that is not proven strict"


def _jet_piece(coeffs):
    """A slope for a linear piece, else the coefficients (c0, c1, c2)."""
    return coeffs[1] if not coeffs[2] else tuple(coeffs)


def _named(loss: Loss, F, v) -> dict:
    return {p: F.show(x) for p, x in zip(loss.params, v) if x}


__all__ = ["at_any_kink", "at_deep_kink", "curve_descent", "find_deep_kinks", "kink_pieces", "CurveJets"]
