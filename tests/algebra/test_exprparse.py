import pytest
import sympy

from symcost import B, ExpressionError, Get_Time, parse_constraint, parse_expr
from symcost.core.symbols import AllReduce


@pytest.mark.parametrize("text, expected", [
    ("Get_Time(B*2048, 4096, 512)", Get_Time(2048 * B, 4096, 512)),
    ("4*(Get_Time(2048*B,1,2) + Get_Time(1,2,3))",
     4 * Get_Time(2048 * B, 1, 2) + 4 * Get_Time(1, 2, 3)),
    ("Max(Get_Time(B,1,1), AllReduce(4096*B, 8))",
     sympy.Max(Get_Time(B, 1, 1), AllReduce(4096 * B, 8))),
    ("2^3 + 1.5", sympy.Rational(19, 2)),
    ("Get_Time(B×2048, 4096, 512)", Get_Time(2048 * B, 4096, 512)),
    ("-B + 3*B", 2 * B),
    ("1e3", sympy.Integer(1000)),
])
def test_parses(text, expected):
    assert parse_expr(text) == expected


@pytest.mark.parametrize("text", [
    '__import__("os").system("true")', "B.__class__", "foo(1)", "Get_Time(1, 2)", "",
    "((((", "Get_Time", "B**B", "1/0", "lambda: 1", "[1, 2]", "B; 1", "x" * 10 + "(",
    "(" * 500 + "1" + ")" * 500,
])
def test_rejects_without_evaluating(text):
    with pytest.raises(ExpressionError):
        parse_expr(text)


def test_error_names_column():
    with pytest.raises(ExpressionError, match="column 7"):
        parse_expr("B + 1 $ 2")


@pytest.mark.parametrize("text, bounds", [
    ("B>=8", [("B", ">=", 8)]),
    ("8 <= B", [("B", ">=", 8)]),
    ("1 <= B < 64", [("B", ">=", 1), ("B", "<=", 63)]),
    ("B > 7", [("B", ">=", 8)]),
    ("B == 4", [("B", "==", 4)]),
])
def test_constraints(text, bounds):
    got = [(str(s), op, int(v)) for s, op, v in parse_constraint(text)]
    assert got == bounds


@pytest.mark.parametrize("text", ["B", "B*S >= 8", "B >= S", "", "B >= 1 +", "B >= Get_Time(1,1,1)"])
def test_bad_constraints(text):
    with pytest.raises(ExpressionError):
        parse_constraint(text)
