"""Checks of the symbols that options name: ``--assume X>=3`` or ``--set X=4`` on a
symbol the DAG does not use is an error that lists the symbols it does use."""

from __future__ import annotations

from collections.abc import Iterable

import sympy

from symcost.algebra.exprparse import parse_constraint
from symcost.core.dag import Dag
from symcost.core.errors import SymcostError
from symcost.core.symbols import B


def dag_symbols(dag: Dag) -> set[str]:
    """Names of the symbols in the DAG's costs (``B`` always)."""
    names = {B.name}
    for n in dag.nodes:
        if isinstance(n.cost, sympy.Basic):
            names.update(s.name for s in n.cost.free_symbols)
        for mm in n.matmuls:
            for d in (mm.m, mm.k, mm.n):
                names.update(s.name for s in sympy.sympify(d).free_symbols)
    return names


def _unknown(option: str, item: str, name: str, known: set[str]) -> SymcostError:
    return SymcostError(f"{option} {item!r}: unknown symbol {name}; the DAG uses "
                        f"{', '.join(sorted(known))}")


def check_assumptions(dag: Dag, assume: Iterable[str]) -> None:
    """Raise when a ``--assume`` constraint bounds a symbol the DAG does not use."""
    known = dag_symbols(dag)
    for item in assume or []:
        for sym, _op, _value in parse_constraint(item):
            if sym.name not in known:
                raise _unknown("--assume", item, sym.name, known)


def check_settings(dag: Dag, items: Iterable[str], *, skip: Iterable[str] = ()) -> None:
    """Raise when ``--set NAME=VALUE`` names neither a symbol of the DAG nor a model
    parameter the reader took (``skip``)."""
    known = dag_symbols(dag)
    taken = set(skip)
    for item in items or []:
        name = item.partition("=")[0].strip()
        if name and name not in known and name not in taken:
            raise _unknown("--set", item, name, known)
