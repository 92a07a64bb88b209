"""Statements as data: the expression language, the statement records and their kinds."""
import tomllib
from pathlib import Path

import pytest
import sympy as sp

from losscert import compile_loss, dense, kernel
from losscert.activations import activation
from losscert.claims import claim_file, dumps
from losscert.expressions import ExpressionError, aliases, expression_text, parse_expression
from losscert.proof import Proof, records, run
from losscert.statements import KINDS, Context, StatementError, decide, describe, read

V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE


# -- the expression language ------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("0.9", sp.Rational(9, 10)), ("sqrt(9/10)", sp.sqrt(sp.Rational(9, 10))), ("2**(1/3)", sp.Integer(2) ** sp.Rational(1, 3)),
    ("poly(1, 0, 1)(x)", sp.Symbol("x") ** 2 + 1), ("tanh(1)", sp.tanh(1)), ("-(a - b)", sp.Symbol("b") - sp.Symbol("a")),
    ("leaky_relu(1/10)(-10)", sp.Integer(-1)), ("relu(-3)", sp.Integer(0)), ("a**p", sp.Symbol("a") ** sp.Symbol("p")),
])
def test_parse(text, value):
    assert parse_expression(text) == value


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('true')", "not allowed"), ("x.real", "only numbers"), ("lambda: 1", "only numbers"),
    ("pi", "not a symbol here"), ("E + 1", "not a symbol here"), ("sin(1)", "sin(...) is not allowed"),
    ("exp(1)", "not allowed"), ("((10**64)**64)**64", "bits"), ("2**(1/100)", "exponent"), ("x**(10**6)", "exponent"),
    ("1/0", "division by zero"), ("sqrt(-2)", "not real"), ("(-2)**(1/2)", "not real"), ("x" * 200_001, "longer"),
    ("(" * 300 + "1" + ")" * 300, "not an expression"), ("", "empty"), ("1 +", "not an expression"), ("1e999999", "too large"),
    ("tanh", "not a symbol here"), ("poly(1, x)(2)", "activation"),
])
def test_refused(text, message):
    with pytest.raises(ExpressionError) as exc:
        parse_expression(text)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_writing_round_trips_and_refuses_what_is_not_exact():
    x, p = sp.Symbol("x1 -> h1"), sp.Symbol("p", positive=True)
    names = aliases([x + p])
    assert names == {"x1_h1": "x1 -> h1"}
    text = expression_text((x + sp.sqrt(2)) ** 2 / 3 + p, names)
    assert parse_expression(text, names) == (x + sp.sqrt(2)) ** 2 / 3 + sp.Symbol("p")
    for bad, why in ((sp.Float(0.1) + sp.Float(0.2), "floating-point"), (sp.sin(1), "not allowed"),
                     (sp.pi, "not a symbol"), (0.5, "binary float"), (sp.exp(sp.Symbol("x")), "not allowed")):
        with pytest.raises(ExpressionError, match=why):
            expression_text(bad, {})
    lam = sp.Symbol("lambda")                               # a Python keyword: written through an alias
    names = aliases([lam + 1])
    assert parse_expression(expression_text(lam + 1, names), names) == lam + 1 and "lambda" not in names
    with pytest.raises(ExpressionError, match="both named"):
        aliases([sp.Symbol("x") + sp.Symbol("x", positive=True)])


# -- statement records ----------------------------------------------------------------------

NET = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
APPENDIX_A = tomllib.loads((Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-appendixA.toml")
                           .read_text())["network"]             # useless nodes
AT = {"network": NET, "data": {"X": [["1"]], "Y": [["1"]]}, "scale": "1/2"}
ZERO = {"x -> h": "0", "h -> y": "0"}
ONE = {"x -> h": "1", "h -> y": "1"}

CASES = [   # (record, verdict): one verified, one refuted, one inconclusive where the kind allows
    ({"kind": "critical_point", **AT, "point": ZERO}, V),
    ({"kind": "critical_point", **AT, "point": {"x -> h": "1", "h -> y": "2"}}, R),
    ({"kind": "saddle", **AT, "point": ZERO}, V),
    ({"kind": "local_minimum", **AT, "point": ZERO}, R),
    ({"kind": "local_minimum", **AT, "point": ONE}, V),
    ({"kind": "hessian_psd", **AT, "point": ONE}, V),
    ({"kind": "hessian_psd", **AT, "point": ZERO}, R),
    ({"kind": "not_global", **AT, "point": ZERO, "better": ONE}, V),
    ({"kind": "loss_value", **AT, "point": ZERO, "value": "1/2"}, V),
    ({"kind": "loss_value", **AT, "point": ZERO, "value": "0.5000001"}, R),
    ({"kind": "non_increasing", **AT, "path": [ZERO, ONE]}, V),          # theta(t) = t (1, 1): L = (1 - t^2)^2 / 2
    ({"kind": "non_increasing", **AT, "path": [ZERO, ONE], "a": "1", "b": "2"}, R),
    ({"kind": "effective", "network": NET}, V),
    ({"kind": "effective", "network": APPENDIX_A}, R),
    ({"kind": "lsz_assumption1", "network": NET, "X": [["1", "-2"]]}, V),
    ({"kind": "lsz_assumption1", "network": NET, "X": [["1", "-1"]]}, R),
    ({"kind": "lds_assumption1", "network": NET, "X": [["1"]]}, V),
    ({"kind": "arithmetic_derivatives", "activation": "poly(1, 1, 1, 1)", "n": 3}, V),
    ({"kind": "arithmetic_derivatives", "activation": "poly(0, 0, 1)", "n": 2}, R),
    ({"kind": "rank", "matrix": [["1", "2"], ["2", "4"]], "claimed": 1}, V),
    ({"kind": "rank", "matrix": [["a", "b"], ["b", "a"]], "claimed": 1}, R),
    ({"kind": "determinant", "matrix": [["a", "b"], ["c", "d"]], "claimed": "a*d - b*c"}, V),
    ({"kind": "determinant", "matrix": [["a", "b"], ["c", "d"]], "claimed": "a*d + b*c"}, R),
    ({"kind": "identity", "lhs": "poly(0, 0, 1)(x + 1)", "rhs": "x**2 + 2*x + 1"}, V),
    ({"kind": "identity", "lhs": ["1", "3"], "rhs": ["1", "5"]}, R),
    ({"kind": "inequality", "lhs": "x**2 + 1", "rhs": "2*x", "certificate": [["1", "x - 1"]]}, V),
    ({"kind": "inequality", "lhs": "x", "rhs": "1", "counterexample": {"x": "0"}}, R),
    ({"kind": "inequality", "lhs": "x**2", "rhs": "0"}, V),                  # no certificate: Sturm (issue 20)
    ({"kind": "inequality", "lhs": "x**2 * y**2", "rhs": "0"}, I),           # several symbols, singular Gram
    ({"kind": "inequality", "lhs": "sqrt(2)", "rhs": "1.4142", "strict": True}, V),
    ({"kind": "inequality", "lhs": "w1**2", "rhs": "0", "certificate": [["1", "w1"]],
      "symbols": {"w1": "x1 -> h1"}}, V),
    ({"kind": "local_minimum_near_modulo_rescaling", **AT, "point": ONE, "radius": "1/100"}, V),   # w u = 1
    ({"kind": "local_minimum_near_modulo_rescaling", **AT, "point": ZERO, "radius": "1/100"}, I),  # no gauge
    ({"kind": "spurious_local_minimum_near_modulo_rescaling", **AT, "point": ONE, "radius": "1/100",
      "better": ZERO}, I),                                                                         # L = 0 there
]


@pytest.mark.parametrize("record, verdict", CASES, ids=[f"{r['kind']}-{i}" for i, (r, _) in enumerate(CASES)])
def test_kinds(record, verdict):
    v = decide(record)
    assert v.status == verdict, v.reason
    assert describe(record)


def test_every_kind_has_a_case():
    elsewhere = {"strict_local_minimum", "spurious_local_minimum", "local_minimum_near", "narrow_basin_conditions",
                 "narrow_basin_target",                                     # proofs/ and tests/test_cli.py
                 "vandermonde_full_rank", "activation_rank",                # kernel/vandermonde.py's own tests
                 "paths_to_global_minimum", "spurious_valley"}              # tests/test_landscape.py
    assert set(KINDS) - elsewhere == {r["kind"] for r, _ in CASES}


UNREADABLE = [
    ({"kind": "lsz_assumption1", "network": {**NET, "inputs": ["x", "z"], "edges": NET["edges"] + ["z -> h"]},
      "X": [["1"]]}, "has 1 rows but the network has 2 inputs"),
    ({"kind": "identity", "lhs": [["1", "2"], ["3", "4"]], "rhs": [["1", "2", "3", "4"]]}, "different shapes"),
    ({"kind": "rank", "matrix": [["0.1"]], "claimed": "1"}, "claimed: must be an integer"),
    ({"kind": "rank", "matrix": [["sin(1)"]], "claimed": 1}, "sin(...) is not allowed"),
    ({"kind": "loss_value", **AT, "point": {"x -> h": "0"}, "value": "0"}, "no value for parameter 'h -> y'"),
    ({"kind": "loss_value", **AT, "point": ZERO, "value": "nan"}, "value:"),
    ({"kind": "arithmetic_derivatives", "activation": "gelu", "n": 3}, "unknown activation"),
    ({"kind": "rank", "matrix": [["1"]], "claimed": 1, "unwritable": "sin(1) is not allowed"}, "could not be written"),
]


@pytest.mark.parametrize("record, message", UNREADABLE)
def test_unreadable_records_are_inconclusive_with_the_reason(record, message):
    v = decide(record)
    assert v.status == I and "cannot be read" in v.reason and message in v.reason, v.reason
    with pytest.raises(StatementError):
        read(record)


def test_a_context_compiles_each_loss_once():
    recs = [{"kind": k, **AT, "point": ONE} for k in ("critical_point", "local_minimum", "saddle")]
    recs.append({"kind": "loss_value", **AT, "point": {"x -> h": "sqrt(2)", "h -> y": "1"}, "value": "1/2"})
    ctx = Context(recs)
    losses = {id(read(r, ctx)[1][0]) for r in recs}
    assert len(losses) == 1                           # one loss, over QQ(sqrt(2)), for all four
    assert [decide(r, ctx).status for r in recs] == [V, V, R, R]


# -- proof scripts build records --------------------------------------------------------------

def test_proof_methods_write_exact_text_and_never_evaluate():
    loss = compile_loss(dense([1, 1, 1]), [["0.5"]], [[1]])
    proof = Proof("p", source="t")
    assert proof.covers == []
    proof.loss_value(loss, [sp.Rational(1, 3), 2], sp.Rational(2, 9))        # a point in parameter order
    proof.rank(sp.Matrix([[activation("tanh")(sp.Integer(2)), 1]]), 1)
    proof.inequality(sp.Float(0.1) + sp.Float(0.2), sp.Float(0.3), strict=True)
    proof.identity(sp.Matrix([[1, 2], [3, 4]]), sp.Matrix([[1, 2, 3, 4]]))
    proof.rank(sp.Matrix([[sp.sin(1) ** 2 + sp.cos(1) ** 2]]), 1)
    proof.lsz_assumption1(dense([3, 1, 1]), [[1, 2]])
    first, tanh, floats, shapes, trig, short = records(proof)
    assert first["point"] == {"x1 -> h1_1": "1/3", "h1_1 -> y1": "2"} and first["data"]["X"] == [["1/2"]]
    assert tanh["matrix"] == [["tanh(2)", "1"]] and "unwritable" not in tanh
    assert "floating-point" in floats["unwritable"] and "not allowed" in trig["unwritable"]
    verdicts = [s["verdict"] for s in run(proof)["statements"]]
    assert verdicts[0] == V and verdicts[2:] == [I, I, I, I]


def test_claim_file_writer_round_trips():
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1, "sqrt(2)"]], [[1, 0]])
    proof = Proof("p", source="t")
    proof.critical_point(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": "1/2"}, text='a "quoted" caption\nwith a newline')
    proof.identity(sp.Symbol("x1 -> h1") ** 2, sp.Symbol("x1 -> h1") * sp.Symbol("x1 -> h1"))
    proof.effective(loss.network)
    doc = claim_file("t", records(proof), "src")
    back = tomllib.loads(dumps(doc))
    assert back == doc
    assert "network" in back and "network" not in back["claim"][0]       # shared tables are written once


# -- each network table is read once per batch (issue 21) ----------------------------------------

def _counting_parses(monkeypatch) -> list:
    from losscert.network import Network
    calls, parse = [], Network.from_table.__func__
    monkeypatch.setattr(Network, "from_table", classmethod(lambda cls, t: calls.append(1) or parse(cls, t)))
    return calls


def test_a_seven_claim_file_reads_its_network_once(monkeypatch):
    from losscert.checker import check_one
    from losscert.claims import load
    calls = _counting_parses(monkeypatch)
    cf = load(Path(__file__).resolve().parents[1] / "examples" / "lin-sun-zhang-theorem2.toml")
    verdicts = [check_one(c.record, cf.context)["verdict"] for c in cf.claims]
    assert len(cf.claims) == 7 and verdicts == [c.expect for c in cf.claims]
    assert len(calls) == 1                      # was 10: once in load, then per claim and per reader


def test_different_or_broken_network_tables_are_each_read(monkeypatch):
    calls = _counting_parses(monkeypatch)
    one = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> y"]}
    two = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"]}
    broken = {"inputs": ["x"], "outputs": ["y"], "edges": ["x -> x"]}
    records = [{"kind": "effective", "network": t} for t in (one, two, one, broken, broken)]
    context = Context(records)
    verdicts = [decide(r, context).status for r in records]
    assert verdicts[:3] == [V, V, V] and verdicts[3:] == [I, I]
    assert len(calls) == 4                      # one, two, and the broken table at each of its readings
    records[0]["network"] = two                 # a table changed after a reading is read as it is now
    assert decide(records[0], context).status == V and list(context.network(records[0]).hidden) == ["h"]
