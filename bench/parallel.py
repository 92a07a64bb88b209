"""Parallel speed-up of ``losscert search``: the same search with 1 and 2
worker processes, side by side in one run.

    python -m bench.parallel [--runs 200] [--max-iter 20000]

The instance is lin-sun-zhang's Section 7.3 network with tanh (Table 3's
setting); certification is off, so the time is the numerical search
(vectorised gradient descent, one batch of initialisations per process).
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from losscert.discover import search
from experiments.lsz_table3 import loss_for


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--max-iter", type=int, default=20000)
    args = ap.parse_args(argv)
    loss = loss_for("tanh")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} (other jobs take cores from the 2 workers)")
    print(f"search: {args.runs} runs of gradient descent, up to {args.max_iter} iterations (lsz Section 7.3, tanh)")
    times = {}
    for workers in (1, 2):
        t0 = time.time()
        res = search(loss, runs=args.runs, max_iter=args.max_iter, workers=workers, certify=False)
        times[workers] = time.time() - t0
        print(f"workers {workers}: {times[workers]:7.2f} s, {len(res.minima)} distinct end points, "
              f"basins {[m.basin for m in res.minima]}")
    print(f"speed-up with 2 workers: {times[1] / times[2]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
