"""lin-sun-zhang, Theorem 2: the printed data, matrices and numbers of the proof.

- the data: Z_1 Z_1^T = Z_2 Z_2^T = I_2 and Z_1 Z_2^T = diag(0.6, 0.8) as printed;
  Y = A1 Z1 + A1 Z2 as printed is a typo for A1 Z1 + A2 Z2 (the point is critical
  only for the latter);
- 1) the residual products (R Z_1^T, R Z_2^T) of the printed gradient step;
- 2) the printed Hessian (4) is the Hessian of L at theta (SymPy's second
  derivatives of L, compared exactly), it has rank 6, H v_1 = H v_2 = 0 for the
  printed kernel vectors, and each printed non-zero eigenvalue e (4 decimals)
  has a root of det(H - lambda I) within 5e-5: the determinants at e -+ 5e-5
  (computed by the kernel) have opposite signs;
- 4) L(theta') < 0.572 < 0.613 < 221/360 = L(theta);
- Case 2: the printed expansion of 2 f(delta) along theta + delta v (v in Ker H)
  holds for straight lines, but along the curve (u_1 (1 + t), w_1 / (1 + t)) the
  loss is constant, so the argument does not give a strict minimum.
"""
import sympy as sp

from losscert import compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 2 (data)', 'full'),
          ('lsz:Theorem 2 (printed numbers)', 'full'),
          ('lsz:Theorem 2 (Case 2)', 'step')]

r = lambda q: sp.sqrt(sp.Rational(q))  # noqa: E731
Q = sp.Rational
Z1 = sp.Matrix([[r("0.9"), 0, r("0.1"), 0], [0, r("0.8"), 0, r("0.2")]])
Z2 = sp.Matrix([[r("0.1"), 0, r("0.9"), 0], [0, r("0.2"), 0, r("0.8")]])
A1 = sp.Matrix([[Q(7, 8), Q(7, 9)], [Q(3, 4), Q(5, 3)]])
A2 = sp.Matrix([[Q(15, 8), Q(16, 9)], [Q(7, 4), Q(11, 3)]])
Y = A1 * Z1 + A2 * Z2
u1, w1, u2, w2 = (sp.Matrix(sp.symbols(f"{p}1:3")) for p in ("u", "w", "p", "q"))
theta = [*u1, *w1, *u2, *w2]                                   # the paper's order (u_1, w_1, u_2, w_2)
at = dict(zip(theta, [1, 1, 1, 1, 1, 2, 1, 2]))
R = u1 * w1.T * Z1 + u2 * w2.T * Z2 - Y
L = sum(v ** 2 for v in R) / 2

data = Proof("Theorem 2: the printed data", source=source("lsz", "Theorem 2 (data)"))
data.identity(Z1 * Z1.T, sp.eye(2), text="Z_1 Z_1^T = I_2")
data.identity(Z2 * Z2.T, sp.eye(2), text="Z_2 Z_2^T = I_2")
data.identity(Z1 * Z2.T, sp.diag(Q(3, 5), Q(4, 5)), text="Z_1 Z_2^T = diag(0.6, 0.8)")
net = sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2)
point = {"x1 -> h1_1": 1, "x2 -> h1_1": 1, "x3 -> h1_2": 1, "x4 -> h1_2": 2,
         "h1_1 -> y1": 1, "h1_1 -> y2": 1, "h1_2 -> y1": 1, "h1_2 -> y2": 2}
X = Z1.col_join(Z2)
data.critical_point(compile_loss(net, X, A1 * Z1 + A1 * Z2), point, expect="refuted",
                    text="Y = A1 Z1 + A1 Z2 as printed: theta is critical",
                    note="typo: Y = A1 Z1 + A1 Z2 is printed; A2 is defined and never used")
data.critical_point(compile_loss(net, X, Y), point, text="corrected (Y = A1 Z1 + A2 Z2): theta is critical")

nums = Proof("Theorem 2: the printed matrices and numbers", source=source("lsz", "Theorem 2 (printed numbers)"))
nums.identity((R * Z1.T).subs(at), sp.Matrix([[Q(-2, 5), Q(2, 5)], [Q(2, 5), Q(-2, 5)]]),
              text="1) R Z_1^T = [-0.4 0.4; 0.4 -0.4] at theta")
nums.identity((R * Z2.T).subs(at), sp.Matrix([[Q(-4, 5), Q(2, 5)], [Q(2, 5), Q(-1, 5)]]),
              text="1) R Z_2^T = [-0.8 0.4; 0.4 -0.2] at theta")
H4 = sp.Matrix([[2, 0, "0.6", "1.4", "2.2", 0, "0.6", "0.8"], [0, 2, "1.4", "0.6", 0, "2.2", "1.2", "1.6"],
                ["0.6", "1.4", 2, 0, "0.6", "0.6", "1.8", 0], ["1.4", "0.6", 0, 2, "1.6", "1.6", 0, "2.4"],
                ["2.2", 0, "0.6", "1.6", 5, 0, "0.2", "2.4"], [0, "2.2", "0.6", "1.6", 0, 5, "2.4", "3.8"],
                ["0.6", "1.2", "1.8", 0, "0.2", "2.4", 5, 0], ["0.8", "1.6", 0, "2.4", "2.4", "3.8", 0, 5]]
               ).applyfunc(lambda v: sp.Rational(str(v)))
nums.identity(H4, sp.hessian(L, theta).subs(at), text="2) the printed matrix (4) is the Hessian of L at theta")
nums.rank(H4, 6, text="2) (4) has rank 6: the eigenvalue 0 has multiplicity 2")
v1, v2 = sp.Matrix([*u1, *(-w1), 0, 0, 0, 0]).subs(at), sp.Matrix([0, 0, 0, 0, *u2, *(-w2)]).subs(at)
nums.identity(H4 * v1, sp.zeros(8, 1), text="3) H v_1 = 0 for v_1 = (u_1, -w_1, 0, 0)")
nums.identity(H4 * v2, sp.zeros(8, 1), text="3) H v_2 = 0 for v_2 = (0, 0, u_2, -w_2)")
half = Q(1, 20000)
for e in ("0.0997", "1.2886", "1.8647", "5.2568", "7.1369", "12.3533"):
    lo, hi = sp.Rational(e) - half, sp.Rational(e) + half
    d_lo, d_hi = (H4 - lo * sp.eye(8)).det(), (H4 - hi * sp.eye(8)).det()
    nums.determinant(H4 - lo * sp.eye(8), d_lo, text=f"det(H - {lo} I) = {d_lo}")
    nums.determinant(H4 - hi * sp.eye(8), d_hi, text=f"det(H - {hi} I) = {d_hi}")
    nums.inequality(0, d_lo * d_hi, strict=True,
                    text=f"2) the printed eigenvalue {e}: a sign change of det(H - lambda I) within 5e-5")
nums.inequality(Q("0.572"), Q(1647337, 2880000), strict=True, text="4) L(theta') = 1647337/2880000 < 0.572")
nums.inequality(Q(221, 360), Q("0.613"), strict=True, text="4) 0.613 < 221/360 = L(theta)")

case2 = Proof("Theorem 2, Case 2: straight lines in Ker H, and a curve", source=source("lsz", "Theorem 2 (Case 2)"))
d1, d2, t = sp.symbols("delta1 delta2 t")
moved = {**{s: s * (1 + d1) for s in u1}, **{s: s * (1 - d1) for s in w1},
         **{s: s * (1 + d2) for s in u2}, **{s: s * (1 - d2) for s in w2}}
M = (u1 * w1.T * Z1 + u2 * w2.T * Z2).subs(at)
P = d1 ** 2 * (u1 * w1.T * Z1).subs(at) + d2 ** 2 * (u2 * w2.T * Z2).subs(at)
case2.identity(2 * L.subs(moved, simultaneous=True).subs(at),
               sum(v ** 2 for v in (M - Y)) + sum(v ** 2 for v in P),
               text="the printed expansion: 2 f(delta) = ||M - Y||^2 + ||sum delta_i^2 u_i w_i^T Z_i||^2 along "
                    "theta + delta_1 v_1 + delta_2 v_2 (the cross term vanishes by (3))")
curve = {**{s: s * (1 + t) for s in u1}, **{s: s / (1 + t) for s in w1}}
case2.identity(L.subs(curve, simultaneous=True).subs(at), L.subs(at),
               text="along the curve (u_1 (1 + t), w_1 / (1 + t)), tangent to v_1, the loss is constant",
               note="gap: Case 2 tests straight lines only; a strict minimum needs every nearby point")
PROOFS = [data, nums, case2]
