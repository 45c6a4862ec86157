"""The validators of symcost.core.limits against hand-picked edges of each range."""

from __future__ import annotations

import math

import pytest

from symcost.core import limits
from symcost.core.errors import InputError


@pytest.mark.parametrize("value, expected", [
    ("1", 1), ("  42 ", 42), ("0009", 9), (2**63 - 1, 2**63 - 1), ("9223372036854775807",
                                                                    2**63 - 1)])
def test_check_size_accepts(value, expected):
    assert limits.check_size(value) == expected


@pytest.mark.parametrize("value", [0, -1, 2**63, "9223372036854775808", "9" * 5000, "1.5",
                                   "x", True, 1.0, None, [1]])
def test_check_size_refuses(value):
    with pytest.raises(InputError):
        limits.check_size(value)


def test_check_size_zero_allowed_when_asked():
    assert limits.check_size("0", zero=True) == 0


@pytest.mark.parametrize("value, expected", [("0", 0.0), ("1e-9", 1e-9), (3, 3.0),
                                             (0.25, 0.25)])
def test_check_time_accepts(value, expected):
    assert limits.check_time(value) == expected


@pytest.mark.parametrize("value", ["inf", "nan", "-1", -0.5, math.inf, math.nan, "1e400",
                                   "x", True, 10**400, "9" * 1000])
def test_check_time_refuses(value):
    with pytest.raises(InputError):
        limits.check_time(value)


@pytest.mark.parametrize("text", ["1", "0.5", ".5", "1e300", "9.99e300", "1e-300", "0e999999",
                                  "0.000", "0." + "1" * 399])
def test_literals_in_range(text):
    limits.check_literal(text)


@pytest.mark.parametrize("text", ["1e301", "1e999999999", "1e-302", "0.0001e-298",
                                  "1" * 401, "1e" + "9" * 20])
def test_literals_out_of_range(text):
    with pytest.raises(InputError):
        limits.check_literal(text)


@pytest.mark.parametrize("text, role", [("9" * 20, None), ("4294967296x4294967296", None),
                                        ("0", "batch"), ("000", "hidden"), ("1-" + "9" * 30,
                                                                            None)])
def test_label_dims_refused(text, role):
    with pytest.raises(InputError):
        limits.check_dim_text(text, role)


@pytest.mark.parametrize("text, role", [("0", None), ("0-820", "seq"), ("64x128", None),
                                        ("9223372036854775807", "hidden"), ("?", "batch")])
def test_label_dims_accepted(text, role):
    limits.check_dim_text(text, role)


def test_number_bits():
    import sympy

    assert limits.number_bits(sympy.Rational(3, 4)) == 2 + 3
    assert limits.number_bits(2**100) == 101 + 1
