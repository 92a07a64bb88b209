from decimal import Decimal

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from losscert.numbers import MAX_DIGITS, MAX_TEXT, NumberError, parse_number


@pytest.mark.parametrize("text, value", [
    ("7/8", sympy.Rational(7, 8)), ("0.9", sympy.Rational(9, 10)), (0.9, sympy.Rational(9, 10)),
    (Decimal("1e-3"), sympy.Rational(1, 1000)), ("sqrt(9/10)", 3 * sympy.sqrt(10) / 10),
    ("-2**3", -8), ("(1 + sqrt(2))**2", 3 + 2 * sympy.sqrt(2)), ("8**(1/3)", 2), (3, 3),
])
def test_exact_values(text, value):
    assert sympy.simplify(parse_number(text) - value) == 0


@pytest.mark.parametrize("text", [
    "nan", "inf", "__import__('os').system('true')", "x", "sqrt(-1)", "1/0", "2**1000", "(-8)**(1/3)",
    "", "1 +", True, None, [1], "sin(1)", "1e99999", "0**-1", "open('f')", "(lambda: 1)()", "1" * 20001,
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


# -- sizes: bounded against abuse, roomy for exact data -------------------------------------------

@pytest.mark.parametrize("text", [
    "((((10**64)**64)**64)**64)**64", "((1e1000**64)**64)**64", "(((1 + sqrt(2))**64)**64)**64",
    "(10**64)**64 * (10**64)**64 * (10**64)**64 * (10**64)**64 * (10**64)**64", "((10**64)**64)**(64/3)",
    "((10**64)**64)**5 * ((10**64)**64)**5 / 7", "1e-99999", "1" + "0" * 19000 + " * 1e1500",
])
def test_huge_intermediate_results_are_refused(text):
    with pytest.raises(NumberError, match=f"number too large: .*limit {MAX_DIGITS} digits"):
        parse_number(text)


def test_long_exact_data_is_read():
    p, q = int("7" * 460), int("3" * 459 + "1")
    assert parse_number(f"{p}/{q}") == sympy.Rational(p, q)
    big = "9" * 9000 + "/" + "8" * 9000 + "7"
    assert parse_number(big) == sympy.Rational(int("9" * 9000), int("8" * 9000 + "7"))
    assert parse_number(10 ** 5000) == sympy.Integer(10) ** 5000            # a 5001-digit int (TOML integer)
    assert parse_number(Decimal("1." + "3" * 6000)) == sympy.Rational(int("1" + "3" * 6000), 10 ** 6000)
    assert str(parse_number("1" * 5000)) == "1" * 5000                      # over Python's default 4300 digits
    assert parse_number("sqrt(" + "3" * 150 + "/" + "7" * 49 + ")") ** 2 == sympy.Rational(int("3" * 150), int("7" * 49))


@pytest.mark.parametrize("value, match", [
    ("1" * (MAX_TEXT + 1), f"number text too long: {MAX_TEXT + 1} characters \\(limit {MAX_TEXT}\\)"),
    (10 ** 30000, "number too large"), (Decimal("1e-" + "9" * 5), "number too large"),
    (Decimal("1." + "1" * MAX_TEXT), "number text too long"),
    ("sqrt(" + "7" * 19000 + ")", "number too large under a root"),
    ("+".join(f"sqrt({p})" for p in range(2, 100)), "too many roots and powers in one number: 98 \\(limit 64\\)"), ("(1" + "0" * 300 + "/3)**(1/3)", "under a root"),
])
def test_size_limits_name_the_limit(value, match):
    with pytest.raises(NumberError, match=match):
        parse_number(value)
