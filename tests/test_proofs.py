"""Every proof script under proofs/ runs as test items: one per statement."""
from pathlib import Path

import pytest

from losscert import coverage, kernel
from losscert.proof import Proof, discover, load_proofs, run

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = discover([ROOT / "proofs"])
ITEMS = {it["id"]: it for it in coverage.load_catalogue(ROOT / "proofs" / "items.toml")}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_proof_script(script):
    proofs = load_proofs(script)
    assert coverage.script_label_problems(script, proofs, ITEMS) == []     # no COVERS label above its statements
    for proof in proofs:
        res = run(proof)
        assert res["source"].split(":")[0] in {p.stem for p in (ROOT.parent / "shared" / "papers").glob("*.txt")} \
            or not (ROOT.parent / "shared").exists()
        bad = [(s["statement"], s["verdict"], s["expect"], s["reason"]) for s in res["statements"]
               if s["verdict"] != s["expect"]]
        assert not bad


def test_a_script_cannot_set_a_verdict():
    from losscert import compile_loss, dense
    loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    proof = Proof("bogus", source="test")
    proof.local_minimum(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0})      # a saddle
    proof.rank([[1, 2], [2, 4]], 2)                                     # rank 1
    proof.identity("(a + b)**2", "a**2 + b**2")                         # not an identity
    assert [s["verdict"] for s in run(proof)["statements"]] == [kernel.REFUTED] * 3
    with pytest.raises(TypeError):
        proof.local_minimum(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, verdict="verified")


def test_markdown_report_and_errata(tmp_path, capsys):
    from losscert.cli import main
    report = tmp_path / "r.md"
    assert main(["prove", str(ROOT / "proofs" / "lsz_theorem2.py"), "--report", str(report), "--errata"]) == 0
    text = report.read_text()
    assert "| 3) theta is a strict local minimum | refuted | refuted |" in text
    assert r"\frac{221}{360}" in text and r"\left[\begin{matrix}" in text
    assert "Checked: `strict_local_minimum` for the loss L1 at" in text     # the statement, from its record
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("| lin-sun-zhang")]
    assert len(rows) == 2 and all("refuted" in r for r in rows)


def test_a_broken_script_is_one_line_and_exit_1(tmp_path, capsys):
    from losscert.cli import main
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('nope')\n")
    assert main(["prove", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot load" in err[0] and "nope" in err[0]
