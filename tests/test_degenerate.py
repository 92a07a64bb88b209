"""Degenerate critical points: critical families (Morse-Bott), the splitting
lemma beyond order four (weighted principal parts), higher-order saddles.
Every case is an actual network whose loss is worked out in its docstring."""
import pytest
import sympy
from sympy import QQ

from losscert import compile_loss, conv1d, dense
from losscert.fields import Field
from losscert.kernel import decide
from losscert.kernel.families import critical_family, prove_critical_family, tied_rescalings
from losscert.kernel.forms import candidate_weights, principal_part, weighted_sign

import cases
from cases import _net

V, R, I = "verified", "refuted", "inconclusive"


def sextic(k):
    """L = 1/2 (u w^3 - 2)^2 + 1/2 (k w^3)^2 + 1/2 u^2 at 0 (k = 1: saddle, k = 3: minimum).
    H = diag(0, 1); along the w axis L = 2 + k^2/2 w^6 (a straight-line test says minimum), but the
    splitting lemma gives u* = 2 w^3 + O(w^9) and h(w) = 2 + (k^2/2 - 2) w^6 + O(w^12); for k = 2,
    h = 2 + 2 w^12 / (1 + w^6) exactly: a minimum of order 12, beyond the orders computed."""
    net = _net([("x", "h"), ("h", "o1"), ("h", "o2"), ("x", "o3")], ["x"], ["o1", "o2", "o3"],
               acts={"h": "poly(0, 0, 0, 1)"}, fixed={("h", "o2"): k},
               ties={("h", "o1"): "u", ("x", "o3"): "u"})
    return compile_loss(net, [[1]], [[2], [0], [0]]), {"x -> h": 0, "u": 0}


def constant_not_critical():
    """L = 2 + 1/2 x^2 + 2 x y^3 + 1/2 x^2 y^6 at 0 (the trap of DESIGN.md): L is constant on x = 0
    (the dead-out curve of h, tangent = ker H) but the gradient there is (2 y^3, 0); x = -2 y^3 gives
    L = 2 - 2 y^6 / (1 + y^6)."""
    net = _net([("x", "h"), ("h", "o1"), ("x", "o2")], ["x"], ["o1", "o2"],
               acts={"h": "poly(0, 0, 0, 1)"}, ties={("h", "o1"): "a", ("x", "o2"): "a"})
    return compile_loss(net, [[1]], [[-2], [0]]), {"x -> h": 0, "a": 0}


def deep_chain(depth, target):
    """A scalar chain of linear neurons: L = 1/2 (w_1 ... w_depth - target)^2 at w = 0."""
    nodes = ["x"] + [f"h{i}" for i in range(1, depth)] + ["y"]
    net = _net(list(zip(nodes, nodes[1:])), ["x"], ["y"])
    loss = compile_loss(net, [[1]], [[target]])
    return loss, {p: 0 for p in loss.params}


def weighted(k):
    """L = 1/2 (u w^3 - 2)^2 + 1/2 (k w^3)^2 + 1/2 u^2 + 1/2 v^4 at 0: h = 2 + (k^2/2 - 2) w^6 + v^4/2.
    The lowest homogeneous part v^4 / 2 has zeros; weights (w: 2, v: 3) give the principal part
    (k^2/2 - 2) w^6 + v^4/2 (negative somewhere for k = 1, positive definite for k = 3)."""
    net = _net([("x", "h"), ("h", "o1"), ("h", "o2"), ("x", "o3"), ("x", "g"), ("g", "o4")],
               ["x"], ["o1", "o2", "o3", "o4"],
               acts={"h": "poly(0, 0, 0, 1)", "g": "poly(0, 0, 1)"},
               fixed={("h", "o2"): k, ("g", "o4"): 1},
               ties={("h", "o1"): "u", ("x", "o3"): "u"})
    return compile_loss(net, [[1]], [[2], [0], [0], [0]]), {"x -> h": 0, "u": 0, "x -> g": 0}


def cusp():
    """L = 1/2 + 1/2 (a^2 - b^3)^2 at 0: a non-strict minimum whose zero set a^2 = b^3 is a cusp,
    not a manifold of critical points; every principal part has zeros. A minimum because the
    varying residual is 0 and the other one constant (L >= 1/2); strictness stays undecided."""
    net = _net([("x", "g"), ("x", "h"), ("g", "o1"), ("h", "o1"), ("x", "o2")], ["x"], ["o1", "o2"],
               acts={"g": "poly(0, 0, 1)", "h": "poly(0, 0, 0, 1)"},
               fixed={("g", "o1"): 1, ("h", "o1"): -1, ("x", "o2"): 0})
    return compile_loss(net, [[1]], [[0], [1]]), {"x -> g": 0, "x -> h": 0}


def cube_two_targets():
    """x -> h (h = u^3, weight w) -> y (fixed 1), samples (1, 1) and (1, -1): L = 1 + w^6 at w = 0."""
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "poly(0, 0, 0, 1)"}, fixed={("h", "y"): 1})
    return compile_loss(net, [[1, 1]], [[1, -1]]), {"x -> h": 0}


def _verdicts(loss, point):
    theta = loss.point(point)
    return tuple(f(loss, theta).status for f in (decide.local_minimum, decide.strict_local_minimum,
                                                  decide.saddle))


@pytest.mark.parametrize("make, expected", [
    (lambda: sextic(3), (V, V, R)),
    (lambda: sextic(1), (R, R, V)),
    (lambda: sextic(2), (I, I, I)),
    (constant_not_critical, (R, R, V)),
    (lambda: deep_chain(3, 1), (R, R, V)),        # cubic-only saddle: H = 0
    (lambda: deep_chain(5, 1), (R, R, V)),        # quintic-only saddle: H = 0, odd order 5
    (lambda: weighted(3), (V, V, R)),
    (lambda: weighted(1), (R, R, V)),
    (cusp, (V, I, R)),                             # L >= 1/2: the varying residual is 0, the other constant
    (cube_two_targets, (V, V, R)),
    (lambda: deep_chain(8, 1), (R, R, V)),        # slice of dimension 8, lowest part -w1...w8 (order 8)
    (cases.peano_like, (R, R, V)),
])
def test_degenerate_verdicts(make, expected):
    loss, point = make()
    assert _verdicts(loss, point) == expected


def test_sextic_decisions_rest_on_the_splitting_lemma_not_on_lines():
    loss, point = sextic(1)
    theta = loss.point(point)
    assert loss.taylor(theta, [loss.point({"x -> h": 1, "u": 0})], 6)[6] > 0     # the line says "minimum"
    v = decide.local_minimum(loss, theta)
    assert "order-6" in v.reason or "weighted order 6" in v.reason
    coeffs = v.evidence["taylor_coefficients_of_L"]
    assert coeffs[6] == "-3/2" and all(c == "0" for c in coeffs[1:6])
    v = decide.strict_local_minimum(*_at(sextic(3)))
    assert "degree 6" in v.reason and v.evidence["principal_part"]["part"] == "5*c1**6/2"


def _at(case):
    loss, point = case
    return loss, loss.point(point)


def test_constant_loss_family_that_is_not_critical_is_rejected():
    loss, theta = _at(constant_not_critical())
    F = loss.field
    a = decide.analyse(loss, theta)
    assert a.evidence["constant_loss_curves"]          # L is constant on x = 0 ...
    line = [F.zero, F.one]                              # ... the y axis, tangent = ker H
    assert prove_critical_family(loss, theta, [], [line]) is None
    assert critical_family(loss, theta, a.hessian, a.kernel, []) is None
    assert a.evidence["taylor_coefficients_of_L"][6] == "-2"


def test_cubic_only_saddle_ascent_is_exact():
    loss, theta = _at(deep_chain(3, 1))
    v = decide.saddle(loss, theta)
    assert v.status == V and v.evidence["inertia"]["zero"] == 3
    assert v.evidence["ascent"]["taylor_coefficients_of_L"][3] == "1"     # -(-1): the reversed cubic


def test_deep_chain_with_zero_target_is_a_minimum_by_loss_zero_only():
    loss, theta = _at(deep_chain(3, 0))
    assert decide.local_minimum(loss, theta).status == V
    # L = 1/2 (abc)^2 vanishes where one weight is zero: not strict (a constant-loss line)
    v = decide.strict_local_minimum(loss, theta)
    assert v.status == R and "constant on the curve" in v.reason


def test_lsz_theorem4_same_critical_family():
    net = conv1d(2, 2, "SAME", channels=1, d_y=2)
    loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]])
    for a in (1, 2, 3):
        theta = loss.point({"k1_1": 0, "k1_2": a, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": f"4/{a}",
                            "c1_2 -> y2": 0})
        v = decide.local_minimum(loss, theta)
        assert v.status == V and v.evidence["critical_family"]["dimension"] == 3
        assert decide.strict_local_minimum(loss, theta).status == R
        (channel,) = tied_rescalings(loss, theta)
        assert channel.up == [0, 1] and channel.down == [2, 3, 4, 5]
    # the same family at a point off the valley (w2 u3 != 4) is not critical: no family, no minimum
    theta = loss.point({"k1_1": 0, "k1_2": 1, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": 3,
                        "c1_2 -> y2": 0})
    assert decide.local_minimum(loss, theta).status == R


def test_families_need_a_polynomial_loss_and_a_direction():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[1]])
    theta = loss.point({p: 0 for p in loss.params})
    F = loss.field
    assert prove_critical_family(loss, theta, [], [[F.one, F.zero]]) is None      # tanh: not a polynomial
    assert prove_critical_family(loss, theta, [], []) is None


def test_weighted_principal_parts():
    F = Field(QQ)
    assert principal_part({(4, 0): F(1), (0, 6): F(1)}, (1, 1), 6) == (4, {(4, 0): F(1)})
    assert principal_part({(4, 0): F(1)}, (3, 2), 4) is None          # b^5, b^6 terms still unknown
    assert weighted_sign({(4, 0): F(1), (0, 6): F(1)}, 2, F, (3, 2))[0] == "positive"
    assert weighted_sign({(4, 0): F(1), (0, 6): F(-1)}, 2, F, (3, 2))[0] == "negative"
    assert weighted_sign({(2, 0): F(1), (0, 3): F(1)}, 2, F, (3, 2))[0] == "negative"    # odd in b
    assert weighted_sign({(4, 0): F(1), (2, 3): F(-2), (0, 6): F(1)}, 2, F, (3, 2))[0] == "undecided"
    assert candidate_weights(1) == [(1,)] and (2, 3) in candidate_weights(2)


def test_tied_channel_rescaling_gives_morse_bott_at_a_nonzero_loss_minimum():
    """One SAME-mode channel, one output, data that cannot be fitted: the least-squares row
    rho = (4/3, 7/3) is reached by u f(w) = (u1 w1, u1 w2 + u2 w1); the fibre through the point is the
    channel's rescaling composed with the line w2 -= 4/3 s, u2 += s (both proven critical)."""
    net = conv1d(2, 2, "SAME", channels=1, d_y=1)
    loss = compile_loss(net, [[1, 0, 1], [0, 1, 1]], [[1, 2, 4]])
    theta = loss.point({"k1_1": "4/3", "k1_2": "7/3", "c1_1 -> y1": 1, "c1_2 -> y1": 0})
    v = decide.local_minimum(loss, theta)
    assert v.status == V and v.evidence["loss"] != "0" and v.evidence["critical_family"]["dimension"] == 2
    assert decide.saddle(loss, theta).status == R
    # off the fibre (u1 w1 != 4/3) the same proposals prove nothing: not critical, refuted
    off = loss.point({"k1_1": 1, "k1_2": "7/3", "c1_1 -> y1": 1, "c1_2 -> y1": 0})
    assert decide.local_minimum(loss, off).status == R


def test_family_directions_must_be_exact_and_sized():
    loss, theta = _at(constant_not_critical())
    with pytest.raises(TypeError, match="float"):
        prove_critical_family(loss, theta, [], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="2 parameters"):
        prove_critical_family(loss, theta, [], [[0, 1, 0]])


def _cancelling_tanh(targets):
    """Two tanh neurons with opposite incoming weights and equal outgoing weights: the output is
    u tanh(x/2) + u tanh(-x/2) = 0 on every sample; with mirrored samples x = 1, -1 and equal targets
    every gradient entry cancels in pairs (tanh(-1/2) = -tanh(1/2))."""
    loss = compile_loss(dense([1, 2, 1], activation="tanh"), [[1, -1]], [targets])
    return loss, loss.point({"x1 -> h1_1": "1/2", "x1 -> h1_2": "-1/2", "h1_1 -> y1": 1, "h1_2 -> y1": 1})


def test_transcendental_gradient_zero_by_formal_identity():
    from losscert.kernel.formal import formal_gradient_zero
    loss, theta = _cancelling_tanh([1, 1])
    v = decide.critical_point(loss, theta)
    assert v.status == V and "formal identity" in v.reason and v.evidence["atoms"] == ["tanh(1/2)"]
    loss, theta = _cancelling_tanh([1, 2])          # unequal targets: the gradient is not zero
    assert formal_gradient_zero(loss, theta) is None
    assert decide.critical_point(loss, theta).status == R            # (Arb enclosure)
    # zero residuals: every gradient entry is a multiple of them, whatever the atoms tanh(1), tanh(2)
    net = _net([("x", "h"), ("x", "g"), ("h", "y"), ("g", "y")], ["x"], ["y"], acts={"h": "tanh", "g": "tanh"})
    loss = compile_loss(net, [[1]], [[0]])
    theta = loss.point({"x -> h": 1, "x -> g": 2, "h -> y": 0, "g -> y": 0})
    assert formal_gradient_zero(loss, theta)["atoms"] == ["tanh(1)", "tanh(2)"]
    theta = loss.point({"x -> h": 1, "x -> g": 2, "h -> y": 1, "g -> y": -1})   # tanh 1 - tanh 2 != 0
    assert formal_gradient_zero(loss, theta) is None and decide.critical_point(loss, theta).status == R


def test_formal_identity_with_sigmoid_and_polynomial_parts():
    from losscert.kernel.formal import formal_gradient_zero
    # sigmoid is not odd: sigmoid(1/2) and sigmoid(-1/2) are separate atoms and nothing cancels
    loss = compile_loss(dense([1, 2, 1], activation="sigmoid"), [[1, -1]], [[1, 1]])
    theta = loss.point({"x1 -> h1_1": "1/2", "x1 -> h1_2": "-1/2", "h1_1 -> y1": 1, "h1_2 -> y1": 1})
    assert formal_gradient_zero(loss, theta) is None
    # zero pre-activations of tanh are exact (tanh(0) = 0): no atom at all
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[0]])
    assert formal_gradient_zero(loss, loss.point({"x1 -> h1_1": 0, "h1_1 -> y1": 0})) == \
        {"gradient": "0 as a polynomial in the atoms (formal identity)", "atoms": []}


def test_dead_relu_neuron_family_near_a_smooth_point():
    """ReLU, samples x = 1, 2 with targets 1, 3: neuron 1 fits the least-squares slope 7/5 and
    neuron 2 (incoming weight -1) is negative on both samples, so near theta its weights move freely:
    the two rescalings and the incoming weight of neuron 2 span ker H (dim 3)."""
    loss = compile_loss(dense([1, 2, 1], activation="relu"), [[1, 2]], [[1, 3]])
    theta = loss.point({"x1 -> h1_1": 1, "x1 -> h1_2": -1, "h1_1 -> y1": "7/5", "h1_2 -> y1": 1})
    v = decide.local_minimum(loss, theta)
    assert v.status == V and "piecewise-linear" in v.evidence["critical_family"]["why"]
    assert decide.saddle(loss, theta).status == R
    worse = loss.point({"x1 -> h1_1": 1, "x1 -> h1_2": -1, "h1_1 -> y1": "6/5", "h1_2 -> y1": 1})
    assert decide.local_minimum(loss, worse).status == R                 # not critical
    kink = loss.point({"x1 -> h1_1": 1, "x1 -> h1_2": 0, "h1_1 -> y1": "7/5", "h1_2 -> y1": 1})
    F = loss.field
    assert prove_critical_family(loss, kink, [], [[F.zero, F.zero, F.zero, F.one]]) is None   # a kink


def test_a_curved_critical_manifold_is_not_proposed_so_inconclusive():
    """L = 1/2 + 1/2 (a^2 + b^2 - 1)^2 at (1, 0): a circle of critical points with tangent ker H, a
    (non-strict) minimum; no affine / group family spans it and the effective function vanishes
    to every order. The minimum is proven by the constant residual (L >= 1/2, the other residual
    is 0 here), never by a constant-loss argument; strictness stays undecided."""
    net = _net([("x", "g"), ("x", "h"), ("g", "o1"), ("h", "o1"), ("x", "o2")], ["x"], ["o1", "o2"],
               acts={"g": "poly(0, 0, 1)", "h": "poly(0, 0, 1)"},
               fixed={("g", "o1"): 1, ("h", "o1"): 1, ("x", "o2"): 0})
    loss = compile_loss(net, [[1]], [[1], [1]])
    theta = loss.point({"x -> g": 1, "x -> h": 0})
    a = decide.analyse(loss, theta)
    assert a.evidence["inertia"] == {"positive": 1, "negative": 0, "zero": 1}
    assert critical_family(loss, theta, a.hessian, a.kernel, []) is None
    assert _verdicts(loss, {"x -> g": 1, "x -> h": 0}) == (V, I, R)
    assert "constant" in decide.local_minimum(loss, theta).reason


def test_loss_values_equal_by_formal_identity():
    loss, theta = _cancelling_tanh([1, 1])
    v = decide.loss_value(loss, theta, loss.field(1))        # the two neurons cancel: L = (1 + 1) / 2
    assert v.status == V and "polynomial identity" in v.reason
    assert decide.loss_value(loss, theta, loss.field(2)).status == R           # (Arb enclosure)
    mirrored = loss.point({"x1 -> h1_1": "-1/2", "x1 -> h1_2": "1/2", "h1_1 -> y1": 1, "h1_2 -> y1": 1})
    from losscert.kernel.formal import formal_values_equal
    assert formal_values_equal(loss, theta, mirrored)["atoms"] == ["tanh(1/2)"]
    # L(better) = ((1 - tanh 1/2)^2 + (1 + tanh 1/2)^2) / 2 = 1 + tanh^2(1/2) != 1: not formally equal
    better = loss.point({"x1 -> h1_1": "1/2", "x1 -> h1_2": "-1/2", "h1_1 -> y1": 1, "h1_2 -> y1": 0})
    assert formal_values_equal(loss, theta, better) is None


def _lsz(a=1):
    loss = compile_loss(conv1d(2, 2, "SAME", channels=1, d_y=2), [[1, 0], [0, 1]], [[1, 0], [0, 4]])
    return loss, {"k1_1": 0, "k1_2": a, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": sympy.Rational(4, a),
                  "c1_2 -> y2": 0}


@pytest.mark.parametrize("make", [_lsz, lambda: sextic(3), lambda: weighted(3), cube_two_targets])
def test_mutations_of_new_minima_never_leave_a_false_verified(make):
    """Move one coordinate (or one data entry) by a small rational: where the float gradient of
    SymPy's expression (an independent oracle) is not zero, the verdicts must be refuted."""
    from test_kernel_soundness import _float_gradient_norm
    loss, point = make()
    assert decide.local_minimum(loss, loss.point(point)).status == V
    for p in loss.params:
        mutated = dict(point)
        mutated[p] = sympy.Rational(str(point[p])) + sympy.Rational(1, 100)
        theta = loss.point(mutated)
        if _float_gradient_norm(loss, theta) > 1e-12:
            assert decide.local_minimum(loss, theta).status == R
        else:                           # still on the critical set (the valley's free weights)
            assert decide.critical_point(loss, theta).status == V
    rows = [list(r) for r in loss.Y_sym]
    for i in range(len(rows)):
        data = [list(r) for r in rows]
        data[i][0] = data[i][0] + sympy.Rational(1, 10)
        mut = compile_loss(loss.network, loss.X_sym, data)
        theta = mut.point(point)
        if _float_gradient_norm(mut, theta) > 1e-12:
            assert decide.local_minimum(mut, theta).status == R


def test_saddle_at_a_strict_local_maximum_is_not_verified():
    """F = w^2 (square activation, output weight fixed 1), y = 1: L = 1/2 (w^2 - 1)^2 has
    a strict local maximum at w = 0 (H = -2): neither a saddle nor a minimum."""
    net = _net([("x", "h"), ("h", "o")], ["x"], ["o"], acts={"h": "poly(0, 0, 1)"}, fixed={("h", "o"): 1})
    loss = compile_loss(net, [[1]], [[1]])
    theta = loss.point([0])
    v = decide.saddle(loss, theta)
    assert v.status == I and "strict local maximum" in v.reason
    assert decide.local_minimum(loss, theta).status == R


def test_time_guard_on_higher_orders_answers_inconclusive(monkeypatch):
    """sextic(3) needs order 6; with no time for orders beyond 4 it must say why, not guess."""
    monkeypatch.setattr(decide, "JET_SECONDS", -1)
    decide.clear_cache()
    loss, point = sextic(3)
    v = decide.local_minimum(loss, loss.point(point))
    assert v.status == I and "higher orders not computed" in v.reason
    decide.clear_cache()


def test_dead_tanh_neuron_refutes_strictness_without_evaluating_the_loss():
    """tanh(1) cannot be evaluated exactly, but h1's outgoing weight is 0, so its
    incoming weight moves freely: a curve of constant loss proven from the network."""
    net = _net([("x", "h1"), ("x", "h2"), ("h1", "y"), ("h2", "y")], ["x"], ["y"],
               acts={"h1": "tanh", "h2": "tanh"})
    loss = compile_loss(net, [[1, -1]], [[0, 0]])
    theta = loss.point({"x -> h1": 1, "x -> h2": "1/2", "h1 -> y": 0, "h2 -> y": 0})
    v = decide.strict_local_minimum(loss, theta)
    assert v.status == R and "h1 has zero outgoing weights" in v.reason
    assert decide.local_minimum(loss, theta).status == V      # L = 0 exactly in Q(e) (issue 20)
    # with both outgoing weights non-zero no structural curve exists: strictness is not refuted by one
    theta = loss.point({"x -> h1": 1, "x -> h2": "1/2", "h1 -> y": "1/5", "h2 -> y": "1/3"})
    assert "constant on the curve" not in decide.strict_local_minimum(loss, theta).reason


def _constant_outputs_by_the_loop(loss):
    """constant_outputs as it was before the shortcut for nodes varying on
    every sample (3fabe36): every node, every sample."""
    from losscert.activations import NonSmooth, NotExact
    F, n = loss.field, loss.n
    value = {i: list(loss.X[i]) for i in range(loss.n_inputs)}
    for st in loss.steps:
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


def test_constant_outputs_shortcut_agrees_with_the_loop():
    """Random layered nets with skip connections, fixed weights (0 among
    them), biases, mixed activations, data with zeros: the shortcut returns
    the very set the per-sample loop does."""
    import random
    import networkx as nx
    from losscert.network import Network
    acts = ["linear", "relu", "tanh", "poly(0, 1, 1/2)", "poly(1, 1)", "leaky_relu(1/4)"]
    nonempty = 0
    for seed in range(300):
        rng = random.Random(seed)
        d = rng.randint(1, 3)
        layers = [[f"x{i + 1}" for i in range(d)]]
        layers += [[f"h{l}_{i}" for i in range(rng.randint(1, 3))] for l in range(rng.randint(1, 3))]
        layers.append([f"y{i + 1}" for i in range(rng.randint(1, 2))])
        g, prev = nx.DiGraph(), list(layers[0])
        for layer in layers[1:]:
            for v in layer:
                for u in rng.sample(prev, rng.randint(1, len(prev))):
                    g.add_edge(u, v, **({"fixed": rng.choice([0, 1, -2, "1/3"])} if rng.random() < 0.3 else {}))
                if v.startswith("h"):
                    g.nodes[v]["activation"] = rng.choice(acts)
                    g.nodes[v]["bias"] = rng.random() < 0.3
            prev += layer
        g.add_nodes_from(layers[0] + layers[-1])
        try:
            net = Network(g, layers[0], layers[-1])
        except ValueError:
            continue
        n = rng.randint(1, 4)
        X = [[rng.choice([0, 0, 1, -1, 2, "1/2"]) for _ in range(n)] for _ in range(d)]
        loss = compile_loss(net, X, [[rng.randint(-1, 1) for _ in range(n)] for _ in layers[-1]])
        fixed = decide.constant_outputs(loss)
        assert fixed == _constant_outputs_by_the_loop(loss), seed
        nonempty += bool(fixed)
    assert nonempty >= 30
