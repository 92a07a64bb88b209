"""``losscert search``: find minima numerically, certify them with the kernel.

Many initialisations run gradient descent at once (numpy, vectorised across
initialisations; chunks in parallel processes with ``workers``); two-layer
linear networks with a sparse first layer can also use the alternating
best-rank-one algorithm. End points are clustered by their loss and network
function (a symmetry-invariant distance), each cluster's representative is
polished (Newton) and handed to the kernel:

1. exactly, when a rescaled and rationalised representative is an exact
   critical point (``kernel.local_minimum``; ``kernel.not_global`` against
   the best point found shows it is spurious);
2. otherwise with Arb intervals (``local_minimum_near``: a strict local
   minimum within a small radius), which needs a non-degenerate minimum.

Nothing found here is a fact until the kernel says so: the table marks each
cluster with the kernel's verdict, and a claim file is written for every
certified minimum so that ``losscert check`` can re-decide it anywhere.

>>> from losscert import compile_loss, dense
>>> loss = compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])
>>> res = search(loss, runs=8, max_iter=3000, lr=0.05, seed=1)
>>> [(round(m.loss, 6), m.verdict) for m in res.minima]
[(0.0, 'verified')]
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from . import kernel
from .activations import NonSmooth
from .compiler import Loss
from .kernel import gauge
from .numbers import parse_number
from .proposers import descent, newton

DENOMINATORS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 100, 1000, 10 ** 4, 10 ** 6)
RADIUS = "1/1000000"         # of the balls certified by the interval routes


@dataclass
class Minimum:
    """One cluster of end points and what the kernel said about it."""
    loss: float
    basin: int                       # how many initialisations ended here
    point: list                      # float coordinates of the polished representative
    gradient_norm: float
    verdict: str = "not tried"       # the kernel's local_minimum verdict
    route: str = ""                  # "exact" or "intervals"
    reason: str = ""
    exact_point: dict | None = None  # parameter -> exact text of the certified point (or box centre)
    digits: int = 30
    spurious: str = "not tried"      # the kernel's not_global verdict against the best point found
    claim_file: str | None = None
    loss_enclosure: str = ""         # the kernel's Arb enclosure of L at the certified minimum (interval routes)
    converged: bool = True           # False: the runs of this cluster stopped before the gradient vanished


@dataclass
class SearchResult:
    runs: int
    method: str
    statuses: dict                   # converged / max_iter / diverged counts
    minima: list = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"runs": self.runs, "method": self.method, "statuses": self.statuses,
                "seconds": round(self.seconds, 2), "minima": [m.__dict__ for m in self.minima]}


def _problem(loss: Loss) -> tuple:
    """What a worker process needs to rebuild the loss (fields do not pickle)."""
    return loss.network, loss.X_sym, loss.Y_sym, loss.scale_sym


def _rebuild(problem) -> Loss:
    from .compiler import compile_loss
    return compile_loss(*problem)


def _descend_chunk(args):
    problem, T0, lr, max_iter, tol = args
    d = descent.gradient_descent(descent.FloatLoss(_rebuild(problem)), T0, lr=lr, max_iter=max_iter, tol=tol)
    return d.points, d.losses, d.gradient_norms, d.status


def _rank_one_chunk(args):
    problem, count, seed, sweeps = args
    return descent.alternating_rank_one(_rebuild(problem), count, np.random.default_rng(seed), sweeps=sweeps)


def _map(fn, jobs, workers, scheduler=None, progress=None):
    """Run ``fn`` over ``jobs`` in order: locally, in ``workers`` processes,
    or on a Dask cluster (``scheduler`` address; the ``distributed`` extra)."""
    if scheduler:
        try:
            from dask.distributed import Client, as_completed
        except ImportError:
            raise RuntimeError("--scheduler needs the 'distributed' extra: pip install 'losscert[distributed]'") \
                from None
        with Client(scheduler) as client:
            futures = client.map(fn, jobs, pure=False)
            if progress:
                for i, _ in enumerate(as_completed(futures)):
                    progress(i + 1, len(jobs), "batches")
            return client.gather(futures)
    if workers <= 1:
        out = []
        for i, job in enumerate(jobs):
            out.append(fn(job))
            if progress:
                progress(i + 1, len(jobs), "batches")
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        out = []
        for i, res in enumerate(pool.map(fn, jobs)):
            out.append(res)
            if progress:
                progress(i + 1, len(jobs), "batches")
        return out


def search(loss: Loss, runs: int = 100, seed: int = 0, lr: float = 0.01, max_iter: int = 50000,
           tol: float = 1e-8, method: str = "gd", workers: int = 1, certify: bool = True,
           digits: int = 30, scheduler: str | None = None, progress=None) -> SearchResult:
    """Search ``runs`` initialisations, cluster the end points and certify
    one representative per cluster (see the module docstring)."""
    t0 = time.time()
    f = descent.FloatLoss(loss)
    chunks = max(1, min(runs, workers))      # one batch per process: the cost of a step hardly depends on its size
    sizes = [runs // chunks + (i < runs % chunks) for i in range(chunks)]
    if method == "gd":
        T0 = descent.initial_points(loss, runs, np.random.default_rng(seed))
        bounds = np.cumsum([0] + sizes)
        jobs = [(_problem(loss), T0[a:b], lr, max_iter, tol) for a, b in zip(bounds[:-1], bounds[1:])]
        if workers <= 1 and not scheduler:      # one batch here: report its steps
            d = descent.gradient_descent(f, T0, lr=lr, max_iter=max_iter, tol=tol,
                                         progress=progress and (lambda i, n: progress(i, n, "descent")))
            parts = [(d.points, d.losses, d.gradient_norms, d.status)]
        else:
            parts = _map(_descend_chunk, jobs, workers, scheduler, progress)
        points = np.concatenate([p[0] for p in parts])
        status = [s for p in parts for s in p[3]]
        losses = f.value(points)
        losses[[s == "diverged" for s in status]] = np.inf
    elif method == "rank-one":
        jobs = [(_problem(loss), n, seed * 1000 + i, 2000) for i, n in enumerate(sizes)]
        points = np.concatenate(_map(_rank_one_chunk, jobs, workers, scheduler, progress))
        losses = f.value(points)
        status = None                    # judged after polishing, below
    else:
        raise ValueError(f"method must be 'gd' or 'rank-one', not {method!r}")
    finite = np.isfinite(losses)
    points[finite] = np.array([descent.polish(f, p) for p in points[finite]]).reshape(-1, points.shape[1])
    losses[finite] = f.value(points[finite])
    _, G = f.value_and_gradient(points)     # judged after polishing: a run stopped early may end at a minimum
    status = ["diverged" if status is not None and s == "diverged" else
              "converged" if np.linalg.norm(g) < max(tol, 1e-6) else "max_iter" for s, g in
              zip(status or [None] * len(G), G)]
    counts = {k: status.count(k) for k in ("converged", "max_iter", "diverged")}
    result = SearchResult(runs, method, counts)
    done = np.array([s == "converged" for s in status])
    for converged in (True, False):         # end points of runs that did not converge are no minima candidates
        part = np.flatnonzero(done == converged)
        for c in descent.cluster(f, points[part], losses[part]):
            rep = points[part][c.representative]
            L, G = f.value_and_gradient(rep[None])
            result.minima.append(Minimum(float(L[0]), len(c.members), rep.tolist(), float(np.linalg.norm(G[0])),
                                         converged=converged))
    for m in result.minima:
        if not m.converged:
            m.reason = "the runs stopped before the gradient vanished (max_iter): not a minimum candidate"
    if certify:
        _certify(loss, [m for m in result.minima if m.converged], digits, progress)
    result.seconds = time.time() - t0
    return result


def _exact_candidate(loss: Loss, theta) -> list | None:
    """A rescaled, rationalised copy of theta (or one with its output layer fitted
    exactly, :func:`_output_layer_fit`) close to theta that has zero loss, is exactly
    critical, or sits on a kink of a piecewise-linear activation (the kernel decides), if any."""
    gauged = descent.gauge(loss, np.array(theta))
    tries = [(lambda: _output_layer_fit(loss, descent.rationalise(gauged, 10 ** 12)), gauged)]
    for den in DENOMINATORS:
        for cand in (gauged, np.array(theta)):
            q = descent.rationalise(cand, den)
            if _close(q, cand):         # else not this end point: a rounding far away proves nothing about it
                tries.append(((lambda q=q: loss.point([_text(x) for x in q])), cand))
    for make, cand in tries:
        try:
            pt = make()
            if pt is None or not _close(loss.to_mp(pt), cand):
                continue
        except Exception:       # noqa: BLE001 - a candidate the exact evaluator cannot take is just skipped
            continue
        try:
            if not loss.value(pt, raw=True) or not any(loss.gradient(pt, raw=True)):
                return pt
        except NonSmooth:       # on a kink of a piecewise-linear activation: the kernel decides there
            return pt
        except Exception:       # noqa: BLE001
            continue
    return None


def _close(q, cand) -> bool:
    """Whether the point q is within 1e-7 (relative to theta's size) of the float point cand."""
    return max(abs(float(a) - b) for a, b in zip(q, cand)) <= 1e-7 * (1 + np.abs(cand).max())


def _output_layer_fit(loss: Loss, q: list) -> list | None:
    """The point ``q`` (fractions) with the free weights into the output nodes (and
    their biases) replaced by the exact least-squares fit of Y on the rest that is
    nearest to q's (a dead neuron's weight stays): the output is linear in them,
    so P_out + 1 exact evaluations give the design matrix.
    None when the output layer has tied or no free parameters, or at a kink."""
    import sympy
    net = loss.network
    outs = set(net.outputs)
    free = [i for i, p in enumerate(loss.params)
            if (p.startswith("b:") and p[2:] in outs)
            or any(v in outs for _, v in net.param_edges(p)) and len(net.param_edges(p)) == 1]
    if not free or len(free) > 200:
        return None
    try:
        base = loss.point([_text(x) for x in q])
        F = loss.field

        def outputs(values):
            pt = list(base)
            for i, v in zip(free, values):
                pt[i] = v
            return [F.to_sympy(x) for row in loss.outputs(pt, raw=True) for x in row]
        zero = outputs([F.zero] * len(free))
        columns = [[a - b for a, b in zip(outputs([F.one if j == k else F.zero for j in range(len(free))]), zero)]
                   for k in range(len(free))]
        A = sympy.Matrix(columns).T
        w0 = sympy.Matrix([F.to_sympy(base[i]) for i in free])
        r = sympy.Matrix([y - z for y, z in zip((F.to_sympy(y) for row in loss.Y for y in row), zero)]) - A * w0
        G = A.T * A                     # the least-squares step nearest to the current weights
        w = w0 + (G.LUsolve(A.T * r) if G.det() != 0 else A.pinv() * r)
        pt = list(base)
        for i, v in zip(free, w):
            pt[i] = F(sympy.nsimplify(v))
        return pt
    except (NonSmooth, ArithmeticError, ValueError, TypeError):
        return None


def _text(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _certify(loss: Loss, minima: list, digits: int, progress=None) -> None:
    """The kernel's verdicts for each cluster: exactly when a rationalised
    representative is critical; else with intervals on the gauge-fixed slice
    (rescaling orbits removed), else plain ``local_minimum_near``.
    Spuriousness is decided against a rational point near the best end point."""
    F = loss.field
    best = min(minima, key=lambda m: m.loss, default=None)
    better = None
    if best is not None:
        better = loss.point([_text(x) for x in descent.rationalise(best.point, 10 ** 12)])
    radius = F(parse_number(RADIUS))
    for i, m in enumerate(minima):
        if progress:
            progress(i, len(minima), "certify")
        exact_reason = ""
        pt = _exact_candidate(loss, m.point)
        if pt is not None:
            v = kernel.guarded(kernel.local_minimum, loss, pt)
            if v.status == kernel.VERIFIED:
                m.route, m.verdict, m.reason = "exact", v.status, v.reason
                m.exact_point = {p: F.show(x) for p, x in zip(loss.params, pt)}
                if m is not best and better is not None:
                    m.spurious = kernel.guarded(kernel.not_global, loss, pt, better).status
                continue
            # a refutation is about the rounded point only: the end point's minimum may sit next to it
            exact_reason = f"exact route, at the rationalised point: {v.status}: {v.reason}; "
        centre = loss.point([_text(x) for x in descent.rationalise(descent.gauge(loss, m.point), 10 ** 12)])
        m.digits = digits
        m.exact_point = {p: F.show(x) for p, x in zip(loss.params, centre)}
        if m is not best:
            v = kernel.guarded(gauge.spurious_minimum_near_modulo_rescaling, loss, centre, radius, better, digits)
            if v.status == kernel.VERIFIED:
                m.route, m.verdict, m.spurious, m.reason = "slice", v.status, v.status, v.reason
                m.loss_enclosure = _evidence(v.evidence, "loss_enclosure_on_box") or ""
                continue
        v = kernel.guarded(gauge.minimum_near_modulo_rescaling, loss, centre, radius, digits)
        m.route = "slice"
        if v.status != kernel.VERIFIED:
            v = kernel.guarded(newton.local_minimum_near, loss, centre, radius, digits)
            m.route = "intervals"
        m.verdict, m.reason = v.status, exact_reason + v.reason
        if v.status == kernel.VERIFIED:
            m.loss_enclosure = _evidence(v.evidence, "loss_enclosure_on_box") or ""
    if progress and minima:
        progress(len(minima), len(minima), "certify")


def _evidence(evidence, key):
    """The first value under ``key`` anywhere in a verdict's (nested) evidence.

    >>> _evidence({"a": {"evidence": {"k": "[1 +/- 0.1]"}}}, "k")
    '[1 +/- 0.1]'
    """
    if isinstance(evidence, dict):
        if key in evidence:
            return evidence[key]
        for v in evidence.values():
            found = _evidence(v, key)
            if found is not None:
                return found
    return None


# -- output ------------------------------------------------------------------

def table(result: SearchResult) -> str:
    """The minima found, one line each with the kernel's reason under it (exact
    fractions longer than 20 digits shown as decimals); the end points of runs
    that did not converge listed apart."""
    lines = [f"{result.runs} runs ({result.method}): " + ", ".join(f"{k} {v}" for k, v in result.statuses.items())
             + f"; {len(result.minima)} distinct end points; {result.seconds:.1f} s"]
    head = (f"{'#':>3} {'loss':>14} {'basin':>6} {'|grad|':>9}  {'local minimum':<13} {'route':<9} "
            f"{'spurious':<12} claim file")
    for converged in (True, False):
        rows = [(i, m) for i, m in enumerate(result.minima, 1) if m.converged == converged]
        if not rows:
            continue
        lines.append(head if converged else "not converged (stopped at max_iter; not minima candidates):")
        for i, m in rows:
            lines.append(f"{i:>3} {m.loss:>14.8g} {m.basin:>6} {m.gradient_norm:>9.1e}  {m.verdict:<13} "
                         f"{m.route or '-':<9} {m.spurious:<12} {m.claim_file or '-'}")
            if m.reason:
                lines.append(f"      {decimals(m.reason)}")
    return "\n".join(lines)


def decimals(text: str, digits: int = 20) -> str:
    """``text`` with each exact fraction or integer of more than ``digits`` digits written as a decimal.

    >>> decimals("L(better) = 1/3 < L(point) = 12345678901234567890123/100000000000000000000000")
    'L(better) = 1/3 < L(point) = ~0.123456789'
    """
    import re
    from fractions import Fraction

    def short(m):
        if len(m.group(0)) <= digits:
            return m.group(0)
        x = float(Fraction(int(m.group(1)), int(m.group(2) or 1)))
        return f"~{x:.10g}"
    return re.sub(r"(?<![\w.])(-?\d+)(?:/(\d+))?(?![\w.])", short, text)


def write_claim_files(loss: Loss, result: SearchResult, directory, stem: str = "minimum") -> list[str]:
    """One claim file per certified minimum, holding the claims the kernel
    verified: ``local_minimum`` (exact route) or
    ``local_minimum_near_modulo_rescaling`` (gauge slice), and the spurious
    claim against the best point found when that was verified too."""
    from .writer import claim_file_text
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    best = min(result.minima, key=lambda m: m.loss, default=None)
    written = []
    for i, m in enumerate(result.minima, 1):
        if m.verdict != kernel.VERIFIED or m.exact_point is None:
            continue
        better = None
        if m.spurious == kernel.VERIFIED:
            better = {p: _text(x) for p, x in zip(loss.params, descent.rationalise(best.point, 10 ** 12))}
        if m.route == "exact":
            claims = [{"kind": "local_minimum", "expect": "verified"}]
            if better:
                claims.append({"kind": "spurious_local_minimum", "better": better, "expect": "verified"})
        elif m.route == "slice":
            near = {"radius": RADIUS, "digits": m.digits, "expect": "verified"}
            claims = [{"kind": "local_minimum_near_modulo_rescaling", **near}]
            if better:
                claims.append({"kind": "spurious_local_minimum_near_modulo_rescaling", "better": better, **near})
        else:
            near = {"radius": RADIUS, "digits": m.digits, "expect": "verified"}
            claims = [{"kind": "local_minimum_near", **near}]
        path = directory / f"{stem}-{i}.toml"
        text = claim_file_text(loss.network, loss.X_sym, loss.Y_sym, m.exact_point, claims,
                               f"losscert search: minimum {i} (loss ~ {m.loss:.6g}, basin {m.basin}/{result.runs})",
                               scale=loss.scale_sym)
        tmp = path.with_suffix(".toml.part")
        tmp.write_text(text)
        tmp.replace(path)                # nothing half-written
        m.claim_file = str(path)
        written.append(str(path))
    return written


def progress_bar(stream=None, force: bool = False):
    """A one-line progress bar ``show(done, total, stage)`` for long runs, on
    a terminal only (None otherwise, unless ``force``).

    >>> import io
    >>> out = io.StringIO()
    >>> show = progress_bar(out, force=True)
    >>> show(1, 2, "certify"); show(2, 2, "certify")
    >>> out.getvalue().split("\\r")[-1]
    'certify  [##############################] 2/2\\n'
    """
    stream = stream or sys.stderr
    if not force and not stream.isatty():
        return None

    def show(done, total, stage=""):
        n = int(30 * done / total) if total else 30
        stream.write(f"\r{stage:<8} [{'#' * n}{' ' * (30 - n)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def load_problem(path) -> Loss:
    """Network, data and scale of a claim file (its point and claims are not needed)."""
    import tomllib
    from decimal import Decimal

    from .claims import ClaimFileError
    from .compiler import CompileError, compile_loss
    from .network import Network, NetworkError
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh, parse_float=Decimal)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ClaimFileError(f"{path}: cannot read: {exc}") from None
    try:
        net = Network.from_table(doc.get("network"))
        data = doc.get("data")
        if not isinstance(data, dict) or "X" not in data or "Y" not in data:
            raise ClaimFileError(f"{path}: data: a table with X and Y is needed")
        return compile_loss(net, data["X"], data["Y"], scale=doc.get("scale", "1/2"))
    except (NetworkError, CompileError, ValueError) as exc:
        if isinstance(exc, ClaimFileError):
            raise
        raise ClaimFileError(f"{path}: {exc}") from None


def run_cli(args) -> int:
    """``losscert search FILE``: exit 0 when the search ran (whatever it found), 2 on bad input."""
    import json

    from .claims import ClaimFileError
    try:
        loss = load_problem(args.file)
    except ClaimFileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        res = search(loss, runs=args.runs, seed=args.seed, lr=args.lr, max_iter=args.max_iter, method=args.method,
                     workers=args.workers, certify=not args.no_certify, digits=args.digits,
                     scheduler=args.scheduler, progress=None if args.json else progress_bar())
    except (RuntimeError, OSError) as exc:       # no 'distributed' extra, or no scheduler at that address
        print(f"{args.file}: search: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    if args.out:
        write_claim_files(loss, res, args.out, Path(args.file).stem)
    if args.json:
        print(json.dumps(res.as_dict(), indent=2, default=str))
    else:
        print(table(res))
    return 0
