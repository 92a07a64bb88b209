"""Benchmark: the full local-minimum certificate on random sparse-dense
linear networks with a constructed rational local minimum, against the naive
SymPy route (one expression, sympy.hessian, substitution,
is_positive_semidefinite) where that finishes, in the same process.

    python -m bench [--sizes 1,2,4] [--naive-up-to 30] [--seed 0]

"peak MiB" is the process's peak resident memory so far (it includes the
instance construction and any naive runs before that line).

Construction: random rational theta; Y = F(theta) + E with E in the left
null space of the Jacobian (so the gradient vanishes), scaled down until the
kernel certifies a local minimum.
"""
from __future__ import annotations

import argparse
import platform
import random
import resource
import time

import sympy

from losscert import compile_loss, kernel, sparse_dense
from losscert.kernel import linalg


def instance(blocks: int, seed: int, d_y: int = 3, n: int = 8):
    """Inputs in disjoint blocks of 3; block b feeds 1 or 2 linear hidden
    neurons (a pattern group); every hidden neuron feeds every output."""
    rng = random.Random(seed)
    d_x = 3 * blocks
    patterns = [tuple(range(3 * b, 3 * b + 3)) for b in range(blocks) for _ in range(rng.randint(1, 2))]
    net = sparse_dense(patterns, d_x=d_x, d_y=d_y)
    q = lambda: sympy.Rational(rng.randint(-5, 5), rng.randint(1, 4)) or sympy.Integer(1)  # noqa: E731
    X = [[q() for _ in range(n)] for _ in range(d_x)]
    theta = {p: q() for p in net.parameters}
    probe = compile_loss(net, X, [[0] * n for _ in range(d_y)])
    th = probe.point(theta)
    F = probe.field
    out = probe.outputs(th, raw=True)
    J = _jacobian(probe, th)                                   # (d_y n) x P
    left_null, _ = linalg.nullspace(J.transpose(), F)
    E = [F.zero] * (d_y * n)
    for v in left_null[: 3]:
        c = F(sympy.Rational(rng.randint(1, 3)))
        E = [e + c * x for e, x in zip(E, v)]
    for k in range(0, 12):
        eps = F(sympy.Rational(1, 4 ** k))
        Y = [[F.to_sympy(out[i][j] + eps * E[i * n + j]) for j in range(n)] for i in range(d_y)]
        loss = compile_loss(net, X, Y)
        if kernel.local_minimum(loss, loss.point(theta)).status == kernel.VERIFIED:
            return net, X, Y, theta
    raise RuntimeError("no certified instance")


def _jacobian(loss, theta):
    P = len(theta)
    cols = []
    for p in range(P):
        e = [loss.field.zero] * P
        e[p] = loss.field.one
        from losscert.compiler import JetAlgebra
        alg = JetAlgebra(loss.field, 1)
        vals, _ = loss._forward(loss._curve(theta, [e], alg), alg, False)
        cols.append([vals[s][k][1] for s in loss.output_slots for k in range(loss.n)])
    return linalg.matrix([[cols[p][r] for p in range(P)] for r in range(len(cols[0]))], loss.field)


def ours(net, X, Y, theta):
    kernel.decide._CACHE.clear()
    t0 = time.perf_counter()
    loss = compile_loss(net, X, Y)
    th = loss.point(theta)
    v = kernel.local_minimum(loss, th)
    return time.perf_counter() - t0, v.status


def naive(net, X, Y, theta):
    t0 = time.perf_counter()
    loss = compile_loss(net, X, Y)
    syms = loss.symbols()
    expr = loss.expression()
    subs = {s: sympy.sympify(theta[s.name]) for s in syms}
    grad_zero = all(sympy.diff(expr, s).subs(subs) == 0 for s in syms)
    H = sympy.hessian(expr, syms).subs(subs)
    psd = H.is_positive_semidefinite
    return time.perf_counter() - t0, f"grad0={grad_zero} psd={psd}"


def main():
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--sizes", default="1,2,4,8,16", help="input blocks per network (parameters ~ 9 per block)")
    ap.add_argument("--naive-up-to", type=int, default=30, help="largest parameter count for the naive route")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}, "
          f"sympy {sympy.__version__}, ground types {__import__('sympy.external.gmpy', fromlist=['x']).GROUND_TYPES}")
    print(f"{'params':>6} {'ours (s)':>9} {'verdict':>9} {'peak MiB':>9} {'naive (s)':>10} {'ratio':>7}")
    for h in map(int, args.sizes.split(",")):
        net, X, Y, theta = instance(h, args.seed)
        P = len(net.parameters)
        t, status = ours(net, X, Y, theta)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # whole process so far, Linux KiB
        line = f"{P:>6} {t:>9.3f} {status:>9} {peak:>9.0f}"
        if P <= args.naive_up_to:
            tn, res = naive(net, X, Y, theta)
            line += f" {tn:>10.3f} {tn / t:>7.0f}x  ({res})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
