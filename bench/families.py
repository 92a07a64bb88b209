"""Instances users bring: each builder returns (network, X, Y, theta, expected)
with theta an exact critical point of the loss; ``expected`` is the verdict
of ``local_minimum`` the construction aims at (the benchmark prints what the
kernel answers, it does not assume it).

Constructions (all exact; the residual R = F(theta) - Y is chosen so that
the gradient J^T R vanishes):

- ``overlapping``: two-layer linear net, hidden neuron i sees ``fan_in``
  random inputs (patterns share inputs), data X, point theta as
  17-significant-digit decimals (float exports). Every sample is present
  twice with opposite residuals (R = eps [B, -B], X = [A, A]), so
  R X^T = 0 and the gradient vanishes; enough samples that ker H is
  exactly the rescaling orbits (Morse-Bott local minimum).
- ``long_rationals``: the same network shape with small rational data and
  R = eps E, E in the left null space of the Jacobian (exact nullspace): Y
  holds rationals of hundreds of digits, and the residual part of the
  Hessian is not zero.
- ``conv1d_tied``: a 1-D convolution with tied kernels, SAME mode, left-null
  residual.
- ``deep_chain``: a deep linear chain of width w, left-null residual.
- ``polynomial``: two-layer net with activation x + x^2/2 (no biases), a
  zero-residual fit (L = 0 is then a global minimum only if the kernel sees
  it; here Y = F(theta) + eps E with E in the left null space).
- ``zero_loss``: overlapping patterns with Y = F(theta) exactly.
"""
from __future__ import annotations

import random

import sympy

from losscert import compile_loss, conv1d, masked, sparse_dense
from losscert.compiler import JetAlgebra
from losscert.kernel import linalg


def _dec(rng, digits=17):
    """A float export: a decimal with ``digits`` significant digits in (-1, 1)."""
    x = rng.uniform(-1, 1)
    return sympy.Rational(f"{x:.{digits - 1}e}")


def _small(rng, top=5):
    return sympy.Rational(rng.randint(-top, top), rng.randint(1, max(4, top))) or sympy.Integer(1)


def jacobian(loss, theta):
    """The exact Jacobian of the outputs (rows: output x sample) w.r.t. the parameters."""
    P = len(theta)
    alg = JetAlgebra(loss.field, 1)
    cols = []
    for p in range(P):
        e = [loss.field.zero] * P
        e[p] = loss.field.one
        vals, _ = loss._forward(loss._curve(theta, [e], alg), alg, False)
        cols.append([vals[s][k][1] for s in loss.output_slots for k in range(loss.n)])
    return linalg.matrix([[cols[p][r] for p in range(P)] for r in range(len(cols[0]))], loss.field)


def _left_null_fit(net, X, theta, rng, eps, count=3):
    """Y = F(theta) + eps * E with E a combination of left null vectors of J."""
    d_y, n = len(net.outputs), len(X[0])
    probe = compile_loss(net, X, [[0] * n for _ in range(d_y)])
    F = probe.field
    th = probe.point(theta)
    out = probe.outputs(th, raw=True)
    null, _ = linalg.nullspace(jacobian(probe, th).transpose(), F)
    E = [F.zero] * (d_y * n)
    for v in null[:count]:
        c = F(rng.randint(1, 3))
        E = [e + c * x for e, x in zip(E, v)]
    return [[F.to_sympy(out[i][j] + F(eps) * E[i * n + j]) for j in range(n)] for i in range(d_y)]


def _patterns(rng, h, d_x, fan_in):
    """Hidden neuron i sees inputs i, i + h, ... (every input is used) plus
    random others: patterns overlap."""
    out = []
    seen = [0] * d_x
    for i in range(h):
        own = set(sorted(range(i, d_x, h))[:fan_in])
        while len(own) < fan_in:
            j = rng.randrange(d_x)
            if seen[j] < 1 or rng.random() < 0.1:
                own.add(j)
        for j in own:
            seen[j] += 1
        out.append(tuple(sorted(own)))
    return out


def _mirrored(rng, net, d_x: int, d_y: int, digits: int, eps):
    """Mirrored samples X = [A, A] (m = d_x + 4 distinct columns: full row rank), a decimal point theta
    and Y = F(theta) + eps [B, -B]: the residual is orthogonal to every input row, so theta is critical."""
    m = d_x + 4
    A = [[_dec(rng, digits) for _ in range(m)] for _ in range(d_x)]
    X = [row + row for row in A]
    theta = {p: _dec(rng, digits) for p in net.parameters}
    probe = compile_loss(net, X, [[0] * (2 * m) for _ in range(d_y)])
    out = probe.outputs(probe.point(theta), raw=True)
    F = probe.field
    Y = []
    for i in range(d_y):
        B = [_small(rng) for _ in range(m)]
        Y.append([F.to_sympy(out[i][j]) + eps * e for j, e in enumerate(B + [-b for b in B])])
    return X, Y, theta


def overlapping(h: int, seed: int = 0, digits: int = 17, fan_in: int = 3, d_y: int = 4, zero_loss=False):
    """Two-layer linear net with ``h`` hidden neurons (P = h (fan_in + d_y))."""
    rng = random.Random(seed)
    d_x = 2 * h                                  # d_y d_x >= P - h: the product identifies theta up to orbits
    net = sparse_dense(_patterns(rng, h, d_x, fan_in), d_x=d_x, d_y=d_y)
    X, Y, theta = _mirrored(rng, net, d_x, d_y, digits, sympy.Integer(0) if zero_loss else sympy.Rational(1, 1000))
    return net, X, Y, theta, "verified"


def long_rationals(seed: int = 0, d_x: int = 40, h: int = 12, d_y: int = 6, n: int = 48, fan_in: int = 5):
    """The issue's long-rational instance: small rational data, a left-null
    residual; Y holds rationals of hundreds of digits."""
    rng = random.Random(seed)
    net = sparse_dense(_patterns(rng, h, d_x, fan_in), d_x=d_x, d_y=d_y)
    X = [[_small(rng, 40) for _ in range(n)] for _ in range(d_x)]
    theta = {p: _small(rng, 40) for p in net.parameters}
    Y = _left_null_fit(net, X, theta, rng, sympy.Rational(1, 10 ** 6))
    return net, X, Y, theta, "verified"


def conv1d_tied(d: int, seed: int = 0, kernel_size: int = 3, channels: int = 2, d_y: int = 2):
    rng = random.Random(seed)
    net = conv1d(d, kernel_size, "SAME", channels=channels, d_y=d_y)
    n = len(net.parameters) // d_y + 6
    X = [[_small(rng) for _ in range(n)] for _ in range(d)]
    theta = {p: _small(rng) for p in net.parameters}
    Y = _left_null_fit(net, X, theta, rng, sympy.Rational(1, 10 ** 6))
    return net, X, Y, theta, None


def deep_chain(depth: int, width: int = 3, seed: int = 0):
    rng = random.Random(seed)
    masks = [[[1] * width for _ in range(width)] for _ in range(depth)]
    net = masked(masks)
    n = len(net.parameters) // width + 6
    X = [[_small(rng) for _ in range(n)] for _ in range(width)]
    theta = {p: _small(rng) for p in net.parameters}
    Y = _left_null_fit(net, X, theta, rng, sympy.Rational(1, 10 ** 6))
    return net, X, Y, theta, None


def polynomial(h: int, seed: int = 0, d_y: int = 2, fan_in: int = 2):
    rng = random.Random(seed)
    d_x = max(fan_in + 1, h // 2)
    net = sparse_dense(_patterns(rng, h, d_x, fan_in), d_x=d_x, d_y=d_y, activation="poly(0, 1, 1/2)")
    n = len(net.parameters) // d_y + 6
    X = [[_small(rng) for _ in range(n)] for _ in range(d_x)]
    theta = {p: _small(rng) for p in net.parameters}
    Y = _left_null_fit(net, X, theta, rng, sympy.Rational(1, 10 ** 6))
    return net, X, Y, theta, None


def zero_loss(h: int, seed: int = 0):
    return overlapping(h, seed, zero_loss=True)


def shared_inputs(h: int, seed: int = 0, fan_in: int = 2, d_x: int = 4, d_y: int = 5, digits: int = 17):
    """The issue's global minima whose flat directions are not symmetries:
    ``h`` linear hidden neurons on random ``fan_in``-subsets of only ``d_x``
    inputs (no private input per neuron), 17-digit decimal data and point,
    mirrored samples (X = [A, A], R = eps [B, -B]) so that the residual is
    orthogonal to every input row: a global minimum with L > 0 whose Hessian
    kernel is larger than the rescaling orbits (P = h (fan_in + d_y))."""
    rng = random.Random(seed)
    net = sparse_dense([tuple(sorted(rng.sample(range(d_x), fan_in))) for _ in range(h)], d_x=d_x, d_y=d_y)
    X, Y, theta = _mirrored(rng, net, d_x, d_y, digits, sympy.Rational(1, 1000))
    return net, X, Y, theta, "verified"
