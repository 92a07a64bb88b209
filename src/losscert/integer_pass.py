"""The exact value and gradient over Q, vectorised over the samples.

A node's values on the n samples are held as one vector of integers over a
common denominator, ``Vec(N, D)``: value_s = N_s / D (N a numpy array of
Python ints, D > 0 an int). Sums, products and polynomials stay integer
operations, run by numpy's loops over Python ints, with no gcd per element
(FLINT's ``fmpq`` reduces every result: about 4x slower per operation, plus
the per-element call of the generic pass). The results are the same exact
rationals as :meth:`losscert.compiler.Loss.value_and_gradient`'s generic
pass; each gradient entry and the value are reduced once at the end.

Used only when the field is Q (every number an ``fmpq``), every activation
is linear, a polynomial or piecewise linear (ReLU, leaky ReLU; the
gradient only away from the kinks), the loss has no per-sample pieces
(:meth:`~losscert.compiler.Loss.with_slopes`), and
the common denominators stay below MAX_DENOMINATOR_BITS (data with many
unrelated denominators: the generic pass is then the better one);
:func:`value_and_gradient` returns None otherwise.

>>> from losscert.network import dense
>>> from losscert.compiler import compile_loss
>>> X, Y = [[f"{k}/3" for k in range(3000)]], [[k % 7 for k in range(3000)]]
>>> loss = compile_loss(dense([1, 1, 1], activation="poly(0, 1, 1/2)"), X, Y)
>>> value, grad = value_and_gradient(loss, loss.point([2, "1/2"]))       # 3000 samples x 2 nodes: it pays
>>> len(grad), type(value).__name__                                        # exact: FLINT rationals
(2, 'fmpq')
>>> small = compile_loss(dense([1, 1, 1]), [[1, 2]], [[0, 1]])
>>> value_and_gradient(small, small.point([1, 1])) is None               # too small: the generic pass runs
True
"""
from __future__ import annotations

import math

MAX_DENOMINATOR_BITS = 1 << 16      # past this, a common denominator costs more than it saves
MIN_WORK = 4096                     # samples x nodes below this: the generic pass (no numpy import)


class Vec:
    """Exact rationals N_s / D over the samples (N: numpy object array of ints, D > 0)."""
    __slots__ = ("N", "D")

    def __init__(self, N, D: int):
        self.N, self.D = N, D


def _fraction(q) -> tuple[int, int]:
    return int(q.p), int(q.q)


def vec_of(values) -> Vec | None:
    """The fmpq values as one Vec over the lcm of their denominators (None
    past MAX_DENOMINATOR_BITS, or when a value is not an fmpq)."""
    import numpy as np
    from flint import fmpq
    if any(type(q) is not fmpq for q in values):
        return None
    pairs = [_fraction(q) for q in values]
    D = 1
    for _, d in pairs:
        if D % d:
            D = D * d // math.gcd(D, d)
            if D.bit_length() > MAX_DENOMINATOR_BITS:
                return None
    N = np.empty(len(pairs), dtype=object)
    N[:] = [p * (D // d) for p, d in pairs]
    return Vec(N, D)


def data(loss) -> tuple[list, list]:
    """The data X and Y as Vecs, one per row (None for a row past
    MAX_DENOMINATOR_BITS or not over Q), converted once per loss and data (the cache
    keeps the very lists it was made from: a copy of the loss given other
    data converts anew)."""
    cached = loss.__dict__.get("_integer_data")
    if cached is None or cached[0] is not loss.X or cached[1] is not loss.Y:
        cached = loss._integer_data = (loss.X, loss.Y, [vec_of(r) for r in loss.X], [vec_of(r) for r in loss.Y])
    return cached[2], cached[3]


def add(x: Vec | None, y: Vec) -> Vec:
    """x + y (x None: y)."""
    if x is None:
        return y
    if x.D == y.D:
        return Vec(x.N + y.N, x.D)
    g = math.gcd(x.D, y.D)
    return Vec(x.N * (y.D // g) + y.N * (x.D // g), x.D // g * y.D)


def scale(x: Vec, q) -> Vec:
    """q x for a rational q (an fmpq)."""
    p, d = _fraction(q)
    return Vec(x.N * p, x.D * d)


def add_constant(x: Vec, q) -> Vec:
    """x + q for a rational q."""
    p, d = _fraction(q)
    g = math.gcd(x.D, d)
    return Vec(x.N * (d // g) + p * (x.D // g), x.D // g * d)


def mul(x: Vec, y: Vec) -> Vec:
    return Vec(x.N * y.N, x.D * y.D)


def polynomial(coeffs, z: Vec) -> Vec:
    """sum_i coeffs[i] z^i by Horner's rule (coeffs: fmpq, lowest degree first)."""
    import numpy as np
    acc = None
    for c in reversed(coeffs):
        if acc is None:
            p, d = _fraction(c)
            N = np.empty(len(z.N), dtype=object)
            N[:] = [p] * len(z.N)
            acc = Vec(N, d)
        else:
            acc = add_constant(mul(acc, z), c)
    return acc


def dot(x: Vec, y: Vec):
    """sum_s x_s y_s as an fmpq."""
    from flint import fmpq
    import numpy as np
    return fmpq(int(np.dot(x.N, y.N)) if len(x.N) else 0, x.D * y.D)


def total(x: Vec):
    """sum_s x_s as an fmpq."""
    from flint import fmpq
    return fmpq(int(sum(x.N)), x.D)


def applies(loss, theta, min_work: int | None = None) -> bool:
    """The integer pass computes exactly what the generic pass does here (see
    the module docstring); ``min_work`` None: MIN_WORK."""
    from flint import fmpq
    if getattr(loss, "_slopes", None) or loss.n * len(loss.steps) < (MIN_WORK if min_work is None else min_work):
        return False
    for st in loss.steps:
        act = st.activation
        if act is not None and act.kind != "linear" and act.polynomial_coefficients is None and act.slopes is None:
            return False
        if any(c is not None and type(c) is not fmpq for _, _, c in st.terms):
            return False
    return all(type(q) is fmpq for q in (loss.scale, *theta))      # the data: checked once, in data()


def piecewise_slopes(slopes, z: Vec) -> Vec:
    """The slope of a piecewise-linear activation on each sample: slopes[1]
    where z > 0, else slopes[0] (at z = 0 the value slope * z = 0 is right
    either way; the derivative is not, and :func:`forward` reports the kink)."""
    import numpy as np
    (p0, q0), (p1, q1) = _fraction(slopes[0]), _fraction(slopes[1])
    L = q0 * q1 // math.gcd(q0, q1)
    up, down = p1 * (L // q1), p0 * (L // q0)
    N = np.empty(len(z.N), dtype=object)
    N[:] = [up if x > 0 else down for x in z.N]
    return Vec(N, L)


def forward(loss, theta, kinks: list | None = None, derivatives: bool = True, second: dict | None = None,
            min_work: int | None = None):
    """(vals, derivative): each slot's values as a Vec, and each polynomial
    or piecewise-linear node's sigma'(pre-activation) (None for a constant
    polynomial; none at all without ``derivatives``: the values only);
    None when the integer pass does not apply. ``kinks``: a list that
    receives, per piecewise-linear node, whether some pre-activation is
    exactly 0 (then sigma' is not defined there). ``second``: a dict that
    receives each polynomial node's sigma''(pre-activation) (None when it
    is 0). ``min_work``: the samples x nodes below which the pass declines."""
    if not applies(loss, theta, min_work):
        return None
    F = loss.field
    X = data(loss)[0]
    if any(x is None for x in X):
        return None
    vals: dict = dict(enumerate(X))
    derivative: dict = {}
    for st in loss.steps:
        pre = None
        for src, p, c in st.terms:
            pre = add(pre, scale(vals[src], theta[p] if p is not None else c))
        if pre is None:
            pre = vec_of([F.zero] * loss.n)
        if st.bias is not None:
            pre = add_constant(pre, theta[st.bias])
        act = st.activation
        if act is None or act.kind == "linear":
            vals[st.slot] = pre
        elif act.slopes is not None:
            k = piecewise_slopes([F(c) for c in act.slopes], pre)
            vals[st.slot], derivative[st.slot] = mul(k, pre), k
            if kinks is not None:
                kinks.append(any(x == 0 for x in pre.N))
        else:
            coeffs = [F(c) for c in act.polynomial_coefficients]
            vals[st.slot] = polynomial(coeffs, pre)
            slope = [k * c for k, c in enumerate(coeffs)][1:]
            if derivatives:
                derivative[st.slot] = polynomial(slope, pre) if slope else None
            if second is not None:
                curvature = [k * c for k, c in enumerate(slope)][1:]
                second[st.slot] = polynomial(curvature, pre) if any(curvature) else None
        if vals[st.slot].D.bit_length() > MAX_DENOMINATOR_BITS:
            return None
    return vals, derivative


def residuals(loss, vals) -> list | None:
    """F_o(theta) - Y_o per output, as Vecs (None past MAX_DENOMINATOR_BITS)."""
    out = []
    for o, y in zip(loss.output_slots, data(loss)[1]):
        if y is None:
            return None
        out.append(add(vals[o], scale(y, -loss.field.one)))
    return out


def outputs(loss, theta) -> list | None:
    """F(theta) as rows of fmpq (one per output), or None when the pass does not apply."""
    from flint import fmpq
    run = forward(loss, theta, derivatives=False)
    if run is None:
        return None
    vals = run[0]
    return [[fmpq(int(N), vals[o].D) for N in vals[o].N] for o in loss.output_slots]


def value_and_gradient(loss, theta, keep: dict | None = None):
    """(L(theta), grad L(theta)) as fmpq, or None when the integer pass does
    not apply (or a piecewise-linear activation sits at its kink: the
    generic pass then reports it). ``keep``: a dict that receives the
    forward pass (theta, vals, derivative, second, residuals)."""
    kinks: list = []
    second = {} if keep is not None else None
    run = forward(loss, theta, kinks, second=second)
    if run is None or any(kinks):
        return None
    vals, derivative = run
    res = residuals(loss, vals)
    if res is None:
        return None
    if keep is not None:            # the forward pass, for the Hessian's blocks (kernel/shallow.py)
        keep.update(theta=list(theta), vals=vals, derivative=derivative, second=second, residuals=res)
    F, ni = loss.field, loss.n_inputs
    value = F.zero
    adjoint: dict = {}
    two_s = loss.scale * 2
    for o, r in zip(loss.output_slots, res):
        value += dot(r, r)
        adjoint[o] = scale(r, two_s)
    value *= loss.scale
    grad = [F.zero] * len(theta)
    for st in reversed(loss.steps):
        lam = adjoint.pop(st.slot, None)
        if lam is None:
            continue
        if st.activation is not None and st.activation.kind != "linear":
            d = derivative[st.slot]
            if d is None:
                continue
            lam = mul(lam, d)
        for src, p, c in st.terms:
            if p is not None:
                grad[p] += dot(lam, vals[src])
            if src >= ni:
                adjoint[src] = add(adjoint.get(src), scale(lam, theta[p] if p is not None else c))
        if st.bias is not None:
            grad[st.bias] += total(lam)
    return value, grad
