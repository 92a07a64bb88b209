"""Mutation tests: random corruptions of certificates are rejected by the rechecker, unless the corrupted
certificate still proves the same statement, which is then checked here independently (with SymPy and
losscert's own loss, not with the rechecker)."""
from __future__ import annotations

import copy
import random

import pytest
import sympy

from losscert import statements
from losscert_recheck.__main__ import outcome

MUTATIONS = 1200
NET = {"inputs": ["x1", "x2"], "outputs": ["y1", "y2"], "edges": ["x1 -> h", "x2 -> h", "h -> y1", "h -> y2"]}
DATA = {"X": [["1", "0"], ["0", "1"]], "Y": [["1", "0"], ["0", "4"]]}
POINT = {"x1 -> h": "0", "x2 -> h": "2", "h -> y1": "0", "h -> y2": "2"}
SCALAR = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
RECORDS = [
    {"kind": "identity", "lhs": [["(a + b)**2", "a*b"]], "rhs": [["a**2 + 2*a*b + b**2", "b*a"]]},
    {"kind": "identity", "lhs": "x**3 - 1", "rhs": "(x - 1)*(x**2 + x + 2)"},
    {"kind": "rank", "matrix": [["1", "2", "3"], ["2", "4", "6"], ["1", "0", "1"]], "claimed": 2},
    {"kind": "rank", "matrix": [["a", "b", "a + b"], ["c", "d", "c + d"]], "claimed": 2},
    {"kind": "rank", "matrix": [["1", "sqrt(2)"], ["sqrt(2)", "2"]], "claimed": 2},
    {"kind": "determinant", "matrix": [["a", "b"], ["c", "d"]], "claimed": "a*d - b*c"},
    {"kind": "inequality", "lhs": "x**2 + y**2", "rhs": "2*x*y", "certificate": [["1", "x - y"]]},
    {"kind": "inequality", "lhs": "tanh(1)", "rhs": "3/4"},
    {"kind": "inequality", "lhs": "x**2", "rhs": "x", "counterexample": {"x": "1/2"}},
    {"kind": "loss_value", "network": NET, "data": DATA, "point": POINT, "value": "1/2"},
    {"kind": "critical_point", "network": NET, "data": DATA, "point": POINT},
    {"kind": "critical_point", "network": NET, "data": DATA, "point": {**POINT, "x1 -> h": "1"}},
    {"kind": "local_minimum", "network": NET, "data": DATA, "point": POINT},
    {"kind": "strict_local_minimum", "network": NET, "data": DATA, "point": POINT},
    {"kind": "not_global", "network": NET, "data": DATA, "point": {**POINT, "h -> y2": "1"}, "better": POINT},
    {"kind": "saddle", "network": SCALAR, "data": {"X": [["1"]], "Y": [["1"]]},
     "point": {"x -> h": "0", "h -> y": "0"}},
    {"kind": "hessian_psd", "network": NET, "data": DATA, "point": {**POINT, "h -> y1": "1"}},
    {"kind": "strict_local_minimum", "network": {**NET, "activation": "poly(0, 1, 1)"}, "data": DATA,
     "point": {"x1 -> h": "1", "x2 -> h": "2", "h -> y1": "1", "h -> y2": "-1"}},
    {"kind": "strict_local_minimum", "network": {**SCALAR, "activation": "poly(0, 0, 1)"},
     "data": {"X": [["1"]], "Y": [["-1"]]}, "point": {"x -> h": "0", "h -> y": "1"}},
    {"kind": "arithmetic_derivatives", "activation": "tanh", "n": 3},
    {"kind": "narrow_basin_conditions", "activation": "poly(0, 1, 1)", "x": ["1", "2", "3"], "ws": ["1"], "w0": "2"},
    {"kind": "local_minimum_near", "network": {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"],
                                               "activation": "tanh", "fixed": {"h -> y": "2"}},
     "data": {"X": [["1"]], "Y": [["1"]]}, "point": {"x -> h": "1/2"}, "radius": "1/10"},
    {"kind": "arithmetic_derivatives", "activation": "poly(0, 1, 0, 1)", "n": 3},
    {"kind": "activation_rank", "activation": "tanh", "W": [["1"], ["3"]], "X": [["1", "2"]], "claimed": 2},
    {"kind": "vandermonde_full_rank", "activation": "tanh", "samples": ["1", "-1", "2"], "start": 1, "step": 2},
    {"kind": "lds_assumption1", "network": NET, "X": [["1", "2"], ["2", "1"]]},
    {"kind": "effective", "network": NET},
    {"kind": "non_increasing", "network": NET, "data": DATA,
     "path": [POINT, {"x1 -> h": "0", "x2 -> h": "0", "h -> y1": "0", "h -> y2": "1/10"}], "b": "1"},
]


def _item(record):
    v = statements.verdict_dict(statements.decide(record))
    return {"statement": record, "verdict": v["verdict"], "certificate": v.get("certificate")}


@pytest.fixture(scope="module")
def items():
    out = [_item(r) for r in RECORDS]
    missing = [i["statement"]["kind"] for i in out if i["certificate"] is None]
    assert not missing, f"no certificate for {missing}"
    assert all(outcome(i)[0] == "rechecked" for i in out), [outcome(i) for i in out]
    return out


# -- corruptions ----------------------------------------------------------------------------------------

def _paths(value, path=()):
    """Every (path, leaf-or-container) of a JSON value."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def _names(item):
    st = item["statement"]
    net = st.get("network") or {}
    edges = list(net.get("edges", []))
    return edges + [n for e in edges for n in e.split(" -> ")] + ["a", "b", "x"]


def corrupt(item, rng):
    """(description, corrupted certificate), or None when the drawn corruption does not apply."""
    cert = copy.deepcopy(item["certificate"])
    places = [(p, v) for p, v in _paths(cert) if p and p != ("kind",)]
    if not places:
        return None
    path, value = rng.choice(places)
    op = rng.choice(["number", "drop", "sign", "name"])
    if op == "number" and isinstance(value, (int, str)) and not isinstance(value, bool):
        if isinstance(value, int):
            new = value + rng.choice([-1, 1, 2])
        else:
            new = rng.choice([f"({value}) + 1", f"2*({value})", "0", "1", f"({value})/3"])
        _set(cert, path, new)
    elif op == "drop" and isinstance(value, list) and value:
        value.pop(rng.randrange(len(value)))
    elif op == "drop" and isinstance(value, dict) and value:
        value.pop(rng.choice(sorted(value)))
    elif op == "sign" and isinstance(value, str):
        _set(cert, path, f"-({value})")
    elif op == "sign" and isinstance(value, int) and not isinstance(value, bool):
        _set(cert, path, -value)
    elif op == "name" and isinstance(value, dict) and len(value) >= 2:
        a, b = rng.sample(sorted(value), 2)
        value[a], value[b] = value[b], value[a]
    elif op == "name" and isinstance(value, str):
        _set(cert, path, rng.choice(_names(item)))
    else:
        return None
    return f"{op} at {path}", cert


# -- the independent judgement of an accepted corruption ------------------------------------------------

def _exact(value):
    """A certificate with every number text read by SymPy (for an equality of values)."""
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, str):
        try:
            return sympy.nsimplify(sympy.sympify(value, rational=True))
        except (sympy.SympifyError, SyntaxError, TypeError, ValueError):
            return value
    return value


def _same_values(a, b) -> bool:
    ea, eb = _exact(a), _exact(b)
    return _equal(ea, eb)


def _equal(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, sympy.Basic) and isinstance(b, sympy.Basic):
        return sympy.simplify(a - b) == 0
    return a == b


def _rank_still_proves(st, cert, verdict) -> bool:
    """SymPy: M v = 0 for the kernel vectors, independent, and the minor non-zero at the point."""
    M = sympy.Matrix([[sympy.sympify(x) for x in r] for r in st["matrix"]])
    K = [sympy.Matrix([sympy.sympify(x) for x in v]) for v in cert["kernel"]]
    at = {sympy.Symbol(k): sympy.sympify(v) for k, v in cert["at"].items()}
    r = cert["rank"]
    ok = len(K) == M.cols - r and all(sympy.simplify(x) == 0 for v in K for x in M * v)
    ok = ok and (not K or sympy.Matrix.hstack(*K).subs(at).rank() == len(K))
    minor = M.extract([i - 1 for i in cert["minor_rows"]], [j - 1 for j in cert["minor_columns"]]).subs(at)
    return ok and sympy.simplify(minor.det()) != 0 and (r == st["claimed"]) == (verdict == "verified")


def _hessian(st):
    """losscert's exact Hessian of the statement's loss at its point, as a SymPy matrix, and the names."""
    rule, (loss, theta) = statements.read(st)
    return loss.to_sympy(loss.hessian(theta)), list(loss.params)


def _vector(table, names):
    return sympy.Matrix([sympy.sympify(table[p]) for p in names])


def _ldl_matches(cert, H, names, order):
    idx = [names.index(p) for p in order]
    n = len(order)
    L = sympy.eye(n)
    for i, row in enumerate(cert["L"]):
        for j, x in enumerate(row):
            L[i, j] = sympy.sympify(x)
    D = sympy.diag(*[sympy.sympify(d) for d in cert["D"]])
    return sympy.simplify(L * D * L.T - H.extract(idx, idx)) == sympy.zeros(n, n), [sympy.sign(d) for d in cert["D"]]


def _loss_cert_still_proves(item, cert) -> bool:
    st, original = item["statement"], item["certificate"]
    H, names = _hessian(st)
    kind = cert["kind"]
    if kind == "saddle":
        if set(cert["descent"]) != set(names) or set(cert["ascent"]) != set(names):
            return False
        down, up = _vector(cert["descent"], names), _vector(cert["ascent"], names)
        return (down.T * H * down)[0] < 0 < (up.T * H * up)[0]
    if kind == "curvature":
        v = _vector(cert["direction"], names)
        q = (v.T * H * v)[0]
        return q < 0 and sympy.simplify(q - sympy.sympify(cert["curvature"])) == 0
    if kind == "hessian_ldl":
        ok, signs = _ldl_matches(cert, H, names, cert["order"])
        _, before = _ldl_matches(original, H, names, original["order"])
        return ok and sorted(cert["order"]) == sorted(names) and (min(signs), max(signs)) == (min(before), max(before))
    if kind == "morse_bott_rescaling":
        if sorted(cert["neurons"]) != sorted(original["neurons"]) or sorted(cert["complement"]) != sorted(
                original["complement"]):
            return False
        ok, signs = _ldl_matches(cert, H, names, cert["complement"])
        return ok and all(x > 0 for x in signs)
    return _same_values(cert, original)


def _krawczyk_still_proves(item, cert) -> bool:
    """mpmath (not rigorous, but independent): the critical point near the center lies inside the box,
    and the box inside the statement's ball."""
    import mpmath
    st = item["statement"]
    rule, (loss, theta, radius, digits) = statements.read(st)
    names = list(loss.params)
    with mpmath.workdps(80):           # not mp.dps = 80: the precision must not leak into later tests
        return _krawczyk_root_inside(loss, names, st, cert)


def _krawczyk_root_inside(loss, names, st, cert) -> bool:
    import mpmath
    c = [mpmath.mpf(sympy.Rational(cert["center"][p]).p) / sympy.Rational(cert["center"][p]).q for p in names]
    r = sympy.Rational(sympy.sympify(cert["box_radius"], rational=True))
    point = [sympy.Rational(st["point"][p]) for p in names]
    R = sympy.Rational(st["radius"])
    if r <= 0 or any(abs(sympy.Rational(cert["center"][p]) - q) + r > R for p, q in zip(names, point)):
        return False
    root = mpmath.findroot(lambda *v: loss.mp_gradient(list(v))[0] if len(v) == 1 else loss.mp_gradient(list(v)),
                           c if len(c) > 1 else c[0])
    root = [root] if len(c) == 1 else list(root)
    return all(abs(a - b) < mpmath.mpf(r.p) / r.q for a, b in zip(root, c))


def still_proves(item, cert) -> bool:
    """Independently of the rechecker: does ``cert`` prove the item's verdict on its statement?"""
    if cert.get("kind") != item["certificate"]["kind"]:
        return False
    if cert["kind"] == "rank":
        try:
            return _rank_still_proves(item["statement"], cert, item["verdict"])
        except (TypeError, ValueError, IndexError, KeyError, sympy.SympifyError, AttributeError):
            return False
    if cert["kind"] == "krawczyk":
        try:
            return set(cert["center"]) == set(item["certificate"]["center"]) and _krawczyk_still_proves(item, cert)
        except (TypeError, ValueError, KeyError, ZeroDivisionError, sympy.SympifyError, AttributeError):
            return False
    if cert["kind"] in ("saddle", "curvature", "hessian_ldl", "morse_bott_rescaling"):
        try:
            return _loss_cert_still_proves(item, cert)
        except (TypeError, ValueError, IndexError, KeyError, sympy.SympifyError, AttributeError):
            return False
    return _same_values(cert, item["certificate"])


def test_corrupted_certificates_are_rejected(items):
    rng = random.Random(20260)
    tried = accepted_valid = 0
    kinds = set()
    while tried < MUTATIONS:
        it = rng.choice(items)
        drawn = corrupt(it, rng)
        if drawn is None:
            continue
        what, cert = drawn
        if cert == it["certificate"]:
            continue
        tried += 1
        kinds.add(cert.get("kind"))
        status, reason = outcome({**it, "certificate": cert})
        if status == "rechecked":
            assert still_proves(it, cert), (f"{it['statement']['kind']}: {what} accepted: {cert}")
            accepted_valid += 1
    print(f"{tried} corruptions of {len(kinds)} certificate kinds; {accepted_valid} still prove the statement")
    assert accepted_valid < tried // 10
