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


def test_nonsmooth_relu_kink_is_inconclusive():
    from cases import _net
    from losscert import compile_loss
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "relu"})
    loss = compile_loss(net, [[1, -1]], [[1, 0]])
    theta = loss.point({"x -> h": 0, "h -> y": 1})      # pre-activation exactly 0
    assert kernel.local_minimum(loss, theta).status == I


def test_transcendental_activation_is_inconclusive_not_verified():
    from cases import _net
    from losscert import compile_loss
    net = _net([("x", "h"), ("h", "y")], ["x"], ["y"], acts={"h": "tanh"})
    loss = compile_loss(net, [[1]], [[0]])
    theta = loss.point({"x -> h": 1, "h -> y": 0})
    for f in (kernel.critical_point, kernel.local_minimum, kernel.strict_local_minimum):
        assert f(loss, theta).status == I


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
