"""Which items of the four papers the proof scripts cover, and how strongly.

Every proof script declares, as a module-level literal read here without
running the script, ``COVERS = [("lsz:Theorem 2", "instance"), ...]``: the
catalogue ids (``proofs/items.toml``) it covers and the strength --
``full`` (the item as stated, in its generality), ``instance`` (a concrete
instance or fixed sizes) or ``hypotheses`` (only the item's assumptions).

``python -m losscert.coverage proofs`` prints the table and writes
``docs/coverage.md``; it fails (exit 2, one line) when a COVERS entry names
an id that is not in the catalogue or an unknown strength.

>>> covers_of_source('COVERS = [("lsz:Theorem 2", "instance")]\\nx = 1')
[('lsz:Theorem 2', 'instance')]
>>> source("lsz", "Theorem 2").split(" [")[0]
'lin-sun-zhang-sparse-landscape: Theorem 2'
"""
from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from pathlib import Path

STRENGTHS = ("full", "instance", "hypotheses")
PAPERS = {"lsz": "lin-sun-zhang", "lds": "li-ding-sun", "nguyen": "nguyen", "iclr": "iclr2021"}
SLUGS = {"lsz": "lin-sun-zhang-sparse-landscape", "lds": "li-ding-sun-benefit-of-width-basins",
         "nguyen": "nguyen-connected-sublevel-sets", "iclr": "iclr2021-sparse-linear-landscape"}
CITATIONS = {
    "lsz": "Dachao Lin, Ruoyu Sun, Zhihua Zhang, \"On the Landscape of One-hidden-layer Sparse Networks and "
           "Beyond\"; arXiv id not in the text",
    "lds": "Dawei Li, Tian Ding, Ruoyu Sun, \"On the Benefit of Width for Neural Networks: Disappearance of "
           "Basins\"; arXiv id not in the text",
    "nguyen": "Quynh Nguyen, \"On Connected Sublevel Sets in Deep Learning\"; arXiv:1901.07417 (as cited by "
              "li-ding-sun [79])",
    "iclr": "anonymous authors, \"On the Landscape of Sparse Linear Networks\", ICLR 2021 submission; arXiv id "
            "not in the text",
}


class CoverageError(ValueError):
    """A catalogue or COVERS entry that cannot be read."""


def source(paper: str, item: str) -> str:
    """A proof's source line: the paper's file name, the item, then the citation
    (lsz, lds, nguyen or iclr; the text before the first colon names the paper file)."""
    return f"{SLUGS[paper]}: {item} [{CITATIONS[paper]}]"


def load_catalogue(path: Path) -> list[dict]:
    """The items of ``items.toml``: id, statement, checkable, why."""
    with open(path, "rb") as fh:
        items = tomllib.load(fh).get("item", [])
    seen = set()
    for i, it in enumerate(items, 1):
        if not isinstance(it.get("id"), str) or ":" not in it["id"] or it["id"].split(":")[0] not in PAPERS:
            raise CoverageError(f"{path}: item {i}: id must be '<paper>:<item>' with paper in {sorted(PAPERS)}")
        if it["id"] in seen:
            raise CoverageError(f"{path}: item {it['id']!r} is listed twice")
        seen.add(it["id"])
        if not isinstance(it.get("checkable"), bool) or not isinstance(it.get("statement"), str):
            raise CoverageError(f"{path}: item {it['id']!r}: needs a statement and checkable = true/false")
    return items


def covers_of_source(text: str, where: str = "<script>") -> list[tuple[str, str]]:
    """The module-level ``COVERS`` literal of a script's text ([] when absent)."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COVERS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                raise CoverageError(f"{where}: COVERS must be a literal list of (id, strength) pairs") from None
            if not isinstance(value, list) or not all(isinstance(p, tuple) and len(p) == 2 for p in value):
                raise CoverageError(f"{where}: COVERS must be a list of (id, strength) pairs")
            return [tuple(p) for p in value]
    return []


def scan(proof_dir: Path, items: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """item id -> [(script name, strength)], checking every COVERS entry against the catalogue."""
    known = {it["id"] for it in items}
    found: dict[str, list] = {i: [] for i in known}
    for script in sorted(Path(proof_dir).glob("*.py")):
        if script.name.startswith("_"):
            continue
        for item, strength in covers_of_source(script.read_text(), str(script)):
            if item not in known:
                raise CoverageError(f"{script}: COVERS names {item!r}, which is not in the catalogue")
            if strength not in STRENGTHS:
                raise CoverageError(f"{script}: COVERS {item!r}: strength must be one of {STRENGTHS}")
            found[item].append((script.stem, strength))
    return found


def status_of(item: dict, covered: list[tuple[str, str]]) -> str:
    """full / instance / hypotheses (the strongest cover), uncovered, or not checkable."""
    for s in STRENGTHS:
        if any(c == s for _, c in covered):
            return s
    return "uncovered" if item["checkable"] else "not checkable"


def table(proof_dir: Path, catalogue: Path | None = None) -> tuple[str, dict]:
    """The Markdown coverage table and the counts per status."""
    proof_dir = Path(proof_dir)
    items = load_catalogue(catalogue or proof_dir / "items.toml")
    found = scan(proof_dir, items)
    rows, counts = [], {s: 0 for s in (*STRENGTHS, "uncovered", "not checkable")}
    for it in items:
        st = status_of(it, found[it["id"]])
        counts[st] += 1
        by = ", ".join(sorted({f"`{name}` ({s})" for name, s in found[it["id"]]}))
        why = it.get("why", "") if st in ("uncovered", "not checkable", "hypotheses") else ""
        if it.get("erratum"):
            why = f"**erratum**: {it['erratum']}" + (f"; {why}" if why else "")
        rows.append(f"| {it['id']} | {st} | {it['statement']} | {by or '-'} | {why} |")
    checkable = sum(it["checkable"] for it in items)
    lines = ["# Coverage of the four papers by `proofs/`", "",
             "Generated by `python -m losscert.coverage proofs` from the catalogue `proofs/items.toml` and the "
             "`COVERS` lists of the proof scripts. Strength: *full* (the item as stated), *instance* (concrete "
             "instances or fixed sizes), *hypotheses* (only its assumptions are checked).", "",
             "Papers:", ""]
    lines += [f"- `{k}` ({SLUGS[k]}): {v}" for k, v in CITATIONS.items()]
    lines += ["", f"{len(items)} items, {checkable} checkable: " +
              ", ".join(f"{counts[s]} {s}" for s in counts) +
              f"; covered (full or instance): {counts['full'] + counts['instance']}.", "",
              "| item | status | statement | proofs | erratum, or why not (fully) covered |",
              "|---|---|---|---|---|", *rows, ""]
    return "\n".join(lines), counts


# -- errata ---------------------------------------------------------------------------------------

def split_errata(results: list[dict]) -> tuple[list, list]:
    """Statements with a ``paper:`` note whose verdict is decided and as
    expected (the paper is wrong, with a counterexample checked), and those
    with an ``open:`` note or an inconclusive / unexpected verdict (not
    decided here). Each entry is (proof result, statement dict)."""
    wrong, open_ = [], []
    for r in results:
        for s in r["statements"]:
            note = s.get("note", "")
            decided = s["verdict"] == s["expect"] and s["verdict"] != "inconclusive"
            if note.startswith("paper:") and decided:
                wrong.append((r, s))
            elif note.startswith("paper:") or note.startswith("open:"):
                open_.append((r, s))
    return wrong, open_


def errata_markdown(results: list[dict]) -> str:
    """Two Markdown tables, "the paper is wrong" (with the corrected
    statements the same proof checks: texts starting with "corrected") and
    "not decided here (open)". ``results`` are :func:`losscert.proof.run` outputs."""
    wrong, open_ = split_errata(results)

    def said(s):
        return s["note"].split(":", 1)[1].strip()

    def where(r):
        return r["source"].split(" [")[0]

    def corrected(r):
        done = [s["statement"] for s in r["statements"] if s["statement"].startswith("corrected")
                and s["verdict"] == s["expect"] == "verified"]
        return "; ".join(done) or "-"

    lines = ["### The paper is wrong (counterexample checked by the kernel)", "",
             "| source | checked statement | the paper says | verdict | corrected statement (verified) |",
             "|---|---|---|---|---|"]
    lines += [f"| {where(r)} | {s['statement']} | {said(s)} | {s['verdict']}: {s['reason']} | {corrected(r)} |"
              for r, s in wrong]
    lines += ["", "### Not decided here (open)", "",
              "| source | statement | note | verdict | reason |", "|---|---|---|---|---|"]
    lines += [f"| {where(r)} | {s['statement']} | {said(s)} | {s['verdict']} | {s['reason']} |" for r, s in open_]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m losscert.coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("proofs", nargs="?", default="proofs", help="the proof directory (with items.toml)")
    parser.add_argument("--out", default="docs/coverage.md", help="where to write the table ('-': print only)")
    args = parser.parse_args(argv)
    try:
        text, counts = table(Path(args.proofs))
    except (CoverageError, OSError, tomllib.TOMLDecodeError) as exc:
        print(f"coverage: {exc}", file=sys.stderr)
        return 2
    print(text)
    if args.out != "-":
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
