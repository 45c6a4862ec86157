"""Benchmark: reading a generated 10k-node DOT in the corpus style, and analyzing it.

``run()`` returns rows ``{name, nodes, seconds, notes}``: the DOT load (parse with
Graphviz, label/dim/GPU parsing, rules, costs, diagnostics; target under 2 s) and the
end-to-end ``analyze`` of the loaded DAG (device concurrency).

The DOT is written as the corpus writes DAGs: one cluster per layer, ``\\n``-separated
labels with ``Input:``/``Output:`` key=value dims and ``GPU: N`` lines; per layer and
attention GPU a chain LN -> Q/K/V -> scores -> softmax -> weighted sum -> all-reduce
(join) -> out-projection, then a router gate and two experts per expert GPU (up and down
nodes) joined by an aggregation node.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def generate(layers: int, attn_gpus: int = 8, expert_gpus: int = 8) -> str:
    """DOT text of the generated model (about ``(9*attn + 4*expert + 4) * layers`` nodes)."""
    t = "batch_size=64, seq_len=2048"
    h = f"[{t}, hidden=4096]"
    hd = f"[{t}, heads=4, d_k=128]"
    out = ["// generated corpus-style deployment DAG", "digraph generated {",
           "    node [shape=rectangle, style=filled, fillcolor=lightblue];",
           f'    input [label="Input\\nInput: {h}\\nOutput: {h}\\nGPU: all GPUs", shape=ellipse];']
    w = out.append
    prev = "input"
    for L in range(layers):
        w(f'    subgraph cluster_layer{L} {{\n        label="Layer {L}";')
        for g in range(attn_gpus):
            p = f"l{L}_g{g}"
            w(f'        {p}_ln [label="LayerNorm L{L}\\nInput: {h}\\nOutput: {h}\\nGPU: {g}"];')
            for x in "qkv":
                w(f'        {p}_{x} [label="{x.upper()} Projection L{L}\\nInput: {h}\\n'
                  f'Output: {hd}\\nGPU: {g}"];')
            w(f'        {p}_s [label="Attention Scores L{L}\\nInput: {hd}\\nGPU: {g}"];')
            w(f'        {p}_sm [label="Softmax L{L}\\nInput: {hd}\\nGPU: {g}"];')
            w(f'        {p}_ws [label="Weighted Sum L{L}\\nInput: {hd}\\nOutput: {hd}\\nGPU: {g}"];')
            w(f'        {p}_o [label="Output Projection L{L}\\nInput: {h}\\nOutput: {h}\\nGPU: {g}"];')
            w(f"        {prev} -> {p}_ln; {p}_ln -> {p}_q -> {p}_s -> {p}_sm -> {p}_ws;")
            w(f"        {p}_ln -> {p}_k -> {p}_s; {p}_ln -> {p}_v -> {p}_ws;")
            w(f"        {p}_ws -> l{L}_ar -> {p}_o -> l{L}_gate;")
        w(f'        l{L}_ar [label="All-Reduce L{L}\\nInput: {h}\\nGPU: 0-{attn_gpus - 1}", '
          'shape=ellipse];')
        w(f'        l{L}_gate [label="Gate Network L{L}\\nInput: {h}\\n'
          f'Output: [{t}, num_experts={2 * expert_gpus}]\\nGPU: 0", shape=parallelogram];')
        w(f'        l{L}_agg [label="Expert Aggregation L{L}\\nInput: {h}\\nOutput: {h}\\n'
          f'GPU: {attn_gpus}-{attn_gpus + expert_gpus - 1}", shape=parallelogram];')
        for e in range(2 * expert_gpus):
            g = attn_gpus + e // 2
            p = f"l{L}_e{e}"
            w(f'        {p}_up [label="Expert {e} Up Projection L{L}\\nInput: {h}\\n'
              f'Output: [{t}, ffn_dim=16384]\\nGPU: {g}"];')
            w(f'        {p}_down [label="Expert {e} Down Projection L{L}\\n'
              f'Input: [{t}, ffn_dim=16384]\\nOutput: {h}\\nGPU: {g}"];')
            w(f"        l{L}_gate -> {p}_up [style=dashed]; {p}_up -> {p}_down -> l{L}_agg;")
        w("    }")
        prev = f"l{L}_agg"
    w(f'    output [label="Output\\nInput: {h}\\nGPU: all GPUs", shape=ellipse];')
    w(f"    {prev} -> output;")
    w("}")
    return "\n".join(out) + "\n"


def run(layers: int = 101) -> list[dict[str, object]]:
    """Time the DOT load and the end-to-end analysis of the generated model."""
    from symcost.read.dot.reader import read_dot
    from symcost.solve.analysis import analyze

    text = generate(layers)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.dot"
        path.write_text(text)
        read_dot(path)  # warm up: imports, rule table
        t0, c0 = time.perf_counter(), time.process_time()
        dag = read_dot(path)
        t_load, c_load = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    result = analyze(dag, concurrency="device")
    t_analyze = time.perf_counter() - t0
    n = len(dag)
    ops = sum(1 for _ in result.runtime.atoms())
    return [
        {"name": "dot load (corpus style)", "nodes": n, "seconds": round(t_load, 3),
         "notes": f"{dag.num_edges} edges, {len(text) // 1024} KiB, "
                  f"{len(dag.diagnostics)} diagnostics, CPU {c_load:.3f} s; target < 2 s"},
        {"name": "dot load + analyze (device)", "nodes": n,
         "seconds": round(t_load + t_analyze, 3),
         "notes": f"analyze alone {t_analyze:.3f} s; runtime has {ops} atoms/symbols"},
    ]


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
