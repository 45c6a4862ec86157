"""``symcost strategies``: a 64-GPU MoE model (every factorization, both phases) and
how many layouts each cost class prunes on the bundled models (8 GPUs, H100 memory).

Target (issue 13): the 64-GPU MoE model, both phases, under 30 s on 2 cores.
"""

from __future__ import annotations

import time

from symcost.models.config import load_model
from symcost.models.strategies import analyse_strategies

CLASSES = ("monotone", "subadditive")


def _row(name: str, model: str, gpus: int, phases: tuple[str, ...]) -> dict:
    cfg = load_model(model)
    t0 = time.perf_counter()
    notes = []
    nodes = 0
    for phase in phases:
        rep = analyse_strategies(cfg, gpus, phase=phase, seq=2048, kv_len=2048,
                                 classes=CLASSES, memory_gb=80.0)
        nodes += sum(s.nodes for s in rep.strategies)
        counts = rep.pruned_counts()
        nofit = sum(s.max_batch == 0 for s in rep.strategies)
        notes.append(f"{phase}: {len(rep.strategies)} layouts, pruned monotone "
                     f"{counts['monotone']}, subadditive {counts['subadditive']}, "
                     f"{nofit} do not fit")
    return {"name": name, "nodes": nodes, "seconds": time.perf_counter() - t0,
            "notes": "; ".join(notes)}


def run(quick: bool = False) -> list[dict]:
    rows = [_row("mixtral-8x7b, 64 GPUs, both phases (target < 30 s)", "mixtral-8x7b", 64,
                 ("prefill", "decode"))]
    # llama-3.1-405b (126 layers) and qwen3-235b-a22b (94 layers, 128 experts) take
    # minutes each on a shared 2-core machine; not run here
    for model in ("llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "ma-separation"):
        if quick and model != "llama-3.1-8b":
            continue
        rows.append(_row(f"{model}, 8 GPUs, prefill", model, 8, ("prefill",)))
    return rows
