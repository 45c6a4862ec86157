"""Issue 10: node readings from small hand-written DOT files, each expected value derived
by hand from the label (comm groups, unknown-cost atoms and their sharing, MoE blocks,
shapes over words, elisions, what each node records for ``symcost explain``)."""

from __future__ import annotations

import pytest
import sympy

from symcost.core.symbols import B, Get_Time
from symcost.read.dot.reader import read_dot

ENTRY = 'inp [label="Model Input\\nOutput: [batch_size=8, seq_len=64, hidden=512]"];'


def _read(tmp_path, body: str, edges: str = ""):
    path = tmp_path / "g.dot"
    path.write_text(f"digraph g {{\n{ENTRY}\n{body}\n{edges}\n}}\n", encoding="utf-8")
    return read_dot(path, allow_no_edges=True)


def _group(dag, nid: str) -> int:
    return int(dag.node(nid).cost.args[1])


@pytest.mark.parametrize("label, group", [
    ("Tensor Parallel\\n4-way All-Reduce", 4),               # words on line 2
    ("All-Gather\\nGPU: 0\\nCollect from 16 GPUs", 16),       # count in words
    ("TP Group All-Reduce\\n8 GPUs", 8),
    ("All-Reduce\\nGPUs: 0-3", 4),                           # its own GPUs
    ("All-Reduce\\nTP=2", 2),
])
def test_comm_group_from_the_label(tmp_path, label: str, group: int) -> None:
    dag = _read(tmp_path, f'c [label="{label}\\nInput: [batch_size=8, seq_len=64, hidden=512]"];',
                "inp -> c;")
    assert _group(dag, "c") == group, dag.node("c").attrs.get("group_from")


def test_comm_group_from_parallel_producers_and_graph_name(tmp_path) -> None:
    body = "\n".join(f'p{i} [label="Linear\\nGPU: {i}\\nInput: [batch_size=8, seq_len=64, '
                     f'hidden=512]\\nOutput: [batch_size=8, seq_len=64, hidden=512]"];'
                     for i in range(3)) + '\nar [label="All-Reduce"];'
    dag = _read(tmp_path, body, " ".join(f"inp -> p{i}; p{i} -> ar;" for i in range(3)))
    assert _group(dag, "ar") == 3  # the GPUs of its three producers
    # a size-less collective keeps a symbol for its message, never 0
    dag = _read(tmp_path, 'x [label="DP All-Reduce\\nGPUs: 0-7"];', "inp -> x;")
    assert dag.node("x").cost != 0


def test_unknown_cost_atoms_are_shared_only_by_equal_nodes(tmp_path) -> None:
    body = ('a [label="Stage 1\\nGPU: 0"]; b [label="Stage 2\\nGPU: 1"];\n'
            'c [label="Stage 3\\nInput: [batch_size=8, seq_len=64, hidden=1024]\\nGPU: 2"];')
    dag = _read(tmp_path, body, "inp -> a; inp -> b; inp -> c;")
    ua, ub, uc = (dag.node(n).attrs.get("unknown_cost") for n in "abc")
    assert ua and ua == ub  # equal in everything known: the same atom
    assert uc and uc != ua  # a known input size differs: its own atom
    assert dag.node("a").cost != 0 and not dag.node("a").matmuls


def test_moe_block_per_local_expert(tmp_path) -> None:
    body = ('m [label="MoE\\nL0 E0-1\\nGPU0\\nIn:[8,64,512]\\nOut:[8,64,512]"];')
    dag = _read(tmp_path, body, "inp -> m;")
    t, f = sympy.Symbol("T_expert", positive=True, integer=True), \
        sympy.Symbol("F_expert", positive=True, integer=True)
    assert sympy.expand(dag.node("m").cost - 2 * (Get_Time(t, 512, f) + Get_Time(t, f, 512))) == 0


def test_shapes_win_over_words_with_a_warning(tmp_path) -> None:
    body = ('f [label="FFN\\nGPU: 0\\nInput: [batch_size=8, seq_len=64, hidden=512]\\n'
            'Output: [batch_size=8, seq_len=64, hidden=2048]"];')
    dag = _read(tmp_path, body, "inp -> f;")
    assert dag.node("f").cost == Get_Time(64 * B, 512, 2048)  # one linear layer, not an MLP
    assert any(d.code == "shapes-win" and d.node == "f" for d in dag.diagnostics)


def test_collective_element_counts_that_disagree_are_warned(tmp_path) -> None:
    body = ('ar [label="All-Reduce\\nGPUs: 0-3\\nInput: [batch_size=8, seq_len=64, hidden=512]\\n'
            'Output: [batch_size=8, seq_len=64, hidden=2048]"];')
    dag = _read(tmp_path, body, "inp -> ar;")
    assert any(d.node == "ar" and "elements" in d.message for d in dag.diagnostics)


def test_layer_range_node_is_a_repeat(tmp_path) -> None:
    body = ('l0 [label="Layer 0 Linear\\nGPU: 0\\nInput: [batch_size=8, seq_len=64, hidden=512]\\n'
            'Output: [batch_size=8, seq_len=64, hidden=512]"];\n'
            'rest [label="Layers 1-3\\nGPU: 0"]; out [label="Final Output"];')
    dag = _read(tmp_path, body, "inp -> l0 -> rest -> out;")
    linear = [n for n in dag.nodes if n.matmuls]
    assert len(linear) == 4  # layer 0 drawn + 3 clones; the marker costs nothing
    assert dag.node("rest").cost == 0


def test_explain_attributes(tmp_path) -> None:
    body = ('q [label="Dense FFN Up (TP shard 0)\\nGPU: 1\\nInput: [batch_size=8, seq_len=64, '
            'hidden=512]\\nOutput: [batch_size=8, seq_len=64, ffn=2048]"];')
    dag = _read(tmp_path, body, "inp -> q;")
    a = dag.node("q").attrs
    assert a["rule"] == "up_proj" and a["why"] and a["words"][0] == "Dense FFN Up (TP shard 0)"
    assert any(c["rule"] == "split" for c in a["candidates"])  # the qualifier lost
    assert a["gpu_from"] == "label"


# -- evidence from the graph's structure (issue 10, second pass) ---------------------------

def test_output_at_the_end_of_the_graph_is_io(tmp_path) -> None:
    """'Attention Output' as the graph's sink (only an input shape) is the output; in the
    middle of the graph with a changed shape it stays the attention's output step."""
    dag = _read(tmp_path, 'o [label="Attention Output\\nInput: [batch_size=8, seq_len=64, '
                'hidden=512]", shape=parallelogram];', "inp -> o;")
    assert dag.node("o").kind.value == "io" and dag.node("o").cost == 0
    dag = _read(tmp_path, 'o [label="Attention Output\\nInput: [batch_size=8, seq_len=64, '
                'heads=8, d_k=64]\\nOutput: [batch_size=8, seq_len=64, hidden=512]"];\n'
                'z [label="Residual Add"];', "inp -> o -> z;")
    assert dag.node("o").cost == Get_Time(64 * B, 512, 512)


def test_gate_after_gate_is_its_selection_and_counts_experts(tmp_path) -> None:
    """Router [.., 512] -> [.., experts=2], then 'Gate Selection' with the same shapes, then
    four expert nodes each 'Experts (4/16)': E = 16 (2 is the top-k), one gate matmul."""
    shapes = "Input: [batch_size=8, seq_len=64, hidden=512]\\nOutput: [batch_size=8, seq_len=64, experts=2]"
    body = (f'r [label="MoE Router\\n{shapes}"];\ng [label="Gate Selection\\n{shapes}"];\n'
            + "\n".join(f'e{i} [label="Experts (4/16)\\nGPU {i}\\nInput: [batch_size=8, '
                        f'seq_len=64, experts=2]\\nOutput: [batch_size=8, seq_len=64, '
                        f'hidden=512]"];' for i in range(4)))
    edges = "inp -> r -> g;\n" + "\n".join(f"g -> e{i};" for i in range(4))
    dag = _read(tmp_path, body, edges)
    assert dag.node("r").cost == Get_Time(8 * 64 * B / 8, 512, 16)
    assert dag.node("g").cost == 0 and dag.node("g").attrs["rule"] == "selection"


def test_all_to_all_drawn_once_per_gpu(tmp_path) -> None:
    """Four 'Expert All-to-all' nodes, one per GPU, joining in one aggregation: group 4."""
    t = "[batch_size=8, seq_len=64, hidden=512]"
    body = "\n".join(f'a{i} [label="Expert All-to-all\\nGPU {i}\\nInput: {t}\\nOutput: {t}"];'
                     for i in range(4)) + '\nagg [label="Aggregate"];'
    edges = "\n".join(f"inp -> a{i}; a{i} -> agg;" for i in range(4))
    dag = _read(tmp_path, body, edges)
    assert {_group(dag, f"a{i}") for i in range(4)} == {4}


def test_dp_all_reduce_takes_the_replica_count(tmp_path) -> None:
    body = ('s [label="Data Parallel Split\\n3 replicas"];\n'
            'x [label="Linear\\nGPUs: 0-7\\nInput: [batch_size=8, seq_len=64, hidden=512]\\n'
            'Output: [batch_size=8, seq_len=64, hidden=512]"];\n'
            'ar [label="DP All-Reduce\\nAcross replicas"];')
    dag = _read(tmp_path, body, "inp -> s -> x -> ar;")
    assert _group(dag, "ar") == 3


def test_garbled_head_dim_reads_full_attention(tmp_path) -> None:
    """'d_k Lav32': the name says head dim, the value is junk; the output [.., heads, d_k]
    is the attention's result, so scores and values are both charged (d from the input)."""
    body = ('a [label="Attention Scores\\nInput: [batch_size=8, seq_len=64, heads=8, d_k=64]'
            '\\nOutput: [batch_size=8, seq_len=64, heads=8, d_k Lav32]"];')
    dag = _read(tmp_path, body, "inp -> a;")
    assert dag.node("a").cost == 2 * Get_Time(512 * B, 64, 64)


@pytest.mark.parametrize("producers, width_known", [(1, True), (2, True), (3, False)])
def test_weight_matmul_fed_by_many_producers(tmp_path, producers: int, width_known: bool) -> None:
    """One producer (or a residual pair) gives its width; three parallel producers feeding
    one weight matmul (shards gathered or Q/K/V) do not: the width stays a symbol."""
    t = "[batch_size=8, seq_len=64, hidden=128]"
    body = "\n".join(f'p{i} [label="Norm {i}\\nOutput: {t}"];' for i in range(producers))
    body += '\nl [label="Linear\\nOutput: [batch_size=8, seq_len=64, hidden=256]"];'
    edges = "\n".join(f"inp -> p{i}; p{i} -> l;" for i in range(producers))
    dag = _read(tmp_path, body, edges)
    k = dag.node("l").matmuls[0].k
    assert (k == 128) is width_known, k


def test_tp_shard_feeding_a_whole_op_gives_no_width(tmp_path) -> None:
    body = ('s [label="Attention Out TP3\\nOutput: [batch_size=8, seq_len=64, hidden=128]"];\n'
            'g [label="Gate\\nOutput: [batch_size=8, seq_len=64, experts=16]"];')
    dag = _read(tmp_path, body, "inp -> s -> g;")
    assert dag.node("g").matmuls[0].k != 128


def test_set_and_params_bind_symbols_the_reading_left(tmp_path) -> None:
    """``--set NAME=N`` / a ``--params`` entry on a symbol of the costs substitutes it."""
    path = tmp_path / "g.dot"
    path.write_text("digraph g {\n" + ENTRY + '\nff [label="FFN Up\\nInput: [batch_size=8, '
                    'seq_len=64, hidden=512]"];\ninp -> ff;\n}\n', encoding="utf-8")
    free = read_dot(path).node("ff").cost.free_symbols - {B}
    assert len(free) == 1
    name = next(iter(free)).name
    dag = read_dot(path, sets={name: "1024"})
    assert dag.node("ff").cost.free_symbols == {B}
    assert dag.node("ff").matmuls[0].n == 1024 or dag.node("ff").matmuls[0].k == 1024
    params = tmp_path / "p.yaml"
    params.write_text(f"{name}: 1024\nunrelated: 3\n", encoding="utf-8")
    dag = read_dot(path, params=str(params))
    assert dag.node("ff").cost.free_symbols == {B}
    assert any("unrelated" in d.message for d in dag.diagnostics)


def _terms(dag, nid: str) -> list[tuple]:
    return sorted((str(m.m), str(m.k), str(m.n), m.count) for m in dag.node(nid).matmuls)


def test_projection_of_unknown_width_passes_its_tokens_on(tmp_path) -> None:
    """Q,K,V of unknown width, then attention, a concat and an output projection, none
    with dims: the tokens (8 x 64) still reach every node, and every size no label gives
    is a symbol in its own slot (never an unknown atom, never 0)."""
    body = ('q [label="Q,K,V Linear\\nGPU: 0"]; a [label="Attention\\nGPU: 0"];\n'
            'c [label="Concatenate\\nGPU: 0"]; o [label="Output Projection\\nGPU: 0"];\n'
            'r [label="Residual Add\\nGPU: 0"];')  # (a projection drawn last is the output)
    dag = _read(tmp_path, body, "inp -> q; q -> a; a -> c; c -> o; o -> r;")
    assert _terms(dag, "q") == [("64*B", "512", "D_out_fused_qkv", 3)]  # batch 8 is B
    # QK^T [64 B NH, D_head] x [D_head, 64] and AV [64 B NH, 64] x [64, D_head]
    assert _terms(dag, "a") == [("64*B*NH", "64", "D_head", 1), ("64*B*NH", "D_head", "64", 1)]
    assert _terms(dag, "o") == [("64*B", "D_in_out_proj", "D_out_out_proj", 1)]
    assert not any(n.attrs.get("unknown_cost") for n in dag.nodes)


MOE_REPLICAS = """
attn [label="Attention Shard\\n[batch_size=8, seq_len=1, heads=4, d_k=32]\\nGPU: 0"];
g0 [label="Token Gate\\n[batch_size=8, seq_len=1, experts=16, top_k=2]\\nGPU: 0"];
g1 [label="Token Gate\\n[batch_size=8, seq_len=1, experts=16, top_k=2]\\nGPU: 1"];
m0 [label="Token MoE\\n[batch_size=8, seq_len=1, experts=16, top_k=2]\\nGPU: 0"];
m1 [label="Token MoE\\n[batch_size=8, seq_len=1, experts=16, top_k=2]\\nGPU: 1"];
pp [label="Pipeline Send\\n[batch_size=8, seq_len=1, d_model=2048]\\nGPU: 0->2"];
"""


def test_moe_width_from_what_it_feeds_and_from_its_drawn_replica(tmp_path) -> None:
    """A MoE block maps the hidden state to itself: with no width of its own (its producer
    is a 4-head TP shard, 128 wide) its width is what the node it feeds takes (2048); its
    unwired replica (same label, another GPU) has the same width; each gate reads the
    hidden state of the block it routes for."""
    dag = _read(tmp_path, MOE_REPLICAS, "inp -> attn; attn -> m0; m0 -> pp; g0 -> m0; g1 -> m1;")
    want = [("T_expert", "2048", "F_expert", 1), ("T_expert", "F_expert", "2048", 1)]
    assert _terms(dag, "m0") == want
    assert _terms(dag, "m1") == want
    assert _terms(dag, "g0") == [("B", "2048", "16", 1)] == _terms(dag, "g1")  # 8 x 1 tokens
    assert "2048" in " ".join(dag.node("m1").attrs.get("assumed", []))


def test_moe_width_is_not_guessed_when_what_it_feeds_disagrees(tmp_path) -> None:
    """Two consumers that state different widths: no width is taken (an unknown atom
    stays, with its warning), and the replica gets none either."""
    body = MOE_REPLICAS + 'x [label="Combine\\n[batch_size=8, seq_len=1, d_model=1024]"];'
    dag = _read(tmp_path, body, "inp -> attn; attn -> m0; m0 -> pp; m0 -> x; g0 -> m0;")
    assert dag.node("m0").attrs.get("unknown_cost") and dag.node("m1").attrs.get("unknown_cost")
