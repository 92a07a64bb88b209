"""The Hessian of one-hidden-layer networks in blocks (kernel/shallow.py) and
the blocked Rump test (verified.is_spd_arrow): the blocks enclose the exact
Hessian, the test never proves a matrix that is not positive definite, and
every case it cannot handle is declined."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from losscert import compile_loss, kernel
from losscert.kernel import fastpath, linalg, shallow, shallow_pass, verified
from losscert.kernel.decide import factored_hessian
from losscert.network import sparse_dense


# -- the blocked test on matrices ------------------------------------------------

def _arrow(rng, sizes, n_inner, schur_eigenvalues):
    """[[diag(B_k), Q^T], [Q, Z]] with B_k positive definite and the Schur
    complement Z - Q B^-1 Q^T of the given spectrum (so the matrix is PD iff
    every eigenvalue given is > 0); returns (blocks, Q, Z, dense)."""
    blocks = []
    for k in sizes:
        M = rng.standard_normal((k, k))
        blocks.append(M @ M.T + k * np.eye(k))
    nO = sum(sizes)
    Q = rng.standard_normal((n_inner, nO))
    B = np.zeros((nO, nO))
    s = 0
    for b in blocks:
        B[s:s + len(b), s:s + len(b)] = b
        s += len(b)
    U, _ = np.linalg.qr(rng.standard_normal((n_inner, n_inner)))
    S = U @ np.diag(schur_eigenvalues) @ U.T
    Z = S + Q @ np.linalg.solve(B, Q.T)
    Z = (Z + Z.T) / 2
    dense = np.block([[B, Q.T], [Q, Z]])
    return blocks, Q, Z, dense


def test_arrow_proves_a_well_conditioned_matrix():
    rng = np.random.default_rng(0)
    blocks, Q, Z, dense = _arrow(rng, [5, 7, 3], 6, np.linspace(0.5, 3, 6))
    assert verified.is_spd_arrow(blocks, Q, Z, [])
    assert verified.is_spd(dense)


@pytest.mark.parametrize("seed", range(6))
def test_arrow_never_proves_an_indefinite_or_singular_matrix(seed):
    rng = np.random.default_rng(seed)
    for tail in (-1e-3, -1e-12, 0.0):
        eig = np.concatenate([[tail], np.linspace(0.5, 3, 5)])
        blocks, Q, Z, dense = _arrow(rng, [4, 4], 6, eig)
        assert not verified.is_spd_arrow(blocks, Q, Z, [])


def test_arrow_with_an_indefinite_output_block():
    blocks = [np.array([[1.0, 2.0], [2.0, 1.0]])]
    assert not verified.is_spd_arrow(blocks, np.zeros((1, 2)), np.array([[1.0]]), [])


def test_arrow_radius_pieces_are_folded_into_the_shift():
    rng = np.random.default_rng(1)
    blocks, Q, Z, _ = _arrow(rng, [3, 3], 4, np.full(4, 1e-3))
    n = 10
    assert verified.is_spd_arrow(blocks, Q, Z, [(1e-12, np.ones(n), np.ones(n))])
    assert not verified.is_spd_arrow(blocks, Q, Z, [(1.0, np.ones(n), np.ones(n))])


def test_arrow_rejects_malformed_input():
    one = np.array([[2.0]])
    assert not verified.is_spd_arrow([one], np.ones((1, 2)), one, [])              # Q of the wrong width
    assert not verified.is_spd_arrow([one], np.ones((1, 1)), np.ones((2, 2)), [])  # Z of the wrong size
    assert not verified.is_spd_arrow([np.array([[np.nan]])], np.ones((1, 1)), one, [])
    assert not verified.is_spd_arrow([one], np.ones((1, 1)), one, [(1.0, -np.ones(2), np.ones(2))])
    assert not verified.is_spd_arrow([np.array([[-1.0]])], np.zeros((1, 1)), one, [])


def test_arrow_does_not_trust_the_factorisation(monkeypatch):
    """A Cholesky that returns a wrong factor is caught by the residual bound."""
    rng = np.random.default_rng(2)
    blocks, Q, Z, _ = _arrow(rng, [4, 4], 5, np.concatenate([[-1.0], np.ones(4)]))
    real = np.linalg.cholesky

    def lying(A):
        return real(A + 10 * np.eye(len(A)))           # "succeeds" on an indefinite matrix
    monkeypatch.setattr(np.linalg, "cholesky", lying)
    assert not verified.is_spd_arrow(blocks, Q, Z, [])


def _shared(rng, r, n_inner, d_y, schur_eigenvalues, scale_e=1.0):
    """The arguments of is_spd_arrow_shared and the same matrix for
    is_spd_arrow, with the Schur complement of the given spectrum."""
    M = rng.standard_normal((r, r))
    block = M @ M.T + r * np.eye(r)
    A = rng.standard_normal((n_inner, r))
    V = rng.standard_normal((n_inner, d_y))
    e = rng.standard_normal((n_inner, d_y)) * scale_e
    own = rng.integers(-1, r, n_inner)
    Qs = []
    for k in range(d_y):
        Qk = V[:, k][:, None] * A
        for t in range(n_inner):
            if own[t] >= 0:
                Qk[t, own[t]] += e[t, k]
        Qs.append(Qk)
    U, _ = np.linalg.qr(rng.standard_normal((n_inner, n_inner)))
    S = U @ np.diag(schur_eigenvalues) @ U.T
    Binv = np.linalg.inv(block)
    Z = S + sum(Qk @ Binv @ Qk.T for Qk in Qs)
    Z = (Z + Z.T) / 2
    return (block, A, V, e, own, Z), ([block] * d_y, np.hstack(Qs), Z)


@pytest.mark.parametrize("seed", range(8))
def test_shared_arrow_agrees_with_the_general_one(seed):
    rng = np.random.default_rng(seed)
    r, n_inner, d_y = int(rng.integers(1, 9)), int(rng.integers(1, 12)), int(rng.integers(1, 5))
    shared, general = _shared(rng, r, n_inner, d_y, np.linspace(0.5, 3, n_inner))
    assert verified.is_spd_arrow_shared(*shared, [])
    assert verified.is_spd_arrow(*general, [])
    blocks, Q, Z = general
    dense = np.block([[np.kron(np.eye(d_y), blocks[0]), Q.T], [Q, Z]])
    assert verified.is_spd(dense)


@pytest.mark.parametrize("seed", range(8))
def test_shared_arrow_never_proves_an_indefinite_or_singular_matrix(seed):
    rng = np.random.default_rng(100 + seed)
    for tail in (-1e-2, -1e-9, -1e-13, 0.0):
        eig = np.concatenate([[tail], np.linspace(0.5, 3, 5)])
        shared, _ = _shared(rng, 4, 6, 3, eig, scale_e=10.0 ** int(rng.integers(-3, 3)))
        assert not verified.is_spd_arrow_shared(*shared, [])


def test_shared_arrow_near_the_edge():
    """Proven down to a small positive Schur eigenvalue; the radius pieces count."""
    rng = np.random.default_rng(7)
    shared, _ = _shared(rng, 5, 8, 2, np.concatenate([[1e-6], np.linspace(0.5, 3, 7)]))
    assert verified.is_spd_arrow_shared(*shared, [])
    n = 2 * 5 + 8
    assert verified.is_spd_arrow_shared(*shared, [(1e-13, np.ones(n), np.ones(n))])
    assert not verified.is_spd_arrow_shared(*shared, [(1e-3, np.ones(n), np.ones(n))])


def test_shared_arrow_rejects_malformed_input():
    rng = np.random.default_rng(3)
    (block, A, V, e, own, Z), _ = _shared(rng, 3, 4, 2, np.ones(4))
    assert verified.is_spd_arrow_shared(block, A, V, e, own, Z, [])
    assert not verified.is_spd_arrow_shared(block, A[:, :2], V, e, own, Z, [])        # A of the wrong width
    assert not verified.is_spd_arrow_shared(block, A, V[:, :1], e, own, Z, [])        # V, e disagree
    assert not verified.is_spd_arrow_shared(block, A, V, e, own + 5, Z, [])           # own past the block
    bad = A.copy()
    bad[0, 0] = np.nan
    assert not verified.is_spd_arrow_shared(block, bad, V, e, own, Z, [])
    assert not verified.is_spd_arrow_shared(-block, A, V, e, own, Z, [])
    assert not verified.is_spd_arrow_shared(block, A, V, e, own, Z, [(1.0, -np.ones(10), np.ones(10))])


def test_shared_arrow_does_not_trust_the_factorisation(monkeypatch):
    rng = np.random.default_rng(4)
    shared, _ = _shared(rng, 4, 5, 2, np.concatenate([[-1.0], np.ones(4)]))
    real = np.linalg.cholesky
    monkeypatch.setattr(np.linalg, "cholesky", lambda A: real(A + 10 * np.eye(len(A))))
    assert not verified.is_spd_arrow_shared(*shared, [])
    monkeypatch.setattr(np.linalg, "cholesky", real)
    real_inv = np.linalg.inv
    monkeypatch.setattr(np.linalg, "inv", lambda A: real_inv(A) * 1.001)   # a poor inverse: still sound
    shared, _ = _shared(rng, 4, 5, 2, np.concatenate([[-1e-3], np.ones(4)]))
    assert not verified.is_spd_arrow_shared(*shared, [])


# -- the blocks of a network ---------------------------------------------------

ACTS = ["poly(0, 1, 1/2)", "linear", "relu", "poly(1, -1, 0, 1/3)", "leaky_relu(1/10)"]


def _decimal(rng):
    return sympy.Rational(f"{rng.uniform(-1, 1):.12e}")


def _random_two_layer(seed, bias=True, act=None, near=False):
    """A random two-layer net and point; ``near``: enough samples and targets
    close to the outputs (H near J^T J: often positive definite)."""
    rng = random.Random(seed)
    d_x, h, d_y, n = rng.randint(2, 5), rng.randint(2, 5), rng.randint(1, 3), rng.randint(8, 14)
    if near:
        n = 2 * (h * (d_x + 1) + (h + 1) * d_y) // d_y + 2
    patterns = [set(rng.sample(range(d_x), rng.randint(1, min(3, d_x)))) for _ in range(h)]
    for i in set(range(d_x)) - set().union(*patterns):
        patterns[rng.randrange(h)].add(i)                    # every input used
    patterns = [tuple(sorted(p)) for p in patterns]
    act = act or ACTS[seed % len(ACTS)]
    net = sparse_dense(patterns, d_x=d_x, d_y=d_y, activation=act, biases=bias)
    X = [[_decimal(rng) for _ in range(n)] for _ in range(d_x)]
    Y = [[_decimal(rng) for _ in range(n)] for _ in range(d_y)]
    loss = compile_loss(net, X, Y)
    theta = loss.point({p: _decimal(rng) for p in net.parameters})
    if near:
        out = loss.outputs(theta, raw=True)
        Y = [[loss.field.to_sympy(o) + _decimal(rng) / 1000 for o in row] for row in out]
        loss = compile_loss(net, X, Y)
        theta = loss.point({p: loss.field.to_sympy(q) for p, q in zip(net.parameters, theta)})
    return loss, theta


def _dense(b):
    n, no = len(b.order), b.n_outer
    M = np.zeros((n, n))
    s = 0
    for blk in b.output_blocks:
        M[s:s + len(blk), s:s + len(blk)] = blk
        s += len(blk)
    M[no:, :no], M[:no, no:], M[no:, no:] = b.Q, b.Q.T, b.Z
    return M


@pytest.mark.parametrize("seed", range(20))
def test_blocks_enclose_the_exact_hessian(seed):
    loss, theta = _random_two_layer(seed, bias=seed % 3 != 0)
    b = shallow.hessian_blocks(loss, theta)
    assert b is not None
    H = factored_hessian(loss, theta).H.to_list()
    two_s = loss.scale * 2
    o = b.order
    exact = [[H[o[i]][o[j]] / two_s for j in range(len(o))] for i in range(len(o))]
    M = _dense(b)
    R = sum(c / 2 * (np.outer(x, y) + np.outer(y, x)) for c, x, y in b.pieces)
    for i in range(len(o)):
        for j in range(len(o)):
            err = abs(sympy.Rational(M[i, j]) - sympy.Rational(str(exact[i][j])))
            assert err <= sympy.Rational(R[i, j]), (i, j)


def _exact_pd(loss, theta) -> bool:
    return linalg.inertia(factored_hessian(loss, theta).H, loss.field)[1:] == (0, 0)


@pytest.mark.parametrize("seed", range(30))
def test_blocks_never_prove_a_hessian_that_is_not_positive_definite(seed):
    """Random points (not critical, mostly indefinite): the blocks never say
    positive definite unless the exact Hessian is."""
    loss, theta = _random_two_layer(100 + seed)
    b = shallow.hessian_blocks(loss, theta)
    assert b is not None
    if b.positive_definite():
        assert _exact_pd(loss, theta)


def test_blocks_agree_with_the_exact_hessian_near_a_fit():
    """Polynomial nets with targets near their outputs: the exact Hessian is
    often positive definite; the blocks prove those (well conditioned) and
    never the others, and their principal submatrices likewise."""
    proven = 0
    for seed in range(16):
        loss, theta = _random_two_layer(200 + seed, act=("poly(0, 1, 1/2)", "poly(1, -1, 0, 1/3)")[seed % 2],
                                        near=True)
        b = shallow.hessian_blocks(loss, theta)
        exact = _exact_pd(loss, theta)
        says = b.positive_definite()
        assert exact or not says
        proven += says
        if says:
            assert b.positive_definite(list(range(0, len(theta), 2)))      # a principal submatrix of a PD matrix
    assert proven >= 4


def test_blocks_take_the_shared_test_only_when_every_output_keeps_the_same_columns(monkeypatch):
    calls = []
    real = verified.is_spd_arrow_shared
    monkeypatch.setattr(verified, "is_spd_arrow_shared", lambda *a: calls.append(1) or real(*a))
    checked = 0
    for seed in range(16):
        loss, theta = _random_two_layer(200 + seed, act="poly(0, 1, 1/2)", near=True)
        b = shallow.hessian_blocks(loss, theta)
        if not _exact_pd(loss, theta):
            continue
        calls.clear()
        assert b.positive_definite() and calls               # whole output blocks: the shared test
        if len(b.output_blocks) > 1:
            first_output = b.order[0]                        # one output loses a column: the general test
            calls.clear()
            assert b.positive_definite([p for p in b.order if p != first_output]) and not calls
            checked += 1
    assert checked >= 3


def test_blocks_decide_the_families_as_the_dense_route(monkeypatch):
    from bench.speed import instance
    verdicts, calls = {}, []
    real = shallow.Blocks.positive_definite
    monkeypatch.setattr(shallow.Blocks, "positive_definite", lambda self, c=None: calls.append(c) or real(self, c))
    for limit in (10 ** 9, 25):
        monkeypatch.setattr(fastpath, "BLOCKS_FROM", limit)
        for family in ("linear", "polynomial", "relu"):
            net, X, Y, theta, _ = instance(family, 100, inputs=12)
            loss = compile_loss(net, X, Y)
            v = kernel.local_minimum(loss, loss.point(theta))
            verdicts.setdefault(family, set()).add((v.status, v.reason[:30]))
    assert all(len(v) == 1 for v in verdicts.values()), verdicts
    assert verdicts["polynomial"] == {("verified", "critical point with a positive")}
    assert verdicts["relu"] == {("verified", "Morse-Bott: H is PSD and ker H")}
    assert calls                                         # the blocks decided with the limit lowered


def test_a_saddle_is_refuted_with_blocks_on(monkeypatch):
    """All weights 0 (outputs 0) is a critical point of a polynomial net with
    a negative-curvature direction (the inner-by-outer block sum_n r_k a_t
    with a zero diagonal): the blocks prove nothing, the exact route refutes."""
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 25)
    net = sparse_dense([(0, 1), (1, 2), (2, 3), (0, 3), (1, 3), (0, 2)], d_x=4, d_y=3,
                       activation="poly(0, 1, 1/2)")
    rng = random.Random(5)
    X = [[_decimal(rng) for _ in range(12)] for _ in range(4)]
    Y = [[_decimal(rng) for _ in range(12)] for _ in range(3)]
    loss = compile_loss(net, X, Y)
    th = loss.point({p: 0 for p in net.parameters})
    assert len(th) >= 25 and not any(loss.gradient(th, raw=True))
    enc = fastpath.Enclosure(loss, th)
    assert enc.blocks is not None and fastpath.positive_definite(enc) is False
    assert kernel.local_minimum(loss, th).status == "refuted"


def test_self_check_accepts_kernel_vectors_and_rejects_others(monkeypatch):
    from bench.speed import instance
    net, X, Y, theta, _ = instance("linear", 100, inputs=12)
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    b = shallow.hessian_blocks(loss, th)
    P = len(th)
    # rescaling hidden node h1_1: its incoming weights * c, outgoing / c: tangent (w_in, -w_out)
    t = [0] * P
    for p, name in enumerate(loss.params):
        if name.endswith("-> h1_1"):
            t[p] = th[p]
        elif name.startswith("h1_1 ->"):
            t[p] = -th[p]
    b.self_check([t])
    e = [0] * P
    e[0] = 1
    with pytest.raises(AssertionError):
        b.self_check([e])
    b.self_check([t] * 20)                                   # many: random combinations of them
    with pytest.raises(AssertionError):
        b.self_check([t] * 20 + [e])


def _point(loss, value):
    return loss.point([sympy.sympify(value)] * len(loss.params))


def test_declined_networks():
    from losscert.network import dense
    rng = random.Random(0)
    X = [[_decimal(rng) for _ in range(10)] for _ in range(2)]
    Y = [[_decimal(rng) for _ in range(10)]]
    one = compile_loss(dense([2, 3, 1], activation="poly(0, 1, 1/2)"), X, Y)
    assert shallow.hessian_blocks(one, _point(one, "1/3")) is not None
    two_hidden = compile_loss(dense([2, 3, 3, 1], activation="poly(0, 1, 1/2)"), X, Y)
    assert shallow.hessian_blocks(two_hidden, _point(two_hidden, "1/3")) is None
    tanh = compile_loss(dense([2, 3, 1], activation="tanh"), X, Y)
    assert shallow.hessian_blocks(tanh, _point(tanh, "1/3")) is None     # not exact over Q
    assert shallow.hessian_blocks(one, _point(one, "10**50")) is None      # outside RANGE
    relu = compile_loss(dense([2, 3, 1], activation="relu"), X, Y)
    assert shallow.hessian_blocks(relu, _point(relu, 0)) is None           # every pre-activation at the kink


def test_tied_and_fixed_weights_are_declined():
    import networkx as nx
    from losscert.network import Network
    rng = random.Random(1)
    X = [[_decimal(rng) for _ in range(10)] for _ in range(2)]
    Y = [[_decimal(rng) for _ in range(10)]]
    for extra in ({"fixed": 2}, {"tie": "w"}):
        g = nx.DiGraph()
        g.add_node("h", activation="poly(0, 1, 1/2)")
        g.add_edge("x1", "h", **extra)
        g.add_edge("x2", "h", **({"tie": "w"} if "tie" in extra else {}))
        g.add_edge("h", "y")
        loss = compile_loss(Network(g, inputs=["x1", "x2"], outputs=["y"]), X, Y)
        assert shallow.hessian_blocks(loss, _point(loss, "1/3")) is None


def test_memory_is_checked_before_allocation(monkeypatch):
    loss, theta = _random_two_layer(1)
    monkeypatch.setattr(shallow, "MAX_BYTES", 100)
    assert shallow.hessian_blocks(loss, theta) is None


def test_a_weight_too_large_for_a_float_is_declined_not_raised(monkeypatch):
    """A dead ReLU node's outgoing weights are free at a critical point: one of
    10^400 does not convert to a float (int / int raises OverflowError); the
    blocks decline and the verdict comes from the exact route."""
    from losscert.network import dense
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 25)
    rng = random.Random(0)
    X = [[sympy.Rational(rng.randint(1, 9), 7) for _ in range(10)] for _ in range(3)]
    Y = [[sympy.Rational(rng.randint(-9, 9), 5) for _ in range(10)] for _ in range(2)]
    net = dense([3, 5, 2], activation="relu", biases=True)
    loss = compile_loss(net, X, Y)
    point = {p: (-1 if p.startswith("x") or p.startswith("b:") else 1) for p in net.parameters}
    point["h1_1 -> y1"] = sympy.Integer(10) ** 400              # every hidden node dead: h = 0, sigma' = 0
    theta = loss.point(point)
    assert not any(loss.gradient(theta, raw=True))
    assert shallow.hessian_blocks(loss, theta) is None
    assert kernel.local_minimum(loss, theta).status in ("verified", "refuted", "inconclusive")


def test_arrow_with_no_inner_coordinates():
    """Only output coordinates (Q with no rows): the empty off-diagonal residual is 0, not an error."""
    one = np.array([[2.0]])
    assert verified.is_spd_arrow([one], np.zeros((0, 1)), np.zeros((0, 0)), [])
    assert not verified.is_spd_arrow([np.array([[1.0, 2.0], [2.0, 1.0]])], np.zeros((0, 2)), np.zeros((0, 0)), [])


def test_morse_bott_whose_complement_holds_only_output_weights(monkeypatch):
    """ReLU nodes with one input each and large input weights: the rescaling
    tangents pivot on every input weight, so C is the output weights only and
    the blocks test an arrow with no inner part (raised ValueError before)."""
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 25)
    rng = random.Random(3)
    h, d_y, m = 9, 2, 14
    net = sparse_dense([(i,) for i in range(h)], d_x=h, d_y=d_y, activation="relu")
    A = [[sympy.Rational(rng.randint(1, 99), 37) for _ in range(m)] for _ in range(h)]
    X = [row + row for row in A]
    theta = {p: sympy.Rational(rng.randint(30, 50), 10) if p.startswith("x") else sympy.Rational(rng.randint(1, 9), 10)
             for p in net.parameters}
    probe = compile_loss(net, X, [[0] * (2 * m)] * d_y)
    out = probe.outputs(probe.point(theta), raw=True)
    B = [[sympy.Rational(rng.randint(-5, 5), 7) for _ in range(m)] for _ in range(d_y)]
    Y = [[probe.field.to_sympy(out[i][j]) + b for j, b in enumerate(B[i] + [-x for x in B[i]])] for i in range(d_y)]
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    assert not any(loss.gradient(th, raw=True))
    b = shallow.hessian_blocks(loss, th)
    outer = [p for p in range(len(th)) if not loss.params[p].startswith("x")]
    assert b.positive_definite(outer)
    v = kernel.local_minimum(loss, th)
    assert v.status == "verified" and v.reason.startswith("Morse-Bott")


def test_the_gradients_forward_pass_is_reused_at_the_same_point_only(monkeypatch):
    loss, theta = _random_two_layer(3, act="poly(0, 1, 1/2)")
    fresh = shallow.hessian_blocks(loss, theta)
    keep: dict = {}
    assert shallow_pass.value_and_gradient(loss, theta, keep) == tuple(loss.value_and_gradient(theta))
    assert keep["theta"] == list(theta)
    real = shallow_pass.forward
    monkeypatch.setattr(shallow_pass, "forward", lambda *a, **k: pytest.fail("a second forward pass"))
    reused = shallow.hessian_blocks(loss, theta, keep)
    assert np.array_equal(reused.Q, fresh.Q) and np.array_equal(reused.Z, fresh.Z)
    monkeypatch.setattr(shallow_pass, "forward", real)
    other = list(theta)
    other[0] += 1
    moved = shallow.hessian_blocks(loss, other, keep)            # kept at another point: not used
    assert not np.array_equal(moved.Z, fresh.Z)


def test_the_integer_pass_feeds_the_blocks_when_the_modular_pass_declines(monkeypatch):
    from losscert import integer_pass
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    monkeypatch.setattr(shallow_pass, "forward", lambda *a, **k: None)
    loss, theta = _random_two_layer(3, act="poly(0, 1, 1/2)")
    fresh = shallow.hessian_blocks(loss, theta)
    keep: dict = {}
    loss.value_and_gradient(theta, keep)
    assert keep["theta"] == list(theta) and "run" not in keep
    real = integer_pass.forward
    monkeypatch.setattr(integer_pass, "forward", lambda *a, **k: pytest.fail("a second forward pass"))
    reused = shallow.hessian_blocks(loss, theta, keep)
    assert np.array_equal(reused.Q, fresh.Q) and np.array_equal(reused.Z, fresh.Z)


def test_disjoint_tangents_take_one_pivot_each():
    from sympy import QQ
    from losscert.fields import Field
    T = [[QQ(1), QQ(0), QQ(-3), QQ(0)], [QQ(0), QQ(2), QQ(0), QQ(0)]]
    assert fastpath.complement_of_tangents(T, Field(QQ), 4) == ([1, 2], [0, 3])   # the largest entry of each
    assert fastpath.independent_pivots([[QQ(0), QQ(0)]], Field(QQ)) is None


def test_overlapping_tangents_are_eliminated_group_by_group(monkeypatch):
    """Two groups of overlapping tangents and a lone one: each group is
    eliminated on its own coordinates (never all of T), dependent groups fail."""
    from sympy import QQ
    from losscert.fields import Field
    F = Field(QQ)
    sizes = []
    real = fastpath._eliminated_pivots
    monkeypatch.setattr(fastpath, "_eliminated_pivots", lambda T, F, P: sizes.append((len(T), P)) or real(T, F, P))
    T = [[QQ(1), QQ(1), QQ(0), QQ(0), QQ(0), QQ(0), QQ(0)],
         [QQ(0), QQ(1), QQ(2), QQ(0), QQ(0), QQ(0), QQ(0)],
         [QQ(0), QQ(0), QQ(0), QQ(3), QQ(0), QQ(0), QQ(0)],
         [QQ(0), QQ(0), QQ(0), QQ(0), QQ(1), QQ(1, 3), QQ(0)],
         [QQ(0), QQ(0), QQ(0), QQ(0), QQ(0), QQ(1, 7), QQ(5)]]
    S = fastpath.independent_pivots(T, F)
    assert sorted(sizes) == [(2, 3), (2, 3)] and S is not None and len(set(S)) == 5
    M = linalg.matrix([[t[i] for t in T] for i in sorted(S)], F)
    assert len(linalg.rref(M)[1]) == 5                                   # T_S invertible, exactly
    dependent = T + [[a + b for a, b in zip(T[3], T[4])]]                # a third tangent in the last group
    assert fastpath.independent_pivots(dependent, F) is None


def test_the_kept_forward_pass_is_not_held_by_the_cached_analysis(monkeypatch):
    from losscert import integer_pass
    from losscert.kernel.decide import Analysis
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 25)
    kept = []
    real = shallow_pass.value_and_gradient
    monkeypatch.setattr(shallow_pass, "value_and_gradient",
                        lambda l, t, keep=None: kept.append(keep) or real(l, t, keep))
    loss, theta = _random_two_layer(5, act="poly(0, 1, 1/2)")       # 26 parameters, not a critical point
    a = Analysis(loss, theta)
    assert kept and kept[0]["run"]                                   # the pass was kept, then dropped
    assert a.critical is False and "_forward_run" not in a.__dict__
    zero = compile_loss(loss.network, loss.X_sym, [[0] * loss.n for _ in loss.Y])
    b = Analysis(zero, zero.point([0] * len(zero.params)))           # L = 0: decided without complete()
    assert b.is_min and "_forward_run" not in b.__dict__


def test_shared_arrow_counts_underflow_magnified_by_huge_output_weights():
    """Y Y^T (entries below 2^-1075: rounded to 0) times V V^T (near 2^1024):
    the Schur complement's X X^T = r 2^-51 J is lost in floats. Its eigenvalue
    m r 2^-51 exceeds the shift, so Z - X X^T is indefinite though W = Z factors."""
    m = 8
    J = np.ones((m, m)) / m
    Z = 2.0 ** -45.4 * J + 0.3 * (np.eye(m) - J)
    Z = (Z + Z.T) / 2
    A, V = np.full((m, m), 2.0 ** -538.6), np.full((m, 1), 2.0 ** 511.99)
    assert not verified.is_spd_arrow_shared(0.25 * np.eye(m), A, V, np.zeros((m, 1)), np.full(m, -1), Z, [])


def test_shared_arrow_returns_false_on_overflowing_bounds():
    big = np.array([[2.0 ** 600]])
    assert not verified.is_spd_arrow_shared(np.eye(1), np.array([[2.0 ** -10]]), big, np.zeros((1, 1)),
                                            np.array([0]), np.eye(1), [])
