"""Issue 10: each form the issue lists, with the reading written by hand.

Dims (word token counts, bare entries in keyed lists, ``≤4096``, tiled ranges), GPU forms
(``Device 3``, ``GPU: 0-7 (tensor parallel)``, ``TP=8 across GPUs 0-7``, a name's own
``GPU3``), and the operation words of every label line with qualifiers that name nothing.
"""

from __future__ import annotations

import pytest
import sympy

from symcost.core.symbols import B
from symcost.labels.dims import Scale, parse_tensor
from symcost.labels.gpus import is_gpu_line, parse_gpu_text
from symcost.labels.label import parse_label
from symcost.ops.table import load_rules


def _sym(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, positive=True, integer=True)


@pytest.mark.parametrize("body, want", [
    # (role, value) of every entry, by hand
    ("variable_tokens, hidden=8192", [("tokens", _sym("variable_tokens")), ("hidden", 8192)]),
    ("tokens_per_expert,4096", [("tokens", _sym("tokens_per_expert")), ("hidden", 4096)]),
    ("batch_size=6, seq_len=384, 32 heads, d_k=128",
     [("batch", 6), ("seq", 384), ("heads", 32), ("head_dim", 128)]),
    ("batch_size=128, seq_len=≤4096, hidden=1024", [("batch", 128), ("seq", 4096), ("hidden", 1024)]),
    ("batch=8, 64 experts, hidden=512", [("batch", 8), ("experts", 64), ("hidden", 512)]),
    ("B,S,4096", [("batch", B), ("seq", _sym("S")), ("hidden", 4096)]),
])
def test_dims(body: str, want: list) -> None:
    got = [(d.role, d.value) for d in parse_tensor(body).dims]
    assert got == [(r, sympy.sympify(v)) for r, v in want]


def test_tiled_sequence_ranges_are_blocks() -> None:
    sc = Scale({"batch": sympy.Integer(1024)})
    sc.set_tiles({(0, 820), (820, 1640), (1640, 2460)})
    t = parse_tensor("batch_size=1024, seq_len=820-1640, hidden=4096")
    assert sc.tokens(t) == 820 * B  # 820 tokens, not the range's maximum 1640
    one = Scale({"batch": sympy.Integer(1024)})
    one.set_tiles({(128, 10240)})  # a lone range of lengths: its maximum
    assert one.tokens(parse_tensor("batch_size=1024, seq_len=128-10240, d=8")) == 10240 * B


@pytest.mark.parametrize("line, gpus", [
    ("Device 3", {3}),
    ("Device: 3", {3}),
    ("GPU: 0-7 (tensor parallel)", set(range(8))),
    ("TP=8 across GPUs 0-7", set(range(8))),
    ("GPU: [0,1,2,3] TP=4", {0, 1, 2, 3}),
    ("GPU: All GPUs 8-15", set(range(8, 16))),
    ("GPU3", {3}),
    ("GPU: GPU3→GPU8", {3, 8}),
])
def test_gpu_lines(line: str, gpus: set[int]) -> None:
    assert is_gpu_line(line)
    spec = parse_gpu_text(line)
    assert spec is not None and set(spec.devices) == gpus


@pytest.mark.parametrize("label, name, gpus", [
    ("Attention Head GPU3\nInput: [1, 8, 64]", "Attention Head", {3}),
    ("Expert 0 (GPU-0,1)\nInput: [1, 8, 64]", "Expert 0", {0, 1}),
    ("GPU2: Q Linear\nInput: [1, 8, 64]", "Q Linear", {2}),
])
def test_gpu_in_the_name(label: str, name: str, gpus: set[int]) -> None:
    info = parse_label(label)
    assert info.name == name and info.gpu is not None and set(info.gpu.devices) == gpus


TABLE = load_rules()


@pytest.mark.parametrize("lines, rule", [
    # qualifiers ("(TP shard 0)", "(final hidden states)", "Pipeline") name no operation
    (["Dense FFN Up (TP shard 0)"], "up_proj"),
    (["Expert 3 Linear 1"], "linear"),
    (["Output Layer (final hidden states)"], "lm_head"),
    # words on every line count; a named collective on line 2 beats a vague name
    (["Tensor Parallel", "4-way All-Reduce", "Attention Heads"], "all_reduce"),
    (["Expert Dispatch", "All-to-All (128 ops)"], "all_to_all"),
    (["MHA0 Input Distribution", "Broadcast"], "broadcast"),
    (["Head Group 0", "Q,K,V Linear"], "fused_qkv"),
    (["Layer 0 MoE", "8 Experts"], "moe"),
    (["Expert 0-31 L0"], "moe"),
    (["Expert 0 MLP"], "mlp"),
    (["Gate Selection (Top-8)"], "router"),
    (["PP Stage 1", "16 EP × 4 TP = 64 GPUs", "Layers 1-8"], "block"),
])
def test_operation_from_every_line(lines: list[str], rule: str) -> None:
    d = TABLE.decide(lines)
    assert d.rule is not None and d.rule.name == rule, (d.why, d.candidates)
    assert d.why and all({"rule", "score", "why"} <= set(c) for c in d.candidates)
