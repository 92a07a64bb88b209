"""Activation functions: expressions, exact Taylor data and properties.

An activation is named by a spec string: ``linear``, ``relu``,
``leaky_relu(a)``, ``tanh``, ``sigmoid``, ``shifted_sigmoid``, ``softplus``,
``swish``, ``elu``, ``elu(a)`` or ``poly(c0, c1, ..., ck)``.

>>> act = activation("poly(0, 1, 1/2)")
>>> act.expr
z**2/2 + z
>>> act.derivatives_at_zero(3)
[0, 1, 1, 0]
>>> activation("tanh").properties["odd"]
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import mpmath
import sympy

from .numbers import NotExact, NumberError, parse_number     # NotExact lives below fields (ExpField raises it)

z = sympy.Symbol("z", real=True)


class ActivationError(ValueError):
    pass


class NonSmooth(ArithmeticError):
    """The activation is not differentiable to the requested order here."""


@dataclass(frozen=True)
class Activation:
    """One activation. ``kind`` is the registry name; ``params`` its numbers."""
    kind: str
    params: tuple = ()
    spec: str = field(default="", compare=False)

    # -- symbolic ---------------------------------------------------------
    @cached_property
    def expr(self) -> sympy.Expr:
        k, p = self.kind, self.params
        e = sympy.exp
        if k == "linear":
            return z
        if k == "relu":
            return sympy.Piecewise((z, z > 0), (0, True))
        if k == "leaky_relu":
            return sympy.Piecewise((z, z > 0), (p[0] * z, True))
        if k == "tanh":
            return sympy.tanh(z)
        if k == "sigmoid":
            return 1 / (1 + e(-z))
        if k == "shifted_sigmoid":
            return 1 / (1 + e(-z)) - sympy.Rational(1, 2)
        if k == "softplus":
            return sympy.log(1 + e(z))
        if k == "swish":
            return z / (1 + e(-z))
        if k == "elu":
            return sympy.Piecewise((z, z > 0), (p[0] * (e(z) - 1), True))
        if k == "poly":
            return sum(c * z ** i for i, c in enumerate(p))
        raise AssertionError(k)

    def __call__(self, x: sympy.Expr) -> sympy.Expr:
        return self.expr.subs(z, x)

    @property
    def polynomial_coefficients(self) -> tuple | None:
        """Coefficients (SymPy numbers) when the activation is a polynomial."""
        if self.kind == "linear":
            return (sympy.Integer(0), sympy.Integer(1))
        if self.kind == "poly":
            return self.params
        return None

    @property
    def slopes(self) -> tuple | None:
        """(slope for z < 0, slope for z > 0) of a piecewise-linear activation."""
        if self.kind == "relu":
            return (sympy.Integer(0), sympy.Integer(1))
        if self.kind == "leaky_relu":
            return (self.params[0], sympy.Integer(1))
        return None

    @cached_property
    def properties(self) -> dict:
        """Flags of the activation. ``positively_homogeneous``,
        ``zero_at_zero`` and ``piecewise_linear`` (every piece affine) are
        derived from :attr:`expr` exactly (see :func:`positive_homogeneity`);
        ``polynomial`` says :attr:`polynomial_coefficients` is set;
        ``analytic`` and ``odd`` are declared per kind (tests/test_trust.py
        checks every flag against the expression)."""
        poly = self.polynomial_coefficients
        slopes = self.slopes
        analytic = self.kind not in ("relu", "leaky_relu", "elu") or (slopes is not None and slopes[0] == slopes[1])
        if self.kind == "elu":
            analytic = False
        odd = self.kind in ("linear", "tanh", "shifted_sigmoid") or (
            poly is not None and all(c == 0 for i, c in enumerate(poly) if i % 2 == 0)) or (
            slopes is not None and slopes[0] == slopes[1])
        return {
            "analytic": bool(analytic),
            "polynomial": poly is not None,
            "positively_homogeneous": positive_homogeneity(self.expr) is not None,
            "odd": bool(odd),
            "zero_at_zero": self.zero_at_zero is True,
            "piecewise_linear": all(e.is_polynomial(z) and sympy.degree(e, z) <= 1 for e, _ in _pieces(self.expr)),
        }

    @cached_property
    def zero_at_zero(self) -> bool | None:
        """sigma(0) == 0, decided exactly from the expression (None: undecided)."""
        return sympy.sympify(self.expr.subs(z, 0)).is_zero

    @cached_property
    def is_identity(self) -> bool:
        """sigma(z) = z exactly (``linear``, ``poly(0, 1)``)."""
        return self.expr == z or sympy.expand(self.expr - z) == 0

    def derivatives_at_zero(self, order: int) -> list[sympy.Expr]:
        """Exact sigma^(k)(0) for k = 0..order (one-sided derivatives are not
        used: a kink at 0 raises :class:`NonSmooth`)."""
        slopes = self.slopes
        if slopes is not None and slopes[0] != slopes[1] and order >= 1:
            raise NonSmooth(f"{self.spec} is not differentiable at 0")
        if self.kind == "elu" and order >= 1 and self.params[0] != 1:
            raise NonSmooth(f"{self.spec} is not differentiable at 0")
        if self.kind == "elu" and order >= 2:
            raise NonSmooth(f"{self.spec} has no second derivative at 0")
        expr = self.expr
        if slopes is not None or self.kind == "elu":
            expr = z
        ser = sympy.series(expr, z, 0, order + 1).removeO()
        return [sympy.factorial(k) * ser.coeff(z, k) for k in range(order + 1)]

    # -- exact Taylor coefficients ---------------------------------------
    def taylor(self, x0, order: int, F) -> list:
        """Exact Taylor coefficients [s(x0), s'(x0), s''(x0)/2!, ...] up to
        ``order`` in the field ``F``. Raises :class:`NotExact` when they are
        not algebraic and :class:`NonSmooth` at a kink."""
        poly = self.polynomial_coefficients
        if poly is not None:
            return _poly_taylor(_in_field(poly, F), x0, order, F)
        slopes = self.slopes
        if slopes is not None:
            s = F.sign(x0)
            if s == 0 and order >= 1:
                raise NonSmooth(f"{self.spec} is not differentiable at 0")
            slope = _in_field(slopes, F)[1 if s > 0 else 0]
            return ([slope * x0, slope] + [F.zero] * order)[: order + 1]
        if self.kind == "elu" and F.sign(x0) > 0:
            return ([x0, F.one] + [F.zero] * order)[: order + 1]
        if F.is_zero(x0):
            coeffs = _taylor_at_zero(self, order)
            if all(c.is_Rational for c in coeffs):
                return _in_field(coeffs, F)
            raise NotExact(f"{self.spec}: a derivative at 0 is not rational")
        if getattr(F, "exponential", False) and self.kind in EXPONENTIAL_KINDS:
            return self.exp_taylor(x0, order, F)
        raise NotExact(f"{self.spec}({F.show(x0)}) is transcendental")

    def exp_taylor(self, x0, order: int, F) -> list:
        """Exact Taylor coefficients at a rational x0 in the exponential
        field F = Q(e^(1/q)) (:class:`~losscert.fields.ExpField`), each
        activation written through the series of e^(c z):
        tanh = 1 - 2 / (1 + e^(2z)), sigmoid = 1 / (1 + e^(-z)),
        shifted_sigmoid = sigmoid - 1/2, swish = z sigmoid, elu (z < 0) = a (e^z - 1).

        >>> from losscert.fields import ExpField
        >>> F = ExpField(1)
        >>> [F.show(c) for c in activation("sigmoid").exp_taylor(F(1), 1, F)]
        ['E/(1 + E)', 'E/(1 + 2*E + exp(2))']
        """
        k, one = self.kind, F.one
        if k == "elu":
            e = F.exp_series(1, x0, order)
            a = F(self.params[0])
            return [a * (c - one) if i == 0 else a * c for i, c in enumerate(e)]
        if k == "tanh":
            inv = _series_inverse(_plus_one(F.exp_series(2, x0, order)))
            return [(one if i == 0 else F.zero) - 2 * c for i, c in enumerate(inv)]
        s = _series_inverse(_plus_one(F.exp_series(-1, x0, order)))
        if k == "shifted_sigmoid":
            return [c - F(sympy.Rational(1, 2)) if i == 0 else c for i, c in enumerate(s)]
        if k == "swish":                    # (x0 + h) s(h)
            return [x0 * c + (s[i - 1] if i else F.zero) for i, c in enumerate(s)]
        return s

    # -- high precision ---------------------------------------------------
    def mp_taylor(self, x0, order: int) -> list:
        """Taylor coefficients at an mpmath number (high precision, not rigorous)."""
        poly = self.polynomial_coefficients
        if poly is not None:
            return _poly_taylor([_mp(c) for c in poly], x0, order, None)
        slopes = self.slopes
        if slopes is not None:
            if x0 == 0 and order >= 1:
                raise NonSmooth(f"{self.spec} is not differentiable at 0")
            slope = _mp(slopes[1] if x0 > 0 else slopes[0])
            return ([slope * x0, slope] + [mpmath.mpf(0)] * order)[: order + 1]
        f = _MP_FUNCS[self.kind](self)
        return [c for c in mpmath.taylor(f, x0, order)]


    # -- rigorous (Arb balls) ------------------------------------------------
    def arb_taylor(self, x, order: int) -> list:
        """Taylor coefficients at a ball ``x``, each a ball containing the
        coefficient at every point of ``x`` (python-flint's Arb series).
        Raises :class:`NonSmooth` when ``x`` meets a kink and derivatives
        are asked for."""
        from flint import arb, arb_series
        poly = self.polynomial_coefficients
        if poly is not None:
            from .fields import to_arb
            return _poly_taylor([to_arb(c) for c in poly], x, order, None)
        zero = arb(0)
        if self.slopes is not None or self.kind == "elu":
            side = 1 if x > 0 else -1 if x < 0 else 0
            if side == 0 and order >= 1:
                raise NonSmooth(f"{self.spec} has a kink inside {x}")
            if side >= 0:
                right = ([x, arb(1)] + [zero] * order)[: order + 1]
                if side:
                    return right
        if self.slopes is not None:
            from .fields import to_arb
            slope = to_arb(self.slopes[0])
            left = ([slope * x, slope] + [zero] * order)[: order + 1]
            return left if side < 0 else [left[0].union(right[0])]
        f = _ARB_SERIES[self.kind](self)
        coeffs = f(arb_series([x, 1], prec=order + 1)).coeffs()
        coeffs = (list(coeffs) + [zero] * (order + 1))[: order + 1]
        if self.kind == "elu" and side == 0:
            return [coeffs[0].union(right[0])]
        return coeffs


EXPONENTIAL_KINDS = ("tanh", "sigmoid", "shifted_sigmoid", "swish", "elu")   # values in Q(e^(1/q)) at rationals


def _plus_one(series: list) -> list:
    return [series[0] + 1] + series[1:]


def _series_inverse(s: list) -> list:
    """1 / s as a truncated power series (s[0] invertible)."""
    r = [1 / s[0]]
    for k in range(1, len(s)):
        acc = s[1] * r[k - 1]
        for j in range(2, k + 1):
            acc = acc + s[j] * r[k - j]
        r.append(-acc * r[0])
    return r


def _pieces(expr) -> list:
    """(expression, condition) pairs: the pieces of a Piecewise, or (expr, True)."""
    if isinstance(expr, sympy.Piecewise):
        return [(e, c) for e, c in expr.args]
    return [(expr, sympy.true)]


def _linear_through_zero(e) -> bool:
    """e = a * z for a number a (checked exactly)."""
    if not e.free_symbols <= {z} or not e.is_polynomial(z):
        return False
    p = sympy.Poly(e, z)
    return p.degree() <= 1 and p.coeff_monomial(1) == 0 and all(c.is_number for c in p.all_coeffs())


def _scale_invariant(cond) -> bool:
    """The truth value of ``cond`` is the same at z and c z for every c > 0:
    True/False, z compared with 0, and and/or/not of such conditions."""
    if cond in (sympy.true, sympy.false):
        return True
    if isinstance(cond, (sympy.And, sympy.Or, sympy.Not)):
        return all(_scale_invariant(a) for a in cond.args)
    if isinstance(cond, (sympy.StrictGreaterThan, sympy.GreaterThan, sympy.StrictLessThan, sympy.LessThan,
                         sympy.Eq, sympy.Ne)):
        return {cond.lhs, cond.rhs} == {z, sympy.Integer(0)}
    return False


@lru_cache(maxsize=256)
def positive_homogeneity(expr) -> str | None:
    """A proof that sigma(c z) = c sigma(z) for every c > 0, read off the
    expression, or None: every piece is a * z for a number a (linear through
    0), and every condition is a comparison of z with 0 (its truth value is
    the same at z and c z), so z and c z select the same piece and that
    piece scales by c.

    >>> positive_homogeneity(activation("leaky_relu(1/10)").expr)
    'every piece of Piecewise((z, z > 0), (z/10, True)) is a*z and every condition compares z with 0'
    >>> positive_homogeneity(activation("elu").expr) is None
    True
    """
    pieces = _pieces(expr)
    if all(_linear_through_zero(e) and _scale_invariant(c) for e, c in pieces):
        if len(pieces) == 1:
            return f"sigma(z) = {expr} is linear through 0"
        return f"every piece of {expr} is a*z and every condition compares z with 0"
    return None


@lru_cache(maxsize=None)
def _taylor_at_zero(act: "Activation", order: int) -> tuple:
    return tuple(d / sympy.factorial(k) for k, d in enumerate(act.derivatives_at_zero(order)))


@lru_cache(maxsize=4096)
def _in_field(numbers: tuple, F) -> list:
    return [F(c) for c in numbers]


def _poly_taylor(coeffs: list, x0, order: int, F) -> list:
    """Taylor coefficients of sum c_i z^i at x0 (repeated synthetic division)."""
    cs = list(coeffs)
    zero = F.zero if F is not None else 0 * x0
    out = []
    for _ in range(order + 1):
        if not cs:
            out.append(zero)
            continue
        acc = zero
        quot = []
        for c in reversed(cs):
            acc = acc * x0 + c
            quot.append(acc)
        out.append(quot.pop())
        cs = list(reversed(quot))
    return out


_MP_FUNCS = {
    "tanh": lambda a: mpmath.tanh,
    "sigmoid": lambda a: (lambda x: 1 / (1 + mpmath.exp(-x))),
    "shifted_sigmoid": lambda a: (lambda x: 1 / (1 + mpmath.exp(-x)) - mpmath.mpf(1) / 2),
    "softplus": lambda a: (lambda x: mpmath.log1p(mpmath.exp(x))),
    "swish": lambda a: (lambda x: x / (1 + mpmath.exp(-x))),
    "elu": lambda a: (lambda x: x if x > 0 else _mp(a.params[0]) * (mpmath.exp(x) - 1)),
}


def _arb_sigmoid(s):
    return 1 / (1 + (-s).exp())


_ARB_SERIES = {
    "tanh": lambda a: (lambda s: 1 - 2 / (1 + (2 * s).exp())),
    "sigmoid": lambda a: _arb_sigmoid,
    "shifted_sigmoid": lambda a: (lambda s: _arb_sigmoid(s) - 0.5),
    "softplus": lambda a: (lambda s: (1 + s.exp()).log()),
    "swish": lambda a: (lambda s: s * _arb_sigmoid(s)),
    "elu": lambda a: (lambda s: _elu_left(a, s)),
}


def _elu_left(act, s):
    from .fields import to_arb
    return to_arb(act.params[0]) * (s.exp() - 1)


def _mp(c: sympy.Expr):
    return mpmath.mpf(c.p) / c.q if c.is_Rational else mpmath.mpf(sympy.N(c, mpmath.mp.dps + 10))


NAMES = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "shifted_sigmoid",
         "softplus", "swish", "elu", "poly")
_ARITY = {"leaky_relu": (1, 1), "elu": (0, 1), "poly": (1, 64)}
_SPEC = re.compile(r"^\s*([A-Za-z_]+)\s*(?:\((.*)\))?\s*$", re.S)


def activation(spec: str | Activation) -> Activation:
    """Parse an activation spec string (see module docstring)."""
    if isinstance(spec, Activation):
        return spec
    if not isinstance(spec, str):
        raise ActivationError(f"activation must be a string, got {type(spec).__name__}")
    m = _SPEC.match(spec)
    if not m or m.group(1) not in NAMES:
        raise ActivationError(f"unknown activation {spec!r} (known: {', '.join(NAMES)})")
    name, argtext = m.group(1), m.group(2)
    lo, hi = _ARITY.get(name, (0, 0))
    args = [] if argtext is None or not argtext.strip() else argtext.split(",")
    if not lo <= len(args) <= hi:
        raise ActivationError(f"activation {spec!r}: {name} takes {lo}..{hi} arguments, got {len(args)}")
    try:
        params = tuple(parse_number(a) for a in args)
    except NumberError as exc:
        raise ActivationError(f"activation {spec!r}: {exc}") from None
    if name == "elu" and not params:
        params = (sympy.Integer(1),)
    if name == "poly":
        while len(params) > 1 and params[-1] == 0:
            params = params[:-1]
    canonical = name if not params or (name == "elu" and params == (1,)) else \
        f"{name}({', '.join(str(p) for p in params)})"
    return Activation(name, params, canonical)
