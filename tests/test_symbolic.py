"""Symbolic parameters (issue 11, item 4): statements for every value of
declared symbols in their region (losscert.symbolic, kernel.parametric)."""
import pytest
import sympy

from losscert import Network, compile_loss, conv1d, kernel
from losscert.claims import ClaimFileError, check, load
from losscert.compiler import CompileError
from losscert.fields import FieldError
from losscert.kernel import guarded
from losscert.proof import Proof, run
from losscert.symbolic import Parameters

a, b, c = sympy.symbols("a b c")


def chain(activation="linear"):
    """x -> h -> y: L = 1/2 (u sigma(w x) - y)^2 (parameters w = 'x -> h', u = 'h -> y')."""
    return Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"],
                               "activation": activation})


def line():
    """x -> y: L = 1/2 (w x - y)^2."""
    return Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> y"]})


def status(rule, loss, *args):
    return guarded(getattr(kernel, rule), loss, *args)


# -- the region and its signs ------------------------------------------------------------------

def test_sturm_signs_on_intervals():
    P = Parameters({"a": "0 < a < 1"})
    assert P.sign(a * (1 - a))[0] == 1
    assert P.sign(a - 2)[0] == -1
    s, why = P.sign(a - sympy.Rational(1, 2))
    assert s is None and "root" in why
    assert Parameters({"a": "a >= 1"}).sign(a)[0] == 1
    assert Parameters({"a": "a >= 0"}).sign(a)[0] is None          # a = 0 is in the region
    assert P.sign(sympy.Integer(0))[0] == 0


def test_positive_coefficient_certificate_for_orderings():
    y1, y3, y4 = sympy.symbols("y1 y3 y4")
    P = Parameters({"y1": "y3 > y4 > y1 > 0", "y3": "", "y4": ""})
    assert P.sign((y3 - y1) * (y4 - y1) + y1 ** 2)[0] == 1
    s, why = P.sign(y3 - 2 * y4)                     # true somewhere, false elsewhere: no certificate
    assert s is None and "both signs" in why
    assert Parameters({"y1": "y3 > 4*y4 > 4*y1 > 0", "y3": "", "y4": ""}).sign(y3 - y4)[0] == 1
    s, why = Parameters({"a": "real", "b": "b > a"}).sign(b - a)  # a has no lower bound: no substitution
    assert s is None and "lower bound" in why
    assert Parameters({"a": "real", "b": "b > 1", "c": "c > b"}).sign(c - 1)[0] == 1   # a is not needed


def test_polya_multiplier_certificate():
    P = Parameters({"a": "a > 0", "b": "b > a"})          # a = t1, b = t1 + t2: 2 t1^2 - 2 t1 t2 + t2^2
    s, why = P.sign((b - 2 * a) ** 2 + a ** 2)
    assert s == 1 and "Polya" in why
    assert P.sign((b - 2 * a) ** 2 - a ** 2 / 100)[0] is None    # vanishes at b = 2.1 a: no certificate


@pytest.mark.parametrize("declared, message", [
    ({"a": 0.5}, "symbols.a: the condition must be text"),
    ({"a": "a > b"}, "symbols.a: 'b' is not a declared symbol"),
    ({"a": "a*a > 0"}, "symbols.a: 'a*a': each side must be linear"),
    ({"a": "a > sqrt(2)"}, "linear in the symbols with rational coefficients"),
    ({"a": "a != 0"}, "must be a chain of < <= > >="),
    ({"a": "0 < a < 0"}, "not satisfied by any point"),
    ({"pi": "pi > 0"}, "symbols.pi: not a plain identifier"),
    ({}, "symbols: must be a non-empty table"),
])
def test_bad_declarations_are_one_line_errors(declared, message):
    with pytest.raises(FieldError, match=None) as info:
        Parameters(declared)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_sympy_symbols_with_sign_assumptions():
    P = Parameters.of([sympy.Symbol("a", positive=True), sympy.Symbol("b")])
    assert P.conditions == {"a": "a > 0", "b": "real"}


# -- compiling with symbols ----------------------------------------------------------------------

@pytest.mark.parametrize("assumption", ["integer", "nonzero", "rational", "even"])
def test_sympy_symbols_with_assumptions_beyond_a_sign_are_refused(assumption):
    # a rational counterexample such as a = 1/2 or a = 0 would lie outside the user's domain
    with pytest.raises(FieldError, match="cannot be stated here"):
        Parameters.of([sympy.Symbol("a", **{assumption: True})])
    if assumption != "nonzero":         # positive already implies nonzero
        with pytest.raises(FieldError, match="cannot be stated here"):
            Parameters.of([sympy.Symbol("a", positive=True, **{assumption: True})])


def test_undeclared_symbol_and_transcendental_numbers_are_refused():
    with pytest.raises(CompileError, match=r"data.X\[1\]\[1\]: 'b' is not a declared symbol"):
        compile_loss(line(), [["b"]], [[1]], symbols={"a": "a > 0"})
    with pytest.raises(CompileError, match="not a rational function"):
        compile_loss(line(), [["sqrt(a)"]], [[1]], symbols={"a": "a > 0"})
    with pytest.raises(CompileError, match="symbols.a: the condition must be text"):
        compile_loss(line(), [["a"]], [[1]], symbols={"a": 1})
    with pytest.raises(CompileError, match="data.X"):
        compile_loss(line(), [["pi*a"]], [[1]], symbols={"a": "a > 0"})
    loss = compile_loss(line(), [["a"]], [[1]], symbols={"a": "a > 0"})
    with pytest.raises(Exception, match="'c' is not a declared symbol"):
        loss.point({"x -> y": "c"})


def test_sympy_symbols_in_the_python_api():
    a_pos = sympy.Symbol("a", positive=True)
    loss = compile_loss(line(), [[a_pos]], [[a_pos ** 2]], symbols=[a_pos])
    assert loss.parameters.conditions == {"a": "a > 0"}
    assert status("strict_local_minimum", loss, {"x -> y": a_pos}).status == "verified"


# -- verified for every value in the region --------------------------------------------------------

def test_strict_minimum_for_every_positive_a():
    loss = compile_loss(line(), [["a"]], [["a**2"]], symbols={"a": "a > 0"})   # L = 1/2 (w a - a^2)^2, H = a^2
    v = status("strict_local_minimum", loss, {"x -> y": "a"})
    assert v.status == "verified", v.reason
    assert "for every value where a > 0" in v.reason
    assert status("loss_value", loss, {"x -> y": "a"}, loss.field(0)).status == "verified"
    assert status("loss_value", loss, {"x -> y": 1}, "(a - a**2)**2/2").status == "verified"


def test_morse_bott_family_on_an_interval_through_zero():
    # L = 1/2 ((w u - a)^2 + (w u - a - 1)^2) at (1, u = a + 1/2): loss 1/4, H = 2 [[u^2, u], [u, 1]] of rank 1,
    # the rescaling orbit spans the kernel; the minor 2 u^2 vanishes at a = -1/2 and is passed over
    loss = compile_loss(chain(), [[1, 1]], [["a", "a + 1"]], symbols={"a": "a > -1"})
    theta = {"x -> h": 1, "h -> y": "a + 1/2"}
    v = status("local_minimum", loss, theta)
    assert v.status == "verified", v.reason
    assert v.evidence["loss"] == "1/4" and [m["minor"] for m in v.evidence["minors"]] == ["2"]
    assert status("strict_local_minimum", loss, theta).status == "refuted"


def test_theorem4_same_valley_for_every_a():
    net = conv1d(2, 2, "SAME", channels=1, d_y=2)
    t0 = {"k1_1": 0, "k1_2": "a", "c1_1 -> y1": 0, "c1_2 -> y1": 0, "c1_1 -> y2": "4/a", "c1_2 -> y2": 0}
    best = {"k1_1": 1, "k1_2": 0, "c1_1 -> y1": 1, "c1_2 -> y1": 0, "c1_1 -> y2": 0, "c1_2 -> y2": 4}
    loss = compile_loss(net, [[1, 0], [0, 1]], [[1, 0], [0, 4]], symbols={"a": "a > 0"})
    v = status("spurious_local_minimum", loss, t0, best)
    assert v.status == "verified", v.reason
    assert v.evidence["local_minimum"]["evidence"]["tangent_minor"]["minor"] == "a"


def test_saddle_for_every_positive_a():
    loss = compile_loss(chain(), [[1]], [["a"]], symbols={"a": "a > 0"})          # H = [[0, -a], [-a, 0]] at 0
    assert status("saddle", loss, {"x -> h": 0, "h -> y": 0}).status == "verified"


def test_several_symbols_with_a_certificate():
    symbols = {"a": "a > 0", "b": "b > a"}
    loss = compile_loss(line(), [["b - a"]], [[0]], symbols=symbols)               # H = (b - a)^2
    v = status("strict_local_minimum", loss, {"x -> y": 0})
    assert v.status == "verified", v.reason
    # the same statement when a has no lower bound: true, but no certificate -> inconclusive
    loose = compile_loss(line(), [["b - a"]], [[0]], symbols={"a": "real", "b": "b > a"})
    v = status("strict_local_minimum", loose, {"x -> y": 0})
    assert v.status == "inconclusive" and "lower bound" in v.reason


# -- refuted at a rational value, or inconclusive ---------------------------------------------------

def test_minor_vanishing_inside_the_interval_is_refuted_there():
    loss = compile_loss(line(), [["a - 1"]], [[0]], symbols={"a": "a > 0"})        # H = (a - 1)^2: 0 at a = 1
    v = status("strict_local_minimum", loss, {"x -> y": 0})
    assert v.status == "refuted" and v.evidence["counterexample"] == {"a": "1"}
    assert status("local_minimum", loss, {"x -> y": 0}).status == "verified"      # L = 0 identically there


def test_sign_change_inside_the_interval_is_refuted_at_a_rational_value():
    loss = compile_loss(chain(), [["a - 1"]], [[1]], symbols={"a": "a > 0"})       # H = [[0, 1-a], [1-a, 0]]
    v = status("hessian_psd", loss, {"x -> h": 0, "h -> y": 0})
    assert v.status == "refuted"
    assert v.evidence["counterexample"]["a"] != "1"
    saddle = compile_loss(chain(), [[1]], [["a"]], symbols={"a": "a > -1"})       # at a = 0: L = (wu)^2/2, a minimum
    v = status("saddle", saddle, {"x -> h": 0, "h -> y": 0})
    assert v.status == "refuted" and v.evidence["counterexample"] == {"a": "0"}


def test_irrational_counterexample_is_decided_in_its_field():
    # H = (a^2 - 2)^2 vanishes only at a = sqrt(2), where L = 0 everywhere: not strict there.
    # No rational value refutes; the region is split at the root and a = sqrt(2) decided in Q(sqrt(2)).
    loss = compile_loss(line(), [["a**2 - 2"]], [[0]], symbols={"a": "a > 0"})
    v = status("strict_local_minimum", loss, {"x -> y": 0})
    assert v.status == "refuted" and v.evidence["counterexample"] == {"a": "sqrt(2)"}, v
    assert status("local_minimum", loss, {"x -> y": 0}).status == "verified"


def test_not_critical_and_wrong_value_are_refuted():
    loss = compile_loss(line(), [["a"]], [[1]], symbols={"a": "a > 0"})
    v = status("critical_point", loss, {"x -> y": 0})
    assert v.status == "refuted" and "counterexample" in v.evidence
    assert status("loss_value", loss, {"x -> y": 0}, "a").status == "refuted"
    assert status("not_global", loss, {"x -> y": 0}, {"x -> y": "1/a"}).status == "verified"
    assert status("not_global", loss, {"x -> y": "1/a"}, {"x -> y": 0}).status == "refuted"


def test_vanishing_denominator_in_the_region_is_inconclusive():
    loss = compile_loss(line(), [["1/(a - 1)"]], [[0]], symbols={"a": "a > 0"})
    v = status("critical_point", loss, {"x -> y": 0})
    assert v.status == "inconclusive" and "denominator a - 1" in v.reason


def test_identically_zero_hessian_is_not_verified():
    loss = compile_loss(chain(), [[0]], [["a"]], symbols={"a": "a > 0"})          # L = a^2/2: H = 0
    v = status("strict_local_minimum", loss, {"x -> h": 0, "h -> y": 0})
    assert v.status == "refuted"
    assert status("local_minimum", loss, {"x -> h": 0, "h -> y": 0}).status != "refuted"


def test_symbol_inside_a_transcendental_activation_is_inconclusive():
    loss = compile_loss(chain("tanh"), [["a"]], [[1]], symbols={"a": "a > 0"})
    v = status("critical_point", loss, {"x -> h": 1, "h -> y": 1})
    assert v.status == "inconclusive" and "a > 0" in v.reason


def test_rules_without_a_symbolic_procedure_are_inconclusive():
    loss = compile_loss(line(), [["a"]], [["a"]], symbols={"a": "a > 0"})
    v = status("local_minimum_near", loss, {"x -> y": 1}, loss.field(1))
    assert v.status == "inconclusive" and "symbolic" in v.reason
    with pytest.raises(TypeError):
        kernel.analyse(loss, loss.point({"x -> y": 1}))


# -- statements: proof scripts and claim files -------------------------------------------------------

def test_proof_records_carry_the_symbols():
    loss = compile_loss(chain(), [[1]], [["a"]], symbols={"a": "a > 0"})
    proof = Proof("symbolic", source="test")
    proof.local_minimum(loss, {"x -> h": 1, "h -> y": "a"})
    proof.loss_value(loss, {"x -> h": 1, "h -> y": "a"}, 0)
    proof.saddle(loss, {"x -> h": 1, "h -> y": "a"}, expect="refuted")
    assert proof.statements[0].record["symbols"] == {"a": "a > 0"}
    assert proof.statements[0].record["data"]["Y"] == [["a"]]
    assert [r["verdict"] for r in run(proof)["statements"]] == ["verified", "verified", "refuted"]


CLAIMS = """
title = "symbolic"
[symbols]
a = "a > 0"
[network]
inputs = ["x"]
outputs = ["y"]
edges = ["x -> h", "h -> y"]
[data]
X = [["1"]]
Y = [["a"]]
[point]
"x -> h" = "1"
"h -> y" = "a"
[[claim]]
kind = "local_minimum"
[[claim]]
kind = "loss_value"
value = "0"
[[claim]]
kind = "strict_local_minimum"
expect = "refuted"
"""


def test_claim_file_symbols_table(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(CLAIMS)
    result = check(path)
    assert [c["verdict"] for c in result["claims"]] == ["verified", "verified", "refuted"]


@pytest.mark.parametrize("change, message", [
    (('a = "a > 0"', "a = 1"), "symbols.a: the condition must be text"),
    (('a = "a > 0"', 'a = "a > c"'), "symbols.a: 'c' is not a declared symbol"),
    (('"h -> y" = "a"', '"h -> y" = "c"'), "'c' is not a declared symbol"),
    (('Y = [["a"]]', 'Y = [["tanh(a)"]]'), "not a rational function"),
])
def test_claim_file_symbols_errors(tmp_path, change, message):
    path = tmp_path / "c.toml"
    path.write_text(CLAIMS.replace(*change))
    with pytest.raises(ClaimFileError) as info:
        load(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_written_claim_file_has_one_symbols_table_and_the_same_verdicts(tmp_path):
    from losscert.claims import claim_file, dumps
    from losscert.proof import records
    loss = compile_loss(chain(), [[1]], [["a"]], symbols={"a": "a > 0"})
    proof = Proof("symbolic", source="test")
    proof.local_minimum(loss, {"x -> h": 1, "h -> y": "a"})
    proof.critical_point(loss, {"x -> h": 0, "h -> y": 1}, expect="refuted")
    text = dumps(claim_file("t", records(proof)))
    assert text.count("[symbols]") == 1 and "[claim.symbols]" not in text
    path = tmp_path / "w.toml"
    path.write_text(text)
    assert [c["verdict"] for c in check(path)["claims"]] == ["verified", "refuted"]



def test_refutation_inside_a_narrow_window_between_irrational_roots():
    # sigma(z) = z^2: L = 1/2 (u w^2 - y)^2 at w = 0, u = 1 has H = diag(-2 y, 0) = diag(q(a), 0) with
    # q = (a - 10)^2 - 1/50, negative only between the irrational roots 10 -+ sqrt(2)/10
    net = Network.from_table({"inputs": ["x"], "outputs": ["y"], "edges": ["x -> h", "h -> y"],
                              "activation": "poly(0, 0, 1)"})
    loss = compile_loss(net, [[1]], [["-((a - 10)**2 - 1/50)/2"]], symbols={"a": "a > 0"})
    v = status("hessian_psd", loss, {"x -> h": 0, "h -> y": 1})
    assert v.status == "refuted", v.reason
    assert v.evidence["counterexample"]["a"] == "10"
    assert status("hessian_psd", loss, {"x -> h": 0, "h -> y": 0}).status == "verified"   # H = 0 there


def test_plotting_a_symbolic_claim_is_a_one_line_error(tmp_path):
    pytest.importorskip("matplotlib")
    from losscert.plots import PlotError, draw_claim
    path = tmp_path / "c.toml"
    path.write_text(CLAIMS)
    with pytest.raises(PlotError, match=r"\[symbols\]"):
        draw_claim(load(path), 1)
