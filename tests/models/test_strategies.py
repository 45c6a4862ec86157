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


def _random_costs(rng, cost_class):
    """A random GEMM and collective cost function of the class."""
    a, c = rng.uniform(0, 1), rng.uniform(0.5, 2)
    hi = 2.0 if cost_class == "monotone" else 1.0   # exponents > 1 are not subadditive
    p, q, r = rng.uniform(0, hi, 3)
    t = int(rng.integers(1, 16))

    if cost_class == "flops":        # a function of m*k*n alone, monotone, subadditive
        def gemm(m, k, n):
            f = m * k * n
            return a + c * (math.ceil(f / t**3) if t % 2 else f**p)
    else:
        def gemm(m, k, n):
            return a + c * math.ceil(m / t) * m ** (p - 1 if p > 1 else 0) * k**q * n**r

    def comm(e, g):
        return a + c * e**q * g**r

    return gemm, comm


@pytest.mark.parametrize("cost_class", ["monotone", "subadditive", "flops"])
def test_pruning_never_removes_the_brute_force_best(cost_class):
    """For random cost functions of the class, the best of all strategies (numeric brute
    force) is always matched by a survivor."""
    cfg = from_hf(TINY_MOE, name="tiny")
    rep = analyse_strategies(cfg, 4, seq=8, kv_len=8, classes=(cost_class,), workers=1)
    survivors = rep.survivors()
    assert 0 < len(survivors) < len(rep.strategies)     # the class prunes something
    rng = np.random.default_rng(5)
    for _ in range(6):
        gemm, comm = _random_costs(rng, cost_class)
        for b in (1, 5, 40):
            every = [_numeric(s.runtime, gemm, comm, b) for s in rep.strategies]
            kept = [_numeric(s.runtime, gemm, comm, b) for s in survivors]
            assert min(kept) <= min(every) * (1 + 1e-9)


@pytest.mark.parametrize("phase", ["prefill", "decode"])
@pytest.mark.parametrize("cost_class", ["monotone", "subadditive", "flops"])
def test_pruning_with_memory_keeps_the_best_that_fits_at_every_batch(cost_class, phase):
    """With a memory size that makes the layouts' largest batches differ (and some not
    fit at all), at every batch size the best layout that fits (numeric brute force
    over all of them) is matched by a candidate: a survivor that fits there and is not
    excluded there by a limit."""
    cfg = from_hf(TINY_MOE, name="tiny")
    sizes = [memory_per_gpu(cfg, lay, phase=phase, seq=8, kv_len=8)
             for lay in enumerate_layouts(cfg, 4)[0]]
    ws = sorted(w for w, _ in sizes)
    kv = max(k for _, k in sizes)
    memory = (ws[2 * len(ws) // 3] + kv) / 1e9     # about a third do not fit at all
    rep = analyse_strategies(cfg, 4, phase=phase, seq=8, kv_len=8, classes=(cost_class,),
                             memory_gb=memory, workers=1)
    caps = {s.max_batch for s in rep.strategies}
    assert 0 in caps and len(caps) > 3                 # the memory rule matters here
    assert rep.limited_counts()[cost_class] + rep.pruned_counts()[cost_class] > 0
    assert all(s.max_batch > 0 for s in rep.strategies if s.pruned_by or s.limited_by)
    rng = np.random.default_rng(11)
    top = int(max(c for c in caps if c < float("inf"))) + 2
    for _ in range(5):
        gemm, comm = _random_costs(rng, cost_class)
        for b in sorted({1, 2, 3, 5, 8, 13, 21, 34, top // 2, top - 2, top}):
            fit = [_numeric(s.runtime, gemm, comm, b) for s in rep.strategies
                   if b <= s.max_batch]
            cand = [_numeric(s.runtime, gemm, comm, b) for s in rep.candidates(b)]
            assert bool(fit) == bool(cand)
            if fit:
                assert min(cand) <= min(fit) * (1 + 1e-9), b


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


@pytest.mark.parametrize("hw, peak, bandwidth", [("h100", 1979e12, 3.35e12),
                                                 ("h200", 1979e12, 4.8e12)])
def test_strategies_fp8_uses_the_fp8_peak_and_one_byte_elements(hw, peak, bandwidth):
    """The winner's time is the roofline by hand at the datasheet FP8 peak with 1-byte
    elements (no calibration for fp8: efficiency 1, no launch term), and weights per GPU
    are half the bf16 ones."""
    import json

    from conftest import run_cli

    def run(dtype):
        r = run_cli("strategies", "llama-3.1-8b", "--gpus", "1", "--hw", hw, "--dtype",
                    dtype, "--batch", "4", "--format", "json", "--seq", "512")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    fp8, bf16 = run("fp8"), run("bf16")
    assert "fp8" in fp8["machine"]
    (s8,), (s16,) = fp8["strategies"], bf16["strategies"]
    assert s8["weights_gb_per_gpu"] == pytest.approx(s16["weights_gb_per_gpu"] / 2)

    def gemm(m, k, n):
        return max(2 * m * k * n / peak, (m * k + k * n + m * n) / bandwidth)

    want = _numeric(sympy.sympify(s8["runtime"]), gemm, lambda e, g: 0.0, 4)
    assert fp8["winners"][0]["seconds_at_from"] == pytest.approx(want, rel=1e-9)


def test_strategies_fp8_is_refused_in_one_line_where_the_hardware_has_none():
    from conftest import run_cli

    r = run_cli("strategies", "llama-3.1-8b", "--gpus", "2", "--hw", "a100", "--dtype", "fp8")
    assert r.returncode == 2 and "no fp8 peak" in r.stderr
    assert r.stderr.count("\n") == 1 and r.stdout == ""
