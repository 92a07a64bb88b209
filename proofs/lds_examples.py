"""li-ding-sun (benefit of width): Example 1, Lemma 1 and Theorem 5.

- Example 1: with sigma(z) = z^p the hidden matrix Z = sigma(W X) of a net
  with one input, two neurons and two samples is never of rank 2: its
  determinant vanishes identically (for symbolic p, and via losscert's
  activation for p = 3), while z + z^2 reaches rank 2.
- Lemma 1 for tanh (non-vanishing derivatives at 0 of orders 1, 3, 5, an
  arithmetic progression): the matrix A = [z_m^{l_n} sigma^{(l_n)}(0)] has the
  factorised determinant prod sigma^{(l_n)}(0) prod z_m^{l_0} prod (z_j^2 - z_i^2),
  checked as a polynomial identity, and is non-singular at z = (1, 2, 3).
- Theorem 5 (positively homogeneous activations): at points of a ReLU net the
  loss is constant along the scaling curve (v, w) -> (M v, w / M) (v != 0) or
  along free w (v = 0), so no point is a strict minimum.
"""
import sympy as sp

from losscert import compile_loss, dense
from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Example 1', 'full'),
          ('lds:Lemma 1', 'instance'),
          ('lds:Theorem 5', 'step')]

PROOF = Proof("Example 1, Lemma 1 and Theorem 5", source=source("lds", "Example 1"))

a1, a2, t, p, w1, w2, x1, x2 = sp.symbols("a1 a2 t p w1 w2 x1 x2", positive=True)
Zp = sp.Matrix([[a1 ** p, a2 ** p], [t ** p * a1 ** p, t ** p * a2 ** p]])
PROOF.identity(Zp[0, 0] * Zp[1, 1], Zp[0, 1] * Zp[1, 0],
               text="Example 1: det sigma(WX) = 0 identically for sigma(z) = z^p (symbolic p): the diagonal "
                    "products agree")
cube, quad = activation("poly(0, 0, 0, 1)"), activation("poly(0, 1, 1)")
WX = sp.Matrix([[w1 * x1, w1 * x2], [w2 * x1, w2 * x2]])
PROOF.rank(WX.applyfunc(cube), 1, text="Example 1: sigma(WX) has generic rank 1 for sigma(z) = z^3")
PROOF.rank(WX.applyfunc(quad), 2, text="contrast: sigma(WX) has generic rank 2 for sigma(z) = z + z^2")

PROOFS = [PROOF]
lemma = Proof("Lemma 1 for tanh", source=source("lds", "Lemma 1"))
tanh = activation("tanh")
ders = tanh.derivatives_at_zero(5)
orders = [k for k in range(6) if ders[k] != 0]            # 1, 3, 5
z = sp.symbols("z1:4")
A = sp.Matrix([[zm ** l * ders[l] for zm in z] for l in orders])
d = orders[1] - orders[0]
factored = sp.Mul(*[ders[l] for l in orders]) * sp.Mul(*[zm ** orders[0] for zm in z]) * \
    sp.Mul(*[z[j] ** d - z[i] ** d for i in range(3) for j in range(i + 1, 3)])
lemma.identity(orders, [1, 3, 5], text="tanh: non-vanishing derivative orders at 0 up to 5 are 1, 3, 5")
lemma.determinant(A, factored, text="det A = prod sigma^(l)(0) * prod z^l0 * prod (z_j^d - z_i^d)")
lemma.rank(A.subs(dict(zip(z, (1, 2, 3)))), 3, text="A is non-singular at z = (1, 2, 3)")
PROOFS.append(lemma)

thm5 = Proof("Theorem 5: no strict minima with positively homogeneous activations",
             source=source("lds", "Theorem 5"))
relu_net = compile_loss(dense([1, 2, 1], activation="relu"), [[1, 2, 3]], [[1, 0, 2]])
pt = {"x1 -> h1_1": 1, "x1 -> h1_2": -1, "h1_1 -> y1": "1/2", "h1_2 -> y1": 2}
thm5.critical_point(relu_net, pt, text="(v, w) = ((1/2, 2), (1, -1)) is a critical point")
thm5.strict_local_minimum(relu_net, pt, expect="refuted", text="v != 0: the scaling curve has constant loss")
zero_v = {"x1 -> h1_1": -1, "x1 -> h1_2": -1, "h1_1 -> y1": 0, "h1_2 -> y1": 0}   # a critical point with v = 0
thm5.critical_point(relu_net, zero_v, text="v = 0, w = (-1, -1) is a critical point")
thm5.strict_local_minimum(relu_net, zero_v, expect="refuted", text="v = 0: w moves freely at constant loss")
M, u = sp.symbols("M u", positive=True)
thm5.identity(M * (u / M), u, text="M * sigma(z / M) = sigma(z) for z > 0, M > 0 (the ReLU branch, exact)")
PROOFS.append(thm5)
