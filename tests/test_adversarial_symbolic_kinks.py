"""Adversarial cases for symbolic parameters (symbolic.py, kernel/parametric.py)
and kinks at any depth (kernel/deep_kinks.py): degenerate regions, roots at
endpoints and double roots, denominators that vanish, chains of kinks, leaky
slopes above 1 or negative, ELU with alpha != 1, identically-zero
pre-activations; each verdict checked against the truth worked out by hand
or against a brute-force oracle (exact, or mpmath at 60 digits where ELU
values are transcendental; the oracle can only refute)."""
import random

import mpmath
import pytest
import sympy
from cases import _net

from losscert import Network, compile_loss, dense, kernel
from losscert.activations import NotExact
from losscert.compiler import CompileError
from losscert.fields import FieldError
from losscert.kernel import guarded
from losscert.kernel.deep_kinks import find_deep_kinks
from losscert.symbolic import Parameters

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE
Q = sympy.Rational
a, b = sympy.symbols("a b")


def line():
    """x -> y: L = 1/2 (w x - y)^2, H = x^2 (one sample)."""
    return Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> y"]})


def chain():
    """x -> h -> y (linear): L = 1/2 (u w x - y)^2; at w = u = 0 a saddle iff x y != 0."""
    return Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]})


def rule(name, net, X, Y, symbols, point, *args):
    loss = compile_loss(net, X, Y, symbols=symbols)
    return guarded(getattr(kernel, name), loss, point, *args)


# -- signs: roots on the boundary, double roots, single points -----------------------------------

def test_signs_at_endpoints_double_roots_and_single_points():
    assert Parameters({"a": "0 < a < 2"}).sign((a - 1) ** 2)[0] is None      # a double root inside
    assert Parameters({"a": "1 < a < 2"}).sign((a - 1) ** 2)[0] == 1         # ... at the open endpoint
    assert Parameters({"a": "1 <= a < 2"}).sign((a - 1) ** 2)[0] is None     # ... at the closed one
    assert Parameters({"a": "a <= 1"}).sign((a - 1) ** 3)[0] is None
    assert Parameters({"a": "2 <= a <= 2"}).sign(a - 1)[0] == 1              # one point
    assert Parameters({"a": "1 <= a <= 1"}).sign(a - 1)[0] is None
    assert Parameters({"a": "0 < a < 1"}).sign(1 / (a * (a - 1)))[0] == -1
    assert Parameters({"a": "0 < a < 2"}).sign(1 / (a - 1) ** 2)[0] is None  # a pole inside: no sign
    with pytest.raises(FieldError, match="empty region"):
        Parameters({"a": "0 < a < 0"})
    with pytest.raises(FieldError, match="empty region"):
        Parameters({"a": "1 <= a < 1"})


def test_several_symbols_are_certified_on_a_superset_never_a_subset():
    P = Parameters({"a": "a > 0", "b": "b > a"})
    assert P.sign(b - a)[0] == 1 and P.sign(b)[0] == 1
    assert P.sign(b - 2 * a)[0] is None                        # both signs occur in the region
    Pc = Parameters({"a": "a >= 0", "b": "b >= a"})             # closed: b - a and b vanish at points of it
    assert Pc.sign(b - a)[0] is None and Pc.sign(b)[0] is None and Pc.sign(b + 1)[0] == 1
    # a lower bound of several symbols at once is not a substitution: no certificate, not a wrong one
    assert Parameters({"a": "a > 0", "b": "b > -a"}).sign(a + b)[0] is None


def test_regions_without_a_substitution_are_still_found_non_empty():
    assert Parameters({"a": "a < 1", "b": "real"}).contains_some()
    assert Parameters({"a": "a < 1", "b": "b < a"}).contains_some()


# -- statements at degenerate values ------------------------------------------------------------

def test_strict_minimum_whose_hessian_vanishes_at_a_double_root_inside_is_refuted_there():
    # L = 1/2 (w (a - 1))^2 at w = 0: H = (a - 1)^2, zero (and L constant) at a = 1
    args = (line(), [[a - 1]], [[0]])
    v = rule("strict_local_minimum", *args, {"a": "0 < a < 2"}, [0])
    assert v.status == R and v.evidence["counterexample"] == {"a": "1"}
    assert rule("strict_local_minimum", *args, {"a": "1 < a < 2"}, [0]).status == V     # open endpoint
    v = rule("strict_local_minimum", *args, {"a": "1 <= a < 2"}, [0])                   # closed endpoint
    assert v.status == R and v.evidence["counterexample"] == {"a": "1"}
    assert rule("strict_local_minimum", *args, {"a": "2 <= a <= 2"}, [0]).status == V   # a single point
    assert rule("strict_local_minimum", *args, {"a": "1 <= a <= 1"}, [0]).status == R


def test_degenerate_value_that_is_irrational_is_never_verified():
    # H = (a^2 - 2)^2 vanishes at a = sqrt(2) only: no rational value refutes; the region is split
    # at the root and a = sqrt(2) decided in Q(sqrt(2)) (issue 20): not strict there
    v = rule("strict_local_minimum", line(), [[a ** 2 - 2]], [[0]], {"a": "1 < a < 2"}, [0])
    assert v.status == R and v.evidence["counterexample"] == {"a": "sqrt(2)"}, v
    # the saddle of u w at 0 degenerates where x y = a^2 - 2 = 0: no direction of constant sign
    v = rule("saddle", chain(), [[1]], [[a ** 2 - 2]], {"a": "1 < a < 2"}, [0, 0])
    assert v.status == I
    assert rule("saddle", chain(), [[1]], [[a ** 2 - 2]], {"a": "3/2 < a < 2"}, [0, 0]).status == V


def test_denominators_that_vanish_in_the_region_are_inconclusive():
    v = rule("critical_point", line(), [[a - 1]], [[1]], {"a": "0 < a < 2"}, [1 / (a - 1)])
    assert v.status == I and "denominator" in v.reason
    v = rule("critical_point", line(), [[1 / (a - 1)]], [[1]], {"a": "a >= 1"}, [a - 1])
    assert v.status == I and "denominator" in v.reason
    assert rule("critical_point", line(), [[a - 1]], [[1]], {"a": "a > 1"}, [1 / (a - 1)]).status == V


def test_symbol_only_in_the_targets_saddle_degenerates_at_a_closed_endpoint():
    assert rule("saddle", chain(), [[1]], [[a]], {"a": "a > 0"}, [0, 0]).status == V
    v = rule("saddle", chain(), [[1]], [[a]], {"a": "a >= 0"}, [0, 0])     # at a = 0, L = 0: a minimum
    assert v.status == R and v.evidence["counterexample"] == {"a": "0"}
    assert rule("saddle", chain(), [[a]], [[b - a]], {"a": "a > 0", "b": "b > a"}, [0, 0]).status == V
    # b = a is in the closed region (a minimum there) but is no sampled value: not verified
    assert rule("saddle", chain(), [[a]], [[b - a]], {"a": "a > 0", "b": "b >= a"}, [0, 0]).status == I


def test_not_global_whose_gap_has_a_root_at_the_closed_endpoint():
    # L(0) - L(1) = 1/2 a^2 - 1/2 (1 - a)^2 = a - 1/2 for one sample x = 1, y = a
    args = (line(), [[1]], [[a]])
    assert rule("not_global", *args, {"a": "a > 1/2"}, [0], [1]).status == V
    v = rule("not_global", *args, {"a": "a >= 1/2"}, [0], [1])
    assert v.status == R and v.evidence["counterexample"] == {"a": "1/2"}


def test_sympy_assumptions_become_the_region_or_are_refused():
    pos, nonneg = sympy.Symbol("a", positive=True), sympy.Symbol("a", nonnegative=True)
    assert rule("saddle", chain(), [[1]], [[pos]], [pos], [0, 0]).status == V
    assert rule("saddle", chain(), [[1]], [[nonneg]], [nonneg], [0, 0]).status == R      # a = 0 belongs
    n = sympy.Symbol("n", integer=True, positive=True)
    with pytest.raises(CompileError, match="integer"):
        compile_loss(chain(), [[1]], [[n]], symbols=[n])


@pytest.mark.parametrize("bad", [sympy.pi, sympy.I, a + sympy.E, sympy.Min(a, 1), sympy.zoo])
def test_constants_and_functions_in_symbolic_data_are_one_line_errors(bad):
    with pytest.raises(CompileError, match=r"data\.X\[1\]\[1\]: .*not a rational function"):
        compile_loss(line(), [[bad]], [[1]], symbols={"a": "a > 0"})


# -- kinks at any depth -------------------------------------------------------------------------

def value(loss, point):
    """L at a rational point: exact, else mpmath at 60 digits (ELU off its kink)."""
    try:
        return loss.value(point)
    except NotExact:
        with mpmath.workdps(60):
            return loss.mp_value([mpmath.mpf(x.p) / x.q for x in point])


def oracle(loss, theta, rng, strict=False, tries=150):
    """('drop' | 'equal', point) near theta, or None: a smaller loss (an equal one for strict
    claims, at radius 1e-5), exact or by more than 1e-40 at 60 digits. It can only refute."""
    L0 = loss.value(theta)
    th = [loss.field.to_sympy(x) for x in theta]
    P = len(th)
    dirs = [[Q(int(i == j) * s) for j in range(P)] for i in range(P) for s in (1, -1)]
    dirs += [[Q(rng.randint(-6, 6), rng.choice([1, 2, 3])) for _ in range(P)] for _ in range(tries)]
    for d in dirs:
        bend = [Q(rng.randint(-3, 3)) for _ in range(P)]
        for r in (Q(1, 1000), Q(1, 10 ** 5)):
            for pt in ([x + r * y for x, y in zip(th, d)], [x + r * y + r * r * z for x, y, z in zip(th, d, bend)]):
                gap = L0 - value(loss, pt)
                if gap > (0 if isinstance(gap, sympy.Basic) else mpmath.mpf(10) ** -40):
                    return "drop", pt
                if strict and gap == 0 and r == Q(1, 10 ** 5) and any(d):
                    return "equal", pt
    return None


def kink_chain(act, target, w, u, v):
    """y = v act(u act(w x)) on x = 1: the second neuron is kinked when u act(w) = 0."""
    loss = compile_loss(dense([1, 1, 1, 1], activation=act), [[1]], [[target]])
    return loss, loss.point({"x1 -> h1_1": w, "h1_1 -> h2_1": u, "h2_1 -> y1": v})


@pytest.mark.parametrize("act", ["relu", "leaky_relu(3)", "leaky_relu(-2)", "elu(2)", "elu(-1)"])
def test_two_kinks_in_a_chain_are_refuted_by_a_second_order_curve_or_agree_with_the_oracle(act):
    # w = u = 0: both neurons kinked, the second fed by the first; target 1 is reached only through
    # both kinks at once (u w = t^2 for relu): the descent curve needs the pattern of both
    loss, theta = kink_chain(act, 1, 0, 0, 1)
    assert len(find_deep_kinks(loss, theta)[0]) == 2
    v = kernel.local_minimum(loss, theta)
    assert v.status == R and v.evidence["kink_pattern_along_curve"]
    ex = v.evidence["exact_example"]
    if isinstance(ex, dict):
        assert Q(ex["loss_at_t"]) < Q(1, 2)
    assert oracle(loss, theta, random.Random(1)) is not None


@pytest.mark.parametrize("act, expected", [("relu", V), ("leaky_relu(-2)", V), ("leaky_relu(3)", R),
                                           ("leaky_relu(1/2)", R), ("elu(2)", R)])
def test_kinked_neuron_fed_by_a_kinked_neuron_against_the_truth(act, expected):
    # y = act(act(w)) at w = 0 with target -1: relu >= 0 and the V of leaky_relu(-2) keep y >= 0 (a
    # minimum, not strict: the rescaling orbits); slopes 3 and 1/2 or ELU's left piece let y < 0
    loss, theta = kink_chain(act, -1, 0, 1, 1)
    lm, strict = kernel.local_minimum(loss, theta), kernel.strict_local_minimum(loss, theta)
    assert lm.status == expected and strict.status == R
    drop = oracle(loss, theta, random.Random(2))
    assert (drop is None) == (expected == V)


def test_identically_zero_pre_activation_next_to_a_real_kink():
    # h1 reads x only, and x = 0 on sample 2: z(h1) = 0 there for every parameter value (flat); on
    # sample 1, h2 is kinked (z = u relu(w) - 1 = 0). Each term 1/2 (s(z) + 1)^2 grows on both sides of
    # z = 0: a minimum, strict only when w is fixed (else L is constant on the orbit u w = 1)
    for fixed_w in (False, True):
        fixed = {("one", "h2"): -1, ("h2", "y"): 1, **({("x", "h1"): 1} if fixed_w else {})}
        net = _net([("x", "h1"), ("h1", "h2"), ("one", "h2"), ("h2", "y")], ["x", "one"], ["y"],
                   acts={"h1": "relu", "h2": "leaky_relu(-1/2)"}, fixed=fixed)
        loss = compile_loss(net, [[1, 0], [1, 1]], [[-1, -1]])
        theta = loss.point({"h1 -> h2": 1, **({} if fixed_w else {"x -> h1": 1})})
        kinks, flat = find_deep_kinks(loss, theta)
        assert [k[:2] for k in kinks] == [("h2", 0)] and [k[:2] for k in flat] == [("h1", 1)]
        assert kernel.local_minimum(loss, theta).status == V
        assert kernel.strict_local_minimum(loss, theta).status == (V if fixed_w else R)
        assert oracle(loss, theta, random.Random(3), strict=fixed_w) is None


def random_v_net(rng):
    """h2 = act2(u act1(w x + c) - 1 (+ v x)) read by y (weight fixed or free), on 1-3 samples,
    at w = 0, u = 1 / act1(c): h2 is kinked on every sample, h1 possibly not."""
    act1 = rng.choice(["relu", "leaky_relu(-1/2)", "linear", "leaky_relu(2)"])
    act2 = rng.choice(["relu", "leaky_relu(-1/2)", "leaky_relu(-2)", "leaky_relu(1/3)", "leaky_relu(3)",
                       "elu(1)", "elu(2)", "elu(1/2)", "elu(-1)"])
    xs = rng.sample([1, -1, 2, -3, 3, 0], rng.choice([1, 2, 3]))
    edges = [("x", "h1"), ("one", "h1"), ("h1", "h2"), ("one", "h2"), ("h2", "y")]
    edges += [("x", "h2")] * (rng.random() < 0.5)
    c = rng.choice([1, 2])
    fixed = {("one", "h1"): c, ("one", "h2"): -1}
    if rng.random() < 0.7:
        fixed[("h2", "y")] = rng.choice([1, -1, 2])
    net = _net(edges, ["x", "one"], ["y"], acts={"h1": act1, "h2": act2}, fixed=fixed)
    loss = compile_loss(net, [xs, [1] * len(xs)], [[rng.choice([-2, -1, Q(-1, 3), 1, 0]) for _ in xs]])
    point = {p: Q(0) for p in loss.params}
    point["h1 -> h2"] = Q(1, c)
    if "h2 -> y" in point:
        point["h2 -> y"] = Q(rng.choice([1, -1, 2]))
    return loss, loss.point(point)


def test_random_deep_v_nets_with_elu_and_steep_leaky_slopes_agree_with_the_oracle():
    rng = random.Random(7)
    seen = set()
    for trial in range(40):
        loss, theta = random_v_net(rng)
        if not loss.value(theta):
            continue
        lm, strict = kernel.local_minimum(loss, theta), kernel.strict_local_minimum(loss, theta)
        seen |= {lm.status, strict.status}
        if lm.status == V or strict.status == V:
            assert oracle(loss, theta, random.Random(trial), strict=strict.status == V, tries=40) is None
        if lm.status == R and isinstance(lm.evidence.get("exact_example"), dict):
            assert Q(lm.evidence["exact_example"]["loss_at_t"]) < loss.value(theta)
        if strict.status == V:
            assert lm.status == V
    assert seen == {V, R, I}


def test_dead_relu_with_symbols_never_ends_in_an_internal_error():
    # z = -a * a^2 < 0 on the region: the neuron is dead, H = 0 and L is constant near the point. The
    # family search over Q(a) met SymPy's 0**0 (a ValueError) and ended as "could not be checked"
    net = Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"],
                              "activation": "relu"})
    v = rule("local_minimum", net, [[a ** 2, 2 * a + 1]], [[1 - a, (a - 1) ** 2]], {"a": "1/2 <= a <= 2"},
             [-a, 2 * a + 1])
    assert v.status != R and "could not be checked" not in v.reason
