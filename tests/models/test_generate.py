"""Generated deployments against hand-derived closed forms, the FLOP count of the config,
and DESIGN.md's worked example."""

from __future__ import annotations

import json

import pytest
import sympy

from symcost.core.symbols import AllReduce, AllToAll, B, Get_Time, SendRecv
from symcost.models import ModelError
from symcost.models.config import from_hf, load_model, model_presets
from symcost.models.generate import Layout, check_layout, generate, stage_layers
from symcost.solve.analysis import analyze

G = Get_Time


def tiny(**over):
    cfg = {"num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2,
           "num_key_value_heads": 2, "head_dim": 4, "intermediate_size": 16,
           "vocab_size": 0}
    cfg.update(over)
    return from_hf(cfg, name="tiny")


def same(a, b) -> bool:
    return sympy.expand(a - b) == 0


@pytest.mark.parametrize("mode", ["device", "dag"])
def test_tp2_dense_by_hand(mode):
    r = analyze(generate(tiny(), Layout(tp=2)), concurrency=mode)
    S = next(s for s in r.runtime.free_symbols if s.name == "S")
    t = B * S
    hand = (3 * G(t, 8, 4) + G(t, 4, S) + G(t, S, 4) + G(t, 4, 8)
            + 3 * G(t, 8, 8) + 2 * AllReduce(8 * t, 2))
    assert same(r.runtime, hand)
    assert same(r.runtime_compute_only, hand.subs(AllReduce(8 * t, 2), 0))


@pytest.mark.parametrize("mode", ["device", "dag"])
def test_ep2_moe_gqa_by_hand(mode):
    cfg = tiny(num_key_value_heads=1, num_local_experts=4, num_experts_per_tok=2,
               moe_intermediate_size=16)
    r = analyze(generate(cfg, Layout(dp=2, ep=2)), concurrency=mode)
    S = next(s for s in r.runtime.free_symbols if s.name == "S")
    t = B * S / 2                    # tokens of one replica
    hand = (2 * G(t, 8, 8) + 3 * G(t, 8, 4) + G(B * S, 4, S) + G(B * S, S, 4)
            + 4 * G(t, 8, 16) + 2 * G(t, 16, 8) + 2 * AllToAll(8 * B * S, 2))
    assert same(r.runtime, hand)


def test_pp2_two_microbatches_by_hand():
    """Fill and drain: (M + P - 1) stage times and the sends, for M = P = 2."""
    r = analyze(generate(tiny(num_hidden_layers=2), Layout(pp=2, microbatches=2)))
    S = next(s for s in r.runtime.free_symbols if s.name == "S")
    t = B * S / 2                    # one microbatch
    stage = (4 * G(t, 8, 8) + G(B * S, 4, S) + G(B * S, S, 4) + 2 * G(t, 8, 16)
             + G(t, 16, 8))
    assert same(r.runtime, 3 * stage + 2 * SendRecv(8 * t, 2))
    assert same(r.runtime_compute_only, 3 * stage)


FLOP_MODELS = ["llama-3.1-8b", "mixtral-8x7b", "qwen3-235b-a22b"]


@pytest.mark.parametrize("name", FLOP_MODELS)
def test_single_gpu_prefill_flops_equal_the_config_count(name):
    cfg = load_model(name)
    seq = 512
    r = analyze(generate(cfg, Layout(), seq=seq))
    flops = r.runtime_compute_only.replace(G, lambda m, k, n: 2 * m * k * n)
    params = sum(cfg.layer_params(i, active=True) for i in range(cfg.layers))
    params += cfg.vocab * cfg.hidden                           # LM head
    tokens = B * seq
    d_attn = cfg.heads * cfg.head_dim
    want = 2 * params * tokens + 4 * cfg.layers * seq * d_attn * tokens
    assert same(flops, want)


def test_worked_example_of_design_md():
    cfg = load_model("ma-separation")
    r = analyze(generate(cfg, Layout(separate_attention=8, experts_on=8), seq=2048,
                         load="all", lm_head=False))
    want = 4 * (3 * G(2048 * B, 4096, 512) + G(8192 * B, 128, 2048)
                + G(8192 * B, 2048, 128) + G(2048 * B, 4096, 4096)
                + G(2048 * B, 4096, 16) + 2 * G(2048 * B, 4096, 16384)
                + 2 * G(2048 * B, 16384, 4096))
    assert same(r.runtime_compute_only, want)


def test_decode_uses_one_token_against_the_kv_length():
    r = analyze(generate(tiny(), Layout(), phase="decode", kv_len=1024))
    want = (3 * G(B, 8, 8) + G(2 * B, 4, 1024) + G(2 * B, 1024, 4) + G(B, 8, 8)
            + 2 * G(B, 8, 16) + G(B, 16, 8))
    assert same(r.runtime, want)


@pytest.mark.parametrize("layout,match", [
    (Layout(tp=3), "does not divide the 2 attention heads"),
    (Layout(pp=2), "exceeds the 1 layers"),
    (Layout(ep=2, dp=2), "needs experts"),
    (Layout(tp=0), "positive integer"),
])
def test_invalid_layouts_are_refused_in_one_line(layout, match):
    with pytest.raises(ModelError, match=match):
        check_layout(tiny(), layout)


def test_moe_rules_and_uneven_pipeline():
    cfg = tiny(num_local_experts=4, num_experts_per_tok=2)
    with pytest.raises(ModelError, match="does not divide the 4 experts"):
        check_layout(cfg, Layout(ep=3, dp=3))
    with pytest.raises(ModelError, match="carved out"):
        check_layout(cfg, Layout(ep=4, dp=2))
    assert [len(r) for r in stage_layers(10, 4)] == [3, 3, 2, 2]


def test_presets_and_config_json(tmp_path):
    assert {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b",
            "qwen3-235b-a22b", "deepseek-v3"} <= set(model_presets())
    q = load_model("Qwen3-235B-A22B")
    assert (q.layers, q.hidden, q.heads, q.kv_heads, q.experts, q.experts_per_token,
            q.expert_intermediate) == (94, 4096, 64, 4, 128, 8, 1536)
    assert "huggingface.co/Qwen" in q.source
    ds = load_model("deepseek-v3")
    assert ds.shared_experts == 1 and ds.dense_layers == 3 and ds.attention == "mla"
    with pytest.raises(ModelError, match="multi-head latent attention"):
        generate(ds, Layout())
    f = tmp_path / "config.json"
    f.write_text(json.dumps({"num_hidden_layers": 2, "hidden_size": 64,
                             "num_attention_heads": 4, "intermediate_size": 128}))
    c = load_model(f)
    assert c.kv_heads == 4 and c.head_dim == 16 and not c.moe
    f.write_text("{not json")
    with pytest.raises(ModelError, match="not a readable config.json"):
        load_model(f)
    with pytest.raises(ModelError, match="unknown model"):
        load_model("gpt-9")
    # Llama-3.1-8B has about 8.0e9 parameters (its model card's figure)
    assert 7.9e9 < load_model("llama-3.1-8b").total_params() < 8.1e9


ROUND_TRIP = [
    (Layout(tp=2), "prefill"),
    (Layout(dp=2, ep=2), "prefill"),
    (Layout(tp=2, pp=2, sp=True, microbatches=2), "prefill"),
    (Layout(dp=2, ep=2), "decode"),
    (Layout(tp=2), "decode"),
]


@pytest.mark.parametrize("layout,phase", ROUND_TRIP)
def test_dot_and_yaml_read_back_to_the_same_formula(tmp_path, layout, phase):
    from symcost import load
    from symcost.models.dagtext import to_dot, to_spec_yaml

    cfg = tiny(num_hidden_layers=2, num_key_value_heads=1, num_local_experts=4,
               num_experts_per_tok=2, moe_intermediate_size=16, n_shared_experts=1,
               first_k_dense_replace=1, vocab_size=10)
    dag = generate(cfg, layout, phase=phase, kv_len=64 if layout.ep > 1 else "L")
    want = analyze(dag)
    for ext, write in (("dot", to_dot), ("yaml", to_spec_yaml)):
        f = tmp_path / f"g.{ext}"
        f.write_text(write(dag))
        got = analyze(load(f))
        assert same(got.runtime, want.runtime), ext
        assert same(got.runtime_compute_only, want.runtime_compute_only), ext


def test_generate_cli(tmp_path):
    from conftest import run_cli

    out = tmp_path / "m.yaml"
    r = run_cli("generate", "mixtral-8x7b", "--tp", "2", "--ep", "2", "--phase", "decode",
                "-o", str(out))
    assert r.returncode == 0, r.stderr
    js = json.loads(run_cli("analyze", str(out), "--format", "json").stdout)
    assert "AllToAll(4096*B, 2)" in js["runtime"] and "Get_Time(16*B, 128, L)" in js["runtime"]
    bad = run_cli("generate", "deepseek-v3")
    assert bad.returncode == 2 and "multi-head latent attention" in bad.stderr
    assert bad.stderr.count("\n") == 1


@pytest.mark.parametrize("layout", [Layout(dp=4, ep=2), Layout(tp=2, dp=4, ep=4),
                                    Layout(dp=4, pp=2, microbatches=2, ep=2), Layout(dp=3)])
def test_symmetric_generation_gives_the_same_formula(layout):
    cfg = tiny(num_hidden_layers=2, num_local_experts=4, num_experts_per_tok=2)
    full = generate(cfg, layout)
    small = generate(cfg, layout, symmetric=True)
    assert len(small.nodes) <= len(full.nodes)
    assert same(analyze(small).runtime, analyze(full).runtime)


@pytest.mark.parametrize("mode", ["device", "dag"])
@pytest.mark.parametrize("layout", [Layout(tp=2, dp=2, ep=2), Layout(pp=2, microbatches=2)])
def test_compact_generation_gives_the_same_formula(layout, mode):
    cfg = tiny(num_hidden_layers=2, num_local_experts=4, num_experts_per_tok=2)
    full = analyze(generate(cfg, layout), concurrency=mode)
    small = analyze(generate(cfg, layout, compact=True, symmetric=True), concurrency=mode)
    assert same(small.runtime, full.runtime)


def test_overlap_mode_by_hand():
    """Overlap: send 0 runs on the communication stream while microbatch 1 computes on
    stage 0; send 1 starts at max(2L, L + s), stage 1's second microbatch at
    max(2L + s, L + 2s): runtime 2L + s + max(L, s) (device: 3L + 2s). TP=2 has nothing
    to overlap (each all-reduce feeds the next matmul): the same as device."""
    r = analyze(generate(tiny(num_hidden_layers=2), Layout(pp=2, microbatches=2)),
                concurrency="overlap")
    S = next(s for s in r.runtime.free_symbols if s.name == "S")
    t = B * S / 2
    stage = (4 * G(t, 8, 8) + G(B * S, 4, S) + G(B * S, S, 4) + 2 * G(t, 8, 16)
             + G(t, 16, 8))
    send = SendRecv(8 * t, 2)
    # (Max objects built apart compare unequal in sympy; their printed forms are canonical)
    assert str(r.runtime) == str(2 * stage + send + sympy.Max(stage, send))
    assert same(r.runtime_compute_only, 3 * stage)
    dag = generate(tiny(), Layout(tp=2))
    assert same(analyze(dag, concurrency="overlap").runtime, analyze(dag).runtime)


QUOTIENT_CASES = [Layout(tp=2, dp=2, ep=2), Layout(pp=2, microbatches=2),
                  Layout(tp=2, pp=3, microbatches=3, sp=True),
                  Layout(tp=2, pp=2, ep=4, dp=2, microbatches=3),
                  Layout(tp=4, pp=2, ep=2, microbatches=2), Layout(dp=3, pp=3, microbatches=2),
                  Layout(tp=2, pp=2, microbatches=1)]


@pytest.mark.parametrize("phase", ["prefill", "decode"])
@pytest.mark.parametrize("layout", QUOTIENT_CASES, ids=lambda lay: lay.label)
def test_quotient_generation_gives_the_same_device_runtime(layout, phase):
    """One GPU per stage and one node per stage and microbatch: the ``device`` runtime
    (full and compute-only) is the full DAG's for every monotone cost function (the order
    engine proves both directions), with shared experts, first dense layers, an LM head,
    uneven stages (3 layers on 2 stages), sequence parallelism and symbolic lengths."""
    from symcost.algebra.order import compare

    cfg = tiny(num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
               intermediate_size=32, num_local_experts=4, num_experts_per_tok=2,
               moe_intermediate_size=8, first_k_dense_replace=1, n_shared_experts=1,
               vocab_size=10)
    full = analyze(generate(cfg, layout, phase=phase))
    q = generate(cfg, layout, phase=phase, quotient=True)
    small = analyze(q)
    assert len(q.nodes) == 2 + layout.microbatches * (2 * layout.pp - 1 + 1)
    assert compare(small.runtime, full.runtime).verdict == "=="
    assert compare(small.runtime_compute_only, full.runtime_compute_only).verdict == "=="
