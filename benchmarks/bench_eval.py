"""Benchmark: ``eval`` over 1e5 batch sizes (MA-separation example, 100k-node DAG).

``run()`` returns rows ``{name, nodes, seconds, notes}``. The timed part is the numeric
evaluation (compile with lambdify + evaluate 100,000 batch sizes + breakdown + branch
choices + crossovers); the analysis that produces the closed form is timed separately
and reported in the notes.

The 100k-node DAG is generated: L layers x G GPUs, per GPU and layer a chain
LN -> Q -> K -> V -> QK^T -> AV -> (all-reduce join) -> out-proj -> gate -> expert up ->
down -> (aggregation join); expert token counts differ per GPU and every fourth GPU holds
two half-width experts, so undecided ``Max`` terms survive (PERFORMANCE.md's "skewed").
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCHES = np.arange(1, 100_001)


def build_skewed(layers: int, gpus: int):
    """The generated deployment DAG (about ``12 * layers * gpus`` nodes)."""
    from symcost import DagBuilder
    from symcost.core.symbols import AllReduce, B, Get_Time

    h, s, f = 4096, 2048, 16384
    b = DagBuilder(f"skewed_{layers}x{gpus}")
    b.node("input", kind="io")
    prev = "input"
    for layer in range(layers):
        join = f"L{layer}.ar"
        agg = f"L{layer}.agg"
        b.node(join, kind="comm", cost=AllReduce(s * h * B, gpus), devices=range(gpus))
        b.node(agg, kind="route", devices=range(gpus))
        for g in range(gpus):
            p = f"L{layer}.g{g}."
            tok = s * (1 + (g % 3))  # skewed expert token counts
            half = g % 4 == 3
            ff = f // 2 if half else f
            nodes = [
                (p + "ln", "elementwise", 0),
                (p + "q", "compute", Get_Time(s * B, h, 512)),
                (p + "k", "compute", Get_Time(s * B, h, 512)),
                (p + "v", "compute", Get_Time(s * B, h, 512)),
                (p + "qk", "attention", Get_Time(4 * s * B, 128, s)),
                (p + "av", "attention", Get_Time(4 * s * B, s, 128)),
            ]
            for nid, kind, cost in nodes:
                b.node(nid, kind=kind, cost=cost, devices=[g])
            b.chain(prev, *[n[0] for n in nodes], join)
            tail = [
                (p + "out", "compute", Get_Time(s * B, 512, h)),
                (p + "gate", "compute", Get_Time(s * B, h, 16)),
                (p + "up", "compute", (2 if half else 1) * Get_Time(tok * B, h, ff)),
                (p + "down", "compute", (2 if half else 1) * Get_Time(tok * B, ff, h)),
            ]
            for nid, kind, cost in tail:
                b.node(nid, kind=kind, cost=cost, devices=[g])
            b.chain(join, *[n[0] for n in tail], agg)
        prev = agg
    return b.build()


def _time_eval(result, machine) -> tuple[float, object]:
    from symcost.models.evaluate import evaluate_result

    t0 = time.perf_counter()
    ev = evaluate_result(result, machine, BATCHES)
    return time.perf_counter() - t0, ev


def run() -> list[dict]:
    """Benchmark rows: name, nodes, seconds, notes."""
    import symcost
    from symcost.models import Machine
    from symcost.solve.analysis import analyze

    machine = Machine.from_options(hw="h100")
    rows = []
    dag = symcost.load(ROOT / "examples" / "ma_separation.yaml")
    t0 = time.perf_counter()
    result = analyze(dag)
    t_an = time.perf_counter() - t0
    secs, ev = _time_eval(result, machine)
    rows.append({"name": "eval ma_separation, 1e5 batch sizes", "nodes": len(dag),
                 "seconds": secs,
                 "notes": f"h100 bf16 + nvlink4; analysis {t_an:.2f} s; "
                          f"{len(ev.breakdown)} kinds, {len(ev.branches)} Max"})
    t0 = time.perf_counter()
    big = build_skewed(96, 104)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = analyze(big)
    t_an = time.perf_counter() - t0
    secs, ev = _time_eval(result, machine)
    rows.append({"name": "eval skewed 96x104 DAG, 1e5 batch sizes", "nodes": len(big),
                 "seconds": secs,
                 "notes": f"build {t_build:.1f} s, analysis {t_an:.1f} s; "
                          f"{len(ev.branches)} Max, {len(ev.crossovers)} crossovers, "
                          f"{len(result.definitions)} definitions"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:45s} {row['nodes']:>8d} nodes  {row['seconds']:8.3f} s  "
              f"{row['notes']}")
