"""ICLR 2021 (sparse linear landscape), Table 1, row 1: its two minima certified.

Row 1 of the table: D = diag(1/2, 9/10), Z1 = [[1, 1], [0, 1]] (read from the
text), Z2 = [[1, 1], [-1, 1]] (illegible in the text; inferred: it is the only
Z2 with entries in [-2, 2] whose Algorithm-1 minima reach both printed
objective values, 0.5143043518476 and 0.6781647585271, see
experiments/iclr_tables.py). The objective of Section 3 is the loss (scale
1/2) of the sparse net whose hidden neuron i sees the columns of U_i
(samples in rows), target Y = U_1 Z_1 + U_2 Z_2, with column-orthonormal
rational blocks U_1 = [e1, e2], U_2 = [(1/2) e1 + (1/2)(e3 + e4 + e5),
(9/10) e2 + (1/10) e6 + (3/10)(e7 + e8)] in R^8, so U_1^T U_2 = D.

The script runs the alternating best-rank-one updates (floating point, a
proposal) and rounds each minimum found, rescaled so that one incoming
weight per neuron is +-1; the kernel then proves with Arb intervals that a
local minimum (strict on the slice fixing those weights, so not strict in
full: the rescaling curves) lies within 10^-6 of each rounded point, and that
the higher one is spurious. The captions give the losses in floating point
next to the paper's values (not checked by the kernel).
"""
import numpy as np
import sympy as sp

from losscert import compile_loss, sparse_dense
from losscert.coverage import source
from losscert.proof import Proof
from losscert.proposers import descent

COVERS = [("iclr:Table 1", "instance"), ("iclr:Algorithm 1", "instance")]

R = sp.Rational
U1 = sp.zeros(8, 2)
U1[0, 0] = U1[1, 1] = 1
U2 = sp.zeros(8, 2)
U2[0, 0], U2[2, 0], U2[3, 0], U2[4, 0] = R(1, 2), R(1, 2), R(1, 2), R(1, 2)
U2[1, 1], U2[5, 1], U2[6, 1], U2[7, 1] = R(9, 10), R(1, 10), R(3, 10), R(3, 10)
Z1, Z2 = sp.Matrix([[1, 1], [0, 1]]), sp.Matrix([[1, 1], [-1, 1]])
PAPER = (0.5143043518476, 0.6781647585271)
RADIUS = R(1, 10 ** 6)

net = sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2)
loss = compile_loss(net, U1.row_join(U2).T.tolist(), (U1 * Z1 + U2 * Z2).T.tolist(), scale=R(1, 2))
PROOF = Proof("Table 1, row 1: two certified minima, one spurious", source=source("iclr", "Table 1"))
PROOF.identity(U1.row_join(U2).T * U1.row_join(U2), sp.Matrix([[1, 0, R(1, 2), 0], [0, 1, 0, R(9, 10)],
                                                                [R(1, 2), 0, 1, 0], [0, R(9, 10), 0, 1]]),
               text="the data: U_1, U_2 have orthonormal columns and U_1^T U_2 = D = diag(1/2, 9/10)")

f = descent.FloatLoss(loss)
T = descent.alternating_rank_one(loss, 40, np.random.default_rng(0))
T = np.array([descent.polish(f, t) for t in T])
minima = []
for c in descent.cluster(f, T, f.value(T)):
    theta = descent.gauge(loss, T[c.representative])
    minima.append([sp.Rational(q) for q in descent.rationalise(theta, 10 ** 12)])
values = [float(f.value(np.array([[float(x) for x in m]]))[0]) for m in minima]
order = np.argsort(values)
best = minima[order[0]]
for rank, k in enumerate(order):
    near = min(PAPER, key=lambda v: abs(v - values[k]))
    if rank == 0:
        PROOF.local_minimum_near_modulo_rescaling(
            loss, minima[k], RADIUS, text=f"a local minimum within 1e-6 of the rounded point (L ~ {values[k]:.13f}, "
                                          f"the paper's {near})")
    else:
        PROOF.spurious_local_minimum_near_modulo_rescaling(
            loss, minima[k], RADIUS, best, text=f"a spurious local minimum within 1e-6 of the rounded point "
                                                f"(L ~ {values[k]:.13f}, the paper's {near})")
