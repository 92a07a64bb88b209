"""Minima up to rescaling: interval certificates on a gauge-fixed slice.

A hidden neuron h whose activation is positively homogeneous and whose
incident edges are all free parameters can scale its incoming weights (and
bias) by c > 0 and its outgoing weights by 1/c without changing the network
function (the kernel's rescaling orbits, :mod:`.symmetry`). Such orbits make
every minimum degenerate, so the Hessian is never positive definite and
``local_minimum_near`` alone cannot certify one.

Fix one incoming weight of each such neuron at its non-zero rational value
in theta (the *slice* S; the fixed weights become constants of a reduced
network). If the reduced loss has a strict local minimum theta* within the
radius (``local_minimum_near`` on the reduced network: Krawczyk + positive
definite Hessian on a box), then theta* is a local minimum of the full loss:
every point theta' near theta* has a rescaled copy in S, near theta*
(the scale c = fixed value / theta'_e is near 1), with the same loss, which
is >= L(theta*). It is not strict (its rescaling orbit has constant loss).

>>> from losscert.network import dense
>>> from losscert.compiler import compile_loss
>>> loss = compile_loss(dense([2, 1, 2]), X=[[1, 0, 1], [0, 1, 1]], Y=[[1, 0, 2], [1, 1, 0]])
>>> theta = loss.point([1, 0, 1, 1])        # not near a minimum
>>> minimum_near_modulo_rescaling(loss, theta, "1/100").status
'inconclusive'
"""
from __future__ import annotations

import networkx as nx

from ..activations import NotExact
from ..compiler import Loss, compile_loss
from ..network import Network, edge_name
from ..numbers import parse_number
from .. import intervals as iv
from . import rigorous
from .symmetry import candidate_curves, check_constant
from .verdict import INCONCLUSIVE, VERIFIED, Verdict


def _slice(loss: Loss, theta):
    """(reduced loss, reduced point, {gauge edge: value}) or a reason string."""
    net, F = loss.network, loss.field
    index = net.param_index
    gauge = {}
    rescalings = [c for c in candidate_curves(loss, theta) if c.kind == "rescaling"]
    if not rescalings:
        return "no neuron has a rescaling orbit (positively homogeneous activation, free incident edges)"
    try:
        nearby = loss.nearby(theta)
    except NotExact as exc:
        return f"the loss at the point is not exact ({exc})"
    for curve in rescalings:
        if check_constant(loss, theta, curve, nearby) is None:
            continue
        h = curve.neuron
        best = None
        for u in net.graph.predecessors(h):
            name = edge_name(u, h)
            q = F.rational(theta[index[name]])
            if q is not None and q != 0 and (best is None or abs(q) > abs(best[1])):
                best = (name, q)
        if best is not None:
            gauge[best[0]] = best[1]
    if not gauge:
        return "no neuron with a proven rescaling orbit and a non-zero rational incoming weight"
    g = nx.DiGraph()
    g.add_nodes_from(net.graph.nodes(data=True))
    for u, v, data in net.graph.edges(data=True):
        data = dict(data)
        if edge_name(u, v) in gauge:
            data["fixed"] = gauge[edge_name(u, v)]
        g.add_edge(u, v, **data)
    reduced_net = Network(g, net.inputs, net.outputs)
    reduced = compile_loss(reduced_net, loss.X_sym, loss.Y_sym, loss.scale_sym)
    values = dict(zip(loss.params, theta))
    point = reduced.point({p: F.to_sympy(values[p]) for p in reduced.params})
    return reduced, point, gauge


def minimum_near_modulo_rescaling(loss: Loss, theta, radius, digits: int = rigorous.DEFAULT_DIGITS) -> Verdict:
    """A (non-strict) local minimum lies within ``radius`` (sup norm) of
    theta, proven on the gauge-fixed slice (see the module docstring)."""
    if type(loss) is not Loss:
        return Verdict(INCONCLUSIVE, "not a compiled losscert Loss")
    if loss.parameters is not None:
        return Verdict(INCONCLUSIVE, "not decided for losses with symbolic parameters")
    theta = loss.point(theta)           # field elements, a mapping, a sequence or a numpy array
    radius = parse_number(radius) if isinstance(radius, str) else loss.field.to_sympy(loss.field(radius))
    sl = _slice(loss, theta)
    if isinstance(sl, str):
        return Verdict(INCONCLUSIVE, sl)
    reduced, point, gauge = sl
    v = rigorous.local_minimum_near(reduced, point, reduced.field(radius), digits)
    ev = {"gauge_fixed": {e: str(q) for e, q in gauge.items()}, "on_the_slice": v.as_dict()}
    if v.status != VERIFIED:
        return Verdict(INCONCLUSIVE, f"on the slice fixing {len(gauge)} weight(s): {v.reason}", ev)
    return Verdict(VERIFIED, f"a local minimum (not strict: rescaling orbits) within {radius} of the point: "
                   f"on the slice fixing {', '.join(gauge)}, " + v.reason, ev)


def spurious_minimum_near_modulo_rescaling(loss: Loss, theta, radius, better,
                                           digits: int = rigorous.DEFAULT_DIGITS) -> Verdict:
    """As :func:`minimum_near_modulo_rescaling`, and L(better) is below an
    Arb lower bound of L on the whole ball (which holds the minimum)."""
    lm = minimum_near_modulo_rescaling(loss, theta, radius, digits)
    if lm.status != VERIFIED:
        return lm
    theta, better = loss.point(theta), loss.point(better)
    F = loss.field
    r = parse_number(radius) if isinstance(radius, str) else F.to_sympy(F(radius))
    with iv.precision(digits):
        ball = [iv.field_to_arb(F, t) + iv.spread(r) for t in theta]
        on_ball = loss.iv_value(ball)
        at_better = loss.iv_value([iv.field_to_arb(F, t) for t in better])
        ev = {"local_minimum": lm.as_dict(), "loss_on_ball": iv.show(on_ball), "loss_at_better": iv.show(at_better)}
        if at_better < on_ball:
            return Verdict(VERIFIED, f"{lm.reason}; and L(better) in {iv.show(at_better)} < L on the ball "
                           f"in {iv.show(on_ball)} (Arb enclosures)", ev)
    return Verdict(INCONCLUSIVE, "a local minimum, but the enclosures do not separate L(better) from L on the ball",
                   ev)
