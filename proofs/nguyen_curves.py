"""nguyen (connected sublevel sets): the curves of Lemmas 3.3, 4.3, 5.2, 5.3 and Lemma 2.3 for ELU.

With Leaky-ReLU the inverse of sigma is piecewise linear, so every value
here is exact.

- Lemma 4.3: F(:, J) = F(:, I) M (J the dependent columns); the curve
  c(lambda)_I = W_I + lambda M W_J, c(lambda)_J = (1 - lambda) W_J keeps
  F c(lambda) = F W, and c(1)_J = 0: an identity in lambda and in symbolic F_I, M, W.
- Lemma 3.3 (k = 2): for given full-rank W_2, b_2 and a target A, the map h
  (invert sigma, the left inverse of W_2, then X^-1) gives W_1 with
  F_2 = A: the compiled network (output weights I) fits A with loss 0.
- Lemma 5.2 (n >= N): from two equal neurons (rank sigma(X W + 1 b^T) = 1 < N),
  move V onto one of them, then give the freed neuron new weights: the
  output sigma(X W + 1 b^T) V stays fixed (identities in lambda) and the end has rank N.
- Lemma 5.3 (n = 2N): from W to W' with sigma(X W) V fixed, in four
  segments (move V onto columns I, move the free columns to W', move V onto
  them, move the columns I to W'); each an identity in lambda; ranks N at
  both ends checked by the kernel.
- Lemma 2.3 for ELU (alpha = 1 and 1/2) and for larger shift sets of Leaky-ReLU:
  the functions sigma(x - a_i) are independent (Arb minors of their values).
"""
import sympy as sp

from losscert import compile_loss, dense
from losscert.activations import activation
from losscert.coverage import source
from losscert.proof import Proof

COVERS = [('nguyen:Lemma 4.3', 'instance'),
          ('nguyen:Lemma 3.3', 'instance'),
          ('nguyen:Lemma 5.2', 'instance'),
          ('nguyen:Lemma 5.3', 'instance'),
          ('nguyen:Lemma 2.3 (ELU)', 'instance'),
          ('nguyen:Lemma 2.3 (piecewise linear)', 'instance'),
          ('nguyen:Assumption 2.2', 'instance'),
          ('nguyen:Theorem 3.2', 'step'),
          ('nguyen:Theorem 4.2', 'step'),
          ('nguyen:Theorem 5.1', 'step')]
lam = sp.Symbol("lambda")
sigma = activation("leaky_relu(1/2)")


def inv_sigma(y):
    return y if y >= 0 else 2 * y


def act(M):
    return M.applyfunc(sigma)


def mat(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i + 1}_{j + 1}"))


# -- Lemma 4.3 -------------------------------------------------------------------------------------
l43 = Proof("Lemma 4.3: a curve keeping F W fixed", source=source("nguyen", "Lemma 4.3"))
for N, r, k, p in ((3, 2, 2, 2), (2, 1, 2, 3), (4, 2, 1, 2)):
    FI, M, WI, WJ = mat("f", N, r), mat("m", r, k), mat("w", r, p), mat("v", k, p)
    F, W = FI.row_join(FI * M), WI.col_join(WJ)
    c = (WI + lam * M * WJ).col_join((1 - lam) * WJ)
    l43.identity(F * c, F * W, text=f"N = {N}, |I| = {r}, |J| = {k}, p = {p}: F c(lambda) = F W for every lambda")
    l43.identity(c.subs(lam, 1)[r:, :], sp.zeros(k, p), text="c(1) has zero rows on J: F c(1) ignores F(:, J)")

# -- Lemma 3.3 -------------------------------------------------------------------------------------
l33 = Proof("Lemma 3.3: the map h inverts the layers (Leaky-ReLU, k = 2)", source=source("nguyen", "Lemma 3.3"))
X = sp.Matrix([[1, 2], [3, -1]])                     # N = 2 samples (rows), d = 2, rank N
W2 = sp.Matrix([[1, 0], [2, 1], [0, -1]])            # n_1 = 3 > n_2 = 2, full rank
b2 = sp.Matrix([[1, -1]])
A = sp.Matrix([[3, -2], [sp.Rational(1, 2), 5]])     # any target
B = A.applyfunc(inv_sigma) - sp.ones(2, 1) * b2
F1 = B * (W2.T * W2).inv() * W2.T                    # F_1 W_2 = B (left inverse of W_2)
W1 = X.inv() * F1.applyfunc(inv_sigma)               # X W_1 = sigma^-1(F_1) (b_1 = 0)
l33.identity(act(act(X * W1) * W2 + sp.ones(2, 1) * b2), A, text="F_2(h(W_2, b_2, A), W_2, b_2) = A (exact)")
net = dense([2, 3, 2, 2], activation="leaky_relu(1/2)", biases=True)
loss = compile_loss(net, X.T.tolist(), A.T.tolist())
theta = {}
for i in range(2):
    for j in range(3):
        theta[f"x{i + 1} -> h1_{j + 1}"] = W1[i, j]
for i in range(3):
    for j in range(2):
        theta[f"h1_{i + 1} -> h2_{j + 1}"] = W2[i, j]
for i in range(2):
    for j in range(2):
        theta[f"h2_{i + 1} -> y{j + 1}"] = int(i == j)
theta.update({f"b:h1_{j + 1}": 0 for j in range(3)})
theta.update({f"b:h2_{j + 1}": b2[j] for j in range(2)})
l33.loss_value(loss, theta, 0, text="the compiled network (output weights I) fits A exactly: L = 0")


# -- Lemma 5.2 -------------------------------------------------------------------------------------
def ones(n):
    return sp.ones(n, 1)


l52 = Proof("Lemma 5.2: a curve to rank sigma(X W + 1 b^T) = N", source=source("nguyen", "Lemma 5.2"))
X = sp.Matrix([[1, 2], [3, -1]])
W = sp.Matrix([[1, 1], [-1, -1]])                    # n = 2 = N neurons, equal: rank 1
b = sp.Matrix([[0, 0]])
V = sp.Matrix([[2], [3]])
Z = act(X * W + ones(2) * b) * V
V_lam = sp.Matrix([[2 + 3 * lam], [3 * (1 - lam)]])  # neuron 2 duplicates neuron 1 (M = 1)
l52.identity(act(X * W + ones(2) * b) * V_lam, Z, text="(a) V moves onto neuron 1: the output is fixed")
W_new, b_new = sp.Matrix([[1, 1], [-1, 2]]), sp.Matrix([[0, 1]])
W_lam = W + lam * (W_new - W)
b_lam = b + lam * (b_new - b)
V1 = V_lam.subs(lam, 1)
l52.identity(act(X * W_lam + ones(2) * b_lam) * V1, Z,
             text="(b) neuron 2 (zero outgoing weight) moves to new weights: the output is fixed")
l52.activation_rank("leaky_relu(1/2)", [[1, -1, 0], [1, 2, 1]], [[1, 3], [2, -1], [1, 1]], 2,
                    text="the end: rank sigma(X W(1) + 1 b(1)^T) = N = 2")
l52.activation_rank("leaky_relu(1/2)", [[1, -1, 0], [1, -1, 0]], [[1, 3], [2, -1], [1, 1]], 1,
                    text="the start: rank 1 (equal neurons)")

# -- Lemma 5.3 -------------------------------------------------------------------------------------
l53 = Proof("Lemma 5.3: from W to W' with sigma(X W) V fixed (n = 2N)", source=source("nguyen", "Lemma 5.3"))
W = sp.Matrix([[1, 0, 1, 2], [0, 1, 1, -1]])         # d = 2, n = 4
Wp = sp.Matrix([[2, -1, 1, 0], [1, 1, -1, 1]])
V = sp.Matrix([[1], [2], [-1], [1]])
H = act(X * W)
target = H * V
l53.activation_rank("leaky_relu(1/2)", W.T.tolist(), X.T.tolist(), 2, text="rank sigma(X W) = N = 2")
l53.activation_rank("leaky_relu(1/2)", Wp.T.tolist(), X.T.tolist(), 2, text="rank sigma(X W') = N = 2")
M = H[:, :2].inv() * H[:, 2:]                        # columns 3, 4 in terms of columns 1, 2
V1 = (V[:2, :] + M * V[2:, :]).col_join(sp.zeros(2, 1))
seg1 = (V[:2, :] + lam * M * V[2:, :]).col_join((1 - lam) * V[2:, :])
l53.identity(H * seg1, target, text="(1) V moves onto columns 1, 2: the output is fixed")
W_mid = W[:, :2].row_join(Wp[:, 2:])
l53.identity(act(X * (W[:, :2].row_join((1 - lam) * W[:, 2:] + lam * Wp[:, 2:]))) * V1, target,
             text="(2) columns 3, 4 (zero outgoing weights) move to W'_(3,4): the output is fixed")
H2 = act(X * W_mid)
V2 = sp.zeros(2, 1).col_join(H2[:, 2:].inv() * H2[:, :2] * V1[:2, :])
l53.identity(H2 * ((1 - lam) * V1 + lam * V2), target, text="(3) V moves onto columns 3, 4: the output is fixed")
l53.identity(act(X * (((1 - lam) * W[:, :2] + lam * Wp[:, :2]).row_join(Wp[:, 2:]))) * V2, target,
             text="(4) columns 1, 2 (zero outgoing weights) move to W'_(1,2): the output is fixed")
l53.identity(((1 - lam) * W[:, :2] + lam * Wp[:, :2]).row_join(Wp[:, 2:]).subs(lam, 1), Wp, text="W(1) = W'")

# -- Lemma 2.3 for ELU and more shifts ---------------------------------------------------------------
l23 = Proof("Lemma 2.3: ELU and larger shift sets", source=source("nguyen", "Lemma 2.3"))
points = [[-1, "1/2", "3/2", 3, 5], [1, 1, 1, 1, 1]]                     # (x, 1): sigma(x - a) = sigma((1, -a).(x, 1))
for name in ("elu", "elu(1/2)"):
    l23.activation_rank(name, [[1, 0], [1, -1], [1, -2]], points, 3,
                        text=f"{name}: sigma(x), sigma(x - 1), sigma(x - 2) are independent (Arb minor)")
l23.activation_rank("leaky_relu(1/10)", [[1, 0], [1, "-1/2"], [1, -1], [1, -2], [1, -4]], points, 5,
                    text="leaky_relu(1/10): five shifts 0, 1/2, 1, 2, 4 give independent functions (exact)")
l23.activation_rank("linear", [[1, 0], [1, -1], [1, -2]], points, 2,
                    text="linear: only rank 2 (x = 2 (x - 1) - (x - 2)): Assumption 2.2 fails")
PROOFS = [l43, l33, l52, l53, l23]
# the items these proofs speak about beyond their source lines (losscert.coverage.names_item)
l23.covers = ['nguyen:Lemma 2.3 (ELU)', 'nguyen:Lemma 2.3 (piecewise linear)', 'nguyen:Assumption 2.2']
l33.covers = ['nguyen:Lemma 3.3', 'nguyen:Theorem 3.2']
l43.covers = ['nguyen:Lemma 4.3', 'nguyen:Theorem 4.2']
l52.covers = ['nguyen:Lemma 5.2', 'nguyen:Theorem 5.1']
l53.covers = ['nguyen:Lemma 5.3', 'nguyen:Theorem 5.1']
