"""Cost atoms and symbols.

``B`` is the batch size (a positive integer). ``Get_Time(m, k, n)`` is the time to
multiply an ``[m, k]`` by a ``[k, n]`` matrix, an uninterpreted sympy function assumed
non-negative and non-decreasing in each argument. Communication atoms take
``(elements, group_size)``. Users declare more atoms with :func:`declare_atom` and more
symbols with :func:`declare_symbol`; both are then known to the expression parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

B = sympy.Symbol("B", positive=True, integer=True)

#: The matmul cost atom, printed exactly ``Get_Time(m, k, n)``.
Get_Time = sympy.Function("Get_Time")

AllReduce = sympy.Function("AllReduce")
AllGather = sympy.Function("AllGather")
ReduceScatter = sympy.Function("ReduceScatter")
AllToAll = sympy.Function("AllToAll")
SendRecv = sympy.Function("SendRecv")
Broadcast = sympy.Function("Broadcast")


@dataclass(frozen=True)
class AtomKind:
    """A family of cost atoms: its sympy function, arity and whether it is communication."""

    name: str
    function: sympy.FunctionClass
    arity: int
    communication: bool
    description: str


_ATOMS: dict[str, AtomKind] = {}
_SYMBOLS: dict[str, sympy.Symbol] = {"B": B}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def declare_atom(name: str, arity: int, *, communication: bool = False,
                 description: str = "") -> sympy.FunctionClass:
    """Declare a cost atom family (uninterpreted, non-negative, non-decreasing).

    Returns the sympy function; declaring the same name again with the same arity
    returns the existing one.
    """
    from symcost.core.errors import ExpressionError

    if not _NAME.match(name):
        raise ExpressionError(f"atom name {name!r} is not an identifier")
    if name in _SYMBOLS:
        raise ExpressionError(f"{name!r} is already a symbol")
    known = _ATOMS.get(name)
    if known is not None:
        if known.arity != arity or known.communication != communication:
            raise ExpressionError(f"atom {name!r} already declared with arity {known.arity}")
        return known.function
    fn = Get_Time if name == "Get_Time" else sympy.Function(name)
    _ATOMS[name] = AtomKind(name, fn, arity, communication, description)
    return fn


def declare_symbol(name: str) -> sympy.Symbol:
    """Declare (or fetch) a dimension symbol such as ``S``: a positive integer."""
    from symcost.core.errors import ExpressionError

    if not _NAME.match(name):
        raise ExpressionError(f"symbol name {name!r} is not an identifier")
    if name in _ATOMS:
        raise ExpressionError(f"{name!r} is already an atom")
    sym = _SYMBOLS.get(name)
    if sym is None:
        sym = sympy.Symbol(name, positive=True, integer=True)
        _SYMBOLS[name] = sym
    return sym


def atom_kind(name: str) -> AtomKind | None:
    """The declared atom family called ``name``, or None."""
    return _ATOMS.get(name)


def atom_kinds() -> dict[str, AtomKind]:
    """All declared atom families by name."""
    return dict(_ATOMS)


def symbol(name: str) -> sympy.Symbol | None:
    """The declared symbol called ``name``, or None."""
    return _SYMBOLS.get(name)


def is_atom(expr: sympy.Basic) -> bool:
    """True when ``expr`` is an application of a declared atom family."""
    return isinstance(expr, sympy.core.function.AppliedUndef) and expr.func.__name__ in _ATOMS


def is_communication(expr: sympy.Basic) -> bool:
    """True when ``expr`` is an application of a communication atom family."""
    kind = _ATOMS.get(getattr(expr.func, "__name__", ""))
    return kind is not None and kind.communication


declare_atom("Get_Time", 3, description="time of an [m, k] x [k, n] matrix multiplication")
for _fn, _what in [
    (AllReduce, "all-reduce"), (AllGather, "all-gather"), (ReduceScatter, "reduce-scatter"),
    (AllToAll, "all-to-all"), (SendRecv, "point-to-point send/receive"),
    (Broadcast, "broadcast"),
]:
    _ATOMS[_fn.__name__] = AtomKind(_fn.__name__, _fn, 2, True,
                                    f"{_what} of (elements, group size)")

#: Communication atom family for each collective name used in DAGs and specs.
COLLECTIVES: dict[str, sympy.FunctionClass] = {
    "all_reduce": AllReduce,
    "all_gather": AllGather,
    "reduce_scatter": ReduceScatter,
    "all_to_all": AllToAll,
    "send_recv": SendRecv,
    "broadcast": Broadcast,
}
