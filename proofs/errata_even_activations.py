"""Analytic activations that are even: li-ding-sun Lemma 3 (lin-sun-zhang Lemma 4) fails.

li-ding-sun Lemma 3 (cited by lin-sun-zhang as its Lemma 4): for a non-constant
analytic sigma and a != b, {z : sigma(a^T z) = sigma(b^T z)} has measure zero.
For an even sigma and b = -a the set is everything: sigma = 1 + z^2 is
analytic, non-constant, sigma''(0) = 2 != 0 (lin-sun-zhang's hypothesis) and it
satisfies Assumption 2 for N = 2 (orders 0, 2), yet sigma(a^T z) = sigma(-a^T z)
for all z. The proof fails at 'q != 1, w.l.o.g. q < 1': for q = -1 the factor
q^k does not tend to 0. Corrected: a != +-b (or sigma not even); then the
difference is a non-zero analytic function (on an instance: a product of two
linear forms, whose zero set is two lines).

The same evenness breaks li-ding-sun Proposition 2 (rank T_H = N for almost every
W): with sigma = 1 + z^2 and samples x = (1, -1) (distinct, non-zero: Assumption 1)
the two columns of T_1 are equal for every W_1. And lin-sun-zhang's proof of
Theorem 7 applies Lemma 4 to sigma^2, which is even whenever sigma is odd (tanh):
for hidden outputs z_j = -z_i its set S_ij is every w.
"""
import sympy as sp

from losscert import dense
from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Lemma 3', 'instance'),
          ('lsz:Lemma 4', 'instance'),
          ('lds:Proposition 2', 'spot'),
          ('lsz:Theorem 7 (proof)', 'step')]

even = "poly(1, 0, 1)"                             # sigma(z) = 1 + z^2
sigma = activation(even)
z = sp.Matrix(sp.symbols("z1:3"))
a, b, c = sp.Matrix([1, 2]), sp.Matrix([-1, -2]), sp.Matrix([2, 1])

lemma = Proof("li-ding-sun Lemma 3 / lin-sun-zhang Lemma 4 fail for even activations",
              source=source("lds", "Lemma 3"))
lemma.arithmetic_derivatives(even, 2, text="sigma = 1 + z^2 is analytic with sigma(0), sigma''(0) != 0 "
                                           "(Assumption 2 for N = 2; lin-sun-zhang Lemma 4's hypothesis)")
lemma.identity(sigma((a.T * z)[0]), sigma((b.T * z)[0]),
               text="a = (1, 2), b = -a: sigma(a^T z) = sigma(b^T z) for every z, so the set is R^2",
               note="paper: Lemma 3: for a != b the set {z : sigma(a^T z) = sigma(b^T z)} has measure zero")
lemma.identity(sigma((a.T * z)[0]) - sigma((c.T * z)[0]), -3 * (z[0] - z[1]) * (z[0] + z[1]),
               text="corrected (a != +-b): a = (1, 2), c = (2, 1): the difference is -3 (z1 - z2)(z1 + z2), "
                    "zero on two lines only")
lemma.covers = ['lds:Lemma 3', 'lsz:Lemma 4']

prop = Proof("li-ding-sun Proposition 2 fails for even activations without biases",
             source=source("lds", "Proposition 2"))
prop.lds_assumption1(dense([1, 2, 1], activation=even), [[1, -1]],
                     text="x = (1, -1): Assumption 1 holds (distinct non-zero samples, width 2 >= 2)")
prop.arithmetic_derivatives(even, 2, text="1 + z^2 satisfies Assumption 2 for N = 2")
W1 = sp.Matrix(2, 1, sp.symbols("a1:3"))
T1 = (W1 * sp.Matrix([[1, -1]])).applyfunc(sigma)
prop.identity(T1[:, 1], T1[:, 0], text="T_1 = sigma(W_1 X): column 2 = column 1 for every W_1 (symbolic)")
prop.rank(T1, 1, text="rank T_1 = 1 < N = 2 for every W_1 (generic rank of the symbolic matrix)")
prop.activation_rank(even, [[1], [2]], [[1, -1]], 2, expect="refuted", text="W_1 = (1, 2): rank sigma(W_1 X) = 2",
                     note="paper: Proposition 2: rank T_H = N for almost every W (even sigma, antipodal samples)")
prop.activation_rank(even, [[1], [2]], [[1, 2]], 2,
                     text="corrected (x^(n) != -x^(n')): x = (1, 2) gives rank 2 at W_1 = (1, 2)")

thm7 = Proof("lin-sun-zhang Theorem 7's proof: Lemma 4 applied to sigma^2", source=source("lsz", "Theorem 7 (proof)"))
tanh = activation("tanh")
w = sp.Matrix(sp.symbols("w1:3"))
thm7.identity(tanh((w.T * z)[0]) ** 2, tanh((w.T * (-z))[0]) ** 2,
              text="sigma = tanh: sigma(w^T z)^2 = sigma(w^T (-z))^2 for every w, z: for z_j = -z_i the set S_ij "
                   "is all of R^2",
              note="gap: the proof applies Lemma 4 to sigma^2 (even for odd sigma); it needs z_i != +-z_j")
PROOFS = [lemma, prop, thm7]
