"""``symcost strategies``: a 64-GPU MoE model (every factorization, both phases) and how many layouts each cost class prunes on the bundled models (H100 memory, S = L = 2048).

Target (issue 13): the 64-GPU MoE model, both phases, under 30 s on 2 cores. Times are
wall-clock; CPU is user + system of this process and its workers (the machine may be
shared: the load average is in the notes). "pruned": never the fastest wherever they fit
(a layout that fits wherever they fit is never slower); "limited": can win only at batch
sizes above those where such a layout fits; counts are of the layouts that fit at all.
"""

from __future__ import annotations

import os
import resource
import time

from symcost.models.config import load_model
from symcost.models.strategies import analyse_strategies

CLASSES = ("monotone", "subadditive", "flops")


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _row(name: str, model: str, gpus: int, phases: tuple[str, ...]) -> dict:
    cfg = load_model(model)
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu()
    notes = []
    nodes = 0
    for phase in phases:
        rep = analyse_strategies(cfg, gpus, phase=phase, seq=2048, kv_len=2048,
                                 classes=CLASSES, memory_gb=80.0)
        nodes += sum(s.nodes for s in rep.strategies)
        pruned, limited = rep.pruned_counts(), rep.limited_counts()
        fit = sum(s.max_batch > 0 for s in rep.strategies)
        per = ", ".join(f"{c} {pruned[c]} (+{limited[c]} limited)" for c in CLASSES)
        notes.append(f"{phase}: {len(rep.strategies)} layouts, {fit} fit; pruned {per}")
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    notes.append(f"CPU {cpu:.1f} s, load average {load:.1f}")
    return {"name": name, "nodes": nodes, "seconds": secs, "notes": "; ".join(notes)}


def run(quick: bool = False) -> list[dict]:
    rows = [_row("mixtral-8x7b, 64 GPUs, both phases (target < 30 s)", "mixtral-8x7b", 64,
                 ("prefill", "decode"))]
    # llama-3.1-405b (126 layers) and qwen3-235b-a22b (94 layers, 128 experts) are left
    # out to keep `make bench` short on a shared 2-core machine
    for model in ("llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "ma-separation"):
        if quick and model != "llama-3.1-8b":
            continue
        rows.append(_row(f"{model}, 8 GPUs, prefill", model, 8, ("prefill",)))
    return rows
