"""The shell, round two: which files are claim files, what `losscert check`
prints (claim numbers, notes, whole certificates, labelled Hessians, a summary
line, --report), "did you mean" for keys, parameter names written as edges
are, float points and numpy arrays, and a parameter order that does not
depend on how the graph was built."""
import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from losscert import Network, compile_loss, dense, kernel
from losscert.cli import main
from losscert.files import claim_files, is_claim_file
from losscert.kernel import gauge
from losscert.network import NetworkError

ROOT = Path(__file__).resolve().parents[1]
CLAIM = """title = "tiny"
[network]
inputs = ["x1"]
outputs = ["y"]
edges = ["x1 -> h1", "h1 -> y"]
[data]
X = [[1, 2]]
Y = [[2, 4]]
[point]
"x1 -> h1" = 1
"h1 -> y" = 2
[[claim]]
kind = "loss_value"
value = 0
[[claim]]
kind = "local_minimum"
note = "zero loss"
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- which files are claim files ---------------------------------------------------------

def test_a_directory_holds_claim_files_and_skips_the_others(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "catalogue.toml").write_text("[[item]]\nname = 'x'\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.toml").write_text(CLAIM)
    (tmp_path / "b.losscert.toml").write_text(CLAIM)
    found = claim_files([tmp_path])
    assert [p.name for p in found.files] == ["b.losscert.toml", "a.toml"]
    assert sorted(p.name for p in found.skipped) == ["catalogue.toml", "pyproject.toml"]
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 0, err
    assert "skipped 2 .toml files that are not claim files" in err
    assert out.splitlines()[-1] == "2 files (2 .toml files skipped), 4 claims: 4 as expected, 0 not"
    code, out, _ = run(capsys, "check", "--json", str(tmp_path))
    assert json.loads(out)["summary"]["skipped_files"] == 2


def test_a_file_named_is_always_read(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    code, _, err = run(capsys, "check", str(tmp_path / "pyproject.toml"))
    assert code == 2 and "project: unknown key" in err
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no claim files (*.losscert.toml, or *.toml with a [[claim]] table)" in err


def test_the_examples_and_proofs_folders_by_the_rule():
    assert all(is_claim_file(p) for p in (ROOT / "examples").glob("*.toml"))
    assert not is_claim_file(ROOT / "proofs" / "items.toml") and not is_claim_file(ROOT / "pyproject.toml")


# -- what check prints -------------------------------------------------------------------

def test_check_lines_carry_claim_numbers_notes_and_a_summary(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(CLAIM)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert out.splitlines() == [
        f"ok  {path} claim 1: loss_value: verified (expect verified): L(point) = 0 exactly",
        f"ok  {path} claim 2: local_minimum: verified (expect verified): L(theta) = 0, the global minimum value "
        "of a squared loss",
        "      note: zero loss",
        "1 file, 2 claims: 2 as expected, 0 not"]


def test_verbose_prints_whole_certificates_and_labelled_hessians(tmp_path, capsys):
    path = tmp_path / "saddle.toml"
    path.write_text(CLAIM.replace('"x1 -> h1" = 1\n"h1 -> y" = 2', '"x1 -> h1" = 0\n"h1 -> y" = 0')
                    .replace("value = 0", 'value = 10\n[[claim]]\nkind = "saddle"'))
    code, out, _ = run(capsys, "check", "-v", str(path))
    assert " ..." not in out
    assert "hessian (rows and columns in the order x1 -> h1, h1 -> y):" in out
    assert re.search(r"^\s+x1 -> h1: \[\"0\", \"-10\"\]$", out, re.M)
    code, out, _ = run(capsys, "check", "--json", str(path))
    saddle = json.loads(out)["files"][0]["claims"][1]
    assert saddle["evidence"]["hessian_parameters"] == ["x1 -> h1", "h1 -> y"]
    assert set(saddle) == {"kind", "verdict", "expect", "reason", "evidence"}         # the JSON contract


def test_check_writes_a_report(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(CLAIM)
    report = tmp_path / "r.md"
    code, _, _ = run(capsys, "check", str(path), "--report", str(report))
    text = report.read_text()
    assert code == 0 and text.startswith("# losscert check report")
    assert f"- command: `losscert check {path} --report {report}`" in text
    assert "**2. claim 2: local_minimum**" in text and "- note: zero loss" in text


@pytest.mark.parametrize("edit, message", [
    (("[data]", "[dat]"), "dat: unknown key (did you mean 'data'?)"),
    (("edges =", "edgse ="), "network.edgse: unknown key (did you mean 'edges'?)"),
    (('note = "zero loss"', 'expct = "verified"'), "claim[2].expct: unknown key for kind local_minimum "
                                                   "(did you mean 'expect'?)"),
    (('"h1 -> y" = 2', '"h1 -> yy" = 2'), "point.'h1 -> yy': not a parameter of the network "
                                          "(did you mean 'h1 -> y'?)"),
    (('"h1 -> y" = 2', '"h1 -> y" = 2\n"h1->y" = 2'), "names the parameter 'h1 -> y' a second time"),
])
def test_misspelt_keys_get_a_did_you_mean(tmp_path, capsys, edit, message):
    path = tmp_path / "typo.toml"
    path.write_text(CLAIM.replace(*edit))
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and message in err and "Traceback" not in err


def test_point_keys_are_normalised_as_edges_are(tmp_path, capsys):
    path = tmp_path / "spaces.toml"
    path.write_text(CLAIM.replace('"x1 -> h1" = 1\n"h1 -> y" = 2', '"x1->h1" = 1\n"h1 ->y" = 2'))
    assert run(capsys, "check", str(path))[0] == 0
    loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])
    assert loss.point({"x1->h1_1": 1, " h1_1 ->y1": 2}) == loss.point([1, 2])


@pytest.mark.parametrize("inputs, outputs, role", [("x1", ["y"], "inputs"), (["x1"], "y", "outputs")])
def test_strings_as_node_lists_are_refused(inputs, outputs, role):
    g = nx.DiGraph([("x1", "h"), ("h", "y")])
    with pytest.raises(NetworkError, match=rf"^{role}: a list of node names is needed, not the string"):
        Network(g, inputs, outputs)
    with pytest.raises(NetworkError, match=f"{role}: a list of node names is needed, not int"):
        Network(g, 3 if role == "inputs" else ["x1"], 3 if role == "outputs" else ["y"])


# -- float points, numpy arrays, the parameter order ------------------------------------------

def test_a_rounded_point_is_told_about_local_minimum_near_and_the_slice():
    loss = compile_loss(dense([1, 1, 1]), [[1, 2]], [[2, 4]])
    rounded = np.array([1.0000001, 1.9999998])              # gradient descent's end point
    for v in (kernel.local_minimum(loss, rounded), kernel.critical_point(loss, rounded)):
        assert v.status == "refuted"
        assert "local_minimum_near" in v.reason and "local_minimum_near_modulo_rescaling" in v.reason
        assert "gauge slice" in v.reason
    exact = kernel.critical_point(loss, {"x1 -> h1_1": "1/3", "h1_1 -> y1": 1})      # not rounded: no hint
    assert exact.status == "refuted" and "local_minimum_near" not in exact.reason
    assert gauge.minimum_near_modulo_rescaling(loss, rounded, "1/1000").status == "verified"


def test_numpy_arrays_everywhere():
    loss = compile_loss(dense([1, 1, 1]), np.array([[1.0, 2.0]]), np.array([[2, 4]]))
    theta, better = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    assert loss.value(theta) == 0 and loss.gradient(theta) == [0, 0]
    assert kernel.local_minimum(loss, theta).status == "verified"
    assert kernel.not_global(loss, better, theta).status == "verified"
    assert gauge.minimum_near_modulo_rescaling(loss, theta, "1/100").status == "verified"
    assert gauge.spurious_minimum_near_modulo_rescaling(loss, theta, "1/100", better).status == "inconclusive"
    with pytest.raises(ValueError, match="3 values for 2 parameters"):
        loss.point(np.array([1.0, 2.0, 3.0]))


def test_the_parameter_order_does_not_depend_on_how_edges_were_added():
    edges = [("x1", "h2"), ("x2", "h10"), ("h10", "y"), ("x1", "h10"), ("h2", "y"), ("x2", "h2")]
    orders = set()
    for k in range(len(edges)):
        g = nx.DiGraph()
        g.add_nodes_from(["y", "h10", "x2", "h2", "x1"][k % 5:] + ["y", "h10", "x2", "h2", "x1"][:k % 5])
        g.add_edges_from(edges[k:] + edges[:k])
        for n in ("h2", "h10"):
            g.nodes[n]["bias"] = True
        orders.add(Network(g, ["x1", "x2"], ["y"]).parameters)
    assert orders == {("x1 -> h2", "x2 -> h2", "x1 -> h10", "x2 -> h10", "h2 -> y", "h10 -> y", "b:h2", "b:h10")}
    # a claim file keeps its declared edge order
    declared = Network.from_table({"inputs": ["x1"], "outputs": ["y"], "edges": ["h -> y", "x1 -> h"]})
    assert declared.parameters == ("h -> y", "x1 -> h")


def test_prove_checks_the_claim_files_it_finds_by_the_same_rule(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "tiny.toml").write_text(CLAIM)
    (tmp_path / "rank.py").write_text("from losscert.proof import Proof\nPROOF = Proof('a rank', source='test')\n"
                                      "PROOF.rank([[1, 2], [2, 4]], 1, text='rank one')\n")
    code, out, err = run(capsys, "prove", str(tmp_path))
    assert code == 0, err
    assert f"tiny  [{tmp_path / 'tiny.toml'}]" in out and "  ok  claim 2: local_minimum: verified" in out
    assert out.splitlines()[-1] == "2 proofs, 3 statements, 3 as expected, 0 not"
    code, _, err = run(capsys, "prove", str(tmp_path / "pyproject.toml"))       # named: always read
    assert code == 1 and "project: unknown key" in err
