"""Full-rank certificates of the papers' Vandermonde step and of sigma(W X).

:func:`vandermonde_full_rank` decides whether the N x N matrix
A = [z_i^{l_k} sigma^{(l_k)}(0)] (rows k, columns i; l_k = l_1 + (k - 1) d)
of li-ding-sun Lemma 1 and lin-sun-zhang Theorem 6 is non-singular. Its
determinant factors as

    det A = prod_k sigma^{(l_k)}(0) * prod_i z_i^{l_1} * prod_{i<j} (z_j^d - z_i^d),

so A is singular exactly when a derivative vanishes, a sample is 0 (and
l_1 > 0), or two samples have equal d-th powers (z_j = -z_i when d is even):
each factor is decided exactly.

>>> vandermonde_full_rank("tanh", [1, 2, 3], 1, 2).status
'verified'
>>> vandermonde_full_rank("tanh", [1, -1, 2], 1, 2).reason
'singular: z_1^2 = z_2^2 (samples 1 and -1)'

:func:`activation_rank` decides rank sigma(W X) = r for concrete W, X:
exactly when every entry is algebraic; otherwise a minor whose Arb
determinant excludes 0 proves rank >= its size, and minors that vanish
identically in the transcendental values (exp(q) for rational q written as
powers of one exp(1/L); tanh through exp; odd functions by SymPy's
canonical signs) prove rank <= r. Nothing numerical proves a minor zero.

>>> activation_rank("tanh", [[1], [2]], [[1, -1]], 2).status
'refuted'
>>> activation_rank("tanh", [[1], [2]], [[1, 2]], 2).status
'verified'

Arguments are plain data (activation names, lists of exact numbers as
ints, strings or SymPy numbers, ints); floats are refused.
"""
from __future__ import annotations

from functools import reduce
from math import lcm

import sympy
from sympy.polys.matrices import DomainMatrix

from .. import intervals as iv
from ..activations import activation
from ..fields import Field
from ..numbers import parse_number
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict

MAX_ORDER = 64          # highest derivative order l_N taken at 0
MAX_SIZE = 12           # largest N (rows of A, or rows/columns of sigma(W X))


def exact_number(value, where: str) -> sympy.Expr:
    """An exact real number from plain data; floats and booleans are refused."""
    if isinstance(value, (float, bool)) or not isinstance(value, (int, str, sympy.Expr)):
        raise ValueError(f"{where}: {value!r} is not an exact number (use an int, a string such as '1/10' "
                         f"or a SymPy number)")
    return parse_number(value)


def _numbers(values, where: str) -> list:
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"{where}: expected a non-empty list of exact numbers")
    return [exact_number(v, f"{where}[{i}]") for i, v in enumerate(values)]


def _matrix(rows, where: str) -> list[list]:
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        raise ValueError(f"{where}: expected a list of rows (lists of exact numbers)")
    out = [_numbers(r, f"{where}[{i}]") for i, r in enumerate(rows)]
    if len({len(r) for r in out}) != 1:
        raise ValueError(f"{where}: rows have different lengths {[len(r) for r in out]}")
    return out


def _int(value, where: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{where}: expected an integer >= {low}, got {value!r}")
    return value


def _nonzero(c: sympy.Expr) -> bool | None:
    """SymPy's exact zero test of a derivative value (None: undecided)."""
    return None if c.is_zero is None else not c.is_zero


def vandermonde_full_rank(act: str, samples, start: int, step: int) -> Verdict:
    """A = [z_i^{l_k} sigma^{(l_k)}(0)], l_k = start + k step (k = 0..N-1), is non-singular."""
    if not isinstance(act, str):
        raise ValueError("activation: expected a name such as 'tanh'")
    z = _numbers(samples, "samples")
    n = len(z)
    if n > MAX_SIZE:
        raise ValueError(f"samples: at most {MAX_SIZE} samples")
    start, step = _int(start, "start", 0), _int(step, "step", 1)
    orders = [start + k * step for k in range(n)]
    if orders[-1] > MAX_ORDER:
        raise ValueError(f"progression: order {orders[-1]} exceeds {MAX_ORDER}")
    sigma = activation(act)
    ders = sigma.derivatives_at_zero(orders[-1])
    c = [ders[l] for l in orders]
    ev = {"activation": sigma.spec, "samples": [str(v) for v in z], "orders": orders,
          "derivatives_at_0": [str(v) for v in c],
          "determinant": "prod_k sigma^(l_k)(0) * prod_i z_i^l_1 * prod_{i<j} (z_j^d - z_i^d)"}
    for l, ck in zip(orders, c):
        known = _nonzero(ck)
        if known is False:
            return Verdict(REFUTED, f"singular: sigma^({l})(0) = 0, so the row of order {l} is zero", ev)
        if known is None:
            return Verdict(INCONCLUSIVE, f"cannot decide whether sigma^({l})(0) = {ck} is zero", ev)
    F = Field.for_numbers(z)
    zz = [F(v) for v in z]
    if start > 0:
        zero = next((i for i, v in enumerate(zz) if F.is_zero(v)), None)
        if zero is not None:
            return Verdict(REFUTED, f"singular: z_{zero + 1} = 0 and l_1 = {start} > 0 (a zero column)", ev)
    powers = [v ** step for v in zz]
    for j in range(n):
        for i in range(j):
            if F.is_zero(powers[j] - powers[i]):
                return Verdict(REFUTED, f"singular: z_{i + 1}^{step} = z_{j + 1}^{step} "
                                        f"(samples {z[i]} and {z[j]})", ev)
    _self_check(F, zz, orders, start, step)
    return Verdict(VERIFIED, f"non-singular: every factor of det A is non-zero (orders {orders}, exact)", ev)


def _self_check(F: Field, zz, orders, start, step) -> None:
    """det [z_i^{l_k}] equals prod z_i^{l_1} * Vandermonde(z^d), computed independently."""
    M = DomainMatrix([[v ** l for v in zz] for l in orders], (len(orders), len(zz)), F.domain)
    n = len(zz)
    vander = reduce(lambda a, b: a * b, [zz[j] ** step - zz[i] ** step for i in range(n) for j in range(i + 1, n)],
                    F.one)
    lead = reduce(lambda a, b: a * b, [v ** start for v in zz], F.one)
    assert M.det() == lead * vander, "det [z_i^l_k] differs from its Vandermonde factorisation"


# -- rank of sigma(W X) -------------------------------------------------------------------------

def activation_rank(act: str, W, X, claimed: int, digits: int = 30) -> Verdict:
    """rank sigma(W X) == claimed, for exact W (p x d) and X (d x N)."""
    if not isinstance(act, str):
        raise ValueError("activation: expected a name such as 'tanh'")
    Wm, Xm = _matrix(W, "W"), _matrix(X, "X")
    if len(Wm[0]) != len(Xm):
        raise ValueError(f"shapes: W is {len(Wm)} x {len(Wm[0])} but X has {len(Xm)} rows")
    p, N = len(Wm), len(Xm[0])
    if max(p, N) > MAX_SIZE:
        raise ValueError(f"shapes: at most {MAX_SIZE} rows and columns")
    claimed = _int(claimed, "claimed rank", 0)
    if claimed > min(p, N):
        raise ValueError(f"claimed rank {claimed} exceeds min({p}, {N})")
    sigma = activation(act)
    pre = [[sympy.expand(sum(Wm[i][k] * Xm[k][j] for k in range(len(Xm)))) for j in range(N)] for i in range(p)]
    Z = [[sigma(v) for v in row] for row in pre]
    ev = {"activation": sigma.spec, "WX": [[str(v) for v in r] for r in pre], "claimed": claimed}
    if all(_algebraic(v) for r in Z for v in r):
        F = Field.for_numbers([v for r in Z for v in r])
        r = DomainMatrix([[F(v) for v in row] for row in Z], (p, N), F.domain).rank()
        ev.update({"sigma(WX)": [[str(v) for v in row] for row in Z], "rank": r, "arithmetic": "exact"})
        if r == claimed:
            return Verdict(VERIFIED, f"rank sigma(WX) = {r} (exact)", ev)
        return Verdict(REFUTED, f"rank sigma(WX) = {r}, not {claimed} (exact)", ev)
    upper, atoms, exact = _formal_rank(Z)
    if exact:           # only powers of u = e^(1/L), transcendental: the rank over Q(u) is the rank
        ev.update({"rank": upper, "arithmetic": f"exact in Q(u), u = {atoms[0]} (transcendental)"})
        if upper == claimed:
            return Verdict(VERIFIED, f"rank sigma(WX) = {upper} (exact in Q({atoms[0]}))", ev)
        return Verdict(REFUTED, f"rank sigma(WX) = {upper}, not {claimed} (exact in Q({atoms[0]}))", ev)
    ev.update({"formal_rank_bound": upper, "transcendental_atoms": atoms, "arithmetic": "Arb balls"})
    if upper < claimed:
        return Verdict(REFUTED, f"rank sigma(WX) <= {upper} < {claimed}: every {upper + 1}-minor vanishes "
                                f"identically in the transcendental values {atoms}", ev)
    with iv.precision(digits):
        balls = [[sigma.arb_taylor(iv.to_arb(v), 0)[0] for v in row] for row in pre]
        lower, minor = _proven_minor(balls, claimed)
        above = _proven_minor(balls, claimed + 1)[0] if claimed < min(p, N) and upper > claimed else 0
    ev["precision_digits"] = digits
    if minor is not None:
        ev["nonzero_minor"] = minor
    if above:
        return Verdict(REFUTED, f"rank sigma(WX) > {claimed}: a {claimed + 1}-minor is non-zero (Arb)", ev)
    if lower >= claimed and claimed == min(p, N):
        return Verdict(VERIFIED, f"rank sigma(WX) = {claimed} (full): {_show_minor(minor)}", ev)
    if lower >= claimed and upper == claimed:
        return Verdict(VERIFIED, f"rank sigma(WX) = {claimed}: {_show_minor(minor)} and every "
                                 f"{claimed + 1}-minor vanishes identically", ev)
    return Verdict(INCONCLUSIVE, f"no {claimed}-minor with an Arb determinant excluding 0 at {digits} digits, and "
                                 f"no identity proves the rank smaller", ev)


def _algebraic(v: sympy.Expr) -> bool:
    return not v.has(sympy.Function, sympy.NumberSymbol) and not v.free_symbols and v.is_real is True


MAX_FORMAL_DEGREE = 256   # degree in u = exp(1/L) up to which the exponentials are related


def _formal_rank(Z) -> tuple[int, list[str], bool]:
    """The rank of Z with its transcendental atoms as independent symbols: an
    upper bound of the true rank (an identically vanishing minor vanishes at
    the true values). exp(q), q rational, becomes u**(q L) with u = exp(1/L).
    The flag says the bound is the rank: u is the only atom, and u is
    transcendental (Lindemann), so a minor vanishes at u = e^(1/L) only when
    it is the zero rational function."""
    Z = [[sympy.sympify(v).rewrite(sympy.exp) for v in row] for row in Z]
    exps = {e for row in Z for v in row for e in v.atoms(sympy.exp) if e.args[0].is_Rational}
    if any(v.has(sympy.E) for row in Z for v in row):
        exps.add(sympy.exp(1, evaluate=False))
    L = reduce(lcm, [int(e.args[0].q) for e in exps], 1)
    if exps and L * max(abs(e.args[0]) for e in exps) <= MAX_FORMAL_DEGREE:
        u = sympy.Dummy("u")
        table = {e: u ** int(e.args[0] * L) for e in exps}
        table[sympy.E] = u ** L
        Z = [[v.xreplace(table) for v in row] for row in Z]
    else:               # exponents of large height: each exp(q) an independent atom (a weaker, still valid bound)
        exps = set()
    atoms = {}
    def opaque(e):                           # the outermost non-algebraic pieces that remain
        if isinstance(e, (sympy.Function, sympy.NumberSymbol)):
            return atoms.setdefault(e, sympy.Dummy(f"t{len(atoms)}"))
        if not e.args:
            return e
        return e.func(*[opaque(a) for a in e.args])
    Z = [[opaque(v) for v in row] for row in Z]
    dM = DomainMatrix.from_Matrix(sympy.Matrix(Z))
    if dM.domain.is_EX:
        return min(len(Z), len(Z[0])), [], False
    r = dM.convert_to(dM.domain.get_field()).rank()
    shown = ([f"exp(1/{L})" if L > 1 else "e"] if exps else []) + [str(a) for a in atoms]
    return r, shown, bool(exps) and not atoms


def _proven_minor(balls, k) -> tuple[int, list | None]:
    """(k, [rows, cols]) when a k x k minor, chosen by pivoting on midpoints, has
    an Arb determinant excluding 0; else (0, None)."""
    from flint import arb_mat
    if k == 0:
        return 0, None
    A = [[float(iv.mid(b)) for b in row] for row in balls]
    rows, cols = [], []
    for _ in range(k):
        free = [(abs(A[i][j]), i, j) for i in range(len(A)) if i not in rows for j in range(len(A[0])) if j not in cols]
        if not free:
            return 0, None
        _, bi, bj = max(free)
        rows.append(bi)
        cols.append(bj)
        for i in range(len(A)):
            if i not in rows and A[bi][bj]:
                f = A[i][bj] / A[bi][bj]
                A[i] = [a - f * b for a, b in zip(A[i], A[bi])]
    rows, cols = sorted(rows), sorted(cols)
    det = arb_mat([[balls[i][j] for j in cols] for i in rows]).det()
    if iv.sign(det):
        return k, [[i + 1 for i in rows], [j + 1 for j in cols], iv.show(det, 8)]
    return 0, None


def _show_minor(minor) -> str:
    rows, cols, det = minor
    return f"the minor on rows {rows}, columns {cols} has determinant {det}"
