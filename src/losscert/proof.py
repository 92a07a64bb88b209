"""Scripted proofs: a script proposes, the kernel decides.

A proof script in ``proofs/`` builds a :class:`Proof` (module-level name
``PROOF``, or a list ``PROOFS``, which then holds all of them): a named sequence of statements, each a
kernel rule applied to what the script computed (a point, a witness, a
matrix). Nothing in this API accepts a verdict: :func:`run` calls the kernel
for every statement.

>>> from losscert import dense, compile_loss
>>> loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
>>> proof = Proof("a saddle", source="example")
>>> proof.saddle(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0})
>>> [r["verdict"] for r in run(proof)["statements"]]
['verified']
"""
from __future__ import annotations

import importlib.util
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import kernel
from .numbers import parse_number
from .kernel import algebra, assumptions, paths
from .proposers import newton


@dataclass
class Statement:
    text: str
    rule: str
    args: tuple
    expect: str
    note: str = ""


RULES = {
    "critical_point": kernel.critical_point, "hessian_psd": kernel.hessian_psd,
    "local_minimum": kernel.local_minimum,
    "strict_local_minimum": kernel.strict_local_minimum, "saddle": kernel.saddle,
    "not_global": kernel.not_global, "spurious_local_minimum": kernel.spurious_local_minimum,
    "loss_value": kernel.loss_value, "effective": kernel.effective,
    "rank": algebra.rank_is, "identity": algebra.identity, "determinant": algebra.determinant_is, "inequality": algebra.inequality,
    "non_increasing": paths.non_increasing, "arithmetic_derivatives": assumptions.arithmetic_derivatives,
    "local_minimum_near": newton.local_minimum_near,
    "narrow_basin_conditions": assumptions.narrow_basin_conditions,
    "narrow_basin_target": assumptions.narrow_basin_target,
    "lsz_assumption1": assumptions.lsz_assumption1, "lds_assumption1": assumptions.lds_assumption1,
}


@dataclass
class Proof:
    name: str
    source: str
    statements: list = field(default_factory=list)
    covers: list = field(default_factory=list)

    def _add(self, rule, args, expect, text, note):
        if expect not in kernel.STATUSES:
            raise ValueError(f"expect must be one of {kernel.STATUSES}")
        self.statements.append(Statement(text or rule.replace("_", " "), rule, args, expect, note))

    # -- statements about a point of a loss -------------------------------------
    def _at(self, rule, loss, points, expect, text, note, extra=(), options=()):
        loss = loss.holding(*points, list(extra))
        self._add(rule, (loss, *(loss.point(p) for p in points), *(loss.field(x) for x in extra), *options),
                  expect, text, note)

    def critical_point(self, loss, point, expect="verified", text=None, note=""):
        self._at("critical_point", loss, [point], expect, text, note)

    def hessian_psd(self, loss, point, expect="verified", text=None, note=""):
        self._at("hessian_psd", loss, [point], expect, text, note)

    def local_minimum(self, loss, point, expect="verified", text=None, note=""):
        self._at("local_minimum", loss, [point], expect, text, note)

    def strict_local_minimum(self, loss, point, expect="verified", text=None, note=""):
        self._at("strict_local_minimum", loss, [point], expect, text, note)

    def saddle(self, loss, point, expect="verified", text=None, note=""):
        self._at("saddle", loss, [point], expect, text, note)

    def not_global(self, loss, point, better, expect="verified", text=None, note=""):
        self._at("not_global", loss, [point, better], expect, text, note)

    def spurious_local_minimum(self, loss, point, better, expect="verified", text=None, note=""):
        self._at("spurious_local_minimum", loss, [point, better], expect, text, note)

    def loss_value(self, loss, point, value, expect="verified", text=None, note=""):
        self._at("loss_value", loss, [point], expect, text, note, extra=[parse_number(value)])

    def local_minimum_near(self, loss, point, radius, digits=30, expect="verified", text=None, note=""):
        """A strict local minimum within ``radius`` (sup norm), proven with Arb intervals at ``digits``."""
        self._at("local_minimum_near", loss, [point], expect, text, note, extra=[parse_number(radius)],
                 options=(digits,))

    # -- structural and algebraic statements -----------------------------------
    def effective(self, network, expect="verified", text=None, note=""):
        self._add("effective", (network,), expect, text, note)

    def rank(self, matrix, claimed, expect="verified", text=None, note=""):
        self._add("rank", (matrix, claimed), expect, text, note)

    def identity(self, lhs, rhs, expect="verified", text=None, note=""):
        self._add("identity", (lhs, rhs), expect, text, note)

    def determinant(self, matrix, claimed, expect="verified", text=None, note=""):
        """det(matrix) == claimed identically (the kernel computes the determinant)."""
        self._add("determinant", (matrix, claimed), expect, text, note)

    def inequality(self, lhs, rhs, certificate=(), counterexample=None, strict=False, expect="verified", text=None,
                   note=""):
        """lhs >= rhs (> if strict), from a sum-of-squares certificate [(c, s), ...], by exact sign for
        numbers, or refuted by a counterexample."""
        self._add("inequality", (lhs, rhs, tuple(certificate), counterexample, strict), expect, text, note)

    def arithmetic_derivatives(self, act, n, max_order=24, expect="verified", text=None, note=""):
        """Assumption 2: n non-vanishing derivative orders at 0 in arithmetic progression."""
        self._add("arithmetic_derivatives", (act, n, max_order), expect, text, note)

    def narrow_basin_conditions(self, act, x, ws, w0, digits=30, expect="verified", text=None, note=""):
        """li-ding-sun Proposition 4 (1)-(3) for hidden weights ws and the extra weight w0."""
        self._add("narrow_basin_conditions", (act, x, ws, w0, digits), expect, text, note)

    def narrow_basin_target(self, act, x, w, M, printed, places, expect="verified", text=None, note=""):
        """The printed output data of Proposition 4's construction, to ``places`` decimals."""
        self._add("narrow_basin_target", (act, x, w, M, printed, places), expect, text, note)

    def lsz_assumption1(self, network, X, expect="verified", text=None, note=""):
        """lin-sun-zhang Assumption 1 (distinct non-zero features per input; no empty neuron)."""
        self._add("lsz_assumption1", (network, X), expect, text, note)

    def lds_assumption1(self, network, X, expect="verified", text=None, note=""):
        """li-ding-sun Assumption 1 (distinct non-zero samples; last hidden width >= N)."""
        self._add("lds_assumption1", (network, X), expect, text, note)

    def non_increasing(self, loss, path, a=0, b=1, expect="verified", text=None, note=""):
        """L is non-increasing along theta(t) = sum t^k path[k] for t in [a, b]."""
        loss = loss.holding(*path)
        self._add("non_increasing", (loss, [loss.point(c) for c in path], a, b), expect, text, note)


def run(proof: Proof) -> dict:
    """Decide every statement with the kernel."""
    out = []
    for st in proof.statements:
        v = kernel.guarded(RULES[st.rule], *st.args)
        out.append({"statement": st.text, "rule": st.rule, "verdict": v.status, "expect": st.expect,
                    "reason": v.reason, "evidence": v.evidence, "note": st.note})
    return {"name": proof.name, "source": proof.source, "statements": out}


def load_proofs(path: Path) -> list[Proof]:
    """Import one proof script and return its proofs."""
    name = f"losscert_proof_{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    proofs = list(module.PROOFS) if hasattr(module, "PROOFS") else [module.PROOF] if hasattr(module, "PROOF") else []
    if not proofs or not all(isinstance(p, Proof) for p in proofs):
        raise ValueError(f"{path}: defines no PROOF (a losscert.proof.Proof)")
    return proofs


def discover(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        out += sorted(x for x in p.glob("*.py") if not x.name.startswith("_")) if p.is_dir() else [p]
    return out


def run_cli(args) -> int:
    results, failed = [], False
    for path in discover(args.paths):
        t0 = time.time()
        try:
            proofs = load_proofs(path)
        except Exception as exc:   # a broken script: one line, then go on
            print(f"{path}: cannot load: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed = True
            continue
        for proof in proofs:
            res = run(proof)
            res["seconds"] = round(time.time() - t0, 2)
            results.append(res)
            failed |= any(s["verdict"] != s["expect"] for s in res["statements"])
    if args.errata:
        print("| source | statement | the paper | checked verdict | reason |\n|---|---|---|---|---|")
        for r in results:
            for s in r["statements"]:
                if s["note"].startswith("paper:"):
                    said = s["note"][len("paper:"):].strip()
                    print(f"| {r['source']} | {s['statement']} | {said} | {s['verdict']} | {s['reason']} |")
        return 1 if failed else 0
    if args.json:
        print(json.dumps({"proofs": [{k: r[k] for k in ("name", "source", "statements")} for r in results]},
                         indent=2))
    else:
        for r in results:
            print(f"{r['name']}  [{r['source']}]")
            for s in r["statements"]:
                mark = "ok " if s["verdict"] == s["expect"] else "BAD"
                print(f"  {mark} {s['statement']}: {s['verdict']} (expect {s['expect']})")
        n = sum(len(r["statements"]) for r in results)
        bad = sum(s["verdict"] != s["expect"] for r in results for s in r["statements"])
        print(f"{len(results)} proofs, {n} statements, {n - bad} as expected, {bad} not")
    if args.report:
        from .report import write_report
        write_report(results, args.report)
    return 1 if failed else 0


# -- library steps of the papers (H5, issue #13): Vandermonde certificates and rank sigma(W X) ----------
from .kernel import vandermonde  # noqa: E402


def _vandermonde_full_rank(self, act, samples, start, step, expect="verified", text=None, note=""):
    """A = [z_i^l_k sigma^(l_k)(0)], l_k = start + k step, is non-singular (decided factor by factor)."""
    self._add("vandermonde_full_rank", (act, list(samples), start, step), expect, text, note)


def _activation_rank(self, act, W, X, claimed, digits=30, expect="verified", text=None, note=""):
    """rank sigma(W X) == claimed for exact W, X (exact, or Arb minors and formal zeros)."""
    W, X = (M.tolist() if hasattr(M, "tolist") else [list(r) for r in M] for M in (W, X))
    self._add("activation_rank", (act, W, X, claimed, digits), expect, text, note)


Proof.vandermonde_full_rank = _vandermonde_full_rank
Proof.activation_rank = _activation_rank
RULES.update({"vandermonde_full_rank": vandermonde.vandermonde_full_rank,
              "activation_rank": vandermonde.activation_rank})
