import json
import subprocess
import sys
from pathlib import Path

import pytest

from losscert.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = """
title = "tiny"
[network]
inputs = ["x"]
outputs = ["y"]
edges = ["x -> h", "h -> y"]
[data]
X = [[1, 2]]
Y = [[2, 4]]
[point]
"x -> h" = 1
"h -> y" = 2
[[claim]]
kind = "local_minimum"
[[claim]]
kind = "loss_value"
value = 0
"""


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_examples_all_match_their_expectations(capsys):
    assert main(["check", str(ROOT / "examples")]) == 0


def test_json_shape(tmp_path, capsys):
    assert main(["check", "--json", write(tmp_path, GOOD)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (f,) = doc["files"]
    assert f["title"] == "tiny" and [c["kind"] for c in f["claims"]] == ["local_minimum", "loss_value"]
    for c in f["claims"]:
        assert set(c) == {"kind", "verdict", "expect", "reason", "evidence"}
        assert c["verdict"] == c["expect"] == "verified"


def test_mismatch_exits_1(tmp_path, capsys):
    bad = GOOD.replace("value = 0", "value = 1")
    assert main(["check", write(tmp_path, bad)]) == 1
    assert "BAD" in capsys.readouterr().out


MALFORMED = [
    ("not toml [", "not valid TOML"),
    (GOOD.replace("[network]", "[netwrk]"), "netwrk: unknown key"),
    (GOOD.replace('edges = ["x -> h", "h -> y"]', 'edges = ["x -> h", "h -> x", "h -> y"]'), "goes into input"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "global_maximum"'), "claim[1].kind"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = "nan"'), "point.'h -> y'"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = "__import__(\'os\')"'), "point.'h -> y'"),
    (GOOD.replace('"h -> y" = 2', '"h -> y" = 2\n"h -> z" = 1'), "not a parameter"),
    (GOOD.replace('"h -> y" = 2\n', ''), "no value for parameter 'h -> y'"),
    (GOOD.replace("Y = [[2, 4]]", "Y = [[2]]"), "columns"),
    (GOOD.replace("X = [[1, 2]]", 'X = [[1, "inf"]]'), "data.X[1][2]"),
    (GOOD.replace("value = 0", ""), "claim[2].value: missing"),
    (GOOD.replace('kind = "loss_value"', 'kind = "not_global"'), "claim[2].value: unknown key"),
    (GOOD.replace("[[claim]]", "[[claims]]"), "claims: unknown key"),
    (GOOD.replace('expect', 'x').replace('kind = "local_minimum"', 'kind = "local_minimum"\nexpect = "yes"'),
     "claim[1].expect"),
    (GOOD.replace('activation', 'a').replace('edges = ["x -> h", "h -> y"]',
                                               'edges = ["x -> h", "h -> y"]\nactivation = "gelu"'),
     "unknown activation"),
    ("title = 3\n" + GOOD.split("\n", 2)[2], "title: must be a string"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum_near"\nradius = "1/10"\ndigits = 3'),
     "claim[1].digits: must be an integer from 10 to 1000"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum_near"\nradius = "-1"'),
     "claim[1].radius: must be positive"),
    (GOOD.replace('kind = "local_minimum"', 'kind = "local_minimum"\ndigits = 30'),
     "claim[1].digits: unknown key for kind local_minimum"),
]


@pytest.mark.parametrize("text, message", MALFORMED)
def test_malformed_files_exit_2_with_one_clear_line(tmp_path, capsys, text, message):
    path = write(tmp_path, text)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(path) and "Traceback" not in err[0]
    assert message in err[0], err[0]


def test_missing_file_and_json_is_still_one_document(tmp_path, capsys):
    assert main(["check", "--json", str(tmp_path / "nope.toml"), write(tmp_path, GOOD)]) == 2
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["files"][0]["error"] == "no such file" and doc["files"][1]["claims"]


def test_python_dash_m_and_console_script():
    r = subprocess.run([sys.executable, "-m", "losscert", "check", str(ROOT / "examples")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "verified" in r.stdout


# -- statements as data: emit, check, budgets, exit codes ---------------------------------

def test_emitted_claim_files_reproduce_the_proof_verdicts(tmp_path, capsys):
    scripts = [ROOT / "proofs" / n for n in ("lsz_theorem2.py", "lds_examples.py", "iclr_deep_scalar.py",
                                             "lsz_appendixA_pruning.py", "lsz_theorem8_valley.py")]
    out = tmp_path / "out"
    main(["prove", *map(str, scripts), "--emit", str(out), "--json"])
    proved = json.loads(capsys.readouterr().out)
    assert proved["schema"] == 2 and proved["summary"]["statements"] == sum(len(p["statements"])
                                                                         for p in proved["proofs"])
    assert all(isinstance(p["seconds"], float) for p in proved["proofs"])
    main(["check", str(out), "--json"])
    checked = json.loads(capsys.readouterr().out)
    kinds = {s["rule"] for p in proved["proofs"] for s in p["statements"]}
    assert {"rank", "identity", "determinant", "inequality", "effective", "local_minimum", "loss_value",
            "strict_local_minimum", "spurious_local_minimum", "hessian_psd"} <= kinds
    a = sorted((p["name"], [(s["rule"], s["verdict"], s["reason"]) for s in p["statements"]])
               for p in proved["proofs"])
    b = sorted((f["title"], [(c["kind"], c["verdict"], c["reason"]) for c in f["claims"]]) for f in checked["files"])
    assert a == b and checked["summary"]["as_expected"] == checked["summary"]["statements"]


@pytest.mark.slow
def test_every_proof_round_trips_through_claim_files(tmp_path, capsys):
    out = tmp_path / "out"
    main(["prove", str(ROOT / "proofs"), "--emit", str(out), "--json"])
    proved = json.loads(capsys.readouterr().out)
    main(["check", str(out), "--json"])
    checked = json.loads(capsys.readouterr().out)
    assert sorted((p["name"], [s["verdict"] for s in p["statements"]]) for p in proved["proofs"]) == \
        sorted((f["title"], [c["verdict"] for c in f["claims"]]) for f in checked["files"])


SLOW_THEN_QUICK = """
[[claim]]
kind = "arithmetic_derivatives"
activation = "sigmoid"
n = 3
max_order = 200
expect = "inconclusive"

[[claim]]
kind = "rank"
matrix = [["1", "2"], ["2", "4"]]
claimed = 1
"""


def test_time_budget_makes_a_claim_inconclusive_and_the_next_one_runs(tmp_path, capsys):
    assert main(["check", "--json", "--timeout", "1", write(tmp_path, SLOW_THEN_QUICK)]) == 0
    first, second = json.loads(capsys.readouterr().out)["files"][0]["claims"]
    assert first["verdict"] == "inconclusive" and first["reason"] == "time budget exceeded (1 s)"
    assert second["verdict"] == "verified"


def test_nothing_collected_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty")]) == 2
    assert main(["prove", str(tmp_path / "empty")]) == 2
    assert main(["prove", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and err[2] == f"{tmp_path / 'missing'}: no such file or directory"


def test_prove_prints_the_reason_on_a_bad_line(tmp_path, capsys):
    script = tmp_path / "wrong.py"
    script.write_text("from losscert.proof import Proof\nPROOF = Proof('p', source='t')\n"
                      "PROOF.rank([[1, 2], [2, 4]], 2)\n")
    assert main(["prove", str(script)]) == 1
    bad = [line for line in capsys.readouterr().out.splitlines() if "BAD" in line]
    assert len(bad) == 1 and "rank is 1, not 2" in bad[0]


def test_version_and_help_do_not_import_sympy():
    code = "import sys; from losscert.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n" \
           "assert 'sympy' not in sys.modules, 'sympy imported'"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("losscert "), r.stderr
    r = subprocess.run([sys.executable, "-m", "losscert", "check", "--help"], capture_output=True, text=True)
    assert "default 120" in r.stdout


NO_NETWORK = """
title = "algebra only"
[[claim]]
kind = "identity"
lhs = "(a + b)**2"
rhs = "a**2 + 2*a*b + b**2"
[[claim]]
kind = "inequality"
lhs = "x**2 + 1"
rhs = "2*x"
certificate = [["1", "x - 1"]]
[[claim]]
kind = "determinant"
matrix = [["a", "b"], ["c", "d"]]
claimed = "a*d - b*c"
"""


def test_a_file_without_network_and_per_claim_tables(tmp_path, capsys):
    assert main(["check", write(tmp_path, NO_NETWORK)]) == 0
    capsys.readouterr()
    two = GOOD + """
[[claim]]
kind = "loss_value"
value = 10
[claim.point]
"x -> h" = 0
"h -> y" = 0
"""
    assert main(["check", "--json", write(tmp_path, two, "two.toml")]) == 0
    claims_out = json.loads(capsys.readouterr().out)["files"][0]["claims"]
    assert [c["verdict"] for c in claims_out] == ["verified"] * 3


NEW_KIND_ERRORS = [
    (NO_NETWORK.replace('claimed = "a*d - b*c"', 'claimed = "a*d - b*c"\nvalue = 1'), "claim[3].value: unknown key"),
    (NO_NETWORK.replace('rhs = "2*x"', 'rhs = "__import__(\'os\')"'), "claim[2].rhs"),
    (NO_NETWORK.replace('rhs = "2*x"', 'rhs = "pi"'), "claim[2].rhs"),
    ('[[claim]]\nkind = "local_minimum"\n', "network: missing table"),
    (NO_NETWORK.replace('matrix = [["a", "b"], ["c", "d"]]', 'matrix = [["a", "b"], ["c"]]'), "claim[3].matrix"),
]


@pytest.mark.parametrize("text, message", NEW_KIND_ERRORS)
def test_new_kinds_malformed_exit_2_with_one_line(tmp_path, capsys, text, message):
    path = write(tmp_path, text)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(path) and message in err[0], err


def test_a_stuck_checking_process_is_killed_and_the_next_claim_runs():
    import os
    import signal
    from losscert.workers import Worker
    rank = {"kind": "rank", "matrix": [["1", "2"], ["2", "4"]], "claimed": 1}
    with Worker() as worker:
        assert worker.check([rank], timeout=30)[0]["verdict"] == "verified"
        os.kill(worker.proc.pid, signal.SIGSTOP)        # as if stuck in C code: the timer cannot fire
        first, second = worker.check([rank, rank], timeout=1)
    assert first["verdict"] == "inconclusive" and first["reason"] == "time budget exceeded (1 s)"
    assert second["verdict"] == "verified"


def test_library_api_of_claim_files(tmp_path):
    from losscert import claims
    text = GOOD + '\n[[claim]]\nkind = "not_global"\nbetter = { "x -> h" = 0, "h -> y" = 0 }\nexpect = "refuted"\n'
    cf = claims.load(write(tmp_path, text))
    assert [claims.decide(cf, c).status for c in cf.claims] == ["verified", "verified", "refuted"]
    assert cf.claims[2].args["better"] == cf.loss.point({"x -> h": 0, "h -> y": 0})
    assert cf.claims[1].args["value"] == cf.loss.field(0)


def test_verbose_prints_certificates_and_quiet_only_mismatches(tmp_path):
    import subprocess
    import sys
    example = str(Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-theorem2.toml")
    verbose = subprocess.run([sys.executable, "-m", "losscert", "check", "-v", example], capture_output=True, text=True)
    assert verbose.returncode == 0
    assert "kernel_basis:" in verbose.stdout and "rescale neuron h1" in verbose.stdout   # the certificate itself
    quiet = subprocess.run([sys.executable, "-m", "losscert", "check", "-q", example], capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stdout == ""                                  # every claim as expected
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(example).read_text().replace('expect = "refuted"', 'expect = "verified"', 1))
    quiet_bad = subprocess.run([sys.executable, "-m", "losscert", "check", "-q", str(bad)], capture_output=True,
                               text=True)
    lines = quiet_bad.stdout.splitlines()
    assert quiet_bad.returncode == 1 and lines[0].startswith(f"BAD {bad} claim 5: strict_local_minimum: refuted")
    assert lines[1:] == ["      note: paper: strict local minimizer", "1 file, 7 claims: 6 as expected, 1 not"]
