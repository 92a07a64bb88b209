"""lin-sun-zhang: Theorem 8 for every activation (symbolic), Theorem 7 and Remark 3 ranks, Appendix B's Hessian.

- Theorem 8: with s_i = sigma(w_i) (i = 5..8) as symbols the loss is
  L = (w1 s5 - y1)^2 + (w1 s6 - y1)^2 + (w2 s5 - y2)^2 + (w2 s6 + w3 s7 - y2 - y3)^2
      + (w3 s8)^2 + (w4 s7)^2 + (w4 s8 - y4)^2,
  so the statements hold for every sigma at once: on T_0 (w = (y1 a, y2 a,
  y3 b, 0), s = (1/a, 1/a, 1/b, 0)) L = y4^2; the better point has
  L = y1^2 (y3 / (y2 + y3))^2; and steps (1)-(2) of the valley argument,
  (w3 + d3)^2 s8^2 + d4^2 s7^2 + (d4 s8 - y4)^2 >= 2 |(w3 + d3) s7 d4 s8| - 2 y4 d4 s8 + y4^2,
  are sums of squares (one per sign of the product).
- Theorem 7 (deep): with sigma = 1 + z + z^2/2 (Assumption 2 for n = 3, exact
  values) rank T_1 = rank T_2 = n = 3 on Assumption-1 data: full rank passes
  through two layers.
- Remark 3: rank(U sigma(W X)) <= n - 1 for n - 1 dense neurons (generic rank
  of a product with symbolic factors), while the sparse U = I_n keeps rank n.
- Appendix B: the printed Hessian of L = 1/2 ||u1 w1^T Z1 + u2 w2^T Z2 - Y||^2
  equals the true one when Z_i Z_i^T = I (Theorem 2's data, symbolic u, w, Y)
  but not in general. Not an error: the appendix is the Hessian of Theorem 2's
  example, whose proof states Z_1 Z_1^T = Z_2 Z_2^T = I_2 (footnote 4).
"""
import sympy as sp

from losscert import dense
from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 8 (symbolic targets)', 'full'),
          ('lsz:Theorem 8 (valley step)', 'full'),
          ('lsz:Theorem 7', 'step'),
          ('lsz:Remark 3', 'instance'),
          ('lsz:Appendix B', 'instance')]

thm8 = Proof("Theorem 8 for every activation (sigma values as symbols)", source=source("lsz", "Theorem 8"))
w1, w2, w3, w4, s5, s6, s7, s8 = sp.symbols("w1:5 s5:9")
y1, y2, y3, y4, a, b = sp.symbols("y1:5 a b", nonzero=True)
L = ((w1 * s5 - y1) ** 2 + (w1 * s6 - y1) ** 2 + (w2 * s5 - y2) ** 2 + (w2 * s6 + w3 * s7 - y2 - y3) ** 2
     + (w3 * s8) ** 2 + (w4 * s7) ** 2 + (w4 * s8 - y4) ** 2)
F = sp.Matrix([[w1 * s5, w1 * s6, 0], [w2 * s5, w2 * s6 + w3 * s7, w3 * s8], [0, w4 * s7, w4 * s8]])
Y = sp.Matrix([[y1, y1, 0], [y2, y2 + y3, 0], [0, 0, y4]])
thm8.identity(L, sum(v ** 2 for v in (F - Y)), text="L = ||F - Y||^2 for the network of Figure 2 (right), X = I_3")
T0 = {w1: y1 * a, w2: y2 * a, w3: y3 * b, w4: 0, s5: 1 / a, s6: 1 / a, s7: 1 / b, s8: 0}
thm8.identity(L.subs(T0), y4 ** 2, text="on T_0 the loss is y4^2 for every a, b != 0 and every sigma")
better = {w1: y1 * a, w2: (y2 + y3) * a, w3: 0, w4: y4 * a, s5: y2 / ((y2 + y3) * a), s6: 1 / a, s7: 0, s8: 1 / a}
thm8.identity(L.subs(better), y1 ** 2 * (y3 / (y2 + y3)) ** 2,
              text="the better point has loss y1^2 (y3 / (y2 + y3))^2 (< y1^2 < y4^2 when y3 > 0, y4 > y1 > 0)")
A, d4 = sp.symbols("A d4")                           # A = w3 + delta3; s7, s8 the perturbed sigma values
tail = A ** 2 * s8 ** 2 + d4 ** 2 * s7 ** 2 + (d4 * s8 - y4) ** 2
for sign in (1, -1):
    thm8.inequality(tail, sign * 2 * A * s7 * d4 * s8 - 2 * y4 * d4 * s8 + y4 ** 2,
                    certificate=[(1, A * s8 - sign * d4 * s7), (1, d4 * s8)],
                    text=f"valley step (2), sign {sign:+d}: the last terms >= {'' if sign > 0 else '-'}2 A s7 d4 s8 "
                         "- 2 y4 d4 s8 + y4^2 (sum of squares)")

thm7 = Proof("Theorem 7: full rank through two layers (exact activation)", source=source("lsz", "Theorem 7"))
act = "poly(1, 1, 1/2)"
thm7.arithmetic_derivatives(act, 3, text="1 + z + z^2/2 satisfies Assumption 2 for n = 3 (orders 0, 1, 2)")
X = [[1, 2, -3], [2, "1/2", 3]]
thm7.lsz_assumption1(dense([2, 3, 3, 1], activation=act), X, text="the data meets Assumption 1")
W1 = [[1, 0], [0, 1], [1, -1]]
thm7.activation_rank(act, W1, X, 3, text="rank T_1 = rank sigma(W_1 X) = 3")
sigma = activation(act)
T1 = (sp.Matrix(W1) * sp.Matrix([[sp.sympify(v) for v in r] for r in X])).applyfunc(sigma)
W2 = [[1, 0, "1/2"], [0, 1, 1], [-1, 1, 0]]
thm7.activation_rank(act, W2, T1.tolist(), 3, text="rank T_2 = rank sigma(W_2 T_1) = 3")

rem3 = Proof("Remark 3: n - 1 dense neurons vs a sparse identity output layer", source=source("lsz", "Remark 3"))
n = 4
U = sp.Matrix(n, n - 1, sp.symbols(f"u1:{n * (n - 1) + 1}"))
H = sp.Matrix(n - 1, n, sp.symbols(f"h1:{n * (n - 1) + 1}"))
rem3.rank(U * H, n - 1,
          text=f"rank(U_(n x (n-1)) H_((n-1) x n)) = n - 1 = {n - 1} for symbolic factors (so <= n - 1 always)")
Xr = [[1, 2, -3, "1/2"], [2, -1, "1/3", 3]]
rem3.activation_rank("tanh", [[1, "1/2"], [-1, 2], ["1/3", 1], [2, -1]], Xr, n,
                     text=f"U = I_n (one connection per output): rank sigma(W X) = n = {n} (Arb minor)")

appb = Proof("Appendix B: the printed Hessian needs Z_i Z_i^T = I", source=source("lsz", "Appendix B"))
u1, v1, u2, v2 = (sp.Matrix(sp.symbols(f"{p}1:3")) for p in ("u", "w", "p", "q"))
Ysym = sp.Matrix(2, 4, sp.symbols("y1:9"))
theta = list(u1) + list(v1) + list(u2) + list(v2)


def printed_hessian(Z1, Z2):
    Y1, Y2 = Ysym - u1 * v1.T * Z1, Ysym - u2 * v2.T * Z2
    I2 = sp.eye(2)
    rows = [[(v1.T * v1)[0] * I2, 2 * u1 * v1.T - Y2 * Z1.T, (v2.T * Z2 * Z1.T * v1)[0] * I2, u2 * v1.T * Z1 * Z2.T],
            [2 * v1 * u1.T - Z1 * Y2.T, (u1.T * u1)[0] * I2, Z1 * Z2.T * v2 * u1.T, (u1.T * u2)[0] * Z1 * Z2.T],
            [(v2.T * Z2 * Z1.T * v1)[0] * I2, u1 * v2.T * Z2 * Z1.T, (v2.T * v2)[0] * I2, 2 * u2 * v2.T - Y1 * Z2.T],
            [Z2 * Z1.T * v1 * u2.T, (u1.T * u2)[0] * Z2 * Z1.T, 2 * v2 * u2.T - Z2 * Y1.T, (u2.T * u2)[0] * I2]]
    return sp.Matrix(sp.BlockMatrix(rows))


def true_hessian(Z1, Z2):
    loss = sp.Rational(1, 2) * sum(v ** 2 for v in (u1 * v1.T * Z1 + u2 * v2.T * Z2 - Ysym))
    return sp.hessian(loss, theta)


r = lambda q: sp.sqrt(sp.Rational(q))  # noqa: E731
Z1 = sp.Matrix([[r("0.9"), 0, r("0.1"), 0], [0, r("0.8"), 0, r("0.2")]])
Z2 = sp.Matrix([[r("0.1"), 0, r("0.9"), 0], [0, r("0.2"), 0, r("0.8")]])
appb.identity(Z1 * Z1.T, sp.eye(2), text="Theorem 2's data has Z_1 Z_1^T = I (and Z_2 Z_2^T = I)")
appb.identity(printed_hessian(Z1, Z2), true_hessian(Z1, Z2),
              text="corrected (Z_i Z_i^T = I, Theorem 2's data): the printed Hessian is the Hessian "
                   "(symbolic u, w, Y)")
Z1b = sp.Matrix([[1, 0, 1, 0], [0, 1, 0, 1]])
appb.identity(printed_hessian(Z1b, Z2), true_hessian(Z1b, Z2), expect="refuted",
              text="with Z_1 Z_1^T = 2 I the printed formula is not the Hessian",
              note="")                     # not an error: Theorem 2's proof states Z_i Z_i^T = I
PROOFS = [thm8, thm7, rem3, appb]
