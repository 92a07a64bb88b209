"""Graph + data -> the exact loss and its evaluators.

``compile_loss(network, X, Y)`` returns a :class:`Loss`:
``L(theta) = scale * ||F(theta) - Y||_F^2`` (``scale = 1/2`` by default),
with the ordered parameters, the symbolic expression (for display) and exact
evaluators of the value, gradient, Hessian and of Taylor expansions along
curves. All evaluators share one forward/backward pass written once over an
*algebra* of numbers (exact field elements, truncated Taylor series, mpmath
numbers); the exact Hessian uses the structure of the network (Jacobian and
residual terms) instead of differentiating one big expression.

>>> from losscert.network import dense
>>> loss = compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])
>>> theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": 2})
>>> loss.value(theta), loss.gradient(theta)
(0, [0, 0])
>>> loss.hessian(theta)
Matrix([
[20, 10],
[10,  5]])

Public values are SymPy (numbers, rational functions of declared symbols,
``sympy.Matrix``); ``raw=True`` gives the fast internal types behind them
(field elements such as ``flint.fmpq`` or ``ANP``, a ``DomainMatrix``), which
the kernel uses throughout:

>>> type(loss.hessian(theta, raw=True)).__name__, loss.field.to_sympy(loss.value(theta, raw=True))
('DomainMatrix', 0)
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property

import mpmath
import sympy
from sympy.polys.matrices import DomainMatrix
from sympy.polys.polyerrors import CoercionFailed

from . import convert
from . import integer_pass
from . import intervals as iv
from .activations import Activation
from .names import ParameterSymbol, identifier, latex_name
from .fields import Field, FieldError
from .network import Network
from .numbers import NumberError, parse_number
from .symbolic import ParametricField, Parameters


class CompileError(ValueError):
    pass


class PointError(ValueError):
    pass


class ExponentialPoint(PointError):
    """A point with exponentials exp(r): exact only in Q(e^(1/q)) (kernel.exponential decides there)."""


@dataclass(frozen=True)
class Step:
    """One non-input node: its slot, activation (None: linear output) and
    incoming terms (source slot, parameter index or None, constant)."""
    slot: int
    name: str
    activation: Activation | None
    terms: tuple          # ((src_slot, param_index | None, const | None), ...)
    bias: int | None      # parameter index of the bias


# --------------------------------------------------------------------------
# algebras: what the forward/backward pass computes with

class FieldAlgebra:
    """Exact field elements."""
    def __init__(self, F: Field):
        self.F, self.zero = F, F.zero

    def lift(self, c):
        """A field constant as an element of the algebra."""
        return c

    def const(self, c):
        """A field constant as a multiplier for :meth:`scale`."""
        return c

    def add(self, a, b):
        return a + b

    def mul(self, a, b):
        return a * b

    scale = mul

    def activate(self, act: Activation, a, derivative: bool):
        c = act.taylor(a, 1 if derivative else 0, self.F)
        return c[0], (c[1] if derivative else None)


class MPAlgebra(FieldAlgebra):
    """mpmath numbers at the working precision (exploration, never a verdict)."""
    def __init__(self, F: Field):
        self.F, self.zero = F, mpmath.mpf(0)

    def lift(self, c):
        return _to_mp(self.F, c)

    const = lift

    def activate(self, act, a, derivative):
        c = act.mp_taylor(a, 1 if derivative else 0)
        return c[0], (c[1] if derivative else None)


class JetAlgebra:
    """Truncated power series in t of a given order, coefficients in a ring
    (field elements, or polynomials over the field for symbolic directions)."""
    def __init__(self, F: Field, order: int, ring_zero=None, base=None):
        self.F, self.order = F, order
        self.rzero = F.zero if ring_zero is None else ring_zero
        self.base = base or (lambda x: x)       # constant ring element -> field element
        self.zero = [self.rzero] * (order + 1)

    def lift(self, c):
        return [self.rzero + c] + [self.rzero] * self.order

    def const(self, c):
        return c

    def add(self, a, b):
        return [x + y for x, y in zip(a, b)]

    def mul(self, a, b):
        n = self.order + 1
        out = [self.rzero] * n
        for i, x in enumerate(a):
            if not x:
                continue
            for j in range(n - i):
                if b[j]:
                    out[i + j] += x * b[j]
        return out

    def scale(self, a, c):
        return [x * c for x in a]

    def compose(self, coeffs, a):
        """sum_j coeffs[j] * (a - a0)^j, truncated (Horner)."""
        delta = [self.rzero] + list(a[1:])
        out = [self.rzero + coeffs[-1]] + [self.rzero] * self.order     # coefficients are ring elements
        for c in reversed(coeffs[:-1]):
            out = self.mul(out, delta)
            out[0] = out[0] + c
        return out

    def coefficients(self, act, x0, order):
        return act.taylor(x0, order, self.F)

    def activate(self, act, a, derivative):
        n = self.order
        c = self.coefficients(act, self.base(a[0]), n + (1 if derivative else 0))
        value = self.compose(c[: n + 1], a)
        if not derivative:
            return value, None
        dc = [c[j + 1] * (j + 1) for j in range(n + 1)]
        return value, self.compose(dc, a)


class MPJetAlgebra(JetAlgebra):
    """Truncated power series with mpmath coefficients (high precision)."""
    def __init__(self, F: Field, order: int):
        super().__init__(F, order, ring_zero=mpmath.mpf(0))

    def lift(self, c):
        return [_to_mp(self.F, c)] + [self.rzero] * self.order

    def const(self, c):
        return _to_mp(self.F, c)

    def coefficients(self, act, x0, order):
        return act.mp_taylor(x0, order)


# --------------------------------------------------------------------------


class _Lifts:
    """Field constants as balls, converted once per evaluation. The cache is
    keyed by object identity (hashing a Fraction costs a modular inverse,
    and the data are the same objects on every call); an entry keeps its
    constant alive, so an identity is never reused while cached."""
    def __init__(self, F: Field):
        self.F = F
        self.cache: dict = {}

    def __call__(self, c):
        hit = self.cache.get(id(c))
        if hit is not None and hit[0] is c:
            return hit[1]
        ball = iv.field_to_arb(self.F, c)
        self.cache[id(c)] = (c, ball)
        return ball


class ArbAlgebra(FieldAlgebra):
    """Arb balls at the current precision (rigorous)."""
    def __init__(self, F: Field):
        iv.require()
        self.F, self.zero = F, iv.flint.arb(0)
        self.lift = self.const = _Lifts(F)  # type: ignore[method-assign]

    def activate(self, act, a, derivative):
        c = act.arb_taylor(a, 1 if derivative else 0)
        return c[0], (c[1] if derivative else None)


class ArbJetAlgebra(JetAlgebra):
    """Truncated power series with Arb-ball coefficients (rigorous)."""
    def __init__(self, F: Field, order: int):
        iv.require()
        super().__init__(F, order, ring_zero=iv.flint.arb(0))
        self._lift = _Lifts(F)

    def lift(self, c):
        return [self._lift(c)] + [self.rzero] * self.order

    def const(self, c):
        return self._lift(c)

    def coefficients(self, act, x0, order):
        return act.arb_taylor(x0, order)


class Loss:
    """The compiled loss of a network on data (see module docstring)."""

    def __init__(self, network: Network, X, Y, scale=sympy.Rational(1, 2), extra_numbers=(), symbols=None,
                 field: Field | None = None):
        self.network = network
        self.parameters = _parameters(symbols)      # declared symbols (kernel.parametric decides), or None
        self._read = _number if self.parameters is None else _symbolic_reader(self.parameters)
        self.X_sym = _matrix(X, "X", len(network.inputs), self._read)
        self.Y_sym = _matrix(Y, "Y", len(network.outputs), self._read)
        if len(self.X_sym[0]) != len(self.Y_sym[0]):
            raise CompileError(f"data: X has {len(self.X_sym[0])} columns (samples) but Y has {len(self.Y_sym[0])}")
        self.scale_sym = _number(scale, "scale")
        if not self.scale_sym > 0:
            raise CompileError("scale: must be positive")
        numbers = [x for row in self.X_sym + self.Y_sym for x in row] + network.numbers() \
            + [self.scale_sym] + list(extra_numbers)
        self.field = field if field is not None else \
            Field.for_numbers(numbers) if self.parameters is None else ParametricField(self.parameters)
        convert.remember_field(self.field.domain)
        F = self.field
        self.X = [[F(x) for x in row] for row in self.X_sym]
        self.Y = [[F(y) for y in row] for row in self.Y_sym]
        self.scale = F(self.scale_sym)
        self.n = len(self.X[0])
        self.params = network.parameters
        slots = {name: i for i, name in enumerate(network.inputs)}
        steps = []
        for name in network.topological_order:
            if name in slots:
                continue
            slots[name] = len(slots)
            terms = []
            for u in network.graph.predecessors(name):
                s = network.edge_slot(u, name)
                terms.append((slots[u], s.param, None if s.const is None else F(s.const)))
            b = network.bias_slot(name)
            steps.append(Step(slots[name], name, network.activation(name), tuple(terms),
                              None if b is None else b.param))
        self.steps = tuple(steps)
        check_degree(self.steps, len(network.inputs))
        self.n_slots = len(slots)
        self.output_slots = [slots[o] for o in network.outputs]
        self.n_inputs = len(network.inputs)

    def extended(self, numbers) -> "Loss":
        """The same loss over a field that also holds ``numbers``."""
        return Loss(self.network, self.X_sym, self.Y_sym, self.scale_sym, extra_numbers=numbers, symbols=self.parameters)

    def over(self, field: Field) -> "Loss":
        """The same loss computed in ``field`` (which must hold the data), e.g.
        an :class:`~losscert.fields.ExpField` for tanh or sigmoid networks."""
        return Loss(self.network, self.X_sym, self.Y_sym, self.scale_sym, symbols=self.parameters, field=field)

    def holding(self, *points) -> "Loss":
        """This loss, or the same loss over a larger field, so that every
        coordinate of ``points`` (mappings or sequences of numbers) is exact."""
        nums = [self._read(v, "point") for p in points for v in (p.values() if isinstance(p, dict) else p)
                if not self.field.domain.of_type(v)]
        try:
            for x in nums:
                self.field(x)
            return self
        except CoercionFailed:
            return self.extended(nums)

    def __repr__(self):
        return f"Loss({self.network!r}, n={self.n}, field={self.field.domain})"

    # -- points ----------------------------------------------------------
    def point(self, values) -> list:
        """Field elements in parameter order from a mapping name -> number, a
        sequence in parameter order, or a numpy array (floats are read by
        their shortest decimal text: 0.1 means 1/10).

        >>> from losscert.network import dense
        >>> loss = compile_loss(dense([1, 1, 1]), X=[[1]], Y=[[1]])
        >>> loss.point({"x1 -> h1_1": 0.5, "h1_1 -> y1": "2"}) == loss.point(["1/2", 2])
        True
        """
        out = []
        for name, v in zip(self.params, self.read_point(values)):
            if isinstance(v, (int, str, float, sympy.Basic)) or not self.field.domain.of_type(v):
                try:
                    v = self.field(v)
                except CoercionFailed:
                    if isinstance(v, sympy.Basic) and v.has(sympy.exp, sympy.E):
                        raise ExponentialPoint(f"point.{name}: {v} holds exponentials: exact only in "
                                               "Q(e^(1/q)), where the kernel decides when it applies") from None
                    raise PointError(f"point.{name}: {v} is not in the field {self.field.domain} of this loss "
                                     "(use loss.holding(point))") from None
                except (CompileError, ValueError, TypeError) as exc:
                    raise PointError(f"point.{name}: {exc}") from None
            out.append(v)
        return out

    def read_point(self, values) -> list:
        """The coordinates of a point in parameter order, each a SymPy number (or a
        field element given as such), not yet converted into the field; exp(r)
        of a rational r is read too (see :class:`ExponentialPoint`)."""
        try:
            values = convert.in_order(values, self.params)
        except ValueError as exc:
            raise PointError(str(exc)) from None
        out = []
        for name, v in zip(self.params, values):
            if isinstance(v, (int, str, float, sympy.Basic)) or not self.field.domain.of_type(v):
                try:
                    v = _number(v, f"point.{name}", exponentials=True) if self.parameters is None else \
                        self._read(v, f"point.{name}")
                except (CompileError, ValueError, TypeError) as exc:
                    raise PointError(f"point.{name}: {exc}") from None
            out.append(v)
        return out

    def _theta(self, theta) -> list:
        """``theta`` itself when it is already a list of field elements, else :meth:`point`."""
        if isinstance(theta, list) and len(theta) == len(self.params) and all(map(self.field.domain.of_type, theta)):
            return theta
        return self.point(theta)

    def to_sympy(self, x):
        """A result of this loss (field element, list, DomainMatrix) as SymPy
        (see :func:`losscert.convert.to_sympy`)."""
        return convert.to_sympy(x, self.field)

    # -- names -----------------------------------------------------------
    @cached_property
    def _symbols(self) -> tuple:
        taken: set[str] = set()
        out = []
        for p in self.params:
            name = base = identifier(p)
            k = 2
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            out.append(ParameterSymbol(name, p, latex_name(p)))
        return tuple(out)

    def symbols(self) -> list[sympy.Symbol]:
        """One SymPy symbol per parameter, in parameter order: an identifier
        name (``w_x1_h1`` for the edge ``"x1 -> h1"``, ``b_h1`` for the bias
        ``"b:h1"``), a LaTeX name (``w_{x_{1} h_{1}}``) and ``.param``, the
        name used in points and claim files.

        >>> from losscert.network import dense
        >>> s = compile_loss(dense([1, 1, 1]), X=[[1]], Y=[[1]]).symbols()
        >>> s, s[0].param, sympy.latex(s[0])
        ([w_x1_h1_1, w_h1_1_y1], 'x1 -> h1_1', 'w_{x_{1} h_{1,1}}')
        """
        return list(self._symbols)

    def symbol(self, param: str) -> sympy.Symbol:
        """The symbol of the parameter named ``param`` (``"x1 -> h1"``)."""
        try:
            return self._symbols[self.network.param_index[param]]
        except KeyError:
            raise PointError(f"{param!r} is not a parameter (parameters: {', '.join(self.params)})") from None

    # -- notebooks -------------------------------------------------------
    def _repr_markdown_(self) -> str:
        net = self.network
        lines = [f"**Loss** $L(\\theta) = {sympy.latex(self.scale_sym)}\\,\\lVert F(\\theta) - Y\\rVert_F^2$ "
                 f"on {self.n} samples, {len(self.params)} parameters, exact field `{self.field.domain}`",
                 "", net._repr_markdown_()]
        if len(self.params) <= 12 and self.n * len(net.outputs) <= 12:
            lines += ["", f"$$L = {sympy.latex(self.expression())}$$"]
        return "\n".join(lines)

    def _repr_latex_(self) -> str | None:
        if len(self.params) > 12 or self.n * len(self.network.outputs) > 12:
            return None                         # too long to be read; Markdown summary instead
        return f"$$L = {sympy.latex(self.expression())}$$"

    # -- one piece of a piecewise-linear network ------------------------------
    _slopes: dict = {}      # slot -> per-sample activations overriding the node's own

    def with_slopes(self, slopes: dict) -> "Loss":
        """The same loss with node ``name``'s activation on sample ``k``
        replaced by z -> slope * z, for ``slopes = {(name, k): slope}``: one
        polynomial piece of a ReLU / leaky ReLU network near a kink. A tuple
        ``(c0, c1, ...)`` instead of a slope gives the polynomial sum c_i z^i.

        >>> from losscert.network import dense
        >>> loss = compile_loss(dense([1, 1, 1], activation="relu"), X=[[1]], Y=[[0]])
        >>> theta = loss.point({"x1 -> h1_1": -1, "h1_1 -> y1": 1})
        >>> loss.value(theta), loss.with_slopes({("h1_1", 0): 1}).value(theta)
        (0, 1/2)
        """
        piece = copy.copy(self)
        slot = {st.name: st.slot for st in self.steps}
        piece._slopes = {}
        for (name, k), slope in slopes.items():
            acts = piece._slopes.setdefault(slot[name], [None] * self.n)
            poly = isinstance(slope, tuple)
            coeffs = tuple(map(sympy.sympify, slope)) if poly else (sympy.Integer(0), sympy.sympify(slope))
            acts[k] = Activation("poly", coeffs, f"poly{coeffs}" if poly else f"z -> {slope} * z")
        return piece

    def _activations(self, st: Step) -> list:
        """The activation of ``st`` on each sample."""
        acts = self._slopes.get(st.slot)
        return [st.activation] * self.n if acts is None else [a or st.activation for a in acts]

    # -- the generic pass ---------------------------------------------------
    def _forward(self, theta, alg, derivatives: bool, pre=None):
        """Node values per slot (list over samples) and activation
        derivatives when ``derivatives``; pre-activations go into the dict
        ``pre`` (by slot) when one is given."""
        n = self.n
        vals: list = [None] * self.n_slots
        dact: list = [None] * self.n_slots
        for i in range(self.n_inputs):
            vals[i] = self.X[i]
        for st in self.steps:
            acc = [alg.zero] * n
            for src, p, c in st.terms:
                w = theta[p] if p is not None else alg.lift(c)
                h = vals[src]
                if src < self.n_inputs:
                    acc = [alg.add(a, alg.scale(w, alg.const(x))) for a, x in zip(acc, h)]
                else:
                    acc = [alg.add(a, alg.mul(w, x)) for a, x in zip(acc, h)]
            if st.bias is not None:
                acc = [alg.add(a, theta[st.bias]) for a in acc]
            if pre is not None:
                pre[st.slot] = acc
            if st.activation is None:
                vals[st.slot] = acc
            elif st.activation.kind == "linear":
                vals[st.slot] = acc
                dact[st.slot] = [alg.lift(self.field.one)] * n if derivatives else None
            else:
                pairs = [alg.activate(act, a, derivatives) for act, a in zip(self._activations(st), acc)]
                vals[st.slot] = [v for v, _ in pairs]
                dact[st.slot] = [d for _, d in pairs]
        return vals, dact

    def _residuals(self, vals, alg):
        return [[alg.add(f, alg.lift(-y)) for f, y in zip(vals[s], yrow)]
                for s, yrow in zip(self.output_slots, self.Y)]

    def _loss_from_residuals(self, res, alg):
        total = alg.zero
        for row in res:
            for r in row:
                total = alg.add(total, alg.mul(r, r))
        return alg.scale(total, alg.const(self.scale))

    def _backward(self, theta, vals, dact, seeds, alg):
        """Gradient of sum_o <seeds_o, a_o> w.r.t. the parameters."""
        grad = [alg.zero] * len(self.params)
        adj = {s: seed for s, seed in zip(self.output_slots, seeds)}
        for st in reversed(self.steps):
            lam = adj.pop(st.slot, None)
            if lam is None:
                continue
            if st.activation is not None:
                lam = [alg.mul(d, m) for d, m in zip(dact[st.slot], lam)]
            for src, p, c in st.terms:
                h = vals[src]
                if p is not None:
                    g = grad[p]
                    if src < self.n_inputs:
                        for l, x in zip(lam, h):
                            g = alg.add(g, alg.scale(l, alg.const(x)))
                    else:
                        for l, x in zip(lam, h):
                            g = alg.add(g, alg.mul(l, x))
                    grad[p] = g
                if src >= self.n_inputs:
                    w = theta[p] if p is not None else alg.lift(c)
                    contrib = [alg.mul(w, l) for l in lam]
                    prev = adj.get(src)
                    adj[src] = contrib if prev is None else [alg.add(a, b) for a, b in zip(prev, contrib)]
            if st.bias is not None:
                g = grad[st.bias]
                for l in lam:
                    g = alg.add(g, l)
                grad[st.bias] = g
        return grad

    # -- exact evaluators ---------------------------------------------------
    def outputs(self, theta, raw: bool = False) -> list[list]:
        """F(theta): one row per output, one column per sample (SymPy; ``raw=True``: field elements)."""
        theta = self._theta(theta)
        out = integer_pass.outputs(self, theta)                 # over Q: the same numbers, vectorised
        if out is None:
            alg = FieldAlgebra(self.field)
            vals, _ = self._forward(theta, alg, False)
            out = [vals[s] for s in self.output_slots]
        return out if raw else self.to_sympy(out)

    def value(self, theta, raw: bool = False):
        """L(theta), exactly (theta: field elements, a mapping, a sequence or a numpy
        array; see :meth:`point`): a SymPy number, or a rational function of the
        declared symbols; ``raw=True``: the field element (fast: what the kernel uses)."""
        v = self._value_in(self._theta(theta), FieldAlgebra(self.field))
        return v if raw else self.to_sympy(v)

    def _value_in(self, theta, alg):
        """L at theta, computed in the algebra ``alg``."""
        vals, _ = self._forward(theta, alg, False)
        return self._loss_from_residuals(self._residuals(vals, alg), alg)

    def nearby(self, theta, value=None) -> "Nearby":
        """An evaluator of L at points that differ from theta in few
        parameters (see :class:`Nearby`); ``value``: L(theta) if known."""
        return Nearby(self, theta, value)

    def _gradient_in(self, theta, alg) -> list:
        """grad L at theta, computed in the algebra ``alg`` (theta's elements are alg's)."""
        vals, dact = self._forward(theta, alg, True)
        two_s = alg.const(self.scale * 2)
        seeds = [[alg.scale(r, two_s) for r in row] for row in self._residuals(vals, alg)]
        return self._backward(theta, vals, dact, seeds, alg)

    def _hessian_columns(self, theta, alg) -> list[list]:
        """Hessian columns from first-order jets of the gradient (alg: a jet algebra of order 1)."""
        one = alg.lift(self.field.one)[0]
        cols = []
        for p in range(len(theta)):
            th = [[alg.rzero + t, one if q == p else alg.rzero] for q, t in enumerate(theta)]
            cols.append([g[1] for g in self._gradient_in(th, alg)])
        return cols

    def value_and_gradient(self, theta, keep: dict | None = None) -> tuple:
        """(L(theta), grad L(theta)) exactly, from one forward pass, as field
        elements (what the kernel uses); ``keep``: see
        :func:`losscert.integer_pass.value_and_gradient`."""
        theta = self._theta(theta)
        fast = integer_pass.value_and_gradient(self, theta, keep)       # over Q: the same numbers, vectorised
        if fast is not None:
            return fast
        return self._value_and_gradient_in(theta, FieldAlgebra(self.field))

    def _value_and_gradient_in(self, theta, alg) -> tuple:
        """(L, grad L) at theta in the algebra ``alg``, from one forward pass."""
        vals, dact = self._forward(theta, alg, True)
        res = self._residuals(vals, alg)
        two_s = alg.const(self.scale * 2)
        seeds = [[alg.scale(r, two_s) for r in row] for row in res]
        return self._loss_from_residuals(res, alg), self._backward(theta, vals, dact, seeds, alg)

    def gradient(self, theta, raw: bool = False) -> list:
        """grad L(theta), exactly, in parameter order: SymPy numbers (``raw=True``: field elements)."""
        g = self._gradient_in(self._theta(theta), FieldAlgebra(self.field))
        return g if raw else self.to_sympy(g)

    def mp_value(self, theta_mp):
        """High-precision value at mpmath coordinates (not rigorous)."""
        return self._value_in(theta_mp, MPAlgebra(self.field))

    def mp_gradient(self, theta_mp) -> list:
        """High-precision gradient at mpmath coordinates (not rigorous)."""
        return self._gradient_in(theta_mp, MPAlgebra(self.field))

    def mp_hessian(self, theta_mp) -> mpmath.matrix:
        """High-precision Hessian from first-order jets of the gradient (not rigorous)."""
        cols = self._hessian_columns(theta_mp, MPJetAlgebra(self.field, 1))
        return mpmath.matrix([[cols[j][i] for j in range(len(cols))] for i in range(len(cols))])

    def iv_value(self, box):
        """A ball containing L on the box (one Arb ball per parameter; the
        caller sets the precision with :func:`losscert.intervals.precision`)."""
        return self._value_in(box, ArbAlgebra(self.field))

    def iv_gradient(self, box) -> list:
        """Balls containing each gradient entry on the box (rigorous)."""
        return self._gradient_in(box, ArbAlgebra(self.field))

    def iv_value_and_gradient(self, box) -> tuple:
        """(ball of L, balls of grad L) on the box, from one forward pass (rigorous)."""
        return self._value_and_gradient_in(box, ArbAlgebra(self.field))

    def iv_hessian(self, box) -> list[list]:
        """Balls containing each Hessian entry on the box (rigorous), as rows:
        the structural Hessian of :meth:`hessian` evaluated in ball arithmetic."""
        return self.iv_hessian_from(*self.iv_hessian_factors(box))

    def iv_hessian_factors(self, box) -> tuple[dict, dict]:
        """(J, G) as Arb balls on the box: the Jacobian (rows output x sample)
        and the residual part of Hessian / 2s, as dicts of sparse rows."""
        return self._structural_hessian(box, _ArbNumbers(self))

    def iv_hessian_from(self, J: dict, G: dict) -> list[list]:
        """The ball Hessian 2s (J^T J + G) from :meth:`iv_hessian_factors`, as rows."""
        P = len(self.params)
        K = _ArbNumbers(self, data=False)
        rows = len(self.Y) * self.n
        Jm = iv.flint.arb_mat(rows, P)
        for r, row in J.items():
            for q, v in row.items():
                Jm[r, q] = v
        H = Jm.transpose() * Jm
        for p, row in G.items():
            for q, v in row.items():
                H[p, q] += v
        two_s = K.lift(self.scale * 2)
        return [[H[i, j] * two_s for j in range(P)] for i in range(P)]

    def iv_hessian_by_jets(self, box) -> list[list]:
        """iv_hessian column by column from first-order jets of the gradient
        (slow; the reference :meth:`iv_hessian` is tested against)."""
        cols = self._hessian_columns(box, ArbJetAlgebra(self.field, 1))
        return [[cols[j][i] for j in range(len(cols))] for i in range(len(cols))]

    def taylor(self, theta, curve, order: int, ring_zero=None, base=None) -> list:
        """Coefficients of L(theta + t d1 + t^2 d2 + ...) up to t^order, for
        ``curve = [d1, d2, ...]`` (vectors over the field, or over a
        polynomial ring with ``ring_zero``/``base`` given)."""
        alg = JetAlgebra(self.field, order, ring_zero, base)
        th = self._curve(theta, curve, alg)
        vals, _ = self._forward(th, alg, False)
        return self._loss_from_residuals(self._residuals(vals, alg), alg)

    def gradient_taylor(self, theta, curve, order: int, ring_zero=None, base=None) -> list[list]:
        """Per parameter, the coefficients of grad L along the curve."""
        alg = JetAlgebra(self.field, order, ring_zero, base)
        return self._gradient_in(self._curve(theta, curve, alg), alg)

    def _curve(self, theta, curve, alg):
        out = []
        for p, t0 in enumerate(theta):
            coeffs = [alg.rzero + t0] + [d[p] for d in curve]
            coeffs = (coeffs + [alg.rzero] * (alg.order + 1))[: alg.order + 1]
            out.append(coeffs)
        return out

    def hessian(self, theta, raw: bool = False):
        """The exact Hessian: 2s (J^T J + sum_r R_r Hess F_r), from the
        network's structure (sparse forward tangents, then forward-over-
        reverse with the residual as a fixed seed); rows and columns in
        parameter order. A ``sympy.Matrix`` (``raw=True``: a ``DomainMatrix``
        over the loss's field, fast: what the kernel uses)."""
        H = self._hessian(self._theta(theta))
        return H if raw else self.to_sympy(H)

    def _hessian(self, theta) -> DomainMatrix:
        F, P = self.field, len(self.params)
        from .network import check_hessian_size
        check_hessian_size(P)                           # before any P x P allocation
        J, G = self._structural_hessian(theta, _ExactNumbers(self))
        Jm = DomainMatrix.from_dod(J, (len(self.Y) * self.n, P), F.domain).to_dense()
        del J                                           # the dict of rows is the largest object here
        H = gram(Jm)
        del Jm
        H = H + DomainMatrix.from_dod({p: r for p, r in G.items() if r}, (P, P), F.domain).to_dense()
        return H * (self.scale * 2)

    def _structural_hessian(self, theta, K) -> tuple[dict, dict]:
        """The Jacobian J (dict of rows) and the residual part G (dict of
        rows) of the Hessian / 2s, computed with the numbers ``K`` (exact
        field elements or Arb balls: :class:`_ExactNumbers`, ``_ArbNumbers``)."""
        n = self.n
        ni = self.n_inputs
        zero, one, nonzero, lift = K.zero, K.one, K.nonzero, K.lift
        vals: list = [None] * self.n_slots
        for i in range(ni):
            vals[i] = K.X[i]
        d1, d2 = {}, {}
        A: dict = {}
        Hh: dict = {}
        for st in self.steps:
            pre = [zero] * n
            rows: list[dict] = [dict() for _ in range(n)]
            for src, p, c in st.terms:
                w = theta[p] if p is not None else lift(c)
                h = vals[src]
                pre = [a + w * x for a, x in zip(pre, h)]
                if src >= ni and nonzero(w):
                    for row, tang in zip(rows, Hh[src]):
                        for q, v in tang.items():
                            row[q] = row.get(q, zero) + w * v
                if p is not None:
                    for row, x in zip(rows, h):
                        if nonzero(x):
                            row[p] = row.get(p, zero) + x
            if st.bias is not None:
                pre = [a + theta[st.bias] for a in pre]
                for row in rows:
                    row[st.bias] = row.get(st.bias, zero) + one
            A[st.slot] = rows
            if st.activation is None:
                vals[st.slot] = pre
            elif st.activation.kind == "linear":        # sigma(a) = a: no Taylor coefficients needed
                vals[st.slot] = pre
                d1[st.slot] = [one] * n
                d2[st.slot] = [zero] * n
                Hh[st.slot] = rows
            else:
                cs = [K.taylor2(act, a) for act, a in zip(self._activations(st), pre)]
                vals[st.slot] = [c[0] for c in cs]
                d1[st.slot] = [c[1] for c in cs]
                d2[st.slot] = [c[2] * 2 for c in cs]
                Hh[st.slot] = [{q: v * s for q, v in row.items()} if nonzero(s) else {}
                               for row, s in zip(rows, d1[st.slot])]
        # Gauss-Newton part
        J = {}
        for i, o in enumerate(self.output_slots):
            for k in range(n):
                row = {q: v for q, v in A[o][k].items() if nonzero(v)}
                if row:
                    J[i * n + k] = row
        # second-order part: Hessian of phi = sum_o <R_o, a_o> with R fixed
        G: dict[int, dict] = {}

        def add_to(p, tang, factor):
            if nonzero(factor):
                row = G.get(p)
                if row is None:
                    row = G[p] = {}
                get = row.get
                for q, v in tang.items():
                    row[q] = get(q, zero) + factor * v

        lam = {o: [f - y for f, y in zip(vals[o], yrow)] for o, yrow in zip(self.output_slots, K.Y)}
        Lam: dict = {o: [{} for _ in range(n)] for o in self.output_slots}
        mu: dict = {}
        Mu: dict = {}
        for st in reversed(self.steps):
            v = st.slot
            if st.activation is not None:
                if v not in mu:
                    continue
                lam[v] = [s * m for s, m in zip(d1[v], mu[v])]
                Lam[v] = []
                for k in range(n):
                    t = {q: x * d1[v][k] for q, x in Mu[v][k].items()} if nonzero(d1[v][k]) else {}
                    f = d2[v][k] * mu[v][k]
                    if nonzero(f):
                        for q, x in A[v][k].items():
                            t[q] = t.get(q, zero) + f * x
                    Lam[v].append(t)
            for src, p, c in st.terms:
                h = vals[src]
                if p is not None:
                    seeds, tangents, residual = Lam[v], Hh[src] if src >= ni else None, lam[v]
                    for k in range(n):
                        if seeds[k]:
                            add_to(p, seeds[k], h[k])
                        if tangents is not None and tangents[k]:
                            add_to(p, tangents[k], residual[k])
                if src >= ni:
                    w = theta[p] if p is not None else lift(c)
                    m = mu.setdefault(src, [zero] * n)
                    M = Mu.setdefault(src, [dict() for _ in range(n)])
                    for k in range(n):
                        m[k] = m[k] + w * lam[v][k]
                        if nonzero(w):
                            for q, x in Lam[v][k].items():
                                M[k][q] = M[k].get(q, zero) + w * x
                        if p is not None and nonzero(lam[v][k]):
                            M[k][p] = M[k].get(p, zero) + lam[v][k]
            if st.bias is not None:
                for k in range(n):
                    add_to(st.bias, Lam[v][k], one)
        G = {p: {q: x for q, x in row.items() if nonzero(x)} for p, row in G.items()}
        return J, G

    def hessian_reference(self, theta) -> DomainMatrix:
        """The Hessian column by column from first-order jets of the gradient
        (slow; the reference the structural :meth:`hessian` is tested against)."""
        F, P = self.field, len(self.params)
        cols = self._hessian_columns(theta, JetAlgebra(F, 1))
        return DomainMatrix([[cols[j][i] for j in range(P)] for i in range(P)], (P, P), F.domain)

    # -- symbolic and high precision ---------------------------------------
    def expression(self) -> sympy.Expr:
        """The loss as one SymPy expression in the parameter symbols (for
        display and LaTeX; the evaluators never differentiate it)."""
        syms = self.symbols()
        vals = {}
        for i, name in enumerate(self.network.inputs):
            vals[i] = [sympy.Symbol(f"_x{i}_{k}") for k in range(self.n)]
        subs = {sympy.Symbol(f"_x{i}_{k}"): self.X_sym[i][k] for i in range(self.n_inputs) for k in range(self.n)}
        for st in self.steps:
            acc = [sympy.Integer(0)] * self.n
            for src, p, c in st.terms:
                w = syms[p] if p is not None else self.field.to_sympy(c)
                acc = [a + w * x for a, x in zip(acc, vals[src])]
            if st.bias is not None:
                acc = [a + syms[st.bias] for a in acc]
            vals[st.slot] = acc if st.activation is None else [st.activation(a) for a in acc]
        total = sum((f - y) ** 2 for s, yrow in zip(self.output_slots, self.Y_sym) for f, y in zip(vals[s], yrow))
        return (self.scale_sym * total).subs(subs)

    def to_mp(self, theta) -> list:
        return [_to_mp(self.field, t) for t in theta]


MAX_GRAM_DENOMINATOR_BITS = 1 << 14     # past this common denominator, FLINT's own rational product is used


def gram(J: DomainMatrix) -> DomainMatrix:
    """J^T J exactly. Over QQ with FLINT: one integer product after clearing
    the common denominator d of J (J = Z / d, J^T J = Z^T Z / d^2), which
    needs less memory and time than the product of rational matrices.

    >>> from sympy import QQ
    >>> gram(DomainMatrix([[QQ(1, 2), QQ(1)], [QQ(0), QQ(1, 3)]], (2, 2), QQ).to_dense()).to_Matrix().tolist()
    [[1/4, 1/2], [1/2, 10/9]]
    """
    rep = getattr(J.rep, "rep", None)
    if rep is not None and type(rep).__name__ == "fmpq_mat":
        num, den = rep.numer_denom()                # J = num / den, in C
        if int(den).bit_length() <= MAX_GRAM_DENOMINATOR_BITS:
            from flint import fmpq_mat
            Z = num.transpose() * num
            del num
            out = fmpq_mat(Z) / (den * den)
            del Z
            return DomainMatrix.from_rep(type(J.rep)._new(out, (J.shape[1], J.shape[1]), J.domain))
    return J.transpose() * J


class _ExactNumbers:
    """Field elements for :meth:`Loss._structural_hessian`."""
    def __init__(self, loss: Loss):
        F = loss.field
        self.zero, self.one, self.X, self.Y = F.zero, F.one, loss.X, loss.Y
        self.taylor2 = lambda act, a: act.taylor(a, 2, F)

    @staticmethod
    def nonzero(x):
        return bool(x)

    @staticmethod
    def lift(c):
        return c


class _ArbNumbers:
    """Arb balls for :meth:`Loss._structural_hessian` (the interval Hessian);
    a term is skipped only when its ball is exactly 0."""
    def __init__(self, loss: Loss, data: bool = True):
        iv.require()
        self.zero, self.one = iv.flint.arb(0), iv.flint.arb(1)
        self.lift = _Lifts(loss.field)
        if data:
            self.X = [[self.lift(x) for x in row] for row in loss.X]
            self.Y = [[self.lift(y) for y in row] for row in loss.Y]

    @staticmethod
    def nonzero(x):
        return not x.is_zero()

    @staticmethod
    def taylor2(act, a):
        return act.arb_taylor(a, 2)


class Nearby:
    """One exact pass at theta, keeping pre-activations; then L at a nearby
    point recomputes only the nodes downstream of its changed parameters, by
    exact deltas of their pre-activations. ``value`` is L(theta)."""

    def __init__(self, loss: Loss, theta, value=None):
        """``value``: L(theta) when the caller already has it exactly (the pass
        at theta then runs only if :meth:`values` is called)."""
        self.loss, self.theta, self._value = loss, theta, value

    @cached_property
    def _at_theta(self):
        loss, pre = self.loss, {}
        self.alg = FieldAlgebra(loss.field)
        vals, _ = loss._forward(self.theta, self.alg, False, pre=pre)
        square = {s: self._squares(s, vals[s]) for s in loss.output_slots}
        return pre, vals, square, sum(square.values(), loss.field.zero)

    @property
    def value(self):
        """L(theta)."""
        if self._value is None:
            self._value = self._at_theta[3] * self.loss.scale
        return self._value

    def _activate(self, st, acc):
        if st.activation is None or st.activation.kind == "linear":
            return acc
        return [self.alg.activate(act, a, False)[0] for act, a in zip(self.loss._activations(st), acc)]

    def _squares(self, slot, row):
        y = self.loss.Y[self.loss.output_slots.index(slot)]
        return sum(((f - t) * (f - t) for f, t in zip(row, y)), self.loss.field.zero)

    def values(self, points) -> list:
        loss, theta, n = self.loss, self.theta, self.loss.n
        pre, vals, square, total0 = self._at_theta
        out = []
        for pt in points:
            changed = {p: v for p, (v, t) in enumerate(zip(pt, theta)) if v != t}
            new: dict = {}
            for st in loss.steps:
                delta = None
                for src, p, c in st.terms:
                    if (p is None or p not in changed) and src not in new:
                        continue
                    w0 = theta[p] if p is not None else c
                    w1 = changed.get(p, w0) if p is not None else c
                    x0, x1 = vals[src], new.get(src, vals[src])
                    d = [w1 * b - w0 * a for a, b in zip(x0, x1)]
                    delta = d if delta is None else [u + v for u, v in zip(delta, d)]
                if st.bias is not None and st.bias in changed:
                    d = changed[st.bias] - theta[st.bias]
                    delta = [d] * n if delta is None else [u + d for u in delta]
                if delta is not None:
                    new[st.slot] = self._activate(st, [a + d for a, d in zip(pre[st.slot], delta)])
            total = total0
            for s in loss.output_slots:
                if s in new:
                    total += self._squares(s, new[s]) - square[s]
            out.append(total * loss.scale)
        return out


MAX_NETWORK_DEGREE = 10_000   # degree of the network function as a polynomial in its parameters


def network_degree(steps, n_inputs: int) -> int:
    """The degree of the network's outputs as polynomials in the parameters
    when every activation is a polynomial (piecewise-linear and transcendental
    ones count as degree 1): an upper bound computed from the graph alone,
    stopping once it passes MAX_NETWORK_DEGREE.

    >>> from losscert.network import dense
    >>> net = dense([1, 1, 1, 1], activation="poly(0, 0, 1)")
    >>> network_degree(compile_loss(net, [[1]], [[1]]).steps, 1)     # (w3 (w2 (w1 x)^2)^2): 1 + 2 (1 + 2)
    7
    """
    deg = [0] * n_inputs
    for st in steps:
        d = max([deg[src] + (p is not None) for src, p, _ in st.terms] + [1 if st.bias is not None else 0])
        coeffs = st.activation.polynomial_coefficients if st.activation is not None else None
        deg.append(min(d * max(1, len(coeffs) - 1) if coeffs else d, MAX_NETWORK_DEGREE + 1))
    return max(deg[n_inputs:], default=0)


def check_degree(steps, n_inputs: int) -> None:
    """Refuse (CompileError, before any evaluation) a composition of polynomial
    activations whose degree exceeds MAX_NETWORK_DEGREE: its exact values
    would be rationals with millions of digits."""
    d = network_degree(steps, n_inputs)
    if d > MAX_NETWORK_DEGREE:
        raise CompileError(f"network: the composed polynomial activations give outputs of degree over "
                           f"{MAX_NETWORK_DEGREE} in the parameters (refused before any work)")


def _to_mp(F: Field, x):
    s = F.to_sympy(x)
    if s.is_Rational:
        return mpmath.mpf(int(s.p)) / int(s.q)
    return mpmath.mpf(sympy.N(s, mpmath.mp.dps + 15))


def _number(v, where, exponentials=False):
    try:
        return parse_number(v, exponentials)
    except NumberError as exc:
        raise CompileError(f"{where}: {exc}") from None


def _parameters(symbols):
    try:
        return Parameters.of(symbols)
    except FieldError as exc:
        raise CompileError(str(exc)) from None


def _symbolic_reader(parameters):
    def read(v, where):
        try:
            return parameters.number(v, where)
        except FieldError as exc:
            raise CompileError(str(exc)) from None
    return read


def _matrix(rows, name, expected_rows, read=None) -> list[list[sympy.Expr]]:
    try:
        rows = convert.rows(rows, f"data.{name}")
    except ValueError as exc:
        raise CompileError(str(exc)) from None
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        raise CompileError(f"data.{name}: must be a non-empty list of rows")
    if len(rows) != expected_rows:
        what = "inputs" if name == "X" else "outputs"
        raise CompileError(f"data.{name}: has {len(rows)} rows but the network has {expected_rows} {what}")
    width = len(rows[0])
    if width == 0:
        raise CompileError(f"data.{name}: rows are empty")
    out = []
    for i, r in enumerate(rows):
        if len(r) != width:
            raise CompileError(f"data.{name}: row {i + 1} has {len(r)} entries, row 1 has {width}")
        out.append([(read or _number)(v, f"data.{name}[{i + 1}][{j + 1}]") for j, v in enumerate(r)])
    return out


def compile_loss(network: Network, X, Y, scale=sympy.Rational(1, 2), extra_numbers=(), symbols=None) -> Loss:
    """Compile ``network`` with data ``X`` (one row per input, one column per
    sample) and targets ``Y`` into a :class:`Loss`. ``extra_numbers`` (e.g. the
    coordinates of points) enlarge the exact field when they hold radicals.
    ``symbols`` declares named parameters with their conditions (``{"a": "a > 0"}``,
    see :class:`~losscert.fields.Parameters`): data and points may then use them,
    the loss lives over Q(symbols) and statements hold for every value in the region."""
    return Loss(network, X, Y, scale, extra_numbers, symbols)
