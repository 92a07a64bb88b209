"""lin-sun-zhang, Theorem 8 and Section 7.3: a spurious valley of a
sparse-sparse network.

Figure 2 (right): X = I_3, hidden h1 sees x1, x2 (w5, w6), h2 sees x2, x3
(w7, w8); h1 feeds o1, o2 (w1, w2), h2 feeds o2, o3 (w3, w4); loss without
the 1/2 (scale 1). Y = [[y1, y1, 0], [y2, y2 + y3, 0], [0, 0, y4]].

Section 7.3's target Y = [[1, 1, 0], [2, 8, 0], [0, 0, 2]] has y1 = 1, y2 = 2,
y3 = 6, y4 = 2 and does NOT meet the stated condition y3 > 4 y4 > 4 y1 > 0.
The argument only uses (i) y3 > y4, so that |(w3 + d3) sigma(w7 + d7)|, which
equals y3 on the valley, stays above y4 nearby, and (ii) y1 < y4 for the better
point; both hold. With the linear activation (sigma(0) = 0, sigma(R) != {0})
the kernel certifies the valley point as a local minimum at loss y4^2 and
the better point at y1^2 (y3 / (y2 + y3))^2. That the whole connected
component of the sublevel set stays at y4^2 (the valley) is the paper's
argument and is not certified here.
"""
from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Theorem 8', 'spot'),
          ('lsz:Table 1', 'spot'),
          ('lsz:Section 7.3', 'full')]

y1, y2, y3, y4 = 1, 2, 6, 2
net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"], "activation": "linear",
                          "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",      # w1..w4
                                    "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})    # w5..w8
loss = compile_loss(net, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[y1, y1, 0], [y2, y2 + y3, 0], [0, 0, y4]], scale=1)
a = b = 1
valley = dict(zip(net.parameters, [y1 * a, y2 * a, y3 * b, 0, f"1/{a}", f"1/{a}", f"1/{b}", 0]))
better = dict(zip(net.parameters, [y1 * a, (y2 + y3) * a, 0, y4 * a, f"{y2}/({y2 + y3}*{a})", f"1/{a}", 0, f"1/{a}"]))

PROOF = Proof("Theorem 8: a spurious valley of a sparse-sparse network (Section 7.3 target)",
              source=source("lsz", "Theorem 8"))
PROOF.inequality(y3, 4 * y4, strict=True, expect="refuted", text="Section 7.3's Y meets y3 > 4 y4",
                 note="paper: Section 7.3's Y satisfies the construction; it violates y3 > 4 y4 (6 < 8)")
PROOF.inequality(y3, y4, strict=True, text="corrected condition (what the argument needs): y3 > y4")
PROOF.inequality(y4, y1, strict=True, text="corrected condition: y4 > y1")
PROOF.inequality(y1, 0, strict=True, text="corrected condition: y1 > 0")
PROOF.loss_value(loss, valley, y4 ** 2, text="the valley point has loss y4^2 = 4")
PROOF.local_minimum(loss, valley, text="the valley point (w4 = 0) is a local minimum")
PROOF.loss_value(loss, better, "9/16", text="the better point has loss y1^2 (y3/(y2+y3))^2 = 9/16 < y1^2 < y4^2")
PROOF.spurious_local_minimum(loss, valley, better, text="the valley point is a spurious local minimum")
PROOF.spurious_valley(loss, valley, better, expect="inconclusive",
                      text="the valley as a certified spurious valley (kernel/landscape.py)",
                      note="open: the valley point is a non-strict minimum (rescalings of h1, h2); a certificate "
                           "needs, at every point of {w4 = 0, L = y4^2}, a local minimum whose flat directions stay "
                           "in w4 = 0 (a wall certificate), which is not a kernel rule yet")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Theorem 8', 'lsz:Table 1', 'lsz:Section 7.3']
