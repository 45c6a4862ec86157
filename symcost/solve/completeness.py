"""How complete a reading and its runtime are: what the formula stands on.

:func:`completeness` looks at a :class:`~symcost.core.dag.Dag` (and, when given, the
solved runtime) and records everything the DAG did not say that the result therefore
leaves open or assumes: nodes whose cost keeps a symbol for a size the DAG does not give,
nodes with an explicit unknown-cost atom, operations no rule knows (costed zero), compute,
attention or communication nodes costed zero (their sizes were not read), elided
layers that were not applied, layers that were cloned from shorthand, disconnected parts,
salvaged syntax, broken cycles, a graph without edges, and a zero runtime for a DAG that
has compute. Every output shows its :meth:`Completeness.summary` beside the formula, and
``--strict`` turns an incomplete result into exit status 3.

A result is *complete* when none of these hold except cloned layers (cloning applies what
the graph itself says). Disconnected parts count as incomplete: the DAG does not say how
the parts relate, and the runtime takes the longest of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy

from symcost.core.dag import Dag, Kind
from symcost.core.errors import InputError
from symcost.core.symbols import B, Get_Time, is_communication

#: Kinds whose nodes are expected to cost time (a zero runtime with one is an error).
COSTLY_KINDS = (Kind.COMPUTE, Kind.ATTENTION, Kind.UNKNOWN)


@dataclass(frozen=True)
class Completeness:
    """What a result covers and what it leaves open (see the module docstring).

    Node lists hold node ids in file order; ``symbols`` and ``unknown_atoms`` are the
    names found in them.
    """

    nodes: int
    symbol_nodes: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    unknown_cost_nodes: tuple[str, ...] = ()
    unknown_atoms: tuple[str, ...] = ()
    unknown_op_nodes: tuple[str, ...] = ()
    zero_cost_nodes: tuple[str, ...] = ()
    cloned: tuple[dict, ...] = ()
    elided: tuple[str, ...] = ()
    parts: int = 1
    salvaged: bool = False
    broken_cycles: tuple[tuple[str, str], ...] = ()
    edgeless: bool = False
    zero_runtime: bool = False
    costly_nodes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def complete(self) -> bool:
        """True when nothing is missing (cloned layers alone keep a result complete)."""
        return not (self.symbol_nodes or self.unknown_cost_nodes or self.unknown_op_nodes
                    or self.zero_cost_nodes or self.elided or self.parts > 1 or self.salvaged or self.broken_cycles
                    or self.edgeless or self.zero_runtime)

    def reasons(self) -> list[str]:
        """One short phrase per thing that is missing or assumed (empty when complete and
        nothing was cloned)."""
        out: list[str] = []
        if self.zero_runtime:
            out.append(f"runtime 0 although {len(self.costly_nodes)} node(s) should cost time")
        if self.symbol_nodes:
            out.append(f"{len(self.symbol_nodes)} node(s) keep symbols for sizes the DAG does "
                       f"not give ({', '.join(self.symbols)})")
        if self.unknown_cost_nodes:
            out.append(f"{len(self.unknown_cost_nodes)} node(s) have unknown cost atoms"
                       + (f" ({', '.join(self.unknown_atoms)})" if self.unknown_atoms else ""))
        if self.unknown_op_nodes:
            out.append(f"{len(self.unknown_op_nodes)} unknown operation(s) costed 0")
        if self.zero_cost_nodes:
            out.append(f"{len(self.zero_cost_nodes)} compute/attention/communication node(s) "
                       "costed 0 (sizes not read)")
        if self.elided:
            out.append(f"{len(self.elided)} elision(s) not applied (the runtime covers only "
                       "what is drawn)")
        if self.parts > 1:
            out.append(f"{self.parts} disconnected parts")
        if self.edgeless:
            out.append("no edges (the DAG gives no data flow)")
        if self.salvaged:
            out.append("salvaged from a file with syntax errors")
        if self.broken_cycles:
            out.append(f"{len(self.broken_cycles)} cycle(s) broken")
        if self.cloned:
            layers = sum(int(c.get("count") or 0) for c in self.cloned)
            out.append(f"{layers} layer(s) cloned from shorthand at "
                       + ", ".join(str(c.get("at")) for c in self.cloned[:3])
                       + (", ..." if len(self.cloned) > 3 else ""))
        return out

    def summary(self) -> str:
        """One line: ``complete`` or ``INCOMPLETE``, with the reasons."""
        reasons = self.reasons()
        head = "complete" if self.complete else "INCOMPLETE"
        return f"{head}: " + "; ".join(reasons) if reasons else \
            f"complete: no missing size, unknown cost or elision in {self.nodes} nodes"

    def to_dict(self) -> dict[str, object]:
        """The ``"completeness"`` object of the JSON outputs."""
        return {
            "complete": self.complete,
            "summary": self.summary(),
            "nodes": self.nodes,
            "symbol_nodes": list(self.symbol_nodes),
            "symbols": list(self.symbols),
            "unknown_cost_nodes": list(self.unknown_cost_nodes),
            "unknown_atoms": list(self.unknown_atoms),
            "unknown_op_nodes": list(self.unknown_op_nodes),
            "zero_cost_nodes": list(self.zero_cost_nodes),
            "cloned": [dict(c) for c in self.cloned],
            "elided": list(self.elided),
            "parts": self.parts,
            "salvaged": self.salvaged,
            "broken_cycles": [list(e) for e in self.broken_cycles],
            "edgeless": self.edgeless,
            "zero_runtime": self.zero_runtime,
        }


def _given_symbols(dag: Dag, given: Iterable[sympy.Symbol | str]) -> set[str] | None:
    """Names of the symbols the user chose (None: every symbol is the user's own)."""
    if dag.meta.get("format") != "dot":
        return None  # specs and the builder declare their symbols themselves
    names = {"B", *(str(s) for s in given)}
    symbols = dag.meta.get("symbols") or {}
    if isinstance(symbols, dict):
        names.update(str(v) for v in symbols.values())
    return names


def _unknown_atoms(cost: sympy.Expr) -> set[str]:
    out: set[str] = set()
    for atom in cost.atoms(sympy.core.function.AppliedUndef):
        if atom.func != Get_Time and not is_communication(atom):
            out.add(atom.func.__name__)
    return out


def _facts(cost: sympy.Expr) -> tuple[frozenset[str], frozenset[str], bool]:
    """(symbol names other than B, unknown atom names, is zero) of one cost."""
    if cost is sympy.S.Zero or cost == 0:
        return frozenset(), frozenset(), True
    free = frozenset(str(s) for s in cost.free_symbols if s != B)
    return free, frozenset(_unknown_atoms(cost)), False


def completeness(dag: Dag, runtime: sympy.Expr | None = None, *,
                 given: Iterable[sympy.Symbol | str] = ()) -> Completeness:
    """The :class:`Completeness` of ``dag`` and, when given, its compute-only ``runtime``.

    ``given`` names symbols the user bound or chose beyond the reader's ``--symbol``
    ones (``symcost eval --set S=2048``); they do not count as unknown sizes.

    >>> import symcost
    >>> cost = symcost.parse_expr("Get_Time(B, 4096, 512)")
    >>> c = completeness(symcost.DagBuilder().node("a", cost=cost).build())
    >>> c.complete, c.summary()
    (True, 'complete: no missing size, unknown cost or elision in 1 nodes')
    """
    user = _given_symbols(dag, given)
    is_dot = dag.meta.get("format") == "dot"
    sym_nodes: list[str] = []
    syms: set[str] = set()
    unk_nodes: list[str] = []
    atoms: set[str] = set()
    unknown_ops: list[str] = []
    elided: list[str] = []
    zero_cost: list[str] = []
    costly: list[str] = []
    facts: dict[int, tuple[frozenset[str], frozenset[str], bool]] = {}
    keep: list[sympy.Expr] = []  # costs are shared between nodes: facts by object
    none: dict[str, object] = {}
    for node in dag.nodes:
        cost = node.cost
        got = facts.get(id(cost))
        if got is None:
            keep.append(cost)
            free, found, zero = _facts(cost)
            got = facts[id(cost)] = (free - user if user is not None else free, found, zero)
        free, found, zero = got
        attrs = node.attrs or none
        if user is None and not attrs.get("assumed"):
            free = frozenset()
        if free:
            sym_nodes.append(node.id)
            syms.update(free)
        unknown_cost = attrs.get("unknown_cost")
        if not (is_dot or unknown_cost):
            found = frozenset()
        if found or unknown_cost:
            unk_nodes.append(node.id)
            atoms.update(found)
        kind = node.kind
        shorthand = attrs.get("shorthand")
        if zero and not shorthand:
            if kind == Kind.UNKNOWN:
                unknown_ops.append(node.id)
            elif kind in (Kind.COMPUTE, Kind.ATTENTION) or (
                    kind == Kind.COMM and len(node.devices) != 1):
                zero_cost.append(node.id)
        if shorthand and not attrs.get("repeat") and not attrs.get("clone_of"):
            elided.append(node.id)
        if kind in COSTLY_KINDS and not (kind == Kind.UNKNOWN and attrs.get("implicit")):
            costly.append(node.id)  # an edge-only node carries no evidence of any cost
    cloned: list[dict] = []
    for rec in dag.meta.get("repeats", []) or []:  # type: ignore[union-attr]
        if not isinstance(rec, dict):
            continue
        if rec.get("applied"):
            cloned.append({k: rec.get(k) for k in ("at", "count", "layer", "how")})
        elif str(rec.get("at")) not in elided:
            elided.append(str(rec.get("at")))
    broken = tuple((str(u), str(v)) for u, v in dag.meta.get("broken_edges", []) or [])
    parts = dag.num_components() if len(dag) else 0
    edgeless = dag.num_edges == 0 and len(dag) > 1
    zero = runtime is not None and sympy.sympify(runtime) == 0 and bool(costly)
    return Completeness(
        nodes=len(dag), symbol_nodes=tuple(sym_nodes), symbols=tuple(sorted(syms)),
        unknown_cost_nodes=tuple(unk_nodes), unknown_atoms=tuple(sorted(atoms)),
        unknown_op_nodes=tuple(unknown_ops), zero_cost_nodes=tuple(zero_cost), cloned=tuple(cloned), elided=tuple(elided),
        parts=parts, salvaged=bool(dag.meta.get("salvaged")), broken_cycles=broken,
        edgeless=edgeless, zero_runtime=zero, costly_nodes=tuple(costly))


__all__ = ["Completeness", "completeness", "COSTLY_KINDS"]


def require_runtime(completeness: Completeness | None, file: str | None) -> None:
    """Refuse a zero runtime for a DAG that has compute, attention or unknown nodes
    (:class:`InputError`, exit status 2): their costs were not read, and a silent 0 would
    be wrong."""
    if completeness is None or not completeness.zero_runtime:
        return
    ids = completeness.costly_nodes
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    raise InputError(f"runtime is 0 but {len(ids)} compute/attention/unknown node(s) "
                     f"should cost time ({shown}): their sizes were not read; see "
                     "'symcost explain' and 'symcost info'", file=file)
