"""Q(t), rational functions in one variable, on python-flint polynomials.

The elements of the exponential field (:class:`~losscert.fields.ExpField`):
numerator and denominator are FLINT integer polynomials, kept coprime with a
positive leading coefficient in the denominator, so that equality and the
zero test are exact and cheap. :class:`RationalFunctions` is the SymPy domain
(for ``DomainMatrix`` and polynomial rings over it).

>>> K = RationalFunctions(sympy.Symbol("t"))
>>> t = K.gen
>>> (t ** 2 - 1) / (t + 1) == t - 1, K.to_sympy(1 / (t + 1) + K(1, 2))
(True, (t + 3)/(2*t + 2))
"""
from __future__ import annotations

from fractions import Fraction

import sympy
from flint import fmpq, fmpq_poly, fmpz_poly
from sympy.polys.domains.characteristiczero import CharacteristicZero
from sympy.polys.domains.field import Field
from sympy.polys.domains.simpledomain import SimpleDomain
from sympy.polys.polyerrors import CoercionFailed

_ONE = fmpz_poly([1])
_ZERO = fmpz_poly([])


class RF:
    """numerator / denominator, coprime integer polynomials (denominator's leading coefficient > 0)."""
    __slots__ = ("n", "d")

    def __init__(self, n: fmpz_poly, d: fmpz_poly = _ONE, reduced: bool = False):
        if not reduced:
            if not d:
                raise ZeroDivisionError("rational function with a zero denominator")
            if not n:
                n, d = _ZERO, _ONE
            elif d != _ONE:
                g = n.gcd(d)
                if g != _ONE:
                    n, d = n // g, d // g
                if d.leading_coefficient() < 0:
                    n, d = -n, -d
        self.n, self.d = n, d

    @staticmethod
    def of(x) -> "RF":
        """An int, Fraction, fmpq, SymPy/gmpy rational or RF as an RF (else TypeError)."""
        if isinstance(x, RF):
            return x
        if isinstance(x, int):
            return RF(fmpz_poly([x]), _ONE, True)
        q = _fraction(x)
        if q is None:
            raise TypeError(f"not a rational function: {type(x).__name__}")
        return RF(fmpz_poly([q.numerator]), fmpz_poly([q.denominator]), True)

    def _other(self, x):
        try:
            return RF.of(x)
        except TypeError:
            return None

    def __add__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        if not o.n:
            return self
        if not self.n:
            return o
        if self.d == o.d:
            return RF(self.n + o.n, self.d) if self.d != _ONE else RF(self.n + o.n, _ONE, True)
        if self.d == _ONE:
            return RF(self.n * o.d + o.n, o.d, True)          # coprime: gcd(n1 d2 + n2, d2) = gcd(n2, d2) = 1
        if o.d == _ONE:
            return RF(o.n * self.d + self.n, self.d, True)
        g = self.d.gcd(o.d)                                # Henrici: work with lcm(d1, d2)
        if g == _ONE:
            return RF(self.n * o.d + o.n * self.d, self.d * o.d, True)
        a, b = self.d // g, o.d // g
        n = self.n * b + o.n * a
        h = n.gcd(g)
        if h != _ONE:
            n, g = n // h, g // h
        return RF(n, a * b * g, True)

    __radd__ = __add__

    def __neg__(self):
        return RF(-self.n, self.d, True)

    def __pos__(self):
        return self

    def __sub__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self + (-o)

    def __rsub__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else o + (-self)

    def __mul__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        if not self.n or not o.n:
            return RF(_ZERO, _ONE, True)
        return _times(self.n, self.d, o.n, o.d)

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = self._other(other)
        if o is None:
            return NotImplemented
        if not o.n:
            raise ZeroDivisionError("division by the zero rational function")
        n, d = o.d, o.n
        if d.leading_coefficient() < 0:
            n, d = -n, -d
        return _times(self.n, self.d, n, d)

    def __rtruediv__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else o / self

    def __pow__(self, k: int):
        if not isinstance(k, int):
            return NotImplemented
        if k < 0:
            if not self.n:
                raise ZeroDivisionError("0 ** negative")
            return RF(self.d ** -k, self.n ** -k)
        return RF(self.n ** k, self.d ** k, True)

    def __bool__(self):
        return bool(self.n)

    def __eq__(self, other):
        o = self._other(other)
        return o is not None and self.n == o.n and self.d == o.d

    def __hash__(self):
        if self.d == _ONE and self.n.degree() <= 0:
            return hash(int(self.n[0]) if self.n else 0)
        return hash((str(self.n), str(self.d)))

    def __repr__(self):
        return f"RF({self.n}, {self.d})"

    @property
    def is_constant(self) -> bool:
        return self.n.degree() <= 0 and self.d.degree() <= 0

    def constant(self) -> Fraction | None:
        """The value when the function does not depend on t, else None."""
        if not self.is_constant:
            return None
        return Fraction(int(self.n[0]) if self.n else 0, int(self.d[0]))

    @property
    def degree(self) -> int:
        return max(self.n.degree(), self.d.degree())


def _times(n1, d1, n2, d2) -> RF:
    """(n1/d1)(n2/d2) for reduced factors (Henrici: only the cross gcds)."""
    g1 = n1.gcd(d2) if d2 != _ONE else _ONE
    g2 = n2.gcd(d1) if d1 != _ONE else _ONE
    if g1 != _ONE:
        n1, d2 = n1 // g1, d2 // g1
    if g2 != _ONE:
        n2, d1 = n2 // g2, d1 // g2
    return RF(n1 * n2, d1 * d2, True)


def _fraction(x) -> Fraction | None:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    num, den = getattr(x, "numerator", None), getattr(x, "denominator", None)
    if num is not None and den is not None and not isinstance(x, float):
        try:
            return Fraction(int(num), int(den))
        except (TypeError, ValueError):
            return None
    return None


class RationalFunctions(Field, CharacteristicZero, SimpleDomain):
    """The SymPy domain Q(t) of :class:`RF` elements, ``t`` a SymPy symbol
    (``tag`` tells fields with different meanings of t apart)."""
    dtype = RF
    is_Numerical = False
    is_Exact = True
    has_assoc_Ring = False
    has_assoc_Field = True

    def __init__(self, t: sympy.Symbol, tag=None):
        self.t, self.tag = t, tag
        self.alias = f"QQ_{t}"
        self.zero = RF(_ZERO, _ONE, True)
        self.one = RF(_ONE, _ONE, True)
        self.gen = RF(fmpz_poly([0, 1]), _ONE, True)
        self.symbols = (t,)

    def __call__(self, n, d=1):
        return RF.of(n) / RF.of(d) if d != 1 else RF.of(n)

    def new(self, x):
        return self.convert(x)

    def __str__(self):
        return f"QQ({self.t})"

    __repr__ = __str__

    def __eq__(self, other):
        return isinstance(other, RationalFunctions) and (self.t, self.tag) == (other.t, other.tag)

    def __hash__(self):
        return hash(("RationalFunctions", self.t, self.tag))

    def of_type(self, x):
        return isinstance(x, RF)

    def convert(self, x, base=None):
        if isinstance(x, RF):
            return x
        try:
            return RF.of(x)
        except TypeError:
            pass
        if isinstance(x, sympy.Basic):
            return self.from_sympy(x)
        raise CoercionFailed(f"cannot convert {x!r} into {self}")

    def convert_from(self, x, base):
        return self.convert(x)

    def get_field(self):
        return self

    def to_sympy(self, a: RF) -> sympy.Expr:
        return _poly_expr(a.n, self.t) / _poly_expr(a.d, self.t)

    def from_sympy(self, e) -> RF:
        e = sympy.sympify(e)
        if e.is_Rational:
            return RF.of(e)
        if e.free_symbols - {self.t} or not e.is_rational_function(self.t):
            raise CoercionFailed(f"{e} is not a rational function of {self.t} over QQ")
        num, den = sympy.fraction(sympy.cancel(sympy.together(e)))
        return _from_poly(num, self.t) / _from_poly(den, self.t)

    def quo(self, a, b):
        return a / b

    exquo = quo

    def rem(self, a, b):
        return self.zero

    def div(self, a, b):
        return a / b, self.zero

    def is_positive(self, a):          # only the leading coefficient (a formal order, as SymPy's fraction fields)
        return bool(a.n) and a.n.leading_coefficient() > 0

    def is_negative(self, a):
        return bool(a.n) and a.n.leading_coefficient() < 0

    def numer(self, a):
        return RF(a.n, _ONE, True)

    def denom(self, a):
        return RF(a.d, _ONE, True)


def _poly_expr(p: fmpz_poly, t) -> sympy.Expr:
    return sympy.Add(*[sympy.Integer(int(c)) * t ** k for k, c in enumerate(p.coeffs()) if c])


def _from_poly(e, t) -> RF:
    poly = sympy.Poly(e, t, domain="QQ")
    coeffs = [fmpq(int(c.p), int(c.q)) for c in reversed(poly.all_coeffs())]
    p = fmpq_poly(coeffs)
    den = p.denom()
    return RF(fmpz_poly((p * den).numer().coeffs()), fmpz_poly([int(den)]))
