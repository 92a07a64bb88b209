"""The ``losscert`` command line: ``check`` claim files, ``prove`` proof scripts,
``recheck`` certificate bundles, ``search`` for minima, ``plot`` a certificate.

``check`` and ``prove`` decide statements in a separate, isolated checking
process (:mod:`losscert.checker`, started as ``python -I``; see docs/trust.md)
with a per-claim time and memory budget.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__
from .workers import DEFAULT_MEMORY

DEFAULT_TIMEOUT = 120


def _check(args) -> int:
    from .files import claim_files
    from .workers import SCHEMA, shared, summary
    found = claim_files(args.files)
    if found.skipped and not args.json:
        print(found.skipped_line(), file=sys.stderr)
    if not found.files:
        print(f"no claim files (*.losscert.toml, or *.toml with a [[claim]] table) found in {', '.join(args.files)}",
              file=sys.stderr)
        return 2
    results, worker = [], shared()
    bundles = None
    if args.certificates:
        from .bundles import BundleWriter
        bundles = BundleWriter(args.certificates)
    for path in found.files:
        t0 = time.perf_counter()
        header, verdicts = worker.check_file(path, args.timeout, args.memory, certificates=bundles is not None)
        if bundles is not None and "records" in header:
            bundles.write(Path(path).stem, str(path), header["records"], verdicts)
        if "error" in header:
            print(header["error"], file=sys.stderr)
            results.append({"file": str(path), "error": header["error"].split(": ", 1)[-1], "claims": []})
            continue
        claims = [{"kind": c["kind"], "verdict": v["verdict"], "expect": c["expect"], "reason": v["reason"],
                   "evidence": v["evidence"], **{k: c[k] for k in ("caption", "note") if k in c}}
                  for c, v in zip(header["claims"], verdicts)]
        res = {"file": str(path), "title": header["title"], "claims": claims,
               "seconds": round(time.perf_counter() - t0, 2)}
        results.append(res)
        if not args.json:
            for number, c in enumerate(claims, 1):
                if not (args.quiet and c["verdict"] == c["expect"]):
                    print(check_line(res["file"], number, c, args.verbose), flush=True)
    claims = [c for r in results for c in r["claims"]]
    invalid = sum("error" in r for r in results)
    if args.json:
        print(json.dumps({"schema": SCHEMA, "files": results,
                          "summary": {"files": len(results), "invalid_files": invalid,
                                      "skipped_files": len(found.skipped), **summary(claims)}}, indent=2))
    elif not args.quiet or invalid or any(c["verdict"] != c["expect"] for c in claims):
        print(summary_line(results, len(found.skipped)))      # -q: silent when every claim is as expected
    if args.report:
        _check_report(args, found.files, results)
    return 2 if invalid else 1 if any(c["verdict"] != c["expect"] for c in claims) else 0


def check_line(file: str, number: int, c: dict, verbose: bool = False) -> str:
    """One claim's result as ``losscert check`` prints it: ok/BAD, file, claim number, kind,
    verdict, expect and the whole reason; then its note, and with ``verbose`` its certificate.

    >>> print(check_line("a.toml", 2, {"kind": "loss_value", "verdict": "verified",
    ...                             "expect": "verified", "reason": "L(point) = 10 exactly", "note": "eq. (3)"}))
    ok  a.toml claim 2: loss_value: verified (expect verified): L(point) = 10 exactly
          note: eq. (3)
    """
    mark = "ok " if c["verdict"] == c["expect"] else "BAD"
    lines = [f"{mark} {file} claim {number}: {c['kind']}: {c['verdict']} (expect {c['expect']}): {c['reason']}"]
    if c.get("note"):
        lines.append(f"      note: {c['note']}")
    if verbose:
        from .text import evidence_text
        lines.append(evidence_text(c.get("evidence"), "      "))
    return "\n".join(lines)


def summary_line(results, skipped: int = 0) -> str:
    """The last line of ``losscert check``.

    >>> summary_line([{"claims": [{"verdict": "verified", "expect": "verified"}]}, {"error": "x", "claims": []}], 1)
    '2 files (1 invalid, 1 .toml file skipped), 1 claim: 1 as expected, 0 not'
    """
    claims = [c for r in results for c in r["claims"]]
    bad = sum(c["verdict"] != c["expect"] for c in claims)
    invalid = sum("error" in r for r in results)
    notes = [f"{invalid} invalid"] if invalid else []
    notes += [f"{skipped} .toml file{'s' * (skipped != 1)} skipped"] if skipped else []
    return (_count(len(results), "file") + (f" ({', '.join(notes)})" if notes else "")
            + f", {_count(len(claims), 'claim')}: {len(claims) - bad} as expected, {bad} not")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _check_report(args, paths, results) -> None:
    """``check --report FILE.md``: the Markdown report of the files checked (as ``prove --report``)."""
    import shlex
    from .claims import ClaimFileError, load
    from .report import write_report
    proofs = []
    for path, res in zip(paths, results):
        if "error" in res:
            proofs.append({"name": str(path), "source": f"invalid: {res['error']}", "statements": []})
            continue
        try:
            records = [c.record for c in load(path).claims]
        except ClaimFileError:          # changed since it was checked
            records = [{}] * len(res["claims"])
        statements = [{"statement": f"claim {i}: {c['kind']}" + (f" ({c['caption']})" if c.get("caption") else ""),
                       "verdict": c["verdict"], "expect": c["expect"], "reason": c["reason"],
                       "evidence": c["evidence"], "note": c.get("note", ""), "record": r}
                      for i, (c, r) in enumerate(zip(res["claims"], records), 1)]
        proofs.append({"name": res["title"] or str(path), "source": str(path), "file": str(path),
                       "seconds": res["seconds"], "statements": statements})
    write_report(proofs, args.report, "losscert " + shlex.join(args.argv), title="losscert check report")


def _prove(args) -> int:
    if args.check_labels:
        return _check_labels(args.paths[0])
    from .prove import run_cli
    return run_cli(args)


def _check_labels(proof_dir) -> int:
    """Every COVERS label within what its proofs' statements can show (losscert.coverage.ceiling)."""
    from .coverage import CoverageError, label_problems
    from .proof import load_proofs
    try:
        problems = label_problems(Path(proof_dir), load_proofs)
    except (CoverageError, OSError, ValueError) as exc:
        print(f"coverage: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    print("\n".join(problems) or "every label is within what its statements can show")
    return 1 if problems else 0


def _positive(unit: str):
    """An argparse type reading a positive number of ``unit`` (``--timeout``, ``--memory``)."""
    def read(text) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {unit}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value
    return read


_timeout, _memory = _positive("seconds"), _positive("MiB")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="losscert", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"losscert {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    timeout_help = (f"time budget per claim in seconds (default {DEFAULT_TIMEOUT}); past it the claim is "
                    "inconclusive: time budget exceeded")
    memory_help = (f"memory budget per claim in MiB of address space (default {DEFAULT_MEMORY}; POSIX); past it "
                   "the claim is inconclusive: memory budget exceeded")
    c = sub.add_parser("check", help="decide the claims of claim files (TOML)")
    c.add_argument("files", nargs="+", help="claim files, or directories: their *.losscert.toml files and *.toml "
                                            "files with a [[claim]] table (others are skipped and counted)")
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.add_argument("-v", "--verbose", action="store_true", help="print each verdict's certificate (evidence)")
    c.add_argument("-q", "--quiet", action="store_true", help="print only the claims whose verdict differs from expect")
    c.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=timeout_help)
    c.add_argument("--memory", type=_memory, default=DEFAULT_MEMORY, metavar="MIB", help=memory_help)
    c.add_argument("--report", metavar="FILE.md", help="write a self-contained Markdown report (as prove --report)")
    c.add_argument("--certificates", metavar="DIR", help="also write every decided claim with its certificate "
                                                         "as a JSON bundle in DIR (re-verify with `losscert recheck DIR`)")
    c.set_defaults(run=_check)
    r = sub.add_parser("prove", help="run proof scripts (default: proofs/), then check their statements")
    r.add_argument("paths", nargs="*", default=["proofs"])
    r.add_argument("--json", action="store_true", help="print one JSON document")
    r.add_argument("-v", "--verbose", action="store_true", help="print each verdict's certificate (evidence)")
    r.add_argument("-q", "--quiet", action="store_true",
                   help="print only the statements whose verdict differs from expect, and the summary")
    r.add_argument("--report", metavar="FILE.md", help="write a self-contained Markdown report (LaTeX; pictures "
                                                       "of the certificates with the 'plot' extra)")
    r.add_argument("--errata", action="store_true",
                   help="print the errata: statements noted 'paper:' that the kernel decided (the paper is wrong), "
                        "and those noted 'open:' or left undecided")
    r.add_argument("--emit", metavar="DIR", help="also write every proof's statements as a claim file in DIR "
                                                 "(check them later with `losscert check DIR`)")
    r.add_argument("--certificates", metavar="DIR", help="also write every decided statement with its certificate "
                                                         "as a JSON bundle in DIR (re-verify with `losscert recheck DIR`)")
    r.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS", help=timeout_help)
    r.add_argument("--memory", type=_memory, default=DEFAULT_MEMORY, metavar="MIB", help=memory_help)
    r.add_argument("--coverage", metavar="FILE.md", nargs="?", const="-",
                   help="print (or write to FILE.md) the coverage of the papers' items by the proofs' COVERS lists, "
                        "without running them")
    r.add_argument("--coverage-summary", action="store_true",
                   help="print the one-line coverage summary (items per strength, errata per kind)")
    r.add_argument("--check-labels", action="store_true",
                   help="run the scripts and list the COVERS labels above what their statements can show "
                        "(exit 1 when there is one)")
    r.set_defaults(run=_prove)
    k = sub.add_parser("recheck", help="re-verify certificate bundles with the independent small checker "
                                       "(losscert_recheck, which imports nothing from losscert)")
    k.add_argument("paths", nargs="+", help="bundles (*.json) or directories of them")
    k.add_argument("-q", "--quiet", action="store_true", help="print only rejected items and the summary")
    k.set_defaults(run=_recheck)
    s = sub.add_parser("search", help="find minima numerically and certify them with the kernel")
    s.add_argument("file", help="a claim file: its network, data and scale are used")
    s.add_argument("--runs", type=int, default=100, help="initialisations (default 100)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--lr", type=float, default=0.01, help="gradient-descent step (default 0.01)")
    s.add_argument("--max-iter", type=int, default=50000, help="iterations per run (default 50000)")
    s.add_argument("--method", choices=("gd", "rank-one"), default="gd",
                   help="gradient descent, or alternating best-rank-one fits (two-layer linear, dense second layer)")
    s.add_argument("--workers", type=int, default=1, help="parallel processes")
    s.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (the 'distributed' extra)")
    s.add_argument("--digits", type=int, default=30, help="interval precision for local_minimum_near")
    s.add_argument("--no-certify", action="store_true", help="only search and cluster")
    s.add_argument("--out", metavar="DIR", help="write a claim file for every certified minimum")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(run=_search)
    g = sub.add_parser("plot", help="draw a claim's certificate or the network (needs the 'plot' extra)")
    g.add_argument("file", help="a claim file (TOML)")
    what = g.add_mutually_exclusive_group(required=True)
    what.add_argument("--claim", type=int, metavar="N", help="the N-th claim of the file (from 1)")
    what.add_argument("--architecture", action="store_true", help="the network, pruned parts dashed")
    g.add_argument("-o", "--output", required=True, metavar="OUT.png", help="the image file to write")
    g.add_argument("--extent", type=float, help="half-width of the drawn range (default: chosen from the evidence)")
    g.set_defaults(run=_plot)
    return p


def _recheck(args) -> int:
    import subprocess
    flags = ["-I"]         # isolated: the rechecker is found by its installed path, nothing from the environment
    command = [sys.executable, *flags, "-m", "losscert_recheck", *(["-q"] if args.quiet else []), *args.paths]
    return subprocess.call(command)


def _search(args) -> int:
    from .discover import run_cli
    return run_cli(args)


def _plot(args) -> int:
    from .plots import run_cli
    return run_cli(args)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)        # the command line, for reports
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:             # output piped into `head` and the like
        sys.stdout = None
        return 141                      # the shell's code for a closed pipe


if __name__ == "__main__":
    sys.exit(main())
