"""Input patterns of two-layer networks (Eq. (2) of the first paper).

Hidden node j of a two-layer network sees a set of inputs, its pattern m_j
(a trainable bias counts as one more input row of ones). Equal patterns are
grouped: S_i, p_i = |S_i|, d_i = |m*_i|, and Z_i is X restricted to the rows
of m*_i. From these follow the class of the network and the conditions of
Theorem 1 (no spurious strict minima for linear SD nets).

>>> from losscert.network import sparse_dense
>>> net = sparse_dense([(0, 1), (0, 1), (2,)], d_x=3, d_y=2)
>>> pats = two_layer_patterns(net)
>>> [(p.inputs, p.size, p.dim) for p in pats.groups]
[(('x1', 'x2'), 2, 2), (('x3',), 1, 1)]
>>> pats.classification
'sparse-dense'
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from .network import Network, NetworkError

BIAS_ROW = "1"


@dataclass(frozen=True)
class PatternGroup:
    inputs: tuple[str, ...]     # the pattern m*_i (input names; "1" for a bias)
    hidden: tuple[str, ...]     # S_i

    @property
    def size(self) -> int:      # p_i
        return len(self.hidden)

    @property
    def dim(self) -> int:       # d_i
        return len(self.inputs)


@dataclass(frozen=True)
class Patterns:
    network: Network
    groups: tuple[PatternGroup, ...]
    classification: str

    def Z(self, X: sympy.Matrix, i: int) -> sympy.Matrix:
        """Z_i: the rows of X (one per input, in network.inputs order) in pattern i."""
        rows = [X.row(self.network.inputs.index(name)) if name != BIAS_ROW else sympy.ones(1, X.cols)
                for name in self.groups[i].inputs]
        return sympy.Matrix.vstack(*rows)

    def theorem1_conditions(self, X: sympy.Matrix) -> list[dict]:
        """Each condition of Theorem 1, holding or failing, with the numbers."""
        over = [(g.size, g.dim) for g in self.groups]
        pairs = []
        for i in range(len(self.groups)):
            for j in range(i + 1, len(self.groups)):
                prod = (self.Z(X, i) * self.Z(X, j).T).applyfunc(sympy.nsimplify)
                pairs.append(((i + 1, j + 1), prod))
        d_y = len(self.network.outputs)
        return [
            {"condition": "p_i >= d_i for all i", "holds": all(p >= d for p, d in over),
             "numbers": {f"group {i + 1}": {"p": p, "d": d} for i, (p, d) in enumerate(over)}},
            {"condition": "Z_i Z_j^T = 0 for i != j", "holds": all(m.is_zero_matrix for _, m in pairs),
             "numbers": {f"Z{i} Z{j}^T": str(m.tolist()) for (i, j), m in pairs}},
            {"condition": "d_y = 1", "holds": d_y == 1, "numbers": {"d_y": d_y}},
        ]


def two_layer_patterns(network: Network) -> Patterns:
    """Patterns of a two-layer network (inputs -> hidden -> outputs, no
    skip edges, no tied or fixed weights)."""
    net = network
    ins, outs = set(net.inputs), set(net.outputs)
    for u, v in net.graph.edges:
        if (u in ins) == (v in outs):  # input -> output or hidden -> hidden
            raise NetworkError(f"edge {u} -> {v}: not a two-layer network (inputs -> hidden -> outputs)")
    if net.tied or net.fixed:
        raise NetworkError("patterns are defined for networks without tied or fixed weights")
    groups: dict[tuple, list] = {}
    for h in net.hidden:
        pattern = tuple(x for x in net.inputs if net.graph.has_edge(x, h))
        if net.has_bias(h):
            pattern += (BIAS_ROW,)
        groups.setdefault(pattern, []).append(h)
    first_dense = all(set(net.inputs) <= set(p) for p in groups)
    second_dense = all(net.graph.has_edge(h, o) for h in net.hidden for o in net.outputs)
    classification = {(True, True): "dense", (False, True): "sparse-dense",
                      (False, False): "sparse-sparse", (True, False): "dense-sparse"}[(first_dense, second_dense)]
    return Patterns(net, tuple(PatternGroup(p, tuple(hs)) for p, hs in groups.items()), classification)
