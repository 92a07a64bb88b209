"""Numerical search for minima (untrusted: it only proposes points).

- :class:`FloatLoss`: the compiled loss in float64, vectorised over a batch
  of parameter vectors (one row per initialisation), with its gradient by
  the same forward/backward structure as the exact compiler (the steps of a
  :class:`~losscert.compiler.Loss`; activations from their SymPy expression,
  so each activation is still written once);
- :func:`initial_points` (the usual uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
  initialisation), :func:`gradient_descent` (all initialisations at once);
- :func:`alternating_rank_one`: the alternating best-rank-one updates of
  two-layer linear networks with a sparse first layer and a dense second
  layer (the ICLR 2021 paper's Algorithms 1 and 2, for any input patterns);
- :func:`cluster` end points by the network function F(theta) on the
  samples (invariant under every symmetry of the parameters), and
  :func:`polish` / :func:`gauge` / :func:`rationalise` a representative.

>>> from losscert import compile_loss, dense
>>> import numpy as np
>>> loss = compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])
>>> f = FloatLoss(loss)
>>> f.value(np.array([[1.0, 2.0], [0.0, 0.0]])).tolist()
[0.0, 10.0]
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy

from ..activations import Activation, z
from ..compiler import Loss


@lru_cache(maxsize=None)
def _numpy_activation(act: Activation):
    """(sigma, sigma') as numpy functions, from the activation's expression
    (call them under ``np.errstate``: exp overflows to inf harmlessly)."""
    f = sympy.lambdify(z, act.expr, modules="numpy")
    df = sympy.lambdify(z, sympy.diff(act.expr, z), modules="numpy")

    def full(g):
        def call(a):
            r = g(a)
            return r if isinstance(r, np.ndarray) and r.shape == a.shape else np.full(a.shape, float(r))
        return call
    return full(f), full(df)


@dataclass
class _Layer:
    """Nodes of one depth: for each row (node) and each slot, the parameter
    index (-1: no parameter) or constant weight; biases; activation groups."""
    rows: np.ndarray           # slots of the layer's nodes
    param: np.ndarray          # n_rows x n_slots parameter indices (0 where none: masked)
    mask: np.ndarray           # n_rows x n_slots, 1.0 where a parameter sits
    const: np.ndarray          # n_rows x n_slots fixed weights (0 where none)
    pos: np.ndarray            # flat positions (row * n_slots + slot) holding a parameter
    par: np.ndarray            # their parameter indices
    unique: bool               # no parameter repeats in this layer (no ties)
    bias_rows: np.ndarray      # row numbers with a bias
    bias_par: np.ndarray       # their bias parameter indices
    groups: list               # (row numbers, (sigma, sigma') or None for linear)


class FloatLoss:
    """L and grad L in float64 for a batch of points (rows of a B x P array),
    layer by layer: each depth of the graph is one batched matrix product."""

    def __init__(self, loss: Loss):
        F = loss.field

        def fl(x):
            return float(F.to_sympy(x))
        self.loss = loss
        self.P = len(loss.params)
        self.n_inputs = loss.n_inputs
        self.n_slots = S = loss.n_slots
        self.X = np.array([[fl(x) for x in row] for row in loss.X])
        self.Y = np.array([[fl(y) for y in row] for row in loss.Y])
        self.scale = fl(loss.scale)
        self.output_slots = np.array(loss.output_slots)
        depth = {i: 0 for i in range(loss.n_inputs)}
        by_depth: dict[int, list] = {}
        for st in loss.steps:
            depth[st.slot] = 1 + max((depth[src] for src, _, _ in st.terms), default=0)
            by_depth.setdefault(depth[st.slot], []).append(st)
        self.layers = []
        for d in sorted(by_depth):
            steps = by_depth[d]
            param = -np.ones((len(steps), S), int)
            const = np.zeros((len(steps), S))
            groups: dict = {}
            bias_rows, bias_par = [], []
            for r, st in enumerate(steps):
                for src, p, c in st.terms:
                    if p is None:
                        const[r, src] = fl(c)
                    else:
                        param[r, src] = p
                if st.bias is not None:
                    bias_rows.append(r)
                    bias_par.append(st.bias)
                act = st.activation
                key = None if act is None or act.kind == "linear" else act
                groups.setdefault(key, []).append(r)
            pos = np.flatnonzero(param.ravel() >= 0)
            par = param.ravel()[pos]
            self.layers.append(_Layer(np.array([st.slot for st in steps]), np.maximum(param, 0),
                                      (param >= 0).astype(float), const, pos, par,
                                      len(set(par.tolist())) == len(par), np.array(bias_rows, int),
                                      np.array(bias_par, int),
                                      [(np.array(rs), None if k is None else _numpy_activation(k))
                                       for k, rs in groups.items()]))

    def _forward(self, T, derivatives: bool):
        B, n = T.shape[0], self.X.shape[1]
        V = np.zeros((B, self.n_slots, n))
        V[:, :self.n_inputs] = self.X
        Ws, Ds = [], []
        for lay in self.layers:
            W = T[:, lay.param] * lay.mask + lay.const
            acc = W @ V
            if lay.bias_rows.size:
                acc[:, lay.bias_rows] += T[:, lay.bias_par][:, :, None]
            D = np.ones_like(acc) if derivatives else None
            out = acc
            for rs, act in lay.groups:
                if act is None:
                    continue
                if out is acc:
                    out = acc.copy()
                out[:, rs] = act[0](acc[:, rs])
                if derivatives:
                    D[:, rs] = act[1](acc[:, rs])
            V[:, lay.rows] = out
            Ws.append(W)
            Ds.append(D)
        return V, Ws, Ds

    def outputs(self, T) -> np.ndarray:
        """F(theta) for each row: B x d_y x n."""
        with np.errstate(all="ignore"):
            V, _, _ = self._forward(np.atleast_2d(np.asarray(T, float)), False)
        return V[:, self.output_slots]

    def value(self, T) -> np.ndarray:
        R = self.outputs(T) - self.Y[None]
        return self.scale * (R ** 2).sum(axis=(1, 2))

    def value_and_gradient(self, T):
        T = np.atleast_2d(np.asarray(T, float))
        with np.errstate(all="ignore"):
            V, Ws, Ds = self._forward(T, True)
            R = V[:, self.output_slots] - self.Y[None]
            A = np.zeros_like(V)
            A[:, self.output_slots] = 2 * self.scale * R
            G = np.zeros_like(T)
            for lay, W, D in zip(reversed(self.layers), reversed(Ws), reversed(Ds)):
                lam = A[:, lay.rows] * D
                gW = (lam @ V.transpose(0, 2, 1)).reshape(T.shape[0], -1)[:, lay.pos]
                if lay.unique:
                    G[:, lay.par] += gW
                else:
                    np.add.at(G, (slice(None), lay.par), gW)
                if lay.bias_rows.size:
                    np.add.at(G, (slice(None), lay.bias_par), lam[:, lay.bias_rows].sum(axis=2))
                A += W.transpose(0, 2, 1) @ lam
        return self.scale * (R ** 2).sum(axis=(1, 2)), G

    def hessian(self, theta, h: float = 1e-6) -> np.ndarray:
        """Central differences of the exact-formula gradient (a proposal only)."""
        E = np.eye(self.P) * h
        pts = np.concatenate([theta + E, theta - E])
        _, G = self.value_and_gradient(pts)
        H = (G[:self.P] - G[self.P:]).T / (2 * h)
        return (H + H.T) / 2


def initial_points(loss: Loss, count: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """``count`` points, each parameter uniform in +/- gain / sqrt(fan_in) of
    the node it feeds (the default initialisation of common frameworks)."""
    net = loss.network
    bound = np.empty(len(loss.params))
    for i, name in enumerate(loss.params):
        if name.startswith("b:"):
            node = name[2:]
        else:
            node = net.param_edges(name)[0][1]
        fan_in = max(1, net.graph.in_degree(node))
        bound[i] = gain / np.sqrt(fan_in)
    return rng.uniform(-1.0, 1.0, size=(count, len(bound))) * bound


@dataclass
class Descent:
    """End points of a batch of runs; ``status``: converged / max_iter / diverged."""
    points: np.ndarray
    losses: np.ndarray
    gradient_norms: np.ndarray
    iterations: np.ndarray
    status: list


def gradient_descent(f: FloatLoss, T0: np.ndarray, lr: float = 0.01, max_iter: int = 50000,
                     tol: float = 1e-8, check_every: int = 50, progress=None) -> Descent:
    """Plain gradient descent from every row of T0 at once; a run stops when
    its gradient norm is below ``tol`` (checked every ``check_every`` steps).
    ``progress(step, max_iter)``, if given, is called at every check."""
    T = np.array(T0, dtype=float)
    B = T.shape[0]
    active = np.ones(B, bool)
    iters = np.zeros(B, int)
    diverged = np.zeros(B, bool)
    idx = np.arange(B)
    for it in range(1, max_iter + 1):
        if idx.size == 0:
            break
        if idx.size == B:               # all runs active: no gather/scatter
            _, G = f.value_and_gradient(T)
            T -= lr * G
        else:
            _, G = f.value_and_gradient(T[idx])
            T[idx] -= lr * G
        iters[idx] = it
        if it % check_every == 0 or it == max_iter:
            bad = ~np.isfinite(T[idx]).all(axis=1) | (np.abs(T[idx]).max(axis=1) > 1e12)
            diverged[idx[bad]] = True
            norms = np.linalg.norm(G, axis=1)
            active[idx[bad | (norms < tol)]] = False
            idx = np.flatnonzero(active)
            if progress:
                progress(max_iter if idx.size == 0 else it, max_iter)
    L, G = f.value_and_gradient(np.where(np.isfinite(T), T, 0.0))
    norms = np.linalg.norm(G, axis=1)
    status = ["diverged" if d else "converged" if n < tol else "max_iter" for d, n in zip(diverged, norms)]
    return Descent(T, np.where(diverged, np.inf, L), norms, iters, status)


# -- two-layer linear networks, sparse first layer, dense second layer -------

def rank_one_blocks(loss: Loss):
    """For a two-layer linear net with biases nowhere, every hidden neuron fed
    by inputs only and feeding every output, no fixed or tied edges: per
    neuron (input rows, incoming parameter indices, outgoing parameter
    indices in output order); None when the network is not of that form."""
    net = loss.network
    if net.fixed or net.tied or any(net.has_bias(n) for n in net.graph.nodes):
        return None
    ins, outs = list(net.inputs), list(net.outputs)
    index = net.param_index
    blocks = []
    for h in net.hidden:
        act = net.activation(h)
        preds, succs = list(net.graph.predecessors(h)), list(net.graph.successors(h))
        if act.kind != "linear" or any(p not in ins for p in preds) or sorted(succs) != sorted(outs):
            return None
        from ..network import edge_name
        blocks.append(([ins.index(p) for p in preds], [index[edge_name(p, h)] for p in preds],
                       [index[edge_name(h, o)] for o in outs]))
    return blocks if blocks else None


def alternating_rank_one(loss: Loss, count: int, rng: np.random.Generator, sweeps: int = 2000,
                         tol: float = 1e-14) -> np.ndarray:
    """The ICLR paper's Algorithms 1-2, generalised and vectorised over
    ``count`` initialisations: each neuron in turn takes the best rank-one
    fit of what the others leave of Y, min over (w, a) of
    ||R - a w^T X_S||_F (via X_S = L Q and an SVD of R Q^T); the loss never
    increases. Stops when no run improves by more than ``tol`` (relative).
    Starts: standard normal, rescaled so that the network's output has the size of Y."""
    blocks = rank_one_blocks(loss)
    if blocks is None:
        raise ValueError("alternating_rank_one needs a two-layer linear network with a dense second layer, "
                         "no biases and no fixed or tied edges")
    f = FloatLoss(loss)
    X, Y = f.X, f.Y
    factors = []
    for rows, _, _ in blocks:
        Q, Rm = np.linalg.qr(X[rows].T)          # X_S^T = Q R  ->  X_S = R^T Q^T
        factors.append((np.linalg.pinv(Rm), Q.T))  # w = R^-1 v solves R^T... (L = R^T, w = L^-T v = R^-1 v)
    # random starts whose output has the size of Y (the paper initialises w_i, a_i at random): the usual
    # small initialisation makes the first sweep nearly deterministic, so every run finds the same minimum
    T = rng.standard_normal((count, len(loss.params)))
    size = np.linalg.norm(f.outputs(T), axis=(1, 2))
    T *= np.sqrt(np.linalg.norm(Y) / np.maximum(size, 1e-300))[:, None]
    contrib = [T[:, o][:, :, None] * (T[:, i] @ X[rows])[:, None, :] for rows, i, o in blocks]
    prev = f.value(T)
    for _ in range(sweeps):
        for k, (rows, i, o) in enumerate(blocks):
            Rinv, Qk = factors[k]
            R = Y[None] - sum(c for j, c in enumerate(contrib) if j != k)
            U, sv, Vt = np.linalg.svd(R @ Qk.T, full_matrices=False)
            root = np.sqrt(sv[:, 0])[:, None]
            a, v = U[:, :, 0] * root, Vt[:, 0, :] * root
            w = v @ Rinv.T
            T[:, i], T[:, o] = w, a
            contrib[k] = a[:, :, None] * (w @ X[rows])[:, None, :]
        cur = f.value(T)
        if np.all(prev - cur <= tol * np.maximum(1.0, cur)):
            break
        prev = cur
    return T


# -- clustering and polishing -------------------------------------------------

@dataclass
class Cluster:
    """End points with the same loss and network function."""
    representative: int
    members: list


def cluster(f: FloatLoss, points: np.ndarray, losses: np.ndarray, rtol: float = 1e-5) -> list[Cluster]:
    """Greedy clustering by (loss, F(theta) on the samples), lowest loss first."""
    finite = [i for i in np.argsort(losses) if np.isfinite(losses[i])]
    outs = f.outputs(points[finite]) if finite else np.zeros((0,))
    clusters, centers = [], []
    for pos, i in enumerate(finite):
        o = outs[pos]
        scale = 1.0 + np.abs(o).max()
        for c, (lc, oc) in zip(clusters, centers):
            if abs(losses[i] - lc) <= rtol * (1 + abs(lc)) and np.abs(o - oc).max() <= 1e3 * rtol * scale:
                c.members.append(int(i))
                break
        else:
            clusters.append(Cluster(int(i), [int(i)]))
            centers.append((losses[i], o))
    return clusters


def polish(f: FloatLoss, theta: np.ndarray, steps: int = 20) -> np.ndarray:
    """Damped least-squares Newton steps (pseudo-inverse: the Hessian is
    singular along symmetries); a step is kept only if L does not increase."""
    theta = np.array(theta, dtype=float)
    L, G = f.value_and_gradient(theta[None])
    L, g = L[0], G[0]
    for _ in range(steps):
        if np.linalg.norm(g) < 1e-15:
            break
        step = np.linalg.lstsq(f.hessian(theta), g, rcond=1e-10)[0]
        for damp in (1.0, 0.5, 0.25, 0.1):
            cand = theta - damp * step
            Lc, Gc = f.value_and_gradient(cand[None])
            if Lc[0] <= L + 1e-15 * (1 + L):
                theta, L, g = cand, Lc[0], Gc[0]
                break
        else:
            break
    return theta


def gauge(loss: Loss, theta: np.ndarray) -> np.ndarray:
    """Rescale every positively homogeneous hidden neuron (no fixed or tied
    edge at it) so that its largest incoming weight has size 1: the network
    function is unchanged, and rational minima get rational coordinates."""
    net = loss.network
    index = net.param_index
    theta = np.array(theta, dtype=float)
    from ..network import bias_name, edge_name
    for h in net.hidden:
        act = net.activation(h)
        if act.kind not in ("linear", "relu", "leaky_relu"):
            continue
        ins = [edge_name(u, h) for u in net.graph.predecessors(h)]
        outs = [edge_name(h, v) for v in net.graph.successors(h)]
        if any(e not in index for e in ins + outs):
            continue                        # a fixed or tied edge: not a symmetry
        inc = [index[e] for e in ins] + ([index[bias_name(h)]] if net.has_bias(h) else [])
        big = max(abs(theta[i]) for i in inc)
        if big < 1e-12:
            continue
        for i in inc:
            theta[i] /= big
        for e in outs:
            theta[index[e]] *= big
    return theta


def rationalise(theta, max_denominator: int) -> list[Fraction]:
    """Each coordinate as the nearest fraction with a bounded denominator."""
    return [Fraction(float(x)).limit_denominator(max_denominator) for x in theta]
