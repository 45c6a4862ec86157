"""The in-memory DAG: nodes with kind, devices and cost terms, and the edges between them.

Every reader (YAML/JSON spec, Graphviz DOT, the Python builder) produces a :class:`Dag`.
Nodes keep their position (file or build order), which breaks ties when a GPU's nodes
are serialized, and where they came from (:class:`Source`), which diagnostics name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

import sympy

from symcost.core.display import Displayable
from symcost.core.errors import CostError, CycleError, InputError


class Kind(str, Enum):
    """What a node does; decides its default cost and how reports group it."""

    COMPUTE = "compute"          # matmul-bearing operator (linear layer, expert, MLP ...)
    ATTENTION = "attention"      # attention (scores / weighted sum matmuls)
    COMM = "comm"                # communication (collectives, send/recv)
    ROUTE = "route"              # routing, dispatch, aggregation (zero cost by default)
    ELEMENTWISE = "elementwise"  # norms, activations, residuals, softmax (zero cost)
    IO = "io"                    # input / output (zero cost)
    UNKNOWN = "unknown"          # not understood: zero cost, reported as a diagnostic

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Source:
    """Where a node was defined: file and line (both optional)."""

    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.file is None:
            return "" if self.line is None else f"line {self.line}"
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Matmul:
    """One matrix multiplication ``[m, k] x [k, n]`` of a node, repeated ``count`` times."""

    m: sympy.Expr
    k: sympy.Expr
    n: sympy.Expr
    count: int = 1
    label: str = ""

    @property
    def term(self) -> sympy.Expr:
        from symcost.core.symbols import Get_Time

        return Get_Time(self.m, self.k, self.n)


@dataclass(slots=True)
class Node:
    """A DAG node.

    ``cost`` is a sympy expression: a non-negative rational combination of cost atoms
    (``Get_Time(...)``, communication atoms, user atoms). ``matmuls`` lists the
    matrix multiplications behind the ``Get_Time`` part, for reports.
    """

    id: str
    name: str = ""
    kind: Kind = Kind.UNKNOWN
    devices: frozenset[int] = frozenset()
    cost: sympy.Expr = sympy.S.Zero
    matmuls: tuple[Matmul, ...] = ()
    position: int = 0
    source: Source = field(default_factory=Source)
    attrs: dict[str, object] = field(default_factory=dict)
    layer: int | None = None


class Dag(Displayable):
    """A directed graph of :class:`Node` with integer-indexed adjacency.

    Node ids are strings; internally nodes are numbered by insertion (= position), so
    that algorithms can work on lists. Use :class:`DagBuilder` or a reader to make one.
    """

    def __init__(self, name: str = "", source: str | None = None) -> None:
        self.name = name
        self.source = source
        self.nodes: list[Node] = []
        self.index: dict[str, int] = {}
        self.succ: list[list[int]] = []
        self.pred: list[list[int]] = []
        self.edge_attrs: dict[tuple[int, int], dict[str, object]] = {}
        self.diagnostics: list = []  # list[Diagnostic], filled by readers
        self.meta: dict[str, object] = {}

    # -- construction
    def add_node(self, node: Node) -> int:
        """Add a node; its position becomes its insertion index. Ids must be unique."""
        if node.id in self.index:
            raise InputError(f"duplicate node id {node.id!r}", file=node.source.file,
                             line=node.source.line, node=node.id)
        i = len(self.nodes)
        node.position = i
        self.nodes.append(node)
        self.index[node.id] = i
        self.succ.append([])
        self.pred.append([])
        return i

    def add_edge(self, u: str, v: str, **attrs: object) -> None:
        """Add the edge ``u -> v`` between existing nodes (parallel edges are merged)."""
        for end in (u, v):
            if end not in self.index:
                raise InputError(f"edge {u!r} -> {v!r} names a node that does not exist",
                                 file=self.source, node=end)
        iu, iv = self.index[u], self.index[v]
        if iu == iv:
            raise CycleError([u], file=self.source)
        if (iu, iv) in self.edge_attrs:
            return
        self.succ[iu].append(iv)
        self.pred[iv].append(iu)
        self.edge_attrs[(iu, iv)] = dict(attrs)

    # -- queries
    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.index

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError when absent)."""
        return self.nodes[self.index[node_id]]

    def edges(self) -> Iterator[tuple[str, str]]:
        """All edges as ``(u_id, v_id)``, in insertion order of their tails."""
        for iu, vs in enumerate(self.succ):
            for iv in vs:
                yield self.nodes[iu].id, self.nodes[iv].id

    @property
    def num_edges(self) -> int:
        return len(self.edge_attrs)

    def devices(self) -> list[int]:
        """Every device any node runs on, sorted."""
        seen: set[int] = set()
        for n in self.nodes:
            seen.update(n.devices)
        return sorted(seen)

    def topological_order(self) -> list[int]:
        """The lexicographically-first topological order by position (Kahn + min-heap).

        Raises :class:`CycleError` naming a cycle when there is one.
        """
        import heapq

        indeg = [len(p) for p in self.pred]
        heap = [i for i, d in enumerate(indeg) if d == 0]
        heapq.heapify(heap)
        order: list[int] = []
        while heap:
            i = heapq.heappop(heap)
            order.append(i)
            for j in self.succ[i]:
                indeg[j] -= 1
                if indeg[j] == 0:
                    heapq.heappush(heap, j)
        if len(order) != len(self.nodes):
            raise CycleError(self.find_cycle(), file=self.source)
        return order

    def find_cycle(self) -> list[str]:
        """Node ids of one cycle (empty list when the graph is acyclic)."""
        WHITE, GREY, BLACK = 0, 1, 2
        color = [WHITE] * len(self.nodes)
        parent = [-1] * len(self.nodes)
        for root in range(len(self.nodes)):
            if color[root] != WHITE:
                continue
            stack = [(root, iter(self.succ[root]))]
            color[root] = GREY
            while stack:
                u, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    color[u] = BLACK
                    stack.pop()
                elif color[nxt] == WHITE:
                    parent[nxt] = u
                    color[nxt] = GREY
                    stack.append((nxt, iter(self.succ[nxt])))
                elif color[nxt] == GREY:
                    cyc = [u]
                    while cyc[-1] != nxt:
                        cyc.append(parent[cyc[-1]])
                    return [self.nodes[i].id for i in reversed(cyc)]
        return []

    def num_components(self) -> int:
        """Number of weakly connected parts (a depth-first walk over both directions)."""
        seen = bytearray(len(self.nodes))
        count = 0
        for start in range(len(self.nodes)):
            if seen[start]:
                continue
            count += 1
            seen[start] = 1
            stack = [start]
            while stack:
                u = stack.pop()
                for v in self.succ[u]:
                    if not seen[v]:
                        seen[v] = 1
                        stack.append(v)
                for v in self.pred[u]:
                    if not seen[v]:
                        seen[v] = 1
                        stack.append(v)
        return count

    def to_networkx(self):  # -> networkx.DiGraph
        """A networkx DiGraph with the node objects as the ``node`` attribute."""
        import networkx as nx

        g = nx.DiGraph(name=self.name)
        for n in self.nodes:
            g.add_node(n.id, node=n)
        g.add_edges_from(self.edges())
        return g


def check_cost(expr: sympy.Expr, *, where: str = "") -> sympy.Expr:
    """Check that ``expr`` is a non-negative rational combination of cost atoms.

    Returns the expanded expression; raises :class:`CostError` otherwise.
    """
    expr = sympy.sympify(expr)
    try:
        return _checked_cost(expr)
    except CostError as err:
        raise CostError(err.message + (f" ({where})" if where else "")) from None


@lru_cache(maxsize=65536)
def _checked_cost(expr: sympy.Expr) -> sympy.Expr:
    from symcost.core.symbols import is_atom

    expr = sympy.expand(sympy.sympify(expr), deep=False, mul=True, multinomial=False,
                        power_base=False, power_exp=False, log=False)
    for term in sympy.Add.make_args(expr):
        if term == 0:
            continue
        coeff, rest = term.as_coeff_Mul()
        if not (coeff.is_Rational and coeff > 0 and is_atom(rest)):
            raise CostError(f"cost term {term} is not a positive multiple of a cost atom")
    return expr


class DagBuilder:
    """Build a :class:`Dag` from Python.

    Examples
    --------
    >>> from symcost import DagBuilder, Get_Time, B
    >>> b = DagBuilder("tiny")
    >>> b.node("x", kind="io").node("mm", cost=Get_Time(B, 64, 64), devices=[0])
    ... # doctest: +ELLIPSIS
    <symcost.core.dag.DagBuilder object at ...>
    >>> b.edge("x", "mm").build().num_edges
    1
    """

    def __init__(self, name: str = "") -> None:
        self._dag = Dag(name)

    def node(self, id: str, *, name: str = "", kind: Kind | str | None = None,
             devices: Iterable[int] = (), cost: sympy.Expr | int = 0,
             matmuls: Iterable[Matmul] = (), layer: int | None = None,
             **attrs: object) -> DagBuilder:
        """Add a node. ``cost`` (a sympy expression of cost atoms, see
        :func:`symcost.parse_expr` for text) defaults to the sum of ``matmuls``' terms."""
        mms = tuple(matmuls)
        if isinstance(cost, str):  # never sympify user text (it evaluates Python)
            raise CostError(f"node {id!r}: cost {cost!r} is text; give an expression "
                            "(symcost.parse_expr(text) reads it with the whitelist parser)")
        total = sympy.sympify(cost)
        if total == 0 and mms:
            total = sympy.Add(*[mm.count * mm.term for mm in mms])
        total = check_cost(total, where=f"node {id!r}")
        if kind is None:
            kind = Kind.COMPUTE if total != 0 else Kind.ELEMENTWISE
        self._dag.add_node(Node(id=id, name=name or id, kind=Kind(kind),
                                devices=frozenset(int(d) for d in devices), cost=total,
                                matmuls=mms, layer=layer, attrs=dict(attrs)))
        return self

    def edge(self, u: str, v: str, **attrs: object) -> DagBuilder:
        """Add the edge ``u -> v``."""
        self._dag.add_edge(u, v, **attrs)
        return self

    def chain(self, *ids: str) -> DagBuilder:
        """Add edges along ``ids[0] -> ids[1] -> ...``."""
        for u, v in zip(ids, ids[1:]):
            self._dag.add_edge(u, v)
        return self

    def build(self) -> Dag:
        """The DAG; raises :class:`CycleError` if it has a cycle."""
        self._dag.topological_order()
        return self._dag
