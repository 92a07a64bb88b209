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


@pytest.fixture(params=["generic pass", "integer pass"])
def both_passes(request, monkeypatch):
    """Run the test with the generic exact pass and with the vectorised integer pass."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 10 ** 9 if request.param == "generic pass" else 0)


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
