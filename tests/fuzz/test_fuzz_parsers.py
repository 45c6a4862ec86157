"""Fuzzing the whitelist parser (expressions, constraints, claims) through the public API.

Every input either parses or raises a :class:`SymcostError`; nothing else escapes (an
``InternalError`` from the boundary is a bug), and work stays bounded.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcost
from symcost.core.errors import SymcostError
from symcost.core.limits import MAX_EXPR_DEPTH

from fuzzkit import examples

ATOMS = ["B", "S", "x", "1", "0", "2048", "1e999999999", "0.5", ".5e-3", "99999999999999999999",
         "Get_Time(B, 4096, 512)", "Get_Time(B*2048, 4096, 16)", "AllReduce(B, 8)",
         "Max(B, 2*B)", "Min(1, B)", "Get_Time(1, 2)", "Foo(1)", "__import__('os')",
         "B**64", "B**65", "2**2**2**2**2", "(", ")", ",", "Max()", "lambda", "×", "·"]
OPS = ["+", "-", "*", "/", "**", "^", " ", ",", "(", ")", "<=", ">=", "==", "<", ">", "="]


def _expr_text() -> st.SearchStrategy[str]:
    tokens = st.lists(st.one_of(st.sampled_from(ATOMS), st.sampled_from(OPS)),
                      min_size=1, max_size=30)
    return st.one_of(tokens.map("".join), st.text(max_size=60),
                     st.integers(1, 400).map(lambda n: "(" * n + "B" + ")" * n),
                     st.integers(1, 3000).map(lambda n: "-" * n + "B"),
                     st.integers(2, 200).map(lambda n: "+".join(f"x{i}" for i in range(n))))


@examples(250)
@given(_expr_text())
def test_parse_expr_only_user_errors(text):
    try:
        symcost.parse_expr(text)
    except SymcostError as err:
        assert "\n" not in str(err)


@examples(150)
@given(_expr_text(), _expr_text())
def test_compare_only_user_errors(a, b):
    try:
        symcost.compare(a, b)
    except SymcostError as err:
        assert "\n" not in str(err)


@examples(150)
@given(_expr_text())
def test_parse_constraint_only_user_errors(text):
    try:
        symcost.parse_constraint(text)
    except SymcostError as err:
        assert "\n" not in str(err)


@pytest.mark.parametrize("depth", [MAX_EXPR_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_a_clear_error(depth):
    with pytest.raises(SymcostError, match="nested too deeply"):
        symcost.parse_expr("(" * depth + "B" + ")" * depth)


def test_many_terms_and_arguments_are_linear():
    # 6,500 distinct terms and a Max of 3,000 arguments parse (they used to hang)
    s = symcost.parse_expr("+".join(f"t{i}" for i in range(6500)))
    assert len(s.args) == 6500
    m = symcost.parse_expr("Max(" + ",".join(f"Get_Time(B, {i}, 1)" for i in range(1, 3001))
                           + ")")
    assert len(m.args) == 3000
