"""Facts into costs: each node's rule, its shapes (inferred from neighbours where the
label lacks them) and its cost terms; the batch rule of the entry; dimension checks."""

from __future__ import annotations

import re
from collections import defaultdict

import sympy

from symcost.core.dag import Kind
from symcost.core.diagnostics import info, warning
from symcost.core.symbols import B
from symcost.labels.dims import TOKEN_ROLES, Dim, Scale, Tensor, seq_range
from symcost.ops.formulas import EXPERT_WORDS, FORMULAS, Context, CostResult, total_experts
from symcost.ops.rule import Rule
from symcost.ops.table import Decision, id_words
from symcost.read.dot.state import DotReading

_LIST_MAX = 8
_MORE_EXPERTS = re.compile(r"(?i)\b(\d+)\s+more\s+experts?\b")


def _entry(st: DotReading) -> int | None:
    """Index of the entry node: the first input node, else the first source."""
    sources = [i for i, p in enumerate(st.dag.pred) if not p]
    for i in sources:
        r, _ = st.table.classify(st.infos[i].name, st.dag.nodes[i].id,
                                   st.dag.nodes[i].attrs.get("shape"))
        if r is not None and r.kind == Kind.IO:
            return i
    return sources[0] if sources else None


def batch_scale(st: DotReading) -> Scale:
    entry: dict[str, sympy.Expr] = {}
    i = _entry(st)
    if i is not None:
        linfo = st.infos[i]
        for role in ("batch", *st.roles):
            d = linfo.find(role)
            if d is not None and d.value is not None and d.value.is_Integer:
                entry[role] = d.value
        d = linfo.find("seq")
        if d is not None and d.value is not None and d.value.is_Integer and seq_range(d) is None:
            entry["seq_value"] = d.value
        st.dag.meta["entry"] = {"node": st.dag.nodes[i].id,
                                  **{k: int(v) for k, v in entry.items()
                                     if k != "seq_value"}}
    if "batch" not in entry:
        st.add(info("the entry gives no batch size: every batch dimension is B",
                       file=st.file, code="batch"))
    scale = Scale(entry, st.roles)
    distinct = {id(li): li for li in st.infos}.values()  # label facts are shared
    ranges = {r for li in distinct for t in li.tensors() for d in t.dims
              if d.role == "seq" and (r := seq_range(d)) is not None}
    if len(ranges) > 1:
        scale.set_tiles(ranges)
        if scale.tiles:
            shown = ", ".join(f"{a}-{b}" for a, b in sorted(scale.tiles)[:6])
            st.add(info(f"sequence ranges {shown} tile one sequence: each is a block of "
                        "b - a tokens (not its maximum)", file=st.file, code="dims"))
    return scale


_PASS_KINDS = (Kind.ELEMENTWISE, Kind.ROUTE, Kind.COMM)
_PASS_COSTS = ("attention", "mlp", "gated_mlp", "moe")


#: costs that multiply by a weight whose width is the input's (the K of the matmul)
_WEIGHT_COSTS = ("linear", "router", "mlp", "gated_mlp", "moe")


_SHARD = re.compile(r"(?i)\btp\s*_?\d+\b|\bshard\b|\btp[- ]?rank\b|\btp\d+\b")


def _is_shard(st: DotReading, i: int) -> bool:
    """True when node ``i`` says it is one tensor-parallel shard (``tp3``, ``TP shard``)."""
    node = st.dag.nodes[i]
    return bool(_SHARD.search(id_words(node.id)) or _SHARD.search(" ".join(st.infos[i].words)))


def _joined(outs: list[Tensor]) -> Tensor | None:
    """The input of a weight matmul fed by several producers: theirs when two producers
    carry the same model-width tensor (a residual join), else unknown (shards being
    gathered or summed, or Q/K/V: the width is no single producer's)."""
    first = outs[0]
    if len(outs) > 2 or any(t.raw != first.raw for t in outs[1:]):
        return None
    if first.get("hidden") is not None and first.get("heads") is None:
        return first
    return None


def _tokens_only(t: Tensor) -> Tensor | None:
    """The token dims of ``t`` (batch, sequence, tokens) with no feature width, or None
    when ``t`` has none: what a projection of unknown width passes on."""
    dims = tuple(d for d in t.dims if d.role in TOKEN_ROLES)
    if not dims or len(dims) == len(t.dims):
        return None
    raw = f"{', '.join(d.raw for d in dims)}, ?"
    roles: dict[str, Dim] = {}
    for d in dims:
        roles.setdefault(d.role, d)  # type: ignore[arg-type]
    return Tensor(raw, dims, 1, roles)


def _shapes(st: DotReading) -> tuple[list[Tensor | None], list[Tensor | None]]:
    """Input and output of every node, missing sides taken from neighbours.

    An input the label lacks is the (effective) output of the first predecessor
    that has one; ``Output: [same]`` is the input, and so is the missing output of
    an element-wise node; a still-missing output is the first successor's input.
    What was inferred for a node with a cost rule goes to ``attrs["inferred"]``.
    """
    dag, n = st.dag, len(st.dag)
    ins: list[Tensor | None] = [None] * n
    outs: list[Tensor | None] = [None] * n
    how: dict[int, dict[str, str]] = defaultdict(dict)
    partial: set[int] = set()  # outputs that are the tokens only (width unknown)
    order = dag.topological_order()
    for i in order:
        li, rule = st.infos[i], st.rules[i]
        tin = None if _same(li.input) else li.input
        if tin is None:
            fed = [j for j in sorted(dag.pred[i]) if outs[j] is not None]
            weight = rule is not None and rule.cost in _WEIGHT_COSTS
            if weight and len(fed) > 1:
                # a weight matmul fed by several producers: concatenated or reduced, its
                # input width is not any one producer's
                tin = _joined([outs[j] for j in fed])  # type: ignore[misc]
                if tin is not None:
                    how[i]["input"] = f"[{tin.raw}] from {len(fed)} producers"
            elif weight and fed and _is_shard(st, fed[0]) and not _is_shard(st, i):
                pass  # one tensor-parallel shard feeds a whole op: its width is the shard's
            elif fed:
                tin = outs[fed[0]]
                how[i]["input"] = f"[{tin.raw}] from {dag.nodes[fed[0]].id}"
        ins[i] = tin
        tout = li.output
        if _same(tout):
            tout = tin
            if tin is not None:
                how[i]["output"] = f"[{tin.raw}] (written 'same')"
        elif tout is None and rule is not None and (
                rule.kind in _PASS_KINDS or rule.cost in _PASS_COSTS) and tin is not None:
            # shape-preserving: element-wise ops, routing and communication carry the
            # tensor through; an attention or MLP block maps the hidden state to itself
            tout = tin
            if rule.kind != Kind.ELEMENTWISE:
                how[i]["output"] = f"[{tin.raw}] (passes through a {rule.name} node)"
        elif tout is None and rule is not None and rule.cost == "linear" and tin is not None:
            # a projection whose output width is given nowhere still keeps its tokens:
            # the next node learns the batch and sequence (its width stays unknown)
            tout = _tokens_only(tin)
            if tout is not None:
                partial.add(i)
        outs[i] = tout
    for i in reversed(order):
        if outs[i] is None or i in partial:  # a successor's input gives the width too
            for j in sorted(dag.succ[i]):
                t = st.infos[j].input
                if t is not None and not _same(t):
                    outs[i] = t
                    how[i]["output"] = f"[{t.raw}] from {dag.nodes[j].id}"
                    break
    shown: list[str] = []
    for i, parts in how.items():
        rule = st.rules[i]
        if rule is None or rule.cost == "zero":
            continue
        node = dag.nodes[i]
        node.attrs["inferred"] = dict(parts)
        shown.append(node.id)
    if shown:
        ids = sorted(shown, key=dag.index.__getitem__)
        first = dag.nodes[dag.index[ids[0]]]
        what = "; ".join(f"{k} {v}" for k, v in first.attrs["inferred"].items())
        st.add(info(f"shapes inferred from neighbours for {len(ids)} node(s), e.g. "
                       f"{first.id!r}: {what}", file=st.file, node=first.id,
                       nodes=tuple(ids), code="inferred"))
    return ins, outs


def _stated_width(st: DotReading, scale: Scale, j: int) -> sympy.Expr | None:
    """The model width node ``j``'s own label gives its input (``d_model=4096``), or None;
    a routing or communication node's only tensor is its input too (it keeps the shape)."""
    li, rule = st.infos[j], st.rules[j]
    t = li.input
    if t is None and rule is not None and rule.kind in (Kind.ROUTE, Kind.COMM):
        t = li.output
    if t is None or _same(t) or t.get("hidden") is None:
        return None
    v = scale.value(t.get("hidden"))
    return v if v is not None and v.is_Integer and v > 0 else None


def _width_hints(st: DotReading, scale: Scale) -> dict[int, tuple[sympy.Expr, str]]:
    """Model widths for width-preserving blocks (MoE) whose own tensors give none.

    Such a block maps the hidden state to itself, so its width is the one the nodes it
    feeds take: the first consumer, directly or through routing and communication nodes
    that state no width of their own, whose label gives a hidden size. Nodes with the
    same label text and rule are drawn replicas (one per GPU, often only one of them
    wired): a width found for some of them holds for all, when the found ones agree.
    """
    dag = st.dag

    def widthless(cost: str) -> list[int]:  # nodes of this cost whose tensors give no width
        return [i for i, r in enumerate(st.rules) if r is not None and r.cost == cost
                and not any(scale.width(t) is not None for t in st.infos[i].tensors())]

    need = widthless("moe")
    if not need:
        return {}
    found: dict[int, tuple[sympy.Expr, str]] = {}
    for i in need:
        frontier, seen = sorted(dag.succ[i]), {i}
        for _ in range(3):
            widths = {}
            nxt = []
            for j in frontier:
                if j in seen:
                    continue
                seen.add(j)
                w = _stated_width(st, scale, j)
                if w is not None:
                    widths[j] = w
                elif st.rules[j] is not None and st.rules[j].kind in (Kind.ROUTE, Kind.COMM):
                    nxt.extend(sorted(dag.succ[j]))
            if widths:
                if len(set(widths.values())) == 1:
                    j, w = next(iter(widths.items()))
                    found[i] = (w, f"the width {dag.nodes[j].id!r} takes (the block maps "
                                   "the hidden state to itself)")
                break
            frontier = nxt
    _share_with_replicas(st, need, found)
    # a router gate reads the hidden state of the block it routes for
    gates = widthless("router")
    for i in gates:
        widths = {}
        for j in dag.succ[i]:
            if st.rules[j] is not None and st.rules[j].cost in ("moe", "mlp", "gated_mlp"):
                w = found[j][0] if j in found else _stated_width(st, scale, j)
                if w is not None:
                    widths[w] = j
        if len(widths) == 1:
            w, j = next(iter(widths.items()))
            found[i] = (w, f"the width of the block it routes for, {dag.nodes[j].id!r}")
    _share_with_replicas(st, gates, found)
    return found


def _share_with_replicas(st: DotReading, need: list[int],
                         found: dict[int, tuple[sympy.Expr, str]]) -> None:
    """Nodes with the same label text and rule are drawn replicas: a width found for
    some of them (all agreeing) holds for the others."""
    dag = st.dag
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i in need:
        groups[(id(st.infos[i]), st.rules[i].name)].append(i)  # type: ignore[union-attr]
    for members in groups.values():
        got = {found[i][0] for i in members if i in found}
        if len(got) != 1:
            continue
        w = next(iter(got))
        src = next(i for i in members if i in found)
        for i in members:
            if i not in found:
                found[i] = (w, f"the width of its replica {dag.nodes[src].id!r} "
                               "(same label)")


def _experts_seen(st: DotReading, i: int) -> tuple[int, str] | None:
    """Experts the graph shows behind router gate ``i``: expert nodes it feeds,
    directly or through one routing/dispatch node, plus "N more experts" elisions."""
    drawn, elided = 0, 0
    stated: set[int] = set()  # totals written beside a share: 'Experts (4/16)'
    seen: set[int] = set()
    frontier = list(st.dag.succ[i])
    if len(frontier) == 1:  # one MoE block behind the gate that states its expert count
        j = frontier[0]
        d = st.infos[j].find("experts")
        rule = st.rules[j]
        if (d is not None and d.value is not None and d.value.is_Integer and d.value > 1
                and rule is not None and rule.cost in ("moe", "mlp", "gated_mlp")
                and len(st.dag.nodes[j].devices) != 1):  # one GPU's count is local
            return int(d.value), f"{st.dag.nodes[j].id!r} says {d.raw!r}"
    for hop in range(2):
        nxt: list[int] = []
        for j in frontier:
            if j in seen:
                continue
            seen.add(j)
            rule, name = st.rules[j], st.infos[j].name or st.dag.nodes[j].id
            more = _MORE_EXPERTS.search(st.dag.nodes[j].attrs.get("label", "") or "")
            if more:
                elided += int(more.group(1))
            elif (rule is not None and rule.cost in ("mlp", "gated_mlp", "moe")
                  and EXPERT_WORDS.search(name)):
                drawn += 1
                total = total_experts(str(st.dag.nodes[j].attrs.get("label", "") or name))
                if total is not None:
                    stated.add(total)
            elif hop == 0 and rule is not None and rule.kind in (Kind.ROUTE, Kind.COMM):
                nxt.extend(st.dag.succ[j])
        frontier = nxt
    if len(stated) == 1 and next(iter(stated)) >= drawn + elided:
        return next(iter(stated)), (f"{drawn} expert nodes behind the gate state "
                                    f"{next(iter(stated))} experts in all")
    if drawn + elided < 2:
        return None
    how = (f"{drawn} expert nodes behind the gate"
           + (f" + {elided} in an elision ('{elided} more experts')" if elided else ""))
    return drawn + elided, how


_GROUP_WORDS = re.compile(
    r"(?i)\b(\d+)[- ]way\b|\b(?:across|over|from|to|among|between)[ \t]+(\d+)[ \t]+"
    r"(?:gpus|devices|ranks)\b|\b(\d+)[ \t]+(?:gpus|devices|ranks)\b")
_GATHER_WORDS = re.compile(r"(?i)\bgather|\bcollect")
_FROM_MANY = re.compile(r"(?i)\bfrom[ \t]+(?:all|\d+)[ \t]+(?:gpus|devices|ranks)\b")
_DEGREE = {"all_reduce": "TP", "all_gather": "TP", "reduce_scatter": "TP", "all_to_all": "EP",
           "broadcast": "TP"}


def _degree(text: str, tag: str) -> int | None:
    m = re.search(rf"(?:^|[^A-Za-z]){tag}\s*[=:]?\s*(\d+)(?![\d])", text)
    return int(m.group(1)) if m and int(m.group(1)) > 1 else None


def _graph_degree(st: DotReading, tag: str) -> int | None:
    """The parallel degree ``tag`` (``TP``, ``EP``) when the graph's labels state exactly one."""
    cache = st.degrees
    if tag not in cache:
        texts = [str(n.attrs.get("label", "")) for n in st.dag.nodes]
        texts += [c.label for c in st.cluster_list if c.label]
        found = {n for t in texts for n in [_degree(t.replace("_", " "), tag)] if n}
        cache[tag] = next(iter(found)) if len(found) == 1 else None
    return cache[tag]


def _as_communication(st: DotReading, node, rule: Rule, words: list[str]) -> Rule:
    """A routing/gather node whose placement moves data between GPUs is communication:
    a gather from several GPUs is an all-gather, a route to other GPUs a transfer."""
    if rule.kind != Kind.ROUTE or len(node.devices) < 2:
        return rule
    text = " ".join(words)
    label = str(node.attrs.get("label", ""))
    if _GATHER_WORDS.search(text) and (node.attrs.get("transfer") or _FROM_MANY.search(label)):
        other = st.table.by_name("all_gather")
    elif node.attrs.get("transfer") and rule.name in ("routing", "split"):
        other = st.table.by_name("send_recv")
    else:
        return rule
    if other is None or other.kind != Kind.COMM:
        return rule
    node.attrs["why_placement"] = (f"{rule.name!r} by its words, but its GPUs "
                                   f"({node.attrs.get('gpu', '')}) move data: {other.name}")
    return other


_DP_WORDS = re.compile(r"(?i)\bDP\b|data[- ]?parallel|\breplicas?\b")
_REPLICAS = re.compile(r"(?i)\b(\d+)[ \t]+(?:groups|replicas|ways)\b|\bDP[ \t]*[=:]?[ \t]*(\d+)\b")


def _replica_count(st: DotReading) -> int | None:
    """The data-parallel degree the graph states once: ``DP=3`` anywhere, or a data-parallel
    split or replica node that says ``3 groups`` / ``3 replicas``."""
    cache = st.degrees
    if "DP*" not in cache:
        found: set[int] = set()
        for node in st.dag.nodes:
            label = str(node.attrs.get("label", "") or "")
            if not _DP_WORDS.search(label):
                continue
            for m in _REPLICAS.finditer(label):
                n = int(m.group(1) or m.group(2))
                if n > 1:
                    found.add(n)
        cache["DP*"] = next(iter(found)) if len(found) == 1 else None
    return cache["DP*"]


def _peer_gpus(st: DotReading, i: int, rule: Rule) -> int:
    """GPUs of a collective drawn as one node per GPU: node ``i`` (on one GPU) and the nodes
    of the same collective and shapes on other GPUs that feed the same consumer (or come
    from the same producer). 0 when there are none."""
    dag = st.dag
    node = dag.nodes[i]
    if len(node.devices) != 1:
        return 0
    me = st.infos[i]
    sig = (rule.name, tuple(me.words), me.input.raw if me.input else None)
    best = 0
    for hub_of, back in ((dag.succ, dag.pred), (dag.pred, dag.succ)):
        for h in hub_of[i]:
            devs = set()
            for j in back[h]:
                other, r = st.infos[j], st.rules[j]
                if (r is not None and len(dag.nodes[j].devices) == 1
                        and (r.name, tuple(other.words), other.input.raw if other.input else None)
                        == sig):
                    devs |= dag.nodes[j].devices
            if node.devices <= devs:
                best = max(best, len(devs))
    return best if best > 1 else 0


def comm_group(st: DotReading, i: int, rule: Rule) -> tuple[int, str]:
    """How many GPUs a collective spans, and where that was read: the label's words
    (``4-way``, ``8 GPUs``, ``TP=8``), the node's own GPUs, the parallel degree in
    its cluster or graph name (``TP4``), its producers' GPUs, or the number of
    parallel producers feeding it."""
    node, dag = st.dag.nodes[i], st.dag
    text = str(node.attrs.get("label", ""))
    for m in _GROUP_WORDS.finditer(text):
        n = int(next(g for g in m.groups() if g))
        if n > 1:
            return n, f"label words {m.group(0)!r}"
    tin = st.infos[i].input
    if tin is not None and tin.multiplicity > 1 and rule.collective != "send_recv":
        return tin.multiplicity, f"input written {tin.multiplicity} x [..]"
    tag = _DEGREE.get(rule.collective or "")
    if tag:
        n = _degree(text, tag)
        if n:
            return n, f"label {tag}={n}"
    if rule.collective == "all_reduce" and _DP_WORDS.search(text):
        n = _degree(text, "DP") or _replica_count(st)
        if n:
            return n, f"the data-parallel degree {n} ({'label' if _degree(text, 'DP') else 'the graph states it'})"
    if len(node.devices) > 1:
        return len(node.devices), "its GPUs"
    if tag:
        for where in (str(node.attrs.get("cluster_label", "")), str(dag.name or "")):
            n = _degree(where.replace("_", " "), tag)
            if n:
                return n, f"{tag}{n} in {where!r}"
        n = _graph_degree(st, tag)
        if n:
            return n, f"{tag}{n}, the one {tag} degree the graph's labels state"
    peers = _peer_gpus(st, i, rule) if rule.collective != "send_recv" else 0
    if peers > 1:
        return peers, f"one node per GPU: {peers} like nodes on {peers} GPUs join or fork together"
    preds = sorted(dag.pred[i])
    devs = frozenset().union(*(dag.nodes[j].devices for j in preds)) if preds else frozenset()
    if len(devs) > 1 and rule.collective != "send_recv":
        return len(devs), "its producers' GPUs"
    if len(preds) > 1 and rule.collective != "send_recv":
        return len(preds), f"{len(preds)} parallel producers"
    return max(1, len(node.devices)), "its GPUs"


def _io_at_graph_end(st: DotReading, i: int, dec: Decision) -> Decision:
    """An input/output reading tied with the winner wins at a source or sink of the graph
    whose label gives no changed shape: "Attention Output" drawn last is the graph's
    output, not the attention block's output projection (words alone cannot tell)."""
    if st.dag.succ[i] and st.dag.pred[i]:
        return dec
    info_ = st.infos[i]
    if info_.input is not None and info_.output is not None and not _same(info_.output) \
            and info_.input.raw != info_.output.raw:
        return dec
    top = next((float(c["score"]) for c in dec.candidates if c["rule"] == "io"), None)
    rule = st.table.by_name("io")
    won = dec.score
    if top is None or rule is None or top < won - 0.5:
        return dec
    end = "sink" if not st.dag.succ[i] else "source"
    return Decision(rule, dec.how, f"{dec.why}; io (score {top:.0f}) ties and the node is a "
                    f"{end} of the graph with no changed shape: io wins",
                    ({"rule": dec.rule.name, "score": won, "why": dec.why},)  # type: ignore[union-attr]
                    + tuple(c for c in dec.candidates if c["rule"] != "io"))


def _selections_after_gates(st: DotReading) -> None:
    """A gate drawn right after another gate with the same input and output is the top-k
    selection of the first one's scores (a route, no matmul): charging both would count the
    gate twice."""
    sel = st.table.by_name("selection")
    if sel is None:
        return
    for i, rule in enumerate(st.rules):
        if rule is None or rule.cost != "router" or len(st.dag.pred[i]) != 1:
            continue
        j = next(iter(st.dag.pred[i]))
        a, b = st.infos[i], st.infos[j]
        if (st.rules[j] is None or st.rules[j].cost != "router" or a.input is None
                or b.input is None or a.output is None or b.output is None
                or a.input.raw != b.input.raw or a.output.raw != b.output.raw):
            continue
        node = st.dag.nodes[i]
        st.rules[i] = sel
        node.kind = sel.kind
        node.attrs["rule"] = sel.name
        node.attrs["why"] = (f"{node.attrs.get('why', '')}; the gate {st.dag.nodes[j].id!r} "
                             "before it has the same shapes: this is its top-k selection")
        st.add(info("a gate right after a gate with the same shapes is its top-k selection: "
                    "no second gate matmul", code="selection", **st.where(node)))


def cost_nodes(st: DotReading, scale: Scale) -> None:
    unknown: list[int] = []
    unknown_atoms: dict[str, list[str]] = {}
    no_gpu: list[str] = []
    notes: dict[str, list[str]] = defaultdict(list)
    assumed: dict[str, tuple[str, list[str]]] = {}
    for i, node in enumerate(st.dag.nodes):
        linfo = st.infos[i]
        words = linfo.words or ([linfo.name] if linfo.name else [])
        if node.attrs.get("implicit"):  # only named by an edge: no evidence of an operation
            words = []
        dec = st.table.decide(words, "" if node.attrs.get("implicit") else node.id,
                              node.attrs.get("shape"),
                              str(node.attrs.get("cluster_label", "")))
        rule, how = dec.rule, dec.how
        if rule is not None and rule.kind != Kind.IO:
            dec = _io_at_graph_end(st, i, dec)
            rule, how = dec.rule, dec.how
        if rule is not None:
            rule = _as_communication(st, node, rule, words)
        node.attrs["words"] = list(words)
        st.rules.append(rule)
        if rule is None:
            node.kind = Kind.UNKNOWN
            if not node.attrs.get("implicit"):  # edge-only nodes have their own warning
                unknown.append(i)
            continue
        node.kind = rule.kind
        node.attrs["rule"] = rule.name
        node.attrs["matched_by"] = how
        node.attrs["why"] = dec.why + (f"; {node.attrs.pop('why_placement')}"
                                        if "why_placement" in node.attrs else "")
        node.attrs["candidates"] = dec.candidates  # shared by equal decisions: read only
        if how == "shape":
            st.add(info(f"classified as {rule.kind} by its shape only",
                           code="shape", **st.where(node)))
    _selections_after_gates(st)
    ins, outs = _shapes(st)
    hints = _width_hints(st, scale)
    params = st.model.by_role
    dim_notes: dict[int, list[str]] = {}
    for i, node in enumerate(st.dag.nodes):
        rule = st.rules[i]
        if rule is None:
            continue
        linfo = st.infos[i]
        inherited = ins[i] if linfo.input is None or _same(linfo.input) else None
        out = outs[i] if linfo.output is None or _same(linfo.output) else None
        seen = _experts_seen(st, i) if rule.cost == "router" else None
        if seen is not None and st.infos[i].find("experts") is None \
                and "experts" not in params:
            node.attrs["experts_counted"] = seen[1]
        group = len(node.devices)
        if rule.cost == "comm":
            group, group_from = comm_group(st, i, rule)
            node.attrs["group_from"] = group_from
        av = rule.cost == "attention_scores" and any(
            st.rules[j] is not None and st.rules[j].cost == "attention_values"
            for j in st.dag.succ[i])
        hint = hints.get(i)
        key = (rule.name, linfo.key,
               inherited.raw if inherited is not None else None,
               out.raw if out is not None else None, seen,
               group if rule.cost in ("comm", "moe") else 0, av, hint)
        res = st.cost_cache.get(key)
        if res is None:
            res = _apply(rule, Context(linfo, scale, inherited, group, rule,
                                       params, seen, out, av, hint))
            st.cost_cache[key] = res
        node.cost, node.matmuls = res.cost, res.matmuls
        if res.unknown:
            node.cost = _unknown_atom(st, rule, key)
            node.attrs["unknown_cost"] = str(node.cost)
            unknown_atoms.setdefault(str(node.cost), []).append(node.id)
        if res.overruled:
            st.add(warning(res.overruled, code="shapes-win", **st.where(node)))
            node.attrs["why"] = f"{node.attrs.get('why', '')}; {res.overruled}"
        for akey, msg in res.assumed:
            assumed.setdefault(akey, (msg, []))[1].append(node.id)
            node.attrs.setdefault("assumed", []).append(msg)
        if res.problem and not res.unknown:
            st.add(warning(res.problem, code="dims", **st.where(node)))
        if res.cost != 0:
            said = dim_notes.get(id(linfo))  # label facts are shared between nodes
            if said is None:
                said = dim_notes[id(linfo)] = [d.note for t in linfo.tensors()
                                               for d in t.dims if d.note]
            for note in said:
                notes[note].append(node.id)
        if (not node.devices and rule.kind != Kind.IO and not node.attrs.get("host")):
            no_gpu.append(node.id)
    for atom, ids in unknown_atoms.items():
        first = st.dag.nodes[st.dag.index[ids[0]]]
        why = st.cost_cache_problem.get(atom, "")
        st.add(warning(f"cost not derivable from the label{why}: explicit unknown atom "
                       f"{atom} ({len(ids)} node(s) equal in everything known share it)",
                       file=st.file, line=first.source.line, node=ids[0], nodes=tuple(ids),
                       code="unknown-cost"))
    for i in unknown:
        node = st.dag.nodes[i]
        what = f"operation {st.infos[i].name!r}" if st.infos[i].name else "operation"
        st.add(warning(f"{what} not recognised by any rule: kind unknown, cost 0",
                          code="unknown-op", **st.where(node)))
    for note, ids in notes.items():
        st.add(info(f"{note} ({len(ids)} node(s))", file=st.file, node=ids[0],
                       nodes=tuple(ids), code="dims"))
    used_roles = set()
    for akey, (msg, ids) in assumed.items():
        kind, _, what = akey.partition(":")
        if kind == "param":
            used_roles.add(what)
        code = {"symbol": "symbol", "param": "parameter", "count": "count",
                "width": "inferred"}[kind]
        if kind == "width":  # one line for every node given this width, wherever read
            msg = (f"hidden size not in the label: {what}, the width a block without one "
                   "takes from the nodes it feeds (a MoE block maps the hidden state to "
                   "itself; its drawn replicas and its gate take the same; `symcost explain "
                   "NODE` says where)")
        # a missing model width is surprising (the next node usually has it): a warning
        level = warning if akey in ("symbol:H", "symbol:H_") else info
        st.add(level(f"{msg} ({len(ids)} node(s))", file=st.file, node=ids[0],
                     nodes=tuple(ids), code=code))
    st.dag.meta["assumed"] = [{"code": k.partition(":")[0], "message": m,
                                 "nodes": len(ids)} for k, (m, ids) in assumed.items()]
    for rec in st.model.records:
        rec["used"] = rec["role"] in used_roles
    if no_gpu:
        shown = ", ".join(no_gpu[:_LIST_MAX]) + (", ..." if len(no_gpu) > _LIST_MAX else "")
        st.add(warning(f"{len(no_gpu)} node(s) without a GPU (not serialized with "
                          f"others): {shown}", file=st.file, node=no_gpu[0],
                          nodes=tuple(no_gpu), code="no-gpu"))


def _unknown_atom(st: DotReading, rule: Rule, key: tuple) -> sympy.Expr:
    """The explicit unknown-cost atom of a node: one per rule and everything known
    about the node (its reading key), ``Unknown_<rule>[_k](B)``."""
    from symcost.core.symbols import declare_atom

    hit = st.unknown_atoms.get(key)
    if hit is not None:
        return hit
    base = "Unknown_" + re.sub(r"\W", "_", rule.name)
    n = sum(1 for k in st.unknown_atoms if k[0] == rule.name)
    fn = declare_atom(base if n == 0 else f"{base}_{n + 1}", 1,
                      description=f"unknown cost of a {rule.name!r} node")
    atom = fn(B)
    st.unknown_atoms[key] = atom
    res = st.cost_cache.get(key)
    st.cost_cache_problem[str(atom)] = (f" ({res.problem.split(' from the label')[-1].strip(' ;')})"
                                        if res is not None and res.problem else "")
    return atom


def check_dims(st: DotReading, scale: Scale) -> None:
    """Warn when a producer's output and its consumer's input differ."""
    dag = st.dag
    skip = {Kind.ROUTE, Kind.COMM, Kind.UNKNOWN}
    differ: dict[tuple[str, str], bool] = {}  # by the two tensors' texts (they decide it)
    for (iu, iv), attrs in dag.edge_attrs.items():
        a, b = dag.nodes[iu], dag.nodes[iv]
        if a.kind in skip or b.kind in skip or len(dag.pred[iv]) != 1:
            continue
        if "dash" in str(attrs.get("style", "")) or "dot" in str(attrs.get("style", "")):
            continue
        out, inp = st.infos[iu].output, st.infos[iv].input
        if out is None or inp is None or len(st.infos[iv].inputs) > 1:
            continue
        if out.multiplicity != 1 or inp.multiplicity != 1:
            continue
        key = (out.raw, inp.raw)
        bad = differ.get(key)
        if bad is None:
            pairs = [(scale.tokens(out), scale.tokens(inp)),
                     (scale.feature(out), scale.feature(inp))]
            bad = differ[key] = any(_comparable(x, y) and x != y for x, y in pairs)
        if bad:
            st.add(warning(f"dimension mismatch: {a.id!r} outputs [{out.raw}] but "
                              f"{b.id!r} takes [{inp.raw}]", file=st.file,
                              line=b.source.line, node=b.id, nodes=(a.id, b.id),
                              code="dim-mismatch"))


def _same(t: Tensor | None) -> bool:
    """``[same]``, ``[same as input]``: the output repeats the input."""
    return t is not None and t.raw.strip().lower() in ("same", "same as input", "unchanged",
                                                        "same as in", "same shape")


def _apply(rule: Rule, ctx: Context) -> CostResult:
    return FORMULAS[rule.cost](ctx)


def _comparable(x: sympy.Expr | None, y: sympy.Expr | None) -> bool:
    if x is None or y is None:
        return False
    return x.free_symbols <= {B} and y.free_symbols <= {B}
