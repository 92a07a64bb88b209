"""Which nodes of a network matter: the kernel's decision of ``effective``.

A node is *live* (it carries a signal) when it is an input, has a bias,
has an activation with sigma(0) != 0 (it outputs at least the constant
sigma(0), like a bias node), or has a live predecessor. A node that is not
live outputs 0 for every value of the parameters: it has no bias, sigma(0)
= 0 and only such nodes feed it (induction along a topological order). A
node *matters* when it is live and some directed path leads from it to an
output (an output matters when it is live). The network is *effective*
when every node matters; sigma(0) is decided exactly from the activation's
expression.

>>> import networkx as nx
>>> from losscert.network import Network
>>> g = nx.DiGraph([("x1", "h1"), ("h1", "y1"), ("h5", "y1")])
>>> net = Network(g, ["x1"], ["y1"], "sigmoid")     # h5 outputs sigmoid(0) = 1/2
>>> useless_nodes(net)
([], [])
>>> useless_nodes(Network(g, ["x1"], ["y1"], "tanh"))
([('h5', 'carries no signal: no input, bias or sigma(0) != 0 node feeds it, so it outputs 0')], [])
"""
from __future__ import annotations

from ..network import Network
from .verdict import INCONCLUSIVE, REFUTED, VERIFIED, Verdict


def zero_at_zero(act) -> bool | None:
    """sigma(0) == 0, decided exactly from the activation's expression
    (:attr:`~losscert.activations.Activation.zero_at_zero`; None if SymPy
    cannot decide; inputs and outputs, whose activation is ``None``, are
    the identity)."""
    return True if act is None else act.zero_at_zero


def _live(network: Network, undecided_live: bool) -> set:
    live = set()
    for n in network.topological_order:
        if n in network.inputs or network.has_bias(n) or any(p in live for p in network.graph.predecessors(n)):
            live.add(n)
            continue
        if n in network.outputs:
            continue
        zero = zero_at_zero(network.activation(n))
        if zero is False or (zero is None and undecided_live):
            live.add(n)
    return live


def _reaching(network: Network) -> set:
    reach = set(network.outputs)
    for n in reversed(network.topological_order):
        if any(s in reach for s in network.graph.successors(n)):
            reach.add(n)
    return reach


def _useless(network: Network, live: set, reach: set) -> list[tuple[str, str]]:
    out = []
    for n in network.topological_order:
        if n in network.outputs:
            if n not in live:
                out.append((n, "output carries no signal: no bias and no input, bias or sigma(0) != 0 node "
                               "reaches it"))
        elif n not in reach:
            out.append((n, "input reaches no output" if n in network.inputs else "reaches no output"))
        elif n not in live:
            out.append((n, "carries no signal: no input, bias or sigma(0) != 0 node feeds it, so it outputs 0"))
    return out


def useless_nodes(network: Network) -> tuple[list[tuple[str, str]], list[str]]:
    """(node, reason) for every node that does not matter, and the hidden
    nodes whose sigma(0) could not be decided when they change the answer.

    The live set is computed twice, counting an undecided sigma(0) as zero
    and as non-zero; the true live set lies between the two, so a node
    useless in the second count is useless, and an empty first count proves
    the network effective."""
    reach = _reaching(network)
    if_zero = _useless(network, _live(network, False), reach)
    if_nonzero = _useless(network, _live(network, True), reach)
    if if_nonzero or not if_zero:
        return if_nonzero, []
    return if_zero, [n for n in network.hidden if zero_at_zero(network.activation(n)) is None]


def effective(network) -> Verdict:
    """Every node of ``network`` is on a path from an input or a constant
    source (a bias, or a node with sigma(0) != 0) to an output."""
    if type(network) is not Network:
        return Verdict(INCONCLUSIVE, f"expected a losscert Network, got {type(network).__name__}")
    useless, undecided = useless_nodes(network)
    sources = [n for n in network.hidden if network.has_bias(n) or zero_at_zero(network.activation(n)) is False]
    ev = {"useless": [f"{n}: {why}" for n, why in useless], "constant_sources": sources}
    if undecided:
        return Verdict(INCONCLUSIVE, f"sigma(0) = 0 is not decided for {undecided[0]}, and the answer depends "
                                     "on it", ev)
    if useless:
        node, why = useless[0]
        return Verdict(REFUTED, f"useless node {node}: {why}", ev)
    return Verdict(VERIFIED, "every node lies on a path from an input or a constant source (bias or sigma(0) != 0) "
                             "to an output", ev)
