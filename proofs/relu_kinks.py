"""li-ding-sun (benefit of width): ReLU statements whose points are kinks.

- Theorem 7 (piecewise-linear sigma with sigma(0) = sigma'(0) = 0 has a
  sub-optimal basin): the construction for m = 1, N = 3 with
  sigma(t) = relu(t - t0), t0 = 1 (a ReLU neuron with a fixed bias -1 from a
  constant input), x = (3, 2, 1), w = u_3 = t0 / x_3 = 1, v = 1, so that
  z = sigma(w x) = (2, 1, 0) has pattern 2 and sample 3 sits exactly on the
  kink; y = z - M e_3 with M = 100 and E = ||y_hat - y||^2 = M^2. The kink
  analysis decides Step 2 (a strict local minimum: on the side w > 1 the
  third output grows away from -M at first order, on the side w < 1 the two
  active samples pin (v, w) with a positive definite Hessian); Step 3's
  better point is v* = -13/2000, w* = 1001 (all samples active).
- Theorem 5 (positively homogeneous sigma: no strict minima) at a kink: a
  1-2-1 ReLU net with both neurons at w = 0 (every pre-activation exactly 0)
  and targets below the reachable outputs is a local minimum, decided piece
  by piece, and not strict (the scaling curve (w, v) -> (c w, v / c)).
"""
import networkx as nx

from losscert import Network, compile_loss, dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Theorem 7', 'instance'),
          ('lds:Theorem 5', 'spot')]

thm7 = Proof("Theorem 7: the constructed ReLU point is a strict, sub-optimal local minimum (a kink)",
             source=source("lds", "Theorem 7"))
g = nx.DiGraph()
for i, (u, v) in enumerate([("x", "h"), ("one", "h"), ("h", "y")]):
    g.add_edge(u, v, order=i)
g.nodes["h"]["activation"] = "relu"
g.edges["one", "h"]["fixed"] = -1                 # sigma(t) = relu(t - t0) with t0 = 1
net = Network(g, ["x", "one"], ["y"])
M = 100
loss = compile_loss(net, [[3, 2, 1], [1, 1, 1]], [[2, 1, -M]], scale=1)
point = {"x -> h": 1, "h -> y": 1}
better = {"x -> h": 1001, "h -> y": "-13/2000"}
thm7.loss_value(loss, point, M * M, text="E(v, w) = M^2 at the construction (53)")
thm7.strict_local_minimum(loss, point, text="Step 2: a strict local minimum; w x_3 = t0 is a kink, decided on "
                          "both pieces")
thm7.not_global(loss, point, better, text="Step 3: v* = -13/2000, w* = 1001 has a smaller loss")
thm7.spurious_local_minimum(loss, point, better, text="hence a sub-optimal strict local minimum (a bad basin)")
thm7.saddle(loss, point, expect="refuted", text="not a saddle")
PROOFS = [thm7]

thm5 = Proof("Theorem 5 at a kink: a ReLU local minimum that is not strict",
             source=source("lds", "Theorem 5"))
relu = compile_loss(dense([1, 2, 1], activation="relu"), [[1, 2, 3]], [[-1, -1, -1]])
kink = {"x1 -> h1_1": 0, "x1 -> h1_2": 0, "h1_1 -> y1": 1, "h1_2 -> y1": 1}
thm5.local_minimum(relu, kink, text="w = 0, v = (1, 1): every pre-activation is 0; no piece descends (v > 0 and "
                   "y < 0: turning a neuron on only raises the outputs)")
thm5.strict_local_minimum(relu, kink, expect="refuted", text="not strict: the scaling curve (c w, v / c) keeps L")
thm5.critical_point(relu, kink, expect="inconclusive", text="at a kink the gradient does not exist")
PROOFS.append(thm5)
