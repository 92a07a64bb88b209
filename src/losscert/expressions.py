"""Exact expressions as text: the statement language's terms.

A statement (see :mod:`losscert.statements`) names matrices and expressions
as text in a small grammar, read with :mod:`ast` and a whitelist; nothing is
evaluated beyond exact arithmetic:

- numbers as :func:`losscert.numbers.parse_number` reads them (``7/8``,
  ``0.9`` meaning 9/10);
- named symbols (identifiers; a statement may map an identifier to another
  symbol name, e.g. ``w1`` -> ``"x1 -> h1"``);
- ``+ - * / **`` and parentheses; ``sqrt(e)``;
- the registered activations applied to an expression: ``tanh(e)``,
  ``relu(e)``, ``poly(0, 1, 1)(e)``, ``leaky_relu(1/10)(e)``.

Sizes are bounded (text length, literal digits, exponents, numeric results).

>>> parse_expression("x**2/2 + sqrt(2)*y")
x**2/2 + sqrt(2)*y
>>> parse_expression("poly(0, 1, 1)(t) - t")
t**2
>>> expression_text(parse_expression("w1*(1/3)"), {})
'w1/3'
>>> parse_expression("w1 + 1", {"w1": "x1 -> h1"})
x1 -> h1 + 1
"""
from __future__ import annotations

import ast
import keyword
import re

import sympy

from .activations import NAMES as ACTIVATIONS
from .activations import ActivationError, activation
from .numbers import NumberError, parse_number

MAX_TEXT = 200_000        # characters of one expression
MAX_INT_EXPONENT = 1000   # |k| in ``e ** k`` for a non-numeric base
MAX_NUMBER_BITS = 100_000  # bits of any exact rational met while reading
MAX_ENTRIES = 10_000      # entries of one matrix
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED = {"sqrt", "pi", "E", "I", "e", "oo", "inf", "nan", "zoo", *ACTIVATIONS}


class ExpressionError(ValueError):
    """Text that is not an expression of the statement language; str() is one line."""


def _check_size(value: sympy.Expr) -> sympy.Expr:
    if value.is_Rational and max(int(value.p).bit_length(), int(value.q).bit_length()) > MAX_NUMBER_BITS:
        raise ExpressionError(f"a number of more than {MAX_NUMBER_BITS} bits")
    return value


def _power(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if b.is_Rational:
        if a.is_number:
            if not b.is_Integer and not (a >= 0):
                raise ExpressionError("a fractional power of a negative number is not real")
            if a == 0 and b < 0:
                raise ExpressionError("division by zero")
            if abs(b.p) > 64 or b.q > 64:
                raise ExpressionError("exponent of a number too large (at most 64)")
            if a.is_Rational and max(int(a.p).bit_length(), int(a.q).bit_length()) * abs(int(b.p)) > MAX_NUMBER_BITS:
                raise ExpressionError(f"a number of more than {MAX_NUMBER_BITS} bits")
        elif abs(b.p) > MAX_INT_EXPONENT or b.q > 64:
            raise ExpressionError(f"exponent too large (at most {MAX_INT_EXPONENT})")
    elif not b.free_symbols:
        raise ExpressionError("an exponent must be a rational number or contain a symbol")
    return _check_size(a ** b)


def _activation_spec(node: ast.AST, text: str) -> str | None:
    """The activation spec named by a call's function part, if any."""
    if isinstance(node, ast.Name) and node.id in ACTIVATIONS:
        return node.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ACTIVATIONS \
            and not node.keywords:
        return ast.get_source_segment(text, node)
    return None


class _Reader:
    def __init__(self, text: str, names: dict):
        self.text, self.names = text, names

    def walk(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Expression):
            return self.walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            literal = ast.get_source_segment(self.text, node) or repr(node.value)
            try:
                return _check_size(parse_number(literal))
            except NumberError as exc:
                raise ExpressionError(f"{literal[:40]}: {exc}") from None
        if isinstance(node, ast.Name):
            return self.symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = self.walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            a, b = self.walk(node.left), self.walk(node.right)
            if isinstance(node.op, ast.Add):
                return _check_size(a + b)
            if isinstance(node.op, ast.Sub):
                return _check_size(a - b)
            if isinstance(node.op, ast.Mult):
                return _check_size(a * b)
            if isinstance(node.op, ast.Div):
                if b == 0:
                    raise ExpressionError("division by zero")
                return _check_size(a / b)
            return _power(a, b)
        if isinstance(node, ast.Call) and not node.keywords and len(node.args) == 1:
            if isinstance(node.func, ast.Name) and node.func.id == "sqrt":
                a = self.walk(node.args[0])
                if a.is_number and not (a >= 0):
                    raise ExpressionError("sqrt of a negative number is not real")
                return sympy.sqrt(a)
            spec = _activation_spec(node.func, self.text)
            if spec is not None:
                try:
                    act = activation(spec)
                except ActivationError as exc:
                    raise ExpressionError(str(exc)) from None
                return act(self.walk(node.args[0]))
        if isinstance(node, ast.Call):
            what = ast.get_source_segment(self.text, node.func) or "?"
            raise ExpressionError(f"{what[:40]}(...) is not allowed (sqrt and the activations "
                                  f"{', '.join(ACTIVATIONS)} are)")
        raise ExpressionError("only numbers, symbols, + - * / **, parentheses, sqrt(...) and activations "
                              "are allowed")

    def symbol(self, name: str) -> sympy.Symbol:
        if name in RESERVED:
            raise ExpressionError(f"{name!r} is not a symbol here (no constants other than numbers; "
                                  "functions need an argument)")
        return sympy.Symbol(self.names.get(name, name))


def parse_expression(text, names: dict | None = None) -> sympy.Expr:
    """Read ``text`` (or an int) as an exact expression; ``names`` maps
    identifiers of the text to symbol names. Raises :class:`ExpressionError`."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise ExpressionError(f"expected expression text, got {type(text).__name__}")
    if isinstance(text, int):
        return sympy.Integer(text)
    text = text.strip()
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > MAX_TEXT:
        raise ExpressionError(f"expression text longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"{text[:60]!r} is not an expression") from None
    try:
        return _Reader(text, dict(names or {})).walk(tree)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None


def parse_matrix(rows, names: dict | None = None) -> sympy.Matrix:
    """A matrix from a list of rows of expression texts."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ExpressionError("a matrix must be a non-empty list of rows")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ExpressionError("matrix rows have different lengths")
    if len(rows) * width > MAX_ENTRIES:
        raise ExpressionError(f"more than {MAX_ENTRIES} matrix entries")
    return sympy.Matrix([[parse_expression(x, names) for x in r] for r in rows]) if width else \
        sympy.zeros(len(rows), 0)


def parse_term(value, names: dict | None = None):
    """An expression, a list (vector) or a list of lists (matrix) of them."""
    if isinstance(value, list):
        if value and all(isinstance(r, list) for r in value):
            return parse_matrix(value, names)
        if len(value) > MAX_ENTRIES:
            raise ExpressionError(f"more than {MAX_ENTRIES} entries")
        return [parse_expression(x, names) for x in value]
    return parse_expression(value, names)


# -- writing ---------------------------------------------------------------------

def _sympy(value) -> sympy.Basic:
    if isinstance(value, float):
        raise ExpressionError(f"the binary float {value!r} is not exact: write it as text ('0.1') or a Rational")
    if isinstance(value, str):
        return parse_expression(value)
    try:
        return sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError):
        raise ExpressionError(f"{type(value).__name__} is not an exact expression") from None


def aliases(exprs) -> dict:
    """Identifiers for the symbols of ``exprs`` whose names are not
    identifiers: {identifier: name}. Two different symbols with one name are
    an error (their text would merge them)."""
    by_name: dict = {}
    for e in exprs:
        for s in e.free_symbols:
            if by_name.setdefault(s.name, s) != s:
                raise ExpressionError(f"two different symbols are both named {s.name!r}")
    taken = {n for n in by_name if _plain_name(n)}
    out = {}
    for name in sorted(by_name):
        if name in taken:
            continue
        base = re.sub(r"\W+", "_", name).strip("_") or "s"
        base = base if IDENTIFIER.match(base) else "s_" + base
        alias, k = base, 1
        while alias in taken or not _plain_name(alias):
            k += 1
            alias = f"{base}_{k}"
        taken.add(alias)
        out[alias] = name
    return out


def _plain_name(name: str) -> bool:
    """A symbol name the text can use as it is (an identifier, not a keyword, not reserved)."""
    return bool(IDENTIFIER.match(name)) and not keyword.iskeyword(name) and name not in RESERVED


def expression_text(value, names: dict) -> str:
    """Exact text for a SymPy expression (or int, or expression text), using
    the identifiers of ``names`` ({identifier: symbol name}) for symbols whose
    names are not identifiers. Raises :class:`ExpressionError` when the value
    is not in the language (floats, other functions, constants like pi)."""
    e = _sympy(value)
    if not isinstance(e, sympy.Expr):
        raise ExpressionError(f"{type(e).__name__} is not an expression")
    floats = e.atoms(sympy.Float)
    if floats:
        raise ExpressionError(f"the floating-point number {sorted(floats, key=str)[0]} is not exact: "
                              "write it as text ('0.1') or a Rational")
    back = {name: ident for ident, name in names.items()}
    e_named = e.xreplace({s: sympy.Symbol(back[s.name]) for s in e.free_symbols if s.name in back})
    text = sympy.sstr(e_named, order=None)
    parsed = parse_expression(text, names)
    plain = e.xreplace({s: sympy.Symbol(s.name) for s in e.free_symbols})   # assumptions are not written
    if parsed != plain and sympy.expand(parsed - plain) != 0:
        raise ExpressionError(f"{text[:60]} does not read back as the same expression")
    return text


def term_text(value, names: dict):
    """:func:`expression_text` for an expression, a list or a matrix (rows)."""
    if isinstance(value, sympy.MatrixBase):
        return [[expression_text(x, names) for x in row] for row in value.tolist()]
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(r, (list, tuple)) for r in value):
            return [[expression_text(x, names) for x in r] for r in value]
        return [expression_text(x, names) for x in value]
    return expression_text(value, names)


def term_sympy(value) -> list:
    """The SymPy expressions inside an expression, a list or a matrix (for :func:`aliases`)."""
    if isinstance(value, sympy.MatrixBase):
        return [_sympy(x) for x in value]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in term_sympy(v)]
    return [_sympy(value)]
