"""An atlas of small sparse two-layer architectures: which ones have
certified spurious local minima, on which data.

    python -m experiments.atlas [--inputs 3] [--hidden 2] [--outputs 2] [--draws 2] [--runs 12]
                                [--activations "linear;relu;leaky_relu(1/10);tanh;poly(0, 0, 1)"]
                                [--workers 2] [--scheduler ADDRESS] [--out docs/atlas]
                                [--docs docs/atlas.md]

1. **Enumerate** every effective two-layer architecture (inputs -> hidden ->
   outputs, every input and output connected, every hidden node with at
   least one input and one output) with at most the given numbers of
   inputs, hidden nodes and outputs, once per isomorphism class
   (relabelling inputs, hidden nodes or outputs gives the same network:
   :func:`canonical`).
2. **Per architecture, activation and data draw** (exact random integers,
   ``samples`` columns, seeded by the architecture's name): ``losscert
   search`` from ``runs`` initialisations; every distinct end point is
   certified by the kernel (see ``docs/search.md``); each certified spurious
   local minimum is written as a claim file that ``losscert check``
   re-decides. For linear networks the least-squares optimum over the
   outputs the architecture can reach is a certified lower bound (an exact
   sum-of-squares identity checked by ``kernel.inequality``), so the lowest
   end point is certified *global* when its exact loss equals it.
3. **Theory against the census**: the papers' theorems whose hypotheses the
   architecture and data meet (:func:`applicable_theorems`) are listed beside
   the census; a certified counterexample to one of them is a contradiction,
   reported loudly (exit code 3): a bug of losscert, or a new erratum.

Results are appended to ``OUT/results.jsonl`` as each case finishes, so an
interrupted run resumes where it stopped; ``OUT/atlas.csv`` holds the table, ``--docs`` writes the page and its picture.
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sympy

ACTIVATIONS = ("linear", "relu", "leaky_relu(1/10)", "tanh", "poly(0, 0, 1)")
CASE_SECONDS = 60            # time budget of one case (search + certification)


# -- architectures -------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Architecture:
    """A two-layer architecture: each hidden node is (its inputs, its outputs), 0-based.

    >>> a = Architecture(2, 1, (((0,), (0,)), ((0, 1), (0,))))
    >>> a.name, a.classification, a.parameters
    ('x2-h2-y1:0>0|01>0', 'sparse-dense', 5)
    """
    d_x: int
    d_y: int
    hidden: tuple

    @property
    def name(self) -> str:
        nodes = "|".join("".join(map(str, i)) + ">" + "".join(map(str, o)) for i, o in self.hidden)
        return f"x{self.d_x}-h{len(self.hidden)}-y{self.d_y}:{nodes}"

    @property
    def parameters(self) -> int:
        return sum(len(i) + len(o) for i, o in self.hidden)

    def table(self, activation: str) -> dict:
        """The claim-file ``[network]`` table of this architecture."""
        edges = [f"x{a + 1} -> h{j + 1}" for j, (ins, _) in enumerate(self.hidden) for a in ins]
        edges += [f"h{j + 1} -> y{b + 1}" for j, (_, outs) in enumerate(self.hidden) for b in outs]
        return {"inputs": [f"x{a + 1}" for a in range(self.d_x)], "outputs": [f"y{b + 1}" for b in range(self.d_y)],
                "edges": edges, "activation": activation}

    def network(self, activation: str = "linear"):
        from losscert.network import Network
        return Network.from_table(self.table(activation))

    @property
    def classification(self) -> str:
        from losscert.patterns import two_layer_patterns
        return two_layer_patterns(self.network()).classification

    def groups(self) -> list[tuple[int, int]]:
        """(p_i, d_i) of each input pattern (the first paper's Eq. (2))."""
        from losscert.patterns import two_layer_patterns
        return [(g.size, g.dim) for g in two_layer_patterns(self.network()).groups]


def canonical(d_x: int, d_y: int, hidden) -> Architecture:
    """The representative of ``hidden``'s isomorphism class: the least sorted
    list of hidden nodes over all relabellings of the inputs and outputs
    (the hidden nodes are a multiset, so their order never matters).

    >>> canonical(2, 1, [((1,), (0,)), ((0, 1), (0,))]) == canonical(2, 1, [((0,), (0,)), ((0, 1), (0,))])
    True
    """
    best = None
    for pi in itertools.permutations(range(d_x)):
        for po in itertools.permutations(range(d_y)):
            key = tuple(sorted((tuple(sorted(pi[a] for a in ins)), tuple(sorted(po[b] for b in outs)))
                               for ins, outs in hidden))
            best = key if best is None or key < best else best
    return Architecture(d_x, d_y, best)


def _subsets(n: int) -> list[tuple]:
    return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]


def architectures(max_inputs: int, max_hidden: int, max_outputs: int) -> list[Architecture]:
    """Every effective two-layer architecture within the bounds, one per
    isomorphism class, sorted by size.

    >>> [a.name for a in architectures(1, 2, 1)]
    ['x1-h1-y1:0>0', 'x1-h2-y1:0>0|0>0']
    >>> len(architectures(2, 2, 2))
    21
    """
    found = set()
    for d_x, d_y, h in itertools.product(range(1, max_inputs + 1), range(1, max_outputs + 1),
                                         range(1, max_hidden + 1)):
        kinds = [(i, o) for i in _subsets(d_x) for o in _subsets(d_y)]
        for hidden in itertools.combinations_with_replacement(kinds, h):
            if {a for i, _ in hidden for a in i} == set(range(d_x)) and \
                    {b for _, o in hidden for b in o} == set(range(d_y)):
                found.add(canonical(d_x, d_y, hidden))
    return sorted(found, key=lambda a: (a.parameters, a.d_x, len(a.hidden), a.d_y, a.hidden))


def isomorphic(a: Architecture, b: Architecture) -> bool:
    """networkx's isomorphism test (layers kept apart): a second opinion on :func:`canonical`."""
    import networkx as nx
    match = nx.algorithms.isomorphism.categorical_node_match("layer", None)
    graphs = []
    for arch in (a, b):
        net = arch.network()
        g = nx.DiGraph(net.graph.edges)
        nx.set_node_attributes(g, {n: ("in" if n in net.inputs else "out" if n in net.outputs else "hid")
                                   for n in g}, "layer")
        graphs.append(g)
    return nx.is_isomorphic(*graphs, node_match=match)


# -- data and the theory -------------------------------------------------------------------

def draw_data(arch: Architecture, draw: int, samples: int) -> tuple[list, list]:
    """Exact integer data in [-2, 2] (X: inputs x samples, Y: outputs x samples), seeded by the case."""
    rng = random.Random(f"{arch.name}/{draw}")
    X = [[rng.randint(-2, 2) for _ in range(samples)] for _ in range(arch.d_x)]
    Y = [[rng.randint(-2, 2) for _ in range(samples)] for _ in range(arch.d_y)]
    return X, Y


def applicable_theorems(arch: Architecture, activation: str, X) -> list[dict]:
    """The papers' results whose hypotheses this case meets, each with what it
    forbids: ``spurious`` (any spurious local minimum) or ``spurious strict``.

    >>> a = Architecture(2, 1, (((0,), (0,)), ((1,), (0,))))
    >>> [t["id"] for t in applicable_theorems(a, "linear", [[1, 0], [0, 1]])]
    ['iclr:Theorem 1 (scalar output)', 'lsz:Theorem 1 (1)', 'lsz:Theorem 1 (3)', 'lsz:Theorem 1 (2)']
    """
    if activation != "linear":
        return []
    out = []
    if arch.d_y == 1:
        out.append({"id": "iclr:Theorem 1 (scalar output)", "forbids": "spurious",
                    "says": "linear, d_y = 1, any sparse structure: every local minimum is global"})
    if arch.classification == "dense":
        out.append({"id": "dense linear (Kawaguchi 2016, cited by iclr and lsz)", "forbids": "spurious",
                    "says": "a dense two-layer linear network has no spurious local minima"})
    if arch.classification in ("sparse-dense", "dense"):
        groups = arch.groups()
        if all(p >= d for p, d in groups):
            out.append({"id": "lsz:Theorem 1 (1)", "forbids": "spurious strict",
                        "says": "linear SD, p_i >= d_i: no spurious strict minima (Property P)"})
        if arch.d_y == 1:
            out.append({"id": "lsz:Theorem 1 (3)", "forbids": "spurious strict",
                        "says": "linear SD, d_y = 1: no spurious strict minima (Property P)"})
        from losscert.patterns import two_layer_patterns
        conditions = two_layer_patterns(arch.network()).theorem1_conditions(sympy.Matrix(X))
        if conditions[1]["holds"]:
            out.append({"id": "lsz:Theorem 1 (2)", "forbids": "spurious strict",
                        "says": "linear SD, Z_i Z_j^T = 0: no spurious strict minima (Property P)"})
    return out


def least_squares_bound(arch: Architecture, X, Y, symbols=None, scale=sympy.Rational(1, 2)):
    """For a linear architecture: the least-squares optimum L* over the outputs it
    can reach (output b is a linear function of the inputs with a path to it)
    and, for every parameter point, the squares whose sum is L - L*: output b
    at theta is m_b(theta) X_A with A its ancestor inputs, and the residual of
    the optimum m*_b is orthogonal to the rows of X_A. ``symbols`` maps a
    parameter name to the symbol that stands for it (a loss's ``symbols()``).

    >>> a = Architecture(1, 1, (((0,), (0,)),))
    >>> least_squares_bound(a, [[1, 1]], [[1, 3]])[0]
    1
    """
    Xm, Ym = sympy.Matrix(X), sympy.Matrix(Y)
    symbols = symbols or {}
    sym = lambda name: symbols.get(name, sympy.Symbol(name))       # noqa: E731
    w = {(a, j): sym(f"x{a + 1} -> h{j + 1}") for j, (ins, _) in enumerate(arch.hidden) for a in ins}
    u = {(j, b): sym(f"h{j + 1} -> y{b + 1}") for j, (_, outs) in enumerate(arch.hidden) for b in outs}
    bound, squares = sympy.Integer(0), []
    for b in range(arch.d_y):
        rows = sorted({a for j, (ins, outs) in enumerate(arch.hidden) if b in outs for a in ins})
        XA = Xm.extract(rows, list(range(Xm.cols)))
        basis = XA.T.columnspace()               # an orthogonal projection onto the row space of X_A
        B = sympy.Matrix.hstack(*basis) if basis else sympy.zeros(Xm.cols, 1)
        P = B * (B.T * B).inv() * B.T if basis else sympy.zeros(Xm.cols, Xm.cols)
        fit = Ym.row(b) * P
        bound += scale * sum(v ** 2 for v in (Ym.row(b) - fit))
        m = sympy.Matrix([[sum(u[(j, b)] * w[(a, j)] for j, (ins, outs) in enumerate(arch.hidden)
                               if b in outs and a in ins) for a in rows]])
        squares += [(scale, v) for v in (m * XA - fit)]
    return sympy.nsimplify(bound), squares


# -- one case ---------------------------------------------------------------------

def run_case(spec: dict) -> dict:
    """Search and certify one (architecture, activation, draw); JSON-ready."""
    from losscert import compile_loss, kernel
    from losscert.checker import TimeBudgetExceeded, budget
    from losscert.discover import search, write_claim_files
    arch = Architecture(spec["d_x"], spec["d_y"], tuple((tuple(i), tuple(o)) for i, o in spec["hidden"]))
    X, Y = draw_data(arch, spec["draw"], spec["samples"])
    row = {"key": spec["key"], "architecture": arch.name, "activation": spec["activation"], "draw": spec["draw"],
           "class": arch.classification, "parameters": arch.parameters, "X": X, "Y": Y,
           "theorems": applicable_theorems(arch, spec["activation"], X), "minima": []}
    t0, row["started"] = time.process_time(), time.time()
    try:
        with budget(spec["seconds"]):
            loss = compile_loss(arch.network(spec["activation"]), X, Y)
            lr = spec["lr"]
            res = search(loss, runs=spec["runs"], max_iter=spec["max_iter"], lr=lr, seed=spec["draw"])
            while res.statuses.get("diverged", 0) == spec["runs"] and lr > spec["lr"] / 1000:
                lr /= 10                 # every run diverged: a smaller step, the same initialisations
                res = search(loss, runs=spec["runs"], max_iter=spec["max_iter"], lr=lr, seed=spec["draw"])
            row["lr"] = lr
            bound = _linear_bound(arch, loss, X, Y) if spec["activation"] == "linear" else None
            out = Path(spec["out"]) / "claims"
            stem = f"{arch.name.replace(':', '_').replace('|', '_').replace('>', 'to')}-" \
                   f"{_slug(spec['activation'])}-{spec['draw']}"
            spurious = [m for m in res.minima if m.spurious == kernel.VERIFIED]
            if spurious:
                write_claim_files(loss, res, out, stem)
            for m in res.minima:
                row["minima"].append(_describe(loss, m, bound, kernel))
            row["statuses"] = res.statuses
    except TimeBudgetExceeded:
        row["error"] = f"time budget exceeded ({spec['seconds']} s)"
    except Exception as exc:  # noqa: BLE001 - one failed case is a row of the table, not the end of the atlas
        row["error"] = f"{type(exc).__name__}: {exc}"
    row["seconds"], row["finished"] = round(time.process_time() - t0, 2), time.time()
    row["verdict"] = case_verdict(row)
    row["contradictions"] = contradictions(row)
    return row


def _slug(activation: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in activation).strip("_")


def _linear_bound(arch, loss, X, Y):
    """(L*, the kernel's verdict on L >= L*) for a linear network."""
    from losscert import kernel
    from losscert.kernel import algebra
    L_star, squares = least_squares_bound(arch, X, Y, {v.param: v for v in loss.symbols()})
    v = kernel.guarded(algebra.inequality, loss.expression(), L_star, tuple(squares), None, False)
    return L_star, v


def _describe(loss, m, bound, kernel) -> dict:
    """One end point: the kernel's verdicts and, for linear networks, whether it is a certified global minimum."""
    d = {"loss": m.loss, "basin": m.basin, "gradient_norm": m.gradient_norm, "local_minimum": str(m.verdict),
         "route": m.route, "spurious": str(m.spurious), "reason": m.reason, "claim_file": m.claim_file,
         "strict": "not tried", "global": "not tried", "converged": getattr(m, "converged", True)}
    if m.route == "exact" and m.verdict == kernel.VERIFIED and m.exact_point:
        point = m.exact_point
        if m.spurious == kernel.VERIFIED:
            d["strict"] = str(kernel.guarded(kernel.strict_local_minimum, loss, point).status)
        value = loss.value(loss.point(point))
        if not value:
            d["global"] = "verified (L = 0)"
        elif bound is not None and bound[1].status == kernel.VERIFIED:
            v = kernel.guarded(kernel.loss_value, loss, point, bound[0])
            d["global"] = "verified (L = L*, the least-squares bound)" if v.status == kernel.VERIFIED else \
                "not certified (L > L*, a lower bound the architecture need not attain)"
    return d


def case_verdict(row: dict) -> str:
    """The case's line in the atlas, from the kernel's verdicts on its end points:

    - ``spurious strict minimum`` / ``spurious minimum``: one is certified;
    - ``no spurious minimum``: every end point of converged runs is decided (a
      certified minimum, or certified not to be one) and none is spurious; this
      is about the end points found, not a landscape theorem;
    - ``undecided``: some such end point is neither, or no run converged;
      ``error``: the case failed.

    >>> case_verdict({"minima": [{"spurious": "not tried", "local_minimum": "verified", "strict": "not tried"},
    ...                          {"spurious": "not tried", "local_minimum": "refuted", "strict": "not tried"},
    ...                          {"spurious": "not tried", "local_minimum": "not tried", "converged": False}]})
    'no spurious minimum'
    """
    if "error" in row:
        return "error"
    minima = [m for m in row["minima"] if m.get("converged", True)]   # the others are no minimum candidates
    if any(m["spurious"] == "verified" for m in minima):
        strict = any(m["spurious"] == "verified" and m["strict"] == "verified" for m in minima)
        return "spurious strict minimum" if strict else "spurious minimum"
    if minima and all(m["local_minimum"] in ("verified", "refuted") for m in minima) and \
            any(m["local_minimum"] == "verified" for m in minima):
        return "no spurious minimum"
    return "undecided"


def contradictions(row: dict) -> list[str]:
    """Each applicable theorem that a certified minimum of this case contradicts."""
    found = []
    for t in row["theorems"]:
        for m in row["minima"]:
            if m["spurious"] != "verified":
                continue
            if t["forbids"] == "spurious" or (t["forbids"] == "spurious strict" and m["strict"] == "verified"):
                found.append(f"{t['id']}: certified {'strict ' if m['strict'] == 'verified' else ''}spurious "
                             f"minimum at loss {m['loss']:.6g} ({m['claim_file']})")
    return found


# -- the run ---------------------------------------------------------------------

def cases(args) -> list[dict]:
    out = []
    for arch in architectures(args.inputs, args.hidden, args.outputs):
        for act in args.activations:
            for draw in range(args.draws):
                out.append({"key": f"{arch.name}/{act}/{draw}", "d_x": arch.d_x, "d_y": arch.d_y,
                            "hidden": [list(map(list, h)) for h in arch.hidden], "activation": act, "draw": draw,
                            "samples": args.samples, "runs": args.runs, "max_iter": args.max_iter, "lr": args.lr,
                            "seconds": args.seconds, "out": str(args.out)})
    return out


def _done(path: Path) -> dict:
    rows = {}
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:      # a line cut by an interruption: that case runs again
                continue
            rows[row["key"]] = row
    return rows


def _run_all(todo, workers, scheduler):
    if scheduler:
        try:
            from dask.distributed import Client, as_completed
        except ImportError:
            raise SystemExit("--scheduler needs the distributed extra: pip install 'losscert[distributed]'") from None
        client = Client(scheduler)
        yield from (f.result() for f in as_completed(client.map(run_case, todo, pure=False)))
        return
    if workers <= 1:
        yield from map(run_case, todo)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(run_case, todo)


def run(args) -> list[dict]:
    """Run every case not yet in ``OUT/results.jsonl`` (appending as each finishes); all rows."""
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results.jsonl"
    rows = _done(results)
    todo = [c for c in cases(args) if c["key"] not in rows]
    total = len(todo) + sum(1 for c in cases(args) if c["key"] in rows)
    print(f"{total} cases ({len(architectures(args.inputs, args.hidden, args.outputs))} architectures x "
          f"{len(args.activations)} activations x {args.draws} draws); {total - len(todo)} done before, "
          f"{len(todo)} to run", file=sys.stderr)
    with results.open("a") as f:
        for i, row in enumerate(_run_all(todo, args.workers, args.scheduler), 1):
            f.write(json.dumps(row) + "\n")
            f.flush()
            rows[row["key"]] = row
            print(f"[{i}/{len(todo)}] {row['key']}: {row['verdict']} ({row['seconds']} s)", file=sys.stderr)
    keys = [c["key"] for c in cases(args)]
    return [rows[k] for k in keys]


def summary(rows: list[dict]) -> dict:
    """Counts by class and activation, and every contradiction."""
    counts: dict = {}
    for r in rows:
        c = counts.setdefault(r["class"], {}).setdefault(r["activation"], {})
        c[r["verdict"]] = c.get(r["verdict"], 0) + 1
    return {"cases": len(rows), "counts": counts,
            "contradictions": [f"{r['key']}: {c}" for r in rows for c in r["contradictions"]],
            "cpu_seconds": round(sum(r["seconds"] for r in rows), 1)}


def write_tables(rows: list[dict], out: Path) -> None:
    fields = ["architecture", "class", "parameters", "activation", "draw", "verdict", "minima", "spurious",
              "theorems", "contradictions", "seconds"]
    tmp = out / "atlas.csv.part"
    with tmp.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in rows:
            w.writerow([r["architecture"], r["class"], r["parameters"], r["activation"], r["draw"], r["verdict"],
                        len(r["minima"]), sum(m["spurious"] == "verified" for m in r["minima"]),
                        "; ".join(t["id"] for t in r["theorems"]), "; ".join(r["contradictions"]), r["seconds"]])
    tmp.replace(out / "atlas.csv")


VERDICT_COLOURS = {"spurious strict minimum": "#b2182b", "spurious minimum": "#ef8a62", "no spurious minimum": "#67a9cf",
                   "undecided": "#bbbbbb", "error": "#000000"}


def picture(rows: list[dict], path: Path) -> None:
    """Architectures by class and size (x: parameters), one row per activation, coloured by verdict."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    acts = list(dict.fromkeys(r["activation"] for r in rows))
    classes = ["dense", "sparse-dense", "sparse-sparse", "dense-sparse"]
    fig, axes = plt.subplots(len(acts), 1, figsize=(9, 1.6 * len(acts) + 0.8), sharex=True, squeeze=False)
    rng = random.Random(0)
    for ax, act in zip(axes[:, 0], acts):
        for r in (r for r in rows if r["activation"] == act):
            y = classes.index(r["class"]) + (rng.random() - 0.5) * 0.5
            ax.scatter(r["parameters"] + (rng.random() - 0.5) * 0.5, y, s=14,
                       c=VERDICT_COLOURS[r["verdict"]], edgecolors="none")
        ax.set_yticks(range(len(classes)), classes, fontsize=7)
        ax.set_title(act, fontsize=8, loc="left")
    axes[-1, 0].set_xlabel("parameters")
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=k) for k, c in VERDICT_COLOURS.items()]
    fig.legend(handles=handles, loc="upper center", ncol=5, fontsize=7)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _span(rows: list[dict]) -> str:
    """The wall time from the first case's start to the last one's finish, over all resumed runs."""
    times = [(r["started"], r["finished"]) for r in rows if "started" in r]
    if len(times) < len(rows) or not rows:
        return ""
    return f", {max(f for _, f in times) - min(s for s, _ in times):.0f} s wall from first start to last finish"


def markdown(rows: list[dict], args, seconds: float) -> str:
    """The docs page: command, counts per class and activation, contradictions, the spurious cases."""
    s = summary(rows)
    acts = list(dict.fromkeys(r["activation"] for r in rows))
    verdicts = list(VERDICT_COLOURS)
    lines = ["# An atlas of small sparse architectures", "",
             "Generated by `python -m experiments.atlas " + " ".join(args.argv) + "` "
             f"({s['cases']} cases, {s['cpu_seconds']} CPU s in the cases{_span(rows)}; "
             f"this invocation: {seconds:.0f} s wall). "
             "Each case is one architecture (up to isomorphism), one activation and one exact random "
             "data draw; every verdict below was made by the kernel (see the module docstring of "
             "`experiments/atlas.py` for the method and `docs/search.md` for the certification routes).", "",
             "![atlas](atlas.png)", "", "## Cases by class, activation and verdict", "",
             "| class | activation | " + " | ".join(verdicts) + " |", "|---|---|" + "---|" * len(verdicts)]
    for cls, by_act in sorted(s["counts"].items()):
        for act in acts:
            if act in by_act:
                lines.append(f"| {cls} | `{act}` | " + " | ".join(str(by_act[act].get(v, 0)) for v in verdicts) + " |")
    lines += ["", "## Theory against the census", ""]
    checked = [r for r in rows if r["theorems"]]
    lines.append(f"{len(checked)} cases meet the hypotheses of at least one theorem "
                 f"({', '.join(sorted({t['id'] for r in rows for t in r['theorems']}))}).")
    if s["contradictions"]:
        lines += ["", "**Contradictions (each a bug or a new erratum):**", ""]
        lines += [f"- {c}" for c in s["contradictions"]]
    else:
        lines.append("No certified minimum contradicts any of them.")
    spurious = [r for r in rows if r["verdict"].startswith("spurious")]
    lines += ["", f"## Certified spurious minima ({len(spurious)} cases)", "",
              "| architecture | class | activation | draw | losses of the spurious minima | strict |",
              "|---|---|---|---|---|---|"]
    for r in spurious:
        sp = [m for m in r["minima"] if m["spurious"] == "verified"]
        lines.append(f"| `{r['architecture']}` | {r['class']} | `{r['activation']}` | {r['draw']} | "
                     + ", ".join(f"{m['loss']:.6g}" for m in sp) + " | "
                     + ", ".join(m["strict"] for m in sp) + " |")
    lines += ["", "Architecture names: `x<inputs>-h<hidden>-y<outputs>:` then one `inputs>outputs` group per "
              "hidden node (0-based), e.g. `01>0` is a hidden node fed by x1 and x2 that feeds y1."]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=2)
    ap.add_argument("--outputs", type=int, default=2)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--max-iter", type=int, default=20000)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seconds", type=int, default=CASE_SECONDS, help="time budget of one case")
    ap.add_argument("--activations", type=lambda s: [a.strip() for a in s.split(";")],
                    default=list(ACTIVATIONS), help="separated by ';' (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", help="a Dask scheduler address (the distributed extra)")
    ap.add_argument("--out", type=Path, default=Path("docs/atlas"),
                    help="results.jsonl (resumable), atlas.csv, atlas.json and claims/ go here")
    ap.add_argument("--docs", type=Path, default=Path("docs/atlas.md"),
                    help="write the page (and atlas.png beside it) here; 'none' for no page")
    return ap


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    args.argv = argv
    t0 = time.time()
    rows = run(args)
    write_tables(rows, args.out)
    s = summary(rows)
    if str(args.docs) != "none":
        args.docs.parent.mkdir(parents=True, exist_ok=True)
        picture(rows, args.docs.with_name("atlas.png"))
        args.docs.write_text(markdown(rows, args, time.time() - t0))
    for cls, by_act in sorted(s["counts"].items()):
        print(f"{cls}: " + "; ".join(f"{a}: {c}" for a, c in by_act.items()))
    print(f"{s['cases']} cases, {len(s['contradictions'])} contradictions, {time.time() - t0:.0f} s")
    for c in s["contradictions"]:
        print("CONTRADICTION", c)
    return 3 if s["contradictions"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
