"""The Hessian of a one-hidden-layer network in blocks, proven positive
definite without a P x P array.

For the papers' two-layer networks (every hidden node reads only inputs,
every output is a linear node reading only hidden nodes; no tied or fixed
weights) H / 2s = J^T J + G is made of a few per-sample arrays:
a_t = x_i sigma'_j for the weight t of an edge i -> j into hidden node j
(x = 1 for its bias), f_p = h_j for the weight p of an edge j -> k into
output k (1 for its bias), the residuals r_k and the output weights V:

    (p, p')  both into output k:  sum_n f_p f_p'         (0 across outputs)
    (t, p)   t into j, p into k:  V_jk sum_n a_t f_p + [p is j -> k] sum_n r_k a_t
    (t, t')  into j and j':       (V V^T)_jj' sum_n a_t a_t'
                                  + [j = j'] sum_n (sum_k r_k V_jk) sigma''_j x_i x_i'

The output parameters' block is block diagonal (one block per output), so
:func:`.verified.is_spd_arrow` factors it block by block and then the inner
parameters' Schur complement: arrays of P x |inner| floats instead of P x P.

Exactness: the per-sample values are the certified floats of
:mod:`.shallow_pass` (within 2^-42 of the exact values, relatively: they
count as m_v = 2048 roundings) or, when it declines, the exact rationals of
the integer pass (:mod:`losscert.integer_pass`) each rounded once (within
2^-51: m_v = 4), all non-zero ones in [2^-120, 2^120] (so no product of six
of them underflows or overflows). Every computed entry is then
sum_terms t (1 + theta_t) with |theta_t| <= gamma_K, K = N + d_y + 6 m_v + 16
roundings at most on one term (Higham, Lemmas 3.1 and 3.3), and by
Cauchy-Schwarz the sum of |t| over an entry is at most
rJ_a rJ_b + rG_a rG_b + alpha_a beta_b + beta_a alpha_b with
rJ = the norm of J's column, rG_t = (sum_n w_j x_i^2)^(1/2) with
w_j = (sum_k |r_k V_jk|) |sigma''_j|, alpha_t = ||a_t||, beta_p = ||r_k|| for
the edge p into k: the radius is four rank-one terms (docs/rules.md).

>>> from losscert.network import sparse_dense
>>> from losscert.compiler import compile_loss
>>> net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=2, activation="poly(0, 1, 1/2)")
>>> X = [[1, 2, 0, -1, 3, 1], [0, 1, 1, 2, -1, 1], [2, 0, 1, 1, 1, -2]]
>>> loss = compile_loss(net, X, [[1, 0, 2, 1, 0, 1], [0, 1, 1, 0, 2, 1]])
>>> blocks = hessian_blocks(loss, loss.point({p: "1/2" for p in net.parameters}))
>>> len(blocks.order), [len(b) for b in blocks.output_blocks]
(8, [2, 2])
"""
from __future__ import annotations

from .. import integer_pass
from . import shallow_pass, verified
from .shallow_pass import Shape

SLACK = 1 + 2.0 ** -20                   # on every norm: its own rounding (N <= 2^30 samples)
MAX_SAMPLES = 1 << 30
MAX_BYTES = 8 << 30                      # the float arrays (the integer pass's are the gradient's anyway)
EXTRA_ROUNDINGS = 16                     # per term beyond its sums' N + d_y and its six values' own errors
COMBINATIONS = 16                        # the tangents' self-check: this many random combinations of them


def _np():
    import numpy
    return numpy


def applies(loss) -> bool:
    """The network is one the blocks handle (one hidden layer, no tied or fixed weights)."""
    try:
        Shape(loss)
    except ValueError:
        return False
    return True


def _column(values, n: int, fill: float):
    np = _np()
    return np.full(n, fill) if values is None else values


def hessian_blocks(loss, theta, forward: dict | None = None) -> "Blocks | None":
    """The blocks of H / 2s at the rational point theta (see the module
    docstring), or None when the network is not a one-hidden-layer network
    without tied or fixed weights, neither the modular pass nor the integer
    pass applies, an activation sits at a kink, or a value is outside shallow_pass.RANGE.
    ``forward``: the forward pass kept by
    :func:`.shallow_pass.value_and_gradient` or
    :func:`losscert.integer_pass.value_and_gradient` (used only when made at
    this very theta)."""
    try:
        shape = Shape(loss)
    except ValueError:
        return None
    if not shape.inner or not shape.outer or loss.n > MAX_SAMPLES:
        return None
    if bytes_needed(loss.n, len(shape.inner), len(shape.outer), len(shape.hidden), shape.d_y) > MAX_BYTES:
        return None                                   # checked before any allocation
    np = _np()
    here = bool(forward) and forward.get("theta") == list(theta)
    run = forward.get("run") if here else None
    if run is None and not (here and "vals" in forward):
        run = shallow_pass.forward(loss, theta)
    if run is not None:
        if not shallow_pass.in_range(run.R):
            return None
        S2 = None if run.S2 is None else run.S2.T
        return Blocks(shape, loss.n, run.X.T if run.X.size else np.zeros((loss.n, 0)),
                      {s: c for c, s in enumerate(run.structure.inputs)}, run.H.T, run.S1.T, S2, run.R.T,
                      run.theta_f, run.value_roundings)
    if here:
        vals, derivative, second, res = (forward[k] for k in ("vals", "derivative", "second", "residuals"))
    else:
        kinks, second = [], {}
        run = integer_pass.forward(loss, theta, kinks, second=second, min_work=0)
        if run is None or any(kinks):
            return None
        vals, derivative = run
        res = integer_pass.residuals(loss, vals)
        if res is None:
            return None
    n, m = loss.n, len(shape.hidden)
    inputs = sorted({src for _, src, _ in shape.inner if src is not None})
    columns = {}
    for i in inputs:
        columns[i] = shallow_pass.rounded(vals[i])
    hid, d1, d2 = [], [], []
    for st in shape.hidden:
        linear = st.activation is None or st.activation.kind == "linear"
        hid.append(shallow_pass.rounded(vals[st.slot]))
        d1.append(None if linear else (shallow_pass.rounded(derivative[st.slot]) if derivative.get(st.slot) is not None
                                       else np.zeros(n)))
        d2.append(shallow_pass.rounded(second[st.slot]) if second.get(st.slot) is not None else None)
        if (second.get(st.slot) is not None and d2[-1] is None) or (d1[-1] is None and not linear):
            return None
    R = [shallow_pass.rounded(r) for r in res]
    theta_f = shallow_pass.rounded_point(theta)
    if any(c is None for c in columns.values()) or any(h is None for h in hid) or any(r is None for r in R) \
            or theta_f is None:
        return None
    return Blocks(shape, n, np.column_stack([columns[i] for i in inputs]) if inputs else np.zeros((n, 0)),
                  {i: c for c, i in enumerate(inputs)}, np.column_stack(hid),
                  np.column_stack([_column(c, n, 1.0) for c in d1]),
                  None if all(c is None for c in d2) else np.column_stack([_column(c, n, 0.0) for c in d2]),
                  np.column_stack(R), theta_f)


class Blocks:
    """H / 2s as output blocks, the inner-by-outer block Q and the inner
    block Z (mid values), and the radius as rank-one pieces; coordinates in
    ``order`` (parameter indices: the outputs' parameters output by output,
    then the inner ones)."""

    def __init__(self, shape: Shape, n, Xc, input_col, Hf, S1, S2, R, theta, value_roundings: int = 4):
        np = _np()
        d_y, m = shape.d_y, Hf.shape[1]
        inner, outer = shape.inner, sorted(shape.outer, key=lambda o: o[1])
        self.order = [p for p, _, _ in outer] + [p for p, _, _ in inner]
        self.n_outer = len(outer)
        V = np.zeros((m, d_y))
        for p, k, j in outer:
            if j is not None:
                V[j, k] = theta[p]
        node = np.array([j for _, _, j in inner])
        ones = Xc.shape[1]
        Xc = np.column_stack([Xc, np.ones(n)])
        src = np.array([input_col[s] if s is not None else ones for _, s, _ in inner])
        A = Xc[:, src]
        A *= S1[:, node]                                   # a_t(n) = x_i(n) sigma'_j(n)
        F = np.column_stack([Hf, np.ones(n)])
        fcol = np.array([j if j is not None else m for _, _, j in outer])
        AA = A.T @ A
        AF = A.T @ F
        AR = A.T @ R
        FF = F.T @ F
        C = V @ V.T
        norm_a = np.sqrt(np.diag(AA)) * SLACK
        self.output_blocks = []
        for k in range(d_y):
            cols = [c for c, (_, kk, _) in enumerate(outer) if kk == k]
            self.output_blocks.append(FF[np.ix_(fcol[cols], fcol[cols])])
        Q = np.empty((len(inner), len(outer)))
        Vn = V[node]
        for c, (p, k, j) in enumerate(outer):
            Q[:, c] = Vn[:, k] * AF[:, fcol[c]]
            if j is not None:
                mine = node == j
                Q[mine, c] += AR[mine, k]
        Z = C[np.ix_(node, node)]
        Z *= AA
        del AA
        rG = np.zeros(len(inner))
        if S2 is not None:
            G = (R @ V.T) * S2                            # (sum_k r_k V_jk) sigma''_j, per sample and node
            W = (np.abs(R) @ np.abs(V).T) * np.abs(S2)
            groups: dict = {}
            for t, j in enumerate(node):
                groups.setdefault(int(j), []).append(t)
            for j, mine in groups.items():
                Xj = Xc[:, src[mine]]
                Z[np.ix_(mine, mine)] += Xj.T @ (G[:, j][:, None] * Xj)
                rG[mine] = np.sqrt((W[:, j][:, None] * Xj * Xj).sum(axis=0)) * SLACK
        self.Q, self.Z = Q, Z
        self._parts = (AF, AR, Vn, node, fcol, FF)       # Q's structure, for the shared-block test
        norm_v = np.sqrt((V * V).sum(axis=1)) * SLACK
        norm_f = np.sqrt(np.diag(FF)) * SLACK
        norm_r = np.sqrt((R * R).sum(axis=0)) * SLACK
        rJ = np.concatenate([norm_f[fcol], norm_v[node] * norm_a])
        alpha = np.concatenate([np.zeros(len(outer)), norm_a])
        beta = np.concatenate([np.array([norm_r[k] if j is not None else 0.0 for _, k, j in outer]),
                               np.zeros(len(inner))])
        g = verified.gamma(n + d_y + 6 * value_roundings + EXTRA_ROUNDINGS)
        rG = np.concatenate([np.zeros(len(outer)), rG])
        self.pieces = [(g, rJ, rJ), (g, rG, rG), (2 * g, alpha, beta)]
        self.finite = all(np.all(np.isfinite(x)) for x in (Q, Z, rJ, rG, alpha, beta))

    def positive_definite(self, coordinates=None) -> bool:
        """H (or its principal submatrix on ``coordinates``, parameter indices) proven positive definite."""
        np = _np()
        if not self.finite:
            return False
        position = {p: i for i, p in enumerate(self.order)}
        keep = sorted(position[p] for p in (self.order if coordinates is None else coordinates))
        keep_o = [i for i in keep if i < self.n_outer]
        keep_i = np.array([i - self.n_outer for i in keep if i >= self.n_outer], dtype=int)
        blocks, starts, kept = [], np.cumsum([0] + [len(b) for b in self.output_blocks]), []
        for k, b in enumerate(self.output_blocks):
            mine = [i - starts[k] for i in keep_o if starts[k] <= i < starts[k + 1]]
            kept.append([starts[k] + i for i in mine])
            if mine:
                blocks.append(b[np.ix_(mine, mine)])
        Z = self.Z[np.ix_(keep_i, keep_i)]
        sub = np.array(keep, dtype=int)
        pieces = [(c, x[sub], y[sub]) for c, x, y in self.pieces]
        AF, AR, Vn, node, fcol, FF = self._parts
        cols = [list(fcol[positions]) for positions in kept]
        if len(blocks) == len(cols) and all(c == cols[0] for c in cols):       # every output keeps the same columns
            column = {j: c for c, j in enumerate(cols[0])}
            own = np.array([column.get(int(j), -1) for j in node[keep_i]], dtype=int)
            return verified.is_spd_arrow_shared(FF[np.ix_(cols[0], cols[0])], AF[np.ix_(keep_i, cols[0])],
                                                Vn[keep_i], AR[keep_i], own, Z, pieces)
        Q = self.Q[np.ix_(keep_i, keep_o)]
        return verified.is_spd_arrow(blocks, Q, Z, pieces)

    def apply(self, V, absolute: bool = False):
        """mid @ V (|mid| @ V with ``absolute``) for a matrix V of columns in ``order`` coordinates."""
        np = _np()
        f = np.abs if absolute else (lambda a: a)
        vo, vi = V[:self.n_outer], V[self.n_outer:]
        out_o, start = np.empty(vo.shape), 0
        for b in self.output_blocks:
            out_o[start:start + len(b)] = f(b) @ vo[start:start + len(b)]
            start += len(b)
        Q = f(self.Q)
        return np.concatenate([out_o + Q.T @ vi, Q @ vo + f(self.Z) @ vi])

    def self_check(self, vectors) -> None:
        """Raise AssertionError unless H v = 0 is consistent with the blocks
        for each exact vector v (as :meth:`.fastpath.Enclosure.self_check`)."""
        np = _np()
        if not vectors:
            return
        n = len(self.order)
        slack = 1 + verified.gamma(n + 8)
        position = np.empty(n, dtype=int)
        position[self.order] = np.arange(n)
        V = np.zeros((n, len(vectors)))
        for j, vec in enumerate(vectors):            # the tangents are sparse: convert only their non-zeros
            support = [i for i, x in enumerate(vec) if x]
            V[position[support], j] = [float(vec[i]) for i in support]
        A = np.abs(V)
        if V.shape[1] > COMBINATIONS:           # random +-1 combinations: one wrong tangent still shows
            signs = np.random.default_rng(0).choice([-1.0, 1.0], size=(V.shape[1], COMBINATIONS))
            V, A = V @ signs, A @ np.abs(signs)                 # |fl(V signs)| <= A (1 + gamma): in the bound
        radius = sum(c / 2 * (np.outer(x, y @ A) + np.outer(y, x @ A)) for c, x, y in self.pieces)
        bound = (radius + self.apply(A, True) * (4 * verified.gamma(n + 8))) * slack * 2 + 1e-300
        if np.any(np.abs(self.apply(V)) > bound):
            raise AssertionError("kernel self-check failed: tangent of a constant-loss curve not in ker H")


def bytes_needed(n: int, n_inner: int, n_outer: int, m: int, d_y: int = 1) -> int:
    """An upper bound of the float64 arrays :class:`Blocks` and the arrow test
    hold at once (n samples, m hidden nodes): per-sample arrays, the blocks,
    their principal copies and the factorisation's.

    >>> bytes_needed(10_000, 7_500, 12_505, 2_500) < 8 << 30
    True
    """
    return 8 * (n * (2 * n_inner + 5 * m + 8 + 2 * d_y) + (4 * n_outer + d_y) * n_inner + 6 * n_inner ** 2
                + 3 * (m + 1) ** 2 + m * d_y)
