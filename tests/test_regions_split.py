"""Symbolic regions where the Hessian's rank drops at isolated values (issue 20, item 3),
and strict inequalities in several symbols (item 4)."""
import pytest
import sympy

from losscert import compile_loss, dense, kernel
from losscert.kernel import algebra
from losscert.kernel.sos import check_gram

POINT = {"x1 -> h1_1": 1, "h1_1 -> y1": 1}


def _loss(factor, region):
    return compile_loss(dense([1, 1, 1]), [[factor, 0]], [[factor, 1]], symbols={"a": region})


@pytest.mark.parametrize("factor, region, root", [("a", "a >= 0", "a = 0"), ("a**2 - 2", "a > 0", "a = sqrt(2)")])
def test_rank_drop_at_one_value_is_decided(factor, region, root):
    """H = factor^2 [[1, 1], [1, 1]] (rank 1), zero at the root: PSD and a minimum everywhere."""
    loss = _loss(factor, region)
    for rule in ("hessian_psd", "local_minimum"):
        v = getattr(kernel, rule)(loss, POINT)
        assert v.status == "verified" and root in v.reason, v
        assert v.evidence["split_at"]
    assert kernel.strict_local_minimum(loss, POINT).status == "refuted"


def test_a_root_without_radicals_is_not_guessed():
    v = kernel.local_minimum(_loss("a**3 - 2", "a > 0"), POINT)
    assert v.status == "inconclusive" and "degree 3" in v.reason, v


def test_a_sign_change_inside_the_region_refutes():
    """f = u (w x)^2 at w = 0, u = a: H = diag(0, -2a), PSD exactly for a <= 0."""
    def psd(region):
        loss = compile_loss(dense([1, 1, 1], activation="poly(0, 0, 1)"), [[1]], [[1]], symbols={"a": region})
        return kernel.hessian_psd(loss, {"x1 -> h1_1": 0, "h1_1 -> y1": "a"})
    v = psd("a > -1")
    assert v.status == "refuted" and float(sympy.Rational(v.evidence["counterexample"]["a"])) > 0, v
    v = psd("a <= 0")
    assert v.status == "verified" and "a = 0" in v.reason, v


x, y = sympy.symbols("x y")


def test_user_certificate_proves_a_strict_inequality():
    v = algebra.inequality(x ** 2 + 2, 2 * x, certificate=[(1, x - 1), (1, 1)], strict=True)
    assert v.status == "verified", v
    wrong = algebra.inequality(x ** 2 + 2, 2 * x, certificate=[(1, x - 1), (1, 1), (1, 1)], strict=True)
    assert wrong.status != "refuted"          # a certificate that does not match proves nothing


def test_one_symbol_by_sturm():
    assert algebra.inequality(x ** 2 + 2, 2 * x, strict=True).status == "verified"
    v = algebra.inequality(x ** 2 + 1, 2 * x, strict=True)
    assert v.status == "refuted" and v.evidence["counterexample"] == {"x": "1"}
    assert algebra.inequality(x ** 2 + 1, 2 * x).status == "verified"
    p = sympy.Symbol("p", positive=True)
    assert algebra.inequality(p ** 2, 2 * p).status == "inconclusive"    # false only at p < 2 ... never refuted outside p > 0


def test_several_symbols_by_an_exact_gram_certificate():
    pytest.importorskip("cvxpy")
    v = algebra.inequality(x ** 2 + y ** 2 + 1, x * y + x, strict=True)
    assert v.status == "verified" and v.certificate["kind"] == "sos_gram", v
    assert check_gram(x ** 2 + y ** 2 + 1 - x * y - x, v.certificate["monomials"], v.certificate["gram"])
    motzkin = algebra.inequality(x ** 4 * y ** 2 + x ** 2 * y ** 4 + 1, 3 * x ** 2 * y ** 2, strict=True)
    assert motzkin.status == "inconclusive"        # true but not a sum of squares (and not strict at (1, 1))


def test_several_symbols_without_the_solver(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_cvxpy(name, *args, **kwargs):
        if name == "cvxpy":
            raise ImportError("no cvxpy")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_cvxpy)
    v = algebra.inequality(x ** 2 + y ** 2 + 1, x * y + x, strict=True)
    assert v.status == "inconclusive" and "losscert[sos]" in v.reason, v
    assert algebra.inequality(x ** 2 + y ** 2 + 1, x * y + x, strict=True,
                              certificate=[(1, x - y / 2 - sympy.Rational(1, 2)), (sympy.Rational(3, 4), y - sympy.Rational(1, 3)),
                                           (sympy.Rational(2, 3), 1)]).status in ("verified", "inconclusive")


def test_gram_check_rejects_a_wrong_certificate():
    assert not check_gram(x ** 2 + 1, ["1", "x"], [["1", "0"], ["0", "2"]])
    assert not check_gram(x ** 2 - 1, ["1", "x"], [["-1", "0"], ["0", "1"]])
    assert check_gram(x ** 2 + 1, ["1", "x"], [["1", "0"], ["0", "1"]])
