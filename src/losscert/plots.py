"""Pictures of certificates (the ``plot`` extra: ``pip install 'losscert[plot]'``).

Pictures illustrate; they prove nothing. The verdicts come from the kernel,
and every curve here is drawn by evaluating the compiled loss in float64
(vectorised, through the same compiled pass as the exact evaluators) or,
with ``precise=True``, point by point with :meth:`Loss.mp_value`.

- :func:`loss_along_curve`: L(theta + t d1 + t^2 d2 + ...) against t (a
  refutation's descent curve, a line through a symmetry-orbit tangent, the
  segment between two minima), with the point marked;
- :func:`slice_2d`: contours of L on the plane theta + s u + t v;
- :func:`architecture`: the network by layers, the parts that
  :func:`losscert.pruning.effective` removes drawn dashed;
- :func:`basin_histogram`: basin counts per minimum, coloured by verdict;
- ``losscert plot FILE.toml --claim N -o out.png`` (the ``plot`` subcommand of :mod:`losscert.cli`).

matplotlib is imported only inside these functions, never by the core; the
figures are drawn on the Agg canvas (no window, no global backend switch).
Each function draws on ``ax`` when one is given, else on a new figure, and
returns the axes (save with ``ax.figure.savefig(path)``).

>>> _vector_text({"x1 -> h1": "1/2"}, ["x1 -> h1", "h1 -> y1"])
[0.5, 0.0]
"""
from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal

import mpmath
import sympy

from .activations import z
from .compiler import FieldAlgebra, Loss
from .numbers import NumberError, parse_number

MISSING_EXTRA = "losscert plot needs the 'plot' extra: pip install 'losscert[plot]'"
STATUS_COLOURS = {"verified": "tab:green", "refuted": "tab:red", "inconclusive": "tab:gray"}


class PlotError(ValueError):
    """Nothing can be drawn (missing extra, bad input); str() is one line."""


# --------------------------------------------------------------------------
# matplotlib, imported on demand

def _new_axes(ax, size=(6.4, 4.8)):
    """``ax`` itself, or the axes of a new Agg figure."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotError(MISSING_EXTRA) from None
    del matplotlib
    if ax is not None:
        return ax
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _numpy():
    import numpy
    return numpy


# --------------------------------------------------------------------------
# numbers: points and directions as floats

def _float(v) -> float:
    """A number (float, numpy scalar, exact text, SymPy) as a float."""
    if isinstance(v, bool):
        raise PlotError(f"{v!r} is not a number")
    if isinstance(v, float) or type(v).__module__ == "numpy":
        return float(v)
    if isinstance(v, (Decimal, int, str, sympy.Basic)):
        try:
            return float(sympy.N(parse_number(v), 20))
        except NumberError as exc:
            raise PlotError(str(exc)) from None
    if isinstance(v, mpmath.mpf):
        return float(v)
    raise PlotError(f"{v!r} is not a number")


def _vector_text(v, params) -> list[float]:
    """Floats in parameter order from ``{parameter: number or exact text}``
    (absent parameters are 0, as in a Verdict's evidence) or a sequence."""
    if isinstance(v, dict):
        from .convert import normalised_keys
        try:
            v = normalised_keys(v, "a direction")
        except ValueError as exc:
            raise PlotError(str(exc)) from None
        unknown = sorted(set(v) - set(params))
        if unknown:
            raise PlotError(f"{unknown[0]!r} is not a parameter (parameters: {', '.join(params)})")
        return [_float(v[p]) if p in v else 0.0 for p in params]
    v = list(v)
    if len(v) != len(params):
        raise PlotError(f"a direction has {len(v)} entries for {len(params)} parameters")
    return [_float(x) for x in v]


def _point(loss: Loss, theta) -> list[float]:
    """theta (field elements as from ``loss.point``, numbers, or a dict) as floats."""
    if isinstance(theta, dict) or any(isinstance(x, (int, float, str, Decimal, sympy.Basic)) for x in theta):
        return _vector_text(theta, loss.params)
    if len(theta) != len(loss.params):
        raise PlotError(f"a point has {len(theta)} entries for {len(loss.params)} parameters")
    return [float(x) for x in loss.to_mp(theta)]


class _FloatAlgebra(FieldAlgebra):
    """numpy float64 arrays (many points at once) for the compiled pass."""

    def __init__(self, F):
        self.F, self.zero = F, 0.0
        self._funcs = {}

    def lift(self, c):
        return float(self.F.to_sympy(c).evalf(20))

    const = lift

    def activate(self, act, a, derivative):
        np = _numpy()
        f = self._funcs.get(act)
        if f is None:
            f = self._funcs[act] = sympy.lambdify(z, act.expr, "numpy")
        with np.errstate(over="ignore"):
            return np.asarray(f(a), dtype=float) + 0 * a, None


def _values(loss: Loss, columns, precise: bool):
    """L at the points whose coordinates are the arrays ``columns`` (one per
    parameter, all of one shape): float64, or mpmath point by point."""
    np = _numpy()
    columns = [np.asarray(c, dtype=float) for c in columns]
    if not precise:
        return np.asarray(loss._value_in(columns, _FloatAlgebra(loss.field)), dtype=float) \
            * np.ones(columns[0].shape)
    out = np.empty(columns[0].shape)
    for idx in np.ndindex(out.shape):
        out[idx] = float(loss.mp_value([mpmath.mpf(float(c[idx])) for c in columns]))
    return out


def _verdict_text(verdict, width=80) -> str:
    if verdict is None:
        return ""
    text = verdict if isinstance(verdict, str) else f"{verdict.status}: {verdict.reason}"
    lines = textwrap.wrap(text, width)
    return "\n".join(lines[:3]) + (" ..." if len(lines) > 3 else "")


# --------------------------------------------------------------------------
# the pictures

def loss_along_curve(loss: Loss, theta, directions, t_range=(-1, 1), ax=None, *, points=201,
                     marks=(), precise=False, title=None, verdict=None):
    """Plot L(theta + t d1 + t^2 d2 + ...) for t in ``t_range``.

    ``directions`` is ``[d1, d2, ...]``, each ``{parameter: number or exact
    text}`` (as under the keys d1, d2, ... of a Verdict's evidence) or a
    sequence in parameter order; the segment from theta to a point b is
    ``[b - theta]`` with t from 0 to 1. ``directions`` may also be a function
    of the float t giving the curve's point (a dict or a sequence), e.g. a
    rescaling orbit. ``marks`` adds ``(t, label)`` points on the curve.
    theta is marked at t = 0, with the level L(theta) dotted."""
    np = _numpy()
    ax = _new_axes(ax)
    th = _point(loss, theta)
    a, b = (float(x) for x in t_range)
    if not a < b:
        raise PlotError(f"t_range ({a}, {b}) is empty")
    ts = np.union1d(np.linspace(a, b, points), [t for t in (0.0,) if a <= t <= b]
                    + [float(t) for t, _ in marks if a <= float(t) <= b])
    if callable(directions):
        shown, along = "the curve", directions

        def curve(t):
            pts = [_vector_text(along(float(x)), loss.params) for x in t]
            return [np.array([q[p] for q in pts]) for p in range(len(th))]
    else:
        dirs = [_vector_text(d, loss.params) for d in directions]
        if not dirs:
            raise PlotError("no direction to draw along")
        shown = "L(theta + " + " + ".join(f"t^{k + 1} d{k + 1}" if k else "t d1" for k in range(len(dirs))) + ")"

        def curve(t):
            return [x + sum(d[p] * t ** (k + 1) for k, d in enumerate(dirs)) for p, x in enumerate(th)]

    values = _values(loss, curve(ts), precise)
    ax.plot(ts, values, color="tab:blue", label="L along the curve")
    L0 = float(_values(loss, [np.array([x]) for x in th], precise)[0])
    ax.axhline(L0, color="gray", linestyle=":", linewidth=1)
    if a <= 0 <= b:
        ax.plot([0], [L0], "o", color="black", zorder=3, label=f"the point, L = {L0:.6g}")
    for t, label in marks:
        t = float(t)
        if a <= t <= b:
            ax.plot([t], [float(_values(loss, curve(np.array([t])), precise)[0])], "X",
                    color="tab:red", zorder=3, markersize=8, label=label)
    ax.set_xlabel("t")
    ax.set_ylabel("L")
    text = _verdict_text(verdict)
    ax.set_title((title or shown) + ("\n" + text if text else ""), fontsize=9)
    ax.legend(fontsize=8)
    return ax


def slice_2d(loss: Loss, theta, u, v, extent=1.0, ax=None, *, points=41, labels=("u", "v"),
             precise=False, title=None, verdict=None):
    """Contours of L(theta + s u + t v) for (s, t) in ``extent``: a number r
    (the square [-r, r]^2) or ``(s_min, s_max, t_min, t_max)``. theta is
    marked; a ``verdict`` (Verdict or text) goes into the title."""
    np = _numpy()
    ax = _new_axes(ax, size=(6.4, 5.6))
    th = _point(loss, theta)
    du, dv = (_vector_text(d, loss.params) for d in (u, v))
    if isinstance(extent, (int, float)):
        extent = (-extent, extent, -extent, extent)
    s0, s1, t0, t1 = (float(x) for x in extent)
    if not (s0 < s1 and t0 < t1):
        raise PlotError(f"extent {extent} is empty")
    S, T = np.meshgrid(np.linspace(s0, s1, points), np.linspace(t0, t1, points))
    Z = _values(loss, [x + S * a + T * b for x, a, b in zip(th, du, dv)], precise)
    filled = ax.contourf(S, T, Z, levels=30, cmap="viridis")
    ax.contour(S, T, Z, levels=12, colors="white", linewidths=0.5, alpha=0.6)
    ax.figure.colorbar(filled, ax=ax, label="L")
    L0 = float(_values(loss, [np.array([x]) for x in th], precise)[0])
    ax.plot([0], [0], "*", color="red", markersize=14, markeredgecolor="black",
            label=f"the point, L = {L0:.6g}")
    ax.set_xlabel(f"s along {labels[0]}")
    ax.set_ylabel(f"t along {labels[1]}")
    head = title or f"L(theta + s {labels[0]} + t {labels[1]})"
    text = _verdict_text(verdict)
    ax.set_title(head + ("\n" + text if text else ""), fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    return ax


def _layers(network) -> dict:
    """Topological depth: inputs 0, a node one more than its deepest
    predecessor; outputs without successors in the last column."""
    g, depth = network.graph, {}
    for n in network.topological_order:
        depth[n] = 0 if n in network.inputs else 1 + max((depth[p] for p in g.predecessors(n)), default=0)
    last = max(depth.values())
    for o in network.outputs:
        if not g.out_degree(o):
            depth[o] = last
    return depth


def _layer_order(network) -> list:
    """Nodes layer by layer, reproducibly: inputs and outputs in their given
    order, a hidden node by the mean rank of its predecessors (then name)."""
    depth, g, rank = _layers(network), network.graph, {}
    order = []
    for d in range(max(depth.values()) + 1):
        layer = [n for n in g if depth[n] == d]
        if d == 0:
            layer = [n for n in network.inputs if depth[n] == 0] + sorted(set(layer) - set(network.inputs))
        elif all(n in network.outputs for n in layer):
            layer = [n for n in network.outputs if n in layer]
        else:
            def key(n):
                ranks = [rank[p] for p in g.predecessors(n) if p in rank]
                return (not ranks, sum(ranks) / len(ranks) if ranks else 0, n)
            layer = sorted(layer, key=key)
        for i, n in enumerate(layer):
            rank[n] = i / max(1, len(layer) - 1)
        order += layer
    return order


def architecture(network, ax=None, *, title=None):
    """The network by layers (networkx multipartite positions by topological
    depth, inputs left, outputs right): nodes and edges that
    :func:`losscert.pruning.effective` removes are dashed and grey, with the
    rule that removes each node under it."""
    import networkx as nx
    from .network import edge_name
    from .pruning import effective
    ax = _new_axes(ax, size=(7.5, 5))
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    _, report = effective(network)
    removed_nodes = {r.name: r.rule for r in report.removed if r.kind == "node"}
    removed_nodes.update({n: "reaches no output" for n in report.useless_inputs})
    removed_nodes.update({n: "reached by no input" for n in report.useless_outputs})
    removed_edges = {r.name for r in report.removed if r.kind == "edge"}
    g, depth, layers = nx.DiGraph(), _layers(network), {}
    for n in _layer_order(network):
        g.add_node(n)
        layers.setdefault(depth[n], []).append(n)
    pos = {n: (x, -y) for n, (x, y) in nx.multipartite_layout(g, subset_key=layers).items()}  # first on top
    kept, cut = [], []
    for u, v in network.graph.edges:
        (cut if edge_name(u, v) in removed_edges else kept).append([pos[u], pos[v]])
    ax.add_collection(LineCollection(kept, colors="black", linewidths=1.2, linestyles="solid", zorder=1))
    if cut:
        ax.add_collection(LineCollection(cut, colors="gray", linewidths=1.2, linestyles="dashed", zorder=1))
    fill = {n: "#cfe2f3" for n in network.inputs} | {n: "#d9ead3" for n in network.outputs}
    for dashed in (False, True):
        nodes = [n for n in g if (n in removed_nodes) == dashed]
        if nodes:
            ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], s=900, zorder=2,
                       c=[fill.get(n, "white") for n in nodes], edgecolors="gray" if dashed else "black",
                       linewidths=1.2, linestyle="--" if dashed else "-")
    for n in g:
        x, y = pos[n]
        ax.text(x, y, n, ha="center", va="center", fontsize=8, zorder=3,
                color="gray" if n in removed_nodes else "black")
        if n in removed_nodes:
            ax.annotate(removed_nodes[n], (x, y), xytext=(0, -19), textcoords="offset points", ha="center",
                        va="top", fontsize=6, color="dimgray", zorder=3,
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.autoscale_view()
    ax.margins(0.15)
    ax.set_axis_off()
    ax.legend(handles=[Line2D([], [], color="black", label="effective"),
                       Line2D([], [], color="gray", linestyle="--", label="removed by pruning")],
              fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    ax.set_title(title or f"{len(network.parameters)} parameters; "
                          f"{len(removed_nodes)} useless node{'s' * (len(removed_nodes) != 1)}")
    return ax


def basin_histogram(minima, ax=None, *, title=None):
    """Bars of basin counts, one per minimum, sorted by loss and coloured by
    verdict. ``minima``: ``(loss, basin count, verdict)`` tuples; loss a
    number or exact text (``"221/360"``), verdict a status string or a
    Verdict."""
    ax = _new_axes(ax)
    rows = []
    for i, item in enumerate(minima):
        try:
            value, count, verdict = item
        except (TypeError, ValueError):
            raise PlotError(f"minimum {i + 1}: expected (loss, basin count, verdict)") from None
        status = getattr(verdict, "status", verdict)
        if status not in STATUS_COLOURS:
            raise PlotError(f"minimum {i + 1}: verdict {status!r} is not one of {', '.join(STATUS_COLOURS)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise PlotError(f"minimum {i + 1}: basin count {count!r} is not a non-negative integer")
        rows.append((_float(value), value, count, status))
    if not rows:
        raise PlotError("no minima to draw")
    rows.sort(key=lambda r: r[0])
    xs = range(len(rows))
    ax.bar(xs, [r[2] for r in rows], color=[STATUS_COLOURS[r[3]] for r in rows], edgecolor="black")
    ax.set_xticks(list(xs), [r[1] if isinstance(r[1], str) and len(r[1]) <= 12 else f"{r[0]:.4g}"
                             for r in rows], rotation=45 if len(rows) > 6 else 0, fontsize=8)
    ax.set_xlabel("loss at the minimum")
    ax.set_ylabel("basin count (initialisations)")
    from matplotlib.patches import Patch
    seen = [s for s in STATUS_COLOURS if any(r[3] == s for r in rows)]
    ax.legend(handles=[Patch(color=STATUS_COLOURS[s], label=s) for s in seen], fontsize=8)
    ax.set_title(title or f"{len(rows)} minima, {sum(r[2] for r in rows)} initialisations")
    return ax


# --------------------------------------------------------------------------
# the certificate's own curve

@dataclass
class CertificateCurve:
    """The curve a verdict's certificate is about, in float64: ``at(t)`` is the
    point at t (a list in parameter order), drawn for t in ``t_range``;
    ``expect`` says how L behaves on it when the certificate holds:
    ``"constant"`` (a rescaling orbit, a mixing or dead-neuron line, a family of
    critical points), ``"drops"`` (a descent curve: L(t) < L(0) for small t > 0),
    ``"lower at 1"`` (the segment to a better point), ``"non-increasing"`` or
    ``"not non-increasing"`` (a polynomial path on [a, b]), or ``""`` (a line
    along a kernel or ascent direction: an illustration with no claim)."""
    at: object
    t_range: tuple
    what: str
    expect: str
    marks: list = field(default_factory=list)

    def values(self, loss: Loss, ts) -> list[float]:
        """L (float64) at the curve's points for the parameters ``ts``."""
        np = _numpy()
        pts = [self.at(float(t)) for t in ts]
        return list(_values(loss, [np.array([q[p] for q in pts]) for p in range(len(loss.params))], False))


def _polynomial(th, coeffs):
    """t -> theta + t c1 + t^2 c2 + ... (floats)."""
    def at(t):
        return [x + sum(c[p] * t ** (k + 1) for k, c in enumerate(coeffs)) for p, x in enumerate(th)]
    return at


def _constant_curve(loss: Loss, theta_exact, th, text: str):
    """The map c -> point of the structural constant-loss curve described by ``text``
    (re-derived from the network by :mod:`losscert.kernel.symmetry`), with its
    parameter range: c = e^t for a rescaling (t = 0 is the point), c = t otherwise."""
    import math
    import types
    from .kernel.symmetry import candidate_curves
    curve = next((c for c in candidate_curves(loss, theta_exact) if c.describe() == text), None)
    if curve is None:
        return None
    floats = types.SimpleNamespace(zero=0.0, one=1.0)
    if curve.kind == "rescaling":
        return (lambda t: curve.at(th, math.exp(t), floats)), (-1.0, 1.0)
    return (lambda t: curve.at(th, t, floats)), (-1.0, 1.0)


def certificate_curve(loss: Loss, theta, record: dict, evidence: dict) -> CertificateCurve | None:
    """The curve of a verdict's certificate (see :class:`CertificateCurve`), or None.
    ``theta``: the exact point (field elements); ``record``: the statement (its
    ``better`` point or ``path``, if any); ``evidence``: the verdict's evidence."""
    th = _point(loss, theta)
    curve = _find(evidence, "d1")
    if curve is not None:
        dirs = [_vector_text(curve[f"d{k}"], loss.params) for k in range(1, 10) if f"d{k}" in curve]
        marks, T = [], 1.0
        if isinstance(curve.get("exact_example"), dict):
            t = _float(curve["exact_example"]["t"])
            marks, T = [(t, f"exact drop at t = {curve['exact_example']['t']}")], 2 * t
        return CertificateCurve(_polynomial(th, dirs), (-T, T), "the descent curve", "drops", marks)
    if "path" in record:
        coeffs = [_vector_text(c, loss.params) for c in record["path"]]
        a, b = (_float(record.get(k, d)) for k, d in (("a", 0), ("b", 1)))
        verified = evidence.get("increasing_at") is None
        at = _polynomial(coeffs[0], coeffs[1:])
        return CertificateCurve(at, (a, b), "the path", "non-increasing" if verified else "not non-increasing")
    if "better" in record and isinstance(record["better"], dict):
        better = _vector_text(record["better"], loss.params)
        return CertificateCurve(_polynomial(th, [[b - a for a, b in zip(th, better)]]), (-0.25, 1.25),
                                "the segment to the better point", "lower at 1", [(1.0, "the better point")])
    holder = _find(evidence, "constant_loss_curves")
    for c in (holder or {}).get("constant_loss_curves", []):
        found = _constant_curve(loss, theta, th, c.get("curve", ""))
        if found is not None:
            at, t_range = found
            return CertificateCurve(at, t_range, "the curve " + c["curve"]
                                    + (" (c = e^t)" if c["curve"].startswith("rescale") else " (c = t)"), "constant")
    holder = _find(evidence, "critical_family")
    if holder and isinstance(holder["critical_family"], dict) and holder["critical_family"].get("directions"):
        v = _vector_text(holder["critical_family"]["directions"][0], loss.params)
        return CertificateCurve(_polynomial(th, [v]), (-1.0, 1.0),
                                "the family of critical points theta + s v1 (s = t)", "constant")
    named = _evidence_directions(evidence)
    if named:
        label, direction = named[0]
        return CertificateCurve(_polynomial(th, [_vector_text(direction, loss.params)]), (-1.0, 1.0),
                                f"the line theta + t d, d = {label}", "")
    return None


def draw_certificate_curve(loss: Loss, drawn: CertificateCurve, ax=None, *, title=None, verdict=None,
                           t_range=None):
    """Plot L along ``drawn`` (a :class:`CertificateCurve`); the point drawn at t = 0
    is the curve's point there."""
    a, b = t_range or drawn.t_range
    start = drawn.at(0.0 if a <= 0 <= b else a)
    return loss_along_curve(loss, start, drawn.at, (a, b), ax, marks=drawn.marks,
                            title=title or f"L along {drawn.what}", verdict=verdict)


# --------------------------------------------------------------------------
# what to draw for a claim

def _find(evidence, key):
    """The first dict under ``evidence`` (nested) that has ``key``."""
    if isinstance(evidence, dict):
        if key in evidence:
            return evidence
        for v in evidence.values():
            found = _find(v, key)
            if found is not None:
                return found
    elif isinstance(evidence, list):
        for v in evidence:
            found = _find(v, key)
            if found is not None:
                return found
    return None


def _evidence_directions(evidence) -> list[tuple[str, dict]]:
    """(label, named direction) from a verdict's evidence: Hessian kernel
    basis, constant-loss curve tangents, an ascent direction."""
    out = []
    holder = _find(evidence, "kernel_basis")
    if holder:
        out += [(f"kernel basis {i + 1}", d) for i, d in enumerate(holder["kernel_basis"])]
    holder = _find(evidence, "constant_loss_curves")
    if holder:
        out += [(f"orbit tangent {i + 1}", c["tangent"]) for i, c in enumerate(holder["constant_loss_curves"])
                if "tangent" in c]
    holder = _find(evidence, "ascent")
    if holder and isinstance(holder["ascent"], dict) and "direction" in holder["ascent"]:
        out.append(("ascent direction", holder["ascent"]["direction"]))
    return out


def _orthonormal(vectors, limit=2):
    """Gram-Schmidt on (label, float vector) pairs, dropping dependent ones."""
    np = _numpy()
    out = []
    for label, v in vectors:
        w = np.array(v, dtype=float)
        for _, q in out:
            w = w - (w @ q) * q
        norm = np.linalg.norm(w)
        if norm > 1e-9 * max(1.0, np.linalg.norm(v)):
            out.append((label, w / norm))
        if len(out) == limit:
            break
    return out


def _float_directions(loss: Loss, theta):
    """-grad (unit) when the float gradient is not zero, else the two
    flattest eigenvectors of the float Hessian; and what they are."""
    np = _numpy()
    grad = np.array([float(g) for g in loss.mp_gradient(loss.to_mp(theta))])
    if np.linalg.norm(grad) > 1e-12:
        return [("-grad (unit)", -grad / np.linalg.norm(grad))], "the gradient direction"
    H = np.array(loss.mp_hessian(loss.to_mp(theta)).tolist(), dtype=float)
    _, vecs = np.linalg.eigh((H + H.T) / 2)
    return ([(f"Hessian eigenvector {i + 1} (float)", vecs[:, i]) for i in range(min(2, len(H)))],
            "the flattest Hessian eigenvectors (float illustration)")


def draw_claim(cf, index: int, ax=None, *, extent=None):
    """Draw claim ``index`` (1-based) of a loaded claim file: the loss along
    the certificate's own curve when it has one (:func:`certificate_curve`: a
    descent curve, the segment to a better point, a path, a rescaling orbit or
    constant-loss line, a family of critical points); else the 2-D slice along the first
    two kernel / orbit / evidence directions (unit length, orthogonalised);
    else the loss along -grad; else the slice along the two flattest
    (float) Hessian eigenvectors. Returns (axes, one-line description)."""
    from .claims import decide
    if not 1 <= index <= len(cf.claims):
        raise PlotError(f"{cf.path}: --claim {index}: no such claim (the file has {len(cf.claims)} "
                        f"claim{'s' * (len(cf.claims) != 1)}, numbered from 1)")
    claim = cf.claims[index - 1]
    if cf.loss is not None and cf.loss.parameters is not None:
        raise PlotError(f"{cf.path}: [symbols]: a loss with symbolic parameters has no single graph to draw")
    if claim.kind == "effective" or cf.loss is None:
        return architecture(cf.network, ax), "the architecture (an 'effective' claim)"
    verdict = decide(cf, claim)
    loss, theta = cf.loss, cf.point
    if "point" in claim.record and cf.context is not None:
        loss, theta = cf.context.loss(claim.record), cf.context.point(claim.record)
    head = f"{cf.title or cf.path}\nclaim {index} ({claim.kind}): {verdict.status}"
    drawn = certificate_curve(loss, theta, claim.record, verdict.evidence)
    if drawn is not None and drawn.expect:
        r = None if extent is None else (-extent, extent)
        ax = draw_certificate_curve(loss, drawn, ax, title=head + f"\nalong {drawn.what}", verdict=verdict.reason,
                                    t_range=r)
        return ax, f"the loss along {drawn.what}"
    named = [(label, _vector_text(d, loss.params)) for label, d in _evidence_directions(verdict.evidence)]
    basis = _orthonormal(named)
    what = "evidence directions"
    if not basis:
        try:
            basis, what = _float_directions(loss, theta)
        except ArithmeticError as exc:          # a kink of the activation at the point
            raise PlotError(f"{cf.path}: claim {index}: nothing to draw: no direction in the evidence, "
                            f"and {exc}") from None
    if len(basis) == 1:
        r = 1.0 if extent is None else extent
        ax = loss_along_curve(loss, theta, [list(basis[0][1])], (-r, r), ax,
                              title=head + f"\nalong {basis[0][0]}", verdict=verdict.reason)
        return ax, f"the loss along {basis[0][0]}"
    (lu, u), (lv, v) = basis
    ax = slice_2d(loss, theta, list(u), list(v), 1.0 if extent is None else extent, ax,
                  labels=(lu, lv), title=head, verdict=verdict.reason)
    return ax, f"a 2-D slice along {lu} and {lv} ({what})"


# --------------------------------------------------------------------------
# command line

def run_cli(args) -> int:
    """``losscert plot``: 0 when the picture is written, 2 (one line) otherwise."""
    from .claims import ClaimFileError, load
    try:
        if args.extent is not None and not args.extent > 0:
            raise PlotError(f"--extent {args.extent}: must be positive")
        _new_axes(None, size=(1, 1))            # the extra is there before any work
        cf = load(args.file)
        if args.architecture:
            ax, what = architecture(cf.network, title=cf.title or None), "the architecture"
        else:
            ax, what = draw_claim(cf, args.claim, extent=args.extent)
        try:
            ax.figure.savefig(args.output, dpi=120, bbox_inches="tight")
        except (OSError, ValueError) as exc:
            raise PlotError(f"{args.output}: cannot write the picture: {exc}") from None
    except (PlotError, ClaimFileError) as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {what}")
    return 0
