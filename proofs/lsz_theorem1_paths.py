"""lin-sun-zhang Theorem 1 (Property P for SD linear networks) and Lemma 1, on instances.

- Lemma 1: W = [W_1; Q W_1] (rows w_{r+1..p} dependent on the first r) and
  U = [U_1, U_2] give U_0 = [U_1 + U_2 Q, 0] with U_0 W = U W: an identity in
  symbolic U_1, U_2, Q, W_1 for several sizes (m, p, n, r).
- Condition 1 (p_i >= d_i): the proof's non-increasing path, on a net with a
  pattern {x1, x2} of two neurons and a pattern {x3} of one, from a point
  whose first pattern has rank 1: (a) U -> U_0 (Lemma 1, constant loss),
  (b) the dependent row of W -> an independent one (constant, U_0's column is
  0), (c) U_0 -> the least-squares U* (convex in U: non-increasing). Each
  segment is decided by the monotone-path rule; the end point is critical
  and, by a sum-of-squares certificate, a global minimum.
- Condition 2 (Z_1 Z_2^T = 0): the loss separates, L = 1/2 ||U_1 w_1 Z_1 -
  Y P_1||^2 + 1/2 ||U_2 w_2 Z_2 - Y P_2||^2 + 1/2 ||Y (I - P_1 - P_2)||^2 (P_i the
  projection on the row space of Z_i), an identity in the weights.
- Condition 3 (d_y = 1) and the ICLR paper's Theorem 1 (scalar output): at a
  local minimum with a_i = 0 the Hessian block [[d^2L/da^2, b^T], [b, 0]] is PSD,
  which forces b = X_i^T r = 0 (the 2 x 2 minor is -b_j^2); the origin, where
  this fails, is a saddle.
"""
import sympy as sp

from losscert import compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Lemma 1', 'instance'),
          ('lsz:Theorem 1 (1)', 'spot'),
          ('lsz:Theorem 1 (2)', 'step'),
          ('lsz:Theorem 1 (3)', 'step'),
          ('iclr:Theorem 1', 'step'),
          ('iclr:Abstract (1)', 'step')]


def mat(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}_{j + 1}"))


lemma = Proof("Lemma 1: U_0 W = U W with p - r zero columns", source=source("lsz", "Lemma 1"))
for m, p, n, r in ((2, 3, 3, 2), (2, 4, 3, 1), (3, 4, 4, 2), (2, 5, 5, 3)):
    W1, Q, U1, U2 = mat("w", r, n), mat("q", p - r, r), mat("u", m, r), mat("v", m, p - r)
    W, U = W1.col_join(Q * W1), U1.row_join(U2)
    U0 = (U1 + U2 * Q).row_join(sp.zeros(m, p - r))
    lemma.identity(U0 * W, U * W, text=f"m, p, n, r = {m}, {p}, {n}, {r}: U_0 W = U W")

# -- condition 1: the path -------------------------------------------------------------------------
net = sparse_dense([(0, 1), (0, 1), (2,)], d_x=3, d_y=2)
X = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1], [1, 1, 0, 1]])
Y = sp.Matrix([[1, 2, 0, 1], [0, 1, 1, 3]])
loss = compile_loss(net, X.tolist(), Y.tolist())
names = {"W": ["x1 -> h1_1", "x2 -> h1_1", "x1 -> h1_2", "x2 -> h1_2", "x3 -> h1_3"],
         "U": ["h1_1 -> y1", "h1_2 -> y1", "h1_3 -> y1", "h1_1 -> y2", "h1_2 -> y2", "h1_3 -> y2"]}


def point(W, U):
    return dict(zip(names["W"] + names["U"], list(W) + list(U)))


def line(a, b):
    return [a, {k: b[k] - a[k] for k in a}]


W_start = [1, 1, 2, 2, 1]                            # rows (1, 1) and (2, 2): rank 1 = r < d_1 = 2
U_start = sp.Matrix([[1, 1, 0], [0, 1, 1]])
U_lemma = sp.Matrix([[1 + 2 * 1, 0, 0], [0 + 2 * 1, 0, 1]])   # Q = 2: U_0 = [u_1 + 2 u_2, 0, u_3]
W_full = [1, 1, 0, 1, 1]
F = sp.Matrix([[1, 1, 0], [0, 1, 0], [0, 0, 1]]) * X           # hidden outputs at W_full
U_star = Y * F.T * (F * F.T).inv()
theta0, theta1 = point(W_start, U_start), point(W_start, U_lemma)
theta2, theta3 = point(W_full, U_lemma), point(W_full, U_star)
path = Proof("Theorem 1 (1): a non-increasing path to a global minimum (p_i >= d_i)", source=source("lsz", "Theorem 1"))
path.non_increasing(loss, line(theta0, theta1), text="(a) U -> U_0 of Lemma 1 (W of rank 1): the loss is constant")
path.non_increasing(loss, line(theta1, theta2),
                    text="(b) the dependent row (2, 2) -> (0, 1): constant (U_0's column is 0)")
path.non_increasing(loss, line(theta2, theta3), text="(c) U_0 -> U* (least squares, convex in U): non-increasing")
path.non_increasing(loss, line(theta3, theta2), expect="refuted", text="control: (c) run backwards increases")
path.critical_point(loss, theta3, text="the end point is a critical point")
M_star = Y * X.T * (X * X.T).inv()                  # the least-squares map of the dense problem
L_star = sp.Rational(1, 2) * sum(v ** 2 for v in (M_star * X - Y))
path.loss_value(loss, theta3, L_star, text=f"the end point has loss {L_star}, the least-squares value")
syms = {s.param: s for s in loss.symbols()}
Wm = sp.Matrix([[syms[names["W"][0]], syms[names["W"][1]], 0], [syms[names["W"][2]], syms[names["W"][3]], 0],
                [0, 0, syms[names["W"][4]]]])
Um = sp.Matrix(2, 3, [syms[k] for k in names["U"]])
squares = [(sp.Rational(1, 2), v) for v in ((Um * Wm - M_star) * X)]
path.inequality(loss.expression(), L_star, certificate=squares,
                text="L(theta) >= L* for every theta (sum of squares; X (M* X - Y)^T = 0): the end is a global minimum")

# -- condition 2: orthogonal patterns separate -------------------------------------------------------
sep = Proof("Theorem 1 (2): Z_1 Z_2^T = 0 separates the loss", source=source("lsz", "Theorem 1"))
X2 = sp.Matrix([[1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 1, 2]])
Z1, Z2 = X2[:2, :], X2[2:, :]
sep.identity(Z1 * Z2.T, sp.zeros(2, 1), text="Z_1 Z_2^T = 0 for Z_1 = rows x1, x2 and Z_2 = row x3")
net2 = sparse_dense([(0, 1), (2,)], d_x=3, d_y=2)
loss2 = compile_loss(net2, X2.tolist(), Y.tolist())
s2 = {s.param: s for s in loss2.symbols()}
w1 = sp.Matrix([[s2["x1 -> h1_1"], s2["x2 -> h1_1"]]])
w2 = sp.Matrix([[s2["x3 -> h1_2"]]])
u1 = sp.Matrix([s2["h1_1 -> y1"], s2["h1_1 -> y2"]])
u2 = sp.Matrix([s2["h1_2 -> y1"], s2["h1_2 -> y2"]])
P1, P2 = Z1.T * (Z1 * Z1.T).inv() * Z1, Z2.T * (Z2 * Z2.T).inv() * Z2
half = sp.Rational(1, 2)
parts = half * sum(v ** 2 for v in (u1 * w1 * Z1 - Y * P1)) + half * sum(v ** 2 for v in (u2 * w2 * Z2 - Y * P2)) \
    + half * sum(v ** 2 for v in (Y * (sp.eye(4) - P1 - P2)))
sep.identity(loss2.expression(), parts, text="L = 1/2 ||u_1 w_1 Z_1 - Y P_1||^2 + 1/2 ||u_2 w_2 Z_2 - Y P_2||^2 + "
                                             "1/2 ||Y (I - P)||^2 (two dense problems plus a constant)")

# -- condition 3 / ICLR Theorem 1: scalar output ----------------------------------------------------------
scalar = Proof("Theorem 1 (3) / ICLR Theorem 1: scalar output",
               source=source("lsz", "Theorem 1 (3); also iclr2021-sparse-linear-landscape Theorem 1"))
a, b = sp.symbols("a b")
scalar.determinant(sp.Matrix([[a, b], [b, 0]]), -b ** 2,
                   text="a PSD block [[h, b], [b, 0]] has the minor -b^2 >= 0, so b = X_i^T r = 0 at a minimum "
                        "with a_i = 0")
net3 = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=1)
loss3 = compile_loss(net3, X.tolist(), [[1, 2, 0, 1]])
zero = {k: 0 for k in net3.parameters}
scalar.critical_point(loss3, zero, text="theta = 0 is critical (a_i = 0 and w_i = 0)")
scalar.saddle(loss3, zero, text="theta = 0 is a saddle (X_i^T Y != 0): not a spurious minimum")
PROOFS = [lemma, path, sep, scalar]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
scalar.covers = ['lsz:Theorem 1 (3)', 'iclr:Theorem 1', 'iclr:Abstract (1)']
