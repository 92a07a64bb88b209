"""Statements over named parameters: "for every value of the symbols in the
stated region" (issue 11, item 4).

A loss compiled with ``symbols={"a": "a > 0"}`` lives over the rational
function field Q(a) (:class:`~losscert.fields.ParametricField`); its data and
points may contain the symbols. The rules here decide a point statement for
*every* value in the region at once:

- inputs: every denominator of the data and of the points is proven non-zero
  on the region (else inconclusive). The forward and backward passes of a
  polynomial network, hence L, grad L and H, are polynomials in the inputs,
  so a rational function they produce specialises correctly at each value of
  the region (its reduced denominator divides a power of the inputs' ones);
- loss values and criticality: identities in Q(a) (difference zero);
- signs (a loss gap, a principal minor, a tangent minor) are proven constant
  on the region by :meth:`~losscert.fields.Parameters.sign`: Sturm sequences
  for one symbol (no root in the interval, sign at one rational point),
  positive coefficients after substituting the ordering assumptions by
  positive variables for several symbols; nothing else is a certificate;
- PSD with constant rank r: indices C chosen greedily with non-vanishing
  principal minors of H[C, C] (as rational functions), |C| = rank of H over
  Q(a), and every leading minor of H[C, C] positive on the region: then for
  every value H[C, C] is positive definite and the Schur complement of
  H[C, C] (zero in Q(a)) is zero, so H is PSD with rank r;
- local minimum: critical identically; H PD on the region, or PSD with rank
  r and a family of critical points through theta proven by an exact
  identity in (family variables, symbols) (:mod:`.families`) whose P - r
  tangents have a P - r minor of constant non-zero sign: for every value the
  tangent space is ker H and the Morse-Bott lemma applies.

A statement is refuted only at an explicit rational value of the symbols in
the region (checked against every condition) where the ordinary exact kernel
refutes the specialised statement; the verdict names that value. Anything
else is inconclusive with the reason (e.g. a minor with a root inside the
interval whose value is irrational).
"""
from __future__ import annotations

import sympy

from ..activations import NonSmooth, NotExact
from ..compiler import Loss, compile_loss
from ..fields import FieldError
from . import linalg
from .families import critical_family
from .verdict import INCONCLUSIVE, REFUTED, SYMBOLIC, VERIFIED, Verdict, conjunction

SAMPLES = 4           # rational values of the symbols tried for a refutation
MAX_PARAMETERS = 40   # network parameters up to which the symbolic minors are computed


def decide_parametric(rule: str, loss: Loss, *args, **kwargs) -> Verdict:
    """The verdict of kernel rule ``rule`` (its function name) for every value of the
    loss's symbols in their region; rules without a symbolic procedure are inconclusive."""
    handler = _RULES.get(rule)
    if handler is None:
        return Verdict(INCONCLUSIVE, f"{rule} is not decided for losses with symbolic parameters "
                                     f"({loss.parameters.describe()})")
    try:
        pr = _Problem(loss)
        verdict = handler(pr, *args, **kwargs)
        if verdict.status == VERIFIED and pr.cuts:      # decided off finitely many values: decide those too
            return pr.at_cuts(rule, verdict, args)
        return verdict
    except _Undecided as exc:
        return Verdict(INCONCLUSIVE, str(exc), {"symbols": dict(loss.parameters.conditions)})
    except (NotExact, NonSmooth, FieldError) as exc:
        return Verdict(INCONCLUSIVE, f"not decided for every value where {loss.parameters.describe()}: {exc}",
                       {"symbols": dict(loss.parameters.conditions)})


class _Undecided(Exception):
    """A step that cannot be decided on the whole region (the message says why)."""


class _Problem:
    def __init__(self, loss: Loss):
        self.loss, self.F, self.P = loss, loss.field, loss.parameters
        self.where = self.P.describe()
        self.checked = set()             # texts of denominators already proven non-zero
        self.suspects = []               # values near the roots of undecided minors (tried first to refute)
        self.cuts = []                   # polynomials non-zero on the region except at their isolated roots

    def sym(self, e) -> sympy.Expr:
        return self.F.to_sympy(e)

    def show(self, e) -> str:
        return str(sympy.factor(self.sym(e)))

    def sign(self, e, what: str) -> tuple[int, str]:
        s, why = self.region_sign(self.sym(e))
        if s is None:
            raise _Undecided(f"{what}: its sign is not constant where {self.where}: {why}")
        return s, why

    def defined(self, named: dict) -> None:
        """Every denominator of the named inputs is non-zero on the region."""
        for where, values in named.items():
            for v in values:
                den = sympy.fraction(sympy.cancel(self.sym(v) if not isinstance(v, sympy.Basic) else v))[1]
                if den.is_number or str(den) in self.checked:
                    continue
                s, _ = self.P.sign(den)
                if not s:
                    raise _Undecided(f"the denominator {den} of {where} is not proven non-zero where {self.where}")
                self.checked.add(str(den))

    def inputs(self, theta, **points) -> list:
        loss = self.loss
        theta = loss.point(theta)
        named = {"data.X": [x for r in loss.X_sym for x in r], "data.Y": [y for r in loss.Y_sym for y in r],
                 "point": theta}
        named.update({k: v if isinstance(v, list) else [v] for k, v in points.items()})
        self.defined(named)
        return theta

    # -- a region split at the isolated roots of a minor (one symbol) ------------------------
    def region_sign(self, expr) -> tuple[int | None, str]:
        """The sign of ``expr`` on the region (:meth:`Parameters.sign`), or else, for one
        symbol, its sign on the region minus the real roots of its numerator when that
        sign is the same on every open piece between them; those roots are then kept in
        :attr:`cuts` (the statement must still be decided at each of them)."""
        s, why = self.P.sign(expr)
        if s is not None or len(self.P.symbols) != 1:
            return s, why
        try:
            return self._piecewise_sign(expr, why)
        except (ArithmeticError, ValueError, TypeError, sympy.PolynomialError):
            return None, why

    def _piecewise_sign(self, expr, why):
        num, den = sympy.fraction(sympy.cancel(sympy.sympify(expr)))
        sd, _ = self.P.sign(den)
        if not sd:
            return None, why
        p = sympy.Poly(sympy.expand(num), self.P.symbols[0], domain=sympy.QQ)
        walls = self.roots_in_region(p)
        points = _between(walls, *self.P.interval())
        name = self.P.names[0]
        signs = {(1 if p.eval(x) > 0 else -1) for x in points}
        if len(signs) != 1:
            self.suspects += [{name: x} for x in points]
            return None, why
        self.cuts.append(p)
        (sn,) = signs
        shown = ", ".join(str(x) for x in points)
        return sn * sd, (f"non-zero except at its {len(walls)} root(s) where {self.where}, with sign {sn * sd} on "
                         f"every piece between them (values at {name} = {shown}; the roots are decided apart)")

    def roots_in_region(self, p: sympy.Poly) -> list[tuple]:
        """Isolating intervals (u, v) (u == v: a rational root) of the real roots of p in
        the region, refined until they hold no endpoint of the region they do not equal."""
        lo, lo_closed, hi, hi_closed = self.P.interval()
        out = []
        p = p.sqf_part()
        for (u, v), _ in p.intervals():
            while u != v and any(e is not None and u <= e <= v for e in (lo, hi)):
                u, v = p.refine_root(u, v, eps=(v - u) / 4)
            if (lo is not None and (v < lo or (v == lo and not lo_closed))) or \
                    (hi is not None and (u > hi or (u == hi and not hi_closed))):
                continue
            out.append((u, v))
        out.sort()
        for k in range(len(out) - 1):           # separate neighbours: every open piece gets a point inside it
            while not out[k][1] < out[k + 1][0]:
                (u, v), (u2, v2) = out[k], out[k + 1]
                if u != v:
                    out[k] = p.refine_root(u, v, eps=(v - u) / 4)
                if u2 != v2:
                    out[k + 1] = p.refine_root(u2, v2, eps=(v2 - u2) / 4)
                if u == v and u2 == v2:
                    raise ValueError("two equal rational roots")
        return out

    def root_values(self) -> list:
        """The exact roots in the region of every polynomial in :attr:`cuts` (rational, or
        radicals of a quadratic factor); _Undecided for a root of higher degree."""
        from ..fields import Field
        values = []
        for p in self.cuts:
            for u, v in self.roots_in_region(p):
                if u == v:
                    r = sympy.Rational(u)
                else:
                    factor = next(f for f, _ in p.factor_list()[1] if f.count_roots(u, v) > 0)
                    if factor.degree() > 2:
                        raise _Undecided(f"a root of {factor.as_expr()} (degree {factor.degree()}) splits the region; "
                                         "only rational roots and roots of quadratic factors are decided")
                    r = next(c for c in sympy.roots(factor.as_expr(), factor.gen)
                             if all(Field.for_numbers([c]).sign(Field.for_numbers([c])(c - e)) == sg
                                    for e, sg in ((u, 1), (v, -1))))
                if not any(sympy.simplify(r - w) == 0 for w in values):
                    values.append(r)
        return values

    def at_cuts(self, rule: str, verdict: Verdict, args) -> Verdict:
        """Combine a verdict proven off the roots in :attr:`cuts` with the ordinary exact
        kernel's verdicts at each root (rational, or in Q(root))."""
        from . import decide as exact
        name = self.P.names[0]
        points = self.root_values()
        decided = {}
        for r in points:
            loss, special = self.specialise_exact(r, args)
            v = getattr(exact, rule)(loss, *special)
            decided[str(r)] = v.as_dict()
            if v.status == REFUTED:
                return Verdict(REFUTED, f"fails at {name} = {r} (in the region {self.where}, where a minor "
                               f"vanishes): {v.reason}", self.evidence(counterexample={name: str(r)},
                                                                       at_counterexample=v.as_dict()))
            if v.status != VERIFIED:
                return Verdict(INCONCLUSIVE, f"holds where {self.where} except at {name} = {r}, where it is "
                               f"undecided: {v.reason}", self.evidence(split_at=decided, off_the_roots=verdict.reason))
        shown = ", ".join(f"{name} = {r}" for r in points)
        return Verdict(VERIFIED, f"{verdict.reason}, off the isolated values {shown}; at each of them it holds "
                       "too (decided exactly at the value)", {**verdict.evidence, "split_at": decided})

    def specialise_exact(self, value, args):
        """The loss and the rule's arguments at ``name = value`` (rational or algebraic)."""
        subs = {self.P.symbols[0]: value}
        loss = self.loss

        def at(e):
            r = sympy.radsimp(sympy.expand(sympy.sympify(self.sym(e) if not isinstance(e, sympy.Basic) else e)
                                           .subs(subs)))
            if r.free_symbols or r.has(sympy.zoo, sympy.nan):
                raise _Undecided(f"{e} is not defined at {value}")
            return r
        pts = [[at(t) for t in loss.point(a)] if isinstance(a, (dict, list, tuple)) else None for a in args]
        numbers = [x for p in pts if p for x in p]
        special = compile_loss(loss.network, [[at(x) for x in r] for r in loss.X_sym],
                               [[at(y) for y in r] for r in loss.Y_sym], scale=loss.scale_sym,
                               extra_numbers=numbers)
        out = []
        for a, p in zip(args, pts):
            if p is not None:
                out.append(special.point(p))
            else:
                v = a if not isinstance(a, str) else self.P.number(a, "value")
                out.append(special.field(at(self.F(v) if not isinstance(v, sympy.Basic) else v)))
        return special, out

    def evidence(self, **extra) -> dict:
        return {"symbols": dict(self.P.conditions), **extra}

    # -- refutation at a rational value of the symbols ------------------------------------
    def refute(self, rule, theta, *others, why: str = "") -> Verdict:
        """Refuted at a sampled value where the ordinary kernel refutes; else inconclusive (``why``)."""
        from . import decide as exact
        check = getattr(exact, rule)
        values_tried = []
        for values in self.suspects[:3 * SAMPLES] + list(self.P.samples(SAMPLES)):
            if values in values_tried:
                continue
            values_tried.append(values)
            try:
                loss, args = self.specialise(values, theta, *others)
            except (ZeroDivisionError, ValueError, TypeError, FieldError):
                continue
            v = check(loss, *args)
            if v.status == REFUTED:
                at = ", ".join(f"{k} = {x}" for k, x in values.items())
                return Verdict(REFUTED, f"fails at {at} (in the region {self.where}): {v.reason}",
                               self.evidence(counterexample={k: str(x) for k, x in values.items()},
                                             at_counterexample=v.as_dict()))
        tried = ", ".join("(" + ", ".join(f"{k} = {x}" for k, x in vs.items()) + ")" for vs in values_tried)
        return Verdict(INCONCLUSIVE, f"{why}; no refutation at the values tried {tried}", self.evidence())

    def specialise(self, values, theta, *others):
        subs = {sympy.Symbol(k): sympy.Rational(x) for k, x in values.items()}

        def at(e):
            r = sympy.sympify(self.sym(e) if not isinstance(e, sympy.Basic) else e).subs(subs)
            if not r.is_Rational:
                raise ValueError(f"{r} is not a rational number")
            return r
        loss = self.loss
        special = compile_loss(loss.network, [[at(x) for x in r] for r in loss.X_sym],
                               [[at(y) for y in r] for r in loss.Y_sym], scale=loss.scale_sym)
        args = [special.point([at(t) for t in theta])]
        for o in others:
            args.append(special.point([at(t) for t in o]) if isinstance(o, list) else special.field(at(o)))
        return special, args

    # -- the Hessian's structure on the whole region ---------------------------------------
    def hessian_structure(self, theta) -> dict:
        """H PSD with constant rank on the region: {H, C, minors, rank, kernel}; _Undecided otherwise."""
        loss, F = self.loss, self.F
        n = len(theta)
        if n > MAX_PARAMETERS:
            raise _Undecided(f"{n} parameters: symbolic minors are computed up to {MAX_PARAMETERS}")
        H = loss.hessian(theta, raw=True)
        kernel, pivots = linalg.nullspace(H, F)
        for split in (False, True):        # minors of constant sign first; then signs off isolated roots
            cuts = len(self.cuts)
            C, shown, undecided = [], [], []
            for i in range(n):
                d = H.extract(C + [i], C + [i]).det()
                if not d:
                    continue
                what = f"the principal minor of H on {[loss.params[j] for j in C + [i]]} = {self.show(d)}"
                s, why = self.region_sign(self.sym(d)) if split else self.P.sign(self.sym(d))
                if s is None:                 # try the other indices: any C with positive leading minors will do
                    undecided.append(f"{what}: its sign is not constant where {self.where}: {why}")
                    self.suspects += self.P.between_roots(self.sym(d))
                    continue
                if s < 0:                     # H[C, C] PD and H[C + i, C + i] of negative determinant: indefinite
                    raise _Negative(f"{what} is negative where {self.where} while the smaller ones are positive: "
                                    "H is not PSD")
                C.append(i)
                shown.append({"minor": self.show(d), "why": why})
            if len(C) == len(pivots):
                break
            del self.cuts[cuts:]
        if len(C) != len(pivots):
            raise _Undecided(undecided[0] if undecided else
                             f"no principal submatrix of H of its rank {len(pivots)} in Q(symbols) was found")
        return {"H": H, "C": C, "minors": shown, "rank": len(C), "kernel": kernel}


class _Negative(_Undecided):
    """A principal minor that is negative on the whole region."""


def _between(walls, lo, lo_closed, hi, hi_closed) -> list:
    """One rational point in each open piece of the interval (lo, hi) cut at the
    isolating intervals ``walls`` (sorted, disjoint)."""
    edges = ([(lo, lo)] if lo is not None else []) + sorted(walls) + ([(hi, hi)] if hi is not None else [])
    points = []
    if lo is None:
        points.append((walls[0][0] - 1) if walls else sympy.Integer(0))
    for (a, right), (left, b) in zip(edges, edges[1:]):
        if right < left:
            points.append((right + left) / 2)
        elif not (right == left and (a == right or left == b)):    # only a rational root on a region end
            raise ValueError("isolating intervals overlap")         # is allowed to leave no piece
    if hi is None and walls:
        points.append(walls[-1][1] + 1)
    return [sympy.Rational(x) for x in points]


def _critical(pr: _Problem, theta) -> Verdict | None:
    g = pr.loss.gradient(theta, raw=True)
    if any(g):
        return pr.refute("critical_point", theta, why="the gradient is not identically zero in Q(symbols)")
    return None


# -- the rules ------------------------------------------------------------------------------

def _loss_value(pr: _Problem, theta, value) -> Verdict:
    if not pr.F.domain.of_type(value):
        value = pr.F(pr.P.number(value, "value"))
    theta = pr.inputs(theta, value=[value])
    L = pr.loss.value(theta, raw=True)
    ev = pr.evidence(loss=pr.show(L), claimed=pr.show(value))
    if L == value:
        return Verdict(VERIFIED, f"L(point) = {pr.show(L)} identically in Q({', '.join(pr.P.names)}): for every "
                                 f"value where {pr.where}", ev)
    return pr.refute("loss_value", theta, value, why=f"L(point) = {pr.show(L)} is not {pr.show(value)} identically")


def _critical_point(pr: _Problem, theta) -> Verdict:
    theta = pr.inputs(theta)
    refuted = _critical(pr, theta)
    if refuted is not None:
        return refuted
    return Verdict(VERIFIED, f"the gradient is zero identically in Q({', '.join(pr.P.names)}): for every value "
                             f"where {pr.where}", pr.evidence(gradient="0 (every entry, as a rational function)"))


def _psd(pr: _Problem, theta, rule: str):
    try:
        return pr.hessian_structure(theta), None
    except _Undecided as exc:
        return None, pr.refute(rule, theta, why=str(exc))


def _hessian_psd(pr: _Problem, theta) -> Verdict:
    theta = pr.inputs(theta)
    st, failed = _psd(pr, theta, "hessian_psd")
    if failed is not None:
        return failed
    return Verdict(VERIFIED, f"H is PSD with rank {st['rank']} for every value where {pr.where} (leading minors "
                             "of H[C, C] positive, Schur complement zero in Q(symbols))",
                   pr.evidence(C=[pr.loss.params[i] for i in st["C"]], minors=st["minors"]))


def _minimum(pr: _Problem, theta, rule: str) -> Verdict:
    theta = pr.inputs(theta)
    refuted = _critical(pr, theta)
    if refuted is not None:
        return refuted
    loss, F = pr.loss, pr.F
    if not loss.value(theta, raw=True) and rule == "local_minimum":
        return Verdict(VERIFIED, "L(point) = 0 identically: the global minimum value of a squared loss",
                       pr.evidence(loss="0"))
    st, failed = _psd(pr, theta, rule)
    if failed is not None:
        return failed
    ev = pr.evidence(loss=pr.show(loss.value(theta, raw=True)), C=[loss.params[i] for i in st["C"]], minors=st["minors"])
    m = len(theta) - st["rank"]
    if m == 0:
        return Verdict(VERIFIED, f"critical identically and H positive definite for every value where {pr.where} "
                                 "(leading principal minors positive: Sturm / positive-coefficient certificates)",
                       ev)
    if rule == "strict_local_minimum":
        return pr.refute(rule, theta, why=f"H is singular (rank {st['rank']} of {len(theta)}) on the region")
    tangents: list = []
    try:
        family = critical_family(loss, theta, st["H"], st["kernel"], _group_curves(loss, theta), tangents)
    except FieldError as exc:
        family = None
        st["why_no_family"] = f"{type(exc).__name__}: {exc}"
    if family is None:
        return pr.refute(rule, theta, why=f"H is PSD with a {m}-dimensional kernel on the region, but no family "
                                           "of critical points with that tangent space was proven"
                         + (f" ({st['why_no_family']})" if "why_no_family" in st else ""))
    pr.defined({"the family's tangents": [x for t in tangents for x in t]})
    T = linalg.matrix([[t[i] for t in tangents] for i in range(len(theta))], F)
    _, rows = linalg.rref(T.transpose())
    if len(rows) != m:
        return Verdict(INCONCLUSIVE, "the family's tangents are dependent in Q(symbols)", ev)
    d = T.extract(list(rows), list(range(m))).det()
    s, why = pr.sign(d, f"the tangent minor on {[loss.params[i] for i in rows]} = {pr.show(d)}")
    ev.update(family=family, tangent_minor={"rows": [loss.params[i] for i in rows], "minor": pr.show(d), "why": why})
    return Verdict(VERIFIED, f"local minimum for every value where {pr.where}: critical identically, H PSD with "
                             f"rank {st['rank']} (leading minors positive), and a {m}-dimensional family of critical "
                             "points proven by an identity in (family variables, symbols) whose tangents (a minor "
                             "of constant sign) span ker H: Morse-Bott", ev)


def _group_curves(loss, theta) -> list:
    from .symmetry import candidate_curves
    try:
        return [c for c in candidate_curves(loss, theta) if c.group_action]
    except FieldError:
        return []


def _local_minimum(pr, theta):
    return _minimum(pr, theta, "local_minimum")


def _strict_local_minimum(pr, theta):
    return _minimum(pr, theta, "strict_local_minimum")


def _saddle(pr: _Problem, theta) -> Verdict:
    theta = pr.inputs(theta)
    refuted = _critical(pr, theta)
    if refuted is not None:
        return refuted
    H, F, n = pr.loss.hessian(theta, raw=True), pr.F, len(theta)
    found = {}
    for i in range(n):
        for j in range(i, n):
            for sgn in ((1,) if i == j else (1, -1)):
                v = [F.zero] * n
                v[i] = F.one
                v[j] = v[j] + F(sgn)
                q = linalg.quad(H, v, F)
                s, why = pr.P.sign(pr.sym(q))
                if s and s not in found:
                    found[s] = ({pr.loss.params[k]: str(pr.sym(x)) for k, x in enumerate(v) if x}, pr.show(q), why)
        if len(found) == 2:
            ev = pr.evidence(descent={"direction": found[-1][0], "vHv": found[-1][1], "why": found[-1][2]},
                             ascent={"direction": found[1][0], "vHv": found[1][1], "why": found[1][2]})
            return Verdict(VERIFIED, f"critical identically, and v^T H v < 0 < w^T H w for every value where "
                                     f"{pr.where}: a saddle", ev)
    return pr.refute("saddle", theta, why="no directions of negative and positive curvature proven on the region")


def _not_global(pr: _Problem, theta, better) -> Verdict:
    theta = pr.inputs(theta)
    better = pr.loss.point(better)
    pr.defined({"better": better})
    L0, L1 = pr.loss.value(theta, raw=True), pr.loss.value(better, raw=True)
    ev = pr.evidence(loss=pr.show(L0), loss_at_better=pr.show(L1))
    s, why = pr.P.sign(pr.sym(L0 - L1))
    pr.suspects += pr.P.between_roots(pr.sym(L0 - L1))
    if s == 1:
        return Verdict(VERIFIED, f"L(point) - L(better) = {pr.show(L0 - L1)} > 0 for every value where {pr.where}",
                       dict(ev, why=why))
    return pr.refute("not_global", theta, better, why=f"L(point) - L(better) = {pr.show(L0 - L1)}: {why}")


def _spurious(pr: _Problem, theta, better) -> Verdict:
    return conjunction(_local_minimum(pr, theta), _not_global(pr, theta, better))


_RULES = {"loss_value": _loss_value, "critical_point": _critical_point, "hessian_psd": _hessian_psd,
          "local_minimum": _local_minimum, "strict_local_minimum": _strict_local_minimum, "saddle": _saddle,
          "not_global": _not_global, "spurious_local_minimum": _spurious}


SYMBOLIC[0] = decide_parametric      # every @loss_rule sends a loss with symbols here
