"""Benchmark: a landscape statement (paths_to_global_minimum) on a ~30-parameter
instance, ours (exact, every theta of the region at once) beside the float route
(the same path sampled at random starting points and values of t, numpy).

    python -m bench.landscape [--samples 200] [--steps 101]

Instance: lin-sun-zhang Theorem 1 (1), SD linear net, patterns {x1, x2, x3}
(3 neurons) and {x4, x5} (2 neurons), d_y = 3, 7 samples: 28 parameters, every
one a symbol; region: det W_1 det W_2 != 0; path U -> M* W^-1 (one segment);
lower bound: the least-squares value (outputs orthogonal to the complement of
the row space of X). The float route proves nothing: it samples.
"""
from __future__ import annotations

import argparse
import random
import time

import numpy as np
import sympy as sp

from losscert import sparse_dense
from losscert.landscapes import least_squares, line, parameter_symbols, row_space_complement, symbols_of
from losscert.proof import Proof
from losscert.statements import decide


def instance(seed: int = 1):
    rng = random.Random(seed)
    patterns = [(0, 1, 2)] * 3 + [(3, 4)] * 2
    net = sparse_dense(patterns, d_x=5, d_y=3)
    X = sp.Matrix(5, 7, lambda i, j: rng.randint(-3, 3))
    while X.rank() < 5:
        X = sp.Matrix(5, 7, lambda i, j: rng.randint(-3, 3))
    Y = sp.Matrix(3, 7, lambda i, j: rng.randint(-3, 3))
    names, symbols = parameter_symbols(net)
    s = symbols_of(names)
    W = sp.zeros(5, 5)
    for j, pat in enumerate(patterns):
        for i in pat:
            W[j, i] = s[f"x{i + 1} -> h1_{j + 1}"]
    M, L_star = least_squares(X, Y)
    U = M * W.inv()
    start = dict(s)
    end = {**start, **{f"h1_{j + 1} -> y{i + 1}": sp.cancel(U[i, j]) for i in range(3) for j in range(5)}}
    generic = [W[:3, :3].det(), W[3:, 3:].det()]
    proof = Proof("bench", source="bench")
    proof.paths_to_global_minimum(net, X, Y, symbols, start, [line(start, end)], generic=generic,
                                  orthogonal=row_space_complement(X, 3))
    return proof.statements[0].record, (net, X, Y, W, M, L_star, s, patterns)


def float_route(data, samples: int, steps: int, seed: int = 2) -> tuple[float, bool]:
    """Sample starting points and t values; check L non-increasing and the end at L* (floats)."""
    net, X, Y, W, M, L_star, s, patterns = data
    Xf, Yf, Mf = (np.array(A.tolist(), dtype=float) for A in (X, Y, M))
    rng = np.random.default_rng(seed)
    mask = np.array([[0.0 if x == 0 else 1.0 for x in row] for row in W.tolist()])
    ok = True
    start = time.perf_counter()
    for _ in range(samples):
        Wf = rng.normal(size=(5, 5)) * mask
        U0 = rng.normal(size=(3, 5))
        U1 = Mf @ np.linalg.inv(Wf)
        prev = None
        for t in np.linspace(0, 1, steps):
            L = 0.5 * np.sum(((U0 + t * (U1 - U0)) @ Wf @ Xf - Yf) ** 2)
            ok &= prev is None or L <= prev + 1e-9 * max(1, abs(prev))
            prev = L
        ok &= abs(prev - float(L_star)) <= 1e-8 * max(1, float(L_star))
    return time.perf_counter() - start, bool(ok)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--steps", type=int, default=101)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    record, data = instance()
    build = time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    v = decide(record)
    ours, cpu = time.perf_counter() - t0, time.process_time() - c0
    flt, ok = float_route(data, args.samples, args.steps)
    params = len(data[0].parameters)
    print(f"{'instance':<44} {'params':>6} {'verdict':>9} {'ours (s)':>9} {'cpu (s)':>8} "
          f"{'float (s)':>9} {'ratio':>7}")
    print(f"{'lsz Thm 1 (1) SD net, U -> M* W^-1 (generic)':<44} {params:>6} {str(v.status):>9} {ours:>9.2f} "
          f"{cpu:>8.2f} {flt:>9.2f} {ours / flt:>7.1f}")
    print(f"(script side: building the record took {build:.2f} s; float route: {args.samples} random starts x "
          f"{args.steps} values of t, {'no violation seen' if ok else 'A VIOLATION SEEN'}; it samples, "
          "ours proves every theta of the region)")


if __name__ == "__main__":
    main()
