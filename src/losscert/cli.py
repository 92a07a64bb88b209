"""The ``losscert`` command line: ``check`` claim files, ``prove`` proof scripts.

Both check statements in a fresh checking process (``python -m
losscert.checker``) with a per-claim time budget.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__

DEFAULT_TIMEOUT = 120


def _expand(paths) -> list[Path]:
    """Files named, and the *.toml files of directories named, sorted (as :func:`losscert.claims.expand`)."""
    out = []
    for p in map(Path, paths):
        out += sorted(p.rglob("*.toml")) if p.is_dir() else [p]
    return out


def _check(args) -> int:
    from .workers import SCHEMA, shared, summary
    paths = _expand(args.files)
    if not paths:
        print(f"no claim files (*.toml) found in {', '.join(args.files)}", file=sys.stderr)
        return 2
    results, invalid, mismatch = [], False, False
    worker = shared()
    for path in paths:
        t0 = time.perf_counter()
        header, verdicts = worker.check_file(path, args.timeout)
        if "error" in header:
            invalid = True
            print(header["error"], file=sys.stderr)
            results.append({"file": str(path), "error": header["error"].split(": ", 1)[-1], "claims": []})
            continue
        claims = [{"kind": c["kind"], "verdict": v["verdict"], "expect": c["expect"], "reason": v["reason"],
                   "evidence": v["evidence"], **{k: c[k] for k in ("caption", "note") if k in c}}
                  for c, v in zip(header["claims"], verdicts)]
        res = {"file": str(path), "title": header["title"], "claims": claims,
               "seconds": round(time.perf_counter() - t0, 2)}
        results.append(res)
        for c in claims:
            mismatch |= c["verdict"] != c["expect"]
            if not args.json:
                mark = "ok " if c["verdict"] == c["expect"] else "BAD"
                print(f"{mark} {res['file']}: {c['kind']}: {c['verdict']} (expect {c['expect']}): {c['reason']}",
                      flush=True)
    if args.json:
        print(json.dumps({"schema": SCHEMA, "files": results,
                          "summary": {"files": len(results), "invalid_files": sum("error" in r for r in results),
                                      **summary(c for r in results for c in r["claims"])}}, indent=2))
    return 2 if invalid else 1 if mismatch else 0


def _prove(args) -> int:
    from .prove import run_cli
    return run_cli(args)


def _timeout(text) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="losscert", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"losscert {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    timeout_help = (f"time budget per claim in seconds (default {DEFAULT_TIMEOUT}); past it the claim is "
                    "inconclusive: time budget exceeded")
    c = sub.add_parser("check", help="decide the claims of claim files (TOML)")
    c.add_argument("files", nargs="+", help="claim files or directories of them")
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=timeout_help)
    c.set_defaults(run=_check)
    r = sub.add_parser("prove", help="run proof scripts (default: proofs/), then check their statements")
    r.add_argument("paths", nargs="*", default=["proofs"])
    r.add_argument("--json", action="store_true", help="print one JSON document")
    r.add_argument("--report", metavar="FILE.md", help="write a Markdown report with LaTeX")
    r.add_argument("--errata", action="store_true",
                   help="print a Markdown table of the statements whose note starts with 'paper:' (what a paper says)")
    r.add_argument("--emit", metavar="DIR", help="also write every proof's statements as a claim file in DIR "
                                                 "(check them later with `losscert check DIR`)")
    r.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=timeout_help)
    r.set_defaults(run=_prove)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:             # output piped into `head` and the like
        sys.stdout = None
        return 141                      # the shell's code for a closed pipe


if __name__ == "__main__":
    sys.exit(main())
