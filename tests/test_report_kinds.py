"""Reports never crash: every statement kind renders, with pictures (matplotlib)
and without; a loss with declared symbols gets a one-line "no picture"; a
report is written whole or not at all."""
import json
import os

import pytest

from losscert import report, statements
from losscert.cli import main
from test_statements import CASES

MORE = [   # the kinds test_statements leaves to other files, as `losscert prove --emit` wrote them
    {"kind": "vandermonde_full_rank", "activation": "sigmoid", "samples": ["1", "-1", "2"], "start": 0, "step": 1,
     "expect": "refuted"},
    {"kind": "activation_rank", "activation": "shifted_sigmoid", "W": [["1"], ["2"], ["1/3"]],
     "X": [["1", "-1"]], "claimed": 2, "digits": 30, "expect": "refuted"},
    {"kind": "strict_local_minimum", "expect": "refuted", "network": {"inputs": ["x1"], "outputs": ["y1"],
     "activation": "poly(0, 0, 1)", "edges": ["x1 -> h1_1", "h1_1 -> y1"]}, "data": {"X": [["1"]], "Y": [["1"]]},
     "scale": "1", "point": {"x1 -> h1_1": "0", "h1_1 -> y1": "-1"}},
    {"kind": "spurious_local_minimum", "better": {"x -> h": "1001", "h -> y": "-13/2000"},
     "network": {"inputs": ["x", "one"], "outputs": ["y"], "activation": "relu",
                 "edges": ["x -> h", "one -> h", "h -> y"], "fixed": {"one -> h": "-1"}},
     "data": {"X": [["3", "2", "1"], ["1", "1", "1"]], "Y": [["2", "1", "-100"]]}, "scale": "1",
     "point": {"x -> h": "1", "h -> y": "1"}},
    {"kind": "narrow_basin_conditions", "activation": "softplus", "x": ["1", "2", "3"], "ws": ["0"], "w0": "1/10",
     "digits": 30},
    {"kind": "narrow_basin_target", "activation": "swish", "x": ["0.1", "2", "3"], "w": "1", "M": "100",
     "printed": ["-99.9475", "-1.1766", "6.5060"], "places": 4},
    {"kind": "local_minimum_near", "radius": "1/10**40", "digits": 60, "network": {"inputs": ["x1"],
     "outputs": ["y1"], "activation": "poly(1, 1, 1)", "edges": ["x1 -> h1_1", "h1_1 -> y1"]},
     "data": {"X": [["1", "2", "3"]], "Y": [["-99", "201", "-99"]]}, "scale": "1",
     "point": {"x1 -> h1_1": "0", "h1_1 -> y1": "1"}},
    {"kind": "local_minimum", "symbols": {"a": "a > 0"}, "network": {"inputs": ["x"], "outputs": ["y"],
     "edges": ["x -> h", "h -> y"]}, "data": {"X": [["1"]], "Y": [["a"]]}, "scale": "1/2",
     "point": {"x -> h": "1", "h -> y": "a"}},
]
_LINE = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
MORE += [   # the landscape statements (docs/claims.md's example)
    {"kind": "paths_to_global_minimum", "network": _LINE, "data": {"X": [["1", "2"]], "Y": [["2", "4"]]},
     "symbols": {"a": "real", "b": "real"}, "generic": ["a"], "start": {"x -> h": "a", "h -> y": "b"},
     "segments": [{"x -> h": "a", "h -> y": "b + t*(2/a - b)"}], "orthogonal": [[["2", "-1"]]]},
    {"kind": "spurious_valley", "network": _LINE, "data": {"X": [["1", "2"]], "Y": [["2", "4"]]},
     "point": {"x -> h": "0", "h -> y": "0"}, "better": {"x -> h": "1", "h -> y": "2"}, "expect": "inconclusive"},
]
RECORDS = [r for r, _ in CASES] + MORE


def results_of(records) -> list[dict]:
    """``losscert prove`` results (one proof) for records, decided here."""
    out = []
    for i, r in enumerate(records, 1):
        v = statements.verdict_dict(statements.decide(r))
        out.append({"statement": f"statement {i} ({r['kind']})", "expect": v["verdict"], "note": "",
                    "record": r, **v})
    return [{"name": "every kind", "source": "tests", "statements": out}]


@pytest.fixture(scope="module")
def every_kind():
    return results_of(RECORDS)


def test_every_statement_kind_is_covered():
    assert {r["kind"] for r in RECORDS} == set(statements.KINDS)


def test_every_kind_renders_without_pictures(every_kind):
    text = report.report_markdown(every_kind, "losscert prove x", pictures=False)
    assert "data:image" not in text and "no picture" not in text
    for i in range(1, len(RECORDS) + 1):
        assert f"**{i}. statement {i} (" in text


def test_without_matplotlib_pictures_are_omitted_and_said_so(every_kind, monkeypatch):
    monkeypatch.setattr(report, "pictures_available", lambda: False)
    text = report.report_markdown(every_kind, "losscert prove x")
    assert "- pictures: omitted (they need the `plot` extra" in text and "data:image" not in text


def test_every_kind_renders_with_pictures(every_kind):
    pytest.importorskip("matplotlib")
    from losscert import plots
    text = report.report_markdown(every_kind, "losscert prove x", pictures=True)
    context = statements.Context(RECORDS)
    for i, (r, s) in enumerate(zip(RECORDS, every_kind[0]["statements"]), 1):
        block = text.split(f"**{i}. statement {i} ({r['kind']})**")[1].split("<details>")[0]
        if r.get("symbols") and "data" in r and ("point" in r or "path" in r):
            assert "(no picture: a loss with declared symbols has no single graph)" in block
            continue
        assert "no picture" not in block
        drawn = None
        if "data" in r and ("point" in r or "path" in r):
            loss = context.loss(r)
            theta = context.point(r) if "point" in r else loss.point([0] * len(loss.params))
            drawn = plots.certificate_curve(loss, theta, r, s["evidence"])
        assert ("](data:image/png;base64," in block) == (drawn is not None), (i, r["kind"])
    assert text.count("](data:image/png;base64,") >= 8


def test_the_symbolic_proof_that_crashed_reports(tmp_path):
    script = tmp_path / "symbolic.py"
    script.write_text("from losscert import Network, compile_loss, dense\nfrom losscert.proof import Proof\n"
                      "loss = compile_loss(dense([1, 1, 1]), [[1]], [['a']], symbols={'a': 'a > 0'})\n"
                      "PROOF = Proof('symbolic', source='test')\n"
                      "PROOF.local_minimum(loss, {'x1 -> h1_1': 1, 'h1_1 -> y1': 'a'}, text='a valley')\n")
    out = tmp_path / "r.md"
    assert main(["prove", str(script), "-q", "--report", str(out)]) == 0
    text = out.read_text()
    assert "Verdict: **verified**" in text and "(no picture: a loss with declared symbols" in text


def test_a_failing_report_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    out = tmp_path / "r.md"
    out.write_text("the old report")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(report, "report_markdown", broken)
    with pytest.raises(RuntimeError):
        report.write_report([], out)
    assert out.read_text() == "the old report"
    assert os.listdir(tmp_path) == ["r.md"]


def test_a_report_is_readable_like_any_file(tmp_path):
    out = tmp_path / "r.md"
    report.write_report(results_of(RECORDS[:1]), out)
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~mask
    assert json.dumps(out.read_text())      # text, whole
