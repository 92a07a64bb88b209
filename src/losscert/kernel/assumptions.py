"""Assumptions of the theorems about activations, decided exactly.

:func:`arithmetic_derivatives` is Assumption 2 of lin-sun-zhang (and of
li-ding-sun): sigma is analytic and has n distinct derivative orders
l_1 < ... < l_n in arithmetic progression with sigma^(l_i)(0) != 0.
:func:`narrow_basin_conditions` decides the three conditions of
li-ding-sun Proposition 4 (exactly, or rigorously by Arb determinants), and
:func:`narrow_basin_target` checks printed output data of its construction.
:func:`lsz_assumption1` and :func:`lds_assumption1` check the papers'
assumptions on data and architecture, exactly.
"""
from __future__ import annotations

import sympy

from .. import intervals as iv
from ..activations import Activation, NonSmooth, NotExact, activation
from ..fields import Field
from ..numbers import parse_number
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict


def _progression(orders: list[int], n: int):
    """The first arithmetic progression of length n inside ``orders``."""
    present = set(orders)
    for i, start in enumerate(orders):
        for nxt in orders[i + 1:]:
            step = nxt - start
            if all(start + k * step in present for k in range(n)):
                return [start + k * step for k in range(n)]
    return [orders[0]] if n == 1 and orders else None


def arithmetic_derivatives(act: Activation | str, n: int, max_order: int = 24) -> Verdict:
    """Assumption 2 for ``n`` (exact derivatives at 0 up to ``max_order``)."""
    act = activation(act)
    if not act.properties["analytic"]:
        return Verdict(REFUTED, f"{act.spec} is not analytic", {"activation": act.spec})
    try:
        ders = act.derivatives_at_zero(max_order)
    except NonSmooth as exc:
        return Verdict(REFUTED, str(exc), {"activation": act.spec})
    # `is_zero is False` is SymPy's exact "provably non-zero"; `!=` would only compare structure
    orders = [k for k, d in enumerate(ders) if d.is_zero is False]
    ev = {"activation": act.spec, "nonzero_derivative_orders": orders,
          "derivatives_at_0": {k: str(ders[k]) for k in orders[:12]}}
    ap = _progression(orders, n)
    if ap is not None:
        ev["progression"] = ap
        return Verdict(VERIFIED, f"sigma^(l)(0) != 0 for l = {ap} (exact)", ev)
    poly = act.polynomial_coefficients
    if poly is not None and len(poly) - 1 <= max_order:
        return Verdict(REFUTED, f"a polynomial of degree {len(poly) - 1}: its non-zero derivatives at 0 are "
                                f"{orders}, which hold no arithmetic progression of length {n}", ev)
    return Verdict(INCONCLUSIVE, f"no progression of length {n} among the orders up to {max_order}", ev)


# -- li-ding-sun Proposition 4: sufficient conditions for a sub-optimal strict minimum ----------

def single_neuron_features(act: Activation | str, x, w):
    """(z, z', z'') = (sigma(w x), x o sigma'(w x), x o x o sigma''(w x)) for a
    weight ``w`` and data ``x`` (li-ding-sun (31)): exact SymPy numbers when the
    activation's values there are algebraic, else Arb balls at the current
    precision. The second item says which ("exact" or "arb")."""
    act = activation(act)
    x = [parse_number(v) for v in x]
    w = parse_number(w)
    F = Field.for_numbers([*x, w])
    try:
        coeffs = [act.taylor(F(w * t), 2, F) for t in x]
        return [[F.to_sympy(c[0]) for c in coeffs],
                [t * F.to_sympy(c[1]) for t, c in zip(x, coeffs)],
                [t * t * 2 * F.to_sympy(c[2]) for t, c in zip(x, coeffs)]], "exact"
    except NotExact:
        xs = [iv.to_arb(t) for t in x]
        coeffs = [act.arb_taylor(iv.to_arb(w) * t, 2) for t in xs]
        return [[c[0] for c in coeffs], [t * c[1] for t, c in zip(xs, coeffs)],
                [t * t * 2 * c[2] for t, c in zip(xs, coeffs)]], "arb"


def _full_rank(columns, exact: bool, distinct: int) -> tuple[bool | None, str]:
    """Whether the N x k matrix of ``columns`` has rank k: exactly when its
    entries are exact; otherwise False when k exceeds the number of distinct
    samples (equal samples give equal rows), True by a k x k minor whose Arb
    determinant excludes 0, else None."""
    k = len(columns)
    if exact:
        r = sympy.Matrix(columns).T.rank()
        return r == k, f"exact rank {r} of {k} vectors"
    if k > distinct:
        return False, f"{k} vectors whose entries repeat over {distinct} distinct samples: rank <= {distinct}"
    from flint import arb_mat
    rows = _pivot_rows(columns)
    det = arb_mat([[_ball(columns[j][i]) for j in range(k)] for i in rows]).det()
    if iv.sign(det):
        return True, f"the minor on rows {[i + 1 for i in rows]} has determinant {iv.show(det, 8)}"
    return None, f"the determinant of the minor on rows {[i + 1 for i in rows]} encloses 0"


def _pivot_rows(columns) -> list[int]:
    """Rows of a well-conditioned square minor, by partial pivoting on midpoints (a proposal)."""
    A = [[float(iv.mid(_ball(c[i]))) for c in columns] for i in range(len(columns[0]))]
    rows, free = [], list(range(len(A)))
    for j in range(len(columns)):
        best = max(free, key=lambda i: abs(A[i][j]))
        rows.append(best)
        free.remove(best)
        for i in free:
            if A[best][j]:
                f = A[i][j] / A[best][j]
                A[i] = [a - f * b for a, b in zip(A[i], A[best])]
    return sorted(rows)


def narrow_basin_conditions(act: Activation | str, x, ws, w0, digits: int = 30) -> Verdict:
    """Conditions (1)-(3) of li-ding-sun Proposition 4 for hidden weights
    ``ws`` (m = len(ws) < N) and the extra weight ``w0``. With z_j, z'_j of
    full rank 2m (proven), "v outside their span" is "rank 2m + 1 with v"."""
    act = activation(act)
    distinct = len({parse_number(t) for t in x})
    with iv.precision(digits):
        feats = [single_neuron_features(act, x, w) for w in ws]
        (z0, _, _), k0 = single_neuron_features(act, x, w0)
        exact = all(k == "exact" for _, k in feats)
        Z = [f[0] for f, _ in feats]
        ZZ = Z + [f[1] for f, _ in feats]
        base, base_why = _full_rank(ZZ, exact, distinct)
        checks = [("(1) z_1..z_m are independent", *_full_rank(Z, exact, distinct))]
        for i, (f, _) in enumerate(feats, 1):
            checks.append((f"(2) z''_{i} is outside span(z_j, z'_j)", *_outside(ZZ, f[2], base, exact, distinct)))
        checks.append(("(3) z_0 = sigma(w0 x) is outside span(z_j, z'_j)",
                       *_outside(ZZ, z0, base, exact and k0 == "exact", distinct)))
    show = {True: "holds", False: "fails", None: "undecided"}
    ev = {"activation": act.spec, "arithmetic": "exact" if exact and k0 == "exact" else "Arb balls",
          "precision_digits": digits, "z_j, z'_j of full rank 2m": f"{show[base]}: {base_why}",
          "conditions": {name: f"{show[ok]}: {why}" for name, ok, why in checks}}
    failed = [name for name, ok, _ in checks if ok is False]
    if failed:
        return Verdict(REFUTED, "fails: " + "; ".join(failed), ev)
    if any(ok is None for _, ok, _ in checks):
        return Verdict(INCONCLUSIVE, "a condition is undecided: " +
                       "; ".join(f"{n} ({w})" for n, ok, w in checks if ok is None), ev)
    return Verdict(VERIFIED, f"conditions (1)-(3) hold ({ev['arithmetic']})", ev)


def _outside(ZZ, v, base_full, exact, distinct) -> tuple[bool | None, str]:
    """v not in span(ZZ): exactly by ranks; with balls only when ZZ has proven full rank."""
    if exact:
        r0, r1 = sympy.Matrix(ZZ).T.rank(), sympy.Matrix(ZZ + [v]).T.rank()
        return r1 == r0 + 1, f"exact ranks {r0} -> {r1}"
    if base_full is not True:
        return None, "the rank of z_j, z'_j is not proven full"
    return _full_rank(ZZ + [v], False, distinct)


def _ball(v):
    return v if not isinstance(v, sympy.Basic) else iv.to_arb(v)


def narrow_basin_target(act: Activation | str, x, w, M, printed, places: int, digits: int = 30) -> Verdict:
    """The output data of Proposition 4's construction for one neuron and
    N = 3: a is orthogonal to z and z' (a = z x z', scaled to a_1 = 1),
    v = sign(a^T z''), y = v z - M a. Verified when every entry of y rounds to
    ``printed`` at ``places`` decimals (Arb enclosures), refuted when one cannot."""
    with iv.precision(digits):
        y, a, v = basin_target(act, x, w, M)
        half = iv.exact(sympy.Rational(1, 2 * 10 ** places))
        verdicts = []
        for yi, p in zip(y, printed):
            p = iv.exact(parse_number(p))
            verdicts.append(True if (yi > p - half and yi < p + half) else
                            False if (yi > p + half or yi < p - half) else None)
        ev = {"a": [iv.show(t, 10) for t in a], "v": v, "y": [iv.show(t, 10) for t in y],
              "printed": [str(p) for p in printed], "precision_digits": digits}
    if all(verdicts):
        return Verdict(VERIFIED, f"y = {[iv.show(t, places + 3) for t in y]} rounds to the printed values", ev)
    if False in verdicts:
        bad = [str(p) for p, ok in zip(printed, verdicts) if ok is False]
        return Verdict(REFUTED, f"printed {', '.join(bad)} is not y rounded to {places} places", ev)
    return Verdict(INCONCLUSIVE, "an entry lies on a rounding boundary at this precision", ev)


def basin_target(act, x, w, M):
    """(y, a, v) of Proposition 4 for one neuron and three samples, as Arb
    balls at the current precision (a helper of :func:`narrow_basin_target`;
    proof scripts use it, via :mod:`losscert.constructions`, to build data)."""
    (z, z1, z2), _ = single_neuron_features(act, x, w)
    z, z1, z2 = ([_ball(t) for t in vec] for vec in (z, z1, z2))
    if len(z) != 3:
        raise ValueError("the construction is implemented for N = 3 samples (a = z x z')")
    a = [z[1] * z1[2] - z[2] * z1[1], z[2] * z1[0] - z[0] * z1[2], z[0] * z1[1] - z[1] * z1[0]]
    if not iv.sign(a[0]):
        raise ValueError("a_1 is not provably non-zero: cannot scale a to a_1 = 1")
    a = [t / a[0] for t in a]
    s = iv.sign(sum((p * q for p, q in zip(a, z2)), iv.exact(0)))
    if not s:
        raise ValueError("the sign of a^T z'' is not decided")
    M = iv.exact(parse_number(M))
    return [s * zi - M * ai for zi, ai in zip(z, a)], a, s


# -- assumptions on data and architecture ---------------------------------------------------

class DataShapeError(ValueError):
    """X does not fit the network (one line naming what is wrong)."""


def _data(network, X) -> tuple[list[list], Field]:
    """X as exact rows, one per input of ``network`` and all of one length
    (the compiler's data check); :class:`DataShapeError` otherwise."""
    from ..compiler import CompileError, _matrix
    try:
        rows = _matrix(X, "X", len(network.inputs))
    except CompileError as exc:
        raise DataShapeError(str(exc)) from None
    if any(v.has(sympy.Float) for r in rows for v in r):
        raise DataShapeError("data.X: binary floats are not exact: write '1/10' or the decimal text")
    return rows, Field.for_numbers([v for r in rows for v in r])


def _abs_equal(F: Field, a, b) -> bool:
    return F.is_zero(F(a) - F(b)) or F.is_zero(F(a) + F(b))


def lsz_assumption1(network, X) -> Verdict:
    """lin-sun-zhang Assumption 1: (1) in every input row k of X the entries
    are non-zero and of pairwise different absolute values; (2) no hidden
    neuron has all its incoming weights pruned (a bias alone does not count).
    X must have one row per input, all of one length (else inconclusive)."""
    try:
        rows, F = _data(network, X)
    except DataShapeError as exc:
        return Verdict(INCONCLUSIVE, str(exc), {"inputs": list(network.inputs)})
    problems = []
    for k, (name, row) in enumerate(zip(network.inputs, rows), 1):
        zeros = [j + 1 for j, v in enumerate(row) if F.is_zero(F(v))]
        if zeros:
            problems.append(f"(1) input {name}: sample {zeros[0]} is 0")
            continue
        clash = next(((i + 1, j + 1) for i in range(len(row)) for j in range(i + 1, len(row))
                      if _abs_equal(F, row[i], row[j])), None)
        if clash:
            problems.append(f"(1) input {name}: samples {clash[0]} and {clash[1]} have equal |x|")
    empty = [h for h in network.hidden if network.graph.in_degree(h) == 0]
    problems += [f"(2) hidden neuron {h} has every incoming weight pruned" for h in empty]
    ev = {"inputs": list(network.inputs), "samples": len(rows[0]) if rows else 0, "failures": problems}
    if problems:
        return Verdict(REFUTED, problems[0], ev)
    return Verdict(VERIFIED, "every input row has non-zero entries of distinct absolute values, "
                   "and every hidden neuron has an incoming weight (exact)", ev)


def lds_assumption1(network, X) -> Verdict:
    """li-ding-sun Assumption 1 for a network and data: A1 the samples
    (columns of X) are non-zero and pairwise different; A2 the square loss is
    convex in the output (always, for losscert's loss); A3 the last hidden
    layer (hidden neurons feeding an output) has at least N neurons; A4 the
    activations are continuous (all of losscert's are). X must have one row
    per input, all of one length (else inconclusive)."""
    try:
        rows, F = _data(network, X)
    except DataShapeError as exc:
        return Verdict(INCONCLUSIVE, str(exc), {"inputs": list(network.inputs)})
    n = len(rows[0]) if rows else 0
    cols = [[F(r[j]) for r in rows] for j in range(n)]
    problems = []
    zero = next((j + 1 for j, c in enumerate(cols) if all(F.is_zero(v) for v in c)), None)
    if zero:
        problems.append(f"A1: sample {zero} is the zero vector")
    same = next(((i + 1, j + 1) for i in range(n) for j in range(i + 1, n)
                 if all(F.is_zero(a - b) for a, b in zip(cols[i], cols[j]))), None)
    if same:
        problems.append(f"A1: samples {same[0]} and {same[1]} are equal")
    last = sorted({u for o in network.outputs for u, _ in network.graph.in_edges(o) if u in network.hidden})
    if len(last) < n:
        problems.append(f"A3: the last hidden layer has {len(last)} neurons, fewer than N = {n} samples")
    ev = {"samples": n, "last_hidden_layer": last, "failures": problems,
          "A2": "holds: the square loss is convex in the output", "A4": "holds: every activation is continuous"}
    if problems:
        return Verdict(REFUTED, problems[0], ev)
    return Verdict(VERIFIED, f"A1-A4 hold: {n} distinct non-zero samples, last hidden width {len(last)} >= {n}", ev)
