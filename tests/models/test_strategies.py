"""Strategies: enumeration, the fast runtime, memory, and pruning soundness by brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from symcost.core.symbols import B
from symcost.models.config import from_hf, load_model
from symcost.models.generate import Layout, generate
from symcost.models.strategies import (
    analyse_strategies,
    enumerate_layouts,
    memory_per_gpu,
    runtime_of,
)
from symcost.solve.analysis import analyze

TINY_MOE = {"num_hidden_layers": 2, "hidden_size": 16, "num_attention_heads": 4,
            "num_key_value_heads": 2, "head_dim": 4, "intermediate_size": 32,
            "num_local_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8,
            "vocab_size": 0}


def test_enumeration_counts_by_hand():
    cfg = from_hf(TINY_MOE, name="tiny")
    layouts, invalid = enumerate_layouts(cfg, 4)
    labels = {lay.label for lay in layouts}
    # TP x PP x DP = 4 (6 ordered factorizations; PP <= 2 layers drops PP4), EP | DP*TP
    assert {"DP4", "EP2xDP4", "EP4xDP4", "TP4", "TP4xEP2", "TP2xPP2/M2", "A2+E2"} <= labels
    assert "A1+E3" not in labels          # 3 expert GPUs do not divide 4 experts
    assert all(lay.gpus == 4 for lay in layouts)
    assert any("exceeds the 2 layers" in why for _, why in invalid)


@pytest.mark.parametrize("layout", [Layout(tp=2, dp=2, ep=2), Layout(pp=2, microbatches=2)])
def test_fast_runtime_equals_analyze(layout):
    cfg = from_hf(TINY_MOE, name="tiny")
    dag = generate(cfg, layout, seq=8)
    r = analyze(dag)
    assert sympy.expand(runtime_of(dag) - r.runtime) == 0
    assert sympy.expand(runtime_of(dag, communication=False) - r.runtime_compute_only) == 0


def test_memory_by_hand():
    cfg = load_model("llama-3.1-8b")
    w, kv = memory_per_gpu(cfg, Layout(tp=2), phase="decode", seq=1, kv_len=1000)
    per_layer = 4096 * (16 + 2 * 4) * 128 + 16 * 128 * 4096 + 3 * 4096 * 14336 // 2
    assert w == 2 * (32 * per_layer + 2 * 64128 * 4096)
    assert kv == 2 * 32 * 2 * 4 * 128 * 1000


def _numeric(expr, gemm, comm, b):
    from symcost.models.comm import OPERATIONS

    ns = {"Get_Time": gemm, **{op: comm for op in OPERATIONS}}
    return float(sympy.lambdify(B, expr, modules=[ns, "math"])(b))


@pytest.mark.parametrize("cost_class", ["monotone", "subadditive"])
def test_pruning_never_removes_the_brute_force_best(cost_class):
    """For random cost functions of the class, the best of all strategies (numeric brute
    force) is always matched by a survivor."""
    cfg = from_hf(TINY_MOE, name="tiny")
    rep = analyse_strategies(cfg, 4, seq=8, kv_len=8, classes=(cost_class,), workers=1)
    survivors = rep.survivors()
    assert 0 < len(survivors) < len(rep.strategies)     # the class prunes something
    rng = np.random.default_rng(5)
    hi = 2.0 if cost_class == "monotone" else 1.0
    for _ in range(6):
        a, c = rng.uniform(0, 1), rng.uniform(0.5, 2)
        p, q, r = rng.uniform(0, hi, 3)
        t = int(rng.integers(1, 16))

        def gemm(m, k, n, a=a, c=c, p=p, q=q, r=r, t=t):
            return a + c * math.ceil(m / t) * m ** (p - 1 if p > 1 else 0) * k**q * n**r

        def comm(e, g, a=a, c=c, q=q, r=r):
            return a + c * e**q * g**r

        for b in (1, 5, 40):
            every = [_numeric(s.runtime, gemm, comm, b) for s in rep.strategies]
            kept = [_numeric(s.runtime, gemm, comm, b) for s in survivors]
            assert min(kept) <= min(every) * (1 + 1e-9)


def test_strategies_cli_text_and_json():
    import json

    from conftest import run_cli

    r = run_cli("strategies", "llama-3.1-8b", "--gpus", "2", "--batch", "1,64")
    assert r.returncode == 0, r.stderr
    assert "surviving layouts:" in r.stdout and "winner per batch range" in r.stdout
    js = json.loads(run_cli("strategies", "mixtral-8x7b", "--gpus", "2", "--format",
                            "json", "--batch", "1,8").stdout)
    assert {s["strategy"] for s in js["strategies"]} >= {"DP2", "TP2", "EP2xDP2"}
    assert set(js["pruned"]) == {"monotone", "subadditive"}
    bad = run_cli("strategies", "deepseek-v3", "--gpus", "8")
    assert bad.returncode == 2 and "multi-head latent attention" in bad.stderr
