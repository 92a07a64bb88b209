"""The soundness suite: hand-made networks whose truth is known, each with
the verdicts the kernel must give, plus mutations that must not leave a
wrong `verified`."""
import mpmath
import pytest
import sympy

import cases
from losscert import kernel

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE

EXPECTED = {
    # case: (critical, local_minimum, strict_local_minimum, saddle)
    "pd_minimum": (V, V, V, R),
    "x2_plus_y4": (V, V, V, R),
    "peano_like": (V, R, R, V),
    "cubic_descent": (V, R, R, V),
    "zero_loss_flat": (V, V, R, R),
    "orbits_fill_kernel": (V, V, R, R),
    "saddle_at_origin": (V, R, R, V),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_verdicts(name):
    loss, point = getattr(cases, name)()
    theta = loss.point(point)
    got = (kernel.critical_point(loss, theta).status, kernel.local_minimum(loss, theta).status,
           kernel.strict_local_minimum(loss, theta).status, kernel.saddle(loss, theta).status)
    assert got == EXPECTED[name]


def test_peano_refutation_is_a_real_descent_curve():
    loss, point = cases.peano_like()
    theta = loss.point(point)
    v = kernel.local_minimum(loss, theta)
    coeffs = v.evidence["taylor_coefficients_of_L"]
    assert coeffs[:4] == ["2", "0", "0", "0"] and sympy.Rational(coeffs[4]) < 0
    t = v.evidence["exact_example"]
    assert sympy.Rational(t["loss_at_t"]) < 2
    # the naive test along the kernel line w would have said "positive quartic"
    line = loss.taylor(theta, [loss.point({"x -> h": 1, "u": 0})], 4)
    assert loss.field.sign(line[4]) > 0


def test_cubic_refutation_evidence():
    loss, point = cases.cubic_descent()
    v = kernel.local_minimum(loss, loss.point(point))
    assert "third-order" in v.reason and v.evidence["taylor_coefficients_of_L"][3] != "0"


def test_zero_loss_is_global_so_not_global_is_refuted():
    loss, point = cases.zero_loss_flat()
    theta = loss.point(point)
    v = kernel.not_global(loss, theta, loss.point({"x1 -> h1_1": 3, "h1_1 -> y1": 1}))
    assert v.status == R and "global minimum" in v.reason


def test_not_global_compares_exactly():
    loss, point = cases.orbits_fill_kernel()
    theta = loss.point(point)
    worse = loss.point({"x1 -> h1_1": 0, "x2 -> h1_1": 0, "h1_1 -> y1": 0, "h1_1 -> y2": 0})
    assert kernel.not_global(loss, theta, worse).status == R
    assert kernel.spurious_local_minimum(loss, theta, worse).status == R


def test_nonsmooth_relu_kink_is_decided_piece_by_piece():
    from cases import _net
    from losscert import compile_loss
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "relu"})
    loss = compile_loss(net, [[1, -1]], [[1, 0]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})      # pre-activation exactly 0
    v = kernel.local_minimum(loss, theta)                # w > 0 lowers L (kernel/kinks.py)
    assert v.status == R and "kink" in v.reason


def test_transcendental_activation_is_inconclusive_not_verified():
    from cases import _net
    from losscert import compile_loss
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "tanh"})
    loss = compile_loss(net, [[1]], [[0]])
    theta = loss.point({"x -> h": 1, "h -> y": 0})
    # L = (v tanh w)^2 / 2 at v = 0: every gradient ball is an exact Arb zero, a proof
    assert kernel.critical_point(loss, theta).status == V
    # a global minimum (L = 0) that is not strict (w is free); tanh(1) is transcendental
    assert kernel.local_minimum(loss, theta).status in (I, V)
    assert kernel.strict_local_minimum(loss, theta).status in (I, R)
    moved = loss.point({"x -> h": 1, "h -> y": "1/2"})
    assert kernel.critical_point(loss, moved).status == R        # by an enclosure excluding 0
    assert kernel.local_minimum(loss, moved).status == R


# -- mutations ------------------------------------------------------------------

def _float_gradient_norm(loss, theta):
    """Independent oracle: SymPy's derivative of the full expression in floats."""
    expr = loss.expression()
    syms = loss.symbols()
    subs = {s: loss.field.to_sympy(t) for s, t in zip(syms, theta)}
    return max(abs(float(sympy.diff(expr, s).subs(subs).evalf(30))) for s in syms)


VERIFYING = ["pd_minimum", "x2_plus_y4", "zero_loss_flat", "orbits_fill_kernel"]


@pytest.mark.parametrize("name", VERIFYING)
def test_mutating_a_coordinate_never_leaves_a_false_verified(name):
    loss, point = getattr(cases, name)()
    for p in loss.params:
        mutated = dict(point)
        mutated[p] = sympy.Rational(str(point[p])) + sympy.Rational(1, 100)
        theta = loss.point(mutated)
        crit = kernel.critical_point(loss, theta).status
        moved = _float_gradient_norm(loss, theta) > 1e-12
        assert crit == (R if moved else V)
        if moved:
            assert kernel.local_minimum(loss, theta).status == R
            assert kernel.strict_local_minimum(loss, theta).status == R


@pytest.mark.parametrize("name", VERIFYING)
def test_mutating_a_data_entry_never_leaves_a_false_verified(name):
    from losscert import compile_loss
    loss, point = getattr(cases, name)()
    for which in ("X", "Y"):
        rows = [list(r) for r in (loss.X_sym if which == "X" else loss.Y_sym)]
        for i in range(len(rows)):
            for j in range(len(rows[0])):
                data = [list(r) for r in rows]
                data[i][j] = data[i][j] + sympy.Rational(1, 10)
                X, Y = (data, loss.Y_sym) if which == "X" else (loss.X_sym, data)
                mut = compile_loss(loss.network, X, Y)
                theta = mut.point(point)
                moved = _float_gradient_norm(mut, theta) > 1e-12
                status = kernel.local_minimum(mut, theta).status
                if moved:
                    assert status == R and kernel.critical_point(mut, theta).status == R
                elif status == V:
                    # still critical: check the minimum claim against sampling around the point
                    _assert_no_nearby_descent(mut, theta)


def _assert_no_nearby_descent(loss, theta):
    import random
    rng = random.Random(0)
    base = [mpmath.mpf(sympy.N(loss.field.to_sympy(t), 40)) for t in theta]
    L0 = loss.mp_value(base)
    for _ in range(200):
        pt = [b + mpmath.mpf(rng.uniform(-1e-3, 1e-3)) for b in base]
        assert loss.mp_value(pt) >= L0 - mpmath.mpf(10) ** -25


# -- mixing symmetries (GL(p) of neurons with one pattern) ----------------------

def _two_neuron_net(act="linear", second_out=("y1", "y2")):
    from cases import _net
    edges = [("x1", "h1"), ("x2", "h1"), ("x1", "h2"), ("x2", "h2"), ("h1", "y1"), ("h1", "y2")]
    edges += [("h2", y) for y in second_out]
    return _net(edges, ["x1", "x2"], ["y1", "y2"], acts={"h1": act, "h2": act})


def test_mixing_curves_exist_only_for_linear_neurons_with_matching_patterns():
    from losscert import compile_loss
    from losscert.kernel.symmetry import candidate_curves
    X, Y = [[1, 0, 1], [0, 1, 1]], [[1, 2, 3], [2, 1, 0]]
    pt = {"x1 -> h1": 1, "x2 -> h1": 2, "x1 -> h2": 3, "x2 -> h2": 1, "h1 -> y1": 1, "h1 -> y2": 1,
          "h2 -> y1": 2, "h2 -> y2": 1}
    lin = compile_loss(_two_neuron_net(), X, Y)
    assert {c.kind for c in candidate_curves(lin, lin.point(pt))} == {"rescaling", "mixing"}
    relu = compile_loss(_two_neuron_net("relu"), X, Y)
    assert {c.kind for c in candidate_curves(relu, relu.point(pt))} == {"rescaling"}
    partial = compile_loss(_two_neuron_net(second_out=("y1",)), X, Y)
    pt2 = {k: v for k, v in pt.items() if k != "h2 -> y2"}
    kinds = [(c.kind, c.neuron) for c in candidate_curves(partial, partial.point(pt2))]
    assert ("mixing", ("h1", "h2")) not in kinds      # out(h1) is not inside out(h2)
    assert ("mixing", ("h2", "h1")) in kinds          # out(h2) = {y1} is inside out(h1)


def test_a_wrong_symmetry_is_caught_by_the_exact_constancy_check():
    from losscert import compile_loss
    from losscert.kernel.symmetry import Curve, check_constant
    net = _two_neuron_net(second_out=("y1",))
    loss = compile_loss(net, [[1, 0, 1], [0, 1, 1]], [[1, 2, 3], [2, 1, 0]])
    pt = loss.point({"x1 -> h1": 1, "x2 -> h1": 2, "x1 -> h2": 3, "x2 -> h2": 1, "h1 -> y1": 1,
                     "h1 -> y2": 1, "h2 -> y1": 2})
    idx = net.param_index
    # claims h1 += c h2 on inputs and h2 -= c h1 on outputs, but h2 has no edge to y2
    bogus = Curve("mixing", ("h1", "h2"), [], [], [(idx["x1 -> h1"], idx["x1 -> h2"], 1),
                                                   (idx["x2 -> h1"], idx["x2 -> h2"], 1),
                                                   (idx["h2 -> y1"], idx["h1 -> y1"], -1)])
    assert check_constant(loss, pt, bogus) is None


def test_over_parameterised_pattern_group_is_a_morse_bott_minimum():
    """Two linear neurons on one pattern at the least-squares fit U W = Y X^T (X X^T)^-1
    of a target outside the row space of X: loss > 0, and the Hessian kernel is
    the 4-dimensional GL(2) orbit (rescalings and mixings): a non-strict local minimum."""
    from losscert import compile_loss
    net = _two_neuron_net()
    loss = compile_loss(net, [[1, 0, 1], [0, 1, 1]], [[3, 0, 4], [0, 2, 1]])
    pt = {"x1 -> h1": 1, "x2 -> h1": 0, "x1 -> h2": 0, "x2 -> h2": 1, "h1 -> y1": "10/3", "h1 -> y2": "-1/3",
          "h2 -> y1": "1/3", "h2 -> y2": "5/3"}
    theta = loss.point(pt)
    v = kernel.local_minimum(loss, theta)
    assert v.status == V and "Morse-Bott" in v.reason and v.evidence["inertia"]["zero"] == 4
    assert loss.value(theta) != 0
    assert kernel.strict_local_minimum(loss, theta).status == R
    # without the mixing generators the rescalings alone leave a 2-dimensional kernel
    kinds = {c["curve"].split(" ")[0] for c in v.evidence["constant_loss_curves"]}
    assert kinds == {"rescale", "mix"}


@pytest.mark.parametrize("name, expected", [("pd_minimum", V), ("x2_plus_y4", V), ("saddle_at_origin", R),
                                            ("orbits_fill_kernel", V)])
def test_hessian_psd_step(name, expected):
    loss, point = getattr(cases, name)()
    assert kernel.hessian_psd(loss, loss.point(point)).status == expected


# -- fast and reference paths give the same certificates ------------------------------------

@pytest.mark.parametrize("seed", range(8))
def test_structural_hessian_and_reference_give_identical_verdicts(seed, monkeypatch):
    """The whole certificate (critical point, PSD test, kernel, symmetries,
    higher-order forms) run once with the structural Hessian and once with
    the slow jet-based reference Hessian: same verdicts, same reasons."""
    import random

    from bench.__main__ import instance
    from losscert import compile_loss
    from losscert.compiler import Loss
    from test_intervals import critical_instance
    if seed % 2:
        net, X, Y, theta = instance(1 + seed % 3, seed)
        loss = compile_loss(net, X, Y)
        th = loss.point(theta)
    else:
        loss, th = critical_instance(seed + random.Random(seed).randint(0, 50))
    rules = (kernel.local_minimum, kernel.strict_local_minimum, kernel.saddle, kernel.hessian_psd)
    fast = [(r(loss, th).status, r(loss, th).reason) for r in rules]
    kernel.decide.clear_cache()
    monkeypatch.setattr(Loss, "_hessian", Loss.hessian_reference)     # behind hessian(theta, raw=True)
    slow = [(r(loss, th).status, r(loss, th).reason) for r in rules]
    kernel.decide.clear_cache()
    assert fast == slow


def test_a_curve_moves_exactly_when_its_tangent_is_not_zero():
    """Curve.moves reads only the curve's own coordinates; it agrees with the full tangent."""
    import random
    from losscert import compile_loss, dense
    from losscert.kernel.symmetry import Curve, candidate_curves
    rng = random.Random(2)
    loss = compile_loss(dense([2, 3, 2]), X=[[1, 2, 0], [0, 1, 3]], Y=[[1, 0, 2], [2, 1, 0]])
    for _ in range(30):
        theta = loss.point([rng.choice([0, 0, 1, -2, "1/3"]) for _ in loss.params])
        F = loss.field
        curves = candidate_curves(loss, theta) + [Curve("mixing", ("h1_1", "h1_2"), [], [], [(0, 1, 1), (0, 2, -1)])]
        for curve in curves:
            assert curve.moves(theta, F) == any(curve.tangent(theta, F))
