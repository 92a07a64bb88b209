"""The shell around the kernel: traps that used to give plausible wrong
answers now give a clear error or the right behaviour; points and data in
every usual form; SymPy results; parameter names; notebook displays."""
import pickle
from decimal import Decimal
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
import sympy

from losscert import claims, compile_loss, dense, kernel, to_sympy
from losscert.compiler import CompileError, PointError
from losscert.network import Network, NetworkError
from losscert.proposers import newton

TABLE = {"inputs": ["x1", "x2"], "outputs": ["y1", "y2"],
         "edges": ["x1 -> h1", "x2 -> h2", "h1 -> y1", "h2 -> y2"]}


# -- dangling hidden nodes (typos in claim files) --------------------------------

@pytest.mark.parametrize("edges, node, side, guess", [
    (["x1 -> h1", "x2 -> h1", "x22 -> h2", "h1 -> y1", "h2 -> y2"], "x22", "incoming", "'x2'"),   # a source
    (["x1 -> h1", "x2 -> h2", "h1 -> y1", "h1 -> y2", "h2 -> y3"], "y3", "outgoing", "'y"),        # an output
])
def test_a_typo_in_an_edge_is_an_error_with_a_guess(edges, node, side, guess):
    table = {**TABLE, "edges": edges}
    with pytest.raises(NetworkError) as err:
        Network.from_table(table)
    msg = str(err.value)
    assert f"hidden node {node!r} has no {side} edge" in msg
    assert f"did you mean {guess}" in msg and "network.dangling" in msg


def test_declared_dangling_nodes_are_accepted_and_written_back():
    table = {**TABLE, "edges": TABLE["edges"] + ["x1 -> dead", "ghost -> y1"], "dangling": ["dead", "ghost"]}
    net = Network.from_table(table)
    assert set(net.hidden) == {"h1", "h2", "dead", "ghost"}
    assert net.to_table()["dangling"] == ["dead", "ghost"]
    assert Network.from_table(net.to_table()).parameters == net.parameters


@pytest.mark.parametrize("dangling, message", [
    (["h1"], "'h1' has incoming and outgoing edges"),
    (["zz"], "'zz' is not a node of network.edges"),
    (["x1"], "'x1' is an input or output"),
    ("h1", "must be a list of node names"),
])
def test_wrong_dangling_declarations_are_errors(dangling, message):
    with pytest.raises(NetworkError, match=message):
        Network.from_table({**TABLE, "dangling": dangling})


def test_a_biased_node_without_inputs_is_a_source_not_a_typo():
    net = Network.from_table({**TABLE, "edges": TABLE["edges"] + ["c -> y1"], "biases": ["c"]})
    assert "c" in net.hidden


def test_appendix_example_declares_its_useless_nodes_and_keeps_its_verdict(tmp_path):
    res = claims.check("examples/lin-sun-zhang-appendixA.toml")
    assert [c["verdict"] for c in res["claims"]] == ["refuted"]
    text = open("examples/lin-sun-zhang-appendixA.toml").read().replace('dangling = ["h1_2", "h4_1", "h4_2"]', "")
    (tmp_path / "a.toml").write_text(text)
    with pytest.raises(claims.ClaimFileError, match="hidden node 'h1_2' has no outgoing edge"):
        claims.load(tmp_path / "a.toml")


# -- networkx conventions -----------------------------------------------------------

@pytest.mark.parametrize("graph, message", [
    (nx.Graph([("x", "h"), ("h", "y")]), "undirected Graph is not accepted"),
    (nx.MultiDiGraph([("x", "h"), ("x", "h"), ("h", "y")]), "parallel edges would be merged"),
    ([("x", "h"), ("h", "y")], "expected a networkx DiGraph, got list"),
])
def test_graph_types_that_would_be_misread_are_rejected(graph, message):
    with pytest.raises(NetworkError, match=message):
        Network(graph, ["x"], ["y"])


def test_the_weight_attribute_is_rejected_with_what_to_write_instead():
    g = nx.DiGraph()
    g.add_edge("x", "h", weight=2.0)
    g.add_edge("h", "y")
    with pytest.raises(NetworkError, match="'x -> h'.*'weight'.*fixed=<number>.*in the point"):
        Network(g, ["x"], ["y"])
    g.edges["x", "h"]["fixed"] = 2
    del g.edges["x", "h"]["weight"]
    assert Network(g, ["x"], ["y"]).parameters == ("h -> y",)


# -- points and data in every usual form ----------------------------------------------

@pytest.fixture(scope="module")
def loss():
    return compile_loss(dense([1, 1, 1]), X=[[1, 2]], Y=[[2, 4]])


POINT = {"x1 -> h1_1": 1, "h1_1 -> y1": 2}


@pytest.mark.parametrize("form", [
    POINT, [1, 2], (1, 2), np.array([1, 2]), np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int8),
    {"x1 -> h1_1": np.int64(1), "h1_1 -> y1": np.float64(2.0)}, ["1", Decimal(2)], [Fraction(1), 2.0],
    sympy.Matrix([1, 2]), sympy.Matrix([[1, 2]]),
])
def test_value_accepts_every_point_form(loss, form):
    assert loss.value(form) == 0
    assert loss.gradient(form) == [0, 0]
    assert loss.hessian(form) == sympy.Matrix([[20, 10], [10, 5]])


def test_floats_are_read_by_their_shortest_decimal_text(loss):
    assert to_sympy(loss.point(np.array([0.1, 0.2]))) == [sympy.Rational(1, 10), sympy.Rational(1, 5)]
    assert to_sympy(loss.point(np.array([0.1, 0.2], dtype=np.float32))) == [sympy.Rational(1, 10),
                                                                            sympy.Rational(1, 5)]


@pytest.mark.parametrize("form, message", [
    (np.array([[1, 2]]), "expected 1 dimension, got an array of shape"),
    (np.array([1, 2, 3]), "3 values for 2 parameters"),
    (np.array([1.0, np.nan]), "not a finite real number"),
    (np.array([1 + 1j, 2]), "complex numbers"),
    ({"x1 -> h1_1": 1}, "no value for parameter 'h1_1 -> y1'"),
    ({**POINT, "x1 -> h9": 1}, "'x1 -> h9' is not a parameter"),
    ("1, 2", "expected a mapping"),
])
def test_bad_points_are_clear_errors(loss, form, message):
    with pytest.raises(PointError, match=message):
        loss.point(form)


@pytest.mark.parametrize("rule", ["critical_point", "local_minimum", "strict_local_minimum", "saddle",
                                  "hessian_psd"])
def test_every_kernel_rule_accepts_a_dict_point(loss, rule):
    by_dict = getattr(kernel, rule)(loss, POINT)
    by_field = getattr(kernel, rule)(loss, loss.point(POINT))
    assert by_dict.status == by_field.status != "inconclusive" or rule == "saddle"
    assert by_dict.reason == by_field.reason


def test_point_taking_rules_with_two_points_and_values(loss):
    assert kernel.saddle(loss, np.array([0.0, 0.0])).status == "verified"
    assert kernel.saddle(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}).status == "verified"
    assert kernel.not_global(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": 0}, POINT).status == "verified"
    assert kernel.spurious_local_minimum(loss, POINT, [0, 0]).status == "refuted"
    assert kernel.loss_value(loss, np.array([0, 0]), loss.field(10)).status == "verified"
    assert kernel.critical_point(loss, {"x1 -> h1_1": "1/2", "h1_1 -> y1": 2}).status == "refuted"


def test_rigorous_rules_accept_dict_points():
    tl = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, "3/2"]])
    pt = {"x1 -> h1_1": 0.65, "h1_1 -> y1": 1.7}
    assert newton.local_minimum_near(tl, pt, "1/10").status == "verified"     # propose a centre, then certify
    assert kernel.local_minimum_near(tl, pt, "1/10").status != "refuted"     # the kernel alone: around pt itself
    assert kernel.critical_point(tl, pt).status == "refuted"
    assert kernel.rigorous.compare_losses(tl, np.array([0, 0]), pt).status == "verified"


@pytest.mark.parametrize("X", [np.array([[1, 2]]), np.array([[1.0, 2.0]]), sympy.Matrix([[1, 2]]), ((1, 2),),
                               np.array([["1", "sqrt(4)"]], dtype=object), [np.array([1, 2])]])
def test_data_accepts_arrays(X):
    loss = compile_loss(dense([1, 1, 1]), X=X, Y=np.array([[2.0, 4.0]]))
    assert loss.value(POINT) == 0


@pytest.mark.parametrize("X, message", [
    (np.array([1, 2]), "data.X: expected 2 dimensions"),
    (np.array([[1, 2], [3, 4]]), "data.X: has 2 rows but the network has 1 inputs"),
    (np.array([[0.5, np.inf]]), r"data.X\[1\]\[2\]: .*not a finite real number"),
    (np.array([[True, False]]), "booleans are not numbers"),
])
def test_bad_array_data_are_clear_errors(X, message):
    with pytest.raises(CompileError, match=message):
        compile_loss(dense([1, 1, 1]), X=X, Y=[[1, 2]])


# -- results as SymPy -------------------------------------------------------------------

def test_to_sympy_turns_algebraic_results_into_sympy():
    loss = compile_loss(dense([1, 1, 1]), X=[["sqrt(2)", 1]], Y=[[1, 0]])
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": "1/2"})
    value = loss.value(theta, raw=True)          # the field element behind the public SymPy value
    assert type(value).__name__ == "ANP"
    expected = loss.expression().subs({s: v for s, v in zip(loss.symbols(), [1, sympy.Rational(1, 2)])})
    assert sympy.simplify(to_sympy(value) - expected) == 0
    assert to_sympy(value, loss) == loss.to_sympy(value) == to_sympy(value)
    assert to_sympy(value, loss.field) == to_sympy(value, loss.field.domain) == to_sympy(value)
    other = sympy.QQ.algebraic_field(sympy.sqrt(101))     # a field losscert never built
    with pytest.raises(TypeError, match="pass field=loss.field"):
        to_sympy(other.from_sympy(1 + sympy.sqrt(101)))
    assert to_sympy(other.from_sympy(1 + sympy.sqrt(101)), other) == 1 + sympy.sqrt(101)
    H = to_sympy(loss.hessian(theta))
    assert isinstance(H, sympy.MatrixBase) and H.shape == (2, 2) and H[0, 1].has(sympy.sqrt(2))
    assert [sympy.nsimplify(g) for g in to_sympy(loss.gradient(theta))] == to_sympy(loss.gradient(theta))


def test_to_sympy_on_rationals_containers_and_junk(loss):
    grad = loss.gradient({"x1 -> h1_1": 1, "h1_1 -> y1": 1})
    assert to_sympy(grad) == [sympy.Integer(-5), sympy.Integer(-5)]
    assert all(isinstance(g, sympy.Integer) for g in to_sympy(grad))
    assert to_sympy({"a": loss.field(sympy.Rational(3, 4))}) == {"a": sympy.Rational(3, 4)}
    assert to_sympy(np.array([[0.5, 1]])) == sympy.Matrix([[sympy.Rational(1, 2), 1]])
    with pytest.raises(TypeError, match="not a number"):
        to_sympy(None)


# -- names -------------------------------------------------------------------------------

def test_parameter_symbols_have_identifier_and_latex_names():
    from losscert.network import conv1d
    net = Network.from_table({**TABLE, "biases": ["h1"], "tied": {"k1_2": ["x1 -> h1", "x2 -> h2"]}})
    loss = compile_loss(net, X=[[1], [2]], Y=[[1], [1]])
    syms = loss.symbols()
    assert [s.name for s in syms] == ["k1_2", "w_h1_y1", "w_h2_y2", "b_h1"]
    assert all(s.name.isidentifier() for s in syms)
    assert [s.param for s in syms] == list(loss.params)
    assert [sympy.latex(s) for s in syms] == ["k_{1,2}", "w_{h_{1} y_{1}}", "w_{h_{2} y_{2}}", "b_{h_{1}}"]
    assert loss.symbol("h1 -> y1") is syms[1]
    assert pickle.loads(pickle.dumps(syms[1])) == syms[1]
    assert "w_{h_{1} y_{1}}" in sympy.latex(loss.expression())
    assert all(s.name.isidentifier() for s in compile_loss(conv1d(3, 2, "VALID"), [[1], [2], [3]], [[1]]).symbols())


def test_symbol_names_stay_distinct_when_identifiers_collide():
    g = nx.DiGraph()
    g.add_edge("x", "h", tie="w_h_y")       # a tie key equal to the identifier of the edge h -> y
    g.add_edge("h", "y")
    loss = compile_loss(Network(g, ["x"], ["y"]), [[1]], [[1]])
    names = [s.name for s in loss.symbols()]
    assert len(set(names)) == 2 and set(loss.expression().free_symbols) == set(loss.symbols())


def test_notebook_displays():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), X=[[1, 2]], Y=[[1, 2]])
    md = loss._repr_markdown_()
    assert "2 parameters" in md and "| hidden (tanh) | h1_1 |" in md and "w_{x_{1} h_{1,1}}" in md
    assert loss._repr_latex_().startswith("$$L = ")
    assert loss.network._repr_latex_() == \
        r"$$\begin{aligned}y_{1} &= w_{h_{1,1} y_{1}} \tanh{\left(w_{x_{1} h_{1,1}} x_{1} \right)}\end{aligned}$$"
    big = dense([5, 5, 5])
    assert big._repr_latex_() is None and "..." in big._repr_markdown_()


# -- the claim-file writer ----------------------------------------------------------------

def _rich_network():
    return Network.from_table({
        "inputs": ["x1", "x2"], "outputs": ["o 1", "o2"], "activation": "tanh",
        "edges": ["x1 -> h1", "x2 -> h1", "x1 -> h2", "x2 -> h2", "h1 -> o 1", "h2 -> o 1", "h2 -> o2",
                  "h1 -> o2", "x2 -> dead"],
        "activations": {"h2": "leaky_relu(1/10)"}, "biases": ["h1"], "dangling": ["dead"],
        "fixed": {"h1 -> o2": "-sqrt(2)"}, "tied": {"k": ["x1 -> h1", "x2 -> h2"]}})


def test_written_claim_files_load_back_to_the_same_numbers(tmp_path):
    from losscert.writer import dump_claim_file
    net = _rich_network()
    X = np.array([[0.1, 2.0, -1.5], [1.0, 0.0, 0.25]])
    Y = [["sqrt(9/10)", 0, 1], [Fraction(1, 3), Decimal("0.5"), -2]]
    point = {p: i / 4 for i, p in enumerate(net.parameters)}
    path = tmp_path / "w.toml"
    dump_claim_file(net, X, Y, point, ["critical_point", {"kind": "not_global", "better": np.zeros(8),
                                                         "expect": "inconclusive", "note": 'a "quoted" note'},
                                       {"kind": "loss_value", "value": "1/3", "expect": "refuted"}],
                    path, title="round trip", scale="1")
    cf = claims.load(path)
    assert cf.title == "round trip" and cf.network.to_table() == net.to_table()
    assert cf.loss.X_sym == [[sympy.Rational(1, 10), 2, sympy.Rational(-3, 2)], [1, 0, sympy.Rational(1, 4)]]
    assert cf.loss.Y_sym[0][0] == sympy.sqrt(sympy.Rational(9, 10)) and cf.loss.scale_sym == 1
    assert to_sympy(cf.point, cf.loss) == [sympy.Rational(i, 4) for i in range(8)]
    assert [(c.kind, c.expect) for c in cf.claims] == [("critical_point", "verified"),
                                                       ("not_global", "inconclusive"), ("loss_value", "refuted")]
    assert to_sympy(cf.claims[1].args["better"], cf.loss) == [0] * 8


def test_a_point_found_in_python_is_saved_and_decides_the_same(tmp_path):
    loss = compile_loss(dense([1, 1, 1]), X=[["sqrt(2)", 1]], Y=[[1, 0]])
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": "3/2"})       # field elements of QQ<sqrt(2)>
    loss.network.to_claim_file(tmp_path / "p.toml", loss.X_sym, loss.Y_sym, theta,
                               ["local_minimum", {"kind": "loss_value", "value": loss.value(theta)}])
    cf = claims.load(tmp_path / "p.toml")
    assert cf.point == theta
    for claim in cf.claims:
        assert claims.decide(cf, claim).status == \
            kernel.guarded(getattr(kernel, claim.kind), loss, theta, *claim.args.values()).status
    assert claims.decide(cf, cf.claims[1]).status == "verified"


def test_an_effective_only_file_needs_no_data(tmp_path):
    from losscert.writer import claim_file_text
    text = claim_file_text(dense([2, 2, 1]), None, None, None, [{"kind": "effective"}])
    assert "[data]" not in text and "[point]" not in text
    (tmp_path / "e.toml").write_text(text)
    assert claims.check(tmp_path / "e.toml")["claims"][0]["verdict"] == "verified"


@pytest.mark.parametrize("args, message", [
    (dict(point={"x1 -> h1_1": 1}), "point: no value for parameter 'h1_1 -> y1'"),
    (dict(point=[1, float("nan")]), r"point.h1_1 -> y1: .*not a finite real number"),
    (dict(point=[1, sympy.pi]), "point.h1_1 -> y1: pi has no exact claim-file text"),
    (dict(claims=[{"kind": "loss_value", "valeu": 1}]), r"claim\[1\].valeu: unknown key"),
    (dict(claims=[]), "at least one claim"),
    (dict(X=[[True]]), r"data.X\[1\]\[1\]: to_sympy: True is not a number"),
])
def test_what_cannot_be_written_is_a_clear_error(tmp_path, args, message):
    from losscert.writer import ClaimWriteError, dump_claim_file
    full = dict(X=[[1]], Y=[[1]], point=[1, 1], claims=["critical_point"]) | args
    with pytest.raises(ClaimWriteError, match=message):
        dump_claim_file(dense([1, 1, 1]), path=tmp_path / "x.toml", **full)
    assert not (tmp_path / "x.toml").exists()


# -- packaging ---------------------------------------------------------------------------------

def test_one_version_read_without_importing_the_package():
    """pyproject takes the version from losscert.__version__ by reading the
    source (setuptools' static attr), so building metadata imports nothing."""
    import subprocess
    import sys
    import tomllib
    from pathlib import Path
    import losscert
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "losscert.__version__"}
    assert project["project"]["entry-points"]["pytest11"] == {"losscert": "losscert.pytest_plugin"}
    code = ("import sys; from setuptools.config.expand import read_attr; "
            "v = read_attr('losscert.__version__', package_dir={'': 'src'}, root_dir='.'); "
            "print(v, 'losscert' in sys.modules, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    assert out.split() == [losscert.__version__, "False", "False"]
    assert (root / "src" / "losscert" / "py.typed").exists() and "MIT License" in (root / "LICENSE").read_text()
