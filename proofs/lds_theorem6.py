"""li-ding-sun Theorem 6 (narrow nets have bad basins) and Proposition 4, on instances.

Theorem 6: one hidden neuron, N >= 3 samples with no zero and no equal
entries, sigma C^2 with sigma(0), sigma'(0), sigma''(0) != 0: some y makes the
loss have a sub-optimal basin. Its proof applies Proposition 4 at w = 0
(z = sigma(0) 1, z' = sigma'(0) x, z'' = sigma''(0) x o x: a Vandermonde
system) and takes y = v z - M a with a orthogonal to z, z' (M = 100 here).

- sigma = 1 + z + z^2 (exact): conditions (1)-(3) by exact ranks, y = (-99, 201, -99),
  (v, w) = (1, 0) a strict local minimum (positive definite Hessian, exact)
  and not global (exact witness); the interval route agrees. (With M = 10 the
  scan finds nothing lower: the proof's "M sufficiently large" matters.)
- sigma = softplus (sigma(0) = log 2: transcendental): conditions by Arb
  determinants, y to 50 digits, a strict local minimum within 10^-40 of
  (1, 0) and a rigorously lower point.
- Degenerate: tanh has sigma(0) = 0, so z = 0 and condition (1) fails at
  w = 0; sigma = 1 + z is linear, so z'' = 0 lies in every span: (2) fails.
"""
import sympy as sp

from losscert import compile_loss, constructions, dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Theorem 6', 'instance'),
          ('lds:Theorem 4', 'instance'),
          ('lds:Proposition 4', 'instance')]

x, grid = [1, 2, 3], [sp.Rational(k, 4) for k in range(-40, 41)]
PROOFS = []
for act, exact in (("poly(1, 1, 1)", True), ("softplus", False)):
    proof = Proof(f"Theorem 6 with sigma = {act}", source=source("lds", "Theorem 6"))
    y, v = constructions.basin_data(act, x, 0, 100, digits=50)
    better = constructions.best_single_neuron(act, x, y, grid)
    proof.narrow_basin_conditions(act, x, [0], "1/10", text="Proposition 4 (1)-(3) at w = 0, w0 = 1/10")
    loss = compile_loss(dense([1, 1, 1], activation=act), [x], [y], scale=1)
    point = {"x1 -> h1_1": 0, "h1_1 -> y1": v}
    witness = {"x1 -> h1_1": better["w"], "h1_1 -> y1": better["v"]}
    if exact:
        proof.strict_local_minimum(loss, point, text=f"y = {y}: (v, w) = ({v}, 0) is a strict local minimum")
    proof.local_minimum_near(loss, point, "1/10**40", digits=60,
                             text=f"interval route: a strict local minimum within 10^-40 of ({v}, 0)")
    proof.not_global(loss, point, witness, text=f"(v, w) = ({better['v']}, {better['w']}) has lower loss")
    PROOFS.append(proof)

bad = Proof("Theorem 6's hypotheses matter", source=source("lds", "Proposition 4"))
bad.narrow_basin_conditions("tanh", x, [0], "1/10", expect="refuted",
                            text="tanh (sigma(0) = 0): z = 0 at w = 0, condition (1) fails")
bad.narrow_basin_conditions("poly(1, 1)", x, [0], "1/10", expect="refuted",
                            text="sigma = 1 + z (sigma'' = 0): z'' = 0, condition (2) fails")
bad.narrow_basin_conditions("softplus", [1, 1, 3], [0], "1/10", expect="refuted",
                            text="equal samples x = (1, 1, 3): condition (3) fails")
PROOFS.append(bad)
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
for _proof in PROOFS:
    _proof.covers = ['lds:Theorem 4', 'lds:Proposition 4']
