"""A picture of the critical path: the DAG with the longest path highlighted.

:func:`draw` returns Graphviz DOT text (``"dot"``) or a layout made by the Graphviz that
pygraphviz bundles (``"svg"``, ``"png"``). Each node shows its id, GPUs and cost term; the
nodes and edges of the compute-only critical path are red, and same-GPU orderings that the
path uses (``device`` concurrency) are dashed red edges. DAGs over :data:`MAX_NODES` nodes
are drawn one layer at a time (the first layer the path crosses), and the picture's label
says so.
"""

from __future__ import annotations

from symcost.algebra.printing import to_text
from symcost.core.dag import Kind
from symcost.core.errors import SymcostError
from symcost.output.context import ranges
from symcost.solve.analysis import AnalysisResult

#: Above this many nodes only one layer (or the path alone) is drawn.
MAX_NODES = 300

_FILL = {
    Kind.COMPUTE: "#dbe9f6", Kind.ATTENTION: "#e3dbf6", Kind.COMM: "#fbe3c8",
    Kind.ROUTE: "#e2f0d9", Kind.ELEMENTWISE: "#f2f2f2", Kind.IO: "#ffffff",
    Kind.UNKNOWN: "#f8d7da",
}
PATH_COLOR = "#c0392b"


def _selection(result: AnalysisResult) -> tuple[list[int], str]:
    """Indices of the nodes to draw and a note about what was left out."""
    dag = result.dag
    n = len(dag.nodes)
    if n <= MAX_NODES:
        return list(range(n)), ""
    path_layers = [dag.node(s.node).layer for s in result.compute.critical_path]
    layer = next((x for x in path_layers if x is not None), None)
    layers = sorted({x.layer for x in dag.nodes if x.layer is not None})
    if layer is not None:
        chosen = [i for i, x in enumerate(dag.nodes) if x.layer == layer]
        if len(chosen) <= MAX_NODES:
            return chosen, (f"layer {layer} only ({len(chosen)} of {n} nodes; "
                            f"{len(layers)} layers; too many nodes to draw all legibly)")
    on_path = [dag.index[s.node] for s in result.compute.critical_path][:MAX_NODES]
    return sorted(set(on_path)), (f"critical path only ({len(set(on_path))} of {n} nodes; "
                                  "too many nodes to draw all legibly)")


def to_agraph(result: AnalysisResult, source: str | None = None):
    """A ``pygraphviz.AGraph`` of the DAG (or one layer) with the critical path marked."""
    import pygraphviz

    dag = result.dag
    chosen, note = _selection(result)
    keep = set(chosen)
    path = [dag.index[s.node] for s in result.compute.critical_path]
    on_path = set(path)
    path_edges = set(zip(path, path[1:]))
    title = f"{dag.name}: critical path (compute only, concurrency {result.concurrency})"
    if source:
        title += f"\\nfrom {source}"
    if note:
        title += f"\\ndrawn: {note}"
    title += f"\\nT_compute(B) = {to_text(result.runtime_compute_only)}"
    if result.completeness is not None:
        title += f"\\nreading: {result.completeness.summary()}"
    g = pygraphviz.AGraph(directed=True, strict=False, name=dag.name or "dag")
    g.graph_attr.update(label=title, labelloc="t", rankdir="TB", fontname="Helvetica",
                        fontsize="12", nodesep="0.25", ranksep="0.35")
    g.node_attr.update(shape="box", style="rounded,filled", fontname="Helvetica",
                       fontsize="9")
    g.edge_attr.update(color="#888888", arrowsize="0.6")
    for i in chosen:
        node = dag.nodes[i]
        cost = to_text(node.cost)
        label = node.id
        if node.devices:
            label += f"\\nGPU {ranges(node.devices)}"
        if cost != "0":
            label += f"\\n{cost}"
        attrs = {"label": label, "fillcolor": _FILL.get(node.kind, "#ffffff")}
        if i in on_path:
            attrs.update(color=PATH_COLOR, penwidth="2.5", fontcolor=PATH_COLOR)
        g.add_node(node.id, **attrs)
    for iu in chosen:
        for iv in dag.succ[iu]:
            if iv not in keep:
                continue
            attrs = {}
            if (iu, iv) in path_edges:
                attrs = {"color": PATH_COLOR, "penwidth": "2.5"}
            g.add_edge(dag.nodes[iu].id, dag.nodes[iv].id, **attrs)
    for iu, iv in zip(path, path[1:]):
        if iu in keep and iv in keep and iv not in dag.succ[iu]:
            g.add_edge(dag.nodes[iu].id, dag.nodes[iv].id, color=PATH_COLOR, penwidth="2.5",
                       style="dashed", label="same GPU", fontsize="8",
                       fontcolor=PATH_COLOR)
    return g


def draw(result: AnalysisResult, fmt: str = "svg", source: str | None = None) -> str | bytes:
    """The picture as DOT text (``fmt="dot"``), SVG text or PNG bytes."""
    if fmt not in ("dot", "svg", "png"):
        raise SymcostError(f"unknown picture format {fmt!r}: use dot, svg or png")
    g = to_agraph(result, source)
    if fmt == "dot":
        return g.string()
    data = g.draw(format=fmt, prog="dot")
    return data.decode() if fmt == "svg" else data


def picture(result: AnalysisResult, format: str = "svg", *, source: str | None = None
            ) -> str | bytes:
    """The critical-path picture of an analysis: DOT or SVG text, PNG bytes.

    >>> import symcost
    >>> r = symcost.analyze(symcost.DagBuilder().node("a", cost=symcost.Get_Time(symcost.B, 1, 1)).build())
    >>> symcost.picture(r, "dot").lstrip().startswith(("digraph", "strict digraph"))
    True
    """
    return draw(result, format, source=source)


__all__ = ["draw", "picture", "to_agraph", "MAX_NODES"]
