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


# -- the smooth activations of Table 3 (issue 20): tanh and the shifted sigmoid ---------------------------
# Their valley points cannot be rational: w1 sigma(w5) = 1 needs w1 = 1/sigma(1), which lies in
# Q(e) (tanh(1) = (e^2 - 1)/(e^2 + 1)). Every pre-activation there (w5..w8) is rational, so every value is
# exact in Q(e^(1/q)) (the exponential field): the loss, the gradient and the Hessian are decided exactly.
# Open: whether the valley point is a local minimum. Its Hessian kernel (dimension 2) is the tangent of
# curves of critical points such as w1 = 1/sigma(w5), which move a tanh pre-activation: no family proven
# exactly (the families are affine in the moved pre-activations), and the effective function vanishes to
# the order computed.
import sympy as _sp  # noqa: E402


def _sigma(act, r):
    """sigma(r) written with exp(...) (exact text for a claim file)."""
    r = _sp.Rational(r)
    if act == "tanh":
        return (_sp.exp(2 * r) - 1) / (_sp.exp(2 * r) + 1)
    return 1 / (1 + _sp.exp(-r)) - _sp.Rational(1, 2)


for act in ("tanh", "shifted_sigmoid"):
    net, loss = loss_for(act)
    s1, s4 = _sigma(act, 1), _sigma(act, "1/4")
    valley = dict(zip(net.parameters, [1 / s1, 2 / s1, 6 / s1, 0, 1, 1, 1, 0]))
    # a better point: h2 fits o3 (w3 = w7 = 0, w8 = 1, w4 = 2 / sigma(1)), h1 = (sigma(1/4), sigma(1))
    # and (w1, w2) the least-squares fit of rows (1, 1) and (2, 8)
    n2 = s4 ** 2 + s1 ** 2
    better = dict(zip(net.parameters, [(s4 + s1) / n2, (2 * s4 + 8 * s1) / n2, 0, 2 / s1, "1/4", 1, 0, 1]))
    smooth = Proof(f"Section 7.3 with {act}: the valley point, exactly in Q(e^(1/q))",
                   source=source("lsz", "Theorem 8"))
    smooth.loss_value(loss, valley, 4, text="the valley point (w1 = 1/sigma(1), w2 = 2/sigma(1), w3 = 6/sigma(1), "
                      "w4 = w8 = 0, w5 = w6 = w7 = 1) has loss y4^2 = 4, exactly")
    smooth.critical_point(loss, valley, text="it is a critical point (exact gradient in Q(e))")
    smooth.hessian_psd(loss, valley, text="its Hessian is positive semidefinite (exact, rank 6 of 8)")
    if act == "tanh":          # the same holds for the shifted sigmoid (its check takes 10 s: not repeated here)
        smooth.local_minimum(loss, valley, expect="inconclusive", text="a local minimum (the valley of Theorem 8)",
                             note="open: ker H (dimension 2) is tangent to curves of critical points that move a "
                                  f"{act} pre-activation (w1 = 1/sigma(w5)); no such family is proven exactly")
    smooth.not_global(loss, valley, better, text="not a global minimum: a point with w5 = 1/4 has a smaller loss "
                      "(exact comparison in Q(e^(1/4)))")
    PROOFS.append(smooth)
