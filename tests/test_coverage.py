"""The coverage table: COVERS literals, the catalogue, strengths and their ceilings, errata."""
from pathlib import Path

import pytest

from losscert import coverage
from losscert.proof import load_proofs

PROOFS = Path(__file__).resolve().parent.parent / "proofs"

CATALOGUE = """
[[item]]
id = "lsz:Theorem 2"
statement = "a spurious strict minimum"
checkable = true
claim = "example"
[[item]]
id = "lsz:Lemma 3"
statement = "measure zero"
checkable = false
why = "a measure statement"
[[item]]
id = "lds:Theorem 1"
statement = "Property PT"
checkable = true
claim = "landscape"
why = "every point"
erratum = "false for odd sigma"
erratum_kind = "false"
[[item]]
id = "lsz:Appendix B"
statement = "a Hessian formula"
checkable = true
claim = "formula"
stated_elsewhere = "Theorem 2's proof states Z Z^T = I"
"""

# a script whose single proof speaks about lds:Theorem 1 with point statements only
POINT_SCRIPT = '''
from losscert import compile_loss, dense
from losscert.coverage import source
from losscert.proof import Proof
COVERS = [("lds:Theorem 1", "{label}")]
loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
PROOF = Proof("one point", source=source("lds", "Theorem 1"))
PROOF.saddle(loss, {{"x1 -> h1_1": 0, "h1_1 -> y1": 0}})
'''


def make(tmp_path, scripts):
    (tmp_path / "items.toml").write_text(CATALOGUE)
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_covers_literal_is_read_without_running_the_script():
    text = 'raise SystemExit("never run")\nCOVERS = [("lsz:Theorem 2", "full")]\n'
    assert coverage.covers_of_source(text) == [("lsz:Theorem 2", "full")]
    assert coverage.covers_of_source("x = 1\n") == []
    with pytest.raises(coverage.CoverageError, match="literal"):
        coverage.covers_of_source("COVERS = [(name, 'full')]\n", "s.py")


def test_status_is_the_strongest_cover(tmp_path):
    d = make(tmp_path, {"a.py": 'COVERS = [("lsz:Theorem 2", "hypotheses")]\n',
                        "b.py": 'COVERS = [("lsz:Theorem 2", "instance"), ("lds:Theorem 1", "spot")]\n',
                        "_helper.py": 'COVERS = [("lsz:Theorem 2", "full")]\n'})     # skipped, as by the runner
    text, counts = coverage.table(d)
    assert counts == {"full": 0, "instance": 1, "step": 0, "spot": 1, "hypotheses": 0, "uncovered": 1,
                      "not checkable": 1}
    row = next(line for line in text.splitlines() if line.startswith("| lsz:Theorem 2 "))
    assert "| instance |" in row and "`a` (hypotheses)" in row and "`b` (instance)" in row
    assert "every point" in text and "a measure statement" in text
    assert "| lsz | 0 | 1 | 0 | 0 | 0 | 1 | 1 |" in text and "| lds | 0 | 0 | 0 | 1 |" in text   # per paper


def test_errata_table_by_kind_and_assumptions_stated_elsewhere(tmp_path):
    text, _ = coverage.table(make(tmp_path, {}))
    errata = text[text.index("## Errata"):text.index("## Items")]
    assert "| lds:Theorem 1 | false as stated | false for odd sigma |" in errata
    assert "lsz:Appendix B" not in errata.split("Not errors")[0]          # not an error ...
    assert "- lsz:Appendix B: Theorem 2's proof states Z Z^T = I" in errata    # ... with the place cited


@pytest.mark.parametrize("claim, caps, top", [
    ("landscape", {"point", "universal", "concrete"}, "step"),     # points and identities: at most a step
    ("landscape", {"point", "spurious_valley"}, "full"),           # a landscape statement, accepted by name
    ("landscape", {"paths_to_global_minimum"}, "full"),
    ("landscape", {"hypothesis"}, "hypotheses"),
    ("formula", {"concrete"}, "instance"),                         # numbers at fixed sizes
    ("formula", {"universal"}, "full"),
    ("example", {"point"}, "full"),
    ("assumption", {"hypothesis"}, "instance"),
    ("value", set(), "hypotheses"),                                # nothing checked: nothing shown
])
def test_ceiling(claim, caps, top):
    assert coverage.ceiling(claim, caps) == top


def test_capability_of_records():
    assert coverage.capability({"kind": "spurious_valley"}) == "landscape"
    assert coverage.capability({"kind": "identity", "lhs": "x*(x+1)", "rhs": "x^2+x"}) == "universal"
    assert coverage.capability({"kind": "identity", "lhs": "2", "rhs": "1+1"}) == "concrete"
    assert coverage.capability({"kind": "local_minimum", "point": {}}) == "point"
    assert coverage.capability({"kind": "loss_value", "symbols": {"a": "a > 0"}}) == "universal"
    assert coverage.capability({"kind": "arithmetic_derivatives"}) == "hypothesis"
    assert coverage.capability({"kind": "a_kind_from_elsewhere"}) == "concrete"    # unknown: never landscape


def test_a_deliberately_wrong_label_is_caught(tmp_path):
    d = make(tmp_path, {"wrong.py": POINT_SCRIPT.format(label="instance")})
    problems = coverage.label_problems(d, load_proofs)
    assert len(problems) == 1 and "'lds:Theorem 1' is labelled instance" in problems[0]
    assert "at most step" in problems[0]
    from losscert.cli import main
    assert main(["prove", str(d), "--check-labels"]) == 1


def test_a_label_within_the_ceiling_passes(tmp_path):
    assert coverage.label_problems(make(tmp_path, {"right.py": POINT_SCRIPT.format(label="spot")}), load_proofs) == []


def test_a_landscape_statement_lifts_the_ceiling(tmp_path):
    script = POINT_SCRIPT.format(label="instance") + 'PROOF._add("spurious_valley", {}, "verified", "a valley", "")\n'
    assert coverage.label_problems(make(tmp_path, {"valley.py": script}), load_proofs) == []


def test_a_label_whose_item_no_proof_names_is_reported(tmp_path):
    script = POINT_SCRIPT.format(label="spot").replace('source("lds", "Theorem 1")', 'source("lds", "Theorem 5")')
    problems = coverage.label_problems(make(tmp_path, {"elsewhere.py": script}), load_proofs)
    assert problems and "no proof names 'lds:Theorem 1'" in problems[0]
    fixed = script + 'PROOF.covers = ["lds:Theorem 1"]\n'
    assert coverage.label_problems(make(tmp_path, {"elsewhere.py": fixed}), load_proofs) == []


def test_a_broken_script_is_one_line(tmp_path):
    problems = coverage.label_problems(make(tmp_path, {"bad.py": 'COVERS = [("lds:Theorem 1", "spot")]\n1 / 0\n'}),
                                       load_proofs)
    assert problems == ["bad.py: cannot load: ZeroDivisionError: division by zero"]


def test_names_item():
    src = coverage.source("iclr", "Theorem 6")
    assert coverage.names_item(src, [], "iclr:Theorem 6") and coverage.names_item(src, [], "iclr:Theorem 6 (x)")
    assert not coverage.names_item(src, [], "iclr:Theorem 60") and not coverage.names_item(src, [], "lsz:Theorem 6")
    assert coverage.names_item("no source line", ["lsz:Theorem 6"], "lsz:Theorem 6")


@pytest.mark.parametrize("covers, message", [
    ('[("lsz:Theorem 99", "full")]', "not in the catalogue"),
    ('[("lsz:Theorem 2", "strong")]', "strength must be"),
    ('[("lsz:Theorem 2",)]', "pairs"),
])
def test_bad_covers_fail_with_one_line(tmp_path, capsys, covers, message):
    d = make(tmp_path, {"a.py": f"COVERS = {covers}\n"})
    assert coverage.main([str(d), "--out", "-"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("entry, message", [
    ('id = "nobody:Thm"\nstatement = "x"\ncheckable = true\nclaim = "value"\n', "paper"),
    ('id = "lsz:T"\nstatement = "x"\ncheckable = true\n', "claim must be"),
    ('id = "lsz:T"\nstatement = "x"\ncheckable = true\nclaim = "vibes"\n', "claim must be"),
    ('id = "lsz:T"\nstatement = "x"\ncheckable = true\nclaim = "value"\nerratum = "wrong"\n', "erratum_kind"),
])
def test_bad_catalogue_is_reported(tmp_path, entry, message):
    (tmp_path / "items.toml").write_text("[[item]]\n" + entry)
    with pytest.raises(coverage.CoverageError, match=message):
        coverage.table(tmp_path)


def test_main_writes_the_table_and_prints_the_summary(tmp_path, capsys):
    d = make(tmp_path, {"a.py": 'COVERS = [("lsz:Theorem 2", "full")]\n'})
    out = tmp_path / "docs" / "coverage.md"
    assert coverage.main([str(d), "--out", str(out)]) == 0
    assert "| lsz:Theorem 2 | full |" in out.read_text()
    capsys.readouterr()
    assert coverage.main([str(d), "--summary"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and line.startswith("4 items of 4 papers (3 checkable): 1 full, 0 instance")
    assert "1 errata (1 false as stated, 0 typo, 0 proof gap)" in line


def test_errata_split():
    def st(verdict, expect, note):
        return {"statement": "s", "verdict": verdict, "expect": expect, "note": note, "reason": "r"}
    results = [{"source": "src", "statements": [st("refuted", "refuted", "paper: wrong"),
                                                st("verified", "verified", "typo: a letter"),
                                                st("verified", "verified", "gap: a step"),
                                                st("inconclusive", "inconclusive", "paper: maybe"),
                                                st("verified", "refuted", "paper: unexpected"),
                                                st("refuted", "refuted", "open: not decided"),
                                                st("verified", "verified", "")]}]
    results[0]["statements"][6]["statement"] = "corrected s"
    wrong, open_ = coverage.split_errata(results)
    assert [s["note"] for _, s in wrong] == ["paper: wrong", "typo: a letter", "gap: a step"]
    assert [s["note"] for _, s in open_] == ["paper: maybe", "paper: unexpected", "open: not decided"]
    md = coverage.errata_markdown(results)
    row = "| src | false as stated | s | wrong | refuted: r | corrected s |"
    assert md.index("The paper is wrong") < md.index(row) < md.index("| src | typo |") \
        < md.index("| src | proof gap |") < md.index("Not decided here")


def test_the_repository_catalogue_and_proofs_agree():
    text, counts = coverage.table(PROOFS)               # raises on an unknown COVERS id
    items = coverage.load_catalogue(PROOFS / "items.toml")
    found = coverage.scan(PROOFS, items)
    for it in items:                                    # a proof script or a written reason for every item
        status = coverage.status_of(it, found[it["id"]])
        assert status in ("full", "instance") or it.get("why") or it.get("erratum"), it["id"]
    errata, elsewhere = coverage.errata_of(items)
    assert {it["erratum_kind"] for it in errata} == set(coverage.ERRATUM_KINDS)
    assert [it["id"] for it in elsewhere] == ["lsz:Appendix B"] and "lsz:Appendix B" not in {i["id"] for i in errata}
    for script in PROOFS.glob("*.py"):
        assert 'source="' not in script.read_text(), f"{script.name}: cite through coverage.source()"

    # every repository label against its ceiling: tests/test_proofs.py, per script (it loads them anyway)


def test_cli_prints_the_summary_line(capsys):
    from losscert.cli import main
    assert main(["prove", str(PROOFS), "--coverage-summary"]) == 0
    out = capsys.readouterr().out
    items = coverage.load_catalogue(PROOFS / "items.toml")
    assert out == coverage.summary_line(items, coverage.scan(PROOFS, items)) + "\n"
