"""Generated deployment DAGs for the benchmarks (PERFORMANCE.md's layout).

L layers x G GPUs; per GPU and layer a chain LN -> Q -> K -> V -> QK^T -> AV -> all-reduce
join -> out-proj -> gate -> expert up -> down -> aggregation join. ``skewed``: expert token
counts differ per GPU and a quarter of the GPUs hold two half-width experts, so real,
incomparable ``Max`` terms survive. Nodes are built directly (costs shared between nodes)
so that generating 1M nodes takes seconds, not the solver's budget.
"""

from __future__ import annotations

import random

import sympy

from symcost.core.dag import Dag, Kind, Node
from symcost.core.symbols import AllReduce, B, Get_Time


def deployment(layers: int, gpus: int, skewed: bool = True) -> Dag:
    """The L x G deployment DAG (about ``layers * (12 * gpus + 2)`` nodes)."""
    h, s, f = 4096, 2048, 16384
    dag = Dag(f"{'skewed' if skewed else 'uniform'}_{layers}x{gpus}")
    q = Get_Time(s * B, h, 512)
    qk = Get_Time(4 * s * B, 128, s)
    av = Get_Time(4 * s * B, s, 128)
    out = Get_Time(s * B, h, h)
    gate = Get_Time(s * B, h, 16)
    ar = AllReduce(s * h * B, gpus)
    experts = []
    for g in range(gpus):
        tok = s * (1 + g % 3) if skewed else s
        if skewed and g % 4 == 3:
            experts.append([(Get_Time(tok * B, h, f // 2), Get_Time(tok * B, f // 2, h))] * 2)
        else:
            experts.append([(Get_Time(tok * B, h, f), Get_Time(tok * B, f, h))])

    def add(nid: str, kind: Kind, cost: sympy.Expr, dev: frozenset[int]) -> int:
        return dag.add_node(Node(nid, nid, kind, dev, cost))

    zero = sympy.S.Zero
    prev = add("input", Kind.IO, zero, frozenset())
    alldev = frozenset(range(gpus))
    for layer in range(layers):
        p = f"L{layer}."
        join = add(p + "allreduce", Kind.COMM, ar, alldev)
        ends = []
        for g in range(gpus):
            d = frozenset((g,))
            x = f"{p}g{g}."
            chain = [add(x + "ln", Kind.ELEMENTWISE, zero, d), add(x + "q", Kind.COMPUTE, q, d),
                     add(x + "k", Kind.COMPUTE, q, d), add(x + "v", Kind.COMPUTE, q, d),
                     add(x + "qk", Kind.ATTENTION, qk, d), add(x + "av", Kind.ATTENTION, av, d)]
            _chain(dag, [prev] + chain + [join])
            tail = [add(x + "out", Kind.COMPUTE, out, d), add(x + "gate", Kind.COMPUTE, gate, d)]
            _chain(dag, [join] + tail)
            last = tail[-1]
            for e, (up, down) in enumerate(experts[g]):
                u = add(f"{x}e{e}.up", Kind.COMPUTE, up, d)
                w = add(f"{x}e{e}.down", Kind.COMPUTE, down, d)
                _chain(dag, [last, u, w])
                last = w
            ends.append(last)
        agg = add(p + "aggregate", Kind.ROUTE, zero, frozenset())
        for e in ends:
            _edge(dag, e, agg)
        prev = agg
    return dag


def random_distinct(n: int, seed: int = 0, density: float = 3.0) -> Dag:
    """A random DAG of ``n`` nodes, each with its own Get_Time atom (about ``density``
    out-edges per node to later nodes within a window)."""
    rng = random.Random(seed)
    dag = Dag(f"random_distinct_{n}")
    for i in range(n):
        cost = Get_Time(rng.randint(1, 64) * B + rng.randint(0, 4096), rng.randint(1, 8192),
                        rng.randint(1, 8192))
        dag.add_node(Node(f"n{i}", f"n{i}", Kind.COMPUTE, frozenset({rng.randrange(8)}), cost))
    for i in range(n):
        for _ in range(rng.randint(0, int(2 * density))):
            j = i + rng.randint(1, 50)
            if j < n:
                _edge(dag, i, j)
    return dag


def _edge(dag: Dag, u: int, v: int) -> None:
    if (u, v) not in dag.edge_attrs:
        dag.succ[u].append(v)
        dag.pred[v].append(u)
        dag.edge_attrs[(u, v)] = {}


def _chain(dag: Dag, ids: list[int]) -> None:
    for u, v in zip(ids, ids[1:]):
        _edge(dag, u, v)
