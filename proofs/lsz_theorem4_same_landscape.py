"""lin-sun-zhang Theorem 4, SAME mode, p_1 = 1: the paper's valley example has no spurious valley.

L(U, w) = 1/2 ||U f_S(w) I_2 - diag(1, 4)||^2, f_S(w) = [[w1, w2], [0, w1]]
(conv1d(2, 2, SAME), X = I_2). The paper claims T0 = {w1 = u1 = 0, w2 = a,
u3 = 4/a} (loss 1/2, global minimum 0) is a spurious valley. The kernel proves
Property P from EVERY theta, in four regions that cover the parameter space:

- (A) w1 != 0: f_S(w) is invertible; U -> Y f_S(w)^-1 (affine) reaches 0.
- (B+) w1 = 0, w2 > 0 (and (B-) w2 < 0): U -> (0, -8/w2; 4/w2, 0) (affine: the
  output is U f_S(w), linear in U, and the end is the least-squares U on
  w1 = 0, loss 1/2); then (w1, u1) -> (w2/16, 9/(16 w2)) with dL/dt <= 0
  certified on [0, 1] (2L = 1 - (t/16)^2 + 81 (t/16)^4); then U -> Y f_S(w)^-1.
  The second segment leaves T0 through its points with w2 u2 = -8, where the
  Hessian is indefinite ([[w2^2, w2 u2 - 1], [w2 u2 - 1, u2^2 + u3^2]] has
  determinant -1 in (u1, w1)): T0's u2-direction is flat and reaches saddles.
- (C) w = 0: U -> 0, w -> (1, 0) (constant), U -> Y (affine).

So every sublevel component contains a global minimum: the example has no
spurious valley (for sublevel sets {L <= c}, the paper's Definition 3, and
{L < c} alike; nor a set-wise strict local minimum), contrary to the paper's
proof; "no spurious valley" is therefore verified on this instance. Erratum
(proof gap, catalogue item lsz:Theorem 4 SAME): the theorem's "a spurious
valley when p_1 = 1" is existential, and only its witness fails here.
The spurious_valley statement at a point of T0 is inconclusive: the point is
not a strict minimum, and no other certificate exists (there is no valley).
"""
import sympy as sp

from losscert import compile_loss, conv1d
from losscert.coverage import source
from losscert.landscapes import line, parameter_symbols, symbols_of
from losscert.proof import Proof

COVERS = [("lsz:Theorem 4 SAME", "step")]

net = conv1d(2, 2, "SAME", channels=1, d_y=2)
X, Y = sp.eye(2), sp.diag(1, 4)
names, symbols = parameter_symbols(net)
s = symbols_of(names)
U = ["c1_1 -> y1", "c1_2 -> y1", "c1_1 -> y2", "c1_2 -> y2"]       # u1, u2, u3, u4


def to_zero_loss(theta):
    f = sp.Matrix([[theta["k1_1"], theta["k1_2"]], [0, theta["k1_1"]]])
    Ustar = Y * f.inv()
    return {**theta, **{key: sp.cancel(Ustar[i]) for i, key in enumerate(U)}}


PROOF = Proof("Theorem 4, SAME mode, p_1 = 1: Property P from every theta (no spurious valley)",
              source=source("lsz", "Theorem 4 (proof, SAME mode, p_1 = 1)"))
start = dict(s)
PROOF.paths_to_global_minimum(net, X, Y, symbols, start, [line(start, to_zero_loss(start))], generic=[s["k1_1"]],
                              text="(A) every theta with w1 != 0: U -> Y f_S(w)^-1 reaches loss 0")
m = sp.Symbol("m")
for sign, cond in ((1, "> 0"), (-1, "< 0")):
    c = sign * m                                       # w2 = m or w2 = -m with m > 0
    start = {**s, "k1_1": 0, "k1_2": c}
    sym = {n: v for n, v in symbols.items() if n not in (names["k1_1"], names["k1_2"])}
    sym["m"] = "m > 0"
    flat = {**start, U[0]: 0, U[1]: -8 / c, U[2]: 4 / c, U[3]: 0}
    out = {**flat, "k1_1": c / 16, U[0]: sp.Rational(9, 16) / c}
    PROOF.paths_to_global_minimum(net, X, Y, sym, start, [line(start, flat), line(flat, out), line(out, to_zero_loss(out))],
                                  text=f"(B) every theta with w1 = 0, w2 {cond}: U -> (0, -8/w2; 4/w2, 0) (loss 1/2), "
                                       "(w1, u1) -> (w2/16, 9/(16 w2)) (dL/dt <= 0), U -> Y f_S(w)^-1",
                                  note="gap: Theorem 4 proof (SAME, p_1 = 1): T0 = {w1 = u1 = 0, w2 = a, u3 = 4/a, a > 0} is a "
                                       "connected component of {L <= 1/2} ('L(t_o + eps) > 0.5'), a spurious valley; "
                                       "its u2-direction is flat and reaches saddles (w2 u2 = -8), so the example "
                                       "has none" if sign > 0 else "")
    if sign > 0:
        steep = {**flat, "k1_1": c, U[0]: 9 / c}
        PROOF.paths_to_global_minimum(net, X, Y, sym, start,
                                      [line(start, flat), line(flat, steep), line(steep, to_zero_loss(steep))],
                                      expect="refuted", text="control: leaving T0 too far, (w1, u1) -> (w2, 9/w2), "
                                                             "increases the loss")
zero = {**s, "k1_1": 0, "k1_2": 0}
sym = {n: v for n, v in symbols.items() if n not in (names["k1_1"], names["k1_2"])}
silent = {**zero, **{key: 0 for key in U}}
moved = {**silent, "k1_1": 1}
PROOF.paths_to_global_minimum(net, X, Y, sym, zero, [line(zero, silent), line(silent, moved),
                                                     line(moved, to_zero_loss(moved))],
                              text="(C) every theta with w = 0: U -> 0, w -> (1, 0), U -> Y")
loss = compile_loss(net, X.tolist(), Y.tolist())
t0 = {"k1_1": 0, "k1_2": 1, U[0]: 0, U[1]: 0, U[2]: 4, U[3]: 0}
best = {"k1_1": 1, "k1_2": 0, U[0]: 1, U[1]: 0, U[2]: 0, U[3]: 4}
PROOF.loss_value(loss, {**t0, U[1]: -8}, "1/2", text="T0's flat direction: u2 = -8 (a = 1) keeps loss 1/2")
PROOF.saddle(loss, {**t0, U[1]: -8}, text="T0's point with a = 1, u2 = -8 is a saddle (the (u1, w1) block of the "
                                          "Hessian has determinant -1)")
PROOF.spurious_valley(loss, t0, best, expect="inconclusive",
                      text="the paper's valley point (a = 1) certifies no spurious valley (not a strict minimum)")
PROOF.covers = ["lsz:Theorem 4 SAME"]
