"""Identities inside the proofs of lin-sun-zhang and the ICLR paper.

- lin-sun-zhang Theorem 1 (2): with Z_i Z_j^T = 0 (i != j),
  ||sum U_i W_i Z_i - Y||^2 = sum ||U_i W_i Z_i - Y||^2 - (s - 1) ||Y||^2
  (symbolic weights and targets; s = 2 and s = 3, orthogonal data blocks).
- lin-sun-zhang Remark 2: s (d/s)^t = d^t / s^(t-1) (symbolic d, s; t = 2..6).
- lin-sun-zhang Theorem 4 (SAME): the inverse series of I + a_1 J + ... for the
  nilpotent Jordan block J, as a product equal to I (d_1 = 3 and 4, symbolic a).
- ICLR Section 3: with M_i = Z_i - w_i a_i^T the two-block objective
  1/2 ||M_1||^2 + 1/2 ||M_2||^2 + tr(M_1^T D M_2) equals 1/2 ||M_1 + D M_2||^2 plus
  terms without (w_1, a_1), so the update of (w_1, a_1) is the best rank-1
  approximation of Z_1 + D (Z_2 - w_2 a_2^T) (symbolic 2 x 2 blocks, diagonal D).
- ICLR Theorem 4's proof: (I - P_W1)(I - P_W2) = I - P_(W1, W2) when W1^T W2 = 0
  (and not without it).
"""
import sympy as sp

from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 1 (2) identity', 'instance'),
          ('lsz:Remark 2 (width)', 'instance'),
          ('lsz:Theorem 4 SAME (inverse)', 'instance'),
          ('iclr:Theorem 4 (projection identity)', 'instance'),
          ('iclr:Section 3 (rank-1 updates)', 'instance')]


def sym(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}"))


def sq(M):
    return sum(v ** 2 for v in M)


sep = Proof("lin-sun-zhang Theorem 1 (2): the loss separates", source=source("lsz", "Theorem 1 (2) identity"))
blocks = {2: [sp.Matrix([[1, 1, 0, 0], [1, -1, 0, 0]]), sp.Matrix([[0, 0, 1, 2]])],
          3: [sp.Matrix([[1, 1, 0, 0]]), sp.Matrix([[1, -1, 0, 0]]), sp.Matrix([[0, 0, 2, -1]])]}
for s, Zs in blocks.items():
    for i in range(s):
        for j in range(i + 1, s):
            sep.identity(Zs[i] * Zs[j].T, sp.zeros(Zs[i].rows, Zs[j].rows), text=f"s = {s}: Z_{i + 1} Z_{j + 1}^T = 0")
    Y = sym("y", 2, 4)
    parts = [sym(f"u{i + 1}_", 2, 1) * sym(f"w{i + 1}_", 1, Z.rows) * Z for i, Z in enumerate(Zs)]
    sep.identity(sq(sum(parts, sp.zeros(2, 4)) - Y), sum(sq(P - Y) for P in parts) - (s - 1) * sq(Y),
                 text=f"s = {s}: ||sum U_i W_i Z_i - Y||^2 = sum ||U_i W_i Z_i - Y||^2 - (s - 1) ||Y||^2 "
                      "(symbolic U_i, W_i, Y)")

width = Proof("lin-sun-zhang Remark 2: the width for non-overlapping filters", source=source("lsz", "Remark 2 (width)"))
d, s_ = sp.symbols("d s", positive=True)
for t in range(2, 7):
    width.identity(s_ * (d / s_) ** t, d ** t / s_ ** (t - 1), text=f"t = {t}: s (d/s)^t = d^t / s^(t-1)")

inverse = Proof("lin-sun-zhang Theorem 4 (SAME): the inverse series", source=source("lsz", "Theorem 4 SAME (inverse)"))
a1, a2, a3 = sp.symbols("a1:4")
for size, (A, B) in {3: (a1, a2), 4: (a1, a2)}.items():
    J = sp.Matrix(size, size, lambda i, j: 1 if j == i + 1 else 0)
    I = sp.eye(size)
    if size == 3:
        M, Minv = I + a1 * J + a2 * J ** 2, I - a1 * J + (a1 ** 2 - a2) * J ** 2
    else:
        M = I + a1 * J + a2 * J ** 2 + a3 * J ** 3
        Minv = I - a1 * J + (a1 ** 2 - a2) * J ** 2 + (-a1 ** 3 + 2 * a1 * a2 - a3) * J ** 3
    inverse.identity(M * Minv, I, text=f"d_1 = {size}: (I + a_1 J + ...)(I - a_1 J + (a_1^2 - a_2) J^2 + ...) = I")

proj = Proof("ICLR Theorem 4's proof: products of projections",
             source=source("iclr", "Theorem 4 (projection identity)"))


def P(W):
    return W * (W.T * W).inv() * W.T


W1 = sp.Matrix([1, 1, 0, 1])
W2 = sp.Matrix([[1, 0], [-1, 1], [2, 0], [0, -1]])
I4 = sp.eye(4)
proj.identity(W1.T * W2, sp.zeros(1, 2), text="W1^T W2 = 0")
proj.identity((I4 - P(W1)) * (I4 - P(W2)), I4 - P(W1.row_join(W2)), text="(I - P_W1)(I - P_W2) = I - P_(W1, W2)")
W3 = sp.Matrix([1, 0, 0, 0])
proj.identity((I4 - P(W3)) * (I4 - P(W2)), I4 - P(W3.row_join(W2)), expect="refuted",
              text="control: W3^T W2 != 0 and the identity fails")
upd = Proof("ICLR Section 3: the alternating rank-1 updates", source=source("iclr", "Section 3 (rank-1 updates)"))
M1, M2 = sym("m", 2, 2), sym("n", 2, 2)
Dg = sp.diag(*sp.symbols("D1:3"))
upd.identity(sq(M1) / 2 + sq(M2) / 2 + (M1.T * Dg * M2).trace(),
             sq(M1 + Dg * M2) / 2 + sq(M2) / 2 - sq(Dg * M2) / 2,
             text="1/2 ||M_1||^2 + 1/2 ||M_2||^2 + tr(M_1^T D M_2) = 1/2 ||M_1 + D M_2||^2 + (terms in M_2 only)")
PROOFS = [sep, width, inverse, proj, upd]
