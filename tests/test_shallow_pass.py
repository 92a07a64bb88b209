"""The modular pass of one-hidden-layer networks (kernel/shallow_pass.py):
the very value and gradient of the exact pass, floats certified within
2^-42 of the exact per-sample values, exact fallbacks where floats cannot
certify, and declines for everything else."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from losscert import compile_loss, integer_pass, kernel
from losscert.kernel import fastpath, shallow_pass
from losscert.network import sparse_dense

from test_shallow import ACTS, _random_two_layer


def _exact(loss, theta):
    value, grad = loss.value_and_gradient(theta)
    return value, list(grad)


@pytest.mark.parametrize("seed", range(40))
def test_value_and_gradient_are_the_exact_ones(seed):
    loss, theta = _random_two_layer(seed, bias=seed % 3 != 0, near=seed % 2 == 0)
    got = shallow_pass.value_and_gradient(loss, theta)
    assert got is not None
    assert (got[0], list(got[1])) == _exact(loss, theta)


@pytest.mark.parametrize("block, dense_from", [(1, 0), (2, 0), (3, 10 ** 6)])
def test_blocks_of_hidden_nodes_and_both_first_layer_products(monkeypatch, block, dense_from):
    monkeypatch.setattr(shallow_pass, "BLOCK", block)            # several blocks, activations mixed within one
    monkeypatch.setattr(shallow_pass, "DENSE_FROM", dense_from)  # gathers (0) or one BLAS product per layer
    for seed in range(12):
        loss, theta = _random_two_layer(seed, bias=seed % 3 != 0, near=seed % 2 == 0)
        got = shallow_pass.value_and_gradient(loss, theta)
        assert (got[0], list(got[1])) == _exact(loss, theta)
    mixed, theta = _mixed()
    got = shallow_pass.value_and_gradient(mixed, theta)
    assert (got[0], list(got[1])) == _exact(mixed, theta)


def _mixed():
    """Hidden nodes with different activations (ReLU, polynomial, linear, leaky) in one layer."""
    from losscert.network import Network
    rng = random.Random(11)
    base = sparse_dense([(0, 1), (1, 2), (0, 2), (2,)], d_x=3, d_y=2, activation="relu", biases=True)
    g = base.graph.copy()
    for node, act in zip(["h1_1", "h1_2", "h1_3", "h1_4"], ["relu", "poly(0, 1, 1/2)", "linear", "leaky_relu(1/10)"]):
        g.nodes[node]["activation"] = act
    net = Network(g, base.inputs, base.outputs)
    n = 10
    X = [[_d(rng) for _ in range(n)] for _ in range(3)]
    Y = [[_d(rng) for _ in range(n)] for _ in range(2)]
    loss = compile_loss(net, X, Y)
    return loss, loss.point({p: _d(rng) for p in net.parameters})


def _d(rng):
    return sympy.Rational(f"{rng.uniform(-1, 1):.10e}")


def _exact_values(loss, theta):
    """Per hidden node: (h, sigma', sigma'') exact rationals per sample, and the residuals."""
    kinks, second = [], {}
    vals, derivative = integer_pass.forward(loss, theta, kinks, second=second, min_work=0)
    res = integer_pass.residuals(loss, vals)
    return vals, derivative, second, res


def _within(floats, vec, n):
    """Every float within VALUE_ERROR of the exact N / D, relatively (an exact 0 exactly)."""
    for s in range(n):
        exact = sympy.Rational(int(vec.N[s]), vec.D) if vec is not None else sympy.Integer(0)
        err = abs(sympy.Rational(floats[s]) - exact)
        assert err <= sympy.Rational(shallow_pass.VALUE_ERROR) * abs(exact), (s, floats[s], exact)


@pytest.mark.parametrize("seed", range(15))
def test_the_floats_are_certified(seed):
    loss, theta = _random_two_layer(seed, bias=seed % 2 == 0)
    run = shallow_pass.forward(loss, theta)
    vals, derivative, second, res = _exact_values(loss, theta)
    for j, st in enumerate(run.structure.shape.hidden):
        _within(run.H[j], vals[st.slot], loss.n)
        linear = st.activation is None or st.activation.kind == "linear"
        if not linear:
            _within(run.S1[j], derivative[st.slot], loss.n)
        if run.S2 is not None:
            _within(run.S2[j], second.get(st.slot), loss.n)
    for k, r in enumerate(res):
        _within(run.R[k], r, loss.n)


def _cancelling(act, root=None):
    """Two inputs equal on every sample, read with weights w and -w (z = b
    exactly, b = 0 or ``root``), plus an ordinary node: cancellations the
    floats cannot certify."""
    rng = random.Random(7)
    n = 12
    x = [sympy.Rational(rng.randint(-90, 90), 7) for _ in range(n)]
    X = [x, list(x), [sympy.Rational(rng.randint(-90, 90), 11) for _ in range(n)]]
    Y = [[sympy.Rational(rng.randint(-9, 9), 5) for _ in range(n)] for _ in range(2)]
    net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=2, activation=act, biases=True)
    loss = compile_loss(net, X, Y)
    theta = {p: sympy.Rational(rng.randint(1, 9), 4) for p in net.parameters}
    theta["x1 -> h1_1"], theta["x2 -> h1_1"] = sympy.Rational(3, 7), sympy.Rational(-3, 7)
    theta["b:h1_1"] = root if root is not None else 0
    return loss, loss.point(theta)


@pytest.mark.parametrize("act, root", [("linear", 0), ("poly(0, 1, 1/2)", -2), ("poly(0, 1, 1/2)", -1),
                                       ("relu", sympy.Rational(1, 10 ** 30))])
def test_cancellations_are_computed_exactly(act, root):
    loss, theta = _cancelling(act, root)
    structure = shallow_pass.Structure(loss, kernel.shallow.Shape(loss))
    floats = shallow_pass.forward_floats(loss, theta, structure, integer_pass.data(loss)[0])
    assert floats[-1] >= loss.n                       # the first node's entries: not certified by the floats
    assert _exact(loss, theta) == (lambda v: (v[0], list(v[1])))(shallow_pass.value_and_gradient(loss, theta))
    run = shallow_pass.forward(loss, theta)
    vals, derivative, second, res = _exact_values(loss, theta)
    st = structure.shape.hidden[0]
    _within(run.H[0], vals[st.slot], loss.n)
    if act.startswith("poly"):
        _within(run.S1[0], derivative[st.slot], loss.n)


def test_a_pre_activation_at_a_kink_is_declined():
    loss, theta = _cancelling("relu", 0)                 # z = 0 exactly on every sample of the first node
    assert shallow_pass.value_and_gradient(loss, theta) is None
    assert shallow_pass.forward(loss, theta) is None


def test_too_many_exact_entries_are_declined(monkeypatch):
    loss, theta = _cancelling("linear", 0)
    monkeypatch.setattr(shallow_pass, "MIN_EXACT", 0)
    monkeypatch.setattr(shallow_pass, "MAX_EXACT_SHARE", 0.01)
    assert shallow_pass.value_and_gradient(loss, theta) is None


def test_the_prime_count_matters(monkeypatch):
    loss, theta = _random_two_layer(4, bias=True)
    exact = _exact(loss, theta)
    real = shallow_pass._primes
    monkeypatch.setattr(shallow_pass, "_primes", lambda count, avoid: real(max(1, count // 3), avoid))
    got = shallow_pass.value_and_gradient(loss, theta)
    assert (got[0], list(got[1])) != exact            # too few primes: a wrong reconstruction (so the count is tested)


def test_a_prime_dividing_a_denominator_is_skipped():
    p = shallow_pass._primes(1, 1)[0]
    net = sparse_dense([(0,), (0, 1)], d_x=2, d_y=1, activation="poly(0, 1, 1/2)")
    X = [[sympy.Rational(k, p) for k in range(1, 9)], [sympy.Rational(k, 3) for k in range(8)]]
    loss = compile_loss(net, X, [[sympy.Rational(1, p)] * 8])
    theta = loss.point({q: sympy.Rational(5, p) for q in net.parameters})
    assert p not in shallow_pass._primes(3, p)
    got = shallow_pass.value_and_gradient(loss, theta)
    assert (got[0], list(got[1])) == _exact(loss, theta)


def test_long_rationals():
    rng = random.Random(3)
    net = sparse_dense([(0, 1), (1, 2), (0, 2)], d_x=3, d_y=2, activation="leaky_relu(1/10)", biases=True)
    X = [[sympy.Rational(rng.randint(-10 ** 40, 10 ** 40), 3 ** 60) for _ in range(9)] for _ in range(3)]
    Y = [[sympy.Rational(rng.randint(-10 ** 30, 10 ** 30), 7 ** 40) for _ in range(9)] for _ in range(2)]
    loss = compile_loss(net, X, Y)
    theta = loss.point({q: sympy.Rational(rng.randint(-10 ** 20, 10 ** 20), 10 ** 20 + 39) for q in net.parameters})
    got = shallow_pass.value_and_gradient(loss, theta)
    assert (got[0], list(got[1])) == _exact(loss, theta)


def _declined(net, X, Y, theta=None):
    loss = compile_loss(net, X, Y)
    th = loss.point(theta or {p: sympy.Rational(1, 3) for p in net.parameters})
    return shallow_pass.value_and_gradient(loss, th) is None and shallow_pass.forward(loss, th) is None


def test_declines():
    from losscert.network import dense
    X, Y = [[1, 2, 3, 4], [0, 1, -1, 2]], [[1, 0, 1, 1]]
    assert _declined(sparse_dense([(0, 1), (1,)], d_x=2, d_y=1, activation="tanh"), X, Y)    # not exact
    assert _declined(dense([2, 2, 2, 1], activation="relu"), X, Y)                            # two hidden layers
    net = sparse_dense([(0, 1), (1,)], d_x=2, d_y=1, activation="relu")
    big = {p: sympy.Integer(10) ** 400 for p in net.parameters}
    assert _declined(net, X, Y, big)                                                          # past the float range
    loss = compile_loss(net, X, Y)
    th = loss.point({p: 1 for p in net.parameters})
    assert shallow_pass.value_and_gradient(loss.with_slopes({("h1_1", 0): 1}), th) is None  # slopes per sample
    Xs = [[sympy.sqrt(2), 1, 2, 3], [0, 1, -1, 2]]
    assert _declined(net, Xs, Y)                                                              # not over Q


def test_memory_is_checked_before_allocation(monkeypatch):
    loss, theta = _random_two_layer(2)
    assert shallow_pass.value_and_gradient(loss, theta) is not None
    monkeypatch.setattr(shallow_pass, "MAX_BYTES", 64 * loss.n)         # the hidden values would not fit
    assert shallow_pass.value_and_gradient(loss, theta) is None
    loss, theta = _random_two_layer(2)                                    # a fresh loss: its limbs not yet made
    monkeypatch.setattr(shallow_pass, "BYTES_PER_ENTRY", 0)
    monkeypatch.setattr(shallow_pass, "MAX_BYTES", 8)                     # the data's limbs would not fit
    assert shallow_pass.value_and_gradient(loss, theta) is None


def test_the_decision_is_the_same_with_the_modular_pass(monkeypatch):
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 10)
    for seed in range(8):
        loss, theta = _random_two_layer(seed, bias=seed % 2 == 0, near=True)
        on = kernel.local_minimum(loss, theta)
        with monkeypatch.context() as off:
            off.setattr(shallow_pass, "value_and_gradient", lambda *a, **k: None)
            off.setattr(shallow_pass, "forward", lambda *a, **k: None)
            loss2, theta2 = _random_two_layer(seed, bias=seed % 2 == 0, near=True)
            was = kernel.local_minimum(loss2, theta2)
        assert (on.status, on.reason) == (was.status, was.reason)


def _matches_or_declines(loss, theta):
    got = shallow_pass.value_and_gradient(loss, theta)
    assert got is None or (got[0], list(got[1])) == _exact(loss, theta)


def test_a_coefficient_that_rounds_to_zero_is_declined():
    # 2^-1090 z^16 rounds to 0 in floats, but at z = 2^100 it is 2^510: the float
    # h = z + z^2 / 2^100 looked certified and fixed too few primes (a wrong gradient)
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation=f"poly(0, 1, 1/{2 ** 100}, {', '.join(['0'] * 13)}, "
                                                        f"1/{2 ** 1090})")
    loss = compile_loss(net, [[2 ** 40, 3]], [[1, 2]])
    theta = loss.point({"x1 -> h1_1": 2 ** 60, "h1_1 -> y1": 1})
    _matches_or_declines(loss, theta)


@pytest.mark.parametrize("act", [f"poly(0, 1, {10 ** 400})", f"leaky_relu({10 ** 400})",
                                 f"leaky_relu(1/{10 ** 400})"])
def test_coefficients_out_of_the_float_range_are_declined(act):
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation=act)
    loss = compile_loss(net, [[1, -3]], [[1, 2]])
    theta = loss.point({p: 1 for p in net.parameters})
    _matches_or_declines(loss, theta)                                  # no OverflowError either
    run = shallow_pass.forward(loss, theta)
    assert run is None or (run.S1 != 0).all()


def test_an_exact_entry_that_underflows_is_declined():
    # z = x + b = (1 + 10^-300) - (1 + 10^-300 - 10^-400) = 10^-400 exactly: not certified, computed
    # exactly, rounds to 0.0 (a value off by 100 %)
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation="linear", biases=True)
    x = 1 + sympy.Rational(1, 10 ** 300)
    loss = compile_loss(net, [[x, 2]], [[1, 2]])
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": 1, "b:h1_1": -x + sympy.Rational(1, 10 ** 400)})
    run = shallow_pass.forward(loss, theta)
    assert run is None or (run.H != 0).all()


def test_long_gathers_stay_below_2_to_53():
    # one node reading 9,000 inputs by gathers: (p - 2)^2 summed 9,000 times passes 2^53
    import types
    p = shallow_pass._primes(1, 1)[0]
    mod = shallow_pass._Modulus(p)
    f, n = 9000, 3
    structure = types.SimpleNamespace(idx=np.arange(f)[None, :])
    Wp, Xp = np.full((1, f), float(p - 2)), np.full((f, n), float(p - 2))
    Z = shallow_pass._first_layer(structure, slice(0, 1), None, Wp, np.ones(1), Xp, mod)
    assert (np.mod(Z, p) == (f * (p - 2) ** 2 + 1) % p).all()


def test_a_residual_that_underflows_is_declined():
    # r = (w x + b) - y = (3 + (-1 + 10^-400)) - 2 = 10^-400 on the first sample: rounds to 0.0
    net = sparse_dense([(0,)], d_x=1, d_y=1, activation="linear", biases=True)
    loss = compile_loss(net, [[3, 4]], [[2, 5]])
    theta = loss.point({"x1 -> h1_1": 1, "b:h1_1": -1 + sympy.Rational(1, 10 ** 400), "h1_1 -> y1": 1})
    run = shallow_pass.forward(loss, theta)
    assert run is None or (run.R != 0).all()


def _critical(seed):
    """A one-hidden-layer net at a critical point with non-zero residuals
    (r in the left null space of J, exactly): the blocks and the modular pass
    decide it, not L = 0."""
    rng = random.Random(seed)
    d_x, h, d_y = rng.randint(2, 3), rng.randint(2, 3), rng.randint(1, 2)
    patterns = [tuple(range(d_x))] * h
    act = ["relu", "poly(0, 1, 1/2)"][seed % 2]
    net = sparse_dense(patterns, d_x=d_x, d_y=d_y, activation=act, biases=True)
    n = len(net.parameters) // d_y + 3 + rng.randint(0, 4)
    X = [[sympy.Rational(rng.randint(-40, 40), 8) for _ in range(n)] for _ in range(d_x)]
    point = {p: sympy.Rational(rng.randint(-30, 30) or 1, 8) for p in net.parameters}
    zero = compile_loss(net, X, [[0] * n for _ in range(d_y)])
    out = [[zero.field.to_sympy(o) for o in row] for row in zero.outputs(zero.point(point), raw=True)]
    rows = []                                    # J's rows: the gradient with one unit residual
    for k in range(d_y):
        for s in range(n):
            Y = [[out[kk][ss] - (1 if (kk, ss) == (k, s) else 0) for ss in range(n)] for kk in range(d_y)]
            one = compile_loss(net, X, Y)
            rows.append([sympy.Rational(int(q.p), int(q.q)) for q in one.value_and_gradient(one.point(point))[1]])
    r = sum((sympy.Rational(rng.randint(-5, 5), 50) * v for v in sympy.Matrix(rows).T.nullspace()),
            sympy.zeros(len(rows), 1))
    loss = compile_loss(net, X, [[out[k][s] - r[k * n + s] for s in range(n)] for k in range(d_y)])
    return loss, loss.point(point)


@pytest.mark.parametrize("seed, status", [(0, "verified"), (7, "verified"), (3, "refuted")])
def test_the_decision_at_a_critical_point_is_the_same_with_the_modular_pass(monkeypatch, seed, status):
    monkeypatch.setattr(fastpath, "BLOCKS_FROM", 10)
    monkeypatch.setattr(fastpath, "MIN_PARAMETERS", 10)        # the blocks, not the exact route
    loss, theta = _critical(seed)
    assert shallow_pass.value_and_gradient(loss, theta)[1] == [0] * len(theta)
    on = kernel.local_minimum(loss, theta)
    with monkeypatch.context() as off:
        off.setattr(shallow_pass, "value_and_gradient", lambda *a, **k: None)
        off.setattr(shallow_pass, "forward", lambda *a, **k: None)
        was = kernel.local_minimum(*_critical(seed))
    assert on.status == status                   # Morse-Bott (ReLU), positive definite (poly), a saddle
    assert (on.status, on.reason) == (was.status, was.reason)
