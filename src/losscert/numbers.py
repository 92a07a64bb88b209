"""Exact, safe reading of user numbers.

Nothing a user writes is evaluated as code: strings are parsed with
:mod:`ast` and only integer/decimal literals, ``+ - * / **``, parentheses and
``sqrt(...)`` are accepted. Decimals are read by their text, so ``"0.9"`` is
exactly ``9/10``.

>>> parse_number("7/8")
7/8
>>> parse_number("sqrt(9/10)")
3*sqrt(10)/10
>>> parse_number(0.9)          # a float is read by its shortest decimal text
9/10
"""
from __future__ import annotations

import ast
from decimal import Decimal, InvalidOperation

import sympy

MAX_TEXT = 400        # characters of one number
MAX_EXPONENT = 64     # |integer exponent| allowed in ``a ** k``


class NumberError(ValueError):
    """A user number that is not an exact real number we accept."""


def _from_decimal_text(text: str) -> sympy.Rational:
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise NumberError(f"{text!r} is not a number") from None
    if not d.is_finite():
        raise NumberError(f"{text!r} is not a finite real number")
    sign, digits, exp = d.as_tuple()
    if abs(exp) > 1000:
        raise NumberError(f"{text!r}: exponent too large")
    n = int("".join(map(str, digits)) or "0")
    q = sympy.Integer(10) ** exp if exp >= 0 else sympy.Rational(1, 10 ** (-exp))
    return (-1 if sign else 1) * n * q


def _walk(node: ast.AST, text: str) -> sympy.Expr:
    if isinstance(node, ast.Expression):
        return _walk(node.body, text)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _from_decimal_text(ast.get_source_segment(text, node) or repr(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        v = _walk(node.operand, text)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        a, b = _walk(node.left, text), _walk(node.right, text)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise NumberError("division by zero")
            return a / b
        if not b.is_Rational:
            raise NumberError("an exponent must be a rational number")
        if abs(b.p) > MAX_EXPONENT or b.q > 2 and b.q > MAX_EXPONENT:
            raise NumberError("exponent too large")
        if b.q != 1 and not (a >= 0):
            raise NumberError("a fractional power of a negative number is not real")
        if a == 0 and b < 0:
            raise NumberError("division by zero")
        return a ** b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt" \
            and len(node.args) == 1 and not node.keywords:
        a = _walk(node.args[0], text)
        if not (a >= 0):
            raise NumberError("sqrt of a negative number is not real")
        return sympy.sqrt(a)
    raise NumberError("only numbers, + - * / **, parentheses and sqrt(...) are allowed")


def parse_number(value) -> sympy.Expr:
    """Read ``value`` (int, decimal text, :class:`~decimal.Decimal`, float or
    expression string) as an exact real algebraic number (a SymPy expression).

    Raises :class:`NumberError` with a short reason for anything else.
    """
    if isinstance(value, bool):
        raise NumberError("a boolean is not a number")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Decimal):
        return _from_decimal_text(str(value))
    if isinstance(value, float):
        return _from_decimal_text(repr(value))
    if isinstance(value, sympy.Expr) and value.is_number and value.is_real:
        return value
    if isinstance(value, sympy.Basic):
        raise NumberError(f"{value} is not a real number")
    if not isinstance(value, str):
        raise NumberError(f"expected a number, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise NumberError("empty number")
    if len(text) > MAX_TEXT:
        raise NumberError("number text too long")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise NumberError(f"{value!r} is not a number expression") from None
    try:
        result = _walk(tree, text)
    except RecursionError:
        raise NumberError("number expression nested too deeply") from None
    if not (result.is_real and result.is_finite):
        raise NumberError(f"{value!r} is not a finite real number")
    return result
