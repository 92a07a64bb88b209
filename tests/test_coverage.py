"""The coverage table: COVERS literals, the catalogue, statuses, errata split."""
from pathlib import Path

import pytest

from losscert import coverage

PROOFS = Path(__file__).resolve().parent.parent / "proofs"

CATALOGUE = """
[[item]]
id = "lsz:Theorem 2"
statement = "a spurious strict minimum"
checkable = true
[[item]]
id = "lsz:Lemma 3"
statement = "measure zero"
checkable = false
why = "a measure statement"
[[item]]
id = "lds:Theorem 1"
statement = "Property PT"
checkable = true
why = "every point"
"""


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
                        "b.py": 'COVERS = [("lsz:Theorem 2", "instance")]\n',
                        "_helper.py": 'COVERS = [("lsz:Theorem 2", "full")]\n'})     # skipped, as by the runner
    text, counts = coverage.table(d)
    assert counts == {"full": 0, "instance": 1, "hypotheses": 0, "uncovered": 1, "not checkable": 1}
    row = next(line for line in text.splitlines() if line.startswith("| lsz:Theorem 2 "))
    assert "| instance |" in row and "`a` (hypotheses)" in row and "`b` (instance)" in row
    assert "every point" in text and "a measure statement" in text


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


def test_bad_catalogue_is_reported(tmp_path):
    (tmp_path / "items.toml").write_text('[[item]]\nid = "nobody:Thm"\nstatement = "x"\ncheckable = true\n')
    with pytest.raises(coverage.CoverageError, match="paper"):
        coverage.table(tmp_path)


def test_main_writes_the_table(tmp_path):
    d = make(tmp_path, {"a.py": 'COVERS = [("lsz:Theorem 2", "full")]\n'})
    out = tmp_path / "docs" / "coverage.md"
    assert coverage.main([str(d), "--out", str(out)]) == 0
    assert "| lsz:Theorem 2 | full |" in out.read_text()


def test_errata_split():
    def st(verdict, expect, note):
        return {"statement": "s", "verdict": verdict, "expect": expect, "note": note, "reason": "r"}
    results = [{"source": "src", "statements": [st("refuted", "refuted", "paper: wrong"),
                                                st("inconclusive", "inconclusive", "paper: maybe"),
                                                st("verified", "refuted", "paper: unexpected"),
                                                st("refuted", "refuted", "open: not decided"),
                                                st("verified", "verified", "")]}]
    results[0]["statements"][4]["statement"] = "corrected s"
    wrong, open_ = coverage.split_errata(results)
    assert [s["note"] for _, s in wrong] == ["paper: wrong"]
    assert [s["note"] for _, s in open_] == ["paper: maybe", "paper: unexpected", "open: not decided"]
    md = coverage.errata_markdown(results)
    assert md.index("The paper is wrong") < md.index("| src | s | wrong | refuted: r | corrected s |") \
        < md.index("Not decided here")


def test_the_repository_catalogue_and_proofs_agree():
    text, counts = coverage.table(PROOFS)               # raises on an unknown COVERS id
    assert counts["full"] + counts["instance"] >= 60   # issue #13's acceptance bar
    for script in PROOFS.glob("*.py"):
        assert 'source="' not in script.read_text(), f"{script.name}: cite through coverage.source()"
