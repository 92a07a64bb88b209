"""Helpers for writing landscape statements (``paths_to_global_minimum``) in proof
scripts: one symbol per parameter, straight segments, least-squares targets and the
orthogonal matrices of the row space of X. They only build text; the kernel
(:mod:`losscert.kernel.landscape`) decides.

>>> from losscert import dense
>>> names, symbols = parameter_symbols(dense([1, 1, 1]))
>>> names, symbols
({'x1 -> h1_1': 'w_x1_h1_1', 'h1_1 -> y1': 'w_h1_1_y1'}, {'w_x1_h1_1': 'real', 'w_h1_1_y1': 'real'})
>>> line({"a": 0}, {"a": sympy.Symbol("b")})
{'a': b*t}
"""
from __future__ import annotations

import sympy

from .compiler import compile_loss

t = sympy.Symbol("t")


def parameter_symbols(network) -> tuple[dict, dict]:
    """({parameter: symbol name}, {symbol name: "real"}): one free symbol per parameter."""
    n = len(network.inputs)
    loss = compile_loss(network, [[0]] * n, [[0]] * len(network.outputs))
    names = {s.param: s.name for s in loss.symbols()}
    return names, {v: "real" for v in names.values()}


def symbols_of(names: dict) -> dict:
    """{parameter: SymPy symbol} for the names of :func:`parameter_symbols`."""
    return {p: sympy.Symbol(v) for p, v in names.items()}


def line(a: dict, b: dict) -> dict:
    """The segment a + t (b - a) between two points (parameter -> expression)."""
    return {p: sympy.expand(sympy.sympify(a[p]) + t * (sympy.sympify(b[p]) - sympy.sympify(a[p]))) for p in a}


def least_squares(X, Y):
    """(M*, L*): the least-squares map Y X^T (X X^T)^-1 (X of full row rank) and 1/2 ||M* X - Y||^2."""
    X, Y = sympy.Matrix(X), sympy.Matrix(Y)
    M = Y * X.T * (X * X.T).inv()
    return M, sympy.Rational(1, 2) * sum(v ** 2 for v in (M * X - Y))


def row_space_complement(X, d_y: int) -> list:
    """Matrices e_k n^T (n spanning the null space of X): every output M X is orthogonal to them."""
    X = sympy.Matrix(X)
    out = []
    for n in X.nullspace():
        n = n * sympy.lcm([sympy.fraction(x)[1] for x in n])
        for k in range(d_y):
            A = sympy.zeros(d_y, X.cols)
            A[k, :] = n.T
            out.append(A)
    return out
