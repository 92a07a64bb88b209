"""li-ding-sun Example 2: a bad basin of a one-neuron Swish network.

The paper takes x = (0.1, 2, 3), w = v = 1, finds a orthogonal to
z = sigma(w x) and z' = x o sigma'(w x) with a^T z'' > 0, sets
y = v sigma(w x) - 100 a ~ (-99.9475, -1.1766, 6.5060) and claims (v, w) = (1, 1)
is a sub-optimal strict local minimum (loss E = ||v sigma(w x) - y||^2).

Here: Proposition 4's conditions are decided with Arb determinants; the
printed y is compared with the construction's y enclosed at 30 digits; y is
built to 50 digits (losscert.constructions) and local_minimum_near proves,
by a Krawczyk step and a positive definite Hessian on a box, a strict local
minimum within 10^-40 of (1, 1); a least-squares scan proposes a point of
lower loss, compared by enclosures. The paper's four-decimal y also has a
strict local minimum, within 10^-2 of (1, 1).

(71c) prints a^T z'' without the factor x o x of (31c); both signs are
positive here, so v = 1 either way (the kernel uses (31c)).
"""
import sympy as sp

from losscert import compile_loss, constructions, dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Example 2', 'full'), ('lds:Proposition 4', 'instance')]

PROOF = Proof("Example 2: bad basin of a Swish neuron", source=source("lds", "Example 2"))
x, M = ["0.1", 2, 3], 100
y, v = constructions.basin_data("swish", x, 1, M, digits=50)
better = constructions.best_single_neuron("swish", x, y, [sp.Rational(k, 4) for k in range(-40, 41)])

PROOF.narrow_basin_conditions("swish", x, [1], better["w"],
                              text=f"Proposition 4 (1)-(3) hold at w = 1 (w0 = {better['w']})")
PROOF.narrow_basin_target("swish", x, 1, M, ["-99.9475", "-1.1766", "6.5060"], 4,
                          text="the printed y = (-99.9475, -1.1766, 6.5060) is the construction's y to 4 decimals")

net = dense([1, 1, 1], activation="swish")
loss = compile_loss(net, [x], [y], scale=1)
at_one = {"x1 -> h1_1": 1, "h1_1 -> y1": v}
PROOF.local_minimum_near(loss, at_one, "1/10**40", digits=60,
                         text="y to 50 digits: a strict local minimum within 10^-40 of (v, w) = (1, 1)")
PROOF.not_global(loss, at_one, {"x1 -> h1_1": better["w"], "h1_1 -> y1": better["v"]},
                 text=f"(v, w) = ({better['v']}, {better['w']}) has lower loss (rigorous enclosures)")
PROOF.critical_point(loss, at_one, expect="refuted",
                     text="(1, 1) itself is not critical for the rounded y (the minimum moved by < 10^-45)")

printed = compile_loss(net, [x], [["-99.9475", "-1.1766", "6.5060"]], scale=1)
PROOF.local_minimum_near(printed, at_one, "1/100",
                         text="with the paper's 4-decimal y: a strict local minimum within 0.01 of (1, 1)")
PROOF.critical_point(printed, at_one, expect="refuted",
                     text="with the paper's 4-decimal y, (1, 1) itself is not critical",
                     note="the paper prints y with 'approximately' (y ~ ...): for the unrounded y, (1, 1) is the "
                          "strict minimum; for the printed 4-decimal y it is 6e-6 away (proven above); not an erratum")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lds:Example 2', 'lds:Proposition 4']
