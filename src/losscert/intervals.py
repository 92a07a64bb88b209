"""Rigorous enclosures: Arb balls (python-flint) for the generic pass.

The third arithmetic level of DESIGN.md. Every number here is an Arb ball
``[m +/- r]`` that is guaranteed to contain the true value; operations on
balls contain the result for every choice of points in the input balls, so
evaluating the loss on a *box* of parameters (one ball per parameter)
encloses the loss, gradient and Hessian over the whole box.

>>> with precision(30):
...     x = to_arb(sympy.sqrt(2))
...     (x * x).contains(2), lower(x) < sympy.sqrt(2) < upper(x)
(True, True)

Arb was chosen over mpmath's ``iv``: ``iv`` has no tanh and no Taylor
series arithmetic, and Arb is faster (``python -m bench.intervals``
prints the comparison). python-flint is a core dependency (SymPy uses it as
ground types too); if it is missing, interval rules answer ``inconclusive``.
"""
from __future__ import annotations

import contextlib

import sympy

from .fields import Field, exact, to_arb  # noqa: F401 - exact and to_arb are part of this module's API

try:  # pragma: no cover - exercised by tests/test_intervals.py with flint hidden
    import flint
except ImportError:  # pragma: no cover
    flint = None


class IntervalUnavailable(RuntimeError):
    """Rigorous interval arithmetic needs python-flint (Arb)."""


class IntervalRange(ArithmeticError):
    """A ball holds numbers too large to turn into exact rationals (|x| > 2**EXACT_RANGE_BITS), or is not finite."""


EXACT_RANGE_BITS = 4096     # exact rationals made from balls stay within 2**-4096 .. 2**4096


def require():
    if flint is None:
        raise IntervalUnavailable("python-flint (Arb) is not installed, so no rigorous enclosure is possible")


def bits_for(digits: int) -> int:
    """Working precision in bits for ``digits`` decimal digits (with guard bits)."""
    return int(digits * 3.3219280948873626) + 16


@contextlib.contextmanager
def precision(digits: int):
    """Run Arb at ``digits`` decimal digits (restored afterwards)."""
    require()
    saved = flint.ctx.prec
    flint.ctx.prec = bits_for(digits)
    try:
        yield
    finally:
        flint.ctx.prec = saved


def lower(x) -> sympy.Rational:
    """An exact rational lower bound of the ball ``x`` (mid - rad; a midpoint
    or radius below 2**-EXACT_RANGE_BITS in size is rounded outwards to it)."""
    return _rational(x.mid(), -1) - _rational(x.rad(), 1)


def upper(x) -> sympy.Rational:
    """An exact rational upper bound of the ball ``x`` (mid + rad, rounded up likewise)."""
    return _rational(x.mid(), 1) + _rational(x.rad(), 1)


def mid(x) -> sympy.Rational:
    """The midpoint of the ball ``x`` as a rational: exact, except that a
    midpoint below 2**-EXACT_RANGE_BITS in size becomes 0 (callers measure
    their deviations from the rational they get, so any nearby one will do).

    >>> mid(flint.arb(3) / 4), mid(flint.arb(2) ** -10 ** 9)
    (3/4, 0)
    """
    return _rational(x.mid(), 0)


def _rational(point, direction: int) -> sympy.Rational:
    """The arf ``point`` as an exact rational. A tiny one (|point| < 2**-EXACT_RANGE_BITS)
    becomes 2**-EXACT_RANGE_BITS times ``direction`` (+1 up, -1 down, 0 nearest: zero),
    so no exact number ever carries a huge power of two; a huge one raises IntervalRange."""
    if not point.is_finite():
        raise IntervalRange("an enclosure is not finite")
    man, exp = point.man_exp()
    man, exp = int(man), int(exp)
    if exp + man.bit_length() > EXACT_RANGE_BITS:
        raise IntervalRange(f"an enclosure holds numbers beyond 2**{EXACT_RANGE_BITS} in size")
    if man and exp + man.bit_length() < -EXACT_RANGE_BITS:
        if direction == 0:
            return sympy.Integer(0)
        tiny = sympy.Rational(1, 2 ** EXACT_RANGE_BITS)
        return tiny if direction > 0 else -tiny
    return sympy.Rational(man * 2 ** exp) if exp >= 0 else sympy.Rational(man, 2 ** -exp)


def sign(x) -> int | None:
    """+1 / -1 when the ball excludes zero, 0 when it is exactly zero, else None."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    if x.is_exact() and x.is_zero():
        return 0
    return None


def show(x, digits: int = 15) -> str:
    """A ball as Arb prints it (the printed ball contains ``x``)."""
    return x.str(digits, radius=True)


def upper_text(x, digits: int = 5) -> str:
    """A decimal number >= every point of the ball ``x``."""
    q = upper(x)
    if q <= 0:
        return str(q)                               # exact (rare: a non-positive bound)
    e = int(sympy.floor(sympy.log(q, 10))) - digits + 1
    step = sympy.Rational(10) ** e
    m = str(int(sympy.ceiling(q / step)))          # `digits` (or digits + 1) figures
    return f"{m[0]}.{m[1:]}e{e + len(m) - 1}"


def box(F: Field, center, radius) -> list:
    """Balls ``center_i +/- radius`` (sup-norm box) for field-element
    coordinates and a rational ``radius`` (0: thin balls at the point)."""
    r = spread(radius)
    return [field_to_arb(F, c) + r for c in center]


def spread(radius) -> "flint.arb":
    """The ball [-radius, radius] for a rational radius (its radius rounded up)."""
    q = sympy.Rational(radius)
    return flint.arb(0, flint.fmpq(int(q.p), int(q.q))) if q else flint.arb(0)


def field_to_arb(F: Field, c) -> "flint.arb":
    if F.is_rational:
        return flint.arb(flint.fmpq(int(c.numerator), int(c.denominator)))
    if getattr(F, "exponential", False):
        return F.to_arb(c)
    return to_arb(F.to_sympy(c))
