"""`losscert prove --report`: a self-contained Markdown report (version, command,
network, data, points, labelled Hessians, certificates, optional pictures)."""
import base64
import json
import re

import pytest

from losscert import __version__, report
from losscert.cli import main

SCRIPT = """
import networkx as nx
from losscert import Network, compile_loss
from losscert.proof import Proof

g = nx.DiGraph()
g.add_edge("x1", "h1", tie="a")
g.add_edge("x2", "h1", tie="a")
g.add_edge("h1", "y1")
g.nodes["h1"]["bias"] = True
loss = compile_loss(Network(g, inputs=["x1", "x2"], outputs=["y1"]), [[1], [1]], [[2]])
PROOF = Proof("a tied network", source="test")
PROOF.local_minimum(loss, {"a": 1, "h1 -> y1": 1, "b:h1": 0}, text="a zero-loss point")
PROOF.local_minimum(loss, {"a": 0, "h1 -> y1": 0, "b:h1": 0}, expect="refuted", text="the origin")
PROOF.rank([[1, 2], [2, 4]], 1, text="a rank-one matrix")
"""


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    """The results of the script (JSON) and the report written by the same run."""
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "tied.py").write_text(SCRIPT)
    out = tmp / "r.md"
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["prove", str(tmp / "tied.py"), "--json", "--report", str(out)]) == 0
    return json.loads(buffer.getvalue())["proofs"], out.read_text(), tmp


def test_the_report_says_what_made_it_and_on_which_network(proved):
    _, text, tmp = proved
    assert f"- losscert {__version__} (Python " in text
    assert f"- command: `losscert prove {tmp / 'tied.py'} --json --report {tmp / 'r.md'}`" in text
    assert "- edges (3): x1 -> h1, x2 -> h1, h1 -> y1" in text      # the canonical order
    assert "- biases: h1" in text
    assert '- tied: `{"a": ["x1 -> h1", "x2 -> h1"]}`' in text
    assert "- parameters (3, the order of points and Hessians): a, h1 -> y1, b:h1" in text
    assert r"- X = $$\left[\begin{matrix}1\\1\end{matrix}\right]$$" in text
    assert "- 1 proofs, 3 statements, 3 as expected, 0 not" in text


def test_hessians_are_labelled_and_certificates_included(proved):
    results, text, _ = proved
    origin = results[0]["statements"][1]
    hessian = origin["evidence"]["hessian"]
    assert report.hessian_markdown(hessian, ["a", "h1 -> y1", "b:h1"]) in text
    assert r"\begin{array}{r|rrr} & \mathrm{a} & w_{h_{1} y_{1}} & b_{h_{1}} \\ \hline \mathrm{a} & 0 & -4 & 0" in text
    # the whole certificate of each statement, as `losscert prove -v` prints it
    for s in results[0]["statements"]:
        assert report.evidence_text(s["evidence"], "") in text
    assert text.count("<details><summary>certificate</summary>") == 3


def test_a_hessian_whose_size_does_not_match_is_not_mislabelled():
    assert report.hessian_markdown([["1", "0"], ["0", "1"]], ["a"]) == r"$$\left[\begin{matrix}1 & 0\\0 & 1\end{matrix}\right]$$"


def test_without_the_plot_extra_pictures_are_omitted_and_said_so(proved):
    results, _, _ = proved
    text = report.report_markdown(results, "losscert prove x", pictures=False)
    assert "- pictures: omitted (they need the `plot` extra: `pip install 'losscert[plot]'`)" in text
    assert "data:image" not in text


def test_with_the_plot_extra_the_certificate_curves_are_inline_pngs(proved):
    pytest.importorskip("matplotlib")
    results, text, _ = proved
    images = re.findall(r"!\[([^\]]*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text)
    assert [label for label, _ in images] == ["the loss along the descent curve"]     # the origin's refutation
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for _, data in images)
    assert "- pictures: the loss along each certificate's curve" in text


def test_pictures_follow_the_availability_of_matplotlib(monkeypatch, proved):
    results, _, _ = proved
    monkeypatch.setattr(report, "pictures_available", lambda: False)
    assert "data:image" not in report.report_markdown(results)
