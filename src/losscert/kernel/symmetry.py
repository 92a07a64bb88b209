"""Constant-loss curves forced by the network's structure.

- ``rescaling`` of hidden neuron h (positively homogeneous activation, no
  fixed or tied incident edge): incoming weights and bias times c, outgoing
  weights divided by c, c > 0. A global symmetry of the loss (a group
  action), so its orbit through a critical point consists of critical points.
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
    kind: str            # "rescaling", "dead-out", "dead-in"
    neuron: str
    up: list             # parameter indices multiplied by c (rescaling) or moved by +c
    down: list           # parameter indices divided by c (rescaling)

    @property
    def group_action(self) -> bool:
        return self.kind == "rescaling"

    def tangent(self, theta, F) -> list:
        t = [F.zero] * len(theta)
        for i in self.up:
            t[i] = theta[i] if self.kind == "rescaling" else F.one
        for i in self.down:
            t[i] = -theta[i]
        return t

    def at(self, theta, c, F) -> list:
        """The point of the curve at parameter c (c > 0 for rescalings)."""
        out = list(theta)
        for i in self.up:
            out[i] = theta[i] * c if self.kind == "rescaling" else theta[i] + c
        for i in self.down:
            out[i] = theta[i] / c
        return out

    def describe(self) -> str:
        if self.kind == "rescaling":
            return f"rescale neuron {self.neuron}: incoming weights and bias * c, outgoing weights / c (c > 0)"
        if self.kind == "dead-out":
            return f"neuron {self.neuron} has zero outgoing weights: its incoming weights move freely"
        return f"neuron {self.neuron} outputs sigma(0) = 0: its outgoing weights move freely"


def polynomial_degree(loss: Loss) -> int | None:
    """Degree of L as a polynomial in the parameters, or None if it is not one."""
    net = loss.network
    deg = {n: 0 for n in net.inputs}
    for st in loss.steps:
        name = st.name
        inner = max([(1 if p is not None else 0) + deg[_src_name(loss, src)] for src, p, _ in st.terms]
                    + ([1] if st.bias is not None else []))
        act = st.activation
        if act is None:
            deg[name] = inner
        elif act.polynomial_coefficients is not None:
            deg[name] = inner * (len(act.polynomial_coefficients) - 1)
        else:
            return None
    return 2 * max(deg[o] for o in net.outputs)


def _src_name(loss, slot):
    return _slot_names(loss)[slot]


def _slot_names(loss):
    names = getattr(loss, "_slot_name_cache", None)
    if names is None:
        names = list(loss.network.inputs) + [st.name for st in loss.steps]
        loss._slot_name_cache = names
    return names


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
    return curves


def check_constant(loss: Loss, theta, curve: Curve) -> dict | None:
    """Exact evidence that L is constant on the curve, or None if it is not."""
    F = loss.field
    L0 = loss.value(theta)
    D = polynomial_degree(loss)
    if curve.kind == "rescaling":
        count = 2 * D + 1 if D is not None else 3
        params = [F(sympy.Integer(k + 2)) for k in range(count)]
    else:
        count = D + 1 if D is not None else 3
        params = [F(sympy.Integer(k + 1)) for k in range(count)]
    for c in params:
        if loss.value(curve.at(theta, c, F)) != L0:
            return None
    if D is None:
        how = ("identity by positive homogeneity of the activation" if curve.kind == "rescaling" else
               "identity: the moving weights multiply a zero weight or a zero output") + \
            f"; checked exactly at {count} points"
    elif curve.kind == "rescaling":
        how = (f"L(curve(c)) * c^{D} is a polynomial of degree <= {2 * D} in c; it equals L(theta) * c^{D} "
               f"at {count} distinct points, so L is constant on the curve")
    else:
        how = f"L(curve(t)) is a polynomial of degree <= {D} in t equal to L(theta) at {count} points, so constant"
    return {"curve": curve.describe(), "checked_at": [F.show(c) for c in params], "why": how,
            "loss_on_curve": F.show(L0)}
