"""li-ding-sun: the Property PT example, Lemma 6's formulas, Assumption 2 for larger N, Corollary 2.

- Property PT example: f(u, v) = (1 - u v^2)^2 is the loss of a one-neuron
  net with sigma(z) = z^2, x = 1, y = 1 (output u (v x)^2). With u = -r^2,
  f - 1 = 2 (r v)^2 + (r v)^4, a sum of squares: f >= 1 = f(-1, 0) wherever
  u <= 0, a neighbourhood of (-1, 0), so (-1, 0) is a local minimum; it is
  not strict and not global (f(1, 1) = 0).
- Lemma 6: f_k = g + (sin + cos)/(s(k + 1)) has f_k^(n)(0) = g^(n)(0) +
  (-1)^floor(n/2) / (s(k + 1)) (for a polynomial g with symbolic
  coefficients, n = 0..8), |sin + cos| <= sqrt 2 (2 (s^2 + c^2) - (s + c)^2 =
  (s - c)^2) and the Case 2 lower bound delta - delta/(2(k+1)) = delta (2k+1)/(2(k+1)).
- Assumption 2 for N = 10 (tanh) and N = 8 (softplus).
- Corollary 2 (no sub-optimal strict minima for wide nets), one point: on a
  tanh net of width 3 = N, theta = 0 (not global) is a saddle.
"""
import sympy as sp

from losscert import compile_loss, dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lds:Property PT example', 'full'),
          ('lds:Lemma 6', 'instance'),
          ('lds:Assumption 2', 'instance'),
          ('lds:Corollary 2', 'spot')]

pt = Proof("Property PT example: f(u, v) = (1 - u v^2)^2", source=source("lds", "Definition 2 (example after it)"))
f = compile_loss(dense([1, 1, 1], activation="poly(0, 0, 1)"), [[1]], [[1]], scale=1)
bad, good = {"x1 -> h1_1": 0, "h1_1 -> y1": -1}, {"x1 -> h1_1": 1, "h1_1 -> y1": 1}
pt.loss_value(f, bad, 1, text="f(-1, 0) = 1")
pt.loss_value(f, good, 0, text="f(1, 1) = 0")
pt.critical_point(f, bad, text="(-1, 0) is a critical point")
r, v = sp.symbols("r v")
pt.inequality((1 + r ** 2 * v ** 2) ** 2, 1, certificate=[(2, r * v), (1, r ** 2 * v ** 2)],
              text="f(-r^2, v) - 1 = 2 (r v)^2 + (r v)^4 >= 0: f >= 1 on u <= 0, so (-1, 0) is a local minimum")
pt.strict_local_minimum(f, bad, expect="refuted", text="(-1, 0) is not a strict local minimum")
pt.not_global(f, bad, good, text="(-1, 0) is not a global minimum")

lemma6 = Proof("Lemma 6: the derivative formula and bounds", source=source("lds", "Lemma 6"))
x, s, k, delta = sp.symbols("x s k delta", positive=True)
gc = sp.symbols("g0:9")
g = sum(c * x ** i / sp.factorial(i) for i, c in enumerate(gc))
fk = g + (sp.sin(x) + sp.cos(x)) / (s * (k + 1))
lemma6.identity([sp.diff(fk, x, n).subs(x, 0) for n in range(9)],
                [gc[n] + sp.Integer(-1) ** (n // 2) / (s * (k + 1)) for n in range(9)],
                text="f_k^(n)(0) = g^(n)(0) + (-1)^floor(n/2) / (s(k+1)) for n = 0..8 (period 4)")
sn, cs = sp.symbols("sn cs")
lemma6.identity(2 * (sn ** 2 + cs ** 2) - (sn + cs) ** 2, (sn - cs) ** 2,
                text="(22): with sin^2 + cos^2 = 1, 2 - (sin + cos)^2 = (sin - cos)^2 >= 0, so |sin + cos| <= sqrt 2")
lemma6.identity(delta - delta / (2 * (k + 1)), delta * (2 * k + 1) / (2 * (k + 1)),
                text="Case 2: delta_min - delta_min / (2(k+1)) = delta_min (2k+1) / (2(k+1))")

ass2 = Proof("Assumption 2 for larger N", source=source("lds", "Assumption 2"))
ass2.arithmetic_derivatives("tanh", 10, text="tanh, N = 10: orders 1, 3, ..., 19")
ass2.arithmetic_derivatives("softplus", 8, text="softplus, N = 8: orders 0, 2, ..., 14")
ass2.arithmetic_derivatives("poly(1, 1, 1, 1)", 5, expect="refuted",
                            text="a cubic has only 4 non-zero orders: N = 5 fails")

cor2 = Proof("Corollary 2 at one point of a wide tanh net", source=source("lds", "Corollary 2"))
wide = compile_loss(dense([1, 3, 1], activation="tanh"), [[1, 2, 3]], [[1, 0, 2]])
cor2.lds_assumption1(wide.network, [[1, 2, 3]], text="Assumption 1: width 3 >= N = 3, distinct non-zero samples")
cor2.saddle(wide, {p: 0 for p in wide.network.parameters}, text="theta = 0 (loss 5/2, not global) is a saddle")
PROOFS = [pt, lemma6, ass2, cor2]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
pt.covers = ['lds:Property PT example']
