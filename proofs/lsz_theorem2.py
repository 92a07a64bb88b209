"""lin-sun-zhang, Theorem 2: a spurious minimum of a sparse-dense linear net.

The paper takes the net of Figure 2 (left), data Z1, Z2 with radicals, and
the point u1 = w1 = (1, 1), u2 = w2 = (1, 2); it claims a *strict* spurious
local minimum. The kernel confirms a spurious local minimum but refutes
strictness: the rescaling orbits (w_i c, u_i / c) are constant-loss curves
through the point, and they span the Hessian kernel (Morse-Bott).
"""
import sympy as sp

from losscert import compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 2', 'instance')]

r = lambda q: sp.sqrt(sp.Rational(q))  # noqa: E731
Z1 = sp.Matrix([[r("0.9"), 0, r("0.1"), 0], [0, r("0.8"), 0, r("0.2")]])
Z2 = sp.Matrix([[r("0.1"), 0, r("0.9"), 0], [0, r("0.2"), 0, r("0.8")]])
A1 = sp.Matrix([[sp.Rational(7, 8), sp.Rational(7, 9)], [sp.Rational(3, 4), sp.Rational(5, 3)]])
A2 = sp.Matrix([[sp.Rational(15, 8), sp.Rational(16, 9)], [sp.Rational(7, 4), sp.Rational(11, 3)]])
X = Z1.col_join(Z2)

net = sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2)            # h1 sees Z1's rows, h2 sees Z2's
point = {"x1 -> h1_1": 1, "x2 -> h1_1": 1, "x3 -> h1_2": 1, "x4 -> h1_2": 2,
         "h1_1 -> y1": 1, "h1_1 -> y2": 1, "h1_2 -> y1": 1, "h1_2 -> y2": 2}
witness = {"h1_1 -> y1": "0.25", "h1_1 -> y2": 1, "x1 -> h1_1": "0.65", "x2 -> h1_1": "2.2",
           "h1_2 -> y1": "0.8", "h1_2 -> y2": 1, "x3 -> h1_2": "2.2", "x4 -> h1_2": "2.9"}

loss = compile_loss(net, X, A1 * Z1 + A2 * Z2)     # the reading consistent with the paper's numbers
printed = compile_loss(net, X, A1 * Z1 + A1 * Z2)  # Y as printed

PROOF = Proof("Theorem 2: spurious minimum of a sparse-dense linear network",
              source=source("lsz", "Theorem 2"))
PROOF.loss_value(loss, point, "221/360", text="L(theta) = 221/360")
PROOF.critical_point(loss, point, text="corrected (Y = A1 Z1 + A2 Z2): 1) the gradient is zero")
PROOF.hessian_psd(loss, point, text="2) the Hessian (Eq. (4)) is positive semidefinite")
PROOF.local_minimum(loss, point, text="3) theta is a local minimum")
PROOF.strict_local_minimum(loss, point, expect="refuted", text="3) theta is a strict local minimum",
                           note="paper: a strict local minimizer (its Case 2 tests straight lines only)")
PROOF.loss_value(loss, witness, "1647337/2880000", text="4) L(theta') = 1647337/2880000 (< 0.572)")
PROOF.spurious_local_minimum(loss, point, witness,
                             text="corrected: theta is a spurious (non-strict) local minimum")
PROOF.critical_point(printed, point, expect="refuted", text="with Y = A1 Z1 + A1 Z2 as printed, theta is critical",
                     note="typo: Y = A1 Z1 + A1 Z2 (as printed); only A1 Z1 + A2 Z2 fits its numbers")
