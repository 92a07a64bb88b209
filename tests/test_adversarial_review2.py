"""Adversarial review of the exponential field, region splitting, SOS and
landscape rules (second review): every finding has a regression test here,
with its truth computed independently of losscert (by hand, or mpmath at a
clear margin)."""
import pytest
import sympy

from losscert import statements
from losscert.claims import ClaimFileError, load


# -- finding 1: a condition in an expression claim's `symbols` was read as a symbol NAME ------------
# `symbols = { x = "x > 0" }` on an inequality made a symbol literally named "x > 0" and the
# claim x >= 0 (true for x > 0) was refuted "at x > 0 = 0"; a file-level [symbols] x = "x > 0"
# was ignored and x >= 0 refuted at x = -1 (outside the declared region).

def test_condition_in_inequality_symbols_is_not_a_name():
    v = statements.decide({"kind": "inequality", "lhs": "x", "rhs": "0", "strict": True,
                           "symbols": {"x": "x > 0"}})
    assert v.status == "inconclusive" and "is a condition" in v.reason


def test_symbol_names_with_arrows_are_still_names():
    v = statements.decide({"kind": "identity", "lhs": "(w + 1)**2", "rhs": "w**2 + 2*w + 1",
                           "symbols": {"w": "x1 -> h1"}})
    assert v.status == "verified"


def test_file_conditions_are_not_silently_dropped_by_an_inequality(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[symbols]\nx = "x > 0"\n\n[[claim]]\nkind = "inequality"\nlhs = "x"\nrhs = "0"\n')
    with pytest.raises(ClaimFileError, match="is a condition"):
        load(f)


def test_file_conditions_on_other_symbols_leave_an_inequality_alone(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[symbols]\na = "a > 0"\n\n[[claim]]\nkind = "inequality"\nlhs = "x**2 - x"\nrhs = "0"\n')
    cf = load(f)
    v = statements.decide(cf.claims[0].record)
    assert v.status == "refuted"            # x = 1/2: 1/4 - 1/2 < 0 over the reals (no condition on x)


# -- finding 2: an imaginary symbol was treated as real -------------------------------------------
# inequality(x**2 + 1, 0) with x = Symbol("x", imaginary=True) was verified (false at x = 2i:
# -3 < 0) and x >= 0 was refuted "at x = -1", a value x cannot take.

@pytest.mark.parametrize("lhs, strict", [("x**2 + 1", False), ("x", False), ("x**2", True)])
def test_non_real_symbols_are_not_decided_as_real(lhs, strict):
    from losscert.kernel.algebra import inequality
    x = sympy.Symbol("x", imaginary=True)
    v = inequality(sympy.sympify(lhs, locals={"x": x}), 0, strict=strict)
    assert v.status == "inconclusive" and "non-real" in v.reason


def test_real_and_signed_symbols_still_decided():
    from losscert.kernel.algebra import inequality
    x = sympy.Symbol("x", real=True)
    assert inequality(x**2 + 1, 0).status == "verified"
    assert inequality(x, 0).status == "refuted"                       # x = -1
    assert inequality(sympy.Symbol("p", positive=True), 0).status != "refuted"   # true for p > 0


# -- finding 3 (robustness): Q(e) elements too close to 0 crashed the kernel rules -----------------
# v = e - r, r = e rounded down to 9000 decimals (v ~ 1e-9000 > 0): the gradient is non-zero
# (refuted exactly), but the descent check needs the sign of ~v^2, beyond MAX_SIGN_BITS: the
# rules raised FieldError (a traceback) instead of answering.

def _close_to_e(digits):
    import mpmath
    with mpmath.workdps(digits + 100):
        return sympy.Rational(int(mpmath.floor(mpmath.e * mpmath.mpf(10) ** digits)), 10 ** digits)


def test_sign_beyond_precision_is_inconclusive_not_a_crash():
    from losscert import compile_loss, dense
    from losscert.kernel import decide as K
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[0]])
    p = dict(zip(loss.params, [sympy.Rational(1, 2), sympy.E - _close_to_e(9000)]))
    assert K.critical_point(loss, p).status == "refuted"       # grad_v = v tanh(1/2)^2 != 0 exactly
    for rule in ("local_minimum", "hessian_psd"):
        v = getattr(K, rule)(loss, p)
        assert v.status in ("inconclusive", "refuted"), rule    # truth: not a minimum; never "verified"
        assert v.status == "refuted" or "sign" in v.reason


# -- finding 4 (robustness): spurious_valley raised ExponentialPoint on a point with exp(r) --------

def test_spurious_valley_reads_exponential_points():
    from losscert import compile_loss, dense
    from losscert.kernel.landscape import spurious_valley
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[1]])
    e = sympy.E
    v = spurious_valley(loss, dict(zip(loss.params, ["1/2", e])), dict(zip(loss.params, [1, 1])))
    assert v.status == "inconclusive" and "not a critical point" in v.reason   # e tanh(1/2) != 1
    zero = dict(zip(loss.params, [sympy.Rational(1, 2), (e + 1) / (e - 1)]))   # e-exact zero loss
    assert spurious_valley(loss, zero, dict(zip(loss.params, [1, 1]))).status == "inconclusive"


# -- no finding: the new "constant residuals" local-minimum rule on look-alikes ---------------------

def _tanh_e(r):
    e = sympy.exp(2 * r)
    return (e - 1) / (e + 1)


def test_constant_residual_rule_true_case():
    # x = 0 on sample 1 and no biases: output 0 there whatever the parameters; sample 2 fitted
    # exactly (v tanh(1/2) = 1), so L = 25/2 = its minimum: a global minimum (by hand)
    from losscert import compile_loss, dense
    from losscert.kernel import decide as K
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[0, 1]], [[5, 1]])
    p = dict(zip(loss.params, [sympy.Rational(1, 2), 1 / _tanh_e(sympy.Rational(1, 2))]))
    assert K.local_minimum(loss, p).status == "verified"
    assert K.strict_local_minimum(loss, p).status != "verified"      # v tanh(w) = 1 is a curve of minima


def test_constant_residual_rule_not_fooled_by_a_zero_bias():
    # with a hidden bias b = 0 the sample-1 output v tanh(b) is 0 now but moves with b:
    # dL/db = v (v tanh(b) - 5) sech^2(b) + ... = -5 v + (sample 2 term 0) != 0: not a minimum
    from losscert import compile_loss, dense
    from losscert.kernel import decide as K
    loss = compile_loss(dense([1, 1, 1], activation="tanh", biases=True), [[0, 1]], [[5, 1]])
    p = dict(zip(loss.params, [sympy.Rational(1, 2), 1 / _tanh_e(sympy.Rational(1, 2)), 0]))
    assert K.local_minimum(loss, p).status == "refuted"


def test_elu_negative_side_value_matches_mpmath():
    # elu(1/2) at pre-activations -1/2 and 1/2 (piecewise): L computed independently with mpmath
    import mpmath
    from losscert import compile_loss, dense
    from losscert.kernel import decide as K
    loss = compile_loss(dense([1, 1, 1], activation="elu(1/2)"), [[1, -1]], [[1, 0]])
    v = 2 / (sympy.exp(-sympy.Rational(1, 2)) - 1)
    p = dict(zip(loss.params, [-sympy.Rational(1, 2), v]))
    value = sympy.E / (2 - 4 * sympy.exp(sympy.Rational(1, 2)) + 2 * sympy.E)
    with mpmath.workdps(40):
        a, w, vm = mpmath.mpf(1) / 2, -mpmath.mpf(1) / 2, 2 / (mpmath.exp(-mpmath.mpf(1) / 2) - 1)
        elu = lambda z: z if z > 0 else a * (mpmath.exp(z) - 1)
        truth = ((vm * elu(w) - 1) ** 2 + (vm * elu(-w)) ** 2) / 2
        assert abs(mpmath.mpf(sympy.N(value, 40)) - truth) < mpmath.mpf(10) ** -30
    assert K.loss_value(loss, p, value).status == "verified"
    assert K.loss_value(loss, p, sympy.Rational(32296, 10000)).status == "refuted"


# -- finding 5: a Sturm counterexample at a pole of the expression as written ----------------------
# (x**3 + x**5)/x > 0 holds wherever the left side is defined (it is x**2 + x**4, x != 0); the
# expansion dropped the division and the claim was refuted "lhs - rhs = 0 at x = 0", where the
# left side is 0/0.

def test_no_counterexample_at_a_pole():
    from losscert.kernel.algebra import inequality
    x = sympy.Symbol("x")
    v = inequality((x**3 + x**5) / x, 0, strict=True)
    assert v.status != "refuted"
    v = statements.decide({"kind": "inequality", "lhs": "(x**3 + x**5)/x", "rhs": "0", "strict": True})
    assert v.status != "refuted"
    assert inequality((x**3 + x**5) / x, 0).status == "verified"      # >= 0 where defined


def test_counterexamples_off_the_poles_still_refute():
    from losscert.kernel.algebra import inequality
    x = sympy.Symbol("x")
    v = inequality((x**3 - x**2) / x, 0)          # x**2 - x < 0 at x = 1/2 (defined there)
    assert v.status == "refuted"
    v = inequality((x**3 + x**2) / x, 0, strict=True)    # x + x**2 = 0 at x = -1 (defined there)
    assert v.status == "refuted"


# -- finding 6 (surface): values over Q(e^(1/q)) came out in the field's internal variable e_1 -----
# Loss.value / hessian (SymPy at the surface) and convert.to_sympy returned expressions in the
# symbol e_1 (standing for e), which a reader, or a certificate rechecker, would take as a free
# symbol; the module's doctest crashed on it.

def test_exponential_values_come_out_in_e():
    from losscert import compile_loss, dense
    from losscert.kernel.exponential import exponential_loss
    loss = compile_loss(dense([1, 1, 1], activation="tanh"), [[1]], [[0]])
    exp_loss, (theta,) = exponential_loss(loss, [loss.point(["1/2", 1])])
    t = sympy.tanh(sympy.Rational(1, 2))
    for got, truth in [(exp_loss.value(theta), t ** 2 / 2), (exp_loss.hessian(theta)[1, 1], t ** 2),
                       (exp_loss.outputs(theta)[0][0], t)]:
        assert not got.free_symbols
        assert sympy.simplify((got - truth).rewrite(sympy.exp)) == 0
