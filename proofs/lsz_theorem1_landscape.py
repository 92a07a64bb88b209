"""lin-sun-zhang Theorem 1 (1) and (3), ICLR Theorem 1: Property P from every starting point of a region.

Each statement is decided by the kernel for every value of the symbols at once
(kernel/landscape.py): the path starts at theta, its segments join, the loss
never increases along each segment, and the end's loss equals the
least-squares value L*, a lower bound of L over all parameters (every output
M X lies in the row space of X: an identity).

- Theorem 1 (1), p_i = d_i: SD net with patterns {x1, x2} (2 neurons) and {x3}
  (1 neuron), d_y = 2, X 3 x 4. (A) every theta with det W_1 != 0 and w_3 != 0:
  U -> U* = M* W^-1 (outputs affine in U). (B) every theta whose W_1 has rows
  (a, b), (q a, q b), (a, b) != 0, w_3 != 0 (rank 1): Lemma 1's move of U's
  column (constant output), the dependent row -> (-b, a) (constant: its
  outgoing weights are 0), U -> U* (affine).
- Theorem 1 (3), d_y = 1: patterns {x1, x2}, {x2, x3}; (A) u_1 u_2 != 0: each
  w_i -> v_i* / u_i (outputs affine); (B) u_1 = 0, u_2 != 0: w_1 -> 0, u_1 -> 1
  (constant), then as (A).
- ICLR Theorem 1 (scalar output, any sparsity): patterns {x1}, {x1, x2}, {x3},
  u_1 u_2 u_3 != 0, as (3A).
"""
import sympy as sp

from losscert import sparse_dense
from losscert.coverage import source
from losscert.landscapes import least_squares, line, parameter_symbols, row_space_complement, symbols_of
from losscert.proof import Proof

COVERS = [("lsz:Theorem 1 (1)", "instance"), ("lsz:Theorem 1 (3)", "instance"), ("iclr:Theorem 1", "step")]

X = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1], [1, 1, 0, 1]])
Y = sp.Matrix([[1, 2, 0, 1], [0, 1, 1, 3]])

# -- condition 1 ------------------------------------------------------------------------------------
net = sparse_dense([(0, 1), (0, 1), (2,)], d_x=3, d_y=2)
names, symbols = parameter_symbols(net)
s = symbols_of(names)
start = dict(s)
Wk = ["x1 -> h1_1", "x2 -> h1_1", "x1 -> h1_2", "x2 -> h1_2", "x3 -> h1_3"]
Uk = [f"h1_{j} -> y{i}" for i in (1, 2) for j in (1, 2, 3)]
M, L_star = least_squares(X, Y)
ortho = row_space_complement(X, 2)


def with_u_star(theta):
    """theta with U replaced by M* W^-1 (W the block-diagonal first layer of theta)."""
    W = sp.Matrix([[theta[Wk[0]], theta[Wk[1]], 0], [theta[Wk[2]], theta[Wk[3]], 0], [0, 0, theta[Wk[4]]]])
    U = M * W.inv()
    return {**theta, **{k: sp.cancel(U[i]) for i, k in enumerate(Uk)}}


det1 = s[Wk[0]] * s[Wk[3]] - s[Wk[1]] * s[Wk[2]]
cond1 = Proof("Theorem 1 (1): from every theta with full-rank patterns, a non-increasing path to a global minimum",
              source=source("lsz", "Theorem 1 (1), Appendix C.1"))
cond1.paths_to_global_minimum(net, X, Y, symbols, start, [line(start, with_u_star(start))],
                              generic=[det1, s[Wk[4]]], orthogonal=ortho,
                              text=f"(A) every theta with det W_1 != 0, w_3 != 0: U -> M* W^-1 reaches L* = {L_star}")
a, b, q = sp.symbols("a b q")
sym_b = {k: "real" for k in symbols if k not in (names[Wk[2]], names[Wk[3]])}
sym_b.update({"a": "real", "b": "real", "q": "real"})
sym_b.pop(names[Wk[0]]), sym_b.pop(names[Wk[1]])
start_b = {**start, Wk[0]: a, Wk[1]: b, Wk[2]: q * a, Wk[3]: q * b}
lemma = {**start_b, **{f"h1_1 -> y{i}": s[f"h1_1 -> y{i}"] + q * s[f"h1_2 -> y{i}"] for i in (1, 2)},
         **{f"h1_2 -> y{i}": 0 for i in (1, 2)}}
turned = {**lemma, Wk[2]: -b, Wk[3]: a}
cond1.paths_to_global_minimum(net, X, Y, sym_b, start_b,
                              [line(start_b, lemma), line(lemma, turned), line(turned, with_u_star(turned))],
                              generic=[a ** 2 + b ** 2, s[Wk[4]]], orthogonal=ortho,
                              text="(B) every theta whose W_1 = [(a, b); q (a, b)] has rank 1 (w_3 != 0): Lemma 1, "
                                   "turn the dependent row, U -> U*")
bad = {**lemma, Wk[2]: -b + 1, Wk[3]: a}
cond1.paths_to_global_minimum(net, X, Y, sym_b, start_b, [line(start_b, lemma), line(turned, with_u_star(turned))],
                              generic=[a ** 2 + b ** 2, s[Wk[4]]], orthogonal=ortho, expect="refuted",
                              text="control: (B) without the middle segment leaves a gap")


# -- condition 3 and ICLR Theorem 1: scalar output -------------------------------------------------------
def scalar_output(patterns, title, src, covers_u1_zero):
    net = sparse_dense(patterns, d_x=3, d_y=1)
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    y = Y[:1, :]
    Mv, L1 = least_squares(X, y)
    proof = Proof(title, source=src)
    us = [s[f"h1_{j + 1} -> y1"] for j in range(len(patterns))]
    # v* split over the neurons: coordinate i goes to the first neuron that sees x_i
    owner = {}
    for j, pat in enumerate(patterns):
        for i in pat:
            owner.setdefault(i, j)

    def end_of(theta):
        return {**theta, **{f"x{i + 1} -> h1_{j + 1}": (Mv[i] / theta[f"h1_{j + 1} -> y1"] if owner[i] == j else 0)
                            for j, pat in enumerate(patterns) for i in pat}}
    start = dict(s)
    proof.paths_to_global_minimum(net, X, y, symbols, start, [line(start, end_of(start))], generic=us,
                                  orthogonal=row_space_complement(X, 1),
                                  text=f"(A) every theta with every u_i != 0: w_i -> v*_i / u_i reaches L* = {L1}")
    if covers_u1_zero:
        start0 = {**start, "h1_1 -> y1": 0}
        sym0 = {k: v for k, v in symbols.items() if k != names["h1_1 -> y1"]}
        silent = {**start0, **{f"x{i + 1} -> h1_1": 0 for i in patterns[0]}}
        woken = {**silent, "h1_1 -> y1": 1}
        proof.paths_to_global_minimum(net, X, y, sym0, start0,
                                      [line(start0, silent), line(silent, woken), line(woken, end_of(woken))],
                                      generic=us[1:], orthogonal=row_space_complement(X, 1),
                                      text="(B) every theta with u_1 = 0, u_2 != 0: w_1 -> 0, u_1 -> 1 (constant), "
                                           "then w_i -> v*_i / u_i")
        wrong = {**start0, **{k: v + 1 for k, v in end_of(woken).items() if k.startswith("x")}}
        proof.paths_to_global_minimum(net, X, y, sym0, start0,
                                      [line(start0, silent), line(silent, woken), line(woken, wrong)],
                                      generic=us[1:], orthogonal=row_space_complement(X, 1), expect="refuted",
                                      text="control: a last segment past the least-squares map increases the loss")
        proof.paths_to_global_minimum(net, X, y, sym0, start0, [line(start0, silent), line(silent, woken)],
                                      generic=us[1:], orthogonal=row_space_complement(X, 1), expect="inconclusive",
                                      text="control: stopping before the last segment does not reach a global minimum")
    return proof


cond3 = scalar_output([(0, 1), (1, 2)], "Theorem 1 (3): d_y = 1, Property P from every theta of the regions",
                      source("lsz", "Theorem 1 (3)"), True)
iclr = scalar_output([(0,), (0, 1), (2,)], "ICLR Theorem 1: scalar output, Property P from every theta with u != 0",
                     source("iclr", "Theorem 1"), False)
cond1.covers, cond3.covers, iclr.covers = ["lsz:Theorem 1 (1)"], ["lsz:Theorem 1 (3)"], ["iclr:Theorem 1"]
PROOFS = [cond1, cond3, iclr]
