from decimal import Decimal

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from losscert.numbers import NumberError, parse_number


@pytest.mark.parametrize("text, value", [
    ("7/8", sympy.Rational(7, 8)), ("0.9", sympy.Rational(9, 10)), (0.9, sympy.Rational(9, 10)),
    (Decimal("1e-3"), sympy.Rational(1, 1000)), ("sqrt(9/10)", 3 * sympy.sqrt(10) / 10),
    ("-2**3", -8), ("(1 + sqrt(2))**2", 3 + 2 * sympy.sqrt(2)), ("8**(1/3)", 2), (3, 3),
])
def test_exact_values(text, value):
    assert sympy.simplify(parse_number(text) - value) == 0


@pytest.mark.parametrize("text", [
    "nan", "inf", "__import__('os').system('true')", "x", "sqrt(-1)", "1/0", "2**1000", "(-8)**(1/3)",
    "", "1 +", True, None, [1], "sin(1)", "1e99999", "0**-1", "open('f')", "(lambda: 1)()", "1" * 500,
    Decimal("NaN"), float("inf"),
])
def test_rejected_without_evaluation(text):
    with pytest.raises(NumberError):
        parse_number(text)


@given(st.fractions(max_denominator=10 ** 6))
def test_fractions_round_trip(q):
    assert parse_number(f"{q.numerator}/{q.denominator}") == sympy.Rational(q.numerator, q.denominator)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_decimals_are_read_by_their_text(d):
    assert parse_number(str(d)) == sympy.Rational(str(d))
