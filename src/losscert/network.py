"""Networks declared as networkx directed graphs.

Node attributes: ``activation`` (spec string, hidden nodes only) and ``bias``
(True for a trainable bias). Edge attributes: ``fixed`` (a number: the edge
weight is a constant) or ``tie`` (a key: every edge with the same key shares
one parameter named by the key). Every other edge is a free parameter named
``"src -> dst"``; the bias of node ``h`` is the parameter ``"b:h"``.
An undirected ``Graph``, a ``MultiDiGraph`` and the networkx ``weight``
edge attribute are refused (each would be misread). In a claim file
(:meth:`Network.from_table`) a hidden node without an outgoing edge, or
without an incoming edge and a bias, is an error (a typo, usually) unless
listed in ``network.dangling``.

>>> import networkx as nx
>>> g = nx.DiGraph([("x1", "h"), ("h", "y")])
>>> net = Network(g, inputs=["x1"], outputs=["y"])
>>> net.parameters
('x1 -> h', 'h -> y')
>>> dense([2, 3, 1]).parameters[:2]
('x1 -> h1_1', 'x2 -> h1_1')
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import sympy

from .activations import Activation, ActivationError, activation
from .names import did_you_mean
from .numbers import NumberError, parse_number


class NetworkError(ValueError):
    """An invalid network: the message names the node, edge or key."""


# Size limits (against abuse; generous for the problems losscert certifies).
MAX_EDGES = 1_000_000               # edges of one network
MAX_HESSIAN_PARAMETERS = 4000       # rules that form the exact P x P Hessian
MAX_INTERVAL_PARAMETERS = 5000      # local_minimum_near: the box Hessian by the float pass (4 GiB at 5000)
MAX_ARB_FACTOR_PARAMETERS = 2000    # the box Hessian's factors as Arb balls (dicts of balls: 1.9 GiB at 2000)
MAX_ARB_MATRIX_PARAMETERS = 1000    # P x P Arb matrices: local_minimum_near's exact fallback and refutation, Newton


class SizeError(ValueError):
    """An input beyond a stated size limit; the message names the limit."""


def check_hessian_size(n_params: int, what: str = "the Hessian", limit: int = MAX_HESSIAN_PARAMETERS) -> None:
    """Refuse, before any allocation, to form a Hessian of ``n_params`` parameters
    beyond ``limit`` (a dense P x P matrix).

    >>> check_hessian_size(10 ** 5)
    Traceback (most recent call last):
    ...
    losscert.network.SizeError: the Hessian of 100000 parameters is too large (limit 4000 parameters for Hessian-based rules)
    """
    if n_params > limit:
        raise SizeError(f"{what} of {n_params} parameters is too large (limit {limit} parameters for "
                        f"{'Hessian-based rules' if limit == MAX_HESSIAN_PARAMETERS else 'the interval route'})")


def natural_key(name) -> tuple:
    """A sort key that orders the numbers inside names by value: h2 before h10.

    >>> sorted(["h10", "h2", "b"], key=natural_key)
    ['b', 'h2', 'h10']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", str(name)) if p)


def edge_name(src: str, dst: str) -> str:
    return f"{src} -> {dst}"


def bias_name(node: str) -> str:
    return f"b:{node}"


def parse_edge(text: str) -> tuple[str, str]:
    """``"a->b"`` or ``"a -> b"`` to ``("a", "b")``."""
    if not isinstance(text, str) or text.count("->") != 1:
        raise NetworkError(f"edge {text!r} must be written 'src -> dst'")
    a, b = (s.strip() for s in text.split("->"))
    if not a or not b:
        raise NetworkError(f"edge {text!r} must be written 'src -> dst'")
    return a, b


@dataclass(frozen=True)
class Slot:
    """How one edge weight or bias is set: a parameter index or a constant."""
    param: int | None
    const: sympy.Expr | None = None


class Network:
    """A validated feed-forward network on a networkx DiGraph."""

    def __init__(self, graph: nx.DiGraph, inputs, outputs, default_activation="linear"):
        _check_graph_type(graph)
        self.inputs = _node_list(inputs, "inputs")
        self.outputs = _node_list(outputs, "outputs")
        g = nx.DiGraph()
        g.add_nodes_from(graph.nodes(data=True))
        g.add_edges_from(graph.edges(data=True))
        self.graph = g
        self._validate(default_activation)

    # -- validation --------------------------------------------------------
    def _validate(self, default_activation):
        g, ins, outs = self.graph, self.inputs, self.outputs
        for role, names in (("inputs", ins), ("outputs", outs)):
            if not names:
                raise NetworkError(f"{role}: at least one node is needed")
            seen: set = set()
            dup = sorted({n for n in names if n in seen or seen.add(n)})
            if dup:
                raise NetworkError(f"{role}: node {dup[0]!r} is listed twice")
        in_set, out_set = set(ins), set(outs)            # membership in O(1): validation stays linear
        both = in_set & out_set
        if both:
            raise NetworkError(f"node {sorted(both)[0]!r} is both an input and an output")
        for n in (*ins, *outs):
            if n not in g or g.degree(n) == 0:
                raise NetworkError(f"node {n!r} is on no edge")
        for n in g.nodes:
            if g.degree(n) == 0:
                raise NetworkError(f"node {n!r} is on no edge")
        for u, v, data in g.edges(data=True):
            if "weight" in data:
                raise NetworkError(f"edge {edge_name(u, v)!r}: the networkx 'weight' attribute is not read; "
                                   "write fixed=<number> for a constant weight, or give the parameter's value "
                                   "in the point")
            if u == v:
                raise NetworkError(f"edge {edge_name(u, v)!r} is a self-loop")
            if v in in_set:
                raise NetworkError(f"edge {edge_name(u, v)!r} goes into input {v!r}")
            if u in out_set:
                raise NetworkError(f"edge {edge_name(u, v)!r} leaves output {u!r}")
        if not nx.is_directed_acyclic_graph(g):
            cycle = nx.find_cycle(g)
            raise NetworkError("the graph has a cycle: " + ", ".join(edge_name(u, v) for u, v, *_ in cycle))
        try:
            default = activation(default_activation)
        except ActivationError as exc:
            raise NetworkError(f"default activation: {exc}") from None
        for n, data in g.nodes(data=True):
            spec = data.get("activation")
            if n in in_set or n in out_set:
                if spec is not None and n in in_set:
                    raise NetworkError(f"node {n!r}: an input has no activation")
                if spec is not None and activation_of(spec, n).kind != "linear":
                    raise NetworkError(f"node {n!r}: output nodes are linear")
                data["activation"] = None
            else:
                data["activation"] = default if spec is None else activation_of(spec, n)
            bias = data.get("bias", False)
            if bias not in (True, False):
                raise NetworkError(f"node {n!r}: bias must be true or false")
            if bias and n in in_set:
                raise NetworkError(f"node {n!r}: an input cannot have a bias")
            data["bias"] = bool(bias)
        ties: dict[str, list] = {}
        for u, v, data in g.edges(data=True):
            if "fixed" in data and data["fixed"] is not None:
                if data.get("tie") is not None:
                    raise NetworkError(f"edge {edge_name(u, v)!r} is both fixed and tied")
                try:
                    data["fixed"] = parse_number(data["fixed"])
                except NumberError as exc:
                    raise NetworkError(f"edge {edge_name(u, v)!r}: fixed weight: {exc}") from None
            else:
                data["fixed"] = None
            if data.get("tie") is not None:
                key = data["tie"]
                if not isinstance(key, str) or not key.strip():
                    raise NetworkError(f"edge {edge_name(u, v)!r}: tie key must be a non-empty string")
                ties.setdefault(key, []).append((u, v))
            else:
                data["tie"] = None
        names = {edge_name(u, v) for u, v in g.edges} | {bias_name(n) for n in g.nodes}
        for key, members in ties.items():
            if key in names or "->" in key:
                raise NetworkError(f"tie key {key!r} collides with an edge or bias name")

    # -- structure -----------------------------------------------------------
    @cached_property
    def hidden(self) -> tuple[str, ...]:
        io = set(self.inputs) | set(self.outputs)
        return tuple(n for n in self.topological_order if n not in io)

    @cached_property
    def declared(self) -> bool:
        """Whether every edge carries an ``order`` attribute (claim files and the
        builders set it): then edges keep that declared order."""
        return all(o is not None for *_, o in self.graph.edges(data="order"))

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Nodes in a topological order: ties broken by insertion order when the
        edges are declared (:attr:`declared`), else canonically (inputs in their
        given order, then node names in natural order: h2 before h10)."""
        if self.declared:
            order = {n: i for i, n in enumerate(self.graph.nodes)}
            return tuple(nx.lexicographical_topological_sort(self.graph, key=order.__getitem__))
        inputs = {n: i for i, n in enumerate(self.inputs)}
        return tuple(nx.lexicographical_topological_sort(
            self.graph, key=lambda n: (0, ((0, inputs[n]),)) if n in inputs else (1, natural_key(n))))

    def activation(self, node) -> Activation | None:
        return self.graph.nodes[node]["activation"]

    def _activation(self, node) -> Activation:
        """The activation of a hidden node (never None)."""
        act = self.activation(node)
        assert act is not None, f"{node!r} is not a hidden node"
        return act

    def has_bias(self, node) -> bool:
        return self.graph.nodes[node]["bias"]

    @cached_property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """Edges in declaration order (the ``order`` edge attribute when every
        edge has one, as claim files and builders set it), else in the canonical
        order: by destination, then source, in :attr:`topological_order` (so the
        order in which edges were added to a graph does not matter)."""
        if self.declared:
            return tuple((u, v) for u, v, _ in sorted(self.graph.edges(data="order"), key=lambda e: e[2]))
        rank = {n: i for i, n in enumerate(self.topological_order)}
        return tuple(sorted(self.graph.edges, key=lambda e: (rank[e[1]], rank[e[0]])))

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names, the order of points (as sequences), gradients and
        Hessians: edges (and tie keys, at their first edge) in :attr:`edges`
        order, then biases in :attr:`topological_order`.

        >>> g1, g2 = nx.DiGraph([("h", "y"), ("x2", "h"), ("x1", "h")]), nx.DiGraph([("x1", "h"), ("x2", "h"), ("h", "y")])
        >>> Network(g1, ["x1", "x2"], ["y"]).parameters == Network(g2, ["x1", "x2"], ["y"]).parameters
        True
        """
        names: dict[str, None] = {}                 # insertion-ordered set: linear in the edges
        for u, v in self.edges:
            d = self.graph.edges[u, v]
            if d["fixed"] is None:
                names.setdefault(d["tie"] or edge_name(u, v))
        names.update((bias_name(n), None) for n in self.topological_order if self.has_bias(n))
        return tuple(names)

    @cached_property
    def param_index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.parameters)}

    def edge_slot(self, u, v) -> Slot:
        d = self.graph.edges[u, v]
        if d["fixed"] is not None:
            return Slot(None, d["fixed"])
        return Slot(self.param_index[d["tie"] or edge_name(u, v)])

    def bias_slot(self, node) -> Slot | None:
        return Slot(self.param_index[bias_name(node)]) if self.has_bias(node) else None

    def param_edges(self, param: str) -> list[tuple[str, str]]:
        """The edges a parameter controls (one unless tied; none for a bias)."""
        return [(u, v) for u, v in self.edges if self.graph.edges[u, v]["fixed"] is None
                and (self.graph.edges[u, v]["tie"] or edge_name(u, v)) == param]

    @property
    def tied(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list] = {}
        for u, v in self.edges:
            if self.graph.edges[u, v]["tie"] is not None:
                out.setdefault(self.graph.edges[u, v]["tie"], []).append((u, v))
        return out

    @property
    def fixed(self) -> dict[tuple[str, str], sympy.Expr]:
        return {(u, v): self.graph.edges[u, v]["fixed"] for u, v in self.edges
                if self.graph.edges[u, v]["fixed"] is not None}

    def numbers(self) -> list[sympy.Expr]:
        """Every constant of the network (fixed weights, activation params)."""
        acts = [a for n in self.hidden for a in self._activation(n).params]
        return list(self.fixed.values()) + acts

    def __repr__(self):
        return (f"Network({len(self.inputs)} inputs, {len(self.hidden)} hidden, "
                f"{len(self.outputs)} outputs, {len(self.parameters)} parameters)")

    # -- notebooks -------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        acts: dict[str, list[str]] = {}
        for n in self.hidden:
            acts.setdefault(self._activation(n).spec, []).append(n)
        rows = [("inputs", ", ".join(self.inputs)), ("outputs", ", ".join(self.outputs))]
        rows += [(f"hidden ({spec})", ", ".join(ns)) for spec, ns in acts.items()]
        rows.append(("parameters", f"{len(self.parameters)}: " + ", ".join(f"`{p}`" for p in self.parameters[:12])
                     + (", ..." if len(self.parameters) > 12 else "")))
        return "\n".join(["| network | |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows])

    def output_expressions(self) -> dict:
        """Each output as a SymPy expression in input symbols and parameter
        symbols (the names of :meth:`losscert.compiler.Loss.symbols`).

        >>> dense([1, 1, 1], activation="tanh").output_expressions()
        {'y1': w_h1_1_y1*tanh(w_x1_h1_1*x1)}
        """
        from .names import ParameterSymbol, identifier, latex_name
        syms = {p: ParameterSymbol(identifier(p), p, latex_name(p)) for p in self.parameters}
        vals = {n: sympy.Symbol(n) for n in self.inputs}
        for n in self.topological_order:
            if n in vals:
                continue
            acc = sympy.Integer(0)
            for u in self.graph.predecessors(n):
                s = self.edge_slot(u, n)
                acc += (syms[self.parameters[s.param]] if s.const is None and s.param is not None else s.const) * vals[u]
            if self.has_bias(n):
                acc += syms[bias_name(n)]
            act = self.activation(n)
            vals[n] = acc if act is None else act(acc)
        return {o: vals[o] for o in self.outputs}

    def _repr_latex_(self) -> str | None:
        if len(self.parameters) > 24:
            return None                     # too long to read; the Markdown summary is shown instead
        from .names import latex_name
        body = r" \\ ".join(f"{latex_name(o)} &= {sympy.latex(e)}" for o, e in self.output_expressions().items())
        return r"$$\begin{aligned}" + body + r"\end{aligned}$$"

    # -- conversions ---------------------------------------------------------
    def to_table(self) -> dict:
        """The ``[network]`` table of a claim file."""
        acts = {n: self._activation(n) for n in self.hidden}
        kinds = [a.spec for a in acts.values()]
        counts = Counter(kinds)
        default = max(counts, key=counts.__getitem__) if kinds else "linear"
        table: dict = {
            "inputs": list(self.inputs), "outputs": list(self.outputs), "activation": default,
            "edges": [edge_name(u, v) for u, v in self.edges],
            "biases": [n for n in self.topological_order if self.has_bias(n)],
        }
        over = {n: a.spec for n, a in acts.items() if a.spec != default}
        if over:
            table["activations"] = over
        if self.fixed:
            table["fixed"] = {edge_name(u, v): str(c) for (u, v), c in self.fixed.items()}
        if self.tied:
            table["tied"] = {k: [edge_name(u, v) for u, v in es] for k, es in self.tied.items()}
        dangling = dangling_nodes(self.graph, self.inputs, self.outputs)
        if dangling:
            table["dangling"] = dangling
        return table

    def to_claim_file(self, path, X, Y, point, claims, title: str = "", scale=None) -> None:
        """Write a claim file for this network (see :func:`losscert.writer.dump_claim_file`)."""
        from .writer import dump_claim_file
        dump_claim_file(self, X, Y, point, claims, path, title=title, scale=scale)

    @classmethod
    def from_table(cls, table: dict) -> "Network":
        """Build from a ``[network]`` table (see the claims spec)."""
        if not isinstance(table, dict):
            raise NetworkError("[network] must be a table")
        allowed = {"inputs", "outputs", "activation", "edges", "biases", "activations", "fixed", "tied", "dangling"}
        extra = sorted(set(table) - allowed)
        if extra:
            raise NetworkError(f"network.{extra[0]}: unknown key{did_you_mean(extra[0], allowed)}")
        for key in ("inputs", "outputs", "edges"):
            if key not in table:
                raise NetworkError(f"network.{key}: missing")
            if not isinstance(table[key], list) or not all(isinstance(x, str) for x in table[key]):
                raise NetworkError(f"network.{key}: must be a list of strings")
        if len(table["edges"]) > MAX_EDGES:
            raise NetworkError(f"network.edges: {len(table['edges'])} edges (limit {MAX_EDGES})")
        g = nx.DiGraph()
        for n in (*table["inputs"], *table["outputs"]):
            g.add_node(n)
        for i, text in enumerate(table["edges"]):
            try:
                u, v = parse_edge(text)
            except NetworkError as exc:
                raise NetworkError(f"network.edges: {exc}") from None
            if g.has_edge(u, v):
                raise NetworkError(f"network.edges: edge {edge_name(u, v)!r} is listed twice")
            g.add_edge(u, v, order=i)
        biases = table.get("biases", [])
        if not isinstance(biases, list) or not all(isinstance(x, str) for x in biases):
            raise NetworkError("network.biases: must be a list of node names")
        for n in biases:
            if n not in g:
                raise NetworkError(f"network.biases: unknown node {n!r}")
            g.nodes[n]["bias"] = True
        for n, spec in _table(table, "activations").items():
            if n not in g:
                raise NetworkError(f"network.activations: unknown node {n!r}")
            g.nodes[n]["activation"] = spec
        for text, value in _table(table, "fixed").items():
            u, v = _known_edge(g, text, "network.fixed")
            g.edges[u, v]["fixed"] = value
        seen: dict[tuple, str] = {}
        for key, members in _table(table, "tied").items():
            if not isinstance(members, list) or len(members) < 1:
                raise NetworkError(f"network.tied.{key}: must be a list of edges")
            for text in members:
                u, v = _known_edge(g, text, f"network.tied.{key}")
                if (u, v) in seen:
                    raise NetworkError(f"network.tied: edge {edge_name(u, v)!r} is in both {seen[u, v]!r} and {key!r}")
                if "fixed" in g.edges[u, v]:
                    raise NetworkError(f"network.tied.{key}: edge {edge_name(u, v)!r} is also fixed")
                seen[u, v] = key
                g.edges[u, v]["tie"] = key
        net = cls(g, table["inputs"], table["outputs"], table.get("activation", "linear"))
        _check_dangling(net.graph, table)
        return net

    def to_graphml(self, path):
        g = nx.DiGraph()
        in_order = {n: i for i, n in enumerate(self.inputs)}
        out_order = {n: i for i, n in enumerate(self.outputs)}
        for n in self.graph.nodes:
            role = "input" if n in in_order else "output" if n in out_order else "hidden"
            attrs = {"role": role, "bias": self.has_bias(n),
                     "order": in_order[n] if role == "input" else out_order[n] if role == "output" else -1}
            if role == "hidden":
                attrs["activation"] = self.activation(n).spec
            g.add_node(n, **attrs)
        for i, (u, v) in enumerate(self.edges):
            d = self.graph.edges[u, v]
            attrs = {"order": i}
            if d["fixed"] is not None:
                attrs["fixed"] = str(d["fixed"])
            if d["tie"] is not None:
                attrs["tie"] = d["tie"]
            g.add_edge(u, v, **attrs)
        nx.write_graphml(g, path)

    @classmethod
    def from_graphml(cls, path) -> "Network":
        g = nx.read_graphml(path)
        ins = sorted((n for n, d in g.nodes(data=True) if d.get("role") == "input"), key=lambda n: g.nodes[n]["order"])
        outs = sorted((n for n, d in g.nodes(data=True) if d.get("role") == "output"), key=lambda n: g.nodes[n]["order"])
        for n, d in g.nodes(data=True):
            for k in ("role", "order"):
                d.pop(k, None)
        return cls(g, ins, outs)


def _node_list(nodes, role: str) -> tuple:
    """``inputs`` or ``outputs`` as a tuple of node names; a string is refused (it would be read letter by letter).

    >>> _node_list("x1", "inputs")
    Traceback (most recent call last):
    ...
    losscert.network.NetworkError: inputs: a list of node names is needed, not the string 'x1' (write ['x1'])
    """
    if isinstance(nodes, (str, bytes)):
        raise NetworkError(f"{role}: a list of node names is needed, not the string {nodes!r} (write [{nodes!r}])")
    try:
        return tuple(nodes)
    except TypeError:
        raise NetworkError(f"{role}: a list of node names is needed, not {type(nodes).__name__}") from None


def _check_graph_type(graph) -> None:
    """networkx graphs whose conventions would be misread: one line each."""
    if not isinstance(graph, nx.Graph):
        raise NetworkError(f"expected a networkx DiGraph, got {type(graph).__name__}")
    if graph.is_multigraph():
        raise NetworkError(f"a {type(graph).__name__} is not accepted: parallel edges would be merged into one; "
                           "use a DiGraph (tie edges with tie=<key> to share a weight)")
    if not graph.is_directed():
        raise NetworkError(f"an undirected {type(graph).__name__} is not accepted: edge directions would be "
                           "guessed; use nx.DiGraph")


def dangling_nodes(g, inputs, outputs) -> list[str]:
    """Hidden nodes with no outgoing edge, or with no incoming edge and no
    bias (a biased node without inputs is a constant source), in graph order."""
    io = set(inputs) | set(outputs)
    return [n for n in g.nodes if n not in io and (g.out_degree(n) == 0 or
                                                   g.in_degree(n) == 0 and not g.nodes[n].get("bias"))]


def _check_dangling(g, table) -> None:
    """A hidden node with no incoming or no outgoing edge is usually a typo in
    ``network.edges``; it must be listed in ``network.dangling`` when intended."""
    declared = table.get("dangling", [])
    if not isinstance(declared, list) or not all(isinstance(x, str) for x in declared):
        raise NetworkError("network.dangling: must be a list of node names")
    found = dangling_nodes(g, table["inputs"], table["outputs"])
    for n in declared:
        if n not in found:
            why = "is not a node of network.edges" if n not in g else \
                "is an input or output" if n in (*table["inputs"], *table["outputs"]) else \
                "has incoming and outgoing edges"
            raise NetworkError(f"network.dangling: {n!r} {why}")
    for n in found:
        if n in declared:
            continue
        side = "outgoing" if g.out_degree(n) == 0 else "incoming"
        others = [m for m in g.nodes if m != n and m not in found]
        close = difflib.get_close_matches(n, others, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise NetworkError(f"network.edges: hidden node {n!r} has no {side} edge ({hint}if intended, "
                           f"list it in network.dangling)")


def activation_of(spec, node) -> Activation:
    try:
        return activation(spec)
    except ActivationError as exc:
        raise NetworkError(f"node {node!r}: {exc}") from None


def _table(table, key) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise NetworkError(f"network.{key}: must be a table")
    return value


def _known_edge(g, text, where) -> tuple[str, str]:
    try:
        u, v = parse_edge(text)
    except NetworkError as exc:
        raise NetworkError(f"{where}: {exc}") from None
    if not g.has_edge(u, v):
        raise NetworkError(f"{where}: edge {edge_name(u, v)!r} is not in network.edges")
    return u, v


# -- builders -----------------------------------------------------------------

def _names(prefix, count):
    return [f"{prefix}{i + 1}" for i in range(count)]


def masked(masks, activation="linear", biases=False) -> Network:
    """A layered network from 0/1 masks: ``masks[l][i][j] = 1`` connects node j
    of layer l to node i of layer l+1 (layer 0 = inputs ``x1..``, last =
    outputs ``y1..``, hidden layer l nodes ``h{l}_{i}``).

    >>> masked([[[1, 0], [0, 1]], [[1, 1]]]).parameters
    ('x1 -> h1_1', 'x2 -> h1_2', 'h1_1 -> y1', 'h1_2 -> y1')
    """
    sizes = [len(masks[0][0])] + [len(m) for m in masks]
    layers = [_names("x", sizes[0])] + [[f"h{l}_{i + 1}" for i in range(s)] for l, s in enumerate(sizes[1:-1], 1)] \
        + [_names("y", sizes[-1])]
    g = nx.DiGraph()
    for l, mask in enumerate(masks):
        if len(mask) != sizes[l + 1] or any(len(row) != sizes[l] for row in mask):
            raise NetworkError(f"mask {l}: shape does not match the layer sizes {sizes}")
        for i, row in enumerate(mask):
            for j, bit in enumerate(row):
                if bit:
                    g.add_edge(layers[l][j], layers[l + 1][i], order=g.number_of_edges())
    if biases:
        for layer in layers[1:-1]:
            for n in layer:
                if n in g:
                    g.nodes[n]["bias"] = True
    for n in layers[0] + layers[-1]:
        g.add_node(n)
    return Network(g, layers[0], layers[-1], activation)


def dense(sizes, activation="linear", biases=False) -> Network:
    """A fully connected network with layer ``sizes`` (inputs first)."""
    return masked([[[1] * sizes[l] for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)],
                  activation, biases)


def sparse_dense(patterns, d_x, d_y, activation="linear", biases=False) -> Network:
    """Two-layer net: hidden node i sees the inputs in ``patterns[i]``
    (0-based indices) and feeds every output."""
    first = [[1 if j in set(p) else 0 for j in range(d_x)] for p in patterns]
    return masked([first, [[1] * len(patterns) for _ in range(d_y)]], activation, biases)


def conv_matrix_entries(d, k, mode):
    """Entries (row, col, kernel index 0-based) of the 1-D convolution matrix
    f(w) of the first paper (stride 1) for input length d and kernel size k."""
    mode = mode.upper()
    if mode == "FULL":
        rows, offset = d + k - 1, k - 1
    elif mode == "SAME":
        rows, offset = d, 0
    elif mode == "VALID":
        if d < k:
            raise NetworkError(f"VALID mode needs d >= kernel size ({d} < {k})")
        rows, offset = d - k + 1, 0
    else:
        raise NetworkError(f"unknown convolution mode {mode!r} (FULL, SAME or VALID)")
    return [(r, c, c - r + offset) for r in range(rows) for c in range(d) if 0 <= c - r + offset < k]


def conv1d(d, kernel_size, mode, channels=1, d_y=1, activation="linear") -> Network:
    """One-hidden-layer 1-D CNN: channel j applies a tied kernel ``k{j}_{i}``
    to the input in FULL, SAME or VALID mode; a dense layer maps every hidden
    node to ``d_y`` outputs."""
    xs, ys = _names("x", d), _names("y", d_y)
    g = nx.DiGraph()
    g.add_nodes_from(xs)
    entries = conv_matrix_entries(d, kernel_size, mode)
    for ch in range(1, channels + 1):
        for r, c, i in entries:
            g.add_edge(xs[c], f"c{ch}_{r + 1}", tie=f"k{ch}_{i + 1}", order=g.number_of_edges())
    hidden = [f"c{ch}_{r + 1}" for ch in range(1, channels + 1) for r in sorted({r for r, _, _ in entries})]
    for y in ys:
        for h in hidden:
            g.add_edge(h, y, order=g.number_of_edges())
    return Network(g, xs, ys, activation)
