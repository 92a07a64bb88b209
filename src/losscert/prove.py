"""``losscert prove``: run proof scripts in their own process, check their statements in another.

The scripts run in ``python -m losscert.proof --collect`` and hand back only
their statement records (data), one script at a time; each script's records
are checked by the checking process (:mod:`losscert.checker`) as soon as they
arrive, and its results printed, while the next script runs. This process
runs no script code and imports no SymPy unless a report is asked for. On a
terminal, long runs show a progress bar on stderr.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .text import Progress
from .workers import DEFAULT_MEMORY, SCHEMA, environment, shared, summary


def discover(paths) -> list[Path]:
    """The proof scripts named, and the *.py files (not starting with _) of directories named
    (a ``.toml`` file named is a claim file, see :func:`claim_files_in`)."""
    out = []
    for p in map(Path, paths):
        out += sorted(x for x in p.glob("*.py") if not x.name.startswith("_")) if p.is_dir() \
            else [] if p.suffix == ".toml" else [p]
    return out


def claim_files_in(paths) -> list[Path]:
    """The claim files among ``paths``, by the rule of ``losscert check`` (:mod:`losscert.files`):
    ``.toml`` files named, and the claim files of directories named."""
    from .files import claim_files
    named = [p for p in paths if not Path(p).is_dir()]
    found = claim_files([p for p in paths if Path(p).is_dir()] + [p for p in named if Path(p).suffix == ".toml"])
    return found.files


def claim_file_result(path, header: dict, verdicts: list[dict], records=None) -> dict:
    """A claim file's verdicts as a proof's result (one statement per claim), for output and reports."""
    records = records or [{}] * len(verdicts)
    out = [{"statement": f"claim {i}: {c['kind']}" + (f" ({c['caption']})" if c.get("caption") else ""),
            "rule": c["kind"], "verdict": v["verdict"], "expect": c["expect"], "reason": v["reason"],
            "evidence": v["evidence"], "note": c.get("note", ""), "record": r}
           for i, (c, v, r) in enumerate(zip(header["claims"], verdicts, records), 1)]
    return {"name": header.get("title") or str(path), "source": str(path), "file": str(path), "statements": out}


def collect_streaming(paths, emit=None, progress=None) -> Iterator[dict]:
    """Run the scripts in a separate process and yield, as each script has run,
    ``{"script": {"path", "seconds", "proofs": [{"name", "source", "covers", "statements"}]}}``
    or ``{"error": one line}``. What the scripts print is passed on to stderr."""
    command = [sys.executable, "-m", "losscert.proof", "--collect"]
    command += ["--emit", str(emit)] if emit else []
    proc = subprocess.Popen(command + [str(p) for p in paths], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment(), cwd=os.getcwd())
    assert proc.stdout is not None and proc.stderr is not None
    forward = threading.Thread(target=_forward, args=(proc.stderr, progress), daemon=True)
    forward.start()
    finished = False
    try:
        for line in proc.stdout:
            message = json.loads(line)
            if message.get("done"):
                finished = True
                break
            yield message
    finally:
        if not finished:
            proc.kill()
        proc.wait()
        forward.join(timeout=10)
        proc.stdout.close()
    if not finished:
        yield {"error": f"the proof scripts could not be run (exit code {proc.returncode})"}


def _forward(stream, progress) -> None:
    for line in stream:
        with progress.hidden() if progress else contextlib.nullcontext():
            sys.stderr.write(line)
            sys.stderr.flush()
    stream.close()


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
    if getattr(args, "coverage_summary", False):
        from .coverage import main as coverage
        return coverage([str(args.paths[0]), "--summary"])
    if getattr(args, "coverage", None):     # read from the scripts' COVERS literals: nothing is run
        from .coverage import main as coverage
        return coverage([str(args.paths[0]), "--out", args.coverage])
    scripts, claim_paths = discover(args.paths), claim_files_in(args.paths)
    if not scripts and not claim_paths:
        print(f"no proof scripts (*.py) or claim files found in {', '.join(args.paths)}", file=sys.stderr)
        return 2
    worker = shared()
    worker.warm()                       # it imports the kernel while the scripts run
    results: list[dict] = []
    errors: list[str] = []
    quiet = args.json or args.errata
    bundles = None
    if getattr(args, "certificates", None):
        from .bundles import BundleWriter
        bundles = BundleWriter(args.certificates)
    with Progress(len(scripts) + len(claim_paths), "files") as progress:
        for item in collect_streaming(scripts, args.emit, progress) if scripts else ():
            if "error" in item:
                errors.append(item["error"])
                with progress.hidden():
                    print(item["error"], file=sys.stderr)
                progress.advance()
                continue
            script = item["script"]
            for k, proof in enumerate(script["proofs"], 1):
                t0 = time.perf_counter()
                records = [st["record"] for st in proof["statements"]]
                verdicts = worker.check(records, args.timeout, progress.count, getattr(args, "memory", DEFAULT_MEMORY),
                                        certificates=bundles is not None)
                if bundles is not None:
                    stem = Path(script["path"]).stem
                    bundles.write(stem if len(script["proofs"]) == 1 else f"{stem}-{k}", proof["source"],
                                  records, verdicts)
                res = result(proof, verdicts)
                res["file"], res["seconds"] = script["path"], round(time.perf_counter() - t0, 2)
                res["script_seconds"] = round(script["seconds"], 2)
                results.append(res)
                if not quiet:
                    with progress.hidden():
                        _print_proof(res, getattr(args, "verbose", False), getattr(args, "quiet", False))
            progress.advance(Path(script["path"]).name)
        for path in claim_paths:        # claim files named or found by the rule of losscert check: data, no code
            t0 = time.perf_counter()
            header, verdicts = worker.check_file(path, args.timeout, getattr(args, "memory", DEFAULT_MEMORY),
                                                 certificates=bundles is not None)
            if bundles is not None and "records" in header:
                bundles.write(Path(path).stem, str(path), header["records"], verdicts)
            if "error" in header:
                errors.append(header["error"])
                with progress.hidden():
                    print(header["error"], file=sys.stderr)
            else:
                file_records = _records(path) if args.report else None
                res = claim_file_result(path, header, verdicts, file_records)
                res["seconds"] = round(time.perf_counter() - t0, 2)
                results.append(res)
                if not quiet:
                    with progress.hidden():
                        _print_proof(res, getattr(args, "verbose", False), getattr(args, "quiet", False))
            progress.advance(Path(path).name)
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
        import shlex
        from .report import write_report
        command = "losscert " + shlex.join(args.argv) if getattr(args, "argv", None) else None
        write_report(results, args.report, command)
    return 1 if failed else 0


def _records(path) -> list[dict] | None:
    """The claims of a claim file as statement records (for reports), read in this process."""
    from .claims import ClaimFileError, load
    try:
        return [c.record for c in load(path).claims]
    except ClaimFileError:
        return None


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
