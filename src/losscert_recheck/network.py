"""The loss of a statement, evaluated here from the network table, data and point.

``L(theta) = scale * sum over samples and outputs of (F(theta)(x) - y)**2``,
F the feed-forward network of the ``[network]`` table (edges ``"u -> v"``
are parameters named by their text, or by their tie key, or constants when
fixed; ``b:v`` is the bias of v; hidden nodes apply their activation, outputs
are linear). Values are second-order jets (value, gradient, Hessian) over
the exact numbers of :mod:`.exact`; relu and leaky_relu are read on the side
of their kink where the pre-activation lies (exactly at a kink: not covered).

>>> net = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
>>> st = {"network": net, "data": {"X": [["1"]], "Y": [["2"]]}, "point": {"x -> h": "1", "h -> y": "1"}}
>>> loss = Loss(st)
>>> v = loss.jet(loss.point("point"), 2)
>>> str(v.value), [str(g) for g in v.grad]
('1/2', ['-1', '-1'])
"""
from __future__ import annotations

import re
from fractions import Fraction

from .exact import NotCovered, Reader, Rejected, is_zero, sign

MAX_PARAMETERS = 400
MAX_WORK = 5 * 10 ** 7       # samples * edges * parameters**2 for a Hessian
POLY = re.compile(r"^\s*poly\s*\((.*)\)\s*$")
LEAKY = re.compile(r"^\s*leaky_relu\s*\((.*)\)\s*$")

class Jet:
    """value, gradient (list) and Hessian (list of rows) of one quantity; ``order`` 0, 1 or 2."""
    __slots__ = ("value", "grad", "hess")

    def __init__(self, value, grad=None, hess=None):
        self.value, self.grad, self.hess = value, grad, hess

    def __add__(self, o):
        return Jet(self.value + o.value, _add(self.grad, o.grad), _add2(self.hess, o.hess))

    def __sub__(self, o):
        return self + o.scaled(-1)

    def scaled(self, c):
        return Jet(self.value * c, None if self.grad is None else [g * c for g in self.grad],
                   None if self.hess is None else [[h * c for h in r] for r in self.hess])

    def __mul__(self, o):
        a, b = self.value, o.value
        grad = hess = None
        if self.grad is not None:
            grad = [x * b + y * a for x, y in zip(self.grad, o.grad)]
        if self.hess is not None:
            g1, g2 = self.grad, o.grad
            hess = [[self.hess[i][j] * b + o.hess[i][j] * a + g1[i] * g2[j] + g2[i] * g1[j]
                     for j in range(len(g1))] for i in range(len(g1))]
        return Jet(a * b, grad, hess)

    def apply(self, f0, f1, f2):
        """f(self) from f, f', f'' at self.value."""
        grad = hess = None
        if self.grad is not None:
            grad = [g * f1 for g in self.grad]
        if self.hess is not None:
            g = self.grad
            hess = [[self.hess[i][j] * f1 + g[i] * g[j] * f2 for j in range(len(g))] for i in range(len(g))]
        return Jet(f0, grad, hess)

def _add(a, b):
    return None if a is None else [x + y for x, y in zip(a, b)]

def _add2(a, b):
    return None if a is None else [[x + y for x, y in zip(r, s)] for r, s in zip(a, b)]

def _edge(text):
    if not isinstance(text, str) or text.count("->") != 1:
        raise Rejected(f"edge {text!r} must be written 'src -> dst'")
    u, v = (s.strip() for s in text.split("->"))
    if not u or not v:
        raise Rejected(f"edge {text!r} must be written 'src -> dst'")
    return u, v

class Network:
    """The network table read here: nodes, edges with their parameter or constant, biases, activations."""
    def __init__(self, table):
        if not isinstance(table, dict):
            raise Rejected("network: must be a table")
        self.inputs, self.outputs = list(table.get("inputs", [])), list(table.get("outputs", []))
        edges = [_edge(e) for e in table.get("edges", [])]
        if not self.inputs or not self.outputs or not edges or len(set(edges)) != len(edges):
            raise Rejected("network: inputs, outputs and distinct edges are needed")
        fixed = {_edge(k): v for k, v in (table.get("fixed") or {}).items()}
        tie = {}
        for key, members in (table.get("tied") or {}).items():
            for m in members:
                tie[_edge(m)] = key
        self.edges = edges
        self.fixed, self.tie = fixed, tie
        self.biases = list(table.get("biases", []))
        self.default = table.get("activation", "linear")
        self.activations = dict(table.get("activations") or {})
        nodes = list(dict.fromkeys(self.inputs + self.outputs + [n for e in edges for n in e]))
        if set(fixed) - set(edges) or set(tie) - set(edges) or set(self.biases) - set(nodes) \
                or set(self.activations) - set(nodes) or set(fixed) & set(tie):
            raise Rejected("network: fixed, tied, biases or activations name unknown or conflicting edges/nodes")
        if set(self.biases) & set(self.inputs):
            raise Rejected("network: an input cannot have a bias")
        self.order = _topological(nodes, edges, self.inputs)
        self.parents = {n: [u for u, v in edges if v == n] for n in nodes}
        self.hidden = [n for n in self.order if n not in self.inputs and n not in self.outputs]
        params = []
        for e in edges:
            if e not in fixed:
                params.append(tie.get(e, f"{e[0]} -> {e[1]}"))
        params += [f"b:{n}" for n in self.order if n in self.biases]
        self.parameters = list(dict.fromkeys(params))
        if len(self.parameters) > MAX_PARAMETERS:
            raise NotCovered(f"more than {MAX_PARAMETERS} parameters")
        self.index = {p: i for i, p in enumerate(self.parameters)}
        for n in self.outputs:
            if self.activations.get(n, "linear") != "linear":
                raise Rejected(f"output {n!r} must be linear")

    def slot(self, u, v):
        """The parameter name of edge u -> v, or None when it is fixed."""
        if (u, v) in self.fixed:
            return None
        return self.tie.get((u, v), f"{u} -> {v}")

    def activation(self, node) -> str:
        return str(self.activations.get(node, self.default))

    def homogeneous(self, node) -> bool:
        """Positively homogeneous of degree 1 (linear, relu, leaky_relu(a))."""
        spec = self.activation(node).replace(" ", "")
        return spec in ("linear", "relu") or bool(LEAKY.match(spec)) or spec == "poly(0,1)"

    def texts(self):
        return [v for v in self.fixed.values()] + [t for n in self.hidden for t in _activation_numbers(self.activation(n))]

def _activation_numbers(spec):
    m = POLY.match(spec) or LEAKY.match(spec)
    return [t.strip() for t in m.group(1).split(",")] if m else []

def _topological(nodes, edges, inputs):
    indeg = {n: 0 for n in nodes}
    children = {n: [] for n in nodes}
    for u, v in edges:
        if u == v:
            raise Rejected(f"self-loop at {u!r}")
        if v in inputs:
            raise Rejected(f"edge into input {v!r}")
        indeg[v] += 1
        children[u].append(v)
    ready = [n for n in nodes if indeg[n] == 0]
    out = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for c in children[n]:
            indeg[c] -= 1
            if indeg[c] == 0:
                ready.append(c)
    if len(out) != len(nodes):
        raise Rejected("the network has a cycle")
    return out

def _point_texts(table):
    return [str(v) for v in table.values()] if isinstance(table, dict) else []

class Loss:
    """The loss of a statement record (``network``, ``data``, ``scale``), its exact numbers read
    together with the record's point tables ``keys`` and the extra texts."""
    def __init__(self, st, extra_texts=(), point_tables=(), free=(), balls=False, denominators=True):
        self.balls = balls                  # transcendental activations allowed: only ball() evaluates
        self.denominators = denominators    # False: the caller checks the denominators on the region
        self.free = set(free)              # names of free family parameters (indeterminates, no region)
        self.signed = signed_symbols(st.get("symbols")) if st.get("symbols") is not None else None
        self.net = Network(st.get("network"))
        data = st.get("data")
        if not isinstance(data, dict) or set(data) != {"X", "Y"}:
            raise Rejected("data: a table with X and Y is needed")
        X, Y = data["X"], data["Y"]
        if not _matrix(X) or not _matrix(Y) or len(X) != len(self.net.inputs) or len(Y) != len(self.net.outputs) \
                or len(X[0]) != len(Y[0]):
            raise Rejected("data: X must have one row per input, Y one per output, with one column per sample")
        self.st = st
        texts = [str(x) for r in X + Y for x in r] + [str(st.get("scale", "1/2"))] + self.net.texts()
        for key in ("point", "better", *point_tables):
            texts += _point_texts(st.get(key))
        for p in st.get("path") or []:
            texts += _point_texts(p)
        texts += [str(t) for t in extra_texts]
        self.reader = Reader(texts)
        v = self.reader.value
        if self.reader.ring is not None and self.reader.symbol_names:
            self._check_symbols(texts)
        self.X = [[v(str(x)) for x in r] for r in X]
        self.Y = [[v(str(y)) for y in r] for r in Y]
        self.scale = v(str(st.get("scale", "1/2")))
        if sign(self.scale) != 1:
            raise Rejected("scale: must be positive")
        self.fixed = {e: v(str(t)) for e, t in self.net.fixed.items()}
        self.acts = {n: self._activation(n) for n in self.net.hidden}
        self.samples = len(X[0])

    def value(self, text):
        return self.reader.value(str(text))

    def _check_symbols(self, texts):
        """Symbols only as declared, every denominator a monomial in symbols of known strict sign (so the
        exact rational functions computed here are defined on the whole region)."""
        declared = set(self.signed[0]) if self.signed is not None else set()
        unknown = sorted(set(self.reader.symbol_names) - declared - self.free)
        if unknown:
            raise Rejected(f"{unknown[0]}: an undeclared symbol")
        ring = self.reader.ring
        signs = self.signed[1] if self.signed is not None else {}
        ring.signs = {self.reader.symbols[n]: s for n, s in signs.items() if n in self.reader.symbols}
        chains = self.signed[2] if self.signed is not None else []
        ring.chains = [[(self.reader.symbols[n], c) for n, c in ch] for ch in chains
                       if all(n in self.reader.symbols for n, _ in ch)]
        for t in texts if self.denominators else ():
            x = self.reader.value(t)
            if hasattr(x, "den") and ring.polynomial_sign(x.den) not in (1, -1):
                raise NotCovered(f"{t}: a denominator not provably non-zero on the region")

    def point(self, key="point", table=None):
        """The parameter values of a point table of the record, in parameter order."""
        table = self.st.get(key) if table is None else table
        if not isinstance(table, dict) or set(table) != set(self.net.parameters):
            raise Rejected(f"{key}: must give exactly the network's parameters")
        return [self.value(table[p]) for p in self.net.parameters]

    def _activation(self, node):
        spec = self.net.activation(node).replace(" ", "")
        m = POLY.match(spec)
        if m:
            return ("poly", [self.value(t) for t in _activation_numbers(spec)])
        m = LEAKY.match(spec)
        if m:
            return ("leaky", self.value(m.group(1)))
        if spec in ("linear", "relu"):
            return (spec, None)
        if self.balls:
            return ("ball", spec)
        raise NotCovered(f"activation {spec}: transcendental activations are not evaluated exactly here")

    def ball(self, theta, bits: int, wrt=None):
        """An Arb ball containing L(theta) (any activation; no symbols), at ``bits`` of precision; with
        ``wrt`` (a parameter index), one containing dL/d theta_wrt instead (forward mode)."""
        from flint import arb, ctx, fmpq
        if self.reader.ring is not None and self.reader.symbol_names:
            raise NotCovered("Arb balls of a loss with symbols")
        old, ctx.prec = ctx.prec, bits
        try:
            j = self.jet(theta, 0 if wrt is None else 1, to=lambda x: x if isinstance(x, arb) else
                         x.ball() if hasattr(x, "ball") else arb(fmpq(x)))
            return j.value if wrt is None else j.grad[wrt]
        finally:
            ctx.prec = old

    def _act(self, node, x: Jet) -> Jet:
        kind, p = self.acts[node]
        if kind == "linear":
            return x
        if kind == "poly":
            z = x.value
            f0 = f1 = f2 = self.reader.const(Fraction(0))
            for k in range(len(p) - 1, -1, -1):        # Horner for f, f', f''
                f2 = f2 * z + f1 * 2
                f1 = f1 * z + f0
                f0 = f0 * z + p[k]
            return x.apply(f0, f1, f2)
        s = sign(x.value)
        if s == 0 and x.grad is None:          # the value alone: relu(0) = leaky_relu(0) = 0
            return x.scaled(0)
        if s is None or s == 0:
            raise NotCovered(f"node {node!r}: a pre-activation at the kink of {kind} (or of undecided sign)")
        slope = self.reader.const(Fraction(1)) if s > 0 else (p if kind == "leaky" else self.reader.const(Fraction(0)))
        zero = self.reader.const(Fraction(0))
        return x.apply(x.value * slope, slope, zero)

    def _act_ball(self, node, x: Jet) -> Jet:
        from .checks import spec_parts
        from .exact import activation_ball
        name, args = spec_parts(self.net.activation(node))
        return x.apply(*activation_ball(name, x.value, args, derivative=2))

    def jet(self, theta, order=0, to=None) -> Jet:
        """L at theta with its gradient (order >= 1) and Hessian (order 2); with ``to`` (a map of the exact
        constants to Arb balls), theta holds balls and the result encloses them over the box (any activation)."""
        n = len(theta)
        if order == 2 and self.samples * len(self.net.edges) * n * n > MAX_WORK:
            raise NotCovered("a Hessian too large for the rechecker")
        zero, one = self.reader.const(Fraction(0)), self.reader.const(Fraction(1))
        if to is not None:
            zero, one = to(zero), to(one)
        conv = to or (lambda c: c)

        def const(c):
            return Jet(conv(c), [zero] * n if order else None,
                       [[zero] * n for _ in range(n)] if order == 2 else None)

        def var(i):
            j = const(theta[i])
            if order:
                j.grad = [one if k == i else zero for k in range(n)]
            return j

        params = [var(i) for i in range(n)]
        total = const(zero)
        for s in range(self.samples):
            vals = {x: const(self.X[i][s]) for i, x in enumerate(self.net.inputs)}
            for node in self.net.order:
                if node in vals:
                    continue
                acc = None
                for u in self.net.parents[node]:
                    name = self.net.slot(u, node)
                    w = params[self.net.index[name]] if name is not None else const(self.fixed[(u, node)])
                    term = w * vals[u]
                    acc = term if acc is None else acc + term
                if node in self.net.biases:
                    b = params[self.net.index[f"b:{node}"]]
                    acc = b if acc is None else acc + b
                if acc is None:
                    acc = const(zero)
                if node in self.net.hidden and to is not None:
                    acc = self._act_ball(node, acc)
                elif node in self.acts:
                    acc = self._act(node, acc)
                vals[node] = acc
            for i, o in enumerate(self.net.outputs):
                r = vals[o] - const(self.Y[i][s])
                total = total + r * r
        return total.scaled(conv(self.scale))

def signed_symbols(table) -> tuple:
    """(declared symbols, those of strict sign): from chains ``y3 > 4*y4 > y1 > 0`` or ``0 < a``."""
    import ast
    from .exact import parse, small_rational
    if not isinstance(table, dict):
        raise Rejected("symbols: must be a table name = condition")
    signed, chains = set(), []
    for name, cond in table.items():
        if not isinstance(cond, str):
            raise Rejected(f"symbols.{name}: the condition must be text")
        for part in filter(None, (c.strip() for c in cond.split(";"))):
            node = parse(part) if "<" not in part and ">" not in part else ast.parse(part, mode="eval").body
            if not isinstance(node, ast.Compare):
                continue
            terms = [node.left, *node.comparators]
            ops = {type(o) for o in node.ops}
            if ops not in ({ast.Gt}, {ast.Lt}):
                continue
            decreasing = ops == {ast.Gt}
            if decreasing and small_rational(terms[-1]) == 0 and len(terms) > 2 and all(map(_scaled, terms[:-1])):
                chains.append([_scaled(t) for t in terms[:-1]])
            if small_rational(terms[-1]) == 0:          # y3 > y4 > 0 (positive) or a < b < 0 (negative)
                sign_ = 1 if decreasing else -1
                signed.update((n, sign_) for n in map(_scaled_name, terms[:-1]) if n)
            elif small_rational(terms[0]) == 0:         # 0 < a < b (positive) or 0 > a > b (negative)
                sign_ = -1 if decreasing else 1
                signed.update((n, sign_) for n in map(_scaled_name, terms[1:]) if n)
    signs = {}
    for n, s in signed:
        signs[n] = s if signs.get(n, s) == s else 0
    return set(table), {n: s for n, s in signs.items() if s}, chains

def _scaled(node):
    """(name, c) from ``c*name`` (c > 0 rational) or ``name``, else None."""
    import ast
    from .exact import small_rational
    if isinstance(node, ast.Name):
        return node.id, Fraction(1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            c = small_rational(a)
            if c is not None and c > 0 and isinstance(b, ast.Name):
                return b.id, c
    return None

def _scaled_name(node):
    """``y`` from ``y`` or ``4*y`` (a positive multiple), else None."""
    return (_scaled(node) or (None,))[0]

def _matrix(m):
    return isinstance(m, list) and m and all(isinstance(r, list) and len(r) == len(m[0]) and r for r in m)

def curvature(H, v):
    """v^T H v."""
    out = None
    for i, vi in enumerate(v):
        if is_zero(vi):
            continue
        for j, vj in enumerate(v):
            t = H[i][j] * vi * vj
            out = t if out is None else out + t
    return out
