"""lin-sun-zhang Sections 7.1-7.2 and Appendix E, scaled down: gradient
descent on deep sparse networks, printed next to what the paper reports.

    python -m experiments.lsz_section7 [--n 12] [--seeds 4] [--steps 20000]

What the paper specifies (Section 7): x_i ~ N(0, I_dx), y_i = A x_i + eps_i,
eps_i ~ N(0, I_dy), A_ij ~ N(0, 1) rescaled to ||A||_F = 5; MSE loss; plain
gradient descent with learning rate 0.01; every hidden layer as wide as
there are samples; 5-layer networks; PyTorch's default initialisation; 7.1:
(a) d_y = 1, every layer pruned at a fixed rate, useless connections then
removed, (b) d_y = 10, only the first layer sparse with p_i >= d_i; 7.2:
d_y = 10, every layer but the last pruned (so each output sees n hidden
neurons), every input with a path to an output, every last-hidden neuron
effective, sigmoid (weights multiplied by sqrt(400) at the start), tanh,
ReLU; Appendix E: tanh at "0.11 sparsity" with and without that scaling.
The paper reports figures only (no numbers): 7.1 "the trajectory is
non-increasing and approaches a global minimum"; 7.2 "all sparse
structures obtain near-zero training loss", early hidden layers full rank,
later ones can be rank deficient; E: scaling cuts training from 100K to 2K
epochs.

What the text leaves open, and what we chose: the size (n = 400, d_x = 100
there; default here n = 12, d_x = 3, d_y = 1 and 3 so that it runs in
about two minutes; --n 400
--dx 100 --dy 10 is the paper's size but takes hours); "5-layer" = 5 weight
layers (4 hidden layers of width n); no biases (the theory's setting);
MSE = mean over the n d_y entries; the sparsity values of the legends
(here density = fraction of weights kept: 1, 1/2, 3/10 and 0.11 for
Appendix E); pruning = each weight kept independently, with masks redrawn
until the paper's conditions hold; p_i >= d_i = groups of 3 hidden neurons
sharing a random 2-input pattern; initialisation uniform(+/- 1/sqrt(width
of the previous layer)) (PyTorch's nn.Linear, mask applied after); the
weight scaling is sqrt(n) (sqrt(400) in the paper: n = width = 400); the
step budget (--steps; the paper ran up to 100K epochs); L* = the least
squares fit Y ~ B X (linear regression without intercept, as the networks
have no biases); "near zero" = below 1e-3; numerical rank with tolerance
1e-6 times the largest singular value.

Certificates: none. The statements are about trajectories and about
numerical ranks along them, for which the kernel has no rule; the one rule
that would apply to a step (``activation_rank``: rank sigma(W_1 X), at most
12 samples) did not finish within 5 minutes on a 2-sample tanh instance on
our machine, so it is not called. The printed numbers are float64.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

ACTS = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
}


def dataset(n, dx, dy, rng):
    """X (dx x n), Y (dy x n), rounded to 3 decimals."""
    X = np.round(rng.standard_normal((dx, n)), 3)
    A = rng.standard_normal((dy, dx))
    A *= 5 / np.linalg.norm(A)
    Y = np.round(A @ X + rng.standard_normal((dy, n)), 3)
    return X, Y


def regression_minimum(X, Y) -> float:
    """L* = min_B mean (Y - B X)^2 (the global minimum of every linear net here: width >= d_x, d_y)."""
    B = np.linalg.lstsq(X.T, Y.T, rcond=None)[0].T
    return float(np.mean((Y - B @ X) ** 2))


def effective_masks(masks):
    """Remove useless connections (a source no input reaches, a target that reaches no output)."""
    reach = [np.ones(masks[0].shape[1], bool)]
    for M in masks:
        reach.append((M[:, reach[-1]] != 0).any(axis=1))
    back = [np.ones(masks[-1].shape[0], bool)]
    for M in reversed(masks):
        back.append((M[back[-1]] != 0).any(axis=0))
    back = back[::-1]
    return [M * np.outer(back[l + 1], reach[l]) for l, M in enumerate(masks)]


def draw_masks(sizes, densities, rng, first_layer_groups=False, last_hidden_effective=False, tries=10000):
    """Random masks, useless connections removed, meeting the paper's
    conditions: every input with a path to an output (and, for 7.2, every
    last-hidden neuron effective)."""
    for _ in range(tries):
        masks = [(rng.random((sizes[l + 1], sizes[l])) < densities[l]).astype(float) for l in range(len(sizes) - 1)]
        if first_layer_groups:                   # p_i = 3 neurons share a 2-input pattern d_i = 2 (p_i >= d_i)
            masks[0] = np.zeros((sizes[1], sizes[0]))
            for g in range(0, sizes[1], 3):
                masks[0][g:g + 3, rng.choice(sizes[0], 2, replace=False)] = 1
        eff = effective_masks(masks)
        if eff[0].any(axis=0).all() and (not last_hidden_effective or eff[-1].any(axis=0).all()):
            return eff
    raise RuntimeError("no mask met the conditions")


def train(masks_batch, X, Y, act, lr, steps, scale=1.0, seed=0, stop_below=-1.0):
    """Gradient descent on MSE for a batch of masked nets (B runs): losses along
    the way (every 10 steps), the end weights and layer outputs. Stops early
    once every run's loss is below ``stop_below``."""
    rng = np.random.default_rng(seed)
    sigma, dsigma = ACTS[act]
    Ws = []
    for l in range(len(masks_batch[0])):
        M = np.array([m[l] for m in masks_batch])
        bound = 1 / np.sqrt(M.shape[2])
        Ws.append(rng.uniform(-bound, bound, M.shape) * M * scale)
    Ms = [np.array([m[l] for m in masks_batch]) for l in range(len(Ws))]
    N = Y.size
    history = []
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            H, pre = [np.broadcast_to(X, (len(masks_batch),) + X.shape)], []
            for l, W in enumerate(Ws):
                Z = W @ H[-1]
                pre.append(Z)
                H.append(sigma(Z) if l < len(Ws) - 1 else Z)
            R = H[-1] - Y
            L = (R ** 2).sum(axis=(1, 2)) / N
            if step % 10 == 0:
                history.append(L)
            if step == steps or (step % 10 == 0 and np.all(L < stop_below)):
                break
            G = 2 * R / N
            for l in range(len(Ws) - 1, -1, -1):
                gW = G @ H[l].transpose(0, 2, 1)
                if l > 0:
                    G = (Ws[l].transpose(0, 2, 1) @ G) * dsigma(pre[l - 1])
                Ws[l] = Ws[l] - lr * gW * Ms[l]
    return np.array(history), Ws, H


def ranks(H, tol=1e-6):
    """Numerical ranks of the hidden outputs (B runs x layers)."""
    out = []
    for h in H[1:-1]:
        s = np.linalg.svd(h, compute_uv=False)
        out.append((s > tol * s[:, :1]).sum(axis=1))
    return np.array(out).T


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--dx", type=int, default=3)
    ap.add_argument("--dy", type=int, default=3, help="d_y of the d_y = 10 experiments (7.1 b, 7.2, E)")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t_all = time.time()
    rng = np.random.default_rng(args.seed)
    n, depth = args.n, 5
    sizes = lambda dy: [args.dx] + [n] * (depth - 1) + [dy]   # noqa: E731
    data = {1: dataset(n, args.dx, 1, rng), args.dy: dataset(n, args.dx, args.dy, rng)}
    print(f"n = {n} samples, d_x = {args.dx}, width {n}, {depth} weight layers, lr 0.01, {args.steps} steps, "
          f"{args.seeds} runs per row (one mask and one start each)")

    print("\n7.1 sparse linear networks; paper (Figure 3): non-increasing, approaches the global minimum L*")
    print(f"{'setting':<36} {'density':>7} {'L*':>9} {'max L-L* at end':>15} {'largest rise':>12} {'steps':>6}")
    for label, dy, groups, dens in (("(a) d_y = 1, all layers pruned", 1, False, (1.0, 0.5, 0.3)),
                                    (f"(b) d_y = {args.dy}, first layer p_i >= d_i", args.dy, True, (None,))):
        X, Y = data[dy]
        Lstar = regression_minimum(X, Y)
        masks = [draw_masks(sizes(dy), [d if d is not None else 1.0] * depth, rng, groups)
                 for d in dens for _ in range(args.seeds)]
        hist, _, _ = train(masks, X, Y, "linear", 0.01, args.steps, seed=args.seed, stop_below=Lstar + 1e-12)
        for k, d in enumerate(dens):
            h = hist[:, k * args.seeds:(k + 1) * args.seeds]
            rise = max(0.0, float(np.max(np.diff(h, axis=0)))) if len(h) > 1 else 0.0
            shown = f"{d:g}" if d is not None else "groups"
            print(f"{label:<36} {shown:>7} {Lstar:>9.4f} {(h[-1] - Lstar).max():>15.2e} {rise:>12.1e} "
                  f"{10 * (len(h) - 1):>6}")

    print(f"\n7.2 sparse-dense non-linear networks (d_y = {args.dy}); paper (Figure 4): near-zero loss for every "
          f"sparsity, early hidden layers full rank")
    print(f"{'activation':<22} {'density':>7} {'final L (max over runs)':>23} {'ranks of hidden layers (run 1)':>31} "
          f"{'steps':>6}")
    X, Y = data[args.dy]
    dens = (1.0, 0.5, 0.3)
    for act, scale in (("sigmoid", np.sqrt(n)), ("tanh", 1.0), ("relu", 1.0)):
        masks = [draw_masks(sizes(args.dy), [d] * (depth - 1) + [1.0], rng, last_hidden_effective=True)
                 for d in dens for _ in range(args.seeds)]
        hist, Ws, H = train(masks, X, Y, act, 0.01, args.steps, scale=scale, seed=args.seed, stop_below=1e-8)
        rk = ranks(H)
        for k, d in enumerate(dens):
            first = k * args.seeds
            name = act + (f" (x sqrt({n}) start)" if scale != 1.0 else "")
            print(f"{name:<22} {d:>7g} {hist[-1, first:first + args.seeds].max():>23.2e} "
                  f"{str(rk[first].tolist()):>31} {10 * (len(hist) - 1):>6}")

    print(f"\nAppendix E: tanh at density 0.11, with and without the x sqrt({n}) start; paper (Figure 6): "
          f"100K epochs without it, 2K with it")
    print(f"{'start':<22} {'steps to L < 1e-3 (each run)':>32} {'final L (max)':>14} {'ranks (run 1)':>18}")
    masks = [draw_masks(sizes(args.dy), [0.11] * (depth - 1) + [1.0], rng, last_hidden_effective=True)
             for _ in range(args.seeds)]
    for label, scale in ((f"x sqrt({n})", np.sqrt(n)), ("default", 1.0)):
        hist, Ws, H = train(masks, X, Y, "tanh", 0.01, args.steps, scale=scale, seed=args.seed, stop_below=1e-3)
        reached = [int(np.argmax(h < 1e-3)) * 10 if (h < 1e-3).any() else None for h in hist.T]
        shown = ", ".join(str(s) if s is not None else f">{args.steps}" for s in reached)
        print(f"{label:<22} {shown:>32} {hist[-1].max():>14.2e} {str(ranks(H)[0].tolist()):>18}")
    print(f"\ntotal {time.time() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
