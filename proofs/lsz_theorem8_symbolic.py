"""lin-sun-zhang, Theorem 8: the spurious valley for symbolic targets y1..y4.

The network of ``lsz_theorem8_valley.py`` (Figure 2, right; linear
activation, scale 1) with Y = [[y1, y1, 0], [y2, y2 + y3, 0], [0, 0, y4]]
for *symbolic* y1..y4, and the valley point of T0 with symbolic a, b > 0
(w = (y1 a, y2 a, y3 b, 0, 1/a, 1/a, 1/b, 0)). Every statement is decided for
every value of the symbols under the stated conditions (kernel.parametric:
identities in Q(y1, ..., y4, a, b); signs by substituting the ordering
conditions by positive variables, y1 = t1, y4 = t1 + t2, y3 = t1 + t2 + t3,
and reading off coefficients of one sign).

- Under the corrected condition y3 > y4 > y1 > 0, y2 > 0 (what the argument
  uses, see ``lsz_theorem8_valley.py``): the valley point has loss y4^2, is
  critical and a local minimum (the leading minors of H on six of the eight
  weights are 4/a^2, 16/a^4, 16/(a^4 b^2), 32/(a^4 b^4), 32 y1^2/(a^2 b^4) and
  64 y1^2 (y3 - y4)(y3 + y4)/(a^2 b^2): the last is positive because
  y3 > y4; the 2-dimensional kernel is spanned by the rescaling orbits of h1
  and h2), and the better point
  has loss y1^2 (y3 / (y2 + y3))^2 < y4^2: a spurious local minimum.
- Under the paper's stated condition y3 > 4 y4 > 4 y1 > 0 (a sub-region) the
  same holds.
- Without y3 > y4 (y4 > y3 > y1 > 0) the valley point is not a local
  minimum: refuted at an explicit rational target where H has a direction of
  negative curvature.

That the whole connected component of the sublevel set stays at y4^2 (the
valley) is the paper's argument and is not certified here.
"""
from losscert import Network, compile_loss
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [("lsz:Theorem 8 (symbolic targets)", "full"), ("lsz:Theorem 8 (valley step)", "instance")]

net = Network.from_table({"inputs": ["x1", "x2", "x3"], "outputs": ["o1", "o2", "o3"], "activation": "linear",
                          "edges": ["h1 -> o1", "h1 -> o2", "h2 -> o2", "h2 -> o3",      # w1..w4
                                    "x1 -> h1", "x2 -> h1", "x2 -> h2", "x3 -> h2"]})    # w5..w8
X = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
Y = [["y1", "y1", 0], ["y2", "y2 + y3", 0], [0, 0, "y4"]]
valley = dict(zip(net.parameters, ["y1*a", "y2*a", "y3*b", 0, "1/a", "1/a", "1/b", 0]))
better = dict(zip(net.parameters, ["y1", "y2 + y3", 0, "y4", "y2/(y2 + y3)", 1, 0, 1]))
REGIONS = {"corrected": {"y1": "y3 > y4 > y1 > 0", "y2": "y2 > 0", "y3": "", "y4": "", "a": "a > 0", "b": "b > 0"},
           "paper": {"y1": "y3 > 4*y4 > 4*y1 > 0", "y2": "y2 > 0", "y3": "", "y4": "", "a": "a > 0", "b": "b > 0"},
           "without y3 > y4": {"y1": "y4 > y3 > y1 > 0", "y2": "y2 > 0", "y3": "", "y4": "", "a": "a > 0",
                               "b": "b > 0"}}

PROOF = Proof("Theorem 8: the spurious valley for symbolic targets y1..y4 (and every a, b > 0)",
              source=source("lsz", "Theorem 8"))
for name, symbols in REGIONS.items():
    loss = compile_loss(net, X, Y, scale=1, symbols=symbols)
    where = f"{name} ({'; '.join(c for c in symbols.values() if c)})"
    if name == "without y3 > y4":
        PROOF.local_minimum(loss, valley, expect="refuted", text=f"{where}: the valley point is a local minimum",
                            note="y3 > y4 is needed: refuted at a rational target with y4 > y3")
        continue
    PROOF.loss_value(loss, valley, "y4**2", text=f"{where}: the valley point has loss y4^2")
    PROOF.critical_point(loss, valley, text=f"{where}: it is a critical point")
    PROOF.local_minimum(loss, valley, text=f"{where}: it is a local minimum")
    PROOF.loss_value(loss, better, "y1**2*y3**2/(y2 + y3)**2", text=f"{where}: the better point has loss "
                                                                   "y1^2 (y3/(y2+y3))^2")
    PROOF.spurious_local_minimum(loss, valley, better, text=f"{where}: the valley point is a spurious local minimum")
