"""nguyen (connected sublevel sets): Lemma 2.3 and Lemma 4.4 on instances.

- Lemma 2.3 / Assumption 2.2: for ReLU and Leaky-ReLU and the shifts
  a = (1, 2), sigma(x), sigma(x - 1), sigma(x - 2) are linearly independent
  functions (their values at x = -1, 1/2, 3/2, 3 have rank 3), so no
  sigma(x) = sum lambda_i sigma(x - a_i) exists for these shifts. The linear
  activation is the exception: x = 2 (x - 1) - (x - 2) identically.
- Lemma 4.4: for v = (0, 1, 3) (distinct entries) the script proposes biases
  b; the vectors sigma(v + b 1) have rank 3, so they span R^3.
"""
import sympy as sp

from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('nguyen:Lemma 2.3 (piecewise linear)', 'instance'),
          ('nguyen:Assumption 2.2', 'instance'),
          ('nguyen:Lemma 4.4', 'instance'),
          ('nguyen:Theorem 4.2', 'step')]

PROOF = Proof("Lemma 2.3: Assumption 2.2 for piecewise-linear activations",
              source=source("nguyen", "Lemma 2.3"))
xs = [sp.Integer(-1), sp.Rational(1, 2), sp.Rational(3, 2), sp.Integer(3)]
shifts = [0, 1, 2]
for name in ("relu", "leaky_relu(1/10)"):
    s = activation(name)
    values = sp.Matrix([[s(x - a) for a in shifts] for x in xs])
    PROOF.rank(values, 3, text=f"{name}: sigma(x), sigma(x-1), sigma(x-2) are independent")
x = sp.Symbol("x")
lin = activation("linear")
PROOF.identity(lin(x), 2 * lin(x - 1) - lin(x - 2), text="linear: sigma(x) = 2 sigma(x-1) - sigma(x-2), "
               "so Assumption 2.2 fails for it")

lemma44 = Proof("Lemma 4.4: sigma(v + b 1) spans R^n", source=source("nguyen", "Lemma 4.4"))
v = [0, 1, 3]
for name, biases in (("relu", (-2, sp.Rational(-1, 2), 1)), ("leaky_relu(1/10)", (-4, -2, 1))):
    s = activation(name)
    M = sp.Matrix([[s(vi + b) for vi in v] for b in biases])
    lemma44.rank(M, 3, text=f"{name}: the biases {', '.join(map(str, biases))} give 3 independent vectors")
PROOFS = [PROOF, lemma44]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['nguyen:Lemma 2.3 (piecewise linear)', 'nguyen:Assumption 2.2']
lemma44.covers = ['nguyen:Lemma 4.4', 'nguyen:Theorem 4.2']
