"""Repeated-layer shorthand in deployment DAGs, applied by cloning the repeated layer.

DAG files abbreviate: a node "Layers 1-30: same as Layer 0" (or "... repeated 126
times"), an edge labelled "124 layers skipped" or "Layers 1-22", an elision node "...",
"⋮", "... continue pattern ...". symcost applies a stated repeat count by **cloning**
the nodes of the repeated layer that many times, in sequence, where the shorthand stands
(each copy keeps its GPUs, costs and internal edges; copy ``c``'s exits feed copy
``c+1``'s entries). Cloning keeps every convention exact: same-GPU serialization under
``device`` concurrency, parallel branches kept in ``Max`` under ``dag`` concurrency, and
identical layers grouped in the result. Every assumption is a warning diagnostic
(code ``repeat``); an elision whose count the graph does not give stays as drawn
(cost 0) with a warning. ``--repeat NODE=COUNT`` states or corrects the count of a
shorthand node (``--repeat "U->V=COUNT"`` for an edge); on an ordinary node it runs that
node COUNT times in sequence (its cost multiplied by COUNT).
"""

from __future__ import annotations

import re

import sympy

from symcost.core.dag import Dag, Kind, Matmul, Node
from symcost.core.diagnostics import Diagnostic, info, warning
from symcost.core.errors import InputError

MAX_CLONED_NODES = 200_000

_NUM = r"(\d+)"
_SAME_AS = re.compile(r"(?is)\blayers?\s*(\d+)\s*(?:-|–|—|to|\.\.)\s*(\d+)\b.*?\bsame\b.*?"
                      r"\blayer\s*(\d+)")
_REPEATED = re.compile(r"(?i)\brepeated[ \t]+(\d+)[ \t]*(?:times|x|×)")
_MORE_LAYERS = re.compile(r"(?i)\b(\d+)[ \t]+(?:more|identical|similar|additional|remaining)"
                          r"[ \t]+(?:transformer[ \t]+)?layers\b")
_EDGE = re.compile(r"(?i)\b(\d+)[ \t]+(?:more[ \t]+|identical[ \t]+|similar[ \t]+|"
                   r"additional[ \t]+|remaining[ \t]+)?(?:transformer[ \t]+)?layers?\b|"
                   r"\blayers?[ \t]*(\d+)[ \t]*(?:-|–|—|to)[ \t]*(\d+)\b")
_ELISION = re.compile(r"(?i)^\s*(?:\.{3}|…|⋮|⋯)|continue[sd]?\s+(?:the\s+)?pattern|"
                      r"\bsimilar\s+for\b|\betc\.?\s*$")
#: "Layers 1-9" opening a node that names no operation of its own: 9 layers elided
_LAYER_RANGE = re.compile(r"(?i)^\s*layers?\s*(\d+)\s*(?:-|–|—|to|\.\.)\s*(\d+)\b(?:\s*\(\s*\d+\s+layers?\s*\))?")
#: "Same operations as Node 0": a parallel copy of a drawn part (not a repeat in series)
_SAME_PARALLEL = re.compile(r"(?i)\bsame\b[^\n]*\bas\s+(?:node|gpu|device|rank|replica|"
                            r"dp|tp|group|shard)\s*\d+")
_PARALLEL = re.compile(r"(?i)\bmore\s+(?:experts?|gpus?|heads?|ranks?|devices?|shards?)\b")


#: Each shorthand pattern above needs one of these words (or non-ASCII text, or a
#: leading "layer"): an ASCII label with none of them is no shorthand.
_WORDS = ("same", "repeated", "layers", "...", "pattern", "similar", "etc")
_LAYER_START = re.compile(r"\s*layers?\s*\d")  # what _LAYER_RANGE opens with


def _maybe_shorthand(text: str) -> bool:
    """False when no shorthand pattern can match ``text`` (a few substring tests, not
    seven regular expressions; non-ASCII text always gets the full test, since
    case-insensitive patterns also match some non-ASCII letters)."""
    if not text.isascii():
        return True
    low = text.lower()
    for w in _WORDS:
        if w in low:
            return True
    return _LAYER_START.match(low) is not None


def _count(m: re.Match[str]) -> int:
    g = m.groups()
    if len(g) == 3 and g[0] is None and g[1] is not None and g[2] is not None:
        return int(g[2]) - int(g[1]) + 1
    return int(next(x for x in g if x is not None))


def _node_text(node: Node) -> str:
    return str(node.attrs.get("label") or node.name or node.id)


def _costless(node: Node) -> bool:
    """True when the node's cost is 0 or only an explicit unknown atom (no formula)."""
    return node.cost == 0 or (bool(node.attrs.get("unknown_cost")) and not node.matmuls)


def _marker(node: Node) -> tuple[int | None, int | None, str] | None:
    """(count, referenced layer, how) for a repeat-shorthand node, else None."""
    text = _node_text(node)
    m = _SAME_AS.search(text)
    if m:
        a, b, ref = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return b - a + 1, ref, f"'Layers {a}-{b}: same as Layer {ref}'"
    m = _REPEATED.search(text)
    if m and _costless(node):  # N occurrences in all, one of them drawn: N - 1 copies
        return int(m.group(1)) - 1, None, f"'{m.group(0)}' ({m.group(1)} in all, 1 drawn)"
    m = _MORE_LAYERS.search(text)
    if m and _costless(node):
        return int(m.group(1)), None, f"'{m.group(0)}'"
    m = _LAYER_RANGE.match(text)
    if m and _costless(node) and node.attrs.get("rule") in (None, "block"):
        a, b = int(m.group(1)), int(m.group(2))
        return abs(b - a) + 1, None, f"'{m.group(0).strip()}' ({abs(b - a) + 1} layers in one node)"
    if _ELISION.search(text) and not _PARALLEL.search(text):
        return None, None, "elision"
    return None


def _make_marker(node: Node) -> None:
    """A shorthand node is a drawing device, not an operation: no cost of its own."""
    node.attrs["shorthand"] = True
    if node.attrs.pop("unknown_cost", None) is not None:
        node.cost, node.matmuls = sympy.S.Zero, ()
    if node.kind in (Kind.UNKNOWN, Kind.COMPUTE) and node.cost == 0:
        node.kind = Kind.ROUTE


def apply_repeats(dag: Dag, user: dict[str, int], file: str) -> list[Diagnostic]:
    """Find the shorthand, apply the counts (the user's win), return diagnostics."""
    out: list[Diagnostic] = []
    user = dict(user)
    n0 = len(dag)
    plans: list[tuple[str, int, int | None, list[int], list[int], str]] = []
    # (what, count, ref layer, preds to cut, succs to attach, how) ; edges keyed 'u->v'
    markers: dict[int, tuple[int | None, int | None, str]] = {}
    for i in range(n0):
        node = dag.nodes[i]
        if not _maybe_shorthand(_node_text(node)):
            continue
        mk = _marker(node)
        if mk is None and _SAME_PARALLEL.search(_node_text(node)) and _costless(node):
            text = " ".join(_node_text(node).split())
            out.append(info(f"parallel copy ({text!r}): runs beside the part it names and "
                            "does not lengthen the longest path; costed 0", file=file,
                            line=node.source.line, node=node.id, code="repeat"))
            _make_marker(node)
            continue
        if mk is None:
            if _PARALLEL.search(_node_text(node)) and _ELISION.search(_node_text(node)):
                text = " ".join(_node_text(node).split())
                out.append(info(f"elided parallel copies ({text!r}): identical parallel "
                                "branches do not lengthen the longest path; not expanded",
                                file=file,
                                line=node.source.line, node=node.id, code="repeat"))
                _make_marker(node)
            continue
        markers[i] = mk
        _make_marker(node)
    for i, (count, ref, how) in markers.items():
        node = dag.nodes[i]
        given = user.pop(node.id, None)
        if given is not None:
            how = f"--repeat {node.id}={given}" + (f" (the graph says {count})"
                                                    if count is not None and count != given
                                                    else "")
            count = given
        if count is None:
            out.append(warning(f"elision node {node.id!r}: the graph does not say how many "
                               "times the block repeats; counted as drawn (cost 0); state "
                               f"it with --repeat {node.id}=COUNT", file=file,
                               line=node.source.line, node=node.id, code="repeat"))
            continue
        if ref is None:
            ref = next((dag.nodes[j].layer for j in sorted(dag.pred[i])
                        if dag.nodes[j].layer is not None), None)
        plans.append((node.id, count, ref, [i], [], how))
    for (iu, iv), attrs in list(dag.edge_attrs.items()):
        label = str(attrs.get("label", ""))
        if not label and not user:
            continue
        key = f"{dag.nodes[iu].id}->{dag.nodes[iv].id}"
        m = _EDGE.search(label) if label else None
        given = user.pop(key, None)
        if m is None and given is None:
            continue
        count = given if given is not None else _count(m)
        how = (f"--repeat {key}={given}" if given is not None
               else f"edge label {label!r}")
        if iv in markers and markers[iv][0] is not None and given is None:
            if count not in (markers[iv][0], markers[iv][0] - 1):
                out.append(warning(f"edge {key} says {count} layers but {dag.nodes[iv].id!r} "
                                   f"says {markers[iv][0]}; the node's count is used",
                                   file=file, node=dag.nodes[iv].id, code="repeat"))
            continue
        ref = dag.nodes[iu].layer
        plans.append((key, count, ref, [iu], [iv], how))
    for key, count in user.items():
        if key not in dag.index:
            raise InputError(f"--repeat {key}={count}: no such node (or edge 'U->V') in the "
                             "DAG", file=file)
        node = dag.nodes[dag.index[key]]
        node.cost = sympy.expand(node.cost * count)
        node.matmuls = tuple(Matmul(mm.m, mm.k, mm.n, mm.count * count, mm.label)
                             for mm in node.matmuls)
        node.attrs["repeat"] = {"count": count, "how": f"--repeat {key}={count}"}
        out.append(warning(f"--repeat {key}={count}: the node runs {count} times in sequence "
                           "(its cost multiplied)", file=file, line=node.source.line,
                           node=key, code="repeat"))
    records = []
    for what, count, ref, cut_from, attach_to, how in plans:
        d = _clone(dag, what, count, ref, cut_from, attach_to, how, file, n0)
        out.append(d)
        records.append({"at": what, "count": count, "layer": ref, "how": how,
                        "applied": d.code == "repeat" and "cloned" in d.message})
    if records:
        dag.meta["repeats"] = records
    return out


def _clone(dag: Dag, what: str, count: int, ref: int | None, cut: list[int],
           attach: list[int], how: str, file: str, n0: int) -> Diagnostic:
    where = {"file": file, "node": what.split("->")[-1] if "->" in what else what}
    if count < 1:
        return warning(f"{what}: repeat count {count} from {how} is not positive; not applied",
                       code="repeat", **where)
    skip = set(attach) if attach else set(cut)  # the marker node, or an edge's head
    block = [i for i in range(n0) if dag.nodes[i].layer == ref and dag.nodes[i].kind != Kind.IO
             and i not in skip and not dag.nodes[i].attrs.get("shorthand")] \
        if ref is not None else []
    if not block:
        return warning(f"{what}: {count} repeated layer(s) ({how}) but the repeated layer's "
                       "nodes are not identifiable (no layer number); not applied — the "
                       "runtime covers only the layers drawn", code="repeat", **where)
    if count * len(block) + len(dag) > MAX_CLONED_NODES:
        return warning(f"{what}: {count} x {len(block)} nodes would exceed "
                       f"{MAX_CLONED_NODES} nodes; not applied", code="repeat", **where)
    inside = set(block)
    entries = [i for i in block if not any(p in inside for p in dag.pred[i])]
    exits = [i for i in block if not any(s in inside for s in dag.succ[i])]
    inner = [(a, b) for a in block for b in dag.succ[a] if b in inside]
    if attach:  # an edge u -> v: the copies go between u and v
        u, v = cut[0], attach[0]
        _remove_edge(dag, u, v)
        prev, end = [u], [v]
    else:  # a marker node X: the copies go between X's predecessors and X
        x = cut[0]
        preds = list(dag.pred[x])
        for p in preds:
            _remove_edge(dag, p, x)
        prev, end = preds, [x]
        dag.nodes[x].attrs["repeat"] = {"count": count, "layer": ref, "how": how}
    tag = re.sub(r"\W+", "_", what)
    for c in range(1, count + 1):
        ids = {}
        for i in block:
            orig = dag.nodes[i]
            nid = f"{orig.id}~{tag}~{c}"
            clone = Node(id=nid, name=orig.name, kind=orig.kind, devices=orig.devices,
                         cost=orig.cost, matmuls=orig.matmuls, source=orig.source,
                         attrs={**orig.attrs, "clone_of": orig.id, "copy": c}, layer=orig.layer)
            dag.add_node(clone)
            ids[i] = nid
        for a, b in inner:
            dag.add_edge(ids[a], ids[b])
        for p in prev:
            for e in entries:
                dag.add_edge(dag.nodes[p].id, ids[e])
        prev = [dag.index[ids[x]] for x in exits]
    for p in prev:
        for e in end:
            dag.add_edge(dag.nodes[p].id, dag.nodes[e].id)
    return warning(f"{what}: layer {ref} ({len(block)} nodes) cloned {count} time(s) in "
                   f"sequence, from {how}", code="repeat", **where)


def _remove_edge(dag: Dag, u: int, v: int) -> None:
    if (u, v) in dag.edge_attrs:
        dag.succ[u].remove(v)
        dag.pred[v].remove(u)
        del dag.edge_attrs[(u, v)]


__all__ = ["apply_repeats"]
