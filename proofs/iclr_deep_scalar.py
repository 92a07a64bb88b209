"""ICLR 2021 (sparse linear landscape), after Theorem 6: a global minimizer of a
deep sparse linear network with scalar output.

Construction: take the two-layer optimum (output weights a_i = 1), then let
every later node split its output evenly over its k outgoing connections
(weight 1/k). On the deep sparse network below (3 inputs, hidden layers
{h1: x1, x2; h2: x2, x3} and {g1: h1; g2: h1, h2}, output y) the construction
reaches the two-layer optimum: both points are critical, the losses agree
exactly, and a sum-of-squares certificate shows that this value is the global
minimum of both networks. The script proposes the least-squares weights and
the certificate; the kernel checks everything.
"""
import sympy as sp

from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Theorem 6', 'spot'),
          ('iclr:Theorem 6 (construction)', 'instance')]

X = [[1, 0, 2, 1], [0, 1, 1, 1], [1, 1, 0, 2]]
Y = [[1, 2, 2, 5]]
two = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["y"],
                          "edges": ["x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2", "h1 -> y", "h2 -> y"]})
deep = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["y"],
                           "edges": ["x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2",
                                     "h1 -> g1", "h1 -> g2", "h2 -> g2", "g1 -> y", "g2 -> y"]})
# the proposal: least squares for y ~ c^T X, split as h1 = c1 x1 + c2 x2, h2 = c3 x3 (a_i = 1)
c = list(sp.Matrix(X).T.solve_least_squares(sp.Matrix(Y).T))
two_pt = {"x1 -> h1": c[0], "x2 -> h1": c[1], "x2 -> h2": 0, "x3 -> h2": c[2], "h1 -> y": 1, "h2 -> y": 1}
deep_pt = {"x1 -> h1": c[0], "x2 -> h1": c[1], "x2 -> h2": 0, "x3 -> h2": c[2],
           "h1 -> g1": sp.Rational(1, 2), "h1 -> g2": sp.Rational(1, 2), "h2 -> g2": 1,   # 1/k over k edges
           "g1 -> y": 1, "g2 -> y": 1}
L2, Ld = compile_loss(two, X, Y), compile_loss(deep, X, Y)
optimum = L2.value(L2.point(two_pt))

PROOF = Proof("Deep scalar-output construction reaches the two-layer optimum",
              source=source("iclr", "Theorem 6 (construction after it)"))
PROOF.critical_point(L2, two_pt, text="the two-layer point (a_i = 1) is critical")
PROOF.critical_point(Ld, deep_pt, text="the deep point (even 1/k splits) is critical")
PROOF.loss_value(Ld, deep_pt, optimum, text=f"the deep loss equals the two-layer optimum {optimum}")
PROOF.local_minimum(Ld, deep_pt, text="the deep point is a local minimum (Morse-Bott)",
                    note="ker H (dim 6) is the tangent space of a proven family of critical points: four "
                         "rescalings, one mixing, and weight moving between h1 and h2 through the shared input x2")


def end_to_end(network, syms):
    """c_j(theta): the sum over paths from input x_j to y of the products of weights."""
    import networkx as nx
    w = {e: syms[network.param_index[f"{e[0]} -> {e[1]}"]] for e in network.graph.edges}
    return [sum(sp.Mul(*[w[(p[i], p[i + 1])] for i in range(len(p) - 1)])
                for p in nx.all_simple_paths(network.graph, x, "y")) for x in network.inputs]


# L(theta) - L* = 1/2 sum_k ((c(theta) - c*)^T x_k)^2, since X (X^T c* - y) = 0 (normal equations)
for name, loss in (("two-layer", L2), ("deep", Ld)):
    cs = end_to_end(loss.network, loss.symbols())
    squares = [(sp.Rational(1, 2), sum((cj - cstar) * X[j][k] for j, (cj, cstar) in enumerate(zip(cs, c))))
               for k in range(len(X[0]))]
    PROOF.inequality(loss.expression(), optimum, certificate=squares,
                     text=f"{name}: L(theta) >= {optimum} for every theta (sum-of-squares certificate), "
                          "so the point is a global minimum")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['iclr:Theorem 6', 'iclr:Theorem 6 (construction)']
