"""lin-sun-zhang Theorem 4 (linear CNNs), as landscape statements from every starting point.

Data: d = 3 features, 4 samples, kernel size 2, d_y = 1 (as lsz_theorem4_paths.py).
Every output is M X for a 1 x 3 map M, so L >= L* (the least-squares value; the
orthogonal matrices span the complement of the row space of X), an identity.

- FULL, one channel: (A) every theta with w != 0 (generic: det(f(w)^T f(w)),
  whose real zero set is w = 0): U -> U* = M* (f^T f)^-1 f^T (affine);
  (B) every theta with w = 0: U -> 0 (constant: the output is 0), w -> (1, 1)
  (constant: U = 0), U -> U* (affine). Cover, checked: det(f^T f) =
  (w_1^2 + w_2^2)(w_1^4 + w_2^4) (a determinant statement) >= |w|^6 / 2 (a
  sum-of-squares certificate), so (A) and (B) are every theta.
- VALID, p_1 = d_1 = 2 channels: (A) every theta with F(W) of full column rank
  (generic: det(F^T F)): U -> U*; (B) every theta whose kernels are w_2 = q w_1,
  w_1 != 0 (rank 1): channel 2's output weights move onto channel 1 (constant),
  w_2 -> (-w_12, w_11) (constant), U -> U* (affine, generic |w_1|^2 != 0);
  (C) w_1 = 0 != w_2: U_1 -> 0 (constant: channel 1 outputs 0), w_1 ->
  (-w_22, w_21) (constant), U -> U*; (D) W = 0: U -> 0, W -> ((1, 0), (0, 1)),
  U -> U*. Cover, checked: det(F^T F) = (w_11 w_22 - w_12 w_21)^2 |W|^2 (Cauchy-
  Binet: the four 3 x 3 minors are the cross term times -w_12, w_11, w_22, -w_21),
  and w_2 |w_1|^2 - <w_1, w_2> w_1 = (w_11 w_22 - w_12 w_21)(-w_12, w_11) (an
  identity). Argued, not checked: only the real-number logic joining them
  (a product of reals vanishes iff a factor does; a sum of squares iff every
  term does; the case split w_1 != 0 / w_1 = 0 != w_2 / W = 0).
"""
import sympy as sp

from losscert import conv1d
from losscert.coverage import source
from losscert.landscapes import least_squares, line, parameter_symbols, row_space_complement, symbols_of
from losscert.network import conv_matrix_entries
from losscert.proof import Proof

COVERS = [("lsz:Theorem 4 FULL", "instance"), ("lsz:Theorem 4 VALID", "instance")]

d, k = 3, 2
X = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1], [1, 1, 0, 1]])
Y = sp.Matrix([[1, 2, 0, 1]])
M, L_star = least_squares(X, Y)
ortho = row_space_complement(X, 1)


def stacked(mode, kernels):
    rows = []
    for w in kernels:
        entries = conv_matrix_entries(d, k, mode)
        F = sp.zeros(max(r for r, _, _ in entries) + 1, d)
        for r, c, i in entries:
            F[r, c] = w[i]
        rows.append(F)
    return sp.Matrix.vstack(*rows)


def kernels_of(theta, channels):
    return [[theta[f"k{ch + 1}_{i + 1}"] for i in range(k)] for ch in range(channels)]


def u_keys(mode, channels):
    rows = stacked(mode, [[0] * k]).rows
    return [f"c{ch + 1}_{r + 1} -> y1" for ch in range(channels) for r in range(rows)]


def with_u_star(theta, mode, channels):
    F = stacked(mode, kernels_of(theta, channels))
    G = F.T * F
    U = M * G.adjugate() * F.T / G.det()
    return {**theta, **{key: sp.cancel(U[i]) for i, key in enumerate(u_keys(mode, channels))}}


def gram_det(theta, mode, channels):
    F = stacked(mode, kernels_of(theta, channels))
    return sp.factor((F.T * F).det())


full = conv1d(d, k, "FULL", channels=1, d_y=1)
names, symbols = parameter_symbols(full)
s = symbols_of(names)
FULL = Proof("Theorem 4, FULL mode: Property P from every theta", source=source("lsz", "Theorem 4 (FULL)"))
start = dict(s)
FULL.paths_to_global_minimum(full, X, Y, symbols, start, [line(start, with_u_star(start, "FULL", 1))],
                             generic=[gram_det(start, "FULL", 1)], orthogonal=ortho,
                             text=f"(A) every theta with w != 0: U -> U* reaches L* = {L_star}")
zero = {**start, "k1_1": 0, "k1_2": 0}
sym0 = {n: c for n, c in symbols.items() if n not in (names["k1_1"], names["k1_2"])}
silent = {**zero, **{key: 0 for key in u_keys("FULL", 1)}}
moved = {**silent, "k1_1": 1, "k1_2": 1}
FULL.paths_to_global_minimum(full, X, Y, sym0, zero,
                             [line(zero, silent), line(silent, moved), line(moved, with_u_star(moved, "FULL", 1))],
                             orthogonal=ortho, text="(B) every theta with w = 0: U -> 0, w -> (1, 1), U -> U*")
FULL.paths_to_global_minimum(full, X, Y, sym0, zero, [line(zero, moved), line(moved, with_u_star(moved, "FULL", 1))],
                             orthogonal=ortho, expect="refuted",
                             text="control: (B) moving w before silencing U increases the loss somewhere")

valid = conv1d(d, k, "VALID", channels=2, d_y=1)
names, symbols = parameter_symbols(valid)
s = symbols_of(names)
VALID = Proof("Theorem 4, VALID mode, p_1 = d_1 = 2: Property P from every theta of the regions",
              source=source("lsz", "Theorem 4 (VALID)"))
start = dict(s)
VALID.paths_to_global_minimum(valid, X, Y, symbols, start, [line(start, with_u_star(start, "VALID", 2))],
                              generic=[gram_det(start, "VALID", 2)], orthogonal=ortho,
                              text="(A) every theta with F(W) of full column rank: U -> U*")
q = sp.Symbol("q")
w1 = [s["k1_1"], s["k1_2"]]
dep = {**start, "k2_1": q * w1[0], "k2_2": q * w1[1]}
sym_dep = {n: c for n, c in symbols.items() if n not in (names["k2_1"], names["k2_2"])}
sym_dep["q"] = "real"
moved = {**dep, **{f"c1_{r} -> y1": s[f"c1_{r} -> y1"] + q * s[f"c2_{r} -> y1"] for r in (1, 2)},
         **{f"c2_{r} -> y1": 0 for r in (1, 2)}}
turned = {**moved, "k2_1": -w1[1], "k2_2": w1[0]}
VALID.paths_to_global_minimum(valid, X, Y, sym_dep, dep,
                              [line(dep, moved), line(moved, turned), line(turned, with_u_star(turned, "VALID", 2))],
                              generic=[w1[0] ** 2 + w1[1] ** 2], orthogonal=ortho,
                              text="(B) every theta with w_2 = q w_1, w_1 != 0: move channel 2 onto 1, turn w_2, U -> U*")
VALID.paths_to_global_minimum(valid, X, Y, sym_dep, dep, [line(dep, turned), line(turned, with_u_star(turned, "VALID", 2))],
                              generic=[w1[0] ** 2 + w1[1] ** 2], orthogonal=ortho, expect="refuted",
                              text="control: (B) turning w_2 while channel 2 still has output weights increases the loss")
w2 = [s["k2_1"], s["k2_2"]]
c_start = {**start, "k1_1": 0, "k1_2": 0}
sym_c = {n: c for n, c in symbols.items() if n not in (names["k1_1"], names["k1_2"])}
c_silent = {**c_start, **{f"c1_{r} -> y1": 0 for r in (1, 2)}}
c_turned = {**c_silent, "k1_1": -w2[1], "k1_2": w2[0]}
VALID.paths_to_global_minimum(valid, X, Y, sym_c, c_start,
                              [line(c_start, c_silent), line(c_silent, c_turned),
                               line(c_turned, with_u_star(c_turned, "VALID", 2))],
                              generic=[w2[0] ** 2 + w2[1] ** 2], orthogonal=ortho,
                              text="(C) every theta with w_1 = 0 != w_2: U_1 -> 0 (constant: channel 1 outputs 0), "
                                   "w_1 -> (-w_22, w_21) (constant: U_1 = 0), U -> U*")
VALID.paths_to_global_minimum(valid, X, Y, sym_c, c_start,
                              [line(c_start, c_turned), line(c_turned, with_u_star(c_turned, "VALID", 2))],
                              generic=[w2[0] ** 2 + w2[1] ** 2], orthogonal=ortho, expect="refuted",
                              text="control: (C) turning w_1 before silencing U_1 increases the loss somewhere")
d_start = {**c_start, "k2_1": 0, "k2_2": 0}
sym_d = {n: c for n, c in sym_c.items() if n not in (names["k2_1"], names["k2_2"])}
d_silent = {**d_start, **{key: 0 for key in u_keys("VALID", 2)}}
d_moved = {**d_silent, "k1_1": 1, "k1_2": 0, "k2_1": 0, "k2_2": 1}
VALID.paths_to_global_minimum(valid, X, Y, sym_d, d_start,
                              [line(d_start, d_silent), line(d_silent, d_moved),
                               line(d_moved, with_u_star(d_moved, "VALID", 2))],
                              orthogonal=ortho, text="(D) every theta with W = 0: U -> 0, W -> ((1, 0), (0, 1)), U -> U*")
# the cover: (A) u (B) u (C) u (D) is every theta
a1, a2, b1, b2 = sp.symbols("a1 a2 b1 b2")
cross = a1 * b2 - a2 * b1
FV = stacked("VALID", [[a1, a2], [b1, b2]])
VALID.determinant(FV.T * FV, cross ** 2 * (a1 ** 2 + a2 ** 2 + b1 ** 2 + b2 ** 2),
                  text="cover, VALID: det(F^T F) = (w_11 w_22 - w_12 w_21)^2 |W|^2, so F(W) has full column rank "
                       "unless w_1, w_2 are parallel")
VALID.identity(sp.Matrix([[b1 * (a1 ** 2 + a2 ** 2) - (a1 * b1 + a2 * b2) * a1],
                          [b2 * (a1 ** 2 + a2 ** 2) - (a1 * b1 + a2 * b2) * a2]]),
               sp.Matrix([[-a2 * cross], [a1 * cross]]),
               text="cover, VALID: w_2 |w_1|^2 - <w_1, w_2> w_1 = (w_11 w_22 - w_12 w_21) (-w_12, w_11), so parallel "
                    "kernels with w_1 != 0 have w_2 = q w_1 (q = <w_1, w_2> / |w_1|^2): region (B)")
VALID.determinant(FV.T * FV, (a1 ** 2 + a2 ** 2 + b1 ** 2 + b2 ** 2) ** 2 * cross ** 2, expect="refuted",
                  text="control: a wrong Gram determinant is refuted")
FF = stacked("FULL", [[a1, a2]])
FULL.determinant(FF.T * FF, (a1 ** 2 + a2 ** 2) * (a1 ** 4 + a2 ** 4),
                 text="cover, FULL: det(f^T f) = (w_1^2 + w_2^2)(w_1^4 + w_2^4)")
FULL.inequality((a1 ** 2 + a2 ** 2) * (a1 ** 4 + a2 ** 4), (a1 ** 2 + a2 ** 2) ** 3 / 2,
                certificate=[(sp.Rational(1, 2), a1 * (a1 ** 2 - a2 ** 2)), (sp.Rational(1, 2), a2 * (a1 ** 2 - a2 ** 2))],
                text="cover, FULL: det(f^T f) >= |w|^6 / 2, so det(f^T f) = 0 only at w = 0: (A) and (B) cover every theta")
FULL.covers, VALID.covers = ["lsz:Theorem 4 FULL"], ["lsz:Theorem 4 VALID"]
PROOFS = [FULL, VALID]
