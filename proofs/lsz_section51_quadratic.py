"""lin-sun-zhang, Section 5.1: the quadratic activation as a linear one on
feature maps, and the upper intrinsic dimension dim*(sigma, X) = 6 for d_x = 2.

sigma(w1 x1 + w2 x2 + b) = <psi(w), phi(x)> with psi(w) = (w1^2, w2^2,
2 w1 w2, 2 b w1, 2 b w2, b^2) and phi(x) = (x1^2, x2^2, x1 x2, x1, x2, 1) is
checked as a polynomial identity; V_sigma(X) = span{sigma(w^T X + b)} has
dimension 6 on data with 7 generic points: the span of 8 random
sigma(w^T X + b) rows has rank 6, not more.
"""
import random

import sympy as sp

from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('lsz:Section 5.1', 'full'),
          ('lsz:Theorem 5', 'hypotheses')]

w1, w2, b, x1, x2 = sp.symbols("w1 w2 b x1 x2")
sigma = activation("poly(0, 0, 1)")
psi = sp.Matrix([w1**2, w2**2, 2 * w1 * w2, 2 * b * w1, 2 * b * w2, b**2])
phi = sp.Matrix([x1**2, x2**2, x1 * x2, x1, x2, 1])

rng = random.Random(1)
X = [(sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)), sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
     for _ in range(7)]
W = [[sp.Integer(rng.randint(-5, 5)) for _ in range(3)] for _ in range(8)]
rows = sp.Matrix([[sigma(a * p + c * q + e) for p, q in X] for a, c, e in W])

PROOF = Proof("Section 5.1: quadratic activation and dim* = 6", source=source("lsz", "Section 5.1"))
PROOF.identity(sigma(w1 * x1 + w2 * x2 + b), (psi.T * phi)[0], text="sigma(w^T x + b) = <psi(w), phi(x)>")
PROOF.rank(rows, 6, text="dim V_sigma(X) = 6 for 7 generic points in R^2 (8 random neurons span 6 dimensions)")
PROOF.rank(sp.Matrix([list(phi.subs({x1: p, x2: q})) for p, q in X]), 6,
           text="the feature vectors phi(x_i) of the 7 points span R^6")
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['lsz:Section 5.1', 'lsz:Theorem 5']
