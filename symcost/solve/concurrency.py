"""Concurrency modes: which extra ordering the hardware imposes on a DAG.

``dag``: only the DAG's edges order operations. ``device`` (default): the operations of
one GPU run one at a time, in the lexicographically-first topological order by position
(Kahn's algorithm with a min-heap on file or build position); a node on several GPUs
occupies all of them. The runtime is then the longest path of the DAG plus, for each
GPU, an edge from each of its operations to the next one.
"""

from __future__ import annotations

from symcost.core.dag import Dag
from symcost.core.errors import SymcostError

MODES = ("device", "dag")


def check_mode(mode: str) -> str:
    """Validate a concurrency mode name."""
    if mode not in MODES:
        raise SymcostError(f"unknown concurrency mode {mode!r}; use one of: {', '.join(MODES)}")
    return mode


def device_edges(dag: Dag, order: list[int] | None = None) -> list[tuple[int, int]]:
    """Same-device serialization edges ``(u, v)`` (node indices), without duplicates.

    ``order`` is the DAG's lexicographically-first topological order (computed if None).
    """
    if order is None:
        order = dag.topological_order()
    last: dict[int, int] = {}
    out: set[tuple[int, int]] = set()
    nodes = dag.nodes
    for i in order:
        for d in nodes[i].devices:
            j = last.get(d)
            if j is not None:
                out.add((j, i))
            last[d] = i
    return sorted(out)
