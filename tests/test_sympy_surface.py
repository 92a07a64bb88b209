"""SymPy at the surface: Loss.value, gradient, hessian and outputs return SymPy
numbers, rational functions of the declared symbols and sympy.Matrix; raw=True
gives the fast field elements behind them; to_sympy reads everything the API returns."""
import flint
import mpmath
import pytest
import sympy

from losscert import compile_loss, dense, to_sympy

POINT = {"x1 -> h1_1": 1, "h1_1 -> y1": "1/2"}


@pytest.mark.parametrize("X, Y, symbols, value", [
    ([[1, 2]], [[1, 0]], None, sympy.Rational(5, 8)),                           # over QQ
    ([["sqrt(2)", 1]], [[1, 0]], None, sympy.Rational(7, 8) - sympy.sqrt(2) / 2),  # an algebraic field
    ([[1]], [["a"]], {"a": "a > 0"}, (sympy.Symbol("a") - sympy.Rational(1, 2)) ** 2 / 2),  # over Q(a)
])
def test_public_values_are_sympy_and_raw_ones_are_fast(X, Y, symbols, value):
    loss = compile_loss(dense([1, 1, 1]), X, Y, symbols=symbols)
    theta = loss.point(POINT)
    v, g, H, out = loss.value(theta), loss.gradient(theta), loss.hessian(theta), loss.outputs(theta)
    assert isinstance(v, sympy.Expr) and sympy.simplify(v - value) == 0
    assert all(isinstance(x, sympy.Expr) for x in g) and isinstance(H, sympy.MatrixBase) and H.shape == (2, 2)
    assert isinstance(out[0][0], sympy.Expr)
    assert sympy.Matrix(H) == H and H == H.T
    raw_v, raw_g, raw_H = loss.value(theta, raw=True), loss.gradient(theta, raw=True), loss.hessian(theta, raw=True)
    assert not isinstance(raw_v, sympy.Basic) and type(raw_H).__name__ == "DomainMatrix"
    assert to_sympy(raw_v) == v and to_sympy(raw_g) == g and to_sympy(raw_H) == H
    assert to_sympy(loss.outputs(theta, raw=True)) == out
    assert to_sympy(v) is v                                   # SymPy in, SymPy out
    import numpy as np                                       # a mapping, a sequence, a numpy array alike
    assert loss.value(POINT) == v == loss.value(np.array([1, 0.5])) == loss.value([1, "1/2"])


def test_to_sympy_reads_every_internal_type():
    loss = compile_loss(dense([1, 1, 1]), [[1]], [["a"]], symbols={"a": "a > 0"})
    theta = loss.point({"x1 -> h1_1": 1, "h1_1 -> y1": "a + 2"})     # residual 2: L = 2, grad = (2a + 4, 2)
    a = sympy.Symbol("a")
    assert type(loss.value(theta, raw=True)).__name__ == "FracElement"
    assert to_sympy(loss.value(theta, raw=True)) == 2
    assert to_sympy(loss.gradient(theta, raw=True)) == [2 * a + 4, 2] == loss.gradient(theta)
    assert to_sympy(loss.hessian(theta, raw=True)) == loss.hessian(theta)
    assert sympy.expand(loss.hessian(theta)[0, 0] - (a + 2) ** 2) == 0           # (dF/dw)^2 = u^2
    assert to_sympy(flint.fmpq(3, 4)) == sympy.Rational(3, 4)           # fmpq
    assert to_sympy(flint.fmpz(5)) == 5
    assert to_sympy(mpmath.matrix([[1, 2]])) == sympy.Matrix([[1.0, 2.0]])
    third = to_sympy(flint.arb(1) / 3)                                   # an Arb ball: the interval it holds
    assert isinstance(third, sympy.Interval) and third.contains(sympy.Rational(1, 3)) and third.measure < 1e-15
    with pytest.raises(TypeError, match="not a number"):
        to_sympy(None)
