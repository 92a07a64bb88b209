"""No linear network with a hidden neuron has a strict local minimum.

For a hidden neuron h of a linear network (any sparsity, any depth), scaling
its incoming weights by c and its outgoing weights by 1/c leaves every output,
hence the loss, unchanged: through any point where h has a non-zero incoming
or outgoing weight this is a curve of constant loss. Where both are zero
(e.g. theta = 0) the output does not depend on h's incoming weights at all,
which then move freely. Either way every neighbourhood holds other points of
equal loss: no point is a strict local minimum.

Checked as identities in symbolic weights and symbolic data for every
two-layer size d_x, p, d_y <= 3 with n = 2 samples (a sparse network is the
dense one with some weights set to 0, so these cover every sparsity pattern
of those sizes) and for three-layer networks of widths <= 2; and by the
kernel at points of compiled networks.

So lin-sun-zhang's "spurious strict minima" of sparse linear networks
(abstract, Table 1, Theorem 2) cannot be strict in the sense of points
(their Definition 2); the example of Theorem 2 is a spurious local minimum
(verified in lsz_theorem2.py). Theorem 1 and Theorem 3 ("no spurious strict
minima") hold trivially for the same reason; their papers' content is the
non-increasing path (Property P), checked on instances in lsz_theorem1_paths.py.
"""
import itertools

import sympy as sp

from losscert import compile_loss, dense, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Abstract', 'instance'),
          ('lsz:Table 1', 'step'),
          ('lsz:Theorem 2', 'instance')]

PROOF = Proof("No linear network with a hidden neuron has a strict local minimum",
              source=source("lsz", "Theorem 2, abstract and Table 1 (spurious strict minima)"))
c = sp.Symbol("c", nonzero=True)


def mat(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}"))


def sq(M):
    return sum(v ** 2 for v in M)


for dx, p, dy in itertools.product((1, 2, 3), repeat=3):
    W, U, X, Y = mat("w", p, dx), mat("u", dy, p), mat("x", dx, 2), mat("y", dy, 2)
    Wc, Uc = W.copy(), U.copy()
    Wc[0, :] = c * W[0, :]                          # neuron 1: incoming * c, outgoing / c
    Uc[:, 0] = U[:, 0] / c
    note = ("paper: lin-sun-zhang abstract, Table 1 and Theorem 2: sparse linear networks 'can have spurious "
            "strict minima' (no point of any linear network with a hidden neuron is a strict minimum)"
            if (dx, p, dy) == (3, 3, 3) else "")
    PROOF.identity(sq(Uc * Wc * X - Y), sq(U * W * X - Y), note=note,
                   text=f"d_x, p, d_y = {dx}, {p}, {dy}: L(c w_h, u_h / c) = L(w, u) for all weights and data")
W0 = mat("w", 2, 2)
W0[0, :] = sp.zeros(1, 2)
U, X, Y = mat("u", 2, 2), mat("x", 2, 2), mat("y", 2, 2)
U_free = U.copy()
U_free[:, 0] = sp.Matrix(sp.symbols("t1:3"))
PROOF.identity(sq(U_free * W0 * X - Y), sq(U * W0 * X - Y),
               text="incoming weights of h all 0: the loss does not depend on h's outgoing weights")
U0 = U.copy()
U0[:, 0] = sp.zeros(2, 1)
W_free = mat("w", 2, 2)
W_free[0, :] = sp.Matrix([sp.symbols("s1:3")])
PROOF.identity(sq(U0 * W_free * X - Y), sq(U0 * mat("w", 2, 2) * X - Y),
               text="outgoing weights of h all 0 (e.g. theta = 0): h's incoming weights move freely")
V1, V2, V3, X3, Y3 = mat("a", 2, 2), mat("b", 2, 2), mat("e", 1, 2), mat("x", 2, 2), mat("y", 1, 2)
V2c, V3c = V2.copy(), V3.copy()
V2c[1, :] = c * V2[1, :]                            # a second-layer neuron of a deep net
V3c[:, 1] = V3[:, 1] / c
PROOF.identity(sq(V3c * V2c * V1 * X3 - Y3), sq(V3 * V2 * V1 * X3 - Y3),
               text="three layers (widths 2, 2, 2, 1): rescaling a second-layer neuron keeps the loss")

# the kernel, at points of compiled networks
lin = compile_loss(dense([2, 2, 2]), [[1, 0, 1], [0, 1, 1]], [[1, 2, 0], [0, 1, 1]])
PROOF.strict_local_minimum(lin, {k: 0 for k in lin.network.parameters}, expect="refuted",
                           text="dense 2-2-2 linear net: theta = 0 is not a strict local minimum")
net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=2)    # h1 sees x1, x2; h2 sees x2, x3
pt = dict(zip(net.parameters, [1, 2, -1, 1, 1, 0, 2, 1]))  # h1 = x1 + 2 x2, h2 = x3 - x2; y1 = h1, y2 = 2 h1 + h2
sd = compile_loss(net, [[1, 0, 1], [0, 1, 1], [1, 1, 0]], [[1, 2, 3], [3, 4, 5]])
PROOF.loss_value(sd, pt, 0, text="sparse-dense net fitting its data exactly: L = 0 (a global minimum)")
PROOF.strict_local_minimum(sd, pt, expect="refuted", text="this global minimum is not strict")

# the corrected reading of lin-sun-zhang Theorem 2: a spurious minimum that is not strict (its own data)
r = lambda q: sp.sqrt(sp.Rational(q))  # noqa: E731
Z1 = sp.Matrix([[r("0.9"), 0, r("0.1"), 0], [0, r("0.8"), 0, r("0.2")]])
Z2 = sp.Matrix([[r("0.1"), 0, r("0.9"), 0], [0, r("0.2"), 0, r("0.8")]])
A1 = sp.Matrix([[sp.Rational(7, 8), sp.Rational(7, 9)], [sp.Rational(3, 4), sp.Rational(5, 3)]])
A2 = sp.Matrix([[sp.Rational(15, 8), sp.Rational(16, 9)], [sp.Rational(7, 4), sp.Rational(11, 3)]])
thm2 = compile_loss(sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2), Z1.col_join(Z2), A1 * Z1 + A2 * Z2)
theta = {"x1 -> h1_1": 1, "x2 -> h1_1": 1, "x3 -> h1_2": 1, "x4 -> h1_2": 2,
         "h1_1 -> y1": 1, "h1_1 -> y2": 1, "h1_2 -> y1": 1, "h1_2 -> y2": 2}
lower = {"h1_1 -> y1": "0.25", "h1_1 -> y2": 1, "x1 -> h1_1": "0.65", "x2 -> h1_1": "2.2",
         "h1_2 -> y1": "0.8", "h1_2 -> y2": 1, "x3 -> h1_2": "2.2", "x4 -> h1_2": "2.9"}
PROOF.spurious_local_minimum(thm2, theta, lower,
                             text="corrected: sparse linear networks have spurious (non-strict) local minima "
                                  "(lin-sun-zhang Theorem 2's point)")
PROOFS = [PROOF]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Abstract', 'lsz:Table 1', 'lsz:Theorem 2']
