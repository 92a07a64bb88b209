"""ICLR 2021 (sparse linear landscape), Algorithm 1 (Sparse-2-Opt) on fresh data, outputs certified.

Data: column-orthonormal U_1 = [e1, e2], U_2 = [(3/5, 0, 4/5, 0), (0, 4/5, 0, 3/5)]
in R^4, so D = U_1^T U_2 = diag(3/5, 4/5) (no shared feature), Z_1 = diag(2, 1),
Z_2 = diag(1, 2). The objective of Section 3 is the loss of the sparse net
whose hidden node i sees the columns U_i (samples in rows), target
Y = U_1 Z_1 + U_2 Z_2: L = 1/2 ||U_1 (Z_1 - w_1 a_1^T) + U_2 (Z_2 - w_2 a_2^T)||^2.

The script runs Algorithm 1 in floating point (alternating best rank-1
approximations of Z_1 + D (Z_2 - w_2 a_2^T) and Z_2 + D^T (Z_1 - w_1 a_1^T), numpy
SVD) from several random starts and rounds the output to rationals: a
proposal only. The kernel then checks exactly that the rounded output is a
critical point and a local minimum (as Appendix B claims for converged
outputs), and its loss.
"""
from fractions import Fraction

import numpy as np
import sympy as sp

from losscert import compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('iclr:Algorithm 1', 'spot')]

U1 = sp.Matrix([[1, 0], [0, 1], [0, 0], [0, 0]])
U2 = sp.Matrix([[sp.Rational(3, 5), 0], [0, sp.Rational(4, 5)], [sp.Rational(4, 5), 0], [0, sp.Rational(3, 5)]])
Z1, Z2 = sp.diag(2, 1), sp.diag(1, 2)
D = U1.T * U2


def top(M):
    u, s, vt = np.linalg.svd(M)
    return u[:, 0] * s[0], vt[0]


def sparse_2_opt(seed, iterations=300):
    """Algorithm 1 in floating point (a proposal)."""
    z1, z2, d = (np.array(M.tolist(), dtype=float) for M in (Z1, Z2, D))
    rng = np.random.default_rng(seed)
    w2, a2 = rng.normal(size=2), rng.normal(size=2)
    for _ in range(iterations):
        w1, a1 = top(z1 + d @ (z2 - np.outer(w2, a2)))
        w2, a2 = top(z2 + d.T @ (z1 - np.outer(w1, a1)))
    return [[sp.Rational(Fraction(float(v)).limit_denominator(1000)) for v in vec] for vec in (w1, a1, w2, a2)]


net = sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2)
X = U1.row_join(U2)                                   # samples in rows, blocks U_1 | U_2
loss = compile_loss(net, X.T.tolist(), (U1 * Z1 + U2 * Z2).T.tolist())
PROOF = Proof("Algorithm 1 (Sparse-2-Opt) on fresh data: certified outputs", source=source("iclr", "Algorithm 1"))
PROOF.identity(U2.T * U2, sp.eye(2), text="U_2 has orthonormal columns; D = U_1^T U_2 = diag(3/5, 4/5)")
seen = []
for seed in (0, 1, 2):
    w1, a1, w2, a2 = sparse_2_opt(seed)
    point = {"x1 -> h1_1": w1[0], "x2 -> h1_1": w1[1], "h1_1 -> y1": a1[0], "h1_1 -> y2": a1[1],
             "x3 -> h1_2": w2[0], "x4 -> h1_2": w2[1], "h1_2 -> y1": a2[0], "h1_2 -> y2": a2[1]}
    if point in seen:
        continue
    seen.append(point)
    shown = ", ".join(f"{n} = ({', '.join(map(str, v))})" for n, v in zip(("w1", "a1", "w2", "a2"), (w1, a1, w2, a2)))
    PROOF.critical_point(loss, point, text=f"start {seed}: the rounded output {shown} is a critical point")
    PROOF.local_minimum(loss, point, text=f"start {seed}: it is a local minimum")
    PROOF.loss_value(loss, point, sp.Rational(1, 2), text=f"start {seed}: its objective is 1/2")
