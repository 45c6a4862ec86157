"""The rule table: classification of corpus operation names, validation, user rules."""

from __future__ import annotations

import pytest

from symcost.cli.main import main
from symcost.core.dag import Kind
from symcost.core.errors import InputError
from symcost.ops.table import load_rules
from symcost.read.dot.reader import read_dot

TABLE = load_rules()


@pytest.mark.parametrize("name, rule", [
    ("Attention All-Reduce", "all_reduce"), ("All-to-All Gather", "all_to_all"),
    ("Logits All-Gather", "all_gather"), ("Reduce-Scatter", "reduce_scatter"),
    ("Input Broadcast", "broadcast"), ("PP Send/Recv", "send_recv"),
    ("KV Ring Recv", "send_recv"), ("Pipeline Communication", "send_recv"),
    ("Expert 3 Return", "send_recv"), ("Async Transfer", "send_recv"),
    ("LayerNorm (Attention)", "norm"), ("Final RMSNorm", "norm"), ("LN1", "norm"),
    ("Residual Add (MoE)", "residual"), ("GELU", "activation"), ("SiLU Activation", "activation"),
    ("Softmax", "softmax"), ("KV Cache Update", "kv_cache"), ("Reshape→[B,S,N,N]", "reshape"),
    ("Expert Aggregation", "concat"), ("Final Concatenate", "concat"),
    ("Gather Cross-Shard Results", "concat"), ("Micro-batch Split", "split"),
    ("Layer 0: QKV Split (TP=4)", "split"), ("Token Routing", "routing"),
    ("Gate Selection (Top-2)", "router"), ("Expert Dispatch", "routing"),
    ("QKV Projection", "fused_qkv"), ("MHA QKV Linear", "fused_qkv"),
    ("Layer 0 QKV Block 0", "fused_qkv"), ("Q Projection", "q_proj"), ("Query", "q_proj"),
    ("Key Linear", "k_proj"), ("V Projection", "v_proj"), ("Value", "v_proj"),
    ("Attention Output Projection", "out_proj"), ("MHA Output Linear", "out_proj"),
    ("Logits Projection", "lm_head"), ("LM Head", "lm_head"),
    ("Attention Scores", "attention_scores"), ("Attention Score Q·K^T", "attention_scores"),
    ("QK Matrix Multiply L0", "attention_scores"), ("Weighted Sum", "attention_values"),
    ("Attention Output", "attention_output"), ("Multi-Head Attention", "attention"),
    ("MHA", "attention"), ("MLA", "attention"), ("Attention(32 heads)", "attention"),
    ("Layer 0: FFN Gate Proj", "mlp_gate_proj"), ("FFN Up Proj", "up_proj"),
    ("MLP Linear1 (Column)", "up_proj"), ("Down Projection", "down_proj"),
    ("Gate Network", "router"), ("MOE Gate", "router"), ("Layer 3 MoE Router", "router"),
    ("Gate Routing", "router"), ("Expert 0", "mlp"), ("Expert 12 MLP", "mlp"),
    ("MLP", "mlp"), ("SwiGLU MLP", "gated_mlp"), ("Token Embedding", "embedding"),
    ("Input Embedding", "embedding"), ("Model Input", "io"), ("Final Output", "io"),
    ("Stage 1 Input", "io"), ("Layer Output", "io"),
])
def test_classify_corpus_names(name: str, rule: str) -> None:
    found, how = TABLE.classify(name)
    assert found is not None and found.name == rule and how == "name"


@pytest.mark.parametrize("name", ["MBA-0", "Frobnicate"])
def test_unknown_names(name: str) -> None:
    assert TABLE.classify(name)[0] is None


@pytest.mark.parametrize("name", ["Layer 8 (Parallel)", "PP Stage 3", "TP Group (0,1)"])
def test_whole_stage_or_layer_is_a_block_with_unknown_cost(name: str) -> None:
    # issue 10: a whole stage drawn as one node costs an explicit unknown atom, never 0
    rule = TABLE.classify(name)[0]
    assert rule is not None and rule.name == "block" and rule.cost == "unknown"


def test_id_and_shape_fallbacks() -> None:
    rule, how = TABLE.classify("", "layer0_qkv_proj")
    assert rule.name == "fused_qkv" and how == "id"
    rule, how = TABLE.classify("Pipeline Overlap", "x", "parallelogram")
    assert rule.kind == Kind.ROUTE and how == "shape"
    # words win over shape: an all-reduce drawn as a parallelogram is still a collective
    assert TABLE.classify("All-Reduce", "x", "parallelogram")[0].name == "all_reduce"


@pytest.mark.parametrize("text, message", [
    ("rules: [{name: x, match: 'a', kind: nope, cost: zero}]", "'kind' must be one of"),
    ("rules: [{name: x, match: 'a', kind: compute, cost: magic}]", "'cost' must be one of"),
    ("rules: [{name: x, match: '(', kind: compute, cost: zero}]", "bad regular expression"),
    ("rules: [{name: x, kind: compute, cost: zero}]", "needs 'match' or 'shape'"),
    ("rules: [{name: x, match: a, kind: comm, cost: comm}]", "'collective' must be one of"),
    ("rules: [{name: x, match: a, kind: compute, cost: linear, count: 0}]", "'count'"),
    ("rules: [{name: x, match: a, kind: compute, cost: zero, colour: red}]", "unknown field"),
    ("rules: [{match: a, kind: compute, cost: zero}]", "'name' is required"),
    ("rules: {a: 1}", "expected a list"),
    ("rules: [{name: x, match: a, kind: io}, {name: x, match: b, kind: io}]", "duplicate"),
    ("rules: [a: b: c]", "YAML error"),
])
def test_bad_rules_name_the_file(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "my_rules.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_rules(path)
    assert message in str(err.value) and str(path) in str(err.value)


DOT = ('digraph g {\n input [label="Input\\nInput: [batch_size=4, seq_len=16, hidden=64]"];\n'
       ' f [label="Frobnicate\\nInput: [batch_size=4, seq_len=16, hidden=64]\\n'
       'Output: [batch_size=4, seq_len=16, hidden=256]\\nGPU: 0"];\n'
       ' n [label="LayerNorm\\nInput: [batch_size=4, seq_len=16, hidden=256]\\nGPU: 0"];\n'
       ' input -> f -> n;\n}\n')


def test_user_rules_extend_and_override(tmp_path) -> None:
    dot = tmp_path / "g.dot"
    dot.write_text(DOT)
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n"
                     "  - {name: frob, match: frobnicate, kind: compute, cost: linear}\n"
                     "  - {name: norm, match: layernorm, kind: compute, cost: linear}\n")
    from symcost.core.symbols import B, Get_Time

    plain = read_dot(dot)
    assert plain.node("f").kind == Kind.UNKNOWN
    dag = read_dot(dot, rules=rules)
    assert dag.node("f").cost == Get_Time(16 * B, 64, 256)
    assert dag.node("n").kind == Kind.COMPUTE  # built-in 'norm' replaced
    assert not [d for d in dag.diagnostics if d.code == "unknown-op"]


def test_cli_rules_option_error_is_one_line(tmp_path, capfd) -> None:
    dot = tmp_path / "g.dot"
    dot.write_text(DOT)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{name: x, match: a, kind: nope}]")
    assert main(["info", str(dot), "--rules", str(rules)]) == 2
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 1 and str(rules) in err[0]
