"""A new random sparse-dense linear network (not from the papers): does
``losscert search`` find and certify a spurious local minimum?

    python -m experiments.random_sparse_dense [--seed 7] [--runs 30] [--workers 2] [--out DIR]

8 inputs, 4 hidden linear neurons each seeing 4 random inputs, 5 outputs
(dense second layer), 12 samples with integer data in [-3, 3]: 36
parameters. The alternating best-rank-one search (the ICLR paper's
Algorithm 2, generalised) proposes minima; the kernel certifies them on the
gauge-fixed slice (rescaling orbits removed) with Arb intervals, and the
spurious ones against the best point found.
"""
from __future__ import annotations

import argparse

import numpy as np

from losscert import compile_loss, sparse_dense
from losscert.discover import search, table, write_claim_files


def instance(seed: int):
    rng = np.random.default_rng(seed)
    dx, dy, n, hidden, fan_in = 8, 5, 12, 4, 4
    while True:
        patterns = [sorted(rng.choice(dx, fan_in, replace=False).tolist()) for _ in range(hidden)]
        if len({i for p in patterns for i in p}) == dx and len({tuple(p) for p in patterns}) == hidden:
            break
    X = rng.integers(-3, 4, size=(dx, n)).tolist()
    Y = rng.integers(-3, 4, size=(dy, n)).tolist()
    return compile_loss(sparse_dense(patterns, dx, dy), X, Y), patterns


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", help="write claim files of exactly certified minima here")
    args = ap.parse_args(argv)
    loss, patterns = instance(args.seed)
    print(f"seed {args.seed}: input patterns {patterns}, {len(loss.params)} parameters, {loss.n} samples")
    res = search(loss, runs=args.runs, method="rank-one", workers=args.workers, seed=args.seed)
    if args.out:
        write_claim_files(loss, res, args.out, f"random-sparse-dense-{args.seed}")
    print(table(res))
    for i, m in enumerate(res.minima, 1):
        if m.verdict != "not tried":
            print(f"  {i}: {m.reason[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
