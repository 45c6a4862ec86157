"""The fast form printer gives exactly sympy's strings (``to_text`` of the sympy form).

Oracle: ``to_text(table.to_sympy(form, names))``, the printer the JSON used before, on
random forms (atoms of every family, Max terms, named terms, constants, integer and
rational coefficients), on every path step and branch of the corpus and the examples.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcost
from symcost.algebra.forms import CONST, AtomTable, freeze
from symcost.algebra.printing import FormPrinter, cached_text, to_text
from symcost.core.symbols import AllReduce, B, Get_Time, SendRecv, declare_symbol
from symcost.solve.analysis import analyze

from conftest import ROOT, corpus_dir

S = declare_symbol("S")
_ATOMS = [Get_Time(2048 * B, 4096, 512), Get_Time(B, 2, 3), Get_Time(S * B, 128, S),
          Get_Time(3 * B + 7, 10, 10), Get_Time(4096, 4096, 4096), AllReduce(2048 * B, 8),
          AllReduce(B, 2), SendRecv(S, 4), Get_Time(B / 2, 3, 1)]


def _table_with_maxes() -> tuple[AtomTable, list[int], list[int]]:
    table = AtomTable()
    ids = [table.atom(a) for a in _ATOMS]
    maxes = [table.max_term([freeze({ids[0]: 2, ids[1]: 1}), freeze({ids[2]: 1})]),
             table.max_term([freeze({ids[3]: 1, CONST: 4}), freeze({ids[5]: 3})])]
    maxes.append(table.max_term([freeze({maxes[0]: 1, ids[4]: 1}), freeze({ids[6]: 5})]))
    return table, ids, maxes


coef = st.one_of(st.integers(1, 12), st.integers(1, 12).map(lambda n: n * 4),
                 st.fractions(Fraction(1, 6), Fraction(20)).filter(lambda f: f > 0))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.integers(0, len(_ATOMS) + 3), coef, max_size=7), st.booleans(),
       st.booleans())
def test_random_forms_print_as_sympy(raw, factor, named):
    table, ids, maxes = _table_with_maxes()
    atoms = [CONST] + ids + maxes
    form = {atoms[i % len(atoms)]: c for i, c in raw.items()}
    names = {maxes[0]: sympy.Symbol("T_1", positive=True)} if named else None
    printer = FormPrinter(table, names)
    assert printer.form_text(form, factor=factor) == to_text(
        table.to_sympy(form, names, factor=factor))


def test_zero_and_constant_forms():
    table, ids, _ = _table_with_maxes()
    p = FormPrinter(table)
    assert p.form_text({}) == "0" == to_text(table.to_sympy({}))
    assert p.form_text({CONST: 6, ids[0]: 4}) == "2*(2*Get_Time(2048*B, 4096, 512) + 3)"


def test_cached_text_is_to_text():
    cache: dict = {}
    for a in _ATOMS * 2:
        assert cached_text(cache, a) == to_text(a)
    assert len(cache) == len(_ATOMS)


def _files() -> list[Path]:
    files = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.dot"))
    corpus = corpus_dir()
    if corpus is not None:
        files += sorted(corpus.glob("*.dot"))
    return files


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_corpus_strings_match_sympy(path):
    try:
        dag = symcost.load(str(path))
    except symcost.SymcostError:
        pytest.skip("file does not load")
    for mode in ("device", "dag"):
        r = analyze(dag, concurrency=mode)
        for rt in (r.full, r.compute):
            for step in rt.critical_path:
                assert step.cost_text == to_text(step.cost)
            for fj in rt.branches:
                assert fj.term_text == (None if fj.term is None else to_text(fj.term))
                for b in fj.branches:
                    assert b.residual_text == to_text(b.residual)
