"""lin-sun-zhang Theorem 1 (1) and (3), ICLR Theorem 1: Property P from every starting point of a region.

Each statement is decided by the kernel for every value of the symbols at once
(kernel/landscape.py): the path starts at theta, its segments join, the loss
never increases along each segment, and the end's loss equals the
least-squares value L*, a lower bound of L over all parameters (every output
M X lies in the row space of X: an identity).

- Theorem 1 (1), p_i = d_i: SD net with patterns {x1, x2} (2 neurons) and {x3}
  (1 neuron), d_y = 2, X 3 x 4. Eight regions: W_1 with det W_1 != 0, of rank 1
  (rows (a, b), q (a, b), (a, b) != 0), with row 1 = 0 != row 2, or W_1 = 0;
  times w_3 != 0 or w_3 = 0. Each path first makes the first layer full rank
  by constant moves (a silent neuron: its output weights -> 0, then its row ->
  a new one; Lemma 1: the dependent neuron's output weights move onto the
  other, then its row -> (-b, a)), then U -> U* = M* W^-1 (affine). Cover:
  the identity row_2 |row_1|^2 - <row_1, row_2> row_1 = det W_1 (-b, a) shows
  det W_1 = 0, row_1 != 0 is the rank-1 region; the rest is a case split.
- Theorem 1 (3), d_y = 1: patterns {x1, x2}, {x2, x3}; ICLR Theorem 1 (scalar
  output, any sparsity): patterns {x1}, {x1, x2}, {x3}. One region per set Z of
  vanishing output weights (all 2^p, so every theta): w_j -> 0 and u_j -> 1 for
  j in Z (constant), then each w_i -> v*_i / u_i (outputs affine).

Property P gives no spurious valley and no spurious strict minimum; it does
not exclude non-strict spurious minima, so ICLR Theorem 1 ("every local
minimum is global") stays a step.
"""
import itertools

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


cond1 = Proof("Theorem 1 (1): from every theta, a non-increasing path to a global minimum",
              source=source("lsz", "Theorem 1 (1), Appendix C.1"))
a, b, q = sp.symbols("a b q")
Ucol = {j: [f"h1_{j} -> y{i}" for i in (1, 2)] for j in (1, 2, 3)}


def condition1_region(w1_case, w3_zero):
    """(start, symbols, segments before U -> U*, generic) of one region: W_1 "full" (det != 0), "rank1"
    (rows (a, b), q (a, b), (a, b) != 0), "row2" (row 1 zero, row 2 (a, b) != 0) or "zero"; w_3 = 0 or not."""
    syms, start, generic = dict(symbols), dict(start_all), []
    drop = lambda *keys: [syms.pop(names[k]) for k in keys]
    if w1_case == "full":
        generic.append(s[Wk[0]] * s[Wk[3]] - s[Wk[1]] * s[Wk[2]])
    else:
        drop(*Wk[:4])
        rows = {"rank1": (a, b, q * a, q * b), "row2": (0, 0, a, b), "zero": (0, 0, 0, 0)}[w1_case]
        start.update(zip(Wk[:4], rows))
        syms.update({"a": "real", "b": "real", "q": "real"} if w1_case == "rank1" else
                    {"a": "real", "b": "real"} if w1_case == "row2" else {})
        generic += [a ** 2 + b ** 2] if w1_case != "zero" else []
    if w3_zero:
        drop(Wk[4])
        start[Wk[4]] = 0
    else:
        generic.append(s[Wk[4]])
    points = [start]

    def step(**changes):
        points.append({**points[-1], **changes})
    if w3_zero:                                       # neuron 3 is silent: its output weights, then w_3
        step(**{k: 0 for k in Ucol[3]})
        step(**{Wk[4]: 1})
    if w1_case == "rank1":                            # Lemma 1: neuron 2's weights onto neuron 1, turn row 2
        step(**{Ucol[1][i]: points[-1][Ucol[1][i]] + q * points[-1][Ucol[2][i]] for i in (0, 1)},
             **{k: 0 for k in Ucol[2]})
        step(**{Wk[2]: -b, Wk[3]: a})
    elif w1_case == "row2":                           # neuron 1 is silent: turn row 1
        step(**{k: 0 for k in Ucol[1]})
        step(**{Wk[0]: -b, Wk[1]: a})
    elif w1_case == "zero":
        step(**{k: 0 for k in Ucol[1] + Ucol[2]})
        step(**{Wk[0]: 1, Wk[1]: 0, Wk[2]: 0, Wk[3]: 1})
    step(**{k: v for k, v in with_u_star(points[-1]).items() if k in Uk})
    return syms, points, generic


start_all = dict(start)
CASES = {"full": "det W_1 != 0", "rank1": "W_1 = [(a, b); q (a, b)], (a, b) != 0",
         "row2": "W_1 = [0; (a, b)], (a, b) != 0", "zero": "W_1 = 0"}
for w3_zero in (False, True):
    for case, what in CASES.items():
        syms, pts, generic = condition1_region(case, w3_zero)
        cond1.paths_to_global_minimum(net, X, Y, syms, pts[0], [line(x, y) for x, y in zip(pts, pts[1:])],
                                      generic=generic, orthogonal=ortho,
                                      text=f"every theta with {what}, w_3 {'= 0' if w3_zero else '!= 0'}: "
                                           f"{len(pts) - 2} constant moves to full rank, U -> U* (L* = {L_star})")
syms, pts, generic = condition1_region("rank1", False)
cond1.paths_to_global_minimum(net, X, Y, syms, pts[0], [line(pts[0], pts[1]), line(pts[2], pts[3])],
                              generic=generic, orthogonal=ortho, expect="refuted",
                              text="control: (rank 1) without the middle segment leaves a gap")
r1, r2 = sp.Matrix([[a, b]]), sp.Matrix(sp.symbols("c e")).T
cond1.identity(r2 * (a ** 2 + b ** 2) - (r1.dot(r2)) * r1, (a * r2[1] - b * r2[0]) * sp.Matrix([[-b, a]]),
               text="cover: row_2 |row_1|^2 - <row_1, row_2> row_1 = det W_1 (-b, a), so det W_1 = 0 with row_1 != 0 "
                    "is the rank-1 region (q = <row_1, row_2> / |row_1|^2)")


# -- condition 3 and ICLR Theorem 1: scalar output -------------------------------------------------------
def scalar_output(patterns, title, src):
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
    for k in range(1, len(patterns) + 1):              # the regions where exactly the u_j, j in Z, vanish
        for Z in itertools.combinations(range(len(patterns)), k):
            zero = {**start, **{f"h1_{j + 1} -> y1": 0 for j in Z}}
            syms = {n: v for n, v in symbols.items() if n not in {names[f"h1_{j + 1} -> y1"] for j in Z}}
            silent = {**zero, **{f"x{i + 1} -> h1_{j + 1}": 0 for j in Z for i in patterns[j]}}
            woken = {**silent, **{f"h1_{j + 1} -> y1": 1 for j in Z}}
            rest = [u for j, u in enumerate(us) if j not in Z]
            said = ", ".join(f"u_{j + 1}" for j in Z)
            proof.paths_to_global_minimum(net, X, y, syms, zero, [line(zero, silent), line(silent, woken),
                                                                  line(woken, end_of(woken))],
                                          generic=rest, orthogonal=row_space_complement(X, 1),
                                          text=f"every theta with {said} = 0 (the other u_j != 0): their w_j -> 0, "
                                               "u_j -> 1 (constant), then w_i -> v*_i / u_i")
    start0 = {**start, "h1_1 -> y1": 0}
    sym0 = {k: v for k, v in symbols.items() if k != names["h1_1 -> y1"]}
    silent = {**start0, **{f"x{i + 1} -> h1_1": 0 for i in patterns[0]}}
    woken = {**silent, "h1_1 -> y1": 1}
    wrong = {**start0, **{k: v + 1 for k, v in end_of(woken).items() if k.startswith("x")}}
    proof.paths_to_global_minimum(net, X, y, sym0, start0,
                                  [line(start0, silent), line(silent, woken), line(woken, wrong)],
                                  generic=us[1:], orthogonal=row_space_complement(X, 1), expect="refuted",
                                  text="control: a last segment past the least-squares map increases the loss")
    proof.paths_to_global_minimum(net, X, y, sym0, start0, [line(start0, silent), line(silent, woken)],
                                  generic=us[1:], orthogonal=row_space_complement(X, 1), expect="inconclusive",
                                  text="control: stopping before the last segment does not reach a global minimum")
    return proof


cond3 = scalar_output([(0, 1), (1, 2)], "Theorem 1 (3): d_y = 1, Property P from every theta",
                      source("lsz", "Theorem 1 (3)"))
iclr = scalar_output([(0,), (0, 1), (2,)], "ICLR Theorem 1: scalar output, Property P from every theta",
                     source("iclr", "Theorem 1"))
cond1.covers, cond3.covers, iclr.covers = ["lsz:Theorem 1 (1)"], ["lsz:Theorem 1 (3)"], ["iclr:Theorem 1"]
PROOFS = [cond1, cond3, iclr]
