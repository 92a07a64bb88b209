"""Kinks at any depth (kernel/deep_kinks.py): descent curves through kinks
computed exactly, minima proven piece by piece, checked against the truth
worked out by hand and against a brute-force oracle that can only refute."""
import random

import pytest
import sympy
from cases import _net, oracle_drop, verdicts

from losscert import compile_loss, dense, kernel
from losscert.activations import activation
from losscert.kernel.deep_kinks import at_any_kink, at_deep_kink, curve_descent, find_deep_kinks, kink_pieces

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE
Q = sympy.Rational


def chain(target):
    """y = v relu(u relu(w x)) on x = 1: the second neuron is kinked at u = 0."""
    loss = compile_loss(dense([1, 1, 1, 1], activation="relu"), [[1]], [[target]])
    return loss, {"x1 -> h1_1": 1, "h1_1 -> h2_1": 0, "h2_1 -> y1": 1}


def v_net(act):
    """y = act(u relu(w x + 1) - 1) (fixed weights 1, -1 and output weight 1)
    on x = 1, -1: at w = 0, u = 1 the second neuron is kinked on both
    samples, and no rescaling orbit exists (fixed incident edges)."""
    net = _net([("x", "h1"), ("one", "h1"), ("h1", "h2"), ("one", "h2"), ("h2", "y")], ["x", "one"], ["y"],
               acts={"h1": "relu", "h2": act}, fixed={("one", "h1"): 1, ("one", "h2"): -1, ("h2", "y"): 1})
    return compile_loss(net, [[1, -1], [1, 1]], [[-1, -1]]), {"x -> h1": 0, "h1 -> h2": 1}


# -- the decisions ------------------------------------------------------------------

def test_deep_kink_with_descent_is_refuted_by_an_exact_curve_with_a_real_drop():
    # L = 1/2 (v relu(u relu(w)) - 1)^2 at (1, 0, 1): u > 0 lowers L at first order
    loss, point = chain(1)
    theta = loss.point(point)
    v = kernel.local_minimum(loss, theta)
    assert v.status == R and "curve" in v.reason
    ev = v.evidence
    assert ev["kink_pattern_along_curve"] == {"h2_1 @ sample 1": "+"}
    coeffs = [Q(c) for c in ev["taylor_coefficients_of_L"]]
    lead = next(c for c in coeffs[1:] if c)
    assert coeffs[0] == Q(1, 2) and lead < 0
    d = [Q(ev["d1"].get(p, 0)) for p in loss.params]
    t = Q(ev["exact_example"]["t"])
    moved = loss.point([a + t * b for a, b in zip([1, 0, 1], d)])
    assert loss.value(moved) == Q(ev["exact_example"]["loss_at_t"]) < loss.value(theta)
    assert kernel.strict_local_minimum(loss, theta).status == R
    assert kernel.saddle(loss, theta).status == I        # no gradient at a kink


def test_deep_kink_minimum_of_every_piece_with_rescaling_orbits_is_a_non_strict_minimum():
    # target -1: v relu(...) >= 0 near v = 1, so L >= 1/2 = L(theta); the rescalings keep L
    loss, point = chain(-1)
    assert verdicts(loss, point) == (V, R, I)
    v = kernel.local_minimum(loss, loss.point(point))
    hows = [p["how"] for p in v.evidence["pieces"]]
    assert len(hows) == 2 and any("slice transversal" in h for h in hows)
    assert any("unconstrained local minimum" in h for h in hows)
    assert oracle_drop(loss, loss.point(point), random.Random(3)) is None


def test_deep_v_shaped_kink_is_a_strict_minimum_by_the_constrained_second_order_condition():
    # each sample's term 1/2 (s(z) + 1)^2 with slopes 1 and -1/2 grows on both sides of z = 0, and
    # z1 = z2 = 0 only at theta: a strict minimum, though no piece is critical
    loss, point = v_net("leaky_relu(-1/2)")
    assert verdicts(loss, point) == (V, V, I)
    v = kernel.local_minimum(loss, loss.point(point))
    assert v.evidence["sign_patterns"] == 4
    assert all("multipliers" in p["how"] for p in v.evidence["pieces"])
    assert oracle_drop(loss, loss.point(point), random.Random(4)) is None


@pytest.mark.parametrize("slope", ["1/2", "2"])
def test_deep_leaky_kink_with_a_positive_left_slope_is_refuted(slope):
    # slope a > 0 on the left: lowering z lowers s(z) + 1 > 0 at first order
    loss, point = v_net(f"leaky_relu({slope})")
    v = kernel.local_minimum(loss, loss.point(point))
    assert v.status == R and "-" in v.evidence["kink_pattern_along_curve"].values()
    assert Q(v.evidence["exact_example"]["loss_at_t"]) < loss.value(loss.point(point))


def test_deep_relu_minimum_that_second_order_cannot_prove_is_inconclusive_with_the_reason():
    # relu: L >= 1 near theta (each term >= 1/2), but on the piece (+, -) L = 1 along the curve
    # u (w + 1) = 1, w > 0: zero curvature of the Lagrangian on the critical cone
    loss, point = v_net("relu")
    v = kernel.local_minimum(loss, loss.point(point))
    assert v.status == I
    assert "piece (" in v.reason and "zero direction" in v.reason and "not critical" in v.reason
    assert oracle_drop(loss, loss.point(point), random.Random(5)) is None


def test_first_layer_kinks_keep_the_cone_analysis():
    # x -> h -> y with h reading inputs only: the (sharper) first-layer analysis answers
    loss = compile_loss(dense([1, 2, 1], activation="relu"), [[1, 2, 3]], [[-1, -1, -1]])
    theta = loss.point({"x1 -> h1_1": 0, "x1 -> h1_2": 0, "h1_1 -> y1": 1, "h1_2 -> y1": 1})
    r = at_any_kink(loss, theta, loss.value(theta, raw=True))
    assert r.is_min and "critical cone" in r.reason and "pieces" not in r.evidence


def test_elu_kink_descent_is_refuted():
    # L = 1/2 (v elu(w) - 1)^2 at (0, 1): w > 0 lowers L (the piece z); the ELU piece is analytic
    # with rational Taylor coefficients at the kink, so the curve's expansion is exact
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "elu(1/2)"})
    loss = compile_loss(net, [[1]], [[1]])
    v = kernel.local_minimum(loss, loss.point({"x -> h": 0, "h -> y": 1}))
    assert v.status == R and v.evidence["kink_pattern_along_curve"] == {"h @ sample 1": "+"}
    assert Q(v.evidence["exact_example"]["loss_at_t"]) < Q(1, 2)
    # L = 1/2 (v elu(w) + 1)^2 at (0, 1) with elu(2): only lowering w descends, on the ELU piece, whose
    # values are transcendental; its expansion 2 (e^z - 1) = 2 z + z^2 + ... is exact at the kink
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "elu(2)"})
    loss = compile_loss(net, [[1]], [[-1]])
    v = kernel.local_minimum(loss, loss.point({"x -> h": 0, "h -> y": 1}))
    assert v.status == R and v.evidence["kink_pattern_along_curve"] == {"h @ sample 1": "-"}
    assert "not exact" in v.evidence["exact_example"]


def test_elu_kink_strict_minimum_by_second_order_on_the_truncated_pieces():
    # elu(-1/2) pieces: z (right) and -(e^z - 1)/2 (left); with target -1 both sides raise
    # 1/2 (elu(w) + 1)^2 at first order: a strict minimum, from the pieces' 2-jets alone
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "elu(-1/2)"}, fixed={("h", "y"): 1})
    loss = compile_loss(net, [[1]], [[-1]])
    assert verdicts(loss, {"x -> h": 0}) == (V, V, I)


def test_curve_descent_reads_the_pattern_off_the_lowest_coefficient():
    # along (w, u, v) = (1, t^2 - t, 1): z2 = t^2 - t < 0 for small t > 0 although the t^2 term is positive
    loss, point = chain(1)
    theta = loss.point(point)
    F = loss.field
    assert curve_descent(loss, theta, [[F(0), F(-1), F(0)], [F(0), F(1), F(0)]], loss.value(theta, raw=True)) is None
    ev = curve_descent(loss, theta, [[F(0), F(1), F(0)], [F(0), F(-1), F(0)]], loss.value(theta, raw=True))
    assert ev["kink_pattern_along_curve"] == {"h2_1 @ sample 1": "+"}
    # a pre-activation zero to the working order: either piece gives 0 there
    assert curve_descent(loss, theta, [[F(1), F(0), F(0)]], loss.value(theta, raw=True)) is None


def test_kink_pieces_are_read_off_the_expression():
    assert kink_pieces(activation("relu"), 2) == ((0, 0, 0), (0, 1, 0))
    assert kink_pieces(activation("leaky_relu(1/10)"), 1) == ((0, Q(1, 10)), (0, 1))
    assert kink_pieces(activation("elu"), 3) == ((0, 1, Q(1, 2), Q(1, 6)), (0, 1, 0, 0))
    assert kink_pieces(activation("leaky_relu(1)"), 2) is None          # no kink: both pieces are z
    assert kink_pieces(activation("poly(0, 1, 1)"), 2) is None


def test_find_deep_kinks_lists_every_zero_pre_activation_of_a_kinked_neuron():
    loss, point = v_net("relu")
    kinks, flat = find_deep_kinks(loss, loss.point(point))
    assert [(n, k) for n, k, _ in kinks] == [("h2", 0), ("h2", 1)] and not flat
    # a first-layer neuron whose inputs are all 0 on a sample (no bias): zero whatever the parameters
    net = _net([("x1", "h"), ("x2", "h"), ("h", "y")], ["x1", "x2"], ["y"], acts={"h": "elu"})
    loss = compile_loss(net, [[0, 1], [0, 0]], [[1, 1]])
    kinks, flat = find_deep_kinks(loss, loss.point({"x1 -> h": 0, "x2 -> h": 0, "h -> y": 1}))
    assert [(n, k) for n, k, _ in kinks] == [("h", 1)] and [(n, k) for n, k, _ in flat] == [("h", 0)]


def test_too_many_deep_kinks_say_the_bound():
    from losscert.kernel.kinks import MAX_KINKS
    n = MAX_KINKS + 1
    loss = compile_loss(dense([1, 1, 1, 1], activation="relu"), [[1] * n], [[-1] * n])
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> h2_1": 0, "h2_1 -> y1": 1})
    v = kernel.local_minimum(loss, theta)
    assert v.status == I and f"2^{n}" in v.reason


def test_transcendental_values_away_from_the_kink_are_inconclusive_not_guessed():
    # a tanh neuron with a non-zero argument: the pieces' values are not exact
    net = _net([("x", "h1"), ("h1", "h2"), ("h2", "y"), ("x", "t"), ("t", "y")], ["x"], ["y"],
               acts={"h1": "relu", "h2": "relu", "t": "tanh"})
    loss = compile_loss(net, [[1]], [[-1]])
    theta = loss.point({"x -> h1": 1, "h1 -> h2": 0, "h2 -> y": 1, "x -> t": 1, "t -> y": 1})
    v = kernel.local_minimum(loss, theta)
    assert v.status in (I, R)
    if v.status == R:                  # only through a rigorous enclosure or exact Q(e), never from a guessed value
        assert "Arb" in v.reason or "exact in Q(" in v.reason \
            or "not exact" in str(v.evidence.get("exact_example", ""))


def test_at_deep_kink_never_refutes_a_zero_loss_point():
    loss, point = chain(0)
    theta = loss.point(point)
    r = at_deep_kink(loss, theta, loss.value(theta, raw=True))
    assert r.is_min is not False
    assert kernel.local_minimum(loss, theta).status == V


def test_curve_descent_misuse():
    loss, point = chain(1)
    theta = loss.point(point)
    F = loss.field
    assert curve_descent(loss, theta, [[F(0)] * 3], loss.value(theta, raw=True)) is None      # no direction
    with pytest.raises(AssertionError):                                                # wrong base value
        curve_descent(loss, theta, [[F(0), F(1), F(0)]], loss.value(theta, raw=True) + 1)
    with pytest.raises(ValueError, match="3 entries"):                                # wrong length
        curve_descent(loss, theta, [[F(1)]], loss.value(theta, raw=True))
    with pytest.raises(ValueError):
        kernel.local_minimum(loss, {"x1 -> h1_1": 1, "h1_1 -> h2_1": 0})                # a missing parameter
    with pytest.raises(ValueError):                                                    # not an exact number
        compile_loss(dense([1, 1, 1, 1], activation="leaky_relu(pi)"), [[1]], [[-1]])


@pytest.mark.parametrize("slope, expected", [("sqrt(2)/2", R), ("-sqrt(2)", V)])
def test_deep_leaky_kinks_with_radical_slopes_decide_over_the_algebraic_field(slope, expected):
    # v_net: each sample's term 1/2 (s(z) + 1)^2; a left slope a > 0 lowers it for z < 0 (descent),
    # a < 0 raises it on both sides (a strict minimum)
    loss, point = v_net(f"leaky_relu({slope})")
    assert not loss.field.is_rational
    assert kernel.local_minimum(loss, loss.point(point)).status == expected


# -- random nets against a brute-force oracle -----------------------------------------

def random_deep_kink(rng):
    """A 1-2-1-1 net (biases, random slopes) with its second-layer neuron kinked on sample 1."""
    act = rng.choice(["relu", "leaky_relu(-1/2)", "leaky_relu(1/3)"])
    loss = compile_loss(dense([1, 2, 1, 1], activation=act, biases=True),
                        [[rng.choice([-2, -1, 1, 2]) for _ in range(3)]], [[rng.randint(-3, 3) for _ in range(3)]])
    vals = {p: Q(rng.randint(-3, 3), rng.choice([1, 2])) for p in loss.params}
    theta = loss.point(vals)
    pre = {}
    from losscert.compiler import FieldAlgebra
    loss._forward(theta, FieldAlgebra(loss.field), False, pre=pre)
    slot = {st.name: st.slot for st in loss.steps}
    vals["b:h2_1"] -= loss.field.to_sympy(pre[slot["h2_1"]][0])       # z(h2_1) = 0 on sample 1
    return loss, loss.point(vals)


def test_random_deep_kinks_never_verify_what_the_oracle_refutes():
    rng = random.Random(11)
    seen = set()
    for _ in range(25):
        loss, theta = random_deep_kink(rng)
        verdict = kernel.local_minimum(loss, theta)
        seen.add(verdict.status)
        if verdict.status == V:
            assert oracle_drop(loss, theta, rng) is None
        if verdict.status == R and "exact_example" in verdict.evidence:
            ex = verdict.evidence["exact_example"]
            assert Q(ex["loss_at_t"]) < loss.value(theta)
    assert R in seen


def test_mutated_v_nets_agree_with_the_oracle():
    rng = random.Random(12)
    seen = set()
    for act in ("leaky_relu(-1/2)", "leaky_relu(-2)", "leaky_relu(1/2)", "relu"):
        for dy in (0, Q(1, 3), Q(-1, 2), 2):
            loss0, point = v_net(act)
            loss = compile_loss(loss0.network, loss0.X_sym, [[-1 + dy, -1]])
            theta = loss.point(point)
            verdict = kernel.local_minimum(loss, theta)
            seen.add(verdict.status)
            drop = oracle_drop(loss, theta, rng)
            if drop is not None:
                assert verdict.status != V
    assert V in seen and R in seen


def random_v_net(rng):
    """v_net with random inputs, targets and slope: the second neuron kinked on every sample."""
    act = rng.choice(["relu", "leaky_relu(-1/2)", "leaky_relu(-2)", "leaky_relu(1/3)"])
    xs = rng.sample([1, -1, 2, -3, 3], 3)
    net = _net([("x", "h1"), ("one", "h1"), ("h1", "h2"), ("one", "h2"), ("h2", "y")], ["x", "one"], ["y"],
               acts={"h1": "relu", "h2": act}, fixed={("one", "h1"): 1, ("one", "h2"): -1, ("h2", "y"): 1})
    loss = compile_loss(net, [xs, [1, 1, 1]], [[rng.choice([-2, -1, Q(-1, 3), 1]) for _ in xs]])
    return loss, loss.point({"x -> h1": 0, "h1 -> h2": 1})


def test_random_deep_v_nets_agree_with_the_oracle():
    rng = random.Random(13)
    seen = set()
    for _ in range(16):
        loss, theta = random_v_net(rng)
        verdict = kernel.local_minimum(loss, theta)
        seen.add(verdict.status)
        if oracle_drop(loss, theta, rng) is not None:
            assert verdict.status != V
        if verdict.status == R:
            assert Q(verdict.evidence["exact_example"]["loss_at_t"]) < loss.value(theta)
    assert V in seen and R in seen


def test_random_small_deep_nets_with_dead_neurons_agree_with_the_oracle():
    # small weights from {0, +-1, 2, 1/2}: dead and kinked neurons at several depths; every verified
    # minimum survives a denser oracle, every refutation carries a real drop or an exact expansion
    rng = random.Random(21)
    seen = set()
    for trial in range(80):
        act = rng.choice(["relu", "leaky_relu(-1/2)", "leaky_relu(1/4)"])
        n = rng.choice([1, 2, 3])
        X = [[rng.choice([-2, -1, 1, 2]) for _ in range(n)]]
        Y = [[rng.choice([-2, -1, 0, 1]) for _ in range(n)]]
        loss = compile_loss(dense(rng.choice([[1, 1, 1, 1], [1, 2, 1, 1], [1, 1, 2, 1]]), activation=act), X, Y)
        theta = loss.point([rng.choice([0, 0, 1, -1, 2, Q(1, 2)]) for _ in loss.params])
        if not find_deep_kinks(loss, theta)[0] or not loss.value(theta):
            continue
        verdict = kernel.local_minimum(loss, theta)
        seen.add(verdict.status)
        if verdict.status == V:
            assert oracle_drop(loss, theta, random.Random(trial), tries=150) is None
        if verdict.status == R and isinstance(verdict.evidence.get("exact_example"), dict):
            assert Q(verdict.evidence["exact_example"]["loss_at_t"]) < loss.value(theta)
    assert seen == {V, R, I}
