"""ICLR 2021 (sparse linear landscape), Theorem 7 on an instance: a deep net with a sparse first layer.

Network: h1 sees x1, x2, h2 sees x3, x4 (sparse first layer), then a dense
layer g1, g2 (width 2 >= min(d_1, d_y) = 2) and dense outputs y1, y2. Data
(samples in rows): X_1 = [(1, 1), (1, -1), 0, 0, 0], X_2 = [0, 0, e1, e2, 0]
(X_1^T X_2 = 0, X full column rank), Y = X_1 (1, 2)^T (1, 0) + X_2 (1, -1)^T (0, 1)
+ e5 (1, 1) (full column rank). Every block is exactly fittable, so the
global minimum is 1/2 ||(I - P_X) Y||^2 = 1.

- The point fitting both blocks is critical with loss 1, and a sum of squares
  shows L >= 1 everywhere: a global minimum.
- The sub-network point (block 2 switched off: w_2 = 0, its paths silent) is
  critical with loss 2 but a saddle: not a spurious minimum, as Theorem 7
  says (contrast Theorem 5, where d_y = 3 without the width condition).
"""
import sympy as sp

from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Theorem 7', 'spot')]

X = sp.Matrix([[1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
e5 = sp.Matrix([0, 0, 0, 0, 1])
Y = X[:, :2] * sp.Matrix([1, 2]) * sp.Matrix([[1, 0]]) + X[:, 2:] * sp.Matrix([1, -1]) * sp.Matrix([[0, 1]]) \
    + e5 * sp.Matrix([[1, 1]])
net = Network.from_table({"inputs": ["x1", "x2", "x3", "x4"], "outputs": ["y1", "y2"],
                          "edges": ["x1 -> h1", "x2 -> h1", "x3 -> h2", "x4 -> h2",
                                    "h1 -> g1", "h2 -> g1", "h1 -> g2", "h2 -> g2",
                                    "g1 -> y1", "g2 -> y1", "g1 -> y2", "g2 -> y2"]})
loss = compile_loss(net, X.T.tolist(), Y.T.tolist())
proof = Proof("Theorem 7: deep net with a sparse first layer and orthogonal data", source=source("iclr", "Theorem 7"))
proof.identity(X[:, :2].T * X[:, 2:], sp.zeros(2, 2), text="X_1^T X_2 = 0")
proof.rank(X, 4, text="X has full column rank")
proof.rank(Y, 2, text="Y has full column rank")
identity_layers = {"h1 -> g1": 1, "h2 -> g1": 0, "h1 -> g2": 0, "h2 -> g2": 1,
                   "g1 -> y1": 1, "g2 -> y1": 0, "g1 -> y2": 0, "g2 -> y2": 1}
best = {"x1 -> h1": 1, "x2 -> h1": 2, "x3 -> h2": 1, "x4 -> h2": -1, **identity_layers}
proof.critical_point(loss, best, text="both blocks fitted: a critical point")
proof.loss_value(loss, best, 1, text="its loss is 1/2 ||(I - P_X) Y||^2 = 1")
s = {v.param: v for v in loss.symbols()}
B = sp.Matrix([[s["x1 -> h1"], 0], [s["x2 -> h1"], 0], [0, s["x3 -> h2"]], [0, s["x4 -> h2"]]])
W2 = sp.Matrix([[s["h1 -> g1"], s["h2 -> g1"]], [s["h1 -> g2"], s["h2 -> g2"]]])
W3 = sp.Matrix([[s["g1 -> y1"], s["g2 -> y1"]], [s["g1 -> y2"], s["g2 -> y2"]]])
M_star = (X.T * X).inv() * X.T * Y                          # least squares: X^T (X M* - Y) = 0
squares = [(sp.Rational(1, 2), v) for v in (X * (B * W2.T * W3.T - M_star))]
proof.inequality(loss.expression(), 1, certificate=squares,
                 text="L(theta) >= 1 for every theta (sum of squares): a global minimum")
sub = {**best, "x3 -> h2": 0, "x4 -> h2": 0, "g2 -> y2": 0}
proof.critical_point(loss, sub, text="block 2 switched off (w_2 = 0, g2 -> y2 = 0): a critical point")
proof.loss_value(loss, sub, 2, text="its loss is 2 > 1")
proof.saddle(loss, sub, text="it is a saddle, not a spurious local minimum")
PROOFS = [proof]
