"""``losscert prove``: run proof scripts in their own process, check their statements in another.

The scripts run in ``python -m losscert.proof --collect`` and hand back only
their statement records (data); the records are checked by the checking
process (:mod:`losscert.checker`). This process runs no script code and
imports no SymPy unless a report is asked for.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .workers import SCHEMA, environment, shared, summary


def discover(paths) -> list[Path]:
    """The proof scripts named, and the *.py files (not starting with _) of directories named."""
    out = []
    for p in map(Path, paths):
        out += sorted(x for x in p.glob("*.py") if not x.name.startswith("_")) if p.is_dir() else [p]
    return out


def collect_isolated(paths, emit=None) -> tuple[list[dict], list[str]]:
    """Run the scripts in a separate process: (scripts, one-line load errors), each
    script {"path", "seconds", "proofs": [{"name", "source", "covers", "statements"}]}."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "records.json"
        command = [sys.executable, "-m", "losscert.proof", "--collect", str(out)]
        command += ["--emit", str(emit)] if emit else []
        done = subprocess.run(command + [str(p) for p in paths], capture_output=True, text=True, env=environment(),
                              cwd=os.getcwd())
        for stream in (done.stdout, done.stderr):
            if stream.strip():
                print(stream.rstrip("\n"), file=sys.stderr)
        if not out.exists():
            return [], [f"the proof scripts could not be run (exit code {done.returncode})"]
        doc = json.loads(out.read_text())
    return doc["scripts"], doc["errors"]


def result(proof: dict, verdicts: list[dict]) -> dict:
    """A proof's JSON-ready result from its statements and their verdicts."""
    out = []
    for st, v in zip(proof["statements"], verdicts):
        out.append({"statement": st["text"], "rule": st["rule"], "verdict": v["verdict"], "expect": st["expect"],
                    "reason": v["reason"], "evidence": v["evidence"], "note": st["note"], "record": st["record"]})
    return {"name": proof["name"], "source": proof["source"], "statements": out}


def run_cli(args) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"{missing[0]}: no such file or directory", file=sys.stderr)
        return 2
    if getattr(args, "coverage", None):     # read from the scripts' COVERS literals: nothing is run
        from .coverage import main as coverage
        return coverage([str(args.paths[0]), "--out", args.coverage])
    if not discover(args.paths):
        print(f"no proof scripts (*.py) found in {', '.join(args.paths)}", file=sys.stderr)
        return 2
    worker = shared()
    worker.warm()                       # it imports the kernel while the scripts run
    scripts, errors = collect_isolated(discover(args.paths), args.emit)
    for line in errors:
        print(line, file=sys.stderr)
    results = []
    quiet = args.json or args.errata
    for script in scripts:
        for proof in script["proofs"]:
            t0 = time.perf_counter()
            res = result(proof, worker.check([st["record"] for st in proof["statements"]], args.timeout))
            res["file"], res["seconds"] = script["path"], round(time.perf_counter() - t0, 2)
            res["script_seconds"] = round(script["seconds"], 2)
            results.append(res)
            if not quiet:
                _print_proof(res, getattr(args, "verbose", False), getattr(args, "quiet", False))
    failed = bool(errors) or any(s["verdict"] != s["expect"] for r in results for s in r["statements"])
    if args.errata:
        from .coverage import errata_markdown
        print(errata_markdown(results))
    elif args.json:
        statements = [s for r in results for s in r["statements"]]
        print(json.dumps({"schema": SCHEMA, "proofs": results,
                          "summary": {"proofs": len(results), "scripts_not_loaded": len(errors),
                                      **summary(statements)}}, indent=2))
    else:
        n = sum(len(r["statements"]) for r in results)
        bad = sum(s["verdict"] != s["expect"] for r in results for s in r["statements"])
        print(f"{len(results)} proofs, {n} statements, {n - bad} as expected, {bad} not")
    if args.report:
        from .report import write_report
        write_report(results, args.report)
    return 1 if failed else 0


def _print_proof(r, verbose: bool = False, only_bad: bool = False):
    from .text import evidence_text
    bad = [s for s in r["statements"] if s["verdict"] != s["expect"]]
    if only_bad and not bad:
        return
    print(f"{r['name']}  [{r['source']}]")
    for s in r["statements"]:
        if s["verdict"] == s["expect"]:
            if only_bad:
                continue
            print(f"  ok  {s['statement']}: {s['verdict']} (expect {s['expect']})")
        else:
            print(f"  BAD {s['statement']}: {s['verdict']} (expect {s['expect']}): {s['reason']}")
        if verbose:
            print(f"      reason: {s['reason']}")
            print(evidence_text(s["evidence"], "      "))
    sys.stdout.flush()
