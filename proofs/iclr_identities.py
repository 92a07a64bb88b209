"""ICLR 2021 (sparse linear landscape): the key identities of Theorems 2, 3, 5 and Appendix B.

- Theorem 2, (6)-(7): with orthogonal column blocks X_1, X_2 of a full-rank X
  (samples in rows), Y = sum X_i Z_i + (I - P_X) Y and the loss separates:
  L = sum 1/2 ||X_i (Z_i - w_i a_i^T)||^2 + 1/2 ||(I - P_X) Y||^2, an identity
  in the weights for the compiled sparse net.
- Theorem 3: a node fed by the single feature x_k contributes x_k b^T, and
  ||R - x_k b^T||^2 = ||(I - P_k) R||^2 + ||P_k R - x_k b^T||^2 (projected data):
  an identity in symbolic R and b.
- Theorem 5: the printed expansion of 2 L(w + delta) at the paper's point
  and its lower bound 2[(2 + d3)(3 + d7) - 4] |d4 d8| + 16 (the last three
  terms), by sums of squares in the three sign cases of d4 d8.
- Appendix B: with column-orthonormal U_1, U_2 and D = U_1^T U_2, the loss
  becomes 1/2||M_1||^2 + 1/2||M_2||^2 + tr(M_1^T D M_2) (M_i = Z_i - w_i a_i^T);
  the gradient formulas (10); the rescaling invariance behind the Hessian
  kernel vectors (w_i, -a_i) of (11).
- (12) concludes a local minimum from the behaviour along particular curves.
  Such arguments need care: f(x, y) = (y - x^2)(y - 2 x^2) is >= 0 on every
  line through 0 near 0 (f(x, m x) = x^2 (m - x)(m - 2x), f(0, y) = y^2), yet
  takes negative values arbitrarily close to 0. Whether Algorithm 1's
  outputs are local minima is not decided here.
"""
import sympy as sp

from losscert import Network, compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Theorem 2', 'step'),
          ('iclr:Theorem 3', 'step'),
          ('iclr:Theorem 5 (perturbation bound)', 'full'),
          ('iclr:Appendix B (10)-(11)', 'instance'),
          ('iclr:Appendix B (12)', 'step')]


def mat(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}_{j + 1}"))


def sq(M):
    return sum(v ** 2 for v in M)


half = sp.Rational(1, 2)

# -- Theorem 2 ---------------------------------------------------------------------------------------
thm2 = Proof("Theorem 2: orthogonal blocks separate the loss ((6)-(7))", source=source("iclr", "Theorem 2"))
X = sp.Matrix([[1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1], [0, 0, 0, 2]])   # samples in rows
Y = sp.Matrix([[1, 0], [2, 1], [0, 3], [1, 1], [-1, 2]])
X1, X2 = X[:, :2], X[:, 2:]
thm2.identity(X1.T * X2, sp.zeros(2, 2), text="X_1^T X_2 = 0 (non-overlapping first layer, orthogonal data)")
thm2.rank(X, 4, text="X has full column rank")
loss = compile_loss(sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2), X.T.tolist(), Y.T.tolist())
s = {v.param: v for v in loss.symbols()}
w1, w2 = sp.Matrix([s["x1 -> h1_1"], s["x2 -> h1_1"]]), sp.Matrix([s["x3 -> h1_2"], s["x4 -> h1_2"]])
a1, a2 = sp.Matrix([s["h1_1 -> y1"], s["h1_1 -> y2"]]), sp.Matrix([s["h1_2 -> y1"], s["h1_2 -> y2"]])
Z = (X.T * X).inv() * X.T * Y
Z1, Z2 = Z[:2, :], Z[2:, :]
P = X * (X.T * X).inv() * X.T
thm2.identity(Y, X1 * Z1 + X2 * Z2 + (sp.eye(5) - P) * Y, text="(6): Y = X_1 Z_1 + X_2 Z_2 + (I - P_X) Y")
thm2.identity(loss.expression(), half * sq(X1 * (Z1 - w1 * a1.T)) + half * sq(X2 * (Z2 - w2 * a2.T))
              + half * sq((sp.eye(5) - P) * Y),
              text="(7): L = sum 1/2 ||X_i (Z_i - w_i a_i^T)||^2 + const: two dense problems")

# -- Theorem 3 ---------------------------------------------------------------------------------------
thm3 = Proof("Theorem 3: a one-input node is a projection of the data", source=source("iclr", "Theorem 3"))
xk = sp.Matrix([1, 2, 0, -1])
R, b = mat("r", 4, 3), mat("b", 3, 1)
Pk = xk * xk.T / (xk.T * xk)[0]
thm3.identity(sq(R - xk * b.T), sq((sp.eye(4) - Pk) * R) + sq(Pk * R - xk * b.T),
              text="||R - x_k b^T||^2 = ||(I - P_k) R||^2 + ||P_k R - x_k b^T||^2 for all R, b")

# -- Theorem 5: the perturbation bound ------------------------------------------------------------------
thm5 = Proof("Theorem 5: the expansion of 2 L(w + delta) and its bound", source=source("iclr", "Theorem 5"))
net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"],
                          "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",
                                    "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})
L5 = compile_loss(net, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 2, 0], [2, 10, 0], [0, 0, 4]])
d = sp.symbols("d1:9")
at = {v: wi + di for v, wi, di in zip(L5.symbols(), [1, 2, 2, 0, 1, 2, 3, 0], d)}   # w + delta
d1, d2, d3, d4, d5, d6, d7, d8 = d
printed = ((d1 + d5 + d1 * d5) ** 2 + (2 * d1 + d6 + d1 * d6) ** 2 + (d2 + 2 * d5 + d2 * d5) ** 2
           + (2 * d2 + 2 * d6 + d2 * d6 + 3 * d3 + 2 * d7 + d3 * d7) ** 2
           + (2 + d3) ** 2 * d8 ** 2 + (3 + d7) ** 2 * d4 ** 2 + (d4 * d8 - 4) ** 2)
thm5.identity(2 * L5.expression().subs(at, simultaneous=True), printed,
              text="2 L(w + delta) equals the printed sum of seven squares")
A, B, a, bb = 2 + d3, 3 + d7, sp.Symbol("a"), sp.Symbol("b")
tail = lambda p, q: A ** 2 * q ** 2 + B ** 2 * p ** 2 + (p * q - 4) ** 2   # noqa: E731  (d4 = p, d8 = q)
thm5.inequality(tail(d4, d8), 2 * (A * B - 4) * d4 * d8 + 16,
                certificate=[(1, A * d8 - B * d4), (1, d4 * d8)],
                text="d4 d8 >= 0: the last three terms >= 2[(2 + d3)(3 + d7) - 4] d4 d8 + 16")
thm5.inequality(tail(a ** 2, -bb ** 2), 2 * (A * B - 4) * a ** 2 * bb ** 2 + 16,
                certificate=[(1, B * a ** 2 - A * bb ** 2), (1, a ** 2 * bb ** 2), (16, a * bb)],
                text="d4 = a^2 >= 0 >= d8 = -b^2: the same bound with |d4 d8| = a^2 b^2")
thm5.inequality(tail(-a ** 2, bb ** 2), 2 * (A * B - 4) * a ** 2 * bb ** 2 + 16,
                certificate=[(1, A * bb ** 2 - B * a ** 2), (1, a ** 2 * bb ** 2), (16, a * bb)],
                text="d4 = -a^2 <= 0 <= d8 = b^2: the same bound")

# -- Appendix B ----------------------------------------------------------------------------------------
appb = Proof("Appendix B: the two-block objective, (10) and (11)", source=source("iclr", "Appendix B"))
U1 = sp.Matrix([[1, 0], [0, 1], [0, 0]])
U2 = sp.Matrix([[sp.Rational(3, 5), 0], [0, 1], [sp.Rational(4, 5), 0]])
D = U1.T * U2
M1, M2 = mat("m", 2, 2), mat("n", 2, 2)
appb.identity(U2.T * U2, sp.eye(2), text="U_2 has orthonormal columns (3/5, 0, 4/5), (0, 1, 0)")
appb.identity(half * sq(U1 * M1 + U2 * M2), half * sq(M1) + half * sq(M2) + (M1.T * D * M2).trace(),
              text="1/2 ||U_1 M_1 + U_2 M_2||^2 = 1/2 ||M_1||^2 + 1/2 ||M_2||^2 + tr(M_1^T D M_2), D = U_1^T U_2")
Z1, Z2, Dg = mat("z", 2, 2), mat("y", 2, 2), mat("e", 2, 2)
v1, v2, c1, c2 = mat("w", 2, 1), mat("v", 2, 1), mat("a", 2, 1), mat("c", 2, 1)
L = half * sq(Z1 - v1 * c1.T) + half * sq(Z2 - v2 * c2.T) + ((Z1 - v1 * c1.T).T * Dg * (Z2 - v2 * c2.T)).trace()
grad = lambda M: sp.Matrix([sp.diff(L, v) for v in M])       # noqa: E731
R1, R2 = Z1 - v1 * c1.T + Dg * (Z2 - v2 * c2.T), Z2 - v2 * c2.T + Dg.T * (Z1 - v1 * c1.T)
appb.identity(grad(v1), -R1 * c1, text="(10): dL/dw_1 = -(Z_1 - w_1 a_1^T + D (Z_2 - w_2 a_2^T)) a_1")
appb.identity(grad(c1), -R1.T * v1, text="(10): dL/da_1 = -(Z_1 - w_1 a_1^T + D (Z_2 - w_2 a_2^T))^T w_1")
appb.identity(grad(v2), -R2 * c2, text="(10): dL/dw_2 = -(Z_2 - w_2 a_2^T + D^T (Z_1 - w_1 a_1^T)) a_2")
appb.identity(grad(c2), -R2.T * v2, text="(10): dL/da_2 = -(Z_2 - w_2 a_2^T + D^T (Z_1 - w_1 a_1^T))^T w_2")
t = sp.Symbol("t", nonzero=True)
appb.identity(L.subs({**{v: t * v for v in v1}, **{v: v / t for v in c1}}, simultaneous=True), L,
              text="(11): L(t w_1, a_1 / t, ...) = L: (w_1, -a_1, 0, 0) is tangent to a constant-loss curve, "
                   "a Hessian kernel vector at critical points")
x, y, m = sp.symbols("x y m")
peano = (y - x ** 2) * (y - 2 * x ** 2)
appb.identity(peano.subs(y, m * x), x ** 2 * (m - x) * (m - 2 * x),
              text="on the line y = m x, f = x^2 (m - x)(m - 2x) >= 0 for |x| < |m| / 2 (and f(0, y) = y^2)")
appb.inequality(peano.subs(y, sp.Rational(3, 2) * x ** 2), 0, counterexample={"x": sp.Rational(1, 100)},
                expect="refuted", text="yet f(x, 3 x^2 / 2) = -x^4 / 4 < 0 arbitrarily close to 0",
                note="gap: (12) infers a local minimum from the loss along particular curves; such tests do not "
                     "decide a minimum (the conclusion for Algorithm 1's outputs is not decided here)")
PROOFS = [thm2, thm3, thm5, appb]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
appb.covers = ['iclr:Appendix B (10)-(11)', 'iclr:Appendix B (12)']
