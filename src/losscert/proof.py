"""Scripted proofs: a script proposes, the kernel decides.

A proof script in ``proofs/`` builds a :class:`Proof` (module-level name
``PROOF``, or a list ``PROOFS``, which then holds all of them): a named
sequence of statements. Each method of :class:`Proof` only writes a
*statement record* (data: the network, data and point as claim-file tables,
matrices and expressions as exact text, see :mod:`losscert.statements`);
nothing in this API accepts a verdict or hands the kernel a live object.
``losscert prove`` checks the records in a fresh process (:mod:`losscert.checker`),
so nothing a script does in its own process can change a verdict.

>>> from losscert import dense, compile_loss
>>> loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
>>> proof = Proof("a saddle", source="example")
>>> proof.saddle(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0})
>>> proof.statements[0].record["point"]
{'x1 -> h1_1': '0', 'h1_1 -> y1': '0'}
>>> [r["verdict"] for r in run(proof)["statements"]]
['verified']
"""
from __future__ import annotations

import importlib.util
import json
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sympy

from . import expressions as ex
from .compiler import PointError
from .numbers import NumberError, parse_number
from .prove import discover  # noqa: F401 - part of this module's API (scripts of paths)
from .statements import EXPECTS


@dataclass
class Statement:
    text: str           # the script's words (the caption)
    rule: str           # the statement kind
    record: dict        # what the kernel checks
    expect: str
    note: str = ""


@dataclass
class Proof:
    name: str
    source: str
    statements: list = field(default_factory=list)
    covers: list = field(default_factory=list)

    def _add(self, kind, record, expect, text, note):
        if expect not in EXPECTS:
            raise ValueError(f"expect must be one of {EXPECTS}")
        text = text or kind.replace("_", " ")
        full = {"kind": kind, **record, "expect": expect, "caption": text}
        if note:
            full["note"] = note
        self.statements.append(Statement(text, kind, full, expect, note))

    # -- statements about a point of a loss -------------------------------------
    def _at(self, kind, loss, point, expect, text, note, **extra):
        self._add(kind, {**loss_tables(loss), "point": point_table(loss, point), **extra}, expect, text, note)

    def critical_point(self, loss, point, expect="verified", text=None, note=""):
        self._at("critical_point", loss, point, expect, text, note)

    def hessian_psd(self, loss, point, expect="verified", text=None, note=""):
        self._at("hessian_psd", loss, point, expect, text, note)

    def local_minimum(self, loss, point, expect="verified", text=None, note=""):
        self._at("local_minimum", loss, point, expect, text, note)

    def strict_local_minimum(self, loss, point, expect="verified", text=None, note=""):
        self._at("strict_local_minimum", loss, point, expect, text, note)

    def saddle(self, loss, point, expect="verified", text=None, note=""):
        self._at("saddle", loss, point, expect, text, note)

    def not_global(self, loss, point, better, expect="verified", text=None, note=""):
        self._at("not_global", loss, point, expect, text, note, better=point_table(loss, better))

    def spurious_local_minimum(self, loss, point, better, expect="verified", text=None, note=""):
        self._at("spurious_local_minimum", loss, point, expect, text, note, better=point_table(loss, better))

    def loss_value(self, loss, point, value, expect="verified", text=None, note=""):
        self._at("loss_value", loss, point, expect, text, note, value=_value_text(loss, value, "value"))

    def local_minimum_near(self, loss, point, radius, digits=30, expect="verified", text=None, note=""):
        """A strict local minimum within ``radius`` (sup norm), proven with Arb intervals at ``digits``."""
        self._at("local_minimum_near", loss, point, expect, text, note, radius=number_text(radius), digits=digits)

    def local_minimum_near_modulo_rescaling(self, loss, point, radius, digits=30, expect="verified", text=None,
                                            note=""):
        """A local minimum (strict on a gauge-fixed slice) within ``radius``, Arb intervals at ``digits``."""
        self._at("local_minimum_near_modulo_rescaling", loss, point, expect, text, note,
                 radius=number_text(radius), digits=digits)

    def spurious_local_minimum_near_modulo_rescaling(self, loss, point, radius, better, digits=30,
                                                     expect="verified", text=None, note=""):
        """As above, and L(better) is below L on the whole ball."""
        self._at("spurious_local_minimum_near_modulo_rescaling", loss, point, expect, text, note,
                 radius=number_text(radius), better=point_table(loss, better), digits=digits)

    def non_increasing(self, loss, path, a=0, b=1, expect="verified", text=None, note=""):
        """L is non-increasing along theta(t) = sum t^k path[k] for t in [a, b]."""
        self._add("non_increasing", {**loss_tables(loss), "path": [point_table(loss, c) for c in path],
                                     "a": number_text(a), "b": number_text(b)}, expect, text, note)

    def paths_to_global_minimum(self, network, X, Y, symbols, start, segments, generic=(), orthogonal=(),
                                scale="1/2", expect="verified", text=None, note=""):
        """From every start(s), s in the region (``symbols`` conditions, every ``generic``
        polynomial non-zero), the segments (maps parameter -> expression in the symbols and
        ``t``) form a non-increasing path to a global minimum (outputs orthogonal to each
        matrix of ``orthogonal``; L* the least-squares value, 0 with none). kernel/landscape.py."""
        record = {"network": network.to_table(), "data": {"X": _exact_rows(X), "Y": _exact_rows(Y)},
                  "scale": number_text(scale), "symbols": dict(symbols),
                  "generic": [_exact_text(g) for g in generic],
                  "start": {k: _exact_text(v) for k, v in start.items()},
                  "segments": [{k: _exact_text(v) for k, v in seg.items()} for seg in segments],
                  "orthogonal": [_exact_rows(A) for A in orthogonal]}
        self._add("paths_to_global_minimum", record, expect, text, note)

    def spurious_valley(self, loss, point, better, expect="verified", text=None, note=""):
        """A spurious valley: ``point`` a strict local minimum and L(better) < L(point)."""
        self._at("spurious_valley", loss, point, expect, text, note, better=point_table(loss, better))

    # -- structural and algebraic statements -----------------------------------
    def effective(self, network, expect="verified", text=None, note=""):
        self._add("effective", {"network": network.to_table()}, expect, text, note)

    def rank(self, matrix, claimed, expect="verified", text=None, note=""):
        self._add("rank", _terms(matrix=matrix, claimed=claimed), expect, text, note)

    def identity(self, lhs, rhs, expect="verified", text=None, note=""):
        self._add("identity", _terms(lhs=lhs, rhs=rhs), expect, text, note)

    def determinant(self, matrix, claimed, expect="verified", text=None, note=""):
        """det(matrix) == claimed identically (the kernel computes the determinant)."""
        self._add("determinant", _terms(matrix=matrix, claimed=claimed), expect, text, note)

    def inequality(self, lhs, rhs, certificate=(), counterexample=None, strict=False, expect="verified", text=None,
                   note=""):
        """lhs >= rhs (> if strict), from a sum-of-squares certificate [(c, s), ...], by exact sign for
        numbers, or refuted by a counterexample."""
        certificate = [list(pair) for pair in certificate]
        record = _terms(lhs=lhs, rhs=rhs, certificate=certificate,
                        counterexample=dict(counterexample) if counterexample else None)
        record["strict"] = bool(strict)
        self._add("inequality", record, expect, text, note)

    def arithmetic_derivatives(self, act, n, max_order=24, expect="verified", text=None, note=""):
        """Assumption 2: n non-vanishing derivative orders at 0 in arithmetic progression."""
        self._add("arithmetic_derivatives", {"activation": _spec(act), "n": n, "max_order": max_order},
                  expect, text, note)

    def narrow_basin_conditions(self, act, x, ws, w0, digits=30, expect="verified", text=None, note=""):
        """li-ding-sun Proposition 4 (1)-(3) for hidden weights ws and the extra weight w0."""
        self._add("narrow_basin_conditions", {"activation": _spec(act), "x": _list(x), "ws": _list(ws),
                                              "w0": number_text(w0), "digits": digits}, expect, text, note)

    def narrow_basin_target(self, act, x, w, M, printed, places, expect="verified", text=None, note=""):
        """The printed output data of Proposition 4's construction, to ``places`` decimals."""
        self._add("narrow_basin_target", {"activation": _spec(act), "x": _list(x), "w": number_text(w),
                                          "M": number_text(M), "printed": [str(p) for p in printed],
                                          "places": places}, expect, text, note)

    def lsz_assumption1(self, network, X, expect="verified", text=None, note=""):
        """lin-sun-zhang Assumption 1 (distinct non-zero features per input; no empty neuron)."""
        self._add("lsz_assumption1", {"network": network.to_table(), "X": _rows(X)}, expect, text, note)

    def lds_assumption1(self, network, X, expect="verified", text=None, note=""):
        """li-ding-sun Assumption 1 (distinct non-zero samples; last hidden width >= N)."""
        self._add("lds_assumption1", {"network": network.to_table(), "X": _rows(X)}, expect, text, note)


    # -- library steps (Vandermonde certificates, rank sigma(W X)) -----------------
    def vandermonde_full_rank(self, act, samples, start, step, expect="verified", text=None, note=""):
        """A = [z_i^l_k sigma^(l_k)(0)], l_k = start + k step, is non-singular (decided factor by factor)."""
        self._add("vandermonde_full_rank", {"activation": _spec(act), "samples": _list(samples), "start": start,
                                            "step": step}, expect, text, note)

    def activation_rank(self, act, W, X, claimed, digits=30, expect="verified", text=None, note=""):
        """rank sigma(W X) == claimed for exact W, X (exact, or Arb minors and formal zeros)."""
        self._add("activation_rank", {"activation": _spec(act), "W": _rows(W), "X": _rows(X), "claimed": claimed,
                                      "digits": digits}, expect, text, note)


# -- writing script values as statement text -------------------------------------------

def number_text(value, exponentials: bool = False) -> str:
    """Exact text for a number a script gives (int, text, Decimal, float by its
    shortest decimal text, SymPy number), as claim files read numbers
    (``exponentials``: exp(r) allowed, as in points)."""
    if isinstance(value, str):
        parse_number(value, exponentials)
        return value.strip()
    if isinstance(value, bool):
        raise NumberError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return str(parse_number(value)) if isinstance(value, float) else str(value)
    if isinstance(value, sympy.Basic):
        number = parse_number(value)
        text = str(number)
        back = parse_number(text, exponentials)
        if back != number and not (number.has(sympy.exp) and sympy.cancel(back - number) == 0):
            raise NumberError(f"{text} does not read back as the same number")
        return text
    raise NumberError(f"expected a number, got {type(value).__name__}")


def loss_tables(loss) -> dict:
    """The claim-file tables of a compiled loss: network, data and scale (and its
    declared symbols, when the data or points may use them)."""
    text = number_text if loss.parameters is None else str
    tables = {"network": loss.network.to_table(),
              "data": {k: [[text(x) for x in row] for row in rows] for k, rows in (("X", loss.X_sym),
                                                                                  ("Y", loss.Y_sym))},
              "scale": number_text(loss.scale_sym)}
    if loss.parameters is not None:
        tables["symbols"] = dict(loss.parameters.conditions)
    return tables


def _value_text(loss, value, where: str) -> str:
    """A number of a statement about ``loss`` as text (a rational function of its symbols, if any)."""
    if loss.parameters is None:
        return number_text(value)
    if not isinstance(value, (str, int, float, Decimal, sympy.Basic)):
        value = loss.field.to_sympy(value)
    try:
        return str(loss.parameters.number(value, where))
    except ValueError as exc:
        raise PointError(str(exc)) from None


def point_table(loss, values) -> dict:
    """A point as a claim-file table {parameter: number text} (mapping, or a
    sequence in parameter order)."""
    params = list(loss.network.parameters)
    if isinstance(values, dict):
        unknown = sorted(set(values) - set(params))
        if unknown:
            raise PointError(f"point: {unknown[0]!r} is not a parameter (parameters: {', '.join(params)})")
        missing = [p for p in params if p not in values]
        if missing:
            raise PointError(f"point: no value for parameter {missing[0]!r}")
        values = [values[p] for p in params]
    values = list(values)
    if len(values) != len(params):
        raise PointError(f"point: {len(values)} values for {len(params)} parameters")
    out = {}
    for name, v in zip(params, values):
        if loss.parameters is not None:
            out[name] = _value_text(loss, v, f"point.{name}")
            continue
        if not isinstance(v, (str, int, float, Decimal, sympy.Basic)):
            v = loss.field.to_sympy(v)              # a field element of the loss
        try:
            out[name] = number_text(v, exponentials=True)
        except NumberError as exc:
            raise PointError(f"point.{name}: {exc}") from None
    return out


def _list(values) -> list:
    return [number_text(v) for v in values]


def _rows(X) -> list:
    if isinstance(X, sympy.MatrixBase):
        X = X.tolist()
    return [[number_text(v) for v in row] for row in X]


def _spec(act) -> str:
    return act if isinstance(act, str) else act.spec


def _terms(**terms) -> dict:
    """Expression fields of a record (and the symbol names they use); a value
    outside the statement language makes the record ``unwritable`` (checked as
    inconclusive, with the reason)."""
    try:
        values = {k: v for k, v in terms.items() if v is not None}
        flat = []
        for k, v in values.items():
            if k == "certificate":
                flat += [x for pair in v for x in ex.term_sympy(list(pair))]
            elif k == "counterexample":
                flat += [sympy.Symbol(str(s)) if not isinstance(s, sympy.Symbol) else s for s in v]
            elif not _integer(k, v):
                flat += ex.term_sympy(v)
        names = ex.aliases(flat)
        back = {name: ident for ident, name in names.items()}
        out = {}
        for k, v in values.items():
            if k == "certificate":
                out[k] = [[ex.expression_text(c, names), ex.expression_text(s, names)] for c, s in v]
            elif k == "counterexample":
                out[k] = {back.get(str(s), str(s)): number_text(x) for s, x in v.items()}
            elif _integer(k, v):
                out[k] = int(v)
            else:
                out[k] = ex.term_text(v, names)
        if names:
            out["symbols"] = names
        return out
    except (ex.ExpressionError, NumberError, TypeError, ValueError) as exc:
        return {k: _fallback(v) for k, v in terms.items() if v is not None} | {"unwritable": str(exc)}


def _integer(key, value) -> bool:
    """A claimed rank or determinant that is an integer is written as one."""
    return key == "claimed" and isinstance(value, (int, sympy.Integer)) and not isinstance(value, bool)


def _fallback(value):
    """A readable, never-checked rendering of a value outside the language."""
    return str(value.tolist() if isinstance(value, sympy.MatrixBase) else value)[:2000]


# -- running ------------------------------------------------------------------------------

def records(proof: Proof) -> list[dict]:
    """The statement records of a proof (plain data)."""
    return [st.record for st in proof.statements]


def results_of(proof: Proof, verdicts: list[dict]) -> dict:
    """A proof's JSON-ready result from the checked verdicts of its records."""
    out = []
    for st, v in zip(proof.statements, verdicts):
        out.append({"statement": st.text, "rule": st.rule, "verdict": v["verdict"], "expect": st.expect,
                    "reason": v["reason"], "evidence": v["evidence"], "note": st.note, "record": st.record})
    return {"name": proof.name, "source": proof.source, "statements": out}


def run(proof: Proof) -> dict:
    """Decide every statement of ``proof`` in this process, from its records
    (``losscert prove`` uses a fresh process instead, see :mod:`losscert.checker`)."""
    from .checker import check_batch
    return results_of(proof, check_batch(records(proof)))


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


def collect(paths) -> tuple[list[tuple[Path, list[Proof], float]], list[str]]:
    """Run the scripts: (script, its proofs, seconds) for each, and one-line load errors."""
    loaded, errors = [], []
    for path in discover(paths):
        t0 = time.perf_counter()
        try:
            loaded.append((path, load_proofs(path), time.perf_counter() - t0))
        except Exception as exc:   # noqa: BLE001 - a broken script: one line, then go on
            errors.append(f"{path}: cannot load: {type(exc).__name__}: {exc}".splitlines()[0])
    return loaded, errors


def _collect_main(argv) -> int:
    """``python -m losscert.proof --collect [--emit DIR] PATH...``: run the scripts one at a
    time and write one JSON line per script as soon as it has run (``{"script": {path, seconds,
    proofs}}`` or ``{"error": line}``), then ``{"done": true}``; with --emit also claim files.
    The lines go to the original stdout; whatever the scripts print goes to stderr."""
    import os
    from dataclasses import asdict
    from losscert.proof import collect as collect_here, emit as emit_here   # the module scripts import
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)                          # a script's output, even at the file-descriptor level, is not the channel
    sys.stdout = sys.stderr
    rest, directory = argv[1:], None
    if rest[:1] == ["--emit"]:
        directory, rest = rest[1], rest[2:]
    for path in discover(rest):
        loaded, errors = collect_here([path])
        if directory:
            emit_here(directory, loaded)
        lines = [{"error": e} for e in errors] + [{"script": {
            "path": str(p), "seconds": seconds,
            "proofs": [{"name": pr.name, "source": pr.source, "covers": pr.covers,
                        "statements": [asdict(st) for st in pr.statements]} for pr in proofs]}}
            for p, proofs, seconds in loaded]
        for line in lines:
            channel.write(json.dumps(line, default=str) + "\n")
        channel.flush()
    channel.write('{"done": true}\n')
    channel.flush()
    return 0


def emit(directory, loaded) -> list[Path]:
    """Write each proof's statements as a claim file in ``directory``."""
    from .claims import claim_file, dumps
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for path, proofs, _ in loaded:
        for k, proof in enumerate(proofs, 1):
            name = f"{path.stem}.toml" if len(proofs) == 1 else f"{path.stem}-{k}.toml"
            target = directory / name
            target.write_text(dumps(claim_file(proof.name, records(proof), proof.source)))
            written.append(target)
    return written


if __name__ == "__main__":
    if sys.argv[1:2] == ["--collect"]:
        sys.exit(_collect_main(sys.argv[1:]))
    print("usage: python -m losscert.proof --collect [--emit DIR] PATH...", file=sys.stderr)
    sys.exit(2)


def _exact_text(value) -> str:
    """An exact expression (number, text, SymPy expression) as statement text; floats are refused."""
    if isinstance(value, float):
        raise NumberError(f"{value!r}: a float is not an exact expression (write a fraction as text)")
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise NumberError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    return sympy.sstr(sympy.sympify(value))


def _exact_rows(rows) -> list:
    if hasattr(rows, "tolist"):
        rows = rows.tolist()
    return [[_exact_text(x) for x in row] for row in rows]
