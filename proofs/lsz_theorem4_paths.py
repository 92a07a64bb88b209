"""lin-sun-zhang Theorem 4, positive parts: non-increasing paths to a global minimum of linear CNNs.

For each mode the proof's path (Property P) is built from a starting point
where the stacked convolution matrix F(W) = [f(w_1); ...; f(w_p1)] is rank
deficient: (a) move the output weights of a redundant channel onto another
(constant loss, Lemma 1), (b) move the freed kernel to a new one (constant:
its output weights are 0), (c) move U to the least-squares U* for the new,
full-column-rank F(W) (convex in U: non-increasing). The kernel decides each
segment with the monotone-path rule, that the end is critical, and, by a
sum-of-squares certificate L(theta) - L* = 1/2 ||(U F(W) - M*) X||^2, that it is
a global minimum (M* the least-squares map, X X^T invertible).

- FULL, one channel, from w = 0 (U -> 0, w -> (1, 1), U -> U*).
- SAME, p_1 = 2, from two kernels (0, a), (0, b) (first weights 0: the
  configuration of the p_1 = 1 valley).
- VALID, p_1 = d_1 = 2, from two equal kernels.
"""
import sympy as sp

from losscert import compile_loss, conv1d
from losscert.coverage import source
from losscert.network import conv_matrix_entries
from losscert.proof import Proof

COVERS = [('lsz:Theorem 4 FULL', 'spot'),
          ('lsz:Theorem 4 SAME', 'spot'),
          ('lsz:Theorem 4 VALID', 'spot')]

d, k = 3, 2
X = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1], [1, 1, 0, 1]])     # d = 3 features, 4 samples
Y = sp.Matrix([[1, 2, 0, 1]])
M_star = Y * X.T * (X * X.T).inv()
L_star = sp.Rational(1, 2) * sum(v ** 2 for v in (M_star * X - Y))


def conv(mode, w):
    entries = conv_matrix_entries(d, k, mode)
    F = sp.zeros(max(r for r, _, _ in entries) + 1, d)
    for r, c, i in entries:
        F[r, c] = w[i]
    return F


def stacked(mode, kernels):
    out = conv(mode, kernels[0])
    for w in kernels[1:]:
        out = out.col_join(conv(mode, w))
    return out


def point(mode, kernels, U):
    rows = conv(mode, kernels[0]).rows
    theta = {f"k{ch + 1}_{i + 1}": w[i] for ch, w in enumerate(kernels) for i in range(k)}
    theta.update({f"c{ch + 1}_{r + 1} -> y1": U[ch * rows + r] for ch in range(len(kernels)) for r in range(rows)})
    return theta


def line(a, b):
    return [a, {key: sp.sympify(b[key]) - sp.sympify(a[key]) for key in a}]


def property_p(mode, channels, steps):
    """steps: the points (kernels, U) the path visits; each consecutive pair is one segment."""
    loss = compile_loss(conv1d(d, k, mode, channels=channels, d_y=1), X.tolist(), Y.tolist())
    proof = Proof(f"Theorem 4, {mode} mode, p_1 = {channels}: a non-increasing path to a global minimum",
                  source=source("lsz", f"Theorem 4 ({mode})"))
    pts = [point(mode, kern, U) for kern, U, _ in steps]
    for (a, b), (_, _, why) in zip(zip(pts, pts[1:]), steps[1:]):
        proof.non_increasing(loss, line(a, b), text=why)
    proof.critical_point(loss, pts[-1], text="the end point is critical")
    proof.loss_value(loss, pts[-1], L_star, text=f"the end point has the least-squares loss {L_star}")
    s = {v.param: v for v in loss.symbols()}
    K = [[s[f"k{ch + 1}_{i + 1}"] for i in range(k)] for ch in range(channels)]
    rows = conv(mode, K[0]).rows
    U = sp.Matrix([[s[f"c{ch + 1}_{r + 1} -> y1"] for ch in range(channels) for r in range(rows)]])
    squares = [(sp.Rational(1, 2), v) for v in ((U * stacked(mode, K) - M_star) * X)]
    proof.inequality(loss.expression(), L_star, certificate=squares,
                     text="L(theta) >= L* for every theta (sum of squares): the end is a global minimum")
    return proof


def u_star(mode, kernels):
    F = stacked(mode, kernels)
    return list(M_star * (F.T * F).inv() * F.T)


full_end = [(1, 1)]
PROOFS = [property_p("FULL", 1, [
    ([(0, 0)], [1, 2, 0, 1], ""),
    ([(0, 0)], [0, 0, 0, 0], "(a) w = 0: U -> 0 at constant loss (the output is 0)"),
    (full_end, [0, 0, 0, 0], "(b) U = 0: w -> (1, 1) at constant loss"),
    (full_end, u_star("FULL", full_end), "(c) U -> U* (f_F(w) has full column rank): non-increasing")])]

a, b = 2, 3                                           # f_S((0, b)) = (b/a) f_S((0, a))
same0 = [(0, a), (0, b)]
U0 = [1, -1, 2, 1, 1, 0]
U1 = [U0[r] + sp.Rational(b, a) * U0[3 + r] for r in range(3)] + [0, 0, 0]
same_end = [(0, a), (1, 0)]
PROOFS.append(property_p("SAME", 2, [
    (same0, U0, ""),
    (same0, U1, "(a) channel 2 = (b/a) channel 1: its output weights move onto channel 1 (constant loss)"),
    (same_end, U1, "(b) kernel 2 -> (1, 0) (its output weights are 0): constant loss"),
    (same_end, u_star("SAME", same_end), "(c) U -> U* (F(W) now has rank d): non-increasing")]))

valid0 = [(1, 1), (1, 1)]
V0 = [1, 2, -1, 1]
V1 = [V0[0] + V0[2], V0[1] + V0[3], 0, 0]
valid_end = [(1, 1), (1, -1)]
PROOFS.append(property_p("VALID", 2, [
    (valid0, V0, ""),
    (valid0, V1, "(a) equal kernels: channel 2's output weights move onto channel 1 (constant loss)"),
    (valid_end, V1, "(b) kernel 2 -> (1, -1) (its output weights are 0): constant loss"),
    (valid_end, u_star("VALID", valid_end), "(c) U -> U* (F(W) now has rank d = 3): non-increasing")]))
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
for _proof in PROOFS:
    _proof.covers = ['lsz:Theorem 4 FULL', 'lsz:Theorem 4 SAME', 'lsz:Theorem 4 VALID']
