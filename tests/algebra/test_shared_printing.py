"""Printing each shared subexpression once (nested ``Max`` trees) changes no string.

Oracles: ``sympy.sstr`` for ``to_text``, and the same LaTeX printers with the memo turned
off for ``to_latex`` (every setting), on random expression DAGs whose subtrees are shared
objects: sums with integer, rational and float coefficients, ``Max``/``Min`` built by
sympy and by :func:`max_of`, factored sums of :func:`canonical_sum`.
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcost.algebra import printing
from symcost.algebra.forms import canonical_sum, max_of
from symcost.algebra.printing import to_latex, to_text
from symcost.core.symbols import AllReduce, B, Get_Time, declare_symbol

S = declare_symbol("S")
_COEFFS = [sympy.Integer(1), sympy.Integer(2), sympy.Integer(3), sympy.Integer(48),
           sympy.Rational(1, 3), sympy.Float(0.5), sympy.Float(1.25e-7)]


@st.composite
def shared_exprs(draw) -> sympy.Expr:
    pool: list[sympy.Expr] = []
    for _ in range(draw(st.integers(2, 6))):
        m = draw(st.integers(1, 64)) * B + draw(st.integers(0, 9))
        pool.append(draw(st.sampled_from([Get_Time(m, draw(st.integers(1, 9)), 4),
                                          AllReduce(m, 8), Get_Time(S * B, 128, S), S])))
    for _ in range(draw(st.integers(1, 12))):
        picks = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique=True))
        how = draw(st.sampled_from(["add", "max", "max_of", "min", "sum", "scale"]))
        coeffs = [draw(st.sampled_from(_COEFFS)) for _ in picks]
        if how == "add":
            e = sympy.Add(*[c * x for c, x in zip(coeffs, picks)])
        elif how == "max":
            e = sympy.Max(*picks)
        elif how == "max_of":
            e = max_of(list(dict.fromkeys(picks)))
        elif how == "min":
            e = sympy.Min(*picks)
        elif how == "sum":
            e = canonical_sum([(sympy.Integer(2 * i + 2), x) for i, x in enumerate(picks)])
        else:
            e = coeffs[0] * picks[0]
        pool.append(e)
    return pool[-1]


def _unshared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing._SharedSubtrees, "_print",
                        lambda self, expr, **kw: super(printing._SharedSubtrees, self)
                        ._print(expr, **kw))


@settings(max_examples=60, deadline=None)
@given(shared_exprs())
def test_text_is_sympy_sstr(e):
    assert to_text(e) == sympy.sstr(e)


@settings(max_examples=40, deadline=None)
@given(shared_exprs(), st.booleans(), st.booleans())
def test_latex_is_the_printer_without_the_memo(e, macros, breakable):
    fast = to_latex(e, macros=macros, breakable=breakable)
    with pytest.MonkeyPatch.context() as mp:
        _unshared(mp)
        slow = to_latex(e, macros=macros, breakable=breakable)
    assert fast == slow


def test_a_deep_shared_tree():
    """2**8 paths through 8 shared levels (each level refers to the one below twice)."""
    e = Get_Time(B, 1, 1)
    for i in range(8):
        e = max_of([e + Get_Time(B, 2 + i, 1), 2 * e])
    text = to_text(e)
    assert text == sympy.sstr(e)
    assert text.count("Get_Time(B, 1, 1)") == 2**8
