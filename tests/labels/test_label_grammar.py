"""Label normalisation, dimension and GPU grammar (the forms counted in CONVENTIONS.md)."""

from __future__ import annotations

import pytest
import sympy

from symcost.core.symbols import B
from symcost.labels.dims import Scale, parse_tensor
from symcost.labels.gpus import gpu_in_cluster_label, gpu_in_id, gpu_in_name, parse_gpu_text
from symcost.labels.label import normalize, parse_label

S = sympy.Symbol("S", positive=True, integer=True)


@pytest.mark.parametrize("raw, lines", [
    ("Op\\nInput: [1, 2]\\nGPU: 0", ["Op", "Input: [1, 2]", "GPU: 0"]),
    ("Op\\lInput: [1, 2]\\l", ["Op", "Input: [1, 2]"]),
    ("Op\\rGPU: 0", ["Op", "GPU: 0"]),
    ("Op\nInput: [1, 2]", ["Op", "Input: [1, 2]"]),
    ("<B>Op</B><br/>Input: [1, 2]<br align=\"left\"/>x &amp; y", ["Op", "Input: [1, 2]", "x & y"]),
    ("[batch_\\\nsize=1024]", ["[batch_size=1024]"]),
    ("\\N", ["node7"]),
])
def test_normalize(raw: str, lines: list[str]) -> None:
    text = normalize(raw, "node7")
    assert [ln for ln in text.split("\n") if ln.strip()] == lines


@pytest.mark.parametrize("body, tokens, feature", [
    ("batch_size=1024, seq_len=2048, hidden=4096", 2048 * B, 4096),
    ("batch=8, seq=4096, heads=8, d_head=128", 32 * B, 1024),  # B*8/1024 * 4096
    ("batch_size=128 seq_len=10000 hidden_dim=4096", 1250 * B, 4096),
    ("1024, 2048, 4096", 2048 * B, 4096),
    ("1024×2048×4096", 2048 * B, 4096),
    ("128 10000 32 8", 1250 * B, 256),
    ("B,S,4096", B * S, 4096),
    ("batch_size=?, seq_len=0-820, num_heads=16, head_dim=64", 820 * B, 1024),
    ("bs=1024, L=2048, d_model=512", 2048 * B, 512),
    ("batch_size=1024, seq_len=2048, hidden=3×128", 2048 * B, 384),
])
def test_tensor_tokens_and_feature(body: str, tokens, feature) -> None:
    sc = Scale({"batch": sympy.Integer(1024)})
    t = parse_tensor(body)
    assert sympy.expand(sc.tokens(t) - tokens) == 0
    assert sc.feature(t) == feature


@pytest.mark.parametrize("body", ["tokens selected for expert 0", "distributed across 16 GPUs"])
def test_prose_dims_have_no_token_count(body: str) -> None:
    assert Scale().tokens(parse_tensor(body)) is None


@pytest.mark.parametrize("body, word", [
    ("variable_tokens, hidden=8192", "variable_tokens"),   # bare entry in a keyed list
    ("tokens_per_expert,4096", "tokens_per_expert"),       # positional token word
    ("T63,4096", "T63"),
])
def test_token_count_written_as_a_word_is_a_symbol(body: str, word: str) -> None:
    # issue 10: a token count written as a word keeps its own symbol (never zero)
    assert Scale().tokens(parse_tensor(body)) == sympy.Symbol(word, positive=True, integer=True)


def test_batch_rule_relative_to_entry() -> None:
    t = parse_tensor("batch_size=256, seq_len=2048, hidden=4096")
    assert Scale({"batch": sympy.Integer(512)}).tokens(t) == 1024 * B
    assert Scale({}).tokens(t) == 2048 * B  # no entry value: the batch dim is B


@pytest.mark.parametrize("text, devices", [
    ("GPU: 3", {3}), ("GPU 0", {0}), ("GPU0", {0}), ("GPUs: 0-7", set(range(8))),
    ("GPU: GPU0-3", {0, 1, 2, 3}), ("GPU: [0,1,2,3] TP=4", {0, 1, 2, 3}),
    ("GPUs: 0,1", {0, 1}), ("All GPUs 0-11", set(range(12))), ("All 16 GPUs", set(range(16))),
    ("GPU: GPU 0", {0}), ("GPU: GPU16", {16}), ("GPU: node_0.gpu_0-7", set(range(8))),
    ("GPU: Each GPU 0-7 gets 1/8th", set(range(8))),
    ("GPU: GPU3→GPU8", {3, 8}), ("GPUs 0-11 → GPUs 12-15", set(range(16))),
    ("GPU: 0→128", {0, 128}), ("0↔128", {0, 128}), ("GPU: All 0-7→8-15", set(range(16))),
    ("GPU: 0 -> GPU 1", {0, 1}), ("GPUs 0-15 to GPUs 16-31", set(range(32))),
])
def test_gpu_forms(text: str, devices: set[int]) -> None:
    spec = parse_gpu_text(text)
    assert spec is not None and spec.devices == frozenset(devices)


@pytest.mark.parametrize("text, flag", [("GPU: all GPUs", "all_gpus"), ("GPU:all", "all_gpus"),
                                        ("GPU: All Pool GPUs", "all_gpus"), ("GPU: Host", "host"),
                                        ("GPU: CPU", "host")])
def test_gpu_all_and_host(text: str, flag: str) -> None:
    spec = parse_gpu_text(text)
    assert spec is not None and getattr(spec, flag)


@pytest.mark.parametrize("text", ["GPU: PP0_TP0_GPU", "GPU: P@1", "GPU: N/A", "GPU: PCIe"])
def test_gpu_not_understood(text: str) -> None:
    assert parse_gpu_text(text) is None


def test_gpu_in_name_cluster_and_id() -> None:
    spec, name = gpu_in_name("Attention Scores (GPU-0,1)")
    assert spec.devices == frozenset({0, 1}) and name == "Attention Scores"
    spec, name = gpu_in_name("GPU0: Q Linear (TP0)")
    assert spec.devices == frozenset({0}) and name == "Q Linear (TP0)"
    assert gpu_in_cluster_label("Pipeline Stage 0: GPUs 0-7 (Layers 0-22)").devices == \
        frozenset(range(8))
    assert gpu_in_id("layer0_qkv_gpu3").devices == frozenset({3})


@pytest.mark.parametrize("text, name, inp, out", [
    ("MHA QKV Linear\nInput: [a=1, hidden=8]\nOutput: [a=1, hidden=24]\nGPU: 0",
     "MHA QKV Linear", "a=1, hidden=8", "a=1, hidden=24"),
    ("Linear\nIn: [1, 2, 8]\nOut: [1, 2, 16]", "Linear", "1, 2, 8", "1, 2, 16"),
    ("Linear\nINPUT: [1, 2, 8]\nOUTPUT: [1, 2, 16]", "Linear", "1, 2, 8", "1, 2, 16"),
    ("QKV Projection\nGPU 0\n3 heads\n[1024, 2048, 4096]→[1024, 2048, 384]",
     "QKV Projection", "1024, 2048, 4096", "1024, 2048, 384"),
    ("Layer 0: FFN Up Proj [Input: [1,2,8], Output: [1,2,32]]", "Layer 0: FFN Up Proj",
     "1,2,8", "1,2,32"),
    ("Op\n[batch_size=256, seq_len=2048, heads=16, d_k=64]\nGPU: GPU0", "Op", None,
     "batch_size=256, seq_len=2048, heads=16, d_k=64"),
    ("Expert 0 (GPU-0)\nInput: 8×[1024,2048,512]", "Expert 0", "1024,2048,512", None),
])
def test_parse_label(text: str, name: str, inp: str | None, out: str | None) -> None:
    info = parse_label(text)
    assert info.name == name
    assert (info.input.raw if info.input else None) == inp
    assert (info.output.raw if info.output else None) == out


def test_parse_label_multi_input_and_params() -> None:
    info = parse_label("Attention\nInput Q: [1, 128, 8, 64]\nInput K/V: [1, 4096, 8, 64]\n"
                       "32 heads, 128 dim per head\nB=128, L=100000")
    assert set(info.inputs) == {"Q", "K/V"}
    assert info.params["heads"].value == 32 and info.params["head_dim"].value == 128
    assert info.params["batch"].value == 128 and info.params["seq"].value == 100000
    assert parse_label("Gate\nInput: [8,4,16]\nOutput: [8,4,2]\nGPU: 5").gpu.devices == \
        frozenset({5})
