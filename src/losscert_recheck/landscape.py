"""``paths_to_global_minimum`` (docs/rules.md, "Landscape statements"): everything recomputed from the
statement in one exact ring of the symbols and t. ``landscape_paths`` (verified): denominators free of t and
non-zero on the region, continuity, each segment's method (constant, affine with L'(1) <= 0, derivative <= 0
after t = tau/(1 + tau)), outputs orthogonal to every matrix for all parameters, end loss = L*.
``landscape_counterexample`` (refuted): symbol values in the region where segments do not join or L rises."""
from __future__ import annotations

from fractions import Fraction
from functools import reduce

from flint import fmpq

from .checks import _names, check, determinant, expect, in_region, outputs
from .exact import Element, NotCovered, is_zero
from .network import Loss, Network

T = "t"
FRESH = "_theta{}_"       # the parameters as free variables (orthogonality for all parameters)

class _Read:
    """The statement's texts read in one ring: symbols, t and the free parameters."""
    def __init__(self, st, extra=()):
        segs, orth, gen = st.get("segments"), st.get("orthogonal") or [], st.get("generic") or []
        expect(T not in _names(st) and not any(n.startswith("_theta") for n in _names(st)),
               "symbols: t and _theta names are reserved")
        expect(isinstance(segs, list) and segs and all(isinstance(x, dict) for x in segs + [st.get("start")])
               and isinstance(orth, list) and isinstance(gen, list), "start, segments, orthogonal, generic: malformed")
        net_texts = [str(v) for x in segs for v in x.values()] + [str(g) for g in gen]
        orth = [[[str(x) for x in r] for r in A] if isinstance(A, list) else None for A in orth]
        expect(all(A and all(isinstance(r, list) for r in A) for A in orth), "orthogonal: matrices")
        fresh = [FRESH.format(i) for i in range(len(Network(st.get("network")).parameters))]
        texts = [T, *net_texts, *(x for A in orth for r in A for x in r), *fresh, *extra]
        self.loss = loss = Loss({**st, "segments": None}, texts, ("start",), {T, *fresh}, denominators=False)
        r = loss.reader
        consts = list(loss.fixed.values()) + [c for _, cs in loss.acts.values() if isinstance(cs, list) for c in cs]
        if r.primes or r.atoms or any(c.rational() is None for c in consts):
            raise NotCovered("square roots, transcendental numbers or symbols in fixed weights or activations")
        self.ring, self.t = r.ring, r.symbols[T]
        self.start = loss.point("start")
        self.segments = [loss.point(f"segments[{k}]", x) for k, x in enumerate(segs, 1)]
        self.free = [self.ring.gen(r.symbols[f]) for f in fresh]
        self.generic = [loss.value(str(g)) for g in gen]
        expect(all(g.den.is_constant() and not is_zero(g) and g.num.degrees()[self.t] <= 0 for g in self.generic),
               "generic: non-zero polynomials in the symbols")
        shape = (len(loss.net.outputs), loss.samples)
        expect(all(len(A) == shape[0] and all(len(x) == shape[1] for x in A) for A in orth), "orthogonal: shape")
        self.orthogonal = [[[loss.value(x) for x in row] for row in A] for A in orth]
        self.factors = [f / f.leading_coefficient() for g in self.generic for f, _ in g.num.factor()[1]]
        fixed = [x for r in loss.X + loss.Y for x in r] + self.start
        self.data = fixed + [x for th in self.segments for x in th]
        expect(all(x.num.degrees()[self.t] <= 0 for x in fixed + [x for A in self.orthogonal for r in A for x in r]) and
               all(x.den.degrees()[self.t] <= 0 for x in self.data), "t appears outside the segments' numerators")

    def at(self, x, v):
        """x at t = v (denominators are free of t)."""
        return Element(self.ring, x.num.subs({f"s{self.t}": fmpq(v)}), x.den)

    def loss_of(self, F):
        L = self.loss
        return L.scale * sum(((f - y) ** 2 for fr, yr in zip(F, L.Y) for f, y in zip(fr, yr)), L.reader.const(0))

    def nonzero(self, p, what):
        """Every irreducible factor of the polynomial p is a factor of a generic polynomial or of strict sign."""
        expect(p != 0, f"{what}: zero")
        fs = [f / f.leading_coefficient() for f, _ in p.factor()[1]]
        for f in (f for f in fs if f not in self.factors and self.ring.polynomial_sign(f) not in (1, -1)):
            raise NotCovered(f"{what}: the factor {f} needs the kernel's Sturm or Polya sign, not checked here")
        return fs

def _odd_part(p):
    c, fs = p.factor()
    return reduce(lambda a, fk: a * fk[0] ** (fk[1] % 2), fs, p.context().from_dict({}) + c)

def _at_most_zero(x, rd, what, homogenize=False):
    """x <= 0 on the region: the sign of num * (odd part of den); with ``homogenize`` for t in [0, 1), after
    t = tau / (1 + tau) times (1 + tau)^m (tau >= 0 as a positive variable)."""
    p = x.num * _odd_part(x.den)
    if homogenize and p != 0:
        ti, ctx = rd.t, p.context()
        m = p.degrees()[ti]
        tt = ctx.gens()[ti]
        p = sum((ctx.from_dict({e: c}) * (1 + tt) ** (m - e[ti]) for e, c in p.to_dict().items()), ctx.from_dict({}))
    old = dict(rd.ring.signs)
    rd.ring.signs[rd.t] = 1
    try:
        s = rd.ring.polynomial_sign(p) if p != 0 else 0
    finally:
        rd.ring.signs = old
    expect(s != 1, f"{what}: positive on the region")
    if s is None:
        raise NotCovered(f"{what}: its sign needs the kernel's Sturm/Polya machinery, not checked here")

def _leaves(x):
    """The texts of a certificate field (nested lists and tables; the explanations ``why`` and ``D`` aside)."""
    if isinstance(x, dict):
        return [t for k, v in x.items() if k not in ("why", "D") for t in _leaves(v)]
    return [t for v in x for t in _leaves(v)] if isinstance(x, list) else [str(x)]

def _same(rd, texts, values, what):
    """Texts of the certificate (a list, or a table parameter -> text) that must be the statement's values."""
    if isinstance(texts, dict):
        expect(set(texts) == set(rd.loss.net.parameters), f"{what}: one entry per parameter")
        texts = [texts[p] for p in rd.loss.net.parameters]
    expect(isinstance(texts, list) and len(texts) == len(values) and
           all(is_zero(rd.loss.value(str(a)) - b) for a, b in zip(texts, values)), f"{what}: not the statement's")

@check("landscape_paths", ["paths_to_global_minimum"],
       ["symbols", "generic", "start", "denominator", "segments", "lower_bound"])
def _paths(st, verdict, cert):
    expect(verdict == "verified", "a landscape_paths certificate proves the statement")
    lb, segs, den = cert.get("lower_bound"), cert.get("segments"), cert.get("denominator")
    expect(isinstance(lb, dict) and set(lb) == {"orthogonal", "value", "why"} and isinstance(den, dict)
           and set(den) == {"D", "factors"}
           and isinstance(segs, list) and all(isinstance(s, dict) and set(s) == {"map", "method", "why"} for s in segs),
           "lower_bound, denominator, segments: malformed")
    rd = _Read(st, _leaves([cert.get(k) for k in ("generic", "start", "denominator", "lower_bound")] +
                           [x.get("map") for x in segs]))
    expect(cert.get("symbols") == (st.get("symbols") or {}), "symbols: not the statement's")
    _same(rd, cert.get("generic"), rd.generic, "generic")
    _same(rd, cert.get("start"), rd.start, "start")
    expect(len(segs) == len(rd.segments), "segments: not the statement's")
    for k, (s, theta) in enumerate(zip(segs, rd.segments), 1):
        _same(rd, s["map"], theta, f"segments[{k}].map")
    orth = lb["orthogonal"]
    expect(isinstance(orth, list) and len(orth) == len(rd.orthogonal), "lower_bound.orthogonal: not the statement's")
    _same(rd, [x for A in orth for r in (A if isinstance(A, list) else [None]) for x in (r or [None])],
          [x for A in rd.orthogonal for r in A for x in r], "lower_bound.orthogonal")
    found = []
    for x in rd.data:
        found += [f for f in rd.nonzero(x.den, "a denominator") if f not in found and not f.is_constant()]
    for A in rd.orthogonal:
        [rd.nonzero(x.den, "a denominator of an orthogonal matrix") for r in A for x in r]
    given = den.get("factors")
    expect(isinstance(given, list) and all(isinstance(f, dict) and set(f) == {"factor", "why"} for f in given),
           "denominator.factors: malformed")
    given = [rd.loss.value(str(f["factor"])) for f in given]
    expect(all(g.den.is_constant() and not is_zero(g) for g in given), "denominator.factors: polynomials")
    given = [g.num / g.num.leading_coefficient() for g in given]
    expect(len(given) == len(found) and all(f in given for f in found), "denominator.factors: not those of D")
    for k, theta in enumerate(rd.segments):
        before = rd.start if k == 0 else [rd.at(x, 1) for x in rd.segments[k - 1]]
        expect(all(is_zero(rd.at(b, 0) - a) for a, b in zip(before, theta)), f"segment {k + 1}: a gap")
        _monotone(rd, outputs(rd.loss, theta), segs[k]["method"], f"segment {k + 1}")
    _lower_bound(rd, [rd.at(x, 1) for x in rd.segments[-1]], rd.loss.value(str(lb["value"])))

def _monotone(rd, F, method, what):
    L = rd.loss_of(F)
    if method == "constant":
        expect(L.num.degrees()[rd.t] <= 0, f"{what}: L depends on t")
    elif method == "affine":
        expect(max(f.num.degrees()[rd.t] for r in F for f in r) <= 1, f"{what}: outputs not affine in t")
        E = sum(((rd.at(f, 1) - y) * (rd.at(f, 1) - rd.at(f, 0)) for fr, yr in zip(F, rd.loss.Y)
                 for f, y in zip(fr, yr)), rd.loss.reader.const(Fraction(0)))
        _at_most_zero(E, rd, f"{what}: <F(1) - Y, F(1) - F(0)>")
    else:
        expect(method == "derivative", f"{what}: method {method!r} is not constant, affine or derivative")
        dL = Element(rd.ring, L.num.derivative(f"s{rd.t}"), L.den)
        _at_most_zero(dL, rd, f"{what}: dL/dt", homogenize=True)

def _lower_bound(rd, end, value):
    """<A_i, F(theta)> = 0 for all theta; L* = scale b^T G^-1 b (det G non-zero on the region) = L(end)."""
    F = outputs(rd.loss, rd.free)
    zero = rd.loss.reader.const(Fraction(0))

    def dot(A, B):
        return sum((a * b for ra, rb in zip(A, B) for a, b in zip(ra, rb)), zero)
    expect(all(is_zero(dot(A, F)) for A in rd.orthogonal), "orthogonal: <A, F(theta)> is not identically zero")
    G = [[dot(A, B) for B in rd.orthogonal] for A in rd.orthogonal]
    b = [dot(A, rd.loss.Y) for A in rd.orthogonal]
    d = determinant(G, rd.loss.reader)
    rd.nonzero(d.num, "the Gram determinant")
    bordered = [row + [bi] for row, bi in zip(G, b)] + [b + [zero]]      # its det is -det(G) b^T G^-1 b
    star = -determinant(bordered, rd.loss.reader) / d * rd.loss.scale
    expect(is_zero(star - value), "lower_bound.value: not scale * b^T G^-1 b")
    expect(is_zero(rd.loss_of(outputs(rd.loss, end)) - star), "the end's loss is not L*")

@check("landscape_counterexample", ["paths_to_global_minimum"], ["at", "segment", "parameter", "t"])
def _counter(st, verdict, cert):
    """At rational symbol values in the region: segment k does not start where the previous one ends
    (``parameter``), or L(t1) < L(t2) along it (``t`` = [t1, t2], 0 <= t1 < t2 <= 1)."""
    expect(verdict == "refuted", "values in the region only refute")
    at = cert.get("at")
    in_region(st.get("symbols"), at)
    rd = _Read(st, [str(v) for v in at.values()])
    r = rd.loss.reader
    sub = {r.symbols[k]: r.value(str(v)) for k, v in at.items() if k in r.symbols}
    expect(all(not is_zero(Element(rd.ring, g, rd.ring.one).substitute(sub)) for g in
               [g.num for g in rd.generic] + [x.den for x in rd.data]), "at: a generic polynomial or denominator is 0")
    k = cert.get("segment")
    expect(isinstance(k, int) and 1 <= k <= len(rd.segments) and ("parameter" in cert) != ("t" in cert),
           "segment, and parameter or t")
    if "parameter" in cert:
        i = rd.loss.net.index.get(cert["parameter"])
        expect(i is not None, "parameter: not a parameter of the network")
        a = rd.start[i] if k == 1 else rd.at(rd.segments[k - 2][i], 1)
        expect(not is_zero(a.substitute(sub) - rd.at(rd.segments[k - 1][i], 0).substitute(sub)),
               "the segments join at those values")
        return
    ts = cert["t"]
    expect(isinstance(ts, list) and len(ts) == 2, "t: [t1, t2]")
    t1, t2 = (Fraction(str(x)) for x in ts)
    expect(0 <= t1 < t2 <= 1, "t: 0 <= t1 < t2 <= 1")
    L = rd.loss_of(outputs(rd.loss, rd.segments[k - 1]))
    v1, v2 = (L.substitute({**sub, rd.t: r.const(x)}).rational() for x in (t1, t2))
    expect(v1 is not None and v2 is not None and v1 < v2, "the loss does not rise from t1 to t2")
