"""Reading labels into facts: clusters, nodes (label, GPUs, layer, stage), edges.

Each node's label is read by :mod:`symcost.labels` into a :class:`LabelInfo`
(``st.infos``); its GPUs come from the label, else its cluster's label, else its id.
Nothing here classifies or costs a node (that is :mod:`symcost.read.dot.costs`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from symcost.core.dag import Node, Source
from symcost.core.diagnostics import info, warning
from symcost.core.errors import InputError
from symcost.labels.gpus import GpuSpec, gpu_in_cluster_label, gpu_in_id
from symcost.labels.label import normalize, split_label
from symcost.read.dot.state import DotReading

MAX_LABEL = 65536
_LIST_MAX = 8
_LAYER_NAME = re.compile(r"(?i)\blayer[\s_:]*(\d+)\b(?!\s*[-–]\s*\d)|\bL(\d+)\b")
_LAYER_ID = re.compile(r"(?i)layer_?(\d+)|(?:^|_)l(\d+)(?:_|$)")
_STAGE = re.compile(r"(?i)\b(?:pipeline\s+)?stage[\s_]*(\d+)|\bPP[\s_]?(\d+)\b")
_STAGE_ID = re.compile(r"(?i)(?:^|_)(?:s|stage|pp)_?(\d+)(?:_|$)")


class Cluster:
    __slots__ = ("name", "label", "gpu", "layer", "stage", "depth")

    def __init__(self, name: str, label: str, depth: int) -> None:
        self.name = name
        self.label = label
        self.depth = depth
        self.gpu = gpu_in_cluster_label(label) if label else None
        m = _LAYER_NAME.search(label) if label else None
        self.layer = int(m.group(1) or m.group(2)) if m else None
        m = _STAGE.search(label or name)
        self.stage = int(m.group(1) or m.group(2)) if m else None


def read_clusters(st: DotReading) -> dict[str, list[Cluster]]:
    """For each node id, the labelled subgraphs containing it, outermost first."""
    member: dict[str, list[Cluster]] = defaultdict(list)
    st.cluster_list: list[Cluster] = []
    stack = [(sg, 1) for sg in reversed(st.g.subgraphs)]
    while stack:
        sg, depth = stack.pop()
        label = normalize(sg.label, graph_name=sg.name)
        c = Cluster(sg.name, " ".join(label.split()), depth)
        st.cluster_list.append(c)
        for nid in sg.members:
            member[nid].append(c)
        stack.extend((s, depth + 1) for s in reversed(sg.children))
    return member


def read_nodes(st: DotReading, clusters: dict[str, list[Cluster]], decl_lines: dict[str, list[int]],
           declared: set[str]) -> None:
    implicit: list[str] = []
    gname = str(st.g.name or "")
    for nid, raw, shape in zip(st.g.nodes, st.g.labels, st.g.shapes):
        shape = shape.lower() or None
        has_label = raw not in ("", "\\N")
        raw = raw if has_label else nid
        if len(raw) > MAX_LABEL:
            raise InputError(f"label of {len(raw)} characters, more than the "
                             f"{MAX_LABEL} character limit", file=st.file,
                             line=(decl_lines.get(nid) or [None])[0], node=nid)
        text = normalize(raw, nid, gname)
        linfo, gpu, gpu_text = split_label(text)
        lines = decl_lines.get(nid, [])
        chain = clusters.get(nid, [])
        node = Node(id=nid, name=linfo.name or nid, source=Source(st.file,
                    lines[0] if lines else None))
        node.attrs["label"] = text
        if shape:
            node.attrs["shape"] = shape
        if chain:
            node.attrs["cluster"] = chain[-1].name
            label = next((c.label for c in reversed(chain) if c.label), "")
            if label:
                node.attrs["cluster_label"] = label
        _place(st, node, gpu or linfo.gpu, gpu_text, chain)
        node.layer = _layer(nid, linfo.name, chain, text)
        stage = _stage(nid, chain)
        if stage is not None:
            node.attrs["stage"] = stage
        st.dag.add_node(node)
        st.infos.append(linfo)
        if len(lines) > 1:
            shown = ", ".join(str(x) for x in lines[:_LIST_MAX])
            st.add(warning(f"node defined {len(lines)} times (lines {shown}); Graphviz "
                              "merges the attributes, the last value wins",
                              code="duplicate", **st.where(node)))
        if not has_label and nid not in declared:
            implicit.append(nid)
    for nid in implicit:
        node = st.dag.node(nid)
        node.attrs["implicit"] = True
        st.add(warning("node is only named by edges (never declared, no label)",
                          code="implicit", **st.where(node)))


def _place(st: DotReading, node: Node, spec: GpuSpec | None, gpu_text: str | None,
           chain: list[Cluster]) -> None:
    origin = "label"
    if gpu_text is not None and spec is None:
        st.add(warning(f"GPU placement {gpu_text!r} not understood",
                          code="gpu", file=st.file, line=node.source.line, node=node.id))
    if spec is None:  # the node's own id (``qkv_gpu3``) beats its cluster's range
        spec = gpu_in_id(node.id)
        origin = "id"
    if spec is None:
        spec = next((c.gpu for c in reversed(chain) if c.gpu is not None), None)
        origin = "cluster"
    if spec is None:
        return
    node.devices = spec.devices
    node.attrs["gpu"] = spec.text
    node.attrs["gpu_from"] = origin
    if spec.all_gpus:
        node.attrs["all_gpus"] = True
    if spec.host:
        node.attrs["host"] = True
    if spec.transfer:
        node.attrs["transfer"] = True


def _layer(nid: str, name: str, chain: list[Cluster], text: str) -> int | None:
    layer = _layer_in_name(name)
    if layer is not None:
        return layer
    m = _LAYER_NAME.search(re.sub(r"\[[^\]]*\]", "", text))
    if m:
        return int(m.group(1) or m.group(2))
    m = _LAYER_ID.search(nid)
    if m:
        return int(m.group(1) or m.group(2))
    return next((c.layer for c in reversed(chain) if c.layer is not None), None)


@lru_cache(maxsize=65536)
def _layer_in_name(name: str) -> int | None:
    """The layer number an operation name states (``LayerNorm L3``), cached: names repeat."""
    m = _LAYER_NAME.search(name)
    return int(m.group(1) or m.group(2)) if m else None


def _stage(nid: str, chain: list[Cluster]) -> int | None:
    st = next((c.stage for c in reversed(chain) if c.stage is not None), None)
    if st is None:
        m = _STAGE_ID.search(nid)
        st = int(m.group(1)) if m else None
    return st


def read_edges(st: DotReading) -> None:
    dag = st.dag
    dup = 0
    index = dag.index
    for u, v, style, label in st.g.edges:
        iu, iv = index[u], index[v]
        if iu == iv and st.break_cycles:
            dag.meta.setdefault("broken_edges", []).append([u, v])
            st.add(warning(f"self-loop {u!r} -> {v!r} removed (--break-cycles)",
                              file=st.file, node=u, code="cycle-broken"))
        elif (iu, iv) in dag.edge_attrs:
            dup += 1
        else:
            attrs = {}
            if style:
                attrs["style"] = style
            if label:
                attrs["label"] = " ".join(normalize(label).split())
            dag.add_edge(u, v, **attrs)
    if dup:
        st.add(info(f"{dup} duplicate edge(s) merged", file=st.file, code="dup-edge"))


def resolve_all_gpus(st: DotReading) -> None:
    everywhere = frozenset(st.dag.devices())
    unresolved = []
    for node in st.dag.nodes:
        if node.attrs.get("all_gpus"):
            node.devices = node.devices | everywhere
            if not node.devices:
                unresolved.append(node.id)
    if unresolved:
        st.add(warning("'all GPUs' but no node names a GPU id", file=st.file,
                          node=unresolved[0], nodes=tuple(unresolved), code="gpu"))
