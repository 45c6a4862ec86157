"""Generated deployment DAGs for the benchmarks (PERFORMANCE.md's layout).

L layers x G GPUs; per GPU and layer a chain LN -> Q -> K -> V -> QK^T -> AV -> all-reduce
join -> out-proj -> gate -> expert up -> down -> aggregation join. ``skewed``: expert token
counts differ per GPU and a quarter of the GPUs hold two half-width experts, so real,
incomparable ``Max`` terms survive. Nodes are built directly (costs shared between nodes)
so that generating 1M nodes takes seconds, not the solver's budget.
"""

from __future__ import annotations

import random

import sympy

from symcost.core.dag import Dag, Kind, Node
from symcost.core.symbols import AllReduce, B, Get_Time


def deployment(layers: int, gpus: int, skewed: bool = True) -> Dag:
    """The L x G deployment DAG (about ``layers * (12 * gpus + 2)`` nodes)."""
    h, s, f = 4096, 2048, 16384
    dag = Dag(f"{'skewed' if skewed else 'uniform'}_{layers}x{gpus}")
    q = Get_Time(s * B, h, 512)
    qk = Get_Time(4 * s * B, 128, s)
    av = Get_Time(4 * s * B, s, 128)
    out = Get_Time(s * B, h, h)
    gate = Get_Time(s * B, h, 16)
    ar = AllReduce(s * h * B, gpus)
    experts = []
    for g in range(gpus):
        tok = s * (1 + g % 3) if skewed else s
        if skewed and g % 4 == 3:
            experts.append([(Get_Time(tok * B, h, f // 2), Get_Time(tok * B, f // 2, h))] * 2)
        else:
            experts.append([(Get_Time(tok * B, h, f), Get_Time(tok * B, f, h))])

    def add(nid: str, kind: Kind, cost: sympy.Expr, dev: frozenset[int]) -> int:
        return dag.add_node(Node(nid, nid, kind, dev, cost))

    zero = sympy.S.Zero
    prev = add("input", Kind.IO, zero, frozenset())
    alldev = frozenset(range(gpus))
    for layer in range(layers):
        p = f"L{layer}."
        join = add(p + "allreduce", Kind.COMM, ar, alldev)
        ends = []
        for g in range(gpus):
            d = frozenset((g,))
            x = f"{p}g{g}."
            chain = [add(x + "ln", Kind.ELEMENTWISE, zero, d), add(x + "q", Kind.COMPUTE, q, d),
                     add(x + "k", Kind.COMPUTE, q, d), add(x + "v", Kind.COMPUTE, q, d),
                     add(x + "qk", Kind.ATTENTION, qk, d), add(x + "av", Kind.ATTENTION, av, d)]
            _chain(dag, [prev] + chain + [join])
            tail = [add(x + "out", Kind.COMPUTE, out, d), add(x + "gate", Kind.COMPUTE, gate, d)]
            _chain(dag, [join] + tail)
            last = tail[-1]
            for e, (up, down) in enumerate(experts[g]):
                u = add(f"{x}e{e}.up", Kind.COMPUTE, up, d)
                w = add(f"{x}e{e}.down", Kind.COMPUTE, down, d)
                _chain(dag, [last, u, w])
                last = w
            ends.append(last)
        agg = add(p + "aggregate", Kind.ROUTE, zero, frozenset())
        for e in ends:
            _edge(dag, e, agg)
        prev = agg
    return dag


def random_distinct(n: int, seed: int = 0, density: float = 3.0) -> Dag:
    """A random DAG of ``n`` nodes, each with its own Get_Time atom (about ``density``
    out-edges per node to later nodes within a window)."""
    rng = random.Random(seed)
    dag = Dag(f"random_distinct_{n}")
    for i in range(n):
        cost = Get_Time(rng.randint(1, 64) * B + rng.randint(0, 4096), rng.randint(1, 8192),
                        rng.randint(1, 8192))
        dag.add_node(Node(f"n{i}", f"n{i}", Kind.COMPUTE, frozenset({rng.randrange(8)}), cost))
    for i in range(n):
        for _ in range(rng.randint(0, int(2 * density))):
            j = i + rng.randint(1, 50)
            if j < n:
                _edge(dag, i, j)
    return dag


def _edge(dag: Dag, u: int, v: int) -> None:
    if (u, v) not in dag.edge_attrs:
        dag.succ[u].append(v)
        dag.pred[v].append(u)
        dag.edge_attrs[(u, v)] = {}


def _chain(dag: Dag, ids: list[int]) -> None:
    for u, v in zip(ids, ids[1:]):
        _edge(dag, u, v)


def deployment_dot(layers: int, gpus: int, skewed: bool = True) -> str:
    """The L x G deployment of :func:`deployment` as a DOT file in the corpus style
    (``Input:``/``Output:`` dims and ``GPU:`` lines in the labels), for end-to-end runs.

    Per layer and GPU: LN -> Q/K/V -> scores -> weighted sum -> all-reduce (join over
    all GPUs) -> out-projection -> gate -> expert up -> down -> aggregation (join). With
    ``skewed`` the experts' token counts differ per GPU (``seq_len`` 2048, 4096, 6144) and
    a quarter of the GPUs run two half-width experts one after the other, so incomparable
    branches survive as ``Max`` terms. About ``layers * (12 * gpus + 2)`` nodes.
    """
    t = "batch_size=64, seq_len=2048"
    h = f"[{t}, hidden=4096]"
    hd = f"[{t}, heads=4, d_k=128]"
    out = ["// generated deployment DAG (benchmarks/deployments.py)", "digraph deployment {",
           "    node [shape=rectangle];",
           f'    input [label="Input\\nInput: {h}\\nOutput: {h}\\nGPU: all GPUs", shape=ellipse];']
    w = out.append
    prev = "input"
    for L in range(layers):
        ar, agg = f"l{L}_ar", f"l{L}_agg"
        w(f'    subgraph cluster_layer{L} {{ label="Layer {L}";')
        w(f'    {ar} [label="All-Reduce L{L}\\nInput: {h}\\nGPU: 0-{gpus - 1}", shape=ellipse];')
        w(f'    {agg} [label="Expert Aggregation L{L}\\nInput: {h}\\nOutput: {h}\\n'
          f'GPU: 0-{gpus - 1}", shape=parallelogram];')
        for g in range(gpus):
            p = f"l{L}_g{g}"
            w(f'    {p}_ln [label="LayerNorm L{L}\\nInput: {h}\\nOutput: {h}\\nGPU: {g}"];')
            for x in "qkv":
                w(f'    {p}_{x} [label="{x.upper()} Projection L{L}\\nInput: {h}\\n'
                  f'Output: {hd}\\nGPU: {g}"];')
            w(f'    {p}_s [label="Attention Scores L{L}\\nInput: {hd}\\nGPU: {g}"];')
            w(f'    {p}_ws [label="Weighted Sum L{L}\\nInput: {hd}\\nOutput: {hd}\\nGPU: {g}"];')
            w(f'    {p}_o [label="Output Projection L{L}\\nInput: {h}\\nOutput: {h}\\nGPU: {g}"];')
            w(f'    {p}_gate [label="Gate Network L{L}\\nInput: {h}\\n'
              f'Output: [{t}, num_experts={gpus}]\\nGPU: {g}"];')
            w(f"    {prev} -> {p}_ln; {p}_ln -> {p}_q -> {p}_s -> {p}_ws -> {ar};")
            w(f"    {p}_ln -> {p}_k -> {p}_s; {p}_ln -> {p}_v -> {p}_ws;")
            w(f"    {ar} -> {p}_o -> {p}_gate;")
            tok = 2048 * (1 + g % 3) if skewed else 2048
            et = f"batch_size=64, seq_len={tok}"
            n_exp, ffn = (2, 8192) if skewed and g % 4 == 3 else (1, 16384)
            last = f"{p}_gate"
            for e in range(n_exp):
                q = f"{p}_e{e}"
                w(f'    {q}_up [label="Expert {e} Up Projection L{L}\\nInput: [{et}, hidden=4096]'
                  f'\\nOutput: [{et}, ffn_dim={ffn}]\\nGPU: {g}"];')
                w(f'    {q}_down [label="Expert {e} Down Projection L{L}\\n'
                  f'Input: [{et}, ffn_dim={ffn}]\\nOutput: [{et}, hidden=4096]\\nGPU: {g}"];')
                w(f"    {last} -> {q}_up" + (" [style=dashed];" if e == 0 else ";")
                  + f" {q}_up -> {q}_down;")
                last = f"{q}_down"
            w(f"    {last} -> {agg};")
        w("    }")
        prev = agg
    w(f'    output [label="Output\\nInput: {h}\\nGPU: all GPUs", shape=ellipse];')
    w(f"    {prev} -> output;")
    w("}")
    return "\n".join(out) + "\n"
