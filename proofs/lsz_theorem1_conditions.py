"""lin-sun-zhang, Theorem 1 and Remark 1: the conditions on example networks.

Remark 1 says the Theorem 2 example meets none of Theorem 1's conditions
(p_i >= d_i for all i; Z_i Z_j^T = 0 for i != j; d_y = 1). The patterns come
from losscert's pattern analysis; each condition is decided by the kernel.
A second network (two neurons on each pattern, orthogonal data, scalar
output) meets all three. Then dim* of Section 5.1 for other degrees and
input dimensions: random neurons reach the monomial count C(d + t, t).
"""
import random

import sympy as sp

from losscert import sparse_dense
from losscert.activations import activation
from losscert.patterns import two_layer_patterns
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Remark 1', 'full'),
          ('lsz:Remark 2', 'step')]

r = lambda q: sp.sqrt(sp.Rational(q))  # noqa: E731
X = sp.Matrix([[r("0.9"), 0, r("0.1"), 0], [0, r("0.8"), 0, r("0.2")],
               [r("0.1"), 0, r("0.9"), 0], [0, r("0.2"), 0, r("0.8")]])
PROOF = Proof("Theorem 1's conditions on example networks", source=source("lsz", "Remark 1"))


def conditions(proof, net, X, expect, label):
    pats = two_layer_patterns(net)
    for i, g in enumerate(pats.groups, 1):
        proof.inequality(g.size, g.dim, expect=expect, text=f"{label}: p_{i} = {g.size} >= d_{i} = {g.dim}")
    Z1, Z2 = pats.Z(X, 0), pats.Z(X, 1)
    proof.identity(Z1 * Z2.T, sp.zeros(Z1.rows, Z2.rows), expect=expect, text=f"{label}: Z_1 Z_2^T = 0")
    proof.identity(len(net.outputs), 1, expect=expect, text=f"{label}: d_y = 1")


conditions(PROOF, sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2), X, "refuted", "Theorem 2 example")
conditions(PROOF, sparse_dense([(0, 1), (0, 1), (2, 3), (2, 3)], d_x=4, d_y=1), sp.eye(4), "verified",
           "two neurons per pattern, X = I, scalar output")

dims = Proof("Section 5.1 / Remark 2: dim* for other degrees and dimensions",
             source=source("lsz", "Section 5.1"))
rng = random.Random(7)
for d, t in ((3, 2), (2, 3)):
    sigma = activation("poly(" + ", ".join(["0"] * t + ["1"]) + ")")        # z^t
    n = sp.binomial(d + t, t) + 2                                            # more samples than monomials
    data = [[sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    neurons = [[sp.Integer(rng.randint(-4, 4)) for _ in range(d + 1)] for _ in range(n + 3)]
    rows = sp.Matrix([[sigma(sum(w[i] * x[i] for i in range(d)) + w[d]) for x in data] for w in neurons])
    dims.rank(rows, sp.binomial(d + t, t),
              text=f"z^{t} with bias, d_x = {d}: {n + 3} random neurons on {n} random points span "
                   f"C(d+t, t) = {sp.binomial(d + t, t)} dimensions, the number of monomials (the upper bound)")
PROOFS = [PROOF, dims]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
dims.covers = ['lsz:Remark 2']
