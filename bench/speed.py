"""Benchmark: exact / verified certificates against the float route, side
by side in one run (issue 24).

    python -m bench.speed [--families linear,polynomial,tanh] [--sizes 100,300,1000]
                          [--large] [--huge] [--repeat 1] [--inputs D]

Instances (:func:`instance`): two-layer sparse networks, ``h`` hidden
neurons on overlapping input patterns (fan-in 3, d_x = 2h, every input
used), d_y = 5 outputs, no biases, 17-digit decimal data and point;
m = d_x + 4 distinct samples, each present twice with opposite residuals
(X = [A, A], Y = F(theta) + eps [B, -B]), so the point is an exact critical
point with L > 0 (linear: a Morse-Bott minimum, kernel = the rescaling
orbits; polynomial x + x^2/2: positive definite; relu: no pre-activation is 0,
so the loss is smooth there: Morse-Bott, like linear). tanh: Y = F(theta*)
rounded to 40 digits +/- eps B, and ``local_minimum_near`` at theta*
(radius 1e-6, 30 digits). ``--inputs D``: D inputs and 2h + 4 distinct
samples instead (the data grow as P, not P^2).

Routes, each in a fresh child process (so "peak MiB" is that run's own
peak resident memory), ours and the float route interleaved per size;
times are CPU seconds of the child (one BLAS thread):

- ours: ``compile_loss`` + ``kernel.local_minimum`` (linear, polynomial) or
  ``kernel.local_minimum_near`` (tanh);
- float: the vectorised numpy Hessian of the same network (Gauss-Newton
  part J^T J plus the residual part, from the network's two weight
  matrices) and ``numpy.linalg.eigvalsh``: the fastest non-proof a user
  would run.

Sizes: the default run stops at P ~ 1,000; ``--large`` adds 2,000 and
4,000, ``--huge`` 20,000 (memory: the dense float Jacobian alone is
rows x P x 8 bytes).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from bench.users import _child  # noqa: E402 - after the thread settings (it imports nothing heavy)

ACTIVATIONS = {"linear": "linear", "polynomial": "poly(0, 1, 1/2)", "relu": "relu", "tanh": "tanh"}
FAN_IN, D_Y = 3, 5


def _dec(rng):
    import sympy
    return sympy.Rational(f"{rng.uniform(-1, 1):.16e}")


def _patterns(rng, h, d_x):
    out = []
    for i in range(h):
        own = {i, i + h} & set(range(d_x))
        while len(own) < FAN_IN:
            own.add(rng.randrange(d_x))
        out.append(tuple(sorted(own)))
    return out


def instance(family: str, P: int, seed: int = 0, inputs: int | None = None):
    """(net, X, Y, theta, patterns) with about P parameters (P = 8h): d_x = 2h
    inputs and m = d_x + 4 distinct samples, or ``inputs`` inputs and
    m = 2h + 4 samples (data growing as P, not P^2)."""
    import sympy
    from losscert import compile_loss, sparse_dense
    rng = random.Random(seed)
    h = max(1, round(P / (FAN_IN + D_Y)))
    d_x = inputs or 2 * h
    patterns = _patterns(rng, h, d_x)
    net = sparse_dense(patterns, d_x=d_x, d_y=D_Y, activation=ACTIVATIONS[family])
    m = (2 * h if inputs else d_x) + 4
    A = [[_dec(rng) for _ in range(m)] for _ in range(d_x)]
    X = [row + row for row in A]
    theta = {p: _dec(rng) for p in net.parameters}
    eps = sympy.Rational(1, 1000)
    B = [[sympy.Rational(rng.randint(-5, 5), rng.randint(1, 5)) for _ in range(m)] for _ in range(D_Y)]
    if family == "tanh":
        centre = _float_outputs(net, X, theta, patterns, digits=40)
        Y = [[sympy.Rational(centre[i][j]) + eps * b for j, b in enumerate(B[i] + [-x for x in B[i]])]
             for i in range(D_Y)]
    else:
        probe = compile_loss(net, X, [[0] * (2 * m) for _ in range(D_Y)])
        out = probe.outputs(probe.point(theta), raw=True)
        F = probe.field
        Y = [[F.to_sympy(out[i][j]) + eps * b for j, b in enumerate(B[i] + [-x for x in B[i]])]
             for i in range(D_Y)]
    return net, X, Y, theta, patterns


def _float_outputs(net, X, theta, patterns, digits):
    """F(theta) of the tanh net at ``digits`` digits (mpmath), as decimal strings."""
    import mpmath
    with mpmath.workdps(digits + 10):
        out = []
        h = len(patterns)
        hidden = []
        for i, pat in enumerate(patterns):
            row = []
            for k in range(len(X[0])):
                a = sum(mpmath.mpf(str(theta[f"x{j + 1} -> h1_{i + 1}"])) * mpmath.mpf(str(X[j][k])) for j in pat)
                row.append(mpmath.tanh(a))
            hidden.append(row)
        for o in range(D_Y):
            out.append([mpmath.nstr(sum(mpmath.mpf(str(theta[f"h1_{i + 1} -> y{o + 1}"])) * hidden[i][k]
                                        for i in range(h)), digits) for k in range(len(X[0]))])
    return out


def float_route(family, X, Y, theta, patterns) -> float:
    """The smallest eigenvalue of the float Hessian (vectorised numpy), relative to the largest."""
    import numpy as np
    w = np.linalg.eigvalsh(float_hessian(family, X, Y, theta, patterns))
    return w[0] / max(abs(w[-1]), 1e-300)


def float_hessian(family, X, Y, theta, patterns):
    """The Hessian in floats (vectorised numpy; parameters: first-layer weights in pattern order, then
    the output weights by output): J^T J plus the residual part, s = 1/2."""
    import numpy as np
    h, d_x = len(patterns), len(X)
    Xf = np.array([[float(x) for x in row] for row in X])
    Yf = np.array([[float(y) for y in row] for row in Y])
    hs = np.array([i for i, pat in enumerate(patterns) for _ in pat])
    js = np.array([j for pat in patterns for j in pat])
    W = np.zeros((h, d_x))
    W[hs, js] = [float(theta[f"x{j + 1} -> h1_{i + 1}"]) for i, j in zip(hs, js)]
    V = np.array([[float(theta[f"h1_{i + 1} -> y{o + 1}"]) for i in range(h)] for o in range(D_Y)])
    A = W @ Xf
    if family == "linear":
        Z, D1, D2 = A, np.ones_like(A), np.zeros_like(A)
    elif family == "polynomial":
        Z, D1, D2 = A + A * A / 2, 1 + A, np.ones_like(A)
    elif family == "relu":
        Z, D1, D2 = np.maximum(A, 0), (A > 0).astype(float), np.zeros_like(A)
    else:
        Z = np.tanh(A)
        D1 = 1 - Z * Z
        D2 = -2 * Z * D1
    R = V @ Z - Yf
    n, nW = Xf.shape[1], len(hs)
    DX = D1[hs] * Xf[js]                                       # nW x n
    Jw = V[:, hs][:, None, :] * DX.T[None, :, :]               # d_y x n x nW
    Jv = np.zeros((D_Y, n, D_Y * h))
    for o in range(D_Y):
        Jv[o, :, o * h:(o + 1) * h] = Z.T
    J = np.concatenate([Jw, Jv], axis=2).reshape(D_Y * n, nW + D_Y * h)
    H = J.T @ J
    S = V.T @ R                                                # h x n
    same = hs[:, None] == hs[None, :]
    H[:nW, :nW] += np.where(same, (Xf[js] * (S * D2)[hs]) @ Xf[js].T, 0.0)
    VW = R @ DX.T                                              # d_y x nW: sum_k R_ok D1_hk X_jk
    for o in range(D_Y):
        block = np.zeros((h, nW))
        block[hs, np.arange(nW)] = VW[o]
        H[nW + o * h: nW + (o + 1) * h, :nW] += block
        H[:nW, nW + o * h: nW + (o + 1) * h] += block.T
    return H


def _ours(family, P, inputs, out):
    import sympy
    from losscert import compile_loss, kernel
    net, X, Y, theta, _ = instance(family, P, inputs=inputs)
    c0 = time.process_time()
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    if family == "tanh":
        v = kernel.local_minimum_near(loss, th, sympy.Rational(1, 10 ** 6), 30)
    else:
        v = kernel.local_minimum(loss, th)
    how = {"Morse-Bott": "MB", "critical point with a positive definite": "PD", "global minimum": "global",
           "exactly one critical point": "Krawczyk"}
    tag = next((t for k, t in how.items() if v.reason.startswith(k)), "other")
    out.put((len(th), time.process_time() - c0, f"{v.status[:8]}/{tag}",
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _float(family, P, inputs, out):
    net, X, Y, theta, patterns = instance(family, P, inputs=inputs)
    c0 = time.process_time()
    ratio = float_route(family, X, Y, theta, patterns)
    out.put((time.process_time() - c0, ratio, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.speed")
    ap.add_argument("--families", default="linear,polynomial,relu,tanh")
    ap.add_argument("--sizes", default="100,300,1000")
    ap.add_argument("--large", action="store_true", help="add P = 2000 and 4000")
    ap.add_argument("--huge", action="store_true", help="add P = 20000")
    ap.add_argument("--repeat", type=int, default=1, help="runs per route and size (best CPU time is shown)")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--inputs", type=int, default=None, help="D inputs (default 2h: data growing as P^2)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([2000, 4000] if args.large else []) \
        + ([20000] if args.huge else [])
    print(f"{'family':<11} {'P':>6} {'ours cpu s':>10} {'verdict/how':>17} {'ours MiB':>9} {'float cpu s':>11} "
          f"{'lmin/lmax':>10} {'float MiB':>9} {'ratio':>7}", flush=True)
    for family in args.families.split(","):
        for P in sizes:
            if family == "tanh" and P > 5000:
                continue
            best_o = best_f = None
            for _ in range(args.repeat):                   # interleaved: ours, float, ours, float, ...
                o = _child(_ours, (family, P, args.inputs), args.timeout, failed=None)
                f = _child(_float, (family, P, args.inputs), args.timeout, failed=None)
                if o is not None and (best_o is None or o[1] < best_o[1]):
                    best_o = o
                if f is not None and (best_f is None or f[0] < best_f[0]):
                    best_f = f
            ours = f"{best_o[0]:>6} {best_o[1]:>10.2f} {best_o[2]:>17} {best_o[3]:>9.0f}" if best_o else \
                f"{P:>6} {'timeout':>10} {'-':>17} {'-':>9}"
            flt = f"{best_f[0]:>11.2f} {best_f[1]:>10.1e} {best_f[2]:>9.0f}" if best_f else f"{'failed':>11} {'-':>10} {'-':>9}"
            ratio = f"{best_o[1] / best_f[0]:>6.1f}x" if best_o and best_f and best_f[0] > 0 else f"{'-':>7}"
            print(f"{family:<11} {ours} {flt} {ratio}", flush=True)


if __name__ == "__main__":
    main()
