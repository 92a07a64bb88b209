"""Global minima of affine networks from an orthogonal residual
(kernel/lower_bound.py) and the float-speed decisions of kernel/fastpath.py
on the issue's families."""
from __future__ import annotations

import pytest

from bench import families
from losscert import compile_loss, integer_pass, kernel, sparse_dense
from losscert.kernel import decide, fastpath, lower_bound


def _one_neuron(act="linear", X=((1, -1),), Y=((1, 1),)):
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation=act)
    return compile_loss(net, [list(r) for r in X], [list(r) for r in Y])


@pytest.fixture(params=["generic pass", "integer pass", "modular pass"])
def both_passes(request, monkeypatch):
    """Run the test with the generic exact pass, the vectorised integer pass
    and the one-hidden-layer pass modulo primes (kernel/shallow_pass.py)."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 10 ** 9 if request.param == "generic pass" else 0)
    if request.param == "modular pass":
        from losscert.kernel import shallow_pass
        monkeypatch.setattr(fastpath, "BLOCKS_FROM", 0)
        real, calls = shallow_pass.forward, []
        monkeypatch.setattr(shallow_pass, "forward", lambda *a: calls.append(1) or real(*a))
        yield
        assert calls                        # the residuals came from the modular pass
    else:
        yield


def test_orthogonal_residual_is_a_global_minimum(both_passes):
    loss = _one_neuron()
    theta = loss.point([1, 0])                      # F = 0, R = (-1, -1) orthogonal to x = (1, -1)
    cert = lower_bound.global_minimum(loss, theta)
    assert cert["kind"] == "orthogonal_residual" and cert["value"] == "1"
    assert cert["outputs"] == {"y1": {"inputs": ["x1"], "constant": False}}


def test_residual_not_orthogonal_gives_nothing(both_passes):
    loss = _one_neuron()
    assert lower_bound.global_minimum(loss, loss.point([1, 1])) is None       # R = (0, -2)
    assert lower_bound.global_minimum(loss, loss.point(["1/2", 1])) is None


def test_a_constant_enlarges_the_space(both_passes):
    # with the affine activation 1 + z the output can shift: R = (-1, -1) is no longer orthogonal to it
    loss = _one_neuron(act="poly(1, 1)")
    assert lower_bound.reachable(loss)[loss.output_slots[0]] == ({0}, True)
    assert lower_bound.global_minimum(loss, loss.point([1, 0])) is None
    # R = (1, -1) - (0, 0) ... choose Y so that R is orthogonal to x and to 1: impossible with 2 samples unless R = 0
    loss3 = compile_loss(sparse_dense([(0,)], d_x=1, d_y=1, activation="poly(1, 1)"),
                         [[1, -1, 0]], [[0, 0, 0]])
    theta = loss3.point([0, 1])                     # F = 1 on every sample: R = (1, 1, 1), not orthogonal to 1
    assert lower_bound.global_minimum(loss3, theta) is None


def test_non_affine_networks_are_not_decided_here():
    for act in ("tanh", "relu", "poly(0, 1, 1/2)"):
        loss = _one_neuron(act=act)
        assert lower_bound.reachable(loss) is None
        assert lower_bound.global_minimum(loss, loss.point([1, 0])) is None


def test_kinked_pieces_are_not_decided_here():
    loss = _one_neuron().with_slopes({("h1_1", 0): 1})
    assert lower_bound.global_minimum(loss, loss.point([1, 0])) is None


@pytest.mark.parametrize("h", [15, 44])
def test_flat_directions_that_are_not_symmetries(h):
    """The issue's P = 105 and P ~ 305 cases: global minima whose Hessian kernel
    is larger than the orbits (previously inconclusive), decided without the exact Hessian."""
    net, X, Y, theta, _ = families.shared_inputs(h)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    v = kernel.local_minimum(loss, th)
    assert len(th) == 7 * h
    assert v.status == "verified" and "global minimum" in v.reason
    assert v.evidence["global_lower_bound"]["kind"] == "orthogonal_residual"
    assert v.certificate["kind"] == "orthogonal_residual" and v.certificate["value"] == v.evidence["loss"]
    assert kernel.strict_local_minimum(loss, th).status == "refuted"
    # a target moved off the orthogonal complement: no lower bound certificate
    Y2 = [list(r) for r in Y]
    Y2[0][0] += 1
    assert lower_bound.global_minimum(compile_loss(net, X, Y2), th) is None


def test_morse_bott_at_float_speed_on_overlapping_patterns():
    net, X, Y, theta, _ = families.overlapping(6, d_y=5)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    assert len(th) >= fastpath.MIN_PARAMETERS
    v = kernel.local_minimum(loss, th)
    assert v.status == "verified" and "Morse-Bott" in v.reason
    assert "Rump" in v.evidence["hessian_psd"]
    assert v.evidence["inertia"]["zero"] == 6
    assert kernel.strict_local_minimum(loss, th).status == "refuted"


def test_float_route_falls_back_and_still_decides(monkeypatch):
    """When Rump's test cannot prove (forced here), the exact route decides the same verdict."""
    net, X, Y, theta, _ = families.overlapping(6, d_y=5)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    monkeypatch.setattr(fastpath.verified, "is_spd", lambda mid, rad=None: False)
    monkeypatch.setattr(fastpath, "positive_definite", lambda enc: False)
    monkeypatch.setattr(kernel.linalg.verified, "is_spd", lambda mid, rad=None: False)
    monkeypatch.setattr(decide, "global_minimum", lambda loss, theta, value=None: None)
    decide.clear_cache()
    v = kernel.local_minimum(loss, th)
    assert v.status == "verified" and "Morse-Bott" in v.reason
    assert "Rump" not in v.evidence.get("hessian_psd", "")
    decide.clear_cache()


def _biased_poly():
    """A polynomial net with biases, a deep chain and an arbitrary target (the residual part G is not zero)."""
    from losscert import dense
    net = dense([3, 4, 3, 2], activation="poly(1/3, 1, 1/2, -1/5)", biases=True)
    X = [["0.1234567890123456", -1, "2/3", 5], [2, "-0.5", "1/7", 0], [1, 1, "-3.25", "1e-3"]]
    Y = [[1, 2, 3, 4], ["-1/3", 0, 1, "0.5"]]
    loss = compile_loss(net, X, Y)
    theta = loss.point([f"{(-1) ** i * (i + 1)}/{7 + i}" for i in range(len(net.parameters))])
    return loss, theta


@pytest.mark.parametrize("which", ["linear", "polynomial", "biased"])
def test_float_enclosure_contains_the_exact_hessian(which):
    from fractions import Fraction
    from bench import speed
    if which == "biased":
        loss, th = _biased_poly()
    else:
        net, X, Y, theta, _ = speed.instance(which, 40)
        loss = compile_loss(net, X, Y)
        th = loss.point(theta)
    assert fastpath.float_factors(loss, th) is not None          # the vectorised float route ran
    enc = fastpath.Enclosure(loss, th)
    H = loss.hessian(th, raw=True).to_list()
    assert any(x for row in H for x in row)
    for i in range(enc.P):
        for j in range(enc.P):
            q = H[i][j]
            exact = Fraction(int(q.numerator), int(q.denominator))
            assert abs(Fraction(enc.mid[i, j]) - exact) <= Fraction(enc.rad[i, j])
            assert enc.rad[i, j] <= 1e-10 * (1 + abs(enc.mid).max())              # and it is tight


def test_float_factors_refuse_what_they_cannot_bound():
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation="tanh")
    loss = compile_loss(net, [[1, 2]], [[0, 1]])
    assert fastpath.float_factors(loss, loss.point([1, 1])) is None           # not a polynomial
    lin = compile_loss(sparse_dense([(0,)], d_x=1, d_y=1), [["1e-300", 1]], [[0, 1]])
    assert fastpath.float_factors(lin, lin.point([1, 1])) is None             # a number outside the safe range


def test_float_factors_refuse_pre_activations_at_or_near_a_kink():
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation="relu")
    at = compile_loss(net, [[1, 2]], [[0, 1]])
    assert fastpath.float_factors(at, at.point([0, 1])) is None               # exactly at the kink
    near = compile_loss(net, [["1e-20", 2]], [[0, 1]])
    theta = near.point(["-1e-20", 1])                                         # pre -1e-40: rounded, sign still known
    assert fastpath.float_factors(near, theta) is not None
    cancel = compile_loss(sparse_dense([(0, 1)], d_x=2, d_y=1, activation="relu"),
                          [["0.1", "1"], ["0.2", "1"]], [[0, 1]])
    theta = cancel.point(["0.2", "-0.1", 1])                                  # 0.2 * 0.1 - 0.1 * 0.2 = 0 exactly
    assert fastpath.float_factors(cancel, theta) is None


@pytest.mark.parametrize("which", ["polynomial", "biased", "tied", "relu", "leaky"])
def test_float_factors_enclose_the_exact_factors(which):
    from fractions import Fraction
    from bench import speed
    from losscert.compiler import _ExactNumbers
    if which == "biased":
        loss, th = _biased_poly()
    elif which == "tied":                       # a convolution: one parameter on many edges
        net, X, Y, theta, _ = families.conv1d_tied(6)
        loss = compile_loss(net, X, Y)
        th = loss.point(theta)
    elif which in ("relu", "leaky"):            # overlapping patterns, both signs of pre-activations
        import random
        act = "relu" if which == "relu" else "leaky_relu(-7/10)"
        loss = compile_loss(sparse_dense(speed._patterns(random.Random(0), 5, 10), d_x=10, d_y=2, activation=act),
                            [[f"{(i * 7 + k * 3) % 11 - 5}/7 + 1/{13 + i + k}" for k in range(12)] for i in range(10)],
                            [[f"{(o + k) % 5}/3" for k in range(12)] for o in range(2)])
        th = loss.point([f"{(p * 5) % 9 - 4}/{p % 4 + 2}" for p in range(len(loss.params))])
    else:
        net, X, Y, theta, _ = speed.instance(which, 40)
        loss = compile_loss(net, X, Y)
        th = loss.point(theta)
    Jf, Jr, Gf, Gr = fastpath.float_factors(loss, th)
    J, G = loss._structural_hessian(th, _ExactNumbers(loss))

    def inside(exact, mid, rad):
        e = Fraction(int(exact.numerator), int(exact.denominator))
        return abs(Fraction(mid) - e) <= Fraction(rad)
    assert all(inside(x, Jf[r, q], Jr[r, q]) for r, row in J.items() for q, x in row.items())
    assert all(inside(x, Gf[p, q], Gr[p, q]) for p, row in G.items() for q, x in row.items())
    assert sum(len(r) for r in J.values()) == int((Jf != 0).sum())


def test_hessian_psd_in_floats_and_its_fallback():
    from bench import speed
    net, X, Y, theta, _ = speed.instance("polynomial", 40)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    v = kernel.hessian_psd(loss, th)
    assert v.status == "verified" and "Rump" in v.reason
    # far from the minimum the Hessian is indefinite: not proven in floats, refuted exactly
    bad = loss.point([(-1) ** i * 3 for i in range(len(th))])
    assert not decide._positive_definite_in_floats(loss, bad)
    assert kernel.hessian_psd(loss, bad).status == "refuted"


def test_dead_neuron_saddle_on_the_float_route():
    """At theta = 0 with L > 0 the dead-in/dead-out lines are constant-loss curves whose
    tangents are not in ker H (H is indefinite): the float route must not self-check them."""
    from losscert import masked
    net = masked([[[1] * 10 for _ in range(3)], [[1] * 3]])
    loss = compile_loss(net, [[1]] * 10, [[1]])
    th = loss.point([0] * len(net.parameters))
    assert len(th) >= fastpath.MIN_PARAMETERS
    decide.clear_cache()
    assert kernel.local_minimum(loss, th).status == "refuted"
    assert kernel.strict_local_minimum(loss, th).status == "refuted"


def test_local_minimum_near_float_krawczyk_and_its_arb_fallback(monkeypatch):
    import sympy
    from bench import speed
    from losscert.kernel import rigorous
    net, X, Y, theta, _ = speed.instance("tanh", 40)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    v = kernel.local_minimum_near(loss, th, sympy.Rational(1, 10 ** 6), 30)
    assert v.status == "verified" and "float64 preconditioner" in v.evidence["krawczyk"]
    assert v.evidence["loss_enclosure_on_box"].startswith("[") and "+/-" in v.evidence["loss_enclosure_on_box"]
    # the midpoint-radius float pass declines: the box Hessian's factors come from Arb
    from losscert.kernel import float_pass
    with monkeypatch.context() as m:
        m.setattr(float_pass, "box_factors", lambda *a, **k: None)
        x = kernel.local_minimum_near(loss, th, sympy.Rational(1, 10 ** 6), 30)
    assert x.status == "verified" and x.evidence["box_center"] == v.evidence["box_center"]
    real = rigorous._certify_in_floats
    # the float Krawczyk bound fails: the Arb step runs with the float preconditioner (PD already proven)
    monkeypatch.setattr(rigorous, "_certify_in_floats", lambda m, r, g, rho: (None, real(m, r, g, rho)[1]))
    w = kernel.local_minimum_near(loss, th, sympy.Rational(1, 10 ** 6), 30)
    assert w.status == "verified" and "Rump" in w.evidence["hessian"] and "float64" not in w.evidence["krawczyk"]
    # nothing proven in floats: the exact route decides alone
    monkeypatch.setattr(rigorous, "_certify_in_floats", lambda m, r, g, rho: (None, None))
    u = kernel.local_minimum_near(loss, th, sympy.Rational(1, 10 ** 6), 30)
    assert u.status == "verified" and "checked exactly" in u.evidence["hessian"]


def test_float_factors_count_the_roundings_of_both_factors_of_a_product():
    """|exact - fl| <= gamma_d s needs d = d_a + d_b + 1 for a product a b (the
    rounding errors of both factors multiply), not max(d_a, d_b) + 1. Inputs
    chosen so that every conversion rounds down by almost u: the activation z^20
    multiplies 20 copies of the same rounded pre-activation."""
    from fractions import Fraction
    from losscert.compiler import _ExactNumbers
    ulp = Fraction(2) ** -52

    def below(f):             # rounds to the float f, relative error close to -u
        return Fraction(f) + ulp * Fraction(f).__floor__() / 2 - ulp / 2 ** 20

    net = sparse_dense([(0,)], d_x=1, d_y=1, activation="poly(" + ",".join(["0"] * 20 + ["1"]) + ")")
    for x, w, v in [(1.25, 1.5, 1.75), (1.125, 1.0625, 1.5), (1.75, 1.125, 1.25)]:
        loss = compile_loss(net, [[str(below(x))]], [["0"]])
        th = loss.point([str(below(w)), str(below(v))])
        Jf, Jr, Gf, Gr = fastpath.float_factors(loss, th)
        J, G = loss._structural_hessian(th, _ExactNumbers(loss))
        for mid, rad, rows in ((Jf, Jr, J), (Gf, Gr, G)):
            for r, row in rows.items():
                for q, e in row.items():
                    exact = Fraction(int(e.numerator), int(e.denominator))
                    assert abs(Fraction(mid[r, q]) - exact) <= Fraction(rad[r, q]), (x, w, v, r, q)


def test_a_parameter_beyond_float_range_does_not_crash_the_float_route():
    """A weight of 10^400 on an input that is 0 on every sample: every Jacobian
    and Hessian entry is in float range (the exact factors convert), but the
    orbit tangent (the weight itself) is not. The float route must step aside
    (it crashed with OverflowError in the tangent self-check); the exact route
    finds the negative curvature of this saddle."""
    net = sparse_dense([(0,)] + [(1, 2)] * 12, d_x=3, d_y=1)
    loss = compile_loss(net, [[0] * 4, [1, 2, -1, 3], [2, -1, 1, 1]], [[1, -2, 3, "1/2"]])
    vals = [0] * len(net.parameters)
    vals[net.parameters.index("x1 -> h1_1")] = "1" + "0" * 400
    th = loss.point(vals)
    assert len(th) >= fastpath.MIN_PARAMETERS
    decide.clear_cache()
    assert kernel.local_minimum(loss, th).status == "refuted"
    assert kernel.strict_local_minimum(loss, th).status == "refuted"
    decide.clear_cache()


def test_float_factors_trap_underflow_in_scalar_arithmetic():
    """A neuron with a constant activation has one value for every sample, held as
    a scalar: the products along a chain of such values were Python float
    products, which numpy's floating-point traps do not see. 2^-550 * 2^-550
    underflowed silently to 0 and three weights 2^340 then carried the lost
    2^-1100 up to 2^-80, an exact Jacobian entry enclosed as 0 +/- 0."""
    import networkx as nx
    from fractions import Fraction
    from losscert import Network
    from losscert.compiler import _ExactNumbers
    c0, big = "1/" + str(2 ** 550), str(2 ** 340)
    g = nx.DiGraph()
    g.add_node("k", activation=f"poly({c0})", bias=False)
    for h in "abde":
        g.add_node(h, activation="linear", bias=False)
    g.add_node("y", bias=False)
    g.add_edges_from([("x1", "k"), ("k", "a"), ("a", "b"), ("b", "d"), ("d", "e"), ("e", "y"), ("x1", "y")])
    net = Network(g, inputs=["x1"], outputs=["y"])
    loss = compile_loss(net, [[1, 2]], [[0, 1]])
    vals = {"x1 -> k": 1, "k -> a": c0, "a -> b": big, "b -> d": big, "d -> e": big, "e -> y": 1, "x1 -> y": 1}
    th = loss.point([vals[p] for p in net.parameters])
    factors = fastpath.float_factors(loss, th)
    if factors is None:
        return                                          # refused: the exact factors are used instead
    Jf, Jr, Gf, Gr = factors
    J, G = loss._structural_hessian(th, _ExactNumbers(loss))
    for mid, rad, rows in ((Jf, Jr, J), (Gf, Gr, G)):
        for r, row in rows.items():
            for q, e in row.items():
                exact = Fraction(int(e.numerator), int(e.denominator))
                assert abs(Fraction(mid[r, q]) - exact) <= Fraction(rad[r, q]), (r, net.parameters[q])


def test_orthogonal_residual_over_an_algebraic_field_is_exact():
    """Q(sqrt 2): R = -(sqrt 2, -1) is orthogonal to x = (1, sqrt 2) exactly; a target moved by
    10^-40 breaks orthogonality and the saddle at 0 is refuted (no float rounding hides it)."""
    net = sparse_dense([(0,)], d_x=1, d_y=1)
    loss = compile_loss(net, [[1, "sqrt(2)"]], [["sqrt(2)", -1]])
    th = loss.point([0, 0])
    assert not loss.field.is_rational
    assert lower_bound.global_minimum(loss, th)["value"] == "3/2"
    assert kernel.local_minimum(loss, th).status == "verified"
    moved = compile_loss(net, [[1, "sqrt(2)"]], [["sqrt(2) + 1/10**40", -1]])
    assert lower_bound.global_minimum(moved, th) is None
    assert kernel.local_minimum(moved, th).status == "refuted"
    # an input that is 0 on every sample: the output is always 0, any residual is orthogonal to it
    zero = compile_loss(net, [[0, 0]], [["1/3", "-7"]])
    assert lower_bound.global_minimum(zero, zero.point([5, "2/3"]))["value"] == "221/9"


# the target shift of one sample at which the Hessian of speed.instance("polynomial", 40) stops being
# positive definite lies in (EDGE_LO, EDGE_HI) (bisection with exact elimination, 64 steps)
EDGE_LO = (2990891486214963393, 2 ** 63)
EDGE_HI = (5981782972429926787, 2 ** 64)


@pytest.mark.parametrize("shift, psd", [((EDGE_LO[0] * 2 ** 32 - EDGE_LO[1], EDGE_LO[1] * 2 ** 32), True),
                                        (EDGE_LO, True), (EDGE_HI, False),
                                        ((EDGE_HI[0] * 2 ** 40 + EDGE_HI[1], EDGE_HI[1] * 2 ** 40), False)])
def test_hessian_psd_at_the_edge_of_definiteness_never_wrong_in_floats(shift, psd):
    """One target moved by delta: H(delta) = H(0) - delta (2s) hess F_0, positive definite up to
    delta* and indefinite past it. 2^-32 below delta* the float route proves it; within 2^-64 of
    delta* it must fall back (the exact route decides), and past delta* it must never prove."""
    import sympy
    from bench import speed
    net, X, Y, theta, _ = speed.instance("polynomial", 40)
    Y = [list(r) for r in Y]
    Y[0][0] += sympy.Rational(*shift)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    decide.clear_cache()
    in_floats = decide._positive_definite_in_floats(loss, th)
    assert not in_floats or psd
    if shift[1] == EDGE_LO[1] * 2 ** 32:
        assert in_floats                            # a margin of 2^-32 is proven in floats
    assert kernel.hessian_psd(loss, th).status == ("verified" if psd else "refuted")
    decide.clear_cache()
