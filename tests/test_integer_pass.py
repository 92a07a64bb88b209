"""The vectorised integer pass (losscert.integer_pass) gives exactly the
generic pass's value and gradient, and steps aside where it does not apply."""
from __future__ import annotations

import random

import networkx as nx
import pytest

from losscert import integer_pass
from losscert.activations import NonSmooth
from losscert.compiler import FieldAlgebra, compile_loss
from losscert.network import Network, dense


def _generic(loss, theta):
    """The generic pass of Loss.value_and_gradient (the reference)."""
    alg = FieldAlgebra(loss.field)
    vals, dact = loss._forward(theta, alg, True)
    res = loss._residuals(vals, alg)
    two_s = alg.const(loss.scale * 2)
    seeds = [[alg.scale(r, two_s) for r in row] for row in res]
    return loss._loss_from_residuals(res, alg), loss._backward(theta, vals, dact, seeds, alg)


def _rational(rng, big=False):
    if big:
        return f"{rng.uniform(-1, 1):.16e}"
    return f"{rng.randint(-9, 9)}/{rng.randint(1, 7)}"


ACTIVATIONS = ["linear", "poly(0, 1, 1/2)", "poly(1, -2/3, 0, 5/4)", "poly(3)", "poly(0, 1)", "relu",
               "leaky_relu(1/10)", "leaky_relu(-3/2)"]


def _random_network(rng):
    """A random DAG: inputs, two hidden layers with skip edges, biases, fixed and tied edges."""
    d_x, h1, h2, d_y = rng.randint(1, 3), rng.randint(1, 4), rng.randint(0, 3), rng.randint(1, 2)
    xs = [f"x{i}" for i in range(d_x)]
    a = [f"a{i}" for i in range(h1)]
    b = [f"b{i}" for i in range(h2)]
    ys = [f"y{i}" for i in range(d_y)]
    g = nx.DiGraph()
    for node in a + b:
        g.add_node(node, activation=rng.choice(ACTIVATIONS), bias=rng.random() < 0.5)
    for y in ys:
        g.add_node(y, bias=rng.random() < 0.5)
    for x in xs:
        g.add_node(x)
    edges = [(x, u) for x in xs for u in a] + [(u, v) for u in a for v in b] + [(u, y) for u in a + b for y in ys] \
        + [(x, y) for x in xs for y in ys]
    for u, v in edges:
        if rng.random() < 0.75 or v in ys and u in (b or a):
            attrs = {}
            r = rng.random()
            if r < 0.15:
                attrs["fixed"] = _rational(rng)
            elif r < 0.3:
                attrs["tie"] = "shared"
            g.add_edge(u, v, **attrs)
    for node in a + b:                     # every hidden node used and fed
        if not any(True for _ in g.successors(node)):
            g.add_edge(node, ys[0])
        if not any(True for _ in g.predecessors(node)) and not g.nodes[node]["bias"]:
            g.add_edge(xs[0], node) if node in a else g.add_edge(a[0], node)
    for x in xs:                           # every input on an edge
        if not any(True for _ in g.successors(x)):
            g.add_edge(x, ys[-1])
    for y in ys:
        if not any(True for _ in g.predecessors(y)):
            g.add_edge(xs[-1], y)
    return Network(g, inputs=xs, outputs=ys)


@pytest.mark.parametrize("seed", range(40))
def test_same_value_and_gradient_as_the_generic_pass(seed, monkeypatch):
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    rng = random.Random(seed)
    net = _random_network(rng)
    n = rng.randint(1, 6)
    big = seed % 3 == 0                               # decimal data exported from floats
    X = [[_rational(rng, big) for _ in range(n)] for _ in net.inputs]
    Y = [[_rational(rng, big) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    theta = loss.point([_rational(rng, big) if rng.random() < 0.9 else 0 for _ in loss.params])
    fast = integer_pass.value_and_gradient(loss, theta)
    if fast is None:                                  # only at a kink: the generic pass says so too
        with pytest.raises(NonSmooth):
            _generic(loss, theta)
        return
    assert fast[0] == _generic(loss, theta)[0] and list(fast[1]) == list(_generic(loss, theta)[1])
    assert tuple(loss.value_and_gradient(theta)) == tuple(fast)
    vals, _ = loss._forward(theta, FieldAlgebra(loss.field), False)
    assert integer_pass.outputs(loss, theta) == [vals[o] for o in loss.output_slots]


def test_it_steps_aside_where_it_does_not_apply(monkeypatch):
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    X, Y = [[1, 2, 3]], [[0, 1, "1/2"]]
    for act in ("tanh", "sigmoid", "softplus"):
        loss = compile_loss(dense([1, 2, 1], activation=act), X, Y)
        assert integer_pass.value_and_gradient(loss, loss.point([1, "1/2", 2, -1])) is None
    alg = compile_loss(dense([1, 1, 1]), [[1, "sqrt(2)", 3]], Y)                     # an algebraic field
    assert integer_pass.value_and_gradient(alg, alg.point([1, 1])) is None
    small = compile_loss(dense([1, 1, 1]), X, Y)
    monkeypatch.setattr(integer_pass, "MIN_WORK", 10 ** 6)
    assert integer_pass.value_and_gradient(small, small.point([1, 1])) is None     # too small to pay


def test_unrelated_denominators_fall_back(monkeypatch):
    """Data whose common denominator is huge (many distinct primes) go to the generic pass."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    monkeypatch.setattr(integer_pass, "MAX_DENOMINATOR_BITS", 64)
    primes = [101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167]
    X = [[f"1/{p}" for p in primes]]
    Y = [[1] * len(primes)]
    loss = compile_loss(dense([1, 1, 1]), X, Y)
    assert integer_pass.value_and_gradient(loss, loss.point([1, 1])) is None
    assert loss.value_and_gradient(loss.point([1, 1]))[0] == _generic(loss, loss.point([1, 1]))[0]


def test_a_critical_point_stays_exactly_critical(monkeypatch):
    """Mirrored samples with opposite residuals: the gradient is exactly 0 in both passes; a one-ulp change is not."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    loss = compile_loss(dense([1, 2, 1], activation="poly(0, 1, 1/2)"), [["0.3", "0.3", "-1.7", "-1.7"]],
                        [["0", "0", "0", "0"]])
    theta = loss.point(["0.25", "-0.5", "1.5", "2"])
    out = loss.outputs(theta, raw=True)[0]
    Y = [[out[0] + 1, out[1] - 1, out[2] + 3, out[3] - 3]]
    loss = compile_loss(dense([1, 2, 1], activation="poly(0, 1, 1/2)"), [["0.3", "0.3", "-1.7", "-1.7"]],
                        [[str(y) for y in Y[0]]])
    value, grad = integer_pass.value_and_gradient(loss, theta)
    assert all(g == 0 for g in grad) and value == _generic(loss, theta)[0] > 0
    moved = loss.point(["0.25", "-0.5", "1.5", "2.0000000000000001"])
    assert any(g != 0 for g in integer_pass.value_and_gradient(loss, moved)[1])


def test_kinks_are_left_to_the_generic_pass(monkeypatch):
    """At a ReLU kink the integer pass gives no gradient (the generic pass raises NonSmooth); outputs are fine."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    loss = compile_loss(dense([1, 1, 1], activation="relu"), [[1, 2, -1]], [[0, 1, 2]])
    kink = loss.point(["0", "1"])                   # pre-activation 0 on every sample
    assert integer_pass.value_and_gradient(loss, kink) is None
    with pytest.raises(NonSmooth):
        loss.value_and_gradient(kink)
    assert integer_pass.outputs(loss, kink) == [[0, 0, 0]]
    smooth = loss.point(["1/2", "3"])              # pre = (1/2, 1, -1/2): slopes 1, 1, 0
    value, grad = integer_pass.value_and_gradient(loss, smooth)
    assert (value, list(grad)) == (_generic(loss, smooth)[0], list(_generic(loss, smooth)[1]))


def test_the_data_cache_follows_the_data(monkeypatch):
    """A copy of a loss given other data (as the landscape rules make) does not reuse the converted data."""
    import copy
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    loss = compile_loss(dense([1, 1, 1]), [[1, 2, 3]], [[0, 1, 2]])
    theta = loss.point([1, 1])
    before = integer_pass.outputs(loss, theta)
    other = copy.copy(loss)
    other.X = [[loss.field(5), loss.field(6), loss.field(7)]]
    assert integer_pass.outputs(other, theta) == [[5, 6, 7]] != before
    assert integer_pass.outputs(loss, theta) == before == [[1, 2, 3]]


def _hostile_number(rng, mode):
    """Numbers the common denominator must survive: 0 small fractions, 1 huge and tiny powers of ten,
    2 many unrelated (and negative) denominators, 3 mostly zeros and units, 4 17-digit decimals."""
    import sympy
    if mode == 0:
        return f"{rng.randint(-9, 9)}/{rng.randint(1, 7)}"
    if mode == 1:
        return str(sympy.Rational(rng.randint(-99, 99)) * sympy.Rational(10) ** rng.randint(-300, 300))
    if mode == 2:
        return str(sympy.Rational(rng.randint(-10 ** 6, 10 ** 6), rng.choice([1, -1]) * rng.randint(1, 10 ** 6)))
    if mode == 3:
        return rng.choice(["0", "1", "-1", "1/2", "0"])
    return f"{rng.uniform(-1, 1):.17e}"


HOSTILE_ACTIVATIONS = ACTIVATIONS + ["poly(123456789/1000, -7/3, 0, 0, 1/1000000007)", "leaky_relu(1)",
                                     "leaky_relu(0)", "leaky_relu(1000000)", "poly(0, 0, 0, 0, 0, 0, 1)"]


@pytest.mark.parametrize("seed", range(60))
def test_hostile_data_give_the_generic_pass_numbers(seed, monkeypatch):
    """Huge and tiny numbers, unrelated and negative denominators, zero rows, a single sample,
    large-coefficient and high-degree polynomials, leaky ReLU slopes 0, 1 and 10^6: the integer pass
    gives exactly the generic pass's value, gradient and outputs, or declines (then only at a kink
    or past MAX_DENOMINATOR_BITS)."""
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    monkeypatch.setitem(globals(), "ACTIVATIONS", HOSTILE_ACTIVATIONS)    # read by _random_network
    rng = random.Random(seed)
    net = _random_network(rng)
    n = rng.choice([1, 1, 2, 5, 9])
    mode = seed % 5
    X = [[_hostile_number(rng, mode) for _ in range(n)] for _ in net.inputs]
    Y = [[_hostile_number(rng, mode) for _ in range(n)] for _ in net.outputs]
    if rng.random() < 0.2:
        X[0] = ["0"] * n
    loss = compile_loss(net, X, Y)
    theta = loss.point([_hostile_number(rng, mode) if rng.random() < 0.85 else 0 for _ in loss.params])
    assert integer_pass.applies(loss, theta)
    vals, _ = loss._forward(theta, FieldAlgebra(loss.field), False)
    outs = integer_pass.outputs(loss, theta)
    assert outs is None or outs == [vals[o] for o in loss.output_slots]
    fast = integer_pass.value_and_gradient(loss, theta)
    if fast is None:
        with pytest.raises(NonSmooth):
            _generic(loss, theta)
        return
    value, grad = _generic(loss, theta)
    assert fast[0] == value and list(fast[1]) == list(grad)


@pytest.mark.parametrize("seed", [1, 2, 4, 6, 7, 9, 10, 11, 12, 14, 18, 19, 20, 21, 25, 27, 28])   # SymPy: < 1 s each
def test_the_integer_pass_agrees_with_sympy_differentiating_the_loss_expression(seed, monkeypatch):
    """An independent judge: SymPy differentiates Loss.expression() (a different code path from both
    passes) and evaluates it exactly at theta; the integer pass's value and gradient are the same
    rationals (away from kinks, where the integer pass declines)."""
    import sympy
    monkeypatch.setattr(integer_pass, "MIN_WORK", 0)
    rng = random.Random(1000 + seed)
    net = _random_network(rng)
    n = rng.randint(1, 3)
    X = [[_rational(rng) for _ in range(n)] for _ in net.inputs]
    Y = [[_rational(rng) for _ in range(n)] for _ in net.outputs]
    loss = compile_loss(net, X, Y)
    values = [sympy.Rational(_rational(rng)) for _ in loss.params]
    theta = loss.point([str(v) for v in values])
    fast = integer_pass.value_and_gradient(loss, theta)
    if fast is None:
        return
    syms = loss.symbols()
    at = dict(zip(syms, values))
    expr = loss.expression()
    F = loss.field
    assert F.to_sympy(fast[0]) == expr.subs(at)
    for s, g in zip(syms, fast[1]):
        assert F.to_sympy(g) == sympy.piecewise_fold(sympy.diff(expr, s)).subs(at), s
