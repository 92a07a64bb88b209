"""The decision procedures (the trusted kernel; DESIGN.md has the maths).

At a point theta of a compiled :class:`~losscert.compiler.Loss`:

1. gradient != 0: not a local minimum (descent along -grad);
2. exact Hessian H; a vector v with v^T H v < 0: not a local minimum;
3. H positive definite: strict local minimum;
4. H PSD and singular, K = ker H:
   - rescaling orbits (group actions) through theta whose tangents span K:
     Morse-Bott, a local minimum that is not strict;
   - a family of critical points through theta with tangent space K,
     proven exactly (:mod:`~losscert.kernel.families`: affine families,
     rescalings of untied neurons and tied channels, mixings, composed; the
     gradient vanishes identically on it): Morse-Bott again. A family of
     merely constant loss is not enough;
   - otherwise the splitting lemma on a slice K' (K minus the orbit
     directions) plus (ker H)^perp: the implicit function y*(z) solving the
     range part of the gradient, as exact homogeneous Taylor terms, and the
     effective function h(z) = L(theta + z + y*(z)) to order 4..8. Its
     lowest homogeneous part of odd degree (the cubic T3(z,z,z)/6 first):
     descent; then principal parts for weights (1, ..., 1) (at order four
     the quartic q(z) = T4/24 - b^T H^+ b / 8) and small integer weights
     (quasi-homogeneous parts): positive definite: local minimum (strict
     when there are no orbits); a negative value at c: not a local minimum,
     with the curve theta + sum c_i t^w_i k_i + y*(...) (truncated) whose
     exact Taylor expansion is the evidence; else inconclusive.
5. saddle: a critical non-minimum with a direction of positive curvature,
   or with an odd-order descent curve (reversed, it ascends) or a positive
   value of the principal part, each checked by the exact expansion of L.

Every refutation carries exact Taylor coefficients of L along an explicit
curve; every constant-loss curve and every critical family is checked
exactly.
"""
from __future__ import annotations

import copy
import math
import time

import sympy
from sympy.polys.rings import ring

from ..activations import NonSmooth, NotExact
from ..compiler import Loss
from ..fields import Field, FieldError
from . import fastpath, linalg, rigorous, shallow_pass
from .evidence import _constant_term, _exact_drop, _vec
from .exponential import exact_in_exponentials
from .families import critical_family
from .formal import formal_gradient_zero, formal_values_equal
from .forms import (candidate_weights, newton_weights, nonzero_point, principal_part, sign_on_faces,
                    weighted_sign)
from .deep_kinks import at_any_kink
from .lower_bound import global_minimum
from .symmetry import candidate_curves, check_constant
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict, conjunction, loss_rule

SHOW_MATRIX_UP_TO = 12   # parameters: include the full Hessian in evidence
JET_SECONDS = 10         # no order beyond 4 of the effective function is started after this long
MAX_FORM_VARIABLES = 10  # slice dimension up to which the effective function's forms are decided
WEIGHTED_BOXES = 300     # branch-and-bound budget for one weighted (non-uniform) principal part


def _named(loss: Loss, F: Field, v) -> dict:
    return {p: F.show(x) for p, x in zip(loss.params, v) if x}


def _descent(loss, theta, L0, curve_dirs, order, what) -> dict:
    F = loss.field
    coeffs = loss.taylor(theta, curve_dirs, order)
    lead = next((i for i, c in enumerate(coeffs) if i > 0 and c), None)
    ok = lead is not None and all(not coeffs[i] for i in range(1, lead)) and F.sign(coeffs[lead]) < 0
    if not ok or lead is None:
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


def constant_outputs(loss: Loss) -> set:
    """(output index, sample) pairs whose network output is the same for every
    value of the parameters, read off the graph: a node is constant on sample k
    when it has no bias parameter and each incoming term is a parameter times a
    source that is 0 for every parameter value, or a fixed weight times a
    constant source; it is 0 when moreover its value sigma(pre-activation) is 0
    (decided exactly at the computed constant pre-activation).

    >>> from losscert import compile_loss, dense
    >>> sorted(constant_outputs(compile_loss(dense([1, 1, 1], activation="tanh"), [[1, 0]], [[0, 1]])))
    [(0, 1)]
    """
    F, n = loss.field, loss.n
    value: dict = {}                 # slot -> per sample: None (varies) or the constant value
    for i in range(loss.n_inputs):
        value[i] = list(loss.X[i])
    for st in loss.steps:
        if st.bias is not None or any(p is not None and all(h is None or h for h in value[src])
                                      for src, p, _ in st.terms):
            value[st.slot] = [None] * n      # a bias, or a parameter times a source never 0: varies everywhere
            continue
        row = []
        for k in range(n):
            pre = F.zero if st.bias is None else None
            for src, p, c in st.terms:
                h = value[src][k]
                if pre is None or h is None:
                    pre = None
                elif p is None:
                    pre = pre + c * h
                elif h:
                    pre = None
            if pre is not None and st.activation is not None and st.activation.kind != "linear":
                try:
                    pre = st.activation.taylor(pre, 0, F)[0] if loss._activations(st)[k] is st.activation else None
                except (NotExact, NonSmooth):
                    pre = None
            row.append(pre)
        value[st.slot] = row
    return {(i, k) for i, s in enumerate(loss.output_slots) for k in range(n) if value[s][k] is not None}


def _rescalable(loss: Loss) -> bool:
    """Every hidden activation is positively homogeneous (linear, ReLU, leaky
    ReLU): rescaling orbits are likely, and where one passes through a
    critical point the Hessian is singular (so the search for them comes first)."""
    outputs = set(loss.output_slots)
    acts = [st.activation for st in loss.steps if st.slot not in outputs]
    return bool(acts) and all(a is None or a.kind == "linear" or a.slopes is not None for a in acts)


def varying_residuals_vanish(loss: Loss, theta) -> str | None:
    """A proof that theta is a global minimum of L although L(theta) > 0: every
    residual f - y that is not constant (:func:`constant_outputs`) is 0 at
    theta, so L(theta') >= (sum of the constant residuals' squares) = L(theta)
    everywhere. None when some varying residual is non-zero."""
    fixed = constant_outputs(loss)
    if not fixed:
        return None
    F = loss.field
    out = loss.outputs(theta, raw=True)
    for i, (row, yrow) in enumerate(zip(out, loss.Y)):
        for k, (f, y) in enumerate(zip(row, yrow)):
            if (i, k) not in fixed and f != y:
                return None
    return (f"outputs constant in the parameters: {len(fixed)} of {len(out) * loss.n} "
            f"(output, sample) pairs, e.g. output {loss.network.outputs[min(fixed)[0]]} on sample {min(fixed)[1] + 1}")


class Analysis:
    """Second- and higher-order analysis of one point (cached per point)."""
    certificate = None       # the certificate of a verdict decided by the global lower bound
    descent_curve = None     # (curve coefficients, order) of a refutation found on the slice
    ascent_curve = None      # (curve coefficients, order): a proposed curve along which L increases

    def __init__(self, loss: Loss, theta):
        self.loss, self.theta = loss, theta
        self.F = F = loss.field
        self.is_min: bool | None = None       # True / False / None
        self.is_strict: bool | None = None
        self.reason = ""
        self.strict_reason = ""
        self.evidence: dict = {}
        self.critical = None
        self.hessian = None
        self.pivots = None
        self._gradient = None
        try:
            self.L0, self._gradient = self._value_and_gradient()
        except NotExact as exc:
            self._rigorous(exc)
            if self.is_strict is None:
                self._structural_curve()
            return
        self.evidence["loss"] = F.show(self.L0)
        self._pending = True
        if not self.L0:
            # a zero-loss point is a global minimum: nothing else is needed for local_minimum
            # (strict_local_minimum calls complete() for the rest)
            self.__dict__.pop("_forward_run", None)        # not kept in the cache
            self.is_min = True
            self.reason = "L(theta) = 0, the global minimum value of a squared loss"
            return
        fixed = varying_residuals_vanish(loss, theta)
        if fixed is not None:         # the same argument for the residuals that can move
            self.is_min = True
            self.reason = ("a global minimum: every residual that depends on the parameters is 0 here, the "
                           "others are constant (" + fixed + ")")
            self.evidence["constant_residuals"] = fixed
            self.__dict__.pop("_forward_run", None)
            return
        self.complete()

    def _value_and_gradient(self):
        """(L(theta), grad L or None): one exact pass when the gradient exists here (None at a kink)."""
        if len(self.theta) < fastpath.MIN_PARAMETERS:
            return self.loss.value(self.theta, raw=True), None
        keep = {} if fastpath.at_scale(self.loss, len(self.theta)) else None
        try:
            fast = shallow_pass.value_and_gradient(self.loss, self.theta, keep) if keep is not None else None
            value, gradient = fast or self.loss.value_and_gradient(self.theta, keep)
            if keep:
                self._forward_run = keep           # reused by the Hessian's blocks, then dropped
            return value, gradient
        except NonSmooth:
            return self.loss.value(self.theta, raw=True), None

    def complete(self) -> "Analysis":
        """Run the second- and higher-order analysis if it has not run yet."""
        if not getattr(self, "_pending", False):
            return self
        self._pending = False
        try:
            self._run()
        except NonSmooth as exc:
            kink = at_any_kink(self.loss, self.theta, self.L0, Analysis)   # kinks: decided piece by piece
            self.is_min, self.is_strict = self.is_min or kink.is_min, kink.is_strict
            self.evidence.update(kink.evidence)
            self.reason = self.reason or kink.reason or f"the loss is not twice differentiable here ({exc})"
            self.strict_reason = self.strict_reason or kink.strict_reason or self.reason
        except NotExact as exc:
            if self.is_min is None:
                self._rigorous(exc)
            if self.is_strict is None:
                self._structural_curve()
            self.reason = self.reason or f"exact evaluation impossible ({exc})"
            self.strict_reason = self.strict_reason or self.reason
        finally:
            for big in ("_enclosure", "_forward_run"):   # float arrays, exact per-sample values: not kept in the cache
                self.__dict__.pop(big, None)
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

    def _structural_curve(self):
        """Transcendental values: a curve on which the network function is
        unchanged, proven from the network alone (e.g. the incoming weights
        of a neuron whose outgoing weights are all 0), refutes strictness
        without evaluating L."""
        try:
            proofs = (check_constant(self.loss, self.theta, c) for c in candidate_curves(self.loss, self.theta))
            proof = next((p for p in proofs if p is not None), None)    # structural proofs need no evaluation
        except (NotExact, FieldError):
            return
        if proof is not None:
            self.is_strict = False
            self.evidence["constant_loss_curves"] = [proof]
            self.strict_reason = "not strict: L is constant on the curve " + proof["curve"]

    # -- steps ----------------------------------------------------------------
    def _not_min(self, reason, evidence):
        if self.is_min:
            raise AssertionError("kernel self-check failed: a zero-loss point cannot be refuted")
        self.is_min, self.is_strict = False, False
        self.reason = self.strict_reason = reason
        self.evidence.update(evidence)

    def _run(self):
        loss, theta, F = self.loss, self.theta, self.F
        if self.is_min:             # a global minimum (L = 0 or a lower bound): the gradient vanishes
            self.critical = True
        else:
            g = self._gradient if self._gradient is not None else loss.gradient(theta, raw=True)
            self.critical = not any(g)
            if not self.critical:
                self.evidence["gradient"] = _named(loss, F, g)
                self._not_min("not a critical point: the gradient is not zero" + rounded_hint(F, theta),
                              _descent(loss, theta, self.L0, [[-x for x in g]], 1, "-grad"))
                return
        searched = False
        if not self.is_min:
            if self._verified_float():
                return
            searched = hasattr(self, "orbit_tangents")
            if searched and self._global_lower_bound() and self.is_strict is False:
                return              # both questions settled without the exact Hessian
        elif self._float_enclosure() is not None:
            self._symmetries()      # only strictness is open: a constant-loss curve settles it, no Hessian
            searched = True
            if self.is_strict is False:
                return
        fact = factored_hessian(loss, theta)
        H = self.hessian = fact.H
        P = len(theta)
        if P <= SHOW_MATRIX_UP_TO:
            self.evidence["hessian"] = [_vec(F, r) for r in H.to_list()]
        if self.is_min and not searched:    # only strictness is open: a constant-loss curve settles it, no PSD test
            self._symmetries()
            searched = True
        if self.is_min and self.is_strict is False:
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

    def _verified_float(self) -> bool:
        """Decide at floating-point speed when Rump's test proves it (see
        :mod:`.fastpath`): H positive definite (a strict local minimum), or
        Morse-Bott with kernel exactly the span of the orbit tangents. False:
        not decided here (the exact route runs)."""
        loss, theta, F = self.loss, self.theta, self.F
        P = len(theta)
        enc = self._float_enclosure()
        if enc is None:
            return False
        if _rescalable(loss):
            self._symmetries()      # a rescaling orbit through theta: H t = 0, t != 0, so no PD test is tried
        if not getattr(self, "orbit_tangents", None) and fastpath.positive_definite(enc):
            self.evidence["inertia"] = {"positive": P, "negative": 0, "zero": 0}
            self.evidence["hessian_psd"] = ("positive definite: Rump's shifted float Cholesky on a rigorous float "
                                            "enclosure of H (verified floating point)")
            self.is_min = self.is_strict = True
            self.reason = self.strict_reason = "critical point with a positive definite Hessian"
            return True
        if not hasattr(self, "orbit_tangents"):
            self._symmetries()
        T = self.orbit_tangents
        C = fastpath.morse_bott(enc, T) if T else None
        if C is None:
            return False
        self.pivots, self.kernel = C, list(T)
        self.evidence["inertia"] = {"positive": len(C), "negative": 0, "zero": len(T)}
        self.evidence["hessian_psd"] = (f"H T = 0 exactly for the {len(T)} independent orbit tangents T, T_S "
                                        f"invertible on {len(T)} coordinates S, and H positive definite on the "
                                        f"other {len(C)} (Rump's shifted float Cholesky on a rigorous float "
                                        "enclosure): H is PSD with kernel span T")
        self.evidence["kernel_basis"] = [_named(loss, F, k) for k in T[:10]]
        self.is_min = True
        self.reason = (f"Morse-Bott: H is PSD and ker H (dim {len(T)}) is spanned by tangents of rescaling "
                       "orbits, manifolds of critical points of equal loss")
        return True

    def _global_lower_bound(self) -> bool:
        """theta is a global minimum by :func:`.lower_bound.global_minimum`
        (any P, no Hessian): sets is_min and the evidence."""
        bound = global_minimum(self.loss, self.theta, self.L0)
        if bound is None:
            return False
        if self.is_min is False:
            raise AssertionError("kernel self-check failed: a proven global minimum was refuted")
        self.is_min = True
        self.certificate = bound
        self.evidence["global_lower_bound"] = bound
        self.reason = ("global minimum: every node is affine and each output's residual is orthogonal to a space "
                       "holding every output the network can produce, so L >= L(theta) everywhere")
        return True

    def _float_enclosure(self):
        """The float enclosure of H (:class:`.fastpath.Enclosure`, built once), or
        None for small P or a field other than Q (the exact Hessian is then formed)."""
        if not hasattr(self, "_enclosure"):
            ok = len(self.theta) >= fastpath.MIN_PARAMETERS and self.F.is_rational
            run = self.__dict__.pop("_forward_run", None)
            self._enclosure = fastpath.Enclosure(self.loss, self.theta, run) if ok else None
        return self._enclosure

    def _check_tangents(self, tangents) -> None:
        """Self-check H t = 0 for the tangents of proven constant-loss curves
        (one exact product with the Hessian when it is formed: H is then known
        PSD or theta a minimum, so t^T H t = 0 gives H t = 0; else only the
        orbit tangents, in ker H at any critical point, against the float enclosure)."""
        if self.hessian is None:
            self._enclosure.self_check(tangents)
            return
        T = linalg.matrix([[t[i] for t in tangents] for i in range(len(self.theta))], self.F)
        if any(x for row in (self.hessian * T).to_list() for x in row):
            raise AssertionError("kernel self-check failed: tangent of a constant-loss curve not in ker H")

    def _symmetries(self):
        loss, theta, F = self.loss, self.theta, self.F
        curves, orbit, tangents = [], [], []
        candidate_curves_checked = []
        nearby = loss.nearby(theta, self.L0)          # L(theta) is known: no pass unless a curve needs one
        for curve in candidate_curves(loss, theta):
            t = curve.tangent(theta, F)
            proof = check_constant(loss, theta, curve, nearby)
            if proof is None:
                continue
            candidate_curves_checked.append(curve)
            tangents.append(t)
            curves.append({**proof, "tangent": _named(loss, F, t)})
            if curve.group_action:
                orbit.append(t)
        if tangents:            # one product H [t_1 ... t_s] for all the self-checks
            self._check_tangents(tangents if self.hessian is not None else orbit)
        # a maximal independent set of orbit tangents: the pivot columns of [t_1 ... t_s]
        self.orbit_curves = [c for c in candidate_curves_checked if c.group_action]
        self.orbit_tangents = []
        if orbit and fastpath.independent_pivots(orbit, F) is not None:
            self.orbit_tangents = list(orbit)          # T_S invertible: independent, no elimination of all of T
        elif orbit:
            _, cols = linalg.rref(linalg.matrix([[t[i] for t in orbit] for i in range(len(theta))], F))
            self.orbit_tangents = [orbit[c] for c in cols]
        if curves:
            self.evidence["constant_loss_curves"] = curves
            self.is_strict = False
            self.strict_reason = "not strict: L is constant on the curve " + curves[0]["curve"]

    def _higher_order(self):
        """The kernel is not spanned by orbit tangents: a proven critical
        family, a global lower bound (when strictness is already refuted, or
        the slice analysis leaves the minimum open), or the effective function."""
        self._slice_analysis()
        if self.is_min is None:
            self._global_lower_bound()

    def _slice_analysis(self):
        loss, theta, F, H = self.loss, self.theta, self.F, self.hessian
        K, T = self.kernel, self.orbit_tangents
        m = len(K)
        if len(T) == m:
            self.is_min = True
            self.reason = (f"Morse-Bott: H is PSD and ker H (dim {m}) is spanned by tangents of rescaling "
                           "orbits, manifolds of critical points of equal loss")
            return
        family = critical_family(loss, theta, H, K, self.orbit_curves)
        if family is not None:
            self.evidence["critical_family"] = family
            self.is_min = True
            self.reason = (f"Morse-Bott: H is PSD and ker H (dim {m}) is the tangent space of a {m}-dimensional "
                           "family of critical points (proven exactly: the gradient vanishes identically on it)")
            if self.is_strict is None:
                self.is_strict = False
                self.strict_reason = ("not strict: every point of a proven family of critical points through "
                                      "theta has the same loss")
            return
        if self.is_strict is False and not self.is_min and self._global_lower_bound():
            return                      # both questions settled: no effective function needed
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
                                          f"higher-order test handles at most {MAX_FORM_VARIABLES}")
            self.strict_reason = self.strict_reason or self.reason
            return
        sl = _Slice(loss, theta, H, self.pivots, K, Kp)
        self._decide_on_slice(sl, T)

    def _decide_on_slice(self, sl: "_Slice", T):
        """The effective function h on the slice, order by order: the lowest
        non-zero homogeneous part h_k (odd k: descent; even: its sign), then
        weighted-homogeneous principal parts as more orders become known."""
        theta, F = self.theta, self.F
        mp = sl.m
        top = _jet_order_limit(mp, len(theta))
        tried = set()
        lowest, uniform_info = None, ""
        started = time.monotonic()
        for N in range(3, top + 1):
            if N > 4 and time.monotonic() - started > JET_SECONDS:
                top = N - 1              # orders grow fast with the slice and the samples: stop, inconclusive
                self.evidence["higher_order_stopped"] = f"after order {top} ({JET_SECONDS} s guard)"
                break
            h = sl.effective(N)
            if N == 3 and (h[1] or h[2]):
                raise AssertionError("kernel self-check failed: kernel direction with nonzero first/second order")
            if lowest is None and h[N]:
                lowest = N
                form = _form(h[N], mp)
                if N % 2:
                    self._odd_descent(sl, form, N)
                    return
                key = "quartic_form_on_kernel" if N == 4 else f"order_{N}_form_on_kernel"
                self.evidence[key] = _show_form(form, F)
            elif N == 4 and lowest is None:
                self.evidence["quartic_form_on_kernel"] = "0"
            if lowest is None:
                continue
            jet = {}
            for k in range(lowest, N + 1):
                jet.update(_form(h[k], mp))
            for w in candidate_weights(mp) + (newton_weights(jet) if mp == 2 else []):
                if w in tried:
                    continue
                pp = principal_part(jet, w, N)
                if pp is None:
                    continue
                tried.add(w)
                d, part = pp
                uniform = all(x == 1 for x in w)
                boxes = (20000 if mp <= 6 else 2000) if uniform else WEIGHTED_BOXES
                sign, info = weighted_sign(part, mp, F, w, max_boxes=boxes)
                if sign == "undecided" and uniform:
                    uniform_info = info
                if sign == "positive":
                    self._slice_minimum(T, w, d, part, info)
                    return
                if sign == "negative":
                    self._weighted_descent(sl, w, d, part, info)
                    return
        if lowest is None:
            why = f"the effective function on the slice vanishes to order {top}"
        else:
            why = (f"no weighted-homogeneous principal part of the effective function (known to order {top}) "
                   "is definite or takes a negative value")
        if uniform_info:
            why = f"{why}; the lowest homogeneous part (degree {lowest}): {uniform_info}"
        if "higher_order_stopped" in self.evidence:
            why = f"{why}; higher orders not computed: stopped {self.evidence['higher_order_stopped']}"
        self.reason = self.reason or why
        self.strict_reason = self.strict_reason or why

    def _slice_minimum(self, T, w, d, part, info):
        F = self.F
        uniform = all(x == 1 for x in w)
        if d == 4 and uniform:
            self.evidence["quartic_positivity"] = info
        else:
            self.evidence["principal_part"] = {"weights": list(w), "weighted_degree": d,
                                               "part": _show_form(part, F), "positivity": info}
        what = ("the quartic form q is positive definite on the Hessian kernel" if d == 4 and uniform else
                f"the effective function's homogeneous part of degree {d} is positive definite" if uniform else
                f"the effective function's principal part of weighted degree {d} (weights {list(w)}) is "
                "positive definite")
        self.is_min = True
        if T:
            self.reason = ("local minimum: on a slice transversal to the rescaling orbits " + what +
                           " (splitting lemma)")
        else:
            if self.is_strict is False:     # a constant-loss curve contradicts a positive principal part
                raise AssertionError("kernel self-check failed: positive principal part on a constant-loss curve")
            self.is_strict = True
            self.reason = self.strict_reason = (
                "strict local minimum: H is PSD, the cubic form vanishes on ker H and the quartic form q is "
                "positive definite there" if d == 4 and uniform else
                "strict local minimum: H is PSD and on ker H " + what + " (splitting lemma)")

    def _odd_descent(self, sl, form, k):
        loss, theta, F = self.loss, self.theta, self.F
        found = nonzero_point(form, sl.m, F)
        if found is None:               # not expected for a non-zero form; never guess
            self.reason = self.strict_reason = f"no point found where the order-{k} form is non-zero"
            return
        pt, val = found
        if F.sign(val) > 0:
            pt = [-x for x in pt]
        if k == 3:
            self.evidence["cubic_form_on_kernel"] = _show_form(form, F)
            what, reason = "the cubic direction", "third-order descent along a Hessian kernel direction"
        else:
            self.evidence[f"order_{k}_form_on_kernel"] = _show_form(form, F)
            what = f"the order-{k} curve"
            reason = f"order-{k} descent along the curve theta + z(t) + y(z(t)) (splitting lemma)"
        dirs = sl.curve(pt, (1,) * sl.m, k)
        self.descent_curve = (dirs, k)
        self._not_min(reason, _descent(loss, theta, self.L0, dirs, k, what))

    def _weighted_descent(self, sl, w, d, part, pt):
        loss, theta, F = self.loss, self.theta, self.F
        dirs = sl.curve(pt, w, d)
        self.descent_curve = (dirs, d)
        if d == 4 and all(x == 1 for x in w):
            self.evidence["quartic_negative_at"] = _vec(F, pt)
            reason, what = ("fourth-order descent along the curve theta + t z + t^2 y(z) (splitting lemma)",
                            "the quartic curve")
        else:
            self.evidence["principal_part"] = {"weights": list(w), "weighted_degree": d,
                                               "part": _show_form(part, F), "negative_at": _vec(F, pt)}
            reason = (f"order-{d} descent along the curve theta + t z + y(t z) (splitting lemma)"
                      if all(x == 1 for x in w) else
                      f"descent of weighted order {d} (weights {list(w)}) along the curve theta + z(t) + y(z(t)), "
                      "z_i = c_i t^w_i (splitting lemma)")
            what = f"the weighted order-{d} curve"
        up = sign_on_faces({e: -c for e, c in part.items()}, sl.m, F)
        if up[0] == "negative":
            self.ascent_curve = (sl.curve(up[1], w, d), d)
        self._not_min(reason, _descent(loss, theta, self.L0, dirs, d, what))


class _Slice:
    """The splitting lemma on the slice theta + K' + (ker H)^perp: the implicit
    function y*(z) in (ker H)^perp solving P grad L(theta + z + y) = 0 (P the
    orthogonal projection onto (ker H)^perp = range H) as exact homogeneous
    polynomials y_j(c) in the coordinates c of z = sum c_i k_i, and the Taylor
    parts h_k(c) of the effective function h(z) = L(theta + z + y*(z)).

    Along the ray t c, y*(t c) = sum_j t^j y_j(c) and the t^j coefficient of
    P grad L is H y_j + (terms of y_2 .. y_{j-1}), so y_j = -H^+ P r_j.
    With y known to order M, L(z, y) differs from h(z) by O(|y - y*|^2), so
    h is exact to order 2M + 1."""

    def __init__(self, loss, theta, H, pivots, K, Kp):
        self.loss, self.theta, self.H, self.pivots, self.K, self.Kp = loss, theta, H, pivots, K, Kp
        self.F = F = loss.field
        self.m = len(Kp)
        self.R, *cs = ring(",".join(f"c{i + 1}" for i in range(self.m)), F.domain)
        self.base = _constant_term(self.R, F)
        self.z = [sum((c * k[j] for c, k in zip(cs, Kp)), self.R.zero) for j in range(len(theta))]
        self.ys = []                    # y_2, y_3, ...
        self._h = {}

    def _extend(self, M):
        loss, theta, F, R, K = self.loss, self.theta, self.F, self.R, self.K
        while len(self.ys) + 1 < M:
            j = len(self.ys) + 2
            g = loss.gradient_taylor(theta, [self.z] + self.ys, j, ring_zero=R.zero, base=self.base)
            r = [gi[j] for gi in g]
            monos = sorted({mono for ri in r if ri for mono in ri.keys()})
            rhs = [linalg.project_out([ri.get(mono, F.zero) if ri else F.zero for ri in r], K, F) for mono in monos]
            sols = linalg.solve_in_range(self.H, self.pivots, rhs, F)
            y = [R.zero] * len(theta)
            for mono, b, sol in zip(monos, rhs, sols):
                if linalg.matvec(self.H, sol, F) != b:
                    raise AssertionError("kernel self-check failed: H y = b not solved")
                sol = linalg.project_out(sol, K, F)
                y = [a - R.from_dict({mono: x}) if x else a for a, x in zip(y, sol)]
            self.ys.append(y)

    def effective(self, N):
        """[h_0, ..., h_N] as ring elements (h_k homogeneous of degree k in c)."""
        if N not in self._h:
            M = max(1, N // 2)              # h exact to order 2M + 1 >= N
            self._extend(M)
            self._h[N] = self.loss.taylor(self.theta, [self.z] + self.ys[: M - 1], N,
                                          ring_zero=self.R.zero, base=self.base)
        return self._h[N]

    def curve(self, pt, w, d) -> list:
        """The coefficients d_1, d_2, ... of the polynomial curve
        theta + z(t) + sum_j y_j(z(t)), z(t) = sum_i pt_i t^{w_i} k_i, with y
        taken to the order M = d // (2 min w) (then L on it equals h(z(t)) up to
        O(t^{d+1}))."""
        F, P = self.F, len(self.theta)
        M = d // (2 * min(w))
        self._extend(M)
        out: dict = {}

        def add(deg, vec):
            acc = out.setdefault(deg, [F.zero] * P)
            for i, x in enumerate(vec):
                if x:
                    acc[i] = acc[i] + x
        for a, k, wi in zip(pt, self.Kp, w):
            if a:
                add(wi, [a * x for x in k])
        for y in self.ys[: max(0, M - 1)]:
            for i, yi in enumerate(y):
                if not yi:
                    continue
                for mono, coeff in yi.terms():
                    val = coeff
                    for a, e in zip(pt, mono):
                        for _ in range(e):
                            val = val * a
                    if val:
                        vec = [F.zero] * P
                        vec[i] = val
                        add(sum(e * wi for e, wi in zip(mono, w)), vec)
        top = max(out) if out else 1
        return [out.get(k, [F.zero] * P) for k in range(1, top + 1)]


def _jet_order_limit(m: int, P: int) -> int:
    """Highest order N (4 <= N <= 8) of the effective function computed for an
    m-dimensional slice of a P-parameter loss: the degree-N part has
    C(m + N - 1, N) monomials, each a P-vector of solves."""
    N = 4
    while N < 8 and math.comb(m + N, N + 1) * P <= 200_000:
        N += 1
    return N


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
        self.pivots: list | None = None
        self.negative = None
        self.kernel: list | None = None
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


def _per_point_cache(make, size: int):
    """A cache of ``make(loss, theta)`` per (loss, point), held in a closure
    (no module attribute to write into): ``(lookup, clear)``."""
    store: dict = {}

    def lookup(loss: Loss, theta):
        theta = loss.point(theta)       # points: field elements, mappings, sequences, arrays
        key = (id(loss), tuple(loss.field.show(x) for x in theta))
        hit = store.get(key)
        if hit is None or hit[0] is not loss:
            if len(store) > size:
                store.clear()
            hit = store[key] = (loss, make(loss, theta))
        return hit[1]

    def clear() -> None:
        store.clear()
    return lookup, clear


# The point's Hessian and its factorisation, computed once (hessian_psd and the analysis share it).
factored_hessian, _clear_factored = _per_point_cache(
    lambda loss, theta: FactoredHessian(loss.hessian(theta, raw=True), loss.field), 16)
factored_hessian.__doc__ = "The Hessian at theta and its factorisation, computed once per point."


# -- the public decisions ------------------------------------------------------

# The per-point analyses. Verdicts copy what they take from an analysis
# (:class:`~.verdict.Verdict` deep-freezes its evidence).
_cached_analysis, _clear_analyses = _per_point_cache(Analysis, 64)


def clear_cache() -> None:
    """Forget every cached analysis and Hessian factorisation."""
    _clear_analyses()
    _clear_factored()


def analyse(loss: Loss, theta) -> Analysis:
    """The analysis of one point: a private copy (changing it changes no verdict)."""
    if type(loss) is not Loss or loss.parameters is not None:
        raise TypeError(f"expected a losscert Loss without symbols, got {type(loss).__name__}")
    a = _cached_analysis(loss, theta).complete()
    return copy.deepcopy(a, {id(loss): loss, id(a.F): a.F})


@loss_rule
@exact_in_exponentials
def critical_point(loss: Loss, theta) -> Verdict:
    """Verified when the exact gradient at theta is zero (or zero as a formal
    identity in transcendental values); refuted when an entry is provably
    non-zero (exactly, or by an Arb enclosure); inconclusive at kinks."""
    theta = loss.point(theta)
    F = loss.field
    try:
        g = loss.gradient(theta, raw=True)
    except NotExact:
        formal = formal_gradient_zero(loss, theta)
        if formal is not None:
            return Verdict(VERIFIED, "the gradient is zero as a polynomial in the transcendental values "
                           f"{', '.join(formal['atoms'])} (a formal identity holds for every value)", formal)
        return rigorous.critical_point(loss, theta)
    except NonSmooth as exc:
        return Verdict(INCONCLUSIVE, f"the exact gradient is not available: {exc}")
    if any(g):
        return Verdict(REFUTED, "a gradient entry is not zero" + rounded_hint(F, theta), {"gradient": _named(loss, F, g)})
    return Verdict(VERIFIED, "the exact gradient is zero", {"gradient": "0 (all entries exactly)"})


ROUNDED_HINT = ("; the point looks rounded (a float, e.g. from gradient descent, is almost never exactly critical): "
                "to prove a minimum next to it, claim local_minimum_near (a strict minimum within a radius, Arb "
                "intervals) or, when neurons can be rescaled, local_minimum_near_modulo_rescaling (on the gauge slice "
                "that fixes one weight per neuron)")


def rounded_hint(F, theta) -> str:
    """:data:`ROUNDED_HINT` when some coordinate of theta is a decimal or binary
    fraction with a denominator of at least 10^6 (what floats become), else ``""``.

    >>> from losscert.fields import Field
    >>> F = Field.for_numbers([])
    >>> rounded_hint(F, [F(sympy.Rational(1)), F(sympy.Rational(12345671, 10 ** 7))])[:26]
    '; the point looks rounded '
    >>> rounded_hint(F, [F(sympy.Rational(1, 3)), F(sympy.Rational(3, 4))])
    ''
    """
    if not F.is_rational:
        return ""
    for t in theta:
        d = int(F.rational(t).q)
        big = d >= 10 ** 6
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if big and d == 1:
            return ROUNDED_HINT
    return ""


@loss_rule
@exact_in_exponentials
def loss_value(loss: Loss, theta, value) -> Verdict:
    """L(theta) == value: exactly, by a formal identity, or refuted when an
    Arb enclosure of L(theta) excludes the value."""
    theta = loss.point(theta)
    F = loss.field
    try:
        L = loss.value(theta, raw=True)
    except NotExact:
        formal = formal_values_equal(loss, theta, value)
        if formal is not None:
            return Verdict(VERIFIED, f"L(point) = {F.show(value)} as a polynomial identity in "
                           f"{', '.join(formal['atoms'])}", formal)
        return rigorous.loss_value(loss, theta, value)
    ev = {"loss": F.show(L), "claimed": F.show(value)}
    if L == value:
        return Verdict(VERIFIED, f"L(point) = {F.show(L)} exactly", ev)
    return Verdict(REFUTED, f"L(point) = {F.show(L)}, not {F.show(value)}", ev)


@loss_rule
@exact_in_exponentials
def hessian_psd(loss: Loss, theta) -> Verdict:
    """The Hessian at theta is positive semidefinite (any point, critical or not)."""
    theta = loss.point(theta)
    F = loss.field
    if _positive_definite_in_floats(loss, theta):
        P = len(theta)
        return Verdict(VERIFIED, "H is positive definite (Rump's shifted float Cholesky on a rigorous float enclosure "
                       "of H)", {"inertia": {"positive": P, "negative": 0, "zero": 0}})
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


def _positive_definite_in_floats(loss: Loss, theta) -> bool:
    """H(theta) proven positive definite by the float route (P >= 25, over Q); False: not proven here."""
    if len(theta) < fastpath.MIN_PARAMETERS or not loss.field.is_rational:
        return False
    try:
        return fastpath.positive_definite(fastpath.Enclosure(loss, theta))
    except (NotExact, NonSmooth):
        return False


@loss_rule
@exact_in_exponentials
def local_minimum(loss: Loss, theta) -> Verdict:
    """theta is a local minimum: verified by zero loss, a positive definite
    Hessian, Morse-Bott (orbits or proven critical families spanning ker H),
    the effective function on the kernel, or the piecewise analysis at a
    kink; refuted with an explicit descent curve (exact Taylor evidence)."""
    a = _cached_analysis(loss, theta)
    status = {True: VERIFIED, False: REFUTED, None: INCONCLUSIVE}[a.is_min]
    return Verdict(status, a.reason, dict(a.evidence), certificate=a.certificate if a.is_min else None)


@loss_rule
@exact_in_exponentials
def strict_local_minimum(loss: Loss, theta) -> Verdict:
    """theta is a strict local minimum; refuted by a proven constant-loss
    curve through theta (e.g. a rescaling orbit) or by a refuted minimum."""
    a = _cached_analysis(loss, theta).complete()
    status = {True: VERIFIED, False: REFUTED, None: INCONCLUSIVE}[a.is_strict]
    return Verdict(status, a.strict_reason or a.reason, a.evidence)


@loss_rule
@exact_in_exponentials
def saddle(loss: Loss, theta) -> Verdict:
    """A critical point that is neither a local minimum nor a local maximum:
    a descent curve and an ascent curve, both checked exactly; refuted for a
    proven local minimum or a non-critical point."""
    theta = loss.point(theta)
    a = _cached_analysis(loss, theta)
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
        ascent = _higher_order_ascent(a)
        if ascent is None:
            if len(a.pivots) == len(theta):     # -H positive definite: a strict local maximum
                return Verdict(INCONCLUSIVE, "a strict local maximum (H is negative definite): not a saddle, "
                               "and not a local minimum", a.evidence)
            return Verdict(INCONCLUSIVE, "not a local minimum, but no direction of increase was found "
                           "(H is negative semidefinite)", a.evidence)
        ev = dict(a.evidence)
        ev["ascent"] = ascent
        return Verdict(VERIFIED, "critical point that is neither a local minimum (" + a.reason +
                       ") nor a local maximum (L increases along an explicit curve: " + ascent["why"] + ")", ev)
    d = linalg.embed(up, a.pivots, len(theta), F)
    coeffs = loss.taylor(theta, [d], 2)
    if F.sign(coeffs[2]) <= 0:
        raise AssertionError("kernel self-check failed: ascent direction")
    ev = dict(a.evidence)
    ev["ascent"] = {"direction": _named(loss, F, d), "taylor_coefficients_of_L": _vec(F, coeffs)}
    return Verdict(VERIFIED, "critical point that is neither a local minimum (" + a.reason +
                   ") nor a local maximum (positive curvature direction)", ev)


def _higher_order_ascent(a: Analysis) -> dict | None:
    """Exact evidence of a curve along which L increases, from the refutation
    found on the slice: a descent curve theta + sum t^k d_k of odd leading
    order is an ascent curve with t -> -t; otherwise the proposed ascent curve
    (a positive value of the principal part). Checked by the exact Taylor
    expansion of L along the curve."""
    loss, F = a.loss, a.F
    proposals: list = []
    if a.descent_curve is not None and a.descent_curve[1] % 2:
        dirs, order = a.descent_curve
        proposals.append(([[x if k % 2 else -x for x in d] for k, d in enumerate(dirs)], order))
    if a.ascent_curve is not None:
        proposals.append(a.ascent_curve)
    for dirs, order in proposals:
        coeffs = loss.taylor(a.theta, dirs, order)
        lead = next((i for i, c in enumerate(coeffs) if i > 0 and c), None)
        if lead is not None and F.sign(coeffs[lead]) > 0:
            return {"curve": "theta + " + " + ".join(f"t^{i + 1} e{i + 1}" for i in range(len(dirs))),
                    **{f"e{i + 1}": _named(loss, F, d) for i, d in enumerate(dirs)},
                    "taylor_coefficients_of_L": _vec(F, coeffs),
                    "why": f"L(curve(t)) = L(theta) + ({F.show(coeffs[lead])}) t^{lead} + O(t^{lead + 1})"
                           + (" for t > 0" if lead % 2 else "")}
    return None


@loss_rule
@exact_in_exponentials
def not_global(loss: Loss, theta, better) -> Verdict:
    """L(better) < L(theta), exactly or by separated Arb enclosures; refuted
    when L(better) >= L(theta) or L(theta) = 0 (the global minimum value)."""
    theta, better = loss.point(theta), loss.point(better)
    F = loss.field
    try:
        L0, L1 = loss.value(theta, raw=True), loss.value(better, raw=True)
    except NotExact:
        same = formal_values_equal(loss, theta, better)
        if same:                        # equal as polynomials in the transcendental atoms: no enclosure can separate
            return Verdict(REFUTED, "L(better) = L(point): equal as polynomials in the transcendental values "
                           f"{', '.join(same['atoms'])} (formal identity)", same)
        return rigorous.compare_losses(loss, theta, better)
    ev = {"loss": F.show(L0), "loss_at_better": F.show(L1)}
    if not L0:
        return Verdict(REFUTED, "L(point) = 0 is the global minimum of a squared loss", ev)
    c = F.compare(L1, L0)
    if c < 0:
        return Verdict(VERIFIED, f"L(better) = {F.show(L1)} < L(point) = {F.show(L0)} exactly", ev)
    return Verdict(REFUTED, f"L(better) = {F.show(L1)} >= L(point) = {F.show(L0)}", ev)


@loss_rule
def spurious_local_minimum(loss: Loss, theta, better) -> Verdict:
    """``local_minimum`` and ``not_global`` both verified; refuted if either is."""
    return conjunction(local_minimum(loss, theta), not_global(loss, theta, better))


def effective(network) -> Verdict:
    """Every node lies on a path from an input or a constant source to an
    output (decided by :mod:`.structure`, independently of the pruning)."""
    from .structure import effective as decide_effective
    return decide_effective(network)
