"""ICLR 2021 (sparse linear landscape), Table 1, rows 1 and 2: their minima certified.

Row 1: D = diag(1/2, 9/10), Z1 = [[1, 1], [0, 1]] (read from the text),
Z2 = [[1, 1], [-1, 1]] (illegible; inferred: the only Z2 with entries in
[-2, 2] whose Algorithm-1 minima reach both printed objective values,
0.5143043518476 and 0.6781647585271). Row 2: D = diag(4/5, 1/10), Z1 =
[[0, -2], [1, 0]], Z2 = [[1, 0], [-2, 2]] (both illegible; inferred the same
way, values 0.5373672988360 and 0.6805528480352); see
experiments/iclr_tables.py. The objective of Section 3 is the loss (scale
1/2) of the sparse net whose hidden neuron i sees the columns of U_i
(samples in rows), target Y = U_1 Z_1 + U_2 Z_2, with column-orthonormal
rational blocks U_1 = [e1, e2] and U_2 = [D_11 e1 + r_1, D_22 e2 + r_2],
r_k on fresh coordinates with |r_k|^2 = 1 - D_kk^2, so U_1^T U_2 = D.

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

COVERS = [('iclr:Table 1', 'instance'),
          ('iclr:Algorithm 1', 'spot')]

R = sp.Rational
RADIUS = R(1, 10 ** 6)
# row: D, the rational vectors completing D_kk e_k to unit columns of U_2, Z1, Z2, the paper's objective values
ROWS = {1: ((R(1, 2), R(9, 10)), ((R(1, 2),) * 3, (R(1, 10), R(3, 10), R(3, 10))),
            [[1, 1], [0, 1]], [[1, 1], [-1, 1]], (0.5143043518476, 0.6781647585271)),
        2: ((R(4, 5), R(1, 10)), ((R(3, 5),), (R(3, 10), R(3, 10), R(9, 10))),
            [[0, -2], [1, 0]], [[1, 0], [-2, 2]], (0.5373672988360, 0.6805528480352))}


def row_loss(D, rest, Z1, Z2):
    """The loss (scale 1/2) of the sparse net on U_1 = [e1, e2], U_2 = [D_11 e1 + rest_1, D_22 e2 + rest_2]."""
    n = 2 + sum(len(r) for r in rest)
    U1, U2 = sp.zeros(n, 2), sp.zeros(n, 2)
    U1[0, 0] = U1[1, 1] = 1
    row = 2
    for k in range(2):
        U2[k, k] = D[k]
        for v in rest[k]:
            U2[row, k] = v
            row += 1
    U = U1.row_join(U2)
    net = sparse_dense([(0, 1), (2, 3)], d_x=4, d_y=2)
    return U, compile_loss(net, U.T.tolist(), (U1 * sp.Matrix(Z1) + U2 * sp.Matrix(Z2)).T.tolist(), scale=R(1, 2))


def proposed_minima(loss):
    """Alternating best-rank-one fits from 40 starts, polished, clustered, gauge-fixed and rounded (a proposal)."""
    f = descent.FloatLoss(loss)
    T = descent.alternating_rank_one(loss, 40, np.random.default_rng(0))
    T = np.array([descent.polish(f, t) for t in T])
    points = [[sp.Rational(q) for q in descent.rationalise(descent.gauge(loss, T[c.representative]), 10 ** 12)]
              for c in descent.cluster(f, T, f.value(T))]
    values = [float(f.value(np.array([[float(x) for x in m]]))[0]) for m in points]
    return [points[k] for k in np.argsort(values)], sorted(values)


PROOF = Proof("Table 1, rows 1 and 2: two certified minima each, one spurious", source=source("iclr", "Table 1"))
for number, (D, rest, Z1, Z2, paper) in ROWS.items():
    U, loss = row_loss(D, rest, Z1, Z2)
    PROOF.identity(U.T * U, sp.Matrix([[1, 0, D[0], 0], [0, 1, 0, D[1]], [D[0], 0, 1, 0], [0, D[1], 0, 1]]),
                   text=f"row {number}: U_1, U_2 have orthonormal columns and U_1^T U_2 = D = diag{D}")
    minima, values = proposed_minima(loss)
    for rank, (point, value) in enumerate(zip(minima, values)):
        near = min(paper, key=lambda v: abs(v - value))
        words = f"row {number}: a {'spurious ' if rank else ''}local minimum within 1e-6 of the rounded point " \
                f"(L ~ {value:.13f}; the paper's {near})"
        if rank == 0:
            PROOF.local_minimum_near_modulo_rescaling(loss, point, RADIUS, text=words)
        else:
            PROOF.spurious_local_minimum_near_modulo_rescaling(loss, point, RADIUS, minima[0], text=words)
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
PROOF.covers = ['iclr:Table 1', 'iclr:Algorithm 1']
