"""li-ding-sun Assumptions 1 and 2 (Theorem 1: wide networks have Property PT), on instances.

Assumption 1: A1 the samples are non-zero and distinct, A2 the loss is convex
in the output, A3 the last hidden layer has d_H >= N neurons, A4 continuous
activations. Assumption 2: sigma analytic with N non-vanishing derivative
orders at 0 in arithmetic progression. Checked on a wide tanh network with
N = 3 samples (holds), on the one-neuron network of Theorem 6 / Example 2
(A3 fails: the narrow regime where bad basins exist), and on data with a
repeated sample (A1 fails); Assumption 2 for N = 3 and N = 6.
"""
from losscert import dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Assumption 1', 'instance'),
          ('lds:Assumption 2', 'instance'),
          ('lds:Theorem 1', 'hypotheses'),
          ('lds:Theorem 2', 'hypotheses')]

PROOF = Proof("Assumptions 1 and 2 of Theorem 1", source=source("lds", "Assumption 1"))
X = [[1, 2, "1/2"], [0, -1, 3]]
PROOF.lds_assumption1(dense([2, 3, 1], activation="tanh"), X, text="wide tanh net (d_H = 3), N = 3 distinct samples")
PROOF.lds_assumption1(dense([1, 1, 1], activation="swish"), [["0.1", 2, 3]], expect="refuted",
                      text="Example 2's one-neuron net: d_H = 1 < N = 3 (A3 fails)")
PROOF.lds_assumption1(dense([2, 3, 1], activation="tanh"), [[1, 2, 1], [0, -1, 0]], expect="refuted",
                      text="samples 1 and 3 coincide (A1 fails)")
PROOF.lds_assumption1(dense([2, 3, 1], activation="tanh"), [[1, 2, 0], [0, -1, 0]], expect="refuted",
                      text="sample 3 is zero (A1 fails)")

two = Proof("Assumption 2 of Theorem 1", source=source("lds", "Assumption 2"))
for act in ("sigmoid", "tanh", "softplus", "swish"):
    two.arithmetic_derivatives(act, 3, text=f"{act}, N = 3")
two.arithmetic_derivatives("sigmoid", 6, text="sigmoid, N = 6")
two.arithmetic_derivatives("poly(0, 0, 1)", 3, expect="refuted", text="z^2 (quadratic activation), N = 3: fails")
two.arithmetic_derivatives("relu", 3, expect="refuted", text="ReLU is not analytic: fails")
PROOFS = [PROOF, two]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lds:Assumption 1', 'lds:Theorem 1', 'lds:Theorem 2']
two.covers = ['lds:Assumption 2', 'lds:Theorem 1']
