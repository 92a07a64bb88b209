"""lin-sun-zhang, Assumption 2 (Theorem 6) for common activations, from exact
derivatives at 0 (losscert's activation registry), with n = 4 samples.

Assumption 2 asks for n non-negative orders l_1 < ... < l_n in arithmetic
progression with sigma^(l_i)(0) != 0. The paper says it holds for sigmoid,
tanh and softplus; checked for these, for the shifted sigmoid and swish, and
refuted for monomials (finitely many non-zero derivatives), the case of
li-ding-sun's Example 1.
"""
from losscert.proof import Proof

PROOF = Proof("Assumption 2 of Theorem 6 for common activations",
              source="lin-sun-zhang-sparse-landscape: Theorem 6 (Assumption 2)")
n = 4
for act in ("sigmoid", "shifted_sigmoid", "tanh", "softplus", "swish"):
    PROOF.arithmetic_derivatives(act, n, text=f"{act}: {n} non-vanishing derivative orders in progression")
PROOF.arithmetic_derivatives("poly(0, 0, 0, 1)", n, expect="refuted", text="z^3: no such orders (a monomial)")
PROOF.arithmetic_derivatives("poly(0, 1, 0, 1)", n, expect="refuted", text="z + z^3: only orders 1 and 3")
