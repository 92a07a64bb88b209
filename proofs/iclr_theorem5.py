"""ICLR 2021 (sparse linear landscape), Theorem 5: a spurious local minimum
that is the global minimum of a sub-network (d_y = 3).

X = I_3, Y = [[1, 2, 0], [2, 10, 0], [0, 0, 4]] and w = (1, 2, 2, 0, 1, 2, 3, 0)
(reconstructed from the paper's expansion of 2 L(w + delta); the OCR text is
garbled). The paper: loss 8, a local minimum, and a better point with loss
0.18. All confirmed; the minimum is not strict (rescaling orbits).
"""
from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Theorem 5', 'full'), ('iclr:Abstract (2)', 'instance')]

net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"],
                          "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",      # w1..w4
                                    "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})    # w5..w8
loss = compile_loss(net, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 2, 0], [2, 10, 0], [0, 0, 4]])
w = dict(zip(net.parameters, [1, 2, 2, 0, 1, 2, 3, 0]))
better = dict(zip(net.parameters, ["sqrt(10)/5", "sqrt(10)", 0, 2, "sqrt(10)/5", "sqrt(10)", 0, 2]))

PROOF = Proof("Theorem 5: spurious local minimum from a sub-network, d_y = 3",
              source=source("iclr", "Theorem 5"))
PROOF.critical_point(loss, w, text="grad L(w) = 0")
PROOF.loss_value(loss, w, 8, text="L(w) = 8")
PROOF.local_minimum(loss, w, text="w is a local minimum")
PROOF.strict_local_minimum(loss, w, expect="refuted", text="w is a strict local minimum (not claimed)")
PROOF.loss_value(loss, better, "0.18", text="the better point has loss 0.18")
PROOF.spurious_local_minimum(loss, w, better, text="w is a spurious local minimum")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['iclr:Theorem 5', 'iclr:Abstract (2)']
