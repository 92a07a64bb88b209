"""Which items of the four papers the proof scripts cover, and how strongly.

Every proof script declares, as a module-level literal read here without
running the script, ``COVERS = [("lsz:Theorem 2", "instance"), ...]``: the
catalogue ids (``proofs/items.toml``) it covers and a strength, strongest first:

- ``full``: the item as stated, every quantifier (symbolic parameters or landscape statements);
- ``instance``: the item's whole conclusion on concrete instances (for a landscape
  theorem: a landscape statement on the instance, not one point);
- ``step``: one step of its proof;
- ``spot``: one point of a statement about all points;
- ``hypotheses``: only its assumptions.

A label may not exceed what the statements can show (:func:`ceiling`): each
catalogue item has a ``claim`` kind (landscape, example, formula, assumption,
value) and each statement a capability read from its kind and record
(:func:`capability`); :func:`label_problems` runs the scripts and lists the
labels above their ceiling.

``python -m losscert.coverage proofs`` prints the table and writes
``docs/coverage.md``; ``--summary`` prints one line (``losscert prove --check-labels``
runs the scripts and lists the labels above their ceiling). It fails (exit 2, one line)
when a COVERS entry names an id that is not in the catalogue or an unknown strength.

>>> covers_of_source('COVERS = [("lsz:Theorem 2", "instance")]\\nx = 1')
[('lsz:Theorem 2', 'instance')]
>>> source("lsz", "Theorem 2").split(" [")[0]
'lin-sun-zhang-sparse-landscape: Theorem 2'
>>> ceiling("landscape", {"point"}), ceiling("landscape", {"spurious_valley"}), ceiling("formula", {"universal"})
('step', 'full', 'full')
"""
from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from pathlib import Path

STRENGTHS = ("full", "instance", "step", "spot", "hypotheses")
STATUSES = (*STRENGTHS, "uncovered", "not checkable")
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

# What an item claims (catalogue field ``claim``) ...
CLAIMS = {
    "landscape": "a statement about every point, minimum, valley or sublevel set of a loss",
    "example": "an existence statement shown by a construction (a point, data, a network)",
    "formula": "an identity, inequality, rank or determinant for all values of its symbols or sizes",
    "assumption": "a property of activations or data (an assumption holds or fails)",
    "value": "printed numbers: a matrix, its spectrum or rank, a table entry, a loss value",
}
# ... and what a statement can show. Landscape kinds are accepted by name (registered by another module).
LANDSCAPE_KINDS = frozenset({"paths_to_global_minimum", "spurious_valley"})
POINT_KINDS = frozenset({"critical_point", "hessian_psd", "local_minimum", "strict_local_minimum", "saddle",
                         "not_global", "spurious_local_minimum", "loss_value", "local_minimum_near",
                         "local_minimum_near_modulo_rescaling", "spurious_local_minimum_near_modulo_rescaling",
                         "non_increasing"})
ALGEBRA_KINDS = frozenset({"identity", "inequality", "determinant", "rank"})
HYPOTHESIS_KINDS = frozenset({"arithmetic_derivatives", "lsz_assumption1", "lds_assumption1",
                              "narrow_basin_conditions", "narrow_basin_target"})
# The strongest label each capability supports, per claim kind (missing: hypotheses).
_CEILING = {
    "landscape": {"landscape": "full", "universal": "step", "concrete": "step", "point": "step"},
    "example": {"landscape": "full", "universal": "full", "concrete": "full", "point": "full"},
    "formula": {"landscape": "instance", "universal": "full", "concrete": "instance", "point": "instance"},
    "assumption": {"landscape": "instance", "universal": "full", "concrete": "instance", "point": "instance",
                   "hypothesis": "instance"},
    "value": {"landscape": "full", "universal": "full", "concrete": "full", "point": "full", "hypothesis": "full"},
}
ERRATUM_KINDS = {"false": "false as stated", "typo": "typo", "gap": "proof gap"}


class CoverageError(ValueError):
    """A catalogue or COVERS entry that cannot be read."""


def source(paper: str, item: str) -> str:
    """A proof's source line: the paper's file name, the item, then the citation
    (lsz, lds, nguyen or iclr; the text before the first colon names the paper file)."""
    return f"{SLUGS[paper]}: {item} [{CITATIONS[paper]}]"


def rank_of(strength: str) -> int:
    """0 for full ... 4 for hypotheses (smaller is stronger).

    >>> rank_of("full") < rank_of("spot")
    True
    """
    return STRENGTHS.index(strength)


def capability(record: dict) -> str:
    """What one statement record can show: landscape, universal (a statement with
    symbols: it holds for all their values), concrete (exact numbers), point or hypothesis.

    >>> capability({"kind": "identity", "lhs": "x^2", "rhs": "x*x"}), capability({"kind": "rank", "matrix": [["1"]]})
    ('universal', 'concrete')
    """
    kind = record.get("kind", "")
    if kind in LANDSCAPE_KINDS:
        return "landscape"
    if kind in HYPOTHESIS_KINDS:
        return "hypothesis"
    if record.get("symbols") or (kind in ALGEBRA_KINDS and _has_symbols(record)):
        return "universal"
    return "point" if kind in POINT_KINDS else "concrete"


def _has_symbols(record: dict) -> bool:
    """Whether an algebraic record's terms have free symbols (symbol names need no alias table)."""
    from .expressions import ExpressionError, parse_term
    for key in ("lhs", "rhs", "matrix", "claimed"):
        value = record.get(key)
        if value is None or isinstance(value, int):
            continue
        try:
            term = parse_term(value, record.get("symbols") or {})
        except (ExpressionError, TypeError, ValueError):
            continue
        if any(getattr(e, "free_symbols", None) for e in (term if isinstance(term, list) else [term])):
            return True
    return False


def ceiling(claim: str, capabilities) -> str:
    """The strongest label that statements of these capabilities can earn for an item of this claim kind
    (capabilities may be given as statement kinds or as capability names)."""
    table = _CEILING[claim]
    best = "hypotheses"
    for cap in capabilities:
        cap = "landscape" if cap in LANDSCAPE_KINDS else cap
        got = table.get(cap, "hypotheses")
        if rank_of(got) < rank_of(best):
            best = got
    return best


def load_catalogue(path: Path) -> list[dict]:
    """The items of ``items.toml``: id, statement, checkable, claim, why, erratum..."""
    with open(path, "rb") as fh:
        items = tomllib.load(fh).get("item", [])
    seen = set()
    for i, it in enumerate(items, 1):
        if not isinstance(it.get("id"), str) or ":" not in it["id"] or it["id"].split(":")[0] not in PAPERS:
            raise CoverageError(f"{path}: item {i}: id must be '<paper>:<item>' with paper in {sorted(PAPERS)}")
        where = f"{path}: item {it['id']!r}"
        if it["id"] in seen:
            raise CoverageError(f"{path}: item {it['id']!r} is listed twice")
        seen.add(it["id"])
        if not isinstance(it.get("checkable"), bool) or not isinstance(it.get("statement"), str):
            raise CoverageError(f"{where}: needs a statement and checkable = true/false")
        if it["checkable"] and it.get("claim") not in CLAIMS:
            raise CoverageError(f"{where}: claim must be one of {sorted(CLAIMS)}")
        if it.get("erratum") and it.get("erratum_kind") not in ERRATUM_KINDS:
            raise CoverageError(f"{where}: erratum_kind must be one of {sorted(ERRATUM_KINDS)}")
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


def _scripts(proof_dir: Path):
    return [s for s in sorted(Path(proof_dir).glob("*.py")) if not s.name.startswith("_")]


def scan(proof_dir: Path, items: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """item id -> [(script name, strength)], checking every COVERS entry against the catalogue."""
    known = {it["id"] for it in items}
    found: dict[str, list] = {i: [] for i in known}
    for script in _scripts(proof_dir):
        for item, strength in covers_of_source(script.read_text(), str(script)):
            if item not in known:
                raise CoverageError(f"{script}: COVERS names {item!r}, which is not in the catalogue")
            if strength not in STRENGTHS:
                raise CoverageError(f"{script}: COVERS {item!r}: strength must be one of {STRENGTHS}")
            found[item].append((script.stem, strength))
    return found


def status_of(item: dict, covered: list[tuple[str, str]]) -> str:
    """The strongest cover (full ... hypotheses), uncovered, or not checkable."""
    for s in STRENGTHS:
        if any(c == s for _, c in covered):
            return s
    return "uncovered" if item["checkable"] else "not checkable"


# -- the label rule ----------------------------------------------------------------------------------

def names_item(proof_source: str, covers: list, item_id: str) -> bool:
    """Whether a proof speaks about a catalogue item: its ``covers`` list names it,
    or its source line names the item (the same name, or one is the other plus a qualifier).

    >>> names_item(source("lsz", "Theorem 8"), [], "lsz:Theorem 8 (valley step)")
    True
    >>> names_item(source("lsz", "Theorem 8"), [], "lsz:Theorem 7")
    False
    """
    if item_id in covers:
        return True
    paper, name = item_id.split(":", 1)
    head = proof_source.split(" [")[0]
    if ": " not in head or head.split(": ", 1)[0] != SLUGS[paper]:
        return False
    said = head.split(": ", 1)[1]
    return said == name or name.startswith(said + " ") or said.startswith(name + " ")


def script_label_problems(script: Path, proofs, items: dict) -> list[str]:
    """The COVERS labels of one script (its loaded ``proofs``) above the ceiling of the statements of
    the proofs that name their item; ``items`` maps catalogue ids to items. One line each."""
    problems = []
    name = Path(script).name
    for item_id, label in covers_of_source(Path(script).read_text(), str(script)):
        item = items.get(item_id)
        if item is None or label not in STRENGTHS:
            problems.append(f"{name}: COVERS {item_id!r} {label!r}: unknown item or strength")
            continue
        records = [st.record for pr in proofs if names_item(pr.source, pr.covers, item_id) for st in pr.statements]
        if not records:
            problems.append(f"{name}: no proof names {item_id!r} (set its source or covers)")
            continue
        top = ceiling(item.get("claim", "value"), {capability(r) for r in records})
        if rank_of(label) < rank_of(top):
            problems.append(f"{name}: {item_id!r} is labelled {label}, but its statements "
                            f"({', '.join(sorted({r['kind'] for r in records}))}) show at most {top} "
                            f"for a {item.get('claim')} claim")
    return problems


def label_problems(proof_dir: Path, load, catalogue: Path | None = None) -> list[str]:
    """Run the scripts with ``load`` (:func:`losscert.proof.load_proofs`: a script's path -> its proofs) and
    list every COVERS label above the ceiling of its statements (:func:`script_label_problems`)."""
    proof_dir = Path(proof_dir)
    items = {it["id"]: it for it in load_catalogue(catalogue or proof_dir / "items.toml")}
    problems = []
    for script in _scripts(proof_dir):
        if not covers_of_source(script.read_text(), str(script)):
            continue
        try:
            proofs = load(script)
        except Exception as exc:   # noqa: BLE001 - a broken script: one line, then go on
            problems.append(f"{script.name}: cannot load: {type(exc).__name__}: {exc}".splitlines()[0])
            continue
        problems += script_label_problems(script, proofs, items)
    return problems


# -- the table ----------------------------------------------------------------------------------------

def cell(text: str) -> str:
    """Text for a Markdown table cell (a '|' of |x| or ||A|| would split the cell).

    >>> print(cell("|x| <= 1"))
    \\|x\\| <= 1
    """
    return str(text).replace("|", "\\|")


def _counts(items, found) -> tuple[dict, dict]:
    total = {s: 0 for s in STATUSES}
    per_paper = {p: {s: 0 for s in STATUSES} for p in PAPERS}
    for it in items:
        st = status_of(it, found[it["id"]])
        total[st] += 1
        per_paper[it["id"].split(":")[0]][st] += 1
    return total, per_paper


def errata_of(items: list[dict]) -> tuple[list[dict], list[dict]]:
    """(items with an erratum, items whose assumption is stated elsewhere in the paper)."""
    return [it for it in items if it.get("erratum")], [it for it in items if it.get("stated_elsewhere")]


def summary_line(items: list[dict], found: dict) -> str:
    """The one-line summary the README quotes.

    >>> line = summary_line([{"id": "lsz:T", "checkable": True, "claim": "value", "statement": "s"}],
    ...                     {"lsz:T": [("a", "full")]})
    >>> line.split("; ")
    ['1 items of 4 papers (1 checkable): 1 full, 0 instance, 0 step, 0 spot, 0 hypotheses, 0 uncovered', \
'0 errata (0 false as stated, 0 typo, 0 proof gap)']
    """
    total, _ = _counts(items, found)
    errata, _ = errata_of(items)
    kinds = ", ".join(f"{sum(it['erratum_kind'] == k for it in errata)} {v}" for k, v in ERRATUM_KINDS.items())
    checkable = sum(it["checkable"] for it in items)
    return (f"{len(items)} items of {len(PAPERS)} papers ({checkable} checkable): "
            + ", ".join(f"{total[s]} {s}" for s in (*STRENGTHS, "uncovered"))
            + f"; {len(errata)} errata ({kinds})")


def _definitions() -> list[str]:
    return ["Strengths (strongest first; an item's status is its strongest cover):", "",
            "- *full*: the item as stated, every quantifier (through symbolic parameters or landscape statements);",
            "- *instance*: the item's whole conclusion on concrete instances (for a landscape theorem: a landscape "
            "statement on the instance, not one point);",
            "- *step*: one step of its proof;",
            "- *spot*: one point of a statement about all points;",
            "- *hypotheses*: only its assumptions.", "",
            "A label is bounded by what its statements can show (`losscert.coverage.ceiling`, enforced by "
            "`tests/test_coverage.py`): every item has a claim kind, every statement a capability. A landscape "
            "claim (" + CLAIMS["landscape"] + ") reaches *instance* or *full* only with a landscape statement ("
            + ", ".join(f"`{k}`" for k in sorted(LANDSCAPE_KINDS)) + "); with point or algebraic statements it "
            "stays at *step* or *spot*. A formula reaches *full* only with symbolic statements. Within the "
            "ceiling the label is a reader's judgement, stated in the catalogue's `why` when it is below.", ""]


def _errata_lines(items: list[dict], found: dict) -> list[str]:
    errata, elsewhere = errata_of(items)
    lines = ["## Errata", "",
             "Kinds: *false as stated* (a counterexample the kernel verifies, and the corrected statement "
             "verified), *typo* (the evident intended statement verified), *proof gap* (the argument fails; the "
             "statement may still hold: what was checked is said). `losscert prove proofs --errata` prints the "
             "kernel's verdicts for the statements behind each row.", "",
             "| item | kind | what is wrong, and what is checked | proofs |", "|---|---|---|---|"]
    for kind in ERRATUM_KINDS:
        for it in errata:
            if it["erratum_kind"] == kind:
                by = ", ".join(sorted({f"`{n}`" for n, _ in found[it["id"]]})) or "-"
                lines.append(f"| {it['id']} | {ERRATUM_KINDS[kind]} | {cell(it['erratum'])} | {by} |")
    lines += ["", "Not errors (an assumption stated elsewhere in the paper):", ""]
    lines += [f"- {it['id']}: {it['stated_elsewhere']}" for it in elsewhere] or ["- none"]
    return lines + [""]


def table(proof_dir: Path, catalogue: Path | None = None) -> tuple[str, dict]:
    """The Markdown coverage page and the counts per status."""
    proof_dir = Path(proof_dir)
    items = load_catalogue(catalogue or proof_dir / "items.toml")
    found = scan(proof_dir, items)
    total, per_paper = _counts(items, found)
    rows = []
    for it in items:
        st = status_of(it, found[it["id"]])
        by = ", ".join(sorted({f"`{name}` ({s})" for name, s in found[it["id"]]}))
        why = it.get("why", "") if st not in ("full", "instance") else ""
        if it.get("erratum"):
            why = f"**{ERRATUM_KINDS[it['erratum_kind']]}**: {it['erratum']}" + (f"; {why}" if why else "")
        if it.get("stated_elsewhere"):
            why = f"not an error: {it['stated_elsewhere']}" + (f"; {why}" if why else "")
        rows.append(f"| {it['id']} | {st} | {it.get('claim', '-')} | {cell(it['statement'])} | {by or '-'} | "
                    f"{cell(why)} |")
    lines = ["# Coverage of the four papers by `proofs/`", "",
             "Generated by `losscert prove --coverage docs/coverage.md` (or `python -m losscert.coverage proofs`) "
             "from the catalogue `proofs/items.toml` and the `COVERS` lists of the proof scripts. "
             "`losscert prove --coverage-summary` prints the summary line.", "", *_definitions(), "Papers:", ""]
    lines += [f"- `{k}` ({SLUGS[k]}): {v}" for k, v in CITATIONS.items()]
    lines += ["", "Summary: " + summary_line(items, found) + ".", "",
              "| paper | " + " | ".join(STATUSES) + " |", "|---|" + "---|" * len(STATUSES)]
    lines += [f"| {p} | " + " | ".join(str(per_paper[p][s]) for s in STATUSES) + " |" for p in PAPERS]
    lines += ["| all | " + " | ".join(str(total[s]) for s in STATUSES) + " |", "",
              *_errata_lines(items, found), "## Items", "",
              "| item | status | claim | statement | proofs | erratum, or why not (fully) covered |",
              "|---|---|---|---|---|---|", *rows, ""]
    return "\n".join(lines), total


# -- errata of a run ----------------------------------------------------------------------------------

NOTE_KINDS = {"paper:": "false as stated", "typo:": "typo", "gap:": "proof gap"}


def split_errata(results: list[dict]) -> tuple[list, list]:
    """Statements with a ``paper:``, ``typo:`` or ``gap:`` note whose verdict is
    decided and as expected, and those with such a note or an ``open:`` note
    that are inconclusive or unexpected (not decided here). Each entry is
    (proof result, statement dict)."""
    wrong, open_ = [], []
    for r in results:
        for s in r["statements"]:
            note = s.get("note", "")
            noted = any(note.startswith(k) for k in NOTE_KINDS)
            decided = s["verdict"] == s["expect"] and s["verdict"] != "inconclusive"
            if noted and decided:
                wrong.append((r, s))
            elif noted or note.startswith("open:"):
                open_.append((r, s))
    return wrong, open_


def errata_markdown(results: list[dict]) -> str:
    """Two Markdown tables, "the paper is wrong" (kind from the note prefix; with
    the corrected statements the same proof checks: texts starting with "corrected")
    and "not decided here (open)". ``results`` are :func:`losscert.proof.run` outputs."""
    wrong, open_ = split_errata(results)

    def said(s):
        return s["note"].split(":", 1)[1].strip()

    def kind(s):
        return next((v for k, v in NOTE_KINDS.items() if s["note"].startswith(k)), "open")

    def where(r):
        return r["source"].split(" [")[0]

    def corrected(r):
        done = [s["statement"] for s in r["statements"] if s["statement"].startswith("corrected")
                and s["verdict"] == s["expect"] == "verified"]
        return "; ".join(done) or "-"

    lines = ["### The paper is wrong (decided by the kernel)", "",
             "| source | kind | checked statement | the paper says | verdict | corrected statement (verified) |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {where(r)} | {kind(s)} | {cell(s['statement'])} | {cell(said(s))} | {s['verdict']}: "
              f"{cell(s['reason'])} | {cell(corrected(r))} |" for r, s in wrong]
    lines += ["", "### Not decided here (open)", "",
              "| source | statement | note | verdict | reason |", "|---|---|---|---|---|"]
    lines += [f"| {where(r)} | {cell(s['statement'])} | {cell(said(s))} | {s['verdict']} | {cell(s['reason'])} |"
              for r, s in open_]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m losscert.coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("proofs", nargs="?", default="proofs", help="the proof directory (with items.toml)")
    parser.add_argument("--out", default="docs/coverage.md", help="where to write the table ('-': print only)")
    parser.add_argument("--summary", action="store_true", help="print only the one-line summary (writes nothing)")
    args = parser.parse_args(argv)
    try:
        if args.summary:
            items = load_catalogue(Path(args.proofs) / "items.toml")
            print(summary_line(items, scan(Path(args.proofs), items)))
            return 0
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
