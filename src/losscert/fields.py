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

from .numbers import NotExact

MAX_FIELD_DEGREE = 64     # degree over QQ of the field of a problem
MAX_NESTED_DEGREE = 16    # degree of one radical with radicals inside it (SymPy's minimal polynomials get slow)


class FieldError(ValueError):
    pass


def radicals(expr: sympy.Expr) -> set[sympy.Expr]:
    """The irrational radicals (powers with a non-integer exponent) in ``expr``."""
    if isinstance(expr, sympy.Rational):      # the common case (data, points): no sympify, no tree walk
        return set()
    expr = sympy.sympify(expr)
    if expr.is_Rational:
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



# -- the exponential field Q(e^(1/q)) ------------------------------------------------------------

MAX_EXP_DEGREE = 4096     # largest |k| of a power t^k = e^(k/q) an activation value may introduce
MAX_EXP_DENOMINATOR = 10**6   # largest q of t = e^(1/q)
MAX_SIGN_BITS = 1 << 15   # Arb precision (bits) up to which a sign in Q(t) is sought
MAX_EXP_TOTAL = 20_000    # sum of |k| over the distinct powers t^k one field hands out (bounds every degree)


class NeedDenominator(NotExact):
    """An exponent k/b whose denominator b does not divide the field's q
    (the caller retries with lcm(q, b))."""

    def __init__(self, denominator: int):
        super().__init__(f"an exponent needs the denominator {denominator}")
        self.denominator = denominator


class ExpField(Field):
    """The field Q(t) of rational functions in t = e^(1/q): the values of
    one-layer tanh, sigmoid, Swish and ELU networks at rational data and
    points. t is transcendental (Lindemann: e^a is transcendental for every
    algebraic a != 0), so an element is zero at t = e^(1/q) exactly when it
    is the zero rational function, and the sign of a non-zero element is
    found by Arb at doubling precision.

    >>> F = ExpField(1)
    >>> F.sign(F.exp(1) - F(sympy.Rational(271828, 100000)))   # e > 2.71828
    1
    >>> F.show((F.exp(2) - 1) / (F.exp(2) + 1))     # tanh(1)
    '(-1 + exp(2))/(1 + exp(2))'
    """
    exponential = True

    def __init__(self, q: int = 1):
        if not isinstance(q, int) or not 1 <= q <= MAX_EXP_DENOMINATOR:
            raise FieldError(f"the exponential field needs 1 <= q <= {MAX_EXP_DENOMINATOR}, got {q}")
        self.q = q
        from .ratfunc import RationalFunctions
        self.t = sympy.Symbol(f"e_{q}", positive=True)      # stands for e^(1/q)
        super().__init__(RationalFunctions(self.t, tag=("exp", q)))
        self.is_rational = False
        self.value = sympy.exp(sympy.Rational(1, q))
        self._powers: set = set()

    def __repr__(self):
        return f"ExpField(t = {self.value})"

    def __eq__(self, other):
        return isinstance(other, ExpField) and self.q == other.q

    def __hash__(self):
        return hash(("exp", self.q))

    def __call__(self, x):
        if isinstance(x, int):
            return self.domain(x)
        if isinstance(x, sympy.Basic):
            if x.is_Rational:
                return self.domain.from_sympy(x)
            return self.domain.from_sympy(self._in_t(x))
        if self.domain.of_type(x):
            return x
        return self.domain.convert(x)

    def _in_t(self, x: sympy.Expr) -> sympy.Expr:
        """x with every e^r (r rational, r q an integer) written as t^(r q)."""
        def power(e):
            r = e.args[0] if isinstance(e, sympy.exp) else sympy.Integer(1)
            if not r.is_Rational or (r * self.q).q != 1 or abs(r * self.q) > MAX_EXP_DEGREE:
                raise CoercionFailed(f"{e} is not a power of {self.value}")
            return self.t ** int(r * self.q)
        x = sympy.sympify(x).rewrite(sympy.exp)
        x = x.replace(lambda e: isinstance(e, sympy.exp), power).xreplace({sympy.E: power(sympy.E)})
        if x.free_symbols - {self.t} or not x.is_rational_function(self.t):
            raise CoercionFailed(f"{x} is not in Q({self.value})")
        return x

    def exp(self, k: int):
        """t^k = e^(k/q) as a field element."""
        return self.domain.gen ** k

    def constant(self, e):
        """e as a Fraction when it does not depend on t, else None."""
        return e.constant()

    def exp_series(self, c: int, x0, order: int) -> list:
        """Taylor coefficients of e^(c z) at z = x0 (rational) to ``order``:
        [t^(c x0 q) c^k / k!]. Raises :class:`NeedDenominator` when c x0 q is
        not an integer, ``NotExact`` when x0 is not rational or the power is
        too large (over MAX_EXP_DEGREE)."""
        x = self.constant(x0)
        if x is None:
            raise NotExact(f"e^({self.show(x0)}) is not in Q(e^(1/q)): the exponent is not rational "
                           "(a deeper tower of exponentials)")
        k = c * x * self.q
        if k.denominator != 1:
            raise NeedDenominator(k.denominator * self.q)
        if abs(k) > MAX_EXP_DEGREE:
            raise NotExact(f"e^({c * x}) needs t^{k} with t = {self.value}: power over {MAX_EXP_DEGREE} "
                           "(refused before any work)")
        if k not in self._powers:
            if sum(map(abs, self._powers)) + abs(k) > MAX_EXP_TOTAL:
                raise NotExact(f"the exponentials met need powers of t = {self.value} of total degree over "
                               f"{MAX_EXP_TOTAL} (refused)")
            self._powers.add(k)
        base = self.exp(int(k))
        out, term = [], self.one
        for j in range(order + 1):
            out.append(base * term)
            term = term * self.domain(c) / self.domain(j + 1)
        return out

    def to_sympy(self, e) -> sympy.Expr:
        return self.domain.to_sympy(e).xreplace({self.t: self.value})

    def show(self, e) -> str:
        return str(self.to_sympy(e))

    def rational(self, e):
        c = self.constant(e)
        return None if c is None else sympy.Rational(c.numerator, c.denominator)

    def to_arb(self, e):
        """An Arb ball containing e at t = e^(1/q) (current Arb precision)."""
        import flint
        t = flint.arb(1).exp() if self.q == 1 else (flint.arb(1) / self.q).exp()
        return flint.arb_poly(e.n.coeffs())(t) / flint.arb_poly(e.d.coeffs())(t)

    def bounds(self, e, prec: int = 64) -> tuple[Fraction, Fraction]:
        """Exact rationals lo <= e <= hi (an Arb ball at ``prec`` bits, endpoints read exactly)."""
        import flint
        saved = flint.ctx.prec
        flint.ctx.prec = prec + 16
        try:
            ball = self.to_arb(e)
            return _arb_fraction(ball.lower()), _arb_fraction(ball.upper())
        finally:
            flint.ctx.prec = saved

    def enclosure(self, e, prec: int = 64):
        """An mpmath interval containing e (its endpoints exact at the working precision they need)."""
        lo, hi = self.bounds(e, prec)
        bits = max(53, *(abs(x.numerator).bit_length() + 8 for x in (lo, hi)))
        with mpmath.workprec(bits):
            saved = mpmath.iv.prec
            mpmath.iv.prec = bits
            try:
                return mpmath.iv.mpf([mpmath.mpf(lo.numerator) / lo.denominator,
                                      mpmath.mpf(hi.numerator) / hi.denominator])
            finally:
                mpmath.iv.prec = saved

    def approximate(self, e) -> float:
        import flint
        saved = flint.ctx.prec
        flint.ctx.prec = 80
        try:
            return float(self.to_arb(e).mid())
        finally:
            flint.ctx.prec = saved

    def sign(self, e) -> int:
        """-1, 0 or 1, exactly: 0 only for the zero rational function, else
        the sign of numerator(t) / denominator(t) by Arb, doubling the
        precision (FieldError past MAX_SIGN_BITS)."""
        if not e:
            return 0
        c = self.constant(e)
        if c is not None:
            return 1 if c > 0 else -1
        import flint
        saved = flint.ctx.prec
        prec = 64
        try:
            while prec <= MAX_SIGN_BITS:
                flint.ctx.prec = prec
                ball = self.to_arb(e)
                if ball > 0:
                    return 1
                if ball < 0:
                    return -1
                prec *= 2
        finally:
            flint.ctx.prec = saved
        raise FieldError(f"could not separate {_names([self.show(e)])} from zero at {MAX_SIGN_BITS} bits")


def _arb_fraction(x) -> Fraction:
    """An exact Arb point (radius 0) as a Fraction (a dyadic number)."""
    man, e = (int(v) for v in x.mid().man_exp())
    return Fraction(man * 2 ** e) if e >= 0 else Fraction(man, 2 ** -e)


_EXP_FUNCTIONS = (sympy.exp, sympy.tanh, sympy.sinh, sympy.cosh, sympy.coth, sympy.sech, sympy.csch)


def exponential_form(exprs) -> tuple[list, sympy.Symbol, sympy.Expr] | None:
    """(the expressions with every e^r, tanh(r), ... (r rational) written as
    rational functions of one new symbol t, t, the value e^(1/q) of t), or
    None when there is no such constant, another transcendental constant
    remains (pi, tanh(sqrt(2)), a radical of an exponential), or a power
    exceeds MAX_EXP_DEGREE / MAX_EXP_DENOMINATOR (refused before expanding).
    Since t is transcendental, a rational function of t (and of independent
    symbols) vanishes at t = e^(1/q) only when it is the zero function.

    >>> exprs, t, value = exponential_form([sympy.tanh(1) - 2 / (1 + sympy.exp(-2)) + 1])
    >>> value, sympy.cancel(exprs[0])
    (E, 0)
    >>> exponential_form([sympy.tanh(sympy.sqrt(2))]) is None
    True
    """
    from math import lcm
    exprs = [sympy.sympify(e) for e in exprs]
    found = set().union(*(e.atoms(*_EXP_FUNCTIONS) for e in exprs))
    if not found and not any(e.has(sympy.E) for e in exprs):
        return None
    if any(not f.args[0].is_Rational for f in found):
        return None
    exprs = [e.xreplace({f: f.rewrite(sympy.exp) for f in found}) for e in exprs]
    exps = set().union(*(e.atoms(sympy.exp) for e in exprs))
    powers = [sympy.Rational(1)] * any(e.has(sympy.E) for e in exprs) + [f.args[0] for f in exps]
    if not powers or any(not r.is_Rational for r in powers):
        return None
    q = lcm(*(int(r.q) for r in powers))
    if q > MAX_EXP_DENOMINATOR or max(abs(r) for r in powers) * q > MAX_EXP_DEGREE:
        return None
    t = sympy.Dummy("t", positive=True)
    table = {f: t ** int(f.args[0] * q) for f in exps}
    table[sympy.E] = t ** q
    out = [e.xreplace(table) for e in exprs]
    for e in out:
        if e.atoms(sympy.Function, sympy.NumberSymbol) or any(
                p.base.has(t) and not p.exp.is_Integer for p in e.atoms(sympy.Pow)):
            return None
    return out, t, sympy.exp(sympy.Rational(1, q))
