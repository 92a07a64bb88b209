"""Named symbols with stated assumptions, and the rational function field
over them (issue 11, symbolic parameters).

A problem may declare symbols with conditions, ``{"a": "a > 0"}`` or
``{"y1": "y3 > y4 > y1 > 0", "y3": "", "y4": ""}``; its numbers are then
rational functions of the symbols (:class:`ParametricField`, the field
Q(symbols)) and a statement about it holds for every value in the region.
Signs on the region are decided exactly (:meth:`Parameters.sign`).
"""
from __future__ import annotations

import ast

import sympy
from sympy import QQ

from .expressions import IDENTIFIER, RESERVED, ExpressionError, parse_expression
from .fields import Field, FieldError
from .numbers import NumberError, parse_number


_OPS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}


class Parameters:
    """Named symbols with stated assumptions: ``{"a": "a > 0"}``, or one
    condition on several symbols (``{"y1": "y3 > y4 > y1 > 0", "y3": "",
    "y4": ""}``: every symbol is declared by its key; a condition is a chain
    of ``< <= > >=`` between declared symbols and rational numbers, or empty /
    ``"real"`` for no condition). The region is the set of real values
    satisfying every condition; each condition is kept as atoms ``g > 0`` or
    ``g >= 0`` with ``g`` linear.

    >>> P = Parameters({"a": "0 < a <= 2"})
    >>> P.interval()
    (0, False, 2, True)
    >>> P.contains({"a": 2}), P.contains({"a": 0})
    (True, False)
    >>> Parameters({"a": "a > b"})
    Traceback (most recent call last):
    ...
    losscert.fields.FieldError: symbols.a: 'b' is not a declared symbol (declared: a)
    """

    def __init__(self, declared: dict):
        if not isinstance(declared, dict) or not declared:
            raise FieldError("symbols: must be a non-empty table of symbol = \"condition\" (e.g. a = \"a > 0\")")
        self.conditions = {}
        for name, cond in declared.items():
            if not isinstance(name, str) or not IDENTIFIER.match(name) or name in RESERVED:
                raise FieldError(f"symbols.{name}: not a plain identifier (or a reserved name)")
            if isinstance(cond, bool) or not isinstance(cond, str):
                raise FieldError(f"symbols.{name}: the condition must be text such as \"{name} > 0\" "
                                 f"(got {type(cond).__name__})")
            self.conditions[name] = cond.strip()
        self.names = tuple(self.conditions)
        self.symbols = tuple(sympy.Symbol(n) for n in self.names)
        self.atoms = []          # (g, strict): g > 0 (strict) or g >= 0, g a linear SymPy expression
        for name, cond in self.conditions.items():
            if cond and cond != "real":
                self.atoms += self._parse(name, cond)
        if not self.contains_some():
            raise FieldError(f"symbols: the conditions {self.describe()} are not satisfied by any point "
                             "the kernel can find (empty region?)")

    def _parse(self, name, text) -> list:
        where = f"symbols.{name}"
        try:
            tree = ast.parse(text, mode="eval").body
        except SyntaxError:
            raise FieldError(f"{where}: {text!r} is not a condition such as \"{name} > 0\"") from None
        if not isinstance(tree, ast.Compare) or not all(type(op) in _OPS for op in tree.ops):
            raise FieldError(f"{where}: {text!r} must be a chain of < <= > >= (e.g. \"0 < {name} < 1\")")
        terms = []
        for node in [tree.left, *tree.comparators]:
            segment = ast.get_source_segment(text, node)
            try:
                value = parse_expression(segment)
            except ExpressionError as exc:
                raise FieldError(f"{where}: {segment!r}: {exc}") from None
            unknown = sorted(str(x) for x in value.free_symbols if str(x) not in self.conditions)
            if unknown:
                raise FieldError(f"{where}: {unknown[0]!r} is not a declared symbol (declared: "
                                 f"{', '.join(self.conditions)})")
            names = sorted(value.free_symbols, key=str)
            poly = sympy.Poly(value, *names, domain=QQ) if names and value.is_polynomial(*names) else None
            if (names and (poly is None or poly.total_degree() > 1)) or (not names and not value.is_Rational):
                raise FieldError(f"{where}: {segment!r}: each side must be linear in the symbols with rational "
                                 "coefficients (e.g. 4*y1 + 1)")
            terms.append(value)
        atoms = []
        for left, op, right in zip(terms, tree.ops, terms[1:]):
            g = left - right if isinstance(op, (ast.Gt, ast.GtE)) else right - left
            if g.is_number:
                raise FieldError(f"{where}: {text!r} compares two numbers")
            atoms.append((g, isinstance(op, (ast.Gt, ast.Lt))))
        return atoms

    @classmethod
    def of(cls, symbols) -> "Parameters | None":
        """Parameters from a table name -> condition, or from SymPy symbols whose
        assumptions state a sign (positive, negative, nonnegative, nonpositive)."""
        if symbols is None or isinstance(symbols, Parameters):
            return symbols
        if isinstance(symbols, (list, tuple, set)):
            table = {}
            for s in symbols:
                if not isinstance(s, sympy.Symbol):
                    raise FieldError(f"symbols: {s!r} is not a SymPy symbol (give a table name -> condition)")
                flag, sign = next(((f, t) for f, t in (("positive", "> 0"), ("negative", "< 0"),
                                                       ("nonnegative", ">= 0"), ("nonpositive", "<= 0"))
                                   if s.assumptions0.get(f)), (None, None))
                stated = [{"commutative": True}, sympy.Symbol("r", real=True).assumptions0]
                if flag:
                    stated = [sympy.Symbol("r", **{flag: True}).assumptions0]
                if s.assumptions0 not in stated:
                    # integer=True, nonzero=True, ...: a region losscert cannot state, and a rational
                    # counterexample outside it would be a wrong refutation
                    extra = sorted(k for k, v in s.assumptions0.items() if v and k not in stated[-1])
                    raise FieldError(f"symbols: {s.name} assumes {', '.join(extra) or 'more than a sign'}, which "
                                     f"cannot be stated here: give a table {{\"{s.name}\": \"condition\"}} instead")
                table[s.name] = f"{s.name} {sign}" if sign else "real"
            symbols = table
        return cls(symbols)

    def number(self, value, where: str) -> sympy.Expr:
        """``value`` (text, int, float by its decimal text, SymPy expression) as a rational
        function of the declared symbols with rational coefficients (FieldError otherwise)."""
        try:
            if isinstance(value, str):
                expr = parse_expression(value)
            elif isinstance(value, sympy.Basic):
                expr = value.subs({s: sympy.Symbol(s.name) for s in value.free_symbols
                                   if isinstance(s, sympy.Symbol)})
            else:
                expr = parse_number(value)
        except (ExpressionError, NumberError, TypeError) as exc:
            raise FieldError(f"{where}: {exc}") from None
        unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in self.conditions)
        if unknown:
            raise FieldError(f"{where}: {unknown[0]!r} is not a declared symbol (declared: "
                             f"{', '.join(self.names)}; declare it with its condition, e.g. "
                             f"{unknown[0]} = \"{unknown[0]} > 0\")")
        symbols = [sympy.Symbol(n) for n in self.names]
        if expr.atoms(sympy.Function) or any(not p.exp.is_Integer for p in expr.atoms(sympy.Pow)) \
                or not all(x.is_Rational or x in symbols for x in expr.atoms()) \
                or not expr.is_rational_function(*symbols):      # pi, E, I, zoo, Min, Integral, ...
            raise FieldError(f"{where}: {_short(expr)} is not a rational function of the symbols with rational "
                             "coefficients (radicals, activations and floats are not allowed with symbols)")
        return expr

    def describe(self) -> str:
        return "; ".join(c for c in self.conditions.values() if c and c != "real") or "no conditions"

    def __eq__(self, other):
        return isinstance(other, Parameters) and self.conditions == other.conditions

    def __hash__(self):
        return hash(tuple(self.conditions.items()))

    def contains(self, values: dict) -> bool:
        """Whether rational ``values`` (name -> number) satisfy every condition, exactly."""
        subs = {sympy.Symbol(k): sympy.Rational(v) for k, v in values.items()}
        for g, strict in self.atoms:
            x = g.subs(subs)
            if not x.is_Rational or (x <= 0 if strict else x < 0):
                return False
        return True

    def contains_some(self) -> bool:
        return any(True for _ in self.samples(1))

    # -- one symbol: an interval ------------------------------------------------------
    def interval(self):
        """(lo, lo_closed, hi, hi_closed) of the only symbol (None: unbounded)."""
        if len(self.symbols) != 1:
            raise FieldError("an interval needs exactly one symbol")
        a = self.symbols[0]
        lo, lo_closed, hi, hi_closed = None, False, None, False
        for g, strict in self.atoms:
            k, c = g.coeff(a), g.subs(a, 0)           # k a + c > 0
            bound = -c / k
            if k > 0:
                if lo is None or bound > lo or (bound == lo and strict):
                    lo, lo_closed = bound, not strict
            elif hi is None or bound < hi or (bound == hi and strict):
                hi, hi_closed = bound, not strict
        return lo, lo_closed, hi, hi_closed

    def samples(self, count: int = 6):
        """Rational points of the region (name -> Rational), checked against every condition."""
        seen = 0
        for values in self._proposals(count * 4):
            if self.contains(values):
                yield values
                seen += 1
                if seen >= count:
                    return

    def _proposals(self, count):
        if len(self.symbols) == 1:
            lo, lo_closed, hi, hi_closed = self.interval()
            name = self.names[0]
            ends = [e for e, closed in ((lo, lo_closed), (hi, hi_closed)) if e is not None and closed]
            if lo is not None and hi is not None:
                pts = [lo + (hi - lo) * sympy.Rational(k, 8) for k in (4, 1, 7, 2, 6, 3, 5)]
            elif lo is not None:
                pts = [lo + sympy.Rational(p) for p in (1, "1/2", 2, "1/8", 5, "1/64", 100)]
            elif hi is not None:
                pts = [hi - sympy.Rational(p) for p in (1, "1/2", 2, "1/8", 5, "1/64", 100)]
            else:
                pts = [sympy.Rational(p) for p in (0, 1, -1, "1/2", 2, -2, 10)]
            for p in pts[:1] + ends + pts[1:]:
                yield {name: p}
            return
        base = self.substitution()
        if base is None:
            count = max(count, 4 * len(_GRID))
        steps = [sympy.Rational(p) for p in (1, "1/2", 2, "1/3", 3)]
        for k in range(count):
            if base is None:          # no substitution: a small grid of values (checked by the caller)
                yield {n: _GRID[(k * (i + 2) + i) % len(_GRID)] for i, n in enumerate(self.names)}
                continue
            subs, ts, _ = base
            vals = {t: steps[(k + i) % len(steps)] * (1 if k < len(steps) else k) for i, t in enumerate(ts)}
            yield {n: sympy.Rational(subs[sympy.Symbol(n)].subs(vals)) for n in self.names}

    def between_roots(self, expr) -> list[dict]:
        """Rational points of the region where a rational function of the only symbol
        may change sign: its rational roots and a point between consecutive real roots
        (and beyond the outer ones), from isolating intervals; [] for several symbols."""
        if len(self.symbols) != 1:
            return []
        num, den = sympy.fraction(sympy.cancel(sympy.sympify(expr)))
        p = sympy.Poly(sympy.expand(num * den), self.symbols[0], domain=QQ)
        if p.is_zero or p.degree() < 1:
            return []
        isolated = sorted(box for box, _ in p.intervals())       # disjoint rational intervals, one root each
        if not isolated:
            return []
        points = [lo for lo, hi in isolated if lo == hi]           # rational roots
        points += [(hi + lo2) / 2 for (_, hi), (lo2, _) in zip(isolated, isolated[1:])]
        points += [isolated[0][0] - 1, isolated[-1][1] + 1]
        name = self.names[0]
        return [v for v in ({name: sympy.Rational(x)} for x in points) if self.contains(v)]

    # -- several symbols: a substitution by positive variables ---------------------------
    def substitution(self, needed=None):
        """({symbol: bound + t_j}, [t_1, ...], strict) covering the region with every
        t_j > 0 (strict) or >= 0: each symbol is its lower bound (linear in symbols
        substituted before it, or a number: the largest) plus a new variable; None
        when a symbol of ``needed`` (default: all), or one its bound uses, has no
        lower bound or several symbolic ones."""
        lower = {}
        for g, strict in self.atoms:
            plus = [s for s in self.symbols if g.coeff(s) > 0]
            if len(plus) != 1:
                continue                       # an upper bound, or a bound of several symbols at once
            s = plus[0]
            bound = sympy.expand(s - g / g.coeff(s))      # s > bound, linear in the other symbols
            lower.setdefault(s, []).append((bound, strict))
        subs, ts, done, strict = {}, [], set(), True
        needed = set(self.symbols if needed is None else needed)
        while not needed <= done:
            progress = False
            for s in self.symbols:
                if s in done:
                    continue
                cands = lower.get(s, [])
                numeric = [(b, st) for b, st in cands if b.is_number]
                symbolic = [(b, st) for b, st in cands if not b.is_number]
                if len(symbolic) > 1 or (not symbolic and not numeric):
                    continue                  # no lower bound, or several symbolic ones: not substituted
                if symbolic:
                    b, st = symbolic[0]
                    if not b.free_symbols <= done:
                        continue
                else:
                    b, st = max(numeric, key=lambda x: (x[0], x[1]))
                t = sympy.Dummy(f"t_{s}")
                ts.append(t)
                strict = strict and st
                subs[s] = sympy.expand(b.subs(subs) + t)
                done.add(s)
                progress = True
            if not progress:
                return None
        return subs, ts, strict

    # -- signs on the region ------------------------------------------------------------
    def sign(self, expr: sympy.Expr) -> tuple[int | None, str]:
        """(sign, why): the constant sign of a rational function of the symbols on the
        region (0: identically zero), proven by Sturm sequences (one symbol) or by
        positive coefficients after :meth:`substitution`; (None, reason) otherwise."""
        num, den = sympy.fraction(sympy.cancel(sympy.sympify(expr)))
        s1, why1 = self._poly_sign(num)
        if s1 == 0:
            return 0, "identically zero"
        s2, why2 = self._poly_sign(den)
        if s1 is None or s2 is None:
            return None, why1 if s1 is None else f"denominator: {why2}"
        return s1 * s2, why1 if den == 1 else f"numerator: {why1}; denominator: {why2}"

    def _poly_sign(self, p) -> tuple[int | None, str]:
        p = sympy.expand(p)
        if p == 0:
            return 0, "zero"
        if p.is_number:
            return (1 if p > 0 else -1), "a non-zero number"
        if len(self.symbols) == 1:
            return self._sturm(sympy.Poly(p, self.symbols[0], domain=QQ))
        base = self.substitution(p.free_symbols)
        if base is None:
            return None, (f"no certificate for the sign of {_short(p)}: the conditions do not give each of its "
                          "symbols one lower bound")
        subs, ts, strict = base
        rel = ">" if strict else ">="
        q = sympy.Poly(sympy.expand(p.subs(subs)), *ts, domain=QQ)
        coeffs = q.coeffs()
        for sgn in (1, -1):
            if all(sgn * c > 0 for c in coeffs) and (strict or q.coeff_monomial(1) != 0):
                return sgn, (f"{_short(p)} = {_short(q.as_expr())} with "
                             f"{', '.join(f'{s} = {_short(e)}' for s, e in subs.items())} and every t {rel} 0: "
                             "all coefficients have one sign")
        polya = _polya(q) if strict else None
        if polya is not None:
            sgn, multiplier = polya
            return sgn, (f"{_short(p)} = {_short(q.as_expr())} with "
                         f"{', '.join(f'{s} = {_short(e)}' for s, e in subs.items())} and every t > 0; "
                         f"the multiplier {multiplier} times it has all coefficients of one sign (Polya)")
        return None, (f"no certificate for the sign of {_short(p)}: with "
                      f"{', '.join(f'{s} = {_short(e)}' for s, e in subs.items())} (t {rel} 0) its coefficients "
                      "have both signs")

    def _sturm(self, p) -> tuple[int | None, str]:
        lo, lo_closed, hi, hi_closed = self.interval()
        roots = p.count_roots(lo, hi)
        if lo is not None and not lo_closed and p.eval(lo) == 0:
            roots -= 1
        if hi is not None and not hi_closed and p.eval(hi) == 0:
            roots -= 1
        where = self.describe()
        if roots > 0:
            inside = [(a, b) for (a, b), _ in p.intervals() if (hi is None or a <= hi) and (lo is None or b >= lo)]
            near = f" (a root in [{inside[0][0]}, {inside[0][1]}])" if inside else ""
            return None, f"{_short(p.as_expr())} has {roots} root(s) where {where}{near}"
        point = next(iter(self.samples(1)))[self.names[0]]
        value = p.eval(point)
        return (1 if value > 0 else -1), (f"{_short(p.as_expr())} has no root where {where} (Sturm sequence) "
                                          f"and is {value} at {self.names[0]} = {point}")


_GRID = [sympy.Rational(p) for p in (1, 0, -1, 2, "1/2", -2, "-1/2", 3, "1/3", -3, 10, -10, "1/10")]

MAX_POLYA_POWER = 8        # largest N tried in the multipliers (t1 + ... + tk)^N and (1 + t1 + ... + tk)^N
MAX_POLYA_VARIABLES = 4    # variables of a polynomial for which Polya multipliers are tried
MAX_POLYA_DEGREE = 8       # its total degree


def _polya(q) -> tuple[int, str] | None:
    """(sign, multiplier) when a positive multiplier (sum t)^N or (1 + sum t)^N (t > 0)
    times ``q`` has every coefficient of one sign (Polya's certificate), else None.

    >>> t1, t2 = sympy.symbols("t1 t2")
    >>> _polya(sympy.Poly(2*t1**2 - 2*t1*t2 + t2**2, t1, t2))
    (1, '(t1 + t2)**4')
    """
    gens = [g for g in q.gens if q.degree(g) > 0]
    if not gens or len(gens) > MAX_POLYA_VARIABLES or q.total_degree() > MAX_POLYA_DEGREE:
        return None                        # the products grow as (degree + N)^variables
    total = sum(gens)
    for base in (total, 1 + total):
        m = sympy.Poly(1, *q.gens, domain=QQ)
        step = sympy.Poly(base, *q.gens, domain=QQ)
        for n in range(1, MAX_POLYA_POWER + 1):
            m = m * step
            coeffs = (m * q).coeffs()
            for sgn in (1, -1):
                if all(sgn * c > 0 for c in coeffs):
                    return sgn, f"({base})**{n}" if n > 1 else f"{base}"
    return None


def _short(e, limit: int = 120) -> str:
    text = str(e)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ParametricField(Field):
    """The rational function field Q(symbols) of a problem with named
    parameters (:class:`Parameters`). Its elements are rational functions;
    a sign is returned only when it is constant on the stated region
    (:meth:`Parameters.sign`), otherwise :class:`FieldError`.

    >>> F = ParametricField(Parameters({"a": "a > 0"}))
    >>> F.sign(F(sympy.Symbol("a")) ** 2 + 1)
    1
    >>> F.sign(F(sympy.Symbol("a")) - 1)
    Traceback (most recent call last):
    ...
    losscert.fields.FieldError: the sign of a - 1 is not decided where a > 0: a - 1 has 1 root(s) where a > 0 (a root in [1, 1])
    """

    def __init__(self, parameters: Parameters):
        super().__init__(QQ.frac_field(*parameters.symbols))
        self.parameters = parameters
        self.is_rational = False

    def __repr__(self):
        return f"ParametricField({self.domain}, {self.parameters.describe()})"

    def __eq__(self, other):
        return isinstance(other, ParametricField) and self.parameters == other.parameters

    def __hash__(self):
        return hash(self.parameters)

    def enclosure(self, e, prec: int = 64):
        raise FieldError("a rational function of the symbols has no numeric enclosure")

    def sign(self, e) -> int:
        s, why = self.parameters.sign(self.to_sympy(e))
        if s is None:
            raise FieldError(f"the sign of {_short(self.to_sympy(e))} is not decided where "
                             f"{self.parameters.describe()}: {why}")
        return s

    def rational(self, e):
        s = self.to_sympy(e)
        return s if s.is_Rational else None

    def number(self, value, where: str) -> sympy.Expr:
        """A number of the problem (text, int, SymPy expression) as a rational function of the
        declared symbols; undeclared symbols, radicals and functions are refused (FieldError)."""
        return self.parameters.number(value, where)
