"""Rump's verified positive-definiteness test (kernel/verified.py): it may
fail to prove, it must never prove a matrix that is not positive definite.
Every True below is checked against exact rational elimination."""
from __future__ import annotations

import math
import platform
import sys
from fractions import Fraction

import numpy as np
import pytest
from sympy import QQ

from losscert.fields import Field
from losscert.kernel import linalg, verified


def exact_pd(A) -> bool:
    """Exact: the float matrix A (its lower triangle, symmetrised) is positive definite."""
    n = A.shape[0]
    F = Field(QQ)
    rows = [[QQ(Fraction(float(A[max(i, j), min(i, j)])).numerator, Fraction(float(A[max(i, j), min(i, j)])).denominator)
             for j in range(n)] for i in range(n)]
    S = linalg.matrix(rows, F)
    return linalg.negative_direction_exact(S, F) is None


def spectrum(rng, eigenvalues):
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.asarray(eigenvalues)) @ Q.T
    return (A + A.T) / 2


def test_well_conditioned_is_proven():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 30, 200):
        A = spectrum(rng, rng.uniform(1, 10, n))
        assert verified.is_spd(A)


def test_indefinite_and_singular_are_not():
    assert not verified.is_spd(np.array([[1.0, 2.0], [2.0, 1.0]]))
    assert not verified.is_spd(np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert not verified.is_spd(np.zeros((3, 3)))
    assert not verified.is_spd(-np.eye(4))


@pytest.mark.parametrize("seed", range(6))
def test_edge_of_definiteness_never_wrong(seed):
    """Smallest eigenvalues of either sign at the rounding level: every True is exactly PD."""
    rng = np.random.default_rng(seed)
    proven = 0
    for k in range(40):
        n = int(rng.integers(2, 14))
        lam = rng.uniform(1, 2, n)
        lam[0] = float(rng.choice([-1, 1])) * 10.0 ** rng.uniform(-18, -6)
        A = spectrum(rng, lam)
        if verified.is_spd(A):
            proven += 1
            assert exact_pd(A), (seed, k, lam[0])
    # the positive ones well above the rounding level are proven (the test can fail)
    A = spectrum(rng, [1e-6] + [1.0] * 9)
    assert verified.is_spd(A) and exact_pd(A)


def test_tiny_negative_eigenvalue_is_not_proven():
    # exact: L diag(1, ..., 1, -1e-20) L^T with an integer unit lower triangular L
    n = 8
    L = np.tril(np.ones((n, n)))
    D = np.ones(n)
    D[-1] = -2.0 ** -70
    A = (L * D) @ L.T               # exact in floats: small integers plus one dyadic entry
    assert not exact_pd(A)
    assert not verified.is_spd(A)


def test_huge_entry_ranges():
    big, small = 2.0 ** 1000, 2.0 ** -1000
    singular = np.array([[big, 1.0], [1.0, small]])        # det = 1 - 1 = 0
    assert not exact_pd(singular)
    assert not verified.is_spd(singular)
    pd = np.array([[big, 0.5], [0.5, small]])              # det = 3/4
    assert verified.is_spd(pd) and exact_pd(pd)
    overflowing = np.array([[1e308, 1e308], [1e308, 1e308]])
    assert not verified.is_spd(overflowing)


def test_subnormals():
    sub = 5e-324
    assert not verified.is_spd(np.array([[sub, sub], [sub, sub]]))
    A = np.array([[1.0, 0.0], [0.0, sub]])
    if verified.is_spd(A):
        assert exact_pd(A)
    B = np.array([[1.0, 1e-310], [1e-310, 1.0]])       # subnormal off-diagonal entries: folded into the radius
    assert verified.is_spd(B)


def test_non_finite_and_malformed_inputs():
    assert not verified.is_spd(np.array([[math.nan, 0.0], [0.0, 1.0]]))
    assert not verified.is_spd(np.array([[math.inf, 0.0], [0.0, 1.0]]))
    assert not verified.is_spd(np.eye(2), np.array([[0.0, math.nan], [math.nan, 0.0]]))
    assert not verified.is_spd(np.eye(2), -np.eye(2))          # negative radius
    assert not verified.is_spd(np.ones((2, 3)))
    assert not verified.is_spd(np.ones(3))
    assert verified.is_spd(np.zeros((0, 0)))


def test_radius_is_folded_into_the_shift():
    mid = np.eye(2)
    assert verified.is_spd(mid, np.full((2, 2), 0.1))
    assert not verified.is_spd(mid, np.array([[0.0, 1.0], [1.0, 0.0]]))     # holds [[1, 1], [1, 1]]
    n = 6
    # mid = I, off-diagonal radius r: the matrix I - r (11^T - I) is in the box, eigenvalue 1 - r (n - 1)
    r = 1.0 / (n - 1) * (1 + 1e-9)
    assert not verified.is_spd(np.eye(n), np.full((n, n), r) - np.diag(np.full(n, r)))


def test_only_the_lower_triangle_is_read():
    """An asymmetric midpoint: the symmetric matrices within the radius of it are those of its lower triangle."""
    A = np.array([[1.0, 5.0], [0.0, 1.0]])
    assert verified.is_spd(A)                     # the symmetric matrix near it is I
    B = np.array([[1.0, 0.0], [5.0, 1.0]])
    assert not verified.is_spd(B)


def test_rational_enclosure_holds_the_exact_values():
    F = Field(QQ)
    S = linalg.matrix([[QQ(1, 3), QQ(10) ** 40], [QQ(-2, 7), QQ(1, 10 ** 300)]], F)
    mid, rad = verified.matrix_enclosure(S)
    for (i, j), x in np.ndenumerate(mid):
        q = S.to_list()[i][j]
        exact = Fraction(int(q.numerator), int(q.denominator))
        assert abs(Fraction(x) - exact) <= Fraction(rad[i, j])
    huge = linalg.matrix([[QQ(10) ** 400]], F)
    assert verified.matrix_enclosure(huge) is None


def test_proves_pd_on_exact_matrices():
    F = Field(QQ)
    assert verified.proves_pd(linalg.matrix([[2, -1], [-1, 2]], F))
    # exactly singular but within rounding of PD matrices: never proven
    eps = QQ(1, 10 ** 30)
    T = linalg.matrix([[1, 1], [1, 1 - eps]], F)            # indefinite, rounds to [[1, 1], [1, 1]]
    assert not verified.proves_pd(T)
    assert not verified.proves_pd(linalg.matrix([[1, 2], [2, 1]], F))


@pytest.mark.parametrize("seed", range(4))
def test_exact_matrices_with_tiny_negative_pivots_are_never_proven(seed):
    """S = L diag(1, ..., 1, -q) L^T exactly (L unit lower triangular with small
    integers, q = 10^-k): indefinite, but its float rounding is often a matrix
    whose unshifted float Cholesky succeeds."""
    import random
    rng = random.Random(seed)
    F = Field(QQ)
    for _ in range(25):
        n = rng.randint(3, 30)
        L = [[QQ(rng.randint(-3, 3)) if j < i else QQ(int(i == j)) for j in range(n)] for i in range(n)]
        D = [QQ(1)] * (n - 1) + [-QQ(1, 10 ** rng.randint(8, 30))]
        S = [[sum((L[i][k] * D[k] * L[j][k] for k in range(n)), QQ(0)) for j in range(n)] for i in range(n)]
        assert not verified.proves_pd(linalg.matrix(S, F))


def test_plain_float_cholesky_is_fooled_but_not_rump():
    """Float matrices that are exactly indefinite (checked by exact
    elimination) but whose plain float Cholesky runs to completion: a
    non-verified test would call them positive definite; is_spd never does."""
    rng = np.random.default_rng(3)
    fooled = 0
    for _ in range(120):
        n = int(rng.integers(20, 50))
        L = np.tril(rng.standard_normal((n, n)) * 3, -1) + np.eye(n)
        D = np.ones(n)
        D[-1] = -10.0 ** rng.uniform(-16, -10)
        A = (L * D) @ L.T
        A = np.tril(A) + np.tril(A, -1).T
        try:
            np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            continue
        if not exact_pd(A):
            fooled += 1
            assert not verified.is_spd(A)
    assert fooled > 0


# -- the box Hessian enclosed in floats from Arb-ball factors (fastpath.ball_hessian) --------

def _tanh_loss():
    from losscert.compiler import compile_loss
    from losscert.network import dense
    return compile_loss(dense([2, 3, 2], activation="tanh"), X=[[1, "1/3", -2], ["1/2", 2, "-3/7"]],
                        Y=[[1, 0, "1/5"], ["-1/2", 2, 1]])


def test_ball_hessian_encloses_the_hessian_everywhere_on_the_box():
    import random
    import sympy
    from flint import arb
    from losscert import intervals
    from losscert.kernel import fastpath
    loss = _tanh_loss()
    P = len(loss.params)
    theta = [sympy.Rational(k - 7, 5 + k) for k in range(P)]
    rho = sympy.Rational(1, 1000)
    rng = random.Random(3)
    with intervals.precision(60):
        box = [intervals.exact(t) + arb(0, 1e-3) for t in theta]
        mid, rad = fastpath.ball_hessian(*loss.iv_hessian_factors(box), P, loss.scale * 2)
        assert mid is not None and np.all(rad > 0) and np.all(rad < 1e-1)
        points = [theta] + [[t + rho * rng.choice([-1, 1, sympy.Rational(rng.randint(-9, 9), 10)]) for t in theta]
                            for _ in range(12)]
        for point in points:
            H = loss.iv_hessian([intervals.exact(t) for t in point])     # narrow balls (60 digits)
            for i in range(P):
                for j in range(P):
                    lo, hi = float(H[i][j].lower()), float(H[i][j].upper())
                    assert mid[i, j] - rad[i, j] <= lo + abs(lo) * 1e-15 + 1e-300
                    assert hi - abs(hi) * 1e-15 - 1e-300 <= mid[i, j] + rad[i, j]
    # a point outside the box is not enclosed (the enclosure is not vacuous)
    with intervals.precision(60):
        far = loss.iv_hessian([intervals.exact(t + 1) for t in theta])
    assert any(abs(float(far[i][j].mid()) - mid[i, j]) > rad[i, j] for i in range(P) for j in range(P))


def test_ball_hessian_refuses_balls_outside_floats():
    from flint import arb
    from losscert.kernel import fastpath
    big = {0: {0: arb(10) ** 400}}
    assert fastpath.ball_hessian(big, {}, 1, 1) == (None, None)
    nan = {0: {0: arb("nan")}}
    assert fastpath.ball_hessian(nan, {}, 1, 1) == (None, None)
    wide = {0: {0: arb(0, 10) ** 300 + 1}}
    assert fastpath.ball_hessian(wide, {}, 1, 1) == (None, None)
    ok = fastpath.ball_hessian({0: {0: arb(3)}}, {0: {0: arb(1)}}, 1, 2)      # 2 (3^2 + 1) = 20
    assert ok[0][0, 0] == 20 and 0 < ok[1][0, 0] < 1e-12


# -- the box Hessian from a midpoint-radius float pass (float_pass.box_factors) ---------------

@pytest.mark.parametrize("act", ["tanh", "sigmoid", "poly(0, 1, 1/2)", "relu"])
def test_box_factors_enclose_the_hessian_and_the_loss_everywhere_on_the_box(act):
    import random
    import sympy
    from losscert import intervals
    from losscert.compiler import compile_loss
    from losscert.kernel import fastpath, float_pass
    from losscert.network import dense
    loss = compile_loss(dense([2, 3, 2], activation=act, biases=True), X=[[1, "1/3", -2], ["1/2", 2, "-3/7"]],
                        Y=[[1, 0, "1/5"], ["-1/2", 2, 1]])
    P = len(loss.params)
    theta = [sympy.Rational(k - 7, 5 + k) for k in range(P)]
    rho = sympy.Rational(1, 1000)
    rng = random.Random(5)
    with intervals.precision(60):
        out = float_pass.box_factors(loss, theta, rho)
        assert out is not None
        mid, rad = fastpath.hessian_from_factors(out["factors"], P, loss.field.rational(loss.scale * 2))
        c, r = out["value"]
        assert np.all(rad > 0) and rad.max() < 1 and 0 < r < 1      # not vacuous (box radius 1e-3)
        points = [theta] + [[t + rho * rng.choice([-1, 1, sympy.Rational(rng.randint(-9, 9), 10)]) for t in theta]
                            for _ in range(10)]
        for point in points:
            ball = [intervals.exact(t) for t in point]
            H = loss.iv_hessian(ball)
            for i in range(P):
                for j in range(P):
                    lo, hi = float(H[i][j].lower()), float(H[i][j].upper())
                    assert mid[i, j] - rad[i, j] <= lo + abs(lo) * 1e-15 + 1e-300
                    assert hi - abs(hi) * 1e-15 - 1e-300 <= mid[i, j] + rad[i, j]
            L = loss.iv_value(ball)
            assert c - r <= float(L.lower()) * (1 + 1e-15) + 1e-300 and float(L.upper()) * (1 - 1e-15) <= c + r


def test_box_factors_decline_what_they_cannot_enclose():
    import sympy
    from losscert import intervals
    from losscert.compiler import compile_loss
    from losscert.kernel import float_pass
    from losscert.network import dense
    relu = compile_loss(dense([1, 1, 1], activation="relu"), X=[[1, -1]], Y=[[1, 0]])
    with intervals.precision(30):
        assert float_pass.box_factors(relu, [sympy.Integer(0), sympy.Integer(1)], sympy.Rational(1, 10)) is None
        huge = compile_loss(dense([1, 1, 1], activation="tanh"), X=[["1" + "0" * 500, 1]], Y=[[1, 0]])
        assert float_pass.box_factors(huge, [sympy.Integer(1), sympy.Integer(1)], sympy.Rational(1, 10)) is None
        algebraic = compile_loss(dense([1, 1, 1], activation="tanh"), X=[["sqrt(2)", 1]], Y=[[1, 0]])
        assert float_pass.box_factors(algebraic, [sympy.Integer(1), sympy.Integer(1)], sympy.Rational(1, 10)) is None


# -- Morse-Bott from the tangents: every way the split can be wrong must fall back ------------

class _Enc:
    """A stand-in for fastpath.Enclosure: the exact rational H rounded, with its rounding radius."""

    def __init__(self, H):
        from losscert.fields import Field
        self.F = Field(QQ)
        self.P = len(H)
        S = linalg.matrix(H, self.F)
        self.mid, self.rad = verified.matrix_enclosure(S)


def _psd_with_kernel(rng, n, kernel):
    """H = B^T B (exact rationals) with B of rows orthogonal to the given integer kernel vectors."""
    from sympy import Matrix
    K = Matrix([list(k) for k in kernel]).T if kernel else Matrix.zeros(n, 0)
    rows = []
    while len(rows) < n - len(kernel):
        v = Matrix([QQ(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(n)])
        if kernel:
            v = v - K * (K.T * K).inv() * (K.T * v)          # project out the kernel (exact)
        rows.append(v)
    B = Matrix.hstack(*rows).T
    H = B.T * B
    return [[H[i, j] for j in range(n)] for i in range(n)]


def test_morse_bott_needs_the_whole_kernel_in_span_t():
    import random
    from losscert.kernel import fastpath
    rng = random.Random(5)
    t1, t2 = (1, 2, 0, -1, 0, 3, 1), (0, 1, 1, 0, -2, 0, 1)
    H = _psd_with_kernel(rng, 7, [t1, t2])
    enc = _Enc(H)
    T = [[QQ(x) for x in t] for t in (t1, t2)]
    assert fastpath.morse_bott(enc, T) is not None                    # ker H = span T: proven
    assert fastpath.morse_bott(enc, T[:1]) is None                    # a kernel vector outside span T
    assert fastpath.morse_bott(enc, [T[0], [3 * x for x in T[0]]]) is None      # dependent tangents


def test_morse_bott_refuses_tangents_that_only_look_independent():
    """Thirds and sevenths: float elimination of [t, 3 t] leaves a rounding residue
    the exact rank check rejects (T_S singular)."""
    from losscert.fields import Field
    from losscert.kernel import fastpath
    t = [QQ(1, 3), QQ(2, 7), QQ(-5, 11), QQ(1, 13), QQ(3, 17)]
    T = [t, [3 * x for x in t]]
    assert fastpath.complement_of_tangents(T, Field(QQ), 5) is None
    assert fastpath.complement_of_tangents(T[:1], Field(QQ), 5) is not None


def test_morse_bott_with_a_tiny_negative_eigenvalue_on_the_complement():
    """ker H = span T plus, on the complement, an eigenvalue -2^-70 hidden under the
    rounding of the other entries: H_CC is not proven positive definite."""
    import random
    from losscert.kernel import fastpath
    rng = random.Random(9)
    t = (1, -1, 2, 0, 0, 1)
    H = _psd_with_kernel(rng, 6, [t])
    w = [QQ(0), QQ(1), QQ(1), QQ(0), QQ(-1), QQ(1)]           # w . t = 0
    ww = sum(x * x for x in w)
    # H' = H - eps w w^T keeps H' t = 0 (w orthogonal to t); eps chosen so that w^T H' w = -2^-70 |w|^2
    whw = sum(w[i] * H[i][j] * w[j] for i in range(6) for j in range(6))
    eps = (whw / ww + QQ(1, 2 ** 70)) / ww
    H2 = [[H[i][j] - eps * w[i] * w[j] for j in range(6)] for i in range(6)]
    assert sum(w[i] * H2[i][j] * w[j] for i in range(6) for j in range(6)) < 0
    assert fastpath.morse_bott(_Enc(H2), [[QQ(x) for x in t]]) is None


# -- the float Krawczyk step (rigorous._certify_in_floats) on hand-made boxes --------------------

def test_float_krawczyk_refuses_boxes_without_exactly_one_minimum():
    import sympy
    from flint import arb
    from losscert.kernel import rigorous

    def certify(mid, rad, g, rho):
        return rigorous._certify_in_floats(mid, rad, rigorous._float_balls(g), rho)
    rho = sympy.Rational(1, 1000)
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    small = [arb(1e-7), arb(-2e-7)]
    ok, Y = certify(H, np.full((2, 2), 1e-3), small, rho)
    assert ok is not None and Y is not None                        # one critical point, H PD on the box
    # the Newton step leaves the box (no critical point, or one outside): not proven
    assert certify(H, np.full((2, 2), 1e-3), [arb(1e-2), arb(0)], rho)[0] is None
    # a gradient ball wider than the box allows: not proven
    assert certify(H, np.full((2, 2), 1e-3), [arb(0, 1e-2), arb(0)], rho)[0] is None
    # g(x) = x^2 - e on [-rho, rho] (two roots +-sqrt(e)): H(box) = 2x holds 0, and one holding a
    # negative value: neither PD nor Krawczyk
    e = 1e-8
    for mid in (0.0, 1e-4):
        assert certify(np.array([[mid]]), np.array([[2 * float(rho)]]), [arb(-e)], rho) \
            == (None, None)
    # a singular midpoint, an indefinite one, a radius that reaches singularity
    assert certify(np.array([[1.0, 1.0], [1.0, 1.0]]), np.zeros((2, 2)), small, rho) \
        == (None, None)
    assert certify(np.array([[1.0, 2.0], [2.0, 1.0]]), np.zeros((2, 2)), small, rho) \
        == (None, None)
    assert certify(np.eye(2), np.full((2, 2), 1.0), small, rho) == (None, None)
    # a gradient entry that is not a finite ball
    assert certify(H, np.zeros((2, 2)), [arb("nan"), arb(0)], rho) == (None, None)


# -- the floating-point environment: flush-to-zero / denormals-are-zero --------------------------

_SET_MXCSR = """
import ctypes, mmap, sys
bits = int(sys.argv[1])
# x86-64: sub rsp, 8; stmxcsr [rsp]; or dword [rsp], bits; ldmxcsr [rsp]; add rsp, 8; ret
code = bytes([0x48, 0x83, 0xEC, 0x08, 0x0F, 0xAE, 0x1C, 0x24, 0x81, 0x0C, 0x24]) + bits.to_bytes(4, "little") \
    + bytes([0x0F, 0xAE, 0x14, 0x24, 0x48, 0x83, 0xC4, 0x08, 0xC3])
buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
ctypes.CFUNCTYPE(None)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))()
"""


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")),
                    reason="sets the x86-64 MXCSR register")
@pytest.mark.parametrize("bits", [0x8040, 0x0040, 0x8000], ids=["ftz+daz", "daz", "ftz"])
def test_flush_to_zero_mode_is_detected(bits):
    """A native library built with -ffast-math may switch on flush-to-zero (FTZ)
    and denormals-are-zero (DAZ) for the whole process (a notebook importing it,
    then calling the kernel). Under DAZ the subnormal off-diagonal entries of
    this indefinite matrix read as 0, and the shifted Cholesky proved it
    positive definite. Any such mode: nothing is proven."""
    import subprocess
    script = """
import numpy as np
from losscert.kernel import verified
a = 2.0 ** -1022
M = np.array([[1.5, -0.8, -0.8], [-0.8, 1.5, -0.8], [-0.8, -0.8, 1.5]]) * a   # eigenvalue -0.1 a
""" + _SET_MXCSR + """
print(verified.gradual_underflow(), verified.is_spd(M), verified.is_spd(np.eye(3)))
"""
    a = 2.0 ** -1022
    M = np.array([[1.5, -0.8, -0.8], [-0.8, 1.5, -0.8], [-0.8, -0.8, 1.5]]) * a
    assert not exact_pd(M) and not verified.is_spd(M) and verified.gradual_underflow()
    out = subprocess.run([sys.executable, "-c", script, str(bits)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "False"]


# -- adversarial review 4: the point enclosure (float_pass.Rounding) -----------------------------

def _exact_factor_arrays(loss, theta):
    """The exact structural factors J, G as dense Fraction arrays (the reference)."""
    from losscert.compiler import _ExactNumbers
    J, G = loss._structural_hessian(theta, _ExactNumbers(loss))
    P = len(theta)
    rows = len(loss.Y) * loss.n
    Je = [[Fraction(0)] * P for _ in range(rows)]
    Ge = [[Fraction(0)] * P for _ in range(P)]
    for r, row in J.items():
        for q, x in row.items():
            Je[r][q] = Fraction(int(x.p), int(x.q))
    for p, row in G.items():
        for q, x in row.items():
            Ge[p][q] = Fraction(int(x.p), int(x.q))
    return Je, Ge


def _assert_point_enclosure(loss, theta):
    """float_factors either declines or encloses the exact J and G entrywise (checked in rationals)."""
    from losscert.kernel import float_pass
    out = float_pass.float_factors(loss, theta)
    if out is None:
        return False
    Jf, Jr, Gf, Gr = out
    Je, Ge = _exact_factor_arrays(loss, theta)
    for M, R, E in ((Jf, Jr, Je), (Gf, Gr, Ge)):
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                assert abs(E[i][j] - Fraction(float(M[i, j]))) <= Fraction(float(R[i, j])), (i, j, E[i][j], M[i, j])
    return True


def _squaring_chain(layers, m=0, n=2, seed=0):
    """x -> h0 -> ... -> h_{layers-1} (z^2, fixed weights 1) -> r (ReLU, weight v; plus x0 with weight 1)
    -> y (weight 1), and m inputs z_j -> y (weights c_j). Sample 0: x rounds to 1.0 from below by
    u/2 (relative), so h_last = x^(2^layers) is 1 - 2^(layers-1) u exactly but 1.0 in floats, and
    x0 = -(1 - 300 u): the ReLU's exact pre-activation is about -212 u < 0 (inactive), its float
    one +300 u. Other samples: x = 1, x0 = -10 (inactive). Y = Z c + e with e orthogonal to Z:
    an exact critical point with L > 0, the ReLU inactive everywhere (its weight v has a zero
    Hessian row: not a strict minimum)."""
    import random
    import networkx as nx
    import sympy
    from losscert.compiler import compile_loss
    from losscert.network import Network
    rng = random.Random(seed)
    g = nx.DiGraph()
    zs = [f"z{j}" for j in range(m)]
    for node in ["x", "x0"] + zs:
        g.add_node(node)
    prev = "x"
    for i in range(layers):
        g.add_node(f"h{i}", activation="poly(0, 0, 1)", bias=False)
        g.add_edge(prev, f"h{i}", fixed=1)
        prev = f"h{i}"
    g.add_node("r", activation="relu", bias=False)
    g.add_edge(prev, "r")
    g.add_edge("x0", "r", fixed=1)
    g.add_node("y", bias=False)
    g.add_edge("r", "y", fixed=1)
    for z in zs:
        g.add_edge(z, "y")
    net = Network(g, inputs=["x", "x0"] + zs, outputs=["y"])
    u = sympy.Rational(1, 2 ** 53)
    x_trick = 1 - sympy.Rational(1, 2 ** 54) + sympy.Rational(1, 2 ** 80)
    x0 = -(1 - 300 * u)
    Z, c, Yv = _least_squares_targets(rng, n, m)
    X = [[x_trick] + [1] * (n - 1), [x0] + [-10] * (n - 1)] + [[Z[i, j] for i in range(n)] for j in range(m)]
    loss = compile_loss(net, [[str(q) for q in row] for row in X], [[str(y) for y in Yv]])
    point = {p: 1 for p in loss.params}
    point.update({f"{z} -> y": int(c[j]) for j, z in enumerate(zs)})
    return loss, loss.point(point)


def _least_squares_targets(rng, n, m):
    """(Z, c, Y): m random integer input columns Z over n samples, weights c, and targets
    Y = Z c + a vector orthogonal to Z's columns (so c is an exact least-squares critical point)."""
    import sympy
    if not m:
        return sympy.zeros(n, 0), [], [0] * n
    Z = sympy.Matrix(n, m, lambda i, j: rng.randint(-3, 3))
    c = sympy.Matrix(m, 1, lambda i, j: rng.randint(-2, 2))
    return Z, c, list(Z * c + Z.T.nullspace()[0])


def test_point_enclosure_of_a_squaring_chain_holds_the_exact_factors():
    """Rounding errors of the two factors of a product add up (Higham's (1 + theta_j)(1 + theta_k) =
    1 + theta_{j+k}): ten squarings turn one input rounding of u/2 into 512 u. The enclosure must hold
    the exact Jacobian (here: the ReLU is inactive, J = 0) or decline."""
    for layers in (3, 6, 10):
        loss, theta = _squaring_chain(layers)
        _assert_point_enclosure(loss, theta)


def test_no_strict_minimum_from_a_misjudged_relu_sign():
    """The same chain inside a 25-parameter least-squares problem: the exact critical point has an
    inactive ReLU whose incoming weight has a zero Hessian row (a family of critical points): not a
    strict local minimum. A float enclosure that takes the ReLU's sign as positive proves a positive
    definite Hessian: a wrong 'verified'."""
    from losscert import kernel
    loss, theta = _squaring_chain(10, m=24, n=30)
    assert kernel.critical_point(loss, theta).status == "verified"
    assert kernel.strict_local_minimum(loss, theta).status != "verified"
    assert kernel.local_minimum(loss, theta).status == "verified"


def _tiny_input_chain(m=0, n=2, seed=0):
    """x -> h0 -> h1 -> h2 (linear, fixed weights 2^399) -> r (ReLU, weight -1, bias b) -> y
    (weight 1), plus m inputs z_j -> y. x = 2^-1076, a rational that rounds to 0.0, so h2 = 2^121
    exactly but 0 in floats; with b = 1 the ReLU's exact pre-activation is 1 - 2^121 < 0
    (inactive) and its float one is +1, on every sample. Y as in _squaring_chain."""
    import random
    import networkx as nx
    import sympy
    from losscert.compiler import compile_loss
    from losscert.network import Network
    rng = random.Random(seed)
    g = nx.DiGraph()
    zs = [f"z{j}" for j in range(m)]
    for node in ["x"] + zs:
        g.add_node(node)
    prev = "x"
    for i in range(3):
        g.add_node(f"h{i}", activation="linear", bias=False)
        g.add_edge(prev, f"h{i}", fixed=str(2 ** 399))
        prev = f"h{i}"
    g.add_node("r", activation="relu", bias=True)
    g.add_edge(prev, "r", fixed=-1)
    g.add_node("y", bias=False)
    g.add_edge("r", "y", fixed=1)
    for z in zs:
        g.add_edge(z, "y")
    net = Network(g, inputs=["x"] + zs, outputs=["y"])
    Z, c, Yv = _least_squares_targets(rng, n, m)
    X = [[f"1/{2 ** 1076}"] * n] + [[str(Z[i, j]) for i in range(n)] for j in range(m)]
    loss = compile_loss(net, X, [[str(y) for y in Yv]])
    point = {p: 1 for p in loss.params}
    point.update({f"{z} -> y": int(c[j]) for j, z in enumerate(zs)})
    return loss, loss.point(point)


def test_point_enclosure_refuses_a_rational_that_rounds_to_zero():
    """|x - fl(x)| <= u |x| fails for a non-zero rational below the smallest subnormal (fl(x) = 0):
    multiplied by large weights it is no longer negligible. The enclosure must hold the exact factors
    or decline."""
    loss, theta = _tiny_input_chain()
    _assert_point_enclosure(loss, theta)


def test_no_strict_minimum_from_a_vanished_tiny_input():
    from losscert import kernel
    loss, theta = _tiny_input_chain(m=24, n=30)
    assert len(theta) >= 25 and kernel.critical_point(loss, theta).status == "verified"
    assert kernel.strict_local_minimum(loss, theta).status != "verified"


def test_exact_factors_refuse_an_entry_that_rounds_to_zero():
    """fastpath._exact_factors promises |x - fl(x)| <= 2^-52 |fl(x)|: false for a non-zero entry
    below the smallest subnormal (fl(x) = 0), so it declines."""
    from flint import fmpq
    from losscert.kernel import fastpath
    assert fastpath._exact_factors({0: {0: fmpq(1, 2 ** 1100), 1: fmpq(1)}}, {}, 2) is None
    assert fastpath._exact_factors({0: {0: fmpq(1), 1: fmpq(3)}}, {1: {1: fmpq(1, 2 ** 1100)}}, 2) is None
    ok = fastpath._exact_factors({0: {0: fmpq(1), 1: fmpq(3)}}, {}, 2)
    assert ok is not None and ok[0].tolist() == [[1.0, 3.0]]


def _aligned_rational(rng, up=None):
    """A rational within (1 - 2^-20) half an ulp of a random float: it rounds to that float with a
    relative error of almost u, in the direction ``up`` (random when None), so the roundings of a
    computation add up instead of cancelling."""
    import math
    f = rng.uniform(0.5, 1.5) * rng.choice([1, -1])
    _, e = math.frexp(abs(f))
    d = Fraction(2) ** (e - 54) * (1 - Fraction(1, 2 ** 20))
    up = rng.random() < 0.5 if up is None else up
    q = Fraction(f) + d if up else Fraction(f) - d
    return f"{q.numerator}/{q.denominator}"


def _deep_polynomial_network(rng, layers, width, acts=("poly(0, 0, 1)", "poly(0, 1, 1)", "poly(1, -1, 0, 1)", "linear",
                                                      "poly(0, 0, 0, 1)")):
    """Layers of polynomial activations (squares, cubes) with fixed, tied and free weights and biases."""
    import networkx as nx
    from losscert.network import Network
    g = nx.DiGraph()
    prev = ["x0", "x1"]
    g.add_nodes_from(prev)
    for depth in range(layers):
        layer = [f"h{depth}_{i}" for i in range(width)]
        for h in layer:
            g.add_node(h, activation=rng.choice(acts), bias=rng.random() < 0.5)
            for p in prev:
                r = rng.random()
                g.add_edge(p, h, **({"fixed": _aligned_rational(rng)} if r < 0.3 else
                                    {"tie": f"t{depth}"} if r < 0.4 else {}))
        prev = layer
    g.add_node("y", bias=True)
    for p in prev:
        g.add_edge(p, "y")
    return Network(g, inputs=["x0", "x1"], outputs=["y"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 7, 8, 14, 15, 18, 19, 134, 141])
def test_point_enclosure_with_aligned_roundings_holds_the_exact_factors(seed):
    """Deep polynomial networks whose data, weights and point all round the same way (the worst case
    of the depth bound): the float factors enclose the exact J and G, checked in rationals.
    (Seeds 134 and 141 broke the enclosure when a product's depth was the max of its factors'.)"""
    import random
    from losscert.compiler import compile_loss
    rng = random.Random(seed)
    layers, width = rng.randint(2, 6), rng.randint(1, 2)
    net = _deep_polynomial_network(rng, layers, width)
    n = rng.randint(1, 3)
    up = rng.random() < 0.5
    X = [[_aligned_rational(rng, up) for _ in range(n)] for _ in net.inputs]
    Y = [[_aligned_rational(rng) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    theta = loss.point([_aligned_rational(rng, up) for _ in loss.params])
    _assert_point_enclosure(loss, theta)


@pytest.mark.parametrize("seed", range(30))
def test_point_enclosure_of_random_networks_holds_the_exact_factors(seed):
    """Random DAGs (skip edges, biases, fixed and tied weights, polynomial, ReLU and leaky ReLU
    activations, several outputs; decimal data on every third seed): the float factors enclose the
    exact structural J and G, checked in rationals, or decline."""
    import random
    from test_integer_pass import _random_network, _rational
    from losscert.compiler import compile_loss
    rng = random.Random(seed)
    net = _random_network(rng)
    n = rng.randint(1, 6)
    big = seed % 3 == 0
    X = [[_rational(rng, big) for _ in range(n)] for _ in net.inputs]
    Y = [[_rational(rng, big) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    theta = loss.point([_rational(rng, big) if rng.random() < 0.9 else 0 for _ in loss.params])
    _assert_point_enclosure(loss, theta)


# -- adversarial review 4: the box enclosure (float_pass.Balls) against Arb at high precision -----

_BOX_ACTIVATIONS = ["tanh", "sigmoid", "softplus", "swish", "elu", "relu", "leaky_relu(-3/2)", "poly(0, 1, 1/2)",
                    "poly(0, 0, 1)", "linear", "shifted_sigmoid"]


def _random_box_network(rng):
    """A random DAG: 1-3 layers with skip edges, mixed activations, biases, fixed and tied weights, 1-2 outputs."""
    import networkx as nx
    from losscert.network import Network
    g = nx.DiGraph()
    xs = [f"x{i}" for i in range(rng.randint(1, 3))]
    g.add_nodes_from(xs)
    prev, seen = xs, list(xs)
    for depth in range(rng.randint(1, 3)):
        layer = [f"h{depth}_{i}" for i in range(rng.randint(1, 3))]
        for h in layer:
            g.add_node(h, activation=rng.choice(_BOX_ACTIVATIONS), bias=rng.random() < 0.5)
            for p in seen:
                if p in prev or rng.random() < 0.3:
                    r = rng.random()
                    g.add_edge(p, h, **({"fixed": f"{rng.randint(-5, 5)}/{rng.randint(1, 4)}"} if r < 0.2 else
                                        {"tie": "t"} if r < 0.3 else {}))
        prev, seen = layer, seen + layer
    ys = [f"y{i}" for i in range(rng.randint(1, 2))]
    for y in ys:
        g.add_node(y, bias=rng.random() < 0.5)
        for p in prev:
            g.add_edge(p, y)
        if rng.random() < 0.5:
            g.add_edge(xs[0], y)
    return Network(g, inputs=xs, outputs=ys)


@pytest.mark.parametrize("seed", range(40))
def test_box_factors_of_random_networks_enclose_arb_everywhere_on_the_box(seed):
    """box_factors (at 60 digits for the activations) against Arb's structural factors and loss at
    400 digits, at the centre and at corners and inner points of the box, on random DAGs with data
    and points at several scales (pre-activations up to ~10^6) and radii 1e-1 ... 1e-20: every
    reference ball lies inside [mid - rad, mid + rad], or the pass declines."""
    import random
    import sympy
    from flint import arb
    from losscert import intervals
    from losscert.compiler import compile_loss
    from losscert.kernel import float_pass
    rng = random.Random(seed)
    net = _random_box_network(rng)
    n = rng.randint(1, 4)

    def number(scale):
        return sympy.Rational(rng.randint(-999, 999), rng.randint(1, 999)) * scale

    scale = rng.choice([1, 1, 10, sympy.Rational(1, 100), 1000])
    X = [[str(number(scale)) for _ in range(n)] for _ in net.inputs]
    Y = [[str(number(1)) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    theta = [number(rng.choice([1, 1, 10])) for _ in loss.params]
    rho = rng.choice([sympy.Rational(1, 10 ** k) for k in (1, 3, 6, 12, 20)])
    with intervals.precision(60):
        out = float_pass.box_factors(loss, theta, rho)
    if out is None:
        return
    (Jf, Jr, Gf, Gr), (c, r) = out["factors"], out["value"]
    points = [theta] + [[t + rho * rng.choice([-1, 1, sympy.Rational(rng.randint(-9, 9), 10)]) for t in theta]
                        for _ in range(6)]
    with intervals.precision(400):
        for point in points:
            ball = [intervals.exact(t) for t in point]
            J, G = loss.iv_hessian_factors(ball)
            for M, R, D in ((Jf, Jr, J), (Gf, Gr, G)):
                for i in range(M.shape[0]):
                    for j in range(M.shape[1]):
                        b = D.get(i, {}).get(j, arb(0))
                        lo, hi = arb(float(M[i, j])) - arb(float(R[i, j])), arb(float(M[i, j])) + arb(float(R[i, j]))
                        assert lo <= b.lower() and b.upper() <= hi, (i, j, b, M[i, j], R[i, j])
            L = loss.iv_value(ball)
            assert arb(c) - arb(r) <= L.lower() and L.upper() <= arb(c) + arb(r)


def test_the_new_paths_step_aside_for_a_piece_of_a_relu_network(monkeypatch):
    """Loss.with_slopes replaces activations per sample: the integer pass, the point factors and the
    box factors all decline (the generic pass computes the piece)."""
    import sympy
    from losscert import integer_pass, intervals
    from losscert.compiler import compile_loss
    from losscert.kernel import float_pass
    from losscert.network import dense
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    loss = compile_loss(dense([1, 1, 1], activation="relu"), X=[[1, 2, -1]], Y=[[0, 1, 2]])
    piece = loss.with_slopes({("h1_1", 0): 3})
    theta = piece.point(["1/2", "3"])
    assert integer_pass.value_and_gradient(piece, theta) is None and integer_pass.outputs(piece, theta) is None
    assert float_pass.float_factors(piece, theta) is None
    with intervals.precision(30):
        assert float_pass.box_factors(piece, [sympy.Rational(1, 2), sympy.Integer(3)], sympy.Rational(1, 10)) is None
    assert piece.value(theta) != loss.value(theta)          # the piece differs: using loss's passes would be wrong


def test_point_enclosure_declines_rather_than_return_nan_radii():
    """Sixty squarings: the depth bound passes 2^52 roundings (gamma_d = inf); float_factors declines
    instead of returning NaN radii (which no comparison |J - Jf| <= Jr can hold)."""
    import networkx as nx
    from losscert.compiler import compile_loss
    from losscert.kernel import float_pass
    from losscert.network import Network
    g = nx.DiGraph()
    g.add_node("x")
    prev = "x"
    for i in range(60):
        g.add_node(f"h{i}", activation="poly(0, 0, 1)")
        g.add_edge(prev, f"h{i}", fixed=1)
        prev = f"h{i}"
    g.add_node("y")
    g.add_edge(prev, "y")
    loss = compile_loss(Network(g, inputs=["x"], outputs=["y"]), [["1", "-1"]], [["0", "1"]])
    out = float_pass.float_factors(loss, loss.point([1]))
    assert out is None or all(np.all(np.isfinite(a)) for a in out)


@pytest.mark.parametrize("seed", [44] + list(range(12)))
def test_point_enclosure_near_kinks_with_aligned_roundings(seed):
    """Polynomial and (leaky) ReLU layers with aligned roundings, each ReLU's bias moved so that its
    pre-activation on one sample is within a few hundred u (relative) of the kink: the sign is taken
    only when it is certain, and the enclosure holds the exact factors. (Seed 44 broke the enclosure
    under the old max-depth rule for products.)"""
    import random
    import sympy
    from losscert.compiler import FieldAlgebra, compile_loss
    rng = random.Random(seed)
    layers, width = rng.randint(2, 5), rng.randint(1, 2)
    net = _deep_polynomial_network(rng, layers, width, ("poly(0, 0, 1)", "poly(0, 1, 1)", "relu", "leaky_relu(-1/3)",
                                                        "linear", "poly(0, 0, 0, 1)"))
    n = rng.randint(1, 3)
    up = rng.random() < 0.5
    X = [[_aligned_rational(rng, up) for _ in range(n)] for _ in net.inputs]
    Y = [[_aligned_rational(rng) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    F = loss.field
    theta = [sympy.Rational(_aligned_rational(rng, up)) for _ in loss.params]
    for st in loss.steps:
        if st.bias is not None and st.activation is not None and st.activation.slopes is not None:
            pre: dict = {}
            loss._forward(loss.point(theta), FieldAlgebra(F), False, pre)
            z = F.to_sympy(pre[st.slot][rng.randrange(n)])
            theta[st.bias] = theta[st.bias] - z + z * sympy.Rational(rng.randint(-200, 200), 2 ** 53)
    _assert_point_enclosure(loss, loss.point(theta))


def test_frobenius_bound_survives_underflowing_squares():
    """Entries below 2^-537 square to 0 (or a subnormal): the bound of
    ||G||_F must still hold (sqrt of the lost sum, not the lost sum)."""
    for size, e in ((256, -540), (10_000, -545), (3, -600)):
        G = np.full((1, size), 2.0 ** e)
        bound = verified._frobenius(G)
        assert Fraction(bound) ** 2 >= Fraction(2) ** (2 * e) * size
        assert Fraction(verified._norm_up(G[0])) ** 2 >= Fraction(2) ** (2 * e) * size


def test_arrow_scaling_underflows_at_most_once():
    """D_r M D_c with a small row factor and a large column factor: scaling
    in two steps underflowed M d_r to 0 and lost the entry (error far above
    the eta per entry that is_spd_arrow budgets); one product of d_r d_c is exact."""
    B = verified._shifted(np.array([[2.0 ** -900]]), np.array([2.0 ** -300]), np.array([2.0 ** 300]), None)
    assert B[0, 0] == 2.0 ** -900
