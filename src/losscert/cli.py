"""The ``losscert`` command line: ``check`` claim files, ``prove`` proof scripts."""
from __future__ import annotations

import argparse
import json
import sys

from . import claims


def _check(args) -> int:
    results, invalid, mismatch = [], False, False
    for path in claims.expand(args.files):
        try:
            res = claims.check(path)
        except claims.ClaimFileError as exc:
            invalid = True
            print(str(exc), file=sys.stderr)
            results.append({"file": str(path), "error": str(exc).split(": ", 1)[-1], "claims": []})
            continue
        results.append(res)
        for c in res["claims"]:
            mismatch |= c["verdict"] != c["expect"]
    if args.json:
        print(json.dumps({"files": results}, indent=2))
    else:
        for res in results:
            for c in res["claims"]:
                mark = "ok " if c["verdict"] == c["expect"] else "BAD"
                print(f"{mark} {res['file']}: {c['kind']}: {c['verdict']} (expect {c['expect']}): {c['reason']}")
    return 2 if invalid else 1 if mismatch else 0


def _prove(args) -> int:
    from .proof import run_cli
    return run_cli(args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="losscert", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="decide the claims of claim files (TOML)")
    p.add_argument("files", nargs="+", help="claim files or directories of them")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(run=_check)
    p = sub.add_parser("prove", help="run proof scripts (default: proofs/)")
    p.add_argument("paths", nargs="*", default=["proofs"])
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--report", metavar="FILE.md", help="write a Markdown report with LaTeX")
    p.add_argument("--errata", action="store_true",
                   help="print a Markdown table of the statements whose note starts with 'paper:' (what a paper says)")
    p.set_defaults(run=_prove)
    from .discover import add_parser as add_search
    add_search(sub)
    from .plots import add_parser as add_plot_parser
    add_plot_parser(sub)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:             # output piped into `head` and the like
        sys.stdout = None
        return 141                      # the shell's code for a closed pipe


if __name__ == "__main__":
    sys.exit(main())
