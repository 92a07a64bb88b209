"""lin-sun-zhang, Assumption 2 (Theorem 6) for common activations, from exact
derivatives at 0 (losscert's activation registry), with n = 4 samples.

Assumption 2 asks for n non-negative orders l_1 < ... < l_n in arithmetic
progression with sigma^(l_i)(0) != 0. The paper says it holds for sigmoid,
tanh and softplus; checked for these, for the shifted sigmoid and swish, and
refuted for monomials (finitely many non-zero derivatives), the case of
li-ding-sun's Example 1.
"""
from losscert import sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Assumption 2', 'instance'),
          ('lsz:Theorem 6 (Vandermonde step)', 'instance'),
          ('lsz:Assumption 1', 'instance')]

PROOF = Proof("Assumption 2 of Theorem 6 for common activations",
              source=source("lsz", "Theorem 6 (Assumption 2)"))
n = 4
for act in ("sigmoid", "shifted_sigmoid", "tanh", "softplus", "swish"):
    PROOF.arithmetic_derivatives(act, n, text=f"{act}: {n} non-vanishing derivative orders in progression")
PROOF.arithmetic_derivatives("poly(0, 0, 0, 1)", n, expect="refuted", text="z^3: no such orders (a monomial)")
PROOF.arithmetic_derivatives("poly(0, 1, 0, 1)", n, expect="refuted", text="z + z^3: only orders 1 and 3")

# The Vandermonde step of Theorem 6's proof: with l_k = l_1 + (k - 1) d, the
# matrix [z_i^(l_k) sigma^(l_k)(0)] has determinant
# prod sigma^(l_k)(0) * prod z_i^(l_1) * prod_{i<j} (z_j^d - z_i^d). Writing
# a_i = z_i^(l_1) and u_i = z_i^d (so z_i^(l_k) = a_i u_i^(k-1)) makes this a
# polynomial identity that holds for every l_1 and d at once; checked for t = 2..5.
import sympy as sp  # noqa: E402

vander = Proof("The Vandermonde identity in the proof of Theorem 6",
               source=source("lsz", "Theorem 6 (proof)"))
for t in range(2, 6):
    c, a, u = sp.symbols(f"c1:{t + 1}"), sp.symbols(f"a1:{t + 1}"), sp.symbols(f"u1:{t + 1}")
    A = sp.Matrix(t, t, lambda k, i: c[k] * a[i] * u[i] ** k)
    rhs = sp.Mul(*c) * sp.Mul(*a) * sp.Mul(*[u[j] - u[i] for i in range(t) for j in range(i + 1, t)])
    vander.determinant(A, rhs, text=f"t = {t}: det = prod sigma^(l_k)(0) prod z_i^(l_1) prod (z_j^d - z_i^d)")
A2 = sp.Matrix(2, 2, lambda k, i: a[i] * u[i] ** k)
vander.determinant(A2, a[0] * a[1] * (u[0] - u[1]), expect="refuted",
                   text="the opposite sign (u_i - u_j) is wrong: the order i < j matters")

data = Proof("Assumption 1 of Theorem 6 on data", source=source("lsz", "Assumption 1"))
net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=1, activation="tanh")
data.lsz_assumption1(net, [[1, 2, -3], [1, "sqrt(2)", 3], [2, -3, 5]],
                     text="features 1, 2, -3 / 1, sqrt 2, 3 / 2, -3, 5: non-zero, distinct |x| per input")
data.lsz_assumption1(net, [[1, 2, -2], [1, "sqrt(2)", 3], [2, -3, 5]], expect="refuted",
                     text="input x1 has 2 and -2 (equal absolute values): fails")
data.lsz_assumption1(net, [[1, 2, 3], [0, 1, 2], [2, -3, 5]], expect="refuted",
                     text="input x2 has a zero feature: fails")
PROOFS = [PROOF, vander, data]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Assumption 2']
vander.covers = ['lsz:Theorem 6 (Vandermonde step)']
