import networkx as nx
import pytest

from losscert import Network, conv1d, dense, masked, sparse_dense
from losscert.network import NetworkError, conv_matrix_entries


def net_from(edges, inputs=("x",), outputs=("y",), **attrs):
    return Network.from_table({"inputs": list(inputs), "outputs": list(outputs), "edges": edges, **attrs})


@pytest.mark.parametrize("table, message", [
    ({"edges": ["x -> h", "h -> g", "g -> h", "h -> y"]}, "cycle"),
    ({"edges": ["x -> h", "h -> x", "h -> y"]}, "goes into input 'x'"),
    ({"edges": ["x -> y", "y -> h", "h -> y2"], "outputs": ["y", "y2"]}, "leaves output 'y'"),
    ({"edges": ["x -> h", "h -> y"], "activations": {"h": "swishy"}}, "node 'h': unknown activation"),
    ({"edges": ["x -> h", "h -> y"], "inputs": ["x", "x2"]}, "node 'x2' is on no edge"),
    ({"edges": ["x -> h", "x -> h", "h -> y"]}, "listed twice"),
    ({"edges": ["x -> h", "h -> y"], "tied": {"k": ["x -> h"], "j": ["x -> h"]}}, "in both"),
    ({"edges": ["x -> h", "h -> y"], "tied": {"k": ["x -> q"]}}, "not in network.edges"),
    ({"edges": ["x -> h", "h -> y"], "fixed": {"x -> h": 1}, "tied": {"k": ["x -> h"]}}, "also fixed"),
    ({"edges": ["x -> h", "h -> y"], "tied": {"x -> h": ["h -> y"]}}, "collides"),
    ({"edges": ["x => h", "h -> y"]}, "must be written"),
    ({"edges": ["x -> h", "h -> y"], "fixed": {"x -> h": "nan"}}, "fixed weight"),
    ({"edges": ["x -> h", "h -> y"], "activations": {"y": "tanh"}}, "output nodes are linear"),
    ({"edges": ["x -> h", "h -> y"], "biases": ["z"]}, "unknown node 'z'"),
    ({"edges": ["x -> h", "h -> y"], "inputs": ["x"], "outputs": ["x"]}, "both an input and an output"),
    ({"edges": ["x -> h", "h -> y"], "colour": "red"}, "network.colour: unknown key"),
])
def test_invalid_networks_name_the_culprit(table, message):
    full = {"inputs": ["x"], "outputs": ["y"], **table}
    with pytest.raises(NetworkError, match=message):
        Network.from_table(full)


def test_parameters_follow_the_edge_list_ties_and_biases():
    net = net_from(["h -> y", "x -> h", "x -> g", "g -> y"], biases=["h"],
                   fixed={"g -> y": "1/2"}, tied={"k": ["x -> h", "x -> g"]})
    assert net.parameters == ("h -> y", "k", "b:h")
    assert net.param_edges("k") == [("x", "h"), ("x", "g")]


def test_table_and_graphml_round_trips(tmp_path):
    net = net_from(["x -> h", "x -> g", "h -> y", "g -> y"], biases=["g"], activations={"h": "tanh"},
                   fixed={"g -> y": "sqrt(2)"}, tied={"k": ["x -> h", "x -> g"]})
    again = Network.from_table(net.to_table())
    path = tmp_path / "net.graphml"
    net.to_graphml(path)
    back = Network.from_graphml(path)
    for other in (again, back):
        assert other.parameters == net.parameters
        assert other.fixed == net.fixed and other.tied == net.tied
        assert {n: other.activation(n) for n in other.hidden} == {n: net.activation(n) for n in net.hidden}


def test_builders():
    assert dense([3, 2, 1]).parameters[:3] == ("x1 -> h1_1", "x2 -> h1_1", "x3 -> h1_1")
    assert len(dense([3, 2, 1]).parameters) == 8
    net = masked([[[1, 1, 0], [0, 1, 1]], [[1, 1]]], biases=True)
    assert net.parameters[-2:] == ("b:h1_1", "b:h1_2")
    sd = sparse_dense([(0,), (1, 2)], d_x=3, d_y=2)
    assert sd.hidden == ("h1_1", "h1_2") and len(sd.parameters) == 3 + 4
    with pytest.raises(NetworkError, match="shape"):
        masked([[[1, 1]], [[1, 1]]])


@pytest.mark.parametrize("mode, rows", [("FULL", 4), ("SAME", 3), ("VALID", 2)])
def test_convolution_matrices_match_the_paper(mode, rows):
    # f_F, f_S, f_V for d_1 = 2, d = 3 in Section 4.3 (w1 is kernel index 0)
    paper = {"FULL": [[2, 0, 0], [1, 2, 0], [0, 1, 2], [0, 0, 1]],
             "SAME": [[1, 2, 0], [0, 1, 2], [0, 0, 1]],
             "VALID": [[1, 2, 0], [0, 1, 2]]}[mode]
    got = [[0] * 3 for _ in range(rows)]
    for r, c, i in conv_matrix_entries(3, 2, mode):
        got[r][c] = i + 1
    assert got == paper
    net = conv1d(3, 2, mode, channels=2, d_y=1)
    assert [p for p in net.parameters if p.startswith("k")] == ["k1_2", "k1_1", "k2_2", "k2_1"] \
        if mode == "FULL" else ["k1_1", "k1_2", "k2_1", "k2_2"]


def test_graph_api_accepts_plain_networkx():
    g = nx.DiGraph()
    g.add_edge("a", "h", tie="t")
    g.add_edge("b", "h", tie="t")
    g.add_edge("h", "y", fixed=2)
    g.nodes["h"]["activation"] = "leaky_relu(1/10)"
    net = Network(g, ["a", "b"], ["y"])
    assert net.parameters == ("t",)
    assert net.activation("h").properties["positively_homogeneous"]
