"""Hand-made networks with known truths, shared by the soundness tests."""
import networkx as nx
import sympy

from losscert import Network, compile_loss, dense, kernel


def _net(edges, inputs, outputs, acts=None, fixed=None, ties=None, biases=()):
    g = nx.DiGraph()
    for i, (u, v) in enumerate(edges):
        g.add_edge(u, v, order=i)
    for n, a in (acts or {}).items():
        g.nodes[n]["activation"] = a
    for (u, v), c in (fixed or {}).items():
        g.edges[u, v]["fixed"] = c
    for (u, v), k in (ties or {}).items():
        g.edges[u, v]["tie"] = k
    for n in biases:
        g.nodes[n]["bias"] = True
    return Network(g, inputs, outputs)


def pd_minimum():
    """L = 1/2 (w - 2)^2 + 1/2 (v*3 - 1)^2: a linear regression, PD Hessian."""
    net = _net([("x1", "y1"), ("x2", "y2")], ["x1", "x2"], ["y1", "y2"])
    loss = compile_loss(net, [[1], [3]], [[2], [1]])
    return loss, {"x1 -> y1": 2, "x2 -> y2": "1/3"}


def x2_plus_y4():
    """L = 1/2 a^2 + 1/2 b^4 at 0: singular Hessian, strict minimum."""
    net = _net([("x", "o1"), ("x", "h"), ("h", "o2")], ["x"], ["o1", "o2"],
               acts={"h": "poly(0, 0, 1)"}, fixed={("h", "o2"): 1})
    loss = compile_loss(net, [[1]], [[0], [0]])
    return loss, {"x -> o1": 0, "x -> h": 0}


def peano_like():
    """L = 1/2 (u w^2 - 2)^2 + 1/2 w^4 + 1/2 u^2 at 0. Along the only kernel
    line (the w axis) the quartic is +1/2, yet the splitting-lemma quartic is
    1/2 - 2 < 0: not a local minimum (u = t^2 lowers the loss)."""
    net = _net([("x", "h"), ("h", "o1"), ("h", "o2"), ("x", "o3")], ["x"], ["o1", "o2", "o3"],
               acts={"h": "poly(0, 0, 1)"}, fixed={("h", "o2"): 1},
               ties={("h", "o1"): "u", ("x", "o3"): "u"})
    loss = compile_loss(net, [[1]], [[2], [0], [0]])
    return loss, {"x -> h": 0, "u": 0}


def cubic_descent():
    """L = 1/2 (w^3 - 1)^2 + 1/2 u^2 at 0: H = diag(0, 1), cubic -w^3."""
    net = _net([("x", "h"), ("h", "o1"), ("x", "o2")], ["x"], ["o1", "o2"],
               acts={"h": "poly(0, 0, 0, 1)"}, fixed={("h", "o1"): 1})
    loss = compile_loss(net, [[1]], [[1], [0]])
    return loss, {"x -> h": 0, "x -> o2": 0}


def zero_loss_flat():
    """A 1-1-1 linear net fitting y = 2x exactly: L = 0 with a rescaling orbit."""
    loss = compile_loss(dense([1, 1, 1]), [[1, 2]], [[2, 4]])
    return loss, {"x1 -> h1_1": 1, "h1_1 -> y1": 2}


def orbits_fill_kernel():
    """A 2-1-2 linear net fitting Y = diag(2, 1) by rank one: at u w^T =
    [[2, 0], [0, 0]] the loss is 1/2 and ker H is the rescaling orbit."""
    loss = compile_loss(dense([2, 1, 2]), [[1, 0], [0, 1]], [[2, 0], [0, 1]])
    return loss, {"x1 -> h1_1": 1, "x2 -> h1_1": 0, "h1_1 -> y1": 2, "h1_1 -> y2": 0}


def saddle_at_origin():
    """L = 1/2 (u w - 1)^2 at 0: H = [[0, -1], [-1, 0]], a non-degenerate saddle."""
    loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    return loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}


def oracle_drop(loss, theta, rng, tries=40):
    """A rational point near theta with a smaller loss (exact), or None. It can only refute."""
    L0 = loss.value(theta)
    P = len(theta)
    dirs = [[sympy.Rational(rng.randint(-4, 4), 4) for _ in range(P)] for _ in range(tries)]
    dirs += [[sympy.Rational(int(i == j) * s) for j in range(P)] for i in range(P) for s in (1, -1)]
    for d in dirs:
        for r in (sympy.Rational(1, 20), sympy.Rational(1, 1000)):
            pt = [a + r * b for a, b in zip(theta, d)]
            if loss.value(pt) < L0:
                return pt
    return None


def verdicts(loss, point):
    """(local_minimum, strict_local_minimum, critical_point) statuses at ``point``."""
    theta = loss.point(point)
    return tuple(rule(loss, theta).status for rule in
                 (kernel.local_minimum, kernel.strict_local_minimum, kernel.critical_point))
