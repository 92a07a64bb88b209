"""Benchmark: rigorous ``local_minimum_near`` certificates for tanh networks.

    python -m bench.intervals [--widths 2,8] [--digits 30,60] [--naive-up-to 20]

Instance: a dense tanh network d_x = 3 -> width -> d_y = 3 (no biases),
n = 20 samples, a random rational teacher theta*; Y = F(theta*) rounded to
40 digits, so a strict local minimum (the fit) lies next to theta*. The
certificate: Newton proposal, Krawczyk step and positive definite Hessian
on a box (Arb balls). "naive" is the route of the papers: SymPy's Hessian
of the whole expression, evaluated at theta* with evalf and eigenvalues by
mpmath (floating point, not a proof), where it finishes.

Also printed: Arb (python-flint) against mpmath's ``iv`` on the elementary
operation the loss needs most, exp of 10^4 intervals, at each precision.
"""
from __future__ import annotations

import argparse
import platform
import random
import time

import mpmath
import sympy

from losscert import compile_loss, dense, intervals, kernel


def instance(width: int, seed: int, n: int = 20, d_x: int = 3, d_y: int = 3):
    """A d_x -> width -> d_y tanh net; for wide nets pass d_x and n so that
    the fit's Hessian is well conditioned (d_y n >= parameters)."""
    rng = random.Random(seed)
    net = dense([d_x, width, d_y], activation="tanh")
    q = lambda: sympy.Rational(rng.randint(-9, 9), 10)  # noqa: E731
    X = [[q() for _ in range(n)] for _ in range(d_x)]
    theta = {p: q() or sympy.Rational(1, 10) for p in net.parameters}
    probe = compile_loss(net, X, [[0] * n for _ in range(d_y)])
    with mpmath.workdps(50):
        out = [[v for v in row] for row in _outputs(probe, probe.point(theta))]
    Y = [[sympy.Rational(mpmath.nstr(v, 40)) for v in row] for row in out]
    return net, X, Y, theta


def _outputs(loss, theta):
    from losscert.compiler import MPAlgebra
    alg = MPAlgebra(loss.field)
    vals, _ = loss._forward(loss.to_mp(theta), alg, False)
    return [vals[s] for s in loss.output_slots]


def ours(net, X, Y, theta, digits):
    t0 = time.perf_counter()
    loss = compile_loss(net, X, Y)
    v = kernel.local_minimum_near(loss, loss.point(theta), sympy.Rational(1, 10 ** 6), digits)
    return time.perf_counter() - t0, v.status


def naive(net, X, Y, theta, digits):
    t0 = time.perf_counter()
    loss = compile_loss(net, X, Y)
    syms = loss.symbols()
    H = sympy.hessian(loss.expression(), syms)
    subs = {s: sympy.sympify(theta[s.name]) for s in syms}
    with mpmath.workdps(digits):
        Hn = mpmath.matrix([[mpmath.mpf(str(e.subs(subs).evalf(digits))) for e in row] for row in H.tolist()])
        eig = mpmath.eigsy(Hn)[0]
    return time.perf_counter() - t0, f"min eigenvalue ~ {mpmath.nstr(min(eig), 4)} (floating point)"


def exp_race(digits: int, count: int = 10_000):
    import flint
    xs = [sympy.Rational(k, 997) for k in range(count)]
    with intervals.precision(digits):
        balls = [intervals.exact(x) for x in xs]
        t0 = time.perf_counter()
        for b in balls:
            b.exp()
        t_arb = time.perf_counter() - t0
        assert flint.ctx.prec == intervals.bits_for(digits)
    saved = mpmath.iv.prec
    mpmath.iv.prec = intervals.bits_for(digits)
    try:
        ivs = [mpmath.iv.mpf(int(x.p)) / int(x.q) for x in xs]
        t0 = time.perf_counter()
        for v in ivs:
            mpmath.iv.exp(v)
        t_iv = time.perf_counter() - t0
    finally:
        mpmath.iv.prec = saved
    return t_arb, t_iv


def main():
    ap = argparse.ArgumentParser(prog="python -m bench.intervals")
    ap.add_argument("--widths", default="2,8", help="hidden widths (parameters = 6 x width)")
    ap.add_argument("--digits", default="30,60")
    ap.add_argument("--naive-up-to", type=int, default=12, help="largest parameter count for the naive route")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    digit_list = [int(d) for d in args.digits.split(",")]
    print(f"machine: {platform.machine()}, python {platform.python_version()}, sympy {sympy.__version__}, "
          f"python-flint {__import__('flint').__version__}, mpmath {mpmath.__version__}")
    for d in digit_list:
        t_arb, t_iv = exp_race(d)
        print(f"exp of 10^4 intervals at {d} digits: Arb {t_arb:.3f} s, mpmath iv {t_iv:.3f} s "
              f"({t_iv / t_arb:.0f}x)")
    print(f"{'params':>6} {'digits':>6} {'ours (s)':>9} {'verdict':>9} {'naive (s)':>10} {'ratio':>7}")
    for width in map(int, args.widths.split(",")):
        net, X, Y, theta = instance(width, args.seed)
        P = len(net.parameters)
        for d in digit_list:
            t, status = ours(net, X, Y, theta, d)
            line = f"{P:>6} {d:>6} {t:>9.3f} {status:>9}"
            if P <= args.naive_up_to:
                tn, res = naive(net, X, Y, theta, d)
                line += f" {tn:>10.3f} {tn / t:>7.0f}x  ({res})"
            print(line, flush=True)


if __name__ == "__main__":
    main()
