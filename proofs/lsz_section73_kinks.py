"""lin-sun-zhang, Section 7.3 (Table 3's activations): the constructed
valley point of Theorem 8 with piecewise-linear activations.

The network, data and target are Section 7.3's (Figure 2, right; X = I_3,
Y = [[1, 1, 0], [2, 8, 0], [0, 0, 2]], loss without the 1/2), the valley point
the one of proofs/lsz_theorem8_valley.py (w1..w8 = 1, 2, 6, 0, 1, 1, 1, 0). With
ReLU or leaky ReLU (slope 1/100, the common default; the paper does not
give it) the point is a kink: the pre-activation w8 of h2 on sample 3 is 0.
The kink analysis decides it piece by piece: a local minimum, not strict
(the rescaling of h1 keeps L), and spurious (the better point of
Theorem 8 has loss 9/16 < 4). With ELU the point is undecided: it is a
minimum only up to families of critical points (no strict second-order
condition holds on either piece), the piece on the side z > 0 has no
proven family (ELU is not positively homogeneous, so no rescaling is
proposed), and the piece alpha (e^z - 1) is known exactly only to second
order at the kink.
"""
from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 8', 'spot')]

Y = [[1, 1, 0], [2, 8, 0], [0, 0, 2]]
VALLEY = [1, 2, 6, 0, 1, 1, 1, 0]
BETTER = [1, 8, 0, 2, "1/4", 1, 0, 1]


def loss_for(act):
    net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"], "activation": act,
                              "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",
                                        "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})
    return net, compile_loss(net, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], Y, scale=1)


PROOFS = []
for act in ("relu", "leaky_relu(1/100)"):
    net, loss = loss_for(act)
    valley, better = dict(zip(net.parameters, VALLEY)), dict(zip(net.parameters, BETTER))
    proof = Proof(f"Section 7.3 with {act}: the valley point is a spurious local minimum at a kink",
                  source=source("lsz", "Theorem 8"))
    proof.loss_value(loss, valley, 4, text="the valley point has loss y4^2 = 4")
    proof.local_minimum(loss, valley, text="a local minimum: w8 = 0 is a kink of h2 on sample 3, decided on both "
                        "pieces")
    proof.strict_local_minimum(loss, valley, expect="refuted", text="not strict: rescaling h1 keeps L")
    proof.loss_value(loss, better, "9/16", text="the better point has loss 9/16")
    proof.spurious_local_minimum(loss, valley, better, text="hence a spurious local minimum")
    PROOFS.append(proof)

net, loss = loss_for("elu")
elu = Proof("Section 7.3 with ELU: the valley point", source=source("lsz", "Theorem 8"))
elu.loss_value(loss, dict(zip(net.parameters, VALLEY)), 4, text="the valley point has loss y4^2 = 4 (exact: "
               "elu(1) = 1 and elu(0) = 0)")
elu.local_minimum(loss, dict(zip(net.parameters, VALLEY)), expect="inconclusive",
                  text="a local minimum (the valley of Theorem 8)",
                  note="open: a minimum only up to families of critical points; no family is proven on the "
                       "linear piece (ELU has no rescaling symmetry) and the piece alpha (e^z - 1) is known exactly "
                       "only to second order at the kink")
PROOFS.append(elu)
