"""Landscape statements: from every starting point of a region, a
non-increasing path to a global minimum (Property P), and its other side,
certified spurious valleys (issue 19).

``paths_to_global_minimum`` decides, for every value s of the declared
symbols in the region R (their ``[symbols]`` conditions, and outside the
zero set of every ``generic`` polynomial: each of them is non-zero), that the
path theta(s, t) made of the given segments starts at theta = start(s), is
continuous, never increases the loss, and ends at a point whose loss equals
a certified lower bound L* of L over all parameters:

- continuity: segment 1 at t = 0 is start(s); segment j at t = 0 is
  segment j - 1 at t = 1 (identities in Q[s]);
- every denominator (of the data, start, segments) is one polynomial D(s)
  free of t, each irreducible factor of which is a factor of a ``generic``
  polynomial or has a certified sign on R (:meth:`Parameters.sign`);
- each segment, by the first method that applies: ``constant`` (every output
  is free of t: an identity), ``affine`` (every output is affine in t, so
  L(t) is a convex quadratic and L'(1) = 2 scale <F(1) - Y, F(1) - F(0)> <= 0
  suffices: identically zero, or a certified sign), ``derivative`` (dL/dt, as
  a polynomial in t, is <= 0 for t in [0, 1): after t = tau / (1 + tau) every
  coefficient is <= 0 with tau >= 0 and the symbols substituted by their
  lower bounds);
- lower bound: every output of every parameter value is orthogonal
  (Frobenius) to the given matrices A_j (an identity in fresh parameter
  variables), so L >= L* = scale * b^T G^-1 b (G the Gram matrix of the A_j,
  b_j = <A_j, Y>); with no A_j, L* = 0. The end's loss equals L*: an identity.

Arithmetic is in sparse polynomials over Q (python-flint ``fmpq_mpoly``);
a value is ``num / D^k``. A statement is refuted only at an explicit rational
value of the symbols in R where a gap between segments or an increase of the
loss is exact; everything else unproven is inconclusive with the reason.

Certificates: ``landscape_paths`` (verified: the statement's symbols, generic
polynomials, start, the segments with their ``method``, the denominator's
factors, the orthogonal matrices and L*) and ``landscape_counterexample``
(refuted: ``at`` the symbol values, ``segment`` (1-based), and ``parameter``
where the segments do not join or ``t`` = [t1, t2] with L(t1) < L(t2)).

>>> net = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
>>> v = paths_to_global_minimum(net, [["1"]], [["2"]], "1/2", {"a": "a > 0", "b": "real"}, [],
...     {"x -> h": "a", "h -> y": "b"}, [{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], [])
>>> v.status
'verified'
"""
from __future__ import annotations

import copy

import flint
import sympy
from sympy import QQ

from ..compiler import compile_loss
from ..expressions import ExpressionError, parse_expression
from ..fields import FieldError
from ..network import Network, NetworkError
from ..symbolic import Parameters
from .decide import strict_local_minimum
from .exponential import exact_in_exponentials
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict, loss_rule

T = "t"                    # the path variable
SAMPLES = 6                # rational values of the symbols tried for a refutation
MAX_SEGMENTS = 32
MAX_TEXT = 200_000         # characters of one expression
MAX_DEGREE = 64            # a bound on the total degree of one expression (numerator and denominator)


class LandscapeError(ValueError):
    """A statement that cannot be read (the message names the key)."""


class _Undecided(Exception):
    """A step not proven on the whole region (the message says why)."""


# -- reading ------------------------------------------------------------------------------

def _expr(text, where, names):
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise LandscapeError(f"{where}: must be exact text such as \"1/2\" or \"a + t*(1 - a)\" "
                             f"(got {type(text).__name__})")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise LandscapeError(f"{where}: longer than {MAX_TEXT} characters")
    try:
        e = parse_expression(str(text))
    except ExpressionError as exc:
        raise LandscapeError(f"{where}: {exc}") from None
    unknown = sorted(str(s) for s in e.free_symbols if str(s) not in names)
    if unknown:
        raise LandscapeError(f"{where}: {unknown[0]!r} is not a declared symbol (declared: "
                             f"{', '.join(sorted(names)) or 'none'})")
    if _degree_bound(e) > MAX_DEGREE:
        raise LandscapeError(f"{where}: degree above {MAX_DEGREE} (a bound on the size of the computation)")
    syms = [sympy.Symbol(n) for n in names]
    if e.atoms(sympy.Function) or any(not p.exp.is_Integer for p in e.atoms(sympy.Pow)) \
            or not all(x.is_Rational or x in syms for x in e.atoms()) or not e.is_rational_function(*syms):
        raise LandscapeError(f"{where}: not a rational function of the symbols with rational coefficients "
                             "(floats, radicals, pi and functions are not exact statements here)")
    return e


def _degree_bound(e) -> int:
    """An upper bound of the total degree of the numerator and the denominator of
    ``together(e)``, without expanding.

    >>> a, b = sympy.symbols("a b")
    >>> _degree_bound((a + b) ** 3 / a), _degree_bound(1 / a + 1 / b), _degree_bound(sympy.Integer(5))
    (3, 2, 0)
    """
    return max(_degrees(e))


def _degrees(e) -> tuple[int, int]:
    if e.is_Symbol:
        return 1, 0
    if e.is_Number:
        return 0, 0
    if e.is_Pow and e.exp.is_Integer:
        n, d = _degrees(e.base)
        k = int(e.exp)
        return (k * n, k * d) if k >= 0 else (-k * d, -k * n)
    parts = [_degrees(a) for a in e.args]
    if e.is_Mul:
        return sum(n for n, _ in parts), sum(d for _, d in parts)
    if e.is_Add:
        den = sum(d for _, d in parts)
        return max(n + den - d for n, d in parts), den
    return MAX_DEGREE + 1, 0            # anything else is refused by the caller anyway


def _table(value, params, where, names):
    if not isinstance(value, dict):
        raise LandscapeError(f"{where}: must be a table parameter = expression")
    unknown = sorted(set(value) - set(params))
    if unknown:
        raise LandscapeError(f"{where}.{unknown[0]!r}: not a parameter of the network "
                             f"(parameters: {', '.join(params)})")
    missing = [p for p in params if p not in value]
    if missing:
        raise LandscapeError(f"{where}: no expression for parameter {missing[0]!r}")
    return [_expr(value[p], f"{where}.{p!r}", names) for p in params]


def _matrix(rows, where, shape, names):
    if not isinstance(rows, list) or len(rows) != shape[0] or \
            not all(isinstance(r, list) and len(r) == shape[1] for r in rows):
        raise LandscapeError(f"{where}: must be a {shape[0]} x {shape[1]} matrix (list of rows)")
    return [[_expr(x, f"{where}[{i + 1}][{j + 1}]", names) for j, x in enumerate(r)] for i, r in enumerate(rows)]


class Problem:
    """A read statement: network, data, region, start, segments, orthogonal matrices (all SymPy)."""

    def __init__(self, network, X, Y, scale, symbols, generic, start, segments, orthogonal):
        try:
            self.net = network if isinstance(network, Network) else Network.from_table(network)
        except (NetworkError, ValueError) as exc:
            raise LandscapeError(f"network: {exc}") from None
        symbols = symbols or {}
        if T in symbols:
            raise LandscapeError(f"symbols.{T}: {T!r} is the path variable; name the symbol otherwise")
        try:
            self.P = Parameters(symbols) if symbols else None
        except FieldError as exc:
            raise LandscapeError(str(exc)) from None
        self.names = tuple(symbols)
        names = set(self.names)
        params = list(self.net.parameters)
        self.params = params
        if not isinstance(X, list) or not X or not isinstance(X[0], list) or not X[0]:
            raise LandscapeError("data.X: must be a non-empty list of rows")
        n = len(X[0])
        self.X = _matrix(X, "data.X", (len(self.net.inputs), n), names)
        self.Y = _matrix(Y, "data.Y", (len(self.net.outputs), n), names)
        self.n = n
        self.scale = _expr(scale, "scale", set())
        if not self.scale > 0:
            raise LandscapeError("scale: must be positive")
        if not isinstance(generic, list):
            raise LandscapeError("generic: must be a list of polynomials in the symbols")
        self.generic = []
        for i, g in enumerate(generic, 1):
            e = _expr(g, f"generic[{i}]", names)
            if not e.is_polynomial(*[sympy.Symbol(x) for x in self.names]):
                raise LandscapeError(f"generic[{i}]: must be a polynomial in the symbols")
            if sympy.expand(e) == 0:
                raise LandscapeError(f"generic[{i}]: the zero polynomial (its zero set is everything)")
            self.generic.append(e)
        self.start = _table(start, params, "start", names)
        if not isinstance(segments, list) or not segments or len(segments) > MAX_SEGMENTS:
            raise LandscapeError(f"segments: must be a list of 1 to {MAX_SEGMENTS} tables parameter = "
                                 f"expression in the symbols and {T}")
        self.segments = [_table(s, params, f"segments[{i}]", names | {T}) for i, s in enumerate(segments, 1)]
        if not isinstance(orthogonal, list):
            raise LandscapeError("orthogonal: must be a list of matrices (one row per output, one column per sample)")
        shape = (len(self.net.outputs), n)
        self.orthogonal = [_matrix(A, f"orthogonal[{i}]", shape, names) for i, A in enumerate(orthogonal, 1)]
        self.shape_loss = compile_loss(self.net, [[0] * n for _ in self.net.inputs], [[0] * n for _ in self.net.outputs])
        for st in self.shape_loss.steps:
            if st.activation is not None and st.activation.polynomial_coefficients is None:
                raise _Undecided(f"node {st.name}: activation {st.activation.kind} is not a polynomial; "
                                 "landscape paths are decided for polynomial networks")

    def region(self) -> str:
        where = self.P.describe() if self.P else "no conditions"
        conditioned = {sympy.Symbol(n) for n, c in (self.P.conditions.items() if self.P else ()) if c and c != "real"}
        fixed = [f"{p} = {_short(e, 40)}" for p, e in zip(self.params, self.start)
                 if not isinstance(e, sympy.Symbol) or e in conditioned]
        if fixed:
            where = "theta with " + ", ".join(fixed[:6]) + (", ..." if len(fixed) > 6 else "") + "; " + where
        if self.generic:
            where += "; outside the zero set of each of " + ", ".join(_short(g, 60) for g in self.generic)
        return where


# -- sparse arithmetic: num / D^k ------------------------------------------------------------

class _Ring:
    """fmpq_mpoly over the symbols (and t), with one common denominator D."""

    def __init__(self, names):
        self.names = tuple(names)
        self.ctx = flint.fmpq_mpoly_ctx.get(self.names, "lex")
        self.gens = [sympy.Symbol(n) for n in self.names]
        self.D = self.ctx.from_dict({})+1
        self._pow = [self.D]

    def poly(self, e):
        """A SymPy polynomial as fmpq_mpoly."""
        p = sympy.Poly(e, *self.gens, domain=QQ)
        return self.ctx.from_dict({m: flint.fmpq(int(c.numerator), int(c.denominator)) for m, c in p.terms()})

    def sym(self, p) -> sympy.Expr:
        return sympy.Add(*[sympy.Rational(int(c.p), int(c.q)) * sympy.Mul(*[g ** k for g, k in zip(self.gens, m)])
                           for m, c in p.terms()])

    def fraction(self, e):
        num, den = sympy.fraction(sympy.together(e))
        return self.poly(sympy.expand(num)), self.poly(sympy.expand(den))

    def set_denominator(self, dens):
        D = self.ctx.from_dict({}) + 1
        for d in dens:
            D = D * d / D.gcd(d) if not d.is_constant() else D
        self.D, self._pow = D, [self.ctx.from_dict({}) + 1]

    def power(self, k):
        while len(self._pow) <= k:
            self._pow.append(self._pow[-1] * self.D)
        return self._pow[k]

    def element(self, e):
        """A SymPy rational function whose denominator divides D, as (num, 1) or (num, 0)."""
        num, den = self.fraction(e)
        if den.is_constant():
            return (num / den.leading_coefficient(), 0)
        return (num * (self.D / den), 1)


class _Alg:
    """The compiler's algebra over values (num, k) = num / D^k."""

    def __init__(self, ring: _Ring):
        self.R = ring
        self.zero = (ring.ctx.from_dict({}), 0)

    def lift(self, c):
        if isinstance(c, tuple):
            return c
        q = sympy.Rational(int(c.numerator), int(c.denominator)) if hasattr(c, "numerator") else sympy.Rational(c)
        return (self.R.ctx.from_dict({}) + flint.fmpq(int(q.p), int(q.q)), 0)

    def const(self, c):
        return self.lift(c)

    def add(self, a, b):
        if a[1] == b[1]:
            return (a[0] + b[0], a[1])
        if a[1] < b[1]:
            a, b = b, a
        return (a[0] + b[0] * self.R.power(a[1] - b[1]), a[1])

    def mul(self, a, b):
        return (a[0] * b[0], a[1] + b[1])

    scale = mul

    def activate(self, act, a, derivative):
        if derivative:
            raise _Undecided("derivatives of activations are not used here")
        out = self.zero
        power = self.lift(1)
        for c in act.polynomial_coefficients:
            if c:
                out = self.add(out, self.mul(self.lift(c), power))
            power = self.mul(power, a)
        return out, None


def _forward(problem: Problem, alg: _Alg, X, theta):
    """Output rows of the network (values of ``alg``) on inputs ``X`` at ``theta``."""
    loss = copy.copy(problem.shape_loss)
    loss.X = X
    vals, _ = loss._forward(theta, alg, False)
    return [vals[s] for s in loss.output_slots]


def _sub(alg, a, b):
    return alg.add(a, (-b[0], b[1]))


def _loss(problem, alg, F, Y):
    total = alg.zero
    for frow, yrow in zip(F, Y):
        for f, y in zip(frow, yrow):
            r = _sub(alg, f, y)
            total = alg.add(total, alg.mul(r, r))
    return alg.mul(total, alg.lift(problem.scale))


def _equal(R, a, b) -> bool:
    k = max(a[1], b[1])
    return a[0] * R.power(k - a[1]) == b[0] * R.power(k - b[1])


def _at(a, t):
    return (a[0].subs({T: t}), a[1])


def _t_degree(R, p) -> int:
    return p.degrees()[R.names.index(T)] if not p.is_zero() else 0


# -- the rule -----------------------------------------------------------------------------------

def paths_to_global_minimum(network, X, Y, scale, symbols, generic, start, segments, orthogonal) -> Verdict:
    """For every value of the symbols in the region (conditions, and every ``generic``
    polynomial non-zero), the path through ``segments`` from ``start`` never increases
    the loss and ends at a global minimum (its loss equals the certified lower bound)."""
    try:
        pr = Problem(network, X, Y, scale, symbols, generic, start, segments, orthogonal)
    except LandscapeError as exc:
        return Verdict(INCONCLUSIVE, f"the statement cannot be read: {exc}")
    except _Undecided as exc:
        return Verdict(INCONCLUSIVE, str(exc))
    try:
        return _decide(pr)
    except _Undecided as exc:
        return Verdict(INCONCLUSIVE, f"not proven for every point of the region ({pr.region()}): {exc}",
                       {"region": pr.region()})


class _Gap(Exception):
    """Segment ``args[0]`` (0-based) not proven non-increasing; may be refuted at a rational point."""


def _decide(pr: Problem) -> Verdict:
    R = _Ring(pr.names + (T,))
    alg = _Alg(R)
    dens = []
    for e in [x for row in pr.X + pr.Y for x in row] + pr.start + [x for seg in pr.segments for x in seg]:
        dens.append(R.fraction(e)[1])
    R.set_denominator(dens)
    if _t_degree(R, R.D):
        raise _Undecided(f"a denominator depends on {T} ({_short(R.sym(R.D))}): only denominators in the symbols "
                         "are decided")
    den_cert = _nonzero(pr, R, R.D)
    if pr.P is not None and pr.generic and not _has_point(pr):
        raise _Undecided("no rational point of the region with every generic polynomial non-zero was found "
                         "(the region may be empty: a statement about it would say nothing)")
    Xv = [[R.element(x) for x in row] for row in pr.X]
    Yv = [[R.element(y) for y in row] for row in pr.Y]
    start = [R.element(e) for e in pr.start]
    segs = [[R.element(e) for e in seg] for seg in pr.segments]
    gaps = []
    for j, seg in enumerate(segs):
        before = start if j == 0 else [_at(v, 1) for v in segs[j - 1]]
        for p, (a, b) in enumerate(zip(before, seg)):
            if not _equal(R, _at(b, 0), a):
                gaps.append((j, p))
    if gaps:
        j, p = gaps[0]
        what = "the start" if j == 0 else f"the end of segment {j}"
        return _refute_or_inconclusive(pr, f"segment {j + 1} does not start at {what} (parameter {pr.params[p]!r})",
                                       lambda s: _gap_at(pr, s, j, p))
    segments_cert = []
    for j, seg in enumerate(segs):
        F = _forward(pr, alg, Xv, seg)
        try:
            method, why = _monotone(pr, R, alg, F, Yv, j)
        except _Gap as gap:
            return _refute_or_inconclusive(pr, f"segment {j + 1}: the loss is not proven non-increasing "
                                               f"({gap.args[1]})", lambda s: _increase_at(pr, s, j))
        segments_cert.append({"map": {p: str(e) for p, e in zip(pr.params, pr.segments[j])},
                              "method": method, "why": why})
    end = [_at(v, 1) for v in segs[-1]]
    L_end = _loss(pr, alg, _forward(pr, alg, Xv, end), Yv)
    bound = _lower_bound(pr)
    num, den = R.fraction(bound["value_expr"])
    if not L_end[0] * den == num * R.power(L_end[1]):
        return _refute_or_inconclusive(pr, "the end's loss is not identically the lower bound "
                                           f"{_short(bound['value_expr'])}", None)
    cert = {"kind": "landscape_paths", "symbols": dict(pr.P.conditions) if pr.P else {},
            "generic": [str(g) for g in pr.generic],
            "start": {p: str(e) for p, e in zip(pr.params, pr.start)},
            "denominator": {"D": _short(R.sym(R.D), 2000), "factors": den_cert},
            "segments": segments_cert,
            "lower_bound": {"orthogonal": [[[str(x) for x in r] for r in A] for A in pr.orthogonal],
                            "value": str(bound["value_expr"]), "why": bound["why"]}}
    text = ("for every theta in R a non-increasing path reaches a global minimum: no spurious valley meets R "
            "and no spurious strict local minimum lies in R")
    if pr.generic:
        text = ("for every theta in R outside the zero set Z of the generic polynomials a non-increasing path "
                "reaches a global minimum: no spurious valley meets R \\ Z and no spurious strict local minimum "
                "lies in R \\ Z")
        if _dense_complement(pr):
            text += ("; as R is the whole parameter space (exact data) and Z has empty interior, no spurious "
                     "strict local minimum exists and no spurious valley has a non-empty interior")
    methods = ", ".join(f"{i + 1}: {c['method']}" for i, c in enumerate(segments_cert))
    return Verdict(VERIFIED, f"{text} (R: {pr.region()}; segments {methods}; L* = {_short(bound['value_expr'])})",
                   {"region": pr.region(), "segments": [c["method"] for c in segments_cert],
                    "lower_bound": str(bound["value_expr"])}, certificate=cert)


def _has_point(pr: Problem) -> bool:
    for values in pr.P.samples(2 * SAMPLES):
        subs = {sympy.Symbol(k): sympy.Rational(v) for k, v in values.items()}
        if all(g.subs(subs) != 0 for g in pr.generic):
            return True
    return False


def _dense_complement(pr: Problem) -> bool:
    """R is all of parameter space: exact data, no conditions, start = one distinct symbol per parameter."""
    if pr.P is None or pr.P.atoms:
        return False
    if any(x.free_symbols for row in pr.X + pr.Y for x in row):
        return False
    starts = [e for e in pr.start]
    return all(isinstance(e, sympy.Symbol) for e in starts) and len(set(starts)) == len(starts) \
        and set(starts) == {sympy.Symbol(n) for n in pr.names}


def _nonzero(pr: Problem, R: _Ring, D) -> list:
    """Each irreducible factor of D is non-zero on the region: a factor of a generic polynomial,
    or of certified sign. Returns the certificate lines; _Undecided otherwise."""
    if D.is_constant():
        return []
    generic_factors = set()
    for g in pr.generic:
        for f, _ in R.poly(g).factor()[1]:
            generic_factors.add(str(f / f.leading_coefficient()))
    out = []
    for f, _ in D.factor()[1]:
        key = str(f / f.leading_coefficient())
        if key in generic_factors:
            out.append({"factor": str(R.sym(f)), "why": "a factor of a generic polynomial (non-zero on R)"})
            continue
        s, why = pr.P.sign(R.sym(f)) if pr.P else (None, "no symbols")
        if not s:
            raise _Undecided(f"the denominator factor {_short(R.sym(f))} is not proven non-zero: {why}")
        out.append({"factor": str(R.sym(f)), "why": why})
    return out


def _monotone(pr, R, alg, F, Y, j) -> tuple[str, str]:
    """(method, why) that L never increases along segment j; _Undecided / refutation otherwise."""
    degrees = [_t_degree(R, v[0]) for row in F for v in row]
    if max(degrees) == 0:
        return "constant", "every output is free of t (identity)"
    if max(degrees) == 1:
        F0 = [[_at(v, 0) for v in row] for row in F]
        F1 = [[_at(v, 1) for v in row] for row in F]
        E = alg.zero
        for r0, r1, ry in zip(F0, F1, Y):
            for a, b, y in zip(r0, r1, ry):
                E = alg.add(E, alg.mul(_sub(alg, b, y), _sub(alg, b, a)))
        if E[0].is_zero():
            return "affine", "outputs affine in t; <F(1) - Y, F(1) - F(0)> = 0 identically, so L'(1) = 0"
        s, why = _sign_even(pr, R, E)
        if s is not None and s <= 0:
            return "affine", f"outputs affine in t; <F(1) - Y, F(1) - F(0)> <= 0 on R: {why}"
        raise _Gap(j, f"outputs affine in t but the sign of <F(1) - Y, F(1) - F(0)> is not certified <= 0: {why}")
    L = _loss(pr, alg, F, Y)
    dL = L[0].derivative(T)
    if dL.is_zero():
        return "constant", "L is free of t (identity)"
    ok, why = _nonpositive_on_unit(pr, R, dL * R.power(L[1] % 2))
    if ok:
        return "derivative", why
    raise _Gap(j, f"dL/dt <= 0 on [0, 1] x R is not certified: {why}")


def _sign_even(pr, R, v):
    """The constant sign of num / D^k on R (k made even), or (None, why)."""
    num = v[0] * R.power(v[1] % 2)
    if pr.P is None:
        c = R.sym(num)
        return (None, "not a number") if c.free_symbols else ((c > 0) - (c < 0), "a number")
    return pr.P.sign(R.sym(num))


def _nonpositive_on_unit(pr, R, p) -> tuple[bool, str]:
    """p(s, t) <= 0 for t in [0, 1) and s in R: with t = tau / (1 + tau), every coefficient
    of (1 + tau)^m p is <= 0 after substituting the symbols by their lower bounds."""
    tau = sympy.Dummy("tau")
    t = sympy.Symbol(T)
    e = sympy.expand(R.sym(p))
    pt = sympy.Poly(e, t)
    m = pt.degree()
    q = sympy.expand(sum(c * tau ** j * (1 + tau) ** (m - j) for (j,), c in pt.terms()))
    if pr.P is None:
        subs, ts = {}, []
    else:
        base = pr.P.substitution(q.free_symbols - {tau})
        if base is None:
            return False, "the conditions do not give every symbol of dL/dt one lower bound"
        subs, ts, _ = base
    poly = sympy.Poly(sympy.expand(q.subs(subs)), tau, *ts, domain=QQ)
    if all(c <= 0 for c in poly.coeffs()):
        return True, (f"dL/dt = {_short(e)}; with t = tau/(1 + tau) (tau >= 0) and the symbols at their lower "
                      "bounds plus non-negative variables, every coefficient is <= 0")
    return False, f"dL/dt = {_short(e)} has coefficients of both signs after the substitution"


def _lower_bound(pr: Problem) -> dict:
    """L* and why L >= L* for every parameter value: outputs orthogonal to each A_j (identity)."""
    if not pr.orthogonal:
        return {"value_expr": sympy.Integer(0), "why": "L >= 0 (a sum of squares)"}
    names = tuple(f"p{i}" for i in range(len(pr.params))) + pr.names
    R = _Ring(names)
    alg = _Alg(R)
    R.set_denominator([R.fraction(x)[1] for M in [pr.X, *pr.orthogonal] for row in M for x in row])
    Xv = [[R.element(x) for x in row] for row in pr.X]
    theta = [(g, 0) for g in R.ctx.gens()[:len(pr.params)]]
    F = _forward(pr, alg, Xv, theta)
    for i, A in enumerate(pr.orthogonal, 1):
        acc = alg.zero
        for frow, arow in zip(F, A):
            for f, a in zip(frow, arow):
                acc = alg.add(acc, alg.mul(f, R.element(a)))
        if not acc[0].is_zero():
            raise _Undecided(f"orthogonal[{i}]: <A, F(theta)> is not identically zero in the parameters "
                             f"({_short(R.sym(acc[0]))})")
    flat = [sympy.Matrix(A) for A in pr.orthogonal]
    Ym = sympy.Matrix(pr.Y)
    G = sympy.Matrix(len(flat), len(flat), lambda i, j: sum(flat[i].multiply_elementwise(flat[j])))
    b = sympy.Matrix([sum(A.multiply_elementwise(Ym)) for A in flat])
    det = sympy.factor(G.det())
    if det == 0:
        raise _Undecided("the matrices A_j are linearly dependent (Gram determinant 0)")
    if det.free_symbols:
        s, why = pr.P.sign(det)
        if not s:
            raise _Undecided(f"the Gram determinant {_short(det)} is not proven non-zero: {why}")
    value = sympy.cancel(pr.scale * (b.T * G.adjugate() * b)[0, 0] / det)
    return {"value_expr": value,
            "why": "every output is orthogonal to each A_j (identity in the parameters), so "
                   "L >= scale * ||projection of Y on span(A)||^2 = scale * b^T G^-1 b"}


# -- refutation at a rational point ---------------------------------------------------------------

def _refute_or_inconclusive(pr: Problem, why: str, check) -> Verdict:
    if check is not None and pr.P is not None:
        for values in pr.P.samples(SAMPLES):
            subs = {sympy.Symbol(k): sympy.Rational(v) for k, v in values.items()}
            if any(g.subs(subs) == 0 for g in pr.generic):
                continue
            found = check(subs)
            if found:
                text, data = found
                at = ", ".join(f"{k} = {v}" for k, v in values.items())
                point = {k: str(v) for k, v in values.items()}
                return Verdict(REFUTED, f"{why}: at {at} (in the region) {text}", {"counterexample": point},
                               certificate={"kind": "landscape_counterexample", "at": point, **data})
    return Verdict(INCONCLUSIVE, f"{why}; no rational point of the region refutes it among those tried",
                   {"region": pr.region()})


def _gap_at(pr, subs, j, p):
    try:
        a = (pr.start[p] if j == 0 else pr.segments[j - 1][p].subs(sympy.Symbol(T), 1)).subs(subs)
        b = pr.segments[j][p].subs({**subs, sympy.Symbol(T): 0})
    except ZeroDivisionError:
        return None
    if a.is_Rational and b.is_Rational and a != b:
        return f"the parameter {pr.params[p]!r} jumps from {a} to {b}", {"segment": j + 1, "parameter": pr.params[p]}
    return None


def _increase_at(pr, subs, j):
    """At rational symbols ``subs``: where the loss increases along segment j (exact, one variable), or None."""
    from ..compiler import compile_loss as _compile
    from .paths import non_increasing
    t = sympy.Symbol(T)
    try:
        X = [[sympy.Rational(x.subs(subs)) for x in row] for row in pr.X]
        Y = [[sympy.Rational(y.subs(subs)) for y in row] for row in pr.Y]
        polys = [sympy.Poly(sympy.cancel(e.subs(subs)), t, domain=QQ) for e in pr.segments[j]]
    except (ZeroDivisionError, TypeError, ValueError, sympy.PolynomialError):
        return None
    m = max(p.degree() for p in polys)
    path = [[p.coeff_monomial(t ** k) for p in polys] for k in range(max(m, 1) + 1)]
    loss = _compile(pr.net, X, Y, scale=pr.scale)
    v = non_increasing(loss, [loss.point(c) for c in path], 0, 1)
    if v.status == REFUTED:
        return f"along segment {j + 1}: {v.reason}", {"segment": j + 1, "t": _rising(v.evidence)}
    return None


def _rising(evidence) -> list:
    """[t1, t2] in [0, 1], t1 < t2, with L(t1) < L(t2) exactly, around a t where dL/dt > 0."""
    t = sympy.Symbol(T)
    L = sympy.Poly(sympy.sympify(evidence["loss_along_path"]), t)
    x, h = sympy.Rational(evidence["increasing_at"]), sympy.Rational(1, 2)
    while True:
        t1, t2 = max(x - h, 0), min(x + h, 1)
        if L.eval(t1) < L.eval(t2):
            return [str(t1), str(t2)]
        h /= 2


def _short(e, limit: int = 120) -> str:
    text = str(e)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the other side: a certified spurious valley ------------------------------------------------

@loss_rule
@exact_in_exponentials
def spurious_valley(loss, point, better) -> Verdict:
    """A spurious valley exists: ``point`` is a strict local minimum (kernel rule) and
    L(better) < L(point). Then for small eps the component of {L <= L(point) + eps}
    through ``point`` stays in a ball where L >= L(point) > L(better) >= inf L.
    A non-strict minimum certifies nothing (its sublevel component may leave it).

    >>> from losscert import compile_loss, dense
    >>> loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    >>> spurious_valley(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, {"x1 -> h1_1": 1, "h1_1 -> y1": 1}).status
    'inconclusive'
    """
    theta, other = loss.point(point), loss.point(better)
    low, high = loss.value(other, raw=True), loss.value(theta, raw=True)
    if not loss.field.compare(low, high) < 0:
        return Verdict(INCONCLUSIVE, f"L(better) = {loss.field.show(low)} is not below L(point) = "
                                     f"{loss.field.show(high)}: no valley is certified")
    strict = strict_local_minimum(loss, theta)
    if strict.status != VERIFIED:
        return Verdict(INCONCLUSIVE, f"the point is not certified a strict local minimum ({strict.status}: "
                                     f"{strict.reason}); a non-strict minimum does not certify a spurious valley "
                                     "(its sublevel component may leave it)", {"strict": strict.as_dict()})
    cert = {"kind": "spurious_valley_strict_minimum", "point": [str(loss.to_sympy(x)) for x in theta],
            "better": [str(loss.to_sympy(x)) for x in other], "value": str(loss.to_sympy(high)),
            "better_value": str(loss.to_sympy(low))}
    return Verdict(VERIFIED, f"a spurious valley exists: a strict local minimum at loss {loss.field.show(high)} "
                             f"({strict.reason}) and a point of loss {loss.field.show(low)} below it",
                   {"strict": strict.as_dict()}, certificate=cert)
