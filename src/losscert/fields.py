"""Exact number fields for data, points and derivatives.

All exact arithmetic of a problem happens in one :class:`Field`: the
rationals ``QQ`` when every number is rational, otherwise the smallest
algebraic field SymPy builds from the radicals that occur (the first paper's
data has ``sqrt(9/10)``; squares of radicals stay exact). Signs of algebraic
numbers are decided rigorously: the number is first tested for exact zero in
the field, then enclosed with interval arithmetic at increasing precision
until the enclosure excludes zero.

>>> import sympy
>>> F = Field.for_numbers([sympy.sqrt(2), sympy.Rational(1, 3)])
>>> F.sign(F(sympy.sqrt(2)) - F(sympy.Rational(141, 100)))
1
"""
from __future__ import annotations

from fractions import Fraction
from functools import reduce

import mpmath
import sympy
from sympy import QQ
from sympy.polys.polyerrors import CoercionFailed, NotInvertible

MAX_FIELD_DEGREE = 64     # degree over QQ of the field of a problem
MAX_NESTED_DEGREE = 16    # degree of one radical with radicals inside it (SymPy's minimal polynomials get slow)


class FieldError(ValueError):
    pass


def radicals(expr: sympy.Expr) -> set[sympy.Expr]:
    """The irrational radicals (powers with a non-integer exponent) in ``expr``."""
    expr = sympy.sympify(expr)
    if expr.is_Rational:            # the common case (data, points): no tree walk
        return set()
    return {p for p in expr.atoms(sympy.Pow) if not p.exp.is_Integer}


class Field:
    """An exact field (a SymPy domain) with conversions and rigorous signs."""
    parameters = None     # the declared symbols of a ParametricField (None: a field of numbers)

    def __init__(self, domain=QQ, gens=frozenset()):
        self.domain = domain
        self.gens = frozenset(gens)      # the radicals the field was built from (for_numbers)
        self.zero = domain.zero
        self.one = domain.one
        self.is_rational = domain == QQ

    @classmethod
    def for_numbers(cls, numbers) -> "Field":
        """The smallest field (QQ or QQ<radicals>) holding all ``numbers``."""
        gens = reduce(set.union, (radicals(x) for x in numbers), set())
        if not gens:
            return cls(QQ)
        check_degree(gens)
        try:
            domain = QQ.algebraic_field(*sorted(gens, key=sympy.default_sort_key))
        except Exception as exc:  # SymPy raises several types here
            raise FieldError(f"cannot build an exact field for {sorted(map(str, gens))}: {exc}") from None
        if domain.ext.minpoly.degree() > MAX_FIELD_DEGREE:
            raise FieldError(f"too many independent radicals ({len(gens)}): field degree over {MAX_FIELD_DEGREE}")
        return cls(domain, gens)

    def __repr__(self):
        return f"Field({self.domain})"

    def __eq__(self, other):
        return isinstance(other, Field) and self.domain == other.domain

    def __hash__(self):
        return hash(self.domain)

    def __call__(self, x):
        """Convert an int, SymPy number or field element into this field."""
        if isinstance(x, int):
            return self.domain(x)
        if isinstance(x, sympy.Basic):
            if not self.is_rational and not x.is_Rational:
                fast = self._evaluate(x)
                if fast is not None:
                    return fast
            try:
                return self.domain.from_sympy(x)
            except CoercionFailed:
                if self.gens and radicals(x) <= self.gens:    # x is in the field: SymPy failed to place it
                    raise FieldError(f"SymPy could not represent {_names([x])} in the field of "
                                     f"{_names(self.gens)} (its numeric field isomorphism failed)") from None
                raise
        if self.domain.of_type(x):
            return x
        return self.domain.convert(x)

    def _generator_elements(self) -> dict:
        """{radical: its element of the field} for the radicals the field was
        built from, from SymPy's primitive element with ``ex=True`` (which
        writes each radical as a polynomial in the primitive element), each
        checked exactly: rep**q == base**p and rep > 0 for ``base**(p/q)``.
        Empty when that primitive element is not the field's own."""
        table = getattr(self, "_generator_table", None)
        if table is not None:
            return table
        self._generator_table = table = {}
        from sympy.polys.numberfields.subfield import primitive_element
        gens = sorted(self.gens, key=sympy.default_sort_key)
        try:
            _, coeffs, reps = primitive_element(gens, ex=True, polys=True)
        except Exception:  # SymPy raises several types here; the slow conversion stays
            return table
        if sympy.Add(*[c * g for c, g in zip(coeffs, gens)]) != self.domain.ext.root:
            return table
        K = self.domain
        found = {g: K.new([K.dom.convert(c) for c in rep]) for g, rep in zip(gens, reps)}
        try:
            for g, rep in found.items():
                p, q = int(g.exp.p), int(g.exp.q)
                base = self._evaluate(g.base, found)
                if base is None or q < 1 or self.sign(rep) <= 0 or \
                        rep ** q * (base ** -p if p < 0 else K.one) != (base ** p if p > 0 else K.one):
                    return table
        except (FieldError, ArithmeticError, ValueError, TypeError):   # not checkable: the slow conversion stays
            return table
        table.update(found)
        return table

    def _evaluate(self, x: sympy.Expr, table=None):
        """x (rationals and the field's radicals with +, *, integer powers) as
        a field element, evaluated with the field's arithmetic from the
        elements of the radicals; None when x has anything else (then SymPy's
        own conversion decides). Much faster than SymPy's field isomorphism
        for fields of high degree.

        >>> F = Field.for_numbers([sympy.sqrt(2), sympy.sqrt(3)])
        >>> x = (1 + sympy.sqrt(2)) ** 2 / sympy.sqrt(3) - 1
        >>> F._evaluate(x) == F.domain.from_sympy(x)
        True
        >>> F._evaluate(sympy.sqrt(6)) is None          # not one of the radicals the field was built from
        True
        """
        table = self._generator_elements() if table is None else table
        if not table:
            return None
        K = self.domain
        try:
            return _evaluate_in(K, x, table)
        except (_NotInTable, ZeroDivisionError, NotInvertible, RecursionError):
            return None                  # SymPy's own conversion decides, as before

    def to_sympy(self, e) -> sympy.Expr:
        return self.domain.to_sympy(e)

    def is_zero(self, e) -> bool:
        return not e

    def enclosure(self, e, prec: int = 64):
        """An mpmath interval containing ``e`` (rigorous)."""
        return enclose(self.to_sympy(e), prec)

    def sign(self, e) -> int:
        """-1, 0 or 1, exactly."""
        if not e:
            return 0
        if self.is_rational:
            return 1 if e > 0 else -1
        exact = self.to_sympy(e)
        if exact.is_Rational:
            return 1 if exact > 0 else -1
        prec = 64
        while prec <= 1 << 16:
            box = self.enclosure(e, prec)
            if box.a > 0:
                return 1
            if box.b < 0:
                return -1
            prec *= 2
        raise FieldError(f"could not separate {self.to_sympy(e)} from zero")

    def compare(self, a, b) -> int:
        """sign(a - b)."""
        return self.sign(a - b)

    def rational(self, e) -> sympy.Rational | None:
        """``e`` as a SymPy Rational when it is rational, else None."""
        s = self.to_sympy(e)
        return s if s.is_Rational else None

    def show(self, e) -> str:
        return str(self.to_sympy(e))


class _NotInTable(Exception):
    pass


def _evaluate_in(K, x, table):
    """x evaluated in the algebraic field K from the elements of its radicals (``table``)."""
    if x.is_Rational:
        return K.convert(K.dom.from_sympy(x))
    if x in table:
        return table[x]
    if x.is_Add or x.is_Mul:
        parts = [_evaluate_in(K, a, table) for a in x.args]
        out = parts[0]
        for a in parts[1:]:
            out = out + a if x.is_Add else out * a
        return out
    if x.is_Pow and x.exp.is_Integer:
        k = int(x.exp)
        base = _evaluate_in(K, x.base, table)
        return base ** k if k >= 0 else K.quo(K.one, base ** -k)
    raise _NotInTable(x)


def degree_bound(gens) -> int:
    """An upper bound of the degree of QQ(gens) over QQ, before building it:
    the product of the root orders q of the radicals ``b**(p/q)`` (nested ones
    included, as :func:`radicals` lists them), since adjoining ``b**(1/q)`` to a
    field holding ``b`` multiplies the degree by at most q.

    >>> degree_bound({sympy.sqrt(2), sympy.root(3, 4)})
    8
    """
    bound = 1
    for g in gens:
        bound *= int(g.exp.q)
        if bound > 1 << 64:
            break
    return bound


def check_degree(gens) -> None:
    """Raise :class:`FieldError` (one line naming the limit) when the field of
    ``gens`` might be too large to build in reasonable time and memory.

    >>> check_degree({sympy.root(2, 64), sympy.root(3, 64)})
    Traceback (most recent call last):
    ...
    losscert.fields.FieldError: the radicals 2**(1/64), 3**(1/64) may need a field of degree up to 4096 over QQ (limit 64)
    """
    bound = degree_bound(gens)
    if bound > MAX_FIELD_DEGREE:
        raise FieldError(f"the radicals {_names(gens)} may need a field of degree up to "
                         f"{bound if bound <= 1 << 64 else 'over 2**64'} over QQ (limit {MAX_FIELD_DEGREE})")
    for g in gens:
        inner = radicals(g.base)
        if inner:
            nested = degree_bound(inner | {g})
            if nested > MAX_NESTED_DEGREE:
                raise FieldError(f"the nested radical {_names([g])} may have degree up to {nested} over QQ "
                                 f"(limit {MAX_NESTED_DEGREE} for radicals inside radicals)")


def _names(gens, most: int = 3) -> str:
    names = sorted(map(str, gens), key=lambda t: (len(t), t))
    shown = [t if len(t) <= 60 else t[:57] + "..." for t in names[:most]]
    return ", ".join(shown) + (f" and {len(names) - most} more" if len(names) > most else "")


def enclose(expr: sympy.Expr, prec: int = 64):
    """Rigorous mpmath interval for a real algebraic SymPy expression built
    from rationals with ``+``, ``*`` and powers (integer or rational exponent
    of a positive base)."""
    saved = mpmath.iv.prec
    mpmath.iv.prec = prec
    try:
        return _enclose(sympy.sympify(expr))
    finally:
        mpmath.iv.prec = saved


def _enclose(e):
    iv = mpmath.iv
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e.is_Add:
        return sum((_enclose(a) for a in e.args), iv.mpf(0))
    if e.is_Mul:
        out = iv.mpf(1)
        for a in e.args:
            out = out * _enclose(a)
        return out
    if e.is_Pow and e.exp.is_Rational:
        base = _enclose(e.base)
        if e.exp.is_Integer:
            k = int(e.exp)
            return base ** k if k >= 0 else iv.mpf(1) / base ** (-k)
        if not base.a > 0:
            raise FieldError(f"cannot enclose {e}: base not provably positive")
        root = iv.exp(iv.log(base) * iv.mpf(int(e.exp.p)) / iv.mpf(int(e.exp.q)))
        if e.exp == sympy.Rational(1, 2):
            root = iv.sqrt(base)
        return root
    raise FieldError(f"cannot enclose {e}")


# -- Arb balls of exact numbers (here, below the activations and intervals, which both use them) --

def exact(q) -> "flint.arb":
    """A rational (int, Fraction, SymPy Rational, fmpq) as an Arb ball (python-flint)."""
    import flint
    q = Fraction(int(q.p), int(q.q)) if isinstance(q, sympy.Rational) else Fraction(q)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def to_arb(expr) -> "flint.arb":
    """A real algebraic SymPy number as an Arb ball at the current precision."""
    import flint
    expr = sympy.sympify(expr)
    if expr.is_Rational:
        return exact(expr)
    box = enclose(expr, flint.ctx.prec + 16)          # mpmath iv, rigorous
    lo, hi = (_dyadic(end) for end in box._mpi_)     # raw endpoints: no rounding
    return flint.arb(lo).union(flint.arb(hi))


def _dyadic(raw) -> "flint.fmpq":
    """An mpmath raw float (sign, man, exp, bc) as an exact rational."""
    import flint
    sign, man, exp, _ = raw
    man = -int(man) if sign else int(man)
    return flint.fmpq(man * 2 ** exp) if exp >= 0 else flint.fmpq(man, 2 ** -exp)

