"""No wrong `verified`: exact domains, sound effectiveness, proven constant-loss
curves, verdicts that cannot mislead (issue 10).

Every misuse case below must answer refuted or inconclusive, never
verified; the verified cases keep the rules useful.
"""
import json
import pickle
import random

import mpmath
import networkx as nx
import pytest
import sympy

from cases import _net
from losscert import Network, compile_loss, dense, effective, kernel
from losscert.activations import NAMES, activation, positive_homogeneity, z
from losscert.kernel import algebra, assumptions
from losscert.kernel.symmetry import Curve, candidate_curves, check_constant
from losscert.kernel.verdict import Status, Verdict

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE
tanh, sigmoid, softplus = activation("tanh"), activation("sigmoid"), activation("softplus")
x, y = sympy.symbols("x y")
DOUBLE_ANGLE = sympy.Matrix([[tanh(2), 2 * tanh(1)], [1, 1 + tanh(1) ** 2]])   # singular: tanh 2 = 2t/(1+t^2)


# -- exact domains ---------------------------------------------------------------------------

def test_rank_of_transcendental_constants_is_never_verified_wrongly():
    # exponentials of rationals are exact in Q(e) (issue 20): the double-angle rank drop is decided
    assert algebra.rank_is(DOUBLE_ANGLE, 2).status == R
    assert algebra.rank_is(DOUBLE_ANGLE, 1).status == V
    assert algebra.rank_is(DOUBLE_ANGLE, 3).status == R      # every 3x3 minor is formally zero
    trig = sympy.Matrix([[sympy.sin(1) ** 2 + sympy.cos(1) ** 2, 1], [1, 1]])
    assert algebra.rank_is(trig, 2).status == I
    assert algebra.rank_is(sympy.Matrix([[sympy.exp(x), 1], [1, sympy.exp(-x)]]), 2).status == I


def test_rank_with_provably_independent_constants_is_verified():
    v = algebra.rank_is(sympy.Matrix([[sympy.pi, 1], [1, 1]]), 2)
    assert v.status == V and "Arb" in v.reason
    assert algebra.rank_is(sympy.Matrix([[sympy.pi, 1], [1, 1]]), 1).status == R
    assert algebra.rank_is(sympy.Matrix([[x * tanh(1), 1], [1, x]]), 2).status == V
    assert algebra.rank_is(sympy.Matrix([[tanh(1), 2 * tanh(1)], [1, 2]]), 1).status == V     # formal rank 1
    # algebraic numbers are exact (today's EX domain refused them)
    assert algebra.rank_is(sympy.Matrix([[sympy.sqrt(2), 1], [2, sympy.sqrt(2)]]), 1).status == V
    assert algebra.rank_is(sympy.Matrix([[sympy.sqrt(2), 1], [3, sympy.sqrt(2)]]), 2).status == V


def test_large_matrices_of_constants_stay_bounded():
    atoms = [tanh(sympy.Rational(k, 3)) for k in range(1, 11)]
    rows = [[atoms[(3 * i + j) % 10] * atoms[(i + 2 * j) % 10] + (i - j) for j in range(6)] for i in range(5)]
    rows.append([a + b for a, b in zip(rows[0], rows[1])])             # singular
    singular = sympy.Matrix(rows)
    assert algebra.rank_is(singular, 6).status in (R, I)
    assert algebra.rank_is(singular, 5).status == V                   # exact in Q(e^(1/3)) (issue 20)
    regular = sympy.Matrix(6, 6, lambda i, j: tanh(sympy.Rational(6 * i + j + 1, 7)))
    assert algebra.rank_is(regular, 6).status == V
    assert algebra.determinant_is(regular, 0).status == R
    assert algebra.determinant_is(singular, 0).status == V              # exact in Q(e^(1/3)) (issue 20)


def test_generic_rank_of_symbol_matrices_is_kept():
    M = sympy.Matrix([[x, y], [x * y, y ** 2]])            # det = x y^2 - x y^2 = 0
    assert algebra.rank_is(M, 1).status == V and algebra.rank_is(M, 2).status == R
    assert algebra.rank_is(sympy.Matrix([[x, 1], [1, x]]), 2).status == V   # singular only at x = +-1


@pytest.mark.parametrize("bad", [sympy.Matrix([[0.1, 0.2], [1, 2]]), [[0.5, 1], [1, 3]],
                                 [[sympy.Float(1), 0], [0, 1]]])
def test_floats_are_refused_by_rank(bad):
    v = algebra.rank_is(bad, 2)
    assert v.status == I and v.reason == algebra.FLOAT_REASON


def test_float_inequality_is_refused_and_decimal_text_is_exact():
    v = algebra.inequality(sympy.Float(0.1) + sympy.Float(0.2), sympy.Float(0.3), strict=True)
    assert v.status == I and "floats are not exact" in v.reason
    assert algebra.inequality(0.1 + 0.2, 0.3, strict=True).status == I
    assert algebra.inequality("0.1 + 0.2", "0.3").status == V
    assert algebra.inequality("0.1 + 0.2", "0.3", strict=True).status == R
    assert algebra.identity(x * sympy.Float(2), 2 * x).status == I
    assert algebra.determinant_is([[0.5]], "1/2").status == I


def test_identity_compares_shapes():
    v = algebra.identity(sympy.Matrix([[1, 2], [3, 4]]), sympy.Matrix([[1, 2, 3, 4]]))
    assert v.status == R and "shapes differ" in v.reason
    assert algebra.identity([1, 2], [[1, 2]]).status == R
    assert algebra.identity(sympy.Matrix([[1]]), 1).status == R
    assert algebra.identity([1, 3, 5], [1, 3, 5]).status == V
    assert algebra.identity(sympy.Matrix([[x, 1], [0, x]]), [[x, 1], [0, x]]).status == V


def test_identities_with_transcendental_constants():
    # formally zero: proven whatever tanh(1), tanh(2) are
    assert algebra.identity(tanh(2) * (1 + tanh(1) ** 2), tanh(2) + tanh(2) * tanh(1) ** 2).status == V
    # true (double angle): exact in Q(e) (issue 20); never refuted
    assert algebra.identity(tanh(2), 2 * tanh(1) / (1 + tanh(1) ** 2)).status == V
    assert algebra.determinant_is(DOUBLE_ANGLE, 0).status == V
    # false, and an enclosure proves it
    assert algebra.identity(tanh(2), tanh(1)).status == R
    assert algebra.determinant_is(DOUBLE_ANGLE, 1).status == R
    assert algebra.identity(sympy.sin(1) ** 2 + sympy.cos(1) ** 2, 1).status == I
    assert algebra.identity(sigmoid(0), sympy.Rational(1, 2)).status == V


def test_a_denominator_that_may_vanish_makes_the_rule_inconclusive():
    zero = tanh(2) - 2 * tanh(1) / (1 + tanh(1) ** 2)
    assert algebra.identity(1 / zero, 1).status == I
    assert algebra.identity(sympy.Mul(zero, sympy.Pow(zero, -1, evaluate=False), evaluate=False), 1).status == I
    assert algebra.rank_is(sympy.Matrix([[1 / zero, 1], [1, 1]]), 2).status == I


def test_numeric_inequalities_with_constants_use_enclosures():
    assert algebra.inequality(tanh(2), tanh(1), strict=True).status == V
    assert algebra.inequality(tanh(1), tanh(2)).status == R
    assert algebra.inequality(sigmoid(2) + softplus(1), 1, strict=True).status == V
    assert algebra.inequality(tanh(2), 2 * tanh(1) / (1 + tanh(1) ** 2)).status == V    # equal, exactly in Q(e)
    assert algebra.inequality(tanh(2), 2 * tanh(1) / (1 + tanh(1) ** 2), strict=True).status == R
    assert algebra.inequality(sympy.pi, sympy.Rational(355, 113)).status == R


def test_certificates_and_counterexamples_are_checked_exactly():
    a = sympy.Symbol("a", positive=True)
    # sqrt(x)**2 = x is not a square for x < 0
    assert algebra.inequality(x, 0, certificate=[(1, sympy.sqrt(x))]).status == I
    assert algebra.inequality(x ** 2, 0, certificate=[(1, x)]).status == V
    assert algebra.inequality(x ** 2, 0, certificate=[(0.5, x), (0.5, x)]).status == I
    # a counterexample must respect the symbol's assumptions
    assert algebra.inequality(a, 0, counterexample={"a": -1}).status == I
    assert algebra.inequality(x, 0, counterexample={"x": -1}).status == R
    assert algebra.inequality(x, 0, counterexample={"x": 0}, strict=True).status == R
    assert algebra.inequality(x, 0, counterexample={"x": sympy.Float(-1)}).status == I


# -- data shapes in the assumptions ----------------------------------------------------------

@pytest.mark.parametrize("rule", [assumptions.lsz_assumption1, assumptions.lds_assumption1])
def test_assumption_checkers_compare_data_with_the_network(rule):
    net = dense([3, 4, 1], activation="tanh")
    v = rule(net, [[1, 2, 3]])
    assert v.status == I and "3 inputs" in v.reason and "\n" not in v.reason
    assert rule(net, [[1, 2, 3], [4, 5], [6, 7, 8]]).status == I
    assert rule(net, [[1, 2, 3], [4, 5, 7], [6, 7, 9]]).status == V


# -- effective: nodes with sigma(0) != 0 feed a constant -----------------------------------------

def _issue_net(act):
    g = nx.DiGraph([("x1", "h1"), ("h1", "y1"), ("h5", "y1")])
    return Network(g, ["x1"], ["y1"], act)


@pytest.mark.parametrize("act, useful", [("sigmoid", True), ("softplus", True), ("poly(1, 1)", True),
                                         ("tanh", False), ("relu", False), ("swish", False)])
def test_a_node_without_inputs_feeds_sigma_of_zero(act, useful):
    net = _issue_net(act)
    assert kernel.effective(net).status == (V if useful else R)
    eff, report = effective(net)
    assert ("h5" in eff.hidden) == useful and report.is_effective == useful
    X, Y = [[1, 2]], [[1, -1]]
    point = {"x1 -> h1": "1/2", "h1 -> y1": 2, "h5 -> y1": 3}
    full = compile_loss(net, X, Y)
    pruned = compile_loss(eff, X, Y)
    with mpmath.workdps(40):
        L_full = full.mp_value(full.to_mp(full.point(point)))
        L_pruned = pruned.mp_value(pruned.to_mp(pruned.point({p: point[p] for p in pruned.params})))
        assert abs(L_full - L_pruned) < mpmath.mpf(10) ** -30


def test_a_dead_node_feeding_a_sigmoid_leaves_a_constant_source():
    g = nx.DiGraph([("x1", "h1"), ("h1", "y1"), ("h5", "h6"), ("h6", "y1")])
    for n in ("h1", "h5"):
        g.nodes[n]["activation"] = "relu"
    g.nodes["h6"]["activation"] = "sigmoid"
    net = Network(g, ["x1"], ["y1"])
    v = kernel.effective(net)
    assert v.status == R and "h5" in v.reason
    eff, _ = effective(net)
    assert "h6" in eff.hidden and "h5" not in eff.hidden
    fixed = Network(nx.DiGraph([("x1", "h1"), ("h1", "y1"), ("h6", "y1")]), ["x1"], ["y1"], "sigmoid")
    assert kernel.effective(fixed).status == V


_EXACT_ACTS = ["linear", "relu", "leaky_relu(1/10)", "poly(1, 1)", "poly(0, 1, 1)", "poly(1/2, 0, 1)"]


def _random_network(rng):
    ins, hidden, outs = ["x1", "x2"], [f"h{i}" for i in range(1, 6)], ["y1", "y2"]
    order = ins + hidden + outs
    g = nx.DiGraph()
    for i, u in enumerate(order):
        for v in order[i + 1:]:
            if u not in outs and v not in ins and rng.random() < 0.3:
                g.add_edge(u, v, order=g.number_of_edges())
    if any(n not in g for n in ins + outs):
        return None
    for n in hidden:
        if n in g:
            g.nodes[n]["activation"] = rng.choice(_EXACT_ACTS)
            g.nodes[n]["bias"] = rng.random() < 0.2
    return Network(g, ins, outs)


@pytest.mark.parametrize("seed", range(40))
def test_pruning_keeps_the_loss_on_random_networks(seed):
    rng = random.Random(seed)
    net = _random_network(rng)
    if net is None:
        return
    eff, report = effective(net)
    assert (kernel.effective(net).status == V) == report.is_effective
    if eff is None:
        return
    X = [[rng.randint(-3, 3) for _ in range(3)] for _ in net.inputs]
    Y = [[rng.randint(-3, 3) for _ in range(3)] for _ in net.outputs]
    full = compile_loss(net, X, Y)
    pruned = compile_loss(eff, [X[net.inputs.index(n)] for n in eff.inputs],
                          [Y[net.outputs.index(n)] for n in eff.outputs])
    dropped = sympy.Integer(0) + sum(sympy.Rational(t) ** 2 for n, row in zip(net.outputs, Y)
                                     if n not in eff.outputs for t in row)     # dropped outputs are identically 0
    for _ in range(3):
        point = {p: sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3)) for p in net.parameters}
        L_full = full.value(full.point(point))
        L_pruned = pruned.value(pruned.point({p: point[p] for p in pruned.params}))
        assert L_full == L_pruned + dropped / 2, (net.graph.edges, eff.graph.edges)


# -- constant-loss curves are proven, not sampled --------------------------------------------

SPECS = ["linear", "relu", "leaky_relu(1/10)", "leaky_relu(3)", "tanh", "sigmoid", "shifted_sigmoid", "softplus",
         "swish", "elu", "elu(1/2)", "poly(0, 1, 1)", "poly(0, 2)", "poly(1, 1)", "poly(0, 0, 0, 1)"]
SAMPLES = [sympy.Rational(p, q) for p, q in ((-3, 1), (-1, 2), (1, 3), (2, 1), (5, 2))]


def _numeric(e):
    return sympy.N(e, 30)


def _differs(a, b):
    return abs(_numeric(a - b)) > 1e-12


@pytest.mark.parametrize("spec", SPECS)
def test_activation_flags_agree_with_the_expression(spec):
    act = activation(spec)
    s, flags = act.expr, act.properties
    at = lambda v: s.subs(z, v)                     # noqa: E731
    pairs = [(c, v) for c in (sympy.Rational(1, 3), 2, 7) for v in SAMPLES]
    if flags["positively_homogeneous"]:
        assert all(at(c * v) == c * at(v) for c, v in pairs)
    else:
        assert any(_differs(at(c * v), c * at(v)) for c, v in pairs)
    if flags["odd"] and isinstance(s, sympy.Piecewise):
        assert all(at(-v) == -at(v) for v in SAMPLES)
    elif flags["odd"]:
        assert sympy.simplify(s.subs(z, -z) + s) == 0
    else:
        assert any(_differs(at(-v), -at(v)) for v in SAMPLES)
    assert flags["zero_at_zero"] == (sympy.simplify(at(0)) == 0)
    assert flags["polynomial"] == bool(s.is_polynomial(z))
    pieces = s.args if isinstance(s, sympy.Piecewise) else ((s, True),)
    assert flags["piecewise_linear"] == all(bool(e.is_polynomial(z)) and sympy.degree(e, z) <= 1 for e, _ in pieces)
    if flags["analytic"]:
        assert not isinstance(s, sympy.Piecewise)
    else:   # a jump of some derivative of order <= 2 at 0 between the left and right pieces
        left, right = pieces[-1][0], pieces[0][0]
        assert any(sympy.diff(left, z, k).subs(z, 0) != sympy.diff(right, z, k).subs(z, 0) for k in range(3))


def test_every_registered_activation_is_covered():
    assert {activation(s).kind for s in SPECS} == set(NAMES)


def test_homogeneity_needs_linear_pieces_and_scale_invariant_conditions():
    assert positive_homogeneity(sympy.Piecewise((z, z > 1), (0, True))) is None       # kink at 1
    assert positive_homogeneity(sympy.Piecewise((z + 1, z > 0), (1, True))) is None   # not through 0
    assert positive_homogeneity(sympy.Piecewise((2 * z, z >= 0), (z / 2, True))) is not None
    assert positive_homogeneity(z ** 2) is None


def _relu_pair():
    net = dense([1, 2, 1], activation="relu")
    loss = compile_loss(net, [[1, 2, 3]], [[1, 0, 2]])
    theta = loss.point({"x1 -> h1_1": 1, "x1 -> h1_2": -1, "h1_1 -> y1": "1/2", "h1_2 -> y1": 2})
    return loss, theta


def test_rescaling_is_proven_from_the_activation_without_evaluating(monkeypatch):
    from losscert.compiler import Nearby
    loss, theta = _relu_pair()
    monkeypatch.setattr(Nearby, "values", lambda *a: pytest.fail("a structural proof evaluates nothing"))
    curves = candidate_curves(loss, theta)
    assert {c.kind for c in curves} == {"rescaling"}
    for c in curves:
        proof = check_constant(loss, theta, c)
        assert proof is not None and "sigma(c z) = c sigma(z)" in proof["why"]


def test_curves_that_are_not_structural_are_not_proven():
    loss, theta = _relu_pair()
    idx = loss.network.param_index
    wrong = Curve("rescaling", "h1_1", [idx["x1 -> h1_1"]], [idx["h1_2 -> y1"]])     # the wrong outgoing weight
    assert check_constant(loss, theta, wrong) is None
    tl = compile_loss(dense([1, 1, 1], activation="tanh"), [[1, 2]], [[1, 0]])
    th = tl.point([1, 1])
    assert check_constant(tl, th, Curve("rescaling", "h1_1", [0], [1])) is None       # tanh: not homogeneous


def test_high_degree_polynomial_chains_answer_no_curve_instead_of_running(monkeypatch):
    from losscert.compiler import CompileError, Nearby
    coeffs = ", ".join(["0", "1"] + ["0"] * 61 + ["1"])             # degree 63
    three = _net([("x", "h1"), ("h1", "h2"), ("h2", "h3"), ("h3", "y")], ["x"], ["y"],
                 acts={h: f"poly({coeffs})" for h in ("h1", "h2", "h3")})
    with pytest.raises(CompileError, match="degree over"):             # 63^3: refused before any work (issue 20)
        compile_loss(three, [[1, 2]], [[1, 1]])
    net = _net([("x", "h1"), ("h1", "h2"), ("h2", "y")], ["x"], ["y"],
               acts={h: f"poly({coeffs})" for h in ("h1", "h2")})
    loss = compile_loss(net, [[1, 2]], [[1, 1]])
    theta = loss.point({"x -> h1": 1, "h1 -> h2": 1, "h2 -> y": 0})
    monkeypatch.setattr(Nearby, "values", lambda *a: pytest.fail("no 2D+1 evaluations of a huge polynomial"))
    monkeypatch.setattr(Nearby, "__init__", lambda *a: pytest.fail("no evaluation at all"))
    curves = candidate_curves(loss, theta)
    assert {c.kind for c in curves} == {"dead-out"}
    assert all(check_constant(loss, theta, c) is not None for c in curves)     # proven structurally
    bogus = Curve("dead-in", "h1", [loss.network.param_index["h1 -> h2"]], [])
    assert check_constant(loss, theta, bogus) is None                           # not structural, D too large


# -- verdicts that cannot mislead --------------------------------------------------------------

def test_a_verdict_is_not_a_truth_value():
    v = algebra.rank_is([[1, 2], [2, 4]], 2)
    with pytest.raises(TypeError, match="verdict.status == VERIFIED"):
        assert v
    assert v.status == "refuted" and v.status is Status.REFUTED and f"{v.status}" == "refuted"
    assert json.loads(json.dumps(v.as_dict()))["verdict"] == "refuted"


def test_evidence_is_deep_frozen_and_as_dict_is_a_fresh_copy():
    v = Verdict(I, "ok", {"a": [1, {"b": 2}], "c": (3, 4)})
    with pytest.raises(TypeError):
        v.evidence["x"] = 1
    with pytest.raises(TypeError):
        v.evidence["a"].append(5)
    with pytest.raises(TypeError):
        v.evidence["a"][1]["b"] = 3
    d = v.as_dict()
    d["evidence"]["a"][1]["b"] = 99
    assert v.evidence["a"][1]["b"] == 2 and v.evidence == {"a": [1, {"b": 2}], "c": [3, 4]}
    assert pickle.loads(pickle.dumps(v)) == v


def test_the_analysis_cache_cannot_be_written_into():
    from losscert.kernel import decide
    loss, theta = _relu_pair()
    assert not hasattr(decide, "_CACHE")
    first = kernel.strict_local_minimum(loss, theta)
    with pytest.raises(TypeError):
        first.evidence["constant_loss_curves"].clear()
    first.as_dict()["evidence"].clear()
    a = kernel.analyse(loss, theta)
    a.is_strict, a.strict_reason = True, "forged"
    a.evidence["forged"] = True
    again = kernel.strict_local_minimum(loss, theta)
    assert again.status == first.status == R and again.evidence == first.evidence and "forged" not in again.evidence


def test_a_loss_subclass_is_not_decided():
    from losscert.compiler import Loss

    class Forged(Loss):
        def gradient(self, theta):
            return [self.field.zero] * len(theta)

    base = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    forged = Forged(base.network, base.X_sym, base.Y_sym)
    theta = forged.point([1, 2])
    for rule in (kernel.critical_point, kernel.local_minimum, kernel.hessian_psd, kernel.saddle):
        v = rule(forged, theta)
        assert v.status == I and "Forged" in v.reason
    assert kernel.critical_point(base, base.point([1, 2])).status == R
