"""Signs of homogeneous forms on R^m minus the origin, exactly or rigorously.

A form is a dict ``{exponents: coefficient}`` with coefficients in a
:class:`~losscert.fields.Field`. For m = 1 the sign is the coefficient's;
for m = 2 with rational coefficients, q(1, s) is decided by exact real-root
isolation (SymPy's Sturm-based ``Poly.intervals``); otherwise an exact
rational interval branch-and-bound runs over the faces c_i = 1 of the cube
(enough for a form of even degree, which is even under c -> -c).

>>> from sympy import QQ
>>> from losscert.fields import Field
>>> F = Field(QQ)
>>> positivity({(4, 0): F(1), (0, 4): F(1)}, 2, F)[0]
'positive'
>>> positivity({(2, 2): F(1), (4, 0): F(-1)}, 2, F)[0]
'negative'
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import sympy

from ..fields import Field


def evaluate(form: dict, point, F: Field):
    """The form {monomial: coefficient} at a point, exactly."""
    total = F.zero
    for exps, c in form.items():
        term = c
        for x, e in zip(point, exps):
            for _ in range(e):
                term = term * x
        total += term
    return total


def nonzero_point(form: dict, m: int, F: Field):
    """A small integer point where the (nonzero) form does not vanish."""
    degree = max((sum(e) for e in form), default=0)
    for radius in range(1, degree + 2):
        for pt in itertools.product(range(-radius, radius + 1), repeat=m):
            if any(pt):
                val = evaluate(form, [F(x) for x in pt], F)
                if val:
                    return [F(x) for x in pt], val
    return None


def positivity(form: dict, m: int, F: Field, max_boxes: int = 20000):
    """('positive', evidence) | ('negative', point) | ('undecided', reason)
    for a form of even degree on R^m minus 0."""
    form = {e: c for e, c in form.items() if c}
    if not form:
        return "undecided", "the form vanishes identically on the kernel"
    if m == 1:
        (c,) = form.values()
        s = F.sign(c)
        return ("positive", {"coefficient": F.show(c)}) if s > 0 else ("negative", [F.one])
    if m == 2 and F.is_rational:
        return _bivariate(form, F)
    return _branch_and_bound(form, m, F, max_boxes)


def _bivariate(form, F):
    s = sympy.Symbol("s")
    deg = max(sum(e) for e in form)
    lead = form.get((0, deg), F.zero)
    if F.sign(lead) < 0:
        return "negative", [F.zero, F.one]
    p = sympy.Poly(sum(F.to_sympy(c) * s ** e[1] for e, c in form.items()), s, domain="QQ")
    roots = p.intervals()
    samples = [sympy.Integer(0)] if not roots else []
    bounds = [iv for iv, _ in roots]
    for i, (a, b) in enumerate(bounds):
        if i == 0:
            samples.append(a - 1)
        if i + 1 < len(bounds):
            samples.append((b + bounds[i + 1][0]) / 2)
        else:
            samples.append(b + 1)
    for x in samples:
        if p.eval(x) < 0:
            return "negative", [F.one, F(x)]
    if roots or not lead:
        return "undecided", "the form is >= 0 on the kernel but has real zeros (order four cannot decide)"
    return "positive", {"method": "exact real-root isolation of q(1, s)", "real roots": 0}


def _frac_interval(F: Field, c):
    if F.is_rational:
        r = F.to_sympy(c)
        q = Fraction(int(r.p), int(r.q))
        return q, q
    bounds = getattr(F, "bounds", None)          # exact rational bounds when the field has them (ExpField)
    if bounds is not None:
        return bounds(c, 128)
    box = F.enclosure(c, 128)
    return _mpf_frac(box.a), _mpf_frac(box.b)


def _mpf_frac(x) -> Fraction:
    raw = x._mpi_[0] if hasattr(x, "_mpi_") else x._mpf_
    man, exp = mpmath.mpf(raw).man_exp
    return Fraction(man) * (Fraction(2) ** exp)


def _ipow(lo, hi, e):
    if e == 0:
        return Fraction(1), Fraction(1)
    a, b = lo ** e, hi ** e
    if e % 2 == 1:
        return a, b
    if lo >= 0:
        return a, b
    if hi <= 0:
        return b, a
    return Fraction(0), max(a, b)


def _imul(x, y):
    ps = [x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1]]
    return min(ps), max(ps)


def _branch_and_bound(form, m, F, max_boxes, signs=(1,)):
    """Sign of the form on the faces c_i = s (s in ``signs``) of the cube [-1, 1]^m."""
    coeffs = {e: _frac_interval(F, c) for e, c in form.items()}
    boxes = []
    for sign in signs:
        for i in range(m):
            boxes.append([(Fraction(sign), Fraction(sign)) if j == i else (Fraction(-1), Fraction(1))
                          for j in range(m)])
    done = 0
    while boxes:
        box = boxes.pop()
        done += 1
        if done > max_boxes:
            return "undecided", f"branch-and-bound stopped after {max_boxes} boxes"
        lo = Fraction(0)
        for e, c in coeffs.items():
            term = c
            for (a, b), k in zip(box, e):
                term = _imul(term, _ipow(a, b, k))
            lo += term[0]
        if lo > 0:
            continue
        center = [(a + b) / 2 for a, b in box]
        pt = [F(sympy.Rational(x.numerator, x.denominator)) for x in center]
        if F.sign(evaluate(form, pt, F)) < 0:
            return "negative", pt
        widths = [b - a for a, b in box]
        k = max(range(m), key=lambda j: widths[j])
        if widths[k] < Fraction(1, 2 ** 40):
            return "undecided", "the form has (near-)zeros on the kernel"
        a, b = box[k]
        mid = (a + b) / 2
        boxes.append(box[:k] + [(a, mid)] + box[k + 1:])
        boxes.append(box[:k] + [(mid, b)] + box[k + 1:])
    return "positive", {"method": "exact rational interval branch-and-bound on the cube faces", "boxes": done}


# -- weighted-homogeneous (quasi-homogeneous) principal parts -------------------

def weighted_degree(exps, weights) -> int:
    """The weighted degree sum w_i e_i of a monomial."""
    return sum(e * w for e, w in zip(exps, weights))


def principal_part(jet: dict, weights, known_degree: int):
    """(d, part): the terms of lowest weighted degree d of a function whose
    Taylor terms of total degree <= ``known_degree`` are ``jet`` (exactly), or
    None when terms of unknown degree could still have weighted degree <= d.

    >>> principal_part({(4, 0): 1, (0, 6): 1, (2, 4): 5}, (3, 2), 6)
    (12, {(4, 0): 1, (0, 6): 1})
    >>> principal_part({(4, 0): 1, (0, 6): 1}, (3, 2), 5) is None
    True
    """
    jet = {e: c for e, c in jet.items() if c}
    if not jet:
        return None
    d = min(weighted_degree(e, weights) for e in jet)
    if d >= min(weights) * (known_degree + 1):
        return None
    return d, {e: c for e, c in jet.items() if weighted_degree(e, weights) == d}


def weighted_sign(part: dict, m: int, F: Field, weights, max_boxes: int = 4000):
    """('positive', evidence) | ('negative', point) | ('undecided', reason) for
    a quasi-homogeneous polynomial p (p(l^w c) = l^d p(c)) on R^m minus 0.
    Every point c != 0 is l^w c' with c' on the boundary of [-1, 1]^m, so the
    sign on the 2m faces c_i = +-1 decides; homogeneous forms of even degree
    (w = 1) are even, and the faces c_i = +1 suffice (:func:`positivity`).

    >>> from sympy import QQ
    >>> F = Field(QQ)
    >>> weighted_sign({(4, 0): F(1), (0, 6): F(1)}, 2, F, (3, 2))[0]
    'positive'
    >>> weighted_sign({(0, 4): F(1), (3, 2): F(-3), (6, 0): F(2)}, 2, F, (2, 3))[0]
    'negative'
    """
    part = {e: c for e, c in part.items() if c}
    degree = weighted_degree(next(iter(part)), weights) if part else 0
    if all(w == 1 for w in weights) and degree % 2 == 0:
        return positivity(part, m, F, max_boxes)
    return sign_on_faces(part, m, F, max_boxes)


def sign_on_faces(form: dict, m: int, F: Field, max_boxes: int = 2000):
    """('positive', evidence) | ('negative', point) | ('undecided', reason): the
    sign of any polynomial on the 2m faces c_i = +-1 of the cube [-1, 1]^m."""
    form = {e: c for e, c in form.items() if c}
    if not form:
        return "undecided", "the polynomial vanishes"
    return _branch_and_bound(form, m, F, max_boxes, signs=(1, -1))


def candidate_weights(m: int) -> list[tuple[int, ...]]:
    """Weight vectors tried for principal parts: (1, ..., 1) first, then small
    positive integer vectors with gcd 1 (fewer as m grows; none beyond m = 5).

    >>> candidate_weights(2)[:4]
    [(1, 1), (1, 2), (2, 1), (1, 3)]
    """
    from math import gcd
    bound = {1: 1, 2: 6, 3: 3, 4: 2, 5: 2}.get(m, 1)
    out = [w for w in itertools.product(range(1, bound + 1), repeat=m)
           if _gcd_all(w, gcd) == 1 and any(x != 1 for x in w)]
    out.sort(key=lambda w: (sum(w), w))
    return [tuple([1] * m)] + out


def newton_weights(jet: dict) -> list[tuple[int, int]]:
    """For two variables: the weights (w1, w2) making two monomials of the jet
    equally heavy (the normals of the Newton polygon's possible edges).

    >>> newton_weights({(4, 0): 1, (0, 14): 1})
    [(7, 2)]
    """
    from math import gcd
    exps = sorted(e for e, c in jet.items() if c)
    out = set()
    for i, a in enumerate(exps):
        for b in exps[i + 1:]:
            d1, d2 = a[0] - b[0], a[1] - b[1]
            if d1 * d2 < 0:
                w = (abs(d2), abs(d1))
                g = gcd(*w)
                out.add((w[0] // g, w[1] // g))
    return sorted(out, key=lambda w: (sum(w), w))


def _gcd_all(w, gcd):
    g = 0
    for x in w:
        g = gcd(g, x)
    return g
