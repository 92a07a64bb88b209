"""Kernel rules beyond local minima: ranks, identities, inequalities, paths."""
import sympy

from losscert import compile_loss, dense, kernel
from losscert.kernel import algebra, paths

a, b, w = sympy.symbols("a b w")
V, R, I = kernel.VERIFIED, kernel.REFUTED, kernel.INCONCLUSIVE


def test_rank_generic_and_wrong_claims():
    M = sympy.Matrix([[w, 1], [0, w]])
    assert algebra.rank_is(M, 2).status == V
    assert algebra.rank_is(M, 1).status == R
    assert algebra.rank_is(M.subs(w, 0), 1).status == V
    assert algebra.rank_is(sympy.zeros(2, 2), 0).status == V
    assert algebra.rank_is(sympy.Matrix([[sympy.sin(w) ** 2 + sympy.cos(w) ** 2 - 1]]), 1).status == I


def test_identity():
    assert algebra.identity((a + b) ** 2, a**2 + 2 * a * b + b**2).status == V
    assert algebra.identity((a + b) ** 2, a**2 + b**2).status == R
    assert algebra.identity(1 / (1 - a) - a / (1 - a), 1).status == V
    # true identities that expansion does not reduce must never be refuted
    assert algebra.identity(sympy.sin(a) ** 2 + sympy.cos(a) ** 2, 1).status == I
    assert algebra.identity(sympy.sqrt(3 + 2 * sympy.sqrt(2)), 1 + sympy.sqrt(2)).status == V
    assert algebra.identity(sympy.sqrt(3 + 2 * sympy.sqrt(2)) * a, (1 + sympy.sqrt(2)) * a).status == V
    assert algebra.identity(sympy.sqrt(2) * a, a).status == R


def test_inequality_certificates_are_checked_not_trusted():
    lhs, rhs = a**2 + b**2, 2 * a * b
    assert algebra.inequality(lhs, rhs, certificate=[(1, a - b)]).status == V
    assert algebra.inequality(lhs, rhs, certificate=[(1, a + b)]).status == I      # wrong certificate
    assert algebra.inequality(lhs, rhs, certificate=[(-1, a - b)]).status == I     # negative weight
    assert algebra.inequality(lhs, rhs).status == I
    assert algebra.inequality(2 * a * b, a**2 + b**2, counterexample={"a": 1, "b": 0}).status == R
    assert algebra.inequality(lhs, rhs, counterexample={"a": 1, "b": 1}).status == I   # not a counterexample


def test_numeric_inequalities_are_decided_exactly():
    assert algebra.inequality(sympy.sqrt(2), sympy.Rational(141, 100)).status == V
    assert algebra.inequality(sympy.sqrt(2), sympy.Rational(142, 100)).status == R
    assert algebra.inequality(3, 3, strict=True).status == R
    assert algebra.inequality(3, 3).status == V
    v = algebra.inequality(a, 0, strict=True)             # false for a <= 0: an exact counterexample (Sturm)
    assert v.status == R and sympy.Rational(v.evidence["counterexample"]["a"]) <= 0
    assert algebra.inequality(sympy.Symbol("p", positive=True), 0, strict=True).status == I   # a > 0 is assumed


def test_monotone_paths():
    loss = compile_loss(dense([1, 1, 1]), [[1]], [[1]])          # L = (u w - 1)^2 / 2
    F = loss.field
    start = loss.point([0, 0])
    # straight to (1, 1): L(t) = (t^2 - 1)^2 / 2 decreases on [0, 1]
    assert paths.non_increasing(loss, [start, loss.point([1, 1])]).status == V
    # continuing to t = 2 overshoots: refuted
    assert paths.non_increasing(loss, [start, loss.point([1, 1])], 0, 2).status == R
    # a constant path
    assert paths.non_increasing(loss, [start, loss.point([0, 1])]).status == V
    tanh = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[1]])
    assert paths.non_increasing(tanh, [tanh.point([0, 0]), tanh.point([1, 1])]).status == I
    assert F.is_rational


def test_activation_registry():
    from losscert.activations import NonSmooth, NotExact, activation
    assert activation("tanh").derivatives_at_zero(5) == [0, 1, 0, -2, 0, 16]
    assert activation("sigmoid").derivatives_at_zero(3) == [sympy.Rational(1, 2), sympy.Rational(1, 4), 0,
                                                             -sympy.Rational(1, 8)]
    assert activation("swish").derivatives_at_zero(2) == [0, sympy.Rational(1, 2), sympy.Rational(1, 2)]
    assert activation("softplus").derivatives_at_zero(1)[0] == sympy.log(2)
    props = {name: activation(name).properties for name in
             ("linear", "relu", "leaky_relu(1/10)", "tanh", "sigmoid", "shifted_sigmoid", "softplus", "swish",
              "elu", "poly(0, 1, 1)")}
    assert [n for n, p in props.items() if p["positively_homogeneous"]] == ["linear", "relu", "leaky_relu(1/10)"]
    assert [n for n, p in props.items() if p["odd"]] == ["linear", "tanh", "shifted_sigmoid"]
    assert [n for n, p in props.items() if not p["zero_at_zero"]] == ["sigmoid", "softplus"]
    assert not props["relu"]["analytic"] and props["tanh"]["analytic"] and props["relu"]["piecewise_linear"]
    from losscert.fields import Field
    F = Field()
    try:
        activation("relu").taylor(F.zero, 1, F)
        raise AssertionError("relu has a kink at 0")
    except NonSmooth:
        pass
    try:
        activation("tanh").taylor(F(1), 0, F)
        raise AssertionError("tanh(1) is transcendental")
    except NotExact:
        pass
    assert activation("poly(1, 2, 3)").taylor(F(2), 2, F) == [F(17), F(14), F(3)]
    assert activation("leaky_relu(0.1)").taylor(F(-2), 1, F) == [F(sympy.Rational(-1, 5)), F(sympy.Rational(1, 10))]


def test_guarded_turns_failures_into_inconclusive():
    def broken(*_):
        raise ZeroDivisionError("boom")

    def self_check(*_):
        raise AssertionError("inconsistent")
    assert kernel.guarded(broken).status == I and "boom" in kernel.guarded(broken).reason
    assert kernel.guarded(self_check).status == I


def test_assumption_2_arithmetic_derivative_orders():
    from losscert.kernel.assumptions import arithmetic_derivatives
    assert arithmetic_derivatives("tanh", 4).evidence["progression"] == [1, 3, 5, 7]
    assert arithmetic_derivatives("softplus", 3).status == V
    assert arithmetic_derivatives("poly(0, 1, 1)", 2).status == V            # orders 1, 2
    assert arithmetic_derivatives("poly(0, 0, 1)", 2).status == R            # only order 2
    assert arithmetic_derivatives("linear", 3).status == R
    assert arithmetic_derivatives("relu", 2).status == R                     # not analytic
    assert arithmetic_derivatives("tanh", 30, max_order=12).status == I      # cannot decide from 12 orders


# -- assumptions and Proposition 4 -------------------------------------------------------------

def test_lsz_assumption1_cases():
    from losscert import sparse_dense
    from losscert.kernel import assumptions as A
    net = sparse_dense([(0, 1), (1, 2)], d_x=3, d_y=1)
    good = [[1, 2, -3], [1, "sqrt(2)", 3], [2, -3, 5]]
    assert A.lsz_assumption1(net, good).status == "verified"
    assert A.lsz_assumption1(net, [[1, "sqrt(4)", -2], [1, 2, 3], [2, -3, 5]]).status == "refuted"   # |2| = |-2|
    assert A.lsz_assumption1(net, [[1], [1], [1]]).status == "verified"                            # one sample


def test_lds_assumption1_cases():
    from losscert import dense
    from losscert.kernel import assumptions as A
    assert A.lds_assumption1(dense([1, 3, 1]), [[1, 2, 3]]).status == "verified"
    assert A.lds_assumption1(dense([1, 2, 1]), [[1, 2, 3]]).status == "refuted"              # d_H = 2 < 3
    assert A.lds_assumption1(dense([1, 3, 1]), [[1, 2, "4/2"]]).status == "refuted"          # equal samples


def test_narrow_basin_conditions_exact_and_balls():
    from losscert.kernel import assumptions as A
    assert A.narrow_basin_conditions("poly(1, 1, 1)", [1, 2, 3], [0], 1).status == "verified"
    assert A.narrow_basin_conditions("poly(1, 1, 1)", [1, 2, 3], [0], 0).status == "refuted"   # z0 = z
    v = A.narrow_basin_conditions("softplus", [1, 2, 3], [0], "1/10")
    assert v.status == "verified" and v.evidence["arithmetic"] == "Arb balls"
    # z0 = sigma(0 x) = z exactly, but with balls that cannot be shown: never "verified"
    assert A.narrow_basin_conditions("softplus", [1, 2, 3], ["1/3"], "1/3").status != "verified"
    assert A.narrow_basin_conditions("softplus", [1, 2, 3, 4], [0], "1/10").status == "verified"   # N = 4


def test_narrow_basin_target_rounding():
    from losscert.kernel import assumptions as A
    x = ["0.1", 2, 3]
    assert A.narrow_basin_target("swish", x, 1, 100, ["-99.9475", "-1.1766", "6.5060"], 4).status == "verified"
    assert A.narrow_basin_target("swish", x, 1, 100, ["-99.9475", "-1.1766", "6.5059"], 4).status == "refuted"
    assert A.narrow_basin_target("poly(1, 1, 1)", [1, 2, 3], 0, 10, [-9, 21, -9], 0).status == "verified"


def test_determinant_rule():
    import sympy as sp
    from losscert.kernel.algebra import determinant_is
    a, b = sp.symbols("a b")
    assert determinant_is(sp.Matrix([[1, a], [1, b]]), b - a).status == "verified"
    assert determinant_is(sp.Matrix([[1, a], [1, b]]), a - b).status == "refuted"
    assert determinant_is(sp.Matrix([[1, 2], [2, 4]]), 0).status == "verified"
