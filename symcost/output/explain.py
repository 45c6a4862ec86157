"""``symcost explain``: how each node of a DAG was read, as plain data.

:func:`explain_nodes` gathers, for each node asked for, what the reader recorded: the
label text and the words and shapes read from it, the operation rule and why it won (and
which candidates lost), the GPUs and where they came from, the shapes inferred from
neighbours, the sizes assumed, the cost terms and the diagnostics naming the node. It
shows what a reader recorded and skips what it did not (a spec or builder DAG has fewer
facts than a DOT one). :func:`explain_text` renders it through
``templates/explain.txt.j2``.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence

import sympy

from symcost.algebra.printing import to_text
from symcost.core.dag import Dag, Node
from symcost.core.describe import ranges
from symcost.core.errors import InputError
from symcost.labels.label import split_label
from symcost.output.render import render

#: Node attributes shown under their own heading (the rest go under "other").
KNOWN = ("label", "words", "shapes", "input", "output", "rule", "matched_by", "why",
         "candidates", "gpu", "gpu_from", "inferred", "assumed", "unknown_cost",
         "clone_of", "copy", "repeat", "shorthand")
#: Neighbours listed per side.
MAX_NEIGHBOURS = 8


def _plain(value: object) -> object:
    """A JSON-ready copy of an attribute value (sympy and other objects as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, sympy.Basic):
        return to_text(value)
    return str(value)


def _tensor(t) -> dict[str, object]:
    sizes = [f"{d.role or d.key or '?'}={to_text(d.value)}" if d.value is not None
             else f"{d.raw!r} (not a size)" for d in t.dims]
    return {"raw": t.raw, "sizes": sizes, "multiplicity": t.multiplicity}


def label_reading(text: str) -> dict[str, object]:
    """What the label grammar reads from ``text``: the operation words, the input and
    output tensors (each entry's role and value) and named parameters."""
    linfo, _gpu, _ = split_label(text)
    out: dict[str, object] = {"operation": linfo.name}
    for side, t in (("input", linfo.input), ("output", linfo.output)):
        if t is not None:
            out[side] = _tensor(t)
    if linfo.params:
        out["parameters"] = [f"{k}={to_text(d.value)}" for k, d in linfo.params.items()
                             if d.value is not None]
    return out


def check_ids(dag: Dag, ids: Sequence[str]) -> None:
    """Raise :class:`InputError` for the first id that is no node of ``dag``, naming the
    closest ids."""
    for nid in ids:
        if nid in dag.index:
            continue
        close = difflib.get_close_matches(nid, list(dag.index), n=3, cutoff=0.5)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise InputError(f"no node {nid!r} in the DAG ({len(dag)} nodes){hint}",
                         file=dag.source)


class _Texts:
    """Texts of expressions, computed once per object (nodes share costs and matmuls)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int], tuple[object, object]] = {}

    def _get(self, tag: str, obj: object, make):
        got = self._memo.get((tag, id(obj)))
        if got is None:  # the object is kept alive with its text: its id stays unique
            got = self._memo[(tag, id(obj))] = (obj, make(obj))
        return got[1]

    def __call__(self, e: sympy.Expr) -> str:
        return self._get("text", e, to_text)

    def terms(self, e: sympy.Expr) -> list[str]:
        return self._get("terms", e, lambda x: [to_text(t) for t in sympy.Add.make_args(x)
                                                if t != 0])

    def matmul(self, mm) -> dict[str, object]:
        return self._get("matmul", mm, lambda m: {
            "m": to_text(m.m), "k": to_text(m.k), "n": to_text(m.n), "count": m.count,
            "label": m.label, "term": to_text(m.term)})


def _node(dag: Dag, node: Node, diags: list[dict[str, object]],
          text: _Texts) -> dict[str, object]:
    i = dag.index[node.id]
    a = node.attrs
    out: dict[str, object] = {
        "node": node.id, "name": node.name, "kind": str(node.kind),
        "line": node.source.line, "layer": node.layer,
        "gpus": sorted(node.devices), "gpus_text": ranges(node.devices),
        "predecessors": [dag.nodes[j].id for j in dag.pred[i][:MAX_NEIGHBOURS]],
        "predecessor_count": len(dag.pred[i]),
        "successors": [dag.nodes[j].id for j in dag.succ[i][:MAX_NEIGHBOURS]],
        "successor_count": len(dag.succ[i]),
    }
    for key in KNOWN:
        if key in a and a[key] not in (None, "", [], {}):
            out[key] = _plain(a[key])
    if isinstance(a.get("label"), str) and "shapes" not in a:
        out["read"] = label_reading(str(a["label"]))  # the grammar, applied again
    out["other"] = {k: _plain(v) for k, v in a.items() if k not in KNOWN}
    out["matmuls"] = [dict(text.matmul(mm)) for mm in node.matmuls]
    out["cost"] = text(node.cost)
    out["cost_terms"] = list(text.terms(node.cost))
    out["diagnostics"] = diags
    return out


def explain_nodes(dag: Dag, ids: Sequence[str] = ()) -> list[dict[str, object]]:
    """What was read for each node of ``ids`` (every node when empty), in the order
    asked (file order for all). Unknown ids raise :class:`InputError` naming close ones.

    >>> import symcost
    >>> dag = symcost.DagBuilder().node("q", cost=symcost.Get_Time(symcost.B, 4096, 512)).build()
    >>> explain_nodes(dag, ["q"])[0]["cost"]
    'Get_Time(B, 4096, 512)'
    """
    check_ids(dag, ids)
    wanted = list(dict.fromkeys(ids)) if ids else [n.id for n in dag.nodes]
    want = set(wanted)
    about: dict[str, list[dict[str, object]]] = defaultdict(list)
    for d in dag.diagnostics:
        names = set(d.nodes) | ({d.node} if d.node is not None else set())
        for nid in names & want:
            about[nid].append({"level": str(d.level), "code": d.code, "message": d.message})
    text = _Texts()
    return [_node(dag, dag.node(nid), about.get(nid, []), text) for nid in wanted]


def explain_text(entries: list[dict[str, object]], *, file: str | None = None) -> str:
    """Plain-text rendering of :func:`explain_nodes`."""
    return render("explain.txt.j2", entries=entries, file=file)


__all__ = ["explain_nodes", "explain_text", "check_ids"]
