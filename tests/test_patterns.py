import sympy

from losscert import dense, sparse_dense
from losscert.claims import load
from losscert.network import Network
from losscert.patterns import two_layer_patterns
from test_compiler import ROOT


def test_theorem2_network_is_sparse_dense_and_violates_all_of_theorem1():
    cf = load(ROOT / "examples" / "lin-sun-zhang-theorem2.toml")
    pats = two_layer_patterns(cf.network)
    assert pats.classification == "sparse-dense"
    assert [(g.inputs, g.size, g.dim) for g in pats.groups] == [(("x1", "x2"), 1, 2), (("x3", "x4"), 1, 2)]
    X = sympy.Matrix(cf.loss.X_sym)
    conds = pats.theorem1_conditions(X)
    assert [c["holds"] for c in conds] == [False, False, False]          # Remark 1
    assert conds[1]["numbers"]["Z1 Z2^T"] == str([[sympy.Rational(3, 5), 0], [0, sympy.Rational(4, 5)]])
    assert pats.Z(X, 0) * pats.Z(X, 0).T == sympy.eye(2)


def test_classifications_and_conditions_that_hold():
    assert two_layer_patterns(dense([3, 2, 1])).classification == "dense"
    net = sparse_dense([(0, 1), (0, 1), (2,)], d_x=3, d_y=1)
    pats = two_layer_patterns(net)
    conds = pats.theorem1_conditions(sympy.eye(3))
    assert [c["holds"] for c in conds] == [True, True, True]
    ss = Network.from_table({"inputs": ["x1", "x2"], "outputs": ["y1", "y2"],
                             "edges": ["x1 -> h1", "x2 -> h2", "h1 -> y1", "h2 -> y2"]})
    assert two_layer_patterns(ss).classification == "sparse-sparse"
