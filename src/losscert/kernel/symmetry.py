"""Constant-loss curves forced by the network's structure.

- ``rescaling`` of hidden neuron h (positively homogeneous activation, no
  fixed or tied incident edge): incoming weights and bias times c, outgoing
  weights divided by c, c > 0. A global symmetry of the loss (a group
  action), so its orbit through a critical point consists of critical points.
- ``mixing`` of identity hidden neurons j, k with in(k) <= in(j) and
  out(j) <= out(k): incoming weights of j += c * those of k, outgoing weights
  of k -= c * those of j (the one-parameter subgroups of GL(p) acting on a
  group of neurons with one pattern); also a global symmetry.
- ``dead-out`` / ``dead-in`` translations: a neuron whose outgoing weights
  are all zero leaves its incoming weights free; a neuron with sigma(0) = 0
  whose incoming weights (and bias) are all zero leaves its outgoing weights
  free. Constant-loss straight lines, but not symmetries of the loss.

:func:`candidate_curves` proposes; :func:`check_constant` proves. The proof
is structural: the curve is re-derived from the network (the neuron's
incident edges are free parameters of that neuron alone, the weights that
must be zero are zero at theta), and the activation property it needs is
proven from the activation's expression (positive homogeneity piece by
piece, :func:`~losscert.activations.positive_homogeneity`; sigma(0) = 0 and
sigma(z) = z exactly); then the network function, hence L, is the same at
every point of the curve. A curve that is not of one of these forms is
checked only when it is a straight line (not a claimed group action: those
feed Morse-Bott and need the structural proof) and the loss is a
polynomial of small degree D, by exact interpolation: L on the line is a
polynomial of degree <= D, so agreement with L(theta) at D + 1 distinct
points proves the identity; otherwise no curve is proven (nothing is
sampled).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..activations import positive_homogeneity
from ..compiler import Loss
from ..network import bias_name, edge_name

MAX_INTERPOLATION_DEGREE = 32     # D above which a non-structural line is not checked (D + 1 exact evaluations)


@dataclass
class Curve:
    kind: str            # "rescaling", "mixing", "dead-out", "dead-in"
    neuron: str
    up: list             # rescaling: indices times c; dead-*: indices moved by +c
    down: list           # rescaling: indices divided by c
    shift: list = None   # mixing: (target index, source index, sign): target += sign * c * theta[source]

    @property
    def group_action(self) -> bool:
        """A one-parameter group of linear maps preserving L everywhere."""
        return self.kind in ("rescaling", "mixing")

    def tangent(self, theta, F) -> list:
        t = [F.zero] * len(theta)
        for i, x in self._entries(theta, F).items():
            t[i] = x
        return t

    def moves(self, theta, F) -> bool:
        """The tangent at theta is not zero (read on the curve's own coordinates only)."""
        return any(self._entries(theta, F).values())

    def _entries(self, theta, F) -> dict:
        """The tangent's entries on the curve's own coordinates (the others are 0)."""
        t = {}
        for i in self.up:
            t[i] = theta[i] if self.kind == "rescaling" else F.one
        for i in self.down:
            t[i] = -theta[i]
        for target, source, sign in self.shift or ():
            t[target] = t.get(target, F.zero) + (theta[source] if sign > 0 else -theta[source])
        return t

    def at(self, theta, c, F) -> list:
        """The point of the curve at parameter c (c > 0 for rescalings)."""
        if self.kind == "mixing":
            return [a + c * b for a, b in zip(theta, self.tangent(theta, F))]
        out = list(theta)
        for i in self.up:
            out[i] = theta[i] * c if self.kind == "rescaling" else theta[i] + c
        for i in self.down:
            out[i] = theta[i] / c
        return out

    def describe(self) -> str:
        if self.kind == "rescaling":
            return f"rescale neuron {self.neuron}: incoming weights and bias * c, outgoing weights / c (c > 0)"
        if self.kind == "mixing":
            j, k = self.neuron
            return (f"mix linear neurons: incoming weights of {j} += c * those of {k}, "
                    f"outgoing weights of {k} -= c * those of {j}")
        if self.kind == "dead-out":
            return f"neuron {self.neuron} has zero outgoing weights: its incoming weights move freely"
        return f"neuron {self.neuron} outputs sigma(0) = 0: its outgoing weights move freely"


def polynomial_degree(loss: Loss) -> int | None:
    """Degree of L as a polynomial in the parameters, or None if it is not one."""
    deg = [0] * loss.n_slots                     # inputs (the first slots) have degree 0
    for st in loss.steps:
        inner = max([(1 if p is not None else 0) + deg[src] for src, p, _ in st.terms]
                    + ([1] if st.bias is not None else []))
        act = st.activation
        if act is None:
            deg[st.slot] = inner
        elif act.polynomial_coefficients is not None:
            deg[st.slot] = inner * (len(act.polynomial_coefficients) - 1)
        else:
            return None
    return 2 * max(deg[o] for o in loss.output_slots)


def candidate_curves(loss: Loss, theta) -> list[Curve]:
    """The structural constant-loss curves through theta (unchecked)."""
    net, F = loss.network, loss.field
    idx = net.param_index
    curves = []
    def untied(edges):
        return all(net.graph.edges[e]["fixed"] is None and net.graph.edges[e]["tie"] is None for e in edges)

    def value(e):
        d = net.graph.edges[e]
        return F(d["fixed"]) if d["fixed"] is not None else theta[idx[d["tie"] or edge_name(*e)]]

    for h in net.hidden:
        ins = list(net.graph.in_edges(h))
        outs = list(net.graph.out_edges(h))
        in_params = ([idx[edge_name(*e)] for e in ins] + ([idx[bias_name(h)]] if net.has_bias(h) else [])
                     if untied(ins) else [])
        act = net.activation(h)
        if untied(ins + outs) and positive_homogeneity(act.expr) is not None:
            out_params = [idx[edge_name(*e)] for e in outs]
            curve = Curve("rescaling", h, in_params, out_params)
            if curve.moves(theta, F):
                curves.append(curve)
        # a zero weight silences the edge whether or not its parameter is shared
        if in_params and all(not value(e) for e in outs):
            curves += [Curve("dead-out", h, [p], []) for p in in_params]
        in_zero = all(not value(e) for e in ins) and (not net.has_bias(h) or not theta[idx[bias_name(h)]])
        if in_zero and untied(outs) and act.zero_at_zero is True:
            curves += [Curve("dead-in", h, [idx[edge_name(*e)]], []) for e in outs]
    curves += _mixing_curves(net, theta, F, untied)
    return curves


def _mixing_curves(net, theta, F, untied) -> list[Curve]:
    """For identity hidden neurons j != k with in(k) <= in(j), out(j) <= out(k)
    (and a bias on j if k has one), all incident edges free: the group
    W -> (I + cE_jk) W, U -> U (I - cE_jk) preserves the network function."""
    idx = net.param_index
    linear = [h for h in net.hidden if net.activation(h).is_identity
              and untied(list(net.graph.in_edges(h)) + list(net.graph.out_edges(h)))]
    preds = {h: set(net.graph.predecessors(h)) for h in linear}
    succs = {h: set(net.graph.successors(h)) for h in linear}
    out = []
    for j in linear:
        for k in linear:
            if j == k or not preds[k] <= preds[j] or not succs[j] <= succs[k] \
                    or (net.has_bias(k) and not net.has_bias(j)):
                continue
            shift = [(idx[edge_name(x, j)], idx[edge_name(x, k)], 1) for x in preds[k]]
            if net.has_bias(k):
                shift.append((idx[bias_name(j)], idx[bias_name(k)], 1))
            shift += [(idx[edge_name(k, y)], idx[edge_name(j, y)], -1) for y in succs[j]]
            curve = Curve("mixing", (j, k), [], [], shift)
            if curve.moves(theta, F):
                out.append(curve)
    return out


def check_constant(loss: Loss, theta, curve: Curve, nearby=None) -> dict | None:
    """Evidence that L is constant on the curve, or None if that is not
    proven (``nearby``: a ``loss.nearby(theta)`` evaluator to share between
    curves, used only by the interpolation check)."""
    if type(loss) is not Loss:
        return None
    F = loss.field
    why = structural_proof(loss, theta, curve)
    if why is not None:
        out = {"curve": curve.describe(), "why": why}
        if nearby is not None:
            out["loss_on_curve"] = F.show(nearby.value)
        return out
    if curve.group_action:
        return None      # a group action needs the structural proof (constancy through theta alone is not enough)
    D = polynomial_degree(loss)
    if D is None or D > MAX_INTERPOLATION_DEGREE:
        return None                 # no structural proof, and no bounded exact check
    nearby = nearby or loss.nearby(theta)
    L0 = nearby.value
    count = D + 1                   # straight lines: theta + c * e_p
    params = [F(sympy.Integer(k + 1)) for k in range(count)]
    how = f"L(curve(t)) is a polynomial of degree <= {D} in t equal to L(theta) at {count} points, so constant"
    values = nearby.values([curve.at(theta, c, F) for c in params])
    if any(v != L0 for v in values):
        return None
    return {"curve": curve.describe(), "checked_at": [F.show(c) for c in params], "why": how,
            "loss_on_curve": F.show(L0)}


def structural_proof(loss: Loss, theta, curve: Curve) -> str | None:
    """Why the network function is the same at every point of ``curve``,
    re-derived from the network and the activation's expression; None when
    the curve is not one of the structural kinds for this network."""
    net, F = loss.network, loss.field
    idx = net.param_index
    g = net.graph

    def free(edges):
        return all(g.edges[e]["fixed"] is None and g.edges[e]["tie"] is None for e in edges)

    def value(e):
        d = g.edges[e]
        return F(d["fixed"]) if d["fixed"] is not None else theta[idx[d["tie"] or edge_name(*e)]]

    def own(edges):
        return [idx[edge_name(*e)] for e in edges]

    shift = sorted(curve.shift or ())
    if curve.kind == "rescaling":
        h = curve.neuron
        if h not in net.hidden or shift:
            return None
        ins, outs = list(g.in_edges(h)), list(g.out_edges(h))
        proof = positive_homogeneity(net.activation(h).expr)
        if proof is None or not free(ins + outs):
            return None
        up = own(ins) + ([idx[bias_name(h)]] if net.has_bias(h) else [])
        if sorted(curve.up) != sorted(up) or sorted(curve.down) != sorted(own(outs)):
            return None
        return (f"sigma(c z) = c sigma(z) for c > 0 ({proof}); the curve multiplies the pre-activation of {h} "
                f"by c (its incoming weights and bias, free parameters of {h} alone) and its outgoing weights by "
                "1/c, so every product weight * output of the network is unchanged")
    if curve.kind == "mixing":
        if not isinstance(curve.neuron, tuple) or len(curve.neuron) != 2 or curve.up or curve.down:
            return None
        j, k = curve.neuron
        if j == k or j not in net.hidden or k not in net.hidden:
            return None
        if not (net.activation(j).is_identity and net.activation(k).is_identity):
            return None
        edges = [e for n in (j, k) for e in list(g.in_edges(n)) + list(g.out_edges(n))]
        preds, succs = set(g.predecessors(k)), set(g.successors(j))
        if not free(edges) or not preds <= set(g.predecessors(j)) or not succs <= set(g.successors(k)) \
                or (net.has_bias(k) and not net.has_bias(j)):
            return None
        want = [(idx[edge_name(x, j)], idx[edge_name(x, k)], 1) for x in preds]
        if net.has_bias(k):
            want.append((idx[bias_name(j)], idx[bias_name(k)], 1))
        want += [(idx[edge_name(k, y)], idx[edge_name(j, y)], -1) for y in succs]
        if shift != sorted(want):
            return None
        return (f"sigma(z) = z for {j} and {k}; along the line {j} computes h_{j} + c h_{k} and each successor y "
                f"reads u_{j}y (h_{j} + c h_{k}) + (u_{k}y - c u_{j}y) h_{k} = u_{j}y h_{j} + u_{k}y h_{k}")
    if curve.kind in ("dead-out", "dead-in"):
        h = curve.neuron
        if h not in net.hidden or shift or curve.down or len(curve.up) != 1:
            return None
        ins, outs = list(g.in_edges(h)), list(g.out_edges(h))
        (p,) = curve.up
        if curve.kind == "dead-out":
            moving = own(ins) + ([idx[bias_name(h)]] if net.has_bias(h) else [])
            if not free(ins) or p not in moving or any(value(e) for e in outs):
                return None
            return (f"every outgoing weight of {h} is 0 and stays 0; the moving parameter enters only the "
                    f"pre-activation of {h}, whose output is multiplied by those zero weights")
        act = net.activation(h)
        bias_zero = not net.has_bias(h) or not theta[idx[bias_name(h)]]
        if act.zero_at_zero is not True or not free(outs) or p not in own(outs) \
                or any(value(e) for e in ins) or not bias_zero:
            return None
        return (f"the incoming weights and bias of {h} are 0 and stay 0, so {h} outputs sigma(0) = 0 (exact, "
                f"from sigma(z) = {act.expr}); the moving outgoing weight multiplies 0")
    return None
