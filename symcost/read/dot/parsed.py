"""What the DOT reader takes from a parsed graph, whoever parsed it.

:class:`ParsedDot` holds, in Graphviz's own iteration order, the node ids with their
``label`` and ``shape`` values, the edges with their ``style`` and ``label``, and the
subgraph tree with each subgraph's ``label`` and member nodes. It is filled either by
the fast reader of the common DOT subset (:mod:`symcost.read.dot.fastdot`) or from a
graph Graphviz parsed (:func:`symcost.read.dot.graphviz.from_agraph`); the facts step
(:mod:`symcost.read.dot.facts`) reads only this, so both give the same reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParsedSubgraph:
    """One subgraph: its name (``""`` when anonymous), raw ``label`` value, the ids of
    its member nodes in node order, and its subgraphs in Graphviz's order.

    >>> ParsedSubgraph("cluster_0", "Layer 0", ["a"]).name
    'cluster_0'
    """

    name: str
    label: str
    members: list[str] = field(default_factory=list)
    children: list[ParsedSubgraph] = field(default_factory=list)


@dataclass
class ParsedDot:
    """A parsed DOT graph, reduced to what the reader uses (values ``""`` when unset).

    ``edges`` are ``(tail, head, style, label)`` in Graphviz's order: by tail in node
    order, then by head in node order, then in the order written (multi-edges kept).
    ``via`` says who parsed it: ``"fast"`` or ``"graphviz"``.

    >>> g = ParsedDot("G", True, ["a", "b"], ["A", ""], ["", "box"],
    ...               [("a", "b", "", "")], [])
    >>> g.number_of_nodes(), g.edges[0][:2]
    (2, ('a', 'b'))
    """

    name: str | None
    directed: bool
    nodes: list[str]
    labels: list[str]
    shapes: list[str]
    edges: list[tuple[str, str, str, str]]
    subgraphs: list[ParsedSubgraph]
    via: str = "graphviz"

    def number_of_nodes(self) -> int:
        """How many nodes the graph has.

        >>> ParsedDot(None, True, [], [], [], [], []).number_of_nodes()
        0
        """
        return len(self.nodes)

    def is_directed(self) -> bool:
        """True for a ``digraph``.

        >>> ParsedDot(None, False, [], [], [], [], []).is_directed()
        False
        """
        return self.directed


__all__ = ["ParsedDot", "ParsedSubgraph"]
