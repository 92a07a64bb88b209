"""The interval route: enclosures contain the exact values, and the rigorous
rules agree with the exact kernel wherever the exact answer is known."""
import random
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import cases
from losscert import compile_loss, dense, intervals, kernel
from losscert.claims import load
from losscert.proposers import newton
from test_compiler import random_network

ROOT = Path(__file__).resolve().parents[1]
VERIFIED, REFUTED, INCONCLUSIVE = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE


def inside(ball, exact) -> bool:
    return intervals.lower(ball) <= exact <= intervals.upper(ball)


@settings(max_examples=60, deadline=None)
@given(st.integers(-50, 50), st.integers(1, 30), st.integers(-20, 20), st.integers(2, 50))
def test_radicals_are_enclosed(a, b, c, d):
    x = sympy.Rational(a, b) + c * sympy.sqrt(d) / 7
    with intervals.precision(25):
        ball = intervals.to_arb(x)
    assert inside(ball, x)
    assert intervals.upper(ball) - intervals.lower(ball) < sympy.Rational(1, 10 ** 20)


@pytest.mark.parametrize("seed", range(20))
def test_enclosures_on_a_box_contain_the_exact_values(seed):
    """Loss, gradient and Hessian at random rational points of a box lie in
    the box's enclosures (polynomial, linear, tanh-at-zero networks)."""
    rng = random.Random(seed)
    net, point, X, Y = random_network(rng)
    loss = compile_loss(net, X, Y)
    theta = loss.point(point)
    F = loss.field
    exact_at = loss.point(point)
    with intervals.precision(20):
        thin = intervals.box(F, theta, 0)
        assert inside(loss.iv_value(thin), loss.value(theta))
        for ball, g in zip(loss.iv_gradient(thin), loss.gradient(theta)):
            assert inside(ball, F.to_sympy(g))
        radius = sympy.Rational(1, 8)
        if any(st.activation is not None and st.activation.kind in ("tanh", "shifted_sigmoid")
               for st in loss.steps):
            return                          # exact values off zero are transcendental
        wide = intervals.box(F, theta, radius)
        V, G, H = loss.iv_value(wide), loss.iv_gradient(wide), loss.iv_hessian(wide)
    for _ in range(3):
        shift = [sympy.Rational(rng.randint(-8, 8), 64) for _ in theta]
        try:
            pt = [t + F(s) for t, s in zip(exact_at, shift)]
            val, grad, hess = loss.value(pt), loss.gradient(pt), loss.hessian(pt)
        except ArithmeticError:                 # tanh off zero: no exact value to compare
            continue
        assert inside(V, F.to_sympy(val))
        assert all(inside(b, F.to_sympy(g)) for b, g in zip(G, grad))
        assert all(inside(H[i][j], hess[i, j]) for i in range(len(pt)) for j in range(len(pt)))


def test_enclosures_with_radicals_theorem2():
    cf = load(ROOT / "examples" / "lin-sun-zhang-theorem2.toml")
    with intervals.precision(30):
        ball = cf.loss.iv_value(intervals.box(cf.loss.field, cf.point, 0))
        H = cf.loss.iv_hessian(intervals.box(cf.loss.field, cf.point, 0))
    assert inside(ball, sympy.Rational(221, 360))
    assert inside(H[0][0], 2) and inside(H[0][2], sympy.Rational(3, 5))


def test_tanh_enclosure_agrees_with_mpmath():
    import mpmath
    mp = lambda q: mpmath.mpf(q.p) / q.q  # noqa: E731
    loss = compile_loss(dense([2, 2, 1], activation="tanh"), [[1, 2, "1/3"], [0, -1, 2]], [[1, 0, 2]])
    theta = loss.point({p: sympy.Rational(i + 1, 5) * (-1) ** i for i, p in enumerate(loss.params)})
    with mpmath.workdps(50):
        ref = loss.mp_value(loss.to_mp(theta))
        ref_h = loss.mp_hessian(loss.to_mp(theta))
        with intervals.precision(40):
            ball = loss.iv_value(intervals.box(loss.field, theta, 0))
            H = loss.iv_hessian(intervals.box(loss.field, theta, 0))
        assert abs(mp(intervals.mid(ball)) - ref) < mpmath.mpf(10) ** -35
        assert abs(mp(intervals.mid(H[1][3])) - ref_h[1, 3]) < mpmath.mpf(10) ** -30


# -- the rigorous rules agree with the exact kernel ------------------------------------------

EXACT_CASES = [cases.pd_minimum, cases.x2_plus_y4, cases.peano_like, cases.cubic_descent,
               cases.zero_loss_flat, cases.orbits_fill_kernel, cases.saddle_at_origin]


@pytest.mark.parametrize("case", EXACT_CASES, ids=lambda c: c.__name__)
def test_interval_route_never_verifies_what_the_exact_route_refutes(case):
    loss, pt = case()
    theta = loss.point(pt)
    exact = kernel.strict_local_minimum(loss, theta)
    near = kernel.local_minimum_near(loss, theta, sympy.Rational(1, 100))
    assert exact.status != INCONCLUSIVE
    if exact.status == REFUTED:
        assert near.status != VERIFIED, near.reason
    if case is cases.pd_minimum:                     # PD Hessian: the interval route proves it too
        assert near.status == VERIFIED
    if case is cases.saddle_at_origin:               # every piece of the ball has v^T H v < 0
        assert near.status == REFUTED


def test_x2_plus_y4_strict_but_degenerate_is_inconclusive_not_refuted():
    loss, pt = cases.x2_plus_y4()
    near = kernel.local_minimum_near(loss, loss.point(pt), sympy.Rational(1, 100))
    assert near.status == INCONCLUSIVE               # singular Hessian: no PD box exists


def critical_instance(seed):
    """A random network (test_compiler) and a point made critical by choosing
    Y = F(theta) + eps E with E in the left null space of the Jacobian."""
    from bench.__main__ import _jacobian
    rng = random.Random(seed)
    net, point, X, _ = random_network(rng)
    probe = compile_loss(net, X, [[0] * len(X[0]) for _ in net.outputs])
    theta = probe.point(point)
    F, n = probe.field, probe.n
    out = probe.outputs(theta)
    null, _ = kernel.linalg.nullspace(_jacobian(probe, theta).transpose(), F)
    coeffs = [F(rng.randint(-2, 2)) for _ in null]
    E = [sum((c * v[k] for c, v in zip(coeffs, null)), F.zero) for k in range(len(out) * n)]
    eps = F(sympy.Rational(1, rng.choice([1, 4, 16])))
    Y = [[F.to_sympy(out[i][j] + eps * E[i * n + j]) for j in range(n)] for i in range(len(out))]
    loss = compile_loss(net, X, Y)
    return loss, loss.point(point)


@pytest.mark.parametrize("seed", range(24))
def test_random_critical_points_agree(seed):
    """Exact verdict vs local_minimum_near at the same point: never verified
    when the exact kernel refutes strictness; verified when the exact kernel
    proves a strict minimum by a positive definite Hessian."""
    loss, theta = critical_instance(seed)
    assert kernel.critical_point(loss, theta).status == VERIFIED
    exact = kernel.strict_local_minimum(loss, theta)
    near = kernel.local_minimum_near(loss, theta, sympy.Rational(1, 1000))
    if exact.status == REFUTED:
        assert near.status != VERIFIED, (exact.reason, near.reason)
    if exact.status == VERIFIED and "positive definite" in exact.reason:
        assert near.status == VERIFIED, near.reason


def test_random_critical_points_cover_every_exact_outcome():
    seen = {}
    for seed in range(24):
        loss, theta = critical_instance(seed)
        v = kernel.strict_local_minimum(loss, theta)
        seen.setdefault(v.status + (" PD" if "positive definite" in v.reason else ""), seed)
    assert {"verified PD", "refuted"} <= set(seen), seen


def test_far_from_any_critical_point_is_refuted():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
    v = kernel.local_minimum_near(loss, loss.point({"x1 -> h1_1": 2, "h1_1 -> y1": -1}), sympy.Rational(1, 10))
    assert v.status == REFUTED and "gradient" in v.reason


def test_above_the_arb_matrix_limit_only_the_float_route_runs(monkeypatch):
    """Above MAX_ARB_MATRIX_PARAMETERS: the float route still verifies; no refutation search, no Arb fallback."""
    from losscert import network
    monkeypatch.setattr(network, "MAX_ARB_MATRIX_PARAMETERS", 1)
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
    far = kernel.local_minimum_near(loss, loss.point({"x1 -> h1_1": 2, "h1_1 -> y1": -1}), sympy.Rational(1, 10))
    assert far.status == "inconclusive" and "not searched for a refutation above 1 parameters" in far.reason
    centre = [sympy.Rational("0.65847894846240835431252317365398"), sympy.Rational("1.7320508075688772935274463415059")]
    near = kernel.local_minimum_near(loss, loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"}), "1/10",
                                     centre=centre)
    assert near.status == VERIFIED and "Rump" in near.evidence["hessian"]
    from losscert.kernel import float_pass
    monkeypatch.setattr(network, "MAX_ARB_FACTOR_PARAMETERS", 1)
    monkeypatch.setattr(float_pass, "box_factors", lambda *a, **k: None)       # the float pass declines
    none = kernel.local_minimum_near(loss, loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"}), "1/10",
                                     centre=centre)
    assert none.status == "inconclusive" and "the Arb factors are not formed" in none.reason


def test_tanh_minimum_verified_with_evidence():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
    v = newton.local_minimum_near(loss, loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"}), "1/10", 40)
    assert v.status == VERIFIED
    c = v.evidence["box_center"]
    # the minimum is w = atanh(1/sqrt 3), v = sqrt 3
    assert abs(sympy.Rational(c["h1_1 -> y1"]) - sympy.sqrt(3)) < sympy.Rational(1, 10 ** 30)
    assert v.evidence["precision_digits"] == 40 and "krawczyk" in v.evidence


def test_relu_kink_inside_the_box_is_inconclusive():
    loss = compile_loss(dense([1, 1, 1], activation="relu"), X=[[1, -1]], Y=[[1, 0]])
    v = kernel.local_minimum_near(loss, loss.point({"x1 -> h1_1": 0, "h1_1 -> y1": 1}), sympy.Rational(1, 10))
    assert v.status == INCONCLUSIVE


# -- point rules with transcendental values ---------------------------------------------------

def tanh_loss():
    return compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])


def test_not_global_by_enclosures():
    loss = tanh_loss()
    far = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": 1})
    near_min = loss.point({"x1 -> h1_1": "0.66", "h1_1 -> y1": "1.73"})
    assert kernel.not_global(loss, far, near_min).status == VERIFIED
    assert kernel.not_global(loss, near_min, far).status == REFUTED
    same = kernel.not_global(loss, far, far)                             # equal by formal identity: refuted
    assert same.status == REFUTED and "formal identity" in same.reason
    mirror = loss.point({"x1 -> h1_1": -1, "h1_1 -> y1": -1})             # tanh odd: the same network function
    assert kernel.not_global(loss, far, mirror).status == REFUTED


def test_loss_value_and_critical_point_by_enclosures():
    loss = tanh_loss()
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": 1})
    assert kernel.loss_value(loss, theta, loss.field(sympy.Rational(1, 3))).status == REFUTED
    assert kernel.critical_point(loss, theta).status == REFUTED
    lm = kernel.local_minimum(loss, theta)
    assert lm.status == REFUTED and "provably non-zero" in lm.reason
    # gradient exactly zero although values are transcendental: v = 0 and Y = 0
    zero = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[0, 0]])
    z = zero.point({"x1 -> h1_1": 1, "h1_1 -> y1": 0})
    assert kernel.critical_point(zero, z).status == VERIFIED
    assert kernel.loss_value(zero, z, zero.field(0)).status == VERIFIED


def test_without_flint_the_interval_rules_are_inconclusive(monkeypatch):
    monkeypatch.setattr(intervals, "flint", None)
    loss = tanh_loss()
    theta = loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"})
    v = kernel.guarded(kernel.local_minimum_near, loss, theta, sympy.Rational(1, 10))
    assert v.status == INCONCLUSIVE and "python-flint" in v.reason


def test_kink_and_transcendental_together_is_inconclusive_with_a_reason():
    import networkx as nx
    from losscert import Network
    g = nx.DiGraph()
    for i, (u, v) in enumerate([("x", "a"), ("x", "b"), ("a", "y"), ("b", "y")]):
        g.add_edge(u, v, order=i)
    g.nodes["a"]["activation"], g.nodes["b"]["activation"] = "relu", "tanh"
    loss = compile_loss(Network(g, ["x"], ["y"]), [[1]], [[1]])
    theta = loss.point({"x -> a": 0, "x -> b": 1, "a -> y": 1, "b -> y": 1})
    v = kernel.local_minimum(loss, theta)
    # f = relu(0) + tanh(1) < 1: not critical along "b -> y"; decided exactly in Q(e) (issue 20)
    assert v.status == "refuted" and "exact in Q(E)" in v.reason, v
