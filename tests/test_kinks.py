"""Local minimality at ReLU / leaky ReLU kinks (kernel/kinks.py): every
verdict is checked against the truth worked out by hand, refutations
against the real loss, and a mutation test against a brute-force oracle."""
import itertools
import random

import pytest
import sympy
from cases import _net, oracle_drop, verdicts

from losscert import compile_loss, dense, kernel
from losscert.fields import Field
from losscert.kernel.kinks import MAX_KINKS, at_kink, cone_min, find_kinks, simplex

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE
Q = sympy.Rational


def one_neuron(act="relu", fixed_out=False, **kw):
    return _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": act},
                fixed={("h", "y"): 1} if fixed_out else None, **kw)


def skip_net():
    """x -> h (relu, bias) -> y plus a linear skip x -> y and an output bias:
    Yun-Sra-Jadbabaie's setting with a dead neuron on top of a fitted line."""
    return _net([("x", "h"), ("h", "y"), ("x", "y")], ["x"], ["y"], acts={"h": "relu"}, biases=("h", "y"))


def least_squares(X, Y):
    n, sx, sy = len(X), sum(X), sum(Y)
    sxx, sxy = sum(a * a for a in X), sum(a * b for a, b in zip(X, Y))
    det = n * sxx - sx * sx
    return Q(n * sxy - sx * sy, det), Q(sy * sxx - sx * sxy, det)


def skip_point(X, Y, v):
    u, c = least_squares(X, Y)
    return {"x -> h": 0, "b:h": 0, "h -> y": v, "x -> y": u, "b:y": c}


# -- the decisions ------------------------------------------------------------------

def test_v_shaped_kink_is_a_strict_minimum_on_every_piece():
    # L = 1/2 ((relu(w) + 1)^2 + (relu(-w) + 1)^2) = 1/2 ((|w| + 1)^2 + 1): slope +1 on both sides
    loss = compile_loss(one_neuron(fixed_out=True), [[1, -1]], [[-1, -1]])
    assert verdicts(loss, {"x -> h": 0}) == (V, V, I)
    v = kernel.strict_local_minimum(loss, loss.point({"x -> h": 0}))
    assert v.evidence["sign_patterns"] == 4 and "kink" in v.reason
    assert "not available" in kernel.critical_point(loss, loss.point({"x -> h": 0})).reason


def test_kink_with_first_order_descent_on_one_piece_is_refuted_with_a_real_drop():
    # L = 1/2 ((v relu(w) - 1)^2 + (v relu(-w))^2) at w = 0, v = 1: w > 0 lowers L linearly
    loss = compile_loss(one_neuron(), [[1, -1]], [[1, 0]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})
    v = kernel.local_minimum(loss, theta)
    assert v.status == R and "first order" in v.reason
    ev = v.evidence
    assert sympy.Rational(ev["taylor_coefficients_of_piece"][1]) < 0
    d = [sympy.Rational(ev["d1"].get(p, 0)) for p in loss.params]
    t = sympy.Rational(ev["exact_example"]["t"])
    moved = loss.point([a + t * b for a, b in zip([0, 1], d)])
    assert loss.value(moved) == sympy.Rational(ev["exact_example"]["loss_at_t"])
    assert loss.value(moved) < loss.value(theta)
    assert kernel.strict_local_minimum(loss, theta).status == R
    assert kernel.saddle(loss, theta).status == I           # no gradient at a kink: criticality is not defined


def test_minimum_along_one_piece_only_is_refuted_at_second_order():
    # L = 1/2 (v relu(w) - 1)^2 at 0: constant for w <= 0, but L = 1/2 (t^2 - 1)^2 along (t, t)
    loss = compile_loss(one_neuron(), [[1]], [[1]])
    theta = loss.point({"x -> h": 0, "h -> y": 0})
    v = kernel.local_minimum(loss, theta)
    assert v.status == R and "second order" in v.reason
    assert v.evidence["kink_pattern"] == {"h @ sample 1": "+"}
    coeffs = [sympy.Rational(c) for c in v.evidence["taylor_coefficients_of_piece"]]
    assert coeffs[1] == 0 and coeffs[2] < 0
    assert sympy.Rational(v.evidence["exact_example"]["loss_at_t"]) < Q(1, 2)
    # along the other piece alone (w <= 0) nothing decreases: L(-s, v) = 1/2 for all v
    assert all(loss.value(loss.point({"x -> h": -Q(1, k), "h -> y": Q(j, 7)})) == Q(1, 2)
               for k in (1, 10) for j in (-3, 5))


def test_silent_neuron_piece_gives_a_non_strict_minimum():
    # output relu(w) + u^2 (fixed weights), target -1: for w <= 0, L = (u^2 + 1)^2 / 2 does not depend on w
    net = _net([("x", "h1"), ("h1", "y"), ("x", "h2"), ("h2", "y")], ["x"], ["y"],
               acts={"h1": "relu", "h2": "poly(0, 0, 1)"}, fixed={("h1", "y"): 1, ("h2", "y"): 1})
    loss = compile_loss(net, [[1]], [[-1]])
    assert verdicts(loss, {"x -> h1": 0, "x -> h2": 0}) == (V, R, I)
    v = kernel.strict_local_minimum(loss, loss.point({"x -> h1": 0, "x -> h2": 0}))
    assert v.evidence["flat_segment"]["d"] == {"x -> h1": "-1"}


def test_zero_curvature_direction_that_second_order_cannot_resolve_is_inconclusive():
    # as above with u^4: on both pieces u has zero curvature and L grows like u^4 (a true minimum)
    net = _net([("x", "h1"), ("h1", "y"), ("x", "h2"), ("h2", "y")], ["x"], ["y"],
               acts={"h1": "relu", "h2": "poly(0, 0, 0, 0, 1)"}, fixed={("h1", "y"): 1, ("h2", "y"): 1})
    loss = compile_loss(net, [[1]], [[-1]])
    theta = loss.point({"x -> h1": 0, "x -> h2": 0})
    v = kernel.local_minimum(loss, theta)
    assert v.status == I and "zero curvature" in v.reason
    assert kernel.strict_local_minimum(loss, theta).status in (I, R)


def test_rescaling_orbit_through_a_kink_gives_a_non_strict_minimum():
    # v relu(w x): the orbit (c w, v / c) keeps w = 0, L = 1 on it; L >= 1 nearby
    loss = compile_loss(one_neuron(), [[1, -1]], [[-1, -1]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})
    assert verdicts(loss, {"x -> h": 0, "h -> y": 1}) == (V, R, I)
    v = kernel.local_minimum(loss, theta)
    assert "slice transversal to the rescaling orbits" in v.reason
    assert kernel.saddle(loss, theta).status == R


@pytest.mark.parametrize("slope, expected", [("1/10", (V, V, I)), ("-1/2", (V, V, I)), ("2", (R, R, I))])
def test_leaky_relu_kinks(slope, expected):
    # L = 1/2 ((s(w) + 1)^2 + (s(-w) + 1)^2), slopes 1 and a: the one-sided slopes of L at 0 are
    # 1 - a (right) and a - 1 (left): a V for a < 1, descent on both sides for a > 1
    loss = compile_loss(one_neuron(f"leaky_relu({slope})", fixed_out=True), [[1, -1]], [[-1, -1]])
    assert verdicts(loss, {"x -> h": 0}) == expected


def test_leaky_relu_with_a_radical_slope_decides_over_the_algebraic_field():
    loss = compile_loss(one_neuron("leaky_relu(sqrt(2)/2)", fixed_out=True), [[1, -1]], [[-1, -1]])
    assert not loss.field.is_rational
    assert verdicts(loss, {"x -> h": 0}) == (V, V, I)


BASE_X, BASE_Y = [-3, -3, -3, 2], [2, -2, -1, 1]


def test_dead_neuron_on_a_fitted_line_is_a_minimum_by_families_of_critical_points():
    loss = compile_loss(skip_net(), [BASE_X], [BASE_Y])
    point = skip_point(BASE_X, BASE_Y, 1)
    theta = loss.point(point)
    assert loss.value(theta) != 0
    assert verdicts(loss, point) == (V, R, I)
    v = kernel.local_minimum(loss, theta)
    assert v.evidence["sign_patterns"] == 16
    assert any("Morse-Bott" in p["how"] for p in v.evidence["second_order"])
    # the oracle agrees that nothing nearby is lower (it could only have refuted)
    assert oracle_drop(loss, theta, random.Random(1)) is None


def test_flat_line_on_the_face_of_a_cone_is_a_minimum_by_morse_bott_on_the_critical_cone():
    # the piece (+, -, +, +) holds a flat line theta + t d inside its critical cone that is not a
    # family of critical points of the whole piece; on the span of the critical cone it is one
    X, Y = [1, -2, -1, 1], [1, -2, -1, 0]
    loss = compile_loss(skip_net(), [X], [Y])
    theta = loss.point(skip_point(X, Y, 1))
    v = kernel.local_minimum(loss, theta)
    assert v.status == V
    assert oracle_drop(loss, theta, random.Random(2)) is None


def test_deeper_kink_is_out_of_the_cone_analysis_and_goes_to_the_deep_one():
    loss = compile_loss(dense([1, 1, 1, 1], activation="relu"), [[1]], [[1]])
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> h2_1": 0, "h2_1 -> y1": 1})
    r = at_kink(loss, theta, loss.value(theta, raw=True))
    assert r.is_min is None and "not affine" in r.reason
    v = kernel.local_minimum(loss, theta)               # tests/test_kinks_deep.py: a descent curve
    assert v.status == R and "kink_pattern_along_curve" in v.evidence


def test_deeper_layers_without_kinks_are_in_scope():
    # first layer kinked, second layer active: the piece is still a polynomial near theta
    loss = compile_loss(dense([1, 1, 1, 1], activation="relu", biases=True), [[1, -1]], [[1, 0]])
    v = kernel.local_minimum(loss, loss.point({"x1 -> h1_1": 0, "b:h1_1": 0, "h1_1 -> h2_1": 1, "b:h2_1": 1,
                                               "h2_1 -> y1": 1}))
    assert v.status in (V, R) and "kink" in v.reason
    assert "not affine" not in v.reason


def test_too_many_kinks_say_the_bound():
    n = MAX_KINKS + 1
    loss = compile_loss(dense([1, 1, 1], activation="relu"), [[1] * n], [[-1] * n])
    v = kernel.local_minimum(loss, loss.point({"x1 -> h1_1": 0, "h1_1 -> y1": 1}))
    assert v.status == I and f"2^{n}" in v.reason and f"2^{MAX_KINKS}" in v.reason


def test_elu_kink_is_not_analysed_on_cones():
    loss = compile_loss(one_neuron("elu(1/2)"), [[1]], [[1]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})
    r = at_kink(loss, theta, loss.value(theta, raw=True))
    assert r.is_min is None and "piecewise-linear" in r.reason
    assert kernel.local_minimum(loss, theta).status == R      # a descent curve (tests/test_kinks_deep.py)


def test_kink_next_to_a_tanh_neuron_is_refuted_by_the_exact_expansion_of_the_piece():
    # L = 1/2 (relu(w) + tanh(u) - 1)^2 at 0: tanh(0) = 0 and its derivatives there are rational, so
    # the pieces expand exactly; their values off theta are transcendental
    net = _net([("x", "h1"), ("h1", "y"), ("x", "h2"), ("h2", "y")], ["x"], ["y"],
               acts={"h1": "relu", "h2": "tanh"}, fixed={("h1", "y"): 1, ("h2", "y"): 1})
    loss = compile_loss(net, [[1]], [[1]])
    v = kernel.local_minimum(loss, loss.point({"x -> h1": 0, "x -> h2": 0}))
    assert v.status == R and "not exact" in v.evidence["exact_example"]
    assert sympy.Rational(v.evidence["taylor_coefficients_of_piece"][1]) < 0


def test_find_kinks_rows_are_the_pre_activation_gradients():
    loss = compile_loss(skip_net(), [[2, -3]], [[0, 1]])
    split, flat, _ = find_kinks(loss, loss.point({"x -> h": 0, "b:h": 0, "h -> y": 1, "x -> y": 0, "b:y": 0}))
    rows = {kk.label: dict(zip(loss.params, kk.row)) for kk in split}
    assert rows["h @ sample 1"]["x -> h"] == 2 and rows["h @ sample 2"]["x -> h"] == -3
    assert all(r["b:h"] == 1 and r["h -> y"] == 0 for r in rows.values()) and not flat


# -- the exact simplex ----------------------------------------------------------------

def test_simplex_exact_optimum_and_infeasibility():
    F = Field(sympy.QQ)
    f = [F(x) for x in (1, 2, 3)]
    # min -x - y s.t. x + 2y + s = 4, 3x + y + r = 6 -> x = 8/5, y = 6/5
    val, x = simplex(F, [[f[0], f[1], F(1), F(0)], [f[2], f[0], F(0), F(1)]], [F(4), F(6)],
                     [F(-1), F(-1), F(0), F(0)])
    assert val == F(Q(-14, 5)) and x[:2] == [F(Q(8, 5)), F(Q(6, 5))]
    assert simplex(F, [[F(1), F(1)]], [F(-1)], [F(0), F(0)]) is None


def test_cone_min_finds_descent_exactly_or_proves_none():
    F = Field(sympy.QQ)
    ge = [[F(1), F(0)], [F(0), F(1)]]                       # the quadrant d >= 0
    val, d = cone_min(F, [F(1), F(-1)], ge, [], 2)
    assert val == F(-1) and d == [F(0), F(1)]
    val, _ = cone_min(F, [F(1), F(2)], ge, [], 2)
    assert val == 0


# -- mutations against a brute-force oracle -------------------------------------------

def test_mutations_never_turn_a_descent_into_a_verified_minimum():
    rng = random.Random(7)
    seen = set()
    for k, (dx, dy) in itertools.product(range(4), ((0, Q(1, 50)), (0, Q(-1, 3)), (1, 0), (Q(1, 2), Q(1, 7)))):
        X, Y = list(BASE_X), list(BASE_Y)
        X[k] += dx
        Y[k] += dy
        for v in (1, -2):
            loss = compile_loss(skip_net(), [X], [Y])
            theta = loss.point(skip_point(X, Y, v))
            verdict = kernel.local_minimum(loss, theta)
            seen.add(verdict.status)
            drop = oracle_drop(loss, theta, rng)
            if drop is not None:
                assert verdict.status != V
            if verdict.status == R:
                ex = verdict.evidence["exact_example"]
                assert sympy.Rational(ex["loss_at_t"]) < loss.value(theta)
    assert R in seen and V in seen            # the mutations reach both decisions


def test_mutated_points_off_the_kink_are_smooth_and_refuted():
    loss = compile_loss(skip_net(), [BASE_X], [BASE_Y])
    point = skip_point(BASE_X, BASE_Y, 1)
    point["b:h"] = Q(1, 100)                  # no kink any more: the smooth rules apply
    theta = loss.point(point)
    assert find_kinks(loss, theta)[0] == []
    assert kernel.local_minimum(loss, theta).status == R


def test_at_kink_never_refutes_a_zero_loss_point():
    loss = compile_loss(one_neuron(), [[1, -1]], [[0, 0]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})
    r = at_kink(loss, theta, loss.value(theta, raw=True))
    assert r.is_min is not False
    assert kernel.local_minimum(loss, theta).status == V
