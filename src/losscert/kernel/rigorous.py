"""Rigorous decisions from interval enclosures (transcendental activations).

Every enclosure is an Arb ball computed by :mod:`losscert.intervals`; a
verdict is given only when the balls separate what must be separated.

``local_minimum_near(loss, theta, r)`` proves that a strict local minimum
lies in the sup-norm ball of radius r around theta:

1. the box is centred at a rational point c: theta itself, or a centre the
   caller proposes (untrusted; :mod:`losscert.proposers.newton` runs Newton's
   method on the gradient; the kernel imports no proposer);
2. on a box B' = c +/- rho inside the ball, the Krawczyk operator
   K = c - Y g(c) + (I - Y H(B'))(B' - c), with g(c) and H(B') enclosed and
   Y ~ H(c)^-1, lies inside B': B' holds exactly one critical point;
3. the Hessian is positive definite on all of B': with Hc the rational
   midpoint matrix and |H - Hc| <= Delta entrywise on B', Hc - mu I is
   positive definite, checked exactly (a float Cholesky congruence whose
   exact product is diagonally dominant, else exact elimination), with
   mu = max row sum of Delta >= ||H - Hc||_2.

A C^2 function whose Hessian is positive definite on a convex box, with a
critical point in it, has a strict local minimum there. The claim is
refuted when the whole ball provably holds no point that could be a local
minimum (a gradient entry or a curvature v^T H v < 0 excludes each piece
of a subdivision).

>>> from losscert.network import dense
>>> from losscert.compiler import compile_loss
>>> loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
>>> theta = loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"})
>>> centre = [sympy.Rational("0.65847894846240835431252317365398"), sympy.Rational("1.7320508075688772935274463415059")]
>>> local_minimum_near(loss, theta, "1/10", centre=centre).status   # the minimum: w = atanh(1/sqrt(3)), v = sqrt(3)
'verified'
>>> local_minimum_near(loss, theta, "1/10").status                  # a box at theta itself holds no critical point
'inconclusive'
>>> local_minimum_near(loss, theta, "1/1000").status                # too far from theta
'refuted'
"""
from __future__ import annotations

import sympy
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from ..activations import NonSmooth
from ..compiler import Loss
from ..fields import Field
from .. import network
from ..network import MAX_INTERVAL_PARAMETERS, SizeError, check_hessian_size
from ..numbers import parse_number
from .. import intervals as iv
from . import fastpath, float_pass, linalg, verified
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict, loss_rule

DEFAULT_DIGITS = 30
PRECISION_LADDER = (20, 40, 80, 160, 320)     # digits tried when comparing enclosures
MAX_BOXES = 256                               # subdivision budget of a refutation


# -- point enclosures (loss_value, not_global, critical_point) ----------------

def _separated(loss: Loss, points, test):
    """Enclose L at ``points`` at increasing precision until ``test`` (on the
    balls) answers True/False; returns (answer, balls, digits)."""
    for digits in PRECISION_LADDER:
        with iv.precision(digits):
            balls = [loss.iv_value(iv.box(loss.field, p, 0)) for p in points]
            answer = test(*balls)
        if answer is not None:
            return answer, balls, digits
    return None, balls, digits


def compare_losses(loss: Loss, theta, better) -> Verdict:
    """not_global by enclosures: L(better) < L(theta) when the balls separate."""
    theta, better = loss.point(theta), loss.point(better)
    def test(l0, l1):
        return True if l1 < l0 else False if l1 > l0 else None
    answer, (l0, l1), digits = _separated(loss, [theta, better], test)
    ev = {"loss_enclosure": iv.show(l0), "loss_at_better_enclosure": iv.show(l1), "precision_digits": digits}
    if answer is None:
        return Verdict(INCONCLUSIVE, f"the enclosures of L(point) and L(better) overlap at {digits} digits", ev)
    if answer:
        return Verdict(VERIFIED, f"L(better) in {iv.show(l1, 8)} < L(point) in {iv.show(l0, 8)} (Arb enclosures)", ev)
    return Verdict(REFUTED, f"L(better) in {iv.show(l1, 8)} > L(point) in {iv.show(l0, 8)} (Arb enclosures)", ev)


def loss_value(loss: Loss, theta, value) -> Verdict:
    """loss_value by enclosures: refuted when the claimed value lies outside."""
    theta = loss.point(theta)
    F = loss.field

    def test(l0):
        v = iv.field_to_arb(F, value)
        return False if (l0 < v or l0 > v) else True if (l0.is_exact() and l0 == v) else None
    answer, (l0,), digits = _separated(loss, [theta], test)
    ev = {"loss_enclosure": iv.show(l0), "claimed": F.show(value), "precision_digits": digits}
    if answer is None:
        return Verdict(INCONCLUSIVE, f"the claimed value lies in the enclosure {iv.show(l0, 8)}; "
                       "exact equality with a transcendental value cannot be proven by intervals", ev)
    if answer:
        return Verdict(VERIFIED, f"L(point) is the exact ball {iv.show(l0)} (radius 0)", ev)
    return Verdict(REFUTED, f"L(point) in {iv.show(l0, 8)}, which excludes {F.show(value)}", ev)


def nonzero_gradient(loss: Loss, theta) -> dict | None:
    """Evidence that some gradient entry is provably non-zero, else None."""
    for digits in PRECISION_LADDER[:3]:
        with iv.precision(digits):
            g = loss.iv_gradient(iv.box(loss.field, theta, 0))
            hits = {p: iv.show(x) for p, x in zip(loss.params, g) if iv.sign(x)}
        if hits:
            return {"gradient_enclosures": hits, "precision_digits": digits}
    return None


def critical_point(loss: Loss, theta) -> Verdict:
    """Transcendental values: refuted when a gradient entry's Arb enclosure
    excludes 0, verified only when every entry is an exact zero ball."""
    theta = loss.point(theta)
    ev = nonzero_gradient(loss, theta)
    if ev:
        return Verdict(REFUTED, "a gradient entry is provably non-zero (Arb enclosure excludes 0)", ev)
    with iv.precision(DEFAULT_DIGITS):
        if all(iv.sign(x) == 0 for x in loss.iv_gradient(iv.box(loss.field, theta, 0))):
            return Verdict(VERIFIED, "every gradient entry is an exact Arb zero (radius 0): the gradient is 0",
                           {"gradient": "0 (exact balls)"})
    return Verdict(INCONCLUSIVE, "every gradient enclosure contains 0; an exact zero cannot be proven by "
                   "intervals (use local_minimum_near)")


def negative_curvature(loss: Loss, theta) -> dict | None:
    """Evidence of v^T H v < 0 at theta (so theta is no local minimum, critical or not)."""
    with iv.precision(DEFAULT_DIGITS):
        H = loss.iv_hessian(iv.box(loss.field, theta, 0))
        v = _lowest_direction(H)
        if v is None:
            return None
        q = _quad(H, v)
        if q < 0:
            return {"direction": {p: str(x) for p, x in zip(loss.params, v) if x},
                    "vT_H_v_enclosure": iv.show(q), "precision_digits": DEFAULT_DIGITS}
    return None


# -- local_minimum_near -------------------------------------------------------

@loss_rule
def local_minimum_near(loss: Loss, theta, radius, digits: int = DEFAULT_DIGITS, centre=None) -> Verdict:
    """A strict local minimum lies within ``radius`` (sup norm) of theta (see
    the module docstring).

    The Krawczyk box is centred at ``centre`` (rationals or field elements,
    e.g. from :func:`losscert.proposers.newton.propose_centre`; untrusted, used
    only if it lies inside the ball), else at theta itself. When the boxes
    fail at ``digits``, they are tried once more at twice the digits before
    the ball is searched for a refutation (at most MAX_BOXES pieces).
    """
    theta = loss.point(theta)
    F = loss.field
    if not loss.params:
        return Verdict(INCONCLUSIVE, "the network has no parameters: there is no ball of points to search")
    try:
        check_hessian_size(len(loss.params), "the interval Hessian", MAX_INTERVAL_PARAMETERS)
    except SizeError as exc:
        return Verdict(INCONCLUSIVE, str(exc))
    if centre is not None and len(centre) != len(loss.params):
        return Verdict(INCONCLUSIVE, f"the proposed centre has {len(centre)} coordinates for "
                       f"{len(loss.params)} parameters")
    if isinstance(radius, str):
        radius = parse_number(radius)
    try:
        with iv.precision(digits):
            r_lo = r_hi = F.rational(F(radius))
            if r_lo is None:
                r_ball = iv.field_to_arb(F, F(radius))
                r_lo, r_hi = iv.lower(r_ball), iv.upper(r_ball)
            theta_q, err = _rational_point(F, theta, digits)
            if r_lo - err <= 0:
                return Verdict(INCONCLUSIVE, "the radius must be positive")
            centre_q = None if centre is None else _rational_point(F, centre, digits)[0]
            return _near(loss, theta_q, r_lo - err, r_hi + err, digits, centre_q)
    except NonSmooth as exc:
        return Verdict(INCONCLUSIVE, f"the loss is not twice differentiable on the box ({exc})")
    except iv.IntervalRange as exc:
        return Verdict(INCONCLUSIVE, f"the enclosures left the exact range ({exc}): the point or the data are too "
                       "large for the interval route")


def _rational_point(F: Field, theta, digits) -> tuple[list, sympy.Rational]:
    """Rational coordinates near theta and a bound on the distance (0 when
    theta is rational); balls are then taken around the rational point."""
    out, err = [], sympy.Integer(0)
    for t in theta:
        q = t if isinstance(t, sympy.Rational) else F.rational(F(t))
        if q is None:
            ball = iv.field_to_arb(F, F(t))
            q = iv.mid(ball)
            err = max(err, iv.upper(abs(ball - iv.exact(q))))
        out.append(sympy.Rational(q))
    return out, err


# what a failed enclosure raises (Arb series division by a ball holding 0, a
# ball out of the exact range, a singular midpoint matrix): the piece or box is
# then not decided, never a verdict; NonSmooth (also an ArithmeticError) is re-raised.
ENCLOSURE_FAILURES = (ArithmeticError, ValueError)


def _near(loss: Loss, theta_q, r_inner, r_outer, digits, centre=None) -> Verdict:
    """Verify inside the ball of radius r_inner, refute on the ball of radius r_outer."""
    center, dist = theta_q, sympy.Integer(0)
    if centre is not None:
        d = max(abs(a - b) for a, b in zip(centre, theta_q))
        if d < r_inner:
            center, dist = centre, d
    room = r_inner - dist
    tries = []
    for k in (digits // 2, digits // 4, 3 * digits // 4):
        rho = sympy.Rational(1, 10 ** k)
        if rho <= room and rho not in tries:
            tries.append(rho)
    if not tries:
        tries.append(room)
    last = ""
    for work in (digits, 2 * digits):                  # refinement: more digits on the same boxes
        with iv.precision(work):
            for rho in tries:
                try:
                    ok, ev = _certify(loss, center, rho, work)
                except NonSmooth:
                    raise
                except ENCLOSURE_FAILURES as exc:
                    ok, ev = False, {"failed": f"an enclosure on the box failed ({type(exc).__name__}: {exc})"}
                if ok:
                    ev["distance_from_point"] = _dec(dist)
                    return Verdict(VERIFIED, f"exactly one critical point in the box center +/- {_exact_text(rho)} "
                                   f"(Krawczyk), where the Hessian is positive definite: a strict local minimum "
                                   f"within {_dec(dist + rho)} of the point", ev)
                last = ev.get("failed", last)
    if len(theta_q) > network.MAX_ARB_MATRIX_PARAMETERS:
        return Verdict(INCONCLUSIVE, f"no certificate at {digits} or {2 * digits} digits ({last}); the ball is not "
                       f"searched for a refutation above {network.MAX_ARB_MATRIX_PARAMETERS} parameters")
    absent = _absent(loss, theta_q, r_outer)
    if absent is not None:
        return Verdict(REFUTED, "no point of the ball can be a local minimum: " + absent["why"], absent)
    return Verdict(INCONCLUSIVE, f"no certificate at {digits} or {2 * digits} digits ({last}); "
                   "neither could the ball be excluded", {"center_tried": {p: _dec(x, 20) for p, x in
                                                                           zip(loss.params, center)}})


def _exact_text(q: sympy.Rational) -> str:
    """q exactly: 1e-k for powers of ten, else p/q."""
    k = sympy.log(1 / q, 10) if q > 0 else None
    return f"1e-{k}" if k is not None and k.is_Integer else str(q)


def _dec(q, digits: int = 6) -> str:
    return str(sympy.Float(q, digits)) if q else "0"


def _certify(loss: Loss, center, rho, digits) -> tuple[bool, dict]:
    """The box conditions at ``center +/- rho``: the box Hessian enclosed in
    floats, from a midpoint-radius float pass (:func:`float_pass.box_factors`)
    or else from its Arb factors; the gradient at the centre by Arb (a
    near-critical centre needs more digits than floats have); Rump's test
    and the float Krawczyk step first, then the Arb / exact route."""
    c = [iv.exact(t) for t in center]
    r = iv.spread(rho)
    box = [t + r for t in c]
    value, g = loss.iv_value_and_gradient(c)
    ev = {"box_center": {p: str(sympy.Float(t, digits + 5)) for p, t in zip(loss.params, center)},
          "box_radius": _exact_text(rho),
          "precision_digits": digits}
    two_s = loss.field.rational(loss.scale * 2)              # a rational; None: no float route
    g_floats = _float_balls(g)
    on_box = float_pass.box_factors(loss, center, rho) if two_s is not None else None
    if on_box is not None:
        mid, rad = fastpath.hessian_from_factors(on_box["factors"], len(c), two_s)
        fast, _ = _certify_in_floats(mid, rad, g_floats, rho) if mid is not None else (None, None)
        if fast is not None:
            ev.update(fast)
            _enclosures_at(ev, value, _float_interval(*on_box["value"]), g)
            return True, ev
    if len(c) > network.MAX_ARB_FACTOR_PARAMETERS:
        return False, {"failed": "the float pass did not prove it, and above "
                       f"{network.MAX_ARB_FACTOR_PARAMETERS} parameters the Arb factors are not formed"}
    J, G = loss.iv_hessian_factors(box)
    mid, rad = fastpath.ball_hessian(J, G, len(c), two_s) if two_s is not None else (None, None)
    fast, Y = _certify_in_floats(mid, rad, g_floats, rho) if mid is not None else (None, None)
    if fast is not None:
        ev.update(fast)
        _enclosures_at(ev, value, iv.show(loss.iv_value(box)), g)
        return True, ev
    if len(c) > network.MAX_ARB_MATRIX_PARAMETERS:
        return False, {"failed": "the float route did not prove it, and above "
                       f"{network.MAX_ARB_MATRIX_PARAMETERS} parameters the Arb route (P x P ball matrices) is not run"}
    H = loss.iv_hessian_from(J, G)
    del J, G
    return _certify_exactly(loss, c, r, rho, value, g, H, ev, Y)


def _gradient_bound(g) -> str:
    return f"max_i |g_i| <= {iv.upper_text(max((e.abs_upper() for e in g), key=iv.upper))}"


def _float_interval(c: float, r: float) -> str:
    """[c +/- r] as text, the radius rounded up."""
    return f"[{c!r} +/- {r * (1 + 1e-15) + 1e-300:.3e}]"


def _float_balls(g) -> tuple | None:
    """(gm, gr) float arrays enclosing the Arb balls g, or None."""
    import numpy as np
    balls = [_float_ball(e) for e in g]
    if any(b is None for b in balls):
        return None
    return np.array([b[0] for b in balls], dtype=float), np.array([b[1] for b in balls], dtype=float)


def _enclosures_at(ev, value, on_box: str, g):
    """The evidence of the enclosures: L at the centre (the ball ``value``), L on
    the box (text; it holds the minimum's loss) and max |grad| at the centre."""
    ev["loss_enclosure_at_center"] = iv.show(value)
    ev["loss_enclosure_on_box"] = on_box
    ev["gradient_at_center"] = _gradient_bound(g)


def _float_ball(x):
    """(m, r) floats with x inside [m - r, m + r] for an Arb ball x, or None."""
    import math
    from flint import arb
    try:
        m = float(x.mid())
    except (OverflowError, ValueError):
        return None
    if not math.isfinite(m):
        return None
    r = float((x - arb(m)).abs_upper())                 # an upper bound, rounded to nearest: one step up
    r = math.nextafter(r, math.inf) if r > 0 else (0.0 if (x - arb(m)).is_zero() else verified.ETA)
    return (m, r) if math.isfinite(r) else None


def _certify_in_floats(mid, rad, g, rho) -> tuple[dict | None, object]:
    """For the box Hessian enclosed by |H - mid| <= rad (every H on the box) and
    the gradient at the centre enclosed by g = (gm, gr), |grad - gm| <= gr (None:
    not enclosed): (evidence, Y): evidence when floats prove both conditions, else None (the
    exact route then runs); Y the float preconditioner when Rump's test proved
    the box Hessian positive definite (the Arb Krawczyk step may reuse it), else None:
    every H on the box positive definite (Rump's test on its float enclosure), and the
    Krawczyk image inside the box with the float64 preconditioner Y = fl(mid^-1) (the
    theorem holds for any Y; K(B) inside int(B) also proves Y and every H(B) nonsingular).

    |K_i - c_i| <= |Y g|_i + rho sum_j |I - Y H|_ij with |I - Y H| <= |fl(I - fl(Y mid))|
    (1 + u) + gamma_P |Y| |mid| + |Y| rad, |Y g| <= |fl(Y gm)| + gamma_P |Y| |gm| + |Y| gr,
    each non-negative product and sum raised by its a priori bound (any summation order)."""
    import math
    import numpy as np
    if g is None:
        return None, None
    if not verified.is_spd(mid, rad):
        return None, None
    gm, gr = g
    P = len(gm)
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):   # underflow: the eta terms
            Y = np.linalg.inv(mid)
            absY = np.abs(Y)
            gam = verified.gamma(P + 2)
            under = 2 * (P + 2) * verified.ETA
            M = np.abs(np.eye(P) - Y @ mid) * (1 + 2 * verified.UNIT_ROUNDOFF) + under
            M += (absY @ np.abs(mid) + under) * (gam / (1 - gam)) + (absY @ rad + under) / (1 - gam)
            rows = M.sum(axis=1) / (1 - gam)
            yg = np.abs(Y @ gm) + (absY @ np.abs(gm) + under) * (gam / (1 - gam)) + (absY @ gr + under) / (1 - gam)
    except (np.linalg.LinAlgError, FloatingPointError):
        return None, None
    r = float(rho) * (1 - 4 * verified.UNIT_ROUNDOFF)      # below the exact rho
    bound = (yg + rows * float(rho) * (1 + 4 * verified.UNIT_ROUNDOFF)) * (1 + verified.gamma(8))
    worst = float(bound.max()) if P else 0.0
    if not (math.isfinite(worst) and worst < r):
        return None, Y
    return {"hessian": "Rump's shifted float Cholesky on a float enclosure (mid +/- rad) of the Hessian on the box: "
                       "lambda_min(H) > 0 for every H there (verified floating point)",
            "krawczyk": f"max_i |K_i - c_i| <= {worst:.3e} < {_exact_text(rho)} with the float64 preconditioner "
                        "Y = fl(mid(H)^-1) and a priori bounds of every float product: K(box) lies inside the box"}, Y


def _certify_exactly(loss, c, r, rho, value, g, H, ev, Yf=None) -> tuple[bool, dict]:
    """The box conditions in Arb / exact arithmetic. ``Yf``: a float64
    preconditioner when Rump's test has already proven the box Hessian PD
    (then only the Krawczyk step runs here, in Arb, with that Y)."""
    from flint import arb, arb_mat
    P = len(c)
    if Yf is not None:
        ev["hessian"] = ("Rump's shifted float Cholesky on a float enclosure (mid +/- rad) of the Hessian on the box: "
                         "lambda_min(H) > 0 for every H there (verified floating point)")
        Y = arb_mat(Yf.tolist())                                      # floats: exact balls
    else:
        # Hessian positive definite on the box
        mu, Hc = _perturbation_bound(H)
        shifted = DomainMatrix([[QQ(int(h.p), int(h.q)) for h in row] for row in _shift(Hc, mu)], (P, P), QQ)
        if linalg.negative_direction(shifted, Field()) is not None:
            return False, {"failed": "the Hessian enclosure on the box is not provably positive definite"}
        ev["hessian"] = (f"Hc - mu I is positive definite (checked exactly), mu <= {iv.upper_text(iv.exact(mu))} "
                         "bounds ||H - Hc||_2 for every H on the box (max row sum of |H - Hc|): lambda_min(H) > 0")
        # Krawczyk: K(B') - c inside (-rho, rho)
        try:
            Y = arb_mat([[h.mid() for h in row] for row in H]).inv()
        except ZeroDivisionError:
            return False, {"failed": "the midpoint Hessian is singular"}
        Y = arb_mat([[Y[i, j].mid() for j in range(P)] for i in range(P)])
    Hm = arb_mat(H)
    M = arb_mat([[1 if i == j else 0 for j in range(P)] for i in range(P)]) - Y * Hm
    K = -(Y * arb_mat([[e] for e in g])) + M * arb_mat([[r] for _ in range(P)])
    worst = max((K[i, 0].abs_upper() for i in range(P)), key=iv.upper, default=arb(0))
    if not worst < iv.exact(rho):
        return False, {"failed": f"the Krawczyk image is not inside the box (max |K - c| <= {iv.upper_text(worst)})"}
    ev["krawczyk"] = f"max_i |K_i - c_i| <= {iv.upper_text(worst)} < {_exact_text(rho)}: K(box) lies inside the box"
    _enclosures_at(ev, value, iv.show(loss.iv_value([t + r for t in c])), g)
    return True, ev


def _perturbation_bound(H) -> tuple[sympy.Rational, list]:
    """Rational symmetric midpoint Hc (upper triangle of H; entries are fmpq)
    and mu >= max row sum of |H - Hc|."""
    from flint import fmpq
    P = len(H)
    Hc = [[None] * P for _ in range(P)]
    rows = [fmpq(0)] * P
    for i in range(P):
        for j in range(i, P):
            m = _dyadic(H[i][j].mid())        # exact; a midpoint below 2**-EXACT_RANGE_BITS becomes 0
            Hc[i][j] = Hc[j][i] = m
            dev = _dyadic((H[i][j] - m).abs_upper(), up=True)      # rounded up: never a huge power of two
            rows[i] += dev
            if j != i:
                rows[j] += dev
    mu = max(rows, default=fmpq(0))
    return sympy.Rational(int(mu.p), int(mu.q)), Hc


def _dyadic(point, up: bool = False):
    """The arf ``point`` as an fmpq: exact when its exponent is moderate; a
    tiny one becomes 0 (or 2**-EXACT_RANGE_BITS with ``up``) and a huge one
    raises IntervalRange (see :func:`losscert.intervals.mid`)."""
    from flint import fmpq
    man, exp = point.man_exp()
    man, exp = int(man), int(exp)
    if abs(exp) + man.bit_length() <= iv.EXACT_RANGE_BITS:
        return fmpq(man * 2 ** exp) if exp >= 0 else fmpq(man, 2 ** -exp)
    q = iv.upper(point) if up else iv.mid(point)
    return fmpq(int(q.p), int(q.q))


def _shift(Hc, mu) -> list:
    from flint import fmpq
    mu = fmpq(int(sympy.Rational(mu).p), int(sympy.Rational(mu).q))
    return [[h - mu if i == j else h for j, h in enumerate(row)] for i, row in enumerate(Hc)]


def _lowest_direction(H):
    """An approximate eigenvector of the smallest eigenvalue of mid(H), if negative (a proposal)."""
    import numpy
    P = len(H)
    if not P:
        return None
    try:
        A = numpy.array([[float(H[i][j].mid()) for j in range(P)] for i in range(P)])
        A = (A + A.T) / 2
        E, Q = numpy.linalg.eigh(A)
    except (OverflowError, ValueError, numpy.linalg.LinAlgError):
        return None
    if not E[0] < 0:
        return None
    return [sympy.Rational(int(round(float(Q[i, 0]) * 2 ** 20)), 2 ** 20) for i in range(P)]


def _quad(H, v):
    from flint import arb
    total = arb(0)
    for i, vi in enumerate(v):
        if vi:
            for j, vj in enumerate(v):
                if vj:
                    total += iv.exact(vi * vj) * H[i][j]
    return total


def _absent(loss: Loss, theta_q, radius) -> dict | None:
    """Subdivide the ball; each piece excluded by a gradient entry or v^T H v < 0
    (a piece whose enclosure fails is split further; at most MAX_BOXES pieces)."""
    from flint import arb
    c = [iv.exact(t) for t in theta_q]
    try:
        v = _lowest_direction(loss.iv_hessian(c))
    except NonSmooth:
        raise
    except ENCLOSURE_FAILURES:
        v = None
    queue = [[t + iv.spread(radius) for t in c]]
    used, reasons = 0, set()
    while queue:
        if used >= MAX_BOXES:
            return None
        b = queue.pop()
        used += 1
        try:
            if any(iv.sign(x) for x in loss.iv_gradient(b)):
                reasons.add("gradient")
                continue
            if v is not None and _quad(loss.iv_hessian(b), v) < 0:
                reasons.add("curvature")
                continue
        except NonSmooth:
            raise
        except ENCLOSURE_FAILURES:
            pass                                        # not decided on this piece: split it
        k = max(range(len(b)), key=lambda i: b[i].rad())
        mid, rad = b[k].mid(), b[k].rad()
        half = arb(0, rad / 2)
        for shift in (-1, 1):
            piece = list(b)
            piece[k] = mid + shift * rad / 2 + half
            queue.append(piece)
    why = {"gradient": "a gradient entry's enclosure excludes 0",
           "curvature": "v^T H v < 0 on the piece"}
    ev = {"why": f"the ball is covered by {used} box(es), on each of which " +
                 " or ".join(why[k] for k in sorted(reasons)),
          "boxes": used, "radius": str(radius)}
    if v is not None and "curvature" in reasons:
        ev["direction"] = {p: str(x) for p, x in zip(loss.params, v) if x}
    return ev
