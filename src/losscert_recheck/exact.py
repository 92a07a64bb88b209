"""Exact numbers and expressions for the rechecker (standard library and python-flint only).

The statement language's text (numbers, ``+ - * / **``, ``sqrt``, symbols,
activation calls, transcendental functions) is read with :mod:`ast` and a
whitelist into elements of Q(sqrt p1, ..., sqrt pk)(symbols, atoms):

- ``sqrt`` of a rational is written over square roots of primes, whose
  square-free monomials are a basis over Q: a reduced numerator is zero
  exactly when the number is (no atoms);
- any other function of a number or symbol (``tanh(2)``, ``pi``) is an *atom*,
  an independent indeterminate: a formally zero result is zero whatever its
  value; a non-zero needs an Arb enclosure (no symbols).

>>> r = Reader(["sqrt(8)/2 - sqrt(2)", "(a + b)**2 - a**2 - 2*a*b - b**2"])
>>> [r.value(t).is_zero() for t in r.texts]
[True, True]
>>> Reader(["x**2"]).value("x**2").is_zero(), Reader(["tanh(1)"]).value("tanh(1)").sign()
(False, 1)
"""
from __future__ import annotations

import ast
from fractions import Fraction

from flint import arb, ctx as flint_ctx, fmpq, fmpq_mpoly_ctx, fmpz

MAX_TEXT = 200_000          # characters of one expression
MAX_EXPONENT = 1000         # |k| in e ** k
MAX_BITS = 200_000          # bits of a rational literal or power
MAX_NODES = 200_000         # AST nodes of one expression
PRECISIONS = (64, 256, 1024, 4096)    # Arb precisions (bits) tried for a sign
ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish", "elu",
               "poly")
TRANSCENDENTAL = ("tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish", "elu", "exp", "log", "sin", "cos",
                  "tan", "sinh", "cosh", "atan", "asinh")

class Rejected(ValueError):
    """The statement or certificate is wrong or unreadable: the message says why."""

class NotCovered(ValueError):
    """What the rechecker does not handle (the message says what)."""

# -- reading text -------------------------------------------------------------------------------

def parse(text) -> ast.AST:
    """The expression tree of ``text`` (an int, or a string of the statement language)."""
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise Rejected(f"{text!r}: not an expression text")
    text = str(text)
    if len(text) > MAX_TEXT:
        raise Rejected(f"an expression of more than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise Rejected(f"{text[:60]!r}: not an expression ({type(exc).__name__})") from None
    nodes = 0
    for node in ast.walk(tree):
        nodes += 1
        if nodes > MAX_NODES or not isinstance(node, _ALLOWED):
            raise Rejected(f"{text[:60]!r}: {type(node).__name__} is not allowed" if nodes <= MAX_NODES
                           else "an expression too large")
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            node.exact = _decimal(ast.get_source_segment(text.strip(), node))   # the digits written, not a float
    return tree

def _decimal(digits) -> Fraction:
    if digits is None or len(digits) > MAX_TEXT or not all(c in "0123456789.eE+-_" for c in digits):
        raise Rejected(f"{digits!r}: not a decimal number")
    try:
        return Fraction(digits.replace("_", ""))
    except (ValueError, ZeroDivisionError):
        raise Rejected(f"{digits!r}: not a decimal number") from None

_ALLOWED = (ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div,
            ast.Pow, ast.USub, ast.UAdd)

def literal(node: ast.Constant) -> Fraction:
    """An int or decimal literal, exactly (0.1 is 1/10)."""
    v = node.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Rejected(f"{v!r}: not a number")
    if isinstance(v, int):
        return Fraction(v)
    exact = getattr(node, "exact", None)
    if exact is None:
        raise Rejected(f"{v!r}: a decimal without its digits")
    return exact

def small_rational(node) -> Fraction | None:
    """A number-only subtree (no names, calls) as a Fraction, else None."""
    if isinstance(node, ast.Constant):
        return literal(node)
    if isinstance(node, ast.UnaryOp):
        v = small_rational(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Pow):
        a, b = small_rational(node.left), small_rational(node.right)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise Rejected("division by zero")
            return a / b
        return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b
    if isinstance(node, ast.BinOp):
        a, b = small_rational(node.left), small_rational(node.right)
        if a is None or b is None or b.denominator != 1 or abs(b) > 64:
            return None
        if a == 0 and b < 0:
            raise Rejected("division by zero")
        if max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(int(b)) > MAX_BITS:
            raise Rejected(f"a number of more than {MAX_BITS} bits")
        return a ** int(b)
    return None

def _primes(n: int) -> list:
    """The prime factors of n with odd exponent, and the square part: n = square**2 * prod(primes)."""
    if n > 10 ** 40:
        raise NotCovered("a radicand with more than 40 digits")
    odd, square, p = [], 1, 2
    while p * p <= n:
        k = 0
        while n % p == 0:
            n //= p
            k += 1
        square *= p ** (k // 2)
        if k % 2:
            odd.append(p)
        p += 1 if p == 2 else 2
        if p > 10 ** 6:
            raise NotCovered("a radicand with a large prime factor")
    if n > 1:
        odd.append(n)
    return odd, square

def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Call) and isinstance(f.func, ast.Name):
        return f.func.id
    raise Rejected("only named functions may be called")

class Reader:
    """Reads a set of texts into one exact ring: the generators are the
    symbols (``names`` maps identifiers to symbol names), the square roots of
    primes and the atoms met in any of them."""
    def __init__(self, texts, names=None):
        self.names = dict(names or {})
        self.texts = [t for t in texts]
        self.symbols: dict = {}          # symbol name -> generator index
        self.primes: set = set()
        self.atoms: dict = {}            # atom text -> its tree
        trees = [parse(t) for t in self.texts]
        for tree in trees:
            self._scan(tree)
        gens = ([f"s{i}" for i in range(len(self.symbols))] + [f"r{p}" for p in sorted(self.primes)]
                + [f"a{i}" for i in range(len(self.atoms))])
        self.symbol_names = sorted(self.symbols)
        self.symbols = {s: i for i, s in enumerate(self.symbol_names)}
        self.prime_index = {p: len(self.symbols) + i for i, p in enumerate(sorted(self.primes))}
        self.atom_index = {a: len(self.symbols) + len(self.primes) + i for i, a in enumerate(sorted(self.atoms))}
        self.ring = Ring(gens, self) if gens else None
        self._trees = dict(zip(map(str, self.texts), trees))

    # the generators
    def _scan(self, node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and small_rational(node.right) is None:
            self.atoms[ast.unparse(node)] = node        # a**b with a symbolic exponent: an atom
        if isinstance(node, ast.Name):
            if node.id in ("pi", "E"):
                self.atoms[node.id] = node
            elif node.id in ACTIVATIONS or node.id in ("sqrt", "e", "I", "oo", "inf", "nan", "zoo"):
                raise Rejected(f"{node.id}: not a value")
            else:
                self.symbols[self.names.get(node.id, node.id)] = None
            return
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "sqrt":
                self._check_args(node, 1)
                v = small_rational(node.args[0])
                if v is not None:
                    if v < 0:
                        raise Rejected("sqrt of a negative number")
                    self.primes.update(_primes(v.numerator * v.denominator)[0])
                    return
                self.atoms[ast.unparse(node)] = node
                self._scan_inner(node)
                return
            if name in ("poly", "leaky_relu") and isinstance(node.func, ast.Call):
                for a in node.func.args:
                    if small_rational(a) is None:
                        raise Rejected(f"{name}: the coefficients must be rational numbers")
                self._check_args(node, 1)
                if name == "leaky_relu":
                    self.atoms[ast.unparse(node)] = node
                self._scan(node.args[0])
                return
            if name in ("linear", "relu"):
                self._check_args(node, 1)
                if name == "relu":
                    self.atoms[ast.unparse(node)] = node
                self._scan(node.args[0])
                return
            if name in TRANSCENDENTAL or name == "elu":
                key, _ = odd_key(node)
                if key:
                    self.atoms[key] = ast.parse(key, mode="eval").body
                elif key is None:
                    self.atoms[ast.unparse(node)] = node
                self._scan_inner(node)
                return
            raise Rejected(f"{name}: not a function of the statement language")
        for child in ast.iter_child_nodes(node):
            self._scan(child)

    def _scan_inner(self, node):
        for a in node.args:
            self._scan(a)

    @staticmethod
    def _check_args(node, n):
        if len(node.args) != n or node.keywords:
            raise Rejected(f"{_call_name(node)}: takes {n} argument(s)")

    # values
    def value(self, text):
        """The element of ``text`` (a text given to the constructor)."""
        tree = self._trees.get(str(text))
        if tree is None:
            raise Rejected(f"{text!r}: not read")
        return self._eval(tree)

    def const(self, q):
        return self.ring.const(q) if self.ring else fmpq(q.numerator, q.denominator) if isinstance(q, Fraction) \
            else fmpq(q)

    def _eval(self, node):
        if isinstance(node, ast.Constant):
            return self.const(literal(node))
        if isinstance(node, ast.Name):
            if node.id in ("pi", "E"):
                return self.ring.gen(self.atom_index[node.id])
            return self.ring.gen(self.symbols[self.names.get(node.id, node.id)])
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        name = _call_name(node)
        if name == "sqrt":
            v = small_rational(node.args[0])
            if v is None:
                return self.ring.gen(self.atom_index[ast.unparse(node)])
            return self._sqrt(v)
        if name == "linear":
            return self._eval(node.args[0])
        if name == "poly" and isinstance(node.func, ast.Call):
            x, out = self._eval(node.args[0]), self.const(Fraction(0))
            for c in reversed(node.func.args):
                out = out * x + self.const(small_rational(c))
            return out
        if name == "leaky_relu" and isinstance(node.func, ast.Call):
            if len(node.func.args) != 1:
                raise Rejected("leaky_relu: takes one slope")
            return self._relu(node, small_rational(node.func.args[0]))
        if name == "relu":
            return self._relu(node, Fraction(0))
        key, sign_ = odd_key(node)
        if key == "":
            return self.const(Fraction(0))          # an odd function at 0
        if key:
            return self.ring.gen(self.atom_index[key]) * sign_
        return self.ring.gen(self.atom_index[ast.unparse(node)])

    def _relu(self, node, slope):
        x = self._eval(node.args[0])
        s = sign(x)
        if s is None:
            if name_of(node) in self.atoms:
                return self.ring.gen(self.atom_index[name_of(node)])
            raise NotCovered("the sign inside a leaky_relu is not decided")
        return x if s > 0 else x * self.const(slope)

    def _sqrt(self, v: Fraction):
        """sqrt(n/d) = (square part) * prod sqrt(p) / d, over the primes of n*d with odd exponent."""
        odd, square = _primes(v.numerator * v.denominator)
        out = self.const(Fraction(square, v.denominator))
        for p in odd:
            out = out * self.ring.gen(self.prime_index[p])
        return out

    def _binop(self, node):
        op = node.op
        if isinstance(op, ast.Pow):
            k = small_rational(node.right)
            if k is None:
                return self.ring.gen(self.atom_index[ast.unparse(node)])
            if k.denominator == 2:
                base = small_rational(node.left)
                if base is None or base < 0:
                    raise NotCovered("a half-integer power of a non-number")
                return _power(self._sqrt(base), k.numerator, self)
            if k.denominator != 1:
                raise NotCovered("a fractional power other than a square root")
            if abs(k) > MAX_EXPONENT:
                raise Rejected(f"exponent beyond {MAX_EXPONENT}")
            return _power(self._eval(node.left), int(k), self)
        a, b = self._eval(node.left), self._eval(node.right)
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        return divide(a, b)

    # Arb enclosures of atoms
    def atom_ball(self, index: int):
        """An Arb ball of atom ``index`` (at the current precision)."""
        text = sorted(self.atoms)[index - len(self.symbols) - len(self.primes)]
        return arb_of(self.atoms[text], self)

ODD = ("tanh", "shifted_sigmoid", "sin", "tan", "sinh", "atan", "asinh")

def odd_key(node) -> tuple:
    """(canonical atom text, sign) of an odd function at a rational: tanh(-1/3) is -tanh(1/3) and tanh(0)
    is 0 (text ""); (None, 1) for any other call."""
    if not (isinstance(node.func, ast.Name) and node.func.id in ODD and len(node.args) == 1):
        return None, 1
    v = small_rational(node.args[0])
    if v is None:
        return None, 1
    if v == 0:
        return "", 1
    return f"{node.func.id}({abs(v)})", (1 if v > 0 else -1)

def name_of(node) -> str:
    return ast.unparse(node)

MAX_DEGREE = 100_000        # total degree of a power of a polynomial; bits of a power of a number

def _power(x, k: int, reader):
    if isinstance(x, Element):
        degree = max((sum(m) for p in (x.num, x.den) for m in p.to_dict()), default=0)
        if degree * abs(k) > MAX_DEGREE:
            raise Rejected(f"a power of degree beyond {MAX_DEGREE}")
    elif x != 0 and max(int(x.p).bit_length(), int(x.q).bit_length()) * abs(k) > MAX_BITS:
        raise Rejected(f"a power of more than {MAX_BITS} bits")
    if k < 0:
        return divide(reader.const(Fraction(1)), x ** (-k))
    return x ** k

def divide(a, b):
    """a / b, with b provably non-zero (Rejected otherwise)."""
    if is_zero(b):
        raise Rejected("division by zero")
    if isinstance(b, Element) and b.has_atoms():
        if b.ring.symbols_in(b) or sign(b) is None:
            raise NotCovered("a denominator with transcendental constants not provably non-zero")
    return a / b

def is_zero(x) -> bool:
    return x.is_zero() if isinstance(x, Element) else x == 0

def sign(x) -> int | None:
    """The sign of a number (exact, or by Arb with atoms); None if undecided or it has symbols."""
    if isinstance(x, Element):
        return x.sign()
    return (x > 0) - (x < 0)

# -- the ring: fractions of polynomials over Q with square-root reduction -----------------------

class Ring:
    """Q[gens] fractions; generators r<p> are square roots of primes (r<p>**2 = p)."""
    def __init__(self, gens, reader):
        self.gens = gens
        self.ctx = fmpq_mpoly_ctx.get(tuple(gens), "lex")
        self.reader = reader
        self.roots = {i: int(g[1:]) for i, g in enumerate(gens) if g[0] == "r"}
        self.atom_positions = [i for i, g in enumerate(gens) if g[0] == "a"]
        self.symbol_positions = [i for i, g in enumerate(gens) if g[0] == "s"]
        self.one = self.ctx.from_dict({(0,) * len(gens): 1})
        self.signs: dict = {}            # generator index -> +1 / -1: a symbol of strict sign on the region
        self.chains: list = []           # [[(index, c), ...]]: c0 x0 > c1 x1 > ... > 0 on the region

    def polynomial_sign(self, p) -> int | None:
        """The sign of a polynomial on the whole region: a monomial in signed symbols (square roots of
        primes are positive), or coefficients of one sign in positive symbols; else None."""
        terms = p.to_dict()
        signs = {**self.signs, **{i: 1 for i in self.roots}}
        used = {i for m in terms for i, k in enumerate(m) if k}
        if not terms or any(i not in signs for i in used):
            return None
        if len(terms) == 1:
            (m, c), = terms.items()
            out = 1 if c > 0 else -1
            for i, k in enumerate(m):
                out *= signs[i] ** k if k else 1
            return out
        if all(signs[i] > 0 for i in used) and len({c > 0 for c in terms.values()}) == 1:
            return 1 if next(iter(terms.values())) > 0 else -1
        return self._chain_sign(p) if self.chains else None

    def _chain_sign(self, p) -> int | None:
        """The same rule after writing each chain c0 x0 > c1 x1 > ... > ck xk > 0 with new positive
        variables: ck xk = u1, c(k-1) x(k-1) = u1 + u2, ... (so y3**2 - y4**2 > 0 when y3 > y4 > 0)."""
        images, extra = list(self.ctx.gens()), 0
        new = self.gens + [f"u{k}" for k in range(sum(len(c) for c in self.chains))]
        ctx = fmpq_mpoly_ctx.get(tuple(new), "lex")
        gens = ctx.gens()
        images = list(gens[:len(self.gens)])
        for chain in self.chains:
            us = gens[len(self.gens) + extra:len(self.gens) + extra + len(chain)]
            extra += len(chain)
            total = 0
            for (i, c), u in zip(reversed(chain), us):
                total = total + u
                images[i] = total * fmpq(1) / fmpq(c.numerator, c.denominator)
        q = p.compose(*images, ctx=ctx)
        terms = q.to_dict()
        used = {i for m in terms for i, k in enumerate(m) if k}
        positive = {i for i, s in self.signs.items() if s > 0} | set(self.roots) | set(range(len(self.gens), len(new)))
        if terms and used <= positive and len({c > 0 for c in terms.values()}) == 1:
            return 1 if next(iter(terms.values())) > 0 else -1
        return None

    def reduce(self, p):
        if not self.roots or p == 0:
            return p
        terms = p.to_dict()
        if all(m[i] < 2 for i in self.roots for m in terms):
            return p
        out: dict = {}
        for m, c in terms.items():
            m = list(m)
            for i, prime in self.roots.items():
                if m[i] >= 2:
                    c = c * fmpz(prime) ** (m[i] // 2)
                    m[i] %= 2
            out[tuple(m)] = out.get(tuple(m), 0) + c
        return self.ctx.from_dict({m: c for m, c in out.items() if c != 0})

    def const(self, q):
        return Element(self, self.one * fmpq(q.numerator, q.denominator) if isinstance(q, Fraction)
                       else self.one * q, self.one)

    def gen(self, i):
        return Element(self, self.ctx.gens()[i], self.one)

    def symbols_in(self, x) -> bool:
        return any(m[i] for p in (x.num, x.den) for m in p.to_dict() for i in self.symbol_positions)

    def ball(self, p):
        """An Arb ball of a polynomial without symbols."""
        out = arb(0)
        for m, c in p.to_dict().items():
            t = arb(fmpq(c))
            for i, k in enumerate(m):
                if k:
                    g = arb(self.roots[i]).sqrt() if i in self.roots else self.reader.atom_ball(i)
                    t *= g ** k
            out += t
        return out

class Element:
    """num / den in a :class:`Ring` (den provably non-zero)."""
    __slots__ = ("ring", "num", "den")

    def __init__(self, ring, num, den):
        self.ring = ring
        num, den = ring.reduce(num), ring.reduce(den)
        if num == 0:
            den = ring.one
        elif den != ring.one and not ring.roots:
            g = num.gcd(den)
            if g != 1:
                num, den = num / g, den / g
        self.num, self.den = num, den

    def _lift(self, other):
        if isinstance(other, Element):
            return other
        return self.ring.const(other)

    def __add__(self, other):
        o = self._lift(other)
        if self.den == o.den:
            return Element(self.ring, self.num + o.num, self.den)
        return Element(self.ring, self.num * o.den + o.num * self.den, self.den * o.den)
    __radd__ = __add__

    def __neg__(self):
        return Element(self.ring, -self.num, self.den)

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) - self

    def __mul__(self, other):
        o = self._lift(other)
        return Element(self.ring, self.num * o.num, self.den * o.den)
    __rmul__ = __mul__

    def __truediv__(self, other):
        o = self._lift(other)
        if o.num == 0:
            raise Rejected("division by zero")
        return Element(self.ring, self.num * o.den, self.den * o.num)

    def __pow__(self, k: int):
        out, base = self.ring.const(Fraction(1)), self
        while k:
            if k & 1:
                out = out * base
            base, k = base * base, k >> 1
        return out

    def is_zero(self) -> bool:
        """Exactly zero (formally, when atoms occur: zero for every value of the atoms)."""
        return self.num == 0

    def has_atoms(self) -> bool:
        return any(m[i] for p in (self.num, self.den) for m in p.to_dict() for i in self.ring.atom_positions)

    def rational(self):
        """The value as an fmpq when it is a rational number, else None."""
        if self.num == 0:
            return fmpq(0)
        if self.num.is_constant() and self.den.is_constant():
            return fmpq(self.num.leading_coefficient()) / fmpq(self.den.leading_coefficient())
        return None

    def sign(self) -> int | None:
        q = self.rational()
        if q is not None:
            return (q > 0) - (q < 0)
        if self.ring.symbols_in(self):
            a, b = self.ring.polynomial_sign(self.num), self.ring.polynomial_sign(self.den)
            return None if a is None or b is None else a * b
        old = flint_ctx.prec
        try:
            for bits in PRECISIONS:
                flint_ctx.prec = bits
                try:
                    b = self.ring.ball(self.num) / self.ring.ball(self.den)
                except NotCovered:
                    return None
                if b > 0:
                    return 1
                if b < 0:
                    return -1
                if not self.has_atoms() and self.num == 0:
                    return 0
        finally:
            flint_ctx.prec = old
        return None

    def ball(self):
        return self.ring.ball(self.num) / self.ring.ball(self.den)

    def substitute(self, values: dict):
        """The element with symbols replaced by numbers (``values``: symbol index -> Element)."""
        n = _subs(self.ring, self.num, values)
        d = _subs(self.ring, self.den, values)
        if d.is_zero():
            raise Rejected("a denominator vanishes at the given point")
        return n / d

    def __repr__(self):
        return f"({self.num})/({self.den})"

def _subs(ring, p, values):
    out = ring.const(Fraction(0))
    for m, c in p.to_dict().items():
        t = ring.const(fmpq(c))
        for i, k in enumerate(m):
            if k:
                g = values[i] if i in values else ring.gen(i)
                t = t * g ** k
        out = out + t
    return out

# -- Arb values of atoms ----------------------------------------------------------------------

def arb_of(node, reader):
    """An Arb ball of a number-only expression tree (atoms included)."""
    if isinstance(node, ast.Constant):
        q = literal(node)
        return arb(fmpq(q.numerator, q.denominator))
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return arb.pi()
        if node.id == "E":
            return arb(1).exp()
        raise NotCovered(f"{node.id}: a symbol inside a transcendental constant")
    if isinstance(node, ast.UnaryOp):
        v = arb_of(node.operand, reader)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = arb_of(node.left, reader), arb_of(node.right, reader)
        if isinstance(node.op, ast.Pow):
            k = small_rational(node.right)
            if k is not None and k.denominator == 1:
                return a ** int(k)
            if not a > 0:
                raise NotCovered("a power of a base not provably positive")
            return (a.log() * b).exp()
        if isinstance(node.op, ast.Div):
            if not (b > 0 or b < 0):
                raise NotCovered("a divisor not provably non-zero")
            return a / b
        return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b
    name = _call_name(node)
    x = arb_of(node.args[0], reader)
    if name == "poly":
        out = arb(0)
        for c in reversed(node.func.args):
            q = small_rational(c)
            out = out * x + arb(fmpq(q.numerator, q.denominator))
        return out
    return activation_ball(name, x, [small_rational(a) for a in getattr(node.func, "args", [])])

def activation_ball(name, x, params=(), derivative=False):
    """Arb ball of a named function at the ball x; with ``derivative``, (f(x), f'(x)) for an activation."""
    if derivative == 2:
        return activation_ball(name, x, params), _derivative_ball(name, x, params), _second_ball(name, x, params)
    if derivative:
        return activation_ball(name, x, params), _derivative_ball(name, x, params)
    if name in ("sqrt", "log") and not x > 0:
        raise NotCovered(f"{name} of a number not provably positive")
    simple = {"tanh": arb.tanh, "exp": arb.exp, "log": arb.log, "sin": arb.sin, "cos": arb.cos, "tan": arb.tan,
              "sinh": arb.sinh, "cosh": arb.cosh, "atan": arb.atan, "asinh": arb.asinh, "sqrt": arb.sqrt}
    if name in simple:
        return simple[name](x)
    if name == "linear":
        return x
    if name == "poly":
        out = arb(0)
        for c in reversed(params):
            out = out * x + arb(fmpq(c.numerator, c.denominator))
        return out
    if name == "sigmoid":
        return 1 / (1 + (-x).exp())
    if name == "shifted_sigmoid":
        return 1 / (1 + (-x).exp()) - arb(1) / 2
    if name == "softplus":
        return (1 + x.exp()).log()
    if name == "swish":
        return x / (1 + (-x).exp())
    if name in ("relu", "leaky_relu", "elu"):
        slope = arb(fmpq(params[0].numerator, params[0].denominator)) if params and params[0] is not None \
            else arb(0 if name == "relu" else 1)
        if x > 0:
            return x
        if x < 0:
            return x * slope if name != "elu" else slope * (x.exp() - 1)
        raise NotCovered(f"{name} at a ball containing its kink")
    raise NotCovered(f"no enclosure for {name}")

def _derivative_ball(name, x, params):
    """f'(x) for the activations (kinks: only away from 0)."""
    q = [arb(fmpq(c.numerator, c.denominator)) for c in params if c is not None]
    if name == "linear":
        return arb(1)
    if name == "poly":
        out = arb(0)
        for k in range(len(q) - 1, 0, -1):
            out = out * x + q[k] * k
        return out
    if name == "tanh":
        return 1 - x.tanh() ** 2
    if name in ("sigmoid", "shifted_sigmoid", "swish", "softplus"):
        s = 1 / (1 + (-x).exp())
        return {"sigmoid": s * (1 - s), "shifted_sigmoid": s * (1 - s), "softplus": s,
                "swish": s + x * s * (1 - s)}[name]
    if name in ("relu", "leaky_relu", "elu"):
        if x > 0:
            return arb(1)
        if x < 0:
            slope = q[0] if q else arb(0 if name == "relu" else 1)
            return slope if name != "elu" else slope * x.exp()
        raise NotCovered(f"{name}' at a ball containing its kink")
    raise NotCovered(f"no derivative enclosure for {name}")

def _second_ball(name, x, params):
    """f''(x) for the activations (kinks: only away from 0)."""
    q = [arb(fmpq(c.numerator, c.denominator)) for c in params if c is not None]
    if name in ("linear", "relu", "leaky_relu"):
        _derivative_ball(name, x, params)             # raises at a kink
        return arb(0)
    if name == "poly":
        out = arb(0)
        for k in range(len(q) - 1, 1, -1):
            out = out * x + q[k] * k * (k - 1)
        return out
    if name == "tanh":
        t = x.tanh()
        return -2 * t * (1 - t * t)
    if name in ("sigmoid", "shifted_sigmoid", "swish", "softplus"):
        s = 1 / (1 + (-x).exp())
        d1, d2 = s * (1 - s), s * (1 - s) * (1 - 2 * s)
        return {"sigmoid": d2, "shifted_sigmoid": d2, "softplus": d1, "swish": 2 * d1 + x * d2}[name]
    if name == "elu":
        if x < 0:
            return (q[0] if q else arb(1)) * x.exp()
        if x > 0:
            return arb(0)
    raise NotCovered(f"no second-derivative enclosure for {name} here")
