"""Manifolds of critical points through a point, proven exactly (Morse-Bott).

A point theta with H PSD is a (non-strict) local minimum when a manifold C
of *critical points* passes through theta with tangent space T_theta C =
ker H: near theta, L is constant on C and grows quadratically across it
(Morse-Bott lemma; on C near theta the rank of H cannot drop, so ker H stays
equal to the tangent space). A manifold of merely constant loss is not
enough: L = x^2 + 2 x y^3 is constant on x = 0 (tangent = ker H at 0), yet
L = -y^6 on x = -y^3; the gradient (2 y^3, 0) on x = 0 is not zero.

The families proven here are

    Phi(c, s) = g_1(c_1) ... g_k(c_k) (theta + s_1 v_1 + ... + s_r v_r)

with v_i directions in ker H (proposed: coordinate directions, then a basis
of ker H) and g_j one-parameter maps proposed by the network's structure:
rescalings (coordinates times c or divided by c, c > 0; for untied neurons
and for whole tied / convolution channels) and mixings of linear neurons
(x -> x + c T x). Nothing about them is trusted: the gradient of L at
Phi(c, s) is computed exactly as a polynomial in (c, 1/c, s) (1/c as its own
variable d, then reduced by c d = 1: a Laurent polynomial that vanishes on
c > 0 has every coefficient zero), for a loss that is a polynomial in the
parameters near theta (linear, polynomial and, away from kinks,
piecewise-linear activations). Every coefficient zero
proves that every point of the family is critical (for piecewise-linear
activations: every point near theta, where each pre-activation keeps the
non-zero sign it has at theta); the differential at
(c = 1 or 0, s = 0) has the columns v_i and the orbit tangents, and when
they are independent and span ker H the Morse-Bott lemma applies.

>>> import networkx as nx
>>> from losscert import Network, compile_loss
>>> g = nx.DiGraph([("x", "h"), ("h", "y")])
>>> loss = compile_loss(Network(g, ["x"], ["y"]), [[1]], [[1]])
>>> theta = loss.point({"x -> h": 0, "h -> y": 0})      # L = 1/2 (w u - 1)^2
>>> prove_critical_family(loss, theta, [], [[loss.field.one, loss.field.zero]]) is None
True
"""
from __future__ import annotations

from sympy.polys.rings import ring

from ..activations import NonSmooth, NotExact
from ..compiler import FieldAlgebra, Loss
from ..network import bias_name, edge_name
from . import linalg
from .symmetry import Curve

MAX_FAMILY_PARAMETERS = 80     # parameters of the network up to which families are tried
MAX_FAMILY_VARIABLES = 12      # ring variables (s_i, c_j, 1/c_j) of one family


class RingAlgebra(FieldAlgebra):
    """Exact polynomials over the loss's field: what the forward/backward pass
    computes with when the point depends polynomially on family variables.
    Polynomial activations apply exactly; a piecewise-linear one (ReLU, leaky
    ReLU) applies the linear piece of the sign its argument has at the base
    point ``base`` (values of the variables), which is the activation on a
    neighbourhood of the base point; a zero argument there (a kink) raises
    :class:`NonSmooth`."""

    def __init__(self, R, F, base=None):
        self.R, self.F, self.zero = R, F, R.zero
        self.base = base
        self.pieces = False          # a piecewise-linear activation was applied by its local piece

    def lift(self, c):
        return self.R.zero + c

    def _at_base(self, p):
        """p at the base point, term by term (SymPy's ``evaluate`` computes 0**0 over
        a fraction field such as Q(a) and raises)."""
        total = self.F.zero
        for mono, coeff in p.terms():
            for value, e in zip(self.base, mono):
                if e:
                    coeff = coeff * value ** e
            total = total + coeff
        return total

    def activate(self, act, a, derivative):
        poly = act.polynomial_coefficients
        if poly is None and act.slopes is not None and self.base is not None:
            at = self._at_base(a)
            side = self.F.sign(at)
            if side == 0:
                raise NonSmooth(f"{act.spec}: a pre-activation is zero at the point (a kink)")
            slope = self.F(act.slopes[1 if side > 0 else 0])
            self.pieces = True
            return a * slope, (self.R.zero + slope if derivative else None)
        if poly is None and a.is_ground:       # a pre-activation the family does not move: constant value
            c = act.taylor(a.LC if a else self.F.zero, 1 if derivative else 0, self.F)   # NotExact if not exact
            return self.R.zero + c[0], (self.R.zero + c[1] if derivative else None)
        if poly is None:
            raise NotExact(f"activation {act.kind} is neither a polynomial nor piecewise linear")
        cs = [self.F(c) for c in poly]
        value = self.R.zero + cs[-1]
        for c in reversed(cs[:-1]):
            value = value * a + c
        if not derivative:
            return value, None
        ds = [c * k for k, c in enumerate(cs)][1:] or [self.F.zero]
        slope = self.R.zero + ds[-1]
        for c in reversed(ds[:-1]):
            slope = slope * a + c
        return value, slope


def tied_rescalings(loss: Loss, theta) -> list[Curve]:
    """Rescalings of whole tied channels (proposals, unchecked): for a tie
    key, the neurons its edges feed form a channel; when every incoming edge
    of the channel carries a parameter used only on incoming edges of the
    channel (and every outgoing edge one used only on its outgoing edges),
    incoming weights and biases times c, outgoing weights divided by c."""
    net, F = loss.network, loss.field
    idx = net.param_index
    out, seen = [], set()
    for key, edges in net.tied.items():
        channel = {v for _, v in edges}
        if not channel <= set(net.hidden):
            continue
        if not all(net.activation(h).properties["positively_homogeneous"] for h in channel):
            continue
        ins = [e for h in channel for e in net.graph.in_edges(h)]
        outs = [e for h in channel for e in net.graph.out_edges(h)]
        if any(net.graph.edges[e]["fixed"] is not None for e in ins + outs) or any(e[0] in channel for e in ins):
            continue
        up = sorted({idx[net.graph.edges[e]["tie"] or edge_name(*e)] for e in ins}
                    | {idx[bias_name(h)] for h in channel if net.has_bias(h)})
        down = sorted({idx[net.graph.edges[e]["tie"] or edge_name(*e)] for e in outs})
        names = {net.parameters[p] for p in up + down}
        used = [e for p in names for e in net.param_edges(p)]
        if set(up) & set(down) or any(e not in ins and e not in outs for e in used) or (tuple(up), tuple(down)) in seen:
            continue
        seen.add((tuple(up), tuple(down)))
        curve = Curve("rescaling", f"channel {{{', '.join(sorted(channel))}}} (tie {key})", up, down)
        if any(curve.tangent(theta, F)):
            out.append(curve)
    return out


def prove_critical_family(loss: Loss, theta, groups: list[Curve], directions: list) -> dict | None:
    """Exact evidence that every point of g_1(c_1)...g_k(c_k)(theta + sum s_i v_i)
    is critical (``groups``: rescaling / mixing curves, ``directions``: the v_i),
    or None when a gradient coefficient is not zero or the check is impossible
    (a loss that is not a polynomial in the parameters, too many variables)."""
    F = loss.field
    directions = [_exact_vector(F, v, len(theta)) for v in directions]
    n_vars = len(directions) + sum(2 if g.kind == "rescaling" else 1 for g in groups)
    if n_vars == 0 or n_vars > MAX_FAMILY_VARIABLES or len(theta) > MAX_FAMILY_PARAMETERS \
            or any(g.kind not in ("rescaling", "mixing") for g in groups):
        return None
    names = [f"s{i + 1}" for i in range(len(directions))]
    for j, g in enumerate(groups):
        names += [f"c{j + 1}", f"d{j + 1}"] if g.kind == "rescaling" else [f"c{j + 1}"]
    R, *gens = ring(",".join(names), F.domain)
    ss, rest = gens[: len(directions)], gens[len(directions):]
    x = [R.zero + t for t in theta]
    for s, v in zip(ss, directions):
        x = [a + s * b if b else a for a, b in zip(x, v)]
    laurent = []                      # (c index, d index) pairs of the rescalings
    at = len(directions)
    for g in groups:
        if g.kind == "rescaling":
            c, d = rest[0], rest[1]
            rest = rest[2:]
            laurent.append((at, at + 1))
            at += 2
            x = list(x)
            for i in g.up:
                x[i] = x[i] * c
            for i in g.down:
                x[i] = x[i] * d
        else:
            c = rest[0]
            rest = rest[1:]
            at += 1
            shifted = list(x)
            for target, source, sign in g.shift:
                shifted[target] = shifted[target] + (c * x[source] if sign > 0 else -c * x[source])
            x = shifted
    base = [F.zero] * len(directions)
    for g in groups:
        base += [F.one, F.one] if g.kind == "rescaling" else [F.zero]
    alg = RingAlgebra(R, F, base)
    try:
        grad = loss._gradient_in(x, alg)
    except (NotExact, NonSmooth):
        return None
    for entry in grad:
        if entry and _laurent_reduce(entry, laurent):
            return None
    family = "theta" + "".join(f" + s{i + 1} v{i + 1}" for i in range(len(directions)))
    for j, g in reversed(list(enumerate(groups))):
        family = f"g{j + 1}(c{j + 1}) ({family})"
    return {"family": family,
            "directions": [{p: F.show(a) for p, a in zip(loss.params, v) if a} for v in directions],
            "group_maps": [g.describe() for g in groups],
            "why": "the gradient of L at every point of the family is an exact polynomial in "
                   f"({', '.join(names)}) (d_j standing for 1/c_j) whose coefficients all vanish "
                   "(after reducing c_j d_j = 1): every point of the family is critical"
                   + ("; piecewise-linear activations act by the linear piece of the sign each pre-activation "
                      "has at theta, which is the loss on a neighbourhood of theta, so the identity holds for "
                      "the family near theta" if alg.pieces else "")}


def _exact_vector(F, v, n: int) -> list:
    """v as field elements; floats are refused (they never enter an exact check)."""
    if len(v) != n:
        raise ValueError(f"a family direction has {len(v)} entries; the loss has {n} parameters")
    if any(isinstance(x, float) for x in v):
        raise TypeError("a family direction has a float entry; give exact numbers (int, SymPy number, field element)")
    return [F(x) for x in v]


def _laurent_reduce(p, pairs) -> dict:
    """The non-zero coefficients of p after substituting d = 1/c for each (c, d) pair."""
    out: dict = {}
    for mono, coeff in p.terms():
        key = list(mono)
        for ci, di in pairs:
            key[ci], key[di] = key[ci] - key[di], 0
        key = tuple(key)
        out[key] = out.get(key, 0) + coeff
    return {k: c for k, c in out.items() if c}


def critical_family(loss: Loss, theta, H, kernel, orbit_curves: list[Curve], tangents: list | None = None) -> dict | None:
    """A proven family of critical points through theta whose tangent space is
    ker H (evidence dict), or None. ``orbit_curves``: the group actions found
    by the symmetry step (their constancy at theta already checked).
    ``tangents``, a list, receives the family's tangent vectors at theta."""
    F = loss.field
    P, m = len(theta), len(kernel)
    if not m or P > MAX_FAMILY_PARAMETERS or m > MAX_FAMILY_VARIABLES:
        return None
    groups, cols = [], []
    budget = [3 * m + 10]              # proofs attempted while searching (each is one exact pass)

    def proven(gs, ds):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        return prove_critical_family(loss, theta, gs, ds)

    def independent(v):
        if not any(v):
            return False
        M = linalg.matrix([[w[i] for w in cols + [v]] for i in range(P)], F)
        return len(linalg.rref(M)[1]) == len(cols) + 1

    def in_kernel(v):
        return not any(linalg.matvec(H, v, F))

    for g in orbit_curves + tied_rescalings(loss, theta):
        t = g.tangent(theta, F)
        if len(cols) < m and in_kernel(t) and independent(t) and proven([g], []):
            groups.append(g)
            cols.append(t)
    coordinate = [[F.one if i == p else F.zero for i in range(P)] for p in range(P)]
    directions = []
    for v in [e for e in coordinate if in_kernel(e)] + list(kernel):
        if len(cols) == m:
            break
        if independent(v) and proven([], directions + [v]):
            directions.append(v)
            cols.append(v)
    if len(cols) != m:
        return None
    proof = prove_critical_family(loss, theta, groups, directions)
    if proof is None:
        return None
    T = linalg.matrix([[w[i] for w in cols] for i in range(P)], F)
    if any(x for row in (H * T).to_list() for x in row):
        raise AssertionError("kernel self-check failed: tangent of a critical family not in ker H")
    proof["tangents_at_theta"] = [{p: F.show(a) for p, a in zip(loss.params, v) if a} for v in cols]
    proof["dimension"] = m
    if tangents is not None:
        tangents.extend(cols)
    return proof
