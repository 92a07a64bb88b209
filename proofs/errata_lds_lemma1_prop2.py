"""li-ding-sun Lemma 1 and Proposition 2 fail for odd activations; the corrected statements.

Lemma 1 says: sigma with Assumption 2 (orders l_0 < ... < l_{N-1} in
arithmetic progression with sigma^(l)(0) != 0) and z_n distinct and non-zero
make A = [z_n^{l_k} sigma^{(l_k)}(0)] non-singular. Its proof calls A* =
[z_n^{l_k - l_0}] a Vandermonde matrix, but it is the Vandermonde matrix of
the z_n^d (d the step): det A = prod sigma^{(l_k)}(0) prod z_n^{l_0}
prod_{i<j} (z_j^d - z_i^d). tanh is odd, so its non-zero derivatives at 0
have odd orders and every progression has an even step; z = (1, -1, 2)
then gives z_1^d = z_2^d and a singular A.
Corrected Lemma 1: the z_n^d pairwise distinct (and non-zero when l_0 > 0);
the factorisation is checked as a polynomial identity for N = 2..6.

Proposition 2 (rank T_H = N for almost every W under Assumptions 1 and 2)
uses Lemma 1 with z_n = w^T x^(n). Without biases and with antipodal samples
x = (1, -1) (Assumption 1 holds), an odd sigma gives column 2 = -column 1 of
T_1 = sigma(W_1 X), and of every later T_h, for every W: rank T_H <= 1 < 2.
Corrected: samples with x^(n) != +-x^(n') (or a bias row), checked on instances.
"""
import sympy as sp

from losscert import dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Lemma 1', 'instance'),
          ('lds:Proposition 2', 'spot'),
          ('lsz:Theorem 6', 'spot')]

lemma = Proof("li-ding-sun Lemma 1 fails for odd activations; corrected with distinct z^d",
              source=source("lds", "Lemma 1"))
w = sp.Symbol("w")
lemma.identity(sp.tanh(-w), -sp.tanh(w),
               text="tanh is odd: its even derivatives at 0 vanish, so every progression of non-zero orders has "
                    "an even step")
lemma.arithmetic_derivatives("tanh", 3, text="tanh satisfies Assumption 2 for N = 3 (orders 1, 3, 5)")
lemma.vandermonde_full_rank("tanh", [1, -1, 2], 1, 2, expect="refuted",
                            text="z = (1, -1, 2), orders 1, 3, 5: A is singular (z_1^2 = z_2^2)",
                            note="paper: Lemma 1: z_n distinct and non-zero => A non-singular")
lemma.vandermonde_full_rank("tanh", [1, -1, 2], 1, 4, expect="refuted",
                            text="z = (1, -1, 2), orders 1, 5, 9: singular too (z_1^4 = z_2^4)")
ders = {1: 1, 3: -2, 5: 16}                                  # tanh^(l)(0), as the kernel evidence shows
A = sp.Matrix(3, 3, lambda k, i: [1, -1, 2][i] ** (1 + 2 * k) * ders[1 + 2 * k])
lemma.rank(A, 2, text="the explicit matrix [z_i^l tanh^(l)(0)] at z = (1, -1, 2) has rank 2")
for t in range(2, 7):
    c, a, u = sp.symbols(f"c1:{t + 1}"), sp.symbols(f"a1:{t + 1}"), sp.symbols(f"u1:{t + 1}")
    M = sp.Matrix(t, t, lambda k, i: c[k] * a[i] * u[i] ** k)
    rhs = sp.Mul(*c) * sp.Mul(*a) * sp.Mul(*[u[j] - u[i] for i in range(t) for j in range(i + 1, t)])
    lemma.determinant(M, rhs, text=f"corrected Lemma 1, N = {t}: with c_k = sigma^(l_k)(0), a_i = z_i^l_0, "
                                   f"u_i = z_i^d, det A = prod c_k prod a_i prod_(i<j) (u_j - u_i)")
lemma.vandermonde_full_rank("tanh", [1, -2, 3, "1/2", 5, "sqrt(2)"], 1, 2,
                            text="corrected Lemma 1 for tanh, N = 6: z with distinct squares gives a non-singular A")
lemma.vandermonde_full_rank("sigmoid", [1, -1, 2], 0, 1, expect="refuted",
                            text="sigmoid, orders 0, 1, 2: sigma''(0) = 0 gives a zero row")
lemma.vandermonde_full_rank("sigmoid", [1, -1, 2], 1, 2, text="sigmoid, orders 1, 3, 5 (step 2): z = (1, -1, 2) "
                            "singular again", expect="refuted")

prop = Proof("li-ding-sun Proposition 2 fails for odd activations without biases",
             source=source("lds", "Proposition 2"))
net = dense([1, 3, 3, 1], activation="tanh")
prop.lds_assumption1(net, [[1, -1]], text="x = (1, -1): Assumption 1 holds (distinct non-zero samples, width 3 >= 2)")
prop.arithmetic_derivatives("tanh", 2, text="tanh satisfies Assumption 2 for N = 2")
W1, W2 = sp.Matrix(3, 1, sp.symbols("a1:4")), sp.Matrix(3, 3, sp.symbols("b1:10"))
T1 = (W1 * sp.Matrix([[1, -1]])).applyfunc(sp.tanh)
T2 = (W2 * T1).applyfunc(sp.tanh)
prop.identity(T1[:, 1], -T1[:, 0], text="T_1 = tanh(W_1 X): column 2 = -column 1 for every W_1 (symbolic)")
prop.identity(T2[:, 1], -T2[:, 0], text="T_2 = tanh(W_2 T_1): column 2 = -column 1 for every W_1, W_2 (symbolic)")
prop.activation_rank("tanh", [[1], [2], ["1/3"]], [[1, -1]], 2, expect="refuted",
                     text="W_1 = (1, 2, 1/3): rank tanh(W_1 X) < 2",
                     note="paper: Proposition 2: rank T_H = N for almost every W under Assumptions 1 and 2")
prop.activation_rank("shifted_sigmoid", [[1], [2], ["1/3"]], [[1, -1]], 2, expect="refuted",
                     text="the shifted sigmoid (odd) fails the same way")
prop.activation_rank("tanh", [[1], [2], ["1/3"]], [[1, 2]], 2,
                     text="corrected (x^(n) != -x^(n')): x = (1, 2) gives rank 2 (Arb minor)")
prop.activation_rank("tanh", [[1, 1], [2, -1], ["1/3", 2]], [[1, -1], [1, 1]], 2,
                     text="corrected (a bias row): x = (1, -1) with a bias gives rank 2 (Arb minor)")

# lin-sun-zhang Theorem 6: rank sigma(W X) = n on Assumption-1 data (distinct |x| per feature: no antipodes)
thm6 = Proof("lin-sun-zhang Theorem 6: rank sigma(W X) = n on Assumption-1 data", source=source("lsz", "Theorem 6"))
X = [[1, 2, -3, "1/2"], [2, -1, "1/3", 3]]
thm6.lsz_assumption1(dense([2, 4, 1], activation="tanh"), X, text="the data meets Assumption 1")
W = [[1, "1/2"], [-1, 2], ["1/3", 1], [2, -1]]
for act in ("tanh", "sigmoid", "softplus"):
    thm6.activation_rank(act, W, X, 4, text=f"{act}: rank sigma(W X) = n = 4 at a fixed W (Arb minor)")
thm6.activation_rank("tanh", W[:3], X, 3, text="p = 3 < n = 4 neurons: rank 3 only (so p >= n is needed)")
PROOFS = [lemma, prop, thm6]
