"""Constant-loss curves forced by the network's structure.

- ``rescaling`` of hidden neuron h (positively homogeneous activation, no
  fixed or tied incident edge): incoming weights and bias times c, outgoing
  weights divided by c, c > 0. A global symmetry of the loss (a group
  action), so its orbit through a critical point consists of critical points.
- ``mixing`` of linear hidden neurons j, k with in(k) <= in(j) and
  out(j) <= out(k): incoming weights of j += c * those of k, outgoing weights
  of k -= c * those of j (the one-parameter subgroups of GL(p) acting on a
  group of neurons with one pattern); also a global symmetry.
- ``dead-out`` / ``dead-in`` translations: a neuron whose outgoing weights
  are all zero leaves its incoming weights free; a neuron with sigma(0) = 0
  whose incoming weights (and bias) are all zero leaves its outgoing weights
  free. Constant-loss straight lines, but not symmetries of the loss.

The identity "L is constant on the curve" is checked exactly: for a network
whose loss is a polynomial of degree D in the parameters, L(curve(c)) times
c^D is a polynomial of degree <= 2D in c, so agreement with L(theta) at
2D + 1 distinct points proves the identity. For piecewise-linear
activations the identity is the activation's positive homogeneity; the same
exact evaluations then check the implementation, and the evidence says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..compiler import Loss
from ..network import bias_name, edge_name


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
        for i in self.up:
            t[i] = theta[i] if self.kind == "rescaling" else F.one
        for i in self.down:
            t[i] = -theta[i]
        for target, source, sign in self.shift or ():
            t[target] = t[target] + (theta[source] if sign > 0 else -theta[source])
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
        if untied(ins + outs) and act.properties["positively_homogeneous"]:
            out_params = [idx[edge_name(*e)] for e in outs]
            curve = Curve("rescaling", h, in_params, out_params)
            if any(curve.tangent(theta, F)):
                curves.append(curve)
        # a zero weight silences the edge whether or not its parameter is shared
        if in_params and all(not value(e) for e in outs):
            curves += [Curve("dead-out", h, [p], []) for p in in_params]
        in_zero = all(not value(e) for e in ins) and (not net.has_bias(h) or not theta[idx[bias_name(h)]])
        if in_zero and untied(outs) and act.properties["zero_at_zero"]:
            curves += [Curve("dead-in", h, [idx[edge_name(*e)]], []) for e in outs]
    curves += _mixing_curves(net, theta, F, untied)
    return curves


def _mixing_curves(net, theta, F, untied) -> list[Curve]:
    """For linear hidden neurons j != k with in(k) <= in(j), out(j) <= out(k)
    (and a bias on j if k has one), all incident edges free: the group
    W -> (I + cE_jk) W, U -> U (I - cE_jk) preserves the network function."""
    idx = net.param_index
    linear = [h for h in net.hidden if net.activation(h).kind == "linear"
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
            if any(curve.tangent(theta, F)):
                out.append(curve)
    return out


def check_constant(loss: Loss, theta, curve: Curve, nearby=None) -> dict | None:
    """Exact evidence that L is constant on the curve, or None if it is not
    (``nearby``: a ``loss.nearby(theta)`` evaluator to share between curves)."""
    F = loss.field
    nearby = nearby or loss.nearby(theta)
    L0 = nearby.value
    D = polynomial_degree(loss)
    if curve.kind == "rescaling":
        count = 2 * D + 1 if D is not None else 3
        params = [F(sympy.Integer(k + 2)) for k in range(count)]
    else:                           # straight lines: theta + c * tangent
        count = D + 1 if D is not None else 3
        params = [F(sympy.Integer(k + 1)) for k in range(count)]
    values = nearby.values([curve.at(theta, c, F) for c in params])
    if any(v != L0 for v in values):
        return None
    if D is None:
        how = {"rescaling": "identity by positive homogeneity of the activation",
               "mixing": "identity by linearity of the mixed neurons"}.get(
            curve.kind, "identity: the moving weights multiply a zero weight or a zero output") + \
            f"; checked exactly at {count} points"
    elif curve.kind == "rescaling":
        how = (f"L(curve(c)) * c^{D} is a polynomial of degree <= {2 * D} in c; it equals L(theta) * c^{D} "
               f"at {count} distinct points, so L is constant on the curve")
    else:
        how = f"L(curve(t)) is a polynomial of degree <= {D} in t equal to L(theta) at {count} points, so constant"
    return {"curve": curve.describe(), "checked_at": [F.show(c) for c in params], "why": how,
            "loss_on_curve": F.show(L0)}
