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

    >>> from symcost import declare_atom
    >>> Flash = declare_atom("FlashAttention", 4, description="fused attention kernel")
    >>> Flash(1, 2, 3, 4)
    FlashAttention(1, 2, 3, 4)
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
    _add_print_hooks(fn)
    _ATOMS[name] = AtomKind(name, fn, arity, communication, description)
    return fn


def _atom_latex(self: sympy.Basic, printer) -> str:
    """sympy's LaTeX hook for cost atoms: ``\\operatorname{Get\\_Time}(m, k, n)``.

    Without it sympy prints ``Get_Time`` as ``\\operatorname{Get}_{Time}``. Printers that
    know cost atoms (symcost's own, with macros) get the call through
    ``print_cost_atom``."""
    own = getattr(printer, "print_cost_atom", None)
    if own is not None:
        return own(self)
    name = self.func.__name__.replace("_", r"\_")
    args = ", ".join(printer._print(a) for a in self.args)
    return rf"\operatorname{{{name}}}\left({args}\right)"


def _atom_str(self: sympy.Basic, printer) -> str:
    """sympy's str hook: exactly ``Get_Time(m, k, n)`` (parsable back)."""
    return f"{self.func.__name__}({', '.join(printer._print(a) for a in self.args)})"


def _add_print_hooks(fn: sympy.FunctionClass) -> None:
    # set on the class after creation: keeps sympy's equality of function classes intact
    fn._latex = _atom_latex
    fn._sympystr = _atom_str


def namespace(doc: dict | None = None) -> dict[str, object]:
    """Names for reading symcost's expression strings with plain sympy.

    ``sympy.sympify(text, locals=symcost.namespace())`` reads every formula of the JSON
    back exactly: the atoms as symcost's functions, the symbols with their assumptions
    (positive integers), and names sympy would take for its own (``E``, ``S``, ``I``,
    ``N``, ``O``, ``Q``) as symbols. Given a JSON document (``doc``), the symbols it lists
    under ``"symbols"`` are included even if this process never declared them.

    >>> import sympy, symcost
    >>> e = sympy.sympify("E*Get_Time(B, 4096, E)", locals=symcost.namespace())
    >>> e.free_symbols == {symcost.B, sympy.Symbol("E", positive=True, integer=True)}
    True
    """
    ns: dict[str, object] = {"Max": sympy.Max, "Min": sympy.Min,
                             "Rational": sympy.Rational, "Integer": sympy.Integer}
    for name in ("E", "S", "I", "N", "O", "Q"):
        ns[name] = sympy.Symbol(name, positive=True, integer=True)
    ns.update(_SYMBOLS)
    ns.update({name: kind.function for name, kind in _ATOMS.items()})
    for name, info in ((doc or {}).get("symbols") or {}).items():
        assumptions = {k: bool(v) for k, v in (info or {}).items()
                       if k in ("positive", "integer", "nonnegative", "real")}
        ns[name] = sympy.Symbol(name, **(assumptions or {"positive": True, "integer": True}))
    for name in (doc or {}).get("atoms") or {}:
        ns.setdefault(name, sympy.Function(name))
    return ns


def used_names(*exprs: sympy.Basic) -> dict[str, dict]:
    """The symbols and atom families in ``exprs``, for a JSON document's
    ``"symbols"`` and ``"atoms"`` lists: ``{"symbols": {name: assumptions}, "atoms":
    {name: {"arity": n, "communication": bool}}}``."""
    syms: dict[str, dict] = {}
    atoms: dict[str, dict] = {}
    seen_syms: set[sympy.Symbol] = set()
    seen_atoms: set[sympy.Basic] = set()
    # clones repeat costs (often the very same objects: deduplicated by identity first)
    distinct = {id(e): e for e in exprs if isinstance(e, sympy.Basic)}
    for e in set(distinct.values()):
        seen_syms.update(e.free_symbols)
        seen_atoms.update(e.atoms(sympy.core.function.AppliedUndef))
    for s in seen_syms:
        syms[s.name] = {k: v for k in ("positive", "integer")
                        if (v := s.assumptions0.get(k)) is not None}
    for f in seen_atoms:
        name = f.func.__name__
        kind = _ATOMS.get(name)
        atoms[name] = {"arity": len(f.args), "communication": bool(kind and kind.communication)}
    return {"symbols": dict(sorted(syms.items())), "atoms": dict(sorted(atoms.items()))}


def declare_symbol(name: str) -> sympy.Symbol:
    """Declare (or fetch) a dimension symbol such as ``S``: a positive integer.

    >>> from symcost import declare_symbol
    >>> S = declare_symbol("S")
    >>> S.is_integer and S.is_positive
    True
    """
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
    _add_print_hooks(_fn)
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
