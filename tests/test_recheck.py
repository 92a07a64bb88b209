"""The independent rechecker (src/losscert_recheck): isolation, size, one test per certificate kind
(true, false, degenerate, misuse), and the bundles written by ``--certificates``."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from losscert import statements
from losscert_recheck import NotCovered, Rejected, recheck
from losscert_recheck.__main__ import outcome

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "losscert_recheck"
LINE_LIMIT = 2500


def item(record):
    """A bundle item for ``record``, decided and certified by losscert's kernel."""
    v = statements.verdict_dict(statements.decide(record))
    return {"statement": record, "verdict": v["verdict"], "reason": v["reason"], "certificate": v.get("certificate")}


NET = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
DATA = {"X": [["1", "2"]], "Y": [["2", "4"]]}


def loss_record(kind, point, **extra):
    return {"kind": kind, "network": NET, "data": DATA, "point": point, **extra}


# -- isolation and size ----------------------------------------------------------------------------------

def test_importing_the_rechecker_loads_no_losscert_module_and_no_sympy():
    code = ("import sys, losscert_recheck, losscert_recheck.__main__\n"
            "bad = sorted(m for m in sys.modules if (m == 'losscert' or m.startswith('losscert.')) "
            "or m.split('.')[0] in ('sympy', 'networkx', 'mpmath', 'numpy'))\n"
            "print(bad)")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_rechecker_imports_only_the_standard_library_and_flint():
    import ast
    allowed = set(sys.stdlib_module_names) | {"flint", "losscert_recheck"}
    for f in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for n in names:
                assert n.split(".")[0] in allowed, f"{f.name} imports {n}"


def test_the_rechecker_is_small():
    lines = sum(len(f.read_text().splitlines()) for f in PACKAGE.glob("*.py"))
    print(f"losscert_recheck: {lines} lines (limit {LINE_LIMIT})")
    assert lines < LINE_LIMIT


# -- algebra ----------------------------------------------------------------------------------------------

def test_identity_true_false_and_a_wrong_verdict():
    good = item({"kind": "identity", "lhs": "(a + sqrt(2))**2", "rhs": "a**2 + 2*sqrt(2)*a + 2"})
    assert good["verdict"] == "verified"
    recheck(good)
    bad = item({"kind": "identity", "lhs": "(a + 1)**2", "rhs": "a**2 + 1"})
    assert bad["verdict"] == "refuted"
    recheck(bad)
    with pytest.raises(Rejected):
        recheck({**bad, "verdict": "verified", "certificate": {"kind": "identity", "entries": 1}})


def test_long_decimals_are_read_by_their_digits():
    it = {"statement": {"kind": "identity", "lhs": "1.00000000000000000001", "rhs": "1"}, "verdict": "verified",
          "certificate": {"kind": "identity", "entries": 1}}
    with pytest.raises(Rejected):           # as a float, 1.00000000000000000001 == 1
        recheck(it)
    recheck({**it, "verdict": "refuted", "certificate": {"kind": "identity", "entries": 1, "entry": 1}})


def test_identity_with_transcendental_constants_is_formal():
    recheck(item({"kind": "identity", "lhs": "tanh(2)*(x + 1)", "rhs": "tanh(2)*x + tanh(2)"}))
    # tanh(2) = 2 tanh(1) / (1 + tanh(1)**2): true, but not formally; the kernel proves it in Q(e),
    # the rechecker (transcendental values as independent atoms) says not covered, never rejected
    double = item({"kind": "identity", "lhs": "tanh(2)*(1 + tanh(1)**2)", "rhs": "2*tanh(1)"})
    assert double["verdict"] == "verified"
    with pytest.raises(NotCovered):
        recheck(double)


def test_powers_with_symbolic_exponents_are_atoms():
    recheck(item({"kind": "identity", "lhs": "x**a * (y**a + 1)", "rhs": "y**a * x**a + x**a"}))


def test_signs_on_a_region_through_ordered_chains():
    from losscert_recheck.exact import Reader
    from losscert_recheck.network import signed_symbols
    declared, signs, chains = signed_symbols({"y": "y > 4*z > 0", "z": ""})
    assert signs == {"y": 1, "z": 1} and chains == [[("y", 1), ("z", 4)]]
    r = Reader(["y**2 - 16*z**2", "y - 5*z"])
    r.ring.signs = {r.symbols["y"]: 1, r.symbols["z"]: 1}
    r.ring.chains = [[(r.symbols[n], c) for n, c in chains[0]]]
    assert r.value("y**2 - 16*z**2").sign() == 1          # (u1 + u2)**2 - u1**2 > 0
    assert r.value("y - 5*z").sign() is None               # not decided: y = 4.5 z is in the region


def test_a_refutation_on_a_region_names_a_point_of_it():
    record = {"kind": "loss_value", "network": NET, "symbols": {"a": "a > 1"}, "data": {"X": [["1"]], "Y": [["2"]]},
              "point": {"x -> h": "a", "h -> y": "1"}, "value": "1/2"}
    it = item(record)
    assert it["verdict"] == "refuted" and it["certificate"]["kind"] == "at_region_point", it
    recheck(it)
    at = it["certificate"]["at"]
    with pytest.raises(Rejected):            # a = 1 is outside the region (and there L = 1/2 holds)
        recheck({**it, "certificate": {**it["certificate"], "at": {"a": "1"}}})
    assert at != {"a": "1"}


def test_identity_of_matrices_and_vectors():
    recheck(item({"kind": "identity", "lhs": [["a", "b"], ["c", "d"]], "rhs": [["a", "b"], ["c", "d"]]}))
    refuted = item({"kind": "identity", "lhs": ["a", "b"], "rhs": ["a", "b + 1"]})
    assert refuted["certificate"] == {"kind": "identity", "entries": 2, "entry": 2}
    recheck(refuted)
    with pytest.raises(Rejected):
        recheck({**refuted, "certificate": {"kind": "identity", "entries": 2, "entry": 1}})


def test_rank_symbolic_and_numeric():
    for matrix, claimed in (([["1", "2"], ["2", "4"]], 1), ([["a", "b"], ["a*c", "b*c"]], 1),
                            ([["a", "1"], ["1", "a"]], 2), ([["1", "2"], ["3", "4"]], 1)):
        it = item({"kind": "rank", "matrix": matrix, "claimed": claimed})
        assert it["certificate"]["kind"] == "rank"
        recheck(it)


def test_rank_certificate_tampering_is_rejected():
    it = item({"kind": "rank", "matrix": [["1", "2", "3"], ["2", "4", "6"], ["1", "0", "1"]], "claimed": 2})
    recheck(it)
    cert = it["certificate"]
    for bad in ({**cert, "kernel": []}, {**cert, "kernel": [["1", "1", "1"]]}, {**cert, "rank": 3},
                {**cert, "minor_rows": [1, 2]}, {**cert, "extra": 1}):
        with pytest.raises(Rejected):
            recheck({**it, "certificate": bad})


def test_determinant():
    recheck(item({"kind": "determinant", "matrix": [["a", "b"], ["c", "d"]], "claimed": "a*d - b*c"}))
    it = item({"kind": "determinant", "matrix": [["a", "b"], ["c", "d"]], "claimed": "a*d + b*c"})
    assert it["verdict"] == "refuted"
    recheck(it)
    with pytest.raises(Rejected):
        recheck({**it, "verdict": "verified"})


def test_inequality_sum_of_squares_sign_and_counterexample():
    recheck(item({"kind": "inequality", "lhs": "x**2 + y**2", "rhs": "2*x*y", "certificate": [["1", "x - y"]]}))
    recheck(item({"kind": "inequality", "lhs": "tanh(1)", "rhs": "3/4"}))
    recheck(item({"kind": "inequality", "lhs": "x**2", "rhs": "x", "counterexample": {"x": "1/2"}}))
    wrong = {"statement": {"kind": "inequality", "lhs": "x**2", "rhs": "2*x*y", "certificate": [["1", "x - y"]]},
             "verdict": "verified", "certificate": {"kind": "sum_of_squares", "terms": 1}}
    with pytest.raises(Rejected):
        recheck(wrong)
    negative_weight = {"statement": {"kind": "inequality", "lhs": "0", "rhs": "x**2", "certificate": [["-1", "x"]]},
                       "verdict": "verified", "certificate": {"kind": "sum_of_squares", "terms": 1}}
    with pytest.raises(Rejected):
        recheck(negative_weight)


# -- losses -------------------------------------------------------------------------------------------------

def test_loss_value_and_gradient():
    it = item(loss_record("loss_value", {"x -> h": "1", "h -> y": "2"}, value="0"))
    assert it["certificate"] == {"kind": "loss_value", "value": "0"}
    recheck(it)
    with pytest.raises(Rejected):
        recheck({**it, "certificate": {"kind": "loss_value", "value": "1"}})
    crit = item(loss_record("critical_point", {"x -> h": "1", "h -> y": "1"}))
    assert crit["verdict"] == "refuted"
    recheck(crit)
    with pytest.raises(Rejected):
        recheck({**crit, "verdict": "verified"})


def test_lower_loss_by_arb_balls_for_transcendental_activations():
    net = {**NET, "activation": "tanh"}
    record = {"kind": "not_global", "network": net, "data": DATA, "point": {"x -> h": "0", "h -> y": "0"},
              "better": {"x -> h": "1", "h -> y": "2"}}
    it = item(record)
    assert it["verdict"] == "verified" and it["certificate"] == {"kind": "lower_loss_balls"}
    recheck(it)
    swapped = {**record, "point": record["better"], "better": record["point"]}
    with pytest.raises(Rejected):
        recheck({**it, "statement": swapped})


def test_gradient_balls_refute_critical_points_of_transcendental_losses():
    record = {"kind": "critical_point", "network": {**NET, "activation": "swish"}, "data": DATA,
              "point": {"x -> h": "1", "h -> y": "1"}}
    it = item(record)
    assert it["verdict"] == "refuted" and it["certificate"]["kind"] == "gradient_ball"
    recheck(it)
    with pytest.raises(Rejected):
        recheck({**it, "verdict": "verified"})
    with pytest.raises(Rejected):
        recheck({**it, "certificate": {"kind": "gradient_ball", "parameter": "x -> y"}})


def test_narrow_basin_conditions():
    for act, verdict in (("poly(0, 1, 1)", "refuted"), ("swish", "verified")):
        it = item({"kind": "narrow_basin_conditions", "activation": act, "x": ["1", "2", "3"], "ws": ["1"],
                   "w0": "2"})
        assert it["verdict"] == verdict
        recheck(it)
        with pytest.raises(Rejected):
            recheck({**it, "certificate": {"kind": "narrow_basin", "failed": [1]}})


def test_narrow_basin_target():
    record = {"kind": "narrow_basin_target", "activation": "swish", "x": ["0.1", "2", "3"], "w": "1", "M": "100",
              "printed": ["-99.9475", "-1.1766", "6.5060"], "places": 4}
    it = item(record)
    assert it["verdict"] == "verified" and it["certificate"] == {"kind": "basin_target"}
    recheck(it)
    wrong = {**record, "printed": ["-99.9475", "-1.1767", "6.5060"]}
    with pytest.raises(Rejected):
        recheck({**it, "statement": wrong})
    recheck({**it, "statement": wrong, "verdict": "refuted"})


def test_krawczyk_boxes():
    net = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"], "activation": "tanh",
           "fixed": {"h -> y": "2"}}
    record = {"kind": "local_minimum_near", "network": net, "data": {"X": [["1"]], "Y": [["1"]]},
              "point": {"x -> h": "1/2"}, "radius": "1/10"}
    it = item(record)
    assert it["verdict"] == "verified" and it["certificate"]["kind"] == "krawczyk", it
    recheck(it)
    far = {**it["certificate"], "center": {"x -> h": "0.7"}}      # outside the ball of radius 1/10
    with pytest.raises(Rejected):
        recheck({**it, "certificate": far})


def test_minimum_certificates():
    strict = item(loss_record("strict_local_minimum", {"x -> h": "1", "h -> y": "2"}))
    assert strict["verdict"] == "refuted" and strict["certificate"]["kind"] == "rescaling_orbit"
    recheck(strict)
    with pytest.raises(Rejected):
        recheck({**strict, "certificate": {"kind": "rescaling_orbit", "neuron": "x"}})
    local = item(loss_record("local_minimum", {"x -> h": "1", "h -> y": "2"}))
    recheck(local)
    saddle = item(loss_record("saddle", {"x -> h": "0", "h -> y": "0"}))
    assert saddle["verdict"] == "verified" and saddle["certificate"]["kind"] == "saddle"
    recheck(saddle)
    with pytest.raises(Rejected):
        c = saddle["certificate"]
        recheck({**saddle, "certificate": {**c, "descent": c["ascent"]}})


def test_constant_line_refutes_strictness():
    net = {**NET, "activation": "poly(0, 0, 1)"}           # h outputs sigma(0) = 0: h -> y moves freely
    it = item({"kind": "strict_local_minimum", "network": net, "data": {"X": [["1"]], "Y": [["-1"]]},
               "point": {"x -> h": "0", "h -> y": "1"}})
    assert it["verdict"] == "refuted" and it["certificate"] == {"kind": "constant_line", "direction": {
        "x -> h": "0", "h -> y": "1"}}
    recheck(it)
    with pytest.raises(Rejected):
        recheck({**it, "certificate": {"kind": "constant_line", "direction": {"x -> h": "1", "h -> y": "0"}}})


def test_morse_bott_certificate():
    net = {"inputs": ["x1", "x2"], "outputs": ["y1", "y2"],
           "edges": ["x1 -> h", "x2 -> h", "h -> y1", "h -> y2"]}
    record = {"kind": "local_minimum", "network": net, "data": {"X": [["1", "0"], ["0", "1"]],
                                                                 "Y": [["1", "0"], ["0", "4"]]},
              "point": {"x1 -> h": "0", "x2 -> h": "2", "h -> y1": "0", "h -> y2": "2"}}
    it = item(record)
    assert it["verdict"] == "verified" and it["certificate"]["kind"] == "morse_bott_rescaling", it
    recheck(it)
    cert = it["certificate"]
    with pytest.raises(Rejected):
        recheck({**it, "certificate": {**cert, "D": ["-1"] + cert["D"][1:]}})


def test_values_at_kinks_are_exact_but_derivatives_there_are_not_covered():
    net = {**NET, "activation": "relu"}
    record = {"kind": "loss_value", "network": net, "data": DATA, "point": {"x -> h": "0", "h -> y": "1"},
              "value": "10"}
    it = item(record)
    assert it["verdict"] == "verified"
    recheck(it)
    crit = {**record, "kind": "critical_point"}
    del crit["value"]
    fake = {"statement": crit, "verdict": "verified",
            "certificate": {"kind": "gradient", "gradient": {"x -> h": "0", "h -> y": "0"}}}
    with pytest.raises(NotCovered):
        recheck(fake)


def test_symbolic_regions():
    record = {"kind": "loss_value", "network": NET, "symbols": {"a": "a > 0"}, "data": {"X": [["1"]], "Y": [["2"]]},
              "point": {"x -> h": "a", "h -> y": "2/a"}, "value": "0"}
    it = item(record)
    assert it["verdict"] == "verified"
    recheck(it)
    undeclared = {**record, "symbols": {"a": ""}}      # a may be 0: 2/a is not defined on the region
    with pytest.raises(NotCovered):
        recheck({**it, "statement": undeclared})
    with pytest.raises(NotCovered):                    # a refutation needs a point of the region
        recheck({**it, "statement": {**record, "value": "1"}, "verdict": "refuted",
                 "certificate": {"kind": "loss_value", "value": "0"}})


def test_misuse_gives_a_reason_not_a_traceback():
    assert outcome({"statement": {"kind": "identity", "lhs": "__import__('os')", "rhs": "1"},
                    "verdict": "verified", "certificate": {"kind": "identity", "entries": 1}})[0] == "REJECTED"
    assert outcome({"statement": {"kind": "identity", "lhs": "x**100000", "rhs": "1"},
                    "verdict": "verified", "certificate": {"kind": "identity", "entries": 1}})[0] == "REJECTED"
    assert outcome({"statement": "nothing", "verdict": "verified"})[0] == "REJECTED"
    assert outcome({"statement": {"kind": "rank"}, "verdict": "inconclusive",
                    "certificate": {"kind": "rank"}})[0] == "REJECTED"
    assert outcome({"statement": {"kind": "rank"}, "verdict": "verified", "certificate": None})[0] == "not covered"
    assert outcome({"statement": {"kind": "identity", "lhs": "1", "rhs": "1"}, "verdict": "verified",
                    "certificate": {"kind": "rank", "rank": 1}})[0] == "REJECTED"


# -- activations ----------------------------------------------------------------------------------------------

def test_activation_certificates():
    recheck(item({"kind": "arithmetic_derivatives", "activation": "tanh", "n": 3}))
    recheck(item({"kind": "arithmetic_derivatives", "activation": "relu", "n": 1}))
    recheck(item({"kind": "arithmetic_derivatives", "activation": "poly(0, 1, 0, 1)", "n": 3}))
    it = item({"kind": "activation_rank", "activation": "tanh", "W": [["1"], ["3"]], "X": [["1", "2"]],
               "claimed": 2})
    recheck(it)
    recheck(item({"kind": "vandermonde_full_rank", "activation": "tanh", "samples": ["1", "-1", "2"], "start": 1,
                  "step": 2}))
    with pytest.raises(Rejected):
        recheck({"statement": {"kind": "arithmetic_derivatives", "activation": "tanh", "n": 2}, "verdict": "verified",
                 "certificate": {"kind": "derivative_progression", "orders": [1, 2]}})


# -- bundles and the command line ------------------------------------------------------------------------------

def _run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "losscert", *args], capture_output=True, text=True, **kw)


def test_check_certificates_then_recheck(tmp_path):
    claim = tmp_path / "c.toml"
    claim.write_text('[network]\ninputs = ["x"]\noutputs = ["y"]\nedges = ["x -> h", "h -> y"]\n\n'
                     '[data]\nX = [["1"]]\nY = [["2"]]\n\n[point]\n"x -> h" = "1"\n"h -> y" = "2"\n\n'
                     '[[claim]]\nkind = "critical_point"\n\n[[claim]]\nkind = "loss_value"\nvalue = "0"\n')
    out = _run("check", str(claim), "--certificates", str(tmp_path / "b"))
    assert out.returncode == 0, out.stdout + out.stderr
    doc = json.loads((tmp_path / "b" / "c.json").read_text())
    assert [i["statement"]["kind"] for i in doc["items"]] == ["critical_point", "loss_value"]
    assert doc["items"][1]["statement"]["point"] == {"x -> h": "1", "h -> y": "2"}
    out = _run("recheck", str(tmp_path / "b"))
    assert out.returncode == 0 and "2 items: 2 rechecked, 0 rejected" in out.stdout, out.stdout
    doc["items"][1]["certificate"]["value"] = "1"
    (tmp_path / "b" / "c.json").write_text(json.dumps(doc))
    out = _run("recheck", str(tmp_path / "b"))
    assert out.returncode == 1 and "REJECTED" in out.stdout


def test_recheck_misuse(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    out = subprocess.run([sys.executable, "-I", "-m", "losscert_recheck", str(tmp_path)], capture_output=True,
                         text=True)
    assert out.returncode == 1 and "not a certificate bundle" in out.stdout
    out = subprocess.run([sys.executable, "-I", "-m", "losscert_recheck", str(tmp_path / "none")],
                         capture_output=True, text=True)
    assert out.returncode == 2


# -- landscape statements (docs/rules.md "Landscape statements") ----------------------------------------

def landscape(segments, **extra):
    return {"kind": "paths_to_global_minimum", "network": NET, "data": {"X": [["1"]], "Y": [["2"]]},
            "symbols": {"a": "a > 0", "b": "real"}, "start": {"x -> h": "a", "h -> y": "b"},
            "segments": segments, **extra}


SEGMENT = {"x -> h": "a", "h -> y": "b + t*(2/a - b)"}


def test_a_verified_landscape_path_is_rechecked():
    it = item(landscape([SEGMENT]))
    assert it["verdict"] == "verified" and it["certificate"]["kind"] == "landscape_paths"
    assert outcome(it) == ("rechecked", "")
    cubic = item({**landscape([SEGMENT]), "network": {**NET, "activation": "poly(0, 1, 0, 1)"},
                  "segments": [{"x -> h": "a", "h -> y": "b + t*(2/(a + a**3) - b)"}]})
    assert cubic["verdict"] == "verified" and outcome(cubic)[0] == "rechecked"
    zeros = item({**landscape([SEGMENT]), "data": {"X": [["1", "0"]], "Y": [["2", "0"]]}})    # a zero sample
    assert zeros["verdict"] == "verified" and outcome(zeros) == ("rechecked", "")
    flat = item({**landscape([{"x -> h": "a", "h -> y": "b"}]), "data": {"X": [["0"]], "Y": [["0"]]}})  # L = 0
    assert flat["verdict"] == "verified" and flat["certificate"]["segments"][0]["method"] == "constant"
    assert outcome(flat) == ("rechecked", "")


def test_generic_denominators_and_orthogonal_matrices():
    net = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
    rec = {"kind": "paths_to_global_minimum", "network": net, "data": {"X": [["1", "1"]], "Y": [["1", "3"]]},
           "symbols": {"a": "real", "b": "real"}, "generic": ["a"], "start": {"x -> h": "a", "h -> y": "b"},
           "segments": [{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], "orthogonal": [[["1", "-1"]]]}
    it = item(rec)
    assert it["verdict"] == "verified" and outcome(it) == ("rechecked", "")
    bad = json.loads(json.dumps(it))
    bad["certificate"]["lower_bound"]["orthogonal"] = [[["1", "1"]]]
    assert outcome(bad)[0] == "REJECTED"
    bad = json.loads(json.dumps(it))
    bad["statement"]["orthogonal"] = [[["1", "1"]]]          # not orthogonal to every output
    bad["certificate"]["lower_bound"]["orthogonal"] = [[["1", "1"]]]
    assert outcome(bad)[0] == "REJECTED"
    dropped = json.loads(json.dumps(it))
    dropped["statement"]["generic"] = dropped["certificate"]["generic"] = []    # 1/a is then undefined at a = 0
    assert outcome(dropped)[0] in ("REJECTED", "not covered")
    dropped = json.loads(json.dumps(it))
    dropped["certificate"]["generic"] = []
    assert outcome(dropped)[0] == "REJECTED"


def test_corrupted_landscape_certificates_are_rejected():
    it = item(landscape([SEGMENT]))
    for change in (lambda c: c["segments"][0]["map"].update({"h -> y": "b + t*(3/a - b)"}),
                   lambda c: c["segments"][0].update(method="constant"),
                   lambda c: c["segments"][0].update(method="sideways"),
                   lambda c: c["lower_bound"].update(value="1/3"),
                   lambda c: c["start"].update({"x -> h": "2*a"}),
                   lambda c: c.update(symbols={"a": "real", "b": "real"})):
        bad = json.loads(json.dumps(it))
        change(bad["certificate"])
        assert outcome(bad)[0] == "REJECTED", bad["certificate"]
    # the statement changed under its certificate: a segment that overshoots (L rises near t = 1)
    bad = json.loads(json.dumps(it))
    bad["statement"]["segments"] = [{"x -> h": "a", "h -> y": "b + t*(3/a - b)"}]
    assert outcome(bad)[0] == "REJECTED"
    bad = json.loads(json.dumps(it))
    bad["verdict"] = "refuted"
    assert outcome(bad)[0] == "REJECTED"
    odd = json.loads(json.dumps(it))          # a symbol in an activation's coefficients: beyond the rechecker
    odd["statement"]["network"] = {**NET, "activation": "poly(0, 1, a)"}
    assert outcome(odd)[0] in ("not covered", "REJECTED")


def test_refuted_landscape_statements_carry_a_counterexample():
    gap = item(landscape([{"x -> h": "a + 1", "h -> y": "b"}]))
    assert gap["verdict"] == "refuted" and gap["certificate"]["kind"] == "landscape_counterexample"
    assert outcome(gap) == ("rechecked", "")
    rise = item(landscape([{"x -> h": "a", "h -> y": "b + t*(3/a - b)"}]))
    assert rise["verdict"] == "refuted" and "t" in rise["certificate"], rise
    assert outcome(rise) == ("rechecked", "")
    for change in (lambda c: c.update(t=[c["t"][1], c["t"][0]]), lambda c: c.update(at={"a": "-1", "b": "0"}),
                   lambda c: c.update(t=["0", "2"])):
        bad = json.loads(json.dumps(rise))
        change(bad["certificate"])
        assert outcome(bad)[0] == "REJECTED", bad["certificate"]
    bad = json.loads(json.dumps(gap))
    bad["statement"]["segments"] = [{"x -> h": "a", "h -> y": "b"}]        # joins: nothing is refuted
    assert outcome(bad)[0] == "REJECTED"
