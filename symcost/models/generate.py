"""Generated deployment DAGs: a model config and a parallel layout -> :class:`Dag`.

Layout ``TP x PP x EP x DP`` (GPUs = TP * PP * DP; EP is carved out of DP x TP):
stage ``p`` holds GPUs ``p*DP*TP .. (p+1)*DP*TP - 1``, replica ``d`` rank ``t`` of it is
GPU ``p*DP*TP + d*TP + t``. ``B`` sequences are split over the ``DP`` replicas and, per
replica, into ``M`` microbatches that run through the stages in order (forward only,
fill and drain: the pipeline bubble appears in the longest path).

Per layer and rank (DESIGN.md's conventions; ``tok`` = sequences x query length of a
microbatch of one replica, ``s_kv`` the key length):

* QKV projection (one node, three matmuls): ``Get_Time(tok, H, hq*d)`` and twice
  ``Get_Time(tok, H, hkv*d)`` with ``hq = heads/TP`` and ``hkv = kv_heads/TP`` (at least
  1: KV heads are replicated when TP exceeds them, GQA);
* attention: ``Get_Time(b*hq*s_q, d, s_kv)`` and ``Get_Time(b*hq*s_q, s_kv, d)``;
* output projection ``Get_Time(tok, hq*d, H)``, then ``AllReduce(tok*H, TP)`` (with
  ``--sp``: ``ReduceScatter`` then ``AllGather``, same matmuls);
* dense MLP: ``Get_Time(tok, H, F/TP)`` (twice when gated) and ``Get_Time(tok, F/TP, H)``,
  then the same all-reduce;
* MoE layer: each TP rank takes ``1/TP`` of its replica's tokens; router
  ``Get_Time(tok/TP, H, E)``; EP groups of ``EP`` consecutive GPUs of the stage each hold
  all experts, ``E/EP`` per GPU; dispatch ``AllToAll(tok/TP*k*H, EP)``; each expert of a
  GPU gets ``m = EP*tok/TP*k/E`` rows (balanced routing) or ``EP*tok/TP`` (``load="all"``:
  every expert sees all tokens of its group, the reference's convention), with gate/up
  and down matmuls as the MLP; shared experts on each GPU's own token slice; combine
  ``AllToAll``; with TP > 1 an ``AllGather(tok*H, TP)`` restores the replicated tokens.
  The experts of one GPU are one node (run one after another, as a grouped GEMM does).
* between stages ``SendRecv(tok*H, 2)`` per rank; the LM head ``Get_Time(tok,H,ceil(V/TP))``
  on the last stage (logits of every position; vocab-sharded, not gathered).

Separation layout (``separate_attention=A, experts_on=M``, the reference's): attention
heads split over GPUs ``0..A-1``, then an aggregation ``AllGather(tok*H, A)``, the output
projection ``Get_Time(tok, H, H)`` and the router on GPU 0, a ``Broadcast(tok*H, M+1)``
to the expert GPUs ``A..A+M-1`` (``E/M`` experts each), and their results gathered back
(``AllToAll(tok*H, M+1)``).

Validity rules (:func:`check_layout`, each a one-line ModelError): TP divides the
attention heads and either divides or is a multiple of the KV heads; TP divides the
intermediate size; PP <= layers (uneven splits give the first ``layers % PP`` stages one
layer more); EP divides the expert count and DP*TP, and EP > 1 needs experts; M >= 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symcost.core.dag import Dag, Kind, Matmul, Node, check_cost
from symcost.core.symbols import (
    AllGather,
    AllReduce,
    AllToAll,
    B,
    Broadcast,
    Get_Time,
    ReduceScatter,
    SendRecv,
    declare_symbol,
)
from symcost.models.base import ModelError
from symcost.models.config import ModelConfig

PHASES = ("prefill", "decode")
LOADS = ("balanced", "all")


@dataclass(frozen=True)
class Layout:
    """A parallel strategy: degrees of tensor, pipeline, expert and data parallelism."""

    tp: int = 1
    pp: int = 1
    ep: int = 1
    dp: int = 1
    sp: bool = False
    microbatches: int = 1
    separate_attention: int = 0
    experts_on: int = 0

    @property
    def separated(self) -> bool:
        return self.separate_attention > 0

    @property
    def gpus(self) -> int:
        """Number of GPUs the layout uses."""
        if self.separated:
            return self.separate_attention + self.experts_on
        return self.tp * self.pp * self.dp

    @property
    def label(self) -> str:
        """A short name such as ``TP4xEP2`` (degrees of 1 omitted; ``TP1`` if all are)."""
        if self.separated:
            return f"A{self.separate_attention}+E{self.experts_on}"
        parts = [f"{n}{v}" for n, v in (("TP", self.tp), ("PP", self.pp), ("EP", self.ep),
                                         ("DP", self.dp)) if v > 1]
        s = "x".join(parts) or "TP1"
        if self.sp:
            s += "+SP"
        if self.microbatches > 1:
            s += f"/M{self.microbatches}"
        return s


def stage_layers(layers: int, pp: int) -> list[range]:
    """Layers of each stage: the first ``layers % pp`` stages get one layer more."""
    base, extra = divmod(layers, pp)
    out, start = [], 0
    for p in range(pp):
        n = base + (1 if p < extra else 0)
        out.append(range(start, start + n))
        start += n
    return out


def check_layout(cfg: ModelConfig, lay: Layout) -> None:
    """ModelError (one line) when ``lay`` is not a valid layout of ``cfg``."""
    cfg.check_supported()
    for name in ("tp", "pp", "ep", "dp", "microbatches"):
        v = getattr(lay, name)
        if not isinstance(v, int) or v < 1:
            raise ModelError(f"{name} must be a positive integer, got {v!r}")
    if lay.separated:
        a, m = lay.separate_attention, lay.experts_on
        if (lay.tp, lay.pp, lay.ep, lay.dp) != (1, 1, 1, 1):
            raise ModelError("--separate-attention is a layout of its own: no --tp/--pp/"
                             "--ep/--dp with it")
        if not cfg.moe or m < 1 or cfg.experts % m:
            raise ModelError(f"--experts-on {m} must divide the {cfg.experts} experts")
        if cfg.heads % a:
            raise ModelError(f"--separate-attention {a} must divide the {cfg.heads} heads")
        return
    if cfg.heads % lay.tp:
        raise ModelError(f"TP {lay.tp} does not divide the {cfg.heads} attention heads")
    if cfg.kv_heads % lay.tp and lay.tp % cfg.kv_heads:
        raise ModelError(f"TP {lay.tp} neither divides nor is a multiple of the "
                         f"{cfg.kv_heads} KV heads")
    if any(not cfg.is_moe_layer(i) for i in range(cfg.layers)) and cfg.intermediate % lay.tp:
        raise ModelError(f"TP {lay.tp} does not divide the intermediate size "
                         f"{cfg.intermediate}")
    if lay.pp > cfg.layers:
        raise ModelError(f"PP {lay.pp} exceeds the {cfg.layers} layers")
    if lay.ep > 1 and not cfg.moe:
        raise ModelError(f"EP {lay.ep} needs experts; {cfg.name} is dense")
    if cfg.moe and cfg.experts % lay.ep:
        raise ModelError(f"EP {lay.ep} does not divide the {cfg.experts} experts")
    if (lay.dp * lay.tp) % lay.ep:
        raise ModelError(f"EP {lay.ep} must divide DP x TP = {lay.dp * lay.tp} (EP is carved "
                         "out of them)")


def length_symbol(value: int | str | None, name: str) -> sympy.Expr:
    """A sequence length: an integer, or a symbol (``S``, ``L``) kept in the formula."""
    if value is None or isinstance(value, str):
        return declare_symbol(value or name)
    if int(value) != value or value < 1:
        raise ModelError(f"{name} must be a positive integer or a symbol, got {value!r}")
    return sympy.Integer(int(value))


class _Gen:
    """State of one generation (ids, builder, the last node of each rank)."""

    def __init__(self, cfg: ModelConfig, lay: Layout, phase: str, seq: sympy.Expr,
                 kv: sympy.Expr, load: str, name: str) -> None:
        self.cfg, self.lay, self.load = cfg, lay, load
        self.b = B / (lay.dp * lay.microbatches)          # sequences per microbatch/replica
        self.s_q = seq if phase == "prefill" else sympy.Integer(1)
        self.s_kv = seq if phase == "prefill" else kv
        self.tok = self.b * self.s_q
        self.replicas = lay.dp
        self.compact = False
        self.dag = Dag(name)
        self._costs: dict[tuple, tuple[tuple[Matmul, ...], sympy.Expr]] = {}
        self._parts: dict | None = None

    def node(self, nid: str, kind: Kind, devices, matmuls=(), cost=0, layer=None,
             key: str | None = None) -> str:
        # identical nodes recur on every GPU and layer: build each cost once. ``key``
        # names a cost that is the same wherever it is used in this generation (cheaper
        # than hashing the expressions); without it the expressions are the key.
        if key is None:
            key = (tuple(tuple(mm) for mm in matmuls), cost)
        if key not in self._costs:
            mms = tuple(Matmul(*(sympy.sympify(x) for x in mm[:3]),
                               count=mm[3] if len(mm) > 3 else 1) for mm in matmuls)
            total = sympy.Add(*[mm.count * mm.term for mm in mms]) if mms else cost
            self._costs[key] = (mms, check_cost(sympy.sympify(total), where=f"node {nid!r}"))
        mms, total = self._costs[key]
        self.dag.add_node(Node(id=nid, name=nid, kind=kind,
                               devices=frozenset(int(d) for d in devices), cost=total,
                               matmuls=mms, layer=layer))
        return nid

    def edges(self, srcs, dst) -> None:
        for s in srcs:
            self.dag.add_edge(s, dst)

    def parts(self) -> dict:
        """The matmul lists and messages of one rank of a (non-separated) layout, the
        same in every layer, rank and microbatch: built once per generation."""
        if self._parts is None:
            cfg, lay, tok, b = self.cfg, self.lay, self.tok, self.b
            T, E = lay.tp, lay.ep
            H, hd = cfg.hidden, cfg.head_dim
            hq, hkv = cfg.heads // T, max(1, cfg.kv_heads // T)
            qkv = [(tok, H, hq * hd), (tok, H, hkv * hd, 2)]
            attn = [(b * hq * self.s_q, hd, self.s_kv), (b * hq * self.s_q, self.s_kv, hd)]
            o = [(tok, hq * hd, H)]
            F = cfg.intermediate // T
            out = {"qkv": qkv, "attn": attn, "o": o, "block": qkv + attn + o,
                   "mlp": [(tok, H, F, 2 if cfg.gated_mlp else 1), (tok, F, H)],
                   "send": SendRecv(tok * H, 2), "ar": AllReduce(tok * H, T),
                   "rs": ReduceScatter(tok * H, T), "ag": AllGather(tok * H, T)}
            if cfg.moe:
                k = cfg.experts_per_token
                slice_tok = tok / T
                m = E * slice_tok * k / cfg.experts if self.load == "balanced" \
                    else E * slice_tok
                out.update({
                    "router": [(slice_tok, H, cfg.experts)],
                    "a2a": AllToAll(slice_tok * k * H, E),
                    "experts": _expert_matmuls(cfg, m, cfg.experts // E,
                                               cfg.expert_intermediate),
                    "shared": _expert_matmuls(cfg, slice_tok, cfg.shared_experts,
                                              cfg.shared_intermediate),
                    "moe.ag": AllGather(tok * H, T)})
            if lm_vocab := -(-cfg.vocab // T):
                out["lm_head"] = [(tok, H, lm_vocab)]
            self._parts = out
        return self._parts


def generate(cfg: ModelConfig, lay: Layout, *, phase: str = "prefill",
             seq: int | str | None = "S", kv_len: int | str | None = "L",
             load: str = "balanced", lm_head: bool = True, symmetric: bool = False,
             compact: bool = False, quotient: bool = False) -> Dag:
    """The deployment DAG of ``cfg`` under ``lay`` (see the module doc for the rules).

    ``symmetric``: generate only the replicas of one communication-closed block of each
    stage (``lcm(TP, EP) / TP`` replicas: TP groups and EP groups never cross it). The
    other blocks are identical copies that never communicate with it, so the runtime
    formula is the same (tested) with a fraction of the nodes. ``compact``: each rank's
    QKV projection, attention and output projection become one node (a chain on one GPU
    with nothing between: the same formula in both concurrency modes, tested).

    ``quotient`` (``device`` concurrency only; ignored for separation layouts): one GPU
    per stage, and per microbatch one node for the stage's layers (the sum of one rank's
    node costs), one for the send into the stage and one for the LM head. Exact for the
    ``device`` runtime: every rank of a stage runs the same costs in the same order, each
    collective sits at the same place in the order of each of its members, and all start
    at 0, so by induction every rank of a stage is at the same time after each step and
    the stage behaves as one GPU running one chain (tested against the full DAG with the
    order engine). ``M * 2 * PP + 2`` nodes (with the LM head) instead of about
    ``M * layers * lcm(TP, EP) * 7``.

    >>> from symcost.models.config import load_model
    >>> dag = generate(load_model("llama-3.1-8b"), Layout(tp=2, pp=2, microbatches=2),
    ...                quotient=True)
    >>> len(dag.nodes), sorted(dag.devices())
    (10, [0, 1])
    """
    if phase not in PHASES:
        raise ModelError(f"unknown phase {phase!r}; known: prefill, decode")
    if load not in LOADS:
        raise ModelError(f"unknown expert load {load!r}; known: balanced, all")
    check_layout(cfg, lay)
    g = _Gen(cfg, lay, phase, length_symbol(seq, "S"),
             length_symbol(kv_len, "L") if phase == "decode" else sympy.Integer(0),
             load, f"{cfg.name} {lay.label} {phase}")
    if symmetric and not lay.separated:
        from math import lcm

        g.replicas = lcm(lay.tp, lay.ep) // lay.tp
    g.compact = compact
    g.node("input", Kind.IO, ())
    if lay.separated:
        last = _separated(g)
    elif quotient:
        last = _quotient(g, lm_head=lm_head)
    else:
        last = _parallel(g, lm_head=lm_head)
    g.node("output", Kind.IO, ())
    g.edges(last, "output")
    g.dag.topological_order()
    return g.dag


def _allreduce(g: _Gen, pre: str, devs, prev: list[str]) -> list[str]:
    if g.lay.tp <= 1:
        return prev
    if g.lay.sp:
        rs = g.node(pre + ".rs", Kind.COMM, devs, cost=g.parts()["rs"], key="rs")
        g.edges(prev, rs)
        ag = g.node(pre + ".ag", Kind.COMM, devs, cost=g.parts()["ag"], key="ag")
        g.edges([rs], ag)
        return [ag]
    ar = g.node(pre + ".ar", Kind.COMM, devs, cost=g.parts()["ar"], key="ar")
    g.edges(prev, ar)
    return [ar]


def _parallel(g: _Gen, *, lm_head: bool) -> list[str]:
    cfg, lay = g.cfg, g.lay
    T, D = lay.tp, lay.dp
    R = g.replicas
    stages = stage_layers(cfg.layers, lay.pp)
    last_all: list[str] = []

    def gpu(p, d, t):
        return p * D * T + d * T + t

    parts = g.parts()
    qkv_mm, attn_mm, o_mm = parts["qkv"], parts["attn"], parts["o"]
    block_mm, mlp_mm = parts["block"], parts["mlp"]
    send_cost = parts["send"]

    for j in range(lay.microbatches):
        # heads[(d, t)]: the nodes whose output feeds rank (d, t) next
        heads = {(d, t): ["input"] for d in range(R) for t in range(T)}
        for p, layers in enumerate(stages):
            if p > 0:
                for d in range(R):
                    for t in range(T):
                        s = g.node(f"mb{j}.send{p}.d{d}.t{t}", Kind.COMM,
                                   [gpu(p - 1, d, t), gpu(p, d, t)],
                                   cost=send_cost, key="send")
                        g.edges(heads[(d, t)], s)
                        heads[(d, t)] = [s]
            for li in layers:
                pre = f"mb{j}.L{li}"
                for d in range(R):
                    outs = []
                    for t in range(T):
                        r = f"{pre}.d{d}.t{t}"
                        if g.compact:
                            o = g.node(r + ".attention", Kind.COMPUTE, [gpu(p, d, t)],
                                       block_mm, layer=li, key="block")
                            g.edges(heads[(d, t)], o)
                            outs.append(o)
                            continue
                        q = g.node(r + ".qkv", Kind.COMPUTE, [gpu(p, d, t)],
                                   qkv_mm, layer=li, key="qkv")
                        g.edges(heads[(d, t)], q)
                        a = g.node(r + ".attn", Kind.ATTENTION, [gpu(p, d, t)], attn_mm,
                                   layer=li, key="attn")
                        g.edges([q], a)
                        o = g.node(r + ".o", Kind.COMPUTE, [gpu(p, d, t)],
                                   o_mm, layer=li, key="o")
                        g.edges([a], o)
                        outs.append(o)
                    devs = [gpu(p, d, t) for t in range(T)]
                    joined = _allreduce(g, f"{pre}.d{d}.attn", devs, outs)
                    for t in range(T):
                        heads[(d, t)] = joined if T > 1 else [outs[t]]
                if cfg.is_moe_layer(li):
                    _moe_layer(g, p, li, pre, heads, gpu)
                else:
                    for d in range(R):
                        outs = []
                        for t in range(T):
                            m = g.node(f"{pre}.d{d}.t{t}.mlp", Kind.COMPUTE, [gpu(p, d, t)],
                                       mlp_mm, layer=li, key="mlp")
                            g.edges(heads[(d, t)], m)
                            outs.append(m)
                        devs = [gpu(p, d, t) for t in range(T)]
                        joined = _allreduce(g, f"{pre}.d{d}.mlp", devs, outs)
                        for t in range(T):
                            heads[(d, t)] = joined if T > 1 else [outs[t]]
        p = lay.pp - 1
        for d in range(R):
            for t in range(T):
                if lm_head and cfg.vocab:
                    h = g.node(f"mb{j}.lm_head.d{d}.t{t}", Kind.COMPUTE, [gpu(p, d, t)],
                               parts["lm_head"], key="lm_head")
                    g.edges(heads[(d, t)], h)
                    last_all.append(h)
                else:
                    last_all.extend(heads[(d, t)])
    return list(dict.fromkeys(last_all))


def _matmul_cost(mms: list[tuple]) -> sympy.Expr:
    return sympy.Add(*[(mm[3] if len(mm) > 3 else 1) * Get_Time(*mm[:3]) for mm in mms])


def _rank_layer_cost(g: _Gen, li: int) -> sympy.Expr:
    """What one rank of a (non-separated) layout spends in layer ``li``: the sum of the
    costs of its nodes in that layer, in the order :func:`_parallel` builds them."""
    cfg, lay, parts = g.cfg, g.lay, g.parts()
    tp_sync = ([parts["rs"], parts["ag"]] if lay.sp else [parts["ar"]]) if lay.tp > 1 else []
    steps = [_matmul_cost(parts["block"]), *tp_sync]
    if cfg.is_moe_layer(li):
        a2a = [parts["a2a"]] if lay.ep > 1 else []
        steps += [_matmul_cost(parts["router"]), *a2a, _matmul_cost(parts["experts"])]
        if cfg.shared_experts:
            steps.append(_matmul_cost(parts["shared"]))
        steps += a2a + ([parts["moe.ag"]] if lay.tp > 1 else [])
    else:
        steps += [_matmul_cost(parts["mlp"]), *tp_sync]
    return sympy.Add(*steps)


def _quotient(g: _Gen, *, lm_head: bool) -> list[str]:
    """The pipeline of stages as one GPU each (see :func:`generate`, ``quotient``)."""
    cfg, lay, parts = g.cfg, g.lay, g.parts()
    stages = stage_layers(cfg.layers, lay.pp)
    layer_cost: dict[bool, sympy.Expr] = {}
    seg = []
    for layers in stages:
        count = {False: 0, True: 0}
        for li in layers:
            moe = cfg.is_moe_layer(li)
            count[moe] += 1
            if moe not in layer_cost:
                layer_cost[moe] = _rank_layer_cost(g, li)
        seg.append(sympy.Add(*[n * layer_cost[m] for m, n in count.items() if n]))
    last = []
    for j in range(lay.microbatches):
        head = ["input"]
        for p in range(len(stages)):
            if p > 0:
                s = g.node(f"mb{j}.send{p}", Kind.COMM, [p - 1, p], cost=parts["send"],
                           key="send")
                g.edges(head, s)
                head = [s]
            x = g.node(f"mb{j}.stage{p}", Kind.COMPUTE, [p], cost=seg[p], key=f"stage{p}")
            g.edges(head, x)
            head = [x]
        if lm_head and cfg.vocab:
            h = g.node(f"mb{j}.lm_head", Kind.COMPUTE, [len(stages) - 1], parts["lm_head"],
                       key="lm_head")
            g.edges(head, h)
            head = [h]
        last.extend(head)
    return last


def _expert_matmuls(cfg: ModelConfig, m, count: int, inner: int) -> list[tuple]:
    up = 2 if cfg.gated_mlp else 1
    return [(m, cfg.hidden, inner, up * count), (m, inner, cfg.hidden, count)]


def _moe_layer(g: _Gen, p: int, li: int, pre: str, heads: dict, gpu) -> None:
    cfg, lay = g.cfg, g.lay
    T, D, E = lay.tp, g.replicas, lay.ep
    parts = g.parts()
    router_mm, a2a, gather = parts["router"], parts["a2a"], parts["moe.ag"]
    expert_mm, shared_mm = parts["experts"], parts["shared"]
    routers = {}
    for d in range(D):
        for t in range(T):
            r = g.node(f"{pre}.d{d}.t{t}.router", Kind.COMPUTE, [gpu(p, d, t)],
                       router_mm, layer=li, key="router")
            g.edges(heads[(d, t)], r)
            routers[(d, t)] = r
    ranks = [(d, t) for d in range(D) for t in range(T)]
    done: dict[tuple[int, int], list[str]] = {}
    for gi in range(0, len(ranks), E):
        group = ranks[gi:gi + E]
        devs = [gpu(p, d, t) for d, t in group]
        if E > 1:
            disp = g.node(f"{pre}.ep{gi // E}.dispatch", Kind.COMM, devs,
                          cost=a2a, layer=li, key="a2a")
            g.edges([routers[r] for r in group], disp)
        outs, mine = [], {}
        for d, t in group:
            x = g.node(f"{pre}.d{d}.t{t}.experts", Kind.COMPUTE, [gpu(p, d, t)],
                       expert_mm, layer=li, key="experts")
            g.edges([disp] if E > 1 else [routers[(d, t)]], x)
            outs.append(x)
            mine[(d, t)] = [x]
            if cfg.shared_experts:
                s = g.node(f"{pre}.d{d}.t{t}.shared", Kind.COMPUTE, [gpu(p, d, t)],
                           shared_mm, layer=li, key="shared")
                g.edges([routers[(d, t)]], s)
                outs.append(s)
                mine[(d, t)].append(s)
        if E > 1:
            comb = g.node(f"{pre}.ep{gi // E}.combine", Kind.COMM, devs,
                          cost=a2a, layer=li, key="a2a")
            g.edges(outs, comb)
            for r in group:
                done[r] = [comb]
        else:
            done.update(mine)
    for d in range(D):
        if T > 1:
            devs = [gpu(p, d, t) for t in range(T)]
            ag = g.node(f"{pre}.d{d}.moe.ag", Kind.COMM, devs, cost=gather,
                        layer=li, key="moe.ag")
            g.edges(list(dict.fromkeys(x for t in range(T) for x in done[(d, t)])), ag)
            for t in range(T):
                heads[(d, t)] = [ag]
        else:
            heads[(d, 0)] = done[(d, 0)]


def _separated(g: _Gen) -> list[str]:
    cfg, lay = g.cfg, g.lay
    A, M = lay.separate_attention, lay.experts_on
    H, hd, k = cfg.hidden, cfg.head_dim, cfg.experts_per_token
    hq, hkv = cfg.heads // A, max(1, cfg.kv_heads // A)
    tok, b = g.tok, g.b
    per_gpu = cfg.experts // M
    m = tok * k / cfg.experts if g.load == "balanced" else tok
    prev = ["input"]
    for li in range(cfg.layers):
        pre = f"L{li}"
        outs = []
        for a in range(A):
            q = g.node(f"{pre}.g{a}.qkv", Kind.COMPUTE, [a],
                       [(tok, H, hq * hd), (tok, H, hkv * hd, 2)], layer=li)
            g.edges(prev, q)
            at = g.node(f"{pre}.g{a}.attn", Kind.ATTENTION, [a],
                        [(b * hq * g.s_q, hd, g.s_kv), (b * hq * g.s_q, g.s_kv, hd)], layer=li)
            g.edges([q], at)
            outs.append(at)
        agg = g.node(f"{pre}.agg", Kind.COMM, range(A), cost=AllGather(tok * H, A), layer=li)
        g.edges(outs, agg)
        o = g.node(f"{pre}.o", Kind.COMPUTE, [0], [(tok, cfg.heads * hd, H)], layer=li)
        g.edges([agg], o)
        r = g.node(f"{pre}.router", Kind.COMPUTE, [0], [(tok, H, cfg.experts)], layer=li)
        g.edges([o], r)
        bc = g.node(f"{pre}.dispatch", Kind.COMM, [0, *range(A, A + M)],
                    cost=Broadcast(tok * H, M + 1), layer=li)
        g.edges([r], bc)
        xs = []
        for e in range(M):
            x = g.node(f"{pre}.g{A + e}.experts", Kind.COMPUTE, [A + e],
                       _expert_matmuls(cfg, m, per_gpu, cfg.expert_intermediate), layer=li)
            g.edges([bc], x)
            xs.append(x)
        comb = g.node(f"{pre}.combine", Kind.COMM, [0, *range(A, A + M)],
                      cost=AllToAll(tok * H, M + 1), layer=li)
        g.edges(xs, comb)
        prev = [comb]
    return prev
