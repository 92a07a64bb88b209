from pathlib import Path

from losscert import Network, effective
from losscert.claims import load

ROOT = Path(__file__).resolve().parents[1]


def rules(report):
    return {r.name: r.rule for r in report.removed if r.kind == "node"}


def test_appendix_a_example_each_rule():
    cf = load(ROOT / "examples" / "lin-sun-zhang-appendixA.toml")
    eff, report = effective(cf.network)
    assert rules(report) == {
        "h1_2": "zero out-degree",
        "h1_1": "zero out-degree after later removals",
        "h4_1": "zero in-degree",
        "h4_2": "zero in-degree",
        "h3_2": "zero in-degree after earlier removals",
    }
    assert set(eff.hidden) == {"h2_1", "h3_1", "h2_2"}
    assert "x1" in report.useless_inputs      # x1 only fed h1_1
    removed_edges = {r.name for r in report.removed if r.kind == "edge"}
    assert "h1_1 -> h1_2" in removed_edges and "h4_1 -> h3_2" in removed_edges


def test_bias_exception_keeps_a_node_without_inputs():
    table = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y", "g -> y"], "biases": ["g"]}
    eff, report = effective(Network.from_table(table))
    assert report.is_effective and "g" in eff.hidden
    table["biases"], table["dangling"] = [], ["g"]
    eff, report = effective(Network.from_table(table))
    assert rules(report) == {"g": "zero in-degree"}


def test_effective_network_is_unchanged():
    table = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
    eff, report = effective(Network.from_table(table))
    assert report.is_effective and eff.parameters == ("x -> h", "h -> y")


def test_nothing_left():
    table = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "g -> y"], "dangling": ["h", "g"]}
    eff, report = effective(Network.from_table(table))
    assert eff is None and "h" in rules(report) and report.useless_outputs == ["y"]
