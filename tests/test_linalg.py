"""Float proposals, exact certificates: the proposal routes of kernel.linalg
answer as the exact recursion does, and a wrong proposal is never accepted."""
import random

import pytest
import sympy
from sympy import QQ

from losscert.fields import Field
from losscert.kernel import linalg

QF = Field(QQ)


def _random_psd(rng, n, rank, F=QF, extra=()):
    """B^T B + extra with B (rank x n) of small rationals: PSD of rank <= rank."""
    B = [[F(sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3))) for _ in range(n)] for _ in range(rank)]
    rows = [[sum((B[k][i] * B[k][j] for k in range(rank)), F.zero) for j in range(n)] for i in range(n)]
    for i, j, x in extra:
        rows[i][j] += x
        if i != j:
            rows[j][i] += x
    return linalg.matrix(rows, F)


def _exact_answer(H, F):
    """The exact route alone: RREF kernel, Schur-complement recursion."""
    kernel, pivots = linalg.nullspace(H, F)
    v = linalg.negative_direction_exact(H.extract(pivots, pivots), F)
    return kernel, pivots, v is None


@pytest.mark.parametrize("seed", range(12))
def test_proposals_agree_with_the_exact_recursion(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 9)
    kind = seed % 3
    if kind == 0:                      # positive definite
        H = _random_psd(rng, n, n + 2)
    elif kind == 1:                    # PSD and (usually) singular
        H = _random_psd(rng, n, rng.randint(0, n))
    else:                              # indefinite: subtract a rank-one term
        i = rng.randrange(n)
        H = _random_psd(rng, n, rng.randint(1, n), extra=[(i, i, QF(-rng.randint(1, 50)))])
    kernel, pivots, d = linalg.psd_certificate(H, QF)
    exact_kernel, exact_pivots, exact_psd = _exact_answer(H, QF)
    assert (d is None) == exact_psd
    if d is not None:
        assert linalg.quad(H, d, QF) < 0
    else:
        assert kernel == exact_kernel and pivots == exact_pivots
    assert linalg.vanishes(H, kernel, QF)


def test_algebraic_field_proposals():
    F = Field.for_numbers([sympy.sqrt(2)])
    r2 = F(sympy.sqrt(2))
    pd = linalg.matrix([[F(3), r2], [r2, F(2)]], F)                 # det 4 > 0
    indefinite = linalg.matrix([[F(1), r2], [r2, F(1)]], F)         # det -1 < 0
    singular = linalg.matrix([[F(2), r2], [r2, F(1)]], F)           # det 0, PSD
    assert linalg.proves_positive_definite(pd, F)
    assert linalg.negative_direction(pd, F) is None
    v = linalg.negative_direction(indefinite, F)
    assert F.sign(linalg.quad(indefinite, v, F)) < 0
    kernel, pivots, d = linalg.psd_certificate(singular, F)
    assert d is None and pivots == [0] and len(kernel) == 1
    assert linalg.vanishes(singular, kernel, F)
    assert linalg.psd_certificate(indefinite, F)[2] is not None


def test_wrong_proposals_are_rejected_and_the_exact_route_answers(monkeypatch):
    monkeypatch.setattr(linalg, "EXACT_UP_TO", 0)                      # the float proposals run on small matrices
    H = linalg.matrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]], QF)           # PD
    S = linalg.matrix([[1, 2], [2, 1]], QF)                             # indefinite
    # a perturbed congruence: W S W^T is not diagonally dominant, so no PD proof
    assert linalg._diagonally_dominant(linalg._exact_congruence(S, QF, [[1, 0], [0, 1]]), QF) is False
    assert linalg._exact_congruence(S, QF, [[1, 1], [0, 1]]) is None                # not triangular
    assert not linalg.proves_positive_definite(S, QF)
    # a lying float Cholesky (the identity for an indefinite matrix) proves nothing
    monkeypatch.setattr(linalg.numpy.linalg, "cholesky", lambda A: linalg.numpy.eye(A.shape[0]))
    assert not linalg.proves_positive_definite(S, QF)
    v = linalg.negative_direction(S, QF)
    assert linalg.quad(S, v, QF) < 0
    assert linalg.negative_direction(H, QF) is None                     # the exact route still proves PD
    monkeypatch.undo()
    monkeypatch.setattr(linalg, "EXACT_UP_TO", 0)
    # a bad kernel proposal: pivots that miss a direction of the column space
    singular = linalg.matrix([[1, 1, 0], [1, 1, 0], [0, 0, 3]], QF)
    assert linalg.kernel_for(singular, QF, [0]) is None                 # rank is 2, not 1
    assert linalg.kernel_for(singular, QF, [1, 2]) == [[1, -1, 0]]
    assert not linalg.vanishes(singular, [[1, 0, 0]], QF)
    # a float proposal that gets the rank wrong: the exact route corrects it
    monkeypatch.setattr(linalg, "_pivot_proposal", lambda H, F, Hf, attempt=0: ([0], None) if attempt == 0 else None)
    kernel, pivots, d = linalg.psd_certificate(singular, QF)
    assert pivots == [0, 2] and kernel == [[-1, 1, 0]] and d is None


def test_a_wrong_negative_vector_is_not_returned(monkeypatch):
    monkeypatch.setattr(linalg, "EXACT_UP_TO", 0)                      # the float proposals run on small matrices
    H = linalg.matrix([[2, 1], [1, 2]], QF)
    # eigh lying about a negative eigenvalue: the rounded vector fails v^T H v < 0
    monkeypatch.setattr(linalg.numpy.linalg, "eigh",
                        lambda A: (linalg.numpy.array([-1.0, 1.0]), linalg.numpy.eye(2)))
    assert linalg.negative_proposal(H, QF) is None
    kernel, pivots, d = linalg.psd_certificate(H, QF)
    assert d is None and kernel == [] and pivots == [0, 1]


@pytest.mark.parametrize("rows, expected", [
    ([], ([], [], None)),
    ([[5]], ([], [0], None)),
    ([[0]], ([[1]], [], None)),
    ([[0, 0], [0, 0]], ([[1, 0], [0, 1]], [], None)),
])
def test_degenerate_matrices(rows, expected):
    H = linalg.matrix(rows, QF) if rows else linalg.DomainMatrix([], (0, 0), QQ)
    assert linalg.psd_certificate(H, QF) == expected


def test_one_by_one_negative_and_huge_entries():
    assert linalg.psd_certificate(linalg.matrix([[-3]], QF), QF)[2] == [1]
    big = sympy.Integer(10) ** 400                                     # beyond float range: exact route
    H = linalg.matrix([[big, 1], [1, big]], QF)
    assert linalg.negative_direction(H, QF) is None
    H = linalg.matrix([[1, big], [big, 1]], QF)
    assert linalg.quad(H, linalg.negative_direction(H, QF), QF) < 0


def test_solve_in_range_and_project_out():
    H = linalg.matrix([[2, 2, 0], [2, 2, 0], [0, 0, 1]], QF)
    kernel, pivots, d = linalg.psd_certificate(H, QF)
    (y,) = linalg.solve_in_range(H, pivots, [[QF(4), QF(4), QF(3)]], QF)
    assert linalg.matvec(H, y, QF) == [4, 4, 3]
    p = linalg.project_out([QF(1), QF(0), QF(0)], kernel, QF)
    assert linalg.dot(p, kernel[0], QF) == 0


def show(x):
    """Field elements as text, whatever the ground types."""
    return [show(y) for y in x] if isinstance(x, (list, tuple)) else None if x is None else str(x)


@pytest.mark.slow
def test_sympy_ground_types_fallback_agrees():
    """Without FLINT ground types (SymPy's pure Python rationals) the same certificates come out."""
    import json
    import os
    import subprocess
    import sys
    code = ("import json, random, sympy.external.gmpy as g, test_linalg as t; "
            "out = [g.GROUND_TYPES]; "
            "[out.append(t.show(t.linalg.psd_certificate(t._random_psd(random.Random(s), 6, s % 7), t.QF))) "
            "for s in range(6)]; print(json.dumps(out))")
    here = os.path.dirname(__file__)
    runs = {}
    for ground in ("flint", "python"):
        env = dict(os.environ, SYMPY_GROUND_TYPES=ground,
                   PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        runs[ground] = json.loads(r.stdout)
    assert runs["python"][0] == "python"
    assert runs["python"][1:] == runs["flint"][1:]


# -- the kernel's short cuts (decide) -------------------------------------------

def _fresh():
    from losscert import kernel
    kernel.decide.clear_cache()
    return kernel


def test_zero_loss_is_a_global_minimum_before_any_hessian(monkeypatch):
    import cases
    kernel = _fresh()
    loss, point = cases.zero_loss_flat()
    theta = loss.point(point)
    monkeypatch.setattr(loss, "hessian", lambda th, raw=False: pytest.fail("Hessian formed for a zero-loss point"))
    v = kernel.local_minimum(loss, theta)
    assert v.status == "verified" and "L(theta) = 0" in v.reason


def test_a_constant_loss_curve_refutes_strictness_without_a_psd_test(monkeypatch):
    import cases
    kernel = _fresh()
    loss, point = cases.zero_loss_flat()
    monkeypatch.setattr(linalg, "psd_pivots", lambda H, F: pytest.fail("PSD test run"))
    v = kernel.strict_local_minimum(loss, loss.point(point))
    assert v.status == "refuted" and "constant on the curve" in v.reason


def test_hessian_psd_reuses_the_points_factorisation(monkeypatch):
    import cases
    kernel = _fresh()
    loss, point = cases.orbits_fill_kernel()
    theta = loss.point(point)
    assert kernel.local_minimum(loss, theta).status == "verified"
    monkeypatch.setattr(loss, "hessian", lambda th, raw=False: pytest.fail("Hessian recomputed"))
    v = kernel.hessian_psd(loss, theta)
    assert v.status == "verified" and v.evidence["inertia"]["zero"] == 1
    loss2, point2 = cases.saddle_at_origin()
    assert kernel.hessian_psd(loss2, loss2.point(point2)).status == "refuted"


# -- the structural interval Hessian (compiler.Loss.iv_hessian) ------------------

def test_structural_interval_hessian_encloses_the_hessian():
    from losscert import compile_loss, dense, intervals
    tanh = compile_loss(dense([2, 2, 1], activation="tanh", biases=True), [[1, "1/2"], ["-1/3", 2]], [[1, "1/4"]])
    theta = tanh.point({p: sympy.Rational(k + 1, 7) for k, p in enumerate(tanh.params)})
    with intervals.precision(30):
        box = intervals.box(tanh.field, theta, sympy.Rational(1, 1000))
        fast, slow = tanh.iv_hessian(box), tanh.iv_hessian_by_jets(box)
    assert all(a.overlaps(b) for ra, rb in zip(fast, slow) for a, b in zip(ra, rb))
    poly = compile_loss(dense([2, 2, 1], activation="poly(0, 1, 1/2)"), [[1, 2], [3, -1]], [[1, 0]])
    theta = poly.point({p: sympy.Rational(k - 2, 3) for k, p in enumerate(poly.params)})
    H = poly.hessian(theta, raw=True).to_list()
    with intervals.precision(30):
        box = intervals.box(poly.field, theta, sympy.Rational(1, 100))
        balls = poly.iv_hessian(box)
    assert all(b.contains(intervals.field_to_arb(poly.field, h)) for rb, rh in zip(balls, H) for b, h in zip(rb, rh))
