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
from fractions import Fraction

import sympy

from .compiler import FieldAlgebra, JetAlgebra
from .fields import Field, enclose

try:  # pragma: no cover - exercised by tests/test_intervals.py with flint hidden
    import flint
except ImportError:  # pragma: no cover
    flint = None


class IntervalUnavailable(RuntimeError):
    """Rigorous interval arithmetic needs python-flint (Arb)."""


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


def exact(q) -> "flint.arb":
    """A rational (int, Fraction, SymPy Rational, fmpq) as a ball."""
    q = Fraction(int(q.p), int(q.q)) if isinstance(q, sympy.Rational) else Fraction(q)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def to_arb(expr) -> "flint.arb":
    """A real algebraic SymPy number as a ball at the current precision."""
    expr = sympy.sympify(expr)
    if expr.is_Rational:
        return exact(expr)
    box = enclose(expr, flint.ctx.prec + 16)          # mpmath iv, rigorous
    lo, hi = (_dyadic(end) for end in box._mpi_)     # raw endpoints: no rounding
    return flint.arb(lo).union(flint.arb(hi))


def _dyadic(raw) -> "flint.fmpq":
    """An mpmath raw float (sign, man, exp, bc) as an exact rational."""
    sign, man, exp, _ = raw
    man = -int(man) if sign else int(man)
    return flint.fmpq(man * 2 ** exp) if exp >= 0 else flint.fmpq(man, 2 ** -exp)


def lower(x) -> sympy.Rational:
    """An exact rational lower bound of the ball ``x`` (mid - rad)."""
    return _rational(x.mid()) - _rational(x.rad())


def upper(x) -> sympy.Rational:
    """An exact rational upper bound of the ball ``x`` (mid + rad)."""
    return _rational(x.mid()) + _rational(x.rad())


def mid(x) -> sympy.Rational:
    """The midpoint of the ball ``x``, exactly."""
    return _rational(x.mid())


def _rational(point) -> sympy.Rational:
    man, exp = point.man_exp()
    man, exp = int(man), int(exp)
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
    return to_arb(F.to_sympy(c))


class _Lifts:
    """Field constants as balls, converted once per evaluation."""
    def __init__(self, F: Field):
        self.F, self.cache = F, {}

    def __call__(self, c):
        try:
            return self.cache[c]
        except (KeyError, TypeError):
            ball = field_to_arb(self.F, c)
            try:
                self.cache[c] = ball
            except TypeError:
                pass
            return ball


class ArbNumbers:
    """Arb balls for :meth:`losscert.compiler.Loss._structural_hessian` (the
    interval Hessian); a term is skipped only when its ball is exactly 0."""
    def __init__(self, loss):
        require()
        self.zero, self.one = flint.arb(0), flint.arb(1)
        self.lift = _Lifts(loss.field)
        self.X = [[self.lift(x) for x in row] for row in loss.X]
        self.Y = [[self.lift(y) for y in row] for row in loss.Y]

    @staticmethod
    def nonzero(x):
        return not x.is_zero()

    @staticmethod
    def taylor2(act, a):
        return act.arb_taylor(a, 2)


def arb_mat(*args):
    return flint.arb_mat(*args)


class ArbAlgebra(FieldAlgebra):
    """Arb balls at the current precision (rigorous)."""
    def __init__(self, F: Field):
        require()
        self.F, self.zero = F, flint.arb(0)
        self.lift = self.const = _Lifts(F)

    def activate(self, act, a, derivative):
        c = act.arb_taylor(a, 1 if derivative else 0)
        return c[0], (c[1] if derivative else None)


class ArbJetAlgebra(JetAlgebra):
    """Truncated power series with Arb-ball coefficients (rigorous)."""
    def __init__(self, F: Field, order: int):
        require()
        super().__init__(F, order, ring_zero=flint.arb(0))
        self._lift = _Lifts(F)

    def lift(self, c):
        return [self._lift(c)] + [self.rzero] * self.order

    def const(self, c):
        return self._lift(c)

    def coefficients(self, act, x0, order):
        return act.arb_taylor(x0, order)
