"""Concurrency modes: which extra ordering the hardware imposes on a DAG.

``dag``: only the DAG's edges order operations. ``device`` (default): the operations of
one GPU run one at a time, in the lexicographically-first topological order by position
(Kahn's algorithm with a min-heap on file or build position); a node on several GPUs
occupies all of them. The runtime is then the longest path of the DAG plus, for each
GPU, an edge from each of its operations to the next one. ``overlap``: each GPU has a
compute stream and a communication stream; the operations of one stream run one at a
time in that same order (a communication node occupies the communication stream of each
of its GPUs, any other node the compute stream), so a collective overlaps compute that
does not depend on it. ``overlap <= device``: its runtime brackets the truth from below
for the same DAG (``max(T_math, T_comms) <= T <= T_math + T_comms``, derived per DAG).
"""

from __future__ import annotations

from symcost.core.dag import Dag, Kind
from symcost.core.errors import SymcostError

MODES = ("device", "dag", "overlap")


def check_mode(mode: str) -> str:
    """Validate a concurrency mode name."""
    if mode not in MODES:
        raise SymcostError(f"unknown concurrency mode {mode!r}; use one of: {', '.join(MODES)}")
    return mode


def device_edges(dag: Dag, order: list[int] | None = None, *,
                 streams: bool = False) -> list[tuple[int, int]]:
    """Same-device serialization edges ``(u, v)`` (node indices), without duplicates.

    ``order`` is the DAG's lexicographically-first topological order (computed if None).
    ``streams``: serialize per (GPU, stream) instead of per GPU (the ``overlap`` mode).
    """
    if order is None:
        order = dag.topological_order()
    last: dict[object, int] = {}
    out: set[tuple[int, int]] = set()
    nodes = dag.nodes
    for i in order:
        comm = nodes[i].kind == Kind.COMM
        for d in nodes[i].devices:
            key = (d, comm) if streams else d
            j = last.get(key)
            if j is not None:
                out.add((j, i))
            last[key] = i
    return sorted(out)
