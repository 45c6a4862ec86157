"""``symcost info``: what is in a DAG (counts per kind and GPU, layers, matmuls, diagnostics).

:func:`dag_info` builds a JSON-ready dict; :func:`format_info` prints it as plain text.
"""

from __future__ import annotations

from collections import Counter

from symcost.algebra.printing import to_text
from symcost.core.dag import Dag, Kind
from symcost.core.diagnostics import Level
from symcost.core.symbols import used_names
from symcost.output.diagnostics import group_diagnostics
from symcost.solve.completeness import completeness

_MAX_TEXT_ROWS = 200




def dag_info(dag: Dag) -> dict[str, object]:
    """A summary of ``dag``: counts, layers, stages, matmuls, communication, completeness
    and diagnostics (each, and grouped by cause).

    The DAG must be acyclic (readers refuse cycles).

    >>> import symcost
    >>> info = symcost.dag_info(symcost.DagBuilder("d").node("a", cost=symcost.Get_Time(symcost.B, 1, 1)).build())
    >>> info["nodes"], info["kind"]
    (1, 'info')
    """
    kinds = Counter(n.kind.value for n in dag.nodes)
    per_gpu: Counter[int] = Counter()
    for n in dag.nodes:
        per_gpu.update(n.devices)
    layers: dict[int, int] = Counter(n.layer for n in dag.nodes if n.layer is not None)
    stages: dict[int, int] = Counter(int(n.attrs["stage"]) for n in dag.nodes
                                     if isinstance(n.attrs.get("stage"), int))
    matmuls = []
    comm = []
    for n in dag.nodes:
        for mm in n.matmuls:
            matmuls.append({"node": n.id, "label": mm.label, "m": to_text(mm.m),
                            "k": to_text(mm.k), "n": to_text(mm.n), "count": mm.count,
                            "term": to_text(mm.count * mm.term)})
        if n.kind == Kind.COMM:
            comm.append({"node": n.id, "devices": sorted(n.devices), "term": to_text(n.cost)})
    diags = [d.to_dict() for d in dag.diagnostics]
    comp = completeness(dag)
    levels = Counter(str(d.level) for d in dag.diagnostics)
    return {
        "symcost": 1, "kind": "info",
        "file": dag.source,
        "name": dag.name,
        "nodes": len(dag),
        "edges": dag.num_edges,
        "sources": sum(1 for p in dag.pred if not p),
        "sinks": sum(1 for s in dag.succ if not s),
        "components": dag.num_components(),
        "kinds": {k.value: kinds.get(k.value, 0) for k in Kind},
        "gpus": {str(g): c for g, c in sorted(per_gpu.items())},
        "nodes_without_gpu": sum(1 for n in dag.nodes if not n.devices),
        "layers": {str(k): v for k, v in sorted(layers.items())},
        "stages": {str(k): v for k, v in sorted(stages.items())},
        "clusters": list(dag.meta.get("clusters", [])),  # type: ignore[arg-type]
        "entry": dag.meta.get("entry"),
        "salvaged": bool(dag.meta.get("salvaged", False)),
        "salvage": list(dag.meta.get("salvage", [])),  # type: ignore[arg-type]
        "parameters": list(dag.meta.get("parameters", [])),  # type: ignore[arg-type]
        "assumed": list(dag.meta.get("assumed", [])),  # type: ignore[arg-type]
        "inferred": [{"node": n.id, **n.attrs["inferred"]} for n in dag.nodes
                     if isinstance(n.attrs.get("inferred"), dict)],
        "repeats": list(dag.meta.get("repeats", [])),  # type: ignore[arg-type]
        "broken_edges": list(dag.meta.get("broken_edges", [])),  # type: ignore[arg-type]
        "matmuls": matmuls,
        "communication": comm,
        "completeness": comp.to_dict(),
        "unknown_costs": [{"node": n.id, "term": str(n.attrs["unknown_cost"])}
                          for n in dag.nodes if n.attrs.get("unknown_cost")],
        "diagnostics": diags,
        "diagnostic_groups": group_diagnostics(dag.diagnostics),
        "diagnostic_counts": {lv.value: levels.get(lv.value, 0) for lv in Level},
        **used_names(*(n.cost for n in dag.nodes)),
    }


def _ranges(ids: list[int]) -> str:
    out: list[str] = []
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.append(str(ids[i]) if i == j else f"{ids[i]}-{ids[j]}")
        i = j + 1
    return ",".join(out)


def format_info(info: dict[str, object]) -> str:
    """Plain-text rendering of :func:`dag_info` (no Markdown)."""
    lines: list[str] = []
    add = lines.append
    add(f"DAG {info['name']} ({info['file']})"
        + ("  [SALVAGED: only what parses]" if info.get("salvaged") else ""))
    add(f"  nodes {info['nodes']}, edges {info['edges']}, sources {info['sources']}, "
        f"sinks {info['sinks']}, weakly connected components {info['components']}")
    comp = info.get("completeness")
    if isinstance(comp, dict):
        add(f"  reading: {comp['summary']}")
    kinds = info["kinds"]
    assert isinstance(kinds, dict)
    add("  kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.items() if v))
    gpus = info["gpus"]
    assert isinstance(gpus, dict)
    if gpus:
        ids = sorted(int(g) for g in gpus)
        add(f"  GPUs ({len(ids)}: {_ranges(ids)}), nodes per GPU: "
            + ", ".join(f"{g}:{c}" for g, c in gpus.items()))
    else:
        add("  GPUs: none named")
    add(f"  nodes without GPU: {info['nodes_without_gpu']}")
    for key in ("layers", "stages"):
        found = info[key]
        assert isinstance(found, dict)
        ids = sorted(int(x) for x in found)
        add(f"  {key}: " + (f"{len(ids)} ({_ranges(ids)})" if ids else "none found"))
    if info.get("entry"):
        add(f"  entry: {info['entry']}")
    for what in info.get("salvage") or []:
        add(f"  salvaged: {what}")
    for u, v in info.get("broken_edges") or []:  # type: ignore[misc]
        add(f"  cycle broken: removed {u} -> {v}")
    params = info.get("parameters") or []
    assert isinstance(params, list)
    if params:
        add("parameters:")
        for p in params:
            add(f"  {p['name']} = {p['value']} ({p['source']}; {p['role']}"
                f"{'' if p['used'] else ', not used'})")
    assumed = info.get("assumed") or []
    assert isinstance(assumed, list)
    if assumed:
        add("assumed sizes:")
        for a in assumed:
            add(f"  {a['message']} ({a['nodes']} node(s))")
    reps = info.get("repeats") or []
    assert isinstance(reps, list)
    if reps:
        add("repeated layers:")
        for r in reps:
            add(f"  at {r['at']}: {r['count']} x layer {r['layer']} ({r['how']})"
                f"{'' if r['applied'] else ' - not applied'}")
    inferred = info.get("inferred") or []
    assert isinstance(inferred, list)
    if inferred:
        add(f"inferred shapes ({len(inferred)}):")
        for row in inferred[:_MAX_TEXT_ROWS]:
            parts = "; ".join(f"{k} {v}" for k, v in row.items() if k != "node")
            add(f"  {row['node']}: {parts}")
        if len(inferred) > _MAX_TEXT_ROWS:
            add(f"  ... {len(inferred) - _MAX_TEXT_ROWS} more (use --format json)")
    mms = info["matmuls"]
    assert isinstance(mms, list)
    add(f"matmuls ({len(mms)}):")
    for row in mms[:_MAX_TEXT_ROWS]:
        add(f"  {row['node']} [{row['label']}]: [{row['m']}, {row['k']}] x "
            f"[{row['k']}, {row['n']}] -> {row['term']}")
    if len(mms) > _MAX_TEXT_ROWS:
        add(f"  ... {len(mms) - _MAX_TEXT_ROWS} more (use --format json)")
    comm = info["communication"]
    assert isinstance(comm, list)
    add(f"communication ({len(comm)}):")
    for row in comm[:_MAX_TEXT_ROWS]:
        add(f"  {row['node']} on {_ranges(row['devices']) or '-'}: {row['term']}")
    if len(comm) > _MAX_TEXT_ROWS:
        add(f"  ... {len(comm) - _MAX_TEXT_ROWS} more (use --format json)")
    diags = info["diagnostics"]
    assert isinstance(diags, list)
    counts = info["diagnostic_counts"]
    assert isinstance(counts, dict)
    add(f"diagnostics ({', '.join(f'{k} {v}' for k, v in counts.items())}):"
        + (" grouped by cause on stderr; --format json lists each" if diags else " none"))
    return "\n".join(lines) + "\n"
