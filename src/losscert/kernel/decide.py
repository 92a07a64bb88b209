"""The decision procedures (the trusted kernel; DESIGN.md has the maths).

At a point theta of a compiled :class:`~losscert.compiler.Loss`:

1. gradient != 0: not a local minimum (descent along -grad);
2. exact Hessian H; a vector v with v^T H v < 0: not a local minimum;
3. H positive definite: strict local minimum;
4. H PSD and singular, K = ker H:
   - rescaling orbits (group actions) through theta whose tangents span K:
     Morse-Bott, a local minimum that is not strict;
   - otherwise, on K' = K minus the orbit directions (a slice), the cubic
     form T3(z,z,z)/6 (nonzero: descent), then the quartic
     q(z) = T4(z,z,z,z)/24 - b(z)^T H^+ b(z)/8 with b(z) = T3(z,z,.):
     q > 0 on K' minus 0: local minimum (strict when there are no orbits);
     q(z) < 0: not a local minimum, with the curve theta + t z + t^2 y(z)
     whose exact Taylor expansion is the evidence; else inconclusive.

Every refutation carries exact Taylor coefficients of L along an explicit
curve; every constant-loss curve is checked exactly.
"""
from __future__ import annotations

import sympy
from sympy.polys.rings import ring

from ..activations import NonSmooth, NotExact
from ..compiler import Loss
from ..fields import Field
from . import linalg, rigorous
from .forms import nonzero_point, positivity
from .symmetry import candidate_curves, check_constant
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict

SHOW_MATRIX_UP_TO = 12   # parameters: include the full Hessian in evidence
MAX_FORM_VARIABLES = 6   # kernel dimension up to which the cubic/quartic forms are decided


def _vec(F: Field, v) -> list[str]:
    return [F.show(x) for x in v]


def _named(loss: Loss, F: Field, v) -> dict:
    return {p: F.show(x) for p, x in zip(loss.params, v) if x}


def _exact_drop(loss: Loss, theta, curve_dirs, L0) -> dict | None:
    """A rational t = 2^-k (k <= 40) with L(curve(t)) < L(theta), as an
    illustration of the expansion (the expansion itself is the proof)."""
    F = loss.field
    for k in range(1, 41):
        t = F(sympy.Rational(1, 2 ** k))
        pt = list(theta)
        tp = F.one
        for d in curve_dirs:
            tp = tp * t
            pt = [a + tp * b for a, b in zip(pt, d)]
        try:
            val = loss.value(pt)
        except NotExact:            # off the point, values may be transcendental
            return None
        if F.compare(val, L0) < 0:
            return {"t": F.show(t), "loss_at_t": F.show(val)}
    return None


def _descent(loss, theta, L0, curve_dirs, order, what) -> dict:
    F = loss.field
    coeffs = loss.taylor(theta, curve_dirs, order)
    lead = next((i for i, c in enumerate(coeffs) if i > 0 and c), None)
    ok = lead is not None and all(not coeffs[i] for i in range(1, lead)) and F.sign(coeffs[lead]) < 0
    if not ok:
        raise AssertionError(f"kernel self-check failed: {what} does not decrease L")
    ev = {"curve": "theta + " + " + ".join(f"t^{i + 1} d{i + 1}" for i in range(len(curve_dirs))),
          **{f"d{i + 1}": _named(loss, F, d) for i, d in enumerate(curve_dirs)},
          "taylor_coefficients_of_L": _vec(F, coeffs),
          "why": f"L(curve(t)) = L(theta) + ({F.show(coeffs[lead])}) t^{lead} + O(t^{lead + 1})"
                 + (" for t > 0" if lead % 2 else "")}
    drop = _exact_drop(loss, theta, curve_dirs, L0)
    if drop:
        ev["exact_example"] = drop
    return ev


class Analysis:
    """Second- and higher-order analysis of one point (cached per point)."""

    def __init__(self, loss: Loss, theta):
        self.loss, self.theta = loss, theta
        self.F = F = loss.field
        self.is_min = None       # True / False / None
        self.is_strict = None
        self.reason = ""
        self.strict_reason = ""
        self.evidence: dict = {}
        self.critical = None
        self.hessian = None
        self.pivots = None
        try:
            self.L0 = loss.value(theta)
        except NotExact as exc:
            self._rigorous(exc)
            return
        self.evidence["loss"] = F.show(self.L0)
        self._pending = True
        if not self.L0:
            # a zero-loss point is a global minimum: nothing else is needed for local_minimum
            # (strict_local_minimum calls complete() for the rest)
            self.is_min = True
            self.reason = "L(theta) = 0, the global minimum value of a squared loss"
            return
        self.complete()

    def complete(self) -> "Analysis":
        """Run the second- and higher-order analysis if it has not run yet."""
        if not getattr(self, "_pending", False):
            return self
        self._pending = False
        try:
            self._run()
        except NonSmooth as exc:
            self.reason = self.reason or f"the loss is not twice differentiable here ({exc})"
            self.strict_reason = self.strict_reason or self.reason
        except NotExact as exc:
            if self.is_min is None:
                self._rigorous(exc)
            self.reason = self.reason or f"exact evaluation impossible ({exc})"
            self.strict_reason = self.strict_reason or self.reason
        return self

    def _rigorous(self, exc):
        """Transcendental values: only refutations are possible at a point
        (a provably non-zero gradient, or v^T H v < 0, rule out a minimum)."""
        loss, theta = self.loss, self.theta
        try:
            ev = rigorous.nonzero_gradient(loss, theta)
        except NonSmooth as kink:
            self.reason = self.strict_reason = f"the loss is not differentiable here ({kink})"
            return
        if ev:
            self.critical = False
            self._not_min("not a critical point: a gradient entry is provably non-zero (Arb enclosure)", ev)
            return
        try:
            ev = rigorous.negative_curvature(loss, theta)
        except NonSmooth:
            ev = None
        if ev:
            self._not_min("v^T H v < 0 (Arb enclosure): not a local minimum, whether or not the gradient "
                          "vanishes", ev)
            return
        self.reason = self.strict_reason = (
            f"exact evaluation impossible ({exc}); intervals cannot prove a gradient exactly zero "
            "(local_minimum_near proves a minimum nearby)")

    # -- steps ----------------------------------------------------------------
    def _not_min(self, reason, evidence):
        if self.is_min:
            raise AssertionError("kernel self-check failed: a zero-loss point cannot be refuted")
        self.is_min, self.is_strict = False, False
        self.reason = self.strict_reason = reason
        self.evidence.update(evidence)

    def _run(self):
        loss, theta, F = self.loss, self.theta, self.F
        if self.is_min:             # L = 0: the residual, hence the gradient of the squared loss, vanishes
            self.critical = True
        else:
            g = loss.gradient(theta)
            self.critical = not any(g)
            if not self.critical:
                self.evidence["gradient"] = _named(loss, F, g)
                self._not_min("not a critical point: the gradient is not zero",
                              _descent(loss, theta, self.L0, [[-x for x in g]], 1, "-grad"))
                return
        fact = factored_hessian(loss, theta)
        H = self.hessian = fact.H
        P = len(theta)
        if P <= SHOW_MATRIX_UP_TO:
            self.evidence["hessian"] = [_vec(F, r) for r in H.to_list()]
        searched = False
        if self.is_min:             # only strictness is open: a constant-loss curve settles it, no PSD test
            self._symmetries()
            searched = True
            if self.is_strict is False:
                return
        fact.factor()
        pivots, d = fact.pivots, fact.negative
        if d is None and P > len(pivots):
            # H[p, p] is PD: H is PSD with kernel dimension P - |p| once that many independent kernel
            # vectors are exhibited: the orbit tangents (exact, independent, in ker H) when there are
            # enough of them, else the kernel vectors solved on the pivots (checked by H K = 0)
            if not searched:
                self._symmetries()
                searched = True
            if len(self.orbit_tangents) > P - len(pivots):
                raise AssertionError("kernel self-check failed: more independent kernel vectors than P - rank")
            if len(self.orbit_tangents) == P - len(pivots) and fact.kernel is None:
                fact.kernel, fact.kernel_how = list(self.orbit_tangents), "the independent orbit tangents"
            fact.certify_kernel(F)
            pivots, d = fact.pivots, fact.negative
        elif d is not None:
            fact.certify_kernel(F)
        kernel = fact.kernel
        self.pivots, self.kernel = pivots, kernel
        if d is not None:
            if P <= 200:
                self.evidence["inertia"] = dict(zip(("positive", "negative", "zero"), linalg.inertia(H, F)))
            self._not_min("the Hessian has a direction of negative curvature",
                          _descent(loss, theta, self.L0, [d], 2, "the negative-curvature direction"))
            return
        self.evidence["inertia"] = {"positive": len(pivots), "negative": 0, "zero": P - len(pivots)}
        self.evidence["hessian_psd"] = "positive definite on the span of the pivot coordinates " \
                                       f"{[loss.params[p] for p in pivots]} (checked exactly)"
        if not kernel:
            self.is_min = self.is_strict = True
            self.reason = self.strict_reason = "critical point with a positive definite Hessian"
            return
        self.evidence["kernel_basis"] = [_named(loss, F, k) for k in kernel[:10]]
        if fact.kernel_how:
            self.evidence["kernel_dimension"] = f"{len(kernel)}: H[p, p] positive definite and H k = 0 for " \
                                                f"{fact.kernel_how}"
        if not searched:
            self._symmetries()
        if self.is_min and self.is_strict is False:
            return                      # both questions are settled (zero loss, constant-loss curve)
        self._higher_order()

    def _symmetries(self):
        loss, theta, F, H = self.loss, self.theta, self.F, self.hessian
        curves, orbit, tangents = [], [], []
        nearby = loss.nearby(theta)
        for curve in candidate_curves(loss, theta):
            t = curve.tangent(theta, F)
            proof = check_constant(loss, theta, curve, nearby)
            if proof is None:
                continue
            tangents.append(t)
            curves.append({**proof, "tangent": _named(loss, F, t)})
            if curve.group_action:
                orbit.append(t)
        if tangents:            # one product H [t_1 ... t_s] for all the self-checks
            T = linalg.matrix([[t[i] for t in tangents] for i in range(len(theta))], F)
            if any(x for row in (H * T).to_list() for x in row):
                raise AssertionError("kernel self-check failed: tangent of a constant-loss curve not in ker H")
        # a maximal independent set of orbit tangents: the pivot columns of [t_1 ... t_s]
        self.orbit_tangents = []
        if orbit:
            _, cols = linalg.rref(linalg.matrix([[t[i] for t in orbit] for i in range(len(theta))], F))
            self.orbit_tangents = [orbit[c] for c in cols]
        if curves:
            self.evidence["constant_loss_curves"] = curves
            self.is_strict = False
            self.strict_reason = "not strict: L is constant on the curve " + curves[0]["curve"]

    def _higher_order(self):
        loss, theta, F, H = self.loss, self.theta, self.F, self.hessian
        K, T = self.kernel, self.orbit_tangents
        m = len(K)
        if len(T) == m:
            self.is_min = True
            self.reason = (f"Morse-Bott: H is PSD and ker H (dim {m}) is spanned by tangents of rescaling "
                           "orbits, manifolds of critical points of equal loss")
            return
        # K' = {z in K : z orthogonal to the orbit tangents}
        if T:
            coords = linalg.matrix([[linalg.dot(t, k, F) for k in K] for t in T], F)
            sub, _ = linalg.nullspace(coords, F)
            Kp = [[sum((a * k[j] for a, k in zip(c, K)), F.zero) for j in range(len(theta))] for c in sub]
        else:
            Kp = K
        mp = len(Kp)
        self.evidence["slice_kernel_dimension"] = mp
        if mp > MAX_FORM_VARIABLES:
            self.reason = self.reason or (f"the Hessian kernel left after the orbits has dimension {mp}; the "
                                          f"order-four test handles at most {MAX_FORM_VARIABLES}")
            self.strict_reason = self.strict_reason or self.reason
            return
        R, *cs = ring(",".join(f"c{i + 1}" for i in range(mp)), F.domain)
        z = [sum((c * k[j] for c, k in zip(cs, Kp)), R.zero) for j in range(len(theta))]
        jet = loss.taylor(theta, [z], 4, ring_zero=R.zero, base=_constant_term(R, F))
        if jet[1] or jet[2]:
            raise AssertionError("kernel self-check failed: kernel direction with nonzero first/second order")
        cubic = _form(jet[3], mp)
        if cubic:
            pt, val = nonzero_point(cubic, mp, F)
            d = [sum((a * k[j] for a, k in zip(pt, Kp)), F.zero) for j in range(len(theta))]
            if F.sign(val) > 0:
                d = [-x for x in d]
            self.evidence["cubic_form_on_kernel"] = _show_form(cubic, F)
            self._not_min("third-order descent along a Hessian kernel direction",
                          _descent(loss, theta, self.L0, [d], 3, "the cubic direction"))
            return
        # b(z) = T3(z, z, .) = 2 * (t^2 coefficient of grad L along theta + t z)
        gjet = loss.gradient_taylor(theta, [z], 2, ring_zero=R.zero, base=_constant_term(R, F))
        monos = sorted({mono for gj in gjet for mono in gj[2].keys()})
        bvec = {mono: [F(2) * gj[2].get(mono, F.zero) for gj in gjet] for mono in monos}
        bR = {mono: linalg.project_out(v, K, F) for mono, v in bvec.items()}
        sols = dict(zip(monos, linalg.solve_in_range(H, self.pivots, [bR[mo] for mo in monos], F)))
        for mono in monos:
            if linalg.matvec(H, sols[mono], F) != bR[mono]:
                raise AssertionError("kernel self-check failed: H y = b not solved")
        correction = R.zero
        for m1 in monos:
            for m2 in monos:
                val = linalg.dot(bR[m1], sols[m2], F)
                if val:
                    correction += R.from_dict({tuple(a + b for a, b in zip(m1, m2)): val})
        q = jet[4] - correction * F(sympy.Rational(1, 8))
        qform = _form(q, mp)
        self.evidence["quartic_form_on_kernel"] = _show_form(qform, F)
        sign, info = positivity(qform, mp, F)
        if sign == "positive":
            self.is_min = True
            self.evidence["quartic_positivity"] = info
            if T:
                self.reason = ("local minimum: on a slice transversal to the rescaling orbits the quartic "
                               "form q is positive definite on the Hessian kernel (splitting lemma)")
            else:
                if self.is_strict is False:     # a constant-loss curve contradicts a positive quartic
                    raise AssertionError("kernel self-check failed: positive quartic on a constant-loss curve")
                self.is_strict = True
                self.reason = self.strict_reason = ("strict local minimum: H is PSD, the cubic form vanishes on "
                                                    "ker H and the quartic form q is positive definite there")
            return
        if sign == "negative":
            z0 = [sum((a * k[j] for a, k in zip(info, Kp)), F.zero) for j in range(len(theta))]
            b0 = [F(2) * g[2] for g in loss.gradient_taylor(theta, [z0], 2)]
            (y0,) = linalg.solve_in_range(H, self.pivots, [linalg.project_out(b0, K, F)], F)
            y = [x * F(sympy.Rational(-1, 2)) for x in linalg.project_out(y0, K, F)]
            self.evidence["quartic_negative_at"] = _vec(F, info)
            self._not_min("fourth-order descent along the curve theta + t z + t^2 y(z) (splitting lemma)",
                          _descent(loss, theta, self.L0, [z0, y], 4, "the quartic curve"))
            return
        if self.is_min is None:
            self.reason = f"the order-four test is undecided: {info}"
        if self.is_strict is None:
            self.strict_reason = f"the order-four test is undecided: {info}"


def _constant_term(R, F):
    zero_monom = R.zero_monom

    def base(p):
        return p.get(zero_monom, F.zero) if p else F.zero
    return base


def _form(p, m) -> dict:
    return {tuple(mono): c for mono, c in p.terms() if c} if p else {}


def _show_form(form: dict, F: Field) -> str:
    cs = sympy.symbols(f"c1:{len(next(iter(form))) + 1}") if form else []
    return str(sum(F.to_sympy(c) * sympy.Mul(*[x ** e for x, e in zip(cs, mono)]) for mono, c in form.items()))


# -- one Hessian and one factorisation per point, shared by the rules ------------

class FactoredHessian:
    """The exact Hessian at a point with its PSD certificate: pivots p (H[p, p]
    proven positive definite when ``negative`` is None), ``negative`` (a
    vector with d^T H d < 0, or None), and the kernel basis once certified."""

    def __init__(self, H, F: Field):
        self.H, self.F = H, F
        self.pivots = self.negative = self.kernel = None
        self.kernel_how = ""

    def factor(self) -> "FactoredHessian":
        """Compute the pivots and the negative direction (once)."""
        if self.pivots is None:
            self.pivots, self.negative = linalg.psd_pivots(self.H, self.F)
            if len(self.pivots) == self.H.shape[0] and self.negative is None:
                self.kernel = []
        return self

    def certify_kernel(self, F: Field):
        """Make ``kernel`` a certified basis of ker H (and fix pivots/negative if the proposed rank was wrong)."""
        self.factor()
        if self.kernel is not None and linalg.vanishes(self.H, self.kernel, F):
            return
        kernel = linalg.kernel_for(self.H, F, self.pivots)
        if kernel is not None:
            self.kernel, self.kernel_how = kernel, ""
            return
        self.kernel, self.pivots, negative = linalg.psd_certificate(self.H, F)
        self.negative = self.negative if self.negative is not None else negative
        self.kernel_how = ""


_FACTORED: dict = {}


def factored_hessian(loss: Loss, theta) -> FactoredHessian:
    """The point's Hessian and its factorisation, computed once (hessian_psd and the analysis share it)."""
    key = (id(loss), tuple(loss.field.show(x) for x in theta))
    hit = _FACTORED.get(key)
    if hit is None or hit[0] is not loss:
        if len(_FACTORED) > 16:
            _FACTORED.clear()
        hit = _FACTORED[key] = (loss, FactoredHessian(loss.hessian(theta), loss.field))
    return hit[1]


# -- the public decisions ------------------------------------------------------

_CACHE: dict = {}


def analyse(loss: Loss, theta) -> Analysis:
    key = (id(loss), tuple(loss.field.show(x) for x in theta))
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = (loss, Analysis(loss, theta))
    return _CACHE[key][1]


def critical_point(loss: Loss, theta) -> Verdict:
    F = loss.field
    try:
        g = loss.gradient(theta)
    except NotExact:
        return rigorous.critical_point(loss, theta)
    except NonSmooth as exc:
        return Verdict(INCONCLUSIVE, f"the exact gradient is not available: {exc}")
    if any(g):
        return Verdict(REFUTED, "a gradient entry is not zero", {"gradient": _named(loss, F, g)})
    return Verdict(VERIFIED, "the exact gradient is zero", {"gradient": "0 (all entries exactly)"})


def loss_value(loss: Loss, theta, value) -> Verdict:
    F = loss.field
    try:
        L = loss.value(theta)
    except NotExact:
        return rigorous.loss_value(loss, theta, value)
    ev = {"loss": F.show(L), "claimed": F.show(value)}
    if L == value:
        return Verdict(VERIFIED, f"L(point) = {F.show(L)} exactly", ev)
    return Verdict(REFUTED, f"L(point) = {F.show(L)}, not {F.show(value)}", ev)


def hessian_psd(loss: Loss, theta) -> Verdict:
    """The Hessian at theta is positive semidefinite (any point, critical or not)."""
    F = loss.field
    try:
        fact = factored_hessian(loss, theta)
    except NotExact as exc:
        ev = rigorous.negative_curvature(loss, theta)
        if ev:
            return Verdict(REFUTED, "v^T H v < 0 (Arb enclosure)", ev)
        return Verdict(INCONCLUSIVE, f"the exact Hessian is not available: {exc}")
    except NonSmooth as exc:
        return Verdict(INCONCLUSIVE, f"the exact Hessian is not available: {exc}")
    H, d = fact.H, fact.factor().negative
    if d is None:
        fact.certify_kernel(F)
        d = fact.negative
    if d is not None:
        q = linalg.quad(H, d, F)
        if F.sign(q) >= 0:
            raise AssertionError("kernel self-check failed: negative-curvature direction")
        return Verdict(REFUTED, f"v^T H v = {F.show(q)} < 0", {"direction": _named(loss, F, d)})
    pivots, kernel = fact.pivots, fact.kernel
    return Verdict(VERIFIED, f"H is PSD with rank {len(pivots)} (H[p, p] positive definite on the pivots, "
                   "kernel checked exactly)",
                   {"inertia": {"positive": len(pivots), "negative": 0, "zero": len(kernel)},
                    "kernel_basis": [_named(loss, F, k) for k in kernel[:10]]})


def local_minimum(loss: Loss, theta) -> Verdict:
    a = analyse(loss, theta)
    status = {True: VERIFIED, False: REFUTED, None: INCONCLUSIVE}[a.is_min]
    return Verdict(status, a.reason, dict(a.evidence))


def strict_local_minimum(loss: Loss, theta) -> Verdict:
    a = analyse(loss, theta).complete()
    status = {True: VERIFIED, False: REFUTED, None: INCONCLUSIVE}[a.is_strict]
    return Verdict(status, a.strict_reason or a.reason, a.evidence)


def saddle(loss: Loss, theta) -> Verdict:
    a = analyse(loss, theta)
    if a.is_min:
        return Verdict(REFUTED, "proven local minimum: " + a.reason, a.evidence)
    if a.critical is False:
        return Verdict(REFUTED, "not a critical point", a.evidence)
    if a.is_min is None or a.hessian is None:
        return Verdict(INCONCLUSIVE, a.reason if a.is_min is None else
                       "not a local minimum, but criticality cannot be proven by intervals", a.evidence)
    F, H = a.F, a.hessian
    S = H.extract(a.pivots, a.pivots)
    up = linalg.negative_direction(-S, F) if a.pivots else None
    if up is None:
        return Verdict(INCONCLUSIVE, "not a local minimum, but no direction of increase was found "
                       "(H is negative semidefinite)", a.evidence)
    d = linalg.embed(up, a.pivots, len(theta), F)
    coeffs = loss.taylor(theta, [d], 2)
    if F.sign(coeffs[2]) <= 0:
        raise AssertionError("kernel self-check failed: ascent direction")
    ev = dict(a.evidence)
    ev["ascent"] = {"direction": _named(loss, F, d), "taylor_coefficients_of_L": _vec(F, coeffs)}
    return Verdict(VERIFIED, "critical point that is neither a local minimum (" + a.reason +
                   ") nor a local maximum (positive curvature direction)", ev)


def not_global(loss: Loss, theta, better) -> Verdict:
    F = loss.field
    try:
        L0, L1 = loss.value(theta), loss.value(better)
    except NotExact:
        return rigorous.compare_losses(loss, theta, better)
    ev = {"loss": F.show(L0), "loss_at_better": F.show(L1)}
    if not L0:
        return Verdict(REFUTED, "L(point) = 0 is the global minimum of a squared loss", ev)
    c = F.compare(L1, L0)
    if c < 0:
        return Verdict(VERIFIED, f"L(better) = {F.show(L1)} < L(point) = {F.show(L0)} exactly", ev)
    return Verdict(REFUTED, f"L(better) = {F.show(L1)} >= L(point) = {F.show(L0)}", ev)


def spurious_local_minimum(loss: Loss, theta, better) -> Verdict:
    lm, ng = local_minimum(loss, theta), not_global(loss, theta, better)
    ev = {"local_minimum": lm.as_dict(), "not_global": ng.as_dict()}
    if REFUTED in (lm.status, ng.status):
        which = lm if lm.status == REFUTED else ng
        return Verdict(REFUTED, which.reason, ev)
    if lm.status == ng.status == VERIFIED:
        return Verdict(VERIFIED, f"{lm.reason}; and {ng.reason}", ev)
    return Verdict(INCONCLUSIVE, lm.reason if lm.status == INCONCLUSIVE else ng.reason, ev)


def effective(network) -> Verdict:
    from ..pruning import effective as prune
    _, report = prune(network)
    if report.is_effective:
        return Verdict(VERIFIED, "every node lies on a path from an input to an output", {})
    node, why = report.useless_nodes()[0]
    return Verdict(REFUTED, f"useless node {node}: {why}", {"useless": [f"{n}: {w}" for n, w in report.useless_nodes()],
                                                             "removed": report.lines()})
