"""Monotone activations: nguyen Assumption 2.1, li-ding-sun Assumptions 3 (B2) and 4.

Strict monotonicity of a piecewise-linear activation is checked case by case
with squares standing for signs (x = Q^2 > 0, y = -P^2 < 0, h = H^2 > 0):
sigma(x + h) - sigma(x) is a sum of squares with positive weights that
vanishes only at H = 0; "onto R" by an explicit preimage on each side.
Leaky-ReLU(1/10) meets Assumptions 2.1 / 4; ReLU is monotone (so it meets
B2 of Assumption 3) but not strictly (sigma(-1) = sigma(-2)). Assumption 3's
B1 (a wide layer followed by a pyramid) is checked on a network's widths.
"""
import sympy as sp

from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('nguyen:Assumption 2.1', 'instance'),
          ('lds:Assumption 4', 'instance'),
          ('lds:Assumption 3', 'instance'),
          ('lds:Theorem 3', 'hypotheses'),
          ('lds:Theorem 8', 'hypotheses')]

P, Q, H = sp.symbols("P Q H", positive=True)


def monotone_cases(proof, name, slope_left):
    s = activation(name)
    proof.inequality(s(Q ** 2 + H ** 2) - s(Q ** 2), 0, certificate=[(1, H)],
                     text=f"{name}, 0 < x < x + h: sigma(x + h) - sigma(x) = h >= 0")
    proof.inequality(s(Q ** 2) - s(-P ** 2), 0, certificate=[(1, Q), (slope_left, P)],
                     text=f"{name}, y < 0 < x: sigma(x) - sigma(y) = x + {slope_left} |y| >= 0")
    proof.inequality(s(-P ** 2) - s(-P ** 2 - H ** 2), 0, certificate=[(slope_left, H)],
                     text=f"{name}, y - h < y < 0: sigma(y) - sigma(y - h) = {slope_left} h >= 0")


strict = Proof("Assumption 2.1 / Assumption 4: Leaky-ReLU is strictly increasing and onto R",
               source=source("nguyen", "Assumption 2.1; also li-ding-sun Assumption 4"))
monotone_cases(strict, "leaky_relu(1/10)", sp.Rational(1, 10))
leaky = activation("leaky_relu(1/10)")
strict.identity(leaky(Q ** 2), Q ** 2, text="onto, y > 0: sigma(y) = y")
strict.identity(leaky(-10 * P ** 2), -P ** 2, text="onto, y < 0: sigma(10 y) = y")
relu = activation("relu")
strict.inequality(relu(-1) - relu(-2), 0, strict=True, expect="refuted",
                  text="ReLU is strictly increasing (sigma(-1) > sigma(-2))")

ass3 = Proof("Assumption 3 on a pyramid network", source=source("lds", "Assumption 3"))
widths, N = [1, 4, 3, 2, 1], 3                    # d_0 = 1 input, hidden 4, 3, 2, output 1; h_0 = 1
ass3.inequality(widths[1], N, text="B1: d_(h_0) = 4 >= N = 3")
for h in range(1, len(widths) - 1):
    ass3.inequality(widths[h], widths[h + 1], text=f"B1: d_{h} = {widths[h]} >= d_{h + 1} = {widths[h + 1]}")
monotone_cases(ass3, "relu", 0)                    # B2: ReLU in the pyramid layers is non-decreasing
PROOFS = [strict, ass3]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
strict.covers = ['nguyen:Assumption 2.1', 'lds:Assumption 4']
ass3.covers = ['lds:Assumption 3', 'lds:Theorem 3', 'lds:Theorem 8']
