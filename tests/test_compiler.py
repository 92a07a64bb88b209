import random
from pathlib import Path

import networkx as nx
import pytest
import sympy

from losscert import Network, compile_loss
from losscert.claims import load

ROOT = Path(__file__).resolve().parents[1]

EQ4 = [[2, 0, 0.6, 1.4, 2.2, 0, 0.6, 0.8], [0, 2, 1.4, 0.6, 0, 2.2, 1.2, 1.6],
       [0.6, 1.4, 2, 0, 0.6, 0.6, 1.8, 0], [1.4, 0.6, 0, 2, 1.6, 1.6, 0, 2.4],
       [2.2, 0, 0.6, 1.6, 5, 0, 0.2, 2.4], [0, 2.2, 0.6, 1.6, 0, 5, 2.4, 3.8],
       [0.6, 1.2, 1.8, 0, 0.2, 2.4, 5, 0], [0.8, 1.6, 0, 2.4, 2.4, 3.8, 0, 5]]


def test_theorem2_value_gradient_and_hessian_eq4():
    cf = load(ROOT / "examples" / "lin-sun-zhang-theorem2.toml")
    loss, theta = cf.loss, cf.point
    assert not loss.field.is_rational              # the data holds radicals
    assert loss.value(theta) == sympy.Rational(221, 360)
    assert not any(loss.gradient(theta))
    H = loss.hessian(theta)
    assert H == sympy.Matrix(EQ4).applyfunc(lambda x: sympy.Rational(str(x)))


def test_theorem2_printed_Y_is_inconsistent():
    cf = load(ROOT / "examples" / "theorem2-printed-Y.toml")
    assert cf.loss.value(cf.point) == sympy.Rational(1337, 360)
    assert any(cf.loss.gradient(cf.point))


ACTS = ["linear", "poly(1/2, 1, -1/3)", "poly(0, 0, 1)", "tanh", "shifted_sigmoid", "relu"]


def random_network(rng: random.Random):
    """A random layered network with random sparsity, ties, a fixed weight
    and biases; returns (network, point, X, Y). Transcendental activations get
    zero incoming weights and biases (exact values at 0 are rational)."""
    sizes = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 2)][: rng.randint(3, 4)]
    layers = [[f"x{i}" for i in range(sizes[0])]] + \
        [[f"h{l}_{i}" for i in range(s)] for l, s in enumerate(sizes[1:-1], 1)] + [[f"y{i}" for i in range(sizes[-1])]]
    g = nx.DiGraph()
    for a, b in zip(layers, layers[1:]):
        for v in b:
            srcs = [u for u in a if rng.random() < 0.7] or [rng.choice(a)]
            for u in srcs:
                g.add_edge(u, v, order=g.number_of_edges())
    g.add_nodes_from(layers[0] + layers[-1])
    for n in list(g.nodes):
        if g.degree(n) == 0:
            g.add_edge(n, rng.choice(layers[-1])) if n in layers[0] else g.add_edge(rng.choice(layers[0]), n)
            g.edges[list(g.in_edges(n))[0] if n not in layers[0] else list(g.out_edges(n))[0]]["order"] = \
                g.number_of_edges()
    acts = {}
    for layer in layers[1:-1]:
        for h in layer:
            acts[h] = g.nodes[h]["activation"] = rng.choice(ACTS)
            if rng.random() < 0.4:
                g.nodes[h]["bias"] = True
    edges = sorted(g.edges, key=lambda e: g.edges[e]["order"])
    if len(edges) > 3 and rng.random() < 0.5:
        e = rng.choice(edges)
        g.edges[e]["fixed"] = str(sympy.Rational(rng.randint(-3, 3), rng.randint(1, 3)))
    free = [e for e in edges if "fixed" not in g.edges[e]]
    if len(free) > 3 and rng.random() < 0.5:
        for e in rng.sample(free, 2):
            g.edges[e]["tie"] = "t"
    net = Network(g, layers[0], layers[-1])
    q = lambda: sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3))  # noqa: E731
    n = rng.randint(1, 3)
    X = [[q() for _ in range(n)] for _ in layers[0]]
    Y = [[q() for _ in range(n)] for _ in layers[-1]]
    point = {}
    for p in net.parameters:
        point[p] = q()
    for h, a in acts.items():           # exact values need zero pre-activations
        if a in ("tanh", "shifted_sigmoid", "relu"):
            for u, _ in g.in_edges(h):
                d = g.edges[u, h]
                if d.get("fixed") is not None:
                    d["fixed"] = "0"
                    net = Network(g, layers[0], layers[-1])
                else:
                    point[d.get("tie") or f"{u} -> {h}"] = 0
            if g.nodes[h].get("bias"):
                point[f"b:{h}"] = 0
    if any(a == "relu" for a in acts.values()):     # relu is smooth only away from 0
        for h, a in acts.items():
            if a == "relu":
                g.nodes[h]["activation"] = "linear"
        net = Network(g, layers[0], layers[-1])
    return net, point, X, Y


@pytest.mark.parametrize("seed", range(30))
def test_gradient_and_hessian_equal_sympy_differentiation(seed):
    net, point, X, Y = random_network(random.Random(seed))
    loss = compile_loss(net, X, Y)
    theta = loss.point(point)
    expr = loss.expression()
    syms = loss.symbols()
    subs = {s: loss.field.to_sympy(t) for s, t in zip(syms, theta)}
    F = loss.field
    assert expr.subs(subs) == loss.value(theta)
    dexpr = [sympy.diff(expr, s) for s in syms]
    grad = [d.subs(subs) for d in dexpr]
    assert loss.gradient(theta) == grad
    hess = sympy.Matrix(len(syms), len(syms), lambda i, j: sympy.diff(dexpr[i], syms[j]).subs(subs))
    assert loss.hessian(theta) == hess
    assert loss.hessian_reference(theta).to_Matrix() == hess


def test_taylor_along_a_line_matches_sympy():
    from losscert import dense
    loss = compile_loss(dense([2, 2, 1], activation="poly(0, 1, 1)"), [[1, 2], [0, 1]], [[1, 3]])
    pt = {p: i + 1 for i, p in enumerate(loss.params)}
    theta = loss.point(pt)
    d = loss.point({p: (-1) ** i for i, p in enumerate(loss.params)})
    t = sympy.Symbol("t")
    expr = loss.expression().subs({s: pt[s.param] + t * (-1) ** i for i, s in enumerate(loss.symbols())})
    series = sympy.Poly(sympy.expand(expr), t).all_coeffs()[::-1]
    got = [loss.field.to_sympy(c) for c in loss.taylor(theta, [d], 4)]
    assert got == series[:5]


def test_bad_data_shapes_are_clear_errors():
    from losscert import dense
    from losscert.compiler import CompileError
    net = dense([2, 1, 1])
    with pytest.raises(CompileError, match="data.X: has 1 rows but the network has 2 inputs"):
        compile_loss(net, [[1, 2]], [[1, 2]])
    with pytest.raises(CompileError, match="X has 2 columns .* Y has 1"):
        compile_loss(net, [[1, 2], [3, 4]], [[1]])
    with pytest.raises(CompileError, match=r"data.X\[1\]\[2\]"):
        compile_loss(net, [[1, "nan"], [3, 4]], [[1, 2]])


def test_high_precision_evaluators_match_sympy_for_tanh():
    import mpmath
    from losscert import dense
    loss = compile_loss(dense([2, 2, 1], activation="tanh", biases=True), [[1, 2, "1/2"], [0, -1, 3]], [[1, 0, 2]])
    pt = [sympy.Rational(k - 3, 4) for k in range(len(loss.params))]
    with mpmath.workdps(50):
        theta = [mpmath.mpf(int(p.p)) / int(p.q) for p in pt]
        expr, syms = loss.expression(), loss.symbols()
        subs = dict(zip(syms, pt))
        exact = lambda e: mpmath.mpf(str(sympy.N(e.subs(subs), 60)))  # noqa: E731
        assert abs(loss.mp_value(theta) - exact(expr)) < mpmath.mpf(10) ** -45
        for g, s in zip(loss.mp_gradient(theta), syms):
            assert abs(g - exact(sympy.diff(expr, s))) < mpmath.mpf(10) ** -45
        H = loss.mp_hessian(theta)
        for i in (0, 3, len(syms) - 1):
            for j in (1, 4, len(syms) - 2):
                assert abs(H[i, j] - exact(sympy.diff(expr, syms[i], syms[j]))) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("seed", range(20))
def test_values_nearby_equal_full_evaluation(seed):
    """The incremental evaluator (used by the symmetry checks) equals value()."""
    rng = random.Random(seed)
    net, point, X, Y = random_network(rng)
    loss = compile_loss(net, X, Y)
    theta = loss.point(point)
    F = loss.field
    exact_ok = []
    for _ in range(6):
        pt = list(theta)
        for p in rng.sample(range(len(pt)), rng.randint(0, min(3, len(pt)))):
            pt[p] = pt[p] + F(sympy.Rational(rng.randint(-3, 3), rng.randint(1, 3)))
        try:
            exact_ok.append((pt, loss.value(pt)))
        except ArithmeticError:          # tanh off zero has no exact value
            continue
    got = loss.nearby(theta).values([pt for pt, _ in exact_ok])
    assert got == [v for _, v in exact_ok]
