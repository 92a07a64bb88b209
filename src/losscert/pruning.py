"""Pruning of useless nodes (Appendix A of the first paper).

A hidden node is useless when no directed input-to-output path passes
through it. Removal is explained by four rules, applied until nothing
changes:

- ``zero out-degree``: the node feeds nothing;
- ``zero out-degree after later removals``: everything it fed was removed;
- ``zero in-degree``: nothing feeds it, it has no bias and sigma(0) = 0;
- ``zero in-degree after earlier removals``: everything feeding it was removed
  (each of those output 0), it has no bias and sigma(0) = 0.

A node with no inputs still feeds sigma(b) forward when it has a bias, and
sigma(0) when its activation has sigma(0) != 0 (sigmoid, softplus, a
polynomial with a constant term): such a node is kept like a bias node (the
papers' pruning assumes sigma(0) = 0). sigma(0) is decided exactly from the
activation's expression; when it cannot be, the node is kept. Removed nodes
output 0 for every parameter value, so the effective sub-network computes
the same function. Inputs and outputs are never removed: an input that
reaches no output and an output that no input or constant source reaches
are reported as useless and left out of the effective sub-network (drop
their rows of X and Y to compile it; such an output is identically 0).

This is a proposer: the kernel decides the ``effective`` claim itself
(:mod:`losscert.kernel.structure`).

>>> from losscert.network import masked
>>> net = masked([[[1, 1], [0, 0]], [[1, 1]]])   # h1_2 has no inputs
>>> eff, report = effective(net)
>>> [(r.name, r.rule) for r in report.removed if r.kind == "node"]
[('h1_2', 'zero in-degree')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .kernel.structure import zero_at_zero
from .network import Network, edge_name


@dataclass(frozen=True)
class Removal:
    kind: str   # "node" or "edge"
    name: str
    rule: str


@dataclass
class PruneReport:
    removed: list[Removal] = field(default_factory=list)
    useless_inputs: list[str] = field(default_factory=list)
    useless_outputs: list[str] = field(default_factory=list)

    @property
    def is_effective(self) -> bool:
        return not (self.removed or self.useless_inputs or self.useless_outputs)

    def useless_nodes(self) -> list[tuple[str, str]]:
        """(node, reason) for every useless node, in removal order."""
        out = [(r.name, r.rule) for r in self.removed if r.kind == "node"]
        out += [(n, "input reaches no output") for n in self.useless_inputs]
        out += [(n, "output reached by no input or constant source") for n in self.useless_outputs]
        return out

    def lines(self) -> list[str]:
        return [f"{kind} {name}: {why}" for kind, name, why in
                [(r.kind, r.name, r.rule) for r in self.removed]
                + [("input", n, "reaches no output") for n in self.useless_inputs]
                + [("output", n, "is reached by no input or constant source") for n in self.useless_outputs]]


def effective(network: Network) -> tuple[Network | None, PruneReport]:
    """The effective sub-network and a report of what was removed and why.

    Returns ``(None, report)`` when nothing effective is left."""
    g = network.graph.copy()
    ins, outs = set(network.inputs), set(network.outputs)
    original_out = {n: g.out_degree(n) for n in g}
    original_in = {n: g.in_degree(n) for n in g}
    report = PruneReport()
    changed = True
    while changed:
        changed = False
        for n in list(nx.topological_sort(g)):
            if n in ins or n in outs or n not in g:
                continue
            if g.out_degree(n) == 0:
                rule = "zero out-degree" if original_out[n] == 0 else "zero out-degree after later removals"
                _remove(g, n, rule, report)
                changed = True
            elif g.in_degree(n) == 0 and not network.has_bias(n) and zero_at_zero(network.activation(n)) is True:
                rule = "zero in-degree" if original_in[n] == 0 else "zero in-degree after earlier removals"
                _remove(g, n, rule, report)
                changed = True
    for n in network.inputs:
        if not any(nx.has_path(g, n, o) for o in network.outputs):
            report.useless_inputs.append(n)
    sources = set(network.inputs) | {n for n in g if n not in ins and n not in outs and (
        network.has_bias(n) or zero_at_zero(network.activation(n)) is not True)}
    for o in network.outputs:
        if not network.has_bias(o) and not any(nx.has_path(g, s, o) for s in sources if s in g):
            report.useless_outputs.append(o)
    for n in report.useless_inputs:
        for _, v in list(g.out_edges(n)):
            report.removed.append(Removal("edge", edge_name(n, v), "input reaches no output"))
            g.remove_edge(n, v)
    for n in report.useless_outputs:
        for u, _ in list(g.in_edges(n)):
            report.removed.append(Removal("edge", edge_name(u, n), "output reached by no input or constant source"))
            g.remove_edge(u, n)
    ins = [n for n in network.inputs if g.degree(n)]
    outs = [n for n in network.outputs if g.degree(n)]
    g.remove_nodes_from([n for n in list(g) if not g.degree(n)])
    if not ins or not outs:
        return None, report
    return Network(g, ins, outs), report


def _remove(g: nx.DiGraph, node, rule, report: PruneReport):
    for u, v in list(g.in_edges(node)) + list(g.out_edges(node)):
        report.removed.append(Removal("edge", edge_name(u, v), rule + f" of {node}"))
    report.removed.append(Removal("node", node, rule))
    g.remove_node(node)
