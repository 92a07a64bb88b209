"""ICLR 2021 (sparse linear landscape), Appendix A: a path along which the
loss decreases to a value above the infimum without reaching it.

Network (the paper's (9)): X = I_2, hidden h1 = w5 x1 + w6 x2,
h2 = w7 x1 + w8 x2, outputs o1 = w1 h1, o2 = w2 h1 + w3 h2, o3 = w4 h2, so
F = [[w1 w5, w1 w6], [w2 w5 + w3 w7, w2 w6 + w3 w8], [w4 w7, w4 w8]].
The OCR text is garbled; Y = [[1, 0], [0, 1], [1, 1]] and the points
w(k) = (-1/sqrt k, -sqrt k, 1, 1, 1/sqrt k, 0, 1, 1) are the reading that
gives the paper's 2 L(w(k)) = (1/k + 1)^2, which we check exactly at
k = 1, 2, 3, 4, 9 (radicals included), with the decrease between
consecutive k, a zero-loss point (so inf L = 0 < 1/2 = lim L(w(k))), and
that no w(k) is critical (the descent goes on: ||w(k)|| -> infinity).
"""
import sympy as sp

from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Appendix A', 'full')]       # the existence, with the sequence, for every k (symbolic)

net = Network.from_table({"inputs": ["x1", "x2"], "outputs": ["o1", "o2", "o3"],
                          "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",      # w1..w4
                                    "x1 -> h1", "x2 -> h1", "x1 -> h2", "x2 -> h2"]})    # w5..w8
loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 1], [1, 1]])


def w(k):
    r = f"sqrt({k})"
    return dict(zip(net.parameters, [f"-1/{r}", f"-{r}", 1, 1, f"1/{r}", 0, 1, 1]))


PROOF = Proof("Appendix A: a decreasing path that does not reach the infimum",
              source=source("iclr", "Appendix A"))
ks = [1, 2, 3, 4, 9]
for k in ks:
    PROOF.loss_value(loss, w(k), str((sp.Rational(1, k) + 1) ** 2 / 2), text=f"2 L(w({k})) = (1/{k} + 1)^2")
for a, b in zip(ks, ks[1:]):
    PROOF.not_global(loss, w(a), w(b), text=f"L(w({b})) < L(w({a}))")
PROOF.critical_point(loss, w(9), expect="refuted", text="w(9) is not a critical point (the path goes on)")
zero = dict(zip(net.parameters, [1, -1, 1, 1, 1, 0, 1, 1]))
PROOF.loss_value(loss, zero, 0, text="inf L = 0 is attained, below lim L(w(k)) = 1/2")
k = sp.Symbol("k", positive=True)
path = [-1 / sp.sqrt(k), -sp.sqrt(k), 1, 1, 1 / sp.sqrt(k), 0, 1, 1]        # w(k), symbolic in k
along = loss.expression().subs(dict(zip(loss.symbols(), path)))
PROOF.identity(along, (1 / k + 1) ** 2 / 2, text="for every k > 0: L(w(k)) = (1/k + 1)^2 / 2, which decreases "
                                                  "to 1/2 > 0 = inf L")
