"""Newton's method on the gradient: proposes the centre of the Krawczyk box
of :func:`losscert.kernel.rigorous.local_minimum_near` (untrusted: the kernel
checks whatever centre it is given).

The iteration runs on Arb midpoints at a fixed working precision, so every
iterate has a bounded mantissa; a coordinate that leaves the ball by far, or
grows beyond ``2**64``, ends the iteration, and the result is rounded to
decimals of bounded size (no exact number with a huge power of two is made).

>>> from losscert.network import dense
>>> from losscert.compiler import compile_loss
>>> loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
>>> theta = loss.point({"x1 -> h1_1": "0.65", "h1_1 -> y1": "1.7"})
>>> [float(c) for c in propose_centre(loss, theta, "1/10", 30)]    # atanh(1/sqrt(3)), sqrt(3)
[0.6584789484624084, 1.7320508075688772]
>>> local_minimum_near(loss, theta, "1/10").status
'verified'
"""
from __future__ import annotations

import sympy

from .. import intervals as iv
from ..activations import NonSmooth
from ..compiler import Loss
from ..kernel import rigorous
from ..kernel.verdict import Verdict
from ..network import MAX_ARB_MATRIX_PARAMETERS
from ..numbers import parse_number

MAX_STEPS = 40
MAGNITUDE_BITS = 64          # iterates beyond 2**64 in size are abandoned


def local_minimum_near(loss: Loss, theta, radius, digits: int = rigorous.DEFAULT_DIGITS) -> Verdict:
    """Propose a centre by Newton's method, then let the kernel certify around it."""
    theta = loss.point(theta)
    centre = propose_centre(loss, theta, radius, digits)
    return rigorous.local_minimum_near(loss, theta, radius, digits, centre=centre)


def propose_centre(loss: Loss, theta, radius, digits: int = rigorous.DEFAULT_DIGITS) -> list | None:
    """An approximate critical point near theta as rationals (decimals with
    about ``2 * digits`` significant digits, so the kernel's refinement at
    twice the digits has an accurate centre), or None when Newton's method
    fails, diverges or leaves the ball."""
    from flint import arb, arb_mat
    P = len(loss.params)
    if not 0 < P <= MAX_ARB_MATRIX_PARAMETERS:
        return None                                     # nothing to do, or the kernel will refuse the size
    F = loss.field
    if isinstance(radius, str):
        radius = parse_number(radius)
    work = 2 * digits + 10
    with iv.precision(work):
        try:
            start = [_thin(iv.field_to_arb(F, F(t))) for t in theta]
            reach = 4 * iv.upper(iv.field_to_arb(F, F(radius))) if radius is not None else None
        except (ArithmeticError, ValueError):
            return None
        x, previous = list(start), None
        tolerance = arb(10) ** (-2 * digits)
        for _ in range(MAX_STEPS):
            try:
                g = loss.iv_gradient(x)
                H = loss.iv_hessian(x)
                step = arb_mat([[h.mid() for h in row] for row in H]).solve(arb_mat([[e.mid()] for e in g]))
                s = [_thin(step[i, 0]) for i in range(P)]
            except (ArithmeticError, ValueError, NonSmooth):
                break
            if not all(_tame(v) for v in s):
                break
            size = max(abs(v) for v in s)
            if previous is not None and size > previous:
                break                                   # not converging: keep the last iterate
            candidate = [_thin(a - b) for a, b in zip(x, s)]
            if not all(_tame(v) for v in candidate):
                break
            x, previous = candidate, size
            if size < tolerance:
                break
        try:
            out = [_decimal(v, work) for v in x]
        except (ArithmeticError, ValueError):
            return None
    if reach is not None and max(abs(a - b) for a, b in zip(out, (_decimal(v, work) for v in start))) > reach:
        return None                                     # wandered off: no use to the kernel
    return out


def _thin(x) -> "flint.arb":
    """The midpoint of a ball as an exact ball (Newton works on midpoints)."""
    return x.mid()


def _tame(x) -> bool:
    """A finite ball whose midpoint is at most 2**MAGNITUDE_BITS in size."""
    if not x.is_finite():
        return False
    man, exp = x.mid().man_exp()
    return int(exp) + int(man).bit_length() <= MAGNITUDE_BITS


def _decimal(x, digits: int) -> sympy.Rational:
    """The midpoint of ``x`` rounded to ``digits`` significant decimal digits, exactly
    (a tiny midpoint, below 10**-digits in size, becomes 0)."""
    q = iv.mid(x)
    if not q or abs(q) < sympy.Rational(1, 10 ** digits):
        return sympy.Integer(0)
    return sympy.Rational(str(sympy.Float(q, digits)))
