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

Sizes are bounded against abuse, not against long exact data: a number's
text has at most ``MAX_TEXT`` characters, and every intermediate result has
at most ``MAX_DIGITS`` decimal digits (numerator and denominator together,
estimated *before* a power is computed), so ``"((10**64)**64)**64"`` is
refused at once:

>>> parse_number("((10**64)**64)**64")   # doctest: +ELLIPSIS
Traceback (most recent call last):
...
losscert.numbers.NumberError: number too large: an intermediate result of about ... digits (limit 20000 digits)
"""
from __future__ import annotations

import ast
import math
import sys
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import sympy

MAX_TEXT = 20000      # characters of one number's text
MAX_DIGITS = 20000    # decimal digits of any intermediate result (numerator and denominator together)
MAX_EXPONENT = 64     # |integer exponent| allowed in ``a ** k``
MAX_POWERS = 64       # sqrt(...) and ** in one number (SymPy's sums of radicals grow quadratically)
MAX_RADICAND_DIGITS = 200   # digits of a rational under a root (SymPy looks for factors of it)
INT_TEXT_DIGITS = 10 * MAX_DIGITS   # Python's int <-> text limit, raised so exact results can be read and shown

_BITS_PER_DIGIT = math.log2(10)
_MAX_BITS = int(MAX_DIGITS * _BITS_PER_DIGIT) + 1
_MAX_RADICAND_BITS = int(MAX_RADICAND_DIGITS * _BITS_PER_DIGIT) + 2

if 0 < sys.get_int_max_str_digits() < INT_TEXT_DIGITS:      # default 4300: too small for exact data
    sys.set_int_max_str_digits(INT_TEXT_DIGITS)


class NumberError(ValueError):
    """A user number that is not an exact real number we accept."""


class NotExact(ArithmeticError):
    """A value (an activation at a point) is not exact in the field at hand
    (re-exported by :mod:`losscert.activations`, where it is raised)."""


@lru_cache(maxsize=4096)            # sums are re-measured after every term
def _size(e: sympy.Expr) -> int:
    """An upper estimate of the bits needed to write ``e`` exactly (exact for rationals)."""
    if e.is_Rational:
        return int(e.p).bit_length() + int(e.q).bit_length()
    if e.is_Pow and e.exp.is_Rational:
        return _size(e.base) * max(1, abs(int(e.exp.p))) + int(e.exp.q).bit_length()
    if e.args:
        return sum(_size(a) for a in e.args) + len(e.args)
    return 1


def _bounded(bits: int) -> None:
    if bits > _MAX_BITS:
        raise NumberError(f"number too large: an intermediate result of about {int(bits / _BITS_PER_DIGIT)} digits "
                          f"(limit {MAX_DIGITS} digits)")


def _checked(e: sympy.Expr) -> sympy.Expr:
    _bounded(_size(e))
    return e


def _radicand(a: sympy.Expr) -> None:
    if a.is_Rational and _size(a) > _MAX_RADICAND_BITS:
        raise NumberError(f"number too large under a root: about {int(_size(a) / _BITS_PER_DIGIT)} digits "
                          f"(limit {MAX_RADICAND_DIGITS} digits)")


def _from_decimal_text(text: str) -> sympy.Rational:
    if len(text) > MAX_TEXT:
        raise NumberError(f"number text too long: {len(text)} characters (limit {MAX_TEXT})")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise NumberError(f"{text!r} is not a number") from None
    if not d.is_finite():
        raise NumberError(f"{text!r} is not a finite real number")
    sign, digits, exp = d.as_tuple()
    _bounded(int((len(digits) + abs(exp)) * _BITS_PER_DIGIT))
    n = int("".join(map(str, digits)) or "0")
    q = sympy.Integer(10) ** exp if exp >= 0 else sympy.Rational(1, 10 ** (-exp))
    return _checked((-1 if sign else 1) * n * q)


def _segment(text: str, node: ast.AST) -> str | None:
    """The source text of ``node`` (ast.get_source_segment splits the whole text at every call)."""
    if "\n" in text or "\r" in text:
        return ast.get_source_segment(text, node)
    return text.encode()[node.col_offset:node.end_col_offset].decode()    # offsets count UTF-8 bytes


MAX_EXP_ARGUMENT = 4096   # |r| in exp(r), when exponentials are allowed (points of tanh / sigmoid networks)


def _walk(node: ast.AST, text: str, exponentials: bool = False) -> sympy.Expr:
    if isinstance(node, ast.Expression):
        return _walk(node.body, text, exponentials)
    if exponentials and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "exp" \
            and len(node.args) == 1 and not node.keywords:
        r = _walk(node.args[0], text)
        if not r.is_Rational or abs(r) > MAX_EXP_ARGUMENT or r.q > MAX_EXP_ARGUMENT:
            raise NumberError(f"exp(...) needs a rational argument of size at most {MAX_EXP_ARGUMENT}")
        return sympy.exp(r)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _from_decimal_text(_segment(text, node) or repr(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        v = _walk(node.operand, text, exponentials)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        a, b = _walk(node.left, text, exponentials), _walk(node.right, text, exponentials)
        if not isinstance(node.op, ast.Pow):
            _bounded(_size(a) + _size(b) + 1)
        if isinstance(node.op, ast.Add):
            return _checked(a + b)
        if isinstance(node.op, ast.Sub):
            return _checked(a - b)
        if isinstance(node.op, ast.Mult):
            return _checked(a * b)
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise NumberError("division by zero")
            return _checked(a / b)
        if not b.is_Rational:
            raise NumberError("an exponent must be a rational number")
        if b.q != 1 and a.has(sympy.exp):
            raise NumberError("a root of an exponential is not allowed (write exp(r/2))")
        if abs(b.p) > MAX_EXPONENT or b.q > 2 and b.q > MAX_EXPONENT:
            raise NumberError("exponent too large")
        if b.q != 1 and not (a >= 0):
            raise NumberError("a fractional power of a negative number is not real")
        if a == 0 and b < 0:
            raise NumberError("division by zero")
        _bounded(_size(a) * max(1, abs(int(b.p))))
        if b.q != 1:
            _radicand(a)
        return _checked(a ** b)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt" \
            and len(node.args) == 1 and not node.keywords:
        a = _walk(node.args[0], text)
        if not (a >= 0):
            raise NumberError("sqrt of a negative number is not real")
        _radicand(a)
        return _checked(sympy.sqrt(a))
    raise NumberError("only numbers, + - * / **, parentheses and sqrt(...) are allowed"
                      + (" (and exp(r) in points)" if exponentials else ""))


def parse_number(value, exponentials: bool = False) -> sympy.Expr:
    """Read ``value`` (int, decimal text, :class:`~decimal.Decimal`, float or
    expression string) as an exact real algebraic number (a SymPy expression).
    With ``exponentials`` (points of a network), ``exp(r)`` of a rational r is
    accepted too: ``"(exp(2) + 1)/(exp(2) - 1)"`` is 1/tanh(1).

    Raises :class:`NumberError` with a short reason for anything else.
    """
    if isinstance(value, sympy.Rational):             # the common case (data already read): no property lookups
        return _checked(value)
    if isinstance(value, bool):
        raise NumberError("a boolean is not a number")
    if isinstance(value, int):
        _bounded(value.bit_length())
        return sympy.Integer(value)
    if isinstance(value, Decimal):
        return _from_decimal_text(str(value))
    if isinstance(value, float):
        return _from_decimal_text(repr(value))
    if isinstance(value, sympy.Expr) and value.is_number and value.is_real:
        return _checked(value)
    if isinstance(value, sympy.Basic):
        raise NumberError(f"{value} is not a real number")
    if not isinstance(value, str):
        raise NumberError(f"expected a number, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise NumberError("empty number")
    if len(text) > MAX_TEXT:
        raise NumberError(f"number text too long: {len(text)} characters (limit {MAX_TEXT})")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise NumberError(f"{value!r} is not a number expression") from None
    powers = sum(isinstance(n, ast.Call) or isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)
                 for n in ast.walk(tree))
    if powers > MAX_POWERS:
        raise NumberError(f"too many roots and powers in one number: {powers} (limit {MAX_POWERS})")
    try:
        result = _walk(tree, text, exponentials)
    except RecursionError:
        raise NumberError("number expression nested too deeply") from None
    if not (result.is_real and result.is_finite):
        raise NumberError(f"{value!r} is not a finite real number")
    return result
