"""lin-sun-zhang, Theorem 4 (SAME mode, p1 = 1): a spurious valley.

L(U, w) = 1/2 || U f_S(w) I_2 - diag(1, 4) ||^2 with f_S(w) = [[w1, w2], [0, w1]].
The set T0 = {w1 = u1 = 0, w2 = a, u3 = 4/a} sits at loss 1/2 while the
global minimum is 0. The kernel confirms the loss values and criticality,
and that T0's points with u2 = u4 = 0 (a = 1, 2) are local minima that are
not strict (points of T0 with 2 a u2 + a^2 u4^2 < -15 are saddles: the
(u1, w1) Hessian block has determinant 15 + 2 a u2 + a^2 u4^2): the set
{w1 = u1 = 0, w2 = s, u3 = 4/s, u2 = p, u4 = q} is a 3-dimensional family of
critical points (the rescaling of the convolution channel, w -> c w,
U -> U / c, composed with the free outgoing weights u2, u4 of the hidden node
fed only by w1, which is silent), proven by an exact polynomial identity in
(p, q, c, 1/c); its tangent space is the 3-dimensional Hessian kernel, so the
Morse-Bott lemma gives a local minimum. The paper's inequality argument is
not needed (and not checked). The valley itself does not exist: Property P
holds from every theta (proofs/lsz_theorem4_same_landscape.py).
"""
from losscert import compile_loss, conv1d
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 4 SAME', 'spot')]

net = conv1d(2, 2, "SAME", channels=1, d_y=2)       # hidden c1_1 = w1 x1 + w2 x2, c1_2 = w1 x2
loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]])
PROOF = Proof("Theorem 4 (SAME, p_1 = 1): the points of T0 are spurious (non-strict) local minima",
              source=source("lsz", "Theorem 4 (proof, SAME mode)"))
for a in (1, 2):
    t0 = {"k1_1": 0, "k1_2": a, "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": f"4/{a}", "c1_2 -> y2": 0}
    PROOF.loss_value(loss, t0, "1/2", text=f"a = {a}: the point of T0 has loss 1/2")
    PROOF.critical_point(loss, t0, text=f"a = {a}: it is a critical point")
    PROOF.strict_local_minimum(loss, t0, expect="refuted", text=f"a = {a}: it is a strict local minimum")
    PROOF.local_minimum(loss, t0, text=f"a = {a}: it is a local minimum",
                        note="Morse-Bott on the proven 3-dimensional critical family "
                             "{w1 = u1 = 0, w2 = s, u3 = 4/s, u2 = p, u4 = q} (tangent space = ker H)")
    best = {"k1_1": 1, "k1_2": 0, "c1_1 -> y1": 1, "c1_2 -> y1": 0, "c1_1 -> y2": 0, "c1_2 -> y2": 4}
    PROOF.not_global(loss, t0, best, text=f"a = {a}: a point of loss 0 exists (w = e1, U = diag(1, 4))")
    PROOF.spurious_local_minimum(loss, t0, best, text=f"a = {a}: the point of T0 is a spurious local minimum")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Theorem 4 SAME']
