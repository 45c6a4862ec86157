"""The report context: plain data about an analysis, for the Markdown and LaTeX templates.

:func:`report_context` turns an :class:`~symcost.analysis.AnalysisResult` into dicts, lists
and strings (expressions both as text and as LaTeX from :func:`symcost.to_latex`). It
holds no Markdown or LaTeX markup: the templates in ``templates/`` do the presentation.
Everything is deterministic (no dates, no absolute paths), so checked-in reports diff.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

import sympy

from symcost.algebra.printing import latex_lines, symbol_latex, to_latex, to_text
from symcost.core.dag import Dag, Kind, Node
from symcost.core.describe import operation_name, ranges
from symcost.core.symbols import B as BATCH
from symcost.core.symbols import Get_Time, used_names
from symcost.solve.analysis import AnalysisResult, ForkJoin, PathStep, Runtime

NOT_FOUND = "not found"
#: Fork-joins described one by one in a report (the rest are counted).
MAX_FORK_JOINS = 40
#: Serializations on one GPU listed in the parallelism notes.
MAX_SERIAL = 20

_ZERO_KINDS = ("elementwise", "route", "io")


#: Display width in characters of a formula line: a two-column paper's column (fragment),
#: a one-column page (document), a Markdown page.
WIDTH = {"fragment": 32, "document": 70, "md": 90}


@lru_cache(maxsize=1 << 16)
def _expr(e: sympy.Expr) -> dict[str, str]:
    """(Cached: cloned layers repeat the same terms; callers must not modify the dict.)
    Text, report LaTeX (``\\GetTime`` macros, breakable inline) and self-contained LaTeX
    (Markdown/MathJax) of one expression."""
    return {"text": to_text(e), "latex": to_latex(e, macros=True, breakable=True),
            "mathjax": to_latex(e)}


def display(e: sympy.Expr, width: int) -> dict[str, object]:
    """An expression for a display: lines for LaTeX (macros) and MathJax, text beside."""
    return {"text": to_text(e),
            "lines": [{"depth": d, "latex": t} for d, t in latex_lines(e, width)],
            "mathjax": [{"depth": d, "latex": t}
                        for d, t in latex_lines(e, WIDTH["md"], macros=False)]}


def _num(e: sympy.Expr) -> int | None:
    return int(e) if e.is_Integer else None


def _distinct(exprs) -> list[sympy.Expr]:
    """The distinct expressions of ``exprs``: nodes share cost and dimension objects, so
    by identity first (cheap), then by value."""
    return list(set({id(e): e for e in exprs}.values()))


def _batch_symbol(dag: Dag) -> str:
    exprs = [mm.m for n in dag.nodes for mm in n.matmuls]
    exprs += [n.cost for n in dag.nodes]
    symbols: set[sympy.Symbol] = set()
    for e in _distinct(exprs):
        symbols |= e.free_symbols
    syms = {str(s) for s in symbols}
    if "B" in syms:
        return "B"
    return ", ".join(sorted(syms)) if syms else NOT_FOUND


def _matmuls(dag: Dag) -> list[tuple[Node, sympy.Expr, sympy.Expr, sympy.Expr, int, str]]:
    """(node, m, k, n, count, label) for every matmul, including bare ``Get_Time`` costs."""
    rows = []
    direct: dict[int, list[tuple]] = {}  # by the cost's identity: nodes share costs
    for node in dag.nodes:
        if node.matmuls:
            rows.extend((node, mm.m, mm.k, mm.n, mm.count, mm.label) for mm in node.matmuls)
            continue
        found = direct.get(id(node.cost))
        if found is None:
            found = direct[id(node.cost)] = [r[1:] for r in _matmuls_of(node)]
        rows.extend((node, *r) for r in found)
    return rows


class _Words:
    """Whether a node's name, id or rule mentions one of some words (case-insensitive);
    each node's text built once, each word list one compiled pattern."""

    def __init__(self) -> None:
        self._text: dict[int, str] = {}  # by node identity (the DAG keeps the nodes)
        self._patterns: dict[tuple[str, ...], re.Pattern] = {}

    def __call__(self, node: Node, *words: str) -> bool:
        text = self._text.get(id(node))
        if text is None:
            text = f"{node.name} {node.id} {node.attrs.get('rule', '')}".lower()
            self._text[id(node)] = text
        pattern = self._patterns.get(words)
        if pattern is None:
            pattern = self._patterns[words] = re.compile("|".join(map(re.escape, words)))
        return pattern.search(text) is not None


class _Ints:
    """``_num`` memoised by the expression's identity (dimensions repeat, shared)."""

    def __init__(self) -> None:
        self._by_id: dict[int, int | None] = {}
        self._keep: list[sympy.Expr] = []  # the keys' objects stay alive: ids not reused

    def __call__(self, e: sympy.Expr) -> int | None:
        q = self._by_id.get(id(e), self)
        if q is self:
            q = self._by_id[id(e)] = _num(e)
            self._keep.append(e)
        return q  # type: ignore[return-value]


class _Quotients:
    """``sympy.simplify(e / d)`` as an ``int`` (``None`` when not an integer, or with
    ``symbolic_only`` when ``e`` has no symbol), each distinct ``e`` simplified once
    (matmul dimensions repeat across layers and GPUs)."""

    def __init__(self, divisor: sympy.Expr, symbolic_only: bool = False) -> None:
        self.divisor = divisor
        self.symbolic_only = symbolic_only
        self._by_id: dict[int, int | None] = {}
        self._by_value: dict[sympy.Expr, int | None] = {}
        self._keep: list[sympy.Expr] = []  # the keys' objects stay alive: ids not reused

    def __call__(self, e: sympy.Expr) -> int | None:
        q = self._by_id.get(id(e), self)
        if q is self:
            q = self._by_value.get(e, self)
            if q is self:
                if self.symbolic_only and not e.free_symbols:
                    q = None
                else:
                    v = sympy.simplify(e / self.divisor)
                    q = int(v) if v.is_Integer else None
                self._by_value[e] = q
            self._by_id[id(e)] = q
            self._keep.append(e)
        return q  # type: ignore[return-value]


def model_parameters(dag: Dag, mms: list[tuple] | None = None) -> list[dict[str, str]]:
    """Parameters inferred from the DAG's matmul shapes and node attributes (``mms``:
    the DAG's matmul rows when the caller has them already)."""
    mms = _matmuls(dag) if mms is None else mms
    num, is_ = _Ints(), _Words()
    batch = _batch_symbol(dag)
    layers = sorted({n.layer for n in dag.nodes if n.layer is not None})
    linear = [r for r in mms if r[0].kind != Kind.ATTENTION]
    attn = [r for r in mms if r[0].kind == Kind.ATTENTION]
    # hidden: the most common integer k among linear layers
    ks = Counter(num(r[2]) for r in linear if num(r[2]) is not None)
    hidden = ks.most_common(1)[0][0] if ks else None
    # sequence: tokens per sample, m / B of linear layers
    seqs = Counter()
    if batch == "B":
        per_batch = _Quotients(BATCH, symbolic_only=True)
        for r in linear:
            q = per_batch(r[1])
            if q is not None:
                seqs[q] += 1
    seq = seqs.most_common(1)[0][0] if seqs else None
    # attention: scores Get_Time(b*h*s, d, s_kv)
    scores = [r for r in attn if num(r[2]) is not None and num(r[3]) is not None
              and (num(r[2]) or 0) < (num(r[3]) or 0)]
    head_size = heads_per = heads_total = None
    attn_gpus: set[int] = set()
    if scores:
        head_size = Counter(num(r[2]) for r in scores).most_common(1)[0][0]
        if seq:
            hs = Counter()
            per_head = _Quotients(BATCH * seq if batch == "B" else sympy.Integer(seq))
            for r in scores:
                q = per_head(r[1])
                if q is not None:
                    hs[q * r[4]] += 1
            heads_per = hs.most_common(1)[0][0] if hs else None
        first_layer = min((r[0].layer for r in scores if r[0].layer is not None), default=None)
        per_layer = [r for r in scores if r[0].layer == first_layer]
        for r in per_layer:
            attn_gpus.update(r[0].devices)
        if heads_per and per_layer:
            heads_total = heads_per * len(per_layer)
    # experts: router gate Get_Time(M, H, E), else count expert nodes of one layer
    gate = [r for r in linear if is_(r[0], "gate", "router") and not is_(r[0], "expert")]
    experts: int | None = num(gate[0][3]) if gate else None
    ups = [r for r in linear if is_(r[0], "expert") and is_(r[0], "up", "ffn1", "w1")]
    expert_hidden = Counter(num(r[3]) for r in ups if num(r[3])).most_common(1)
    expert_gpus: set[int] = set()
    if ups:
        first = min((r[0].layer for r in ups if r[0].layer is not None), default=None)
        one = [r for r in ups if r[0].layer == first]
        for r in one:
            expert_gpus.update(r[0].devices)
        if experts is None:
            experts = len(one)

    def show(v: object, extra: str = "") -> str:
        return NOT_FOUND if v is None else f"{v}{extra}"

    heads = None
    if heads_total:
        heads = f"{heads_total} ({heads_per} per GPU across {len(attn_gpus)} GPUs)" \
            if attn_gpus else str(heads_total)
    elif heads_per:
        heads = f"{heads_per} per node"
    exp = None
    if experts:
        exp = f"{experts}" + (f" ({experts // len(expert_gpus)} per GPU across "
                              f"{len(expert_gpus)} GPUs)"
                              if expert_gpus and experts % len(expert_gpus) == 0 else "")
    return [
        {"name": "Layers", "value": show(len(layers) if layers else None)},
        {"name": "Hidden dimension", "value": show(hidden)},
        {"name": "Sequence length (tokens per sample)", "value": show(seq)},
        {"name": "Attention heads", "value": show(heads)},
        {"name": "Head dimension", "value": show(head_size)},
        {"name": "Experts", "value": show(exp)},
        {"name": "Expert hidden dimension",
         "value": show(expert_hidden[0][0] if expert_hidden else None)},
        {"name": "GPUs", "value": ranges(dag.devices())},
        {"name": "Batch size", "value": "not found" if batch == NOT_FOUND
         else f"{batch} (symbolic)"},
    ]


def gpu_groups(dag: Dag) -> list[dict[str, object]]:
    """GPUs grouped by the operations they run (nodes on a single GPU)."""
    ops: dict[int, set[str]] = defaultdict(set)
    shared: dict[int, set[str]] = defaultdict(set)
    for n in dag.nodes:
        if n.kind in (Kind.IO,):
            continue
        target = ops if len(n.devices) == 1 else shared
        for d in n.devices:
            target[d].add(operation_name(n))
    by_sig: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for d in dag.devices():
        by_sig[tuple(sorted(ops.get(d, ())))].append(d)
    out = []
    for sig, devs in sorted(by_sig.items(), key=lambda kv: kv[1][0]):
        sh = sorted(set().union(*(shared.get(d, set()) for d in devs)))
        out.append({"gpus": ranges(devs), "count": len(devs), "operations": list(sig),
                    "shared": sh})
    return out


def matmul_groups(dag: Dag, path: list[PathStep], mms: list[tuple] | None = None
                  ) -> list[dict[str, object]]:
    """Matmuls grouped by shape: operation, GPUs, shapes, term, count per layer, on path
    (``mms``: the DAG's matmul rows when the caller has them already)."""
    groups: dict[tuple, dict] = {}
    layers = sorted({n.layer for n in dag.nodes if n.layer is not None})
    on_path = Counter()
    for s in path:
        node = dag.node(s.node)
        for mm in node.matmuls:
            on_path[(mm.m, mm.k, mm.n)] += mm.count
        if not node.matmuls:
            for _node, m, k, n, c, _ in _matmuls_of(node):
                on_path[(m, k, n)] += c
    by_id: dict[tuple[int, int, int], dict] = {}  # the same dimension objects repeat
    for node, m, k, n, count, label in (_matmuls(dag) if mms is None else mms):
        g = by_id.get((id(m), id(k), id(n)))
        if g is None:
            g = groups.get((m, k, n))
            if g is None:
                g = groups[(m, k, n)] = {"names": [], "gpus": set(), "labels": [],
                                         "per_layer": Counter(), "total": 0,
                                         "first": node.position}
            by_id[(id(m), id(k), id(n))] = g
        name = operation_name(node)
        if name not in g["names"]:
            g["names"].append(name)
        if label and label not in g["labels"]:
            g["labels"].append(label)
        g["gpus"].update(node.devices)
        g["per_layer"][node.layer] += count
        g["total"] += count
    out = []
    nl = max(len(layers), 1)
    for (m, k, n), g in sorted(groups.items(), key=lambda kv: kv[1]["first"]):
        counts = set(g["per_layer"].values())
        per_layer = (counts.pop() if len(counts) == 1 and set(g["per_layer"]) <= set(layers)
                     and len(g["per_layer"]) == len(layers) else None)
        path_count = on_path.get((m, k, n), 0)
        out.append({
            "operation": " / ".join(g["names"][:3]) + (" / ..." if len(g["names"]) > 3 else ""),
            "gpus": ranges(g["gpus"]),
            "input": [to_text(m), to_text(k)], "weight": [to_text(k), to_text(n)],
            "output": [to_text(m), to_text(n)],
            "shapes_latex": {name: rf"[{_expr(a)['latex']}, \allowbreak {_expr(b)['latex']}]"
                             for name, a, b in (("input", m, k), ("weight", k, n),
                                                ("output", m, n))},
            "labels": g["labels"][:3],
            "term": _expr(Get_Time(m, k, n)),
            "total": g["total"],
            "per_layer": per_layer,
            "on_path_per_layer": (path_count // nl if layers and path_count % nl == 0
                                  else None),
            "on_path": path_count,
        })
    return out


def _matmuls_of(node: Node):
    for term in sympy.Add.make_args(node.cost):
        coeff, atom = term.as_coeff_Mul()
        if getattr(atom, "func", None) == Get_Time:
            m, k, n = atom.args
            yield node, m, k, n, int(coeff) if coeff.is_Integer else 1, ""


def _step(dag: Dag, s: PathStep, prev: PathStep | None) -> dict[str, object]:
    node = dag.node(s.node)
    serial = None
    if prev is not None:
        ip, iv = dag.index[prev.node], dag.index[s.node]
        if iv not in dag.succ[ip]:
            common = dag.node(prev.node).devices & node.devices
            serial = ranges(common) if common else "?"
    return {"node": s.node, "name": s.name or s.node, "operation": operation_name(node),
            "kind": s.kind, "gpus": ranges(node.devices), "cost": _expr(s.cost),
            "zero": s.cost == 0, "undecided": s.undecided, "serialized_on": serial}


def path_by_layer(dag: Dag, rt: Runtime, width: int = WIDTH["document"]) -> dict[str, object]:
    """The critical path cut into layers; consecutive identical layers collapsed, and
    repeated blocks of steps inside a chunk (cloned layers) shown once with their count."""
    chunks: list[dict] = []
    prev: PathStep | None = None
    for s in rt.critical_path:
        layer = dag.node(s.node).layer
        if not chunks or chunks[-1]["layer"] != layer:
            chunks.append({"layer": layer, "steps": [], "raw": []})
        chunks[-1]["steps"].append(_step(dag, s, prev))
        chunks[-1]["raw"].append(s)
        prev = s
    out = []
    for c in chunks:
        subtotal = sympy.Add(*[s.cost for s in c["raw"]])
        sig = tuple(_signature(st) for st in c["steps"])
        if (out and c["layer"] is not None and out[-1]["signature"] == sig
                and out[-1]["last"] is not None and c["layer"] == out[-1]["last"] + 1):
            out[-1]["last"] = c["layer"]
            out[-1]["repeats"] += 1
            continue
        rows = compress_steps(c["steps"])
        out.append({"first": c["layer"], "last": c["layer"], "repeats": 1,
                    "steps": c["steps"], "rows": rows, "lines": _table_lines(rows),
                    "subtotal": _expr(subtotal), "subtotal_lines": display(subtotal, width),
                    "signature": sig})
    for o in out:
        del o["signature"]
    total = rt.expr
    return {"chunks": out, "steps": len(rt.critical_path), "total": _expr(total),
            "total_lines": display(total, width), "by_layer": _by_layer(out, width)}


def _signature(step: dict) -> tuple:
    return (step["operation"], step["kind"], step["cost"]["text"],
            step["serialized_on"] is not None, step["undecided"])


#: Longest block of steps :func:`compress_steps` looks for.
MAX_PERIOD = 64
#: Fewest table rows a repeated block must save to be shown once with its count.
MIN_SAVED = 3


def compress_steps(steps: list[dict]) -> list[dict]:
    """Rows of a critical-path table: runs of a repeated block of steps (the same
    operations and terms, e.g. a cloned layer) become one ``block`` row with the count.

    Each row is ``{"index": first step number (1-based), "steps": [...], "count": n,
    "first": first node id, "last": last node id}``; ``count`` is 1 for plain steps.
    Greedy left to right, preferring the block that covers the most steps.
    """
    ids: dict[tuple, int] = {}
    sig = [ids.setdefault(_signature(s), len(ids)) for s in steps]
    n = len(sig)
    rows: list[dict] = []
    i = 0
    while i < n:
        best_p, best_reps = 1, 1
        for p in range(1, min(MAX_PERIOD, (n - i) // 2) + 1):
            if sig[i + p] != sig[i]:
                continue
            reps = 1
            while i + (reps + 1) * p <= n and sig[i + reps * p:i + (reps + 1) * p] == sig[i:i + p]:
                reps += 1
            # worth a block row only when it saves rows: at least MIN_SAVED steps
            if (reps - 1) * p >= MIN_SAVED and reps * p > best_reps * best_p:
                best_p, best_reps = p, reps
        span = best_p * best_reps
        rows.append({"index": i + 1, "steps": steps[i:i + best_p], "count": best_reps,
                     "first": steps[i]["node"], "last": steps[i + span - 1]["node"],
                     "end": i + span})
        i += span
    return rows


def _table_lines(rows: list[dict]) -> list[dict]:
    """Rows flattened for a table: a ``block`` line before each repeated block's steps."""
    lines: list[dict] = []
    for r in rows:
        if r["count"] > 1:
            lines.append({"block": r})
        lines.extend({"step": st, "index": r["index"] + j} for j, st in enumerate(r["steps"]))
    return lines


def _by_layer(chunks: list[dict], width: int) -> dict[str, object] | None:
    """``L * per_layer`` when every layered chunk is the same and the rest costs zero."""
    layered = [c for c in chunks if c["first"] is not None]
    rest = [c for c in chunks if c["first"] is None]
    if not layered or any(c["subtotal"]["text"] != "0" for c in rest):
        return None
    if len({c["subtotal"]["text"] for c in layered}) != 1:
        return None
    return {"layers": sum(c["repeats"] for c in layered), "per_layer": layered[0]["subtotal"],
            "per_layer_lines": layered[0]["subtotal_lines"]}


def _cover_words(cert) -> list[dict[str, str]]:
    return [{"by": to_text(c.by), "covered": to_text(c.covered), "amount": str(c.amount),
             "by_latex": _expr(c.by)["latex"], "covered_latex": _expr(c.covered)["latex"]}
            for c in cert.covers]


def is_trivial(fj: ForkJoin) -> bool:
    """A decided fork-join whose dominated branches add nothing (a residual connection,
    a broadcast that fans out and joins again): counted in reports, not listed."""
    return fj.decided and all(b.residual == 0 for b in fj.branches if not b.kept)


def fork_join(fj: ForkJoin, width: int = WIDTH["document"]) -> dict[str, object]:
    """One fork-join with its verdict and the evidence, as data for sentences."""
    branches = []
    winner = [b.pred for b in fj.branches if b.kept]
    for b in fj.branches:
        d: dict[str, object] = {"from": b.pred, "residual": _expr(b.residual),
                                "zero": b.residual == 0, "kept": b.kept,
                                "dominated_by": b.dominated_by, "covers": [],
                                "method": None, "weights": [], "witness": None}
        if b.certificate is not None:
            d["covers"] = _cover_words(b.certificate)
            d["method"] = b.certificate.method
            d["weights"] = [str(w) for w in b.certificate.weights]
        if b.witness is not None:
            w = b.witness
            d["witness"] = {
                "point": ", ".join(f"{k}={v}" for k, v in sorted(w.point.items(), key=str)),
                "point_latex": ", ".join(f"{symbol_latex(str(k))} = {v}"
                                        for k, v in sorted(w.point.items(), key=str)),
                "values": [{"atom": to_text(k), "atom_latex": _expr(k)["latex"],
                            "value": str(v)}
                           for k, v in sorted(w.values.items(), key=lambda kv: str(kv[0]))],
                "branch": str(w.right), "others": str(w.left)}
        branches.append(d)
    return {"join": fj.joins[0], "count": len(fj.joins), "decided": fj.decided,
            "max": None if fj.term is None else _expr(fj.term),
            "max_lines": None if fj.term is None else display(fj.term, width),
            "winners": winner,
            "branches": branches}


def serializations(dag: Dag, rt: Runtime) -> list[dict[str, str]]:
    """Consecutive critical-path steps ordered only because they share a GPU."""
    seen: dict[tuple[str, str], dict[str, object]] = {}
    path = rt.critical_path
    for a, b in zip(path, path[1:]):
        ia, ib = dag.index[a.node], dag.index[b.node]
        if ib in dag.succ[ia]:
            continue
        na, nb = dag.nodes[ia], dag.nodes[ib]
        key = (operation_name(na), operation_name(nb))
        e = seen.setdefault(key, {"before": key[0], "after": key[1], "gpus": set(),
                                  "count": 0, "example": f"{a.node} -> {b.node}"})
        e["gpus"].update(na.devices & nb.devices)  # type: ignore[union-attr]
        e["count"] += 1  # type: ignore[operator]
    out = []
    for e in list(seen.values())[:MAX_SERIAL]:
        out.append({"before": e["before"], "after": e["after"], "gpus": ranges(e["gpus"]),
                    "count": e["count"], "example": e["example"]})
    return out




def report_context(result: AnalysisResult, source: str | None = None,
                   version: str | None = None, *, width: int = WIDTH["document"]
                   ) -> dict[str, object]:
    """Everything the report templates show, as plain data.

    ``source`` is the DAG path as the user gave it (reports print it verbatim, so give a
    relative path for reproducible reports). ``width``: characters per display line.
    """
    from symcost.core.version import __version__

    dag = result.dag
    mms = _matmuls(dag)
    kinds = Counter(str(n.kind) for n in dag.nodes)
    multi = [n for n in dag.nodes if len(n.devices) > 1]
    multi_ops: dict[str, set[int]] = defaultdict(set)
    for n in multi:
        multi_ops[operation_name(n)].update(n.devices)
    diags = [d.to_dict() for d in result.diagnostics]
    entry = dag.meta.get("entry")
    cp = result.compute
    full = result.full
    listed = [f for f in full.branches if not is_trivial(f)]
    listed_c = [f for f in cp.branches if not is_trivial(f)]
    fjs = [fork_join(f, width) for f in listed[:MAX_FORK_JOINS]]
    fjs_c = [fork_join(f, width) for f in listed_c[:MAX_FORK_JOINS]]
    has_comm = result.runtime != result.runtime_compute_only
    names = used_names(result.runtime, result.runtime_compute_only)
    return {
        "version": version or __version__,
        "name": dag.name,
        "source": source if source is not None else (dag.source or dag.name),
        "description": str(dag.meta.get("description", "") or ""),
        "nodes": len(dag.nodes), "edges": dag.num_edges,
        "gpus": ranges(dag.devices()), "gpu_count": len(dag.devices()),
        "kinds": [{"kind": k.value, "count": kinds.get(k.value, 0)} for k in Kind
                  if kinds.get(k.value, 0)],
        "layers": len({n.layer for n in dag.nodes if n.layer is not None}),
        "concurrency": result.concurrency,
        "assumptions": list(result.assumptions),
        "parameters": model_parameters(dag, mms),
        "gpu_groups": gpu_groups(dag),
        "multi_gpu": [{"operation": k, "gpus": ranges(v)} for k, v in multi_ops.items()],
        "matmul_groups": matmul_groups(dag, cp.critical_path, mms),
        "path": path_by_layer(dag, cp, width),
        "path_full": path_by_layer(dag, full, width),
        "has_comm": has_comm,
        "runtime": _expr(result.runtime),
        "runtime_lines": display(result.runtime, width),
        "runtime_compute_only": _expr(result.runtime_compute_only),
        "runtime_compute_only_lines": display(result.runtime_compute_only, width),
        "completeness": None if result.completeness is None else result.completeness.to_dict(),
        "symbol_names": sorted(names["symbols"], key=len, reverse=True),
        "nested": result.full.nested or result.compute.nested,
        "definitions": [{"name": str(k), "name_latex": symbol_latex(str(k)), **_expr(v),
                         "lines": display(v, width)} for k, v in
                        result.full.definitions.items()],
        "fork_joins": fjs, "fork_joins_more": max(0, len(listed) - MAX_FORK_JOINS),
        "fork_joins_trivial": _trivial(full.branches),
        "fork_joins_compute_only": fjs_c,
        "fork_joins_compute_only_more": max(0, len(listed_c) - MAX_FORK_JOINS),
        "fork_joins_compute_only_trivial": _trivial(cp.branches),
        "serializations": serializations(dag, cp) if result.concurrency == "device" else [],
        "validity": {
            "acyclic": True,  # analyze() raises CycleError otherwise
            "components": dag.num_components(),
            "sources": sum(1 for p in dag.pred if not p),
            "sinks": sum(1 for s in dag.succ if not s),
            "without_gpu": sum(1 for n in dag.nodes
                               if not n.devices and n.kind != Kind.IO),
            "diagnostics": diags,
            "warnings": sum(1 for d in diags if d.get("level") == "warning"),
            "errors": sum(1 for d in diags if d.get("level") == "error"),
        },
        "entry": ({"node": entry.get("node"), "batch": entry.get("batch")}
                  if isinstance(entry, dict) and entry.get("node") else None),
        "zero_kinds": list(_ZERO_KINDS),
    }


def _trivial(fjs: list[ForkJoin]) -> dict[str, int]:
    t = [f for f in fjs if is_trivial(f)]
    return {"groups": len(t), "joins": sum(len(f.joins) for f in t)}


__all__ = ["report_context", "model_parameters", "matmul_groups", "path_by_layer",
           "fork_join", "operation_name", "ranges", "NOT_FOUND"]
