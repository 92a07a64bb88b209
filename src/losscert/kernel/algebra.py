"""Kernel rules about matrices, polynomials and numbers (no loss needed).

- :func:`rank_is`: the rank of a matrix;
- :func:`identity`: ``lhs == rhs`` (numbers, expressions or matrices of the same shape);
- :func:`determinant_is`: a determinant, computed here, equals a claimed expression;
- :func:`inequality`: ``lhs >= rhs`` (or ``>``) from an exact sign, a certificate or a counterexample.

**What the inputs may be.** Integers, rationals, algebraic numbers written
with radicals (``sqrt(2)``), SymPy ``Symbol``\\ s, and numeric transcendental
constants such as ``tanh(2)``, ``exp(1)``, ``pi`` (what the registered
activations give at numbers). Binary floats (``0.1``, ``Float``) are refused:
they are not the numbers the user wrote.

**How a verdict is reached.** Symbols are indeterminates: a rank is the
*generic* rank over the field of rational functions of the symbols (the rank
for all values of the symbols outside a proper algebraic subset), an
identity holds for all values. Every other non-algebraic sub-expression
(``tanh(2)``, ``pi``, ``sin(w)``, ``a**p``) is an *atom*. An expression that is
zero as a polynomial in the atoms taken as independent indeterminates is
zero whatever the atoms' values ("formally zero"): that proves vanishing.
The converse is false (tanh 2 = 2 tanh 1 / (1 + tanh^2 1)), so non-vanishing
needs an exact non-zero coefficient (no atom) or a rigorous Arb enclosure
that excludes 0 (atoms without symbols); otherwise the answer is
``inconclusive``. Denominators must be provably non-zero the same way.

**Exponentials are exact.** When every transcendental constant is e^r,
tanh(r), sinh(r), ... of a rational r (and E), all of them are written as
powers of one t = e^(1/q) (:func:`~losscert.fields.exponential_form`). t is
transcendental (Lindemann), so an expression is zero exactly when it is the
zero rational function of t: identities, ranks and signs are then decided
exactly, tanh 2 = 2 tanh 1 / (1 + tanh^2 1) included.

>>> import sympy
>>> M = sympy.Matrix([[sympy.tanh(2), 2 * sympy.tanh(1)], [1, 1 + sympy.tanh(1) ** 2]])
>>> rank_is(M, 2).status, rank_is(M, 1).status     # singular by the double-angle formula
('refuted', 'verified')
>>> rank_is(M, 3).status, rank_is(sympy.Matrix([[sympy.pi, 1], [1, 1]]), 2).status
('refuted', 'verified')
>>> inequality(0.1 + 0.2, 0.3, strict=True).reason
"floats are not exact: write '1/10' or the decimal text"
"""
from __future__ import annotations

from decimal import Decimal

import sympy
from sympy.polys.matrices import DomainMatrix

from ..numbers import parse_number

from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict

FLOAT_REASON = "floats are not exact: write '1/10' or the decimal text"
ARB_DIGITS = (30, 120, 480)          # precisions tried before a sign is called undecided
SHOW_UP_TO = 200                     # characters of an expression shown in evidence


class NotExactInput(ValueError):
    """An input these rules do not read exactly (the message is the reason)."""


def _short(e) -> str:
    s = str(e)
    return s if len(s) <= SHOW_UP_TO else s[:SHOW_UP_TO] + " ..."


def read(value) -> sympy.Expr:
    """One exact input as a SymPy expression; floats and non-real or
    non-finite numbers raise :class:`NotExactInput`.

    >>> read("1/10"), read("0.1"), read(sympy.sqrt(2))
    (1/10, 1/10, sqrt(2))
    """
    if isinstance(value, bool):
        raise NotExactInput("a boolean is not a number")
    if isinstance(value, (float, sympy.Float)):
        raise NotExactInput(FLOAT_REASON)
    if isinstance(value, Decimal):            # decimal text: exact
        return parse_number(value)
    try:
        e = sympy.sympify(value, rational=True) if isinstance(value, str) else sympy.sympify(value)
    except (sympy.SympifyError, SyntaxError, TypeError) as exc:
        raise NotExactInput(f"{value!r} is not an expression: {exc}") from None
    if not isinstance(e, sympy.Expr):
        raise NotExactInput(f"{_short(value)} is not an expression")
    if e.has(sympy.Float):
        raise NotExactInput(FLOAT_REASON)
    if e.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise NotExactInput(f"{_short(e)} is not finite")
    if e.has(sympy.I):
        raise NotExactInput(f"{_short(e)} is not real")
    return e


def _read_matrix(value) -> sympy.Matrix:
    if isinstance(value, sympy.MatrixBase):
        rows = value.tolist()
        if value.rows == 0 or value.cols == 0:
            return sympy.Matrix(value)
    elif isinstance(value, (list, tuple)) and not any(isinstance(r, sympy.MatrixBase) for r in value):
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
        if any(isinstance(x, (list, tuple, sympy.MatrixBase)) for r in rows for x in r):
            raise NotExactInput("matrix entries must be numbers or expressions, not lists")
        if len({len(r) for r in rows}) > 1:
            raise NotExactInput("matrix rows have different lengths")
    elif isinstance(value, (list, tuple)):
        try:
            rows = sympy.Matrix(value).tolist()       # a stack of row matrices
        except (ValueError, TypeError) as exc:
            raise NotExactInput(f"not a matrix: {exc}") from None
    else:
        raise NotExactInput(f"expected a matrix, got {type(value).__name__}")
    return sympy.Matrix([[read(x) for x in r] for r in rows]) if rows else sympy.Matrix([])


# -- rigorous enclosures of numeric expressions ------------------------------------------------

_ARB_FUNCTIONS = {sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
                  sympy.tanh: "tanh", sympy.sinh: "sinh", sympy.cosh: "cosh", sympy.atan: "atan",
                  sympy.asinh: "asinh", sympy.Abs: "__abs__"}


class NoEnclosure(ArithmeticError):
    """An Arb enclosure could not be computed for a constant (it is then treated as undecided)."""
    pass


def enclose(e: sympy.Expr):
    """An Arb ball containing the real number ``e`` (at the current Arb
    precision); :class:`NoEnclosure` when ``e`` uses something not handled
    or the ball is not finite."""
    from .. import intervals as iv
    from flint import arb
    if e.free_symbols:
        raise NoEnclosure(f"{_short(e)} has symbols")
    if e.is_Rational:
        return iv.exact(e)
    if e is sympy.pi:
        return arb.pi()
    if e is sympy.E:
        return arb(1).exp()
    if e.is_Add or e.is_Mul:
        out = enclose(e.args[0])
        for a in e.args[1:]:
            out = out + enclose(a) if e.is_Add else out * enclose(a)
    elif e.is_Pow:
        base, ex = e.args
        b = enclose(base)
        if ex.is_Integer:
            out = b ** int(ex) if ex >= 0 else 1 / b ** int(-ex)
        elif not b > 0:
            raise NoEnclosure(f"{_short(e)}: base not provably positive")
        elif ex == sympy.Rational(1, 2):
            out = b.sqrt()
        else:
            out = (b.log() * enclose(ex)).exp()
    elif type(e) in _ARB_FUNCTIONS and len(e.args) == 1:
        x = enclose(e.args[0])
        if type(e) is sympy.log and not x > 0:
            raise NoEnclosure(f"{_short(e)}: argument not provably positive")
        out = getattr(x, _ARB_FUNCTIONS[type(e)])()
    else:
        raise NoEnclosure(f"no enclosure for {_short(e)}")
    if not out.is_finite():
        raise NoEnclosure(f"{_short(e)} is not finite")
    return out


EXPONENTIAL_DIGITS = (30, 120, 480, 2000, 8000)   # a non-zero element of Q(e^(1/q)) has a sign: look further


def exponential_sign(e: sympy.Expr) -> int | None:
    """The sign of a non-zero number of Q(e^(1/q)) by Arb (None past EXPONENTIAL_DIGITS)."""
    return arb_sign(e, EXPONENTIAL_DIGITS)


def arb_sign(e: sympy.Expr, precisions=None) -> int | None:
    """+1 / -1 when an Arb enclosure of ``e`` excludes 0 (at the digits of
    ``precisions``, default ARB_DIGITS), else None."""
    from .. import intervals as iv
    for digits in precisions or ARB_DIGITS:
        try:
            with iv.precision(digits):
                s = iv.sign(enclose(e))
        except (NoEnclosure, iv.IntervalUnavailable):
            return None
        if s:
            return s
    return None


# -- exact forms: rational functions of symbols and atoms over an algebraic field --------------

class Exact:
    """Expressions as elements of K(symbols, atoms), K = Q or Q(radicals).

    ``elements`` are the converted inputs (in :attr:`R`); :meth:`nonzero`
    proves an element non-zero (or answers None); :attr:`problem` is a
    reason the inputs cannot be used (a denominator not provably non-zero,
    an atom with no enclosure, a field too large), else None.
    """

    def __init__(self, exprs):
        from ..fields import Field, FieldError, exponential_form
        self.exponential = None          # (t, e^(1/q)) when exponentials were written in one transcendental t
        form = exponential_form(exprs)
        if form is not None:
            exprs, t, value = form
            self.exponential = (t, value)
        self.symbols: set = set()
        self.atoms: dict = {}            # atom expression -> Dummy
        self.radicals: set = set()
        self.divisors: list = []
        self.problem = None
        walked = [self._walk(e) for e in exprs]
        try:
            self.F = Field.for_numbers(list(self.radicals))
        except FieldError as exc:
            raise NotExactInput(str(exc)) from None
        self.closed = {d for a, d in self.atoms.items() if not a.free_symbols}
        self.gens = sorted(self.symbols, key=sympy.default_sort_key) + sorted(self.atoms.values(), key=str)
        K = self.F.domain
        self.R = K.frac_field(*self.gens) if self.gens else K
        try:
            self.elements = [self.R.from_sympy(e) for e in walked]
        except (sympy.polys.polyerrors.CoercionFailed, sympy.polys.polyerrors.PolynomialError) as exc:
            raise NotExactInput(f"not a rational function over {K}: {exc}") from None
        except ZeroDivisionError:
            raise NotExactInput("a denominator is zero (exactly, as an element of the field)") from None
        self._back = {d: a for a, d in self.atoms.items()}
        if self.exponential:
            self._back[self.exponential[0]] = self.exponential[1]
        self._check()

    # the atomisation
    def _walk(self, e):
        if e.is_Symbol:
            self.symbols.add(e)
            return e
        if e.is_Rational:
            return e
        if e.is_Add:
            return sympy.Add(*[self._walk(a) for a in e.args])
        if e.is_Mul:
            return sympy.Mul(*[self._walk(a) for a in e.args])
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                b = self._walk(base)
                if ex < 0:
                    self.divisors.append(b)
                return b ** ex
            if ex.is_Rational and not base.free_symbols and not base.atoms(sympy.Function, sympy.NumberSymbol) \
                    and base.is_positive:
                self.radicals.add(e)          # an algebraic number: exact in the field
                return e
        if e not in self.atoms:
            self.atoms[e] = sympy.Dummy(f"atom{len(self.atoms) + 1}")
        return self.atoms[e]

    def _check(self):
        for atom, d in self.atoms.items():
            if d in self.closed:
                try:
                    from .. import intervals as iv
                    with iv.precision(ARB_DIGITS[0]):
                        enclose(atom)
                except (NoEnclosure, iv.IntervalUnavailable) as exc:
                    self.problem = f"the constant {_short(atom)} has no rigorous enclosure ({exc})"
                    return
        for b in self.divisors:
            if self.nonzero(self.R.from_sympy(b)) is not True:
                self.problem = f"the denominator {_short(self.show_walked(b))} is not provably non-zero"
                return

    def show_walked(self, e):
        return sympy.sympify(e).xreplace(self._back)

    def to_sympy(self, x) -> sympy.Expr:
        """An element of R back as a SymPy expression (atoms restored)."""
        return self.R.to_sympy(x).xreplace(self._back)

    @property
    def has_atoms(self) -> bool:
        return bool(self.atoms)

    @property
    def note(self) -> str:
        """How transcendental constants were treated, for reasons."""
        if self.exponential:
            return (f" (exact: exponentials written in t = {self.exponential[1]}, transcendental, so only the "
                    "zero rational function of t vanishes)")
        return _atoms_note(self)

    def _numerator_terms(self, x):
        if not self.gens:
            return [((), x)]
        return list(x.numer.terms())

    def nonzero(self, x) -> bool | None:
        """True when ``x`` is provably non-zero (as a rational function of the
        symbols, at the actual values of the atoms); None when undecided.
        False only for the formal zero."""
        if not x:
            return False
        terms = self._numerator_terms(x)
        if not self.atoms:
            return True
        ns = len(self.symbols)
        used = {self.gens[i] for mono, _ in terms for i, k in enumerate(mono) if k and i >= ns}
        if used - self.closed:
            return None                  # an atom depending on the symbols: only formal zeros are proofs
        groups: dict = {}
        for mono, c in terms:
            groups.setdefault(mono[:ns], []).append((mono[ns:], c))
        atoms = self.gens[ns:]
        for part in groups.values():
            if all(not any(m) for m, _ in part):
                return True              # an exact non-zero constant coefficient
        for part in sorted(groups.values(), key=len):
            coeff = sympy.Add(*[self.F.to_sympy(c) * sympy.Mul(*[self._back[a] ** k for a, k in zip(atoms, m)])
                                for m, c in part])
            if arb_sign(coeff):
                return True
        return None

    def sign(self, x) -> int | None:
        """The exact sign of a number x (no symbols): exact in the field, or
        by Arb when atoms occur; None when undecided."""
        if not x:
            return 0
        if not self.gens:
            return self.F.sign(x)
        if self.exponential and self.symbols == {self.exponential[0]} and not self.atoms:
            return exponential_sign(self.to_sympy(x))      # x != 0 in Q(t): a sign exists
        if self.symbols or self.closed != set(self.atoms.values()):
            return None
        return arb_sign(self.to_sympy(x))


def _inconclusive(reason, ev=None) -> Verdict:
    return Verdict(INCONCLUSIVE, reason, ev or {})


def _atoms_note(ex: Exact) -> str:
    return f" (treating {', '.join(_short(a) for a in ex.atoms)} as independent)" if ex.atoms else ""


# -- rank -----------------------------------------------------------------------------------

def rank_is(matrix, claimed: int, assume_nonzero=()) -> Verdict:
    """``rank(matrix) == claimed``. With symbols, the *generic* rank: the
    rank over the field of rational functions of the symbols (exact). With
    transcendental constants (atoms) the rank is bracketed: an r x r minor
    whose Arb determinant excludes 0 (at a rational point for the symbols)
    proves rank >= r; when every (r+1) x (r+1) minor bordering it is
    formally zero (atoms as indeterminates; r + 1 <= MAX_FORMAL_MINOR), the
    rank is r (the bordered-minor theorem). Verified only when the bounds
    meet. ``assume_nonzero`` is accepted and unused."""
    try:
        M = _read_matrix(matrix)
        claimed = int(claimed) if sympy.Integer(claimed) == claimed else None
    except NotExactInput as exc:
        return _inconclusive(str(exc))
    except (TypeError, ValueError):
        claimed = None
    if claimed is None:
        return _inconclusive("the claimed rank is not an integer")
    ev = {"matrix": _short(M.tolist()), "shape": f"{M.rows}x{M.cols}"}
    if M.rows == 0 or M.cols == 0:
        r, ex = 0, None
    else:
        try:
            ex = Exact(list(M))
        except NotExactInput as exc:
            return _inconclusive(str(exc), ev)
        if ex.problem:
            return _inconclusive(ex.problem, ev)
        ev["domain"] = str(ex.R)
    if ex is None or not ex.has_atoms:
        if ex is not None:
            r = _domain_matrix(ex, M).rank()
        ev["rank"] = r
        how = f"exact, over {ev.get('domain', 'QQ')}" + (ex.note if ex is not None else "")
        if r == claimed:
            return Verdict(VERIFIED, f"rank {r} ({how})", ev)
        return Verdict(REFUTED, f"rank is {r}, not {claimed} ({how})", ev)
    rows, cols = [], []
    lower, upper = _arb_lower_bound(ex, M, ev, rows, cols), min(M.shape)
    if lower < upper and lower + 1 <= MAX_FORMAL_MINOR and _bordered_minors_vanish(ex, M, rows[:lower], cols[:lower]):
        upper = lower
    ev["rank_bounds"] = [lower, upper]
    note = _atoms_note(ex)
    if lower == upper == claimed:
        return Verdict(VERIFIED, f"rank {claimed}: the {claimed} x {claimed} minor on rows {ev['minor_rows']}, "
                       f"columns {ev['minor_columns']} is provably non-zero (Arb), and every larger minor is "
                       "formally zero" + (note if claimed < min(M.shape) else ""), ev)
    if claimed > upper:
        why = (f"a {M.rows}x{M.cols} matrix" if upper == min(M.shape) else
               f"every {upper + 1} x {upper + 1} minor bordering a non-zero {upper} x {upper} minor is formally zero"
               + note)
        return Verdict(REFUTED, f"rank <= {upper} < {claimed}: {why}", ev)
    if claimed < lower:
        return Verdict(REFUTED, f"rank >= {lower} > {claimed}: a {lower} x {lower} minor is provably non-zero "
                       "(Arb)", ev)
    return _inconclusive(f"the rank is only known to lie in [{lower}, {upper}]{note}: the constants may be "
                         "dependent", ev)


MAX_FORMAL_MINOR = 5      # largest minor expanded formally when atoms occur (cost grows fast with the size)


def _domain_matrix(ex: Exact, M) -> DomainMatrix:
    return DomainMatrix([ex.elements[i * M.cols:(i + 1) * M.cols] for i in range(M.rows)], M.shape, ex.R)


def _polynomial_matrix(ex: Exact, M) -> tuple[DomainMatrix, object]:
    """(P, scale): every row of M times the lcm of its denominators, over
    the polynomial ring; det M = det P / scale for square M. The scales are
    non-zero (every denominator was proven non-zero), so rank P = rank M."""
    ring = ex.R.get_ring()
    rows, scale = [], ex.R.one
    for i in range(M.rows):
        row = ex.elements[i * M.cols:(i + 1) * M.cols]
        lcm = row[0].denom
        for e in row[1:]:
            lcm = lcm.lcm(e.denom)
        rows.append([ring.convert(e.numer * lcm.exquo(e.denom)) for e in row])
        scale = scale * ex.R.convert(ring.convert(lcm))
    return DomainMatrix(rows, M.shape, ring), scale


def _bordered_minors_vanish(ex: Exact, M, rows, cols) -> bool:
    """Every minor on rows + [i], cols + [j] is formally zero."""
    P, _ = _polynomial_matrix(ex, M)
    for i in range(M.rows):
        for j in range(M.cols):
            if i not in rows and j not in cols and P.extract(rows + [i], cols + [j]).det():
                return False
    return True


def _arb_lower_bound(ex: Exact, M, ev, rows: list, cols: list) -> int:
    """The largest k for which a proposed k x k minor has an Arb determinant
    excluding 0, at a fixed rational point for the symbols (a non-zero value
    there proves the minor is not the zero function); 0 when none is found
    or an atom depends on the symbols. ``rows``, ``cols`` receive the pivot
    order (the minor is on the first k of each)."""
    from flint import arb_mat

    from .. import intervals as iv
    if any(a.free_symbols for a in ex.atoms):
        return 0
    point = {s: sympy.Rational(2 * i + 3, i + 7) for i, s in enumerate(sorted(ex.symbols, key=str))}
    try:
        with iv.precision(ARB_DIGITS[0]):
            balls = [[enclose(M[i, j].xreplace(point)) for j in range(M.cols)] for i in range(M.rows)]
            proposed_rows, proposed_cols = _pivot_order([[float(iv.mid(b)) for b in r] for r in balls])
            rows += proposed_rows
            cols += proposed_cols
    except (NoEnclosure, iv.IntervalUnavailable, OverflowError):
        return 0
    for k in range(len(rows), 0, -1):
        for digits in ARB_DIGITS:
            with iv.precision(digits):
                det = arb_mat([[enclose(M[i, j].xreplace(point)) for j in cols[:k]] for i in rows[:k]]).det()
                if iv.sign(det):
                    ev.update({"minor_rows": [i + 1 for i in sorted(rows[:k])],
                               "minor_columns": [j + 1 for j in sorted(cols[:k])],
                               "minor_determinant": iv.show(det, 10)})
                    if point:
                        ev["symbols_at"] = {str(s): str(v) for s, v in point.items()}
                    return k
    return 0


def _pivot_order(A) -> tuple[list, list]:
    """Rows and columns in the order of Gaussian elimination with full
    pivoting on floats (a proposal; the determinants are then enclosed)."""
    A = [list(r) for r in A]
    free_r, free_c, rows, cols = list(range(len(A))), list(range(len(A[0]))), [], []
    while free_r and free_c:
        i, j = max(((i, j) for i in free_r for j in free_c), key=lambda ij: abs(A[ij[0]][ij[1]]))
        if A[i][j] == 0:
            break
        rows.append(i)
        cols.append(j)
        free_r.remove(i)
        free_c.remove(j)
        for k in free_r:
            f = A[k][j] / A[i][j]
            A[k] = [a - f * b for a, b in zip(A[k], A[i])]
    return rows, cols


# -- identities ------------------------------------------------------------------------------

def _is_matrix(x) -> bool:
    return isinstance(x, (list, tuple, sympy.MatrixBase))


def _decide_equal(ex: Exact, a, b, ev) -> Verdict:
    diff = a - b
    if not diff:
        return Verdict(VERIFIED, "lhs - rhs is formally zero" + ex.note, ev)
    ev["difference"] = _short(ex.to_sympy(diff))
    if ex.nonzero(diff):
        how = "Arb enclosure of a coefficient" if ex.has_atoms else "exact"
        return Verdict(REFUTED, f"not an identity: lhs - rhs is not zero ({how}){ex.note}", ev)
    return _inconclusive("lhs - rhs is not formally zero" + _atoms_note(ex) + ", and no coefficient is provably "
                         "non-zero: no exact decision", ev)


def identity(lhs, rhs) -> Verdict:
    """``lhs == rhs`` for all values of the symbols; matrices (or lists) must
    have the same shape and agree entry by entry."""
    if _is_matrix(lhs) or _is_matrix(rhs):
        try:
            left = _read_matrix(lhs) if _is_matrix(lhs) else None
            right = _read_matrix(rhs) if _is_matrix(rhs) else None
        except NotExactInput as exc:
            return _inconclusive(str(exc))
        shape = [f"{m.rows}x{m.cols}" if m is not None else "a scalar" for m in (left, right)]
        if left is None or right is None or left.shape != right.shape:
            return Verdict(REFUTED, f"shapes differ: {shape[0]} vs {shape[1]}",
                           {"lhs": _short(lhs), "rhs": _short(rhs)})
        left, right = list(left), list(right)
    else:
        try:
            left, right = [read(lhs)], [read(rhs)]
        except NotExactInput as exc:
            return _inconclusive(str(exc))
    ev = {"lhs": _short(lhs), "rhs": _short(rhs)}
    if not left:
        return Verdict(VERIFIED, "two empty matrices", ev)
    try:
        ex = Exact(left + right)
    except NotExactInput as exc:
        return _inconclusive(str(exc), ev)
    if ex.problem:
        return _inconclusive(ex.problem, ev)
    n = len(left)
    parts = [_decide_equal(ex, a, b, {}) for a, b in zip(ex.elements[:n], ex.elements[n:])]
    if n == 1 and not _is_matrix(lhs):
        return Verdict(parts[0].status, parts[0].reason, {**ev, **parts[0].evidence})
    for status in (REFUTED, INCONCLUSIVE):
        bad = [(i, v) for i, v in enumerate(parts) if v.status == status]
        if bad:
            i, v = bad[0]
            return Verdict(status, f"entry {i + 1}: {v.reason}", {**ev, **v.evidence})
    return Verdict(VERIFIED, f"identity in all {n} entries" + ex.note, ev)


def determinant_is(matrix, claimed) -> Verdict:
    """det(matrix) == claimed as an identity (the determinant is computed
    here, exactly, over the polynomial ring of the entries' symbols and
    atoms). With atoms and more than MAX_FORMAL_MINOR rows only a refutation
    is attempted: det - claimed enclosed by Arb at a rational point for the
    symbols, excluding 0."""
    try:
        M = _read_matrix(matrix)
        c = read(claimed)
    except NotExactInput as exc:
        return _inconclusive(str(exc))
    if M.rows != M.cols:
        return _inconclusive(f"a {M.rows}x{M.cols} matrix has no determinant")
    if M.rows == 0:
        M = sympy.Matrix([[1]])
    try:
        ex = Exact(list(M) + [c])
    except NotExactInput as exc:
        return _inconclusive(str(exc))
    if ex.problem:
        return _inconclusive(ex.problem)
    if ex.has_atoms and M.rows > MAX_FORMAL_MINOR:
        return _determinant_by_enclosure(ex, M, c)
    if ex.gens:
        P, scale = _polynomial_matrix(ex, M)
        det = ex.R.convert(P.det()) / scale
    else:
        det = _domain_matrix(ex, M).det()
    shown = ex.to_sympy(det)
    v = _decide_equal(ex, det, ex.elements[-1], {"claimed": _short(c)})
    text = str(shown) if len(str(shown)) < 80 else "(expanded, see evidence)"
    return Verdict(v.status, f"det = {text}: {v.reason}", {"determinant": _short(shown), **v.evidence})


def _determinant_by_enclosure(ex: Exact, M, claimed) -> Verdict:
    from flint import arb_mat

    from .. import intervals as iv
    ev = {"claimed": _short(claimed), "size": M.rows}
    why = f"a {M.rows}x{M.rows} determinant in {len(ex.atoms)} transcendental constants is not expanded formally"
    if any(a.free_symbols for a in ex.atoms):
        return _inconclusive(why, ev)
    point = {s: sympy.Rational(2 * i + 3, i + 7) for i, s in enumerate(sorted(ex.symbols, key=str))}
    for digits in ARB_DIGITS:
        try:
            with iv.precision(digits):
                det = arb_mat([[enclose(e.xreplace(point)) for e in row] for row in M.tolist()]).det()
                gap = det - enclose(claimed.xreplace(point))
                if iv.sign(gap):
                    ev.update({"det - claimed": iv.show(gap, 10),
                               **({"symbols_at": {str(k): str(v) for k, v in point.items()}} if point else {})})
                    return Verdict(REFUTED, "not an identity: det - claimed is provably non-zero (Arb)", ev)
        except (NoEnclosure, iv.IntervalUnavailable):
            break
    return _inconclusive(why + ", and no enclosure of det - claimed excludes 0", ev)


# -- inequalities ---------------------------------------------------------------------------

def _sign_of(e: sympy.Expr) -> tuple[int | None, str]:
    """The sign of a number, exactly or by Arb, with how it was decided."""
    ex = Exact([e])
    if ex.problem:
        return None, ex.problem
    s = ex.sign(ex.elements[0])
    if s is None:
        return None, "Arb enclosures up to {} digits contain 0".format(ARB_DIGITS[-1]) + _atoms_note(ex)
    if ex.exponential and s:
        return s, "Arb enclosure of a non-zero element of Q(t), t = " + str(ex.exponential[1])
    return s, "Arb enclosure" if ex.has_atoms and s else "exact"


def _counterexample_values(gap, counterexample) -> dict:
    by_name = {s.name: s for s in gap.free_symbols}
    values = {}
    for k, v in counterexample.items():
        name = k.name if isinstance(k, sympy.Symbol) else str(k)
        if name not in by_name:
            continue
        val = read(v)
        if val.free_symbols:
            raise NotExactInput(f"counterexample value for {name} is not a number")
        sym = by_name[name]
        for key, wanted in sym.assumptions0.items():
            if wanted and key in ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer",
                                  "rational") and getattr(val, f"is_{key}") is not True:
                raise NotExactInput(f"counterexample value {val} for {name} is not {key}, as the symbol assumes")
        values[sym] = val
    missing = sorted(s.name for s in gap.free_symbols if s not in values)
    if missing:
        raise NotExactInput(f"the counterexample gives no value for {missing[0]}")
    return values


def inequality(lhs, rhs, certificate=(), counterexample=None, strict=False) -> Verdict:
    """``lhs >= rhs`` (``>`` when ``strict``) for all real values of the symbols.
    Without symbols the sign of lhs - rhs decides (exactly, or by an Arb
    enclosure that excludes 0 when transcendental constants occur).

    Verified from a certificate ``[(c, s), ...]`` with numbers c >= 0 and
    rational functions s of the symbols (and real constants), where
    lhs - rhs = sum c * s**2 formally; refuted by a ``counterexample`` (a
    mapping symbol -> number) where lhs < rhs (<= when strict); otherwise
    inconclusive. A certificate that does not match proves nothing.
    """
    try:
        lhs, rhs = read(lhs), read(rhs)
    except NotExactInput as exc:
        return _inconclusive(str(exc))
    ev = {"lhs": _short(lhs), "rhs": _short(rhs)}
    op = ">" if strict else ">="
    gap = lhs - rhs
    unreal = sorted(s.name for s in gap.free_symbols if s.is_real is False)
    if unreal:          # Sturm, SOS and counterexamples range over the reals: an imaginary x^2 + 1 >= 0 is false
        return _inconclusive(f"the symbol {unreal[0]} is declared non-real (e.g. imaginary); an inequality is "
                             "decided for real values of its symbols", ev)
    try:
        if not gap.free_symbols:
            s, how = _sign_of(gap)
            ev["lhs - rhs"] = _short(gap)
            if s is None:
                return _inconclusive(f"the sign of lhs - rhs is not decided ({how})", ev)
            if s > 0 or (s == 0 and not strict):
                return Verdict(VERIFIED, f"lhs {op} rhs: lhs - rhs = {_short(gap)} ({how})", ev)
            return Verdict(REFUTED, f"not lhs {op} rhs: lhs - rhs = {_short(gap)} ({how})", ev)
        if counterexample:
            values = _counterexample_values(gap, counterexample)
            at = gap.xreplace(values)
            s, how = _sign_of(at)
            if s is not None and (s < 0 or (strict and s == 0)):
                ev.update({"counterexample": {str(k): str(v) for k, v in values.items()}, "lhs - rhs": _short(at)})
                return Verdict(REFUTED, f"lhs - rhs = {_short(at)} {'<=' if strict else '<'} 0 at the "
                               f"counterexample ({how})", ev)
        if certificate:
            given = _certificate(gap, certificate, ev, strict)
            if given.status == VERIFIED or not strict:
                return given
    except NotExactInput as exc:
        return _inconclusive(str(exc), ev)
    return _automatic(gap, strict, ev)


def _automatic(gap, strict: bool, ev) -> Verdict:
    """lhs - rhs > 0 (>= 0) for every real value of its symbols: Sturm for one
    symbol, an exact Gram (sum-of-squares) certificate for several (:mod:`.sos`)."""
    from .sos import positive
    status, why, cert = positive(gap, strict)
    if status == VERIFIED:
        return Verdict(VERIFIED, f"lhs {'>' if strict else '>='} rhs: {why}", ev, cert)
    if status == REFUTED:
        return Verdict(REFUTED, f"not lhs {'>' if strict else '>='} rhs: {why} (exact)", {**ev, "counterexample": cert["at"]})
    return _inconclusive(f"no certificate and no counterexample given; {why}", ev)


def _certificate(gap, certificate, ev, strict: bool = False) -> Verdict:
    weights, squares = [], []
    for c, s in certificate:
        c, s = read(c), read(s)
        if c.free_symbols:
            return _inconclusive("certificate rejected: a weight is not a number", ev)
        sign, _ = _sign_of(c)
        if sign is None or sign < 0:
            return _inconclusive("certificate rejected: a weight is not a provably non-negative number", ev)
        weights.append(c)
        squares.append(s)
    ex = Exact([gap, *weights, *squares])
    if ex.problem:
        return _inconclusive(f"certificate rejected: {ex.problem}", ev)
    k = len(weights)
    dependent = [a for a, d in ex.atoms.items() if a.free_symbols and any(
        d in ex.R.to_sympy(x).free_symbols for x in ex.elements[1 + k:])]
    if dependent:
        return _inconclusive(f"certificate rejected: {_short(dependent[0])} in a square may not be real", ev)
    g, ws, ss = ex.elements[0], ex.elements[1:1 + k], ex.elements[1 + k:]
    sos = ex.R.zero
    for w, s in zip(ws, ss):
        sos += w * s * s
    rest = g - sos
    ev["certificate"] = _short(ex.to_sympy(sos))
    if not rest and strict:
        floor = next((i for i, (c, s) in enumerate(zip(weights, squares)) if not s.free_symbols
                      and _sign_of(c)[0] == 1 and _sign_of(s)[0] in (1, -1)), None)
        if floor is None:
            return _inconclusive("certificate rejected for a strict inequality: no square is a non-zero constant "
                                 "with a positive weight", ev)
        return Verdict(VERIFIED, f"lhs - rhs is a sum of squares with non-negative weights, one of them the "
                       f"constant {_short(weights[floor] * squares[floor] ** 2)} > 0 (formally equal)", ev)
    if not rest:
        return Verdict(VERIFIED, "lhs - rhs is a sum of squares with non-negative weights (formally equal)", ev)
    ev["remainder"] = _short(ex.to_sympy(rest))
    return _inconclusive("certificate rejected: lhs - rhs - (sum of squares) is not formally zero", ev)
